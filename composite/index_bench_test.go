package composite_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/demo"
	"github.com/cityimpact/cityimpact/evaluation"
	"github.com/cityimpact/cityimpact/framework"
)

var (
	benchIdxMu   sync.Mutex
	benchIdxData = map[string]*composite.Data{}
	benchIdxRoot = map[string]*composite.Node{}
)

// benchIndexData returns a demo panel of units × years (seed-2025, 35
// indicators, 3% missing), generated once per size.
func benchIndexData(b *testing.B, units, start, end int) (*composite.Node, *composite.Data) {
	benchIdxMu.Lock()
	defer benchIdxMu.Unlock()
	key := fmt.Sprint(units, start, end)
	if d, ok := benchIdxData[key]; ok {
		return benchIdxRoot[key], d
	}
	o := demo.DefaultOptions(1)
	o.NUnits, o.StartYear, o.EndYear = units, start, end
	ds, err := demo.Generate(o)
	if err != nil {
		b.Fatal(err)
	}
	fw, err := framework.Template("seed-2025")
	if err != nil {
		b.Fatal(err)
	}
	p := ds.Annual
	d := &composite.Data{Values: map[string][]float64{}, Peers: map[string]composite.PeerGroups{}}
	for _, u := range p.Units {
		d.Units = append(d.Units, u.Code)
	}
	for t := range p.NPeriods() {
		d.Periods = append(d.Periods, p.Period(t).String())
	}
	for _, c := range p.Indicators() {
		d.Values[c] = p.Col(c)
	}
	for _, attr := range []string{"region", "tier", "province"} {
		labels, of, _ := p.Groups(attr)
		d.Peers[attr] = composite.PeerGroups{Labels: labels, Of: of}
	}
	root := evaluation.CompositeTree(fw.Goal, p.Units)
	benchIdxData[key], benchIdxRoot[key] = d, root
	return root, d
}

// BenchmarkIndex: the full index (pooled min-max, entropy per node, all
// results including contributions and U4SSC points) on seed-2025's 35
// indicators.
func BenchmarkIndex(b *testing.B) {
	for _, s := range []struct{ units, start, end int }{{290, 2010, 2025}, {10000, 2006, 2025}} {
		for _, agg := range []composite.AggMethod{composite.AggLinear, composite.AggTOPSIS} {
			b.Run(fmt.Sprintf("units=%d/years=%d/indicators=35/%s", s.units, s.end-s.start+1, agg), func(b *testing.B) {
				root, d := benchIndexData(b, s.units, s.start, s.end)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := composite.Compute(root, d, composite.IndexOptions{Aggregate: agg}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkUncertainty: 1,000 base replicates (6,000 index evaluations:
// weights ±25%, two normalisations, two aggregations, three missing-value
// rules) plus 35 leave-one-out runs, on 290 cities × 16 years.
func BenchmarkUncertainty(b *testing.B) {
	root, d := benchIndexData(b, 290, 2010, 2025)
	x, err := composite.Compute(root, d, composite.IndexOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("units=290/years=16/replicates=%d", n), func(b *testing.B) {
			o := composite.UncertaintyOptions{Replicates: n, Seed: 1, Period: -1, Spread: 0.25,
				Normalisations: []composite.NormMethod{composite.MinMax, composite.Percentile},
				Aggregations:   []composite.AggMethod{composite.AggLinear, composite.AggGeometric},
				MissingRules:   []composite.MissingRule{composite.MissingReweight, composite.MissingPeriodMean, composite.MissingUnitMean}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := x.Uncertainty(o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
