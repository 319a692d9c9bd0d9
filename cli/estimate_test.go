package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/econ"
)

// baseDID is fixest's base_did (econ/testdata, lrberge/fixest @dbe56c5
// data/base_did.RData) with a cohort column first_period (6 for the
// treated group, empty for the others) and a string column grp.
func baseDID(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../econ/testdata/fixest_base_did.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(raw), "\r", "")), "\n")
	var b strings.Builder
	b.WriteString(lines[0] + ",first_period,grp\n")
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		c := ""
		if f[5] == "1" {
			c = "6"
		}
		grp := []string{"a", "b", "c"}[(i/10)%3] // by unit (10 periods per id)
		b.WriteString(l + "," + c + "," + grp + "\n")
	}
	path := filepath.Join(t.TempDir(), "base_did.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The JSON interface: exactly the keys of issue 4, coefficients with
// exactly estimate, se, t, p, ci_low, ci_high, and the numbers of econ.
func TestEstimateJSONShape(t *testing.T) {
	path := baseDID(t)
	code, out, errs := runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1 + treat:post | id + period", "--cluster", "id")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := keys(top); strings.Join(got, ",") != "coefficients,nobs,r2,r2_within,vcov" {
		t.Errorf("top-level keys %v", got)
	}
	var coefs map[string]map[string]json.RawMessage
	json.Unmarshal(top["coefficients"], &coefs)
	if got := keys(coefs); strings.Join(got, ",") != "treat:post,x1" {
		t.Errorf("coefficients %v", got)
	}
	for name, c := range coefs {
		if got := keys(c); strings.Join(got, ",") != "ci_high,ci_low,estimate,p,se,t" {
			t.Errorf("%s: keys %v", name, got)
		}
	}
	// Coefficients in model order.
	if strings.Index(out, `"x1"`) > strings.Index(out, `"treat:post"`) {
		t.Error("coefficients not in model order")
	}
	var res struct {
		Coefficients map[string]struct{ Estimate, SE, T, P, CILow, CIHigh float64 }
		NObs         int     `json:"nobs"`
		R2           float64 `json:"r2"`
		R2Within     float64 `json:"r2_within"`
		VCov         string  `json:"vcov"`
	}
	json.Unmarshal([]byte(out), &res)
	data, err := readWideCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := econ.Estimate(data, "y ~ x1 + treat:post | id + period", econ.Options{Cluster: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	w := want.Coefs[0]
	g := res.Coefficients["x1"]
	if g.Estimate != w.Estimate || g.SE != w.SE || res.NObs != 1080 || res.R2 != want.R2 || res.R2Within != want.R2Within || res.VCov != "cluster(id)" {
		t.Errorf("got %+v; want %+v", res, want.Coefs)
	}
	// fixest base_did one-way model (walkthrough vignette): x1 0.961525 (0.0481).
	code, out, _ = runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1 | id")
	json.Unmarshal([]byte(out), &res)
	if x := res.Coefficients["x1"]; code != 0 || math.Abs(x.Estimate-0.961525) > 5e-7 || math.Abs(x.SE-0.0481) > 5e-5 {
		t.Errorf("y ~ x1 | id: %+v", x)
	}
	// Without fixed effects r2_within is null.
	_, out, _ = runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1", "--vcov", "hc1")
	if !strings.Contains(out, `"r2_within": null`) || !strings.Contains(out, `"vcov": "hc1"`) {
		t.Errorf("no-FE JSON:\n%s", out)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The event study through the command line gives fixest's published
// base_did coefficients (see econ/event_test.go for the source).
func TestEstimateEventStudy(t *testing.T) {
	path := baseDID(t)
	code, out, errs := runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1 | id + period", "--event-study",
		"--cohort", "first_period", "--time", "period", "--unit", "id")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var es struct {
		Points []struct {
			RelTime  int     `json:"rel_time"`
			Estimate float64 `json:"estimate"`
			Ref      bool    `json:"ref"`
		}
		PreTrend struct{ Q int } `json:"pre_trend"`
	}
	if err := json.Unmarshal([]byte(out), &es); err != nil {
		t.Fatal(err)
	}
	want := map[int]float64{-5: -1.403045, -4: -1.247511, -3: -0.273206, -2: -1.795721, -1: 0, 0: 0.784452, 1: 3.598897, 2: 3.811766, 3: 4.731426, 4: 6.606229}
	if len(es.Points) != 10 || es.PreTrend.Q != 4 {
		t.Fatalf("%d points, pre-trend Q %d:\n%s", len(es.Points), es.PreTrend.Q, out)
	}
	for _, p := range es.Points {
		if math.Abs(p.Estimate-want[p.RelTime]) > 5e-7 || p.Ref != (p.RelTime == -1) {
			t.Errorf("rel %d = %v; want %v", p.RelTime, p.Estimate, want[p.RelTime])
		}
	}
	code, out, _ = runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1 | id + period", "--event-study",
		"--cohort", "first_period", "--time", "period", "--unit", "id", "--format", "table")
	if code != 0 || !strings.Contains(out, "pre-trends (all 4 leads = 0): F(4, 107)") || !strings.Contains(out, "reference") {
		t.Errorf("table output:\n%s", out)
	}
}

func TestEstimatePlaceboAndBy(t *testing.T) {
	path := baseDID(t)
	args := []string{"--data", path, "--formula", "y ~ post_treat | id + period", "--placebo", "200", "--seed", "3",
		"--treat", "post_treat", "--cohort", "first_period", "--time", "period", "--unit", "id"}
	// base_did has treat and post; the placebo needs the product column.
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var b strings.Builder
	b.WriteString(lines[0] + ",post_treat\n")
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		v := "0"
		if f[4] == "1" && f[5] == "1" {
			v = "1"
		}
		b.WriteString(l + "," + v + "\n")
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
	code, out, errs := runCLI(t, append([]string{"estimate"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var p struct {
		P     float64
		Seed  uint64
		Draws []float64
	}
	json.Unmarshal([]byte(out), &p)
	if p.Seed != 3 || len(p.Draws) != 200 || p.P != 1.0/201 {
		t.Errorf("placebo: seed %d, %d draws, p %v; want 3, 200, 1/201 (the effect in base_did is large)", p.Seed, len(p.Draws), p.P)
	}
	_, again, _ := runCLI(t, append([]string{"estimate"}, args...)...)
	if again != out {
		t.Error("same seed, different output")
	}
	code, out, errs = runCLI(t, "estimate", "--data", path, "--formula", "y ~ post_treat + x1 | id + period", "--by", "grp", "--treat", "post_treat")
	if code != 0 || !strings.Contains(out, `"equal_effects_test"`) || !strings.Contains(out, `"level": "c"`) {
		t.Errorf("by: exit %d %s\n%s", code, errs, out)
	}
	code, out, _ = runCLI(t, "estimate", "--data", path, "--formula", "y ~ post_treat + x1 | id + period", "--by", "grp", "--treat", "post_treat", "--format", "table")
	if code != 0 || !strings.Contains(out, "grp=a") || !strings.Contains(out, "equal effects across grp") {
		t.Errorf("by table:\n%s", out)
	}
	// Fake timing: pre-treatment rows only (treated units' periods 1–5,
	// control units' all 10: 55·5 + 53·10 = 805).
	code, out, errs = runCLI(t, "estimate", "--data", path, "--formula", "y ~ post_treat + x1 | id + period", "--fake-shift", "1,2",
		"--treat", "post_treat", "--cohort", "first_period", "--time", "period")
	var fk struct {
		FakeTiming []struct{ Shift, NObs int } `json:"fake_timing"`
	}
	json.Unmarshal([]byte(out), &fk)
	if code != 0 || len(fk.FakeTiming) != 2 || fk.FakeTiming[1].Shift != 2 || fk.FakeTiming[0].NObs != 805 {
		t.Errorf("fake-shift: exit %d %s\n%s", code, errs, out)
	}
	code, out, errs = runCLI(t, "estimate", "--data", path, "--formula", "y ~ post_treat + x1 | id + period", "--leave-out", "grp", "--treat", "post_treat", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.HasPrefix(out, "left_out,estimate") {
		t.Errorf("leave-out: exit %d %s\n%s", code, errs, out)
	}
	code, out, errs = runCLI(t, "estimate", "--data", path, "--formula", "y ~ post_treat + x1 | id + period", "--exclude", "period=9,10")
	if code != 0 || !strings.Contains(out, `"nobs": 864`) {
		t.Errorf("exclude: exit %d %s\n%s", code, errs, out)
	}
	code, _, errs = runCLI(t, "estimate", "--data", path, "--formula", "y ~ post_treat | id", "--exclude", "period=99")
	if code != 1 || !strings.Contains(errs, `no level "99"`) {
		t.Errorf("exclude unknown level: exit %d %s", code, errs)
	}
}

// Several formulas give a table; every table format renders; xlsx needs --out.
func TestEstimateTables(t *testing.T) {
	path := baseDID(t)
	for _, f := range []string{"table", "md", "latex", "csv", "json"} {
		code, out, errs := runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1 | id", "--formula", "y ~ x1 | id + period", "--format", f)
		if code != 0 || !strings.Contains(out, "x1") {
			t.Errorf("%s: exit %d %s\n%s", f, code, errs, out)
		}
	}
	code, _, errs := runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1 | id", "--format", "xlsx")
	if code != 1 || !strings.Contains(errs, "--out") {
		t.Errorf("xlsx without --out: exit %d %s", code, errs)
	}
	out := filepath.Join(t.TempDir(), "t.xlsx")
	code, _, errs = runCLI(t, "estimate", "--data", path, "--formula", "y ~ x1 | id", "--format", "xlsx", "--out", out)
	if st, err := os.Stat(out); code != 0 || err != nil || st.Size() == 0 {
		t.Errorf("xlsx: exit %d %s", code, errs)
	}
}

// Bad input: each is exit 1 with a message naming the problem.
func TestEstimateBadInput(t *testing.T) {
	path := baseDID(t)
	dir := t.TempDir()
	ragged := filepath.Join(dir, "ragged.csv")
	os.WriteFile(ragged, []byte("y,x\n1,2\n3\n4,5,6\n"), 0o644)
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)
	dup := filepath.Join(dir, "dup.csv")
	os.WriteFile(dup, []byte("y,y\n1,2\n"), 0o644)
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown column", []string{"--data", path, "--formula", "y ~ x1 + nope | id"}, []string{`formula column 10: no variable "nope"`, "  y ~ x1 + nope | id\ncityimpact estimate:            ^\n"}},
		{"parse error", []string{"--data", path, "--formula", "y ~ x1 +"}, []string{"formula column 9", "^"}},
		{"missing file", []string{"--data", filepath.Join(dir, "none.csv"), "--formula", "y ~ x"}, []string{"none.csv"}},
		{"ragged rows", []string{"--data", ragged, "--formula", "y ~ x"}, []string{"ragged.csv:3", "ragged.csv:4", "wrong number of fields"}},
		{"empty file", []string{"--data", empty, "--formula", "y ~ x"}, []string{"empty.csv:1", "empty file"}},
		{"duplicate header", []string{"--data", dup, "--formula", "y ~ x"}, []string{"dup.csv:1", "duplicate column name"}},
		{"no formula", []string{"--data", path}, []string{"--formula is required"}},
		{"both sources", []string{"--data", path, "--dataset", "x", "--formula", "y ~ x1"}, []string{"exactly one"}},
		{"bad vcov", []string{"--data", path, "--formula", "y ~ x1", "--vcov", "hc9"}, []string{"unknown variance"}},
		{"bad format", []string{"--data", path, "--formula", "y ~ x1", "--format", "pdf"}, []string{"unknown format"}},
		{"event study without cohort", []string{"--data", path, "--formula", "y ~ x1 | id + period", "--event-study"}, []string{"--cohort", "--time", "--unit"}},
		{"collinear treatment", []string{"--data", path, "--formula", "y ~ treat | id"}, []string{"collinear"}},
		{"unknown cluster", []string{"--data", path, "--formula", "y ~ x1 | id", "--cluster", "nope"}, []string{`"nope"`}},
		{"two modes", []string{"--data", path, "--formula", "y ~ x1 | id", "--placebo", "5", "--by", "grp"}, []string{"choose one"}},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, append([]string{"estimate"}, c.args...)...)
		if code != 1 {
			t.Errorf("%s: exit %d; want 1 (%s)", c.name, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, errs, w)
			}
		}
	}
}

func TestEstimateHelp(t *testing.T) {
	code, _, errs := runCLI(t, "estimate", "--help")
	if code != 0 || !strings.Contains(errs, "Example:") || !strings.Contains(errs, "--event-study") {
		t.Errorf("help: exit %d\n%s", code, errs)
	}
}

// FuzzParseWideCSV: no panic; either an error or a frame whose columns
// all have the frame's length.
func FuzzParseWideCSV(f *testing.F) {
	f.Add("y,x\n1,2\n3,4\n")
	f.Add("a,b\n1\n")
	f.Add("\ufeffy,name\n1,abc\nNA,\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := parseWideCSV(strings.NewReader(s), "fuzz.csv")
		if err != nil {
			return
		}
		for _, name := range fr.Names() {
			if x, ok := fr.Float(name); ok && len(x) != fr.Len() {
				t.Fatalf("column %q has %d rows, frame %d", name, len(x), fr.Len())
			}
		}
	})
}
