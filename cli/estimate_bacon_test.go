package cli

import (
	"encoding/json"
	"math"
	"testing"
)

// `cityimpact estimate --bacon` on the castle-doctrine panel
// (econ/testdata/bacon): the TWFE coefficient published in
// evanjflack/bacondecomp @0.1.0 : index.ipynb (0.0818116169306475) and its
// weights by type (0.05976325, 0.03189818, 0.90833857); the full
// comparison with R bacondecomp is econ's TestBaconCastle.
func TestEstimateBacon(t *testing.T) {
	args := []string{"estimate", "--data", "../econ/testdata/bacon/castle_bacondecomp.csv",
		"--formula", "l_homicide ~ post | state + year", "--bacon", "--treat", "post", "--unit", "state", "--time", "year"}
	code, out, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		TWFE   float64 `json:"twfe"`
		ByType []struct {
			Type   string  `json:"type"`
			Weight float64 `json:"weight"`
		} `json:"by_type"`
		Pairs []struct {
			Estimate, Weight float64
		} `json:"pairs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if math.Abs(res.TWFE-0.0818116169306475) > 1e-12 || len(res.Pairs) != 25 {
		t.Errorf("twfe %v, %d pairs", res.TWFE, len(res.Pairs))
	}
	pub := map[string]float64{"Earlier vs Later Treated": 0.05976325, "Later vs Earlier Treated": 0.03189818, "Treated vs Untreated": 0.90833857}
	for _, s := range res.ByType {
		if math.Abs(s.Weight-pub[s.Type]) > 5e-9 {
			t.Errorf("%s weight %v, published %v", s.Type, s.Weight, pub[s.Type])
		}
	}
	// Missing --unit is a user error (exit 1).
	if code, _, _ := runCLI(t, args[:len(args)-4]...); code != 1 {
		t.Errorf("without --unit/--time: exit %d, want 1", code)
	}
	// A non-numeric treatment column is a user error too.
	bad := append([]string{}, args...)
	bad[7] = "state" // --treat state: not numeric
	if code, _, errs := runCLI(t, bad...); code != 1 {
		t.Errorf("--treat state: exit %d, want 1 (%s)", code, errs)
	}
}
