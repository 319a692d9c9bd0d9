package framework

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Marshal writes f as YAML in the format [Load] reads, keys in a fixed
// order, so that Load(Marshal(f)) equals f (see [Framework.Equal]).
// Directions are written as "+", "-" or unknown; numbers in the shortest
// form that reads back to the same float64.
func (f *Framework) Marshal() ([]byte, error) {
	if f.Goal == nil {
		return nil, fmt.Errorf("framework: marshal %q: no goal", f.Code)
	}
	doc := mapNode()
	doc.HeadComment = "cityimpact indicator framework (schema " + strconv.Itoa(SchemaVersion) + ").\n" +
		"Check after editing: cityimpact framework validate FILE"
	schema := f.Schema
	if schema == 0 {
		schema = SchemaVersion
	}
	addNum(doc, "schema", float64(schema))
	addStr(doc, "code", f.Code)
	addStr(doc, "name_zh", f.NameZh)
	addStr(doc, "name_en", f.NameEn)
	addStr(doc, "edition", f.Edition)
	addStr(doc, "source", f.Source)
	addStr(doc, "notes", f.Notes)
	g, err := encodeNode(f.Goal, 1)
	if err != nil {
		return nil, err
	}
	doc.Content = append(doc.Content, strNode("goal"), g)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("framework: marshal %q: %w", f.Code, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("framework: marshal %q: %w", f.Code, err)
	}
	return buf.Bytes(), nil
}

func encodeNode(n *Node, depth int) (*yaml.Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("framework: marshal: tree deeper than %d levels", maxDepth)
	}
	m := mapNode()
	addStr(m, "code", n.Code)
	addStr(m, "ref", n.Ref)
	addStr(m, "name_zh", n.NameZh)
	addStr(m, "name_en", n.NameEn)
	addStr(m, "level", n.Level)
	if n.Weight != nil {
		if err := checkFinite(n, "weight", *n.Weight); err != nil {
			return nil, err
		}
		addNum(m, "weight", *n.Weight)
	}
	addStr(m, "unit", n.Unit)
	addStr(m, "direction", string(n.Direction))
	addStr(m, "frequency", string(n.Frequency))
	addStr(m, "aggregation", string(n.Aggregation))
	if t := n.Target; t != nil {
		for _, v := range t.values() {
			if err := checkFinite(n, "target", v); err != nil {
				return nil, err
			}
		}
		if t.Groups == nil {
			addNum(m, "target", t.Value)
		} else {
			tm := mapNode()
			for _, g := range t.Groups {
				addNum(tm, g.Group, g.Value)
			}
			m.Content = append(m.Content, strNode("target"), tm)
		}
	}
	if n.TargetFrom != 0 {
		addNum(m, "target_from", float64(n.TargetFrom))
	}
	if n.Floor != nil {
		if err := checkFinite(n, "floor", *n.Floor); err != nil {
			return nil, err
		}
		addNum(m, "floor", *n.Floor)
	}
	addStr(m, "class", string(n.Class))
	addStr(m, "definition", n.Definition)
	addStr(m, "quality", n.Quality)
	addStr(m, "source", n.Source)
	addStr(m, "notes", n.Notes)
	if n.Children != nil {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(n.Children) == 0 {
			seq.Style = yaml.FlowStyle // children: [] keeps an empty dimension a dimension
		}
		for _, c := range n.Children {
			if c == nil {
				continue
			}
			cn, err := encodeNode(c, depth+1)
			if err != nil {
				return nil, err
			}
			seq.Content = append(seq.Content, cn)
		}
		m.Content = append(m.Content, strNode("children"), seq)
	}
	return m, nil
}

func checkFinite(n *Node, key string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("framework: marshal: %s of %q is %v, not a finite number", key, n.Code, v)
	}
	return nil
}

func mapNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// addStr appends key: s to m unless s is empty.
func addStr(m *yaml.Node, key, s string) {
	if s == "" {
		return
	}
	m.Content = append(m.Content, strNode(key), strNode(s))
}

// addNum appends key: v, in the shortest decimal form that parses back to v.
func addNum(m *yaml.Node, key string, v float64) {
	tag, s := "!!float", strconv.FormatFloat(v, 'g', -1, 64)
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		tag, s = "!!int", strconv.FormatInt(int64(v), 10)
	}
	m.Content = append(m.Content, strNode(key), &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s})
}

// Equal reports whether f and g have the same header and tree, ignoring
// where they were loaded from (File, positions, Problems).
func (f *Framework) Equal(g *Framework) bool {
	if f == nil || g == nil {
		return f == g
	}
	fs, gs := f.Schema, g.Schema
	if fs == 0 {
		fs = SchemaVersion
	}
	if gs == 0 {
		gs = SchemaVersion
	}
	return fs == gs && f.Code == g.Code && f.NameZh == g.NameZh && f.NameEn == g.NameEn &&
		f.Edition == g.Edition && f.Source == g.Source && f.Notes == g.Notes && nodeEqual(f.Goal, g.Goal)
}

func nodeEqual(a, b *Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Code != b.Code || a.Ref != b.Ref || a.NameZh != b.NameZh || a.NameEn != b.NameEn ||
		a.Level != b.Level || !ptrEqual(a.Weight, b.Weight) || a.Unit != b.Unit ||
		a.Direction != b.Direction || a.Frequency != b.Frequency || a.Aggregation != b.Aggregation ||
		!targetEqual(a.Target, b.Target) || a.TargetFrom != b.TargetFrom || !ptrEqual(a.Floor, b.Floor) || a.Class != b.Class ||
		a.Definition != b.Definition || a.Quality != b.Quality || a.Source != b.Source || a.Notes != b.Notes ||
		(a.Children == nil) != (b.Children == nil) || len(a.Children) != len(b.Children) {
		return false
	}
	for i := range a.Children {
		if !nodeEqual(a.Children[i], b.Children[i]) {
			return false
		}
	}
	return true
}

func ptrEqual(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func targetEqual(a, b *Target) bool {
	if a == nil || b == nil {
		return a == b
	}
	if (a.Groups == nil) != (b.Groups == nil) || len(a.Groups) != len(b.Groups) {
		return false
	}
	if a.Groups == nil {
		return a.Value == b.Value
	}
	for i := range a.Groups {
		if a.Groups[i] != b.Groups[i] {
			return false
		}
	}
	return true
}
