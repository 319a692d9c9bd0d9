package econ

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// fixedEffects is the fixed-effect structure of an estimation sample: Q
// dimensions of dense group codes, optional observation weights, and the
// inverse total weight of each group. It is read-only once built, so any
// number of goroutines may demean with it.
type fixedEffects struct {
	n     int
	codes [][]int32   // codes[q][i] in [0, ng[q])
	ng    []int       // levels per dimension
	w     []float64   // nil: unweighted
	invW  [][]float64 // invW[q][g] = 1 / Σ_{i∈g} w_i
	off   []int       // offsets of dimensions 2..Q in the iteration state
	state int         // Σ_{q≥2} ng[q]
}

// newFixedEffects builds the structure. Every group must be non-empty.
func newFixedEffects(codes [][]int32, ng []int, w []float64) *fixedEffects {
	fe := &fixedEffects{n: len(codes[0]), codes: codes, ng: ng, w: w}
	fe.invW = make([][]float64, len(codes))
	for q, c := range codes {
		tw := make([]float64, ng[q])
		if w == nil {
			for _, g := range c {
				tw[g]++
			}
		} else {
			for i, g := range c {
				tw[g] += w[i]
			}
		}
		for g := range tw {
			if tw[g] == 0 {
				panic("econ: empty fixed-effect group")
			}
			tw[g] = 1 / tw[g]
		}
		fe.invW[q] = tw
	}
	fe.off = make([]int, len(codes))
	for q := 1; q < len(codes); q++ {
		fe.off[q] = fe.state
		fe.state += ng[q]
	}
	return fe
}

// DemeanStats reports how the demeaning of one column went.
type DemeanStats struct {
	Iter      int  // fixed-point evaluations (sweeps over all dimensions)
	Converged bool // false if MaxIter was reached
}

// demeanWork is one worker's scratch space, allocated once and reused for
// every column the worker demeans, so the iterations allocate nothing.
type demeanWork struct {
	sx     [][]float64 // Σ_{i∈g} w_i x_i per dimension
	acc    [][]float64 // accumulators per dimension
	c0     []float64   // coefficients of the first dimension
	x, gx  []float64   // Irons–Tuck state: X and G(X)
	ggx    []float64   // G(G(X))
	s      []float64   // per-observation sum of current effects (Q ≥ 3)
	single []float64   // scratch for Q = 1 refinement
}

func (fe *fixedEffects) newWork() *demeanWork {
	w := &demeanWork{}
	w.sx = make([][]float64, len(fe.codes))
	w.acc = make([][]float64, len(fe.codes))
	for q := range fe.codes {
		w.sx[q] = make([]float64, fe.ng[q])
		w.acc[q] = make([]float64, fe.ng[q])
	}
	w.c0 = make([]float64, fe.ng[0])
	w.x = make([]float64, fe.state)
	w.gx = make([]float64, fe.state)
	w.ggx = make([]float64, fe.state)
	if len(fe.codes) >= 3 {
		w.s = make([]float64, fe.n)
	}
	return w
}

// groupSums stores Σ_{i∈g} w_i v_i of dimension q into dst.
func (fe *fixedEffects) groupSums(dst []float64, q int, v []float64) {
	clear(dst)
	c := fe.codes[q]
	if fe.w == nil {
		for i, g := range c {
			dst[g] += v[i]
		}
		return
	}
	for i, g := range c {
		dst[g] += fe.w[i] * v[i]
	}
}

// demean stores in dst the residual of x after projection on the fixed
// effects (dst may be x). For one dimension this is exact: subtract the
// weighted group mean, then the group mean of the result (one refinement
// pass that removes most rounding error). For two or more dimensions it
// iterates the Gauss–Seidel sweep G over the effects of dimensions 2..Q,
//
//	α¹_g = (Σ_{i∈g} w_i (x_i − Σ_{p>1} α^p_{p(i)})) / Σ_{i∈g} w_i,  then α², …, α^Q likewise,
//
// accelerated as in fixest (Berge 2018, "Efficient estimation of maximum
// likelihood models with multiple fixed-effects: the R package FENmlm",
// §3; Irons & Tuck 1969): from X, G(X) and G(G(X)),
//
//	Δ = GGX − GX,  Δ² = GGX − 2GX + X,  X' = GGX − (Δ·Δ²)/(Δ²·Δ²) Δ,
//
// until every effect changes by at most tol·(|α| + sd(x)) between sweeps.
func (fe *fixedEffects) demean(dst, x []float64, tol float64, maxIter int, w *demeanWork) DemeanStats {
	Q := len(fe.codes)
	var sum float64 // Σ w_i x_i, for scale
	if Q == 2 {
		sum = fe.groupSums2(w.sx[0], w.sx[1], x)
	} else {
		for q := range Q {
			fe.groupSums(w.sx[q], q, x)
		}
	}
	if Q == 1 {
		c, inv := fe.codes[0], fe.invW[0]
		m := w.c0
		for g := range m {
			m[g] = w.sx[0][g] * inv[g]
		}
		for i, g := range c {
			dst[i] = x[i] - m[g]
		}
		fe.groupSums(m, 0, dst)
		for g := range m {
			m[g] *= inv[g]
		}
		for i, g := range c {
			dst[i] -= m[g]
		}
		return DemeanStats{Iter: 1, Converged: true}
	}
	X, GX, GGX := w.x, w.gx, w.ggx
	clear(X)
	st := DemeanStats{}
	var scale float64
	fromZero := Q == 2 && maxIter > 0
	if fromZero {
		scale = fe.sweep2FromZero(w, GX, x, sum)
	} else {
		scale = fe.scale(x)
	}
	for st.Iter < maxIter {
		if fromZero {
			fromZero = false // G(0) is in GX already
		} else {
			fe.sweep(w, X, GX)
		}
		st.Iter++
		if converged(X, GX, scale, tol) {
			X, GX = GX, X
			st.Converged = true
			break
		}
		fe.sweep(w, GX, GGX)
		st.Iter++
		if converged(GX, GGX, scale, tol) {
			X, GGX = GGX, X
			st.Converged = true
			break
		}
		var vprod, ssq float64
		for j := range X {
			d1 := GGX[j] - GX[j]
			d2 := d1 - GX[j] + X[j]
			vprod += d1 * d2
			ssq += d2 * d2
		}
		if ssq == 0 {
			X, GGX = GGX, X
			st.Converged = true
			break
		}
		coef := vprod / ssq
		for j := range X {
			X[j] = GGX[j] - coef*(GGX[j]-GX[j])
		}
	}
	// One last sweep from the final state gives all Q effects; the residual
	// is then exactly orthogonal to the last dimension.
	fe.sweep(w, X, GX)
	if Q == 2 {
		// x − α¹ − α², in one pass (the same operations as below)
		c1, c2 := fe.codes[0], fe.codes[1]
		a1, a2 := w.c0, GX[:fe.ng[1]]
		x, c2 := x[:len(c1)], c2[:len(c1)]
		dst = dst[:len(c1)]
		for i, g := range c1 {
			dst[i] = x[i] - a1[g] - a2[c2[i]]
		}
		return st
	}
	copy(dst, x)
	for i, g := range fe.codes[0] {
		dst[i] -= w.c0[g]
	}
	for q := 1; q < Q; q++ {
		a := GX[fe.off[q] : fe.off[q]+fe.ng[q]]
		for i, g := range fe.codes[q] {
			dst[i] -= a[g]
		}
	}
	return st
}

// groupSums2 is groupSums of both dimensions of a two-way structure in
// one pass over the rows; it returns Σ w_i x_i, summed in row order as
// scale does.
func (fe *fixedEffects) groupSums2(dst1, dst2, v []float64) float64 {
	clear(dst1)
	clear(dst2)
	c1, c2 := fe.codes[0], fe.codes[1]
	c2, v = c2[:len(c1)], v[:len(c1)]
	var sum float64
	if len(c1) == 0 {
		return sum
	}
	// dst1 as acc1 in sweep2: the current group's sum in a register
	cur := c1[0]
	s := dst1[cur]
	if fe.w == nil {
		for i, g := range c1 {
			x := v[i]
			if g != cur {
				dst1[cur], cur = s, g
				s = dst1[g]
			}
			s += x
			dst2[c2[i]] += x
			sum += x
		}
	} else {
		w := fe.w[:len(c1)]
		for i, g := range c1 {
			x := w[i] * v[i]
			if g != cur {
				dst1[cur], cur = s, g
				s = dst1[g]
			}
			s += x
			dst2[c2[i]] += x
			sum += x
		}
	}
	dst1[cur] = s
	return sum
}

// scale returns the weighted standard deviation of x (1 if zero).
func (fe *fixedEffects) scale(x []float64) float64 {
	var sm float64
	for i, v := range x {
		wi := 1.0
		if fe.w != nil {
			wi = fe.w[i]
		}
		sm += wi * v
	}
	return fe.scaleFromSum(x, sm)
}

// scaleFromSum is scale given sm = Σ w_i x_i (summed in row order).
func (fe *fixedEffects) scaleFromSum(x []float64, sm float64) float64 {
	sw := fe.sumWeights()
	m := sm / sw
	var ss float64
	for i, v := range x {
		wi := 1.0
		if fe.w != nil {
			wi = fe.w[i]
		}
		ss += wi * (v - m) * (v - m)
	}
	return finishScale(ss, sw)
}

// sumWeights is Σ w_i in row order (n unweighted).
func (fe *fixedEffects) sumWeights() float64 {
	if fe.w == nil {
		return float64(fe.n)
	}
	var sw float64
	for _, wi := range fe.w {
		sw += wi
	}
	return sw
}

// finishScale is √(ss/sw), or 1 if that is 0 or NaN.
func finishScale(ss, sw float64) float64 {
	s := math.Sqrt(ss / sw)
	if s == 0 || math.IsNaN(s) {
		return 1
	}
	return s
}

func converged(a, b []float64, scale, tol float64) bool {
	for j := range a {
		if math.Abs(a[j]-b[j]) > tol*(math.Abs(a[j])+scale) {
			return false
		}
	}
	return true
}

// sweep evaluates one Gauss–Seidel sweep G: from the effects in of
// dimensions 2..Q it computes α¹ (kept in w.c0) and then new effects of
// dimensions 2..Q into out.
func (fe *fixedEffects) sweep(w *demeanWork, in, out []float64) {
	if len(fe.codes) == 2 {
		fe.sweep2(w, in, out)
		return
	}
	Q := len(fe.codes)
	s := w.s
	clear(s)
	for q := 1; q < Q; q++ {
		a := in[fe.off[q] : fe.off[q]+fe.ng[q]]
		for i, g := range fe.codes[q] {
			s[i] += a[g]
		}
	}
	var prev, prevNew []float64
	var prevCodes []int32
	for q := range Q {
		var cur, next []float64
		if q == 0 {
			next = w.c0
		} else {
			cur = in[fe.off[q] : fe.off[q]+fe.ng[q]]
			next = out[fe.off[q] : fe.off[q]+fe.ng[q]]
		}
		acc := w.acc[q]
		clear(acc)
		codes := fe.codes[q]
		// Bring s up to date with the previous dimension's new effects while
		// accumulating this dimension's partial residual sums.
		switch {
		case prevCodes == nil: // q == 0: α¹ is zero in s
			if fe.w == nil {
				for i, g := range codes {
					acc[g] += s[i]
				}
			} else {
				for i, g := range codes {
					acc[g] += fe.w[i] * s[i]
				}
			}
		default:
			for i, g := range codes {
				pg := prevCodes[i]
				var old float64
				if prev != nil {
					old = prev[pg]
				}
				s[i] += prevNew[pg] - old
				v := s[i] - cur[g]
				if fe.w != nil {
					v *= fe.w[i]
				}
				acc[g] += v
			}
		}
		sx, inv := w.sx[q], fe.invW[q]
		for g := range next {
			next[g] = (sx[g] - acc[g]) * inv[g]
		}
		prev, prevNew, prevCodes = cur, next, codes
	}
}

// sweep2 is sweep for exactly two dimensions: two passes over the data,
// no per-observation state.
func (fe *fixedEffects) sweep2(w *demeanWork, beta, out []float64) {
	c1, c2 := fe.codes[0], fe.codes[1]
	acc1, acc2 := w.acc[0], w.acc[1]
	alpha := w.c0
	clear(acc1)
	// acc1[g] += b row by row, with the running value of the current
	// group kept in a register while consecutive rows share it (panels
	// sorted by unit): the same additions in the same order, without a
	// store and reload between them.
	if len(c1) > 0 {
		c2 := c2[:len(c1)]
		cur := c1[0]
		s := acc1[cur]
		if fe.w == nil {
			for i, g := range c1 {
				if g != cur {
					acc1[cur], cur = s, g
					s = acc1[g]
				}
				s += beta[c2[i]]
			}
		} else {
			wt := fe.w[:len(c1)]
			for i, g := range c1 {
				if g != cur {
					acc1[cur], cur = s, g
					s = acc1[g]
				}
				s += wt[i] * beta[c2[i]]
			}
		}
		acc1[cur] = s
	}
	sx1, inv1 := w.sx[0], fe.invW[0]
	for g := range alpha {
		alpha[g] = (sx1[g] - acc1[g]) * inv1[g]
	}
	clear(acc2)
	if fe.w == nil {
		for i, h := range c2 {
			acc2[h] += alpha[c1[i]]
		}
	} else {
		for i, h := range c2 {
			acc2[h] += fe.w[i] * alpha[c1[i]]
		}
	}
	sx2, inv2 := w.sx[1], fe.invW[1]
	for h := range out {
		out[h] = (sx2[h] - acc2[h]) * inv2[h]
	}
}

// sweep2FromZero is sweep2 from β = 0, into out, and returns the scale of
// x (sm = Σ w_i x_i). With β = 0 the first pass of sweep2 would add only
// zeros (+0 sums, and s − (+0) = s), so α¹ = Σ_{i∈g} w_i x_i / W_g needs
// no pass; the one pass over the rows also accumulates the scale's sum of
// squared deviations, in the row order scale uses. Results are bit for
// bit those of scale and sweep2.
func (fe *fixedEffects) sweep2FromZero(w *demeanWork, out, x []float64, sm float64) float64 {
	c1, c2 := fe.codes[0], fe.codes[1]
	alpha := w.c0
	sx1, inv1 := w.sx[0], fe.invW[0]
	for g := range alpha {
		alpha[g] = sx1[g] * inv1[g]
	}
	sw := fe.sumWeights()
	m := sm / sw
	acc2 := w.acc[1]
	clear(acc2)
	c2, x = c2[:len(c1)], x[:len(c1)]
	var ss float64
	if fe.w == nil {
		for i, g := range c1 {
			acc2[c2[i]] += alpha[g]
			v := x[i]
			ss += (v - m) * (v - m)
		}
	} else {
		wt := fe.w[:len(c1)]
		for i, g := range c1 {
			acc2[c2[i]] += wt[i] * alpha[g]
			v := x[i]
			ss += wt[i] * (v - m) * (v - m)
		}
	}
	sx2, inv2 := w.sx[1], fe.invW[1]
	for h := range out {
		out[h] = (sx2[h] - acc2[h]) * inv2[h]
	}
	return finishScale(ss, sw)
}

// demeanColumns demeans every column of src into dst (dst[j] may be src[j])
// using up to workers goroutines, one workspace each; columns are handed
// out one at a time, so the result does not depend on the worker count.
func (fe *fixedEffects) demeanColumns(dst, src [][]float64, tol float64, maxIter, workers int) []DemeanStats {
	stats := make([]DemeanStats, len(src))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(src))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := fe.newWork()
			for {
				j := int(next.Add(1)) - 1
				if j >= len(src) {
					return
				}
				stats[j] = fe.demean(dst[j], src[j], tol, maxIter, w)
			}
		}()
	}
	wg.Wait()
	return stats
}

// Demean stores in dst[j] the residual of column x[j] after projecting out
// the fixed effects given by group codes (codes[q][i] in [0, ngroups[q]),
// every group non-empty) with optional weights w (nil for none). It is the
// engine of [Fit], exposed for callers that reuse demeaned columns (for
// example permutation inference). dst[j] may alias x[j]. Tol and MaxIter
// of opts apply; Demean panics if the shapes disagree.
func Demean(dst, x [][]float64, codes [][]int32, ngroups []int, w []float64, opts Options) []DemeanStats {
	if len(codes) == 0 || len(dst) != len(x) {
		panic("econ: Demean needs at least one fixed effect and len(dst) == len(x)")
	}
	n := len(codes[0])
	for q := range codes {
		if len(codes[q]) != n {
			panic("econ: fixed-effect length mismatch")
		}
	}
	for j := range x {
		if len(x[j]) != n || len(dst[j]) != n {
			panic("econ: column length mismatch")
		}
	}
	opts.defaults()
	fe := newFixedEffects(codes, ngroups, w)
	return fe.demeanColumns(dst, x, opts.Tol, opts.MaxIter, opts.Workers)
}
