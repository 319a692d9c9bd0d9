package econ

import (
	"encoding/csv"
	"math"
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
