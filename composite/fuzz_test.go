package composite

import (
	"errors"
	"math"
	"testing"
)

// FuzzAHP: any 3 × 3 matrix built from three upper judgements (reciprocal
// below, possibly corrupted by bad) either returns an error or weights that
// are a positive distribution with CR ≥ 0 (up to rounding); it never panics.
func FuzzAHP(f *testing.F) {
	f.Add(3.0, 5.0, 2.0, 1.0)
	f.Add(1.0/9, 9.0, 1.0, 1.0)
	f.Add(0.0, -1.0, math.Inf(1), 2.0)
	f.Fuzz(func(t *testing.T, a12, a13, a23, bad float64) {
		a := [][]float64{{1, a12, a13}, {1 / a12, 1, a23}, {1 / a13, 1 / a23 * bad, 1}}
		res, err := AHP(a, AHPOptions{})
		var inc *InconsistentError
		if err != nil && !errors.As(err, &inc) {
			var pe *PairwiseError
			if !errors.As(err, &pe) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if CheckWeights(res.Weights) != nil || res.CR < -1e-9 || math.IsNaN(res.CR) {
			t.Fatalf("a = %v: weights %v, CR %v", a, res.Weights, res.CR)
		}
	})
}

// FuzzNormalise: every method on arbitrary four-value columns (NaN and ±Inf
// included) returns an error or NaN exactly where the input is NaN, and
// never panics.
func FuzzNormalise(f *testing.F) {
	f.Add(1.0, 2.0, 3.0, 4.0, uint8(0), true)
	f.Add(0.0, 0.0, 0.0, math.NaN(), uint8(3), false)
	f.Add(-5.0, 1e308, -1e308, 2.0, uint8(9), true)
	f.Fuzz(func(t *testing.T, x0, x1, x2, x3 float64, method uint8, cost bool) {
		x := []float64{x0, x1, x2, x3}
		for _, v := range x {
			if math.IsInf(v, 0) {
				return // ±Inf is not a value indicators take; no promise made
			}
		}
		n := Normaliser{Method: NormMethod(int(method) % len(normNames)), Target: 1, Lo: 0, Hi: 10}
		if cost {
			n.Direction = Cost
		}
		got, err := n.Apply(nil, x)
		if err != nil {
			return
		}
		for i := range x {
			if math.IsNaN(x[i]) && !math.IsNaN(got[i]) {
				t.Fatalf("%v: missing x[%d] gave %v", n.Method, i, got[i])
			}
		}
	})
}
