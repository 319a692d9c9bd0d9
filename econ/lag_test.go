package econ

import (
	"errors"
	"math"
	"testing"
)

// l() and f() within unit: on Grunfeld (10 firms × 20 years) the lag of
// value is the previous year's value of the same firm and missing in
// 1935; the lead is missing in 1954. A model with l(value, 1) equals the
// model with a lagged column built by hand (rows sorted firm, year in the
// file), and the shuffled frame gives the same estimates.
func TestLagLeadFormula(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm")
	if err := data.SetPanel("firm", "year"); err != nil {
		t.Fatal(err)
	}
	value, _ := data.Float("value")
	year, _ := data.Float("year")
	hand := make([]float64, len(value))
	lead2 := make([]float64, len(value))
	for i := range value {
		hand[i], lead2[i] = math.NaN(), math.NaN()
		if year[i] > 1935 {
			hand[i] = value[i-1]
		}
		if year[i] < 1953 {
			lead2[i] = value[i+2]
		}
	}
	f2 := subsetFrame(t, data, seq(data.Len()))
	if err := f2.AddFloat("value_l1", hand); err != nil {
		t.Fatal(err)
	}
	if err := f2.AddFloat("value_f2", lead2); err != nil {
		t.Fatal(err)
	}
	got, err := Estimate(data, "inv ~ l(value, 1) + f(value, 2) + capital | firm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Estimate(f2, "inv ~ value_l1 + value_f2 + capital | firm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.NObs != 170 || want.NObs != 170 {
		t.Fatalf("n = %d and %d; want 170 (3 years lost per firm)", got.NObs, want.NObs)
	}
	names := []string{"l(value, 1)", "f(value, 2)", "capital"}
	for a, nm := range names {
		c := mustCoef(t, got, nm)
		if relErr(c.Estimate, want.Coefs[a].Estimate) > 1e-12 || relErr(c.SE, want.Coefs[a].SE) > 1e-12 {
			t.Errorf("%s = %v (%v); by hand %v (%v)", nm, c.Estimate, c.SE, want.Coefs[a].Estimate, want.Coefs[a].SE)
		}
	}
	// A range expands to one column per lag, named as fixest names them:
	// l(x, 0) is x and l(x, -1) is f(x, 1).
	r, err := Estimate(data, "inv ~ l(value, 0:2) + l(capital, -1) | firm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, nm := range []string{"value", "l(value, 1)", "l(value, 2)", "f(capital, 1)"} {
		mustCoef(t, r, nm)
	}
	// Row order does not matter.
	perm := make([]int, data.Len())
	for i := range perm {
		perm[i] = (i*37 + 11) % data.Len()
	}
	shuf := subsetFrame(t, data, perm)
	if err := shuf.SetPanel("firm", "year"); err != nil {
		t.Fatal(err)
	}
	rs, err := Estimate(shuf, "inv ~ l(value, 1) + f(value, 2) + capital | firm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for a := range names {
		if relErr(rs.Coefs[a].Estimate, got.Coefs[a].Estimate) > 1e-10 {
			t.Errorf("shuffled %s = %v; want %v", names[a], rs.Coefs[a].Estimate, got.Coefs[a].Estimate)
		}
	}
}

func TestLagErrors(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm")
	var pe *ParseError
	if _, err := Estimate(data, "inv ~ l(value, 1)", Options{}); !errors.As(err, &pe) || pe.Col != 7 {
		t.Errorf("lag without panel keys: %v; want *ParseError at column 7", err)
	}
	for _, f := range []string{"inv ~ l(value, x)", "inv ~ l(i(firm))", "inv ~ l(value, 1:2):capital", "inv ~ l(value, 1"} {
		_, err := Estimate(data, f, Options{PanelID: []string{"firm", "year"}})
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v; want *ParseError", f, err)
		}
	}
}

// FuzzLagFormula: any formula text, evaluated against a small panel with
// gaps, either fails with an error or gives a design whose columns all
// have the frame's length; it never panics.
func FuzzLagFormula(f *testing.F) {
	for _, s := range []string{"y ~ l(x, 1)", "y ~ f(x, 1:3) | u", "l(y) ~ l(log(x), -2:2)", "y ~ l(x, 1):x", "y ~ l(x,", "y ~ f(l(x, 1), 1)", "y ~ x | u[t]", "y ~ x | u[[t, x]] + u", "y ~ x | u[t"} {
		f.Add(s)
	}
	fr := NewFrame(7)
	_ = fr.AddFloat("y", []float64{1, 2, 3, 4, 5, 6, 7})
	_ = fr.AddFloat("x", []float64{2, 1, 4, 3, 6, 5, 8})
	_ = fr.AddStrings("u", []string{"a", "a", "a", "b", "b", "b", "b"})
	_ = fr.AddFloat("t", []float64{1, 2, 4, 1, 2, 3, 5})
	_ = fr.SetPanel("u", "t")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseFormula(s)
		if err != nil {
			return
		}
		d, err := p.Design(fr)
		if err != nil {
			return
		}
		if len(d.Y) != 7 {
			t.Fatalf("outcome has %d rows", len(d.Y))
		}
		for _, x := range d.X {
			if len(x) != 7 {
				t.Fatalf("column has %d rows", len(x))
			}
		}
	})
}
