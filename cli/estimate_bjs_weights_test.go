package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bjsWRef reads the weighted / extra-FE references of R didimputation
// 0.5.0 (econ/testdata/bjs_weights_reference.json, written by
// econ/testdata/bjs_weights_reference.R).
func bjsWRef(t *testing.T, name string) []struct {
	Term         string
	Estimate, SE float64
	SEBJS        float64 `json:"se_bjs"`
} {
	t.Helper()
	b, err := os.ReadFile("../econ/testdata/bjs_weights_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Estimates []struct {
			Name  string
			Terms []struct {
				Term         string
				Estimate, SE float64
				SEBJS        float64 `json:"se_bjs"`
			}
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Estimates {
		if c.Name == name {
			return c.Terms
		}
	}
	t.Fatalf("no reference case %s", name)
	return nil
}

// staggWithColumns writes fixest's base_stagg with the deterministic
// columns of bjs_weights_reference.R (region = id mod 6,
// w = 0.5 + (id mod 7)/4 + (year mod 3)/10) and year_treated 10000
// (never treated) recoded to 0; edit may change a row's fields.
func staggWithColumns(t *testing.T, edit func(row int, f []string) []string) string {
	t.Helper()
	b, err := os.ReadFile("../econ/testdata/fixest_base_stagg.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var sb strings.Builder
	sb.WriteString(lines[0] + ",region,w\n")
	for k, l := range lines[1:] {
		f := strings.Split(l, ",")
		id, _ := strconv.ParseFloat(f[0], 64)
		yr, _ := strconv.ParseFloat(f[1], 64)
		if f[2] == "10000" {
			f[2] = "0"
		}
		f = append(f, fmt.Sprint(math.Mod(id, 6)), strconv.FormatFloat(0.5+math.Mod(id, 7)/4+math.Mod(yr, 3)/10, 'g', -1, 64))
		if edit != nil {
			f = edit(k, f)
		}
		sb.WriteString(strings.Join(f, ",") + "\n")
	}
	p := filepath.Join(t.TempDir(), "stagg.csv")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// `cityimpact did-imputation --weights w --controls x1 --fe id,region^year`
// reproduces didimputation (first_stage = ~ x1 | id + region^year,
// wname = "w") on base_stagg to 1e-8: estimates, and SEs under both
// --se-weights choices.
func TestDIDImputationWeightsFE(t *testing.T) {
	data := staggWithColumns(t, nil)
	ref := bjsWRef(t, "stagg_w_x1_regyear_horizons")
	for _, mode := range []string{"estimator", "didimputation"} {
		code, out, errs := runCLI(t, "did-imputation", "--data", data, "--outcome", "y", "--unit", "id", "--time", "year",
			"--cohort", "year_treated", "--weights", "w", "--controls", "x1", "--fe", "id,region^year",
			"--se-weights", mode, "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var res struct {
			Horizons []struct {
				Term         string
				Estimate, SE float64
			}
			Controls []struct {
				Name     string
				Estimate *float64
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(res.Horizons) != len(ref) {
			t.Fatalf("%s: %d horizons; want %d", mode, len(res.Horizons), len(ref))
		}
		for k, w := range ref {
			g := res.Horizons[k]
			se := w.SEBJS
			if mode == "didimputation" {
				se = w.SE
			}
			if g.Term != w.Term || math.Abs(g.Estimate-w.Estimate) > 1e-8*math.Abs(w.Estimate) || math.Abs(g.SE-se) > 1e-8*se {
				t.Errorf("%s: horizon %s %v (%v); want %s %v (%v)", mode, g.Term, g.Estimate, g.SE, w.Term, w.Estimate, se)
			}
		}
		if len(res.Controls) != 1 || res.Controls[0].Name != "x1" || res.Controls[0].Estimate == nil {
			t.Errorf("controls %+v; want x1 with an estimate", res.Controls)
		}
	}
}

func TestDIDImputationWeightsBadInput(t *testing.T) {
	base := []string{"did-imputation", "--outcome", "y", "--unit", "id", "--time", "year", "--cohort", "year_treated"}
	negative := staggWithColumns(t, func(row int, f []string) []string {
		if row == 4 {
			f[len(f)-1] = "-2"
		}
		return f
	})
	missing := staggWithColumns(t, func(row int, f []string) []string {
		if row == 7 {
			f[len(f)-1] = ""
		}
		return f
	})
	// Unit 7 (cohort 9): a site level of its own in its treated years.
	site := staggWithColumns(t, func(row int, f []string) []string {
		if f[0] == "7" && (f[1] == "9" || f[1] == "10") {
			f[len(f)-2] = "99"
		}
		return f
	})
	cases := []struct {
		name, data, want string
		extra            []string
	}{
		{"negative weight", negative, `column "w": negative weight -2`, []string{"--weights", "w"}},
		{"missing weight", missing, `column "w": missing weight`, []string{"--weights", "w"}},
		{"no weight column", site, `"pop"`, []string{"--weights", "pop"}},
		{"se-weights without weights", site, "needs --weights", []string{"--se-weights", "didimputation"}},
		{"bad se-weights", site, "--se-weights", []string{"--weights", "w", "--se-weights", "fixest"}},
		{"bad fe", site, "--fe", []string{"--fe", "id,region^"}},
		{"no fe column", site, `"province"`, []string{"--fe", "id,province^year"}},
		{"strict", site, `unit "7" time 9: treated observation cannot be imputed`, []string{"--fe", "id,region^year", "--strict"}},
	}
	for _, c := range cases {
		args := append(append(append([]string(nil), base...), "--data", c.data), c.extra...)
		code, _, errs := runCLI(t, args...)
		if code != ExitUser || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", c.name, code, errs, ExitUser, c.want)
		}
	}
	// Without --strict the two cells are dropped with a note.
	code, out, errs := runCLI(t, append(append([]string(nil), base...), "--data", site, "--fe", "id,region^year")...)
	if code != 0 || !strings.Contains(out, `note: 2 treated observations cannot be imputed and were dropped: unit "7" time 9`) ||
		!strings.Contains(out, "Y(0) model on untreated observations: fixed effects id + region^year\n") {
		t.Errorf("dropped cells: exit %d\n%s%s", code, out, errs)
	}
}
