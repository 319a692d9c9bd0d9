package evaluation

import (
	"fmt"
	"math"
	"strings"

	"github.com/cityimpact/cityimpact/econ"
)

// Comparison sets TWFE beside the heterogeneity-robust estimates of one
// outcome and says, from the numbers, why they differ: the Goodman-Bacon
// decomposition shows how much of TWFE's weight rests on comparisons of
// later-treated with already-treated cohorts, which are biased when
// effects change over time (Goodman-Bacon 2021; de Chaisemartin &
// D'Haultfœuille 2020).
type Comparison struct {
	Outcome string `json:"outcome"`
	TWFE    Num    `json:"twfe"`
	// Robust lists the heterogeneity-robust estimates (method, value).
	Robust []MethodValue `json:"robust"`
	// Forbidden is the Bacon weight of "later vs earlier treated"
	// comparisons and ForbiddenEstimate their weighted mean estimate; the
	// clean weight is that of treated vs never-treated comparisons.
	Forbidden         Num  `json:"forbidden_weight"`
	ForbiddenEstimate Num  `json:"forbidden_estimate"`
	Clean             Num  `json:"clean_weight"`
	CleanEstimate     Num  `json:"clean_estimate"`
	Text              Text `json:"text"`
}

// MethodValue is one method's headline estimate.
type MethodValue struct {
	Method string `json:"method"`
	Value  Num    `json:"estimate"`
}

// robustMethods are the heterogeneity-robust estimators, in report order.
var robustMethods = []string{"callaway_santanna", "sunab", "imputation"}

// compare builds the comparison of one outcome from its method results
// (those of r.res.Causal with that outcome) and its Bacon decomposition
// (nil when not run). It returns false when TWFE or every robust
// estimator is missing.
func compare(outcome string, name Text, ms []MethodResult, bacon *econ.BaconResult) (Comparison, bool) {
	c := Comparison{Outcome: outcome, TWFE: NaN(), Forbidden: NaN(), ForbiddenEstimate: NaN(), Clean: NaN(), CleanEstimate: NaN(),
		Robust: []MethodValue{}}
	head := map[string]Num{}
	for _, m := range ms {
		if m.Outcome == outcome && m.Error == "" && len(m.Estimates) > 0 {
			head[m.Method] = m.Estimates[0].Value
		}
	}
	tw, ok := head["twfe"]
	if !ok || !tw.Valid() {
		return c, false
	}
	c.TWFE = tw
	for _, k := range robustMethods {
		if v, ok := head[k]; ok && v.Valid() {
			c.Robust = append(c.Robust, MethodValue{Method: k, Value: v})
		}
	}
	if len(c.Robust) == 0 {
		return c, false
	}
	if bacon != nil {
		for _, s := range bacon.ByType {
			switch s.Type {
			case econ.BaconLaterEarlier:
				c.Forbidden, c.ForbiddenEstimate = Num(s.Weight), Num(s.Estimate)
			case econ.BaconTreatedUntreated:
				c.Clean, c.CleanEstimate = Num(s.Weight), Num(s.Estimate)
			}
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	var zh, en []string
	for _, r := range c.Robust {
		lo, hi = min(lo, float64(r.Value)), max(hi, float64(r.Value))
		zh = append(zh, fmt.Sprintf("%s %s", methodShort[r.Method].Zh, fmt3(r.Value)))
		en = append(en, fmt.Sprintf("%s %s", methodShort[r.Method].En, fmt3(r.Value)))
	}
	t := float64(c.TWFE)
	var dirZh, dirEn string
	switch {
	case t < lo:
		dirZh, dirEn = "低于", "below"
	case t > hi:
		dirZh, dirEn = "高于", "above"
	default:
		dirZh, dirEn = "处于", "within"
	}
	c.Text.Zh = fmt.Sprintf("%s：双向固定效应估计为%s，%s异质性稳健估计（%s）的范围。", name.Zh, fmt3(c.TWFE), dirZh, strings.Join(zh, "；"))
	c.Text.En = fmt.Sprintf("%s: the TWFE estimate %s lies %s the range of the heterogeneity-robust estimates (%s).", name.En, fmt3(c.TWFE), dirEn, strings.Join(en, "; "))
	if c.Forbidden.Valid() && c.Forbidden > 0 {
		c.Text.Zh += fmt.Sprintf("Bacon分解显示，TWFE权重的%s来自“晚处理组对早处理组”的比较（其估计为%s），当政策效应随时间变化时这类比较有偏", pct(c.Forbidden), fmt3(c.ForbiddenEstimate))
		c.Text.En += fmt.Sprintf(" The Bacon decomposition puts %s of TWFE's weight on later-treated vs already-treated comparisons (estimate %s), which are biased when effects change over time", pct(c.Forbidden), fmt3(c.ForbiddenEstimate))
		if c.Clean.Valid() {
			c.Text.Zh += fmt.Sprintf("；与从未试点城市的比较占%s（估计为%s）", pct(c.Clean), fmt3(c.CleanEstimate))
			c.Text.En += fmt.Sprintf("; comparisons with never-treated cities carry %s (estimate %s)", pct(c.Clean), fmt3(c.CleanEstimate))
		}
		c.Text.Zh += "。稳健估计量只使用干净的比较，因此更可信。"
		c.Text.En += ". The robust estimators use clean comparisons only and are the ones to report."
	}
	return c, true
}

var methodShort = map[string]Text{
	"callaway_santanna": {Zh: "Callaway–Sant'Anna", En: "Callaway–Sant'Anna"},
	"sunab":             {Zh: "Sun–Abraham", En: "Sun–Abraham"},
	"imputation":        {Zh: "插补估计", En: "imputation"},
}

// fmt3 prints a number with three significant decimals as the narratives
// do (the value in results.json rounds to it).
func fmt3(v Num) string {
	return strings.Replace(fmt.Sprintf("%.3f", float64(v)), "-", "−", 1)
}

func pct(v Num) string { return fmt.Sprintf("%.1f%%", 100*float64(v)) }
