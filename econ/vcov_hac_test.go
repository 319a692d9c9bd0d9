package econ

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fixest's Newey–West and Driscoll–Kraay standard errors of
// feols(y ~ x1, base_did) (testdata/fixest_base_did.csv), as printed in
// fixest's rendered reference pages, lrberge/fixest @dbe56c5:
// docs/reference/vcov.fixest.html (se(vcov(est, NW ~ id + period)) etc.,
// 8 significant digits) and docs/reference/vcov_hac.html (NW(2), 6
// digits). T = 10 periods, so the default lag is ⌊10^{1/4}⌋ = 1.
func TestHACFixestBaseDID(t *testing.T) {
	data := readFrame(t, "testdata/fixest_base_did.csv", "id", "period")
	id := []string{"id", "period"}
	cases := []struct {
		name     string
		opts     Options
		icpt, x1 float64
		dec      int // decimals printed
		lag      int
	}{
		{"NW default lag", Options{VCov: VCovNW, PanelID: id}, 0.17411100, 0.05269927, 8, 1},
		{"NW(3)", Options{VCov: VCovNW, PanelID: id, Lag: 3}, 0.19450009, 0.05104156, 8, 3},
		{"NW(2)", Options{VCov: VCovNW, PanelID: id, Lag: 2}, 0.186061, 0.051618, 6, 2},
		{"DK default lag", Options{VCov: VCovDK, PanelID: id}, 0.78953790, 0.03611533, 8, 1},
		{"DK(3)", Options{VCov: VCovDK, PanelID: id, Lag: 3}, 0.97148590, 0.02841491, 8, 3},
		{"DK adj = FALSE", Options{VCov: VCovDK, PanelID: id, SSC: SSC{NoAdj: true}}, 0.78917195, 0.03609859, 8, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Estimate(data, "y ~ x1", c.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []struct {
				name string
				se   float64
			}{{"(Intercept)", c.icpt}, {"x1", c.x1}} {
				got := mustCoef(t, r, w.name).SE
				// compared at the decimals printed
				if !roundsTo(got, w.se, c.dec) {
					t.Errorf("se(%s) = %.10g; want %v", w.name, got, w.se)
				}
			}
			if r.Lag != c.lag || r.DFT != 9 {
				t.Errorf("lag %d, t df %v; want %d, 9", r.Lag, r.DFT, c.lag)
			}
		})
	}
	// fixest prints t = 19.0457 and p = 1.3968e-08 for x1 under NW(2):
	// Student t with T − 1 = 9 degrees of freedom.
	r, err := Estimate(data, "y ~ x1", Options{VCov: VCovNW, PanelID: id, Lag: 2})
	if err != nil {
		t.Fatal(err)
	}
	x1 := mustCoef(t, r, "x1")
	if !roundsTo(x1.T, 19.0457, 4) || !roundsSig(x1.P, 1.3968e-08, 5) {
		t.Errorf("x1 t = %.8g, p = %.6g; want 19.0457, 1.3968e-08", x1.T, x1.P)
	}
}

// roundsSig reports whether got rounds to want at sig significant digits.
func roundsSig(got, want float64, sig int) bool {
	e := math.Floor(math.Log10(math.Abs(want)))
	unit := math.Pow(10, e-float64(sig-1))
	return math.Abs(got-want) <= 0.5*unit*(1+1e-9)
}

// plm's robust Wald F statistics for Grunfeld inv ~ value + capital with
// vcovSCC (Driscoll–Kraay) and vcovNW (panel Newey–West), type "HC0",
// maxlag ⌊20^{1/4}⌋ = 2, from plm's regression-test output ycroissant/plm
// @708b421 : inst/tests/test_pwaldtest_vcovG_attr_cluster.Rout.save
// (pwaldtest(model, test = "F", vcov = vcovSCC / vcovNW)). F = b'V⁻¹b/2
// over the two slopes. plm's HC0 is our variance without either
// small-sample factor.
func TestHACPlmGrunfeld(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	hc0 := SSC{NoAdj: true, NoClusterAdj: true}
	cases := []struct {
		model, formula string
		scc, nw        float64
	}{
		{"pooling", "inv ~ value + capital", 105.718, 92.1225},
		{"within firm", "inv ~ value + capital | firm", 75.9419, 29.0557},
		{"within year", "inv ~ value + capital | year", 89.0247, 103.116},
		{"two-way", "inv ~ value + capital | firm + year", 46.9641, 33.8818},
	}
	for _, c := range cases {
		for _, v := range []struct {
			typ  VCovType
			want float64
		}{{VCovDK, c.scc}, {VCovNW, c.nw}} {
			r, err := Estimate(data, c.formula, Options{VCov: v.typ, PanelID: []string{"firm", "year"}, SSC: hc0})
			if err != nil {
				t.Fatal(err)
			}
			if r.Lag != 2 {
				t.Errorf("%s %v: lag %d; want 2", c.model, v.typ, r.Lag)
			}
			F := waldF(t, r, "value", "capital")
			if !roundsSig(F, v.want, 6) {
				t.Errorf("%s %v: F = %.8g; want %v", c.model, v.typ, F, v.want)
			}
		}
	}
}

// waldF returns b'V⁻¹b/q for the named coefficients.
func waldF(t *testing.T, r *Result, names ...string) float64 {
	t.Helper()
	idx := make([]int, len(names))
	for a, nm := range names {
		idx[a] = -1
		for j, c := range r.Coefs {
			if c.Name == nm {
				idx[a] = j
			}
		}
		if idx[a] < 0 {
			t.Fatalf("no coefficient %q", nm)
		}
	}
	q := len(idx)
	V := mat.NewDense(q, q, nil)
	b := mat.NewVecDense(q, nil)
	for a, i := range idx {
		b.SetVec(a, r.Coefs[i].Estimate)
		for c, j := range idx {
			V.Set(a, c, r.VCov[i][j])
		}
	}
	var x mat.VecDense
	if err := x.SolveVec(V, b); err != nil {
		t.Fatal(err)
	}
	return mat.Dot(b, &x) / float64(q)
}

// An unbalanced panel with gaps and shuffled rows: the variance must equal
// explicit double sums over all pairs of observations (written out here
// independently of the sorted-merge implementation), and must not depend
// on row order or on the number of workers.
func TestHACExplicitSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var unit, year []float64
	var y, x []float64
	for u := range 40 {
		for yr := 2000; yr < 2015; yr++ {
			if rng.Float64() < 0.2 { // gaps
				continue
			}
			unit = append(unit, float64(u))
			year = append(year, float64(yr))
			xv := rng.NormFloat64()
			x = append(x, xv)
			y = append(y, 0.5*xv+rng.NormFloat64()+0.1*float64(u%5))
		}
	}
	n := len(y)
	perm := rng.Perm(n)
	shuf := func(v []float64) []float64 {
		out := make([]float64, n)
		for i, p := range perm {
			out[i] = v[p]
		}
		return out
	}
	build := func(unit, year, y, x []float64) *Frame {
		f := NewFrame(len(y))
		for _, c := range []struct {
			n string
			v []float64
		}{{"unit", unit}, {"year", year}, {"y", y}, {"x", x}} {
			if err := f.AddFloat(c.n, c.v); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.SetPanel("unit", "year"); err != nil {
			t.Fatal(err)
		}
		return f
	}
	data := build(unit, year, y, x)
	shuffled := build(shuf(unit), shuf(year), shuf(y), shuf(x))
	for _, typ := range []VCovType{VCovNW, VCovDK} {
		for _, L := range []int{0, 1, 3} {
			opts := Options{VCov: typ, Lag: L}
			if L == 0 {
				opts.Lag = -1
			}
			r, err := Estimate(data, "y ~ x | unit", opts)
			if err != nil {
				t.Fatal(err)
			}
			// Explicit: scores from the residuals and the demeaned x.
			xd := make([]float64, n)
			means := map[float64][2]float64{}
			for i := range n {
				m := means[unit[i]]
				means[unit[i]] = [2]float64{m[0] + x[i], m[1] + 1}
			}
			for i := range n {
				m := means[unit[i]]
				xd[i] = x[i] - m[0]/m[1]
			}
			var sxx, meat float64
			for i := range n {
				sxx += xd[i] * xd[i]
				for j := range n {
					same := typ == VCovDK || unit[i] == unit[j]
					l := int(math.Abs(year[i] - year[j]))
					if !same || l > L {
						continue
					}
					meat += (1 - float64(l)/float64(L+1)) * xd[i] * r.Residuals[i] * xd[j] * r.Residuals[j]
				}
			}
			T := 15.0
			K := 1.0 + 40 // slope + unit FE (not nested in time for DK; nested in unit for NW)
			if typ == VCovNW {
				K = 2 // every FE nested → K = k + 1
			}
			want := meat / (sxx * sxx) * T / (T - 1) * float64(n-1) / (float64(n) - K)
			got := r.VCov[0][0]
			if relErr(got, want) > 1e-10 {
				t.Errorf("%v L=%d: V = %.15g; explicit %.15g", typ, L, got, want)
			}
			for _, workers := range []int{1, 3} {
				opts.Workers = workers
				r2, err := Estimate(shuffled, "y ~ x | unit", opts)
				if err != nil {
					t.Fatal(err)
				}
				if relErr(r2.VCov[0][0], got) > 1e-12 {
					t.Errorf("%v L=%d workers=%d shuffled: V = %.15g; want %.15g", typ, L, workers, r2.VCov[0][0], got)
				}
			}
		}
	}
}

func TestHACErrors(t *testing.T) {
	data := readFrame(t, "testdata/grunfeld_plm.csv", "firm", "year")
	if _, err := Estimate(data, "inv ~ value", Options{VCov: VCovNW}); err == nil {
		t.Error("NW without panel keys: no error")
	}
	// Year as the unit: ten firms per (unit, year) cell.
	if _, err := Estimate(data, "inv ~ value", Options{VCov: VCovNW, PanelID: []string{"year", "year"}}); err == nil {
		t.Error("NW with duplicate unit-period cells: no error")
	}
	d := &Design{Y: []float64{1, 2, 3, 4}, YName: "y", X: [][]float64{{1, 3, 2, 5}}, XNames: []string{"x"}, Intercept: true,
		Time: []int32{0, 0, 1, 1}}
	if _, err := Fit(d, Options{VCov: VCovNW}); err == nil {
		t.Error("series NW with duplicate periods: no error")
	}
	d.Time = []int32{0, 0, 0, 0}
	if _, err := Fit(d, Options{VCov: VCovDK}); err == nil {
		t.Error("DK with one period: no error")
	}
}
