package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cityimpact/cityimpact/demo"
)

var (
	idxDemoOnce sync.Once
	idxDemoDir  string
	idxDemoErr  error
)

// idxDemo writes a 30-city demo panel once and returns its annual CSV.
func idxDemo(t *testing.T) string {
	t.Helper()
	idxDemoOnce.Do(func() {
		idxDemoDir, idxDemoErr = os.MkdirTemp("", "cityimpact-index")
		if idxDemoErr != nil {
			return
		}
		o := demo.DefaultOptions(3)
		o.NUnits = 30
		ds, err := demo.Generate(o)
		if err != nil {
			idxDemoErr = err
			return
		}
		idxDemoErr = ds.Write(filepath.Join(idxDemoDir, "demo"), demo.FormatCSV)
	})
	if idxDemoErr != nil {
		t.Fatal(idxDemoErr)
	}
	return filepath.Join(idxDemoDir, "demo", "annual.csv")
}

func TestWeightsFramework(t *testing.T) {
	data := idxDemo(t)
	for _, m := range []string{"entropy", "critic", "cv", "sd", "pca", "equal"} {
		code, out, errs := runCLI(t, "weights", "--data", data, "--method", m, "--format", "json")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", m, code, errs)
		}
		var got struct {
			Nodes []struct {
				Period  string             `json:"period"`
				Node    string             `json:"node"`
				Weights map[string]float64 `json:"weights"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Nodes) != 7 {
			t.Fatalf("%s: %d nodes", m, len(got.Nodes))
		}
		for _, n := range got.Nodes {
			if n.Period != "pooled" {
				t.Errorf("%s: period %q", m, n.Period)
			}
			s := 0.0
			for _, w := range n.Weights {
				s += w
			}
			if math.Abs(s-1) > 1e-9 {
				t.Errorf("%s: node %s weights sum to %v", m, n.Node, s)
			}
		}
	}
}

func TestIndexCSV(t *testing.T) {
	data := idxDemo(t)
	code, out, errs := runCLI(t, "index", "--data", data, "--format", "csv", "--impute", "linear")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// 30 units × 16 years × (1 goal + 6 dimensions + 35 indicators).
	if len(recs) != 1+30*16*42 {
		t.Fatalf("%d rows", len(recs))
	}
	if recs[0][9] != "quality" || recs[1][14] != "pooled" || recs[1][4] != "goal" {
		t.Errorf("header %v, first row %v", recs[0], recs[1])
	}
	imputed := 0
	for _, r := range recs[1:] {
		if r[9] == "imputed" {
			imputed++
		}
	}
	if imputed == 0 {
		t.Error("no value marked imputed after --impute linear")
	}
	code, out, errs = runCLI(t, "index", "--data", data, "--aggregate", "linear,smart_city=geometric", "--weights", "entropy,smart_city=equal", "--format", "json", "--period", "2025")
	if code != ExitOK || !strings.Contains(out, `"smart_city": "weights=equal, aggregate=geometric"`) {
		t.Errorf("per-node choices: exit %d: %s", code, errs)
	}
	code, out, _ = runCLI(t, "index", "--data", data, "--scope", "period", "--aggregate", "topsis")
	if code != ExitOK || !strings.Contains(out, "normalisation per period") {
		t.Errorf("exit %d, table:\n%s", code, out)
	}
}

func TestRankUncertaintyDeterministic(t *testing.T) {
	data := idxDemo(t)
	raw, _ := os.ReadFile(data)
	first := strings.SplitN(strings.SplitN(string(raw), "\n", 3)[1], ",", 2)[0]
	args := []string{"rank", "--data", data, "--by", "tier", "--uncertainty", "40", "--seed", "9", "--format", "json", "--peers", first}
	code, a, errs := runCLI(t, args...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, b, _ := runCLI(t, args...)
	if a != b {
		t.Error("two runs with one seed differ")
	}
	var got struct {
		Uncertainty struct {
			Seed  int `json:"seed"`
			Units []struct {
				P05, P95 float64
			} `json:"units"`
		} `json:"uncertainty"`
		Peers []struct{ Unit string } `json:"peers"`
		Ranks map[string]float64      `json:"ranks"`
	}
	if err := json.Unmarshal([]byte(a), &got); err != nil {
		t.Fatal(err)
	}
	if got.Uncertainty.Seed != 9 || len(got.Uncertainty.Units) != 30 || len(got.Peers) != 5 || len(got.Ranks) != 30 {
		t.Errorf("seed %d, %d units, %d peers, %d ranks", got.Uncertainty.Seed, len(got.Uncertainty.Units), len(got.Peers), len(got.Ranks))
	}
}

// TestMatrixInterface: the JSON shapes other tools rely on (issue 3).
func TestMatrixInterface(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "m.csv")
	os.WriteFile(m, []byte("alt,price,quality,delivery\nA,250,16,12\nB,200,16,8\nC,300,32,16\nD,275,32,8\nE,225,16,16\n"), 0o644)
	code, out, errs := runCLI(t, "weights", "--method", "critic", "--input", m, "--directions", "-,+,-", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var w struct {
		Method  string             `json:"method"`
		Weights map[string]float64 `json:"weights"`
	}
	if err := json.Unmarshal([]byte(out), &w); err != nil || w.Method != "critic" || len(w.Weights) != 3 {
		t.Fatalf("%v: %s", err, out)
	}
	wf := filepath.Join(dir, "w.json")
	os.WriteFile(wf, []byte(out), 0o644)
	for _, meth := range []string{"topsis", "gra", "linear", "geometric"} {
		code, out, errs = runCLI(t, "rank", "--method", meth, "--input", m, "--weights", wf, "--directions", "-,+,-", "--format", "json")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", meth, code, errs)
		}
		var r map[string]map[string]float64
		if err := json.Unmarshal([]byte(out), &r); err != nil || len(r) != 2 || len(r["scores"]) != 5 || len(r["ranks"]) != 5 {
			t.Fatalf("%s: %v: %s", meth, err, out)
		}
	}
	p := filepath.Join(dir, "p.csv")
	os.WriteFile(p, []byte(",a,b,c\na,1,3,5\nb,1/3,1,2\nc,1/5,1/2,1\n"), 0o644)
	code, out, _ = runCLI(t, "weights", "--method", "ahp", "--input", p, "--format", "json")
	if code != ExitOK || !strings.Contains(out, `"cr"`) {
		t.Errorf("ahp: exit %d: %s", code, out)
	}
}

// TestIndexBadInput: each bad input exits 1 with a message naming the problem.
func TestIndexBadInput(t *testing.T) {
	data := idxDemo(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	// Drop two indicator columns from the demo data.
	b, _ := os.ReadFile(data)
	recs, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	for _, r := range recs {
		cw.Write(append(append([]string{}, r[:7]...), r[9:]...))
	}
	cw.Flush()
	short := write("short.csv", buf.String())
	inconsistent := write("ahp.yaml", "nodes:\n  region:\n    - [1, 9, 1/9]\n    - [1/9, 1, 9]\n    - [9, 1/9, 1]\n")
	wrongSize := write("ahp2.yaml", "experts:\n  - name: one\n    nodes:\n      region:\n        - [1, 2]\n        - [1/2, 1]\n")
	badGrades := write("grades.yaml", "bands:\n  - {name: A, min: 0.2}\n  - {name: B, min: 0.5}\n")
	m := write("m.csv", "alt,x,y\nA,1,2\nB,3,4\nC,5,7\n")
	wj := write("w.json", `{"weights":{"x":0.5}}`)
	wok := write("w2.json", `{"x":0.5,"y":0.5}`)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"weights", "--data", data, "--method", "magic"}, `unknown weighting method "magic"`},
		{[]string{"index", "--data", data, "--aggregate", "median"}, `unknown aggregation "median"`},
		{[]string{"index", "--data", data, "--normalise", "sigmoid"}, `unknown normalisation "sigmoid"`},
		{[]string{"index", "--data", data, "--scope", "decade"}, `unknown scope "decade"`},
		{[]string{"index", "--data", data, "--winsor", "q:0.9,0.1"}, "want q:LO,HI with 0 ≤ LO < HI ≤ 1"},
		{[]string{"index", "--data", data, "--aggregate", "linear,technology=median"}, `node technology: unknown aggregation "median"`},
		{[]string{"index", "--data", data, "--normalise", "minmax,nosuch=zscore"}, "node nosuch: normalisation given for a node that is not in the framework"},
		{[]string{"index", "--data", data, "--impute", "magic"}, `unknown missing-value treatment "magic"`},
		{[]string{"index", "--data", data, "--format", "xlsx"}, "needs --out"},
		{[]string{"index", "--data", short}, "2 indicator(s) of the framework are not in the data: g5_bs_density, g5_coverage"},
		{[]string{"index"}, "no data"},
		{[]string{"index", "--data", data, "--period", "1999"}, "--period 1999: not in the data"},
		{[]string{"weights", "--data", data, "--method", "ahp"}, "needs --ahp FILE"},
		{[]string{"weights", "--data", data, "--method", "ahp", "--ahp", inconsistent}, "node region: AHP consistency ratio"},
		{[]string{"weights", "--data", data, "--method", "combined", "--ahp", inconsistent}, "worst pair rural_broadband vs urban_rural_gap"},
		{[]string{"weights", "--data", data, "--method", "combined", "--ahp", wrongSize}, "node region: AHP: expert 1"},
		{[]string{"weights", "--data", data, "--method", "expert"}, "children have no expert weights"},
		{[]string{"rank", "--data", data, "--grades", badGrades}, `band "B"`},
		{[]string{"rank", "--data", data, "--by", "continent"}, `unknown peer group "continent"`},
		{[]string{"rank", "--data", data, "--peers", "999999"}, `no unit "999999"`},
		{[]string{"rank", "--data", data, "--uncertainty", "10", "--mc-weights", "gauss:1"}, "want uniform:X, dirichlet:C or none"},
		{[]string{"rank", "--input", m, "--weights", wj}, "no weight for criteria y"},
		{[]string{"rank", "--input", m, "--weights", wok, "--method", "vikor"}, `unknown ranking method "vikor"`},
		{[]string{"weights", "--input", m, "--directions", "+,+,-"}, "3 directions for 2 criteria"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != ExitUser || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 with %q", c.args, code, errs, c.msg)
		}
	}
}

// FuzzIndexInputs: the AHP, grades and decision-matrix readers never panic
// and either fail or return well-formed values.
func FuzzIndexInputs(f *testing.F) {
	f.Add("nodes:\n  region:\n    - [1, 9, 1/9]\n    - [1/9, 1, 9]\n    - [9, 1/9, 1]\n")
	f.Add("experts:\n  - name: a\n    nodes:\n      g: [[1, 2], [1/2, 1]]\n")
	f.Add("on: relative\nbands:\n  - {name: A, min: 8}\n  - {name: B}\nveto_cap: B\n")
	f.Add("alt,x,y\nA,1,2\nB,3,1/0\n")
	f.Add("nodes: {g: [[1, 0/0]]}")
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if m, err := idxReadAHP(p); err == nil {
			for code, ms := range m {
				for _, a := range ms {
					for _, row := range a {
						if len(row) != len(a) {
							t.Fatalf("node %s: ragged matrix accepted", code)
						}
					}
				}
			}
		}
		if g, err := idxReadGrades(p); err == nil {
			if err := g.Check(); err != nil {
				t.Fatalf("grades accepted but invalid: %v", err)
			}
		}
		for _, frac := range []bool{false, true} {
			if m, err := idxReadMatrix(p, frac); err == nil {
				for _, c := range m.cols {
					if len(c) != len(m.alts) {
						t.Fatal("ragged decision matrix accepted")
					}
				}
			}
		}
	})
}

// TestIndexDataset: the index of a stored dataset names its version and the
// SHA-256 of its source file.
func TestIndexDataset(t *testing.T) {
	data := idxDemo(t)
	db := filepath.Join(t.TempDir(), "s.duckdb")
	if code, _, errs := runCLI(t, "data", "import", "--db", db, "--dataset", "demo", data); code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	code, out, errs := runCLI(t, "rank", "--db", db, "--dataset", "demo", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Data   string   `json:"data"`
		Hashes []string `json:"data_sha256"`
		Ranks  map[string]float64
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Data != "demo@1" || len(got.Hashes) != 1 || len(got.Ranks) != 30 {
		t.Errorf("data %q, hashes %v, %d ranks", got.Data, got.Hashes, len(got.Ranks))
	}
}

// TestIndexQualityFile: codes from --quality reach the indicator and, as
// the worst code below it, its dimension and the goal; a bad code is named
// with file, line and column.
func TestIndexQualityFile(t *testing.T) {
	data := idxDemo(t)
	raw, _ := os.ReadFile(data)
	unit := strings.SplitN(strings.SplitN(string(raw), "\n", 3)[1], ",", 2)[0]
	dir := t.TempDir()
	q := filepath.Join(dir, "q.csv")
	os.WriteFile(q, []byte("unit,period,indicator,quality\n"+unit+",2025,satisfaction,survey-extrapolated\n"), 0o644)
	code, out, errs := runCLI(t, "index", "--data", data, "--quality", q, "--period", "2025", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	got := map[string]string{}
	for _, r := range recs[1:] {
		if r[0] == unit {
			got[r[3]] = r[9]
		}
	}
	if got["satisfaction"] != "survey-extrapolated" || got["livelihood"] != "survey-extrapolated" || got["smart_city"] != "survey-extrapolated" || got["technology"] != "measured" {
		t.Errorf("qualities %v", got)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("unit,period,indicator,quality\n"+unit+",2025,satisfaction,guessed\n"), 0o644)
	code, _, errs = runCLI(t, "index", "--data", data, "--quality", bad)
	if code != ExitUser || !strings.Contains(errs, bad+`:2: column "quality": unknown data-quality code "guessed"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestIndexXLSX(t *testing.T) {
	data := idxDemo(t)
	out := filepath.Join(t.TempDir(), "scores.xlsx")
	code, _, errs := runCLI(t, "index", "--data", data, "--format", "xlsx", "--out", out, "--period", "2025")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "scores,weights,method" {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows("scores")
	if err != nil || len(rows) != 1+30*42 {
		t.Errorf("%d score rows, %v", len(rows), err)
	}
}

// TestRankMissingNone: with missing values propagated, cities without a
// score have no rank, and JSON says null rather than failing on NaN.
func TestRankMissingNone(t *testing.T) {
	data := idxDemo(t)
	code, out, errs := runCLI(t, "rank", "--data", data, "--missing", "none", "--uncertainty", "10", "--mc-missing", "none", "--format", "json", "--period", "2010")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"median_rank": null`) {
		t.Error("no city without a rank in 2010 under --missing none")
	}
}

// TestMatrixOracles: the decision-matrix commands reproduce the published
// examples of composite/testdata/oracles (a copy of ../shared/oracles; each
// case names its paper and the repository test it was found in): entropy
// on raw values (Elsayed et al. 2017; Xu 2004, via pymcdm
// test_weights.py), CRITIC with all columns benefit (Tuş & Adalı 2019),
// TOPSIS with min-max normalisation (Opricovic & Tzeng 2004, via pymcdm
// test_mcdm.py).
func TestMatrixOracles(t *testing.T) {
	dir := t.TempDir()
	type oracle struct {
		Cases []struct {
			ID        string      `json:"id"`
			Matrix    [][]float64 `json:"matrix"`
			Weights   []float64   `json:"weights"`
			Types     []int       `json:"types"`
			Expected  []float64   `json:"expected_weights"`
			Closeness []float64   `json:"expected_closeness"`
			Decimals  int         `json:"decimals"`
		} `json:"cases"`
	}
	load := func(name string) oracle {
		b, err := os.ReadFile(filepath.Join("..", "composite", "testdata", "oracles", name))
		if err != nil {
			t.Fatal(err)
		}
		var o oracle
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	writeMatrix := func(id string, m [][]float64) (string, []string, []string) {
		var crits, alts []string
		for j := range m[0] {
			crits = append(crits, "c"+strconv.Itoa(j+1))
		}
		var b strings.Builder
		b.WriteString("alt," + strings.Join(crits, ",") + "\n")
		for i, row := range m {
			alts = append(alts, "a"+strconv.Itoa(i+1))
			b.WriteString(alts[i])
			for _, v := range row {
				b.WriteString("," + strconv.FormatFloat(v, 'g', -1, 64))
			}
			b.WriteString("\n")
		}
		p := filepath.Join(dir, id+".csv")
		os.WriteFile(p, []byte(b.String()), 0o644)
		return p, crits, alts
	}
	for method, file := range map[string]string{"entropy": "entropy_weights.json", "critic": "critic_weights.json"} {
		for _, c := range load(file).Cases {
			p, crits, _ := writeMatrix(c.ID, c.Matrix)
			code, out, errs := runCLI(t, "weights", "--input", p, "--method", method, "--format", "json")
			if code != ExitOK {
				t.Fatalf("%s: exit %d: %s", c.ID, code, errs)
			}
			var got struct{ Weights map[string]float64 }
			json.Unmarshal([]byte(out), &got)
			tol := 0.5 * math.Pow(10, -float64(c.Decimals))
			for j, w := range c.Expected {
				if math.Abs(got.Weights[crits[j]]-w) > tol {
					t.Errorf("%s %s: weight %d = %v; want %v (±%v)", method, c.ID, j, got.Weights[crits[j]], w, tol)
				}
			}
		}
	}
	for _, c := range load("topsis.json").Cases {
		p, crits, alts := writeMatrix(c.ID, c.Matrix)
		ws := map[string]float64{}
		var dirs []string
		for j, w := range c.Weights {
			ws[crits[j]] = w
			dirs = append(dirs, map[int]string{1: "+", -1: "-"}[c.Types[j]])
		}
		b, _ := json.Marshal(ws)
		wf := filepath.Join(dir, c.ID+".json")
		os.WriteFile(wf, b, 0o644)
		code, out, errs := runCLI(t, "rank", "--input", p, "--weights", wf, "--method", "topsis", "--topsis-norm", "minmax", "--directions", strings.Join(dirs, ","), "--format", "json")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", c.ID, code, errs)
		}
		var got struct{ Scores map[string]float64 }
		json.Unmarshal([]byte(out), &got)
		tol := 0.5 * math.Pow(10, -float64(c.Decimals))
		for i, want := range c.Closeness {
			if math.Abs(got.Scores[alts[i]]-want) > tol {
				t.Errorf("%s: closeness of %s = %v; want %v", c.ID, alts[i], got.Scores[alts[i]], want)
			}
		}
	}
}

func TestWeightsPerPeriod(t *testing.T) {
	data := idxDemo(t)
	code, out, errs := runCLI(t, "weights", "--data", data, "--weight-scope", "period", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	// 16 years × 41 weighted children (6 dimensions + 35 indicators).
	if len(recs) != 1+16*41 || recs[1][0] != "2010" || recs[len(recs)-1][0] != "2025" {
		t.Errorf("%d rows, first %v, last %v", len(recs), recs[1], recs[len(recs)-1])
	}
	code, _, errs = runCLI(t, "weights", "--data", data, "--weight-scope", "decade")
	if code != ExitUser || !strings.Contains(errs, `unknown scope "decade"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestIndexTiesFlag(t *testing.T) {
	data := idxDemo(t)
	run := func(ties string) string {
		code, out, errs := runCLI(t, "index", "--data", data, "--normalise", "rank", "--ties", ties, "--format", "json")
		if code != ExitOK {
			t.Fatalf("--ties %s: exit %d: %s", ties, code, errs)
		}
		return out
	}
	avg, mn := run("average"), run("min")
	if !strings.Contains(mn, `"ties": "min"`) || !strings.Contains(avg, `"ties": "average"`) {
		t.Error("the tie rule is not recorded in the method")
	}
	if avg == mn {
		t.Error("--ties min gives the same scores as average on data with ties (5G coverage is 0 before 2019)")
	}
	if code, _, errs := runCLI(t, "index", "--data", data, "--ties", "max"); code != ExitUser || !strings.Contains(errs, "--ties") {
		t.Errorf("--ties max: exit %d, stderr %q", code, errs)
	}
}

// TestIndexTargetFrom: `index` applies the framework's target_from as
// `evaluate` does: seed-2025 dates two 100% targets 2025, so in 2024 they
// count in nobody's attainment rate, and the same framework with the
// target_from lines removed gives different 2024 attainment.
func TestIndexTargetFrom(t *testing.T) {
	data := idxDemo(t)
	dir := t.TempDir()
	fw := filepath.Join(dir, "fw.yaml")
	if code, _, errs := runCLI(t, "framework", "export", "seed-2025", "--out", fw); code != ExitOK {
		t.Fatalf("export: %s", errs)
	}
	b, err := os.ReadFile(fw)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "target_from:") {
			kept = append(kept, l)
		}
	}
	if len(kept) == strings.Count(string(b), "\n")+1 {
		t.Fatal("seed-2025 has no target_from line")
	}
	undated := filepath.Join(dir, "undated.yaml")
	if err := os.WriteFile(undated, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	attain := func(framework string) map[string]float64 {
		code, out, errs := runCLI(t, "index", "--data", data, "--framework", framework, "--format", "json", "--period", "2024")
		if code != ExitOK {
			t.Fatalf("index --framework %s: %s", framework, errs)
		}
		var doc struct {
			Rows []struct {
				Unit       string   `json:"unit"`
				Attainment *float64 `json:"attainment"`
			} `json:"rows"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		m := map[string]float64{}
		for _, r := range doc.Rows {
			if r.Attainment != nil {
				m[r.Unit] = *r.Attainment
			}
		}
		if len(m) == 0 {
			t.Fatalf("no goal attainment in the output of --framework %s", framework)
		}
		return m
	}
	dated, plain := attain(fw), attain(undated)
	differ := 0
	for u, v := range dated {
		if v != plain[u] {
			differ++
		}
	}
	if differ == 0 {
		t.Error("2024 attainment identical with and without target_from")
	}
}
