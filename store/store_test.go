package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

// testUnits returns n units with distinct codes and attributes.
func testUnits(n int) []panel.Unit {
	regions := []string{"east", "central", "west", "northeast"}
	us := make([]panel.Unit, n)
	for i := range us {
		us[i] = panel.Unit{
			Code:     fmt.Sprintf("%06d", 110000+i*100),
			NameZh:   fmt.Sprintf("城市%d", i),
			NameEn:   fmt.Sprintf("City %d", i),
			Province: fmt.Sprintf("省%d", i%7),
			Region:   regions[i%len(regions)],
			Tier:     []string{"large-1", "medium", "small"}[i%3],
		}
	}
	return us
}

// testPanel fills a panel with pseudo-random values, about missing share
// of them NaN, deterministic in seed.
func testPanel(units []panel.Unit, start panel.Period, T, inds int, missing float64, seed uint64) *panel.Panel {
	rng := rand.New(rand.NewPCG(seed, 1))
	p := panel.New(units, start, T)
	for k := 0; k < inds; k++ {
		c := make([]float64, p.Rows())
		for i := range c {
			if rng.Float64() < missing {
				c[i] = math.NaN()
			} else {
				c[i] = rng.NormFloat64() * math.Pow(10, float64(k%5))
			}
		}
		p.Set(fmt.Sprintf("ind%02d", k), c)
	}
	return p
}

func openTest(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// samePanel reports how got differs from want ("" if equal), comparing
// values bit for bit so NaN positions count.
func samePanel(got, want *panel.Panel) string {
	if got.Freq != want.Freq || got.Start != want.Start || got.T != want.T {
		return fmt.Sprintf("shape %v %v %d; want %v %v %d", got.Freq, got.Start, got.T, want.Freq, want.Start, want.T)
	}
	if !reflect.DeepEqual(got.Units, want.Units) {
		return fmt.Sprintf("units %v; want %v", got.Units, want.Units)
	}
	if !reflect.DeepEqual(got.Indicators(), want.Indicators()) {
		return fmt.Sprintf("indicators %v; want %v", got.Indicators(), want.Indicators())
	}
	for _, n := range want.Indicators() {
		g, w := got.Col(n), want.Col(n)
		for i := range w {
			if math.Float64bits(g[i]) != math.Float64bits(w[i]) && !(math.IsNaN(g[i]) && math.IsNaN(w[i])) {
				return fmt.Sprintf("%s[%d] = %v; want %v", n, i, g[i], w[i])
			}
		}
	}
	if len(got.Treatments)+len(want.Treatments) > 0 && !reflect.DeepEqual(got.Treatments, want.Treatments) {
		return fmt.Sprintf("treatments %+v; want %+v", got.Treatments, want.Treatments)
	}
	if len(got.Imputation)+len(want.Imputation) > 0 && !reflect.DeepEqual(got.Imputation, want.Imputation) {
		return fmt.Sprintf("imputation %v; want %v", got.Imputation, want.Imputation)
	}
	return ""
}

// twoPanels returns an annual and a monthly panel with treatments and an
// imputation record.
func twoPanels(seed uint64) []*panel.Panel {
	us := testUnits(12)
	yr := testPanel(us, panel.YearPeriod(2010), 16, 5, 0.1, seed)
	exit := panel.YearPeriod(2020)
	yr.Treatments = []panel.Adoption{
		{Policy: "smart-city", Unit: us[0].Code, Start: panel.YearPeriod(2013), Note: "batch 1"},
		{Policy: "smart-city", Unit: us[3].Code, Start: panel.YearPeriod(2014), Exit: &exit},
		{Policy: "broadband", Unit: us[3].Code, Start: panel.YearPeriod(2015)},
	}
	yr.Imputation = map[string]string{"ind01": "linear", "ind03": "carry-forward"}
	mo := testPanel(us[:7], panel.MonthPeriod(2019, 1), 30, 3, 0.05, seed+1)
	mq := panel.QuarterPeriod(2020, 2)
	mo.Treatments = []panel.Adoption{{Policy: "smart-city", Unit: us[0].Code, Start: panel.YearPeriod(2013), Exit: &mq}}
	// A value of every special kind that must survive: −0, tiny, huge.
	c := mo.Col("ind00")
	c[0], c[1], c[2] = math.Copysign(0, -1), 5e-324, math.MaxFloat64
	return []*panel.Panel{mo, yr} // out of frequency order on purpose
}

func TestRoundTrip(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "rt.duckdb")} {
		t.Run(displayPath(path), func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t, path)
			want := twoPanels(1)
			spec := ImportSpec{Dataset: "demo", Description: "two panels", Panels: want,
				Sources:    []SourceInfo{{Name: "a.csv", SHA256: strings.Repeat("ab", 32), Bytes: 10, Rows: 3, Format: "long"}},
				Indicators: []IndicatorInfo{{Code: "ind00", Aggregation: "sum", Unit: "亿元"}},
				Notes:      map[string]any{"encoding": "gbk"}}
			v, err := s.Import(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			if v.Version != 1 || !reflect.DeepEqual(v.Freqs, []panel.Freq{panel.Year, panel.Month}) {
				t.Errorf("Import = version %d freqs %v; want 1 [year month]", v.Version, v.Freqs)
			}
			if path != "" { // reopen: the data must be on disk
				s.Close()
				s = openTest(t, path)
			}
			got, err := s.Load(ctx, "demo", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("Load returned %d panels; want 2", len(got))
			}
			// Load orders by frequency: year, then month.
			for i, w := range []*panel.Panel{want[1], want[0]} {
				if d := samePanel(got[i], w); d != "" {
					t.Errorf("%s panel: %s", w.Freq, d)
				}
			}
			if math.Signbit(got[1].Col("ind00")[0]) != true {
				t.Errorf("−0 lost its sign")
			}
			vs, err := s.Versions(ctx, "demo")
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 1 || !reflect.DeepEqual(vs[0].Sources, spec.Sources) || vs[0].Notes["encoding"] != "gbk" ||
				vs[0].Imputation != "carry-forward: ind03; linear: ind01" || !vs[0].Created.Equal(v.Created) {
				t.Errorf("Versions = %+v; want the imported version %+v", vs, v)
			}
		})
	}
}

func TestVersionsIncrement(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	var want [][]*panel.Panel
	for i := 1; i <= 3; i++ {
		ps := []*panel.Panel{testPanel(testUnits(4), panel.YearPeriod(2000+i), 5, 2, 0.2, uint64(i))}
		want = append(want, ps)
		desc := ""
		if i == 2 {
			desc = "second"
		}
		v, err := s.Import(ctx, ImportSpec{Dataset: "x", Description: desc, Panels: ps})
		if err != nil {
			t.Fatal(err)
		}
		if v.Version != i {
			t.Errorf("import %d: version %d", i, v.Version)
		}
	}
	if _, err := s.Import(ctx, ImportSpec{Dataset: "other", Panels: want[0]}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Name != "other" || ds[1].Name != "x" || ds[1].Versions != 3 || ds[1].Latest != 3 ||
		ds[1].Description != "second" || ds[0].Latest != 1 {
		t.Errorf("Datasets = %+v", ds)
	}
	for v := 0; v <= 3; v++ {
		got, err := s.Load(ctx, "x", v)
		if err != nil {
			t.Fatal(err)
		}
		w := want[len(want)-1] // version 0 is the latest
		if v > 0 {
			w = want[v-1]
		}
		if d := samePanel(got[0], w[0]); d != "" {
			t.Errorf("Load(x, %d): %s", v, d)
		}
	}
	// Delete never frees a number.
	if err := s.Delete(ctx, "x", 3); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := samePanel(got[0], want[1][0]); d != "" {
		t.Errorf("latest after deleting 3: %s", d)
	}
	v, err := s.Import(ctx, ImportSpec{Dataset: "x", Panels: want[0]})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 4 {
		t.Errorf("import after delete: version %d; want 4", v.Version)
	}
	var nf *NotFoundError
	if _, err := s.Load(ctx, "x", 3); !errors.As(err, &nf) || nf.Version != 3 {
		t.Errorf("Load deleted version: %v; want NotFoundError for version 3", err)
	}
	if _, err := s.Load(ctx, "nope", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load unknown dataset: %v; want ErrNotFound", err)
	}
	for _, n := range []int{1, 2, 4} {
		if err := s.Delete(ctx, "x", n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Load(ctx, "x", 0); !errors.As(err, &nf) || !nf.Empty {
		t.Errorf("Load of a dataset with no versions: %v; want NotFoundError{Empty}", err)
	}
	if vs, err := s.Versions(ctx, "x"); err != nil || len(vs) != 0 {
		t.Errorf("Versions of emptied dataset = %v, %v; want none", vs, err)
	}
	if n := tableRows(t, s)["observations"]; n != int64(want[0][0].Rows()*2) { // "other" is all that is left
		t.Errorf("observations rows after deletes = %d; want %d", n, want[0][0].Rows()*2)
	}
}

// TestConcurrent imports from several goroutines while others read: every
// import gets its own version number and every read sees whole versions.
func TestConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "c.duckdb"))
	p := testPanel(testUnits(50), panel.YearPeriod(2000), 20, 4, 0.1, 1)
	if _, err := s.Import(ctx, ImportSpec{Dataset: "c", Panels: []*panel.Panel{p}}); err != nil {
		t.Fatal(err)
	}
	const writers, readers = 4, 4
	errs := make(chan error, writers+readers)
	got := make(chan int, writers)
	for range writers {
		go func() {
			v, err := s.Import(ctx, ImportSpec{Dataset: "c", Panels: []*panel.Panel{p}})
			got <- v.Version
			errs <- err
		}()
	}
	for range readers {
		go func() {
			for range 5 {
				ps, err := s.Load(ctx, "c", 0)
				if err != nil {
					errs <- err
					return
				}
				if d := samePanel(ps[0], p); d != "" {
					errs <- errors.New(d)
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers + readers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	seen := map[int]bool{}
	for range writers {
		seen[<-got] = true
	}
	for v := 2; v <= writers+1; v++ {
		if !seen[v] {
			t.Errorf("versions %v; want 2..%d each once", seen, writers+1)
			break
		}
	}
}
