package composite

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// IndexOptions configure [Compute]. The zero value is the seed's recipe:
// pooled min-max normalisation, entropy weights per node, weighted
// arithmetic aggregation, missing values re-weighted, default grade bands.
type IndexOptions struct {
	// Normalise is the normalisation of indicators before aggregation:
	// MinMax (default), ZScore, Rank, Percentile, RatioToMean or
	// DistanceToTarget (each unit against its own target, capped at 1).
	// Directions come from the tree.
	Normalise NormMethod
	// Ties is how Rank and Percentile normalisations rank tied values:
	// TiesAverage (default) or TiesMin (COINr's n_rank).
	Ties TieRule
	// Winsor, if set, clamps every indicator's outliers before it is
	// normalised (and before the weighting base), pooled over all periods.
	Winsor Winsor
	// PerPeriod normalises (and takes TOPSIS/GRA statistics) within each
	// period; the default pools all periods so that scores are comparable
	// over time.
	PerPeriod bool

	// Weighting is the weighting method (entropy by default). Objective
	// methods run on the pooled, direction-aware min-max normalised
	// children of each node (indicators for a dimension, dimension scores
	// for the goal), whatever Normalise is, so that weights are one set for
	// all periods and need no positivity.
	Weighting WeightMethod
	// WeightsPerPeriod computes weights from each period's rows, so they
	// may differ between periods (the seed's per-year entropy weights); by
	// default one set comes from all periods pooled. Subjective weights are
	// the same in every period either way.
	WeightsPerPeriod bool
	// Flat weights all indicators together (objective methods on the
	// whole matrix; subjective ones as products of node weights) and
	// gives each node the sum of its indicators' weights.
	Flat bool
	// AHP holds, per node code, one or more experts' pairwise matrices of
	// its children (in child order), for WeightAHP and WeightCombined.
	AHP        map[string][][][]float64
	AHPOptions AHPOptions
	// Combine and Alpha configure WeightCombined (α = 0 means 0.5).
	Combine Combination
	Alpha   float64
	// EntropyShift is added to values before the entropy proportions.
	EntropyShift float64

	// Aggregate is the aggregation at every node (linear by default).
	Aggregate AggMethod

	// NormaliseAt, WeightingAt and AggregateAt override Normalise,
	// Weighting and Aggregate at named nodes. A normalisation named at a
	// dimension applies to every indicator below it (the nearest named
	// ancestor wins); a weighting or aggregation named at a dimension or the
	// goal applies to that node's children. Monte Carlo alternatives
	// replace only the global choices.
	NormaliseAt map[string]NormMethod
	WeightingAt map[string]WeightMethod
	AggregateAt map[string]AggMethod
	// Rho is GRA's distinguishing coefficient; 0 means 0.5.
	Rho float64
	// Missing is the missing-value rule (re-weighting by default).
	Missing MissingRule

	// Grades are the grade bands; nil means DefaultGrades.
	Grades *Grades

	// Workers bounds goroutines; 0 means GOMAXPROCS. Results do not depend
	// on it.
	Workers int
}

// boundedNorm reports whether m maps into [0, 1].
func boundedNorm(m NormMethod) bool {
	return m == MinMax || m == Percentile || m == DistanceToTarget
}

// Index is the result of [Compute]. Per-node slices are indexed by node in
// tree order (Codes; the goal is 0); per-row slices by unit × period row
// u·T + t.
type Index struct {
	Codes       []string
	Parent      []int // −1 for the goal
	Depth       []int // 0 for the goal
	IsIndicator []bool
	Units       []string
	Periods     []string
	Leaves      []int // node index of each indicator, in tree order

	// Score is each node's score; for an indicator its normalised value.
	Score [][]float64
	// Raw is each indicator's value as given (nil for inner nodes).
	Raw [][]float64
	// Quality is each value's data-quality code; for an inner node the
	// worst code among the children it aggregates (QualityMissing if none).
	Quality [][]Quality
	// Relative is the 0–10 score 10·(s − min)/(max − min) across the units
	// of the same period, benefit-oriented (for an indicator, from its raw
	// value and direction), as the OECD Regional Well-Being explorer shows
	// beside each value; 10 when all units are equal.
	Relative [][]float64
	// Weights are the weights of each inner node's children, in tree order.
	Weights []NodeWeights
	// Global is each node's share of the goal (product of local weights).
	Global []float64
	// WeightsByPeriod and GlobalByPeriod hold the weights of every period
	// when IndexOptions.WeightsPerPeriod is set (Weights and Global are then
	// the last period's); nil otherwise.
	WeightsByPeriod [][]NodeWeights
	GlobalByPeriod  [][]float64

	// Rank is the goal's rank among the units of the same period, 1 best
	// (ties share the mean rank); PeerRank the same within each peer
	// group, keyed by attribute.
	Rank     []float64
	PeerRank map[string][]float64

	Grade []string // goal grade after veto caps ("" when the score is missing)
	// Veto lists, per row, the indicators below their floor.
	Veto [][]string
	// Attainment is 达标率, the share of indicators with a target for the
	// unit in force in the period (Node.TargetFrom) and a value that meet it (NaN when none qualifies); Met and
	// Targeted are its numerator and denominator.
	Attainment    []float64
	Met, Targeted []int

	// U4SSC holds the target-band points.
	U4SSC U4SSCScores

	// Change is each node's change since the previous period (NaN in the
	// first period). Contribution[l] is indicator l's contribution to the
	// goal's change and Other the part due to per-period statistics
	// (0 under pooled scope or linear/geometric aggregation); Σ_l
	// Contribution[l] + Other = Change[0] up to rounding.
	Change       [][]float64
	Contribution [][]float64
	Other        []float64

	// Method records the choices, for reproducibility.
	Method IndexMethod
	// Notes report treatments applied to the data: under per-period scope an
	// indicator constant within a period (5G coverage 0 before 5G) cannot
	// be normalised there and is left out of that period (its normalised
	// values are missing and the missing-value rule applies).
	Notes []string

	t       *tree
	opt     IndexOptions
	choices *choices
	stats   [][]nodeStats // node → group → stats
	local   [][]float64   // node → weights of its children (the last period's under WeightsPerPeriod)
	localT  [][][]float64 // node → period → weights, under WeightsPerPeriod
	norm    [][]float64   // leaf → normalised column after the missing rule
	src     [][]float64   // leaf → column normalised from (raw, or winsorised)
}

// IndexMethod records the method choices of an index.
type IndexMethod struct {
	Normalise string `json:"normalise"`
	Scope     string `json:"scope"` // "pooled" or "period"
	Winsor    string `json:"winsor,omitempty"`
	Weighting string `json:"weighting"`
	Flat      bool   `json:"flat"`
	// WeightScope is "pooled" or "period".
	WeightScope string `json:"weight_scope"`
	Aggregate   string `json:"aggregate"`
	Missing     string `json:"missing"`
	// Overrides lists the per-node choices, e.g. "technology":
	// "normalise=zscore".
	Overrides map[string]string `json:"overrides,omitempty"`
}

// Row returns the row of unit u in period t.
func (x *Index) Row(u, t int) int { return u*len(x.Periods) + t }

// Compute builds the composite index of d over the tree rooted at root.
//
// Steps: indicators are normalised by opt.Normalise (direction-aware,
// pooled or per period); the missing-value rule is applied; every inner node,
// children before parents, gets its children's weights (see
// [IndexOptions.Weighting]) and aggregates them by opt.Aggregate. Ranks,
// grades, veto, attainment, U4SSC points, changes with contributions and
// the 0–10 relative scores follow from the scores.
//
// Errors: indicators of the tree absent from d ([*MissingIndicatorsError],
// all listed), an all-missing or constant indicator ([*IndicatorError]),
// weighting failures at a node ([*NodeError], [*AHPNodeError]) and
// inconsistent options.
func Compute(root *Node, d *Data, opt IndexOptions) (*Index, error) {
	t, err := compile(root)
	if err != nil {
		return nil, err
	}
	if err := t.checkData(d); err != nil {
		return nil, err
	}
	ch, err := t.choices(&opt)
	if err != nil {
		return nil, err
	}
	if opt.Rho == 0 {
		opt.Rho = 0.5
	}
	if !(opt.Rho > 0 && opt.Rho <= 1) {
		return nil, fmt.Errorf("composite: GRA distinguishing coefficient %v outside (0, 1]", opt.Rho)
	}
	if opt.Alpha < 0 || opt.Alpha > 1 {
		return nil, fmt.Errorf("composite: combination α = %v outside [0, 1]", opt.Alpha)
	}
	for code := range opt.AHP {
		found := false
		for _, n := range t.nodes {
			found = found || (n.Code == code && !n.IsIndicator())
		}
		if !found {
			return nil, &NodeError{code, errors.New("AHP matrix given for a node that is not a dimension of the framework")}
		}
	}
	g := opt.Grades
	if g == nil {
		g = DefaultGrades()
	}
	if err := g.Check(); err != nil {
		return nil, err
	}
	opt.Grades = g

	nu, nt := len(d.Units), len(d.Periods)
	rows := nu * nt
	nn := len(t.nodes)
	x := &Index{Units: d.Units, Periods: d.Periods, t: t, opt: opt, choices: ch}
	x.Method = IndexMethod{Normalise: opt.Normalise.String(), Scope: "pooled", Weighting: opt.Weighting.String(),
		Flat: opt.Flat, WeightScope: "pooled", Aggregate: opt.Aggregate.String(), Missing: opt.Missing.String(), Overrides: ch.overrides}
	if opt.WeightsPerPeriod {
		x.Method.WeightScope = "period"
	}
	if opt.PerPeriod {
		x.Method.Scope = "period"
	}
	switch w := opt.Winsor; w.Method {
	case WinsorQuantile:
		x.Method.Winsor = fmt.Sprintf("quantile %g–%g", w.Lo, w.Hi)
	case WinsorIQR:
		k := w.K
		if k == 0 {
			k = 1.5
		}
		x.Method.Winsor = fmt.Sprintf("iqr k=%g", k)
	}

	// Leaves: raw, weighting base (pooled min-max) and normalised values.
	nl := len(t.leafNode)
	raw := make([][]float64, nl)
	base := make([][]float64, nl)
	norm := make([][]float64, nl)
	srcs := make([][]float64, nl)
	var groups []int32
	ngroups := 1
	if opt.PerPeriod {
		groups, ngroups = PeriodGroups(nu, nt), nt
	}
	errs := make([]error, nl)
	parallelFor(nl, opt.Workers, 1, func(lo, hi int) {
		for l := lo; l < hi; l++ {
			nd := t.nodes[t.leafNode[l]]
			raw[l] = d.Values[nd.Code]
			src := raw[l]
			var err error
			if opt.Winsor.Method != WinsorNone {
				src = make([]float64, len(raw[l]))
				_, err = Winsorise(src, raw[l], opt.Winsor)
			}
			srcs[l] = src
			if err == nil {
				base[l], err = Normaliser{Method: MinMax, Direction: nd.Direction}.Apply(nil, src)
			}
			if err == nil {
				norm[l], err = normaliseLeaf(nd, src, nu, nt, groups, ngroups, ch.normOf[l], opt.Ties)
			}
			if err == nil {
				applyMissingRule(norm[l], nu, nt, opt.Missing)
			}
			if err != nil {
				errs[l] = &IndicatorError{nd.Code, unwrapColumn(err)}
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	x.norm, x.src = norm, srcs
	if opt.PerPeriod {
		for l, i := range t.leafNode {
			for tt := range nt {
				has, kept := false, false
				for u := range nu {
					has = has || !math.IsNaN(raw[l][u*nt+tt])
					kept = kept || !math.IsNaN(norm[l][u*nt+tt])
				}
				if has && !kept {
					x.Notes = append(x.Notes, fmt.Sprintf("%s is constant in %s: no information in that period, left out", t.nodes[i].Code, d.Periods[tt]))
				}
			}
		}
	}

	// Weights and aggregation, children before parents.
	score := make([][]float64, nn)
	for l, i := range t.leafNode {
		score[i] = norm[l]
	}
	x.local = make([][]float64, nn)
	x.stats = make([][]nodeStats, nn)
	weights := make([]NodeWeights, nn)
	nw := 1 // weight sets: one pooled, or one per period
	if opt.WeightsPerPeriod {
		nw = nt
		x.localT = make([][][]float64, nn)
	}
	// periodRows gathers the rows of period tt of columns.
	periodRows := func(cols [][]float64, tt int) [][]float64 {
		if !opt.WeightsPerPeriod {
			return cols
		}
		out := make([][]float64, len(cols))
		for j, c := range cols {
			if c == nil {
				continue
			}
			out[j] = make([]float64, nu)
			for u := range nu {
				out[j][u] = c[u*nt+tt]
			}
		}
		return out
	}
	flats := make([][]float64, nw)
	if opt.Flat {
		for tt := range nw {
			if flats[tt], err = flatWeights(t, periodRows(base, tt), &opt); err != nil {
				return nil, periodErr(opt.WeightsPerPeriod, d.Periods[tt], err)
			}
		}
	}
	byPeriod := make([][]NodeWeights, nw)
	for tt := range byPeriod {
		byPeriod[tt] = make([]NodeWeights, nn)
	}
	if !opt.Flat {
		// Check every node's judgements first, so that all problems are
		// reported at once.
		var errs []error
		for i, nd := range t.nodes {
			if kids := t.children[i]; kids != nil && (ch.weightOf[i] == WeightAHP || ch.weightOf[i] == WeightCombined) {
				names := make([]string, len(kids))
				for j, k := range kids {
					names[j] = t.nodes[k].Code
				}
				if _, _, _, err := subjectiveWeights(nd, names, &opt, ch.weightOf[i] == WeightCombined); err != nil {
					errs = append(errs, err)
				}
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	grows := groupRows(groups, ngroups)
	for i, nd := range t.nodes {
		kids := t.children[i]
		if kids == nil {
			continue
		}
		names := make([]string, len(kids))
		cols := make([][]float64, len(kids))
		wcols := make([][]float64, len(kids))
		for j, k := range kids {
			names[j] = t.nodes[k].Code
			cols[j] = score[k]
			if l := t.leaf[k]; l >= 0 {
				wcols[j] = base[l]
			} else {
				wcols[j], _ = Normaliser{Method: MinMax, OnConstant: ConstantFill, Fill: 1}.Apply(nil, score[k])
			}
		}
		for tt := range nw {
			var w NodeWeights
			if opt.Flat {
				w = flatNodeWeights(t, i, names, flats[tt], &opt)
			} else {
				o := opt
				o.Weighting = ch.weightOf[i]
				if w, err = nodeWeights(nd, names, periodRows(wcols, tt), &o); err != nil {
					return nil, periodErr(opt.WeightsPerPeriod, d.Periods[tt], err)
				}
			}
			byPeriod[tt][i] = w
			if opt.WeightsPerPeriod {
				x.localT[i] = append(x.localT[i], w.Weights)
			}
		}
		weights[i] = byPeriod[nw-1][i]
		x.local[i] = weights[i].Weights
		x.stats[i] = make([]nodeStats, ngroups)
		out := make([]float64, rows)
		for gi := range ngroups {
			var r []int
			if grows != nil {
				r = grows[gi]
			}
			prepareNode(ch.aggOf[i], cols, r, &x.stats[i][gi])
		}
		parallelFor(rows, opt.Workers, 4096, func(lo, hi int) {
			vals := make([]float64, len(kids))
			for row := lo; row < hi; row++ {
				for j, c := range cols {
					vals[j] = c[row]
				}
				gi := 0
				if opt.PerPeriod {
					gi = row % nt
				}
				out[row] = evalNode(ch.aggOf[i], vals, x.weightsAt(i, row%nt), &x.stats[i][gi], opt.Missing, opt.Rho)
			}
		})
		score[i] = out
	}

	// Re-index everything in tree (pre-)order.
	pos := make([]int, nn) // post-order index → pre-order position
	for p, i := range t.preorder {
		pos[i] = p
	}
	x.Codes = make([]string, nn)
	x.Parent = make([]int, nn)
	x.Depth = make([]int, nn)
	x.IsIndicator = make([]bool, nn)
	x.Score = make([][]float64, nn)
	x.Raw = make([][]float64, nn)
	for p, i := range t.preorder {
		x.Codes[p] = t.nodes[i].Code
		x.Parent[p] = -1
		if t.parent[i] >= 0 {
			x.Parent[p] = pos[t.parent[i]]
		}
		x.Depth[p] = t.depth[i]
		x.IsIndicator[p] = t.leaf[i] >= 0
		x.Score[p] = score[i]
		if l := t.leaf[i]; l >= 0 {
			x.Raw[p] = raw[l]
			x.Leaves = append(x.Leaves, p)
		}
		if t.children[i] != nil {
			x.Weights = append(x.Weights, weights[i])
		}
	}
	global := func(local func(i int) []float64) []float64 {
		g := make([]float64, nn)
		g[0] = 1
		for p := 1; p < nn; p++ {
			i := t.preorder[p]
			par := t.parent[i]
			j := slices.Index(t.children[par], i)
			g[p] = g[x.Parent[p]] * local(par)[j]
		}
		return g
	}
	x.Global = global(func(i int) []float64 { return x.local[i] })
	if opt.WeightsPerPeriod {
		for tt := range nt {
			var ws []NodeWeights
			for _, i := range t.preorder {
				if t.children[i] != nil {
					ws = append(ws, byPeriod[tt][i])
				}
			}
			x.WeightsByPeriod = append(x.WeightsByPeriod, ws)
			x.GlobalByPeriod = append(x.GlobalByPeriod, global(func(i int) []float64 { return x.localT[i][tt] }))
		}
	}

	x.quality(d)
	x.relative()
	x.ranks(d)
	x.gradesAndTargets(g)
	x.u4ssc()
	x.changes()
	return x, nil
}

// unwrapColumn drops the column index of a single-column error (the
// caller names the indicator).
func unwrapColumn(err error) error {
	var ge *GroupError
	if errors.As(err, &ge) {
		return fmt.Errorf("period %d: %w", ge.Group+1, unwrapColumn(ge.Err))
	}
	var ce *ColumnError
	if errors.As(err, &ce) {
		if ce.Row >= 0 {
			return fmt.Errorf("%s: row %d: %w", ce.Method, ce.Row, ce.Err)
		}
		return fmt.Errorf("%s: %w", ce.Method, ce.Err)
	}
	return err
}

func groupRows(groups []int32, n int) [][]int {
	if groups == nil {
		return nil
	}
	return GroupRows(groups, n)
}

// ErrNoTarget: distance-to-target normalisation of an indicator without a
// target.
var ErrNoTarget = errors.New("distance-to-target normalisation needs a target for every unit")

// normaliseLeaf normalises one indicator column.
func normaliseLeaf(nd *Node, x []float64, nu, nt int, groups []int32, ngroups int, m NormMethod, ties TieRule) ([]float64, error) {
	dst := make([]float64, len(x))
	if m != DistanceToTarget {
		n := Normaliser{Method: m, Direction: nd.Direction, Ties: ties}
		if groups != nil {
			n.OnConstant = ConstantNaN // a period without variation: see Compute
		}
		return dst, NormaliseByGroup(dst, x, groups, ngroups, n)
	}
	if nd.Target == nil {
		return nil, ErrNoTarget
	}
	// Per-unit targets (COINr n_dist2targ with a target per unit):
	// benefit (x − min)/(T_u − min), cost (max − x)/(max − T_u), capped at 1.
	rows := groupRows(groups, ngroups)
	if rows == nil {
		all := make([]int, len(x))
		for i := range all {
			all[i] = i
		}
		rows = [][]int{all}
	}
	for gi, r := range rows {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, i := range r {
			if v := x[i]; !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		for _, i := range r {
			tu := nd.Target[i/nt]
			if math.IsNaN(tu) {
				return nil, fmt.Errorf("unit %d: %w", i/nt+1, ErrNoTarget)
			}
			var num, den float64
			if nd.Direction == Cost {
				num, den = hi-x[i], hi-tu
			} else {
				num, den = x[i]-lo, tu-lo
			}
			if den <= 0 {
				if math.IsNaN(x[i]) {
					dst[i] = math.NaN()
					continue
				}
				return nil, fmt.Errorf("period group %d: target %v is not better than the worst value: distance to target undefined", gi+1, tu)
			}
			dst[i] = min(num/den, 1)
		}
	}
	return dst, nil
}

// applyMissingRule fills missing normalised values by rule m.
func applyMissingRule(x []float64, nu, nt int, m MissingRule) {
	if m != MissingPeriodMean && m != MissingUnitMean {
		return
	}
	pm := make([]float64, nt)
	for t := range nt {
		s, c := 0.0, 0
		for u := range nu {
			if v := x[u*nt+t]; !math.IsNaN(v) {
				s, c = s+v, c+1
			}
		}
		pm[t] = math.NaN()
		if c > 0 {
			pm[t] = s / float64(c)
		}
	}
	for u := range nu {
		um := math.NaN()
		if m == MissingUnitMean {
			s, c := 0.0, 0
			for t := range nt {
				if v := x[u*nt+t]; !math.IsNaN(v) {
					s, c = s+v, c+1
				}
			}
			if c > 0 {
				um = s / float64(c)
			}
		}
		for t := range nt {
			if i := u*nt + t; math.IsNaN(x[i]) {
				if !math.IsNaN(um) {
					x[i] = um
				} else {
					x[i] = pm[t]
				}
			}
		}
	}
}

// flatWeights computes one weight per indicator over the whole matrix.
func flatWeights(t *tree, base [][]float64, opt *IndexOptions) ([]float64, error) {
	codes := t.leafCodes()
	switch opt.Weighting {
	case WeightEqual:
		return Equal(nil, len(codes)), nil
	case WeightExpert, WeightAHP, WeightCombined:
		// Products of node weights down the tree.
		o := *opt
		o.Flat = false
		g := make([]float64, len(t.nodes))
		g[t.root()] = 1
		for p := range t.preorder {
			i := t.preorder[p]
			kids := t.children[i]
			if kids == nil {
				continue
			}
			names := make([]string, len(kids))
			cols := make([][]float64, len(kids))
			for j, k := range kids {
				names[j] = t.nodes[k].Code
				if l := t.leaf[k]; l >= 0 {
					cols[j] = base[l]
				}
			}
			if opt.Weighting == WeightCombined {
				return nil, &NodeError{t.nodes[i].Code, errors.New("combined weights need per-node weighting (not --flat)")}
			}
			nw, err := nodeWeights(t.nodes[i], names, cols, &o)
			if err != nil {
				return nil, err
			}
			for j, k := range kids {
				g[k] = g[i] * nw.Weights[j]
			}
		}
		w := make([]float64, len(codes))
		for l, i := range t.leafNode {
			w[l] = g[i]
		}
		return w, nil
	}
	w, err := objectiveWeights(opt.Weighting, base, opt.EntropyShift)
	if err != nil {
		return nil, nameColumnError(t.nodes[t.root()].Code, codes, err)
	}
	return w, nil
}

// flatNodeWeights gives node i's children the sums of their indicators'
// flat weights, rescaled to sum to 1.
func flatNodeWeights(t *tree, i int, names []string, flat []float64, opt *IndexOptions) NodeWeights {
	var sum func(k int) float64
	sum = func(k int) float64 {
		if l := t.leaf[k]; l >= 0 {
			return flat[l]
		}
		s := 0.0
		for _, c := range t.children[k] {
			s += sum(c)
		}
		return s
	}
	kids := t.children[i]
	w := make([]float64, len(kids))
	tot := 0.0
	for j, k := range kids {
		w[j] = sum(k)
		tot += w[j]
	}
	for j := range w {
		if tot > 0 {
			w[j] /= tot
		} else {
			w[j] = 1 / float64(len(w))
		}
	}
	return NodeWeights{Node: t.nodes[i].Code, Method: opt.Weighting.String() + " (flat)", Children: names, Weights: w, CR: math.NaN()}
}

// choices are the resolved per-node methods.
type choices struct {
	normOf    []NormMethod   // leaf → normalisation
	normFixed []bool         // leaf → set by NormaliseAt (kept in Monte Carlo)
	weightOf  []WeightMethod // node → weighting of its children
	aggOf     []AggMethod    // node → aggregation of its children
	aggFixed  []bool         // node → set by AggregateAt
	allLinear bool           // every node aggregates linearly
	overrides map[string]string
}

// choices resolves and checks the per-node methods of opt.
func (t *tree) choices(opt *IndexOptions) (*choices, error) {
	idx := map[string]int{}
	for i, n := range t.nodes {
		idx[n.Code] = i
	}
	c := &choices{normOf: make([]NormMethod, len(t.leafNode)), normFixed: make([]bool, len(t.leafNode)),
		weightOf: make([]WeightMethod, len(t.nodes)), aggOf: make([]AggMethod, len(t.nodes)), aggFixed: make([]bool, len(t.nodes)),
		allLinear: true}
	note := func(code, what string) {
		if c.overrides == nil {
			c.overrides = map[string]string{}
		}
		if c.overrides[code] != "" {
			what = c.overrides[code] + ", " + what
		}
		c.overrides[code] = what
	}
	var errs []error
	for code, m := range opt.NormaliseAt {
		if _, ok := idx[code]; !ok {
			errs = append(errs, &NodeError{code, errors.New("normalisation given for a node that is not in the framework")})
		}
		note(code, "normalise="+m.String())
	}
	for code, m := range opt.WeightingAt {
		if i, ok := idx[code]; !ok || t.children[i] == nil {
			errs = append(errs, &NodeError{code, errors.New("weighting given for a node that is not a dimension or the goal of the framework")})
		}
		if opt.Flat {
			errs = append(errs, &NodeError{code, errors.New("per-node weighting cannot be combined with flat weighting")})
		}
		note(code, "weights="+m.String())
	}
	for code, m := range opt.AggregateAt {
		if i, ok := idx[code]; !ok || t.children[i] == nil {
			errs = append(errs, &NodeError{code, errors.New("aggregation given for a node that is not a dimension or the goal of the framework")})
		}
		note(code, "aggregate="+m.String())
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for l, i := range t.leafNode {
		c.normOf[l] = opt.Normalise
		for k := i; k >= 0; k = t.parent[k] {
			if m, ok := opt.NormaliseAt[t.nodes[k].Code]; ok {
				c.normOf[l], c.normFixed[l] = m, true
				break
			}
		}
		switch c.normOf[l] {
		case MinMax, ZScore, Rank, Percentile, RatioToMean, DistanceToTarget:
		default:
			errs = append(errs, &IndicatorError{t.nodes[i].Code, fmt.Errorf("normalisation %s is not available for the index (want minmax, zscore, rank, percentile, ratio or target)", c.normOf[l])})
		}
	}
	geometric := ""
	for i, n := range t.nodes {
		if t.children[i] == nil {
			continue
		}
		c.weightOf[i], c.aggOf[i] = opt.Weighting, opt.Aggregate
		if m, ok := opt.WeightingAt[n.Code]; ok {
			c.weightOf[i] = m
		}
		if m, ok := opt.AggregateAt[n.Code]; ok {
			c.aggOf[i], c.aggFixed[i] = m, true
		}
		c.allLinear = c.allLinear && c.aggOf[i] == AggLinear
		if c.aggOf[i] == AggGeometric && geometric == "" {
			geometric = n.Code
		}
	}
	if geometric != "" {
		for l, m := range c.normOf {
			if !boundedNorm(m) {
				errs = append(errs, fmt.Errorf("composite: geometric aggregation (at %s) needs normalisations into [0, 1] (minmax, percentile or target), not %s (indicator %s)", geometric, m, t.nodes[t.leafNode[l]].Code))
				break
			}
		}
	}
	return c, errors.Join(errs...)
}

// weightsAt returns node i's children's weights in period t.
func (x *Index) weightsAt(i, t int) []float64 {
	if x.localT != nil {
		if x.localT[i] == nil { // an indicator
			return nil
		}
		return x.localT[i][t]
	}
	return x.local[i]
}

func periodErr(per bool, label string, err error) error {
	if !per {
		return err
	}
	return fmt.Errorf("period %s: %w", label, err)
}
