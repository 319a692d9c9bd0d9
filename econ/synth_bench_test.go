package econ

import "testing"

// BenchmarkSynthControl fits the ADH California synthetic control (39
// states × 31 years, 7 predictors; nested V optimisation), alone, with
// all 38 in-space placebos, and with the leave-one-out refits (one per
// donor of positive weight: 6).
func BenchmarkSynthControl(b *testing.B) {
	p, err := NewSynthPanel(readSmoking(b), "cigsale")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name                  string
		placebos, leaveOneOut bool
	}{{"prop99/fit", false, false}, {"prop99/fit+38placebos", true, false}, {"prop99/fit+leave-one-out", false, true}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SynthControl(p, SynthOptions{Predictors: adhPredictors, Placebos: c.placebos, LeaveOneOut: c.leaveOneOut}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
