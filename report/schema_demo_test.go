package report

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cityimpact/cityimpact/evaluation"
)

// writersDemoResults runs the README's demo evaluation (examples/demo/
// evaluation.yaml, generated data) once per test binary.
var writersDemoResults = sync.OnceValues(func() (*evaluation.Results, error) {
	spec, err := evaluation.ReadSpec("../examples/demo/evaluation.yaml")
	if err != nil {
		return nil, err
	}
	return evaluation.Run(context.Background(), spec, evaluation.RunOptions{Version: "test",
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
})

func writersDemo(t *testing.T) *evaluation.Results {
	t.Helper()
	if testing.Short() {
		t.Skip("demo evaluation skipped in -short mode")
	}
	r, err := writersDemoResults()
	if err != nil {
		t.Fatalf("demo evaluation: %v", err)
	}
	return r
}

// TestWritersOnDemo renders the real demo results with every writer of this
// file set: results.json validates against ResultsSchema, the XLSX opens
// with excelize with every sheet and every score and rank equal to the
// results, tables.tex passes the structure check, report.md renders in
// both languages, and every city's narrative passes CheckNarrative.
func TestWritersOnDemo(t *testing.T) {
	r := writersDemo(t)
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(compileSchema(t), b); err != nil {
		t.Errorf("demo results.json does not validate: %v", err)
	}
	var x bytes.Buffer
	if err := XLSX(&x, r); err != nil {
		t.Fatal(err)
	}
	checkXLSX(t, x.Bytes(), r)
	var tex bytes.Buffer
	if err := LaTeX(&tex, r); err != nil {
		t.Fatal(err)
	}
	if err := checkTeX(tex.String()); err != nil {
		t.Errorf("demo tables.tex: %v", err)
	}
	var md bytes.Buffer
	if err := Markdown(&md, r, "both"); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(md.Bytes(), []byte("NaN")) {
		t.Errorf("demo report.md prints NaN")
	}
	for i := range r.Cities {
		d := &r.Cities[i]
		if err := evaluation.CheckNarrative(d.Narrative, d, r); err != nil {
			t.Errorf("demo narrative: %v", err)
		}
	}
	t.Logf("demo: %d units, %d periods, %d methods; report.md %d B, results.xlsx %d B, tables.tex %d B",
		len(r.Units), len(r.Periods), len(r.Causal), md.Len(), x.Len(), tex.Len())
}

// BenchmarkWritersDemo times each writer on the demo results (297 cities,
// 16 years, 49 method × outcome results).
func BenchmarkWritersDemo(b *testing.B) {
	r, err := writersDemoResults()
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []struct {
		name string
		f    func(*bytes.Buffer) error
	}{
		{"markdown", func(buf *bytes.Buffer) error { return Markdown(buf, r, "both") }},
		{"latex", func(buf *bytes.Buffer) error { return LaTeX(buf, r) }},
		{"xlsx", func(buf *bytes.Buffer) error { return XLSX(buf, r) }},
		{"json+schema", func(buf *bytes.Buffer) error {
			j, err := r.JSON()
			if err != nil {
				return err
			}
			return validateJSON(compileSchema(b), j)
		}},
	} {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var buf bytes.Buffer
				if err := w.f(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
