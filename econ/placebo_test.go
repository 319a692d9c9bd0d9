package econ

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"testing"
)

// simPanel builds a balanced nu × nt panel with unit and year effects,
// a control x, staggered adoption (a share of units adopting in random
// years 2..nt−1, the rest never) and outcome y = α_u + λ_t + effect·D + 0.5x + ε.
func simPanel(rng *rand.Rand, nu, nt int, effect float64) *Frame {
	n := nu * nt
	unit := make([]int32, n)
	levels := make([]string, nu)
	year, cohort, d, x, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	lambda := make([]float64, nt)
	for t := range lambda {
		lambda[t] = rng.NormFloat64()
	}
	for u := range nu {
		levels[u] = "u" + itoa(u)
		alpha := 2 * rng.NormFloat64()
		c := math.NaN()
		if rng.Float64() < 0.4 {
			c = float64(2000 + 1 + rng.IntN(nt-2))
		}
		for t := range nt {
			i := u*nt + t
			unit[i] = int32(u)
			year[i] = float64(2000 + t)
			cohort[i] = c
			if year[i] >= c {
				d[i] = 1
			}
			x[i] = rng.NormFloat64() + 0.3*d[i]
			y[i] = alpha + lambda[t] + effect*d[i] + 0.5*x[i] + rng.NormFloat64()
		}
	}
	f := NewFrame(n)
	f.AddFactor("unit", unit, levels)
	f.AddFloat("year", year)
	f.AddFloat("cohort", cohort)
	f.AddFloat("treat", d)
	f.AddFloat("x", x)
	f.AddFloat("y", y)
	return f
}

// The FWL inner loop reproduces Estimate's coefficient for the actual
// assignment, and the closed form and the general (demean every draw)
// loop give the same draws.
func TestPermuteMatchesEstimateAndPaths(t *testing.T) {
	data := simPanel(rand.New(rand.NewPCG(1, 2)), 60, 10, 1)
	for _, mode := range []PlaceboMode{PermuteUnits, PermuteTiming, PermuteBoth} {
		spec := PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Mode: mode, Draws: 200, Seed: 7}
		fast, err := Permute(data, spec, Options{})
		if err != nil {
			t.Fatal(err)
		}
		spec.General = true
		slow, err := Permute(data, spec, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if fast.Method != "closed-form two-way" || slow.Method != "demean per draw" {
			t.Fatalf("methods %q, %q", fast.Method, slow.Method)
		}
		r, err := Estimate(data, spec.Formula, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := mustCoef(t, r, "treat").Estimate
		if relErr(fast.Estimate, want) > 1e-8 || relErr(slow.Estimate, want) > 1e-8 {
			t.Errorf("%v: actual %v / %v; Estimate %v", mode, fast.Estimate, slow.Estimate, want)
		}
		for i := range fast.Draws {
			if math.Abs(fast.Draws[i]-slow.Draws[i]) > 1e-8*(1+math.Abs(slow.Draws[i])) {
				t.Fatalf("%v draw %d: closed form %v, general %v", mode, i, fast.Draws[i], slow.Draws[i])
			}
		}
		if fast.P <= 0 || fast.P > 1 {
			t.Errorf("p = %v", fast.P)
		}
	}
	// One permuted draw re-estimated from scratch equals the kernel:
	// draw 0 of PermuteUnits, rebuilt by hand with the same stream.
	spec := PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Draws: 1, Seed: 11}
	pl, err := Permute(data, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pd, _, err := preparePlacebo(data, spec, Options{}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	s := pd.newScratch()
	pd.draw(rand.New(rand.NewPCG(11, 0)), PermuteUnits, s.cohort, s.perm)
	year, _ := data.Float("year")
	d := make([]float64, data.Len())
	for i := range d {
		u := i / 10
		if int(year[i]-2000) >= int(s.cohort[u]) {
			d[i] = 1
		}
	}
	f2, _, _ := frameWith(data, []string{"dperm"}, map[string][]float64{"dperm": d})
	r2, err := Estimate(f2, "y ~ dperm + x | unit + year", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustCoef(t, r2, "dperm").Estimate; relErr(pl.Draws[0], got) > 1e-8 {
		t.Errorf("draw 0 = %v; Estimate on the permuted data %v", pl.Draws[0], got)
	}
}

func (o Options) withDefaults() Options { o.defaults(); return o }

// The draws do not depend on the number of workers or GOMAXPROCS.
func TestPermuteDeterministic(t *testing.T) {
	data := simPanel(rand.New(rand.NewPCG(3, 4)), 40, 8, 0)
	spec := PlaceboSpec{Formula: "y ~ treat | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Mode: PermuteBoth, Draws: 300, Seed: 42}
	var ref []float64
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	for _, procs := range []int{1, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, workers := range []int{0, 1, 5} {
			for _, general := range []bool{false, true} {
				spec.General = general
				p, err := Permute(data, spec, Options{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if general {
					continue // compared with the closed form above
				}
				if ref == nil {
					ref = p.Draws
					continue
				}
				if !slices.Equal(ref, p.Draws) {
					t.Fatalf("GOMAXPROCS %d, workers %d: draws differ", procs, workers)
				}
			}
		}
	}
}

// Under the sharp null with randomly assigned units the unit-permutation
// p-value is (discretely) uniform: for 200 simulated data sets with no
// effect and 99 permutations each, the Kolmogorov–Smirnov distance of the
// p-values to U(0, 1) is below 1.63/√200 ≈ 0.115 (the 1% critical value)
// and the 5% rejection rate is below 0.05 + 3·√(0.05·0.95/200) ≈ 0.096.
// The seeds are fixed, so the test is deterministic; the bounds are loose
// enough that any correct implementation passes for most seeds, while a
// biased one (p-values piled near 0 or 1) fails.
func TestPermutePValueUniformUnderNull(t *testing.T) {
	const S = 200
	ps := make([]float64, S)
	for s := range S {
		data := simPanel(rand.New(rand.NewPCG(100, uint64(s))), 30, 6, 0)
		p, err := Permute(data, PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Draws: 99, Seed: uint64(s)}, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		ps[s] = p.P
	}
	sort.Float64s(ps)
	var ks float64
	reject := 0
	for i, p := range ps {
		ks = max(ks, math.Abs(float64(i+1)/S-p), math.Abs(p-float64(i)/S))
		if p <= 0.05 {
			reject++
		}
	}
	if ks > 0.115 {
		t.Errorf("KS distance of p-values to uniform = %.3f; want ≤ 0.115", ks)
	}
	if rate := float64(reject) / S; rate > 0.096 {
		t.Errorf("rejection rate at 5%% = %.3f; want ≤ 0.096", rate)
	}
	t.Logf("KS = %.3f, rejections at 5%%: %d/%d", ks, reject, S)
}

// A real effect of 1 (noise sd 1, 60 units) is detected: the permutation
// p-value is the smallest possible, 1/(R+1).
func TestPermuteDetectsEffect(t *testing.T) {
	data := simPanel(rand.New(rand.NewPCG(5, 6)), 60, 10, 1)
	p, err := Permute(data, PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Draws: 199, Seed: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.P != 1.0/200 {
		t.Errorf("p = %v (estimate %v, placebo mean %v sd %v); want 1/200", p.P, p.Estimate, p.Mean, p.SD)
	}
	if math.Abs(p.Mean) > 3*p.SD/math.Sqrt(199)+0.05 {
		t.Errorf("placebo mean %v is far from 0 (sd %v)", p.Mean, p.SD)
	}
}

func TestPermuteErrors(t *testing.T) {
	data := simPanel(rand.New(rand.NewPCG(5, 6)), 20, 5, 1)
	x, _ := data.Float("x")
	bad := slices.Clone(x)
	data.AddFloat("notreat", bad)
	base := PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Draws: 10}
	cases := map[string]func(s *PlaceboSpec){
		"treat not in formula": func(s *PlaceboSpec) { s.Treat = "z" },
		"treat interacted":     func(s *PlaceboSpec) { s.Formula = "y ~ treat + treat:x | unit + year" },
		"no fixed effects":     func(s *PlaceboSpec) { s.Formula = "y ~ treat + x" },
		"treat ≠ cohort rule":  func(s *PlaceboSpec) { s.Formula = "y ~ notreat | unit + year"; s.Treat = "notreat" },
		"no cohort column":     func(s *PlaceboSpec) { s.Cohort = "nope" },
		"bad mode":             func(s *PlaceboSpec) { s.Mode = 9 },
		"parse error":          func(s *PlaceboSpec) { s.Formula = "y ~ treat +" },
	}
	for name, mod := range cases {
		s := base
		mod(&s)
		if _, err := Permute(data, s, Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkPermute runs 1,000 unit permutations of the TWFE model
// y ~ treat + x | unit + year, with the closed-form inner loop and with
// the general one (demean the permuted treatment every draw).
func BenchmarkPermute(b *testing.B) {
	for _, size := range []struct{ nu, nt int }{{290, 16}, {10000, 20}} {
		data := simPanel(rand.New(rand.NewPCG(9, 9)), size.nu, size.nt, 0.5)
		for _, general := range []bool{false, true} {
			name := "cities=" + itoa(size.nu) + "/years=" + itoa(size.nt) + "/closed"
			if general {
				name = "cities=" + itoa(size.nu) + "/years=" + itoa(size.nt) + "/general"
			}
			b.Run(name, func(b *testing.B) {
				spec := PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Draws: 1000, Seed: 1, General: general}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Permute(data, spec, Options{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// With weights and a third fixed effect (the general loop) the kernel
// still reproduces Estimate, for the actual and for a permuted assignment.
func TestPermuteWeightedGeneral(t *testing.T) {
	const nu, nt = 50, 8
	data := simPanel(rand.New(rand.NewPCG(61, 62)), nu, nt, 1)
	n := data.Len()
	w, grp := make([]float64, n), make([]string, n)
	for i := range n {
		w[i] = 0.5 + float64((i*7919)%13)/6
		grp[i] = []string{"g1", "g2"}[(i/nt)%2]
	}
	data.AddFloat("w", w)
	data.AddStrings("grp", grp)
	const formula = "y ~ treat + x | unit + year + grp^year"
	opts := Options{Weights: "w"}
	spec := PlaceboSpec{Formula: formula, Treat: "treat", Unit: "unit", Time: "year", Cohort: "cohort", Draws: 3, Seed: 5}
	pl, err := Permute(data, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Method != "demean per draw" {
		t.Fatalf("method %q", pl.Method)
	}
	r, err := Estimate(data, formula, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustCoef(t, r, "treat").Estimate; relErr(pl.Estimate, want) > 1e-8 {
		t.Errorf("actual %v; Estimate %v", pl.Estimate, want)
	}
	pd, _, err := preparePlacebo(data, spec, opts.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	s := pd.newScratch()
	pd.draw(rand.New(rand.NewPCG(5, 0)), PermuteUnits, s.cohort, s.perm)
	year, _ := data.Float("year")
	d := make([]float64, n)
	for i := range d {
		if int(year[i]-2000) >= int(s.cohort[i/nt]) {
			d[i] = 1
		}
	}
	f2, _, _ := frameWith(data, []string{"dperm"}, map[string][]float64{"dperm": d})
	r2, err := Estimate(f2, "y ~ dperm + x | unit + year + grp^year", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustCoef(t, r2, "dperm").Estimate; relErr(pl.Draws[0], got) > 1e-8 {
		t.Errorf("draw 0 = %v; Estimate on the permuted data %v", pl.Draws[0], got)
	}
}
