package evaluation

import (
	"math"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/panel"
)

const testFramework = `schema: 1
code: test
name_en: Test
goal:
  code: goal
  name_en: Goal
  children:
    - code: tech
      name_en: Technology
      children:
        - {code: x, name_en: X, unit: "%", direction: "+"}
        - {code: gone, name_en: Gone, unit: "%", direction: "+"}
    - code: gov
      name_en: Governance
      children:
        - {code: m, name_en: Monthly M, unit: h, direction: "-", frequency: month, aggregation: mean}
`

func testPanels(t *testing.T) (annual, monthly *panel.Panel) {
	t.Helper()
	units := []panel.Unit{{Code: "A", Region: "east"}, {Code: "B", Region: "west"}}
	monthly = panel.New(units, panel.MonthPeriod(2020, 1), 24)
	m := monthly.Add("m")
	for i := range m {
		m[i] = float64(i % 24) // unit A and B: months 0..23 of 2020-2021
	}
	m[30] = math.NaN() // B, 2020-07: B's 2020 cannot be compared
	annual = panel.New(units, panel.YearPeriod(2020), 2)
	annual.Set("x", []float64{1, math.NaN(), 3, 4})
	annual.Set("m", []float64{5.5, 17.5, 5.5, 17.5}) // means of 0..11 and 12..23
	annual.Set("extra", []float64{1, 1, 1, 1})
	annual.Treatments = []panel.Adoption{{Policy: "pilot", Unit: "A", Start: panel.YearPeriod(2021)}}
	return annual, monthly
}

func TestCheckData(t *testing.T) {
	fw, err := framework.Load(strings.NewReader(testFramework), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	annual, monthly := testPanels(t)
	c := CheckData(fw, []*panel.Panel{annual, monthly}, CheckOptions{RequireAttrs: []string{"region", "tier"}})

	want := map[string]bool{
		"indicator gone (): not in data":    false,
		"indicator extra: not in framework": false,
		"2 units have no tier (first: A)":   false,
	}
	for _, p := range c.Problems {
		switch {
		case strings.Contains(p, "indicator gone"):
			want["indicator gone (): not in data"] = true
		case strings.Contains(p, "indicator extra"):
			want["indicator extra: not in framework"] = true
		case strings.Contains(p, "have no tier"):
			want["2 units have no tier (first: A)"] = true
		default:
			t.Errorf("unexpected problem %q", p)
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("problem %q not reported; got %q", k, c.Problems)
		}
	}
	// x: 1 missing of 4 annual cells; m found monthly with 1 missing of 48.
	byCode := map[string]IndicatorInfo{}
	for _, in := range c.Indicators {
		byCode[in.Code] = in
	}
	if x := byCode["x"]; x.Found != "year" || x.Missing != 1 || x.Cells != 4 || x.Dimension != "tech" {
		t.Errorf("x = %+v", x)
	}
	if m := byCode["m"]; m.Found != "month" || m.Missing != 1 || m.Cells != 48 || m.Dimension != "gov" {
		t.Errorf("m = %+v", m)
	}
	if want := 2.0 / 52; math.Abs(c.MissingShare-want) > 1e-15 {
		t.Errorf("missing share = %v; want %v", c.MissingShare, want)
	}
	if len(c.Dimensions) != 2 || c.Dimensions[0].Found != 1 || c.Dimensions[0].Indicators != 2 {
		t.Errorf("dimensions = %+v", c.Dimensions)
	}
	// Roll-up: 3 comparable unit-years (B 2020 has a missing month), all equal.
	if len(c.Rollups) != 1 || c.Rollups[0].Compared != 3 || !c.Rollups[0].Agrees || c.Rollups[0].MaxAbs != 0 {
		t.Errorf("rollups = %+v", c.Rollups)
	}
	if len(c.Pilots) != 1 || c.Pilots[0].Units != 1 || c.Pilots[0].Never != 1 || c.Pilots[0].Cohorts["2021"] != 1 {
		t.Errorf("pilots = %+v", c.Pilots)
	}
}

func TestCheckDataRollupDisagrees(t *testing.T) {
	fw, err := framework.Load(strings.NewReader(testFramework), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	annual, monthly := testPanels(t)
	annual.Col("m")[1] = 18.5 // A 2021: supplied 18.5, months say 17.5 (beyond rounding at 1 decimal)
	c := CheckData(fw, []*panel.Panel{annual, monthly}, CheckOptions{})
	r := c.Rollups[0]
	if r.Agrees || r.MaxAbs != 1 || math.Abs(r.MaxRel-1/18.5) > 1e-15 {
		t.Errorf("rollup = %+v; want disagreement of 1 (relative 1/18.5)", r)
	}
	found := false
	for _, p := range c.Problems {
		found = found || strings.Contains(p, "indicator m: month data rolled up by mean differ")
	}
	if !found {
		t.Errorf("problems %q lack the roll-up disagreement", c.Problems)
	}
}

func TestCheckDataRollupRounding(t *testing.T) {
	fw, err := framework.Load(strings.NewReader(testFramework), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	annual, monthly := testPanels(t)
	// Supplied values written with one decimal: 5.55 → 5.6 is within rounding,
	// even though 0.05/5.5 is 0.9% and 0.05 would exceed 1% of a value below 5.
	m := annual.Col("m")
	m[0], m[2] = 5.6, 5.5
	monthly.Col("m")[0] = 0.6 // A's 2020 mean becomes 5.55
	c := CheckData(fw, []*panel.Panel{annual, monthly}, CheckOptions{RollupTol: 1e-9})
	if r := c.Rollups[0]; !r.Agrees || r.Decimals != 1 || math.Abs(r.MaxAbs-0.05) > 1e-12 {
		t.Errorf("rollup = %+v; want agreement within rounding at 1 decimal", r)
	}
	if d := decimals([]float64{1, 2.5, 3.25, math.NaN()}); d != 2 {
		t.Errorf("decimals = %d; want 2", d)
	}
}
