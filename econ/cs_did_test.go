package econ

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// TestCSDidReference compares every ATT(g,t), its analytic SE and every
// aggregation (overall and by key) with R's did 2.5.1 (bcallaway11/did
// @71ba8a5) on mpdta, for never-treated and not-yet-treated controls,
// not-yet-treated controls without never-treated units ("nonever": the
// last cohort becomes the comparison group), and varying and universal
// base periods; testdata/cs/did_reference.R wrote
// testdata/cs/did_reference.csv with 17 significant digits.
func TestCSDidReference(t *testing.T) {
	f, err := os.Open("testdata/cs/did_reference.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := readMPDTA(t)
	got := map[[3]string][2]float64{}
	// nonever: mpdta without never-treated units, not-yet-treated controls.
	var nonever CSData
	for i, g := range d.Cohort {
		if g != 0 {
			nonever.Unit = append(nonever.Unit, d.Unit[i])
			nonever.Time = append(nonever.Time, d.Time[i])
			nonever.Outcome = append(nonever.Outcome, d.Outcome[i])
			nonever.Cohort = append(nonever.Cohort, g)
		}
	}
	for scen, cname := range []string{"nevertreated", "notyettreated", "nonever"} {
		data, ctl := d, CSControl(scen)
		if cname == "nonever" {
			data, ctl = nonever, CSNotYetTreated
		}
		for _, base := range []CSBase{CSVarying, CSUniversal} {
			r, err := CallawaySantAnna(data, CSOptions{Control: ctl, Base: base})
			if err != nil {
				t.Fatal(err)
			}
			bname := [...]string{"varying", "universal"}[base]
			key := func(kind, k string) [3]string { return [3]string{cname + "/" + bname, kind, k} }
			for _, c := range r.Cells {
				got[key("att_gt", strconv.Itoa(c.Group)+"/"+strconv.Itoa(c.Time))] = [2]float64{c.ATT, c.SE}
			}
			got[key("simple", "overall")] = [2]float64{r.Simple.ATT, r.Simple.SE}
			for kind, a := range map[string]CSAggregate{"dynamic": r.Dynamic, "group": r.Group, "calendar": r.Calendar} {
				got[key(kind, "overall")] = [2]float64{a.Overall.ATT, a.Overall.SE}
				for _, b := range a.By {
					got[key(kind, strconv.Itoa(b.Key))] = [2]float64{b.ATT, b.SE}
				}
			}
		}
	}
	n, worst := 0, 0.0
	for _, row := range rows[1:] {
		k := [3]string{row[0] + "/" + row[1], row[2], row[3]}
		att, err1 := strconv.ParseFloat(row[4], 64)
		// did prints NA for the SE of the base-period cells of the
		// universal base (zero influence function); we give 0.
		seText := row[5]
		if seText == "NA" {
			seText = "0"
		}
		se, err2 := strconv.ParseFloat(seText, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad reference row %v", row)
		}
		g, ok := got[k]
		if !ok {
			t.Errorf("%v: missing", k)
			continue
		}
		n++
		delete(got, k)
		for j, want := range []float64{att, se} {
			if want != 0 {
				worst = max(worst, math.Abs(g[j]-want)/math.Abs(want))
			}
		}
		if !csClose(g[0], att) || !csClose(g[1], se) {
			t.Errorf("%v: got %.12g (%.12g), did %.12g (%.12g)", k, g[0], g[1], att, se)
		}
	}
	for k := range got {
		t.Errorf("%v: not in did's output", k)
	}
	t.Logf("%d reference rows, largest relative difference %.2g", n, worst)
	if n < 100 {
		t.Errorf("only %d reference rows", n)
	}
}

// csClose is 1e-8 relative agreement (absolute below 1e-12, for the zero
// cells of the universal base period).
func csClose(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	s := b
	if s < 0 {
		s = -s
	}
	return d <= 1e-8*s || d <= 1e-12
}
