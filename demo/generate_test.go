package demo

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

// small returns default options on n registry units.
func small(seed uint64, n int) Options {
	o := DefaultOptions(seed)
	o.NUnits = n
	return o
}

func mustGenerate(t testing.TB, o Options) *Dataset {
	t.Helper()
	d, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func writeAll(t *testing.T, d *Dataset) map[string][]byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	if err := d.Write(dir, FormatCSV); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	return files
}

func TestDeterministic(t *testing.T) {
	o := small(42, 120)
	o.Workers = 1
	prev := runtime.GOMAXPROCS(1)
	a := writeAll(t, mustGenerate(t, o))
	runtime.GOMAXPROCS(8)
	o.Workers = 0
	b := writeAll(t, mustGenerate(t, o))
	o.Workers = 3
	c := writeAll(t, mustGenerate(t, o))
	runtime.GOMAXPROCS(prev)
	for _, f := range Files {
		if !bytes.Equal(a[f], b[f]) || !bytes.Equal(a[f], c[f]) {
			t.Errorf("%s differs between runs with the same seed and different parallelism", f)
		}
	}
	o.Seed = 43
	d := writeAll(t, mustGenerate(t, o))
	if bytes.Equal(a["annual.csv"], d["annual.csv"]) || bytes.Equal(a["treatments.csv"], d["treatments.csv"]) {
		t.Error("seeds 42 and 43 gave the same data")
	}
}

// A city's series do not depend on which other cities are generated with
// it (streams are keyed by codes), as long as assignment and effects are
// the same: compare untreated indicators with no missing cells.
func TestStreamsKeyedByCode(t *testing.T) {
	o := small(7, 60)
	o.MissingShare = 0
	o.Effects = []Effect{}
	a := mustGenerate(t, o)
	o.NUnits = 30
	b := mustGenerate(t, o)
	for u, unit := range b.Annual.Units {
		ua, ok := a.Annual.UnitIndex(unit.Code)
		if !ok {
			continue
		}
		if a.Annual.Units[ua].Tier != unit.Tier {
			continue
		}
		for _, n := range b.Annual.Indicators() {
			x, y := a.Annual.Series(n, ua), b.Annual.Series(n, u)
			for i := range x {
				if x[i] != y[i] {
					t.Fatalf("%s %s year %d: %g with 60 units, %g with 30", unit.Code, n, 2010+i, x[i], y[i])
				}
			}
		}
	}
}

func TestRanges(t *testing.T) {
	o := DefaultOptions(3)
	o.Effects = DefaultEffects(2) // large effects push values towards the bounds
	d := mustGenerate(t, o)
	for _, s := range Seed2025() {
		for _, p := range []*panel.Panel{d.Annual, d.Monthly} {
			if !p.Has(s.Code) {
				continue
			}
			for i, v := range p.Col(s.Code) {
				if math.IsNaN(v) {
					continue
				}
				year := p.Period(i % p.T).Year()
				if s.Since > 0 && year < s.Since {
					if v != 0 {
						t.Fatalf("%s %d: %g before the indicator exists (%d), want 0", s.Code, year, v, s.Since)
					}
					continue
				}
				if v < s.Min || v > s.Max || math.IsInf(v, 0) {
					t.Fatalf("%s: %g outside [%g, %g]", s.Code, v, s.Min, s.Max)
				}
				if s.Unit == "%" && (v < 0 || v > 100) {
					t.Fatalf("%s: %g%% outside [0, 100]", s.Code, v)
				}
				if s.Integer && v != math.Round(v) {
					t.Fatalf("%s: count %g not an integer", s.Code, v)
				}
				if (s.Unit == "hours" || s.Unit == "days" || s.Unit == "times") && v <= 0 {
					t.Fatalf("%s: time %g not positive", s.Code, v)
				}
			}
		}
	}
}

func TestMissingShare(t *testing.T) {
	d := mustGenerate(t, DefaultOptions(11))
	for _, p := range []*panel.Panel{d.Annual, d.Monthly} {
		cells, miss := 0, 0
		for _, n := range p.Indicators() {
			cells += p.Rows()
			miss += p.Rows() - p.Count(n)
		}
		share := float64(miss) / float64(cells)
		// binomial sd at 3% of ~166,000 annual cells is 0.04 pp; blocks add a little
		if math.Abs(share-0.03) > 0.004 {
			t.Errorf("%s panel: %.4f of cells missing, want about 0.03", p.Freq, share)
		}
	}
	// Blocks: some unit misses every indicator in one early year.
	blocks := 0
	p := d.Annual
	for u := range p.Units {
		for t0 := range 3 {
			all := true
			for _, n := range p.Indicators() {
				if !math.IsNaN(p.At(n, u, t0)) {
					all = false
					break
				}
			}
			if all {
				blocks++
			}
		}
	}
	if blocks == 0 {
		t.Error("no unit misses a whole early year")
	}
	o := DefaultOptions(11)
	o.MissingShare = 0
	d = mustGenerate(t, o)
	for _, n := range d.Annual.Indicators() {
		if d.Annual.Count(n) != d.Annual.Rows() {
			t.Fatalf("%s has missing cells with MissingShare 0", n)
		}
	}
}

func TestBatches(t *testing.T) {
	d := mustGenerate(t, DefaultOptions(5))
	n := len(d.Options.Units)
	if n < 290 || n > 300 {
		t.Fatalf("default registry gives %d cities, want about 297", n)
	}
	byYear := map[int]int{}
	east, eastTreated := 0, 0
	for _, u := range d.Options.Units {
		if u.Region == "east" {
			east++
		}
	}
	for _, a := range d.Treatments {
		byYear[a.Start.Year()]++
		u, _ := d.Annual.UnitIndex(a.Unit)
		if d.Annual.Units[u].Region == "east" {
			eastTreated++
		}
		if a.Policy != Policy {
			t.Fatalf("policy %q", a.Policy)
		}
	}
	// pilots.md: about 37, 40, 30 prefecture-level cities; 2024: 100 pilots, 42% county-level
	want := map[int]int{2012: 37, 2013: 40, 2015: 30, 2024: 58}
	for y, w := range want {
		if byYear[y] != w {
			t.Errorf("%d pilots in %d, want %d", byYear[y], y, w)
		}
	}
	if err := d.Annual.ValidateTreatments(); err != nil {
		t.Fatal(err)
	}
	shareUnits := float64(east) / float64(n)
	shareTreated := float64(eastTreated) / float64(len(d.Treatments))
	if shareTreated < 1.2*shareUnits {
		t.Errorf("east is %.2f of pilots and %.2f of cities: want a skew towards the east", shareTreated, shareUnits)
	}
	// Batch 3 year is a setting; county pilots may treat their prefecture.
	o := DefaultOptions(5)
	o.Batches = DefaultBatches(2014)
	o.CountyTreatsPrefecture = true
	d = mustGenerate(t, o)
	byYear = map[int]int{}
	for _, a := range d.Treatments {
		byYear[a.Start.Year()]++
	}
	if byYear[2014] != 30 || byYear[2015] != 0 || byYear[2024] != 100 {
		t.Errorf("batch-3 year 2014 and county rule: got %v", byYear)
	}
	// Scaling to fewer units.
	d = mustGenerate(t, small(5, 99))
	if got := len(d.Treatments); got != 12+13+10+19 { // round(size·99/297)
		t.Errorf("99 units: %d pilots, want 54", got)
	}
}

// The truth is Y(1) − Y(0) cell by cell: generating the same options with
// and without effects and differencing the panels must reproduce it.
func TestTruthMatchesPotentialOutcomes(t *testing.T) {
	o := small(9, 150)
	o.MissingShare = 0
	o.Anticipation = 1
	with := mustGenerate(t, o)
	o0 := o
	o0.Effects = []Effect{}
	without := mustGenerate(t, o0)
	cohort := with.Annual.Cohort(Policy)
	for _, it := range with.Truth.Indicators {
		y1, y0 := with.Annual.Col(it.Indicator), without.Annual.Col(it.Indicator)
		type key struct{ c, e int }
		sum, cnt := map[key]float64{}, map[key]int{}
		T := with.Annual.T
		for u := range with.Annual.Units {
			if cohort[u] == math.MinInt {
				for t0 := range T {
					if y1[u*T+t0] != y0[u*T+t0] {
						t.Fatalf("%s: never-treated unit %d changed by the effect", it.Indicator, u)
					}
				}
				continue
			}
			c := with.Annual.Period(cohort[u]).Year()
			for t0 := range T {
				k := key{c, t0 - cohort[u]}
				sum[k] += y1[u*T+t0] - y0[u*T+t0]
				cnt[k]++
			}
		}
		for _, ct := range it.ByCohort {
			for _, cell := range ct.ByEventTime {
				k := key{ct.Cohort, cell.EventTime}
				if cnt[k] != cell.N || math.Abs(sum[k]/float64(cnt[k])-cell.ATT) > 1e-9 {
					t.Errorf("%s cohort %d e=%d: truth %g (n %d), panels give %g (n %d)",
						it.Indicator, ct.Cohort, cell.EventTime, cell.ATT, cell.N, sum[k]/float64(cnt[k]), cnt[k])
				}
				if cell.EventTime < -1 && cell.ATT != 0 {
					t.Errorf("%s: effect %g at e=%d with one year of anticipation", it.Indicator, cell.ATT, cell.EventTime)
				}
			}
		}
		if it.ATT == 0 {
			t.Errorf("%s: zero ATT", it.Indicator)
		}
		if e := -1; true {
			for _, c := range it.ByEventTime {
				if c.EventTime == e && c.ATT == 0 {
					t.Errorf("%s: no anticipation effect at e=-1", it.Indicator)
				}
			}
		}
	}
}

// A constant effect on a count far from its bounds is exact: Y(1) − Y(0)
// = round(Y(0) + 50) − Y(0) = 50. With a two-year ramp the effect is 25 in
// the adoption year (τ = 1, f = 1/2) and 50 afterwards; a region
// multiplier of 2 doubles it in the east.
func TestTruthExactDynamics(t *testing.T) {
	o := small(2, 120)
	o.Effects = []Effect{{Indicator: "digital_firms", Size: 50, Scale: InUnits, Ramp: 2,
		Region: map[string]float64{"east": 2}}}
	d := mustGenerate(t, o)
	it := d.Truth.Indicator("digital_firms")
	if it == nil || it.SizeUnits != 50 {
		t.Fatalf("truth %+v", it)
	}
	cohort := d.Annual.Cohort(Policy)
	east := map[int][2]int{} // cohort year → east, all
	for u, c := range cohort {
		if c == math.MinInt {
			continue
		}
		y := d.Annual.Period(c).Year()
		v := east[y]
		if d.Annual.Units[u].Region == "east" {
			v[0]++
		}
		v[1]++
		east[y] = v
	}
	for _, ct := range it.ByCohort {
		m := 1 + float64(east[ct.Cohort][0])/float64(east[ct.Cohort][1]) // mean multiplier
		for _, c := range ct.ByEventTime {
			want := 0.0
			switch {
			case c.EventTime == 0:
				want = 25 * m
			case c.EventTime > 0:
				want = 50 * m
			}
			if math.Abs(c.ATT-want) > 1e-9 {
				t.Errorf("cohort %d e=%d: ATT %g, want %g", ct.Cohort, c.EventTime, c.ATT, want)
			}
		}
	}
	if d.Truth.Indicator("satisfaction") != nil {
		t.Error("unaffected indicator has a truth entry")
	}
	if v, ok := d.Truth.ATT("satisfaction", 2012, 3); !ok || v != 0 {
		t.Errorf("unaffected indicator: ATT %g, %v; want 0, true", v, ok)
	}
}

// A simple difference in differences recovers the true effect when
// assignment is random and trends are common: for each cohort, the mean
// change from the year before adoption to the post years among the
// cohort's units minus the same among never-treated units. The tolerance
// is four standard errors of that difference, computed from the unit-level
// changes.
func TestDiDRecoversEffect(t *testing.T) {
	o := DefaultOptions(2024)
	o.RandomAssignment = true
	o.CommonTrends = true
	o.Batches = DefaultBatches(2015)
	const size = 4 // percentage points on data_sharing_rate, immediate, homogeneous
	o.Effects = []Effect{{Indicator: "data_sharing_rate", Size: size, Scale: InUnits}}
	d := mustGenerate(t, o)
	p := d.Annual
	y := p.Col("data_sharing_rate")
	cohort := p.Cohort(Policy)
	it := d.Truth.Indicator("data_sharing_rate")
	for _, c := range []int{2012, 2013, 2015} {
		ci, _ := p.PeriodIndex(panel.YearPeriod(c))
		end, _ := p.PeriodIndex(panel.YearPeriod(2023)) // before the 2024 batch
		var tr, nv []float64
		for u := range p.Units {
			var group *[]float64
			switch {
			case cohort[u] == ci:
				group = &tr
			case cohort[u] == math.MinInt:
				group = &nv
			default:
				continue
			}
			pre := y[u*p.T+ci-1]
			if math.IsNaN(pre) {
				continue
			}
			var s float64
			var k int
			for t0 := ci; t0 <= end; t0++ {
				if v := y[u*p.T+t0]; !math.IsNaN(v) {
					s += v
					k++
				}
			}
			if k > 0 {
				*group = append(*group, s/float64(k)-pre)
			}
		}
		mt, vt := meanVar(tr)
		mn, vn := meanVar(nv)
		did := mt - mn
		se := math.Sqrt(vt/float64(len(tr)) + vn/float64(len(nv)))
		var truth float64
		var nt int
		for _, ct := range it.ByCohort {
			if ct.Cohort != c {
				continue
			}
			for _, cell := range ct.ByEventTime {
				if cell.EventTime >= 0 && cell.EventTime <= 2023-c {
					truth += cell.ATT * float64(cell.N)
					nt += cell.N
				}
			}
		}
		truth /= float64(nt)
		if se > size/4 {
			t.Fatalf("cohort %d: standard error %g too large for the test to mean anything", c, se)
		}
		t.Logf("cohort %d: DiD %.3f se %.3f truth %.3f (n %d, %d)", c, did, se, truth, len(tr), len(nv))
		if math.Abs(did-truth) > 4*se {
			t.Errorf("cohort %d: DiD %.3f (se %.3f, %d treated, %d never treated), true ATT %.3f", c, did, se, len(tr), len(nv), truth)
		}
		if math.Abs(truth-size) > 0.2 {
			t.Errorf("cohort %d: true ATT %.3f far from the configured %d (clipping?)", c, truth, size)
		}
	}
}

func meanVar(x []float64) (m, v float64) {
	for _, a := range x {
		m += a
	}
	m /= float64(len(x))
	for _, a := range x {
		v += (a - m) * (a - m)
	}
	return m, v / float64(len(x)-1)
}

// Annual values of monthly indicators are the mean of the twelve months,
// rounded: check wherever all twelve months are observed.
func TestMonthlyRollup(t *testing.T) {
	d := mustGenerate(t, small(4, 40))
	checked := 0
	for _, n := range d.Monthly.Indicators() {
		var spec IndicatorSpec
		for _, s := range Seed2025() {
			if s.Code == n {
				spec = s
			}
		}
		for u := range d.Monthly.Units {
			for yi := range d.Annual.T {
				a := d.Annual.At(n, u, yi)
				ms := d.Monthly.Series(n, u)[12*yi : 12*yi+12]
				var s float64
				ok := !math.IsNaN(a)
				for _, v := range ms {
					s += v
					ok = ok && !math.IsNaN(v)
				}
				if !ok {
					continue
				}
				checked++
				if want := spec.finish(s / 12); a != want {
					t.Fatalf("%s unit %d year %d: annual %g, mean of months %g", n, u, 2010+yi, a, want)
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d unit-years checked", checked)
	}
}

func TestSyntheticUnits(t *testing.T) {
	o := small(1, 400)
	o.StartYear, o.EndYear = 2016, 2020
	d := mustGenerate(t, o)
	if d.Annual.NUnits() != 400 || d.Annual.T != 5 || d.Monthly.T != 60 {
		t.Fatalf("got %d units × %d years, %d months", d.Annual.NUnits(), d.Annual.T, d.Monthly.T)
	}
	last := d.Annual.Units[399]
	if last.Code != "SYN00103" || last.Region == "" || last.Tier == "" {
		t.Errorf("last unit %+v", last)
	}
	if d.Monthly.Start != panel.MonthPeriod(2016, 1) {
		t.Errorf("monthly starts %s", d.Monthly.Start)
	}
}

func TestOptionsErrors(t *testing.T) {
	bad := []func(*Options){
		func(o *Options) { o.StartYear, o.EndYear = 2020, 2010 },
		func(o *Options) { o.MissingShare = 0.7 },
		func(o *Options) { o.MissingShare = math.NaN() },
		func(o *Options) { o.Effects = []Effect{{Indicator: "nope", Size: 1, Scale: InUnits}} },
		func(o *Options) { o.Effects = []Effect{{Indicator: "satisfaction", Size: 1}} },
		func(o *Options) {
			o.Effects = []Effect{{Indicator: "satisfaction", Size: 1, Scale: InSD}, {Indicator: "satisfaction", Size: 1, Scale: InSD}}
		},
		func(o *Options) { o.Units = []panel.Unit{{Code: "1"}, {Code: "1"}} },
		func(o *Options) { o.Batches = []Batch{{Year: 2012, Size: -1}} },
		func(o *Options) { o.Anticipation = -1 },
		func(o *Options) { s := Seed2025(); s[0].Direction = 0; o.Indicators = s },
	}
	for i, f := range bad {
		o := small(1, 20)
		f(&o)
		_, err := Generate(o)
		var oe *OptionsError
		if !errors.As(err, &oe) || !oe.UserFacing() {
			t.Errorf("case %d: error %v, want *OptionsError", i, err)
		}
	}
}

func TestSeedSpecsValid(t *testing.T) {
	seen := map[string]bool{}
	monthly := 0
	for _, s := range Seed2025() {
		if err := s.check(); err != nil {
			t.Error(err)
		}
		if seen[s.Code] {
			t.Errorf("%s twice", s.Code)
		}
		seen[s.Code] = true
		if s.Freq == panel.Month {
			monthly++
		}
	}
	if len(seen) != 35 || monthly != 7 {
		t.Errorf("%d indicators, %d monthly; want 35 and 7", len(seen), monthly)
	}
}

// An explicit profile with anticipation: event years −1, 0, ≥1 get 0.5, 1
// and 0.25 of the effect (exact for a count far from its bounds).
func TestTruthProfile(t *testing.T) {
	o := small(12, 80)
	o.Anticipation = 1
	o.Effects = []Effect{{Indicator: "digital_firms", Size: 40, Scale: InUnits, Profile: []float64{0.5, 1, 0.25}}}
	d := mustGenerate(t, o)
	for _, c := range d.Truth.Indicator("digital_firms").ByEventTime {
		want := 0.0
		switch {
		case c.EventTime == -1:
			want = 20
		case c.EventTime == 0:
			want = 40
		case c.EventTime > 0:
			want = 10
		}
		if c.ATT != want {
			t.Errorf("e=%d: ATT %g, want %g", c.EventTime, c.ATT, want)
		}
	}
}
