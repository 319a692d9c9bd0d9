package econ

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// CSData holds a panel in long form for [CallawaySantAnna]: one entry per
// unit and period. Cohort is the first treated period of the unit
// (constant within a unit) and 0 for never-treated units, as the gname
// column of R's did.
//
// Covariates, if any, hold one column per covariate, each as long as
// Unit; each 2×2 comparison uses the covariate values of the earlier of
// its two periods (the base period for post-treatment cells), as did does
// for panels. CovariateNames, if set, name them in errors. Cluster, if
// non-nil, assigns every row a cluster label (constant within a unit) for
// clustered standard errors and the clustered multiplier bootstrap.
//
// Weights, if non-nil, holds a sampling weight for every row (did's
// weightsname): finite, non-negative, not all zero, and in a panel
// (balanced or unbalanced) constant within a unit; with repeated
// cross-sections each row has its own. Only ratios of weights matter (did
// scales them to mean 1).
type CSData struct {
	Unit    []string
	Time    []int
	Outcome []float64
	Cohort  []int

	Covariates     [][]float64
	CovariateNames []string
	Cluster        []string
	Weights        []float64
}

// CSControl selects the comparison units of each ATT(g,t).
type CSControl int

const (
	// CSNeverTreated compares with units whose cohort is 0 (did's
	// control_group = "nevertreated", the default).
	CSNeverTreated CSControl = iota
	// CSNotYetTreated compares with never-treated units and units first
	// treated after max(t, base period) (did's "notyettreated").
	CSNotYetTreated
)

// CSBase selects the base period of each ATT(g,t).
type CSBase int

const (
	// CSVarying uses t−1 as the base of pre-treatment cells (t < g) and
	// the last period before g for post-treatment cells (did's default,
	// base_period = "varying").
	CSVarying CSBase = iota
	// CSUniversal uses the last period before g for every cell; the cell
	// at the base period itself is 0 with a zero influence function.
	CSUniversal
)

// CSMethod selects the 2×2 DID estimator of each ATT(g,t) when there are
// covariates (without covariates all three give the same numbers).
type CSMethod int

const (
	// CSDoublyRobust is the locally efficient doubly robust estimator of
	// Sant'Anna & Zhao (2020, J. Econometrics 219(1), eq. 3.1) with a
	// logit propensity score and a linear outcome regression on the
	// comparison units: DRDID's drdid_panel, which is what did's default
	// est_method = "dr" calls.
	CSDoublyRobust CSMethod = iota
	// CSOutcomeRegression is the outcome-regression DID of Heckman,
	// Ichimura & Todd (1997): DRDID's reg_did_panel (did's "reg").
	CSOutcomeRegression
	// CSIPW is the normalised (Hájek) inverse-probability-weighted DID of
	// Abadie (2005): DRDID's std_ipw_did_panel (did's "ipw").
	CSIPW
)

// String returns did's name of the method: "dr", "reg" or "ipw".
func (m CSMethod) String() string {
	switch m {
	case CSDoublyRobust:
		return "dr"
	case CSOutcomeRegression:
		return "reg"
	case CSIPW:
		return "ipw"
	}
	return fmt.Sprintf("CSMethod(%d)", int(m))
}

// CSBootWeights selects the distribution of the bootstrap multipliers.
type CSBootWeights int

const (
	// CSRademacher draws ±1 with probability ½ each: what did 2.5.1 uses
	// (BMisc::multiplier_bootstrap).
	CSRademacher CSBootWeights = iota
	// CSMammen draws Mammen's (1993) two-point weights (1 − √5)/2 with
	// probability (√5 + 1)/(2√5) and (1 + √5)/2 otherwise (mean 0,
	// variance 1, third moment 1), as DRDID's mboot.did.
	CSMammen
)

// CSSample describes how the rows of [CSData] were sampled.
type CSSample int

const (
	// CSBalancedPanel requires every unit in every period (did's default
	// panel = TRUE; an unbalanced panel is an error).
	CSBalancedPanel CSSample = iota
	// CSUnbalancedPanel accepts units missing in some periods (did's
	// allow_unbalanced_panel = TRUE): each ATT(g,t) uses the repeated
	// cross-section estimator on the rows of its two periods and the
	// influence functions are summed over each unit's rows. A balanced
	// panel is estimated as such, as did does.
	CSUnbalancedPanel
	// CSRepeatedCrossSections treats every row as its own observation
	// (did's panel = FALSE); Unit only labels rows, cohort and cluster
	// belong to the row.
	CSRepeatedCrossSections
)

// CSOptions configures [CallawaySantAnna]. The zero value is did's
// default with bstrap = FALSE: never-treated controls, a varying base
// period, the doubly robust estimator, no anticipation and analytic
// standard errors.
type CSOptions struct {
	Control CSControl
	Base    CSBase
	Method  CSMethod
	Sample  CSSample
	// Anticipation is the number of periods before its cohort in which a
	// unit may already react to treatment (did's anticipation): base
	// periods are taken before g − Anticipation, not-yet-treated controls
	// must start after t + Anticipation.
	Anticipation int

	// Boot is the number of multiplier-bootstrap draws; 0 gives analytic
	// standard errors. With Boot > 0 every reported SE is the bootstrap
	// one, IQR/(z_.75 − z_.25) of the draws, as did.
	Boot    int
	Seed    uint64        // seed of the bootstrap streams
	Weights CSBootWeights // bootstrap multipliers
	// CBand asks for uniform (simultaneous) confidence bands: critical
	// values from the bootstrap distribution of the sup-t statistic, for
	// the ATT(g,t) and for each aggregation's effects. Needs Boot > 0.
	CBand bool
	// Alpha is the significance level of the bands (0 means 0.05).
	Alpha float64
	// Workers bounds the goroutines of the bootstrap (0 means
	// GOMAXPROCS). Results do not depend on it.
	Workers int

	// BalanceE, MinE and MaxE restrict the dynamic (event-study)
	// aggregation as did's aggte(type = "dynamic", balance_e, min_e,
	// max_e); nil leaves it unrestricted (did's NULL, −Inf, Inf). With
	// BalanceE = b only cohorts g observed at least b periods after
	// treatment (t_max − g ≥ b) enter, and only the event times
	// b − (t_max − t_min) ≤ e ≤ b, so that every e is estimated from the
	// same cohorts (balanced in event time). MinE ≤ e ≤ MaxE bounds the
	// event times reported; the overall dynamic effect averages the
	// remaining e ≥ 0. The simple, group and calendar aggregations are
	// not restricted. Go 1.26: CSOptions{BalanceE: new(1)}.
	BalanceE, MinE, MaxE *int
}

// GroupTime is one group-time average treatment effect ATT(g,t).
type GroupTime struct {
	Group, Time int
	ATT, SE     float64
}

// CSEffect is one aggregated effect; Key is the event time e, the group
// or the calendar period, depending on the aggregation.
type CSEffect struct {
	Key     int
	ATT, SE float64
}

// CSAggregate is an aggregation of the ATT(g,t): an overall effect and one
// effect per event time, group or calendar period. CritVal is the
// critical value of the confidence intervals of By: the uniform one from
// the bootstrap sup-t when CSOptions.CBand is set (never below the
// pointwise one, as did's aggte), otherwise z_{1−α/2}.
type CSAggregate struct {
	Overall CSEffect
	By      []CSEffect
	CritVal float64
}

// CSPreTest is did's Wald pre-test of parallel trends: the joint test that
// every pre-treatment ATT(g,t) (t < g, cells with a non-zero influence
// function) is zero,
//
//	W = N · θ̂_preᵀ V̂⁻¹ θ̂_pre,  V̂ = Ψᵀ Ψ / N,  P = P(χ²_DF > W),
//
// with Ψ the N × DF influence functions of those cells (cluster sums of
// them when clustering). It always uses the analytic V̂, also with
// bootstrap draws. did prints P rounded to 5 decimals, and withholds the
// test when it combines clustering with the bootstrap; econ reports it
// with the clustered V̂ then.
type CSPreTest struct {
	W  float64
	DF int
	P  float64
}

// CS is the result of [CallawaySantAnna]. Influence holds, for each entry
// of Cells, the influence function of that ATT(g,t) over the N units (in
// the order of Units), scaled as did's inffunc so that
// SE = sqrt(Σ_i ψ_i²)/N without clustering.
type CS struct {
	Cells    []GroupTime
	Simple   CSEffect // Key unused
	Dynamic  CSAggregate
	Group    CSAggregate
	Calendar CSAggregate
	// CritVal is the critical value for the ATT(g,t): uniform over all
	// cells with CSOptions.CBand (did's att_gt c, not floored), otherwise
	// z_{1−α/2}.
	CritVal float64
	// PreTest is nil when there is no pre-treatment cell with a non-zero
	// influence function or their covariance matrix is singular.
	PreTest *CSPreTest

	N        int      // units used
	Clusters int      // clusters (N without clustering)
	Units    []string // units used, in the order of Influence rows
	Dropped  []string // units dropped because treated in the first period
	Boot     int      // bootstrap draws (0: analytic SEs)
	Seed     uint64   // bootstrap seed
	Weighted bool     // sampling weights (CSData.Weights) were used
	// BalanceE, MinE and MaxE repeat the restriction of Dynamic
	// (CSOptions.BalanceE, MinE, MaxE; nil: none).
	BalanceE, MinE, MaxE *int
	// Influence[k][i] is ψ_i of Cells[k].
	Influence [][]float64
}

// CallawaySantAnna estimates the group-time average treatment effects of
// Callaway & Sant'Anna (2021, J. Econometrics 225(2), 200–230) on a
// balanced panel, an unbalanced panel or repeated cross-sections (see
// [CSSample]), as R's did 2.5.1 (att_gt with faster_mode and aggte), with
// analytic influence-function standard errors, optionally clustered, or
// the multiplier bootstrap with uniform confidence bands.
//
// For a cohort g, a period t and base period b (see [CSBase]), with G_g the
// units first treated at g and C the comparison units (see [CSControl]),
// ATT(g,t) is a 2×2 DID of Y_t − Y_b between G_g and C on the n_gt units
// of G_g ∪ C. Without covariates
//
//	ATT(g,t) = mean_{i∈G_g}(Y_it − Y_ib) − mean_{i∈C}(Y_it − Y_ib)
//	ψ_i = (N/n_g)(ΔY_i − μ_g) for i∈G_g,  −(N/n_C)(ΔY_i − μ_C) for i∈C,  0 otherwise
//	SE = sqrt(Σ_i ψ_i²) / N
//
// which is what every est_method of did reduces to with xformla = ~1.
// With covariates X (an intercept and CSData.Covariates at the earlier of
// t and b) the 2×2 estimator is chosen by CSOptions.Method (see
// [CSMethod]; Sant'Anna & Zhao 2020, sections 2–3): with p̂(X) the logit
// propensity score and μ̂₀(X) = Xβ̂ the OLS fit of ΔY on the comparison
// units,
//
//	reg: mean_{G_g}(ΔY − μ̂₀(X))
//	ipw: Σ D ΔY / Σ D − Σ w₀ ΔY / Σ w₀,                w₀ = (1−D) p̂/(1−p̂)
//	dr:  Σ D (ΔY − μ̂₀) / Σ D − Σ w₀ (ΔY − μ̂₀) / Σ w₀
//
// and ψ_i = (N/n_gt)·(DRDID's influence function, including the terms for
// estimating β̂ and the logit coefficients). As in DRDID, p̂ is capped at
// 1 − 10⁻⁶ and comparison units with p̂ ≥ 0.995 get weight 0. With
// clustering, SEs are sqrt(Σ_c (Σ_{i∈c} ψ_i)²)/N (did's analytic clustered
// SE, no small-sample factor).
//
// For repeated cross-sections and unbalanced panels each ATT(g,t) is
// DRDID's repeated cross-section estimator (reg_did_rc, std_ipw_did_rc or
// drdid_rc, the last with outcome regressions for both groups in both
// periods) on the n_gt rows of its two periods, ψ = (N/n_gt)·IF with N
// the number of rows (cross-sections) or units (unbalanced panel, each
// unit's rows summed), again as did.
//
// As in did, units first treated after the last period plus Anticipation
// are treated as never treated and units treated by the first period plus
// Anticipation are dropped (listed in CS.Dropped); with not-yet-treated
// controls and no never-treated units, the last cohort serves as never
// treated and the periods from its first treated period minus
// Anticipation on are dropped. The aggregations follow did's aggte,
// including the influence-function term for the estimated group-share
// weights:
//
//   - simple: Σ_k p_k ATT_k / Σ_k p_k over post-treatment cells (t ≥ g),
//     p_k the share of units in the cell's cohort;
//   - dynamic: for each e = t − g the p-weighted mean of the cells with
//     that e; overall the plain mean over e ≥ 0;
//   - group: for each g the plain mean of its post-treatment cells;
//     overall the p-weighted mean over groups;
//   - calendar: for each t ≥ min g the p-weighted mean of the cells with
//     g ≤ t; overall the plain mean over t.
//
// The weight term, for cells k in the set K with s = Σ_{k∈K} p_k, adds
// Σ_{k∈K} ATT_k·[(1{G_i=g_k} − p_k)/s − p_k Σ_{j∈K}(1{G_i=g_j} − p_j)/s²]
// to each unit's influence function. CSOptions.BalanceE, MinE and MaxE
// restrict the dynamic aggregation as aggte's balance_e, min_e and max_e.
//
// With sampling weights ω (CSData.Weights, did's weightsname) every 2×2
// estimate is DRDID's weighted one (weighted means, weighted least
// squares and a weighted logit likelihood; ω multiplies every term of the
// influence function), the group shares are p_g = (1/N)Σ_i ω_i 1{G_i=g}
// with ω scaled to mean 1, and 1{G_i=g_k} becomes ω_i 1{G_i=g_k} in the
// weight term above, as did 2.5.1.
//
// The multiplier bootstrap (Callaway & Sant'Anna 2021, section 4.2;
// did's mboot) draws, for b = 1..Boot, one multiplier ξ_bc per cluster (or
// unit) and forms Z_bk = Σ_c ξ_bc S_ck / N for every cell and aggregated
// effect k, S_ck the cluster sum of ψ_k; SE_k = IQR_b(Z_bk)/(z_.75 − z_.25)
// with type-1 quantiles, and the uniform critical value is the (1 − α)
// type-1 quantile of max_k |Z_bk|/SE_k. Draws come in chunks of 64, each
// from its own PCG stream seeded (Seed, chunk), so the output does not
// depend on Workers or GOMAXPROCS. Unlike did, which draws new multipliers
// for every aggte call, one set of draws serves all cells and
// aggregations.
//
// Bad input (length mismatch, missing outcome or covariate, unbalanced
// panel, a cohort or cluster that varies within a unit, no comparison
// units, covariates collinear among the comparison units, a propensity
// score of 0.999 or more (did's overlap check; did reports NA for such a
// cell), a logit that does not converge) returns a *[CSError] whose cause
// (ErrMissing, ErrNoComparisonUnits, ErrOverlap, …; errors.Is) says what
// and whose fields say where: cohort, period, unit, row. Problems of
// single rows are all collected (at most 20) and come back together as a
// *[CSErrors] when there are several.
func CallawaySantAnna(d CSData, opts CSOptions) (*CS, error) {
	m := len(d.Unit)
	if len(d.Time) != m || len(d.Outcome) != m || len(d.Cohort) != m {
		return nil, csErrorf(ErrColumnLength, "column lengths differ (unit %d, time %d, outcome %d, cohort %d)",
			m, len(d.Time), len(d.Outcome), len(d.Cohort))
	}
	for c, x := range d.Covariates {
		if len(x) != m {
			e := csErrorf(ErrColumnLength, "covariate %s has %d rows, want %d", covName(d, c), len(x), m)
			e.Column = csCovColumn(d, c)
			return nil, e
		}
	}
	if d.Cluster != nil && len(d.Cluster) != m {
		e := csErrorf(ErrColumnLength, "cluster column has %d rows, want %d", len(d.Cluster), m)
		e.Column = "cluster"
		return nil, e
	}
	if m == 0 {
		return nil, csErrorf(ErrNoObservations, "no observations")
	}
	if opts.Anticipation < 0 {
		return nil, csErrorf(ErrBadOptions, "negative anticipation %d", opts.Anticipation)
	}
	if opts.Method < CSDoublyRobust || opts.Method > CSIPW {
		return nil, csErrorf(ErrBadOptions, "unknown method %v", opts.Method)
	}
	if opts.Boot < 0 {
		return nil, csErrorf(ErrBadOptions, "negative number of bootstrap draws %d", opts.Boot)
	}
	if opts.CBand && opts.Boot == 0 {
		return nil, csErrorf(ErrBadOptions, "uniform confidence bands need bootstrap draws (Boot > 0)")
	}
	alpha := opts.Alpha
	if alpha == 0 {
		alpha = 0.05
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, csErrorf(ErrBadOptions, "alpha %v outside (0, 1)", opts.Alpha)
	}
	if opts.Sample < CSBalancedPanel || opts.Sample > CSRepeatedCrossSections {
		return nil, csErrorf(ErrBadOptions, "unknown sample type %d", opts.Sample)
	}
	if opts.BalanceE != nil && *opts.BalanceE < 0 {
		return nil, csErrorf(ErrBadOptions, "negative BalanceE %d", *opts.BalanceE)
	}
	if opts.MinE != nil && opts.MaxE != nil && *opts.MinE > *opts.MaxE {
		return nil, csErrorf(ErrBadOptions, "MinE %d above MaxE %d", *opts.MinE, *opts.MaxE)
	}
	if err := csCheckWeights(d); err != nil {
		return nil, err
	}
	if opts.Sample == CSRepeatedCrossSections {
		return callawaySantAnnaRC(d, opts, alpha)
	}
	ant := opts.Anticipation
	// Units in order of first appearance, sorted periods.
	uidx := map[string]int{}
	var units []string
	tset := map[int]bool{}
	for r := 0; r < m; r++ {
		if _, ok := uidx[d.Unit[r]]; !ok {
			uidx[d.Unit[r]] = len(units)
			units = append(units, d.Unit[r])
		}
		tset[d.Time[r]] = true
	}
	times := make([]int, 0, len(tset))
	for t := range tset {
		times = append(times, t)
	}
	sort.Ints(times)
	tidx := map[int]int{}
	for i, t := range times {
		tidx[t] = i
	}
	nu, nt := len(units), len(times)
	if nt < 2 {
		return nil, csErrorf(ErrTooFewPeriods, "need at least two periods")
	}
	if nu*nt != m {
		if opts.Sample == CSUnbalancedPanel {
			return callawaySantAnnaRC(d, opts, alpha)
		}
		e := csErrorf(ErrUnbalanced, "panel is not balanced (%d rows, %d units × %d periods)", m, nu, nt)
		if u, t, ok := csFirstGap(d, uidx, units, times); ok {
			e.Unit, e.Period = u, t
			e.Msg += fmt.Sprintf(": unit %q has no row for period %d", u, t)
		}
		e.Hint = "use CSUnbalancedPanel"
		return nil, e
	}
	ncov := len(d.Covariates)
	y := make([]float64, nu*nt)
	xs := make([][]float64, ncov)
	for c := range xs {
		xs[c] = make([]float64, nu*nt)
	}
	seen := make([]bool, nu*nt)
	coh := make([]int, nu)
	for i := range coh {
		coh[i] = math.MinInt
	}
	var clus []string
	if d.Cluster != nil {
		clus = make([]string, nu)
	}
	var uw []float64 // sampling weight of each unit
	wmean := csMeanWeight(d)
	if d.Weights != nil {
		uw = make([]float64, nu)
	}
	var bad csIssues
	for r := 0; r < m; r++ {
		i, j := uidx[d.Unit[r]], tidx[d.Time[r]]
		if seen[i*nt+j] {
			bad.add(csDuplicateRow(d, r))
		}
		seen[i*nt+j] = true
		v := d.Outcome[r]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad.add(csMissingOutcome(d, r))
		}
		y[i*nt+j] = v
		for c := range xs {
			v := d.Covariates[c][r]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				bad.add(csMissingCovariate(d, r, c))
			}
			xs[c][i*nt+j] = v
		}
		if coh[i] == math.MinInt {
			coh[i] = d.Cohort[r]
			if coh[i] < 0 {
				bad.add(csNegativeCohort(d, r)) // once per unit; a change is reported below
			}
			if clus != nil {
				clus[i] = d.Cluster[r]
			}
			if uw != nil {
				uw[i] = d.Weights[r]
			}
		} else {
			if clus != nil && clus[i] != d.Cluster[r] {
				bad.add(csClusterVaries(d, r, clus[i]))
			}
			if uw != nil {
				if e := csSameWeight(d, r, uw[i], wmean); e != nil {
					bad.add(e)
				}
			}
		}
		if coh[i] != d.Cohort[r] {
			bad.add(csCohortVaries(d, r, coh[i]))
		}
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	// Recode late cohorts as never treated, drop first-period cohorts.
	res := &CS{Boot: opts.Boot, Seed: opts.Seed}
	var keep []int
	for i := 0; i < nu; i++ {
		if coh[i] > times[nt-1]+ant {
			coh[i] = 0
		}
		if coh[i] != 0 && coh[i] <= times[0]+ant {
			res.Dropped = append(res.Dropped, units[i])
			continue
		}
		keep = append(keep, i)
	}
	n := len(keep)
	if n == 0 {
		return nil, csErrorf(ErrAllTreatedFirst, "every unit is treated in the first period")
	}
	G := make([]int, n)
	res.Units = make([]string, n)
	gset := map[int]int{}
	var W []float64 // sampling weights of the kept units
	if uw != nil {
		W = make([]float64, n)
	}
	for k, i := range keep {
		G[k] = coh[i]
		res.Units[k] = units[i]
		if coh[i] != 0 {
			gset[coh[i]]++
		}
		if W != nil {
			W[k] = uw[i]
		}
	}
	res.N = n
	if len(gset) == 0 {
		return nil, csErrorf(ErrNoTreated, "no treated units")
	}
	stride := nt
	if len(keep)-sumCounts(gset) == 0 {
		if opts.Control == CSNeverTreated {
			e := csErrorf(ErrNoNeverTreated, "no never-treated units (cohort 0) for never-treated controls: all %d units are first treated in %s", len(keep), csCohortList(gset))
			e.Hint = "use not-yet-treated controls"
			return nil, e
		}
		// As did: without never-treated units, the last cohort becomes
		// the comparison group and the periods from its start (less the
		// anticipation) are dropped.
		gmax := 0
		for g := range gset {
			gmax = max(gmax, g)
		}
		delete(gset, gmax)
		for k := range G {
			if G[k] == gmax {
				G[k] = 0
			}
		}
		for nt > 0 && times[nt-1] >= gmax-ant {
			nt--
		}
		times = times[:nt]
		if nt < 2 || len(gset) == 0 {
			e := csErrorf(ErrNoNeverTreated, "no never-treated units and too few periods before the last cohort (%d) to use it as comparison", gmax)
			e.Cohort = gmax
			return nil, e
		}
	}
	glist := make([]int, 0, len(gset))
	for g := range gset {
		glist = append(glist, g)
	}
	sort.Ints(glist)

	// Clusters: index of each kept unit's cluster, in order of appearance.
	var cl []int
	res.Clusters = n
	if clus != nil {
		cidx := map[string]int{}
		cl = make([]int, n)
		for k, i := range keep {
			c, ok := cidx[clus[i]]
			if !ok {
				c = len(cidx)
				cidx[clus[i]] = c
			}
			cl[k] = c
		}
		res.Clusters = len(cidx)
	}
	sef := func(psi []float64) float64 { return clusterSE(psi, cl, res.Clusters) }

	est := csEstimator{method: opts.Method, k: 1 + ncov}
	if W != nil {
		est.w = []float64{}
	}
	notyet := opts.Control == CSNotYetTreated
	fill := func(g, j, b, late int) {
		xj := min(j, b) // covariates from the earlier period, as did
		e := &est
		for k, gk := range G {
			if gk != g && gk != 0 && !(notyet && gk > late) {
				continue // neither in the cohort nor a comparison unit
			}
			row := keep[k] * stride
			e.add(k, gk == g, y[row+j]-y[row+b])
			if W != nil {
				e.w = append(e.w, W[k])
			}
			if ncov > 0 {
				e.x = append(e.x, 1)
				for c := range xs {
					e.x = append(e.x, xs[c][row+xj])
				}
			}
		}
	}
	estimate := func() (float64, error) {
		if ncov == 0 {
			return est.unconditional(), nil
		}
		return est.conditional()
	}
	if err := csGroupTimes(res, &est, glist, times, opts, n, sef, fill, estimate); err != nil {
		return nil, err
	}
	return finishCS(res, G, W, glist, times, sef, cl, opts, alpha)
}

// csGroupTimes runs the group-time loop shared by the panel and the
// repeated cross-section paths of [CallawaySantAnna]. For each cohort g of
// glist and period index j (from 1 with a varying base period, from 0
// with a universal one) it picks the base period b, appends the cell with
// a zero influence function when b = j (universal base), and otherwise
// resets est, lets fill(g, j, b, late) load the cell's cohort and
// comparison observations into it (late = max(t_j, t_b) + anticipation,
// the bound of not-yet-treated comparison cohorts), checks them, and
// calls estimate for the ATT and est.inf, which it scales by N/n_gt into
// the cell's influence function over the n observations (summed per
// unit, for unbalanced panels).
func csGroupTimes(res *CS, est *csEstimator, glist, times []int, opts CSOptions, n int,
	sef func([]float64) float64, fill func(g, j, b, late int), estimate func() (float64, error)) error {
	ant := opts.Anticipation
	first := 1
	if opts.Base == CSUniversal {
		first = 0
	}
	for _, g := range glist {
		pret := -1 // last period index before g − anticipation
		for j := range times {
			if times[j]+ant < g {
				pret = j
			}
		}
		if pret < 0 {
			e := csErrorf(ErrNoPreTreatment, "cohort %d has no pre-treatment period", g)
			e.Cohort = g
			return e
		}
		for j := first; j < len(times); j++ {
			b := pret
			if opts.Base == CSVarying && times[j] < g {
				b = j - 1
			}
			psi := make([]float64, n)
			cell := GroupTime{Group: g, Time: times[j]}
			if b == j {
				res.Cells = append(res.Cells, cell)
				res.Influence = append(res.Influence, psi)
				continue
			}
			est.reset()
			fill(g, j, b, max(times[j], times[b])+ant)
			if est.n0 == 0 {
				e := csErrorf(ErrNoComparisonUnits, "cohort %d has no comparison units in period %d", g, times[j])
				e.Cohort, e.Period = g, times[j]
				return e
			}
			err := est.normWeights()
			if err == nil {
				cell.ATT, err = estimate()
			}
			if err != nil {
				return csCellError(g, times[j], err)
			}
			scale := float64(n) / float64(len(est.unit))
			for s, k := range est.unit {
				psi[k] += scale * est.inf[s]
			}
			cell.SE = sef(psi)
			res.Cells = append(res.Cells, cell)
			res.Influence = append(res.Influence, psi)
		}
	}
	return nil
}

// csCheckWeights validates CSData.Weights: one per row, finite and
// non-negative, with a positive sum.
func csCheckWeights(d CSData) error {
	if d.Weights == nil {
		return nil
	}
	if len(d.Weights) != len(d.Unit) {
		e := csErrorf(ErrColumnLength, "weight column has %d rows, want %d", len(d.Weights), len(d.Unit))
		e.Column = "weight"
		return e
	}
	var s float64
	var bad csIssues
	for r, v := range d.Weights {
		switch {
		case math.IsNaN(v):
			bad.add(csRowError(d, r, ErrMissing, "weight", "sampling weight of unit %q in period %d is missing", d.Unit[r], d.Time[r]))
		case math.IsInf(v, 0) || v < 0:
			bad.add(csRowError(d, r, ErrBadWeight, "weight", "sampling weight %v of unit %q in period %d is not a finite non-negative number", v, d.Unit[r], d.Time[r]))
		default:
			s += v
		}
	}
	if err := bad.err(); err != nil {
		return err
	}
	if !(s > 0) {
		e := csErrorf(ErrBadWeight, "every sampling weight is 0")
		e.Column = "weight"
		return e
	}
	return nil
}

// csMeanWeight is the mean of CSData.Weights (1 without weights).
func csMeanWeight(d CSData) float64 {
	if d.Weights == nil {
		return 1
	}
	var s float64
	for _, v := range d.Weights {
		s += v
	}
	return s / float64(len(d.Weights))
}

// csSameWeight reports an error when row r's sampling weight differs from
// w, its unit's weight in an earlier row, by more than did's tolerance
// (mean is the mean weight over all rows)
// (√ε after scaling the weights to mean 1; did warns and uses the weight
// of the earlier period of each comparison, econ asks for one weight per
// unit).
func csSameWeight(d CSData, r int, w, mean float64) *CSError {
	if math.Abs(d.Weights[r]-w)/mean <= math.Sqrt(0x1p-52) {
		return nil
	}
	return csRowError(d, r, ErrBadWeight, "weight", "sampling weight of unit %q changes from %v to %v in period %d; in a panel the weight must be constant within a unit", d.Unit[r], w, d.Weights[r], d.Time[r])
}

// The row problems shared by the panel and the repeated cross-section
// paths, each located at row r (0-based) of d.

func csDuplicateRow(d CSData, r int) *CSError {
	return csRowError(d, r, ErrDuplicateRow, "time", "unit %q has period %d twice", d.Unit[r], d.Time[r])
}

func csMissingOutcome(d CSData, r int) *CSError {
	return csRowError(d, r, ErrMissing, "outcome", "outcome of unit %q in period %d is missing", d.Unit[r], d.Time[r])
}

func csMissingCovariate(d CSData, r, c int) *CSError {
	return csRowError(d, r, ErrMissing, csCovColumn(d, c), "covariate %s of unit %q in period %d is missing", covName(d, c), d.Unit[r], d.Time[r])
}

func csClusterVaries(d CSData, r int, was string) *CSError {
	return csRowError(d, r, ErrClusterVaries, "cluster", "cluster of unit %q changes from %q to %q in period %d", d.Unit[r], was, d.Cluster[r], d.Time[r])
}

// csCohortVaries reports that row r's cohort differs from was, the cohort
// of an earlier row of its unit (Cohort is was).
func csCohortVaries(d CSData, r, was int) *CSError {
	e := csRowError(d, r, ErrTreatmentSwitchesOff, "cohort", "cohort of unit %q changes from %d to %d in period %d; the cohort is the first treated period (0: never), constant within a unit, and treatment cannot switch off", d.Unit[r], was, d.Cohort[r], d.Time[r])
	e.Cohort = was
	return e
}

func csNegativeCohort(d CSData, r int) *CSError {
	e := csRowError(d, r, ErrNegativeCohort, "cohort", "negative cohort %d of unit %q in period %d", d.Cohort[r], d.Unit[r], d.Time[r])
	e.Cohort = d.Cohort[r]
	return e
}

// finishCS checks that there is a post-treatment cell, then computes the
// aggregations, the pre-test, the critical values and the bootstrap.
func finishCS(res *CS, G []int, W []float64, glist, times []int, sef func([]float64) float64, cl []int, opts CSOptions, alpha float64) (*CS, error) {
	hasPost := false
	for _, c := range res.Cells {
		hasPost = hasPost || c.Time >= c.Group
	}
	if !hasPost {
		return nil, csErrorf(ErrNoPostTreatment, "no post-treatment period: every cohort starts after the last period")
	}
	res.Weighted = W != nil
	res.BalanceE, res.MinE, res.MaxE = csCopyInt(opts.BalanceE), csCopyInt(opts.MinE), csCopyInt(opts.MaxE)
	cols, err := aggregateCS(res, G, W, glist, times, sef, opts)
	if err != nil {
		return nil, err
	}
	res.PreTest = csPreTest(res, cl, res.Clusters)
	z := normalQuantile(1 - alpha/2)
	res.CritVal = z
	res.Dynamic.CritVal, res.Group.CritVal, res.Calendar.CritVal = z, z, z
	if opts.Boot > 0 {
		csBootstrap(res, cols, cl, opts, alpha)
	}
	return res, nil
}

// csCopyInt returns a pointer to a copy of *p, nil for nil.
func csCopyInt(p *int) *int {
	if p == nil {
		return nil
	}
	return new(*p)
}

// csCohortList lists the cohorts of gset in order with their unit counts,
// e.g. "period 2004 (20 units), 2006 (40 units)", for error messages.
func csCohortList(gset map[int]int) string {
	gs := make([]int, 0, len(gset))
	for g := range gset {
		gs = append(gs, g)
	}
	sort.Ints(gs)
	var b strings.Builder
	b.WriteString("period ")
	for k, g := range gs {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d (%d unit", g, gset[g])
		if gset[g] != 1 {
			b.WriteByte('s')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// csFirstGap finds, for the error of an unbalanced panel, the first unit
// (in order of appearance) without a row for some period and the first
// such period; ok is false when every unit has every period.
func csFirstGap(d CSData, uidx map[string]int, units []string, times []int) (unit string, period int, ok bool) {
	have := make(map[[2]int]bool, len(d.Unit))
	for r := range d.Unit {
		have[[2]int{uidx[d.Unit[r]], d.Time[r]}] = true
	}
	for i, u := range units {
		for _, t := range times {
			if !have[[2]int{i, t}] {
				return u, t, true
			}
		}
	}
	return "", 0, false
}

// csCovColumn is CSError.Column for covariate c: its name, or
// "covariate k" (1-based) without one.
func csCovColumn(d CSData, c int) string {
	if c < len(d.CovariateNames) && d.CovariateNames[c] != "" {
		return d.CovariateNames[c]
	}
	return "covariate " + strconv.Itoa(c+1)
}

func covName(d CSData, c int) string {
	if c < len(d.CovariateNames) && d.CovariateNames[c] != "" {
		return strconv.Quote(d.CovariateNames[c])
	}
	return strconv.Itoa(c + 1)
}

func sumCounts(m map[int]int) int {
	s := 0
	for _, v := range m {
		s += v
	}
	return s
}

// clusterSE is did's analytic SE of an influence function: sqrt(Σψ²)/n
// (getSE: sqrt(mean(ψ²)/n)), or with clusters sqrt(Σ_c (Σ_{i∈c} ψ_i)²)/n.
func clusterSE(psi []float64, cl []int, nc int) float64 {
	n := float64(len(psi))
	if cl == nil {
		var s float64
		for _, v := range psi {
			s += v * v
		}
		return math.Sqrt(s/n) / math.Sqrt(n)
	}
	sum := make([]float64, nc)
	for i, v := range psi {
		sum[cl[i]] += v
	}
	var s float64
	for _, v := range sum {
		s += v * v
	}
	return math.Sqrt(s) / n
}

// csColumn is one estimate whose influence function goes through the
// bootstrap: its SE is replaced by the bootstrap one, and band names the
// uniform band it belongs to (csBandNone for overall effects).
type csColumn struct {
	psi  []float64
	se   *float64
	band int
}

const (
	csBandNone = iota
	csBandCells
	csBandDynamic
	csBandGroup
	csBandCalendar
)

// aggregateCS fills the simple, dynamic, group and calendar aggregations
// and returns their influence functions. W holds the sampling weights of
// the units (nil: all 1); the group shares are their weighted means.
func aggregateCS(res *CS, G []int, W []float64, glist, times []int, sef func([]float64) float64, opts CSOptions) ([]csColumn, error) {
	n := len(G)
	share := map[int]float64{}
	wmean := 1.0 // did scales the weights to mean 1
	if W != nil {
		var s float64
		for _, w := range W {
			s += w
		}
		wmean = s / float64(n)
	}
	for i, g := range G {
		if g != 0 {
			if W != nil {
				share[g] += W[i] / wmean
			} else {
				share[g]++
			}
		}
	}
	for _, g := range glist {
		if !(share[g] > 0) {
			e := csErrorf(ErrBadWeight, "cohort %d has zero total sampling weight", g)
			e.Cohort, e.Column = g, "weight"
			return nil, e
		}
	}
	for g := range share {
		share[g] /= float64(n)
	}
	// ω_i scaled to mean 1 for the weight term (nil: all 1).
	var wn []float64
	if W != nil {
		wn = make([]float64, n)
		for i, w := range W {
			wn[i] = w / wmean
		}
	}
	cells := res.Cells
	att := make([]float64, len(cells))
	pg := make([]float64, len(cells))
	for k, c := range cells {
		att[k] = c.ATT
		pg[k] = share[c.Group]
	}
	// combine returns Σ w_k ψ_k (+ weight term) and the weighted ATT.
	combine := func(keys []int, weighted bool) (float64, []float64) {
		psi := make([]float64, n)
		var s float64
		for _, k := range keys {
			s += pg[k]
		}
		var est float64
		for _, k := range keys {
			w := 1 / float64(len(keys))
			if weighted {
				w = pg[k] / s
			}
			est += w * att[k]
			for i, v := range res.Influence[k] {
				psi[i] += w * v
			}
		}
		if weighted {
			addWeightIF(psi, G, wn, keys, func(k int) int { return cells[k].Group }, pg, att)
		}
		return est, psi
	}
	// Simple.
	var post []int
	for k, c := range cells {
		if c.Time >= c.Group {
			post = append(post, k)
		}
	}
	est, psiSimple := combine(post, true)
	res.Simple = CSEffect{ATT: est, SE: sef(psiSimple)}

	// Dynamic, restricted as aggte's balance_e, min_e and max_e.
	es, eset, err := csEventTimes(cells, times, opts)
	if err != nil {
		return nil, err
	}
	var psiDyn [][]float64
	res.Dynamic, psiDyn = overallOf(es, func(e int) (float64, []float64) { return combine(eset[e], true) }, n,
		func(e int) bool { return e >= 0 }, nil, nil, nil, nil, sef)

	// Group.
	gshare := make([]float64, len(glist))
	for i, g := range glist {
		gshare[i] = share[g]
	}
	var psiGroup [][]float64
	res.Group, psiGroup = overallOf(glist, func(g int) (float64, []float64) {
		var keys []int
		for _, k := range post {
			if cells[k].Group == g {
				keys = append(keys, k)
			}
		}
		return combine(keys, false)
	}, n, func(int) bool { return true }, gshare, G, wn, glist, sef)

	// Calendar: periods from the first cohort on that have a
	// post-treatment cell.
	var ts []int
	for _, t := range times {
		if t < glist[0] {
			continue
		}
		for _, k := range post {
			if cells[k].Time == t {
				ts = append(ts, t)
				break
			}
		}
	}
	var psiCal [][]float64
	res.Calendar, psiCal = overallOf(ts, func(t int) (float64, []float64) {
		var keys []int
		for _, k := range post {
			if cells[k].Time == t {
				keys = append(keys, k)
			}
		}
		return combine(keys, true)
	}, n, func(int) bool { return true }, nil, nil, nil, nil, sef)

	cols := []csColumn{{psiSimple, &res.Simple.SE, csBandNone}}
	for _, a := range []struct {
		agg  *CSAggregate
		psi  [][]float64
		band int
	}{{&res.Dynamic, psiDyn, csBandDynamic}, {&res.Group, psiGroup, csBandGroup}, {&res.Calendar, psiCal, csBandCalendar}} {
		cols = append(cols, csColumn{a.psi[len(a.psi)-1], &a.agg.Overall.SE, csBandNone})
		for i := range a.agg.By {
			cols = append(cols, csColumn{a.psi[i], &a.agg.By[i].SE, a.band})
		}
	}
	return cols, nil
}

// csEventTimes lists the event times e = t − g of the dynamic aggregation
// in increasing order, each with its cells, as aggte(type = "dynamic"):
// with opts.BalanceE = b only cells of cohorts with t_max − g ≥ b, and
// only b − (t_max − t_min) ≤ e ≤ b; then MinE ≤ e ≤ MaxE. It is an error
// when no event time ≥ 0 remains (no overall effect).
func csEventTimes(cells []GroupTime, times []int, opts CSOptions) ([]int, map[int][]int, error) {
	tmin, tmax := times[0], times[len(times)-1]
	eset := map[int][]int{}
	for k, c := range cells {
		if opts.BalanceE != nil && tmax-c.Group < *opts.BalanceE {
			continue
		}
		eset[c.Time-c.Group] = append(eset[c.Time-c.Group], k)
	}
	var es []int
	for e := range eset {
		switch {
		case opts.BalanceE != nil && (e > *opts.BalanceE || e < *opts.BalanceE-(tmax-tmin)),
			opts.MinE != nil && e < *opts.MinE,
			opts.MaxE != nil && e > *opts.MaxE:
			continue
		}
		es = append(es, e)
	}
	sort.Ints(es)
	if len(es) == 0 || es[len(es)-1] < 0 {
		var b strings.Builder
		if opts.BalanceE != nil {
			fmt.Fprintf(&b, ", balance_e %d (cohorts observed %d or more periods after treatment, the last period being %d)", *opts.BalanceE, *opts.BalanceE, tmax)
		}
		if opts.MinE != nil {
			fmt.Fprintf(&b, ", min_e %d", *opts.MinE)
		}
		if opts.MaxE != nil {
			fmt.Fprintf(&b, ", max_e %d", *opts.MaxE)
		}
		if len(es) == 0 {
			return nil, nil, csErrorf(ErrEventWindow, "no event time of the dynamic aggregation within the window%s", b.String())
		}
		return nil, nil, csErrorf(ErrEventWindow, "no event time e ≥ 0 within the window%s, so no overall dynamic effect", b.String())
	}
	return es, eset, nil
}

// overallOf computes each keyed effect and the overall effect over the
// keys accepted by in: a plain mean, or, when weights are given, the
// weighted mean with the estimated-weight term (groups as cells). It
// returns the influence functions of the keyed effects followed by the
// overall one.
func overallOf(keys []int, f func(int) (float64, []float64), n int, in func(int) bool,
	weights []float64, G []int, W []float64, glist []int, sef func([]float64) float64) (CSAggregate, [][]float64) {
	var agg CSAggregate
	var atts []float64
	var psis [][]float64
	var sel []int
	for i, key := range keys {
		est, psi := f(key)
		agg.By = append(agg.By, CSEffect{Key: key, ATT: est, SE: sef(psi)})
		atts = append(atts, est)
		psis = append(psis, psi)
		if in(key) {
			sel = append(sel, i)
		}
	}
	psi := make([]float64, n)
	var est, s float64
	for _, i := range sel {
		if weights != nil {
			s += weights[i]
		}
	}
	for _, i := range sel {
		w := 1 / float64(len(sel))
		if weights != nil {
			w = weights[i] / s
		}
		est += w * atts[i]
		for u, v := range psis[i] {
			psi[u] += w * v
		}
	}
	if weights != nil {
		addWeightIF(psi, G, W, sel, func(i int) int { return glist[i] }, weights, atts)
	}
	agg.Overall = CSEffect{ATT: est, SE: sef(psi)}
	return agg, append(psis, psi)
}

// addWeightIF adds to psi the influence of estimating the shares p_k of
// the weights p_k/Σp (did's wif times ATT): for unit i,
//
//	Σ_k ATT_k [(ω_i1{G_i=g_k} − p_k)/s − p_k Σ_j (ω_i1{G_i=g_j} − p_j)/s²],  s = Σ_k p_k,
//
// ω_i the sampling weight scaled to mean 1 (W; nil: all 1).
func addWeightIF(psi []float64, G []int, W []float64, keys []int, group func(int) int, p, att []float64) {
	// With s = Σ_k p_k and P = Σ_k p_k ATT_k, unit i adds
	// (ω_i A_i − P)/s − (ω_i C_i − s)P/s², where A_i sums ATT_k and C_i
	// counts the keys k of unit i's cohort: so sum per distinct cohort
	// of the keys first.
	var s, pa float64
	var gs []int
	var sa, cnt []float64
	for _, k := range keys {
		s += p[k]
		pa += p[k] * att[k]
		g := group(k)
		j := slices.Index(gs, g)
		if j < 0 {
			j = len(gs)
			gs, sa, cnt = append(gs, g), append(sa, 0), append(cnt, 0)
		}
		sa[j] += att[k]
		cnt[j]++
	}
	for i, gi := range G {
		a, b := -pa, -s // Σ_k ATT_k(ω1{G=g_k} − p_k), Σ_j (ω1{G=g_j} − p_j)
		if j := slices.Index(gs, gi); j >= 0 {
			wi := 1.0
			if W != nil {
				wi = W[i]
			}
			a += wi * sa[j]
			b += wi * cnt[j]
		}
		psi[i] += a/s - b*pa/(s*s)
	}
}
