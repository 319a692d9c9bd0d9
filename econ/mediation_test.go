package econ

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

type medRefModel struct {
	Name  string `json:"name"`
	NObs  int    `json:"nobs"`
	Coefs []struct {
		Name     string  `json:"name"`
		Estimate float64 `json:"estimate"`
		SE       float64 `json:"se"`
	} `json:"coefs"`
}

func readMediationReference(t *testing.T) (*Frame, map[string]medRefModel) {
	t.Helper()
	b, err := os.ReadFile("testdata/mediation_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Models []medRefModel `json:"models"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	out := map[string]medRefModel{}
	for _, m := range ref.Models {
		out[m.Name] = m
	}
	if len(out) != 12 {
		t.Fatalf("%d reference models; want 12", len(out))
	}
	return readFrame(t, "testdata/mediation_base_did.csv"), out
}

func checkAgainstFixest(t *testing.T, step string, r *Result, want medRefModel) {
	t.Helper()
	const tol = 1e-8
	if r.NObs != want.NObs {
		t.Errorf("%s: %d observations; want %d", step, r.NObs, want.NObs)
	}
	if len(r.Coefs) != len(want.Coefs) {
		t.Errorf("%s: %d coefficients; want %d", step, len(r.Coefs), len(want.Coefs))
	}
	for _, w := range want.Coefs {
		c, ok := r.Coef(w.Name)
		if !ok {
			t.Errorf("%s: no coefficient %s", step, w.Name)
			continue
		}
		if relErr(c.Estimate, w.Estimate) > tol || relErr(c.SE, w.SE) > tol {
			t.Errorf("%s: %s = %.12g (%.12g); fixest %.12g (%.12g)", step, w.Name, c.Estimate, c.SE, w.Estimate, w.SE)
		}
	}
}

// TestMediationFixest: each of the three regressions, and the moderation
// model, equals fixest 0.12.2's feols of the same formula to 1e-8
// (testdata/mediation_reference.json, written by
// testdata/mediation_reference.R on fixest's base_did with a mediator
// defined there), with one-way (default) and two-way clustering.
func TestMediationFixest(t *testing.T) {
	f, ref := readMediationReference(t)
	spec := MediationSpec{Outcome: "ym", Treat: "d", Mediator: "m", Controls: []string{"x1"}, FE: []string{"id", "period"}}
	m, err := EstimateMediation(f, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixest(t, "total", m.Total, ref["total"])
	checkAgainstFixest(t, "first", m.First, ref["first"])
	checkAgainstFixest(t, "direct", m.Direct, ref["direct"])
	// With OLS on one sample the decomposition c = c' + a·b is exact.
	if d := m.C.Estimate - (m.CPrime.Estimate + m.Indirect); math.Abs(d) > 1e-10 {
		t.Errorf("c − (c' + a·b) = %g; want 0", d)
	}
	if m.SobelSE != SobelSE(m.A.Estimate, m.A.SE, m.B.Estimate, m.B.SE) || !(m.AroianSE > m.SobelSE) {
		t.Errorf("Sobel %v, Aroian %v", m.SobelSE, m.AroianSE)
	}

	spec.Controls = nil
	m2, err := EstimateMediation(f, spec, Options{Cluster: []string{"id", "period"}})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixest(t, "total_tw", m2.Total, ref["total_tw"])
	checkAgainstFixest(t, "first_tw", m2.First, ref["first_tw"])
	checkAgainstFixest(t, "direct_tw", m2.Direct, ref["direct_tw"])

	mz, err := EstimateModeration(f, ModerationSpec{Outcome: "ym", Treat: "d", Moderator: "z", Controls: []string{"x1"}, FE: []string{"id", "period"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixest(t, "moderation_z", mz.Model, ref["moderation_z"])
	if mz.Moderator != nil {
		t.Errorf("z is constant within id; want it absorbed, got %+v", *mz.Moderator)
	}
	mx, err := EstimateModeration(f, ModerationSpec{Outcome: "ym", Treat: "d", Moderator: "x1", FE: []string{"id", "period"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixest(t, "moderation_x1", mx.Model, ref["moderation_x1"])
	if mx.Moderator == nil || mx.Interaction.Name != "d:x1" {
		t.Errorf("moderation on x1: moderator %v, interaction %q", mx.Moderator, mx.Interaction.Name)
	}
}

// TestSobelHand: a = 0.5 (SE 0.1), b = 0.4 (SE 0.2):
// Sobel SE = sqrt(0.4²·0.01 + 0.5²·0.04) = sqrt(0.0016 + 0.01) = sqrt(0.0116);
// Aroian adds 0.01·0.04 = 0.0004: sqrt(0.012) (Baron & Kenny 1986, p. 1177).
func TestSobelHand(t *testing.T) {
	if got, want := SobelSE(0.5, 0.1, 0.4, 0.2), math.Sqrt(0.0116); math.Abs(got-want) > 1e-15 {
		t.Errorf("SobelSE = %v; want %v", got, want)
	}
	if got, want := AroianSE(0.5, 0.1, 0.4, 0.2), math.Sqrt(0.012); math.Abs(got-want) > 1e-15 {
		t.Errorf("AroianSE = %v; want %v", got, want)
	}
	// Sobel z of a·b = 0.2 is 0.2/sqrt(0.0116) = 1.8569533817705186.
	if z, p := zTest(0.2, math.Sqrt(0.0116)); math.Abs(z-1.8569533817705186) > 1e-12 || math.Abs(p-0.06332) > 1e-4 {
		t.Errorf("z = %v, p = %v", z, p)
	}
}

// medPanel generates units × periods with unit and period effects, a
// staggered-free DID treatment d = treated × post, a mediator
// M = a·d + 0.5·x + FE + u and Y = c'·d + b·M + x + FE + e, with unit-level
// shocks in u and e so clustering matters.
func medPanel(units, periods int, a, b, cp float64, seed uint64) *Frame {
	rng := rand.New(rand.NewPCG(seed, 11))
	n := units * periods
	id, per, d, x, m, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for u := range units {
		au, eu, uu := rng.NormFloat64(), 0.5*rng.NormFloat64(), 0.5*rng.NormFloat64()
		tr := u%2 == 0
		for t := range periods {
			i := u*periods + t
			id[i], per[i] = float64(u), float64(t)
			if tr && t >= periods/2 {
				d[i] = 1
			}
			x[i] = rng.NormFloat64()
			m[i] = a*d[i] + 0.5*x[i] + au + 0.1*float64(t) + uu + rng.NormFloat64()
			y[i] = cp*d[i] + b*m[i] + x[i] - au + 0.2*float64(t) + eu + rng.NormFloat64()
		}
	}
	f := NewFrame(n)
	for _, c := range []struct {
		n string
		v []float64
	}{{"id", id}, {"t", per}, {"d", d}, {"x", x}, {"m", m}, {"y", y}} {
		if err := f.AddFloat(c.n, c.v); err != nil {
			panic(err)
		}
	}
	return f
}

// TestMediationRecoversTruth: on generated data with a = 0.8, b = 0.5,
// c' = 0.3 (so a·b = 0.4 and c = 0.7), each estimate lies within 4 SEs of
// its true value, and the bootstrap interval covers a·b.
func TestMediationRecoversTruth(t *testing.T) {
	const a, b, cp = 0.8, 0.5, 0.3
	f := medPanel(300, 10, a, b, cp, 5)
	spec := MediationSpec{Outcome: "y", Treat: "d", Mediator: "m", Controls: []string{"x"}, FE: []string{"id", "t"}}
	m, err := EstimateMediation(f, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		est, se float64
		truth   float64
	}{
		{"a", m.A.Estimate, m.A.SE, a}, {"b", m.B.Estimate, m.B.SE, b}, {"c'", m.CPrime.Estimate, m.CPrime.SE, cp},
		{"c", m.C.Estimate, m.C.SE, cp + a*b}, {"a·b", m.Indirect, m.SobelSE, a * b},
	} {
		if math.Abs(c.est-c.truth) > 4*c.se {
			t.Errorf("%s = %.4f (SE %.4f); truth %.4f", c.name, c.est, c.se, c.truth)
		}
	}
	if math.Abs(m.Share-a*b/(cp+a*b)) > 0.15 {
		t.Errorf("share mediated %.3f; truth %.3f", m.Share, a*b/(cp+a*b))
	}
	bs, err := BootstrapMediation(f, spec, Options{}, MediationBoot{Reps: 199, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	if !(bs.CILow < a*b && a*b < bs.CIHigh) || bs.Failed != 0 {
		t.Errorf("bootstrap CI [%.4f, %.4f] (failed %d) does not cover %.2f", bs.CILow, bs.CIHigh, bs.Failed, a*b)
	}
	if math.Abs(bs.Indirect-m.Indirect) > 1e-9*math.Abs(m.Indirect) {
		t.Errorf("bootstrap a·b on the original sample %v; EstimateMediation %v", bs.Indirect, m.Indirect)
	}
	// The bootstrap SE estimates the same sampling spread as Sobel's.
	if r := bs.SE / m.SobelSE; r < 0.6 || r > 1.6 {
		t.Errorf("bootstrap SE %.4f vs Sobel %.4f", bs.SE, m.SobelSE)
	}
}

// TestMediationBootstrapDeterministic: draws depend on the seed only, not
// on the number of workers; a duplicated cluster equals a frequency weight
// of 2 (so the draw of all-ones multiplicities is the original a·b).
func TestMediationBootstrapDeterministic(t *testing.T) {
	f := medPanel(40, 6, 0.8, 0.5, 0.3, 9)
	spec := MediationSpec{Outcome: "y", Treat: "d", Mediator: "m", FE: []string{"id", "t"}}
	b1, err := BootstrapMediation(f, spec, Options{}, MediationBoot{Reps: 50, Seed: 7, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b8, err := BootstrapMediation(f, spec, Options{}, MediationBoot{Reps: 50, Seed: 7, Workers: 8})
	if err != nil {
		t.Fatal(err)
	}
	for r := range b1.Draws {
		if b1.Draws[r] != b8.Draws[r] {
			t.Fatalf("draw %d: %v with 1 worker, %v with 8", r, b1.Draws[r], b8.Draws[r])
		}
	}
	b2, err := BootstrapMediation(f, spec, Options{}, MediationBoot{Reps: 50, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	if b2.Draws[0] == b1.Draws[0] {
		t.Error("different seeds gave the same first draw")
	}
	if b1.NGroups != 40 || b1.Cluster != "id" {
		t.Errorf("resampled %d groups of %q; want 40 of id", b1.NGroups, b1.Cluster)
	}

	// Duplicating unit 0 with a new id and fixed effect equals weight 2.
	fm, err := frameRows(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := f.Len()
	var rows []int
	for i := range n {
		rows = append(rows, i)
	}
	for i := range 6 { // unit 0 is rows 0..5
		rows = append(rows, i)
	}
	dup, err := frameRows(fm, rows)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := dup.Float("id")
	id2 := make([]float64, len(id))
	copy(id2, id)
	for i := n; i < n+6; i++ {
		id2[i] = 1000
	}
	if err := dup.AddFloat("id2", id2); err != nil {
		t.Fatal(err)
	}
	mdup, err := EstimateMediation(dup, MediationSpec{Outcome: "y", Treat: "d", Mediator: "m", FE: []string{"id2", "t"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := newMedBoot(f, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mult := make([]float64, mb.ng)
	for g := range mult {
		mult[g] = 1
	}
	mult[0] = 2
	ab, ok := mb.draw(mult, Options{Tol: 1e-12})
	if !ok || math.Abs(ab-mdup.Indirect) > 1e-9*math.Abs(ab) {
		t.Errorf("weight-2 draw a·b = %v; duplicated cluster %v", ab, mdup.Indirect)
	}
}

func TestMediationErrors(t *testing.T) {
	f := medPanel(10, 4, 0.8, 0.5, 0.3, 1)
	if _, err := EstimateMediation(f, MediationSpec{Outcome: "y", Treat: "d", Mediator: "nope", FE: []string{"id"}}, Options{}); err == nil {
		t.Error("missing mediator column: no error")
	}
	// A mediator constant within units is absorbed by the unit effects.
	id, _ := f.Float("id")
	if err := f.AddFloat("mc", id); err != nil {
		t.Fatal(err)
	}
	if _, err := EstimateMediation(f, MediationSpec{Outcome: "y", Treat: "d", Mediator: "mc", FE: []string{"id"}}, Options{}); err == nil {
		t.Error("mediator absorbed by the fixed effects: no error")
	}
	if _, err := BootstrapMediation(f, MediationSpec{Outcome: "y", Treat: "d", Mediator: "m", FE: []string{"id"}}, Options{Cluster: []string{"id", "t"}}, MediationBoot{Reps: 5}); err == nil {
		t.Error("two cluster variables in the bootstrap: no error")
	}
}

func BenchmarkMediationBootstrap(b *testing.B) {
	f := medPanel(297, 16, 0.8, 0.5, 0.3, 1)
	spec := MediationSpec{Outcome: "y", Treat: "d", Mediator: "m", Controls: []string{"x"}, FE: []string{"id", "t"}}
	b.Run("units=297/periods=16/reps=999", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := BootstrapMediation(f, spec, Options{}, MediationBoot{Reps: 999, Seed: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestBootSummaryP: the percentile p-value has the +1 correction of
// Davison & Hinkley (1997, eq. 4.11): 999 draws all above zero give
// 2/1000, never 0; draws balanced around zero give 1; NaN draws are left
// out of B.
func TestBootSummaryP(t *testing.T) {
	d := make([]float64, 999)
	for i := range d {
		d[i] = 1 + float64(i)/1000
	}
	st, ok := bootSummary(d, 0.95)
	if !ok || st.P != 2.0/1000 {
		t.Errorf("all positive: p = %g, want 0.002", st.P)
	}
	d = append(d, math.NaN())
	if st, _ := bootSummary(d, 0.95); st.P != 2.0/1000 {
		t.Errorf("with a NaN draw: p = %g, want 0.002", st.P)
	}
	bal := []float64{-2, -1, 1, 2}
	if st, _ := bootSummary(bal, 0.95); st.P != 1 {
		t.Errorf("balanced: p = %g, want 1", st.P)
	}
	// 10 of 99 draws at or below zero: p = 2·11/100.
	d = make([]float64, 99)
	for i := range d {
		d[i] = float64(i - 9)
	}
	if st, _ := bootSummary(d, 0.95); math.Abs(st.P-0.22) > 1e-15 {
		t.Errorf("10 of 99 at or below zero: p = %g, want 0.22", st.P)
	}
}
