package ingest

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeXLSX builds a workbook in memory: sheet name → rows of cells.
func writeXLSX(t testing.TB, sheets []string, rows map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	book := writeXLSX(t, []string{"说明", "data"}, map[string][][]any{
		"说明": {{"This sheet is notes"}},
		"data": {
			{"城市", "年份", "gdp", "pop"},
			{"杭州", 2015, 1.5, 10},
			{"宁波市", 2015, 2.5}, // trailing empty cell left out
			{"杭州", 2016, "NA", 12.25},
		},
	})
	for _, sheet := range []string{"data", "2"} {
		ps, err := ReadXLSX(bytes.NewReader(book), Options{Name: "b.xlsx", Sheet: sheet, Units: resolver})
		if err != nil {
			t.Fatalf("sheet %q: %v", sheet, err)
		}
		checkCol(t, ps[0], "gdp", []float64{1.5, math.NaN(), 2.5, math.NaN()})
		checkCol(t, ps[0], "pop", []float64{10, 12.25, math.NaN(), math.NaN()})
	}
	_, err := ReadXLSX(bytes.NewReader(book), Options{Name: "b.xlsx", Sheet: "nope"})
	wantDataError(t, err, ErrHeader, 0, "")
	// The first sheet (notes) has no table.
	_, err = ReadXLSX(bytes.NewReader(book), Options{Name: "b.xlsx"})
	wantDataError(t, err, ErrHeader, 1, "")
}

func TestXLSXErrorNamesCell(t *testing.T) {
	book := writeXLSX(t, []string{"S"}, map[string][][]any{"S": {
		{},
		{"unit", "period", "indicator", "value"}, // header on row 2
		{"A", "2015", "gdp", 1},
		{"A", "2016", "gdp", "12,3"},
		{"A", "20x6", "gdp", 1},
		{"A", 42005, "gdp", 1}, // 2015-01-01 as Excel stores a date
	}})
	_, err := ReadXLSX(bytes.NewReader(book), Options{Name: "b.xlsx"})
	d := wantDataError(t, err, ErrNotNumber, 4, "value")
	if d.Cell != "S!D4" {
		t.Errorf("cell %q; want S!D4", d.Cell)
	}
	d = wantDataError(t, err, ErrBadPeriod, 5, "period")
	if d.Cell != "S!B5" {
		t.Errorf("cell %q; want S!B5", d.Cell)
	}
	d = wantDataError(t, err, ErrBadPeriod, 6, "period")
	if !strings.Contains(d.Error(), "date cell") {
		t.Errorf("message %q gives no hint about date cells", d)
	}
	_, err = ReadXLSX(bytes.NewReader([]byte("not a zip")), Options{Name: "b.xlsx"})
	wantDataError(t, err, ErrSyntax, 0, "")
}
