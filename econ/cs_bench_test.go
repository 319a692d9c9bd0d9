package econ

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// csDemoPanel is the deterministic demo-size panel of
// testdata/cs/cs_timing.R: 297 units × 16 years (2005–2020), cohorts
// never, 2012, 2013 and 2015 (the pilot batches) by unit index mod 4,
// a covariate x_it = 2 sin(i+1) + 0.01(t − 2005) with an x-specific trend,
// deterministic noise and an effect of 0.3.
func csDemoPanel() CSData {
	var d CSData
	var x []float64
	for i := 0; i <= 296; i++ {
		g := []int{0, 2012, 2013, 2015}[i%4]
		for t := 2005; t <= 2020; t++ {
			xi := 2*math.Sin(float64(i+1)) + 0.01*float64(t-2005)
			y := 0.1*xi*float64(t-2004) + 0.5*math.Sin(12.9898*float64(i)+78.233*float64(t))
			if g > 0 && t >= g {
				y += 0.3
			}
			d.Unit = append(d.Unit, strconv.Itoa(i))
			d.Time = append(d.Time, t)
			d.Outcome = append(d.Outcome, y)
			d.Cohort = append(d.Cohort, g)
			x = append(x, xi)
		}
	}
	d.Covariates = [][]float64{x}
	return d
}

// csLargePanel is the benchmark shape: 5,000 units × 20 periods,
// four cohorts and never-treated units, one covariate.
func csLargePanel() CSData {
	rng := rand.New(rand.NewPCG(1, 2))
	cohorts := []int{0, 2005, 2008, 2011, 2014}
	var d CSData
	var x []float64
	for i := 0; i < 5000; i++ {
		g := cohorts[i%5]
		a := rng.NormFloat64()
		xi := rng.NormFloat64()
		for tt := 2001; tt <= 2020; tt++ {
			y := a + 0.1*float64(tt-2000)*(1+0.2*xi) + rng.NormFloat64()
			if g != 0 && tt >= g {
				y += 0.5 + 0.1*float64(tt-g)
			}
			d.Unit = append(d.Unit, strconv.Itoa(i))
			d.Time = append(d.Time, tt)
			d.Outcome = append(d.Outcome, y)
			d.Cohort = append(d.Cohort, g)
			x = append(x, xi)
		}
	}
	d.Covariates = [][]float64{x}
	return d
}

// csWeighted gives d the sampling weights 1, 1.5 and 2 by unit, in turn.
func csWeighted(d CSData) CSData {
	d.Weights = make([]float64, len(d.Unit))
	idx := map[string]int{}
	for r, u := range d.Unit {
		if _, ok := idx[u]; !ok {
			idx[u] = len(idx)
		}
		d.Weights[r] = 1 + 0.5*float64(idx[u]%3)
	}
	return d
}

// BenchmarkCallawaySantAnnaDR times the doubly robust estimator with one
// covariate, all ATT(g,t) and the four aggregations, analytic and with
// 999 bootstrap draws and uniform bands, on mpdta (500 × 5, ~lpop) and on
// the demo-size panel (297 × 16). testdata/cs/cs_timing.R times R did on
// the same specifications. The weighted cases add sampling weights (and
// the balance_e restriction of the dynamic aggregation) to mpdta (the
// synthetic weights of testdata/cs/cs_weights_reference.R) and to the
// large panel.
func BenchmarkCallawaySantAnnaDR(b *testing.B) {
	mpdta := readMPDTACov(b)
	mpdta.Cluster = nil
	for _, c := range []struct {
		name string
		d    CSData
		opts CSOptions
	}{
		{"mpdta/analytic", mpdta, CSOptions{}},
		{"mpdta/boot=999/cband", mpdta, CSOptions{Boot: 999, CBand: true, Seed: 1}},
		{"demo=297x16/analytic", csDemoPanel(), CSOptions{}},
		{"demo=297x16/boot=999/cband", csDemoPanel(), CSOptions{Boot: 999, CBand: true, Seed: 1}},
		{"demo=297x16/notyet/universal", csDemoPanel(), CSOptions{Control: CSNotYetTreated, Base: CSUniversal}},
		{"large=5000x20/boot=999/cband", csLargePanel(), CSOptions{Boot: 999, CBand: true, Seed: 1}},
		{"mpdta/weighted/balance_e=1", csWeightedMPDTA(b, "panel"), CSOptions{BalanceE: new(1)}},
		{"large=5000x20/weighted/boot=999/cband", csWeighted(csLargePanel()), CSOptions{Boot: 999, CBand: true, Seed: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CallawaySantAnna(c.d, c.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
