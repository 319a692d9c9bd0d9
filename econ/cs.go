package econ

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// CSData holds a balanced panel in long form for [CallawaySantAnna]: one
// entry per unit and period. Cohort is the first treated period of the
// unit (constant within a unit) and 0 for never-treated units, as the
// gname column of R's did.
type CSData struct {
	Unit    []string
	Time    []int
	Outcome []float64
	Cohort  []int
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

// CSOptions configures [CallawaySantAnna]. The zero value is did's
// default: never-treated controls and a varying base period.
type CSOptions struct {
	Control CSControl
	Base    CSBase
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
// effect per event time, group or calendar period.
type CSAggregate struct {
	Overall CSEffect
	By      []CSEffect
}

// CS is the result of [CallawaySantAnna]. Influence holds, for each entry
// of Cells, the influence function of that ATT(g,t) over the N units (in
// the order of Units), scaled as did's inffunc so that
// SE = sqrt(Σ_i ψ_i²)/N.
type CS struct {
	Cells    []GroupTime
	Simple   CSEffect // Key unused
	Dynamic  CSAggregate
	Group    CSAggregate
	Calendar CSAggregate

	N       int      // units used
	Units   []string // units used, in the order of Influence rows
	Dropped []string // units dropped because treated in the first period
	// Influence[k][i] is ψ_i of Cells[k].
	Influence [][]float64
}

// CallawaySantAnna estimates the group-time average treatment effects of
// Callaway & Sant'Anna (2021, J. Econometrics 225(2), 200–230) without
// covariates on a balanced panel, with analytic influence-function
// standard errors as R's did (att_gt and aggte with bstrap = FALSE).
//
// For a cohort g, a period t and base period b (see [CSBase]), with G_g the
// units first treated at g and C the comparison units (see [CSControl]):
//
//	ATT(g,t) = mean_{i∈G_g}(Y_it − Y_ib) − mean_{i∈C}(Y_it − Y_ib)
//	ψ_i = (N/n_g)(ΔY_i − μ_g) for i∈G_g,  −(N/n_C)(ΔY_i − μ_C) for i∈C,  0 otherwise
//	SE = sqrt(Σ_i ψ_i²) / N
//
// This is what did's default doubly robust estimator reduces to with
// xformla = ~1 (the propensity score and outcome regression are
// constants). Covariates (outcome regression, IPW, doubly robust),
// anticipation, clustering, the multiplier bootstrap and unbalanced
// panels are not implemented yet.
//
// As in did, units first treated after the last period are treated as
// never treated and units treated in the first period are dropped (listed
// in CS.Dropped); with not-yet-treated controls and no never-treated
// units, the last cohort serves as never treated and the periods from its
// first treated period on are dropped. The aggregations follow did's aggte, including the
// influence-function term for the estimated group-share weights:
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
// to each unit's influence function.
//
// Bad input (length mismatch, missing outcome, unbalanced panel, a cohort
// that varies within a unit, no comparison units) returns an error.
func CallawaySantAnna(d CSData, opts CSOptions) (*CS, error) {
	m := len(d.Unit)
	if len(d.Time) != m || len(d.Outcome) != m || len(d.Cohort) != m {
		return nil, fmt.Errorf("econ: callaway-santanna: column lengths differ (unit %d, time %d, outcome %d, cohort %d)",
			m, len(d.Time), len(d.Outcome), len(d.Cohort))
	}
	if m == 0 {
		return nil, errors.New("econ: callaway-santanna: no observations")
	}
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
		return nil, errors.New("econ: callaway-santanna: need at least two periods")
	}
	if nu*nt != m {
		return nil, fmt.Errorf("econ: callaway-santanna: panel is not balanced (%d rows, %d units × %d periods)", m, nu, nt)
	}
	y := make([]float64, nu*nt)
	seen := make([]bool, nu*nt)
	coh := make([]int, nu)
	for i := range coh {
		coh[i] = math.MinInt
	}
	for r := 0; r < m; r++ {
		i, j := uidx[d.Unit[r]], tidx[d.Time[r]]
		if seen[i*nt+j] {
			return nil, fmt.Errorf("econ: callaway-santanna: row %d: unit %q has period %d twice", r+1, d.Unit[r], d.Time[r])
		}
		seen[i*nt+j] = true
		v := d.Outcome[r]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("econ: callaway-santanna: row %d: outcome of unit %q in period %d is missing", r+1, d.Unit[r], d.Time[r])
		}
		y[i*nt+j] = v
		if coh[i] == math.MinInt {
			coh[i] = d.Cohort[r]
		} else if coh[i] != d.Cohort[r] {
			return nil, fmt.Errorf("econ: callaway-santanna: row %d: cohort of unit %q changes from %d to %d", r+1, d.Unit[r], coh[i], d.Cohort[r])
		}
		if d.Cohort[r] < 0 {
			return nil, fmt.Errorf("econ: callaway-santanna: row %d: negative cohort %d", r+1, d.Cohort[r])
		}
	}
	// Recode late cohorts as never treated, drop first-period cohorts.
	res := &CS{}
	var keep []int
	for i := 0; i < nu; i++ {
		if coh[i] > times[nt-1] {
			coh[i] = 0
		}
		if coh[i] != 0 && coh[i] <= times[0] {
			res.Dropped = append(res.Dropped, units[i])
			continue
		}
		keep = append(keep, i)
	}
	n := len(keep)
	if n == 0 {
		return nil, errors.New("econ: callaway-santanna: every unit is treated in the first period")
	}
	G := make([]int, n)
	res.Units = make([]string, n)
	gset := map[int]int{}
	for k, i := range keep {
		G[k] = coh[i]
		res.Units[k] = units[i]
		if coh[i] != 0 {
			gset[coh[i]]++
		}
	}
	res.N = n
	if len(gset) == 0 {
		return nil, errors.New("econ: callaway-santanna: no treated units")
	}
	stride := nt
	if len(keep)-sumCounts(gset) == 0 {
		if opts.Control == CSNeverTreated {
			return nil, errors.New("econ: callaway-santanna: no never-treated units (cohort 0) for never-treated controls; use not-yet-treated controls")
		}
		// As did: without never-treated units, the last cohort becomes
		// the comparison group and the periods from its start are dropped.
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
		for nt > 0 && times[nt-1] >= gmax {
			nt--
		}
		times = times[:nt]
		if nt < 2 || len(gset) == 0 {
			return nil, fmt.Errorf("econ: callaway-santanna: no never-treated units and too few periods before the last cohort (%d) to use it as comparison", gmax)
		}
	}
	glist := make([]int, 0, len(gset))
	for g := range gset {
		glist = append(glist, g)
	}
	sort.Ints(glist)
	Y := func(k, j int) float64 { return y[keep[k]*stride+j] }

	first := 1
	if opts.Base == CSUniversal {
		first = 0
	}
	var cellG []int
	for _, g := range glist {
		pret := -1 // last period index before g
		for j := range times {
			if times[j] < g {
				pret = j
			}
		}
		for j := first; j < nt; j++ {
			b := pret
			if opts.Base == CSVarying && times[j] < g {
				b = j - 1
			}
			psi := make([]float64, n)
			cell := GroupTime{Group: g, Time: times[j]}
			if b == j {
				res.Cells = append(res.Cells, cell)
				res.Influence = append(res.Influence, psi)
				cellG = append(cellG, g)
				continue
			}
			late := times[j]
			if times[b] > late {
				late = times[b]
			}
			var s1, s0 float64
			var n1, n0 int
			isT := make([]int8, n) // 1 treated, -1 control
			for k := 0; k < n; k++ {
				switch {
				case G[k] == g:
					isT[k] = 1
					s1 += Y(k, j) - Y(k, b)
					n1++
				case G[k] == 0 || (opts.Control == CSNotYetTreated && G[k] > late):
					isT[k] = -1
					s0 += Y(k, j) - Y(k, b)
					n0++
				}
			}
			if n0 == 0 {
				return nil, fmt.Errorf("econ: callaway-santanna: cohort %d has no comparison units in period %d", g, times[j])
			}
			mu1, mu0 := s1/float64(n1), s0/float64(n0)
			// Second pass for numerically stable centred sums.
			var c1, c0 float64
			for k := 0; k < n; k++ {
				switch isT[k] {
				case 1:
					c1 += Y(k, j) - Y(k, b) - mu1
				case -1:
					c0 += Y(k, j) - Y(k, b) - mu0
				}
			}
			mu1 += c1 / float64(n1)
			mu0 += c0 / float64(n0)
			fn := float64(n)
			for k := 0; k < n; k++ {
				switch isT[k] {
				case 1:
					psi[k] = fn / float64(n1) * (Y(k, j) - Y(k, b) - mu1)
				case -1:
					psi[k] = -fn / float64(n0) * (Y(k, j) - Y(k, b) - mu0)
				}
			}
			cell.ATT = mu1 - mu0
			cell.SE = ifSE(psi)
			res.Cells = append(res.Cells, cell)
			res.Influence = append(res.Influence, psi)
			cellG = append(cellG, g)
		}
	}
	aggregateCS(res, G, glist, times)
	return res, nil
}

func sumCounts(m map[int]int) int {
	s := 0
	for _, v := range m {
		s += v
	}
	return s
}

// ifSE is sqrt(Σψ²)/n, did's getSE: sqrt(mean(ψ²)/n).
func ifSE(psi []float64) float64 {
	var s float64
	for _, v := range psi {
		s += v * v
	}
	n := float64(len(psi))
	return math.Sqrt(s/n) / math.Sqrt(n)
}

// aggregateCS fills the simple, dynamic, group and calendar aggregations.
func aggregateCS(res *CS, G []int, glist, times []int) {
	n := len(G)
	share := map[int]float64{}
	for _, g := range G {
		if g != 0 {
			share[g]++
		}
	}
	for g := range share {
		share[g] /= float64(n)
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
			addWeightIF(psi, G, keys, func(k int) int { return cells[k].Group }, pg, att)
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
	est, psi := combine(post, true)
	res.Simple = CSEffect{ATT: est, SE: ifSE(psi)}

	// Dynamic.
	eset := map[int][]int{}
	for k, c := range cells {
		eset[c.Time-c.Group] = append(eset[c.Time-c.Group], k)
	}
	var es []int
	for e := range eset {
		es = append(es, e)
	}
	sort.Ints(es)
	res.Dynamic = overallOf(es, func(e int) (float64, []float64) { return combine(eset[e], true) }, n,
		func(e int) bool { return e >= 0 }, nil, nil, nil)

	// Group.
	gshare := make([]float64, len(glist))
	for i, g := range glist {
		gshare[i] = share[g]
	}
	res.Group = overallOf(glist, func(g int) (float64, []float64) {
		var keys []int
		for _, k := range post {
			if cells[k].Group == g {
				keys = append(keys, k)
			}
		}
		return combine(keys, false)
	}, n, func(int) bool { return true }, gshare, G, glist)

	// Calendar.
	var ts []int
	for _, t := range times {
		if t >= glist[0] {
			ts = append(ts, t)
		}
	}
	res.Calendar = overallOf(ts, func(t int) (float64, []float64) {
		var keys []int
		for _, k := range post {
			if cells[k].Time == t {
				keys = append(keys, k)
			}
		}
		return combine(keys, true)
	}, n, func(int) bool { return true }, nil, nil, nil)
}

// overallOf computes each keyed effect and the overall effect over the
// keys accepted by in: a plain mean, or, when weights are given, the
// weighted mean with the estimated-weight term (groups as cells).
func overallOf(keys []int, f func(int) (float64, []float64), n int, in func(int) bool,
	weights []float64, G []int, glist []int) CSAggregate {
	var agg CSAggregate
	var atts []float64
	var psis [][]float64
	var sel []int
	for i, key := range keys {
		est, psi := f(key)
		agg.By = append(agg.By, CSEffect{Key: key, ATT: est, SE: ifSE(psi)})
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
		addWeightIF(psi, G, sel, func(i int) int { return glist[i] }, weights, atts)
	}
	agg.Overall = CSEffect{ATT: est, SE: ifSE(psi)}
	return agg
}

// addWeightIF adds to psi the influence of estimating the shares p_k of
// the weights p_k/Σp (did's wif times ATT): for unit i,
//
//	Σ_k ATT_k [(1{G_i=g_k} − p_k)/s − p_k Σ_j (1{G_i=g_j} − p_j)/s²],  s = Σ_k p_k.
func addWeightIF(psi []float64, G []int, keys []int, group func(int) int, p, att []float64) {
	var s, pa float64
	for _, k := range keys {
		s += p[k]
		pa += p[k] * att[k]
	}
	for i, gi := range G {
		var a, b float64 // Σ_k ATT_k(1{G=g_k} − p_k), Σ_j (1{G=g_j} − p_j)
		for _, k := range keys {
			ind := 0.0
			if gi == group(k) {
				ind = 1
			}
			a += att[k] * (ind - p[k])
			b += ind - p[k]
		}
		psi[i] += a/s - b*pa/(s*s)
	}
}
