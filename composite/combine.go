package composite

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// CombineLinear returns α·subj + (1−α)·obj in dst (allocated if nil), the
// linear combination of a subjective and an objective weight vector. Both
// must pass [CheckWeights]; α must lie in [0, 1] (it panics otherwise).
func CombineLinear(dst, subj, obj []float64, alpha float64) ([]float64, error) {
	checkLen("obj", len(obj), len(subj))
	if !(alpha >= 0 && alpha <= 1) {
		panic(fmt.Sprintf("composite: alpha %v outside [0, 1]", alpha))
	}
	if err := checkPair(subj, obj); err != nil {
		return dst, err
	}
	dst = resize(dst, len(subj))
	for j := range dst {
		dst[j] = alpha*subj[j] + (1-alpha)*obj[j]
	}
	return dst, nil
}

func checkPair(ws ...[]float64) error {
	for _, w := range ws {
		if err := CheckWeights(w); err != nil {
			return err
		}
	}
	return nil
}

// CombineMultiplicative returns w_j = s_j o_j / Σ_k s_k o_k (the
// multiplicative synthesis, "乘法合成归一化"). Both inputs must pass
// [CheckWeights]; if no criterion has both weights positive, Σ s_k o_k = 0
// and it returns [ErrDegenerate].
func CombineMultiplicative(dst, subj, obj []float64) ([]float64, error) {
	checkLen("obj", len(obj), len(subj))
	if err := checkPair(subj, obj); err != nil {
		return dst, err
	}
	dst = resize(dst, len(subj))
	for j := range dst {
		dst[j] = subj[j] * obj[j]
	}
	return dst, normaliseWeights(dst)
}

// ErrSingularCombination is returned by [CombineGameTheory] when the weight
// vectors are linearly dependent (for instance two identical vectors), so
// the minimum-deviation coefficients are not unique.
var ErrSingularCombination = errors.New("composite: weight vectors are linearly dependent: game-theory coefficients not unique")

// CombineGameTheory combines L ≥ 2 weight vectors by the game-theory
// (minimum-deviation) method, as used by Lai, Chen, Chen et al. (2015),
// "A fuzzy comprehensive evaluation model for flood risk based on the
// combination weight of game theory", Natural Hazards 77(2):1243–1259.
// The coefficients α minimise Σ_l ‖Σ_k α_k w_k − w_l‖₂, whose first-order
// conditions are the L × L linear system
//
//	Σ_k α_k (w_l · w_k) = w_l · w_l,   l = 1…L;
//
// they are then made non-negative and normalised, α*_k = |α_k| / Σ_l |α_l|,
// and w = Σ_k α*_k w_k. It returns w in dst (allocated if nil) and α*.
// Every input must pass [CheckWeights].
func CombineGameTheory(dst []float64, ws ...[]float64) (w, alpha []float64, err error) {
	if len(ws) < 2 {
		panic("composite: game-theory combination needs at least two weight vectors")
	}
	n := len(ws[0])
	for _, v := range ws[1:] {
		checkLen("weight vector", len(v), n)
	}
	if err := checkPair(ws...); err != nil {
		return dst, nil, err
	}
	L := len(ws)
	a := mat.NewDense(L, L, nil)
	b := mat.NewVecDense(L, nil)
	for l := range L {
		for k := range L {
			a.Set(l, k, dot(ws[l], ws[k]))
		}
		b.SetVec(l, dot(ws[l], ws[l]))
	}
	var x mat.VecDense
	if err := x.SolveVec(a, b); err != nil {
		return dst, nil, ErrSingularCombination
	}
	alpha = make([]float64, L)
	var s float64
	for k := range L {
		alpha[k] = math.Abs(x.AtVec(k))
		s += alpha[k]
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return dst, nil, ErrSingularCombination
	}
	dst = resize(dst, n)
	clear(dst)
	for k := range L {
		alpha[k] /= s
		for j := range dst {
			dst[j] += alpha[k] * ws[k][j]
		}
	}
	return dst, alpha, nil
}
