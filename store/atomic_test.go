package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

var allTables = []string{"datasets", "versions", "sources", "panels", "units", "panel_units", "indicators", "treatments", "observations"}

// tableRows counts the rows of every table.
func tableRows(t testing.TB, s *Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, tb := range allTables {
		var n int64
		if err := s.db.QueryRow(`SELECT count(*) FROM ` + tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

// state is everything a user can see of a store, plus the row counts.
type state struct {
	Datasets []Dataset
	Versions map[string][]Version
	Shows    map[string]Summary
	Rows     map[string]int64
	Next     map[string]int // datasets.next_version
}

func snapshot(t testing.TB, s *Store) state {
	t.Helper()
	ctx := context.Background()
	st := state{Versions: map[string][]Version{}, Shows: map[string]Summary{}, Rows: tableRows(t, s), Next: map[string]int{}}
	var err error
	if st.Datasets, err = s.Datasets(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range st.Datasets {
		if st.Versions[d.Name], err = s.Versions(ctx, d.Name); err != nil {
			t.Fatal(err)
		}
		if d.Latest > 0 {
			if st.Shows[d.Name], err = s.Show(ctx, d.Name, 0); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := s.db.QueryRow(`SELECT next_version FROM datasets WHERE name = ?`, d.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		st.Next[d.Name] = n
	}
	return st
}

// sameState compares snapshots; Summary holds NaN (min/max/mean of empty
// columns), so it compares through JSON-free field checks via DeepEqual on
// a NaN-scrubbed copy.
func sameState(t *testing.T, got, want state) {
	t.Helper()
	scrub := func(st state) state {
		for k, sum := range st.Shows {
			for i := range sum.Panels {
				for j := range sum.Panels[i].Indicators {
					is := &sum.Panels[i].Indicators[j]
					if math.IsNaN(is.Min) {
						is.Min, is.Max, is.Mean = -1, -1, -1
					}
				}
			}
			st.Shows[k] = sum
		}
		return st
	}
	if g, w := scrub(got), scrub(want); !reflect.DeepEqual(g, w) {
		t.Errorf("store changed:\n got %+v\nwant %+v", g, w)
	}
}

var errInjected = errors.New("injected failure")

func TestImportFailureLeavesStoreUnchanged(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "atomic.duckdb"))
	base := twoPanels(7)
	if _, err := s.Import(ctx, ImportSpec{Dataset: "demo", Panels: base}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	// Big enough that the hook fires several times and DuckDB has written
	// row groups of the failed import before it aborts.
	big := []*panel.Panel{testPanel(testUnits(300), panel.MonthPeriod(2000, 1), 120, 12, 0.03, 3)}
	for _, tc := range []struct {
		name    string
		dataset string
		after   int
	}{
		{"new version of an existing dataset", "demo", 3 * hookEvery},
		{"new dataset", "fresh", hookEvery},
		{"at the last row", "demo", 300 * 120 * 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fired := 0
			s.hook = func(rows int) error {
				if rows >= tc.after {
					fired = rows
					return errInjected
				}
				return nil
			}
			defer func() { s.hook = nil }()
			_, err := s.Import(ctx, ImportSpec{Dataset: tc.dataset, Panels: big})
			if !errors.Is(err, errInjected) {
				t.Fatalf("Import error = %v; want the injected failure", err)
			}
			if fired < tc.after {
				t.Fatalf("hook fired at %d rows; want ≥ %d", fired, tc.after)
			}
			sameState(t, snapshot(t, s), before)
		})
	}
	// A cancelled context mid-import is a failure like any other.
	cctx, cancel := context.WithCancel(ctx)
	s.hook = func(rows int) error {
		if rows >= 2*hookEvery {
			cancel()
		}
		return nil
	}
	if _, err := s.Import(cctx, ImportSpec{Dataset: "demo", Panels: big}); !errors.Is(err, context.Canceled) {
		t.Errorf("Import with cancelled ctx = %v; want context.Canceled", err)
	}
	s.hook = nil
	sameState(t, snapshot(t, s), before)

	// The store still works, and the failed imports used no version number.
	v, err := s.Import(ctx, ImportSpec{Dataset: "demo", Panels: big})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 2 {
		t.Errorf("version after failed imports = %d; want 2", v.Version)
	}
	got, err := s.Load(ctx, "demo", 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := samePanel(got[0], big[0]); d != "" {
		t.Error(d)
	}
}

func TestImportValidation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	if _, err := s.Import(ctx, ImportSpec{Dataset: "ok", Panels: twoPanels(1)}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	inf := twoPanels(2)
	inf[1].Col("ind02")[5] = math.Inf(1)
	badTreat := twoPanels(3)
	badTreat[1].Treatments = append(badTreat[1].Treatments, panel.Adoption{Policy: "p", Unit: "999999", Start: panel.YearPeriod(2012)})
	badImp := twoPanels(4)
	badImp[0].Imputation = map[string]string{"nope": "linear"}
	twoYears := twoPanels(5)
	twoYears[0] = twoYears[1].Clone()
	clash := twoPanels(6)
	{ // same code, other attributes than in the annual panel
		mo := clash[0]
		us := append([]panel.Unit(nil), mo.Units...)
		us[0].Tier = "megacity"
		np := panel.New(us, mo.Start, mo.T)
		for _, n := range mo.Indicators() {
			np.Set(n, mo.Col(n))
		}
		clash[0] = np
	}
	manyInf := twoPanels(7)
	for i := range manyInf[1].Col("ind00") {
		manyInf[1].Col("ind00")[i] = math.Inf(-1)
	}
	for _, tc := range []struct {
		name string
		spec ImportSpec
		n    int // problems listed
	}{
		{"bad name", ImportSpec{Dataset: "a b@2", Panels: twoPanels(1)}, 1},
		{"no panels", ImportSpec{Dataset: "x"}, 1},
		{"infinite value", ImportSpec{Dataset: "x", Panels: inf}, 1},
		{"treatment of unknown unit", ImportSpec{Dataset: "x", Panels: badTreat}, 1},
		{"imputation of unknown indicator", ImportSpec{Dataset: "x", Panels: badImp}, 1},
		{"two annual panels", ImportSpec{Dataset: "x", Panels: twoYears}, 1},
		{"unit attributes differ", ImportSpec{Dataset: "x", Panels: clash}, 1},
		{"bad sha", ImportSpec{Dataset: "x", Panels: twoPanels(1), Sources: []SourceInfo{{Name: "a", SHA256: "xyz"}}}, 1},
		{"bad aggregation", ImportSpec{Dataset: "x", Panels: twoPanels(1), Indicators: []IndicatorInfo{{Code: "ind00", Aggregation: "median"}}}, 1},
		{"many problems are capped", ImportSpec{Dataset: "x", Panels: manyInf}, MaxProblems},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Import(ctx, tc.spec)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Import = %v; want a ValidationError", err)
			}
			if len(ve.Problems) != tc.n {
				t.Errorf("%d problems %q; want %d", len(ve.Problems), ve.Problems, tc.n)
			}
			if tc.n == MaxProblems && ve.More != 12*16-MaxProblems {
				t.Errorf("More = %d; want %d", ve.More, 12*16-MaxProblems)
			}
		})
	}
	sameState(t, snapshot(t, s), before)
}

// TestImportCrash kills a process in the middle of an import (after rows
// were appended and flushed inside the transaction) and checks that the
// store, reopened, is as before.
func TestImportCrash(t *testing.T) {
	if path := os.Getenv("STORE_CRASH_CHILD"); path != "" {
		s, err := Open(path)
		if err != nil {
			os.Exit(2)
		}
		s.hook = func(rows int) error {
			if rows >= 2*hookEvery {
				os.Exit(3) // no rollback, no close: as if the power went
			}
			return nil
		}
		big := []*panel.Panel{testPanel(testUnits(300), panel.MonthPeriod(2000, 1), 120, 12, 0.03, 3)}
		s.Import(context.Background(), ImportSpec{Dataset: "demo", Panels: big})
		os.Exit(4) // the hook did not fire
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "crash.duckdb")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), ImportSpec{Dataset: "demo", Panels: twoPanels(9)}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrash$")
	cmd.Env = append(os.Environ(), "STORE_CRASH_CHILD="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("child: %v; want exit 3\n%s", err, out)
	}
	s = openTest(t, path)
	sameState(t, snapshot(t, s), before)
	if _, err := s.Import(context.Background(), ImportSpec{Dataset: "demo", Panels: twoPanels(10)}); err != nil {
		t.Fatalf("import after crash: %v", err)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "m.duckdb")
	s := openTest(t, path) // from nothing: creates the directory and the file
	var v int
	if err := s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() {
		t.Errorf("schema version of a new store = %d; want %d", v, SchemaVersion())
	}
	// A later program adds a step: the store is migrated once, and the
	// step is recorded.
	steps := append(append([]string(nil), migrations...), `CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (42)`)
	for range 2 {
		if err := migrateSteps(ctx, s.db, path, steps); err != nil {
			t.Fatal(err)
		}
	}
	var x, n int
	if err := s.db.QueryRow(`SELECT sum(x), count(*) FROM extra`).Scan(&x, &n); err != nil || x != 42 || n != 1 {
		t.Errorf("extra = %d (%d rows), %v; want 42 once", x, n, err)
	}
	// A failing step leaves the schema version where it was.
	bad := append(append([]string(nil), steps...), `CREATE TABLE y (a INTEGER); SELECT no_such_column FROM y`)
	if err := migrateSteps(ctx, s.db, path, bad); err == nil {
		t.Error("a failing migration step succeeded")
	}
	var exists int
	s.db.QueryRow(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'y'`).Scan(&exists)
	s.db.QueryRow(`SELECT version FROM schema_version`).Scan(&v)
	if exists != 0 || v != len(steps) {
		t.Errorf("after a failed step: table y exists %d, version %d; want 0, %d", exists, v, len(steps))
	}
	s.Close()

	// This program knows fewer steps than the file has: a SchemaError.
	_, err := Open(path)
	var se *SchemaError
	if !errors.As(err, &se) || se.Found != len(steps) || se.Known != SchemaVersion() {
		t.Errorf("Open newer store = %v; want SchemaError{Found %d, Known %d}", err, len(steps), SchemaVersion())
	}
}

func TestMigrateExistingFile(t *testing.T) {
	// A DuckDB file made by someone else (no schema_version) is migrated
	// from version 0 and keeps its own tables.
	path := filepath.Join(t.TempDir(), "old.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE mine (a INTEGER); INSERT INTO mine VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openTest(t, path)
	var a int
	if err := s.db.QueryRow(`SELECT a FROM mine`).Scan(&a); err != nil || a != 1 {
		t.Errorf("own table after migration: %d, %v", a, err)
	}
	if _, err := s.Import(context.Background(), ImportSpec{Dataset: "d", Panels: twoPanels(1)}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(notDB, []byte("unit,period,gdp\n110000,2015,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var oe *OpenError
	if _, err := Open(notDB); !errors.As(err, &oe) || !oe.UserFacing() || !errors.Is(err, errNotDuckDB) {
		t.Errorf("Open of a CSV file = %v; want an OpenError", err)
	}
	if b, _ := os.ReadFile(notDB); string(b) != "unit,period,gdp\n110000,2015,1\n" {
		t.Errorf("Open changed the CSV file: %q", b)
	}
	if _, err := Open(filepath.Join(notDB, "sub", "x.duckdb")); !errors.As(err, &oe) {
		t.Errorf("Open under a file = %v; want an OpenError", err)
	}
}

// TestOpenLocked checks that a second process cannot open a store another
// process has open, and gets a user-facing OpenError.
func TestOpenLocked(t *testing.T) {
	if path := os.Getenv("STORE_LOCK_CHILD"); path != "" {
		_, err := Open(path)
		var oe *OpenError
		if errors.As(err, &oe) && oe.UserFacing() {
			os.Exit(5)
		}
		os.Exit(6)
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "locked.duckdb")
	openTest(t, path) // held open until the test ends
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenLocked$")
	cmd.Env = append(os.Environ(), "STORE_LOCK_CHILD="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 5 {
		t.Fatalf("child: %v; want exit 5 (OpenError)\n%s", err, out)
	}
}
