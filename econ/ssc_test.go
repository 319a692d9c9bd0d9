package econ

import (
	"math"
	"testing"
)

// Small-sample variants on the Grunfeld firm-FE model clustered by firm
// (n = 200, 2 slopes, 10 firms nested in the 10 clusters). K under each
// fixef.K rule follows fixest's ssc documentation: nested with every FE
// nested → K = 2 + 1; full → 2 + 10; none → 2. The SEs then scale with
// √((n−1)/(n−K)).
func TestSSCVariants(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	f := "inv ~ value + capital | firm"
	fit := func(s SSC) *Result {
		r, err := Estimate(data, f, Options{Cluster: []string{"firm"}, SSC: s})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	nested, full, none := fit(SSC{}), fit(SSC{FixefK: FixefFull}), fit(SSC{FixefK: FixefNone})
	if nested.K != 3 || full.K != 12 || none.K != 2 {
		t.Fatalf("K nested %d, full %d, none %d; want 3, 12, 2", nested.K, full.K, none.K)
	}
	ratio := full.Coefs[0].SE / nested.Coefs[0].SE
	if want := math.Sqrt(float64(200-3) / float64(200-12)); relErr(ratio, want) > 1e-12 {
		t.Errorf("SE full/nested = %.15g; want %.15g", ratio, want)
	}
	noadj := fit(SSC{NoAdj: true, NoClusterAdj: true})
	ratio = nested.Coefs[1].SE / noadj.Coefs[1].SE
	if want := math.Sqrt(199.0 / 197 * 10 / 9); relErr(ratio, want) > 1e-12 {
		t.Errorf("SE adj/noadj = %.15g; want %.15g", ratio, want)
	}
	conv := fit(SSC{TDF: DFConventional})
	if nested.DFT != 9 || conv.DFT != 197 {
		t.Errorf("t df min %v, conventional %v; want 9, 197", nested.DFT, conv.DFT)
	}
	// 95% CI with t(9): quantile 2.2621571627982 (R: qt(0.975, 9)).
	c := nested.Coefs[0]
	if q := (c.CIHigh - c.Estimate) / c.SE; math.Abs(q-2.2621571627982) > 1e-9 {
		t.Errorf("CI half-width / SE = %.13g; want qt(0.975, 9) = 2.2621571627982", q)
	}
	// p-value: two-sided, P(|T9| > t).
	if c.P <= 0 || c.P >= 1e-4 {
		t.Errorf("p = %g; want a small positive value", c.P)
	}
}

// psdFix zeroes negative eigenvalues: [[1, 2], [2, 1]] has eigenvalues 3
// and −1 with vectors (1, 1)/√2 and (1, −1)/√2, so the fix is 1.5·[[1, 1], [1, 1]].
func TestPSDFix(t *testing.T) {
	v, fixed := psdFix([][]float64{{1, 2}, {2, 1}})
	if !fixed {
		t.Fatal("not fixed")
	}
	for a := range 2 {
		for b := range 2 {
			if math.Abs(v[a][b]-1.5) > 1e-12 {
				t.Errorf("V[%d][%d] = %v; want 1.5", a, b, v[a][b])
			}
		}
	}
	if _, fixed := psdFix([][]float64{{2, 1}, {1, 2}}); fixed {
		t.Error("positive definite matrix was changed")
	}
}
