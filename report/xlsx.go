package report

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/cityimpact/cityimpact/evaluation"
)

// XLSXSheets lists the sheets [XLSX] writes, in workbook order.
var XLSXSheets = []string{
	"about", "weights", "scores", "raw", "ranks", "peer_ranks", "grades", "attainment",
	"estimates", "tests", "comparisons", "event_study", "distributions", "trends",
	"diagnostics", "diagnostic_gaps", "failures", "alert_groups", "alerts", "data_quality", "uncertainty", "coupling",
}

// XLSX writes results.xlsx: one sheet per table of r (see [XLSXSheets]).
// Every sheet has a frozen, bold header row, fitted column widths and
// number formats (scores and weights 0.0000, shares 0.0%, counts 0);
// cells hold the numbers to Excel's 15 significant digits (results.json
// has them exactly), and missing numbers (NaN) are empty cells. Tables by unit × period come in two shapes: scores and raw are long
// (one row per unit and period, one column per framework node), ranks,
// peer_ranks, grades and attainment wide (one row per unit, one column per
// period).
//
// The bytes depend only on r: the document's created/modified time is
// r.Generated (none when empty) and the zip entries are written in name
// order with no timestamps, so two calls on the same r give identical
// files.
func XLSX(w io.Writer, r *evaluation.Results) error {
	if r == nil {
		return fmt.Errorf("report: xlsx: nil results")
	}
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &sortedZip{w: w} })
	x := &xlsxWriter{f: f, v: newResView(r)}
	if err := x.styles(); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	tables := x.tables()
	for i, t := range tables {
		if t.name != XLSXSheets[i] {
			panic("report: xlsx sheet order differs from XLSXSheets")
		}
		if err := x.sheet(i, t); err != nil {
			return fmt.Errorf("report: xlsx: sheet %s: %w", t.name, err)
		}
	}
	// The first sheet is the active one already; SetActiveSheet would
	// decode every streamed sheet back into memory (≈0.7 GB on the demo).
	title := pickLang(r.Title, "en", "")
	if title == "" {
		title = pickLang(r.Title, "zh", "cityimpact results")
	}
	props := &excelize.DocProperties{
		Creator: r.Program.Name, LastModifiedBy: r.Program.Name, Title: title,
		Description: fmt.Sprintf("%s %s; schema %s; input %s", r.Program.Name, r.Program.Version, r.Schema, r.InputHash),
		Created:     r.Generated, Modified: r.Generated, Language: "zh-CN",
	}
	if err := f.SetDocProps(props); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

// sortedZip is an excelize.ZipWriter that buffers every entry and writes
// them in name order on Close ("[Content_Types].xml" sorts first), so the
// archive does not depend on excelize's map iteration order. Entries carry
// no modification time.
type sortedZip struct {
	w       io.Writer
	names   []string
	entries map[string]*bytes.Buffer
}

func (z *sortedZip) Create(name string) (io.Writer, error) {
	if z.entries == nil {
		z.entries = map[string]*bytes.Buffer{}
	}
	if _, dup := z.entries[name]; dup {
		return nil, fmt.Errorf("duplicate zip entry %q", name)
	}
	b := new(bytes.Buffer)
	z.entries[name] = b
	z.names = append(z.names, name)
	return b, nil
}

func (z *sortedZip) AddFS(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		w, err := z.Create(path)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
}

func (z *sortedZip) Close() error {
	sort.Strings(z.names)
	zw := zip.NewWriter(z.w)
	// Deflate at BestSpeed: half the writing time of the default level on
	// the demo for a slightly larger file; still deterministic.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, name := range z.names {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := fw.Write(z.entries[name].Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Column kinds: each has a number format.
const (
	kText = iota
	kInt
	kNum4 // 0.0000: scores, weights, estimates' display
	kPct  // 0.0%
	kGen  // General: full precision, e.g. raw values, statistics
	kinds
)

type xcol struct {
	head string
	kind int
}

type xtable struct {
	name   string
	cols   []xcol
	rows   [][]any
	freeze int // columns frozen besides the header row
}

type xlsxWriter struct {
	f      *excelize.File
	v      *resView
	header int
	style  [kinds]int
}

func (x *xlsxWriter) styles() error {
	var err error
	x.header, err = x.f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
	})
	if err != nil {
		return err
	}
	formats := [kinds]string{kText: "@", kInt: "0", kNum4: "0.0000", kPct: "0.0%", kGen: "General"}
	for k, nf := range formats {
		nf := nf
		if x.style[k], err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &nf}); err != nil {
			return err
		}
	}
	return nil
}

// cellWidth estimates the display width of s: CJK and other wide runes
// count two.
func cellWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && utf8.RuneLen(r) >= 3 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// value converts a table value to what excelize stores: Num → float64
// (nil when missing), others as they are.
func value(v any) any {
	switch x := v.(type) {
	case evaluation.Num:
		if !x.Valid() {
			return nil
		}
		return float64(x)
	case *evaluation.Num:
		if x == nil || !x.Valid() {
			return nil
		}
		return float64(*x)
	case string:
		if x == "" {
			return nil
		}
		return x
	}
	return v
}

func (x *xlsxWriter) sheet(i int, t xtable) error {
	if i == 0 {
		if err := x.f.SetSheetName("Sheet1", t.name); err != nil {
			return err
		}
	} else if _, err := x.f.NewSheet(t.name); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(t.name)
	if err != nil {
		return err
	}
	// Widths: header and content, 8 to 60 characters.
	for c, col := range t.cols {
		w := cellWidth(col.head) + 2
		for _, row := range t.rows {
			switch v := row[c].(type) {
			case string:
				w = max(w, cellWidth(v)+2)
			case evaluation.Num, *evaluation.Num, float64:
				w = max(w, 12)
			}
		}
		if err := sw.SetColWidth(c+1, c+1, float64(min(max(w, 8), 60))); err != nil {
			return err
		}
	}
	top, _ := excelize.CoordinatesToCellName(t.freeze+1, 2)
	pane := "bottomLeft"
	if t.freeze > 0 {
		pane = "bottomRight"
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: t.freeze, YSplit: 1, TopLeftCell: top, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: pane}}}); err != nil {
		return err
	}
	head := make([]any, len(t.cols))
	for c, col := range t.cols {
		head[c] = excelize.Cell{StyleID: x.header, Value: col.head}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	cells := make([]any, len(t.cols))
	for r, row := range t.rows {
		for c, v := range row {
			if v = value(v); v == nil {
				cells[c] = nil
			} else {
				cells[c] = excelize.Cell{StyleID: x.style[t.cols[c].kind], Value: v}
			}
		}
		ref, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func joinNonEmpty(sep string, s ...string) string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, sep)
}

// tables builds every sheet in XLSXSheets order.
func (x *xlsxWriter) tables() []xtable {
	return []xtable{
		x.about(), x.weights(), x.scores("scores", x.v.r.Index.Scores, false), x.scores("raw", x.v.r.Index.Raw, true),
		x.wide("ranks", kGen, x.v.r.Index.Rank, nil), x.wide("peer_ranks", kGen, x.v.r.Index.PeerRank, nil),
		x.wide("grades", kText, nil, x.v.r.Index.Grade), x.wide("attainment", kPct, x.v.r.Index.Attainment, nil),
		x.estimates(), x.tests(), x.comparisons(), x.eventStudy(), x.distributions(), x.trends(),
		x.diagnostics(), x.gaps(), x.failures(), x.alertGroups(), x.alerts(), x.dataQuality(), x.uncertainty(), x.coupling(),
	}
}

func (x *xlsxWriter) about() xtable {
	r := x.v.r
	t := xtable{name: "about", cols: []xcol{{"key", kText}, {"value", kText}}}
	add := func(k, v string) { t.rows = append(t.rows, []any{k, v}) }
	add("title (zh)", r.Title.Zh)
	add("title (en)", r.Title.En)
	add("schema", r.Schema)
	add("program", joinNonEmpty(" ", r.Program.Name, r.Program.Version))
	add("generated", r.Generated)
	add("input_hash", r.InputHash)
	add("synthetic", strconv.FormatBool(r.Synthetic))
	add("framework", joinNonEmpty(" ", r.Framework.Code, r.Framework.Name.Zh, r.Framework.Name.En))
	add("units", strconv.Itoa(len(r.Units)))
	if len(r.Periods) > 0 {
		add("periods", r.Periods[0]+"–"+r.Periods[len(r.Periods)-1])
	}
	add("policy", r.Policy.Name)
	add("treated", strconv.Itoa(r.Policy.Treated))
	add("never_treated", strconv.Itoa(r.Policy.Never))
	for _, c := range r.Policy.Cohorts {
		add("cohort "+c.Period, strconv.Itoa(c.Units))
	}
	add("outcomes", strings.Join(r.Policy.Outcomes, ", "))
	for _, k := range sortedMapKeys(r.Index.Method) {
		add("index."+k, r.Index.Method[k])
	}
	if u := r.Index.Uncertainty; u != nil {
		add("uncertainty", fmt.Sprintf("period %s, %d draws, seed %d, varied: %s", u.Period, u.Draws, u.Seed, strings.Join(u.Varied, ", ")))
	}
	for _, n := range r.Index.Notes {
		add("index note", n)
	}
	for _, n := range r.Notes {
		add("note", n)
	}
	return t
}

func (x *xlsxWriter) weights() xtable {
	r := x.v.r
	t := xtable{name: "weights", freeze: 1, cols: []xcol{{"code", kText}, {"name_zh", kText}, {"name_en", kText}, {"parent", kText},
		{"depth", kInt}, {"indicator", kText}, {"unit", kText}, {"direction", kText}, {"target", kGen}, {"target_from", kInt},
		{"local", kNum4}, {"global", kNum4}}}
	for _, w := range r.Index.Weights {
		row := []any{w.Code, "", "", w.Parent, nil, "", "", "", nil, nil, w.Local, w.Global}
		if i, ok := x.v.node[w.Code]; ok {
			n := r.Framework.Nodes[i]
			row[1], row[2], row[4], row[5], row[6], row[7], row[8] = n.Name.Zh, n.Name.En, n.Depth, strconv.FormatBool(n.Indicator), n.Unit, n.Direction, n.Target
			if n.TargetFrom != 0 {
				row[9] = n.TargetFrom // the year the target takes effect
			}
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// unitCols are the leading columns of unit tables.
func unitCols() []xcol { return []xcol{{"unit", kText}, {"name_zh", kText}, {"name_en", kText}} }

func (x *xlsxWriter) unitRow(u int) []any {
	un := x.v.r.Units[u]
	return []any{un.Code, un.Name.Zh, un.Name.En}
}

// scores is a long table: one row per unit × period, one column per node
// (indicators only when indicatorsOnly).
func (x *xlsxWriter) scores(name string, cols [][]evaluation.Num, indicatorsOnly bool) xtable {
	r := x.v.r
	t := xtable{name: name, freeze: 4, cols: append(unitCols(), xcol{"period", kText})}
	kind := kNum4
	if indicatorsOnly {
		kind = kGen
	}
	var ks []int
	for k, n := range r.Framework.Nodes {
		if k < len(cols) && (!indicatorsOnly || n.Indicator) {
			ks = append(ks, k)
			t.cols = append(t.cols, xcol{n.Code, kind})
		}
	}
	for u := range r.Units {
		for p, period := range r.Periods {
			row := append(x.unitRow(u), period)
			for _, k := range ks {
				row = append(row, x.v.at(cols[k], u, p))
			}
			t.rows = append(t.rows, row)
		}
	}
	return t
}

// wide is a unit × period table of a goal column (nums or strs).
func (x *xlsxWriter) wide(name string, kind int, nums []evaluation.Num, strs []string) xtable {
	r := x.v.r
	t := xtable{name: name, freeze: 3, cols: unitCols()}
	for _, p := range r.Periods {
		t.cols = append(t.cols, xcol{p, kind})
	}
	for u := range r.Units {
		row := x.unitRow(u)
		for p := range r.Periods {
			if strs != nil {
				row = append(row, x.v.str(strs, u, p))
			} else {
				row = append(row, x.v.at(nums, u, p))
			}
		}
		t.rows = append(t.rows, row)
	}
	return t
}

func (x *xlsxWriter) estimates() xtable {
	t := xtable{name: "estimates", cols: []xcol{{"method", kText}, {"label_zh", kText}, {"label_en", kText}, {"outcome", kText},
		{"formula", kText}, {"vcov", kText}, {"nobs", kInt}, {"r2", kGen}, {"r2_within", kGen}, {"term", kText},
		{"estimate", kGen}, {"se", kGen}, {"t", kGen}, {"p", kGen}, {"ci_low", kGen}, {"ci_high", kGen}, {"relative", kPct},
		{"error", kText}, {"notes", kText}}}
	for _, m := range x.v.r.Causal {
		head := []any{m.Method, m.Label.Zh, m.Label.En, m.Outcome, m.Formula, m.VCov, m.NObs, m.R2, m.R2Within}
		notes := strings.Join(m.Notes, "; ")
		if len(m.Estimates) == 0 {
			t.rows = append(t.rows, append(head, "", nil, nil, nil, nil, nil, nil, nil, m.Error, notes))
		}
		for _, e := range m.Estimates {
			row := append(append([]any(nil), head...), e.Term, e.Value, e.SE, e.T, e.P, e.Low, e.High, e.Relative, m.Error, notes)
			t.rows = append(t.rows, row)
		}
	}
	return t
}

func (x *xlsxWriter) tests() xtable {
	t := xtable{name: "tests", cols: []xcol{{"method", kText}, {"outcome", kText}, {"test", kText}, {"label_zh", kText},
		{"label_en", kText}, {"stat", kGen}, {"df", kInt}, {"p", kGen}}}
	for _, m := range x.v.r.Causal {
		for _, s := range m.Tests {
			var df any
			if s.DF > 0 {
				df = s.DF
			}
			t.rows = append(t.rows, []any{m.Method, m.Outcome, s.Name, s.Label.Zh, s.Label.En, s.Stat, df, s.P})
		}
	}
	return t
}

// comparisons is long: one row per outcome and robust method.
func (x *xlsxWriter) comparisons() xtable {
	t := xtable{name: "comparisons", freeze: 1, cols: []xcol{{"outcome", kText}, {"twfe", kGen}, {"method", kText}, {"estimate", kGen},
		{"forbidden_weight", kPct}, {"forbidden_estimate", kGen}, {"clean_weight", kPct}, {"clean_estimate", kGen},
		{"text_zh", kText}, {"text_en", kText}}}
	for _, c := range x.v.r.Comparisons {
		tail := []any{c.Forbidden, c.ForbiddenEstimate, c.Clean, c.CleanEstimate, c.Text.Zh, c.Text.En}
		if len(c.Robust) == 0 {
			t.rows = append(t.rows, append([]any{c.Outcome, c.TWFE, "", nil}, tail...))
		}
		for _, m := range c.Robust {
			t.rows = append(t.rows, append([]any{c.Outcome, c.TWFE, m.Method, m.Value}, tail...))
		}
	}
	return t
}

func (x *xlsxWriter) eventStudy() xtable {
	t := xtable{name: "event_study", cols: []xcol{{"method", kText}, {"outcome", kText}, {"rel", kInt}, {"estimate", kGen},
		{"se", kGen}, {"ci_low", kGen}, {"ci_high", kGen}, {"reference", kText}}}
	for _, m := range x.v.r.Causal {
		for _, p := range m.Points {
			ref := ""
			if p.Ref {
				ref = "true"
			}
			t.rows = append(t.rows, []any{m.Method, m.Outcome, p.Rel, p.Value, p.SE, p.Low, p.High, ref})
		}
	}
	return t
}

func (x *xlsxWriter) distributions() xtable {
	t := xtable{name: "distributions", cols: []xcol{{"method", kText}, {"outcome", kText}, {"draw", kInt}, {"value", kGen}}}
	for _, m := range x.v.r.Causal {
		for i, v := range m.Distribution {
			t.rows = append(t.rows, []any{m.Method, m.Outcome, i + 1, v})
		}
	}
	return t
}

func (x *xlsxWriter) trends() xtable {
	r := x.v.r
	t := xtable{name: "trends", freeze: 2, cols: []xcol{{"outcome", kText}, {"group", kText}, {"label_zh", kText}, {"label_en", kText}, {"units", kInt}}}
	for _, p := range r.Periods {
		t.cols = append(t.cols, xcol{p, kNum4})
	}
	for _, s := range r.Trends {
		row := []any{s.Outcome, s.Group, s.Label.Zh, s.Label.En, s.Units}
		for p := range r.Periods {
			row = append(row, numAt(s.Mean, p))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// gapText renders gaps as "code +0.123; …" for the diagnostics overview
// (exact numbers are in diagnostic_gaps).
func gapText(gs []evaluation.Gap) string {
	var parts []string
	for _, g := range gs {
		s := g.Code
		if g.Gap.Valid() {
			s += " " + strconv.FormatFloat(float64(g.Gap), 'f', 3, 64)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func (x *xlsxWriter) diagnostics() xtable {
	t := xtable{name: "diagnostics", freeze: 3, cols: append(unitCols(), []xcol{{"period", kText}, {"score", kNum4}, {"rank", kGen},
		{"of", kInt}, {"peer_group", kText}, {"peer_rank", kGen}, {"peer_of", kInt}, {"peer_median_score", kNum4}, {"grade", kText},
		{"attainment", kPct}, {"trend", kNum4}, {"change", kNum4}, {"strengths", kText}, {"weaknesses", kText}, {"no_target", kText},
		{"failures", kText}, {"narrative_zh", kText}, {"narrative_en", kText}}...)}
	for _, d := range x.v.r.Cities {
		var fs []string
		for _, f := range d.Failures {
			fs = append(fs, f.Code+" ("+strings.Join(f.Periods, ",")+")")
		}
		row := []any{d.Unit, "", ""}
		if u, ok := x.v.unit[d.Unit]; ok {
			row = x.unitRow(u)
		}
		row = append(row, d.Period, d.Score, d.Rank, d.Of, d.PeerGroup, d.PeerRank, d.PeerOf, d.PeerMedianScore, d.Grade,
			d.Attainment, d.Trend, d.Change, gapText(d.Strengths), gapText(d.Weaknesses), strings.Join(d.NoTarget, ", "),
			strings.Join(fs, "; "), d.Narrative.Zh, d.Narrative.En)
		t.rows = append(t.rows, row)
	}
	return t
}

func (x *xlsxWriter) gaps() xtable {
	t := xtable{name: "diagnostic_gaps", freeze: 1, cols: []xcol{{"unit", kText}, {"kind", kText}, {"code", kText}, {"value", kNum4},
		{"raw", kGen}, {"median", kNum4}, {"gap", kNum4}}}
	for _, d := range x.v.r.Cities {
		for _, k := range []struct {
			kind string
			gs   []evaluation.Gap
		}{{"dimension", d.Dimensions}, {"strength", d.Strengths}, {"weakness", d.Weaknesses}} {
			for _, g := range k.gs {
				t.rows = append(t.rows, []any{d.Unit, k.kind, g.Code, g.Value, g.Raw, g.Median, g.Gap})
			}
		}
	}
	return t
}

func (x *xlsxWriter) failures() xtable {
	t := xtable{name: "failures", freeze: 1, cols: []xcol{{"unit", kText}, {"code", kText}, {"periods", kText}, {"consecutive", kInt},
		{"target", kGen}, {"values", kText}}}
	for _, d := range x.v.r.Cities {
		for _, f := range d.Failures {
			var vs []string
			for _, v := range f.Values {
				if v.Valid() {
					vs = append(vs, strconv.FormatFloat(float64(v), 'g', -1, 64))
				} else {
					vs = append(vs, "")
				}
			}
			t.rows = append(t.rows, []any{d.Unit, f.Code, strings.Join(f.Periods, ", "), len(f.Periods), f.Target, strings.Join(vs, ", ")})
		}
	}
	return t
}

func (x *xlsxWriter) alerts() xtable {
	t := xtable{name: "alerts", cols: []xcol{{"unit", kText}, {"name_zh", kText}, {"code", kText}, {"kind", kText}, {"level", kText},
		{"periods", kText}, {"systemic", kText}, {"message_zh", kText}, {"message_en", kText}}}
	for _, a := range x.v.r.Alerts {
		t.rows = append(t.rows, []any{a.Unit, x.v.unitName(a.Unit, "zh"), a.Code, a.Kind, a.Level, strings.Join(a.Periods, ", "),
			strconv.FormatBool(a.Systemic), a.Message.Zh, a.Message.En})
	}
	return t
}

// alertGroups is one row per indicator and kind of alert (see
// evaluation.AlertGroup).
func (x *xlsxWriter) alertGroups() xtable {
	t := xtable{name: "alert_groups", freeze: 1, cols: []xcol{{"code", kText}, {"name_zh", kText}, {"kind", kText}, {"level", kText},
		{"cities", kInt}, {"assessed", kInt}, {"share", kPct}, {"systemic", kText}, {"message_zh", kText}, {"message_en", kText}}}
	for _, g := range x.v.r.AlertGroups {
		t.rows = append(t.rows, []any{g.Code, x.v.nodeName(g.Code, "zh"), g.Kind, g.Level, g.Cities, g.Assessed, g.Share,
			strconv.FormatBool(g.Systemic), g.Message.Zh, g.Message.En})
	}
	return t
}

func (x *xlsxWriter) dataQuality() xtable {
	dq := x.v.r.Data
	t := xtable{name: "data_quality", freeze: 1, cols: []xcol{{"code", kText}, {"name_zh", kText}, {"cells", kInt}, {"missing", kInt},
		{"missing_share", kPct}, {"imputed", kInt}, {"imputation", kText}, {"winsorised", kInt}, {"outliers", kInt},
		{"dropped", kText}, {"reason", kText}}}
	dropped := map[string]string{}
	for _, d := range dq.Dropped {
		dropped[d.Code] = d.Reason
	}
	seen := map[string]bool{}
	for _, q := range dq.Indicators {
		seen[q.Code] = true
		reason, isDropped := dropped[q.Code]
		t.rows = append(t.rows, []any{q.Code, x.v.nodeName(q.Code, "zh"), q.Cells, q.Missing, q.MissingShare, q.Imputed, q.Imputation,
			q.Winsorised, q.Outliers, strconv.FormatBool(isDropped), reason})
	}
	for _, d := range dq.Dropped {
		if !seen[d.Code] {
			t.rows = append(t.rows, []any{d.Code, x.v.nodeName(d.Code, "zh"), nil, nil, nil, nil, nil, nil, nil, "true", d.Reason})
		}
	}
	return t
}

func (x *xlsxWriter) uncertainty() xtable {
	t := xtable{name: "uncertainty", freeze: 3, cols: append(unitCols(), []xcol{{"period", kText}, {"nominal", kGen}, {"median", kGen},
		{"p5", kGen}, {"p95", kGen}}...)}
	if u := x.v.r.Index.Uncertainty; u != nil {
		for i := range x.v.r.Units {
			t.rows = append(t.rows, append(x.unitRow(i), u.Period, numAt(u.Nominal, i), numAt(u.Median, i), numAt(u.Low, i), numAt(u.High, i)))
		}
	}
	return t
}

func (x *xlsxWriter) coupling() xtable {
	t := xtable{name: "coupling", freeze: 3, cols: append(unitCols(), []xcol{{"period", kText}, {"c", kNum4}, {"t", kNum4},
		{"d", kNum4}, {"band_zh", kText}, {"band_en", kText}}...)}
	if c := x.v.r.Index.Coupling; c != nil {
		at := func(s []string, i int) string {
			if i < len(s) {
				return s[i]
			}
			return ""
		}
		for i := range x.v.r.Units {
			t.rows = append(t.rows, append(x.unitRow(i), c.Period, numAt(c.C, i), numAt(c.T, i), numAt(c.D, i), at(c.Band, i), at(c.BandEn, i)))
		}
	}
	return t
}
