package composite

import (
	"errors"
	"fmt"
	"math"
)

// RITable selects the random consistency index RI(n) used by [AHP] for
// CR = CI / RI(n). Published tables differ in the second decimal, and a
// consistency ratio is only comparable with others computed on the same
// table; AHPResult records which was used.
type RITable int

const (
	// RISaaty: Saaty's table as used by pyDecision (ahp.py inc_rat), n = 3…15:
	// 0.58 0.90 1.12 1.24 1.32 1.41 1.45 1.49 1.51 1.48 1.56 1.57 1.59
	// (Saaty 1980, The Analytic Hierarchy Process, extended). The default.
	RISaaty RITable = iota
	// RITummalaLing: Tummala & Ling (1998), as in pymcdm (RI_M), n = 3…15.
	RITummalaLing
	// RIAguaronMorenoJimenez: Aguarón & Moreno-Jiménez (2003), EJOR 147:137–145,
	// as in R MCDA (pairwiseConsistencyMeasures RV), n = 3…16.
	RIAguaronMorenoJimenez
	// RIAlonsoLamata: Alonso & Lamata (2006), as in R ahp (RI()), n = 3…15,
	// and (1.7699n − 4.3513)/(n − 1) for n ≥ 16.
	RIAlonsoLamata
)

var riTables = [...]struct {
	name string
	v    []float64 // RI(3), RI(4), …
}{
	{"saaty", []float64{0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59}},
	{"tummala-ling", []float64{0.5799, 0.8921, 1.1159, 1.2358, 1.3322, 1.3952, 1.4537, 1.4882, 1.5117, 1.5356, 1.5571, 1.5714, 1.5831}},
	{"aguaron-moreno-jimenez", []float64{0.525, 0.882, 1.115, 1.252, 1.341, 1.404, 1.452, 1.484, 1.513, 1.535, 1.555, 1.570, 1.583, 1.595}},
	{"alonso-lamata", []float64{0.5247, 0.8816, 1.1086, 1.2479, 1.3417, 1.4057, 1.4499, 1.4854, 1.5140, 1.5365, 1.5551, 1.5713, 1.5838}},
}

// String returns the table's short name, e.g. "saaty".
func (t RITable) String() string {
	if t >= 0 && int(t) < len(riTables) {
		return riTables[t].name
	}
	return fmt.Sprintf("RITable(%d)", int(t))
}

// RI returns the random index for an n × n matrix: 0 for n ≤ 2 (every such
// reciprocal matrix is consistent), and ok = false when the table does not
// cover n.
func (t RITable) RI(n int) (ri float64, ok bool) {
	if t < 0 || int(t) >= len(riTables) {
		panic(fmt.Sprintf("composite: unknown RI table %d", int(t)))
	}
	if n <= 2 {
		return 0, n >= 1
	}
	v := riTables[t].v
	if n-3 < len(v) {
		return v[n-3], true
	}
	if t == RIAlonsoLamata {
		return (1.7699*float64(n) - 4.3513) / float64(n-1), true
	}
	return 0, false
}

// AHPMethod selects how [AHP] derives the priority vector.
type AHPMethod int

const (
	// AHPEigen: the principal right eigenvector (Saaty 1977), by power
	// iteration (the matrix is positive, so Perron–Frobenius guarantees a
	// unique positive eigenvector and convergence); λ_max = Σ_i (Aw)_i with
	// Σ w = 1. The default.
	AHPEigen AHPMethod = iota
	// AHPGeometricMean: w_i ∝ (Π_j a_ij)^{1/n} (the row geometric mean,
	// Crawford & Williams 1985); λ_max = (1/n) Σ_i (Aw)_i / w_i.
	AHPGeometricMean
)

// AHPOptions configures [AHP]. The zero value uses the eigenvector, Saaty's
// table, refuses CR > 0.10 and accepts reciprocals within 3%.
type AHPOptions struct {
	Method AHPMethod
	RI     RITable
	// MaxCR is the largest acceptable consistency ratio; 0 means 0.10
	// (Saaty's rule), a negative value disables the check.
	MaxCR float64
	// ReciprocalTol bounds |a_ij·a_ji − 1|; 0 means 0.03, enough for
	// judgements rounded to two decimals (0.14 for 1/7 gives 0.98).
	ReciprocalTol float64
}

// AHPResult is the outcome of [AHP].
type AHPResult struct {
	Weights   []float64 // priority vector, Σ = 1
	LambdaMax float64   // principal eigenvalue (or its estimate)
	CI        float64   // (λ_max − n)/(n − 1); 0 for n ≤ 2
	RI        float64   // random index used
	CR        float64   // CI / RI; 0 for n ≤ 2
	Table     RITable   // table RI was taken from
	Method    AHPMethod
}

// PairwiseError reports an invalid pairwise comparison matrix: not square,
// a non-positive or non-finite judgement, a diagonal entry other than 1, or
// a_ij·a_ji ≠ 1. I and J are 0-based (−1 when the shape is wrong).
type PairwiseError struct {
	I, J     int
	Aij, Aji float64
	Err      error
}

// Causes carried by [PairwiseError].
var (
	ErrNotSquare     = errors.New("pairwise matrix is not square")
	ErrJudgement     = errors.New("judgement must be a positive finite number")
	ErrDiagonal      = errors.New("diagonal judgement must be 1")
	ErrNonReciprocal = errors.New("judgements are not reciprocal (a_ij·a_ji ≠ 1)")
	ErrNoRI          = errors.New("random index table does not cover this matrix size")
)

func (e *PairwiseError) Error() string {
	if e.I < 0 {
		return "composite: ahp: " + e.Err.Error()
	}
	return fmt.Sprintf("composite: ahp: a[%d][%d] = %v, a[%d][%d] = %v: %v", e.I+1, e.J+1, e.Aij, e.J+1, e.I+1, e.Aji, e.Err)
}

func (e *PairwiseError) Unwrap() error { return e.Err }

// InconsistentError is returned by [AHP] when CR exceeds MaxCR. Result
// holds the full computation. I, J (0-based, I < J) is the worst pair: the
// judgement a_IJ farthest from the ratio w_I/w_J implied by the derived
// weights on a log scale, max_{i<j} |ln a_ij − ln(w_i/w_j)|, i.e. the
// judgement whose revision towards Implied most improves consistency in
// the usual first-order sense (Saaty 2003, EJOR 145:85–91, uses the same
// ε_ij = a_ij w_j/w_i).
type InconsistentError struct {
	Result  AHPResult
	MaxCR   float64
	I, J    int
	Aij     float64 // the judgement given
	Implied float64 // w_I / w_J
}

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("composite: ahp: consistency ratio %.4f exceeds %.2f (RI table %s); worst judgement a[%d][%d] = %.4g, the weights imply %.4g",
		e.Result.CR, e.MaxCR, e.Result.Table, e.I+1, e.J+1, e.Aij, e.Implied)
}

// AHP derives priorities from the pairwise comparison matrix a, given by
// rows: a[i][j] is how much more important criterion i is than j (Saaty
// scale 1/9…9). It validates a (square, positive, unit diagonal,
// reciprocal within ReciprocalTol) and returns a [*PairwiseError]
// otherwise; it computes the weights, λ_max, CI = (λ_max − n)/(n − 1) and
// CR = CI/RI(n) with the selected table, and returns an
// [*InconsistentError] (carrying the result and the worst pair) when CR
// exceeds MaxCR. On success the error is nil.
func AHP(a [][]float64, opt AHPOptions) (AHPResult, error) {
	n := len(a)
	res := AHPResult{Table: opt.RI, Method: opt.Method}
	if err := validatePairwise(a, opt.ReciprocalTol); err != nil {
		return res, err
	}
	ri, ok := opt.RI.RI(n)
	if !ok {
		return res, &PairwiseError{I: -1, J: -1, Err: fmt.Errorf("%w: n = %d, table %s", ErrNoRI, n, opt.RI)}
	}
	res.RI = ri
	w := rowGeoMean(a)
	aw := make([]float64, n)
	switch opt.Method {
	case AHPEigen:
		res.LambdaMax = powerIterate(a, w, aw)
	case AHPGeometricMean:
		mulVec(aw, a, w)
		for i := range n {
			res.LambdaMax += aw[i] / w[i]
		}
		res.LambdaMax /= float64(n)
	default:
		panic(fmt.Sprintf("composite: unknown AHP method %d", int(opt.Method)))
	}
	res.Weights = w
	if n > 2 {
		res.CI = (res.LambdaMax - float64(n)) / float64(n-1)
		res.CR = res.CI / ri
	}
	maxCR := opt.MaxCR
	if maxCR == 0 {
		maxCR = 0.10
	}
	if maxCR > 0 && res.CR > maxCR {
		e := &InconsistentError{Result: res, MaxCR: maxCR, I: -1}
		worst := -1.0
		for i := range n {
			for j := i + 1; j < n; j++ {
				if d := math.Abs(math.Log(a[i][j]) - math.Log(w[i]/w[j])); d > worst {
					worst, e.I, e.J, e.Aij, e.Implied = d, i, j, a[i][j], w[i]/w[j]
				}
			}
		}
		return res, e
	}
	return res, nil
}

// validatePairwise checks that a is square, positive and finite, has a unit
// diagonal and is reciprocal within tol (0 means 0.03).
func validatePairwise(a [][]float64, tol float64) error {
	n := len(a)
	if n == 0 {
		return &PairwiseError{I: -1, J: -1, Err: ErrNotSquare}
	}
	if tol == 0 {
		tol = 0.03
	}
	for i, row := range a {
		if len(row) != n {
			return &PairwiseError{I: -1, J: -1, Err: ErrNotSquare}
		}
		for j, v := range row {
			if !(v > 0) || math.IsInf(v, 0) {
				return &PairwiseError{I: i, J: j, Aij: v, Aji: math.NaN(), Err: ErrJudgement}
			}
		}
	}
	for i := range n {
		if a[i][i] != 1 {
			return &PairwiseError{I: i, J: i, Aij: a[i][i], Aji: a[i][i], Err: ErrDiagonal}
		}
		for j := i + 1; j < n; j++ {
			if math.Abs(a[i][j]*a[j][i]-1) > tol {
				return &PairwiseError{I: i, J: j, Aij: a[i][j], Aji: a[j][i], Err: ErrNonReciprocal}
			}
		}
	}
	return nil
}

// rowGeoMean returns w_i ∝ (Π_j a_ij)^{1/n}, normalised to sum 1.
func rowGeoMean(a [][]float64) []float64 {
	n := len(a)
	w := make([]float64, n)
	var s float64
	for i, row := range a {
		var l float64
		for _, v := range row {
			l += math.Log(v)
		}
		w[i] = math.Exp(l / float64(n))
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

func mulVec(dst []float64, a [][]float64, w []float64) {
	for i, row := range a {
		dst[i] = dot(row, w)
	}
}

// powerIterate replaces w (positive, Σ = 1) by the principal eigenvector of
// a, normalised to Σ = 1, and returns the eigenvalue. aw is scratch.
func powerIterate(a [][]float64, w, aw []float64) float64 {
	var lambda float64
	for it := 0; it < 100000; it++ {
		mulVec(aw, a, w)
		lambda = 0
		for _, v := range aw {
			lambda += v
		}
		var diff float64
		for i, v := range aw {
			v /= lambda
			diff = max(diff, math.Abs(v-w[i]))
			w[i] = v
		}
		if diff < 1e-15 {
			break
		}
	}
	return lambda
}

// AggregateJudgements combines several experts' pairwise matrices into one
// by the element-wise weighted geometric mean (aggregation of individual
// judgements, Aczél & Saaty 1983; Forman & Peniwati 1998, EJOR
// 108:165–169), which keeps the result reciprocal:
//
//	a_ij = Π_k (a_ij^(k))^{λ_k},   Σ λ_k = 1.
//
// expertWeights nil means equal weights; otherwise it is checked with
// [CheckWeights]. Every matrix is validated as in [AHP] (without the
// consistency check); the first invalid one is returned in an
// [*ExpertError].
func AggregateJudgements(mats [][][]float64, expertWeights []float64) ([][]float64, error) {
	if len(mats) == 0 {
		return nil, &PairwiseError{I: -1, J: -1, Err: ErrNotSquare}
	}
	lw := expertWeights
	if lw == nil {
		lw = Equal(nil, len(mats))
	} else {
		checkLen("expertWeights", len(lw), len(mats))
		if err := CheckWeights(lw); err != nil {
			return nil, err
		}
	}
	n := len(mats[0])
	for k, m := range mats {
		if len(m) != n {
			return nil, &ExpertError{Expert: k, Err: &PairwiseError{I: -1, J: -1, Err: ErrNotSquare}}
		}
		if err := validatePairwise(m, 0); err != nil {
			return nil, &ExpertError{Expert: k, Err: err}
		}
	}
	out := make([][]float64, n)
	for i := range n {
		out[i] = make([]float64, n)
		for j := range n {
			var l float64
			for k, m := range mats {
				l += lw[k] * math.Log(m[i][j])
			}
			out[i][j] = math.Exp(l)
		}
		out[i][i] = 1
	}
	return out, nil
}

// ExpertError wraps an error in one expert's matrix (0-based).
type ExpertError struct {
	Expert int
	Err    error
}

func (e *ExpertError) Error() string { return fmt.Sprintf("expert %d: %v", e.Expert+1, e.Err) }
func (e *ExpertError) Unwrap() error { return e.Err }
