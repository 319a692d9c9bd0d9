package econ

import "math"

// sdidCovFit is the outcome of [sdidSetup.covWeights]: the weights, the
// covariate coefficients β, the number of iterations and the first and
// last values of the objective.
type sdidCovFit struct {
	omega, lambda, beta []float64
	iters               int
	valFirst, valLast   float64
}

// covWeights is synthdid's sc.weight.fw.covariates (synthdid 0.0.9,
// R/solver.R): it estimates the unit weights ω, the time weights λ and the
// covariate coefficients β jointly on the collapsed forms yc of Y and xc of
// each covariate ((n0+1)×(t0+1), row-major; see [collapsedForm]),
// minimising
//
//	f(ω, λ, β) = ζ_ω²‖ω‖² + ζ_λ²‖λ‖² + ‖Ỹ_ω (ω, −1)‖²/T0 + ‖Ỹ_λ (λ, −1)‖²/N0,   Ỹ = Y_c − Σ_c β_c X_c,
//
// where Ỹ_λ is the control rows of Ỹ (centred over units when the λ
// problem has an intercept) and Ỹ_ω the transposed pre-period columns
// (centred over time when the ω problem has an intercept). Iteration
// t = 1, 2, … takes one gradient step on β with step size 1/t,
//
//	β ← β − (1/t) ∇_β f,   ∂f/∂β_c = −e_λᵀ X_c[controls, ·] (λ, −1)/N0 − e_ωᵀ X_c[·, pre]ᵀ (ω, −1)/T0,
//
// with e_λ, e_ω the residuals of the last weight update, then recomputes Ỹ
// and takes one Frank–Wolfe step (exact line search, synthdid's fw.step) on
// λ and then on ω, for whichever of them the method updates. One weight
// update precedes the loop, from β = 0. It stops after maxIter iterations
// or when |f_{t−1} − f_t| ≤ minDecrease². There is no sparsification.
//
// The β step is not scale-invariant: covariates of large magnitude make the
// first steps overshoot and the objective grow without bound (the caller
// reports that, using valFirst and valLast).
//
// omega0 and lambda0 are starting values (nil: uniform), or the weights
// themselves when not updated. The result's slices are new.
func (s *sdidSetup) covWeights(yc []float64, xc [][]float64, n0, t0 int, omega0, lambda0 []float64) sdidCovFit {
	w := t0 + 1
	nc := len(xc)
	omega := make([]float64, n0)
	if omega0 == nil {
		for i := range omega {
			omega[i] = 1 / float64(n0)
		}
	} else {
		copy(omega, omega0)
	}
	lambda := make([]float64, t0)
	if lambda0 == nil {
		for t := range lambda {
			lambda[t] = 1 / float64(t0)
		}
	} else {
		copy(lambda, lambda0)
	}
	if !s.updateOmega && !s.updateLambda && !s.slowFixed {
		return s.covBetaFixed(yc, xc, n0, t0, omega, lambda)
	}
	beta := make([]float64, nc)
	var (
		yb    = make([]float64, (n0+1)*w)  // Ỹ, row-major
		ylam  = make([]float64, n0*w)      // Ỹ_λ, n0×(t0+1) column-major
		yom   = make([]float64, t0*(n0+1)) // Ỹ_ω, t0×(n0+1) column-major
		errL  = make([]float64, n0)
		errO  = make([]float64, t0)
		ax    = make([]float64, max(n0, t0))
		grad  = make([]float64, max(n0, t0))
		dx    = make([]float64, max(n0, t0))
		gbeta = make([]float64, nc)
		vL    = make([]float64, w)
		vO    = make([]float64, n0+1)
	)
	zo2, zl2 := s.zetaOmega*s.zetaOmega, s.zetaLambda*s.zetaLambda
	// update is synthdid's update.weights: Ỹ from β, one FW step on λ and
	// on ω, the residuals, and the objective.
	update := func() float64 {
		// Y.beta = Y − contract3(X, β), contract3 summing β_c X_c from 0.
		for k := range yb {
			var xb float64
			for c := range nc {
				xb += beta[c] * xc[c][k]
			}
			yb[k] = yc[k] - xb
		}
		for j := range w {
			col := ylam[j*n0 : (j+1)*n0]
			for i := range n0 {
				col[i] = yb[i*w+j]
			}
			if s.lambdaIntercept {
				center(col)
			}
		}
		if s.updateLambda {
			fwStep(ylam, n0, t0, lambda, ylam[t0*n0:], float64(n0)*zl2, ax, grad, dx)
		}
		matVecMinus(errL, ylam, n0, t0, lambda)
		for i := range n0 + 1 {
			col := yom[i*t0 : (i+1)*t0]
			copy(col, yb[i*w:i*w+t0])
			if s.omegaIntercept {
				center(col)
			}
		}
		if s.updateOmega {
			fwStep(yom, t0, n0, omega, yom[n0*t0:], float64(t0)*zo2, ax, grad, dx)
		}
		matVecMinus(errO, yom, t0, n0, omega)
		return zo2*sumSq(omega) + zl2*sumSq(lambda) + sumSq(errO)/float64(t0) + sumSq(errL)/float64(n0)
	}
	cur := update()
	var prev float64
	first := math.NaN()
	md2 := s.minDecrease * s.minDecrease
	t := 0
	for t < s.opts.MaxIter && (t < 2 || math.Abs(prev-cur) > md2) {
		t++
		for c := range nc {
			x := xc[c]
			// (e_λᵀ X[1:N0, ]) (λ, −1) / N0
			for j := range w {
				var v float64
				for i := range n0 {
					v += errL[i] * x[i*w+j]
				}
				vL[j] = v
			}
			var s1 float64
			for j := range t0 {
				s1 += vL[j] * lambda[j]
			}
			s1 += vL[t0] * -1
			// (e_ωᵀ X[, 1:T0]ᵀ) (ω, −1) / T0
			for i := range n0 + 1 {
				var v float64
				for j := range t0 {
					v += errO[j] * x[i*w+j]
				}
				vO[i] = v
			}
			var s2 float64
			for i := range n0 {
				s2 += vO[i] * omega[i]
			}
			s2 += vO[n0] * -1
			gbeta[c] = -(s1/float64(n0) + s2/float64(t0))
		}
		alpha := 1 / float64(t)
		for c := range nc {
			beta[c] -= alpha * gbeta[c]
		}
		prev = cur
		cur = update()
		if t == 1 {
			first = cur
		}
	}
	return sdidCovFit{omega: omega, lambda: lambda, beta: beta, iters: t, valFirst: first, valLast: cur}
}

// fwStep is synthdid's fw.step without a fixed step size: one Frank–Wolfe
// step for min ‖Ax − b‖² + η‖x‖² over the simplex, with exact line search,
// updating x in place. A is n×k column-major in a, b has length n; ax, grad
// and dx are scratch of length at least n, k, k.
func fwStep(a []float64, n, k int, x, b []float64, eta float64, ax, grad, dx []float64) {
	ax, grad, dx = ax[:n], grad[:k], dx[:k]
	matVec(ax, a, n, k, x)
	fwMove(a, n, k, x, b, ax, eta, grad, dx)
}

// fwMove moves x by one Frank–Wolfe step for min ‖Ax − b‖² + η‖x‖² over
// the simplex, given ax = A x (A n×k column-major in a; grad and dx are
// scratch of length k), and returns the vertex i it moved towards and the
// step s, with moved false when the direction is zero (x = e_i already):
//
//	g = Aᵀ(Ax − b) + ηx,  i = argmin g,  d = e_i − x,  s = clamp(−gᵀd / (‖A_i − Ax‖² + η‖d‖²), 0, 1),  x ← x + s d
//
// A flat direction (0/0) gets s = 0; synthdid would produce NaN. The
// caller updates ax (to ax + s(A_i − ax)) or recomputes it.
func fwMove(a []float64, n, k int, x, b, ax []float64, eta float64, grad, dx []float64) (imin int, step float64, moved bool) {
	x, b, ax, grad, dx = x[:k], b[:n], ax[:n], grad[:k], dx[:k] // bounds-check hints
	for j := range k {
		col := a[j*n : (j+1)*n]
		var g float64
		for i := range n {
			g += (ax[i] - b[i]) * col[i]
		}
		grad[j] = g + eta*x[j]
	}
	for j := 1; j < k; j++ {
		if grad[j] < grad[imin] {
			imin = j
		}
	}
	for j := range k {
		dx[j] = -x[j]
	}
	dx[imin] = 1 - x[imin]
	for j := range k {
		if dx[j] != 0 {
			moved = true
			break
		}
	}
	if !moved {
		return imin, 0, false
	}
	col := a[imin*n : (imin+1)*n]
	var num, derr, dxx float64
	for j := range k {
		num += grad[j] * dx[j]
	}
	for i := range n {
		d := col[i] - ax[i]
		derr += d * d
	}
	for j := range k {
		dxx += dx[j] * dx[j]
	}
	if den := derr + eta*dxx; den > 0 {
		step = min(1, max(0, -num/den))
	}
	for j := range k {
		x[j] += step * dx[j]
	}
	return imin, step, true
}

// matVecMinus sets dst = [A | b] (x, −1) = A x − b for the n×(k+1)
// column-major matrix m, accumulating columns in order as the reference
// BLAS does.
func matVecMinus(dst, m []float64, n, k int, x []float64) {
	matVec(dst, m, n, k, x)
	b := m[k*n : (k+1)*n]
	for i := range n {
		dst[i] += b[i] * -1
	}
}

// center subtracts R's mean from x in place.
func center(x []float64) {
	mu := mean2(x)
	for i := range x {
		x[i] -= mu
	}
}

func sumSq(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}

// sdidAdjust returns Y − Σ_c β_c X_c (synthdid's Y − contract3(X, β)), a
// new slice; y itself when there are no covariates.
func sdidAdjust(y []float64, xs [][]float64, beta []float64) []float64 {
	if len(xs) == 0 {
		return y
	}
	out := make([]float64, len(y))
	for k := range y {
		var xb float64
		for c := range xs {
			xb += beta[c] * xs[c][k]
		}
		out[k] = y[k] - xb
	}
	return out
}

// covBetaFixed is covWeights when neither ω nor λ is updated (DID, and the
// jackknife's refits): the residuals are then affine in β,
//
//	e_λ(β) = e_λ(0) − Σ_c β_c C_λ(X_c)(λ, −1),   e_ω(β) = e_ω(0) − Σ_c β_c C_ω(X_c)ᵀ(ω, −1),
//
// with C the centring of the respective problem, and the gradient uses the
// fixed vectors X_c[controls, ·](λ, −1) and X_c[·, pre]ᵀ(ω, −1), so an
// iteration costs O(C·(N0+T0)) instead of O(C·N0·T0). The iterates are
// synthdid's up to rounding (the products are associated differently).
func (s *sdidSetup) covBetaFixed(yc []float64, xc [][]float64, n0, t0 int, omega, lambda []float64) sdidCovFit {
	w := t0 + 1
	nc := len(xc)
	ylam := make([]float64, n0*w)
	yom := make([]float64, t0*(n0+1))
	// lamSide and omSide return C_λ(M)(λ, −1) and C_ω(M)ᵀ(ω, −1) for a
	// collapsed-form matrix m.
	lamSide := func(m []float64) []float64 {
		for j := range w {
			col := ylam[j*n0 : (j+1)*n0]
			for i := range n0 {
				col[i] = m[i*w+j]
			}
			if s.lambdaIntercept {
				center(col)
			}
		}
		out := make([]float64, n0)
		matVecMinus(out, ylam, n0, t0, lambda)
		return out
	}
	omSide := func(m []float64) []float64 {
		for i := range n0 + 1 {
			col := yom[i*t0 : (i+1)*t0]
			copy(col, m[i*w:i*w+t0])
			if s.omegaIntercept {
				center(col)
			}
		}
		out := make([]float64, t0)
		matVecMinus(out, yom, t0, n0, omega)
		return out
	}
	l0, o0 := lamSide(yc), omSide(yc)
	lc, oc := make([][]float64, nc), make([][]float64, nc)
	ac, bc := make([][]float64, nc), make([][]float64, nc)
	for c, x := range xc {
		lc[c], oc[c] = lamSide(x), omSide(x)
		ac[c] = make([]float64, n0) // X[controls, ·] (λ, −1)
		for i := range n0 {
			var v float64
			for j := range t0 {
				v += x[i*w+j] * lambda[j]
			}
			ac[c][i] = v - x[i*w+t0]
		}
		bc[c] = make([]float64, t0) // X[·, pre]ᵀ (ω, −1)
		for j := range t0 {
			var v float64
			for i := range n0 {
				v += x[i*w+j] * omega[i]
			}
			bc[c][j] = v - x[n0*w+j]
		}
	}
	beta := make([]float64, nc)
	gbeta := make([]float64, nc)
	errL, errO := make([]float64, n0), make([]float64, t0)
	zo2, zl2 := s.zetaOmega*s.zetaOmega, s.zetaLambda*s.zetaLambda
	penalty := zo2*sumSq(omega) + zl2*sumSq(lambda)
	update := func() float64 {
		copy(errL, l0)
		copy(errO, o0)
		for c := range nc {
			for i := range errL {
				errL[i] -= beta[c] * lc[c][i]
			}
			for j := range errO {
				errO[j] -= beta[c] * oc[c][j]
			}
		}
		return penalty + sumSq(errO)/float64(t0) + sumSq(errL)/float64(n0)
	}
	cur := update()
	var prev float64
	first := math.NaN()
	md2 := s.minDecrease * s.minDecrease
	t := 0
	for t < s.opts.MaxIter && (t < 2 || math.Abs(prev-cur) > md2) {
		t++
		for c := range nc {
			var s1, s2 float64
			for i, e := range errL {
				s1 += e * ac[c][i]
			}
			for j, e := range errO {
				s2 += e * bc[c][j]
			}
			gbeta[c] = -(s1/float64(n0) + s2/float64(t0))
		}
		alpha := 1 / float64(t)
		for c := range nc {
			beta[c] -= alpha * gbeta[c]
		}
		prev = cur
		cur = update()
		if t == 1 {
			first = cur
		}
	}
	return sdidCovFit{omega: omega, lambda: lambda, beta: beta, iters: t, valFirst: first, valLast: cur}
}
