package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestTemplatesUpToDate checks that the committed templates are what the
// generator makes of the committed facts (run `go generate ./framework`
// after changing either).
func TestTemplatesUpToDate(t *testing.T) {
	files, err := Generate("facts")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Errorf("generated %d templates; want 4", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", "templates", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("templates/%s is stale: run go generate ./framework", name)
		}
	}
}
