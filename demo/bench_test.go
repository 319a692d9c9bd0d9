package demo

import (
	"fmt"
	"testing"
)

// BenchmarkGenerate measures generation (no writing) at the default size
// and at benchmark sizes up to 10,000 units × 240 months; cells/s counts
// annual and monthly cells.
func BenchmarkGenerate(b *testing.B) {
	for _, sz := range []struct{ units, start int }{{297, 2010}, {1000, 2006}, {10000, 2006}} {
		b.Run(fmt.Sprintf("units=%d/months=%d", sz.units, 12*(2025-sz.start+1)), func(b *testing.B) {
			o := DefaultOptions(1)
			o.NUnits, o.StartYear = sz.units, sz.start
			b.ReportAllocs()
			var cells int
			for b.Loop() {
				d, err := Generate(o)
				if err != nil {
					b.Fatal(err)
				}
				cells = d.Annual.Rows() * len(d.Annual.Indicators())
				cells += d.Monthly.Rows() * len(d.Monthly.Indicators())
			}
			b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
		})
	}
}

// BenchmarkWrite measures writing the default data set as CSV.
func BenchmarkWrite(b *testing.B) {
	d, err := Generate(DefaultOptions(1))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		if err := d.Write(dir+"/out", FormatCSV); err != nil {
			b.Fatal(err)
		}
	}
}
