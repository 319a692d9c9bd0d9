package evaluation

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Narrative numbers. Every number [Narrate] prints is one of the values
// listed by [CheckNarrative] rendered by exactly one of these rules, so a
// reader (or a test) can parse it back and find it in results.json:
//
//   - score rule: scores, peer medians, gaps to the median, trend and change
//     are printed with three decimals, strconv.FormatFloat(v, 'f', 3, 64)
//     (correct rounding of the binary value, ties to even); signed values
//     carry "+" or "−" (U+2212), and a value that rounds to zero prints
//     "+0.000";
//   - percent rule: attainment (a share in [0, 1]) is printed as 100·v with
//     one decimal and a "%" sign;
//   - rank rule: a rank prints as an integer, or with one decimal when it
//     is a shared mean rank such as 3.5;
//   - raw rule: raw indicator values and targets print with four
//     significant digits in fixed notation (at most six decimals);
//   - counts (units ranked, peer-group size, periods failed, indicators
//     without a target, the consecutive-failure rule, the trend window) print
//     as integers.
const (
	narrScoreDecimals = 3
	narrPctDecimals   = 1
	narrRawDigits     = 4
	narrMaxList       = 3 // strengths, weaknesses shown
	narrMaxNoTarget   = 5 // indicators named in the missing-target sentence
)

// fmtScore renders v by the score rule without a sign for positives.
func fmtScore(v float64) string {
	s := strconv.FormatFloat(v, 'f', narrScoreDecimals, 64)
	if s == "-0.000" {
		s = "0.000"
	}
	return s
}

// fmtSigned renders v by the score rule with an explicit sign.
func fmtSigned(v float64) string {
	s := fmtScore(v)
	if strings.HasPrefix(s, "-") {
		return "−" + s[1:]
	}
	return "+" + s
}

// fmtPct renders a share by the percent rule.
func fmtPct(v float64) string {
	return strconv.FormatFloat(100*v, 'f', narrPctDecimals, 64) + "%"
}

// fmtRank renders a rank by the rank rule.
func fmtRank(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// fmtRaw renders v by the raw rule: four significant digits, fixed
// notation, at most six decimals.
func fmtRaw(v float64) string {
	if v == 0 {
		return "0"
	}
	d := narrRawDigits - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	d = max(0, min(d, 6))
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.") == "" {
		s = s[1:]
	}
	return s
}

// narrContext holds what a narrative needs besides the diagnosis.
type narrContext struct {
	d           *CityDiagnosis
	r           *Results
	consecutive int // Spec.Peers.Consecutive, default 2
	trendPeriod int // Spec.Report.TrendPeriods, default 5
	by          string
	unitName    Text
	nodeName    map[string]Text
}

func newNarrContext(d *CityDiagnosis, r *Results) *narrContext {
	c := &narrContext{d: d, r: r, consecutive: 2, trendPeriod: 5, nodeName: map[string]Text{}}
	if r.Spec != nil {
		if r.Spec.Peers.Consecutive > 0 {
			c.consecutive = r.Spec.Peers.Consecutive
		}
		if r.Spec.Report.TrendPeriods > 0 {
			c.trendPeriod = r.Spec.Report.TrendPeriods
		}
		c.by = r.Spec.Peers.By
	}
	c.unitName = Text{Zh: d.Unit, En: d.Unit}
	for _, u := range r.Units {
		if u.Code == d.Unit {
			c.unitName = fillText(u.Name, u.Code)
			break
		}
	}
	for _, n := range r.Framework.Nodes {
		c.nodeName[n.Code] = fillText(n.Name, n.Code)
	}
	return c
}

// fillText completes an empty language from the other or from code.
func fillText(t Text, code string) Text {
	if t.Zh == "" {
		t.Zh = t.En
	}
	if t.En == "" {
		t.En = t.Zh
	}
	if t.Zh == "" {
		t.Zh, t.En = code, code
	}
	return t
}

func (c *narrContext) node(code string) Text {
	if t, ok := c.nodeName[code]; ok {
		return t
	}
	return Text{Zh: code, En: code}
}

// Narrate writes the short narrative of one city's diagnosis in Chinese
// and English. It states only numbers found in d and r (see the rules
// above and [CheckNarrative]): the goal score, rank of N and rank in the
// peer group with the peer median, grade, target attainment, change since
// the previous period and trend, the strongest and weakest indicators with
// their gap to the peer median, indicators below target — with the
// 约谈 (formal interview) warning when a failure lasted at least
// Spec.Peers.Consecutive periods — and the indicators without a target.
// Names come from r.Units and r.Framework.Nodes (codes when a name is
// missing). Missing numbers (NaN) are left out of the text.
func Narrate(d *CityDiagnosis, r *Results) Text {
	c := newNarrContext(d, r)
	return Text{Zh: c.zh(), En: c.en()}
}

func valid(v Num) bool { return v.Valid() }

// yearish reports whether a period label is a plain year.
func yearish(p string) bool {
	if len(p) != 4 {
		return false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (c *narrContext) zh() string {
	d := c.d
	var b strings.Builder
	name := c.unitName.Zh
	when := d.Period
	if yearish(when) {
		when += "年"
	}
	if !valid(d.Score) {
		fmt.Fprintf(&b, "%s在%s无综合得分（数据不足）。", name, when)
	} else {
		fmt.Fprintf(&b, "%s在%s综合得分为%s", name, when, fmtScore(float64(d.Score)))
		if valid(d.Rank) && d.Of > 0 {
			fmt.Fprintf(&b, "，在%d个城市中排名第%s", d.Of, fmtRank(float64(d.Rank)))
		}
		if valid(d.PeerRank) && d.PeerOf > 0 {
			group := d.PeerGroup
			if c.by != "" && group != "" {
				group = c.by + "：" + group
			}
			if group != "" {
				fmt.Fprintf(&b, "，在同组（%s）%d个城市中排名第%s", group, d.PeerOf, fmtRank(float64(d.PeerRank)))
			} else {
				fmt.Fprintf(&b, "，在同组%d个城市中排名第%s", d.PeerOf, fmtRank(float64(d.PeerRank)))
			}
			if valid(d.PeerMedianScore) {
				fmt.Fprintf(&b, "（同组中位数%s）", fmtScore(float64(d.PeerMedianScore)))
			}
		}
		if d.Grade != "" {
			fmt.Fprintf(&b, "，等级%s", d.Grade)
		}
		b.WriteString("。")
	}
	if valid(d.Attainment) {
		fmt.Fprintf(&b, "目标达标率%s。", fmtPct(float64(d.Attainment)))
	}
	switch {
	case valid(d.Change) && valid(d.Trend):
		fmt.Fprintf(&b, "较上期变化%s，近%d期趋势为每期%s。", fmtSigned(float64(d.Change)), c.trendPeriod, fmtSigned(float64(d.Trend)))
	case valid(d.Change):
		fmt.Fprintf(&b, "较上期变化%s。", fmtSigned(float64(d.Change)))
	case valid(d.Trend):
		fmt.Fprintf(&b, "近%d期趋势为每期%s。", c.trendPeriod, fmtSigned(float64(d.Trend)))
	}
	if s := c.gapList(d.Strengths, true); s != "" {
		fmt.Fprintf(&b, "优势指标（与同组中位数之差）：%s。", s)
	}
	if s := c.gapList(d.Weaknesses, true); s != "" {
		fmt.Fprintf(&b, "薄弱指标：%s。", s)
	}
	for _, f := range d.Failures {
		n := c.node(f.Code).Zh
		target := ""
		if valid(f.Target) {
			target = "目标" + fmtRaw(float64(f.Target))
			if last, ok := lastValid(f.Values); ok {
				target += "，最近值" + fmtRaw(last)
			}
			target = "（" + target + "）"
		}
		if len(f.Periods) >= c.consecutive {
			fmt.Fprintf(&b, "警示：%s连续%d期（%s）未达标%s，已触发连续%d期未达标约谈条件。",
				n, len(f.Periods), periodList(f.Periods, "、"), target, c.consecutive)
		} else {
			fmt.Fprintf(&b, "%s在%s未达标%s。", n, periodList(f.Periods, "、"), target)
		}
	}
	if len(d.NoTarget) > 0 {
		names := c.names(d.NoTarget, func(t Text) string { return t.Zh })
		more := ""
		if len(d.NoTarget) > narrMaxNoTarget {
			more = "等"
		}
		fmt.Fprintf(&b, "%d项指标未设目标：%s%s。", len(d.NoTarget), strings.Join(names, "、"), more)
	}
	return b.String()
}

func (c *narrContext) en() string {
	d := c.d
	var b strings.Builder
	name := c.unitName.En
	if !valid(d.Score) {
		fmt.Fprintf(&b, "%s has no composite score in %s (insufficient data).", name, d.Period)
	} else {
		fmt.Fprintf(&b, "%s scored %s in %s", name, fmtScore(float64(d.Score)), d.Period)
		if valid(d.Rank) && d.Of > 0 {
			fmt.Fprintf(&b, ", ranking %s of %d cities", fmtRank(float64(d.Rank)), d.Of)
		}
		if valid(d.PeerRank) && d.PeerOf > 0 {
			group := d.PeerGroup
			if c.by != "" && group != "" {
				group = c.by + " " + group
			}
			if group != "" {
				fmt.Fprintf(&b, " and %s of %d in its peer group (%s", fmtRank(float64(d.PeerRank)), d.PeerOf, group)
			} else {
				fmt.Fprintf(&b, " and %s of %d in its peer group (", fmtRank(float64(d.PeerRank)), d.PeerOf)
			}
			if valid(d.PeerMedianScore) {
				if group != "" {
					b.WriteString("; ")
				}
				fmt.Fprintf(&b, "median %s", fmtScore(float64(d.PeerMedianScore)))
			}
			b.WriteString(")")
		}
		if d.Grade != "" {
			fmt.Fprintf(&b, ", grade %s", d.Grade)
		}
		b.WriteString(".")
	}
	if valid(d.Attainment) {
		fmt.Fprintf(&b, " Target attainment: %s.", fmtPct(float64(d.Attainment)))
	}
	switch {
	case valid(d.Change) && valid(d.Trend):
		fmt.Fprintf(&b, " Change since the previous period: %s; trend over the last %d periods: %s per period.",
			fmtSigned(float64(d.Change)), c.trendPeriod, fmtSigned(float64(d.Trend)))
	case valid(d.Change):
		fmt.Fprintf(&b, " Change since the previous period: %s.", fmtSigned(float64(d.Change)))
	case valid(d.Trend):
		fmt.Fprintf(&b, " Trend over the last %d periods: %s per period.", c.trendPeriod, fmtSigned(float64(d.Trend)))
	}
	if s := c.gapList(d.Strengths, false); s != "" {
		fmt.Fprintf(&b, " Strengths (gap to the peer median): %s.", s)
	}
	if s := c.gapList(d.Weaknesses, false); s != "" {
		fmt.Fprintf(&b, " Weaknesses: %s.", s)
	}
	for _, f := range d.Failures {
		n := c.node(f.Code).En
		target := ""
		if valid(f.Target) {
			target = " (target " + fmtRaw(float64(f.Target))
			if last, ok := lastValid(f.Values); ok {
				target += ", latest " + fmtRaw(last)
			}
			target += ")"
		}
		if len(f.Periods) >= c.consecutive {
			fmt.Fprintf(&b, " Warning: %s below target for %d consecutive periods (%s)%s, which meets the rule of %d consecutive failures for a formal interview (约谈).",
				n, len(f.Periods), periodList(f.Periods, ", "), target, c.consecutive)
		} else {
			fmt.Fprintf(&b, " %s below target in %s%s.", n, periodList(f.Periods, ", "), target)
		}
	}
	if len(d.NoTarget) > 0 {
		names := c.names(d.NoTarget, func(t Text) string { return t.En })
		more := ""
		if len(d.NoTarget) > narrMaxNoTarget {
			more = " and others"
		}
		noun := "indicators have"
		if len(d.NoTarget) == 1 {
			noun = "indicator has"
		}
		fmt.Fprintf(&b, " %d %s no target: %s%s.", len(d.NoTarget), noun, strings.Join(names, "; "), more)
	}
	return strings.TrimSpace(b.String())
}

// gapList renders up to narrMaxList gaps as "name (+0.123)".
func (c *narrContext) gapList(gs []Gap, zh bool) string {
	var parts []string
	for _, g := range gs {
		if len(parts) == narrMaxList {
			break
		}
		if !valid(g.Gap) {
			continue
		}
		if zh {
			parts = append(parts, c.node(g.Code).Zh+"（"+fmtSigned(float64(g.Gap))+"）")
		} else {
			parts = append(parts, c.node(g.Code).En+" ("+fmtSigned(float64(g.Gap))+")")
		}
	}
	if zh {
		return strings.Join(parts, "、")
	}
	return strings.Join(parts, ", ")
}

func (c *narrContext) names(codes []string, lang func(Text) string) []string {
	var out []string
	for i, code := range codes {
		if i == narrMaxNoTarget {
			break
		}
		out = append(out, lang(c.node(code)))
	}
	return out
}

// periodList joins period labels with sep, or writes first–last when
// there are more than three (consecutive failures are contiguous).
func periodList(ps []string, sep string) string {
	if len(ps) > 3 {
		return ps[0] + "–" + ps[len(ps)-1]
	}
	return strings.Join(ps, sep)
}

func lastValid(v []Num) (float64, bool) {
	for i := len(v) - 1; i >= 0; i-- {
		if v[i].Valid() {
			return float64(v[i]), true
		}
	}
	return 0, false
}

// NarrativeError reports a number in a narrative that is not traceable to
// the diagnosis and results it was generated from.
type NarrativeError struct {
	Unit   string // city code
	Lang   string // "zh" or "en"
	Number string // as printed
	Offset int    // byte offset in the narrative
}

func (e *NarrativeError) Error() string {
	if e.Number == "" {
		return fmt.Sprintf("narrative of %s (%s) is empty", e.Unit, e.Lang)
	}
	return fmt.Sprintf("narrative of %s (%s): number %q at byte %d is not in the results", e.Unit, e.Lang, e.Number, e.Offset)
}

// narrNumber matches a printed number: optional sign, digits, optional
// decimals, optional percent sign.
var narrNumber = regexp.MustCompile(`[+\-−]?[0-9]+(?:\.[0-9]+)?%?`)

// CheckNarrative reports whether every number in t (both languages) is
// traceable to d or r: after the names it may contain (unit and node names
// and codes, period labels, the peer group and its attribute, the grade)
// are removed, each number must equal, as printed, one of
//
//   - by the score rule, signed or not: d.Score, d.PeerMedianScore, d.Trend,
//     d.Change, and Value, Median and Gap of every entry of d.Dimensions,
//     d.Strengths and d.Weaknesses;
//   - by the percent rule: d.Attainment;
//   - by the rank rule: d.Rank, d.PeerRank;
//   - by the raw rule: Raw of those gaps, Target and Values of every
//     d.Failures entry and the framework targets;
//   - as an integer: d.Of, d.PeerOf, len(d.Failures), len of each failure's
//     Periods, len(d.NoTarget), Spec.Peers.Consecutive and
//     Spec.Report.TrendPeriods (their defaults 2 and 5 when unset).
//
// It returns a [*NarrativeError] naming the first number that is not, or
// an empty language when d has a score. A "+" sign and U+2212 "−" are read
// as the sign; a printed "−0.000" is not produced and not accepted.
func CheckNarrative(t Text, d *CityDiagnosis, r *Results) error {
	c := newNarrContext(d, r)
	allowed := c.traceable()
	names := c.nameStrings()
	for _, lang := range []struct {
		code, text string
	}{{"zh", t.Zh}, {"en", t.En}} {
		if strings.TrimSpace(lang.text) == "" {
			if valid(d.Score) {
				return &NarrativeError{Unit: d.Unit, Lang: lang.code}
			}
			continue
		}
		masked := maskNames(lang.text, names)
		for _, loc := range narrNumber.FindAllStringIndex(masked, -1) {
			tok := masked[loc[0]:loc[1]]
			if !allowed[normaliseNumber(tok)] {
				return &NarrativeError{Unit: d.Unit, Lang: lang.code, Number: tok, Offset: loc[0]}
			}
		}
	}
	return nil
}

// normaliseNumber drops a leading "+" and turns U+2212 into "-".
func normaliseNumber(s string) string {
	s = strings.TrimPrefix(s, "+")
	if strings.HasPrefix(s, "−") {
		s = "-" + strings.TrimPrefix(s, "−")
	}
	return s
}

// traceable lists every rendering CheckNarrative accepts.
func (c *narrContext) traceable() map[string]bool {
	d := c.d
	ok := map[string]bool{}
	score := func(v Num) {
		if v.Valid() {
			ok[fmtScore(float64(v))] = true
		}
	}
	raw := func(v Num) {
		if v.Valid() {
			ok[fmtRaw(float64(v))] = true
		}
	}
	count := func(n int) { ok[strconv.Itoa(n)] = true }
	score(d.Score)
	score(d.PeerMedianScore)
	score(d.Trend)
	score(d.Change)
	for _, gs := range [][]Gap{d.Dimensions, d.Strengths, d.Weaknesses} {
		for _, g := range gs {
			score(g.Value)
			score(g.Median)
			score(g.Gap)
			raw(g.Raw)
		}
	}
	if d.Attainment.Valid() {
		ok[fmtPct(float64(d.Attainment))] = true
	}
	for _, v := range []Num{d.Rank, d.PeerRank} {
		if v.Valid() {
			ok[fmtRank(float64(v))] = true
		}
	}
	for _, f := range d.Failures {
		raw(f.Target)
		for _, v := range f.Values {
			raw(v)
		}
		count(len(f.Periods))
	}
	for _, n := range c.r.Framework.Nodes {
		if n.Target != nil {
			raw(*n.Target)
		}
	}
	count(d.Of)
	count(d.PeerOf)
	count(len(d.Failures))
	count(len(d.NoTarget))
	count(c.consecutive)
	count(c.trendPeriod)
	return ok
}

// nameStrings lists the literal strings a narrative may contain that are
// not numbers, longest first.
func (c *narrContext) nameStrings() []string {
	set := map[string]bool{}
	add := func(s ...string) {
		for _, x := range s {
			if x != "" {
				set[x] = true
			}
		}
	}
	add(c.unitName.Zh, c.unitName.En, c.d.Unit, c.d.Period, c.d.PeerGroup, c.d.Grade, c.by)
	for _, n := range c.r.Framework.Nodes {
		t := fillText(n.Name, n.Code)
		add(n.Code, t.Zh, t.En)
	}
	for _, p := range c.r.Periods {
		add(p)
	}
	for _, f := range c.d.Failures {
		add(f.Code)
		add(f.Periods...)
	}
	for _, gs := range [][]Gap{c.d.Dimensions, c.d.Strengths, c.d.Weaknesses} {
		for _, g := range gs {
			add(g.Code) // printed as the name when the framework has none
		}
	}
	add(c.d.NoTarget...)
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// maskNames replaces each occurrence of a name that is not part of a
// longer number (no digit, '.' or ASCII letter-digit run glued to it) with
// U+FFFD, so digits inside names ("PM2.5", "2023") are not read as numbers.
func maskNames(s string, names []string) string {
	for _, name := range names {
		var b strings.Builder
		rest := s
		for {
			i := strings.Index(rest, name)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			before, _ := utf8.DecodeLastRuneInString(rest[:i])
			if i == 0 && b.Len() > 0 {
				before, _ = utf8.DecodeLastRuneInString(b.String())
			}
			after, _ := utf8.DecodeRuneInString(rest[i+len(name):])
			if numberGlue(before) || numberGlue(after) {
				b.WriteString(rest[:i+1])
				rest = rest[i+1:]
				continue
			}
			b.WriteString(rest[:i])
			b.WriteRune(utf8.RuneError)
			rest = rest[i+len(name):]
		}
		s = b.String()
	}
	return s
}

// numberGlue reports whether r next to a name would make it part of a number.
func numberGlue(r rune) bool {
	return r >= '0' && r <= '9' || r == '.'
}
