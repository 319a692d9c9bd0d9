package econ

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
)

// SerialMediationSpec names the columns of a serial (chained) mediation
// analysis D → M_1 → M_2 → … → Y in the fixed-effects / DID setting.
type SerialMediationSpec struct {
	Outcome string // Y, numeric
	Treat   string // D, numeric (0/1 treatment, or treat×post)
	// Mediators are M_1, …, M_k in causal order: each may affect the later
	// ones. One mediator gives the model of [EstimateMediation].
	Mediators []string
	Controls  []string // numeric covariates X, in every regression
	FE        []string // fixed-effect columns, in every regression
}

// IndirectEffect is one indirect effect of a serial mediation model with
// its first-order delta-method (multivariate Sobel) inference.
type IndirectEffect struct {
	// Name spells the path, e.g. "d → m1 → m2 → y", or "total indirect".
	Name string
	// Path lists the indices into SerialMediationSpec.Mediators that the
	// effect runs through, in order; nil for the total indirect effect.
	Path     []int
	Estimate float64
	// SE is sqrt(gᵀ Σ g), g the gradient of the effect in the path
	// coefficients and Σ their block-diagonal covariance (see
	// [EstimateSerialMediation]); Z = Estimate/SE, P its two-sided normal
	// p-value.
	SE, Z, P float64
}

// SerialMediation is the result of [EstimateSerialMediation]: k + 2
// regressions on one sample with the same fixed effects, controls,
// weights and variance.
type SerialMediation struct {
	Total *Result // Y = c·D + X'β + FE
	// Steps[j] is M_{j+1} = a_{j+1}·D + Σ_{l≤j} d_{j+1,l} M_l + X'β + FE.
	Steps  []*Result
	Direct *Result // Y = c'·D + Σ_j b_j M_j + X'β + FE

	C, CPrime Coef
	A         []Coef   // A[j] = a_{j+1}, the effect of D on M_{j+1}
	B         []Coef   // B[j] = b_{j+1}, the effect of M_{j+1} on Y given D and the other mediators
	D         [][]Coef // D[j][l] = d_{j+1,l+1} (l < j), the effect of M_{l+1} on M_{j+1}

	// Paths holds the specific indirect effects, one per non-empty
	// ordered subset of the mediators, in the order of Hayes's PROCESS
	// (for k = 2: D→M1→Y, D→M1→M2→Y, D→M2→Y); TotalIndirect is their sum.
	// With OLS on one sample c = c' + TotalIndirect exactly.
	Paths         []IndirectEffect
	TotalIndirect IndirectEffect

	NObs     int // observations in every regression
	NMissing int // rows dropped because a variable of any regression is missing
}

// EstimateSerialMediation estimates the serial multiple-mediator model of
// Hayes (2013, Introduction to Mediation, Moderation, and Conditional
// Process Analysis, ch. 5; PROCESS model 6) with fixed effects, each
// regression through [Estimate] with the same fixed effects, controls and
// opts, so each equals fixest's feols of the same formula:
//
//	M_1 = a_1 D + X'β + FE
//	M_j = a_j D + Σ_{l<j} d_jl M_l + X'β + FE          (j = 2..k)
//	Y   = c' D + Σ_j b_j M_j + X'β + FE
//	Y   = c D + X'β + FE                                (total effect)
//
// For two mediators the specific indirect effects are a_1 b_1, a_1 d_21 b_2
// and a_2 b_2; in general the effect through the ordered mediators
// j_1 < … < j_m is a_{j_1} d_{j_2 j_1} ⋯ d_{j_m j_{m−1}} b_{j_m}.
//
// Standard errors are first-order delta-method (multivariate Sobel 1982)
// ones, Var = gᵀ Σ g with g the gradient of the effect in the path
// coefficients and Σ block diagonal: within each regression the
// coefficients' covariance from that regression's variance (clustered as
// opts asks), across regressions zero, as in Sobel (1982) and Hayes (2013,
// §5.3). The zero cross-equation covariance is an approximation (the
// equations share the sample); for inference on products prefer the
// percentile interval of [BootstrapSerialMediation], which resamples the
// whole system. With one mediator this is [EstimateMediation]: the same
// three regressions, and the SE of a·b is Sobel's.
//
// The identification caveat of [EstimateMediation] applies to every b_j
// and d_jl (江艇 2022): only the effects of D (c, a_j) are causal under a
// credible DID design.
//
// Rows with a missing value in any variable of the regressions are
// dropped first. It is an error if D or a mediator is dropped as
// collinear, or if a mediator is listed twice or equals Y or D.
func EstimateSerialMediation(data *Frame, spec SerialMediationSpec, opts Options) (*SerialMediation, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	k := len(spec.Mediators)
	vars := append(append([]string{spec.Outcome, spec.Treat}, spec.Mediators...), spec.Controls...)
	f, nmiss, err := mediationFrameVars(data, vars, spec.FE, opts)
	if err != nil {
		return nil, err
	}
	m := &SerialMediation{NMissing: nmiss, Steps: make([]*Result, k)}
	est := func(lhs string, rhs []string, step string) (*Result, error) {
		r, err := Estimate(f, mediationFormula(lhs, append(rhs, spec.Controls...), spec.FE), opts)
		if err != nil {
			return nil, fmt.Errorf("econ: serial mediation (%s): %w", step, err)
		}
		return r, nil
	}
	if m.Total, err = est(spec.Outcome, []string{spec.Treat}, "total effect"); err != nil {
		return nil, err
	}
	for j := range k {
		rhs := append([]string{spec.Treat}, spec.Mediators[:j]...)
		if m.Steps[j], err = est(spec.Mediators[j], rhs, "D → "+spec.Mediators[j]); err != nil {
			return nil, err
		}
	}
	if m.Direct, err = est(spec.Outcome, append([]string{spec.Treat}, spec.Mediators...), "Y on D and the mediators"); err != nil {
		return nil, err
	}

	// Coefficients, and for each its regression and index there.
	type loc struct {
		r *Result
		i int
	}
	var errs []error
	get := func(r *Result, name, step string) (Coef, loc) {
		for i, c := range r.Coefs {
			if c.Name == name {
				return c, loc{r, i}
			}
		}
		errs = append(errs, fmt.Errorf("econ: serial mediation (%s): %q was dropped as collinear with the fixed effects or controls", step, name))
		return Coef{}, loc{}
	}
	m.C, _ = get(m.Total, spec.Treat, "total effect")
	m.CPrime, _ = get(m.Direct, spec.Treat, "Y on D and the mediators")
	m.A, m.B, m.D = make([]Coef, k), make([]Coef, k), make([][]Coef, k)
	aLoc, bLoc, dLoc := make([]loc, k), make([]loc, k), make([][]loc, k)
	for j, mj := range spec.Mediators {
		m.A[j], aLoc[j] = get(m.Steps[j], spec.Treat, "D → "+mj)
		m.B[j], bLoc[j] = get(m.Direct, mj, "Y on D and the mediators")
		m.D[j], dLoc[j] = make([]Coef, j), make([]loc, j)
		for l := range j {
			m.D[j][l], dLoc[j][l] = get(m.Steps[j], spec.Mediators[l], "D → "+mj)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	m.NObs = m.Total.NObs

	// Delta method: each effect is a product of coefficients; its gradient
	// is accumulated per regression and per coefficient index.
	type grad map[*Result]map[int]float64
	add := func(g grad, at loc, v float64) {
		if g[at.r] == nil {
			g[at.r] = map[int]float64{}
		}
		g[at.r][at.i] += v
	}
	variance := func(g grad) float64 {
		var v float64
		for r, gi := range g {
			for i, x := range gi {
				for j, y := range gi {
					v += x * r.VCov[i][j] * y
				}
			}
		}
		return v
	}
	total := grad{}
	var totalEst float64
	for _, path := range serialPaths(k) {
		factors := []float64{m.A[path[0]].Estimate}
		locs := []loc{aLoc[path[0]]}
		for s := 1; s < len(path); s++ {
			factors = append(factors, m.D[path[s]][path[s-1]].Estimate)
			locs = append(locs, dLoc[path[s]][path[s-1]])
		}
		last := path[len(path)-1]
		factors = append(factors, m.B[last].Estimate)
		locs = append(locs, bLoc[last])
		prod := 1.0
		for _, v := range factors {
			prod *= v
		}
		g := grad{}
		for q := range factors {
			partial := 1.0 // product of the other factors
			for p, v := range factors {
				if p != q {
					partial *= v
				}
			}
			add(g, locs[q], partial)
			add(total, locs[q], partial)
		}
		names := []string{spec.Treat}
		for _, j := range path {
			names = append(names, spec.Mediators[j])
		}
		e := IndirectEffect{Name: strings.Join(append(names, spec.Outcome), " → "), Path: path, Estimate: prod}
		e.SE = sqrtPos(variance(g))
		e.Z, e.P = zTest(e.Estimate, e.SE)
		m.Paths = append(m.Paths, e)
		totalEst += prod
	}
	m.TotalIndirect = IndirectEffect{Name: "total indirect", Estimate: totalEst, SE: sqrtPos(variance(total))}
	m.TotalIndirect.Z, m.TotalIndirect.P = zTest(totalEst, m.TotalIndirect.SE)
	return m, nil
}

func sqrtPos(v float64) float64 {
	if v < 0 {
		v = 0
	}
	return math.Sqrt(v)
}

// serialPaths lists the non-empty ordered subsets of 0..k−1 in PROCESS's
// order: depth first from the earliest mediator, a path before its
// extensions ({0}, {0,1}, {0,1,2}, {0,2}, {1}, {1,2}, {2} for k = 3).
func serialPaths(k int) [][]int {
	var out [][]int
	var walk func(prefix []int, next int)
	walk = func(prefix []int, next int) {
		for j := next; j < k; j++ {
			p := append(append([]int(nil), prefix...), j)
			out = append(out, p)
			walk(p, j+1)
		}
	}
	walk(nil, 0)
	return out
}

func (spec SerialMediationSpec) check() error {
	if len(spec.Mediators) == 0 {
		return errors.New("econ: serial mediation: no mediator")
	}
	seen := map[string]bool{spec.Outcome: true, spec.Treat: true}
	for _, m := range spec.Mediators {
		if m == "" {
			return errors.New("econ: serial mediation: empty mediator name")
		}
		if seen[m] {
			return fmt.Errorf("econ: serial mediation: %q is listed twice among the outcome, treatment and mediators", m)
		}
		seen[m] = true
	}
	return nil
}

// SerialMediationBootstrap is the cluster bootstrap of the indirect
// effects of a serial mediation model.
type SerialMediationBootstrap struct {
	// Effects are the specific indirect effects in the order of
	// SerialMediation.Paths, then the total indirect effect.
	Effects []IndirectBoot
	// Draws[e][r] is effect e in draw r, NaN for failed draws.
	Draws   [][]float64
	Reps    int
	Failed  int    // draws where a regression was singular
	Seed    uint64 // the seed used
	Cluster string // resampling unit: the cluster column, or "" for rows
	NGroups int    // number of clusters resampled
}

// IndirectBoot is the bootstrap summary of one indirect effect: its value
// on the original sample, the standard deviation of the draws, the
// percentile interval at Options.Level (R's quantile type 7) and the
// two-sided percentile p-value (as [MediationBootstrap]).
type IndirectBoot struct {
	Name                 string
	Path                 []int // nil for the total indirect effect
	Estimate             float64
	SE, CILow, CIHigh, P float64
}

// BootstrapSerialMediation draws percentile confidence intervals for the
// indirect effects of [EstimateSerialMediation] by the cluster bootstrap
// of [BootstrapMediation] (same resampling unit, frequency weights and
// PCG streams (Seed, ⌊r/16⌋), so draws do not depend on Workers or
// GOMAXPROCS): each draw re-estimates a_j, d_jl and b_j and forms every
// path product and their sum. With one mediator its draws equal
// BootstrapMediation's.
func BootstrapSerialMediation(data *Frame, spec SerialMediationSpec, opts Options, boot MediationBoot) (*SerialMediationBootstrap, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	opts.defaults()
	if boot.Reps <= 0 {
		boot.Reps = 999
	}
	if boot.Workers <= 0 {
		boot.Workers = runtime.GOMAXPROCS(0)
	}
	if len(opts.Cluster) > 1 {
		return nil, errors.New("econ: mediation bootstrap resamples one cluster variable, not several")
	}
	vars := append(append([]string{spec.Outcome, spec.Treat}, spec.Mediators...), spec.Controls...)
	f, _, err := mediationFrameVars(data, vars, spec.FE, opts)
	if err != nil {
		return nil, err
	}
	mb, err := newMedBootVars(f, spec.Outcome, spec.Treat, spec.Mediators, spec.Controls, spec.FE, opts)
	if err != nil {
		return nil, err
	}
	k := len(spec.Mediators)
	paths := serialPaths(k)
	neff := len(paths) + 1
	eval := func(mult []float64, o Options, dst []float64) bool {
		a, dd, b, ok := mb.fitPaths(mult, o)
		if !ok {
			return false
		}
		var tot float64
		for e, p := range paths {
			v := a[p[0]]
			for s := 1; s < len(p); s++ {
				v *= dd[p[s]][p[s-1]]
			}
			v *= b[p[len(p)-1]]
			dst[e] = v
			tot += v
		}
		dst[neff-1] = tot
		return true
	}
	ones := make([]float64, mb.ng)
	for g := range ones {
		ones[g] = 1
	}
	orig := make([]float64, neff)
	if !eval(ones, opts, orig) {
		return nil, errors.New("econ: mediation bootstrap: D or a mediator has no variation after the fixed effects")
	}
	out := &SerialMediationBootstrap{Reps: boot.Reps, Seed: boot.Seed, Cluster: mb.clName, NGroups: mb.ng}
	out.Draws, out.Failed = mb.run(boot, opts, neff, eval)
	for e := range neff {
		ib := IndirectBoot{Name: "total indirect", Estimate: orig[e]}
		if e < len(paths) {
			names := []string{spec.Treat}
			for _, j := range paths[e] {
				names = append(names, spec.Mediators[j])
			}
			ib.Name, ib.Path = strings.Join(append(names, spec.Outcome), " → "), paths[e]
		}
		s, ok := bootSummary(out.Draws[e], opts.Level)
		if !ok {
			return nil, fmt.Errorf("econ: mediation bootstrap: %d of %d draws failed", out.Failed, boot.Reps)
		}
		ib.SE, ib.CILow, ib.CIHigh, ib.P = s.SE, s.CILow, s.CIHigh, s.P
		out.Effects = append(out.Effects, ib)
	}
	return out, nil
}
