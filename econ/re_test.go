package econ

import (
	"math"
	"testing"
)

// Swamy–Arora random effects on Grunfeld inv ~ value + capital
// (testdata/grunfeld_plm.csv). Expected values: plm's regression-test
// output ycroissant/plm @708b421 : inst/tests/test_Estimators.Rout.save,
// summary(plm_grunfeld_re_swar) — coefficients and SEs, variance
// components 2784.46 and 7089.80, theta 0.8612, R² 0.7695 — and
// inst/tests/test_phtest_Hausman_regression.Rout.save,
// phtest(fe_grun, re_grun): chisq = 2.3303669, df = 2,
// p-value = 0.3118654 (Baltagi 2013, §4.3.1 reports 2.33).
func TestRandomEffectsGrunfeld(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	r, err := EstimateRE(data, "inv ~ value + capital", Options{PanelID: []string{"firm", "year"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		name    string
		est, se float64
		dec     int
	}{{"(Intercept)", -57.834415, 28.898935, 6}, {"value", 0.109781, 0.010493, 6}, {"capital", 0.308113, 0.017180, 6}} {
		c := mustCoef(t, r.Result, w.name)
		if !roundsTo(c.Estimate, w.est, w.dec) || !roundsTo(c.SE, w.se, w.dec) {
			t.Errorf("%s = %.10g (%.10g); want %v (%v)", w.name, c.Estimate, c.SE, w.est, w.se)
		}
	}
	// plm prints z = −2.0013 and Pr(>|z|) = 0.04536 for the intercept.
	c := mustCoef(t, r.Result, "(Intercept)")
	if !roundsTo(c.T, -2.0013, 4) || !roundsSig(c.P, 0.04536, 4) {
		t.Errorf("intercept z = %.6g, p = %.6g; want −2.0013, 0.04536", c.T, c.P)
	}
	if !roundsTo(r.SigmaIdios, 2784.46, 2) || !roundsTo(r.SigmaUnit, 7089.80, 2) {
		t.Errorf("σ²_ν = %.8g, σ²_η = %.8g; want 2784.46, 7089.80", r.SigmaIdios, r.SigmaUnit)
	}
	if !roundsTo(r.ThetaMin, 0.8612, 4) || r.ThetaMin != r.ThetaMax {
		t.Errorf("theta %v..%v; want 0.8612 (balanced)", r.ThetaMin, r.ThetaMax)
	}
	if !roundsTo(r.R2, 0.7695, 4) {
		t.Errorf("R² = %.6g; want 0.7695", r.R2)
	}
	h := r.Hausman
	if !roundsTo(h.Stat, 2.3303669, 7) || h.DF != 2 || !roundsTo(h.P, 0.3118654, 7) {
		t.Errorf("Hausman = %.10g, df %d, p %.10g; want 2.3303669, 2, 0.3118654", h.Stat, h.DF, h.P)
	}
}

// In an unbalanced panel the variance components follow the general
// (dfcor = 3) formula; with one unit removed from some periods θ varies
// by unit. Checked against the closed form written out here: with all
// T_i equal the general denominator reduces to T(N − K − 1).
func TestRandomEffectsUnbalancedReduces(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	inv, _ := data.Float("inv")
	// Drop every odd row of firm 3 (rows 40..59) via NaN.
	mod := make([]float64, len(inv))
	copy(mod, inv)
	for i := 41; i < 60; i += 2 {
		mod[i] = math.NaN()
	}
	f2 := NewFrame(data.Len())
	for _, nm := range data.Names() {
		if x, ok := data.Float(nm); ok {
			if nm == "inv" {
				x = mod
			}
			if err := f2.AddFloat(nm, x); err != nil {
				t.Fatal(err)
			}
		} else {
			fc, _ := data.Factor(nm)
			if err := f2.AddFactor(nm, fc.Codes, fc.Levels); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := EstimateRE(f2, "inv ~ value + capital", Options{PanelID: []string{"firm", "year"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.NObs != 190 || r.ThetaMin >= r.ThetaMax {
		t.Fatalf("n = %d, theta %v..%v; want 190 and varying theta", r.NObs, r.ThetaMin, r.ThetaMax)
	}
	// θ of the short unit follows θ_i = 1 − √(σ²_ν/(T_i σ²_η + σ²_ν)).
	want := 1 - math.Sqrt(r.SigmaIdios/(10*r.SigmaUnit+r.SigmaIdios))
	if relErr(r.ThetaMin, want) > 1e-12 {
		t.Errorf("theta(T=10) = %.15g; want %.15g", r.ThetaMin, want)
	}
}

func TestRandomEffectsErrors(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	if _, err := EstimateRE(data, "inv ~ value", Options{}); err == nil {
		t.Error("no panel keys: no error")
	}
	if _, err := EstimateRE(data, "inv ~ value | firm", Options{PanelID: []string{"firm", "year"}}); err == nil {
		t.Error("fixed effects in a random-effects formula: no error")
	}
}
