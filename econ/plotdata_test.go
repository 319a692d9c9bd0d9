package econ

import (
	"encoding/json"
	"math"
	"testing"
)

// The Bacon scatter holds every 2×2 of the castle-doctrine decomposition
// (bacondecomp's own example) with its weight and estimate; the weights
// sum to one and Σ w·β is the TWFE coefficient 0.0818116169306475
// (published by bacondecomp, checked in TestBaconCastle).
func TestBaconPlot(t *testing.T) {
	f := readFrame(t, "testdata/bacon/castle_bacondecomp.csv", "state")
	r, err := Bacon(f, BaconSpec{Outcome: "l_homicide", Treat: "post", Unit: "state", Time: "year"})
	if err != nil {
		t.Fatal(err)
	}
	pd := BaconPlot(r)
	if len(pd.Points) != len(r.Pairs) || len(pd.ByType) != len(r.ByType) || pd.TWFE != r.TWFE {
		t.Fatalf("%d points, %d types; result has %d, %d", len(pd.Points), len(pd.ByType), len(r.Pairs), len(r.ByType))
	}
	var sw, swb float64
	for i, p := range pd.Points {
		q := r.Pairs[i]
		if p.Type != q.Type || p.Treated != q.Treated || p.Control != q.Control || p.Weight != q.Weight || p.Estimate != q.Estimate {
			t.Errorf("point %d = %+v; pair %+v", i, p, q)
		}
		sw += p.Weight
		swb += p.Weight * p.Estimate
	}
	if math.Abs(sw-1) > 1e-12 || math.Abs(swb-0.0818116169306475) > 1e-10 {
		t.Errorf("Σw = %v, Σwβ = %v; want 1 and the TWFE 0.0818116169306475", sw, swb)
	}
	for i, s := range pd.ByType {
		if s.Type != r.ByType[i].Type || s.Weight != r.ByType[i].Weight || s.Estimate != r.ByType[i].Estimate || s.Pairs != r.ByType[i].Pairs {
			t.Errorf("type %d = %+v; summary %+v", i, s, r.ByType[i])
		}
	}
	b, err := json.Marshal(pd)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		TWFE   float64 `json:"twfe"`
		Points []map[string]any
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "treated", "control", "weight", "estimate"} {
		if _, ok := back.Points[0][k]; !ok {
			t.Errorf("JSON point has no %q: %v", k, back.Points[0])
		}
	}
	if back.TWFE != r.TWFE {
		t.Errorf("JSON twfe %v", back.TWFE)
	}
}

// The SDID trajectories on Proposition 99 (synthdid's example): the treated
// path is California's outcome, the post-period gaps are synthdid's effect
// curve and average to the estimate, and the λ-weighted pre-period gap is
// zero (the overlay of synthdid_plot), for sdid, sc and did.
func TestSDIDTrajectory(t *testing.T) {
	p, err := NewSynthPanel(readProp99(t, []string{"California"}), "PacksPerCapita")
	if err != nil {
		t.Fatal(err)
	}
	T := p.T()
	for _, m := range []SDIDMethod{SDIDSynth, SDIDSC, SDIDDID} {
		r, err := SyntheticDID(p, SDIDOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		pd := SDIDTrajectory(r)
		if len(pd.Points) != T || pd.Method != m.String() || pd.Estimate != r.Estimate {
			t.Fatalf("%v: %d points (want %d), method %q", m, len(pd.Points), T, pd.Method)
		}
		var post, pre float64
		npost := 0
		for t0, pt := range pd.Points {
			if pt.Time != p.Times[t0] || pt.Treated != p.Y[(p.N()-1)*T+t0] || math.Abs(pt.Treated-pt.Synthetic-pt.Gap) > 1e-12 {
				t.Errorf("%v: point %d = %+v", m, t0, pt)
			}
			if pt.Post != (t0 >= p.T0) {
				t.Errorf("%v: point %d post = %v", m, t0, pt.Post)
			}
			if pt.Post {
				post += pt.Gap
				if d := pt.Gap - r.Plot.Effect[npost]; math.Abs(d) > 1e-10 {
					t.Errorf("%v: gap %v, effect curve %v", m, pt.Gap, r.Plot.Effect[npost])
				}
				npost++
			} else {
				pre += r.Lambda[t0] * pt.Gap
			}
		}
		if math.Abs(post/float64(npost)-r.Estimate) > 1e-10 || math.Abs(pre) > 1e-10 {
			t.Errorf("%v: mean post gap %v, estimate %v; λ-weighted pre gap %v", m, post/float64(npost), r.Estimate, pre)
		}
	}
}

// The ADH trajectories on the Proposition 99 smoking data: per period the
// result's own Treated, Synthetic and Gap, and the post-period mean gap is
// the estimate; placebo paths carry the placebos' gaps.
func TestSynthTrajectory(t *testing.T) {
	p, err := NewSynthPanel(readSmoking(t), "cigsale")
	if err != nil {
		t.Fatal(err)
	}
	r, err := SynthControl(p, SynthOptions{Predictors: adhPredictors, Placebos: !testing.Short()})
	if err != nil {
		t.Fatal(err)
	}
	pd := SynthTrajectory(r)
	var post float64
	for i, pt := range pd.Points {
		if pt.Time != r.Times[i] || pt.Treated != r.Treated[i] || pt.Synthetic != r.Synthetic[i] || pt.Gap != r.Gap[i] || pt.Post != (i >= r.T0) {
			t.Errorf("point %d = %+v", i, pt)
		}
		if pt.Post {
			post += pt.Gap
		}
	}
	if math.Abs(post/float64(len(r.Times)-r.T0)-r.Estimate) > 1e-10 {
		t.Errorf("mean post gap %v; estimate %v", post/float64(len(r.Times)-r.T0), r.Estimate)
	}
	if len(pd.Placebos) != len(r.Placebos) {
		t.Fatalf("%d placebo paths; %d placebos", len(pd.Placebos), len(r.Placebos))
	}
	for i, pl := range pd.Placebos {
		if pl.Unit != r.Placebos[i].Unit || len(pl.Gap) != len(r.Times) || pl.Gap[len(pl.Gap)-1] != r.Placebos[i].Gap[len(pl.Gap)-1] {
			t.Errorf("placebo %d: %s", i, pl.Unit)
		}
	}
	if _, err := json.Marshal(pd); err != nil {
		t.Fatal(err)
	}
}

// CS event-study points are did's dynamic aggregation of mpdta, with the
// interval ATT ± crit·SE; BJS points are the pre-trend leads then the
// horizons of base_stagg.
func TestEventPointsCSAndBJS(t *testing.T) {
	r, err := CallawaySantAnna(readMPDTA(t), CSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pts := CSEventPoints(r)
	if len(pts) != len(r.Dynamic.By) {
		t.Fatalf("%d points; %d event times", len(pts), len(r.Dynamic.By))
	}
	for i, p := range pts {
		e := r.Dynamic.By[i]
		if p.RelTime != e.Key || p.Estimate != e.ATT || p.SE != e.SE ||
			math.Abs(p.CIHigh-p.CILow-2*1.959963984540054*e.SE) > 1e-12 || !(p.P >= 0 && p.P <= 1) {
			t.Errorf("point %d = %+v; effect %+v", i, p, e)
		}
	}
	imp, err := EstimateImputation(bjsData(t, "stagg"), ImputationSpec{Outcome: "y", Unit: "id", Time: "year", Cohort: "year_treated",
		AllHorizons: true, PreTrends: 3}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bp := ImputationEventPoints(imp)
	if len(bp) != 3+len(imp.Horizons) {
		t.Fatalf("%d points; want 3 leads + %d horizons", len(bp), len(imp.Horizons))
	}
	for k := range 3 {
		if bp[k].RelTime != k-3 || bp[k].Estimate != imp.PreTrend.Leads[k].Estimate {
			t.Errorf("lead point %d = %+v; lead %+v", k, bp[k], imp.PreTrend.Leads[k])
		}
	}
	for i, h := range imp.Horizons {
		p := bp[3+i]
		if p.RelTime != h.Horizon || p.Estimate != h.Estimate || p.SE != h.SE || p.CILow != h.CILow || p.N != h.N {
			t.Errorf("horizon point %+v; effect %+v", p, h)
		}
	}
}
