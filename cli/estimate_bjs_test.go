package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cityimpact did-imputation` on did's mpdta: the overall ATT and SE of R
// didimputation 0.5.0 (econ/testdata/bjs_reference.json, precise run:
// −0.0477099151… is the shipped value to 1e-7), and the pre-trend test.
func TestDIDImputationCommand(t *testing.T) {
	code, out, errs := runCLI(t, "did-imputation", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp",
		"--unit", "countyreal", "--time", "year", "--cohort", "first.treat", "--pretrends", "3", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Overall struct {
			Term         string
			Estimate, SE float64
		}
		Horizons []struct {
			H            *int
			Estimate, SE float64
		}
		PreTrend struct {
			Leads []struct{ E int }
			F     float64
		} `json:"pretrend"`
		NTreated int `json:"n_treated"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ref := readBJSRef(t)
	for _, c := range ref {
		if c.Name != "mpdta_static" {
			continue
		}
		w := c.Terms[0]
		if math.Abs(res.Overall.Estimate-w.Estimate) > 1e-8*math.Abs(w.Estimate) || math.Abs(res.Overall.SE-w.SE) > 1e-8*w.SE {
			t.Errorf("overall %v (%v); didimputation %v (%v)", res.Overall.Estimate, res.Overall.SE, w.Estimate, w.SE)
		}
	}
	if len(res.Horizons) != 4 || res.Horizons[0].H == nil || *res.Horizons[0].H != 0 {
		t.Errorf("horizons %+v; want 0..3", res.Horizons)
	}
	if len(res.PreTrend.Leads) != 3 || res.PreTrend.Leads[0].E != -3 || !(res.PreTrend.F > 0) {
		t.Errorf("pre-trend %+v", res.PreTrend)
	}
	// Table and csv.
	code, out, errs = runCLI(t, "did-imputation", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp",
		"--unit", "countyreal", "--time", "year", "--cohort", "first.treat", "--horizons", "0,2")
	if code != 0 || !strings.Contains(out, "h 2") || strings.Contains(out, "h 1") {
		t.Errorf("table: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, "did-imputation", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp",
		"--unit", "countyreal", "--time", "year", "--cohort", "first.treat", "--horizons", "none", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "term,estimate,se,ci_low,ci_high,n\ntreat,") {
		t.Errorf("csv: exit %d\n%s", code, out)
	}
}

func readBJSRef(t *testing.T) []struct {
	Name  string
	Terms []struct {
		Term         string
		Estimate, SE float64
	}
} {
	t.Helper()
	b, err := os.ReadFile("../econ/testdata/bjs_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Precise struct {
			Estimates []struct {
				Name  string
				Terms []struct {
					Term         string
					Estimate, SE float64
				}
			}
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Precise.Estimates
}

func TestDIDImputationBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := []string{"--outcome", "y", "--unit", "id", "--time", "t", "--cohort", "g"}
	cases := []struct {
		name, csv, want string
		extra           []string
	}{
		{"cohort varies", "id,t,g,y\n1,1,2,1\n1,2,3,2\n2,1,0,1\n2,2,0,3\n", "differs from the unit's earlier cohort", nil},
		{"duplicate", "id,t,g,y\n1,1,2,1\n1,1,2,2\n2,1,0,1\n2,2,0,3\n", "duplicated unit-period", nil},
		{"no treated", "id,t,g,y\n1,1,0,1\n1,2,0,2\n2,1,0,1\n2,2,0,3\n", "no treated observations", nil},
		{"bad horizons", "id,t,g,y\n1,1,2,1\n1,2,2,2\n2,1,0,1\n2,2,0,3\n", "--horizons", []string{"--horizons", "a,b"}},
		{"no column", "id,t,g,y\n1,1,2,1\n1,2,2,2\n2,1,0,1\n2,2,0,3\n", `"nope"`, []string{"--controls", "nope"}},
	}
	for _, c := range cases {
		p := write(strings.ReplaceAll(c.name, " ", "_")+".csv", c.csv)
		args := append(append([]string{"did-imputation", "--data", p}, base...), c.extra...)
		code, _, errs := runCLI(t, args...)
		if code != ExitUser || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", c.name, code, errs, ExitUser, c.want)
		}
	}
	if code, _, errs := runCLI(t, "did-imputation", "--outcome", "y"); code != ExitUser || !strings.Contains(errs, "--data") {
		t.Errorf("missing --data: exit %d, %q", code, errs)
	}
}
