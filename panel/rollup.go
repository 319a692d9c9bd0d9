package panel

import (
	"fmt"
	"math"
)

// Aggregation says how an indicator's finer-period values combine into a
// coarser period (months → quarter → year).
type Aggregation string

const (
	Sum  Aggregation = "sum"  // flows: tickets, enterprises founded
	Mean Aggregation = "mean" // rates and times averaged over the period
	Last Aggregation = "last" // stocks: the value at the end of the period
	Max  Aggregation = "max"
	Min  Aggregation = "min"
)

// ParseAggregation reads sum, mean (avg, average), last (end), max, min.
func ParseAggregation(s string) (Aggregation, error) {
	switch s {
	case "sum", "total":
		return Sum, nil
	case "mean", "avg", "average":
		return Mean, nil
	case "last", "end":
		return Last, nil
	case "max":
		return Max, nil
	case "min":
		return Min, nil
	}
	return "", fmt.Errorf("unknown aggregation %q (want sum, mean, last, max or min)", s)
}

// RollupOptions control [Panel.Rollup].
type RollupOptions struct {
	// Agg gives each indicator's aggregation; indicators not listed use
	// Default. An empty Default with an unlisted indicator is an error.
	Agg     map[string]Aggregation
	Default Aggregation
	// MinShare is the share of sub-periods that must be present for the
	// coarse value to be computed (0 means all of them: a year with one
	// missing month is missing). Sum is never computed from an incomplete
	// period, whatever MinShare says, because it would be biased down.
	// Last takes the last present sub-period when MinShare < 1.
	MinShare float64
}

// Rollup returns a new panel at the coarser frequency to (Quarter or Year)
// with every indicator aggregated by its declared aggregation. Partial
// coarse periods at either end (a year whose first months lie before the
// panel starts) are computed over the sub-periods present in the panel and
// so follow the MinShare rule like any missing month. Treatments and the
// imputation record are carried over.
func (p *Panel) Rollup(to Freq, opts RollupOptions) (*Panel, error) {
	if to == p.Freq {
		return p.Clone(), nil
	}
	if to.PerYear() == 0 || to.PerYear() > p.Freq.PerYear() || p.Freq.PerYear()%to.PerYear() != 0 {
		return nil, fmt.Errorf("panel: cannot roll up %s periods to %s", p.Freq, to)
	}
	k := p.Freq.PerYear() / to.PerYear() // sub-periods per coarse period
	if p.T == 0 {
		return New(p.Units, Period{Freq: to}, 0), nil
	}
	first, _ := p.Start.To(to)
	last, _ := p.End().To(to)
	T := int(last.Ord-first.Ord) + 1
	q := New(p.Units, first, T)
	q.Treatments = append(q.Treatments, p.Treatments...)
	if p.Imputation != nil {
		q.Imputation = make(map[string]string, len(p.Imputation))
		for n, v := range p.Imputation {
			q.Imputation[n] = v
		}
	}
	need := k
	if opts.MinShare > 0 && opts.MinShare < 1 {
		need = int(math.Ceil(opts.MinShare*float64(k) - 1e-9))
		need = max(need, 1)
	}
	// offset of panel period 0 within its coarse period
	off := int(p.Start.Ord) - int(firstSub(first, p.Freq))
	for _, name := range p.names {
		agg, ok := opts.Agg[name]
		if !ok {
			agg = opts.Default
		}
		if agg == "" {
			return nil, fmt.Errorf("panel: no aggregation for indicator %q", name)
		}
		if _, err := ParseAggregation(string(agg)); err != nil {
			return nil, fmt.Errorf("panel: indicator %q: %w", name, err)
		}
		src := p.Col(name)
		dst := q.Add(name)
		nd := need
		if agg == Sum {
			nd = k
		}
		for u := range p.Units {
			s := src[u*p.T : (u+1)*p.T]
			d := dst[u*T : (u+1)*T]
			for c := 0; c < T; c++ {
				lo := c*k - off
				d[c] = aggregate(s, lo, lo+k, agg, nd)
			}
		}
	}
	return q, nil
}

// firstSub returns the ordinal at frequency f of the first sub-period of the
// coarse period c.
func firstSub(c Period, f Freq) int32 { return startOrd(c, f) }

// aggregate combines s[lo:hi] (indices may fall outside s: those count as
// missing) by agg, returning NaN when fewer than need values are present.
func aggregate(s []float64, lo, hi int, agg Aggregation, need int) float64 {
	n := 0
	var acc float64
	lastV := math.NaN()
	switch agg {
	case Max:
		acc = math.Inf(-1)
	case Min:
		acc = math.Inf(1)
	}
	for i := lo; i < hi; i++ {
		if i < 0 || i >= len(s) || math.IsNaN(s[i]) {
			continue
		}
		v := s[i]
		n++
		switch agg {
		case Sum, Mean:
			acc += v
		case Max:
			acc = max(acc, v)
		case Min:
			acc = min(acc, v)
		case Last:
			lastV = v
		}
	}
	if n < need || n == 0 {
		return math.NaN()
	}
	switch agg {
	case Mean:
		return acc / float64(n)
	case Last:
		if need == hi-lo && (hi-1 >= len(s) || hi-1 < 0 || math.IsNaN(s[hi-1])) {
			return math.NaN()
		}
		return lastV
	}
	return acc
}
