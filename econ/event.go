package econ

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// EventSpec describes an event study on a panel: the outcome regressed on
// dummies of time relative to treatment, with unit and time fixed effects.
//
// Relative time is rel_it = Time_it − Cohort_i, where Cohort is the first
// treated period in the units of Time (a year, or a period index). Units
// whose cohort is NaN, ±Inf, one of Never, or later than every observed
// Time are never treated within the sample: they get the placeholder
// relative time [EventStudy.Placeholder] (−1000 as in fixest's
// base_stagg, or lower if that is taken), which is a reference level like
// Ref, so they serve only as controls (the coding of fixest's
// i(time_to_treatment, ref = c(-1, -1000)) and of sunab's never-treated).
type EventSpec struct {
	Outcome string
	Unit    string // unit fixed effect (and default cluster)
	Time    string // numeric time column (years or period index); time fixed effect
	Cohort  string // numeric column: first treated period of the row's unit
	// Never lists cohort values that mean "never treated" (e.g. 0).
	Never []float64
	// Controls are extra right-hand-side terms in formula syntax.
	Controls []string
	// FE are extra fixed effects in formula syntax (e.g. "region^year").
	FE []string
	// Ref is the reference relative period, normalised to zero; it must
	// be negative. The zero value means −1, the last pre-treatment period.
	Ref int
	// Lo and Hi bin the end points: relative times below Lo are pooled
	// into Lo, those above Hi into Hi (Lo < 0 < Hi; zero = no binning on
	// that side). Binning keeps far leads and lags from being identified
	// by a handful of cohorts (Schmidt 2019; Borusyak, Jaravel & Spiess
	// 2024 on under-identification without binning or never-treated units).
	Lo, Hi int
}

// EventPoint is the estimate for one relative period, ready to plot.
type EventPoint struct {
	RelTime  int     `json:"rel_time"`
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
	CILow    float64 `json:"ci_low"`
	CIHigh   float64 `json:"ci_high"`
	P        float64 `json:"p"`
	// Ref marks the reference period (estimate, SE and CI 0).
	Ref bool `json:"ref,omitempty"`
	// Binned marks a pooled end point (all relative times ≤ Lo or ≥ Hi).
	Binned bool `json:"binned,omitempty"`
	// Dropped marks a period whose coefficient was removed as collinear
	// (estimate and CI NaN).
	Dropped bool `json:"dropped,omitempty"`
	N       int  `json:"n"` // treated-unit observations at this relative time
}

// MarshalJSON writes p with null for NaN or infinite numbers (a dropped
// period's estimate and interval), which encoding/json cannot encode.
func (p EventPoint) MarshalJSON() ([]byte, error) {
	num := func(v float64) json.RawMessage {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return json.RawMessage("null")
		}
		return json.RawMessage(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return json.Marshal(struct {
		RelTime  int             `json:"rel_time"`
		Estimate json.RawMessage `json:"estimate"`
		SE       json.RawMessage `json:"se"`
		CILow    json.RawMessage `json:"ci_low"`
		CIHigh   json.RawMessage `json:"ci_high"`
		P        json.RawMessage `json:"p"`
		Ref      bool            `json:"ref,omitempty"`
		Binned   bool            `json:"binned,omitempty"`
		Dropped  bool            `json:"dropped,omitempty"`
		N        int             `json:"n"`
	}{p.RelTime, num(p.Estimate), num(p.SE), num(p.CILow), num(p.CIHigh), num(p.P), p.Ref, p.Binned, p.Dropped, p.N})
}

// EventStudy is a fitted event study.
type EventStudy struct {
	Spec        EventSpec
	Formula     string // the formula estimated; the dummies are i(<RelName>, …)
	RelName     string // the relative-time column added to the data
	Placeholder int    // relative time given to never-treated units
	Fit         *Result
	// Points per relative period in increasing order, including the
	// reference period; estimates are relative to it.
	Points []EventPoint
	// PreTrend jointly tests that every pre-treatment coefficient (relative
	// time < 0 except the reference) is zero: parallel trends before
	// treatment, with the model's (by default unit-clustered) variance.
	// Nil when there are no pre-treatment coefficients or the test cannot
	// be computed (then Fit.Notes says why).
	PreTrend *WaldTest
	// NeverTreated counts units never treated in the sample.
	NeverTreated int
}

// relTime returns the binned relative time Time − Cohort of every row of
// data (NaN where the time is missing) with never-treated rows set to the
// placeholder, which it also returns.
func (s *EventSpec) relTime(data *Frame) (rel []float64, placeholder int, err error) {
	tm, ok := data.Float(s.Time)
	if !ok {
		if data.has(s.Time) {
			return nil, 0, fmt.Errorf("econ: event study: time column %q must be numeric (years or a period index)", s.Time)
		}
		return nil, 0, fmt.Errorf("econ: event study: no time column %q", s.Time)
	}
	co, ok := data.Float(s.Cohort)
	if !ok {
		if data.has(s.Cohort) {
			return nil, 0, fmt.Errorf("econ: event study: cohort column %q must be numeric (first treated period)", s.Cohort)
		}
		return nil, 0, fmt.Errorf("econ: event study: no cohort column %q", s.Cohort)
	}
	tmax := math.Inf(-1)
	for _, v := range tm {
		if isFinite(v) {
			tmax = max(tmax, v)
		}
	}
	rel = make([]float64, len(tm))
	minRel := math.Inf(1)
	for i := range rel {
		c := co[i]
		switch {
		case !isFinite(tm[i]):
			rel[i] = math.NaN()
		case !isFinite(c) || c > tmax || slices.Contains(s.Never, c):
			rel[i] = math.Inf(-1) // placeholder, set below
		default:
			r := tm[i] - c
			if r != math.Trunc(r) {
				return nil, 0, fmt.Errorf("econ: event study: row %d: time %v minus cohort %v is not a whole number of periods", i+1, tm[i], c)
			}
			if s.Lo < 0 && r < float64(s.Lo) {
				r = float64(s.Lo)
			}
			if s.Hi > 0 && r > float64(s.Hi) {
				r = float64(s.Hi)
			}
			rel[i] = r
			minRel = min(minRel, r)
		}
	}
	placeholder = -1000
	if minRel <= float64(placeholder) {
		placeholder = int(minRel) - 1000
	}
	for i, r := range rel {
		if math.IsInf(r, -1) {
			rel[i] = float64(placeholder)
		}
	}
	return rel, placeholder, nil
}

// EstimateEventStudy fits the event study
//
//	y_it = α_i + λ_t + Σ_{k ≠ ref} β_k 1{rel_it = k} + x_it'γ + ε_it
//
// (fixest: feols(y ~ i(rel, ref = c(ref, placeholder)) + x | unit + time)),
// returns the coefficient-plot points with confidence intervals at
// opts.Level, the reference period shown as 0, and the joint Wald test of
// the pre-treatment coefficients. Under staggered adoption with effects
// that differ by cohort the β_k mix cohorts with possibly negative weights
// (Sun & Abraham 2021); with a single adoption date, or homogeneous
// effects, they are the dynamic effects relative to period ref.
func EstimateEventStudy(data *Frame, spec EventSpec, opts Options) (*EventStudy, error) {
	if spec.Ref == 0 {
		spec.Ref = -1
	}
	if spec.Ref > 0 {
		return nil, fmt.Errorf("econ: event study: reference period %d must be negative (a pre-treatment period)", spec.Ref)
	}
	if spec.Lo > 0 || spec.Hi < 0 || (spec.Lo < 0 && spec.Ref < spec.Lo) {
		return nil, fmt.Errorf("econ: event study: bins [%d, %d] must satisfy Lo ≤ ref = %d < 0 < Hi", spec.Lo, spec.Hi, spec.Ref)
	}
	if spec.Outcome == "" || spec.Unit == "" || spec.Time == "" || spec.Cohort == "" {
		return nil, errors.New("econ: event study: outcome, unit, time and cohort columns are required")
	}
	rel, ph, err := spec.relTime(data)
	if err != nil {
		return nil, err
	}
	f, names, err := frameWith(data, []string{"rel_time"}, map[string][]float64{"rel_time": rel})
	if err != nil {
		return nil, err
	}
	es := &EventStudy{Spec: spec, RelName: names[0], Placeholder: ph}
	hasRef := false
	for _, r := range rel {
		hasRef = hasRef || r == float64(spec.Ref)
	}
	if !hasRef {
		return nil, fmt.Errorf("econ: event study: no treated observation at the reference period %d", spec.Ref)
	}
	refs := strconv.Itoa(spec.Ref)
	hasNever := slices.Contains(rel, float64(ph))
	if hasNever {
		refs = "c(" + refs + ", " + strconv.Itoa(ph) + ")"
	}
	rhs := append([]string{fmt.Sprintf("i(%s, ref = %s)", es.RelName, refs)}, spec.Controls...)
	fe := append([]string{spec.Unit, spec.Time}, spec.FE...)
	es.Formula = fmt.Sprintf("%s ~ %s | %s", spec.Outcome, strings.Join(rhs, " + "), strings.Join(fe, " + "))
	fit, err := Estimate(f, es.Formula, opts)
	if err != nil {
		return nil, err
	}
	es.Fit = fit

	// Never-treated units and treated observations per relative time, in
	// the estimation sample.
	counts := map[int]int{}
	unitCodes, _, _ := f.groups(spec.Unit)
	neverUnits := map[int32]bool{}
	for _, i := range fit.Rows {
		r := int(rel[i])
		if r == ph {
			if unitCodes != nil {
				neverUnits[unitCodes[i]] = true
			}
			continue
		}
		counts[r]++
	}
	es.NeverTreated = len(neverUnits)
	times := make([]int, 0, len(counts))
	for r := range counts {
		times = append(times, r)
	}
	slices.Sort(times)
	var pre []string
	for _, r := range times {
		p := EventPoint{RelTime: r, N: counts[r], Binned: (spec.Lo < 0 && r == spec.Lo) || (spec.Hi > 0 && r == spec.Hi)}
		if r == spec.Ref {
			p.Ref = true
			p.P = 1
			es.Points = append(es.Points, p)
			continue
		}
		name := es.RelName + "::" + strconv.Itoa(r)
		c, ok := fit.Coef(name)
		if !ok {
			p.Dropped = true
			p.Estimate, p.SE, p.CILow, p.CIHigh, p.P = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		} else {
			p.Estimate, p.SE, p.CILow, p.CIHigh, p.P = c.Estimate, c.SE, c.CILow, c.CIHigh, c.P
			if r < 0 {
				pre = append(pre, name)
			}
		}
		es.Points = append(es.Points, p)
	}
	if len(pre) > 0 {
		// A test that cannot be computed (a singular variance, say with
		// fewer clusters than leads) leaves PreTrend nil, with a note.
		if es.PreTrend, err = Wald(fit, pre); err != nil {
			fit.Notes = append(fit.Notes, "no pre-trend test: "+err.Error())
		}
	}
	return es, nil
}

// Point returns the plot point at relative time r, or false.
func (es *EventStudy) Point(r int) (EventPoint, bool) {
	for _, p := range es.Points {
		if p.RelTime == r {
			return p, true
		}
	}
	return EventPoint{}, false
}
