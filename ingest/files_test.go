package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadFilesMerge(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.csv": "unit,province,period,x\nA,P1,2010,1\nB,,2011,2\n",
		"b.csv": "unit,period,indicator,value\nB,2012,y,3\nC,2012,y,4\n",
		"m.csv": "unit,period,indicator,value\nA,2010-01,z,5\n",
		"t.csv": "policy,unit,start\npilot,B,2011\n",
	})
	at := func(n string) string { return filepath.Join(dir, n) }
	b, err := ReadFiles([]string{at("a.csv"), at("b.csv"), at("m.csv")}, at("t.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Panels) != 2 || len(b.Files) != 4 || len(b.Adoptions) != 1 {
		t.Fatalf("got %d panels, %d files, %d adoptions; want 2, 4, 1", len(b.Panels), len(b.Files), len(b.Adoptions))
	}
	y := b.Panels[0]
	if y.NUnits() != 3 || y.T != 3 || y.At("x", 0, 0) != 1 || y.At("y", 2, 2) != 4 {
		t.Errorf("annual panel: %d units × %d periods; x(A,2010) = %v, y(C,2012) = %v", y.NUnits(), y.T, y.At("x", 0, 0), y.At("y", 2, 2))
	}
	if len(y.Treatments) != 1 || len(b.Panels[1].Treatments) != 0 {
		t.Errorf("treatments attached to %d/%d panels; want B's only in the annual panel", len(y.Treatments), len(b.Panels[1].Treatments))
	}
	if y.Units[0].Province != "P1" {
		t.Errorf("unit A province = %q; want P1", y.Units[0].Province)
	}
}

func TestReadFilesErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad1.csv":  "unit,period,x\nA,2010,1\nA,2O11,2\n",
		"bad2.csv":  "unit,period,x\nB,2010,abc\n",
		"x1.csv":    "unit,period,x\nA,2010,1\n",
		"x2.csv":    "unit,period,x\nB,2010,1\n",
		"p1.csv":    "unit,province,period,x\nA,P1,2010,1\n",
		"p2.csv":    "unit,province,period,y\nA,P2,2010,1\n",
		"good.csv":  "unit,period,x\nA,2010,1\n",
		"treat.csv": "policy,unit,start\npilot,A,2010\npilot,Z,2011\n",
	})
	at := func(n string) string { return filepath.Join(dir, n) }

	// Errors of two files come back together, each with its file and line.
	_, err := ReadFiles([]string{at("bad1.csv"), at("bad2.csv")}, "", Options{})
	var des *DataErrors
	if !errors.As(err, &des) || len(des.Errs) != 2 {
		t.Fatalf("two bad files: %v; want 2 data errors", err)
	}
	if e := des.Errs[0]; e.File != at("bad1.csv") || e.Line != 3 || e.Column != "period" || !errors.Is(e, ErrBadPeriod) {
		t.Errorf("first error %+v; want bad1.csv:3 period ErrBadPeriod", e)
	}
	if e := des.Errs[1]; e.File != at("bad2.csv") || e.Line != 2 || e.Column != "x" || !errors.Is(e, ErrNotNumber) {
		t.Errorf("second error %+v; want bad2.csv:2 x ErrNotNumber", e)
	}

	// One indicator in two files.
	_, err = ReadFiles([]string{at("x1.csv"), at("x2.csv")}, "", Options{})
	var de *DataError
	if !errors.As(err, &de) || de.File != at("x2.csv") || de.Column != "x" || !errors.Is(err, ErrDuplicate) {
		t.Errorf("indicator in two files: %v; want a duplicate error at x2.csv column x", err)
	}

	// Conflicting unit attributes.
	_, err = ReadFiles([]string{at("p1.csv"), at("p2.csv")}, "", Options{})
	if !errors.As(err, &de) || de.File != at("p2.csv") || !errors.Is(err, ErrAttrConflict) {
		t.Errorf("province conflict: %v; want ErrAttrConflict at p2.csv", err)
	}

	// An adoption of a unit without data.
	_, err = ReadFiles([]string{at("good.csv")}, at("treat.csv"), Options{})
	if !errors.As(err, &des) || des.Errs[0].File != at("treat.csv") || !errors.Is(err, ErrUnknownUnit) {
		t.Errorf("treatment of unit Z: %v; want ErrUnknownUnit at treat.csv", err)
	}

	if _, err := ReadFiles(nil, "", Options{}); err == nil {
		t.Error("no files: want error")
	}
	if _, err := ReadFiles([]string{at("missing.csv")}, "", Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v; want os.ErrNotExist", err)
	}
}

func TestReadFilesRequireAttrs(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"wide.csv": "unit,tier,period,x\nA,large-1,2010,1\nB,,2010,2\n",
		"long.csv": "unit,period,indicator,value\nA,2010-01,y,1\nB,2010-01,y,2\n",
	})
	at := func(n string) string { return filepath.Join(dir, n) }
	o := Options{RequireAttrs: []string{"tier"}}
	// A's tier comes from the wide file although the long file has none; B has none anywhere.
	_, err := ReadFiles([]string{at("wide.csv"), at("long.csv")}, "", o)
	var des *DataErrors
	if !errors.As(err, &des) || len(des.Errs) != 1 || des.Errs[0].Column != "tier" || !errors.Is(err, ErrMissingAttribute) {
		t.Fatalf("err = %v; want one missing-tier error for B", err)
	}
	dir2 := writeFiles(t, map[string]string{"wide.csv": "unit,tier,period,x\nA,large-1,2010,1\n", "long.csv": "unit,period,indicator,value\nA,2010-01,y,1\n"})
	if _, err := ReadFiles([]string{filepath.Join(dir2, "wide.csv"), filepath.Join(dir2, "long.csv")}, "", o); err != nil {
		t.Errorf("tier from another file: %v", err)
	}
}
