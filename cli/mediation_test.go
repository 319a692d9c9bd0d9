package cli

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// medData is the base_did panel with the mediators of
// econ/testdata/mediation_reference.R.
const medData = "../econ/testdata/mediation_base_did.csv"

// medCoef is a coefficient and its standard error.
type medCoef struct{ Estimate, SE float64 }

// medEffect is a named indirect effect and its delta-method standard error.
type medEffect struct {
	Name         string
	Estimate, SE float64
}

// medReference reads econ/testdata/mediation_reference.json: fixest's
// coefficients keyed model/coefficient (e.g. "total/d") and R's indirect
// effects of the serial model.
func medReference(t *testing.T) (coefs map[string]medCoef, serialIndirect []medEffect) {
	t.Helper()
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
		Indirect []medEffect `json:"serial_indirect"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	coefs = map[string]medCoef{}
	for _, m := range ref.Models {
		for _, c := range m.Coefs {
			coefs[m.Name+"/"+c.Name] = medCoef{c.Estimate, c.SE}
		}
	}
	return coefs, ref.Indirect
}

// `cityimpact mediate` on base_did with the mediator of
// econ/testdata/mediation_reference.R: a, b, c and c' equal fixest's feols
// (mediation_reference.json), a·b = a·b, and the bootstrap is seeded.
func TestMediateCommand(t *testing.T) {
	args := []string{"mediate", "--data", medData, "--outcome", "ym", "--treat", "d",
		"--mediator", "m", "--controls", "x1", "--fe", "id,period", "--boot", "99", "--seed", "3", "--moderator", "z", "--format", "json"}
	code, out, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Mediation struct {
			C, A, B  medCoef
			CPrime   medCoef `json:"c_prime"`
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
			Interaction medCoef
			Moderator   *medCoef
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want, _ := medReference(t)
	for _, c := range []struct {
		name string
		got  medCoef
	}{{"total/d", res.Mediation.C}, {"first/d", res.Mediation.A}, {"direct/m", res.Mediation.B}, {"direct/d", res.Mediation.CPrime}, {"moderation_z/d:z", res.Moderation.Interaction}} {
		if w := want[c.name]; math.Abs(c.got.Estimate-w.Estimate) > 1e-8*math.Abs(w.Estimate) || math.Abs(c.got.SE-w.SE) > 1e-8*w.SE {
			t.Errorf("%s: %v; fixest %v (%v)", c.name, c.got, w.Estimate, w.SE)
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
	code, out, _ = runCLI(t, "mediate", "--data", medData, "--outcome", "ym", "--treat", "d",
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
		{[]string{"mediate", "--data", medData, "--outcome", "ym", "--treat", "d"}, "--mediator"},
		{[]string{"mediate", "--data", medData, "--outcome", "ym", "--treat", "d", "--mediator", "nope"}, `"nope"`},
		{[]string{"mediate", "--data", medData, "--outcome", "ym", "--treat", "d", "--mediator", "z", "--fe", "id", "--boot", "0"}, "collinear"},
		{[]string{"mediate", "--data", medData, "--outcome", "ym", "--treat", "d", "--mediator", "m", "--boot", "-1"}, "--boot"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != ExitUser || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", c.args[5:], code, errs, ExitUser, c.want)
		}
	}
}

// `cityimpact mediate --mediator m,m2` runs the serial model: the path
// coefficients equal fixest's feols (serial_* models of
// econ/testdata/mediation_reference.json) and the indirect effects and
// delta-method SEs the ones computed there in R.
func TestMediateSerialCommand(t *testing.T) {
	args := []string{"mediate", "--data", medData, "--outcome", "ys", "--treat", "d",
		"--mediator", "m,m2", "--controls", "x1", "--fe", "id,period", "--boot", "49", "--seed", "2", "--format", "json"}
	code, out, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	type eff struct {
		Name         string
		Path         []int
		Estimate, SE float64
		BootLow      *float64 `json:"boot_ci_low"`
		BootHigh     *float64 `json:"boot_ci_high"`
	}
	var res struct {
		Serial struct {
			Mediators     []string
			A, B          []medCoef
			D             [][]medCoef
			Paths         []eff
			TotalIndirect eff `json:"total_indirect"`
			Bootstrap     struct{ Reps int }
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want, indirect := medReference(t)
	s := res.Serial
	if len(s.A) != 2 || len(s.D) != 2 || len(s.D[1]) != 1 || len(s.Paths) != 3 {
		t.Fatalf("shape: %+v", s)
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-8*math.Abs(b) }
	for _, c := range []struct {
		name string
		got  medCoef
	}{{"serial_m1/d", s.A[0]}, {"serial_m2/d", s.A[1]}, {"serial_m2/m", s.D[1][0]}, {"serial_direct/m", s.B[0]}, {"serial_direct/m2", s.B[1]}} {
		if w := want[c.name]; !close(c.got.Estimate, w.Estimate) || !close(c.got.SE, w.SE) {
			t.Errorf("%s: %v; fixest %v", c.name, c.got, w)
		}
	}
	for i, e := range append(s.Paths, s.TotalIndirect) {
		w := indirect[i]
		if e.Name != w.Name || !close(e.Estimate, w.Estimate) || !close(e.SE, w.SE) || e.BootLow == nil || !(*e.BootLow < e.Estimate && e.Estimate < *e.BootHigh) {
			t.Errorf("effect %d: %+v; R %+v", i, e, w)
		}
	}
	if s.Bootstrap.Reps != 49 || s.Mediators[1] != "m2" || len(s.Paths[1].Path) != 2 {
		t.Errorf("bootstrap %+v, mediators %v, path %v", s.Bootstrap, s.Mediators, s.Paths[1].Path)
	}
	code, out, _ = runCLI(t, "mediate", "--data", medData, "--outcome", "ys", "--treat", "d",
		"--mediator", "m,m2", "--fe", "id,period", "--boot", "0")
	if code != 0 || !strings.Contains(out, "d21 (M1→M2)") || !strings.Contains(out, "d → m → m2 → ys delta") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	code, _, errs = runCLI(t, "mediate", "--data", medData, "--outcome", "ys", "--treat", "d",
		"--mediator", "m,m", "--fe", "id,period", "--boot", "0")
	if code != ExitUser || !strings.Contains(errs, "twice") {
		t.Errorf("repeated mediator: exit %d, %q", code, errs)
	}
}
