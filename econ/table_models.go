package econ

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// TableModel is one column of a regression [Table]: what [NewModelTable]
// needs from any estimator. [ResultModel] builds it from a fixed-effects
// regression; [CSTableModel], [ImputationTableModel], [SDIDTableModel],
// [SynthTableModel], [MediationTableModel] and
// [SerialMediationTableModel] from the other estimators, so that TWFE and
// the heterogeneity-robust estimators can stand side by side in every
// output format. The zero value is an empty column; R2 and R2Within of
// the zero value are 0, so constructors set them to NaN where there is no
// least-squares fit.
type TableModel struct {
	DepVar string // outcome, as shown in the "Dependent var." row
	// Estimator names the method ("OLS", "Callaway–Sant'Anna (dr)", …);
	// the table gets an "Estimator" row when any column sets it.
	Estimator string
	// Coefs are the rows of this column, matched across columns by Name.
	// Estimate, SE, T and P are used; P decides the stars. NaN SE (or T
	// with TableOptions.TStat) leaves the parenthesis row blank.
	Coefs []Coef
	FE    []string // fixed effects, for the Yes/No rows
	VCov  string   // the "S.E. type" row, e.g. "cluster(id)" or "jackknife"
	// NObs is the number of observations (rows of the estimation sample);
	// estimators that count units say so in Notes.
	NObs         int
	R2, R2Within float64 // NaN when not a least-squares fit (row left blank)
	Notes        []string
}

// TableATT is the row name [CSTableModel], [ImputationTableModel],
// [SDIDTableModel] and [SynthTableModel] give their overall average
// effect on the treated, so that the estimators share one row; rename a
// regression's treatment coefficient to it with [TableModel.Rename].
const TableATT = "ATT"

// ResultModel returns the table column of a fitted regression: its
// coefficients, fixed effects, variance type, observations and R².
func ResultModel(r *Result) TableModel {
	return TableModel{DepVar: r.YName, Coefs: r.Coefs, FE: r.FENames, VCov: r.VCovType, NObs: r.NObs, R2: r.R2, R2Within: r.R2Within}
}

// Rename returns a copy of m with coefficients renamed by names (old →
// new); names not in the map are kept.
func (m TableModel) Rename(names map[string]string) TableModel {
	cs := make([]Coef, len(m.Coefs))
	for i, c := range m.Coefs {
		if n, ok := names[c.Name]; ok {
			c.Name = n
		}
		cs[i] = c
	}
	m.Coefs = cs
	return m
}

func (m TableModel) coef(name string) (Coef, bool) {
	for _, c := range m.Coefs {
		if c.Name == name {
			return c, true
		}
	}
	return Coef{}, false
}

// normalCoef is an estimate with a two-sided normal test, as did,
// didimputation and synthdid report.
func normalCoef(name string, est, se float64) Coef {
	c := Coef{Name: name, Estimate: est, SE: se, T: math.NaN(), P: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN()}
	if se > 0 && !math.IsNaN(se) && !math.IsInf(se, 0) {
		c.T, c.P = zTest(est, se)
		z := 1.959963984540054
		c.CILow, c.CIHigh = est-z*se, est+z*se
	}
	return c
}

// CSAggregation selects the aggregation of [CSTableModel].
type CSAggregation int

const (
	// CSAggSimple is the simple ATT (one row, [TableATT]).
	CSAggSimple CSAggregation = iota
	// CSAggDynamic is the event-study aggregation: [TableATT] is the
	// average over e ≥ 0, then one row "e=k" per event time.
	CSAggDynamic
	// CSAggGroup: [TableATT] over groups, then one row "g=k" per cohort.
	CSAggGroup
	// CSAggCalendar: [TableATT] over periods, then one row "t=k" per period.
	CSAggCalendar
)

// CSTableModel returns a table column for one aggregation of a
// Callaway–Sant'Anna estimate: the overall effect in row [TableATT] and,
// except for CSAggSimple, the effects by event time, group or period, with
// did's standard errors (influence-function or multiplier bootstrap) and
// normal p-values (as did's aggte). NObs counts units (CS.N), as did
// reports; R² is blank.
func CSTableModel(r *CS, agg CSAggregation, depVar string) TableModel {
	m := TableModel{DepVar: depVar, NObs: r.N, R2: math.NaN(), R2Within: math.NaN()}
	var a *CSAggregate
	prefix, what := "", "simple"
	switch agg {
	case CSAggSimple:
		m.Coefs = []Coef{normalCoef(TableATT, r.Simple.ATT, r.Simple.SE)}
	case CSAggDynamic:
		a, prefix, what = &r.Dynamic, "e=", "dynamic"
	case CSAggGroup:
		a, prefix, what = &r.Group, "g=", "group"
	case CSAggCalendar:
		a, prefix, what = &r.Calendar, "t=", "calendar"
	default:
		panic("econ: unknown CSAggregation")
	}
	if a != nil {
		m.Coefs = append(m.Coefs, normalCoef(TableATT, a.Overall.ATT, a.Overall.SE))
		for _, e := range a.By {
			m.Coefs = append(m.Coefs, normalCoef(prefix+strconv.Itoa(e.Key), e.ATT, e.SE))
		}
	}
	m.Estimator = "Callaway–Sant'Anna, " + what
	m.VCov = "influence function"
	if r.Clusters != r.N {
		m.VCov += fmt.Sprintf(", %d clusters", r.Clusters)
	}
	if r.Boot > 0 {
		m.VCov = fmt.Sprintf("multiplier bootstrap (%d draws, seed %d)", r.Boot, r.Seed)
	}
	m.Notes = append(m.Notes, fmt.Sprintf("observations are units (%d)", r.N))
	if r.Weighted {
		m.Notes = append(m.Notes, "sampling weights")
	}
	if agg == CSAggDynamic {
		if w := csWindow(r); w != "" {
			m.Notes = append(m.Notes, "event study restricted: "+w)
		}
	}
	if len(r.Dropped) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d units treated in the first period dropped", len(r.Dropped)))
	}
	return m
}

// csWindow describes the restriction of the dynamic aggregation
// (balance_e, min_e, max_e as in did's aggte), "" when there is none.
func csWindow(r *CS) string {
	var parts []string
	if r.BalanceE != nil {
		parts = append(parts, fmt.Sprintf("balance_e = %d", *r.BalanceE))
	}
	switch {
	case r.MinE != nil && r.MaxE != nil:
		parts = append(parts, fmt.Sprintf("%d ≤ e ≤ %d", *r.MinE, *r.MaxE))
	case r.MinE != nil:
		parts = append(parts, fmt.Sprintf("e ≥ %d", *r.MinE))
	case r.MaxE != nil:
		parts = append(parts, fmt.Sprintf("e ≤ %d", *r.MaxE))
	}
	return strings.Join(parts, ", ")
}

// ImputationTableModel returns a table column for the imputation
// estimator of Borusyak, Jaravel & Spiess (2024): the overall ATT in row
// [TableATT], then one row "e=h" per reported horizon, with the
// conservative clustered SEs and normal p-values (as didimputation). spec
// is the one r was estimated with: its outcome heads the column and its
// unit and time columns are the fixed effects of the Y(0) model (so they
// share the FE rows of a TWFE regression on the same keys); NObs is the
// rows used.
func ImputationTableModel(r *Imputation, spec ImputationSpec) TableModel {
	fe := spec.FixedEffects
	if len(fe) == 0 {
		fe = []string{spec.Unit, spec.Time}
	}
	m := TableModel{DepVar: spec.Outcome, Estimator: "BJS imputation", NObs: r.NObs, R2: math.NaN(), R2Within: math.NaN(),
		FE: slices.Clone(fe), VCov: fmt.Sprintf("conservative, %d clusters", r.Clusters)}
	if spec.Weights != "" {
		m.Notes = append(m.Notes, "weights: "+spec.Weights)
		if spec.SEWeights == SEWeightsDidimputation {
			m.VCov += ", didimputation's weighted SE"
		}
	}
	if len(spec.Controls) > 0 {
		m.Notes = append(m.Notes, "controls in the Y(0) model: "+strings.Join(spec.Controls, ", "))
	}
	m.Coefs = append(m.Coefs, normalCoef(TableATT, r.Overall.Estimate, r.Overall.SE))
	for _, h := range r.Horizons {
		m.Coefs = append(m.Coefs, normalCoef("e="+strconv.Itoa(h.Horizon), h.Estimate, h.SE))
	}
	m.Notes = append(m.Notes, r.Notes...)
	return m
}

// SDIDTableModel returns a table column for a synthetic DID (or SC/DID in
// synthdid's framework) estimate on panel p: row [TableATT] with the
// placebo SE when computed, else the jackknife SE, and a normal p-value
// (synthdid's confidence interval is estimate ± 1.96·SE). NObs is N × T
// of the panel.
func SDIDTableModel(r *SDIDResult, p *SynthPanel, depVar string) TableModel {
	se, kind := r.JackknifeSE, "jackknife"
	switch {
	case len(r.Bootstraps) > 0 && !math.IsNaN(r.BootstrapSE):
		se, kind = r.BootstrapSE, fmt.Sprintf("bootstrap (%d, seed %d)", len(r.Bootstraps), r.Seed)
	case !math.IsNaN(r.PlaceboSE):
		se, kind = r.PlaceboSE, fmt.Sprintf("placebo (%d, seed %d)", len(r.Placebos), r.Seed)
	}
	m := TableModel{DepVar: depVar, Estimator: "synthdid " + r.Method.String(), NObs: p.N() * p.T(), VCov: kind,
		R2: math.NaN(), R2Within: math.NaN(), Coefs: []Coef{normalCoef(TableATT, r.Estimate, se)}}
	if math.IsNaN(se) {
		m.Notes = append(m.Notes, "no standard error (one treated unit or one control with weight)")
	}
	m.Notes = append(m.Notes, fmt.Sprintf("%d treated and %d control units, %d pre- and %d post-periods", p.N()-p.N0, p.N0, p.T0, p.T()-p.T0))
	if len(r.Covariates) > 0 {
		// β are nuisance parameters without a standard error (as in
		// synthdid), so they are a note rather than rows with stars.
		parts := make([]string, len(r.Covariates))
		for i, c := range r.Covariates {
			parts[i] = fmt.Sprintf("%s %.6g", c, r.Beta[i])
		}
		m.Notes = append(m.Notes, fmt.Sprintf("outcome adjusted for covariates, β: %s (%d iterations)", strings.Join(parts, ", "), r.Iterations))
	}
	return m
}

// SynthTableModel returns a table column for a synthetic control (Abadie,
// Diamond & Hainmueller 2010): row [TableATT] is the mean post-treatment
// gap, with no standard error; with in-space placebos its P is the
// permutation p-value of the post/pre RMSPE ratio (ADH 2010, §2.5), which
// sets the stars. NObs is units × periods.
func SynthTableModel(r *SynthResult, depVar string) TableModel {
	c := Coef{Name: TableATT, Estimate: r.Estimate, SE: math.NaN(), T: math.NaN(), P: r.PValue, CILow: math.NaN(), CIHigh: math.NaN()}
	m := TableModel{DepVar: depVar, Estimator: "synthetic control", NObs: (len(r.Donors) + 1) * len(r.Times),
		R2: math.NaN(), R2Within: math.NaN(), Coefs: []Coef{c}, VCov: "none"}
	if len(r.Placebos) > 0 {
		m.VCov = "permutation"
		m.Notes = append(m.Notes, fmt.Sprintf("permutation p = %d/%d from in-space placebos; pre-RMSPE %.4g", r.Rank, len(r.Placebos), r.PreRMSPE))
	}
	return m
}

// MediationTableModel returns a table column for a stepwise mediation
// analysis: rows "c (total)", "a (D→M)", "b (M→Y)", "c' (direct)", each
// with its regression's inference, and "a·b" with the Sobel SE and
// normal p-value. The fixed effects, variance type and observations are
// those of the three regressions.
func MediationTableModel(med *Mediation) TableModel {
	m := TableModel{DepVar: med.Total.YName, Estimator: "mediation (stepwise)", FE: med.Total.FENames, VCov: med.Total.VCovType,
		NObs: med.NObs, R2: math.NaN(), R2Within: math.NaN()}
	rn := func(c Coef, name string) Coef { c.Name = name; return c }
	m.Coefs = []Coef{rn(med.C, "c (total)"), rn(med.A, "a (D→M)"), rn(med.B, "b (M→Y)"), rn(med.CPrime, "c' (direct)"),
		normalCoef("a·b", med.Indirect, med.SobelSE)}
	m.Notes = append(m.Notes, "mediator "+med.First.YName+"; a·b with the Sobel SE")
	return m
}

// SerialMediationTableModel returns a table column for a serial
// mediation model: c, a_j, d_jl, b_j and c' with their regressions'
// inference (rows "c (total)", "a1", "d21", "b1", …, "c' (direct)"), then
// each specific indirect effect under its path name and "total indirect",
// with delta-method SEs and normal p-values. If boot is not nil the
// indirect effects take its bootstrap SE and percentile p-value instead.
func SerialMediationTableModel(med *SerialMediation, boot *SerialMediationBootstrap) TableModel {
	m := TableModel{DepVar: med.Total.YName, Estimator: "mediation (serial)", FE: med.Total.FENames, VCov: med.Total.VCovType,
		NObs: med.NObs, R2: math.NaN(), R2Within: math.NaN()}
	rn := func(c Coef, name string) Coef { c.Name = name; return c }
	m.Coefs = append(m.Coefs, rn(med.C, "c (total)"))
	var names []string
	for j := range med.A {
		names = append(names, med.Steps[j].YName)
		m.Coefs = append(m.Coefs, rn(med.A[j], fmt.Sprintf("a%d", j+1)))
		for l, d := range med.D[j] {
			m.Coefs = append(m.Coefs, rn(d, fmt.Sprintf("d%d%d", j+1, l+1)))
		}
	}
	for j, b := range med.B {
		m.Coefs = append(m.Coefs, rn(b, fmt.Sprintf("b%d", j+1)))
	}
	m.Coefs = append(m.Coefs, rn(med.CPrime, "c' (direct)"))
	effs := append(append([]IndirectEffect(nil), med.Paths...), med.TotalIndirect)
	for i, e := range effs {
		c := Coef{Name: e.Name, Estimate: e.Estimate, SE: e.SE, T: e.Z, P: e.P, CILow: math.NaN(), CIHigh: math.NaN()}
		if boot != nil {
			b := boot.Effects[i]
			c.SE, c.T, c.P, c.CILow, c.CIHigh = b.SE, e.Estimate/b.SE, b.P, b.CILow, b.CIHigh
		}
		m.Coefs = append(m.Coefs, c)
	}
	note := "mediators in order:"
	for j, n := range names {
		note += fmt.Sprintf(" M%d = %s", j+1, n)
	}
	m.Notes = append(m.Notes, note)
	if boot != nil {
		m.Notes = append(m.Notes, fmt.Sprintf("indirect effects: cluster-bootstrap SEs and percentile p-values (%d draws, seed %d)", boot.Reps, boot.Seed))
	} else {
		m.Notes = append(m.Notes, "indirect effects: delta-method SEs")
	}
	return m
}
