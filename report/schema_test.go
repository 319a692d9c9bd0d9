package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cityimpact/cityimpact/evaluation"
)

// compileSchema compiles ResultsSchema with santhosh-tekuri/jsonschema
// (draft 2020-12, metaschema validation included).
func compileSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ResultsSchema))
	if err != nil {
		t.Fatalf("results.schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("results.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("results.schema.json")
	if err != nil {
		t.Fatalf("results.schema.json does not compile: %v", err)
	}
	return s
}

// validateJSON validates results.json bytes against the schema.
func validateJSON(s *jsonschema.Schema, b []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

func TestSchemaValidatesFixture(t *testing.T) {
	s := compileSchema(t)
	b, err := fixture().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(s, b); err != nil {
		t.Fatalf("fixture results do not validate: %v", err)
	}
	// The zero Results (nil slices as null, nil spec) is valid too, apart
	// from the schema version, which must be the current one.
	empty := &evaluation.Results{Schema: evaluation.ResultsSchema}
	if b, err = empty.JSON(); err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(s, b); err != nil {
		t.Errorf("empty results do not validate: %v", err)
	}
}

// mutate unmarshals b, applies f to the generic JSON value, marshals back.
func mutate(t *testing.T, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t)
	b, err := fixture().JSON()
	if err != nil {
		t.Fatal(err)
	}
	obj := func(m map[string]any, path ...any) map[string]any {
		var v any = m
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v.(map[string]any)
	}
	for _, tc := range []struct {
		name string
		f    func(m map[string]any)
		loc  string // instance location the error must name
	}{
		{"unknown top-level key", func(m map[string]any) { m["extra"] = 1 }, ""},
		{"missing top-level field", func(m map[string]any) { delete(m, "generated") }, ""},
		{"wrong schema version", func(m map[string]any) { m["schema"] = "cityimpact/results/v0" }, "/schema"},
		{"number as string", func(m map[string]any) { obj(m, "index")["rank"].([]any)[0] = "1" }, "/index/rank/0"},
		{"string as number", func(m map[string]any) { obj(m, "units", 0)["code"] = 110000 }, "/units/0/code"},
		{"missing nested field", func(m map[string]any) { delete(obj(m, "cities", 2), "narrative") }, "/cities/2"},
		{"unknown nested key", func(m map[string]any) { obj(m, "causal", 0, "estimates", 0)["stars"] = "**" }, "/causal/0/estimates/0"},
		{"text without en", func(m map[string]any) { delete(obj(m, "title"), "en") }, "/title"},
		{"integer with decimals", func(m map[string]any) { obj(m, "causal", 0)["nobs"] = 31.5 }, "/causal/0/nobs"},
		{"negative count", func(m map[string]any) { obj(m, "policy")["treated"] = -1 }, "/policy/treated"},
		{"bad direction", func(m map[string]any) { obj(m, "framework", "nodes", 3)["direction"] = "up" }, "/framework/nodes/3/direction"},
		{"object for array", func(m map[string]any) { m["alerts"] = map[string]any{} }, "/alerts"},
		{"NaN written as string", func(m map[string]any) { obj(m, "cities", 0)["score"] = "NaN" }, "/cities/0/score"},
		{"spec key misspelt", func(m map[string]any) { obj(m, "spec", "peers")["consecutve"] = 2 }, "/spec/peers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validateJSON(s, mutate(t, b, tc.f))
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("validate = %v; want a ValidationError", err)
			}
			if loc := deepestLocation(ve); !strings.HasPrefix(loc, tc.loc) {
				t.Errorf("error at %q; want under %q (%v)", loc, tc.loc, err)
			}
		})
	}
}

// deepestLocation returns the instance location of the most specific cause.
func deepestLocation(ve *jsonschema.ValidationError) string {
	best := "/" + strings.Join(ve.InstanceLocation, "/")
	if len(ve.InstanceLocation) == 0 {
		best = ""
	}
	for _, c := range ve.Causes {
		if l := deepestLocation(c); len(l) > len(best) {
			best = l
		}
	}
	return best
}

// TestSchemaMatchesGoTypes walks evaluation.Results and the schema side by
// side: every struct is a closed object whose properties are exactly the
// JSON names of its fields, required exactly when the field has no
// omitempty; Num is #/$defs/num; slices are arrays (nullable unless
// omitempty), maps objects, pointers nullable unless omitempty; basic
// types have the matching JSON type. A field added to results.go without
// the schema (or the reverse) fails here, naming the path.
func TestSchemaMatchesGoTypes(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(ResultsSchema, &root); err != nil {
		t.Fatal(err)
	}
	w := &schemaWalker{defs: root["$defs"].(map[string]any)}
	w.check("#", reflect.TypeFor[evaluation.Results](), root, false)
	for _, e := range w.errs {
		t.Error(e)
	}
	// Every $def is used.
	for name := range w.defs {
		if !w.used[name] {
			t.Errorf("$defs/%s is not used by any field", name)
		}
	}
}

// TestSchemaWalkerCatchesDrift: the walker itself fails on a schema that
// lost a field, gained one, or made a slice non-nullable.
func TestSchemaWalkerCatchesDrift(t *testing.T) {
	for name, edit := range map[string]func(root map[string]any){
		"lost field": func(root map[string]any) {
			delete(root["$defs"].(map[string]any)["gap"].(map[string]any)["properties"].(map[string]any), "median")
		},
		"extra field": func(root map[string]any) {
			root["$defs"].(map[string]any)["alert"].(map[string]any)["properties"].(map[string]any)["extra"] = map[string]any{"type": "string"}
		},
		"slice not nullable": func(root map[string]any) {
			root["properties"].(map[string]any)["notes"] = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
		},
		"int as number": func(root map[string]any) {
			root["$defs"].(map[string]any)["cityDiagnosis"].(map[string]any)["properties"].(map[string]any)["of"] = map[string]any{"type": "number"}
		},
	} {
		var root map[string]any
		if err := json.Unmarshal(ResultsSchema, &root); err != nil {
			t.Fatal(err)
		}
		edit(root)
		w := &schemaWalker{defs: root["$defs"].(map[string]any)}
		w.check("#", reflect.TypeFor[evaluation.Results](), root, false)
		if len(w.errs) == 0 {
			t.Errorf("%s: walker found nothing", name)
		}
	}
}

type schemaWalker struct {
	defs map[string]any
	used map[string]bool
	errs []string
}

func (w *schemaWalker) errorf(path, format string, a ...any) {
	w.errs = append(w.errs, path+": "+fmt.Sprintf(format, a...))
}

// resolve follows $ref and returns the schema node and whether it allows
// null (through an anyOf with {"type": "null"} or a type list with null).
func (w *schemaWalker) resolve(s map[string]any) (map[string]any, bool) {
	nullable := false
	for {
		if alts, ok := s["anyOf"].([]any); ok && len(alts) == 2 {
			a, b := alts[0].(map[string]any), alts[1].(map[string]any)
			if b["type"] == "null" {
				s, nullable = a, true
				continue
			}
		}
		if ref, ok := s["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/$defs/")
			if w.used == nil {
				w.used = map[string]bool{}
			}
			w.used[name] = true
			s = w.defs[name].(map[string]any)
			continue
		}
		break
	}
	if ts, ok := s["type"].([]any); ok && slices.Contains(ts, any("null")) {
		nullable = true
	}
	return s, nullable
}

// hasType reports whether s's "type" is or includes t.
func hasType(s map[string]any, t string) bool {
	switch v := s["type"].(type) {
	case string:
		return v == t
	case []any:
		return slices.Contains(v, any(t))
	}
	return false
}

var numType = reflect.TypeFor[evaluation.Num]()

func (w *schemaWalker) check(path string, typ reflect.Type, s map[string]any, omitempty bool) {
	if typ == numType {
		if s["$ref"] != "#/$defs/num" {
			w.errorf(path, "Num field must be {$ref: #/$defs/num}, got %v", s)
		}
		w.resolve(s)
		return
	}
	node, nullable := w.resolve(s)
	if _, isConst := node["const"]; isConst {
		return
	}
	if _, isEnum := node["enum"]; isEnum && typ.Kind() == reflect.String {
		return
	}
	switch typ.Kind() {
	case reflect.Pointer:
		if !omitempty && !nullable {
			w.errorf(path, "pointer without omitempty must allow null")
		}
		if typ.Elem() == numType {
			w.check(path, numType, s, omitempty)
			return
		}
		w.check(path, typ.Elem(), node, true)
	case reflect.Slice:
		if !hasType(node, "array") {
			w.errorf(path, "slice must be an array")
		}
		if !omitempty && !nullable {
			w.errorf(path, "slice without omitempty must allow null (nil marshals as null)")
		}
		items, _ := node["items"].(map[string]any)
		if items == nil {
			w.errorf(path, "array without items")
			return
		}
		w.check(path+"[]", typ.Elem(), items, true)
	case reflect.Map:
		if !hasType(node, "object") {
			w.errorf(path, "map must be an object")
		}
		ap, _ := node["additionalProperties"].(map[string]any)
		if ap == nil {
			w.errorf(path, "map without additionalProperties schema")
			return
		}
		w.check(path+"{}", typ.Elem(), ap, true)
	case reflect.Struct:
		if !hasType(node, "object") || node["additionalProperties"] != false {
			w.errorf(path, "struct must be a closed object")
		}
		props, _ := node["properties"].(map[string]any)
		var req []string
		for _, r := range node["required"].([]any) {
			req = append(req, r.(string))
		}
		var names, wantReq []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			omit := strings.Contains(opts, "omitempty")
			names = append(names, name)
			if !omit {
				wantReq = append(wantReq, name)
			}
			ps, ok := props[name].(map[string]any)
			if !ok {
				w.errorf(path, "field %s (%s) missing from the schema's properties", name, f.Name)
				continue
			}
			w.check(path+"/"+name, f.Type, ps, omit)
		}
		for p := range props {
			if !slices.Contains(names, p) {
				w.errorf(path, "schema property %s has no Go field", p)
			}
		}
		sort.Strings(req)
		sort.Strings(wantReq)
		if !slices.Equal(req, wantReq) {
			w.errorf(path, "required %v; Go fields without omitempty %v", req, wantReq)
		}
	case reflect.String:
		if !hasType(node, "string") {
			w.errorf(path, "string field must be a string")
		}
	case reflect.Bool:
		if !hasType(node, "boolean") {
			w.errorf(path, "bool field must be a boolean")
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if !hasType(node, "integer") {
			w.errorf(path, "int field must be an integer")
		}
	case reflect.Uint64, reflect.Uint, reflect.Uint32:
		if !hasType(node, "integer") || node["minimum"] != 0.0 {
			w.errorf(path, "unsigned field must be an integer with minimum 0")
		}
	case reflect.Float64:
		if !hasType(node, "number") {
			w.errorf(path, "float field must be a number")
		}
	default:
		w.errorf(path, "unhandled kind %s", typ.Kind())
	}
}
