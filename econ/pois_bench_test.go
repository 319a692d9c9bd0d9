package econ

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkPoisTrade: fixest's fepois gravity model on its trade data,
// Euros ~ log(dist_km) | Origin + Destination + Product + Year, two-way
// clustered by Origin and Destination, from the Frame to the result.
func BenchmarkPoisTrade(b *testing.B) {
	data := readFrame(b, "testdata/fixest_trade.csv", "Year", "Product")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EstimatePois(data, "Euros ~ log(dist_km) | Origin + Destination + Product + Year", Options{VCov: VCovTwoWay}); err != nil {
			b.Fatal(err)
		}
	}
}

// genCountPanel: units × periods with unit and period effects and counts
// y ~ Poisson(exp(0.5 x1 − 0.3 x2 + α_i + γ_t)).
func genCountPanel(units, periods int, seed uint64) *Design {
	rng := rand.New(rand.NewPCG(seed, 2))
	n := units * periods
	d := &Design{YName: "y", Y: make([]float64, n), XNames: []string{"x1", "x2"},
		X: [][]float64{make([]float64, n), make([]float64, n)}, FENames: []string{"unit", "period"},
		FE: [][]int32{make([]int32, n), make([]int32, n)}, Unit: make([]int32, n), Time: make([]int32, n)}
	gamma := make([]float64, periods)
	for t := range gamma {
		gamma[t] = 0.3 * rng.NormFloat64()
	}
	for u := range units {
		a := 0.5 * rng.NormFloat64()
		for t := range periods {
			i := u*periods + t
			d.FE[0][i], d.FE[1][i] = int32(u), int32(t)
			d.Unit[i], d.Time[i] = int32(u), int32(t)
			x1, x2 := rng.NormFloat64()+0.3*a, rng.NormFloat64()
			d.X[0][i], d.X[1][i] = x1, x2
			d.Y[i] = float64(poisson(rng, math.Exp(0.5*x1-0.3*x2+a+gamma[t]+1)))
		}
	}
	return d
}

// BenchmarkPoisPanel: Poisson with unit and period FE, clustered by unit.
func BenchmarkPoisPanel(b *testing.B) {
	for _, s := range []struct{ units, periods int }{{290, 16}, {10000, 100}} {
		d := genCountPanel(s.units, s.periods, 1)
		b.Run(fmt.Sprintf("units=%d/periods=%d", s.units, s.periods), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FitPois(d, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHAC: two-way FE OLS on the 1M-row generated panel with
// Newey–West (L = 2) and Driscoll–Kraay (L = 2) variances instead of
// clustering, to show the cost of the HAC meat.
func BenchmarkHAC(b *testing.B) {
	d := genPanel(10000, 100, 1)
	n := len(d.Y)
	d.Unit, d.Time = make([]int32, n), make([]int32, n)
	copy(d.Unit, d.FE[0])
	copy(d.Time, d.FE[1])
	for _, v := range []VCovType{VCovCluster, VCovNW, VCovDK} {
		b.Run(fmt.Sprintf("rows=1M/vcov=%v", v), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(d, Options{VCov: v, Lag: 2}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWild: restricted wild cluster bootstrap, 9,999 Rademacher
// draws with the confidence interval, on 290 units × 16 periods clustered
// by 31 provinces (the few-clusters case) and on 1M rows clustered by
// 10,000 units.
func BenchmarkWild(b *testing.B) {
	small := genPanel(290, 16, 1)
	prov := make([]int32, len(small.Y))
	for i, u := range small.FE[0] {
		prov[i] = u % 31
	}
	small.Cluster, small.ClusterNames = [][]int32{prov}, []string{"province"}
	big := genPanel(10000, 100, 1)
	for _, c := range []struct {
		name string
		d    *Design
	}{{"units=290/periods=16/clusters=31", small}, {"units=10000/periods=100/clusters=10000", big}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := WildBootstrap(c.d, "x1", Options{}, WildOptions{Reps: 9999, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
