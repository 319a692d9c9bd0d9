package econ

import (
	"math"
	"testing"

	"github.com/cityimpact/cityimpact/demo"
)

// On synthetic demo data with a homogeneous effect (2 percentage points on
// digital_econ_share from the adoption year on, no ramp, no heterogeneity,
// random assignment, common trends) TWFE recovers the true ATT that
// demo.Truth computes from the potential outcomes, within sampling error:
// |β − ATT| < 3 clustered SEs. With homogeneous effects TWFE is unbiased
// even under staggered adoption (Goodman-Bacon 2021, the negative weights
// multiply effect differences that are zero here).
func TestTWFERecoversDemoEffect(t *testing.T) {
	const ind = "digital_econ_share"
	opts := demo.DefaultOptions(2024)
	opts.RandomAssignment = true
	opts.CommonTrends = true
	opts.Effects = []demo.Effect{{Indicator: ind, Size: 2, Scale: demo.InUnits}}
	ds, err := demo.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := ds.Annual
	data, err := PanelFrame(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := data.AddFloat("pilot", p.Dummy(demo.Policy)); err != nil {
		t.Fatal(err)
	}
	r, err := TWFE(data, ind, "pilot", "unit", "year", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	truth := ds.Truth.Indicator(ind)
	if truth == nil {
		t.Fatal("no truth for " + ind)
	}
	c := mustCoef(t, r, "pilot")
	if math.Abs(c.Estimate-truth.ATT) > 3*c.SE {
		t.Errorf("TWFE = %.4f (se %.4f); true ATT %.4f", c.Estimate, c.SE, truth.ATT)
	}
	if math.Abs(truth.ATT-2) > 0.1 {
		t.Errorf("true ATT %.4f; the generator was asked for 2", truth.ATT)
	}
	t.Logf("TWFE %.4f (%.4f), truth %.4f, n = %d", c.Estimate, c.SE, truth.ATT, r.NObs)
}
