package demo

import (
	"testing"

	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/panel"
)

// TestSeed2025MatchesFramework checks that the generator's table and the
// framework package's seed-2025 template agree on codes (and their order),
// units, directions, frequencies and aggregations.
func TestSeed2025MatchesFramework(t *testing.T) {
	f, err := framework.Template("seed-2025")
	if err != nil {
		t.Fatal(err)
	}
	leaves := f.Leaves()
	specs := Seed2025()
	if len(leaves) != len(specs) {
		t.Fatalf("framework has %d indicators, generator %d", len(leaves), len(specs))
	}
	for i, n := range leaves {
		s := specs[i]
		if n.Code != s.Code {
			t.Errorf("indicator %d: framework %s, generator %s", i+1, n.Code, s.Code)
			continue
		}
		wantDir := framework.Higher
		if s.Direction < 0 {
			wantDir = framework.Lower
		}
		if n.Direction != wantDir {
			t.Errorf("%s: framework direction %s, generator %d", s.Code, n.Direction, s.Direction)
		}
		freq := framework.Yearly
		if s.Freq == panel.Month {
			freq = framework.Monthly
		}
		if n.Freq() != freq {
			t.Errorf("%s: framework frequency %s, generator %s", s.Code, n.Freq(), s.Freq)
		}
		if string(n.Agg()) != s.Agg {
			t.Errorf("%s: framework aggregation %s, generator %s", s.Code, n.Agg(), s.Agg)
		}
		if n.Unit != s.Unit {
			t.Errorf("%s: framework unit %q, generator %q", s.Code, n.Unit, s.Unit)
		}
	}
}
