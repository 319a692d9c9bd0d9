package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cityimpact/cityimpact/evaluation"
)

// requireAssets fails (never skips) when the assets are missing: `make
// test` builds them first.
func requireAssets(t testing.TB) {
	t.Helper()
	if err := loadAssets().err; err != nil {
		t.Fatalf("%v", err)
	}
}

func render(t testing.TB, r *evaluation.Results, opt HTMLOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, r, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// markup returns the page without the contents of its script elements
// (ECharts and the chart data).
func markup(page string) string {
	return regexp.MustCompile(`(?s)(<script[^>]*>).*?</script>`).ReplaceAllString(page, "$1</script>")
}

func TestHTMLFixture(t *testing.T) {
	requireAssets(t)
	r := htmlFixture()
	page := render(t, r, HTMLOptions{})
	// Offline: no external script, stylesheet, image or font.
	if m := regexp.MustCompile(`(?i)<(script|link|img|iframe)[^>]+(src|href)=`).FindString(markup(page)); m != "" {
		t.Errorf("page loads a resource: %s", m)
	}
	if strings.Contains(page, "@import") || strings.Contains(page, "@font-face") {
		t.Error("page imports a stylesheet or a web font")
	}
	for _, want := range []string{
		`data-chart="map"`, `data-chart="dist"`, `data-chart="radar"`, `data-chart="trends"`, `data-chart="event"`,
		`data-chart="weights"`, `data-chart="uncert"`, `data-chart="coupling"`, `id="lang-toggle"`,
		"审图号", labels["synthetic"].Zh, labels["synthetic"].En,
		"no unit treated long enough for a pre-period fit", // the synth method's Error
		r.Cities[0].Narrative.Zh, r.Cities[0].Narrative.En,
		"I12: 3 negative values", "missing in 62% of cells",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Two radar charts, one per case city; one event plot per method
	// with points.
	if n := strings.Count(page, `data-chart="radar"`); n != 2 {
		t.Errorf("%d radar charts; want 2", n)
	}
	if n := strings.Count(page, `data-chart="event"`); n != 1 {
		t.Errorf("%d event-study charts; want 1 (the goal's)", n)
	}
	// The top of the ranking: the rank-1 city's score, formatted from
	// Results with three decimals.
	T := len(r.Periods)
	for u := range r.Units {
		if r.Index.Rank[u*T+T-1] == 1 {
			if want := fmtNum(r.Index.Scores[0][u*T+T-1], 3); !strings.Contains(page, ">"+want+"<") {
				t.Errorf("rank-1 score %s not in the page", want)
			}
		}
	}
}

func TestHTMLLanguages(t *testing.T) {
	requireAssets(t)
	r := htmlFixture()
	zh := markup(render(t, r, HTMLOptions{Language: "zh"}))
	en := markup(render(t, r, HTMLOptions{Language: "en"}))
	if strings.Contains(zh, `id="lang-toggle"`) || strings.Contains(en, `id="lang-toggle"`) {
		t.Error("single-language page has a toggle")
	}
	if strings.Contains(zh, labels["findings"].En) || !strings.Contains(zh, labels["findings"].Zh) {
		t.Error("zh page: wrong heading language")
	}
	if strings.Contains(en, ">"+labels["findings"].Zh) || !strings.Contains(en, labels["findings"].En) {
		t.Error("en page: wrong heading language")
	}
	if err := HTML(&bytes.Buffer{}, r, HTMLOptions{Language: "fr"}); err == nil {
		t.Error("language fr accepted")
	}
}

func TestHTMLWritesNothingOnError(t *testing.T) {
	requireAssets(t)
	r := htmlFixture()
	r.Index.Rank = r.Index.Rank[:5]
	var b bytes.Buffer
	if err := HTML(&b, r, HTMLOptions{}); err == nil || b.Len() != 0 {
		t.Errorf("malformed results: error %v, %d bytes written; want an error and nothing", err, b.Len())
	}
	if err := HTML(&b, nil, HTMLOptions{}); err == nil {
		t.Error("nil results accepted")
	}
}

func TestHTMLMapFile(t *testing.T) {
	requireAssets(t)
	r := htmlFixture()
	dir := t.TempDir()
	good := filepath.Join(dir, "approved.geojson")
	gj := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"` + r.Units[0].Code +
		`","name":"x"},"geometry":{"type":"Polygon","coordinates":` + square + `}}]}`
	if err := os.WriteFile(good, []byte(gj), 0o644); err != nil {
		t.Fatal(err)
	}
	page := render(t, r, HTMLOptions{MapFile: good})
	if !strings.Contains(page, "approved.geojson") {
		t.Error("page does not name the replacement map")
	}
	// The 29 other units are listed as absent from the map.
	if !strings.Contains(page, r.Units[1].Code) {
		t.Error("units off the map not listed")
	}
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"12"},"geometry":null}]}`), 0o644)
	var b bytes.Buffer
	err := HTML(&b, r, HTMLOptions{MapFile: bad})
	var me *MapError
	if !errors.As(err, &me) || me.File != bad || me.Feature != 1 || b.Len() != 0 {
		t.Errorf("bad map: error %v, %d bytes; want a MapError at feature 1 and nothing written", err, b.Len())
	}
}

// The bundled city layer joins the registry's cities: every one of the
// 337 divisions except 三沙 (not in the echarts 4.9.0 data).
func TestBundledMapJoin(t *testing.T) {
	requireAssets(t)
	a := loadAssets()
	if n := len(a.cities.codes); n != 336 {
		t.Errorf("city layer joins %d codes; want 336", n)
	}
	if n := len(a.provinces.codes); n != 31 {
		t.Errorf("province layer joins %d codes; want 31", n)
	}
	for _, c := range []string{"110000", "220200", "632500", "650400", "460400"} {
		if !a.cities.has(c) {
			t.Errorf("city layer lacks %s", c)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{fmtNum(-0.0001, 3), "0.000"}, {fmtNum(-1.25, 2), "−1.25"}, {fmtNum(evaluation.NaN(), 2), "—"},
		{fmtP(0.0004), "<0.001"}, {fmtP(0.0456), "0.046"}, {fmtPct(0.1234), "12.3%"}, {fmtInt(3), "3"},
		{stars(0.004), "***"}, {stars(0.03), "**"}, {stars(0.07), "*"}, {stars(0.2), ""},
		{string(bi("both", evaluation.Text{Zh: "甲<", En: "A"})), `<span lang="zh">甲&lt;</span><span lang="en">A</span>`},
	} {
		if c.got != c.want {
			t.Errorf("got %q; want %q", c.got, c.want)
		}
	}
}

func BenchmarkHTML(b *testing.B) {
	requireAssets(b)
	r := htmlFixture()
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(&bytes.Buffer{}, r, HTMLOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A binary built without `make assets` has only SOURCE.md: the error
// says what to run.
func TestAssetsMissing(t *testing.T) {
	b := readAssets(fstest.MapFS{"assets/SOURCE.md": {Data: []byte("x")}})
	if !errors.Is(b.err, ErrAssetsMissing) {
		t.Errorf("error %v; want ErrAssetsMissing", b.err)
	}
	b = readAssets(fstest.MapFS{"assets/echarts.min.js": {Data: []byte("x")}, "assets/china-cities.geojson": {Data: []byte("{}")},
		"assets/china-provinces.geojson": {Data: []byte("{}")}})
	if b.err == nil || errors.Is(b.err, ErrAssetsMissing) {
		t.Errorf("broken map asset: error %v; want a bundled-map error", b.err)
	}
}

// TestHTMLConfidenceLevel: labels follow the spec's confidence level.
func TestHTMLConfidenceLevel(t *testing.T) {
	r := htmlFixture()
	if r.Spec == nil {
		t.Fatal("fixture has no spec")
	}
	spec := *r.Spec
	spec.Causal.Level = 0.9
	r.Spec = &spec
	var b bytes.Buffer
	if err := HTML(&b, r, HTMLOptions{Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, "90% CI") || strings.Contains(s, "95% CI") {
		t.Error("the page does not label 90% intervals as such")
	}
}

// TestHTMLSystemicAlerts: a systemic alert group (I12's veto floor in half
// the cities of htmlFixture) is shown once with its counts and message;
// its per-city alerts are counted, not listed, while city-specific alerts
// (I22's failures, the rank drop) keep their rows.
func TestHTMLSystemicAlerts(t *testing.T) {
	requireAssets(t)
	r := htmlFixture()
	page := markup(render(t, r, HTMLOptions{}))
	var sys, other []evaluation.Alert
	for _, a := range r.Alerts {
		if a.Systemic {
			sys = append(sys, a)
		} else {
			other = append(other, a)
		}
	}
	if len(sys) == 0 || len(other) == 0 {
		t.Fatalf("fixture has %d systemic and %d other alerts; want both", len(sys), len(other))
	}
	for _, g := range r.AlertGroups {
		if !strings.Contains(page, fmt.Sprintf(">%d/%d<", g.Cities, g.Assessed)) || !strings.Contains(page, g.Message.En) {
			t.Errorf("group %s/%s not shown with its counts and message", g.Code, g.Kind)
		}
	}
	for _, a := range sys {
		if strings.Contains(page, a.Message.En) {
			t.Errorf("systemic alert of %s listed one by one", a.Unit)
		}
	}
	for _, a := range other {
		if !strings.Contains(page, a.Message.En) {
			t.Errorf("city-specific alert of %s missing", a.Unit)
		}
	}
	if want := fmt.Sprintf(`<span class="num">%d</span>`, len(sys)); !strings.Contains(page, labels["systemic_more"].En) || !strings.Contains(page, want) {
		t.Errorf("page does not say that %d systemic alerts are in results.xlsx", len(sys))
	}
}

// TestHTMLPrintModes: with a ranking table of two, htmlFixture has cities
// outside the top and bottom two that are neither case cities nor
// alerted; the brief print (the default) marks them minor and the page
// opens in that mode, the full print opens without it, and a mode other
// than brief or full is an error.
func TestHTMLPrintModes(t *testing.T) {
	requireAssets(t)
	r := htmlFixture()
	brief := markup(render(t, r, HTMLOptions{Top: 2}))
	full := markup(render(t, r, HTMLOptions{Top: 2, Print: "full"}))
	if !strings.Contains(brief, `<body class="print-brief">`) || strings.Contains(full, `class="print-brief"`) {
		t.Error("the page does not open in the printing mode asked for")
	}
	minor := strings.Count(brief, `<tr class="minor">`)
	if minor == 0 || minor != strings.Count(full, `<tr class="minor">`) {
		t.Errorf("%d minor rows (brief), %d (full); want the same positive count", minor, strings.Count(full, `<tr class="minor">`))
	}
	if !strings.Contains(brief, `id="print-toggle"`) {
		t.Error("no print toggle")
	}
	if err := HTML(&bytes.Buffer{}, r, HTMLOptions{Print: "short"}); err == nil {
		t.Error("print mode short accepted")
	}
	// With a ranking table as long as the list of cities only unranked
	// cities without a case or an alert are left out.
	alerted := map[string]bool{}
	for _, a := range r.Alerts {
		if !a.Systemic {
			alerted[a.Unit] = true
		}
	}
	want := 0
	for i, d := range r.Cities {
		if !d.Rank.Valid() && !r.Units[i].Case && !alerted[d.Unit] {
			want++
		}
	}
	p := markup(render(t, r, HTMLOptions{Top: len(r.Units)}))
	if got := strings.Count(p, `<tr class="minor">`); got != want || (want == 0) == strings.Contains(p, `id="print-toggle"`) {
		t.Errorf("top %d: %d rows left out of the print, want %d (toggle only if some)", len(r.Units), got, want)
	}
}
