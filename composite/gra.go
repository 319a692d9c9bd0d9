package composite

import (
	"fmt"
	"math"
)

// GRAOptions configures [GreyRelational].
type GRAOptions struct {
	// Rho is the distinguishing coefficient ρ in (0, 1]; 0 means 0.5.
	Rho     float64
	Weights WeightRule
}

// GreyRelational returns Deng's grey relational grade of each row
// (Deng 1982, "Control problems of grey systems", Systems & Control
// Letters 1(5):288–294), with the conventions of JMcDM and
// Yıldırım & Önder (2015):
//
//	r_ij = direction-aware min-max of x_ij,   reference r_0j = max_i r_ij (= 1),
//	Δ_ij = |r_0j − r_ij|,   Δmin, Δmax over the whole matrix,
//	ξ_ij = (Δmin + ρ Δmax) / (Δ_ij + ρ Δmax),   γ_i = Σ_j w_j ξ_ij.
//
// dirs nil means all Benefit. A constant column normalises to 1 (Δ = 0,
// ξ = 1 for every row). Missing values are left out of the statistics and
// their rows score NaN. pyDecision divides the weighted sum by the number
// of alternatives instead; its grades differ by that factor.
func GreyRelational(dst []float64, x [][]float64, w []float64, dirs []Direction, opt GRAOptions) ([]float64, error) {
	n := shapeCols(x)
	dst = resize(dst, n)
	if dirs != nil {
		checkLen("dirs", len(dirs), len(x))
	}
	rho := opt.Rho
	if rho == 0 {
		rho = 0.5
	}
	if !(rho > 0 && rho <= 1) {
		panic(fmt.Sprintf("composite: distinguishing coefficient %v outside (0, 1]", rho))
	}
	w, err := effectiveWeights(w, len(x), opt.Weights)
	if err != nil {
		return dst, err
	}
	// Pass 1: per column, r = a·x + b and the reference r0 = max r.
	a := make([]float64, len(x))
	b := make([]float64, len(x))
	r0 := make([]float64, len(x))
	dmin, dmax := math.Inf(1), math.Inf(-1)
	for j, c := range x {
		s := stats(c)
		if s.m == 0 {
			return dst, colErr("gra", j, -1, ErrAllMissing)
		}
		rg := s.max - s.min
		switch {
		case rg == 0:
			a[j], b[j] = 0, 1
		case dirs != nil && dirs[j].cost():
			a[j], b[j] = -1/rg, s.max/rg
		default:
			a[j], b[j] = 1/rg, -s.min/rg
		}
		r0[j] = 1 // max of a min-max column, constant or not
		// Δ over the column runs from r0 − max r to r0 − min r.
		dmin, dmax = min(dmin, 0), max(dmax, r0[j]-min(a[j]*s.min+b[j], a[j]*s.max+b[j]))
	}
	clear(dst)
	for j, c := range x {
		for i, v := range c {
			d := math.Abs(r0[j] - (a[j]*v + b[j]))
			xi := 1.0
			if dmax > 0 {
				xi = (dmin + rho*dmax) / (d + rho*dmax)
			}
			if math.IsNaN(v) {
				xi = math.NaN()
			}
			dst[i] += w[j] * xi
		}
	}
	return dst, nil
}
