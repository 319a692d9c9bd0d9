package econ

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// PoisResult is a Poisson pseudo-maximum-likelihood fit (fixest fepois).
// The embedded Result holds the coefficients and their variance, NObs,
// fixed-effect sizes, K and DFT as for OLS; Fitted holds μ̂ = exp(η̂) and
// Residuals the response residuals y − μ̂. The OLS fit statistics (RSS,
// TSS, R², Sigma) do not apply to this model and are NaN.
type PoisResult struct {
	*Result
	Deviance     float64 // 2 Σ w [y log(y/μ) − (y − μ)]
	NullDeviance float64 // deviance of the constant-only model (no fixed effects)
	LogLik       float64 // Σ w [y log μ − μ − log Γ(y+1)]
	PseudoR2     float64 // 1 − LogLik/LogLik(constant only), fixest's pseudo R²
	IRLSIter     int     // iteratively reweighted least-squares steps
	// NZeroGroups counts observations dropped because one of their fixed
	// effects has an outcome of zero for every observation (the effect
	// would be −∞; fixest drops them likewise).
	NZeroGroups int
}

// Poisson IRLS controls. The deviance criterion is tighter than fixest's
// glm.tol = 1e-8 so that coefficients agree with the exact maximum to
// about 1e-8 relative.
const (
	poisTol     = 1e-10
	poisMaxIter = 100
)

// EstimatePois parses formula, evaluates it against data and fits a
// Poisson model with [FitPois]: fixest's
// fepois(y ~ x | fe1 + fe2, data). Options are those of [Estimate].
func EstimatePois(data *Frame, formula string, opts Options) (*PoisResult, error) {
	f, err := ParseFormula(formula)
	if err != nil {
		return nil, err
	}
	data, err = withPanelID(data, opts.PanelID)
	if err != nil {
		return nil, err
	}
	d, err := f.Design(data)
	if err != nil {
		return nil, err
	}
	if err := d.attach(data, &opts, nil); err != nil {
		return nil, err
	}
	return FitPois(d, opts)
}

// FitPois estimates E[y | x, α] = exp(x'β + α_fe1 + α_fe2 + …) by Poisson
// pseudo-maximum likelihood (Santos Silva & Tenreyro 2006) with any number
// of fixed effects, as fixest's fepois (Bergé 2018). The outcome must be
// non-negative (it need not be an integer).
//
// Method: iteratively reweighted least squares. From μ⁰ = (y + ȳ)/2, each
// step forms the working response z = η + (y − μ)/μ and weights ω·μ (ω the
// observation weights), and solves the weighted least-squares problem of
// z on x with the fixed effects projected out by [Fit]; the new linear
// predictor is η = z − ẽ with ẽ that fit's residual. Steps stop when the
// deviance changes by less than 1e-10·(0.1 + deviance) (fixest's rule with
// a tighter tolerance); a step that makes the deviance non-finite or
// larger is halved (up to 30 times).
//
// Before fitting, observations in a fixed-effect group whose outcomes are
// all zero are removed, repeatedly until none is left, with a note; those
// groups have no finite maximum.
//
// Inference: at the solution the residual of the working regression is
// (y − μ)/μ, so the variances of [Fit] with weights ω·μ are the sandwich
// estimators of fixest with scores ω (y − μ) x̃ and bread (X̃'ΩMX̃)⁻¹,
// including the small-sample corrections, nesting rules and t degrees of
// freedom. The IID variance is the inverse Hessian (Poisson dispersion
// fixed at 1) times (n−1)/(n−K), as fixest. The default variance is
// clustered by the first fixed effect, as for OLS. The weights μ are those
// of the solution; fixest 0.12.2 uses the weights of its last IRLS step,
// one step before the estimate it reports, so its SEs differ from these by
// about that step's change (≈ 2e-9 relative on testdata/fixest_gen.csv at
// its smallest glm.tol; fixest_peer_test.go).
func FitPois(d *Design, opts Options) (*PoisResult, error) {
	n := len(d.Y)
	if err := checkDesignShape(d); err != nil {
		return nil, err
	}
	// Sample rows as Fit would choose them, so that all-zero groups are
	// found among the rows actually used.
	keep := make([]bool, n)
	nmiss := 0
	for i := range n {
		ok := isFinite(d.Y[i])
		if ok && d.Y[i] < 0 {
			return nil, fmt.Errorf("econ: Poisson outcome %s is negative (%v) at row %d", d.YName, d.Y[i], i+1)
		}
		for _, x := range d.X {
			ok = ok && isFinite(x[i])
		}
		for _, c := range d.FE {
			ok = ok && c[i] >= 0
		}
		for _, c := range d.Cluster {
			ok = ok && c[i] >= 0
		}
		for _, sl := range d.Slopes {
			ok = ok && sl.Codes[i] >= 0 && isFinite(sl.X[i])
		}
		if d.Weights != nil {
			ok = ok && d.Weights[i] > 0 && isFinite(d.Weights[i])
		}
		keep[i] = ok
		if !ok {
			nmiss++
		}
	}
	nzero := dropZeroGroups(d.Y, d.FE, keep)
	nsingle := 0
	if opts.Singletons != SingletonsKeep && len(d.FE) > 0 {
		nsingle = dropSingletons(d.FE, keep, opts.Singletons == SingletonsIterate)
	}
	var rows []int
	for i, k := range keep {
		if k {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		if nzero > 0 {
			return nil, &SampleError{0, len(d.X), "every observation is in a fixed-effect group with only zero outcomes"}
		}
		return nil, &SampleError{0, len(d.X), "no observation without missing values"}
	}
	var allZero = true
	for _, i := range rows {
		allZero = allZero && d.Y[i] == 0
	}
	if allZero {
		return nil, &SampleError{len(rows), len(d.X), "the Poisson outcome is zero for every observation"}
	}
	sd := subsetDesign(d, rows)
	m := len(rows)
	y := sd.Y
	omega := sd.Weights // nil = 1

	// IRLS.
	mu := make([]float64, m)
	eta := make([]float64, m)
	var ybar, sw float64
	for i, v := range y {
		ybar += wt(omega, i) * v
		sw += wt(omega, i)
	}
	ybar /= sw
	for i, v := range y {
		mu[i] = (v + ybar) / 2
		eta[i] = math.Log(mu[i])
	}
	dev := poisDeviance(y, mu, omega)
	z := make([]float64, m)
	w := make([]float64, m)
	wd := *sd
	wd.Y, wd.Weights = z, w
	iterOpts := opts
	iterOpts.defaults()
	opts.Tol = iterOpts.Tol
	iterOpts.VCov = VCovIID
	iterOpts.Singletons = SingletonsKeep
	iter := 0
	converged := false
	etaNew := make([]float64, m)
	change := 1.0
	for iter < poisMaxIter {
		iter++
		// Early steps need no tighter projection than the deviance
		// change they are at; the final steps and the fit for inference
		// use opts.Tol.
		iterOpts.Tol = max(opts.Tol, min(1e-6, change/100))
		for i := range m {
			z[i] = eta[i] + (y[i]-mu[i])/mu[i]
			w[i] = wt(omega, i) * mu[i]
		}
		r, err := Fit(&wd, iterOpts)
		if err != nil {
			return nil, fmt.Errorf("econ: Poisson IRLS step %d: %w", iter, err)
		}
		if len(r.Residuals) != m {
			return nil, fmt.Errorf("econ: Poisson IRLS step %d: fitted means underflowed to zero (separation?)", iter)
		}
		for i := range m {
			etaNew[i] = z[i] - r.Residuals[i]
		}
		// Step halving on a non-finite or increasing deviance.
		var devNew float64
		for h := 0; ; h++ {
			devNew = devianceAt(y, etaNew, omega, mu)
			// The starting μ⁰ is not of the model's form, so an increase
			// is only a reason to halve from the second step on.
			if isFinite(devNew) && (iter == 1 || devNew <= dev*(1+1e-12)+1e-12) || h == 30 {
				break
			}
			for i := range m {
				etaNew[i] = (etaNew[i] + eta[i]) / 2
			}
		}
		copy(eta, etaNew)
		for i := range m {
			mu[i] = math.Exp(eta[i])
		}
		change = math.Abs(devNew-dev) / (0.1 + math.Abs(devNew))
		dev = devNew
		if change < poisTol && iter > 1 {
			converged = true
			break
		}
	}
	if !converged {
		return nil, &ConvergenceError{Vars: []string{"Poisson IRLS (" + d.YName + ")"}, MaxIter: poisMaxIter}
	}
	// Final weighted fit at the solution for inference.
	for i := range m {
		z[i] = eta[i] + (y[i]-mu[i])/mu[i]
		w[i] = wt(omega, i) * mu[i]
	}
	fopts := opts
	fopts.Singletons = SingletonsKeep
	if opts.VCov == VCovIID || (opts.VCov == VCovDefault && len(d.FE) == 0) {
		fopts.VCov = VCovIID
	}
	r, err := Fit(&wd, fopts)
	if err != nil {
		return nil, fmt.Errorf("econ: Poisson final step: %w", err)
	}
	if fopts.VCov == VCovIID {
		// Dispersion fixed at 1: V = (n−1)/(n−K) · B, B = σ̂⁻² V_Fit.
		s2 := r.RSS / float64(m-r.K)
		adj := 1.0
		if !opts.SSC.NoAdj {
			adj = float64(m-1) / float64(m-r.K)
		}
		for a := range r.VCov {
			for b := range r.VCov[a] {
				r.VCov[a][b] *= adj / s2
			}
		}
		names := make([]string, len(r.Coefs))
		beta := make([]float64, len(r.Coefs))
		for a, c := range r.Coefs {
			names[a], beta[a] = c.Name, c.Estimate
		}
		lvl := opts.Level
		if lvl <= 0 || lvl >= 1 {
			lvl = 0.95
		}
		r.Coefs = inference(names, beta, r.VCov, r.DFT, lvl)
	}
	// Map back to the caller's rows and replace OLS statistics.
	for a, i := range r.Rows {
		r.Rows[a] = rows[i]
	}
	r.YName = d.YName
	r.NMissing = nmiss
	r.Fitted = slices.Clone(mu)
	r.Residuals = make([]float64, m)
	for i := range m {
		r.Residuals[i] = y[i] - mu[i]
	}
	nan := math.NaN()
	r.RSS, r.TSS, r.TSSWithin, r.R2, r.AdjR2, r.R2Within, r.Sigma = nan, nan, nan, nan, nan, nan, nan
	r.Notes = slices.DeleteFunc(r.Notes, func(s string) bool { return true })
	if nmiss > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d observations removed because of missing values", nmiss))
	}
	if nzero > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d observations removed because their fixed effect has only zero outcomes", nzero))
	}
	if nsingle > 0 {
		r.NSingletons = nsingle
		r.Notes = append(r.Notes, fmt.Sprintf("%d fixed-effect singletons removed", nsingle))
	}
	if len(r.Collinear) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("variables removed because of collinearity: %v", r.Collinear))
	}
	out := &PoisResult{Result: r, Deviance: dev, IRLSIter: iter, NZeroGroups: nzero}
	var ll, ll0 float64
	for i := range m {
		lg, _ := math.Lgamma(y[i] + 1)
		ll += wt(omega, i) * (y[i]*eta[i] - mu[i] - lg)
		ll0 += wt(omega, i) * (poisXLogY(y[i], ybar) - ybar - lg)
	}
	out.LogLik = ll
	out.PseudoR2 = 1 - ll/ll0
	out.NullDeviance = poisDeviance(y, constSlice(ybar, m), omega)
	return out, nil
}

// checkDesignShape reports columns whose length differs from the outcome's.
func checkDesignShape(d *Design) error {
	n := len(d.Y)
	if len(d.X) != len(d.XNames) || len(d.FE) != len(d.FENames) || len(d.Cluster) != len(d.ClusterNames) {
		return errors.New("econ: design names and columns differ in number")
	}
	for j, x := range d.X {
		if len(x) != n {
			return fmt.Errorf("econ: regressor %q has %d rows, outcome has %d", d.XNames[j], len(x), n)
		}
	}
	for q, c := range d.FE {
		if len(c) != n {
			return fmt.Errorf("econ: fixed effect %q has %d rows, outcome has %d", d.FENames[q], len(c), n)
		}
	}
	for q, c := range d.Cluster {
		if len(c) != n {
			return fmt.Errorf("econ: cluster %q has %d rows, outcome has %d", d.ClusterNames[q], len(c), n)
		}
	}
	if d.Weights != nil && len(d.Weights) != n {
		return fmt.Errorf("econ: weights have %d rows, outcome has %d", len(d.Weights), n)
	}
	if (d.Unit != nil && len(d.Unit) != n) || (d.Time != nil && len(d.Time) != n) {
		return fmt.Errorf("econ: panel keys and outcome differ in length")
	}
	return nil
}

// devianceAt returns the deviance at linear predictor eta, storing exp(eta)
// in mu.
func devianceAt(y, eta, omega, mu []float64) float64 {
	for i, e := range eta {
		mu[i] = math.Exp(e)
	}
	return poisDeviance(y, mu, omega)
}

// poisDeviance is 2 Σ ω [y log(y/μ) − (y − μ)] with 0·log 0 = 0.
func poisDeviance(y, mu, omega []float64) float64 {
	var d float64
	for i, v := range y {
		t := -(v - mu[i])
		if v > 0 {
			t += v * math.Log(v/mu[i])
		}
		d += wt(omega, i) * t
	}
	return 2 * d
}

func poisXLogY(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(y)
}

func constSlice(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// dropZeroGroups clears keep[i] for rows in a fixed-effect group (of any
// dimension, among kept rows) whose outcomes are all zero, repeating until
// no such group is left, and returns how many rows it cleared.
func dropZeroGroups(y []float64, fe [][]int32, keep []bool) int {
	dropped := 0
	pos := make([][]bool, len(fe))
	seen := make([][]bool, len(fe))
	for q, c := range fe {
		maxc := int32(-1)
		for _, v := range c {
			maxc = max(maxc, v)
		}
		pos[q] = make([]bool, int(maxc)+1)
		seen[q] = make([]bool, int(maxc)+1)
	}
	for {
		for q, c := range fe {
			clear(pos[q])
			clear(seen[q])
			for i, g := range c {
				if keep[i] {
					seen[q][g] = true
					if y[i] > 0 {
						pos[q][g] = true
					}
				}
			}
		}
		changed := 0
		for i := range keep {
			if !keep[i] {
				continue
			}
			for q, c := range fe {
				if !pos[q][c[i]] {
					keep[i] = false
					changed++
					break
				}
			}
		}
		dropped += changed
		if changed == 0 {
			return dropped
		}
	}
}

// subsetDesign returns the rows of d (every column gathered).
func subsetDesign(d *Design, rows []int) *Design {
	out := &Design{YName: d.YName, XNames: d.XNames, Intercept: d.Intercept,
		FENames: d.FENames, ClusterNames: d.ClusterNames}
	out.Y = gather(d.Y, rows)
	for _, x := range d.X {
		out.X = append(out.X, gather(x, rows))
	}
	for _, c := range d.FE {
		out.FE = append(out.FE, gatherCodes(c, rows))
	}
	for _, c := range d.Cluster {
		out.Cluster = append(out.Cluster, gatherCodes(c, rows))
	}
	if d.Weights != nil {
		out.Weights = gather(d.Weights, rows)
	}
	if d.Unit != nil {
		out.Unit = gatherCodes(d.Unit, rows)
	}
	if d.Time != nil {
		out.Time = gatherCodes(d.Time, rows)
	}
	for _, sl := range d.Slopes {
		out.Slopes = append(out.Slopes, Slope{FE: sl.FE, Codes: gatherCodes(sl.Codes, rows), X: gather(sl.X, rows), Name: sl.Name})
	}
	return out
}
