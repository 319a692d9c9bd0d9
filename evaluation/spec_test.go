package evaluation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/ingest"
)

// specErr parses src and returns its errors, failing when it parses.
func specErr(t *testing.T, src string) SpecErrors {
	t.Helper()
	_, err := ParseSpec([]byte(src), "spec.yaml")
	if err == nil {
		t.Fatalf("spec parsed:\n%s", src)
	}
	var es SpecErrors
	if !errors.As(err, &es) {
		t.Fatalf("error %T %v is not SpecErrors", err, err)
	}
	return es
}

func TestSpecTemplatesParse(t *testing.T) {
	for _, gen := range []bool{true, false} {
		src, err := SpecTemplate("seed-2025", gen)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for _, f := range []string{"annual.csv", "monthly.csv", "treatments.csv"} {
			os.WriteFile(filepath.Join(dir, f), []byte("x\n"), 0o644)
		}
		s, err := ParseSpec([]byte(src), filepath.Join(dir, "spec.yaml"))
		if err != nil {
			t.Fatalf("generate=%v: %v", gen, err)
		}
		if s.Causal.Draws != 500 || s.Peers.Consecutive != 2 || s.Report.Language != "both" {
			t.Errorf("defaults not read: %+v", s)
		}
	}
	if _, err := SpecTemplate("nope", true); err == nil {
		t.Error("unknown template accepted")
	}
}

func TestSpecErrors(t *testing.T) {
	cases := []struct {
		name, src string
		path      string // key path of the first error
		line      int
		is        error
	}{
		{"not yaml", "schema: 1\ndata: [", "", 0, nil},
		{"not a mapping", "- 1\n- 2\n", "", 1, ErrBadValue},
		{"no schema", "data: {generate: {seed: 1}}\n", "schema", 0, ErrMissing},
		{"future schema", "schema: 9\ndata: {generate: {seed: 1}}\n", "schema", 1, ErrBadValue},
		{"typo key", "schema: 1\ndata: {generate: {seed: 1}}\ncasual: {}\n", "casual", 3, ErrUnknownKey},
		{"nested typo", "schema: 1\ndata:\n  generate: {sed: 1}\n", "data.generate.sed", 3, ErrUnknownKey},
		{"wrong type", "schema: 1\ndata: {generate: {seed: abc}}\n", "data.generate.seed", 2, ErrBadValue},
		{"list expected", "schema: 1\ndata: {generate: {seed: 1}}\ncausal: {methods: twfe}\n", "causal.methods", 3, ErrBadValue},
		{"no source", "schema: 1\ndata: {}\n", "data", 2, ErrMissing},
		{"two sources", "schema: 1\ndata: {generate: {seed: 1}, files: [a.csv]}\n", "data", 2, ErrBadValue},
		{"missing file", "schema: 1\ndata: {files: [nowhere.csv], treatments: t.csv}\n", "data.files[0]", 2, ErrBadValue},
		{"unknown method", "schema: 1\ndata: {generate: {seed: 1}}\ncausal:\n  methods: [twfe, synthh]\n", "causal.methods[1]", 4, ErrBadValue},
		{"unknown template", "schema: 1\ndata: {generate: {seed: 1}}\nframework: {template: seed-2026}\n", "framework.template", 3, ErrBadValue},
		{"bad weights", "schema: 1\ndata: {generate: {seed: 1}}\nindex: {weights: magic}\n", "index.weights", 3, ErrBadValue},
		{"bad language", "schema: 1\ndata: {generate: {seed: 1}}\nreport: {language: fr}\n", "report.language", 3, ErrBadValue},
		{"bad level", "schema: 1\ndata: {generate: {seed: 1}}\ncausal: {level: 95}\n", "causal.level", 3, ErrBadValue},
		{"mediation without mediators", "schema: 1\ndata: {generate: {seed: 1}}\ncausal: {methods: [mediation]}\n", "causal.mediators", 3, ErrMissing},
		{"bad impute", "schema: 1\ndata: {generate: {seed: 1}, impute: magic}\n", "data.impute", 2, ErrBadValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := specErr(t, c.src)
			e := es[0]
			if e.Path != c.path || e.Line != c.line || (c.is != nil && !errors.Is(e, c.is)) {
				t.Errorf("got %q (path %q line %d), want path %q line %d is %v", e.Error(), e.Path, e.Line, c.path, c.line, c.is)
			}
			if e.File != "spec.yaml" {
				t.Errorf("file %q", e.File)
			}
		})
	}
	// Several problems are all reported.
	es := specErr(t, "schema: 1\ndata: {generate: {seed: 1}}\nindex: {weights: magic, normalise: odd}\nreport: {language: fr}\n")
	if len(es) != 3 {
		t.Errorf("got %d errors, want 3: %v", len(es), es)
	}
	// A typo gets a suggestion.
	es = specErr(t, "schema: 1\ndata: {generate: {seed: 1}}\nframwork: {}\n")
	if !strings.Contains(es[0].Error(), `did you mean "framework"`) {
		t.Errorf("no suggestion: %v", es[0])
	}
}

// runErr runs a spec and returns its error, failing when it succeeds.
func runErr(t *testing.T, src, dir string) error {
	t.Helper()
	s, err := ParseSpec([]byte(src), filepath.Join(dir, "spec.yaml"))
	if err != nil {
		return err
	}
	_, err = Run(context.Background(), s, RunOptions{})
	if err == nil {
		t.Fatalf("run succeeded:\n%s", src)
	}
	return err
}

func TestRunErrors(t *testing.T) {
	gen := "schema: 1\ndata: {generate: {seed: 1, units: 40, start_year: 2012, end_year: 2019}}\nindex: {uncertainty: -1}\ncausal: {methods: [twfe], draws: 10}\n"
	dir := t.TempDir()

	t.Run("outcome not in framework", func(t *testing.T) {
		err := runErr(t, gen+"policy:\n  outcomes: [goal, g5_coverag]\n", dir)
		var se *SpecError
		if !errors.As(err, &se) || se.Path != "policy.outcomes[1]" || se.Line != 6 || !strings.Contains(se.Error(), `did you mean "g5_coverage"`) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("policy not in treatment table", func(t *testing.T) {
		err := runErr(t, gen+"policy: {name: broadband_china}\n", dir)
		var se *SpecError
		if !errors.As(err, &se) || se.Path != "policy.name" || se.Line != 5 {
			t.Errorf("got %v", err)
		}
	})
	t.Run("case city unknown", func(t *testing.T) {
		err := runErr(t, gen+"report: {cases: [杭州, 不存在市]}\n", dir)
		var se *SpecError
		if !errors.As(err, &se) || se.Path != "report.cases[1]" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("outcome not in the data", func(t *testing.T) {
		// Files whose data lack an indicator the outcome names.
		d := t.TempDir()
		write(t, d, "annual.csv", "city,year,g5_coverage\n"+rows("330100", 2012, 2019, 10)+rows("440300", 2012, 2019, 20)+rows("520100", 2012, 2019, 5)+rows("110000", 2012, 2019, 30))
		write(t, d, "treatments.csv", "city,policy,start\n330100,smart_city_pilot,2015\n440300,smart_city_pilot,2016\n")
		err := runErr(t, "schema: 1\ndata: {files: [annual.csv], treatments: treatments.csv}\nindex: {uncertainty: -1}\npolicy: {outcomes: [cyber_attacks]}\n", d)
		var se *SpecError
		if !errors.As(err, &se) || se.Path != "policy.outcomes[0]" || !strings.Contains(se.Error(), "not in the data") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("treatment table names an unknown city", func(t *testing.T) {
		d := t.TempDir()
		write(t, d, "annual.csv", "city,year,g5_coverage\n"+rows("330100", 2012, 2019, 10)+rows("440300", 2012, 2019, 20))
		write(t, d, "treatments.csv", "city,policy,start\n330100,smart_city_pilot,2015\n亚特兰蒂斯,smart_city_pilot,2016\n")
		err := runErr(t, "schema: 1\ndata: {files: [annual.csv], treatments: treatments.csv}\n", d)
		var de *ingest.DataError
		if !errors.As(err, &de) || de.Line != 3 || !strings.HasSuffix(de.File, "treatments.csv") {
			t.Errorf("got %T %v", err, err)
		}
	})
	t.Run("data file with a bad cell", func(t *testing.T) {
		d := t.TempDir()
		write(t, d, "annual.csv", "city,year,g5_coverage\n330100,2012,1\n330100,2013,abc\n")
		write(t, d, "treatments.csv", "city,policy,start\n330100,smart_city_pilot,2015\n")
		err := runErr(t, "schema: 1\ndata: {files: [annual.csv], treatments: treatments.csv}\n", d)
		var de *ingest.DataError
		if !errors.As(err, &de) || de.Line != 3 || de.Column != "g5_coverage" {
			t.Errorf("got %T %v", err, err)
		}
	})
}

func write(t *testing.T, dir, name, s string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rows writes one city's yearly rows with values base, base+1, ...
func rows(city string, from, to int, base float64) string {
	var b strings.Builder
	for y := from; y <= to; y++ {
		b.WriteString(city + "," + itoa(y) + "," + ftoa(base+float64(y-from)) + "\n")
	}
	return b.String()
}

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
