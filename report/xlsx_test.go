package report

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cityimpact/cityimpact/evaluation"
)

func writeXLSX(t testing.TB, r *evaluation.Results) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := XLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openXLSX(t testing.TB, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize cannot open results.xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// raw returns a sheet's rows as stored (not formatted).
func rawRows(t testing.TB, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

// checkXLSX checks the workbook against r: the sheets, frozen headers, and
// every score and rank cell equal to r's number to Excel's 15 significant
// digits (empty where NaN).
func checkXLSX(t *testing.T, b []byte, r *evaluation.Results) {
	f := openXLSX(t, b)
	if got := f.GetSheetList(); !slices.Equal(got, XLSXSheets) {
		t.Fatalf("sheets %v; want %v", got, XLSXSheets)
	}
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d; want 0 (about)", i)
	}
	for _, s := range XLSXSheets {
		if len(s) > 31 {
			t.Errorf("sheet name %q longer than 31", s)
		}
		p, err := f.GetPanes(s)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("sheet %s: header row not frozen (%+v, %v)", s, p, err)
		}
	}
	// scores: row 2+u·T+t, column 5+k holds Scores[k][u·T+t] exactly.
	rows := rawRows(t, f, "scores")
	T := len(r.Periods)
	if len(rows) != 1+len(r.Units)*T {
		t.Fatalf("scores: %d rows; want %d", len(rows), 1+len(r.Units)*T)
	}
	for k, n := range r.Framework.Nodes {
		if rows[0][4+k] != n.Code {
			t.Errorf("scores header %d = %q; want %q", 4+k, rows[0][4+k], n.Code)
		}
		for i, want := range r.Index.Scores[k] {
			row := rows[1+i]
			got := ""
			if 4+k < len(row) {
				got = row[4+k]
			}
			checkCell(t, "scores", i+2, 5+k, got, want)
		}
	}
	// ranks: wide, row 2+u, column 4+t.
	rows = rawRows(t, f, "ranks")
	for u := range r.Units {
		for p := range r.Periods {
			got := ""
			if 3+p < len(rows[1+u]) {
				got = rows[1+u][3+p]
			}
			checkCell(t, "ranks", u+2, 4+p, got, r.Index.Rank[u*T+p])
		}
	}
	// estimates: one row per estimate, one per failed method.
	want := 0
	for _, m := range r.Causal {
		want += max(1, len(m.Estimates))
	}
	if rows := rawRows(t, f, "estimates"); len(rows) != 1+want {
		t.Errorf("estimates: %d rows; want %d", len(rows)-1, want)
	}
	if rows := rawRows(t, f, "diagnostics"); len(rows) != 1+len(r.Cities) {
		t.Errorf("diagnostics: %d rows; want %d", len(rows)-1, len(r.Cities))
	}
}

func checkCell(t *testing.T, sheet string, row, col int, got string, want evaluation.Num) {
	t.Helper()
	if !want.Valid() {
		if got != "" {
			t.Errorf("%s R%dC%d = %q; want empty (NaN)", sheet, row, col, got)
		}
		return
	}
	// excelize writes Excel's 15 significant digits: agree to 1e-14 relative.
	v, err := strconv.ParseFloat(got, 64)
	if err != nil || math.Abs(v-float64(want)) > 1e-14*math.Abs(float64(want)) {
		t.Errorf("%s R%dC%d = %q; want %v", sheet, row, col, got, float64(want))
	}
}

func TestXLSXFixture(t *testing.T) {
	r := fixture()
	b := writeXLSX(t, r)
	checkXLSX(t, b, r)
	f := openXLSX(t, b)

	// Weights: gdp's global weight 0.33 with format 0.0000; broad's NaN
	// weight empty; rd's target applies from 2014 (target_from).
	rows := rawRows(t, f, "weights")
	var gdp, broad, rd []string
	for _, row := range rows {
		switch row[0] {
		case "gdp":
			gdp = row
		case "broad":
			broad = row
		case "rd":
			rd = row
		}
	}
	if gdp == nil || gdp[11] != "0.33" || gdp[1] != "人均GDP" || gdp[9] != "" {
		t.Errorf("weights gdp row = %q", gdp)
	}
	if broad == nil || len(broad) > 10 && broad[10] != "" {
		t.Errorf("weights broad row = %q; want empty weights", broad)
	}
	if rows[0][9] != "target_from" || rd == nil || rd[8] != "2.5" || rd[9] != "2014" {
		t.Errorf("weights header %q, rd row %q; want target 2.5 from 2014", rows[0], rd)
	}
	style, err := f.GetCellStyle("weights", "L2")
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(style)
	if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0000" {
		t.Errorf("weights L2 number format = %v (%v); want 0.0000", st, err)
	}
	if v, _ := f.GetCellValue("weights", "L4"); v != "0.3300" {
		t.Errorf("weights L4 shows %q; want 0.3300", v)
	}
	// A column wide enough for its header.
	if w, err := f.GetColWidth("diagnostics", "N"); err != nil || w < 10 {
		t.Errorf("diagnostics column N width %v (%v)", w, err)
	}
	// Estimates: TWFE on goal, p = 0.0149, and the failed synth row with its error.
	rows = rawRows(t, f, "estimates")
	if rows[1][0] != "twfe" || rows[1][3] != "goal" || rows[1][13] != "0.0149" {
		t.Errorf("estimates row 2 = %q", rows[1])
	}
	last := rows[len(rows)-1]
	if last[0] != "synth" || last[17] != "no never-treated donor with complete pre-period data" {
		t.Errorf("failed method row = %q", last)
	}
	// Comparisons: one row per robust method.
	rows = rawRows(t, f, "comparisons")
	if len(rows) != 3 || rows[2][2] != "sunab" || rows[2][3] != "0.039" || rows[2][4] != "0.18" {
		t.Errorf("comparisons rows = %q", rows)
	}
	// Event study: the reference period has an empty SE.
	rows = rawRows(t, f, "event_study")
	if len(rows) != 5 || rows[2][2] != "-1" || rows[2][4] != "" || rows[2][7] != "true" {
		t.Errorf("event_study rows = %q", rows)
	}
	// Data quality: broad is dropped with its reason.
	rows = rawRows(t, f, "data_quality")
	if rows[5][0] != "broad" || rows[5][9] != "true" || rows[5][10] != r.Data.Dropped[0].Reason {
		t.Errorf("data_quality broad row = %q", rows[5])
	}
	// Diagnostics: the narrative of Hangzhou as in results.
	rows = rawRows(t, f, "diagnostics")
	if rows[3][0] != "330100" || rows[3][len(rows[3])-1] != r.Cities[2].Narrative.En {
		t.Errorf("diagnostics Hangzhou row = %q", rows[3])
	}
}

func TestXLSXDeterministic(t *testing.T) {
	r := fixture()
	a, b := writeXLSX(t, r), writeXLSX(t, r)
	if !bytes.Equal(a, b) {
		t.Fatalf("two XLSX writes of the same results differ (%d vs %d bytes)", len(a), len(b))
	}
	// The run time is the only input besides the results: it is the document's time.
	f := openXLSX(t, a)
	p, err := f.GetDocProps()
	if err != nil || p.Created != r.Generated || p.Creator != "cityimpact" {
		t.Errorf("doc props %+v (%v)", p, err)
	}
}

func TestXLSXEmpty(t *testing.T) {
	b := writeXLSX(t, &evaluation.Results{})
	f := openXLSX(t, b)
	if got := f.GetSheetList(); !slices.Equal(got, XLSXSheets) {
		t.Errorf("sheets %v", got)
	}
	if err := XLSX(new(bytes.Buffer), nil); err == nil {
		t.Errorf("nil results accepted")
	}
}

func TestCellWidth(t *testing.T) {
	if w := cellWidth("杭州a"); w != 5 {
		t.Errorf("cellWidth = %d; want 5", w)
	}
	if v := value(evaluation.Num(math.Inf(1))); v != nil {
		t.Errorf("value(+Inf) = %v; want nil", v)
	}
}

// bigFixture scales the fixture to n units (same layout) for benchmarks.
func bigFixture(n int) *evaluation.Results {
	r := fixture()
	T := len(r.Periods)
	base := r.Units
	r.Units = nil
	grow := func(x []evaluation.Num) []evaluation.Num {
		out := make([]evaluation.Num, n*T)
		for i := range out {
			out[i] = x[(i/T%len(base))*T+i%T]
		}
		return out
	}
	for i := range n {
		u := base[i%len(base)]
		u.Code = strconv.Itoa(100000 + i)
		r.Units = append(r.Units, u)
	}
	for k := range r.Index.Scores {
		r.Index.Scores[k] = grow(r.Index.Scores[k])
		r.Index.Raw[k] = grow(r.Index.Raw[k])
	}
	r.Index.Rank, r.Index.PeerRank, r.Index.Attainment = grow(r.Index.Rank), grow(r.Index.PeerRank), grow(r.Index.Attainment)
	g := make([]string, n*T)
	for i := range g {
		g[i] = r.Index.Grade[(i/T%len(base))*T+i%T]
	}
	r.Index.Grade = g
	return r
}

func BenchmarkXLSX(b *testing.B) {
	for _, n := range []int{8, 300} {
		r := bigFixture(n)
		b.Run("cities="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := XLSX(new(bytes.Buffer), r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
