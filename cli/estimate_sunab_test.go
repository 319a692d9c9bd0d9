package cli

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// sunab() through `cityimpact estimate` on fixest's base_stagg
// (econ/testdata/fixest_base_stagg.csv, lrberge/fixest @dbe56c5
// data/base_stagg.RData): the aggregated coefficients under fixest's names.
// Expected: R fixest 0.12.2 run here (econ/testdata/sunab/reference.csv,
// written by econ/testdata/sunab/sunab.R), rows default:att and
// default:period; the ATT also matches fixest's published −1.133749
// (0.205070).
func TestEstimateSunab(t *testing.T) {
	const path = "../econ/testdata/fixest_base_stagg.csv"
	formula := "y ~ x1 + sunab(year_treated, year) | id + year"
	type coef struct{ Estimate, SE float64 }
	run := func(args ...string) map[string]coef {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"estimate", "--data", path, "--formula", formula}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var res struct{ Coefficients map[string]coef }
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return res.Coefficients
	}
	near := func(name string, got coef, est, se float64) {
		if math.Abs(got.Estimate-est) > 1e-8*math.Abs(est) || math.Abs(got.SE-se) > 1e-8*se {
			t.Errorf("%s = %.15g (%.15g); want %.15g (%.15g)", name, got.Estimate, got.SE, est, se)
		}
	}
	att := run("--agg", "att")
	if len(att) != 2 {
		t.Errorf("--agg att: coefficients %v; want x1 and ATT", att)
	}
	near("ATT", att["ATT"], -1.1337494487720281, 0.2050704937615197)
	near("x1", att["x1"], 0.99467831085671155, 0.01837813194598904)

	period := run() // --agg auto: by relative period, as fixest's summary
	if len(period) != 18 {
		t.Errorf("default: %d coefficients; want x1 and 17 relative periods", len(period))
	}
	near("year::-3", period["year::-3"], -0.088379212888139283, 0.25579114478493686)
	near("year::8", period["year::8"], 6.2436260544389395, 0.29755720486033505)

	cells := run("--agg", "none")
	if _, ok := cells["year::0:cohort::2"]; !ok || len(cells) != 82 {
		t.Errorf("--agg none: %d coefficients; want the 81 cells and x1", len(cells))
	}

	code, _, errs := runCLI(t, "estimate", "--data", path, "--formula", formula, "--agg", "bogus")
	if code != 1 || !strings.Contains(errs, "--agg") {
		t.Errorf("--agg bogus: exit %d, %q; want exit 1 naming --agg", code, errs)
	}
}
