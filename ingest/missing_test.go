package ingest

import (
	"math"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

var nan = math.NaN()

// missingPanel has three units over 5 years: A and B in region east, C in
// west, one indicator y.
func missingPanel(y []float64) *panel.Panel {
	p := panel.New([]panel.Unit{{Code: "A", Region: "east"}, {Code: "B", Region: "east"}, {Code: "C", Region: "west"}}, panel.YearPeriod(2015), 5)
	p.Set("y", append([]float64(nil), y...))
	return p
}

var missingData = []float64{
	nan, 1, nan, nan, 4, // A: leading gap, interior gap of 2
	2, nan, 6, 8, nan, // B: interior gap of 1, trailing gap
	nan, nan, nan, nan, nan, // C: nothing observed
}

func TestSummarise(t *testing.T) {
	s := Summarise(missingPanel(missingData))
	if s.Missing[0] != 10 || s.ByUnit[0][0] != 3 || s.ByUnit[0][1] != 2 || s.ByUnit[0][2] != 5 {
		t.Fatalf("missing %v by unit %v; want 10, [3 2 5]", s.Missing, s.ByUnit)
	}
	if got := s.Share(0); got != 10.0/15 {
		t.Errorf("share %v; want 10/15", got)
	}
}

func TestImpute(t *testing.T) {
	// Expected values worked by hand from missingData.
	tests := []struct {
		m      Imputation
		want   []float64
		filled int
		record string
	}{
		{ImputeNone, missingData, 0, "none"},
		// A: 1 → 4 over 3 steps gives 2, 3; B: (2+6)/2 = 4.
		{ImputeLinear, []float64{nan, 1, 2, 3, 4, 2, 4, 6, 8, nan, nan, nan, nan, nan, nan}, 3, "linear"},
		{ImputeCarryForward, []float64{nan, 1, 1, 1, 4, 2, 2, 6, 8, 8, nan, nan, nan, nan, nan}, 4, "locf"},
		{ImputeCarryBackward, []float64{1, 1, 4, 4, 4, 2, 6, 6, 8, nan, nan, nan, nan, nan, nan}, 4, "nocb"},
		// A mean (1+4)/2 = 2.5; B mean (2+6+8)/3 = 16/3.
		{ImputeUnitMean, []float64{2.5, 1, 2.5, 2.5, 4, 2, 16.0 / 3, 6, 8, 16.0 / 3, nan, nan, nan, nan, nan}, 5, "unit-mean"},
		// east peers per year: 2015 {2}, 2016 {1}, 2017 {6}, 2018 {8}, 2019 {4}; west has none.
		{ImputePeerMean, []float64{2, 1, 6, 8, 4, 2, 1, 6, 8, 4, nan, nan, nan, nan, nan}, 5, "peer-mean:region"},
	}
	for _, tt := range tests {
		p := missingPanel(missingData)
		n, err := Impute(p, nil, tt.m, "region")
		if err != nil {
			t.Fatalf("%s: %v", tt.m, err)
		}
		if n != tt.filled {
			t.Errorf("%s filled %d; want %d", tt.m, n, tt.filled)
		}
		checkCol(t, p, "y", tt.want)
		if got := p.Imputation["y"]; got != tt.record {
			t.Errorf("%s recorded %q; want %q", tt.m, got, tt.record)
		}
	}
	p := missingPanel(missingData)
	Impute(p, []string{"y"}, ImputeLinear, "")
	Impute(p, []string{"y"}, ImputeCarryForward, "")
	if got := p.Imputation["y"]; got != "linear+locf" {
		t.Errorf("two treatments recorded %q; want linear+locf", got)
	}
	if _, err := Impute(p, []string{"z"}, ImputeLinear, ""); err == nil {
		t.Error("imputing an absent indicator gave no error")
	}
	if _, err := Impute(p, nil, ImputePeerMean, "colour"); err == nil {
		t.Error("peer-mean by an unknown attribute gave no error")
	}
	for _, m := range Imputations {
		if got, err := ParseImputation(string(m)); err != nil || got != m {
			t.Errorf("ParseImputation(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := ParseImputation("median"); err == nil {
		t.Error("ParseImputation(median) gave no error")
	}
}
