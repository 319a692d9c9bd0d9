package econ

import "math"

// qrFit is a Householder QR factorisation of the columns of A that skips
// columns whose part orthogonal to the earlier kept columns is negligible:
// column j is dropped when ‖(I − P)a_j‖² ≤ tol·ref_j², P the projection on
// the kept columns before it. It never forms A'A, so its accuracy depends
// on cond(A), not cond(A)² (Golub & Van Loan 2013, §5.3).
type qrFit struct {
	vs    [][]float64 // reflector p is vs[p][p:]
	betas []float64
	keep  []int       // indices of kept columns, in order
	r     [][]float64 // r[a][b], upper triangular, len(keep)²
	qty   []float64   // first len(keep) elements of Q'y
	rnorm float64     // ‖y − A x̂‖, the norm of the rest of Q'y
	// workers bounds the goroutines of refine's row-wise residuals (0 or
	// 1: serial); the result does not depend on it.
	workers int
}

// householderQR factorises cols in place (they are overwritten) and
// applies the reflections to y (overwritten). ref[j] is the norm that
// column j's residual norm is compared with. Each new reflection is
// applied at once to every later column and y, one column per goroutine
// on up to workers goroutines (right-looking); every column still gets
// the reflections in order, computed exactly as one goroutine would.
func householderQR(cols [][]float64, y []float64, ref []float64, tol float64, workers int) *qrFit {
	n := len(y)
	f := &qrFit{}
	var vs [][]float64 // reflector vectors, v_p = cols[keep[p]][p:]
	var betas []float64
	reflect := func(v []float64, beta float64, xs []float64) {
		var d float64
		for i, vi := range v {
			d += vi * xs[i]
		}
		d *= beta
		for i, vi := range v {
			xs[i] -= d * vi
		}
	}
	if n < 1<<15 {
		workers = 1 // goroutines cost more than they save
	}
	rest := make([][]float64, 0, len(cols))
	for j, a := range cols {
		p := len(f.keep)
		if p >= n {
			continue
		}
		var ss float64
		for _, v := range a[p:] {
			ss += v * v
		}
		if ss <= tol*ref[j]*ref[j] || ss == 0 {
			continue
		}
		norm := math.Sqrt(ss)
		alpha := -norm
		if a[p] < 0 {
			alpha = norm
		}
		// v = a[p:] − alpha e1, β = 1/(alpha² − alpha a_p) = 2/‖v‖²
		beta := 1 / (ss - alpha*a[p])
		col := make([]float64, p+1)
		copy(col, a[:p])
		col[p] = alpha
		a[p] -= alpha
		f.r = append(f.r, col)
		f.keep = append(f.keep, j)
		vs = append(vs, a)
		betas = append(betas, beta)
		rest = append(append(rest[:0], cols[j+1:]...), y)
		v := a[p:]
		forChunks(len(rest), workers, func(c int) { reflect(v, beta, rest[c][p:]) })
	}
	f.vs, f.betas = vs, betas
	f.qty = append([]float64(nil), y[:len(f.keep)]...)
	var rss float64
	for _, v := range y[len(f.keep):] {
		rss += v * v
	}
	f.rnorm = math.Sqrt(rss)
	// f.r holds columns; transpose into rows r[a][b] for a ≤ b.
	k := len(f.keep)
	r := make([][]float64, k)
	for a := range r {
		r[a] = make([]float64, k)
	}
	for b, col := range f.r {
		for a, v := range col {
			r[a][b] = v
		}
	}
	f.r = r
	return f
}

// solve returns R⁻¹ Q'y.
func (f *qrFit) solve() []float64 {
	k := len(f.keep)
	b := make([]float64, k)
	for a := k - 1; a >= 0; a-- {
		s := f.qty[a]
		for c := a + 1; c < k; c++ {
			s -= f.r[a][c] * b[c]
		}
		b[a] = s / f.r[a][a]
	}
	return b
}

// bread returns (A'A)⁻¹ = R⁻¹R⁻ᵀ for the kept columns.
func (f *qrFit) bread() [][]float64 {
	return f.breadOf(f.rInverse())
}

// rInverse returns R⁻¹ (upper triangular) for the kept columns.
func (f *qrFit) rInverse() [][]float64 {
	k := len(f.keep)
	inv := make([][]float64, k) // R⁻¹, upper triangular
	for a := range inv {
		inv[a] = make([]float64, k)
	}
	for c := range k {
		inv[c][c] = 1 / f.r[c][c]
		for a := c - 1; a >= 0; a-- {
			var s float64
			for m := a + 1; m <= c; m++ {
				s += f.r[a][m] * inv[m][c]
			}
			inv[a][c] = -s / f.r[a][a]
		}
	}
	return inv
}

// breadOf returns R⁻¹R⁻ᵀ from inv = R⁻¹.
func (f *qrFit) breadOf(inv [][]float64) [][]float64 {
	k := len(inv)
	b := make([][]float64, k)
	for a := range b {
		b[a] = make([]float64, k)
		for c := range k {
			var s float64
			for m := max(a, c); m < k; m++ {
				s += inv[a][m] * inv[c][m]
			}
			b[a][c] = s
		}
	}
	return b
}

// refineNegligible reports whether iterative refinement of the solution p
// (inv = R⁻¹) is known in advance to change it by less than 1e-11
// relative. Householder least squares has forward error of order
//
//	u·κ·(1 + κ·‖r‖/(‖A‖‖p‖))
//
// (Higham 2002, "Accuracy and Stability of Numerical Algorithms", §20.1,
// Thm 20.3 with the perturbation bound of Wedin), κ the condition number
// of A with columns scaled to unit norm (to which the method is
// invariant), times a growth factor from the length-m inner products,
// taken as √m: on the 1M-row panel benchmark (κ ≈ 1.1) refinement moved
// the estimates by 5e-14 relative, inside that estimate of 2.5e-13. κ is
// computed exactly in the 1-norm from R⁻¹, which the variance needs
// anyway; the estimate is doubled for the gap between 1- and 2-norms.
func (f *qrFit) refineNegligible(inv [][]float64, p []float64, m int) bool {
	k := len(inv)
	if k == 0 {
		return true
	}
	c := make([]float64, k) // column norms of R = those of A
	for j := range k {
		var s float64
		for a := 0; a <= j; a++ {
			s += f.r[a][j] * f.r[a][j]
		}
		c[j] = math.Sqrt(s)
	}
	var nR, nInv, xs float64 // ‖R C⁻¹‖₁, ‖C R⁻¹‖₁, ‖C p‖₂
	for j := range k {
		var s, t float64
		for a := 0; a <= j; a++ {
			s += math.Abs(f.r[a][j]) / c[j]
			t += c[a] * math.Abs(inv[a][j])
		}
		nR, nInv = max(nR, s), max(nInv, t)
		xs += (c[j] * p[j]) * (c[j] * p[j])
	}
	kappa := 2 * nR * nInv
	rho := f.rnorm / (nR * math.Sqrt(xs))
	est := 0x1p-53 * math.Sqrt(float64(m)) * kappa * (1 + kappa*rho)
	return est <= 1e-11 // NaN (p = 0, overflow) refines
}

// applyQt overwrites x with Qᵀx; applyQ with Qx.
func (f *qrFit) applyQt(x []float64) {
	for p := range f.vs {
		f.reflect(p, x)
	}
}

func (f *qrFit) applyQ(x []float64) {
	for p := len(f.vs) - 1; p >= 0; p-- {
		f.reflect(p, x)
	}
}

func (f *qrFit) reflect(p int, x []float64) {
	v := f.vs[p][p:]
	xs := x[p:]
	var d float64
	for i, vi := range v {
		d += vi * xs[i]
	}
	d *= f.betas[p]
	for i, vi := range v {
		xs[i] -= d * vi
	}
}

// refine improves the solution p of min ‖S(t − D p)‖, S = diag(sw) (nil: identity), by
// iterative refinement on the augmented system [I A; Aᵀ 0][r; p] = [b; 0]
// with A = S D and b = S t (Björck 1967). R must factor A = Q R, with Q the
// receiver's reflections (R may differ from f.r by a change of variables
// of D); it returns the refined weighted residual r. The residuals f = b − r − A p and g = −Aᵀ r are computed with
// error-free transformations; each step solves
//
//	Rᵀh = g,  c = Qᵀf,  δp = R⁻¹(c₁ − h),  δr = Q [h; c₂].
func (f *qrFit) refine(R [][]float64, D [][]float64, t, sw, p []float64, steps int) []float64 {
	n, k := len(t), len(p)
	if k == 0 || len(f.vs) != k {
		return nil
	}
	b, A := t, D
	if sw != nil {
		b = make([]float64, n)
		for i := range b {
			b[i] = t[i] * sw[i]
		}
		A = make([][]float64, k)
		for a := range A {
			A[a] = make([]float64, n)
			for i, v := range D[a] {
				A[a][i] = v * sw[i]
			}
		}
	}
	r := make([]float64, n)
	residualRows(r, b, A, p, f.workers)
	fv := make([]float64, n)
	g := make([]float64, k)
	h := make([]float64, k)
	rc := append([][]float64{r}, A...) // f = b − [r A]·[1; p]
	pc := make([]float64, k+1)
	pc[0] = 1
	dp := make([]float64, k)
	for range steps {
		// f = b − r − A p
		copy(pc[1:], p)
		residualRows(fv, b, rc, pc, f.workers)
		// g = −Aᵀ r
		for a := range A {
			g[a] = -dotExact(A[a], r)
		}
		// Rᵀ h = g (forward substitution)
		for a := range k {
			s := g[a]
			for c := range a {
				s -= R[c][a] * h[c]
			}
			h[a] = s / R[a][a]
		}
		f.applyQt(fv)
		for a := k - 1; a >= 0; a-- {
			s := fv[a] - h[a]
			for c := a + 1; c < k; c++ {
				s -= R[a][c] * dp[c]
			}
			dp[a] = s / R[a][a]
		}
		copy(fv[:k], h)
		f.applyQ(fv)
		small := true
		for a := range p {
			p[a] += dp[a]
			small = small && math.Abs(dp[a]) <= 1e-16*math.Abs(p[a])
		}
		for i := range r {
			r[i] += fv[i]
		}
		if small {
			break
		}
	}
	return r
}

// dotExact returns Σ x_i y_i with doubled-precision accumulation.
func dotExact(x, y []float64) float64 {
	var s, c float64
	for i := range x {
		prod := x[i] * y[i]
		perr := math.FMA(x[i], y[i], -prod)
		t := s + prod
		bp := t - s
		c += (s - (t - bp)) + (prod - bp) + perr
		s = t
	}
	return s + c
}

// residualRows is residualExact computed on row blocks by up to workers
// goroutines; every row is computed exactly as residualExact does, so the
// result is the same for any number of workers.
func residualRows(out, y []float64, cols [][]float64, p []float64, workers int) {
	const block = 1 << 15
	nb := (len(y) + block - 1) / block
	if workers <= 1 || nb <= 1 {
		residualExact(out, y, cols, p)
		return
	}
	forChunks(nb, workers, func(c int) {
		lo, hi := c*block, min((c+1)*block, len(y))
		sub := make([][]float64, len(cols))
		for a, col := range cols {
			sub[a] = col[lo:hi]
		}
		residualExact(out[lo:hi], y[lo:hi], sub, p)
	})
}

// residualExact stores in out y − Σ_a p_a cols[a] computed with
// error-free transformations (Ogita, Rump & Oishi 2005, "Accurate sum and
// dot product"): the result is as accurate as if computed in twice the
// working precision, which is what makes iterative refinement work.
func residualExact(out, y []float64, cols [][]float64, p []float64) {
	for i := range y {
		s, c := y[i], 0.0
		for a, col := range cols {
			prod := -p[a] * col[i]
			perr := math.FMA(-p[a], col[i], -prod)
			t := s + prod
			bp := t - s
			c += (s - (t - bp)) + (prod - bp) + perr
			s = t
		}
		out[i] = s + c
	}
}
