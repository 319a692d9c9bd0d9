package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/evaluation"
)

// The -update flag rewrites golden files (go test ./report -update). It is
// registered here unless another file of the package already did.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files in testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", path, len(gl), len(wl))
	}
}

func TestMarkdownGolden(t *testing.T) {
	r := fixture()
	for _, lang := range []string{"zh", "en", "both"} {
		var a, b bytes.Buffer
		if err := Markdown(&a, r, lang); err != nil {
			t.Fatal(err)
		}
		if err := Markdown(&b, r, lang); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two runs differ", lang)
		}
		golden(t, "fixture_"+lang+".md", a.Bytes())
	}
}

func TestMarkdownContent(t *testing.T) {
	r := fixture()
	var buf bytes.Buffer
	if err := Markdown(&buf, r, "en"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"# Smart-city pilot evaluation",
		"synthetic data",
		"## Summary of effects",
		"| Smart city | TWFE | treat\\_post | 0.03120** | 0.01210 | [0.006400, 0.05600] | 0.015 | 6.1% | 32 |", // fixture TWFE on goal, p = 0.0149
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	// Top 5 (Spec.Report.Top) of the 7 ranked cities; the 8th has no score.
	if !strings.Contains(out, "## Ranking (2015, top 5 of 7 cities)") {
		t.Errorf("ranking header wrong")
	}
	// The failed method is reported, not dropped.
	if !strings.Contains(out, "not estimated: no never-treated donor") {
		t.Errorf("failed method missing")
	}
	// Case cities only: Shanghai and Hangzhou are diagnosed, Beijing is not.
	if !strings.Contains(out, "### Shanghai (310000)") || !strings.Contains(out, "### Hangzhou (330100)") || strings.Contains(out, "### Beijing") {
		t.Errorf("diagnoses are not the case cities")
	}
	// Hangzhou's narrative as generated.
	if !strings.Contains(out, mdText(r.Cities[2].Narrative.En)) {
		t.Errorf("Hangzhou narrative missing")
	}
	// Specials in a name are escaped in tables.
	if strings.Contains(out, "| Test_city") {
		t.Errorf("underscore in a table cell not escaped")
	}
	// The dropped reason contains "|": escaped in running text, it does not break anything.
	if !strings.Contains(out, "Indicators left out of the index:") {
		t.Errorf("dropped indicators missing")
	}
	// Missing numbers print as the dash, never NaN.
	if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
		t.Errorf("NaN printed")
	}
	zh := new(bytes.Buffer)
	if err := Markdown(zh, r, "zh"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## 政策效应摘要", "## 排名（2015，前5名，共7个城市）", "### 杭州市 (330100)", "约谈", "## 数据质量"} {
		if !strings.Contains(zh.String(), want) {
			t.Errorf("zh report lacks %q", want)
		}
	}
}

func TestMarkdownErrors(t *testing.T) {
	if err := Markdown(new(bytes.Buffer), fixture(), "fr"); err == nil {
		t.Errorf("language fr accepted")
	}
	if err := Markdown(new(bytes.Buffer), nil, "en"); err == nil {
		t.Errorf("nil results accepted")
	}
	// An empty result renders without panicking.
	if err := Markdown(new(bytes.Buffer), &evaluation.Results{}, "both"); err != nil {
		t.Errorf("empty results: %v", err)
	}
}

func TestNumberFormats(t *testing.T) {
	f := numFmt{miss: mdDash}
	for _, tc := range []struct {
		got, want string
	}{
		{f.score(0.61249), "0.612"},
		{f.score(-0.0004), "0.000"},
		{f.weight(0.125), "0.1250"},
		{f.est(0.0312), "0.03120"},
		{f.est(-2.41), "-2.410"},
		{f.est(12345.6), "12346"},
		{f.est(evaluation.NaN()), mdDash},
		{f.p(0.0009), "<0.001"},
		{f.p(0.0149), "0.015"},
		{f.pct(0.061), "6.1%"},
		{f.rank(3.5), "3.5"},
		{f.rank(12), "12"},
		{sigStars(0.0099), "***"},
		{sigStars(0.01), "**"},
		{sigStars(0.05), "*"},
		{sigStars(0.1), ""},
		{sigStars(evaluation.NaN()), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
		}
	}
}

func BenchmarkMarkdown(b *testing.B) {
	r := fixture()
	b.ReportAllocs()
	for b.Loop() {
		if err := Markdown(new(bytes.Buffer), r, "both"); err != nil {
			b.Fatal(err)
		}
	}
}
