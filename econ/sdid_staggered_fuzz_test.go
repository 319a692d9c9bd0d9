package econ

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

// FuzzStaggeredSDID builds small panels from fuzz bytes (units, periods,
// per-unit adoption periods — possibly the first period, never, or
// switching off —, outcomes with holes) and checks that StaggeredSDID
// never panics, that failures are *SynthError, and that on success the
// cohort weights sum to one, the estimate is their weighted sum of the
// cohort estimates, and every cohort's unit weights lie on the simplex.
func FuzzStaggeredSDID(f *testing.F) {
	f.Add([]byte{6, 6, 0, 3, 4, 9, 9, 9, 10, 20, 30, 40, 50, 60, 70, 80})
	f.Add([]byte{5, 8, 2, 2, 9, 5, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255})
	f.Add([]byte{4, 4, 1, 9, 9, 9, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 3 {
			return
		}
		nu, nt := int(b[0]%7)+2, int(b[1]%7)+2
		if len(b) < 2+nu {
			return
		}
		adopt := b[2 : 2+nu] // ≥ nt: never treated; 201: on in the first period only
		data := b[2+nu:]
		var d SynthData
		k := 0
		for i := range nu {
			for tt := range nt {
				v := float64(k % 5)
				if len(data) > 0 {
					v = float64(data[k%len(data)]) + float64(k%7)
					if data[k%len(data)] == 255 {
						v = math.NaN()
					}
				}
				k++
				a := int(adopt[i])
				tr := 0.0
				if a < nt && tt >= a {
					tr = 1
				}
				if a == 201 && tt == 0 {
					tr = 1 // on in the first period, then off
				}
				d.Unit = append(d.Unit, "u"+strconv.Itoa(i))
				d.Time = append(d.Time, 2000+tt)
				d.Outcome = append(d.Outcome, v)
				d.Treat = append(d.Treat, tr)
			}
		}
		opts := SDIDOptions{Method: SDIDMethod(int(b[1]) % 3), Bootstrap: 3, Placebo: 3, Seed: 1, Workers: 2}
		r, err := StaggeredSDID(d, "y", opts)
		if err != nil {
			var se *SynthError
			if !errors.As(err, &se) {
				t.Fatalf("err %v is not *SynthError", err)
			}
			return
		}
		var ws, est float64
		for _, c := range r.Cohorts {
			ws += c.Weight
			est += c.Weight * c.Result.Estimate
			var s float64
			for _, w := range c.Result.Omega {
				if w < 0 {
					t.Fatalf("negative unit weight %v", w)
				}
				s += w
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("cohort %d: unit weights sum to %v", c.Adoption, s)
			}
		}
		if math.Abs(ws-1) > 1e-12 || !(math.Abs(est-r.Estimate) <= 1e-9*max(1, math.Abs(est))) && !math.IsNaN(est) {
			t.Fatalf("cohort weights sum %v, estimate %v vs %v", ws, r.Estimate, est)
		}
	})
}
