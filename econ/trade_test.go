package econ

import (
	"math"
	"testing"
)

// fixest's trade data (testdata/fixest_trade.csv, lrberge/fixest @dbe56c5
// data/trade.RData). Expected: the etable in fixest's walkthrough vignette,
// lrberge/fixest @025c38c docs/articles/fixest_walkthrough.html, column
// gravity_ols with vcov = "twoway": log(dist_km) −2.170 (0.1714),
// 38,325 observations, "Squared Cor." 0.70558 (for OLS, cor(y, ŷ)² = R²).
func TestTradeGravityOLS(t *testing.T) {
	data := readFrame(t, "testdata/fixest_trade.csv", "Year", "Product")
	f := "log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year"
	r, err := Estimate(data, f, Options{Cluster: []string{"Origin", "Destination"}})
	if err != nil {
		t.Fatal(err)
	}
	c := mustCoef(t, r, "log(dist_km)")
	if !roundsTo(c.Estimate, -2.170, 3) || !roundsTo(c.SE, 0.1714, 4) {
		t.Errorf("log(dist_km) = %.6f (%.6f); want -2.170 (0.1714)", c.Estimate, c.SE)
	}
	if r.NObs != 38325 || !roundsTo(r.R2, 0.70558, 5) {
		t.Errorf("n = %d, R² = %.6f; want 38325, 0.70558", r.NObs, r.R2)
	}
	if r.DFT != 14 { // t.df = "min": min(15, 15) − 1
		t.Errorf("t df = %v; want 14", r.DFT)
	}
	if r.K != 30 { // 1 slope + 60 levels − 3 references − (15−1) − (15−1) nested
		t.Errorf("K = %d; want 30", r.K)
	}

	// The default tolerance must agree with a converged-to-rounding
	// solution to 1e-8 relative (the project's fixest-agreement target).
	tight, err := Estimate(data, f, Options{Cluster: []string{"Origin", "Destination"}, Tol: 1e-13})
	if err != nil {
		t.Fatal(err)
	}
	ct := mustCoef(t, tight, "log(dist_km)")
	if e := relErr(c.Estimate, ct.Estimate); e > 1e-8 {
		t.Errorf("default tol: estimate differs from tol 1e-13 by %.2g relative", e)
	}
	if e := relErr(c.SE, ct.SE); e > 1e-8 {
		t.Errorf("default tol: SE differs from tol 1e-13 by %.2g relative", e)
	}
	t.Logf("iterations: default %d, tight %d; rel diff %.2g", r.Iterations, tight.Iterations, relErr(c.Estimate, ct.Estimate))
	if math.IsNaN(r.R2Within) {
		t.Error("within R² missing")
	}
	// vcov = "twoway" is the same as clustering by the first two FE.
	tw, err := Estimate(data, f, Options{VCov: VCovTwoWay})
	if err != nil {
		t.Fatal(err)
	}
	if g := tw.Coefs[0].SE; g != c.SE || tw.VCovType != r.VCovType {
		t.Errorf("twoway: se %v (%s); want %v (%s)", g, tw.VCovType, c.SE, r.VCovType)
	}
}
