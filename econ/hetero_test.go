package econ

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Effects of 1 in regions "east" and "central" and 2 in "west": the
// subgroup regressions equal estimating on each subset by hand, the pooled
// difference west − east is ≈ 1, central − east ≈ 0, and the joint test
// rejects equal effects.
func TestHeterogeneity(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	data := simPanel(rng, 150, 8, 0)
	n := data.Len()
	region := make([]string, n)
	y, _ := data.Float("y")
	d, _ := data.Float("treat")
	y2 := make([]float64, n)
	names := []string{"east", "central", "west"}
	for i := range n {
		u := i / 8
		region[i] = names[u%3]
		eff := 1.0
		if u%3 == 2 {
			eff = 2
		}
		y2[i] = y[i] + eff*d[i]
	}
	data.AddStrings("region", region)
	data.AddFloat("y2", y2)
	const formula = "y2 ~ treat + x | unit + year"
	h, err := EstimateHeterogeneity(data, formula, "treat", "region", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Base != "central" || len(h.Groups) != 3 { // levels sorted: central, east, west
		t.Fatalf("base %q, %d groups", h.Base, len(h.Groups))
	}
	for _, g := range h.Groups {
		if g.Err != nil {
			t.Fatalf("%s: %v", g.Level, g.Err)
		}
		r, err := EstimateExcluding(data, formula, "region", others(names, g.Level), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if c := mustCoef(t, r, "treat"); c != g.Coef {
			t.Errorf("%s: %+v; by hand %+v", g.Level, g.Coef, c)
		}
	}
	want := map[string]float64{"region::east:treat": 0, "region::west:treat": 1}
	for _, c := range h.Differences {
		if math.Abs(c.Estimate-want[c.Name]) > 4*c.SE {
			t.Errorf("%s = %v (se %v); want ≈ %v", c.Name, c.Estimate, c.SE, want[c.Name])
		}
	}
	if h.Test == nil || h.Test.Q != 2 || h.Test.PF > 0.01 {
		t.Errorf("equal-effects test %+v; want Q = 2 and rejection", h.Test)
	}
	if _, err := EstimateHeterogeneity(data, formula, "treat", "nope", Options{}); err == nil {
		t.Error("unknown by column: no error")
	}
	if _, err := EstimateHeterogeneity(data, formula, "x2", "region", Options{}); err == nil {
		t.Error("treatment not in formula: no error")
	}
}

func others(all []string, keep string) []string {
	var out []string
	for _, s := range all {
		if s != keep {
			out = append(out, s)
		}
	}
	return out
}

func TestQuoteLevelAndName(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"-1", "-1"}, {"2015", "2015"}, {"east", `"east"`}, {`a"b`, `'a"b'`}, {"NaN", `"NaN"`}} {
		if got := quoteLevel(c.in); got != c.want {
			t.Errorf("quoteLevel(%q) = %s; want %s", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{{"region", "region"}, {"省份", "省份"}, {"a b", "`a b`"}, {"1x", "`1x`"}} {
		if got := quoteName(c.in); got != c.want {
			t.Errorf("quoteName(%q) = %s; want %s", c.in, got, c.want)
		}
	}
}
