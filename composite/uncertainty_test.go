package composite_test

import (
	"math"
	"reflect"
	"runtime"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
)

func mcOptions() composite.UncertaintyOptions {
	return composite.UncertaintyOptions{
		Replicates: 100, Seed: 7, Period: -1, Spread: 0.25,
		Normalisations: []composite.NormMethod{composite.MinMax, composite.Percentile},
		Aggregations:   []composite.AggMethod{composite.AggLinear, composite.AggGeometric},
		MissingRules:   []composite.MissingRule{composite.MissingReweight, composite.MissingPeriodMean},
	}
}

// TestUncertaintyDeterministic: the same seed gives the same result for any
// number of workers and any GOMAXPROCS; another seed gives another.
func TestUncertaintyDeterministic(t *testing.T) {
	root, d := demoData(t, 40)
	x, err := composite.Compute(root, d, composite.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ref *composite.UncertaintyResult
	for _, procs := range []int{1, 2, 7} {
		for _, workers := range []int{0, 1, 3} {
			old := runtime.GOMAXPROCS(procs)
			o := mcOptions()
			o.Workers = workers
			r, err := x.Uncertainty(o)
			runtime.GOMAXPROCS(old)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = r
				continue
			}
			if !reflect.DeepEqual(r, ref) {
				t.Fatalf("GOMAXPROCS=%d workers=%d: result differs", procs, workers)
			}
		}
	}
	if len(ref.Sensitivity) != 4 || ref.Evaluations != 600 {
		t.Fatalf("%d factors, %d evaluations; want 4 and 100·(4+2)", len(ref.Sensitivity), ref.Evaluations)
	}
	for _, s := range ref.Sensitivity {
		if !(s.Total >= 0) || math.IsNaN(s.First) {
			t.Errorf("%s: S = %v, ST = %v", s.Factor, s.First, s.Total)
		}
	}
	spread := false
	for _, u := range ref.Units {
		if !(u.P05 <= u.Median && u.Median <= u.P95) {
			t.Errorf("%s: p05 %v median %v p95 %v out of order", u.Unit, u.P05, u.Median, u.P95)
		}
		spread = spread || u.P95 > u.P05
	}
	if !spread {
		t.Error("no rank varies under ±25% weights and four method choices")
	}
	o := mcOptions()
	o.Seed = 8
	r, _ := x.Uncertainty(o)
	if reflect.DeepEqual(r.Units, ref.Units) {
		t.Error("seed 8 gives the same draws as seed 7")
	}
}

// TestUncertaintyKnown: with no factor varied, every draw is the baseline:
// the rank interval is the index's rank and no factor has any effect. With
// identical indicators, any weights give the same scores: zero spread.
func TestUncertaintyKnown(t *testing.T) {
	root, d := demoData(t, 30)
	x, err := composite.Compute(root, d, composite.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := x.Uncertainty(composite.UncertaintyOptions{Replicates: 20, Seed: 1, Period: -1})
	if err != nil {
		t.Fatal(err)
	}
	last := len(d.Periods) - 1
	for u, uu := range r.Units {
		want := x.Rank[x.Row(u, last)]
		if uu.Median != want || uu.P05 != want || uu.P95 != want || uu.Baseline != want {
			t.Fatalf("%s: ranks %+v, want all %v", uu.Unit, uu, want)
		}
	}
	if len(r.Sensitivity) != 0 || r.MeanShift != 0 {
		t.Errorf("no factor varied: sensitivity %v, mean shift %v", r.Sensitivity, r.MeanShift)
	}
	// The same for geometric aggregation (the Monte Carlo's column path
	// must give the index's numbers).
	xg, err := composite.Compute(root, d, composite.IndexOptions{Aggregate: composite.AggGeometric})
	if err != nil {
		t.Fatal(err)
	}
	rg, err := xg.Uncertainty(composite.UncertaintyOptions{Replicates: 4, Seed: 1, Period: -1})
	if err != nil {
		t.Fatal(err)
	}
	for u, uu := range rg.Units {
		if want := xg.Rank[xg.Row(u, last)]; uu.P05 != want || uu.P95 != want {
			t.Fatalf("geometric %s: ranks %+v, want %v", uu.Unit, uu, want)
		}
	}

	// Identical indicators: a city's indicator values are all one number.
	first := make([]float64, len(d.Values["g5_coverage"]))
	for i := range first {
		first[i] = float64((i*7919)%101) + 1
	}
	for code := range d.Values {
		d.Values[code] = first
	}
	var benefit func(n *composite.Node)
	benefit = func(n *composite.Node) {
		n.Direction = composite.Benefit
		for _, c := range n.Children {
			benefit(c)
		}
	}
	benefit(root)
	x, err = composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual})
	if err != nil {
		t.Fatal(err)
	}
	o := composite.UncertaintyOptions{Replicates: 50, Seed: 3, Period: -1, Noise: composite.NoiseDirichlet, Concentration: 5}
	r, err = x.Uncertainty(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, uu := range r.Units {
		if uu.P05 != uu.P95 {
			t.Fatalf("%s: rank interval [%v, %v] with identical indicators", uu.Unit, uu.P05, uu.P95)
		}
	}
	if r.Sensitivity[0].First != 0 || r.Sensitivity[0].Total != 0 {
		t.Errorf("weights sensitivity %+v with identical indicators", r.Sensitivity[0])
	}
}
