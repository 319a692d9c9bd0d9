package panel

import (
	"math"
	"slices"
	"testing"
)

var nan = math.NaN()

func units(codes ...string) []Unit {
	u := make([]Unit, len(codes))
	for i, c := range codes {
		u[i] = Unit{Code: c, Region: map[bool]string{true: "east", false: "west"}[i%2 == 0]}
	}
	return u
}

// sameFloats reports whether a and b are equal element-wise, NaN equal to NaN.
func sameFloats(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) {
			return false
		}
		if !math.IsNaN(a[i]) && math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func TestBuilder(t *testing.T) {
	b := NewBuilder(Year, 0)
	a, c := b.Unit("A"), b.Unit("C")
	x, y := b.Indicator("x"), b.Indicator("y")
	b.Append(a, x, YearPeriod(2012), 1)
	b.Append(c, x, YearPeriod(2010), 2)
	b.Append(a, y, YearPeriod(2011), 3)
	b.Append(a, x, YearPeriod(2012), 9) // duplicate of record 0
	p, dups, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Start != YearPeriod(2010) || p.T != 3 || p.NUnits() != 2 {
		t.Fatalf("grid = %v+%d × %d units; want 2010+3 × 2", p.Start, p.T, p.NUnits())
	}
	if want := []float64{nan, nan, 1, 2, nan, nan}; !sameFloats(p.Col("x"), want, 0) {
		t.Errorf("x = %v; want %v", p.Col("x"), want)
	}
	if want := []float64{nan, 3, nan, nan, nan, nan}; !sameFloats(p.Col("y"), want, 0) {
		t.Errorf("y = %v; want %v", p.Col("y"), want)
	}
	if len(dups) != 1 || dups[0] != (Duplicate{Record: 3, First: 0}) {
		t.Errorf("dups = %v; want [{3 0}]", dups)
	}
	// Build against a unit list that lacks C.
	if _, _, err := b.Build(units("A")); err == nil {
		t.Error("Build with missing unit: want error")
	}
}

func TestBuilderMerge(t *testing.T) {
	b1, b2 := NewBuilder(Month, 0), NewBuilder(Month, 0)
	b1.Append(b1.Unit("A"), b1.Indicator("x"), MonthPeriod(2020, 1), 1)
	b2.Append(b2.Unit("B"), b2.Indicator("z"), MonthPeriod(2020, 2), 2)
	b2.Append(b2.Unit("A"), b2.Indicator("x"), MonthPeriod(2020, 2), 3)
	b1.Merge(b2)
	p, dups, err := b1.Build(nil)
	if err != nil || len(dups) != 0 {
		t.Fatal(err, dups)
	}
	if !slices.Equal(p.Indicators(), []string{"x", "z"}) || p.At("x", 0, 1) != 3 || p.At("z", 1, 1) != 2 {
		t.Errorf("merged panel wrong: %v %v %v", p.Indicators(), p.Col("x"), p.Col("z"))
	}
}

func TestLagAndSeries(t *testing.T) {
	p := New(units("A", "B"), YearPeriod(2000), 3)
	p.Set("x", []float64{1, 2, 3, 4, 5, 6})
	if got, want := p.Lag(nil, "x", 1), []float64{nan, 1, 2, nan, 4, 5}; !sameFloats(got, want, 0) {
		t.Errorf("lag 1 = %v; want %v", got, want)
	}
	if got, want := p.Lag(nil, "x", -2), []float64{3, nan, nan, 6, nan, nan}; !sameFloats(got, want, 0) {
		t.Errorf("lead 2 = %v; want %v", got, want)
	}
	if got := p.Series("x", 1); !slices.Equal(got, []float64{4, 5, 6}) {
		t.Errorf("series B = %v", got)
	}
	if i, ok := p.PeriodIndex(YearPeriod(2002)); !ok || i != 2 {
		t.Errorf("PeriodIndex(2002) = %d, %v", i, ok)
	}
	if _, ok := p.PeriodIndex(MonthPeriod(2001, 1)); ok {
		t.Error("PeriodIndex of a month in an annual panel: want false")
	}
	if !p.Drop("x") || p.Has("x") || len(p.Indicators()) != 0 {
		t.Error("Drop failed")
	}
}

func TestTreatments(t *testing.T) {
	p := New(units("A", "B", "C"), MonthPeriod(2012, 11), 4) // 2012-11 … 2013-02
	exit := MonthPeriod(2013, 2)
	p.Treatments = []Adoption{
		{Policy: "pilot", Unit: "A", Start: YearPeriod(2013)},                   // annual adoption: from 2013-01
		{Policy: "pilot", Unit: "B", Start: MonthPeriod(2012, 12), Exit: &exit}, // exits in 2013-02
		{Policy: "other", Unit: "C", Start: YearPeriod(2010)},
	}
	if err := p.ValidateTreatments(); err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0}
	if got := p.Dummy("pilot"); !slices.Equal(got, want) {
		t.Errorf("Dummy(pilot) = %v; want %v", got, want)
	}
	if got := p.Dummy("other"); !slices.Equal(got, []float64{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}) {
		t.Errorf("Dummy(other) = %v", got)
	}
	c := p.Cohort("pilot")
	if c[0] != 2 || c[1] != 1 || c[2] != math.MinInt {
		t.Errorf("Cohort = %v; want [2 1 never]", c)
	}
	if got := p.Policies(); !slices.Equal(got, []string{"other", "pilot"}) {
		t.Errorf("Policies = %v", got)
	}
	p.Treatments = append(p.Treatments, Adoption{Policy: "pilot", Unit: "A", Start: YearPeriod(2014)})
	if err := p.ValidateTreatments(); err == nil {
		t.Error("double adoption: want error")
	}
	p.Treatments = []Adoption{{Policy: "pilot", Unit: "Z", Start: YearPeriod(2013)}}
	if err := p.ValidateTreatments(); err == nil {
		t.Error("unknown unit: want error")
	}
	bad := MonthPeriod(2012, 1)
	p.Treatments = []Adoption{{Policy: "pilot", Unit: "A", Start: YearPeriod(2013), Exit: &bad}}
	if err := p.ValidateTreatments(); err == nil {
		t.Error("exit before start: want error")
	}
}

func TestGroups(t *testing.T) {
	p := New([]Unit{{Code: "1", Region: "west"}, {Code: "2", Region: "east"}, {Code: "3", Region: "west"}}, YearPeriod(2000), 1)
	labels, of, err := p.Groups("region")
	if err != nil || !slices.Equal(labels, []string{"east", "west"}) || !slices.Equal(of, []int32{1, 0, 1}) {
		t.Errorf("Groups = %v %v %v", labels, of, err)
	}
	if _, _, err := p.Groups("colour"); err == nil {
		t.Error("unknown attribute: want error")
	}
}
