package econ

import (
	"errors"
	"fmt"
	"math"
)

// imputeFE is the Y(0) model of the imputation estimator with any set of
// fixed effects D (unit, period, region×period, …) and controls X,
// estimated on the untreated rows Ω₀ with weights λ through the
// demeaning engine of [Fit] (alternating projections with Irons–Tuck
// acceleration). By Frisch–Waugh–Lovell, with X̃ = M_D X the λ-weighted
// within transformation on Ω₀:
//
//	δ̂ = (X̃'ΛX̃)⁻¹ X̃'Λ ỹ,   γ̂ solves D₀'ΛD₀ γ = D₀'Λ (y₀ − X₀δ̂),
//	ŷ_it(0) = d_it'γ̂ + x_it'δ̂,
//
// where d_it'γ̂ sums the effects of the levels of row (i, t). The
// projection of the BJS weights (eq. 6) is computed the same way:
// z'(Z₀'ΛZ₀)⁻¹Z₁'u = s + X̃ a_X with s = D₀ a_D, D₀'ΛD₀ a_D = D₁'u and
// a_X = (X̃'ΛX̃)⁻¹ (X₁'u − X₀'Λ s).
type imputeFE struct {
	r0      []int
	codes   [][]int32 // codes[q][i] by row: level among untreated rows, −1 if absent
	codes0  [][]int32 // codes[q] on r0, in r0 order
	lam0    []float64 // λ on r0 (nil: 1)
	fe      *fixedEffects
	work    *demeanWork
	xs      [][]float64 // controls by row
	xt      [][]float64 // X̃ on r0
	chol    []float64
	dropped []bool
	d       []float64 // δ̂
	coef    [][]float64
	tol     float64
	maxIter int
}

// imputeTol is the convergence tolerance of the iterative fixed-effect
// solves of the imputation estimator: far below [Options.Tol]'s default,
// so that imputed values and weights are the exact projection to about
// 1e-12 (the two-way engine is exact). A solve whose changes stall at a
// rounding floor below 1e-9 is accepted (see solveEffects).
const imputeTol = 1e-13

// newImputeFE builds the model on r0 from row-indexed level codes (every
// level present in r0), controls and weights lam (by row, nil for 1); y
// nil builds a projector only. It returns the dropped controls.
func newImputeFE(r0 []int, codes [][]int32, ng []int, xs [][]float64, lam []float64, y []float64, maxIter int) (m *imputeFE, dropped []int, err error) {
	m = &imputeFE{r0: r0, codes: codes, xs: xs, tol: imputeTol, maxIter: maxIter}
	m.codes0 = make([][]int32, len(codes))
	for q, c := range codes {
		m.codes0[q] = make([]int32, len(r0))
		for a, i := range r0 {
			m.codes0[q][a] = c[i]
		}
	}
	if lam != nil {
		m.lam0 = gather(lam, r0)
	}
	m.fe = newFixedEffects(m.codes0, ng, m.lam0)
	m.work = m.fe.newWork()
	k := len(xs)
	src := make([][]float64, k+1)
	for j, x := range xs {
		src[j] = gather(x, r0)
	}
	if y != nil {
		src[k] = gather(y, r0)
	} else {
		src = src[:k]
	}
	dst := make([][]float64, len(src))
	b := make([][]float64, len(codes))
	for q := range b {
		b[q] = make([]float64, ng[q])
	}
	for j := range dst {
		if dst[j], err = m.within(src[j], b); err != nil {
			return nil, nil, fmt.Errorf("econ: imputation: first stage: %w", err)
		}
	}
	m.xt = dst[:k]
	// X̃'ΛX̃, collinearity judged against the λ-weighted centred sum of
	// squares of each raw control.
	G := make([]float64, k*k)
	ref := make([]float64, k)
	for a := range k {
		for b := 0; b <= a; b++ {
			G[a*k+b] = m.wdot(m.xt[a], m.xt[b])
		}
		var sw, sx float64
		for r, v := range src[a] {
			l := m.l0(r)
			sw += l
			sx += l * v
		}
		mu := sx / sw
		for r, v := range src[a] {
			ref[a] += m.l0(r) * (v - mu) * (v - mu)
		}
	}
	m.chol, m.dropped, dropped = cholDrop(G, k, ref)
	if y == nil {
		return m, dropped, nil
	}
	yt := dst[k]
	rhs := make([]float64, k)
	for j := range k {
		if !m.dropped[j] {
			rhs[j] = m.wdot(m.xt[j], yt)
		}
	}
	m.d = cholSolve(m.chol, m.dropped, rhs)
	// Fixed effects of y₀ − X₀δ̂.
	r := src[k]
	for a := range r {
		for j := range k {
			r[a] -= src[j][a] * m.d[j]
		}
	}
	for q := range b {
		m.fe.groupSums(b[q], q, r)
	}
	if m.coef, err = m.solveEffects(b); err != nil {
		return nil, nil, fmt.Errorf("econ: imputation: first stage: %w", err)
	}
	for q, bq := range b {
		if !m.balanced(q, bq, m.coef) {
			return nil, nil, errors.New("econ: imputation: the fixed effects of the untreated observations could not be solved (check the fixed effects for a disconnected design)")
		}
	}
	return m, dropped, nil
}

// within returns x (on r0) minus its λ-weighted projection on the fixed
// effects, x − D₀a with D₀'ΛD₀ a = D₀'Λx; b is scratch.
func (m *imputeFE) within(x []float64, b [][]float64) ([]float64, error) {
	for q := range b {
		m.fe.groupSums(b[q], q, x)
	}
	a, err := m.solveEffects(b)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(x))
	for r := range out {
		v := x[r]
		for q, c := range m.codes0 {
			v -= a[q][c[r]]
		}
		out[r] = v
	}
	return out, nil
}

func (m *imputeFE) l0(a int) float64 {
	if m.lam0 == nil {
		return 1
	}
	return m.lam0[a]
}

func (m *imputeFE) wdot(a, b []float64) float64 {
	var s float64
	if m.lam0 == nil {
		for r := range a {
			s += a[r] * b[r]
		}
		return s
	}
	for r := range a {
		s += m.lam0[r] * a[r] * b[r]
	}
	return s
}

func (m *imputeFE) predict(i int) float64 {
	var s float64
	for q, c := range m.codes {
		s += m.coef[q][c[i]]
	}
	for j, x := range m.xs {
		if !m.dropped[j] {
			s += m.d[j] * x[i]
		}
	}
	return s
}

func (m *imputeFE) delta() []float64 {
	out := make([]float64, len(m.xs))
	for j := range out {
		out[j] = m.d[j]
		if m.dropped[j] {
			out[j] = math.NaN()
		}
	}
	return out
}

// solveEffects solves the normal equations of the fixed effects alone,
// D₀'ΛD₀ a = b (b[q][g] per level), by the Gauss–Seidel sweep of the
// demeaning engine (whose right-hand side is the per-level sums it keeps
// in sx) with Irons–Tuck acceleration, from a = 0. The solution is one of
// many when the effects are not separately identified (for example a
// period effect nested in region×period); every estimable combination
// is unique.
func (m *imputeFE) solveEffects(b [][]float64) ([][]float64, error) {
	fe, w := m.fe, m.work
	Q := len(b)
	var scale float64
	for q := range b {
		copy(w.sx[q], b[q])
		for g, v := range b[q] {
			scale = max(scale, math.Abs(v*fe.invW[q][g]))
		}
	}
	out := make([][]float64, Q)
	if scale == 0 || math.IsNaN(scale) {
		for q := range out {
			out[q] = make([]float64, fe.ng[q])
		}
		return out, nil
	}
	if Q == 1 {
		out[0] = make([]float64, fe.ng[0])
		for g, v := range b[0] {
			out[0][g] = v * fe.invW[0][g]
		}
		return out, nil
	}
	X, GX, GGX := w.x, w.gx, w.ggx
	clear(X)
	ok := false
	// Stop when no effect changes by more than tol·(|a| + scale) between
	// sweeps, or when the change has reached a floor of at most 1e-9 and
	// not improved for 50 sweeps: with nested effects (year within
	// region^year) the coefficients may wander along directions that
	// leave every fitted value unchanged, in steps of rounding size.
	best, since := math.Inf(1), 0
	step := func(a, b []float64) bool {
		c := relChange(a, b, scale)
		if c <= m.tol {
			return true
		}
		if c < best*0.999 {
			best, since = c, 0
		} else {
			since++
		}
		return since > 50 && best <= 1e-9
	}
	for it := 0; it < m.maxIter; it += 2 {
		fe.sweep(w, X, GX)
		if step(X, GX) {
			X, GX = GX, X
			ok = true
			break
		}
		fe.sweep(w, GX, GGX)
		if step(GX, GGX) {
			X, GGX = GGX, X
			ok = true
			break
		}
		var vprod, ssq float64
		for j := range X {
			d1 := GGX[j] - GX[j]
			d2 := d1 - GX[j] + X[j]
			vprod += d1 * d2
			ssq += d2 * d2
		}
		if ssq == 0 || math.IsNaN(ssq) {
			X, GGX = GGX, X
			ok = !math.IsNaN(ssq)
			break
		}
		c := vprod / ssq
		for j := range X {
			X[j] = GGX[j] - c*(GGX[j]-GX[j])
		}
	}
	// Restore the work buffers' identities (the swaps above permute them).
	w.x, w.gx, w.ggx = X, GX, GGX
	if !ok {
		return nil, fmt.Errorf("%w in %d iterations", errNoConverge, m.maxIter)
	}
	fe.sweep(w, X, GX)
	out[0] = append([]float64(nil), w.c0...)
	for q := 1; q < Q; q++ {
		out[q] = append([]float64(nil), GX[fe.off[q]:fe.off[q]+fe.ng[q]]...)
	}
	return out, nil
}

// balanced reports whether the effects a satisfy the normal equations of
// dimension q, Σ_{i∈g} λ_i d_i'a = b_g for every level g, to 1e-7 of the
// largest |b|: false when b is not in the range of D₀'ΛD₀ (a treated
// combination of levels that the untreated observations do not identify).
func (m *imputeFE) balanced(q int, b []float64, a [][]float64) bool {
	got := make([]float64, len(b))
	for r := range m.r0 {
		var s float64
		for p, c := range m.codes0 {
			s += a[p][c[r]]
		}
		got[m.codes0[q][r]] += m.l0(r) * s
	}
	var big, worst float64
	for g := range b {
		big = max(big, math.Abs(b[g]))
		worst = max(worst, math.Abs(got[g]-b[g]))
	}
	return worst <= 1e-7*big || big == 0
}

// project: see [imputeStage]. It returns an error when the treated
// combination is not identified by the untreated observations.
func (m *imputeFE) project(qv []float64, r1 []int, u []float64) error {
	b := make([][]float64, len(m.codes))
	for q := range b {
		b[q] = make([]float64, m.fe.ng[q])
	}
	k := len(m.xs)
	c := make([]float64, k)
	for _, i := range r1 {
		if u[i] == 0 {
			continue
		}
		for q, cd := range m.codes {
			b[q][cd[i]] += u[i]
		}
		for j, x := range m.xs {
			c[j] += u[i] * x[i]
		}
	}
	// D₀'ΛD₀ a = b is consistent exactly when the treated combination is
	// identified; Gauss–Seidel then converges (it is semi-convergent on
	// consistent singular systems), so failure means not identified.
	a, err := m.solveEffects(b)
	if err != nil {
		return fmt.Errorf("%w (%v)", errNotIdentified, err)
	}
	for q := range b {
		if !m.balanced(q, b[q], a) {
			return errNotIdentified
		}
	}
	s := make([]float64, len(m.r0))
	for r := range s {
		for q, cd := range m.codes0 {
			s[r] += a[q][cd[r]]
		}
	}
	for j := range k {
		if m.dropped[j] {
			c[j] = 0
			continue
		}
		x := m.xs[j]
		for r, i := range m.r0 {
			c[j] -= m.l0(r) * s[r] * x[i]
		}
	}
	ax := cholSolve(m.chol, m.dropped, c)
	for r, i := range m.r0 {
		v := s[r]
		for j := range k {
			if !m.dropped[j] {
				v += m.xt[j][r] * ax[j]
			}
		}
		qv[i] = v
	}
	return nil
}

// relChange returns max_j |a_j − b_j| / (|a_j| + scale).
func relChange(a, b []float64, scale float64) float64 {
	var c float64
	for j := range a {
		c = max(c, math.Abs(a[j]-b[j])/(math.Abs(a[j])+scale))
	}
	return c
}

var errNoConverge = errors.New("fixed-effect solve did not converge")

var errNotIdentified = errors.New("the untreated observations do not identify the fixed effects of the treated observations (disconnected design)")
