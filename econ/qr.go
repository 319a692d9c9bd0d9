package econ

import "math"

// qrFit is a Householder QR factorisation of the columns of A that skips
// columns whose part orthogonal to the earlier kept columns is negligible:
// column j is dropped when ‖(I − P)a_j‖² ≤ tol·ref_j², P the projection on
// the kept columns before it. It never forms A'A, so its accuracy depends
// on cond(A), not cond(A)² (Golub & Van Loan 2013, §5.3).
type qrFit struct {
	keep []int       // indices of kept columns, in order
	r    [][]float64 // r[a][b], upper triangular, len(keep)²
	qty  []float64   // first len(keep) elements of Q'y
}

// householderQR factorises cols in place (they are overwritten) and
// applies the reflections to y (overwritten). ref[j] is the norm that
// column j's residual norm is compared with.
func householderQR(cols [][]float64, y []float64, ref []float64, tol float64) *qrFit {
	n := len(y)
	f := &qrFit{}
	var vs [][]float64 // reflector vectors, v_p = cols[keep[p]][p:]
	var betas []float64
	apply := func(x []float64) {
		for p, v := range vs {
			xs := x[p:]
			var d float64
			for i, vi := range v[p:] {
				d += vi * xs[i]
			}
			d *= betas[p]
			for i, vi := range v[p:] {
				xs[i] -= d * vi
			}
		}
	}
	for j, a := range cols {
		apply(a)
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
	}
	apply(y)
	f.qty = append([]float64(nil), y[:len(f.keep)]...)
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
