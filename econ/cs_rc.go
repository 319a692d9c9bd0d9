package econ

import (
	"math"
	"sort"
)

// Repeated cross-section 2×2 estimators of DRDID 1.2.3 (reg_did_rc,
// std_ipw_did_rc, drdid_rc; Sant'Anna & Zhao 2020, section 3.2), used by
// [CallawaySantAnna] for repeated cross-sections and unbalanced panels as
// did does. The observations are e.unit/e.d/e.dy (here the outcome level
// Y, not a change) with e.post marking the later period and e.w their
// sampling weights (nil: all 1); the formulas follow DRDID's code line by
// line, its i.weights being e.w.

// csBool is 1 for true, 0 for false.
func csBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

// csMean is (1/n)Σ_i f(i).
func csMean(n int, f func(i int) float64) float64 {
	var s float64
	for i := 0; i < n; i++ {
		s += f(i)
	}
	return s / float64(n)
}

// colMeans is (1/n)Σ_i w(i) x_i.
func (e *csEstimator) colMeans(w func(i int) float64) []float64 {
	n, k := len(e.dy), e.k
	out := make([]float64, k)
	for i := 0; i < n; i++ {
		wi := w(i)
		if wi == 0 {
			continue
		}
		for p, v := range e.x[i*k : (i+1)*k] {
			out[p] += wi * v
		}
	}
	for p := range out {
		out[p] /= float64(n)
	}
	return out
}

// olsOn fits y on X by weighted least squares over the rows where in is
// true and returns the fit for every row and (Σ_in ω x xᵀ / n)⁻¹.
func (e *csEstimator) olsOn(in func(i int) bool) (fit, xpxInv []float64, err error) {
	n, k := len(e.dy), e.k
	a := make([]float64, k*k)
	b := make([]float64, k)
	for i := 0; i < n; i++ {
		if !in(i) {
			continue
		}
		xi := e.x[i*k : (i+1)*k]
		w := e.wt(i)
		for p := 0; p < k; p++ {
			wx := w * xi[p]
			b[p] += wx * e.dy[i]
			for q := 0; q <= p; q++ {
				a[p*k+q] += wx * xi[q]
			}
		}
	}
	inv, ok := csSPDInverse(a, k)
	if !ok {
		return nil, nil, csErrorf(ErrCollinear, "covariates are collinear (or constant) within a group of the comparison")
	}
	beta := csSymMulVec(inv, b, k, 1)
	fit = make([]float64, n)
	for i := range fit {
		fit[i] = csDot(e.x[i*k:(i+1)*k], beta)
	}
	for j := range inv {
		inv[j] *= float64(n)
	}
	return fit, inv, nil
}

// alr returns i ↦ ℓ_i·M for the OLS fitted on the rows in `in`:
// 1{in_i}ω_i(y_i − fit_i) x_iᵀ (XᵀΩX/n)⁻¹ M.
func (e *csEstimator) alr(in func(i int) bool, fit, xpxInv, m []float64) func(i int) float64 {
	v := csSymMulVec(xpxInv, m, e.k, 1)
	return func(i int) float64 {
		if !in(i) {
			return 0
		}
		return e.wt(i) * (e.dy[i] - fit[i]) * csDot(e.x[i*e.k:(i+1)*e.k], v)
	}
}

// rc computes the repeated cross-section ATT of e.method and its
// influence function in e.inf.
func (e *csEstimator) rc() (float64, error) {
	n := len(e.dy)
	e.inf = csGrow(e.inf, n)
	y, post := e.dy, e.post
	// D is ω·1{treated}: every DRDID weight of a cohort row carries ω.
	D := func(i int) float64 {
		if e.d[i] {
			return e.wt(i)
		}
		return 0
	}
	P := func(i int) float64 {
		if post[i] {
			return 1
		}
		return 0
	}
	c0 := func(i int) bool { return !e.d[i] && !post[i] }
	c1 := func(i int) bool { return !e.d[i] && post[i] }
	t0 := func(i int) bool { return e.d[i] && !post[i] }
	t1 := func(i int) bool { return e.d[i] && post[i] }
	var nc0, nc1, nt0, nt1 int
	for i := 0; i < n; i++ {
		switch {
		case c0(i):
			nc0++
		case c1(i):
			nc1++
		case t0(i):
			nt0++
		default:
			nt1++
		}
	}
	if nc0 == 0 || nc1 == 0 || nt0 == 0 || nt1 == 0 {
		return 0, csErrorf(ErrNoComparisonUnits, "a group has no observations in one of the two periods")
	}
	if e.w != nil {
		var s [4]float64
		for i := 0; i < n; i++ {
			s[csBool(e.d[i])*2+csBool(post[i])] += e.w[i]
		}
		if !(s[0] > 0 && s[1] > 0 && s[2] > 0 && s[3] > 0) {
			return 0, csErrorf(ErrBadWeight, "a group has zero total sampling weight in one of the two periods")
		}
	}
	mean := func(f func(i int) float64) float64 { return csMean(n, f) }

	if e.method == CSOutcomeRegression {
		fitPre, invPre, err := e.olsOn(c0)
		if err != nil {
			return 0, err
		}
		fitPost, invPost, err := e.olsOn(c1)
		if err != nil {
			return 0, err
		}
		wtp := func(i int) float64 { return D(i) * (1 - P(i)) }
		wt1 := func(i int) float64 { return D(i) * P(i) }
		mwtp, mwt1, mD := mean(wtp), mean(wt1), mean(D)
		etaTpre := mean(func(i int) float64 { return wtp(i) * y[i] }) / mwtp
		etaTpost := mean(func(i int) float64 { return wt1(i) * y[i] }) / mwt1
		etaC := mean(func(i int) float64 { return D(i) * (fitPost[i] - fitPre[i]) }) / mD
		m1 := e.colMeans(D)
		lPost := e.alr(c1, fitPost, invPost, m1)
		lPre := e.alr(c0, fitPre, invPre, m1)
		for i := 0; i < n; i++ {
			infTreat := wt1(i)*(y[i]-etaTpost)/mwt1 - wtp(i)*(y[i]-etaTpre)/mwtp
			infCont := (D(i)*(fitPost[i]-fitPre[i]) - D(i)*etaC + lPost(i) - lPre(i)) / mD
			e.inf[i] = infTreat - infCont
		}
		return (etaTpost - etaTpre) - etaC, nil
	}

	hessInv, err := e.logit()
	if err != nil {
		return 0, err
	}
	ps := e.ps
	w0 := func(i int) float64 { // trimmed odds weight of comparison rows
		if e.d[i] || !(ps[i] < 0.995) {
			return 0
		}
		return e.wt(i) * ps[i] / (1 - ps[i])
	}
	wTpre := func(i int) float64 { return D(i) * (1 - P(i)) }
	wTpost := func(i int) float64 { return D(i) * P(i) }
	wCpre := func(i int) float64 { return w0(i) * (1 - P(i)) }
	wCpost := func(i int) float64 { return w0(i) * P(i) }
	mTpre, mTpost, mCpre, mCpost := mean(wTpre), mean(wTpost), mean(wCpre), mean(wCpost)
	if mCpre == 0 || mCpost == 0 {
		return 0, csErrorf(ErrTrimmed, "every comparison observation is trimmed (propensity score ≥ 0.995)")
	}
	// ℓ_ps,i · v for the logit: ω_i(1{D_i} − p̂_i) x_iᵀ (XᵀŴX/n)⁻¹ v.
	lps := func(v []float64) func(i int) float64 {
		a := csSymMulVec(hessInv, v, e.k, 1)
		return func(i int) float64 {
			var d float64
			if e.d[i] {
				d = 1
			}
			return e.wt(i) * (d - ps[i]) * csDot(e.x[i*e.k:(i+1)*e.k], a)
		}
	}
	sub := func(a, b []float64) []float64 {
		out := make([]float64, len(a))
		for j := range a {
			out[j] = a[j] - b[j]
		}
		return out
	}
	scale := func(a []float64, c float64) []float64 {
		for j := range a {
			a[j] *= c
		}
		return a
	}

	if e.method == CSIPW {
		attTpre := mean(func(i int) float64 { return wTpre(i) * y[i] }) / mTpre
		attTpost := mean(func(i int) float64 { return wTpost(i) * y[i] }) / mTpost
		attCpre := mean(func(i int) float64 { return wCpre(i) * y[i] }) / mCpre
		attCpost := mean(func(i int) float64 { return wCpost(i) * y[i] }) / mCpost
		m2pre := scale(e.colMeans(func(i int) float64 { return wCpre(i) * (y[i] - attCpre) }), 1/mCpre)
		m2post := scale(e.colMeans(func(i int) float64 { return wCpost(i) * (y[i] - attCpost) }), 1/mCpost)
		infPS := lps(sub(m2post, m2pre))
		for i := 0; i < n; i++ {
			infTreat := wTpost(i)*(y[i]-attTpost)/mTpost - wTpre(i)*(y[i]-attTpre)/mTpre
			infCont := wCpost(i)*(y[i]-attCpost)/mCpost - wCpre(i)*(y[i]-attCpre)/mCpre + infPS(i)
			e.inf[i] = infTreat - infCont
		}
		return (attTpost - attTpre) - (attCpost - attCpre), nil
	}

	// drdid_rc: the locally efficient doubly robust estimator.
	fitCpre, invCpre, err := e.olsOn(c0)
	if err != nil {
		return 0, err
	}
	fitCpost, invCpost, err := e.olsOn(c1)
	if err != nil {
		return 0, err
	}
	fitTpre, invTpre, err := e.olsOn(t0)
	if err != nil {
		return 0, err
	}
	fitTpost, invTpost, err := e.olsOn(t1)
	if err != nil {
		return 0, err
	}
	outC := func(i int) float64 { return P(i)*fitCpost[i] + (1-P(i))*fitCpre[i] }
	wD := D
	wDt1, wDt0 := wTpost, wTpre
	mD := mean(wD)
	r := func(i int) float64 { return y[i] - outC(i) }
	attTpre := mean(func(i int) float64 { return wTpre(i) * r(i) }) / mTpre
	attTpost := mean(func(i int) float64 { return wTpost(i) * r(i) }) / mTpost
	attCpre := mean(func(i int) float64 { return wCpre(i) * r(i) }) / mCpre
	attCpost := mean(func(i int) float64 { return wCpost(i) * r(i) }) / mCpost
	dPost := func(i int) float64 { return fitTpost[i] - fitCpost[i] }
	dPre := func(i int) float64 { return fitTpre[i] - fitCpre[i] }
	attDpost := mean(func(i int) float64 { return wD(i) * dPost(i) }) / mD
	attDt1post := mean(func(i int) float64 { return wDt1(i) * dPost(i) }) / mTpost
	attDpre := mean(func(i int) float64 { return wD(i) * dPre(i) }) / mD
	attDt0pre := mean(func(i int) float64 { return wDt0(i) * dPre(i) }) / mTpre
	att := (attTpost - attTpre) - (attCpost - attCpre) + (attDpost - attDt1post) - (attDpre - attDt0pre)

	m1post := scale(e.colMeans(func(i int) float64 { return wTpost(i) * P(i) }), -1/mTpost)
	m1pre := scale(e.colMeans(func(i int) float64 { return wTpre(i) * (1 - P(i)) }), -1/mTpre)
	m2pre := scale(e.colMeans(func(i int) float64 { return wCpre(i) * (r(i) - attCpre) }), 1/mCpre)
	m2post := scale(e.colMeans(func(i int) float64 { return wCpost(i) * (r(i) - attCpost) }), 1/mCpost)
	m3post := scale(e.colMeans(func(i int) float64 { return wCpost(i) * P(i) }), -1/mCpost)
	m3pre := scale(e.colMeans(func(i int) float64 { return wCpre(i) * (1 - P(i)) }), -1/mCpre)
	momPost := e.colMeans(func(i int) float64 { return wD(i)/mD - wDt1(i)/mTpost })
	momPre := e.colMeans(func(i int) float64 { return wD(i)/mD - wDt0(i)/mTpre })

	treatOrPost := e.alr(c1, fitCpost, invCpost, m1post)
	treatOrPre := e.alr(c0, fitCpre, invCpre, m1pre)
	contPS := lps(sub(m2post, m2pre))
	contOrPost := e.alr(c1, fitCpost, invCpost, m3post)
	contOrPre := e.alr(c0, fitCpre, invCpre, m3pre)
	orPostT := e.alr(t1, fitTpost, invTpost, momPost)
	orPostC := e.alr(c1, fitCpost, invCpost, momPost)
	orPreT := e.alr(t0, fitTpre, invTpre, momPre)
	orPreC := e.alr(c0, fitCpre, invCpre, momPre)
	for i := 0; i < n; i++ {
		ri := r(i)
		infTreat := (wTpost(i)*(ri-attTpost)/mTpost - wTpre(i)*(ri-attTpre)/mTpre) + treatOrPost(i) + treatOrPre(i)
		infCont := (wCpost(i)*(ri-attCpost)/mCpost - wCpre(i)*(ri-attCpre)/mCpre) + contPS(i) + contOrPost(i) + contOrPre(i)
		eff := (wD(i)*(dPost(i)-attDpost)/mD - wDt1(i)*(dPost(i)-attDt1post)/mTpost) -
			(wD(i)*(dPre(i)-attDpre)/mD - wDt0(i)*(dPre(i)-attDt0pre)/mTpre)
		or := (orPostT(i) - orPostC(i)) - (orPreT(i) - orPreC(i))
		e.inf[i] = infTreat - infCont + eff + or
	}
	if math.IsNaN(att) {
		return 0, csErrorf(ErrNotANumber, "estimate is not a number")
	}
	return att, nil
}

// callawaySantAnnaRC is [CallawaySantAnna] for repeated cross-sections
// (every row its own observation; did's panel = FALSE) and unbalanced
// panels (did's allow_unbalanced_panel = TRUE: the repeated cross-section
// estimators on the rows of the two periods, influence functions summed
// over each unit's rows). Options are already validated.
func callawaySantAnnaRC(d CSData, opts CSOptions, alpha float64) (*CS, error) {
	m := len(d.Unit)
	rcs := opts.Sample == CSRepeatedCrossSections
	ant := opts.Anticipation
	ncov := len(d.Covariates)
	tset := map[int]bool{}
	var bad csIssues // row problems, reported together after the unit checks
	for r := 0; r < m; r++ {
		tset[d.Time[r]] = true
		if v := d.Outcome[r]; math.IsNaN(v) || math.IsInf(v, 0) {
			bad.add(csMissingOutcome(d, r))
		}
		for c := range d.Covariates {
			if v := d.Covariates[c][r]; math.IsNaN(v) || math.IsInf(v, 0) {
				bad.add(csMissingCovariate(d, r, c))
			}
		}
		if d.Cohort[r] < 0 {
			bad.add(csNegativeCohort(d, r))
		}
	}
	times := make([]int, 0, len(tset))
	for t := range tset {
		times = append(times, t)
	}
	sort.Ints(times)
	nt := len(times)
	if nt < 2 {
		if err := bad.err(); err != nil {
			return nil, err
		}
		return nil, csErrorf(ErrTooFewPeriods, "need at least two periods")
	}
	tidx := map[int]int{}
	for i, t := range times {
		tidx[t] = i
	}
	// Units (panel) or rows (cross-sections) as the observations of the
	// influence functions; cohort and cluster constant within each.
	type unitInfo struct {
		coh   int
		clus  string
		label string
		w     float64 // sampling weight (1 without weights)
	}
	var units []unitInfo
	uid := make([]int, m)
	weight := func(r int) float64 {
		if d.Weights == nil {
			return 1
		}
		return d.Weights[r]
	}
	wmean := csMeanWeight(d)
	if rcs {
		for r := 0; r < m; r++ {
			uid[r] = r
			u := unitInfo{coh: d.Cohort[r], label: d.Unit[r], w: weight(r)}
			if d.Cluster != nil {
				u.clus = d.Cluster[r]
			}
			units = append(units, u)
		}
	} else {
		idx := map[string]int{}
		seen := map[[2]int]bool{}
		for r := 0; r < m; r++ {
			i, ok := idx[d.Unit[r]]
			if !ok {
				i = len(units)
				idx[d.Unit[r]] = i
				u := unitInfo{coh: d.Cohort[r], label: d.Unit[r], w: weight(r)}
				if d.Cluster != nil {
					u.clus = d.Cluster[r]
				}
				units = append(units, u)
			} else if d.Weights != nil {
				if e := csSameWeight(d, r, units[i].w, wmean); e != nil {
					bad.add(e)
				}
			}
			uid[r] = i
			if seen[[2]int{i, d.Time[r]}] {
				bad.add(csDuplicateRow(d, r))
			}
			seen[[2]int{i, d.Time[r]}] = true
			if units[i].coh != d.Cohort[r] {
				bad.add(csCohortVaries(d, r, units[i].coh))
			}
			if d.Cluster != nil && units[i].clus != d.Cluster[r] {
				bad.add(csClusterVaries(d, r, units[i].clus))
			}
		}
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	res := &CS{Boot: opts.Boot, Seed: opts.Seed}
	// Recode late cohorts as never treated; drop the first-period ones.
	dropped := make([]bool, len(units))
	gset := map[int]bool{}
	never := false
	for i := range units {
		if units[i].coh > times[nt-1]+ant {
			units[i].coh = 0
		}
		if g := units[i].coh; g != 0 && g <= times[0]+ant {
			dropped[i] = true
			res.Dropped = append(res.Dropped, units[i].label)
			continue
		}
		if units[i].coh == 0 {
			never = true
		} else {
			gset[units[i].coh] = true
		}
	}
	if len(gset) == 0 {
		return nil, csErrorf(ErrNoTreated, "no treated units")
	}
	if !never {
		if opts.Control == CSNeverTreated {
			e := csErrorf(ErrNoNeverTreated, "no never-treated units (cohort 0) for never-treated controls")
			e.Hint = "use not-yet-treated controls"
			return nil, e
		}
		gmax := 0
		for g := range gset {
			gmax = max(gmax, g)
		}
		delete(gset, gmax)
		for i := range units {
			if units[i].coh == gmax {
				units[i].coh = 0
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
	// Rows kept (period retained, unit not dropped); observation index of
	// each kept unit in order of first appearance.
	obs := make([]int, len(units))
	for i := range obs {
		obs[i] = -1
	}
	var G []int
	var W []float64 // sampling weight of each observation
	var clIdx []int
	cmap := map[string]int{}
	byPeriod := make([][]int, nt)
	for r := 0; r < m; r++ {
		j, ok := tidx[d.Time[r]]
		if !ok || j >= nt || dropped[uid[r]] {
			continue
		}
		u := uid[r]
		if obs[u] < 0 {
			obs[u] = len(G)
			G = append(G, units[u].coh)
			W = append(W, units[u].w)
			res.Units = append(res.Units, units[u].label)
			if d.Cluster != nil {
				c, ok := cmap[units[u].clus]
				if !ok {
					c = len(cmap)
					cmap[units[u].clus] = c
				}
				clIdx = append(clIdx, c)
			}
		}
		byPeriod[j] = append(byPeriod[j], r)
	}
	n := len(G)
	res.N, res.Clusters = n, n
	if d.Cluster != nil {
		res.Clusters = len(cmap)
	} else {
		clIdx = nil
	}
	sef := func(psi []float64) float64 { return clusterSE(psi, clIdx, res.Clusters) }
	if d.Weights == nil {
		W = nil
	}
	glist := make([]int, 0, len(gset))
	for g := range gset {
		glist = append(glist, g)
	}
	sort.Ints(glist)

	est := csEstimator{method: opts.Method, k: 1 + ncov}
	if W != nil {
		est.w = []float64{}
	}
	fill := func(g, j, b, late int) {
		for _, per := range [2]int{b, j} {
			for _, r := range byPeriod[per] {
				gk := units[uid[r]].coh
				var dk bool
				switch {
				case gk == g:
					dk = true
				case gk == 0 || (opts.Control == CSNotYetTreated && gk > late):
				default:
					continue
				}
				est.add(obs[uid[r]], dk, d.Outcome[r])
				est.post = append(est.post, per == j)
				if W != nil {
					est.w = append(est.w, d.Weights[r])
				}
				est.x = append(est.x, 1)
				for c := range d.Covariates {
					est.x = append(est.x, d.Covariates[c][r])
				}
			}
		}
	}
	if err := csGroupTimes(res, &est, glist, times, opts, n, sef, fill, est.rc); err != nil {
		return nil, err
	}
	return finishCS(res, G, W, glist, times, sef, clIdx, opts, alpha)
}
