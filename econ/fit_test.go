package econ

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// unbalanced returns n rows with three crossed fixed effects assigned at
// random (so the demeaning needs many iterations), two regressors and
// positive weights.
func unbalanced(n int, seed uint64) *Design {
	rng := rand.New(rand.NewPCG(seed, 2))
	d := &Design{YName: "y", Y: make([]float64, n), XNames: []string{"x1", "x2"},
		X:       [][]float64{make([]float64, n), make([]float64, n)},
		FENames: []string{"a", "b", "c"}, FE: [][]int32{make([]int32, n), make([]int32, n), make([]int32, n)},
		Weights: make([]float64, n)}
	for i := range n {
		a, b, c := rng.IntN(30), rng.IntN(20), rng.IntN(5)
		d.FE[0][i], d.FE[1][i], d.FE[2][i] = int32(a), int32(b), int32(c)
		x1 := rng.NormFloat64() + float64(a)/10
		x2 := rng.NormFloat64() - float64(b)/7
		d.X[0][i], d.X[1][i] = x1, x2
		d.Y[i] = 2*x1 - x2 + math.Sin(float64(a)) + float64(b)/3 + float64(c) + rng.NormFloat64()
		d.Weights[i] = 0.5 + rng.Float64()
	}
	return d
}

// dummies turns d's fixed effects into dummy columns (first level of each
// dropped) with an intercept.
func dummies(d *Design) *Design {
	out := &Design{Y: d.Y, YName: d.YName, X: slices.Clone(d.X), XNames: slices.Clone(d.XNames),
		Intercept: true, Weights: d.Weights}
	for q, c := range d.FE {
		ng := int(slices.Max(c)) + 1
		for g := 1; g < ng; g++ {
			col := make([]float64, len(c))
			for i, v := range c {
				if int(v) == g {
					col[i] = 1
				}
			}
			out.X = append(out.X, col)
			out.XNames = append(out.XNames, d.FENames[q]+string(rune('0'+g%10))+string(rune('a'+g/10)))
		}
	}
	return out
}

// The fixed-effects estimator (weighted, three dimensions) equals the
// dummy-variable regression: estimates, IID and HC1 standard errors agree
// to 1e-10 relative (issue 4 acceptance criterion). The dummy regression
// is solved by the same QR but without any demeaning, so this checks the
// demeaning, the weights and the degrees-of-freedom count.
func TestDemeaningEqualsDummies(t *testing.T) {
	d := unbalanced(800, 1)
	dd := dummies(d)
	for _, v := range []VCovType{VCovIID, VCovHC1} {
		fe, err := Fit(d, Options{VCov: v})
		if err != nil {
			t.Fatal(err)
		}
		dv, err := Fit(dd, Options{VCov: v})
		if err != nil {
			t.Fatal(err)
		}
		if len(dv.Collinear) != 0 || fe.KFull != len(dv.Coefs) {
			t.Fatalf("dummy model: collinear %v, %d coefs; FE model K = %d", dv.Collinear, len(dv.Coefs), fe.KFull)
		}
		for _, name := range []string{"x1", "x2"} {
			a, b := mustCoef(t, fe, name), mustCoef(t, dv, name)
			if relErr(a.Estimate, b.Estimate) > 1e-10 || relErr(a.SE, b.SE) > 1e-10 {
				t.Errorf("%v %s: FE %.15g (%.15g), dummies %.15g (%.15g)", v, name, a.Estimate, a.SE, b.Estimate, b.SE)
			}
		}
		if relErr(fe.RSS, dv.RSS) > 1e-10 || relErr(fe.R2, dv.R2) > 1e-10 {
			t.Errorf("RSS %v vs %v, R² %v vs %v", fe.RSS, dv.RSS, fe.R2, dv.R2)
		}
		if fe.Iterations < 3 {
			t.Errorf("only %d iterations: the test design should need several", fe.Iterations)
		}
	}
}

// HC1 computed independently with gonum mat on the pooled Grunfeld model:
// V = n/(n−k) (X'X)⁻¹ X' diag(e²) X (X'X)⁻¹ (MacKinnon & White 1985).
func TestHC1MatchesDirectFormula(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	r, err := Estimate(data, "inv ~ value + capital", Options{VCov: VCovHC1})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := data.Float("inv")
	val, _ := data.Float("value")
	cap_, _ := data.Float("capital")
	n := len(inv)
	X := mat.NewDense(n, 3, nil)
	for i := range n {
		X.Set(i, 0, 1)
		X.Set(i, 1, val[i])
		X.Set(i, 2, cap_[i])
	}
	var xtx, xtxi mat.Dense
	xtx.Mul(X.T(), X)
	if err := xtxi.Inverse(&xtx); err != nil {
		t.Fatal(err)
	}
	beta := make([]float64, 3)
	for a, c := range r.Coefs {
		beta[a] = c.Estimate
	}
	meat := mat.NewDense(3, 3, nil)
	for i := range n {
		e := inv[i] - beta[0] - beta[1]*val[i] - beta[2]*cap_[i]
		for a := range 3 {
			for b := range 3 {
				meat.Set(a, b, meat.At(a, b)+X.At(i, a)*X.At(i, b)*e*e)
			}
		}
	}
	var v mat.Dense
	v.Product(&xtxi, meat, &xtxi)
	v.Scale(float64(n)/float64(n-3), &v)
	for a, c := range r.Coefs {
		if want := math.Sqrt(v.At(a, a)); relErr(c.SE, want) > 1e-9 {
			t.Errorf("HC1 se(%s) = %.12g; want %.12g", c.Name, c.SE, want)
		}
	}
}

// Two-way clustering by (firm, observation) equals one-way clustering by
// firm: V_firm + V_obs − V_firm∩obs = V_firm, and with cluster.df = "min"
// both get G_firm/(G_firm − 1).
func TestTwoWayWithObservationClusterIsOneWay(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	obs := make([]string, data.Len())
	for i := range obs {
		obs[i] = string(rune(0x4e00 + i))
	}
	if err := data.AddStrings("obs", obs); err != nil {
		t.Fatal(err)
	}
	one, err := Estimate(data, "inv ~ value + capital | year", Options{Cluster: []string{"firm"}})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Estimate(data, "inv ~ value + capital | year", Options{Cluster: []string{"firm", "obs"}})
	if err != nil {
		t.Fatal(err)
	}
	for a := range one.Coefs {
		if relErr(one.Coefs[a].SE, two.Coefs[a].SE) > 1e-12 {
			t.Errorf("%s: one-way %.15g, two-way %.15g", one.Coefs[a].Name, one.Coefs[a].SE, two.Coefs[a].SE)
		}
	}
	if two.VCovType != "cluster(firm, obs)" || two.DFT != 9 {
		t.Errorf("vcov %q, t df %v; want cluster(firm, obs), 9", two.VCovType, two.DFT)
	}
}

// Invariances on base_did: the estimates and SEs do not change when rows
// are shuffled, fixed-effect codes relabelled, or a constant added to y.
func TestInvariance(t *testing.T) {
	data := readFrame(t, "testdata/fixest_base_did.csv")
	f, err := ParseFormula("y ~ x1 + i(period, treat, 5) | id + period")
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Design(data)
	if err != nil {
		t.Fatal(err)
	}
	base, err := Fit(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := len(d.Y)
	rng := rand.New(rand.NewPCG(7, 7))
	perm := rng.Perm(n)
	permute := func(x []float64) []float64 {
		out := make([]float64, n)
		for i, p := range perm {
			out[i] = x[p]
		}
		return out
	}
	permuteC := func(x []int32) []int32 {
		out := make([]int32, n)
		for i, p := range perm {
			out[i] = x[p]
		}
		return out
	}
	shuffled := &Design{Y: permute(d.Y), YName: d.YName, XNames: d.XNames, FENames: d.FENames}
	for _, x := range d.X {
		shuffled.X = append(shuffled.X, permute(x))
	}
	for _, c := range d.FE {
		shuffled.FE = append(shuffled.FE, permuteC(c))
	}
	relabel := &Design{Y: d.Y, YName: d.YName, X: d.X, XNames: d.XNames, FENames: d.FENames}
	for _, c := range d.FE {
		m := int(slices.Max(c)) + 1
		lab := rng.Perm(m)
		out := make([]int32, n)
		for i, v := range c {
			out[i] = int32(lab[v]*3 + 11) // sparse, permuted codes
		}
		relabel.FE = append(relabel.FE, out)
	}
	shift := &Design{Y: slices.Clone(d.Y), YName: d.YName, X: d.X, XNames: d.XNames, FE: d.FE, FENames: d.FENames}
	for i := range shift.Y {
		shift.Y[i] += 1000
	}
	for name, dv := range map[string]*Design{"row order": shuffled, "relabelled FE": relabel, "y + 1000": shift} {
		r, err := Fit(dv, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for a, c := range base.Coefs {
			g := r.Coefs[a]
			if relErr(g.Estimate, c.Estimate) > 1e-10 || relErr(g.SE, c.SE) > 1e-9 {
				t.Errorf("%s: %s = %.15g (%.15g); base %.15g (%.15g)", name, c.Name, g.Estimate, g.SE, c.Estimate, c.SE)
			}
		}
	}
}

// Integer weights equal replicated rows (estimates only; n differs).
func TestWeightsEqualReplication(t *testing.T) {
	d := unbalanced(300, 3)
	rep := &Design{YName: "y", XNames: d.XNames, X: [][]float64{nil, nil}, FENames: d.FENames, FE: [][]int32{nil, nil, nil}}
	for i := range d.Y {
		k := 1 + i%3
		d.Weights[i] = float64(k)
		for range k {
			rep.Y = append(rep.Y, d.Y[i])
			for j := range d.X {
				rep.X[j] = append(rep.X[j], d.X[j][i])
			}
			for q := range d.FE {
				rep.FE[q] = append(rep.FE[q], d.FE[q][i])
			}
		}
	}
	a, err := Fit(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fit(rep, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for j := range a.Coefs {
		if relErr(a.Coefs[j].Estimate, b.Coefs[j].Estimate) > 1e-10 {
			t.Errorf("%s: weighted %.15g, replicated %.15g", a.Coefs[j].Name, a.Coefs[j].Estimate, b.Coefs[j].Estimate)
		}
	}
}

func TestSingletons(t *testing.T) {
	// A 3×3 balanced core plus: R1 (unit 3, period 0), a unit singleton;
	// R2 (unit 4, period 3), a period singleton; R3 (unit 4, period 0),
	// alone in unit 4 once R2 is gone. One pass removes R1 and R2, the
	// iterated rule also R3.
	d := &Design{YName: "y", XNames: []string{"x"}, FENames: []string{"unit", "period"},
		X: [][]float64{nil}, FE: [][]int32{nil, nil}}
	add := func(u, p int32, y, x float64) {
		d.Y = append(d.Y, y)
		d.X[0] = append(d.X[0], x)
		d.FE[0] = append(d.FE[0], u)
		d.FE[1] = append(d.FE[1], p)
	}
	for u := range int32(3) {
		for p := range int32(3) {
			add(u, p, float64(u)+float64(p)*0.5+math.Sin(float64(3*u+p)), math.Cos(float64(5*u+2*p)))
		}
	}
	add(3, 0, 4, 0.3)
	add(4, 3, 2, 0.7)
	add(4, 0, 1, 0.2)
	once, err := Fit(d, Options{Singletons: SingletonsOnce, VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	iter, err := Fit(d, Options{Singletons: SingletonsIterate, VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	keep, err := Fit(d, Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	if once.NSingletons != 2 || iter.NSingletons != 3 || keep.NSingletons != 0 {
		t.Errorf("singletons once %d, iterated %d, kept %d; want 2, 3, 0", once.NSingletons, iter.NSingletons, keep.NSingletons)
	}
	// Singletons never change the slope.
	if relErr(once.Coefs[0].Estimate, keep.Coefs[0].Estimate) > 1e-10 || relErr(iter.Coefs[0].Estimate, keep.Coefs[0].Estimate) > 1e-10 {
		t.Errorf("slopes %v %v %v differ", keep.Coefs[0].Estimate, once.Coefs[0].Estimate, iter.Coefs[0].Estimate)
	}
	all := &Design{YName: "y", Y: []float64{1, 2, 3}, X: [][]float64{{1, 5, 2}}, XNames: []string{"x"},
		FE: [][]int32{{0, 1, 2}}, FENames: []string{"u"}}
	var se *SampleError
	if _, err := Fit(all, Options{Singletons: SingletonsIterate}); !errors.As(err, &se) {
		t.Errorf("all singletons: err = %v; want *SampleError", err)
	}
}

func TestBadInput(t *testing.T) {
	data := readFrame(t, "testdata/fixest_base_did.csv")
	x2 := make([]float64, data.Len())
	x1, _ := data.Float("x1")
	for i := range x2 {
		x2[i] = 2*x1[i] + 1
	}
	_ = data.AddFloat("x1_twice", x2)
	yNaN := make([]float64, data.Len())
	y, _ := data.Float("y")
	copy(yNaN, y)
	yNaN[3], yNaN[10] = math.NaN(), math.Inf(1)
	_ = data.AddFloat("y_nan", yNaN)
	one := make([]float64, data.Len())
	_ = data.AddFloat("zero", one)

	t.Run("missing column", func(t *testing.T) {
		_, err := Estimate(data, "y ~ x1 + x3 | id", Options{})
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Col != 10 {
			t.Fatalf("err = %v; want ParseError at column 10", err)
		}
	})
	t.Run("collinear regressor dropped with a note", func(t *testing.T) {
		r, err := Estimate(data, "y ~ x1 + x1_twice | id", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Collinear, []string{"x1_twice"}) || len(r.Coefs) != 1 || len(r.Notes) == 0 {
			t.Errorf("collinear %v, %d coefs, notes %v", r.Collinear, len(r.Coefs), r.Notes)
		}
	})
	t.Run("treatment without variation within FE", func(t *testing.T) {
		_, err := Estimate(data, "y ~ treat | id", Options{})
		var ce *CollinearError
		if !errors.As(err, &ce) || !slices.Equal(ce.Dropped, []string{"treat"}) {
			t.Errorf("err = %v; want CollinearError{treat}", err)
		}
		_, err = Estimate(data, "y ~ zero - 1", Options{})
		if !errors.As(err, &ce) || !slices.Equal(ce.Dropped, []string{"zero"}) {
			t.Errorf("zero regressor: err = %v; want CollinearError{zero}", err)
		}
		r, err := Estimate(data, "y ~ x1 + zero", Options{})
		if err != nil || !slices.Equal(r.Collinear, []string{"zero"}) {
			t.Errorf("constant regressor with intercept: err %v, collinear %v", err, r.Collinear)
		}
	})
	t.Run("one cluster", func(t *testing.T) {
		_, err := Estimate(data, "y ~ x1", Options{Cluster: []string{"zero"}})
		if err == nil {
			t.Error("one cluster: no error")
		}
	})
	t.Run("NaN and Inf rows dropped and counted", func(t *testing.T) {
		r, err := Estimate(data, "y_nan ~ x1 | id", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.NMissing != 2 || r.NObs != data.Len()-2 {
			t.Errorf("missing %d, n %d", r.NMissing, r.NObs)
		}
	})
	t.Run("all missing", func(t *testing.T) {
		nan := make([]float64, data.Len())
		for i := range nan {
			nan[i] = math.NaN()
		}
		_ = data.AddFloat("allnan", nan)
		_, err := Estimate(data, "allnan ~ x1", Options{})
		var se *SampleError
		if !errors.As(err, &se) {
			t.Errorf("err = %v; want SampleError", err)
		}
	})
	t.Run("log of non-positive is missing", func(t *testing.T) {
		r, err := Estimate(data, "y ~ log(x1) | id", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.NMissing == 0 {
			t.Error("log(x1) of negative x1 should drop rows")
		}
	})
	t.Run("negative weight", func(t *testing.T) {
		_, err := Estimate(data, "y ~ x1", Options{Weights: "x1"})
		if err == nil {
			t.Error("negative weights accepted")
		}
	})
	t.Run("non-converging demeaning", func(t *testing.T) {
		d := unbalanced(500, 5)
		_, err := Fit(d, Options{MaxIter: 2})
		var ce *ConvergenceError
		if !errors.As(err, &ce) {
			t.Errorf("err = %v; want ConvergenceError", err)
		}
	})
}

// Exact fixed-effect redundancy (fixest fixef.force_exact): two FE with
// two disconnected blocks have two references, not one.
func TestFixefExact(t *testing.T) {
	d := &Design{YName: "y",
		Y:       []float64{1, 2, 3, 4, 5, 6, 7, 8.5, 9, 10.2},
		X:       [][]float64{{0.3, 0.1, 0.4, 0.1, 0.5, 0.9, 0.2, 0.6, 0.5, 0.3}},
		XNames:  []string{"x"},
		FE:      [][]int32{{0, 0, 1, 1, 2, 2, 3, 3, 3, 2}, {0, 1, 0, 1, 2, 3, 2, 3, 2, 3}},
		FENames: []string{"a", "b"}}
	def, err := Fit(d, Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Fit(d, Options{VCov: VCovIID, SSC: SSC{FixefExact: true}})
	if err != nil {
		t.Fatal(err)
	}
	if def.KFull != 1+8-1 || ex.KFull != 1+8-2 {
		t.Errorf("K default %d, exact %d; want 8, 7", def.KFull, ex.KFull)
	}
}

// A slowly mixing design: 60 "firms" on a chain, each worker observed in
// two adjacent firms, so alternating projections converge slowly (small
// spectral gap). The default tolerance still gives the dummy-variable
// answer to 1e-8 relative, the project's fixest-agreement target.
func TestSlowConvergenceChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	d := &Design{YName: "y", XNames: []string{"x"}, X: [][]float64{nil}, FENames: []string{"worker", "firm"}, FE: [][]int32{nil, nil}}
	w := int32(0)
	for f := range int32(59) {
		for range 4 {
			for k := range 3 {
				firm := f + int32(k%2)
				x := rng.NormFloat64() + float64(firm)/20
				d.Y = append(d.Y, 0.7*x+float64(w%7)+math.Sqrt(float64(firm))+rng.NormFloat64())
				d.X[0] = append(d.X[0], x)
				d.FE[0] = append(d.FE[0], w)
				d.FE[1] = append(d.FE[1], firm)
			}
			w++
		}
	}
	fe, err := Fit(d, Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	dv, err := Fit(dummies(d), Options{VCov: VCovIID})
	if err != nil {
		t.Fatal(err)
	}
	a, b := mustCoef(t, fe, "x"), mustCoef(t, dv, "x")
	if relErr(a.Estimate, b.Estimate) > 1e-8 || relErr(a.SE, b.SE) > 1e-8 {
		t.Errorf("FE %.12g (%.12g); dummies %.12g (%.12g)", a.Estimate, a.SE, b.Estimate, b.SE)
	}
	t.Logf("%d sweeps; rel. differences %.2g, %.2g", fe.Iterations, relErr(a.Estimate, b.Estimate), relErr(a.SE, b.SE))
}

// y ~ 1 estimates the mean with SE sd/√n; weighted, the weighted mean.
func TestInterceptOnly(t *testing.T) {
	fr := NewFrame(5)
	_ = fr.AddFloat("y", []float64{1, 2, 4, 8, 10})
	_ = fr.AddFloat("w", []float64{1, 1, 2, 1, 5})
	r, err := Estimate(fr, "y ~ 1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// mean 5, sample variance 60/4 = 15, SE √(15/5)
	if c := r.Coefs[0]; c.Name != "(Intercept)" || relErr(c.Estimate, 5) > 1e-15 || relErr(c.SE, math.Sqrt(15.0/5)) > 1e-14 {
		t.Errorf("y ~ 1: %+v", c)
	}
	r, err = Estimate(fr, "y ~ 1", Options{Weights: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Coefs[0]; relErr(c.Estimate, 69.0/10) > 1e-15 {
		t.Errorf("weighted mean %v; want 6.9", c.Estimate)
	}
	var se *SampleError
	if _, err := Estimate(fr, "y ~ 0", Options{}); !errors.As(err, &se) {
		t.Errorf("y ~ 0: err = %v; want SampleError", err)
	}
}

// Results do not depend on the number of demeaning workers (bitwise).
func TestWorkersDeterministic(t *testing.T) {
	d := unbalanced(2000, 9)
	a, err := Fit(d, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fit(d, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	for j := range a.Coefs {
		if a.Coefs[j] != b.Coefs[j] {
			t.Errorf("workers 1: %+v; workers 3: %+v", a.Coefs[j], b.Coefs[j])
		}
	}
}
