package econ

import (
	"math"
	"testing"
)

// demoStaggeredData generates n synthetic cities × 2010–2025 (demo.Generate
// with random assignment, no missing cells, a dynamic effect on
// digital_econ_share) with every pilot cohort of the smart-city programme
// (several adoption years) and the never-treated cities. It returns the
// data and the true overall ATT Σ_a w_a ATT_a, where ATT_a is the mean of
// Y(1) − Y(0) over the cohort's post-periods (demo.Truth.ATT) and w_a its
// share of treated unit-periods, the weights of StaggeredSDID.
func demoStaggeredData(tb testing.TB, n int) (SynthData, float64) {
	tb.Helper()
	const code = "digital_econ_share"
	ds := demoSDIDDataset(tb, code, n)
	p := ds.Annual
	pol := ds.Treatments[0].Policy
	y := p.Col(code)
	nt := p.NPeriods()
	first := p.Start.Year()
	last := first + nt - 1
	var d SynthData
	size := map[int]int{}
	for u, c := range p.Cohort(pol) {
		ty := math.MinInt
		if c != math.MinInt {
			ty = first + c
			size[ty]++
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
	var num, den float64
	for a, na := range size {
		if a <= first {
			tb.Fatalf("cohort %d treated in the first period", a)
		}
		var att float64
		for yr := a; yr <= last; yr++ {
			v, ok := ds.Truth.ATT(code, a, yr-a)
			if !ok {
				tb.Fatalf("no truth for cohort %d at %d", a, yr)
			}
			att += v
		}
		w := float64(na * (last - a + 1))
		num += att / float64(last-a+1) * w
		den += w
	}
	return d, num / den
}

// On generated data with a known dynamic effect and staggered pilot
// batches, staggered synthetic DID recovers the true overall ATT within 3
// jackknife SEs, and the bootstrap SE is of the jackknife's size.
func TestStaggeredSDIDDemoTruth(t *testing.T) {
	d, truth := demoStaggeredData(t, 300)
	r, err := StaggeredSDID(d, "", SDIDOptions{Bootstrap: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cohorts) < 3 {
		t.Fatalf("%d cohorts; want the demo's staggered batches", len(r.Cohorts))
	}
	if z := (r.Estimate - truth) / r.JackknifeSE; math.Abs(z) > 3 {
		t.Errorf("estimate %v, truth %v, jackknife SE %v (z = %.2f)", r.Estimate, truth, r.JackknifeSE, z)
	}
	if q := r.BootstrapSE / r.JackknifeSE; q < 0.5 || q > 2 {
		t.Errorf("bootstrap SE %v, jackknife SE %v", r.BootstrapSE, r.JackknifeSE)
	}
	t.Logf("%d cohorts, estimate %.4f truth %.4f, jackknife SE %.4f bootstrap SE %.4f", len(r.Cohorts), r.Estimate, truth, r.JackknifeSE, r.BootstrapSE)
}
