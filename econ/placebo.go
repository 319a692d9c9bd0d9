package econ

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// PlaceboMode says what a permutation reassigns.
type PlaceboMode int

const (
	// PermuteUnits shuffles the units' adoption periods across units: the
	// same number of units is treated in each period as in the data, but
	// which units are treated is random (Fisher's randomisation test of
	// the sharp null of no effect under random assignment of units).
	PermuteUnits PlaceboMode = iota
	// PermuteTiming keeps the treated units and draws each one's adoption
	// period uniformly from the 2nd to the last sample period (so it has
	// at least one period before and one after).
	PermuteTiming
	// PermuteBoth draws as many treated units as in the data uniformly at
	// random, each with an adoption period drawn as in PermuteTiming: the
	// "random units, random years" placebo common in the smart-city
	// literature.
	PermuteBoth
)

func (m PlaceboMode) String() string {
	switch m {
	case PermuteUnits:
		return "units"
	case PermuteTiming:
		return "timing"
	case PermuteBoth:
		return "both"
	}
	return fmt.Sprintf("PlaceboMode(%d)", int(m))
}

// PlaceboSpec describes a permutation test of a staggered-adoption
// treatment D_it = 1{Time_it ≥ Cohort_i}.
type PlaceboSpec struct {
	// Formula is the model, e.g. "y ~ treat + x | unit + year"; Treat must
	// be one of its plain regressors and appear in no other term.
	Formula string
	Treat   string
	// Unit, Time and Cohort name the unit column, the numeric time column
	// and the numeric first-treated-period column (constant within unit;
	// NaN, ±Inf, a value in Never, or later than the last period: never
	// treated). Treat must equal 1{Time ≥ Cohort} on every row used.
	Unit, Time, Cohort string
	Never              []float64
	Mode               PlaceboMode
	Draws              int    // permutations (default 1000)
	Seed               uint64 // PCG seed; chunk c of draws uses stream (Seed, c)
	// General forces the general inner loop (demean the permuted
	// treatment every draw) even when the closed form applies; for tests
	// and benchmarks.
	General bool
}

// Placebo is a permutation distribution of the treatment coefficient.
type Placebo struct {
	Mode     PlaceboMode
	Seed     uint64
	Estimate float64   // the coefficient with the actual assignment
	Draws    []float64 // the coefficient in each permutation, in draw order
	// P is the two-sided permutation p-value
	// (1 + #{r: |β_r| ≥ |β̂|}) / (R + 1) over the R valid draws, counting
	// the actual assignment
	// as one of the permutations so that P is never 0 (Phipson & Smyth
	// 2010); PLower and PUpper are the one-sided versions.
	P, PLower, PUpper float64
	Mean, SD          float64 // of Draws
	// Invalid counts draws whose reassigned treatment was collinear with
	// the fixed effects (NaN in Draws); they are left out of P, Mean and SD.
	Invalid int
	// Method says which inner loop ran: "closed-form two-way" or
	// "demean per draw".
	Method  string
	Units   int // units in the sample
	Treated int // treated units in the sample
}

// placeboData is what does not change between permutations.
type placeboData struct {
	m       int
	nu, nt  int
	unit    []int32   // row → unit index (dense)
	tidx    []int32   // row → time index (0..nt−1, ascending time)
	cohort  []int32   // unit → first treated time index (nt: never)
	w       []float64 // nil: unweighted
	ydd     []float64 // ÿ: y demeaned and residualised on the controls
	xc      [][]float64
	gramInv [][]float64 // (X̃c'WX̃c)⁻¹
	fe      *fixedEffects
	tol     float64
	maxIter int
	closed  bool        // balanced unit × time: closed-form D'D̃
	sufY    []float64   // closed: sufY[u*(nt+1)+c] = Σ_{t≥c} ÿ_ut
	sufX    [][]float64 // closed: per control, same layout
	treated []int32     // units treated in the data
}

// Permute estimates the model, then reassigns the treatment spec.Draws
// times as spec.Mode says and re-estimates the treatment coefficient each
// time, in parallel over opts.Workers; the draws are identical for any
// number of workers or GOMAXPROCS (draw chunks of fixed size, chunk c with
// its own PCG stream (Seed, c), results stored by draw index).
//
// The inner loop reuses everything the permutation does not change (the
// Frisch–Waugh–Lovell theorem): y and the controls X are demeaned once and
// ÿ = M_X̃ ỹ is formed once; a draw then needs only
//
//	β = D'Wÿ / (D'WD̃ − (X̃'WD)' (X̃'WX̃)⁻¹ (X̃'WD)),
//
// using D̃'Wÿ = D'Wÿ and X̃'WD̃ = X̃'WD (projections are idempotent), so
// only the permuted D is demeaned. On a balanced unit × time panel with
// exactly unit and time fixed effects and no weights, even that is
// avoided: D̃ = D − D̄_u − D̄_t + D̄, so D'D̃ = ΣD − TΣ_u D̄_u² − NΣ_t D̄_t² +
// n D̄², and D'ÿ, X̃'D come from per-unit suffix sums: each draw costs
// O(N·(1+k) + T) instead of O(n·iterations).
func Permute(data *Frame, spec PlaceboSpec, opts Options) (*Placebo, error) {
	opts.defaults()
	if spec.Draws <= 0 {
		spec.Draws = 1000
	}
	if spec.Mode < PermuteUnits || spec.Mode > PermuteBoth {
		return nil, fmt.Errorf("econ: placebo: unknown mode %d", spec.Mode)
	}
	pd, est, err := preparePlacebo(data, spec, opts)
	if err != nil {
		return nil, err
	}
	out := &Placebo{Mode: spec.Mode, Seed: spec.Seed, Estimate: est, Draws: make([]float64, spec.Draws),
		Units: pd.nu, Treated: len(pd.treated), Method: "demean per draw"}
	if pd.closed {
		out.Method = "closed-form two-way"
	}
	if pd.nt < 3 && spec.Mode != PermuteUnits {
		return nil, fmt.Errorf("econ: placebo: random timing needs at least 3 periods, have %d", pd.nt)
	}
	const chunk = 32
	nchunks := (spec.Draws + chunk - 1) / chunk
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(opts.Workers, nchunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := pd.newScratch()
			for {
				c := int(next.Add(1)) - 1
				if c >= nchunks {
					return
				}
				rng := rand.New(rand.NewPCG(spec.Seed, uint64(c)))
				for r := c * chunk; r < min((c+1)*chunk, spec.Draws); r++ {
					pd.draw(rng, spec.Mode, s.cohort, s.perm)
					out.Draws[r] = pd.beta(s.cohort, s)
				}
			}
		}()
	}
	wg.Wait()
	var sum, sum2 float64
	ge, le, ae, valid := 1, 1, 1, 0
	tol := 1e-10 * math.Max(math.Abs(est), 1e-300)
	for _, b := range out.Draws {
		if math.IsNaN(b) {
			out.Invalid++
			continue
		}
		valid++
		sum += b
		if math.Abs(b) >= math.Abs(est)-tol {
			ae++
		}
		if b >= est-tol {
			ge++
		}
		if b <= est+tol {
			le++
		}
	}
	if valid == 0 {
		return nil, fmt.Errorf("econ: placebo: the treatment is collinear with the fixed effects in every one of %d permutations", spec.Draws)
	}
	R := float64(valid)
	out.Mean = sum / R
	for _, b := range out.Draws {
		if !math.IsNaN(b) {
			sum2 += (b - out.Mean) * (b - out.Mean)
		}
	}
	if valid > 1 {
		out.SD = math.Sqrt(sum2 / (R - 1))
	}
	out.P = float64(ae) / (R + 1)
	out.PUpper = float64(ge) / (R + 1)
	out.PLower = float64(le) / (R + 1)
	return out, nil
}

type placeboScratch struct {
	cohort []int32
	perm   []int32
	d      []float64 // general: D over rows
	dd     []float64 // general: D̃
	work   *demeanWork
	xd     []float64 // X̃'WD
	cnt    []float64 // closed: treated units per time index
}

func (pd *placeboData) newScratch() *placeboScratch {
	s := &placeboScratch{cohort: make([]int32, pd.nu), perm: make([]int32, pd.nu), xd: make([]float64, len(pd.xc))}
	if pd.closed {
		s.cnt = make([]float64, pd.nt+1)
	} else {
		s.d = make([]float64, pd.m)
		s.dd = make([]float64, pd.m)
		s.work = pd.fe.newWork()
	}
	return s
}

// draw stores a random assignment (cohort time index per unit, nt = never)
// in cohort.
func (pd *placeboData) draw(rng *rand.Rand, mode PlaceboMode, cohort, perm []int32) {
	nt := int32(pd.nt)
	switch mode {
	case PermuteUnits:
		copy(cohort, pd.cohort)
		for i := len(cohort) - 1; i > 0; i-- {
			j := rng.IntN(i + 1)
			cohort[i], cohort[j] = cohort[j], cohort[i]
		}
	case PermuteTiming:
		copy(cohort, pd.cohort)
		for _, u := range pd.treated {
			cohort[u] = 1 + int32(rng.IntN(pd.nt-1))
		}
	case PermuteBoth:
		for i := range perm {
			perm[i] = int32(i)
		}
		// Partial Fisher–Yates: the first len(treated) entries are a
		// uniform random subset.
		k := len(pd.treated)
		for i := range k {
			j := i + rng.IntN(len(perm)-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		for i := range cohort {
			cohort[i] = nt
		}
		for _, u := range perm[:k] {
			cohort[u] = 1 + int32(rng.IntN(pd.nt-1))
		}
	}
}

// beta returns the FWL treatment coefficient for the assignment cohort.
func (pd *placeboData) beta(cohort []int32, s *placeboScratch) float64 {
	k := len(pd.xc)
	var num, dd float64
	if pd.closed {
		nt, nu := pd.nt, pd.nu
		clear(s.cnt)
		clear(s.xd)
		var sumD, sumUnit2 float64
		for u, c := range cohort {
			base := u*(nt+1) + int(c)
			num += pd.sufY[base]
			for j := range k {
				s.xd[j] += pd.sufX[j][base]
			}
			treatedT := float64(nt - int(c))
			sumD += treatedT
			sumUnit2 += treatedT * treatedT / float64(nt)
			s.cnt[c]++
		}
		// Treated units at time t: those with cohort ≤ t.
		var sumTime2, running float64
		for t := range nt {
			running += s.cnt[t]
			sumTime2 += running * running / float64(nu)
		}
		n := float64(nu * nt)
		dd = sumD - sumUnit2 - sumTime2 + sumD*sumD/n
	} else {
		for i := range s.d {
			s.d[i] = 0
			if pd.tidx[i] >= cohort[pd.unit[i]] {
				s.d[i] = 1
			}
		}
		pd.fe.demean(s.dd, s.d, pd.tol, pd.maxIter, s.work)
		clear(s.xd)
		for i, d := range s.d {
			if d == 0 {
				continue
			}
			wi := wt(pd.w, i)
			num += wi * pd.ydd[i]
			dd += wi * s.dd[i]
			for j := range k {
				s.xd[j] += wi * pd.xc[j][i]
			}
		}
	}
	for a := range k {
		for b := range k {
			dd -= s.xd[a] * pd.gramInv[a][b] * s.xd[b]
		}
	}
	if dd <= 0 {
		return math.NaN() // the permuted treatment is collinear with the fixed effects
	}
	return num / dd
}

// preparePlacebo checks the spec, fits the actual model and precomputes
// what the permutations share. It returns the actual coefficient computed
// by the same FWL kernel (equal to Estimate's to rounding).
func preparePlacebo(data *Frame, spec PlaceboSpec, opts Options) (*placeboData, float64, error) {
	f, err := ParseFormula(spec.Formula)
	if err != nil {
		return nil, 0, err
	}
	if err := checkTreatTerm(f, spec.Treat); err != nil {
		return nil, 0, err
	}
	if len(f.FE) == 0 {
		return nil, 0, errors.New("econ: placebo: the formula needs fixed effects (e.g. | unit + year)")
	}
	fit, err := Estimate(data, spec.Formula, opts)
	if err != nil {
		return nil, 0, err
	}
	if _, ok := fit.Coef(spec.Treat); !ok {
		return nil, 0, &CollinearError{Dropped: []string{spec.Treat}}
	}
	d, err := f.Design(data)
	if err != nil {
		return nil, 0, err
	}
	rows := fit.Rows
	pd := &placeboData{m: len(rows), tol: opts.Tol, maxIter: opts.MaxIter}
	if opts.Weights != "" {
		wv, _ := data.Float(opts.Weights)
		pd.w = gather(wv, rows)
	}

	// Unit and time indices, cohorts.
	uc, _, ok := data.groups(spec.Unit)
	if !ok {
		return nil, 0, fmt.Errorf("econ: placebo: no unit column %q", spec.Unit)
	}
	tm, ok := data.Float(spec.Time)
	if !ok {
		return nil, 0, fmt.Errorf("econ: placebo: no numeric time column %q", spec.Time)
	}
	co, ok := data.Float(spec.Cohort)
	if !ok {
		return nil, 0, fmt.Errorf("econ: placebo: no numeric cohort column %q", spec.Cohort)
	}
	treat, _ := data.Float(spec.Treat)
	pd.unit, pd.nu = denseCodes(uc, rows)
	times := make([]float64, 0, 32)
	for _, i := range rows {
		if !isFinite(tm[i]) {
			return nil, 0, fmt.Errorf("econ: placebo: row %d: missing time", i+1)
		}
		times = append(times, tm[i])
	}
	slices.Sort(times)
	times = slices.Compact(times)
	pd.nt = len(times)
	pd.tidx = make([]int32, pd.m)
	pd.cohort = make([]int32, pd.nu)
	for u := range pd.cohort {
		pd.cohort[u] = -1
	}
	for a, i := range rows {
		pd.tidx[a] = int32(sort.SearchFloat64s(times, tm[i]))
		c := int32(pd.nt)
		if v := co[i]; isFinite(v) && !slices.Contains(spec.Never, v) {
			c = int32(sort.SearchFloat64s(times, v)) // first sample time ≥ cohort
		}
		u := pd.unit[a]
		switch pd.cohort[u] {
		case -1:
			pd.cohort[u] = c
		case c:
		default:
			return nil, 0, fmt.Errorf("econ: placebo: row %d: cohort %v differs from the unit's earlier rows", i+1, co[i])
		}
		want := 0.0
		if pd.tidx[a] >= c {
			want = 1
		}
		if treat[i] != want {
			return nil, 0, fmt.Errorf("econ: placebo: row %d: %s = %v but %s = %v and %s = %v give %v", i+1, spec.Treat, treat[i], spec.Time, tm[i], spec.Cohort, co[i], want)
		}
	}
	for u, c := range pd.cohort {
		if c < int32(pd.nt) {
			pd.treated = append(pd.treated, int32(u))
		}
	}

	// Demean y and the kept controls once, all columns in one pass.
	var ctrl []int
	for j, name := range d.XNames {
		if name == spec.Treat {
			continue
		}
		if _, kept := fit.Coef(name); kept {
			ctrl = append(ctrl, j)
		}
	}
	codes := make([][]int32, len(d.FE))
	ng := make([]int, len(d.FE))
	for q, c := range d.FE {
		codes[q], ng[q] = denseCodes(c, rows)
	}
	pd.fe = newFixedEffects(codes, ng, pd.w)
	src := [][]float64{gather(d.Y, rows)}
	for _, j := range ctrl {
		src = append(src, gather(d.X[j], rows))
	}
	dst := make([][]float64, len(src))
	for j := range dst {
		dst[j] = make([]float64, pd.m)
	}
	stats := pd.fe.demeanColumns(dst, src, opts.Tol, opts.MaxIter, opts.Workers)
	for j, s := range stats {
		if !s.Converged {
			return nil, 0, &ConvergenceError{[]string{append([]string{d.YName}, d.XNames...)[j]}, opts.MaxIter}
		}
	}
	ytil := dst[0]
	pd.xc = dst[1:]
	k := len(pd.xc)
	pd.ydd = slices.Clone(ytil)
	if k > 0 {
		g := mat.NewSymDense(k, nil)
		xy := mat.NewVecDense(k, nil)
		for a := range k {
			for b := a; b < k; b++ {
				var s float64
				for i := range pd.m {
					s += wt(pd.w, i) * pd.xc[a][i] * pd.xc[b][i]
				}
				g.SetSym(a, b, s)
			}
			var s float64
			for i := range pd.m {
				s += wt(pd.w, i) * pd.xc[a][i] * ytil[i]
			}
			xy.SetVec(a, s)
		}
		var ch mat.Cholesky
		if !ch.Factorize(g) {
			return nil, 0, errors.New("econ: placebo: the controls are collinear after demeaning")
		}
		var inv mat.SymDense
		if err := ch.InverseTo(&inv); err != nil {
			return nil, 0, fmt.Errorf("econ: placebo: %w", err)
		}
		pd.gramInv = make([][]float64, k)
		for a := range k {
			pd.gramInv[a] = make([]float64, k)
			for b := range k {
				pd.gramInv[a][b] = inv.At(a, b)
			}
		}
		var gamma mat.VecDense
		if err := ch.SolveVecTo(&gamma, xy); err != nil {
			return nil, 0, fmt.Errorf("econ: placebo: %w", err)
		}
		for i := range pd.ydd {
			for a := range k {
				pd.ydd[i] -= pd.xc[a][i] * gamma.AtVec(a)
			}
		}
	}

	// Closed form: exactly unit and time fixed effects, balanced, no weights.
	pd.closed = !spec.General && pd.w == nil && len(f.FE) == 2 && pd.m == pd.nu*pd.nt &&
		feIs(f.FE, spec.Unit, spec.Time)
	if pd.closed {
		seen := make([]bool, pd.m)
		for a := range pd.m {
			cell := int(pd.unit[a])*pd.nt + int(pd.tidx[a])
			if seen[cell] {
				pd.closed = false
				break
			}
			seen[cell] = true
		}
	}
	if pd.closed {
		nt := pd.nt
		grid := func(x []float64) []float64 {
			suf := make([]float64, pd.nu*(nt+1))
			for a, v := range x {
				suf[int(pd.unit[a])*(nt+1)+int(pd.tidx[a])] = v
			}
			for u := range pd.nu {
				row := suf[u*(nt+1) : (u+1)*(nt+1)]
				for t := nt - 1; t >= 0; t-- {
					row[t] += row[t+1]
				}
			}
			return suf
		}
		pd.sufY = grid(pd.ydd)
		pd.sufX = make([][]float64, k)
		for j := range k {
			pd.sufX[j] = grid(pd.xc[j])
		}
	}
	s := pd.newScratch()
	est := pd.beta(pd.cohort, s)
	return pd, est, nil
}

// feIs reports whether the fixed effects are exactly the single variables
// a and b, in either order.
func feIs(fe []FETerm, a, b string) bool {
	if len(fe) != 2 || len(fe[0].Vars) != 1 || len(fe[1].Vars) != 1 {
		return false
	}
	x, y := fe[0].Vars[0], fe[1].Vars[0]
	return (x == a && y == b) || (x == b && y == a)
}

// checkTreatTerm checks that treat is a plain regressor of f and appears
// nowhere else on the right-hand side.
func checkTreatTerm(f *Formula, treat string) error {
	plain, other := false, false
	var walk func(e *Expr) bool
	walk = func(e *Expr) bool {
		if e == nil {
			return false
		}
		return e.Name == treat || e.By == treat || walk(e.Arg)
	}
	for _, t := range f.Terms {
		if len(t.Factors) == 1 && t.Factors[0].Kind == ExprVar && t.Factors[0].Name == treat {
			plain = true
			continue
		}
		for _, e := range t.Factors {
			other = other || walk(e)
		}
	}
	if !plain {
		return fmt.Errorf("econ: placebo: treatment %q is not a regressor of %q", treat, f.Text)
	}
	if other {
		return fmt.Errorf("econ: placebo: treatment %q also appears in an interaction or transformation; permuting it alone would be inconsistent", treat)
	}
	return nil
}
