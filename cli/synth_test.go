package cli

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const prop99 = "../econ/testdata/synthdid/california_prop99.csv"

// synthRef reads R synthdid 0.0.9's numbers for California
// (econ/testdata/synthdid/reference.json, written by reference.R there).
func synthRef(t *testing.T, est string) (estimate float64, units []string, omega []float64) {
	t.Helper()
	b, err := os.ReadFile("../econ/testdata/synthdid/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Name       string
			Units      []string
			Estimators map[string]struct {
				Estimate float64
				Omega    []float64
			}
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	c := ref.Cases[0]
	if c.Name != "california" {
		t.Fatalf("first reference case is %q", c.Name)
	}
	return c.Estimators[est].Estimate, c.Units, c.Estimators[est].Omega
}

type synthJSON struct {
	Method   string             `json:"method"`
	Estimate float64            `json:"estimate"`
	SE       *float64           `json:"se"`
	SEMethod string             `json:"se_method"`
	Weights  map[string]float64 `json:"weights"`
	Rank     int                `json:"rank"`
	PValue   float64            `json:"p_value"`
	Seed     uint64             `json:"seed"`
}

// The issue-6 interface: `synth --data D.csv --outcome y --unit state
// --time year --treated California --start 1989 --method M --format json`
// prints {"estimate","se","weights":{donor: w}}. The ';'-delimited
// california_prop99.csv is read as is. Estimates and weights must equal R
// synthdid's (reference.json) to 1e-8; the published values are −15.6
// (sdid), −19.6 (sc), −27.3 (did) (Arkhangelsky et al. 2021, Table 1).
func TestSynthCommandSDID(t *testing.T) {
	for _, m := range []string{"sdid", "sc", "did"} {
		want, units, omega := synthRef(t, m)
		for _, treat := range [][]string{{"--treat", "treated"}, {"--treated", "California", "--start", "1989"}} {
			args := append([]string{"synth", "--data", prop99, "--unit", "State", "--time", "Year",
				"--outcome", "PacksPerCapita", "--method", m, "--reps", "20", "--format", "json"}, treat...)
			code, out, errs := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", m, code, errs)
			}
			var r synthJSON
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%s: %v\n%s", m, err, out)
			}
			if math.Abs(r.Estimate-want) > 1e-8*math.Abs(want) {
				t.Errorf("%s: estimate %.15g; R synthdid %.15g", m, r.Estimate, want)
			}
			for i, w := range omega {
				if math.Abs(r.Weights[units[i]]-w) > 1e-8 {
					t.Errorf("%s: weight of %s %.15g; R synthdid %.15g", m, units[i], r.Weights[units[i]], w)
				}
			}
			// One treated unit: synthdid's jackknife is undefined, so the
			// placebo SE is reported, with its seed.
			if r.SE == nil || !(*r.SE > 0) || r.SEMethod != "placebo" || r.Seed != 1 {
				t.Errorf("%s: se %v (%s), seed %d; want a placebo SE with seed 1", m, r.SE, r.SEMethod, r.Seed)
			}
		}
	}
}

// ADH (2010) on tidysynth's smoking panel through the CLI, with the
// paper's predictors: Table 2's weights within 0.02 (Colorado 0.164,
// Connecticut 0.069, Montana 0.199, Nevada 0.234, Utah 0.334).
func TestSynthCommandADH(t *testing.T) {
	code, out, errs := runCLI(t, "synth", "--data", "../econ/testdata/synth/smoking_adh_tidysynth.csv",
		"--unit", "state", "--time", "year", "--outcome", "cigsale", "--treated", "California", "--start", "1989",
		"--method", "adh", "--covariates", "lnincome@1980-1988,retprice@1980-1988,age15to24@1980-1988,beer@1984-1988",
		"--lags", "1975,1980,1988", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r synthJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"Colorado": 0.164, "Connecticut": 0.069, "Montana": 0.199, "Nevada": 0.234, "Utah": 0.334}
	if len(r.Weights) != 38 {
		t.Errorf("%d donor weights; want 38", len(r.Weights))
	}
	for u, w := range r.Weights {
		if math.Abs(w-want[u]) > 0.02 {
			t.Errorf("weight of %s %.4f; ADH 2010 Table 2 %.3f", u, w, want[u])
		}
	}
	if r.SE != nil {
		t.Errorf("adh se = %v; want null", *r.SE)
	}
}

// Bad input: each message names the file, the line or unit, and the
// column, and nothing is printed on standard output.
func TestSynthCommandErrors(t *testing.T) {
	src, err := os.ReadFile(prop99)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(src), "\n"), "\n")
	write := func(name string, edit func(l []string) []string) string {
		p := filepath.Join(t.TempDir(), name)
		l := edit(append([]string(nil), lines...))
		if err := os.WriteFile(p, []byte(strings.Join(l, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	find := func(l []string, prefix string) int {
		for i, s := range l {
			if strings.HasPrefix(s, prefix) {
				return i
			}
		}
		t.Fatalf("no line %q", prefix)
		return -1
	}
	base := []string{"synth", "--unit", "State", "--time", "Year", "--outcome", "PacksPerCapita", "--treat", "treated"}
	cases := []struct {
		name  string
		file  string
		extra []string
		want  []string
	}{
		{"donor with a missing outcome", write("missing.csv", func(l []string) []string {
			i := find(l, "Utah;1981;")
			l[i] = "Utah;1981;NA;0"
			return l
		}), nil, []string{"missing.csv:" + itoa(find(lines, "Utah;1981;")+1), `"PacksPerCapita"`, `unit "Utah", 1981`, "missing outcome",
			`1 control unit has missing outcomes (Utah): --drop-incomplete`}},
		{"unbalanced", write("unbalanced.csv", func(l []string) []string {
			i := find(l, "Utah;1980;")
			return append(l[:i], l[i+1:]...)
		}), nil, []string{"unbalanced.csv", "Utah", "1980", "balanced"}},
		{"treatment switches off", write("off.csv", func(l []string) []string {
			i := find(l, "California;1995;")
			l[i] = strings.TrimSuffix(l[i], "1") + "0"
			return l
		}), nil, []string{"off.csv:" + itoa(find(lines, "California;1995;")+1), `"treated"`, "switches off"}},
		{"too few pre-periods", prop99, []string{"--treat", "", "--treated", "California", "--start", "1971"},
			[]string{"pre-treatment periods"}},
		{"too few pre-periods, adh", prop99, []string{"--treat", "", "--treated", "California", "--start", "1971", "--method", "adh"},
			[]string{"1 pre-treatment period: need at least 2"}},
		{"treated in the first period, adh", prop99, []string{"--treat", "", "--treated", "California", "--start", "1970", "--method", "adh"},
			[]string{`unit "California"`, "1970", "treated in the first period"}},
		{"in-time placebo too far back", prop99, []string{"--in-time", "18"},
			[]string{"--in-time 18", "leaves 1 pre-treatment periods", "the panel has 19 before 1989", "need at least 2"}},
		{"in-time negative", prop99, []string{"--in-time", "-1"}, []string{"--in-time -1"}},
		{"in-time with predictors after the placebo start", prop99, []string{"--method", "adh", "--lags", "1975,1988", "--in-time", "5"},
			[]string{"placebo start 1984", "outcome_1988", "not pre-treatment periods"}},
		{"leave-one-out needs adh", prop99, []string{"--leave-one-out"}, []string{"--leave-one-out", "--method adh"}},
		{"treated in the first period", prop99, []string{"--treat", "", "--treated", "California", "--start", "1970"},
			[]string{"first period"}},
		{"not numeric", prop99, []string{"--outcome", "State"}, []string{`"State"`, "not numeric"}},
		{"no such treated unit", prop99, []string{"--treat", "", "--treated", "Atlantis", "--start", "1989"},
			[]string{"Atlantis", "not found"}},
		{"adh with several treated", write("two.csv", func(l []string) []string {
			for y := 1989; y <= 2000; y++ {
				i := find(l, "Utah;"+itoa(y)+";")
				l[i] = strings.TrimSuffix(l[i], "0") + "1"
			}
			return l
		}), []string{"--method", "adh"}, []string{"exactly one treated unit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append(append([]string(nil), base...), "--data", c.file), c.extra...)
			code, out, errs := runCLI(t, args...)
			if code != ExitUser || out != "" {
				t.Fatalf("exit %d, stdout %q; want exit %d and no output (stderr %s)", code, out, ExitUser, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q lacks %q", errs, w)
				}
			}
		})
	}
}

// A stored dataset (the demo's, 3% missing cells): without
// --drop-incomplete the missing outcomes are reported by unit and year;
// with it the incomplete controls are left out and listed, and the unit
// weights sum to one.
func TestSynthCommandDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end demo")
	}
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "demo", "--out", dir, "--quiet"); code != ExitOK {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	args := []string{"synth", "--db", filepath.Join(dir, "cityimpact.duckdb"), "--dataset", "demo", "--unit", "unit",
		"--time", "year", "--outcome", "digital_econ_share", "--treated", "440300", "--start", "2013", "--reps", "20", "--format", "json"}
	code, out, errs := runCLI(t, args...)
	if code != ExitUser || out != "" || !strings.Contains(errs, "dataset demo") || !strings.Contains(errs, "missing outcome") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a missing-outcome error naming the dataset", code, out, errs)
	}
	code, out, errs = runCLI(t, append(args, "--drop-incomplete")...)
	if code != ExitOK {
		t.Fatalf("--drop-incomplete: exit %d: %s", code, errs)
	}
	var r struct {
		Weights map[string]float64 `json:"weights"`
		Dropped []string           `json:"dropped"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var s float64
	for u, w := range r.Weights {
		s += w
		if slices.Contains(r.Dropped, u) {
			t.Errorf("dropped unit %s has a weight", u)
		}
	}
	if len(r.Dropped) == 0 || math.Abs(s-1) > 1e-9 {
		t.Errorf("%d dropped, weights sum to %v", len(r.Dropped), s)
	}
}

// Leave-one-out through the CLI (ADH 2015 robustness) on tidysynth's
// smoking panel with the ADH 2010 predictors: one refit per donor with
// positive weight, none weighting the donor it drops, every estimate
// negative (the full estimate is about −19 packs per capita); the table
// form lists the same refits.
func TestSynthCommandLeaveOneOut(t *testing.T) {
	args := []string{"synth", "--data", "../econ/testdata/synth/smoking_adh_tidysynth.csv",
		"--unit", "state", "--time", "year", "--outcome", "cigsale", "--treated", "California", "--start", "1989",
		"--method", "adh", "--covariates", "lnincome@1980-1988,retprice@1980-1988,age15to24@1980-1988,beer@1984-1988",
		"--lags", "1975,1980,1988", "--leave-one-out"}
	code, out, errs := runCLI(t, append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Estimate    float64            `json:"estimate"`
		Weights     map[string]float64 `json:"weights"`
		LeaveOneOut []struct {
			Dropped    string             `json:"dropped"`
			Estimate   float64            `json:"estimate"`
			Weights    map[string]float64 `json:"weights"`
			Trajectory []struct {
				Time      int     `json:"time"`
				Synthetic float64 `json:"synthetic"`
			} `json:"trajectory"`
		} `json:"leave_one_out"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var positive []string
	for u, w := range r.Weights {
		if w > 0 {
			positive = append(positive, u)
		}
	}
	slices.Sort(positive)
	var dropped []string
	for _, l := range r.LeaveOneOut {
		dropped = append(dropped, l.Dropped)
		if _, ok := l.Weights[l.Dropped]; ok {
			t.Errorf("refit without %s weights it", l.Dropped)
		}
		if !(l.Estimate < 0) {
			t.Errorf("without %s: estimate %v; want negative", l.Dropped, l.Estimate)
		}
		if len(l.Trajectory) != 31 || l.Trajectory[0].Time != 1970 {
			t.Errorf("without %s: trajectory of %d periods", l.Dropped, len(l.Trajectory))
		}
	}
	if !slices.Equal(dropped, positive) || len(dropped) < 5 {
		t.Errorf("refits without %v; donors with positive weight %v", dropped, positive)
	}
	code, out, errs = runCLI(t, args...)
	if code != 0 {
		t.Fatalf("table: exit %d: %s", code, errs)
	}
	for _, u := range positive {
		if !strings.Contains(out, "loo_estimate") || !strings.Contains(out, u+"/1989") {
			t.Errorf("table lacks the refit without %s", u)
		}
	}
}

// --in-time K (in-time placebo, ADH 2015): the effect estimated with
// Proposition 99 backdated from 1989 to 1984 on the pre-periods only is
// under a quarter of the real one for sdid, sc and ADH (outcome
// predictors in every pre-period), while plain DID, whose unweighted
// control average does not trend like California before 1989
// (Arkhangelsky et al. 2021, AER, Figure 1), shows a placebo effect of a
// third of its estimate: the check tells them apart. Values here: sdid
// 0.59 vs −15.6, sc −3.7 vs −19.6, adh −4.1 vs −19.5, did −9.0 vs −27.3.
func TestSynthCommandInTime(t *testing.T) {
	for _, m := range []string{"sdid", "sc", "did", "adh"} {
		code, out, errs := runCLI(t, "synth", "--data", prop99, "--unit", "State", "--time", "Year",
			"--outcome", "PacksPerCapita", "--treat", "treated", "--method", m, "--reps", "20",
			"--in-time", "5", "--format", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", m, code, errs)
		}
		var r struct {
			Estimate float64 `json:"estimate"`
			Start    int     `json:"start"`
			InTime   struct {
				K           int     `json:"k"`
				Start       int     `json:"start"`
				ActualStart int     `json:"actual_start"`
				Estimate    float64 `json:"estimate"`
				Trajectory  []struct {
					Time int `json:"time"`
				} `json:"trajectory"`
			} `json:"in_time"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		it := r.InTime
		t.Logf("%s: in-time placebo %.3f, real %.3f", m, it.Estimate, r.Estimate)
		if it.K != 5 || it.Start != 1984 || it.ActualStart != 1989 || r.Start != 1989 {
			t.Errorf("%s: in_time k %d start %d actual %d (main start %d); want 5, 1984, 1989", m, it.K, it.Start, it.ActualStart, r.Start)
		}
		if n := len(it.Trajectory); n != 19 || it.Trajectory[n-1].Time != 1988 {
			t.Errorf("%s: placebo trajectory has %d periods; want 1970–1988", m, n)
		}
		if m == "did" {
			if !(it.Estimate < r.Estimate/4) {
				t.Errorf("did: in-time placebo %.3f; want a clear pre-trend (below a quarter of %.3f)", it.Estimate, r.Estimate)
			}
		} else if math.Abs(it.Estimate) > math.Abs(r.Estimate)/4 {
			t.Errorf("%s: in-time placebo %.3f; want under a quarter of the real %.3f", m, it.Estimate, r.Estimate)
		}
	}
}

// writeProp99Cov writes the Proposition 99 panel with the covariates of
// econ/testdata/synthdid/covariates.R as a ','-delimited CSV: retprice
// (ADH's cigarette price from econ/testdata/synth/smoking_adh_tidysynth.csv,
// in dollars) and smooth = ((i mod 7) − 3)(year − 1985)/15 + (i mod 5)/4,
// i the 1-based alphabetical index of the state. edit may change a row
// (state, year, and the cells as strings) before it is written.
func writeProp99Cov(t *testing.T, treated []string, edit func(state string, year int, cells []string)) string {
	t.Helper()
	read := func(path string, comma rune) [][]string {
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		r := csv.NewReader(fh)
		r.Comma = comma
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	price := map[string]float64{}
	for _, rec := range read("../econ/testdata/synth/smoking_adh_tidysynth.csv", ',')[1:] {
		v, err := strconv.ParseFloat(rec[6], 64)
		if err != nil {
			t.Fatal(err)
		}
		price[rec[0]+"/"+rec[1]] = v
	}
	recs := read(prop99, ';')[1:]
	var states []string
	for _, rec := range recs {
		states = append(states, rec[0])
	}
	slices.Sort(states)
	states = slices.Compact(states)
	var b strings.Builder
	b.WriteString("State,Year,PacksPerCapita,treated,retprice,smooth\n")
	for _, rec := range recs {
		year, _ := strconv.Atoi(rec[1])
		i, _ := slices.BinarySearch(states, rec[0])
		i++
		tr := "0"
		if slices.Contains(treated, rec[0]) && year >= 1989 {
			tr = "1"
		}
		cells := []string{rec[0], rec[1], rec[2], tr,
			strconv.FormatFloat(price[rec[0]+"/"+rec[1]]/100, 'g', -1, 64),
			strconv.FormatFloat(float64((i%7)-3)*float64(year-1985)/15+float64(i%5)/4, 'g', -1, 64)}
		if edit != nil {
			edit(rec[0], year, cells)
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	p := filepath.Join(t.TempDir(), "prop99_cov.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Synthetic DID with covariates through the CLI: estimate and β equal R
// synthdid 0.0.9's synthdid_estimate(Y, N0, T0, X) on California
// (econ/testdata/synthdid/covariates.json, written by covariates.R there)
// to 1e-8 relative; the JSON carries "beta" per covariate and the table a
// beta row each.
func TestSynthCommandCovariates(t *testing.T) {
	b, err := os.ReadFile("../econ/testdata/synthdid/covariates.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Name       string
			Estimators map[string]struct {
				Estimate float64
				Beta     []float64
			}
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	want := ref.Cases[0].Estimators["sdid"]
	if ref.Cases[0].Name != "california" || len(want.Beta) != 2 {
		t.Fatalf("unexpected reference %+v", ref.Cases[0])
	}
	data := writeProp99Cov(t, []string{"California"}, nil)
	args := []string{"synth", "--data", data, "--unit", "State", "--time", "Year", "--outcome", "PacksPerCapita",
		"--treat", "treated", "--method", "sdid", "--covariates", "retprice,smooth", "--reps", "10"}
	code, out, errs := runCLI(t, append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Estimate   float64            `json:"estimate"`
		SEMethod   string             `json:"se_method"`
		Covariates []string           `json:"covariates"`
		Beta       map[string]float64 `json:"beta"`
		Iterations int                `json:"iterations"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if math.Abs(r.Estimate-want.Estimate) > 1e-8*math.Abs(want.Estimate) {
		t.Errorf("estimate %.15g; R synthdid %.15g", r.Estimate, want.Estimate)
	}
	for k, c := range []string{"retprice", "smooth"} {
		if math.Abs(r.Beta[c]-want.Beta[k]) > 1e-8*math.Abs(want.Beta[k]) {
			t.Errorf("beta[%s] %.15g; R synthdid %.15g", c, r.Beta[c], want.Beta[k])
		}
	}
	if !slices.Equal(r.Covariates, []string{"retprice", "smooth"}) || r.SEMethod != "placebo" || r.Iterations < 1 {
		t.Errorf("covariates %v, se_method %q, iterations %d", r.Covariates, r.SEMethod, r.Iterations)
	}
	code, out, errs = runCLI(t, append(args, "--format", "csv")...)
	if code != 0 || !strings.Contains(out, "beta,retprice,") || !strings.Contains(out, "beta,smooth,") {
		t.Errorf("csv: exit %d, stderr %s, output lacks beta rows:\n%s", code, errs, out)
	}
}

// --se bootstrap on four treated states (Arkhangelsky et al.'s bootstrap,
// synthdid's vcov(method = "bootstrap")): the JSON reports the bootstrap
// SE, the seed and the number of draws; the same seed gives the same SE,
// another seed a different one.
func TestSynthCommandBootstrap(t *testing.T) {
	data := writeProp99Cov(t, []string{"California", "Georgia", "Ohio", "Wisconsin"}, nil)
	run := func(seed string) (se float64, reps int) {
		t.Helper()
		code, out, errs := runCLI(t, "synth", "--data", data, "--unit", "State", "--time", "Year", "--outcome", "PacksPerCapita",
			"--treat", "treated", "--method", "did", "--se", "bootstrap", "--reps", "30", "--seed", seed, "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r struct {
			SE       float64     `json:"se"`
			SEMethod string      `json:"se_method"`
			Boot     float64     `json:"bootstrap_se"`
			Reps     int         `json:"bootstrap_reps"`
			Seed     json.Number `json:"seed"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if r.SEMethod != "bootstrap" || r.SE != r.Boot || !(r.SE > 0) || r.Seed.String() != seed {
			t.Errorf("se %v (%s), bootstrap_se %v, seed %s", r.SE, r.SEMethod, r.Boot, r.Seed)
		}
		return r.SE, r.Reps
	}
	a, n := run("7")
	b, _ := run("7")
	c, _ := run("8")
	if n != 30 || a != b || a == c {
		t.Errorf("reps %d; seed 7: %v and %v; seed 8: %v", n, a, b, c)
	}
}

// Bad covariate input for sdid: each message names the file, the line or
// unit and period, and the column; nothing goes to standard output.
func TestSynthCommandCovariateErrors(t *testing.T) {
	good := writeProp99Cov(t, []string{"California"}, nil)
	holes := writeProp99Cov(t, []string{"California"}, func(state string, year int, cells []string) {
		if (state == "Utah" && year == 1980) || (state == "Ohio" && year == 1999) {
			cells[5] = "NA"
		}
	})
	flat := writeProp99Cov(t, []string{"California"}, func(_ string, _ int, cells []string) { cells[5] = "1.5" })
	lineOf := func(path, prefix string) string {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(l, prefix) {
				return itoa(i + 1)
			}
		}
		t.Fatalf("no line %q", prefix)
		return ""
	}
	base := []string{"synth", "--unit", "State", "--time", "Year", "--outcome", "PacksPerCapita", "--treat", "treated"}
	cases := []struct {
		name  string
		file  string
		extra []string
		want  []string
	}{
		{"covariate column missing", good, []string{"--covariates", "retprice,income"},
			[]string{"prop99_cov.csv:1", `"income"`, "no such column"}},
		{"missing covariate cells", holes, []string{"--covariates", "retprice,smooth"},
			[]string{"prop99_cov.csv:" + lineOf(holes, "Utah,1980,"), `unit "Utah", 1980`,
				"prop99_cov.csv:" + lineOf(holes, "Ohio,1999,"), `unit "Ohio", 1999`, `"smooth"`, "missing covariate value"}},
		{"constant covariate", flat, []string{"--covariates", "smooth"},
			[]string{"prop99_cov.csv", `"smooth"`, "constant (1.5 in every cell)", "not identified"}},
		{"window on an sdid covariate", good, []string{"--covariates", "retprice@1980-1988"},
			[]string{"--covariates", "adh predictors"}},
		{"unknown se", good, []string{"--se", "wild"}, []string{"--se", "wild"}},
		{"bootstrap with one treated unit", good, []string{"--se", "bootstrap"}, []string{"bootstrap", "at least 2 treated units"}},
		{"jackknife with one treated unit", good, []string{"--se", "jackknife"}, []string{"--se jackknife", "not defined"}},
		{"placebo and se disagree", good, []string{"--placebo", "--se", "bootstrap"}, []string{"--placebo", "--se is bootstrap"}},
		{"lags with sdid", good, []string{"--lags", "1980"}, []string{"--lags", "adh"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append(append([]string(nil), base...), "--data", c.file), c.extra...)
			code, out, errs := runCLI(t, args...)
			if code != ExitUser || out != "" {
				t.Fatalf("exit %d, stdout %q; want exit %d and no output (stderr %s)", code, out, ExitUser, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q lacks %q", errs, w)
				}
			}
		})
	}
}

// writeStaggeredProp99 writes the Prop 99 panel with the staggered
// adoption of econ/testdata/synthdid/staggered.R as a CSV with a 0/1
// treat column; edit may change a row's cells (state, year, packs, treat).
func writeStaggeredProp99(t *testing.T, edit func(cells []string)) (path string, ref map[string]any) {
	t.Helper()
	b, err := os.ReadFile("../econ/testdata/synthdid/staggered.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	adopt := ref["adoption"].(map[string]any)
	fh, err := os.Open(prop99)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("state,year,packs,treat\n")
	for _, rec := range recs[1:] {
		yr, _ := strconv.Atoi(rec[1])
		tr := "0"
		if a, ok := adopt[rec[0]]; ok && float64(yr) >= a.(float64) {
			tr = "1"
		}
		cells := []string{rec[0], rec[1], rec[2], tr}
		if edit != nil {
			edit(cells)
		}
		sb.WriteString(strings.Join(cells, ",") + "\n")
	}
	path = filepath.Join(t.TempDir(), "staggered.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, ref
}

// TestSynthCommandStaggered runs synth on a panel whose treat column
// switches on in 1985, 1989 and 1993: the staggered estimator is chosen
// automatically, and the overall and per-cohort estimates match R
// synthdid 0.0.9 run on each cohort's block (econ/testdata/synthdid/
// staggered.json, written by staggered.R) to 1e-8; the bootstrap is
// reproducible; a block design without --staggered keeps the block output.
func TestSynthCommandStaggered(t *testing.T) {
	path, ref := writeStaggeredProp99(t, nil)
	base := []string{"synth", "--data", path, "--unit", "state", "--time", "year", "--outcome", "packs", "--treat", "treat"}
	for _, m := range []string{"sdid", "sc", "did"} {
		code, out, errs := runCLI(t, append(base, "--method", m, "--format", "json")...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", m, code, errs)
		}
		var r struct {
			Staggered bool    `json:"staggered"`
			Estimate  float64 `json:"estimate"`
			SEMethod  string  `json:"se_method"`
			Cohorts   []struct {
				Adoption int     `json:"adoption"`
				Estimate float64 `json:"estimate"`
				Weight   float64 `json:"weight"`
			} `json:"cohorts"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		want := ref["estimators"].(map[string]any)[m].(map[string]any)
		att := want["att"].(float64)
		if !r.Staggered || r.SEMethod != "jackknife" || math.Abs(r.Estimate-att) > 1e-8*math.Abs(att) {
			t.Errorf("%s: staggered %v se %s estimate %.12g, want %.12g", m, r.Staggered, r.SEMethod, r.Estimate, att)
		}
		wc := want["cohorts"].([]any)
		if len(r.Cohorts) != len(wc) {
			t.Fatalf("%s: %d cohorts, want %d", m, len(r.Cohorts), len(wc))
		}
		for a, c := range r.Cohorts {
			w := wc[a].(map[string]any)
			if e := w["estimate"].(float64); c.Adoption != int(w["adoption"].(float64)) || math.Abs(c.Estimate-e) > 1e-8*math.Abs(e) {
				t.Errorf("%s cohort %d: %.12g, want %d %.12g", m, c.Adoption, c.Estimate, int(w["adoption"].(float64)), e)
			}
		}
	}
	bs := append(base, "--se", "bootstrap", "--reps", "20", "--seed", "3", "--format", "csv")
	_, out1, _ := runCLI(t, bs...)
	code, out2, errs := runCLI(t, bs...)
	if code != ExitOK || out1 != out2 || !strings.Contains(out1, "se,bootstrap,") || !strings.Contains(out1, "cohort_se,1993,") {
		t.Errorf("bootstrap: exit %d, reproducible %v: %s %s", code, out1 == out2, out1[:min(300, len(out1))], errs)
	}
	// a block design keeps the block output, unless --staggered
	blk := []string{"synth", "--data", prop99, "--unit", "State", "--time", "Year", "--outcome", "PacksPerCapita", "--treat", "treated", "--format", "json"}
	_, out, _ := runCLI(t, blk...)
	if strings.Contains(out, "cohorts") {
		t.Errorf("block design printed cohorts")
	}
	code, out, errs = runCLI(t, append(blk, "--staggered", "--se", "placebo", "--reps", "10")...)
	if code != ExitOK || !strings.Contains(out, `"cohorts"`) || !strings.Contains(out, `"se_method": "placebo"`) {
		t.Errorf("--staggered on a block design: exit %d %s %s", code, out[:min(200, len(out))], errs)
	}
}

// TestSynthCommandStaggeredErrors: treatment switching off is a user error
// naming the file line; --in-time is refused; a cohort of one treated unit
// asks for another SE with --se jackknife.
func TestSynthCommandStaggeredErrors(t *testing.T) {
	path, _ := writeStaggeredProp99(t, func(c []string) {
		if c[0] == "Georgia" && c[1] == "1995" {
			c[3] = "0"
		}
	})
	args := []string{"synth", "--data", path, "--unit", "state", "--time", "year", "--outcome", "packs", "--treat", "treat"}
	code, out, errs := runCLI(t, args...)
	if code != ExitUser || out != "" || !strings.Contains(errs, "switches off") || !strings.Contains(errs, path+":") {
		t.Errorf("switch off: exit %d stdout %q stderr %q", code, out, errs)
	}
	path, _ = writeStaggeredProp99(t, func(c []string) {
		if c[0] == "Georgia" {
			c[3] = "0"
		}
	})
	args[2] = path
	code, _, errs = runCLI(t, append(args, "--in-time", "2")...)
	if code != ExitUser || !strings.Contains(errs, "--in-time") {
		t.Errorf("--in-time: exit %d %s", code, errs)
	}
	code, _, errs = runCLI(t, append(args, "--se", "jackknife")...)
	if code != ExitUser || !strings.Contains(errs, "at least 2 treated units") {
		t.Errorf("jackknife with a one-unit cohort: exit %d %s", code, errs)
	}
	code, out, errs = runCLI(t, append(args, "--reps", "10", "--format", "json")...)
	if code != ExitOK || !strings.Contains(out, `"se_method": "placebo"`) || !strings.Contains(out, "single treated unit") {
		t.Errorf("default SE with a one-unit cohort: exit %d %s %s", code, out[:min(300, len(out))], errs)
	}
}
