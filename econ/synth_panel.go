package econ

import (
	"math"
	"slices"
	"strconv"
)

// SynthData holds a balanced panel in long form for the synthetic control
// estimators ([NewSynthPanel]): one entry per unit and period. Treat is the
// 0/1 treatment indicator; all treated units must adopt in the same period
// and stay treated (simultaneous adoption, as R synthdid's panel.matrices
// requires). Covariates are optional extra columns of the same length
// (NaN = missing), used as predictors by [SynthControl].
type SynthData struct {
	Unit       []string
	Time       []int
	Outcome    []float64
	Treat      []float64
	Covariates map[string][]float64
	// TreatName names the treatment column in error messages ("" gives
	// "treat").
	TreatName string
}

// SynthPanel is a balanced panel as an N×T outcome matrix, the layout of R
// synthdid: rows are units, the N0 control units first and then the
// N − N0 treated units (each group in the order of its labels, as
// panel.matrices with treated.last = TRUE); columns are periods in
// increasing order, the first T0 before treatment. Y is row-major:
// Y[i*T+t]. X holds the covariates in the same layout (NaN = missing).
//
// A SynthPanel is read-only for the estimators, which never modify it.
type SynthPanel struct {
	Units  []string
	Times  []int
	Y      []float64
	N0, T0 int
	X      map[string][]float64
}

// N returns the number of units.
func (p *SynthPanel) N() int { return len(p.Units) }

// T returns the number of periods.
func (p *SynthPanel) T() int { return len(p.Times) }

// SynthIssue is one problem with the data of a synthetic control: the unit
// and time labels ("" when not about one unit or cell), the column, and
// what is wrong.
type SynthIssue = DataIssue

// SynthError collects the data problems that prevent a synthetic control
// or synthetic DID estimate (at most 20; More counts the rest).
type SynthError struct {
	Issues []SynthIssue
	More   int
}

// Error lists the issues, separated by semicolons.
func (e *SynthError) Error() string {
	return formatIssues("econ: synthetic control: ", e.Issues, e.More)
}

func (e *SynthError) add(unit, time, col, format string, args ...any) {
	addIssue(&e.Issues, &e.More, unit, time, col, format, args...)
}

func (e *SynthError) orNil() error {
	if len(e.Issues) == 0 {
		return nil
	}
	return e
}

// NewSynthPanel arranges long-form data as a [SynthPanel]. It checks what
// synthdid's panel.matrices checks, and reports every problem found (up to
// 20) in a *[SynthError]: columns of different lengths, a missing unit
// label, a missing (NaN) outcome, a treatment other than 0/1, duplicated
// or missing unit-period cells (the panel must be balanced), no treated or
// no control unit, treatment in the first period, treatment that switches
// off, and treated units that adopt in different periods. Outcome names the
// outcome column in messages ("" gives "outcome").
func NewSynthPanel(d SynthData, outcome string) (*SynthPanel, error) {
	treat := d.TreatName
	if outcome == "" {
		outcome = "outcome"
	}
	if treat == "" {
		treat = "treat"
	}
	e := &SynthError{}
	n := len(d.Unit)
	if len(d.Time) != n || len(d.Outcome) != n || len(d.Treat) != n {
		e.add("", "", "", "columns of different lengths: unit %d, time %d, outcome %d, treat %d", n, len(d.Time), len(d.Outcome), len(d.Treat))
		return nil, e
	}
	covNames := make([]string, 0, len(d.Covariates))
	for name, x := range d.Covariates {
		if len(x) != n {
			e.add("", "", name, "has %d rows, want %d", len(x), n)
		}
		covNames = append(covNames, name)
	}
	if n == 0 {
		e.add("", "", "", "no rows")
	}
	if err := e.orNil(); err != nil {
		return nil, err
	}
	slices.Sort(covNames)
	lay, ok := layoutSynth(d, outcome, treat, "synthetic control", e)
	if !ok {
		return nil, e
	}
	names, times, row, first := lay.names, lay.times, lay.row, lay.first
	N, T := len(names), len(times)
	ts := strconv.Itoa
	var treated, controls []int
	T0 := -1
	for i, u := range names {
		if first[i] == T {
			controls = append(controls, i)
			continue
		}
		treated = append(treated, i)
		switch {
		case first[i] == 0:
			e.add(u, ts(times[0]), treat, "treated in the first period: no pre-treatment periods")
		case T0 < 0:
			T0 = first[i]
		case first[i] != T0:
			e.add(u, "", treat, "adopts in %d but other treated units in %d: adoption must be simultaneous", times[first[i]], times[T0])
		}
	}
	if len(treated) == 0 {
		e.add("", "", treat, "no treated unit")
	}
	if len(controls) == 0 {
		e.add("", "", treat, "no control (never-treated) unit")
	}
	if err := e.orNil(); err != nil {
		return nil, err
	}
	p := &SynthPanel{Times: times, N0: len(controls), T0: T0, Y: make([]float64, N*T)}
	if len(covNames) > 0 {
		p.X = make(map[string][]float64, len(covNames))
		for _, c := range covNames {
			p.X[c] = make([]float64, N*T)
		}
	}
	for k, i := range slices.Concat(controls, treated) {
		p.Units = append(p.Units, names[i])
		for j := range T {
			r := row[i*T+j]
			p.Y[k*T+j] = d.Outcome[r]
			for _, c := range covNames {
				p.X[c][k*T+j] = d.Covariates[c][r]
			}
		}
	}
	return p, nil
}

// Backdate returns the in-time placebo panel of p: the periods before
// treatment only, Times[:T0], with treatment pretended to start k periods
// earlier (T0 − k pre-periods and k placebo post-periods). An estimator
// run on it never sees an outcome after the real start, so its effect
// should be near zero; a large placebo effect means the method predicts
// the treated unit badly even without treatment. This is the in-time
// placebo of Abadie, Diamond & Hainmueller (2015, AJPS 59(2), 495–510:
// German reunification backdated from 1990 to 1975) and (2010, JASA, §2.5).
// The returned panel shares no memory with p.
//
// Errors: *[SynthError] when k < 1, or when fewer than 2 periods would
// remain before the placebo start (synthetic control and synthetic DID
// both need 2).
func (p *SynthPanel) Backdate(k int) (*SynthPanel, error) {
	e := &SynthError{}
	switch {
	case k < 1:
		e.add("", "", "", "in-time placebo %d periods back: want at least 1", k)
	case p.T0-k < 2:
		e.add("", "", "", "in-time placebo %d periods back leaves %d pre-treatment periods before the placebo start (the panel has %d before %d): need at least 2", k, max(p.T0-k, 0), p.T0, p.Times[p.T0])
	}
	if err := e.orNil(); err != nil {
		return nil, err
	}
	N, T, T0 := p.N(), p.T(), p.T0
	q := &SynthPanel{Units: slices.Clone(p.Units), Times: slices.Clone(p.Times[:T0]), N0: p.N0, T0: T0 - k,
		Y: make([]float64, N*T0)}
	for i := range N {
		copy(q.Y[i*T0:(i+1)*T0], p.Y[i*T:i*T+T0])
	}
	if p.X != nil {
		q.X = make(map[string][]float64, len(p.X))
		for c, x := range p.X {
			y := make([]float64, N*T0)
			for i := range N {
				copy(y[i*T0:(i+1)*T0], x[i*T:i*T+T0])
			}
			q.X[c] = y
		}
	}
	return q, nil
}

// synthLayout is SynthData arranged as a balanced unit × period grid:
// units and periods sorted, row[i*T+j] the row of d holding unit i in
// period j, first[i] the index of unit i's first treated period (T if
// never treated).
type synthLayout struct {
	names []string
	times []int
	row   []int
	first []int
}

// layoutSynth arranges d (columns already checked to have one length) as
// a [synthLayout], adding to e every missing unit label, duplicated or
// missing unit-period cell, missing outcome (what names the estimator in
// that message) and treatment other than 0 or 1 — then it returns false,
// as no grid can be built — and every treatment that switches off (the
// layout is still returned, so the caller can collect its own problems
// before reporting). [NewSynthPanel] and [StaggeredSDID] share it.
func layoutSynth(d SynthData, outcome, treat, what string, e *SynthError) (*synthLayout, bool) {
	n := len(d.Unit)
	times := slices.Clone(d.Time)
	slices.Sort(times)
	times = slices.Compact(times)
	tIdx := make(map[int]int, len(times))
	for j, t := range times {
		tIdx[t] = j
	}
	uIdx := map[string]int{}
	var names []string
	for _, u := range d.Unit {
		if _, ok := uIdx[u]; !ok && u != "" {
			uIdx[u] = 0
			names = append(names, u)
		}
	}
	if slices.Contains(d.Unit, "") {
		e.add("", "", "unit", "missing unit label")
	}
	slices.Sort(names)
	for i, u := range names {
		uIdx[u] = i
	}
	N, T := len(names), len(times)
	row := make([]int, N*T)
	for k := range row {
		row[k] = -1
	}
	ts := strconv.Itoa
	for r := range n {
		u := d.Unit[r]
		if u == "" {
			continue
		}
		k := uIdx[u]*T + tIdx[d.Time[r]]
		if row[k] >= 0 {
			e.add(u, ts(d.Time[r]), "", "duplicated unit-period cell")
			continue
		}
		row[k] = r
		if v := d.Outcome[r]; math.IsNaN(v) || math.IsInf(v, 0) {
			e.add(u, ts(d.Time[r]), outcome, "missing outcome (%s needs a complete outcome matrix)", what)
		}
		if v := d.Treat[r]; v != 0 && v != 1 {
			e.add(u, ts(d.Time[r]), treat, "treatment %v is not 0 or 1", v)
		}
	}
	for i, u := range names {
		for j, t := range times {
			if row[i*T+j] < 0 {
				e.add(u, ts(t), "", "no observation: the panel must be balanced")
			}
		}
	}
	if e.orNil() != nil {
		return nil, false
	}
	first := make([]int, N)
	for i, u := range names {
		first[i] = T
		for j := range T {
			on := d.Treat[row[i*T+j]] == 1
			if on && first[i] == T {
				first[i] = j
			}
			if !on && first[i] < T {
				e.add(u, ts(times[j]), treat, "treatment switches off after %d (adoption must be absorbing)", times[first[i]])
				break
			}
		}
	}
	return &synthLayout{names: names, times: times, row: row, first: first}, true
}
