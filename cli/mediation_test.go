package cli

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// `cityimpact mediate` on base_did with the mediator of
// econ/testdata/mediation_reference.R: a, b, c and c' equal fixest's feols
// (mediation_reference.json), a·b = a·b, and the bootstrap is seeded.
func TestMediateCommand(t *testing.T) {
	args := []string{"mediate", "--data", "../econ/testdata/mediation_base_did.csv", "--outcome", "ym", "--treat", "d",
		"--mediator", "m", "--controls", "x1", "--fe", "id,period", "--boot", "99", "--seed", "3", "--moderator", "z", "--format", "json"}
	code, out, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	type coef struct{ Estimate, SE float64 }
	var res struct {
		Mediation struct {
			C, A, B  coef
			CPrime   coef `json:"c_prime"`
			Indirect float64
			Caveat   string
		}
		Bootstrap struct {
			Reps   int
			Seed   uint64
			CILow  float64 `json:"ci_low"`
			CIHigh float64 `json:"ci_high"`
		}
		Moderation struct {
			Interaction coef
			Moderator   *coef
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile("../econ/testdata/mediation_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Models []struct {
			Name  string
			Coefs []struct {
				Name         string
				Estimate, SE float64
			}
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, m := range ref.Models {
		for _, c := range m.Coefs {
			want[m.Name+"/"+c.Name] = c.Estimate
			want[m.Name+"/"+c.Name+"/se"] = c.SE
		}
	}
	for _, c := range []struct {
		name string
		got  coef
	}{{"total/d", res.Mediation.C}, {"first/d", res.Mediation.A}, {"direct/m", res.Mediation.B}, {"direct/d", res.Mediation.CPrime}, {"moderation_z/d:z", res.Moderation.Interaction}} {
		if math.Abs(c.got.Estimate-want[c.name]) > 1e-8*math.Abs(want[c.name]) || math.Abs(c.got.SE-want[c.name+"/se"]) > 1e-8*want[c.name+"/se"] {
			t.Errorf("%s: %v; fixest %v (%v)", c.name, c.got, want[c.name], want[c.name+"/se"])
		}
	}
	if res.Mediation.Indirect != res.Mediation.A.Estimate*res.Mediation.B.Estimate || res.Mediation.Caveat == "" {
		t.Errorf("indirect %v, a·b %v, caveat %q", res.Mediation.Indirect, res.Mediation.A.Estimate*res.Mediation.B.Estimate, res.Mediation.Caveat)
	}
	if res.Bootstrap.Reps != 99 || res.Bootstrap.Seed != 3 || !(res.Bootstrap.CILow < res.Mediation.Indirect && res.Mediation.Indirect < res.Bootstrap.CIHigh) || res.Moderation.Moderator != nil {
		t.Errorf("bootstrap %+v, moderator %v", res.Bootstrap, res.Moderation.Moderator)
	}
	// Same seed, same output.
	_, out2, _ := runCLI(t, args...)
	if out2 != out {
		t.Error("two runs with the same seed differ")
	}
	code, out, _ = runCLI(t, "mediate", "--data", "../econ/testdata/mediation_base_did.csv", "--outcome", "ym", "--treat", "d",
		"--mediator", "m", "--fe", "id,period", "--boot", "0")
	if code != 0 || !strings.Contains(out, "a (D→M)") || !strings.Contains(out, "descriptive") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
}

func TestMediateBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mediate", "--data", "../econ/testdata/mediation_base_did.csv", "--outcome", "ym", "--treat", "d"}, "--mediator"},
		{[]string{"mediate", "--data", "../econ/testdata/mediation_base_did.csv", "--outcome", "ym", "--treat", "d", "--mediator", "nope"}, `"nope"`},
		{[]string{"mediate", "--data", "../econ/testdata/mediation_base_did.csv", "--outcome", "ym", "--treat", "d", "--mediator", "z", "--fe", "id", "--boot", "0"}, "collinear"},
		{[]string{"mediate", "--data", "../econ/testdata/mediation_base_did.csv", "--outcome", "ym", "--treat", "d", "--mediator", "m", "--boot", "-1"}, "--boot"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != ExitUser || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", c.args[5:], code, errs, ExitUser, c.want)
		}
	}
}
