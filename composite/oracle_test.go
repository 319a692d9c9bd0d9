package composite

// Every case of testdata/oracles/*.json (copied from ../shared/oracles, the
// published numbers with their sources) is reproduced here under the option
// that matches the source's convention. Each JSON case carries
// source_paper and found_in (repository, commit, path, test); the tests
// below name them again next to the comparison.

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

type foundIn struct {
	Repo, Commit, Path, Test string
}

type oracleCase struct {
	ID          string          `json:"id"`
	Kind        string          `json:"kind"`
	Norm        string          `json:"norm"`
	SourcePaper string          `json:"source_paper"`
	FoundIn     json.RawMessage `json:"found_in"`
	Matrix      [][]float64     `json:"matrix"`
	Weights     json.RawMessage `json:"weights"`
	Types       []int           `json:"types"`
	Decimals    int             `json:"decimals"`
	Atol        float64         `json:"atol"`

	Expected           json.RawMessage `json:"expected"`
	ExpectedRowMajor   []float64       `json:"expected_rowmajor"`
	ExpectedWeights    []float64       `json:"expected_weights"`
	ExpectedPriorities []float64       `json:"expected_priorities"`
	ExpectedCloseness  []float64       `json:"expected_closeness"`
	ExpectedGrades     []float64       `json:"expected_grades"`
	ExpectedCR         float64         `json:"expected_CR"`
	RandomIndexUsed    float64         `json:"random_index_used"`
	Zeta               float64         `json:"zeta"`
	U                  [][]float64     `json:"U"`
	Cases              []subCase       `json:"cases"`
	Method             string          `json:"method"`
}

type subCase struct {
	F         string    `json:"f"`
	X         []float64 `json:"x"`
	W         []float64 `json:"w"`
	P         *float64  `json:"p"`
	Targ      float64   `json:"targ"`
	Direction int       `json:"direction"`
	CapMax    bool      `json:"cap_max"`
	Gposts    []float64 `json:"gposts"`
	Expected  any       `json:"expected"`
}

type oracleFile struct {
	Cases []oracleCase `json:"cases"`
}

func loadOracle(t *testing.T, name string) []oracleCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "oracles", name))
	if err != nil {
		t.Fatal(err)
	}
	var f oracleFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return f.Cases
}

// columns turns a row-major matrix (rows = alternatives) into columns.
func columns(m [][]float64) [][]float64 {
	if len(m) == 0 {
		return nil
	}
	x := make([][]float64, len(m[0]))
	for j := range x {
		x[j] = make([]float64, len(m))
		for i := range m {
			x[j][i] = m[i][j]
		}
	}
	return x
}

func dirsOf(types []int) []Direction {
	d := make([]Direction, len(types))
	for j, t := range types {
		d[j] = Direction(t)
	}
	return d
}

// tolDecimals is the rounding tolerance of a number printed with dec
// decimals: half a unit in the last place (plus float slack).
func tolDecimals(dec int) float64 { return 0.5*math.Pow(10, -float64(dec)) + 1e-12 }

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func checkVec(t *testing.T, label string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", label, len(got), len(want))
	}
	for i := range want {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.10g; want %.10g (tol %.1g)", label, i, got[i], want[i], tol)
		}
	}
}

func floats(t *testing.T, raw json.RawMessage) []float64 {
	t.Helper()
	var v []float64
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("weights: %v", err)
	}
	return v
}

// Entropy: oracles use raw values, no direction (README); EntropyOptions{}
// is that convention.
func TestOracleEntropy(t *testing.T) {
	for _, c := range loadOracle(t, "entropy_weights.json") {
		t.Run(c.ID, func(t *testing.T) {
			// elsayed_2017: Elsayed, Dawood & Karthikeyan (2017) IJETT 46(2):60-66,
			//   found in kotbaton/pymcdm@76e7735 test/test_weights.py TestEntropyWeights, 6 decimals.
			// xu_2004: Xu (2004) EJOR 156(2):530-532,
			//   found in energyinpython/pyrepo-mcda@b3ac297 tests/test_weighting_methods.py Test_Entropy, 4 decimals.
			w, err := Entropy(nil, columns(c.Matrix), EntropyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, "w", w, c.ExpectedWeights, tolDecimals(c.Decimals))
			t.Logf("source %s; found in %s", c.SourcePaper, c.FoundIn)
		})
	}
}

// CRITIC: Tuş & Adalı's numbers treat all columns as benefit, which is
// CRITICOptions{FlipCost: false} (the default).
func TestOracleCRITIC(t *testing.T) {
	for _, c := range loadOracle(t, "critic_weights.json") {
		t.Run(c.ID, func(t *testing.T) {
			// Tuş & Aytaç Adalı (2019) Opsearch 56(2):528-538; found in kotbaton/pymcdm@76e7735
			// test/test_weights.py TestCRITICWeights and pyrepo-mcda@b3ac297 Test_CRITIC; 3 decimals.
			x := columns(c.Matrix)
			w, err := CRITIC(nil, x, CRITICOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, "w", w, c.ExpectedWeights, tolDecimals(c.Decimals))
			// The declared types [-1,1,1,1,1,1] with FlipCost give other weights.
			dirs := []Direction{Cost, Benefit, Benefit, Benefit, Benefit, Benefit}
			wf, err := CRITIC(nil, x, CRITICOptions{Directions: dirs, FlipCost: true})
			if err != nil {
				t.Fatal(err)
			}
			if near(wf[0], w[0], 1e-3) {
				t.Errorf("flipping the cost column left w[0] = %v unchanged", wf[0])
			}
		})
	}
}

// Coefficient of variation: pyrepo-mcda's sample sd on sum-normalised
// columns; the ratio is the same on raw columns.
func TestOracleCV(t *testing.T) {
	for _, c := range loadOracle(t, "variation_weights.json") {
		t.Run(c.ID, func(t *testing.T) {
			// Shuai et al. (2012) 24th CCDC 3889-3892; found in pyrepo-mcda@b3ac297
			// tests/test_weighting_methods.py Test_Coeff_var; 4 decimals.
			w, err := CV(nil, columns(c.Matrix))
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, "w", w, c.ExpectedWeights, tolDecimals(c.Decimals))
		})
	}
}

func TestOracleAHP(t *testing.T) {
	for _, c := range loadOracle(t, "ahp.json") {
		t.Run(c.ID, func(t *testing.T) {
			switch c.Kind {
			case "priority_vector":
				// Wang & Chin (2011) Information Sciences 181(23):5240-5248; found in
				// kotbaton/pymcdm@76e7735 test/test_weights.py TestAHPWeights; 4 decimals.
				// The matrix is inconsistent (CR > 0.10): the priorities come back with the error.
				res, err := AHP(c.Matrix, AHPOptions{MaxCR: -1})
				if err != nil {
					t.Fatal(err)
				}
				checkVec(t, "w", res.Weights, c.ExpectedPriorities, tolDecimals(c.Decimals))
			case "consistency_ratio":
				// cran/MCDA@16d8703 tests/testthat/test-pairwiseConsistencyMeasures.R: CR 0.164
				// (3 decimals) with RI(4) = 0.882 of Aguarón & Moreno-Jiménez (2003).
				res, err := AHP(c.Matrix, AHPOptions{RI: RIAguaronMorenoJimenez})
				var inc *InconsistentError
				if !errors.As(err, &inc) {
					t.Fatalf("err = %v; want *InconsistentError (CR 0.164 > 0.10)", err)
				}
				if res.RI != c.RandomIndexUsed {
					t.Errorf("RI = %v; want %v", res.RI, c.RandomIndexUsed)
				}
				if !near(res.CR, c.ExpectedCR, tolDecimals(c.Decimals)) {
					t.Errorf("CR = %.6f; want %v", res.CR, c.ExpectedCR)
				}
				// The same CI under Saaty's RI(4) = 0.90 gives a smaller CR.
				sa, _ := AHP(c.Matrix, AHPOptions{MaxCR: -1})
				if !(sa.CR < res.CR) || !near(sa.CI, res.CI, 1e-15) {
					t.Errorf("Saaty CR = %v, CI = %v; want CR < %v and CI %v", sa.CR, sa.CI, res.CR, res.CI)
				}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
	}
}

func TestOracleRITables(t *testing.T) {
	// The four tables of testdata/oracles/ahp.json, entry by entry.
	b, err := os.ReadFile("testdata/oracles/ahp.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Tables map[string]map[string]any `json:"random_index_tables"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for name, table := range map[string]RITable{
		"saaty_as_in_pyDecision":                   RISaaty,
		"tummala_ling_1998_as_in_pymcdm":           RITummalaLing,
		"aguaron_moreno_jimenez_2003_as_in_MCDA_R": RIAguaronMorenoJimenez,
		"alonso_lamata_2006_as_in_gluc_ahp":        RIAlonsoLamata,
	} {
		tab := f.Tables[name]
		if tab == nil {
			t.Fatalf("table %s missing", name)
		}
		for key, vals := range tab {
			if key == "source" {
				continue
			}
			for k, v := range vals.([]any) {
				n := 3 + k
				got, ok := table.RI(n)
				if !ok || got != v.(float64) {
					t.Errorf("%s RI(%d) = %v, %v; want %v", table, n, got, ok, v)
				}
			}
		}
	}
}

func TestOracleTOPSIS(t *testing.T) {
	for _, c := range loadOracle(t, "topsis.json") {
		t.Run(c.ID, func(t *testing.T) {
			// Opricovic & Tzeng (2004) EJOR 156(2):445-455; found in kotbaton/pymcdm@76e7735
			// test/test_mcdm.py TestTOPSIS.test_output; 3 decimals; pymcdm's min-max normalisation.
			if c.Norm != "" && c.Norm != "minmax" {
				t.Fatalf("unexpected normalisation %q", c.Norm)
			}
			got, err := TOPSIS(nil, columns(c.Matrix), floats(t, c.Weights), dirsOf(c.Types), TOPSISOptions{Norm: TOPSISMinMax})
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, "closeness", got, c.ExpectedCloseness, tolDecimals(c.Decimals))
		})
	}
}

func TestOracleGRA(t *testing.T) {
	for _, c := range loadOracle(t, "grey_relational.json") {
		t.Run(c.ID, func(t *testing.T) {
			// Yıldırım & Önder (2015) (Dora, ISBN 978-605-9929-44-8); found in jbytecode/JMcDM@87bbb34
			// test/mcdm/testgra.jl; atol 1e-4; ζ = 0.5, direction-aware best, global Δmin/Δmax.
			got, err := GreyRelational(nil, columns(c.Matrix), floats(t, c.Weights), dirsOf(c.Types), GRAOptions{Rho: c.Zeta})
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, "grade", got, c.ExpectedGrades, c.Atol)
		})
	}
}

func TestOracleCoupling(t *testing.T) {
	for _, c := range loadOracle(t, "coupling_coordination.json") {
		t.Run(c.ID, func(t *testing.T) {
			// stscl/coupling@7d16cd9 vignettes/ccd.Rmd printed output (7 decimals), atol 2e-6;
			// equal weights; Wang et al. (2021) J. Natural Resources 36(3):793-810 for "wang".
			var exp map[string]struct{ C, D []float64 }
			if err := json.Unmarshal(c.Expected, &exp); err != nil {
				t.Fatal(err)
			}
			u := columns(c.U)
			for name, form := range map[string]CouplingForm{"standard": CouplingStandard, "wang": CouplingWang, "fan": CouplingFan} {
				e, ok := exp[name]
				if !ok {
					t.Fatalf("no %s case", name)
				}
				C, _, D, err := Coupling(nil, nil, nil, u, nil, form)
				if err != nil {
					t.Fatal(err)
				}
				checkVec(t, name+" C", C, e.C, c.Atol)
				checkVec(t, name+" D", D, e.D, c.Atol)
			}
		})
	}
}

// Normalisations: pymcdm's five (with its conventions: cost vector and max
// forms as 1 − x/‖x‖, 1 − x/max) and COINr's n_dist2targ and n_goalposts.
func TestOracleNormalisation(t *testing.T) {
	methods := map[string]NormMethod{"minmax": MinMax, "max": MaxNorm, "sum": SumNorm, "vector": Vector, "linear": Linear}
	for _, c := range loadOracle(t, "normalization.json") {
		t.Run(c.ID, func(t *testing.T) {
			switch c.Kind {
			case "pymcdm":
				// kotbaton/pymcdm@76e7735 test/test_normalizations.py (TestMinmax/Max/Sum/Vector/
				// LinearNormalization); 8 decimals. pymcdm writes 1 for a constant minmax column.
				m, ok := methods[c.Norm]
				if !ok {
					t.Fatalf("unknown norm %q", c.Norm)
				}
				x := columns(c.Matrix)
				got := make([]float64, 0, len(c.ExpectedRowMajor))
				out := make([][]float64, len(x))
				for j, col := range x {
					var err error
					out[j], err = Normaliser{Method: m, Direction: Direction(c.Types[j]), OnConstant: ConstantFill, Fill: 1}.Apply(nil, col)
					if err != nil {
						t.Fatal(err)
					}
				}
				for i := range c.Matrix {
					for j := range x {
						got = append(got, out[j][i])
					}
				}
				checkVec(t, c.Norm, got, c.ExpectedRowMajor, tolDecimals(c.Decimals))
			case "coinr":
				// bluefoxr/COINr@b968203 tests/testthat/test-normalise.R (dist2targ, n_funcs).
				for k, s := range c.Cases {
					want := anyFloats(t, s.Expected)
					var n Normaliser
					switch s.F {
					case "n_dist2targ":
						n = Normaliser{Method: DistanceToTarget, Target: s.Targ, Direction: Direction(s.Direction), Cap: s.CapMax}
					case "n_goalposts":
						n = Normaliser{Method: Goalposts, Lo: s.Gposts[0], Hi: s.Gposts[1], Scale: s.Gposts[2], Direction: Direction(s.Direction)}
					default:
						t.Fatalf("unknown f %q", s.F)
					}
					got, err := n.Apply(nil, s.X)
					if err != nil {
						t.Fatalf("case %d: %v", k, err)
					}
					checkVec(t, s.F, got, want, 1e-12)
				}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
	}
}

func anyFloats(t *testing.T, v any) []float64 {
	t.Helper()
	switch v := v.(type) {
	case []any:
		out := make([]float64, len(v))
		for i, e := range v {
			out[i] = e.(float64)
		}
		return out
	case float64:
		return []float64{v}
	}
	t.Fatalf("unexpected expected value %T", v)
	return nil
}

// Aggregation: pymcdm WSM/WPM on pymcdm's sum normalisation with raw
// (unnormalised) weights, and COINr's closed-form means.
func TestOracleAggregation(t *testing.T) {
	for _, c := range loadOracle(t, "aggregation.json") {
		t.Run(c.ID, func(t *testing.T) {
			switch c.Kind {
			case "wsm", "wpm":
				// kotbaton/pymcdm@76e7735 test/test_mcdm.py TestWSM / TestWPM ("self-reference"); 3 decimals.
				x := columns(c.Matrix)
				for j := range x {
					if _, err := (Normaliser{Method: SumNorm, Direction: Direction(c.Types[j])}).Apply(x[j], x[j]); err != nil {
						t.Fatal(err)
					}
				}
				w := floats(t, c.Weights)
				agg := Arithmetic
				if c.Kind == "wpm" {
					agg = Geometric
				}
				if _, err := agg(nil, x, w, AggOptions{}); err == nil {
					t.Errorf("weights summing to 2 accepted under WeightsMustSumToOne")
				}
				got, err := agg(nil, x, w, AggOptions{Weights: WeightsRaw})
				if err != nil {
					t.Fatal(err)
				}
				checkVec(t, c.Kind, got, anyFloats(t, mustAny(t, c.Expected)), tolDecimals(c.Decimals))
			case "closed_form":
				// bluefoxr/COINr@b968203 tests/testthat/test-aggregate.R agg_functions; COINr
				// rescales weights (WeightsRescale).
				for _, s := range c.Cases {
					x := make([][]float64, len(s.X))
					for j, v := range s.X {
						x[j] = []float64{v}
					}
					opt := AggOptions{Weights: WeightsRescale}
					var got []float64
					var err error
					switch s.F {
					case "a_gmean":
						got, err = Geometric(nil, x, s.W, opt)
					case "a_hmean":
						got, err = Harmonic(nil, x, s.W, opt)
					case "a_genmean":
						got, err = GeneralisedMean(nil, x, s.W, *s.P, opt)
					default:
						t.Fatalf("unknown f %q", s.F)
					}
					if err != nil {
						t.Fatal(err)
					}
					checkVec(t, s.F, got, anyFloats(t, s.Expected), 1e-12)
				}
				// errors_expected: a_gmean(c(1,2,-1)) and a_gmean(c(1,2,0)) fail.
				for _, bad := range []float64{-1, 0} {
					_, err := Geometric(nil, [][]float64{{1}, {2}, {bad}}, nil, AggOptions{})
					if !errors.Is(err, ErrNonPositive) {
						t.Errorf("gmean with %v: err = %v; want ErrNonPositive", bad, err)
					}
				}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
		})
	}
}

func mustAny(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
