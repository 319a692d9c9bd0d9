package econ

import (
	"errors"
	"fmt"
	"math"
)

// BaconSpec names the columns of a Goodman-Bacon decomposition: a balanced
// unit × time panel with an outcome and a 0/1 absorbing treatment.
type BaconSpec struct {
	Outcome string // numeric outcome y_it
	Treat   string // 0/1 treatment D_it, absorbing (never switches off)
	Unit    string // unit key (numeric or factor)
	Time    string // time key (numeric or factor, ordered as in [Frame] grouping)
	// Controls may only name covariates constant within each unit: they
	// are absorbed by the unit fixed effects and change nothing (a note
	// says so). Time-varying covariates are rejected: their decomposition
	// (Goodman-Bacon 2021, §5: within and between terms) is not
	// implemented.
	Controls []string
}

// Comparison types of a 2×2 DID in [BaconPair] and [BaconSummary],
// spelled as in R's bacondecomp.
const (
	BaconTreatedUntreated = "Treated vs Untreated"     // timing group vs never-treated
	BaconEarlierLater     = "Earlier vs Later Treated" // earlier group treated, later not yet treated as control
	BaconLaterEarlier     = "Later vs Earlier Treated" // later group treated, earlier (already treated) as control: the "forbidden" comparison
	BaconLaterAlways      = "Later vs Always Treated"  // timing group vs units treated in every period
)

// BaconPair is one 2×2 difference in differences of the decomposition, a
// point of the Goodman-Bacon plot (Weight on x, Estimate on y).
type BaconPair struct {
	Type     string  // one of the Bacon* comparison types
	Treated  string  // time label at which the treated group adopts
	Control  string  // adoption time label of the control group; "never" or "always"
	Estimate float64 // the 2×2 DID estimate
	Weight   float64 // its weight in the TWFE coefficient
	NTreated int     // units in the treated group
	NControl int     // units in the control group
}

// BaconSummary aggregates the pairs of one comparison type: total weight
// and the weight-averaged estimate (Σ w β / Σ w), as bacondecomp's
// bacon_summary.
type BaconSummary struct {
	Type     string
	Weight   float64
	Estimate float64
	Pairs    int
}

// BaconResult is the Goodman-Bacon decomposition of a TWFE coefficient.
// Σ Pairs[i].Weight = 1 and Σ Weight·Estimate = TWFE up to rounding.
type BaconResult struct {
	TWFE    float64        // δ̂ of y_it = α_i + λ_t + δ D_it + ε_it, by FWL on the balanced panel
	VarD    float64        // V̂^D: mean square of the two-way demeaned treatment
	Pairs   []BaconPair    // in order: for each timing group, vs never, vs always, then each (earlier, later) pair
	ByType  []BaconSummary // types present, in bacondecomp's (alphabetical) order
	Units   int
	Periods int
	Never   int      // never-treated units
	Always  int      // units treated in every period
	Notes   []string // e.g. time-invariant controls that were absorbed
}

// BaconIssue is one problem with the data of a decomposition: the unit and
// time labels of the cell ("" when not about one cell), the column, and
// what is wrong.
type BaconIssue = DataIssue

// BaconError collects the data problems that prevent a decomposition
// (at most 20; More counts the rest).
type BaconError struct {
	Issues []BaconIssue
	More   int
}

func (e *BaconError) Error() string {
	return formatIssues("econ: bacon decomposition: ", e.Issues, e.More)
}

func (e *BaconError) add(unit, time, col, format string, args ...any) {
	addIssue(&e.Issues, &e.More, unit, time, col, format, args...)
}

// Bacon decomposes the two-way fixed-effects DID coefficient of a
// balanced panel with a binary, absorbing (staggered) treatment into all
// 2×2 DIDs (Goodman-Bacon 2021, J. Econometrics 225(2), Theorem 1).
//
// Units are grouped by the period k in which they are first treated
// (timing groups), plus never-treated U and always-treated A. With n_k the
// share of units in group k, D̄_k = (periods with D = 1)/T its share of
// treated periods, n_kl = n_k/(n_k+n_l) and
//
//	V̂^D = (1/NT) Σ_it (D_it − D̄_i − D̄_t + D̄)²
//
// the TWFE coefficient is δ̂ = Σ s·β̂ with Σ s = 1, where (eq. 10a–10g)
//
//	β̂_kU  = DID of k vs U over all periods (post: t ≥ k)
//	s_kU  = (n_k+n_U)² n_kU(1−n_kU) D̄_k(1−D̄_k) / V̂^D
//	β̂ᵏ_kl = DID of k vs later l over t < l (post: k ≤ t < l)
//	sᵏ_kl = ((n_k+n_l)(1−D̄_l))² n_kl(1−n_kl) (D̄_k−D̄_l)/(1−D̄_l) · (1−D̄_k)/(1−D̄_l) / V̂^D
//	β̂ˡ_kl = DID of l vs earlier k over t ≥ k (pre: k ≤ t < l, post: t ≥ l)
//	sˡ_kl = ((n_k+n_l)D̄_k)² n_kl(1−n_kl) (D̄_l/D̄_k) (D̄_k−D̄_l)/D̄_k / V̂^D
//
// Always-treated units, like never-treated ones, have no within-unit
// treatment variation; their 2×2s with each timing group use the kU
// formulas with n_A (type [BaconLaterAlways], as in bacondecomp).
// Each 2×2 is a difference of group-period means (the panel is balanced).
// TWFE is computed independently, by Frisch–Waugh–Lovell on the two-way
// demeaned treatment: δ̂ = Σ D̃ y / Σ D̃².
//
// Errors: a *[BaconError] listing missing or duplicated unit-time cells,
// missing values, a treatment that is not 0/1 or switches off, time-varying
// controls, no timing group, or a single timing group without never- or
// always-treated units (no comparison: D is collinear with the time effects).
func Bacon(data *Frame, spec BaconSpec) (*BaconResult, error) {
	if data == nil {
		return nil, errors.New("econ: bacon: nil frame")
	}
	e := &BaconError{}
	y, okY := data.Float(spec.Outcome)
	if !okY {
		e.add("", "", spec.Outcome, "outcome must be a numeric column of the frame")
	}
	d, okD := data.Float(spec.Treat)
	if !okD {
		e.add("", "", spec.Treat, "treatment must be a numeric 0/1 column of the frame")
	}
	ucode, ulab, okU := data.groups(spec.Unit)
	if !okU {
		e.add("", "", spec.Unit, "unit column not in the frame")
	}
	tcode, tlab, okT := data.groups(spec.Time)
	if !okT {
		e.add("", "", spec.Time, "time column not in the frame")
	}
	if len(e.Issues) > 0 {
		return nil, e
	}
	n := data.Len()
	N, T := len(ulab), len(tlab)
	if N == 0 || T < 2 {
		e.add("", "", spec.Time, "need at least one unit and two periods, have %d and %d", N, T)
		return nil, e
	}
	row := make([]int, N*T) // cell → row+1, 0 = absent
	for i := range n {
		u, t := ucode[i], tcode[i]
		if u < 0 {
			e.add("", "", spec.Unit, "row %d: missing unit", i+1)
			continue
		}
		if t < 0 {
			e.add(ulab[u], "", spec.Time, "row %d: missing time", i+1)
			continue
		}
		c := int(u)*T + int(t)
		if row[c] != 0 {
			e.add(ulab[u], tlab[t], "", "rows %d and %d are the same unit-time cell", row[c], i+1)
			continue
		}
		row[c] = i + 1
	}
	for c, r := range row {
		if r == 0 {
			e.add(ulab[c/T], tlab[c%T], "", "cell missing: the panel must be balanced")
		}
	}
	if len(e.Issues) > 0 {
		return nil, e
	}
	Y := make([]float64, N*T)
	D := make([]float64, N*T)
	for c, r := range row {
		i := r - 1
		Y[c], D[c] = y[i], d[i]
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			e.add(ulab[c/T], tlab[c%T], spec.Outcome, "missing or infinite outcome: the panel must be balanced")
		}
		if d[i] != 0 && d[i] != 1 {
			e.add(ulab[c/T], tlab[c%T], spec.Treat, "treatment %v is not 0 or 1", d[i])
		}
	}
	res := &BaconResult{Units: N, Periods: T}
	for _, name := range spec.Controls {
		x, ok := data.Float(name)
		if !ok {
			e.add("", "", name, "control must be a numeric column of the frame")
			continue
		}
		varying := false
		for u := 0; u < N && !varying; u++ {
			x0 := x[row[u*T]-1]
			for t := 1; t < T; t++ {
				if xv := x[row[u*T+t]-1]; xv != x0 && !(math.IsNaN(xv) && math.IsNaN(x0)) {
					e.add(ulab[u], tlab[t], name, "time-varying covariates are not supported by this decomposition (Goodman-Bacon 2021 §5 within/between terms are not implemented)")
					varying = true
					break
				}
			}
		}
		if !varying {
			res.Notes = append(res.Notes, fmt.Sprintf("control %q is constant within units: absorbed by the unit fixed effects", name))
		}
	}
	if len(e.Issues) > 0 {
		return nil, e
	}
	// Cohort of each unit: first treated period index (T = never).
	cohort := make([]int, N)
	for u := range N {
		first := T
		for t := range T {
			if D[u*T+t] == 1 {
				if first == T {
					first = t
				}
			} else if first < T {
				e.add(ulab[u], tlab[t], spec.Treat, "treatment switches off (treated from %s): it must be absorbing", tlab[first])
				break
			}
		}
		cohort[u] = first
	}
	if len(e.Issues) > 0 {
		return nil, e
	}
	size := make([]int, T+1) // units per cohort 0..T
	for _, g := range cohort {
		size[g]++
	}
	res.Never, res.Always = size[T], size[0]
	var timing []int
	for k := 1; k < T; k++ {
		if size[k] > 0 {
			timing = append(timing, k)
		}
	}
	if len(timing) == 0 {
		e.add("", "", spec.Treat, "no unit adopts the treatment after the first period: nothing to decompose")
		return nil, e
	}
	if len(timing) == 1 && size[T] == 0 && size[0] == 0 {
		e.add("", "", spec.Treat, "every unit adopts in %s and none is never or always treated: the treatment is collinear with the time fixed effects", tlab[timing[0]])
		return nil, e
	}

	// Cohort-by-period means of y and the two-way demeaned treatment.
	mean := make([][]float64, T+1)
	for g := range mean {
		if size[g] > 0 {
			mean[g] = make([]float64, T)
		}
	}
	for u := range N {
		m := mean[cohort[u]]
		for t := range T {
			m[t] += Y[u*T+t]
		}
	}
	for g, m := range mean {
		for t := range m {
			m[t] /= float64(size[g])
		}
	}
	dUnit := make([]float64, N)
	dTime := make([]float64, T)
	var dAll float64
	for u := range N {
		for t := range T {
			v := D[u*T+t]
			dUnit[u] += v
			dTime[t] += v
			dAll += v
		}
	}
	for u := range dUnit {
		dUnit[u] /= float64(T)
	}
	for t := range dTime {
		dTime[t] /= float64(N)
	}
	dAll /= float64(N * T)
	var sdd, sdy float64
	for u := range N {
		for t := range T {
			dt := D[u*T+t] - dUnit[u] - dTime[t] + dAll
			sdd += dt * dt
			sdy += dt * Y[u*T+t]
		}
	}
	res.TWFE = sdy / sdd
	res.VarD = sdd / float64(N*T)
	vd := res.VarD

	// did is the 2×2 DID of treated group a vs control group b over
	// periods [lo, hi), with post from period p.
	did := func(a, b, lo, p, hi int) float64 {
		avg := func(g, from, to int) float64 {
			var s float64
			for t := from; t < to; t++ {
				s += mean[g][t]
			}
			return s / float64(to-from)
		}
		return (avg(a, p, hi) - avg(a, lo, p)) - (avg(b, p, hi) - avg(b, lo, p))
	}
	share := func(g int) float64 { return float64(size[g]) / float64(N) }
	dbar := func(g int) float64 { return float64(T-g) / float64(T) }
	for _, k := range timing {
		nk, dk := share(k), dbar(k)
		for _, c := range []int{T, 0} {
			if size[c] == 0 {
				continue
			}
			nc := share(c)
			nkc := nk / (nk + nc)
			typ, lab := BaconTreatedUntreated, "never"
			if c == 0 {
				typ, lab = BaconLaterAlways, "always"
			}
			res.Pairs = append(res.Pairs, BaconPair{
				Type: typ, Treated: tlab[k], Control: lab,
				Estimate: did(k, c, 0, k, T),
				Weight:   (nk + nc) * (nk + nc) * nkc * (1 - nkc) * dk * (1 - dk) / vd,
				NTreated: size[k], NControl: size[c],
			})
		}
	}
	for i, k := range timing {
		for _, l := range timing[i+1:] {
			nk, nl, dk, dl := share(k), share(l), dbar(k), dbar(l)
			nkl := nk / (nk + nl)
			a := (nk + nl) * (1 - dl)
			res.Pairs = append(res.Pairs, BaconPair{
				Type: BaconEarlierLater, Treated: tlab[k], Control: tlab[l],
				Estimate: did(k, l, 0, k, l),
				Weight:   a * a * nkl * (1 - nkl) * (dk - dl) / (1 - dl) * (1 - dk) / (1 - dl) / vd,
				NTreated: size[k], NControl: size[l],
			})
			b := (nk + nl) * dk
			res.Pairs = append(res.Pairs, BaconPair{
				Type: BaconLaterEarlier, Treated: tlab[l], Control: tlab[k],
				Estimate: did(l, k, k, l, T),
				Weight:   b * b * nkl * (1 - nkl) * (dl / dk) * (dk - dl) / dk / vd,
				NTreated: size[l], NControl: size[k],
			})
		}
	}
	for _, typ := range []string{BaconEarlierLater, BaconLaterEarlier, BaconTreatedUntreated, BaconLaterAlways} {
		s := BaconSummary{Type: typ}
		var wb float64
		for _, p := range res.Pairs {
			if p.Type == typ {
				s.Pairs++
				s.Weight += p.Weight
				wb += p.Weight * p.Estimate
			}
		}
		if s.Pairs > 0 {
			s.Estimate = wb / s.Weight
			res.ByType = append(res.ByType, s)
		}
	}
	return res, nil
}
