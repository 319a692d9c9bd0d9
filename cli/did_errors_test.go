package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDIDBadInput runs issue 6's bad DID inputs through `cityimpact did`:
// each must exit 1 with a message naming the file or unit, the period and
// what is wrong, and write nothing to stdout.
func TestDIDBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "id,t,y,g\n"
	// Units a, b never treated; c, d from 3; e, f from 4; periods 1–4.
	good := head + "a,1,1,0\na,2,2,0\na,3,3,0\na,4,4,0\nb,1,2,0\nb,2,2.5,0\nb,3,4,0\nb,4,4.5,0\n" +
		"c,1,1,3\nc,2,2,3\nc,3,4,3\nc,4,5,3\nd,1,3,3\nd,2,3.5,3\nd,3,5.5,3\nd,4,6,3\n" +
		"e,1,0,4\ne,2,1,4\ne,3,2,4\ne,4,4,4\nf,1,1,4\nf,2,1.5,4\nf,3,2.5,4\nf,4,4.5,4\n"
	replace := func(s string, pairs ...string) string { return strings.NewReplacer(pairs...).Replace(s) }
	files := map[string]string{
		"good.csv":    good,
		"nonever.csv": replace(good, ",0\n", ",4\n"),
		// c is treated from period 1 (no pre-period): dropped, as did does.
		"first.csv":    replace(good, "c,1,1,3\nc,2,2,3\nc,3,4,3\nc,4,5,3\n", "c,1,1,1\nc,2,2,1\nc,3,4,1\nc,4,5,1\n"),
		"withoutc.csv": replace(good, "c,1,1,3\nc,2,2,3\nc,3,4,3\nc,4,5,3\n", ""),
		"allfirst.csv": head + "a,1,1,1\na,2,2,1\nb,1,1,1\nb,2,3,1\n",
		// d's cohort is 3 until period 3, then 0: treatment switching off.
		"off.csv": replace(good, "d,4,6,3\n", "d,4,6,0\n"),
		// two missing outcomes (CSV lines 4 and 8) and a missing row.
		"missing.csv": replace(good, "a,3,3,0\n", "a,3,,0\n", "b,3,4,0\n", "b,3,,0\n"),
		"gap.csv":     replace(good, "b,2,2.5,0\n", ""),
	}
	path := map[string]string{}
	for name, s := range files {
		path[name] = write(name, s)
	}
	run := func(file string, extra ...string) (int, string, string) {
		return runCLI(t, append([]string{"did", "--data", path[file], "--outcome", "y", "--unit", "id",
			"--time", "t", "--cohort", "g", "--format", "json"}, extra...)...)
	}
	if code, _, errs := run("good.csv"); code != 0 {
		t.Fatalf("valid panel: exit %d: %s", code, errs)
	}
	for _, c := range []struct {
		name, file string
		extra      []string
		want       []string
	}{
		{"no never-treated units with --control never", "nonever.csv", []string{"--control", "never"},
			[]string{"no never-treated units", "period 3 (2 units), 4 (4 units)", "not-yet-treated"}},
		{"every unit treated in the first period", "allfirst.csv", nil,
			[]string{"every unit is treated in the first period"}},
		{"cohort column not constant within a unit (treatment switches off)", "off.csv", nil,
			[]string{`unit "d"`, "from 3 to 0", "period 4", "switch off"}},
		{"missing outcomes", "missing.csv", nil,
			[]string{"missing.csv:4: column \"y\": missing outcome", "missing.csv:8: column \"y\": missing outcome"}},
		{"missing row in a balanced panel", "gap.csv", nil,
			[]string{"not balanced", `unit "b" has no row for period 2`, "--sample unbalanced"}},
	} {
		code, out, errs := run(c.file, c.extra...)
		if code != 1 || out != "" {
			t.Errorf("%s: exit %d, stdout %q; want exit 1 and no output", c.name, code, out)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr %q does not mention %q", c.name, errs, w)
			}
		}
	}

	// The remedies the messages name work.
	if code, _, errs := run("nonever.csv", "--control", "notyet"); code != 0 {
		t.Errorf("no never-treated units, --control notyet: exit %d: %s", code, errs)
	}
	if code, _, errs := run("gap.csv", "--sample", "unbalanced"); code != 0 {
		t.Errorf("missing row, --sample unbalanced: exit %d: %s", code, errs)
	}
	// A cohort treated in the first period is dropped, as did drops it:
	// the estimates equal the run without its units, and the command says
	// which units it left out (stderr and the JSON "dropped" list).
	code, withC, errs := run("first.csv")
	if code != 0 {
		t.Fatalf("cohort 1: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "treated in the first period") {
		t.Errorf("no notice of the dropped units: %q", errs)
	}
	dropped := regexp.MustCompile(`"dropped": \[[^\]]*\]`)
	if !dropped.MatchString(withC) || dropped.FindString(withC) == `"dropped": []` {
		t.Errorf("JSON does not list the dropped units:\n%s", withC)
	}
	if _, withoutC, _ := run("withoutc.csv"); dropped.ReplaceAllString(withC, "") != dropped.ReplaceAllString(withoutC, "") {
		t.Errorf("cohort treated in period 1 not dropped:\n%s\nwithout it:\n%s", withC, withoutC)
	}
}
