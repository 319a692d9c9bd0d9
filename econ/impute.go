package econ

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// ImputationSpec names the columns of the Borusyak, Jaravel & Spiess
// imputation estimator ([EstimateImputation]) and the effects to report.
type ImputationSpec struct {
	Outcome string // y_it, numeric
	Unit    string // unit key (numeric or factor): the unit fixed effect α_i
	Time    string // integer period t (numeric): the period fixed effect β_t
	// Cohort is the first treated period E_i of each unit, constant within
	// a unit; 0, NaN or ±Inf mean never treated (as didimputation's gname).
	// Observation (i, t) is treated when E_i > 0 and t ≥ E_i.
	Cohort string
	// Controls are time-varying covariates X_it of the Y(0) model
	// y_it(0) = α_i + β_t + X_it'δ + ε_it, estimated on untreated
	// observations only (didimputation's first_stage = ~ x1 + x2 | …).
	Controls []string
	// FixedEffects lists the fixed effects of the Y(0) model, each a
	// column name or an interaction of columns joined by "^" (fixest's
	// region^year: one effect per observed combination), as the part of
	// didimputation's first_stage after "|". Empty means Unit and Time.
	// The list replaces the default: name Unit and Time in it to keep
	// them (unit + year + region^year, or unit + state^year).
	FixedEffects []string
	// Weights names a column of observation weights ω_it ≥ 0
	// (didimputation's wname; "" for none). They weight the least
	// squares of the Y(0) model and the averages of τ̂_it
	// (w_it ∝ ω_it); rows with weight 0 are dropped; a negative, missing
	// or infinite weight on a used row is an error.
	Weights string
	// SEWeights selects the BJS weights v_it of the standard error when
	// Weights is set (without weights both choices are the same).
	SEWeights ImputationSEWeights
	// Horizons lists the event times h = t − E_i ≥ 0 whose average effect
	// τ_h is reported (negative entries are ignored, as in didimputation);
	// AllHorizons reports every h ≥ 0 present among the imputed cells.
	Horizons    []int
	AllHorizons bool
	// PreTrends is the number K of leads in the pre-trend test (0: no
	// test); see [ImputationPreTrend].
	PreTrends int
	// Cluster names the cluster column of the standard errors; "" means
	// Unit (didimputation's default cluster_var = idname).
	Cluster string
	// Strict makes treated observations that cannot be imputed (a
	// missing control, or a unit, period or fixed-effect level without
	// untreated observations) an error naming them, as Stata's
	// did_imputation without autosample; by default they are dropped with
	// a note, as didimputation does, and counted in NNotImputed.
	Strict bool
}

// ImputationSEWeights chooses the weights v_it of the conservative
// standard error under observation weights ω (ImputationSpec.Weights).
type ImputationSEWeights int

const (
	// SEWeightsEstimator (the default) uses the weights of the weighted
	// estimator itself, v₀ = −Ω₀Z₀(Z₀'Ω₀Z₀)⁻¹Z₁'w₁, so that
	// τ̂_w = Σ_it v_it y_it holds exactly (BJS 2024 eq. 6 with weighted
	// least squares; Stata did_imputation's imputation_weights).
	SEWeightsEstimator ImputationSEWeights = iota
	// SEWeightsDidimputation reproduces R didimputation 0.5.0, which
	// multiplies the rows of Z by ω before forming both cross-products:
	// v₀ = −Ω₀Z₀(Z₀'Ω₀²Z₀)⁻¹Z₁'Ω₁w₁. This v does not reproduce the
	// estimate (Σ v y ≠ τ̂_w when ω varies); it exists to compare with
	// didimputation's output.
	SEWeightsDidimputation
)

// ImputationEffect is one weighted average of imputed treatment effects.
type ImputationEffect struct {
	// Term is "treat" for the overall ATT and the horizon h ("0", "1", …)
	// otherwise, as didimputation's term column.
	Term    string
	Horizon int // h for horizon effects; −1 for the overall ATT
	// Estimate is τ̂_w = Σ_it w_it τ̂_it; SE is the conservative
	// standard error of BJS (2024) Theorem 3, clustered.
	Estimate, SE float64
	// CILow and CIHigh are the normal confidence interval at Options.Level.
	CILow, CIHigh float64
	N             int // treated observations with w_it ≠ 0
}

// ImputationPreTrend is the pre-trend test of BJS (2024, §4.4, Test 1):
// on the untreated observations only, OLS (weighted by ω when Weights is
// set) of
//
//	y_it = [fixed effects] + X_it'δ + Σ_{k=1..K} γ_k 1{t − E_i = −k} + ε_it
//
// clustered as the main estimate, and the joint Wald test of γ = 0.
// Because the imputation estimator does not use these leads, the test is
// separate from estimation (unlike an event-study regression). The
// coefficients and SEs are those of didimputation's pretrends = -K:-1
// (fixest's feols, clustered with its small-sample factor).
//
// Degrees of freedom (a documented choice): F = W/K is referred to
// F(K, G − 1), G the number of clusters, the t degrees of freedom fixest
// itself uses for clustered coefficients. fixest::wald(), applied to the
// same regression, refers the same statistic to F(K, n − p) (n rows, p
// parameters including fixed effects); didimputation reports no joint
// test. The statistic F agrees with fixest::wald to 1e-8 (see
// TestBJSPreTrendReference); only the p-value differs, and G − 1 is the
// conservative choice when clusters are few.
type ImputationPreTrend struct {
	Leads []Coef    // γ_K … γ_1, named "-K" … "-1"
	Wald  *WaldTest // joint test; F = W/K on (K, G − 1) degrees of freedom
	Model *Result   // the full regression
}

// Imputation is the result of [EstimateImputation].
type Imputation struct {
	Overall  ImputationEffect   // ATT over all imputed treated cells, w_it ∝ ω_it
	Horizons []ImputationEffect // by event time h, w_it ∝ ω_it 1{t − E_i = h}, ascending h
	PreTrend *ImputationPreTrend
	// Controls holds the δ̂ of the Y(0) model in the order of
	// ImputationSpec.Controls (Estimate only; SE, T, P are NaN): they are
	// nuisance parameters of the imputation. A control collinear with the
	// fixed effects has Estimate NaN and a note.
	Controls []Coef
	// Tau has one entry per row of the data: τ̂_it = y_it − ŷ_it(0) for
	// imputed treated cells, NaN for every other row.
	Tau []float64
	// Y0 has one entry per row: ŷ_it(0) = α̂_i + β̂_t + X_it'δ̂ (or the sum of
	// the fixed effects) on untreated rows and imputed treated rows, NaN
	// otherwise.
	Y0 []float64

	NObs       int // rows used (untreated + imputed treated)
	NUntreated int // rows in the Y(0) model
	NTreated   int // treated rows whose Y(0) was imputed
	// NMissing counts rows dropped for a missing outcome, unit, time,
	// cluster or fixed effect, for a missing control on an untreated row,
	// or for a zero weight.
	NMissing int
	// NNotImputed counts treated rows dropped because Y(0) cannot be
	// imputed: a missing control, or a unit, period or fixed-effect level
	// without untreated observations (see Strict).
	NNotImputed int
	Clusters    int
	Notes       []string
}

// ImputationIssue is one problem with the data of the imputation
// estimator: the unit and time labels ("" when not about one), the
// column, and what is wrong.
type ImputationIssue = DataIssue

// ImputationError collects the data problems that prevent estimation (at
// most 20 issues; More counts the rest).
type ImputationError struct {
	Issues []ImputationIssue
	More   int
}

func (e *ImputationError) Error() string { return formatIssues("econ: imputation: ", e.Issues, e.More) }

func (e *ImputationError) add(unit, time, col, format string, args ...any) {
	addIssue(&e.Issues, &e.More, unit, time, col, format, args...)
}

// EstimateImputation estimates average treatment effects under staggered
// adoption with the imputation estimator of Borusyak, Jaravel & Spiess
// (2024, "Revisiting Event-Study Designs: Robust and Efficient
// Estimation", Review of Economic Studies 91(6), 3253–3285), as R's
// didimputation (Butts) and Stata's did_imputation.
//
// Let Ω₀ be the untreated observations (never-treated units and the
// periods before E_i of treated units) and Ω₁ the treated ones, ω_it the
// observation weights (1 without Weights). The steps (BJS Theorem 2) are:
//
//  1. fit y_it = z_it'θ + ε_it by least squares weighted by ω on Ω₀, z_it
//     the fixed-effect dummies (unit and period by default) and X_it;
//  2. impute ŷ_it(0) = z_it'θ̂ and τ̂_it = y_it − ŷ_it(0) on Ω₁;
//  3. report τ̂_w = Σ_{Ω₁} w_it τ̂_it for the overall ATT
//     (w_it = ω_it / Σ_{Ω₁} ω) and each horizon h
//     (w_it = ω_it 1{t − E_i = h} / Σ ω 1{t − E_i = h}).
//
// Treated cells whose Y(0) cannot be imputed (their unit, period or a
// fixed-effect level has no untreated observation, or a control is
// missing) are dropped with a note (Imputation.NNotImputed), as
// didimputation drops cells whose prediction is NA; Spec.Strict makes
// them an error.
//
// The estimator is linear in y: τ̂_w = Σ_it v_it y_it, with v_it = w_it on
// Ω₁ and, with Z the design of step 1 and Ω = diag(ω),
//
//	v_Ω₀ = −Ω₀ Z₀ (Z₀'Ω₀Z₀)⁻¹ Z₁' w₁            (BJS eq. 6)
//
// The conservative variance (Theorem 3) replaces the unknown τ_it by
// auxiliary averages within cohort × period cells,
// τ̄_gt = Σ v_it² τ̂_it / Σ v_it² over treated (i, t) with E_i = g (eq. 10,
// as didimputation and did_imputation's default), and sums over clusters c:
//
//	ε̃_it = y_it − ŷ_it(0) on Ω₀,   ε̃_it = τ̂_it − τ̄_{E_i t} on Ω₁
//	SE² = Σ_c (Σ_{it∈c} v_it ε̃_it)²
//
// without small-sample factor. With weights, didimputation 0.5.0 uses a
// different v (see [SEWeightsDidimputation]); Spec.SEWeights selects it.
//
// Computation. With the default unit and period effects, Z₀'ΩZ₀ is solved
// by eliminating the unit dummies (Schur complement), so only a
// (T−1+k)×(T−1+k) system of within-unit demeaned period dummies and
// controls is factored, by Cholesky with one step of iterative
// refinement (exact; collinear controls are dropped with a note, as
// fixest drops them). Other fixed effects (Spec.FixedEffects) go through
// the Gauss–Seidel sweeps of the demeaning engine of [Fit] (see
// imputeFE): alternating projections with Irons–Tuck acceleration to a
// tolerance of 1e-13, controls partialled out by
// Frisch–Waugh–Lovell; a fixed effect nested in another (year in
// region^year) is harmless, as only the projection matters.
//
// Data rules: rows with a missing outcome, unit, time, cluster or fixed
// effect, or a zero weight, are dropped (NMissing), as are untreated rows
// with a missing control. Errors: an *[ImputationError] for a non-integer
// time, a negative cohort, a cohort that varies within a unit, a
// duplicated unit-period, a negative, missing or infinite weight, no
// treated or no untreated observations, or fixed effects of treated
// observations that the untreated ones do not identify (a disconnected
// design). opts supplies the confidence level, MaxIter of the iterative
// solves, and the demeaning settings of the pre-trend regression.
func EstimateImputation(data *Frame, spec ImputationSpec, opts Options) (*Imputation, error) {
	opts.defaults()
	n := data.Len()
	e := &ImputationError{}
	y, ok := data.Float(spec.Outcome)
	if !ok {
		e.add("", "", spec.Outcome, "no such numeric column")
	}
	tv, ok := data.Float(spec.Time)
	if !ok {
		e.add("", "", spec.Time, "no such numeric column (periods must be integers)")
	}
	gv, ok := data.Float(spec.Cohort)
	if !ok {
		e.add("", "", spec.Cohort, "no such numeric column")
	}
	ucode, ulabel, ok := data.groups(spec.Unit)
	if !ok {
		e.add("", "", spec.Unit, "no such column")
	}
	xs := make([][]float64, len(spec.Controls))
	for j, name := range spec.Controls {
		if xs[j], ok = data.Float(name); !ok {
			e.add("", "", name, "no such numeric control column")
		}
	}
	var omega []float64
	if spec.Weights != "" {
		if omega, ok = data.Float(spec.Weights); !ok {
			e.add("", "", spec.Weights, "no such numeric weight column")
		}
	}
	clName := spec.Cluster
	if clName == "" {
		clName = spec.Unit
	}
	ccode, _, ok := data.groups(clName)
	if !ok {
		e.add("", "", clName, "no such cluster column")
	}
	if spec.PreTrends < 0 {
		e.add("", "", "", "negative number of pre-trend leads %d", spec.PreTrends)
	}
	// Fixed effects: the two-way default, or the general list.
	twoway := isUnitTime(spec.FixedEffects, spec.Unit, spec.Time)
	var feCodes [][]int32 // row-indexed level codes of each fixed effect (general engine)
	var feLabels [][]string
	if !twoway {
		for _, name := range spec.FixedEffects {
			c, l, err := feGroups(data, name)
			if err != nil {
				e.add("", "", name, "%v", err)
				continue
			}
			feCodes, feLabels = append(feCodes, c), append(feLabels, l)
		}
	}
	if len(e.Issues) > 0 {
		return nil, e
	}

	res := &Imputation{Tau: make([]float64, n), Y0: make([]float64, n)}
	for i := range n {
		res.Tau[i], res.Y0[i] = math.NaN(), math.NaN()
	}
	uLab := func(i int) string { return ulabel[ucode[i]] }
	tLab := func(i int) string { return strconv.FormatFloat(tv[i], 'g', -1, 64) }

	// Rows used, periods, cohorts.
	rows := make([]int, 0, n)
	cohortOf := make([]float64, len(ulabel))
	for u := range cohortOf {
		cohortOf[u] = math.NaN()
	}
	missX := make([]int, n) // 1 + index of the first missing control, 0 if none
	nZero := 0
	for i := range n {
		if ucode[i] < 0 || ccode[i] < 0 || !isFinite(y[i]) || !isFinite(tv[i]) {
			res.NMissing++
			continue
		}
		feMiss := false
		for _, c := range feCodes {
			feMiss = feMiss || c[i] < 0
		}
		if feMiss {
			res.NMissing++
			continue
		}
		if omega != nil {
			switch wi := omega[i]; {
			case math.IsNaN(wi):
				e.add(uLab(i), tLab(i), spec.Weights, "missing weight")
				continue
			case math.IsInf(wi, 0):
				e.add(uLab(i), tLab(i), spec.Weights, "weight %v is not finite", wi)
				continue
			case wi < 0:
				e.add(uLab(i), tLab(i), spec.Weights, "negative weight %v", wi)
				continue
			case wi == 0:
				nZero++
				res.NMissing++
				continue
			}
		}
		if tv[i] != math.Trunc(tv[i]) || math.Abs(tv[i]) > 1e9 {
			e.add(uLab(i), "", spec.Time, "period %v is not an integer", tv[i])
			continue
		}
		g := gv[i]
		if math.IsNaN(g) || math.IsInf(g, 0) {
			g = 0
		}
		if g < 0 || g != math.Trunc(g) {
			e.add(uLab(i), tLab(i), spec.Cohort, "cohort %v is not a period (want an integer > 0, or 0 for never treated)", gv[i])
			continue
		}
		u := ucode[i]
		if math.IsNaN(cohortOf[u]) {
			cohortOf[u] = g
		} else if cohortOf[u] != g {
			e.add(uLab(i), tLab(i), spec.Cohort, "cohort %v differs from the unit's earlier cohort %v", g, cohortOf[u])
			continue
		}
		for j, x := range xs {
			if !isFinite(x[i]) {
				missX[i] = j + 1
				break
			}
		}
		if missX[i] > 0 && !(g > 0 && tv[i] >= g) {
			res.NMissing++ // untreated: out of the Y(0) model
			continue
		}
		rows = append(rows, i)
	}
	if len(e.Issues) > 0 {
		return nil, e
	}
	if nZero > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d rows with zero weight dropped", nZero))
	}
	treated := func(i int) bool {
		g := cohortOf[ucode[i]]
		return g > 0 && tv[i] >= g
	}

	// Periods as dense codes in ascending order.
	tcode, tlabels, _ := data.groups(spec.Time)
	nT := len(tlabels)

	// Duplicated unit-periods.
	if cells := len(ulabel) * nT; cells <= 8*len(rows)+1<<20 {
		seen := make([]bool, cells)
		for _, i := range rows {
			k := int(ucode[i])*nT + int(tcode[i])
			if seen[k] {
				e.add(uLab(i), tLab(i), "", "duplicated unit-period")
			}
			seen[k] = true
		}
	} else {
		seen := make(map[[2]int32]struct{}, len(rows))
		for _, i := range rows {
			k := [2]int32{ucode[i], tcode[i]}
			if _, dup := seen[k]; dup {
				e.add(uLab(i), tLab(i), "", "duplicated unit-period")
			}
			seen[k] = struct{}{}
		}
	}
	if len(e.Issues) > 0 {
		return nil, e
	}

	// Untreated rows: their units, periods and levels define the Y(0) model.
	nu := make([]int, len(ulabel))
	pIndex := make([]int, nT) // period code → index among periods with untreated rows, −1 if none
	var r0, r1 []int
	for _, i := range rows {
		if treated(i) {
			r1 = append(r1, i)
		} else {
			r0 = append(r0, i)
			nu[ucode[i]]++
			pIndex[tcode[i]] = 1
		}
	}
	if len(r0) == 0 {
		e.add("", "", spec.Cohort, "no untreated observations (every unit is treated in every period)")
	}
	if len(r1) == 0 {
		e.add("", "", spec.Cohort, "no treated observations")
	}
	if len(e.Issues) > 0 {
		return nil, e
	}
	var periods []string
	for c, present := range pIndex {
		if present == 1 {
			pIndex[c] = len(periods)
			periods = append(periods, tlabels[c])
		} else {
			pIndex[c] = -1
		}
	}
	// General engine: levels of each fixed effect among untreated rows.
	var ng []int
	if !twoway {
		ng = make([]int, len(feCodes))
		for q, c := range feCodes {
			compact := make([]int32, len(feLabels[q]))
			for l := range compact {
				compact[l] = -1
			}
			for _, i := range r0 {
				if compact[c[i]] < 0 {
					compact[c[i]] = int32(ng[q])
					ng[q]++
				}
			}
			cc := make([]int32, n)
			for i := range cc {
				cc[i] = -1
				if c[i] >= 0 {
					cc[i] = compact[c[i]]
				}
			}
			feCodes[q] = cc
		}
	}
	// Treated rows that cannot be imputed.
	var why []string // reason of each dropped row, for the note or the error
	imp := r1[:0:0]
	for _, i := range r1 {
		reason := ""
		switch {
		case missX[i] > 0:
			reason = fmt.Sprintf("control %q is missing", spec.Controls[missX[i]-1])
		case twoway && nu[ucode[i]] == 0:
			reason = "the unit has no untreated observation"
		case twoway && pIndex[tcode[i]] < 0:
			reason = "the period has no untreated observation"
		case !twoway:
			for q, c := range feCodes {
				if c[i] < 0 {
					reason = fmt.Sprintf("fixed effect %s has no untreated observation at this level", spec.FixedEffects[q])
					break
				}
			}
		}
		if reason == "" {
			imp = append(imp, i)
			continue
		}
		res.NNotImputed++
		if spec.Strict {
			e.add(uLab(i), tLab(i), "", "treated observation cannot be imputed: %s", reason)
		} else if len(why) < 3 {
			why = append(why, fmt.Sprintf("unit %q time %s (%s)", uLab(i), tLab(i), reason))
		}
	}
	if len(e.Issues) > 0 {
		return nil, e
	}
	r1 = imp
	if len(r1) == 0 {
		e.add("", "", spec.Cohort, "no treated observation can be imputed (their units, periods or fixed-effect levels have no untreated observations, or controls are missing)")
		return nil, e
	}
	if res.NNotImputed > 0 {
		more := ""
		if k := res.NNotImputed - len(why); k > 0 {
			more = fmt.Sprintf(" and %d more", k)
		}
		res.Notes = append(res.Notes, fmt.Sprintf("%d treated observations cannot be imputed and were dropped: %s%s",
			res.NNotImputed, strings.Join(why, "; "), more))
	}
	res.NUntreated, res.NTreated, res.NObs = len(r0), len(r1), len(r0)+len(r1)

	// Step 1: the Y(0) model, and the projector of the SE weights.
	build := func(lam []float64, fit bool) (imputeStage, []string, error) {
		var notes []string
		if twoway {
			nt := len(periods) - 1
			pc := make([]int32, n) // period dummy column of each used row, −1 for the first period
			for _, i := range r0 {
				pc[i] = int32(pIndex[tcode[i]] - 1)
			}
			for _, i := range r1 {
				pc[i] = int32(pIndex[tcode[i]] - 1)
			}
			d, dropped := newImputeDesign(r0, n, nt, xs, ucode, len(ulabel), pc, lam)
			for _, j := range dropped {
				if j < nt {
					e.add("", periods[j+1], spec.Time,
						"period effect not identified among untreated observations: the untreated unit-period design is disconnected")
				} else {
					notes = append(notes, fmt.Sprintf("control %q is collinear with the fixed effects or other controls and was dropped", spec.Controls[j-nt]))
				}
			}
			if len(e.Issues) > 0 {
				return nil, nil, e
			}
			if fit {
				d.fit(y)
			}
			return d, notes, nil
		}
		var yy []float64
		if fit {
			yy = y
		}
		m, dropped, err := newImputeFE(r0, feCodes, ng, xs, lam, yy, opts.MaxIter)
		if err != nil {
			return nil, nil, err
		}
		for _, j := range dropped {
			notes = append(notes, fmt.Sprintf("control %q is collinear with the fixed effects or other controls and was dropped", spec.Controls[j]))
		}
		return m, notes, nil
	}
	stage, notes, err := build(omega, true)
	if err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, notes...)
	proj := stage
	didSE := omega != nil && spec.SEWeights == SEWeightsDidimputation
	if didSE {
		om2 := make([]float64, n)
		for _, i := range r0 {
			om2[i] = omega[i] * omega[i]
		}
		if proj, _, err = build(om2, false); err != nil {
			return nil, err
		}
		res.Notes = append(res.Notes, "standard errors use didimputation 0.5.0's weights v = −ΩZ(Z₀'Ω₀²Z₀)⁻¹Z₁'Ω₁w₁")
	}
	eps := make([]float64, n) // ε̂ on Ω₀, τ̂ on Ω₁
	for _, i := range r0 {
		res.Y0[i] = stage.predict(i)
		eps[i] = y[i] - res.Y0[i]
	}
	for _, i := range r1 {
		res.Y0[i] = stage.predict(i)
		eps[i] = y[i] - res.Y0[i]
		res.Tau[i] = eps[i]
	}
	for j, dj := range stage.delta() {
		res.Controls = append(res.Controls, Coef{Name: spec.Controls[j], Estimate: dj, SE: math.NaN(), T: math.NaN(), P: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN()})
	}

	// Estimands: overall, then horizons.
	et := make([]int32, n)
	for _, i := range r1 {
		et[i] = int32(tv[i] - cohortOf[ucode[i]])
	}
	eventTime := func(i int) int { return int(et[i]) }
	var hs []int
	if spec.AllHorizons {
		set := map[int]bool{}
		for _, i := range r1 {
			set[eventTime(i)] = true
		}
		for h := range set {
			hs = append(hs, h)
		}
	} else {
		for _, h := range spec.Horizons {
			if h >= 0 && !slices.Contains(hs, h) {
				hs = append(hs, h)
			}
		}
	}
	sort.Ints(hs)
	ncl := 0
	for _, i := range rows {
		ncl = max(ncl, int(ccode[i])+1)
	}
	clSeen := make([]bool, ncl)
	for _, i := range r0 {
		clSeen[ccode[i]] = true
	}
	for _, i := range r1 {
		clSeen[ccode[i]] = true
	}
	for _, s := range clSeen {
		if s {
			res.Clusters++
		}
	}
	// Cohort × period cells of the treated rows, for τ̄ in the variance.
	cell := make([]int32, n)
	cellIndex := map[[2]int64]int32{}
	for _, i := range r1 {
		key := [2]int64{int64(cohortOf[ucode[i]]), int64(tv[i])}
		c, ok := cellIndex[key]
		if !ok {
			c = int32(len(cellIndex))
			cellIndex[key] = c
		}
		cell[i] = c
	}
	sc := &bjsScratch{num: make([]float64, len(cellIndex)), den: make([]float64, len(cellIndex)), cl: make([]float64, ncl)}
	z := distuv.UnitNormal.Quantile((1 + opts.Level) / 2)
	om := func(i int) float64 {
		if omega == nil {
			return 1
		}
		return omega[i]
	}
	w := make([]float64, n)
	u := make([]float64, n)
	v := make([]float64, n)
	est := func(term string, h int, in func(i int) bool) (ImputationEffect, bool, error) {
		ef := ImputationEffect{Term: term, Horizon: h}
		var tot float64
		for _, i := range r1 {
			if in(i) {
				ef.N++
				tot += om(i)
			}
		}
		if ef.N == 0 {
			return ef, false, nil
		}
		for _, i := range r1 {
			w[i], u[i] = 0, 0
			if in(i) {
				w[i] = om(i) / tot
				ef.Estimate += w[i] * res.Tau[i]
				u[i] = w[i]
				if didSE {
					u[i] *= om(i)
				}
			}
		}
		if err := proj.project(v, r1, u); err != nil {
			return ef, false, &ImputationError{Issues: []ImputationIssue{{Msg: fmt.Sprintf("effect %s: %v", term, err)}}}
		}
		for _, i := range r0 {
			v[i] *= -om(i)
		}
		for _, i := range r1 {
			v[i] = w[i]
		}
		ef.SE = bjsSE(sc, v, eps, r0, r1, ccode, cell)
		ef.CILow, ef.CIHigh = ef.Estimate-z*ef.SE, ef.Estimate+z*ef.SE
		return ef, true, nil
	}
	if res.Overall, _, err = est("treat", -1, func(int) bool { return true }); err != nil {
		return nil, err
	}
	for _, h := range hs {
		ef, ok, err := est(strconv.Itoa(h), h, func(i int) bool { return eventTime(i) == h })
		if err != nil {
			return nil, err
		}
		if !ok {
			res.Notes = append(res.Notes, fmt.Sprintf("horizon %d has no imputed treated observation", h))
			continue
		}
		res.Horizons = append(res.Horizons, ef)
	}

	if spec.PreTrends > 0 {
		pt, err := imputationPreTrend(data, spec, clName, r0, cohortOf, ucode, tv, opts)
		if err != nil {
			return nil, err
		}
		res.PreTrend = pt
	}
	return res, nil
}

// isUnitTime reports whether the fixed-effect list fes is the two-way
// default: empty, or exactly unit and time in either order.
func isUnitTime(fes []string, unit, time string) bool {
	switch len(fes) {
	case 0:
		return true
	case 2:
		a, b := strings.TrimSpace(fes[0]), strings.TrimSpace(fes[1])
		return (a == unit && b == time) || (a == time && b == unit)
	}
	return false
}

// feGroups returns the group codes (−1 = missing) and level labels of a
// fixed-effect term: a column, or columns joined by "^" (every observed
// combination is a level, labelled "a^b").
func feGroups(data *Frame, term string) ([]int32, []string, error) {
	parts := strings.Split(term, "^")
	var codes []int32
	var labels []string
	for k, p := range parts {
		p = strings.TrimSpace(p)
		c, l, ok := data.groups(p)
		if !ok {
			return nil, nil, fmt.Errorf("no such fixed-effect column %q", p)
		}
		if k == 0 {
			codes, labels = c, l
			continue
		}
		index := map[[2]int32]int32{}
		next := make([]int32, len(c))
		var nl []string
		for i := range c {
			if codes[i] < 0 || c[i] < 0 {
				next[i] = -1
				continue
			}
			key := [2]int32{codes[i], c[i]}
			g, seen := index[key]
			if !seen {
				g = int32(len(nl))
				index[key] = g
				nl = append(nl, labels[codes[i]]+"^"+l[c[i]])
			}
			next[i] = g
		}
		codes, labels = next, nl
	}
	return codes, labels, nil
}

// bjsScratch is reused by bjsSE across estimands.
type bjsScratch struct{ num, den, cl []float64 }

// bjsSE is the clustered conservative standard error of BJS Theorem 3:
// SE² = Σ_c (Σ_{it∈c} v_it ε̃_it)², with ε̃ = ε̂ on Ω₀ and τ̂ − τ̄ on Ω₁,
// τ̄ the v²-weighted mean of τ̂ within the cell (cohort × period) of i.
func bjsSE(sc *bjsScratch, v, eps []float64, r0, r1 []int, cl, cell []int32) float64 {
	clear(sc.num)
	clear(sc.den)
	clear(sc.cl)
	for _, i := range r1 {
		v2 := v[i] * v[i]
		sc.num[cell[i]] += v2 * eps[i]
		sc.den[cell[i]] += v2
	}
	s := sc.cl
	for _, i := range r0 {
		s[cl[i]] += v[i] * eps[i]
	}
	for _, i := range r1 {
		if v[i] == 0 {
			continue
		}
		c := cell[i]
		s[cl[i]] += v[i] * (eps[i] - sc.num[c]/sc.den[c])
	}
	var ss float64
	for _, x := range s {
		ss += x * x
	}
	return math.Sqrt(ss)
}

// imputationPreTrend runs the BJS Test 1 regression on the untreated rows.
func imputationPreTrend(data *Frame, spec ImputationSpec, clName string, r0 []int, cohortOf []float64, ucode []int32, tv []float64, opts Options) (*ImputationPreTrend, error) {
	K := spec.PreTrends
	base, err := frameRows(data, r0)
	if err != nil {
		return nil, err
	}
	order := make([]string, K)
	extra := map[string][]float64{}
	for k := K; k >= 1; k-- {
		name := "pre" + strconv.Itoa(k)
		order[K-k] = name
		col := make([]float64, len(r0))
		for a, i := range r0 {
			g := cohortOf[ucode[i]]
			if g > 0 && int(tv[i]-g) == -k {
				col[a] = 1
			}
		}
		extra[name] = col
	}
	f, names, err := frameWith(base, order, extra)
	if err != nil {
		return nil, err
	}
	terms := make([]string, 0, K+len(spec.Controls))
	for _, nm := range names {
		terms = append(terms, quoteName(nm))
	}
	for _, c := range spec.Controls {
		terms = append(terms, quoteName(c))
	}
	fes := []string{quoteName(spec.Unit), quoteName(spec.Time)}
	if !isUnitTime(spec.FixedEffects, spec.Unit, spec.Time) {
		fes = fes[:0]
		for _, fe := range spec.FixedEffects {
			parts := strings.Split(fe, "^")
			for k, p := range parts {
				parts[k] = quoteName(strings.TrimSpace(p))
			}
			fes = append(fes, strings.Join(parts, "^"))
		}
	}
	formula := fmt.Sprintf("%s ~ %s | %s", quoteName(spec.Outcome), strings.Join(terms, " + "), strings.Join(fes, " + "))
	o := opts
	o.VCov, o.Cluster = VCovCluster, []string{clName}
	o.Weights = spec.Weights
	r, err := Estimate(f, formula, o)
	if err != nil {
		return nil, fmt.Errorf("econ: imputation pre-trend test: %w", err)
	}
	pt := &ImputationPreTrend{Model: r}
	var kept []string
	for a, nm := range names {
		c, ok := r.Coef(nm)
		if !ok {
			continue
		}
		c.Name = strconv.Itoa(-(K - a))
		pt.Leads = append(pt.Leads, c)
		kept = append(kept, nm)
	}
	if len(kept) == 0 {
		return nil, errors.New("econ: imputation pre-trend test: every lead is collinear with the fixed effects (too few pre-periods?)")
	}
	if pt.Wald, err = Wald(r, kept); err != nil {
		return nil, fmt.Errorf("econ: imputation pre-trend test: %w", err)
	}
	return pt, nil
}
