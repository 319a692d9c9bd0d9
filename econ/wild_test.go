package econ

import (
	"math"
	"math/rand/v2"
	"testing"
)

// wildData: G clusters (provinces) of 2 units each, T periods, unit fixed
// effects, a regressor x with true coefficient beta and a control z,
// errors with a cluster-level shock.
func wildData(G, T int, beta float64, seed uint64) *Design {
	rng := rand.New(rand.NewPCG(seed, 11))
	n := G * 2 * T
	d := &Design{YName: "y", Y: make([]float64, n), XNames: []string{"x", "z"},
		X: [][]float64{make([]float64, n), make([]float64, n)}, FENames: []string{"unit"},
		FE: [][]int32{make([]int32, n)}, ClusterNames: []string{"prov"}, Cluster: [][]int32{make([]int32, n)}}
	shock := make([]float64, G)
	for g := range shock {
		shock[g] = rng.NormFloat64()
	}
	for i := range n {
		u := i / T
		g := u / 2
		d.FE[0][i], d.Cluster[0][i] = int32(u), int32(g)
		x := rng.NormFloat64() + 0.5*shock[g]
		z := rng.NormFloat64()
		d.X[0][i], d.X[1][i] = x, z
		d.Y[i] = beta*x + 0.3*z + float64(u%3) + shock[g]*rng.NormFloat64() + rng.NormFloat64()
	}
	return d
}

// With G = 6 clusters and Rademacher weights all 2^6 = 64 sign vectors are
// enumerated. The expected p-value is computed independently here by
// brute force: for each sign vector build y* = ŷ_r + v_g ü from the
// restricted fit (x dropped, the null β_x = 0 imposed), refit the full
// model with Fit, and count |t*| > |t|.
func TestWildEnumerationBruteForce(t *testing.T) {
	for _, beta := range []float64{0, 0.15, 0.5} {
		d := wildData(6, 5, beta, 42)
		res, err := WildBootstrap(d, "x", Options{}, WildOptions{Reps: 999, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Enumerated || res.Reps != 64 {
			t.Fatalf("enumerated %v, reps %d; want true, 64", res.Enumerated, res.Reps)
		}
		full, err := Fit(d, Options{VCov: VCovCluster})
		if err != nil {
			t.Fatal(err)
		}
		x := mustCoef(t, full, "x")
		if relErr(res.SE, x.SE) > 1e-9 || relErr(res.Estimate, x.Estimate) > 1e-9 {
			t.Errorf("estimate %.12g (%.12g); Fit gives %.12g (%.12g)", res.Estimate, res.SE, x.Estimate, x.SE)
		}
		restr := *d
		restr.X, restr.XNames = d.X[1:], d.XNames[1:]
		rr, err := Fit(&restr, Options{VCov: VCovCluster})
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for b := range 64 {
			star := *d
			star.Y = make([]float64, len(d.Y))
			for i := range star.Y {
				v := -1.0
				if b>>int(d.Cluster[0][i])&1 == 1 {
					v = 1
				}
				star.Y[i] = rr.Fitted[i] + v*rr.Residuals[i]
			}
			rs, err := Fit(&star, Options{VCov: VCovCluster})
			if err != nil {
				t.Fatal(err)
			}
			xs := mustCoef(t, rs, "x")
			if math.Abs(xs.T) > math.Abs(x.T)*(1+1e-10) {
				count++
			}
		}
		t.Logf("beta %v: t = %.4f, p = %v, CI [%.4f, %.4f]", beta, res.T, res.P, res.CILow, res.CIHigh)
		if want := float64(count) / 64; res.P != want {
			t.Errorf("beta %v: p = %v; brute force %v", beta, res.P, want)
		}
		// The interval inverts the test: p just inside the bounds exceeds
		// 1 − level, just outside it does not.
		if !(res.CILow < res.Estimate && res.Estimate < res.CIHigh) {
			t.Errorf("CI [%v, %v] does not contain %v", res.CILow, res.CIHigh, res.Estimate)
		}
		for _, side := range []struct{ in, out float64 }{
			{res.CILow + 1e-6*res.SE, res.CILow - 1e-3*res.SE},
			{res.CIHigh - 1e-6*res.SE, res.CIHigh + 1e-3*res.SE},
		} {
			pin, err := WildBootstrap(d, "x", Options{}, WildOptions{Reps: 999, Null: side.in, NoCI: true})
			if err != nil {
				t.Fatal(err)
			}
			pout, err := WildBootstrap(d, "x", Options{}, WildOptions{Reps: 999, Null: side.out, NoCI: true})
			if err != nil {
				t.Fatal(err)
			}
			if pin.P <= 0.05 || pout.P > 0.05 {
				t.Errorf("beta %v: p inside %v = %v, outside %v = %v", beta, side.in, pin.P, side.out, pout.P)
			}
		}
	}
}

// Random draws: identical for any number of workers with the same seed;
// Webb and Rademacher p-values agree with the exact enumerated one within
// simulation error (sd of a p-value near 0.1 with 9999 draws ≈ 0.003).
func TestWildDeterministicAndWebb(t *testing.T) {
	d := wildData(11, 6, 0.12, 9)
	exact, err := WildBootstrap(d, "x", Options{}, WildOptions{Reps: 1 << 11, NoCI: true})
	if err != nil || !exact.Enumerated {
		t.Fatalf("enumeration: %v %v", err, exact)
	}
	for _, w := range []WildWeights{Rademacher, Webb} {
		var first *WildResult
		for _, workers := range []int{1, 3, 8} {
			r, err := WildBootstrap(d, "x", Options{}, WildOptions{Reps: 1999, Weights: w, Seed: 7, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if r.Enumerated {
				t.Fatal("1999 < 2^11 draws must not enumerate")
			}
			if first == nil {
				first = r
				continue
			}
			if r.P != first.P || r.CILow != first.CILow || r.CIHigh != first.CIHigh {
				t.Errorf("%v workers=%d: p %v CI [%v, %v]; workers=1: %v [%v, %v]", w, workers, r.P, r.CILow, r.CIHigh, first.P, first.CILow, first.CIHigh)
			}
		}
		r, _ := WildBootstrap(d, "x", Options{}, WildOptions{Reps: 9999, Weights: w, Seed: 3, NoCI: true})
		if math.Abs(r.P-exact.P) > 0.03 {
			t.Errorf("%v: p = %v; enumeration %v", w, r.P, exact.P)
		}
	}
}

func TestWildErrors(t *testing.T) {
	d := wildData(3, 4, 0, 1)
	if _, err := WildBootstrap(d, "nosuch", Options{}, WildOptions{}); err == nil {
		t.Error("unknown coefficient: no error")
	}
	one := *d
	one.Cluster = [][]int32{make([]int32, len(d.Y))}
	if _, err := WildBootstrap(&one, "x", Options{}, WildOptions{}); err == nil {
		t.Error("one cluster: no error")
	}
}
