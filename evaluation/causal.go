package evaluation

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/framework"
)

// causalInput is what a causal method gets: the estimation frame (factor
// columns unit, province, region, tier; float columns year, cohort (first
// treated year, NaN never), treat (1{year ≥ cohort}), every indicator and
// the outcome), the outcome's column name and the options.
type causalInput struct {
	spec     *Spec
	frame    *econ.Frame
	outcome  string // node code
	column   string // its column in frame
	controls []string
	fe       []string // extra fixed effects (region^year)
	opts     econ.Options
	// cases are the unit codes of the case cities.
	cases []string
	// bacon is set by the bacon method, for the comparison.
	bacon *econ.BaconResult
	// baseline is the mean of the outcome over treated units before their
	// adoption, the denominator of Estimate.Relative.
	baseline float64
}

// formula returns "y ~ rhs + controls | unit + year [+ region^year]".
func (in *causalInput) formula(rhs string) string {
	terms := append([]string{rhs}, in.controls...)
	fe := append([]string{"unit", "year"}, in.fe...)
	return fmt.Sprintf("%s ~ %s | %s", in.column, strings.Join(terms, " + "), strings.Join(fe, " + "))
}

// method is one causal method of the pipeline.
type method struct {
	label Text
	run   func(in *causalInput, m *MethodResult) error
	// firstOnly runs the method on the first outcome only (the costly
	// single-unit counterfactuals of the case cities).
	firstOnly bool
}

// methods is the registry of causal methods, by the name a spec uses.
// The heterogeneity-robust estimators and synthetic control join it as
// they land in econ.
var methods = map[string]method{
	"twfe":              {Text{Zh: "双向固定效应DID", En: "Two-way fixed-effects DID"}, runTWFE, false},
	"event_study":       {Text{Zh: "事件研究（平行趋势检验）", En: "Event study (parallel-trends check)"}, runEventStudy, false},
	"placebo":           {Text{Zh: "安慰剂检验（随机分配试点城市）", En: "Placebo test (pilot status reassigned at random)"}, runPlacebo, false},
	"sunab":             {Text{Zh: "Sun–Abraham 交互加权估计", En: "Sun–Abraham interaction-weighted estimator"}, runSunab, false},
	"callaway_santanna": {Text{Zh: "Callaway–Sant'Anna 组别-时期ATT", En: "Callaway–Sant'Anna group-time ATT"}, runCS, false},
}

// MethodNames lists the causal methods a spec may name, sorted.
func MethodNames() []string {
	out := make([]string, 0, len(methods))
	for k := range methods {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// outcomes resolves the spec's outcomes to node indices: "goal", every
// dimension for "dimensions", or node codes.
func (r *run) outcomes() ([]int, error) {
	var out []int
	seen := map[int]bool{}
	add := func(k int) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for i, o := range r.spec.Policy.Outcomes {
		path := fmt.Sprintf("policy.outcomes[%d]", i)
		switch o {
		case "goal", "index":
			add(0)
		case "dimensions":
			for k, n := range r.res.Framework.Nodes {
				if n.Depth == 1 && !n.Indicator && r.idx.ofNode[k] >= 0 {
					add(k)
				}
			}
		default:
			k, ok := r.nodeIx[o]
			if !ok {
				return nil, r.spec.errorAt(path, fmt.Errorf("%w: outcome %q is neither goal, dimensions nor a node of framework %s%s",
					ErrBadValue, o, r.fw.Code, suggestCode(o, r.nodeCodes())))
			}
			if r.idx.ofNode[k] < 0 {
				why := "it was left out of the index"
				for _, d := range r.res.Data.Dropped {
					if d.Code == o {
						why = d.Reason
					}
				}
				return nil, r.spec.errorAt(path, fmt.Errorf("%w: outcome %q is not in the data (%s)", ErrBadValue, o, why))
			}
			add(k)
		}
	}
	return out, nil
}

func (r *run) nodeCodes() []string {
	out := make([]string, len(r.nodes))
	for k, n := range r.nodes {
		out[k] = n.Code
	}
	return out
}

func suggestCode(s string, known []string) string {
	if n := framework.Suggest(s, known); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

// causal runs every method on every outcome.
func (r *run) causal() error {
	s, p := r.spec, r.p
	outs, err := r.outcomes()
	if err != nil {
		return err
	}
	for i, c := range s.Causal.Controls {
		if !p.Has(c) || !identRE.MatchString(c) {
			return s.errorAt(fmt.Sprintf("causal.controls[%d]", i), fmt.Errorf("%w: control %q is not an indicator of the data", ErrBadValue, c))
		}
	}
	for i, c := range s.Causal.Mediators {
		if !p.Has(c) || !identRE.MatchString(c) {
			return s.errorAt(fmt.Sprintf("causal.mediators[%d]", i), fmt.Errorf("%w: mediator %q is not an indicator of the data%s", ErrBadValue, c, suggestCode(c, p.Indicators())))
		}
	}
	f, err := econ.PanelFrame(p)
	if err != nil {
		return err
	}
	T := p.NPeriods()
	cohort := p.Cohort(s.Policy.Name)
	year, _ := f.Float("year")
	coh := make([]float64, p.Rows())
	treat := make([]float64, p.Rows())
	for u := range p.NUnits() {
		cy := math.NaN()
		if cohort[u] != math.MinInt {
			cy = float64(p.Start.Add(cohort[u]).Year())
		}
		for t := range T {
			i := u*T + t
			coh[i] = cy
			if !math.IsNaN(cy) && year[i] >= cy {
				treat[i] = 1
			}
		}
	}
	if err := f.AddFloat("cohort", coh); err != nil {
		return err
	}
	if err := f.AddFloat("treat", treat); err != nil {
		return err
	}
	opts := econ.Options{Level: s.Causal.Level, Workers: r.opt.Workers}
	switch s.Causal.Cluster {
	case "unit":
		opts.VCov, opts.Cluster = econ.VCovCluster, []string{"unit"}
	case "province":
		opts.VCov, opts.Cluster = econ.VCovCluster, []string{"province"}
	default:
		opts.VCov = econ.VCovHC1
	}
	methodList := r.methodList()
	var cases []string
	for _, u := range r.res.Units {
		if u.Case {
			cases = append(cases, u.Code)
		}
	}
	var fe []string
	if s.Causal.RegionTrends {
		fe = []string{"region^year"}
	}
	for _, k := range outs {
		code := r.nodes[k].Code
		col := code
		var y []float64
		if r.nodes[k].IsIndicator() {
			y = p.Col(code)
		} else {
			y = r.idx.x.Score[r.idx.ofNode[k]]
			if err := f.AddFloat(code, y); err != nil {
				col = fmt.Sprintf("outcome_%d", k)
				if err := f.AddFloat(col, y); err != nil {
					return err
				}
			}
		}
		if !identRE.MatchString(col) {
			col = fmt.Sprintf("outcome_%d", k)
			if err := f.AddFloat(col, y); err != nil {
				return err
			}
		}
		base, nb := 0.0, 0
		for i, v := range y {
			if !math.IsNaN(coh[i]) && treat[i] == 0 && !math.IsNaN(v) {
				base += v
				nb++
			}
		}
		in := &causalInput{spec: s, frame: f, outcome: code, column: col, controls: s.Causal.Controls, fe: fe,
			opts: opts, baseline: math.NaN(), cases: cases}
		if nb > 0 {
			in.baseline = base / float64(nb)
		}
		r.res.Policy.Outcomes = append(r.res.Policy.Outcomes, code)
		for _, name := range methodList {
			m := methods[name]
			if m.firstOnly && len(r.res.Policy.Outcomes) > 1 {
				continue
			}
			mr := MethodResult{Method: name, Outcome: code, Label: m.label, Estimates: []Estimate{}}
			began := time.Now()
			if err := m.run(in, &mr); err != nil {
				mr.Error = err.Error()
			}
			r.opt.Logf("causal: %s on %s in %.2fs", name, code, time.Since(began).Seconds())
			r.res.Causal = append(r.res.Causal, mr)
		}
		if c, ok := compare(code, r.res.Framework.Nodes[k].Name, r.res.Causal, in.bacon); ok {
			r.res.Comparisons = append(r.res.Comparisons, c)
		}
		r.trends(k, code, y, coh)
	}
	return nil
}

func estimateOf(c econ.Coef, baseline float64) Estimate {
	return Estimate{Term: c.Name, Value: Num(c.Estimate), SE: Num(c.SE), T: Num(c.T), P: Num(c.P),
		Low: Num(c.CILow), High: Num(c.CIHigh), Relative: Num(c.Estimate / baseline)}
}

func fillFit(m *MethodResult, res *econ.Result) {
	m.NObs = res.NObs
	m.VCov = res.VCovType
	m.R2 = numPtr(res.R2)
	if !math.IsNaN(res.R2Within) {
		m.R2Within = numPtr(res.R2Within)
	}
	m.Notes = append(m.Notes, res.Notes...)
}

func runTWFE(in *causalInput, m *MethodResult) error {
	m.Formula = in.formula("treat")
	res, err := econ.Estimate(in.frame, m.Formula, in.opts)
	if err != nil {
		return err
	}
	fillFit(m, res)
	for _, c := range res.Coefs {
		if c.Name == "treat" {
			m.Estimates = append(m.Estimates, estimateOf(c, in.baseline))
		}
	}
	if len(m.Estimates) == 0 {
		return fmt.Errorf("the treatment was dropped as collinear with the fixed effects")
	}
	return nil
}

func runEventStudy(in *causalInput, m *MethodResult) error {
	spec := econ.EventSpec{Outcome: in.column, Unit: "unit", Time: "year", Cohort: "cohort",
		Controls: in.controls, FE: in.fe, Lo: -in.spec.Causal.Leads, Hi: in.spec.Causal.Lags}
	es, err := econ.EstimateEventStudy(in.frame, spec, in.opts)
	if err != nil {
		return err
	}
	m.Formula = es.Formula
	fillFit(m, es.Fit)
	var post []string
	for _, pt := range es.Points {
		m.Points = append(m.Points, EventPoint{Rel: pt.RelTime, Value: Num(pt.Estimate), SE: Num(pt.SE),
			Low: Num(pt.CILow), High: Num(pt.CIHigh), Ref: pt.Ref})
		if pt.RelTime >= 0 && !pt.Ref && !pt.Dropped {
			post = append(post, es.RelName+"::"+strconv.Itoa(pt.RelTime))
		}
	}
	// The average of the post-treatment coefficients, with its variance
	// a'Va from the model's variance matrix.
	if e, ok := linearMean(es.Fit, post, in.baseline, in.spec.Causal.Level); ok {
		e.Term = "post_mean"
		m.Estimates = append(m.Estimates, e)
	}
	if w := es.PreTrend; w != nil {
		m.Tests = append(m.Tests, Test{Name: "pre_trends",
			Label: Text{Zh: "处理前系数联合为零（平行趋势）", En: "Pre-treatment coefficients jointly zero (parallel trends)"},
			Stat:  Num(w.F), DF: w.Q, P: Num(w.PF)})
	}
	return nil
}

// linearMean returns the mean of the named coefficients with its standard
// error sqrt(a'Va), t-based p-value and interval at the model's level.
func linearMean(res *econ.Result, names []string, baseline, level float64) (Estimate, bool) {
	if len(names) == 0 {
		return Estimate{}, false
	}
	idx := map[string]int{}
	for i, c := range res.Coefs {
		idx[c.Name] = i
	}
	var sel []int
	for _, n := range names {
		if i, ok := idx[n]; ok {
			sel = append(sel, i)
		}
	}
	if len(sel) == 0 {
		return Estimate{}, false
	}
	a := 1 / float64(len(sel))
	est, v := 0.0, 0.0
	for _, i := range sel {
		est += a * res.Coefs[i].Estimate
		for _, j := range sel {
			v += a * a * res.VCov[i][j]
		}
	}
	se := math.Sqrt(v)
	t := est / se
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: res.DFT}
	p, q := 2*dist.Survival(math.Abs(t)), dist.Quantile(1-(1-level)/2)
	return Estimate{Value: Num(est), SE: Num(se), T: Num(t), P: Num(p), Low: Num(est - q*se), High: Num(est + q*se),
		Relative: Num(est / baseline)}, true
}

func runPlacebo(in *causalInput, m *MethodResult) error {
	m.Formula = in.formula("treat")
	pl, err := econ.Permute(in.frame, econ.PlaceboSpec{Formula: m.Formula, Treat: "treat", Unit: "unit", Time: "year",
		Cohort: "cohort", Mode: econ.PermuteUnits, Draws: in.spec.Causal.Draws, Seed: in.spec.Causal.Seed}, in.opts)
	if err != nil {
		return err
	}
	m.Estimates = append(m.Estimates, Estimate{Term: "treat", Value: Num(pl.Estimate), SE: Num(pl.SD), T: NaN(), P: Num(pl.P),
		Low: NaN(), High: NaN(), Relative: Num(pl.Estimate / in.baseline)})
	m.Tests = append(m.Tests, Test{Name: "placebo",
		Label: Text{Zh: fmt.Sprintf("随机置换%d次的置换p值", len(pl.Draws)), En: fmt.Sprintf("permutation p-value over %d reassignments", len(pl.Draws))},
		Stat:  Num(pl.Estimate), P: Num(pl.P)})
	d := make([]float64, 0, len(pl.Draws))
	for _, v := range pl.Draws {
		if !math.IsNaN(v) {
			d = append(d, v)
		}
	}
	sort.Float64s(d)
	m.Distribution = nums(d)
	m.Notes = append(m.Notes, fmt.Sprintf("%s; %d units, %d treated; SE column is the SD of the placebo distribution", pl.Method, pl.Units, pl.Treated))
	if pl.Invalid > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d draws collinear and left out", pl.Invalid))
	}
	return nil
}

func runSunab(in *causalInput, m *MethodResult) error {
	// Never-treated units need a cohort outside the sample period for
	// sunab(): use a year after the last one.
	coh, _ := in.frame.Float("cohort")
	year, _ := in.frame.Float("year")
	last := math.Inf(-1)
	for _, y := range year {
		last = max(last, y)
	}
	col := "cohort_sunab"
	if _, ok := in.frame.Float(col); !ok {
		c := make([]float64, len(coh))
		for i, v := range coh {
			c[i] = v
			if math.IsNaN(v) {
				c[i] = last + 1000
			}
		}
		if err := in.frame.AddFloat(col, c); err != nil {
			return err
		}
	}
	m.Formula = in.formula(fmt.Sprintf("sunab(%s, year)", col))
	res, err := econ.Estimate(in.frame, m.Formula, in.opts)
	if err != nil {
		return err
	}
	fillFit(m, res)
	att, err := res.Aggregate(econ.AggATT)
	if err != nil {
		return err
	}
	for _, c := range att.Coefs {
		if c.Name == "ATT" {
			m.Estimates = append(m.Estimates, estimateOf(c, in.baseline))
		}
	}
	per, err := res.Aggregate(econ.AggPeriod)
	if err != nil {
		return err
	}
	var pre []string
	for _, c := range per.Coefs {
		name, k, ok := strings.Cut(c.Name, "::")
		if !ok || name != "year" {
			continue
		}
		rel, err := strconv.Atoi(k)
		if err != nil {
			continue
		}
		m.Points = append(m.Points, EventPoint{Rel: rel, Value: Num(c.Estimate), SE: Num(c.SE), Low: Num(c.CILow), High: Num(c.CIHigh)})
		if rel < 0 {
			pre = append(pre, c.Name)
		}
	}
	m.Points = append(m.Points, EventPoint{Rel: -1, Ref: true})
	sort.Slice(m.Points, func(i, j int) bool { return m.Points[i].Rel < m.Points[j].Rel })
	if len(pre) > 0 {
		if w, err := econ.Wald(per, pre); err == nil {
			m.Tests = append(m.Tests, Test{Name: "pre_trends",
				Label: Text{Zh: "处理前系数联合为零（平行趋势）", En: "Pre-treatment coefficients jointly zero (parallel trends)"},
				Stat:  Num(w.F), DF: w.Q, P: Num(w.PF)})
		}
	}
	return nil
}

func runCS(in *causalInput, m *MethodResult) error {
	f := in.frame
	unitF, _ := f.Factor("unit")
	year, _ := f.Float("year")
	coh, _ := f.Float("cohort")
	y, _ := f.Float(in.column)
	// causal.controls are did's xformla: each 2×2 comparison conditions on
	// their base-period values, doubly robust (DRDID).
	ctrl := make([][]float64, len(in.controls))
	for k, c := range in.controls {
		v, ok := f.Float(c)
		if !ok {
			return fmt.Errorf("control %q is not a numeric column of the data", c)
		}
		ctrl[k] = v
	}
	// The estimator needs a balanced panel: units with a missing outcome
	// (or control) in any period are left out (and counted in a note).
	incomplete := map[int32]bool{}
	for i, v := range y {
		if math.IsNaN(v) {
			incomplete[unitF.Codes[i]] = true
		}
		for _, x := range ctrl {
			if math.IsNaN(x[i]) {
				incomplete[unitF.Codes[i]] = true
			}
		}
	}
	prov, hasProv := f.Factor("province")
	cluster := in.spec.Causal.Cluster == "province" && hasProv
	var d econ.CSData
	if len(ctrl) > 0 {
		d.Covariates = make([][]float64, len(ctrl))
		d.CovariateNames = in.controls
	}
	for i := range f.Len() {
		if incomplete[unitF.Codes[i]] {
			continue
		}
		d.Unit = append(d.Unit, unitF.Levels[unitF.Codes[i]])
		d.Time = append(d.Time, int(year[i]))
		d.Outcome = append(d.Outcome, y[i])
		c := 0
		if !math.IsNaN(coh[i]) {
			c = int(coh[i])
		}
		d.Cohort = append(d.Cohort, c)
		for k, x := range ctrl {
			d.Covariates[k] = append(d.Covariates[k], x[i])
		}
		if cluster {
			lab := ""
			if c := prov.Codes[i]; c >= 0 {
				lab = prov.Levels[c]
			}
			d.Cluster = append(d.Cluster, lab)
		}
	}
	n := len(d.Unit)
	if len(incomplete) > 0 {
		what := "outcome"
		if len(ctrl) > 0 {
			what = "outcome or control"
		}
		m.Notes = append(m.Notes, fmt.Sprintf("%d units with a missing %s in some period left out (the estimator needs a balanced panel)", len(incomplete), what))
	}
	if len(ctrl) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("doubly robust 2×2 comparisons conditioning on the base-period values of %s", strings.Join(in.controls, ", ")))
	}
	cs, err := econ.CallawaySantAnna(d, econ.CSOptions{Control: econ.CSNotYetTreated, Alpha: 1 - in.spec.Causal.Level,
		Workers: in.opts.Workers})
	if err != nil {
		return err
	}
	m.NObs = n
	m.VCov = "influence function, clustered by unit"
	if d.Cluster != nil {
		m.VCov = "influence function, clustered by province"
	}
	z := distuv.UnitNormal.Quantile(1 - (1-in.spec.Causal.Level)/2)
	mk := func(term string, att, se float64) Estimate {
		t := att / se
		return Estimate{Term: term, Value: Num(att), SE: Num(se), T: Num(t), P: Num(normalP(t)),
			Low: Num(att - z*se), High: Num(att + z*se), Relative: Num(att / in.baseline)}
	}
	m.Estimates = append(m.Estimates, mk("ATT", cs.Simple.ATT, cs.Simple.SE))
	for _, e := range cs.Dynamic.By {
		c := cs.Dynamic.CritVal
		m.Points = append(m.Points, EventPoint{Rel: e.Key, Value: Num(e.ATT), SE: Num(e.SE),
			Low: Num(e.ATT - c*e.SE), High: Num(e.ATT + c*e.SE)})
	}
	if pt := cs.PreTest; pt != nil {
		m.Tests = append(m.Tests, Test{Name: "pre_trends",
			Label: Text{Zh: "处理前ATT(g,t)联合为零（Wald预检验）", En: "Pre-treatment ATT(g,t) jointly zero (Wald pre-test)"},
			Stat:  Num(pt.W), DF: pt.DF, P: Num(pt.P)})
	}
	m.Notes = append(m.Notes, fmt.Sprintf("not-yet-treated comparison units; %d units; %d dropped as treated in the first period", cs.N, len(cs.Dropped)))
	return nil
}

// normalP is the two-sided normal p-value of statistic t, accurate in the
// far tail (erfc, not 1 − Φ).
func normalP(t float64) float64 { return math.Erfc(math.Abs(t) / math.Sqrt2) }

// methodList is the spec's methods plus, under staggered adoption (two or
// more cohorts), Callaway–Sant'Anna and the Goodman-Bacon decomposition
// when the spec left them out: TWFE alone is biased when effects differ
// across cohorts or over time (Goodman-Bacon 2021), so the evaluation
// always shows a heterogeneity-robust estimate and the diagnostic beside it.
// Each addition is noted in Results.Notes.
func (r *run) methodList() []string {
	list := append([]string{}, r.spec.Causal.Methods...)
	if len(r.res.Policy.Cohorts) < 2 {
		return list
	}
	for _, add := range []string{"callaway_santanna", "bacon"} {
		if !slices.Contains(list, add) {
			list = append(list, add)
			r.res.Notes = append(r.res.Notes, fmt.Sprintf("adoption is staggered (%d cohorts): %s added to the methods", len(r.res.Policy.Cohorts), add))
		}
	}
	return list
}
