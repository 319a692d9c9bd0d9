package econ

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// genPanel returns a balanced panel of units × periods with unit and
// period effects, three regressors correlated with the unit effect, and
// y = 1·x1 − 0.5·x2 + 0.25·x3 + α_i + γ_t + ε.
func genPanel(units, periods int, seed uint64) *Design {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := units * periods
	d := &Design{YName: "y", Y: make([]float64, n),
		XNames: []string{"x1", "x2", "x3"}, X: [][]float64{make([]float64, n), make([]float64, n), make([]float64, n)},
		FENames: []string{"unit", "period"}, FE: [][]int32{make([]int32, n), make([]int32, n)}}
	gamma := make([]float64, periods)
	for t := range gamma {
		gamma[t] = rng.NormFloat64()
	}
	for u := range units {
		a := rng.NormFloat64()
		for t := range periods {
			i := u*periods + t
			d.FE[0][i], d.FE[1][i] = int32(u), int32(t)
			x1 := rng.NormFloat64() + 0.5*a
			x2 := rng.NormFloat64() + 0.3*gamma[t]
			x3 := rng.NormFloat64()
			d.X[0][i], d.X[1][i], d.X[2][i] = x1, x2, x3
			d.Y[i] = x1 - 0.5*x2 + 0.25*x3 + a + gamma[t] + rng.NormFloat64()
		}
	}
	return d
}

// BenchmarkFitPanel: two-way FE OLS clustered by unit on generated panels.
func BenchmarkFitPanel(b *testing.B) {
	for _, s := range []struct{ units, periods int }{{290, 16}, {10000, 100}} {
		d := genPanel(s.units, s.periods, 1)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("units=%d/periods=%d/workers=%d", s.units, s.periods, workers), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Fit(d, Options{Workers: workers}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkFitTrade: fixest's gravity OLS with 4 fixed effects, two-way
// clustered, on the 38,325-row trade data (formula evaluation included).
func BenchmarkFitTrade(b *testing.B) {
	data := readFrame(b, "testdata/fixest_trade.csv", "Year", "Product")
	f := "log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year"
	b.Run("fe=4", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Estimate(data, f, Options{Cluster: []string{"Origin", "Destination"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	f2 := "log(Euros) ~ log(dist_km) | Origin + Destination"
	b.Run("fe=2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Estimate(data, f2, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDemean: the demeaning alone (4 columns, two FE, 1M rows), the
// part that permutation inference can reuse.
func BenchmarkDemean(b *testing.B) {
	d := genPanel(10000, 100, 1)
	cols := append([][]float64{d.Y}, d.X...)
	dst := make([][]float64, len(cols))
	for j := range dst {
		dst[j] = make([]float64, len(d.Y))
	}
	ng := []int{10000, 100}
	b.ReportAllocs()
	for b.Loop() {
		Demean(dst, cols, d.FE, ng, nil, Options{})
	}
}
