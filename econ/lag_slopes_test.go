package econ

import (
	"errors"
	"math"
	"testing"
)

// Varying slopes on R's iris data (testdata/iris.csv,
// vincentarelbundock/Rdatasets @cc03c29 : csv/datasets/iris.csv, R's
// datasets::iris). Expected values: fixest's rendered reference page
// lrberge/fixest @dbe56c5 : docs/reference/feols.html,
// feols(Sepal.Length ~ Petal.Length | Species[Sepal.Width], iris):
// 0.822045 (0.10061), clustered by Species, t = 8.1706, RMSE 0.298903,
// Adj. R2 0.863326, Within R2 0.518738; and the walkthrough vignette
// (docs/articles/fixest_walkthrough.html) with base = iris renamed
// (y, x1, x2, x3, fe1): feols(y ~ x1 | fe1[x2], base): x1 0.450006
// (0.156731), t = 2.8712, RMSE 0.298706, Adj. R2 0.863506, Within R2
// 0.178944.
func TestVaryingSlopesIris(t *testing.T) {
	data := readFrame(t, "testdata/iris.csv")
	cases := []struct {
		formula, coef         string
		est, se, tval         float64
		rmse, adjR2, withinR2 float64
	}{
		{"Sepal.Length ~ Petal.Length | Species[Sepal.Width]", "Petal.Length", 0.822045, 0.10061, 8.1706, 0.298903, 0.863326, 0.518738},
		{"Sepal.Length ~ Sepal.Width | Species[Petal.Length]", "Sepal.Width", 0.450006, 0.156731, 2.8712, 0.298706, 0.863506, 0.178944},
	}
	for _, c := range cases {
		r, err := Estimate(data, c.formula, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := mustCoef(t, r, c.coef)
		if !roundsTo(got.Estimate, c.est, 6) || !roundsSig(got.SE, c.se, 5) || !roundsTo(got.T, c.tval, 4) {
			t.Errorf("%s: %s = %.8g (%.8g), t %.6g; want %v (%v), %v", c.formula, c.coef, got.Estimate, got.SE, got.T, c.est, c.se, c.tval)
		}
		rmse := math.Sqrt(r.RSS / float64(r.NObs))
		if !roundsTo(rmse, c.rmse, 6) || !roundsTo(r.AdjR2, c.adjR2, 6) || !roundsTo(r.R2Within, c.withinR2, 6) {
			t.Errorf("%s: RMSE %.8g, adj R² %.8g, within R² %.8g; want %v, %v, %v", c.formula, rmse, r.AdjR2, r.R2Within, c.rmse, c.adjR2, c.withinR2)
		}
	}
}

// fe[x] equals the model with the dummies i(fe) and i(fe, x) written out
// (dummy-variable regression), and fe[[x]] + fe equals fe[x].
func TestVaryingSlopesDummies(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm")
	r, err := Estimate(data, "inv ~ value + capital | firm[year]", Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	dv, err := Estimate(data, "inv ~ value + capital + i(firm) + i(firm, year) - 1", Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Estimate(data, "inv ~ value + capital | firm + firm[[year]]", Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	for a, nm := range []string{"value", "capital"} {
		want := mustCoef(t, dv, nm)
		for _, got := range []Coef{r.Coefs[a], r2.Coefs[a]} {
			if relErr(got.Estimate, want.Estimate) > 1e-8 || relErr(got.SE, want.SE) > 1e-8 {
				t.Errorf("%s = %.12g (%.12g); dummies %.12g (%.12g)", nm, got.Estimate, got.SE, want.Estimate, want.SE)
			}
		}
	}
	if r.KFull != 2+10+10 {
		t.Errorf("K = %d; want 22 (2 slopes, 10 firm effects, 10 firm trends)", r.KFull)
	}
}

func TestVaryingSlopesErrors(t *testing.T) {
	data := readFrame(t, "testdata/iris.csv")
	var pe *ParseError
	for _, f := range []string{"Sepal.Length ~ Petal.Length | Species[", "Sepal.Length ~ Petal.Length | Species[[Sepal.Width]", "Sepal.Length ~ Petal.Length | Species[nosuch]", "Sepal.Length ~ Petal.Length | Species[Species]"} {
		if _, err := Estimate(data, f, Options{}); !errors.As(err, &pe) {
			t.Errorf("%s: %v; want *ParseError", f, err)
		}
	}
}

// Slopes with a second, crossed fixed effect need the alternating
// projections to iterate; the coefficients equal the dummy-variable
// regression's.
func TestVaryingSlopesCrossed(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	t2 := readFrame(t, "testdata/grunfeld_plm.csv", "firm")
	yr, _ := t2.Float("year")
	if err := data.AddFloat("trend", yr); err != nil {
		t.Fatal(err)
	}
	r, err := Estimate(data, "inv ~ value + capital | firm[trend] + year", Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	dv, err := Estimate(data, "inv ~ value + capital + i(firm) + i(firm, trend) + i(year) - 1", Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	for a, nm := range []string{"value", "capital"} {
		want := mustCoef(t, dv, nm)
		if got := r.Coefs[a]; relErr(got.Estimate, want.Estimate) > 1e-8 {
			t.Errorf("%s = %.12g; dummies %.12g", nm, got.Estimate, want.Estimate)
		}
	}
	t.Logf("sweeps %d", r.Iterations)
}
