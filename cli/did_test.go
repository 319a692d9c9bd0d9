package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/ingest"
)

// `cityimpact did` on did's mpdta (econ/testdata/cs): the interface JSON
// of issue 6, with numbers printed in did's README (bcallaway11/did
// @71ba8a5 : README.md lines 138 and 214): ATT(2004,2004) = −0.0105 and
// the dynamic overall ATT −0.0772. econ's TestCSMPDTAPublished checks the
// rest.
func TestDIDCommand(t *testing.T) {
	code, out, errs := runCLI(t, "did", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp",
		"--unit", "countyreal", "--time", "year", "--cohort", "first.treat", "--boot", "0", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	type est struct{ ATT, SE *float64 }
	var res struct {
		ATTgt []struct {
			Group, Time int
			ATT, SE     float64
		} `json:"att_gt"`
		Simple  est `json:"simple"`
		Dynamic struct {
			Overall est `json:"overall"`
			By      []struct {
				E       *int `json:"e"`
				ATT, SE float64
			} `json:"by"`
		} `json:"dynamic"`
		Group struct {
			Overall est `json:"overall"`
			By      []struct {
				Group *int `json:"group"`
			} `json:"by"`
		} `json:"group"`
		Calendar struct {
			Overall est `json:"overall"`
			By      []struct {
				Time *int `json:"time"`
			} `json:"by"`
		} `json:"calendar"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.ATTgt) != 12 || res.ATTgt[0].Group != 2004 || res.ATTgt[0].Time != 2004 || math.Abs(res.ATTgt[0].ATT+0.0105) > 5e-5 || res.ATTgt[0].SE <= 0 {
		t.Errorf("att_gt: %+v", res.ATTgt)
	}
	if res.Simple.ATT == nil || res.Simple.SE == nil || res.Dynamic.Overall.ATT == nil || math.Abs(*res.Dynamic.Overall.ATT+0.0772) > 5e-5 {
		t.Errorf("simple/dynamic: %s", out)
	}
	if len(res.Dynamic.By) != 7 || res.Dynamic.By[0].E == nil || *res.Dynamic.By[0].E != -3 ||
		len(res.Group.By) != 3 || res.Group.By[0].Group == nil || *res.Group.By[0].Group != 2004 ||
		len(res.Calendar.By) != 4 || res.Calendar.By[0].Time == nil || *res.Calendar.By[0].Time != 2004 ||
		res.Group.Overall.SE == nil || res.Calendar.Overall.SE == nil {
		t.Errorf("aggregations: %s", out)
	}
}

func TestDIDCommandErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noNever := write("nonever.csv", "id,t,y,g\na,1,1,2\na,2,2,2\nb,1,1,3\nb,2,1,3\nb,3,4,3\na,3,3,2\n")
	badPeriod := write("bad.csv", "id,t,y,g\na,1,1,0\na,x,2,0\n")
	missing := write("miss.csv", "id,t,y,g\na,1,1,0\na,2,,0\nb,1,1,2\nb,2,3,2\n")
	flags := func(p string, extra ...string) []string {
		return append([]string{"did", "--data", p, "--outcome", "y", "--unit", "id", "--time", "t", "--cohort", "g"}, extra...)
	}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"covariate":  {flags(noNever, "--control", "notyet", "--covariates", "x", "--method", "dr"), `"x"`},
		"method":     {flags(noNever, "--method", "logit"), "--method"},
		"cband":      {flags(noNever, "--cband"), "--boot"},
		"boot":       {flags(noNever, "--boot", "-3"), "--boot"},
		"base":       {flags(noNever, "--base-period", "first"), "--base-period"},
		"antic":      {flags(noNever, "--anticipation", "-1"), "--anticipation"},
		"weights":    {flags(noNever, "--weights", "normal"), "--weights"},
		"multiplier": {flags(noNever, "--multipliers", "normal"), "--multipliers"},
		"balance-e":  {flags(noNever, "--balance-e", "-1"), "--balance-e"},
		"window":     {flags(noNever, "--min-e", "2", "--max-e", "1"), "--max-e"},
		"sample":     {flags(noNever, "--sample", "pooled"), "--sample"},
		"no cluster": {flags(missing, "--cluster", "zz"), "zz"},
		"period":     {flags(badPeriod), "t"},
		"missing":    {flags(missing), "missing outcome"},
		"no column":  {append(flags(missing), "--outcome", "zz"), "zz"},
		"control":    {flags(missing, "--control", "sometimes"), "--control"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 mentioning %q", name, code, errs, c.want)
		}
	}
	// Not-yet-treated controls make the panel without never-treated units usable.
	if code, _, errs := runCLI(t, append(flags(noNever), "--control", "notyet")...); code != 0 {
		t.Errorf("notyet: exit %d: %s", code, errs)
	}
}

// TestDIDCommandCSErrors: the errors of econ.CallawaySantAnna reach the
// caller of the did command as user errors that keep the *econ.CSError
// (errors.As, errors.Is on its cause); problems of single rows carry the
// CSV file, line and column as *ingest.DataError, several print one per
// line, and the advice names the did flag.
func TestDIDCommandCSErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(args ...string) error {
		var out, errb bytes.Buffer
		env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errb}
		return commands["did"].run(env, append([]string{"--unit", "id", "--time", "t", "--outcome", "y", "--cohort", "g"}, args...))
	}
	csErr := func(what string, err error, cause error) *econ.CSError {
		t.Helper()
		var ue *UserError
		var ce *econ.CSError
		if !errors.As(err, &ue) || !errors.As(err, &ce) || !errors.Is(err, cause) {
			t.Errorf("%s: %v (%T); want a *UserError holding a *econ.CSError with cause %v", what, err, err, cause)
			return nil
		}
		return ce
	}
	// Lines 2–7; no unit has cohort 0.
	noNever := write("nonever.csv", "id,t,y,g\na,1,1,2\na,2,2,2\nb,1,1,3\nb,2,1,3\nb,3,4,3\na,3,3,2\n")
	err := run("--data", noNever)
	if e := csErr("no never", err, econ.ErrNoNeverTreated); e != nil && !strings.Contains(err.Error(), "--control notyet") {
		t.Errorf("no never: %q does not name --control notyet", err)
	}

	// Unit b lacks period 2 (a balanced panel is the default).
	gap := write("gap.csv", "id,t,y,g\na,1,1,0\na,2,2,0\na,3,2,0\nb,1,1,2\nb,3,3,2\nc,1,1,3\nc,2,1,3\nc,3,1,3\n")
	err = run("--data", gap)
	if e := csErr("gap", err, econ.ErrUnbalanced); e != nil {
		if e.Unit != "b" || e.Period != 2 {
			t.Errorf("gap: unit %q period %d; want b, 2", e.Unit, e.Period)
		}
		if !strings.Contains(err.Error(), "--sample unbalanced") || strings.Contains(err.Error(), "CSUnbalancedPanel") {
			t.Errorf("gap: %q should advise --sample unbalanced, not the econ option", err)
		}
	}

	// Cluster of a changes in line 3 (row 2): file, line and column.
	clusterVaries := write("clus.csv", "id,t,y,g,c\na,1,1,0,u\na,2,2,0,v\nb,1,1,2,u\nb,2,3,2,u\nc,1,1,0,w\nc,2,1,0,w\n")
	err = run("--data", clusterVaries, "--cluster", "c")
	var de *ingest.DataError
	if e := csErr("cluster", err, econ.ErrClusterVaries); e != nil && e.Unit != "a" {
		t.Errorf("cluster: unit %q; want a", e.Unit)
	}
	if !errors.As(err, &de) || de.File != clusterVaries || de.Line != 3 || de.Column != "c" {
		t.Errorf("cluster: %v; want an *ingest.DataError at %s line 3, column c", err, clusterVaries)
	}

	// Two bad rows: b's cohort switches off in line 5, a has period 1
	// twice in line 3. Both are reported, one per line, in row order.
	twoBad := write("two.csv", "id,t,y,g\na,1,1,0\na,1,2,0\nb,1,1,2\nb,2,3,0\nc,1,1,0\nc,2,1,0\n")
	err = run("--data", twoBad, "--sample", "unbalanced")
	csErr("two bad rows", err, econ.ErrDuplicateRow)
	if !errors.Is(err, econ.ErrTreatmentSwitchesOff) {
		t.Errorf("two bad rows: %v; want ErrTreatmentSwitchesOff too", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], twoBad+":3: ") || !strings.HasPrefix(lines[1], twoBad+":5: ") {
		t.Errorf("two bad rows: %q; want one line each, at lines 3 and 5", err)
	}
	if !strings.Contains(lines[len(lines)-1], `"b"`) || !strings.Contains(lines[len(lines)-1], `"g"`) {
		t.Errorf("two bad rows: %q should name unit b and column g", lines[len(lines)-1])
	}

	// The exit code and stderr of the same error: exit 1, one line each.
	code, _, errs := runCLI(t, "did", "--data", twoBad, "--unit", "id", "--time", "t", "--outcome", "y", "--cohort", "g", "--sample", "unbalanced")
	if code != ExitUser || strings.Count(strings.TrimSpace(errs), "\n") != 1 {
		t.Errorf("two bad rows: exit %d, stderr %q; want exit 1 and two lines", code, errs)
	}
}

// didReference returns did 2.5.1's numbers for one scenario of
// econ/testdata/cs/cs_covariates_reference.csv (see the R script there).
func didReference(t *testing.T, scenario string) map[[2]string][2]float64 {
	t.Helper()
	f, err := os.Open("../econ/testdata/cs/cs_covariates_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string][2]float64{}
	for _, r := range rows[1:] {
		if r[0] != scenario {
			continue
		}
		a, _ := strconv.ParseFloat(r[3], 64)
		b, _ := strconv.ParseFloat(r[4], 64)
		out[[2]string{r[1], r[2]}] = [2]float64{a, b}
	}
	if len(out) == 0 {
		t.Fatalf("no reference rows for %s", scenario)
	}
	return out
}

// mpdtaWithState writes mpdta with a state column (countyreal %/% 1000,
// as the R reference script) and returns its path.
func mpdtaWithState(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../econ/testdata/cs/mpdta.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var sb strings.Builder
	sb.WriteString(lines[0] + ",state\n")
	for _, l := range lines[1:] {
		id, err := strconv.Atoi(strings.Split(l, ",")[1])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "%s,s%d\n", l, id/1000)
	}
	p := filepath.Join(t.TempDir(), "mpdta_state.csv")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type didJSON struct {
	ATTgt []struct {
		Group, Time int
		ATT, SE     float64
	} `json:"att_gt"`
	Crit    float64 `json:"crit_val"`
	Simple  struct{ ATT, SE float64 }
	Dynamic struct {
		Crit float64 `json:"crit_val"`
	}
	PreTest *struct {
		W, P float64
		DF   int
	} `json:"pretest"`
	Clusters int
	Boot     int
	Seed     uint64
}

// TestDIDCommandCovariates: --covariates lpop with each --method, state
// clusters and anticipation reproduce did 2.5.1's ATT(g,t), SEs and
// pre-test (econ/testdata/cs/cs_covariates_reference.csv) to 1e-8.
func TestDIDCommandCovariates(t *testing.T) {
	data := mpdtaWithState(t)
	for _, c := range []struct {
		scenario string
		extra    []string
	}{
		{"dr/nevertreated/varying", []string{"--method", "dr"}},
		{"ipw/notyettreated/universal", []string{"--method", "ipw", "--control", "notyet", "--base-period", "universal"}},
		{"reg/nevertreated/varying", []string{"--method", "reg"}},
		{"dr/nevertreated/varying/state", []string{"--cluster", "state"}},
		{"dr/notyettreated/varying/ant1", []string{"--anticipation", "1", "--control", "notyet"}},
	} {
		args := append([]string{"did", "--data", data, "--outcome", "lemp", "--unit", "countyreal", "--time", "year",
			"--cohort", "first.treat", "--covariates", "lpop", "--format", "json"}, c.extra...)
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.scenario, code, errs)
		}
		var res didJSON
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		want := didReference(t, c.scenario)
		close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-8*math.Abs(b)+1e-13 }
		n := 0
		for _, g := range res.ATTgt {
			w, ok := want[[2]string{"att_gt", strconv.Itoa(g.Group) + "/" + strconv.Itoa(g.Time)}]
			if !ok || !close(g.ATT, w[0]) || !close(g.SE, w[1]) {
				t.Errorf("%s: ATT(%d,%d) = %v (%v), did %v", c.scenario, g.Group, g.Time, g.ATT, g.SE, w)
			}
			n++
		}
		if w := want[[2]string{"pretest", "W"}]; res.PreTest == nil || !close(res.PreTest.W, w[0]) || !close(res.PreTest.P, w[1]) {
			t.Errorf("%s: pre-test %+v, did W = %v, p = %v", c.scenario, res.PreTest, w[0], w[1])
		}
		if n == 0 || (strings.HasSuffix(c.scenario, "state") && res.Clusters != 29) {
			t.Errorf("%s: %d cells, %d clusters", c.scenario, n, res.Clusters)
		}
	}
}

// TestDIDCommandRCS: --sample rcs reproduces did's panel = FALSE numbers
// (econ/testdata/cs/cs_rc_reference.csv, written by cs_rc_reference.R).
func TestDIDCommandRCS(t *testing.T) {
	code, out, errs := runCLI(t, "did", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp", "--unit", "countyreal",
		"--time", "year", "--cohort", "first.treat", "--covariates", "lpop", "--method", "dr", "--sample", "rcs", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res didJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../econ/testdata/cs/cs_rc_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows[1:] {
		if r[0] != "rcs/dr/nevertreated/varying" || r[1] != "att_gt" {
			continue
		}
		att, _ := strconv.ParseFloat(r[3], 64)
		se, _ := strconv.ParseFloat(r[4], 64)
		for _, g := range res.ATTgt {
			if strconv.Itoa(g.Group)+"/"+strconv.Itoa(g.Time) == r[2] {
				n++
				if math.Abs(g.ATT-att) > 1e-8*math.Abs(att) || math.Abs(g.SE-se) > 1e-8*se {
					t.Errorf("ATT(%s) = %v (%v), did %v (%v)", r[2], g.ATT, g.SE, att, se)
				}
			}
		}
	}
	if n != 12 || res.Clusters != 2500 {
		t.Errorf("%d cells matched, %d observations; want 12, 2500", n, res.Clusters)
	}
}

// TestDIDCommandBootstrap: --boot/--seed/--cband give uniform critical
// values above the pointwise 1.96 and the same output for the same seed.
func TestDIDCommandBootstrap(t *testing.T) {
	args := []string{"did", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp", "--unit", "countyreal",
		"--time", "year", "--cohort", "first.treat", "--covariates", "lpop", "--boot", "999", "--seed", "5", "--cband", "--format", "json"}
	code, out1, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, out2, _ := runCLI(t, args...)
	if out1 != out2 {
		t.Error("same seed, different output")
	}
	var res didJSON
	if err := json.Unmarshal([]byte(out1), &res); err != nil {
		t.Fatal(err)
	}
	if res.Boot != 999 || res.Seed != 5 || !(res.Crit > 1.96 && res.Crit < 3.5) || !(res.Dynamic.Crit >= 1.95) {
		t.Errorf("boot %d seed %d crit %v dynamic crit %v", res.Boot, res.Seed, res.Crit, res.Dynamic.Crit)
	}
	code, table, errs := runCLI(t, append(args[:len(args)-2], "--format", "table")...)
	if code != 0 || !strings.Contains(table, "Pre-test of parallel trends") || !strings.Contains(table, "lower") {
		t.Errorf("table: exit %d %s\n%s", code, errs, table)
	}
}

// didWeightedMPDTA writes mpdta with the synthetic sampling weight of
// econ/testdata/cs/cs_weights_reference.R, w = (c mod 23 ≠ 0)·(0.5 +
// (c mod 7)/4) for county c, as column "w", and returns its path.
func didWeightedMPDTA(t *testing.T) string {
	t.Helper()
	f, err := os.Open("../econ/testdata/cs/mpdta.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for j, h := range rows[0] {
		if h == "countyreal" {
			col = j
		}
	}
	rows[0] = append(rows[0], "w")
	for i := range rows[1:] {
		c, err := strconv.Atoi(rows[i+1][col])
		if err != nil {
			t.Fatal(err)
		}
		w := 0.5 + float64(c%7)/4
		if c%23 == 0 {
			w = 0
		}
		rows[i+1] = append(rows[i+1], strconv.FormatFloat(w, 'g', -1, 64))
	}
	p := filepath.Join(t.TempDir(), "mpdta_w.csv")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	cw := csv.NewWriter(out)
	if err := cw.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// `cityimpact did --weights w --balance-e 1` and `--min-e -2 --max-e 2`
// reproduce R did 2.5.1's weighted att_gt and restricted aggte(type =
// "dynamic") to 1e-8 relative (econ/testdata/cs/cs_weights_reference.csv,
// scenario panel/dr/nevertreated/varying/w, kinds dyn_b1 and dyn_w1,
// written by cs_weights_reference.R), and the JSON carries the window and
// the weight column.
func TestDIDWeightsWindow(t *testing.T) {
	data := didWeightedMPDTA(t)
	f, err := os.Open("../econ/testdata/cs/cs_weights_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	const scen = "panel/dr/nevertreated/varying/w"
	ref := map[[2]string][2]float64{}
	for _, r := range rows[1:] {
		if r[0] == scen {
			a, _ := strconv.ParseFloat(r[3], 64)
			b, _ := strconv.ParseFloat(r[4], 64)
			ref[[2]string{r[1], r[2]}] = [2]float64{a, b}
		}
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-8*math.Abs(b) }
	for _, c := range []struct {
		kind string
		args []string
		bal  *int
		minE *int
	}{
		{"dyn_b1", []string{"--balance-e", "1"}, new(1), nil},
		{"dyn_w1", []string{"--min-e", "-2", "--max-e", "2"}, nil, new(-2)},
	} {
		args := append([]string{"did", "--data", data, "--outcome", "lemp", "--unit", "countyreal", "--time", "year",
			"--cohort", "first.treat", "--covariates", "lpop", "--weights", "w", "--format", "json"}, c.args...)
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.kind, code, errs)
		}
		var res struct {
			ATTgt []struct {
				Group, Time int
				ATT, SE     float64
			} `json:"att_gt"`
			Dynamic struct {
				Overall struct{ ATT, SE float64 } `json:"overall"`
				By      []struct {
					E       int `json:"e"`
					ATT, SE float64
				} `json:"by"`
				BalanceE *int `json:"balance_e"`
				MinE     *int `json:"min_e"`
				MaxE     *int `json:"max_e"`
			} `json:"dynamic"`
			Weights string `json:"weights"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		for _, g := range res.ATTgt {
			w := ref[[2]string{"att_gt", fmt.Sprintf("%d/%d", g.Group, g.Time)}]
			if !close(g.ATT, w[0]) || !close(g.SE, w[1]) {
				t.Errorf("%s: ATT(%d,%d) = %.12g (%.12g), did %.12g (%.12g)", c.kind, g.Group, g.Time, g.ATT, g.SE, w[0], w[1])
			}
		}
		w := ref[[2]string{c.kind, "overall"}]
		if !close(res.Dynamic.Overall.ATT, w[0]) || !close(res.Dynamic.Overall.SE, w[1]) {
			t.Errorf("%s overall: %+v, did %v", c.kind, res.Dynamic.Overall, w)
		}
		n := 0
		for _, r := range rows[1:] {
			if r[0] == scen && r[1] == c.kind && r[2] != "overall" {
				n++
			}
		}
		if len(res.Dynamic.By) != n {
			t.Errorf("%s: %d event times, did %d", c.kind, len(res.Dynamic.By), n)
		}
		for _, e := range res.Dynamic.By {
			w, ok := ref[[2]string{c.kind, strconv.Itoa(e.E)}]
			if !ok || !close(e.ATT, w[0]) || !close(e.SE, w[1]) {
				t.Errorf("%s e=%d: %.12g (%.12g), did %v", c.kind, e.E, e.ATT, e.SE, w)
			}
		}
		if res.Weights != "w" || !reflectIntPtr(res.Dynamic.BalanceE, c.bal) || !reflectIntPtr(res.Dynamic.MinE, c.minE) {
			t.Errorf("%s: weights %q, balance_e %v, min_e %v", c.kind, res.Weights, res.Dynamic.BalanceE, res.Dynamic.MinE)
		}
	}
	// The table says how the dynamic aggregation is restricted.
	code, out, errs := runCLI(t, "did", "--data", data, "--outcome", "lemp", "--unit", "countyreal", "--time", "year",
		"--cohort", "first.treat", "--weights", "w", "--balance-e", "1", "--max-e", "1")
	if code != 0 || !strings.Contains(out, "balance_e = 1") || !strings.Contains(out, "e ≤ 1") || !strings.Contains(out, "Sampling weights: w") {
		t.Errorf("table: exit %d, %s\n%s", code, out, errs)
	}
}

func reflectIntPtr(a, b *int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Bad sampling weights are data errors naming file, line and column, all
// collected; --weights mammen (the old meaning of the flag) still chooses
// the bootstrap multipliers when there is no such column.
func TestDIDWeightsErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "w.csv")
	if err := os.WriteFile(p, []byte("id,t,y,g,w\na,1,1,0,1\na,2,2,0,2\nb,1,1,2,-1\nb,2,3,2,-1\nc,1,1,0,\nc,2,1,0,1\nd,1,2,2,1\nd,2,2,2,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"did", "--data", p, "--outcome", "y", "--unit", "id", "--time", "t", "--cohort", "g"}
	code, _, errs := runCLI(t, append(base, "--weights", "w")...)
	for _, want := range []string{
		p + `:3: column "w": sampling weight 2 of unit "a" differs from 1 on line 2`,
		p + `:4: column "w": sampling weight -1 is not a finite non-negative number`,
		p + `:6: column "w": missing sampling weight`,
	} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
		}
	}
	// Repeated cross-sections: weights may vary within a unit label.
	q := filepath.Join(dir, "rcs.csv")
	if err := os.WriteFile(q, []byte("id,t,y,g,w\na,1,1,0,1\na,2,2,0,2\nb,1,1,2,1\nb,2,3,2,3\nc,1,1,0,1\nc,2,1,0,1\nd,1,2,2,1\nd,2,2,2,1\ne,1,1,0,2\ne,2,3,0,1\nf,1,2,2,2\nf,2,4,2,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rcs := []string{"did", "--data", q, "--outcome", "y", "--unit", "id", "--time", "t", "--cohort", "g", "--sample", "rcs", "--weights", "w"}
	if code, _, errs := runCLI(t, rcs...); code != 0 {
		t.Errorf("rcs with row weights: exit %d: %s", code, errs)
	}
	// The old meaning of --weights.
	m := []string{"did", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp", "--unit", "countyreal", "--time", "year",
		"--cohort", "first.treat", "--boot", "199", "--seed", "3", "--format", "json"}
	code1, out1, errs1 := runCLI(t, append(m, "--weights", "mammen")...)
	code2, out2, _ := runCLI(t, append(m, "--multipliers", "mammen")...)
	if code1 != 0 || code2 != 0 || out1 != out2 || !strings.Contains(errs1, "--multipliers mammen") {
		t.Errorf("--weights mammen: exit %d/%d, same output %v, stderr %q", code1, code2, out1 == out2, errs1)
	}
}
