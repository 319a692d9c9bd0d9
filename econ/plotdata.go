package econ

import (
	"math"
	"strconv"
)

// Plot data shared by the estimators. Each type carries JSON tags so the
// report and the server can draw it without knowing the estimator:
//
//   - event-study points: [EventPoint] (from [EstimateEventStudy],
//     [CSEventPoints] and [ImputationEventPoints]);
//   - the Goodman-Bacon scatter: [BaconPlotData] ([BaconPlot]);
//   - synthetic-control trajectories: [SynthPlotData] ([SynthTrajectory],
//     [SDIDTrajectory]).
//
// The functions copy what they need; the results are not retained.

// BaconPoint is one 2×2 comparison of the Goodman-Bacon (2021, Figure 6)
// scatter: its weight in the TWFE coefficient (x) against its DID
// estimate (y), coloured by comparison type.
type BaconPoint struct {
	Type     string  `json:"type"`    // one of the Bacon* comparison types
	Treated  string  `json:"treated"` // adoption time of the treated group
	Control  string  `json:"control"` // adoption time of the control group, "never" or "always"
	Weight   float64 `json:"weight"`
	Estimate float64 `json:"estimate"`
}

// BaconTypePoint is the weight-averaged estimate of one comparison type
// (bacondecomp's bacon_summary), drawn as a summary marker.
type BaconTypePoint struct {
	Type     string  `json:"type"`
	Weight   float64 `json:"weight"`
	Estimate float64 `json:"estimate"`
	Pairs    int     `json:"pairs"`
}

// BaconPlotData is the Goodman-Bacon plot: one point per 2×2 comparison,
// the summary per type, and the TWFE coefficient, which equals
// Σ Weight·Estimate over Points (drawn as a horizontal line).
type BaconPlotData struct {
	TWFE   float64          `json:"twfe"`
	Points []BaconPoint     `json:"points"`
	ByType []BaconTypePoint `json:"by_type"`
}

// BaconPlot returns the plot data of a Goodman-Bacon decomposition, in
// the order of r.Pairs and r.ByType.
func BaconPlot(r *BaconResult) BaconPlotData {
	out := BaconPlotData{TWFE: r.TWFE, Points: make([]BaconPoint, len(r.Pairs)), ByType: make([]BaconTypePoint, len(r.ByType))}
	for i, p := range r.Pairs {
		out.Points[i] = BaconPoint{Type: p.Type, Treated: p.Treated, Control: p.Control, Weight: p.Weight, Estimate: p.Estimate}
	}
	for i, s := range r.ByType {
		out.ByType[i] = BaconTypePoint{Type: s.Type, Weight: s.Weight, Estimate: s.Estimate, Pairs: s.Pairs}
	}
	return out
}

// SynthPoint is one period of a synthetic-control trajectory: the treated
// outcome, its synthetic counterpart and the gap Treated − Synthetic.
type SynthPoint struct {
	Time      int     `json:"time"`
	Treated   float64 `json:"treated"`
	Synthetic float64 `json:"synthetic"`
	Gap       float64 `json:"gap"`
	Post      bool    `json:"post"` // a treated period
}

// SynthPlaceboPath is the gap path of one in-space placebo (ADH 2010,
// Figure 4), with its pre-period RMSPE so that a plot can leave out poorly
// fitted placebos as ADH do.
type SynthPlaceboPath struct {
	Unit     string    `json:"unit"`
	Treated  bool      `json:"treated"`
	Gap      []float64 `json:"gap"` // per period, in the order of SynthPlotData.Points
	PreRMSPE float64   `json:"pre_rmspe"`
}

// SynthPlotData is the trajectory plot of a synthetic control or
// synthetic DID estimate: Points per period, Estimate the average
// post-treatment gap, and for ADH synthetic control the placebo gap paths.
type SynthPlotData struct {
	Method   string             `json:"method"` // "adh", or synthdid's "sdid", "sc", "did"
	Estimate float64            `json:"estimate"`
	Points   []SynthPoint       `json:"points"`
	Placebos []SynthPlaceboPath `json:"placebos,omitempty"`
}

// SynthTrajectory returns the trajectories of an ADH synthetic control:
// per period r.Treated, r.Synthetic and r.Gap, Post from r.T0, and the
// in-space placebo gaps when they were run. The mean post-period Gap is
// r.Estimate.
func SynthTrajectory(r *SynthResult) SynthPlotData {
	out := SynthPlotData{Method: "adh", Estimate: r.Estimate, Points: make([]SynthPoint, len(r.Times))}
	for t, tm := range r.Times {
		out.Points[t] = SynthPoint{Time: tm, Treated: r.Treated[t], Synthetic: r.Synthetic[t], Gap: r.Gap[t], Post: t >= r.T0}
	}
	for _, p := range r.Placebos {
		out.Placebos = append(out.Placebos, SynthPlaceboPath{Unit: p.Unit, Treated: p.Treated, Gap: append([]float64(nil), p.Gap...), PreRMSPE: p.PreRMSPE})
	}
	return out
}

// SDIDTrajectory returns the trajectories of a synthetic DID (or SC/DID)
// estimate as synthdid_plot draws them with overlay = 1: per period the
// treated mean ȳ_tr,t and the synthetic control shifted by the intercept,
// ŷ_t + Offset, where Offset = Σ_s λ_s (ȳ_tr,s − ŷ_s) over the
// pre-periods (0 for SC). The gap ȳ_tr,t − ŷ_t − Offset is then, in a
// post-period, synthdid's effect curve τ_t, whose mean is r.Estimate; in
// the pre-periods its λ-weighted mean is zero.
func SDIDTrajectory(r *SDIDResult) SynthPlotData {
	pl := r.Plot
	T := len(pl.Times)
	t0 := T - len(pl.Effect)
	out := SynthPlotData{Method: r.Method.String(), Estimate: r.Estimate, Points: make([]SynthPoint, T)}
	for t, tm := range pl.Times {
		s := pl.Synthetic[t] + pl.Offset
		out.Points[t] = SynthPoint{Time: tm, Treated: pl.Treated[t], Synthetic: s, Gap: pl.Treated[t] - s, Post: t >= t0}
	}
	return out
}

// CSEventPoints returns the dynamic (event-study) aggregation of a
// Callaway–Sant'Anna estimate as event-study points: per event time e the
// ATT, its SE, the interval ATT ± c·SE with c = r.Dynamic.CritVal (the
// uniform band with CSOptions.CBand, else z_{1−α/2}) and the two-sided
// normal p-value. N is left 0 (did does not report cell sizes).
func CSEventPoints(r *CS) []EventPoint {
	out := make([]EventPoint, len(r.Dynamic.By))
	c := r.Dynamic.CritVal
	for i, e := range r.Dynamic.By {
		_, p := zTest(e.ATT, e.SE)
		out[i] = EventPoint{RelTime: e.Key, Estimate: e.ATT, SE: e.SE, CILow: e.ATT - c*e.SE, CIHigh: e.ATT + c*e.SE, P: p}
	}
	return out
}

// ImputationEventPoints returns the imputation estimator's event-study
// points: the pre-trend coefficients γ_K … γ_1 of its separate test
// regression at relative times −K … −1 (when the test was run), then the
// horizon effects τ_h at h ≥ 0 with their conservative SEs and intervals
// and N the treated observations at h. The two parts come from different
// estimators (BJS 2024, §4.4), as BJS's own event-study plots show them.
func ImputationEventPoints(r *Imputation) []EventPoint {
	var out []EventPoint
	if r.PreTrend != nil {
		for _, c := range r.PreTrend.Leads {
			k, err := strconv.Atoi(c.Name)
			if err != nil {
				continue
			}
			out = append(out, EventPoint{RelTime: k, Estimate: c.Estimate, SE: c.SE, CILow: c.CILow, CIHigh: c.CIHigh, P: c.P})
		}
	}
	for _, h := range r.Horizons {
		_, p := zTest(h.Estimate, h.SE)
		if math.IsNaN(h.SE) {
			p = math.NaN()
		}
		out = append(out, EventPoint{RelTime: h.Horizon, Estimate: h.Estimate, SE: h.SE, CILow: h.CILow, CIHigh: h.CIHigh, P: p, N: h.N})
	}
	return out
}
