package framework

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestTargetFrom checks the optional target_from key: decoded as a year,
// exposed by TargetApplies, written to JSON and kept by Marshal.
func TestTargetFrom(t *testing.T) {
	y := head + ind("a", `direction: "+"`, "target: 100", "target_from: 2025") +
		ind("b", `direction: "+"`, "target: 5") +
		ind("c", `direction: "-"`, "target: {megacity: 1, default: 2}", "target_from: 2024.0")
	f, err := Load(strings.NewReader(y), "tf.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := f.Find("a"), f.Find("b"), f.Find("c")
	if a.TargetFrom != 2025 || b.TargetFrom != 0 || c.TargetFrom != 2024 {
		t.Fatalf("TargetFrom = %d, %d, %d; want 2025, 0, 2024", a.TargetFrom, b.TargetFrom, c.TargetFrom)
	}
	for _, tc := range []struct {
		n    *Node
		year int
		want bool
	}{{a, 2024, false}, {a, 2025, true}, {a, 2030, true}, {b, 1990, true}, {c, 2023, false}, {c, 2024, true}} {
		if got := tc.n.TargetApplies(tc.year); got != tc.want {
			t.Errorf("%s.TargetApplies(%d) = %v; want %v", tc.n.Code, tc.year, got, tc.want)
		}
	}
	if (&Node{Code: "x", TargetFrom: 2020}).TargetApplies(2030) {
		t.Error("TargetApplies true for a node without a target")
	}
	js, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(`"target":100,"target_from":2025`)) || bytes.Count(js, []byte("target_from")) != 2 {
		t.Errorf("JSON lacks target_from for a and c only: %s", js)
	}
	out, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("target: 100\n      target_from: 2025\n")) {
		t.Errorf("Marshal did not write target_from after target:\n%s", out)
	}
	g, err := Load(bytes.NewReader(out), "tf exported")
	if err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if !f.Equal(g) || g.Find("a").TargetFrom != 2025 || g.Find("c").TargetFrom != 2024 {
		t.Errorf("round trip lost target_from:\n%s", out)
	}
	g.Find("a").TargetFrom = 2026
	if f.Equal(g) {
		t.Error("Equal missed a changed target_from")
	}
	g.Find("a").TargetFrom = 0
	if f.Equal(g) {
		t.Error("Equal missed a removed target_from")
	}
}

// TestTargetFromProblems checks the errors for target_from: kind, line,
// key path and message, like TestProblems.
func TestTargetFromProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		kind Kind
		line int
		path string
		msg  string // a part of the message
	}{
		{"year before 1900", head + ind("a", `direction: "+"`, "target: 90", "target_from: 1850"),
			KindBadValue, 11, "goal.children[0].target_from", "want a year from 1900 to 2200"},
		{"year after 2200", head + ind("a", `direction: "+"`, "target: 90", "target_from: 20250"),
			KindBadValue, 11, "goal.children[0].target_from", "target_from 20250"},
		{"fraction", head + ind("a", `direction: "+"`, "target: 90", "target_from: 2025.5"),
			KindBadValue, 11, "goal.children[0].target_from", "want a year"},
		{"zero", head + ind("a", `direction: "+"`, "target: 90", "target_from: 0"),
			KindBadValue, 11, "goal.children[0].target_from", "want a year"},
		{"huge", head + ind("a", `direction: "+"`, "target: 90", "target_from: 1e300"),
			KindBadValue, 11, "goal.children[0].target_from", "want a year"},
		{"empty", head + ind("a", `direction: "+"`, "target: 90", "target_from:"),
			KindNotNumber, 11, "goal.children[0].target_from", "target_from is empty"},
		{"not a number", head + ind("a", `direction: "+"`, "target: 90", "target_from: next year"),
			KindNotNumber, 11, "goal.children[0].target_from", "not a number"},
		{"quoted year", head + ind("a", `direction: "+"`, "target: 90", `target_from: "2025"`),
			KindNotNumber, 11, "goal.children[0].target_from", "not a number"},
		{"without a target", head + ind("a", `direction: "+"`, "target_from: 2025"),
			KindMissing, 10, "goal.children[0].target_from", "without a target"},
		{"with an empty target", head + ind("a", `direction: "+"`, "target:", "target_from: 2025"),
			KindMissing, 11, "goal.children[0].target_from", "without a target"},
		{"misspelt key", head + ind("a", `direction: "+"`, "target: 90", "target_form: 2025"),
			KindUnknownKey, 11, "goal.children[0].target_form", `did you mean "target_from"?`},
		{"on a dimension", head + "    - code: d\n      name_en: D\n      target_from: 2025\n      children:\n" +
			"        - code: a\n          name_en: A\n          direction: \"+\"\n",
			KindLeafField, 9, "goal.children[0].target_from", "indicator field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.yaml), "test.yaml")
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load error = %v; want a *ValidationError\n%s", err, tt.yaml)
			}
			p, ok := findProblem(ve.Problems, tt.kind)
			if !ok {
				t.Fatalf("no %s problem among %v", tt.kind, ve.Problems)
			}
			if p.Severity != SeverityError || p.File != "test.yaml" || p.Line != tt.line || p.Column < 7 ||
				p.Path != tt.path || !strings.Contains(p.Msg, tt.msg) {
				t.Errorf("problem = %s (line %d column %d path %q); want an error at line %d, column of the key or value (≥ 7), path %q, message with %q",
					p, p.Line, p.Column, p.Path, tt.line, tt.path, tt.msg)
			}
			if len(ve.Problems) != 1 {
				t.Errorf("%d problems %v; want exactly one", len(ve.Problems), ve.Problems)
			}
		})
	}
}

// TestTargetFromInCode checks Validate on frameworks built in code: the
// year range and the missing target, without positions.
func TestTargetFromInCode(t *testing.T) {
	tg := &Target{Value: 90}
	f := &Framework{Code: "c", NameEn: "C", Goal: &Node{Code: "g", NameEn: "G", Children: []*Node{
		{Code: "a", NameEn: "A", Direction: Higher, Target: tg, TargetFrom: 1899},
		{Code: "b", NameEn: "B", Direction: Higher, TargetFrom: 2025},
		{Code: "c", NameEn: "C", Direction: Higher, Target: tg, TargetFrom: 2200},
	}}}
	ps := f.Validate()
	var got []string
	for _, p := range ps {
		got = append(got, p.Code+" "+string(p.Kind)+" "+p.Path)
	}
	want := "a bad-value goal.children[0].target_from|b missing goal.children[1].target_from"
	if strings.Join(got, "|") != want {
		t.Errorf("Validate = %q; want %q", strings.Join(got, "|"), want)
	}
}

// TestSeedTargetFrom: seed-2025 dates the two targets that the seed cites
// as 2025 requirements (§3.6.1 desensitisation, §2.2.3/§3.4.1 the Ministry
// of Civil Affairs' 2025 智慧社区建设指南) and leaves the two observed
// levels of leading cities (data sharing 78%, satisfaction 92.3%) undated.
func TestSeedTargetFrom(t *testing.T) {
	f := mustTemplate(t, "seed-2025")
	want := map[string]int{"desensitisation_rate": 2025, "agefriendly_terminals": 2025, "data_sharing_rate": 0, "satisfaction": 0}
	for _, n := range f.Leaves() {
		w, ok := want[n.Code]
		if !ok && n.TargetFrom != 0 {
			t.Errorf("%s: target_from %d; the seed dates no target of it", n.Code, n.TargetFrom)
		}
		if ok && (n.TargetFrom != w || n.Target == nil) {
			t.Errorf("%s: target_from %d (target %v); want %d", n.Code, n.TargetFrom, n.Target, w)
		}
		if n.TargetFrom != 0 && !strings.Contains(n.Source, "target_from 2025") {
			t.Errorf("%s: the source note does not explain target_from: %s", n.Code, n.Source)
		}
	}
}
