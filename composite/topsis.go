package composite

import (
	"fmt"
	"math"
)

// TOPSISNorm selects the normalisation inside [TOPSIS].
type TOPSISNorm int

const (
	// TOPSISVector: r_ij = x_ij / ‖x_·j‖₂, the original method (Hwang &
	// Yoon 1981, Multiple Attribute Decision Making, Springer; R packages
	// topsis and MCDA); the ideal takes the column max for benefit and
	// min for cost. The default.
	TOPSISVector TOPSISNorm = iota
	// TOPSISMinMax: direction-aware min-max, so every column is benefit
	// and the ideal is the weight itself (pymcdm's default).
	TOPSISMinMax
)

// TOPSISOptions configures [TOPSIS].
type TOPSISOptions struct {
	Norm    TOPSISNorm
	Weights WeightRule
}

// TOPSIS returns the relative closeness of each row to the ideal solution
// (Hwang & Yoon 1981), in [0, 1] with 1 best:
//
//	v_ij = w_j r_ij,  A⁺_j = best_i v_ij,  A⁻_j = worst_i v_ij,
//	D⁺_i = ‖v_i − A⁺‖₂,  D⁻_i = ‖v_i − A⁻‖₂,  C_i = D⁻_i / (D⁺_i + D⁻_i).
//
// dirs nil means all Benefit. Column statistics use the non-missing
// values; a row with a missing value in a weighted column gets NaN. A
// constant column adds nothing to either distance. If every weighted
// column is constant, closeness is undefined and [ErrDegenerate] is
// returned. It allocates one scratch slice of the row count.
func TOPSIS(dst []float64, x [][]float64, w []float64, dirs []Direction, opt TOPSISOptions) ([]float64, error) {
	n := shapeCols(x)
	dst = resize(dst, n)
	if dirs != nil {
		checkLen("dirs", len(dirs), len(x))
	}
	w, err := effectiveWeights(w, len(x), opt.Weights)
	if err != nil {
		return dst, err
	}
	dplus := dst
	clear(dplus)
	dminus := make([]float64, n)
	informative := false
	for j, c := range x {
		if w[j] == 0 {
			continue
		}
		s := stats(c)
		if s.m == 0 {
			return dst, colErr("topsis", j, -1, ErrAllMissing)
		}
		cost := dirs != nil && dirs[j].cost()
		// v = a·x + b maps the column to its weighted normalised value;
		// best and worst are the weighted normalised ideal and anti-ideal.
		var a, b, best, worst float64
		switch opt.Norm {
		case TOPSISVector:
			norm := math.Sqrt(s.ssq)
			if norm == 0 {
				continue
			}
			a = w[j] / norm
			best, worst = a*s.max, a*s.min
			if cost {
				best, worst = worst, best
			}
		case TOPSISMinMax:
			r := s.max - s.min
			if r == 0 {
				continue
			}
			a, b = w[j]/r, -w[j]*s.min/r
			if cost {
				a, b = -a, w[j]*s.max/r
			}
			best, worst = w[j], 0
		default:
			panic(fmt.Sprintf("composite: unknown TOPSIS normalisation %d", int(opt.Norm)))
		}
		if best == worst {
			continue
		}
		informative = true
		for i, v := range c {
			v = a*v + b
			dp, dm := v-best, v-worst
			dplus[i] += dp * dp
			dminus[i] += dm * dm
		}
	}
	if !informative {
		return dst, fmt.Errorf("composite: topsis: %w", ErrDegenerate)
	}
	for i := range dst {
		p, m := math.Sqrt(dplus[i]), math.Sqrt(dminus[i])
		dst[i] = m / (p + m)
	}
	return dst, nil
}
