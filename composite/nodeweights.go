package composite

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// WeightMethod selects how the index weights the children of a node.
type WeightMethod int

const (
	WeightEntropy  WeightMethod = iota // [Entropy], the seed's 熵权法; the default
	WeightCRITIC                       // [CRITIC]
	WeightCV                           // [CV], coefficient of variation
	WeightSD                           // [SD], standard deviation
	WeightPCA                          // [PCA], component-score coefficients
	WeightEqual                        // [Equal]
	WeightExpert                       // the framework's expert weights ([Node.Weight])
	WeightAHP                          // [AHP] from pairwise matrices per node, experts by [AggregateJudgements]
	WeightCombined                     // subjective (AHP, else expert) with objective (entropy) by [IndexOptions.Combine]
)

var weightNames = [...]string{"entropy", "critic", "cv", "sd", "pca", "equal", "expert", "ahp", "combined"}

func (m WeightMethod) String() string {
	if m >= 0 && int(m) < len(weightNames) {
		return weightNames[m]
	}
	return fmt.Sprintf("weights(%d)", int(m))
}

// ParseWeightMethod reads a method name as String writes it.
func ParseWeightMethod(s string) (WeightMethod, error) {
	for i, n := range weightNames {
		if strings.EqualFold(s, n) {
			return WeightMethod(i), nil
		}
	}
	switch strings.ToLower(s) {
	case "", "ewm":
		return WeightEntropy, nil
	case "fixed":
		return WeightExpert, nil
	}
	return 0, fmt.Errorf("unknown weighting method %q (want %s)", s, strings.Join(weightNames[:], ", "))
}

// Combination selects how [WeightCombined] joins subjective and objective
// weights.
type Combination int

const (
	CombineLinearRule         Combination = iota // α·subjective + (1−α)·objective ([CombineLinear]); the default
	CombineMultiplicativeRule                    // [CombineMultiplicative]
	CombineGameRule                              // [CombineGameTheory]
)

var combineNames = [...]string{"linear", "multiplicative", "game"}

func (c Combination) String() string {
	if c >= 0 && int(c) < len(combineNames) {
		return combineNames[c]
	}
	return fmt.Sprintf("combination(%d)", int(c))
}

// ParseCombination reads linear, multiplicative or game.
func ParseCombination(s string) (Combination, error) {
	for i, n := range combineNames {
		if strings.EqualFold(s, n) {
			return Combination(i), nil
		}
	}
	if s == "" {
		return CombineLinearRule, nil
	}
	return 0, fmt.Errorf("unknown weight combination %q (want linear, multiplicative or game)", s)
}

// NodeWeights are the weights of one node's children.
type NodeWeights struct {
	Node     string    `json:"node"`
	Method   string    `json:"method"` // e.g. "entropy", "ahp (3 experts)", "combined linear α=0.5 (ahp, entropy)"
	Children []string  `json:"children"`
	Weights  []float64 `json:"weights"` // Σ = 1
	// CR is the AHP consistency ratio of the (aggregated) matrix, NaN
	// when AHP was not used.
	CR float64 `json:"cr"`
}

// ErrNoExpertWeights: a node's children carry no expert weights.
var ErrNoExpertWeights = errors.New("children have no expert weights")

// ErrNoAHPMatrix: no pairwise matrix was given for a node.
var ErrNoAHPMatrix = errors.New("no AHP pairwise matrix given for this node")

// AHPNodeError reports an AHP failure at a node, naming the pair of
// children at fault for an inconsistent matrix.
type AHPNodeError struct {
	Node     string
	Children []string
	Err      error // *InconsistentError, *PairwiseError or *ExpertError
}

func (e *AHPNodeError) Error() string {
	var ie *InconsistentError
	if errors.As(e.Err, &ie) {
		return fmt.Sprintf("node %s: AHP consistency ratio %.3f > %.2f; worst pair %s vs %s: judged %.4g, the weights imply %.4g",
			e.Node, ie.Result.CR, ie.MaxCR, e.Children[ie.I], e.Children[ie.J], ie.Aij, ie.Implied)
	}
	var pe *PairwiseError
	if errors.As(e.Err, &pe) && pe.I >= 0 && pe.I < len(e.Children) && pe.J >= 0 && pe.J < len(e.Children) {
		return fmt.Sprintf("node %s: AHP pair %s vs %s: %v", e.Node, e.Children[pe.I], e.Children[pe.J], pe.Err)
	}
	return fmt.Sprintf("node %s: AHP: %v", e.Node, e.Err)
}

func (e *AHPNodeError) Unwrap() error { return e.Err }

// objectiveWeights applies an objective method to columns in [0, 1].
func objectiveWeights(m WeightMethod, cols [][]float64, shift float64) ([]float64, error) {
	switch m {
	case WeightEntropy, WeightCombined:
		return Entropy(nil, cols, EntropyOptions{Shift: shift, Workers: 1})
	case WeightCRITIC:
		return CRITIC(nil, cols, CRITICOptions{})
	case WeightCV:
		return CV(nil, cols)
	case WeightSD:
		return SD(nil, cols)
	case WeightPCA:
		w, _, err := PCA(nil, cols, PCAOptions{})
		return w, err
	}
	panic("composite: not an objective method")
}

// nameColumnError rewrites a column index in err into the child's code.
func nameColumnError(node string, kids []string, err error) error {
	var ce *ColumnError
	if errors.As(err, &ce) && ce.Column >= 0 && ce.Column < len(kids) {
		return &NodeError{node, &IndicatorError{kids[ce.Column], fmt.Errorf("%s: %w", ce.Method, ce.Err)}}
	}
	return &NodeError{node, err}
}

// subjectiveWeights returns the AHP or expert weights of node n's children.
func subjectiveWeights(n *Node, kids []string, opt *IndexOptions, allowExpert bool) (w []float64, label string, cr float64, err error) {
	cr = math.NaN()
	if mats, ok := opt.AHP[n.Code]; ok {
		for e, m := range mats {
			if len(m) != len(kids) {
				return nil, "", cr, &AHPNodeError{n.Code, kids, &ExpertError{e, fmt.Errorf("matrix is %d×%d, the node has %d children (%s)", len(m), len(m), len(kids), strings.Join(kids, ", "))}}
			}
		}
		a := mats[0]
		if len(mats) > 1 {
			if a, err = AggregateJudgements(mats, nil); err != nil {
				return nil, "", cr, &AHPNodeError{n.Code, kids, err}
			}
		}
		res, err := AHP(a, opt.AHPOptions)
		if err != nil {
			return nil, "", cr, &AHPNodeError{n.Code, kids, err}
		}
		label = "ahp"
		if len(mats) > 1 {
			label = fmt.Sprintf("ahp (%d experts, geometric mean)", len(mats))
		}
		return res.Weights, label, res.CR, nil
	}
	if !allowExpert {
		return nil, "", cr, &NodeError{n.Code, ErrNoAHPMatrix}
	}
	w = make([]float64, len(n.Children))
	s := 0.0
	for j, c := range n.Children {
		if !c.HasWeight || !(c.Weight >= 0) || math.IsInf(c.Weight, 0) {
			return nil, "", cr, &NodeError{n.Code, fmt.Errorf("%w (%s has none)", ErrNoExpertWeights, c.Code)}
		}
		w[j] = c.Weight
		s += c.Weight
	}
	if !(s > 0) {
		return nil, "", cr, &NodeError{n.Code, fmt.Errorf("%w (they sum to 0)", ErrNoExpertWeights)}
	}
	for j := range w {
		w[j] /= s
	}
	return w, "expert", cr, nil
}

// nodeWeights computes the weights of node n's children from their columns
// (direction-aware min-max normalised, pooled) by opt.Weighting.
func nodeWeights(n *Node, kids []string, cols [][]float64, opt *IndexOptions) (NodeWeights, error) {
	nw := NodeWeights{Node: n.Code, Children: kids, CR: math.NaN(), Method: opt.Weighting.String()}
	var err error
	switch m := opt.Weighting; m {
	case WeightEqual:
		nw.Weights = Equal(nil, len(kids))
	case WeightExpert:
		nw.Weights, nw.Method, _, err = subjectiveWeights(&Node{Code: n.Code, Children: n.Children}, kids, &IndexOptions{}, true)
	case WeightAHP:
		nw.Weights, nw.Method, nw.CR, err = subjectiveWeights(n, kids, opt, false)
	case WeightCombined:
		var subj, obj []float64
		var sl string
		if subj, sl, nw.CR, err = subjectiveWeights(n, kids, opt, true); err != nil {
			return nw, err
		}
		if len(kids) == 1 {
			nw.Weights = []float64{1}
			break
		}
		if obj, err = objectiveWeights(WeightEntropy, cols, opt.EntropyShift); err != nil {
			return nw, nameColumnError(n.Code, kids, err)
		}
		alpha := opt.Alpha
		if alpha == 0 {
			alpha = 0.5
		}
		switch opt.Combine {
		case CombineLinearRule:
			nw.Weights, err = CombineLinear(nil, subj, obj, alpha)
			nw.Method = fmt.Sprintf("combined linear α=%g (%s, entropy)", alpha, sl)
		case CombineMultiplicativeRule:
			nw.Weights, err = CombineMultiplicative(nil, subj, obj)
			nw.Method = fmt.Sprintf("combined multiplicative (%s, entropy)", sl)
		case CombineGameRule:
			var a []float64
			nw.Weights, a, err = CombineGameTheory(nil, subj, obj)
			if err == nil {
				nw.Method = fmt.Sprintf("combined game theory α=(%.3f, %.3f) (%s, entropy)", a[0], a[1], sl)
			}
		default:
			panic("composite: unknown combination")
		}
		if err != nil {
			return nw, &NodeError{n.Code, err}
		}
	default:
		if len(kids) == 1 {
			nw.Weights = []float64{1}
			break
		}
		nw.Weights, err = objectiveWeights(m, cols, opt.EntropyShift)
		if err != nil {
			return nw, nameColumnError(n.Code, kids, err)
		}
	}
	return nw, err
}
