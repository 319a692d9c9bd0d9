package composite

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCAOptions configures [PCA].
type PCAOptions struct {
	// MinEigen is the retention threshold on eigenvalues of the correlation
	// matrix; 0 means Kaiser's criterion λ > 1 (Kaiser 1960). The largest
	// component is always retained.
	MinEigen float64
}

// PCA returns principal-component weights of the columns of x and the
// number of components retained. The variant, one of several in use, is
// the "component-score coefficient" form common in applied Chinese
// evaluation studies; the OECD/JRC Handbook (2008, §6.1) describes PCA/FA
// weighting in general. Over the rows complete in every column:
//
//	R = correlation matrix of x,  R u_k = λ_k u_k  (‖u_k‖ = 1, λ_1 ≥ λ_2 ≥ …),
//	K = {k : λ_k > MinEigen} ∪ {1},
//	v_j = Σ_{k∈K} (λ_k / Σ_{l∈K} λ_l) |u_jk|,   w_j = v_j / Σ_i v_i,
//
// where u_jk = a_jk/√λ_k is the unrotated component-score coefficient
// (a_jk the loading). The absolute value removes the arbitrary sign of
// each eigenvector. The Handbook's own example (Nicoletti, Scarpetta &
// Boylaud 2000) uses varimax-rotated squared loadings instead; that variant
// is not implemented here.
//
// A constant column returns [ErrZeroVariance]; fewer complete rows than
// columns + 1 return [ErrTooFewRows].
func PCA(dst []float64, x [][]float64, opt PCAOptions) ([]float64, int, error) {
	n := shapeCols(x)
	k := len(x)
	dst = resize(dst, k)
	rows := completeRows(x, n)
	if len(rows) < k+1 || len(rows) < 3 {
		return dst, 0, colErr("pca", 0, -1, ErrTooFewRows)
	}
	z := make([][]float64, k)
	for j := range x {
		z[j] = make([]float64, len(rows))
		for t, i := range rows {
			z[j][t] = x[j][i]
		}
		mean, sd, _ := meanSD(z[j])
		if sd == 0 {
			return dst, 0, colErr("pca", j, -1, ErrZeroVariance)
		}
		for t := range z[j] {
			z[j][t] = (z[j][t] - mean) / sd
		}
	}
	r := mat.NewSymDense(k, nil)
	for a := range k {
		for b := a; b < k; b++ {
			r.SetSym(a, b, dot(z[a], z[b])/float64(len(rows)-1))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(r, true) {
		return dst, 0, fmt.Errorf("composite: pca: eigendecomposition did not converge")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	thr := opt.MinEigen
	if thr == 0 {
		thr = 1
	}
	var total float64
	retained := 0
	for c := k - 1; c >= 0; c-- {
		if c == k-1 || vals[c] > thr {
			total += vals[c]
			retained++
		}
	}
	for j := range k {
		var v float64
		for c := k - 1; c >= k-retained; c-- {
			v += vals[c] / total * math.Abs(vecs.At(j, c))
		}
		dst[j] = v
	}
	return dst, retained, normaliseWeights(dst)
}
