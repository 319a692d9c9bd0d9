package composite

import (
	"fmt"
	"math"
)

// Aggregation functions take indicator columns x (x[j][i], already
// normalised and oriented so that more is better, unless a method says
// otherwise) and one weight per column, and write one score per row into
// dst (allocated if nil). Missing rule: a row with a missing value in any
// column of positive weight scores NaN (re-weighting over the available
// indicators is a caller's choice, not a silent default). Shape errors
// panic; invalid weights and out-of-domain values return errors.

// WeightRule says how an aggregation treats weights that do not sum to 1.
type WeightRule int

const (
	// WeightsMustSumToOne refuses weights failing [CheckWeights] (the
	// default).
	WeightsMustSumToOne WeightRule = iota
	// WeightsRescale divides the weights by their sum (COINr a_amean,
	// a_gmean).
	WeightsRescale
	// WeightsRaw uses the weights as given (pymcdm WSM and WPM).
	WeightsRaw
)

// AggOptions configures the means of this file.
type AggOptions struct {
	Weights WeightRule
}

// effectiveWeights validates w (nil means equal weights over k columns) by
// rule and returns the weights to use.
func effectiveWeights(w []float64, k int, rule WeightRule) ([]float64, error) {
	if w == nil {
		return Equal(nil, k), nil
	}
	checkLen("weights", len(w), k)
	switch rule {
	case WeightsMustSumToOne:
		return w, CheckWeights(w)
	case WeightsRescale, WeightsRaw:
		var s float64
		for j, v := range w {
			if !(v >= 0) || math.IsInf(v, 0) {
				return nil, &WeightsError{Index: j, Value: v}
			}
			s += v
		}
		if !(s > 0) {
			return nil, &WeightsError{Index: -1, Sum: s}
		}
		if rule == WeightsRaw {
			return w, nil
		}
		out := make([]float64, k)
		for j, v := range w {
			out[j] = v / s
		}
		return out, nil
	}
	panic(fmt.Sprintf("composite: unknown weight rule %d", int(rule)))
}

// Arithmetic returns the weighted arithmetic mean Σ_j w_j x_ij of each row
// (Handbook on Constructing Composite Indicators, OECD/JRC 2008, §6.2,
// linear aggregation). With WeightsRaw it is the plain weighted sum (pymcdm
// WSM). w nil means equal weights.
func Arithmetic(dst []float64, x [][]float64, w []float64, opt AggOptions) ([]float64, error) {
	n := shapeCols(x)
	dst = resize(dst, n)
	w, err := effectiveWeights(w, len(x), opt.Weights)
	if err != nil {
		return dst, err
	}
	clear(dst)
	for j, c := range x {
		if w[j] == 0 {
			continue
		}
		for i, v := range c {
			dst[i] += w[j] * v
		}
	}
	return dst, nil
}

// Geometric returns the weighted geometric mean Π_j x_ij^{w_j} of each row
// (Handbook 2008 §6.2, geometric aggregation; COINr a_gmean). Every value
// with positive weight must be > 0 ([ErrNonPositive] otherwise, as COINr
// refuses 0 and negatives). With WeightsRaw it is the weighted product of
// pymcdm WPM, without the 1/Σw root.
func Geometric(dst []float64, x [][]float64, w []float64, opt AggOptions) ([]float64, error) {
	n := shapeCols(x)
	dst = resize(dst, n)
	w, err := effectiveWeights(w, len(x), opt.Weights)
	if err != nil {
		return dst, err
	}
	if err := positive("geometric", x, w); err != nil {
		return dst, err
	}
	clear(dst)
	for j, c := range x {
		if w[j] == 0 {
			continue
		}
		for i, v := range c {
			dst[i] += w[j] * math.Log(v)
		}
	}
	for i, v := range dst {
		dst[i] = math.Exp(v)
	}
	return dst, nil
}

func positive(method string, x [][]float64, w []float64) error {
	for j, c := range x {
		if w[j] == 0 {
			continue
		}
		if i := firstNonPositive(c); i >= 0 {
			return colErr(method, j, i, ErrNonPositive)
		}
	}
	return nil
}

// Harmonic returns the weighted harmonic mean Σw / Σ_j (w_j / x_ij) of each
// row (COINr a_hmean); values must be > 0. It always divides by Σw, so
// WeightsRaw behaves as WeightsRescale.
func Harmonic(dst []float64, x [][]float64, w []float64, opt AggOptions) ([]float64, error) {
	return GeneralisedMean(dst, x, w, -1, opt)
}

// GeneralisedMean returns the weighted power mean (Σ_j w_j x_ij^p / Σ_j w_j)^{1/p}
// of each row (COINr a_genmean); p = 0 gives the geometric mean, p = 1 the
// arithmetic and p = −1 the harmonic mean. For p ≤ 0 values must be > 0,
// for p > 0 they must be ≥ 0. WeightsRaw behaves as WeightsRescale.
func GeneralisedMean(dst []float64, x [][]float64, w []float64, p float64, opt AggOptions) ([]float64, error) {
	if opt.Weights == WeightsRaw {
		opt.Weights = WeightsRescale
	}
	if p == 0 {
		return Geometric(dst, x, w, opt)
	}
	n := shapeCols(x)
	dst = resize(dst, n)
	w, err := effectiveWeights(w, len(x), opt.Weights)
	if err != nil {
		return dst, err
	}
	if p < 0 {
		if err := positive("genmean", x, w); err != nil {
			return dst, err
		}
	} else {
		for j, c := range x {
			for i, v := range c {
				if w[j] > 0 && v < 0 {
					return dst, colErr("genmean", j, i, ErrNegative)
				}
			}
		}
	}
	clear(dst)
	for j, c := range x {
		if w[j] == 0 {
			continue
		}
		for i, v := range c {
			dst[i] += w[j] * math.Pow(v, p)
		}
	}
	for i, v := range dst {
		dst[i] = math.Pow(v, 1/p)
	}
	return dst, nil
}
