package econ

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

type bjsRefTerm struct {
	Term     string  `json:"term"`
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
}

type bjsRefCase struct {
	Name     string       `json:"name"`
	Outcome  string       `json:"outcome"`
	Cohort   string       `json:"cohort"`
	Time     string       `json:"time"`
	Unit     string       `json:"unit"`
	Controls []string     `json:"controls"`
	Horizons bool         `json:"horizons"`
	Cluster  string       `json:"cluster"`
	Leads    int          `json:"leads"`
	Terms    []bjsRefTerm `json:"terms"`
	WaldStat float64      `json:"wald_stat"`
	WaldDF1  int          `json:"wald_df1"`
	NObs     int          `json:"nobs"`
}

type bjsRefSet struct {
	Estimates []bjsRefCase `json:"estimates"`
	PreTrends []bjsRefCase `json:"pretrends"`
}

// bjsReference holds didimputation's numbers twice: Default as shipped
// (fixest's iterative fixed effects stop at fixef.tol 1e-6 in feols and
// 1e-5 in the fixef() that predict() uses, so they carry errors of about
// 1e-7 relative), and Precise with those tolerances tightened to
// 1e-11/1e-12, the exact projection that econ computes directly.
type bjsReference struct {
	Default bjsRefSet `json:"default"`
	Precise bjsRefSet `json:"precise"`
}

// bjsData returns the data set of a reference case: fixest's base_stagg
// (year_treated = 1000 marks never treated; it stays 1000 here: such units
// are never treated within the sample, so the estimates are those of
// didimputation with the cohort recoded to 0) or did's mpdta.
func bjsData(t *testing.T, name string) *Frame {
	t.Helper()
	switch name[:5] {
	case "stagg":
		f := readFrame(t, "testdata/fixest_base_stagg.csv")
		id, _ := f.Float("id")
		cl := make([]float64, len(id))
		for i, v := range id {
			cl[i] = math.Mod(v, 17) // as bjs_reference.R: cl = id %% 17
		}
		if err := f.AddFloat("cl", cl); err != nil {
			t.Fatal(err)
		}
		return f
	case "mpdta":
		f := readFrame(t, "testdata/cs/mpdta.csv")
		g, _ := f.Float("first.treat")
		if err := f.AddFloat("first_treat", g); err != nil {
			t.Fatal(err)
		}
		return f
	}
	t.Fatalf("unknown data set of case %s", name)
	return nil
}

func readBJSReference(t *testing.T) bjsReference {
	t.Helper()
	b, err := os.ReadFile("testdata/bjs_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref bjsReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Precise.Estimates) == 0 || len(ref.Precise.PreTrends) == 0 || len(ref.Default.Estimates) == 0 {
		t.Fatal("empty reference")
	}
	return ref
}

// TestBJSReference compares with R didimputation 0.5.0 (on fixest 0.12.2)
// on fixest's base_stagg and did's mpdta: static ATT and every horizon,
// with and without a control, clustered by unit or by a coarser
// cluster, estimates and conservative clustered SEs
// (testdata/bjs_reference.json, written by testdata/bjs_reference.R):
// to 1e-8 against the precise run, to 1e-6 against didimputation as
// shipped.
func TestBJSReference(t *testing.T) {
	ref := readBJSReference(t)
	bjsCompare(t, "precise", ref.Precise.Estimates, 1e-8)
	bjsCompare(t, "default", ref.Default.Estimates, 1e-6)
}

func bjsCompare(t *testing.T, set string, cases []bjsRefCase, tol float64) {
	worst := 0.0
	for _, c := range cases {
		t.Run(set+"/"+c.Name, func(t *testing.T) {
			spec := ImputationSpec{Outcome: c.Outcome, Unit: c.Unit, Time: c.Time, Cohort: c.Cohort,
				Controls: c.Controls, AllHorizons: c.Horizons, Cluster: c.Cluster}
			r, err := EstimateImputation(bjsData(t, c.Name), spec, Options{})
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
				e1, e2 := relErr(g.Estimate, w.Estimate), relErr(g.SE, w.SE)
				worst = max(worst, e1, e2)
				if e1 > tol || e2 > tol {
					t.Errorf("term %s: %.12g (SE %.12g); want %.12g (%.12g)", w.Term, g.Estimate, g.SE, w.Estimate, w.SE)
				}
			}
		})
	}
	t.Logf("%s: largest relative difference from didimputation: %.2g", set, worst)
}

// TestBJSPreTrendReference compares the pre-trend test with didimputation's
// pretrends = -K:-1 coefficients and fixest::wald's F statistic of the
// leads (fixest's wald uses n − K denominator degrees of freedom; econ's
// Wald uses G − 1, so only the statistic is compared).
func TestBJSPreTrendReference(t *testing.T) {
	const tol = 1e-8
	ref := readBJSReference(t)
	for _, c := range ref.Precise.PreTrends {
		t.Run(c.Name, func(t *testing.T) {
			spec := ImputationSpec{Outcome: c.Outcome, Unit: c.Unit, Time: c.Time, Cohort: c.Cohort,
				Controls: c.Controls, PreTrends: c.Leads}
			r, err := EstimateImputation(bjsData(t, c.Name), spec, Options{})
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
			if pt.Model.NObs != c.NObs || r.NUntreated != c.NObs {
				t.Errorf("pre-trend regression on %d rows (untreated %d); want %d", pt.Model.NObs, r.NUntreated, c.NObs)
			}
		})
	}
}

// bjsPanel generates a balanced staggered panel of units × periods with
// cohorts spread over the periods (a quarter never treated), unit and
// period effects, a control x and heterogeneous dynamic effects
// τ_it = 1 + 0.5·(t − E_i) + 0.5·1{E_i even}; it returns the frame and
// the true mean effect of each horizon and overall.
func bjsPanel(units, periods int, seed uint64) (*Frame, map[int]float64, float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	n := units * periods
	id, tt, g, x, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	sumH, cntH := map[int]float64{}, map[int]int{}
	var sum float64
	var cnt int
	beta := make([]float64, periods)
	for t := range beta {
		beta[t] = 0.3*float64(t) + rng.NormFloat64()
	}
	for u := range units {
		a := rng.NormFloat64()
		cohort := 0
		if u%4 != 0 {
			cohort = 3 + rng.IntN(periods-3) + 1 // first treated in 4..periods
		}
		for t := range periods {
			i := u*periods + t
			period := t + 1
			id[i], tt[i], g[i] = float64(u+1), float64(period), float64(cohort)
			x[i] = rng.NormFloat64() + 0.2*a
			y[i] = a + beta[t] + 0.7*x[i] + rng.NormFloat64()
			if cohort > 0 && period >= cohort {
				h := period - cohort
				tau := 1 + 0.5*float64(h)
				if cohort%2 == 0 {
					tau += 0.5
				}
				y[i] += tau
				sumH[h] += tau
				cntH[h]++
				sum += tau
				cnt++
			}
		}
	}
	f := NewFrame(n)
	for _, c := range []struct {
		name string
		v    []float64
	}{{"id", id}, {"t", tt}, {"g", g}, {"x", x}, {"y", y}} {
		if err := f.AddFloat(c.name, c.v); err != nil {
			panic(err)
		}
	}
	truth := map[int]float64{}
	for h, s := range sumH {
		truth[h] = s / float64(cntH[h])
	}
	return f, truth, sum / float64(cnt)
}

// TestBJSRecoversTruth: with heterogeneous, dynamic effects the
// imputation estimator is unbiased (BJS Theorem 2); every estimate lies
// within 4 SEs of the sample-average truth, and the pre-trend test does
// not reject under parallel trends at the 0.1% level.
func TestBJSRecoversTruth(t *testing.T) {
	f, truth, att := bjsPanel(400, 10, 1)
	r, err := EstimateImputation(f, ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g",
		Controls: []string{"x"}, AllHorizons: true, PreTrends: 3}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if z := (r.Overall.Estimate - att) / r.Overall.SE; math.Abs(z) > 4 {
		t.Errorf("ATT %.4f (SE %.4f); truth %.4f", r.Overall.Estimate, r.Overall.SE, att)
	}
	for _, h := range r.Horizons {
		if z := (h.Estimate - truth[h.Horizon]) / h.SE; math.Abs(z) > 4 {
			t.Errorf("horizon %d: %.4f (SE %.4f); truth %.4f", h.Horizon, h.Estimate, h.SE, truth[h.Horizon])
		}
	}
	if math.Abs(r.Controls[0].Estimate-0.7) > 0.05 {
		t.Errorf("control δ = %.4f; want 0.7 within 0.05", r.Controls[0].Estimate)
	}
	if r.PreTrend.Wald.PF < 0.001 {
		t.Errorf("pre-trend test rejects parallel trends: F = %.3f, p = %.4g", r.PreTrend.Wald.F, r.PreTrend.Wald.PF)
	}
	// A violated parallel trend (treated units drift up before adoption)
	// must be detected.
	y, _ := f.Float("y")
	g, _ := f.Float("g")
	tt, _ := f.Float("t")
	y2 := make([]float64, len(y))
	for i := range y {
		y2[i] = y[i]
		if g[i] > 0 && tt[i] < g[i] {
			y2[i] += 0.5 * tt[i]
		}
	}
	if err := f.AddFloat("y2", y2); err != nil {
		t.Fatal(err)
	}
	r2, err := EstimateImputation(f, ImputationSpec{Outcome: "y2", Unit: "id", Time: "t", Cohort: "g", PreTrends: 3}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r2.PreTrend.Wald.PF > 0.001 {
		t.Errorf("pre-trend test misses a trend: F = %.3f, p = %.4g", r2.PreTrend.Wald.F, r2.PreTrend.Wald.PF)
	}
}

// TestBJSLinearWeights checks the identity behind the variance: the
// estimate is Σ v_it y_it with v = w on Ω₁ and v₀ = −Z₀(Z₀'Z₀)⁻¹Z₁'w₁ on
// Ω₀ (BJS eq. 6), so adding α_i + β_t + c·x_it to y leaves every τ̂_it,
// the ATT and its SE unchanged (the imputation model absorbs it), and the
// result does not depend on row order.
func TestBJSLinearWeights(t *testing.T) {
	f, _, _ := bjsPanel(60, 8, 3)
	spec := ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g", Controls: []string{"x"}, AllHorizons: true}
	r, err := EstimateImputation(f, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := f.Float("y")
	id, _ := f.Float("id")
	tt, _ := f.Float("t")
	x, _ := f.Float("x")
	ys := make([]float64, len(y))
	for i := range y {
		ys[i] = y[i] + 3*math.Sin(id[i]) - 2*tt[i]*tt[i] + 5*x[i]
	}
	if err := f.AddFloat("ys", ys); err != nil {
		t.Fatal(err)
	}
	spec2 := spec
	spec2.Outcome = "ys"
	r2, err := EstimateImputation(f, spec2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if relErr(r2.Overall.Estimate, r.Overall.Estimate) > 1e-9 || relErr(r2.Overall.SE, r.Overall.SE) > 1e-9 {
		t.Errorf("shifted outcome: ATT %v (%v); want %v (%v)", r2.Overall.Estimate, r2.Overall.SE, r.Overall.Estimate, r.Overall.SE)
	}
	// Reversed rows.
	n := f.Len()
	rows := make([]int, n)
	for i := range rows {
		rows[i] = n - 1 - i
	}
	fr, err := frameRows(f, rows)
	if err != nil {
		t.Fatal(err)
	}
	r3, err := EstimateImputation(fr, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k, h := range r.Horizons {
		if relErr(r3.Horizons[k].Estimate, h.Estimate) > 1e-10 || relErr(r3.Horizons[k].SE, h.SE) > 1e-10 {
			t.Errorf("reversed rows, horizon %d: %v (%v); want %v (%v)", h.Horizon, r3.Horizons[k].Estimate, r3.Horizons[k].SE, h.Estimate, h.SE)
		}
	}
	// Estimate = Σ w τ̂.
	var s float64
	for _, v := range r.Tau {
		if !math.IsNaN(v) {
			s += v
		}
	}
	if relErr(s/float64(r.NTreated), r.Overall.Estimate) > 1e-12 {
		t.Errorf("mean of Tau %v; ATT %v", s/float64(r.NTreated), r.Overall.Estimate)
	}
}

func TestBJSErrors(t *testing.T) {
	mk := func(g []float64, tt []float64, id []float64) *Frame {
		f := NewFrame(len(g))
		y := make([]float64, len(g))
		for i := range y {
			y[i] = float64(i % 3)
		}
		for _, c := range []struct {
			n string
			v []float64
		}{{"y", y}, {"g", g}, {"t", tt}, {"id", id}} {
			if err := f.AddFloat(c.n, c.v); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	spec := ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g"}
	cases := []struct {
		name string
		f    *Frame
		spec ImputationSpec
	}{
		{"no such column", mk([]float64{0, 0}, []float64{1, 2}, []float64{1, 1}), ImputationSpec{Outcome: "nope", Unit: "id", Time: "t", Cohort: "g"}},
		{"cohort varies", mk([]float64{2, 3, 0, 0}, []float64{1, 2, 1, 2}, []float64{1, 1, 2, 2}), spec},
		{"duplicate", mk([]float64{2, 2, 0, 0}, []float64{1, 1, 1, 2}, []float64{1, 1, 2, 2}), spec},
		{"no treated", mk([]float64{0, 0, 0, 0}, []float64{1, 2, 1, 2}, []float64{1, 1, 2, 2}), spec},
		{"all treated", mk([]float64{1, 1, 1, 1}, []float64{1, 2, 1, 2}, []float64{1, 1, 2, 2}), spec},
		{"non-integer period", mk([]float64{2, 2, 0, 0}, []float64{1, 2.5, 1, 2}, []float64{1, 1, 2, 2}), spec},
		{"negative cohort", mk([]float64{-2, -2, 0, 0}, []float64{1, 2, 1, 2}, []float64{1, 1, 2, 2}), spec},
	}
	for _, c := range cases {
		_, err := EstimateImputation(c.f, c.spec, Options{})
		var ie *ImputationError
		if !errors.As(err, &ie) {
			t.Errorf("%s: error %v; want *ImputationError", c.name, err)
		}
	}
	// Treated in the first period: not imputable, dropped with a note.
	f := mk([]float64{1, 1, 2, 2, 0, 0}, []float64{1, 2, 1, 2, 1, 2}, []float64{1, 1, 2, 2, 3, 3})
	r, err := EstimateImputation(f, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.NNotImputed != 2 || r.NTreated != 1 {
		t.Errorf("NNotImputed %d, NTreated %d; want 2, 1", r.NNotImputed, r.NTreated)
	}
}

func BenchmarkImputation(b *testing.B) {
	for _, sz := range []struct{ units, periods int }{{297, 16}, {10000, 20}} {
		f, _, _ := bjsPanel(sz.units, sz.periods, 1)
		for _, all := range []bool{false, true} {
			name := "units=" + strconv.Itoa(sz.units) + "/periods=" + strconv.Itoa(sz.periods) + "/static"
			if all {
				name = name[:len(name)-len("static")] + "horizons"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := EstimateImputation(f, ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g", AllHorizons: all}, Options{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// FuzzImputation builds small unbalanced panels from the fuzz input
// (units, periods, cohorts, holes, outcome values) and checks that
// EstimateImputation never panics, and that a result has a finite ATT and
// SE with τ̂ defined exactly on the imputed treated rows.
func FuzzImputation(f *testing.F) {
	f.Add([]byte{3, 4, 0, 2, 3, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2})
	f.Add([]byte{5, 6, 0, 0, 3, 4, 5, 2, 200, 100, 50, 25, 12, 6, 3, 1, 0, 255, 128, 64})
	f.Add([]byte{2, 2, 1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 3 {
			return
		}
		units, periods := int(b[0]%8)+1, int(b[1]%8)+1
		b = b[2:]
		at := func(k int) byte { return b[k%len(b)] }
		var id, tt, g, y []float64
		for u := range units {
			cohort := float64(at(u) % byte(periods+2)) // 0 = never, periods+1 = after the sample
			for p := range periods {
				k := u*periods + p
				if at(k+units)%7 == 0 {
					continue // a hole
				}
				id = append(id, float64(u))
				tt = append(tt, float64(p+1))
				g = append(g, cohort)
				y = append(y, float64(at(3*k+1))-float64(at(5*k+2))/3)
			}
		}
		fr := NewFrame(len(id))
		for _, c := range []struct {
			n string
			v []float64
		}{{"id", id}, {"t", tt}, {"g", g}, {"y", y}} {
			if err := fr.AddFloat(c.n, c.v); err != nil {
				t.Fatal(err)
			}
		}
		r, err := EstimateImputation(fr, ImputationSpec{Outcome: "y", Unit: "id", Time: "t", Cohort: "g", AllHorizons: true, PreTrends: 1}, Options{})
		if err != nil {
			return
		}
		if math.IsNaN(r.Overall.Estimate) || math.IsNaN(r.Overall.SE) || math.IsInf(r.Overall.Estimate, 0) {
			t.Fatalf("ATT %v (SE %v)", r.Overall.Estimate, r.Overall.SE)
		}
		n := 0
		for _, v := range r.Tau {
			if !math.IsNaN(v) {
				n++
			}
		}
		if n != r.NTreated || r.NTreated+r.NUntreated != r.NObs {
			t.Fatalf("%d τ̂ values, NTreated %d, NUntreated %d, NObs %d", n, r.NTreated, r.NUntreated, r.NObs)
		}
	})
}
