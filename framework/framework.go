package framework

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
)

// SchemaVersion is the version of the YAML format this package reads and
// writes. A file without a schema key is read as this version.
const SchemaVersion = 1

// Direction says whether higher or lower values of an indicator are better.
type Direction string

const (
	Higher           Direction = "+"       // higher is better (正向)
	Lower            Direction = "-"       // lower is better (逆向)
	DirectionUnknown Direction = "unknown" // the source does not say: the user must set it
)

// Frequency is how often an indicator is observed.
type Frequency string

const (
	Yearly    Frequency = "year"
	Quarterly Frequency = "quarter"
	Monthly   Frequency = "month"
)

// Aggregation says how an indicator's finer-period values roll up into a
// coarser period (months → quarters → years). Its values are the same
// strings as panel.Aggregation, so panel.Aggregation(a) converts.
type Aggregation string

const (
	Sum  Aggregation = "sum"  // flows: the period's total
	Mean Aggregation = "mean" // rates and durations: the period's average
	Last Aggregation = "last" // stocks: the value at the period's end
	Max  Aggregation = "max"
	Min  Aggregation = "min"
)

// Class marks an indicator as core or advanced (U4SSC) or core or
// supporting (ISO 37120); empty when the framework makes no distinction.
type Class string

const (
	Core       Class = "core"
	Advanced   Class = "advanced"
	Supporting Class = "supporting"
)

// Framework is an indicator framework: a header and a tree whose root is
// the goal, whose inner nodes are dimensions (at any depth) and whose leaves
// are indicators. The zero value is empty; frameworks come from [Load],
// [LoadFile] or [Template]. A Framework is not safe for concurrent
// modification; concurrent reads are fine.
type Framework struct {
	Schema  int    `json:"schema"`
	Code    string `json:"code"`
	NameZh  string `json:"name_zh,omitempty"`
	NameEn  string `json:"name_en,omitempty"`
	Edition string `json:"edition,omitempty"`
	Source  string `json:"source,omitempty"`
	Notes   string `json:"notes,omitempty"`
	Goal    *Node  `json:"goal"`

	// File is the name the framework was loaded from ("" if built in code).
	File string `json:"-"`
	// Problems holds the warnings and notes found when the framework was
	// loaded (a framework with errors is not returned at all).
	Problems []Problem `json:"-"`
	// Omitted counts the warnings and notes beyond MaxProblems not listed.
	Omitted int `json:"-"`

	index map[string]*Node
	pos   map[string]pos // YAML position of each header key
}

// Node is one node of the tree. A node whose Children is nil is an
// indicator (a leaf); a node with a non-nil Children slice is a goal or a
// dimension, even when the slice is empty (a skeleton the user fills in).
// The indicator fields (Unit through Quality) are empty on dimensions.
type Node struct {
	Code   string   `json:"code"`
	Ref    string   `json:"ref,omitempty"` // the identifier in the source document, e.g. "L1P1-A1"
	NameZh string   `json:"name_zh,omitempty"`
	NameEn string   `json:"name_en,omitempty"`
	Level  string   `json:"level,omitempty"`  // free label: dimension, 一级, category, kpi ...
	Weight *float64 `json:"weight,omitempty"` // expert weight within the parent; nil if none

	Unit        string      `json:"unit,omitempty"`
	Direction   Direction   `json:"direction,omitempty"`
	Frequency   Frequency   `json:"frequency,omitempty"`   // "" means year
	Aggregation Aggregation `json:"aggregation,omitempty"` // "" means last (required unless yearly)
	Target      *Target     `json:"target,omitempty"`
	// TargetFrom is the first year in which Target applies (the year a
	// standard's requirement takes effect: "by 2025, 100%"), 0 when the
	// target applies in every year. Evaluations do not judge values of
	// earlier years against the target. Only allowed with a target.
	TargetFrom int      `json:"target_from,omitempty"`
	Floor      *float64 `json:"floor,omitempty"` // veto threshold: see [Node.Vetoed]
	Class      Class    `json:"class,omitempty"`
	Definition string   `json:"definition,omitempty"`
	Quality    string   `json:"quality,omitempty"` // data-quality notes

	Source   string  `json:"source,omitempty"`
	Notes    string  `json:"notes,omitempty"`
	Children []*Node `json:"children,omitempty"`

	parent *Node
	pos    map[string]pos  // YAML position of each key; "" is the node itself
	typo   map[string]bool // known keys that an unknown key was probably meant as
	path   string          // YAML key path, e.g. goal.children[2]
}

type pos struct{ line, col int }

// Target is an indicator's target value: one number for every unit, or one
// number per peer group (a tier such as megacity, or a region).
type Target struct {
	Value  float64       // the target when Groups is nil
	Groups []GroupTarget // per peer group, in file order; nil for a single value
}

// GroupTarget is the target of one peer group. The group "default" applies
// to units whose group is not listed.
type GroupTarget struct {
	Group string
	Value float64
}

// For returns the target for a unit in peer group group and whether there
// is one: the single value, the group's value, or the "default" group's.
func (t *Target) For(group string) (float64, bool) {
	if t == nil {
		return 0, false
	}
	if t.Groups == nil {
		return t.Value, true
	}
	def, hasDef := 0.0, false
	for _, g := range t.Groups {
		if g.Group == group {
			return g.Value, true
		}
		if g.Group == "default" {
			def, hasDef = g.Value, true
		}
	}
	return def, hasDef
}

// values returns every number in t.
func (t *Target) values() []float64 {
	if t.Groups == nil {
		return []float64{t.Value}
	}
	v := make([]float64, len(t.Groups))
	for i, g := range t.Groups {
		v[i] = g.Value
	}
	return v
}

// TargetApplies reports whether n's target applies in the given year:
// n has a target and no TargetFrom, or year ≥ TargetFrom.
func (n *Node) TargetApplies(year int) bool {
	return n.Target != nil && (n.TargetFrom == 0 || year >= n.TargetFrom)
}

// IsIndicator reports whether n is a leaf (an indicator).
func (n *Node) IsIndicator() bool { return n.Children == nil }

// Parent returns n's parent, nil for the goal or a node not yet attached by
// [Load] or [Framework.Validate].
func (n *Node) Parent() *Node { return n.parent }

// Line returns the 1-based line of n in the file it was loaded from, 0 if
// it was built in code.
func (n *Node) Line() int { return n.pos[""].line }

// Freq returns n's frequency, year when none is set.
func (n *Node) Freq() Frequency {
	if n.Frequency == "" {
		return Yearly
	}
	return n.Frequency
}

// Agg returns n's aggregation, last when none is set (allowed only for
// yearly indicators, where no roll-up happens).
func (n *Node) Agg() Aggregation {
	if n.Aggregation == "" {
		return Last
	}
	return n.Aggregation
}

// Vetoed reports whether value v triggers n's floor (一票否决): below the
// floor for a higher-is-better indicator, above it for a lower-is-better
// one. It is false when n has no floor, v is NaN or the direction is unknown.
func (n *Node) Vetoed(v float64) bool {
	if n.Floor == nil || math.IsNaN(v) {
		return false
	}
	switch n.Direction {
	case Higher:
		return v < *n.Floor
	case Lower:
		return v > *n.Floor
	}
	return false
}

// walk calls fn on n and its descendants in tree order (pre-order, children
// in file order), stopping early when fn returns false.
func (n *Node) walk(fn func(*Node) bool) bool {
	if !fn(n) {
		return false
	}
	for _, c := range n.Children {
		if c != nil && !c.walk(fn) {
			return false
		}
	}
	return true
}

// Walk calls fn on every node in tree order, goal first.
func (f *Framework) Walk(fn func(*Node)) {
	if f.Goal == nil {
		return
	}
	f.Goal.walk(func(n *Node) bool { fn(n); return true })
}

// Leaves returns the indicators in tree order.
func (f *Framework) Leaves() []*Node {
	var out []*Node
	f.Walk(func(n *Node) {
		if n.IsIndicator() && n != f.Goal {
			out = append(out, n)
		}
	})
	return out
}

// Codes returns the indicator codes in tree order.
func (f *Framework) Codes() []string {
	leaves := f.Leaves()
	out := make([]string, len(leaves))
	for i, n := range leaves {
		out[i] = n.Code
	}
	return out
}

// Find returns the node with the given code, nil if there is none.
func (f *Framework) Find(code string) *Node {
	if f.index == nil {
		f.link()
	}
	return f.index[code]
}

// Path returns the nodes from the goal down to the node with the given code
// (goal first), nil if there is none. Path(code)[1] is the dimension an
// indicator belongs to; see [Framework.Dimension].
func (f *Framework) Path(code string) []*Node {
	n := f.Find(code)
	if n == nil {
		return nil
	}
	var rev []*Node
	for ; n != nil; n = n.parent {
		rev = append(rev, n)
	}
	out := make([]*Node, len(rev))
	for i, m := range rev {
		out[len(rev)-1-i] = m
	}
	return out
}

// Dimension returns the first-level dimension that the node with the given
// code belongs to (the node itself if it is one), nil for the goal or an
// unknown code.
func (f *Framework) Dimension(code string) *Node {
	p := f.Path(code)
	if len(p) < 2 {
		return nil
	}
	return p[1]
}

// Aggregation returns the roll-up rule of indicator code and whether code is
// an indicator of f.
func (f *Framework) Aggregation(code string) (Aggregation, bool) {
	n := f.Find(code)
	if n == nil || !n.IsIndicator() {
		return "", false
	}
	return n.Agg(), true
}

// Aggregations returns every indicator's roll-up rule, keyed by code, for
// panel roll-ups (convert each value with panel.Aggregation(a)).
func (f *Framework) Aggregations() map[string]Aggregation {
	m := make(map[string]Aggregation)
	for _, n := range f.Leaves() {
		m[n.Code] = n.Agg()
	}
	return m
}

// LocalWeight returns the expert weight of the node with the given code
// within its parent, normalised so that siblings sum to 1:
//
//	w_local(n) = w(n) / Σ_{s ∈ siblings(n) ∪ {n}} w(s)
//
// This reads weights written as fractions (sum 1), percentages (sum 100)
// or shares of the whole score (children summing to their parent's weight,
// as GB/T 33356 publishes them) alike. ok is false when the node has no
// weight, is the goal, or its siblings' weights sum to 0.
func (f *Framework) LocalWeight(code string) (w float64, ok bool) {
	n := f.Find(code)
	if n == nil || n.parent == nil || n.Weight == nil {
		return 0, false
	}
	sum := 0.0
	for _, s := range n.parent.Children {
		if s.Weight == nil {
			return 0, false
		}
		sum += *s.Weight
	}
	if sum <= 0 {
		return 0, false
	}
	return *n.Weight / sum, true
}

// GlobalWeight returns the product of the local weights from the goal down
// to the node with the given code: its share of the whole index. ok is
// false if any node on the path lacks a weight.
func (f *Framework) GlobalWeight(code string) (w float64, ok bool) {
	p := f.Path(code)
	if p == nil {
		return 0, false
	}
	w = 1
	for _, n := range p[1:] {
		lw, ok := f.LocalWeight(n.Code)
		if !ok {
			return 0, false
		}
		w *= lw
	}
	return w, true
}

// link sets parent pointers and the code index. Duplicate codes keep the
// first node.
func (f *Framework) link() {
	f.index = make(map[string]*Node)
	if f.Goal == nil {
		return
	}
	f.Goal.parent = nil
	var rec func(n *Node)
	rec = func(n *Node) {
		if _, dup := f.index[n.Code]; !dup {
			f.index[n.Code] = n
		}
		for _, c := range n.Children {
			if c == nil {
				continue
			}
			c.parent = n
			rec(c)
		}
	}
	rec(f.Goal)
}

// LoadFile reads and validates the framework in the named file; see [Load].
func LoadFile(name string) (*Framework, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return parse(b, name)
}

// MarshalJSON writes a single target as a number and per-group targets as
// an object in file order.
func (t *Target) MarshalJSON() ([]byte, error) {
	if t.Groups == nil {
		return json.Marshal(t.Value)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, g := range t.Groups {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(g.Group)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(g.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
