package econ

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

// FuzzSyntheticDID builds small panels from fuzz bytes (units, periods,
// adoption, outcomes, holes) and checks that NewSynthPanel and
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
		var d SynthData
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
		for _, m := range []SDIDMethod{SDIDSynth, SDIDSC, SDIDDID} {
			r, err := SyntheticDID(p, SDIDOptions{Method: m, Placebo: 3, MaxIter: 500})
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
