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
	// observations only.
	Controls []string
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
}

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
// on the untreated observations only, OLS of
//
//	y_it = α_i + β_t + X_it'δ + Σ_{k=1..K} γ_k 1{t − E_i = −k} + ε_it
//
// clustered as the main estimate, and the joint Wald test of γ = 0.
// Because the imputation estimator does not use these leads, the test is
// separate from estimation (unlike an event-study regression).
type ImputationPreTrend struct {
	Leads []Coef    // γ_K … γ_1, named "-K" … "-1"
	Wald  *WaldTest // joint test; F = W/K with the Result's t degrees of freedom
	Model *Result   // the full regression
}

// Imputation is the result of [EstimateImputation].
type Imputation struct {
	Overall  ImputationEffect   // ATT over all imputed treated cells, w_it = 1/N₁
	Horizons []ImputationEffect // by event time h, w_it = 1{t − E_i = h}/N_h, ascending h
	PreTrend *ImputationPreTrend
	// Controls holds the δ̂ of the Y(0) model in the order of
	// ImputationSpec.Controls (Estimate only; SE, T, P are NaN): they are
	// nuisance parameters of the imputation.
	Controls []Coef
	// Tau has one entry per row of the data: τ̂_it = y_it − ŷ_it(0) for
	// imputed treated cells, NaN for every other row.
	Tau []float64
	// Y0 has one entry per row: ŷ_it(0) = α̂_i + β̂_t + X_it'δ̂ where it is
	// identified (units and periods with untreated observations), NaN
	// otherwise.
	Y0 []float64

	NObs        int // rows used (untreated + imputed treated)
	NUntreated  int // rows in the Y(0) model
	NTreated    int // treated rows whose Y(0) was imputed
	NMissing    int // rows dropped for a missing outcome, control, unit, time or cluster
	NNotImputed int // treated rows dropped: their unit or period has no untreated observation
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
// periods before E_i of treated units) and Ω₁ the treated ones. The steps
// (BJS Theorem 2) are:
//
//  1. fit y_it = α_i + β_t + X_it'δ + ε_it by OLS on Ω₀;
//  2. impute ŷ_it(0) = α̂_i + β̂_t + X_it'δ̂ and τ̂_it = y_it − ŷ_it(0) on Ω₁;
//  3. report τ̂_w = Σ_{Ω₁} w_it τ̂_it for the overall ATT (w = 1/N₁) and
//     each horizon h (w = 1{t − E_i = h}/N_h).
//
// Treated cells whose unit or period has no untreated observation are not
// identified and are dropped (Imputation.NNotImputed), as didimputation
// drops cells whose prediction is NA.
//
// The estimator is linear in y: τ̂_w = Σ_it v_it y_it, with v_it = w_it on
// Ω₁ and, with Z the design of step 1 (unit and period dummies, X),
//
//	v_Ω₀ = −Z₀ (Z₀'Z₀)⁻¹ Z₁' w₁            (BJS eq. 6)
//
// The conservative variance (Theorem 3) replaces the unknown τ_it by
// auxiliary averages within cohort × period cells,
// τ̄_gt = Σ v_it² τ̂_it / Σ v_it² over treated (i, t) with E_i = g (eq. 10,
// as didimputation and did_imputation's default), and sums over clusters c:
//
//	ε̃_it = y_it − ŷ_it(0) on Ω₀,   ε̃_it = τ̂_it − τ̄_{E_i t} on Ω₁
//	SE² = Σ_c (Σ_{it∈c} v_it ε̃_it)²
//
// without small-sample factor. Computation: Z₀'Z₀ is solved by
// eliminating the unit dummies (Schur complement), so only a
// (T−1+k)×(T−1+k) system of within-unit demeaned period dummies and
// controls is factored, by Cholesky with one step of iterative
// refinement; collinear controls are dropped with a note.
//
// Data rules: rows with a missing outcome, control, unit, time or
// cluster are dropped (NMissing). Errors: an *[ImputationError] for a
// non-integer time, a negative cohort, a cohort that varies within a unit,
// a duplicated unit-period, no treated or no untreated observations, or
// periods that cannot be separated from unit effects among untreated
// observations (a disconnected design). opts supplies the confidence
// level, and the demeaning settings of the pre-trend regression.
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
	for i := range n {
		if ucode[i] < 0 || ccode[i] < 0 || !isFinite(y[i]) || !isFinite(tv[i]) {
			res.NMissing++
			continue
		}
		miss := false
		for _, x := range xs {
			miss = miss || !isFinite(x[i])
		}
		if miss {
			res.NMissing++
			continue
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
		rows = append(rows, i)
	}
	if len(e.Issues) > 0 {
		return nil, e
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

	// Untreated rows: their units and periods define the Y(0) model.
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
	imp := r1[:0:0]
	for _, i := range r1 {
		if nu[ucode[i]] == 0 || pIndex[tcode[i]] < 0 {
			res.NNotImputed++
			continue
		}
		imp = append(imp, i)
	}
	r1 = imp
	if len(r1) == 0 {
		e.add("", "", spec.Cohort, "no treated observation can be imputed (their units or periods have no untreated observations)")
		return nil, e
	}
	if res.NNotImputed > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d treated observations dropped: their unit or period has no untreated observation", res.NNotImputed))
	}
	res.NUntreated, res.NTreated, res.NObs = len(r0), len(r1), len(r0)+len(r1)

	// The non-unit part of the design, R = [period dummies 2..T₀ | X]:
	// row i has a 1 in column pc[i] (−1 for the first period) and X_i.
	nt := len(periods) - 1
	k := len(xs)
	p := nt + k
	pc := make([]int32, n) // period dummy column of each used row, −1 for the first period
	for _, i := range r0 {
		pc[i] = int32(pIndex[tcode[i]] - 1)
	}
	for _, i := range r1 {
		pc[i] = int32(pIndex[tcode[i]] - 1)
	}
	d := &imputeDesign{n: n, p: p, nt: nt, xs: xs, unit: ucode, nu: nu, pc: pc}
	d.unitMeans(r0, len(ulabel))
	dropped := d.factor(r0)
	for _, j := range dropped {
		if j < nt {
			e.add("", periods[j+1], spec.Time,
				"period effect not identified among untreated observations: the untreated unit-period design is disconnected")
		} else {
			res.Notes = append(res.Notes, fmt.Sprintf("control %q is collinear with the fixed effects or other controls and was dropped", spec.Controls[j-nt]))
		}
	}
	if len(e.Issues) > 0 {
		return nil, e
	}

	// Step 1: θ_R = S⁻¹ R̃'ỹ, α_u = ȳ_u − m_u'θ_R.
	ybar := make([]float64, len(ulabel))
	for _, i := range r0 {
		ybar[ucode[i]] += y[i]
	}
	for u := range ybar {
		if nu[u] > 0 {
			ybar[u] /= float64(nu[u])
		}
	}
	rhs := make([]float64, p)
	for _, i := range r0 {
		d.addRowTimes(rhs, i, y[i]-ybar[ucode[i]])
	}
	theta := d.solveRefined(r0, rhs)
	alpha := make([]float64, len(ulabel))
	for u := range alpha {
		if nu[u] > 0 {
			alpha[u] = ybar[u] - dot(d.mean(int32(u)), theta)
		}
	}
	pred := func(i int) float64 { return alpha[ucode[i]] + d.rowDot(i, theta) }
	eps := make([]float64, n) // ε̂ on Ω₀, τ̂ on Ω₁
	for _, i := range r0 {
		res.Y0[i] = pred(i)
		eps[i] = y[i] - res.Y0[i]
	}
	for _, i := range r1 {
		res.Y0[i] = pred(i)
		eps[i] = y[i] - res.Y0[i]
		res.Tau[i] = eps[i]
	}
	for j, name := range spec.Controls {
		c := Coef{Name: name, Estimate: theta[nt+j], SE: math.NaN(), T: math.NaN(), P: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN()}
		if d.dropped[nt+j] {
			c.Estimate = math.NaN()
		}
		res.Controls = append(res.Controls, c)
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
	w := make([]float64, n)
	v := make([]float64, n)
	est := func(term string, h int, in func(i int) bool) (ImputationEffect, bool) {
		ef := ImputationEffect{Term: term, Horizon: h}
		for _, i := range r1 {
			if in(i) {
				ef.N++
			}
		}
		if ef.N == 0 {
			return ef, false
		}
		for _, i := range r1 {
			w[i] = 0
			if in(i) {
				w[i] = 1 / float64(ef.N)
				ef.Estimate += w[i] * res.Tau[i]
			}
		}
		d.weightsUntreated(v, r0, r1, w)
		for _, i := range r1 {
			v[i] = w[i]
		}
		ef.SE = bjsSE(sc, v, eps, r0, r1, ccode, cell)
		ef.CILow, ef.CIHigh = ef.Estimate-z*ef.SE, ef.Estimate+z*ef.SE
		return ef, true
	}
	res.Overall, _ = est("treat", -1, func(int) bool { return true })
	for _, h := range hs {
		ef, ok := est(strconv.Itoa(h), h, func(i int) bool { return eventTime(i) == h })
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

// imputeDesign is the Y(0) design with the unit dummies eliminated: the
// within-unit demeaned rows R̃_i = R_i − m_u of R = [period dummies | X]
// over the untreated rows, and the Cholesky factor of S = Σ R̃_i R̃_i'.
type imputeDesign struct {
	n, p, nt int
	xs       [][]float64
	unit     []int32
	nu       []int
	pc       []int32   // period dummy column of row i, −1 for the reference period
	means    []float64 // unit-major, p per unit
	chol     []float64 // p×p lower triangle, row-major
	dropped  []bool
}

func (d *imputeDesign) mean(u int32) []float64 { return d.means[int(u)*d.p : int(u+1)*d.p] }

// unitMeans computes m_u = mean of R_i over the untreated rows of unit u.
func (d *imputeDesign) unitMeans(r0 []int, nunits int) {
	d.means = make([]float64, nunits*d.p)
	for _, i := range r0 {
		m := d.mean(d.unit[i])
		if c := int(d.pc[i]); c >= 0 {
			m[c]++
		}
		for j, x := range d.xs {
			m[d.nt+j] += x[i]
		}
	}
	for u := range nunits {
		if d.nu[u] > 0 {
			m := d.mean(int32(u))
			for j := range m {
				m[j] /= float64(d.nu[u])
			}
		}
	}
}

// rowTilde writes R̃_i into dst.
func (d *imputeDesign) rowTilde(dst []float64, i int) {
	m := d.mean(d.unit[i])
	for j := range dst {
		dst[j] = -m[j]
	}
	if c := int(d.pc[i]); c >= 0 {
		dst[c]++
	}
	for j, x := range d.xs {
		dst[d.nt+j] += x[i]
	}
}

// rowDot returns R_i'θ (not demeaned).
func (d *imputeDesign) rowDot(i int, theta []float64) float64 {
	var s float64
	if c := int(d.pc[i]); c >= 0 {
		s = theta[c]
	}
	for j, x := range d.xs {
		s += theta[d.nt+j] * x[i]
	}
	return s
}

// addRowTimes adds a·R̃_i to dst.
func (d *imputeDesign) addRowTimes(dst []float64, i int, a float64) {
	m := d.mean(d.unit[i])
	for j := range dst {
		dst[j] -= a * m[j]
	}
	if c := int(d.pc[i]); c >= 0 {
		dst[c] += a
	}
	for j, x := range d.xs {
		dst[d.nt+j] += a * x[i]
	}
}

// factor forms S = Σ R̃_i R̃_i' over r0 and factors it by Cholesky,
// dropping (zeroing) columns whose pivot falls below 1e-10 of their
// diagonal, as the QR of [Fit] does with CollinTol. It returns the
// dropped columns.
func (d *imputeDesign) factor(r0 []int) []int {
	p := d.p
	S := make([]float64, p*p)
	row := make([]float64, p)
	for _, i := range r0 {
		d.rowTilde(row, i)
		for a := range p {
			ra := row[a]
			if ra == 0 {
				continue
			}
			sa := S[a*p : a*p+a+1]
			for b := range sa {
				sa[b] += ra * row[b]
			}
		}
	}
	L := make([]float64, p*p)
	d.dropped = make([]bool, p)
	var out []int
	for j := range p {
		s := S[j*p+j]
		for c := range j {
			s -= L[j*p+c] * L[j*p+c]
		}
		if !(s > 1e-10*S[j*p+j]) || S[j*p+j] == 0 {
			d.dropped[j] = true
			out = append(out, j)
			continue
		}
		ljj := math.Sqrt(s)
		L[j*p+j] = ljj
		for r := j + 1; r < p; r++ {
			t := S[r*p+j]
			for c := range j {
				t -= L[r*p+c] * L[j*p+c]
			}
			L[r*p+j] = t / ljj
		}
	}
	d.chol = L
	return out
}

// solve returns x with S x = b on the kept columns (dropped ones are 0).
func (d *imputeDesign) solve(b []float64) []float64 {
	p, L := d.p, d.chol
	x := make([]float64, p)
	for j := range p {
		if d.dropped[j] {
			continue
		}
		s := b[j]
		for c := range j {
			s -= L[j*p+c] * x[c]
		}
		x[j] = s / L[j*p+j]
	}
	for j := p - 1; j >= 0; j-- {
		if d.dropped[j] {
			x[j] = 0
			continue
		}
		s := x[j]
		for r := j + 1; r < p; r++ {
			s -= L[r*p+j] * x[r]
		}
		x[j] = s / L[j*p+j]
	}
	return x
}

// solveRefined solves the normal equations S θ = R̃'ỹ (rhs) and applies
// one step of iterative refinement with the residual recomputed from the
// rows: θ += S⁻¹ (rhs − Σ R̃_i R̃_i'θ).
func (d *imputeDesign) solveRefined(r0 []int, rhs []float64) []float64 {
	x := d.solve(rhs)
	res := slices.Clone(rhs)
	row := make([]float64, d.p)
	for _, i := range r0 {
		d.rowTilde(row, i)
		d.addRowTimes(res, i, -dot(row, x))
	}
	for j := range res {
		if d.dropped[j] {
			res[j] = 0
		}
	}
	dx := d.solve(res)
	for j := range x {
		x[j] += dx[j]
	}
	return x
}

// weightsUntreated sets v_i for i ∈ Ω₀ to the BJS weights
// v₀ = −Z₀(Z₀'Z₀)⁻¹Z₁'w₁, by the Schur complement of the unit block:
// with b_u = Σ_{Ω₁∩u} w_it and b_R = Σ_{Ω₁} w_it R_it,
//
//	γ_R = S⁻¹ (b_R − Σ_u b_u m_u),   v_it = −(b_u/n_u + R̃_it'γ_R)
func (d *imputeDesign) weightsUntreated(v []float64, r0, r1 []int, w []float64) {
	bu := make([]float64, len(d.nu))
	bR := make([]float64, d.p)
	for _, i := range r1 {
		if w[i] == 0 {
			continue
		}
		bu[d.unit[i]] += w[i]
		if c := int(d.pc[i]); c >= 0 {
			bR[c] += w[i]
		}
		for j, x := range d.xs {
			bR[d.nt+j] += w[i] * x[i]
		}
	}
	for u, b := range bu {
		if b == 0 {
			continue
		}
		m := d.mean(int32(u))
		for j := range bR {
			bR[j] -= b * m[j]
		}
	}
	for j := range bR {
		if d.dropped[j] {
			bR[j] = 0
		}
	}
	g := d.solve(bR)
	// v_it = −(b_u/n_u − m_u'γ + R_it'γ): the unit part once per unit.
	for u := range bu {
		if d.nu[u] > 0 {
			bu[u] = bu[u]/float64(d.nu[u]) - dot(d.mean(int32(u)), g)
		}
	}
	for _, i := range r0 {
		v[i] = -(bu[d.unit[i]] + d.rowDot(i, g))
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for j := range a {
		s += a[j] * b[j]
	}
	return s
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
	formula := fmt.Sprintf("%s ~ %s | %s + %s", quoteName(spec.Outcome), strings.Join(terms, " + "), quoteName(spec.Unit), quoteName(spec.Time))
	o := opts
	o.VCov, o.Cluster = VCovCluster, []string{clName}
	o.Weights = ""
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
