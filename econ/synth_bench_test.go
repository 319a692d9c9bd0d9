package econ

import "testing"

// BenchmarkSynthControl fits the ADH California synthetic control (39
// states × 31 years, 7 predictors; nested V optimisation), alone and with
// all 38 in-space placebos.
func BenchmarkSynthControl(b *testing.B) {
	p, err := NewSynthPanel(readSmoking(b), "cigsale")
	if err != nil {
		b.Fatal(err)
	}
	for _, placebos := range []bool{false, true} {
		name := "prop99/fit"
		if placebos {
			name = "prop99/fit+38placebos"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SynthControl(p, SynthOptions{Predictors: adhPredictors, Placebos: placebos}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
