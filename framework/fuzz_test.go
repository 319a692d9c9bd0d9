package framework

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load, seeded from the templates and
// testdata. Load must not panic; it returns either a *ValidationError with
// at least one error, or a framework whose invariants hold and which
// survives an export round trip.
func FuzzLoad(f *testing.F) {
	for _, name := range Templates() {
		b, _ := TemplateSource(name)
		f.Add(b)
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(head + ind("a", "direction: -")))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := Load(bytes.NewReader(data), "fuzz.yaml")
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValidationError", err)
			}
			if ve.Errors() == 0 || len(ve.Problems) > MaxProblems {
				t.Fatalf("ValidationError with %d errors among %d problems", ve.Errors(), len(ve.Problems))
			}
			return
		}
		if fw.Goal == nil || HasErrors(fw.Problems) {
			t.Fatalf("loaded framework without goal or with errors: %v", fw.Problems)
		}
		seen := map[string]bool{}
		fw.Walk(func(n *Node) {
			if seen[n.Code] || fw.Find(n.Code) != n {
				t.Fatalf("code %q not unique or not found", n.Code)
			}
			seen[n.Code] = true
			if n != fw.Goal && n.Parent() == nil {
				t.Fatalf("node %q has no parent", n.Code)
			}
		})
		for _, n := range fw.Leaves() {
			switch n.Direction {
			case Higher, Lower, DirectionUnknown:
			default:
				t.Fatalf("indicator %q loaded with direction %q", n.Code, n.Direction)
			}
			if _, ok := fw.LocalWeight(n.Code); ok && n.Weight == nil {
				t.Fatalf("local weight without a weight")
			}
		}
		b, err := fw.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		g, err := Load(bytes.NewReader(b), "fuzz-export.yaml")
		if err != nil {
			t.Fatalf("reload of export failed: %v\n%s", err, b)
		}
		if !fw.Equal(g) {
			t.Fatalf("export round trip changed the framework\n%s", b)
		}
	})
}
