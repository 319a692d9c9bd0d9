package composite_test

import (
	"math"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
)

// FuzzCompute: any values (missing included) and any method choice either
// give an error or an index whose linear min-max scores lie in [0, 1],
// whose ranks are within 1…units and whose contributions add up to the
// change; the Monte Carlo on it never panics.
func FuzzCompute(f *testing.F) {
	f.Add([]byte{0, 5, 10, 10, 5, 0, 4, 2, 0, 4, 2, 0, 1, 3, 5, 1, 3, 5}, uint8(0))
	f.Add([]byte{255, 5, 10, 255, 5, 0, 4, 255, 0, 4, 2, 0, 1, 3, 5, 1, 3, 255}, uint8(7))
	f.Fuzz(func(t *testing.T, b []byte, choice uint8) {
		root, d := small()
		codes := []string{"i1", "i2", "i3"}
		for j, c := range codes {
			col := make([]float64, 6)
			for i := range col {
				k := j*6 + i
				col[i] = math.NaN()
				if k < len(b) && b[k] != 255 {
					col[i] = float64(b[k])
				}
			}
			d.Values[c] = col
		}
		opt := composite.IndexOptions{
			Weighting:        []composite.WeightMethod{composite.WeightEntropy, composite.WeightEqual, composite.WeightCV, composite.WeightSD}[choice%4],
			Aggregate:        []composite.AggMethod{composite.AggLinear, composite.AggGeometric, composite.AggTOPSIS, composite.AggGRA}[(choice/4)%4],
			Missing:          []composite.MissingRule{composite.MissingReweight, composite.MissingNone, composite.MissingPeriodMean, composite.MissingUnitMean}[(choice/16)%4],
			PerPeriod:        choice >= 64 && choice < 128,
			WeightsPerPeriod: choice%3 == 0,
			Normalise:        []composite.NormMethod{composite.MinMax, composite.Percentile}[(choice/128)%2],
		}
		x, err := composite.Compute(root, d, opt)
		if err != nil {
			return
		}
		for p, s := range x.Score {
			for i, v := range s {
				if v < -1e-9 || v > 1+1e-9 {
					t.Fatalf("%s row %d: score %v outside [0, 1]", x.Codes[p], i, v)
				}
			}
		}
		for i, r := range x.Rank {
			if r < 1 || r > 3 {
				t.Fatalf("row %d: rank %v", i, r)
			}
			if math.IsNaN(x.Change[0][i]) {
				continue
			}
			s := x.Other[i]
			for l := range x.Leaves {
				s += x.Contribution[l][i]
			}
			if math.Abs(s-x.Change[0][i]) > 1e-9 {
				t.Fatalf("row %d: contributions %v, change %v", i, s, x.Change[0][i])
			}
		}
		if _, err := x.Uncertainty(composite.UncertaintyOptions{Replicates: 3, Period: -1, Spread: 0.5,
			Aggregations: []composite.AggMethod{opt.Aggregate, composite.AggLinear}}); err != nil {
			t.Log(err)
		}
	})
}
