package composite

import (
	"fmt"
	"math"
	"slices"
)

// WinsorMethod selects how [Winsorise] sets its fences.
type WinsorMethod int

const (
	WinsorNone     WinsorMethod = iota // leave values unchanged
	WinsorQuantile                     // fences at the Lo and Hi quantiles
	WinsorIQR                          // fences at Q1 − K·IQR and Q3 + K·IQR
)

// Winsor configures winsorisation: values beyond a fence are set to the
// fence (Handbook on Constructing Composite Indicators, OECD/JRC 2008, §4
// "outlier treatment"). Quantiles are Hyndman & Fan (1996) type 7, R's
// default.
type Winsor struct {
	Method WinsorMethod
	Lo, Hi float64 // WinsorQuantile: probabilities, 0 ≤ Lo < Hi ≤ 1 (e.g. 0.05, 0.95)
	K      float64 // WinsorIQR: fence multiplier; 0 means Tukey's 1.5
}

// Winsorise clamps the non-missing values of x to the fences set by w,
// writing into dst (which may be x), and returns how many values were
// clamped. Missing values stay NaN and are left out of the quantiles. It
// panics if dst and x differ in length or w's probabilities are out of
// order; an all-missing column returns a [*ColumnError].
func Winsorise(dst, x []float64, w Winsor) (int, error) {
	checkLen("dst", len(dst), len(x))
	if w.Method == WinsorNone {
		copy(dst, x)
		return 0, nil
	}
	sorted := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			sorted = append(sorted, v)
		}
	}
	if len(sorted) == 0 {
		return 0, colErr("winsorise", 0, -1, ErrAllMissing)
	}
	slices.Sort(sorted)
	var lo, hi float64
	switch w.Method {
	case WinsorQuantile:
		if !(0 <= w.Lo && w.Lo < w.Hi && w.Hi <= 1) {
			panic(fmt.Sprintf("composite: winsor quantiles %v, %v out of order", w.Lo, w.Hi))
		}
		lo, hi = QuantileSorted(sorted, w.Lo), QuantileSorted(sorted, w.Hi)
	case WinsorIQR:
		k := w.K
		if k == 0 {
			k = 1.5
		}
		q1, q3 := QuantileSorted(sorted, 0.25), QuantileSorted(sorted, 0.75)
		lo, hi = q1-k*(q3-q1), q3+k*(q3-q1)
	default:
		panic(fmt.Sprintf("composite: unknown winsor method %d", int(w.Method)))
	}
	n := 0
	for i, v := range x {
		switch {
		case v < lo:
			dst[i] = lo
			n++
		case v > hi:
			dst[i] = hi
			n++
		default:
			dst[i] = v
		}
	}
	return n, nil
}

// QuantileSorted returns the p-quantile of the ascending, NaN-free slice s
// by Hyndman & Fan (1996) definition 7 (R's default, numpy's "linear"):
// h = (n−1)p, Q = s[⌊h⌋] + (h−⌊h⌋)(s[⌊h⌋+1] − s[⌊h⌋]). It panics on an
// empty slice.
func QuantileSorted(s []float64, p float64) float64 {
	if len(s) == 0 {
		panic("composite: quantile of empty slice")
	}
	h := float64(len(s)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// LogTransform writes ln(x + shift) into dst (which may be x). Missing
// values stay NaN. A value with x + shift ≤ 0 returns a [*ColumnError]
// wrapping [ErrNonPositive] naming the first such row; dst is then
// unspecified. The Handbook (OECD/JRC 2008, §4) recommends the log for
// indicators with high skew; see [Skewness].
func LogTransform(dst, x []float64, shift float64) error {
	checkLen("dst", len(dst), len(x))
	for i, v := range x {
		if v+shift <= 0 {
			return colErr("log", 0, i, ErrNonPositive)
		}
	}
	for i, v := range x {
		dst[i] = math.Log(v + shift)
	}
	return nil
}

// Skewness returns the sample skewness g₁ = m₃ / m₂^{3/2} of the
// non-missing values of x (moments about the mean with divisor n), NaN for
// fewer than 3 values or zero variance. COINr and the JRC audits flag an
// indicator for log transformation when |skew| > 2 and kurtosis > 3.5.
func Skewness(x []float64) float64 {
	s := stats(x)
	if s.m < 3 {
		return math.NaN()
	}
	mean := s.sum / float64(s.m)
	var m2, m3 float64
	for _, v := range x {
		if !math.IsNaN(v) {
			d := v - mean
			m2 += d * d
			m3 += d * d * d
		}
	}
	m2 /= float64(s.m)
	m3 /= float64(s.m)
	if m2 == 0 {
		return math.NaN()
	}
	return m3 / math.Pow(m2, 1.5)
}
