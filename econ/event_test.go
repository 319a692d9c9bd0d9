package econ

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// baseDIDWithCohort is fixest's base_did with a cohort column: the treated
// group (treat = 1) is first treated in period 6 (post = 1 from period 6),
// the others never.
func baseDIDWithCohort(t *testing.T) *Frame {
	t.Helper()
	data := readFrame(t, "testdata/fixest_base_did.csv")
	treat, _ := data.Float("treat")
	cohort := make([]float64, len(treat))
	for i, v := range treat {
		cohort[i] = math.NaN()
		if v == 1 {
			cohort[i] = 6
		}
	}
	if err := data.AddFloat("cohort", cohort); err != nil {
		t.Fatal(err)
	}
	return data
}

// The event study on fixest's base_did through EstimateEventStudy equals
// fixest's y ~ x1 + i(period, treat, 5) | id + period: relative time
// period − 6 with reference −1 is period 5. Expected values: fixest's
// walkthrough vignette (lrberge/fixest @dbe56c5
// docs/articles/fixest_walkthrough.html, quoted in
// /work/shared/refdata/README.md), printed to 6 decimals.
func TestEventStudyBaseDID(t *testing.T) {
	data := baseDIDWithCohort(t)
	es, err := EstimateEventStudy(data, EventSpec{Outcome: "y", Unit: "id", Time: "period", Cohort: "cohort", Controls: []string{"x1"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x1 := mustCoef(t, es.Fit, "x1")
	if !roundsTo(x1.Estimate, 0.973490, 6) || !roundsTo(x1.SE, 0.045678, 6) {
		t.Errorf("x1 = %.8f (%.8f); want 0.973490 (0.045678)", x1.Estimate, x1.SE)
	}
	rel := []int{-5, -4, -3, -2, 0, 1, 2, 3, 4}
	want := []float64{-1.403045, -1.247511, -0.273206, -1.795721, 0.784452, 3.598897, 3.811766, 4.731426, 6.606229}
	for j, r := range rel {
		p, ok := es.Point(r)
		if !ok {
			t.Fatalf("no point at %d", r)
		}
		if !roundsTo(p.Estimate, want[j], 6) {
			t.Errorf("rel %d = %.8f; want %v", r, p.Estimate, want[j])
		}
		if !(p.CILow < p.Estimate && p.Estimate < p.CIHigh) {
			t.Errorf("rel %d: CI [%v, %v] does not contain %v", r, p.CILow, p.CIHigh, p.Estimate)
		}
	}
	ref, ok := es.Point(-1)
	if !ok || !ref.Ref || ref.Estimate != 0 || ref.SE != 0 || ref.CILow != 0 || ref.CIHigh != 0 {
		t.Errorf("reference point = %+v; want 0 with Ref", ref)
	}
	if len(es.Points) != 10 {
		t.Errorf("%d points; want 10", len(es.Points))
	}
	if es.NeverTreated != 53 { // base_did: 108 units, 55 with treat = 1 (counted with awk)
		t.Errorf("never-treated units = %d; want 53", es.NeverTreated)
	}
	// Same SEs as the plain i(period, treat, 5) model.
	plain, err := Estimate(data, "y ~ x1 + i(period, treat, 5) | id + period", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for j, r := range rel {
		p, _ := es.Point(r)
		per := []string{"1", "2", "3", "4", "6", "7", "8", "9", "10"}[j]
		c := mustCoef(t, plain, "period::"+per+":treat")
		if relErr(p.SE, c.SE) > 1e-9 || relErr(p.Estimate, c.Estimate) > 1e-9 {
			t.Errorf("rel %d: %v (%v); i(period, treat) gives %v (%v)", r, p.Estimate, p.SE, c.Estimate, c.SE)
		}
	}
	// Pre-trend test: 4 leads, clustered by id (108 clusters → F(4, 107)).
	w := es.PreTrend
	if w == nil || w.Q != 4 || w.DF2 != 107 {
		t.Fatalf("pre-trend test = %+v; want Q = 4, DF2 = 107", w)
	}
	if math.Abs(w.F*4-w.Chi2) > 1e-9*w.Chi2 || w.PF <= 0 || w.PF > 1 || w.PChi2 <= 0 || w.PChi2 > 1 {
		t.Errorf("pre-trend test inconsistent: %+v", w)
	}
}

// A one-restriction Wald test is the squared t test: F = t², and F(1, df)
// has the same tail as the two-sided t(df) (an identity, not an estimate).
func TestWaldOneRestrictionIsTTest(t *testing.T) {
	data := readFrame(t, "testdata/fixest_base_did.csv")
	r, err := Estimate(data, "y ~ x1 + i(period, treat, 5) | id + period", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := mustCoef(t, r, "period::9:treat")
	w, err := Wald(r, []string{"period::9:treat", "no_such"})
	if err != nil {
		t.Fatal(err)
	}
	if relErr(w.F, c.T*c.T) > 1e-12 || math.Abs(w.PF-c.P) > 1e-10 {
		t.Errorf("F = %v, p = %v; want t² = %v, p = %v", w.F, w.PF, c.T*c.T, c.P)
	}
	if len(w.Missing) != 1 || w.Missing[0] != "no_such" {
		t.Errorf("Missing = %v", w.Missing)
	}
	if _, err := Wald(r, []string{"nothing"}); err == nil {
		t.Error("Wald with no coefficients: no error")
	}
}

// Binning pools the end points: with Lo = −3 and Hi = 2 the relative times
// −5…−3 share one coefficient, as do 2…4, equal to the model with the
// binned dummy written out by hand.
func TestEventStudyBinned(t *testing.T) {
	data := baseDIDWithCohort(t)
	es, err := EstimateEventStudy(data, EventSpec{Outcome: "y", Unit: "id", Time: "period", Cohort: "cohort", Controls: []string{"x1"}, Lo: -3, Hi: 2, Ref: -2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, p := range es.Points {
		got = append(got, p.RelTime)
		if p.Binned != (p.RelTime == -3 || p.RelTime == 2) {
			t.Errorf("point %d: Binned = %v", p.RelTime, p.Binned)
		}
	}
	if want := []int{-3, -2, -1, 0, 1, 2}; !equalInts(got, want) {
		t.Errorf("points at %v; want %v", got, want)
	}
	// By hand: period bins 1–3 → a, 4 → ref, 5 → b, 6 → c, 7 → d, 8–10 → e.
	period, _ := data.Float("period")
	treat, _ := data.Float("treat")
	bin := make([]float64, len(period))
	for i, p := range period {
		switch {
		case treat[i] == 0:
			bin[i] = 0
		case p <= 3:
			bin[i] = -3
		case p >= 8:
			bin[i] = 2
		default:
			bin[i] = p - 6
		}
	}
	data.AddFloat("bin", bin)
	hand, err := Estimate(data, "y ~ x1 + i(bin, treat, ref = -2) | id + period", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range es.Points {
		if p.Ref {
			continue
		}
		c := mustCoef(t, hand, "bin::"+itoa(p.RelTime)+":treat")
		if relErr(p.Estimate, c.Estimate) > 1e-8 || relErr(p.SE, c.SE) > 1e-8 {
			t.Errorf("bin %d: %v (%v); by hand %v (%v)", p.RelTime, p.Estimate, p.SE, c.Estimate, c.SE)
		}
	}
	if es.PreTrend == nil || es.PreTrend.Q != 2 { // −3 and −1
		t.Errorf("pre-trend Q = %+v; want 2", es.PreTrend)
	}
}

func TestEventStudyErrors(t *testing.T) {
	data := baseDIDWithCohort(t)
	data.AddStrings("label", make([]string, data.Len()))
	base := EventSpec{Outcome: "y", Unit: "id", Time: "period", Cohort: "cohort"}
	cases := map[string]func(s *EventSpec){
		"no time":        func(s *EventSpec) { s.Time = "nope" },
		"no cohort":      func(s *EventSpec) { s.Cohort = "nope" },
		"factor time":    func(s *EventSpec) { s.Time = "label" },
		"positive ref":   func(s *EventSpec) { s.Ref = 2 },
		"ref out of bin": func(s *EventSpec) { s.Lo = -2; s.Ref = -4 },
		"ref not found":  func(s *EventSpec) { s.Ref = -50 },
		"missing unit":   func(s *EventSpec) { s.Unit = "" },
	}
	for name, mod := range cases {
		s := base
		mod(&s)
		if _, err := EstimateEventStudy(data, s, Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	s := base
	s.Outcome = "nope"
	_, err := EstimateEventStudy(data, s, Options{})
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Errorf("unknown outcome: %v; want *ParseError", err)
	}
}

// The 2×2 DID from cell means equals the interaction coefficient (OLS
// with a saturated 2×2 design reproduces cell means exactly), on base_did
// with post = period ≥ 6.
func TestDID2x2ClosedForm(t *testing.T) {
	data := readFrame(t, "testdata/fixest_base_did.csv")
	d, err := EstimateDID2x2(data, "y", "treat", "post", Options{VCov: VCovHC1})
	if err != nil {
		t.Fatal(err)
	}
	c := mustCoef(t, d.Fit, "treat:post")
	if math.Abs(c.Estimate-d.ATT) > 1e-10*math.Max(1, math.Abs(d.ATT)) {
		t.Errorf("treat:post = %.12g; closed form %.12g", c.Estimate, d.ATT)
	}
	if d.N[0][0]+d.N[0][1]+d.N[1][0]+d.N[1][1] != d.Fit.NObs {
		t.Errorf("cells %v do not add to %d", d.N, d.Fit.NObs)
	}
	if _, err := EstimateDID2x2(data, "y", "period", "post", Options{}); err == nil {
		t.Error("non-binary group: no error")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoa(v int) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

// Data without noise (residuals zero up to rounding) still give the event
// study, with the exact effect.
func TestEventStudyExactData(t *testing.T) {
	n := 6 * 5
	unit := make([]string, n)
	year, cohort, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for u := range 6 {
		for k := range 5 {
			i := u*5 + k
			unit[i] = itoa(u)
			year[i] = float64(2010 + k)
			cohort[i] = math.NaN()
			if u < 3 {
				cohort[i] = 2013
			}
			y[i] = float64(u) + float64(k)
			if u < 3 && k >= 3 {
				y[i] += 2
			}
		}
	}
	data := NewFrame(n)
	data.AddStrings("unit", unit)
	data.AddFloat("year", year)
	data.AddFloat("cohort", cohort)
	data.AddFloat("y", y)
	es, err := EstimateEventStudy(data, EventSpec{Outcome: "y", Unit: "unit", Time: "year", Cohort: "cohort"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := es.Point(1); math.Abs(p.Estimate-2) > 1e-9 {
		t.Errorf("rel 1 = %v; want 2", p.Estimate)
	}
}

// A singular variance of the tested coefficients is an error, not a
// meaningless statistic.
func TestWaldSingular(t *testing.T) {
	r := &Result{Coefs: []Coef{{Name: "a", Estimate: 1}, {Name: "b", Estimate: 2}}, VCov: [][]float64{{1, 1}, {1, 1}}, DFT: 10}
	if _, err := Wald(r, []string{"a", "b"}); err == nil {
		t.Error("singular variance: no error")
	}
	w, err := Wald(r, []string{"b"})
	if err != nil || math.Abs(w.Chi2-4) > 1e-12 {
		t.Errorf("Wald(b) = %+v, %v; want χ² = 4", w, err)
	}
}

// TestEventPointJSON: a dropped period (NaN estimate) encodes as null
// rather than failing, and finite numbers keep every digit.
func TestEventPointJSON(t *testing.T) {
	b, err := json.Marshal([]EventPoint{
		{RelTime: -2, Estimate: math.NaN(), SE: math.NaN(), CILow: math.NaN(), CIHigh: math.Inf(1), P: math.NaN(), Dropped: true, N: 3},
		{RelTime: 0, Estimate: 0.1234567890123, SE: 0.5, CILow: -1, CIHigh: 1, P: 0.25, N: 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"rel_time":-2,"estimate":null,"se":null,"ci_low":null,"ci_high":null,"p":null,"dropped":true,"n":3},` +
		`{"rel_time":0,"estimate":0.1234567890123,"se":0.5,"ci_low":-1,"ci_high":1,"p":0.25,"n":7}]`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
