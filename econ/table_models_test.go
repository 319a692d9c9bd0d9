package econ

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// compareModels are TWFE, Callaway–Sant'Anna (simple and dynamic) and the
// BJS imputation estimator on did's mpdta (lemp, first.treat), the TWFE
// treatment renamed to the shared ATT row.
func compareModels(t *testing.T) ([]TableModel, *Result, *CS, *Imputation) {
	t.Helper()
	f := bjsData(t, "mpdta")
	g, _ := f.Float("first_treat")
	yr, _ := f.Float("year")
	d := make([]float64, len(g))
	for i := range d {
		if g[i] > 0 && yr[i] >= g[i] {
			d[i] = 1
		}
	}
	if err := f.AddFloat("D", d); err != nil {
		t.Fatal(err)
	}
	tw, err := TWFE(f, "lemp", "D", "countyreal", "year", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := CallawaySantAnna(readMPDTA(t), CSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ispec := ImputationSpec{Outcome: "lemp", Unit: "countyreal", Time: "year", Cohort: "first_treat", AllHorizons: true}
	imp, err := EstimateImputation(f, ispec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	twm := ResultModel(tw).Rename(map[string]string{"D": TableATT})
	twm.Estimator = "TWFE OLS"
	return []TableModel{twm, CSTableModel(cs, CSAggSimple, "lemp"), CSTableModel(cs, CSAggDynamic, "lemp"), ImputationTableModel(imp, ispec)}, tw, cs, imp
}

// TWFE beside CS simple, CS dynamic and BJS in every format: golden files
// (testdata/table/compare.*.golden, rewritten with -update), cells equal
// to each estimator's own numbers, XLSX equal to the CSV.
func TestModelTableCompare(t *testing.T) {
	models, tw, cs, imp := compareModels(t)
	tab := NewModelTable(models, TableOptions{Titles: []string{"TWFE", "CS simple", "CS dynamic", "BJS"}})
	for _, c := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"compare.txt", func(b *bytes.Buffer) error { return tab.WriteText(b) }},
		{"compare.md", func(b *bytes.Buffer) error { return tab.WriteMarkdown(b) }},
		{"compare.tex", func(b *bytes.Buffer) error { return tab.WriteLaTeX(b) }},
		{"compare.csv", func(b *bytes.Buffer) error { return tab.WriteCSV(b) }},
		{"compare.json", func(b *bytes.Buffer) error { return tab.WriteJSON(b) }},
	} {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "table", c.file+".golden")
		if *updateTables {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s:\n%s", c.file, path, b.String())
		}
	}

	// The ATT row holds each estimator's overall effect and SE.
	row := func(name string) TableRow {
		for _, r := range tab.Coefs {
			if r.Name == name {
				return r
			}
		}
		t.Fatalf("no row %q", name)
		return TableRow{}
	}
	att := row(TableATT)
	twc := mustCoef(t, tw, "D")
	for m, want := range []struct{ est, se float64 }{
		{twc.Estimate, twc.SE}, {cs.Simple.ATT, cs.Simple.SE}, {cs.Dynamic.Overall.ATT, cs.Dynamic.Overall.SE}, {imp.Overall.Estimate, imp.Overall.SE},
	} {
		c := att.Cells[m]
		if c == nil || c.Estimate != want.est || c.SE != want.se {
			t.Errorf("ATT cell %d = %+v; want %v (%v)", m, c, want.est, want.se)
		}
	}
	if c := att.Cells[0]; c.P != twc.P || c.Stars != stars(twc.P, DefaultStars) {
		t.Errorf("TWFE keeps its t-based p: %v vs %v", c.P, twc.P)
	}
	// Event-time rows: CS dynamic and BJS share e=0..3; TWFE has none.
	e0 := row("e=0")
	if e0.Cells[0] != nil || e0.Cells[1] != nil || e0.Cells[2].Estimate != cs.Dynamic.By[3].ATT || e0.Cells[3].Estimate != imp.Horizons[0].Estimate {
		t.Errorf("e=0 row: %+v (CS e=%d)", e0.Cells, cs.Dynamic.By[3].Key)
	}
	if len(tab.Estimators) != 4 || tab.NObs[1] != cs.N || !math.IsNaN(tab.R2[1]) || tab.R2[0] != tw.R2 {
		t.Errorf("estimators %v, nobs %v, r2 %v", tab.Estimators, tab.NObs, tab.R2)
	}

	var xb, cb bytes.Buffer
	if err := tab.WriteXLSX(&xb); err != nil {
		t.Fatal(err)
	}
	if err := tab.WriteCSV(&cb); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&cb).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Table")
	if err != nil {
		t.Fatal(err)
	}
	grid := tab.grid()
	for i := range grid {
		for j, want := range recs[i] {
			got := ""
			if j < len(rows[i]) {
				got = rows[i][j]
			}
			if got != want {
				t.Errorf("xlsx row %d col %d = %q; want %q", i+1, j+1, got, want)
			}
		}
	}
	// Notes: after the star note in XLSX, as records in the CSV.
	for k, n := range tab.Notes {
		if recs[len(grid)+k][0] != n || rows[len(grid)+2+k][0] != n {
			t.Errorf("note %d %q: csv %q, xlsx %v", k, n, recs[len(grid)+k][0], rows[len(grid)+2+k])
		}
	}
	var js struct {
		Estimators []string
		Notes      []string
		R2         []*float64
	}
	var jb bytes.Buffer
	if err := tab.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(jb.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Estimators) != 4 || js.R2[1] != nil || js.R2[0] == nil || len(js.Notes) == 0 {
		t.Errorf("JSON estimators %v, r2 %v, notes %v", js.Estimators, js.R2, js.Notes)
	}
}

// SDID, SC and mediation columns: the ATT row carries each result's
// estimate with its SE (jackknife or placebo) or, for ADH, no SE and the
// permutation p; mediation rows carry each regression's coefficient.
func TestModelTableOtherEstimators(t *testing.T) {
	p, err := NewSynthPanel(readProp99(t, []string{"California"}), "PacksPerCapita")
	if err != nil {
		t.Fatal(err)
	}
	sd, err := SyntheticDID(p, SDIDOptions{Placebo: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := SyntheticDID(p, SDIDOptions{Method: SDIDSC})
	if err != nil {
		t.Fatal(err)
	}
	ms := SDIDTableModel(sd, p, "packs")
	if c, _ := ms.coef(TableATT); c.Estimate != sd.Estimate || c.SE != sd.PlaceboSE || !strings.HasPrefix(ms.VCov, "placebo") || ms.NObs != 39*31 {
		t.Errorf("SDID column %+v", ms)
	}
	msc := SDIDTableModel(sc, p, "packs")
	if c, _ := msc.coef(TableATT); c.Estimate != sc.Estimate || !math.IsNaN(c.SE) || !math.IsNaN(c.P) || len(msc.Notes) != 2 {
		t.Errorf("SC (one treated unit: synthdid's jackknife is NA) column %+v", msc)
	}

	f, _ := readMediationReference(t)
	med, err := EstimateMediation(f, MediationSpec{Outcome: "ym", Treat: "d", Mediator: "m", Controls: []string{"x1"}, FE: []string{"id", "period"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ser, err := EstimateSerialMediation(f, SerialMediationSpec{Outcome: "ys", Treat: "d", Mediators: []string{"m", "m2"}, Controls: []string{"x1"}, FE: []string{"id", "period"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mm, sm := MediationTableModel(med), SerialMediationTableModel(ser, nil)
	tab := NewModelTable([]TableModel{ms, msc, mm, sm}, TableOptions{})
	var b bytes.Buffer
	if err := tab.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"synthdid sdid", "synthdid sc", "mediation (serial)", "a·b", "d → m → m2 → ys", "d21", "period"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, c := range []struct {
		m    TableModel
		name string
		want Coef
	}{
		{mm, "a (D→M)", med.A}, {mm, "b (M→Y)", med.B}, {mm, "c' (direct)", med.CPrime},
		{sm, "a1", ser.A[0]}, {sm, "a2", ser.A[1]}, {sm, "d21", ser.D[1][0]}, {sm, "b2", ser.B[1]},
	} {
		got, ok := c.m.coef(c.name)
		if !ok || got.Estimate != c.want.Estimate || got.SE != c.want.SE || got.P != c.want.P {
			t.Errorf("%s = %+v; want %+v", c.name, got, c.want)
		}
	}
	if c, _ := mm.coef("a·b"); c.Estimate != med.Indirect || c.SE != med.SobelSE || math.Abs(c.P-med.SobelP) > 1e-15 {
		t.Errorf("a·b cell %+v; Sobel %v (%v), p %v", c, med.Indirect, med.SobelSE, med.SobelP)
	}
	if c, _ := sm.coef("total indirect"); c.Estimate != ser.TotalIndirect.Estimate || c.SE != ser.TotalIndirect.SE {
		t.Errorf("total indirect %+v", c)
	}
}

func TestModelTableADH(t *testing.T) {
	if testing.Short() {
		t.Skip("in-space placebos")
	}
	p, err := NewSynthPanel(readSmoking(t), "cigsale")
	if err != nil {
		t.Fatal(err)
	}
	r, err := SynthControl(p, SynthOptions{Predictors: adhPredictors, Placebos: true})
	if err != nil {
		t.Fatal(err)
	}
	m := SynthTableModel(r, "cigsale")
	c, _ := m.coef(TableATT)
	if c.Estimate != r.Estimate || !math.IsNaN(c.SE) || c.P != r.PValue || m.VCov != "permutation" {
		t.Errorf("ADH column %+v; estimate %v, p %v", m, r.Estimate, r.PValue)
	}
	tab := NewModelTable([]TableModel{m}, TableOptions{})
	for _, g := range tab.grid() {
		if g.se && g.cells[1] != "" {
			t.Errorf("SE row %q; want blank without an SE", g.cells)
		}
	}
}

// TestImputationTableModelSpec: the column names the fixed effects of the
// Y(0) model as given (unit and time by default), and notes the weights,
// the didimputation SE choice and the controls.
func TestImputationTableModelSpec(t *testing.T) {
	r := &Imputation{Overall: ImputationEffect{Estimate: 1.5, SE: 0.5}, NObs: 40, Clusters: 8}
	m := ImputationTableModel(r, ImputationSpec{Outcome: "y", Unit: "id", Time: "year"})
	if !slices.Equal(m.FE, []string{"id", "year"}) || len(m.Notes) != 0 {
		t.Errorf("default: FE %v, notes %v", m.FE, m.Notes)
	}
	spec := ImputationSpec{Outcome: "y", Unit: "id", Time: "year", FixedEffects: []string{"id", "year", "region^year"},
		Weights: "pop", SEWeights: SEWeightsDidimputation, Controls: []string{"x1", "x2"}}
	m = ImputationTableModel(r, spec)
	if !slices.Equal(m.FE, spec.FixedEffects) {
		t.Errorf("FE %v, want %v", m.FE, spec.FixedEffects)
	}
	spec.FixedEffects[2] = "changed"
	if m.FE[2] != "region^year" {
		t.Error("the column shares the spec's FixedEffects slice")
	}
	if !strings.Contains(m.VCov, "didimputation") || !slices.Contains(m.Notes, "weights: pop") ||
		!slices.Contains(m.Notes, "controls in the Y(0) model: x1, x2") {
		t.Errorf("vcov %q, notes %v", m.VCov, m.Notes)
	}
	if c := m.Coefs[0]; c.Name != TableATT || c.Estimate != 1.5 || c.SE != 0.5 || math.Abs(c.T-3) > 1e-15 {
		t.Errorf("ATT row %+v", c)
	}
}

// TestCSTableModelNotes: the CS column says when sampling weights were
// used and, for the dynamic aggregation only, how the event study was
// restricted (did's balance_e, min_e, max_e).
func TestCSTableModelNotes(t *testing.T) {
	r := &CS{N: 10, Clusters: 10, Weighted: true, BalanceE: new(1), MinE: new(-2), MaxE: new(3)}
	dyn := CSTableModel(r, CSAggDynamic, "y")
	if !slices.Contains(dyn.Notes, "sampling weights") || !slices.Contains(dyn.Notes, "event study restricted: balance_e = 1, -2 ≤ e ≤ 3") {
		t.Errorf("dynamic notes %v", dyn.Notes)
	}
	if simple := CSTableModel(r, CSAggSimple, "y"); slices.ContainsFunc(simple.Notes, func(n string) bool { return strings.HasPrefix(n, "event study") }) {
		t.Errorf("simple aggregation notes a dynamic window: %v", simple.Notes)
	}
	r.BalanceE, r.MinE = nil, nil
	if got := csWindow(r); got != "e ≤ 3" {
		t.Errorf("window %q", got)
	}
	r.Weighted, r.MaxE = false, nil
	if n := CSTableModel(r, CSAggDynamic, "y").Notes; len(n) != 1 {
		t.Errorf("unweighted, unrestricted: notes %v", n)
	}
}

// TestSDIDTableModelBootstrapCovariates: a bootstrap SE, when computed, is
// the column's SE (over placebo and jackknife), and covariate coefficients
// are a note (synthdid gives β no standard error).
func TestSDIDTableModelBootstrapCovariates(t *testing.T) {
	p, err := NewSynthPanel(readProp99(t, []string{"California"}), "PacksPerCapita")
	if err != nil {
		t.Fatal(err)
	}
	r := &SDIDResult{Estimate: -15.6, JackknifeSE: math.NaN(), PlaceboSE: 8.4, Placebos: make([]float64, 20),
		BootstrapSE: 4.4, Bootstraps: make([]float64, 200), Seed: 7,
		Covariates: []string{"retprice", "smooth"}, Beta: []float64{-0.25, 1.5}, Iterations: 10000}
	m := SDIDTableModel(r, p, "packs")
	if c, _ := m.coef(TableATT); c.SE != 4.4 || m.VCov != "bootstrap (200, seed 7)" {
		t.Errorf("SE %g, vcov %q; want the bootstrap's", c.SE, m.VCov)
	}
	if !slices.Contains(m.Notes, "outcome adjusted for covariates, β: retprice -0.25, smooth 1.5 (10000 iterations)") {
		t.Errorf("notes %v", m.Notes)
	}
	r.Bootstraps = nil
	if m := SDIDTableModel(r, p, "packs"); !strings.HasPrefix(m.VCov, "placebo") {
		t.Errorf("without bootstrap draws: vcov %q", m.VCov)
	}
}
