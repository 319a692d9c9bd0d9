package composite

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Band is one grade: a goal score (on the scale Grades.On names) of at
// least Min earns it.
type Band struct {
	Name string  `json:"name" yaml:"name"`
	Zh   string  `json:"zh,omitempty" yaml:"zh"`
	En   string  `json:"en,omitempty" yaml:"en"`
	Min  float64 `json:"min" yaml:"min"`
}

// Grades configures grading: bands from best to worst, the scale they
// apply to and the grade a veto caps at.
type Grades struct {
	// On is "score" (the goal score as computed) or "relative" (its 0–10
	// relative score). Empty means "score".
	On    string `json:"on" yaml:"on"`
	Bands []Band `json:"bands" yaml:"bands"`
	// VetoCap is the best grade a vetoed unit can get (一票否决); empty
	// means the worst band.
	VetoCap string `json:"veto_cap" yaml:"veto_cap"`
}

// DefaultGrades returns cityimpact's default bands on the goal score in
// [0, 1] (min-max normalisation, linear aggregation): A 优秀 ≥ 0.8,
// B 良好 ≥ 0.6, C 合格 ≥ 0.4, D 待提升 below, with a veto capping at D.
// They are a convention of this program, not of the seed report, which
// names grades but gives no cut-offs; pass your own bands for other scales.
func DefaultGrades() *Grades {
	return &Grades{On: "score", Bands: []Band{
		{"A", "优秀", "excellent", 0.8},
		{"B", "良好", "good", 0.6},
		{"C", "合格", "pass", 0.4},
		{"D", "待提升", "needs improvement", math.Inf(-1)},
	}}
}

// ErrBadGrades: grade bands that cannot be applied.
var ErrBadGrades = errors.New("bad grade bands")

// Check reports whether g is usable: at least one band, names unique and
// non-empty, Min strictly decreasing, On known, VetoCap naming a band.
func (g *Grades) Check() error {
	if len(g.Bands) == 0 {
		return fmt.Errorf("%w: no bands", ErrBadGrades)
	}
	if g.On != "" && g.On != "score" && g.On != "relative" {
		return fmt.Errorf("%w: on %q (want score or relative)", ErrBadGrades, g.On)
	}
	seen := map[string]bool{}
	for i, b := range g.Bands {
		if b.Name == "" {
			return fmt.Errorf("%w: band %d has no name", ErrBadGrades, i+1)
		}
		if seen[b.Name] {
			return fmt.Errorf("%w: band %q twice", ErrBadGrades, b.Name)
		}
		seen[b.Name] = true
		if math.IsNaN(b.Min) || (i > 0 && !(b.Min < g.Bands[i-1].Min)) {
			return fmt.Errorf("%w: band %q: min %v must be below the previous band's %v (bands from best to worst)", ErrBadGrades, b.Name, b.Min, g.Bands[i-1].Min)
		}
	}
	if g.VetoCap != "" && !seen[g.VetoCap] {
		return fmt.Errorf("%w: veto_cap %q is not a band", ErrBadGrades, g.VetoCap)
	}
	return nil
}

// band returns the index of the band of value v (−1: below every band or NaN).
func (g *Grades) band(v float64) int {
	if math.IsNaN(v) {
		return -1
	}
	for i, b := range g.Bands {
		if v >= b.Min {
			return i
		}
	}
	return -1
}

func (x *Index) quality(d *Data) {
	nn := len(x.Codes)
	rows := len(x.Units) * len(x.Periods)
	x.Quality = make([][]Quality, nn)
	for p := nn - 1; p >= 0; p-- {
		q := make([]Quality, rows)
		x.Quality[p] = q
		if x.IsIndicator[p] {
			given := d.Quality[x.Codes[p]]
			for i := range q {
				switch {
				case !math.IsNaN(x.Raw[p][i]):
					if given != nil {
						q[i] = given[i]
					}
				case !math.IsNaN(x.Score[p][i]):
					q[i] = Imputed // filled by the missing-value rule
				default:
					q[i] = QualityMissing
				}
			}
			continue
		}
		for i := range q {
			q[i] = QualityMissing
		}
		for c := p + 1; c < nn && x.Depth[c] > x.Depth[p]; c++ {
			if x.Parent[c] != p {
				continue
			}
			for i, v := range x.Quality[c] {
				if v == QualityMissing {
					continue
				}
				if q[i] == QualityMissing || v > q[i] {
					q[i] = v
				}
			}
		}
		for i, v := range x.Score[p] {
			if math.IsNaN(v) {
				q[i] = QualityMissing
			}
		}
	}
}

func (x *Index) relative() {
	nt, nu := len(x.Periods), len(x.Units)
	x.Relative = make([][]float64, len(x.Codes))
	for p := range x.Codes {
		src, cost := x.Score[p], false
		if x.IsIndicator[p] {
			src = x.Raw[p]
			cost = x.t.nodes[x.t.preorder[p]].Direction == Cost
		}
		rel := make([]float64, len(src))
		for t := range nt {
			lo, hi := math.Inf(1), math.Inf(-1)
			for u := range nu {
				if v := src[u*nt+t]; !math.IsNaN(v) {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
			for u := range nu {
				i := u*nt + t
				v := src[i]
				switch {
				case math.IsNaN(v):
					rel[i] = math.NaN()
				case hi == lo:
					rel[i] = 10
				case cost:
					rel[i] = 10 * (hi - v) / (hi - lo)
				default:
					rel[i] = 10 * (v - lo) / (hi - lo)
				}
			}
		}
		x.Relative[p] = rel
	}
}

// rankBest writes the rank of each value of s (1 = largest) among the
// non-missing ones into dst at the same positions; ties share the mean.
func rankBest(dst, s []float64) {
	Ranks(dst, s, Benefit)
	m := 0
	for _, v := range s {
		if !math.IsNaN(v) {
			m++
		}
	}
	for i, r := range dst {
		dst[i] = float64(m) + 1 - r
	}
}

func (x *Index) ranks(d *Data) {
	nt, nu := len(x.Periods), len(x.Units)
	goal := x.Score[0]
	x.Rank = make([]float64, len(goal))
	s := make([]float64, nu)
	r := make([]float64, nu)
	for t := range nt {
		for u := range nu {
			s[u] = goal[u*nt+t]
		}
		rankBest(r, s)
		for u := range nu {
			x.Rank[u*nt+t] = r[u]
		}
	}
	x.PeerRank = map[string][]float64{}
	for attr, pg := range d.Peers {
		pr := make([]float64, len(goal))
		members := make([][]int, len(pg.Labels))
		for u, g := range pg.Of {
			members[g] = append(members[g], u)
		}
		for _, mem := range members {
			s, r := make([]float64, len(mem)), make([]float64, len(mem))
			for t := range nt {
				for k, u := range mem {
					s[k] = goal[u*nt+t]
				}
				rankBest(r, s)
				for k, u := range mem {
					pr[u*nt+t] = r[k]
				}
			}
		}
		x.PeerRank[attr] = pr
	}
}

// vetoed reports whether v breaches floor for direction dir.
func vetoed(v, floor float64, dir Direction) bool {
	if math.IsNaN(v) || math.IsNaN(floor) {
		return false
	}
	if dir == Cost {
		return v > floor
	}
	return v < floor
}

// meets reports whether v meets target.
func meets(v, target float64, dir Direction) bool {
	if dir == Cost {
		return v <= target
	}
	return v >= target
}

func (x *Index) gradesAndTargets(g *Grades) {
	nt := len(x.Periods)
	rows := len(x.Units) * nt
	x.Grade = make([]string, rows)
	x.Veto = make([][]string, rows)
	x.Attainment = make([]float64, rows)
	x.Met = make([]int, rows)
	x.Targeted = make([]int, rows)
	capIdx := len(g.Bands) - 1
	if g.VetoCap != "" {
		capIdx = slices.IndexFunc(g.Bands, func(b Band) bool { return b.Name == g.VetoCap })
	}
	on := x.Score[0]
	if g.On == "relative" {
		on = x.Relative[0]
	}
	for i := range rows {
		u := i / nt
		for _, p := range x.Leaves {
			nd := x.t.nodes[x.t.preorder[p]]
			v := x.Raw[p][i]
			if vetoed(v, nd.Floor, nd.Direction) {
				x.Veto[i] = append(x.Veto[i], nd.Code)
			}
			if nd.Target != nil && i%nt >= nd.TargetFrom && !math.IsNaN(nd.Target[u]) && !math.IsNaN(v) {
				x.Targeted[i]++
				if meets(v, nd.Target[u], nd.Direction) {
					x.Met[i]++
				}
			}
		}
		x.Attainment[i] = math.NaN()
		if x.Targeted[i] > 0 {
			x.Attainment[i] = float64(x.Met[i]) / float64(x.Targeted[i])
		}
		b := g.band(on[i])
		if b < 0 {
			if math.IsNaN(on[i]) {
				continue
			}
			b = len(g.Bands) - 1
		}
		if len(x.Veto[i]) > 0 && b < capIdx {
			b = capIdx
		}
		x.Grade[i] = g.Bands[b].Name
	}
}

// U4SSCScores are the U4SSC target-band points (ITU-T Y.4903 / U4SSC KPI
// verification: the achieved share of the target scores 1 below 33%, 2
// from 33% to 66%, 3 from 66% to 95% and 4 from 95%).
type U4SSCScores struct {
	// Points[l][row] is indicator l's points (1–4), 0 when excluded.
	Points [][]int8
	Total  []int     // Σ points per row
	Scored []int     // indicators scored per row
	Mean   []float64 // Total/Scored, NaN when none
	// NoTarget lists the indicators without any target, excluded for
	// every row; Excluded[row] those with a target but no value (or no
	// target for the unit's peer group, or a target not yet in force:
	// Node.TargetFrom) in that row.
	NoTarget []string
	Excluded [][]string
}

// U4SSCPoints returns the points for value v against target (direction
// dir): the achieved share is v/target for benefit and target/v for cost
// indicators (a cost value ≤ 0 has reached any positive target). It
// returns 0 when the share is undefined (NaN, target ≤ 0).
func U4SSCPoints(v, target float64, dir Direction) int8 {
	if math.IsNaN(v) || math.IsNaN(target) || target <= 0 {
		return 0
	}
	var r float64
	if dir == Cost {
		if v <= 0 {
			return 4
		}
		r = target / v
	} else {
		r = v / target
	}
	switch {
	case r >= 0.95:
		return 4
	case r >= 0.66:
		return 3
	case r >= 0.33:
		return 2
	}
	return 1
}

func (x *Index) u4ssc() {
	nt := len(x.Periods)
	rows := len(x.Units) * nt
	s := &x.U4SSC
	s.Points = make([][]int8, len(x.Leaves))
	s.Total, s.Scored = make([]int, rows), make([]int, rows)
	s.Mean = make([]float64, rows)
	s.Excluded = make([][]string, rows)
	for l, p := range x.Leaves {
		nd := x.t.nodes[x.t.preorder[p]]
		pts := make([]int8, rows)
		s.Points[l] = pts
		if nd.Target == nil {
			s.NoTarget = append(s.NoTarget, nd.Code)
			continue
		}
		for i := range rows {
			if i%nt >= nd.TargetFrom {
				pts[i] = U4SSCPoints(x.Raw[p][i], nd.Target[i/nt], nd.Direction)
			}
			if pts[i] == 0 {
				s.Excluded[i] = append(s.Excluded[i], nd.Code)
				continue
			}
			s.Total[i] += int(pts[i])
			s.Scored[i]++
		}
	}
	for i := range rows {
		s.Mean[i] = math.NaN()
		if s.Scored[i] > 0 {
			s.Mean[i] = float64(s.Total[i]) / float64(s.Scored[i])
		}
	}
}

// evalTree scores one row of leaf values (leaf order) with the stats of
// group g, writing every node's score into buf (post-order); it returns
// the goal's score.
func (x *Index) evalTree(leaf []float64, g, per int, buf, vals []float64) float64 {
	t := x.t
	for i := range t.nodes {
		if l := t.leaf[i]; l >= 0 {
			buf[i] = leaf[l]
			continue
		}
		buf[i] = x.evalAt(i, g, per, buf, vals)
	}
	return buf[t.root()]
}

// evalAt scores inner node i from its children's scores in buf.
func (x *Index) evalAt(i, g, per int, buf, vals []float64) float64 {
	kids := x.t.children[i]
	v := vals[:len(kids)]
	for j, k := range kids {
		v[j] = buf[k]
	}
	return evalNode(x.choices.aggOf[i], v, x.weightsAt(i, per), &x.stats[i][g], x.opt.Missing, x.opt.Rho)
}

// setLeaf changes leaf l to v in buf and re-scores the nodes above it,
// returning the goal's new score: the same numbers as a full evalTree,
// at the cost of one path.
func (x *Index) setLeaf(l int, v float64, g, per int, buf, vals []float64) float64 {
	t := x.t
	i := t.leafNode[l]
	buf[i] = v
	for p := t.parent[i]; p >= 0; p = t.parent[p] {
		buf[p] = x.evalAt(p, g, per, buf, vals)
	}
	return buf[t.root()]
}

func (x *Index) changes() {
	nt, nu := len(x.Periods), len(x.Units)
	rows := nu * nt
	nl := len(x.Leaves)
	x.Change = make([][]float64, len(x.Codes))
	for p, s := range x.Score {
		c := make([]float64, rows)
		for i := range c {
			c[i] = math.NaN()
			if i%nt > 0 {
				c[i] = s[i] - s[i-1]
			}
		}
		x.Change[p] = c
	}
	x.Contribution = make([][]float64, nl)
	for l := range x.Contribution {
		x.Contribution[l] = make([]float64, rows)
	}
	x.Other = make([]float64, rows)
	maxKids := 0
	for _, k := range x.t.children {
		maxKids = max(maxKids, len(k))
	}
	parallelFor(nu, x.opt.Workers, 16, func(lo, hi int) {
		a, b := make([]float64, nl), make([]float64, nl)
		buf, vals := make([]float64, len(x.t.nodes)), make([]float64, maxKids)
		fwd := make([]float64, nl)
		eff := make([]float64, len(x.t.nodes))
		for u := lo; u < hi; u++ {
			for t := range nt {
				i := u*nt + t
				if t == 0 || math.IsNaN(x.Change[0][i]) {
					for l := range nl {
						x.Contribution[l][i] = math.NaN()
					}
					x.Other[i] = math.NaN()
					continue
				}
				for l := range nl {
					a[l], b[l] = x.norm[l][i-1], x.norm[l][i]
				}
				g, g0 := 0, 0
				if x.opt.PerPeriod {
					g, g0 = t, t-1
				}
				if x.choices.allLinear && samePattern(a, b) {
					// Linear with the same indicators present in both
					// periods: the goal is Σ_l W_l x_l with the same
					// effective weights W_l in both rows, so indicator l
					// contributes W_l Δx_l (what both replacement orders
					// below give, in one pass).
					x.evalTree(a, 0, t, buf, vals)
					x.effectiveWeights(buf, eff, t)
					for l := range nl {
						c := 0.0
						if !same(a[l], b[l]) {
							c = eff[x.t.leafNode[l]] * (b[l] - a[l])
						}
						x.Contribution[l][i] = c
					}
					x.Other[i] = 0
					if x.localT != nil { // the weights changed too
						x.Other[i] = x.evalTree(a, 0, t, buf, vals) - x.evalTree(a, 0, t-1, buf, vals)
					}
					continue
				}
				fa := x.evalTree(a, g, t, buf, vals)
				x.Other[i] = fa - x.evalTree(a, g0, t-1, buf, vals)
				// Forward: replace a by b in tree order (buf holds the
				// node scores of a after evalTree above).
				prev := x.evalTree(a, g, t, buf, vals)
				for l := range nl {
					fwd[l] = 0
					if same(a[l], b[l]) {
						continue
					}
					f := x.setLeaf(l, b[l], g, t, buf, vals)
					fwd[l], prev = f-prev, f
				}
				// Backward: replace b by a in reverse order.
				prev = x.evalTree(b, g, t, buf, vals)
				for l := nl - 1; l >= 0; l-- {
					if same(a[l], b[l]) {
						x.Contribution[l][i] = 0
						continue
					}
					f := x.setLeaf(l, a[l], g, t, buf, vals)
					x.Contribution[l][i] = (fwd[l] + prev - f) / 2
					prev = f
				}
			}
		}
	})
}

// samePattern reports whether a and b have missing values in the same
// places.
func samePattern(a, b []float64) bool {
	for i := range a {
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) {
			return false
		}
	}
	return true
}

// effectiveWeights writes into eff each node's weight in the goal for a
// row whose node scores are in buf, under linear aggregation: the product
// down the path of w_j / Σ_{present siblings} w, 0 for an absent node.
func (x *Index) effectiveWeights(buf, eff []float64, per int) {
	t := x.t
	clear(eff)
	eff[t.root()] = 1
	for _, i := range t.preorder {
		kids := t.children[i]
		if kids == nil || eff[i] == 0 {
			continue
		}
		sw := 0.0
		for j, k := range kids {
			if !math.IsNaN(buf[k]) {
				sw += x.weightsAt(i, per)[j]
			}
		}
		if sw <= 0 {
			continue
		}
		for j, k := range kids {
			if !math.IsNaN(buf[k]) {
				eff[k] = eff[i] * x.weightsAt(i, per)[j] / sw
			}
		}
	}
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// Peer is one unit found by [Index.Peers].
type Peer struct {
	Unit     string  `json:"unit"`
	Distance float64 `json:"distance"`
	Common   int     `json:"common"` // indicators both units have
}

// Peers returns the k units whose normalised indicator profiles in period t
// are closest to unit u's: the Euclidean distance over the indicators both
// have, scaled by √(L/common) so that gaps do not make a unit look closer
// (L indicators in all). Units sharing no indicator are skipped; ties are
// broken by unit code.
func (x *Index) Peers(u, t, k int) ([]Peer, error) {
	nu, nt := len(x.Units), len(x.Periods)
	if u < 0 || u >= nu || t < 0 || t >= nt {
		return nil, fmt.Errorf("composite: peers: unit %d or period %d out of range", u, t)
	}
	if k < 1 {
		return nil, fmt.Errorf("composite: peers: k = %d, want at least 1", k)
	}
	var out []Peer
	nl := len(x.norm)
	for v := range nu {
		if v == u {
			continue
		}
		s, c := 0.0, 0
		for l := range nl {
			a, b := x.norm[l][u*nt+t], x.norm[l][v*nt+t]
			if math.IsNaN(a) || math.IsNaN(b) {
				continue
			}
			s += (a - b) * (a - b)
			c++
		}
		if c == 0 {
			continue
		}
		out = append(out, Peer{Unit: x.Units[v], Distance: math.Sqrt(s * float64(nl) / float64(c)), Common: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		return out[i].Unit < out[j].Unit
	})
	return out[:min(k, len(out))], nil
}
