package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSemicolonCSVEverywhere: every command reading a wide CSV takes a
// ';'-delimited file (synthdid's california_prop99.csv) as it takes the
// same file with ','.
func TestSemicolonCSVEverywhere(t *testing.T) {
	dir := t.TempDir()
	src := "id;year;y;treat;first_treat\n"
	for id := 1; id <= 6; id++ {
		for y := 2001; y <= 2006; y++ {
			ft, tr := 0, 0
			if id <= 3 {
				ft = 2004
				if y >= 2004 {
					tr = 1
				}
			}
			src += strings.Join([]string{itoa(id), itoa(y), ftoa(float64(id*y%7) + 0.5*float64(tr)), itoa(tr), itoa(ft)}, ";") + "\n"
		}
	}
	semi, comma := filepath.Join(dir, "semi.csv"), filepath.Join(dir, "comma.csv")
	os.WriteFile(semi, []byte(src), 0o644)
	os.WriteFile(comma, []byte(strings.ReplaceAll(src, ";", ",")), 0o644)
	for _, args := range [][]string{
		{"estimate", "--formula", "y ~ treat | id + year", "--format", "json", "--data"},
		{"did", "--outcome", "y", "--unit", "id", "--time", "year", "--cohort", "first_treat", "--format", "json", "--data"},
	} {
		c1, o1, e1 := runCLI(t, append(args, semi)...)
		c2, o2, e2 := runCLI(t, append(args, comma)...)
		if c1 != ExitOK || c2 != ExitOK || o1 != o2 {
			t.Errorf("%s: ';' exit %d %s; ',' exit %d %s\n%s\n---\n%s", args[0], c1, e1, c2, e2, o1, o2)
		}
	}
	// A ragged row in a ';' file is reported at its line and column.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id;year;y;treat\n1;2001;3;0\n1;2002;4\n"), 0o644)
	if c, _, e := runCLI(t, "estimate", "--formula", "y ~ treat | id + year", "--data", bad); c != ExitUser || !strings.Contains(e, "bad.csv:3") {
		t.Errorf("bad cell: exit %d, %s", c, e)
	}
}
