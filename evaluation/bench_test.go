package evaluation

import (
	"context"
	"testing"
)

// BenchmarkRunDemo is the README's demo evaluation (297 cities × 16
// years, 35 indicators, index with 200 Monte Carlo draws, nine causal
// methods on the index and six dimensions, diagnoses): the budget
// is 30 s on 2 cores.
func BenchmarkRunDemo(b *testing.B) {
	s, err := ReadSpec("../examples/demo/evaluation.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Run(context.Background(), s, RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunLarge is the same evaluation on 3,000 synthetic cities.
func BenchmarkRunLarge(b *testing.B) {
	s, err := ReadSpec("../examples/demo/evaluation.yaml")
	if err != nil {
		b.Fatal(err)
	}
	s.Data.Generate.Units = 3000
	s.Report.Cases = nil
	for b.Loop() {
		if _, err := Run(context.Background(), s, RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
