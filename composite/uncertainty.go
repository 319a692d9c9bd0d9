package composite

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// WeightNoise selects how [Uncertainty] perturbs the weights of every node.
type WeightNoise int

const (
	// NoiseUniform: w'_j = w_j (1 + U(−Spread, Spread)), rescaled to sum to 1.
	NoiseUniform WeightNoise = iota
	// NoiseDirichlet: w' ~ Dirichlet(Concentration · w), whose mean is w and
	// variance w_j(1 − w_j)/(Concentration + 1).
	NoiseDirichlet
)

// UncertaintyOptions configure [Index.Uncertainty]. Each alternative list
// is one input factor of the analysis when it has two or more entries; the
// weights are a factor when Spread (uniform) or Concentration (Dirichlet)
// is positive. Factors are drawn independently and uniformly among their
// alternatives.
type UncertaintyOptions struct {
	// Replicates is N, the number of base draws: the ranks are summarised
	// over 2N draws and the sensitivity design costs N(k + 2) index
	// evaluations for k active factors.
	Replicates int
	Seed       uint64
	// Period is the period index whose ranks are analysed; −1 means the
	// last.
	Period int

	Noise         WeightNoise
	Spread        float64 // NoiseUniform: ±Spread (0.25 = ±25%)
	Concentration float64 // NoiseDirichlet

	Normalisations []NormMethod  // nil: the index's own
	Aggregations   []AggMethod   // nil: the index's own
	MissingRules   []MissingRule // nil: the index's own

	// Workers bounds goroutines; 0 means GOMAXPROCS. Results do not depend
	// on it.
	Workers int
	// Progress, if set, is called after each chunk of replicates with the
	// replicates done so far (from several goroutines, never concurrently
	// with itself for the same value).
	Progress func(done, total int)
}

// UnitUncertainty summarises one unit's rank over the Monte Carlo draws.
type UnitUncertainty struct {
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline_rank"`
	Median   float64 `json:"median_rank"`
	P05      float64 `json:"p05"`
	P95      float64 `json:"p95"`
}

// Sensitivity is the first-order and total sensitivity index of the ranks
// to one input factor, pooled over units: S_i = Σ_u V_{i,u} / Σ_u V_u.
type Sensitivity struct {
	Factor string  `json:"factor"` // weights, normalisation, aggregation, missing
	First  float64 `json:"first_order"`
	Total  float64 `json:"total"`
}

// LeaveOneOut is the rank shift when one indicator is dropped (its weight
// set to 0 and its siblings re-weighted).
type LeaveOneOut struct {
	Indicator string  `json:"indicator"`
	MeanShift float64 `json:"mean_abs_shift"`
	MaxShift  float64 `json:"max_abs_shift"`
	MaxUnit   string  `json:"max_unit"`
}

// UncertaintyResult is the outcome of [Index.Uncertainty].
type UncertaintyResult struct {
	Period      string            `json:"period"`
	Replicates  int               `json:"replicates"`
	Evaluations int               `json:"evaluations"`
	Seed        uint64            `json:"seed"`
	Units       []UnitUncertainty `json:"units"`
	// MeanShift is R̄_S of the JRC audits: the mean over draws and units of
	// |rank − baseline rank|.
	MeanShift   float64       `json:"mean_abs_rank_shift"`
	Sensitivity []Sensitivity `json:"sensitivity"`
	LeaveOneOut []LeaveOneOut `json:"leave_one_out"`
}

// mcChunk is the number of replicates per random stream.
const mcChunk = 16

// mcSample is one draw of the input factors.
type mcSample struct {
	w             [][]float64 // node (post-order) → children weights; nil for leaves
	norm, agg, ms int
}

// Uncertainty runs the uncertainty and sensitivity analysis of the OECD/JRC
// Handbook on Constructing Composite Indicators (2008, §7) on the ranks of
// one period: Monte Carlo over the weights, the normalisation, the
// aggregation and the missing-value rule, with everything else as in the
// index.
//
// Design. Two independent N-draw samples A and B and, for each active
// factor i, the sample AB_i (A with factor i taken from B), as in Saltelli
// et al. (2010), "Variance based sensitivity analysis of model output.
// Design and estimator for the total sensitivity index", Computer Physics
// Communications 181(2):259–270. For each unit's rank Y:
//
//	V_i  ≈ (1/N) Σ_j f(B)_j (f(AB_i)_j − f(A)_j)          (first order, their Table 2 (b))
//	VT_i ≈ (1/2N) Σ_j (f(A)_j − f(AB_i)_j)²               (total, Jansen 1999)
//	V    = variance of Y over the 2N draws of A and B,
//
// pooled over units as S_i = Σ_u V_{i,u} / Σ_u V_u (and likewise S_Ti).
// The weights of all nodes form one factor (a group, in Saltelli's terms).
// The median and the 5% and 95% quantiles (type 7) of each unit's rank come
// from the 2N draws of A and B.
//
// TOPSIS and GRA statistics (ideal points, Δmax) are taken over the units
// of the analysed period, so for them the baseline of the analysis may
// differ slightly from the index under pooled scope; linear and geometric
// aggregation reproduce it exactly.
//
// Determinism: replicates are processed in chunks of 16, chunk c drawing
// from rand.NewPCG(Seed, c); results are stored by replicate and reduced in
// chunk order, so the output is identical for any Workers or GOMAXPROCS.
func (x *Index) Uncertainty(opt UncertaintyOptions) (*UncertaintyResult, error) {
	if opt.Replicates < 2 {
		return nil, fmt.Errorf("composite: uncertainty: %d replicates, want at least 2", opt.Replicates)
	}
	nt, nu := len(x.Periods), len(x.Units)
	per := opt.Period
	if per < 0 {
		per = nt - 1
	}
	if per >= nt {
		return nil, fmt.Errorf("composite: uncertainty: period %d out of range", per)
	}
	if opt.Spread < 0 || opt.Spread >= 1 || opt.Concentration < 0 || math.IsNaN(opt.Spread+opt.Concentration) {
		return nil, fmt.Errorf("composite: uncertainty: weight spread %v must lie in [0, 1) and concentration %v be ≥ 0", opt.Spread, opt.Concentration)
	}
	if opt.Normalisations == nil {
		opt.Normalisations = []NormMethod{x.opt.Normalise}
	}
	if opt.Aggregations == nil {
		opt.Aggregations = []AggMethod{x.opt.Aggregate}
	}
	if opt.MissingRules == nil {
		opt.MissingRules = []MissingRule{x.opt.Missing}
	}
	if slices.Contains(opt.Aggregations, AggGeometric) || slices.Contains(x.choices.aggOf, AggGeometric) {
		for _, n := range opt.Normalisations {
			if !boundedNorm(n) {
				return nil, fmt.Errorf("composite: uncertainty: geometric aggregation cannot be combined with %s normalisation (want minmax, percentile or target)", n)
			}
		}
		for l, n := range x.choices.normOf {
			if x.choices.normFixed[l] && !boundedNorm(n) {
				return nil, fmt.Errorf("composite: uncertainty: geometric aggregation cannot be combined with %s normalisation (indicator %s)", n, x.t.nodes[x.t.leafNode[l]].Code)
			}
		}
	}
	t := x.t
	nl := len(t.leafNode)

	// Leaf values of the period for every (normalisation, missing rule).
	var groups []int32
	ngroups := 1
	if x.opt.PerPeriod {
		groups, ngroups = PeriodGroups(nu, nt), nt
	}
	pre := make([][][][]float64, len(opt.Normalisations))
	for a, nm := range opt.Normalisations {
		pre[a] = make([][][]float64, len(opt.MissingRules))
		for b := range opt.MissingRules {
			pre[a][b] = make([][]float64, nl)
		}
		for l, i := range t.leafNode {
			nd := t.nodes[i]
			m := nm
			if x.choices.normFixed[l] {
				m = x.choices.normOf[l]
			}
			col, err := normaliseLeaf(nd, x.src[l], nu, nt, groups, ngroups, m, x.opt.Ties)
			if err != nil {
				return nil, &IndicatorError{nd.Code, fmt.Errorf("%s: %w", nm, unwrapColumn(err))}
			}
			for b, mr := range opt.MissingRules {
				c := slices.Clone(col)
				applyMissingRule(c, nu, nt, mr)
				v := make([]float64, nu)
				for u := range nu {
					v[u] = c[u*nt+per]
				}
				pre[a][b][l] = v
			}
		}
	}

	var logs [][][][]float64
	if slices.Contains(opt.Aggregations, AggGeometric) || slices.Contains(x.choices.aggOf, AggGeometric) {
		logs = make([][][][]float64, len(pre))
		for a := range pre {
			logs[a] = make([][][]float64, len(pre[a]))
			for b := range pre[a] {
				logs[a][b] = make([][]float64, nl)
				for l, c := range pre[a][b] {
					lg := make([]float64, nu)
					for u, v := range c {
						lg[u] = math.Log(1 + 99*v)
					}
					logs[a][b][l] = lg
				}
			}
		}
	}

	// Active factors.
	type factor struct {
		name string
		set  func(dst *mcSample, src *mcSample)
	}
	var factors []factor
	if (opt.Noise == NoiseUniform && opt.Spread > 0) || (opt.Noise == NoiseDirichlet && opt.Concentration > 0) {
		factors = append(factors, factor{"weights", func(d, s *mcSample) { d.w = s.w }})
	}
	if len(opt.Normalisations) > 1 {
		factors = append(factors, factor{"normalisation", func(d, s *mcSample) { d.norm = s.norm }})
	}
	if len(opt.Aggregations) > 1 {
		factors = append(factors, factor{"aggregation", func(d, s *mcSample) { d.agg = s.agg }})
	}
	if len(opt.MissingRules) > 1 {
		factors = append(factors, factor{"missing", func(d, s *mcSample) { d.ms = s.ms }})
	}
	k := len(factors)
	N := opt.Replicates
	nchunks := (N + mcChunk - 1) / mcChunk

	draws := make([][]float32, 2*N) // A then B ranks
	type acc struct{ first, total [][]float64 }
	accs := make([]acc, nchunks)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var done atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, nchunks) {
		wg.Go(func() {
			ev := x.newMCEval(pre, logs, opt, per)
			fa, fb, fab := make([]float64, nu), make([]float64, nu), make([]float64, nu)
			for {
				c := int(next.Add(1) - 1)
				if c >= nchunks {
					return
				}
				rng := rand.New(rand.NewPCG(opt.Seed, uint64(c)))
				ac := acc{first: make([][]float64, k), total: make([][]float64, k)}
				for i := range k {
					ac.first[i], ac.total[i] = make([]float64, nu), make([]float64, nu)
				}
				for j := c * mcChunk; j < min(N, (c+1)*mcChunk); j++ {
					A, B := ev.draw(rng), ev.draw(rng)
					ev.ranks(fa, &A)
					ev.ranks(fb, &B)
					draws[j], draws[N+j] = toF32(fa), toF32(fb)
					for i, f := range factors {
						AB := A
						f.set(&AB, &B)
						ev.ranks(fab, &AB)
						for u := range nu {
							ac.first[i][u] += fb[u] * (fab[u] - fa[u])
							d := fa[u] - fab[u]
							ac.total[i][u] += d * d
						}
					}
				}
				accs[c] = ac
				d := done.Add(int64(min(N, (c+1)*mcChunk) - c*mcChunk))
				if opt.Progress != nil {
					opt.Progress(int(d), N)
				}
			}
		})
	}
	wg.Wait()

	res := &UncertaintyResult{Period: x.Periods[per], Replicates: N, Evaluations: N * (k + 2), Seed: opt.Seed}
	vals := make([]float64, 0, 2*N)
	varU := make([]float64, nu)
	shift, nshift := 0.0, 0
	for u := range nu {
		vals = vals[:0]
		base := x.Rank[u*nt+per]
		for _, d := range draws {
			if v := float64(d[u]); !math.IsNaN(v) {
				vals = append(vals, v)
				if !math.IsNaN(base) {
					shift += math.Abs(v - base)
					nshift++
				}
			}
		}
		uu := UnitUncertainty{Unit: x.Units[u], Baseline: base, Median: math.NaN(), P05: math.NaN(), P95: math.NaN()}
		if len(vals) > 0 {
			m, s2 := 0.0, 0.0
			for _, v := range vals {
				m += v
			}
			m /= float64(len(vals))
			for _, v := range vals {
				s2 += (v - m) * (v - m)
			}
			varU[u] = s2 / float64(len(vals))
			slices.Sort(vals)
			uu.Median, uu.P05, uu.P95 = QuantileSorted(vals, 0.5), QuantileSorted(vals, 0.05), QuantileSorted(vals, 0.95)
		}
		res.Units = append(res.Units, uu)
	}
	res.MeanShift = math.NaN()
	if nshift > 0 {
		res.MeanShift = shift / float64(nshift)
	}
	vt := 0.0
	for _, v := range varU {
		vt += v
	}
	for i, f := range factors {
		s1, st := 0.0, 0.0
		for c := range accs { // chunk order
			for u := range nu {
				if varU[u] == 0 || math.IsNaN(accs[c].first[i][u]) {
					continue
				}
				s1 += accs[c].first[i][u]
				st += accs[c].total[i][u]
			}
		}
		sens := Sensitivity{Factor: f.name}
		if vt > 0 {
			sens.First = s1 / float64(N) / vt
			sens.Total = st / float64(2*N) / vt
		}
		res.Sensitivity = append(res.Sensitivity, sens)
	}
	loo, err := x.leaveOneOut(pre, logs, opt, per)
	if err != nil {
		return nil, err
	}
	res.LeaveOneOut = loo
	return res, nil
}

func toF32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// mcEval evaluates the index on the analysed period for one sample; one
// per goroutine.
type mcEval struct {
	x     *Index
	per   int // analysed period (its weights are the base)
	pre   [][][][]float64
	logs  [][][][]float64 // ln(1 + 99·v) of pre, for geometric aggregation
	sw    []float64
	acc   []float64
	order []rankPair
	opt   UncertaintyOptions
	cols  [][]float64 // node → column over units (post-order)
	kcols [][]float64
	vals  []float64
	st    nodeStats
}

func (x *Index) newMCEval(pre, logs [][][][]float64, opt UncertaintyOptions, per int) *mcEval {
	nu := len(x.Units)
	e := &mcEval{x: x, per: per, pre: pre, logs: logs, opt: opt, cols: make([][]float64, len(x.t.nodes)),
		sw: make([]float64, nu), acc: make([]float64, nu), order: make([]rankPair, 0, nu)}
	maxKids := 0
	for i, k := range x.t.children {
		maxKids = max(maxKids, len(k))
		if k != nil {
			e.cols[i] = make([]float64, nu)
		}
	}
	e.kcols = make([][]float64, maxKids)
	e.vals = make([]float64, maxKids)
	return e
}

// draw draws one sample of every factor from rng.
func (e *mcEval) draw(rng *rand.Rand) mcSample {
	s := mcSample{w: make([][]float64, len(e.x.t.nodes))}
	for i := range e.x.local {
		base := e.x.weightsAt(i, e.per)
		if base == nil {
			continue
		}
		w := make([]float64, len(base))
		sum := 0.0
		for j, b := range base {
			switch {
			case e.opt.Noise == NoiseDirichlet && e.opt.Concentration > 0:
				w[j] = gamma(rng, e.opt.Concentration*b)
			case e.opt.Noise == NoiseUniform && e.opt.Spread > 0:
				w[j] = b * (1 + e.opt.Spread*(2*rng.Float64()-1))
			default:
				w[j] = b
			}
			sum += w[j]
		}
		if sum > 0 {
			for j := range w {
				w[j] /= sum
			}
		} else {
			copy(w, base)
		}
		s.w[i] = w
	}
	s.norm = rng.IntN(len(e.opt.Normalisations))
	s.agg = rng.IntN(len(e.opt.Aggregations))
	s.ms = rng.IntN(len(e.opt.MissingRules))
	return s
}

// ranks writes the goal's ranks (1 best) for sample s into dst.
func (e *mcEval) ranks(dst []float64, s *mcSample) {
	t := e.x.t
	leaves := e.pre[s.norm][s.ms]
	agg := e.opt.Aggregations[s.agg]
	miss := e.opt.MissingRules[s.ms]
	for i := range t.nodes {
		kids := t.children[i]
		if kids == nil {
			e.cols[i] = leaves[t.leaf[i]]
			continue
		}
		kc := e.kcols[:len(kids)]
		for j, c := range kids {
			kc[j] = e.cols[c]
		}
		out := e.cols[i]
		agg := agg
		if e.x.choices.aggFixed[i] {
			agg = e.x.choices.aggOf[i]
		}
		if agg == AggLinear || agg == AggGeometric {
			e.columnMean(agg, miss, i, kids, kc, s.w[i], out, s)
			continue
		}
		prepareNode(agg, kc, nil, &e.st)
		v := e.vals[:len(kids)]
		for u := range out {
			for j, c := range kc {
				v[j] = c[u]
			}
			out[u] = evalNode(agg, v, s.w[i], &e.st, miss, e.x.opt.Rho)
		}
	}
	e.rank(dst, e.cols[t.root()])
}

// columnMean is evalNode's linear and geometric aggregation done column by
// column, with the same operations in the same order (so the same
// numbers); for geometric, leaf logarithms come precomputed.
func (e *mcEval) columnMean(agg AggMethod, miss MissingRule, i int, kids []int, kc [][]float64, w, out []float64, s *mcSample) {
	sw, acc := e.sw[:len(out)], e.acc[:len(out)]
	clear(sw)
	clear(acc)
	for j, c := range kc {
		wj := w[j]
		var logs []float64
		if agg == AggGeometric {
			if l := e.x.t.leaf[kids[j]]; l >= 0 {
				logs = e.logs[s.norm][s.ms][l]
			}
		}
		for u, v := range c {
			if v != v { // NaN
				if wj > 0 && miss == MissingNone {
					sw[u] = math.NaN()
				}
				continue
			}
			sw[u] += wj
			switch {
			case agg == AggLinear:
				acc[u] += wj * v
			case wj > 0 && logs != nil:
				acc[u] += wj * logs[u]
			case wj > 0:
				acc[u] += wj * math.Log(1+99*v)
			}
		}
	}
	for u := range out {
		switch {
		case !(sw[u] > 0):
			out[u] = math.NaN()
		case agg == AggLinear:
			out[u] = acc[u] / sw[u]
		default:
			out[u] = (math.Exp(acc[u]/sw[u]) - 1) / 99
		}
	}
}

// rank is rankBest without the stable sort: values are sorted with their
// positions and ties found afterwards, so the order among equal values does
// not matter.
func (e *mcEval) rank(dst, s []float64) {
	p := e.order[:0]
	for u, v := range s {
		if v == v {
			p = append(p, rankPair{v, int32(u)})
		}
	}
	slices.SortFunc(p, func(a, b rankPair) int { return cmp.Compare(b.v, a.v) })
	for u := range dst {
		dst[u] = math.NaN()
	}
	for lo := 0; lo < len(p); {
		hi := lo + 1
		for hi < len(p) && p[hi].v == p[lo].v {
			hi++
		}
		r := float64(lo+hi+1) / 2 // mean of ranks lo+1 … hi
		for _, q := range p[lo:hi] {
			dst[q.u] = r
		}
		lo = hi
	}
	e.order = p
}

type rankPair struct {
	v float64
	u int32
}

// gamma draws from Gamma(a, 1) by Marsaglia & Tsang (2000), "A simple
// method for generating gamma variables", ACM TOMS 26(3):363–372, with
// the boost Gamma(a) = Gamma(a+1)·U^{1/a} for a < 1; a = 0 gives 0.
func gamma(rng *rand.Rand, a float64) float64 {
	if a <= 0 {
		return 0
	}
	boost := 1.0
	if a < 1 {
		boost = math.Pow(1-rng.Float64(), 1/a)
		a++
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		z := rng.NormFloat64()
		v := 1 + c*z
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := 1 - rng.Float64()
		if u < 1-0.0331*z*z*z*z || math.Log(u) < 0.5*z*z+d*(1-v+math.Log(v)) {
			return d * v * boost
		}
	}
}

// leaveOneOut drops each indicator in turn under the baseline choices and
// compares with the baseline ranks computed the same way.
func (x *Index) leaveOneOut(pre, logs [][][][]float64, opt UncertaintyOptions, per int) ([]LeaveOneOut, error) {
	t := x.t
	nl, nu := len(t.leafNode), len(x.Units)
	// Baseline: the index's own choices when they are among the
	// alternatives (they are unless the caller left them out).
	baseW := make([][]float64, len(x.local))
	for i := range baseW {
		baseW[i] = x.weightsAt(i, per)
	}
	base := mcSample{w: baseW}
	base.norm = slices.Index(opt.Normalisations, x.opt.Normalise)
	base.agg = slices.Index(opt.Aggregations, x.opt.Aggregate)
	base.ms = slices.Index(opt.MissingRules, x.opt.Missing)
	if base.norm < 0 || base.agg < 0 || base.ms < 0 {
		return nil, errors.New("composite: uncertainty: the alternatives must include the index's own normalisation, aggregation and missing-value rule")
	}
	ref := make([]float64, nu)
	x.newMCEval(pre, logs, opt, per).ranks(ref, &base)
	out := make([]LeaveOneOut, nl)
	parallelFor(nl, opt.Workers, 1, func(lo, hi int) {
		ev := x.newMCEval(pre, logs, opt, per)
		r := make([]float64, nu)
		for l := lo; l < hi; l++ {
			i := t.leafNode[l]
			par := t.parent[i]
			s := base
			s.w = slices.Clone(baseW)
			s.w[par] = slices.Clone(baseW[par])
			s.w[par][slices.Index(t.children[par], i)] = 0
			ev.ranks(r, &s)
			o := LeaveOneOut{Indicator: t.nodes[i].Code}
			n := 0
			for u := range nu {
				if math.IsNaN(r[u]) || math.IsNaN(ref[u]) {
					continue
				}
				d := math.Abs(r[u] - ref[u])
				o.MeanShift += d
				n++
				if d > o.MaxShift {
					o.MaxShift, o.MaxUnit = d, x.Units[u]
				}
			}
			if n > 0 {
				o.MeanShift /= float64(n)
			}
			out[l] = o
		}
	})
	return out, nil
}
