package econ

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

// FuzzSyntheticDID builds small panels from fuzz bytes (units, periods,
// adoption, outcomes, a covariate, holes) and checks that NewSynthPanel and
// SyntheticDID never panic, that failures are *SynthError, and that on
// success the weights lie on the simplex and the estimate equals the mean
// of the effect curve (synthdid: τ̂ = mean of synthdid_effect_curve).
func FuzzSyntheticDID(f *testing.F) {
	f.Add([]byte{4, 6, 3, 1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 7, 3})
	f.Add([]byte{3, 3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{5, 8, 5, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 0, 128})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		nu, nt := int(b[0]%8)+2, int(b[1]%8)+2
		adopt, ntr := int(b[2])%nt, int(b[3])%nu+1
		data := b[4:]
		d := SynthData{Covariates: map[string][]float64{}}
		k := 0
		for i := range nu {
			for t := range nt {
				v := 0.0
				if len(data) > 0 {
					v = float64(data[k%len(data)]) + float64(k%7)
					if data[k%len(data)] == 255 {
						v = math.NaN()
					}
				}
				k++
				tr := 0.0
				if i < ntr && t >= adopt {
					tr = 1
				}
				x := float64(t) * float64(i%3)
				if len(data) > 0 {
					x += float64(data[(3*k+1)%len(data)]) / 64
					if data[(3*k+1)%len(data)] == 254 {
						x = math.NaN()
					}
				}
				d.Covariates["x"] = append(d.Covariates["x"], x)
				d.Unit = append(d.Unit, "u"+strconv.Itoa(i))
				d.Time = append(d.Time, 2000+t)
				d.Outcome = append(d.Outcome, v)
				d.Treat = append(d.Treat, tr)
			}
		}
		var se *SynthError
		p, err := NewSynthPanel(d, "y")
		if err != nil {
			if !errors.As(err, &se) {
				t.Fatalf("err %v is not *SynthError", err)
			}
			return
		}
		// In-time placebo: Backdate either fails with a *SynthError or
		// gives the pre-periods with the start moved back.
		back := int(b[2]>>4) % (p.T0 + 1)
		if q, err := p.Backdate(back); err != nil {
			if !errors.As(err, &se) {
				t.Fatalf("Backdate(%d): err %v is not *SynthError", back, err)
			}
		} else if q.T() != p.T0 || q.T0 != p.T0-back || q.T0 < 2 || len(q.Y) != q.N()*q.T() {
			t.Fatalf("Backdate(%d) of T0 %d: T %d T0 %d", back, p.T0, q.T(), q.T0)
		} else if _, err := SyntheticDID(q, SDIDOptions{MaxIter: 200}); err != nil && !errors.As(err, &se) {
			t.Fatalf("SyntheticDID on the in-time placebo: err %v is not *SynthError", err)
		}
		// Classic synthetic control with leave-one-out refits: weights on
		// the simplex, one refit per positive weight, none weighting the
		// dropped donor.
		if r, err := SynthControl(p, SynthOptions{LeaveOneOut: true, Workers: 1}); err != nil {
			if !errors.As(err, &se) {
				t.Fatalf("SynthControl: err %v is not *SynthError", err)
			}
		} else {
			npos := 0
			for _, w := range r.W {
				if w > 0 {
					npos++
				}
			}
			if len(r.LeaveOneOut) != npos {
				t.Fatalf("%d leave-one-out refits for %d positive weights", len(r.LeaveOneOut), npos)
			}
			for _, l := range r.LeaveOneOut {
				var s float64
				for j, w := range l.W {
					if w < 0 || math.IsNaN(w) || l.Donors[j] == l.Dropped {
						t.Fatalf("refit without %s: weights %v of %v", l.Dropped, l.W, l.Donors)
					}
					s += w
				}
				if len(l.W) > 0 && math.Abs(s-1) > 1e-9 {
					t.Fatalf("refit without %s: weights sum to %v", l.Dropped, s)
				}
			}
		}
		// With a covariate (complete or not, identified or not) and the
		// bootstrap where it is defined, the same invariants hold.
		var runs []SDIDOptions
		for _, m := range []SDIDMethod{SDIDSynth, SDIDSC, SDIDDID} {
			runs = append(runs, SDIDOptions{Method: m, Placebo: 3, MaxIter: 500})
			cov := SDIDOptions{Method: m, Covariates: []string{"x"}, MaxIter: 200, Placebo: 2, Seed: uint64(b[3])}
			if p.N()-p.N0 >= 2 {
				cov.Bootstrap, cov.Placebo = 3, 0
			}
			runs = append(runs, cov)
		}
		for _, opts := range runs {
			m := opts.Method
			r, err := SyntheticDID(p, opts)
			if err != nil {
				if !errors.As(err, &se) {
					t.Fatalf("err %v is not *SynthError", err)
				}
				continue
			}
			var s float64
			for _, w := range r.Omega {
				if w < 0 || math.IsNaN(w) {
					t.Fatalf("%v: negative or NaN weight %v", m, r.Omega)
				}
				s += w
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("%v: unit weights sum to %v", m, s)
			}
			var mean float64
			for _, e := range r.Plot.Effect {
				mean += e
			}
			mean /= float64(len(r.Plot.Effect))
			if math.Abs(mean-r.Estimate) > 1e-9*(1+math.Abs(r.Estimate)) {
				t.Fatalf("%v: estimate %v; mean effect %v", m, r.Estimate, mean)
			}
		}
	})
}
