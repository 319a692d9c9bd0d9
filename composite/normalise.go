package composite

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Direction says whether more of an indicator is better (Benefit) or worse
// (Cost). The zero value is treated as Benefit.
type Direction int8

const (
	Benefit Direction = 1
	Cost    Direction = -1
)

func (d Direction) cost() bool { return d < 0 }

// String returns "+" or "-".
func (d Direction) String() string {
	if d.cost() {
		return "-"
	}
	return "+"
}

// NormMethod names a normalisation of one indicator column.
type NormMethod int

const (
	// MinMax: benefit (x−min)/(max−min), cost (max−x)/(max−min); range [0, 1].
	// OECD/JRC Handbook on Constructing Composite Indicators (2008) §5,
	// "min-max"; pymcdm minmax_normalization; COINr n_minmax.
	MinMax NormMethod = iota
	// ZScore: (x−x̄)/s with the sample standard deviation (n−1), negated
	// for cost indicators (Handbook 2008 §5 "standardisation"; R scale()).
	ZScore
	// Rank: average rank among the non-missing values, 1 = worst, m = best
	// (ties get the mean of their ranks, or the lowest under
	// Normaliser.Ties = TiesMin as COINr n_rank; Handbook 2008 §5 "ranking").
	Rank
	// Percentile: (rank − 1)/(m − 1) with Rank's ranks, in [0, 1].
	Percentile
	// DistanceToTarget: COINr n_dist2targ. Benefit (x−min)/(target−min),
	// cost (max−x)/(max−target); 1 means the target is reached. Capped at 1
	// when Cap is set.
	DistanceToTarget
	// DistanceToRef: DistanceToTarget with the target taken from a reference
	// row (Normaliser.Ref, or RefByGroup per group), as COINr n_dist2ref.
	DistanceToRef
	// RatioToMean: benefit x/x̄, cost x̄/x (Handbook 2008 §5 "distance to a
	// reference", the reference being the mean). Cost needs x > 0.
	RatioToMean
	// Vector: benefit x/‖x‖₂, cost 1 − x/‖x‖₂ (pymcdm vector_normalization;
	// Hwang & Yoon 1981 for the benefit form used by TOPSIS).
	Vector
	// MaxNorm: benefit x/max, cost 1 − x/max (pymcdm max_normalization);
	// needs max > 0.
	MaxNorm
	// SumNorm: benefit x/Σx, cost (1/x)/Σ(1/x); needs x > 0
	// (pymcdm sum_normalization).
	SumNorm
	// Linear: benefit x/max, cost min/x; needs x > 0 (pymcdm
	// linear_normalization).
	Linear
	// Goalposts: COINr n_goalposts. Benefit (x−Lo)/(Hi−Lo), cost
	// (x−Hi)/(Lo−Hi), truncated to [0, 1], times Scale (0 means 1).
	Goalposts
)

var normNames = [...]string{"minmax", "zscore", "rank", "percentile", "target", "ref", "ratio-mean", "vector", "max", "sum", "linear", "goalposts"}

// String returns the method's short name, e.g. "minmax".
func (m NormMethod) String() string {
	if m >= 0 && int(m) < len(normNames) {
		return normNames[m]
	}
	return fmt.Sprintf("NormMethod(%d)", int(m))
}

// ConstantRule says what a normalisation does with a column whose
// non-missing values are all equal (range or standard deviation 0).
type ConstantRule int

const (
	// ConstantError returns a [ColumnError] wrapping [ErrZeroVariance]
	// (the default).
	ConstantError ConstantRule = iota
	// ConstantNaN writes NaN, as COINr n_minmax does.
	ConstantNaN
	// ConstantFill writes Normaliser.Fill; pymcdm's minmax writes 1.
	ConstantFill
)

// TieRule says which rank tied values share in the [Rank] and [Percentile]
// normalisations.
type TieRule int

const (
	// TiesAverage gives tied values the mean of their ranks (the default;
	// R's rank(ties.method = "average"), as [Ranks]).
	TiesAverage TieRule = iota
	// TiesMin gives them the lowest of their ranks: R's
	// rank(ties.method = "min"), the default of COINr's n_rank and n_prank
	// (so a Percentile of (min rank − 1)/(m − 1)).
	TiesMin
)

// Normaliser is one normalisation recipe for an indicator column: optional
// winsorisation, then an optional log transform, then Method. The zero value
// is a benefit min-max normalisation that refuses constant columns.
//
// Missing values (NaN) stay NaN and are left out of every statistic (min,
// max, mean, standard deviation, ranks, quantiles, norms).
type Normaliser struct {
	Method    NormMethod
	Direction Direction

	Target float64 // DistanceToTarget
	Cap    bool    // DistanceToTarget, DistanceToRef: cap scores at 1
	// Ref is the reference row for DistanceToRef in [Normaliser.Apply];
	// RefByGroup gives one global row index per group for
	// [NormaliseByGroup].
	Ref        int
	RefByGroup []int

	Lo, Hi, Scale float64 // Goalposts

	OnConstant ConstantRule
	Fill       float64 // value written under ConstantFill

	Ties TieRule // Rank, Percentile: the rank tied values share

	Winsor   Winsor  // applied first; the zero value does nothing
	Log      bool    // then ln(x + LogShift); x + LogShift must be > 0
	LogShift float64 //
}

// Apply normalises x into dst (allocated if nil) and returns dst. dst may be
// x. It panics if dst and x differ in length; data conditions (constant or
// all-missing column, non-positive values where the method needs positives,
// a target equal to the worst value) return a [*ColumnError] with Column 0.
func (n Normaliser) Apply(dst, x []float64) ([]float64, error) {
	dst = resize(dst, len(x))
	src := x
	if n.Winsor.Method != WinsorNone {
		if _, err := Winsorise(dst, src, n.Winsor); err != nil {
			return dst, err
		}
		src = dst
	}
	if n.Log {
		if err := LogTransform(dst, src, n.LogShift); err != nil {
			return dst, err
		}
		src = dst
	}
	return dst, n.normalise(dst, src, n.Ref)
}

// stats over the non-missing values of x.
type colStats struct {
	m                  int
	min, max, sum, ssq float64
	argmin             int
}

func stats(x []float64) colStats {
	s := colStats{min: math.Inf(1), max: math.Inf(-1), argmin: -1}
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		s.m++
		s.sum += v
		s.ssq += v * v
		if v < s.min {
			s.min, s.argmin = v, i
		}
		if v > s.max {
			s.max = v
		}
	}
	return s
}

var errTargetIsWorst = errors.New("target equals the worst value: distance undefined")

func (n Normaliser) constant(dst, x []float64, method string) error {
	switch n.OnConstant {
	case ConstantNaN:
		fillPresent(dst, x, math.NaN())
		return nil
	case ConstantFill:
		fillPresent(dst, x, n.Fill)
		return nil
	}
	return colErr(method, 0, -1, ErrZeroVariance)
}

// fillPresent writes v where x is present and NaN where it is missing.
func fillPresent(dst, x []float64, v float64) {
	for i, xi := range x {
		if math.IsNaN(xi) {
			dst[i] = math.NaN()
		} else {
			dst[i] = v
		}
	}
}

func firstNonPositive(x []float64) int {
	for i, v := range x {
		if v <= 0 { // NaN compares false
			return i
		}
	}
	return -1
}

func (n Normaliser) normalise(dst, x []float64, ref int) error {
	name := n.Method.String()
	s := stats(x)
	if s.m == 0 {
		return colErr(name, 0, -1, ErrAllMissing)
	}
	cost := n.Direction.cost()
	switch n.Method {
	case MinMax:
		r := s.max - s.min
		if r == 0 {
			return n.constant(dst, x, name)
		}
		for i, v := range x {
			if cost {
				dst[i] = (s.max - v) / r
			} else {
				dst[i] = (v - s.min) / r
			}
		}
	case ZScore:
		if s.m < 2 {
			return colErr(name, 0, -1, ErrTooFewRows)
		}
		mean := s.sum / float64(s.m)
		var ss float64
		for _, v := range x {
			if !math.IsNaN(v) {
				ss += (v - mean) * (v - mean)
			}
		}
		sd := math.Sqrt(ss / float64(s.m-1))
		if sd == 0 {
			return n.constant(dst, x, name)
		}
		if cost {
			sd = -sd
		}
		for i, v := range x {
			dst[i] = (v - mean) / sd
		}
	case Rank, Percentile:
		if n.Method == Percentile && s.max == s.min { // includes m = 1
			return n.constant(dst, x, name)
		}
		rank := make([]float64, len(x))
		ranksTies(rank, x, n.Direction, n.Ties)
		for i, r := range rank {
			if n.Method == Percentile {
				r = (r - 1) / float64(s.m-1)
			}
			dst[i] = r
		}
	case DistanceToTarget, DistanceToRef:
		t := n.Target
		if n.Method == DistanceToRef {
			if ref < 0 || ref >= len(x) {
				panic(fmt.Sprintf("composite: reference row %d out of range [0, %d)", ref, len(x)))
			}
			t = x[ref]
			if math.IsNaN(t) {
				return colErr(name, 0, ref, errors.New("reference value is missing"))
			}
		}
		var den float64
		if cost {
			den = s.max - t
		} else {
			den = t - s.min
		}
		if den == 0 {
			return colErr(name, 0, -1, errTargetIsWorst)
		}
		for i, v := range x {
			var y float64
			if cost {
				y = (s.max - v) / den
			} else {
				y = (v - s.min) / den
			}
			if n.Cap && y > 1 {
				y = 1
			}
			dst[i] = y
		}
	case RatioToMean:
		mean := s.sum / float64(s.m)
		if mean == 0 {
			return colErr(name, 0, -1, ErrZeroMean)
		}
		if cost {
			if i := firstNonPositive(x); i >= 0 {
				return colErr(name, 0, i, ErrNonPositive)
			}
		}
		for i, v := range x {
			if cost {
				dst[i] = mean / v
			} else {
				dst[i] = v / mean
			}
		}
	case Vector:
		norm := math.Sqrt(s.ssq)
		if norm == 0 {
			return n.constant(dst, x, name)
		}
		for i, v := range x {
			if cost {
				dst[i] = 1 - v/norm
			} else {
				dst[i] = v / norm
			}
		}
	case MaxNorm:
		if s.max <= 0 {
			return colErr(name, 0, -1, ErrNonPositive) // the maximum must be positive
		}
		for i, v := range x {
			if cost {
				dst[i] = 1 - v/s.max
			} else {
				dst[i] = v / s.max
			}
		}
	case SumNorm, Linear:
		if i := firstNonPositive(x); i >= 0 {
			return colErr(name, 0, i, ErrNonPositive)
		}
		var inv float64
		if n.Method == SumNorm && cost {
			for _, v := range x {
				if !math.IsNaN(v) {
					inv += 1 / v
				}
			}
		}
		for i, v := range x {
			switch {
			case n.Method == SumNorm && cost:
				dst[i] = (1 / v) / inv
			case n.Method == SumNorm:
				dst[i] = v / s.sum
			case cost:
				dst[i] = s.min / v
			default:
				dst[i] = v / s.max
			}
		}
	case Goalposts:
		if n.Hi == n.Lo {
			panic("composite: goalposts Lo and Hi are equal")
		}
		scale := n.Scale
		if scale == 0 {
			scale = 1
		}
		for i, v := range x {
			var y float64
			if cost {
				y = (v - n.Hi) / (n.Lo - n.Hi)
			} else {
				y = (v - n.Lo) / (n.Hi - n.Lo)
			}
			dst[i] = min(max(y, 0), 1) * scale // built-in min/max keep NaN
		}
	default:
		panic(fmt.Sprintf("composite: unknown normalisation method %d", int(n.Method)))
	}
	return nil
}

// Ranks writes into dst the average rank of each non-missing value of x
// among the non-missing values: 1 for the worst and m for the best, where
// "best" is the largest value for Benefit and the smallest for Cost. Tied
// values share the mean of their ranks. Missing values get NaN. It panics
// if dst and x differ in length. It allocates one index slice.
func Ranks(dst, x []float64, dir Direction) {
	ranksTies(dst, x, dir, TiesAverage)
}

// ranksTies is [Ranks] with tied values sharing the mean (TiesAverage) or
// the lowest (TiesMin) of their ranks.
func ranksTies(dst, x []float64, dir Direction, ties TieRule) {
	checkLen("dst", len(dst), len(x))
	idx := make([]int, 0, len(x))
	for i, v := range x {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		va, vb := x[a], x[b]
		if dir.cost() {
			va, vb = vb, va
		}
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return 0
	})
	out := make([]float64, len(x)) // dst may alias x
	for i, v := range x {
		if math.IsNaN(v) {
			out[i] = math.NaN()
		}
	}
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && x[idx[hi]] == x[idx[lo]] {
			hi++
		}
		r := float64(lo+1+hi) / 2 // mean of ranks lo+1 … hi
		if ties == TiesMin {
			r = float64(lo + 1)
		}
		for _, k := range idx[lo:hi] {
			out[k] = r
		}
		lo = hi
	}
	copy(dst, out)
}
