package econ

import (
	"math"
	"testing"
)

// BenchmarkBacon decomposes a balanced panel of 5,000 units × 20 periods
// with four adoption cohorts and never-treated units (100,000 rows, 16
// 2×2 comparisons).
func BenchmarkBacon(b *testing.B) {
	const N, T = 5000, 20
	y := make([]float64, N*T)
	d := make([]float64, N*T)
	uc := make([]float64, N*T)
	tc := make([]float64, N*T)
	cohorts := []int{5, 8, 12, 15, T}
	for u := range N {
		g := cohorts[u%len(cohorts)]
		for k := range T {
			i := u*T + k
			uc[i], tc[i] = float64(u), float64(2000+k)
			y[i] = math.Sin(float64(u*31+k*7)) + 0.05*float64(k)
			if k >= g {
				d[i] = 1
				y[i] += 0.1 * float64(k-g+1)
			}
		}
	}
	f := NewFrame(N * T)
	for _, c := range []struct {
		n string
		x []float64
	}{{"id", uc}, {"year", tc}, {"y", y}, {"d", d}} {
		if err := f.AddFloat(c.n, c.x); err != nil {
			b.Fatal(err)
		}
	}
	spec := BaconSpec{Outcome: "y", Treat: "d", Unit: "id", Time: "year"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Bacon(f, spec); err != nil {
			b.Fatal(err)
		}
	}
}
