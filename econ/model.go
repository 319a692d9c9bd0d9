package econ

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Estimate parses formula, evaluates it against data and fits it with
// [Fit]. Formula errors (syntax, unknown columns, wrong column types) are
// *[ParseError] values pointing at the formula column. Cluster variables
// (opts.Cluster) and the weight column (opts.Weights) are looked up in data.
//
// The panel keys (opts.PanelID, else those of data) give Design.Unit and
// Design.Time for VCovNW and VCovDK.
func Estimate(data *Frame, formula string, opts Options) (*Result, error) {
	return estimate(data, formula, opts, nil)
}

// estimate is Estimate with an optional cache of demeaned columns.
func estimate(data *Frame, formula string, opts Options, pre *demeanCache) (*Result, error) {
	f, err := ParseFormula(formula)
	if err != nil {
		return nil, err
	}
	data, err = withPanelID(data, opts.PanelID)
	if err != nil {
		return nil, err
	}
	memo := f.prefetchGroups(data, opts)
	d, err := f.design(data, memo)
	if err != nil {
		return nil, err
	}
	if err := d.attach(data, &opts, memo); err != nil {
		return nil, err
	}
	d.pre = pre
	r, err := Fit(d, opts)
	if err == nil && d.sunab != nil {
		r.Sunab = d.sunab.inSample(d, r)
	}
	return r, err
}

// withPanelID returns data with panel keys id = {unit, time} set (a
// shallow copy; data itself is not modified), or data unchanged if id is
// empty.
func withPanelID(data *Frame, id []string) (*Frame, error) {
	if len(id) == 0 {
		return data, nil
	}
	if len(id) != 2 {
		return nil, fmt.Errorf("econ: panel id needs a unit and a time column, got %d names", len(id))
	}
	cp := *data
	if err := cp.SetPanel(id[0], id[1]); err != nil {
		return nil, err
	}
	return &cp, nil
}

// setPanelKeys fills d.Unit and d.Time from the panel keys of data.
func (d *Design) setPanelKeys(data *Frame) error {
	u, t, ok := data.PanelKeys()
	if !ok {
		return fmt.Errorf("econ: Newey–West and Driscoll–Kraay variances need panel keys: set Options.PanelID or Frame.SetPanel")
	}
	d.Unit, _, _ = data.groups(u)
	d.Time, _, _ = data.groups(t)
	return nil
}

// Design evaluates the formula against data: the outcome, one column per
// regressor (i() expands to one per kept level), and fixed-effect codes.
// Names follow fixest: "log(x)", "x1:x2", "period::5:treat", "rel::-2".
func (f *Formula) Design(data *Frame) (*Design, error) {
	return f.design(data, nil)
}

// groupMemo holds the group codes of columns grouped ahead of time (see
// prefetchGroups); the slices are shared, so users must not modify them.
type groupMemo map[string]memoGroups

type memoGroups struct {
	codes  []int32
	labels []string
	ok     bool
}

// groups is data.groups(name), taken from the memo when there.
func (m groupMemo) groups(data *Frame, name string) ([]int32, []string, bool) {
	if g, ok := m[name]; ok {
		return g.codes, g.labels, g.ok
	}
	return data.groups(name)
}

// prefetchGroups groups every fixed-effect variable of the formula and
// every cluster variable of opts once, on up to opts.Workers goroutines
// (grouping a column is a pass over all rows; a cluster variable that is
// also a fixed effect, the usual case, is grouped once).
func (f *Formula) prefetchGroups(data *Frame, opts Options) groupMemo {
	var names []string
	for _, fe := range f.FE {
		for _, v := range fe.Vars {
			if !slices.Contains(names, v) {
				names = append(names, v)
			}
		}
	}
	for _, c := range opts.Cluster {
		if !slices.Contains(names, c) {
			names = append(names, c)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	got := make([]memoGroups, len(names))
	forChunks(len(names), workers, func(j int) {
		g := &got[j]
		g.codes, g.labels, g.ok = data.groups(names[j])
	})
	memo := make(groupMemo, len(names))
	for j, name := range names {
		memo[name] = got[j]
	}
	return memo
}

// design is Design with group codes taken from memo (nil: none).
func (f *Formula) design(data *Frame, memo groupMemo) (*Design, error) {
	d := &Design{Intercept: f.Intercept}
	var err error
	d.Y, err = f.numeric(data, f.LHS)
	if err != nil {
		return nil, err
	}
	d.YName = f.LHS.String()
	seen := map[string]bool{}
	for _, t := range f.Terms {
		term := f.term
		if isSunabTerm(t) {
			term = func(data *Frame, t Term) ([][]float64, []string, error) { return f.sunabTerm(data, t, d) }
		}
		cols, names, err := term(data, t)
		if err != nil {
			return nil, err
		}
		for j, name := range names {
			if seen[name] {
				continue
			}
			seen[name] = true
			d.X = append(d.X, cols[j])
			d.XNames = append(d.XNames, name)
		}
	}
	for _, fe := range f.FE {
		var parts [][]int32
		for _, v := range fe.Vars {
			c, _, ok := memo.groups(data, v)
			if !ok {
				return nil, f.errAt(fe.Pos, "no variable %q in the data", v)
			}
			parts = append(parts, c)
		}
		codes := parts[0]
		if len(parts) > 1 {
			// Combine with missing codes shifted to 0, then restore -1.
			shifted := make([][]int32, len(parts))
			for q, c := range parts {
				shifted[q] = make([]int32, len(c))
				for i, v := range c {
					shifted[q][i] = v + 1
				}
			}
			codes, _ = intersect(shifted)
			for i := range codes {
				for _, c := range parts {
					if c[i] < 0 {
						codes[i] = -1
					}
				}
			}
		}
		feIndex := -1
		if !fe.SlopesOnly {
			feIndex = len(d.FE)
			d.FE = append(d.FE, codes)
			d.FENames = append(d.FENames, fe.Name())
		}
		for _, v := range fe.Slopes {
			x, ok := data.Float(v)
			if !ok {
				return nil, f.errAt(fe.Pos, "varying slope: no numeric variable %q in the data", v)
			}
			d.Slopes = append(d.Slopes, Slope{FE: feIndex, Codes: codes, X: x, Name: fe.Name() + "[[" + v + "]]"})
		}
	}
	return d, nil
}

func (f *Formula) errAt(pos int, format string, args ...any) error {
	return &ParseError{Formula: f.Text, Col: pos, Msg: fmt.Sprintf(format, args...)}
}

// numeric evaluates a variable or log() expression.
func (f *Formula) numeric(data *Frame, e *Expr) ([]float64, error) {
	switch e.Kind {
	case ExprVar:
		x, ok := data.Float(e.Name)
		if !ok {
			if data.has(e.Name) {
				return nil, f.errAt(e.Pos, "variable %q is categorical; use i(%s) for dummies", e.Name, e.Name)
			}
			return nil, f.errAt(e.Pos, "no variable %q in the data", e.Name)
		}
		return x, nil
	case ExprLog:
		x, err := f.numeric(data, e.Arg)
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = math.Log(v) // log(0) = -Inf, log(<0) = NaN: dropped as missing
		}
		return out, nil
	case ExprLag:
		if len(e.Lags) != 1 {
			return nil, f.errAt(e.Pos, "%s(): a range of lags must be a term of its own", e.Name)
		}
		x, err := f.numeric(data, e.Arg)
		if err != nil {
			return nil, err
		}
		idx, err := data.panelIndex()
		if err != nil {
			return nil, f.errAt(e.Pos, "%s(): %v", e.Name, err)
		}
		k := e.Lags[0]
		if e.Name == "f" {
			k = -k
		}
		return shifted(x, idx.shift(k)), nil
	}
	return nil, f.errAt(e.Pos, "i() is not allowed here")
}

// term evaluates a product term to one or more columns.
func (f *Formula) term(data *Frame, t Term) ([][]float64, []string, error) {
	var iexpr *Expr
	var nums [][]float64
	var names []string
	if e := t.Factors[0]; len(t.Factors) == 1 && e.Kind == ExprLag && len(e.Lags) > 1 {
		var cols [][]float64
		for _, k := range e.Lags {
			one := *e
			one.Lags = []int{k}
			x, err := f.numeric(data, &one)
			if err != nil {
				return nil, nil, err
			}
			cols = append(cols, x)
			names = append(names, one.String())
		}
		return cols, names, nil
	}
	for _, e := range t.Factors {
		if e.Kind == ExprSunab && len(t.Factors) > 1 {
			return nil, nil, f.errAt(e.Pos, "sunab() cannot be multiplied with ':' or '*'")
		}
		if e.Kind == ExprI {
			if iexpr != nil || len(t.Factors) > 1 {
				return nil, nil, f.errAt(e.Pos, "i() cannot be multiplied with ':' or '*'; use i(var, by)")
			}
			iexpr = e
			continue
		}
		x, err := f.numeric(data, e)
		if err != nil {
			return nil, nil, err
		}
		nums = append(nums, x)
		names = append(names, e.String())
	}
	if iexpr != nil {
		return f.dummies(data, iexpr)
	}
	prod := nums[0]
	if len(nums) > 1 {
		prod = slices.Clone(nums[0])
		for _, x := range nums[1:] {
			for i := range prod {
				prod[i] *= x[i]
			}
		}
	}
	if len(names) > 1 {
		// R (terms.formula), hence fixest, names an interaction with its
		// variables in the order of their first appearance in the formula:
		// y ~ x3 + x2:x3 has "x3:x2".
		first := f.firstAppearance()
		slices.SortStableFunc(names, func(a, b string) int { return first[a] - first[b] })
	}
	return [][]float64{prod}, []string{strings.Join(names, ":")}, nil
}

// firstAppearance maps each variable expression of the formula (as
// Expr.String prints it) to the position of its first appearance, the
// left-hand side first.
func (f *Formula) firstAppearance() map[string]int {
	first := map[string]int{}
	add := func(e *Expr) {
		if _, ok := first[e.String()]; !ok {
			first[e.String()] = len(first)
		}
	}
	if f.LHS != nil {
		add(f.LHS)
	}
	for _, t := range f.Terms {
		for _, e := range t.Factors {
			add(e)
		}
	}
	return first
}

// dummies evaluates i(var[, by][, ref]): for each level ℓ of var except the
// references, the column 1{var = ℓ} (times by, if given).
func (f *Formula) dummies(data *Frame, e *Expr) ([][]float64, []string, error) {
	codes, labels, ok := data.groups(e.Name)
	if !ok {
		return nil, nil, f.errAt(e.Pos+2, "no variable %q in the data", e.Name)
	}
	var by []float64
	if e.By != "" {
		by, ok = data.Float(e.By)
		if !ok {
			return nil, nil, f.errAt(e.Pos, "i(): no numeric variable %q in the data", e.By)
		}
	}
	drop := make([]bool, len(labels))
	for _, r := range e.Refs {
		found := false
		for l, lab := range labels {
			if lab == r || numEqual(lab, r) {
				drop[l] = true
				found = true
			}
		}
		if !found {
			return nil, nil, f.errAt(e.Pos, "i(%s): reference level %q does not occur", e.Name, r)
		}
	}
	var cols [][]float64
	var names []string
	for l, lab := range labels {
		if drop[l] {
			continue
		}
		col := make([]float64, len(codes))
		for i, c := range codes {
			switch {
			case c < 0:
				col[i] = math.NaN()
			case int(c) == l:
				col[i] = 1
				if by != nil {
					col[i] = by[i]
				}
			default:
				if by != nil && math.IsNaN(by[i]) {
					col[i] = math.NaN()
				}
			}
		}
		name := e.Name + "::" + lab
		if by != nil {
			name += ":" + e.By
		}
		cols = append(cols, col)
		names = append(names, name)
	}
	return cols, names, nil
}

func numEqual(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

// attach adds what opts names beyond the formula to d: observation weights,
// cluster columns and, for Newey–West and Driscoll–Kraay, the panel keys.
// Naming clusters turns the default variance into clustered. Cluster codes
// come from memo when there (nil: none).
func (d *Design) attach(data *Frame, opts *Options, memo groupMemo) error {
	if opts.Weights != "" {
		wv, ok := data.Float(opts.Weights)
		if !ok {
			return fmt.Errorf("econ: no numeric weight column %q", opts.Weights)
		}
		d.Weights = wv
	}
	for _, c := range opts.Cluster {
		codes, _, ok := memo.groups(data, c)
		if !ok {
			return fmt.Errorf("econ: no cluster column %q", c)
		}
		d.Cluster = append(d.Cluster, codes)
		d.ClusterNames = append(d.ClusterNames, c)
	}
	if len(opts.Cluster) > 0 && opts.VCov == VCovDefault {
		opts.VCov = VCovCluster
	}
	if opts.VCov == VCovNW || opts.VCov == VCovDK {
		return d.setPanelKeys(data)
	}
	return nil
}
