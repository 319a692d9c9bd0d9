package econ

import "fmt"

// EstimateFD fits formula by first differences: every variable of the
// model (outcome and regressors, after evaluating log(), i(), products and
// l()/f()) is replaced by its change from the previous period of the same
// unit,
//
//	Δy_it = Δx_it'β + Δε_it,   Δz_it = z_it − z_i,t−1,
//
// and the differenced model is fitted by [Fit] with opts. Periods are
// those of the panel keys (opts.PanelID or [Frame.SetPanel]); a row whose
// previous period is absent (the first period of a unit, or after a gap)
// has no difference and is dropped (counted in NMissing; a note says how
// many). The intercept of the formula, if any, becomes a constant in the
// differenced equation (a unit-specific linear trend in levels), as plm's
// model = "fd"; write "0 +" or "- 1" to drop it. Fixed effects after '|'
// are kept as given (for example period effects of the differenced
// equation). Clusters, weights and HAC keys refer to the row of period t.
//
// Unlike plm, which differences consecutive available rows even across a
// gap in time, a gap here breaks the difference (as Stata's D. operator
// and fixest's d()); both agree on panels without gaps.
func EstimateFD(data *Frame, formula string, opts Options) (*Result, error) {
	f, err := ParseFormula(formula)
	if err != nil {
		return nil, err
	}
	data, err = withPanelID(data, opts.PanelID)
	if err != nil {
		return nil, err
	}
	idx, err := data.panelIndex()
	if err != nil {
		return nil, err
	}
	d, err := f.Design(data)
	if err != nil {
		return nil, err
	}
	prev := idx.shift(1)
	nodiff := 0
	for _, j := range prev {
		if j < 0 {
			nodiff++
		}
	}
	diff := func(x []float64) []float64 {
		out := shifted(x, prev)
		for i := range out {
			out[i] = x[i] - out[i] // NaN where there is no previous period
		}
		return out
	}
	dd := *d
	dd.Y = diff(d.Y)
	dd.YName = "D." + d.YName
	dd.X = make([][]float64, len(d.X))
	for j, x := range d.X {
		dd.X[j] = diff(x)
	}
	if err := dd.attach(data, &opts, nil); err != nil {
		return nil, err
	}
	r, err := Fit(&dd, opts)
	if err != nil {
		return nil, err
	}
	r.Notes = append(r.Notes, fmt.Sprintf("first differences: %d rows have no previous period of their unit", nodiff))
	return r, nil
}
