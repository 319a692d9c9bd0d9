package demo

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/cityimpact/cityimpact/panel"
)

// Dataset is a generated synthetic panel with its treatments and true
// effects.
type Dataset struct {
	// Options are the resolved options (defaults filled in, units selected
	// and tiers assigned).
	Options Options
	// Annual holds every indicator by year; monthly indicators are rolled
	// up by their aggregation (the mean of the twelve complete monthly
	// values, so an annual value exists even when some months are missing).
	Annual *panel.Panel
	// Monthly holds the monthly indicators by month (nil unless
	// Options.Monthly).
	Monthly *panel.Panel
	// Treatments are the synthetic pilot adoptions, also attached to both
	// panels.
	Treatments []panel.Adoption
	// SyntheticTiers lists the codes of units whose tier was made up.
	SyntheticTiers []string
	// Truth holds the true effects.
	Truth *Truth
}

// OptionsError reports invalid Options (a bad year range, an unknown
// indicator in an effect …).
type OptionsError struct{ Err error }

func (e *OptionsError) Error() string { return e.Err.Error() }
func (e *OptionsError) Unwrap() error { return e.Err }

// UserFacing reports that the error is caused by the caller's options.
func (*OptionsError) UserFacing() bool { return true }

// chunkUnits is the number of units per work item: output is reduced in
// chunk order, so it must not depend on the number of workers.
const chunkUnits = 32

// streamOf returns the PCG stream of a (unit, tag) pair: FNV-1a of both.
// Keying streams by unit code and indicator code keeps a city's series the
// same whatever other units or indicators are generated with it.
func streamOf(code, tag string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(code))
	h.Write([]byte{0})
	h.Write([]byte(tag))
	return h.Sum64()
}

// gen holds what the per-unit work needs.
type gen struct {
	o       Options
	specs   []IndicatorSpec
	years   int
	months  int
	cohort  []int // adoption year per unit, 0 if never
	devs    []float64
	eff     []*Effect     // per indicator, nil if none
	effIdx  []int         // per indicator, index into effect list or −1
	sizeU   []float64     // per indicator: signed full effect in units
	season  [][12]float64 // per indicator: sin(2π(m−1)/12 + phase) by month
	cIndex  map[int]int
	monthly []int // indicator indices that are monthly
	monPos  []int // per indicator: position among monthly ones or −1
}

// Generate builds a synthetic city panel. It is deterministic: the same
// options give the same data for any GOMAXPROCS and Workers, because every
// (unit, indicator) pair draws from its own PCG stream keyed by the seed
// and the codes, and sums are reduced in a fixed order.
func Generate(opts Options) (*Dataset, error) {
	o, synth, err := opts.resolve()
	if err != nil {
		return nil, &OptionsError{err}
	}
	g := &gen{o: o, specs: o.Indicators, years: o.EndYear - o.StartYear + 1}
	g.months = 12 * g.years
	n := len(o.Units)
	nk := len(g.specs)

	// Treatment assignment.
	adoptions, cohort := assign(o)
	g.cohort = cohort

	// Development scores.
	g.devs = make([]float64, n)
	for i, u := range o.Units {
		rng := rand.New(rand.NewPCG(o.Seed, streamOf(u.Code, "dev")))
		g.devs[i] = tierScore[u.Tier] + regionScore[u.Region] + 0.4*rng.NormFloat64()
	}

	g.eff = make([]*Effect, nk)
	g.effIdx = make([]int, nk)
	g.sizeU = make([]float64, nk)
	g.season = make([][12]float64, nk)
	g.monPos = make([]int, nk)
	byCode := map[string]int{}
	for k, s := range g.specs {
		byCode[s.Code] = k
		g.effIdx[k] = -1
		g.monPos[k] = -1
		phase := 2 * math.Pi * float64(streamOf(s.Code, "phase")>>11) / (1 << 53)
		for m := range 12 {
			g.season[k][m] = math.Sin(2*math.Pi*float64(m)/12 + phase)
		}
		if s.Freq == panel.Month {
			g.monPos[k] = len(g.monthly)
			g.monthly = append(g.monthly, k)
		}
	}
	effK := make([]int, len(o.Effects)) // effect j → indicator index
	for j := range o.Effects {
		k := byCode[o.Effects[j].Indicator]
		effK[j] = k
		g.eff[k] = &o.Effects[j]
		g.effIdx[k] = j
	}

	// Cohorts present in the data.
	var cohorts []int
	for _, c := range cohort {
		if c != 0 && !slices.Contains(cohorts, c) {
			cohorts = append(cohorts, c)
		}
	}
	slices.Sort(cohorts)
	g.cIndex = map[int]int{}
	cohortUnits := make([]int, len(cohorts))
	for i, c := range cohorts {
		g.cIndex[c] = i
	}
	for _, c := range cohort {
		if c != 0 {
			cohortUnits[g.cIndex[c]]++
		}
	}

	// Base-year sd for effects in sd units.
	firstAdopt := o.EndYear + 1
	if len(cohorts) > 0 {
		firstAdopt = cohorts[0]
	}
	baseYear := make([]int, nk)
	sds := make([]float64, nk)
	needSD := false
	for k, s := range g.specs {
		b := max(firstAdopt-1, s.Since, o.StartYear)
		baseYear[k] = min(b, o.EndYear)
		if e := g.eff[k]; e != nil && e.Scale == InSD {
			needSD = true
		}
	}
	if needSD {
		g.baseSD(baseYear, sds)
	}
	for k, s := range g.specs {
		if e := g.eff[k]; e != nil {
			size := e.Size
			if e.Scale == InSD {
				size *= sds[k]
			}
			g.sizeU[k] = float64(s.Direction) * size
		}
	}

	// Panels.
	annual := panel.New(o.Units, panel.YearPeriod(o.StartYear), g.years)
	acols := make([][]float64, nk)
	for k, s := range g.specs {
		acols[k] = make([]float64, n*g.years)
		annual.Set(s.Code, acols[k])
	}
	mcols := make([][]float64, len(g.monthly))
	var monthly *panel.Panel
	if o.Monthly && len(g.monthly) > 0 {
		monthly = panel.New(slices.Clone(o.Units), panel.MonthPeriod(o.StartYear, 1), g.months)
		for j, k := range g.monthly {
			mcols[j] = make([]float64, n*g.months)
			monthly.Set(g.specs[k].Code, mcols[j])
		}
	}

	// Event-time ranges for the truth accumulators.
	eMin, eMax := 0, 0
	if len(cohorts) > 0 {
		eMin, eMax = o.StartYear-cohorts[len(cohorts)-1], o.EndYear-cohorts[0]
	}
	nEff := len(o.Effects)
	nChunks := (n + chunkUnits - 1) / chunkUnits
	accA := make([]*accum, nChunks)
	accM := make([]*accum, nChunks)
	g.parallel(nChunks, func(c int) {
		accA[c] = newAccum(nEff, len(cohorts), eMin, eMax)
		accM[c] = newAccum(nEff, len(cohorts), 12*eMin, 12*eMax+11)
		w := newWork(g)
		for u := c * chunkUnits; u < min(n, (c+1)*chunkUnits); u++ {
			g.unit(u, w, acols, mcols, monthly != nil, accA[c], accM[c])
		}
	})
	totA := newAccum(nEff, len(cohorts), eMin, eMax)
	totM := newAccum(nEff, len(cohorts), 12*eMin, 12*eMax+11)
	for c := range nChunks {
		totA.add(accA[c])
		totM.add(accM[c])
	}

	truth := &Truth{Policy: Policy,
		Note: "true effects of the synthetic smart-city pilot: mean of Y(1) − Y(0) over treated unit-periods (observed or missing), by adoption cohort and event time"}
	for j, e := range o.Effects {
		k := effK[j]
		s := g.specs[k]
		it := IndicatorTruth{Indicator: s.Code, Direction: s.Direction, Effect: e, SizeUnits: g.sizeU[k],
			SD: sds[k], BaseYear: baseYear[k]}
		it.ATT, it.N, it.ByEventTime, it.ByCohort = totA.result(j, cohorts, cohortUnits)
		if s.Freq == panel.Month && monthly != nil {
			var pt PeriodTruth
			pt.ATT, pt.N, pt.ByEventTime, pt.ByCohort = totM.result(j, cohorts, cohortUnits)
			it.Monthly = &pt
		}
		truth.Indicators = append(truth.Indicators, it)
	}

	annual.Treatments = slices.Clone(adoptions)
	if monthly != nil {
		monthly.Treatments = slices.Clone(adoptions)
	}
	ds := &Dataset{Options: o, Annual: annual, Monthly: monthly, Treatments: adoptions, Truth: truth}
	for _, i := range synth {
		ds.SyntheticTiers = append(ds.SyntheticTiers, o.Units[i].Code)
	}
	return ds, nil
}

// parallel runs f(0), …, f(n−1) on up to Workers goroutines and returns
// when all are done.
func (g *gen) parallel(n int, f func(int)) {
	w := g.o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = min(w, n)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// work is per-goroutine scratch space.
type work struct {
	y0a, y1a []float64 // annual
	y0m, y1m []float64 // monthly
	years    int       // untreated generates only the first years (≤ g.years)
}

func newWork(g *gen) *work {
	return &work{y0a: make([]float64, g.years), y1a: make([]float64, g.years),
		y0m: make([]float64, g.months), y1m: make([]float64, g.months), years: g.years}
}

// untreated fills w.y0a (and w.y0m for monthly indicators) with unit u's
// untreated outcome of indicator k.
func (g *gen) untreated(u, k int, w *work) {
	s := &g.specs[k]
	unit := &g.o.Units[u]
	rng := rand.New(rand.NewPCG(g.o.Seed, streamOf(unit.Code, s.Code)))
	level := s.DevLoad*g.devs[u] + s.UnitSD*rng.NormFloat64()
	g0, g1 := s.forward(s.From), s.forward(s.To)
	slope := (g1 - g0) / float64(s.ToYear-s.FromYear)
	if !g.o.CommonTrends {
		if m, ok := regionTrend[unit.Region]; ok {
			slope *= m
		}
	}
	innov := s.NoiseSD * math.Sqrt(1-s.Rho*s.Rho)
	e := s.NoiseSD * rng.NormFloat64() // stationary start
	if s.Freq == panel.Year {
		for t := range w.years {
			if t > 0 {
				e = s.Rho*e + innov*rng.NormFloat64()
			}
			y := g.o.StartYear + t
			if s.Since > 0 && y < s.Since {
				w.y0a[t] = 0
				continue
			}
			w.y0a[t] = s.finish(s.inverse(g0 + slope*float64(y-s.FromYear) + level + e))
		}
		return
	}
	for t := range 12 * w.years {
		if t > 0 {
			e = s.Rho*e + innov*rng.NormFloat64()
		}
		y, m := g.o.StartYear+t/12, t%12+1
		if s.Since > 0 && y < s.Since {
			w.y0m[t] = 0
			continue
		}
		tt := float64(y) + (float64(m)-6.5)/12 - float64(s.FromYear)
		season := s.Season * g.season[k][m-1]
		w.y0m[t] = s.finish(s.inverse(g0 + slope*tt + level + season + e))
	}
	rollup(s, w.y0m[:12*w.years], w.y0a[:w.years])
}

// rollup sets annual[t] to the aggregation of the twelve months of year t.
func rollup(s *IndicatorSpec, monthly, annual []float64) {
	for t := range annual {
		ms := monthly[12*t : 12*t+12]
		if s.Agg == "last" {
			annual[t] = ms[11]
			continue
		}
		var sum float64
		for _, v := range ms {
			sum += v
		}
		annual[t] = s.finish(sum / 12)
	}
}

// profile is f(τ) of Effect, or its Profile entry for event year idx
// (counted from the start of anticipation).
func profile(e *Effect, tau float64, idx int) float64 {
	if len(e.Profile) > 0 {
		if idx < 0 {
			return 0
		}
		return e.Profile[min(idx, len(e.Profile)-1)]
	}
	switch {
	case tau <= 0:
		return 0
	case e.Ramp <= 0:
		return 1
	}
	return min(1, tau/e.Ramp)
}

// multiplier returns the heterogeneity factor of effect e for unit u.
func (g *gen) multiplier(e *Effect, u int) float64 {
	m := 1.0
	unit := &g.o.Units[u]
	if v, ok := e.Region[unit.Region]; ok {
		m *= v
	}
	if v, ok := e.Tier[unit.Tier]; ok {
		m *= v
	}
	if v, ok := e.Cohort[g.cohort[u]]; ok {
		m *= v
	}
	return m
}

// treated fills w.y1a (and w.y1m) with the treated outcome of unit u,
// adopting in year A, for indicator k with effect e.
func (g *gen) treated(u, k int, w *work) {
	s := &g.specs[k]
	e := g.eff[k]
	A := g.cohort[u]
	full := g.sizeU[k] * g.multiplier(e, u)
	ant := float64(g.o.Anticipation)
	if s.Freq == panel.Year {
		for t := range g.years {
			y := g.o.StartYear + t
			d := full * profile(e, float64(y-A+1)+ant, y-A+g.o.Anticipation)
			if d == 0 || (s.Since > 0 && y < s.Since) {
				w.y1a[t] = w.y0a[t]
				continue
			}
			w.y1a[t] = s.finish(w.y0a[t] + d)
		}
		return
	}
	for t := range g.months {
		y, m := g.o.StartYear+t/12, t%12+1
		d := full * profile(e, float64(y-A)+float64(m)/12+ant, y-A+g.o.Anticipation)
		if d == 0 || (s.Since > 0 && y < s.Since) {
			w.y1m[t] = w.y0m[t]
			continue
		}
		w.y1m[t] = s.finish(w.y0m[t] + d)
	}
	rollup(s, w.y1m, w.y1a)
}

// unit generates every indicator of unit u into the columns, applies
// missingness and adds the unit's effects to the truth accumulators.
func (g *gen) unit(u int, w *work, acols, mcols [][]float64, keepMonthly bool, accA, accM *accum) {
	Y, M := g.years, g.months
	A := g.cohort[u]
	ci := -1
	if A != 0 {
		ci = g.cIndex[A]
		for t := range Y {
			accA.n[ci*accA.nE+g.o.StartYear+t-A-accA.eMin]++
		}
		if keepMonthly {
			for t := range M {
				accM.n[ci*accM.nE+(g.o.StartYear-A)*12+t-accM.eMin]++
			}
		}
	}
	for k := range g.specs {
		s := &g.specs[k]
		g.untreated(u, k, w)
		outA, outM := w.y0a, w.y0m
		if j := g.effIdx[k]; j >= 0 && A != 0 {
			g.treated(u, k, w)
			outA, outM = w.y1a, w.y1m
			base := ci * accA.nE
			for t := range Y {
				accA.sum[j][base+g.o.StartYear+t-A-accA.eMin] += w.y1a[t] - w.y0a[t]
			}
			if s.Freq == panel.Month && keepMonthly {
				base := ci*accM.nE + (g.o.StartYear-A)*12 - accM.eMin
				for t := range M {
					accM.sum[j][base+t] += w.y1m[t] - w.y0m[t]
				}
			}
		}
		copy(acols[k][u*Y:(u+1)*Y], outA)
		if p := g.monPos[k]; p >= 0 && keepMonthly {
			copy(mcols[p][u*M:(u+1)*M], outM)
		}
	}
	g.missing(u, acols, mcols, keepMonthly)
}

// missing blanks cells of unit u: with probability pb one whole year among
// the first three is missing (all indicators, annual and monthly), and
// every other cell independently with probability q, chosen so that the
// expected share of missing cells is MissingShare.
func (g *gen) missing(u int, acols, mcols [][]float64, keepMonthly bool) {
	share := g.o.MissingShare
	if share <= 0 {
		return
	}
	Y, M := g.years, g.months
	rng := rand.New(rand.NewPCG(g.o.Seed, streamOf(g.o.Units[u].Code, "missing")))
	pb := min(1.5*share, 0.5*share*float64(Y), 1)
	blockShare := pb / float64(Y)
	q := max(0, (share-blockShare)/(1-blockShare))
	block := -1
	if rng.Float64() < pb {
		block = rng.IntN(min(3, Y))
	}
	for k := range acols {
		c := acols[k][u*Y : (u+1)*Y]
		for t := range c {
			if r := rng.Float64(); t == block || r < q {
				c[t] = math.NaN()
			}
		}
	}
	if !keepMonthly {
		return
	}
	for p := range mcols {
		c := mcols[p][u*M : (u+1)*M]
		for t := range c {
			if r := rng.Float64(); t/12 == block || r < q {
				c[t] = math.NaN()
			}
		}
	}
}

// baseSD sets sds[k], for every indicator with an effect in sd units, to
// the cross-unit standard deviation of Y(0) in baseYear[k] (annual
// values), summed in unit order.
func (g *gen) baseSD(baseYear []int, sds []float64) {
	n := len(g.o.Units)
	var ks []int
	for k := range g.specs {
		if e := g.eff[k]; e != nil && e.Scale == InSD {
			ks = append(ks, k)
		}
	}
	vals := make([][]float64, len(ks))
	for i := range vals {
		vals[i] = make([]float64, n)
	}
	nChunks := (n + chunkUnits - 1) / chunkUnits
	g.parallel(nChunks, func(c int) {
		w := newWork(g)
		for u := c * chunkUnits; u < min(n, (c+1)*chunkUnits); u++ {
			for i, k := range ks {
				w.years = baseYear[k] - g.o.StartYear + 1 // the base year is all we need
				g.untreated(u, k, w)
				vals[i][u] = w.y0a[baseYear[k]-g.o.StartYear]
			}
		}
	})
	for i, k := range ks {
		sds[k] = stddev(vals[i])
	}
}

// stddev is the sample standard deviation (n−1), two-pass.
func stddev(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// assign draws the pilot units batch by batch and returns the adoptions
// and each unit's adoption year (0: never). Within a batch, units are
// drawn without replacement with probability proportional to their odds
// (Efraimidis–Spirakis keys U^(1/w), "Weighted random sampling with a
// reservoir", Inf. Process. Lett. 97(5), 2006); the odds favour the east
// and larger cities unless Options.RandomAssignment.
func assign(o Options) ([]panel.Adoption, []int) {
	n := len(o.Units)
	cohort := make([]int, n)
	rng := rand.New(rand.NewPCG(o.Seed, streamOf("", "assignment")))
	type cand struct {
		key float64
		i   int
	}
	var adoptions []panel.Adoption
	for _, b := range o.Batches {
		share := 1.0
		if !o.CountyTreatsPrefecture {
			share = 1 - b.CountyShare
		}
		k := int(math.Round(float64(b.Size) * share * float64(n) / ReferenceUnits))
		var cands []cand
		for i, u := range o.Units {
			r := rng.Float64()
			if cohort[i] != 0 {
				continue
			}
			w := 1.0
			if !o.RandomAssignment {
				w = cmp.Or(regionOdds[u.Region], 1) * cmp.Or(tierOdds[u.Tier], 1)
			}
			cands = append(cands, cand{math.Log(1-r) / w, i}) // log of U^(1/w), U in (0,1]
		}
		slices.SortFunc(cands, func(a, b cand) int {
			if c := cmp.Compare(b.key, a.key); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		k = min(k, len(cands))
		chosen := make([]int, k)
		for j := range k {
			chosen[j] = cands[j].i
		}
		slices.Sort(chosen)
		note := fmt.Sprintf("%s (synthetic assignment)", b.Label)
		if b.CountyShare > 0 {
			note = fmt.Sprintf("%s (synthetic assignment; %.0f%% of the batch's pilots are county-level", b.Label, 100*b.CountyShare)
			if o.CountyTreatsPrefecture {
				note += " and treat their prefecture)"
			} else {
				note += " and are not represented)"
			}
		}
		for _, i := range chosen {
			cohort[i] = b.Year
			adoptions = append(adoptions, panel.Adoption{Policy: Policy, Unit: o.Units[i].Code,
				Start: panel.YearPeriod(b.Year), Note: note})
		}
	}
	return adoptions, cohort
}
