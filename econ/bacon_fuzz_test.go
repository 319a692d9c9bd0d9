package econ

import (
	"errors"
	"math"
	"testing"
)

// FuzzBacon builds small panels from the input (number of periods, each
// unit's adoption period or never/always, outcomes) and checks that Bacon
// either returns a *BaconError or satisfies Theorem 1: weights sum to 1 and
// Σ w β equals its TWFE coefficient, which must match feols.
func FuzzBacon(f *testing.F) {
	f.Add([]byte{5, 1, 2, 9, 0, 3, 7, 7, 1, 200, 3, 4, 5})
	f.Add([]byte{3, 1, 1, 2})
	f.Add([]byte{8, 0, 9, 9, 2, 2, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		T := 2 + int(data[0])%9
		N := min(2+int(data[1])%14, len(data)-2)
		if N < 1 {
			return
		}
		y := make([]float64, N*T)
		d := make([]float64, N*T)
		for u := range N {
			g := int(data[2+u]) % (T + 1) // 0 always, T never
			for k := range T {
				b := data[(3*u+5*k)%len(data)]
				y[u*T+k] = float64(b)/16 + math.Sin(float64(u*T+k))
				if k >= g {
					d[u*T+k] = 1
				}
			}
		}
		fr := baconFrame(t, N, T, y, d)
		r, err := Bacon(fr, BaconSpec{Outcome: "y", Treat: "d", Unit: "id", Time: "year"})
		if err != nil {
			var be *BaconError
			if !errors.As(err, &be) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		var sw, swb float64
		for _, p := range r.Pairs {
			sw += p.Weight
			swb += p.Weight * p.Estimate
		}
		scale := 1 + math.Abs(r.TWFE)
		if math.Abs(sw-1) > 1e-9 || math.Abs(swb-r.TWFE) > 1e-9*scale {
			t.Fatalf("Σ w = %v, Σ w β = %v, TWFE %v", sw, swb, r.TWFE)
		}
		tw, err := TWFE(fr, "y", "d", "id", "year", nil, Options{})
		var se *SampleError
		if errors.As(err, &se) {
			return // no residual degrees of freedom for feols: nothing to compare
		}
		if err != nil {
			t.Fatalf("feols: %v", err)
		}
		if c := tw.Coefs[0].Estimate; math.Abs(c-r.TWFE) > 1e-8*scale {
			t.Fatalf("TWFE %v vs feols %v", r.TWFE, c)
		}
	})
}
