package econ

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"testing"
)

// readMPDTA reads did's example panel (see testdata/cs/README.md).
func readMPDTA(t testing.TB) CSData {
	t.Helper()
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
	var d CSData
	for _, r := range rows[1:] {
		yr, err1 := strconv.Atoi(r[col["year"]])
		y, err2 := strconv.ParseFloat(r[col["lemp"]], 64)
		g, err3 := strconv.Atoi(r[col["first.treat"]])
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		d.Unit = append(d.Unit, r[col["countyreal"]])
		d.Time = append(d.Time, yr)
		d.Outcome = append(d.Outcome, y)
		d.Cohort = append(d.Cohort, g)
	}
	return d
}

// TestCSMPDTAPublished compares with the numbers printed in did's README
// (bcallaway11/did @71ba8a5 : README.md lines 136–149, 212–225, 277–286),
// att_gt(yname = "lemp", tname = "year", idname = "countyreal",
// gname = "first.treat", xformla = ~1, data = mpdta, est_method = "reg").
// Estimates are printed to 4 decimals; the README's SEs come from the
// multiplier bootstrap (1000 draws), so analytic SEs must agree with them
// only within Monte Carlo error (here 12 % relative).
func TestCSMPDTAPublished(t *testing.T) {
	r, err := CallawaySantAnna(readMPDTA(t), CSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 500 || len(r.Dropped) != 0 {
		t.Fatalf("N = %d, dropped %v; want 500, none", r.N, r.Dropped)
	}
	type row struct {
		key      [2]int
		att, bse float64
	}
	want := []row{
		{[2]int{2004, 2004}, -0.0105, 0.0246},
		{[2]int{2004, 2005}, -0.0704, 0.0332},
		{[2]int{2004, 2006}, -0.1373, 0.0397},
		{[2]int{2004, 2007}, -0.1008, 0.0357},
		{[2]int{2006, 2004}, 0.0065, 0.0229},
		{[2]int{2006, 2005}, -0.0028, 0.0197},
		{[2]int{2006, 2006}, -0.0046, 0.0179},
		{[2]int{2006, 2007}, -0.0412, 0.0192},
		{[2]int{2007, 2004}, 0.0305, 0.0154},
		{[2]int{2007, 2005}, -0.0027, 0.0164},
		{[2]int{2007, 2006}, -0.0311, 0.0184},
		{[2]int{2007, 2007}, -0.0261, 0.0170},
	}
	if len(r.Cells) != len(want) {
		t.Fatalf("%d cells, want %d", len(r.Cells), len(want))
	}
	for k, w := range want {
		c := r.Cells[k]
		if [2]int{c.Group, c.Time} != w.key {
			t.Fatalf("cell %d is (%d,%d), want %v", k, c.Group, c.Time, w.key)
		}
		checkPrinted(t, "ATT"+strconv.Itoa(c.Group)+"/"+strconv.Itoa(c.Time), c.ATT, c.SE, w.att, w.bse)
	}
	dyn := []row{
		{[2]int{-3}, 0.0305, 0.0154}, {[2]int{-2}, -0.0006, 0.0132}, {[2]int{-1}, -0.0245, 0.0153},
		{[2]int{0}, -0.0199, 0.0123}, {[2]int{1}, -0.0510, 0.0167}, {[2]int{2}, -0.1373, 0.0413},
		{[2]int{3}, -0.1008, 0.0351},
	}
	checkPrinted(t, "dynamic overall", r.Dynamic.Overall.ATT, r.Dynamic.Overall.SE, -0.0772, 0.0219)
	if len(r.Dynamic.By) != len(dyn) {
		t.Fatalf("%d event times, want %d", len(r.Dynamic.By), len(dyn))
	}
	for k, w := range dyn {
		e := r.Dynamic.By[k]
		if e.Key != w.key[0] {
			t.Fatalf("event time %d, want %d", e.Key, w.key[0])
		}
		checkPrinted(t, "e="+strconv.Itoa(e.Key), e.ATT, e.SE, w.att, w.bse)
	}
	checkPrinted(t, "group overall", r.Group.Overall.ATT, r.Group.Overall.SE, -0.0310, 0.0126)
	grp := []row{{[2]int{2004}, -0.0797, 0.0291}, {[2]int{2006}, -0.0229, 0.0176}, {[2]int{2007}, -0.0261, 0.0175}}
	for k, w := range grp {
		g := r.Group.By[k]
		if g.Key != w.key[0] {
			t.Fatalf("group %d, want %d", g.Key, w.key[0])
		}
		checkPrinted(t, "group "+strconv.Itoa(g.Key), g.ATT, g.SE, w.att, w.bse)
	}
}

func checkPrinted(t *testing.T, name string, att, se, wantATT, bootSE float64) {
	t.Helper()
	if math.Abs(att-wantATT) > 0.5e-4+1e-12 {
		t.Errorf("%s: ATT %.6f, printed %.4f", name, att, wantATT)
	}
	if math.Abs(se-bootSE) > 0.12*bootSE {
		t.Errorf("%s: analytic SE %.5f, bootstrap SE %.4f: beyond Monte Carlo error", name, se, bootSE)
	}
}

// TestCSCellSE checks each ATT(g,t) and its SE against a direct
// two-sample computation: difference of the mean changes, variance
// s²_g/n_g + s²_C/n_C with 1/n divisors.
func TestCSCellSE(t *testing.T) {
	d := readMPDTA(t)
	for _, ctl := range []CSControl{CSNeverTreated, CSNotYetTreated} {
		r, err := CallawaySantAnna(d, CSOptions{Control: ctl})
		if err != nil {
			t.Fatal(err)
		}
		y := map[string]map[int]float64{}
		g := map[string]int{}
		for i := range d.Unit {
			if y[d.Unit[i]] == nil {
				y[d.Unit[i]] = map[int]float64{}
			}
			y[d.Unit[i]][d.Time[i]] = d.Outcome[i]
			g[d.Unit[i]] = d.Cohort[i]
		}
		for _, c := range r.Cells {
			base := c.Time - 1
			if c.Time >= c.Group {
				base = c.Group - 1
			}
			late := max(c.Time, base)
			var tr, co []float64
			for u, gu := range g {
				dy := y[u][c.Time] - y[u][base]
				switch {
				case gu == c.Group:
					tr = append(tr, dy)
				case gu == 0 || (ctl == CSNotYetTreated && gu > late):
					co = append(co, dy)
				}
			}
			m1, v1 := meanVar(tr)
			m0, v0 := meanVar(co)
			att, se := m1-m0, math.Sqrt(v1/float64(len(tr))+v0/float64(len(co)))
			if csRelErr(c.ATT, att) > 1e-10 || csRelErr(c.SE, se) > 1e-10 {
				t.Errorf("control %d (%d,%d): got %.12g (%.12g), direct %.12g (%.12g)", ctl, c.Group, c.Time, c.ATT, c.SE, att, se)
			}
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
	return m, v / float64(len(x))
}

func csRelErr(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300)
}

// TestCSUniversalTelescopes checks the universal base period against the
// varying one: post-treatment cells coincide, a pre-treatment cell is
// minus the sum of the varying cells between it and the base period, and
// the base-period cell is 0.
func TestCSUniversalTelescopes(t *testing.T) {
	d := readMPDTA(t)
	v, err := CallawaySantAnna(d, CSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := CallawaySantAnna(d, CSOptions{Base: CSUniversal})
	if err != nil {
		t.Fatal(err)
	}
	vatt := map[[2]int]float64{}
	for _, c := range v.Cells {
		vatt[[2]int{c.Group, c.Time}] = c.ATT
	}
	if len(u.Cells) != 15 {
		t.Fatalf("universal: %d cells, want 15", len(u.Cells))
	}
	for _, c := range u.Cells {
		var want float64
		switch {
		case c.Time >= c.Group:
			want = vatt[[2]int{c.Group, c.Time}]
		default:
			for s := c.Time + 1; s < c.Group; s++ {
				want -= vatt[[2]int{c.Group, s}]
			}
		}
		if math.Abs(c.ATT-want) > 1e-12 {
			t.Errorf("universal (%d,%d) = %.15g, want %.15g", c.Group, c.Time, c.ATT, want)
		}
		if c.Time == c.Group-1 && (c.ATT != 0 || c.SE != 0) {
			t.Errorf("base cell (%d,%d) = %g (%g), want 0 (0)", c.Group, c.Time, c.ATT, c.SE)
		}
	}
}

// TestCSRecoversTruth builds a noise-free panel Y = a_i + b_t + τ(g,t)
// with effects that differ by cohort and grow with exposure; every
// ATT(g,t) and aggregation must equal the truth exactly (up to rounding),
// and all SEs must be zero.
func TestCSRecoversTruth(t *testing.T) {
	tau := func(g, tt int) float64 {
		if g == 0 || tt < g {
			return 0
		}
		return float64(g-2000) * (1 + 0.5*float64(tt-g))
	}
	cohorts := []int{0, 2003, 2005, 2006}
	sizes := []int{7, 3, 5, 2}
	var d CSData
	unit := 0
	for ci, g := range cohorts {
		for k := 0; k < sizes[ci]; k++ {
			a := float64(unit*unit%11) - 3
			for tt := 2001; tt <= 2007; tt++ {
				b := math.Sin(float64(tt))
				d.Unit = append(d.Unit, "u"+strconv.Itoa(unit))
				d.Time = append(d.Time, tt)
				d.Outcome = append(d.Outcome, a+b+tau(g, tt))
				d.Cohort = append(d.Cohort, g)
			}
			unit++
		}
	}
	n := 17.0
	for _, ctl := range []CSControl{CSNeverTreated, CSNotYetTreated} {
		r, err := CallawaySantAnna(d, CSOptions{Control: ctl})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Cells {
			if math.Abs(c.ATT-tau(c.Group, c.Time)) > 1e-12 || c.SE > 1e-12 {
				t.Errorf("(%d,%d): %g (%g), want %g (0)", c.Group, c.Time, c.ATT, c.SE, tau(c.Group, c.Time))
			}
		}
		// Simple: share-weighted mean of post cells.
		p := map[int]float64{2003: 3 / n, 2005: 5 / n, 2006: 2 / n}
		var num, den float64
		for _, g := range cohorts[1:] {
			for tt := g; tt <= 2007; tt++ {
				num += p[g] * tau(g, tt)
				den += p[g]
			}
		}
		if math.Abs(r.Simple.ATT-num/den) > 1e-12 {
			t.Errorf("simple %g, want %g", r.Simple.ATT, num/den)
		}
		// Group 2005: mean over 2005..2007 of 5(1+0.5e) = 5·1.5.
		for _, b := range r.Group.By {
			if b.Key == 2005 && math.Abs(b.ATT-7.5) > 1e-12 {
				t.Errorf("group 2005: %g, want 7.5", b.ATT)
			}
		}
		// Dynamic e = 0: share-weighted mean of g−2000.
		for _, b := range r.Dynamic.By {
			if b.Key == 0 {
				want := (3*3 + 5*5 + 2*6) / 10.0
				if math.Abs(b.ATT-want) > 1e-12 {
					t.Errorf("e=0: %g, want %g", b.ATT, want)
				}
			}
			if b.Key < 0 && math.Abs(b.ATT) > 1e-12 {
				t.Errorf("e=%d: %g, want 0", b.Key, b.ATT)
			}
		}
		// Calendar 2004: only cohort 2003 is treated, e = 1.
		for _, b := range r.Calendar.By {
			if b.Key == 2004 && math.Abs(b.ATT-4.5) > 1e-12 {
				t.Errorf("calendar 2004: %g, want 4.5", b.ATT)
			}
		}
	}
}

func TestCSErrors(t *testing.T) {
	base := func() CSData {
		return CSData{
			Unit:    []string{"a", "a", "b", "b", "c", "c"},
			Time:    []int{1, 2, 1, 2, 1, 2},
			Outcome: []float64{1, 2, 3, 5, 2, 2},
			Cohort:  []int{2, 2, 0, 0, 2, 2},
		}
	}
	cases := map[string]func(*CSData){
		"length":  func(d *CSData) { d.Time = d.Time[:5] },
		"missing": func(d *CSData) { d.Outcome[3] = math.NaN() },
		"unbalanced": func(d *CSData) {
			d.Unit, d.Time, d.Outcome, d.Cohort = d.Unit[:5], d.Time[:5], d.Outcome[:5], d.Cohort[:5]
		},
		"duplicate":     func(d *CSData) { d.Time[1] = 1; d.Time[3] = 1 },
		"cohort varies": func(d *CSData) { d.Cohort[1] = 0 },
		"no never":      func(d *CSData) { d.Cohort[2], d.Cohort[3] = 2, 2 },
		"negative":      func(d *CSData) { d.Cohort[2], d.Cohort[3] = -1, -1 },
		"all first":     func(d *CSData) { d.Cohort = []int{1, 1, 1, 1, 1, 1} },
	}
	for name, f := range cases {
		d := base()
		f(&d)
		if _, err := CallawaySantAnna(d, CSOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := CallawaySantAnna(base(), CSOptions{}); err != nil {
		t.Errorf("valid input: %v", err)
	}
}

func BenchmarkCallawaySantAnna(b *testing.B) {
	d := readMPDTA(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CallawaySantAnna(d, CSOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
