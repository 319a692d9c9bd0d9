package econ

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// Grouping a numeric column gives each distinct value its rank among the
// distinct values (NaN → −1), whether the integer fast path (intGroups)
// or the general map path is taken: checked against a sort of the
// distinct values on integer columns (fast path), a column with a
// fraction and one spanning too wide a range (general path).
func TestFrameGroupsNumeric(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 500
	ints, frac, wide := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		ints[i] = float64(rng.IntN(101) - 50)
		frac[i], wide[i] = ints[i], ints[i]
		if i%17 == 0 {
			ints[i], frac[i], wide[i] = math.NaN(), math.NaN(), math.NaN()
		}
	}
	frac[3] = 0.5
	wide[5] = 1e12
	// gaps: every other integer of the range absent (codes remapped);
	// dense: every integer of the range present (offsets are the codes)
	gaps, dense := make([]float64, n), make([]float64, n)
	for i := range n {
		gaps[i] = 2 * ints[i]
		dense[i] = float64(7 - i%9)
	}
	for _, c := range []struct {
		name string
		x    []float64
		fast bool
	}{{"ints", ints, true}, {"gaps", gaps, true}, {"dense", dense, true}, {"frac", frac, false}, {"wide", wide, false}} {
		if _, _, ok := intGroups(c.x); ok != c.fast {
			t.Errorf("%s: fast path %v; want %v", c.name, ok, c.fast)
		}
		f := NewFrame(n)
		if err := f.AddFloat("g", c.x); err != nil {
			t.Fatal(err)
		}
		codes, labels, ok := f.groups("g")
		if !ok {
			t.Fatal("no column")
		}
		var distinct []float64
		for _, v := range c.x {
			if !math.IsNaN(v) {
				distinct = append(distinct, v)
			}
		}
		slices.Sort(distinct)
		distinct = slices.Compact(distinct)
		if len(labels) != len(distinct) {
			t.Fatalf("%s: %d labels; want %d", c.name, len(labels), len(distinct))
		}
		for k, v := range distinct {
			if labels[k] != strconv.FormatFloat(v, 'g', -1, 64) {
				t.Errorf("%s: label %d = %q; want %v", c.name, k, labels[k], v)
			}
		}
		for i, v := range c.x {
			want := int32(-1)
			if !math.IsNaN(v) {
				k, _ := slices.BinarySearch(distinct, v)
				want = int32(k)
			}
			if codes[i] != want {
				t.Fatalf("%s: row %d (%v) code %d; want %d", c.name, i, v, codes[i], want)
			}
		}
	}
}
