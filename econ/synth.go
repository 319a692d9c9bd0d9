package econ

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// SynthPredictor is one predictor of the classic synthetic control
// ([SynthControl]): the mean of a variable over the periods From..To
// (inclusive, in the panel's time labels), skipping missing values, as
// Synth's dataprep(special.predictors) and tidysynth's
// generate_predictor(mean(x, na.rm = TRUE)). Var "" means the outcome; a
// single period (From = To) gives a lagged outcome such as cigsale in 1975.
type SynthPredictor struct {
	Name     string // label in results; "" gives Var (or "outcome") and the period range
	Var      string
	From, To int
}

func (sp SynthPredictor) label() string {
	if sp.Name != "" {
		return sp.Name
	}
	v := sp.Var
	if v == "" {
		v = "outcome"
	}
	if sp.From == sp.To {
		return v + "_" + strconv.Itoa(sp.From)
	}
	return v + "_" + strconv.Itoa(sp.From) + "_" + strconv.Itoa(sp.To)
}

// SynthOptions tunes [SynthControl].
type SynthOptions struct {
	// Predictors are the rows of X; nil gives the outcome in every
	// pre-treatment period.
	Predictors []SynthPredictor
	// OptimizeFrom, OptimizeTo bound the pre-treatment periods whose
	// outcome MSPE V is chosen to minimise (Synth's time.optimize.ssr);
	// zero gives every pre-treatment period.
	OptimizeFrom, OptimizeTo int
	// V fixes the predictor weights (Synth's custom.v) instead of choosing
	// them; it is normalised to sum to one.
	V []float64
	// Placebos runs the in-space placebo of every control unit.
	Placebos bool
	// LeaveOneOut re-estimates the synthetic control once without each
	// donor that has a positive weight (SynthResult.LeaveOneOut).
	LeaveOneOut bool
	// Workers runs placebos and leave-one-out fits in parallel; 0 means
	// GOMAXPROCS.
	Workers int
}

// SynthResult is the outcome of [SynthControl]: the treated unit, its
// synthetic control, the fit and the in-space placebo inference.
type SynthResult struct {
	Unit   string
	Donors []string  // control units, in panel order
	W      []float64 // donor weights, on the simplex
	// Predictors names the rows of V, X1 (treated), X0W (synthetic) and
	// DonorMean (unweighted donor mean): the balance table.
	Predictors            []string
	V, X1, X0W, DonorMean []float64
	// LossW is the V-weighted predictor loss Σ_k v_k (X1_k − X0_k W)²/s_k²
	// (s_k the standard deviation of predictor k over all units); LossV the
	// outcome MSPE over the optimisation periods that V minimises.
	LossW, LossV float64
	Times        []int
	T0           int       // pre-treatment periods: Times[:T0]
	Treated      []float64 // outcome of the treated unit per period
	Synthetic    []float64 // Σ_j W_j Y_jt
	Gap          []float64 // Treated − Synthetic
	// Estimate is the mean gap over the post-treatment periods.
	Estimate float64
	// PreRMSPE and PostRMSPE are root mean squared gaps before and after
	// treatment; Ratio = PostRMSPE/PreRMSPE.
	PreRMSPE, PostRMSPE, Ratio float64
	// Placebos holds the treated unit first and then every control refitted
	// as if treated (with the other controls as donors), with Rank the
	// position of each Ratio in decreasing order (1 = largest). PValue is
	// the permutation p-value of ADH (2010, §2.5): the share of units whose
	// ratio is at least the treated unit's. Empty and NaN unless
	// SynthOptions.Placebos.
	Placebos []SynthPlacebo
	Rank     int
	PValue   float64
	// LeaveOneOut holds one re-estimate per donor with positive weight,
	// in donor order, when SynthOptions.LeaveOneOut.
	LeaveOneOut []SynthLeaveOut
}

// SynthLeaveOut is one leave-one-out re-estimate of a synthetic control:
// the fit without donor Dropped. Donors, W and V are those of the refit;
// Synthetic and Gap are per period of the panel, Estimate the mean gap
// after treatment.
type SynthLeaveOut struct {
	Dropped                    string
	Donors                     []string
	W, V                       []float64
	Synthetic, Gap             []float64
	Estimate                   float64
	PreRMSPE, PostRMSPE, LossV float64
}

// SynthPlacebo is one in-space placebo run: the unit treated in it, its
// gaps per period, pre- and post-treatment RMSPE and their ratio.
type SynthPlacebo struct {
	Unit                       string
	Treated                    bool // the actually treated unit
	Gap                        []float64
	PreRMSPE, PostRMSPE, Ratio float64
	Rank                       int
}

// SynthControl estimates the effect of treatment on the single treated
// unit of p by the synthetic control method of Abadie, Diamond &
// Hainmueller (2010, JASA 105(490), §2.3) as R's Synth and tidysynth fit
// it. With X1 (K predictors of the treated unit) and X0 (K×J, the donors),
// each row divided by its standard deviation over all J+1 units,
//
//	W*(V) = argmin_{W ∈ Δ^J} (X1 − X0 W)ᵀ V (X1 − X0 W),   V = diag(v), v ∈ Δ^K
//	V*    = argmin_V  (1/|S|) Σ_{t∈S} (Z1_t − Z0_t W*(V))²  over the optimisation periods S
//
// The inner problem is a quadratic programme, solved exactly by a primal
// active-set method (with a ridge of 1e-10 times the mean diagonal of
// X0ᵀVX0 so that the solution is unique when several W fit equally well);
// the outer is minimised by Nelder–Mead over v with V = |v|/Σ|v|, started,
// as Synth does, from equal weights and from the squared coefficients of a
// regression of the outcomes on the predictors, then restarted from the
// best point until it stops improving. The outer problem is non-convex and
// non-smooth, so V (and W) can differ from Synth's, which uses other
// optimisers; the pre-period fit they reach is comparable.
//
// With SynthOptions.Placebos every control is refitted as if treated (the
// in-space placebo of ADH 2010, §2.5 and Figure 4), with the other
// controls as its donors (the treated unit is left out), and the treated
// unit's post/pre RMSPE ratio is ranked among all of them.
//
// With SynthOptions.LeaveOneOut the fit is repeated once without each
// donor that has a positive weight, the robustness check of Abadie,
// Diamond & Hainmueller (2015, AJPS 59(2), 495–510: West Germany re-
// estimated leaving out one country of the synthetic control at a time),
// as R's Synth would be rerun on the reduced donor pool, with two
// differences that make the check about the donor alone: the predictors
// keep the scaling of the full fit, and the search for V also starts from
// the full fit's V (so a refit never fits the optimisation periods worse
// than that V does with the remaining donors). Dropping a donor of zero
// weight then leaves the fit as it was. A fixed SynthOptions.V is kept.
//
// Errors: *[SynthError] when p has more than one treated unit, fewer than
// 2 donors or 2 pre-treatment periods, a predictor
// names an unknown variable or a period range outside the pre-treatment
// periods, a unit has no value for a predictor, or a predictor does not
// vary across units.
func SynthControl(p *SynthPanel, opts SynthOptions) (*SynthResult, error) {
	N, T, N0, T0 := p.N(), p.T(), p.N0, p.T0
	e := &SynthError{}
	if N-N0 != 1 {
		e.add("", "", "", "classic synthetic control needs exactly one treated unit, have %d (use synthetic DID for several)", N-N0)
	}
	if N0 < 2 {
		e.add("", "", "", "need at least 2 donor units, have %d", N0)
	}
	if T0 < 2 {
		e.add("", "", "", "%d pre-treatment period: need at least 2 to fit a synthetic control", T0)
	}
	preds := opts.Predictors
	if preds == nil {
		for t := range T0 {
			preds = append(preds, SynthPredictor{From: p.Times[t], To: p.Times[t]})
		}
	}
	tIndex := func(v int) int {
		i, ok := slices.BinarySearch(p.Times, v)
		if !ok {
			return -1
		}
		return i
	}
	optLo, optHi := 0, T0-1
	if opts.OptimizeFrom != 0 || opts.OptimizeTo != 0 {
		optLo, optHi = tIndex(opts.OptimizeFrom), tIndex(opts.OptimizeTo)
		if optLo < 0 || optHi < 0 || optLo > optHi || optHi >= T0 {
			e.add("", "", "", "optimisation periods %d–%d are not pre-treatment periods of the panel (%d–%d)", opts.OptimizeFrom, opts.OptimizeTo, p.Times[0], p.Times[T0-1])
		}
	}
	if opts.V != nil && len(opts.V) != len(preds) {
		e.add("", "", "", "%d predictor weights V for %d predictors", len(opts.V), len(preds))
	}
	K := len(preds)
	if K == 0 {
		e.add("", "", "", "no predictors")
	}
	X := make([]float64, K*N) // row k: predictor k of every unit
	names := make([]string, K)
	for k, sp := range preds {
		names[k] = sp.label()
		src := p.Y
		if sp.Var != "" {
			var ok bool
			if src, ok = p.X[sp.Var]; !ok {
				e.add("", "", sp.Var, "predictor %s: no such covariate", names[k])
				continue
			}
		}
		lo, hi := tIndex(sp.From), tIndex(sp.To)
		if lo < 0 || hi < 0 || lo > hi || hi >= T0 {
			e.add("", "", sp.Var, "predictor %s: periods %d–%d are not pre-treatment periods of the panel (%d–%d)", names[k], sp.From, sp.To, p.Times[0], p.Times[T0-1])
			continue
		}
		for i := range N {
			var s float64
			n := 0
			for t := lo; t <= hi; t++ {
				if v := src[i*T+t]; !math.IsNaN(v) && !math.IsInf(v, 0) {
					s += v
					n++
				}
			}
			if n == 0 {
				e.add(p.Units[i], "", sp.Var, "predictor %s: no value in %d–%d", names[k], sp.From, sp.To)
				X[k*N+i] = math.NaN()
				continue
			}
			X[k*N+i] = s / float64(n)
		}
		if sdSample(X[k*N:(k+1)*N]) == 0 {
			e.add("", "", sp.Var, "predictor %s does not vary across units", names[k])
		}
	}
	if err := e.orNil(); err != nil {
		return nil, err
	}
	treated := N0
	donors := make([]int, N0)
	for i := range donors {
		donors[i] = i
	}
	prob := synthProblem{p: p, X: X, K: K, optLo: optLo, optHi: optHi}
	fit := prob.fit(treated, donors, synthFitSpec{fixedV: opts.V})
	r := &SynthResult{
		Unit: p.Units[treated], Donors: p.Units[:N0], W: fit.w, Predictors: names, V: fit.v,
		LossW: fit.lossW, LossV: fit.lossV, Times: p.Times, T0: T0,
		Treated: slices.Clone(p.Y[treated*T : (treated+1)*T]), Synthetic: fit.synth, Gap: fit.gap,
		PreRMSPE: fit.pre, PostRMSPE: fit.post, Ratio: fit.post / fit.pre, PValue: math.NaN(),
	}
	for k := range K {
		r.X1 = append(r.X1, X[k*N+treated])
		var s, m float64
		for j, i := range donors {
			s += fit.w[j] * X[k*N+i]
			m += X[k*N+i]
		}
		r.X0W = append(r.X0W, s)
		r.DonorMean = append(r.DonorMean, m/float64(N0))
	}
	for t := T0; t < T; t++ {
		r.Estimate += fit.gap[t]
	}
	r.Estimate /= float64(T - T0)
	if opts.LeaveOneOut {
		var drop []int
		for j, w := range fit.w {
			if w > 0 {
				drop = append(drop, j)
			}
		}
		r.LeaveOneOut = make([]SynthLeaveOut, len(drop))
		synthParallel(len(drop), opts.Workers, func(a int) {
			r.LeaveOneOut[a] = prob.leaveOut(treated, fit, drop[a], opts.V)
		})
	}
	if opts.Placebos {
		r.Placebos = prob.placebos(r, opts)
		for _, pl := range r.Placebos {
			if pl.Treated {
				r.Rank = pl.Rank
			}
		}
		atLeast := 0
		for _, pl := range r.Placebos {
			if pl.Ratio >= r.Ratio {
				atLeast++
			}
		}
		r.PValue = float64(atLeast) / float64(len(r.Placebos))
	}
	return r, nil
}

// synthProblem holds the predictors of every unit (row k of X: predictor k
// of units 0..N−1) and the optimisation window.
type synthProblem struct {
	p            *SynthPanel
	X            []float64
	K            int
	optLo, optHi int
}

type synthFit struct {
	w, v         []float64
	sd           []float64 // predictor scales used
	lossW, lossV float64
	synth, gap   []float64
	pre, post    float64
}

// synthFitSpec sets what one fit holds fixed: V (nil: chosen by the outer
// optimisation), an extra starting point for that optimisation (nil:
// Synth's two only), and the scales of the predictors (nil: the standard
// deviation of each over the treated unit and its donors, as Synth).
type synthFitSpec struct {
	fixedV, startV, sd []float64
}

// fit runs the nested optimisation for one treated unit and donor set.
func (s *synthProblem) fit(treated int, donors []int, spec synthFitSpec) synthFit {
	p, K, N, T := s.p, s.K, s.p.N(), s.p.T()
	J := len(donors)
	units := append(slices.Clone(donors), treated)
	// scale each predictor by its sd over these units (or spec.sd)
	x0 := make([]float64, K*J) // row-major K×J
	x1 := make([]float64, K)
	sds := make([]float64, K)
	buf := make([]float64, len(units))
	for k := range K {
		var sd float64
		if spec.sd != nil {
			sd = spec.sd[k]
		} else {
			for a, i := range units {
				buf[a] = s.X[k*N+i]
			}
			sd = sdSample(buf)
		}
		sds[k] = sd
		for j, i := range donors {
			x0[k*J+j] = s.X[k*N+i] / sd
		}
		x1[k] = s.X[k*N+treated] / sd
	}
	nOpt := s.optHi - s.optLo + 1
	z0 := make([]float64, nOpt*J) // row-major nOpt×J
	z1 := make([]float64, nOpt)
	for t := range nOpt {
		for j, i := range donors {
			z0[t*J+j] = p.Y[i*T+s.optLo+t]
		}
		z1[t] = p.Y[treated*T+s.optLo+t]
	}
	qp := newSimplexQP(x0, x1, K, J)
	// solveW returns the inner solution for predictor weights |v|/Σ|v| in
	// the QP's own buffer (valid until the next call) and its loss. It
	// allocates nothing: the outer optimisation calls it thousands of
	// times per fit.
	solveW := func(v []float64) ([]float64, float64) {
		var sv float64
		for _, x := range v {
			sv += math.Abs(x)
		}
		for k := range K {
			qp.v[k] = math.Abs(v[k]) / sv
		}
		w := qp.solve()
		var loss float64
		for k := range K {
			var d float64 = x1[k]
			for j := range J {
				d -= x0[k*J+j] * w[j]
			}
			loss += qp.v[k] * d * d
		}
		return w, loss
	}
	mspe := func(w []float64) float64 {
		var ss float64
		for t := range nOpt {
			d := z1[t]
			for j := range J {
				d -= z0[t*J+j] * w[j]
			}
			ss += d * d
		}
		return ss / float64(nOpt)
	}
	var v []float64
	if spec.fixedV != nil {
		v = slices.Clone(spec.fixedV)
	} else {
		v = s.chooseV(x0, x1, z0, z1, J, nOpt, spec.startV, func(v []float64) float64 {
			w, _ := solveW(v)
			return mspe(w)
		})
	}
	var sv float64
	for _, x := range v {
		sv += math.Abs(x)
	}
	for k := range v {
		v[k] = math.Abs(v[k]) / sv
	}
	qp.warm = false // the final solve does not depend on the search path
	w, lossW := solveW(v)
	w = slices.Clone(w)
	f := synthFit{w: w, v: v, sd: sds, lossW: lossW, lossV: mspe(w), synth: make([]float64, T), gap: make([]float64, T)}
	for t := range T {
		var y float64
		for j, i := range donors {
			y += w[j] * p.Y[i*T+t]
		}
		f.synth[t] = y
		f.gap[t] = p.Y[treated*T+t] - y
	}
	T0 := p.T0
	for t := range T {
		if t < T0 {
			f.pre += f.gap[t] * f.gap[t]
		} else {
			f.post += f.gap[t] * f.gap[t]
		}
	}
	f.pre = math.Sqrt(f.pre / float64(T0))
	f.post = math.Sqrt(f.post / float64(T-T0))
	return f
}

// chooseV minimises the outcome MSPE over predictor weights by
// Nelder–Mead from Synth's two starting points, restarting from the best
// point until a restart no longer improves it.
func (s *synthProblem) chooseV(x0, x1, z0, z1 []float64, J, nOpt int, extra []float64, obj func([]float64) float64) []float64 {
	K := s.K
	if K == 1 {
		return []float64{1}
	}
	starts := [][]float64{make([]float64, K)}
	for k := range K {
		starts[0][k] = 1 / float64(K)
	}
	if sv := regressionStart(x0, x1, z0, z1, K, J, nOpt); sv != nil {
		starts = append(starts, sv)
	}
	if extra != nil {
		starts = append(starts, slices.Clone(extra))
	}
	best, bestF := starts[0], math.Inf(1)
	minimize := func(x []float64) ([]float64, float64) {
		res, err := optimize.Minimize(optimize.Problem{Func: obj}, x, &optimize.Settings{
			FuncEvaluations: 6000,
			Converger:       &optimize.FunctionConverge{Absolute: 1e-10, Relative: 1e-10, Iterations: 100},
		}, &optimize.NelderMead{})
		if err != nil && res == nil {
			return x, obj(x)
		}
		return res.X, res.F
	}
	for _, x := range starts {
		if f := obj(x); f < bestF {
			best, bestF = x, f
		}
		if xo, f := minimize(x); f < bestF {
			best, bestF = xo, f
		}
	}
	for range 5 {
		xo, f := minimize(best)
		if !(f < bestF*(1-1e-10)) {
			break
		}
		best, bestF = xo, f
	}
	return best
}

// regressionStart is Synth's second starting value for V: the squared
// coefficients of regressing each optimisation-period outcome on the
// scaled predictors (with an intercept) across the J+1 units, summed over
// periods and normalised. nil if the regression is singular.
func regressionStart(x0, x1, z0, z1 []float64, K, J, nOpt int) []float64 {
	n := J + 1
	if n <= K+1 {
		return nil
	}
	xm := mat.NewDense(n, K+1, nil)
	zm := mat.NewDense(n, nOpt, nil)
	for a := range n {
		xm.Set(a, 0, 1)
		for k := range K {
			if a < J {
				xm.Set(a, k+1, x0[k*J+a])
			} else {
				xm.Set(a, k+1, x1[k])
			}
		}
		for t := range nOpt {
			if a < J {
				zm.Set(a, t, z0[t*J+a])
			} else {
				zm.Set(a, t, z1[t])
			}
		}
	}
	var beta mat.Dense
	if err := beta.Solve(xm, zm); err != nil {
		return nil
	}
	sv := make([]float64, K)
	var tot float64
	for k := range K {
		for t := range nOpt {
			b := beta.At(k+1, t)
			sv[k] += b * b
		}
		tot += sv[k]
	}
	if !(tot > 0) || math.IsInf(tot, 0) {
		return nil
	}
	for k := range sv {
		sv[k] /= tot
	}
	return sv
}

// postMean is the mean of gap over the post-treatment periods t ≥ T0.
func postMean(gap []float64, T0 int) float64 {
	var s float64
	for _, g := range gap[T0:] {
		s += g
	}
	return s / float64(len(gap)-T0)
}

// leaveOut refits the synthetic control of treated without donor drop (an
// index into the donors 0..N0−1), keeping the full fit's predictor scales
// and starting the V search also from its V (or keeping fixedV).
func (s *synthProblem) leaveOut(treated int, full synthFit, drop int, fixedV []float64) SynthLeaveOut {
	N0 := s.p.N0
	donors := make([]int, 0, N0-1)
	names := make([]string, 0, N0-1)
	for i := range N0 {
		if i != drop {
			donors = append(donors, i)
			names = append(names, s.p.Units[i])
		}
	}
	spec := synthFitSpec{sd: full.sd, fixedV: fixedV}
	if fixedV == nil {
		spec.startV = full.v
	}
	f := s.fit(treated, donors, spec)
	return SynthLeaveOut{
		Dropped: s.p.Units[drop], Donors: names, W: f.w, V: f.v, Synthetic: f.synth, Gap: f.gap,
		Estimate: postMean(f.gap, s.p.T0), PreRMSPE: f.pre, PostRMSPE: f.post, LossV: f.lossV,
	}
}

// synthParallel calls do(i) for i in 0..n−1 on up to workers goroutines
// (0: GOMAXPROCS), each taking every workers-th index, and returns when
// all are done.
func synthParallel(n, workers int, do func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				do(i)
			}
		}()
	}
	wg.Wait()
}

// placebos refits every donor as treated and ranks the RMSPE ratios.
func (s *synthProblem) placebos(r *SynthResult, opts SynthOptions) []SynthPlacebo {
	N0 := s.p.N0
	out := make([]SynthPlacebo, N0+1)
	out[0] = SynthPlacebo{Unit: r.Unit, Treated: true, Gap: r.Gap, PreRMSPE: r.PreRMSPE, PostRMSPE: r.PostRMSPE, Ratio: r.Ratio}
	synthParallel(N0, opts.Workers, func(u int) {
		donors := make([]int, 0, N0-1)
		for i := range N0 {
			if i != u {
				donors = append(donors, i)
			}
		}
		f := s.fit(u, donors, synthFitSpec{})
		out[u+1] = SynthPlacebo{Unit: s.p.Units[u], Gap: f.gap, PreRMSPE: f.pre, PostRMSPE: f.post, Ratio: f.post / f.pre}
	})
	for a := range out {
		rank := 1
		for b := range out {
			if out[b].Ratio > out[a].Ratio {
				rank++
			}
		}
		out[a].Rank = rank
	}
	return out
}

// simplexQP minimises the predictor loss (x1 − A w)ᵀ diag(v) (x1 − A w)
// over the unit simplex, that is ½ wᵀHw + cᵀw with H = Aᵀ diag(v) A and
// c = −Aᵀ diag(v) x1 (up to a factor 2 and a constant), by a primal
// active-set method. A is K×J (row-major: predictor k of donor j), set
// once; v is filled by the caller before each solve. H is never formed:
// an iteration needs only its block on the free set (K·m² for m free
// donors) and the gradient (K·J), not the J² entries a V evaluation of the
// outer search would otherwise rebuild. All scratch space is allocated
// once, so that repeated solves (one per evaluation of the outer
// optimisation) allocate nothing.
type simplexQP struct {
	J, K  int
	a, x1 []float64 // A (K×J) and the target (K)
	v     []float64 // predictor weights, set by the caller
	// per solve
	va, c, diag []float64 // v_k A_kj (K×J), c, diag(H)
	// scratch
	chol, ba, bb, g, wf, r []float64
	free                   []int
	inFree                 []bool
	w                      []float64 // the last solution: the result and the next warm start
	warm                   bool
}

func newSimplexQP(a, x1 []float64, K, J int) *simplexQP {
	return &simplexQP{J: J, K: K, a: a, x1: x1, v: make([]float64, K),
		va: make([]float64, K*J), c: make([]float64, J), diag: make([]float64, J),
		chol: make([]float64, J*J), ba: make([]float64, J), bb: make([]float64, J), g: make([]float64, J),
		wf: make([]float64, J), r: make([]float64, K), free: make([]int, 0, J), inFree: make([]bool, J),
		w: make([]float64, J)}
}

// solve returns the minimiser in the solver's own buffer, valid until the
// next call (callers copy what they keep). A ridge δ = 1e-10·mean(diag H)
// (at least 1e-300) makes the problem strictly convex.
func (q *simplexQP) solve() []float64 {
	J, K := q.J, q.K
	clear(q.c)
	clear(q.diag)
	for k := range K {
		row, vrow := q.a[k*J:(k+1)*J], q.va[k*J:(k+1)*J]
		vk, t := q.v[k], q.x1[k]
		for j := range J {
			vrow[j] = vk * row[j]
			q.c[j] -= vrow[j] * t
			q.diag[j] += vrow[j] * row[j]
		}
	}
	var tr float64
	for i := range J {
		tr += q.diag[i]
	}
	delta := max(1e-10*tr/float64(J), 1e-300)
	// Warm start from the previous solution (consecutive calls come from
	// nearby V), else from the best vertex.
	w := q.w
	free := q.free[:0]
	if q.warm {
		for i, x := range w {
			if x > 0 {
				free = append(free, i)
			}
		}
	} else {
		best, bestF := 0, math.Inf(1)
		for j := range J {
			if f := 0.5*(q.diag[j]+delta) + q.c[j]; f < bestF {
				best, bestF = j, f
			}
		}
		clear(w)
		w[best] = 1
		free = append(free, best)
	}
	wf := q.wf
	for iter := 0; iter < 50*J+100; iter++ {
		if !q.eqp(free, delta, wf) {
			// singular (cannot happen with the ridge): stop here
			break
		}
		// step toward wf, blocking at a bound
		alpha, block := 1.0, -1
		for a, i := range free {
			if wf[a] < 0 {
				if r := w[i] / (w[i] - wf[a]); r < alpha {
					alpha, block = r, a
				}
			}
		}
		for a, i := range free {
			w[i] += alpha * (wf[a] - w[i])
		}
		if block >= 0 {
			w[free[block]] = 0
			kept := free[:0]
			for _, i := range free {
				if w[i] > 0 {
					kept = append(kept, i)
				} else {
					w[i] = 0
				}
			}
			free = kept
			continue
		}
		// optimal on this face: check multipliers of the bound variables,
		// g = Aᵀ diag(v) (A w) + δw + c
		for k := range K {
			var s float64
			for _, j := range free {
				s += q.a[k*J+j] * w[j]
			}
			q.r[k] = s
		}
		for i := range J {
			q.g[i] = delta*w[i] + q.c[i]
		}
		for k := range K {
			rk, vrow := q.r[k], q.va[k*J:(k+1)*J]
			for i := range J {
				q.g[i] += vrow[i] * rk
			}
		}
		var mu float64
		for _, i := range free {
			mu += q.g[i]
		}
		mu /= float64(len(free))
		var scale float64
		for i := range J {
			scale = max(scale, math.Abs(q.g[i]))
		}
		clear(q.inFree)
		for _, i := range free {
			q.inFree[i] = true
		}
		enter, most := -1, -1e-13*max(scale, 1e-300)
		for i := range J {
			if w[i] == 0 && !q.inFree[i] {
				if l := q.g[i] - mu; l < most {
					enter, most = i, l
				}
			}
		}
		if enter < 0 {
			break
		}
		free = append(free, enter)
	}
	q.free = free
	var s float64
	for i := range w {
		w[i] = max(w[i], 0)
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	q.warm = true
	return w
}

// eqp solves min ½ wᵀ(H+δI)w + cᵀw subject to Σ w = 1 on the free set,
// writing the free weights to wf[:len(free)]. It reports false if the
// reduced matrix is not positive definite.
func (q *simplexQP) eqp(free []int, delta float64, wf []float64) bool {
	m, J := len(free), q.J
	L := q.chol[:m*m]
	// lower triangle of H on the free set: Σ_k v_k A_ki A_kj
	for a, i := range free {
		for b := 0; b <= a; b++ {
			j := free[b]
			var s float64
			for k := range q.K {
				s += q.va[k*J+i] * q.a[k*J+j]
			}
			L[a*m+b] = s
		}
		L[a*m+a] += delta
	}
	// Cholesky, lower triangle in place
	for j := range m {
		d := L[j*m+j]
		for k := range j {
			d -= L[j*m+k] * L[j*m+k]
		}
		if !(d > 0) {
			return false
		}
		d = math.Sqrt(d)
		L[j*m+j] = d
		for i := j + 1; i < m; i++ {
			s := L[i*m+j]
			for k := range j {
				s -= L[i*m+k] * L[j*m+k]
			}
			L[i*m+j] = s / d
		}
	}
	solve := func(x []float64) {
		for i := range m {
			s := x[i]
			for k := range i {
				s -= L[i*m+k] * x[k]
			}
			x[i] = s / L[i*m+i]
		}
		for i := m - 1; i >= 0; i-- {
			s := x[i]
			for k := i + 1; k < m; k++ {
				s -= L[k*m+i] * x[k]
			}
			x[i] = s / L[i*m+i]
		}
	}
	a, b := q.ba[:m], q.bb[:m]
	for k, i := range free {
		a[k] = 1
		b[k] = q.c[i]
	}
	solve(a)
	solve(b)
	var sa, sb float64
	for k := range m {
		sa += a[k]
		sb += b[k]
	}
	mu := (1 + sb) / sa
	for k := range m {
		wf[k] = mu*a[k] - b[k]
	}
	return true
}

// String summarises a result for logs.
func (r *SynthResult) String() string {
	return fmt.Sprintf("synthetic control of %s: estimate %.4g, pre-RMSPE %.4g, ratio %.4g", r.Unit, r.Estimate, r.PreRMSPE, r.Ratio)
}
