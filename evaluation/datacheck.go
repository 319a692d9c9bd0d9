package evaluation

import (
	"fmt"
	"math"
	"sort"

	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/panel"
)

// DataCheck is the result of [CheckData]. Problems are things an analyst must
// fix or accept before an evaluation; the rest is description.
type DataCheck struct {
	Framework  string          `json:"framework"`
	Panels     []PanelInfo     `json:"panels"`
	Indicators []IndicatorInfo `json:"indicators"` // in framework order, then extras
	Dimensions []DimensionInfo `json:"dimensions"`
	Pilots     []PolicyInfo    `json:"policies"`
	Rollups    []RollupCheck   `json:"rollups,omitempty"`
	Problems   []string        `json:"problems"`
	// MissingShare is the share of missing cells over all indicators of
	// the framework found in the data, at their finest frequency.
	MissingShare float64 `json:"missing_share"`
}

// PanelInfo describes one panel.
type PanelInfo struct {
	Freq       string `json:"frequency"`
	Units      int    `json:"units"`
	Periods    int    `json:"periods"`
	Start      string `json:"start"`
	End        string `json:"end"`
	Indicators int    `json:"indicators"`
}

// IndicatorInfo says where an indicator was found and how complete it is.
type IndicatorInfo struct {
	Code      string  `json:"code"`
	Dimension string  `json:"dimension,omitempty"` // top-level dimension code; "" for indicators outside the framework
	Declared  string  `json:"declared_frequency,omitempty"`
	Found     string  `json:"found_frequency,omitempty"` // finest frequency holding it; "" if absent
	Cells     int     `json:"cells"`
	Missing   int     `json:"missing"`
	Share     float64 `json:"missing_share"`
	Longest   int     `json:"longest_gap"`
	Imputed   string  `json:"imputation,omitempty"`
	InFrame   bool    `json:"in_framework"`
	AllMissed bool    `json:"all_missing,omitempty"`
}

// DimensionInfo aggregates indicators by top-level dimension.
type DimensionInfo struct {
	Code       string  `json:"code"`
	NameZh     string  `json:"name_zh,omitempty"`
	NameEn     string  `json:"name_en,omitempty"`
	Indicators int     `json:"indicators"`
	Found      int     `json:"found"`
	Share      float64 `json:"missing_share"`
}

// PolicyInfo counts the adopters of a policy by adoption period.
type PolicyInfo struct {
	Policy  string         `json:"policy"`
	Units   int            `json:"units"`
	Never   int            `json:"never_treated"`
	Cohorts map[string]int `json:"cohorts"` // adoption period → units
}

// RollupCheck compares an indicator's finer-frequency data, rolled up by its
// declared aggregation, with the coarser values supplied for it.
type RollupCheck struct {
	Code     string  `json:"code"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	Compared int     `json:"compared"`     // cells where both are present
	MaxAbs   float64 `json:"max_abs_diff"` // largest |rolled − supplied|
	MaxRel   float64 `json:"max_rel_diff"` // largest |rolled − supplied| / max(1, |supplied|)
	Agrees   bool    `json:"agrees"`       // MaxRel ≤ Tol, or MaxAbs within the rounding of the supplied values
	Tol      float64 `json:"tolerance"`
	// Decimals is the number of decimals the supplied values are written
	// with (at most 6); a roll-up of rounded sub-period values may differ
	// from the rounded coarse value by half a unit of that place.
	Decimals int `json:"decimals"`
}

// CheckOptions tune [CheckData].
type CheckOptions struct {
	// RollupTol is the relative tolerance for the roll-up check; values in
	// files are often rounded (default 0.01: 1%).
	RollupTol float64
	// RequireAttrs lists unit attributes every unit must have
	// ("province", "region", "tier").
	RequireAttrs []string
}

// CheckData checks panels (one per frequency) against framework fw.
func CheckData(fw *framework.Framework, panels []*panel.Panel, opts CheckOptions) *DataCheck {
	if opts.RollupTol == 0 {
		opts.RollupTol = 0.01
	}
	c := &DataCheck{Framework: fw.Code}
	sorted := append([]*panel.Panel(nil), panels...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Freq > sorted[j].Freq }) // finest first
	for _, p := range panels {
		pi := PanelInfo{Freq: p.Freq.String(), Units: p.NUnits(), Periods: p.T, Indicators: len(p.Indicators())}
		if p.T > 0 {
			pi.Start, pi.End = p.Start.String(), p.End().String()
		}
		c.Panels = append(c.Panels, pi)
	}
	finest := func(code string) *panel.Panel {
		for _, p := range sorted {
			if p.Has(code) {
				return p
			}
		}
		return nil
	}

	dimOf := map[string]*framework.Node{}
	for _, d := range fw.Goal.Children {
		markDim(d, d, dimOf)
	}
	var totalCells, totalMissing int
	seen := map[string]bool{}
	for _, leaf := range fw.Leaves() {
		seen[leaf.Code] = true
		info := IndicatorInfo{Code: leaf.Code, Declared: string(leaf.Freq()), InFrame: true}
		if d := dimOf[leaf.Code]; d != nil {
			info.Dimension = d.Code
		}
		p := finest(leaf.Code)
		if p == nil {
			c.Problems = append(c.Problems, fmt.Sprintf("indicator %s (%s) of framework %s is not in the data", leaf.Code, leaf.NameZh, fw.Code))
			c.Indicators = append(c.Indicators, info)
			continue
		}
		fillMissing(&info, p, leaf.Code)
		if declared := freqOf(leaf.Freq()); declared != panel.FreqUnknown && p.Freq.PerYear() < declared.PerYear() {
			c.Problems = append(c.Problems, fmt.Sprintf("indicator %s is declared %s but the data are %s at the finest", leaf.Code, leaf.Freq(), p.Freq))
		}
		if info.AllMissed {
			c.Problems = append(c.Problems, fmt.Sprintf("indicator %s has no values at all", leaf.Code))
		}
		totalCells += info.Cells
		totalMissing += info.Missing
		c.Indicators = append(c.Indicators, info)
	}
	for _, p := range sorted {
		for _, code := range p.Indicators() {
			if seen[code] {
				continue
			}
			seen[code] = true
			info := IndicatorInfo{Code: code}
			fillMissing(&info, p, code)
			c.Indicators = append(c.Indicators, info)
			c.Problems = append(c.Problems, fmt.Sprintf("indicator %s is in the data but not in framework %s: it will be ignored", code, fw.Code))
		}
	}
	if totalCells > 0 {
		c.MissingShare = float64(totalMissing) / float64(totalCells)
	}

	for _, d := range fw.Goal.Children {
		di := DimensionInfo{Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn}
		var cells, miss int
		for _, info := range c.Indicators {
			if info.Dimension != d.Code {
				continue
			}
			di.Indicators++
			if info.Found != "" {
				di.Found++
				cells += info.Cells
				miss += info.Missing
			}
		}
		if cells > 0 {
			di.Share = float64(miss) / float64(cells)
		}
		c.Dimensions = append(c.Dimensions, di)
	}

	c.Rollups = checkRollups(fw, sorted, opts.RollupTol)
	for _, r := range c.Rollups {
		if !r.Agrees {
			c.Problems = append(c.Problems, fmt.Sprintf("indicator %s: %s data rolled up by %s differ from the %s values supplied by up to %.3g (relative %.2g)",
				r.Code, r.From, fw.Find(r.Code).Agg(), r.To, r.MaxAbs, r.MaxRel))
		}
	}

	if len(panels) > 0 {
		p := sorted[len(sorted)-1] // coarsest panel: treatments are the same on all
		if err := p.ValidateTreatments(); err != nil {
			c.Problems = append(c.Problems, err.Error())
		}
		for _, pol := range p.Policies() {
			pi := PolicyInfo{Policy: pol, Cohorts: map[string]int{}}
			for _, a := range p.Treatments {
				if a.Policy == pol {
					pi.Units++
					pi.Cohorts[a.Start.String()]++
				}
			}
			pi.Never = p.NUnits() - pi.Units
			c.Pilots = append(c.Pilots, pi)
		}
		for _, attr := range opts.RequireAttrs {
			var lacking []string
			for _, u := range p.Units {
				if unitAttr(u, attr) == "" {
					lacking = append(lacking, u.Code)
				}
			}
			if len(lacking) > 0 {
				c.Problems = append(c.Problems, fmt.Sprintf("%d units have no %s (first: %s)", len(lacking), attr, lacking[0]))
			}
		}
	}
	return c
}

func markDim(top, n *framework.Node, dimOf map[string]*framework.Node) {
	if n.IsIndicator() {
		dimOf[n.Code] = top
		return
	}
	for _, ch := range n.Children {
		markDim(top, ch, dimOf)
	}
}

func fillMissing(info *IndicatorInfo, p *panel.Panel, code string) {
	info.Found = p.Freq.String()
	col := p.Col(code)
	info.Cells = len(col)
	for u := 0; u < p.NUnits(); u++ {
		run := 0
		for _, v := range col[u*p.T : (u+1)*p.T] {
			if math.IsNaN(v) {
				info.Missing++
				run++
				info.Longest = max(info.Longest, run)
			} else {
				run = 0
			}
		}
	}
	if info.Cells > 0 {
		info.Share = float64(info.Missing) / float64(info.Cells)
	}
	info.AllMissed = info.Cells > 0 && info.Missing == info.Cells
	info.Imputed = p.Imputation[code]
}

func freqOf(f framework.Frequency) panel.Freq {
	g, err := panel.ParseFreq(string(f))
	if err != nil {
		return panel.FreqUnknown
	}
	return g
}

func unitAttr(u panel.Unit, attr string) string {
	switch attr {
	case "name_zh":
		return u.NameZh
	case "name_en":
		return u.NameEn
	case "province":
		return u.Province
	case "region":
		return u.Region
	case "tier":
		return u.Tier
	}
	return ""
}

// decimals returns the number of decimal places (0–6) needed to write every
// non-missing value of col exactly.
func decimals(col []float64) int {
	d := 0
	for _, v := range col {
		if math.IsNaN(v) {
			continue
		}
		for d < 6 {
			x := v * math.Pow10(d)
			if math.Abs(x-math.Round(x)) <= 1e-6*math.Max(1, math.Abs(x)) {
				break
			}
			d++
		}
	}
	return d
}

// checkRollups rolls each indicator present in a finer panel up to every
// coarser panel that also holds it and compares with the supplied values.
// Only coarse periods whose sub-periods are all present are compared, the
// rule [panel.Panel.Rollup] applies by default.
func checkRollups(fw *framework.Framework, finestFirst []*panel.Panel, tol float64) []RollupCheck {
	var out []RollupCheck
	for i, fine := range finestFirst {
		for _, coarse := range finestFirst[i+1:] {
			var codes []string
			agg := map[string]panel.Aggregation{}
			for _, code := range fine.Indicators() {
				n := fw.Find(code)
				if n == nil || !n.IsIndicator() || !coarse.Has(code) {
					continue
				}
				codes = append(codes, code)
				agg[code] = panel.Aggregation(n.Agg())
			}
			if len(codes) == 0 {
				continue
			}
			sub := panel.New(fine.Units, fine.Start, fine.T)
			for _, code := range codes {
				sub.Set(code, fine.Col(code))
			}
			rolled, err := sub.Rollup(coarse.Freq, panel.RollupOptions{Agg: agg})
			if err != nil {
				continue
			}
			for _, code := range codes {
				r := RollupCheck{Code: code, From: fine.Freq.String(), To: coarse.Freq.String(), Tol: tol}
				rc, cc := rolled.Col(code), coarse.Col(code)
				for u, unit := range rolled.Units {
					cu, ok := coarse.UnitIndex(unit.Code)
					if !ok {
						continue
					}
					for t := 0; t < rolled.T; t++ {
						ct, ok := coarse.PeriodIndex(rolled.Period(t))
						if !ok {
							continue
						}
						a, b := rc[u*rolled.T+t], cc[cu*coarse.T+ct]
						if math.IsNaN(a) || math.IsNaN(b) {
							continue
						}
						r.Compared++
						d := math.Abs(a - b)
						r.MaxAbs = max(r.MaxAbs, d)
						r.MaxRel = max(r.MaxRel, d/math.Max(1, math.Abs(b)))
					}
				}
				r.Decimals = decimals(cc)
				r.Agrees = r.MaxRel <= tol || r.MaxAbs <= 0.5*math.Pow10(-r.Decimals)+1e-9
				out = append(out, r)
			}
		}
	}
	return out
}
