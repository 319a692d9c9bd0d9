package econ

import "testing"

// Grunfeld investment data (testdata/grunfeld_plm.csv, from
// vincentarelbundock/Rdatasets @cc03c29 csv/plm/Grunfeld.csv). Expected
// values: plm's regression-test output, ycroissant/plm @708b421
// inst/tests/test_Estimators.Rout.save (citing Baltagi 2013), as quoted in
// /work/shared/refdata/README.md; compared at their printed precision.
func TestGrunfeld(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	type want struct {
		name    string
		est, se float64
		decE    int // printed decimals of est
		decS    int
	}
	cases := []struct {
		name    string
		formula string
		opts    Options
		want    []want
		rss     float64
	}{
		{"within firm", "inv ~ value + capital | firm", Options{VCov: VCovIID},
			[]want{{"value", 0.110124, 0.011857, 6, 6}, {"capital", 0.310065, 0.017355, 6, 6}}, 523478.1},
		{"two-way", "inv ~ value + capital | firm + year", Options{VCov: VCovIID},
			[]want{{"value", 0.117716, 0.013751, 6, 6}, {"capital", 0.357916, 0.022719, 6, 6}}, 0},
		{"pooled", "inv ~ value + capital", Options{},
			[]want{{"(Intercept)", -42.7143694, 9.5116760, 7, 7}, {"value", 0.1155622, 0.0058357, 7, 7}, {"capital", 0.2306785, 0.0254758, 7, 7}}, 0},
		// Firm-clustered SEs of the firm-FE model, gretl/Stata xtreg
		// convention quoted in plm's tests; equal to fixest's default
		// ssc (the firm effect is nested in the firm clusters: K = 2 + 1).
		{"within firm, clustered", "inv ~ value + capital | firm", Options{VCov: VCovCluster, Cluster: []string{"firm"}},
			[]want{{"value", 0.110124, 0.0151945, 6, 7}, {"capital", 0.310065, 0.0527518, 6, 7}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Estimate(data, c.formula, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				got := mustCoef(t, r, w.name)
				if !roundsTo(got.Estimate, w.est, w.decE) {
					t.Errorf("%s = %.10g; want %v", w.name, got.Estimate, w.est)
				}
				if !roundsTo(got.SE, w.se, w.decS) {
					t.Errorf("se(%s) = %.10g; want %v", w.name, got.SE, w.se)
				}
			}
			if c.rss != 0 && !roundsTo(r.RSS, c.rss, 1) {
				t.Errorf("RSS = %.10g; want %v", r.RSS, c.rss)
			}
		})
	}
}

// fixest's base_did (testdata/fixest_base_did.csv, lrberge/fixest @dbe56c5
// data/base_did.RData). Expected values: fixest's rendered walkthrough
// vignette, lrberge/fixest @dbe56c5 docs/articles/fixest_walkthrough.html,
// as quoted in /work/shared/refdata/README.md. R is not available here, so
// these printed outputs are the only fixest numbers we compare with.
func TestBaseDID(t *testing.T) {
	data := readFrame(t, "testdata/fixest_base_did.csv")
	t.Run("event study", func(t *testing.T) {
		r, err := Estimate(data, "y ~ x1 + i(period, treat, 5) | id + period", Options{Cluster: []string{"id"}})
		if err != nil {
			t.Fatal(err)
		}
		x1 := mustCoef(t, r, "x1")
		if !roundsTo(x1.Estimate, 0.973490, 6) || !roundsTo(x1.SE, 0.045678, 6) {
			t.Errorf("x1 = %.8f (%.8f); want 0.973490 (0.045678)", x1.Estimate, x1.SE)
		}
		periods := []string{"1", "2", "3", "4", "6", "7", "8", "9", "10"}
		want := []float64{-1.403045, -1.247511, -0.273206, -1.795721, 0.784452, 3.598897, 3.811766, 4.731426, 6.606229}
		for j, p := range periods {
			c := mustCoef(t, r, "period::"+p+":treat")
			if !roundsTo(c.Estimate, want[j], 6) {
				t.Errorf("period::%s:treat = %.8f; want %v", p, c.Estimate, want[j])
			}
		}
		if len(r.Coefs) != 10 {
			t.Errorf("%d coefficients; want 10", len(r.Coefs))
		}
	})
	t.Run("one-way", func(t *testing.T) {
		r, err := Estimate(data, "y ~ x1 | id", Options{})
		if err != nil {
			t.Fatal(err)
		}
		x1 := mustCoef(t, r, "x1")
		if !roundsTo(x1.Estimate, 0.961525, 6) || !roundsTo(x1.SE, 0.0481, 4) {
			t.Errorf("x1 = %.8f (%.8f); want 0.961525 (0.0481)", x1.Estimate, x1.SE)
		}
		if r.VCovType != "cluster(id)" {
			t.Errorf("default vcov = %q; want cluster(id)", r.VCovType)
		}
	})
}
