package evaluation

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/econ"
	"gonum.org/v1/gonum/stat/distuv"
)

func init() {
	methods["imputation"] = method{Text{Zh: "插补估计量（Borusyak–Jaravel–Spiess）", En: "Imputation estimator (Borusyak–Jaravel–Spiess)"}, runImputation, false}
	methods["bacon"] = method{Text{Zh: "Goodman-Bacon 分解（TWFE的比较构成）", En: "Goodman-Bacon decomposition of TWFE"}, runBacon, false}
	methods["sdid"] = method{Text{Zh: "合成双重差分（案例城市）", En: "Synthetic DID (case cities)"}, runSDID, true}
	methods["sdid_staggered"] = method{Text{Zh: "合成双重差分（全部试点，分批采纳）", En: "Synthetic DID (all pilots, staggered)"}, runSDIDStaggered, false}
}

func runImputation(in *causalInput, m *MethodResult) error {
	spec := econ.ImputationSpec{Outcome: in.column, Unit: "unit", Time: "year", Cohort: "cohort",
		Controls: in.controls, AllHorizons: true, PreTrends: in.spec.Causal.Leads}
	if len(in.fe) > 0 {
		// region_trends: the Y(0) model gets the same extra fixed effects
		// (region^year) as TWFE.
		spec.FixedEffects = append([]string{"unit", "year"}, in.fe...)
	}
	if in.spec.Causal.Cluster == "province" {
		spec.Cluster = "province"
	}
	opts := in.opts
	res, err := econ.EstimateImputation(in.frame, spec, opts)
	if err != nil {
		return err
	}
	m.NObs = res.NObs
	m.VCov = fmt.Sprintf("BJS conservative, clustered (%d clusters)", res.Clusters)
	z := distuv.UnitNormal.Quantile(1 - (1-in.spec.Causal.Level)/2)
	mk := func(e econ.ImputationEffect, term string) Estimate {
		t := e.Estimate / e.SE
		return Estimate{Term: term, Value: Num(e.Estimate), SE: Num(e.SE), T: Num(t),
			P: Num(normalP(t)), Low: Num(e.Estimate - z*e.SE), High: Num(e.Estimate + z*e.SE),
			Relative: Num(e.Estimate / in.baseline)}
	}
	m.Estimates = append(m.Estimates, mk(res.Overall, "ATT"))
	if pt := res.PreTrend; pt != nil {
		for _, c := range pt.Leads {
			k, err := strconv.Atoi(c.Name)
			if err != nil {
				continue
			}
			m.Points = append(m.Points, EventPoint{Rel: k, Value: Num(c.Estimate), SE: Num(c.SE), Low: Num(c.CILow), High: Num(c.CIHigh)})
		}
		if w := pt.Wald; w != nil {
			m.Tests = append(m.Tests, Test{Name: "pre_trends",
				Label: Text{Zh: "未处理样本中处理前各期系数联合为零（BJS检验）", En: "Leads jointly zero on untreated observations (BJS test)"},
				Stat:  Num(w.F), DF: w.Q, P: Num(w.PF)})
		}
	}
	for _, h := range res.Horizons {
		m.Points = append(m.Points, EventPoint{Rel: h.Horizon, Value: Num(h.Estimate), SE: Num(h.SE),
			Low: Num(h.Estimate - z*h.SE), High: Num(h.Estimate + z*h.SE)})
	}
	m.Notes = append(m.Notes, res.Notes...)
	if res.NNotImputed > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d treated cells could not be imputed (no untreated observation of their unit or period)", res.NNotImputed))
	}
	return nil
}

// balanced returns the rows of units whose outcome, and every column of
// also, is present in every period, and how many units were left out.
func balanced(in *causalInput, also ...[]float64) (rows []int, dropped int) {
	unit, _ := in.frame.Factor("unit")
	y, _ := in.frame.Float(in.column)
	bad := map[int32]bool{}
	for i, v := range y {
		if math.IsNaN(v) {
			bad[unit.Codes[i]] = true
		}
	}
	for _, x := range also {
		for i, v := range x {
			if math.IsNaN(v) {
				bad[unit.Codes[i]] = true
			}
		}
	}
	for i := range y {
		if !bad[unit.Codes[i]] {
			rows = append(rows, i)
		}
	}
	return rows, len(bad)
}

func runBacon(in *causalInput, m *MethodResult) error {
	rows, dropped := balanced(in)
	unit, _ := in.frame.Factor("unit")
	y, _ := in.frame.Float(in.column)
	year, _ := in.frame.Float("year")
	treat, _ := in.frame.Float("treat")
	f := econ.NewFrame(len(rows))
	codes := make([]int32, len(rows))
	yy, tt, dd := make([]float64, len(rows)), make([]float64, len(rows)), make([]float64, len(rows))
	for j, i := range rows {
		codes[j], yy[j], tt[j], dd[j] = unit.Codes[i], y[i], year[i], treat[i]
	}
	for _, err := range []error{f.AddFactor("unit", codes, unit.Levels), f.AddFloat("y", yy), f.AddFloat("year", tt), f.AddFloat("treat", dd)} {
		if err != nil {
			return err
		}
	}
	res, err := econ.Bacon(f, econ.BaconSpec{Outcome: "y", Treat: "treat", Unit: "unit", Time: "year"})
	if err != nil {
		return err
	}
	in.bacon = res
	m.NObs = len(rows)
	m.Estimates = append(m.Estimates, Estimate{Term: "TWFE", Value: Num(res.TWFE), SE: NaN(), T: NaN(), P: NaN(),
		Low: NaN(), High: NaN(), Relative: Num(res.TWFE / in.baseline)})
	for _, s := range res.ByType {
		m.Estimates = append(m.Estimates, Estimate{Term: s.Type, Value: Num(s.Estimate), SE: NaN(), T: NaN(), P: NaN(),
			Low: NaN(), High: NaN(), Relative: NaN()})
		m.Notes = append(m.Notes, fmt.Sprintf("%s: weight %.4f, estimate %.6g over %d comparisons", s.Type, s.Weight, s.Estimate, s.Pairs))
	}
	if dropped > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d units with a missing outcome left out (the decomposition needs a balanced panel)", dropped))
	}
	m.Notes = append(m.Notes, res.Notes...)
	return nil
}

// sdidPlacebo caps the placebo replications of each case city's SE.
const sdidPlacebo = 50

// runSDID estimates, for every treated case city, the synthetic DID of
// that city alone against the never-treated cities (Arkhangelsky et al.
// 2021), with the placebo standard error (one treated unit has no
// jackknife SE), on the first outcome only (normally the index).
// Points hold the first case city's gap curve by time
// relative to adoption.
func runSDID(in *causalInput, m *MethodResult) error {
	unit, _ := in.frame.Factor("unit")
	y, _ := in.frame.Float(in.column)
	year, _ := in.frame.Float("year")
	coh, _ := in.frame.Float("cohort")
	cases := in.cases
	if len(cases) == 0 {
		return fmt.Errorf("no case city is treated: name treated cities in report.cases")
	}
	// causal.controls enter as time-varying covariates fitted jointly with
	// the weights (synthdid's sc.weight.fw.covariates).
	ctrl := make([][]float64, len(in.controls))
	for k, c := range in.controls {
		v, ok := in.frame.Float(c)
		if !ok {
			return fmt.Errorf("control %q is not a numeric column of the data", c)
		}
		ctrl[k] = v
	}
	rows, dropped := balanced(in, ctrl...)
	done := 0
	for _, c := range cases {
		var d econ.SynthData
		if len(ctrl) > 0 {
			d.Covariates = make(map[string][]float64, len(ctrl))
		}
		cy := math.NaN()
		for _, i := range rows {
			lev := unit.Levels[unit.Codes[i]]
			if lev == c {
				cy = coh[i]
			}
		}
		if math.IsNaN(cy) {
			m.Notes = append(m.Notes, fmt.Sprintf("case city %s: never treated or missing outcomes; skipped", c))
			continue
		}
		for _, i := range rows {
			lev := unit.Levels[unit.Codes[i]]
			if lev != c && !math.IsNaN(coh[i]) {
				continue // other treated units are not controls
			}
			d.Unit = append(d.Unit, lev)
			d.Time = append(d.Time, int(year[i]))
			d.Outcome = append(d.Outcome, y[i])
			tr := 0.0
			if lev == c && year[i] >= cy {
				tr = 1
			}
			d.Treat = append(d.Treat, tr)
			for k, name := range in.controls {
				d.Covariates[name] = append(d.Covariates[name], ctrl[k][i])
			}
		}
		p, err := econ.NewSynthPanel(d, in.outcome)
		if err != nil {
			m.Notes = append(m.Notes, fmt.Sprintf("case city %s: %v", c, err))
			continue
		}
		res, err := econ.SyntheticDID(p, econ.SDIDOptions{Placebo: min(in.spec.Causal.Draws, sdidPlacebo), Seed: in.spec.Causal.Seed,
			Workers: in.opts.Workers, Covariates: in.controls})
		if err != nil {
			m.Notes = append(m.Notes, fmt.Sprintf("case city %s: %v", c, err))
			continue
		}
		z := distuv.UnitNormal.Quantile(1 - (1-in.spec.Causal.Level)/2)
		se := res.PlaceboSE
		t := res.Estimate / se
		m.Estimates = append(m.Estimates, Estimate{Term: c, Value: Num(res.Estimate), SE: Num(se), T: Num(t),
			P: Num(normalP(t)), Low: Num(res.Estimate - z*se), High: Num(res.Estimate + z*se),
			Relative: Num(res.Estimate / in.baseline)})
		if done == 0 {
			pl := res.Plot
			for k, tm := range pl.Times {
				gap := pl.Treated[k] - pl.Synthetic[k] - pl.Offset
				m.Points = append(m.Points, EventPoint{Rel: tm - int(cy), Value: Num(gap), SE: NaN(), Low: NaN(), High: NaN(),
					Ref: false})
			}
			m.Notes = append(m.Notes, fmt.Sprintf("plotted: the gap between %s and its synthetic control (offset by the λ-weighted pre-period gap)", c))
		}
		if len(res.Beta) > 0 {
			parts := make([]string, len(res.Beta))
			for k, b := range res.Beta {
				parts[k] = fmt.Sprintf("%s %.4g", res.Covariates[k], b)
			}
			m.Notes = append(m.Notes, fmt.Sprintf("case city %s: outcome adjusted for controls, β: %s", c, strings.Join(parts, ", ")))
		}
		m.NObs += len(d.Unit)
		done++
	}
	if dropped > 0 {
		what := "outcome"
		if len(ctrl) > 0 {
			what = "outcome or control"
		}
		m.Notes = append(m.Notes, fmt.Sprintf("%d units with a missing %s left out (the estimator needs a balanced panel)", dropped, what))
	}
	if done == 0 {
		return fmt.Errorf("no treated case city could be estimated")
	}
	m.VCov = fmt.Sprintf("placebo (%d reassignments among never-treated cities)", min(in.spec.Causal.Draws, sdidPlacebo))
	return nil
}

func init() {
	methods["mediation"] = method{Text{Zh: "机制检验（中介效应）", En: "Mechanism test (mediation)"}, runMediation, false}
}

// runMediation runs, for every mediator M, the three regressions of the
// stepwise mechanism test with the TWFE design; the D → M effect a is the
// credible part (江艇 2022), a·b with its Sobel SE is reported with that
// caveat in the notes.
func runMediation(in *causalInput, m *MethodResult) error {
	for _, med := range in.spec.Causal.Mediators {
		if med == in.outcome {
			continue
		}
		fe := append([]string{"unit", "year"}, in.fe...)
		res, err := econ.EstimateMediation(in.frame, econ.MediationSpec{Outcome: in.column, Treat: "treat", Mediator: med,
			Controls: in.controls, FE: fe}, in.opts)
		if err != nil {
			m.Notes = append(m.Notes, fmt.Sprintf("mediator %s: %v", med, err))
			continue
		}
		m.NObs = res.NObs
		m.VCov = res.Total.VCovType
		a := estimateOf(res.A, math.NaN())
		a.Term = "a: treat → " + med
		b := estimateOf(res.B, math.NaN())
		b.Term = "b: " + med + " → outcome"
		z := distuv.UnitNormal.Quantile(1 - (1-in.spec.Causal.Level)/2)
		ind := Estimate{Term: "a·b via " + med, Value: Num(res.Indirect), SE: Num(res.SobelSE), T: Num(res.SobelZ),
			P: Num(res.SobelP), Low: Num(res.Indirect - z*res.SobelSE), High: Num(res.Indirect + z*res.SobelSE),
			Relative: Num(res.Share)}
		m.Estimates = append(m.Estimates, a, b, ind)
		m.Notes = append(m.Notes, fmt.Sprintf("%s: share mediated a·b/c = %.3f (c = %.6g, c' = %.6g); Relative of the a·b row is that share", med, res.Share, res.C.Estimate, res.CPrime.Estimate))
	}
	if len(m.Estimates) == 0 {
		return fmt.Errorf("no mediator could be estimated")
	}
	m.Notes = append(m.Notes, "a (treat → mediator) is identified by the DID design; b and a·b are causal only if the mediator is as good as random given treatment and the fixed effects (江艇 2022; Imai, Keele & Tingley 2010): read them as descriptive")
	return nil
}

// runSDIDStaggered estimates synthetic DID for the whole programme under
// staggered adoption (Arkhangelsky et al. 2021; Clarke, Pailañir, Athey &
// Imbens 2023, Stata sdid): one block SDID per adoption cohort against the
// never-treated cities, aggregated with weights N_a·T_a, with Stata sdid's
// jackknife standard error (leave one city out, weights fixed). Estimates
// hold the overall ATT and one row per cohort ("cohort 2012", …).
// Controls enter as time-varying covariates. Cities treated in the first
// period (no pre-period) and cities with a missing outcome or control are
// left out, with notes.
func runSDIDStaggered(in *causalInput, m *MethodResult) error {
	unit, _ := in.frame.Factor("unit")
	y, _ := in.frame.Float(in.column)
	year, _ := in.frame.Float("year")
	coh, _ := in.frame.Float("cohort")
	ctrl := make([][]float64, len(in.controls))
	for k, c := range in.controls {
		v, ok := in.frame.Float(c)
		if !ok {
			return fmt.Errorf("control %q is not a numeric column of the data", c)
		}
		ctrl[k] = v
	}
	rows, dropped := balanced(in, ctrl...)
	first := math.Inf(1)
	for _, i := range rows {
		first = min(first, year[i])
	}
	early := map[int32]bool{}
	var d econ.SynthData
	if len(ctrl) > 0 {
		d.Covariates = make(map[string][]float64, len(ctrl))
	}
	d.TreatName = "cohort"
	for _, i := range rows {
		if !math.IsNaN(coh[i]) && coh[i] <= first {
			early[unit.Codes[i]] = true
			continue
		}
		d.Unit = append(d.Unit, unit.Levels[unit.Codes[i]])
		d.Time = append(d.Time, int(year[i]))
		d.Outcome = append(d.Outcome, y[i])
		tr := 0.0
		if !math.IsNaN(coh[i]) && year[i] >= coh[i] {
			tr = 1
		}
		d.Treat = append(d.Treat, tr)
		for k, name := range in.controls {
			d.Covariates[name] = append(d.Covariates[name], ctrl[k][i])
		}
	}
	res, err := econ.StaggeredSDID(d, in.outcome, econ.SDIDOptions{Seed: in.spec.Causal.Seed, Workers: in.opts.Workers,
		Covariates: in.controls})
	if err != nil {
		return err
	}
	z := distuv.UnitNormal.Quantile(1 - (1-in.spec.Causal.Level)/2)
	mk := func(term string, est, se float64) Estimate {
		t := est / se
		return Estimate{Term: term, Value: Num(est), SE: Num(se), T: Num(t), P: Num(normalP(t)),
			Low: Num(est - z*se), High: Num(est + z*se), Relative: Num(est / in.baseline)}
	}
	m.Estimates = append(m.Estimates, mk("ATT", res.Estimate, res.JackknifeSE))
	for _, c := range res.Cohorts {
		m.Estimates = append(m.Estimates, mk(fmt.Sprintf("cohort %d", c.Adoption), c.Result.Estimate, c.JackknifeSE))
		m.Notes = append(m.Notes, fmt.Sprintf("cohort %d: %d cities, %d post-periods, weight %.4f", c.Adoption, c.Treated, c.Post, c.Weight))
	}
	m.NObs = len(d.Unit)
	m.VCov = "jackknife (leave one city out, weights fixed; Stata sdid)"
	m.Notes = append(m.Notes, fmt.Sprintf("%d never-treated comparison cities", len(res.Controls)))
	m.Notes = append(m.Notes, res.Notes...)
	if len(early) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d cities treated in the first period left out (no pre-period)", len(early)))
	}
	if dropped > 0 {
		what := "outcome"
		if len(ctrl) > 0 {
			what = "outcome or control"
		}
		m.Notes = append(m.Notes, fmt.Sprintf("%d cities with a missing %s left out (the estimator needs a balanced panel)", dropped, what))
	}
	return nil
}
