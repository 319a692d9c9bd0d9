package econ

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Star is one significance threshold: coefficients with p < P get Mark.
type Star struct {
	Mark string  `json:"mark"`
	P    float64 `json:"p"`
}

// DefaultStars are fixest etable's default significance codes,
// signif.code = c("***" = 0.01, "**" = 0.05, "*" = 0.10) (fixest's etable
// documentation), which are also Stata esttab's star(* 0.10 ** 0.05
// *** 0.01). The most stringent threshold comes first.
var DefaultStars = []Star{{"***", 0.01}, {"**", 0.05}, {"*", 0.10}}

// TableOptions control a regression table.
type TableOptions struct {
	// Titles head the model columns (default "(1)", "(2)", …).
	Titles []string
	// Keep lists the coefficients to show, in order (default: all, in order
	// of first appearance across models).
	Keep []string
	// Labels rename coefficients, outcomes and fixed effects for display
	// (fixest's dict).
	Labels map[string]string
	// Digits after the decimal point for estimates and SEs (default 3)
	// and for R² (default 4, as fixest).
	Digits, DigitsStats int
	// Stars are the significance thresholds (nil: DefaultStars; an empty
	// non-nil slice: no stars).
	Stars []Star
	// TStat shows t statistics in parentheses instead of standard errors.
	TStat bool
}

// Table is a regression table: models side by side, as fixest's etable or
// Stata's esttab. Build it with [NewTable]; it renders as text, Markdown,
// LaTeX, CSV, XLSX and JSON. All renderers show the same cells.
type Table struct {
	Titles  []string   `json:"titles"`
	DepVars []string   `json:"dep_vars"`
	Coefs   []TableRow `json:"coefficients"`
	// FE lists each fixed effect with whether each model has it.
	FE       []TableFE `json:"fixed_effects"`
	VCov     []string  `json:"vcov"`
	NObs     []int     `json:"nobs"`
	R2       []float64 `json:"r2"`
	R2Within []float64 `json:"r2_within"` // NaN (JSON null) without fixed effects
	Stars    []Star    `json:"stars"`
	TStat    bool      `json:"tstat,omitempty"`
	// Estimators names each model's estimator; nil when no model does.
	Estimators []string `json:"estimators,omitempty"`
	// Notes are the models' notes, each prefixed by the model's title.
	Notes   []string `json:"notes,omitempty"`
	digits  int
	digitsS int
}

// TableRow is one coefficient across models; Cells[m] is nil where model
// m does not have it.
type TableRow struct {
	Name  string       `json:"name"`
	Label string       `json:"label"`
	Cells []*TableCell `json:"cells"`
}

// TableCell is one coefficient of one model.
type TableCell struct {
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
	T        float64 `json:"t"`
	P        float64 `json:"p"`
	Stars    string  `json:"stars"`
}

// TableFE is one fixed-effect row.
type TableFE struct {
	Name string `json:"name"`
	Has  []bool `json:"has"`
}

// NewTable lays out the models side by side. It is
// NewModelTable(ResultModel(models[0]), …); use [NewModelTable] to mix
// regressions with other estimators ([CSTableModel], [ImputationTableModel],
// [SDIDTableModel], [SynthTableModel], [MediationTableModel]).
func NewTable(models []*Result, opts TableOptions) *Table {
	cols := make([]TableModel, len(models))
	for m, r := range models {
		cols[m] = ResultModel(r)
	}
	return NewModelTable(cols, opts)
}

// NewModelTable lays out table models side by side: one column per model,
// coefficient rows matched by name (TableModel.Rename aligns names across
// estimators, e.g. a TWFE "treat" with a Callaway–Sant'Anna "ATT"), fixed
// effects, S.E. type, observations and R² (blank where NaN). An
// "Estimator" row appears when any model names its estimator, and each
// model's notes are listed under the table, prefixed by its title.
func NewModelTable(models []TableModel, opts TableOptions) *Table {
	t := &Table{Stars: opts.Stars, TStat: opts.TStat, digits: opts.Digits, digitsS: opts.DigitsStats}
	if t.Stars == nil {
		t.Stars = DefaultStars
	}
	if t.digits <= 0 {
		t.digits = 3
	}
	if t.digitsS <= 0 {
		t.digitsS = 4
	}
	label := func(s string) string {
		if l, ok := opts.Labels[s]; ok {
			return l
		}
		return s
	}
	names := opts.Keep
	if names == nil {
		seen := map[string]bool{}
		for _, r := range models {
			for _, c := range r.Coefs {
				if !seen[c.Name] {
					seen[c.Name] = true
					names = append(names, c.Name)
				}
			}
		}
	}
	var feNames []string
	hasEstimator := false
	for _, r := range models {
		hasEstimator = hasEstimator || r.Estimator != ""
	}
	for m, r := range models {
		title := fmt.Sprintf("(%d)", m+1)
		if m < len(opts.Titles) {
			title = opts.Titles[m]
		}
		t.Titles = append(t.Titles, title)
		t.DepVars = append(t.DepVars, label(r.DepVar))
		if hasEstimator {
			t.Estimators = append(t.Estimators, r.Estimator)
		}
		t.VCov = append(t.VCov, r.VCov)
		t.NObs = append(t.NObs, r.NObs)
		t.R2 = append(t.R2, r.R2)
		t.R2Within = append(t.R2Within, r.R2Within)
		for _, fe := range r.FE {
			if !contains(feNames, fe) {
				feNames = append(feNames, fe)
			}
		}
		for _, n := range r.Notes {
			t.Notes = append(t.Notes, title+": "+n)
		}
	}
	for _, name := range names {
		row := TableRow{Name: name, Label: label(name), Cells: make([]*TableCell, len(models))}
		for m, r := range models {
			if c, ok := r.coef(name); ok {
				row.Cells[m] = &TableCell{Estimate: c.Estimate, SE: c.SE, T: c.T, P: c.P, Stars: stars(c.P, t.Stars)}
			}
		}
		t.Coefs = append(t.Coefs, row)
	}
	for _, fe := range feNames {
		row := TableFE{Name: label(fe), Has: make([]bool, len(models))}
		for m, r := range models {
			row.Has[m] = contains(r.FE, fe)
		}
		t.FE = append(t.FE, row)
	}
	return t
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func stars(p float64, st []Star) string {
	for _, s := range st {
		if p < s.P {
			return s.Mark
		}
	}
	return ""
}

// Section kinds of the table grid.
const (
	secHead = iota
	secCoef
	secFE
	secStats
)

type gridRow struct {
	sec   int
	cells []string // first cell is the row label
	se    bool     // a parenthesised statistic row
}

// grid returns the table as rows of display strings; numbers are
// formatted with decimals only (no thousands separators), so every
// renderer shows the same digits.
func (t *Table) grid() []gridRow {
	k := len(t.Titles)
	rows := []gridRow{
		{secHead, append([]string{""}, t.Titles...), false},
		{secHead, append([]string{"Dependent var."}, t.DepVars...), false},
	}
	f := func(v float64, d int) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', d, 64)
	}
	for _, r := range t.Coefs {
		est := []string{r.Label}
		se := []string{""}
		for _, c := range r.Cells {
			if c == nil {
				est, se = append(est, ""), append(se, "")
				continue
			}
			est = append(est, f(c.Estimate, t.digits)+c.Stars)
			s := c.SE
			if t.TStat {
				s = c.T
			}
			if math.IsNaN(s) || math.IsInf(s, 0) {
				se = append(se, "")
			} else {
				se = append(se, "("+f(s, t.digits)+")")
			}
		}
		rows = append(rows, gridRow{secCoef, est, false}, gridRow{secCoef, se, true})
	}
	for _, fe := range t.FE {
		cells := []string{fe.Name}
		for _, h := range fe.Has {
			if h {
				cells = append(cells, "Yes")
			} else {
				cells = append(cells, "No")
			}
		}
		rows = append(rows, gridRow{secFE, cells, false})
	}
	vc := []string{"S.E. type"}
	if t.TStat {
		vc[0] = "t stat. type"
	}
	nobs, r2, r2w := []string{"Observations"}, []string{"R2"}, []string{"Within R2"}
	hasW := false
	hasR2 := false
	for m := range k {
		vc = append(vc, t.VCov[m])
		nobs = append(nobs, strconv.Itoa(t.NObs[m]))
		hasR2 = hasR2 || !math.IsNaN(t.R2[m])
		r2 = append(r2, f(t.R2[m], t.digitsS))
		r2w = append(r2w, f(t.R2Within[m], t.digitsS))
		hasW = hasW || !math.IsNaN(t.R2Within[m])
	}
	if t.Estimators != nil {
		rows = append(rows, gridRow{secStats, append([]string{"Estimator"}, t.Estimators...), false})
	}
	rows = append(rows, gridRow{secStats, vc, false}, gridRow{secStats, nobs, false})
	if hasR2 {
		rows = append(rows, gridRow{secStats, r2, false})
	}
	if hasW {
		rows = append(rows, gridRow{secStats, r2w, false})
	}
	return rows
}

// starNote describes the stars, e.g. "*** p < 0.01, ** p < 0.05, * p < 0.1".
func (t *Table) starNote() string {
	var parts []string
	for _, s := range t.Stars {
		parts = append(parts, s.Mark+" p < "+strconv.FormatFloat(s.P, 'g', -1, 64))
	}
	stat := "standard errors"
	if t.TStat {
		stat = "t statistics"
	}
	note := stat + " in parentheses"
	if len(parts) > 0 {
		note += "; " + strings.Join(parts, ", ")
	}
	return note
}

// WriteText writes the table in aligned plain text, sections separated by
// rules, as fixest's etable prints in the console.
func (t *Table) WriteText(w io.Writer) error {
	rows := t.grid()
	widths := make([]int, len(rows[0].cells))
	for _, r := range rows {
		for j, c := range r.cells {
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	total := len(widths) - 1
	for _, wd := range widths {
		total += wd + 1
	}
	var b strings.Builder
	rule := strings.Repeat("-", total) + "\n"
	prev := -1
	for _, r := range rows {
		if prev >= 0 && r.sec != prev {
			b.WriteString(rule)
		}
		prev = r.sec
		var line strings.Builder
		for j, c := range r.cells {
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
			if j == 0 {
				line.WriteString(c + pad)
			} else {
				line.WriteString("  " + pad + c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	b.WriteString(rule)
	b.WriteString(t.starNote() + "\n")
	for _, n := range t.Notes {
		b.WriteString(n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes a GitHub-flavoured Markdown table.
func (t *Table) WriteMarkdown(w io.Writer) error {
	rows := t.grid()
	var b strings.Builder
	esc := func(s string) string { return mdReplacer.Replace(s) }
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + esc(c) + " |")
		}
		b.WriteString("\n")
	}
	line(rows[0].cells)
	b.WriteString("|:---|")
	for range rows[0].cells[1:] {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, r := range rows[1:] {
		line(r.cells)
	}
	b.WriteString("\n" + esc(t.starNote()) + "\n")
	for _, n := range t.Notes {
		b.WriteString("\n" + esc(n) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteLaTeX writes a booktabs tabular (needs \usepackage{booktabs});
// stars are superscripts, as fixest's etable(tex = TRUE).
func (t *Table) WriteLaTeX(w io.Writer) error {
	rows := t.grid()
	var b strings.Builder
	k := len(rows[0].cells) - 1
	b.WriteString("\\begin{tabular}{l" + strings.Repeat("c", k) + "}\n\\toprule\n")
	prev := -1
	for _, r := range rows {
		if prev >= 0 && r.sec != prev {
			b.WriteString("\\midrule\n")
		}
		prev = r.sec
		cells := make([]string, len(r.cells))
		for j, c := range r.cells {
			if j > 0 && r.sec == secCoef && !r.se {
				num := strings.TrimRight(c, "*")
				if st := c[len(num):]; st != "" {
					cells[j] = texEscape(num) + "$^{" + st + "}$"
					continue
				}
			}
			cells[j] = texEscape(c)
		}
		b.WriteString(strings.Join(cells, " & ") + " \\\\\n")
	}
	b.WriteString("\\bottomrule\n\\multicolumn{" + strconv.Itoa(k+1) + "}{l}{\\footnotesize " + texEscape(t.starNote()) + "}")
	for _, n := range t.Notes {
		b.WriteString(" \\\\\n\\multicolumn{" + strconv.Itoa(k+1) + "}{l}{\\footnotesize " + texEscape(n) + "}")
	}
	b.WriteString("\n\\end{tabular}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

var mdReplacer = strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`)

var texReplacer = strings.NewReplacer(`\`, `\textbackslash{}`, "&", `\&`, "%", `\%`, "$", `\$`, "#", `\#`, "_", `\_`,
	"{", `\{`, "}", `\}`, "~", `\textasciitilde{}`, "^", `\textasciicircum{}`)

func texEscape(s string) string { return texReplacer.Replace(s) }

// WriteCSV writes the grid as CSV, one table row per record, then one
// record per note (its text in the first field).
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	g := t.grid()
	for _, r := range g {
		if err := cw.Write(r.cells); err != nil {
			return err
		}
	}
	for _, n := range t.Notes {
		rec := make([]string, len(g[0].cells))
		rec[0] = n
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the grid to sheet "Table" of an Excel workbook:
// observations and R² as numbers, the other cells as text.
func (t *Table) WriteXLSX(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Table"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, r := range t.grid() {
		for j, c := range r.cells {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			var v any = c
			if j > 0 && r.sec == secStats && r.cells[0] != "S.E. type" && r.cells[0] != "t stat. type" && c != "" {
				if f, err := strconv.ParseFloat(c, 64); err == nil {
					v = f
				}
			}
			if err := x.SetCellValue(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	for i, n := range append([]string{t.starNote()}, t.Notes...) {
		note, _ := excelize.CoordinatesToCellName(1, len(t.grid())+2+i)
		if err := x.SetCellValue(sheet, note, n); err != nil {
			return err
		}
	}
	_, err := x.WriteTo(w)
	return err
}

// WriteJSON writes the table's data (not its layout) as indented JSON;
// NaN and infinities become null.
func (t *Table) WriteJSON(w io.Writer) error {
	v, err := t.jsonValue()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// MarshalJSON encodes the table as [Table.WriteJSON] does, without indentation.
func (t *Table) MarshalJSON() ([]byte, error) {
	v, err := t.jsonValue()
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func (t *Table) jsonValue() (any, error) {
	num := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	type row struct {
		Name  string            `json:"name"`
		Label string            `json:"label"`
		Cells []json.RawMessage `json:"cells"`
	}
	out := struct {
		Titles   []string   `json:"titles"`
		DepVars  []string   `json:"dep_vars"`
		Coefs    []row      `json:"coefficients"`
		FE       []TableFE  `json:"fixed_effects"`
		VCov     []string   `json:"vcov"`
		NObs     []int      `json:"nobs"`
		R2       []*float64 `json:"r2"`
		R2Within []*float64 `json:"r2_within"`
		Stars    []Star     `json:"stars"`
		Estim    []string   `json:"estimators,omitempty"`
		Notes    []string   `json:"notes,omitempty"`
	}{Titles: t.Titles, DepVars: t.DepVars, FE: t.FE, VCov: t.VCov, NObs: t.NObs, Stars: t.Stars, Estim: t.Estimators, Notes: t.Notes}
	for m := range t.R2 {
		out.R2 = append(out.R2, num(t.R2[m]))
		out.R2Within = append(out.R2Within, num(t.R2Within[m]))
	}
	if out.FE == nil {
		out.FE = []TableFE{}
	}
	for _, r := range t.Coefs {
		jr := row{Name: r.Name, Label: r.Label}
		for _, c := range r.Cells {
			if c == nil {
				jr.Cells = append(jr.Cells, json.RawMessage("null"))
				continue
			}
			b, err := json.Marshal(struct {
				Estimate *float64 `json:"estimate"`
				SE       *float64 `json:"se"`
				T        *float64 `json:"t"`
				P        *float64 `json:"p"`
				Stars    string   `json:"stars"`
			}{num(c.Estimate), num(c.SE), num(c.T), num(c.P), c.Stars})
			if err != nil {
				return nil, err
			}
			jr.Cells = append(jr.Cells, b)
		}
		out.Coefs = append(out.Coefs, jr)
	}
	return out, nil
}
