package evaluation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityimpact/cityimpact/demo"
)

// demoSpec is the README's demo spec (examples/demo/evaluation.yaml).
func demoSpec(t *testing.T) *Spec {
	t.Helper()
	s, err := ReadSpec("../examples/demo/evaluation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExampleSpecIsInitOutput keeps the committed example equal to what
// `cityimpact init --generate` writes.
func TestExampleSpecIsInitOutput(t *testing.T) {
	want, err := SpecTemplate("seed-2025", true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../examples/demo/evaluation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("examples/demo/evaluation.yaml differs from `cityimpact init --generate`: regenerate it")
	}
}

// TestRunDeterministic runs the demo twice, with one and with two workers:
// results.json must be byte-identical apart from the timestamp.
func TestRunDeterministic(t *testing.T) {
	var out [2][]byte
	for i, w := range []int{1, 2} {
		s := demoSpec(t)
		res, err := Run(context.Background(), s, RunOptions{Version: "test", Workers: w,
			Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		b, err := res.JSON()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = bytes.Replace(b, []byte(res.Generated), []byte("T"), 1)
	}
	if !bytes.Equal(out[0], out[1]) {
		i := 0
		for i < len(out[0]) && i < len(out[1]) && out[0][i] == out[1][i] {
			i++
		}
		lo := max(0, i-200)
		t.Fatalf("results differ at byte %d:\n%s\n---\n%s", i, out[0][lo:min(len(out[0]), i+200)], out[1][lo:min(len(out[1]), i+200)])
	}
	if !json.Valid(out[0]) {
		t.Fatal("results.json is not valid JSON")
	}
}

// TestRunRecoversTruth checks that the demo's causal estimates find the
// generator's true effect on the composite index: the generator's effects
// raise the treated cities' indicators, so every method must give a
// positive, significant effect on the goal, and the TWFE and
// heterogeneity-robust estimates must agree in sign with the truth.
func TestRunRecoversTruth(t *testing.T) {
	s := demoSpec(t)
	res, err := Run(context.Background(), s, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Synthetic || res.Policy.Treated == 0 || res.Policy.Never == 0 {
		t.Fatalf("policy summary %+v", res.Policy)
	}
	ds, err := demo.Generate(demo.DefaultOptions(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Truth.Indicators) == 0 {
		t.Fatal("no truth")
	}
	goal := res.Framework.Nodes[0].Code
	seen := map[string]bool{}
	for _, m := range res.Causal {
		if m.Outcome != goal {
			continue
		}
		seen[m.Method] = true
		if m.Error != "" {
			t.Errorf("%s: %s", m.Method, m.Error)
			continue
		}
		if len(m.Estimates) == 0 {
			t.Errorf("%s: no estimate", m.Method)
			continue
		}
		e := m.Estimates[0]
		if m.Method == "bacon" {
			// A decomposition, not a test: its TWFE must equal twfe's.
			for _, o := range res.Causal {
				if o.Method == "twfe" && o.Outcome == goal && math.Abs(float64(o.Estimates[0].Value-e.Value)) > 1e-9*math.Abs(float64(e.Value)) {
					// twfe uses every row; bacon the balanced units only.
					t.Logf("bacon TWFE %v vs twfe %v (balanced subsample)", e.Value, o.Estimates[0].Value)
				}
			}
			if !(e.Value > 0) {
				t.Errorf("bacon: TWFE %v", e.Value)
			}
			continue
		}
		if !(e.Value > 0) || !(e.P < 0.01) {
			t.Errorf("%s: effect %v (p %v) on the index, want a positive significant effect", m.Method, e.Value, e.P)
		}
	}
	for _, want := range s.Causal.Methods {
		if !seen[want] {
			t.Errorf("method %s did not run on the goal", want)
		}
	}
	// Every city has a diagnosis with a narrative whose numbers trace back.
	if len(res.Cities) != len(res.Units) {
		t.Fatalf("%d diagnoses for %d units", len(res.Cities), len(res.Units))
	}
	for i := range res.Cities {
		d := &res.Cities[i]
		if d.Narrative.Zh == "" || d.Narrative.En == "" {
			t.Fatalf("%s: empty narrative", d.Unit)
		}
		if err := CheckNarrative(d.Narrative, d, res); err != nil {
			t.Fatalf("%s: %v", d.Unit, err)
		}
	}
	// Ranks are a permutation-with-ties of 1..n in the last period.
	T := len(res.Periods)
	sum := 0.0
	n := 0
	for u := range res.Units {
		if r := res.Index.Rank[u*T+T-1]; r.Valid() {
			sum += float64(r)
			n++
		}
	}
	if math.Abs(sum-float64(n*(n+1)/2)) > 1e-9 {
		t.Errorf("ranks sum to %g, want %d", sum, n*(n+1)/2)
	}
	// Weights of each parent's children sum to one.
	bySum := map[string]float64{}
	for _, w := range res.Index.Weights {
		if w.Local.Valid() {
			bySum[w.Parent] += float64(w.Local)
		}
	}
	for p, s := range bySum {
		if math.Abs(s-1) > 1e-9 {
			t.Errorf("weights under %s sum to %g", p, s)
		}
	}
}

// TestStaggeredAddsRobustMethods: with staggered adoption a spec asking for
// TWFE alone still gets Callaway–Sant'Anna and the Bacon decomposition,
// with a note saying so.
func TestStaggeredAddsRobustMethods(t *testing.T) {
	s, err := ParseSpec([]byte("schema: 1\ndata: {generate: {seed: 2, units: 60}}\nindex: {uncertainty: -1}\ncausal: {methods: [twfe]}\npolicy: {outcomes: [goal]}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range res.Causal {
		got = append(got, m.Method)
	}
	if len(res.Policy.Cohorts) < 2 {
		t.Fatalf("demo adoption not staggered: %v", res.Policy.Cohorts)
	}
	if len(got) != 3 || got[0] != "twfe" || got[1] != "callaway_santanna" || got[2] != "bacon" {
		t.Errorf("methods run: %v", got)
	}
	if len(res.Notes) != 2 {
		t.Errorf("notes: %v", res.Notes)
	}
}

// TestTargetsFrom: consecutive failures are counted only from the year
// targets are assessed (default: the trend window), and a target with
// target_from (seed-2025's 2025 requirements) only from that year.
func TestTargetsFrom(t *testing.T) {
	for _, c := range []struct {
		spec  string
		first string
	}{
		{"", "2021"}, // trend_periods 5 on 2010–2025
		{"peers: {targets_from: 2024}\n", "2024"},
	} {
		s, err := ParseSpec([]byte("schema: 1\ndata: {generate: {seed: 1, units: 60}}\nindex: {uncertainty: -1}\ncausal: {methods: [twfe]}\npolicy: {outcomes: [goal]}\n"+c.spec), "s.yaml")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), s, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		from := map[string]int{}
		for _, nd := range res.Framework.Nodes {
			from[nd.Code] = nd.TargetFrom
		}
		n := 0
		for _, d := range res.Cities {
			for _, f := range d.Failures {
				n++
				if f.Periods[0] < c.first || len(f.Periods) < s.Peers.Consecutive || f.Periods[0] < strconv.Itoa(from[f.Code]) {
					t.Fatalf("%q: %s %s (target from %d) failed in %v", c.spec, d.Unit, f.Code, from[f.Code], f.Periods)
				}
			}
		}
		if n == 0 {
			t.Errorf("%q: no failures at all on the demo (its satisfaction and data-sharing targets are missed widely)", c.spec)
		}
	}
	if _, err := ParseSpec([]byte("schema: 1\ndata: {generate: {seed: 1}}\npeers: {targets_from: 25}\n"), "s.yaml"); err == nil {
		t.Error("targets_from 25 accepted")
	}
}

// TestAlertGroups: every alert is counted in exactly one group; a group is
// systemic exactly when its share of assessed cities reaches
// peers.systemic_share, and its alerts carry the flag. On the demo
// (2010–2025) the 100% targets (desensitisation, age-friendly terminals)
// apply from 2025 (seed-2025's target_from), one period, so they raise no
// consecutive failure; satisfaction (92.3%) is missed by 51 of 59
// assessed cities and is systemic at one half and at 0.7, government data
// sharing (78%) by 37 of 59 (63%), systemic at one half only.
func TestAlertGroups(t *testing.T) {
	systemicAt := map[string]map[string]bool{}
	alerted := map[string]bool{}
	for _, share := range []string{"", "0.7"} {
		s, err := ParseSpec([]byte("schema: 1\ndata: {generate: {seed: 1, units: 60}}\nindex: {uncertainty: -1}\ncausal: {methods: [twfe]}\npolicy: {outcomes: [goal]}\npeers: {systemic_share: "+cmpOr(share, "0")+"}\n"), "s.yaml")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), s, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[[2]string]int{}
		for _, a := range res.Alerts {
			want[[2]string{a.Code, a.Kind}]++
		}
		systemicAt[share] = map[string]bool{}
		total := 0
		for _, g := range res.AlertGroups {
			k := [2]string{g.Code, g.Kind}
			if g.Cities != want[k] {
				t.Errorf("share %q: group %v counts %d cities, alerts %d", share, k, g.Cities, want[k])
			}
			total += g.Cities
			if g.Assessed < g.Cities || g.Assessed > len(res.Units) {
				t.Errorf("share %q: group %v assessed %d of %d units", share, k, g.Assessed, len(res.Units))
			}
			if got := float64(g.Cities) / float64(g.Assessed); float64(g.Share) != got {
				t.Errorf("share %q: group %v share %g, want %g", share, k, float64(g.Share), got)
			}
			if g.Systemic != (float64(g.Share) >= s.Peers.SystemicShare) {
				t.Errorf("share %q: group %v systemic %v at share %g (threshold %g)", share, k, g.Systemic, float64(g.Share), s.Peers.SystemicShare)
			}
			if g.Kind == "consecutive_below_target" {
				systemicAt[share][g.Code] = g.Systemic
				alerted[g.Code] = true
			}
			for _, a := range res.Alerts {
				if a.Code == g.Code && a.Kind == g.Kind && a.Systemic != g.Systemic {
					t.Fatalf("share %q: alert %s/%v systemic %v, its group %v", share, a.Unit, k, a.Systemic, g.Systemic)
				}
			}
		}
		if total != len(res.Alerts) {
			t.Errorf("share %q: groups count %d alerts, there are %d", share, total, len(res.Alerts))
		}
	}
	if alerted["desensitisation_rate"] || alerted["agefriendly_terminals"] {
		t.Errorf("consecutive failures for targets in force from 2025 only: %v", alerted)
	}
	if s := systemicAt[""]; !s["satisfaction"] || !s["data_sharing_rate"] {
		t.Errorf("default share 0.5: systemic %v, want satisfaction and data sharing", s)
	}
	if s := systemicAt["0.7"]; !s["satisfaction"] || s["data_sharing_rate"] {
		t.Errorf("share 0.7: systemic %v, want satisfaction but not data sharing", s)
	}
	if _, err := ParseSpec([]byte("schema: 1\ndata: {generate: {seed: 1}}\npeers: {systemic_share: 1.5}\n"), "s.yaml"); err == nil {
		t.Error("systemic_share 1.5 accepted")
	}
}

// TestRegionTrendsReachImputation: causal.region_trends adds region × year
// fixed effects to the imputation estimator's Y(0) model as to TWFE, so
// both estimates move when it is set (the demo's effects differ by region).
func TestRegionTrendsReachImputation(t *testing.T) {
	att := map[bool]map[string]float64{}
	for _, rt := range []bool{false, true} {
		s, err := ParseSpec([]byte(fmt.Sprintf("schema: 1\ndata: {generate: {seed: 2, units: 80}}\nindex: {uncertainty: -1}\ncausal: {methods: [twfe, imputation], region_trends: %v}\npolicy: {outcomes: [goal]}\n", rt)), "s.yaml")
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), s, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		att[rt] = map[string]float64{}
		for _, m := range res.Causal {
			if m.Error != "" || len(m.Estimates) == 0 {
				t.Fatalf("region_trends %v: %s: %q", rt, m.Method, m.Error)
			}
			att[rt][m.Method] = float64(m.Estimates[0].Value)
		}
	}
	for _, m := range []string{"twfe", "imputation"} {
		if a, b := att[false][m], att[true][m]; a == b || math.IsNaN(a) || math.IsNaN(b) {
			t.Errorf("%s: %g without and %g with region × year effects; want two different numbers", m, a, b)
		}
	}
}

// TestControlsReachMethods: causal.controls enter synthetic DID as
// covariates fitted with the weights (a β per control in the notes),
// Callaway–Sant'Anna as did's xformla (doubly robust on base-period
// values) and staggered SDID as covariates, so each estimate moves and the
// notes say so; units with a missing control cell are left out as units
// with a missing outcome are.
func TestControlsReachMethods(t *testing.T) {
	for _, c := range []struct {
		method, spec string
		notes        []string // substrings of notes present only with the control
	}{
		{"sdid", "generate: {seed: 1}}\nreport: {cases: [杭州]}", []string{"β: online_service_rate", "missing outcome or control left out"}},
		{"callaway_santanna", "generate: {seed: 1, units: 120}}", []string{"doubly robust", "base-period values of online_service_rate"}},
		{"sdid_staggered", "generate: {seed: 1, units: 120}}", []string{"missing outcome or control left out"}},
	} {
		est := map[bool]float64{}
		for _, ctrl := range []bool{false, true} {
			extra := ""
			if ctrl {
				extra = ", controls: [online_service_rate]"
			}
			spec := "schema: 1\nindex: {uncertainty: -1}\npolicy: {outcomes: [goal]}\ncausal: {methods: [" + c.method + "], draws: 10" + extra + "}\ndata: {" + c.spec + "\n"
			s, err := ParseSpec([]byte(spec), "s.yaml")
			if err != nil {
				t.Fatalf("%s: %v", c.method, err)
			}
			res, err := Run(context.Background(), s, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var m *MethodResult
			for i := range res.Causal {
				if res.Causal[i].Method == c.method {
					m = &res.Causal[i]
				}
			}
			if m == nil || m.Error != "" || len(m.Estimates) == 0 {
				t.Fatalf("%s, controls %v: %+v", c.method, ctrl, m)
			}
			est[ctrl] = float64(m.Estimates[0].Value)
			for _, want := range c.notes {
				if got := slices.ContainsFunc(m.Notes, func(n string) bool { return strings.Contains(n, want) }); got != ctrl {
					t.Errorf("%s, controls %v: note %q present %v; notes %q", c.method, ctrl, want, got, m.Notes)
				}
			}
		}
		if est[false] == est[true] {
			t.Errorf("%s: the control did not change the estimate (%g)", c.method, est[true])
		}
	}
}

// TestSDIDStaggered: the programme-wide synthetic DID reports the overall
// ATT and one row per adoption cohort of the demo (2012, 2013, 2015,
// 2024), each cohort's N_a·T_a weight in the notes summing to one, and on
// the demo index (a positive true effect) a positive, significant ATT
// inside the range of its cohort estimates.
func TestSDIDStaggered(t *testing.T) {
	s, err := ParseSpec([]byte("schema: 1\ndata: {generate: {seed: 1}}\nindex: {uncertainty: -1}\ncausal: {methods: [sdid_staggered]}\npolicy: {outcomes: [goal]}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m *MethodResult
	for i := range res.Causal {
		if res.Causal[i].Method == "sdid_staggered" {
			m = &res.Causal[i]
		}
	}
	if m == nil || m.Error != "" {
		t.Fatalf("sdid_staggered: %+v", m)
	}
	var terms []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range m.Estimates[1:] {
		terms = append(terms, e.Term)
		lo, hi = min(lo, float64(e.Value)), max(hi, float64(e.Value))
	}
	if want := []string{"cohort 2012", "cohort 2013", "cohort 2015", "cohort 2024"}; !slices.Equal(terms, want) {
		t.Errorf("cohort rows %v, want %v", terms, want)
	}
	att := m.Estimates[0]
	if att.Term != "ATT" || !(att.Value > 0) || !(att.P < 0.05) || float64(att.Value) < lo || float64(att.Value) > hi {
		t.Errorf("ATT %+v; cohort estimates in [%g, %g]", att, lo, hi)
	}
	var wsum float64
	for _, n := range m.Notes {
		var c, cities, post int
		var w float64
		if k, _ := fmt.Sscanf(n, "cohort %d: %d cities, %d post-periods, weight %g", &c, &cities, &post, &w); k == 4 {
			wsum += w
		}
	}
	if math.Abs(wsum-1) > 1e-3 {
		t.Errorf("cohort weights in the notes sum to %g: %q", wsum, m.Notes)
	}
}
