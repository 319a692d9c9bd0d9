package framework

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxDepth bounds the tree depth (goal = 1), so hostile input cannot
// exhaust the stack.
const maxDepth = 32

// maxInput bounds the size of a framework file (templates are < 100 kB).
const maxInput = 16 << 20

var headerKeys = []string{"schema", "code", "name_zh", "name_en", "edition", "source", "notes", "goal"}

var nodeKeys = []string{"code", "ref", "name_zh", "name_en", "level", "weight",
	"unit", "direction", "frequency", "aggregation", "target", "target_from", "floor", "class",
	"definition", "quality", "source", "notes", "children"}

// indicatorKeys are the keys that only indicators (leaves) may have.
var indicatorKeys = []string{"unit", "direction", "frequency", "aggregation", "target", "target_from", "floor", "class", "definition", "quality"}

// Load reads a framework in YAML from r; filename names it in problems. It
// returns a *[ValidationError] listing every problem (capped at
// [MaxProblems]) when the file has errors; otherwise the framework, whose
// Problems field holds any warnings and notes. Synonyms are normalised on
// load: direction higher/lower → +/-, frequency annual → year,
// aggregation avg → mean.
func Load(r io.Reader, filename string) (*Framework, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("framework: read %s: %w", filename, err)
	}
	return parse(b, filename)
}

func parse(b []byte, filename string) (*Framework, error) {
	f, probs := decode(b, filename)
	if f != nil {
		probs = append(probs, check(f)...)
	}
	for i := range probs {
		probs[i].File = filename
	}
	kept, omitted := capProblems(probs)
	if HasErrors(probs) {
		return nil, &ValidationError{File: filename, Problems: kept, Omitted: omitted}
	}
	f.File = filename
	f.Problems, f.Omitted = kept, omitted
	return f, nil
}

type decoder struct {
	probs []Problem
}

func (d *decoder) add(sev Severity, kind Kind, n *yaml.Node, path, code, format string, args ...any) {
	p := Problem{Severity: sev, Kind: kind, Path: path, Code: code, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.probs = append(d.probs, p)
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// decode turns the YAML text into a Framework, reporting shape problems
// (syntax, unknown keys, wrong types, non-numbers). Value checks are left
// to check, which also serves frameworks built in code.
func decode(b []byte, filename string) (*Framework, []Problem) {
	d := &decoder{}
	if len(b) > maxInput {
		d.add(SeverityError, KindSyntax, nil, "", "", "file larger than %d bytes", maxInput)
		return nil, d.probs
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		p := Problem{Severity: SeverityError, Kind: KindSyntax, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
		} else if line := bareDash(b); line > 0 {
			p.Line = line
			p.Msg = `not valid YAML: a bare - is read as a list item; write "-" in quotes or lower`
		}
		return nil, append(d.probs, p)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.add(SeverityError, KindSyntax, nil, "", "", "empty file: want a framework (see cityimpact framework export seed-2025)")
		return nil, d.probs
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		d.add(SeverityError, KindSyntax, root, "", "", "want a mapping with keys %s", strings.Join(headerKeys, ", "))
		return nil, d.probs
	}
	f := &Framework{pos: map[string]pos{"": {root.Line, root.Column}}}
	d.mapping(root, "", "", headerKeys, func(key string, k, v *yaml.Node) {
		f.pos[key] = pos{k.Line, k.Column}
		switch key {
		case "schema":
			var s int
			if v.Kind != yaml.ScalarNode || v.Decode(&s) != nil {
				d.add(SeverityError, KindSchema, v, "schema", "", "schema version %q is not an integer", v.Value)
				return
			}
			f.Schema = s
		case "code":
			f.Code = d.text(v, key, "")
		case "name_zh":
			f.NameZh = d.text(v, key, "")
		case "name_en":
			f.NameEn = d.text(v, key, "")
		case "edition":
			f.Edition = d.text(v, key, "")
		case "source":
			f.Source = d.text(v, key, "")
		case "notes":
			f.Notes = d.text(v, key, "")
		case "goal":
			if v.Kind != yaml.MappingNode {
				d.add(SeverityError, KindSyntax, v, "goal", "", "goal must be a mapping (a node with code, names and children)")
				return
			}
			f.Goal = d.node(v, "goal", 1)
		}
	})
	if f.Schema == 0 {
		f.Schema = SchemaVersion
	}
	return f, d.probs
}

// bareDash returns the first line whose value is a bare "-" after a key
// (direction: -), a common slip that YAML reads as a list item.
func bareDash(b []byte) int {
	for i, line := range bytes.Split(b, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if j := bytes.IndexByte(t, ':'); j > 0 && string(bytes.TrimSpace(t[j+1:])) == "-" {
			return i + 1
		}
	}
	return 0
}

// mapping calls fn for every known key of the mapping n in file order,
// reporting unknown and duplicate keys.
func (d *decoder) mapping(n *yaml.Node, path, code string, known []string, fn func(key string, k, v *yaml.Node)) map[string]bool {
	var typos map[string]bool
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.AliasNode || k.Kind == yaml.AliasNode {
			d.add(SeverityError, KindSyntax, k, path, code, "YAML aliases (*name) are not supported: write the value out")
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.add(SeverityError, KindSyntax, k, path, code, "a key must be a plain word")
			continue
		}
		kp := joinPath(path, k.Value)
		if !contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := Suggest(k.Value, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
				if typos == nil {
					typos = make(map[string]bool)
				}
				typos[s] = true
			} else {
				msg += " (allowed: " + strings.Join(known, ", ") + ")"
			}
			d.add(SeverityError, KindUnknownKey, k, kp, code, "%s", msg)
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.add(SeverityError, KindDuplicateKey, k, kp, code, "key %q given twice (first at line %d)", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k, v)
	}
	return typos
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// text returns the scalar v as text ("" for null), reporting other kinds.
func (d *decoder) text(v *yaml.Node, path, code string) string {
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return ""
	case v.Kind == yaml.ScalarNode:
		return v.Value
	}
	d.add(SeverityError, KindSyntax, v, path, code, "want text, not a %s", kindName(v))
	return ""
}

// number returns the scalar v as a finite float64, reporting anything else.
// ok is false for null (an absent value) and for errors.
func (d *decoder) number(v *yaml.Node, path, code string) (x float64, ok bool) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return 0, false
	}
	if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") || v.Decode(&x) != nil {
		val := v.Value
		if v.Kind != yaml.ScalarNode {
			val = "a " + kindName(v)
		}
		d.add(SeverityError, KindNotNumber, v, path, code, "%s is not a number: %q", lastKey(path), val)
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		d.add(SeverityError, KindNotNumber, v, path, code, "%s must be a finite number, not %s", lastKey(path), v.Value)
		return 0, false
	}
	return x, true
}

// year returns the scalar v as a year: a whole number within ±10⁶ (the
// range 1900–2200 is checked by check, so that frameworks built in code
// get the same message). It reports null, 0, fractions and non-numbers
// and returns 0 for them.
func (d *decoder) year(v *yaml.Node, path, code string) int {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		d.add(SeverityError, KindNotNumber, v, path, code, "%s is empty: give a year such as 2025, or remove the key", lastKey(path))
		return 0
	}
	x, ok := d.number(v, path, code)
	switch {
	case !ok:
		return 0
	case x != math.Trunc(x) || math.Abs(x) > 1e6 || x == 0:
		d.add(SeverityError, KindBadValue, v, path, code, "%s %s of %q: want a year from %d to %d", lastKey(path), v.Value, code, MinYear, MaxYear)
		return 0
	}
	return int(x)
}

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

func kindName(v *yaml.Node) string {
	switch v.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// node decodes one tree node at path.
func (d *decoder) node(m *yaml.Node, path string, depth int) *Node {
	n := &Node{pos: map[string]pos{"": {m.Line, m.Column}}}
	// the code first, so that problems on other keys can name it
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k, v := m.Content[i], m.Content[i+1]; k.Value == "code" && v.Kind == yaml.ScalarNode {
			n.Code = v.Value
			break
		}
	}
	n.typo = d.mapping(m, path, n.Code, nodeKeys, func(key string, k, v *yaml.Node) {
		kp := joinPath(path, key)
		n.pos[key] = pos{k.Line, k.Column}
		switch key {
		case "code":
			n.Code = d.text(v, kp, n.Code)
		case "ref":
			n.Ref = d.text(v, kp, n.Code)
		case "name_zh":
			n.NameZh = d.text(v, kp, n.Code)
		case "name_en":
			n.NameEn = d.text(v, kp, n.Code)
		case "level":
			n.Level = d.text(v, kp, n.Code)
		case "weight":
			if x, ok := d.number(v, kp, n.Code); ok {
				n.Weight = &x
			}
		case "unit":
			n.Unit = d.text(v, kp, n.Code)
		case "direction":
			n.Direction = normDirection(d.text(v, kp, n.Code))
		case "frequency":
			n.Frequency = normFrequency(d.text(v, kp, n.Code))
		case "aggregation":
			n.Aggregation = normAggregation(d.text(v, kp, n.Code))
		case "target":
			n.Target = d.target(v, kp, n.Code)
		case "target_from":
			n.TargetFrom = d.year(v, kp, n.Code)
		case "floor":
			if x, ok := d.number(v, kp, n.Code); ok {
				n.Floor = &x
			}
		case "class":
			n.Class = Class(strings.ToLower(strings.TrimSpace(d.text(v, kp, n.Code))))
		case "definition":
			n.Definition = d.text(v, kp, n.Code)
		case "quality":
			n.Quality = d.text(v, kp, n.Code)
		case "source":
			n.Source = d.text(v, kp, n.Code)
		case "notes":
			n.Notes = d.text(v, kp, n.Code)
		case "children":
			n.Children = []*Node{} // a group, even if empty
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				return
			}
			if v.Kind != yaml.SequenceNode {
				d.add(SeverityError, KindSyntax, v, kp, n.Code, "children must be a list of nodes, not a %s", kindName(v))
				return
			}
			if depth >= maxDepth {
				d.add(SeverityError, KindSyntax, v, kp, n.Code, "tree deeper than %d levels", maxDepth)
				return
			}
			for i, c := range v.Content {
				cp := fmt.Sprintf("%s[%d]", kp, i)
				if c.Kind != yaml.MappingNode {
					d.add(SeverityError, KindSyntax, c, cp, n.Code, "a child must be a mapping (code, names, ...), not a %s", kindName(c))
					continue
				}
				n.Children = append(n.Children, d.node(c, cp, depth+1))
			}
		}
	})
	return n
}

// target decodes a number or a mapping peer group → number.
func (d *decoder) target(v *yaml.Node, path, code string) *Target {
	if v.Kind == yaml.MappingNode {
		t := &Target{Groups: []GroupTarget{}}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				d.add(SeverityError, KindSyntax, k, path, code, "a peer-group label must be a plain word")
				continue
			}
			x, ok := d.number(val, path+"."+k.Value, code)
			if !ok {
				if val.Tag == "!!null" {
					d.add(SeverityError, KindNotNumber, val, path+"."+k.Value, code, "target for group %q is empty", k.Value)
				}
				continue
			}
			t.Groups = append(t.Groups, GroupTarget{Group: k.Value, Value: x})
		}
		return t
	}
	x, ok := d.number(v, path, code)
	if !ok {
		return nil
	}
	return &Target{Value: x}
}

func normDirection(s string) Direction {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "+", "higher", "higher-is-better", "positive", "正向", "正":
		return Higher
	case "-", "−", "lower", "lower-is-better", "negative", "逆向", "负向", "逆", "负":
		return Lower
	case "unknown", "?":
		return DirectionUnknown
	}
	return Direction(s)
}

func normFrequency(s string) Frequency {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "year", "yearly", "annual", "年", "年度":
		return Yearly
	case "quarter", "quarterly", "季", "季度":
		return Quarterly
	case "month", "monthly", "月", "月度":
		return Monthly
	}
	return Frequency(s)
}

func normAggregation(s string) Aggregation {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "sum", "total":
		return Sum
	case "mean", "avg", "average":
		return Mean
	case "last", "end":
		return Last
	case "max":
		return Max
	case "min":
		return Min
	}
	return Aggregation(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Suggest returns the word of known closest to s (compared in lower case)
// in Levenshtein distance if it is within 2 edits, "" otherwise: the
// "did you mean" of every YAML reader (frameworks, evaluation specs).
func Suggest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if dd := editDistance(strings.ToLower(s), k); dd < bestD {
			best, bestD = k, dd
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := prev[j-1]
			if ra[i-1] != rb[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
