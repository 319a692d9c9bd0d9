package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"go.yaml.in/yaml/v3"

	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/evaluation"
	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/ingest"
	"github.com/cityimpact/cityimpact/panel"
	"github.com/cityimpact/cityimpact/store"
)

func init() {
	register(&command{name: "weights", summary: "indicator weights: entropy, CRITIC, CV, SD, PCA, equal, expert, AHP or combined, per framework node or on a decision matrix", run: runWeights})
	register(&command{name: "index", summary: "composite index: a score for every city, period and framework node, with weights, ranks, grades and data quality", run: runIndex})
	register(&command{name: "rank", summary: "rank cities (overall and within peer groups) with grades, attainment, veto and Monte Carlo rank intervals; or rank a decision matrix", run: runRank})
}

// parseFlagsOnly parses fs from args for a command that takes no
// positional arguments: one is a user error that names it.
func parseFlagsOnly(fs *flag.FlagSet, args []string) error {
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return userErrorf("unexpected argument %q", rest[0])
	}
	return nil
}

// idxFlags are the flags shared by weights, index and rank in framework mode.
type idxFlags struct {
	data, db, dataset, fw                       *string
	method, ahp, normalise, scope, winsor, ties *string
	aggregate, missing, impute, combine         *string
	alpha, shift                                *float64
	flat                                        *bool
	weightScope                                 *string
	format                                      *string
	quality                                     *string
	provenance                                  *string
	values, delphi                              *string
}

func addIdxFlags(fs *flag.FlagSet, weightsFlag string) *idxFlags {
	f := &idxFlags{}
	f.data = fs.String("data", "", "data file (CSV, XLSX or Parquet; wide or long)")
	f.db = fs.String("db", "", "store file for --dataset (default $CITYIMPACT_DB or "+DefaultDB+")")
	f.dataset = fs.String("dataset", "", "stored dataset NAME[@VERSION] instead of --data")
	f.fw = fs.String("framework", "seed-2025", "framework: built-in template or YAML file")
	f.method = fs.String(weightsFlag, "entropy", "weighting: entropy, critic, cv, sd, pca, equal, expert, ahp or combined; per node: entropy,smart_city=ahp")
	f.ahp = fs.String("ahp", "", "YAML of AHP pairwise matrices, children in framework order: nodes: {CODE: [[1, 3], [1/3, 1]]}, or experts: [{name: E1, nodes: {...}}, ...] (geometric mean of judgements)")
	f.combine = fs.String("combine", "linear", "combined weights: linear, multiplicative or game")
	f.alpha = fs.Float64("alpha", 0.5, "share of the subjective weights in linear combined weights")
	f.shift = fs.Float64("entropy-shift", 0, "shift added before entropy proportions (e.g. 0.0001)")
	f.flat = fs.Bool("flat", false, "weight all indicators together instead of per node")
	f.weightScope = fs.String("weight-scope", "pooled", "objective weights from all periods pooled, or from each period's rows (period)")
	f.normalise = fs.String("normalise", "minmax", "normalisation: minmax, zscore, rank, percentile, ratio or target; per node (a dimension's indicators, or one): minmax,satisfaction=target")
	f.winsor = fs.String("winsor", "", "clamp outliers before normalising: q:LO,HI (quantiles, e.g. q:0.05,0.95) or iqr:K (Tukey fences, e.g. iqr:1.5)")
	f.ties = fs.String("ties", "average", "rank and percentile normalisation: tied values share the mean rank (average) or the lowest (min, as COINr)")
	f.scope = fs.String("scope", "pooled", "normalisation scope: pooled (comparable over time) or period")
	f.aggregate = fs.String("aggregate", "linear", "aggregation: linear, geometric, topsis or gra; per node: linear,smart_city=geometric")
	f.missing = fs.String("missing", "reweight", "missing normalised values: reweight, none, period-mean or unit-mean")
	f.impute = fs.String("impute", "none", "impute raw data first: none, linear, forward, backward, forward+backward, unit-mean, peer-mean")
	f.quality = fs.String("quality", "", "CSV of data-quality codes: unit, period, indicator, quality (measured, survey-extrapolated, estimated, imputed, unknown)")
	f.values = fs.String("values", "", "long CSV unit, period, indicator, value[, quality] to set in the data, e.g. satisfaction from cityimpact survey --values-out (quality survey-extrapolated unless given)")
	f.delphi = fs.String("delphi", "", "Delphi scores (round, expert, item, score) whose items are node codes: final-round means become the expert weights (with --method expert or combined)")
	f.provenance = fs.String("provenance", "", "also write the run's provenance (version, framework hash, input hashes, every method choice, seed) as JSON to this file")
	return f
}

// idxRun is a loaded framework and data set, converted for composite.
type idxRun struct {
	fw       *framework.Framework
	p        *panel.Panel
	root     *composite.Node
	data     *composite.Data
	opt      composite.IndexOptions
	source   string
	hashes   []string // SHA-256 of the input files, for reproducibility
	imputed  map[string]int
	notes    []string
	nodeName map[string]string
	flags    *idxFlags // the flags it was loaded with, for provenance
}

func (f *idxFlags) options() (composite.IndexOptions, error) {
	var o composite.IndexOptions
	var err error
	// Each method flag takes METHOD[,NODE=METHOD...]: a global choice and
	// per-node overrides.
	if o.Weighting, o.WeightingAt, err = idxParseSpec(*f.method, composite.ParseWeightMethod); err != nil {
		return o, err
	}
	if o.Normalise, o.NormaliseAt, err = idxParseSpec(*f.normalise, idxParseNorm); err != nil {
		return o, err
	}
	if o.Aggregate, o.AggregateAt, err = idxParseSpec(*f.aggregate, composite.ParseAggMethod); err != nil {
		return o, err
	}
	if w := *f.winsor; w != "" {
		kind, val, _ := strings.Cut(w, ":")
		switch kind {
		case "q":
			lo, hi, ok := strings.Cut(val, ",")
			a, e1 := strconv.ParseFloat(lo, 64)
			b, e2 := strconv.ParseFloat(hi, 64)
			if !ok || e1 != nil || e2 != nil || !(a >= 0 && a < b && b <= 1) {
				return o, userErrorf("--winsor %q: want q:LO,HI with 0 ≤ LO < HI ≤ 1", w)
			}
			o.Winsor = composite.Winsor{Method: composite.WinsorQuantile, Lo: a, Hi: b}
		case "iqr":
			k, err := strconv.ParseFloat(val, 64)
			if err != nil || !(k > 0) {
				return o, userErrorf("--winsor %q: want iqr:K with K > 0", w)
			}
			o.Winsor = composite.Winsor{Method: composite.WinsorIQR, K: k}
		default:
			return o, userErrorf("--winsor %q: want q:LO,HI or iqr:K", w)
		}
	}
	switch *f.ties {
	case "average":
	case "min":
		o.Ties = composite.TiesMin
	default:
		return o, userErrorf("--ties: unknown rule %q (want average or min)", *f.ties)
	}
	if o.PerPeriod, err = idxPerPeriod("scope", *f.scope); err != nil {
		return o, err
	}
	if o.Missing, err = composite.ParseMissingRule(*f.missing); err != nil {
		return o, &UserError{err}
	}
	if o.Combine, err = composite.ParseCombination(*f.combine); err != nil {
		return o, &UserError{err}
	}
	if !(*f.alpha > 0 && *f.alpha <= 1) {
		return o, userErrorf("--alpha %v: want a share in (0, 1] (for purely objective weights use --method entropy)", *f.alpha)
	}
	o.Alpha = *f.alpha
	o.EntropyShift = *f.shift
	if o.WeightsPerPeriod, err = idxPerPeriod("weight-scope", *f.weightScope); err != nil {
		return o, err
	}
	o.Flat = *f.flat
	return o, nil
}

// idxPerPeriod reads the value v of a pooled|period flag: whether it is
// per period.
func idxPerPeriod(flagName, v string) (bool, error) {
	switch v {
	case "pooled":
		return false, nil
	case "period":
		return true, nil
	}
	return false, userErrorf("--%s: unknown scope %q (want pooled or period)", flagName, v)
}

// idxParseSpec reads a METHOD[,NODE=METHOD...] flag value with parse: the
// global method and the per-node overrides (nil if none). A bad method is a
// user error, prefixed with its node for an override.
func idxParseSpec[M any](spec string, parse func(string) (M, error)) (M, map[string]M, error) {
	g, overrides := idxSplitSpec(spec)
	global, err := parse(g)
	if err != nil {
		return global, nil, &UserError{err}
	}
	var at map[string]M
	for code, s := range overrides {
		m, err := parse(s)
		if err != nil {
			return global, nil, userErrorf("node %s: %v", code, err)
		}
		if at == nil {
			at = map[string]M{}
		}
		at[code] = m
	}
	return global, at, nil
}

// idxSplitSpec splits "minmax,technology=zscore" into the global method
// (the part without "=", "" if none) and per-node overrides.
func idxSplitSpec(s string) (string, map[string]string) {
	global := ""
	var at map[string]string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if code, m, ok := strings.Cut(part, "="); ok {
			if at == nil {
				at = map[string]string{}
			}
			at[strings.TrimSpace(code)] = strings.TrimSpace(m)
			continue
		}
		if part != "" {
			global = part
		}
	}
	return global, at
}

func idxParseNorm(s string) (composite.NormMethod, error) {
	switch strings.ToLower(s) {
	case "minmax", "min-max", "":
		return composite.MinMax, nil
	case "zscore", "z-score", "standardise":
		return composite.ZScore, nil
	case "rank":
		return composite.Rank, nil
	case "percentile":
		return composite.Percentile, nil
	case "ratio", "ratio-to-mean":
		return composite.RatioToMean, nil
	case "target", "distance-to-target":
		return composite.DistanceToTarget, nil
	}
	return 0, userErrorf("--normalise: unknown normalisation %q (want minmax, zscore, rank, percentile, ratio or target)", s)
}

// load reads the framework and the data and builds the composite input.
func (f *idxFlags) load(env *Env) (*idxRun, error) {
	opt, err := f.options()
	if err != nil {
		return nil, err
	}
	fw, err := fwOpen(*f.fw)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, n := range fw.Leaves() {
		if n.Direction != framework.Higher && n.Direction != framework.Lower {
			unknown = append(unknown, n.Code)
		}
	}
	if len(unknown) > 0 {
		return nil, userErrorf("%s: indicators without a direction (set + or - before computing an index): %s", *f.fw, strings.Join(unknown, ", "))
	}
	r := &idxRun{fw: fw, opt: opt, nodeName: map[string]string{}, flags: f}
	fw.Walk(func(n *framework.Node) { r.nodeName[n.Code] = fwNames(n.NameZh, n.NameEn) })
	if r.p, r.source, r.hashes, err = f.loadPanel(env, fw); err != nil {
		return nil, err
	}
	var markValues func(*composite.Data)
	if *f.values != "" {
		if markValues, err = idxApplyValues(r, *f.values); err != nil {
			return nil, err
		}
	}
	if *f.impute != "none" && *f.impute != "" {
		before := map[string][]bool{}
		for _, n := range r.p.Indicators() {
			c := r.p.Col(n)
			m := make([]bool, len(c))
			for i, v := range c {
				m[i] = math.IsNaN(v)
			}
			before[n] = m
		}
		if r.imputed, err = r.p.Impute(panel.ImputeOptions{Method: *f.impute}); err != nil {
			return nil, userErrorf("--impute: %v", err)
		}
		r.data = idxData(r.p)
		for n, m := range before {
			c := r.p.Col(n)
			q := make([]composite.Quality, len(c))
			for i := range c {
				if m[i] && !math.IsNaN(c[i]) {
					q[i] = composite.Imputed
				}
			}
			r.data.Quality[n] = q
		}
	} else {
		r.data = idxData(r.p)
	}
	// Indicators imputed before they reached us (a stored dataset): which
	// cells were filled is not recorded, so their values are "unknown".
	for n, m := range r.p.Imputation {
		if m == panel.ImputeNone || r.imputed != nil {
			continue
		}
		c := r.p.Col(n)
		q := make([]composite.Quality, len(c))
		for i := range q {
			q[i] = composite.QualityUnknown
		}
		r.data.Quality[n] = q
		r.notes = append(r.notes, fmt.Sprintf("%s was imputed (%s) before loading; its cells are marked quality unknown", n, m))
	}
	if markValues != nil {
		markValues(r.data)
	}
	if *f.quality != "" {
		if err := idxReadQuality(*f.quality, r.p, r.data); err != nil {
			return nil, err
		}
	}
	r.root = evaluation.CompositeTree(fw.Goal, r.p.Units)
	// A target counts from the year its standard takes effect
	// (framework target_from), as in cityimpact evaluate.
	evaluation.SetTargetFrom(r.root, fw, r.p, 0)
	if *f.delphi != "" {
		if err := idxApplyDelphi(r, *f.delphi); err != nil {
			return nil, err
		}
	}
	if *f.ahp != "" {
		if r.opt.AHP, err = idxReadAHP(*f.ahp); err != nil {
			return nil, err
		}
	} else if opt.Weighting == composite.WeightAHP {
		return nil, userErrorf("--method ahp needs --ahp FILE (pairwise matrices per node)")
	}
	return r, nil
}

func (f *idxFlags) loadPanel(env *Env, fw *framework.Framework) (*panel.Panel, string, []string, error) {
	p, src, err := f.loadPanel1(env, fw)
	if err != nil {
		return nil, "", nil, err
	}
	var hashes []string
	if *f.data != "" {
		info, _, err := store.HashFile(*f.data)
		if err != nil {
			return nil, "", nil, &UserError{err}
		}
		hashes = append(hashes, info.Name+" "+info.SHA256)
	} else {
		s, name, ver, err := dataOpenRef(*f.db, *f.dataset)
		if err != nil {
			return nil, "", nil, err
		}
		defer s.Close()
		sum, err := s.Show(env.Ctx, name, ver)
		if err != nil {
			return nil, "", nil, err
		}
		src = fmt.Sprintf("%s@%d", sum.Dataset, sum.Version.Version)
		for _, si := range sum.Sources {
			hashes = append(hashes, si.Name+" "+si.SHA256)
		}
	}
	return p, src, hashes, nil
}

func (f *idxFlags) loadPanel1(env *Env, fw *framework.Framework) (*panel.Panel, string, error) {
	var ps []*panel.Panel
	var source string
	switch {
	case *f.data != "" && *f.dataset != "":
		return nil, "", userErrorf("give --data or --dataset, not both")
	case *f.data != "":
		o := ingest.Options{Name: *f.data}
		var err error
		switch strings.ToLower(filepath.Ext(*f.data)) {
		case ".xlsx", ".xlsm":
			ps, err = ingest.ReadXLSXFile(*f.data, o)
		case ".parquet":
			ps, err = ingest.ReadParquetFile(*f.data, o)
		default:
			ps, err = ingest.ReadCSVFile(*f.data, o)
		}
		if err != nil {
			var de *ingest.DataErrors
			if errors.As(err, &de) || errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
				return nil, "", &UserError{err}
			}
			return nil, "", err
		}
		source = *f.data
	case *f.dataset != "":
		s, name, ver, err := dataOpenRef(*f.db, *f.dataset)
		if err != nil {
			return nil, "", err
		}
		defer s.Close()
		if ps, err = s.Load(env.Ctx, name, ver); err != nil {
			return nil, "", err
		}
		source = *f.dataset
	default:
		return nil, "", userErrorf("no data: give --data FILE or --dataset NAME (see --help)")
	}
	for _, p := range ps {
		if p.Freq == panel.Year {
			return p, source, nil
		}
	}
	if len(ps) == 0 {
		return nil, "", userErrorf("%s: no data", source)
	}
	agg := map[string]panel.Aggregation{}
	for c, a := range fw.Aggregations() {
		agg[c] = panel.Aggregation(a)
	}
	p, err := ps[0].Rollup(panel.Year, panel.RollupOptions{Agg: agg, Default: panel.Last})
	if err != nil {
		return nil, "", userErrorf("%s: roll up %s data to years: %v", source, ps[0].Freq, err)
	}
	env.Logf("%s: %s data rolled up to years by each indicator's aggregation", source, ps[0].Freq)
	return p, source, nil
}

func idxData(p *panel.Panel) *composite.Data {
	d := &composite.Data{Values: map[string][]float64{}, Quality: map[string][]composite.Quality{}, Peers: map[string]composite.PeerGroups{}}
	for _, u := range p.Units {
		d.Units = append(d.Units, u.Code)
	}
	for t := range p.NPeriods() {
		d.Periods = append(d.Periods, p.Period(t).String())
	}
	for _, n := range p.Indicators() {
		d.Values[n] = p.Col(n)
	}
	for _, attr := range []string{"region", "tier", "province"} {
		if labels, of, err := p.Groups(attr); err == nil {
			d.Peers[attr] = composite.PeerGroups{Labels: labels, Of: of}
		}
	}
	return d
}

// ahpFile is the --ahp YAML: per expert, per node, a matrix of numbers or
// fractions ("1/3") with the children in framework order.
type ahpFile struct {
	Experts []struct {
		Name  string                 `yaml:"name"`
		Nodes map[string][][]ahpCell `yaml:"nodes"`
	} `yaml:"experts"`
	Nodes map[string][][]ahpCell `yaml:"nodes"` // a single expert
}

type ahpCell struct {
	v    float64
	line int
}

func (c *ahpCell) UnmarshalYAML(n *yaml.Node) error {
	c.line = n.Line
	s := strings.TrimSpace(n.Value)
	if a, b, ok := strings.Cut(s, "/"); ok {
		x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil || y == 0 {
			return fmt.Errorf("line %d: not a judgement: %q", n.Line, s)
		}
		c.v = x / y
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("line %d: not a judgement: %q", n.Line, s)
	}
	c.v = x
	return nil
}

func idxReadAHP(name string) (map[string][][][]float64, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, &UserError{err}
	}
	var f ahpFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, userErrorf("%s: %v", name, err)
	}
	out := map[string][][][]float64{}
	add := func(nodes map[string][][]ahpCell) {
		for code, m := range nodes {
			mat := make([][]float64, len(m))
			for i, row := range m {
				mat[i] = make([]float64, len(row))
				for j, c := range row {
					mat[i][j] = c.v
				}
			}
			out[code] = append(out[code], mat)
		}
	}
	add(f.Nodes)
	for _, e := range f.Experts {
		add(e.Nodes)
	}
	if len(out) == 0 {
		return nil, userErrorf("%s: no matrices (want nodes: {CODE: [[1, 3], [1/3, 1]]} or experts: [{name, nodes}])", name)
	}
	for code, ms := range out {
		for e, m := range ms {
			for i, row := range m {
				if len(row) != len(m) {
					return nil, userErrorf("%s: node %s, matrix %d: row %d has %d entries, want %d (square)", name, code, e+1, i+1, len(row), len(m))
				}
			}
		}
	}
	return out, nil
}

// idxReadQuality reads unit, period, indicator, quality rows.
func idxReadQuality(name string, p *panel.Panel, d *composite.Data) error {
	fh, err := os.Open(name)
	if err != nil {
		return &UserError{err}
	}
	defer fh.Close()
	cr := csv.NewReader(fh)
	cr.FieldsPerRecord = 4
	recs, err := cr.ReadAll()
	if err != nil {
		return userErrorf("%s: %v", name, err)
	}
	unitIdx := map[string]int{}
	for u, un := range p.Units {
		unitIdx[un.Code] = u
	}
	var errs []string
	for i, r := range recs {
		if i == 0 && strings.EqualFold(r[0], "unit") {
			continue
		}
		line := i + 1
		u, ok := unitIdx[strings.TrimSpace(r[0])]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s:%d: column \"unit\": unknown unit %q", name, line, r[0]))
			continue
		}
		per, err := panel.ParsePeriod(strings.TrimSpace(r[1]))
		t, ok2 := p.PeriodIndex(per)
		if err != nil || !ok2 {
			errs = append(errs, fmt.Sprintf("%s:%d: column \"period\": period %q not in the data", name, line, r[1]))
			continue
		}
		ind := strings.TrimSpace(r[2])
		if !p.Has(ind) {
			errs = append(errs, fmt.Sprintf("%s:%d: column \"indicator\": unknown indicator %q", name, line, ind))
			continue
		}
		q, err := composite.ParseQuality(r[3])
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: column \"quality\": %v", name, line, err))
			continue
		}
		if d.Quality[ind] == nil {
			d.Quality[ind] = make([]composite.Quality, p.Rows())
		}
		d.Quality[ind][u*p.NPeriods()+t] = q
		if len(errs) >= 20 {
			break
		}
	}
	if len(errs) > 0 {
		return userErrorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func (r *idxRun) compute() (*composite.Index, error) {
	x, err := composite.Compute(r.root, r.data, r.opt)
	if err != nil {
		var ve interface{ Unwrap() []error }
		if errors.As(err, &ve) && len(ve.Unwrap()) > 1 {
			var lines []string
			for _, e := range ve.Unwrap() {
				lines = append(lines, e.Error())
			}
			return nil, userErrorf("%s", strings.Join(lines, "\n"))
		}
		return nil, &UserError{err}
	}
	return x, nil
}

// idxScopeNote says how scores compare over time, for every output.
func idxScopeNote(x *composite.Index) string {
	if x.Method.Scope == "pooled" {
		return fmt.Sprintf("normalisation pooled over %s–%s (scores comparable over time)", x.Periods[0], x.Periods[len(x.Periods)-1])
	}
	return "normalisation per period (scores relative to each period's cities; not comparable over time)"
}

func idxNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// idxNum64 is a float64 that marshals NaN as null.
type idxNum64 float64

func (v idxNum64) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(float64(v), 'g', -1, 64)), nil
}

// ---------------------------------------------------------------- weights

func runWeights(env *Env, args []string) error {
	fs := newFlags(env, "weights", "weights (--data FILE | --dataset NAME) [--framework F] [--method M] [--ahp FILE] [--flat] [--format table|json|csv]\n       cityimpact weights --input M.csv [--method M] [--directions +,+,-] [--normalise none|minmax] [--format json|table|csv]",
		"cityimpact weights --data demo/annual.csv --framework seed-2025 --method entropy")
	f := addIdxFlags(fs, "method")
	f.format = fs.String("format", "table", "output format: table, json or csv")
	input := fs.String("input", "", "decision matrix CSV (first column alternatives, then criteria); for --method ahp a pairwise matrix")
	dirs := fs.String("directions", "", "criterion directions for --input, e.g. +,+,- (default all +)")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*f.format, "table", "json", "csv"); err != nil {
		return err
	}
	if *input != "" {
		// On a plain matrix the values are used as given unless
		// --normalise minmax is set: the published entropy and CRITIC
		// examples (and pymcdm, pyDecision) work on raw values.
		norm := "none"
		fs.Visit(func(fl *flag.Flag) {
			if fl.Name == "normalise" {
				norm = fl.Value.String()
			}
		})
		return matrixWeights(env, *input, *f.method, *dirs, norm, *f.shift, *f.format)
	}
	r, err := f.load(env)
	if err != nil {
		return err
	}
	x, err := r.compute()
	if err != nil {
		return err
	}
	pos := map[string]int{}
	for p, c := range x.Codes {
		pos[c] = p
	}
	// One weight set (pooled) or one per period.
	type set struct {
		period string
		nodes  []composite.NodeWeights
		global []float64
	}
	sets := []set{{"pooled", x.Weights, x.Global}}
	if x.WeightsByPeriod != nil {
		sets = sets[:0]
		for t, ws := range x.WeightsByPeriod {
			sets = append(sets, set{x.Periods[t], ws, x.GlobalByPeriod[t]})
		}
	}
	prov, err := r.recordProvenance("weights", nil)
	if err != nil {
		return err
	}
	if *f.format == "json" {
		type jw struct {
			Period   string              `json:"period"`
			Node     string              `json:"node"`
			Method   string              `json:"method"`
			CR       idxNum64            `json:"cr"`
			Children map[string]idxNum64 `json:"weights"`
			Global   map[string]idxNum64 `json:"global"`
		}
		out := struct {
			Framework   string     `json:"framework"`
			Data        string     `json:"data"`
			Method      string     `json:"method"`
			Flat        bool       `json:"flat"`
			WeightScope string     `json:"weight_scope"`
			Nodes       []jw       `json:"nodes"`
			Provenance  provenance `json:"provenance"`
		}{r.fw.Code, r.source, x.Method.Weighting, x.Method.Flat, x.Method.WeightScope, nil, prov}
		for _, st := range sets {
			for _, nw := range st.nodes {
				j := jw{Period: st.period, Node: nw.Node, Method: nw.Method, CR: idxNum64(nw.CR), Children: map[string]idxNum64{}, Global: map[string]idxNum64{}}
				for i, c := range nw.Children {
					j.Children[c] = idxNum64(nw.Weights[i])
					j.Global[c] = idxNum64(st.global[pos[c]])
				}
				out.Nodes = append(out.Nodes, j)
			}
		}
		return writeJSON(env.Stdout, out)
	}
	rows := [][]string{{"period", "node", "child", "weight", "global", "method", "cr", "name"}}
	for _, st := range sets {
		for _, nw := range st.nodes {
			for i, c := range nw.Children {
				rows = append(rows, []string{st.period, nw.Node, c, idxNum(nw.Weights[i], 4), idxNum(st.global[pos[c]], 4), nw.Method, idxNum(nw.CR, 4), r.nodeName[c]})
			}
		}
	}
	if *f.format == "table" {
		fmt.Fprintf(env.Stdout, "%s weights of %s on %s (%d cities × %d periods, weights %s); objective methods on direction-aware min-max data\n\n",
			x.Method.Weighting, r.fw.Code, r.source, len(x.Units), len(x.Periods), x.Method.WeightScope)
		for i := len(rows) - 1; i > 1; i-- { // method and CR once per node
			if rows[i][1] == rows[i-1][1] && rows[i][0] == rows[i-1][0] {
				rows[i][5], rows[i][6] = "", ""
			}
		}
	}
	return writeRows(env.Stdout, *f.format, rows)
}

// idxMatrix is a decision matrix read from CSV: rows are alternatives.
type idxMatrix struct {
	alts, crits []string
	cols        [][]float64
}

func idxReadMatrix(name string, fractions bool) (*idxMatrix, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, &UserError{err}
	}
	defer fh.Close()
	cr := csv.NewReader(fh)
	cr.TrimLeadingSpace = true
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, userErrorf("%s: %v", name, err)
	}
	if len(recs) < 2 || len(recs[0]) < 2 {
		return nil, userErrorf("%s: want a header (name, criteria...) and at least one row", name)
	}
	m := &idxMatrix{crits: recs[0][1:]}
	m.cols = make([][]float64, len(m.crits))
	var errs []string
	for i, r := range recs[1:] {
		m.alts = append(m.alts, r[0])
		for j := range m.crits {
			s := strings.TrimSpace(r[j+1])
			v, err := strconv.ParseFloat(s, 64)
			if a, b, ok := strings.Cut(s, "/"); fractions && ok {
				x, e1 := strconv.ParseFloat(a, 64)
				y, e2 := strconv.ParseFloat(b, 64)
				v, err = x/y, errors.Join(e1, e2)
			}
			if err != nil || math.IsInf(v, 0) {
				errs = append(errs, fmt.Sprintf("%s:%d: column %q: not a number: %q", name, i+2, m.crits[j], s))
			}
			m.cols[j] = append(m.cols[j], v)
		}
		if len(errs) >= 20 {
			break
		}
	}
	if len(errs) > 0 {
		return nil, userErrorf("%s", strings.Join(errs, "\n"))
	}
	return m, nil
}

func idxParseDirections(s string, n int) ([]composite.Direction, error) {
	d := make([]composite.Direction, n)
	for i := range d {
		d[i] = composite.Benefit
	}
	if s == "" {
		return d, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, userErrorf("--directions: %d directions for %d criteria", len(parts), n)
	}
	for i, p := range parts {
		switch strings.TrimSpace(p) {
		case "+", "max", "benefit":
		case "-", "min", "cost":
			d[i] = composite.Cost
		default:
			return nil, userErrorf("--directions: %q is not + or -", p)
		}
	}
	return d, nil
}

// matrixWeights prints weights of a plain decision matrix: the values as
// given (as pymcdm and pyDecision compute them) or, with --normalise minmax,
// after a direction-aware min-max step (the 熵权法 as Chinese studies
// practise it).
func matrixWeights(env *Env, input, method, dirSpec, norm string, shift float64, format string) error {
	m, err := idxReadMatrix(input, method == "ahp")
	if err != nil {
		return err
	}
	wm, err := composite.ParseWeightMethod(method)
	if err != nil {
		return &UserError{err}
	}
	prov, err := matrixProvenance("weights", map[string]string{"method": wm.String(), "directions": dirSpec, "normalise": norm, "entropy_shift": strconv.FormatFloat(shift, 'g', -1, 64)}, input)
	if err != nil {
		return err
	}
	out := struct {
		Method     string              `json:"method"`
		Weights    map[string]idxNum64 `json:"weights"`
		CR         *idxNum64           `json:"cr,omitempty"`
		Provenance matrixProv          `json:"provenance"`
	}{Method: wm.String(), Weights: map[string]idxNum64{}, Provenance: prov}
	var w []float64
	switch wm {
	case composite.WeightAHP:
		a := make([][]float64, len(m.alts))
		for i := range a {
			a[i] = make([]float64, len(m.crits))
			for j := range m.crits {
				a[i][j] = m.cols[j][i]
			}
		}
		res, err := composite.AHP(a, composite.AHPOptions{})
		if err != nil {
			var ie *composite.InconsistentError
			if errors.As(err, &ie) {
				return userErrorf("%s: consistency ratio %.3f > %.2f; worst pair %s vs %s: judged %.4g, the weights imply %.4g", input, ie.Result.CR, ie.MaxCR, m.crits[ie.I], m.crits[ie.J], ie.Aij, ie.Implied)
			}
			return userErrorf("%s: %v", input, err)
		}
		w = res.Weights
		cr := idxNum64(res.CR)
		out.CR = &cr
	case composite.WeightExpert, composite.WeightCombined:
		return userErrorf("--method %s needs a framework (--data and --framework)", wm)
	default:
		dirs, err := idxParseDirections(dirSpec, len(m.crits))
		if err != nil {
			return err
		}
		cols := m.cols
		switch norm {
		case "minmax":
			cols = make([][]float64, len(m.cols))
			for j, c := range m.cols {
				if cols[j], err = (composite.Normaliser{Method: composite.MinMax, Direction: dirs[j]}).Apply(nil, c); err != nil {
					return userErrorf("%s: criterion %q: %v", input, m.crits[j], err)
				}
			}
		case "none", "":
		default:
			return userErrorf("--normalise: want none or minmax for --input, not %q", norm)
		}
		switch wm {
		case composite.WeightEqual:
			w = composite.Equal(nil, len(cols))
		case composite.WeightEntropy:
			w, err = composite.Entropy(nil, cols, composite.EntropyOptions{Shift: shift})
		case composite.WeightCRITIC:
			w, err = composite.CRITIC(nil, cols, composite.CRITICOptions{Directions: dirs})
		case composite.WeightCV:
			w, err = composite.CV(nil, cols)
		case composite.WeightSD:
			w, err = composite.SD(nil, cols)
		case composite.WeightPCA:
			w, _, err = composite.PCA(nil, cols, composite.PCAOptions{})
		}
		if err != nil {
			var ce *composite.ColumnError
			if errors.As(err, &ce) && ce.Column >= 0 && ce.Column < len(m.crits) {
				return userErrorf("%s: criterion %q: %s: %v", input, m.crits[ce.Column], ce.Method, ce.Err)
			}
			return userErrorf("%s: %v", input, err)
		}
	}
	for j, c := range m.crits {
		out.Weights[c] = idxNum64(w[j])
	}
	if format == "json" {
		return writeJSON(env.Stdout, out)
	}
	rows := [][]string{{"criterion", "weight"}}
	for j, c := range m.crits {
		rows = append(rows, []string{c, idxNum(w[j], 6)})
	}
	if out.CR != nil && format == "table" {
		fmt.Fprintf(env.Stdout, "AHP consistency ratio %.4f\n", float64(*out.CR))
	}
	return writeRows(env.Stdout, format, rows)
}

// ---------------------------------------------------------------- index

func runIndex(env *Env, args []string) error {
	fs := newFlags(env, "index", "index (--data FILE | --dataset NAME) [--framework F] [--weights M] [--normalise N] [--scope pooled|period] [--aggregate A] [--missing R] [--impute I] [--period P] [--by region] [--uncertainty N --seed S] [--format table|json|csv|xlsx] [--out FILE]",
		"cityimpact index --data demo/annual.csv --framework seed-2025 --weights entropy --format csv > scores.csv")
	f := addIdxFlags(fs, "weights")
	f.format = fs.String("format", "table", "output format: table (one period), json, csv (every unit, period and node) or xlsx (needs --out)")
	period := fs.String("period", "", "period for the table (default the last); json/csv/xlsx hold all periods unless set")
	by := fs.String("by", "", "peer group for ranks in the table: region, tier or province")
	out := fs.String("out", "", "output file (required for xlsx)")
	unc := fs.Int("uncertainty", 0, "Monte Carlo replicates for rank intervals (see cityimpact rank)")
	seed := fs.Uint64("seed", 1, "random seed for --uncertainty")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*f.format, "table", "json", "csv", "xlsx"); err != nil {
		return err
	}
	if *f.format == "xlsx" && *out == "" {
		return userErrorf("--format xlsx needs --out FILE.xlsx")
	}
	if err := idxCheckPeer(*by); err != nil {
		return err
	}
	r, err := f.load(env)
	if err != nil {
		return err
	}
	x, err := r.compute()
	if err != nil {
		return err
	}
	periods, err := idxPickPeriods(x, *period, *f.format == "table")
	if err != nil {
		return err
	}
	ur, urec, err := idxUncertainty(env, x, *unc, *seed, periods[len(periods)-1], idxMCDefaults())
	if err != nil {
		return err
	}
	prov, err := r.recordProvenance("index", urec)
	if err != nil {
		return err
	}
	w := env.Stdout
	if *out != "" && *f.format != "xlsx" {
		fh, err := os.Create(*out)
		if err != nil {
			return &UserError{err}
		}
		defer fh.Close()
		w = fh
	}
	switch *f.format {
	case "table":
		return indexTable(w, r, x, periods[0], *by, ur)
	case "json":
		return indexJSON(w, r, x, periods, ur, prov)
	case "csv":
		cw := csv.NewWriter(w)
		cw.WriteAll(indexLong(r, x, periods))
		return cw.Error()
	}
	return indexXLSX(*out, r, x, periods, ur, prov)
}

func idxCheckPeer(by string) error {
	switch by {
	case "", "region", "tier", "province":
		return nil
	}
	return userErrorf("--by: unknown peer group %q (want region, tier or province)", by)
}

// idxPickPeriods returns the period indices to print: one named, the last for
// a table, or all.
func idxPickPeriods(x *composite.Index, p string, one bool) ([]int, error) {
	if p != "" {
		i := slices.Index(x.Periods, p)
		if i < 0 {
			return nil, userErrorf("--period %s: not in the data (%s–%s)", p, x.Periods[0], x.Periods[len(x.Periods)-1])
		}
		return []int{i}, nil
	}
	if one {
		return []int{len(x.Periods) - 1}, nil
	}
	all := make([]int, len(x.Periods))
	for i := range all {
		all[i] = i
	}
	return all, nil
}

// recordProvenance returns the provenance of the run of cmd (see
// provenance) and writes it to --provenance FILE when that is set.
func (r *idxRun) recordProvenance(cmd string, unc *composite.UncertaintyRecord, extra ...string) (provenance, error) {
	p, err := r.provenance(cmd, unc, extra...)
	if err != nil {
		return p, err
	}
	return p, r.writeProvenance(p)
}

func (r *idxRun) unitName(u int) string { return r.p.Units[u].Name() }

// indexLong is every unit × period × node: the long form of csv and xlsx.
func indexLong(r *idxRun, x *composite.Index, periods []int) [][]string {
	rows := [][]string{{"unit", "name", "period", "node", "level", "score", "raw", "relative_0_10", "change", "quality", "weight", "global_weight", "rank", "grade", "scope"}}
	local := map[string]float64{}
	for _, nw := range x.Weights {
		for i, c := range nw.Children {
			local[c] = nw.Weights[i]
		}
	}
	for u := range x.Units {
		for _, t := range periods {
			i := x.Row(u, t)
			for p, code := range x.Codes {
				level := "dimension"
				switch {
				case p == 0:
					level = "goal"
				case x.IsIndicator[p]:
					level = "indicator"
				}
				raw, rank, grade, w := "", "", "", ""
				if x.Raw[p] != nil {
					raw = idxNum(x.Raw[p][i], 6)
				}
				if p == 0 {
					rank, grade = idxNum(x.Rank[i], 1), x.Grade[i]
				} else {
					w = idxNum(local[code], 6)
				}
				rows = append(rows, []string{x.Units[u], r.unitName(u), x.Periods[t], code, level, idxNum(x.Score[p][i], 6), raw,
					idxNum(x.Relative[p][i], 2), idxNum(x.Change[p][i], 6), x.Quality[p][i].String(), w, idxNum(x.Global[p], 6), rank, grade, x.Method.Scope})
			}
		}
	}
	return rows
}

func indexTable(w io.Writer, r *idxRun, x *composite.Index, t int, by string, ur *composite.UncertaintyResult) error {
	fmt.Fprintf(w, "%s index of %s, %s: %d cities; %s weights, %s aggregation, missing %s; %s\n",
		r.fw.Code, r.source, x.Periods[t], len(x.Units), x.Method.Weighting, x.Method.Aggregate, x.Method.Missing, idxScopeNote(x))
	if len(x.Method.Overrides) > 0 {
		var o []string
		for code, v := range x.Method.Overrides {
			o = append(o, code+": "+v)
		}
		sort.Strings(o)
		fmt.Fprintf(w, "per node: %s\n", strings.Join(o, "; "))
	}
	if x.Method.Winsor != "" {
		fmt.Fprintf(w, "winsorised: %s\n", x.Method.Winsor)
	}
	for _, n := range append(slices.Clone(r.notes), x.Notes...) {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)
	var dims []int
	for p := range x.Codes {
		if x.Parent[p] == 0 && !x.IsIndicator[p] {
			dims = append(dims, p)
		}
	}
	head := []string{"rank"}
	if by != "" {
		head = append(head, "rank_"+by, by)
	}
	head = append(head, "unit", "name", "score", "0-10", "grade", "attain", "veto")
	for _, p := range dims {
		head = append(head, x.Codes[p])
	}
	head = append(head, "quality")
	if ur != nil {
		head = append(head, "median", "p05-p95")
	}
	order := make([]int, len(x.Units))
	for u := range order {
		order[u] = u
	}
	sort.SliceStable(order, func(a, b int) bool {
		ra, rb := x.Rank[x.Row(order[a], t)], x.Rank[x.Row(order[b], t)]
		if math.IsNaN(rb) {
			return !math.IsNaN(ra)
		}
		return ra < rb
	})
	var rows [][]string
	for _, u := range order {
		i := x.Row(u, t)
		row := []string{idxNum(x.Rank[i], 0)}
		if x.Rank[i] != math.Trunc(x.Rank[i]) {
			row[0] = idxNum(x.Rank[i], 1)
		}
		if by != "" {
			row = append(row, idxNum(x.PeerRank[by][i], 0), idxPeerLabel(r.p.Units[u], by))
		}
		att := ""
		if x.Targeted[i] > 0 {
			att = fmt.Sprintf("%d/%d", x.Met[i], x.Targeted[i])
		}
		row = append(row, x.Units[u], r.unitName(u), idxNum(x.Score[0][i], 4), idxNum(x.Relative[0][i], 1), x.Grade[i], att, strings.Join(x.Veto[i], ","))
		for _, p := range dims {
			row = append(row, idxNum(x.Score[p][i], 3))
		}
		row = append(row, x.Quality[0][i].String())
		if ur != nil {
			uu := ur.Units[u]
			row = append(row, idxNum(uu.Median, 1), idxNum(uu.P05, 1)+"-"+idxNum(uu.P95, 1))
		}
		rows = append(rows, row)
	}
	if err := writeTable(w, head, rows); err != nil {
		return err
	}
	if ur != nil {
		return uncertaintyTable(w, ur)
	}
	return nil
}

func idxPeerLabel(u panel.Unit, by string) string {
	switch by {
	case "region":
		return u.Region
	case "tier":
		return u.Tier
	}
	return u.Province
}

type jsonUnitRow struct {
	Unit       string              `json:"unit"`
	Name       string              `json:"name"`
	Period     string              `json:"period"`
	Score      map[string]idxNum64 `json:"score"`
	Relative   map[string]idxNum64 `json:"relative_0_10"`
	Change     map[string]idxNum64 `json:"change"`
	Quality    map[string]string   `json:"quality"`
	Raw        map[string]idxNum64 `json:"raw"`
	Rank       idxNum64            `json:"rank"`
	PeerRank   map[string]idxNum64 `json:"peer_rank"`
	Grade      string              `json:"grade"`
	Veto       []string            `json:"veto"`
	Attainment idxNum64            `json:"attainment"`
	Met        int                 `json:"targets_met"`
	Targeted   int                 `json:"targets_with_data"`
	U4SSC      jsonU4SSC           `json:"u4ssc"`
	Contrib    map[string]idxNum64 `json:"contribution"`
	Other      idxNum64            `json:"contribution_other"`
}

type jsonU4SSC struct {
	Total    int            `json:"total"`
	Scored   int            `json:"scored"`
	Mean     idxNum64       `json:"mean"`
	Points   map[string]int `json:"points"`
	Excluded []string       `json:"excluded"`
}

func indexJSON(w io.Writer, r *idxRun, x *composite.Index, periods []int, ur *composite.UncertaintyResult, prov provenance) error {
	out := struct {
		Framework   string                `json:"framework"`
		Edition     string                `json:"edition"`
		Data        string                `json:"data"`
		Method      composite.IndexMethod `json:"method"`
		ScopeNote   string                `json:"scope_note"`
		Hashes      []string              `json:"data_sha256"`
		Notes       []string              `json:"notes,omitempty"`
		NodeWeights []map[string]any      `json:"weights"`
		NoTarget    []string              `json:"u4ssc_no_target"`
		Rows        []jsonUnitRow         `json:"rows"`
		Uncertainty *idxUncJSON           `json:"uncertainty,omitempty"`
		Provenance  provenance            `json:"provenance"`
	}{Framework: r.fw.Code, Edition: r.fw.Edition, Data: r.source, Method: x.Method, ScopeNote: idxScopeNote(x), Hashes: r.hashes, Notes: append(slices.Clone(r.notes), x.Notes...),
		NoTarget: x.U4SSC.NoTarget, Uncertainty: idxUncertaintyJSON(ur), Provenance: prov}
	for _, nw := range x.Weights {
		ws := map[string]idxNum64{}
		for i, c := range nw.Children {
			ws[c] = idxNum64(nw.Weights[i])
		}
		out.NodeWeights = append(out.NodeWeights, map[string]any{"node": nw.Node, "method": nw.Method, "cr": idxNum64(nw.CR), "weights": ws})
	}
	for u := range x.Units {
		for _, t := range periods {
			i := x.Row(u, t)
			jr := jsonUnitRow{Unit: x.Units[u], Name: r.unitName(u), Period: x.Periods[t], Score: map[string]idxNum64{}, Relative: map[string]idxNum64{},
				Change: map[string]idxNum64{}, Quality: map[string]string{}, Raw: map[string]idxNum64{}, Rank: idxNum64(x.Rank[i]), PeerRank: map[string]idxNum64{},
				Grade: x.Grade[i], Veto: x.Veto[i], Attainment: idxNum64(x.Attainment[i]), Met: x.Met[i], Targeted: x.Targeted[i],
				Contrib: map[string]idxNum64{}, Other: idxNum64(x.Other[i])}
			for p, c := range x.Codes {
				jr.Score[c], jr.Relative[c], jr.Change[c] = idxNum64(x.Score[p][i]), idxNum64(x.Relative[p][i]), idxNum64(x.Change[p][i])
				jr.Quality[c] = x.Quality[p][i].String()
				if x.Raw[p] != nil {
					jr.Raw[c] = idxNum64(x.Raw[p][i])
				}
			}
			for k, pr := range x.PeerRank {
				jr.PeerRank[k] = idxNum64(pr[i])
			}
			jr.U4SSC = jsonU4SSC{Total: x.U4SSC.Total[i], Scored: x.U4SSC.Scored[i], Mean: idxNum64(x.U4SSC.Mean[i]), Points: map[string]int{}, Excluded: x.U4SSC.Excluded[i]}
			for l, p := range x.Leaves {
				if pts := x.U4SSC.Points[l][i]; pts > 0 {
					jr.U4SSC.Points[x.Codes[p]] = int(pts)
				}
				jr.Contrib[x.Codes[p]] = idxNum64(x.Contribution[l][i])
			}
			out.Rows = append(out.Rows, jr)
		}
	}
	return writeJSON(w, out)
}

func indexXLSX(name string, r *idxRun, x *composite.Index, periods []int, ur *composite.UncertaintyResult, prov provenance) error {
	f := excelize.NewFile()
	defer f.Close()
	// Stream writers keep memory flat for the ~200,000 score rows.
	put := func(sheet string, rows [][]string) error {
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		cells := make([]any, 0, 16)
		for i, row := range rows {
			cells = cells[:0]
			for _, s := range row {
				if v, err := strconv.ParseFloat(s, 64); err == nil && i > 0 {
					cells = append(cells, v)
				} else {
					cells = append(cells, s)
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		return sw.Flush()
	}
	if err := put("scores", indexLong(r, x, periods)); err != nil {
		return err
	}
	wr := [][]string{{"node", "child", "weight", "method", "cr"}}
	for _, nw := range x.Weights {
		for i, c := range nw.Children {
			wr = append(wr, []string{nw.Node, c, idxNum(nw.Weights[i], 6), nw.Method, idxNum(nw.CR, 4)})
		}
	}
	if err := put("weights", wr); err != nil {
		return err
	}
	meta := [][]string{{"key", "value"}, {"framework", r.fw.Code}, {"data", r.source}, {"normalise", x.Method.Normalise},
		{"scope", idxScopeNote(x)}, {"weighting", x.Method.Weighting}, {"aggregate", x.Method.Aggregate}, {"missing", x.Method.Missing},
		{"framework edition", r.fw.Edition}, {"data sha256", strings.Join(r.hashes, "; ")}}
	if ur != nil {
		meta = append(meta, []string{"uncertainty", fmt.Sprintf("%d replicates, seed %d, period %s", ur.Replicates, ur.Seed, ur.Period)})
	}
	pj, err := json.Marshal(prov)
	if err != nil {
		return err
	}
	meta = append(meta, []string{"program version", prov.Program + " " + prov.Version}, []string{"framework sha256", prov.FrameworkSHA256},
		[]string{"inputs sha256", strings.Join(prov.Inputs, "; ")}, []string{"provenance (json)", string(pj)})
	if err := put("method", meta); err != nil {
		return err
	}
	f.DeleteSheet("Sheet1")
	// Write next to the target and rename, so a failure leaves nothing.
	tmp, err := os.CreateTemp(filepath.Dir(name), ".cityimpact-*.xlsx")
	if err != nil {
		return &UserError{err}
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if _, err := f.WriteTo(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// ---------------------------------------------------------------- rank

type idxMC struct {
	norms   []composite.NormMethod
	aggs    []composite.AggMethod
	missing []composite.MissingRule
	noise   composite.WeightNoise
	spread  float64
	conc    float64
}

func idxMCDefaults() idxMC {
	return idxMC{
		norms:   []composite.NormMethod{composite.MinMax, composite.Percentile},
		aggs:    []composite.AggMethod{composite.AggLinear, composite.AggGeometric},
		missing: []composite.MissingRule{composite.MissingReweight, composite.MissingPeriodMean, composite.MissingUnitMean},
		spread:  0.25,
	}
}

// idxUncertainty runs n Monte Carlo replicates of x (none, returning nils,
// when n ≤ 0) over the alternatives c for the ranks of one period.
func idxUncertainty(env *Env, x *composite.Index, n int, seed uint64, period int, c idxMC) (*composite.UncertaintyResult, *composite.UncertaintyRecord, error) {
	if n <= 0 {
		return nil, nil, nil
	}
	// The index's own choices are always among the alternatives.
	var opt composite.UncertaintyOptions
	base := x.Method
	bn, _ := idxParseNorm(base.Normalise)
	ba, _ := composite.ParseAggMethod(base.Aggregate)
	bm, _ := composite.ParseMissingRule(base.Missing)
	opt.Normalisations = idxAddUnique(c.norms, bn)
	opt.Aggregations = idxAddUnique(c.aggs, ba)
	opt.MissingRules = idxAddUnique(c.missing, bm)
	if bn != composite.MinMax && bn != composite.Percentile && bn != composite.DistanceToTarget {
		opt.Aggregations = slices.DeleteFunc(opt.Aggregations, func(a composite.AggMethod) bool { return a == composite.AggGeometric })
		opt.Normalisations = []composite.NormMethod{bn}
	}
	if slices.Contains(opt.Aggregations, composite.AggGeometric) {
		opt.Normalisations = slices.DeleteFunc(opt.Normalisations, func(m composite.NormMethod) bool {
			return m != composite.MinMax && m != composite.Percentile && m != composite.DistanceToTarget
		})
	}
	opt.Replicates, opt.Seed, opt.Period = n, seed, period
	opt.Noise, opt.Spread, opt.Concentration = c.noise, c.spread, c.conc
	if !env.Quiet && IsTerminal(env.Stderr) {
		opt.Progress = func(done, total int) { env.Progressf("uncertainty: %d/%d replicates", done, total) }
	}
	r, err := x.Uncertainty(opt)
	if opt.Progress != nil {
		env.Progressf("\n")
	}
	if err != nil {
		return nil, nil, &UserError{err}
	}
	rec := opt.Record(x)
	return r, &rec, nil
}

func idxAddUnique[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return slices.Clone(s)
	}
	return append([]T{v}, s...)
}

func uncertaintyTable(w io.Writer, ur *composite.UncertaintyResult) error {
	fmt.Fprintf(w, "\nuncertainty: %d replicates (%d index evaluations), seed %d, period %s; mean |rank shift| %.2f\n",
		ur.Replicates, ur.Evaluations, ur.Seed, ur.Period, ur.MeanShift)
	var rows [][]string
	for _, s := range ur.Sensitivity {
		rows = append(rows, []string{s.Factor, idxNum(s.First, 3), idxNum(s.Total, 3)})
	}
	if len(rows) > 0 {
		fmt.Fprintln(w, "sensitivity of ranks (Saltelli 2010 first order, Jansen total):")
		if err := writeTable(w, []string{"factor", "first_order", "total"}, rows); err != nil {
			return err
		}
	}
	loo := slices.Clone(ur.LeaveOneOut)
	sort.SliceStable(loo, func(a, b int) bool { return loo[a].MeanShift > loo[b].MeanShift })
	rows = rows[:0]
	for _, l := range loo[:min(10, len(loo))] {
		rows = append(rows, []string{l.Indicator, idxNum(l.MeanShift, 2), idxNum(l.MaxShift, 1), l.MaxUnit})
	}
	fmt.Fprintln(w, "\nleave one indicator out (largest mean rank shifts):")
	return writeTable(w, []string{"indicator", "mean_shift", "max_shift", "max_unit"}, rows)
}

func runRank(env *Env, args []string) error {
	fs := newFlags(env, "rank", "rank (--data FILE | --dataset NAME) [--framework F] [--by region|tier|province] [--grades FILE] [--period P] [--uncertainty N --seed S] [--peers CITY] [--format table|json|csv]\n       cityimpact rank --input M.csv --weights W.json --method topsis|gra|linear|geometric [--directions +,+,-] [--format json|table|csv]",
		"cityimpact rank --data demo/annual.csv --by region --uncertainty 1000 --seed 1")
	f := addIdxFlags(fs, "weighting")
	f.format = fs.String("format", "table", "output format: table, json or csv")
	input := fs.String("input", "", "decision matrix CSV to rank (first column alternatives, then criteria)")
	wfile := fs.String("weights", "", "weights JSON for --input: {\"weights\": {criterion: w}} as cityimpact weights writes, or {criterion: w}")
	method := fs.String("method", "topsis", "with --input: topsis, gra, linear or geometric")
	dirs := fs.String("directions", "", "criterion directions for --input, e.g. +,+,-")
	topsisNorm := fs.String("topsis-norm", "vector", "normalisation inside TOPSIS for --input: vector (Hwang & Yoon) or minmax (pymcdm)")
	by := fs.String("by", "", "peer group: region, tier or province")
	gradesFile := fs.String("grades", "", "YAML grade bands: on: score|relative, bands: [{name, zh, en, min}], veto_cap: NAME")
	period := fs.String("period", "", "period to rank (default the last)")
	unc := fs.Int("uncertainty", 0, "Monte Carlo replicates N (N·(k+2) evaluations): median rank and 5–95% interval")
	seed := fs.Uint64("seed", 1, "random seed for --uncertainty")
	mcWeights := fs.String("mc-weights", "uniform:0.25", "weight perturbation: uniform:X (±X) or dirichlet:C (concentration C)")
	mcNorm := fs.String("mc-normalise", "minmax,percentile", "normalisations drawn in the Monte Carlo")
	mcAgg := fs.String("mc-aggregate", "linear,geometric", "aggregations drawn in the Monte Carlo")
	mcMiss := fs.String("mc-missing", "reweight,period-mean,unit-mean", "missing-value rules drawn in the Monte Carlo")
	peers := fs.String("peers", "", "list the most similar cities to this unit code")
	k := fs.Int("k", 5, "number of peers for --peers")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*f.format, "table", "json", "csv"); err != nil {
		return err
	}
	if *input != "" {
		return matrixRank(env, *input, *wfile, *method, *dirs, *topsisNorm, *f.format, *f.provenance)
	}
	if *wfile != "" {
		return userErrorf("--weights FILE is for --input; with --data use --weighting METHOD")
	}
	if err := idxCheckPeer(*by); err != nil {
		return err
	}
	mc, err := idxParseMC(*mcWeights, *mcNorm, *mcAgg, *mcMiss)
	if err != nil {
		return err
	}
	r, err := f.load(env)
	if err != nil {
		return err
	}
	if *gradesFile != "" {
		if r.opt.Grades, err = idxReadGrades(*gradesFile); err != nil {
			return err
		}
	}
	x, err := r.compute()
	if err != nil {
		return err
	}
	ps, err := idxPickPeriods(x, *period, true)
	if err != nil {
		return err
	}
	t := ps[0]
	ur, urec, err := idxUncertainty(env, x, *unc, *seed, t, mc)
	if err != nil {
		return err
	}
	prov, err := r.recordProvenance("rank", urec, *gradesFile)
	if err != nil {
		return err
	}
	var peerList []composite.Peer
	if *peers != "" {
		u := slices.Index(x.Units, *peers)
		if u < 0 {
			return userErrorf("--peers: no unit %q in the data", *peers)
		}
		if peerList, err = x.Peers(u, t, *k); err != nil {
			return &UserError{err}
		}
	}
	switch *f.format {
	case "json":
		return rankJSON(env.Stdout, r, x, t, ur, peerList, prov)
	case "csv":
		return rankCSV(env.Stdout, r, x, t, ur)
	}
	if err := indexTable(env.Stdout, r, x, t, *by, ur); err != nil {
		return err
	}
	if peerList != nil {
		fmt.Fprintf(env.Stdout, "\nthe %d cities most similar to %s in %s (normalised indicator profiles):\n", len(peerList), *peers, x.Periods[t])
		var rows [][]string
		for _, p := range peerList {
			u := slices.Index(x.Units, p.Unit)
			rows = append(rows, []string{p.Unit, r.unitName(u), idxNum(p.Distance, 4), strconv.Itoa(p.Common)})
		}
		return writeTable(env.Stdout, []string{"unit", "name", "distance", "common"}, rows)
	}
	return nil
}

func idxParseMC(wspec, norms, aggs, miss string) (idxMC, error) {
	var c idxMC
	kind, val, _ := strings.Cut(wspec, ":")
	v, err := strconv.ParseFloat(val, 64)
	if err != nil && kind != "none" {
		return c, userErrorf("--mc-weights %q: want uniform:X, dirichlet:C or none", wspec)
	}
	switch kind {
	case "uniform":
		if !(v >= 0 && v < 1) {
			return c, userErrorf("--mc-weights %q: the spread must lie in [0, 1)", wspec)
		}
		c.spread = v
	case "dirichlet":
		if !(v > 0) {
			return c, userErrorf("--mc-weights %q: the concentration must be positive", wspec)
		}
		c.noise, c.conc = composite.NoiseDirichlet, v
	case "none":
	default:
		return c, userErrorf("--mc-weights %q: want uniform:X, dirichlet:C or none", wspec)
	}
	for _, s := range strings.Split(norms, ",") {
		n, err := idxParseNorm(strings.TrimSpace(s))
		if err != nil {
			return c, userErrorf("--mc-normalise: %v", err)
		}
		c.norms = append(c.norms, n)
	}
	for _, s := range strings.Split(aggs, ",") {
		a, err := composite.ParseAggMethod(strings.TrimSpace(s))
		if err != nil {
			return c, userErrorf("--mc-aggregate: %v", err)
		}
		c.aggs = append(c.aggs, a)
	}
	for _, s := range strings.Split(miss, ",") {
		m, err := composite.ParseMissingRule(strings.TrimSpace(s))
		if err != nil {
			return c, userErrorf("--mc-missing: %v", err)
		}
		c.missing = append(c.missing, m)
	}
	return c, nil
}

func idxReadGrades(name string) (*composite.Grades, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, &UserError{err}
	}
	var raw struct {
		On    string `yaml:"on"`
		Bands []struct {
			Name string   `yaml:"name"`
			Zh   string   `yaml:"zh"`
			En   string   `yaml:"en"`
			Min  *float64 `yaml:"min"`
		} `yaml:"bands"`
		VetoCap string `yaml:"veto_cap"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, userErrorf("%s: %v", name, err)
	}
	g := &composite.Grades{On: raw.On, VetoCap: raw.VetoCap}
	for i, b := range raw.Bands {
		band := composite.Band{Name: b.Name, Zh: b.Zh, En: b.En, Min: math.Inf(-1)}
		switch {
		case b.Min != nil:
			band.Min = *b.Min
		case i < len(raw.Bands)-1:
			return nil, userErrorf("%s: band %q has no min (only the last band may omit it)", name, b.Name)
		}
		g.Bands = append(g.Bands, band)
	}
	if err := g.Check(); err != nil {
		return nil, userErrorf("%s: %v", name, err)
	}
	return g, nil
}

func rankJSON(w io.Writer, r *idxRun, x *composite.Index, t int, ur *composite.UncertaintyResult, peers []composite.Peer, prov provenance) error {
	type row struct {
		Unit       string              `json:"unit"`
		Name       string              `json:"name"`
		Score      idxNum64            `json:"score"`
		Relative   idxNum64            `json:"relative_0_10"`
		Rank       idxNum64            `json:"rank"`
		PeerRank   map[string]idxNum64 `json:"peer_rank"`
		Grade      string              `json:"grade"`
		Veto       []string            `json:"veto"`
		Attainment idxNum64            `json:"attainment"`
		U4SSC      idxNum64            `json:"u4ssc_mean"`
		Quality    string              `json:"quality"`
	}
	out := struct {
		Framework   string                `json:"framework"`
		Data        string                `json:"data"`
		Hashes      []string              `json:"data_sha256"`
		Period      string                `json:"period"`
		Method      composite.IndexMethod `json:"method"`
		ScopeNote   string                `json:"scope_note"`
		Scores      map[string]idxNum64   `json:"scores"`
		Ranks       map[string]idxNum64   `json:"ranks"`
		Units       []row                 `json:"units"`
		Uncertainty *idxUncJSON           `json:"uncertainty,omitempty"`
		Peers       []composite.Peer      `json:"peers,omitempty"`
		Provenance  provenance            `json:"provenance"`
	}{Provenance: prov, Framework: r.fw.Code, Data: r.source, Hashes: r.hashes, Period: x.Periods[t], Method: x.Method, ScopeNote: idxScopeNote(x),
		Scores: map[string]idxNum64{}, Ranks: map[string]idxNum64{}, Uncertainty: idxUncertaintyJSON(ur), Peers: peers}
	for u, code := range x.Units {
		i := x.Row(u, t)
		out.Scores[code], out.Ranks[code] = idxNum64(x.Score[0][i]), idxNum64(x.Rank[i])
		rw := row{Unit: code, Name: r.unitName(u), Score: idxNum64(x.Score[0][i]), Relative: idxNum64(x.Relative[0][i]), Rank: idxNum64(x.Rank[i]),
			PeerRank: map[string]idxNum64{}, Grade: x.Grade[i], Veto: x.Veto[i], Attainment: idxNum64(x.Attainment[i]), U4SSC: idxNum64(x.U4SSC.Mean[i]),
			Quality: x.Quality[0][i].String()}
		for k, pr := range x.PeerRank {
			rw.PeerRank[k] = idxNum64(pr[i])
		}
		out.Units = append(out.Units, rw)
	}
	return writeJSON(w, out)
}

func rankCSV(w io.Writer, r *idxRun, x *composite.Index, t int, ur *composite.UncertaintyResult) error {
	head := []string{"unit", "name", "period", "score", "relative_0_10", "rank", "rank_region", "rank_tier", "rank_province", "grade", "veto", "attainment", "u4ssc_mean", "quality", "scope"}
	if ur != nil {
		head = append(head, "median_rank", "p05_rank", "p95_rank")
	}
	rows := [][]string{head}
	for u, code := range x.Units {
		i := x.Row(u, t)
		row := []string{code, r.unitName(u), x.Periods[t], idxNum(x.Score[0][i], 6), idxNum(x.Relative[0][i], 2), idxNum(x.Rank[i], 1)}
		for _, k := range []string{"region", "tier", "province"} {
			v := ""
			if pr, ok := x.PeerRank[k]; ok {
				v = idxNum(pr[i], 1)
			}
			row = append(row, v)
		}
		row = append(row, x.Grade[i], strings.Join(x.Veto[i], ";"), idxNum(x.Attainment[i], 4), idxNum(x.U4SSC.Mean[i], 3), x.Quality[0][i].String(), x.Method.Scope)
		if ur != nil {
			uu := ur.Units[u]
			row = append(row, idxNum(uu.Median, 1), idxNum(uu.P05, 1), idxNum(uu.P95, 1))
		}
		rows = append(rows, row)
	}
	return writeRows(w, "csv", rows)
}

// matrixRank ranks a plain decision matrix: TOPSIS (vector normalisation
// by default, min-max with --topsis-norm minmax) and GRA on the values as given with directions; linear on the
// direction-aware min-max normalised values; geometric on the
// direction-aware linear normalisation (x/max, min/x), which stays
// positive. Ranks: 1 best, ties share the mean rank.
func matrixRank(env *Env, input, wfile, method, dirSpec, topsisNorm, format, provFile string) error {
	if wfile == "" {
		return userErrorf("--input needs --weights W.json (write one with cityimpact weights --input %s --format json)", input)
	}
	m, err := idxReadMatrix(input, false)
	if err != nil {
		return err
	}
	dirs, err := idxParseDirections(dirSpec, len(m.crits))
	if err != nil {
		return err
	}
	b, err := os.ReadFile(wfile)
	if err != nil {
		return &UserError{err}
	}
	var wrap struct {
		Weights map[string]float64 `json:"weights"`
	}
	var plain map[string]float64
	wm := map[string]float64{}
	if json.Unmarshal(b, &wrap) == nil && wrap.Weights != nil {
		wm = wrap.Weights
	} else if err := json.Unmarshal(b, &plain); err == nil {
		wm = plain
	} else {
		return userErrorf("%s: want {\"weights\": {criterion: w}} or {criterion: w}: %v", wfile, err)
	}
	w := make([]float64, len(m.crits))
	var missing []string
	for j, c := range m.crits {
		v, ok := wm[c]
		if !ok {
			missing = append(missing, c)
		}
		w[j] = v
	}
	if len(missing) > 0 {
		return userErrorf("%s: no weight for criteria %s", wfile, strings.Join(missing, ", "))
	}
	for c := range wm {
		if !slices.Contains(m.crits, c) {
			return userErrorf("%s: weight for %q, which is not a criterion of %s", wfile, c, input)
		}
	}
	if err := composite.CheckWeights(w); err != nil {
		return userErrorf("%s: %v", wfile, err)
	}
	var s []float64
	normed := func(nm composite.NormMethod) ([][]float64, error) {
		cols := make([][]float64, len(m.cols))
		for j, c := range m.cols {
			var err error
			if cols[j], err = (composite.Normaliser{Method: nm, Direction: dirs[j]}).Apply(nil, c); err != nil {
				return nil, userErrorf("%s: criterion %q: %v", input, m.crits[j], err)
			}
		}
		return cols, nil
	}
	switch strings.ToLower(method) {
	case "topsis":
		var o composite.TOPSISOptions
		switch topsisNorm {
		case "vector":
		case "minmax":
			o.Norm = composite.TOPSISMinMax
		default:
			return userErrorf("--topsis-norm: want vector or minmax, not %q", topsisNorm)
		}
		s, err = composite.TOPSIS(nil, m.cols, w, dirs, o)
	case "gra":
		s, err = composite.GreyRelational(nil, m.cols, w, dirs, composite.GRAOptions{})
	case "linear":
		var cols [][]float64
		if cols, err = normed(composite.MinMax); err == nil {
			s, err = composite.Arithmetic(nil, cols, w, composite.AggOptions{})
		}
	case "geometric":
		var cols [][]float64
		if cols, err = normed(composite.Linear); err == nil {
			s, err = composite.Geometric(nil, cols, w, composite.AggOptions{})
		}
	default:
		return userErrorf("--method: unknown ranking method %q (want topsis, gra, linear or geometric)", method)
	}
	if err != nil {
		var ue *UserError
		if errors.As(err, &ue) {
			return err
		}
		return userErrorf("%s: %v", input, err)
	}
	ranks := make([]float64, len(s))
	for i, r := range idxRankDesc(s) {
		ranks[i] = r
	}
	// The JSON shape is a fixed interface ({"scores", "ranks"} only), so the
	// provenance goes to --provenance FILE.
	if provFile != "" {
		prov, err := matrixProvenance("rank", map[string]string{"method": strings.ToLower(method), "directions": dirSpec, "topsis_norm": topsisNorm}, input, wfile)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := writeJSON(&b, prov); err != nil {
			return err
		}
		if err := writeFileAtomic(provFile, b.Bytes()); err != nil {
			return &UserError{err}
		}
	}
	if format == "json" {
		out := struct {
			Scores map[string]idxNum64 `json:"scores"`
			Ranks  map[string]idxNum64 `json:"ranks"`
		}{map[string]idxNum64{}, map[string]idxNum64{}}
		for i, a := range m.alts {
			out.Scores[a], out.Ranks[a] = idxNum64(s[i]), idxNum64(ranks[i])
		}
		return writeJSON(env.Stdout, out)
	}
	rows := [][]string{{"alternative", "score", "rank"}}
	for i, a := range m.alts {
		rows = append(rows, []string{a, idxNum(s[i], 6), strconv.FormatFloat(ranks[i], 'g', -1, 64)})
	}
	return writeRows(env.Stdout, format, rows)
}

// idxRankDesc returns ranks with 1 for the largest value, ties sharing the mean.
func idxRankDesc(s []float64) []float64 {
	r := make([]float64, len(s))
	composite.Ranks(r, s, composite.Benefit)
	m := 0
	for _, v := range s {
		if !math.IsNaN(v) {
			m++
		}
	}
	for i := range r {
		r[i] = float64(m) + 1 - r[i]
	}
	return r
}

// idxUncJSON is composite.UncertaintyResult with missing values as null.
type idxUncJSON struct {
	Period      string         `json:"period"`
	Replicates  int            `json:"replicates"`
	Evaluations int            `json:"evaluations"`
	Seed        uint64         `json:"seed"`
	Units       []idxUncUnit   `json:"units"`
	MeanShift   idxNum64       `json:"mean_abs_rank_shift"`
	Sensitivity []idxUncFactor `json:"sensitivity"`
	LeaveOneOut []idxUncLOO    `json:"leave_one_out"`
}

type idxUncUnit struct {
	Unit     string   `json:"unit"`
	Baseline idxNum64 `json:"baseline_rank"`
	Median   idxNum64 `json:"median_rank"`
	P05      idxNum64 `json:"p05"`
	P95      idxNum64 `json:"p95"`
}

type idxUncFactor struct {
	Factor string   `json:"factor"`
	First  idxNum64 `json:"first_order"`
	Total  idxNum64 `json:"total"`
}

type idxUncLOO struct {
	Indicator string   `json:"indicator"`
	MeanShift idxNum64 `json:"mean_abs_shift"`
	MaxShift  idxNum64 `json:"max_abs_shift"`
	MaxUnit   string   `json:"max_unit"`
}

func idxUncertaintyJSON(ur *composite.UncertaintyResult) *idxUncJSON {
	if ur == nil {
		return nil
	}
	out := &idxUncJSON{Period: ur.Period, Replicates: ur.Replicates, Evaluations: ur.Evaluations, Seed: ur.Seed, MeanShift: idxNum64(ur.MeanShift)}
	for _, u := range ur.Units {
		out.Units = append(out.Units, idxUncUnit{u.Unit, idxNum64(u.Baseline), idxNum64(u.Median), idxNum64(u.P05), idxNum64(u.P95)})
	}
	for _, f := range ur.Sensitivity {
		out.Sensitivity = append(out.Sensitivity, idxUncFactor{f.Factor, idxNum64(f.First), idxNum64(f.Total)})
	}
	for _, l := range ur.LeaveOneOut {
		out.LeaveOneOut = append(out.LeaveOneOut, idxUncLOO{l.Indicator, idxNum64(l.MeanShift), idxNum64(l.MaxShift), l.MaxUnit})
	}
	return out
}
