package econ

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// StaggeredCohort is one adoption cohort of [StaggeredSDID]: the units
// that adopt in period Adoption, estimated against the never-treated units
// over all periods.
type StaggeredCohort struct {
	// Adoption is the label of the first treated period; Units are the
	// cohort's units (sorted); Treated = N_a^tr = len(Units); Post = T_a^post,
	// the number of periods from Adoption to the last period.
	Adoption int
	Units    []string
	Treated  int
	Post     int
	// Weight is N_a^tr T_a^post / Σ_b N_b^tr T_b^post, the cohort's share
	// of the overall estimate.
	Weight float64
	// Panel is the cohort's block (never-treated units first, then the
	// cohort's units; all periods, the first T0 before Adoption) and Result
	// the block estimate of [SyntheticDID] on it: Result.Estimate is τ̂_a,
	// Result.Omega and Result.Lambda its weights, Result.JackknifeSE
	// synthdid's jackknife on the block alone.
	Panel  *SynthPanel
	Result *SDIDResult
	// JackknifeSE, PlaceboSE and BootstrapSE are Stata sdid's per-cohort
	// standard errors (its e(tau) table), computed from the same
	// replications as the overall ones (see [StaggeredSDID]); NaN when not
	// computed.
	JackknifeSE, PlaceboSE, BootstrapSE float64
}

// StaggeredSDIDResult is the outcome of [StaggeredSDID].
type StaggeredSDIDResult struct {
	Method SDIDMethod
	// Estimate is the overall ATT Σ_a Weight_a τ̂_a.
	Estimate float64
	Cohorts  []StaggeredCohort
	// Controls are the never-treated units (sorted).
	Controls []string
	// JackknifeSE is Stata sdid's jackknife SE (NaN with a note when a
	// cohort has a single treated unit); PlaceboSE and BootstrapSE the
	// placebo and bootstrap SEs over the replications in Placebos and
	// Bootstraps (NaN when not requested).
	JackknifeSE, PlaceboSE, BootstrapSE float64
	Placebos, Bootstraps                []float64
	Seed                                uint64
	Notes                               []string
}

// staggered holds the full panel as a matrix for [StaggeredSDID]: rows are
// the never-treated units (sorted by label) and then the treated units
// (by adoption, then label); cohort[i] is the cohort index of row i (−1
// for never treated).
type staggered struct {
	names  []string
	times  []int
	y      []float64
	x      [][]float64 // covariates in opts.Covariates order
	n0     int
	cohort []int
	adopt  []int // cohort index → adoption period index
	opts   SDIDOptions
	// per cohort: the block setup, weights and position of each
	// never-treated row in the block (the identity: controls come first).
	setups  []sdidSetup
	omega   [][]float64
	lambda  [][]float64
	weights []float64
}

// StaggeredSDID estimates the average effect on the treated of a programme
// adopted in several waves (staggered adoption) by synthetic DID, SC or
// DID (opts.Method), as Arkhangelsky, Athey, Hirshberg, Imbens & Wager
// (2021, AER 111(12), Appendix A "staggered adoption") propose and Stata's
// sdid implements (Clarke, Pailañir, Athey & Imbens 2023, "On synthetic
// difference-in-differences and related estimation methods in Stata",
// Stata Journal 24(4); sdid.ado 2.0.6): for each adoption cohort a, the
// block of the cohort's units and the never-treated units over all periods
// (pre = before a) is estimated by [SyntheticDID] — exactly R synthdid
// 0.0.9 on that block — giving τ̂_a, and
//
//	τ̂ = Σ_a (N_a^tr T_a^post / Σ_b N_b^tr T_b^post) τ̂_a
//
// where N_a^tr is the cohort's size and T_a^post its number of periods
// from adoption on. d.Treat must switch on at each unit's adoption period
// and never off; units never treated are the controls of every cohort.
// Covariates (opts.Covariates) are adjusted for within each cohort block
// as [SyntheticDID] does (R's X argument, not Stata's projected option).
//
// Standard errors, as Stata sdid defines them for staggered designs:
//
//   - Jackknife (always, when every cohort has at least 2 treated units,
//     as Stata requires): leave each of the N units out in turn, recompute
//     every τ̂_a with the weights held fixed (ω renormalised over the
//     remaining controls, λ unchanged) and the aggregate with the remaining
//     cohort sizes; SE = sqrt((N−1)/N · (N−1) · var). The per-cohort SE is
//     the same formula over the N leave-one-out τ̂_a (N counts all units,
//     as Stata's e(tau) table does).
//   - Bootstrap (opts.Bootstrap draws): resample the N units with
//     replacement from PCG(Seed, r); redraw only while the sample has no
//     never-treated or no treated unit (a cohort absent from a draw is left
//     out of that draw's aggregate, whose weights use the drawn cohort
//     sizes, and out of that cohort's SE). In each cohort block of the draw
//     the noise level σ̂ and the ζ's are recomputed from the drawn units
//     (Stata does; R synthdid's block bootstrap keeps the original ones)
//     and the weights are re-optimised from the original λ and the
//     original ω of the drawn controls, renormalised.
//   - Placebo (opts.Placebo draws): drop the treated units; permute the
//     never-treated units with PCG(Seed, r) and give the first N^tr of them
//     the treatment paths of the treated units (in the order of their
//     labels), so each placebo cohort has the size and adoption period of a
//     real one; re-estimate as in the bootstrap on the remaining
//     N0 − N^tr controls.
//
// Every SE is sqrt((B−1)/B)·sd of its replications. Replication r depends
// only on (Seed, r), so results do not depend on Workers or GOMAXPROCS.
//
// Errors: *[SynthError] for the data problems [NewSynthPanel] reports
// other than different adoption periods (columns of different lengths,
// missing labels or outcomes, treatment other than 0/1, an unbalanced
// panel, treatment that switches off, treatment in the first period —
// Stata sdid refuses it too —, no never-treated unit), a bootstrap with a
// single treated unit in all, placebo replications without more
// never-treated than treated units, and any error [SyntheticDID] returns
// for a cohort's block (named by its adoption period).
func StaggeredSDID(d SynthData, outcome string, opts SDIDOptions) (*StaggeredSDIDResult, error) {
	st, r, err := staggeredFit(d, outcome, opts)
	if err != nil {
		return nil, err
	}
	opts = st.opts
	N := len(st.names)
	// jackknife
	small := []string{}
	for _, c := range r.Cohorts {
		if c.Treated < 2 {
			small = append(small, strconv.Itoa(c.Adoption))
		}
	}
	if len(small) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("no jackknife standard error: the cohort(s) adopting in %v have a single treated unit (Stata sdid requires at least 2 per cohort)", small))
	} else {
		atts, taus := st.jackknife()
		n := float64(N)
		r.JackknifeSE = math.Sqrt((n - 1) / n * (n - 1) * varSample(atts))
		for a := range r.Cohorts {
			r.Cohorts[a].JackknifeSE = math.Sqrt((n - 1) / n * (n - 1) * varSample(taus[a]))
		}
	}
	if opts.Bootstrap > 0 {
		atts, taus := st.replicate(opts.Bootstrap, st.bootDraw)
		r.Bootstraps = atts
		r.BootstrapSE = repSE(atts)
		for a := range r.Cohorts {
			r.Cohorts[a].BootstrapSE = repSE(taus[a])
			if len(taus[a]) < opts.Bootstrap {
				r.Notes = append(r.Notes, fmt.Sprintf("cohort %d is absent from %d of %d bootstrap draws; its SE uses the other %d", r.Cohorts[a].Adoption, opts.Bootstrap-len(taus[a]), opts.Bootstrap, len(taus[a])))
			}
		}
	}
	if opts.Placebo > 0 {
		atts, taus := st.replicate(opts.Placebo, st.placeboDraw)
		r.Placebos = atts
		r.PlaceboSE = repSE(atts)
		for a := range r.Cohorts {
			r.Cohorts[a].PlaceboSE = repSE(taus[a])
		}
	}
	return r, nil
}

// staggeredFit checks the data and options and computes the point
// estimates (no standard errors).
func staggeredFit(d SynthData, outcome string, opts SDIDOptions) (*staggered, *StaggeredSDIDResult, error) {
	if opts.Method < SDIDSynth || opts.Method > SDIDDID {
		panic("econ: StaggeredSDID: unknown method")
	}
	st, err := newStaggered(d, outcome, opts)
	if err != nil {
		return nil, nil, err
	}
	if opts.MaxIter <= 0 {
		opts.MaxIter = 10000
	}
	if opts.MaxIterPreSparsify <= 0 {
		opts.MaxIterPreSparsify = 100
	}
	st.opts = opts
	N := len(st.names)
	n1 := N - st.n0
	e := &SynthError{}
	if opts.Bootstrap > 0 && n1 < 2 {
		e.add("", "", "", "the bootstrap standard error needs more than one treated unit; use the placebo standard error")
	}
	if opts.Placebo > 0 && st.n0 <= n1 {
		e.add("", "", "", "placebo standard errors need more never-treated units (%d) than treated units (%d)", st.n0, n1)
	}
	if err := e.orNil(); err != nil {
		return nil, nil, err
	}
	r := &StaggeredSDIDResult{
		Method: opts.Method, Controls: slices.Clone(st.names[:st.n0]), Seed: opts.Seed,
		JackknifeSE: math.NaN(), PlaceboSE: math.NaN(), BootstrapSE: math.NaN(),
	}
	blockOpts := opts
	blockOpts.Placebo, blockOpts.Bootstrap = 0, 0
	K := len(st.adopt)
	T := len(st.times)
	var tot float64
	for a := range K {
		p := st.block(a)
		res, err := SyntheticDID(p, blockOpts)
		if err != nil {
			se, ok := err.(*SynthError)
			if !ok {
				return nil, nil, err
			}
			out := &SynthError{More: se.More}
			for _, is := range se.Issues {
				is.Msg = fmt.Sprintf("cohort adopting in %d: %s", st.times[st.adopt[a]], is.Msg)
				out.Issues = append(out.Issues, is)
			}
			return nil, nil, out
		}
		s, _, _ := sdidPrepare(p, opts)
		st.setups = append(st.setups, s)
		st.omega = append(st.omega, res.Omega)
		st.lambda = append(st.lambda, res.Lambda)
		c := StaggeredCohort{
			Adoption: st.times[st.adopt[a]], Units: slices.Clone(p.Units[st.n0:]),
			Treated: p.N() - st.n0, Post: T - st.adopt[a], Panel: p, Result: res,
			JackknifeSE: math.NaN(), PlaceboSE: math.NaN(), BootstrapSE: math.NaN(),
		}
		tot += float64(c.Treated * c.Post)
		r.Cohorts = append(r.Cohorts, c)
	}
	for a := range r.Cohorts {
		c := &r.Cohorts[a]
		c.Weight = float64(c.Treated*c.Post) / tot
		r.Estimate += c.Weight * c.Result.Estimate
	}
	return st, r, nil
}

// repSE is sqrt((B−1)/B)·sd(x), Stata sdid's bootstrap and placebo SE.
func repSE(x []float64) float64 {
	if len(x) < 2 {
		return math.NaN()
	}
	k := float64(len(x))
	return math.Sqrt((k-1)/k) * sdSample(x)
}

// newStaggered checks d and arranges it as a matrix.
func newStaggered(d SynthData, outcome string, opts SDIDOptions) (*staggered, error) {
	treat := d.TreatName
	if outcome == "" {
		outcome = "outcome"
	}
	if treat == "" {
		treat = "treat"
	}
	e := &SynthError{}
	n := len(d.Unit)
	if len(d.Time) != n || len(d.Outcome) != n || len(d.Treat) != n {
		e.add("", "", "", "columns of different lengths: unit %d, time %d, outcome %d, treat %d", n, len(d.Time), len(d.Outcome), len(d.Treat))
		return nil, e
	}
	for _, c := range opts.Covariates {
		x, ok := d.Covariates[c]
		switch {
		case !ok:
			e.add("", "", c, "no such covariate column")
		case len(x) != n:
			e.add("", "", c, "has %d rows, want %d", len(x), n)
		}
	}
	if n == 0 {
		e.add("", "", "", "no rows")
	}
	if err := e.orNil(); err != nil {
		return nil, err
	}
	lay, ok := layoutSynth(d, outcome, treat, "synthetic DID", e)
	if !ok {
		return nil, e
	}
	names, times, row, first := lay.names, lay.times, lay.row, lay.first
	N, T := len(names), len(times)
	ts := strconv.Itoa
	for i, u := range names {
		if first[i] == 0 {
			e.add(u, ts(times[0]), treat, "treated in the first period: no pre-treatment periods (drop units treated throughout, as Stata sdid requires)")
		}
	}
	if err := e.orNil(); err != nil {
		return nil, err
	}
	order := make([]int, N)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		// never treated (first == T) first, then by adoption; names stay
		// sorted within each group
		ka, kb := first[a], first[b]
		if ka == T {
			ka = -1
		}
		if kb == T {
			kb = -1
		}
		return ka - kb
	})
	st := &staggered{times: times, y: make([]float64, N*T), cohort: make([]int, N)}
	for range opts.Covariates {
		st.x = append(st.x, make([]float64, N*T))
	}
	for k, i := range order {
		st.names = append(st.names, names[i])
		if first[i] == T {
			st.n0++
			st.cohort[k] = -1
		} else {
			if len(st.adopt) == 0 || st.adopt[len(st.adopt)-1] != first[i] {
				st.adopt = append(st.adopt, first[i])
			}
			st.cohort[k] = len(st.adopt) - 1
		}
		for j := range T {
			r := row[i*T+j]
			st.y[k*T+j] = d.Outcome[r]
			for c, name := range opts.Covariates {
				st.x[c][k*T+j] = d.Covariates[name][r]
			}
		}
	}
	if st.n0 == 0 {
		e.add("", "", treat, "no never-treated unit: staggered synthetic DID compares each cohort with units never treated")
	}
	if st.n0 == N {
		e.add("", "", treat, "no treated unit")
	}
	return st, e.orNil()
}

// block returns the SynthPanel of cohort a: the never-treated rows and
// then the cohort's rows, all periods, pre = before its adoption.
func (st *staggered) block(a int) *SynthPanel {
	var idx []int
	for i, c := range st.cohort {
		if c == -1 || c == a {
			idx = append(idx, i)
		}
	}
	d := st.data(idx, a)
	p := &SynthPanel{Times: st.times, Y: d.y, N0: st.n0, T0: st.adopt[a]}
	for _, i := range idx {
		p.Units = append(p.Units, st.names[i])
	}
	if len(st.opts.Covariates) > 0 {
		p.X = map[string][]float64{}
		for c, name := range st.opts.Covariates {
			p.X[name] = d.x[c]
		}
	}
	return p
}

// data returns the sdidData of the rows idx (controls first) for cohort a.
func (st *staggered) data(idx []int, a int) sdidData {
	n0 := 0
	for _, i := range idx {
		if st.cohort[i] == -1 {
			n0++
		}
	}
	full := sdidData{y: st.y, x: st.x, N: len(st.names), T: len(st.times), t0: st.adopt[a]}
	return full.rows(idx, n0)
}

// jackknife returns the leave-one-unit-out aggregates and, per cohort,
// the leave-one-out estimates with fixed weights (Stata sdid's jk).
func (st *staggered) jackknife() (atts []float64, taus [][]float64) {
	N, K := len(st.names), len(st.adopt)
	atts = make([]float64, N)
	taus = make([][]float64, K)
	for a := range taus {
		taus[a] = make([]float64, N)
	}
	synthParallel(N, st.opts.Workers, func(leave int) {
		var num, den float64
		for a := range K {
			var idx, ctrl []int
			for i, c := range st.cohort {
				if i == leave {
					continue
				}
				if c == -1 {
					idx = append(idx, i)
					ctrl = append(ctrl, i)
				}
			}
			n1 := 0
			for i, c := range st.cohort {
				if i != leave && c == a {
					idx = append(idx, i)
					n1++
				}
			}
			om := make([]float64, len(ctrl))
			for k, i := range ctrl {
				om[k] = st.omega[a][i]
			}
			sumNormalize(om)
			fixed := st.setups[a]
			fixed.updateOmega, fixed.updateLambda = false, false
			tau, _ := fixed.estimate(st.data(idx, a), om, st.lambda[a])
			taus[a][leave] = tau
			w := float64(n1 * (len(st.times) - st.adopt[a]))
			num += w * tau
			den += w
		}
		atts[leave] = num / den
	})
	return atts, taus
}

// replicate runs reps draws of draw in parallel and collects the
// aggregates and, per cohort, the estimates of the draws that contain it.
func (st *staggered) replicate(reps int, draw func(r int) []float64) (atts []float64, taus [][]float64) {
	K := len(st.adopt)
	all := make([][]float64, reps)
	synthParallel(reps, st.opts.Workers, func(r int) { all[r] = draw(r) })
	atts = make([]float64, reps)
	taus = make([][]float64, K)
	for r, v := range all {
		atts[r] = v[K]
		for a := range K {
			if !math.IsNaN(v[a]) {
				taus[a] = append(taus[a], v[a])
			}
		}
	}
	return atts, taus
}

// bootDraw is bootstrap draw r: the per-cohort estimates (NaN for a cohort
// not drawn) followed by the aggregate.
func (st *staggered) bootDraw(r int) []float64 {
	N := len(st.names)
	rng := rand.New(rand.NewPCG(st.opts.Seed, uint64(r)))
	idx := make([]int, N)
	for {
		m0 := 0
		for k := range idx {
			idx[k] = rng.IntN(N)
			if idx[k] < st.n0 {
				m0++
			}
		}
		if m0 > 0 && m0 < N {
			break
		}
	}
	return st.drawEstimates(st.bootRows(idx))
}

// bootRows sorts the drawn units idx in place and returns them with their
// cohorts.
func (st *staggered) bootRows(idx []int) (rows, cohortOf []int) {
	slices.Sort(idx)
	cohortOf = make([]int, len(idx))
	for k, i := range idx {
		cohortOf[k] = st.cohort[i]
	}
	return idx, cohortOf
}

// placeboDraw is placebo draw r: the never-treated units permuted, the
// first N^tr of them given the treated units' adoption periods in order.
func (st *staggered) placeboDraw(r int) []float64 {
	rng := rand.New(rand.NewPCG(st.opts.Seed, uint64(r)))
	return st.drawEstimates(st.placeboRows(rng.Perm(st.n0)))
}

// placeboRows returns the rows of the placebo draw with the permutation
// perm of the never-treated units, and their cohorts.
func (st *staggered) placeboRows(perm []int) (rows, cohortOf []int) {
	N, n0 := len(st.names), st.n0
	cohort := make([]int, n0)
	for k := range cohort {
		cohort[k] = -1
	}
	// treated rows n0..N−1 are sorted by adoption then label; Stata assigns
	// the paths in label order
	tr := make([]int, 0, N-n0)
	for i := n0; i < N; i++ {
		tr = append(tr, i)
	}
	slices.SortFunc(tr, func(a, b int) int {
		switch {
		case st.names[a] < st.names[b]:
			return -1
		case st.names[a] > st.names[b]:
			return 1
		}
		return 0
	})
	for j, i := range tr {
		cohort[perm[j]] = st.cohort[i]
	}
	// rows: pseudo-controls first (in label order), then pseudo-treated
	rows = make([]int, 0, n0)
	cohortOf = make([]int, 0, n0)
	for i := range n0 {
		if cohort[i] == -1 {
			rows = append(rows, i)
			cohortOf = append(cohortOf, -1)
		}
	}
	for i := range n0 {
		if cohort[i] != -1 {
			rows = append(rows, i)
			cohortOf = append(cohortOf, cohort[i])
		}
	}
	return rows, cohortOf
}

// drawEstimates estimates every cohort on the rows idx of a replication
// (controls, cohortOf −1, first) with σ̂ and the ζ's recomputed, the
// weights re-optimised from the original ones (ω of the drawn controls,
// renormalised), and returns the estimates (NaN for an absent cohort)
// followed by the aggregate weighted by drawn cohort size × post periods.
func (st *staggered) drawEstimates(idx, cohortOf []int) []float64 {
	K, T := len(st.adopt), len(st.times)
	out := make([]float64, K+1)
	var ctrl []int
	for k, i := range idx {
		if cohortOf[k] == -1 {
			ctrl = append(ctrl, i)
		}
	}
	var num, den float64
	for a := range K {
		rows := slices.Clone(ctrl)
		for k, i := range idx {
			if cohortOf[k] == a {
				rows = append(rows, i)
			}
		}
		n1 := len(rows) - len(ctrl)
		if n1 == 0 {
			out[a] = math.NaN()
			continue
		}
		d := st.data(rows, a)
		d.n0 = len(ctrl) // placebo: the pseudo-treated are never-treated rows
		p := &SynthPanel{Units: make([]string, d.N), Times: st.times, Y: d.y, N0: d.n0, T0: d.t0}
		s, om0, lam0 := sdidPrepare(p, st.opts)
		om := om0
		if om == nil {
			om = make([]float64, len(ctrl))
			for k, i := range ctrl {
				om[k] = st.omega[a][i]
			}
			sumNormalize(om)
		}
		lam := lam0
		if lam == nil {
			lam = st.lambda[a]
		}
		tau, _ := s.estimate(d, om, lam)
		out[a] = tau
		w := float64(n1 * (T - st.adopt[a]))
		num += w * tau
		den += w
	}
	out[K] = num / den
	return out
}
