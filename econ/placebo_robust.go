package econ

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// FakeTiming is the estimate of a placebo treatment dated Shift periods
// before the real adoption.
type FakeTiming struct {
	Shift int
	Coef  Coef
	NObs  int
}

// EstimateFakeTiming runs the fake-treatment-year placebo: for each shift
// s > 0 (in the units of spec.Time) it keeps only the observations before
// real treatment (never-treated units entirely, treated units before their
// cohort) and estimates spec.Formula with spec.Treat replaced by the fake
// treatment 1{Time ≥ Cohort − s}. Under parallel trends and no
// anticipation the fake effects are zero. spec.Unit, Mode, Draws and Seed
// are not used.
func EstimateFakeTiming(data *Frame, spec PlaceboSpec, shifts []int, opts Options) ([]FakeTiming, error) {
	f, err := ParseFormula(spec.Formula)
	if err != nil {
		return nil, err
	}
	if err := checkTreatTerm(f, spec.Treat); err != nil {
		return nil, err
	}
	tm, ok := data.Float(spec.Time)
	if !ok {
		return nil, fmt.Errorf("econ: fake timing: no numeric time column %q", spec.Time)
	}
	co, ok := data.Float(spec.Cohort)
	if !ok {
		return nil, fmt.Errorf("econ: fake timing: no numeric cohort column %q", spec.Cohort)
	}
	never := func(c float64) bool { return !isFinite(c) || slices.Contains(spec.Never, c) }
	var rows []int
	for i := range tm {
		if isFinite(tm[i]) && (never(co[i]) || tm[i] < co[i]) {
			rows = append(rows, i)
		}
	}
	out := make([]FakeTiming, 0, len(shifts))
	for _, s := range shifts {
		if s <= 0 {
			return nil, fmt.Errorf("econ: fake timing: shift %d must be positive", s)
		}
		fake := make([]float64, len(rows))
		for a, i := range rows {
			if !never(co[i]) && tm[i] >= co[i]-float64(s) {
				fake[a] = 1
			}
		}
		sub, err := frameRows(data, rows, spec.Treat)
		if err != nil {
			return nil, err
		}
		if err := sub.AddFloat(spec.Treat, fake); err != nil {
			return nil, err
		}
		r, err := Estimate(sub, spec.Formula, opts)
		if err != nil {
			return nil, fmt.Errorf("econ: fake timing, shift %d: %w", s, err)
		}
		c, ok := r.Coef(spec.Treat)
		if !ok {
			return nil, fmt.Errorf("econ: fake timing, shift %d: %w", s, &CollinearError{Dropped: []string{spec.Treat}})
		}
		out = append(out, FakeTiming{Shift: s, Coef: c, NObs: r.NObs})
	}
	return out, nil
}

// LeaveOut is the estimate of one coefficient without the rows of one
// level of a grouping column.
type LeaveOut struct {
	Level string
	Coef  Coef // NaN estimate if the model failed without this level
	NObs  int
	Err   error // why the model failed, if it did
}

// EstimateLeaveOut re-estimates formula once per level of the column by,
// leaving that level's rows out (leave-one-unit-out, leave-one-province-
// out or leave-one-year-out robustness), and returns coefficient coef each
// time, in level order (as [Frame] orders group labels). Levels run in
// parallel over opts.Workers; each estimation is single-threaded, so the
// output does not depend on the worker count. A level whose removal makes
// the model inestimable gets Err and a NaN coefficient.
func EstimateLeaveOut(data *Frame, formula, coef, by string, opts Options) ([]LeaveOut, error) {
	opts.defaults()
	if _, err := ParseFormula(formula); err != nil {
		return nil, err
	}
	codes, labels, ok := data.groups(by)
	if !ok {
		return nil, fmt.Errorf("econ: leave-out: no column %q", by)
	}
	out := make([]LeaveOut, len(labels))
	var next atomic.Int64
	var wg sync.WaitGroup
	inner := opts
	inner.Workers = 1
	for range min(opts.Workers, len(labels)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				g := int(next.Add(1)) - 1
				if g >= len(labels) {
					return
				}
				out[g] = leaveOut(data, formula, coef, codes, int32(g), labels[g], inner)
			}
		}()
	}
	wg.Wait()
	return out, nil
}

func leaveOut(data *Frame, formula, coef string, codes []int32, g int32, label string, opts Options) LeaveOut {
	lo := LeaveOut{Level: label, Coef: Coef{Name: coef, Estimate: math.NaN(), SE: math.NaN(), T: math.NaN(), P: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN()}}
	rows := make([]int, 0, len(codes))
	for i, c := range codes {
		if c != g {
			rows = append(rows, i)
		}
	}
	sub, err := frameRows(data, rows)
	if err != nil {
		lo.Err = err
		return lo
	}
	r, err := Estimate(sub, formula, opts)
	if err != nil {
		lo.Err = err
		return lo
	}
	lo.NObs = r.NObs
	c, ok := r.Coef(coef)
	if !ok {
		lo.Err = &CollinearError{Dropped: []string{coef}}
		return lo
	}
	lo.Coef = c
	return lo
}

// EstimateExcluding estimates formula without the rows whose value of the
// column by is one of levels (as labels: "2020", "Hubei"), for robustness
// checks that drop units or periods (e.g. the COVID years). Unknown levels
// are an error, so a typo does not silently exclude nothing.
func EstimateExcluding(data *Frame, formula, by string, levels []string, opts Options) (*Result, error) {
	codes, labels, ok := data.groups(by)
	if !ok {
		return nil, fmt.Errorf("econ: exclude: no column %q", by)
	}
	drop := make([]bool, len(labels))
	for _, l := range levels {
		found := false
		for g, lab := range labels {
			if lab == l || numEqual(lab, l) {
				drop[g] = true
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("econ: exclude: %s has no level %q", by, l)
		}
	}
	rows := make([]int, 0, len(codes))
	for i, c := range codes {
		if c < 0 || !drop[c] {
			rows = append(rows, i)
		}
	}
	sub, err := frameRows(data, rows)
	if err != nil {
		return nil, err
	}
	return Estimate(sub, formula, opts)
}
