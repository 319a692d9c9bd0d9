package econ

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// vcov returns the variance of the coefficients on the demeaned regressors
// X (columns, unweighted) with residuals e, weights w (nil = 1) and bread
// B = (X'WX)⁻¹, following fixest's vcov.fixest:
//
//	iid:     V = Σwe²/(n−K) · B
//	hc1:     V = n/(n−K) · B (Σ_i s_i s_iᵀ) B,             s_i = w_i e_i x_i
//	cluster: V = c · (n−1)/(n−K) · B (Σ_S ± Σ_g u_g u_gᵀ) B,   u_g = Σ_{i∈g} s_i
//
// where for multi-way clustering the sum runs over all non-empty subsets S
// of the cluster variables (groups of S are intersections) with sign
// (−1)^{|S|+1} (Cameron, Gelbach & Miller 2011, eq. 2.13), and
// c = Gmin/(Gmin−1) (DFMin) or each term gets its own G_S/(G_S−1)
// (DFConventional).
func vcov(t VCovType, X [][]float64, e, w []float64, B [][]float64, cl [][]int32, G []int, n, K int, opts Options) ([][]float64, string, error) {
	k := len(X)
	adj := 1.0
	if !opts.SSC.NoAdj {
		adj = float64(n-1) / float64(n-K)
	}
	switch t {
	case VCovIID:
		var rss float64
		for i, v := range e {
			rss += wt(w, i) * v * v
		}
		s2 := rss / float64(n-K)
		V := make([][]float64, k)
		for a := range V {
			V[a] = make([]float64, k)
			for b := range k {
				V[a][b] = s2 * B[a][b]
			}
		}
		return V, "", nil
	case VCovHC1:
		meat := make([][]float64, k)
		for a := range meat {
			meat[a] = make([]float64, k)
		}
		s := make([]float64, k)
		for i := range e {
			we := wt(w, i) * e[i]
			for a := range k {
				s[a] = X[a][i] * we
			}
			for a := range k {
				for b := a; b < k; b++ {
					meat[a][b] += s[a] * s[b]
				}
			}
		}
		symmetrize(meat)
		c := adj
		if !opts.SSC.NoClusterAdj {
			c *= float64(n) / float64(n-1)
		}
		return scale(sandwich(B, meat), c), "", nil
	}
	// Clustered.
	for q, g := range G {
		if g < 2 {
			return nil, "", fmt.Errorf("econ: cluster variable %d has %d cluster; at least 2 are needed", q+1, g)
		}
	}
	ways := len(cl)
	meat := make([][]float64, k)
	for a := range meat {
		meat[a] = make([]float64, k)
	}
	gmin := slices.Min(G)
	for mask := 1; mask < 1<<ways; mask++ {
		var sub [][]int32
		for q := range ways {
			if mask&(1<<q) != 0 {
				sub = append(sub, cl[q])
			}
		}
		codes, ng := intersect(sub)
		sign := 1.0
		if popcount(mask)%2 == 0 {
			sign = -1
		}
		if opts.SSC.ClusterDF == DFConventional && !opts.SSC.NoClusterAdj {
			if ng > 1 {
				sign *= float64(ng) / float64(ng-1)
			}
		}
		addClusterMeat(meat, X, e, w, codes, ng, sign)
	}
	c := adj
	if opts.SSC.ClusterDF == DFMin && !opts.SSC.NoClusterAdj {
		c *= float64(gmin) / float64(gmin-1)
	}
	V := scale(sandwich(B, meat), c)
	note := ""
	if ways > 1 {
		neg := false
		for a := range k {
			neg = neg || V[a][a] < 0
		}
		if opts.PSD == PSDEigen || (opts.PSD == PSDAuto && neg) {
			var fixed bool
			V, fixed = psdFix(V)
			if fixed {
				note = "multi-way clustered variance was not positive semi-definite; negative eigenvalues set to zero (Cameron, Gelbach & Miller 2011)"
			}
		}
	}
	return V, note, nil
}

// addClusterMeat adds sign · Σ_g u_g u_gᵀ to meat.
func addClusterMeat(meat [][]float64, X [][]float64, e, w []float64, codes []int32, ng int, sign float64) {
	k := len(X)
	u := make([]float64, ng*k) // u[g*k+a]
	// All k sums in one pass: the k accumulations of a row are
	// independent, so they overlap in the pipeline (one column per pass
	// waits on the add latency when rows of a cluster are adjacent).
	// Every u entry sees the same operations in the same order.
	e = e[:len(codes)]
	if k <= 4 && len(codes) > 0 {
		clusterScores4(u, X, e, w, codes)
	} else {
		for i, g := range codes {
			ug := u[int(g)*k : int(g)*k+k]
			wi, ei := wt(w, i), e[i]
			for a, x := range X {
				ug[a] += x[i] * wi * ei
			}
		}
	}
	for g := range ng {
		ug := u[g*k : g*k+k]
		for a := range k {
			for b := a; b < k; b++ {
				meat[a][b] += sign * ug[a] * ug[b]
			}
		}
	}
	for a := range k {
		for b := range a {
			meat[a][b] = meat[b][a]
		}
	}
}

// clusterScores4 is the score accumulation of addClusterMeat for k ≤ 4
// regressors: the running sums of the current cluster stay in registers
// while consecutive rows share it (stored on a change of cluster,
// reloaded when one recurs), so every u entry sees the same additions in
// the same order as in the general loop. Unused regressor slots add
// nothing and are never stored.
func clusterScores4(u []float64, X [][]float64, e, w []float64, codes []int32) {
	k := len(X)
	var xs [4][]float64
	for a := range xs {
		if a < k {
			xs[a] = X[a][:len(codes)]
		} else {
			xs[a] = e // any slice of the right length; its products are discarded
		}
	}
	x0, x1, x2, x3 := xs[0], xs[1], xs[2], xs[3]
	cur := int(codes[0])
	var s [4]float64
	copy(s[:k], u[cur*k:cur*k+k])
	s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
	for i, g := range codes {
		if int(g) != cur {
			s = [4]float64{s0, s1, s2, s3}
			copy(u[cur*k:cur*k+k], s[:k])
			cur = int(g)
			s = [4]float64{}
			copy(s[:k], u[cur*k:cur*k+k])
			s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
		}
		wi, ei := wt(w, i), e[i]
		s0 += x0[i] * wi * ei
		s1 += x1[i] * wi * ei
		s2 += x2[i] * wi * ei
		s3 += x3[i] * wi * ei
	}
	s = [4]float64{s0, s1, s2, s3}
	copy(u[cur*k:cur*k+k], s[:k])
}

// intersect returns dense codes (numbered in order of first appearance)
// of the intersection groups of cols, whose codes are non-negative.
func intersect(cols [][]int32) ([]int32, int) {
	codes, ng := cols[0], 0
	for _, v := range codes {
		ng = max(ng, int(v)+1)
	}
	if len(cols) == 1 {
		return codes, ng
	}
	for _, c := range cols[1:] {
		nb := 0
		for _, v := range c {
			nb = max(nb, int(v)+1)
		}
		codes, ng = combine(codes, ng, c, nb)
	}
	return codes, ng
}

// combine numbers the distinct pairs (a_i, b_i).
func combine(a []int32, na int, b []int32, nb int) ([]int32, int) {
	out := make([]int32, len(a))
	g := int32(0)
	if prod := na * nb; prod <= 4*len(a)+1024 {
		remap := make([]int32, prod)
		for i := range remap {
			remap[i] = -1
		}
		for i := range a {
			k := int(a[i])*nb + int(b[i])
			if remap[k] < 0 {
				remap[k] = g
				g++
			}
			out[i] = remap[k]
		}
		return out, int(g)
	}
	idx := make(map[int64]int32)
	for i := range a {
		k := int64(a[i])*int64(nb) + int64(b[i])
		v, ok := idx[k]
		if !ok {
			v = g
			idx[k] = v
			g++
		}
		out[i] = v
	}
	return out, int(g)
}

func symmetrize(m [][]float64) {
	for a := range m {
		for b := range a {
			m[a][b] = m[b][a]
		}
	}
}

func scale(m [][]float64, c float64) [][]float64 {
	for _, r := range m {
		for j := range r {
			r[j] *= c
		}
	}
	return m
}

func mulAB(A, B [][]float64) [][]float64 {
	n, k, p := len(A), len(B), len(B[0])
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, p)
		for j := range p {
			var s float64
			for l := range k {
				s += A[i][l] * B[l][j]
			}
			out[i][j] = s
		}
	}
	return out
}

func mulABt(A, B [][]float64) [][]float64 {
	out := make([][]float64, len(A))
	for i := range out {
		out[i] = make([]float64, len(B))
		for j := range B {
			var s float64
			for l := range A[i] {
				s += A[i][l] * B[j][l]
			}
			out[i][j] = s
		}
	}
	return out
}

// sandwich returns B M B for symmetric B and M.
func sandwich(B, M [][]float64) [][]float64 {
	V := mulAB(mulAB(B, M), B)
	k := len(V)
	for a := range k {
		for b := a + 1; b < k; b++ {
			s := (V[a][b] + V[b][a]) / 2
			V[a][b], V[b][a] = s, s
		}
	}
	return V
}

// psdFix replaces negative eigenvalues of the symmetric V by zero.
func psdFix(V [][]float64) ([][]float64, bool) {
	k := len(V)
	s := mat.NewSymDense(k, nil)
	for a := range k {
		for b := a; b < k; b++ {
			s.SetSym(a, b, V[a][b])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return V, false
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	fixed := false
	for i, v := range vals {
		if v < 0 {
			vals[i] = 0
			fixed = true
		}
	}
	if !fixed {
		return V, false
	}
	out := make([][]float64, k)
	for a := range k {
		out[a] = make([]float64, k)
		for b := range k {
			var sum float64
			for l := range k {
				sum += vecs.At(a, l) * vals[l] * vecs.At(b, l)
			}
			out[a][b] = sum
		}
	}
	return out, true
}

// inference builds the coefficient table: t = β/se, two-sided p from
// Student's t with df degrees of freedom, CI β ± t_{(1+level)/2} se.
func inference(names []string, beta []float64, V [][]float64, df, level float64) []Coef {
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	q := t.Quantile((1 + level) / 2)
	out := make([]Coef, len(names))
	for a, name := range names {
		se := math.Sqrt(V[a][a])
		c := Coef{Name: name, Estimate: beta[a], SE: se}
		c.T = beta[a] / se
		c.P = 2 * t.Survival(math.Abs(c.T))
		c.CILow = beta[a] - q*se
		c.CIHigh = beta[a] + q*se
		out[a] = c
	}
	return out
}
