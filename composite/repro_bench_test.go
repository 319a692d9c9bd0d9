package composite_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
)

// bench40 is the size: 290 cities × 16 years × 40 indicators in 5
// dimensions of 8, log-normal values (every fifth indicator a cost), 3% of
// cells missing, four regions as peer groups; PCG seed 1.
func bench40() (*composite.Node, *composite.Data) {
	const units, years, dims, per = 290, 16, 5, 8
	rng := rand.New(rand.NewPCG(1, 0))
	d := &composite.Data{Values: map[string][]float64{}, Peers: map[string]composite.PeerGroups{}}
	for u := range units {
		d.Units = append(d.Units, fmt.Sprintf("C%03d", u))
	}
	for t := range years {
		d.Periods = append(d.Periods, fmt.Sprint(2010+t))
	}
	root := &composite.Node{Code: "goal"}
	for k := range dims {
		dim := &composite.Node{Code: fmt.Sprintf("d%d", k)}
		for j := range per {
			code := fmt.Sprintf("d%d_i%d", k, j)
			dir := composite.Benefit
			if j%5 == 4 {
				dir = composite.Cost
			}
			dim.Children = append(dim.Children, &composite.Node{Code: code, Direction: dir, Floor: math.NaN()})
			col := make([]float64, units*years)
			for u := range units {
				level := rng.NormFloat64()
				for t := range years {
					col[u*years+t] = math.Exp(level + 0.05*float64(t) + 0.3*rng.NormFloat64())
					if rng.Float64() < 0.03 {
						col[u*years+t] = math.NaN()
					}
				}
			}
			d.Values[code] = col
		}
		root.Children = append(root.Children, dim)
	}
	of := make([]int32, units)
	for u := range of {
		of[u] = int32(u % 4)
	}
	d.Peers["region"] = composite.PeerGroups{Labels: []string{"east", "central", "west", "northeast"}, Of: of}
	return root, d
}

// BenchmarkEntropyTOPSISRanks40 is the benchmark: entropy weights
// + TOPSIS + ranks at 290 × 16 × 40. "kernels" is the decision-matrix path
// (pooled direction-aware min-max of the 4,640 × 40 matrix, the complete
// rows gathered, flat entropy weights, TOPSIS over all of them pooled,
// ranks within each year); "index" the whole pipeline
// (Compute with entropy per node and TOPSIS at every node, with every
// result: ranks overall and by region, grades, contributions, U4SSC).
func BenchmarkEntropyTOPSISRanks40(b *testing.B) {
	root, d := bench40()
	b.Run("kernels/units=290/years=16/indicators=40", func(b *testing.B) {
		var raw [][]float64
		var dirs []composite.Direction
		for _, dim := range root.Children {
			for _, ind := range dim.Children {
				raw = append(raw, d.Values[ind.Code])
				dirs = append(dirs, ind.Direction)
			}
		}
		rows := len(raw[0])
		norm := make([][]float64, len(raw))
		for j := range norm {
			norm[j] = make([]float64, rows)
		}
		// Complete rows only, so TOPSIS scores every row it is given.
		var keep []int
		for i := range rows {
			ok := true
			for j := range raw {
				ok = ok && !math.IsNaN(raw[j][i])
			}
			if ok {
				keep = append(keep, i)
			}
		}
		const years = 16
		byYear := make([][]int, years) // positions in keep, per year
		for k, i := range keep {
			byYear[i%years] = append(byYear[i%years], k)
		}
		ys, yr := make([]float64, len(keep)), make([]float64, len(keep))
		w := make([]float64, len(raw))
		sub := make([][]float64, len(raw))
		score := make([]float64, len(keep))
		rank := make([]float64, len(keep))
		b.ReportAllocs()
		for b.Loop() {
			for j := range raw {
				if _, err := (composite.Normaliser{Method: composite.MinMax, Direction: dirs[j]}).Apply(norm[j], raw[j]); err != nil {
					b.Fatal(err)
				}
			}
			sub = composite.Gather(sub, norm, keep)
			if _, err := composite.Entropy(w, sub, composite.EntropyOptions{Shift: 1e-4}); err != nil {
				b.Fatal(err)
			}
			if _, err := composite.TOPSIS(score, sub, w, nil, composite.TOPSISOptions{}); err != nil {
				b.Fatal(err)
			}
			for _, ks := range byYear {
				for n, k := range ks {
					ys[n] = score[k]
				}
				composite.Ranks(yr[:len(ks)], ys[:len(ks)], composite.Benefit)
				for n, k := range ks {
					rank[k] = yr[n]
				}
			}
		}
	})
	b.Run("index/units=290/years=16/indicators=40", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := composite.Compute(root, d, composite.IndexOptions{Aggregate: composite.AggTOPSIS}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUncertainty40: Monte Carlo with 10,000 draws at 290 × 16 × 40:
// weights ±25%, min-max or percentile, linear or geometric, three
// missing-value rules (60,000 index evaluations of the last year in
// Saltelli's design) plus 40 leave-one-out runs.
func BenchmarkUncertainty40(b *testing.B) {
	root, d := bench40()
	x, err := composite.Compute(root, d, composite.IndexOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("units=290/years=16/indicators=40/replicates=10000", func(b *testing.B) {
		o := composite.UncertaintyOptions{Replicates: 10000, Seed: 1, Period: -1, Spread: 0.25,
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
