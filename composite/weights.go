package composite

import (
	"fmt"
	"math"
)

// Objective weighting methods take the decision matrix as columns: x[j] is
// indicator j, x[j][i] its value for row (alternative, or unit × period) i.
// They write one weight per column into dst (allocated if nil), w_j ≥ 0 and
// Σ w_j = 1, and panic on ragged columns or a wrong-length dst.
//
// Missing values: Entropy, CV and SD use each column's non-missing values;
// CRITIC and PCA need correlations and use the rows complete in every
// column (listwise deletion).

// EntropyOptions configures [Entropy].
type EntropyOptions struct {
	// Shift is added to every value before the proportions are formed
	// (x + Shift), the usual translation for data with zeros or negatives
	// after a min-max step (e.g. 0.0001 or 1). Values with x + Shift < 0
	// are refused; zeros are allowed under 0·ln 0 = 0.
	Shift float64
	// Workers bounds the goroutines used over columns; 0 means GOMAXPROCS.
	// The result does not depend on it.
	Workers int
}

// Entropy returns the entropy-method weights of the columns of x (Shannon
// 1948; the weighting form as in Zeleny 1982 and Hwang & Yoon 1981),
// computed on the values as given: direction is not used, as in pymcdm,
// pyrepo-mcda and pyDecision, so normalise first if that is wanted. For a
// column j with m_j non-missing values v_ij = x_ij + Shift ≥ 0:
//
//	p_ij = v_ij / Σ_i v_ij,   e_j = −(1/ln m_j) Σ_i p_ij ln p_ij   (0·ln 0 = 0),
//	d_j = 1 − e_j,            w_j = d_j / Σ_k d_k.
//
// A constant column (including all zeros) carries no information: d_j = 0
// and w_j = 0. Entropy weights are invariant to multiplying a column by a
// positive constant (with Shift = 0). Errors: a column with fewer than two
// non-missing values ([ErrTooFewRows], [ErrAllMissing]), a negative
// v_ij ([ErrNegative]), every column constant ([ErrDegenerate]).
func Entropy(dst []float64, x [][]float64, opt EntropyOptions) ([]float64, error) {
	n := shapeCols(x)
	dst = resize(dst, len(x))
	errs := make([]error, len(x))
	// One pass per column: with S = Σ v_ij, Σ_i p_ij ln p_ij =
	// (1/S) Σ_i v_ij ln v_ij − ln S, so no second pass or division is needed.
	parallelFor(len(x), opt.Workers, max(1, 16384/max(n, 1)), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			dst[j], errs[j] = entropyDiversity(x[j], j, opt.Shift)
		}
	})
	for _, err := range errs {
		if err != nil {
			return dst, err
		}
	}
	return dst, normaliseWeights(dst)
}

// entropyDiversity returns d_j = 1 − e_j of column c (index j for errors).
func entropyDiversity(c []float64, j int, shift float64) (float64, error) {
	var sum, vlogv float64
	mn, mx := math.Inf(1), math.Inf(-1)
	m := 0
	for i, v := range c {
		if math.IsNaN(v) {
			continue
		}
		v += shift
		if v < 0 {
			return 0, colErr("entropy", j, i, ErrNegative)
		}
		m++
		sum += v
		if v > 0 {
			vlogv += v * math.Log(v)
		}
		mn, mx = min(mn, v), max(mx, v)
	}
	if err := needRows("entropy", j, m, 2); err != nil {
		return 0, err
	}
	if mn == mx {
		return 0, nil
	}
	h := math.Log(sum) - vlogv/sum
	return 1 - h/math.Log(float64(m)), nil
}

func needRows(method string, col, m, need int) error {
	switch {
	case m == 0:
		return colErr(method, col, -1, ErrAllMissing)
	case m < need:
		return colErr(method, col, -1, ErrTooFewRows)
	}
	return nil
}

// normaliseWeights rescales d to sum 1, or returns ErrDegenerate if Σ d = 0.
func normaliseWeights(d []float64) error {
	var s float64
	for _, v := range d {
		s += v
	}
	if !(s > 0) {
		return fmt.Errorf("composite: %w", ErrDegenerate)
	}
	for j := range d {
		d[j] /= s
	}
	return nil
}

// meanSD returns the mean, sample standard deviation (divisor m−1) and
// count of the non-missing values of c.
func meanSD(c []float64) (mean, sd float64, m int) {
	var sum float64
	for _, v := range c {
		if !math.IsNaN(v) {
			sum += v
			m++
		}
	}
	if m == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean = sum / float64(m)
	var ss float64
	for _, v := range c {
		if !math.IsNaN(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	if m > 1 {
		sd = math.Sqrt(ss / float64(m-1))
	}
	return mean, sd, m
}

// CV returns coefficient-of-variation weights, w_j ∝ s_j / |x̄_j| with the
// sample standard deviation over each column's non-missing values (the
// ratio is unchanged by sum-normalising the column first, as pyrepo-mcda
// does). A constant column gets weight 0. Errors: fewer than two values,
// a zero mean ([ErrZeroMean]), every column constant ([ErrDegenerate]).
func CV(dst []float64, x [][]float64) ([]float64, error) {
	shapeCols(x)
	dst = resize(dst, len(x))
	for j, c := range x {
		mean, sd, m := meanSD(c)
		if err := needRows("cv", j, m, 2); err != nil {
			return dst, err
		}
		if mean == 0 {
			return dst, colErr("cv", j, -1, ErrZeroMean)
		}
		dst[j] = sd / math.Abs(mean)
	}
	return dst, normaliseWeights(dst)
}

// SD returns standard-deviation weights, w_j ∝ s_j (sample standard
// deviation of each column's non-missing values; the divisor cancels when
// columns have equal counts). SD weights depend on each column's scale, so
// pass normalised columns (pymcdm STD weights are used on min-max data).
// A constant column gets weight 0.
func SD(dst []float64, x [][]float64) ([]float64, error) {
	shapeCols(x)
	dst = resize(dst, len(x))
	for j, c := range x {
		_, sd, m := meanSD(c)
		if err := needRows("sd", j, m, 2); err != nil {
			return dst, err
		}
		dst[j] = sd
	}
	return dst, normaliseWeights(dst)
}

// CRITICOptions configures [CRITIC].
type CRITICOptions struct {
	// Directions gives each column's direction; nil means all Benefit.
	Directions []Direction
	// FlipCost min-max normalises cost columns as (max−x)/(max−min), which
	// flips the sign of their correlations with the other columns. Off by
	// default: Diakoulaki et al.'s and Tuş & Adalı's published numbers
	// treat every column as benefit, as pymcdm and pyrepo-mcda do.
	FlipCost bool
}

// CRITIC returns the CRITIC weights (Diakoulaki, Mavrotas & Papayannakis
// 1995, Computers & Operations Research 22(7):763–770) of the columns of
// x, over the rows complete in every column:
//
//	r_ij = min-max normalised x_ij,   σ_j = sd of r_·j,   ρ_jk = Pearson correlation,
//	C_j = σ_j Σ_k (1 − ρ_jk),        w_j = C_j / Σ_k C_k.
//
// A constant column has no correlation and returns [ErrZeroVariance];
// fewer than three complete rows return [ErrTooFewRows].
func CRITIC(dst []float64, x [][]float64, opt CRITICOptions) ([]float64, error) {
	n := shapeCols(x)
	dst = resize(dst, len(x))
	if opt.Directions != nil {
		checkLen("Directions", len(opt.Directions), len(x))
	}
	rows := completeRows(x, n)
	if len(rows) < 3 {
		return dst, colErr("critic", 0, -1, ErrTooFewRows)
	}
	k := len(x)
	r := make([][]float64, k)
	sd := make([]float64, k)
	for j := range x {
		r[j] = make([]float64, len(rows))
		for t, i := range rows {
			r[j][t] = x[j][i]
		}
		nz := Normaliser{Method: MinMax}
		if opt.FlipCost && opt.Directions != nil {
			nz.Direction = opt.Directions[j]
		}
		if _, err := nz.Apply(r[j], r[j]); err != nil {
			return dst, colErr("critic", j, -1, ErrZeroVariance)
		}
		var mean float64
		mean, sd[j], _ = meanSD(r[j])
		for t := range r[j] {
			r[j][t] -= mean // centred for the correlations
		}
	}
	for j := range k {
		var c float64
		for l := range k {
			if l != j {
				c += 1 - dot(r[j], r[l])/math.Sqrt(dot(r[j], r[j])*dot(r[l], r[l]))
			}
		}
		dst[j] = sd[j] * c
	}
	return dst, normaliseWeights(dst)
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// Equal writes 1/n into each element of dst (allocated with length n if
// nil) and returns it.
func Equal(dst []float64, n int) []float64 {
	dst = resize(dst, n)
	for j := range dst {
		dst[j] = 1 / float64(n)
	}
	return dst
}

// WeightsTol is the tolerance of [CheckWeights]: |Σ w − 1| ≤ WeightsTol.
const WeightsTol = 1e-6

// CheckWeights reports a [*WeightsError] unless every weight is finite and
// non-negative and they sum to 1 within [WeightsTol].
func CheckWeights(w []float64) error {
	var s float64
	for j, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return &WeightsError{Index: j, Value: v}
		}
		s += v
	}
	if math.Abs(s-1) > WeightsTol {
		return &WeightsError{Index: -1, Sum: s}
	}
	return nil
}

// Fixed returns fixed (expert) weights w copied into dst (allocated if
// nil). With rescale, they are divided by their sum (which must be
// positive); without, they must already sum to 1 ([CheckWeights]).
func Fixed(dst, w []float64, rescale bool) ([]float64, error) {
	dst = resize(dst, len(w))
	copy(dst, w)
	if !rescale {
		return dst, CheckWeights(dst)
	}
	for j, v := range dst {
		if !(v >= 0) || math.IsInf(v, 0) {
			return dst, &WeightsError{Index: j, Value: v}
		}
	}
	if err := normaliseWeights(dst); err != nil {
		return dst, &WeightsError{Index: -1, Sum: 0}
	}
	return dst, nil
}
