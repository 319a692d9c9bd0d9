package composite

import (
	"errors"
	"fmt"
)

// Sentinel causes carried by [ColumnError] and other errors of this package.
// Test for them with errors.Is.
var (
	// ErrZeroVariance: every available value of a column is the same, so a
	// method that divides by its range, standard deviation or correlation
	// is undefined.
	ErrZeroVariance = errors.New("zero variance (all values equal)")
	// ErrAllMissing: a column has no non-missing value.
	ErrAllMissing = errors.New("all values missing")
	// ErrTooFewRows: fewer non-missing rows than the method needs.
	ErrTooFewRows = errors.New("too few non-missing rows")
	// ErrNonPositive: a value is ≤ 0 where the method takes logarithms,
	// reciprocals or ratios.
	ErrNonPositive = errors.New("value must be positive")
	// ErrNegative: a value is < 0 where the method needs non-negative data.
	ErrNegative = errors.New("value must not be negative")
	// ErrZeroMean: a column's mean is 0, so a ratio to it is undefined.
	ErrZeroMean = errors.New("mean is zero")
	// ErrDegenerate: every column carries zero information (all weights
	// would be 0/0).
	ErrDegenerate = errors.New("no column carries information: weights undefined")
)

// ColumnError reports a data condition in one column (indicator) of the
// input. Column is the 0-based column index as passed in; callers that know
// the indicator's name wrap the error with it. Row is the 0-based row of the
// first offending value, or -1 when the condition concerns the whole column.
type ColumnError struct {
	Method string // e.g. "entropy", "minmax"
	Column int
	Row    int
	Err    error
}

func (e *ColumnError) Error() string {
	if e.Row >= 0 {
		return fmt.Sprintf("composite: %s: column %d, row %d: %v", e.Method, e.Column, e.Row, e.Err)
	}
	return fmt.Sprintf("composite: %s: column %d: %v", e.Method, e.Column, e.Err)
}

func (e *ColumnError) Unwrap() error { return e.Err }

func colErr(method string, col, row int, err error) *ColumnError {
	return &ColumnError{Method: method, Column: col, Row: row, Err: err}
}

// WeightsError reports an invalid weight vector: a negative or non-finite
// weight (Index ≥ 0) or a sum different from 1 (Index = -1, Sum set).
type WeightsError struct {
	Index int     // offending weight, or -1 for the sum
	Value float64 // the offending weight
	Sum   float64 // Σ w when Index = -1
}

func (e *WeightsError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("composite: weight %d is %v: weights must be finite and non-negative", e.Index, e.Value)
	}
	return fmt.Sprintf("composite: weights sum to %v, not 1", e.Sum)
}

// shapeCols panics unless every column of x has length n, and returns n
// (the length of the first column, 0 if x is empty).
func shapeCols(x [][]float64) int {
	if len(x) == 0 {
		return 0
	}
	n := len(x[0])
	for _, c := range x[1:] {
		if len(c) != n {
			panic("composite: column length mismatch")
		}
	}
	return n
}

func checkLen(what string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("composite: %s has length %d, want %d", what, got, want))
	}
}

// resize returns dst resliced to n, allocating when dst is nil; it panics if
// a non-nil dst has the wrong length.
func resize(dst []float64, n int) []float64 {
	if dst == nil {
		return make([]float64, n)
	}
	checkLen("dst", len(dst), n)
	return dst
}
