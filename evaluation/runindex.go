package evaluation

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/cityimpact/cityimpact/composite"
)

// indexState keeps what later stages need from the index.
type indexState struct {
	x     *composite.Index
	tree  *composite.Node
	peers composite.PeerGroups // by Spec.Peers.By (one group "all" for none)
	// ofNode maps framework node k to the index's node (−1 when dropped).
	ofNode []int
}

func normByName(s string) composite.NormMethod {
	switch s {
	case "zscore":
		return composite.ZScore
	case "rank":
		return composite.Rank
	case "percentile":
		return composite.Percentile
	case "ratio":
		return composite.RatioToMean
	case "target":
		return composite.DistanceToTarget
	}
	return composite.MinMax
}

// index computes the composite index over the framework, leaving out
// indicators absent from the data, missing too often or constant.
func (r *run) index() error {
	s, p := r.spec, r.p
	ix := &r.res.Index
	opt := composite.IndexOptions{Normalise: normByName(s.Index.Normalise), WeightsPerPeriod: s.Index.WeightsPerPeriod,
		Workers: r.opt.Workers}
	opt.Weighting, _ = composite.ParseWeightMethod(s.Index.Weights)
	opt.Aggregate, _ = composite.ParseAggMethod(s.Index.Aggregate)
	opt.Missing, _ = composite.ParseMissingRule(s.Index.Missing)
	if w := *s.Index.Winsorise; w > 0 {
		opt.Winsor = composite.Winsor{Method: composite.WinsorQuantile, Lo: w, Hi: 1 - w}
	}

	d := &composite.Data{Values: map[string][]float64{}, Peers: map[string]composite.PeerGroups{}}
	for _, u := range p.Units {
		d.Units = append(d.Units, u.Code)
	}
	d.Periods = r.res.Periods
	for _, attr := range []string{"region", "tier", "province"} {
		if labels, of, err := p.Groups(attr); err == nil {
			d.Peers[attr] = composite.PeerGroups{Labels: labels, Of: of}
		}
	}
	st := &indexState{}
	if g, ok := d.Peers[s.Peers.By]; ok {
		st.peers = g
	} else {
		st.peers = composite.PeerGroups{Labels: []string{"all"}, Of: make([]int32, p.NUnits())}
	}

	// Indicators to leave out, each with its reason.
	dropped := map[string]string{}
	for k, q := range r.res.Data.Indicators {
		code := q.Code
		if !p.Has(code) {
			dropped[code] = "not in the data"
			continue
		}
		col := p.Col(code)
		left := 0
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range col {
			if !math.IsNaN(v) {
				left++
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		share := 1 - float64(left)/float64(len(col))
		switch {
		case left == 0:
			dropped[code] = "no values"
		case share > s.Index.MaxMissing:
			dropped[code] = fmt.Sprintf("%.1f%% of cells missing after imputation (limit %.1f%%)", 100*share, 100*s.Index.MaxMissing)
		case lo == hi:
			dropped[code] = "constant: the same value in every cell"
		default:
			d.Values[code] = col
			r.res.Data.Indicators[k].Outliers, r.res.Data.Indicators[k].Winsorised = countOutliers(col, opt.Winsor)
		}
	}
	for _, q := range r.res.Data.Indicators {
		if why, ok := dropped[q.Code]; ok {
			r.res.Data.Dropped = append(r.res.Data.Dropped, Dropped{Code: q.Code, Reason: why})
		}
	}
	tree := pruneTree(CompositeTree(r.fw.Goal, p.Units), dropped)
	if tree == nil || len(tree.Children) == 0 {
		return r.spec.errorAt("framework", errors.New("no indicator of the framework has usable data"))
	}
	SetTargetFrom(tree, r.fw, p, s.Peers.TargetsFrom)
	x, err := composite.Compute(tree, d, opt)
	if err != nil {
		return fmt.Errorf("composite index: %w", err)
	}
	st.x, st.tree = x, tree
	st.ofNode = make([]int, len(r.nodes))
	xi := map[string]int{}
	for k, c := range x.Codes {
		xi[c] = k
	}
	for k, n := range r.nodes {
		st.ofNode[k] = -1
		if j, ok := xi[n.Code]; ok {
			st.ofNode[k] = j
		}
	}
	r.idx = st

	ix.Method = map[string]string{
		"normalise": s.Index.Normalise, "weights": s.Index.Weights, "aggregate": s.Index.Aggregate,
		"missing": s.Index.Missing, "scope": "pooled", "winsorise": fmt.Sprintf("%g", *s.Index.Winsorise),
		"impute": s.Data.Impute,
	}
	if s.Index.WeightsPerPeriod {
		ix.Method["scope"] = "weights per period"
	}
	rows := p.Rows()
	nan := func() []Num {
		out := make([]Num, rows)
		for i := range out {
			out[i] = NaN()
		}
		return out
	}
	ix.Scores = make([][]Num, len(r.nodes))
	ix.Raw = make([][]Num, len(r.nodes))
	for k := range r.nodes {
		j := st.ofNode[k]
		switch {
		case j < 0:
			ix.Scores[k] = nan()
			if r.nodes[k].IsIndicator() {
				ix.Raw[k] = nan()
			}
		default:
			ix.Scores[k] = nums(x.Score[j])
			if x.Raw[j] != nil {
				ix.Raw[k] = nums(x.Raw[j])
			}
		}
	}
	for k := 1; k < len(r.nodes); k++ {
		j := st.ofNode[k]
		parent := r.res.Framework.Nodes[r.res.Framework.Nodes[k].Parent].Code
		row := WeightRow{Code: r.nodes[k].Code, Parent: parent, Local: NaN(), Global: NaN()}
		if j >= 0 {
			row.Global = Num(x.Global[j])
			for _, nw := range x.Weights {
				if nw.Node == parent {
					for c, child := range nw.Children {
						if child == r.nodes[k].Code {
							row.Local = Num(nw.Weights[c])
						}
					}
				}
			}
		}
		ix.Weights = append(ix.Weights, row)
	}
	ix.Rank = nums(x.Rank)
	ix.Grade = x.Grade
	ix.Attainment = nums(x.Attainment)
	if pr, ok := x.PeerRank[s.Peers.By]; ok {
		ix.PeerRank = nums(pr)
	} else {
		ix.PeerRank = nums(x.Rank)
	}
	ix.Notes = append([]string{}, x.Notes...)
	if ix.Notes == nil {
		ix.Notes = []string{}
	}

	if s.Index.Uncertainty > 0 {
		if err := r.uncertainty(opt); err != nil {
			return err
		}
	}
	if *s.Index.Coupling {
		r.coupling()
	}
	return nil
}

// countOutliers counts the cells beyond the winsorisation fences (these
// are the cells Compute clamps) or, without winsorisation, with a robust
// z-score |x − median| / (1.4826·MAD) above 3.5 (Iglewicz & Hoaglin 1993).
func countOutliers(col []float64, w composite.Winsor) (outliers, clamped int) {
	vals := make([]float64, 0, len(col))
	for _, v := range col {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	sort.Float64s(vals)
	if w.Method == composite.WinsorQuantile {
		lo, hi := composite.QuantileSorted(vals, w.Lo), composite.QuantileSorted(vals, w.Hi)
		for _, v := range vals {
			if v < lo || v > hi {
				clamped++
			}
		}
		return clamped, clamped
	}
	med := composite.QuantileSorted(vals, 0.5)
	dev := make([]float64, len(vals))
	for i, v := range vals {
		dev[i] = math.Abs(v - med)
	}
	sort.Float64s(dev)
	mad := 1.4826 * composite.QuantileSorted(dev, 0.5)
	if mad == 0 {
		return 0, 0
	}
	for _, v := range vals {
		if math.Abs(v-med)/mad > 3.5 {
			outliers++
		}
	}
	return outliers, 0
}

// pruneTree removes dropped indicators and dimensions left empty; nil when
// nothing is left.
func pruneTree(n *composite.Node, dropped map[string]string) *composite.Node {
	if n.IsIndicator() {
		if _, ok := dropped[n.Code]; ok {
			return nil
		}
		return n
	}
	c := *n
	c.Children = nil
	for _, k := range n.Children {
		if kk := pruneTree(k, dropped); kk != nil {
			c.Children = append(c.Children, kk)
		}
	}
	if len(c.Children) == 0 {
		return nil
	}
	return &c
}

func (r *run) uncertainty(base composite.IndexOptions) error {
	s := r.spec
	opt := composite.UncertaintyOptions{Replicates: max(1, s.Index.Uncertainty/2), Seed: s.Index.Seed, Period: -1,
		Noise: composite.NoiseUniform, Spread: 0.25, Workers: r.opt.Workers}
	varied := []string{"weights ±25%"}
	bn := base.Normalise
	if bn == composite.MinMax || bn == composite.Percentile {
		opt.Normalisations = uniqueAppend([]composite.NormMethod{composite.MinMax, composite.Percentile}, bn)
		opt.Aggregations = uniqueAppend([]composite.AggMethod{composite.AggLinear, composite.AggGeometric}, base.Aggregate)
		varied = append(varied, "normalisation (min-max, percentile)", "aggregation (arithmetic, geometric)")
	}
	opt.MissingRules = uniqueAppend([]composite.MissingRule{composite.MissingReweight, composite.MissingPeriodMean}, base.Missing)
	varied = append(varied, "missing-value rule (re-weight, period mean)")
	ur, err := r.idx.x.Uncertainty(opt)
	if err != nil {
		return fmt.Errorf("rank uncertainty: %w", err)
	}
	ru := &RankUncertainty{Period: ur.Period, Draws: 2 * opt.Replicates, Seed: opt.Seed, Varied: varied}
	byCode := map[string]composite.UnitUncertainty{}
	for _, u := range ur.Units {
		byCode[u.Unit] = u
	}
	for _, u := range r.res.Units {
		uu, ok := byCode[u.Code]
		if !ok {
			uu = composite.UnitUncertainty{Baseline: math.NaN(), Median: math.NaN(), P05: math.NaN(), P95: math.NaN()}
		}
		ru.Nominal = append(ru.Nominal, Num(uu.Baseline))
		ru.Median = append(ru.Median, Num(uu.Median))
		ru.Low = append(ru.Low, Num(uu.P05))
		ru.High = append(ru.High, Num(uu.P95))
	}
	r.res.Index.Uncertainty = ru
	return nil
}

func uniqueAppend[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// coupling computes the coupling coordination of the dimension scores in
// the last period.
func (r *run) coupling() {
	x := r.idx.x
	var dims []int
	var codes []string
	for k, par := range x.Parent {
		if par == 0 && !x.IsIndicator[k] {
			dims = append(dims, k)
			codes = append(codes, x.Codes[k])
		}
	}
	if len(dims) < 2 {
		r.res.Index.Notes = append(r.res.Index.Notes, "coupling coordination needs two or more dimensions: skipped")
		return
	}
	T := r.p.NPeriods()
	n := r.p.NUnits()
	u := make([][]float64, len(dims))
	for i, k := range dims {
		u[i] = make([]float64, n)
		for j := range n {
			v := x.Score[k][j*T+T-1]
			u[i][j] = min(max(v, 0), 1)
		}
	}
	C, Tc, D, err := composite.Coupling(nil, nil, nil, u, nil, composite.CouplingStandard)
	if err != nil {
		r.res.Index.Notes = append(r.res.Index.Notes, "coupling coordination: "+err.Error())
		return
	}
	cr := &CouplingResult{Period: r.res.Periods[T-1], Dimensions: codes, C: nums(C), T: nums(Tc), D: nums(D)}
	for _, dv := range D {
		b, ok := composite.CoordinationBandOf(dv)
		if !ok {
			cr.Band, cr.BandEn = append(cr.Band, ""), append(cr.BandEn, "")
			continue
		}
		cr.Band, cr.BandEn = append(cr.Band, b.Zh), append(cr.BandEn, strings.ToLower(b.En))
	}
	r.res.Index.Coupling = cr
}

// row is the unit-major row of unit u in period t.
func (r *run) row(u, t int) int { return u*r.p.NPeriods() + t }
