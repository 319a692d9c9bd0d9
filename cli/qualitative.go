package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/ingest"
	"github.com/cityimpact/cityimpact/panel"
)

// Qualitative inputs (issue 3 item 6): expert scoring over Delphi rounds and
// public questionnaires, turned into indicator values with their own
// data-quality code, ready for `cityimpact index --data ... --quality ...`.

func init() {
	register(&command{name: "delphi", summary: "expert scoring over Delphi rounds: Kendall's W per round, item mean/median/CV/IQR, stop rule; final scores as indicator values (quality estimated) or expert weights", run: runDelphi})
	register(&command{name: "survey", summary: "public questionnaire: Likert items per respondent per city → satisfaction indicators (mean, top-2-box share, n, margin of error; quality survey-extrapolated)", run: runSurvey})
}

// qualCSV is a small CSV read whole, with the line of each record and the
// SHA-256 of the bytes, for reproducibility.
type qualCSV struct {
	name   string
	head   []string
	recs   [][]string
	lines  []int
	sha256 string
}

func qualRead(name string) (*qualCSV, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, &UserError{err}
	}
	sum := sha256.Sum256(b)
	q := &qualCSV{name: name, sha256: hex.EncodeToString(sum[:])}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ingest.DataError{File: name, Line: pe.StartLine, Err: pe.Err}
			}
			return nil, &UserError{err}
		}
		line, _ := cr.FieldPos(0)
		if q.head == nil {
			for _, h := range rec {
				q.head = append(q.head, strings.TrimSpace(h))
			}
			continue
		}
		if len(rec) != len(q.head) {
			return nil, &ingest.DataError{File: name, Line: line, Err: fmt.Errorf("%d fields, the header has %d", len(rec), len(q.head))}
		}
		q.recs = append(q.recs, rec)
		q.lines = append(q.lines, line)
	}
	if q.head == nil {
		return nil, &ingest.DataError{File: name, Err: errors.New("empty file")}
	}
	return q, nil
}

// col returns the index of the first header among names (case-insensitive), or −1.
func (q *qualCSV) col(names ...string) int {
	for i, h := range q.head {
		for _, n := range names {
			if strings.EqualFold(h, n) {
				return i
			}
		}
	}
	return -1
}

// qualErrs collects data errors, at most 20.
type qualErrs []error

func (e *qualErrs) add(file string, line int, col string, format string, args ...any) {
	if len(*e) < 20 {
		*e = append(*e, &ingest.DataError{File: file, Line: line, Column: col, Err: fmt.Errorf(format, args...)})
	}
}

func (e qualErrs) err() error {
	if len(e) == 0 {
		return nil
	}
	return &UserError{errors.Join(e...)}
}

var (
	qualUnitNames   = []string{"unit", "city", "city_code", "code", "城市", "城市代码"}
	qualPeriodNames = []string{"period", "year", "年份", "时期"}
)

// qualProvenance is what every qualitative result records about its making.
type qualProvenance struct {
	Program string            `json:"program"`
	Version string            `json:"version"`
	Input   string            `json:"input"`
	SHA256  string            `json:"input_sha256"`
	Options map[string]string `json:"options"`
}

func qualProv(q *qualCSV, fs *flag.FlagSet) qualProvenance {
	p := qualProvenance{Program: "cityimpact", Version: Version, Input: q.name, SHA256: q.sha256, Options: map[string]string{}}
	fs.VisitAll(func(f *flag.Flag) {
		switch f.Name {
		case "input", "format", "values-out", "quality-out", "weights-out":
			return
		}
		p.Options[f.Name] = f.Value.String()
	})
	return p
}

// qualWriteOut writes rows as CSV to path, atomically.
func qualWriteOut(path string, rows [][]string) error {
	var b bytes.Buffer
	if err := writeCSV(&b, nil, rows); err != nil {
		return err
	}
	if err := writeFileAtomic(path, b.Bytes()); err != nil {
		return &UserError{err}
	}
	return nil
}

// ---------------------------------------------------------------- delphi

// delphiCols are the positions of a Delphi scores file's columns, −1 where
// the header lacks one.
type delphiCols struct{ round, expert, item, score int }

func (q *qualCSV) delphiCols() delphiCols {
	return delphiCols{
		round:  q.col("round", "轮次", "轮"),
		expert: q.col("expert", "专家", "rater"),
		item:   q.col("item", "indicator", "指标", "node"),
		score:  q.col("score", "value", "评分", "分值"),
	}
}

// delphiScore reads record i of a Delphi scores file with columns c: the
// expert and item trimmed, the round and the score, adding to errs when the
// round is not an integer or the score not a finite number.
func (q *qualCSV) delphiScore(i int, c delphiCols, errs *qualErrs) composite.ExpertScore {
	r, line := q.recs[i], q.lines[i]
	rd, err := strconv.Atoi(strings.TrimSpace(r[c.round]))
	if err != nil {
		errs.add(q.name, line, q.head[c.round], "not an integer round: %q", r[c.round])
	}
	sc, err := strconv.ParseFloat(strings.TrimSpace(r[c.score]), 64)
	if err != nil || math.IsNaN(sc) || math.IsInf(sc, 0) {
		errs.add(q.name, line, q.head[c.score], "not a number: %q", r[c.score])
	}
	return composite.ExpertScore{Round: rd, Expert: strings.TrimSpace(r[c.expert]), Item: strings.TrimSpace(r[c.item]), Score: sc}
}

func runDelphi(env *Env, args []string) error {
	fs := newFlags(env, "delphi", "delphi --input SCORES.csv [--stop either|concordance|cv|both] [--min-w W] [--max-dw E] [--alpha A] [--max-cv C] [--no-tie-correction] [--weights-out W.json] [--values-out V.csv --quality-out Q.csv] [--format table|json|csv]\n\n"+
		"SCORES.csv is long: round, expert, item, score (one row per expert, item and round; 轮次, 专家, 指标, 评分 also\n"+
		"accepted). With unit and period columns too, an item is one indicator of one city and period, and\n"+
		"--values-out writes the final round's mean scores as indicator values (unit, period, indicator, value,\n"+
		"quality = estimated, n, cv) for `cityimpact index --values V.csv`. Without them the items are criteria or\n"+
		"framework nodes: --weights-out writes the final means normalised to sum to 1 ({\"weights\": {item: w}}) for\n"+
		"`cityimpact rank --weights`, and `cityimpact weights|index|rank --method expert --delphi FILE` uses them\n"+
		"as the expert weights of framework nodes.\n"+
		"Stop rule: concordance = W ≥ --min-w, p < --alpha and |ΔW| < --max-dw since the previous round;\n"+
		"cv = every item's CV ≤ --max-cv; --stop picks either (default), one, or both.",
		"cityimpact delphi --input delphi.csv --stop either --max-cv 0.25 --weights-out expert.json")
	input := fs.String("input", "", "long CSV of expert scores: round, expert, item, score [, unit, period]")
	stop := fs.String("stop", "either", "stop rule: either, concordance, cv or both")
	minW := fs.Float64("min-w", 0.5, "least Kendall's W for agreement (Schmidt 1997: 0.5 moderate, 0.7 strong)")
	maxDW := fs.Float64("max-dw", 0.05, "largest change of W between rounds that counts as stable")
	alpha := fs.Float64("alpha", 0.05, "significance level of W's chi-square test (negative: no test)")
	maxCV := fs.Float64("max-cv", 0.25, "largest coefficient of variation of an item for the cv rule")
	noTie := fs.Bool("no-tie-correction", false, "compute W without the correction for tied scores")
	weightsOut := fs.String("weights-out", "", "write the final means as weights JSON (items without unit/period)")
	valuesOut := fs.String("values-out", "", "write the final means as long indicator values (needs unit and period columns)")
	qualityOut := fs.String("quality-out", "", "write unit, period, indicator, quality (estimated) for index --quality")
	format := fs.String("format", "table", "output format: table, json or csv")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	if *input == "" {
		return userErrorf("no input: give --input SCORES.csv (see --help)")
	}
	var opt composite.DelphiOptions
	var err error
	if opt.Rule, err = composite.ParseStopRule(*stop); err != nil {
		return &UserError{err}
	}
	if !(*minW > 0 && *minW <= 1) || !(*maxDW > 0) || !(*maxCV > 0) || *alpha == 0 || *alpha >= 1 {
		return userErrorf("want 0 < --min-w ≤ 1, --max-dw > 0, --max-cv > 0 and --alpha in (0, 1) or negative")
	}
	opt.MinW, opt.MaxWChange, opt.Alpha, opt.MaxCV, opt.NoTieCorrection = *minW, *maxDW, *alpha, *maxCV, *noTie
	q, err := qualRead(*input)
	if err != nil {
		return err
	}
	dc := q.delphiCols()
	cUnit, cPeriod := q.col(qualUnitNames...), q.col(qualPeriodNames...)
	var errs qualErrs
	for name, c := range map[string]int{"round": dc.round, "expert": dc.expert, "item": dc.item, "score": dc.score} {
		if c < 0 {
			errs.add(q.name, 1, "", "no %s column (header: %s)", name, strings.Join(q.head, ", "))
		}
	}
	if (cUnit < 0) != (cPeriod < 0) {
		errs.add(q.name, 1, "", "give both unit and period columns or neither")
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return errs.err()
	}
	cells := cUnit >= 0
	if cells && *weightsOut != "" {
		return userErrorf("--weights-out: items are per unit and period here; use --values-out")
	}
	if !cells && (*valuesOut != "" || *qualityOut != "") {
		return userErrorf("--values-out and --quality-out need unit and period columns in %s", q.name)
	}
	// An item of a unit × period is keyed unit␟period␟indicator.
	const sep = "\x1f"
	recs := make([]composite.ExpertScore, 0, len(q.recs))
	for i, r := range q.recs {
		es := q.delphiScore(i, dc, &errs)
		if es.Expert == "" {
			errs.add(q.name, q.lines[i], q.head[dc.expert], "empty expert")
		}
		if es.Item == "" {
			errs.add(q.name, q.lines[i], q.head[dc.item], "empty item")
		}
		if cells {
			es.Item = strings.TrimSpace(r[cUnit]) + sep + strings.TrimSpace(r[cPeriod]) + sep + es.Item
		}
		recs = append(recs, es)
	}
	if err := errs.err(); err != nil {
		return err
	}
	res, err := composite.Delphi(recs, opt)
	if err != nil {
		var re *composite.RecordError
		if errors.As(err, &re) {
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					if errors.As(e, &re) {
						errs.add(q.name, q.lines[re.Index], "", "%v", re.Err)
					}
				}
				return errs.err()
			}
		}
		return userErrorf("%s: %v", q.name, err)
	}
	label := func(it string) string { return strings.ReplaceAll(it, sep, "/") }
	fin := res.Final()
	if *weightsOut != "" {
		w, err := res.ExpertWeights(res.Items)
		if err != nil {
			return userErrorf("%s: %v", q.name, err)
		}
		ws := map[string]idxNum64{}
		for i, it := range res.Items {
			ws[it] = idxNum64(w[i])
		}
		var b bytes.Buffer
		if err := writeJSON(&b, struct {
			Method  string              `json:"method"`
			Weights map[string]idxNum64 `json:"weights"`
		}{"delphi", ws}); err != nil {
			return err
		}
		if err := writeFileAtomic(*weightsOut, b.Bytes()); err != nil {
			return &UserError{err}
		}
	}
	if *valuesOut != "" || *qualityOut != "" {
		vals := [][]string{{"unit", "period", "indicator", "value", "quality", "n", "cv"}}
		qual := [][]string{{"unit", "period", "indicator", "quality"}}
		for _, st := range fin {
			k := strings.SplitN(st.Item, sep, 3)
			vals = append(vals, []string{k[0], k[1], k[2], idxNum(st.Mean, 6), composite.Estimated.String(), strconv.Itoa(st.N), idxNum(st.CV, 4)})
			qual = append(qual, []string{k[0], k[1], k[2], composite.Estimated.String()})
		}
		if *valuesOut != "" {
			if err := qualWriteOut(*valuesOut, vals); err != nil {
				return err
			}
		}
		if *qualityOut != "" {
			if err := qualWriteOut(*qualityOut, qual); err != nil {
				return err
			}
		}
	}
	prov := qualProv(q, fs)
	if *format == "json" {
		type jround struct {
			Round        int              `json:"round"`
			Experts      int              `json:"experts"`
			W            idxNum64         `json:"w"`
			ChiSq        idxNum64         `json:"chi_sq"`
			DF           int              `json:"df"`
			P            idxNum64         `json:"p_value"`
			Items        int              `json:"items_in_w"`
			Dropped      int              `json:"items_dropped"`
			Ties         bool             `json:"ties"`
			TieCorrected bool             `json:"tie_corrected"`
			WChange      idxNum64         `json:"w_change"`
			MaxCV        idxNum64         `json:"max_cv"`
			AgreementMet bool             `json:"agreement_met"`
			CVMet        bool             `json:"cv_met"`
			Stop         bool             `json:"stop"`
			ItemStats    []map[string]any `json:"item_stats"`
		}
		out := struct {
			Provenance qualProvenance `json:"provenance"`
			StopRule   string         `json:"stop_rule"`
			StopRound  int            `json:"stop_round"`
			Quality    string         `json:"quality"`
			Notes      []string       `json:"notes,omitempty"`
			Rounds     []jround       `json:"rounds"`
		}{Provenance: prov, StopRule: opt.Rule.String(), StopRound: res.StopRound, Quality: composite.Estimated.String(), Notes: res.Notes}
		for _, rd := range res.Rounds {
			c := rd.Concordance
			jr := jround{Round: rd.Round, Experts: rd.Experts, W: idxNum64(c.W), ChiSq: idxNum64(c.ChiSq), DF: c.DF, P: idxNum64(c.P), Items: c.Items, Dropped: c.Dropped,
				Ties: c.Ties, TieCorrected: c.TieCorrected, WChange: idxNum64(rd.WChange), MaxCV: idxNum64(rd.MaxCV), AgreementMet: rd.AgreementMet, CVMet: rd.CVMet, Stop: rd.Stop}
			for _, st := range rd.Items {
				jr.ItemStats = append(jr.ItemStats, map[string]any{"item": label(st.Item), "n": st.N, "mean": idxNum64(st.Mean), "median": idxNum64(st.Median),
					"sd": idxNum64(st.SD), "cv": idxNum64(st.CV), "q1": idxNum64(st.Q1), "q3": idxNum64(st.Q3), "iqr": idxNum64(st.IQR)})
			}
			out.Rounds = append(out.Rounds, jr)
		}
		return writeJSON(env.Stdout, out)
	}
	if *format == "table" {
		fmt.Fprintf(env.Stdout, "Delphi consultation %s (sha256 %s): %d rounds, %d items; stop rule %s (W ≥ %g, p < %g, |ΔW| < %g; CV ≤ %g), W %s\n\n",
			q.name, q.sha256[:12], len(res.Rounds), len(res.Items), opt.Rule, opt.MinW, opt.Alpha, opt.MaxWChange, opt.MaxCV, map[bool]string{true: "without tie correction", false: "tie-corrected"}[opt.NoTieCorrection])
		rows := [][]string{{"round", "experts", "W", "chi2", "df", "p", "dW", "max_cv", "agreement", "cv_ok", "stop"}}
		for _, rd := range res.Rounds {
			c := rd.Concordance
			rows = append(rows, []string{strconv.Itoa(rd.Round), strconv.Itoa(rd.Experts), idxNum(c.W, 4), idxNum(c.ChiSq, 3), strconv.Itoa(c.DF), idxNum(c.P, 4),
				idxNum(rd.WChange, 4), idxNum(rd.MaxCV, 3), strconv.FormatBool(rd.AgreementMet), strconv.FormatBool(rd.CVMet), strconv.FormatBool(rd.Stop)})
		}
		if err := writeRows(env.Stdout, "table", rows); err != nil {
			return err
		}
		for _, n := range res.Notes {
			fmt.Fprintln(env.Stdout, "note:", n)
		}
		fmt.Fprintf(env.Stdout, "\nfinal round %d (values are expert estimates, quality %q):\n", res.Rounds[len(res.Rounds)-1].Round, composite.Estimated.String())
	}
	rows := [][]string{{"item", "n", "mean", "median", "sd", "cv", "q1", "q3", "iqr"}}
	for _, st := range fin {
		rows = append(rows, []string{label(st.Item), strconv.Itoa(st.N), idxNum(st.Mean, 4), idxNum(st.Median, 4), idxNum(st.SD, 4), idxNum(st.CV, 4), idxNum(st.Q1, 4), idxNum(st.Q3, 4), idxNum(st.IQR, 4)})
	}
	return writeRows(env.Stdout, *format, rows)
}

// ---------------------------------------------------------------- survey

func runSurvey(env *Env, args []string) error {
	fs := newFlags(env, "survey", "survey --input ANSWERS.csv [--scale 5|7] [--top-box 2] [--value top2|mean] [--confidence 0.95] [--interval wald|wilson] [--population POP.csv] [--min-n 30] [--values-out V.csv --quality-out Q.csv] [--format table|json|csv]\n\n"+
		"ANSWERS.csv has one row per respondent: unit (city code), period (year), optionally respondent, then one\n"+
		"column per Likert item with answers 1…--scale (blank: no answer). For each unit, period and item it\n"+
		"reports n, mean, SD, the mean's margin of error, the top-box share and its interval (Wald normal\n"+
		"approximation, or Wilson's score interval), multiplied by the finite-population correction when\n"+
		"--population gives each unit's population (CSV unit, population). n below --min-n is flagged.\n"+
		"--values-out writes indicator values (unit, period, indicator, value, quality = survey-extrapolated, n, moe)\n"+
		"for `cityimpact index --data D --values V.csv`; --quality-out the codes alone, for `index --quality`.",
		"cityimpact survey --input answers.csv --scale 5 --value top2 --values-out satisfaction.csv --quality-out satisfaction_quality.csv")
	input := fs.String("input", "", "CSV of answers: unit, period, [respondent,] item columns")
	scale := fs.Int("scale", 5, "Likert points: answers 1…N (5 or 7 usually)")
	topBox := fs.Int("top-box", 2, "top points counted as satisfied (2: 4–5 of 5, 6–7 of 7)")
	value := fs.String("value", "top2", "indicator value: top2 (share satisfied, 0–1) or mean (mean score)")
	conf := fs.Float64("confidence", 0.95, "confidence level of the margins of error")
	interval := fs.String("interval", "wald", "interval of the top-box share: wald (normal approximation) or wilson")
	popFile := fs.String("population", "", "CSV unit, population for the finite-population correction")
	minN := fs.Int("min-n", 30, "sample size below which a result is flagged")
	valuesOut := fs.String("values-out", "", "write long indicator values: unit, period, indicator, value, quality, n, moe (for index --values)")
	qualityOut := fs.String("quality-out", "", "write unit, period, indicator, quality (survey-extrapolated) for index --quality")
	format := fs.String("format", "table", "output format: table, json or csv")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	if *input == "" {
		return userErrorf("no input: give --input ANSWERS.csv (see --help)")
	}
	opt := composite.LikertOptions{Scale: *scale, TopBox: *topBox, Confidence: *conf, MinN: *minN}
	if *scale < 2 || *scale > 11 || *topBox < 1 || *topBox >= *scale {
		return userErrorf("want 2 ≤ --scale ≤ 11 and 1 ≤ --top-box < --scale")
	}
	if !(*conf > 0 && *conf < 1) || *minN < 1 {
		return userErrorf("want --confidence in (0, 1) and --min-n ≥ 1")
	}
	switch *interval {
	case "wald":
	case "wilson":
		opt.Interval = composite.IntervalWilson
	default:
		return userErrorf("--interval: want wald or wilson, not %q", *interval)
	}
	if *value != "top2" && *value != "mean" {
		return userErrorf("--value: want top2 or mean, not %q", *value)
	}
	q, err := qualRead(*input)
	if err != nil {
		return err
	}
	pop := map[string]float64{}
	var popSHA string
	if *popFile != "" {
		pq, err := qualRead(*popFile)
		if err != nil {
			return err
		}
		popSHA = pq.sha256
		cu, cp := pq.col(qualUnitNames...), pq.col("population", "pop", "人口", "常住人口")
		if cu < 0 || cp < 0 {
			return &ingest.DataError{File: pq.name, Line: 1, Err: fmt.Errorf("want unit and population columns (header: %s)", strings.Join(pq.head, ", "))}
		}
		var errs qualErrs
		for i, r := range pq.recs {
			v, err := strconv.ParseFloat(strings.TrimSpace(r[cp]), 64)
			if err != nil || !(v >= 1) || math.IsInf(v, 0) {
				errs.add(pq.name, pq.lines[i], pq.head[cp], "not a population ≥ 1: %q", r[cp])
				continue
			}
			pop[strings.TrimSpace(r[cu])] = v
		}
		if err := errs.err(); err != nil {
			return err
		}
	}
	cUnit, cPeriod := q.col(qualUnitNames...), q.col(qualPeriodNames...)
	cResp := q.col("respondent", "id", "respondent_id", "受访者", "问卷编号")
	var errs qualErrs
	if cUnit < 0 {
		errs.add(q.name, 1, "", "no unit column (unit, city, 城市; header: %s)", strings.Join(q.head, ", "))
	}
	if cPeriod < 0 {
		errs.add(q.name, 1, "", "no period column (period, year, 年份; header: %s)", strings.Join(q.head, ", "))
	}
	var items []int
	for j := range q.head {
		if j != cUnit && j != cPeriod && j != cResp {
			items = append(items, j)
		}
	}
	if len(items) == 0 {
		errs.add(q.name, 1, "", "no item columns after unit and period")
	}
	if err := errs.err(); err != nil {
		return err
	}
	// Group answers by unit × period, in order of first appearance, then sorted.
	type cellKey struct{ unit, period string }
	answers := map[cellKey][][]float64{}
	lines := map[cellKey][]int{}
	for i, r := range q.recs {
		k := cellKey{strings.TrimSpace(r[cUnit]), strings.TrimSpace(r[cPeriod])}
		line := q.lines[i]
		if k.unit == "" {
			errs.add(q.name, line, q.head[cUnit], "empty unit")
			continue
		}
		if k.period == "" {
			errs.add(q.name, line, q.head[cPeriod], "empty period")
			continue
		}
		a := answers[k]
		if a == nil {
			a = make([][]float64, len(items))
		}
		for n, j := range items {
			s := strings.TrimSpace(r[j])
			v := math.NaN()
			if s != "" {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil || x != math.Trunc(x) || x < 1 || x > float64(*scale) {
					errs.add(q.name, line, q.head[j], "answer %q is not an integer 1…%d", s, *scale)
				} else {
					v = x
				}
			}
			a[n] = append(a[n], v)
		}
		answers[k] = a
		lines[k] = append(lines[k], line)
	}
	if err := errs.err(); err != nil {
		return err
	}
	keys := make([]cellKey, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].unit != keys[b].unit {
			return keys[a].unit < keys[b].unit
		}
		return keys[a].period < keys[b].period
	})
	type result struct {
		Unit      string   `json:"unit"`
		Period    string   `json:"period"`
		Indicator string   `json:"indicator"`
		Value     idxNum64 `json:"value"`
		N         int      `json:"n"`
		Mean      idxNum64 `json:"mean"`
		SD        idxNum64 `json:"sd"`
		MeanMOE   idxNum64 `json:"mean_moe"`
		Top       idxNum64 `json:"top_box"`
		TopMOE    idxNum64 `json:"top_box_moe"`
		TopLo     idxNum64 `json:"top_box_lo"`
		TopHi     idxNum64 `json:"top_box_hi"`
		FPC       idxNum64 `json:"fpc"`
		LowN      bool     `json:"low_n"`
		Quality   string   `json:"quality"`
		moe       float64
	}
	var results []result
	var warnings []string
	var missingPop []string
	for _, k := range keys {
		o := opt
		if *popFile != "" {
			p, ok := pop[k.unit]
			if !ok {
				missingPop = idxAddUnique(missingPop, k.unit)
			}
			o.Population = p
		}
		for n, j := range items {
			s, err := composite.Likert(answers[k][n], o)
			if errors.Is(err, composite.ErrAllMissing) {
				warnings = append(warnings, fmt.Sprintf("%s %s %s: no answers, no value", k.unit, k.period, q.head[j]))
				continue
			}
			if err != nil {
				return userErrorf("%s: unit %s, period %s, item %s: %v", q.name, k.unit, k.period, q.head[j], err)
			}
			r := result{Unit: k.unit, Period: k.period, Indicator: q.head[j], N: s.N, Mean: idxNum64(s.Mean), SD: idxNum64(s.SD), MeanMOE: idxNum64(s.MeanMOE),
				Top: idxNum64(s.Top), TopMOE: idxNum64(s.TopMOE), TopLo: idxNum64(s.TopLo), TopHi: idxNum64(s.TopHi), FPC: idxNum64(s.FPC), LowN: s.LowN,
				Quality: composite.SurveyExtrapolated.String()}
			r.Value, r.moe = r.Top, s.TopMOE
			if *value == "mean" {
				r.Value, r.moe = r.Mean, s.MeanMOE
			}
			if s.LowN {
				warnings = append(warnings, fmt.Sprintf("%s %s %s: n = %d below --min-n %d (margin of error ±%.3g)", k.unit, k.period, q.head[j], s.N, *minN, r.moe))
			}
			results = append(results, r)
		}
	}
	if len(missingPop) > 0 {
		return userErrorf("%s: no population for units %s", *popFile, strings.Join(missingPop, ", "))
	}
	if *valuesOut != "" {
		rows := [][]string{{"unit", "period", "indicator", "value", "quality", "n", "moe"}}
		for _, r := range results {
			rows = append(rows, []string{r.Unit, r.Period, r.Indicator, idxNum(float64(r.Value), 6), r.Quality, strconv.Itoa(r.N), idxNum(r.moe, 6)})
		}
		if err := qualWriteOut(*valuesOut, rows); err != nil {
			return err
		}
	}
	if *qualityOut != "" {
		rows := [][]string{{"unit", "period", "indicator", "quality"}}
		for _, r := range results {
			rows = append(rows, []string{r.Unit, r.Period, r.Indicator, r.Quality})
		}
		if err := qualWriteOut(*qualityOut, rows); err != nil {
			return err
		}
	}
	prov := qualProv(q, fs)
	if popSHA != "" {
		prov.Options["population_sha256"] = popSHA
	}
	if *format == "json" {
		return writeJSON(env.Stdout, struct {
			Provenance qualProvenance `json:"provenance"`
			Value      string         `json:"value"`
			Warnings   []string       `json:"warnings,omitempty"`
			Results    []result       `json:"results"`
		}{prov, *value, warnings, results})
	}
	if *format == "table" {
		fmt.Fprintf(env.Stdout, "survey %s (sha256 %s): %d-point scale, top-%d box, %g%% %s margins%s; values are %s, quality %s\n\n",
			q.name, q.sha256[:12], *scale, *topBox, 100**conf, *interval, map[bool]string{true: " with finite-population correction", false: ""}[*popFile != ""], *value, composite.SurveyExtrapolated)
	}
	rows := [][]string{{"unit", "period", "indicator", "value", "n", "mean", "mean_moe", "top_box", "top_lo", "top_hi", "low_n"}}
	for _, r := range results {
		rows = append(rows, []string{r.Unit, r.Period, r.Indicator, idxNum(float64(r.Value), 4), strconv.Itoa(r.N), idxNum(float64(r.Mean), 3), idxNum(float64(r.MeanMOE), 3),
			idxNum(float64(r.Top), 3), idxNum(float64(r.TopLo), 3), idxNum(float64(r.TopHi), 3), strconv.FormatBool(r.LowN)})
	}
	if err := writeRows(env.Stdout, *format, rows); err != nil {
		return err
	}
	if *format == "table" {
		for _, w := range warnings {
			fmt.Fprintln(env.Stdout, "warning:", w)
		}
	} else {
		for _, w := range warnings {
			env.Logf("warning: %s", w)
		}
	}
	return nil
}

// ---------------------------------------------------------------- into the index

// idxApplyValues sets the cells named in a long CSV (unit, period,
// indicator, value[, quality]), as `survey` and `delphi --values-out`
// write, in the loaded panel: a survey's satisfaction indicator for the
// cities surveyed. Unknown units or periods are data errors; a new
// indicator is added. It returns a function that marks the cells' quality
// codes (the quality column, or survey-extrapolated when there is none, as
// the file holds qualitative results) on the composite data built later.
func idxApplyValues(r *idxRun, name string) (func(d *composite.Data), error) {
	q, err := qualRead(name)
	if err != nil {
		return nil, err
	}
	cu, cp := q.col(qualUnitNames...), q.col(qualPeriodNames...)
	ci, cv, cq := q.col("indicator", "item", "指标"), q.col("value", "值", "数值"), q.col("quality", "质量")
	var errs qualErrs
	if cu < 0 || cp < 0 || ci < 0 || cv < 0 {
		errs.add(q.name, 1, "", "want unit, period, indicator and value columns (header: %s)", strings.Join(q.head, ", "))
		return nil, errs.err()
	}
	p := r.p
	type cell struct {
		ind string
		row int
		q   composite.Quality
	}
	var cells []cell
	vals := map[string][]float64{}
	for i, rec := range q.recs {
		line := q.lines[i]
		u, ok := p.UnitIndex(strings.TrimSpace(rec[cu]))
		if !ok {
			errs.add(q.name, line, q.head[cu], "unit %q is not in the data", rec[cu])
			continue
		}
		per, err := panel.ParsePeriod(strings.TrimSpace(rec[cp]))
		t, ok := p.PeriodIndex(per)
		if err != nil || !ok {
			errs.add(q.name, line, q.head[cp], "period %q is not in the data", rec[cp])
			continue
		}
		ind := strings.TrimSpace(rec[ci])
		if ind == "" {
			errs.add(q.name, line, q.head[ci], "empty indicator")
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[cv]), 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			errs.add(q.name, line, q.head[cv], "not a number: %q", rec[cv])
			continue
		}
		qc := composite.SurveyExtrapolated
		if cq >= 0 {
			if qc, err = composite.ParseQuality(rec[cq]); err != nil {
				errs.add(q.name, line, q.head[cq], "%v", err)
				continue
			}
		}
		if vals[ind] == nil {
			if p.Has(ind) {
				vals[ind] = p.Col(ind)
			} else {
				vals[ind] = p.Add(ind)
			}
		}
		row := u*p.NPeriods() + t
		vals[ind][row] = v
		cells = append(cells, cell{ind, row, qc})
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	r.notes = append(r.notes, fmt.Sprintf("%d values from %s (qualitative inputs) set in the data", len(cells), name))
	return func(d *composite.Data) {
		for _, c := range cells {
			if d.Quality[c.ind] == nil {
				d.Quality[c.ind] = make([]composite.Quality, p.Rows())
			}
			d.Quality[c.ind][c.row] = c.q
		}
	}, nil
}

// idxApplyDelphi sets the expert weight of every framework node a Delphi
// file scores (items are node codes) to its final-round mean score, which
// the expert and combined weightings rescale within each parent. The
// consultation's outcome goes into the notes.
func idxApplyDelphi(r *idxRun, name string) error {
	uses := r.opt.Weighting == composite.WeightExpert || r.opt.Weighting == composite.WeightCombined
	for _, m := range r.opt.WeightingAt {
		uses = uses || m == composite.WeightExpert || m == composite.WeightCombined
	}
	if !uses {
		return userErrorf("--delphi sets expert weights: use it with --method expert or combined (globally or at a node)")
	}
	q, err := qualRead(name)
	if err != nil {
		return err
	}
	dc := q.delphiCols()
	var errs qualErrs
	if dc.round < 0 || dc.expert < 0 || dc.item < 0 || dc.score < 0 {
		errs.add(q.name, 1, "", "want round, expert, item and score columns (header: %s)", strings.Join(q.head, ", "))
		return errs.err()
	}
	nodes := map[string]*composite.Node{}
	var walk func(n *composite.Node)
	walk = func(n *composite.Node) {
		nodes[n.Code] = n
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(r.root)
	recs := make([]composite.ExpertScore, 0, len(q.recs))
	for i := range q.recs {
		es := q.delphiScore(i, dc, &errs)
		if _, ok := nodes[es.Item]; !ok {
			errs.add(q.name, q.lines[i], q.head[dc.item], "%q is not a node of framework %s", es.Item, r.fw.Code)
		}
		recs = append(recs, es)
	}
	if err := errs.err(); err != nil {
		return err
	}
	res, err := composite.Delphi(recs, composite.DelphiOptions{})
	if err != nil {
		var re *composite.RecordError
		if errors.As(err, &re) {
			errs.add(q.name, q.lines[re.Index], "", "%v", re.Err)
			return errs.err()
		}
		return userErrorf("%s: %v", q.name, err)
	}
	for _, st := range res.Final() {
		if st.N == 0 || st.Mean < 0 {
			return userErrorf("%s: node %s: no usable final-round score", q.name, st.Item)
		}
		n := nodes[st.Item]
		n.Weight, n.HasWeight = st.Mean, true
	}
	last := res.Rounds[len(res.Rounds)-1]
	state := fmt.Sprintf("stop rule (either: W ≥ 0.5 significant and stable, or every CV ≤ 0.25) met in round %d", res.StopRound)
	if res.StopRound == 0 {
		state = "stop rule not met: consensus not established"
	}
	r.notes = append(r.notes, fmt.Sprintf("expert weights of %d nodes from Delphi %s: final round %d, Kendall's W %.3f (p %.3g), %s",
		len(res.Items), name, last.Round, last.Concordance.W, last.Concordance.P, state))
	return nil
}
