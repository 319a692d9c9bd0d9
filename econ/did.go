package econ

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// DID2x2 is the canonical two-group, two-period difference in differences.
type DID2x2 struct {
	// Means[g][p] is the mean outcome of group g (0 control, 1 treated) in
	// period p (0 before, 1 after); N counts the observations.
	Means [2][2]float64
	N     [2][2]int
	// ATT = (Means[1][1] − Means[1][0]) − (Means[0][1] − Means[0][0]).
	ATT float64
	// Fit is the regression y ~ group*post; its coefficient
	// "group:post" equals ATT and carries the inference chosen in Options.
	Fit *Result
}

// EstimateDID2x2 computes the 2×2 difference in differences of outcome
// between the groups of the 0/1 column group and the periods of the 0/1
// column post, from cell means and, for inference, from the regression
//
//	y = b0 + b1·group + b2·post + δ·group·post + ε,
//
// whose OLS δ equals the difference of differences of the four cell means
// exactly (Angrist & Pischke 2009, §5.2). Rows with a missing value in any
// of the three columns are left out. It returns an error naming the column
// if group or post takes a value other than 0 and 1, or if a cell is
// empty.
func EstimateDID2x2(data *Frame, outcome, group, post string, opts Options) (*DID2x2, error) {
	y, ok := data.Float(outcome)
	if !ok {
		return nil, fmt.Errorf("econ: no numeric outcome column %q", outcome)
	}
	var cols [2][]float64
	for j, name := range []string{group, post} {
		c, ok := data.Float(name)
		if !ok {
			return nil, fmt.Errorf("econ: no numeric 0/1 column %q", name)
		}
		for i, v := range c {
			if isFinite(v) && v != 0 && v != 1 {
				return nil, fmt.Errorf("econ: column %q row %d: value %v is not 0 or 1", name, i+1, v)
			}
		}
		cols[j] = c
	}
	out := &DID2x2{}
	var sum [2][2]float64
	for i, v := range y {
		g, p := cols[0][i], cols[1][i]
		if !isFinite(v) || !isFinite(g) || !isFinite(p) {
			continue
		}
		sum[int(g)][int(p)] += v
		out.N[int(g)][int(p)]++
	}
	for g := range 2 {
		for p := range 2 {
			if out.N[g][p] == 0 {
				return nil, &SampleError{0, 4, fmt.Sprintf("2×2 DID: no observation with %s = %d and %s = %d", group, g, post, p)}
			}
			out.Means[g][p] = sum[g][p] / float64(out.N[g][p])
		}
	}
	out.ATT = (out.Means[1][1] - out.Means[1][0]) - (out.Means[0][1] - out.Means[0][0])
	fit, err := Estimate(data, fmt.Sprintf("%s ~ %s*%s", outcome, group, post), opts)
	if err != nil {
		return nil, err
	}
	out.Fit = fit
	return out, nil
}

// TWFE estimates the two-way fixed-effects difference in differences
//
//	y_it = α_i + λ_t + δ·D_it + x_it'γ + ε_it
//
// with the 0/1 (or any numeric) treatment column treat, unit and time
// fixed effects and optional controls (formula terms, e.g. "log(pop)"). It
// is Estimate with the formula "outcome ~ treat + controls | unit + time";
// with Options' default variance it clusters by unit. A treatment without
// variation within units and periods comes back as a *[CollinearError].
// Under staggered adoption with heterogeneous effects δ is a weighted
// average with possibly negative weights (Goodman-Bacon 2021); use an event
// study or a heterogeneity-robust estimator then.
func TWFE(data *Frame, outcome, treat, unit, time string, controls []string, opts Options) (*Result, error) {
	rhs := append([]string{treat}, controls...)
	return Estimate(data, fmt.Sprintf("%s ~ %s | %s + %s", outcome, strings.Join(rhs, " + "), unit, time), opts)
}

// WaldTest is a joint test that several coefficients are all zero.
type WaldTest struct {
	Names []string // coefficients tested
	// Missing lists requested coefficients absent from the model (dropped
	// as collinear); they are not part of the test.
	Missing []string
	Q       int     // restrictions (len(Names))
	Chi2    float64 // W = b' V⁻¹ b
	PChi2   float64 // P(χ²_Q > W)
	F       float64 // W / Q
	DF2     float64 // denominator degrees of freedom of F (Result.DFT)
	PF      float64 // P(F_{Q,DF2} > F)
}

// Wald tests H0: β_j = 0 for every coefficient j named in names, jointly,
// with the model's variance V (so clustered if the model was):
//
//	W = b' V_bb⁻¹ b ~ χ²_Q,   F = W/Q ~ F(Q, df)
//
// where df is r.DFT: G−1 for clustered variances (fixest's t.df = "min",
// and Stata's test after regress/xtreg with vce(cluster), which uses
// F(Q, G−1)), n−K otherwise. The χ² form is the large-sample test; the F
// form is the one to report with few clusters. A clustered V has rank at
// most G−1, so Q must be below the number of clusters. Names not among
// r.Coefs are listed in Missing; it is an error if none are left or if
// V_bb is not positive definite.
func Wald(r *Result, names []string) (*WaldTest, error) {
	t := &WaldTest{}
	var idx []int
	for _, name := range names {
		found := false
		for a, c := range r.Coefs {
			if c.Name == name {
				idx = append(idx, a)
				found = true
				break
			}
		}
		if found {
			t.Names = append(t.Names, name)
		} else {
			t.Missing = append(t.Missing, name)
		}
	}
	t.Q = len(idx)
	if t.Q == 0 {
		return nil, errors.New("econ: Wald test: none of the coefficients is in the model")
	}
	V := mat.NewSymDense(t.Q, nil)
	b := mat.NewVecDense(t.Q, nil)
	for a, i := range idx {
		b.SetVec(a, r.Coefs[i].Estimate)
		for c, j := range idx {
			if c >= a {
				V.SetSym(a, c, r.VCov[i][j])
			}
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(V) {
		return nil, fmt.Errorf("econ: Wald test: variance of %s is not positive definite (with %v clusters, at most G−1 restrictions can be tested)", strings.Join(t.Names, ", "), r.Clusters)
	}
	var z mat.VecDense
	if err := ch.SolveVecTo(&z, b); err != nil {
		return nil, fmt.Errorf("econ: Wald test: %w", err)
	}
	t.Chi2 = mat.Dot(b, &z)
	t.PChi2 = distuv.ChiSquared{K: float64(t.Q)}.Survival(t.Chi2)
	t.F = t.Chi2 / float64(t.Q)
	t.DF2 = r.DFT
	t.PF = distuv.F{D1: float64(t.Q), D2: t.DF2}.Survival(t.F)
	if math.IsNaN(t.PF) {
		t.PF = fSurvival(t.F, float64(t.Q), t.DF2)
	}
	return t, nil
}

// fSurvival is P(F_{d1,d2} > f) through the regularized incomplete beta
// function, for the rare cases where distuv.F returns NaN.
func fSurvival(f, d1, d2 float64) float64 {
	if f <= 0 {
		return 1
	}
	x := d2 / (d2 + d1*f)
	return distuv.Beta{Alpha: d2 / 2, Beta: d1 / 2}.CDF(x)
}

// frameWith returns a frame with the columns of base (shared, not copied)
// plus the float columns extra, under names that do not collide with
// base's: a name already taken gets "_" appended until it is free. It
// returns the names used, in the order of extra's keys given by order.
func frameWith(base *Frame, order []string, extra map[string][]float64) (*Frame, []string, error) {
	f, err := frameRows(base, nil)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(order))
	for j, name := range order {
		for f.has(name) {
			name += "_"
		}
		if err := f.AddFloat(name, extra[order[j]]); err != nil {
			return nil, nil, err
		}
		names[j] = name
	}
	return f, names, nil
}

// frameRows returns a frame with the rows of base listed in rows (all rows,
// shared, if rows is nil), without the columns named in omit.
func frameRows(base *Frame, rows []int, omit ...string) (*Frame, error) {
	n := base.Len()
	if rows != nil {
		n = len(rows)
	}
	f := NewFrame(n)
	for _, name := range base.Names() {
		if slices.Contains(omit, name) {
			continue
		}
		if x, ok := base.Float(name); ok {
			if rows != nil {
				x = gather(x, rows)
			}
			if err := f.AddFloat(name, x); err != nil {
				return nil, err
			}
			continue
		}
		fc, _ := base.Factor(name)
		codes := fc.Codes
		if rows != nil {
			codes = make([]int32, len(rows))
			for a, i := range rows {
				codes[a] = fc.Codes[i]
			}
		}
		if err := f.AddFactor(name, codes, fc.Levels); err != nil {
			return nil, err
		}
	}
	if u, t, ok := base.PanelKeys(); ok && f.has(u) && f.has(t) {
		if err := f.SetPanel(u, t); err != nil {
			return nil, err
		}
	}
	return f, nil
}
