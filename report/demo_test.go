package report

import (
	"context"
	"html"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityimpact/cityimpact/evaluation"
)

// htmlDemoResults runs the real pipeline on the README's demo spec once per
// test binary.
var htmlDemoResults = sync.OnceValues(func() (*evaluation.Results, error) {
	spec, err := evaluation.ReadSpec("../examples/demo/evaluation.yaml")
	if err != nil {
		return nil, err
	}
	return evaluation.Run(context.Background(), spec, evaluation.RunOptions{Version: "test",
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
})

func htmlDemo(t *testing.T) *evaluation.Results {
	t.Helper()
	if testing.Short() {
		t.Skip("the demo evaluation takes seconds; skipped with -short")
	}
	r, err := htmlDemoResults()
	if err != nil {
		t.Fatalf("demo evaluation: %v", err)
	}
	return r
}

// TestHTMLDemo renders the demo evaluation and checks the page against
// the Results it came from: the case cities' narratives, the ranking's
// top score, every method's error, the synthetic banner.
func TestHTMLDemo(t *testing.T) {
	requireAssets(t)
	r := htmlDemo(t)
	page := render(t, r, HTMLOptions{})
	text := html.UnescapeString(markup(page))
	if !r.Synthetic || !strings.Contains(text, labels["synthetic"].Zh) {
		t.Error("demo data are synthetic: the banner is missing")
	}
	cases := 0
	for _, d := range r.Cities {
		for _, u := range r.Units {
			if u.Code == d.Unit && u.Case {
				cases++
				if !strings.Contains(text, d.Narrative.Zh) || !strings.Contains(text, d.Narrative.En) {
					t.Errorf("case city %s: narrative not on the page", d.Unit)
				}
			}
		}
	}
	if cases == 0 {
		t.Error("the demo spec names case cities; none found in the results")
	}
	if n := strings.Count(page, `data-chart="radar"`); n != cases {
		t.Errorf("%d radar charts for %d case cities", n, cases)
	}
	for _, m := range r.Causal {
		if m.Error != "" && !strings.Contains(text, m.Error) {
			t.Errorf("%s/%s: error %q not shown", m.Method, m.Outcome, m.Error)
		}
	}
	T := len(r.Periods)
	for u := range r.Units {
		if r.Index.Rank[u*T+T-1] == 1 {
			if s := fmtNum(r.Index.Scores[0][u*T+T-1], 3); !strings.Contains(text, ">"+s+"<") {
				t.Errorf("rank-1 score %s not on the page", s)
			}
		}
	}
}

// TestBrowserDemo opens the demo report in Chromium; with
// CITYIMPACT_SCREENSHOT=1 it saves the first screens to docs/report.png.
func TestBrowserDemo(t *testing.T) {
	r := htmlDemo(t)
	shot := ""
	if os.Getenv("CITYIMPACT_SCREENSHOT") == "1" {
		shot = "../docs/report.png"
	}
	res, page := openInBrowser(t, r, shot)
	checkBrowser(t, res, page)
}
