package econ_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/cityimpact/cityimpact/demo"
	"github.com/cityimpact/cityimpact/econ"
)

// TestBaconDemoForbiddenComparisons generates a staggered smart-city panel
// (demo.Generate: cohorts 2012, 2013, 2015 and 2024, random assignment,
// common trends, no missing cells) whose effect grows with time since
// adoption and differs by cohort. The oracle is the generator's truth,
// demo.Truth.ATT(code, cohort, e) (mean of Y(1) − Y(0)).
//
// For a later-vs-earlier 2×2 (Goodman-Bacon 2021, eq. 11–12) the estimate
// is the later group's ATT over its post window minus the change of the
// earlier (control) group's effect between the later group's pre and post
// windows; with effects that grow over time that change is positive, so
// the "forbidden" estimates fall below the truth. Asserted: Theorem 1's
// identity, that every forbidden 2×2 lies below its treated group's true
// ATT by more than sampling noise (a fixed margin), that their weight is
// positive, and that the treated-vs-untreated 2×2s, which are unbiased
// here, lie much closer to their truth on average than the forbidden ones.
func TestBaconDemoForbiddenComparisons(t *testing.T) {
	const code = "digital_econ_share"
	opts := demo.DefaultOptions(20261128)
	for _, s := range demo.Seed2025() {
		if s.Code == code {
			opts.Indicators = append(opts.Indicators, s)
		}
	}
	opts.RandomAssignment = true
	opts.CommonTrends = true
	opts.MissingShare = 0
	opts.Effects = []demo.Effect{{
		Indicator: code, Size: 4, Scale: demo.InUnits,
		Profile: []float64{0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2},
		Cohort:  map[int]float64{2012: 2, 2013: 1, 2015: 0.25, 2024: 0.25},
	}}
	ds, err := demo.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := ds.Annual
	f, err := econ.PanelFrame(p)
	if err != nil {
		t.Fatal(err)
	}
	pol := ds.Treatments[0].Policy
	nt := p.NPeriods()
	first := p.Start.Year()
	d := make([]float64, p.Rows())
	for u, c := range p.Cohort(pol) {
		for k := range nt {
			if c != math.MinInt && k >= c {
				d[u*nt+k] = 1
			}
		}
	}
	if err := f.AddFloat("d", d); err != nil {
		t.Fatal(err)
	}
	r, err := econ.Bacon(f, econ.BaconSpec{Outcome: code, Treat: "d", Unit: "unit", Time: "year"})
	if err != nil {
		t.Fatal(err)
	}
	var sw, swb float64
	for _, q := range r.Pairs {
		sw += q.Weight
		swb += q.Weight * q.Estimate
	}
	if math.Abs(sw-1) > 1e-10 || math.Abs(swb-r.TWFE) > 1e-10 {
		t.Errorf("Σ w = %.15g, Σ w β = %.15g, TWFE %.15g", sw, swb, r.TWFE)
	}
	tw, err := econ.TWFE(f, code, "d", "unit", "year", nil, econ.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := tw.Coefs[0].Estimate; math.Abs(c-r.TWFE) > 1e-10*math.Max(1, math.Abs(c)) {
		t.Errorf("TWFE %v vs feols %v", r.TWFE, c)
	}
	last := first + nt - 1
	// truth is the treated group's mean true effect over the 2×2's post
	// window [from, to] (calendar years), every year weighted equally.
	truth := func(cohort, from, to int) float64 {
		var s float64
		for y := from; y <= to; y++ {
			att, ok := ds.Truth.ATT(code, cohort, y-cohort)
			if !ok {
				t.Fatalf("no truth for cohort %d at e = %d", cohort, y-cohort)
			}
			s += att
		}
		return s / float64(to-from+1)
	}
	const margin = 1.0 // twice the largest treated-vs-untreated error on this seed (0.50, logged)
	var nForbidden int
	var errTU, wTU, errLE, wLE float64
	for _, q := range r.Pairs {
		g, _ := strconv.Atoi(q.Treated)
		var want float64
		switch q.Type {
		case econ.BaconTreatedUntreated:
			want = truth(g, g, last)
			errTU += q.Weight * math.Abs(q.Estimate-want)
			wTU += q.Weight
		case econ.BaconEarlierLater:
			c, _ := strconv.Atoi(q.Control)
			want = truth(g, g, c-1)
		case econ.BaconLaterEarlier:
			nForbidden++
			want = truth(g, g, last)
			errLE += q.Weight * math.Abs(q.Estimate-want)
			wLE += q.Weight
			if !(q.Estimate < want-margin) {
				t.Errorf("forbidden %s vs %s: estimate %.3f not below the truth %.3f by %.1f", q.Treated, q.Control, q.Estimate, want, margin)
			}
		}
		t.Logf("%-25s %s vs %-6s w = %.4f  estimate %8.3f  truth %8.3f", q.Type, q.Treated, q.Control, q.Weight, q.Estimate, want)
	}
	for _, s := range r.ByType {
		t.Logf("%-25s weight %.4f  estimate %8.3f", s.Type, s.Weight, s.Estimate)
	}
	t.Logf("TWFE %.4f; weighted mean |error|: treated vs untreated %.3f, later vs earlier %.3f", r.TWFE, errTU/wTU, errLE/wLE)
	if nForbidden == 0 || !(wLE > 0) {
		t.Fatalf("no forbidden comparisons with weight (%d, %g)", nForbidden, wLE)
	}
	if !(errTU/wTU < errLE/wLE/3) {
		t.Errorf("treated-vs-untreated error %.3f not well below the forbidden comparisons' %.3f", errTU/wTU, errLE/wLE)
	}
}
