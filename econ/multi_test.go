package econ

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// EstimateMulti gives exactly Estimate's results model by model while
// demeaning each distinct column once per sample.
func TestEstimateMulti(t *testing.T) {
	data := simPanel(rand.New(rand.NewPCG(51, 52)), 80, 9, 1)
	y, _ := data.Float("y")
	x, _ := data.Float("x")
	y2, y3 := make([]float64, len(y)), make([]float64, len(y))
	for i := range y {
		y2[i] = 2*y[i] + x[i]*x[i]
		y3[i] = y[i]
		if i%17 == 0 {
			y3[i] = math.NaN() // another sample
		}
	}
	data.AddFloat("y2", y2)
	data.AddFloat("y3", y3)
	formulas := append(MultiOutcome([]string{"y", "y2", "y3"}, "treat + x | unit + year"),
		"y ~ treat | unit + year", "y ~ treat + x", "log(y2) ~ treat + x | unit", "y ~ treat + x | unit[year] + year")
	got, err := EstimateMulti(data, formulas, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for m, s := range formulas {
		want, err := Estimate(data, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[m].Coefs, want.Coefs) || got[m].NObs != want.NObs || got[m].R2Within != want.R2Within && !math.IsNaN(want.R2Within) {
			t.Errorf("%s: multi %+v; alone %+v", s, got[m].Coefs, want.Coefs)
		}
	}
	// Passes: unit+year has two samples (y3 drops rows) → 2 passes.
	f, _ := ParseFormula(formulas[0])
	c := newDemeanCache()
	for _, s := range formulas[:4] {
		g, _ := ParseFormula(s)
		if err := c.announce(g, data); err != nil {
			t.Fatal(err)
		}
	}
	_ = f
	for _, s := range formulas[:4] {
		if _, err := estimate(data, s, Options{}, c); err != nil {
			t.Fatal(err)
		}
	}
	if c.passes != 2 {
		t.Errorf("%d demeaning passes for 4 models on 2 samples; want 2", c.passes)
	}
	if _, err := EstimateMulti(data, []string{"y ~ treat | unit", "y ~ nope | unit"}, Options{}); err == nil {
		t.Error("unknown column: no error")
	}
}

// BenchmarkMulti compares five outcomes estimated one by one with
// EstimateMulti on 10,000 units × 20 years.
func BenchmarkMulti(b *testing.B) {
	data := simPanel(rand.New(rand.NewPCG(9, 9)), 10000, 20, 0.5)
	y, _ := data.Float("y")
	outcomes := []string{"y"}
	for k := 1; k < 5; k++ {
		yk := make([]float64, len(y))
		for i := range y {
			yk[i] = y[i] * float64(k)
		}
		name := "y" + itoa(k)
		data.AddFloat(name, yk)
		outcomes = append(outcomes, name)
	}
	formulas := MultiOutcome(outcomes, "treat + x | unit + year")
	b.Run("separate", func(b *testing.B) {
		for b.Loop() {
			for _, s := range formulas {
				if _, err := Estimate(data, s, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("multi", func(b *testing.B) {
		for b.Loop() {
			if _, err := EstimateMulti(data, formulas, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
