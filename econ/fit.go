package econ

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Design is a model in columns: the outcome, regressors, fixed effects,
// weights and cluster variables, all of the same length n. Float columns
// use NaN (or ±Inf) for missing values; code columns use -1. Fit does not
// modify or retain any of the slices.
type Design struct {
	Y      []float64
	YName  string
	X      [][]float64
	XNames []string
	// Intercept adds a constant; ignored when there are fixed effects,
	// which absorb it.
	Intercept bool
	// FE holds one group-code column per fixed-effect dimension; codes are
	// any non-negative int32 (they need not be dense), -1 = missing.
	FE      [][]int32
	FENames []string
	// Weights are observation weights (nil for none); they must be
	// positive or NaN (missing); zero-weight rows are dropped.
	Weights []float64
	// Cluster holds the cluster codes for VCovCluster (one column per way).
	Cluster      [][]int32
	ClusterNames []string
	// Unit and Time are the panel keys for VCovNW and VCovDK: unit codes
	// (any non-negative int32) and time codes whose numeric order is the
	// order of the periods (consecutive codes are adjacent periods once
	// the sample's distinct codes are ranked); -1 = missing. Unit may be
	// nil for a single time series (VCovNW) and is unused by VCovDK.
	Unit, Time []int32

	// Slopes are varying-slope terms (fixest fe[x] and fe[[x]]): a
	// coefficient on X per level of a fixed effect, projected out with the
	// fixed effects (see lag_slopes.go).
	Slopes []Slope

	// pre, if set, supplies and caches demeaned columns shared between
	// models (see EstimateMulti).
	pre *demeanCache

	// sunab is the sunab() term of the formula, if any (see sunab.go).
	sunab *SunabTerm
}

// Coef is one estimated coefficient with its inference.
type Coef struct {
	Name     string
	Estimate float64
	SE       float64
	T        float64
	P        float64 // two-sided, Student t with Result.DFT degrees of freedom
	CILow    float64
	CIHigh   float64
}

// Result is a fitted fixed-effects OLS model.
type Result struct {
	YName string
	Coefs []Coef
	// VCov is the variance matrix of the estimates, in the order of Coefs.
	VCov [][]float64
	// VCovType names the estimator, e.g. "cluster(id)", "iid", "hc1",
	// "cluster(Origin, Destination)".
	VCovType string

	NObs        int   // observations used
	NMissing    int   // rows dropped for NaN/Inf/missing codes or zero weight
	NSingletons int   // rows dropped as fixed-effect singletons
	Rows        []int // indices of the rows used, into the Design columns
	Residuals   []float64
	Fitted      []float64

	// Collinear lists regressors dropped as collinear, in formula order.
	Collinear []string
	FENames   []string
	FELevels  []int // levels per fixed-effect dimension in the sample
	Clusters  []int // number of clusters per way

	RSS, TSS, TSSWithin float64
	R2, AdjR2, R2Within float64 // R2Within is NaN without fixed effects
	Sigma               float64 // sqrt(RSS/(n − K_full))
	// K is the parameter count used in the small-sample factor; KFull
	// counts all coefficients and fixed-effect levels (minus references).
	K, KFull int
	// DFT is the t distribution's degrees of freedom for p-values and CIs.
	DFT float64
	// Iterations is the largest number of demeaning sweeps of any column.
	Iterations int
	// Lag is the truncation lag used by VCovNW or VCovDK (0 otherwise).
	Lag   int
	Notes []string
	// Sunab describes the sunab() term of a model estimated from a
	// formula (nil without one): the cohort × relative-period cells and
	// their sample counts, for [Result.Aggregate].
	Sunab *SunabTerm
}

// Coef returns the coefficient called name, or false.
func (r *Result) Coef(name string) (Coef, bool) {
	for _, c := range r.Coefs {
		if c.Name == name {
			return c, true
		}
	}
	return Coef{}, false
}

// Fit estimates the linear model of d by OLS (weighted least squares when
// d.Weights is set) after projecting out the fixed effects, and computes the
// variance chosen in opts. It returns a *[SampleError] if no observation is
// usable or there are no residual degrees of freedom, a *[CollinearError]
// if every regressor is collinear, and a *[ConvergenceError] if demeaning
// does not converge.
func Fit(d *Design, opts Options) (*Result, error) {
	opts.defaults()
	n := len(d.Y)
	if len(d.X) != len(d.XNames) || len(d.FE) != len(d.FENames) || len(d.Cluster) != len(d.ClusterNames) {
		return nil, errors.New("econ: design names and columns differ in number")
	}
	for j, x := range d.X {
		if len(x) != n {
			return nil, fmt.Errorf("econ: regressor %q has %d rows, outcome has %d", d.XNames[j], len(x), n)
		}
	}
	for q, c := range d.FE {
		if len(c) != n {
			return nil, fmt.Errorf("econ: fixed effect %q has %d rows, outcome has %d", d.FENames[q], len(c), n)
		}
	}
	for q, c := range d.Cluster {
		if len(c) != n {
			return nil, fmt.Errorf("econ: cluster %q has %d rows, outcome has %d", d.ClusterNames[q], len(c), n)
		}
	}
	if d.Weights != nil && len(d.Weights) != n {
		return nil, fmt.Errorf("econ: weights have %d rows, outcome has %d", len(d.Weights), n)
	}
	res := &Result{YName: d.YName, FENames: slices.Clone(d.FENames)}

	// Variance choice and cluster columns.
	vtype := opts.VCov
	clusters, clusterNames := d.Cluster, d.ClusterNames
	if vtype == VCovDefault {
		if len(d.FE) > 0 {
			vtype = VCovCluster
			clusters, clusterNames = d.FE[:1], d.FENames[:1]
		} else {
			vtype = VCovIID
		}
	}
	switch {
	case vtype == VCovTwoWay:
		if len(d.FE) < 2 {
			return nil, errors.New("econ: two-way clustering by fixed effects needs two fixed effects")
		}
		vtype = VCovCluster
		clusters, clusterNames = d.FE[:2], d.FENames[:2]
	case vtype == VCovCluster && len(clusters) == 0 && len(d.FE) > 0:
		clusters, clusterNames = d.FE[:1], d.FENames[:1]
	case vtype == VCovCluster && len(clusters) == 0:
		return nil, errors.New("econ: clustered variance needs a cluster variable or a fixed effect")
	}
	if vtype != VCovCluster {
		clusters, clusterNames = nil, nil
	}
	hac := vtype == VCovNW || vtype == VCovDK
	var hacUnit, hacTime []int32
	if hac {
		if len(d.Time) != n || (d.Unit != nil && len(d.Unit) != n) {
			return nil, fmt.Errorf("econ: %s variance needs panel time codes (and unit codes) of %d rows", vtype, n)
		}
		hacTime = d.Time
		if vtype == VCovNW {
			hacUnit = d.Unit
		}
	}

	// Sample: drop missing, then singletons. Rows are checked in blocks
	// on up to opts.Workers goroutines; the first bad weight in row order
	// is reported.
	keep := make([]bool, n)
	const sampleBlock = 1 << 16
	nblk := (n + sampleBlock - 1) / sampleBlock
	missing := make([]int, nblk)
	badW := make([]int, nblk)
	forChunks(nblk, opts.Workers, func(blk int) {
		badW[blk] = -1
		for i := blk * sampleBlock; i < min((blk+1)*sampleBlock, n); i++ {
			ok := isFinite(d.Y[i])
			for _, x := range d.X {
				ok = ok && isFinite(x[i])
			}
			for _, c := range d.FE {
				ok = ok && c[i] >= 0
			}
			for _, c := range clusters {
				ok = ok && c[i] >= 0
			}
			for _, sl := range d.Slopes {
				ok = ok && sl.Codes[i] >= 0 && isFinite(sl.X[i])
			}
			if hac {
				ok = ok && hacTime[i] >= 0 && (hacUnit == nil || hacUnit[i] >= 0)
			}
			if d.Weights != nil {
				w := d.Weights[i]
				if w < 0 || math.IsInf(w, 0) {
					badW[blk] = i
					return
				}
				ok = ok && w > 0 // NaN compares false
			}
			keep[i] = ok
			if !ok {
				missing[blk]++
			}
		}
	})
	for blk := range nblk {
		if i := badW[blk]; i >= 0 {
			return nil, fmt.Errorf("econ: weight %v at row %d is not a positive finite number", d.Weights[i], i+1)
		}
		res.NMissing += missing[blk]
	}
	if opts.Singletons != SingletonsKeep && len(d.FE) > 0 {
		res.NSingletons = dropSingletons(d.FE, keep, opts.Singletons == SingletonsIterate)
	}
	m := 0
	for _, k := range keep {
		if k {
			m++
		}
	}
	res.Rows = make([]int, 0, m)
	for i, k := range keep {
		if k {
			res.Rows = append(res.Rows, i)
		}
	}
	rows := res.Rows
	res.NObs = m
	if res.NMissing > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d observations removed because of missing values", res.NMissing))
	}
	if res.NSingletons > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d fixed-effect singletons removed", res.NSingletons))
	}
	if m == 0 {
		if res.NSingletons > 0 {
			return nil, &SampleError{0, len(d.X), "every observation is a fixed-effect singleton"}
		}
		return nil, &SampleError{0, len(d.X), "no observation without missing values"}
	}

	// Compact the sample: the outcome, regressors and weights are gathered
	// in parallel, or used as they are when no row is dropped (Fit only
	// reads them); code columns likewise when already dense in order of
	// first appearance.
	all := m == n
	src := make([][]float64, 0, len(d.X)+2)
	src = append(src, d.Y)
	src = append(src, d.X...)
	if d.Weights != nil {
		src = append(src, d.Weights)
	}
	cols := gatherColumns(src, rows, all, opts.Workers)
	var w []float64
	if d.Weights != nil {
		w = cols[len(cols)-1]
		cols = cols[:len(cols)-1]
	}
	y := cols[0]
	feCodes := make([][]int32, len(d.FE))
	res.FELevels = make([]int, len(d.FE))
	clCodes := make([][]int32, len(clusters))
	res.Clusters = make([]int, len(clusters))
	codeCols := append(slices.Clone(d.FE), clusters...)
	// A column given twice (the usual cluster = first fixed effect) is
	// numbered once.
	same := make([]int, len(codeCols))
	for q, c := range codeCols {
		same[q] = q
		for r := range q {
			if len(c) > 0 && len(codeCols[r]) == len(c) && &codeCols[r][0] == &c[0] {
				same[q] = r
				break
			}
		}
	}
	forChunks(len(codeCols), opts.Workers, func(q int) {
		if same[q] != q {
			return
		}
		var c []int32
		var g int
		if all {
			c, g = denseCodesAll(codeCols[q])
		} else {
			c, g = denseCodes(codeCols[q], rows)
		}
		if q < len(d.FE) {
			feCodes[q], res.FELevels[q] = c, g
		} else {
			clCodes[q-len(d.FE)], res.Clusters[q-len(d.FE)] = c, g
		}
	})
	for q, r := range same {
		if r == q {
			continue
		}
		c, g := feCodes[r], res.FELevels[r] // r < q: r is an effect or an earlier cluster
		if r >= len(d.FE) {
			c, g = clCodes[r-len(d.FE)], res.Clusters[r-len(d.FE)]
		}
		if q < len(d.FE) {
			feCodes[q], res.FELevels[q] = c, g
		} else {
			clCodes[q-len(d.FE)], res.Clusters[q-len(d.FE)] = c, g
		}
	}
	var hk *hacKeys
	if hac {
		hk = newHACKeys(hacUnit, hacTime, rows)
	}

	// Demean (or centre, for an intercept without fixed effects).
	hasFE := len(d.FE) > 0 || len(d.Slopes) > 0
	centred := !hasFE && d.Intercept
	raw := cols // undemeaned, for collinearity references and means
	dm := cols
	var slopeParams int
	if len(d.Slopes) > 0 {
		var err error
		dm, slopeParams, res.Iterations, err = demeanWithSlopes(d, rows, feCodes, res.FELevels, w, cols, opts)
		if err != nil {
			return nil, err
		}
	} else if hasFE && d.pre != nil {
		var err error
		dm, res.Iterations, err = d.pre.demean(d, rows, feCodes, res.FELevels, w, cols, opts)
		if err != nil {
			return nil, err
		}
	} else if hasFE || centred {
		codes, ng := feCodes, res.FELevels
		if centred {
			codes, ng = [][]int32{make([]int32, m)}, []int{1}
		}
		fe := newFixedEffects(codes, ng, w)
		dm = make([][]float64, len(cols))
		for j := range dm {
			dm[j] = make([]float64, m)
		}
		stats := fe.demeanColumns(dm, cols, opts.Tol, opts.MaxIter, opts.Workers)
		var bad []string
		for j, s := range stats {
			res.Iterations = max(res.Iterations, s.Iter)
			if !s.Converged {
				name := d.YName
				if j > 0 {
					name = d.XNames[j-1]
				}
				bad = append(bad, name)
			}
		}
		if len(bad) > 0 {
			return nil, &ConvergenceError{bad, opts.MaxIter}
		}
	}

	// Design for the QR: √w-scaled demeaned regressors, with the constant
	// first when centred.
	names := slices.Clone(d.XNames)
	qrCols := make([][]float64, 0, len(d.X)+1)
	refs := make([]float64, 0, len(d.X)+1)
	xd := dm[1:]
	if centred {
		names = append([]string{"(Intercept)"}, names...)
		one := make([]float64, m)
		for i := range one {
			one[i] = 1
		}
		xd = append([][]float64{one}, xd...)
		raw = append([][]float64{raw[0], one}, raw[1:]...)
	}
	var sw []float64 // √w, nil when unweighted
	if w != nil {
		sw = make([]float64, m)
		for i := range sw {
			sw[i] = math.Sqrt(w[i])
		}
	}
	qrCols = qrCols[:len(xd)]
	refs = refs[:len(xd)]
	yq := make([]float64, m)
	// one column per goroutine: the same operations as serially
	forChunks(len(xd)+1, opts.Workers, func(j int) {
		if j == len(xd) {
			for i := range yq {
				yq[i] = dm[0][i] * wt(sw, i)
			}
			return
		}
		x := xd[j]
		c := make([]float64, m)
		var rs float64
		for i := range c {
			c[i] = x[i] * wt(sw, i)
			v := raw[j+1][i] * wt(sw, i)
			rs += v * v
		}
		qrCols[j], refs[j] = c, math.Sqrt(rs)
	})
	qr := householderQR(qrCols, yq, refs, opts.CollinTol, opts.Workers)
	qr.workers = opts.Workers
	kept := qr.keep
	for j, name := range names {
		if !slices.Contains(kept, j) {
			res.Collinear = append(res.Collinear, name)
		}
	}
	if len(res.Collinear) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("variables removed because of collinearity: %v", res.Collinear))
	}
	if len(kept) == 0 {
		if len(names) == 0 {
			return nil, &SampleError{m, 0, "the model has no regressors"}
		}
		return nil, &CollinearError{Dropped: res.Collinear}
	}
	beta := qr.solve()
	rinv := qr.rInverse()
	bread := qr.breadOf(rinv)
	k := len(kept)
	X := make([][]float64, k) // demeaned kept regressors, unweighted
	for a, j := range kept {
		X[a] = xd[j]
	}
	// Iterative refinement of the least-squares solution and residual
	// together (Björck 1967; Björck 1996, §2.9.4), with residuals and
	// cross-products in doubled precision. Without fixed effects it runs on
	// the raw data: A_raw = A_c M with M = [1, x̄'; 0, I], so R·M factors
	// the raw design and rounding in the centring is corrected too; p is
	// then (b0, β) in the original parametrisation. Otherwise it is
	// skipped when the condition of the scaled design shows it could not
	// move the estimates by 1e-11 relative (qrFit.refineNegligible); the
	// residuals are then computed in doubled precision from β.
	var full, xbar, rref []float64
	if centred && kept[0] == 0 {
		xbar = make([]float64, k)
		rawKept := make([][]float64, k)
		rawKept[0] = raw[1]
		sumw := sumWeights(w, m)
		for a := 1; a < k; a++ {
			rawKept[a] = raw[kept[a]+1]
			var s float64
			for i, v := range rawKept[a] {
				s += wt(w, i) * v
			}
			xbar[a] = s / sumw
		}
		full = slices.Clone(beta)
		full[0] += weightedMean(y, w)
		for a := 1; a < k; a++ {
			full[0] -= xbar[a] * full[a]
		}
		reff := make([][]float64, k)
		for a := range reff {
			reff[a] = slices.Clone(qr.r[a])
		}
		for a := range k { // R·M: column b gets R[a][0]·x̄_b added
			for b := 1; b < k; b++ {
				reff[a][b] += qr.r[a][0] * xbar[b]
			}
		}
		rref = qr.refine(reff, rawKept, y, sw, full, 3)
		copy(beta[1:], full[1:])
	} else if !qr.refineNegligible(rinv, beta, m) {
		rref = qr.refine(qr.r, X, dm[0], sw, beta, 3)
	}
	// Residuals from the demeaned data.
	e := make([]float64, m)
	if rref != nil {
		for i := range e {
			e[i] = rref[i] / wt(sw, i)
		}
	} else {
		residualRows(e, dm[0], X, beta, opts.Workers)
	}
	res.Residuals = e
	// Fitted values and sums of squares on a goroutine of their own, which
	// overlaps the parameter counts and the variance below (the same
	// serial loops as in one goroutine); joined before R².
	ssDone := make(chan struct{})
	var fitted []float64
	var rss, tss, tssWithin float64
	go func() {
		defer close(ssDone)
		fitted = make([]float64, m)
		for i := range e {
			fitted[i] = y[i] - e[i]
		}
		var sumw, ybar float64
		for i, v := range y {
			wi := wt(w, i)
			sumw += wi
			ybar += wi * v
		}
		ybar /= sumw
		for i, v := range y {
			wi := wt(w, i)
			rss += wi * e[i] * e[i]
			if hasFE || d.Intercept {
				tss += wi * (v - ybar) * (v - ybar)
			} else {
				tss += wi * v * v
			}
			if hasFE {
				tssWithin += wi * dm[0][i] * dm[0][i]
			}
		}
	}()

	// Parameter counts (fixest nparams and ssc K).
	nfe := len(d.FE)
	feParams := 0
	if nfe > 0 {
		for _, g := range res.FELevels {
			feParams += g
		}
		if opts.SSC.FixefExact && nfe == 2 {
			feParams -= components(feCodes[0], feCodes[1], res.FELevels[0], res.FELevels[1])
		} else {
			feParams -= nfe - 1
		}
	}
	res.KFull = k + feParams + slopeParams
	res.K = res.KFull
	switch opts.SSC.FixefK {
	case FixefNone:
		res.K = k + slopeParams // fixest counts slope coefficients always
	case FixefNested:
		nestBy := clCodes
		if hac {
			// fixest marks the unit and time of NW and the time of DK as
			// variables whose nested fixed effects are not counted.
			nestBy = [][]int32{hk.time}
			if hk.unit != nil {
				nestBy = append(nestBy, hk.unit)
			}
		}
		if (vtype == VCovCluster || hac) && nfe > 0 {
			nested := make([]bool, nfe)
			nn, sizeNested := 0, 0
			for q := range nfe {
				for _, cl := range nestBy {
					if isNested(feCodes[q], res.FELevels[q], cl) {
						nested[q] = true
						break
					}
				}
				if nested[q] {
					nn++
					sizeNested += res.FELevels[q]
				}
			}
			switch {
			case nn == nfe:
				res.K = k + 1 + slopeParams
			case nn > 0:
				res.K = res.KFull - (sizeNested - nn)
			}
		}
	}
	if m-res.KFull <= 0 {
		return nil, &SampleError{m, res.KFull, "no residual degrees of freedom"}
	}
	if res.K >= m {
		res.K = res.KFull
	}

	// Variance.
	var V [][]float64
	var note string
	var err error
	if hac {
		V, note, err = vcovHAC(vtype == VCovDK, X, e, w, bread, hk, m, res.K, opts)
		if err == nil {
			res.Lag = hk.lag
			res.VCovType = fmt.Sprintf("%s(L=%d)", vtype, hk.lag)
		}
	} else {
		V, note, err = vcov(vtype, X, e, w, bread, clCodes, res.Clusters, m, res.K, opts)
		res.VCovType = vtype.String()
	}
	if err != nil {
		return nil, err
	}
	if note != "" {
		res.Notes = append(res.Notes, note)
	}
	if vtype == VCovCluster {
		res.VCovType = "cluster(" + joinNames(clusterNames) + ")"
	}
	// R².
	<-ssDone
	res.Fitted, res.RSS, res.TSS, res.TSSWithin = fitted, rss, tss, tssWithin
	res.Sigma = math.Sqrt(res.RSS / float64(m-res.KFull))
	res.R2 = 1 - res.RSS/res.TSS
	dfInt := 0.0
	if hasFE || d.Intercept {
		dfInt = 1
	}
	res.AdjR2 = 1 - (1-res.R2)*(float64(m)-dfInt)/float64(m-res.KFull)
	res.R2Within = math.NaN()
	if hasFE {
		res.R2Within = 1 - res.RSS/res.TSSWithin
	}

	dft := float64(m - res.K)
	if vtype == VCovCluster && opts.SSC.TDF == DFMin {
		g := slices.Min(res.Clusters)
		dft = float64(max(g-1, 1))
	}
	if hac && opts.SSC.TDF == DFMin {
		dft = float64(max(hk.ntime-1, 1))
	}
	res.DFT = dft

	// Back from the centred design to the intercept and slopes:
	// (b0, β) = T (a, β) with T = [1, −x̄'; 0, I], V = T V Tᵀ.
	if full != nil {
		beta[0] = full[0]
		T := make([][]float64, k)
		for a := range T {
			T[a] = make([]float64, k)
			T[a][a] = 1
		}
		for a := 1; a < k; a++ {
			T[0][a] = -xbar[a]
		}
		V = mulABt(mulAB(T, V), T)
	}
	res.VCov = V
	keptNames := make([]string, k)
	for a, j := range kept {
		keptNames[a] = names[j]
	}
	res.Coefs = inference(keptNames, beta, V, dft, opts.Level)
	return res, nil
}

func joinNames(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func wt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

func gather(x []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for a, i := range rows {
		out[a] = x[i]
	}
	return out
}

// gatherColumns returns x[rows] for every column x, gathering them on up
// to workers goroutines; with all set (rows is every row) it returns the
// columns themselves.
func gatherColumns(src [][]float64, rows []int, all bool, workers int) [][]float64 {
	out := make([][]float64, len(src))
	if all {
		copy(out, src)
		return out
	}
	forChunks(len(src), workers, func(j int) { out[j] = gather(src[j], rows) })
	return out
}

// denseCodesAll is denseCodes over every row: c itself when it already
// numbers its groups 0..G-1 in order of first appearance (then the result
// aliases c, which callers only read), else a renumbered copy.
func denseCodesAll(c []int32) ([]int32, int) {
	next := int32(0)
	for _, v := range c {
		if v > next || v < 0 {
			return renumber(c)
		}
		if v == next {
			next++
		}
	}
	return c, int(next)
}

// renumber is denseCodes over every row.
func renumber(c []int32) ([]int32, int) {
	maxc := int32(-1)
	for _, v := range c {
		maxc = max(maxc, v)
	}
	remap := make([]int32, int(maxc)+1)
	for i := range remap {
		remap[i] = -1
	}
	out := make([]int32, len(c))
	g := int32(0)
	for i, v := range c {
		if remap[v] < 0 {
			remap[v] = g
			g++
		}
		out[i] = remap[v]
	}
	return out, int(g)
}

// denseCodes renumbers c[rows] to 0..G-1 in order of first appearance.
func denseCodes(c []int32, rows []int) ([]int32, int) {
	maxc := int32(-1)
	for _, i := range rows {
		maxc = max(maxc, c[i])
	}
	remap := make([]int32, int(maxc)+1)
	for i := range remap {
		remap[i] = -1
	}
	out := make([]int32, len(rows))
	g := int32(0)
	for a, i := range rows {
		v := c[i]
		if remap[v] < 0 {
			remap[v] = g
			g++
		}
		out[a] = remap[v]
	}
	return out, int(g)
}

// dropSingletons clears keep[i] for observations alone in a group of any
// dimension (counted among kept rows), repeatedly if iterate, and returns
// how many it cleared.
func dropSingletons(fe [][]int32, keep []bool, iterate bool) int {
	dropped := 0
	counts := make([][]int32, len(fe))
	for q, c := range fe {
		maxc := int32(-1)
		for _, v := range c {
			maxc = max(maxc, v)
		}
		counts[q] = make([]int32, int(maxc)+1)
	}
	for {
		for q, c := range fe {
			clear(counts[q])
			for i, v := range c {
				if keep[i] {
					counts[q][v]++
				}
			}
		}
		changed := 0
		for i := range keep {
			if !keep[i] {
				continue
			}
			for q, c := range fe {
				if counts[q][c[i]] == 1 {
					keep[i] = false
					changed++
					break
				}
			}
		}
		dropped += changed
		if changed == 0 || !iterate {
			return dropped
		}
	}
}

// isNested reports whether every level of fe lies within one cluster.
func isNested(fe []int32, ng int, cl []int32) bool {
	owner := make([]int32, ng)
	for i := range owner {
		owner[i] = -1
	}
	for i, g := range fe {
		switch owner[g] {
		case -1:
			owner[g] = cl[i]
		case cl[i]:
		default:
			return false
		}
	}
	return true
}

// components returns the number of connected components of the bipartite
// graph linking levels of a and b that share an observation: the number of
// redundant coefficients among two fixed effects (Abowd, Creecy & Kramarz
// 2002).
func components(a, b []int32, na, nb int) int {
	parent := make([]int32, na+nb)
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := range a {
		ra, rb := find(a[i]), find(int32(na)+b[i])
		if ra != rb {
			parent[ra] = rb
		}
	}
	n := 0
	for i := range parent {
		if find(int32(i)) == int32(i) {
			n++
		}
	}
	return n
}

func sumWeights(w []float64, m int) float64 {
	if w == nil {
		return float64(m)
	}
	var s float64
	for _, v := range w {
		s += v
	}
	return s
}

func weightedMean(x, w []float64) float64 {
	var s, sw float64
	for i, v := range x {
		wi := wt(w, i)
		s += wi * v
		sw += wi
	}
	return s / sw
}
