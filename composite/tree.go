package composite

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Node is one node of an indicator tree as the index pipeline needs it:
// the goal, a dimension (any depth) or, when Children is nil, an
// indicator. Callers build it from their framework (the CLI from
// framework.Node); composite does not import the framework package.
type Node struct {
	Code     string
	Children []*Node // nil for an indicator

	// Weight is the expert weight within the parent, used by the expert
	// and combined weightings; NaN (or HasWeight false) when none.
	Weight    float64
	HasWeight bool

	// Indicator fields.
	Direction Direction // Benefit or Cost; the zero value is refused
	// Target holds the target of each unit (peer-group targets resolved by
	// the caller), NaN for units without one; nil when the indicator has no
	// target.
	Target []float64
	// TargetFrom is the index in Data.Periods of the first period in which
	// Target applies (a standard's "by 2025" requirement); rows of earlier
	// periods count no target in the attainment rate 达标率 and the U4SSC
	// points. 0 means every period. Normalisation (DistanceToTarget)
	// uses Target in every period: it is a scale, not an assessment.
	TargetFrom int
	// Floor is the veto threshold (一票否决): a benefit value below it, or a
	// cost value above it, caps the grade. NaN means none.
	Floor float64
}

// IsIndicator reports whether n is a leaf.
func (n *Node) IsIndicator() bool { return n.Children == nil }

// Quality is the data-quality code of one value.
type Quality uint8

// Quality codes, from best to worst; worse codes are larger, so a node's
// quality is the maximum over the values it aggregates.
const (
	Measured           Quality = iota // observed by the statistical source
	SurveyExtrapolated                // extrapolated from a sample survey
	Estimated                         // estimated or modelled by the provider
	Imputed                           // filled by a missing-value treatment
	QualityUnknown                    // origin not known
	QualityMissing                    // no value
)

var qualityNames = [...]string{"measured", "survey-extrapolated", "estimated", "imputed", "unknown", "missing"}

// String returns the code's name, e.g. "survey-extrapolated".
func (q Quality) String() string {
	if int(q) < len(qualityNames) {
		return qualityNames[q]
	}
	return fmt.Sprintf("quality(%d)", q)
}

// ParseQuality reads a quality name as String writes it (also "survey",
// "imputation", "na").
func ParseQuality(s string) (Quality, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "measured", "m", "":
		return Measured, nil
	case "survey-extrapolated", "survey", "s":
		return SurveyExtrapolated, nil
	case "estimated", "e":
		return Estimated, nil
	case "imputed", "imputation", "i":
		return Imputed, nil
	case "unknown", "u":
		return QualityUnknown, nil
	case "missing", "na":
		return QualityMissing, nil
	}
	return 0, fmt.Errorf("unknown data-quality code %q (want measured, survey-extrapolated, estimated, imputed or unknown)", s)
}

// MarshalText writes the name.
func (q Quality) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// PeerGroups assigns every unit to one group of a unit attribute.
type PeerGroups struct {
	Labels []string // distinct group labels
	Of     []int32  // unit → index into Labels
}

// Data is the input of [Compute]: indicator columns of a balanced unit ×
// period panel in unit-major order (row u·T + t, as panel.Panel stores
// them), NaN missing.
type Data struct {
	Units   []string // unit codes
	Periods []string // period labels, oldest first
	// Values maps an indicator code to its column, length len(Units)·len(Periods).
	Values map[string][]float64
	// Quality maps an indicator code to the quality of each cell; a nil
	// column (or absent code) means Measured for every present value.
	Quality map[string][]Quality
	// Peers maps a unit attribute ("region", "tier", "province") to its
	// groups, for ranks within peer groups.
	Peers map[string]PeerGroups
}

// Rows returns the number of unit × period rows.
func (d *Data) Rows() int { return len(d.Units) * len(d.Periods) }

// NodeError locates an error at one node of the tree.
type NodeError struct {
	Node string
	Err  error
}

func (e *NodeError) Error() string { return fmt.Sprintf("node %s: %v", e.Node, e.Err) }
func (e *NodeError) Unwrap() error { return e.Err }

// IndicatorError locates a data condition in one indicator's column.
type IndicatorError struct {
	Indicator string
	Err       error
}

func (e *IndicatorError) Error() string { return fmt.Sprintf("indicator %s: %v", e.Indicator, e.Err) }
func (e *IndicatorError) Unwrap() error { return e.Err }

// MissingIndicatorsError lists indicators of the tree absent from the data.
type MissingIndicatorsError struct{ Codes []string }

func (e *MissingIndicatorsError) Error() string {
	return fmt.Sprintf("%d indicator(s) of the framework are not in the data: %s", len(e.Codes), strings.Join(e.Codes, ", "))
}

// ErrNoDirection: an indicator has no direction.
var ErrNoDirection = errors.New("indicator has no direction (set + or -)")

// ErrEmptyNode: a dimension has no children.
var ErrEmptyNode = errors.New("dimension has no indicators")

// tree is the compiled form of a Node tree: nodes in post-order (children
// before parents, the root last), leaves numbered in tree order.
type tree struct {
	nodes    []*Node
	children [][]int // node → child node indices
	parent   []int   // -1 for the root
	leaf     []int   // node → leaf index, -1 for inner nodes
	leafNode []int   // leaf index → node index
	preorder []int   // node indices in tree (pre-)order, root first
	depth    []int
}

func (t *tree) root() int { return len(t.nodes) - 1 }

// compile checks the tree and returns its compiled form.
func compile(root *Node) (*tree, error) {
	if root == nil {
		return nil, errors.New("composite: no tree")
	}
	t := &tree{}
	seen := map[string]bool{}
	var errs []error
	var pre []*Node
	var depthOf = map[*Node]int{}
	var walk func(n *Node, d int) int
	walk = func(n *Node, d int) int {
		pre = append(pre, n)
		depthOf[n] = d
		if seen[n.Code] {
			errs = append(errs, &NodeError{n.Code, errors.New("duplicate code")})
		}
		seen[n.Code] = true
		var kids []int
		if n.Children != nil {
			if len(n.Children) == 0 {
				errs = append(errs, &NodeError{n.Code, ErrEmptyNode})
			}
			for _, c := range n.Children {
				kids = append(kids, walk(c, d+1))
			}
		} else if n.Direction != Benefit && n.Direction != Cost {
			errs = append(errs, &NodeError{n.Code, ErrNoDirection})
		}
		i := len(t.nodes)
		t.nodes = append(t.nodes, n)
		t.children = append(t.children, kids)
		t.parent = append(t.parent, -1)
		for _, k := range kids {
			t.parent[k] = i
		}
		return i
	}
	if root.Children == nil {
		return nil, &NodeError{root.Code, errors.New("the goal must have children")}
	}
	walk(root, 0)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	idx := map[*Node]int{}
	for i, n := range t.nodes {
		idx[n] = i
	}
	t.leaf = make([]int, len(t.nodes))
	t.depth = make([]int, len(t.nodes))
	for i := range t.leaf {
		t.leaf[i] = -1
	}
	for _, n := range pre {
		i := idx[n]
		t.preorder = append(t.preorder, i)
		t.depth[i] = depthOf[n]
		if n.IsIndicator() {
			t.leaf[i] = len(t.leafNode)
			t.leafNode = append(t.leafNode, i)
		}
	}
	return t, nil
}

// leafCodes returns the indicator codes in tree order.
func (t *tree) leafCodes() []string {
	out := make([]string, len(t.leafNode))
	for l, i := range t.leafNode {
		out[l] = t.nodes[i].Code
	}
	return out
}

// checkData verifies that every indicator is in d with the right length and
// not all missing, and that per-unit targets have the right length.
func (t *tree) checkData(d *Data) error {
	n := d.Rows()
	if n == 0 {
		return errors.New("composite: no units or no periods")
	}
	var missing []string
	var errs []error
	for _, i := range t.leafNode {
		nd := t.nodes[i]
		col, ok := d.Values[nd.Code]
		if !ok {
			missing = append(missing, nd.Code)
			continue
		}
		if len(col) != n {
			errs = append(errs, &IndicatorError{nd.Code, fmt.Errorf("column has %d values, want %d (units × periods)", len(col), n)})
			continue
		}
		if q := d.Quality[nd.Code]; q != nil && len(q) != n {
			errs = append(errs, &IndicatorError{nd.Code, fmt.Errorf("quality column has %d values, want %d", len(q), n)})
		}
		if nd.Target != nil && len(nd.Target) != len(d.Units) {
			errs = append(errs, &IndicatorError{nd.Code, fmt.Errorf("target has %d values, want one per unit (%d)", len(nd.Target), len(d.Units))})
		}
		if nd.TargetFrom < 0 {
			errs = append(errs, &IndicatorError{nd.Code, fmt.Errorf("target from period %d: want an index ≥ 0", nd.TargetFrom)})
		}
		all := true
		for _, v := range col {
			if !math.IsNaN(v) {
				all = false
				break
			}
		}
		if all {
			errs = append(errs, &IndicatorError{nd.Code, ErrAllMissing})
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		errs = append([]error{&MissingIndicatorsError{missing}}, errs...)
	}
	return errors.Join(errs...)
}
