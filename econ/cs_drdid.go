package econ

import (
	"math"
)

// csEstimator holds one 2×2 comparison of [CallawaySantAnna]: the units of
// the cohort (d true) and of the comparison group, their outcome change
// and, with covariates, the rows of X (an intercept and the covariates,
// row-major, k columns), and with sampling weights the weight w of each
// unit. Its methods compute the ATT and DRDID's influence function inf on
// those n_gt units; the buffers are reused across cells.
type csEstimator struct {
	method CSMethod
	k      int

	unit []int // index of each unit among the N units
	d    []bool
	dy   []float64
	x    []float64
	// w holds the sampling weights (nil: every weight 1), scaled by
	// normWeights to mean 1 over the units of the comparison as DRDID's
	// i.weights/mean(i.weights).
	w    []float64
	inf  []float64
	n0   int    // comparison units
	post []bool // repeated cross-sections: observation in the later period

	// scratch
	ps, out []float64
}

func (e *csEstimator) reset() {
	e.unit, e.d, e.dy, e.x, e.n0, e.post = e.unit[:0], e.d[:0], e.dy[:0], e.x[:0], 0, e.post[:0]
	if e.w != nil {
		e.w = e.w[:0]
	}
}

// wt is the sampling weight of unit i of the comparison (1 without
// weights).
func (e *csEstimator) wt(i int) float64 {
	if e.w == nil {
		return 1
	}
	return e.w[i]
}

// csW is ws[i], or 1 when ws is nil (no sampling weights).
func csW(ws []float64, i int) float64 {
	if ws == nil {
		return 1
	}
	return ws[i]
}

// normWeights scales the weights to mean 1 over the comparison, as DRDID
// does with its i.weights, and reports an error when the cohort or the
// comparison group has zero total weight. Without weights it does
// nothing.
func (e *csEstimator) normWeights() error {
	if e.w == nil {
		return nil
	}
	var s, s1, s0 float64
	for i, v := range e.w {
		s += v
		if e.d[i] {
			s1 += v
		} else {
			s0 += v
		}
	}
	if !(s1 > 0) {
		return csErrorf(ErrBadWeight, "the cohort's units all have sampling weight 0")
	}
	if !(s0 > 0) {
		return csErrorf(ErrBadWeight, "the comparison units all have sampling weight 0")
	}
	c := float64(len(e.w)) / s
	for i := range e.w {
		e.w[i] *= c
	}
	return nil
}

func (e *csEstimator) add(unit int, treated bool, dy float64) {
	e.unit = append(e.unit, unit)
	e.d = append(e.d, treated)
	e.dy = append(e.dy, dy)
	if !treated {
		e.n0++
	}
}

func csGrow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// unconditional is the difference of (weighted) mean changes, with the
// influence function n w_i(ΔY_i − μ_1)/Σ_{G_g} w for cohort units and
// −n w_i(ΔY_i − μ_0)/Σ_C w for comparison units (all DRDID estimators with
// an intercept only; w = 1 without weights).
func (e *csEstimator) unconditional() float64 {
	n := len(e.dy)
	e.inf = csGrow(e.inf, n)
	if e.w != nil {
		return e.unconditionalWeighted()
	}
	var s1, s0 float64
	n1 := n - e.n0
	for i, v := range e.dy {
		if e.d[i] {
			s1 += v
		} else {
			s0 += v
		}
	}
	mu1, mu0 := s1/float64(n1), s0/float64(e.n0)
	// Second pass for numerically stable centred sums.
	var c1, c0 float64
	for i, v := range e.dy {
		if e.d[i] {
			c1 += v - mu1
		} else {
			c0 += v - mu0
		}
	}
	mu1 += c1 / float64(n1)
	mu0 += c0 / float64(e.n0)
	fn := float64(n)
	for i, v := range e.dy {
		if e.d[i] {
			e.inf[i] = fn / float64(n1) * (v - mu1)
		} else {
			e.inf[i] = -fn / float64(e.n0) * (v - mu0)
		}
	}
	return mu1 - mu0
}

// unconditionalWeighted is unconditional with sampling weights.
func (e *csEstimator) unconditionalWeighted() float64 {
	var w1, w0, s1, s0 float64
	for i, v := range e.dy {
		w := e.w[i]
		if e.d[i] {
			w1 += w
			s1 += w * v
		} else {
			w0 += w
			s0 += w * v
		}
	}
	mu1, mu0 := s1/w1, s0/w0
	var c1, c0 float64
	for i, v := range e.dy {
		if e.d[i] {
			c1 += e.w[i] * (v - mu1)
		} else {
			c0 += e.w[i] * (v - mu0)
		}
	}
	mu1 += c1 / w1
	mu0 += c0 / w0
	fn := float64(len(e.dy))
	for i, v := range e.dy {
		if e.d[i] {
			e.inf[i] = fn * e.w[i] / w1 * (v - mu1)
		} else {
			e.inf[i] = -fn * e.w[i] / w0 * (v - mu0)
		}
	}
	return mu1 - mu0
}

// errOverlap is did's overlap check: a fitted propensity score of 0.999
// or more (did reports NA for the cell).
var errOverlap = csErrorf(ErrOverlap, "overlap condition violated: a propensity score is 0.999 or more")

// conditional computes the covariate-adjusted 2×2 DID of e.method and its
// influence function, following DRDID 1.2.3's reg_did_panel,
// std_ipw_did_panel and drdid_panel (Sant'Anna & Zhao 2020) with the
// sampling weights ω (e.w, mean 1; ω = 1 without weights). With
// r_i = ΔY_i − X_iβ̂ (β̂ weighted least squares on the comparison units),
// p̂ the weighted logit fit, w₁ = ωD, w₀ = ω1{p̂ < 0.995}(1−D)p̂/(1−p̂) and
// means over the n units of the comparison:
//
//	dr:  η₁ = Σw₁r/Σw₁, η₀ = Σw₀r/Σw₀, ATT = η₁ − η₀
//	     IF = [w₁(r − η₁) − ℓ_ols·M₁]/w̄₁ − [w₀(r − η₀) + ℓ_ps·M₂ − ℓ_ols·M₃]/w̄₀
//	     M₁ = mean(w₁X), M₂ = mean(w₀(r − η₀)X), M₃ = mean(w₀X)
//	reg: ATT = Σw₁ΔY/Σw₁ − Σw₁Xβ̂/Σw₁,
//	     IF = w₁(ΔY − η₁)/w̄₁ − [w₁(Xβ̂ − η₀) + ℓ_ols·mean(w₁X)]/w̄₁
//	ipw: ATT = Σw₁ΔY/Σw₁ − Σw₀ΔY/Σw₀,
//	     IF = w₁(ΔY − η₁)/w̄₁ − [w₀(ΔY − η₀) + ℓ_ps·mean(w₀(ΔY − η₀)X)]/w̄₀
//
// where ℓ_ols,i = ω_i(1−D_i) r_i X_i (X₀ᵀΩX₀/n)⁻¹ and ℓ_ps,i = ω_i(D_i − p̂_i)
// X_i (XᵀŴX/n)⁻¹, Ŵ = ωp̂(1−p̂), are the asymptotic linear representations
// of the two first steps.
func (e *csEstimator) conditional() (float64, error) {
	n, k := len(e.dy), e.k
	fn := float64(n)
	X, ws := e.x, e.w
	e.inf = csGrow(e.inf, n)
	e.out = csGrow(e.out, n)
	e.ps = csGrow(e.ps, n)
	row := func(i int) []float64 { return X[i*k : (i+1)*k] }

	// Propensity score first, as did checks overlap before the rank of
	// the comparison units' covariates.
	var hessInv []float64
	if e.method != CSOutcomeRegression {
		var err error
		if hessInv, err = e.logit(); err != nil {
			return 0, err
		}
	}
	// Outcome regression on the comparison units.
	var xpxInv []float64 // (X₀ᵀX₀/n)⁻¹
	if e.method != CSIPW {
		a := make([]float64, k*k)
		b := make([]float64, k)
		for i := 0; i < n; i++ {
			if e.d[i] {
				continue
			}
			xi := row(i)
			w := csW(ws, i)
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
			return 0, csErrorf(ErrCollinear, "covariates are collinear (or constant) among the comparison units")
		}
		beta := make([]float64, k)
		for p := 0; p < k; p++ {
			for q := 0; q < k; q++ {
				beta[p] += inv[p*k+q] * b[q]
			}
		}
		for i := 0; i < n; i++ {
			e.out[i] = csDot(row(i), beta)
		}
		for j := range inv {
			inv[j] *= fn
		}
		xpxInv = inv
	}
	if e.method == CSOutcomeRegression {
		var n1, s1, s0 float64
		for i := 0; i < n; i++ {
			if e.d[i] {
				w := csW(ws, i)
				n1 += w
				s1 += w * e.dy[i]
				s0 += w * e.out[i]
			}
		}
		eta1, eta0 := s1/n1, s0/n1
		m1 := make([]float64, k)
		for i := 0; i < n; i++ {
			if e.d[i] {
				w := csW(ws, i)
				for p, v := range row(i) {
					m1[p] += w * v
				}
			}
		}
		a1 := csSymMulVec(xpxInv, m1, k, 1/fn)
		mw := n1 / fn
		for i := 0; i < n; i++ {
			var v float64
			w := csW(ws, i)
			if e.d[i] {
				v = w*(e.dy[i]-eta1)/mw - w*(e.out[i]-eta0)/mw
			} else {
				v = -w * (e.dy[i] - e.out[i]) * csDot(row(i), a1) / mw
			}
			e.inf[i] = v
		}
		return eta1 - eta0, nil
	}

	// Weights; r = ΔY − Xβ̂ for dr, ΔY for ipw.
	r := e.out // reuse: residual
	for i := 0; i < n; i++ {
		if e.method == CSDoublyRobust {
			r[i] = e.dy[i] - e.out[i]
		} else {
			r[i] = e.dy[i]
		}
	}
	w0 := func(i int) float64 {
		p := e.ps[i]
		if e.d[i] || !(p < 0.995) {
			return 0
		}
		return csW(ws, i) * p / (1 - p)
	}
	var sw1, sw0, s1, s0 float64
	for i := 0; i < n; i++ {
		if e.d[i] {
			w := csW(ws, i)
			sw1 += w
			s1 += w * r[i]
		} else {
			w := w0(i)
			sw0 += w
			s0 += w * r[i]
		}
	}
	if sw0 == 0 {
		return 0, csErrorf(ErrTrimmed, "every comparison unit is trimmed (propensity score ≥ 0.995)")
	}
	eta1, eta0 := s1/sw1, s0/sw0
	m1 := make([]float64, k)
	m2 := make([]float64, k)
	m3 := make([]float64, k)
	for i := 0; i < n; i++ {
		xi := row(i)
		if e.d[i] {
			w := csW(ws, i)
			for p, v := range xi {
				m1[p] += w * v
			}
			continue
		}
		w := w0(i)
		for p, v := range xi {
			m2[p] += w * (r[i] - eta0) * v
			m3[p] += w * v
		}
	}
	a2 := csSymMulVec(hessInv, m2, k, 1/fn)
	var a1, a3 []float64
	if e.method == CSDoublyRobust {
		a1 = csSymMulVec(xpxInv, m1, k, 1/fn)
		a3 = csSymMulVec(xpxInv, m3, k, 1/fn)
	}
	mw1, mw0 := sw1/fn, sw0/fn
	for i := 0; i < n; i++ {
		xi := row(i)
		var d float64
		if e.d[i] {
			d = 1
		}
		wi := csW(ws, i)
		lps := wi * (d - e.ps[i]) * csDot(xi, a2) // ℓ_ps·M₂
		var treat, cont float64
		if e.d[i] {
			treat = wi * (r[i] - eta1)
		} else {
			w := w0(i)
			cont = w * (r[i] - eta0)
		}
		cont += lps
		if e.method == CSDoublyRobust && !e.d[i] {
			lols := wi * r[i] * csDot(xi, a1) // ℓ_ols·M₁ (zero for cohort units)
			treat -= lols
			cont -= wi * r[i] * csDot(xi, a3)
		}
		e.inf[i] = treat/mw1 - cont/mw0
	}
	return eta1 - eta0, nil
}

// logit fits P(D=1|X) by Newton–Raphson (iteratively reweighted least
// squares) to full convergence, maximising the likelihood weighted by the
// sampling weights ω (as DRDID's fastglm with i.weights), stores the
// fitted scores capped at 1 − 10⁻⁶ (as DRDID) in e.ps and returns
// (XᵀŴX/n)⁻¹, Ŵ = ωp̂(1−p̂), at the capped scores. The overlap check is on
// these fitted scores; did checks an unweighted fit (which differs only
// with weights).
func (e *csEstimator) logit() ([]float64, error) {
	n, k := len(e.dy), e.k
	X, ws := e.x, e.w
	e.ps = csGrow(e.ps, n)
	beta := make([]float64, k)
	grad := make([]float64, k)
	h := make([]float64, k*k)
	converged := false
	for it := 0; it < 100 && !converged; it++ {
		clear(grad)
		clear(h)
		// Two loops rather than a test of ws per unit: this is the
		// innermost loop of the estimator.
		if ws == nil {
			for i := 0; i < n; i++ {
				xi := X[i*k : (i+1)*k]
				p := csLogistic(csDot(xi, beta))
				csLogitTerm(grad, h, xi, p*(1-p), csIndicator(e.d[i])-p, k)
			}
		} else {
			for i := 0; i < n; i++ {
				xi := X[i*k : (i+1)*k]
				p := csLogistic(csDot(xi, beta))
				csLogitTerm(grad, h, xi, ws[i]*(p*(1-p)), ws[i]*(csIndicator(e.d[i])-p), k)
			}
		}
		inv, ok := csSPDInverse(h, k)
		if !ok {
			break
		}
		step := csSymMulVec(inv, grad, k, 1)
		converged = true
		for a := range beta {
			beta[a] += step[a]
			if math.Abs(step[a]) > 1e-11*(1+math.Abs(beta[a])) {
				converged = false
			}
		}
	}
	maxp := 0.0
	for i := 0; i < n; i++ {
		p := csLogistic(csDot(X[i*k:(i+1)*k], beta))
		maxp = max(maxp, p)
		e.ps[i] = min(p, 1-1e-6)
	}
	if maxp >= 0.999 || math.IsNaN(maxp) {
		return nil, errOverlap
	}
	if !converged {
		return nil, csErrorf(ErrNoConvergence, "propensity-score logit did not converge in 100 Newton steps")
	}
	clear(h)
	for i := 0; i < n; i++ {
		xi := X[i*k : (i+1)*k]
		p := e.ps[i]
		w := p * (1 - p)
		if ws != nil {
			w *= ws[i]
		}
		for a := 0; a < k; a++ {
			for b := 0; b <= a; b++ {
				h[a*k+b] += w * xi[a] * xi[b]
			}
		}
	}
	inv, ok := csSPDInverse(h, k)
	if !ok {
		return nil, csErrorf(ErrNoConvergence, "propensity-score information matrix is singular")
	}
	for j := range inv {
		inv[j] *= float64(n)
	}
	return inv, nil
}

// csIndicator is 1 for true, 0 for false.
func csIndicator(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// csLogitTerm adds unit i's terms r·x_i to the gradient and w·x_i x_iᵀ
// to the lower triangle of the information matrix.
func csLogitTerm(grad, h, xi []float64, w, r float64, k int) {
	for a := 0; a < k; a++ {
		grad[a] += r * xi[a]
		for b := 0; b <= a; b++ {
			h[a*k+b] += w * xi[a] * xi[b]
		}
	}
}

func csLogistic(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	ez := math.Exp(z)
	return ez / (1 + ez)
}

func csDot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// csSymMulVec returns c·A v for the symmetric k×k A (full storage).
func csSymMulVec(a, v []float64, k int, c float64) []float64 {
	out := make([]float64, k)
	for p := 0; p < k; p++ {
		var s float64
		for q := 0; q < k; q++ {
			s += a[p*k+q] * v[q]
		}
		out[p] = c * s
	}
	return out
}

// csSPDInverse inverts the symmetric positive definite k×k matrix whose
// lower triangle is in a (row-major) by Cholesky, returning the full
// inverse. It reports false when a is not numerically positive definite:
// a squared pivot L_jj² below 10⁻¹² a_jj (column j nearly a combination
// of the earlier ones) or min_j L_jj² / max_j a_jj below the machine
// epsilon, the analogue of did's rcond(XᵀX) < ε check.
func csSPDInverse(a []float64, k int) ([]float64, bool) {
	l := make([]float64, k*k)
	lo, hi := math.Inf(1), 0.0
	for j := 0; j < k; j++ {
		s := a[j*k+j]
		for p := 0; p < j; p++ {
			s -= l[j*k+p] * l[j*k+p]
		}
		// A pivot that is a negligible part of the diagonal entry: column j
		// is (numerically) a combination of the earlier ones.
		if !(s > 1e-12*a[j*k+j]) {
			return nil, false
		}
		l[j*k+j] = math.Sqrt(s)
		lo, hi = min(lo, s), max(hi, a[j*k+j])
		for i := j + 1; i < k; i++ {
			s := a[i*k+j]
			for p := 0; p < j; p++ {
				s -= l[i*k+p] * l[j*k+p]
			}
			l[i*k+j] = s / l[j*k+j]
		}
	}
	if lo/hi < 0x1p-52 {
		return nil, false
	}
	// Solve L Lᵀ X = I column by column.
	inv := make([]float64, k*k)
	z := make([]float64, k)
	for c := 0; c < k; c++ {
		for i := 0; i < k; i++ {
			s := 0.0
			if i == c {
				s = 1
			}
			for p := 0; p < i; p++ {
				s -= l[i*k+p] * z[p]
			}
			z[i] = s / l[i*k+i]
		}
		for i := k - 1; i >= 0; i-- {
			s := z[i]
			for p := i + 1; p < k; p++ {
				s -= l[p*k+i] * inv[p*k+c]
			}
			inv[i*k+c] = s / l[i*k+i]
		}
	}
	return inv, true
}
