package composite

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// Benchmark sizes: units × periods × indicators, pooled (all unit-periods
// in one matrix). 300 × 16 × 35 is a prefecture-level panel; 10,000 × 240 ×
// 35 (2.4 M rows, 84 M values, 672 MB) is a county-month stress case.
var benchSizes = []struct{ units, periods, k int }{
	{300, 16, 35},
	{10000, 240, 35},
}

var (
	benchMu   sync.Mutex
	benchData = map[int][][]float64{}
)

// benchMatrix returns a positive rows × k matrix, built once per size.
func benchMatrix(rows, k int) [][]float64 {
	benchMu.Lock()
	defer benchMu.Unlock()
	if x, ok := benchData[rows]; ok {
		return x
	}
	rng := rand.New(rand.NewPCG(uint64(rows), 35))
	x := make([][]float64, k)
	for j := range x {
		x[j] = make([]float64, rows)
		for i := range x[j] {
			x[j][i] = 0.01 + rng.Float64()
		}
	}
	benchData[rows] = x
	return x
}

func BenchmarkEntropy(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("units=%d/periods=%d/indicators=%d", s.units, s.periods, s.k), func(b *testing.B) {
			x := benchMatrix(s.units*s.periods, s.k)
			w := make([]float64, s.k)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Entropy(w, x, EntropyOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTOPSIS(b *testing.B) {
	for _, norm := range []TOPSISNorm{TOPSISVector, TOPSISMinMax} {
		for _, s := range benchSizes {
			b.Run(fmt.Sprintf("norm=%d/units=%d/periods=%d/indicators=%d", norm, s.units, s.periods, s.k), func(b *testing.B) {
				rows := s.units * s.periods
				x := benchMatrix(rows, s.k)
				w := Equal(nil, s.k)
				dirs := make([]Direction, s.k)
				for j := range dirs {
					dirs[j] = Benefit
					if j%3 == 2 {
						dirs[j] = Cost
					}
				}
				dst := make([]float64, rows)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := TOPSIS(dst, x, w, dirs, TOPSISOptions{Norm: norm}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
