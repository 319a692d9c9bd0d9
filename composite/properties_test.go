package composite

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randMatrix returns k columns of n positive values, deterministic in seed.
func randMatrix(seed uint64, n, k int) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([][]float64, k)
	for j := range x {
		x[j] = make([]float64, n)
		scale := math.Pow(10, float64(j%4))
		for i := range x[j] {
			x[j][i] = scale * (0.1 + rng.Float64())
		}
	}
	return x
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

func TestWeightsAreADistribution(t *testing.T) {
	for seed := range uint64(20) {
		x := randMatrix(seed, 30, 6)
		methods := map[string]func() ([]float64, error){
			"entropy": func() ([]float64, error) { return Entropy(nil, x, EntropyOptions{}) },
			"critic":  func() ([]float64, error) { return CRITIC(nil, x, CRITICOptions{}) },
			"cv":      func() ([]float64, error) { return CV(nil, x) },
			"sd":      func() ([]float64, error) { return SD(nil, x) },
			"pca": func() ([]float64, error) {
				w, _, err := PCA(nil, x, PCAOptions{})
				return w, err
			},
		}
		for name, f := range methods {
			w, err := f()
			if err != nil {
				t.Fatalf("%s seed %d: %v", name, seed, err)
			}
			if err := CheckWeights(w); err != nil {
				t.Errorf("%s seed %d: %v (w = %v)", name, seed, err, w)
			}
			for j, v := range w {
				if v < 0 {
					t.Errorf("%s seed %d: w[%d] = %v < 0", name, seed, j, v)
				}
			}
		}
	}
}

func scaled(x [][]float64, j int, a, b float64) [][]float64 {
	y := make([][]float64, len(x))
	copy(y, x)
	y[j] = make([]float64, len(x[j]))
	for i, v := range x[j] {
		y[j][i] = a*v + b
	}
	return y
}

func TestEntropyScaleInvariance(t *testing.T) {
	x := randMatrix(7, 40, 5)
	w0, _ := Entropy(nil, x, EntropyOptions{})
	for _, a := range []float64{1e-3, 0.5, 7, 1e6} {
		w1, err := Entropy(nil, scaled(x, 2, a, 0), EntropyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkVec(t, "entropy after scaling column 2", w1, w0, 1e-12)
	}
	// A shift is not an invariance of the entropy method: it must change w.
	w2, _ := Entropy(nil, scaled(x, 2, 1, 100), EntropyOptions{})
	if near(w2[2], w0[2], 1e-6) {
		t.Errorf("shifting column 2 by 100 left its weight %v unchanged", w0[2])
	}
}

func TestCVAndCRITICInvariances(t *testing.T) {
	x := randMatrix(8, 25, 4)
	cv0, _ := CV(nil, x)
	cv1, _ := CV(nil, scaled(x, 1, 3.5, 0))
	checkVec(t, "cv after scaling", cv1, cv0, 1e-12)
	// CRITIC min-max normalises, so any positive affine map of a column is invariant.
	c0, _ := CRITIC(nil, x, CRITICOptions{})
	c1, _ := CRITIC(nil, scaled(x, 3, 12, -40), CRITICOptions{})
	checkVec(t, "critic after affine map", c1, c0, 1e-12)
	// PCA standardises: also affine invariant.
	p0, _, _ := PCA(nil, x, PCAOptions{})
	p1, _, _ := PCA(nil, scaled(x, 0, 0.01, 5), PCAOptions{})
	checkVec(t, "pca after affine map", p1, p0, 1e-10)
}

func TestPCATwoColumns(t *testing.T) {
	// With two columns R = [[1 r][r 1]]: eigenvalues 1 ± r, eigenvectors
	// (1, ±1)/√2, so only the first is retained and the weights are equal.
	x := [][]float64{{1, 2, 3, 4, 6}, {2, 1, 4, 3, 5}}
	w, k, err := PCA(nil, x, PCAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if k != 1 {
		t.Errorf("retained %d components; want 1", k)
	}
	checkVec(t, "w", w, []float64{0.5, 0.5}, 1e-12)
	w, _, _ = PCA(nil, x, PCAOptions{Variant: PCASquaredLoadings})
	checkVec(t, "w squared", w, []float64{0.5, 0.5}, 1e-12)
}

func TestPCAVariantsByHand(t *testing.T) {
	// Columns 0 and 1 identical up to scale, column 2 uncorrelated with both
	// (centred values orthogonal): R = [[1 1 0][1 1 0][0 0 1]], eigenvalues
	// 2, 1, 0 with u₁ = (1, 1, 0)/√2, u₂ = (0, 0, 1). With MinEigen 0.5 both
	// are retained, shares 2/3 and 1/3:
	//   |u|: v = (⅔/√2, ⅔/√2, ⅓);  u²: v = (⅓, ⅓, ⅓).
	x := [][]float64{{1, 2, 3, 4}, {2, 4, 6, 8}, {1, -1, -1, 1}}
	w, k, err := PCA(nil, x, PCAOptions{MinEigen: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	a := 2.0 / 3 / math.Sqrt2
	if k != 2 {
		t.Errorf("retained %d; want 2", k)
	}
	checkVec(t, "|u|", w, []float64{a / (2*a + 1.0/3), a / (2*a + 1.0/3), 1.0 / 3 / (2*a + 1.0/3)}, 1e-12)
	w, _, _ = PCA(nil, x, PCAOptions{MinEigen: 0.5, Variant: PCASquaredLoadings})
	checkVec(t, "u²", w, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 1e-12)
	// Kaiser's λ > 1 keeps only the first: |u| gives (½, ½, 0).
	w, k, _ = PCA(nil, x, PCAOptions{})
	if k != 1 {
		t.Errorf("Kaiser retained %d; want 1", k)
	}
	checkVec(t, "kaiser", w, []float64{0.5, 0.5, 0}, 1e-12)
}

func TestTOPSISProperties(t *testing.T) {
	dirs := []Direction{Benefit, Cost, Benefit, Cost, Benefit}
	w := []float64{0.3, 0.2, 0.2, 0.2, 0.1}
	for seed := range uint64(10) {
		x := randMatrix(seed, 50, 5)
		for _, norm := range []TOPSISNorm{TOPSISVector, TOPSISMinMax} {
			c, err := TOPSIS(nil, x, w, dirs, TOPSISOptions{Norm: norm})
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range c {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("norm %d seed %d: closeness[%d] = %v outside [0, 1]", norm, seed, i, v)
				}
			}
		}
		// Min-max TOPSIS is invariant to positive affine maps of a column,
		// vector TOPSIS to positive scaling.
		c0, _ := TOPSIS(nil, x, w, dirs, TOPSISOptions{Norm: TOPSISMinMax})
		c1, _ := TOPSIS(nil, scaled(x, 1, 4, 17), w, dirs, TOPSISOptions{Norm: TOPSISMinMax})
		checkVec(t, "minmax topsis after affine map", c1, c0, 1e-12)
		v0, _ := TOPSIS(nil, x, w, dirs, TOPSISOptions{})
		v1, _ := TOPSIS(nil, scaled(x, 1, 4, 0), w, dirs, TOPSISOptions{})
		checkVec(t, "vector topsis after scaling", v1, v0, 1e-12)
	}
}

func TestTOPSISVectorByHand(t *testing.T) {
	// Two alternatives, two benefit criteria, equal weights.
	// x = [[3 4] [4 3]] → r = x/5 → v = r/2; A⁺ = (0.4, 0.4), A⁻ = (0.3, 0.3);
	// both rows are at distance 0.1 from each: C = 0.5.
	c, err := TOPSIS(nil, [][]float64{{3, 4}, {4, 3}}, nil, nil, TOPSISOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkVec(t, "C", c, []float64{0.5, 0.5}, 1e-15)
	// Dominance: row 0 best on every criterion gets C = 1, row 2 worst gets 0.
	c, _ = TOPSIS(nil, [][]float64{{9, 5, 1}, {1, 5, 9}}, nil, []Direction{Benefit, Cost}, TOPSISOptions{})
	checkVec(t, "C", c, []float64{1, 0.5, 0}, 1e-15)
}

func TestDirectionMirrors(t *testing.T) {
	x := []float64{3, 9, 1, math.NaN(), 4, 4, 10}
	for _, tc := range []struct {
		m      NormMethod
		mirror func(b float64) float64
	}{
		{MinMax, func(b float64) float64 { return 1 - b }},
		{ZScore, func(b float64) float64 { return -b }},
		{Percentile, func(b float64) float64 { return 1 - b }},
		{Rank, func(b float64) float64 { return 7 - b }}, // m + 1 − rank, m = 6
		{Vector, func(b float64) float64 { return 1 - b }},
	} {
		b, err := Normaliser{Method: tc.m}.Apply(nil, x)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Normaliser{Method: tc.m, Direction: Cost}.Apply(nil, x)
		if err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if math.IsNaN(x[i]) {
				if !math.IsNaN(b[i]) || !math.IsNaN(c[i]) {
					t.Errorf("%v: missing input gave %v, %v", tc.m, b[i], c[i])
				}
				continue
			}
			if !near(c[i], tc.mirror(b[i]), 1e-14) {
				t.Errorf("%v: cost[%d] = %v; want mirror of %v", tc.m, i, c[i], b[i])
			}
		}
	}
}

func TestNormalisationsByHand(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		n    Normaliser
		x    []float64
		want []float64
	}{
		{"minmax with missing", Normaliser{}, []float64{2, nan, 6, 4}, []float64{0, nan, 1, 0.5}},
		{"zscore", Normaliser{Method: ZScore}, []float64{1, 2, 3}, []float64{-1, 0, 1}},
		{"rank ties", Normaliser{Method: Rank}, []float64{10, 20, 20, 30}, []float64{1, 2.5, 2.5, 4}},
		{"rank cost ties", Normaliser{Method: Rank, Direction: Cost}, []float64{10, 20, 20, 30}, []float64{4, 2.5, 2.5, 1}},
		{"percentile", Normaliser{Method: Percentile}, []float64{5, 1, 3}, []float64{1, 0, 0.5}},
		{"ratio to mean", Normaliser{Method: RatioToMean}, []float64{1, 2, 3}, []float64{0.5, 1, 1.5}},
		{"ratio to mean cost", Normaliser{Method: RatioToMean, Direction: Cost}, []float64{1, 2, 4}, []float64{7.0 / 3, 7.0 / 6, 7.0 / 12}},
		{"distance to reference row", Normaliser{Method: DistanceToRef, Ref: 1}, []float64{2, 4, 6}, []float64{0, 1, 2}},
		{"distance to reference capped", Normaliser{Method: DistanceToRef, Ref: 1, Cap: true}, []float64{2, 4, 6}, []float64{0, 1, 1}},
		{"constant as NaN (COINr)", Normaliser{OnConstant: ConstantNaN}, []float64{3, 3}, []float64{nan, nan}},
		{"constant as 1 (pymcdm)", Normaliser{OnConstant: ConstantFill, Fill: 1}, []float64{3, nan}, []float64{1, nan}},
		{"log then minmax", Normaliser{Log: true}, []float64{1, math.E, math.E * math.E}, []float64{0, 0.5, 1}},
		// IQR fences on 1…10, 100: Q1 = 3.5, Q3 = 8.5 (type 7), upper fence 16.
		{"winsor IQR then minmax", Normaliser{Winsor: Winsor{Method: WinsorIQR}}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100},
			[]float64{0, 1.0 / 15, 2.0 / 15, 3.0 / 15, 4.0 / 15, 5.0 / 15, 6.0 / 15, 7.0 / 15, 8.0 / 15, 9.0 / 15, 1}},
	} {
		got, err := tc.n.Apply(nil, tc.x)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for i := range tc.want {
			if math.IsNaN(tc.want[i]) != math.IsNaN(got[i]) || !math.IsNaN(got[i]) && !near(got[i], tc.want[i], 1e-14) {
				t.Errorf("%s: got %v; want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

func TestQuantileType7(t *testing.T) {
	// R: quantile(1:10, c(0.1, 0.25, 0.5, 1)) = 1.9 3.25 5.5 10.
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for p, want := range map[float64]float64{0.1: 1.9, 0.25: 3.25, 0.5: 5.5, 1: 10, 0: 1} {
		if got := QuantileSorted(s, p); !near(got, want, 1e-14) {
			t.Errorf("QuantileSorted(1:10, %v) = %v; want %v", p, got, want)
		}
	}
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	n, err := Winsorise(x, x, Winsor{Method: WinsorQuantile, Lo: 0.1, Hi: 0.9})
	if err != nil || n != 2 || x[0] != 1.9 || !near(x[9], 9.1, 1e-14) {
		t.Errorf("Winsorise quantile: n = %d, err = %v, x = %v", n, err, x)
	}
}

func TestNormaliseByGroup(t *testing.T) {
	// 3 units × 2 periods, unit-major: rows u*2+t.
	x := []float64{1, 10, 2, 30, 3, 20}
	group := PeriodGroups(3, 2)
	if !slices.Equal(group, []int32{0, 1, 0, 1, 0, 1}) {
		t.Fatalf("PeriodGroups = %v", group)
	}
	dst := make([]float64, len(x))
	if err := NormaliseByGroup(dst, x, group, 2, Normaliser{}); err != nil {
		t.Fatal(err)
	}
	checkVec(t, "per period", dst, []float64{0, 0, 0.5, 1, 1, 0.5}, 1e-15)
	if err := NormaliseByGroup(dst, x, nil, 1, Normaliser{}); err != nil {
		t.Fatal(err)
	}
	checkVec(t, "pooled", dst, []float64{0, 9.0 / 29, 1.0 / 29, 1, 2.0 / 29, 19.0 / 29}, 1e-15)
	// Distance to a reference unit (unit 1) in each period.
	if err := NormaliseByGroup(dst, x, group, 2, Normaliser{Method: DistanceToRef, RefByGroup: []int{2, 3}}); err != nil {
		t.Fatal(err)
	}
	checkVec(t, "ref unit 1", dst, []float64{0, 0, 1, 1, 2, 0.5}, 1e-15)
	// A constant group is reported with its index.
	err := NormaliseByGroup(dst, []float64{1, 5, 2, 5, 3, 5}, group, 2, Normaliser{})
	var ge *GroupError
	if !errors.As(err, &ge) || ge.Group != 1 || !errors.Is(err, ErrZeroVariance) {
		t.Errorf("err = %v; want GroupError for group 1 wrapping ErrZeroVariance", err)
	}
}

func consistentMatrix(w []float64) [][]float64 {
	a := make([][]float64, len(w))
	for i := range a {
		a[i] = make([]float64, len(w))
		for j := range a[i] {
			a[i][j] = w[i] / w[j]
		}
	}
	return a
}

func TestAHPConsistent(t *testing.T) {
	w := []float64{0.4, 0.3, 0.2, 0.1}
	for _, m := range []AHPMethod{AHPEigen, AHPGeometricMean} {
		res, err := AHP(consistentMatrix(w), AHPOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		checkVec(t, "w", res.Weights, w, 1e-14)
		if !near(res.LambdaMax, 4, 1e-13) || !near(res.CR, 0, 1e-13) {
			t.Errorf("method %d: λmax = %v, CR = %v; want 4, 0", m, res.LambdaMax, res.CR)
		}
	}
}

func TestAHPRefusalNamesWorstPair(t *testing.T) {
	a := consistentMatrix([]float64{0.4, 0.3, 0.2, 0.1})
	a[1][3], a[3][1] = 1.0/9, 9 // the judgement that breaks consistency
	res, err := AHP(a, AHPOptions{})
	var inc *InconsistentError
	if !errors.As(err, &inc) {
		t.Fatalf("err = %v; want *InconsistentError", err)
	}
	if inc.I != 1 || inc.J != 3 || inc.Aij != 1.0/9 || res.CR <= 0.10 || inc.Result.CR != res.CR {
		t.Errorf("worst pair (%d,%d) a = %v, CR %v; want (1,3) 1/9, CR > 0.1", inc.I, inc.J, inc.Aij, res.CR)
	}
	if _, err := AHP(a, AHPOptions{MaxCR: -1}); err != nil {
		t.Errorf("MaxCR < 0 still refused: %v", err)
	}
}

func TestAHPBadMatrices(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    [][]float64
		want error
	}{
		{"not square", [][]float64{{1, 2}, {0.5}}, ErrNotSquare},
		{"empty", nil, ErrNotSquare},
		{"non-reciprocal", [][]float64{{1, 3, 1}, {0.5, 1, 1}, {1, 1, 1}}, ErrNonReciprocal},
		{"diagonal", [][]float64{{2, 1}, {1, 1}}, ErrDiagonal},
		{"zero judgement", [][]float64{{1, 0}, {0, 1}}, ErrJudgement},
		{"too large for Saaty's table", consistentMatrix(make16()), ErrNoRI},
	} {
		_, err := AHP(tc.a, AHPOptions{})
		var pe *PairwiseError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) {
			t.Errorf("%s: err = %v; want %v", tc.name, err, tc.want)
		}
	}
	// 0.33 for 1/3 and 0.14 for 1/7 are within the default reciprocal tolerance.
	if _, err := AHP([][]float64{{1, 3, 7}, {0.33, 1, 2}, {0.14, 0.5, 1}}, AHPOptions{}); err != nil {
		t.Errorf("two-decimal reciprocals refused: %v", err)
	}
	// Alonso–Lamata's formula covers n = 16.
	if _, err := AHP(consistentMatrix(make16()), AHPOptions{RI: RIAlonsoLamata}); err != nil {
		t.Errorf("n = 16 with Alonso–Lamata: %v", err)
	}
}

func make16() []float64 {
	w := make([]float64, 16)
	for i := range w {
		w[i] = float64(i + 1)
	}
	return w
}

func TestAggregateJudgements(t *testing.T) {
	e1 := [][]float64{{1, 2}, {0.5, 1}}
	e2 := [][]float64{{1, 8}, {0.125, 1}}
	a, err := AggregateJudgements([][][]float64{e1, e2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !near(a[0][1], 4, 1e-14) || !near(a[1][0], 0.25, 1e-14) { // √(2·8) = 4
		t.Errorf("aggregate = %v; want a12 = 4, a21 = 1/4", a)
	}
	a, _ = AggregateJudgements([][][]float64{e1, e2}, []float64{0.75, 0.25})
	if want := math.Pow(2, 0.75) * math.Pow(8, 0.25); !near(a[0][1], want, 1e-14) {
		t.Errorf("weighted a12 = %v; want %v", a[0][1], want)
	}
	bad := [][]float64{{1, 2}, {2, 1}}
	_, err = AggregateJudgements([][][]float64{e1, bad}, nil)
	var ee *ExpertError
	if !errors.As(err, &ee) || ee.Expert != 1 || !errors.Is(err, ErrNonReciprocal) {
		t.Errorf("err = %v; want expert 2 non-reciprocal", err)
	}
}

func TestCombinations(t *testing.T) {
	s := []float64{0.5, 0.3, 0.2}
	o := []float64{0.2, 0.3, 0.5}
	lin, _ := CombineLinear(nil, s, o, 0.25)
	checkVec(t, "linear", lin, []float64{0.275, 0.3, 0.425}, 1e-15)
	mul, _ := CombineMultiplicative(nil, s, o)
	checkVec(t, "multiplicative", mul, []float64{0.1 / 0.29, 0.09 / 0.29, 0.1 / 0.29}, 1e-15)
	// Game theory by hand: [0.38 0.29; 0.29 0.38] α = [0.38 0.38] gives α₁ = α₂,
	// so α* = (½, ½) and w = (0.35, 0.3, 0.35).
	gt, alpha, err := CombineGameTheory(nil, s, o)
	if err != nil {
		t.Fatal(err)
	}
	checkVec(t, "alpha", alpha, []float64{0.5, 0.5}, 1e-14)
	checkVec(t, "game theory", gt, []float64{0.35, 0.3, 0.35}, 1e-14)
	if _, _, err := CombineGameTheory(nil, s, s); !errors.Is(err, ErrSingularCombination) {
		t.Errorf("identical vectors: err = %v; want ErrSingularCombination", err)
	}
	var we *WeightsError
	if _, err := CombineLinear(nil, []float64{0.5, 0.6, 0}, o, 0.5); !errors.As(err, &we) || we.Index != -1 {
		t.Errorf("subjective weights summing to 1.1: err = %v", err)
	}
}

func TestNamedErrors(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		err  error
		want error
		col  int
	}{}
	add := func(name string, want error, col int, f func() error) {
		cases = append(cases, struct {
			name string
			err  error
			want error
			col  int
		}{name, f(), want, col})
	}
	add("critic zero variance", ErrZeroVariance, 1, func() error {
		_, err := CRITIC(nil, [][]float64{{1, 2, 3, 4}, {5, 5, 5, 5}}, CRITICOptions{})
		return err
	})
	add("entropy all missing", ErrAllMissing, 1, func() error {
		_, err := Entropy(nil, [][]float64{{1, 2}, {nan, nan}}, EntropyOptions{})
		return err
	})
	add("entropy negative", ErrNegative, 0, func() error {
		_, err := Entropy(nil, [][]float64{{1, -2}, {1, 2}}, EntropyOptions{})
		return err
	})
	add("cv zero mean", ErrZeroMean, 0, func() error {
		_, err := CV(nil, [][]float64{{-1, 1}, {1, 2}})
		return err
	})
	add("minmax constant", ErrZeroVariance, 0, func() error {
		_, err := Normaliser{}.Apply(nil, []float64{2, 2, nan})
		return err
	})
	add("minmax all missing", ErrAllMissing, 0, func() error {
		_, err := Normaliser{}.Apply(nil, []float64{nan, nan})
		return err
	})
	add("log non-positive", ErrNonPositive, 0, func() error {
		_, err := Normaliser{Log: true}.Apply(nil, []float64{1, 0})
		return err
	})
	add("sum normalisation non-positive", ErrNonPositive, 0, func() error {
		_, err := Normaliser{Method: SumNorm}.Apply(nil, []float64{1, -1})
		return err
	})
	add("geometric zero", ErrNonPositive, 1, func() error {
		_, err := Geometric(nil, [][]float64{{1}, {0}}, nil, AggOptions{})
		return err
	})
	add("coupling outside unit", ErrOutsideUnit, 1, func() error {
		_, _, _, err := Coupling(nil, nil, nil, [][]float64{{0.5}, {1.5}}, nil, CouplingStandard)
		return err
	})
	for _, c := range cases {
		var ce *ColumnError
		if !errors.Is(c.err, c.want) || !errors.As(c.err, &ce) || ce.Column != c.col {
			t.Errorf("%s: err = %v; want ColumnError column %d wrapping %v", c.name, c.err, c.col, c.want)
		}
	}
	// Entropy with every column constant: ErrDegenerate.
	if _, err := Entropy(nil, [][]float64{{1, 1}, {2, 2}}, EntropyOptions{}); !errors.Is(err, ErrDegenerate) {
		t.Errorf("constant entropy: err = %v; want ErrDegenerate", err)
	}
	// Weights that do not sum to 1, and a negative weight.
	var we *WeightsError
	if _, err := Arithmetic(nil, [][]float64{{1}, {2}}, []float64{0.5, 0.6}, AggOptions{}); !errors.As(err, &we) || we.Index != -1 {
		t.Errorf("weights summing to 1.1: err = %v", err)
	}
	if _, err := TOPSIS(nil, [][]float64{{1, 2}, {2, 1}}, []float64{1.5, -0.5}, nil, TOPSISOptions{}); !errors.As(err, &we) || we.Index != 1 {
		t.Errorf("negative weight: err = %v", err)
	}
	if _, err := TOPSIS(nil, [][]float64{{1, 1}, {2, 2}}, nil, nil, TOPSISOptions{}); !errors.Is(err, ErrDegenerate) {
		t.Errorf("all-constant TOPSIS: err = %v; want ErrDegenerate", err)
	}
}

func TestMissingValuesPropagate(t *testing.T) {
	nan := math.NaN()
	x := [][]float64{{1, 2, nan, 4}, {4, 3, 2, 1}}
	c, err := TOPSIS(nil, x, nil, nil, TOPSISOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(c[2]) || math.IsNaN(c[0]) || math.IsNaN(c[3]) {
		t.Errorf("TOPSIS with a missing cell = %v; want NaN only in row 2", c)
	}
	g, _ := GreyRelational(nil, x, nil, nil, GRAOptions{})
	if !math.IsNaN(g[2]) || math.IsNaN(g[1]) {
		t.Errorf("GRA with a missing cell = %v", g)
	}
	s, _ := Arithmetic(nil, x, nil, AggOptions{})
	if !math.IsNaN(s[2]) || s[0] != 2.5 {
		t.Errorf("arithmetic = %v", s)
	}
	// Entropy uses each column's available values: the missing cell is
	// equivalent to dropping that row from column 0 only.
	w1, _ := Entropy(nil, x, EntropyOptions{})
	h := func(v []float64) float64 { // d_j = 1 − e_j by hand
		var s, h float64
		for _, x := range v {
			s += x
		}
		for _, x := range v {
			h -= x / s * math.Log(x/s)
		}
		return 1 - h/math.Log(float64(len(v)))
	}
	d0, d1 := h([]float64{1, 2, 4}), h([]float64{4, 3, 2, 1})
	checkVec(t, "entropy with missing", w1, []float64{d0 / (d0 + d1), d1 / (d0 + d1)}, 1e-14)
}

func TestCouplingByHand(t *testing.T) {
	// Two systems U = (0.4, 0.9): standard C = 2√0.36/1.3 = 12/13, T = 0.65,
	// D = √(12/13 · 0.65) = √0.6.
	// Wang: C = √((1 − 0.5) · 0.4/0.9) = √(2/9).
	u := [][]float64{{0.4, 0, 1}, {0.9, 0, 1}}
	C, T, D, err := Coupling(nil, nil, nil, u, nil, CouplingStandard)
	if err != nil {
		t.Fatal(err)
	}
	checkVec(t, "C", C, []float64{12.0 / 13, 0, 1}, 1e-15)
	checkVec(t, "T", T, []float64{0.65, 0, 1}, 1e-15)
	checkVec(t, "D", D, []float64{math.Sqrt(0.6), 0, 1}, 1e-15)
	C, _, _, _ = Coupling(nil, nil, nil, u, nil, CouplingWang)
	checkVec(t, "wang C", C, []float64{math.Sqrt(2.0 / 9), 0, 1}, 1e-15)
	for d, want := range map[float64]string{0: "极度失调", 0.05: "极度失调", 0.3: "轻度失调", 0.55: "勉强协调", 0.95: "优质协调", 1: "优质协调"} {
		b, ok := CoordinationBandOf(d)
		if !ok || b.Zh != want {
			t.Errorf("band(%v) = %v, %v; want %s", d, b, ok, want)
		}
	}
	if _, ok := CoordinationBandOf(math.NaN()); ok {
		t.Error("band(NaN) ok")
	}
}

func TestGRAConstantColumnAndRho(t *testing.T) {
	// One informative benefit column (0, 0.5, 1 after min-max) and one constant column.
	x := [][]float64{{0, 5, 10}, {3, 3, 3}}
	g, err := GreyRelational(nil, x, []float64{0.5, 0.5}, nil, GRAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Δ = 1, 0.5, 0 in column 0; Δmax = 1: ξ = 0.5/1.5, 0.5/1, 1; column 1 ξ = 1.
	checkVec(t, "grades", g, []float64{0.5*(1.0/3) + 0.5, 0.5*0.5 + 0.5, 1}, 1e-15)
}

func TestWorkersDoNotChangeResults(t *testing.T) {
	x := randMatrix(3, 5000, 9)
	x[4][17] = math.NaN()
	dirs := []Direction{1, -1, 1, 1, -1, 1, 1, -1, 1}
	var e0, c0 []float64
	for _, workers := range []int{1, 2, 3, 8} {
		e, err := Entropy(nil, x, EntropyOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		c, err := TOPSIS(nil, x, nil, dirs, TOPSISOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if e0 == nil {
			e0, c0 = e, c
			continue
		}
		if !slices.Equal(e, e0) {
			t.Errorf("entropy with %d workers differs", workers)
		}
		for i := range c {
			if c[i] != c0[i] && !(math.IsNaN(c[i]) && math.IsNaN(c0[i])) {
				t.Fatalf("TOPSIS with %d workers differs at row %d", workers, i)
			}
		}
	}
}

func TestSmallHelpers(t *testing.T) {
	// Two-point distribution with p = 1/4: skewness (1−2p)/√(p(1−p)) = 2/√3.
	if got := Skewness([]float64{1, 1, 1, 10, math.NaN()}); !near(got, 2/math.Sqrt(3), 1e-14) {
		t.Errorf("Skewness = %v; want 2/√3", got)
	}
	// SD weights: sd(1,3) = √2, sd(0,4) = 2√2.
	w, err := SD(nil, [][]float64{{1, 3}, {0, 4}})
	if err != nil {
		t.Fatal(err)
	}
	checkVec(t, "sd", w, []float64{1.0 / 3, 2.0 / 3}, 1e-15)
	if w, err := Fixed(nil, []float64{2, 6}, true); err != nil || !slices.Equal(w, []float64{0.25, 0.75}) {
		t.Errorf("Fixed rescale = %v, %v", w, err)
	}
	var we *WeightsError
	if _, err := Fixed(nil, []float64{0.2, 0.6}, false); !errors.As(err, &we) {
		t.Errorf("Fixed without rescale accepted Σ = 0.8: %v", err)
	}
	rows := GroupRows([]int32{1, 0, 1, 1}, 3)
	if len(rows[2]) != 0 || !slices.Equal(rows[0], []int{1}) || !slices.Equal(rows[1], []int{0, 2, 3}) {
		t.Errorf("GroupRows = %v", rows)
	}
	g := Gather(nil, [][]float64{{10, 11, 12, 13}, {20, 21, 22, 23}}, rows[1])
	if !slices.Equal(g[0], []float64{10, 12, 13}) || !slices.Equal(g[1], []float64{20, 22, 23}) {
		t.Errorf("Gather = %v", g)
	}
}

func TestEntropyZerosAndShift(t *testing.T) {
	// Column 0 = (0, 1, 1): p = (0, ½, ½), 0·ln 0 = 0, e = ln 2/ln 3.
	// Column 1 = (1, 2, 3): p = (1, 2, 3)/6.
	h1 := -(math.Log(1.0/6)/6 + 2*math.Log(2.0/6)/6 + 3*math.Log(3.0/6)/6)
	d0, d1 := 1-math.Log(2)/math.Log(3), 1-h1/math.Log(3)
	w, err := Entropy(nil, [][]float64{{0, 1, 1}, {1, 2, 3}}, EntropyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkVec(t, "0·ln0", w, []float64{d0 / (d0 + d1), d1 / (d0 + d1)}, 1e-14)
	// A shift of 1 turns (−1, 0, 0) into (0, 1, 1): same weights.
	w, err = Entropy(nil, [][]float64{{-1, 0, 0}, {0, 1, 2}}, EntropyOptions{Shift: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkVec(t, "shift", w, []float64{d0 / (d0 + d1), d1 / (d0 + d1)}, 1e-14)
}

func TestTOPSISNormalisationMatters(t *testing.T) {
	// The README of the oracles: vector and min-max normalisation give
	// different closeness on the Opricovic & Tzeng (2004) data.
	x := [][]float64{{1, 2, 5}, {3000, 3750, 4500}}
	dirs := []Direction{Cost, Benefit}
	mm, _ := TOPSIS(nil, x, nil, dirs, TOPSISOptions{Norm: TOPSISMinMax})
	vec, _ := TOPSIS(nil, x, nil, dirs, TOPSISOptions{})
	checkVec(t, "minmax", mm, []float64{0.5, 0.617, 0.5}, 5e-4)
	if near(vec[0], mm[0], 1e-3) && near(vec[2], mm[2], 1e-3) {
		t.Errorf("vector TOPSIS %v equals min-max %v", vec, mm)
	}
}

func TestCouplingWeightedT(t *testing.T) {
	u := [][]float64{{0.2}, {0.6}, {0.8}}
	_, T, D, err := Coupling(nil, nil, nil, u, []float64{0.5, 0.3, 0.2}, CouplingStandard)
	if err != nil {
		t.Fatal(err)
	}
	C := math.Cbrt(0.2*0.6*0.8) / (1.6 / 3)
	checkVec(t, "T", T, []float64{0.5*0.2 + 0.3*0.6 + 0.2*0.8}, 1e-15)
	checkVec(t, "D", D, []float64{math.Sqrt(C * T[0])}, 1e-15)
}
