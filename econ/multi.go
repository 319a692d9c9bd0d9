package econ

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// demeanCache holds demeaned columns for one fixed-effect structure (the
// same fixed effects and weights) and one estimation sample, shared by the
// models of [EstimateMulti]. The first model that needs a sample demeans
// its own columns together with every column the other models announced
// (want), in one parallel pass; later models with the same sample take
// them from the cache. A model with another sample (other missing values)
// demeans what it needs and adds it under that sample.
type demeanCache struct {
	mu      sync.Mutex
	want    map[string][]float64 // raw full-length columns by name
	order   []string             // want's names in announcement order
	entries []*demeanEntry
	passes  int // demeaning passes run (for tests)
}

type demeanEntry struct {
	rows []int
	cols map[string][]float64
	iter int
}

func newDemeanCache() *demeanCache { return &demeanCache{want: map[string][]float64{}} }

// announce records the outcome and regressor columns of formula f on
// data, to be demeaned with the first pass (fixed effects are not
// evaluated here).
func (c *demeanCache) announce(f *Formula, data *Frame) error {
	add := func(name string, x []float64) {
		if _, ok := c.want[name]; !ok {
			c.want[name] = x
			c.order = append(c.order, name)
		}
	}
	y, err := f.numeric(data, f.LHS)
	if err != nil {
		return err
	}
	add(f.LHS.String(), y)
	for _, t := range f.Terms {
		cols, names, err := f.term(data, t)
		if err != nil {
			return err
		}
		for j, name := range names {
			add(name, cols[j])
		}
	}
	return nil
}

// demean returns the demeaned outcome and regressors of d on rows (cols
// holds them raw, compacted to rows) and the largest number of sweeps.
func (c *demeanCache) demean(d *Design, rows []int, codes [][]int32, ng []int, w []float64, cols [][]float64, opts Options) ([][]float64, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := append([]string{d.YName}, d.XNames...)
	var e *demeanEntry
	for _, x := range c.entries {
		if slices.Equal(x.rows, rows) {
			e = x
			break
		}
	}
	if e == nil {
		e = &demeanEntry{rows: slices.Clone(rows), cols: map[string][]float64{}}
		c.entries = append(c.entries, e)
	}
	// Columns to demean now: this model's missing ones, then every
	// announced column not yet in this entry.
	var todo []string
	var src [][]float64
	for j, name := range names {
		if _, ok := e.cols[name]; !ok && !slices.Contains(todo, name) {
			todo = append(todo, name)
			src = append(src, cols[j])
		}
	}
	if len(todo) > 0 {
		for _, name := range c.order {
			if _, ok := e.cols[name]; ok || slices.Contains(todo, name) {
				continue
			}
			x := gather(c.want[name], rows)
			ok := true
			for _, v := range x {
				ok = ok && isFinite(v)
			}
			if ok { // a column missing on this sample belongs to another one
				todo = append(todo, name)
				src = append(src, x)
			}
		}
		dst := make([][]float64, len(src))
		for j := range dst {
			dst[j] = make([]float64, len(rows))
		}
		fe := newFixedEffects(codes, ng, w)
		stats := fe.demeanColumns(dst, src, opts.Tol, opts.MaxIter, opts.Workers)
		c.passes++
		var bad []string
		for j, s := range stats {
			e.iter = max(e.iter, s.Iter)
			if !s.Converged {
				bad = append(bad, todo[j])
			}
			e.cols[todo[j]] = dst[j]
		}
		if len(bad) > 0 {
			return nil, 0, &ConvergenceError{bad, opts.MaxIter}
		}
	}
	out := make([][]float64, len(names))
	for j, name := range names {
		out[j] = e.cols[name]
	}
	return out, e.iter, nil
}

// EstimateMulti estimates several models on the same data, as fixest's
// multiple estimation (several outcomes, or several right-hand sides):
// models with the same fixed effects share the demeaning, every distinct
// column (outcomes and regressors of all those models) being demeaned once,
// together in one parallel pass per estimation sample. Results come back
// in formula order and equal those of [Estimate] one by one. A formula
// error is returned as is; the first model failure stops the call with an
// error naming the model.
func EstimateMulti(data *Frame, formulas []string, opts Options) ([]*Result, error) {
	parsed := make([]*Formula, len(formulas))
	caches := map[string]*demeanCache{}
	keys := make([]string, len(formulas))
	for m, s := range formulas {
		f, err := ParseFormula(s)
		if err != nil {
			return nil, err
		}
		parsed[m] = f
		if len(f.FE) == 0 {
			continue
		}
		var fe []string
		for _, t := range f.FE {
			fe = append(fe, t.Name())
		}
		keys[m] = strings.Join(fe, "+")
		c := caches[keys[m]]
		if c == nil {
			c = newDemeanCache()
			caches[keys[m]] = c
		}
		if err := c.announce(f, data); err != nil {
			return nil, err
		}
	}
	data, err := factorFE(data, parsed, opts)
	if err != nil {
		return nil, err
	}
	out := make([]*Result, len(formulas))
	for m, s := range formulas {
		r, err := estimate(data, s, opts, caches[keys[m]])
		if err != nil {
			return nil, fmt.Errorf("econ: model %d (%s): %w", m+1, s, err)
		}
		out[m] = r
	}
	return out, nil
}

// MultiOutcome returns one formula per outcome with the same right-hand
// side rhs (everything after '~'), for [EstimateMulti]: fixest's
// c(y1, y2) ~ rhs.
func MultiOutcome(outcomes []string, rhs string) []string {
	out := make([]string, len(outcomes))
	for j, y := range outcomes {
		out[j] = y + " ~ " + rhs
	}
	return out
}

// factorFE returns data with every numeric column that the formulas use
// only as a fixed effect (not as a variable, weight or cluster) turned
// into a factor with the same group codes, so that the grouping of its
// values is computed once rather than once per model.
func factorFE(data *Frame, fs []*Formula, opts Options) (*Frame, error) {
	used := map[string]bool{opts.Weights: true}
	for _, c := range opts.Cluster {
		used[c] = true
	}
	var mark func(e *Expr)
	mark = func(e *Expr) {
		if e == nil {
			return
		}
		used[e.Name], used[e.By] = true, true
		mark(e.Arg)
	}
	var feVars []string
	for _, f := range fs {
		mark(f.LHS)
		for _, t := range f.Terms {
			for _, e := range t.Factors {
				mark(e)
			}
		}
		for _, t := range f.FE {
			for _, v := range t.Slopes {
				used[v] = true // varying-slope variables stay numeric
			}
			for _, v := range t.Vars {
				if !slices.Contains(feVars, v) {
					feVars = append(feVars, v)
				}
			}
		}
	}
	var convert []string
	for _, v := range feVars {
		if _, isNum := data.Float(v); isNum && !used[v] {
			convert = append(convert, v)
		}
	}
	if len(convert) == 0 {
		return data, nil
	}
	out, err := frameRows(data, nil, convert...)
	if err != nil {
		return nil, err
	}
	for _, v := range convert {
		codes, labels, _ := data.groups(v)
		if err := out.AddFactor(v, codes, labels); err != nil {
			return nil, err
		}
	}
	return out, nil
}
