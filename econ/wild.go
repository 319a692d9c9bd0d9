package econ

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"gonum.org/v1/gonum/mat"
)

// WildWeights selects the distribution of the wild bootstrap weights v_g.
type WildWeights int

const (
	// Rademacher: ±1 with probability 1/2 each. With G clusters and
	// 2^G ≤ Reps every sign vector is enumerated once instead (as
	// fwildclusterboot and boottest do), which makes the p-value exact
	// and free of simulation noise.
	Rademacher WildWeights = iota
	// Webb: ±√(3/2), ±1, ±√(1/2) with probability 1/6 each (Webb 2023),
	// better than Rademacher with fewer than about 12 clusters.
	Webb
)

func (w WildWeights) String() string {
	if w == Webb {
		return "webb"
	}
	return "rademacher"
}

// WildOptions control [WildBootstrap].
type WildOptions struct {
	Reps    int         // bootstrap draws B (default 9999)
	Weights WildWeights // default Rademacher
	Seed    uint64      // PCG seed; output is identical for any Workers
	Null    float64     // hypothesised value r of the coefficient (H0: β = r)
	// Level of the confidence interval found by test inversion (default
	// 0.95); NoCI skips it.
	Level float64
	NoCI  bool
	// Workers bounds the goroutines drawing (default GOMAXPROCS).
	Workers int
}

// WildResult is a restricted wild cluster bootstrap test of one
// coefficient.
type WildResult struct {
	Coef     string
	Estimate float64
	SE       float64 // cluster-robust (CR1, the small-sample factor of opts.SSC)
	T        float64 // (Estimate − Null)/SE
	Null     float64
	// P is the two-sided bootstrap p-value, the share of draws with
	// |t*| > |t| (fwildclusterboot's "two-tailed"). Draws with |t*| equal
	// to |t| up to a relative 1e-10 count as not larger: the sign vectors
	// ±(1, …, 1) reproduce the sample exactly, and rounding must not
	// decide whether they count.
	P              float64
	CILow, CIHigh  float64 // NaN when NoCI or when no bound was found
	Level          float64
	Reps           int  // draws used (2^G when enumerated)
	Enumerated     bool // every Rademacher sign vector used once
	Seed           uint64
	Weights        string
	Clusters       int
	NObs           int
	ClusterName    string
	FixedEffects   []string
	SmallSampleAdj float64 // the factor c in V = c · Σ_g s_g²
}

// wildTieTol is the relative margin by which |t*| must exceed |t|.
const wildTieTol = 1e-10

// wildChunk is the number of draws per parallel chunk; each chunk has its
// own PCG stream (Seed, chunk), so results do not depend on Workers.
const wildChunk = 512

// WildBootstrap tests H0: β_coef = wo.Null in the model d by the wild
// cluster bootstrap with the null imposed (WCR; Cameron, Gelbach & Miller
// 2008), computed with the algebra of Roodman, MacKinnon, Nielsen & Webb
// (2019, "Fast and wild", §3), and inverts the test for a confidence
// interval. Clusters are d.Cluster (one way), else the first fixed effect.
// Fixed effects are projected out first (Frisch–Waugh–Lovell), as
// boottest and fwildclusterboot do; observation weights are not supported.
//
// With X̃, ỹ the demeaned data, A = (X̃'X̃)⁻¹, a_j its row for the tested
// coefficient and, for a hypothesised value r, the restricted residuals
// ü(r) = M₋ⱼ(ỹ − r x̃_j) = ü₀ − r m:
//
//	S_g(r) = X̃_g'ü_g(r),   β*_j − r = a_j'Σ_g v_g S_g(r)
//	s*_g   = v_g a_j'S_g(r) − q_g'Σ_h v_h S_h(r),   q_g = A X̃_g'X̃_g a_j
//	t*     = (β*_j − r) / √(c Σ_g s*_g²),   c = G/(G−1)·(n−1)/(n−K)
//
// Each draw costs O(G·k), and because numerator and the s*_g are linear in
// r, each draw is stored as five numbers that give t*(r) for any r: the
// confidence interval {r : p(r) > 1 − level} is then found by bisection
// without redrawing (Roodman et al. 2019, §3.5).
func WildBootstrap(d *Design, coef string, opts Options, wo WildOptions) (*WildResult, error) {
	if d.Weights != nil {
		return nil, errors.New("econ: wild bootstrap with observation weights is not supported")
	}
	if len(d.Slopes) > 0 {
		return nil, errors.New("econ: wild bootstrap with varying slopes is not supported")
	}
	if len(d.Cluster) > 1 {
		return nil, errors.New("econ: wild bootstrap supports one-way clustering only")
	}
	if wo.Reps <= 0 {
		wo.Reps = 9999
	}
	if wo.Level <= 0 || wo.Level >= 1 {
		wo.Level = 0.95
	}
	if wo.Workers <= 0 {
		wo.Workers = runtime.GOMAXPROCS(0)
	}
	fopts := opts
	fopts.VCov = VCovCluster
	res, err := Fit(d, fopts)
	if err != nil {
		return nil, err
	}
	j := -1
	for a, c := range res.Coefs {
		if c.Name == coef {
			j = a
		}
	}
	if j < 0 {
		return nil, fmt.Errorf("econ: wild bootstrap: no coefficient %q in the fitted model", coef)
	}
	// Rebuild the demeaned sample (kept regressors only).
	rows := res.Rows
	m := len(rows)
	kept := make([]int, 0, len(res.Coefs))
	for _, c := range res.Coefs {
		for jj, nm := range d.XNames {
			if nm == c.Name {
				kept = append(kept, jj)
			}
		}
	}
	cols := [][]float64{gather(d.Y, rows)}
	for _, jj := range kept {
		cols = append(cols, gather(d.X[jj], rows))
	}
	if len(d.FE) > 0 {
		codes := make([][]int32, len(d.FE))
		ng := make([]int, len(d.FE))
		for q, c := range d.FE {
			codes[q], ng[q] = denseCodes(c, rows)
		}
		dm := make([][]float64, len(cols))
		for a := range dm {
			dm[a] = make([]float64, m)
		}
		Demean(dm, cols, codes, ng, nil, opts)
		cols = dm
	} else if res.Coefs[0].Name == "(Intercept)" {
		one := make([]float64, m)
		for i := range one {
			one[i] = 1
		}
		cols = append([][]float64{cols[0], one}, cols[1:]...)
	}
	y, X := cols[0], cols[1:]
	k := len(X)
	if k != len(res.Coefs) {
		return nil, errors.New("econ: wild bootstrap: regressors and coefficients differ (internal)")
	}
	var clu []int32
	var clName string
	if len(d.Cluster) == 1 {
		clu = gatherCodes(d.Cluster[0], rows)
		clName = d.ClusterNames[0]
	} else if len(d.FE) > 0 {
		clu = gatherCodes(d.FE[0], rows)
		clName = d.FENames[0]
	} else {
		return nil, errors.New("econ: wild bootstrap needs a cluster variable or a fixed effect")
	}
	clu, G := denseCodes(clu, seq(m))
	if G < 2 {
		return nil, fmt.Errorf("econ: wild bootstrap needs at least 2 clusters, found %d", G)
	}

	// A = (X'X)⁻¹ and a_j.
	xtx := mat.NewSymDense(k, nil)
	for a := range k {
		for b := a; b < k; b++ {
			xtx.SetSym(a, b, dotExact(X[a], X[b]))
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(xtx) {
		return nil, &CollinearError{Dropped: []string{"X'X is not positive definite"}}
	}
	var Ad mat.SymDense
	if err := ch.InverseTo(&Ad); err != nil {
		return nil, err
	}
	aj := make([]float64, k)
	for b := range k {
		aj[b] = Ad.At(j, b)
	}
	// Unrestricted fit for β̂ and the original t (CR1).
	beta := make([]float64, k)
	xty := make([]float64, k)
	for a := range k {
		xty[a] = dotExact(X[a], y)
	}
	for a := range k {
		for b := range k {
			beta[a] += Ad.At(a, b) * xty[b]
		}
	}
	ehat := make([]float64, m)
	residualExact(ehat, y, X, beta)
	K := res.K
	c := float64(G) / float64(G-1) * float64(m-1) / float64(m-K)
	if opts.SSC.NoClusterAdj {
		c = float64(m-1) / float64(m-K)
	}
	if opts.SSC.NoAdj {
		c /= float64(m-1) / float64(m-K)
	}
	// Per-cluster X_g'X_g a_j and X_g'ê_g.
	xgxa := make([]float64, G*k) // X_g'X_g a_j
	for i, g := range clu {
		var xa float64
		for b := range k {
			xa += X[b][i] * aj[b]
		}
		for a := range k {
			xgxa[int(g)*k+a] += X[a][i] * xa
		}
	}
	var v0 float64
	{
		sg := make([]float64, G)
		for i, g := range clu {
			var xa float64
			for b := range k {
				xa += X[b][i] * aj[b]
			}
			sg[g] += xa * ehat[i]
		}
		for _, s := range sg {
			v0 += s * s
		}
	}
	se := math.Sqrt(c * v0)
	out := &WildResult{Coef: coef, Estimate: beta[j], SE: se, Null: wo.Null, Level: wo.Level,
		Seed: wo.Seed, Weights: wo.Weights.String(), Clusters: G, NObs: m, ClusterName: clName,
		FixedEffects: res.FENames, SmallSampleAdj: c}
	out.T = (beta[j] - wo.Null) / se

	// Restricted pieces: ü₀ = M₋ⱼ ỹ and m = M₋ⱼ x̃_j.
	others := make([][]float64, 0, k-1)
	for a := range k {
		if a != j {
			others = append(others, X[a])
		}
	}
	u0 := residualOn(y, others)
	mj := residualOn(X[j], others)
	// S⁰_g, S¹_g (k-vectors) and c⁰_g = a_j·S⁰_g, c¹_g; q_g = A X_g'X_g a_j.
	S0 := make([]float64, G*k)
	S1 := make([]float64, G*k)
	for a := range k {
		x := X[a]
		for i, g := range clu {
			S0[int(g)*k+a] += x[i] * u0[i]
			S1[int(g)*k+a] += x[i] * mj[i]
		}
	}
	c0 := make([]float64, G)
	c1 := make([]float64, G)
	q := make([]float64, G*k)
	for g := range G {
		for a := range k {
			c0[g] += aj[a] * S0[g*k+a]
			c1[g] += aj[a] * S1[g*k+a]
			for b := range k {
				q[g*k+a] += Ad.At(a, b) * xgxa[g*k+b]
			}
		}
	}

	// Draws.
	B := wo.Reps
	enum := wo.Weights == Rademacher && G < 31 && 1<<G <= B
	if enum {
		B = 1 << G
	}
	out.Reps, out.Enumerated = B, enum
	draws := make([]float64, 5*B) // N0, N1, A, B, C per draw
	nch := (B + wildChunk - 1) / wildChunk
	forChunks(nch, wo.Workers, func(ch int) {
		rng := rand.New(rand.NewPCG(wo.Seed, uint64(ch)))
		v := make([]float64, G)
		w0 := make([]float64, k)
		w1 := make([]float64, k)
		for b := ch * wildChunk; b < min((ch+1)*wildChunk, B); b++ {
			drawWeights(v, rng, wo.Weights, enum, b)
			clear(w0)
			clear(w1)
			var n0, n1 float64
			for g := range G {
				n0 += v[g] * c0[g]
				n1 += v[g] * c1[g]
				for a := range k {
					w0[a] += v[g] * S0[g*k+a]
					w1[a] += v[g] * S1[g*k+a]
				}
			}
			var sa, sb, sc float64
			for g := range G {
				p, r := v[g]*c0[g], v[g]*c1[g]
				for a := range k {
					p -= q[g*k+a] * w0[a]
					r -= q[g*k+a] * w1[a]
				}
				sa += p * p
				sb += p * r
				sc += r * r
			}
			copy(draws[5*b:], []float64{n0, n1, sa, sb, sc})
		}
	})
	pAt := func(r float64) float64 {
		t := math.Abs((beta[j] - r) / se)
		cnt := 0
		for b := range B {
			d := draws[5*b : 5*b+5]
			num := d[0] - r*d[1]
			v := c * (d[2] - 2*r*d[3] + r*r*d[4])
			if v > 0 && math.Abs(num)/math.Sqrt(v) > t*(1+wildTieTol) {
				cnt++
			}
		}
		return float64(cnt) / float64(B)
	}
	// The draws were made under H0: β = Null; for another r the restricted
	// residuals change linearly, which the stored coefficients capture.
	out.P = pAt(wo.Null)
	out.CILow, out.CIHigh = math.NaN(), math.NaN()
	if !wo.NoCI {
		alpha := 1 - wo.Level
		out.CILow = invertWild(pAt, beta[j], -se, alpha)
		out.CIHigh = invertWild(pAt, beta[j], se, alpha)
	}
	return out, nil
}

// invertWild finds, moving from est in steps of dir, the point where the
// bootstrap p-value falls to alpha or below, and bisects to it: the bound
// of {r : p(r) > alpha} on that side, or NaN if none within 1e6 steps.
func invertWild(p func(float64) float64, est, dir, alpha float64) float64 {
	in, out := est, math.NaN()
	for s := 1.0; s <= 1e6; s *= 2 {
		r := est + s*dir
		if p(r) <= alpha {
			out = r
			break
		}
		in = r
	}
	if math.IsNaN(out) {
		return out
	}
	for range 100 {
		mid := (in + out) / 2
		if mid == in || mid == out {
			break
		}
		if p(mid) <= alpha {
			out = mid
		} else {
			in = mid
		}
	}
	return (in + out) / 2
}

// drawWeights fills v: the bits of draw b when enumerating Rademacher
// signs (bit g set → +1), else independent draws from rng.
func drawWeights(v []float64, rng *rand.Rand, w WildWeights, enum bool, b int) {
	if enum {
		for g := range v {
			if b>>g&1 == 1 {
				v[g] = 1
			} else {
				v[g] = -1
			}
		}
		return
	}
	for g := range v {
		if w == Webb {
			u := rng.IntN(6)
			v[g] = webbPoints[u]
			continue
		}
		if rng.Uint64()&1 == 1 {
			v[g] = 1
		} else {
			v[g] = -1
		}
	}
}

var webbPoints = [6]float64{-math.Sqrt(1.5), -1, -math.Sqrt(0.5), math.Sqrt(0.5), 1, math.Sqrt(1.5)}

// residualOn returns the residual of y regressed on cols (least squares
// by QR; y itself if cols is empty).
func residualOn(y []float64, cols [][]float64) []float64 {
	out := make([]float64, len(y))
	if len(cols) == 0 {
		copy(out, y)
		return out
	}
	refs := make([]float64, len(cols))
	cp := make([][]float64, len(cols))
	for a, c := range cols {
		cp[a] = append([]float64(nil), c...)
		refs[a] = math.Sqrt(dotExact(c, c))
	}
	yy := append([]float64(nil), y...)
	f := householderQR(cp, yy, refs, 1e-14, 1)
	b := f.solve()
	kept := make([][]float64, len(f.keep))
	for a, jj := range f.keep {
		kept[a] = cols[jj]
	}
	residualExact(out, y, kept, b)
	return out
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// EstimateWild parses formula, evaluates it against data and runs
// [WildBootstrap] on coefficient coef, clustered by opts.Cluster (one
// name) or the first fixed effect.
func EstimateWild(data *Frame, formula, coef string, opts Options, wo WildOptions) (*WildResult, error) {
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
	for _, cn := range opts.Cluster {
		codes, _, ok := data.groups(cn)
		if !ok {
			return nil, fmt.Errorf("econ: no cluster column %q", cn)
		}
		d.Cluster = append(d.Cluster, codes)
		d.ClusterNames = append(d.ClusterNames, cn)
	}
	return WildBootstrap(d, coef, opts, wo)
}
