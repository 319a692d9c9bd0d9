package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/evaluation"
)

// LaTeX writes tables.tex, the tables a paper cites, as booktabs tables
// in English: for each outcome a regression table with the causal methods
// side by side in the manner of fixest's etable (estimate with stars,
// standard error in parentheses, then fixed effects, standard-error type,
// observations, R² and within R²; methods that failed are named in the
// note), an event-study table (one column per method and outcome with
// relative-period estimates, one table per outcome), the ranking of the last period (top
// Spec.Report.Top, default 20) and the weights. Numbers follow the formats
// of markdown_format.go; missing numbers leave the cell empty.
//
// Text is escaped for LaTeX (\ & % $ # _ { } ~ ^ < > |). City and
// indicator names stay in UTF-8: a document with Chinese names needs
// XeLaTeX or LuaLaTeX with \usepackage{xeCJK} (or the ctex package), as
// the file's header says. The file has no preamble; \input it.
func LaTeX(w io.Writer, r *evaluation.Results) error {
	if r == nil {
		return fmt.Errorf("report: latex: nil results")
	}
	bw := bufio.NewWriter(w)
	x := &tex{w: bw, v: newResView(r), f: numFmt{miss: ""}}
	x.header()
	for _, out := range x.outcomes() {
		x.regression(out)
	}
	x.eventStudy()
	x.ranking()
	x.weights()
	return bw.Flush()
}

type tex struct {
	w *bufio.Writer
	v *resView
	f numFmt
	n int // tables written
}

func (x *tex) printf(format string, a ...any) { fmt.Fprintf(x.w, format, a...) }

// texEscape escapes LaTeX's special characters in text mode.
var texEscape = strings.NewReplacer(
	`\`, `\textbackslash{}`, `&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`, `_`, `\_`,
	`{`, `\{`, `}`, `\}`, `~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
	`<`, `\textless{}`, `>`, `\textgreater{}`, `|`, `\textbar{}`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

func esc(s string) string { return texEscape.Replace(s) }

// texNum puts a formatted number in math mode so the minus sign is a
// proper minus ("" stays "").
func texNum(s string) string {
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "<") {
		return "$<$" + s[1:]
	}
	return "$" + s + "$"
}

func (x *tex) header() {
	r := x.v.r
	x.printf("%% tables.tex: regression, ranking and weight tables written by %s %s.\n", r.Program.Name, r.Program.Version)
	x.printf("%% Results schema %s; input hash %s; generated %s.\n", r.Schema, r.InputHash, r.Generated)
	x.printf("%% Needs \\usepackage{booktabs}. Chinese city and indicator names need XeLaTeX or LuaLaTeX\n")
	x.printf("%% with \\usepackage{xeCJK} (or \\documentclass{ctexart} / \\usepackage{ctex}).\n")
	if r.Synthetic {
		x.printf("%% SYNTHETIC DATA from the demo generator: the numbers describe no real city.\n")
	}
	x.printf("\n")
}

// outcomes lists the outcomes with at least one method, in the policy's
// order, then any others in the order of r.Causal.
func (x *tex) outcomes() []string {
	seen := map[string]bool{}
	var out []string
	has := map[string]bool{}
	for _, m := range x.v.r.Causal {
		has[m.Outcome] = true
	}
	for _, o := range x.v.r.Policy.Outcomes {
		if has[o] && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	for _, m := range x.v.r.Causal {
		if !seen[m.Outcome] {
			seen[m.Outcome] = true
			out = append(out, m.Outcome)
		}
	}
	return out
}

func (x *tex) begin(caption, label, cols string) {
	x.n++
	x.printf("\\begin{table}[htbp]\n\\centering\n\\caption{%s}\n\\label{%s}\n\\begin{tabular}{%s}\n\\toprule\n", caption, label, cols)
}

func (x *tex) end(notes ...string) {
	x.printf("\\bottomrule\n\\end{tabular}\n")
	if len(notes) > 0 {
		x.printf("\\par\\smallskip\n{\\footnotesize %s\\par}\n", strings.Join(notes, " "))
	}
	x.printf("\\end{table}\n\n")
}

// row writes cells joined by & and ended by \\.
func (x *tex) row(cells ...string) { x.printf("%s \\\\\n", strings.Join(cells, " & ")) }

// labelKey makes a LaTeX label key from a code: letters, digits, - and :.
func labelKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == ':':
			b.WriteRune(r)
		default:
			b.WriteString("-" + strconv.FormatInt(int64(r), 16) + "-")
		}
	}
	return b.String()
}

// shortMethod is the column header of a method in regression tables; the
// full label goes to the table note.
var shortMethod = map[string]string{
	"twfe": "TWFE", "event_study": "Event study", "placebo": "Placebo", "sunab": "Sun--Abraham",
	"callaway_santanna": "Callaway--Sant'Anna", "cs": "Callaway--Sant'Anna", "imputation": "BJS imputation",
	"bacon": "Bacon decomp.", "sdid": "SDID", "sdid_staggered": "SDID (staggered)", "synth": "Synthetic control", "mediation": "Mediation",
}

func methodHeader(m *evaluation.MethodResult) string {
	if s, ok := shortMethod[m.Method]; ok {
		return s
	}
	return esc(pickLang(m.Label, "en", m.Method))
}

// modelNote lists the models' full labels: "(1) Two-way fixed effects; …".
func modelNote(ms []*evaluation.MethodResult) string {
	var parts []string
	for i, m := range ms {
		parts = append(parts, fmt.Sprintf("(%d) %s", i+1, esc(pickLang(m.Label, "en", m.Method))))
	}
	return "Models: " + strings.Join(parts, "; ") + "."
}

// row2 writes an estimate row and, unless every cell is empty, the
// standard-error row below it.
func (x *tex) row2(est, se []string) {
	x.row(est...)
	for _, c := range se[1:] {
		if c != "" {
			x.row(se...)
			return
		}
	}
}

func (x *tex) regression(outcome string) {
	r := x.v.r
	var models []*evaluation.MethodResult
	var failed []string
	for i := range r.Causal {
		m := &r.Causal[i]
		if m.Outcome != outcome {
			continue
		}
		if m.Error != "" {
			failed = append(failed, esc(pickLang(m.Label, "en", m.Method))+": "+esc(m.Error)+".")
			continue
		}
		if len(m.Estimates) > 0 {
			models = append(models, m)
		}
	}
	if len(models) == 0 && len(failed) == 0 {
		return
	}
	name := x.v.nodeName(outcome, "en")
	caption := "Estimated effect on " + esc(name)
	if r.Policy.Name != "" {
		caption = "Effect of " + esc(r.Policy.Name) + " on " + esc(name)
	}
	x.begin(caption, "tab:effect:"+labelKey(outcome), "l"+strings.Repeat("c", max(1, len(models))))
	// Header: model numbers and method labels.
	head := []string{""}
	lab := []string{""}
	for i, m := range models {
		head = append(head, fmt.Sprintf("(%d)", i+1))
		lab = append(lab, methodHeader(m))
	}
	if len(models) == 0 {
		head, lab = append(head, ""), append(lab, "")
	}
	x.row(head...)
	x.row(lab...)
	x.printf("\\midrule\n")
	// Terms: union in order of first appearance.
	var terms []string
	seen := map[string]bool{}
	for _, m := range models {
		for _, e := range m.Estimates {
			if !seen[e.Term] {
				seen[e.Term] = true
				terms = append(terms, e.Term)
			}
		}
	}
	for _, term := range terms {
		est := []string{esc(term)}
		se := []string{""}
		for _, m := range models {
			var e *evaluation.Estimate
			for j := range m.Estimates {
				if m.Estimates[j].Term == term {
					e = &m.Estimates[j]
					break
				}
			}
			if e == nil {
				est, se = append(est, ""), append(se, "")
				continue
			}
			v := x.f.est(e.Value)
			if s := sigStars(e.P); v != "" && s != "" {
				v += "^{" + s + "}"
			}
			est = append(est, texNum(v))
			if s := x.f.est(e.SE); s != "" {
				se = append(se, "("+texNum(s)+")")
			} else {
				se = append(se, "")
			}
		}
		x.row2(est, se)
	}
	x.printf("\\midrule\n")
	fe, vc, nobs, r2, r2w := []string{"Fixed effects"}, []string{"Standard errors"}, []string{"Observations"}, []string{"R$^2$"}, []string{"Within R$^2$"}
	var anyFE, anyVC, anyR2, anyR2w bool
	for _, m := range models {
		f := fixedEffects(m.Formula)
		anyFE = anyFE || f != ""
		fe = append(fe, esc(f))
		anyVC = anyVC || m.VCov != ""
		vc = append(vc, esc(m.VCov))
		if m.NObs > 0 {
			nobs = append(nobs, strconv.Itoa(m.NObs))
		} else {
			nobs = append(nobs, "")
		}
		r2 = append(r2, x.optScore(m.R2, &anyR2))
		r2w = append(r2w, x.optScore(m.R2Within, &anyR2w))
	}
	if anyFE {
		x.row(fe...)
	}
	if anyVC {
		x.row(vc...)
	}
	if len(models) > 0 {
		x.row(nobs...)
	}
	if anyR2 {
		x.row(r2...)
	}
	if anyR2w {
		x.row(r2w...)
	}
	// Tests reported with the models (pre-trends, placebo): one p-value row each.
	var tests []string
	label := map[string]string{}
	for _, m := range models {
		for _, t := range m.Tests {
			if _, ok := label[t.Name]; !ok {
				tests = append(tests, t.Name)
				label[t.Name] = pickLang(t.Label, "en", t.Name)
			}
		}
	}
	for _, name := range tests {
		row := []string{esc(label[name]) + ", $p$"}
		for _, m := range models {
			cell := ""
			for _, t := range m.Tests {
				if t.Name == name {
					cell = texNum(x.f.p(t.P))
				}
			}
			row = append(row, cell)
		}
		x.row(row...)
	}
	notes := []string{"Standard errors in parentheses; *** $p<0.01$, ** $p<0.05$, * $p<0.1$."}
	if len(models) > 0 {
		notes = append(notes, modelNote(models))
	}
	if len(failed) > 0 {
		notes = append(notes, "Not estimated: "+strings.Join(failed, " "))
	}
	x.end(notes...)
}

func (x *tex) optScore(v *evaluation.Num, seen *bool) string {
	if v == nil || !v.Valid() {
		return ""
	}
	*seen = true
	return texNum(x.f.score(*v))
}

// eventStudy writes one table per outcome with the methods that report
// event-time estimates side by side.
func (x *tex) eventStudy() {
	for _, out := range x.outcomes() {
		var ms []*evaluation.MethodResult
		for i := range x.v.r.Causal {
			if m := &x.v.r.Causal[i]; m.Outcome == out && m.Error == "" && len(m.Points) > 0 {
				ms = append(ms, m)
			}
		}
		if len(ms) > 0 {
			x.eventTable(out, ms)
		}
	}
}

func (x *tex) eventTable(outcome string, ms []*evaluation.MethodResult) {
	// Relative periods reported by any method, in order.
	var rels []int
	for _, m := range ms {
		for _, p := range m.Points {
			rels = append(rels, p.Rel)
		}
	}
	slices.Sort(rels)
	rels = slices.Compact(rels)
	x.begin("Event-study estimates for "+esc(x.v.nodeName(outcome, "en"))+" by period relative to adoption",
		"tab:event:"+labelKey(outcome), "l"+strings.Repeat("c", len(ms)))
	head, lab := []string{""}, []string{"Relative period"}
	for i, m := range ms {
		head = append(head, fmt.Sprintf("(%d)", i+1))
		lab = append(lab, methodHeader(m))
	}
	x.row(head...)
	x.row(lab...)
	x.printf("\\midrule\n")
	for _, rel := range rels {
		est, se := []string{texNum(strconv.Itoa(rel))}, []string{""}
		present := false
		for _, m := range ms {
			var p *evaluation.EventPoint
			for j := range m.Points {
				if m.Points[j].Rel == rel {
					p = &m.Points[j]
				}
			}
			switch {
			case p == nil:
				est, se = append(est, ""), append(se, "")
			case p.Ref:
				present = true
				est, se = append(est, "ref."), append(se, "")
			default:
				present = true
				est = append(est, texNum(x.f.est(p.Value)))
				if s := x.f.est(p.SE); s != "" {
					se = append(se, "("+texNum(s)+")")
				} else {
					se = append(se, "")
				}
			}
		}
		if present {
			x.row2(est, se)
		}
	}
	x.end("Standard errors in parentheses; ``ref.'' is the reference period (estimate 0).", modelNote(ms))
}

func (x *tex) ranking() {
	v, r := x.v, x.v.r
	if v.T == 0 {
		return
	}
	t := v.T - 1
	us := v.ranked()
	n := min(v.top(), len(us))
	if n == 0 {
		return
	}
	x.begin(fmt.Sprintf("Composite index ranking, %s (top %d of %d cities)", esc(r.Periods[t]), n, len(us)), "tab:ranking", "rllrl")
	x.row("Rank", "City", "Province", "Score", "Grade")
	x.printf("\\midrule\n")
	for _, u := range us[:n] {
		name := pickLang(r.Units[u].Name, "zh", r.Units[u].Code)
		if en := r.Units[u].Name.En; en != "" && en != name {
			name += " (" + en + ")"
		}
		x.row(texNum(x.f.rank(v.at(r.Index.Rank, u, t))), esc(name), esc(r.Units[u].Province),
			texNum(x.f.score(v.at(v.goalScores(), u, t))), esc(v.str(r.Index.Grade, u, t)))
	}
	x.end()
}

func (x *tex) weights() {
	r := x.v.r
	if len(r.Index.Weights) == 0 {
		return
	}
	caption := "Indicator weights"
	if w := r.Index.Method["weights"]; w != "" {
		caption += " (" + esc(w) + ")"
	}
	x.begin(caption, "tab:weights", "llrr")
	x.row("Node", "Code", "Local weight", "Global weight")
	x.printf("\\midrule\n")
	for _, wr := range r.Index.Weights {
		depth := 1
		if i, ok := x.v.node[wr.Code]; ok {
			depth = max(1, r.Framework.Nodes[i].Depth)
		}
		name := strings.Repeat(`\quad `, min(depth-1, maxIndent)) + esc(x.v.nodeName(wr.Code, "en"))
		x.row(name, esc(wr.Code), texNum(x.f.weight(wr.Local)), texNum(x.f.weight(wr.Global)))
	}
	x.end("Local weights sum to one within each parent; global weights are products of local weights along the tree.")
}
