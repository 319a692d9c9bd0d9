package econ

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Fake adoption dates before the real ones find no effect when trends are
// parallel (simPanel has a true effect of 1 after real adoption only), and
// use only pre-treatment rows.
func TestFakeTiming(t *testing.T) {
	data := simPanel(rand.New(rand.NewPCG(21, 22)), 200, 10, 1)
	spec := PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort"}
	fake, err := EstimateFakeTiming(data, spec, []int{1, 2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	treat, _ := data.Float("treat")
	pre := 0
	for _, v := range treat {
		if v == 0 {
			pre++
		}
	}
	for _, f := range fake {
		if f.NObs != pre {
			t.Errorf("shift %d: %d observations; want the %d untreated ones", f.Shift, f.NObs, pre)
		}
		// |z| < 4: a false failure has probability < 1e-4 per shift.
		if math.Abs(f.Coef.Estimate) > 4*f.Coef.SE {
			t.Errorf("shift %d: fake effect %v (se %v); want ≈ 0", f.Shift, f.Coef.Estimate, f.Coef.SE)
		}
	}
	if _, err := EstimateFakeTiming(data, spec, []int{0}, Options{}); err == nil {
		t.Error("shift 0: no error")
	}
}

// Leaving out one unit equals excluding it by hand, for every unit, and
// does not depend on the number of workers.
func TestLeaveOut(t *testing.T) {
	data := simPanel(rand.New(rand.NewPCG(31, 32)), 12, 6, 1)
	const formula = "y ~ treat + x | unit + year"
	a, err := EstimateLeaveOut(data, formula, "treat", "unit", Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := EstimateLeaveOut(data, formula, "treat", "unit", Options{Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 12 {
		t.Fatalf("%d levels; want 12", len(a))
	}
	for g := range a {
		if a[g].Coef != b[g].Coef && !(math.IsNaN(a[g].Coef.Estimate) && math.IsNaN(b[g].Coef.Estimate)) {
			t.Errorf("level %s: workers change the result: %+v vs %+v", a[g].Level, a[g].Coef, b[g].Coef)
		}
		if a[g].Err != nil {
			continue
		}
		r, err := EstimateExcluding(data, formula, "unit", []string{a[g].Level}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		c := mustCoef(t, r, "treat")
		if relErr(a[g].Coef.Estimate, c.Estimate) > 1e-12 || r.NObs != a[g].NObs || a[g].NObs != 66 {
			t.Errorf("level %s: %v (n %d); excluded by hand %v (n %d)", a[g].Level, a[g].Coef.Estimate, a[g].NObs, c.Estimate, r.NObs)
		}
	}
	if _, err := EstimateExcluding(data, formula, "year", []string{"1999"}, Options{}); err == nil {
		t.Error("excluding an absent year: no error")
	}
	if _, err := EstimateLeaveOut(data, formula, "treat", "nope", Options{}); err == nil {
		t.Error("unknown column: no error")
	}
}
