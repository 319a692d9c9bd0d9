package econ

import (
	"errors"
	"testing"
)

// First differences on plm's Produc data (testdata/produc_plm.csv,
// vincentarelbundock/Rdatasets @cc03c29 : csv/plm/Produc.csv, the same as
// ycroissant/plm data/Produc.rda; 48 states × 1970–1986, no gaps).
// Expected values: plm's regression-test output ycroissant/plm @708b421 :
// inst/tests/test_FD_models.Rout.save, summary(fd_plm) and
// summary(fd_plm2): estimates and SEs at 8 decimals, 768 observations,
// residual sum of squares 0.33308 and 0.35939.
func TestFDProduc(t *testing.T) {
	data := readFrame(t, "testdata/produc_plm.csv", "state")
	opts := Options{PanelID: []string{"state", "year"}}
	type want struct {
		name    string
		est, se float64
	}
	cases := []struct {
		formula string
		want    []want
		rss     float64
	}{
		{"log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp", []want{
			{"(Intercept)", 0.01068526, 0.00137639},
			{"log(pcap)", -0.00660507, 0.04593751},
			{"log(pc)", -0.03243575, 0.02305050},
			{"log(emp)", 0.83147269, 0.03696857},
			{"unemp", -0.00598593, 0.00076141},
		}, 0.33308},
		{"log(gsp) ~ 0 + log(pcap) + log(pc) + log(emp) + unemp", []want{
			{"log(pcap)", 0.12347223, 0.04440085},
			{"log(pc)", 0.01838177, 0.02294278},
			{"log(emp)", 0.95943399, 0.03435017},
			{"unemp", -0.00428020, 0.00075677},
		}, 0.35939},
	}
	for _, c := range cases {
		r, err := EstimateFD(data, c.formula, opts)
		if err != nil {
			t.Fatal(err)
		}
		if r.NObs != 768 {
			t.Errorf("%s: n = %d; want 768", c.formula, r.NObs)
		}
		for _, w := range c.want {
			got := mustCoef(t, r, w.name)
			if !roundsTo(got.Estimate, w.est, 8) || !roundsTo(got.SE, w.se, 8) {
				t.Errorf("%s: %s = %.10g (%.10g); want %v (%v)", c.formula, w.name, got.Estimate, got.SE, w.est, w.se)
			}
		}
		if !roundsSig(r.RSS, c.rss, 5) {
			t.Errorf("%s: RSS = %.8g; want %v", c.formula, r.RSS, c.rss)
		}
	}
}

// A gap in time breaks the difference: with year 1975 removed for one
// state, that state loses two differences (1971−1970 … the first row, and
// 1976 whose previous year is missing) instead of one.
func TestFDGap(t *testing.T) {
	full := readFrame(t, "testdata/produc_plm.csv", "state")
	year, _ := full.Float("year")
	keep := make([]int, 0, full.Len())
	for i, y := range year {
		if !(i < 17 && y == 1975) {
			keep = append(keep, i)
		}
	}
	data := subsetFrame(t, full, keep)
	r, err := EstimateFD(data, "log(gsp) ~ log(emp)", Options{PanelID: []string{"state", "year"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.NObs != 768-2 {
		t.Errorf("n = %d; want %d", r.NObs, 766)
	}
	// Duplicate unit-period rows are an error.
	dup := subsetFrame(t, full, append([]int{0}, keep...))
	var err2 error
	if _, err2 = EstimateFD(dup, "log(gsp) ~ log(emp)", Options{PanelID: []string{"state", "year"}}); err2 == nil {
		t.Error("duplicate unit-period: no error")
	}
	var pe *ParseError
	if _, err := EstimateFD(data, "log(gsp) ~ nosuch", Options{PanelID: []string{"state", "year"}}); !errors.As(err, &pe) {
		t.Errorf("unknown column: %v; want *ParseError", err)
	}
}

// subsetFrame copies the rows of f listed in rows.
func subsetFrame(t *testing.T, f *Frame, rows []int) *Frame {
	t.Helper()
	out := NewFrame(len(rows))
	for _, nm := range f.Names() {
		if x, ok := f.Float(nm); ok {
			if err := out.AddFloat(nm, gather(x, rows)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		fc, _ := f.Factor(nm)
		if err := out.AddFactor(nm, gatherCodes(fc.Codes, rows), fc.Levels); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
