package panel

import (
	"errors"
	"math"
	"testing"
)

// monthly returns a one-unit monthly panel from 2020-01 with x = values.
func monthly(start Period, vals ...float64) *Panel {
	p := New(units("A"), start, len(vals))
	p.Set("x", vals)
	return p
}

func TestRollupAggregations(t *testing.T) {
	// Two full years of months: x_m = m (1..24).
	v := make([]float64, 24)
	for i := range v {
		v[i] = float64(i + 1)
	}
	p := monthly(MonthPeriod(2020, 1), v...)
	tests := []struct {
		agg  Aggregation
		to   Freq
		want []float64
	}{
		{Sum, Year, []float64{78, 222}}, // 1+…+12, 13+…+24
		{Mean, Year, []float64{6.5, 18.5}},
		{Last, Year, []float64{12, 24}},
		{Max, Year, []float64{12, 24}},
		{Min, Year, []float64{1, 13}},
		{Sum, Quarter, []float64{6, 15, 24, 33, 42, 51, 60, 69}},
		{Mean, Quarter, []float64{2, 5, 8, 11, 14, 17, 20, 23}},
		{Last, Quarter, []float64{3, 6, 9, 12, 15, 18, 21, 24}},
	}
	for _, tc := range tests {
		q, err := p.Rollup(tc.to, RollupOptions{Default: tc.agg})
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(q.Col("x"), tc.want, 1e-12) {
			t.Errorf("%s to %s = %v; want %v", tc.agg, tc.to, q.Col("x"), tc.want)
		}
	}
	// Quarter → year equals month → year for sum.
	q, _ := p.Rollup(Quarter, RollupOptions{Default: Sum})
	y, _ := q.Rollup(Year, RollupOptions{Default: Sum})
	if !sameFloats(y.Col("x"), []float64{78, 222}, 1e-12) || y.Start != YearPeriod(2020) {
		t.Errorf("month→quarter→year sum = %v from %v", y.Col("x"), y.Start)
	}
}

func TestRollupMissingAndPartial(t *testing.T) {
	// Panel starts in 2020-11: 2020 has only Nov, Dec; 2021 has Jan..Mar with Feb missing.
	p := monthly(MonthPeriod(2020, 11), 5, 7, 1, nan, 3)
	q, err := p.Rollup(Year, RollupOptions{Default: Mean})
	if err != nil {
		t.Fatal(err)
	}
	if q.Start != YearPeriod(2020) || q.T != 2 || !math.IsNaN(q.Col("x")[0]) || !math.IsNaN(q.Col("x")[1]) {
		t.Errorf("strict mean = %v from %v; want [NaN NaN] from 2020", q.Col("x"), q.Start)
	}
	// Quarters with MinShare 0.5: 2020Q4 has 2 of 3 (mean 6); 2021Q1 has 2 of 3 (mean 2).
	q, _ = p.Rollup(Quarter, RollupOptions{Default: Mean, MinShare: 0.5})
	if !sameFloats(q.Col("x"), []float64{6, 2}, 1e-12) {
		t.Errorf("mean, MinShare 0.5 = %v; want [6 2]", q.Col("x"))
	}
	// Sum never uses an incomplete period.
	q, _ = p.Rollup(Quarter, RollupOptions{Default: Sum, MinShare: 0.5})
	if !math.IsNaN(q.Col("x")[0]) || !math.IsNaN(q.Col("x")[1]) {
		t.Errorf("sum of incomplete quarters = %v; want NaN", q.Col("x"))
	}
	// Last with MinShare: last present month.
	q, _ = p.Rollup(Quarter, RollupOptions{Default: Last, MinShare: 0.5})
	if !sameFloats(q.Col("x"), []float64{7, 3}, 0) {
		t.Errorf("last, MinShare 0.5 = %v; want [7 3]", q.Col("x"))
	}
	// Per-indicator aggregation, unknown default.
	p.Set("y", []float64{1, 1, 1, 1, 1})
	if _, err := p.Rollup(Year, RollupOptions{Agg: map[string]Aggregation{"x": Mean}}); err == nil {
		t.Error("indicator without aggregation: want error")
	}
	if _, err := p.Rollup(Month, RollupOptions{Default: Sum}); err != nil {
		t.Errorf("same-frequency roll-up: %v", err)
	}
	y := New(units("A"), YearPeriod(2000), 2)
	if _, err := y.Rollup(Month, RollupOptions{Default: Sum}); err == nil {
		t.Error("year to month: want error")
	}
}

func TestImpute(t *testing.T) {
	mk := func() *Panel {
		p := New([]Unit{{Code: "A", Region: "east"}, {Code: "B", Region: "east"}, {Code: "C", Region: "west"}}, YearPeriod(2000), 5)
		p.Set("x", []float64{
			nan, 1, nan, nan, 4,
			2, 2, 2, nan, 2,
			nan, nan, nan, nan, nan,
		})
		return p
	}
	tests := []struct {
		method string
		want   []float64
		filled int
	}{
		{ImputeNone, []float64{nan, 1, nan, nan, 4, 2, 2, 2, nan, 2, nan, nan, nan, nan, nan}, 0},
		{ImputeLinear, []float64{nan, 1, 2, 3, 4, 2, 2, 2, 2, 2, nan, nan, nan, nan, nan}, 3},
		{ImputeForward, []float64{nan, 1, 1, 1, 4, 2, 2, 2, 2, 2, nan, nan, nan, nan, nan}, 3},
		{ImputeBackward, []float64{1, 1, 4, 4, 4, 2, 2, 2, 2, 2, nan, nan, nan, nan, nan}, 4},
		{ImputeNearest, []float64{1, 1, 1, 1, 4, 2, 2, 2, 2, 2, nan, nan, nan, nan, nan}, 4},
		{ImputeUnitMean, []float64{2.5, 1, 2.5, 2.5, 4, 2, 2, 2, 2, 2, nan, nan, nan, nan, nan}, 4},
		// east peers in each year: (A,B) means over observed; C (west) has no peers with data.
		{ImputePeerMean, []float64{2, 1, 2, nan, 4, 2, 2, 2, nan, 2, nan, nan, nan, nan, nan}, 2},
	}
	for _, tc := range tests {
		p := mk()
		n, err := p.Impute(ImputeOptions{Method: tc.method})
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(p.Col("x"), tc.want, 1e-12) || n["x"] != tc.filled {
			t.Errorf("%s: x = %v (%d filled); want %v (%d)", tc.method, p.Col("x"), n["x"], tc.want, tc.filled)
		}
		if tc.method != ImputeNone && p.Imputation["x"] == "" {
			t.Errorf("%s: treatment not recorded", tc.method)
		}
	}
	if _, err := mk().Impute(ImputeOptions{Method: "magic"}); err == nil {
		t.Error("unknown method: want error")
	}
	p := mk()
	p.Impute(ImputeOptions{Method: ImputePeerMean, Peer: "region"})
	if p.Imputation["x"] != "peer-mean:region" {
		t.Errorf("recorded %q; want peer-mean:region", p.Imputation["x"])
	}
}

func TestMissingness(t *testing.T) {
	p := New(units("A", "B"), YearPeriod(2000), 4)
	p.Set("x", []float64{nan, nan, 1, nan, 1, 1, 1, 1})
	p.Set("y", []float64{1, 1, 1, 1, nan, 1, 1, 1})
	ind := p.MissingByIndicator()
	if ind[0] != (Missingness{Key: "x", Cells: 8, Missing: 3, Share: 3.0 / 8, LongestGap: 2}) {
		t.Errorf("x missingness = %+v", ind[0])
	}
	u := p.MissingByUnit()
	if u[0].Key != "A" || u[0].Missing != 3 || u[1].Key != "B" || u[1].Missing != 1 {
		t.Errorf("unit missingness = %+v", u)
	}
}

func TestImputeAliasesAndHistory(t *testing.T) {
	p := New(units("A"), YearPeriod(2000), 4)
	p.Set("x", []float64{nan, 1, nan, 3})
	if _, err := p.Impute(ImputeOptions{Method: "interpolate"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Impute(ImputeOptions{Method: "bfill"}); err != nil {
		t.Fatal(err)
	}
	if !sameFloats(p.Col("x"), []float64{1, 1, 2, 3}, 0) || p.Imputation["x"] != "linear+backward" {
		t.Errorf("x = %v recorded %q; want [1 1 2 3] linear+backward", p.Col("x"), p.Imputation["x"])
	}
}

func TestParsePeriodErrors(t *testing.T) {
	if _, err := ParsePeriod("2O15"); !errors.Is(err, ErrMalformedPeriod) {
		t.Errorf("ParsePeriod(2O15) error %v; want ErrMalformedPeriod", err)
	}
	if _, err := ParsePeriod("1850"); !errors.Is(err, ErrPeriodRange) {
		t.Errorf("ParsePeriod(1850) error %v; want ErrPeriodRange", err)
	}
}
