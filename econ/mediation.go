package econ

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// MediationSpec names the columns of a mechanism (mediation) analysis in
// the fixed-effects / DID setting: does the policy D move the outcome Y
// through the mediator M?
type MediationSpec struct {
	Outcome  string   // Y, numeric
	Treat    string   // D, numeric (0/1 treatment, or treat×post)
	Mediator string   // M, numeric
	Controls []string // numeric covariates X, in all three regressions
	FE       []string // fixed-effect columns, e.g. {"id", "year"}, in all three regressions
}

// Mediation is the stepwise (Baron & Kenny 1986) mediation analysis of
// [EstimateMediation]: three regressions on one sample with the same
// fixed effects, controls, weights and variance.
type Mediation struct {
	Total  *Result // Y = c·D + X'β + FE + e₁   (step 1, total effect)
	First  *Result // M = a·D + X'β + FE + e₂   (step 2, D → M)
	Direct *Result // Y = c'·D + b·M + X'β + FE + e₃ (step 3)

	C, A, B, CPrime Coef // c, a, b and c' with their inference

	// Indirect is a·b. With OLS on one sample, c = c' + a·b exactly.
	Indirect float64
	// Sobel (1982) and Aroian (1947) delta-method standard errors of a·b,
	// their z = a·b/SE and two-sided normal p-values:
	//
	//	SE_Sobel  = sqrt(b²s_a² + a²s_b²)
	//	SE_Aroian = sqrt(b²s_a² + a²s_b² + s_a²s_b²)
	SobelSE, SobelZ, SobelP    float64
	AroianSE, AroianZ, AroianP float64
	// Share is the proportion mediated a·b/c (NaN when c = 0); it is
	// outside [0, 1] when the direct and indirect effects differ in sign.
	Share float64
	NObs  int // observations in all three regressions
	// NMissing counts rows dropped because a variable of any of the three
	// regressions is missing, so that all three use the same rows.
	NMissing int
}

// EstimateMediation runs the three-step mediation analysis used in
// policy-evaluation papers (温忠麟、叶宝娟 2014, 心理科学进展 22(5): the
// stepwise test; Baron & Kenny 1986): the total effect c of D on Y, the
// effect a of D on the mediator M, and Y on D and M (c', b), each through
// [Estimate] with the same fixed effects, controls and opts (clustering,
// weights, small-sample correction), so every coefficient and SE equals
// fixest's feols of the same formula. The indirect effect is a·b with
// Sobel and Aroian standard errors (see [Mediation]); for a
// distribution-free interval use [BootstrapMediation].
//
// Identification caveat (江艇 2022, "因果推断经验研究中的中介效应与调节效应",
// 中国工业经济 2022(5): 100–120; also Imai, Keele & Tingley 2010): a
// credible DID identifies the effects of D on Y (c) and on M (a), but
// b — and hence a·b and the share mediated — is causal only if M is as
// good as randomly assigned given D, X and the fixed effects (sequential
// ignorability). M is itself an outcome of the policy, and anything that
// moves both M and Y biases b; the third regression is then descriptive.
// The recommended practice is to report the D → M regression (First, a)
// as evidence for the channel, argued to affect Y on theoretical or prior
// empirical grounds, rather than the a·b decomposition, and to test
// heterogeneity with an interaction of D with a pre-determined moderator
// ([EstimateModeration]).
//
// The mediator and controls must be plain numeric columns. Rows with a
// missing value in any variable of the three regressions are dropped
// before estimation (Mediation.NMissing). Errors from [Estimate] are
// returned wrapped with the step that failed; it is an error if D or M is
// dropped as collinear.
func EstimateMediation(data *Frame, spec MediationSpec, opts Options) (*Mediation, error) {
	f, nmiss, err := mediationFrame(data, spec.Outcome, spec.Treat, spec.Mediator, spec.Controls, spec.FE, opts)
	if err != nil {
		return nil, err
	}
	m := &Mediation{NMissing: nmiss}
	steps := []struct {
		dst  **Result
		lhs  string
		rhs  []string
		name string
	}{
		{&m.Total, spec.Outcome, []string{spec.Treat}, "total effect"},
		{&m.First, spec.Mediator, []string{spec.Treat}, "D → M"},
		{&m.Direct, spec.Outcome, []string{spec.Treat, spec.Mediator}, "Y on D and M"},
	}
	for _, s := range steps {
		r, err := Estimate(f, mediationFormula(s.lhs, append(s.rhs, spec.Controls...), spec.FE), opts)
		if err != nil {
			return nil, fmt.Errorf("econ: mediation (%s): %w", s.name, err)
		}
		*s.dst = r
	}
	get := func(r *Result, name, step string) (Coef, error) {
		c, ok := r.Coef(name)
		if !ok {
			return c, fmt.Errorf("econ: mediation (%s): %q was dropped as collinear with the fixed effects or controls", step, name)
		}
		return c, nil
	}
	var errs []error
	var e error
	m.C, e = get(m.Total, spec.Treat, "total effect")
	errs = append(errs, e)
	m.A, e = get(m.First, spec.Treat, "D → M")
	errs = append(errs, e)
	m.CPrime, e = get(m.Direct, spec.Treat, "Y on D and M")
	errs = append(errs, e)
	m.B, e = get(m.Direct, spec.Mediator, "Y on D and M")
	errs = append(errs, e)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	m.NObs = m.Total.NObs
	a, b, sa, sb := m.A.Estimate, m.B.Estimate, m.A.SE, m.B.SE
	m.Indirect = a * b
	m.SobelSE, m.AroianSE = SobelSE(a, sa, b, sb), AroianSE(a, sa, b, sb)
	m.SobelZ, m.SobelP = zTest(m.Indirect, m.SobelSE)
	m.AroianZ, m.AroianP = zTest(m.Indirect, m.AroianSE)
	m.Share = math.NaN()
	if m.C.Estimate != 0 {
		m.Share = m.Indirect / m.C.Estimate
	}
	return m, nil
}

// SobelSE returns the first-order delta-method standard error of the
// product a·b of two independent estimates with standard errors sa and
// sb (Sobel 1982, Sociological Methodology 13, 290–312):
//
//	SE = sqrt(b²·sa² + a²·sb²)
func SobelSE(a, sa, b, sb float64) float64 {
	return math.Sqrt(b*b*sa*sa + a*a*sb*sb)
}

// AroianSE returns the second-order (exact for independent normal
// estimates) standard error of a·b (Aroian 1947, Annals of Mathematical
// Statistics 18(2), 265–271; Baron & Kenny 1986, p. 1177):
//
//	SE = sqrt(b²·sa² + a²·sb² + sa²·sb²)
func AroianSE(a, sa, b, sb float64) float64 {
	return math.Sqrt(b*b*sa*sa + a*a*sb*sb + sa*sa*sb*sb)
}

func zTest(est, se float64) (z, p float64) {
	z = est / se
	return z, 2 * distuv.UnitNormal.Survival(math.Abs(z))
}

// mediationFormula writes lhs ~ rhs | fe with quoted names.
func mediationFormula(lhs string, rhs, fe []string) string {
	q := func(s []string) []string {
		out := make([]string, len(s))
		for j, v := range s {
			out[j] = quoteName(v)
		}
		return out
	}
	f := quoteName(lhs) + " ~ " + strings.Join(q(rhs), " + ")
	if len(fe) > 0 {
		f += " | " + strings.Join(q(fe), " + ")
	}
	return f
}

// mediationFrame returns the rows of data where every numeric variable is
// finite and every fixed-effect, cluster and weight value present, and
// the number of rows dropped.
func mediationFrame(data *Frame, y, d, m string, controls, fe []string, opts Options) (*Frame, int, error) {
	return mediationFrameVars(data, append([]string{y, d, m}, controls...), fe, opts)
}

// mediationFrameVars is mediationFrame for any list of numeric variables
// (empty names are skipped).
func mediationFrameVars(data *Frame, vars, fe []string, opts Options) (*Frame, int, error) {
	n := data.Len()
	keep := make([]bool, n)
	for i := range keep {
		keep[i] = true
	}
	var missing []string
	for _, name := range vars {
		if name == "" {
			continue
		}
		x, ok := data.Float(name)
		if !ok {
			missing = append(missing, fmt.Sprintf("%q (want a numeric column)", name))
			continue
		}
		for i, v := range x {
			keep[i] = keep[i] && isFinite(v)
		}
	}
	for _, name := range append(slices.Clone(fe), opts.Cluster...) {
		codes, _, ok := data.groups(name)
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", name))
			continue
		}
		for i, c := range codes {
			keep[i] = keep[i] && c >= 0
		}
	}
	if opts.Weights != "" {
		w, ok := data.Float(opts.Weights)
		if !ok {
			missing = append(missing, fmt.Sprintf("%q (weights)", opts.Weights))
		} else {
			for i, v := range w {
				keep[i] = keep[i] && isFinite(v) && v > 0
			}
		}
	}
	if len(missing) > 0 {
		return nil, 0, fmt.Errorf("econ: mediation: no column %s", strings.Join(missing, ", "))
	}
	rows := make([]int, 0, n)
	for i, k := range keep {
		if k {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return nil, n, &SampleError{N: 0, Msg: "mediation: no row has every variable"}
	}
	if len(rows) == n {
		f, err := frameRows(data, nil)
		return f, 0, err
	}
	f, err := frameRows(data, rows)
	return f, n - len(rows), err
}

// MediationBoot configures [BootstrapMediation].
type MediationBoot struct {
	Reps int    // bootstrap draws (default 999)
	Seed uint64 // PCG seed; draws are identical for any Workers/GOMAXPROCS
	// Workers bounds the goroutines (default GOMAXPROCS).
	Workers int
}

// MediationBootstrap is the cluster bootstrap distribution of a·b.
type MediationBootstrap struct {
	Indirect float64 // a·b on the original sample
	// SE is the standard deviation of the successful draws; CILow and
	// CIHigh are their (1∓Level)/2 quantiles (R's quantile type 7),
	// Options.Level (default 0.95).
	SE, CILow, CIHigh float64
	// P is the two-sided percentile p-value: twice the smaller count of
	// successful draws on either side of zero, plus one, over their number
	// plus one, capped at 1 (Davison & Hinkley 1997, eq. 4.11), so it is
	// never 0: with 999 draws on one side it is 0.002.
	P       float64
	Draws   []float64 // a·b of each draw in draw order; NaN for failed draws
	Reps    int
	Failed  int    // draws where D or M had no variation left
	Seed    uint64 // the seed used
	Cluster string // resampling unit: the cluster column, or "" for rows
	NGroups int    // number of clusters resampled
}

// BootstrapMediation draws a percentile confidence interval for the
// indirect effect a·b of [EstimateMediation] by the cluster (block)
// bootstrap (Cameron, Gelbach & Miller 2008; for a·b: Preacher & Hayes
// 2008, Behavior Research Methods 40(3)): each draw resamples the G
// clusters with replacement and re-estimates a (M on D) and b (Y on D and
// M) with the same fixed effects and controls.
//
// The resampling unit is opts.Cluster (one column), else the first
// fixed effect (fixest's default cluster), else the row. A cluster
// drawn k times enters with frequency weight k (times any opts.Weights):
// for fixed effects nested in the clusters this equals giving each copy
// its own fixed-effect level, and for crossed effects (periods) the
// copies share it, as in the usual pairs cluster bootstrap. Draw b uses
// the PCG stream (Seed, ⌊b/16⌋), so Draws do not depend on Workers.
func BootstrapMediation(data *Frame, spec MediationSpec, opts Options, boot MediationBoot) (*MediationBootstrap, error) {
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
	f, _, err := mediationFrame(data, spec.Outcome, spec.Treat, spec.Mediator, spec.Controls, spec.FE, opts)
	if err != nil {
		return nil, err
	}
	mb, err := newMedBoot(f, spec, opts)
	if err != nil {
		return nil, err
	}
	out := &MediationBootstrap{Reps: boot.Reps, Seed: boot.Seed, Cluster: mb.clName, NGroups: mb.ng}
	ones := make([]float64, mb.ng)
	for g := range ones {
		ones[g] = 1
	}
	ab, ok := mb.draw(ones, opts)
	if !ok {
		return nil, errors.New("econ: mediation bootstrap: D or M has no variation after the fixed effects")
	}
	out.Indirect = ab
	draws, failed := mb.run(boot, opts, 1, func(mult []float64, o Options, dst []float64) bool {
		v, ok := mb.draw(mult, o)
		dst[0] = v
		return ok
	})
	out.Draws, out.Failed = draws[0], failed
	sum, ok := bootSummary(out.Draws, opts.Level)
	if !ok {
		return nil, fmt.Errorf("econ: mediation bootstrap: %d of %d draws failed", out.Failed, boot.Reps)
	}
	out.SE, out.CILow, out.CIHigh, out.P = sum.SE, sum.CILow, sum.CIHigh, sum.P
	return out, nil
}

// run draws boot.Reps cluster-bootstrap samples and evaluates neff
// statistics on each with eval (which writes them to dst and reports
// whether the draw succeeded). It returns draws[e][r], NaN for failed
// draws, and the number of failed draws. Draw r uses the PCG stream
// (boot.Seed, ⌊r/16⌋), so the result does not depend on boot.Workers.
func (mb *medBoot) run(boot MediationBoot, opts Options, neff int, eval func(mult []float64, o Options, dst []float64) bool) ([][]float64, int) {
	draws := make([][]float64, neff)
	for e := range draws {
		draws[e] = make([]float64, boot.Reps)
	}
	const chunk = 16
	nchunk := (boot.Reps + chunk - 1) / chunk
	jobs := make(chan int)
	var wg sync.WaitGroup
	o := opts
	o.Workers = 1
	for range min(boot.Workers, nchunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mult := make([]float64, mb.ng)
			dst := make([]float64, neff)
			for c := range jobs {
				rng := rand.New(rand.NewPCG(boot.Seed, uint64(c)))
				for r := c * chunk; r < min((c+1)*chunk, boot.Reps); r++ {
					clear(mult)
					for range mb.ng {
						mult[rng.IntN(mb.ng)]++
					}
					ok := eval(mult, o, dst)
					for e := range neff {
						if ok {
							draws[e][r] = dst[e]
						} else {
							draws[e][r] = math.NaN()
						}
					}
				}
			}
		}()
	}
	for c := range nchunk {
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	failed := 0
	for _, v := range draws[0] {
		if math.IsNaN(v) {
			failed++
		}
	}
	return draws, failed
}

// bootStats summarises bootstrap draws of one statistic.
type bootStats struct{ SE, CILow, CIHigh, P float64 }

// bootSummary returns the standard deviation of the non-NaN draws, their
// (1∓level)/2 type-7 quantiles and the two-sided percentile p-value, with
// the +1 correction of Davison & Hinkley (1997, eq. 4.11) so that it is
// never 0 (B draws on one side give 2/(B+1), the smallest p the draws can
// show): p = min(1, 2(min(#{θ* ≤ 0}, #{θ* ≥ 0}) + 1)/(B + 1)); false with
// fewer than two good draws.
func bootSummary(draws []float64, level float64) (bootStats, bool) {
	good := make([]float64, 0, len(draws))
	for _, v := range draws {
		if !math.IsNaN(v) {
			good = append(good, v)
		}
	}
	if len(good) < 2 {
		return bootStats{}, false
	}
	slices.Sort(good)
	var s, ss float64
	for _, v := range good {
		s += v
	}
	mean := s / float64(len(good))
	var below, above int
	for _, v := range good {
		ss += (v - mean) * (v - mean)
		if v <= 0 {
			below++
		}
		if v >= 0 {
			above++
		}
	}
	return bootStats{
		SE:     math.Sqrt(ss / float64(len(good)-1)),
		CILow:  quantile7(good, (1-level)/2),
		CIHigh: quantile7(good, (1+level)/2),
		P:      min(1, 2*float64(min(below, above)+1)/float64(len(good)+1)),
	}, true
}

// quantile7 is R's default quantile (type 7) of sorted x:
// x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), h = (n−1)p (0-based).
func quantile7(x []float64, p float64) float64 {
	h := float64(len(x)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}

// medBoot holds the columns of one bootstrap problem: Y, D, M, X, the
// fixed-effect codes, the base weights and the cluster of each row.
type medBoot struct {
	cols   [][]float64 // Y, D, M_1..M_k, X...
	k      int         // number of mediators
	fe     [][]int32
	w      []float64 // nil for none
	cl     []int32
	ng     int
	clName string
}

func newMedBoot(f *Frame, spec MediationSpec, opts Options) (*medBoot, error) {
	return newMedBootVars(f, spec.Outcome, spec.Treat, []string{spec.Mediator}, spec.Controls, spec.FE, opts)
}

// newMedBootVars collects the columns of a (serial) mediation bootstrap
// with the mediators meds in causal order.
func newMedBootVars(f *Frame, y, d string, meds, controls, fe []string, opts Options) (*medBoot, error) {
	mb := &medBoot{k: len(meds)}
	vars := append(append([]string{y, d}, meds...), controls...)
	for _, name := range vars {
		x, _ := f.Float(name)
		mb.cols = append(mb.cols, x)
	}
	for _, name := range fe {
		codes, _, _ := f.groups(name)
		mb.fe = append(mb.fe, codes)
	}
	if opts.Weights != "" {
		mb.w, _ = f.Float(opts.Weights)
	}
	switch {
	case len(opts.Cluster) == 1:
		mb.clName = opts.Cluster[0]
	case len(fe) > 0:
		mb.clName = fe[0]
	}
	if mb.clName != "" {
		codes, labels, _ := f.groups(mb.clName)
		mb.cl, mb.ng = codes, len(labels)
	} else {
		mb.ng = f.Len()
		mb.cl = make([]int32, f.Len())
		for i := range mb.cl {
			mb.cl[i] = int32(i)
		}
	}
	return mb, nil
}

// draw returns a·b on the sample reweighted by the cluster multiplicities
// mult, or false if a regression is singular (one mediator).
func (mb *medBoot) draw(mult []float64, opts Options) (float64, bool) {
	a, _, b, ok := mb.fitPaths(mult, opts)
	if !ok {
		return 0, false
	}
	return a[0] * b[0], true
}

// fitPaths re-estimates the path coefficients on the sample reweighted by
// the cluster multiplicities mult: a_j and dd[j][l] (l < j) from M_j on D,
// M_1..M_{j−1}, X, and b_j from Y on D, M_1..M_k, X, all after the fixed
// effects; false if a regression is singular.
func (mb *medBoot) fitPaths(mult []float64, opts Options) (a []float64, dd [][]float64, b []float64, ok bool) {
	n := len(mb.cl)
	rows := make([]int, 0, n)
	for i := range n {
		if mult[mb.cl[i]] > 0 {
			rows = append(rows, i)
		}
	}
	m := len(rows)
	w := make([]float64, m)
	for a, i := range rows {
		w[a] = mult[mb.cl[i]]
		if mb.w != nil {
			w[a] *= mb.w[i]
		}
	}
	cols := make([][]float64, len(mb.cols))
	for j, x := range mb.cols {
		cols[j] = gather(x, rows)
	}
	if len(mb.fe) > 0 {
		codes := make([][]int32, len(mb.fe))
		ng := make([]int, len(mb.fe))
		for q, c := range mb.fe {
			codes[q], ng[q] = denseCodes(c, rows)
		}
		Demean(cols, cols, codes, ng, w, opts)
	} else {
		var sw float64
		for _, v := range w {
			sw += v
		}
		for _, x := range cols {
			mu := 0.0
			for a, v := range x {
				mu += w[a] * v
			}
			mu /= sw
			for a := range x {
				x[a] -= mu
			}
		}
	}
	k := mb.k
	y, d, meds, xs := cols[0], cols[1], cols[2:2+k], cols[2+k:]
	a, dd = make([]float64, k), make([][]float64, k)
	for j := range k {
		// a_j, d_j·: M_j on D, M_1..M_{j−1}, X.
		rhs := append(append([][]float64{d}, meds[:j]...), xs...)
		r, ok := wlsSmall(meds[j], rhs, w)
		if !ok {
			return nil, nil, nil, false
		}
		a[j], dd[j] = r[0], r[1:1+j]
	}
	// b: Y on D, M_1..M_k, X.
	r, ok := wlsSmall(y, append(append([][]float64{d}, meds...), xs...), w)
	if !ok {
		return nil, nil, nil, false
	}
	return a, dd, r[1 : 1+k], true
}

// wlsSmall solves the weighted normal equations of y on the columns x by
// Cholesky; false if they are singular (a pivot below 1e-10 of its
// diagonal).
func wlsSmall(y []float64, x [][]float64, w []float64) ([]float64, bool) {
	k := len(x)
	A := make([]float64, k*k)
	b := make([]float64, k)
	for r := range k {
		for c := 0; c <= r; c++ {
			var s float64
			for i, v := range x[r] {
				s += w[i] * v * x[c][i]
			}
			A[r*k+c] = s
		}
		var s float64
		for i, v := range x[r] {
			s += w[i] * v * y[i]
		}
		b[r] = s
	}
	L := make([]float64, k*k)
	for j := range k {
		s := A[j*k+j]
		for c := range j {
			s -= L[j*k+c] * L[j*k+c]
		}
		if !(s > 1e-10*A[j*k+j]) {
			return nil, false
		}
		L[j*k+j] = math.Sqrt(s)
		for r := j + 1; r < k; r++ {
			t := A[r*k+j]
			for c := range j {
				t -= L[r*k+c] * L[j*k+c]
			}
			L[r*k+j] = t / L[j*k+j]
		}
	}
	z := make([]float64, k)
	for j := range k {
		s := b[j]
		for c := range j {
			s -= L[j*k+c] * z[c]
		}
		z[j] = s / L[j*k+j]
	}
	for j := k - 1; j >= 0; j-- {
		s := z[j]
		for r := j + 1; r < k; r++ {
			s -= L[r*k+j] * z[r]
		}
		z[j] = s / L[j*k+j]
	}
	return z, true
}

// ModerationSpec names the columns of [EstimateModeration].
type ModerationSpec struct {
	Outcome   string   // Y
	Treat     string   // D
	Moderator string   // Z, ideally pre-determined (measured before the policy)
	Controls  []string // numeric covariates X
	FE        []string // fixed-effect columns
}

// Moderation is the interaction test of [EstimateModeration].
type Moderation struct {
	Model       *Result
	Treat       Coef  // β₁: effect of D where Z = 0
	Interaction Coef  // β₂: change in the effect of D per unit of Z (name "D:Z")
	Moderator   *Coef // β₃, nil when Z is absorbed by the fixed effects
}

// EstimateModeration estimates the heterogeneity of a policy effect by a
// pre-determined characteristic Z (江艇 2022, §4: the interaction design
// recommended in place of mediation steps when M is not exogenous):
//
//	Y = β₁·D + β₂·D×Z + β₃·Z + X'γ + FE + e
//
// through [Estimate] with opts, so it equals fixest's
// feols(Y ~ D + D:Z + Z + X | FE). A significant β₂ says the effect is
// larger where Z is larger, which supports a channel running through Z
// without requiring Z to be exogenous to Y. Z constant within a unit is
// absorbed by unit fixed effects (Moderator is then nil). It is an error
// if D or D×Z is dropped as collinear.
func EstimateModeration(data *Frame, spec ModerationSpec, opts Options) (*Moderation, error) {
	f, _, err := mediationFrame(data, spec.Outcome, spec.Treat, spec.Moderator, spec.Controls, spec.FE, opts)
	if err != nil {
		return nil, err
	}
	inter := quoteName(spec.Treat) + ":" + quoteName(spec.Moderator)
	fm := mediationFormula(spec.Outcome, append([]string{spec.Treat, spec.Moderator}, spec.Controls...), spec.FE)
	fm = strings.Replace(fm, " ~ "+quoteName(spec.Treat), " ~ "+quoteName(spec.Treat)+" + "+inter, 1)
	r, err := Estimate(f, fm, opts)
	if err != nil {
		return nil, fmt.Errorf("econ: moderation: %w", err)
	}
	m := &Moderation{Model: r}
	var ok bool
	if m.Treat, ok = r.Coef(spec.Treat); !ok {
		return nil, fmt.Errorf("econ: moderation: %q was dropped as collinear", spec.Treat)
	}
	if m.Interaction, ok = r.Coef(spec.Treat + ":" + spec.Moderator); !ok {
		return nil, fmt.Errorf("econ: moderation: %s:%s was dropped as collinear", spec.Treat, spec.Moderator)
	}
	if c, ok := r.Coef(spec.Moderator); ok {
		m.Moderator = &c
	}
	return m, nil
}
