package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

var benchSizes = []struct {
	units, periods, inds int
	freq                 panel.Freq
}{
	{290, 40, 16, panel.Year},    // 185,600 cells: the demo scale
	{1000, 250, 40, panel.Month}, // 10,000,000 cells
}

func benchPanel(units, periods, inds int, f panel.Freq) *panel.Panel {
	start := panel.YearPeriod(1990)
	if f == panel.Month {
		start = panel.MonthPeriod(2000, 1)
	}
	return testPanel(testUnits(units), start, periods, inds, 0.03, 1)
}

// BenchmarkImport writes one version to a DuckDB file per iteration and
// reports observation rows per second.
func BenchmarkImport(b *testing.B) {
	for _, sz := range benchSizes {
		p := benchPanel(sz.units, sz.periods, sz.inds, sz.freq)
		b.Run(fmt.Sprintf("units=%d/periods=%d/indicators=%d", sz.units, sz.periods, sz.inds), func(b *testing.B) {
			s := openTest(b, filepath.Join(b.TempDir(), "bench.duckdb"))
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Import(ctx, ImportSpec{Dataset: "bench", Panels: []*panel.Panel{p}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.Rows()*len(p.Indicators()))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkLoad reads one stored version back into a panel.
func BenchmarkLoad(b *testing.B) {
	for _, sz := range benchSizes {
		p := benchPanel(sz.units, sz.periods, sz.inds, sz.freq)
		b.Run(fmt.Sprintf("units=%d/periods=%d/indicators=%d", sz.units, sz.periods, sz.inds), func(b *testing.B) {
			s := openTest(b, filepath.Join(b.TempDir(), "bench.duckdb"))
			ctx := context.Background()
			if _, err := s.Import(ctx, ImportSpec{Dataset: "bench", Panels: []*panel.Panel{p}}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Load(ctx, "bench", 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.Rows()*len(p.Indicators()))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
