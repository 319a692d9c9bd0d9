package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/cityimpact/cityimpact/division"
	"github.com/cityimpact/cityimpact/evaluation"
)

// HTMLOptions adjusts the HTML report. The zero value follows the spec's
// report options (r.Spec.Report) and the bundled map.
type HTMLOptions struct {
	// Language is zh, en or both (a toggle switches every label, chart
	// labels too); "" takes r.Spec.Report.Language, default both.
	Language string
	// Top is the length of the ranking table; 0 takes r.Spec.Report.Top,
	// default 20.
	Top int
	// MapFile replaces the bundled map: a GeoJSON FeatureCollection whose
	// features carry a six-digit GB/T 2260 code in property "adcode" or
	// "code" (the caller resolves r.Spec.Report.Map against the spec's
	// directory). Problems come back as [MapErrors].
	MapFile string
	// Print is the printing mode the page opens in: "brief" prints the
	// city-diagnosis table for case cities, the top and bottom Top of the
	// ranking and cities with city-specific alerts; "full" prints every
	// city. "" takes r.Spec.Report.Print, default brief. A button on the
	// page switches the mode; the screen always shows every city.
	Print string
}

// HTML writes the evaluation report r to w as one self-contained HTML
// page: the ranking, a map, radar charts of the case cities, index trends,
// event-study plots, all estimated effects and tests, weights, rank
// uncertainty, coupling coordination, alerts, city diagnoses and data
// quality. ECharts and the map are inlined; the page requests nothing from
// any host. Numbers are formatted from r only.
//
// Nothing is written to w unless the whole page rendered. It returns
// [ErrAssetsMissing] when the binary was built without `make assets`.
func HTML(w io.Writer, r *evaluation.Results, opt HTMLOptions) error {
	if r == nil {
		return errors.New("report: nil results")
	}
	a := loadAssets()
	if a.err != nil {
		return a.err
	}
	lang, top, print := opt.Language, opt.Top, opt.Print
	if r.Spec != nil {
		if lang == "" {
			lang = r.Spec.Report.Language
		}
		if top == 0 {
			top = r.Spec.Report.Top
		}
		if print == "" {
			print = r.Spec.Report.Print
		}
	}
	if print == "" {
		print = "brief"
	}
	if print != "brief" && print != "full" {
		return fmt.Errorf("report: print %q: want brief or full", print)
	}
	if lang == "" {
		lang = "both"
	}
	if lang != "zh" && lang != "en" && lang != "both" {
		return fmt.Errorf("report: language %q: want zh, en or both", lang)
	}
	if top <= 0 {
		top = 20
	}
	if err := checkShapes(r); err != nil {
		return err
	}
	var m *geoMap
	mapSource := "echarts 4.9.0 (Apache-2.0), GB/T 2260 codes joined by cityimpact"
	if opt.MapFile != "" {
		data, err := os.ReadFile(opt.MapFile)
		if err != nil {
			return fmt.Errorf("report: map: %w", err)
		}
		if m, err = readMap(data, opt.MapFile); err != nil {
			return err
		}
		mapSource = opt.MapFile
		if i := strings.LastIndexAny(mapSource, `/\`); i >= 0 {
			mapSource = mapSource[i+1:]
		}
	} else {
		m = a.cities
		if countOn(a.provinces, r.Units) > countOn(a.cities, r.Units) {
			m = a.provinces
		}
	}
	p := newPage(r, lang, top, m, mapSource)
	p.Print = print
	p.ECharts = template.JS(a.echarts)
	t, err := parsedTemplates()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "report.html", p); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// checkShapes verifies that the per-row slices the page reads have the
// lengths Results documents, so that a malformed Results is an error and
// not a panic.
func checkShapes(r *evaluation.Results) error {
	rows := len(r.Units) * len(r.Periods)
	bad := func(what string, n, want int) error {
		return fmt.Errorf("report: results: %s has %d entries; want %d", what, n, want)
	}
	if len(r.Framework.Nodes) == 0 {
		return errors.New("report: results: framework has no nodes")
	}
	if len(r.Index.Scores) > 0 && len(r.Index.Scores) != len(r.Framework.Nodes) {
		return bad("index.scores", len(r.Index.Scores), len(r.Framework.Nodes))
	}
	for k, s := range r.Index.Scores {
		if len(s) != rows {
			return bad(fmt.Sprintf("index.scores[%d]", k), len(s), rows)
		}
	}
	for _, c := range []struct {
		name string
		n    int
	}{{"index.rank", len(r.Index.Rank)}, {"index.grade", len(r.Index.Grade)}, {"index.peer_rank", len(r.Index.PeerRank)}} {
		if c.n != 0 && c.n != rows {
			return bad(c.name, c.n, rows)
		}
	}
	if u := r.Index.Uncertainty; u != nil {
		for _, c := range [][]evaluation.Num{u.Median, u.Low, u.High, u.Nominal} {
			if len(c) != len(r.Units) {
				return bad("index.uncertainty", len(c), len(r.Units))
			}
		}
	}
	if c := r.Index.Coupling; c != nil {
		for _, s := range [][]evaluation.Num{c.C, c.T, c.D} {
			if len(s) != len(r.Units) {
				return bad("index.coupling", len(s), len(r.Units))
			}
		}
		if len(c.Band) != len(r.Units) || (len(c.BandEn) != 0 && len(c.BandEn) != len(r.Units)) {
			return bad("index.coupling.band", len(c.Band), len(r.Units))
		}
	}
	for _, tr := range r.Trends {
		if len(tr.Mean) != len(r.Periods) {
			return bad("trends["+tr.Outcome+"/"+tr.Group+"].mean", len(tr.Mean), len(r.Periods))
		}
	}
	return nil
}

// countOn counts the units that have a feature on map m.
func countOn(m *geoMap, units []evaluation.UnitInfo) int {
	n := 0
	for _, u := range units {
		if m.has(u.Code) {
			n++
		}
	}
	return n
}

var parsedTemplates = sync.OnceValues(func() (*template.Template, error) {
	css, err := fs.ReadFile(tmplFS, "tmpl/report.css")
	if err != nil {
		return nil, err
	}
	js, err := fs.ReadFile(tmplFS, "tmpl/report.js")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"css": func() template.CSS { return template.CSS(css) },
		"js":  func() template.JS { return template.JS(js) },
	}
	for k, v := range baseFuncs {
		funcs[k] = v
	}
	return template.New("report").Funcs(funcs).ParseFS(tmplFS, "tmpl/*.html")
})

// Language-dependent and number helpers. Bilingual text renders as two
// spans (lang="zh", lang="en") that the page's CSS shows one at a time;
// the page's lang option is applied by the methods on page.
var baseFuncs = template.FuncMap{
	"num":  fmtNum,
	"int":  fmtInt,
	"pval": fmtP,
	"peq": func(n evaluation.Num) string { // "p = 0.081" or "p < 0.001"
		if s := fmtP(n); strings.HasPrefix(s, "<") {
			return "< " + s[1:]
		} else {
			return "= " + s
		}
	},
	"pct":   fmtPct,
	"stars": stars,
	"ci":    fmtCI,
	"join":  strings.Join,
	"add":   func(a, b int) int { return a + b },
	"numOf": func(f float64) evaluation.Num { return evaluation.Num(f) },
	"signClass": func(n evaluation.Num) string {
		switch {
		case n.Valid() && n > 0:
			return "pos"
		case n.Valid() && n < 0:
			return "neg"
		}
		return ""
	},
}

// fmtNum formats n with dec decimals, "—" when missing; the minus sign is
// U+2212 for typography.
func fmtNum(n evaluation.Num, dec int) string {
	if !n.Valid() {
		return "—"
	}
	s := strconv.FormatFloat(float64(n), 'f', dec, 64)
	if strings.HasPrefix(s, "-") {
		if strings.Trim(s[1:], "0.") == "" {
			return s[1:] // −0.000 reads as 0.000
		}
		return "−" + s[1:]
	}
	return s
}

// fmtInt formats a whole number (ranks), "—" when missing.
func fmtInt(n evaluation.Num) string {
	if !n.Valid() {
		return "—"
	}
	return strconv.FormatFloat(math.Round(float64(n)), 'f', 0, 64)
}

// fmtP formats a p-value with three decimals, "<0.001" below.
func fmtP(n evaluation.Num) string {
	if !n.Valid() {
		return "—"
	}
	if n < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(float64(n), 'f', 3, 64)
}

// fmtPct formats a share as a percentage with one decimal.
func fmtPct(n evaluation.Num) string {
	if !n.Valid() {
		return "—"
	}
	return fmtNum(n*100, 1) + "%"
}

// fmtCI formats a confidence interval.
func fmtCI(lo, hi evaluation.Num, dec int) string {
	if !lo.Valid() && !hi.Valid() {
		return "—"
	}
	return "[" + fmtNum(lo, dec) + ", " + fmtNum(hi, dec) + "]"
}

// stars marks significance at 10, 5 and 1 percent.
func stars(p evaluation.Num) string {
	switch {
	case !p.Valid():
		return ""
	case p < 0.01:
		return "***"
	case p < 0.05:
		return "**"
	case p < 0.10:
		return "*"
	}
	return ""
}

// bi renders a bilingual text for language mode lang.
func bi(lang string, t evaluation.Text) template.HTML {
	zh, en := t.Zh, t.En
	if zh == "" {
		zh = en
	}
	if en == "" {
		en = zh
	}
	switch lang {
	case "zh":
		return template.HTML(html.EscapeString(zh))
	case "en":
		return template.HTML(html.EscapeString(en))
	}
	if zh == en {
		return template.HTML(html.EscapeString(zh))
	}
	return template.HTML(`<span lang="zh">` + html.EscapeString(zh) + `</span><span lang="en">` + html.EscapeString(en) + `</span>`)
}

// page is what the template renders.
type page struct {
	Lang      string // zh, en, both
	R         *evaluation.Results
	Last      string // last period label
	First     string
	Top       []rankRow
	TopN      int
	Findings  []findRow
	FindMeth  []string
	Methods   []methodBlock
	Cases     []caseBlock
	Events    []eventBlock
	Placebos  []placeboJS
	Groups    []evaluation.AlertGroup // alerts counted per indicator and kind
	Alerts    []evaluation.Alert      // the city-specific (non-systemic) alerts
	Failures  []failRow               // the city-specific consecutive failures
	Systemic  int                     // alerts in systemic groups, listed in results.xlsx only
	SysFail   int                     // consecutive failures on systemic indicators, not listed
	Print     string                  // brief or full: the printing mode the page opens in
	Minor     int                     // city rows left out of the brief print
	Cities    []cityRow
	Quality   []evaluation.IndicatorQuality
	IndexMeth [][2]string
	MapSource string
	OffMap    []string
	HasUncert bool
	HasCoup   bool
	Data      template.JS
	ECharts   template.JS

	units map[string]int
	nodes map[string]int
}

type rankRow struct {
	Rank, Score, PeerRank, Low, High evaluation.Num
	Unit                             evaluation.UnitInfo
	Grade                            string
}

// findRow is one outcome of the key-findings matrix: the headline
// estimate (the first) of each method in FindMeth order, nil where the
// method has none for this outcome.
type findRow struct {
	Outcome string
	Cells   []*evaluation.Estimate
}

type methodBlock struct {
	evaluation.MethodResult
	Pre *evaluation.Test
	// Placebo indexes the page's placebo histograms (−1: none).
	Placebo int
}

type caseBlock struct {
	D     evaluation.CityDiagnosis
	Unit  evaluation.UnitInfo
	Chart int
}

type eventBlock struct {
	Index int
	M     evaluation.MethodResult
	Pre   *evaluation.Test
}

// placeboJS is one permutation distribution with the actual estimate.
type placeboJS struct {
	Outcome  string           `json:"outcome"`
	Estimate evaluation.Num   `json:"estimate"`
	Draws    []evaluation.Num `json:"draws"`
}

type failRow struct {
	Unit string
	F    evaluation.Failure
}

type cityRow struct {
	D     evaluation.CityDiagnosis
	Unit  evaluation.UnitInfo
	Minor bool // left out of the brief print (see HTMLOptions.Print)
}

// T renders a bilingual text in the page's language mode.
func (p *page) T(t evaluation.Text) template.HTML { return bi(p.Lang, t) }

// L renders the fixed label key.
func (p *page) L(key string) template.HTML {
	t, ok := labels[key]
	if !ok {
		panic("report: no label " + key) // caught by the template tests
	}
	return bi(p.Lang, p.level(t))
}

// levelLabels is labels with the spec's confidence level.
func (p *page) levelLabels() map[string]evaluation.Text {
	out := make(map[string]evaluation.Text, len(labels))
	for k, t := range labels {
		out[k] = p.level(t)
	}
	return out
}

// level rewrites the labels' "95%" confidence level to the spec's.
func (p *page) level(t evaluation.Text) evaluation.Text {
	if p.R == nil || p.R.Spec == nil || p.R.Spec.Causal.Level == 0 || p.R.Spec.Causal.Level == 0.95 || !strings.Contains(t.En, "95% C") && !strings.Contains(t.En, "95% confidence") {
		return t
	}
	lv := strconv.FormatFloat(100*p.R.Spec.Causal.Level, 'g', 4, 64) + "%"
	return evaluation.Text{Zh: strings.ReplaceAll(t.Zh, "95%", lv), En: strings.ReplaceAll(t.En, "95%", lv)}
}

// Unit renders a unit's name by code (the code itself when unknown).
func (p *page) Unit(code string) template.HTML {
	if i, ok := p.units[code]; ok {
		return bi(p.Lang, p.R.Units[i].Name)
	}
	return template.HTML(html.EscapeString(code))
}

// Node renders a framework node's name by code ("goal" and unknown codes
// included).
func (p *page) Node(code string) template.HTML {
	if i, ok := p.nodes[code]; ok {
		return bi(p.Lang, p.R.Framework.Nodes[i].Name)
	}
	if code == "goal" && len(p.R.Framework.Nodes) > 0 {
		return bi(p.Lang, p.R.Framework.Nodes[0].Name)
	}
	return template.HTML(html.EscapeString(code))
}

// Province renders a province name (as UnitInfo carries it, in Chinese)
// with its English name from the division registry when it is known.
func (p *page) Province(name string) template.HTML {
	if name == "" {
		return ""
	}
	if pr, err := division.LookupProvince(name); err == nil {
		return bi(p.Lang, evaluation.Text{Zh: name, En: pr.NameEn})
	}
	return template.HTML(html.EscapeString(name))
}

// NodeUnit returns the measurement unit of an indicator.
func (p *page) NodeUnit(code string) string {
	if i, ok := p.nodes[code]; ok {
		return p.R.Framework.Nodes[i].Unit
	}
	return ""
}

// MethodName renders a method's name.
func (p *page) MethodName(m string) template.HTML {
	if t, ok := methodNames[m]; ok {
		return bi(p.Lang, t)
	}
	return template.HTML(html.EscapeString(m))
}

// Kind renders an alert kind or level.
func (p *page) Kind(k string) template.HTML {
	if t, ok := kindNames[k]; ok {
		return bi(p.Lang, t)
	}
	return template.HTML(html.EscapeString(k))
}

var methodNames = map[string]evaluation.Text{
	"twfe":              {Zh: "双向固定效应 DID", En: "Two-way FE DID"},
	"event_study":       {Zh: "事件研究", En: "Event study"},
	"placebo":           {Zh: "安慰剂检验", En: "Placebo test"},
	"sunab":             {Zh: "Sun–Abraham 交互加权", En: "Sun–Abraham"},
	"cs":                {Zh: "Callaway–Sant'Anna", En: "Callaway–Sant'Anna"},
	"synth":             {Zh: "合成控制", En: "Synthetic control"},
	"bjs":               {Zh: "插补估计 (BJS)", En: "Imputation (BJS)"},
	"imputation":        {Zh: "插补估计 (BJS)", En: "Imputation (BJS)"},
	"callaway_santanna": {Zh: "Callaway–Sant'Anna", En: "Callaway–Sant'Anna"},
	"bacon":             {Zh: "Bacon 分解", En: "Bacon decomposition"},
	"sdid":              {Zh: "合成双重差分", En: "Synthetic DID"},
	"sdid_staggered":    {Zh: "合成双重差分（分批）", En: "Synthetic DID (staggered)"},
	"synthdid":          {Zh: "合成双重差分", En: "Synthetic DID"},
}

var kindNames = map[string]evaluation.Text{
	"consecutive_below_target": {Zh: "连续未达标", En: "Consecutive below target"},
	"veto":                     {Zh: "一票否决", En: "Veto"},
	"rank_drop":                {Zh: "排名下滑", En: "Rank drop"},
	"warning":                  {Zh: "提醒", En: "Warning"},
	"serious":                  {Zh: "约谈", En: "Serious (约谈)"},
}

func newPage(r *evaluation.Results, lang string, top int, m *geoMap, mapSource string) *page {
	p := &page{Lang: lang, R: r, MapSource: mapSource, units: map[string]int{}, nodes: map[string]int{}}
	for i, u := range r.Units {
		p.units[u.Code] = i
	}
	for i, n := range r.Framework.Nodes {
		p.nodes[n.Code] = i
	}
	T := len(r.Periods)
	if T > 0 {
		p.First, p.Last = r.Periods[0], r.Periods[T-1]
	}
	row := func(u int) int { return u*T + T - 1 }
	at := func(s []evaluation.Num, i int) evaluation.Num {
		if i < len(s) {
			return s[i]
		}
		return evaluation.NaN()
	}

	// Ranking: last period, by rank (missing last), ties by data order.
	var goal []evaluation.Num
	if len(r.Index.Scores) > 0 {
		goal = r.Index.Scores[0]
	}
	order := make([]int, len(r.Units))
	for i := range order {
		order[i] = i
	}
	if T > 0 {
		sort.SliceStable(order, func(a, b int) bool {
			ra, rb := at(r.Index.Rank, row(order[a])), at(r.Index.Rank, row(order[b]))
			if ra.Valid() != rb.Valid() {
				return ra.Valid()
			}
			return ra.Valid() && ra < rb
		})
	}
	u := r.Index.Uncertainty
	for i, k := range order {
		if i == top || T == 0 {
			break
		}
		rr := rankRow{Unit: r.Units[k], Rank: at(r.Index.Rank, row(k)), Score: at(goal, row(k)),
			PeerRank: at(r.Index.PeerRank, row(k)), Low: evaluation.NaN(), High: evaluation.NaN()}
		if row(k) < len(r.Index.Grade) {
			rr.Grade = r.Index.Grade[row(k)]
		}
		if u != nil {
			rr.Low, rr.High = u.Low[k], u.High[k]
		}
		p.Top = append(p.Top, rr)
	}
	p.TopN = len(p.Top)
	p.HasUncert = u != nil
	p.HasCoup = r.Index.Coupling != nil

	// Findings: outcomes (spec order) × methods (spec order), the first
	// estimate of each method that has one.
	outcomes := slices.Clone(r.Policy.Outcomes)
	for _, mr := range r.Causal {
		if !slices.Contains(outcomes, mr.Outcome) {
			outcomes = append(outcomes, mr.Outcome)
		}
		if mr.Error == "" && len(mr.Estimates) > 0 && !slices.Contains(p.FindMeth, mr.Method) {
			p.FindMeth = append(p.FindMeth, mr.Method)
		}
	}
	for _, o := range outcomes {
		row := findRow{Outcome: o, Cells: make([]*evaluation.Estimate, len(p.FindMeth))}
		any := false
		for _, mr := range r.Causal {
			if mr.Outcome == o && mr.Error == "" && len(mr.Estimates) > 0 {
				if j := slices.Index(p.FindMeth, mr.Method); row.Cells[j] == nil {
					row.Cells[j] = &mr.Estimates[0]
					any = true
				}
			}
		}
		if any {
			p.Findings = append(p.Findings, row)
		}
	}
	// Event-study plots for one outcome: the composite index when
	// evaluated, else the first outcome with points (the other outcomes'
	// pre-trend tests are in the effects section).
	eventOutcome := ""
	for _, mr := range r.Causal {
		if len(mr.Points) > 0 && mr.Error == "" && (eventOutcome == "" || mr.Outcome == "goal") {
			eventOutcome = mr.Outcome
		}
	}
	ev := 0
	for _, mr := range r.Causal {
		b := methodBlock{MethodResult: mr, Placebo: -1}
		if len(mr.Distribution) > 0 && len(mr.Estimates) > 0 && mr.Error == "" {
			b.Placebo = len(p.Placebos)
			p.Placebos = append(p.Placebos, placeboJS{Outcome: mr.Outcome, Estimate: mr.Estimates[0].Value, Draws: mr.Distribution})
		}
		for i := range mr.Tests {
			if mr.Tests[i].Name == "pre_trends" {
				b.Pre = &mr.Tests[i]
			}
		}
		p.Methods = append(p.Methods, b)
		if len(mr.Points) > 0 && mr.Error == "" && mr.Outcome == eventOutcome {
			p.Events = append(p.Events, eventBlock{Index: ev, M: mr, Pre: b.Pre})
			ev++
		}
	}

	// Cities: case cities first for the radar cards; all in unit order.
	systemicFail := systemicFailures(r)
	for _, d := range r.Cities {
		i, ok := p.units[d.Unit]
		if !ok {
			continue
		}
		p.Cities = append(p.Cities, cityRow{D: d, Unit: r.Units[i]})
		if r.Units[i].Case {
			p.Cases = append(p.Cases, caseBlock{D: d, Unit: r.Units[i], Chart: len(p.Cases)})
		}
		for _, f := range d.Failures {
			if systemicFail[f.Code] {
				p.SysFail++
			} else {
				p.Failures = append(p.Failures, failRow{Unit: d.Unit, F: f})
			}
		}
	}
	p.Groups = r.AlertGroups
	alerted := map[string]bool{}
	for _, a := range r.Alerts {
		if a.Systemic {
			p.Systemic++
		} else {
			p.Alerts = append(p.Alerts, a)
			alerted[a.Unit] = true
		}
	}
	// The brief print keeps case cities, the top and bottom of the
	// ranking and the cities with a city-specific alert.
	for i := range p.Cities {
		c := &p.Cities[i]
		rank := float64(c.D.Rank)
		edge := c.D.Rank.Valid() && (rank <= float64(top) || rank > float64(c.D.Of-top))
		c.Minor = !c.Unit.Case && !alerted[c.D.Unit] && !edge
		if c.Minor {
			p.Minor++
		}
	}
	p.Quality = r.Data.Indicators
	keys := make([]string, 0, len(r.Index.Method))
	for k := range r.Index.Method {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.IndexMeth = append(p.IndexMeth, [2]string{k, r.Index.Method[k]})
	}
	for _, un := range r.Units {
		if !m.has(un.Code) {
			p.OffMap = append(p.OffMap, un.Code)
		}
	}
	p.Data = template.JS(chartData(p, m, goal))
	return p
}

// chartData is the JSON the page's script draws the charts from: a subset
// of r, plus the labels.
func chartData(p *page, m *geoMap, goal []evaluation.Num) []byte {
	r := p.R
	T := len(r.Periods)
	type unitJS struct {
		Code   string          `json:"code"`
		Name   evaluation.Text `json:"name"`
		Cohort string          `json:"cohort,omitempty"`
		Case   bool            `json:"case,omitempty"`
		Score  evaluation.Num  `json:"score"`
		Rank   evaluation.Num  `json:"rank"`
	}
	type nodeJS struct {
		Code      string          `json:"code"`
		Name      evaluation.Text `json:"name"`
		Parent    int             `json:"parent"`
		Depth     int             `json:"depth"`
		Indicator bool            `json:"indicator,omitempty"`
	}
	type radarJS struct {
		Unit string           `json:"unit"`
		Dims []evaluation.Gap `json:"dims"`
	}
	type eventJS struct {
		Method  string                  `json:"method"`
		Outcome string                  `json:"outcome"`
		Label   evaluation.Text         `json:"label"`
		Points  []evaluation.EventPoint `json:"points"`
	}
	d := struct {
		Lang         string                      `json:"lang"`
		Labels       map[string]evaluation.Text  `json:"labels"`
		Periods      []string                    `json:"periods"`
		Units        []unitJS                    `json:"units"`
		Nodes        []nodeJS                    `json:"nodes"`
		Map          json.RawMessage             `json:"map"`
		Radars       []radarJS                   `json:"radars"`
		TrendOutcome string                      `json:"trend_outcome"`
		Trends       []evaluation.TrendSeries    `json:"trends"`
		Events       []eventJS                   `json:"events"`
		Placebos     []placeboJS                 `json:"placebos"`
		Weights      []evaluation.WeightRow      `json:"weights"`
		Uncertainty  *evaluation.RankUncertainty `json:"uncertainty"`
		Coupling     *evaluation.CouplingResult  `json:"coupling"`
	}{Lang: p.Lang, Labels: p.levelLabels(), Periods: r.Periods, Map: m.geoJSON(),
		Weights: r.Index.Weights, Uncertainty: r.Index.Uncertainty, Coupling: r.Index.Coupling}
	for i, u := range r.Units {
		uj := unitJS{Code: u.Code, Name: u.Name, Cohort: u.Cohort, Case: u.Case, Score: evaluation.NaN(), Rank: evaluation.NaN()}
		if T > 0 {
			k := i*T + T - 1
			if k < len(goal) {
				uj.Score = goal[k]
			}
			if k < len(r.Index.Rank) {
				uj.Rank = r.Index.Rank[k]
			}
		}
		d.Units = append(d.Units, uj)
	}
	for _, n := range r.Framework.Nodes {
		d.Nodes = append(d.Nodes, nodeJS{Code: n.Code, Name: n.Name, Parent: n.Parent, Depth: n.Depth, Indicator: n.Indicator})
	}
	for _, c := range p.Cases {
		d.Radars = append(d.Radars, radarJS{Unit: c.D.Unit, Dims: c.D.Dimensions})
	}
	// Trends of the composite index when evaluated, else of the first
	// outcome that has series.
	for _, tr := range r.Trends {
		if tr.Outcome == "goal" {
			d.TrendOutcome = "goal"
			break
		}
		if d.TrendOutcome == "" {
			d.TrendOutcome = tr.Outcome
		}
	}
	for _, tr := range r.Trends {
		if tr.Outcome == d.TrendOutcome {
			d.Trends = append(d.Trends, tr)
		}
	}
	d.Placebos = p.Placebos
	for _, e := range p.Events {
		d.Events = append(d.Events, eventJS{Method: e.M.Method, Outcome: e.M.Outcome, Label: e.M.Label, Points: e.M.Points})
	}
	b, err := json.Marshal(d)
	if err != nil {
		// Num marshals NaN as null; every other field is plain data.
		panic("report: chart data: " + err.Error())
	}
	return b
}

// systemicFailures returns the indicators whose consecutive-failure alerts
// are systemic: their per-city rows are left out of the report tables,
// which show the group instead (results.xlsx keeps every row).
func systemicFailures(r *evaluation.Results) map[string]bool {
	m := map[string]bool{}
	for _, g := range r.AlertGroups {
		if g.Systemic && g.Kind == "consecutive_below_target" {
			m[g.Code] = true
		}
	}
	return m
}
