package cli

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/evaluation"
	"github.com/cityimpact/cityimpact/report"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"
)

// TestEvaluateDemoEndToEnd runs the README's demo evaluation through the
// command and checks every output against results.json: the narratives in
// report.html and report.md are the ones in results.json and every number
// in them traces back to the results, results.xlsx opens with its sheets,
// results.json validates against its schema, and a second run gives the
// same results.json apart from the timestamp.
func TestEvaluateDemoEndToEnd(t *testing.T) {
	spec := filepath.Join("..", "examples", "demo", "evaluation.yaml")
	dirs := [2]string{t.TempDir(), t.TempDir()}
	for _, d := range dirs {
		code, out, errs := runCLI(t, "evaluate", spec, "--out", d)
		if code != ExitOK {
			t.Fatalf("evaluate: exit %d\n%s\n%s", code, out, errs)
		}
		if !strings.Contains(out, filepath.Join(d, "report.html")) {
			t.Errorf("the summary does not print the report's path:\n%s", out)
		}
	}
	read := func(d, name string) []byte {
		b, err := os.ReadFile(filepath.Join(d, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	js := read(dirs[0], "results.json")
	var res evaluation.Results
	if err := json.Unmarshal(js, &res); err != nil {
		t.Fatal(err)
	}

	// Byte-identical apart from the timestamp.
	stamp := regexp.MustCompile(`"generated": "[^"]*"`)
	if a, b := stamp.ReplaceAll(js, nil), stamp.ReplaceAll(read(dirs[1], "results.json"), nil); !bytes.Equal(a, b) {
		t.Error("two runs of the same spec gave different results.json")
	}

	// The schema.
	var doc any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	var sdoc any
	if err := json.Unmarshal(report.ResultsSchema, &sdoc); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("results.schema.json", sdoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("results.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("results.json does not validate: %v", err)
	}

	// Narratives: the same text in results.json, report.html and report.md,
	// every number traceable.
	page := string(read(dirs[0], "report.html"))
	md := string(read(dirs[0], "report.md"))
	if len(res.Cities) != len(res.Units) || len(res.Cities) == 0 {
		t.Fatalf("%d diagnoses for %d units", len(res.Cities), len(res.Units))
	}
	for i := range res.Cities {
		d := &res.Cities[i]
		if err := evaluation.CheckNarrative(d.Narrative, d, &res); err != nil {
			t.Errorf("%s: %v", d.Unit, err)
		}
		if res.Units[i].Case {
			for _, s := range []string{d.Narrative.Zh, d.Narrative.En} {
				if !strings.Contains(page, html.EscapeString(s)) && !strings.Contains(page, jsonString(s)) {
					t.Errorf("%s: report.html lacks the narrative %.60q…", d.Unit, s)
				}
				if !strings.Contains(md, s) && !strings.Contains(md, mdEscape(s)) {
					t.Errorf("%s: report.md lacks the narrative %.60q…", d.Unit, s)
				}
			}
		}
	}
	if !strings.Contains(page, "由程序合成") || !strings.Contains(page, "synthetic") {
		t.Error("report.html does not say the data are synthetic")
	}

	// The workbook.
	f, err := excelize.OpenFile(filepath.Join(dirs[0], "results.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := strings.Join(f.GetSheetList(), ",")
	for _, want := range []string{"weights", "scores", "ranks", "estimates", "diagnostics", "data_quality"} {
		if !strings.Contains(sheets, want) {
			t.Errorf("results.xlsx has no %s sheet (has %s)", want, sheets)
		}
	}
	// tables.tex has a regression table.
	if tex := string(read(dirs[0], "tables.tex")); !strings.Contains(tex, `\begin{tabular}`) || !strings.Contains(tex, `\toprule`) {
		t.Error("tables.tex has no booktabs table")
	}
}

// jsonString is s as it appears inside a JSON string literal embedded in a
// page (html/template escapes <, >, & in JSON).
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// mdEscape escapes Markdown's special characters as report.md does.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `|`, `\|`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`)
	return r.Replace(s)
}

func TestEvaluateErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("schema: 1\ndata: {generate: {seed: 1}}\ncausal: {methods: [twfe, magic]}\nreport: {language: fr}\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, _, errs := runCLI(t, "evaluate", bad, "--out", out)
	if code != ExitUser || !strings.Contains(errs, "bad.yaml:3") || !strings.Contains(errs, "causal.methods[1]") || !strings.Contains(errs, "report.language") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a failed evaluation created the output folder")
	}
	code, _, errs = runCLI(t, "evaluate", filepath.Join(dir, "nowhere.yaml"))
	if code != ExitUser || !strings.Contains(errs, "nowhere.yaml") {
		t.Errorf("missing spec: exit %d, stderr %q", code, errs)
	}
	// init writes a spec evaluate accepts, and refuses to overwrite it.
	spec := filepath.Join(dir, "spec.yaml")
	if code, _, errs := runCLI(t, "init", "--generate", "--out", spec); code != ExitOK {
		t.Fatalf("init: %d %s", code, errs)
	}
	if _, err := evaluation.ReadSpec(spec); err != nil {
		t.Errorf("init's spec does not parse: %v", err)
	}
	if code, _, _ := runCLI(t, "init", "--out", spec); code != ExitUser {
		t.Error("init overwrote a file")
	}
}
