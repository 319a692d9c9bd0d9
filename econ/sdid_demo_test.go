package econ

import (
	"math"
	"testing"

	"github.com/cityimpact/cityimpact/demo"
)

// demoSDIDPanel generates n synthetic cities × 2010–2025 (demo.Generate,
// random assignment, no missing cells, a dynamic effect on
// digital_econ_share) and keeps the cities of the 2015 pilot cohort
// (treated from 2015) and the never-treated ones, as synthetic DID needs
// simultaneous adoption. It returns the panel and the true ATT averaged
// over 2015–2025 (demo.Truth.ATT: mean of Y(1) − Y(0) in the cohort).
func demoSDIDPanel(tb testing.TB, n int) (*SynthPanel, float64) {
	tb.Helper()
	const code, cohort = "digital_econ_share", 2015
	ds := demoSDIDDataset(tb, code, n)
	p := ds.Annual
	pol := ds.Treatments[0].Policy
	y := p.Col(code)
	nt := p.NPeriods()
	first := p.Start.Year()
	var d SynthData
	for u, c := range p.Cohort(pol) {
		ty := math.MinInt
		if c != math.MinInt {
			ty = first + c
			if ty != cohort {
				continue
			}
		}
		for k := range nt {
			tr := 0.0
			if ty != math.MinInt && first+k >= ty {
				tr = 1
			}
			d.Unit = append(d.Unit, p.Units[u].Code)
			d.Time = append(d.Time, first+k)
			d.Outcome = append(d.Outcome, y[u*nt+k])
			d.Treat = append(d.Treat, tr)
		}
	}
	sp, err := NewSynthPanel(d, code)
	if err != nil {
		tb.Fatal(err)
	}
	var truth float64
	last := first + nt - 1
	for yr := cohort; yr <= last; yr++ {
		att, ok := ds.Truth.ATT(code, cohort, yr-cohort)
		if !ok {
			tb.Fatalf("no truth at %d", yr)
		}
		truth += att
	}
	return sp, truth / float64(last-cohort+1)
}

// On generated data with a known dynamic effect, synthetic DID, SC and DID
// recover the true ATT of the 2015 cohort within 3 jackknife SEs.
func TestSyntheticDIDDemoTruth(t *testing.T) {
	p, truth := demoSDIDPanel(t, 300)
	t.Logf("%d controls, %d treated, %d pre-periods; true ATT %.4f", p.N0, p.N()-p.N0, p.T0, truth)
	for _, m := range []SDIDMethod{SDIDSynth, SDIDSC, SDIDDID} {
		r, err := SyntheticDID(p, SDIDOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: %.4f (jackknife SE %.4f)", m, r.Estimate, r.JackknifeSE)
		if !(math.Abs(r.Estimate-truth) < 3*r.JackknifeSE) {
			t.Errorf("%v: estimate %.4f, SE %.4f; truth %.4f", m, r.Estimate, r.JackknifeSE, truth)
		}
	}
}

// demoBenchPanel is all n generated cities × 2010–2025 (digital_econ_share,
// no missing cells), every tenth city (by code) marked treated from 2015:
// a panel of the benchmark's size; the marking carries no effect.
func demoBenchPanel(tb testing.TB, n int) *SynthPanel {
	tb.Helper()
	const code = "digital_econ_share"
	opts := demo.DefaultOptions(20261128)
	opts.NUnits = n
	opts.Monthly = false
	opts.MissingShare = 0
	for _, s := range demo.Seed2025() {
		if s.Code == code {
			opts.Indicators = append(opts.Indicators, s)
		}
	}
	opts.Effects = []demo.Effect{}
	ds, err := demo.Generate(opts)
	if err != nil {
		tb.Fatal(err)
	}
	p := ds.Annual
	y := p.Col(code)
	nt := p.NPeriods()
	first := p.Start.Year()
	var d SynthData
	for u := range p.NUnits() {
		for k := range nt {
			tr := 0.0
			if u%10 == 0 && first+k >= 2015 {
				tr = 1
			}
			d.Unit = append(d.Unit, p.Units[u].Code)
			d.Time = append(d.Time, first+k)
			d.Outcome = append(d.Outcome, y[u*nt+k])
			d.Treat = append(d.Treat, tr)
		}
	}
	sp, err := NewSynthPanel(d, code)
	if err != nil {
		tb.Fatal(err)
	}
	return sp
}

// BenchmarkSyntheticDID times synthdid_estimate's equivalent (weights,
// estimate, jackknife SE, plot data) on the Proposition 99 panel (39 × 31)
// and on 300 generated cities × 16 years (30 treated), and the placebo SE with 200
// replications on Proposition 99.
func BenchmarkSyntheticDID(b *testing.B) {
	prop, err := NewSynthPanel(readProp99(b, []string{"California"}), "")
	if err != nil {
		b.Fatal(err)
	}
	demoP := demoBenchPanel(b, 300)
	for _, c := range []struct {
		name string
		p    *SynthPanel
		opts SDIDOptions
	}{
		{"prop99/sdid", prop, SDIDOptions{}},
		{"prop99/sc", prop, SDIDOptions{Method: SDIDSC}},
		{"prop99/sdid+placebo200", prop, SDIDOptions{Placebo: 200, Seed: 1}},
		{"demo300x16/sdid", demoP, SDIDOptions{}},
		{"demo300x16/sc", demoP, SDIDOptions{Method: SDIDSC}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SyntheticDID(c.p, c.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// demoSDIDDataset generates the demo panel of the synthetic-DID tests: n
// cities, the one indicator code, complete cells, random pilot assignment
// and a known effect of 2 units growing over event time (0.5, 1, 1.5, 2).
func demoSDIDDataset(tb testing.TB, code string, n int) *demo.Dataset {
	tb.Helper()
	opts := demo.DefaultOptions(20261128)
	opts.NUnits = n
	opts.Monthly = false
	for _, s := range demo.Seed2025() {
		if s.Code == code {
			opts.Indicators = append(opts.Indicators, s)
		}
	}
	opts.RandomAssignment = true
	opts.MissingShare = 0
	opts.Effects = []demo.Effect{{Indicator: code, Size: 2, Scale: demo.InUnits,
		Profile: []float64{0.5, 1, 1.5, 2}}}
	ds, err := demo.Generate(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}
