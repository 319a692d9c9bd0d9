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
	// S[c, k]: cluster sums of ψ_k, cluster-major so a draw reads rows.
	S := make([]float64, nc*K)
	for k, c := range cols {
		for i, v := range c.psi {
			r := i
			if cl != nil {
				r = cl[i]
			}
			S[r*K+k] += v
		}
	}
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
			// Multipliers of up to four draws at a time, so each row of S
			// is read once per four draws.
			var xi [4][]float64
			for j := range xi {
				xi[j] = make([]float64, nc)
			}
			for ch := range next {
				rng := rand.New(rand.NewPCG(opts.Seed, uint64(ch)))
				end := min(B, (ch+1)*csBootChunk)
				for b := ch * csBootChunk; b < end; b += 4 {
					m := min(4, end-b)
					for j := 0; j < m; j++ {
						csMultipliers(xi[j], rng, opts.Weights)
					}
					if m == 4 {
						z0, z1, z2, z3 := Z[b*K:(b+1)*K], Z[(b+1)*K:(b+2)*K], Z[(b+2)*K:(b+3)*K], Z[(b+3)*K:(b+4)*K]
						for c := 0; c < nc; c++ {
							x0, x1, x2, x3 := xi[0][c], xi[1][c], xi[2][c], xi[3][c]
							row := S[c*K : (c+1)*K]
							z0, z1, z2, z3 := z0[:len(row)], z1[:len(row)], z2[:len(row)], z3[:len(row)]
							for k, v := range row {
								z0[k] += x0 * v
								z1[k] += x1 * v
								z2[k] += x2 * v
								z3[k] += x3 * v
							}
						}
					} else {
						for j := 0; j < m; j++ {
							z := Z[(b+j)*K : (b+j+1)*K]
							for c, x := range xi[j] {
								for k, v := range S[c*K : (c+1)*K] {
									z[k] += x * v
								}
							}
						}
					}
					for k := range Z[b*K : (b+m)*K] {
						Z[b*K+k] /= float64(n)
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
