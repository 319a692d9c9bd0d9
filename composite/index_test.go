package composite_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
)

// small is a hand-worked case: 3 units × 2 periods, goal → A{i1 +, i2 −},
// B{i3 +}. Rows are unit-major: u0t0, u0t1, u1t0, u1t1, u2t0, u2t1.
//
//	i1 = 0 5 10 10 5 0   min-max → 0 .5 1 1 .5 0
//	i2 = 4 2 0 4 2 0     cost    → 0 .5 1 0 .5 1
//	i3 = 1 3 5 1 3 5             → 0 .5 1 0 .5 1
//	A = (i1+i2)/2 = 0 .5 1 .5 .5 .5,  B = i3,  goal = (A+B)/2 = 0 .5 1 .25 .5 .75
func small() (*composite.Node, *composite.Data) {
	nan := math.NaN()
	leaf := func(code string, dir composite.Direction) *composite.Node {
		return &composite.Node{Code: code, Direction: dir, Floor: nan}
	}
	i1, i2, i3 := leaf("i1", composite.Benefit), leaf("i2", composite.Cost), leaf("i3", composite.Benefit)
	i1.Target = []float64{5, 5, 5}
	i1.Floor = 1 // veto below 1
	i2.Target = []float64{1, 1, 1}
	i3.Target = []float64{2, 2, 6} // peer-group targets: u2 is held to 6
	root := &composite.Node{Code: "goal", Children: []*composite.Node{
		{Code: "A", Children: []*composite.Node{i1, i2}},
		{Code: "B", Children: []*composite.Node{i3}},
	}}
	d := &composite.Data{
		Units: []string{"u0", "u1", "u2"}, Periods: []string{"2020", "2021"},
		Values: map[string][]float64{
			"i1": {0, 5, 10, 10, 5, 0},
			"i2": {4, 2, 0, 4, 2, 0},
			"i3": {1, 3, 5, 1, 3, 5},
		},
		Peers: map[string]composite.PeerGroups{"region": {Labels: []string{"east", "west"}, Of: []int32{0, 1, 1}}},
	}
	return root, d
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 || (math.IsNaN(a) && math.IsNaN(b)) }

func TestIndexSmall(t *testing.T) {
	root, d := small()
	grades := &composite.Grades{Bands: []composite.Band{{Name: "A", Min: 0.7}, {Name: "B", Min: 0.4}, {Name: "C", Min: math.Inf(-1)}}, VetoCap: "B"}
	x, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual, Grades: grades})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float64{
		"goal": {0, .5, 1, .25, .5, .75},
		"A":    {0, .5, 1, .5, .5, .5},
		"B":    {0, .5, 1, 0, .5, 1},
		"i2":   {0, .5, 1, 0, .5, 1},
	}
	for p, c := range x.Codes {
		if w, ok := want[c]; ok {
			for i := range w {
				if !near(x.Score[p][i], w[i]) {
					t.Errorf("%s row %d = %v; want %v", c, i, x.Score[p][i], w[i])
				}
			}
		}
	}
	// Ranks: 2020 scores 0, 1, .5 → 3, 1, 2; 2021 .5, .25, .75 → 2, 3, 1.
	// Within regions (east: u0; west: u1, u2): 1, 1, 2 / 1, 2, 1.
	wantRank := []float64{3, 2, 1, 3, 2, 1}
	wantPeer := []float64{1, 1, 1, 2, 2, 1}
	for i := range wantRank {
		if x.Rank[i] != wantRank[i] || x.PeerRank["region"][i] != wantPeer[i] {
			t.Errorf("row %d: rank %v (region %v); want %v (%v)", i, x.Rank[i], x.PeerRank["region"][i], wantRank[i], wantPeer[i])
		}
	}
	// Attainment: i1 ≥ 5, i2 ≤ 1, i3 ≥ 2 (u2: ≥ 6).
	//   u0t0 0/3; u0t1 5,2,3 → 2/3; u1t0 10,0,5 → 3/3; u1t1 10,4,1 → 1/3;
	//   u2t0 5,2,3 → 1/3 (3 < 6); u2t1 0,0,5 → 1/3.
	wantMet := []int{0, 2, 3, 1, 1, 1}
	for i, m := range wantMet {
		if x.Met[i] != m || x.Targeted[i] != 3 || !near(x.Attainment[i], float64(m)/3) {
			t.Errorf("row %d: attainment %d/%d = %v; want %d/3", i, x.Met[i], x.Targeted[i], x.Attainment[i], m)
		}
	}
	// Veto: i1 < 1 in u0t0 and u2t1. Grades: .75 would be A but u2t1 is
	// vetoed and capped at B; u0t0 (0) stays C.
	wantGrade := []string{"C", "B", "A", "C", "B", "B"}
	for i, g := range wantGrade {
		if x.Grade[i] != g {
			t.Errorf("row %d: grade %q; want %q", i, x.Grade[i], g)
		}
	}
	if len(x.Veto[5]) != 1 || x.Veto[5][0] != "i1" || len(x.Veto[1]) != 0 {
		t.Errorf("veto %v", x.Veto)
	}
	// U4SSC points: share of target (cost: target/value), bands <.33, <.66,
	// <.95, ≥.95 → 1–4.
	//   u0t0: i1 0/5 → 1, i2 1/4 → 1, i3 1/2 → 2: 4
	//   u1t0: i1 2 → 4, i2 value 0 → 4, i3 2.5 → 4: 12
	//   u2t1: i1 0 → 1, i2 0 → 4, i3 5/6 → 3: 8
	for row, tot := range map[int]int{0: 4, 2: 12, 5: 8} {
		if x.U4SSC.Total[row] != tot || x.U4SSC.Scored[row] != 3 {
			t.Errorf("row %d: U4SSC %d from %d; want %d from 3", row, x.U4SSC.Total[row], x.U4SSC.Scored[row], tot)
		}
	}
	// Contributions (global weights i1 ¼, i2 ¼, i3 ½): u0 2020→2021
	// changes .5 = ¼·.5 + ¼·.5 + ½·.5; u1 −.75 = 0 − ¼ − ½.
	wantC := map[int][3]float64{1: {.125, .125, .25}, 3: {0, -.25, -.5}, 5: {-.125, .125, .25}}
	for row, c := range wantC {
		sum := x.Other[row]
		for l := range 3 {
			if !near(x.Contribution[l][row], c[l]) {
				t.Errorf("row %d: contribution of %s = %v; want %v", row, x.Codes[x.Leaves[l]], x.Contribution[l][row], c[l])
			}
			sum += x.Contribution[l][row]
		}
		if !near(sum, x.Change[0][row]) {
			t.Errorf("row %d: contributions sum to %v, change %v", row, sum, x.Change[0][row])
		}
	}
	if !math.IsNaN(x.Change[0][0]) || !math.IsNaN(x.Contribution[0][0]) {
		t.Error("first period has a change")
	}
	// Peers of u0 in 2020: profiles (0,0,0), u1 (1,1,1), u2 (.5,.5,.5).
	peers, err := x.Peers(0, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(peers) != 2 || peers[0].Unit != "u2" || !near(peers[0].Distance, math.Sqrt(.75)) || peers[1].Unit != "u1" || !near(peers[1].Distance, math.Sqrt(3)) {
		t.Errorf("peers %+v", peers)
	}
	// Relative 0–10: 2021 goal .5 .25 .75 → 5, 0, 10; i2 raw (cost) in 2020 4 0 2 → 0 10 5.
	for i, w := range map[int]float64{1: 5, 3: 0, 5: 10} {
		if !near(x.Relative[0][i], w) {
			t.Errorf("relative goal row %d = %v; want %v", i, x.Relative[0][i], w)
		}
	}
	p2 := x.Leaves[1]
	for i, w := range map[int]float64{0: 0, 2: 10, 4: 5} {
		if !near(x.Relative[p2][i], w) {
			t.Errorf("relative i2 row %d = %v; want %v", i, x.Relative[p2][i], w)
		}
	}
}

// TestIndexContributionsNonlinear: for geometric, TOPSIS and GRA
// aggregation, per-period scope and missing values, contributions still
// sum to the change.
func TestIndexContributionsNonlinear(t *testing.T) {
	for _, agg := range []composite.AggMethod{composite.AggGeometric, composite.AggTOPSIS, composite.AggGRA} {
		for _, per := range []bool{false, true} {
			root, d := small()
			d.Values["i2"][3] = math.NaN()
			x, err := composite.Compute(root, d, composite.IndexOptions{Aggregate: agg, PerPeriod: per, Weighting: composite.WeightEqual})
			if err != nil {
				t.Fatal(agg, err)
			}
			for _, row := range []int{1, 3, 5} {
				s := x.Other[row]
				for l := range x.Leaves {
					s += x.Contribution[l][row]
				}
				if math.Abs(s-x.Change[0][row]) > 1e-12 {
					t.Errorf("%s per-period=%v row %d: contributions sum to %v, change %v", agg, per, row, s, x.Change[0][row])
				}
			}
			if !per && agg != composite.AggGRA && agg != composite.AggTOPSIS && x.Other[1] != 0 {
				t.Errorf("%s pooled: other = %v", agg, x.Other[1])
			}
			if q := x.Quality[x.Leaves[1]][3]; q != composite.QualityMissing {
				t.Errorf("missing value has quality %v", q)
			}
		}
	}
}

// TestNodeAggregationMatchesKernels: on a one-level tree with complete
// data, the index's TOPSIS and GRA scores equal the kernels' on the
// normalised matrix (pooled).
func TestNodeAggregationMatchesKernels(t *testing.T) {
	root, d := small()
	flatRoot := &composite.Node{Code: "goal", Children: []*composite.Node{root.Children[0].Children[0], root.Children[0].Children[1], root.Children[1].Children[0]}}
	w := []float64{0.5, 0.3, 0.2}
	for j, c := range flatRoot.Children {
		c.Weight, c.HasWeight = w[j]*10, true
	}
	for _, agg := range []composite.AggMethod{composite.AggTOPSIS, composite.AggGRA, composite.AggLinear} {
		x, err := composite.Compute(flatRoot, d, composite.IndexOptions{Aggregate: agg, Weighting: composite.WeightExpert})
		if err != nil {
			t.Fatal(err)
		}
		cols := make([][]float64, 3)
		for l, p := range x.Leaves {
			cols[l] = x.Score[p]
		}
		var want []float64
		switch agg {
		case composite.AggTOPSIS:
			want, err = composite.TOPSIS(nil, cols, w, nil, composite.TOPSISOptions{})
		case composite.AggGRA:
			want, err = composite.GreyRelational(nil, cols, w, nil, composite.GRAOptions{})
		default:
			want, err = composite.Arithmetic(nil, cols, w, composite.AggOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if !near(x.Score[0][i], want[i]) {
				t.Errorf("%s row %d: index %v, kernel %v", agg, i, x.Score[0][i], want[i])
			}
		}
	}
}

func TestU4SSCPoints(t *testing.T) {
	for _, c := range []struct {
		v, target float64
		dir       composite.Direction
		want      int8
	}{
		{32, 100, composite.Benefit, 1}, {33, 100, composite.Benefit, 2}, {65.9, 100, composite.Benefit, 2},
		{66, 100, composite.Benefit, 3}, {94.9, 100, composite.Benefit, 3}, {95, 100, composite.Benefit, 4},
		{150, 100, composite.Benefit, 4}, {200, 100, composite.Cost, 2}, {100, 95, composite.Cost, 4},
		{0, 10, composite.Cost, 4}, {math.NaN(), 10, composite.Benefit, 0}, {5, math.NaN(), composite.Benefit, 0},
		{5, 0, composite.Benefit, 0},
	} {
		if got := composite.U4SSCPoints(c.v, c.target, c.dir); got != c.want {
			t.Errorf("U4SSCPoints(%v, %v, %v) = %d; want %d", c.v, c.target, c.dir, got, c.want)
		}
	}
}

func TestIndexMissingReweight(t *testing.T) {
	root, d := small()
	d.Values["i1"][0] = math.NaN() // u0t0: A = i2 alone = 0
	d.Values["i2"][0] = math.NaN() // and now A is missing: goal = B = 0
	x, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(x.Score[1][0]) || x.Score[0][0] != 0 || x.Quality[1][0] != composite.QualityMissing {
		t.Errorf("A = %v, goal = %v", x.Score[1][0], x.Score[0][0])
	}
	x, err = composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual, Missing: composite.MissingNone})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(x.Score[0][0]) || x.Grade[0] != "" || !math.IsNaN(x.Rank[0]) {
		t.Errorf("missing none: goal %v grade %q rank %v", x.Score[0][0], x.Grade[0], x.Rank[0])
	}
	// Period mean: u0t0's i1 becomes the 2020 mean of (1, .5) = .75 and is
	// marked imputed.
	x, err = composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual, Missing: composite.MissingPeriodMean})
	if err != nil {
		t.Fatal(err)
	}
	if p := x.Leaves[0]; x.Score[p][0] != 0.75 || x.Quality[p][0] != composite.Imputed || x.Quality[0][0] != composite.Imputed {
		t.Errorf("period mean: %v (%v), goal quality %v", x.Score[p][0], x.Quality[p][0], x.Quality[0][0])
	}
}

func TestIndexQualityCarried(t *testing.T) {
	root, d := small()
	d.Quality = map[string][]composite.Quality{"i3": {composite.SurveyExtrapolated, 0, 0, 0, 0, composite.Estimated}}
	x, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual})
	if err != nil {
		t.Fatal(err)
	}
	if x.Quality[0][0] != composite.SurveyExtrapolated || x.Quality[0][5] != composite.Estimated || x.Quality[0][1] != composite.Measured {
		t.Errorf("goal quality %v", x.Quality[0])
	}
	if q, err := composite.ParseQuality("survey-extrapolated"); err != nil || q != composite.SurveyExtrapolated {
		t.Error(q, err)
	}
	if _, err := composite.ParseQuality("guessed"); err == nil {
		t.Error("ParseQuality accepted guessed")
	}
}

// TestIndexErrors: every bad input gets a named error.
func TestIndexErrors(t *testing.T) {
	inconsistent := [][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}}
	cases := []struct {
		name   string
		modify func(*composite.Node, *composite.Data, *composite.IndexOptions)
		check  func(error) bool
		msg    string // a fragment the message must contain
	}{
		{"missing indicator", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) { delete(d.Values, "i3") },
			func(err error) bool { var e *composite.MissingIndicatorsError; return errors.As(err, &e) }, "i3"},
		{"all missing", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			d.Values["i3"] = []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
		}, func(err error) bool { return errors.Is(err, composite.ErrAllMissing) }, "indicator i3"},
		{"constant", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			d.Values["i3"] = []float64{2, 2, 2, 2, 2, 2}
		},
			func(err error) bool { return errors.Is(err, composite.ErrZeroVariance) }, "indicator i3"},
		{"short column", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			d.Values["i3"] = []float64{2, 2}
		},
			func(err error) bool { var e *composite.IndicatorError; return errors.As(err, &e) }, "i3"},
		{"no direction", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			r.Children[1].Children[0].Direction = 0
		},
			func(err error) bool { return errors.Is(err, composite.ErrNoDirection) }, "i3"},
		{"empty dimension", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			r.Children[1].Children = []*composite.Node{}
		},
			func(err error) bool { return errors.Is(err, composite.ErrEmptyNode) }, "node B"},
		{"no expert weights", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Weighting = composite.WeightExpert
		},
			func(err error) bool { return errors.Is(err, composite.ErrNoExpertWeights) }, "node A"},
		{"no AHP matrix", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Weighting = composite.WeightAHP
		},
			func(err error) bool { return errors.Is(err, composite.ErrNoAHPMatrix) }, "node A"},
		{"AHP CR > 0.1", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			r.Children = append(r.Children, &composite.Node{Code: "C", Children: []*composite.Node{{Code: "i4", Direction: composite.Benefit, Floor: math.NaN()}}})
			d.Values["i4"] = []float64{1, 2, 3, 4, 5, 6}
			o.Weighting = composite.WeightAHP
			o.AHP = map[string][][][]float64{"goal": {inconsistent}, "A": {{{1, 2}, {0.5, 1}}}, "B": {{{1}}}, "C": {{{1}}}}
		}, func(err error) bool { var e *composite.InconsistentError; return errors.As(err, &e) }, "node goal: AHP consistency ratio"},
		{"AHP wrong size", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Weighting = composite.WeightAHP
			o.AHP = map[string][][][]float64{"goal": {{{1}}}, "A": {{{1, 2}, {0.5, 1}}}, "B": {{{1}}}}
		}, func(err error) bool { var e *composite.AHPNodeError; return errors.As(err, &e) }, "node goal"},
		{"AHP non-reciprocal", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Weighting = composite.WeightAHP
			o.AHP = map[string][][][]float64{"goal": {{{1, 3}, {3, 1}}}, "A": {{{1, 2}, {0.5, 1}}}, "B": {{{1}}}}
		}, func(err error) bool { return errors.Is(err, composite.ErrNonReciprocal) }, "pair A vs B"},
		{"AHP unknown node", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Weighting = composite.WeightAHP
			o.AHP = map[string][][][]float64{"nosuch": {{{1}}}}
		}, func(err error) bool { var e *composite.NodeError; return errors.As(err, &e) }, "nosuch"},
		{"geometric with zscore", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Aggregate, o.Normalise = composite.AggGeometric, composite.ZScore
		}, func(err error) bool { return err != nil }, "geometric aggregation (at A) needs normalisations into [0, 1]"},
		{"normalisation at unknown node", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.NormaliseAt = map[string]composite.NormMethod{"nosuch": composite.ZScore}
		}, func(err error) bool { var e *composite.NodeError; return errors.As(err, &e) }, "node nosuch: normalisation given for a node that is not in the framework"},
		{"aggregation at an indicator", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.AggregateAt = map[string]composite.AggMethod{"i1": composite.AggTOPSIS}
		}, func(err error) bool { var e *composite.NodeError; return errors.As(err, &e) }, "node i1: aggregation given for a node that is not a dimension"},
		{"geometric at goal over zscore dimension", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.AggregateAt = map[string]composite.AggMethod{"goal": composite.AggGeometric}
			o.NormaliseAt = map[string]composite.NormMethod{"B": composite.ZScore}
		}, func(err error) bool { return err != nil }, "not zscore (indicator i3)"},
		{"target without targets", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			r.Children[0].Children[0].Target = nil
			o.Normalise = composite.DistanceToTarget
		}, func(err error) bool { return errors.Is(err, composite.ErrNoTarget) }, "indicator i1"},
		{"bad grades", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Grades = &composite.Grades{Bands: []composite.Band{{Name: "A", Min: 0.2}, {Name: "B", Min: 0.5}}}
		}, func(err error) bool { return errors.Is(err, composite.ErrBadGrades) }, "band \"B\""},
		{"veto cap unknown", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Grades = &composite.Grades{Bands: []composite.Band{{Name: "A", Min: 0.2}}, VetoCap: "Z"}
		}, func(err error) bool { return errors.Is(err, composite.ErrBadGrades) }, "veto_cap"},
		{"combined flat", func(r *composite.Node, d *composite.Data, o *composite.IndexOptions) {
			o.Weighting, o.Flat = composite.WeightCombined, true
		}, func(err error) bool { return err != nil }, "not --flat"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, d := small()
			var o composite.IndexOptions
			c.modify(root, d, &o)
			_, err := composite.Compute(root, d, o)
			if err == nil || !c.check(err) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v; want one containing %q", err, c.msg)
			}
		})
	}
}

func TestParseMethods(t *testing.T) {
	if _, err := composite.ParseWeightMethod("entropyy"); err == nil || !strings.Contains(err.Error(), "entropy, critic") {
		t.Errorf("ParseWeightMethod: %v", err)
	}
	if _, err := composite.ParseAggMethod("median"); err == nil {
		t.Error("ParseAggMethod accepted median")
	}
	if _, err := composite.ParseMissingRule("drop"); err == nil {
		t.Error("ParseMissingRule accepted drop")
	}
	if _, err := composite.ParseCombination("sum"); err == nil {
		t.Error("ParseCombination accepted sum")
	}
	for i, n := range []string{"entropy", "critic", "cv", "sd", "pca", "equal", "expert", "ahp", "combined"} {
		if m, err := composite.ParseWeightMethod(n); err != nil || int(m) != i || m.String() != n {
			t.Errorf("ParseWeightMethod(%q) = %v, %v", n, m, err)
		}
	}
}

// TestIndexWinsor: quantile fences (type 7) at 0.2/0.8 fall on each
// column's min and max here (i3 sorted 1 1 3 3 5 5: h = 1 → 1, h = 4 → 5),
// so the index is unchanged; at 0.4/0.6 both fences of i3 are 3 (and of i1
// 5): every value is clamped to one number and min-max fails, naming the
// indicators.
func TestIndexWinsor(t *testing.T) {
	root, d := small()
	x, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual,
		Winsor: composite.Winsor{Method: composite.WinsorQuantile, Lo: 0.2, Hi: 0.8}})
	if err != nil {
		t.Fatal(err)
	}
	if x.Method.Winsor != "quantile 0.2–0.8" || !near(x.Score[0][2], 1) {
		t.Errorf("winsor %q, goal %v", x.Method.Winsor, x.Score[0][2])
	}
	_, err = composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual,
		Winsor: composite.Winsor{Method: composite.WinsorQuantile, Lo: 0.4, Hi: 0.6}})
	if !errors.Is(err, composite.ErrZeroVariance) || !strings.Contains(err.Error(), "indicator i3") {
		t.Errorf("err = %v", err)
	}
}

// TestIndexPerNode: per-node normalisation, weighting and aggregation.
// B's indicator i3 = 1 3 5 1 3 5 by percentile (pooled average ranks 1.5,
// 3.5, 5.5 → (r−1)/5 = .1, .5, .9); the goal aggregates A and B
// geometrically: for u1 in 2020, A = 1 and B = .9, so the goal is
// (√((1 + 99·1)(1 + 99·.9)) − 1)/99.
func TestIndexPerNode(t *testing.T) {
	root, d := small()
	x, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEntropy,
		WeightingAt: map[string]composite.WeightMethod{"goal": composite.WeightEqual},
		NormaliseAt: map[string]composite.NormMethod{"B": composite.Percentile},
		AggregateAt: map[string]composite.AggMethod{"goal": composite.AggGeometric}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (math.Sqrt(100*(1+99*0.9)) - 1) / 99; !near(x.Score[0][2], want) {
		t.Errorf("goal u1 2020 = %v; want %v", x.Score[0][2], want)
	}
	if x.Weights[0].Method != "equal" || x.Weights[1].Method != "entropy" {
		t.Errorf("methods %q, %q", x.Weights[0].Method, x.Weights[1].Method)
	}
	if x.Method.Overrides["goal"] != "weights=equal, aggregate=geometric" || x.Method.Overrides["B"] != "normalise=percentile" {
		t.Errorf("overrides %v", x.Method.Overrides)
	}
	// Contributions still sum to the change with a geometric goal.
	for _, row := range []int{1, 3, 5} {
		s := x.Other[row]
		for l := range x.Leaves {
			s += x.Contribution[l][row]
		}
		if math.Abs(s-x.Change[0][row]) > 1e-12 {
			t.Errorf("row %d: contributions %v, change %v", row, s, x.Change[0][row])
		}
	}
	// The Monte Carlo keeps the per-node choices: with nothing varied it
	// reproduces the index's ranks.
	r, err := x.Uncertainty(composite.UncertaintyOptions{Replicates: 3, Period: -1})
	if err != nil {
		t.Fatal(err)
	}
	for u, uu := range r.Units {
		if want := x.Rank[x.Row(u, 1)]; uu.P05 != want || uu.P95 != want {
			t.Errorf("%s: %+v, want rank %v", uu.Unit, uu, want)
		}
	}
}
