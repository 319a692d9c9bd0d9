package econ

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

var updateTables = flag.Bool("update", false, "rewrite econ/testdata/table/*.golden from the current output")

// tableModels are three base_did models: pooled OLS with HC1, one-way FE
// clustered by id, and the event study with two-way FE.
func tableModels(t *testing.T) []*Result {
	data := readFrame(t, "testdata/fixest_base_did.csv")
	var out []*Result
	for _, c := range []struct {
		f string
		o Options
	}{
		{"y ~ x1 + treat:post", Options{VCov: VCovHC1}},
		{"y ~ x1 + treat:post | id", Options{}},
		{"y ~ x1 + treat:post | id + period", Options{VCov: VCovTwoWay}},
	} {
		r, err := Estimate(data, c.f, c.o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// Each format is compared with its golden file (go test ./econ -run
// TestTableGolden -update rewrites them); the XLSX is read back and must
// hold the CSV's cells.
func TestTableGolden(t *testing.T) {
	tab := NewTable(tableModels(t), TableOptions{Labels: map[string]string{"treat:post": "Treated × post"}})
	for _, c := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"etable.txt", func(b *bytes.Buffer) error { return tab.WriteText(b) }},
		{"etable.md", func(b *bytes.Buffer) error { return tab.WriteMarkdown(b) }},
		{"etable.tex", func(b *bytes.Buffer) error { return tab.WriteLaTeX(b) }},
		{"etable.csv", func(b *bytes.Buffer) error { return tab.WriteCSV(b) }},
		{"etable.json", func(b *bytes.Buffer) error { return tab.WriteJSON(b) }},
	} {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "table", c.file+".golden")
		if *updateTables {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s:\n%s", c.file, path, b.String())
		}
	}
	// XLSX: the same cells as the CSV.
	var xb, cb bytes.Buffer
	if err := tab.WriteXLSX(&xb); err != nil {
		t.Fatal(err)
	}
	tab.WriteCSV(&cb)
	recs, _ := csv.NewReader(&cb).ReadAll()
	x, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Table")
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		for j, want := range rec {
			got := ""
			if j < len(rows[i]) {
				got = rows[i][j]
			}
			if got != want {
				t.Errorf("xlsx row %d col %d = %q; want %q", i+1, j+1, got, want)
			}
		}
	}
	// JSON parses and has the coefficient of model 3 with its SE.
	var js struct {
		Coefficients []struct {
			Name  string
			Cells []*struct{ Estimate, SE float64 }
		}
	}
	var jb bytes.Buffer
	tab.WriteJSON(&jb)
	if err := json.Unmarshal(jb.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	m := tableModels(t)
	c := mustCoef(t, m[2], "treat:post")
	found := false
	for _, r := range js.Coefficients {
		if r.Name != "treat:post" {
			continue
		}
		found = true
		if got := r.Cells[2]; got == nil || got.Estimate != c.Estimate || got.SE != c.SE {
			t.Errorf("JSON cell %+v; want %v (%v)", got, c.Estimate, c.SE)
		}
	}
	if !found {
		t.Error("no treat:post row in the JSON")
	}
}

// Stars follow fixest's default thresholds, strictly below each.
func TestStars(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want string
	}{{0.001, "***"}, {0.0099, "***"}, {0.01, "**"}, {0.049, "**"}, {0.05, "*"}, {0.0999, "*"}, {0.1, ""}, {0.7, ""}} {
		if got := stars(c.p, DefaultStars); got != c.want {
			t.Errorf("stars(%v) = %q; want %q", c.p, got, c.want)
		}
	}
}
