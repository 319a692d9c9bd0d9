package econ

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseFormula(t *testing.T) {
	cases := []struct {
		in        string
		lhs       string
		terms     []string // factors joined with ':'
		intercept bool
		fe        []string
	}{
		{"y ~ x1 + x2 | fe1 + fe2", "y", []string{"x1", "x2"}, true, []string{"fe1", "fe2"}},
		{"log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year", "log(Euros)", []string{"log(dist_km)"}, true, []string{"Origin", "Destination", "Product", "Year"}},
		{"y ~ a*b", "y", []string{"a", "b", "a:b"}, true, nil},
		{"y ~ a:b + c", "y", []string{"a:b", "c"}, true, nil},
		{"y ~ a*b*c", "y", []string{"a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"}, true, nil},
		{"y ~ x - 1", "y", []string{"x"}, false, nil},
		{"y ~ 0 + x", "y", []string{"x"}, false, nil},
		{"y ~ x1 + i(period, treat, 5) | id + period", "y", []string{"x1", "i(period, treat, ref = 5)"}, true, []string{"id", "period"}},
		{"y ~ i(rel_time, ref = -1)", "y", []string{"i(rel_time, ref = -1)"}, true, nil},
		{"y ~ i(rel, ref = c(-1, -5))", "y", []string{"i(rel, ref = -1, -5)"}, true, nil},
		{"y ~ i(province)", "y", []string{"i(province)"}, true, nil},
		{"y ~ x | a^b", "y", []string{"x"}, true, []string{"a^b"}},
		{"`my var` ~ `x 1`", "my var", []string{"x 1"}, true, nil},
		{"产出 ~ 政策", "产出", []string{"政策"}, true, nil},
	}
	for _, c := range cases {
		f, err := ParseFormula(c.in)
		if err != nil {
			t.Errorf("ParseFormula(%q): %v", c.in, err)
			continue
		}
		var terms []string
		for _, tm := range f.Terms {
			var parts []string
			for _, e := range tm.Factors {
				parts = append(parts, e.String())
			}
			terms = append(terms, strings.Join(parts, ":"))
		}
		var fes []string
		for _, fe := range f.FE {
			fes = append(fes, fe.Name())
		}
		if f.LHS.String() != c.lhs || !slices.Equal(terms, c.terms) || f.Intercept != c.intercept || !slices.Equal(fes, c.fe) {
			t.Errorf("ParseFormula(%q) = %s ~ %v (intercept %v) | %v; want %s ~ %v (%v) | %v",
				c.in, f.LHS, terms, f.Intercept, fes, c.lhs, c.terms, c.intercept, c.fe)
		}
	}
}

func TestParseFormulaErrors(t *testing.T) {
	cases := []struct {
		in  string
		col int
	}{
		{"", 1},
		{"y x", 3},        // expected ~
		{"y ~ x +", 8},    // end of formula
		{"y ~ x | ", 9},   // missing FE
		{"y ~ exp(x)", 5}, // unknown function
		{"y ~ x $ z", 7},  // bad character
		{"y ~ i(3)", 7},   // i() needs a variable
		{"y ~ i(a, b, c, d)", 16},
		{"y ~ i(a, foo = 1)", 10},
		{"y ~ x - z", 9}, // only - 1
		{"y ~ 2", 5},     // number
		{"y ~ x )", 7},
		{"i(a) ~ x", 1},
		{"y ~ log(i(a))", 9},
		{"政策 ~ x +", 9}, // columns count characters, not bytes
		{"y ~ `x", 5},
	}
	for _, c := range cases {
		_, err := ParseFormula(c.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseFormula(%q) err = %v; want *ParseError", c.in, err)
			continue
		}
		if pe.Col != c.col {
			t.Errorf("ParseFormula(%q): column %d (%s); want %d", c.in, pe.Col, pe.Msg, c.col)
		}
	}
}

// Evaluation errors point at the column of the offending name.
func TestDesignErrors(t *testing.T) {
	fr := NewFrame(3)
	_ = fr.AddFloat("y", []float64{1, 2, 3})
	_ = fr.AddFloat("x", []float64{1, 0, 2})
	_ = fr.AddStrings("g", []string{"a", "b", "a"})
	cases := []struct {
		in  string
		col int
	}{
		{"y ~ x + nope", 9},
		{"nope ~ x", 1},
		{"y ~ g", 5}, // categorical used as numeric
		{"y ~ x | nope", 9},
		{"y ~ i(nope)", 7},
		{"y ~ i(g, ref = z)", 5}, // reference level not present
		{"y ~ i(g, nope)", 5},
		{"y ~ x:i(g)", 7},
	}
	for _, c := range cases {
		f, err := ParseFormula(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		_, err = f.Design(fr)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Col != c.col {
			t.Errorf("%q: err = %v; want ParseError at column %d", c.in, err, c.col)
		}
	}
}

// i() columns: levels sorted numerically, references dropped, by applied,
// fixest's names.
func TestDummies(t *testing.T) {
	fr := NewFrame(5)
	_ = fr.AddFloat("y", []float64{1, 2, 3, 4, 5})
	_ = fr.AddFloat("rel", []float64{-2, -1, 0, 1, math.NaN()})
	_ = fr.AddFloat("tr", []float64{1, 0, 1, 2, 1})
	f, _ := ParseFormula("y ~ i(rel, tr, ref = -1)")
	d, err := f.Design(fr)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"rel::-2:tr", "rel::0:tr", "rel::1:tr"}; !slices.Equal(d.XNames, want) {
		t.Fatalf("names %v; want %v", d.XNames, want)
	}
	if got := d.X[2]; got[3] != 2 || got[0] != 0 || !math.IsNaN(got[4]) {
		t.Errorf("rel::1:tr = %v", got)
	}
	f, _ = ParseFormula("y ~ i(rel)")
	d, _ = f.Design(fr)
	if want := []string{"rel::-2", "rel::-1", "rel::0", "rel::1"}; !slices.Equal(d.XNames, want) {
		t.Errorf("names %v; want %v", d.XNames, want)
	}
}

// FuzzParseFormula: the parser never panics; errors carry a column within
// the formula (or one past its end).
func FuzzParseFormula(f *testing.F) {
	for _, s := range []string{"y ~ x1 + x2 | fe1 + fe2", "log(y) ~ a*b:c - 1", "y ~ i(p, t, ref = c(-1, 5)) | a^b",
		"`a b` ~ x", "y ~ i(rel_time, ref = -1)", "y ~", "~", "政策 ~ x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := ParseFormula(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("non-ParseError %T: %v", err, err)
			}
			if pe.Col < 1 || pe.Col > len([]rune(s))+1 {
				t.Fatalf("column %d outside formula of %d characters", pe.Col, len([]rune(s)))
			}
			return
		}
		if fm.LHS == nil {
			t.Fatal("nil LHS without error")
		}
		fr := NewFrame(2)
		_ = fr.AddFloat("y", []float64{1, 2})
		_, _ = fm.Design(fr) // must not panic
	})
}

// The combined fixed effect a^b equals a column holding the pairs.
func TestCombinedFE(t *testing.T) {
	data := readFrame(t, "testdata/fixest_base_did.csv")
	id, _ := data.Float("id")
	post, _ := data.Float("post")
	pair := make([]string, data.Len())
	for i := range pair {
		pair[i] = strconv.FormatFloat(id[i], 'g', -1, 64) + "_" + strconv.FormatFloat(post[i], 'g', -1, 64)
	}
	if err := data.AddStrings("idpost", pair); err != nil {
		t.Fatal(err)
	}
	a, err := Estimate(data, "y ~ x1 | id^post + period", Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Estimate(data, "y ~ x1 | idpost + period", Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	if a.FELevels[0] != 216 || relErr(a.Coefs[0].Estimate, b.Coefs[0].Estimate) > 1e-12 || relErr(a.Coefs[0].SE, b.Coefs[0].SE) > 1e-12 {
		t.Errorf("id^post: %d levels, %v (%v); idpost: %v (%v)", a.FELevels[0], a.Coefs[0].Estimate, a.Coefs[0].SE, b.Coefs[0].Estimate, b.Coefs[0].SE)
	}
}
