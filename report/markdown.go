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

// maxMarkdownAlerts caps the alert table of report.md; the full list is in
// results.xlsx and results.json.
const maxMarkdownAlerts = 100

// Markdown writes report.md, the decision makers' report, in lang: "zh",
// "en", or "both" (Chinese first, then English, separated by a rule). It
// has, in order: the title and provenance (program, input hash, synthetic
// data warning), a summary of the estimated effects with their tests, the
// ranking of the last period (top Spec.Report.Top cities, default 20, with
// grade, peer rank, attainment and rank interval), the dimension scores of
// those cities, the weights, the index trends, the diagnoses of the case
// cities (all diagnosed cities up to the top N when no case city is named),
// the failures that meet the consecutive-failure rule (约谈; first 100),
// the alerts (first 100) and the data-quality section. The effect
// sentences cover the composite index; the table covers every outcome. Numbers follow the formats of markdown_format.go; nothing is
// computed here. Output is deterministic for a given r.
func Markdown(w io.Writer, r *evaluation.Results, lang string) error {
	if r == nil {
		return fmt.Errorf("report: markdown: nil results")
	}
	var langs []string
	switch lang {
	case "zh", "en":
		langs = []string{lang}
	case "both", "":
		langs = []string{"zh", "en"}
	default:
		return fmt.Errorf("report: markdown: language %q (want zh, en or both)", lang)
	}
	bw := bufio.NewWriter(w)
	v := newResView(r)
	for i, l := range langs {
		if i > 0 {
			bw.WriteString("\n---\n\n")
		}
		m := &md{w: bw, v: v, lang: l, f: numFmt{miss: mdDash}}
		m.write()
	}
	return bw.Flush()
}

// md writes one language of report.md.
type md struct {
	w    *bufio.Writer
	v    *resView
	lang string
	f    numFmt
}

// t picks the zh or en label.
func (m *md) t(zh, en string) string {
	if m.lang == "zh" {
		return zh
	}
	return en
}

func (m *md) printf(format string, a ...any) { fmt.Fprintf(m.w, format, a...) }

// cell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.NewReplacer(
		"\\", "\\\\", "|", "\\|", "*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;",
		"\r\n", " ", "\n", " ", "\r", " ",
	).Replace(s)
	return s
}

// text escapes running text (no table context).
func mdText(s string) string {
	return strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;").Replace(s)
}

// table writes a Markdown table; align is one of "l", "r" per column.
func (m *md) table(head []string, align string, rows [][]string) {
	m.w.WriteString("|")
	for _, h := range head {
		m.w.WriteString(" " + mdCell(h) + " |")
	}
	m.w.WriteString("\n|")
	for i := range head {
		if i < len(align) && align[i] == 'r' {
			m.w.WriteString("---:|")
		} else {
			m.w.WriteString("---|")
		}
	}
	m.w.WriteString("\n")
	for _, row := range rows {
		m.w.WriteString("|")
		for _, c := range row {
			m.w.WriteString(" " + c + " |")
		}
		m.w.WriteString("\n")
	}
	m.w.WriteString("\n")
}

func (m *md) write() {
	r := m.v.r
	title := pickLang(r.Title, m.lang, "")
	if title == "" {
		title = m.t("政策评估报告", "Policy evaluation report")
	}
	m.printf("# %s\n\n", mdText(title))
	if r.Synthetic {
		m.printf("> **%s**\n\n", m.t("注意：本报告使用演示生成器产生的合成数据，数字不代表任何真实城市。",
			"Note: this report uses synthetic data from the demo generator; its numbers describe no real city."))
	}
	m.provenance()
	m.effects()
	m.ranking()
	m.dimensionTable()
	m.weights()
	m.trends()
	m.diagnoses()
	m.failures()
	m.alerts()
	m.dataQuality()
	m.notes()
}

func (m *md) provenance() {
	r := m.v.r
	var items []string
	items = append(items, fmt.Sprintf("%s: %s %s", m.t("程序", "Program"), mdText(r.Program.Name), mdText(r.Program.Version)))
	if r.Generated != "" {
		items = append(items, fmt.Sprintf("%s: %s", m.t("生成时间", "Generated"), mdText(r.Generated)))
	}
	if r.InputHash != "" {
		items = append(items, fmt.Sprintf("%s: `%s`", m.t("输入哈希 (SHA-256)", "Input hash (SHA-256)"), r.InputHash))
	}
	if r.Framework.Code != "" {
		items = append(items, fmt.Sprintf("%s: %s (%s)", m.t("指标体系", "Framework"), mdText(pickLang(r.Framework.Name, m.lang, r.Framework.Code)), mdText(r.Framework.Code)))
	}
	if len(r.Periods) > 0 {
		items = append(items, fmt.Sprintf("%s: %s–%s, %d %s", m.t("期间", "Periods"), r.Periods[0], r.Periods[len(r.Periods)-1],
			len(r.Units), m.t("个城市", "cities")))
	}
	if r.Policy.Name != "" {
		items = append(items, fmt.Sprintf("%s: %s; %s %d, %s %d", m.t("政策", "Policy"), mdText(r.Policy.Name),
			m.t("试点城市", "treated"), r.Policy.Treated, m.t("从未试点", "never treated"), r.Policy.Never))
		if len(r.Policy.Cohorts) > 0 {
			var cs []string
			for _, c := range r.Policy.Cohorts {
				cs = append(cs, fmt.Sprintf("%s: %d", c.Period, c.Units))
			}
			items = append(items, fmt.Sprintf("%s: %s", m.t("批次", "Cohorts"), strings.Join(cs, ", ")))
		}
	}
	for _, it := range items {
		m.printf("- %s\n", it)
	}
	m.printf("\n")
}

func (m *md) methodLabel(mr *evaluation.MethodResult) string {
	return pickLang(mr.Label, m.lang, mr.Method)
}

func (m *md) effects() {
	r := m.v.r
	m.printf("## %s\n\n", m.t("政策效应摘要", "Summary of effects"))
	if len(r.Causal) == 0 {
		m.printf("%s\n\n", m.t("未估计因果效应。", "No causal effects were estimated."))
		return
	}
	// One sentence per method on the composite index (the first outcome
	// when the index is not evaluated), from the method's first estimate;
	// every outcome is in the table below.
	headline := "goal"
	if !slices.ContainsFunc(r.Causal, func(m evaluation.MethodResult) bool { return m.Outcome == "goal" }) {
		headline = r.Causal[0].Outcome
	}
	for i := range r.Causal {
		mr := &r.Causal[i]
		if mr.Outcome != headline {
			continue
		}
		out := mdText(m.v.nodeName(mr.Outcome, m.lang))
		if mr.Error != "" {
			m.printf("- %s, %s: %s %s\n", out, mdText(m.methodLabel(mr)), m.t("未能估计：", "not estimated:"), mdText(mr.Error))
			continue
		}
		if len(mr.Estimates) == 0 {
			continue
		}
		m.printf("%s\n", m.sentence(out, mr))
	}
	m.printf("\n")
	m.comparisons()
	var rows [][]string
	for i := range r.Causal {
		mr := &r.Causal[i]
		for _, e := range mr.Estimates {
			rows = append(rows, []string{mdCell(m.v.nodeName(mr.Outcome, m.lang)), mdCell(m.methodLabel(mr)), mdCell(e.Term),
				m.f.est(e.Value) + sigStars(e.P), m.f.est(e.SE), "[" + m.f.est(e.Low) + ", " + m.f.est(e.High) + "]",
				m.f.p(e.P), m.f.pct(e.Relative), strconv.Itoa(mr.NObs)})
		}
	}
	if len(rows) > 0 {
		m.table([]string{m.t("结果变量", "Outcome"), m.t("方法", "Method"), m.t("项", "Term"), m.t("估计值", "Estimate"),
			m.t("标准误", "SE"), "95% CI", "p", m.t("相对基期", "Relative"), "N"}, "lllrrrrrr", rows)
		m.printf("%s\n\n", m.t("\\*\\*\\* p<0.01，\\*\\* p<0.05，\\* p<0.1。", "\\*\\*\\* p<0.01, \\*\\* p<0.05, \\* p<0.1."))
	}
	rows = nil
	for i := range r.Causal {
		mr := &r.Causal[i]
		for _, tst := range mr.Tests {
			df := ""
			if tst.DF > 0 {
				df = strconv.Itoa(tst.DF)
			}
			rows = append(rows, []string{mdCell(m.v.nodeName(mr.Outcome, m.lang)), mdCell(m.methodLabel(mr)),
				mdCell(pickLang(tst.Label, m.lang, tst.Name)), m.f.est(tst.Stat), df, m.f.p(tst.P)})
		}
	}
	if len(rows) > 0 {
		m.printf("### %s\n\n", m.t("检验", "Tests"))
		m.table([]string{m.t("结果变量", "Outcome"), m.t("方法", "Method"), m.t("检验", "Test"), m.t("统计量", "Statistic"), "df", "p"}, "lllrrr", rows)
	}
}

// comparisons sets TWFE beside the heterogeneity-robust estimators per
// outcome, with the pipeline's sentence on why they differ.
func (m *md) comparisons() {
	r := m.v.r
	if len(r.Comparisons) == 0 {
		return
	}
	m.printf("### %s\n\n", m.t("双向固定效应与稳健估计量的比较", "TWFE and the heterogeneity-robust estimators"))
	var rows [][]string
	for _, c := range r.Comparisons {
		var rob []string
		for _, v := range c.Robust {
			rob = append(rob, mdCell(m.methodName(v.Method))+" "+m.f.est(v.Value))
		}
		rows = append(rows, []string{mdCell(m.v.nodeName(c.Outcome, m.lang)), m.f.est(c.TWFE), strings.Join(rob, "; "),
			m.f.pct(c.Forbidden), m.f.pct(c.Clean)})
	}
	m.table([]string{m.t("结果变量", "Outcome"), "TWFE", m.t("稳健估计", "Robust estimates"),
		m.t("“后处理对先处理”权重", "Later-vs-earlier weight"), m.t("“处理对从未处理”权重", "Treated-vs-never weight")}, "lrlrr", rows)
	for _, c := range r.Comparisons {
		if t := pickLang(c.Text, m.lang, ""); t != "" {
			m.printf("- %s: %s\n", mdText(m.v.nodeName(c.Outcome, m.lang)), mdText(t))
		}
	}
	m.printf("\n")
}

// methodName is the label of method code in r.Causal, or the code.
func (m *md) methodName(code string) string {
	for i := range m.v.r.Causal {
		if m.v.r.Causal[i].Method == code {
			return m.methodLabel(&m.v.r.Causal[i])
		}
	}
	return code
}

// sentence states a method's first estimate with the inference it has.
func (m *md) sentence(out string, mr *evaluation.MethodResult) string {
	e := mr.Estimates[0]
	var inf []string
	if e.SE.Valid() {
		inf = append(inf, m.t("标准误 ", "SE ")+m.f.est(e.SE))
	}
	if e.Low.Valid() && e.High.Valid() {
		inf = append(inf, "95% CI "+m.f.est(e.Low)+", "+m.f.est(e.High))
	}
	if e.P.Valid() {
		p := m.f.p(e.P)
		if rest, ok := strings.CutPrefix(p, "<"); ok {
			p = "< " + rest
		} else {
			p = "= " + p
		}
		inf = append(inf, "p "+p)
	}
	s := fmt.Sprintf("- %s, %s: %s %s", out, mdText(m.methodLabel(mr)), m.t("估计效应", "estimated effect"), m.f.est(e.Value))
	if len(inf) > 0 {
		s += " (" + strings.Join(inf, "; ") + ")"
	}
	if e.Relative.Valid() {
		s += fmt.Sprintf(m.t("，相当于政策前对照组均值的%s", "; %s of the comparison mean before treatment"), m.f.pct(e.Relative))
	}
	return s
}

func (m *md) ranking() {
	v, r := m.v, m.v.r
	if v.T == 0 {
		return
	}
	t := v.T - 1
	us := v.ranked()
	n := min(v.top(), len(us))
	m.printf("## %s\n\n", fmt.Sprintf(m.t("排名（%s，前%d名，共%d个城市）", "Ranking (%s, top %d of %d cities)"), r.Periods[t], n, len(us)))
	unc := r.Index.Uncertainty
	head := []string{m.t("排名", "Rank"), m.t("城市", "City"), m.t("省份", "Province"), m.t("得分", "Score"),
		m.t("等级", "Grade"), m.t("同组排名", "Peer rank"), m.t("达标率", "Attainment")}
	align := "rllrlrr"
	if unc != nil {
		head = append(head, m.t("排名区间（5%–95%）", "Rank interval (5%–95%)"))
		align += "r"
	}
	var rows [][]string
	for _, u := range us[:n] {
		row := []string{m.f.rank(v.at(r.Index.Rank, u, t)), mdCell(pickLang(r.Units[u].Name, m.lang, r.Units[u].Code)), mdCell(r.Units[u].Province),
			m.f.score(v.at(v.goalScores(), u, t)), mdCell(v.str(r.Index.Grade, u, t)), m.f.rank(v.at(r.Index.PeerRank, u, t)),
			m.f.pct(v.at(r.Index.Attainment, u, t))}
		if unc != nil {
			row = append(row, m.f.rank(numAt(unc.Low, u))+"–"+m.f.rank(numAt(unc.High, u)))
		}
		rows = append(rows, row)
	}
	m.table(head, align, rows)
}

// idx returns x[i] or NaN.
func numAt(x []evaluation.Num, i int) evaluation.Num {
	if i < 0 || i >= len(x) {
		return evaluation.NaN()
	}
	return x[i]
}

// goalScores returns the goal's score column (node 0), or nil.
func (v *resView) goalScores() []evaluation.Num {
	if len(v.r.Index.Scores) == 0 {
		return nil
	}
	return v.r.Index.Scores[0]
}

func (m *md) dimensionTable() {
	v, r := m.v, m.v.r
	ds := v.dimensions()
	if v.T == 0 || len(ds) == 0 {
		return
	}
	t := v.T - 1
	us := v.ranked()
	us = us[:min(v.top(), len(us))]
	m.printf("## %s\n\n", m.t("分维度得分", "Dimension scores"))
	head := []string{m.t("城市", "City")}
	align := "l"
	for _, d := range ds {
		head = append(head, pickLang(r.Framework.Nodes[d].Name, m.lang, r.Framework.Nodes[d].Code))
		align += "r"
	}
	cp := r.Index.Coupling
	if cp != nil {
		head = append(head, m.t("耦合协调度 D", "Coupling coordination D"), m.t("协调等级", "Band"))
		align += "rl"
	}
	var rows [][]string
	for _, u := range us {
		row := []string{mdCell(pickLang(r.Units[u].Name, m.lang, r.Units[u].Code))}
		for _, d := range ds {
			var col []evaluation.Num
			if d < len(r.Index.Scores) {
				col = r.Index.Scores[d]
			}
			row = append(row, m.f.score(v.at(col, u, t)))
		}
		if cp != nil {
			band := ""
			if m.lang == "zh" && u < len(cp.Band) {
				band = cp.Band[u]
			} else if u < len(cp.BandEn) {
				band = cp.BandEn[u]
			}
			row = append(row, m.f.score(numAt(cp.D, u)), mdCell(band))
		}
		rows = append(rows, row)
	}
	m.table(head, align, rows)
}

func (m *md) weights() {
	r := m.v.r
	if len(r.Index.Weights) == 0 {
		return
	}
	m.printf("## %s\n\n", m.t("指标权重", "Weights"))
	if len(r.Index.Method) > 0 {
		var ps []string
		for _, k := range sortedMapKeys(r.Index.Method) {
			ps = append(ps, k+" = "+r.Index.Method[k])
		}
		m.printf("%s: %s\n\n", m.t("方法", "Method"), mdText(strings.Join(ps, "; ")))
	}
	var rows [][]string
	for _, wr := range r.Index.Weights {
		depth := 0
		unit := ""
		if i, ok := m.v.node[wr.Code]; ok {
			depth = r.Framework.Nodes[i].Depth
			unit = r.Framework.Nodes[i].Unit
		}
		indent := strings.Repeat("&nbsp;&nbsp;", min(max(0, depth-1), maxIndent))
		rows = append(rows, []string{indent + mdCell(m.v.nodeName(wr.Code, m.lang)), mdCell(wr.Code), mdCell(unit),
			m.f.weight(wr.Local), m.f.weight(wr.Global)})
	}
	m.table([]string{m.t("指标", "Node"), m.t("代码", "Code"), m.t("单位", "Unit"), m.t("组内权重", "Local weight"), m.t("总权重", "Global weight")}, "lllrr", rows)
}

func (m *md) trends() {
	r := m.v.r
	var ts []*evaluation.TrendSeries
	for i := range r.Trends {
		if r.Trends[i].Outcome == "goal" {
			ts = append(ts, &r.Trends[i])
		}
	}
	if len(ts) == 0 {
		return
	}
	m.printf("## %s\n\n", m.t("综合指数均值走势", "Composite index over time"))
	head := []string{m.t("期间", "Period")}
	align := "l"
	for _, s := range ts {
		head = append(head, fmt.Sprintf("%s (n=%d)", pickLang(s.Label, m.lang, s.Group), s.Units))
		align += "r"
	}
	var rows [][]string
	for t, p := range r.Periods {
		row := []string{mdCell(p)}
		for _, s := range ts {
			row = append(row, m.f.score(numAt(s.Mean, t)))
		}
		rows = append(rows, row)
	}
	m.table(head, align, rows)
}

// diagnosed returns the diagnoses shown in full: case cities, or when none
// is named the diagnosed cities in rank order up to the top N.
func (m *md) diagnosed() []*evaluation.CityDiagnosis {
	v := m.v
	var out []*evaluation.CityDiagnosis
	for _, u := range v.cases {
		if d := v.diagnosis(v.r.Units[u].Code); d != nil {
			out = append(out, d)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, u := range v.ranked() {
		if len(out) == v.top() {
			break
		}
		if d := v.diagnosis(v.r.Units[u].Code); d != nil {
			out = append(out, d)
		}
	}
	return out
}

func (m *md) diagnoses() {
	ds := m.diagnosed()
	if len(ds) == 0 {
		return
	}
	m.printf("## %s\n\n", m.t("城市诊断", "City diagnoses"))
	for _, d := range ds {
		m.printf("### %s (%s)\n\n", mdText(m.v.unitName(d.Unit, m.lang)), mdText(d.Unit))
		nar := pickLang(d.Narrative, m.lang, "")
		if nar == "" {
			nar = pickLang(evaluation.Narrate(d, m.v.r), m.lang, "")
		}
		m.printf("%s\n\n", mdText(nar))
		var rows [][]string
		add := func(kind string, gs []evaluation.Gap) {
			for _, g := range gs {
				rows = append(rows, []string{kind, mdCell(m.v.nodeName(g.Code, m.lang)), m.f.score(g.Value), m.f.score(g.Median),
					m.f.score(g.Gap), m.f.est(g.Raw)})
			}
		}
		add(m.t("维度", "Dimension"), d.Dimensions)
		add(m.t("优势", "Strength"), d.Strengths)
		add(m.t("短板", "Weakness"), d.Weaknesses)
		if len(rows) > 0 {
			m.table([]string{"", m.t("指标", "Node"), m.t("得分", "Score"), m.t("同组中位数", "Peer median"), m.t("差距", "Gap"),
				m.t("原始值", "Raw value")}, "llrrrr", rows)
		}
	}
}

// failures lists the failures that meet the consecutive-failure rule
// (约谈), first maxMarkdownAlerts of them; all are in results.xlsx.
func (m *md) failures() {
	r := m.v.r
	consec := 2
	if r.Spec != nil && r.Spec.Peers.Consecutive > 0 {
		consec = r.Spec.Peers.Consecutive
	}
	var rows [][]string
	total, hidden := 0, 0
	systemic := systemicFailures(r)
	for _, d := range r.Cities {
		for _, f := range d.Failures {
			if len(f.Periods) < consec {
				continue
			}
			if systemic[f.Code] {
				hidden++
				continue
			}
			total++
			if len(rows) == maxMarkdownAlerts {
				continue
			}
			last := evaluation.NaN()
			for _, x := range f.Values {
				if x.Valid() {
					last = x
				}
			}
			periods := strings.Join(f.Periods, ", ")
			if len(f.Periods) > 3 {
				periods = f.Periods[0] + "–" + f.Periods[len(f.Periods)-1]
			}
			rows = append(rows, []string{mdCell(m.v.unitName(d.Unit, m.lang)), mdCell(m.v.nodeName(f.Code, m.lang)),
				strconv.Itoa(len(f.Periods)), mdCell(periods), m.f.est(f.Target), m.f.est(last)})
		}
	}
	if len(rows) == 0 && hidden == 0 {
		return
	}
	m.printf("## %s\n\n", fmt.Sprintf(m.t("连续%d期及以上未达标（约谈）", "Below target for %d or more consecutive periods (formal interview, 约谈)"), consec))
	if hidden > 0 {
		m.printf(m.t("%d项连续未达标属普遍性问题（见“预警”一节的按指标汇总），未逐条列出；完整列表见 results.xlsx（failures 工作表）。\n\n",
			"%d consecutive failures are on systemic indicators (see the alerts by indicator) and are not listed one by one; all are in results.xlsx (sheet failures).\n\n"), hidden)
	}
	if len(rows) == 0 {
		return
	}
	m.table([]string{m.t("城市", "City"), m.t("指标", "Indicator"), m.t("期数", "Periods"), m.t("期间", "When"),
		m.t("目标", "Target"), m.t("最近值", "Latest")}, "llrlrr", rows)
	if total > len(rows) {
		m.printf(m.t("仅列出前%d条，共%d条；完整列表见 results.xlsx。\n\n", "First %d of %d; the full list is in results.xlsx.\n\n"), len(rows), total)
	}
}

func (m *md) alerts() {
	r := m.v.r
	if len(r.Alerts) == 0 {
		return
	}
	m.printf("## %s\n\n", m.t("预警", "Alerts"))
	if len(r.AlertGroups) > 0 {
		var rows [][]string
		for _, g := range r.AlertGroups {
			sys := ""
			if g.Systemic {
				sys = m.t("是", "yes")
			}
			rows = append(rows, []string{mdCell(m.v.nodeName(g.Code, m.lang)), mdCell(g.Kind), mdCell(g.Level),
				fmt.Sprintf("%d/%d", g.Cities, g.Assessed), m.f.pct(g.Share), sys})
		}
		m.printf("### %s\n\n", m.t("按指标汇总", "By indicator"))
		m.table([]string{m.t("指标", "Indicator"), m.t("类型", "Kind"), m.t("级别", "Level"), m.t("城市数/评估城市数", "Cities / assessed"),
			m.t("占比", "Share"), m.t("普遍性问题", "Systemic")}, "lllrrl", rows)
		for _, g := range r.AlertGroups {
			if g.Systemic {
				m.printf("- %s\n", mdCell(pickLang(g.Message, m.lang, "")))
			}
		}
		m.printf("\n### %s\n\n", m.t("城市个别预警", "City-specific alerts"))
	}
	var rows [][]string
	total, systemic := 0, 0
	for _, a := range r.Alerts {
		if a.Systemic {
			systemic++
			continue
		}
		total++
		if len(rows) == maxMarkdownAlerts {
			continue
		}
		rows = append(rows, []string{mdCell(a.Level), mdCell(m.v.unitName(a.Unit, m.lang)), mdCell(m.v.nodeName(a.Code, m.lang)),
			mdCell(a.Kind), mdCell(strings.Join(a.Periods, ", ")), mdCell(pickLang(a.Message, m.lang, ""))})
	}
	if len(rows) > 0 {
		m.table([]string{m.t("级别", "Level"), m.t("城市", "City"), m.t("指标", "Indicator"), m.t("类型", "Kind"),
			m.t("期间", "Periods"), m.t("说明", "Message")}, "llllll", rows)
	}
	if total > len(rows) {
		m.printf(m.t("仅列出前%d条，共%d条；完整列表见 results.xlsx。\n\n", "First %d of %d alerts; the full list is in results.xlsx.\n\n"),
			len(rows), total)
	}
	if systemic > 0 {
		m.printf(m.t("另有%d条预警属上述普遍性问题，未逐条列出；完整列表见 results.xlsx（alerts 工作表）。\n\n",
			"%d more alerts belong to the systemic shortfalls above and are not listed one by one; all are in results.xlsx (sheet alerts).\n\n"), systemic)
	}
}

func (m *md) dataQuality() {
	r := m.v.r
	dq := r.Data
	m.printf("## %s\n\n", m.t("数据质量", "Data quality"))
	var rows [][]string
	for _, q := range dq.Indicators {
		imp := strconv.Itoa(q.Imputed)
		if q.Imputation != "" {
			imp += " (" + mdCell(q.Imputation) + ")"
		}
		rows = append(rows, []string{mdCell(m.v.nodeName(q.Code, m.lang)), mdCell(q.Code), strconv.Itoa(q.Cells), strconv.Itoa(q.Missing),
			m.f.pct(q.MissingShare), imp, strconv.Itoa(q.Winsorised), strconv.Itoa(q.Outliers)})
	}
	if len(rows) > 0 {
		m.table([]string{m.t("指标", "Indicator"), m.t("代码", "Code"), m.t("单元格", "Cells"), m.t("缺失", "Missing"),
			m.t("缺失率", "Missing share"), m.t("插补", "Imputed"), m.t("缩尾", "Winsorised"), m.t("异常值", "Outliers")}, "llrrrrrr", rows)
	}
	if len(dq.Dropped) > 0 {
		m.printf("%s\n\n", m.t("未纳入指数的指标：", "Indicators left out of the index:"))
		for _, d := range dq.Dropped {
			m.printf("- %s (%s): %s\n", mdText(m.v.nodeName(d.Code, m.lang)), mdText(d.Code), mdText(d.Reason))
		}
		m.printf("\n")
	}
	if dq.Check != nil && len(dq.Check.Problems) > 0 {
		m.printf("%s\n\n", m.t("数据检查发现的问题：", "Problems found by the data check:"))
		for _, p := range dq.Check.Problems {
			m.printf("- %s\n", mdText(p))
		}
		m.printf("\n")
	}
}

func (m *md) notes() {
	r := m.v.r
	notes := append(append([]string(nil), r.Index.Notes...), r.Notes...)
	if u := r.Index.Uncertainty; u != nil {
		notes = append(notes, fmt.Sprintf(m.t("排名区间：%d次蒙特卡洛抽样（种子%d），变动：%s。", "Rank intervals: %d Monte Carlo draws (seed %d), varying %s."),
			u.Draws, u.Seed, strings.Join(u.Varied, ", ")))
	}
	if len(notes) == 0 {
		return
	}
	m.printf("## %s\n\n", m.t("说明", "Notes"))
	for _, n := range notes {
		m.printf("- %s\n", mdText(n))
	}
	m.printf("\n")
}
