package econ_test

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/econ"
)

// csSmall is a balanced 8-unit × 4-period panel (periods 1–4): units
// u0–u3 never treated, u4–u5 first treated in 3, u6–u7 in 4, with an
// effect of 1 from treatment on and unit-specific noise.
func csSmall() econ.CSData {
	var d econ.CSData
	for i := 0; i < 8; i++ {
		g := []int{0, 0, 0, 0, 3, 3, 4, 4}[i]
		for t := 1; t <= 4; t++ {
			y := float64(i) + 0.5*float64(t) + 0.1*math.Sin(float64(7*i+t))
			if g != 0 && t >= g {
				y++
			}
			d.Unit = append(d.Unit, "u"+strconv.Itoa(i))
			d.Time = append(d.Time, t)
			d.Outcome = append(d.Outcome, y)
			d.Cohort = append(d.Cohort, g)
		}
	}
	return d
}

// csWithout returns d without the rows of unit u.
func csWithout(d econ.CSData, u string) econ.CSData {
	var o econ.CSData
	for r := range d.Unit {
		if d.Unit[r] == u {
			continue
		}
		o.Unit = append(o.Unit, d.Unit[r])
		o.Time = append(o.Time, d.Time[r])
		o.Outcome = append(o.Outcome, d.Outcome[r])
		o.Cohort = append(o.Cohort, d.Cohort[r])
	}
	return o
}

// csSetCohort gives every row of unit u cohort g.
func csSetCohort(d *econ.CSData, u string, g int) {
	for r := range d.Unit {
		if d.Unit[r] == u {
			d.Cohort[r] = g
		}
	}
}

// csErr returns err as a *CSError whose cause is cause, reporting a test
// error (and returning nil) if it is not one.
func csErr(t *testing.T, what string, err error, cause error) *econ.CSError {
	t.Helper()
	var ce *econ.CSError
	if !errors.As(err, &ce) {
		t.Errorf("%s: error %v (%T); want a *econ.CSError", what, err, err)
		return nil
	}
	if !errors.Is(err, cause) {
		t.Errorf("%s: error %v has cause %v; want %v", what, err, ce.Err, cause)
	}
	return ce
}

// mentions reports an error unless err's message names every one of the
// facts a user needs to find and fix the problem (unit, period, remedy):
// users read the message, so the facts, not the wording, are asserted.
func mentions(t *testing.T, what string, err error, facts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, f := range facts {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q does not mention %q", what, err, f)
		}
	}
}

// TestCSBadInput is issue 6's bad-input list for Callaway–Sant'Anna, each
// with the facts its message must carry.
func TestCSBadInput(t *testing.T) {
	if _, err := econ.CallawaySantAnna(csSmall(), econ.CSOptions{}); err != nil {
		t.Fatalf("valid panel: %v", err)
	}

	t.Run("no never-treated units with never-treated controls", func(t *testing.T) {
		d := csSmall()
		for _, u := range []string{"u0", "u1", "u2", "u3"} {
			csSetCohort(&d, u, 4)
		}
		_, err := econ.CallawaySantAnna(d, econ.CSOptions{Control: econ.CSNeverTreated})
		if e := csErr(t, "never", err, econ.ErrNoNeverTreated); e != nil && e.Hint == "" {
			t.Errorf("never: %v has no advice", err)
		}
		// The cohorts and the remedy.
		mentions(t, "never", err, "period 3 (2 units), 4 (6 units)", "not-yet-treated")
		_, err = econ.CallawaySantAnna(d, econ.CSOptions{Control: econ.CSNeverTreated, Sample: econ.CSUnbalancedPanel})
		csErr(t, "never, unbalanced", err, econ.ErrNoNeverTreated)
		// With not-yet-treated controls the last cohort serves as control
		// (as did): cohort 3 against cohort 4 in periods 1–3.
		r, err := econ.CallawaySantAnna(d, econ.CSOptions{Control: econ.CSNotYetTreated})
		if err != nil {
			t.Fatalf("not-yet-treated: %v", err)
		}
		for _, c := range r.Cells {
			if c.Group != 3 || c.Time > 3 {
				t.Errorf("not-yet-treated without never-treated units: cell (%d, %d); want cohort 3 up to period 3", c.Group, c.Time)
			}
		}
	})

	t.Run("cohort treated in the first period", func(t *testing.T) {
		// As did: units treated in the first period have no pre-period and
		// are dropped and listed; the estimate is the one without them.
		d := csSmall()
		csSetCohort(&d, "u5", 1)
		r, err := econ.CallawaySantAnna(d, econ.CSOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r.Dropped, []string{"u5"}) || r.N != 7 {
			t.Errorf("Dropped %v, N %d; want [u5], 7", r.Dropped, r.N)
		}
		want, err := econ.CallawaySantAnna(csWithout(d, "u5"), econ.CSOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r.Cells, want.Cells) || r.Simple != want.Simple {
			t.Errorf("with u5 dropped: %+v\nwithout u5: %+v", r.Cells, want.Cells)
		}
		// Anticipation moves the first usable cohort: with one period of
		// anticipation cohort 2 is treated "by" period 1 too.
		d = csSmall()
		csSetCohort(&d, "u4", 2)
		r, err = econ.CallawaySantAnna(d, econ.CSOptions{Anticipation: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Dropped, []string{"u4"}) {
			t.Errorf("anticipation 1, cohort 2: Dropped %v; want [u4]", r.Dropped)
		}
		// Every unit treated in the first period: nothing to estimate.
		d = csSmall()
		for r := range d.Cohort {
			d.Cohort[r] = 1
		}
		_, err = econ.CallawaySantAnna(d, econ.CSOptions{})
		csErr(t, "all first", err, econ.ErrAllTreatedFirst)
	})

	t.Run("treatment switches off", func(t *testing.T) {
		// A cohort column that changes within a unit: u6 is "treated from
		// 4" in periods 1–3 and never treated in period 4.
		d := csSmall()
		for r := range d.Unit {
			if d.Unit[r] == "u6" && d.Time[r] == 4 {
				d.Cohort[r] = 0
			}
		}
		_, err := econ.CallawaySantAnna(d, econ.CSOptions{})
		want := econ.CSError{Err: econ.ErrTreatmentSwitchesOff, Unit: "u6", Row: 28, Period: 4, Cohort: 4, Column: "cohort"}
		if e := csErr(t, "switch off", err, econ.ErrTreatmentSwitchesOff); e != nil {
			if got := (econ.CSError{Err: e.Err, Unit: e.Unit, Row: e.Row, Period: e.Period, Cohort: e.Cohort, Column: e.Column}); got != want {
				t.Errorf("switch off: %+v; want %+v", got, want)
			}
		}
		mentions(t, "switch off", err, "row 28", `unit "u6"`, "from 4 to 0", "period 4")
		_, err = econ.CallawaySantAnna(d, econ.CSOptions{Sample: econ.CSUnbalancedPanel})
		if e := csErr(t, "switch off, unbalanced", err, econ.ErrTreatmentSwitchesOff); e != nil && (e.Unit != "u6" || e.Row != 28) {
			t.Errorf("switch off, unbalanced: unit %q row %d; want u6, 28", e.Unit, e.Row)
		}
	})

	t.Run("missing outcome in a balanced panel", func(t *testing.T) {
		d := csSmall()
		d.Outcome[4*2+1] = math.NaN() // u2, period 2
		_, err := econ.CallawaySantAnna(d, econ.CSOptions{})
		if e := csErr(t, "NaN outcome", err, econ.ErrMissing); e != nil && (e.Unit != "u2" || e.Period != 2 || e.Row != 10 || e.Column != "outcome") {
			t.Errorf("NaN outcome: %+v; want unit u2, period 2, row 10, column outcome", e)
		}
		mentions(t, "NaN outcome", err, "row 10", `unit "u2"`, "period 2")

		// A missing row: the balanced estimator names the first gap; the
		// unbalanced-panel estimator accepts it.
		d = csSmall()
		drop := 4*3 + 2 // u3, period 3
		d.Unit = slices.Delete(d.Unit, drop, drop+1)
		d.Time = slices.Delete(d.Time, drop, drop+1)
		d.Outcome = slices.Delete(d.Outcome, drop, drop+1)
		d.Cohort = slices.Delete(d.Cohort, drop, drop+1)
		_, err = econ.CallawaySantAnna(d, econ.CSOptions{})
		if e := csErr(t, "missing row", err, econ.ErrUnbalanced); e != nil && (e.Unit != "u3" || e.Period != 3 || e.Hint == "") {
			t.Errorf("missing row: %+v; want the gap of unit u3 in period 3 and advice", e)
		}
		mentions(t, "missing row", err, `"u3"`, "period 3", "CSUnbalancedPanel")
		if _, err := econ.CallawaySantAnna(d, econ.CSOptions{Sample: econ.CSUnbalancedPanel}); err != nil {
			t.Errorf("unbalanced panel with a gap: %v", err)
		}
	})
}

// TestStaggeredBadInputOtherEstimators: the same bad inputs reach the
// imputation estimator and the Bacon decomposition as typed errors naming
// the unit: a cohort that varies within a unit, a treatment dummy that
// switches off, a missing outcome in Bacon's balanced panel.
func TestStaggeredBadInputOtherEstimators(t *testing.T) {
	d := csSmall()
	n := len(d.Unit)
	frame := func(cohort, treat, y []float64) *econ.Frame {
		f := econ.NewFrame(n)
		codes := make([]int32, n)
		var levels []string
		for r, u := range d.Unit {
			k := slices.Index(levels, u)
			if k < 0 {
				k = len(levels)
				levels = append(levels, u)
			}
			codes[r] = int32(k)
		}
		tt := make([]float64, n)
		for r, v := range d.Time {
			tt[r] = float64(v)
		}
		for _, err := range []error{
			f.AddFactor("unit", codes, levels), f.AddFloat("t", tt), f.AddFloat("y", y),
			f.AddFloat("g", cohort), f.AddFloat("d", treat),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	cohort := make([]float64, n)
	treat := make([]float64, n)
	for r := range d.Cohort {
		cohort[r] = float64(d.Cohort[r])
		if d.Cohort[r] != 0 && d.Time[r] >= d.Cohort[r] {
			treat[r] = 1
		}
	}
	y := slices.Clone(d.Outcome)
	bjs := econ.ImputationSpec{Outcome: "y", Unit: "unit", Time: "t", Cohort: "g"}
	bacon := econ.BaconSpec{Outcome: "y", Treat: "d", Unit: "unit", Time: "t"}
	if _, err := econ.EstimateImputation(frame(cohort, treat, y), bjs, econ.Options{}); err != nil {
		t.Fatalf("imputation, valid panel: %v", err)
	}
	if _, err := econ.Bacon(frame(cohort, treat, y), bacon); err != nil {
		t.Fatalf("Bacon, valid panel: %v", err)
	}

	// u6 (rows 24–27, cohort 4): cohort 0 in period 4, and the dummy
	// switched off there.
	badCohort := slices.Clone(cohort)
	badCohort[27] = 0
	_, err := econ.EstimateImputation(frame(badCohort, treat, y), bjs, econ.Options{})
	var ie *econ.ImputationError
	if !errors.As(err, &ie) {
		t.Errorf("imputation, cohort varies within a unit: %v; want an *ImputationError", err)
	}
	mentions(t, "imputation cohort", err, `"u6"`)

	badTreat := slices.Clone(treat)
	badTreat[4*4+3] = 0 // u4 (cohort 3): treated in 3, not in 4
	_, err = econ.Bacon(frame(cohort, badTreat, y), bacon)
	var be *econ.BaconError
	if !errors.As(err, &be) {
		t.Errorf("Bacon, treatment switches off: %v; want a *BaconError", err)
	}
	mentions(t, "Bacon switch off", err, `"u4"`, "switches off")

	yMiss := slices.Clone(y)
	yMiss[4*2+1] = math.NaN()
	_, err = econ.Bacon(frame(cohort, treat, yMiss), bacon)
	if !errors.As(err, &be) {
		t.Errorf("Bacon, missing outcome: %v; want a *BaconError", err)
	}
	mentions(t, "Bacon missing", err, `"u2"`)
}

// TestCSErrorsCollected: problems of single rows are all reported, in row
// order and capped at 20, as one *CSErrors that errors.As and errors.Is
// see through; one problem alone is a plain *CSError.
func TestCSErrorsCollected(t *testing.T) {
	d := csSmall()
	d.Outcome[1] = math.NaN() // row 2: u0, period 2
	csSetCohort(&d, "u7", 4)
	d.Cohort[4*7+3] = 0 // row 32: u7 switches off in period 4
	d.Time[4*5+1] = 1   // row 22: u5 has period 1 twice (and lacks 2)
	_, err := econ.CallawaySantAnna(d, econ.CSOptions{Sample: econ.CSUnbalancedPanel})
	var all *econ.CSErrors
	if !errors.As(err, &all) {
		t.Fatalf("three bad rows: %v (%T); want *econ.CSErrors", err, err)
	}
	var rows []int
	for _, e := range all.Errs {
		rows = append(rows, e.Row)
	}
	if !slices.Equal(rows, []int{2, 22, 32}) || all.More != 0 {
		t.Errorf("rows %v, %d more; want [2 22 32], 0 more", rows, all.More)
	}
	for _, cause := range []error{econ.ErrMissing, econ.ErrDuplicateRow, econ.ErrTreatmentSwitchesOff} {
		if !errors.Is(err, cause) {
			t.Errorf("%v: errors.Is(%v) is false", err, cause)
		}
	}
	var first *econ.CSError
	if !errors.As(err, &first) || first.Row != 2 || first.Unit != "u0" || first.Period != 2 {
		t.Errorf("errors.As: %+v; want row 2 of u0 in period 2", first)
	}
	mentions(t, "collected", err, "row 2", "row 22", "row 32", `"u0"`, `"u5"`, `"u7"`)

	// 32 missing outcomes: 20 reported, 12 counted.
	d = csSmall()
	for r := range d.Outcome {
		d.Outcome[r] = math.NaN()
	}
	_, err = econ.CallawaySantAnna(d, econ.CSOptions{})
	if !errors.As(err, &all) || len(all.Errs) != 20 || all.More != 12 {
		t.Fatalf("32 missing outcomes: %v; want 20 errors and 12 more", err)
	}
	mentions(t, "capped", err, "and 12 more")

	// Every bad weight at once too.
	d = csSmall()
	d.Weights = make([]float64, len(d.Unit))
	for r := range d.Weights {
		d.Weights[r] = 1
	}
	d.Weights[0], d.Weights[5] = -1, math.NaN()
	_, err = econ.CallawaySantAnna(d, econ.CSOptions{})
	if !errors.As(err, &all) || len(all.Errs) != 2 || !errors.Is(err, econ.ErrBadWeight) || !errors.Is(err, econ.ErrMissing) {
		t.Errorf("two bad weights: %v; want both, as ErrBadWeight and ErrMissing", err)
	}
}

// TestCSCellErrors: a 2×2 comparison that cannot be estimated names its
// cohort and period. In an unbalanced panel whose never-treated units
// lack period 4, cohort 3's comparison in period 4 has no comparison
// observations in that period.
func TestCSCellErrors(t *testing.T) {
	d := csSmall()
	var o econ.CSData
	for r := range d.Unit {
		if d.Cohort[r] == 0 && d.Time[r] == 4 {
			continue
		}
		o.Unit = append(o.Unit, d.Unit[r])
		o.Time = append(o.Time, d.Time[r])
		o.Outcome = append(o.Outcome, d.Outcome[r])
		o.Cohort = append(o.Cohort, d.Cohort[r])
	}
	_, err := econ.CallawaySantAnna(o, econ.CSOptions{Sample: econ.CSUnbalancedPanel})
	e := csErr(t, "no comparison in period 4", err, econ.ErrNoComparisonUnits)
	if e != nil && (e.Cohort != 3 || e.Period != 4 || e.Row != 0) {
		t.Errorf("no comparison in period 4: cohort %d, period %d, row %d; want cohort 3, period 4, no row", e.Cohort, e.Period, e.Row)
	}
	mentions(t, "no comparison in period 4", err, "cohort 3", "period 4")
}
