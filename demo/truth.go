package demo

import "slices"

// Truth holds the true effects of a generated data set, computed from the
// potential outcomes themselves: for every treated unit and period the
// generator knows both the untreated value Y(0) and the reported value
// Y(1), each clipped and rounded, and the ATT of a cell group is the mean
// of Y(1) − Y(0) over all its unit-periods, observed or missing (cells are
// missing completely at random). Indicators without an effect are absent
// and have a true effect of zero everywhere.
type Truth struct {
	Policy     string           `json:"policy"`
	Note       string           `json:"note"`
	Indicators []IndicatorTruth `json:"indicators"`
}

// IndicatorTruth is the true effect on one indicator.
type IndicatorTruth struct {
	Indicator string `json:"indicator"`
	Direction int    `json:"direction"`
	Effect    Effect `json:"effect"`
	// SizeUnits is the full effect before heterogeneity multipliers, in the
	// indicator's units and signed (Direction·Size, converted from sd).
	SizeUnits float64 `json:"size_units"`
	// SD is the cross-unit sd of Y(0) in BaseYear (used when the effect is
	// given in sd units).
	SD       float64 `json:"sd"`
	BaseYear int     `json:"base_year"`
	// ATT over treated unit-years with event time ≥ 0, on the annual panel.
	ATT float64 `json:"att"`
	N   int     `json:"n"`
	// ByEventTime pools cohorts; event time e is year − adoption year.
	ByEventTime []Cell `json:"by_event_time"`
	// ByCohort splits by adoption year.
	ByCohort []CohortTruth `json:"by_cohort"`
	// Monthly is set for monthly indicators when the monthly panel is kept:
	// event time in months since January of the adoption year.
	Monthly *PeriodTruth `json:"monthly,omitempty"`
}

// PeriodTruth is the same breakdown on the monthly panel.
type PeriodTruth struct {
	ATT         float64       `json:"att"`
	N           int           `json:"n"`
	ByEventTime []Cell        `json:"by_event_time"`
	ByCohort    []CohortTruth `json:"by_cohort"`
}

// Cell is the ATT at one event time.
type Cell struct {
	EventTime int     `json:"e"`
	N         int     `json:"n"`
	ATT       float64 `json:"att"`
}

// CohortTruth is the true effect for the units adopting in one year.
type CohortTruth struct {
	Cohort      int     `json:"cohort"`
	Units       int     `json:"units"`
	ATT         float64 `json:"att"` // event time ≥ 0
	N           int     `json:"n"`
	ByEventTime []Cell  `json:"by_event_time"`
}

// Indicator returns the truth for code, or nil if the indicator is
// unaffected.
func (t *Truth) Indicator(code string) *IndicatorTruth {
	for i := range t.Indicators {
		if t.Indicators[i].Indicator == code {
			return &t.Indicators[i]
		}
	}
	return nil
}

// ATT returns the true annual ATT of indicator code for cohort (adoption
// year) at event time e, and false when no treated unit-year has that
// cohort and event time. Unaffected indicators return 0, true for any
// cohort and event time present in another indicator's truth.
func (t *Truth) ATT(code string, cohort, e int) (float64, bool) {
	it := t.Indicator(code)
	if it == nil {
		for i := range t.Indicators {
			if _, ok := t.Indicators[i].att(cohort, e); ok {
				return 0, true
			}
		}
		return 0, false
	}
	return it.att(cohort, e)
}

func (it *IndicatorTruth) att(cohort, e int) (float64, bool) {
	i := slices.IndexFunc(it.ByCohort, func(c CohortTruth) bool { return c.Cohort == cohort })
	if i < 0 {
		return 0, false
	}
	cells := it.ByCohort[i].ByEventTime
	j := slices.IndexFunc(cells, func(c Cell) bool { return c.EventTime == e })
	if j < 0 {
		return 0, false
	}
	return cells[j].ATT, true
}

// accum sums Y(1) − Y(0) by cohort and event time for one panel frequency.
// sum[k][c*nE+e−eMin] for effect k, cohort c.
type accum struct {
	nE, eMin int
	sum      [][]float64
	n        []int // per cohort × event time (same for all effects)
}

func newAccum(nEff, nCohort, eMin, eMax int) *accum {
	nE := eMax - eMin + 1
	a := &accum{nE: nE, eMin: eMin, sum: make([][]float64, nEff), n: make([]int, nCohort*nE)}
	for k := range a.sum {
		a.sum[k] = make([]float64, nCohort*nE)
	}
	return a
}

// add merges b into a (in the caller's fixed order: deterministic).
func (a *accum) add(b *accum) {
	for k := range a.sum {
		for i, v := range b.sum[k] {
			a.sum[k][i] += v
		}
	}
	for i, v := range b.n {
		a.n[i] += v
	}
}

// result turns sums into the by-event-time and by-cohort breakdowns.
func (a *accum) result(k int, cohorts []int, cohortUnits []int) (att float64, n int, byE []Cell, byC []CohortTruth) {
	pooledS := make([]float64, a.nE)
	pooledN := make([]int, a.nE)
	var totS float64
	for c, year := range cohorts {
		ct := CohortTruth{Cohort: year, Units: cohortUnits[c]}
		var cs float64
		for ei := 0; ei < a.nE; ei++ {
			cnt := a.n[c*a.nE+ei]
			if cnt == 0 {
				continue
			}
			s := a.sum[k][c*a.nE+ei]
			e := ei + a.eMin
			ct.ByEventTime = append(ct.ByEventTime, Cell{EventTime: e, N: cnt, ATT: s / float64(cnt)})
			pooledS[ei] += s
			pooledN[ei] += cnt
			if e >= 0 {
				cs += s
				ct.N += cnt
			}
		}
		if ct.N > 0 {
			ct.ATT = cs / float64(ct.N)
		}
		totS += cs
		n += ct.N
		byC = append(byC, ct)
	}
	for ei := 0; ei < a.nE; ei++ {
		if pooledN[ei] > 0 {
			byE = append(byE, Cell{EventTime: ei + a.eMin, N: pooledN[ei], ATT: pooledS[ei] / float64(pooledN[ei])})
		}
	}
	if n > 0 {
		att = totS / float64(n)
	}
	return att, n, byE, byC
}
