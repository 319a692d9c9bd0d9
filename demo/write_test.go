package demo

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestWriteFiles(t *testing.T) {
	d := mustGenerate(t, small(8, 25))
	dir := filepath.Join(t.TempDir(), "a", "out")
	if err := d.Write(dir, FormatCSV); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"SYNTHETIC", "合成数据", "cityimpact gen --seed 8", `"seed": 8`} {
		if !strings.Contains(string(readme), s) {
			t.Errorf("README.md lacks %q", s)
		}
	}

	// annual.csv reads back to exactly the panel's values.
	rows := readCSV(t, filepath.Join(dir, "annual.csv"))
	p := d.Annual
	if len(rows) != 1+p.Rows() {
		t.Fatalf("annual.csv has %d rows, want %d", len(rows), 1+p.Rows())
	}
	head := rows[0]
	if strings.Join(head[:7], ",") != "unit,name_zh,name_en,province,region,tier,period" || len(head) != 7+35 {
		t.Fatalf("header %v", head)
	}
	for r, row := range rows[1:] {
		u, tt := r/p.T, r%p.T
		if row[0] != p.Units[u].Code || row[5] != p.Units[u].Tier || row[6] != p.Period(tt).String() {
			t.Fatalf("row %d: %v", r+2, row[:7])
		}
		for j, name := range head[7:] {
			want := p.At(name, u, tt)
			if math.IsNaN(want) {
				if row[7+j] != "" {
					t.Fatalf("row %d %s: %q for a missing cell", r+2, name, row[7+j])
				}
				continue
			}
			got, err := strconv.ParseFloat(row[7+j], 64)
			if err != nil || got != want {
				t.Fatalf("row %d %s: %q, want %v", r+2, name, row[7+j], want)
			}
		}
	}

	// monthly.csv: one row per observed cell.
	rows = readCSV(t, filepath.Join(dir, "monthly.csv"))
	obs := 0
	for _, n := range d.Monthly.Indicators() {
		obs += d.Monthly.Count(n)
	}
	if len(rows) != 1+obs || strings.Join(rows[0], ",") != "unit,period,indicator,value" {
		t.Fatalf("monthly.csv: %d rows, header %v; want %d", len(rows), rows[0], 1+obs)
	}

	rows = readCSV(t, filepath.Join(dir, "treatments.csv"))
	if len(rows) != 1+len(d.Treatments) || !strings.Contains(rows[1][4], "synthetic") {
		t.Fatalf("treatments.csv: %d rows, first %v", len(rows), rows[1])
	}

	var tr Truth
	b, _ := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err := json.Unmarshal(b, &tr); err != nil || len(tr.Indicators) != len(d.Truth.Indicators) {
		t.Fatalf("truth.json: %v, %d indicators", err, len(tr.Indicators))
	}

	// Replacing an earlier output works and leaves no temporary directories.
	d2 := mustGenerate(t, small(9, 25))
	d2.Options.Monthly = false
	d2.Monthly = nil
	if err := d2.Write(dir, FormatCSV); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "monthly.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Error("monthly.csv of the earlier output survived")
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	if len(ents) != 1 {
		t.Errorf("parent holds %d entries, want only the output", len(ents))
	}
}

func TestWriteRefusesForeignDir(t *testing.T) {
	d := mustGenerate(t, small(8, 10))
	dir := t.TempDir()
	keep := filepath.Join(dir, "thesis.docx")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := d.Write(dir, FormatCSV)
	var oe *OutputError
	if !errors.As(err, &oe) || !oe.UserFacing() {
		t.Fatalf("error %v, want *OutputError", err)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "x" {
		t.Fatal("existing file touched")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after a refused write", len(ents))
	}
	if err := d.Write(filepath.Join(t.TempDir(), "x"), "xlsx"); err == nil {
		t.Error("unknown format accepted")
	}
}

// A write that fails midway (here: truth.json cannot encode a NaN) removes
// its temporary directory and leaves no output.
func TestWriteFailureLeavesNothing(t *testing.T) {
	d := mustGenerate(t, small(8, 10))
	d.Truth.Indicators = append(d.Truth.Indicators, IndicatorTruth{ATT: math.NaN()}) // JSON cannot encode NaN
	parent := t.TempDir()
	if err := d.Write(filepath.Join(parent, "out"), FormatCSV); err == nil {
		t.Fatal("write with a NaN in truth.json succeeded")
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 0 {
		t.Errorf("failed write left %d entries (%s)", len(ents), ents[0].Name())
	}
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
