package framework

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// head is a valid header; tests append a goal. Line numbers in the cases
// below count from 1 at "code: t".
const head = "code: t\nname_en: T\ngoal:\n  code: g\n  name_en: G\n  children:\n"

// ind returns an indicator node at list indentation 4 with extra lines.
func ind(code string, extra ...string) string {
	s := "    - code: " + code + "\n      name_en: " + code + "\n"
	for _, e := range extra {
		s += "      " + e + "\n"
	}
	return s
}

// findProblem returns the first problem of kind k.
func findProblem(ps []Problem, k Kind) (Problem, bool) {
	for _, p := range ps {
		if p.Kind == k {
			return p, true
		}
	}
	return Problem{}, false
}

// TestProblems checks each validation problem: its kind, severity, file,
// line and key path, via errors.As on *ValidationError (or the loaded
// framework's Problems for warnings and notes).
func TestProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		kind Kind
		sev  Severity
		line int
		path string
	}{
		{"duplicate code", head + ind("a", `direction: "+"`) + ind("a", `direction: "+"`),
			KindDuplicateCode, SeverityError, 10, "goal.children[1].code"},
		{"indicator without direction", head + ind("a", "unit: '%'"),
			KindNoDirection, SeverityError, 7, "goal.children[0].direction"},
		{"direction unknown is a warning", head + ind("a", "direction: unknown"),
			KindUnknownDir, SeverityWarning, 9, "goal.children[0].direction"},
		{"direction not + or -", head + ind("a", "direction: up"),
			KindBadValue, SeverityError, 9, "goal.children[0].direction"},
		{"unknown frequency", head + ind("a", `direction: "+"`, "frequency: weekly"),
			KindFrequency, SeverityError, 10, "goal.children[0].frequency"},
		{"unknown aggregation", head + ind("a", `direction: "+"`, "aggregation: median"),
			KindAggregation, SeverityError, 10, "goal.children[0].aggregation"},
		{"monthly without aggregation", head + ind("a", `direction: "+"`, "frequency: month"),
			KindAggregation, SeverityError, 7, "goal.children[0].aggregation"},
		{"weights do not sum to 1", head + ind("a", `direction: "+"`, "weight: 0.5") + ind("b", `direction: "+"`, "weight: 0.4"),
			KindWeightSum, SeverityError, 6, "goal.children"},
		{"percent weights are a note", head + ind("a", `direction: "+"`, "weight: 60") + ind("b", `direction: "+"`, "weight: 40"),
			KindPercentWeight, SeverityNote, 6, "goal.children"},
		{"some children without weight", head + ind("a", `direction: "+"`, "weight: 1") + ind("b", `direction: "+"`),
			KindWeightPartial, SeverityError, 6, "goal.children"},
		{"negative weight", head + ind("a", `direction: "+"`, "weight: -0.5") + ind("b", `direction: "+"`, "weight: 1.5"),
			KindNegWeight, SeverityError, 10, "goal.children[0].weight"},
		{"unknown key (typo)", head + ind("a", `directon: "+"`),
			KindUnknownKey, SeverityError, 9, "goal.children[0].directon"},
		{"unknown header key", "code: t\nnmae_en: T\n",
			KindUnknownKey, SeverityError, 2, "nmae_en"},
		{"duplicate key", head + ind("a", `direction: "+"`, `direction: "-"`),
			KindDuplicateKey, SeverityError, 10, "goal.children[0].direction"},
		{"target not a number", head + ind("a", `direction: "+"`, "target: high"),
			KindNotNumber, SeverityError, 10, "goal.children[0].target"},
		{"quoted number is not a number", head + ind("a", `direction: "+"`, `target: "90"`),
			KindNotNumber, SeverityError, 10, "goal.children[0].target"},
		{"peer-group target not a number", head + ind("a", `direction: "+"`, "target:", "  megacity: 95", "  large: lots"),
			KindNotNumber, SeverityError, 12, "goal.children[0].target.large"},
		{"floor not a number", head + ind("a", `direction: "+"`, "floor: [80]"),
			KindNotNumber, SeverityError, 10, "goal.children[0].floor"},
		{"weight infinite", head + ind("a", `direction: "+"`, "weight: .inf"),
			KindNotNumber, SeverityError, 10, "goal.children[0].weight"},
		{"floor above target, higher is better", head + ind("a", `direction: "+"`, "target: 90", "floor: 95"),
			KindFloorTarget, SeverityError, 11, "goal.children[0].floor"},
		{"floor above a group target", head + ind("a", `direction: "+"`, "target:", "  megacity: 95", "  small: 70", "floor: 80"),
			KindFloorTarget, SeverityError, 13, "goal.children[0].floor"},
		{"floor below target, lower is better", head + ind("a", `direction: "-"`, "target: 2", "floor: 1"),
			KindFloorTarget, SeverityError, 11, "goal.children[0].floor"},
		{"indicator field on a dimension", head + "    - code: d\n      name_en: D\n      unit: '%'\n      children:\n" +
			"        - code: a\n          name_en: A\n          direction: \"+\"\n",
			KindLeafField, SeverityError, 9, "goal.children[0].unit"},
		{"empty dimension is a warning", head + ind("a", `direction: "+"`) + "    - code: d\n      name_en: D\n      children: []\n",
			KindEmptyGroup, SeverityWarning, 10, "goal.children[1]"},
		{"bad class", head + ind("a", `direction: "+"`, "class: optional"),
			KindBadValue, SeverityError, 10, "goal.children[0].class"},
		{"code missing", head + "    - name_en: A\n      direction: \"+\"\n",
			KindMissing, SeverityError, 7, "goal.children[0].code"},
		{"code with a space", head + ind("a b", `direction: "+"`),
			KindBadValue, SeverityError, 7, "goal.children[0].code"},
		{"no name", head + "    - code: a\n      direction: \"+\"\n",
			KindMissing, SeverityError, 7, "goal.children[0].name_zh"},
		{"unsupported schema", "schema: 2\n" + head + ind("a", `direction: "+"`),
			KindSchema, SeverityError, 1, "schema"},
		{"framework code missing", "name_en: T\ngoal:\n  code: g\n  name_en: G\n  children:\n" + ind("a", `direction: "+"`),
			KindMissing, SeverityError, 0, "code"},
		{"goal without children", "code: t\nname_en: T\ngoal:\n  code: g\n  name_en: G\n",
			KindMissing, SeverityError, 4, "goal.children"},
		{"children not a list", head[:len(head)-len("  children:\n")] + "  children: 3\n",
			KindSyntax, SeverityError, 6, "goal.children"},
		{"YAML syntax error", head + ind("a", "direction: a: b"),
			KindSyntax, SeverityError, 9, ""},
		{"bare dash", head + ind("a", "direction: -"),
			KindSyntax, SeverityError, 9, ""},
		{"alias", head + "    - &x\n      code: a\n      name_en: A\n      direction: \"+\"\n    - code: b\n      name_en: B\n      direction: *x\n",
			KindSyntax, SeverityError, 13, "goal.children[1]"},
		{"empty file", "", KindSyntax, SeverityError, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Load(strings.NewReader(tt.yaml), "test.yaml")
			var ps []Problem
			if tt.sev == SeverityError {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("Load error = %v; want a *ValidationError\n%s", err, tt.yaml)
				}
				if !ve.UserFacing() || ve.Errors() == 0 {
					t.Errorf("UserFacing = %v, Errors = %d; want true, > 0", ve.UserFacing(), ve.Errors())
				}
				ps = ve.Problems
			} else {
				if err != nil {
					t.Fatalf("Load: %v; want a framework with a %s", err, tt.sev)
				}
				ps = f.Problems
			}
			p, ok := findProblem(ps, tt.kind)
			if !ok {
				t.Fatalf("no %s problem among %v", tt.kind, ps)
			}
			if p.Severity != tt.sev || p.File != "test.yaml" || p.Line != tt.line || p.Path != tt.path {
				t.Errorf("problem = {%s %s line %d path %q}; want {%s test.yaml line %d path %q}\n%s",
					p.Severity, p.File, p.Line, p.Path, tt.sev, tt.line, tt.path, p)
			}
		})
	}
}

// TestProblemsAllReported checks that one file with several errors gets
// them all, sorted by line, not just the first.
func TestProblemsAllReported(t *testing.T) {
	y := head + ind("a", `directon: "+"`) + ind("a", `direction: "+"`, "frequency: weekly") + ind("c", `direction: "+"`, "target: x")
	_, err := Load(strings.NewReader(y), "many.yaml")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v; want *ValidationError", err)
	}
	// The misspelt directon is reported once, as an unknown key, not also
	// as a missing direction.
	want := []Kind{KindUnknownKey, KindDuplicateCode, KindFrequency, KindNotNumber}
	var got []Kind
	for _, p := range ve.Problems {
		got = append(got, p.Kind)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("kinds = %v; want %v", got, want)
	}
	for i := 1; i < len(ve.Problems); i++ {
		if ve.Problems[i].Line < ve.Problems[i-1].Line {
			t.Errorf("problems not sorted by line: %v", ve.Problems)
		}
	}
}

// TestProblemsCapped checks the cap: 60 duplicate codes give MaxProblems
// listed and the rest counted, errors kept before warnings.
func TestProblemsCapped(t *testing.T) {
	y := head
	for i := 0; i < 61; i++ {
		y += ind("a", "direction: unknown")
	}
	_, err := Load(strings.NewReader(y), "dup.yaml")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v; want *ValidationError", err)
	}
	// 60 duplicate-code errors + 61 unknown-direction warnings
	if len(ve.Problems) != MaxProblems || ve.Omitted != 60+61-MaxProblems {
		t.Errorf("listed %d, omitted %d; want %d, %d", len(ve.Problems), ve.Omitted, MaxProblems, 60+61-MaxProblems)
	}
	if n := ve.Errors(); n != MaxProblems {
		t.Errorf("errors listed = %d; want %d (errors kept before warnings)", n, MaxProblems)
	}
}

// TestValidateInCode checks frameworks built in code: Validate finds the
// same problems, without positions.
func TestValidateInCode(t *testing.T) {
	w := func(x float64) *float64 { return &x }
	f := &Framework{Code: "c", NameEn: "C", Goal: &Node{Code: "g", NameEn: "G", Children: []*Node{
		{Code: "a", NameEn: "A", Direction: Higher, Weight: w(0.7), Frequency: "weekly"},
		{Code: "b", NameEn: "B", Weight: w(0.2)},
	}}}
	ps := f.Validate()
	for _, k := range []Kind{KindFrequency, KindNoDirection, KindWeightSum} {
		if _, ok := findProblem(ps, k); !ok {
			t.Errorf("Validate: no %s problem in %v", k, ps)
		}
	}
	if f.Find("b").Parent() != f.Goal {
		t.Errorf("Validate did not link parents")
	}
}

// TestProblemColumns checks that problems found by the decoder and by the
// value checks both carry the column of the key concerned.
func TestProblemColumns(t *testing.T) {
	y := head + ind("a", `directon: "+"`) + ind("b", `direction: "+"`, "frequency: weekly")
	_, err := Load(strings.NewReader(y), "col.yaml")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v; want *ValidationError", err)
	}
	for _, k := range []Kind{KindUnknownKey, KindFrequency} {
		p, ok := findProblem(ve.Problems, k)
		if !ok || p.Column != 7 { // keys of a list item at indentation 4 start in column 7
			t.Errorf("%s problem column = %d (found %v); want 7", k, p.Column, ok)
		}
	}
}
