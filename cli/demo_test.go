package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the README's main job end to end: generate, write, read
// back, validate, import; twice, to see a second version stored.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end demo")
	}
	dir := t.TempDir()
	for version := 1; version <= 2; version++ {
		code, out, errs := runCLI(t, "demo", "--out", dir, "--quiet")
		if code != ExitOK {
			t.Fatalf("demo run %d: exit %d\nstdout:\n%s\nstderr:\n%s", version, code, out, errs)
		}
		for _, want := range []string{"SYNTHETIC", "seed-2025: 35 of 35 indicators present", "validation   no problems", "smart_city_pilot"} {
			if !strings.Contains(out, want) {
				t.Errorf("demo output lacks %q:\n%s", want, out)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var r demoResult
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if !r.Synthetic || r.Version != version || r.Dataset != "demo" || len(r.Check.Problems) != 0 {
			t.Errorf("summary run %d: synthetic %v, %s@%d, problems %q", version, r.Synthetic, r.Dataset, r.Version, r.Check.Problems)
		}
		if len(r.Check.Panels) != 2 || r.Check.Panels[0].Units != 297 || r.Check.Panels[0].Periods != 16 {
			t.Errorf("panels = %+v; want annual 297 × 16 and monthly", r.Check.Panels)
		}
		if r.Check.MissingShare < 0.02 || r.Check.MissingShare > 0.04 {
			t.Errorf("missing share %v; want about 3%%", r.Check.MissingShare)
		}
	}
	// The stored dataset reads back through the data command.
	code, out, errs := runCLI(t, "data", "show", "demo@2", "--db", filepath.Join(dir, "cityimpact.duckdb"), "--format", "json")
	if code != ExitOK || !strings.Contains(out, "smart_city_pilot") {
		t.Errorf("data show demo@2: exit %d\n%s\n%s", code, out, errs)
	}
	// A bad output directory is a user error.
	f := filepath.Join(dir, "file")
	os.WriteFile(f, []byte("x"), 0o644)
	if code, _, errs := runCLI(t, "demo", "--out", f, "--quiet"); code != ExitUser {
		t.Errorf("demo --out FILE: exit %d, stderr %q; want 1", code, errs)
	}
}

// TestDemoDatasetCohorts: the cohort column of a stored dataset keeps
// never-treated units in the sample for sunab and the event study, and
// TWFE, sunab and the event study all use the same observations.
func TestDemoDatasetCohorts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end demo")
	}
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "demo", "--out", dir, "--quiet"); code != ExitOK {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	db := filepath.Join(dir, "cityimpact.duckdb")
	nobs := func(args ...string) float64 {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"estimate", "--db", db, "--dataset", "demo"}, args...)...)
		if code != ExitOK {
			t.Fatalf("estimate %v: exit %d: %s", args, code, errs)
		}
		var r struct {
			Nobs float64 `json:"nobs"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("estimate %v: %v\n%s", args, err, out)
		}
		return r.Nobs
	}
	twfe := nobs("--formula", "data_sharing_rate ~ smart_city_pilot | unit + year")
	sunab := nobs("--formula", "data_sharing_rate ~ sunab(smart_city_pilot_cohort, year) | unit + year", "--agg", "att")
	if twfe == 0 || sunab != twfe {
		t.Errorf("sunab uses %v observations, TWFE %v: never-treated units must stay in the sample", sunab, twfe)
	}
}
