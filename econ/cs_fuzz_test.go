package econ

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// FuzzCallawaySantAnna builds a small panel from the fuzzer's bytes
// (cohorts, outcomes, a covariate, clusters, dropped rows; sampling
// weights, some zero, when sample/3 is odd; a dynamic window chosen by
// ant/3: none, BalanceE 1, −1 ≤ e ≤ 1, MaxE 0) and checks that
// CallawaySantAnna never panics, that its errors are *CSError values with
// a known cause and a row that matches the data, and, when it succeeds,
// returns finite
// estimates and non-negative SEs for every cell and aggregation, a valid
// pre-test and critical values.
func FuzzCallawaySantAnna(f *testing.F) {
	f.Add([]byte{0, 2, 3, 0, 4, 1, 9, 7, 5}, uint8(4), false, false, uint8(3), uint8(0), false, uint8(0))
	f.Add([]byte{5, 5, 5}, uint8(2), true, true, uint8(3), uint8(0), false, uint8(0))
	f.Add([]byte{0, 2, 3, 0, 4, 1, 9, 7, 5, 0, 3, 4, 8, 0, 2, 6}, uint8(5), false, false, uint8(0), uint8(1), true, uint8(1))
	f.Add([]byte{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 40, 41, 42, 43}, uint8(4), true, false, uint8(2), uint8(0), true, uint8(2))
	f.Add([]byte("780"), uint8(31), true, false, uint8(2), uint8(34), true, uint8(0))                                         // only pre-treatment cells
	f.Add([]byte{0, 2, 3, 0, 4, 1, 9, 7, 5, 0, 3, 4, 8, 0, 2, 6}, uint8(5), false, false, uint8(1), uint8(3), true, uint8(3)) // weights, BalanceE 1
	f.Add([]byte{0, 2, 3, 0, 4, 1, 9, 7, 5, 0, 3, 4, 8, 0, 2, 6}, uint8(5), true, false, uint8(3), uint8(6), false, uint8(5)) // rcs weights, window
	f.Fuzz(func(t *testing.T, b []byte, periods uint8, notyet, universal bool, method, ant uint8, boot bool, sample uint8) {
		nt := int(periods%6) + 1
		if len(b) == 0 || len(b) > 64 {
			return
		}
		var d CSData
		var x []float64
		for i, c := range b {
			g := int(c % uint8(nt+2)) // 0..nt+1; >nt is "after the panel"
			for tt := 1; tt <= nt; tt++ {
				if (c == 255 || c == 254) && tt == nt { // unbalanced
					continue
				}
				d.Unit = append(d.Unit, strconv.Itoa(i))
				d.Time = append(d.Time, tt)
				d.Outcome = append(d.Outcome, float64(int(c)*tt%13)-6)
				d.Cohort = append(d.Cohort, g)
				x = append(x, float64(int(c)/7%5)+0.1*float64(tt))
				d.Cluster = append(d.Cluster, strconv.Itoa(int(c)%3))
				d.Weights = append(d.Weights, float64(int(c)%4)*0.5)
			}
		}
		if sample/3%2 == 0 {
			d.Weights = nil
		}
		opts := CSOptions{Anticipation: int(ant % 3), Sample: CSSample(sample % 3)}
		switch ant / 3 % 4 {
		case 1:
			opts.BalanceE = new(1)
		case 2:
			opts.MinE, opts.MaxE = new(-1), new(1)
		case 3:
			opts.MaxE = new(0)
		}
		if notyet {
			opts.Control = CSNotYetTreated
		}
		if universal {
			opts.Base = CSUniversal
		}
		if method%4 < 3 {
			opts.Method = CSMethod(method % 4)
			d.Covariates = [][]float64{x}
		}
		if boot {
			opts.Boot, opts.CBand, opts.Seed = 50, true, uint64(len(b))
		} else {
			d.Cluster = nil
		}
		r, err := CallawaySantAnna(d, opts)
		if err != nil {
			csCheckError(t, d, err)
			return
		}
		check := func(what string, att, se float64) {
			if math.IsNaN(att) || math.IsInf(att, 0) || !(se >= 0) || math.IsInf(se, 0) {
				t.Fatalf("%s: att %v se %v", what, att, se)
			}
		}
		for _, c := range r.Cells {
			check("cell", c.ATT, c.SE)
		}
		check("simple", r.Simple.ATT, r.Simple.SE)
		if p := r.PreTest; p != nil && (!(p.W >= 0) || !(p.P >= 0 && p.P <= 1) || p.DF < 1) {
			t.Fatalf("pre-test %+v", *p)
		}
		for _, c := range []float64{r.CritVal, r.Dynamic.CritVal, r.Group.CritVal, r.Calendar.CritVal} {
			if !(c > 0) || math.IsInf(c, 0) {
				t.Fatalf("critical value %v", c)
			}
		}
		for _, a := range []CSAggregate{r.Dynamic, r.Group, r.Calendar} {
			check("overall", a.Overall.ATT, a.Overall.SE)
			for _, e := range a.By {
				check("by", e.ATT, e.SE)
			}
		}
	})
}

// csCauses are the causes a *CSError may carry.
var csCauses = []error{ErrBadOptions, ErrColumnLength, ErrNoObservations, ErrTooFewPeriods,
	ErrUnbalanced, ErrDuplicateRow, ErrMissing, ErrTreatmentSwitchesOff, ErrNegativeCohort,
	ErrClusterVaries, ErrBadWeight, ErrAllTreatedFirst, ErrNoTreated, ErrNoNeverTreated,
	ErrNoPreTreatment, ErrNoComparisonUnits, ErrNoPostTreatment, ErrEventWindow, ErrCollinear,
	ErrOverlap, ErrTrimmed, ErrNoConvergence, ErrNotANumber}

// csCheckError fails unless err, returned by CallawaySantAnna(d, …), is a
// *CSError (or *CSErrors of them) whose cause is one of csCauses and whose
// row, if any, is a row of d with that row's unit and period.
func csCheckError(t *testing.T, d CSData, err error) {
	t.Helper()
	var all []*CSError
	var many *CSErrors
	var one *CSError
	switch {
	case errors.As(err, &many):
		if len(many.Errs) < 2 && many.More == 0 {
			t.Fatalf("%v: *CSErrors with %d errors", err, len(many.Errs))
		}
		all = many.Errs
	case errors.As(err, &one):
		all = []*CSError{one}
	default:
		t.Fatalf("error %v (%T) is not a *CSError", err, err)
	}
	for _, e := range all {
		if !slices.Contains(csCauses, e.Err) {
			t.Fatalf("%v: cause %v is not one of the CS causes", e, e.Err)
		}
		if e.Row != 0 && (e.Row > len(d.Unit) || e.Unit != d.Unit[e.Row-1] || e.Period != d.Time[e.Row-1]) {
			t.Fatalf("%v: row %d, unit %q, period %d do not match the data", e, e.Row, e.Unit, e.Period)
		}
	}
}

// BenchmarkCallawaySantAnnaLarge: 5,000 units × 20 periods, 4 cohorts
// and never-treated units, analytic SEs (the benchmark shape,
// without the bootstrap).
func BenchmarkCallawaySantAnnaLarge(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	cohorts := []int{0, 2005, 2008, 2011, 2014}
	var d CSData
	for i := 0; i < 5000; i++ {
		g := cohorts[i%5]
		a := rng.NormFloat64()
		for tt := 2001; tt <= 2020; tt++ {
			y := a + 0.1*float64(tt-2000) + rng.NormFloat64()
			if g != 0 && tt >= g {
				y += 0.5 + 0.1*float64(tt-g)
			}
			d.Unit = append(d.Unit, strconv.Itoa(i))
			d.Time = append(d.Time, tt)
			d.Outcome = append(d.Outcome, y)
			d.Cohort = append(d.Cohort, g)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CallawaySantAnna(d, CSOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
