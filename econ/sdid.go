package econ

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// SDIDMethod selects the estimator of [SyntheticDID].
type SDIDMethod int

const (
	// SDIDSynth is synthetic difference-in-differences (synthdid_estimate):
	// unit weights with an intercept and ridge penalty, and time weights.
	SDIDSynth SDIDMethod = iota
	// SDIDSC is the synthetic control estimator in synthdid's form
	// (sc_estimate): unit weights without intercept and an infinitesimal
	// ridge penalty, no time weights (λ = 0).
	SDIDSC
	// SDIDDID is plain difference-in-differences (did_estimate): uniform
	// unit and time weights.
	SDIDDID
)

// String returns "sdid", "sc" or "did".
func (m SDIDMethod) String() string {
	switch m {
	case SDIDSynth:
		return "sdid"
	case SDIDSC:
		return "sc"
	case SDIDDID:
		return "did"
	}
	return fmt.Sprintf("SDIDMethod(%d)", int(m))
}

// SDIDOptions tunes [SyntheticDID]. The zero value gives synthdid's
// defaults for SDIDSynth with the jackknife SE only.
type SDIDOptions struct {
	Method SDIDMethod
	// Placebo is the number of placebo replications for the placebo
	// standard error (synthdid's vcov(method = "placebo"), which uses 200);
	// 0 skips it.
	Placebo int
	// Seed seeds the placebo permutations: replication r draws from
	// PCG(Seed, r), so results do not depend on Workers.
	Seed uint64
	// Workers runs placebo replications in parallel; 0 means GOMAXPROCS.
	Workers int
	// MaxIter caps the Frank–Wolfe iterations after sparsification
	// (default 10000, synthdid's max.iter); MaxIterPreSparsify caps the
	// first round (default 100); NoSparsify skips sparsification and runs
	// one round of MaxIter iterations (synthdid's sparsify = NULL).
	MaxIter, MaxIterPreSparsify int
	NoSparsify                  bool
	// Covariates names columns of the panel's X to adjust for, in order
	// (synthdid's X array): their coefficients β are estimated jointly
	// with the weights and the estimate is computed on Y − Σ_c β_c X_c.
	// Every cell of a covariate must be finite. Without covariates the
	// weights are computed as described at [SyntheticDID]; with them as
	// synthdid's sc.weight.fw.covariates (up to MaxIter iterations, no
	// sparsification).
	Covariates []string
	// Bootstrap is the number of bootstrap draws for the bootstrap
	// standard error (synthdid's vcov(method = "bootstrap"), which uses
	// 200); 0 skips it. Draw r resamples units from PCG(Seed, r), so the
	// result does not depend on Workers.
	Bootstrap int
}

// SDIDResult is the outcome of [SyntheticDID]. Weights are in the row and
// column order of the [SynthPanel]: Omega[i] belongs to Units[i] (controls
// only), Lambda[t] to Times[t] (pre-treatment periods only).
type SDIDResult struct {
	Method   SDIDMethod
	Estimate float64
	Omega    []float64 // unit weights ω of the N0 controls, on the simplex
	Lambda   []float64 // time weights λ of the T0 pre-periods (all 0 for SDIDSC)
	// NoiseLevel σ̂ is the standard deviation of the first differences of
	// the control outcomes in the pre-periods; ZetaOmega and ZetaLambda are
	// the ridge penalties ζ_ω, ζ_λ; MinDecrease is the stopping threshold
	// 1e-5·σ̂ of the Frank–Wolfe solver.
	NoiseLevel, ZetaOmega, ZetaLambda, MinDecrease float64
	// JackknifeSE is the fixed-weights jackknife standard error
	// (Arkhangelsky et al. 2021, Algorithm 3); NaN when synthdid returns NA:
	// one treated unit, or only one control with nonzero weight.
	JackknifeSE float64
	// PlaceboSE is the placebo standard error (Algorithm 4) over the
	// estimates in Placebos; NaN when not requested.
	PlaceboSE float64
	Placebos  []float64
	// BootstrapSE is the bootstrap standard error (synthdid's
	// bootstrap_se) over the estimates in Bootstraps; NaN when not
	// requested.
	BootstrapSE float64
	Bootstraps  []float64
	Seed        uint64
	// Covariates and Beta are the covariates adjusted for and their
	// coefficients β (nil without covariates); Iterations is the number of
	// iterations of the joint β and weight solver.
	Covariates []string
	Beta       []float64
	Iterations int
	// Plot is drawn on the covariate-adjusted outcome Y − Σ_c β_c X_c, as
	// synthdid_plot does.
	Plot SDIDPlot
}

// SDIDPlot is the plot data of a synthetic DID estimate, as synthdid_plot
// draws it: per period the treated mean ȳ_tr,t = (1/N1) Σ_{i>N0} Y_it and
// the synthetic control ŷ_t = Σ_{i≤N0} ω_i Y_it; Offset is the intercept
// (ω_tr − ω)ᵀ Y λ that synthdid_plot(overlay = 1) adds to ŷ so the two
// agree on the λ-weighted pre-period (0 for SC, whose λ = 0); Effect is
// the effect curve of the post-periods (synthdid_effect_curve),
// τ_t = ȳ_tr,t − ŷ_t − Σ_s λ_s (ȳ_tr,s − ŷ_s), whose mean is the estimate.
// PreTime is the λ-weighted pre-treatment time, PostTime the mean
// post-treatment time (where synthdid_plot draws its arrows).
type SDIDPlot struct {
	Times             []int
	Treated           []float64
	Synthetic         []float64
	Offset            float64
	Effect            []float64
	PreTime, PostTime float64
}

// SyntheticDID estimates the average effect on the treated block of a
// [SynthPanel] by synthetic difference-in-differences (Arkhangelsky,
// Athey, Hirshberg, Imbens & Wager 2021, AER 111(12), Algorithm 1), or by
// synthetic control or DID as special cases, reproducing R synthdid 0.0.9
// (synthdid_estimate, sc_estimate, did_estimate with their defaults):
//
//	τ̂ = (ω_trᵀ − ωᵀ) Y (λ_post − λ),  ω_tr = 1/N1 on treated rows, λ_post = 1/T1 on post columns
//
// Unit weights solve, over the simplex, with ω₀ an intercept,
//
//	min ζ_ω² T0 ‖ω‖² + Σ_{t≤T0} (ω₀ + Σ_i ω_i Y_it − ȳ_tr,t)²,   ζ_ω = (N1 T1)^{1/4} σ̂
//
// and time weights λ likewise with the roles of units and periods swapped
// (the target being each control's post-period mean) and ζ_λ = 1e-6 σ̂,
// where σ̂ is the standard deviation of the first differences of the
// control outcomes before treatment. SC drops the intercept, uses
// ζ_ω = 1e-6 σ̂ and λ = 0; DID uses ω = 1/N0 and λ = 1/T0.
//
// The weights are computed as synthdid's sc.weight.fw does: the intercept
// is removed by centring; Frank–Wolfe with exact line search from uniform
// weights stops when an iteration lowers the objective by less than
// (1e-5 σ̂)² or after max.iter steps; by default a first round of at most
// 100 steps is sparsified (weights ≤ max/4 set to 0, the rest rescaled to
// sum to one) and used to start a second round of at most 10,000 steps.
//
// With opts.Covariates, Y is replaced by Y − Σ_c β_c X_c throughout, with
// β estimated jointly with the weights as synthdid_estimate(Y, N0, T0, X)
// does (synthdid's sc.weight.fw.covariates: alternating gradient steps on β and
// single Frank–Wolfe steps on λ and ω); σ̂ and the ζ's still come from Y.
// The jackknife, placebo and bootstrap refit β from 0 as synthdid's vcov
// does. The bootstrap (opts.Bootstrap, Algorithm 2) resamples units with
// replacement and re-optimises the weights the method estimates.
//
// Errors: *[SynthError] when there are fewer than 2 pre-periods (no first
// differences to estimate σ̂), when placebo SEs are requested with no
// more controls than treated units, when the bootstrap is requested with
// one treated unit, when a covariate is not a column of p.X, has a
// missing or infinite cell (each named by unit and period), or lacks the
// variation that identifies its coefficient (constant; the same for every
// unit; for SDID and DID constant over time), and when the joint fit of β
// diverges (its objective ends above its first value: the β step is not
// scale-invariant, so covariates far larger than the outcome's changes
// must be rescaled).
func SyntheticDID(p *SynthPanel, opts SDIDOptions) (*SDIDResult, error) {
	N, T := p.N(), p.T()
	N0, T0 := p.N0, p.T0
	if len(p.Y) != N*T || N0 < 1 || N0 >= N || T0 < 1 || T0 >= T {
		panic("econ: SyntheticDID: malformed SynthPanel")
	}
	if opts.Method < SDIDSynth || opts.Method > SDIDDID {
		panic("econ: SyntheticDID: unknown method")
	}
	e := &SynthError{}
	if N0*(T0-1) < 2 {
		e.add("", "", "", "%d pre-treatment periods and %d controls: need at least 2 first differences of control outcomes before treatment to set the regularisation", T0, N0)
	}
	if opts.Placebo > 0 && N0 <= N-N0 {
		e.add("", "", "", "placebo standard errors need more controls (%d) than treated units (%d)", N0, N-N0)
	}
	if opts.Bootstrap > 0 && N-N0 < 2 {
		e.add("", "", "", "the bootstrap standard error needs at least 2 treated units (synthdid returns NA with one); use the placebo standard error")
	}
	xs := sdidCheckCovariates(e, p, opts)
	if err := e.orNil(); err != nil {
		return nil, err
	}
	if opts.MaxIter <= 0 {
		opts.MaxIter = 10000
	}
	if opts.MaxIterPreSparsify <= 0 {
		opts.MaxIterPreSparsify = 100
	}
	s, omega0, lambda0 := sdidPrepare(p, opts)
	noise := s.noise
	d := sdidData{y: p.Y, x: xs, N: N, T: T, n0: N0, t0: T0}
	tau, fit := s.estimate(d, omega0, lambda0)
	if len(xs) > 0 {
		if err := sdidCheckConvergence(fit, opts.Covariates); err != nil {
			return nil, err
		}
	}
	yAdj := sdidAdjust(p.Y, xs, fit.beta)
	r := &SDIDResult{
		Method: opts.Method, Omega: fit.omega, Lambda: fit.lambda,
		Estimate:   tau,
		NoiseLevel: noise, ZetaOmega: s.zetaOmega, ZetaLambda: s.zetaLambda, MinDecrease: s.minDecrease,
		JackknifeSE: s.jackknife(d, fit.omega, fit.lambda),
		PlaceboSE:   math.NaN(),
		BootstrapSE: math.NaN(),
		Seed:        opts.Seed,
		Plot:        sdidPlot(p, yAdj, fit.omega, fit.lambda),
	}
	if len(xs) > 0 {
		r.Covariates = slices.Clone(opts.Covariates)
		r.Beta = fit.beta
		r.Iterations = fit.iters
	}
	if opts.Placebo > 0 {
		r.Placebos = s.placebo(d, fit.omega, fit.lambda)
		k := float64(len(r.Placebos))
		r.PlaceboSE = math.Sqrt((k-1)/k) * sdSample(r.Placebos)
	}
	if opts.Bootstrap > 0 {
		r.Bootstraps = s.bootstrap(d, fit.omega, fit.lambda)
		k := float64(len(r.Bootstraps))
		r.BootstrapSE = math.Sqrt((k-1)/k) * sdSample(r.Bootstraps)
	}
	return r, nil
}

// sdidPrepare sets up synthdid_estimate's options for p (noise level,
// ζ's, intercepts, which weights are updated; opts must carry the
// defaults) and the starting or fixed weights of the method (nil:
// uniform).
func sdidPrepare(p *SynthPanel, opts SDIDOptions) (s sdidSetup, omega0, lambda0 []float64) {
	N, T, N0, T0 := p.N(), p.T(), p.N0, p.T0
	noise := sdidNoise(p.Y, T, N0, T0)
	N1, T1 := N-N0, T-T0
	s = sdidSetup{opts: opts, noise: noise, minDecrease: 1e-5 * noise}
	switch opts.Method {
	case SDIDSynth:
		s.zetaOmega = math.Pow(float64(N1*T1), 0.25) * noise
		s.zetaLambda = 1e-6 * noise
		s.omegaIntercept, s.lambdaIntercept = true, true
		s.updateOmega, s.updateLambda = true, true
	case SDIDSC:
		s.zetaOmega = 1e-6 * noise
		s.zetaLambda = 1e-6 * noise
		s.omegaIntercept, s.lambdaIntercept = false, true
		s.updateOmega = true
	case SDIDDID:
		s.zetaOmega = math.Pow(float64(N1*T1), 0.25) * noise
		s.zetaLambda = 1e-6 * noise
		s.omegaIntercept, s.lambdaIntercept = true, true
	}
	switch opts.Method {
	case SDIDSC:
		lambda0 = make([]float64, T0)
	case SDIDDID:
		lambda0 = make([]float64, T0)
		for t := range lambda0 {
			lambda0[t] = 1 / float64(T0)
		}
		omega0 = make([]float64, N0)
		for i := range omega0 {
			omega0[i] = 1 / float64(N0)
		}
	}
	return s, omega0, lambda0
}

// sdidData is the matrix form of a (sub-)panel: the N×T outcome y and the
// covariates x in the same row-major layout, the first n0 rows controls,
// the first t0 columns pre-treatment.
type sdidData struct {
	y            []float64
	x            [][]float64
	N, T, n0, t0 int
}

// rows returns the sub-panel of the rows idx (in that order), of which
// the first n0 are controls.
func (d sdidData) rows(idx []int, n0 int) sdidData {
	T := d.T
	out := sdidData{y: make([]float64, len(idx)*T), N: len(idx), T: T, n0: n0, t0: d.t0}
	for k, i := range idx {
		copy(out.y[k*T:(k+1)*T], d.y[i*T:(i+1)*T])
	}
	for _, x := range d.x {
		sub := make([]float64, len(idx)*T)
		for k, i := range idx {
			copy(sub[k*T:(k+1)*T], x[i*T:(i+1)*T])
		}
		out.x = append(out.x, sub)
	}
	return out
}

// estimate is synthdid_estimate with the options of s: the weights (and β
// with covariates) from the starting values omega0 and lambda0 (nil:
// uniform; the weights themselves where s does not update them), and τ̂.
func (s *sdidSetup) estimate(d sdidData, omega0, lambda0 []float64) (float64, sdidCovFit) {
	if len(d.x) == 0 {
		omega, lambda := s.weights(d.y, d.N, d.T, d.n0, d.t0, omega0, lambda0)
		return sdidTau(d.y, d.N, d.T, d.n0, d.t0, omega, lambda), sdidCovFit{omega: omega, lambda: lambda}
	}
	yc := collapsedForm(d.y, d.N, d.T, d.n0, d.t0)
	xc := make([][]float64, len(d.x))
	for c, x := range d.x {
		xc[c] = collapsedForm(x, d.N, d.T, d.n0, d.t0)
	}
	fit := s.covWeights(yc, xc, d.n0, d.t0, omega0, lambda0)
	return sdidTau(sdidAdjust(d.y, d.x, fit.beta), d.N, d.T, d.n0, d.t0, fit.omega, fit.lambda), fit
}

// sdidCheckCovariates checks the covariates named in opts and returns
// them in order: each must be a column of p.X, listed once, finite in
// every cell, and vary across units and over time (a covariate constant
// over units is absorbed by the time weights' intercept, one constant over
// time by the unit weights' intercept — except for SC, whose unit weights
// have none — so its coefficient would not be identified; synthdid leaves
// it at 0 silently).
func sdidCheckCovariates(e *SynthError, p *SynthPanel, opts SDIDOptions) [][]float64 {
	if len(opts.Covariates) == 0 {
		return nil
	}
	N, T := p.N(), p.T()
	seen := map[string]bool{}
	var xs [][]float64
	for _, c := range opts.Covariates {
		x, ok := p.X[c]
		switch {
		case seen[c]:
			e.add("", "", c, "covariate listed twice")
			continue
		case !ok:
			e.add("", "", c, "no such covariate column")
			continue
		case len(x) != N*T:
			panic("econ: SyntheticDID: malformed SynthPanel covariate")
		}
		seen[c] = true
		bad := false
		for i := range N {
			for t := range T {
				if v := x[i*T+t]; math.IsNaN(v) || math.IsInf(v, 0) {
					e.add(p.Units[i], strconv.Itoa(p.Times[t]), c, "missing covariate value %v (synthetic DID with covariates needs every cell)", v)
					bad = true
				}
			}
		}
		if bad {
			continue
		}
		overUnits, overTime := false, false // varies across units / over time
		for i := range N {
			for t := range T {
				overUnits = overUnits || x[i*T+t] != x[t]
				overTime = overTime || x[i*T+t] != x[i*T]
			}
		}
		switch {
		case !overUnits && !overTime:
			e.add("", "", c, "covariate is constant (%v in every cell): its coefficient is not identified", x[0])
		case !overUnits:
			e.add("", "", c, "covariate varies only over time, the same for every unit: absorbed by the time weights' intercept, its coefficient is not identified")
		case !overTime && opts.Method != SDIDSC:
			e.add("", "", c, "covariate varies only across units, constant over time: absorbed by the unit weights' intercept, its coefficient is not identified")
		}
		xs = append(xs, x)
	}
	return xs
}

// sdidCheckConvergence reports a joint β and weight fit whose objective
// ended above its first value or is not finite: synthdid's β step 1/t
// overshoots on covariates of large magnitude and then diverges.
func sdidCheckConvergence(fit sdidCovFit, names []string) error {
	finite := !math.IsNaN(fit.valLast) && !math.IsInf(fit.valLast, 0)
	for _, b := range fit.beta {
		finite = finite && !math.IsNaN(b) && !math.IsInf(b, 0)
	}
	if finite && (math.IsNaN(fit.valFirst) || fit.valLast <= fit.valFirst) {
		return nil
	}
	e := &SynthError{}
	e.add("", "", strings.Join(names, ","), "the covariate coefficients diverged (objective %.4g after the first iteration, %.4g after %d): synthdid's gradient step on β is not scale-invariant; rescale the covariates to the magnitude of the outcome's changes (e.g. dollars instead of cents)", fit.valFirst, fit.valLast, fit.iters)
	return e
}

// sdidSetup is what synthdid keeps in attr(estimate, "opts").
type sdidSetup struct {
	opts                            SDIDOptions
	noise                           float64
	zetaOmega, zetaLambda           float64
	omegaIntercept, lambdaIntercept bool
	updateOmega, updateLambda       bool
	minDecrease                     float64
	// slowFixed makes covWeights take synthdid's literal path even when
	// no weights are updated (tests compare it with covBetaFixed).
	slowFixed bool
}

// weights computes ω and λ for the N×T matrix y (first n0 rows controls,
// first t0 columns pre) as synthdid_estimate does without covariates.
// omega0 and lambda0 are starting values (nil: uniform) or, when not
// updated, the weights themselves.
func (s *sdidSetup) weights(y []float64, N, T, n0, t0 int, omega0, lambda0 []float64) (omega, lambda []float64) {
	c := collapsedForm(y, N, T, n0, t0) // (n0+1)×(t0+1), row-major
	w := t0 + 1
	lambda, omega = lambda0, omega0
	if s.updateLambda {
		// Yc[1:N0, ]: n0 rows (controls) × t0+1 columns, column-major
		m := make([]float64, n0*w)
		for i := range n0 {
			for j := range w {
				m[j*n0+i] = c[i*w+j]
			}
		}
		lambda = s.fwSparse(m, n0, t0, s.zetaLambda, s.lambdaIntercept, lambda)
	}
	if s.updateOmega {
		// t(Yc[, 1:T0]): t0 rows × n0+1 columns, column-major
		m := make([]float64, t0*(n0+1))
		for i := range n0 + 1 {
			for j := range t0 {
				m[i*t0+j] = c[i*w+j]
			}
		}
		omega = s.fwSparse(m, t0, n0, s.zetaOmega, s.omegaIntercept, omega)
	}
	return omega, lambda
}

// fwSparse runs synthdid's two rounds of sc.weight.fw around the
// sparsification step (or one round with NoSparsify).
func (s *sdidSetup) fwSparse(m []float64, n, k int, zeta float64, intercept bool, x0 []float64) []float64 {
	if s.opts.NoSparsify {
		return fwWeights(m, n, k, zeta, intercept, x0, s.minDecrease, s.opts.MaxIter)
	}
	x := fwWeights(m, n, k, zeta, intercept, x0, s.minDecrease, s.opts.MaxIterPreSparsify)
	sparsify(x)
	return fwWeights(m, n, k, zeta, intercept, x, s.minDecrease, s.opts.MaxIter)
}

// sparsify sets v_i = 0 where v_i ≤ max(v)/4 and rescales v to sum to one
// (synthdid's sparsify_function), in place.
func sparsify(v []float64) {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = max(mx, x)
	}
	var s float64
	for i, x := range v {
		if x <= mx/4 {
			v[i] = 0
		}
		s += v[i]
	}
	for i := range v {
		v[i] /= s
	}
}

// fwWeights is synthdid's sc.weight.fw: with Y = [A | b] the n×(k+1)
// column-major matrix m (centred column-wise first if intercept), it
// minimises ζ²‖x‖² + ‖Ax − b‖²/n over the simplex by Frank–Wolfe with
// exact line search on ‖Ax − b‖² + nζ²‖x‖², starting from x0 (uniform if
// nil), stopping after maxIter steps or when a step lowers the objective by
// no more than minDecrease². The result is a new slice.
func fwWeights(m []float64, n, k int, zeta float64, intercept bool, x0 []float64, minDecrease float64, maxIter int) []float64 {
	if intercept {
		cm := make([]float64, len(m))
		for j := range k + 1 {
			col := m[j*n : (j+1)*n]
			mu := mean2(col)
			for i, v := range col {
				cm[j*n+i] = v - mu
			}
		}
		m = cm
	}
	x := make([]float64, k)
	if x0 == nil {
		for i := range x {
			x[i] = 1 / float64(k)
		}
	} else {
		copy(x, x0)
	}
	b := m[k*n : (k+1)*n]
	eta := float64(n) * zeta * zeta
	z2 := zeta * zeta
	ax := make([]float64, n)
	grad := make([]float64, k)
	dx := make([]float64, k)
	md2 := minDecrease * minDecrease
	var prev, cur float64
	// ax = A x is carried from one iteration to the next: a step x += s·d
	// with d = e_i − x moves it to ax + s·(A_i − ax), which is cheaper than
	// recomputing A x (synthdid recomputes; the results agree to ~1e-14).
	matVec(ax, m, n, k, x)
	for t := 0; t < maxIter && (t < 2 || prev-cur > md2); t++ {
		// fw.step
		if imin, step, moved := fwMove(m, n, k, x, b, ax, eta, grad, dx); moved {
			col := m[imin*n : (imin+1)*n]
			for i := range n {
				ax[i] += step * (col[i] - ax[i])
			}
		}
		// vals[t] = ζ² Σ x² + Σ (Y c(x, −1))² / n
		var ss, xx float64
		for i := range n {
			r := ax[i] - b[i]
			ss += r * r
		}
		for j := range k {
			xx += x[j] * x[j]
		}
		prev, cur = cur, z2*xx+ss/float64(n)
	}
	return x
}

// matVec sets dst = A x for the n×k column-major A held in m (columns
// accumulated in order, as the reference BLAS does).
func matVec(dst, m []float64, n, k int, x []float64) {
	clear(dst)
	for j := range k {
		xj := x[j]
		col := m[j*n : (j+1)*n]
		for i := range n {
			dst[i] += col[i] * xj
		}
	}
}

// mean2 is R's mean: the sum divided by n, corrected by a second pass.
func mean2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	n := float64(len(x))
	s /= n
	var t float64
	for _, v := range x {
		t += v - s
	}
	return s + t/n
}

// sdSample is the sample standard deviation (n − 1 denominator).
func sdSample(x []float64) float64 {
	mu := mean2(x)
	var ss float64
	for _, v := range x {
		ss += (v - mu) * (v - mu)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// sdidNoise is synthdid's default noise.level:
// sd(apply(Y[1:N0, 1:T0], 1, diff)).
func sdidNoise(y []float64, T, n0, t0 int) float64 {
	d := make([]float64, 0, n0*(t0-1))
	for i := range n0 {
		for t := 1; t < t0; t++ {
			d = append(d, y[i*T+t]-y[i*T+t-1])
		}
	}
	return sdSample(d)
}

// collapsedForm is synthdid's collapsed.form: the (n0+1)×(t0+1) matrix of
// control pre-period outcomes, each control's post-period mean (last
// column), the treated mean of each pre-period (last row) and the treated
// post-period mean (corner). Row-major.
func collapsedForm(y []float64, N, T, n0, t0 int) []float64 {
	w := t0 + 1
	c := make([]float64, (n0+1)*w)
	for i := range n0 {
		copy(c[i*w:i*w+t0], y[i*T:i*T+t0])
		var s float64
		for t := t0; t < T; t++ {
			s += y[i*T+t]
		}
		c[i*w+t0] = s / float64(T-t0)
	}
	for t := range t0 {
		var s float64
		for i := n0; i < N; i++ {
			s += y[i*T+t]
		}
		c[n0*w+t] = s / float64(N-n0)
	}
	blk := make([]float64, 0, (N-n0)*(T-t0))
	for t := t0; t < T; t++ { // column-major, as R stores the block
		for i := n0; i < N; i++ {
			blk = append(blk, y[i*T+t])
		}
	}
	c[n0*w+t0] = mean2(blk)
	return c
}

// sdidTau is t(c(−ω, 1/N1…)) %*% Y %*% c(−λ, 1/T1…), in R's order: the row
// vector times Y first.
func sdidTau(y []float64, N, T, n0, t0 int, omega, lambda []float64) float64 {
	v := sdidRow(y, N, T, n0, omega)
	var s float64
	for t := range t0 {
		s += v[t] * -lambda[t]
	}
	a := 1 / float64(T-t0)
	for t := t0; t < T; t++ {
		s += v[t] * a
	}
	return s
}

// sdidRow returns (−ω, 1/N1, …)ᵀ Y, a T-vector.
func sdidRow(y []float64, N, T, n0 int, omega []float64) []float64 {
	v := make([]float64, T)
	a := 1 / float64(N-n0)
	for i := range N {
		c := a
		if i < n0 {
			c = -omega[i]
		}
		for t := range T {
			v[t] += c * y[i*T+t]
		}
	}
	return v
}

// jackknife is synthdid's jackknife_se (Algorithm 3) with the estimate's
// weights held fixed: leave out each unit i, renormalise ω over the
// remaining controls (uniform if they have no weight), re-estimate — with
// covariates, β is refitted from 0 with the weights fixed, as
// synthdid_estimate does with update.omega = update.lambda = FALSE —;
// SE = sqrt((n−1)/n · (n−1) · var(u)). NaN with one treated unit or one
// control of nonzero weight, as synthdid.
func (s *sdidSetup) jackknife(d sdidData, omega, lambda []float64) float64 {
	N, n0 := d.N, d.n0
	nz := 0
	for _, w := range omega {
		if w != 0 {
			nz++
		}
	}
	if n0 == N-1 || nz == 1 {
		return math.NaN()
	}
	fixed := *s
	fixed.updateOmega, fixed.updateLambda = false, false
	u := make([]float64, N)
	one := func(leave int) {
		idx := make([]int, 0, N-1)
		om := make([]float64, 0, n0)
		for i := range N {
			if i == leave {
				continue
			}
			idx = append(idx, i)
			if i < n0 {
				om = append(om, omega[i])
			}
		}
		sumNormalize(om)
		u[leave], _ = fixed.estimate(d.rows(idx, len(om)), om, lambda)
	}
	if len(d.x) == 0 {
		for leave := range N {
			one(leave)
		}
	} else {
		synthParallel(N, s.opts.Workers, one)
	}
	n := float64(N)
	return math.Sqrt((n - 1) / n * (n - 1) * varSample(u))
}

// varSample is R's var of a vector (n − 1 denominator, two-pass).
func varSample(x []float64) float64 {
	s := sdSample(x)
	return s * s
}

// sumNormalize is synthdid's sum_normalize, in place: x/Σx, or uniform
// weights when Σx = 0.
func sumNormalize(x []float64) {
	var s float64
	for _, v := range x {
		s += v
	}
	if s != 0 {
		for i := range x {
			x[i] /= s
		}
		return
	}
	for i := range x {
		x[i] = 1 / float64(len(x))
	}
}

// placebo is synthdid's placebo_se sampling (Algorithm 4): replication r
// permutes the controls with PCG(Seed, r), treats the last N1 of them as
// treated, and re-estimates with the original ζ's, the original weights
// as starting values (or fixed, for those the method does not update),
// and with covariates β refitted from 0.
func (s *sdidSetup) placebo(d sdidData, omega, lambda []float64) []float64 {
	reps := s.opts.Placebo
	out := make([]float64, reps)
	n0 := d.n0
	m0 := n0 - (d.N - n0)
	synthParallel(reps, s.opts.Workers, func(r int) {
		rng := rand.New(rand.NewPCG(s.opts.Seed, uint64(r)))
		perm := rng.Perm(n0)
		om := make([]float64, m0)
		for k, i := range perm[:m0] {
			om[k] = omega[i]
		}
		sumNormalize(om)
		out[r], _ = s.estimate(d.rows(perm, m0), om, lambda)
	})
	return out
}

// bootstrap is synthdid's bootstrap_sample: draw r resamples the N units
// with replacement from PCG(Seed, r), drawing again while the sample has
// no control or no treated unit; the sample, sorted (controls first, a
// unit drawn twice appearing twice), is re-estimated with the original
// ζ's, the weights the method updates re-optimised from the original λ
// and from ω restricted to the drawn controls and renormalised, and with
// covariates β refitted from 0.
func (s *sdidSetup) bootstrap(d sdidData, omega, lambda []float64) []float64 {
	reps := s.opts.Bootstrap
	out := make([]float64, reps)
	N, n0 := d.N, d.n0
	synthParallel(reps, s.opts.Workers, func(r int) {
		rng := rand.New(rand.NewPCG(s.opts.Seed, uint64(r)))
		idx := make([]int, N)
		var m0 int
		for {
			m0 = 0
			for k := range idx {
				idx[k] = rng.IntN(N)
				if idx[k] < n0 {
					m0++
				}
			}
			if m0 > 0 && m0 < N {
				break
			}
		}
		out[r] = s.bootDraw(d, idx, m0, omega, lambda)
	})
	return out
}

// bootDraw is the estimate on one bootstrap draw: the units idx (sorted
// in place; m0 of them controls).
func (s *sdidSetup) bootDraw(d sdidData, idx []int, m0 int, omega, lambda []float64) float64 {
	slices.Sort(idx)
	om := make([]float64, m0)
	for k, i := range idx[:m0] {
		om[k] = omega[i]
	}
	sumNormalize(om)
	tau, _ := s.estimate(d.rows(idx, m0), om, lambda)
	return tau
}

// sdidPlot computes the trajectories of synthdid_plot and the effect curve
// from the (covariate-adjusted) outcome y of p's layout.
func sdidPlot(p *SynthPanel, y, omega, lambda []float64) SDIDPlot {
	N, T, n0, t0 := p.N(), p.T(), p.N0, p.T0
	pl := SDIDPlot{Times: p.Times, Treated: make([]float64, T), Synthetic: make([]float64, T)}
	a := 1 / float64(N-n0)
	for i := range N {
		for t := range T {
			if i < n0 {
				pl.Synthetic[t] += omega[i] * y[i*T+t]
			} else {
				pl.Treated[t] += a * y[i*T+t]
			}
		}
	}
	v := sdidRow(y, N, T, n0, omega)
	var pre float64
	for t := range t0 {
		pre += v[t] * lambda[t]
		pl.Offset += (pl.Treated[t] - pl.Synthetic[t]) * lambda[t]
		pl.PreTime += lambda[t] * float64(p.Times[t])
	}
	for t := t0; t < T; t++ {
		pl.Effect = append(pl.Effect, v[t]-pre)
		pl.PostTime += float64(p.Times[t]) / float64(T-t0)
	}
	return pl
}
