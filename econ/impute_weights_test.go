package econ

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

type bjsWRefTerm struct {
	Term     string  `json:"term"`
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
	SEBJS    float64 `json:"se_bjs"`
}

type bjsWRefCase struct {
	Name     string        `json:"name"`
	Outcome  string        `json:"outcome"`
	Cohort   string        `json:"cohort"`
	Time     string        `json:"time"`
	Unit     string        `json:"unit"`
	Controls []string      `json:"controls"`
	FE       []string      `json:"fe"`
	Weights  string        `json:"weights"`
	Horizons bool          `json:"horizons"`
	Leads    int           `json:"leads"`
	Terms    []bjsWRefTerm `json:"terms"`
	WaldStat float64       `json:"wald_stat"`
	WaldDF1  int           `json:"wald_df1"`
	NObs     int           `json:"nobs"`
}

// readBJSWeightsReference reads testdata/bjs_weights_reference.json,
// written by testdata/bjs_weights_reference.R (R 4.2.2, didimputation
// 0.5.0, fixest 0.12.2 with tightened iteration tolerances).
func readBJSWeightsReference(t *testing.T) (est, pre []bjsWRefCase) {
	t.Helper()
	b, err := os.ReadFile("testdata/bjs_weights_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Estimates []bjsWRefCase `json:"estimates"`
		PreTrends []bjsWRefCase `json:"pretrends"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Estimates) < 9 || len(ref.PreTrends) < 3 {
		t.Fatalf("reference has %d estimate and %d pre-trend cases", len(ref.Estimates), len(ref.PreTrends))
	}
	return ref.Estimates, ref.PreTrends
}

// bjsWData is bjsData plus the deterministic columns of
// bjs_weights_reference.R: for base_stagg region = id mod 6,
// w = 0.5 + (id mod 7)/4 + (year mod 3)/10, and the per-case edits (x1
// missing at the first treated year of ids 7, 8, 9; site = region except
// 99 on unit 7's treated years); for mpdta w = 1 + (countyreal mod 5)/4.
func bjsWData(t *testing.T, name string) *Frame {
	t.Helper()
	f := bjsData(t, name)
	add := func(col string, v []float64) {
		if err := f.AddFloat(col, v); err != nil {
			t.Fatal(err)
		}
	}
	if strings.HasPrefix(name, "mpdta") {
		id, _ := f.Float("countyreal")
		w := make([]float64, len(id))
		for i := range id {
			w[i] = 1 + math.Mod(id[i], 5)/4
		}
		add("w", w)
		return f
	}
	id, _ := f.Float("id")
	yr, _ := f.Float("year")
	g, _ := f.Float("year_treated")
	x1, _ := f.Float("x1")
	n := len(id)
	region, w, site, xm := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		region[i] = math.Mod(id[i], 6)
		w[i] = 0.5 + math.Mod(id[i], 7)/4 + math.Mod(yr[i], 3)/10
		site[i] = region[i]
		if id[i] == 7 && yr[i] >= g[i] {
			site[i] = 99
		}
		xm[i] = x1[i]
		if (id[i] == 7 || id[i] == 8 || id[i] == 9) && yr[i] == g[i] {
			xm[i] = math.NaN()
		}
	}
	add("region", region)
	add("w", w)
	add("site", site)
	if name == "stagg_x1missing_horizons" {
		add("x1_orig", x1)
		f2, err := frameRows(f, nil, "x1")
		if err != nil {
			t.Fatal(err)
		}
		if err := f2.AddFloat("x1", xm); err != nil {
			t.Fatal(err)
		}
		return f2
	}
	return f
}

func bjsWSpec(c bjsWRefCase) ImputationSpec {
	return ImputationSpec{Outcome: c.Outcome, Unit: c.Unit, Time: c.Time, Cohort: c.Cohort,
		Controls: c.Controls, FixedEffects: c.FE, Weights: c.Weights, AllHorizons: c.Horizons, PreTrends: c.Leads}
}

// TestBJSWeightsReference compares with R didimputation 0.5.0 on base_stagg
// and mpdta with observation weights (wname), a control, extra fixed
// effects (id + region^year, and id + year + region^year, where year is
// nested), and treated cells that cannot be imputed (a missing control,
// a fixed-effect level seen only among treated rows), which didimputation
// drops: estimates and SEs to 1e-8 relative. For weighted cases the SE is
// checked twice: with SEWeightsDidimputation against didimputation's
// std.error, and with the default SEWeightsEstimator against se_bjs,
// computed by bjs_weights_reference.R from fixest's sparse model matrix
// with v₀ = −W₀Z₀(Z₀'W₀Z₀)⁻¹Z₁'w₁.
func TestBJSWeightsReference(t *testing.T) {
	const tol = 1e-8
	cases, _ := readBJSWeightsReference(t)
	worst := 0.0
	for _, c := range cases {
		for _, mode := range []ImputationSEWeights{SEWeightsEstimator, SEWeightsDidimputation} {
			if mode == SEWeightsDidimputation && c.Weights == "" {
				continue
			}
			name := c.Name
			if mode == SEWeightsDidimputation {
				name += "/didimputation_se"
			}
			t.Run(name, func(t *testing.T) {
				spec := bjsWSpec(c)
				spec.SEWeights = mode
				r, err := EstimateImputation(bjsWData(t, c.Name), spec, Options{})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]ImputationEffect{"treat": r.Overall}
				for _, h := range r.Horizons {
					got[h.Term] = h
				}
				if c.Horizons && len(r.Horizons) != len(c.Terms) {
					t.Errorf("%d horizons; want %d", len(r.Horizons), len(c.Terms))
				}
				for _, w := range c.Terms {
					g, ok := got[w.Term]
					if !ok {
						t.Errorf("term %s missing", w.Term)
						continue
					}
					wantSE := w.SEBJS
					if mode == SEWeightsDidimputation {
						wantSE = w.SE
					}
					e1, e2 := relErr(g.Estimate, w.Estimate), relErr(g.SE, wantSE)
					worst = max(worst, e1, e2)
					if e1 > tol || e2 > tol {
						t.Errorf("term %s: %.12g (SE %.12g); want %.12g (%.12g)", w.Term, g.Estimate, g.SE, w.Estimate, wantSE)
					}
				}
				if strings.Contains(c.Name, "x1missing") || strings.Contains(c.Name, "site") {
					if r.NNotImputed == 0 || len(r.Notes) == 0 {
						t.Errorf("NNotImputed %d, notes %q; want dropped cells with a note", r.NNotImputed, r.Notes)
					}
				}
			})
		}
	}
	t.Logf("largest relative difference: %.2g", worst)
}

// TestBJSWeightsPreTrendReference: the pre-trend regression with weights
// and region^year effects against didimputation's pretrends = -K:-1 and
// fixest::wald's statistic (bjs_weights_reference.json).
func TestBJSWeightsPreTrendReference(t *testing.T) {
	const tol = 1e-8
	_, cases := readBJSWeightsReference(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r, err := EstimateImputation(bjsWData(t, c.Name), bjsWSpec(c), Options{})
			if err != nil {
				t.Fatal(err)
			}
			pt := r.PreTrend
			if len(pt.Leads) != len(c.Terms) {
				t.Fatalf("%d leads; want %d", len(pt.Leads), len(c.Terms))
			}
			for a, w := range c.Terms {
				g := pt.Leads[a]
				if g.Name != w.Term || relErr(g.Estimate, w.Estimate) > tol || relErr(g.SE, w.SE) > tol {
					t.Errorf("lead %s: %.12g (%.12g); want %s: %.12g (%.12g)", g.Name, g.Estimate, g.SE, w.Term, w.Estimate, w.SE)
				}
			}
			if pt.Wald.Q != c.WaldDF1 || relErr(pt.Wald.F, c.WaldStat) > tol {
				t.Errorf("Wald F = %.12g on %d; want %.12g on %d", pt.Wald.F, pt.Wald.Q, c.WaldStat, c.WaldDF1)
			}
			if pt.Model.NObs != c.NObs {
				t.Errorf("pre-trend regression on %d rows; want %d", pt.Model.NObs, c.NObs)
			}
		})
	}
}

// TestBJSWeightedLinear checks the identity behind the default SE weights
// with observation weights and the general engine: τ̂_w = Σ_it v_it y_it,
// shown by invariance: adding α_i + β_t + γ_{region,t} + c·x_it to y
// leaves every estimate and SE unchanged, and scaling all weights by a
// constant changes nothing.
func TestBJSWeightedLinear(t *testing.T) {
	f, _, _ := bjsPanel(80, 8, 5)
	id, _ := f.Float("id")
	tt, _ := f.Float("t")
	x, _ := f.Float("x")
	y, _ := f.Float("y")
	n := len(id)
	w, w3, region, ys := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		w[i] = 0.3 + math.Mod(id[i]*7+tt[i], 5)/2
		w3[i] = 3 * w[i]
		region[i] = math.Mod(id[i], 4)
		ys[i] = y[i] + 2*math.Cos(id[i]) - tt[i]*tt[i]/3 + 4*x[i] + math.Sin(region[i]*tt[i])
	}
	for _, c := range []struct {
		n string
		v []float64
	}{{"w", w}, {"w3", w3}, {"region", region}, {"ys", ys}} {
		if err := f.AddFloat(c.n, c.v); err != nil {
			t.Fatal(err)
		}
	}
	spec := ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g", Controls: []string{"x"},
		FixedEffects: []string{"id", "t", "region^t"}, Weights: "w", AllHorizons: true}
	base, err := EstimateImputation(f, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range []func(*ImputationSpec){
		func(s *ImputationSpec) { s.Outcome = "ys" },
		func(s *ImputationSpec) { s.Weights = "w3" },
		func(s *ImputationSpec) { s.FixedEffects = []string{"id", "region^t"} },
	} {
		s := spec
		mod(&s)
		r, err := EstimateImputation(f, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for k, h := range append([]ImputationEffect{base.Overall}, base.Horizons...) {
			g := r.Overall
			if k > 0 {
				g = r.Horizons[k-1]
			}
			if relErr(g.Estimate, h.Estimate) > 1e-9 || relErr(g.SE, h.SE) > 1e-8 {
				t.Errorf("%+v, %s: %v (%v); want %v (%v)", s, h.Term, g.Estimate, g.SE, h.Estimate, h.SE)
			}
		}
	}
	// Σ v y = τ̂ by construction of v: with y replaced by a treated-only
	// indicator column e_j the estimate moves by exactly w_j; checked
	// here through the general and two-way engines agreeing on the same
	// two-way model, weighted.
	s2 := spec
	s2.FixedEffects = nil
	two, err := EstimateImputation(f, s2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s3 := spec
	s3.FixedEffects = []string{"t", "id"}
	s3.FixedEffects = []string{"id", "t", "id^t"} // not identified: every cell its own level
	if _, err := EstimateImputation(f, s3, Options{}); err == nil {
		t.Error("unit^time effects: no error; want every treated cell not imputable")
	}
	s4 := spec
	s4.FixedEffects = []string{"id", "t", "g"} // g nested in id: same model as two-way
	gen, err := EstimateImputation(f, s4, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k, h := range append([]ImputationEffect{two.Overall}, two.Horizons...) {
		g := gen.Overall
		if k > 0 {
			g = gen.Horizons[k-1]
		}
		if relErr(g.Estimate, h.Estimate) > 1e-9 || relErr(g.SE, h.SE) > 1e-9 {
			t.Errorf("general vs two-way engine, %s: %v (%v); want %v (%v)", h.Term, g.Estimate, g.SE, h.Estimate, h.SE)
		}
	}
}

// TestBJSCollinearControl: mpdta's lpop is constant within counties, so
// it is absorbed by the unit effects; like fixest it is dropped with a
// note and the estimates equal those without it (didimputation 0.5.0
// itself stops with an error on this input).
func TestBJSCollinearControl(t *testing.T) {
	f := bjsWData(t, "mpdta")
	spec := ImputationSpec{Outcome: "lemp", Unit: "countyreal", Time: "year", Cohort: "first_treat", AllHorizons: true}
	base, err := EstimateImputation(f, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fes := range [][]string{nil, {"countyreal", "year", "w^year"}} {
		s := spec
		s.Controls, s.FixedEffects = []string{"lpop"}, fes
		r, err := EstimateImputation(f, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !math.IsNaN(r.Controls[0].Estimate) || !strings.Contains(strings.Join(r.Notes, "\n"), `control "lpop" is collinear`) {
			t.Errorf("fe %v: lpop δ = %v, notes %q; want NaN and a note", fes, r.Controls[0].Estimate, r.Notes)
		}
		if fes == nil && (relErr(r.Overall.Estimate, base.Overall.Estimate) > 1e-10 || relErr(r.Overall.SE, base.Overall.SE) > 1e-10) {
			t.Errorf("ATT with lpop %v (%v); without %v (%v)", r.Overall.Estimate, r.Overall.SE, base.Overall.Estimate, base.Overall.SE)
		}
	}
}

// TestBJSWeightErrors: negative, missing and infinite weights are errors
// naming the unit and period; treated cells that cannot be imputed are an
// error naming them under Strict.
func TestBJSWeightErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		bad  float64
	}{{"negative", -1}, {"NaN", math.NaN()}, {"Inf", math.Inf(1)}} {
		f := bjsWData(t, "stagg_w_static")
		w, _ := f.Float("w")
		w2 := append([]float64(nil), w...)
		w2[5] = c.bad
		if err := f.AddFloat("w2", w2); err != nil {
			t.Fatal(err)
		}
		id, _ := f.Float("id")
		yr, _ := f.Float("year")
		_, err := EstimateImputation(f, ImputationSpec{Outcome: "y", Unit: "id", Time: "year", Cohort: "year_treated", Weights: "w2"}, Options{})
		var ie *ImputationError
		if !errors.As(err, &ie) || len(ie.Issues) != 1 {
			t.Fatalf("%s weight: error %v; want one *ImputationError issue", c.name, err)
		}
		is := ie.Issues[0]
		if is.Column != "w2" || is.Unit != formatG(id[5]) || is.Time != formatG(yr[5]) {
			t.Errorf("%s weight: issue %+v; want column w2, unit %v, time %v", c.name, is, id[5], yr[5])
		}
	}
	// A disconnected untreated design (units 1 and 3 seen in periods 1–2,
	// unit 2 in 3–4; unit 3's treated period 4 links the parts) is an
	// error in both engines (k forces the general one).
	disc := NewFrame(6)
	for _, c := range []struct {
		n string
		v []float64
	}{
		{"id", []float64{1, 1, 2, 2, 3, 3}}, {"t", []float64{1, 2, 3, 4, 1, 4}}, {"g", []float64{0, 0, 0, 0, 4, 4}},
		{"k", []float64{0, 0, 0, 0, 0, 0}}, {"y", []float64{1, 2, 4, 3, 5, 9}},
	} {
		if err := disc.AddFloat(c.n, c.v); err != nil {
			t.Fatal(err)
		}
	}
	for _, fe := range [][]string{nil, {"id", "t", "k"}} {
		_, err := EstimateImputation(disc, ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g", FixedEffects: fe}, Options{})
		var ie *ImputationError
		if !errors.As(err, &ie) {
			t.Errorf("disconnected design, fe %v: error %v; want *ImputationError", fe, err)
		}
	}
	// Zero weights drop the row with a note.
	f := bjsWData(t, "stagg_w_static")
	w, _ := f.Float("w")
	w0 := append([]float64(nil), w...)
	w0[3] = 0
	if err := f.AddFloat("w0", w0); err != nil {
		t.Fatal(err)
	}
	r, err := EstimateImputation(f, ImputationSpec{Outcome: "y", Unit: "id", Time: "year", Cohort: "year_treated", Weights: "w0"}, Options{})
	if err != nil || r.NMissing != 1 {
		t.Fatalf("zero weight: %v, NMissing %v; want one row dropped", err, r)
	}
	// Strict: the unimputable cells of the reference cases become errors
	// naming unit 7 (site level) and units 7, 8, 9 (missing x1).
	for _, c := range []struct {
		name   string
		spec   ImputationSpec
		issues int
	}{
		{"stagg_site_horizons", ImputationSpec{FixedEffects: []string{"id", "site^year"}}, 2},
		{"stagg_x1missing_horizons", ImputationSpec{Controls: []string{"x1"}}, 3},
	} {
		s := c.spec
		s.Outcome, s.Unit, s.Time, s.Cohort, s.Strict = "y", "id", "year", "year_treated", true
		_, err := EstimateImputation(bjsWData(t, c.name), s, Options{})
		var ie *ImputationError
		if !errors.As(err, &ie) || len(ie.Issues) != c.issues {
			t.Fatalf("%s strict: error %v; want %d issues", c.name, err, c.issues)
		}
		for _, is := range ie.Issues {
			if (is.Unit != "7" && is.Unit != "8" && is.Unit != "9") || is.Time == "" {
				t.Errorf("%s strict: issue %+v; want unit 7, 8 or 9 and its period", c.name, is)
			}
		}
	}
}

func formatG(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// bjsWeightedPanel is bjsPanel plus a second control x2 (no effect on y),
// weights w = 0.5 + (id mod 7)/4 + (t mod 3)/10 and region = id mod 30,
// the data of BenchmarkImputationWeighted and bjs_weights_timing.R.
func bjsWeightedPanel(units, periods int, seed uint64) *Frame {
	f, _, _ := bjsPanel(units, periods, seed)
	id, _ := f.Float("id")
	tt, _ := f.Float("t")
	n := len(id)
	x2, w, region := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x2[i] = math.Sin(0.37*id[i] + 1.3*tt[i])
		w[i] = 0.5 + math.Mod(id[i], 7)/4 + math.Mod(tt[i], 3)/10
		region[i] = math.Mod(id[i], 30)
	}
	for _, c := range []struct {
		n string
		v []float64
	}{{"x2", x2}, {"w", w}, {"region", region}} {
		if err := f.AddFloat(c.n, c.v); err != nil {
			panic(err)
		}
	}
	return f
}

// BenchmarkImputationWeighted: 10,000 units × 20 periods, observation
// weights and two controls, static and all horizons (two-way engine), and
// with region×period effects (general engine).
func BenchmarkImputationWeighted(b *testing.B) {
	f := bjsWeightedPanel(10000, 20, 1)
	for _, c := range []struct {
		name string
		fe   []string
		all  bool
	}{
		{"static", nil, false},
		{"horizons", nil, true},
		{"region^t/static", []string{"id", "t", "region^t"}, false},
		{"region^t/horizons", []string{"id", "t", "region^t"}, true},
	} {
		b.Run("units=10000/periods=20/weights/controls=2/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			spec := ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g", Controls: []string{"x", "x2"},
				Weights: "w", FixedEffects: c.fe, AllHorizons: c.all}
			for b.Loop() {
				if _, err := EstimateImputation(f, spec, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzImputationWeighted builds small unbalanced panels from the fuzz
// input with weights (some zero), a control with holes and a
// region×period effect, and checks that EstimateImputation never panics
// and that a result is finite, with τ̂ defined exactly on the imputed
// treated rows and their weighted mean equal to the overall ATT.
func FuzzImputationWeighted(f *testing.F) {
	f.Add([]byte{3, 4, 0, 2, 3, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2})
	f.Add([]byte{6, 6, 1, 0, 3, 4, 5, 2, 200, 100, 50, 25, 12, 6, 3, 1, 0, 255, 128, 64})
	f.Add([]byte{2, 3, 2, 1, 1, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		units, periods, mode := int(b[0]%8)+1, int(b[1]%8)+1, b[2]
		b = b[3:]
		at := func(k int) byte { return b[k%len(b)] }
		var id, tt, g, y, w, x, region []float64
		for u := range units {
			cohort := float64(at(u) % byte(periods+2))
			for p := range periods {
				k := u*periods + p
				if at(k+units)%7 == 0 {
					continue
				}
				id = append(id, float64(u))
				tt = append(tt, float64(p+1))
				g = append(g, cohort)
				y = append(y, float64(at(3*k+1))-float64(at(5*k+2))/3)
				w = append(w, float64(at(7*k+3)%4)/2) // 0, 0.5, 1, 1.5
				xv := float64(at(11*k+4)) / 17
				if at(13*k+5)%11 == 0 {
					xv = math.NaN()
				}
				x = append(x, xv)
				region = append(region, float64(u%2))
			}
		}
		fr := NewFrame(len(id))
		for _, c := range []struct {
			n string
			v []float64
		}{{"id", id}, {"t", tt}, {"g", g}, {"y", y}, {"w", w}, {"x", x}, {"region", region}} {
			if err := fr.AddFloat(c.n, c.v); err != nil {
				t.Fatal(err)
			}
		}
		spec := ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g", Weights: "w", AllHorizons: true, PreTrends: 1}
		if mode&1 == 1 {
			spec.Controls = []string{"x"}
		}
		if mode&2 == 2 {
			spec.FixedEffects = []string{"id", "t", "region^t"}
		}
		if mode&4 == 4 {
			spec.SEWeights = SEWeightsDidimputation
		}
		r, err := EstimateImputation(fr, spec, Options{MaxIter: 2000})
		if err != nil {
			return
		}
		if !isFinite(r.Overall.Estimate) || !isFinite(r.Overall.SE) {
			t.Fatalf("ATT %v (SE %v)", r.Overall.Estimate, r.Overall.SE)
		}
		var cnt int
		var sw, swt float64
		for i, v := range r.Tau {
			if !math.IsNaN(v) {
				cnt++
				sw += w[i]
				swt += w[i] * v
			}
		}
		if cnt != r.NTreated || r.NTreated+r.NUntreated != r.NObs {
			t.Fatalf("%d τ̂ values, NTreated %d, NUntreated %d, NObs %d", cnt, r.NTreated, r.NUntreated, r.NObs)
		}
		if d := math.Abs(swt/sw - r.Overall.Estimate); d > 1e-9*(1+math.Abs(r.Overall.Estimate)) {
			t.Fatalf("weighted mean of τ̂ %v; ATT %v", swt/sw, r.Overall.Estimate)
		}
	})
}

// TestBJSSEWeightsArePerturbations checks the default SE weights against
// their definition, independently of the projection code: v_j is the
// derivative of τ̂_w in y_j, found by re-estimating with y_j + 1 (the
// estimator is linear), and the SE must equal Σ_c (Σ v ε̃)² built from
// those v with the cohort × period τ̄ of BJS eq. 10. didimputation's
// weights fail this check when the weights vary (they are not the
// estimator's derivative), which is why they are not the default.
func TestBJSSEWeightsArePerturbations(t *testing.T) {
	f := bjsWeightedPanel(24, 6, 9)
	y, _ := f.Float("y")
	g, _ := f.Float("g")
	tt, _ := f.Float("t")
	id, _ := f.Float("id")
	n := len(y)
	r4 := make([]float64, n)
	for i := range n {
		r4[i] = math.Mod(id[i], 4)
	}
	if err := f.AddFloat("r4", r4); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fe   []string
	}{{"two-way", nil}, {"r4^t", []string{"id", "t", "r4^t"}}} {
		for _, mode := range []ImputationSEWeights{SEWeightsEstimator, SEWeightsDidimputation} {
			spec := ImputationSpec{Outcome: "yp", Unit: "id", Time: "t", Cohort: "g", Controls: []string{"x", "x2"},
				FixedEffects: c.fe, Weights: "w", SEWeights: mode}
			yp := append([]float64(nil), y...)
			est := func() *Imputation {
				fr, err := frameRows(f, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := fr.AddFloat("yp", yp); err != nil {
					t.Fatal(err)
				}
				r, err := EstimateImputation(fr, spec, Options{})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			base := est()
			v := make([]float64, n)
			for j := range n {
				if math.IsNaN(base.Y0[j]) {
					continue
				}
				yp[j] = y[j] + 1
				v[j] = est().Overall.Estimate - base.Overall.Estimate
				yp[j] = y[j]
			}
			// τ̄ by cohort × period over treated rows, weights v².
			num, den := map[[2]float64]float64{}, map[[2]float64]float64{}
			for i := range n {
				if !math.IsNaN(base.Tau[i]) {
					k := [2]float64{g[i], tt[i]}
					num[k] += v[i] * v[i] * base.Tau[i]
					den[k] += v[i] * v[i]
				}
			}
			cl := map[float64]float64{}
			for i := range n {
				switch {
				case math.IsNaN(base.Y0[i]):
				case math.IsNaN(base.Tau[i]):
					cl[id[i]] += v[i] * (y[i] - base.Y0[i])
				default:
					k := [2]float64{g[i], tt[i]}
					cl[id[i]] += v[i] * (base.Tau[i] - num[k]/den[k])
				}
			}
			var ss float64
			for _, s := range cl {
				ss += s * s
			}
			e := relErr(base.Overall.SE, math.Sqrt(ss))
			t.Logf("%s, SE weights %d: SE %.12g, from perturbations %.12g", c.name, mode, base.Overall.SE, math.Sqrt(ss))
			if mode == SEWeightsEstimator && e > 1e-8 {
				t.Errorf("%s: SE %.10g; from perturbation weights %.10g", c.name, base.Overall.SE, math.Sqrt(ss))
			}
			if mode == SEWeightsDidimputation && e < 1e-4 {
				t.Errorf("%s, didimputation weights: SE %.10g equals the perturbation SE %.10g; want a difference (weights vary)", c.name, base.Overall.SE, math.Sqrt(ss))
			}
		}
	}
}
