package econ

import (
	"fmt"
	"slices"
	"sync"
)

// Heteroskedasticity- and autocorrelation-consistent variances for panels,
// computed as fixest's vcov_NW and vcov_DK do (fixest R/VCOV.R and
// src/vcov_related.cpp, lrberge/fixest @dbe56c5).
//
// With scores s_i = w_i e_i x̃_i on the demeaned regressors and the
// Bartlett kernel k_l = 1 − l/(L+1), the meat is
//
//	M = Γ_0 + Σ_{l=1}^{L'} k_l (Γ_l + Γ_lᵀ),   L' = min(L, T−2),
//
// where, with periods ranked 1..T among the distinct time values of the
// sample:
//
//	Newey–West (panel):  Γ_l = Σ_i Σ_t s_{i,t} s_{i,t−l}ᵀ   (same unit, l periods apart)
//	Newey–West (series): the same with one unit (times must be unique)
//	Driscoll–Kraay:      Γ_l = Σ_t S_t S_{t−l}ᵀ,  S_t = Σ_{i in period t} s_i
//
// Newey & West (1987); Driscoll & Kraay (1998). The variance is
//
//	V = (n−1)/(n−K) · T/(T−1) · B M B,   B = (X̃'WX̃)⁻¹,
//
// the first factor unless SSC.NoAdj and the second unless
// SSC.NoClusterAdj (fixest treats the T periods like clusters), and the
// t distribution has T−1 degrees of freedom under SSC.TDF = DFMin. Fixed
// effects nested in the unit or time key (NW) or in the time key (DK) do
// not count in K under FixefNested, as fixest's rm_nested rule.
//
// The default lag is L = ⌊T^{1/4}⌋ (Newey & West 1987), fixest's rule for
// panel NW and DK; it is computed in integers (largest L with L⁴ ≤ T).
// For a single time series fixest instead picks L by Newey & West (1994)
// (sandwich::bwNeweyWest); here the same ⌊T^{1/4}⌋ applies, so pass
// Options.Lag to match fixest there. Setting SSC.NoAdj and
// SSC.NoClusterAdj gives plm's vcovNW / vcovSCC with type = "HC0".

// hacKeys are the panel keys of the estimation sample.
type hacKeys struct {
	unit  []int32 // dense unit codes, nil for a single series
	nunit int
	time  []int32 // period rank 0..ntime-1 (ascending time code)
	ntime int
	lag   int // lag actually used (after defaults and the T−2 cap)
}

// newHACKeys ranks the time codes of rows and numbers their units.
func newHACKeys(unit, time []int32, rows []int) *hacKeys {
	hk := &hacKeys{}
	codes := make([]int32, 0, 64)
	maxc := int32(-1)
	for _, i := range rows {
		maxc = max(maxc, time[i])
	}
	seen := make([]bool, int(maxc)+1)
	for _, i := range rows {
		if c := time[i]; !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	rank := make([]int32, int(maxc)+1)
	for r, c := range codes {
		rank[c] = int32(r)
	}
	hk.ntime = len(codes)
	hk.time = make([]int32, len(rows))
	for a, i := range rows {
		hk.time[a] = rank[time[i]]
	}
	if unit != nil {
		hk.unit, hk.nunit = denseCodes(unit, rows)
	}
	return hk
}

// DefaultLag returns fixest's default Newey–West/Driscoll–Kraay lag for T
// periods, ⌊T^{1/4}⌋ (Newey & West 1987), computed exactly in integers.
func DefaultLag(T int) int {
	L := 0
	for (L+1)*(L+1)*(L+1)*(L+1) <= T {
		L++
	}
	return L
}

// vcovHAC returns the NW (dk false) or DK variance described above and
// sets hk.lag.
func vcovHAC(dk bool, X [][]float64, e, w []float64, B [][]float64, hk *hacKeys, n, K int, opts Options) ([][]float64, string, error) {
	T := hk.ntime
	if T < 2 {
		return nil, "", fmt.Errorf("econ: Newey–West and Driscoll–Kraay variances need at least 2 periods, the sample has %d", T)
	}
	L := opts.Lag
	switch {
	case L == 0:
		L = DefaultLag(T)
	case L < 0:
		L = 0
	}
	eff := min(L, T-2)
	hk.lag = L
	k := len(X)
	s := make([]float64, len(e)*k) // scores, row-major s[i*k+a]
	for i := range e {
		we := wt(w, i) * e[i]
		for a := range k {
			s[i*k+a] = X[a][i] * we
		}
	}
	var gam [][]float64 // Γ_0..Γ_eff, each k×k row-major
	if dk {
		gam = dkGammas(s, k, hk.time, T, eff)
	} else {
		var err error
		gam, err = nwGammas(s, k, hk, eff, opts.Workers)
		if err != nil {
			return nil, "", err
		}
	}
	meat := make([][]float64, k)
	for a := range meat {
		meat[a] = make([]float64, k)
		for b := range k {
			meat[a][b] = gam[0][a*k+b]
		}
	}
	for l := 1; l <= eff; l++ {
		kl := 1 - float64(l)/float64(L+1)
		for a := range k {
			for b := range k {
				meat[a][b] += kl * (gam[l][a*k+b] + gam[l][b*k+a])
			}
		}
	}
	symmetrize(meat)
	c := 1.0
	if !opts.SSC.NoAdj {
		c = float64(n-1) / float64(n-K)
	}
	if !opts.SSC.NoClusterAdj {
		c *= float64(T) / float64(T-1)
	}
	V := scale(sandwich(B, meat), c)
	note := ""
	if eff < L {
		note = fmt.Sprintf("HAC lag %d exceeds the %d periods less 2; lags above %d carry no terms", L, T, eff)
	}
	neg := false
	for a := range k {
		neg = neg || V[a][a] < 0
	}
	if opts.PSD == PSDEigen || (opts.PSD == PSDAuto && neg) {
		var fixed bool
		if V, fixed = psdFix(V); fixed {
			note = joinNote(note, "HAC variance was not positive semi-definite; negative eigenvalues set to zero")
		}
	}
	return V, note, nil
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// dkGammas returns Γ_l = Σ_t S_t S_{t−l}ᵀ for l = 0..L of the per-period
// score sums S_t.
func dkGammas(s []float64, k int, time []int32, T, L int) [][]float64 {
	S := make([]float64, T*k)
	for i, t := range time {
		row := S[int(t)*k : int(t)*k+k]
		for a := range k {
			row[a] += s[i*k+a]
		}
	}
	gam := make([][]float64, L+1)
	for l := range gam {
		g := make([]float64, k*k)
		for t := l; t < T; t++ {
			st, sl := S[t*k:t*k+k], S[(t-l)*k:(t-l)*k+k]
			for a := range k {
				for b := range k {
					g[a*k+b] += st[a] * sl[b]
				}
			}
		}
		gam[l] = g
	}
	return gam
}

// hacChunk is the number of sorted rows per parallel chunk of nwGammas;
// fixed so that sums do not depend on the number of workers.
const hacChunk = 1 << 14

// nwGammas returns Γ_l = Σ s_{u,t} s_{u,t−l}ᵀ over pairs of rows of the
// same unit l periods apart, l = 0..L. Rows are ordered by (unit, time)
// with a two-pass counting sort; a unit observed twice in a period is an
// error (fixest refuses it too).
func nwGammas(s []float64, k int, hk *hacKeys, L, workers int) ([][]float64, error) {
	n := len(hk.time)
	unit := hk.unit
	nunit := hk.nunit
	if unit == nil {
		unit, nunit = make([]int32, n), 1
	}
	// Counting sort by time, then stably by unit.
	byTime := countingOrder(nil, hk.time, hk.ntime)
	order := countingOrder(byTime, unit, nunit)
	for p := 1; p < n; p++ {
		i, j := order[p-1], order[p]
		if unit[i] == unit[j] && hk.time[i] == hk.time[j] {
			if hk.unit == nil {
				return nil, fmt.Errorf("econ: Newey–West variance for a time series needs unique periods; period rank %d occurs twice (give a panel unit)", hk.time[i]+1)
			}
			return nil, fmt.Errorf("econ: Newey–West variance needs one observation per unit and period; unit %d has two in period rank %d", unit[i], hk.time[i]+1)
		}
	}
	nch := (n + hacChunk - 1) / hacChunk
	parts := make([][]float64, nch) // per chunk: (L+1) k×k blocks
	forChunks(nch, workers, func(c int) {
		g := make([]float64, (L+1)*k*k)
		lo, hi := c*hacChunk, min((c+1)*hacChunk, n)
		for p := lo; p < hi; p++ {
			i := order[p]
			si := s[int(i)*k : int(i)*k+k]
			for q := p; q >= 0; q-- {
				j := order[q]
				if unit[j] != unit[i] {
					break
				}
				l := int(hk.time[i] - hk.time[j])
				if l > L {
					break
				}
				sj := s[int(j)*k : int(j)*k+k]
				blk := g[l*k*k : (l+1)*k*k]
				for a := range k {
					for b := range k {
						blk[a*k+b] += si[a] * sj[b]
					}
				}
			}
		}
		parts[c] = g
	})
	gam := make([][]float64, L+1)
	for l := range gam {
		gam[l] = make([]float64, k*k)
	}
	for _, g := range parts { // reduce in chunk order
		for l := range gam {
			blk := g[l*k*k : (l+1)*k*k]
			for x := range blk {
				gam[l][x] += blk[x]
			}
		}
	}
	return gam, nil
}

// countingOrder returns the indices 0..n-1 (or the permutation in, if
// given) stably ordered by key (values in [0, nkey)).
func countingOrder(in []int32, key []int32, nkey int) []int32 {
	n := len(key)
	count := make([]int, nkey+1)
	for _, v := range key {
		count[v+1]++
	}
	for g := 1; g <= nkey; g++ {
		count[g] += count[g-1]
	}
	out := make([]int32, n)
	for p := range n {
		i := int32(p)
		if in != nil {
			i = in[p]
		}
		v := key[i]
		out[count[v]] = i
		count[v]++
	}
	return out
}

// forChunks calls f(c) for c = 0..nch-1 on up to workers goroutines and
// returns when all calls have. Callers keep results per chunk and reduce
// them in chunk order, so output does not depend on workers.
func forChunks(nch, workers int, f func(c int)) {
	workers = max(1, min(workers, nch))
	if workers == 1 {
		for c := range nch {
			f(c)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				f(c)
			}
		}()
	}
	for c := range nch {
		next <- c
	}
	close(next)
	wg.Wait()
}
