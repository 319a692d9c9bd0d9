package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestIndexReproducible: the same inputs and flags give byte-identical JSON
// (Monte Carlo included), the provenance names version, framework hash and
// data hash, and changing one option changes the recorded method.
func TestIndexReproducible(t *testing.T) {
	data := idxDemo(t)
	args := []string{"index", "--data", data, "--format", "json", "--period", "2020", "--uncertainty", "20", "--seed", "3"}
	c1, out1, e1 := runCLI(t, args...)
	c2, out2, e2 := runCLI(t, args...)
	if c1 != ExitOK || c2 != ExitOK {
		t.Fatalf("exit %d %d: %s %s", c1, c2, e1, e2)
	}
	if out1 != out2 {
		t.Fatal("two runs with the same inputs printed different JSON")
	}
	type rec struct {
		Provenance provenance `json:"provenance"`
	}
	var r1 rec
	if err := json.Unmarshal([]byte(out1), &r1); err != nil {
		t.Fatal(err)
	}
	p := r1.Provenance
	b, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if p.Version != Version || len(p.FrameworkSHA256) != 64 || p.Framework != "seed-2025" || p.Edition == "" ||
		len(p.Inputs) != 1 || !strings.HasSuffix(p.Inputs[0], hex.EncodeToString(sum[:])) {
		t.Errorf("provenance %+v", p)
	}
	if p.Uncertainty == nil || p.Uncertainty.Seed != 3 || p.Uncertainty.Replicates != 20 || len(p.Uncertainty.Aggregations) < 2 {
		t.Errorf("uncertainty record %+v", p.Uncertainty)
	}
	if p.Method.Aggregate != "linear" || p.Method.Rho != 0.5 || p.Method.Alpha != 0.5 || p.Method.GradeVetoCap == "" {
		t.Errorf("method defaults not filled in: %+v", p.Method)
	}
	for flag, val := range map[string]string{"--aggregate": "geometric", "--alpha": "0.3", "--seed": "4", "--missing": "unit-mean"} {
		a := append(append([]string(nil), args...), flag, val)
		c, out, e := runCLI(t, a...)
		if c != ExitOK {
			t.Fatalf("%s %s: exit %d: %s", flag, val, c, e)
		}
		var r rec
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		m0, _ := json.Marshal(p)
		m1, _ := json.Marshal(r.Provenance)
		if bytes.Equal(m0, m1) {
			t.Errorf("%s %s: provenance unchanged", flag, val)
		}
	}
}

// TestProvenanceFile: CSV output has its provenance in --provenance FILE,
// the same record as the JSON output carries; weights and rank JSON carry it.
func TestProvenanceFile(t *testing.T) {
	data := idxDemo(t)
	pf := filepath.Join(t.TempDir(), "prov.json")
	if c, _, e := runCLI(t, "index", "--data", data, "--format", "csv", "--provenance", pf); c != ExitOK {
		t.Fatalf("exit %d: %s", c, e)
	}
	b, err := os.ReadFile(pf)
	if err != nil {
		t.Fatal(err)
	}
	var fromFile provenance
	if err := json.Unmarshal(b, &fromFile); err != nil {
		t.Fatal(err)
	}
	_, out, _ := runCLI(t, "index", "--data", data, "--format", "json")
	var r struct{ Provenance provenance }
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fromFile)
	z, _ := json.Marshal(r.Provenance)
	if !bytes.Equal(a, z) {
		t.Errorf("--provenance file differs from the JSON output's:\n%s\n%s", a, z)
	}
	for _, cmd := range []string{"weights", "rank"} {
		c, out, e := runCLI(t, cmd, "--data", data, "--format", "json")
		if c != ExitOK {
			t.Fatalf("%s: exit %d: %s", cmd, c, e)
		}
		var r struct{ Provenance provenance }
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Provenance.Command != cmd || len(r.Provenance.FrameworkSHA256) != 64 || r.Provenance.Method.Weighting == "" {
			t.Errorf("%s provenance %+v", cmd, r.Provenance)
		}
	}
}

// TestProvenanceXLSX: the xlsx method sheet carries the same provenance.
func TestProvenanceXLSX(t *testing.T) {
	data := idxDemo(t)
	out := filepath.Join(t.TempDir(), "i.xlsx")
	if c, _, e := runCLI(t, "index", "--data", data, "--format", "xlsx", "--out", out); c != ExitOK {
		t.Fatalf("exit %d: %s", c, e)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("method")
	if err != nil {
		t.Fatal(err)
	}
	var p provenance
	found := false
	for _, r := range rows {
		if len(r) == 2 && r[0] == "provenance (json)" {
			found = json.Unmarshal([]byte(r[1]), &p) == nil
		}
	}
	if !found || p.Version != Version || len(p.FrameworkSHA256) != 64 || p.Method.Normalise == "" {
		t.Errorf("method sheet provenance: found %v, %+v", found, p)
	}
}
