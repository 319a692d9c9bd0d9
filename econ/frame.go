package econ

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Frame is a small column store that formulas are evaluated against: named
// float64 columns (NaN = missing) and named factor columns (integer codes
// into a level list, -1 = missing). All columns have the same length, the
// number of rows.
//
// A Frame only references the slices it is given; it never modifies them.
// The zero value is not usable: call [NewFrame]. A Frame is safe for
// concurrent reads once built.
type Frame struct {
	n       int
	order   []string
	nums    map[string][]float64
	factors map[string]*Factor
	// panel keys (SetPanel); "" when not a panel
	unitKey, timeKey string
}

// Factor is a categorical column: Codes[i] indexes Levels, or is -1 when
// row i is missing.
type Factor struct {
	Codes  []int32
	Levels []string
}

// NewFrame returns an empty frame of n rows.
func NewFrame(n int) *Frame {
	return &Frame{n: n, nums: map[string][]float64{}, factors: map[string]*Factor{}}
}

// Len returns the number of rows.
func (f *Frame) Len() int { return f.n }

// Names returns the column names in the order they were added.
func (f *Frame) Names() []string { return slices.Clone(f.order) }

func (f *Frame) add(name string, n int) error {
	if n != f.n {
		return fmt.Errorf("econ: column %q has %d rows, frame has %d", name, n, f.n)
	}
	if _, ok := f.nums[name]; ok {
		return fmt.Errorf("econ: duplicate column %q", name)
	}
	if _, ok := f.factors[name]; ok {
		return fmt.Errorf("econ: duplicate column %q", name)
	}
	if name == "" {
		return fmt.Errorf("econ: empty column name")
	}
	f.order = append(f.order, name)
	return nil
}

// AddFloat adds a numeric column. NaN marks a missing value.
func (f *Frame) AddFloat(name string, x []float64) error {
	if err := f.add(name, len(x)); err != nil {
		return err
	}
	f.nums[name] = x
	return nil
}

// AddFactor adds a categorical column given by codes into levels; a code of
// -1 marks a missing value. Codes outside [-1, len(levels)) are an error.
func (f *Frame) AddFactor(name string, codes []int32, levels []string) error {
	for i, c := range codes {
		if c < -1 || int(c) >= len(levels) {
			return fmt.Errorf("econ: column %q row %d: code %d outside %d levels", name, i+1, c, len(levels))
		}
	}
	if err := f.add(name, len(codes)); err != nil {
		return err
	}
	f.factors[name] = &Factor{Codes: codes, Levels: levels}
	return nil
}

// AddStrings adds a categorical column from string values; the empty string
// and "NA" mark missing values. Levels are numbered in order of first
// appearance.
func (f *Frame) AddStrings(name string, s []string) error {
	codes := make([]int32, len(s))
	idx := map[string]int32{}
	var levels []string
	for i, v := range s {
		if v == "" || v == "NA" {
			codes[i] = -1
			continue
		}
		c, ok := idx[v]
		if !ok {
			c = int32(len(levels))
			idx[v] = c
			levels = append(levels, v)
		}
		codes[i] = c
	}
	return f.AddFactor(name, codes, levels)
}

// SetPanel declares the frame a panel with unit column unit and time
// column time (fixest's panel.id). Time values are ordered numerically
// (float columns, or factor levels that all parse as numbers) or else by
// their labels; consecutive distinct values are adjacent periods for the
// lag and lead operators l() and f() and for Newey–West and
// Driscoll–Kraay variances. Both columns must exist.
func (f *Frame) SetPanel(unit, time string) error {
	for _, c := range []string{unit, time} {
		if !f.has(c) {
			return fmt.Errorf("econ: panel key: no column %q", c)
		}
	}
	f.unitKey, f.timeKey = unit, time
	return nil
}

// PanelKeys returns the unit and time columns set by [Frame.SetPanel], or
// false if the frame is not a panel.
func (f *Frame) PanelKeys() (unit, time string, ok bool) {
	return f.unitKey, f.timeKey, f.unitKey != ""
}

// Float returns the numeric column name, or nil and false.
func (f *Frame) Float(name string) ([]float64, bool) {
	x, ok := f.nums[name]
	return x, ok
}

// Factor returns the categorical column name, or nil and false.
func (f *Frame) Factor(name string) (*Factor, bool) {
	x, ok := f.factors[name]
	return x, ok
}

// has reports whether the frame has a column called name.
func (f *Frame) has(name string) bool {
	_, a := f.nums[name]
	_, b := f.factors[name]
	return a || b
}

// intGroups is the fast path of groups for a numeric column whose values
// are all integers (or NaN) spanning a range no wider than 4n + 2^16: a
// presence table indexed by value − min replaces the hash map, giving the
// same codes (distinct values in ascending order) in two passes over the
// rows (fixest's quf does the same for integer-valued columns). ok is false
// when the column does not qualify.
func intGroups(x []float64) (codes []int32, labels []string, ok bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if math.IsNaN(v) {
			continue
		}
		if v != math.Trunc(v) || math.IsInf(v, 0) {
			return nil, nil, false
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo > hi || hi-lo > float64(4*len(x)+1<<16) {
		return nil, nil, false
	}
	slot := make([]int32, int(hi-lo)+1) // 1 + code of value lo+k, 0 if absent
	for _, v := range x {
		if !math.IsNaN(v) {
			slot[int(v-lo)] = 1
		}
	}
	var g int32
	for k, s := range slot {
		if s != 0 {
			g++
			slot[k] = g
			labels = append(labels, strconv.FormatFloat(lo+float64(k), 'g', -1, 64))
		}
	}
	codes = make([]int32, len(x))
	for i, v := range x {
		if math.IsNaN(v) {
			codes[i] = -1
		} else {
			codes[i] = slot[int(v-lo)] - 1
		}
	}
	return codes, labels, true
}

// groups returns the column as dense group codes 0..G-1 (-1 = missing) and
// the level labels. Numeric columns are grouped by distinct value in
// ascending order; factor levels keep the order of their sorted labels when
// they are all numbers, else their given order.
func (f *Frame) groups(name string) (codes []int32, labels []string, ok bool) {
	if x, isNum := f.nums[name]; isNum {
		if codes, labels, ok := intGroups(x); ok {
			return codes, labels, true
		}
		vals := make([]float64, 0, 64)
		seen := map[float64]struct{}{}
		for _, v := range x {
			if math.IsNaN(v) {
				continue
			}
			if _, s := seen[v]; !s {
				seen[v] = struct{}{}
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		pos := make(map[float64]int32, len(vals))
		labels = make([]string, len(vals))
		for i, v := range vals {
			pos[v] = int32(i)
			labels[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		codes = make([]int32, len(x))
		for i, v := range x {
			if math.IsNaN(v) {
				codes[i] = -1
			} else {
				codes[i] = pos[v]
			}
		}
		return codes, labels, true
	}
	fc, isFac := f.factors[name]
	if !isFac {
		return nil, nil, false
	}
	// Order levels: numerically if all parse as numbers, else lexically,
	// as R's factor() does; only used levels are kept.
	used := make([]bool, len(fc.Levels))
	for _, c := range fc.Codes {
		if c >= 0 {
			used[c] = true
		}
	}
	perm := make([]int, 0, len(fc.Levels))
	allNum := true
	num := make([]float64, len(fc.Levels))
	for i, l := range fc.Levels {
		if !used[i] {
			continue
		}
		perm = append(perm, i)
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			allNum = false
		}
		num[i] = v
	}
	slices.SortStableFunc(perm, func(a, b int) int {
		if allNum {
			switch {
			case num[a] < num[b]:
				return -1
			case num[a] > num[b]:
				return 1
			}
			return 0
		}
		switch {
		case fc.Levels[a] < fc.Levels[b]:
			return -1
		case fc.Levels[a] > fc.Levels[b]:
			return 1
		}
		return 0
	})
	remap := make([]int32, len(fc.Levels))
	labels = make([]string, len(perm))
	for j, i := range perm {
		remap[i] = int32(j)
		labels[j] = fc.Levels[i]
	}
	codes = make([]int32, len(fc.Codes))
	for i, c := range fc.Codes {
		if c < 0 {
			codes[i] = -1
		} else {
			codes[i] = remap[c]
		}
	}
	return codes, labels, true
}
