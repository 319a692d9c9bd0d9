package econ

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// REResult is a one-way (unit) random-effects model estimated by feasible
// GLS with the Swamy–Arora variance components, together with the
// fixed-effects (within) fit of the same formula and the Hausman test
// comparing them.
type REResult struct {
	// Result is the GLS regression on quasi-demeaned data. Its p-values
	// and confidence intervals use the normal distribution (DFT = +Inf),
	// as plm and Stata's xtreg, re report z statistics. R2 is that of the
	// quasi-demeaned regression with a centred total sum of squares (plm).
	*Result
	// Within is the unit fixed-effects fit (VCovIID) whose residuals give
	// the idiosyncratic variance.
	Within *Result
	// SigmaIdios and SigmaUnit are σ²_ν and σ²_η (a negative estimate of
	// σ²_η is set to zero, with a note).
	SigmaIdios, SigmaUnit float64
	// Theta is θ_i = 1 − √(σ²_ν / (T_i σ²_η + σ²_ν)) per unit, in order of
	// first appearance in the sample; ThetaMin and ThetaMax summarise it
	// (equal in a balanced panel).
	Theta              []float64
	ThetaMin, ThetaMax float64
	Units              int
	Hausman            Hausman
}

// Hausman is the Hausman (1978) specification test of random against
// fixed effects: H = d'(V_FE − V_RE)⁻¹d with d = β_FE − β_RE over the
// slopes both models estimate, χ² with DF degrees of freedom under the
// null that the random-effects estimator is consistent.
type Hausman struct {
	Stat float64
	DF   int
	P    float64
	Vars []string
}

// EstimateRE fits formula (no fixed-effect part) as a random-effects model
// with unit effects, using the panel unit of opts.PanelID or of data
// ([Frame.SetPanel]). Method (Swamy & Arora 1972; Baltagi 2013, §2.3 and
// §9.2.1 for unbalanced panels; the same as plm's random.method = "swar"):
//
//	σ²_ν = e_W'e_W / (n − N − K_W)                       (within residuals)
//	q_B  = Σ_i T_i (ȳ_i − z̄_i'β_B)²                     (between regression weighted by T_i)
//	σ²_η = (q_B − (N − K − 1) σ²_ν) / (n − tr[(Σ T_i z̄_i z̄_i')⁻¹ Σ T_i² z̄_i z̄_i'])
//	θ_i  = 1 − √(σ²_ν / (T_i σ²_η + σ²_ν))
//
// and β_RE is OLS of y_it − θ_i ȳ_i on z_it − θ_i z̄_i (z includes the
// constant). In a balanced panel the denominator of σ²_η is T(N − K − 1).
// The variance of β_RE is chosen by opts.VCov on the transformed
// regression (default IID, s² = e'e/(n − K − 1), as plm); clustering by
// the unit (opts.Cluster) gives Stata's xtreg, re vce(cluster).
// The Hausman test uses the IID variances of both fits.
func EstimateRE(data *Frame, formula string, opts Options) (*REResult, error) {
	f, err := ParseFormula(formula)
	if err != nil {
		return nil, err
	}
	if len(f.FE) > 0 {
		return nil, f.errAt(f.FE[0].Pos, "random effects: the formula must not have fixed effects (the unit effect is random)")
	}
	if !f.Intercept {
		return nil, f.errAt(1, "random effects: the model needs an intercept")
	}
	data, err = withPanelID(data, opts.PanelID)
	if err != nil {
		return nil, err
	}
	unitName, _, ok := data.PanelKeys()
	if !ok {
		return nil, errors.New("econ: random effects need a panel unit: set Options.PanelID or Frame.SetPanel")
	}
	d, err := f.Design(data)
	if err != nil {
		return nil, err
	}
	unit, _, _ := data.groups(unitName)

	// Common sample: finite outcome and regressors, known unit.
	n := len(d.Y)
	var rows []int
	for i := range n {
		ok := isFinite(d.Y[i]) && unit[i] >= 0
		for _, x := range d.X {
			ok = ok && isFinite(x[i])
		}
		if ok {
			rows = append(rows, i)
		}
	}
	nmiss := n - len(rows)
	m := len(rows)
	if m == 0 {
		return nil, &SampleError{0, len(d.X), "no observation without missing values"}
	}
	codes, N := denseCodes(unit, rows)
	y := gather(d.Y, rows)
	X := make([][]float64, len(d.X))
	for j, x := range d.X {
		X[j] = gather(x, rows)
	}

	// Within fit.
	wopts := opts
	wopts.VCov, wopts.Cluster, wopts.Weights = VCovIID, nil, ""
	within, err := Fit(&Design{Y: y, YName: d.YName, X: X, XNames: d.XNames,
		FE: [][]int32{codes}, FENames: []string{unitName}}, wopts)
	if err != nil {
		return nil, fmt.Errorf("econ: random effects, within fit: %w", err)
	}
	kw := len(within.Coefs)
	if m-N-kw <= 0 {
		return nil, &SampleError{m, N + kw, "random effects: no residual degrees of freedom in the within fit"}
	}
	s2nu := within.RSS / float64(m-N-kw)

	// Unit means and the between regression on N means weighted by T_i.
	k := len(X) + 1 // constant first
	Ti := make([]float64, N)
	for _, g := range codes {
		Ti[g]++
	}
	zbar := make([][]float64, k) // zbar[a][g]
	for a := range zbar {
		zbar[a] = make([]float64, N)
	}
	ybar := make([]float64, N)
	for i, g := range codes {
		ybar[g] += y[i]
		zbar[0][g]++
		for a, x := range X {
			zbar[a+1][g] += x[i]
		}
	}
	for g := range N {
		ybar[g] /= Ti[g]
		for a := range k {
			zbar[a][g] /= Ti[g]
		}
	}
	A := mat.NewSymDense(k, nil) // Σ T_i z̄ z̄'
	C := mat.NewDense(k, k, nil) // Σ T_i² z̄ z̄'
	zy := mat.NewVecDense(k, nil)
	for g := range N {
		for a := range k {
			zy.SetVec(a, zy.AtVec(a)+Ti[g]*zbar[a][g]*ybar[g])
			for b := a; b < k; b++ {
				v := zbar[a][g] * zbar[b][g]
				A.SetSym(a, b, A.At(a, b)+Ti[g]*v)
				C.Set(a, b, C.At(a, b)+Ti[g]*Ti[g]*v)
				if b != a {
					C.Set(b, a, C.At(a, b))
				}
			}
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(A) {
		return nil, &CollinearError{Dropped: []string{"between regression is singular (a regressor without variation across units?)"}}
	}
	var bB mat.VecDense
	if err := ch.SolveVecTo(&bB, zy); err != nil {
		return nil, err
	}
	var qB float64
	for g := range N {
		r := ybar[g]
		for a := range k {
			r -= zbar[a][g] * bB.AtVec(a)
		}
		qB += Ti[g] * r * r
	}
	var AinvC mat.Dense
	if err := ch.SolveTo(&AinvC, C); err != nil {
		return nil, err
	}
	denom := float64(m) - mat.Trace(&AinvC)
	dfB := float64(N - k)
	if dfB <= 0 || denom <= 0 {
		return nil, &SampleError{m, k, "random effects: too few units for the between regression"}
	}
	out := &REResult{Within: within, SigmaIdios: s2nu, Units: N}
	s2eta := (qB - dfB*s2nu) / denom
	var notes []string
	if s2eta < 0 {
		s2eta = 0
		notes = append(notes, "estimated unit variance σ²_η was negative and is set to 0 (random effects = pooled OLS)")
	}
	out.SigmaUnit = s2eta
	out.Theta = make([]float64, N)
	for g := range N {
		out.Theta[g] = 1 - math.Sqrt(s2nu/(Ti[g]*s2eta+s2nu))
	}
	out.ThetaMin, out.ThetaMax = slices.Min(out.Theta), slices.Max(out.Theta)

	// Quasi-demeaned GLS regression.
	ys := make([]float64, m)
	Xs := make([][]float64, k)
	for a := range Xs {
		Xs[a] = make([]float64, m)
	}
	for i, g := range codes {
		th := out.Theta[g]
		ys[i] = y[i] - th*ybar[g]
		Xs[0][i] = 1 - th
		for a, x := range X {
			Xs[a+1][i] = x[i] - th*zbar[a+1][g]
		}
	}
	gd := &Design{Y: ys, YName: d.YName, X: Xs, XNames: append([]string{"(Intercept)"}, d.XNames...)}
	for _, c := range opts.Cluster {
		cc, _, ok := data.groups(c)
		if !ok {
			return nil, fmt.Errorf("econ: no cluster column %q", c)
		}
		gd.Cluster = append(gd.Cluster, gatherCodes(cc, rows))
		gd.ClusterNames = append(gd.ClusterNames, c)
	}
	ropts := opts
	if ropts.VCov == VCovDefault {
		ropts.VCov = VCovIID
		if len(opts.Cluster) > 0 {
			ropts.VCov = VCovCluster
		}
	}
	if ropts.VCov == VCovNW || ropts.VCov == VCovDK || ropts.VCov == VCovTwoWay {
		return nil, fmt.Errorf("econ: random effects support iid, hc1 and cluster variances, not %v", ropts.VCov)
	}
	res, err := Fit(gd, ropts)
	if err != nil {
		return nil, fmt.Errorf("econ: random effects, GLS fit: %w", err)
	}
	// R² of the transformed regression with a centred TSS (plm).
	var mean float64
	for _, v := range ys {
		mean += v
	}
	mean /= float64(m)
	res.TSS = 0
	for _, v := range ys {
		res.TSS += (v - mean) * (v - mean)
	}
	res.R2 = 1 - res.RSS/res.TSS
	res.AdjR2 = 1 - (1-res.R2)*float64(m-1)/float64(m-len(res.Coefs))
	res.NMissing = nmiss
	res.Rows = rows
	res.DFT = math.Inf(1)
	res.Coefs = inferenceNormal(res.Coefs, opts.Level)
	res.Notes = append(res.Notes, notes...)
	out.Result = res

	h, err := hausman(within, res)
	if err != nil {
		res.Notes = append(res.Notes, "Hausman test not computed: "+err.Error())
	} else {
		out.Hausman = *h
	}
	return out, nil
}

// inferenceNormal recomputes p-values and intervals of cs with the
// standard normal distribution.
func inferenceNormal(cs []Coef, level float64) []Coef {
	if level <= 0 || level >= 1 {
		level = 0.95
	}
	q := distuv.UnitNormal.Quantile((1 + level) / 2)
	for a := range cs {
		c := &cs[a]
		c.T = c.Estimate / c.SE
		c.P = 2 * distuv.UnitNormal.Survival(math.Abs(c.T))
		c.CILow, c.CIHigh = c.Estimate-q*c.SE, c.Estimate+q*c.SE
	}
	return cs
}

// hausman compares the consistent fit fe with the efficient fit re over
// their common coefficients (the intercept excluded).
func hausman(fe, re *Result) (*Hausman, error) {
	var names []string
	var ife, ire []int
	for a, c := range fe.Coefs {
		for b, c2 := range re.Coefs {
			if c.Name == c2.Name && c.Name != "(Intercept)" {
				names = append(names, c.Name)
				ife, ire = append(ife, a), append(ire, b)
			}
		}
	}
	q := len(names)
	if q == 0 {
		return nil, errors.New("no coefficient in common")
	}
	D := mat.NewSymDense(q, nil)
	d := mat.NewVecDense(q, nil)
	for a := range q {
		d.SetVec(a, fe.Coefs[ife[a]].Estimate-re.Coefs[ire[a]].Estimate)
		for b := a; b < q; b++ {
			D.SetSym(a, b, fe.VCov[ife[a]][ife[b]]-re.VCov[ire[a]][ire[b]])
		}
	}
	var x mat.VecDense
	if err := x.SolveVec(D, d); err != nil {
		return nil, fmt.Errorf("V_FE − V_RE is singular: %w", err)
	}
	H := mat.Dot(d, &x)
	chi := distuv.ChiSquared{K: float64(q)}
	return &Hausman{Stat: H, DF: q, P: chi.Survival(H), Vars: names}, nil
}

func gatherCodes(c []int32, rows []int) []int32 {
	out := make([]int32, len(rows))
	for a, i := range rows {
		out[a] = c[i]
	}
	return out
}
