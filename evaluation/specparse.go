package evaluation

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/cityimpact/cityimpact/framework"
	"go.yaml.in/yaml/v3"
)

// SpecError is one problem in an evaluation spec: the file, the line and
// column of the offending key or value (0 when unknown), its key path
// ("causal.methods[2]") and what is wrong.
type SpecError struct {
	File   string
	Line   int
	Column int
	Path   string
	Err    error
}

func (e *SpecError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, ": %s", e.Path)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *SpecError) Unwrap() error { return e.Err }

// UserFacing marks spec problems as the user's to fix.
func (e *SpecError) UserFacing() bool { return true }

// SpecErrors is every problem found in a spec (at most maxSpecErrors).
type SpecErrors []*SpecError

func (es SpecErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives errors.As access to each problem.
func (es SpecErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// UserFacing marks spec problems as the user's to fix.
func (es SpecErrors) UserFacing() bool { return true }

const maxSpecErrors = 20

// ErrUnknownKey, ErrBadValue and ErrMissing classify spec problems.
var (
	ErrUnknownKey = errors.New("unknown key")
	ErrBadValue   = errors.New("bad value")
	ErrMissing    = errors.New("missing")
)

// ReadSpec reads and validates the spec file name; relative paths in it
// are resolved against its directory.
func ReadSpec(name string) (*Spec, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, &SpecError{File: name, Err: err}
	}
	return ParseSpec(b, name)
}

// ParseSpec parses and validates a spec; filename names it in errors and
// anchors relative paths. Unknown keys, wrong types and invalid values
// are all reported (up to 20), each with its key path and line; the
// returned spec has its defaults filled in.
func ParseSpec(b []byte, filename string) (*Spec, error) {
	p := &specParser{file: filename, lines: map[string][2]int{}}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			return nil, SpecErrors{{File: filename, Err: fmt.Errorf("%w: the spec is empty", ErrMissing)}}
		}
		return nil, SpecErrors{{File: filename, Err: fmt.Errorf("not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))}}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	s := &Spec{file: filename, dir: filepath.Dir(filename)}
	if doc.Kind != yaml.MappingNode {
		return nil, SpecErrors{{File: filename, Line: doc.Line, Column: doc.Column, Err: fmt.Errorf("%w: the spec must be a mapping of keys (schema, data, framework, ...)", ErrBadValue)}}
	}
	p.walk(doc, reflect.TypeOf(*s), "")
	if len(p.errs) == 0 {
		if err := doc.Decode(s); err != nil {
			p.yamlError(err)
		}
	}
	if len(p.errs) == 0 {
		s.file, s.dir = filename, filepath.Dir(filename)
		s.validate(p)
	}
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		if len(p.errs) > maxSpecErrors {
			p.errs = p.errs[:maxSpecErrors]
		}
		return nil, p.errs
	}
	s.Defaults()
	return s, nil
}

type specParser struct {
	file  string
	errs  SpecErrors
	lines map[string][2]int // key path → line, column
}

func (p *specParser) add(path string, err error) {
	// The position is the key's own or, for a key not written (a missing
	// value), the nearest written ancestor's.
	at := path
	lc := p.lines[at]
	for lc[0] == 0 && at != "" {
		if i := strings.LastIndexAny(at, ".["); i < 0 {
			at = ""
		} else {
			at = at[:i]
		}
		lc = p.lines[at]
	}
	p.errs = append(p.errs, &SpecError{File: p.file, Line: lc[0], Column: lc[1], Path: path, Err: err})
}

func (p *specParser) addAt(path string, err error) {
	lc := p.lines[path]
	p.errs = append(p.errs, &SpecError{File: p.file, Line: lc[0], Column: lc[1], Path: path, Err: err})
}

// walk checks the keys of mapping n against the yaml tags of struct type t
// and records the position of every key path.
func (p *specParser) walk(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(Text{}) && n.Kind == yaml.ScalarNode {
			return // a plain string title means the same text in both languages
		}
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return
			}
			p.addAt(path, fmt.Errorf("%w: want a mapping of keys, found %s", ErrBadValue, yamlKind(n)))
			return
		}
		fields := map[string]reflect.Type{}
		var known []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			fields[tag] = f.Type
			known = append(known, tag)
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := joinKey(path, k.Value)
			p.lines[kp] = [2]int{k.Line, k.Column}
			ft, ok := fields[k.Value]
			if !ok {
				msg := fmt.Errorf("%w %q (known keys: %s)", ErrUnknownKey, k.Value, strings.Join(known, ", "))
				if s := framework.Suggest(k.Value, known); s != "" {
					msg = fmt.Errorf("%w %q: did you mean %q?", ErrUnknownKey, k.Value, s)
				}
				p.addAt(kp, msg)
				continue
			}
			if seen[k.Value] {
				p.addAt(kp, fmt.Errorf("%w: key %q given twice", ErrBadValue, k.Value))
			}
			seen[k.Value] = true
			p.walk(v, ft, kp)
		}
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			p.addAt(path, fmt.Errorf("%w: want a list, found %s", ErrBadValue, yamlKind(n)))
			return
		}
		for i, c := range n.Content {
			ip := fmt.Sprintf("%s[%d]", path, i)
			p.lines[ip] = [2]int{c.Line, c.Column}
			p.walk(c, t.Elem(), ip)
		}
	default:
		if n.Kind != yaml.ScalarNode {
			p.addAt(path, fmt.Errorf("%w: want a single value, found %s", ErrBadValue, yamlKind(n)))
		}
	}
}

// yamlError turns yaml's type errors ("line 5: cannot unmarshal !!str
// `abc` into int") into SpecErrors with the key path of that line.
func (p *specParser) yamlError(err error) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		p.errs = append(p.errs, &SpecError{File: p.file, Err: err})
		return
	}
	for _, msg := range te.Errors {
		line := 0
		fmt.Sscanf(msg, "line %d:", &line)
		path := ""
		for k, lc := range p.lines {
			if lc[0] == line && (path == "" || len(k) > len(path)) {
				path = k
			}
		}
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		msg = strings.Replace(msg, "cannot unmarshal", "cannot read", 1)
		p.errs = append(p.errs, &SpecError{File: p.file, Line: line, Column: p.lines[path][1], Path: path,
			Err: fmt.Errorf("%w: %s", ErrBadValue, msg)})
	}
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// UnmarshalYAML lets a title be one string for both languages.
func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		t.Zh, t.En = n.Value, n.Value
		return nil
	}
	type plain Text
	return n.Decode((*plain)(t))
}
