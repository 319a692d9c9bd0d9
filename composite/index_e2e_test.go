package composite_test

import (
	"errors"
	"math"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/demo"
	"github.com/cityimpact/cityimpact/evaluation"
	"github.com/cityimpact/cityimpact/framework"
)

func demoData(t testing.TB, units int) (*composite.Node, *composite.Data) {
	t.Helper()
	o := demo.DefaultOptions(1)
	if units > 0 {
		o.NUnits = units
	}
	ds, err := demo.Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := framework.Template("seed-2025")
	if err != nil {
		t.Fatal(err)
	}
	p := ds.Annual
	d := &composite.Data{Values: map[string][]float64{}, Peers: map[string]composite.PeerGroups{}}
	for _, u := range p.Units {
		d.Units = append(d.Units, u.Code)
	}
	for t := range p.NPeriods() {
		d.Periods = append(d.Periods, p.Period(t).String())
	}
	for _, code := range p.Indicators() {
		d.Values[code] = p.Col(code)
	}
	for _, attr := range []string{"region", "tier", "province"} {
		labels, of, err := p.Groups(attr)
		if err != nil {
			t.Fatal(err)
		}
		d.Peers[attr] = composite.PeerGroups{Labels: labels, Of: of}
	}
	return evaluation.CompositeTree(fw.Goal, p.Units), d
}

// TestIndexDemo: the entropy index of seed-2025 on the demo panel. Weights
// are non-negative and sum to 1 at every node; the global weights of the
// indicators sum to 1; min-max + linear scores lie in [0, 1]; ranks per
// period are a permutation-with-ties of 1…n ordered like the scores;
// contributions add up to the change.
func TestIndexDemo(t *testing.T) {
	root, d := demoData(t, 60)
	x, err := composite.Compute(root, d, composite.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, nw := range x.Weights {
		s := 0.0
		for j, w := range nw.Weights {
			if !(w >= 0) {
				t.Errorf("node %s: weight of %s = %v", nw.Node, nw.Children[j], w)
			}
			s += w
		}
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("node %s: weights sum to %v", nw.Node, s)
		}
		if nw.Method != "entropy" {
			t.Errorf("node %s: method %q", nw.Node, nw.Method)
		}
	}
	g := 0.0
	for _, p := range x.Leaves {
		g += x.Global[p]
	}
	if math.Abs(g-1) > 1e-12 {
		t.Errorf("global indicator weights sum to %v", g)
	}
	if len(x.Weights) != 7 || x.Codes[0] != "smart_city" {
		t.Fatalf("%d weighted nodes, goal %q", len(x.Weights), x.Codes[0])
	}
	nu, nt := len(d.Units), len(d.Periods)
	for p, s := range x.Score {
		for i, v := range s {
			if math.IsNaN(v) {
				if !x.IsIndicator[p] {
					for _, l := range x.Leaves {
						if !math.IsNaN(x.Score[l][i]) && isUnder(x, l, p) {
							t.Fatalf("%s row %d: missing score under re-weighting with %s present", x.Codes[p], i, x.Codes[l])
						}
					}
				}
				continue
			}
			if v < -1e-12 || v > 1+1e-12 {
				t.Fatalf("%s row %d: score %v outside [0, 1]", x.Codes[p], i, v)
			}
		}
	}
	for tt := range nt {
		sum, m := 0.0, 0
		for u := range nu {
			if r := x.Rank[x.Row(u, tt)]; !math.IsNaN(r) {
				sum += r
				m++
			}
			for v := range nu {
				su, sv := x.Score[0][x.Row(u, tt)], x.Score[0][x.Row(v, tt)]
				ru, rv := x.Rank[x.Row(u, tt)], x.Rank[x.Row(v, tt)]
				if su > sv && !(ru < rv) {
					t.Fatalf("period %d: score %v ranks %v, score %v ranks %v", tt, su, ru, sv, rv)
				}
			}
		}
		if want := float64(m*(m+1)) / 2; m < nu-3 || math.Abs(sum-want) > 1e-9 {
			t.Errorf("period %d: ranks sum to %v, want %v", tt, sum, want)
		}
	}
	for i := range x.Rank {
		if i%nt == 0 {
			continue
		}
		s := x.Other[i]
		for l := range x.Leaves {
			s += x.Contribution[l][i]
		}
		if math.Abs(s-x.Change[0][i]) > 1e-12 {
			t.Fatalf("row %d: contributions sum to %v, change %v", i, s, x.Change[0][i])
		}
	}
	if _, ok := x.PeerRank["region"]; !ok {
		t.Error("no ranks within regions")
	}
}

func TestIndexMissingIndicator(t *testing.T) {
	root, d := demoData(t, 20)
	delete(d.Values, "satisfaction")
	delete(d.Values, "g5_coverage")
	_, err := composite.Compute(root, d, composite.IndexOptions{})
	var me *composite.MissingIndicatorsError
	if !errors.As(err, &me) || len(me.Codes) != 2 || me.Codes[0] != "g5_coverage" {
		t.Fatalf("err = %v; want MissingIndicatorsError naming g5_coverage and satisfaction", err)
	}
}

// isUnder reports whether node c lies in the subtree of node p.
func isUnder(x *composite.Index, c, p int) bool {
	for ; c >= 0; c = x.Parent[c] {
		if c == p {
			return true
		}
	}
	return false
}

// TestIndexWeightsPerPeriod: entropy weights from each year's rows: one
// set per period, each summing to 1, equal to the entropy of that year's
// pooled min-max columns; contributions still add up to the change (the
// weight change goes to Other); the Monte Carlo without perturbation
// reproduces the ranks of the period analysed, with its weights.
func TestIndexWeightsPerPeriod(t *testing.T) {
	root, d := demoData(t, 40)
	x, err := composite.Compute(root, d, composite.IndexOptions{WeightsPerPeriod: true})
	if err != nil {
		t.Fatal(err)
	}
	nu, nt := len(d.Units), len(d.Periods)
	if len(x.WeightsByPeriod) != nt || x.Method.WeightScope != "period" {
		t.Fatalf("%d weight sets, scope %q", len(x.WeightsByPeriod), x.Method.WeightScope)
	}
	// The technology dimension in the last year, by the kernel.
	tech := x.WeightsByPeriod[nt-1][1]
	var cols [][]float64
	for _, code := range tech.Children {
		n := findNode(root, code)
		mm, err := composite.Normaliser{Method: composite.MinMax, Direction: n.Direction}.Apply(nil, d.Values[code])
		if err != nil {
			t.Fatal(err)
		}
		c := make([]float64, nu)
		for u := range nu {
			c[u] = mm[u*nt+nt-1]
		}
		cols = append(cols, c)
	}
	want, err := composite.Entropy(nil, cols, composite.EntropyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for j := range want {
		if math.Abs(tech.Weights[j]-want[j]) > 1e-12 {
			t.Errorf("%s %s: %v; want %v", tech.Node, tech.Children[j], tech.Weights[j], want[j])
		}
	}
	if x.WeightsByPeriod[0][1].Weights[0] == tech.Weights[0] {
		t.Error("first and last year have the same weights")
	}
	for i := range x.Rank {
		if i%nt == 0 || math.IsNaN(x.Change[0][i]) {
			continue
		}
		s := x.Other[i]
		for l := range x.Leaves {
			s += x.Contribution[l][i]
		}
		if math.Abs(s-x.Change[0][i]) > 1e-12 {
			t.Fatalf("row %d: contributions %v, change %v", i, s, x.Change[0][i])
		}
	}
	for _, per := range []int{0, nt - 1} {
		r, err := x.Uncertainty(composite.UncertaintyOptions{Replicates: 2, Period: per})
		if err != nil {
			t.Fatal(err)
		}
		for u, uu := range r.Units {
			if want := x.Rank[x.Row(u, per)]; !(uu.P05 == want || math.IsNaN(want) && math.IsNaN(uu.P05)) {
				t.Fatalf("period %d %s: %+v, want %v", per, uu.Unit, uu, want)
			}
		}
	}
}

func findNode(n *composite.Node, code string) *composite.Node {
	if n.Code == code {
		return n
	}
	for _, c := range n.Children {
		if f := findNode(c, code); f != nil {
			return f
		}
	}
	return nil
}
