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
	Workers int // goroutines; 0 means GOMAXPROCS
}

// topsisColumn sets the map v = a·x + b of column c (weight w) to its
// weighted normalised value, the ideal and anti-ideal values of v, and
// whether the column separates them at all.
func topsisColumn(j int, c []float64, w float64, cost bool, norm TOPSISNorm, a, b, best, worst *float64, active *bool) error {
	if w == 0 {
		return nil
	}
	s := stats(c)
	if s.m == 0 {
		return colErr("topsis", j, -1, ErrAllMissing)
	}
	switch norm {
	case TOPSISVector:
		l2 := math.Sqrt(s.ssq)
		if l2 == 0 {
			return nil
		}
		*a = w / l2
		*best, *worst = *a*s.max, *a*s.min
		if cost {
			*best, *worst = *worst, *best
		}
	case TOPSISMinMax:
		r := s.max - s.min
		if r == 0 {
			return nil
		}
		*a, *b = w/r, -w*s.min/r
		if cost {
			*a, *b = -*a, w*s.max/r
		}
		*best, *worst = w, 0
	default:
		panic(fmt.Sprintf("composite: unknown TOPSIS normalisation %d", int(norm)))
	}
	*active = *best != *worst
	return nil
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
// returned. Work is split over opt.Workers goroutines (0 means
// GOMAXPROCS); the result does not depend on their number.
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
	// Pass 1, per column: the map v = a·x + b to the weighted normalised
	// value, and the ideal (best) and anti-ideal (worst) values of v.
	k := len(x)
	a, b := make([]float64, k), make([]float64, k)
	best, worst := make([]float64, k), make([]float64, k)
	active := make([]bool, k)
	errs := make([]error, k)
	parallelFor(k, opt.Workers, max(1, 16384/max(n, 1)), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			errs[j] = topsisColumn(j, x[j], w[j], dirs != nil && dirs[j].cost(), opt.Norm, &a[j], &b[j], &best[j], &worst[j], &active[j])
		}
	})
	informative := false
	for j, err := range errs {
		if err != nil {
			return dst, err
		}
		informative = informative || active[j]
	}
	if !informative {
		return dst, fmt.Errorf("composite: topsis: %w", ErrDegenerate)
	}
	// Pass 2, over blocks of rows (so the partial sums stay in cache):
	// D⁺ and D⁻ summed over columns in column order, then the closeness.
	const block = 512
	parallelFor((n+block-1)/block, opt.Workers, 8, func(lo, hi int) {
		var dp, dm [block]float64
		for blk := lo; blk < hi; blk++ {
			r0, r1 := blk*block, min((blk+1)*block, n)
			p, m := dp[:r1-r0], dm[:r1-r0]
			clear(p)
			clear(m)
			for j, c := range x {
				if !active[j] {
					continue
				}
				aj, bj, bs, ws := a[j], b[j], best[j], worst[j]
				for i, v := range c[r0:r1] {
					v = aj*v + bj
					p[i] += (v - bs) * (v - bs)
					m[i] += (v - ws) * (v - ws)
				}
			}
			for i := range p {
				sp, sm := math.Sqrt(p[i]), math.Sqrt(m[i])
				dst[r0+i] = sm / (sp + sm)
			}
		}
	})
	return dst, nil
}
