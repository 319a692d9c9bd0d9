package ingest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/errors/*.err from the current messages")

// TestFixtures reads every testdata/errors/*.csv: a bad_* or mixed_* file
// must fail with exactly the messages in the .err file next to it (one per
// line, as the CLI prints them); a good_* file must load. Regenerate the
// .err files with `go test ./ingest -run Fixtures -update` and review the diff.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.csv")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ps, err := ReadCSVFile(f, Options{Name: filepath.Base(f)})
			if strings.HasPrefix(filepath.Base(f), "good_") {
				if err != nil || len(ps) == 0 {
					t.Fatalf("ReadCSVFile(%s) = %v", f, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadCSVFile(%s) loaded a bad file", f)
			}
			golden := f + ".err"
			got := err.Error() + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if got != string(want) {
				t.Errorf("ReadCSVFile(%s) errors:\n%s\nwant (%s):\n%s", f, got, golden, want)
			}
		})
	}
}
