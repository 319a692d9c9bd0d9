package ingest

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// The oracle for fastFloat is strconv.ParseFloat: on every input fastFloat
// accepts, the bits must be identical.
func checkFastFloat(t *testing.T, s string) {
	t.Helper()
	v, ok := fastFloat([]byte(s))
	if !ok {
		return
	}
	w, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("fastFloat(%q) accepted, strconv says %v", s, err)
	}
	if math.Float64bits(v) != math.Float64bits(w) {
		t.Fatalf("fastFloat(%q) = %v (%#x); strconv = %v (%#x)", s, v, math.Float64bits(v), w, math.Float64bits(w))
	}
}

func TestFastFloatMatchesStrconv(t *testing.T) {
	fixed := []string{"0", "-0", "+0", "0.0", "-0.0", "1", "-1", "1.5", ".5", "5.", "+.5",
		"123456789012345678", "9007199254740992", "9007199254740993", "0.1", "0.2", "0.3",
		"1e22", "1e23", "1e-22", "1e-23", "123.456e-7", "1.7976931348623157e308", "4.9e-324",
		"00000000000000000000001.5", "0.000000000000000000000000001", "1E5", "1e+5", "12345678901234567890",
		"3.14159265358979323846", "2.2250738585072014e-308", "-123.000", "1000000000000000000000"}
	for _, s := range fixed {
		checkFastFloat(t, s)
	}
	// Random decimals in the fast-path range and beyond it.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		m := rng.Uint64() >> rng.IntN(64)
		s := strconv.FormatUint(m, 10)
		if k := rng.IntN(len(s) + 3); k < len(s) {
			s = s[:k] + "." + s[k:]
		}
		if rng.IntN(4) == 0 {
			s += "e" + strconv.Itoa(rng.IntN(60)-30)
		}
		if rng.IntN(2) == 0 {
			s = "-" + s
		}
		checkFastFloat(t, s)
		// and values as people write them
		checkFastFloat(t, strconv.FormatFloat(rng.NormFloat64()*1e4, 'f', rng.IntN(8), 64))
	}
	for _, s := range []string{"", "-", "+", ".", "1e", "1e+", "e5", "1.2.3", "1,2", "0x10", "inf", "NaN", "1_000", " 1"} {
		if _, ok := fastFloat([]byte(s)); ok {
			t.Errorf("fastFloat(%q) accepted", s)
		}
	}
}

func TestParseValue(t *testing.T) {
	o := &Options{}
	allow := &Options{AllowThousands: true, AllowPercent: true}
	tests := []struct {
		in   string
		o    *Options
		want float64 // NaN: missing
		err  error
	}{
		{"12.5", o, 12.5, nil},
		{" 12.5 ", o, 12.5, nil},
		{"", o, math.NaN(), nil},
		{"NA", o, math.NaN(), nil},
		{"n/a", o, math.NaN(), nil},
		{"NaN", o, math.NaN(), nil},
		{".", o, math.NaN(), nil},
		{"-", o, math.NaN(), nil},
		{"--", o, math.NaN(), nil},
		{"null", o, math.NaN(), nil},
		{"#N/A", o, math.NaN(), nil},
		{"１２．５", o, 12.5, nil},          // full-width digits and point
		{"－３", o, -3, nil},              // full-width minus
		{"1,234.5", o, 0, ErrNotNumber}, // needs AllowThousands
		{"1,234.5", allow, 1234.5, nil},
		{"12,3", allow, 0, ErrNotNumber}, // decimal comma: never
		{"1,23,456", allow, 0, ErrNotNumber},
		{"12%", o, 0, ErrNotNumber},
		{"12.5%", allow, 12.5, nil},
		{"1e400", o, 0, ErrNotNumber},
		{"inf", o, 0, ErrNotNumber},
		{"0x10", o, 0, ErrNotNumber},
		{"12a", o, 0, ErrNotNumber},
		{"1.5e3", o, 1500, nil},
	}
	for _, tt := range tests {
		v, err := parseValue([]byte(tt.in), tt.o)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("parseValue(%q) error = %v; want %v", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseValue(%q) error %v", tt.in, err)
			continue
		}
		if math.IsNaN(tt.want) != math.IsNaN(v) || !math.IsNaN(v) && v != tt.want {
			t.Errorf("parseValue(%q) = %v; want %v", tt.in, v, tt.want)
		}
	}
}
