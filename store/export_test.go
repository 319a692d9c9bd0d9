package store

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

// smallPanel is a 2-unit, 2-year panel whose CSV forms are written out by
// hand below (the oracle).
func smallPanel() *panel.Panel {
	p := panel.New([]panel.Unit{{Code: "110000", NameZh: "北京市"}, {Code: "310000"}}, panel.YearPeriod(2019), 2)
	p.Set("gdp", []float64{1.5, math.NaN(), 3, 4e20})
	p.Set("pop", []float64{21.5, 21.6, 24.2, 0.1})
	return p
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	mo := panel.New([]panel.Unit{{Code: "110000", NameZh: "北京市"}}, panel.MonthPeriod(2020, 12), 2)
	mo.Set("power, kwh", []float64{-0.25, math.NaN()}) // a name that needs CSV quoting
	if _, err := s.Import(ctx, ImportSpec{Dataset: "d", Panels: []*panel.Panel{mo, smallPanel()}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		wide bool
		want string
	}{
		{false, `unit,period,indicator,value
110000,2019,gdp,1.5
110000,2019,pop,21.5
110000,2020,gdp,
110000,2020,pop,21.6
310000,2019,gdp,3
310000,2019,pop,24.2
310000,2020,gdp,4e+20
310000,2020,pop,0.1
110000,2020-12,"power, kwh",-0.25
110000,2021-01,"power, kwh",
`},
		{true, `unit,period,gdp,pop,"power, kwh"
110000,2019,1.5,21.5,
110000,2020,,21.6,
310000,2019,3,24.2,
310000,2020,4e+20,0.1,
110000,2020-12,,,-0.25
110000,2021-01,,,
`},
	} {
		var buf bytes.Buffer
		if err := s.Export(ctx, &buf, "d", 0, ExportOptions{Wide: tc.wide}); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tc.want {
			t.Errorf("Export(wide=%v) =\n%s\nwant\n%s", tc.wide, buf.String(), tc.want)
		}
	}
	// The same indicator at two frequencies cannot share a wide header.
	mo2 := panel.New([]panel.Unit{{Code: "110000", NameZh: "北京市"}}, panel.MonthPeriod(2020, 1), 1)
	mo2.Set("gdp", []float64{1})
	if _, err := s.Import(ctx, ImportSpec{Dataset: "d", Panels: []*panel.Panel{mo2, smallPanel()}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Export(ctx, &buf, "d", 2, ExportOptions{Wide: true}); err == nil {
		t.Error("wide export of an indicator at two frequencies succeeded")
	}
	if err := s.Export(ctx, &buf, "d", 9, ExportOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("export of a missing version: %v; want ErrNotFound", err)
	}
}

func TestShow(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	p := smallPanel()
	exit := panel.YearPeriod(2020)
	p.Treatments = []panel.Adoption{{Policy: "pilot", Unit: "110000", Start: panel.YearPeriod(2019), Exit: &exit}}
	p.Imputation = map[string]string{"pop": "unit-mean"}
	_, err := s.Import(ctx, ImportSpec{Dataset: "d", Description: "small", Panels: []*panel.Panel{p},
		Indicators: []IndicatorInfo{{Code: "gdp", Aggregation: "sum", Unit: "亿元"}}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := s.Show(ctx, "d", 1)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Description != "small" || sum.Units != 2 || sum.Cells != 8 || sum.Missing != 1 || len(sum.Panels) != 1 {
		t.Fatalf("Show = %+v", sum)
	}
	ps := sum.Panels[0]
	if ps.Freq != panel.Year || ps.From != "2019" || ps.To != "2020" || ps.Units != 2 || ps.Periods != 2 ||
		ps.Treatments != 1 || len(ps.Policies) != 1 || ps.Policies[0] != "pilot" || len(ps.Indicators) != 2 {
		t.Fatalf("panel summary = %+v", ps)
	}
	// gdp: 1.5, NaN, 3, 4e20 → 1 of 4 missing; min 1.5, max 4e20, mean (1.5+3+4e20)/3.
	g := ps.Indicators[0]
	if g.Code != "gdp" || g.Aggregation != "sum" || g.Unit != "亿元" || g.Cells != 4 || g.Missing != 1 ||
		g.MissingShare != 0.25 || g.Min != 1.5 || g.Max != 4e20 || math.Abs(g.Mean/((1.5+3+4e20)/3)-1) > 1e-15 {
		t.Errorf("gdp summary = %+v", g)
	}
	if q := ps.Indicators[1]; q.Code != "pop" || q.Imputation != "unit-mean" || q.Missing != 0 {
		t.Errorf("pop summary = %+v", q)
	}
}

func TestHashFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		content string
		lines   int64
		sha     string // sha256sum of content (coreutils)
	}{
		{"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}, // FIPS 180-2 example
		{"a\nb\n", 2, ""},
		{"a\nb", 2, ""},
	} {
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		info, lines, err := HashFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if lines != tc.lines || info.Bytes != int64(len(tc.content)) || (tc.sha != "" && info.SHA256 != tc.sha) {
			t.Errorf("HashFile(%q) = %+v, %d lines; want %d lines, sha %s", tc.content, info, lines, tc.lines, tc.sha)
		}
	}
}
