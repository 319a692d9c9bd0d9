package framework

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// MinYear and MaxYear bound an indicator's target_from.
const (
	MinYear = 1900
	MaxYear = 2200
)

// weightTol is the tolerance on a sum of weights: |Σw − 1| ≤ 1e-6
// (scaled by the target sum for percentages and shares).
const weightTol = 1e-6

// Validate checks f and returns every problem found (uncapped), sorted by
// line. It also links the tree (parents, code index), so call it after
// building or modifying a framework in code. Problems carry the positions
// recorded when f was loaded, and none for nodes added in code.
func (f *Framework) Validate() []Problem {
	ps := check(f)
	for i := range ps {
		ps[i].File = f.File
	}
	return ps
}

// check links f and returns its value problems (the decoder has already
// reported shape problems).
func check(f *Framework) []Problem {
	f.link()
	c := &checker{seen: make(map[string]seenCode)}
	if strings.TrimSpace(f.Code) == "" {
		c.add(SeverityError, KindMissing, f.pos["code"], "code", "", "framework code missing (e.g. code: my-framework)")
	}
	if strings.TrimSpace(f.NameZh) == "" && strings.TrimSpace(f.NameEn) == "" {
		c.add(SeverityError, KindMissing, f.pos["name_zh"], "name_zh", "", "framework name missing: give name_zh or name_en")
	}
	if f.Schema != 0 && f.Schema != SchemaVersion {
		c.add(SeverityError, KindSchema, f.pos["schema"], "schema", "", "schema version %d not supported (this program reads version %d)", f.Schema, SchemaVersion)
	}
	switch {
	case f.Goal == nil:
		c.add(SeverityError, KindMissing, f.pos["goal"], "goal", "", "goal missing: the root node with the dimensions as children")
	case len(f.Goal.Children) == 0:
		c.add(SeverityError, KindMissing, f.Goal.at(""), "goal.children", f.Goal.Code, "the goal has no children: add dimensions and indicators under it")
	default:
		c.node(f.Goal, "goal")
	}
	return c.probs
}

type seenCode struct {
	at   pos
	path string
}

type checker struct {
	probs []Problem
	seen  map[string]seenCode
}

func (c *checker) add(sev Severity, kind Kind, at pos, path, code, format string, args ...any) {
	c.probs = append(c.probs, Problem{Severity: sev, Kind: kind, Line: at.line, Column: at.col, Path: path, Code: code, Msg: fmt.Sprintf(format, args...)})
}

// at returns the position of key in n ("" for the node), or of the node
// when the key has no position.
func (n *Node) at(key string) pos {
	if p, ok := n.pos[key]; ok {
		return p
	}
	return n.pos[""]
}

// has reports whether key was written in the file n came from.
func (n *Node) has(key string) bool { _, ok := n.pos[key]; return ok }

// validCode reports whether s can serve as a code: non-empty, no spaces,
// control characters, commas or quotes (codes become column names).
func validCode(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' || r == '"' || r == '\'' {
			return false
		}
	}
	return true
}

func (c *checker) node(n *Node, path string) {
	kp := func(key string) string { return path + "." + key }
	switch {
	case n.Code == "":
		c.add(SeverityError, KindMissing, n.at(""), kp("code"), "", "code missing")
	case !validCode(n.Code):
		c.add(SeverityError, KindBadValue, n.at("code"), kp("code"), n.Code, "code %q must not contain spaces, commas or quotes", n.Code)
	default:
		if first, dup := c.seen[n.Code]; dup {
			at := first.path
			if first.at.line > 0 {
				at = fmt.Sprintf("line %d (%s)", first.at.line, first.path)
			}
			c.add(SeverityError, KindDuplicateCode, n.at("code"), kp("code"), n.Code, "code %q already used at %s", n.Code, at)
		} else {
			c.seen[n.Code] = seenCode{n.at("code"), path}
		}
	}
	if strings.TrimSpace(n.NameZh) == "" && strings.TrimSpace(n.NameEn) == "" {
		c.add(SeverityError, KindMissing, n.at(""), kp("name_zh"), n.Code, "%q has no name: give name_zh or name_en", n.Code)
	}
	if n.Weight != nil {
		switch w := *n.Weight; {
		case math.IsNaN(w) || math.IsInf(w, 0):
			c.add(SeverityError, KindNotNumber, n.at("weight"), kp("weight"), n.Code, "weight of %q must be a finite number", n.Code)
		case w < 0:
			c.add(SeverityError, KindNegWeight, n.at("weight"), kp("weight"), n.Code, "weight of %q is negative (%g)", n.Code, w)
		}
	}
	if n.IsIndicator() {
		c.indicator(n, path)
		return
	}
	for _, key := range indicatorKeys {
		if n.setField(key) {
			c.add(SeverityError, KindLeafField, n.at(key), kp(key), n.Code, "%s is an indicator field, but %q has children (it is a dimension)", key, n.Code)
		}
	}
	if len(n.Children) == 0 && n.parent != nil {
		c.add(SeverityWarning, KindEmptyGroup, n.at(""), path, n.Code, "dimension %q has no indicators yet: add them before computing an index", n.Code)
	}
	c.weights(n, path)
	for i, ch := range n.Children {
		if ch != nil {
			c.node(ch, fmt.Sprintf("%s.children[%d]", path, i))
		}
	}
}

// setField reports whether the indicator field key is set on n (written in
// the file, or non-empty for nodes built in code).
func (n *Node) setField(key string) bool {
	if n.has(key) {
		return true
	}
	switch key {
	case "unit":
		return n.Unit != ""
	case "direction":
		return n.Direction != ""
	case "frequency":
		return n.Frequency != ""
	case "aggregation":
		return n.Aggregation != ""
	case "target":
		return n.Target != nil
	case "target_from":
		return n.TargetFrom != 0
	case "floor":
		return n.Floor != nil
	case "class":
		return n.Class != ""
	case "definition":
		return n.Definition != ""
	case "quality":
		return n.Quality != ""
	}
	return false
}

// weights checks that n's children's weights are all given or all absent,
// and that they sum to 1, to 100 (percentages) or to n's own weight (shares
// of the whole score, the GB/T 33356 convention).
func (c *checker) weights(n *Node, path string) {
	var with, without []string
	sum, bad := 0.0, false
	for _, ch := range n.Children {
		if ch == nil {
			continue
		}
		if ch.Weight == nil {
			without = append(without, ch.Code)
			continue
		}
		w := *ch.Weight
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			bad = true // reported on the child
		}
		with = append(with, ch.Code)
		sum += w
	}
	kp := path + ".children"
	line := n.at("children")
	switch {
	case len(with) == 0 || bad:
		return
	case len(without) > 0:
		c.add(SeverityError, KindWeightPartial, line, kp, n.Code,
			"children of %q: %d have a weight and %d do not (%s): give every child a weight or none",
			n.Code, len(with), len(without), listCodes(without))
	case math.Abs(sum-1) <= weightTol:
	case math.Abs(sum-100) <= 100*weightTol:
		c.add(SeverityNote, KindPercentWeight, line, kp, n.Code,
			"weights of the children of %q sum to 100: read as percentages and normalised to sum to 1", n.Code)
	case n.Weight != nil && *n.Weight > 0 && math.Abs(sum-*n.Weight) <= weightTol*math.Max(1, *n.Weight):
		c.add(SeverityNote, KindPercentWeight, line, kp, n.Code,
			"weights of the children of %q sum to its own weight %g: read as shares of the whole score and normalised to sum to 1", n.Code, *n.Weight)
	case sum == 0:
		c.add(SeverityError, KindWeightSum, line, kp, n.Code, "weights of the children of %q are all 0", n.Code)
	default:
		want := "1 (or 100 as percentages)"
		if n.Weight != nil {
			want = fmt.Sprintf("1, 100 or the parent's own weight %g", *n.Weight)
		}
		c.add(SeverityError, KindWeightSum, line, kp, n.Code,
			"weights of the children of %q sum to %g; want %s", n.Code, sum, want)
	}
}

func listCodes(codes []string) string {
	if len(codes) > 5 {
		return strings.Join(codes[:5], ", ") + fmt.Sprintf(" and %d more", len(codes)-5)
	}
	return strings.Join(codes, ", ")
}

func (c *checker) indicator(n *Node, path string) {
	kp := func(key string) string { return path + "." + key }
	switch n.Direction {
	case Higher, Lower:
	case "":
		if n.typo["direction"] {
			break // the misspelt key is reported already
		}
		c.add(SeverityError, KindNoDirection, n.at(""), kp("direction"), n.Code,
			`indicator %q has no direction: add direction: higher (or "+") or lower ("-"), or unknown if the source does not say`, n.Code)
	case DirectionUnknown:
		c.add(SeverityWarning, KindUnknownDir, n.at("direction"), kp("direction"), n.Code,
			"direction unknown: set it before computing an index (indicator %q)", n.Code)
	default:
		c.add(SeverityError, KindBadValue, n.at("direction"), kp("direction"), n.Code,
			`direction %q of %q: want higher ("+"), lower ("-") or unknown`, string(n.Direction), n.Code)
	}
	switch n.Frequency {
	case "", Yearly, Quarterly, Monthly:
	default:
		c.add(SeverityError, KindFrequency, n.at("frequency"), kp("frequency"), n.Code,
			"frequency %q of %q: want year, quarter or month", string(n.Frequency), n.Code)
	}
	switch n.Aggregation {
	case Sum, Mean, Last, Max, Min:
	case "":
		if n.Frequency == Monthly || n.Frequency == Quarterly {
			c.add(SeverityError, KindAggregation, n.at(""), kp("aggregation"), n.Code,
				"%s indicator %q needs an aggregation (sum, mean, last, max or min) to roll up to years", n.Frequency, n.Code)
		}
	default:
		c.add(SeverityError, KindAggregation, n.at("aggregation"), kp("aggregation"), n.Code,
			"aggregation %q of %q: want sum, mean, last, max or min", string(n.Aggregation), n.Code)
	}
	switch n.Class {
	case "", Core, Advanced, Supporting:
	default:
		c.add(SeverityError, KindBadValue, n.at("class"), kp("class"), n.Code,
			"class %q of %q: want core, advanced or supporting", string(n.Class), n.Code)
	}
	if n.TargetFrom != 0 {
		switch {
		case n.TargetFrom < MinYear || n.TargetFrom > MaxYear:
			c.add(SeverityError, KindBadValue, n.at("target_from"), kp("target_from"), n.Code,
				"target_from %d of %q: want a year from %d to %d", n.TargetFrom, n.Code, MinYear, MaxYear)
		case n.Target == nil && !n.typo["target"]:
			c.add(SeverityError, KindMissing, n.at("target_from"), kp("target_from"), n.Code,
				"target_from %d of %q is given without a target: add target (the value required from %d) or remove target_from", n.TargetFrom, n.Code, n.TargetFrom)
		}
	}
	if n.Floor != nil && (math.IsNaN(*n.Floor) || math.IsInf(*n.Floor, 0)) {
		c.add(SeverityError, KindNotNumber, n.at("floor"), kp("floor"), n.Code, "floor of %q must be a finite number", n.Code)
		return
	}
	if n.Target == nil {
		return
	}
	if n.Target.Groups != nil && len(n.Target.Groups) == 0 {
		c.add(SeverityError, KindNotNumber, n.at("target"), kp("target"), n.Code, "target of %q lists no peer groups: give a number or group: number pairs", n.Code)
	}
	groups := make(map[string]bool)
	for _, g := range n.Target.Groups {
		switch {
		case strings.TrimSpace(g.Group) == "":
			c.add(SeverityError, KindBadValue, n.at("target"), kp("target"), n.Code, "target of %q has an empty peer-group label", n.Code)
		case groups[g.Group]:
			c.add(SeverityError, KindBadValue, n.at("target"), kp("target."+g.Group), n.Code, "target of %q lists group %q twice", n.Code, g.Group)
		}
		groups[g.Group] = true
	}
	for _, t := range n.Target.values() {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			c.add(SeverityError, KindNotNumber, n.at("target"), kp("target"), n.Code, "target of %q must be a finite number", n.Code)
			return
		}
	}
	if n.Floor == nil {
		return
	}
	fl := *n.Floor
	for _, t := range n.Target.values() {
		if n.Direction == Higher && fl > t {
			c.add(SeverityError, KindFloorTarget, n.at("floor"), kp("floor"), n.Code,
				"floor %g of %q is above its target %g; for a higher-is-better indicator the floor must not exceed the target", fl, n.Code, t)
			return
		}
		if n.Direction == Lower && fl < t {
			c.add(SeverityError, KindFloorTarget, n.at("floor"), kp("floor"), n.Code,
				"floor %g of %q is below its target %g; for a lower-is-better indicator the floor (a ceiling) must not be below the target", fl, n.Code, t)
			return
		}
	}
}
