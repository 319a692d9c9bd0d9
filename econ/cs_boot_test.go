package econ

import (
	"encoding/csv"
	"math"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// csAllSE lists every SE of r in a fixed order.
func csAllSE(r *CS) []float64 {
	var out []float64
	for _, c := range r.Cells {
		out = append(out, c.SE)
	}
	out = append(out, r.Simple.SE)
	for _, a := range []CSAggregate{r.Dynamic, r.Group, r.Calendar} {
		out = append(out, a.Overall.SE)
		for _, b := range a.By {
			out = append(out, b.SE)
		}
	}
	return out
}

// TestCSBootstrapReproducible: the same seed gives bit-identical SEs and
// critical values whatever Workers and GOMAXPROCS are; another seed
// gives other draws.
func TestCSBootstrapReproducible(t *testing.T) {
	d := readMPDTACov(t)
	opts := CSOptions{Boot: 999, Seed: 7, CBand: true}
	run := func(workers, procs int, seed uint64) *CS {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		o := opts
		o.Workers, o.Seed = workers, seed
		r, err := CallawaySantAnna(d, o)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := run(1, 1, 7)
	for _, c := range [][2]int{{0, 4}, {3, 2}, {16, 8}} {
		b := run(c[0], c[1], 7)
		if !reflect.DeepEqual(csAllSE(a), csAllSE(b)) || a.CritVal != b.CritVal ||
			a.Dynamic.CritVal != b.Dynamic.CritVal || a.Group.CritVal != b.Group.CritVal || a.Calendar.CritVal != b.Calendar.CritVal {
			t.Errorf("workers %d, GOMAXPROCS %d: bootstrap differs from the serial run", c[0], c[1])
		}
	}
	if o := run(0, 4, 8); reflect.DeepEqual(csAllSE(a), csAllSE(o)) {
		t.Error("seeds 7 and 8 give identical bootstrap SEs")
	}
	if a.Boot != 999 || a.Seed != 7 {
		t.Errorf("Boot, Seed = %d, %d; want 999, 7", a.Boot, a.Seed)
	}
}

// TestCSBootstrapMatchesAnalytic: with Rademacher or Mammen multipliers
// the bootstrap variance of Σ_i ξ_i ψ_i / N given the data is exactly the
// analytic variance, but the SE is IQR/(z_.75 − z_.25) of the draws, as
// in did, which equals the analytic SE only when the draws are close to
// normal. On mpdta the 2004 cohort has 20 counties, whose ψ_i dominate the
// ATT(2004,t): with Rademacher weights the IQR-based SE is then up to
// 11 % above the analytic one — R did shows the same (ATT(2004,2005):
// bootstrap 0.0314 vs analytic 0.0287 in testdata/cs/cs_boot_reference.csv),
// and by state (29 clusters, a few large) gaps reach 15 %. So the test
// asks, with 20,000 draws (Monte Carlo sd of the IQR estimator
// ≈ 1/sqrt(0.74·B) ≈ 0.8 %):
//
//   - Mammen weights (closer to normal sums): every SE within 5 % of the
//     analytic one, the median within 2 %;
//   - Rademacher weights (did's): every SE within 12 % of the analytic
//     one and the median within 3 % by county (18 % and 6 % by state),
//     and within 12 % of R did's bootstrap SE (1,000 draws, Monte Carlo
//     sd ≈ 3.7 %), by county and by state.
func TestCSBootstrapMatchesAnalytic(t *testing.T) {
	d := readMPDTACov(t)
	f, err := os.Open("testdata/cs/cs_boot_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rse := map[[3]string]float64{}
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			t.Fatal(err)
		}
		rse[[3]string{r[0], r[1], r[2]}] = v
	}
	for _, c := range []struct {
		cl        string
		w         CSBootWeights
		tol, tmed float64
	}{{"unit", CSMammen, 0.05, 0.02}, {"unit", CSRademacher, 0.12, 0.03}, {"state", CSRademacher, 0.18, 0.06}} {
		dd := d
		if c.cl == "unit" {
			dd.Cluster = nil
		}
		an, err := CallawaySantAnna(dd, CSOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bs, err := CallawaySantAnna(dd, CSOptions{Boot: 20000, Seed: 1, Weights: c.w})
		if err != nil {
			t.Fatal(err)
		}
		a, b := csAllSE(an), csAllSE(bs)
		var gaps []float64
		for i := range a {
			r := math.Abs(b[i]/a[i] - 1)
			gaps = append(gaps, r)
			if !(r < c.tol) {
				t.Errorf("%s/%d: SE %d: bootstrap %.5g, analytic %.5g", c.cl, c.w, i, b[i], a[i])
			}
		}
		slices.Sort(gaps)
		if med := gaps[len(gaps)/2]; !(med < c.tmed) {
			t.Errorf("%s/%d: median gap bootstrap/analytic %.3f", c.cl, c.w, med)
		}
		t.Logf("%s/%d: %d SEs, gap bootstrap/analytic median %.3f, largest %.3f", c.cl, c.w, len(a), gaps[len(gaps)/2], gaps[len(gaps)-1])
		if c.w != CSRademacher {
			continue
		}
		scen := "dr/nevertreated/varying/" + c.cl
		got := map[[3]string]float64{}
		for _, x := range bs.Cells {
			got[[3]string{scen, "att_gt", strconv.Itoa(x.Group) + "/" + strconv.Itoa(x.Time)}] = x.SE
		}
		for kind, a := range map[string]CSAggregate{"dynamic": bs.Dynamic, "group": bs.Group, "calendar": bs.Calendar} {
			got[[3]string{scen, kind, "overall"}] = a.Overall.SE
			for _, x := range a.By {
				got[[3]string{scen, kind, strconv.Itoa(x.Key)}] = x.SE
			}
		}
		worst, n := 0.0, 0
		for k, want := range rse {
			if k[0] != scen {
				continue
			}
			n++
			g, ok := got[k]
			if !ok {
				t.Errorf("%v missing", k)
				continue
			}
			r := math.Abs(g/want - 1)
			worst = max(worst, r)
			if !(r < 0.12) {
				t.Errorf("%v: bootstrap SE %.5g, R did's %.5g", k, g, want)
			}
		}
		t.Logf("%s: %d SEs, largest gap to R did's bootstrap SE %.3f", scen, n, worst)
	}
}

// TestCSUniformBands checks the structure of the uniform bands and
// compares their critical values with R did's on the same specification
// (testdata/cs/cs_boot_reference.R, 1,000 draws, seed 20261128): both are
// random, so only within 12 % (the sup-t quantile of 12 cells from 1,000
// draws has a Monte Carlo sd of a few percent).
func TestCSUniformBands(t *testing.T) {
	f, err := os.Open("testdata/cs/cs_boot_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rcrit := map[[2]string]float64{}
	for _, r := range rows[1:] {
		if r[4] == "NA" {
			continue
		}
		v, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			t.Fatal(err)
		}
		rcrit[[2]string{r[0], r[1]}] = v
	}
	d := readMPDTACov(t)
	z := normalQuantile(0.975)
	for _, cl := range []string{"unit", "state"} {
		dd := d
		if cl == "unit" {
			dd.Cluster = nil
		}
		r, err := CallawaySantAnna(dd, CSOptions{Boot: 5000, Seed: 3, CBand: true})
		if err != nil {
			t.Fatal(err)
		}
		scen := "dr/nevertreated/varying/" + cl
		for _, c := range []struct {
			kind string
			got  float64
		}{{"att_gt", r.CritVal}, {"dynamic", r.Dynamic.CritVal}, {"group", r.Group.CritVal}, {"calendar", r.Calendar.CritVal}} {
			want, ok := rcrit[[2]string{scen, c.kind}]
			if !ok {
				t.Fatalf("%s %s: no reference", scen, c.kind)
			}
			// A sup over k ≥ 1 normal-ish statistics: at least z_.975, at
			// most the Bonferroni value for 12 cells (with some slack).
			if !(c.got > z*0.98 && c.got < 3.5) || math.Abs(c.got/want-1) > 0.12 {
				t.Errorf("%s %s: uniform critical value %.4f, R did %.4f", scen, c.kind, c.got, want)
			}
			t.Logf("%s %s: critical value %.4f, R did %.4f", scen, c.kind, c.got, want)
		}
	}
	if _, err := CallawaySantAnna(d, CSOptions{CBand: true}); err == nil {
		t.Error("CBand without bootstrap draws: no error")
	}
	// Without CBand the critical values are pointwise.
	r, err := CallawaySantAnna(d, CSOptions{Boot: 99})
	if err != nil {
		t.Fatal(err)
	}
	if r.CritVal != z || r.Dynamic.CritVal != z {
		t.Errorf("pointwise critical values %v, %v; want %v", r.CritVal, r.Dynamic.CritVal, z)
	}
}

// TestCSType1Quantile pins the index arithmetic of R's quantile type 1.
func TestCSType1Quantile(t *testing.T) {
	for _, c := range []struct {
		n    int
		p    float64
		want int
	}{{1000, 0.95, 949}, {999, 0.95, 949}, {1000, 0.75, 749}, {999, 0.25, 249}, {1, 0.95, 0}, {20, 0.05, 0}} {
		if got := csType1Index(c.n, c.p); got != c.want {
			t.Errorf("csType1Index(%d, %v) = %d; want %d", c.n, c.p, got, c.want)
		}
	}
}
