package report

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/evaluation"
)

// Number formats shared by the Markdown and LaTeX writers (the XLSX writer
// stores full-precision numbers with a display format instead). One rule
// per kind of number, so the same value reads the same in every report:
//
//	score, median, gap, coupling   3 decimals          0.612
//	weight                         4 decimals          0.1250
//	estimate, SE, CI, raw value    4 significant digits, fixed notation, ≤ 6 decimals
//	p-value                        3 decimals, "<0.001" below
//	share (missing, attainment,    100·v with 1 decimal and "%"
//	relative effect)
//	rank                           integer, or 1 decimal for a shared rank
//
// Missing values (NaN, ±Inf) print as the mdDash "—" (Markdown) or "" (LaTeX).
const (
	decScore  = 3
	decWeight = 4
	sigEst    = 4
	mdDash    = "—"
	// maxIndent caps the indentation of a node by its depth in tables.
	maxIndent = 8
)

// fixed formats v with d decimals, turning "-0.000" into "0.000".
func fixedDec(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.") == "" {
		s = s[1:]
	}
	return s
}

// sig formats v with n significant digits in fixed notation (at most six
// decimals).
func sigDigits(v float64, n int) string {
	if v == 0 {
		return "0"
	}
	d := n - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	return fixedDec(v, max(0, min(d, 6)))
}

// numFmt renders valid numbers with f and missing ones as miss.
type numFmt struct{ miss string }

func (n numFmt) score(v evaluation.Num) string {
	return n.do(v, func(x float64) string { return fixedDec(x, decScore) })
}
func (n numFmt) weight(v evaluation.Num) string {
	return n.do(v, func(x float64) string { return fixedDec(x, decWeight) })
}
func (n numFmt) est(v evaluation.Num) string {
	return n.do(v, func(x float64) string { return sigDigits(x, sigEst) })
}
func (n numFmt) pct(v evaluation.Num) string {
	return n.do(v, func(x float64) string { return fixedDec(100*x, 1) + "%" })
}
func (n numFmt) p(v evaluation.Num) string {
	return n.do(v, func(x float64) string {
		if x < 0.001 {
			return "<0.001"
		}
		return fixedDec(x, 3)
	})
}
func (n numFmt) rank(v evaluation.Num) string {
	return n.do(v, func(x float64) string {
		if x == math.Trunc(x) {
			return fixedDec(x, 0)
		}
		return fixedDec(x, 1)
	})
}
func (n numFmt) do(v evaluation.Num, f func(float64) string) string {
	if !v.Valid() {
		return n.miss
	}
	return f(float64(v))
}

// stars returns the significance stars of p: *** p<0.01, ** p<0.05,
// * p<0.1 (fixest etable's default signif.code).
func sigStars(p evaluation.Num) string {
	switch {
	case !p.Valid():
		return ""
	case p < 0.01:
		return "***"
	case p < 0.05:
		return "**"
	case p < 0.1:
		return "*"
	}
	return ""
}

// resView indexes a Results for the writers: names by code, row arithmetic.
type resView struct {
	r     *evaluation.Results
	T     int
	unit  map[string]int
	node  map[string]int
	cases []int // unit indices marked Case
}

func newResView(r *evaluation.Results) *resView {
	v := &resView{r: r, T: len(r.Periods), unit: map[string]int{}, node: map[string]int{}}
	for i, u := range r.Units {
		v.unit[u.Code] = i
		if u.Case {
			v.cases = append(v.cases, i)
		}
	}
	for i, n := range r.Framework.Nodes {
		v.node[n.Code] = i
	}
	return v
}

// pick returns the text in lang ("zh" or "en"), falling back to the other
// language and then to code.
func pickLang(t evaluation.Text, lang, code string) string {
	a, b := t.En, t.Zh
	if lang == "zh" {
		a, b = t.Zh, t.En
	}
	switch {
	case a != "":
		return a
	case b != "":
		return b
	}
	return code
}

func (v *resView) unitName(code, lang string) string {
	if i, ok := v.unit[code]; ok {
		return pickLang(v.r.Units[i].Name, lang, code)
	}
	return code
}

func (v *resView) nodeName(code, lang string) string {
	if code == "goal" && len(v.r.Framework.Nodes) > 0 && v.r.Framework.Nodes[0].Parent < 0 {
		n := v.r.Framework.Nodes[0]
		return pickLang(n.Name, lang, n.Code)
	}
	if i, ok := v.node[code]; ok {
		return pickLang(v.r.Framework.Nodes[i].Name, lang, code)
	}
	return code
}

// at returns column x's value at unit u, period t (NaN when out of range).
func (v *resView) at(x []evaluation.Num, u, t int) evaluation.Num {
	i := u*v.T + t
	if v.T == 0 || i < 0 || i >= len(x) {
		return evaluation.NaN()
	}
	return x[i]
}

func (v *resView) str(x []string, u, t int) string {
	i := u*v.T + t
	if v.T == 0 || i < 0 || i >= len(x) {
		return ""
	}
	return x[i]
}

// ranked returns the unit indices with a valid goal rank in the last
// period, best first (ties in unit order).
func (v *resView) ranked() []int {
	if v.T == 0 {
		return nil
	}
	var us []int
	for u := range v.r.Units {
		if v.at(v.r.Index.Rank, u, v.T-1).Valid() {
			us = append(us, u)
		}
	}
	sort.SliceStable(us, func(i, j int) bool {
		return v.at(v.r.Index.Rank, us[i], v.T-1) < v.at(v.r.Index.Rank, us[j], v.T-1)
	})
	return us
}

// top is the ranking-table length: Spec.Report.Top, default 20.
func (v *resView) top() int {
	if v.r.Spec != nil && v.r.Spec.Report.Top > 0 {
		return v.r.Spec.Report.Top
	}
	return 20
}

// dimensions returns the node indices of the goal's children.
func (v *resView) dimensions() []int {
	var ds []int
	for i, n := range v.r.Framework.Nodes {
		if n.Parent == 0 && i > 0 {
			ds = append(ds, i)
		}
	}
	return ds
}

// diagnosis returns the diagnosis of unit code, or nil.
func (v *resView) diagnosis(code string) *evaluation.CityDiagnosis {
	for i := range v.r.Cities {
		if v.r.Cities[i].Unit == code {
			return &v.r.Cities[i]
		}
	}
	return nil
}

// sortedMapKeys returns m's keys in order.
func sortedMapKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// fixedEffects returns the fixed-effects part of a fixest-style formula
// ("y ~ x | unit + year" → "unit + year"), or "".
func fixedEffects(formula string) string {
	_, fe, ok := strings.Cut(formula, "|")
	if !ok {
		return ""
	}
	return strings.TrimSpace(fe)
}
