package econ

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// csWeight is the synthetic sampling weight of testdata/cs/
// cs_weights_reference.R for county c in year y: (c mod 23 ≠ 0)·(0.5 +
// (c mod 7)/4), times 1 + (y mod 3)/10 for repeated cross-sections.
func csWeight(c, y int, rcs bool) float64 {
	w := 0.5 + float64(c%7)/4
	if c%23 == 0 {
		w = 0
	}
	if rcs {
		w *= 1 + float64(y%3)/10
	}
	return w
}

// csWeightedMPDTA is mpdta with lpop as covariate and the synthetic
// weights, as the R script builds it for sample "panel", "rcs" or "unbal"
// (mpdta less the 2005 rows of counties ≡ 0 mod 7 and the 2007 rows of
// counties ≡ 0 mod 11).
func csWeightedMPDTA(t testing.TB, sample string) CSData {
	full := readMPDTACov(t)
	var d CSData
	d.Covariates = [][]float64{nil}
	d.CovariateNames = full.CovariateNames
	for r := range full.Unit {
		id, err := strconv.Atoi(full.Unit[r])
		if err != nil {
			t.Fatal(err)
		}
		yr := full.Time[r]
		if sample == "unbal" && ((id%7 == 0 && yr == 2005) || (id%11 == 0 && yr == 2007)) {
			continue
		}
		d.Unit = append(d.Unit, full.Unit[r])
		d.Time = append(d.Time, yr)
		d.Outcome = append(d.Outcome, full.Outcome[r])
		d.Cohort = append(d.Cohort, full.Cohort[r])
		d.Covariates[0] = append(d.Covariates[0], full.Covariates[0][r])
		d.Weights = append(d.Weights, csWeight(id, yr, sample == "rcs"))
	}
	return d
}

// csWindows are the restricted dynamic aggregations of
// cs_weights_reference.R (aggte(type = "dynamic", balance_e, min_e, max_e)).
var csWindows = map[string]func(*CSOptions){
	"dyn_b1": func(o *CSOptions) { o.BalanceE = new(1) },
	"dyn_b2": func(o *CSOptions) { o.BalanceE = new(2) },
	"dyn_w1": func(o *CSOptions) { o.MinE, o.MaxE = new(-2), new(2) },
	"dyn_w2": func(o *CSOptions) { o.MinE, o.MaxE = new(0), new(1) },
	"dyn_w3": func(o *CSOptions) { o.MaxE = new(0) },
	"dyn_bw": func(o *CSOptions) { o.BalanceE, o.MinE, o.MaxE = new(1), new(-1), new(3) },
}

// TestCSWeightsReference compares every ATT(g,t), analytic SE, pre-test,
// the four aggregations and six restricted dynamic aggregations
// (balance_e 1 and 2, min_e/max_e windows) with R's did 2.5.1 (DRDID
// 1.2.3) on mpdta with a synthetic sampling weight (weightsname), 1e-8
// relative: balanced panel, repeated cross-sections (panel = FALSE, row
// weights varying by year) and an unbalanced panel; no covariates and
// ~lpop by reg, ipw and dr; never- and not-yet-treated controls; plus
// unweighted runs for the restricted aggregations.
// testdata/cs/cs_weights_reference.R wrote
// testdata/cs/cs_weights_reference.csv (17 significant digits).
func TestCSWeightsReference(t *testing.T) {
	f, err := os.Open("testdata/cs/cs_weights_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]CSData{}
	for _, s := range []string{"panel", "rcs", "unbal"} {
		data[s] = csWeightedMPDTA(t, s)
	}
	type key [2]string // kind, key
	want := map[string]map[key][2]float64{}
	var order []string
	for _, r := range rows[1:] {
		att, err1 := strconv.ParseFloat(r[3], 64)
		se := r[4]
		if se == "NA" { // the universal base-period cells, zero influence function
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
		want[r[0]][key{r[1], r[2]}] = [2]float64{att, sev}
	}
	if len(order) != 29 {
		t.Fatalf("%d scenarios, want 29", len(order))
	}
	total, worst := 0, 0.0
	for _, scen := range order {
		p := strings.Split(scen, "/") // sample/method/control/base/weighting
		d := data[p[0]]
		var opts CSOptions
		switch p[0] {
		case "rcs":
			opts.Sample = CSRepeatedCrossSections
		case "unbal":
			opts.Sample = CSUnbalancedPanel
		}
		switch p[1] {
		case "none":
			d.Covariates, d.CovariateNames = nil, nil
		case "reg":
			opts.Method = CSOutcomeRegression
		case "ipw":
			opts.Method = CSIPW
		}
		if p[2] == "notyettreated" {
			opts.Control = CSNotYetTreated
		}
		if p[3] == "universal" {
			opts.Base = CSUniversal
		}
		if p[4] == "unw" {
			d.Weights = nil
		}
		got := map[key][2]float64{}
		r, err := CallawaySantAnna(d, opts)
		if err != nil {
			t.Fatalf("%s: %v", scen, err)
		}
		for _, c := range r.Cells {
			got[key{"att_gt", strconv.Itoa(c.Group) + "/" + strconv.Itoa(c.Time)}] = [2]float64{c.ATT, c.SE}
		}
		if r.PreTest != nil {
			got[key{"pretest", "W"}] = [2]float64{r.PreTest.W, r.PreTest.P}
			got[key{"pretest", "q"}] = [2]float64{float64(r.PreTest.DF), 0}
		}
		got[key{"simple", "overall"}] = [2]float64{r.Simple.ATT, r.Simple.SE}
		addAgg := func(kind string, a CSAggregate) {
			got[key{kind, "overall"}] = [2]float64{a.Overall.ATT, a.Overall.SE}
			for _, b := range a.By {
				got[key{kind, strconv.Itoa(b.Key)}] = [2]float64{b.ATT, b.SE}
			}
		}
		addAgg("dynamic", r.Dynamic)
		addAgg("group", r.Group)
		addAgg("calendar", r.Calendar)
		for name, set := range csWindows {
			o := opts
			set(&o)
			rw, err := CallawaySantAnna(d, o)
			if err != nil {
				t.Fatalf("%s %s: %v", scen, name, err)
			}
			addAgg(name, rw.Dynamic)
			if rw.Weighted != (p[4] == "w") || (rw.BalanceE == nil) != (o.BalanceE == nil) || (rw.MaxE == nil) != (o.MaxE == nil) {
				t.Errorf("%s %s: Weighted %v, BalanceE %v, MaxE %v do not repeat the options", scen, name, rw.Weighted, rw.BalanceE, rw.MaxE)
			}
			if rw.Simple != r.Simple || rw.Group.Overall != r.Group.Overall {
				t.Errorf("%s %s: the window changed the simple or group aggregation", scen, name)
			}
		}
		for kk, w := range want[scen] {
			g, ok := got[kk]
			if !ok {
				t.Errorf("%s %v: missing", scen, kk)
				continue
			}
			delete(got, kk)
			total++
			for j := range w {
				if w[j] != 0 {
					worst = max(worst, math.Abs(g[j]-w[j])/math.Abs(w[j]))
				}
				// IPW: R's logit stops about 1e-8 from the maximum
				// (testdata/cs/cs_logit_convergence.R), 3e-8 there as in
				// TestCSRepeatedCrossSectionsReference.
				if !csClose(g[j], w[j]) && !(p[1] == "ipw" && math.Abs(g[j]-w[j]) <= 3e-8*math.Abs(w[j])) {
					t.Errorf("%s %v[%d]: got %.15g, did %.15g", scen, kk, j, g[j], w[j])
				}
			}
		}
		for kk := range got {
			t.Errorf("%s %v: not in did's output", scen, kk)
		}
	}
	t.Logf("%d reference rows (%d numbers), largest relative difference %.2g", total, 2*total, worst)
}

// TestCSWeightsInvariance: multiplying every weight by a constant changes
// nothing (did scales them to mean 1), and weights all equal to 1 give the
// unweighted numbers.
func TestCSWeightsInvariance(t *testing.T) {
	d := csWeightedMPDTA(t, "panel")
	opts := CSOptions{Method: CSDoublyRobust, BalanceE: new(1)}
	a, err := CallawaySantAnna(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	d3 := d
	d3.Weights = make([]float64, len(d.Weights))
	for i, w := range d.Weights {
		d3.Weights[i] = 3.5 * w
	}
	b, err := CallawaySantAnna(d3, opts)
	if err != nil {
		t.Fatal(err)
	}
	ones := d
	ones.Weights = make([]float64, len(d.Weights))
	for i := range ones.Weights {
		ones.Weights[i] = 1
	}
	c, err := CallawaySantAnna(ones, opts)
	if err != nil {
		t.Fatal(err)
	}
	unw := d
	unw.Weights = nil
	u, err := CallawaySantAnna(unw, opts)
	if err != nil {
		t.Fatal(err)
	}
	for k := range a.Cells {
		if !csClose(a.Cells[k].ATT, b.Cells[k].ATT) || !csClose(a.Cells[k].SE, b.Cells[k].SE) {
			t.Errorf("cell %v: weights ×3.5 give %v, want %v", a.Cells[k], b.Cells[k], a.Cells[k])
		}
		if !csClose(u.Cells[k].ATT, c.Cells[k].ATT) || !csClose(u.Cells[k].SE, c.Cells[k].SE) {
			t.Errorf("cell (%d,%d): unit weights give %v, unweighted %v", u.Cells[k].Group, u.Cells[k].Time, c.Cells[k], u.Cells[k])
		}
	}
	if !csClose(a.Dynamic.Overall.SE, b.Dynamic.Overall.SE) || !csClose(u.Dynamic.Overall.SE, c.Dynamic.Overall.SE) {
		t.Errorf("dynamic SE: %v, %v (×3.5); %v, %v (ones, unweighted)", a.Dynamic.Overall.SE, b.Dynamic.Overall.SE, c.Dynamic.Overall.SE, u.Dynamic.Overall.SE)
	}
	if u.Dynamic.Overall.ATT == a.Dynamic.Overall.ATT {
		t.Error("the weights do not change the dynamic ATT")
	}
}

// TestCSWeightErrors: bad weights and windows are *CSError values with
// their cause and, for rows, the row, unit and period; the messages name
// the row, unit and value.
func TestCSWeightErrors(t *testing.T) {
	base := csWeightedMPDTA(t, "panel")
	with := func(r int, v float64) CSData {
		d := base
		d.Weights = append([]float64(nil), base.Weights...)
		d.Weights[r] = v
		return d
	}
	unit, year := base.Unit[7], base.Time[7]
	for _, c := range []struct {
		name  string
		d     CSData
		opts  CSOptions
		cause error
		row   int // CSError.Row; 0: none
		facts []string
	}{
		{"negative", with(7, -1), CSOptions{}, ErrBadWeight, 8, []string{"row 8", strconv.Quote(unit), strconv.Itoa(year), "-1"}},
		{"NaN", with(7, math.NaN()), CSOptions{}, ErrMissing, 8, []string{"row 8", strconv.Quote(unit)}},
		{"Inf", with(7, math.Inf(1)), CSOptions{}, ErrBadWeight, 8, []string{"row 8", "+Inf"}},
		{"varies in panel", with(7, 9), CSOptions{}, ErrBadWeight, 8, []string{"row 8", strconv.Quote(unit), "to 9"}},
		{"varies in unbalanced panel", with(7, 9), CSOptions{Sample: CSUnbalancedPanel}, ErrBadWeight, 8, []string{"row 8", strconv.Quote(unit), "to 9"}},
		{"all zero", func() CSData { d := base; d.Weights = make([]float64, len(base.Weights)); return d }(), CSOptions{}, ErrBadWeight, 0, nil},
		{"short", func() CSData { d := base; d.Weights = base.Weights[:10]; return d }(), CSOptions{}, ErrColumnLength, 0, []string{"10 rows", strconv.Itoa(len(base.Unit))}},
		{"cohort weight 0", func() CSData {
			d := base
			d.Weights = append([]float64(nil), base.Weights...)
			for r := range d.Weights {
				if d.Cohort[r] == 2004 {
					d.Weights[r] = 0
				}
			}
			return d
		}(), CSOptions{}, ErrBadWeight, 0, []string{"cohort 2004"}},
		{"balance_e too large", base, CSOptions{BalanceE: new(5)}, ErrEventWindow, 0, []string{"balance_e 5", "2007"}},
		{"window before treatment", base, CSOptions{MaxE: new(-1)}, ErrEventWindow, 0, []string{"max_e -1"}},
		{"min above max", base, CSOptions{MinE: new(2), MaxE: new(1)}, ErrBadOptions, 0, []string{"MinE 2", "MaxE 1"}},
		{"negative balance", base, CSOptions{BalanceE: new(-1)}, ErrBadOptions, 0, []string{"BalanceE -1"}},
	} {
		_, err := CallawaySantAnna(c.d, c.opts)
		var e *CSError
		if !errors.As(err, &e) || !errors.Is(err, c.cause) {
			t.Errorf("%s: error %v; want a *CSError with cause %v", c.name, err, c.cause)
			continue
		}
		if e.Row != c.row || (c.row > 0 && (e.Unit != unit || e.Period != year || e.Column != "weight")) {
			t.Errorf("%s: row %d, unit %q, period %d, column %q; want row %d, unit %q, period %d, column weight", c.name, e.Row, e.Unit, e.Period, e.Column, c.row, unit, year)
		}
		if c.name == "cohort weight 0" && e.Cohort != 2004 {
			t.Errorf("%s: cohort %d; want 2004", c.name, e.Cohort)
		}
		for _, f := range c.facts {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, f)
			}
		}
	}
	// Repeated cross-sections: weights may vary within a unit label.
	d := with(7, 9)
	if _, err := CallawaySantAnna(d, CSOptions{Sample: CSRepeatedCrossSections}); err != nil {
		t.Errorf("repeated cross-sections with row weights: %v", err)
	}
}

// TestCSWeightsBootstrap: the multiplier bootstrap of the restricted
// dynamic aggregation with sampling weights (DR, ~lpop, never-treated,
// balance_e = 1 and min_e = −2, max_e = 2). With 20,000 draws (Monte Carlo
// sd of the IQR-based SE ≈ 0.8 %) every bootstrap SE is within 12 % of the
// analytic one (the 2004 cohort's 20 counties make the Rademacher sums
// skewed, see TestCSBootstrapMatchesAnalytic) and within 12 % of R did's
// bootstrap SE, whose 1,000 draws have a Monte Carlo sd of ≈ 3.7 %; the
// uniform critical values of the event-time bands agree with did's within
// 12 % (testdata/cs/cs_weights_boot_reference.R, seed 20261128). The band
// of the min_e/max_e window covers only its event times, the same
// estimates as without the window on the same draws: it is no wider than
// the band over all event times.
func TestCSWeightsBootstrap(t *testing.T) {
	f, err := os.Open("testdata/cs/cs_weights_boot_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rse := map[[2]string]float64{}
	rcrit := map[string]float64{}
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			t.Fatal(err)
		}
		rse[[2]string{r[1], r[2]}] = v
		if r[4] != "NA" {
			if rcrit[r[1]], err = strconv.ParseFloat(r[4], 64); err != nil {
				t.Fatal(err)
			}
		}
	}
	d := csWeightedMPDTA(t, "panel")
	full, err := CallawaySantAnna(d, CSOptions{Boot: 20000, Seed: 5, CBand: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range []string{"dyn_b1", "dyn_w1"} {
		opts := CSOptions{}
		csWindows[name](&opts)
		an, err := CallawaySantAnna(d, opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.Boot, opts.Seed, opts.CBand = 20000, 5, true
		bs, err := CallawaySantAnna(d, opts)
		if err != nil {
			t.Fatal(err)
		}
		check := func(key string, boot, analytic float64) {
			n++
			if r := math.Abs(boot/analytic - 1); !(r < 0.12) {
				t.Errorf("%s %s: bootstrap SE %.5g, analytic %.5g", name, key, boot, analytic)
			}
			want, ok := rse[[2]string{name, key}]
			if !ok {
				t.Errorf("%s %s: no R reference", name, key)
				return
			}
			if r := math.Abs(boot/want - 1); !(r < 0.12) {
				t.Errorf("%s %s: bootstrap SE %.5g, R did's %.5g", name, key, boot, want)
			}
		}
		check("overall", bs.Dynamic.Overall.SE, an.Dynamic.Overall.SE)
		if len(bs.Dynamic.By) != len(an.Dynamic.By) {
			t.Fatalf("%s: %d event times with the bootstrap, %d without", name, len(bs.Dynamic.By), len(an.Dynamic.By))
		}
		for i, e := range bs.Dynamic.By {
			check(strconv.Itoa(e.Key), e.SE, an.Dynamic.By[i].SE)
		}
		c := bs.Dynamic.CritVal
		if math.Abs(c/rcrit[name]-1) > 0.12 || !(c >= normalQuantile(0.975)) || (name == "dyn_w1" && c > full.Dynamic.CritVal) {
			t.Errorf("%s: uniform critical value %.4f, R did %.4f, over all event times %.4f", name, c, rcrit[name], full.Dynamic.CritVal)
		}
		t.Logf("%s: critical value %.4f (R did %.4f; all event times %.4f)", name, c, rcrit[name], full.Dynamic.CritVal)
	}
	if n != len(rse) {
		t.Errorf("checked %d SEs, R reference has %d", n, len(rse))
	}
}
