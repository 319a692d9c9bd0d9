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

func qualWrite(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// qualDemo returns the demo's annual CSV, its records (header first) and
// the positions of its unit and period columns.
func qualDemo(t *testing.T) (data string, recs [][]string, unit, period int) {
	t.Helper()
	data = idxDemo(t)
	fh, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	unit, period = slices.Index(recs[0], "unit"), slices.Index(recs[0], "period")
	if unit < 0 || period < 0 || len(recs) < 2 {
		t.Fatalf("demo has no unit or period column, or no rows: %v", recs[0])
	}
	return data, recs, unit, period
}

// qualIndexRows is what the tests read of `index --format json`.
type qualIndexRows struct {
	Rows []struct {
		Unit    string
		Raw     map[string]float64
		Quality map[string]string
	}
	Provenance provenance
}

// qualIndex runs `index --data data --format json --period period` with
// extra flags and decodes its rows; a failed run is fatal.
func qualIndex(t *testing.T, data, period string, extra ...string) qualIndexRows {
	t.Helper()
	args := append([]string{"index", "--data", data, "--format", "json", "--period", period}, extra...)
	code, out, errs := runCLI(t, args...)
	if code != ExitOK {
		t.Fatalf("index %v: exit %d: %s", extra, code, errs)
	}
	var ix qualIndexRows
	if err := json.Unmarshal([]byte(out), &ix); err != nil {
		t.Fatal(err)
	}
	return ix
}

// Two rounds, three experts, four items: round 2 is composite's "no ties"
// table shifted (W = 7/9), and every item's CV ≤ 0.25 in round 2.
const delphiCSV = `round,expert,item,score
1,E1,A,1
1,E1,B,2
1,E1,C,3
1,E1,D,4
1,E2,A,4
1,E2,B,3
1,E2,C,2
1,E2,D,1
1,E3,A,2
1,E3,B,1
1,E3,C,4
1,E3,D,3
2,E1,A,5
2,E1,B,6
2,E1,C,7
2,E1,D,9
2,E2,A,5
2,E2,B,7
2,E2,C,6
2,E2,D,9
2,E3,A,6
2,E3,B,5
2,E3,C,7
2,E3,D,9
`

func TestDelphiCommand(t *testing.T) {
	dir := t.TempDir()
	in := qualWrite(t, dir, "delphi.csv", delphiCSV)
	wout := filepath.Join(dir, "w.json")
	code, out, errs := runCLI(t, "delphi", "--input", in, "--weights-out", wout, "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Provenance qualProvenance `json:"provenance"`
		StopRound  int            `json:"stop_round"`
		Rounds     []struct {
			W    float64 `json:"w"`
			Stop bool    `json:"stop"`
		} `json:"rounds"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.StopRound != 2 || len(res.Rounds) != 2 || math.Abs(res.Rounds[1].W-7.0/9) > 1e-9 {
		t.Errorf("stop %d rounds %+v; want stop 2 and W₂ = 7/9", res.StopRound, res.Rounds)
	}
	if res.Provenance.Version != Version || len(res.Provenance.SHA256) != 64 || res.Provenance.Options["max-cv"] != "0.25" {
		t.Errorf("provenance %+v", res.Provenance)
	}
	// The weights feed `rank --input --weights`: means 16/3, 6, 20/3, 9.
	b, err := os.ReadFile(wout)
	if err != nil {
		t.Fatal(err)
	}
	var w struct{ Weights map[string]float64 }
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Weights["D"], 9/(16.0/3+6+20.0/3+9); math.Abs(got-want) > 1e-9 {
		t.Errorf("weight D = %v; want %v", got, want)
	}
	m := qualWrite(t, dir, "m.csv", "alt,A,B,C,D\nx,1,2,3,4\ny,4,3,2,1\n")
	if code, out, errs := runCLI(t, "rank", "--input", m, "--weights", wout, "--method", "linear", "--format", "json"); code != ExitOK || !strings.Contains(out, `"x": 1,`) {
		t.Errorf("rank with Delphi weights: exit %d %s %s", code, out, errs)
	}
}

// qualBadInput is a file that cmd --input FILE [args] must reject with a
// user error whose text holds every want.
type qualBadInput struct {
	name, file, body string
	args             []string
	want             []string
}

// qualUserErrors runs cmd on each case, writing its file into dir.
func qualUserErrors(t *testing.T, dir, cmd string, cases []qualBadInput) {
	t.Helper()
	for _, c := range cases {
		in := qualWrite(t, dir, c.file, c.body)
		code, _, errs := runCLI(t, append([]string{cmd, "--input", in}, c.args...)...)
		if code != ExitUser {
			t.Errorf("%s %s: exit %d; want %d (%s)", cmd, c.name, code, ExitUser, errs)
		}
		for _, want := range c.want {
			if !strings.Contains(errs, want) {
				t.Errorf("%s %s: stderr %q lacks %q", cmd, c.name, errs, want)
			}
		}
	}
}

func TestDelphiCommandErrors(t *testing.T) {
	qualUserErrors(t, t.TempDir(), "delphi", []qualBadInput{
		{name: "bad round and score", file: "bad.csv", body: "round,expert,item,score\n1,E1,A,1\n1,E1,B,x\nR,E2,A,2\n1,E2,B,3\n1,E2,B,4\n",
			want: []string{`bad.csv:3: column "score"`, `bad.csv:4: column "round"`}},
		{name: "duplicate", file: "dup.csv", body: "round,expert,item,score\n1,E1,A,1\n1,E1,B,2\n1,E2,A,2\n1,E2,B,3\n1,E2,B,4\n",
			want: []string{"dup.csv:6:"}},
		{name: "missing column", file: "nocol.csv", body: "round,expert,item\n1,E1,A\n", want: []string{"no score column"}},
	})
}

func TestSurveyCommand(t *testing.T) {
	data, recs, cu, cp := qualDemo(t)
	unit, period := recs[1][cu], recs[1][cp]
	dir := t.TempDir()
	// Unit U: satisfaction answers 5,4,3,2 (n = 4, mean 3.5, top-2 0.5),
	// second item only two answers.
	in := qualWrite(t, dir, "answers.csv", "unit,period,respondent,satisfaction,trust\n"+
		unit+","+period+",r1,5,4\n"+unit+","+period+",r2,4,\n"+unit+","+period+",r3,3,2\n"+unit+","+period+",r4,2,\n")
	vout, qout := filepath.Join(dir, "v.csv"), filepath.Join(dir, "q.csv")
	code, out, errs := runCLI(t, "survey", "--input", in, "--values-out", vout, "--quality-out", qout, "--format", "json", "--min-n", "3")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Warnings []string `json:"warnings"`
		Results  []struct {
			Indicator string
			Value     float64
			N         int
			Mean      float64
			MeanMOE   float64 `json:"mean_moe"`
			TopMOE    float64 `json:"top_box_moe"`
			LowN      bool    `json:"low_n"`
			Quality   string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 2 {
		t.Fatalf("results %+v", res.Results)
	}
	s := res.Results[0]
	// s² = (2.25+0.25+0.25+2.25)/3 = 5/3; mean MOE 1.959964·√(5/3)/2;
	// top-2 MOE 1.959964·√(0.25/4).
	if s.Indicator != "satisfaction" || s.N != 4 || s.Value != 0.5 || s.Mean != 3.5 || s.LowN || s.Quality != "survey-extrapolated" {
		t.Errorf("satisfaction %+v", s)
	}
	if want := 1.959963984540054 * math.Sqrt(5.0/3) / 2; math.Abs(s.MeanMOE-want) > 1e-9 {
		t.Errorf("mean MOE %v; want %v", s.MeanMOE, want)
	}
	if want := 1.959963984540054 * 0.25; math.Abs(s.TopMOE-want) > 1e-9 {
		t.Errorf("top-2 MOE %v; want %v", s.TopMOE, want)
	}
	if !res.Results[1].LowN || len(res.Warnings) != 1 {
		t.Errorf("trust (n = 2 < 3) should be flagged: %+v %v", res.Results[1], res.Warnings)
	}
	// The quality file is accepted by index --quality and the code reaches
	// the index output.
	// "trust" is not a framework indicator, so keep satisfaction only.
	qb, err := os.ReadFile(qout)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(qb), "\n") {
		if !strings.Contains(l, "trust") {
			keep = append(keep, l)
		}
	}
	q2 := qualWrite(t, dir, "q2.csv", strings.Join(keep, "\n"))
	ix := qualIndex(t, data, period, "--quality", q2)
	found := false
	for _, r := range ix.Rows {
		if r.Unit == unit {
			found = r.Quality["satisfaction"] == "survey-extrapolated"
		}
	}
	if !found {
		t.Errorf("index output lacks the survey quality code for %s", unit)
	}
}

func TestSurveyCommandErrors(t *testing.T) {
	dir := t.TempDir()
	pop := qualWrite(t, dir, "pop.csv", "unit,population\nA,100\n")
	qualUserErrors(t, dir, "survey", []qualBadInput{
		{name: "bad answers", file: "bad.csv", body: "unit,period,sat\nA,2024,5\nA,2024,6\nA,2024,x\n,2024,3\n",
			want: []string{`bad.csv:3: column "sat"`, `bad.csv:4: column "sat"`, `bad.csv:5: column "unit"`}},
		{name: "ragged", file: "ragged.csv", body: "unit,period,sat\nA,2024\n", want: []string{"ragged.csv:2:"}},
		{name: "missing population", file: "ok.csv", body: "unit,period,sat\nA,2024,5\nB,2024,4\n", args: []string{"--population", pop}, want: []string{"B"}},
	})
}

// FuzzQualitativeCSV: delphi and survey on arbitrary bytes never panic and
// never fail with an internal error (exit 2): bad input is a user error.
func FuzzQualitativeCSV(f *testing.F) {
	f.Add([]byte(delphiCSV), true)
	f.Add([]byte("round,expert,item,score,unit,period\n1,E1,a,3,C1,2024\n1,E2,a,4,C1,2024\n1,E1,b,2,C1,2024\n1,E2,b,5,C1,2024\n"), true)
	f.Add([]byte("unit,period,respondent,sat,trust\nA,2024,r1,5,4\nA,2024,r2,1,\nB,2024,r1,3,3\n"), false)
	f.Add([]byte("unit,period,sat\nA,2024,\"5\n\"\n"), false)
	f.Fuzz(func(t *testing.T, b []byte, delphi bool) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(in, b, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"survey", "--input", in, "--format", "json", "--values-out", filepath.Join(dir, "v.csv")}
		if delphi {
			args = []string{"delphi", "--input", in, "--format", "json"}
		}
		code, _, errs := runCLI(t, args...)
		if code != ExitOK && code != ExitUser {
			t.Fatalf("%s: exit %d: %s", args[0], code, errs)
		}
	})
}

// TestQualitativeIntoIndex: survey results enter the index with --values
// (value and quality code), and a Delphi over the dimensions gives the
// goal's expert weights with --delphi.
func TestQualitativeIntoIndex(t *testing.T) {
	data, recs, cu, cp := qualDemo(t)
	unit, period := recs[1][cu], recs[1][cp]
	dir := t.TempDir()
	in := qualWrite(t, dir, "a.csv", "unit,period,satisfaction\n"+unit+","+period+",5\n"+unit+","+period+",4\n"+unit+","+period+",3\n"+unit+","+period+",1\n")
	vout := filepath.Join(dir, "v.csv")
	if c, _, e := runCLI(t, "survey", "--input", in, "--value", "mean", "--values-out", vout); c != ExitOK {
		t.Fatalf("survey: exit %d: %s", c, e)
	}
	ix := qualIndex(t, data, period, "--values", vout)
	ok := false
	for _, r := range ix.Rows {
		if r.Unit == unit {
			ok = r.Raw["satisfaction"] == 3.25 && r.Quality["satisfaction"] == "survey-extrapolated"
		}
	}
	if !ok {
		t.Errorf("satisfaction of %s in %s is not the survey mean 3.25 marked survey-extrapolated", unit, period)
	}
	if len(ix.Provenance.Inputs) != 2 {
		t.Errorf("provenance inputs %v; want the data and the values file", ix.Provenance.Inputs)
	}

	// Delphi over the six dimensions: round 2's means are 6, 5, 4, 3, 2, 1
	// (each expert ± 1 around them), so the goal's weights are 6/21 … 1/21.
	var b strings.Builder
	b.WriteString("round,expert,item,score\n")
	dims := []string{"technology", "industry", "governance", "livelihood", "region", "policy"}
	for rd := 1; rd <= 2; rd++ {
		for e, shift := range []float64{-1, 0, 1} {
			for i, d := range dims {
				s := float64(6-i) + shift
				if rd == 1 {
					s = float64(1 + (i+e)%6)
				}
				b.WriteString(strings.Join([]string{itoa(rd), "E" + itoa(e), d, ftoa(s + 2)}, ",") + "\n")
			}
		}
	}
	df := qualWrite(t, dir, "delphi.csv", b.String())
	c, out, e := runCLI(t, "weights", "--data", data, "--method", "entropy,smart_city=expert", "--delphi", df, "--format", "json")
	if c != ExitOK {
		t.Fatalf("weights --delphi: exit %d: %s", c, e)
	}
	var wj struct {
		Nodes []struct {
			Node    string
			Method  string
			Weights map[string]float64
		}
	}
	if err := json.Unmarshal([]byte(out), &wj); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range wj.Nodes {
		if n.Node == "smart_city" {
			found = true
			// scores were shifted by +2: means 8, 7, …, 3, sum 33.
			for i, d := range dims {
				if want := float64(8-i) / 33; math.Abs(n.Weights[d]-want) > 1e-9 {
					t.Errorf("%s weight %v; want %v", d, n.Weights[d], want)
				}
			}
		}
	}
	if !found {
		t.Errorf("no smart_city node in %s", out)
	}
	if c, _, e := runCLI(t, "weights", "--data", data, "--delphi", df); c != ExitUser || !strings.Contains(e, "--method expert") {
		t.Errorf("--delphi without expert weighting: exit %d %s", c, e)
	}
	bad := qualWrite(t, dir, "bad.csv", "round,expert,item,score\n1,E1,nosuchnode,3\n")
	if c, _, e := runCLI(t, "weights", "--data", data, "--method", "expert", "--delphi", bad); c != ExitUser || !strings.Contains(e, `bad.csv:2: column "item"`) {
		t.Errorf("unknown node: exit %d %s", c, e)
	}
}

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// TestDelphiValuesIntoIndex: Delphi scores per city become indicator
// values marked estimated.
func TestDelphiValuesIntoIndex(t *testing.T) {
	data, recs, cu, cp := qualDemo(t)
	u1, u2, period := recs[1][cu], "", recs[1][cp]
	for _, r := range recs[1:] {
		if r[cu] != u1 {
			u2 = r[cu]
			break
		}
	}
	dir := t.TempDir()
	// Experts E1–E3 score public_participation of two cities: means 4 and 2.
	body := "round,expert,unit,period,item,score\n"
	for e, s := range [][2]int{{4, 2}, {5, 1}, {3, 3}} {
		body += "1,E" + itoa(e) + "," + u1 + "," + period + ",public_participation," + itoa(s[0]) + "\n"
		body += "1,E" + itoa(e) + "," + u2 + "," + period + ",public_participation," + itoa(s[1]) + "\n"
	}
	in := qualWrite(t, dir, "d.csv", body)
	vout := filepath.Join(dir, "v.csv")
	if c, _, e := runCLI(t, "delphi", "--input", in, "--values-out", vout, "--format", "csv"); c != ExitOK {
		t.Fatalf("delphi: exit %d: %s", c, e)
	}
	ix := qualIndex(t, data, period, "--values", vout)
	want := map[string]float64{u1: 4, u2: 2}
	n := 0
	for _, r := range ix.Rows {
		if w, ok := want[r.Unit]; ok {
			n++
			if r.Raw["public_participation"] != w || r.Quality["public_participation"] != "estimated" {
				t.Errorf("%s: public_participation %v (%s); want %v (estimated)", r.Unit, r.Raw["public_participation"], r.Quality["public_participation"], w)
			}
		}
	}
	if n != 2 {
		t.Errorf("found %d of 2 cities", n)
	}
}
