package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cityimpact/cityimpact/evaluation"
)

// FuzzWriters reads results.json as any reader of it would (a results
// file from disk or another version may have inconsistent lengths) and
// renders it with every writer: none may panic, the LaTeX must pass the
// structure check, and Markdown and LaTeX must not print NaN. Seeded with
// the fixture and the empty result.
func FuzzWriters(f *testing.F) {
	b, err := fixture().JSON()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"periods":["2020"],"units":[{"code":"1","name":{"zh":"","en":""}}],"index":{"rank":[1,2,3],"scores":[[null]]},"framework":{"nodes":[{"code":"goal","parent":-1},{"code":"d","parent":0}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r evaluation.Results
		if json.Unmarshal(data, &r) != nil {
			return
		}
		// Output grows with units × periods × nodes by design (the scores
		// sheet); keep each run small so the fuzzer explores shapes.
		if (len(r.Units)+1)*(len(r.Periods)+1)*(len(r.Framework.Nodes)+1) > 20000 {
			return
		}
		var md, tex, x bytes.Buffer
		for _, lang := range []string{"zh", "en", "both"} {
			if err := Markdown(&md, &r, lang); err != nil {
				t.Fatal(err)
			}
		}
		if err := LaTeX(&tex, &r); err != nil {
			t.Fatal(err)
		}
		if err := checkTeX(tex.String()); err != nil {
			t.Fatalf("tables.tex: %v", err)
		}
		if bytes.Contains(md.Bytes(), []byte("NaN")) && !bytes.Contains(data, []byte("NaN")) {
			t.Fatalf("report.md prints NaN")
		}
		if err := XLSX(&x, &r); err != nil {
			t.Fatalf("xlsx: %v", err)
		}
	})
}
