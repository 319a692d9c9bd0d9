package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errs := runCLI(t, "gen", "--seed", "5", "--out", dir, "--units", "30", "--start", "2015", "--monthly=false", "--effect", "0.5", "--batch3-year", "2014")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "seed 5: 30 units × 11 years (2015-2025)") {
		t.Errorf("summary %q", out)
	}
	for _, f := range []string{"annual.csv", "treatments.csv", "truth.json", "README.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "monthly.csv")); err == nil {
		t.Error("monthly.csv written with --monthly=false")
	}
	tr, _ := os.ReadFile(filepath.Join(dir, "treatments.csv"))
	if !strings.Contains(string(tr), ",2014,,batch 3") {
		t.Error("--batch3-year 2014 not applied")
	}
}

func TestGenUserErrors(t *testing.T) {
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "keep.txt"), nil, 0o644)
	for _, args := range [][]string{
		{"--seed", "1"}, // no --out
		{"--out", t.TempDir() + "/x", "--batch3-year", "2016"}, // not 2014/2015
		{"--out", t.TempDir() + "/x", "--start", "2026"},       // start after end
		{"--out", t.TempDir() + "/x", "--effect-on", "nope"},   // unknown indicator
		{"--out", t.TempDir() + "/x", "--missing", "0.9"},      // share out of range
		{"--out", foreign}, // foreign files
		{"--out", t.TempDir() + "/x", "--seed", "-1"}, // not a uint
		{"--out", t.TempDir() + "/x", "extra"},        // stray argument
	} {
		code, _, errs := runCLI(t, append([]string{"gen"}, args...)...)
		if code != ExitUser || !strings.Contains(errs, "cityimpact gen: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 with a message", args, code, errs)
		}
	}
}
