package composite

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"testing"
)

func readAnxiety(t *testing.T) [][]float64 {
	t.Helper()
	fh, err := os.Open("testdata/qualitative/anxiety.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := make([][]float64, len(recs[0])-1)
	for _, r := range recs[1:] {
		for j := range cols {
			v, err := strconv.ParseFloat(r[j+1], 64)
			if err != nil {
				t.Fatal(err)
			}
			cols[j] = append(cols[j], v)
		}
	}
	return cols
}

func TestKendallWAnxiety(t *testing.T) {
	// DescTools::KendallW(anxiety, TRUE) = 0.5396569 (testdata/qualitative/README.md).
	c, err := KendallW(readAnxiety(t), true)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.W-0.5396569) > 5e-8 {
		t.Errorf("W = %.9f; want 0.5396569", c.W)
	}
	if c.Items != 20 || c.Raters != 3 || c.DF != 19 || !c.Ties {
		t.Errorf("items %d raters %d df %d ties %v; want 20 3 19 true", c.Items, c.Raters, c.DF, c.Ties)
	}
	// χ² = m(n−1)W (Kendall 1948), so 57·W.
	if math.Abs(c.ChiSq-57*c.W) > 1e-12 {
		t.Errorf("chi² = %v; want 57·W = %v", c.ChiSq, 57*c.W)
	}
	if !(c.P > 0.04 && c.P < 0.05) { // χ²(19) upper 5% point is 30.14 < 30.76
		t.Errorf("p = %v; want in (0.04, 0.05)", c.P)
	}
	u, _ := KendallW(readAnxiety(t), false)
	if !(u.W < c.W) {
		t.Errorf("uncorrected W %v should be below corrected %v", u.W, c.W)
	}
}

func TestKendallWHand(t *testing.T) {
	cases := []struct {
		name    string
		x       [][]float64
		correct bool
		want    float64
	}{
		// R = 4, 6, 8, 12; mean 7.5; S = 35; W = 12·35/(9·60) = 7/9.
		{"no ties", [][]float64{{1, 2, 3, 4}, {1, 3, 2, 4}, {2, 1, 3, 4}}, false, 7.0 / 9},
		// Rater A ties the first two: ranks 1.5, 1.5, 3, 4, T_A = 2³−2 = 6.
		// R = 3.5, 5.5, 9, 12; S = 42.5; W = 510/(540 − 3·6) = 510/522.
		{"ties corrected", [][]float64{{1, 1, 2, 3}, {1, 2, 3, 4}, {10, 20, 30, 40}}, true, 510.0 / 522},
		{"ties uncorrected", [][]float64{{1, 1, 2, 3}, {1, 2, 3, 4}, {10, 20, 30, 40}}, false, 510.0 / 540},
		{"perfect agreement", [][]float64{{1, 2, 3}, {2, 4, 9}}, true, 1},
		// Opposite rankings of two raters: R all equal, W = 0.
		{"opposed", [][]float64{{1, 2, 3}, {3, 2, 1}}, true, 0},
		// The NaN row (subject 2) is dropped: same as "no ties" minus nothing.
		{"listwise", [][]float64{{1, math.NaN(), 2, 3, 4}, {1, 5, 3, 2, 4}, {2, 5, 1, 3, 4}}, false, 7.0 / 9},
	}
	for _, tc := range cases {
		c, err := KendallW(tc.x, tc.correct)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(c.W-tc.want) > 1e-12 {
			t.Errorf("%s: W = %v; want %v", tc.name, c.W, tc.want)
		}
	}
}

func TestKendallWErrors(t *testing.T) {
	if _, err := KendallW([][]float64{{1, 2, 3}}, true); !errors.Is(err, ErrTooFewRows) {
		t.Errorf("one rater: %v; want ErrTooFewRows", err)
	}
	if _, err := KendallW([][]float64{{1, math.NaN()}, {1, 2}}, true); !errors.Is(err, ErrTooFewRows) {
		t.Errorf("one complete subject: %v; want ErrTooFewRows", err)
	}
	if _, err := KendallW([][]float64{{3, 3, 3}, {2, 2, 2}}, true); !errors.Is(err, ErrZeroVariance) {
		t.Errorf("all tied: %v; want ErrZeroVariance", err)
	}
}

// delphiRecs builds records from per-round expert×item score tables.
func delphiRecs(rounds ...[][]float64) []ExpertScore {
	var out []ExpertScore
	for r, tab := range rounds {
		for e, row := range tab {
			for i, v := range row {
				out = append(out, ExpertScore{Round: r + 1, Expert: "E" + strconv.Itoa(e+1), Item: "I" + strconv.Itoa(i+1), Score: v})
			}
		}
	}
	return out
}

func TestDelphi(t *testing.T) {
	// Round 1: three experts disagree; round 2: the "no ties" table
	// (W = 7/9); round 3: the same ranks again with other values (W = 7/9,
	// ΔW = 0), which meets the concordance rule.
	r1 := [][]float64{{1, 2, 3, 4}, {4, 3, 2, 1}, {2, 1, 4, 3}}
	r2 := [][]float64{{1, 2, 3, 4}, {1, 3, 2, 4}, {2, 1, 3, 4}}
	r3 := [][]float64{{5, 6, 7, 9}, {5, 7, 6, 9}, {6, 5, 7, 9}}
	res, err := Delphi(delphiRecs(r1, r2, r3), DelphiOptions{Rule: StopConcordance, Alpha: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rounds) != 3 || res.StopRound != 3 {
		t.Fatalf("rounds %d stop %d; want 3 and 3", len(res.Rounds), res.StopRound)
	}
	if w := res.Rounds[1].Concordance.W; math.Abs(w-7.0/9) > 1e-12 {
		t.Errorf("round 2 W = %v; want 7/9", w)
	}
	if res.Rounds[1].AgreementMet { // ΔW from round 1 is large
		t.Errorf("round 2 should not meet the concordance rule (ΔW = %v)", res.Rounds[1].WChange)
	}
	// Round 3, item I1: scores 5, 5, 6: mean 16/3, median 5, sample SD
	// √(1/3), CV = √(1/3)/(16/3), type-7 Q1 = 5, Q3 = 5.5, IQR 0.5.
	it := res.Final()[0]
	if it.Item != "I1" || it.N != 3 || math.Abs(it.Mean-16.0/3) > 1e-12 || it.Median != 5 || it.Q1 != 5 || it.Q3 != 5.5 || it.IQR != 0.5 {
		t.Errorf("item stats %+v", it)
	}
	if want := math.Sqrt(1.0/3) / (16.0 / 3); math.Abs(it.CV-want) > 1e-12 {
		t.Errorf("CV = %v; want %v", it.CV, want)
	}
	// CV rule: round 3 CVs are all ≤ 0.25, round 1 not (item I1: 1, 4, 2).
	res, err = Delphi(delphiRecs(r1, r3), DelphiOptions{Rule: StopCV})
	if err != nil {
		t.Fatal(err)
	}
	if res.StopRound != 2 || res.Rounds[0].CVMet || !res.Rounds[1].CVMet {
		t.Errorf("CV rule: stop %d, met %v %v; want 2, false, true", res.StopRound, res.Rounds[0].CVMet, res.Rounds[1].CVMet)
	}
	// Changing one option changes the outcome: a strict CV threshold.
	res, _ = Delphi(delphiRecs(r1, r3), DelphiOptions{Rule: StopCV, MaxCV: 0.01})
	if res.StopRound != 0 || len(res.Notes) == 0 {
		t.Errorf("strict CV: stop %d notes %v; want 0 and a note", res.StopRound, res.Notes)
	}
	w, err := res.ExpertWeights([]string{"I1", "I4"})
	if err != nil {
		t.Fatal(err)
	}
	// Means 16/3 and 9: weights 16/43 and 27/43.
	if math.Abs(w[0]-16.0/43) > 1e-12 || math.Abs(w[1]-27.0/43) > 1e-12 {
		t.Errorf("expert weights %v; want 16/43, 27/43", w)
	}
}

func TestDelphiErrors(t *testing.T) {
	recs := delphiRecs([][]float64{{1, 2}, {2, 1}})
	recs = append(recs, recs[0], ExpertScore{Round: 1, Expert: "E9", Item: "I1", Score: math.Inf(1)})
	_, err := Delphi(recs, DelphiOptions{})
	var re *RecordError
	if !errors.As(err, &re) || re.Index != 4 {
		t.Fatalf("duplicate: %v; want RecordError at 4", err)
	}
	if u, ok := err.(interface{ Unwrap() []error }); !ok || len(u.Unwrap()) != 2 {
		t.Errorf("want both errors collected, got %v", err)
	}
	if _, err := Delphi(delphiRecs([][]float64{{1, 2, 3}}), DelphiOptions{}); !errors.Is(err, ErrTooFewRows) {
		t.Errorf("one expert: %v; want ErrTooFewRows", err)
	}
}

func TestLikert(t *testing.T) {
	nan := math.NaN()
	// 10 answers on 1–5 (one NaN skipped): 5,5,4,4,4,3,3,2,1,5.
	// n = 10, mean 3.6, Σ(x−3.6)² = 3·1.96 + 3·0.16 + 2·0.36 + 2.56 + 6.76
	// = 16.4, s² = 16.4/9; top-2 (4–5): 6/10.
	ans := []float64{5, 5, 4, 4, nan, 4, 3, 3, 2, 1, 5}
	s, err := Likert(ans, LikertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const z = 1.959963984540054 // Φ⁻¹(0.975)
	sd := math.Sqrt(16.4 / 9)
	if s.N != 10 || math.Abs(s.Mean-3.6) > 1e-12 || math.Abs(s.SD-sd) > 1e-12 || s.Top != 0.6 || !s.LowN {
		t.Errorf("got %+v", s)
	}
	if want := z * sd / math.Sqrt(10); math.Abs(s.MeanMOE-want) > 1e-9 {
		t.Errorf("mean MOE %v; want %v", s.MeanMOE, want)
	}
	if want := z * math.Sqrt(0.24/10); math.Abs(s.TopMOE-want) > 1e-9 {
		t.Errorf("top-2 MOE %v; want %v", s.TopMOE, want)
	}
	// Finite population N = 20: f = √(10/19).
	f, _ := Likert(ans, LikertOptions{Population: 20})
	if math.Abs(f.FPC-math.Sqrt(10.0/19)) > 1e-12 || math.Abs(f.TopMOE-s.TopMOE*f.FPC) > 1e-12 {
		t.Errorf("FPC %v MOE %v", f.FPC, f.TopMOE)
	}
	// Census: every margin 0.
	c, _ := Likert(ans, LikertOptions{Population: 10, Interval: IntervalWilson})
	if c.MeanMOE != 0 || c.TopMOE != 0 {
		t.Errorf("census margins %v %v; want 0", c.MeanMOE, c.TopMOE)
	}
	// 7-point scale: top-2 is 6–7.
	s7, _ := Likert([]float64{7, 6, 5, 1}, LikertOptions{Scale: 7})
	if s7.Top != 0.5 {
		t.Errorf("7-point top-2 = %v; want 0.5", s7.Top)
	}
}

func TestLikertWilson(t *testing.T) {
	// Newcombe (1998), Stat Med 17:857–872, Table I, method 3 (Wilson score
	// interval without continuity correction): 81/263 → 0.2553–0.3662,
	// 15/148 → 0.0624–0.1605, 0/20 → 0–0.1611, 1/29 → 0.0061–0.1718.
	cases := []struct {
		top, n int
		lo, hi float64
	}{{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0, 0.1611}, {1, 29, 0.0061, 0.1718}}
	for _, tc := range cases {
		ans := make([]float64, tc.n)
		for i := range ans {
			ans[i] = 1
			if i < tc.top {
				ans[i] = 5
			}
		}
		s, err := Likert(ans, LikertOptions{Interval: IntervalWilson})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(s.TopLo-tc.lo) > 5e-5 || math.Abs(s.TopHi-tc.hi) > 5e-5 {
			t.Errorf("%d/%d: Wilson %.4f–%.4f; want %.4f–%.4f", tc.top, tc.n, s.TopLo, s.TopHi, tc.lo, tc.hi)
		}
	}
}

func TestLikertErrors(t *testing.T) {
	_, err := Likert([]float64{1, 2, 6}, LikertOptions{})
	var ce *ColumnError
	if !errors.As(err, &ce) || ce.Row != 2 || !errors.Is(err, ErrOutsideScale) {
		t.Errorf("6 on a 5-point scale: %v", err)
	}
	if _, err := Likert([]float64{1, 2.5}, LikertOptions{}); !errors.Is(err, ErrOutsideScale) {
		t.Errorf("2.5: %v", err)
	}
	if _, err := Likert([]float64{math.NaN()}, LikertOptions{}); !errors.Is(err, ErrAllMissing) {
		t.Errorf("no answers: %v", err)
	}
	if _, err := Likert([]float64{1, 2, 3}, LikertOptions{Population: 2}); err == nil {
		t.Errorf("population below n: no error")
	}
}

// TestEnumStrings: the names of aggregations, missing-value rules and stop
// rules read back through their Parse functions, and a value outside the
// enum prints as kind(n).
func TestEnumStrings(t *testing.T) {
	for i, n := range aggNames {
		if got := AggMethod(i).String(); got != n {
			t.Errorf("AggMethod(%d) = %q; want %q", i, got, n)
		}
		if a, err := ParseAggMethod(n); err != nil || a != AggMethod(i) {
			t.Errorf("ParseAggMethod(%q) = %v, %v", n, a, err)
		}
	}
	for i, n := range missingNames {
		if got := MissingRule(i).String(); got != n {
			t.Errorf("MissingRule(%d) = %q; want %q", i, got, n)
		}
		if m, err := ParseMissingRule(n); err != nil || m != MissingRule(i) {
			t.Errorf("ParseMissingRule(%q) = %v, %v", n, m, err)
		}
	}
	for i, n := range stopRuleNames {
		if got := StopRule(i).String(); got != n {
			t.Errorf("StopRule(%d) = %q; want %q", i, got, n)
		}
		if s, err := ParseStopRule(n); err != nil || s != StopRule(i) {
			t.Errorf("ParseStopRule(%q) = %v, %v", n, s, err)
		}
	}
	for _, c := range []struct {
		got, want string
	}{
		{AggMethod(-1).String(), "agg(-1)"}, {AggMethod(len(aggNames)).String(), "agg(4)"},
		{MissingRule(-1).String(), "missing(-1)"}, {MissingRule(len(missingNames)).String(), "missing(4)"},
		{StopRule(-1).String(), "stoprule(-1)"}, {StopRule(len(stopRuleNames)).String(), "stoprule(4)"},
	} {
		if c.got != c.want {
			t.Errorf("got %q; want %q", c.got, c.want)
		}
	}
}
