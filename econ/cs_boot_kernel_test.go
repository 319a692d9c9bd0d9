package econ

import (
	"math"
	"math/rand/v2"
	"testing"
)

// csDenseDraws is the plain bootstrap product the sparse kernel replaces
// (econ before the sparse kernel): Z_bk = Σ_c ξ_bc S_ck summed over every
// cluster in order, the multipliers drawn as csBootDraws draws them.
func csDenseDraws(psis [][]float64, cl []int, nc, B int, opts CSOptions) []float64 {
	K := len(psis)
	S := make([]float64, nc*K)
	for k, psi := range psis {
		for i, v := range psi {
			r := i
			if cl != nil {
				r = cl[i]
			}
			S[r*K+k] += v
		}
	}
	Z := make([]float64, B*K)
	xi := make([]float64, nc)
	for ch := 0; ch*csBootChunk < B; ch++ {
		rng := rand.New(rand.NewPCG(opts.Seed, uint64(ch)))
		for b := ch * csBootChunk; b < min(B, (ch+1)*csBootChunk); b++ {
			csMultipliers(xi, rng, opts.Weights)
			z := Z[b*K : (b+1)*K]
			for c, x := range xi {
				for k, v := range S[c*K : (c+1)*K] {
					z[k] += x * v
				}
			}
		}
	}
	return Z
}

// csSparsePsis makes K influence functions over n units shaped like the
// Callaway–Sant'Anna ones: cell columns non-zero on a random subset (a
// cohort and its comparison units), dense aggregated columns, an all-zero
// column, a duplicate column and values spanning many magnitudes.
func csSparsePsis(rng *rand.Rand, n, K int) [][]float64 {
	psis := make([][]float64, K)
	for k := range psis {
		psis[k] = make([]float64, n)
		density := []float64{0.3, 0.5, 1, 0}[k%4]
		for i := range psis[k] {
			if rng.Float64() < density {
				psis[k][i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
			}
		}
	}
	if K > 3 {
		copy(psis[K-1], psis[1])
	}
	return psis
}

// TestCSBootDrawsMatchDense: skipping zero cluster sums, merging identical
// columns and the eight-draw (SSE2 on amd64) kernel leave every draw bit
// for bit equal to the dense product, for both multiplier types, with and
// without clusters, and for draw counts that do not fill the last block.
func TestCSBootDrawsMatchDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n = 700
	psis := csSparsePsis(rng, n, 23)
	cl := make([]int, n)
	for i := range cl {
		cl[i] = i / 7 // 100 clusters
	}
	for _, c := range []struct {
		name string
		cl   []int
		nc   int
		opts CSOptions
		B    int
	}{
		{"units/rademacher/B=999", nil, n, CSOptions{Seed: 3}, 999},
		{"units/mammen/B=77", nil, n, CSOptions{Seed: 4, Weights: CSMammen}, 77},
		{"clusters/rademacher/B=130", cl, 100, CSOptions{Seed: 5, Workers: 3}, 130},
		{"clusters/mammen/B=5", cl, 100, CSOptions{Seed: 6, Weights: CSMammen, Workers: 1}, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := csBootDraws(psis, c.cl, c.nc, c.B, c.opts)
			want := csDenseDraws(psis, c.cl, c.nc, c.B, c.opts)
			bad := 0
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					if bad++; bad <= 3 {
						t.Errorf("draw %d, column %d: %v; want %v (dense)", i/len(psis), i%len(psis), got[i], want[i])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d draws differ from the dense product", bad, len(want))
			}
		})
	}
}

// TestCSSparseDot8MatchesGo: the assembly kernel (amd64) gives the pure Go
// kernel's sums bit for bit, from non-zero starting sums and for empty
// columns.
func TestCSSparseDot8MatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const nc = 300
	x := make([]float64, nc*csBootBlock)
	for i := range x {
		x[i] = []float64{-1, 1, (1 - math.Sqrt(5)) / 2, (1 + math.Sqrt(5)) / 2}[rng.IntN(4)]
	}
	for _, nnz := range []int{0, 1, 2, 17, 300} {
		idx := make([]int32, 0, nnz)
		val := make([]float64, 0, nnz)
		for c := 0; c < nc && len(idx) < nnz; c++ {
			if nnz == nc || rng.IntN(nc) < 3*nnz {
				idx = append(idx, int32(c))
				val = append(val, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(13)-6)))
			}
		}
		var a, b [csBootBlock]float64
		for j := range a {
			a[j] = rng.NormFloat64()
			b[j] = a[j]
		}
		csSparseDot8(&a, idx, val, x)
		csSparseDot8Go(&b, idx, val, x)
		for j := range a {
			if math.Float64bits(a[j]) != math.Float64bits(b[j]) {
				t.Errorf("nnz %d, draw %d: %v; want %v (Go kernel)", len(idx), j, a[j], b[j])
			}
		}
	}
}
