package econ

import (
	"math"
	"slices"
)

// imputeStage is a fitted Y(0) model of the imputation estimator: the
// two-way engine ([imputeDesign], unit and period effects, exact) or the
// general one ([imputeFE], any fixed effects, iterative).
type imputeStage interface {
	// predict returns ŷ_it(0) = z_it'θ̂ of a used row.
	predict(i int) float64
	// project stores in q[i], for every untreated row i, the fitted value
	// z_i'(Z₀'ΛZ₀)⁻¹Z₁'u₁ of the weighted projection, for u given by row on
	// the treated rows r1 (zero elsewhere).
	project(q []float64, r1 []int, u []float64) error
	// delta returns the control coefficients δ̂ (NaN where dropped).
	delta() []float64
}

// imputeDesign is the two-way Y(0) design with the unit dummies
// eliminated: the within-unit weighted-demeaned rows R̃_i = R_i − m_u of
// R = [period dummies | X] over the untreated rows, and the Cholesky
// factor of S = Σ λ_i R̃_i R̃_i', for observation weights λ (nil: 1).
type imputeDesign struct {
	n, p, nt int
	xs       [][]float64
	unit     []int32
	lam      []float64 // λ_i by row, nil for 1
	wu       []float64 // Σ λ_i over the untreated rows of unit u
	pc       []int32   // period dummy column of row i, −1 for the reference period
	means    []float64 // unit-major, p per unit
	chol     []float64 // p×p lower triangle, row-major
	dropped  []bool
	r0       []int
	theta    []float64 // period effects and δ (after fit)
	alpha    []float64 // unit effects (after fit)
}

func (d *imputeDesign) l(i int) float64 {
	if d.lam == nil {
		return 1
	}
	return d.lam[i]
}

func (d *imputeDesign) mean(u int32) []float64 { return d.means[int(u)*d.p : int(u+1)*d.p] }

// newImputeDesign builds and factors the design on the untreated rows r0
// with weights lam; it returns the dropped (collinear) columns: period
// columns j < nt, controls nt+j.
func newImputeDesign(r0 []int, n, nt int, xs [][]float64, unit []int32, nunits int, pc []int32, lam []float64) (*imputeDesign, []int) {
	d := &imputeDesign{n: n, p: nt + len(xs), nt: nt, xs: xs, unit: unit, lam: lam, pc: pc, r0: r0}
	d.wu = make([]float64, nunits)
	for _, i := range r0 {
		d.wu[unit[i]] += d.l(i)
	}
	d.unitMeans()
	return d, d.factor()
}

// unitMeans computes m_u = Σ λ_i R_i / Σ λ_i over the untreated rows of u.
func (d *imputeDesign) unitMeans() {
	d.means = make([]float64, len(d.wu)*d.p)
	for _, i := range d.r0 {
		m, li := d.mean(d.unit[i]), d.l(i)
		if c := int(d.pc[i]); c >= 0 {
			m[c] += li
		}
		for j, x := range d.xs {
			m[d.nt+j] += li * x[i]
		}
	}
	for u, w := range d.wu {
		if w > 0 {
			m := d.mean(int32(u))
			for j := range m {
				m[j] /= w
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

// factor forms S = Σ λ_i R̃_i R̃_i' over r0 and factors it by Cholesky,
// dropping (zeroing) columns whose pivot falls below 1e-10 of their
// diagonal (period columns) or of their centred sum of squares
// (controls), as the QR of [Fit] does with CollinTol. It returns the
// dropped columns.
func (d *imputeDesign) factor() []int {
	p := d.p
	S := make([]float64, p*p)
	row := make([]float64, p)
	for _, i := range d.r0 {
		d.rowTilde(row, i)
		li := d.l(i)
		for a := range p {
			ra := li * row[a]
			if ra == 0 {
				continue
			}
			sa := S[a*p : a*p+a+1]
			for b := range sa {
				sa[b] += ra * row[b]
			}
		}
	}
	// Collinearity of a control is judged against its λ-weighted centred
	// sum of squares: a control constant within units has R̃ = 0 up to
	// rounding, which its own (tiny) diagonal would not reveal.
	ref := make([]float64, p)
	for j := range d.nt {
		ref[j] = S[j*p+j]
	}
	var sw float64
	for _, i := range d.r0 {
		sw += d.l(i)
	}
	for j, x := range d.xs {
		var sx float64
		for _, i := range d.r0 {
			sx += d.l(i) * x[i]
		}
		mu := sx / sw
		var ss float64
		for _, i := range d.r0 {
			ss += d.l(i) * (x[i] - mu) * (x[i] - mu)
		}
		ref[d.nt+j] = ss
	}
	var out []int
	d.chol, d.dropped, out = cholDrop(S, p, ref)
	return out
}

// cholDrop factors the symmetric p×p matrix S (lower triangle used,
// row-major) as L L', skipping (zeroing) every column whose pivot is not
// above 1e-10 times ref[j] (ref nil: the diagonal S_jj). It returns L, the
// dropped flags and the dropped columns.
func cholDrop(S []float64, p int, ref []float64) ([]float64, []bool, []int) {
	L := make([]float64, p*p)
	dropped := make([]bool, p)
	var out []int
	for j := range p {
		s := S[j*p+j]
		for c := range j {
			s -= L[j*p+c] * L[j*p+c]
		}
		r := S[j*p+j]
		if ref != nil {
			r = ref[j]
		}
		if !(s > 1e-10*r) || r == 0 {
			dropped[j] = true
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
	return L, dropped, out
}

// cholSolve returns x with L L' x = b on the kept columns (dropped ones 0).
func cholSolve(L []float64, dropped []bool, b []float64) []float64 {
	p := len(b)
	x := make([]float64, p)
	for j := range p {
		if dropped[j] {
			continue
		}
		s := b[j]
		for c := range j {
			s -= L[j*p+c] * x[c]
		}
		x[j] = s / L[j*p+j]
	}
	for j := p - 1; j >= 0; j-- {
		if dropped[j] {
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

func (d *imputeDesign) solve(b []float64) []float64 { return cholSolve(d.chol, d.dropped, b) }

// solveRefined solves S θ = rhs and applies one step of iterative
// refinement with the residual recomputed from the rows:
// θ += S⁻¹ (rhs − Σ λ_i R̃_i R̃_i'θ).
func (d *imputeDesign) solveRefined(rhs []float64) []float64 {
	x := d.solve(rhs)
	res := slices.Clone(rhs)
	row := make([]float64, d.p)
	for _, i := range d.r0 {
		d.rowTilde(row, i)
		d.addRowTimes(res, i, -d.l(i)*dot(row, x))
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

// fit estimates the Y(0) model on the untreated rows by weighted least
// squares: θ_R = S⁻¹ Σ λ_i R̃_i (y_i − ȳ_u), α_u = ȳ_u − m_u'θ_R with ȳ_u
// the λ-weighted unit mean.
func (d *imputeDesign) fit(y []float64) {
	ybar := make([]float64, len(d.wu))
	for _, i := range d.r0 {
		ybar[d.unit[i]] += d.l(i) * y[i]
	}
	for u, w := range d.wu {
		if w > 0 {
			ybar[u] /= w
		}
	}
	rhs := make([]float64, d.p)
	for _, i := range d.r0 {
		d.addRowTimes(rhs, i, d.l(i)*(y[i]-ybar[d.unit[i]]))
	}
	d.theta = d.solveRefined(rhs)
	d.alpha = make([]float64, len(d.wu))
	for u, w := range d.wu {
		if w > 0 {
			d.alpha[u] = ybar[u] - dot(d.mean(int32(u)), d.theta)
		}
	}
}

func (d *imputeDesign) predict(i int) float64 { return d.alpha[d.unit[i]] + d.rowDot(i, d.theta) }

func (d *imputeDesign) delta() []float64 {
	out := make([]float64, len(d.xs))
	for j := range out {
		out[j] = d.theta[d.nt+j]
		if d.dropped[d.nt+j] {
			out[j] = math.NaN()
		}
	}
	return out
}

// project computes q_i = z_i'a with Z₀'ΛZ₀ a = Z₁'u by the Schur
// complement of the unit block: with b_u = Σ_{Ω₁∩u} u_it and
// b_R = Σ_{Ω₁} u_it R_it,
//
//	γ_R = S⁻¹ (b_R − Σ_u b_u m_u),   q_it = b_u/W_u + R̃_it'γ_R
//
// (W_u = Σ λ over the untreated rows of u).
func (d *imputeDesign) project(q []float64, r1 []int, u []float64) error {
	bu := make([]float64, len(d.wu))
	bR := make([]float64, d.p)
	for _, i := range r1 {
		if u[i] == 0 {
			continue
		}
		bu[d.unit[i]] += u[i]
		if c := int(d.pc[i]); c >= 0 {
			bR[c] += u[i]
		}
		for j, x := range d.xs {
			bR[d.nt+j] += u[i] * x[i]
		}
	}
	for un, b := range bu {
		if b == 0 {
			continue
		}
		m := d.mean(int32(un))
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
	// q_it = b_u/W_u − m_u'γ + R_it'γ: the unit part once per unit.
	for un, w := range d.wu {
		if w > 0 {
			bu[un] = bu[un]/w - dot(d.mean(int32(un)), g)
		}
	}
	for _, i := range d.r0 {
		q[i] = bu[d.unit[i]] + d.rowDot(i, g)
	}
	return nil
}

func dot(a, b []float64) float64 {
	var s float64
	for j := range a {
		s += a[j] * b[j]
	}
	return s
}
