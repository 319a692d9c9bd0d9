package composite

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCAVariant selects how [PCA] turns retained components into weights.
type PCAVariant int

const (
	// PCAScoreCoefficients: v_j = Σ_{k∈K} (λ_k/Σ_{l∈K} λ_l) |u_jk|, the
	// absolute unrotated component-score coefficients weighted by
	// explained variance. The default.
	PCAScoreCoefficients PCAVariant = iota
	// PCASquaredLoadings: v_j = Σ_{k∈K} (λ_k/Σ_{l∈K} λ_l) u_jk², where
	// u_jk² = a_jk²/Σ_i a_ik² is the squared loading scaled to unity
	// within its component — the OECD/JRC Handbook (2008, §6.1) step,
	// without its varimax rotation and without assigning each indicator to
	// a single factor.
	PCASquaredLoadings
)

// PCAOptions configures [PCA].
type PCAOptions struct {
	Variant PCAVariant
	// MinEigen is the retention threshold on eigenvalues of the correlation
	// matrix; 0 means Kaiser's criterion λ > 1 (Kaiser 1960). λ must
	// exceed it by more than 1e-10, so rounding does not retain a component
	// whose eigenvalue is exactly the threshold. The largest component is
	// always retained.
	MinEigen float64
}

// PCA returns principal-component weights of the columns of x and the
// number of components retained. Several variants are in use and give
// different numbers; no published worked example is reproduced here, so
// the formulas below are the specification. The default,
// [PCAScoreCoefficients], is the "component-score coefficient" form common
// in applied Chinese evaluation studies; [PCASquaredLoadings] follows the
// OECD/JRC Handbook (2008, §6.1) more closely. Over the rows complete in
// every column:
//
//	R = correlation matrix of x,  R u_k = λ_k u_k  (‖u_k‖ = 1, λ_1 ≥ λ_2 ≥ …),
//	K = {k : λ_k > MinEigen} ∪ {1},
//	v_j = Σ_{k∈K} (λ_k / Σ_{l∈K} λ_l) |u_jk|   (or u_jk², see [PCAVariant]),
//	w_j = v_j / Σ_i v_i,
//
// where u_jk = a_jk/√λ_k is the unrotated component-score coefficient
// (a_jk the loading). The absolute value or square removes the arbitrary
// sign of each eigenvector. The Handbook's own example (Nicoletti,
// Scarpetta & Boylaud 2000, OECD Economics Department WP 226) rotates the
// factors (varimax) first; rotation is not implemented.
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
		if c == k-1 || vals[c] > thr+1e-10 { // an eigenvalue equal to thr up to rounding is not retained
			total += vals[c]
			retained++
		}
	}
	for j := range k {
		var v float64
		for c := k - 1; c >= k-retained; c-- {
			u := vecs.At(j, c)
			if opt.Variant == PCASquaredLoadings {
				v += vals[c] / total * u * u
			} else {
				v += vals[c] / total * math.Abs(u)
			}
		}
		dst[j] = v
	}
	return dst, retained, normaliseWeights(dst)
}
