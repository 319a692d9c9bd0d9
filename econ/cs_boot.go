package econ

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

func normalQuantile(p float64) float64 { return distuv.UnitNormal.Quantile(p) }

// csDegenerate is did's threshold for a zero standard error or a
// degenerate bootstrap column: sqrt(machine ε)·10.
var csDegenerate = math.Sqrt(0x1p-52) * 10

// csPreTest computes did's Wald pre-test over the pre-treatment cells
// (t < g) whose analytic SE is not degenerate; nil when there are none or
// their covariance matrix is singular.
func csPreTest(res *CS, cl []int, nc int) *CSPreTest {
	var pre []int
	for k, c := range res.Cells {
		if c.Group > c.Time && c.SE > csDegenerate {
			pre = append(pre, k)
		}
	}
	q := len(pre)
	if q == 0 {
		return nil
	}
	// A = Σ_c s_c s_cᵀ with s_c the cluster (or unit) sums of the ψ_k.
	rows := res.N
	if cl != nil {
		rows = nc
	}
	s := make([]float64, rows*q)
	for j, k := range pre {
		for i, v := range res.Influence[k] {
			r := i
			if cl != nil {
				r = cl[i]
			}
			s[r*q+j] += v
		}
	}
	a := make([]float64, q*q)
	for r := 0; r < rows; r++ {
		sr := s[r*q : (r+1)*q]
		for p := 0; p < q; p++ {
			for j := 0; j <= p; j++ {
				a[p*q+j] += sr[p] * sr[j]
			}
		}
	}
	inv, ok := csSPDInverse(a, q)
	if !ok {
		return nil
	}
	// W = N θᵀ V⁻¹ θ with V = A/N, i.e. N² θᵀ A⁻¹ θ.
	theta := make([]float64, q)
	for j, k := range pre {
		theta[j] = res.Cells[k].ATT
	}
	n := float64(res.N)
	w := n * n * csDot(theta, csSymMulVec(inv, theta, q, 1))
	return &CSPreTest{W: w, DF: q, P: distuv.ChiSquared{K: float64(q)}.Survival(w)}
}

// csBootChunk is the number of bootstrap draws per PCG stream.
const csBootChunk = 64

// csBootstrap replaces the SEs of the cells and of the aggregated effects
// by multiplier-bootstrap ones and, with opts.CBand, sets the uniform
// critical values (see [CallawaySantAnna]).
func csBootstrap(res *CS, aggCols []csColumn, cl []int, opts CSOptions, alpha float64) {
	cols := make([]csColumn, 0, len(res.Cells)+len(aggCols))
	for k := range res.Cells {
		cols = append(cols, csColumn{res.Influence[k], &res.Cells[k].SE, csBandCells})
	}
	cols = append(cols, aggCols...)
	K, n, nc, B := len(cols), res.N, res.Clusters, opts.Boot
	psis := make([][]float64, K)
	for k, c := range cols {
		psis[k] = c.psi
	}
	Z := csBootDraws(psis, cl, nc, B, opts)
	for i := range Z {
		Z[i] /= float64(n)
	}

	iqrNorm := normalQuantile(0.75) - normalQuantile(0.25)
	bse := make([]float64, K) // 0: degenerate column
	vals := make([]float64, B)
	scale := float64(n) * float64(n) / float64(nc) // did tests Σ bres², bres = (n/√nc)·Z
	for k := range cols {
		var ss float64
		for b := 0; b < B; b++ {
			vals[b] = Z[b*K+k]
			ss += vals[b] * vals[b]
		}
		if !(ss*scale > csDegenerate) {
			continue
		}
		slices.Sort(vals)
		bse[k] = (vals[csCeilIndex(B, 0.75)] - vals[csCeilIndex(B, 0.25)]) / iqrNorm
		*cols[k].se = bse[k]
	}
	if !opts.CBand {
		return
	}
	z := normalQuantile(1 - alpha/2)
	crit := func(band int) float64 {
		t := make([]float64, B)
		any := false
		for b := 0; b < B; b++ {
			t[b] = math.Inf(-1)
		}
		for k, c := range cols {
			if c.band != band || !(bse[k] > csDegenerate) {
				continue
			}
			any = true
			for b := 0; b < B; b++ {
				t[b] = max(t[b], math.Abs(Z[b*K+k])/bse[k])
			}
		}
		if !any {
			return math.NaN()
		}
		slices.Sort(t)
		return t[csType1Index(B, 1-alpha)]
	}
	if c := crit(csBandCells); !math.IsNaN(c) {
		res.CritVal = c
	}
	for _, a := range []struct {
		agg  *CSAggregate
		band int
	}{{&res.Dynamic, csBandDynamic}, {&res.Group, csBandGroup}, {&res.Calendar, csBandCalendar}} {
		// As aggte: never below the pointwise value.
		if c := crit(a.band); c > z && !math.IsInf(c, 0) {
			a.agg.CritVal = c
		}
	}
}

// csBootBlock is the number of draws one pass over the sparse cluster sums
// serves: one cache line of multipliers per cluster.
const csBootBlock = 8

// csSparseCols holds the cluster sums S_ck of the distinct bootstrap
// columns, each as its non-zero entries in cluster order: column u has
// clusters idx[start[u]:start[u+1]] with values val[start[u]:start[u+1]].
// Column k of the input is distinct column of[k]. The entries of column u
// in cluster tile t (clusters t·csBootTile up to the next tile) are
// tile[u·(T+1)+t] up to tile[u·(T+1)+t+1], T the number of tiles.
type csSparseCols struct {
	start []int
	idx   []int32
	val   []float64
	of    []int
	tile  []int
}

// csSparseSums forms the cluster (or unit) sums of each ψ_k, in unit
// order as the dense product did, keeps their non-zero entries and merges
// columns whose sums are bitwise identical.
func csSparseSums(psis [][]float64, cl []int, nc int) csSparseCols {
	sp := csSparseCols{start: []int{0}, of: make([]int, len(psis))}
	s := make([]float64, nc)
	seen := map[uint64][]int{} // hash of a column → distinct columns
	for k, psi := range psis {
		if cl == nil {
			copy(s, psi)
		} else {
			clear(s)
			for i, v := range psi {
				s[cl[i]] += v
			}
		}
		// FNV-1a over the non-zero entries.
		h := uint64(14695981039346656037)
		nnz := 0
		for c, v := range s {
			if v != 0 {
				h = (h ^ uint64(c)) * 1099511628211
				h = (h ^ math.Float64bits(v)) * 1099511628211
				nnz++
			}
		}
		dup := -1
		for _, u := range seen[h] {
			if csSameColumn(sp, u, s, nnz) {
				dup = u
				break
			}
		}
		if dup >= 0 {
			sp.of[k] = dup
			continue
		}
		u := len(sp.start) - 1
		seen[h] = append(seen[h], u)
		sp.of[k] = u
		for c, v := range s {
			if v != 0 {
				sp.idx = append(sp.idx, int32(c))
				sp.val = append(sp.val, v)
			}
		}
		sp.start = append(sp.start, len(sp.idx))
	}
	nt := (nc + csBootTile - 1) / csBootTile
	for u := 0; u+1 < len(sp.start); u++ {
		p := sp.start[u]
		for t := 0; t <= nt; t++ {
			for p < sp.start[u+1] && int(sp.idx[p]) < t*csBootTile {
				p++
			}
			sp.tile = append(sp.tile, p)
		}
	}
	return sp
}

// csSameColumn reports whether distinct column u has exactly the non-zero
// entries of the dense column s (nnz of them), bit for bit.
func csSameColumn(sp csSparseCols, u int, s []float64, nnz int) bool {
	a, b := sp.start[u], sp.start[u+1]
	if b-a != nnz {
		return false
	}
	for p := a; p < b; p++ {
		if math.Float64bits(s[sp.idx[p]]) != math.Float64bits(sp.val[p]) {
			return false
		}
	}
	return true
}

// csBootDraws returns the B × K draw-major matrix of undivided bootstrap
// sums Z_bk = Σ_c ξ_bc S_ck, S_ck the cluster (or unit, cl nil) sums of
// psis[k], for the multipliers ξ of [csMultipliers]: draws in chunks of
// csBootChunk, chunk ch from the PCG stream (opts.Seed, ch), spread over
// opts.Workers goroutines.
//
// Each Z_bk is the sum over clusters in cluster order, as the dense
// product Ξ·S computes it, but leaves out the clusters where S_ck = 0
// (ψ of a cell is zero outside its cohort and comparison units; adding
// ±0 to a sum never changes it, and the sums start at +0) and computes
// bitwise identical columns once; so the result is bit for bit the dense
// product's. Eight draws share one pass over a column, with their sums in
// registers and the multipliers of a cluster in one cache line.
func csBootDraws(psis [][]float64, cl []int, nc, B int, opts CSOptions) []float64 {
	K := len(psis)
	sp := csSparseSums(psis, cl, nc)
	U := len(sp.start) - 1
	Z := make([]float64, B*K)
	nchunks := (B + csBootChunk - 1) / csBootChunk
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, nchunks)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			xi := make([]float64, nc)
			x := make([]float64, nc*csBootBlock) // x[c*8+j] = ξ of draw j, cluster c
			zu := make([]float64, U*csBootBlock)
			for ch := range next {
				rng := rand.New(rand.NewPCG(opts.Seed, uint64(ch)))
				end := min(B, (ch+1)*csBootChunk)
				for b := ch * csBootChunk; b < end; b += csBootBlock {
					m := min(csBootBlock, end-b)
					for j := 0; j < csBootBlock; j++ {
						if j < m {
							csMultipliers(xi, rng, opts.Weights)
						} else {
							clear(xi)
						}
						for c, v := range xi {
							x[c*csBootBlock+j] = v
						}
					}
					csSparseBlock(zu, sp, x)
					for j := 0; j < m; j++ {
						z := Z[(b+j)*K : (b+j+1)*K]
						for k, u := range sp.of {
							z[k] = zu[u*csBootBlock+j]
						}
					}
				}
			}
		}()
	}
	for ch := 0; ch < nchunks; ch++ {
		next <- ch
	}
	close(next)
	wg.Wait()
	return Z
}

// csBootTile is the number of clusters whose multipliers (8 draws each,
// 16 KiB) stay in the L1 cache while every column passes over them.
const csBootTile = 256

// csSparseBlock sets zu[u*8+j] = Σ_p x[idx_p*8+j]·val_p over the non-zero
// entries p of each distinct column u, in cluster order, for the eight
// draws j: clusters in tiles of csBootTile, the running sums carried
// from tile to tile in zu.
func csSparseBlock(zu []float64, sp csSparseCols, x []float64) {
	clear(zu)
	U := len(sp.start) - 1
	nt := len(sp.tile)/U - 1
	for t := 0; t < nt; t++ {
		for u := 0; u < U; u++ {
			a, b := sp.tile[u*(nt+1)+t], sp.tile[u*(nt+1)+t+1]
			if a == b {
				continue
			}
			csSparseDot8((*[csBootBlock]float64)(zu[u*csBootBlock:]), sp.idx[a:b], sp.val[a:b], x)
		}
	}
}

// csSparseDot8Go adds x[idx_p·8+j]·val_p to z[j] for j = 0..7 and each
// entry p in order (separate multiply and add, no fused multiply-add).
// The caller guarantees len(val) ≥ len(idx) and idx_p·8+8 ≤ len(x).
func csSparseDot8Go(z *[csBootBlock]float64, idx []int32, val []float64, x []float64) {
	val = val[:len(idx)]
	z0, z1, z2, z3, z4, z5, z6, z7 := z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7]
	for p, c := range idx {
		v := val[p]
		xc := (*[csBootBlock]float64)(x[int(c)*csBootBlock:])
		z0 += xc[0] * v
		z1 += xc[1] * v
		z2 += xc[2] * v
		z3 += xc[3] * v
		z4 += xc[4] * v
		z5 += xc[5] * v
		z6 += xc[6] * v
		z7 += xc[7] * v
	}
	z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7] = z0, z1, z2, z3, z4, z5, z6, z7
}

// csMultipliers fills xi with bootstrap multipliers.
func csMultipliers(xi []float64, rng *rand.Rand, w CSBootWeights) {
	switch w {
	case CSMammen:
		s5 := math.Sqrt(5)
		lo, hi, p := (1-s5)/2, (1+s5)/2, (s5+1)/(2*s5)
		for c := range xi {
			if rng.Float64() < p {
				xi[c] = lo
			} else {
				xi[c] = hi
			}
		}
	default:
		var bits uint64
		nb := 0
		for c := range xi {
			if nb == 0 {
				bits, nb = rng.Uint64(), 64
			}
			xi[c] = float64(int(bits&1)*2 - 1)
			bits >>= 1
			nb--
		}
	}
}

// csCeilIndex is the 0-based index of b[ceiling(p·n)] (did's mboot).
func csCeilIndex(n int, p float64) int {
	return max(0, min(n-1, int(math.Ceil(p*float64(n)))-1))
}

// csType1Index is the 0-based index of R's quantile(x, p, type = 1) in
// the sorted x of length n: j = floor(np + 4ε), one more when np > j.
func csType1Index(n int, p float64) int {
	np := float64(n) * p
	j := math.Floor(np + 4*0x1p-52)
	i := int(j)
	if np > j {
		i++
	}
	return max(0, min(n-1, i-1))
}
