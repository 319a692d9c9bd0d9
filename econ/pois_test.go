package econ

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// fixest's Poisson gravity model on its trade data
// (testdata/fixest_trade.csv, lrberge/fixest @dbe56c5 data/trade.RData).
// Expected: fixest's walkthrough vignette, lrberge/fixest @dbe56c5 :
// docs/articles/fixest_walkthrough.html,
// fepois(Euros ~ log(dist_km) | Origin + Destination + Product + Year,
// trade): −1.52787, SE 0.130734 clustered by Origin and Destination (as
// quoted in /work/shared/refdata/README.md).
func TestPoisTrade(t *testing.T) {
	data := readFrame(t, "testdata/fixest_trade.csv", "Year", "Product")
	r, err := EstimatePois(data, "Euros ~ log(dist_km) | Origin + Destination + Product + Year",
		Options{VCov: VCovTwoWay})
	if err != nil {
		t.Fatal(err)
	}
	c := mustCoef(t, r.Result, "log(dist_km)")
	if !roundsTo(c.Estimate, -1.52787, 5) || !roundsTo(c.SE, 0.130734, 6) {
		t.Errorf("log(dist_km) = %.8f (%.8f); want -1.52787 (0.130734)", c.Estimate, c.SE)
	}
	if r.NObs != 38325 || r.DFT != 14 {
		t.Errorf("n = %d, t df %v; want 38325, 14", r.NObs, r.DFT)
	}
	t.Logf("iterations %d, deviance %.6g, pseudo R² %.6f, notes %v", r.IRLSIter, r.Deviance, r.PseudoR2, r.Notes)
}

// Without fixed effects the Poisson MLE satisfies the score equations
// Σ (y − μ) x = 0 exactly; with one fixed effect each group's fitted total
// equals its observed total (Σ_{i∈g} μ_i = Σ_{i∈g} y_i). Data generated
// with known coefficients are recovered within sampling error, and the
// IID variance is the inverse of the Fisher information Σ μ x x' times
// (n−1)/(n−K), computed here directly.
func TestPoisScoreEquations(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, G := 4000, 40
	y, x := make([]float64, n), make([]float64, n)
	g := make([]int32, n)
	alpha := make([]float64, G)
	for j := range alpha {
		alpha[j] = rng.NormFloat64() * 0.5
	}
	for i := range n {
		g[i] = int32(i % G)
		x[i] = rng.NormFloat64()
		y[i] = float64(poisson(rng, math.Exp(0.3+0.7*x[i]+alpha[g[i]])))
	}
	// No FE: intercept and slope.
	r, err := FitPois(&Design{Y: y, YName: "y", X: [][]float64{x}, XNames: []string{"x"}, Intercept: true}, Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	var s0, s1, i00, i01, i11 float64
	for i := range n {
		e := y[i] - r.Fitted[i]
		s0 += e
		s1 += e * x[i]
		mu := r.Fitted[i]
		i00 += mu
		i01 += mu * x[i]
		i11 += mu * x[i] * x[i]
	}
	if math.Abs(s0) > 1e-6*float64(n) || math.Abs(s1) > 1e-6*float64(n) {
		t.Errorf("scores %g, %g; want 0", s0, s1)
	}
	det := i00*i11 - i01*i01
	adj := float64(n-1) / float64(n-2)
	if want := i11 / det * adj; relErr(r.VCov[0][0], want) > 1e-6 {
		t.Errorf("var(intercept) = %.10g; want %.10g", r.VCov[0][0], want)
	}
	if want := i00 / det * adj; relErr(r.VCov[1][1], want) > 1e-6 {
		t.Errorf("var(x) = %.10g; want %.10g", r.VCov[1][1], want)
	}
	// With the group FE.
	rf, err := FitPois(&Design{Y: y, YName: "y", X: [][]float64{x}, XNames: []string{"x"},
		FE: [][]int32{g}, FENames: []string{"g"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tot := make([]float64, 2*G)
	for a, i := range rf.Rows {
		tot[g[i]] += y[i]
		tot[G+int(g[i])] += rf.Fitted[a]
	}
	for j := range G {
		if relErr(tot[G+j], tot[j]) > 1e-7 {
			t.Errorf("group %d: fitted total %.10g, observed %.10g", j, tot[G+j], tot[j])
		}
	}
	b := mustCoef(t, rf.Result, "x")
	if math.Abs(b.Estimate-0.7) > 4*b.SE {
		t.Errorf("x = %.4f (%.4f); generated with 0.7", b.Estimate, b.SE)
	}
}

// All-zero fixed-effect groups are removed with a note; negative outcomes
// are an error.
func TestPoisZeroGroupsAndErrors(t *testing.T) {
	y := []float64{0, 0, 0, 1, 3, 2, 5, 0, 4, 1}
	x := []float64{1, 2, 3, 1, 2, 3, 1, 2, 3, 2}
	g := []int32{0, 0, 0, 1, 1, 1, 2, 2, 2, 2}
	d := &Design{Y: y, YName: "y", X: [][]float64{x}, XNames: []string{"x"}, FE: [][]int32{g}, FENames: []string{"g"}}
	r, err := FitPois(d, Options{VCov: VCovHC1})
	if err != nil {
		t.Fatal(err)
	}
	if r.NZeroGroups != 3 || r.NObs != 7 {
		t.Errorf("zero-group rows %d, n %d; want 3, 7", r.NZeroGroups, r.NObs)
	}
	for _, i := range r.Rows {
		if g[i] == 0 {
			t.Errorf("row %d of the all-zero group kept", i)
		}
	}
	neg := &Design{Y: []float64{1, -1, 2}, YName: "y", X: [][]float64{{1, 2, 3}}, XNames: []string{"x"}, Intercept: true}
	if _, err := FitPois(neg, Options{}); err == nil {
		t.Error("negative outcome: no error")
	}
	zero := &Design{Y: []float64{0, 0, 0}, YName: "y", X: [][]float64{{1, 2, 3}}, XNames: []string{"x"}, Intercept: true}
	var se *SampleError
	if _, err := FitPois(zero, Options{}); !errors.As(err, &se) {
		t.Errorf("all-zero outcome: %v; want *SampleError", err)
	}
}

// poisson draws from Poisson(lambda) by inversion (small lambda) or the
// normal approximation (large), enough for generated test data.
func poisson(rng *rand.Rand, lambda float64) int {
	if lambda > 50 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64())))
	}
	L, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= L {
			return k
		}
		k++
	}
}

// Poisson with a varying slope equals Poisson with the dummies written
// out (the slopes reach Fit through the compacted design).
func TestPoisVaryingSlopes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 600
	fr := NewFrame(n)
	y, x, tt := make([]float64, n), make([]float64, n), make([]float64, n)
	g := make([]string, n)
	for i := range n {
		grp := i % 6
		g[i] = string(rune('a' + grp))
		x[i], tt[i] = rng.NormFloat64(), float64(i/6)/10
		y[i] = float64(poisson(rng, math.Exp(0.4*x[i]+0.1*float64(grp)*tt[i])))
	}
	for _, c := range []struct {
		n string
		v []float64
	}{{"y", y}, {"x", x}, {"t", tt}} {
		if err := fr.AddFloat(c.n, c.v); err != nil {
			t.Fatal(err)
		}
	}
	if err := fr.AddStrings("g", g); err != nil {
		t.Fatal(err)
	}
	a, err := EstimatePois(fr, "y ~ x | g[t]", Options{VCov: VCovHC1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := EstimatePois(fr, "y ~ x + i(g) + i(g, t) - 1", Options{VCov: VCovHC1})
	if err != nil {
		t.Fatal(err)
	}
	ca, cb := mustCoef(t, a.Result, "x"), mustCoef(t, b.Result, "x")
	if relErr(ca.Estimate, cb.Estimate) > 1e-7 {
		t.Errorf("x = %.10g with slopes, %.10g with dummies", ca.Estimate, cb.Estimate)
	}
}
