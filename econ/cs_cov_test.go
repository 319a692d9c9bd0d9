package econ

import (
	"encoding/csv"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// readMPDTACov is mpdta with lpop as a covariate and the state (FIPS
// code countyreal %/% 1000, 29 states) as cluster, as
// testdata/cs/cs_covariates_reference.R builds them.
func readMPDTACov(t testing.TB) CSData {
	t.Helper()
	d := readMPDTA(t)
	f, err := os.Open("testdata/cs/mpdta.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for j, h := range rows[0] {
		col[h] = j
	}
	lpop := make([]float64, 0, len(rows)-1)
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[col["lpop"]], 64)
		if err != nil {
			t.Fatal(err)
		}
		lpop = append(lpop, v)
		c, err := strconv.Atoi(r[col["countyreal"]])
		if err != nil {
			t.Fatal(err)
		}
		d.Cluster = append(d.Cluster, strconv.Itoa(c/1000))
	}
	d.Covariates = [][]float64{lpop}
	d.CovariateNames = []string{"lpop"}
	return d
}

// TestCSCovariatesReference compares every ATT(g,t), its analytic SE, the
// four aggregations and did's Wald pre-test with R's did 2.5.1 (DRDID
// 1.2.3) on mpdta, 1e-8 relative: xformla = ~lpop with est_method "reg",
// "ipw" and "dr", and without covariates ("none"); never- and
// not-yet-treated controls; varying and universal base periods;
// anticipation = 1 ("ant1"); standard errors clustered by state
// ("state"). testdata/cs/cs_covariates_reference.R wrote
// testdata/cs/cs_covariates_reference.csv (17 significant digits).
func TestCSCovariatesReference(t *testing.T) {
	f, err := os.Open("testdata/cs/cs_covariates_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	full := readMPDTACov(t)
	type key [3]string
	want := map[string]map[key][2]float64{}
	var order []string
	for _, r := range rows[1:] {
		att, err1 := strconv.ParseFloat(r[3], 64)
		se := r[4]
		if se == "NA" { // did's SE of the universal base-period cells
			se = "0"
		}
		sev, err2 := strconv.ParseFloat(se, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad reference row %v", r)
		}
		if want[r[0]] == nil {
			want[r[0]] = map[key][2]float64{}
			order = append(order, r[0])
		}
		want[r[0]][key{r[0], r[1], r[2]}] = [2]float64{att, sev}
	}
	if len(order) != 28 {
		t.Fatalf("%d scenarios, want 28", len(order))
	}
	total, worst := 0, 0.0
	for _, scen := range order {
		parts := strings.Split(scen, "/")
		d := full
		var opts CSOptions
		switch parts[0] {
		case "none":
			d.Covariates, d.CovariateNames = nil, nil
		case "reg":
			opts.Method = CSOutcomeRegression
		case "ipw":
			opts.Method = CSIPW
		case "dr":
			opts.Method = CSDoublyRobust
		}
		if parts[1] == "notyettreated" {
			opts.Control = CSNotYetTreated
		}
		if parts[2] == "universal" {
			opts.Base = CSUniversal
		}
		d.Cluster = nil
		if len(parts) > 3 {
			switch parts[3] {
			case "ant1":
				opts.Anticipation = 1
			case "state":
				d.Cluster = full.Cluster
			}
		}
		r, err := CallawaySantAnna(d, opts)
		if err != nil {
			t.Fatalf("%s: %v", scen, err)
		}
		got := map[key][2]float64{}
		k := func(kind, kk string) key { return key{scen, kind, kk} }
		for _, c := range r.Cells {
			got[k("att_gt", strconv.Itoa(c.Group)+"/"+strconv.Itoa(c.Time))] = [2]float64{c.ATT, c.SE}
		}
		if r.PreTest != nil {
			got[k("pretest", "W")] = [2]float64{r.PreTest.W, r.PreTest.P}
			got[k("pretest", "q")] = [2]float64{float64(r.PreTest.DF), 0}
		}
		got[k("simple", "overall")] = [2]float64{r.Simple.ATT, r.Simple.SE}
		for kind, a := range map[string]CSAggregate{"dynamic": r.Dynamic, "group": r.Group, "calendar": r.Calendar} {
			got[k(kind, "overall")] = [2]float64{a.Overall.ATT, a.Overall.SE}
			for _, b := range a.By {
				got[k(kind, strconv.Itoa(b.Key))] = [2]float64{b.ATT, b.SE}
			}
		}
		for kk, w := range want[scen] {
			g, ok := got[kk]
			if !ok {
				t.Errorf("%v: missing", kk)
				continue
			}
			delete(got, kk)
			total++
			for j := range w {
				if w[j] != 0 {
					worst = max(worst, math.Abs(g[j]-w[j])/math.Abs(w[j]))
				}
				if !csClose(g[j], w[j]) {
					t.Errorf("%v[%d]: got %.15g, did %.15g", kk, j, g[j], w[j])
				}
			}
		}
		for kk := range got {
			t.Errorf("%v: not in did's output", kk)
		}
	}
	t.Logf("%d reference rows (%d numbers), largest relative difference %.2g", total, 2*total, worst)
}

// TestCSCovariatesRecoverTruth: on a generated panel where the outcome
// trend depends on a covariate x and units with larger x are more likely
// to be treated, the unconditional estimator is biased while reg, ipw and
// dr recover the true effect (1 + 0.5e at event time e ≥ 0, 0 before)
// within sampling error (5 SEs).
func TestCSCovariatesRecoverTruth(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var d CSData
	var x []float64
	for i := 0; i < 3000; i++ {
		xi := rng.NormFloat64()
		g := 0
		if rng.Float64() < csLogistic(xi) { // treated more often when x is large
			g = []int{2004, 2006}[i%2]
		}
		a := rng.NormFloat64()
		for tt := 2001; tt <= 2008; tt++ {
			y := a + 0.3*xi*float64(tt-2000) + 0.5*rng.NormFloat64() // x-specific trend
			if g != 0 && tt >= g {
				y += 1 + 0.5*float64(tt-g)
			}
			d.Unit = append(d.Unit, strconv.Itoa(i))
			d.Time = append(d.Time, tt)
			d.Outcome = append(d.Outcome, y)
			d.Cohort = append(d.Cohort, g)
			x = append(x, xi)
		}
	}
	unc, err := CallawaySantAnna(d, CSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Covariates = [][]float64{x}
	biased := 0
	for _, m := range []CSMethod{CSOutcomeRegression, CSIPW, CSDoublyRobust} {
		r, err := CallawaySantAnna(d, CSOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		for k, c := range r.Cells {
			truth := 0.0
			if c.Time >= c.Group {
				truth = 1 + 0.5*float64(c.Time-c.Group)
			}
			if math.Abs(c.ATT-truth) > 5*c.SE {
				t.Errorf("%v (%d,%d): ATT %.3f (SE %.3f), truth %.3f", m, c.Group, c.Time, c.ATT, c.SE, truth)
			}
			if m == CSDoublyRobust && math.Abs(unc.Cells[k].ATT-truth) > 5*unc.Cells[k].SE {
				biased++
			}
		}
		if r.PreTest == nil || r.PreTest.P < 1e-3 {
			t.Errorf("%v: pre-test %+v rejects parallel trends conditional on x", m, r.PreTest)
		}
	}
	if biased < len(unc.Cells)/2 || unc.PreTest == nil || unc.PreTest.P > 1e-6 {
		t.Errorf("unconditional: only %d of %d cells biased, pre-test %+v: the design does not bite", biased, len(unc.Cells), unc.PreTest)
	}
}

// TestCSCovariateErrors: bad covariate or cluster input returns errors.
func TestCSCovariateErrors(t *testing.T) {
	base := readMPDTACov(t)
	n := len(base.Unit)
	withCov := func(f func(i int) float64) CSData {
		d := base
		x := make([]float64, n)
		for i := range x {
			x[i] = f(i)
		}
		d.Covariates = [][]float64{x}
		return d
	}
	treated := func(i int) float64 {
		if base.Cohort[i] != 0 {
			return 1
		}
		return 0
	}
	for name, c := range map[string]struct {
		d    CSData
		opts CSOptions
		is   error
	}{
		"constant covariate": {withCov(func(int) float64 { return 3 }), CSOptions{Method: CSOutcomeRegression}, ErrCollinear},
		"separation":         {withCov(treated), CSOptions{Method: CSDoublyRobust}, ErrOverlap},
		"ipw separation":     {withCov(treated), CSOptions{Method: CSIPW}, ErrOverlap},
		"missing covariate": {withCov(func(i int) float64 {
			if i == 7 {
				return math.NaN()
			}
			return 1
		}), CSOptions{}, ErrMissing},
		"short covariate": {CSData{Unit: base.Unit, Time: base.Time, Outcome: base.Outcome, Cohort: base.Cohort, Covariates: [][]float64{{1}}}, CSOptions{}, ErrColumnLength},
		"cluster varies": {func() CSData {
			d := base
			d.Cluster = append([]string(nil), base.Cluster...)
			d.Cluster[1] = "zz"
			return d
		}(), CSOptions{}, ErrClusterVaries},
		"anticipation":    {base, CSOptions{Anticipation: -1}, ErrBadOptions},
		"cband no draws":  {base, CSOptions{CBand: true}, ErrBadOptions},
		"alpha":           {base, CSOptions{Alpha: 1.5}, ErrBadOptions},
		"method":          {base, CSOptions{Method: 9}, ErrBadOptions},
		"too much antic.": {base, CSOptions{Anticipation: 5}, ErrNoTreated},
		"negative draws":  {base, CSOptions{Boot: -1}, ErrBadOptions},
	} {
		_, err := CallawaySantAnna(c.d, c.opts)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		var e *CSError
		if !errors.As(err, &e) || !errors.Is(err, c.is) {
			t.Errorf("%s: error %v, want a *CSError with cause %v", name, err, c.is)
			continue
		}
		// The 2×2 failures name their cell.
		if (c.is == ErrOverlap || c.is == ErrCollinear) && (e.Cohort == 0 || e.Period == 0) {
			t.Errorf("%s: %v: cohort %d, period %d; want the cell", name, err, e.Cohort, e.Period)
		}
	}
}
