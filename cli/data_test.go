package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func dataWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDataImportExport imports two files (long annual, wide monthly) by
// registry names and codes, with treatments, and checks list, show and a
// long export against the input written out by hand.
func TestDataImportExport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	annual := dataWriteFile(t, dir, "annual.csv", "unit,period,indicator,value\n杭州市,2015,gdp,10\n杭州市,2016,gdp,11\n510100,2016,gdp,9\n")
	monthly := dataWriteFile(t, dir, "monthly.csv", "unit,period,power\n330100,2016-01,1.5\n330100,2016-02,\n")
	treat := dataWriteFile(t, dir, "t.csv", "policy,unit,start\nsmart-city,杭州,2013\n")
	code, out, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "demo", annual, monthly, "--treatments", treat)
	if code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "demo@1") {
		t.Errorf("import output %q does not name demo@1", out)
	}
	code, out, errs = runCLI(t, "data", "list", "--db", db, "--format", "csv")
	if code != ExitOK || out != "name,versions,latest,created,description\n"+out[strings.Index(out, "\n")+1:] || !strings.HasPrefix(strings.SplitN(out, "\n", 3)[1], "demo,1,1,") {
		t.Errorf("list: exit %d, %q, %s", code, out, errs)
	}
	code, out, errs = runCLI(t, "data", "show", "demo@1", "--db", db, "--format", "json")
	if code != ExitOK {
		t.Fatalf("show: exit %d: %s", code, errs)
	}
	var sum struct {
		Units  int
		Panels []struct {
			Frequency, From, To string
			Treatments          int
		}
		Sources []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Units != 2 || len(sum.Panels) != 2 || sum.Panels[0].From != "2015" || sum.Panels[1].To != "2016-02" ||
		sum.Panels[0].Treatments != 1 || sum.Panels[1].Treatments != 1 || len(sum.Sources) != 3 {
		t.Errorf("show = %s", out)
	}
	code, out, errs = runCLI(t, "data", "export", "demo", "--db", db, "--out", "-")
	want := "unit,period,indicator,value\n330100,2015,gdp,10\n330100,2016,gdp,11\n510100,2015,gdp,\n510100,2016,gdp,9\n" +
		"330100,2016-01,power,1.5\n330100,2016-02,power,\n"
	if code != ExitOK || out != want {
		t.Errorf("export: exit %d %s\n%s\nwant\n%s", code, errs, out, want)
	}
	// A file written by export imports again to the same data.
	exp := filepath.Join(dir, "exp.csv")
	if code, _, errs := runCLI(t, "data", "export", "demo@1", "--db", db, "--out", exp); code != ExitOK {
		t.Fatalf("export: %s", errs)
	}
	if code, _, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "demo", exp); code != ExitOK {
		t.Fatalf("re-import: %s", errs)
	}
	if _, out2, _ := runCLI(t, "data", "export", "demo@2", "--db", db, "--out", "-"); out2 != want {
		t.Errorf("round trip through long CSV:\n%s\nwant\n%s", out2, want)
	}
}

// TestDataImportBadFile checks that a bad file is reported by place, exits
// 1 and writes nothing.
func TestDataImportBadFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	good := dataWriteFile(t, dir, "good.csv", "unit,period,gdp\n110000,2015,1\n")
	if code, _, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "d", good); code != ExitOK {
		t.Fatal(errs)
	}
	bad := dataWriteFile(t, dir, "bad.csv", "unit,period,gdp\n110000,2015,1\n110000,2016,12x\n")
	code, _, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "d", good, bad)
	if code != ExitUser || !strings.Contains(errs, "bad.csv:3") || !strings.Contains(errs, "nothing imported") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming bad.csv:3", code, errs)
	}
	_, out, _ := runCLI(t, "data", "list", "--db", db, "--format", "csv")
	if !strings.Contains(out, "\nd,1,1,") {
		t.Errorf("after a failed import: %q; want still one version", out)
	}
	code, out, errs = runCLI(t, "data", "list", "d", "--db", db, "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != ExitOK || len(lines) != 2 || !strings.HasPrefix(lines[1], "1,") ||
		!strings.HasSuffix(lines[1], ",year,none,"+good) {
		t.Errorf("list d: exit %d %s\n%s", code, errs, out)
	}
	for _, args := range [][]string{
		{"show", "nope", "--db", db},
		{"show", "d@7", "--db", db},
		{"export", "d", "--db", db},
		{"import", "--db", db, good},
		{"delete", "d", "--db", db},
		{"list", "--db", filepath.Join(dir, "none.duckdb")},
		{"import", "--db", db, "--dataset", "d", "--framework", "seed-2025", good}, // gdp is not a seed-2025 indicator
		{"import", "--db", db, "--dataset", "d", "--framework", "no-such-template", good},
		{"import", "--db", db, "--dataset", "d", filepath.Join(dir, "missing.csv")},
	} {
		if code, _, errs := runCLI(t, append([]string{"data"}, args...)...); code != ExitUser || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 with a message", args, code, errs)
		}
	}
}

// TestDataWideRoundTrip exports a one-frequency dataset wide and imports
// it again as wide.
func TestDataWideRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	in := dataWriteFile(t, dir, "in.csv", "unit,period,gdp,pop\n110000,2015Q1,1,\n110000,2015Q2,2,5\n310000,2015Q2,-3.25,6\n")
	if code, _, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "q", "--units", "asis", in); code != ExitOK {
		t.Fatal(errs)
	}
	want := "unit,period,gdp,pop\n110000,2015Q1,1,\n110000,2015Q2,2,5\n310000,2015Q1,,\n310000,2015Q2,-3.25,6\n"
	exp := filepath.Join(dir, "exp.csv")
	if code, _, errs := runCLI(t, "data", "export", "q", "--db", db, "--out", exp, "--wide"); code != ExitOK {
		t.Fatal(errs)
	}
	if b, _ := os.ReadFile(exp); string(b) != want {
		t.Errorf("wide export:\n%s\nwant\n%s", b, want)
	}
	if code, _, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "q", "--units", "asis", "--format", "wide", exp); code != ExitOK {
		t.Fatal(errs)
	}
	if _, out, _ := runCLI(t, "data", "export", "q@2", "--db", db, "--out", "-", "--wide"); out != want {
		t.Errorf("after round trip:\n%s\nwant\n%s", out, want)
	}
}

func TestDataImputeAndMissing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	f := dataWriteFile(t, dir, "p.csv", "unit,period,x\n110000,2010,1\n110000,2011,\n110000,2012,3\n120000,2010,\n120000,2011,\n120000,2012,\n")
	if code, out, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "d", "--impute", "linear", f); code != ExitOK {
		t.Fatalf("import --impute linear: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := runCLI(t, "data", "missing", "d", "--db", db, "--by", "unit", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("data missing: exit %d\n%s", code, errs)
	}
	// 110000's gap is interpolated; 120000 has nothing to interpolate from.
	want := "frequency,unit,cells,missing,missing_share,longest_gap\nyear,120000,3,3,1.0000,3\nyear,110000,3,0,0.0000,0\n"
	if out != want {
		t.Errorf("data missing --by unit:\n%s\nwant:\n%s", out, want)
	}
	code, out, _ = runCLI(t, "data", "show", "d", "--db", db, "--format", "csv")
	if code != ExitOK || !strings.Contains(out, "linear") {
		t.Errorf("data show does not record the treatment:\n%s", out)
	}
	if code, _, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "d", "--impute", "magic", f); code != ExitUser || !strings.Contains(errs, "magic") {
		t.Errorf("--impute magic: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCLI(t, "data", "missing", "d", "--db", db, "--by", "city"); code != ExitUser || !strings.Contains(errs, "--by") {
		t.Errorf("--by city: exit %d, stderr %q", code, errs)
	}
}

func TestDataCheck(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCLI(t, "gen", "--seed", "3", "--units", "30", "--out", filepath.Join(dir, "g"), "--quiet")
	if code != ExitOK {
		t.Fatalf("gen: exit %d: %s", code, errs)
	}
	g := func(n string) string { return filepath.Join(dir, "g", n) }
	code, out, errs := runCLI(t, "data", "check", "--framework", "seed-2025", "--treatments", g("treatments.csv"), g("annual.csv"), g("monthly.csv"), "--quiet")
	if code != ExitOK || !strings.Contains(out, "35 of 35 indicators present") || !strings.Contains(out, "no problems") {
		t.Errorf("data check of generated data: exit %d\n%s\n%s", code, out, errs)
	}
	// Without the annual file, 28 annual indicators are missing: reported, exit 0.
	code, out, _ = runCLI(t, "data", "check", "--framework", "seed-2025", "--output", "json", g("monthly.csv"), "--quiet")
	if code != ExitOK || !strings.Contains(out, `"indicator g5_coverage (5G网络覆盖率) of framework seed-2025 is not in the data"`) {
		t.Errorf("data check of monthly only: exit %d\n%s", code, out)
	}
	// A bad cell is a user error naming the place; nothing is written.
	bad := dataWriteFile(t, dir, "bad.csv", "unit,period,g5_coverage\n110000,2015,12,3\n")
	code, _, errs = runCLI(t, "data", "check", "--framework", "seed-2025", bad)
	if code != ExitUser || !strings.Contains(errs, "bad.csv:2") {
		t.Errorf("bad file: exit %d, stderr %q; want exit 1 naming bad.csv:2", code, errs)
	}
	if code, _, errs := runCLI(t, "data", "check", g("annual.csv")); code != ExitUser || !strings.Contains(errs, "--framework") {
		t.Errorf("no framework: exit %d, stderr %q", code, errs)
	}
}
