package econ

import (
	"math"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

// A panel generated with a known two-way structure and effect: the TWFE
// estimate recovers the coefficient exactly when there is no noise.
func TestPanelFrame(t *testing.T) {
	units := []panel.Unit{{Code: "110000", Province: "北京市"}, {Code: "310000", Province: "上海市"}, {Code: "330100", Province: "浙江省"}, {Code: "330200", Province: "浙江省"}}
	p := panel.New(units, panel.YearPeriod(2010), 6)
	y, x := p.Add("gdp"), p.Add("policy")
	for u := range units {
		for tt := range 6 {
			i := u*6 + tt
			x[i] = math.Sin(float64(3*u + tt*tt))
			y[i] = 2.5*x[i] + float64(u) - 0.3*float64(tt)
		}
	}
	f, err := PanelFrame(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Estimate(f, "gdp ~ policy | unit + period", Options{Cluster: []string{"province"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := mustCoef(t, r, "policy"); math.Abs(c.Estimate-2.5) > 1e-10 {
		t.Errorf("policy = %.15g; want 2.5", c.Estimate)
	}
	if r.Clusters[0] != 3 {
		t.Errorf("%d province clusters; want 3", r.Clusters[0])
	}
}
