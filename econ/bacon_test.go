package econ

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"testing"
)

// TestBaconCastle decomposes l_homicide ~ post | state + year on the
// castle-doctrine panel (Cheng & Hoekstra 2013; testdata/bacon, from
// evanjflack/bacondecomp @ec99dd0 : data/castle.rda).
//
// Oracles:
//   - testdata/bacon/castle_bacon_ref.csv, written by castle_bacon.R with
//     R bacondecomp 0.1.3 (@ec99dd0) and fixest: every 2×2 estimate and
//     weight to 1e-8 relative, and the TWFE coefficient;
//   - the published example notebook, evanjflack/bacondecomp @0.1.0 :
//     index.ipynb, which prints "Two-way FE estimate = 0.0818116169306475"
//     and the weights by type 0.05976325 (Early vs Late), 0.03189818
//     (Late vs Early) and 0.90833857 (Treated vs Untreated), to the
//     printed 8 decimals.
func TestBaconCastle(t *testing.T) {
	f := readFrame(t, "testdata/bacon/castle_bacondecomp.csv", "state")
	r, err := Bacon(f, BaconSpec{Outcome: "l_homicide", Treat: "post", Unit: "state", Time: "year"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Units != 50 || r.Periods != 11 || r.Never != 29 || r.Always != 0 {
		t.Errorf("units %d periods %d never %d always %d, want 50 11 29 0", r.Units, r.Periods, r.Never, r.Always)
	}
	checkBaconIdentity(t, r)
	tw, err := TWFE(f, "l_homicide", "post", "state", "year", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(r.TWFE, mustCoef(t, tw, "post").Estimate); e > 1e-10 {
		t.Errorf("TWFE %v vs feols %v (rel %g)", r.TWFE, mustCoef(t, tw, "post").Estimate, e)
	}
	if math.Abs(r.TWFE-0.0818116169306475) > 1e-12 {
		t.Errorf("TWFE %.16g, published 0.0818116169306475", r.TWFE)
	}
	pub := map[string]float64{BaconEarlierLater: 0.05976325, BaconLaterEarlier: 0.03189818, BaconTreatedUntreated: 0.90833857}
	if len(r.ByType) != 3 {
		t.Fatalf("%d types, want 3: %+v", len(r.ByType), r.ByType)
	}
	for _, s := range r.ByType {
		if !roundsTo(s.Weight, pub[s.Type], 8) {
			t.Errorf("%s weight %.10f, published %.8f", s.Type, s.Weight, pub[s.Type])
		}
	}

	fh, err := os.Open("testdata/bacon/castle_bacon_ref.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ treated, control string }
	got := map[key]BaconPair{}
	for _, p := range r.Pairs {
		c := p.Control
		if c == "never" {
			c = "Inf"
		}
		got[key{p.Treated, c}] = p
	}
	matched := 0
	refW, refWB := map[string]float64{}, map[string]float64{}
	for _, rec := range recs[1:] {
		est, _ := strconv.ParseFloat(rec[2], 64)
		w, _ := strconv.ParseFloat(rec[3], 64)
		if rec[0] == "twfe" {
			if e := relErr(r.TWFE, est); e > 1e-8 {
				t.Errorf("TWFE %v vs R %v (rel %g)", r.TWFE, est, e)
			}
			continue
		}
		p, ok := got[key{rec[0], rec[1]}]
		if !ok {
			t.Errorf("pair %s vs %s missing", rec[0], rec[1])
			continue
		}
		matched++
		refW[rec[4]] += w
		refWB[rec[4]] += w * est
		if p.Type != rec[4] {
			t.Errorf("pair %s vs %s: type %q, R %q", rec[0], rec[1], p.Type, rec[4])
		}
		if e := relErr(p.Estimate, est); e > 1e-8 {
			t.Errorf("pair %s vs %s: estimate %v, R %v (rel %g)", rec[0], rec[1], p.Estimate, est, e)
		}
		if e := relErr(p.Weight, w); e > 1e-8 {
			t.Errorf("pair %s vs %s: weight %v, R %v (rel %g)", rec[0], rec[1], p.Weight, w, e)
		}
	}
	if matched != len(r.Pairs) || matched != 25 {
		t.Errorf("matched %d of %d pairs, want 25", matched, len(r.Pairs))
	}
	// bacon_summary from R's pairs (it prints weight and avg_est rounded:
	// 0.05976 −0.00554, 0.03190 0.07032, 0.90834 0.08796).
	for _, s := range r.ByType {
		want := refWB[s.Type] / refW[s.Type]
		if e := relErr(s.Estimate, want); e > 1e-8 || relErr(s.Weight, refW[s.Type]) > 1e-8 {
			t.Errorf("%s: weight %v estimate %v, R %v %v", s.Type, s.Weight, s.Estimate, refW[s.Type], want)
		}
	}
}

// checkBaconIdentity asserts Goodman-Bacon's Theorem 1: weights sum to 1
// and the weighted 2×2s reproduce the TWFE coefficient, which Bacon
// computes independently (FWL), and the summaries agree with the pairs.
func checkBaconIdentity(t *testing.T, r *BaconResult) {
	t.Helper()
	var sw, swb float64
	for _, p := range r.Pairs {
		if !(p.Weight > 0) {
			t.Errorf("pair %+v: weight not positive", p)
		}
		sw += p.Weight
		swb += p.Weight * p.Estimate
	}
	if math.Abs(sw-1) > 1e-10 {
		t.Errorf("weights sum to %.15g", sw)
	}
	if math.Abs(swb-r.TWFE) > 1e-10 {
		t.Errorf("Σ w β = %.15g, TWFE %.15g", swb, r.TWFE)
	}
	var tw, twb float64
	for _, s := range r.ByType {
		tw += s.Weight
		twb += s.Weight * s.Estimate
	}
	if math.Abs(tw-1) > 1e-10 || math.Abs(twb-r.TWFE) > 1e-10 {
		t.Errorf("by type: weights %.15g, Σ w β %.15g, TWFE %.15g", tw, twb, r.TWFE)
	}
}

// baconFrame builds a balanced panel frame from unit-major slices.
func baconFrame(t *testing.T, units, periods int, y, d []float64) *Frame {
	t.Helper()
	uc := make([]float64, units*periods)
	tc := make([]float64, units*periods)
	for u := range units {
		for k := range periods {
			uc[u*periods+k] = float64(u + 1)
			tc[u*periods+k] = float64(2000 + k)
		}
	}
	f := NewFrame(units * periods)
	for _, c := range []struct {
		n string
		x []float64
	}{{"id", uc}, {"year", tc}, {"y", y}, {"d", d}} {
		if err := f.AddFloat(c.n, c.x); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestBaconAlwaysTreated checks the identity with never- and
// always-treated units together, on a panel with arbitrary outcomes, and
// that the TWFE coefficient matches feols.
func TestBaconAlwaysTreated(t *testing.T) {
	const T = 8
	cohorts := []int{0, 0, 2, 2, 2, 3, 5, 5, 7, T, T, T} // 0 = always, T = never
	N := len(cohorts)
	y := make([]float64, N*T)
	d := make([]float64, N*T)
	for u, g := range cohorts {
		for k := range T {
			y[u*T+k] = math.Sin(float64(3*u+7*k)) + 0.1*float64(u*k%5)
			if k >= g {
				d[u*T+k] = 1
			}
		}
	}
	f := baconFrame(t, N, T, y, d)
	r, err := Bacon(f, BaconSpec{Outcome: "y", Treat: "d", Unit: "id", Time: "year"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Always != 2 || r.Never != 3 {
		t.Errorf("always %d never %d", r.Always, r.Never)
	}
	checkBaconIdentity(t, r)
	tw, err := TWFE(f, "y", "d", "id", "year", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(r.TWFE, mustCoef(t, tw, "d").Estimate); e > 1e-10 {
		t.Errorf("TWFE %v vs feols %v", r.TWFE, mustCoef(t, tw, "d").Estimate)
	}
	// 4 timing groups: 4 vs never, 4 vs always, 6 pairs × 2.
	if len(r.Pairs) != 20 || len(r.ByType) != 4 {
		t.Errorf("%d pairs, %d types", len(r.Pairs), len(r.ByType))
	}
}

func TestBaconBadInput(t *testing.T) {
	const N, T = 4, 5
	base := func() ([]float64, []float64) {
		y := make([]float64, N*T)
		d := make([]float64, N*T)
		for u := range N {
			for k := range T {
				y[u*T+k] = float64(u*k) + math.Cos(float64(u+k))
				if u > 0 && k >= u {
					d[u*T+k] = 1
				}
			}
		}
		return y, d
	}
	cases := []struct {
		name string
		edit func(y, d []float64) *Frame
		spec BaconSpec
	}{
		{"switches off", func(y, d []float64) *Frame { d[1*T+4] = 0; return baconFrame(t, N, T, y, d) }, BaconSpec{}},
		{"not binary", func(y, d []float64) *Frame { d[2*T+3] = 0.5; return baconFrame(t, N, T, y, d) }, BaconSpec{}},
		{"missing outcome", func(y, d []float64) *Frame { y[7] = math.NaN(); return baconFrame(t, N, T, y, d) }, BaconSpec{}},
		{"unbalanced", func(y, d []float64) *Frame {
			f := baconFrame(t, N, T, y, d)
			rows := make([]int, 0, N*T-1)
			for i := range N * T {
				if i != 6 {
					rows = append(rows, i)
				}
			}
			g, err := frameRows(f, rows)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}, BaconSpec{}},
		{"time-varying control", func(y, d []float64) *Frame {
			f := baconFrame(t, N, T, y, d)
			if err := f.AddFloat("x", y); err != nil {
				t.Fatal(err)
			}
			return f
		}, BaconSpec{Controls: []string{"x"}}},
		{"one cohort only", func(y, d []float64) *Frame {
			for u := range N {
				for k := range T {
					d[u*T+k] = float64(min(1, k/2))
				}
			}
			return baconFrame(t, N, T, y, d)
		}, BaconSpec{}},
		{"no timing group", func(y, d []float64) *Frame { clear(d); return baconFrame(t, N, T, y, d) }, BaconSpec{}},
		{"missing column", func(y, d []float64) *Frame { return baconFrame(t, N, T, y, d) }, BaconSpec{Outcome: "nope"}},
	}
	for _, c := range cases {
		y, d := base()
		f := c.edit(y, d)
		s := BaconSpec{Outcome: "y", Treat: "d", Unit: "id", Time: "year", Controls: c.spec.Controls}
		if c.spec.Outcome != "" {
			s.Outcome = c.spec.Outcome
		}
		_, err := Bacon(f, s)
		var be *BaconError
		if !errors.As(err, &be) || len(be.Issues) == 0 {
			t.Errorf("%s: got %v, want *BaconError", c.name, err)
			continue
		}
		t.Logf("%s: %v", c.name, err)
	}
	// A time-invariant control is absorbed, with a note, and changes nothing.
	y, d := base()
	f := baconFrame(t, N, T, y, d)
	idc, _ := f.Float("id")
	if err := f.AddFloat("region", idc); err != nil {
		t.Fatal(err)
	}
	r, err := Bacon(f, BaconSpec{Outcome: "y", Treat: "d", Unit: "id", Time: "year", Controls: []string{"region"}})
	if err != nil || len(r.Notes) != 1 {
		t.Fatalf("time-invariant control: %v %+v", err, r)
	}
	checkBaconIdentity(t, r)
}
