package cli

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/ingest"
)

func init() {
	register(&command{
		name:    "synth",
		summary: "synthetic control (ADH) and synthetic difference-in-differences for case cities",
		run:     runSynth,
	})
}

const synthUsage = `synth (--data FILE.csv | --dataset NAME[@VERSION] [--db FILE]) --unit COL --time COL --outcome COL
      (--treat COL | --treated NAME[,NAME…] --start PERIOD) [flags]

Counterfactuals for treated units from a weighted average of control units, on a
balanced panel where the treated units adopt together (a 0/1 --treat column, or
--treated units from period --start on).

Methods (--method):
  sdid  synthetic difference-in-differences (Arkhangelsky et al. 2021), as R synthdid:
        unit weights with intercept and ridge penalty, time weights (default)
  sc    synthetic control in synthdid's form (sc_estimate): no intercept, no time weights
  did   difference-in-differences (uniform weights), as synthdid's did_estimate
        sdid/sc/did with --covariates COL,…: time-varying covariates X, their
        coefficients β estimated jointly with the weights as synthdid_estimate(X = …)
        does (gradient steps on β alternating with Frank–Wolfe steps on the weights);
        the estimate is on Y − Xβ. Covariates must be complete and vary across units
        and over time; scale them to the magnitude of the outcome's changes, as
        synthdid's step on β is not scale-invariant (a diverging fit is an error).
  adh   classic synthetic control (Abadie, Diamond & Hainmueller 2010): predictor
        weights V chosen to minimise the pre-period outcome MSPE; one treated unit.
        Predictors: --covariates (each averaged over the pre-periods, or COL@FROM-TO),
        --lags (outcome in those periods); neither: the outcome in every pre-period.

Robustness: --leave-one-out (adh) refits the synthetic control without each donor
that has a positive weight, in turn (Abadie, Diamond & Hainmueller 2015), and prints
each refit's estimate, weights and trajectory. --in-time K also estimates an in-time
placebo: treatment backdated K periods, on the pre-treatment periods only; its effect
should be near zero (for adh, predictor windows must then lie before the placebo
start).

Inference: sdid/sc/did report the jackknife SE where synthdid defines it (several
treated units), otherwise the placebo SE (--reps permutations of the controls,
--seed). --se chooses: jackknife (weights fixed; β refitted with covariates),
placebo (--placebo is the same), or bootstrap (--reps draws of units with
replacement, draws without a treated or control unit redrawn, weights
re-optimised; several treated units). Draws are seeded per replication, so results
do not depend on the number of cores. adh with --placebo runs every control as a
placebo and reports post/pre RMSPE ratios and the permutation p-value.

Staggered adoption (sdid/sc/did): when the --treat column switches on in several
periods (treated units adopting in waves, like the 2012, 2013 and 2015 smart-city
pilot batches), or with --staggered, each adoption cohort is estimated against the
never-treated units over all periods (pre = before its adoption) exactly as the
block estimator above, and the overall ATT weights cohort a by N_a·T_a (its
treated units × periods from adoption on), as Stata sdid (Clarke, Pailañir, Athey
& Imbens 2023). SEs as Stata sdid: jackknife (default; at least 2 treated units per
cohort), bootstrap (units resampled, noise level and ζ recomputed per draw) or
placebo (never-treated units given the treated units' adoption periods). Needs
never-treated units; treatment must not switch off or start in the first period.

--data reads a wide CSV (header row; ',' or ';' separated). --dataset reads the
yearly panel of a stored dataset (columns unit, year, and a 0/1 column per policy).

Output: --format json prints {"method","estimate","se","se_method","weights":{donor:w},
"time_weights":{period:λ},"trajectory":[{"time","treated","synthetic"}],...}, with
"leave_one_out":[{"dropped","estimate","weights","trajectory",...}] and "in_time":{"k","start",
"actual_start","estimate",...} when asked, and "covariates", "beta":{covariate: β} and
"iterations" with sdid/sc/did covariates; table and csv print the same as rows.
Staggered: {"method","staggered":true,"estimate","se","se_method","jackknife_se",
"placebo_se","bootstrap_se","controls":[…],"cohorts":[{"adoption","units","n_treated",
"post_periods","weight","estimate","se","weights":{control:ω},"time_weights":{period:λ},…}],
"notes":[…]}.`

const synthExample = `cityimpact synth --data california_prop99.csv --unit State --time Year --outcome PacksPerCapita --treat treated --method sdid --format json
  cityimpact synth --data cities.csv --unit city --time year --outcome patents_per_10k --treated Hangzhou,Ningbo,Wuxi --start 2013 --method sdid --covariates fdi_share,log_pop --se bootstrap --reps 200 --seed 7
  cityimpact synth --data smoking.csv --unit state --time year --outcome cigsale --treated California --start 1989 --method adh --covariates lnincome@1980-1988,retprice@1980-1988,age15to24@1980-1988,beer@1984-1988 --lags 1975,1980,1988 --placebo
  cityimpact synth --data smoking.csv --unit state --time year --outcome cigsale --treated California --start 1989 --method adh --leave-one-out --in-time 5`

func runSynth(env *Env, args []string) error {
	fs := newFlags(env, "synth", synthUsage, synthExample)
	data := fs.String("data", "", "wide CSV `file` (header row; ',' or ';' delimited)")
	dataset := fs.String("dataset", "", "stored dataset NAME[@VERSION] instead of --data")
	db := fs.String("db", "", "store file for --dataset (default $CITYIMPACT_DB or "+DefaultDB+")")
	unit := fs.String("unit", "", "unit identifier `column`")
	tcol := fs.String("time", "", "period `column` (integers)")
	outcome := fs.String("outcome", "", "outcome `column`")
	treat := fs.String("treat", "", "0/1 treatment `column`")
	treated := fs.String("treated", "", "treated unit `names`, comma-separated (instead of --treat; needs --start)")
	start := fs.Int("start", math.MinInt, "first treated `period` for --treated")
	method := fs.String("method", "sdid", "sdid, sc, did or adh")
	covs := fs.String("covariates", "", "sdid/sc/did: time-varying covariate `columns`, comma-separated; adh: predictors averaged over the pre-periods, or COL@FROM-TO")
	lags := fs.String("lags", "", "adh predictors: outcome in these `periods`, comma-separated")
	placebo := fs.Bool("placebo", false, "sdid/sc/did: placebo SE (as --se placebo); adh: in-space placebos and p-value")
	seKind := fs.String("se", "", "sdid/sc/did standard error: jackknife, placebo or bootstrap (default jackknife, or placebo with one treated unit)")
	reps := fs.Int("reps", 200, "replications of the placebo or bootstrap SE")
	seed := fs.Uint64("seed", 1, "seed of the placebo permutations and bootstrap draws (printed in the output)")
	loo := fs.Bool("leave-one-out", false, "adh: also refit without each donor of positive weight")
	inTime := fs.Int("in-time", 0, "also estimate an in-time placebo with treatment backdated `K` periods (0: none)")
	staggered := fs.Bool("staggered", false, "sdid/sc/did: staggered adoption, one estimate per adoption cohort against the never-treated units, aggregated (automatic when the --treat column shows several adoption periods)")
	dropIncomplete := fs.Bool("drop-incomplete", false, "leave out control units with a missing outcome (listed in the output) instead of failing")
	format := fs.String("format", "table", "output: table, json or csv")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return userErrorf("unexpected argument %q (see --help)", rest[0])
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	if (*data == "") == (*dataset == "") {
		return userErrorf("give exactly one of --data FILE.csv and --dataset NAME")
	}
	for _, req := range []struct{ name, v string }{{"unit", *unit}, {"time", *tcol}, {"outcome", *outcome}} {
		if req.v == "" {
			return userErrorf("--%s is required", req.name)
		}
	}
	if (*treat == "") == (*treated == "") {
		return userErrorf("give exactly one of --treat COL and --treated NAME --start PERIOD")
	}
	if *treated != "" && *start == math.MinInt {
		return userErrorf("--treated needs --start PERIOD (the first treated period)")
	}
	var m econ.SDIDMethod
	switch *method {
	case "sdid":
		m = econ.SDIDSynth
	case "sc":
		m = econ.SDIDSC
	case "did":
		m = econ.SDIDDID
	case "adh":
	default:
		return userErrorf("--method: unknown method %q (want sdid, sc, did or adh)", *method)
	}
	if *method != "adh" && *lags != "" {
		return userErrorf("--lags are predictors of --method adh (got --method %s)", *method)
	}
	switch *seKind {
	case "", "jackknife", "bootstrap", "placebo":
	default:
		return userErrorf("--se: unknown standard error %q (want jackknife, placebo or bootstrap)", *seKind)
	}
	if *seKind != "" && *method == "adh" {
		return userErrorf("--se chooses the standard error of sdid, sc and did (adh: --placebo for in-space placebos)")
	}
	if *placebo && *seKind != "" && *seKind != "placebo" {
		return userErrorf("--placebo asks for the placebo SE but --se is %s", *seKind)
	}
	if *placebo && *method != "adh" {
		*seKind = "placebo"
	}
	if *loo && *method != "adh" {
		return userErrorf("--leave-one-out refits the donors of --method adh (got --method %s)", *method)
	}
	if *inTime < 0 {
		return userErrorf("--in-time %d: want the number of periods to backdate treatment by, at least 1", *inTime)
	}
	if *reps < 2 {
		return userErrorf("--reps %d: want at least 2 placebo replications", *reps)
	}
	var preds []econ.SynthPredictor
	var sdidCovs []string
	if *method == "adh" {
		preds, err = synthPredictors(*covs, *lags)
	} else {
		sdidCovs, err = sdidCovariates(*covs)
	}
	if err != nil {
		return err
	}
	var frame *econ.Frame
	src, lines := *data, true
	if *data != "" {
		frame, err = readWideCSV(*data)
	} else {
		src, lines = "dataset "+*dataset, false
		frame, err = (&estimateFlags{dataset: *dataset, db: *db}).load(env)
	}
	if err != nil {
		return err
	}
	var covNames []string
	for _, p := range preds {
		if p.Var != "" && !slices.Contains(covNames, p.Var) {
			covNames = append(covNames, p.Var)
		}
	}
	covNames = append(covNames, sdidCovs...)
	d, err := synthColumns(frame, src, lines, *unit, *tcol, *outcome, *treat, *treated, *start, covNames)
	if err != nil {
		return err
	}
	var dropped []string
	if *dropIncomplete {
		d, dropped = synthDropIncomplete(d)
	}
	if *method != "adh" && (*staggered || synthAdoptions(d) > 1) {
		if *inTime > 0 {
			return userErrorf("--in-time is not available for staggered adoption (several adoption periods)")
		}
		opts := econ.SDIDOptions{Method: m, Seed: *seed, Covariates: sdidCovs}
		out, err := staggeredEstimate(d, *outcome, opts, *seKind, *reps)
		if err != nil {
			return synthPanelError(err, src, lines, d)
		}
		if *dropIncomplete {
			out.json.(map[string]any)["dropped"] = append([]string{}, dropped...)
			for _, u := range dropped {
				out.rows = append(out.rows, []string{"dropped", u, "missing outcome"})
			}
		}
		return synthWrite(env, *format, out)
	}
	p, err := econ.NewSynthPanel(d, *outcome)
	if err != nil {
		return synthPanelError(err, src, lines, d)
	}
	estimate := func(p *econ.SynthPanel, leaveOneOut bool) (synthOut, error) {
		if *method == "adh" {
			ps := slices.Clone(preds)
			for i := range ps {
				if ps[i].From == math.MinInt { // whole pre-period
					ps[i].From, ps[i].To = p.Times[0], p.Times[p.T0-1]
				}
			}
			opts := econ.SynthOptions{Placebos: *placebo, LeaveOneOut: leaveOneOut}
			if len(ps) > 0 {
				opts.Predictors = ps
			}
			r, err := econ.SynthControl(p, opts)
			if err != nil {
				return synthOut{}, err
			}
			return adhOut(r), nil
		}
		opts := econ.SDIDOptions{Method: m, Seed: *seed, Covariates: sdidCovs}
		kind := *seKind
		switch kind {
		case "placebo":
			opts.Placebo = *reps
		case "bootstrap":
			opts.Bootstrap = *reps
		case "":
			if p.N()-p.N0 == 1 && p.N0 > 1 {
				opts.Placebo = *reps
			}
		}
		r, err := econ.SyntheticDID(p, opts)
		if err != nil {
			return synthOut{}, err
		}
		if kind == "jackknife" && math.IsNaN(r.JackknifeSE) {
			return synthOut{}, errors.New("--se jackknife: not defined with one treated unit or a single control of positive weight (synthdid returns NA); use --se placebo")
		}
		return sdidOut(p, r, kind), nil
	}
	out, err := estimate(p, *loo)
	if err != nil {
		return synthPanelError(err, src, lines, d)
	}
	if *inTime > 0 {
		q, err := p.Backdate(*inTime)
		if err != nil {
			return &UserError{fmt.Errorf("--in-time %d: %w", *inTime, err)}
		}
		pl, err := estimate(q, false)
		if err != nil {
			return &UserError{fmt.Errorf("--in-time %d (placebo start %d): %w", *inTime, q.Times[q.T0], err)}
		}
		if m, ok := out.json.(map[string]any); ok {
			pj := pl.json.(map[string]any)
			pj["k"] = *inTime
			pj["actual_start"] = p.Times[p.T0]
			m["in_time"] = pj
		}
		out.rows = append(out.rows, []string{"in_time_k", "", strconv.Itoa(*inTime)})
		for _, r := range pl.rows {
			if r[0] == "method" {
				continue
			}
			out.rows = append(out.rows, []string{"in_time_" + r[0], r[1], r[2]})
		}
	}
	if *dropIncomplete {
		if m, ok := out.json.(map[string]any); ok {
			m["dropped"] = append([]string{}, dropped...)
		}
		for _, u := range dropped {
			out.rows = append(out.rows, []string{"dropped", u, "missing outcome"})
		}
	}
	return synthWrite(env, *format, out)
}

// synthWrite prints out in the --format asked for.
func synthWrite(env *Env, format string, out synthOut) error {
	var buf bytes.Buffer
	var err error
	switch format {
	case "json":
		err = writeJSON(&buf, out.json)
	case "csv":
		err = writeCSV(&buf, []string{"section", "label", "value"}, out.rows)
	default:
		err = writeTable(&buf, []string{"section", "label", "value"}, out.rows)
	}
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(buf.Bytes())
	return err
}

// sdidCovariates parses --covariates for sdid, sc and did: column names,
// comma-separated, each once, without the adh windows.
func sdidCovariates(covs string) ([]string, error) {
	var out []string
	for _, c := range strings.Split(covs, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if strings.Contains(c, "@") {
			return nil, userErrorf("--covariates %q: synthetic DID adjusts for a covariate in every period; COL@FROM-TO windows are adh predictors", c)
		}
		if slices.Contains(out, c) {
			return nil, userErrorf("--covariates: %q listed twice", c)
		}
		out = append(out, c)
	}
	return out, nil
}

// synthPredictors parses --covariates (COL or COL@FROM-TO) and --lags.
// A predictor without a window gets From = math.MinInt: the whole
// pre-period, filled in once the panel is known.
func synthPredictors(covs, lags string) ([]econ.SynthPredictor, error) {
	var out []econ.SynthPredictor
	for _, c := range strings.Split(covs, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		name, win, ok := strings.Cut(c, "@")
		sp := econ.SynthPredictor{Var: name, From: math.MinInt}
		if ok {
			a, b, _ := strings.Cut(win, "-")
			from, err1 := strconv.Atoi(strings.TrimSpace(a))
			to, err2 := strconv.Atoi(strings.TrimSpace(b))
			if b == "" {
				to, err2 = from, err1
			}
			if err1 != nil || err2 != nil || to < from {
				return nil, userErrorf("--covariates %q: want COL or COL@FROM-TO with integer periods FROM ≤ TO", c)
			}
			sp.From, sp.To = from, to
		}
		out = append(out, sp)
	}
	for _, l := range strings.Split(lags, ",") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		t, err := strconv.Atoi(l)
		if err != nil {
			return nil, userErrorf("--lags %q: want integer periods, comma-separated", l)
		}
		out = append(out, econ.SynthPredictor{From: t, To: t})
	}
	return out, nil
}

// synthColumns pulls the panel columns out of a frame, collecting every
// problem with its line (CSV line = row + 2).
func synthColumns(f *econ.Frame, path string, lines bool, unit, tcol, outcome, treat, treated string, start int, covs []string) (econ.SynthData, error) {
	d := econ.SynthData{TreatName: treat}
	if treat == "" {
		d.TreatName = "--treated"
	}
	var problems []error
	n := f.Len()
	add := func(line int, col string, err error) {
		if !lines {
			line = 0
		}
		if len(problems) < estMaxCSVErrors {
			problems = append(problems, &ingest.DataError{File: path, Line: line, Column: col, Err: err})
		}
	}
	num := func(name string) []float64 {
		x, ok := f.Float(name)
		if !ok {
			if _, isFactor := f.Factor(name); isFactor {
				add(1, name, errors.New("not numeric"))
			} else {
				add(1, name, errors.New("no such column"))
			}
		}
		return x
	}
	if x := num(tcol); x != nil {
		d.Time = make([]int, n)
		for i, v := range x {
			if math.IsNaN(v) || v != math.Trunc(v) || math.Abs(v) > 1e9 {
				add(i+2, tcol, fmt.Errorf("want an integer period, got %v", v))
				continue
			}
			d.Time[i] = int(v)
		}
	}
	d.Outcome = num(outcome)
	if x, ok := f.Float(unit); ok {
		d.Unit = make([]string, n)
		for i, v := range x {
			if math.IsNaN(v) {
				add(i+2, unit, errors.New("missing unit"))
			}
			d.Unit[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	} else if fc, ok := f.Factor(unit); ok {
		d.Unit = make([]string, n)
		for i, c := range fc.Codes {
			if c < 0 {
				add(i+2, unit, errors.New("missing unit"))
				continue
			}
			d.Unit[i] = fc.Levels[c]
		}
	} else {
		add(1, unit, errors.New("no such column"))
	}
	if treat != "" {
		if x := num(treat); x != nil {
			for i, v := range x {
				if v != 0 && v != 1 {
					add(i+2, treat, fmt.Errorf("treatment %v is not 0 or 1", v))
				}
			}
			d.Treat = x
		}
	} else if d.Unit != nil && d.Time != nil {
		names := strings.Split(treated, ",")
		for i := range names {
			names[i] = strings.TrimSpace(names[i])
		}
		seen := map[string]bool{}
		d.Treat = make([]float64, n)
		for i := range n {
			if slices.Contains(names, d.Unit[i]) {
				seen[d.Unit[i]] = true
				if d.Time[i] >= start {
					d.Treat[i] = 1
				}
			}
		}
		for _, nm := range names {
			if !seen[nm] {
				add(0, unit, fmt.Errorf("--treated unit %q not found", nm))
			}
		}
	}
	if len(covs) > 0 {
		d.Covariates = map[string][]float64{}
		for _, c := range covs {
			if x := num(c); x != nil {
				d.Covariates[c] = x
			}
		}
	}
	if len(problems) > 0 {
		return d, &UserError{errors.Join(problems...)}
	}
	return d, nil
}

// synthDropIncomplete leaves out the never-treated units with a missing
// (NaN) outcome and returns their labels, sorted.
func synthDropIncomplete(d econ.SynthData) (econ.SynthData, []string) {
	bad := map[string]bool{}
	treated := map[string]bool{}
	for i, u := range d.Unit {
		if math.IsNaN(d.Outcome[i]) {
			bad[u] = true
		}
		if d.Treat[i] == 1 {
			treated[u] = true
		}
	}
	var dropped []string
	for u := range bad {
		if !treated[u] {
			dropped = append(dropped, u)
		}
	}
	if len(dropped) == 0 {
		return d, nil
	}
	slices.Sort(dropped)
	out := econ.SynthData{TreatName: d.TreatName}
	if d.Covariates != nil {
		out.Covariates = map[string][]float64{}
	}
	for i, u := range d.Unit {
		if bad[u] && !treated[u] {
			continue
		}
		out.Unit = append(out.Unit, u)
		out.Time = append(out.Time, d.Time[i])
		out.Outcome = append(out.Outcome, d.Outcome[i])
		out.Treat = append(out.Treat, d.Treat[i])
		for c, x := range d.Covariates {
			out.Covariates[c] = append(out.Covariates[c], x[i])
		}
	}
	return out, dropped
}

// synthPanelError turns the cell problems of a *econ.SynthError into
// DataErrors naming the file line of the cell (CSV line = row + 2, when
// lines); other errors pass through as user errors.
func synthPanelError(err error, path string, lines bool, d econ.SynthData) error {
	var se *econ.SynthError
	if !errors.As(err, &se) {
		return &UserError{err}
	}
	line := map[string]int{}
	for i := range d.Unit {
		k := d.Unit[i] + "\x00" + strconv.Itoa(d.Time[i])
		if _, dup := line[k]; !dup {
			line[k] = i + 2
		}
	}
	var out []error
	for _, is := range se.Issues {
		msg := is.Msg
		ln := 0
		if is.Unit != "" && is.Time != "" {
			if lines {
				ln = line[is.Unit+"\x00"+is.Time]
			}
			msg = fmt.Sprintf("unit %q, %s: %s", is.Unit, is.Time, is.Msg)
			if strings.HasPrefix(is.Msg, "duplicated") && lines {
				msg += " (first at line " + strconv.Itoa(ln) + ")"
				ln = 0
			}
		} else if is.Unit != "" {
			msg = fmt.Sprintf("unit %q: %s", is.Unit, is.Msg)
		}
		out = append(out, &ingest.DataError{File: path, Line: ln, Column: is.Column, Err: errors.New(msg)})
	}
	if se.More > 0 {
		out = append(out, fmt.Errorf("and %d more problems", se.More))
	}
	if _, incomplete := synthDropIncomplete(d); len(incomplete) > 0 {
		list := strings.Join(incomplete[:min(len(incomplete), 10)], ", ")
		if len(incomplete) > 10 {
			list += fmt.Sprintf(" and %d more", len(incomplete)-10)
		}
		units := "control units have"
		if len(incomplete) == 1 {
			units = "control unit has"
		}
		out = append(out, fmt.Errorf("%d %s missing outcomes (%s): --drop-incomplete leaves them out of the donor pool", len(incomplete), units, list))
	}
	return &UserError{errors.Join(out...)}
}

// synthOut is a result ready to print: the JSON value and the rows of the
// table and CSV forms (section, label, value).
type synthOut struct {
	json any
	rows [][]string
}

type synthPoint struct {
	Time      int    `json:"time"`
	Treated   estNum `json:"treated"`
	Synthetic estNum `json:"synthetic"`
}

func synthNum(v float64) string {
	if math.IsNaN(v) {
		return "NA"
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// sdidOut prints a synthetic DID result; kind is the --se asked for ("":
// the jackknife, or the placebo SE where the jackknife is not defined).
func sdidOut(p *econ.SynthPanel, r *econ.SDIDResult, kind string) synthOut {
	se, seMethod := r.JackknifeSE, "jackknife"
	switch {
	case kind == "bootstrap":
		se, seMethod = r.BootstrapSE, "bootstrap"
	case kind == "placebo" || (kind == "" && math.IsNaN(se)):
		se, seMethod = r.PlaceboSE, "placebo"
	}
	if math.IsNaN(se) {
		seMethod = "none"
	}
	weights := map[string]estNum{}
	for i, w := range r.Omega {
		weights[p.Units[i]] = estNum(w)
	}
	tw := map[string]estNum{}
	for t, l := range r.Lambda {
		tw[strconv.Itoa(p.Times[t])] = estNum(l)
	}
	traj := make([]synthPoint, len(p.Times))
	for t := range p.Times {
		traj[t] = synthPoint{p.Times[t], estNum(r.Plot.Treated[t]), estNum(r.Plot.Synthetic[t])}
	}
	effect := map[string]estNum{}
	for k, e := range r.Plot.Effect {
		effect[strconv.Itoa(p.Times[p.T0+k])] = estNum(e)
	}
	var treated []string
	for _, u := range p.Units[p.N0:] {
		treated = append(treated, u)
	}
	js := map[string]any{
		"method": r.Method.String(), "estimate": estNum(r.Estimate), "se": estNum(se), "se_method": seMethod,
		"jackknife_se": estNum(r.JackknifeSE), "placebo_se": estNum(r.PlaceboSE),
		"weights": weights, "time_weights": tw, "trajectory": traj, "intercept": estNum(r.Plot.Offset),
		"effect": effect, "treated": treated, "start": p.Times[p.T0],
		"noise_level": estNum(r.NoiseLevel), "zeta_omega": estNum(r.ZetaOmega), "zeta_lambda": estNum(r.ZetaLambda),
	}
	if r.Placebos != nil {
		js["seed"] = r.Seed
		js["placebo_reps"] = len(r.Placebos)
	}
	if r.Bootstraps != nil {
		js["seed"] = r.Seed
		js["bootstrap_se"] = estNum(r.BootstrapSE)
		js["bootstrap_reps"] = len(r.Bootstraps)
	}
	rows := [][]string{
		{"method", "", r.Method.String()},
		{"estimate", "", synthNum(r.Estimate)},
		{"se", seMethod, synthNum(se)},
	}
	if r.Placebos != nil || r.Bootstraps != nil {
		rows = append(rows, []string{"seed", "", strconv.FormatUint(r.Seed, 10)})
	}
	if r.Covariates != nil {
		beta := map[string]estNum{}
		for k, c := range r.Covariates {
			beta[c] = estNum(r.Beta[k])
			rows = append(rows, []string{"beta", c, synthNum(r.Beta[k])})
		}
		js["covariates"] = r.Covariates
		js["beta"] = beta
		js["iterations"] = r.Iterations
		rows = append(rows, []string{"iterations", "", strconv.Itoa(r.Iterations)})
	}
	for i, w := range r.Omega {
		if w != 0 {
			rows = append(rows, []string{"unit_weight", p.Units[i], synthNum(w)})
		}
	}
	for t, l := range r.Lambda {
		if l != 0 {
			rows = append(rows, []string{"time_weight", strconv.Itoa(p.Times[t]), synthNum(l)})
		}
	}
	for t := range p.Times {
		rows = append(rows, []string{"treated", strconv.Itoa(p.Times[t]), synthNum(r.Plot.Treated[t])},
			[]string{"synthetic", strconv.Itoa(p.Times[t]), synthNum(r.Plot.Synthetic[t])})
	}
	return synthOut{js, rows}
}

func adhOut(r *econ.SynthResult) synthOut {
	weights := map[string]estNum{}
	for j, w := range r.W {
		weights[r.Donors[j]] = estNum(w)
	}
	type pred struct {
		Name      string `json:"name"`
		V         estNum `json:"v"`
		Treated   estNum `json:"treated"`
		Synthetic estNum `json:"synthetic"`
		DonorMean estNum `json:"donor_mean"`
	}
	preds := make([]pred, len(r.Predictors))
	for k := range preds {
		preds[k] = pred{r.Predictors[k], estNum(r.V[k]), estNum(r.X1[k]), estNum(r.X0W[k]), estNum(r.DonorMean[k])}
	}
	traj := make([]synthPoint, len(r.Times))
	for t := range r.Times {
		traj[t] = synthPoint{r.Times[t], estNum(r.Treated[t]), estNum(r.Synthetic[t])}
	}
	type plac struct {
		Unit      string `json:"unit"`
		Treated   bool   `json:"treated"`
		PreRMSPE  estNum `json:"pre_rmspe"`
		PostRMSPE estNum `json:"post_rmspe"`
		Ratio     estNum `json:"ratio"`
		Rank      int    `json:"rank"`
	}
	js := map[string]any{
		"method": "adh", "treated": r.Unit, "start": r.Times[r.T0], "estimate": estNum(r.Estimate), "se": nil,
		"weights": weights, "predictors": preds, "trajectory": traj,
		"pre_rmspe": estNum(r.PreRMSPE), "post_rmspe": estNum(r.PostRMSPE), "ratio": estNum(r.Ratio),
		"loss_v": estNum(r.LossV), "loss_w": estNum(r.LossW),
	}
	rows := [][]string{
		{"method", "", "adh"},
		{"estimate", "", synthNum(r.Estimate)},
		{"pre_rmspe", "", synthNum(r.PreRMSPE)},
		{"post_rmspe", "", synthNum(r.PostRMSPE)},
		{"ratio", "", synthNum(r.Ratio)},
	}
	if r.Placebos != nil {
		ps := make([]plac, len(r.Placebos))
		for i, pl := range r.Placebos {
			ps[i] = plac{pl.Unit, pl.Treated, estNum(pl.PreRMSPE), estNum(pl.PostRMSPE), estNum(pl.Ratio), pl.Rank}
		}
		js["placebos"] = ps
		js["rank"] = r.Rank
		js["p_value"] = estNum(r.PValue)
		rows = append(rows, []string{"rank", "", strconv.Itoa(r.Rank)}, []string{"p_value", "", synthNum(r.PValue)})
	}
	for j, w := range r.W {
		if w != 0 {
			rows = append(rows, []string{"unit_weight", r.Donors[j], synthNum(w)})
		}
	}
	for k, name := range r.Predictors {
		rows = append(rows, []string{"v", name, synthNum(r.V[k])},
			[]string{"predictor_treated", name, synthNum(r.X1[k])},
			[]string{"predictor_synthetic", name, synthNum(r.X0W[k])})
	}
	for t := range r.Times {
		rows = append(rows, []string{"treated", strconv.Itoa(r.Times[t]), synthNum(r.Treated[t])},
			[]string{"synthetic", strconv.Itoa(r.Times[t]), synthNum(r.Synthetic[t])})
	}
	for _, pl := range r.Placebos {
		rows = append(rows, []string{"placebo_ratio", pl.Unit, synthNum(pl.Ratio)})
	}
	if r.LeaveOneOut != nil {
		type traj struct {
			Time      int    `json:"time"`
			Synthetic estNum `json:"synthetic"`
		}
		type loo struct {
			Dropped   string            `json:"dropped"`
			Estimate  estNum            `json:"estimate"`
			PreRMSPE  estNum            `json:"pre_rmspe"`
			PostRMSPE estNum            `json:"post_rmspe"`
			Weights   map[string]estNum `json:"weights"`
			V         []estNum          `json:"v"`
			Synthetic []traj            `json:"trajectory"`
		}
		ls := make([]loo, len(r.LeaveOneOut))
		for a, l := range r.LeaveOneOut {
			ls[a] = loo{Dropped: l.Dropped, Estimate: estNum(l.Estimate), PreRMSPE: estNum(l.PreRMSPE),
				PostRMSPE: estNum(l.PostRMSPE), Weights: map[string]estNum{}}
			rows = append(rows, []string{"loo_estimate", l.Dropped, synthNum(l.Estimate)},
				[]string{"loo_pre_rmspe", l.Dropped, synthNum(l.PreRMSPE)})
			for j, w := range l.W {
				if w != 0 {
					ls[a].Weights[l.Donors[j]] = estNum(w)
					rows = append(rows, []string{"loo_weight", l.Dropped + "/" + l.Donors[j], synthNum(w)})
				}
			}
			for _, v := range l.V {
				ls[a].V = append(ls[a].V, estNum(v))
			}
			for t, y := range l.Synthetic {
				ls[a].Synthetic = append(ls[a].Synthetic, traj{r.Times[t], estNum(y)})
				rows = append(rows, []string{"loo_synthetic", l.Dropped + "/" + strconv.Itoa(r.Times[t]), synthNum(y)})
			}
		}
		js["leave_one_out"] = ls
	}
	return synthOut{js, rows}
}

// synthAdoptions counts the distinct adoption periods of d (the first
// period each unit is treated), ignoring malformed rows, which
// NewSynthPanel or StaggeredSDID report.
func synthAdoptions(d econ.SynthData) int {
	if len(d.Time) != len(d.Unit) || len(d.Treat) != len(d.Unit) {
		return 0
	}
	first := map[string]int{}
	for i, u := range d.Unit {
		if d.Treat[i] != 1 {
			continue
		}
		if t, ok := first[u]; !ok || d.Time[i] < t {
			first[u] = d.Time[i]
		}
	}
	periods := map[int]bool{}
	for _, t := range first {
		periods[t] = true
	}
	return len(periods)
}

// staggeredEstimate runs econ.StaggeredSDID with the SE asked for (kind
// "": the jackknife, or where a cohort has a single treated unit the
// placebo SE, or the bootstrap SE if there are not more never-treated than
// treated units).
func staggeredEstimate(d econ.SynthData, outcome string, opts econ.SDIDOptions, kind string, reps int) (synthOut, error) {
	switch kind {
	case "placebo":
		opts.Placebo = reps
	case "bootstrap":
		opts.Bootstrap = reps
	}
	r, err := econ.StaggeredSDID(d, outcome, opts)
	if err != nil {
		return synthOut{}, err
	}
	if math.IsNaN(r.JackknifeSE) && kind == "" {
		ntr := 0
		for _, c := range r.Cohorts {
			ntr += c.Treated
		}
		if len(r.Controls) > ntr {
			opts.Placebo, kind = reps, "placebo"
		} else {
			opts.Bootstrap, kind = reps, "bootstrap"
		}
		if r, err = econ.StaggeredSDID(d, outcome, opts); err != nil {
			return synthOut{}, err
		}
	}
	if kind == "jackknife" && math.IsNaN(r.JackknifeSE) {
		return synthOut{}, &UserError{errors.New("--se jackknife: Stata sdid's staggered jackknife needs at least 2 treated units in every adoption cohort; use --se placebo or --se bootstrap")}
	}
	return staggeredOut(r, kind), nil
}

// staggeredOut prints a staggered synthetic DID result: the aggregate and
// a "cohorts" list, each with its block estimate, weights and SEs.
func staggeredOut(r *econ.StaggeredSDIDResult, kind string) synthOut {
	pick := func(jk, pl, bs float64) (float64, string) {
		switch kind {
		case "placebo":
			return pl, "placebo"
		case "bootstrap":
			return bs, "bootstrap"
		}
		return jk, "jackknife"
	}
	se, seMethod := pick(r.JackknifeSE, r.PlaceboSE, r.BootstrapSE)
	if math.IsNaN(se) {
		seMethod = "none"
	}
	rows := [][]string{
		{"method", "", r.Method.String() + " (staggered)"},
		{"estimate", "", synthNum(r.Estimate)},
		{"se", seMethod, synthNum(se)},
	}
	if r.Placebos != nil || r.Bootstraps != nil {
		rows = append(rows, []string{"seed", "", strconv.FormatUint(r.Seed, 10)})
	}
	var cohorts []map[string]any
	for _, c := range r.Cohorts {
		res, p := c.Result, c.Panel
		cse, _ := pick(c.JackknifeSE, c.PlaceboSE, c.BootstrapSE)
		a := strconv.Itoa(c.Adoption)
		weights := map[string]estNum{}
		for i, w := range res.Omega {
			weights[p.Units[i]] = estNum(w)
		}
		tw := map[string]estNum{}
		for t, l := range res.Lambda {
			tw[strconv.Itoa(p.Times[t])] = estNum(l)
		}
		cj := map[string]any{
			"adoption": c.Adoption, "units": c.Units, "n_treated": c.Treated, "post_periods": c.Post,
			"weight": estNum(c.Weight), "estimate": estNum(res.Estimate), "se": estNum(cse),
			"jackknife_se": estNum(c.JackknifeSE), "placebo_se": estNum(c.PlaceboSE), "bootstrap_se": estNum(c.BootstrapSE),
			"weights": weights, "time_weights": tw,
			"noise_level": estNum(res.NoiseLevel), "zeta_omega": estNum(res.ZetaOmega), "zeta_lambda": estNum(res.ZetaLambda),
		}
		if res.Covariates != nil {
			beta := map[string]estNum{}
			for k, name := range res.Covariates {
				beta[name] = estNum(res.Beta[k])
			}
			cj["beta"] = beta
		}
		cohorts = append(cohorts, cj)
		rows = append(rows,
			[]string{"cohort_estimate", a, synthNum(res.Estimate)},
			[]string{"cohort_se", a, synthNum(cse)},
			[]string{"cohort_weight", a, synthNum(c.Weight)},
			[]string{"cohort_treated", a, strconv.Itoa(c.Treated)},
			[]string{"cohort_post_periods", a, strconv.Itoa(c.Post)})
		for i, w := range res.Omega {
			if w != 0 {
				rows = append(rows, []string{"unit_weight", a + ":" + p.Units[i], synthNum(w)})
			}
		}
		for t, l := range res.Lambda {
			if l != 0 {
				rows = append(rows, []string{"time_weight", a + ":" + strconv.Itoa(p.Times[t]), synthNum(l)})
			}
		}
	}
	notes := append([]string{}, r.Notes...)
	for _, n := range notes {
		rows = append(rows, []string{"note", "", n})
	}
	js := map[string]any{
		"method": r.Method.String(), "staggered": true, "estimate": estNum(r.Estimate), "se": estNum(se), "se_method": seMethod,
		"jackknife_se": estNum(r.JackknifeSE), "placebo_se": estNum(r.PlaceboSE), "bootstrap_se": estNum(r.BootstrapSE),
		"controls": r.Controls, "cohorts": cohorts, "notes": notes,
	}
	if r.Placebos != nil {
		js["seed"] = r.Seed
		js["placebo_reps"] = len(r.Placebos)
	}
	if r.Bootstraps != nil {
		js["seed"] = r.Seed
		js["bootstrap_reps"] = len(r.Bootstraps)
	}
	return synthOut{js, rows}
}
