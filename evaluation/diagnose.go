package evaluation

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/cityimpact/cityimpact/composite"
)

// diagnoseTop is the number of strengths and of weaknesses per city.
const diagnoseTop = 3

// trends adds the mean of an outcome by period for ever-treated units, for
// never-treated units and for each adoption cohort.
func (r *run) trends(k int, code string, y, coh []float64) {
	T, n := r.p.NPeriods(), r.p.NUnits()
	type group struct {
		key   string
		label Text
		in    func(c float64) bool
	}
	groups := []group{
		{"treated", Text{Zh: "试点城市", En: "Pilot cities"}, func(c float64) bool { return !math.IsNaN(c) }},
		{"comparison", Text{Zh: "非试点城市", En: "Non-pilot cities"}, func(c float64) bool { return math.IsNaN(c) }},
	}
	for _, c := range r.res.Policy.Cohorts {
		cy := 0.0
		fmt.Sscanf(c.Period, "%g", &cy)
		groups = append(groups, group{"cohort " + c.Period,
			Text{Zh: c.Period + "年批次", En: "Cohort " + c.Period}, func(x float64) bool { return x == cy }})
	}
	for _, g := range groups {
		ts := TrendSeries{Outcome: code, Group: g.key, Label: g.label, Mean: make([]Num, T)}
		sum, cnt := make([]float64, T), make([]int, T)
		for u := range n {
			if !g.in(coh[u*T]) {
				continue
			}
			ts.Units++
			for t := range T {
				if v := y[u*T+t]; !math.IsNaN(v) {
					sum[t] += v
					cnt[t]++
				}
			}
		}
		if ts.Units == 0 {
			continue
		}
		for t := range T {
			ts.Mean[t] = NaN()
			if cnt[t] > 0 {
				ts.Mean[t] = Num(sum[t] / float64(cnt[t]))
			}
		}
		r.res.Trends = append(r.res.Trends, ts)
	}
}

// diagnose builds each city's diagnosis in the last period and the alerts.
func (r *run) diagnose() error {
	s, p, x := r.spec, r.p, r.idx.x
	T, n := p.NPeriods(), p.NUnits()
	t := T - 1
	peers := r.idx.peers
	groups := composite.GroupRows(peers.Of, len(peers.Labels))
	peerRank := x.Rank
	if pr, ok := x.PeerRank[s.Peers.By]; ok {
		peerRank = pr
	}
	ranked := 0
	for u := range n {
		if !math.IsNaN(x.Rank[r.row(u, t)]) {
			ranked++
		}
	}
	// Peer medians of every node's score in period t.
	medians := make([][]float64, len(x.Codes)) // [node][group]
	for k := range x.Codes {
		medians[k] = make([]float64, len(groups))
		for g, members := range groups {
			vals := make([]float64, 0, len(members))
			for _, u := range members {
				if v := x.Score[k][r.row(u, t)]; !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			sort.Float64s(vals)
			medians[k][g] = math.NaN()
			if len(vals) > 0 {
				medians[k][g] = composite.QuantileSorted(vals, 0.5)
			}
		}
	}
	targets := r.targets()
	// assessed[code]: cities with a target in force and a value in period
	// t, the denominator of the consecutive-failure alert groups.
	assessed := make(map[string]int, len(targets))
	for _, tg := range targets {
		for u := range n {
			if tg.value[u] != nil && !math.IsNaN(tg.value[u][t]) && !math.IsNaN(x.Raw[tg.node][r.row(u, t)]) {
				assessed[tg.code]++
			}
		}
	}
	// Targets are assessed from Peers.TargetsFrom (default: the trend
	// window), so a 2025 target is not failed in 2010; a framework target
	// with target_from is not in force (NaN, see targets) before its year,
	// so each run starts at the later of the two.
	tFrom := max(0, T-s.Report.TrendPeriods)
	if y := s.Peers.TargetsFrom; y != 0 {
		tFrom = firstPeriodFrom(p, y)
	}
	for u := range n {
		g := int(peers.Of[u])
		row := r.row(u, t)
		d := CityDiagnosis{Unit: p.Units[u].Code, Period: r.res.Periods[t], Score: Num(x.Score[0][row]),
			Rank: Num(x.Rank[row]), Of: ranked, PeerGroup: peers.Labels[g], PeerRank: Num(peerRank[row]),
			PeerMedianScore: Num(medians[0][g]), Grade: x.Grade[row], Attainment: Num(x.Attainment[row]),
			Dimensions: []Gap{}, Strengths: []Gap{}, Weaknesses: []Gap{}, NoTarget: []string{}, Failures: []Failure{}}
		for _, m := range groups[g] {
			if !math.IsNaN(peerRank[r.row(m, t)]) {
				d.PeerOf++
			}
		}
		var gaps []Gap
		for k, code := range x.Codes {
			if k == 0 {
				continue
			}
			gap := Gap{Code: code, Value: Num(x.Score[k][row]), Raw: NaN(), Median: Num(medians[k][g]),
				Gap: Num(x.Score[k][row] - medians[k][g])}
			if x.IsIndicator[k] {
				gap.Raw = Num(x.Raw[k][row])
				if gap.Gap.Valid() {
					gaps = append(gaps, gap)
				}
			} else if x.Parent[k] == 0 {
				d.Dimensions = append(d.Dimensions, gap)
			}
		}
		// Strengths: largest positive gaps; weaknesses: most negative
		// (ties by framework order).
		sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].Gap > gaps[j].Gap })
		for _, gp := range gaps {
			if len(d.Strengths) < diagnoseTop && gp.Gap > 0 {
				d.Strengths = append(d.Strengths, gp)
			}
		}
		for i := len(gaps) - 1; i >= 0 && len(d.Weaknesses) < diagnoseTop; i-- {
			if gaps[i].Gap < 0 {
				d.Weaknesses = append(d.Weaknesses, gaps[i])
			}
		}
		// Trend and change of the goal score.
		d.Trend, d.Change = NaN(), NaN()
		w := min(s.Report.TrendPeriods, T)
		var xs, ys []float64
		for tt := T - w; tt < T; tt++ {
			if v := x.Score[0][r.row(u, tt)]; !math.IsNaN(v) {
				xs, ys = append(xs, float64(tt)), append(ys, v)
			}
		}
		if len(xs) >= 2 {
			d.Trend = Num(slope(xs, ys))
		}
		if T >= 2 {
			d.Change = Num(x.Score[0][row] - x.Score[0][r.row(u, t-1)])
		}
		// Targets and consecutive failures.
		for _, tg := range targets {
			if tg.value[u] == nil {
				d.NoTarget = append(d.NoTarget, tg.code)
				continue
			}
			run := 0
			for tt := t; tt >= tFrom; tt-- {
				v := x.Raw[tg.node][r.row(u, tt)]
				tv := tg.value[u][tt]
				if math.IsNaN(v) || math.IsNaN(tv) || !fails(v, tv, tg.dir) {
					break
				}
				run++
			}
			if run >= s.Peers.Consecutive {
				f := Failure{Code: tg.code, Target: Num(tg.value[u][t])}
				for tt := t - run + 1; tt <= t; tt++ {
					f.Periods = append(f.Periods, r.res.Periods[tt])
					f.Values = append(f.Values, Num(x.Raw[tg.node][r.row(u, tt)]))
				}
				d.Failures = append(d.Failures, f)
			}
		}
		r.res.Cities = append(r.res.Cities, d)
	}
	r.alerts()
	r.groupAlerts(assessed, ranked)
	for i := range r.res.Cities {
		r.res.Cities[i].Narrative = Narrate(&r.res.Cities[i], r.res)
	}
	return nil
}

// fails reports whether value v misses target tv for direction dir.
func fails(v, tv float64, dir composite.Direction) bool {
	if dir == composite.Cost {
		return v > tv
	}
	return v < tv
}

// slope is the least-squares slope of ys on xs.
func slope(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(xs))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	return sxy / sxx
}

// target is one indicator's target per unit and period: the framework's
// (the same every period from its target_from on, NaN before: see
// composite.Node.TargetFrom, set by [SetTargetFrom]) or, with
// Peers.TargetQuantile, the peer group's
// quantile of the previous period (the bottom-quantile rule for indicators
// without an official target; nil for a unit without either).
type target struct {
	code  string
	node  int // index node
	dir   composite.Direction
	value [][]float64 // [unit][period]; nil unit: no target
}

func (r *run) targets() []target {
	x, p := r.idx.x, r.p
	T, n := p.NPeriods(), p.NUnits()
	q := r.spec.Peers.TargetQuantile
	groups := composite.GroupRows(r.idx.peers.Of, len(r.idx.peers.Labels))
	var out []target
	var walk func(c *composite.Node)
	walk = func(c *composite.Node) {
		if !c.IsIndicator() {
			for _, k := range c.Children {
				walk(k)
			}
			return
		}
		k := -1
		for j, code := range x.Codes {
			if code == c.Code {
				k = j
			}
		}
		tg := target{code: c.Code, node: k, dir: c.Direction, value: make([][]float64, n)}
		switch {
		case c.Target != nil:
			for u := range n {
				if !math.IsNaN(c.Target[u]) {
					tg.value[u] = make([]float64, T)
					for t := range T {
						tg.value[u][t] = math.NaN()
						if t >= c.TargetFrom {
							tg.value[u][t] = c.Target[u]
						}
					}
				}
			}
		case q > 0:
			pq := q
			if c.Direction == composite.Cost {
				pq = 1 - q
			}
			for _, members := range groups {
				for _, u := range members {
					tg.value[u] = make([]float64, T)
				}
				for t := range T {
					var vals []float64
					if t > 0 {
						for _, u := range members {
							if v := x.Raw[k][r.row(u, t-1)]; !math.IsNaN(v) {
								vals = append(vals, v)
							}
						}
					}
					sort.Float64s(vals)
					for _, u := range members {
						tg.value[u][t] = math.NaN()
						if len(vals) >= 3 {
							tg.value[u][t] = composite.QuantileSorted(vals, pq)
						}
					}
				}
			}
		}
		out = append(out, tg)
	}
	walk(r.idx.tree)
	return out
}

// alerts raises: consecutive failures (serious at Peers.Consecutive
// periods: 约谈), veto floors breached in the last period (serious), and
// rank drops of more than a tenth of the ranked units in one period
// (warning).
func (r *run) alerts() {
	x := r.idx.x
	T := r.p.NPeriods()
	t := T - 1
	r.res.Alerts = []Alert{}
	name := func(code string) Text {
		if k, ok := r.nodeIx[code]; ok {
			return r.res.Framework.Nodes[k].Name
		}
		return Text{Zh: code, En: code}
	}
	for u, d := range r.res.Cities {
		city := r.res.Units[u].Name
		for _, f := range d.Failures {
			nm := name(f.Code)
			r.res.Alerts = append(r.res.Alerts, Alert{Unit: d.Unit, Code: f.Code, Kind: "consecutive_below_target", Level: "serious",
				Periods: f.Periods,
				Message: Text{
					Zh: fmt.Sprintf("%s的%s连续%d期未达标（%s–%s），按规定应约谈", city.Zh, nm.Zh, len(f.Periods), f.Periods[0], f.Periods[len(f.Periods)-1]),
					En: fmt.Sprintf("%s: %s below target for %d consecutive periods (%s–%s); a formal interview (约谈) is due", city.En, nm.En, len(f.Periods), f.Periods[0], f.Periods[len(f.Periods)-1]),
				}})
		}
		row := r.row(u, t)
		for _, code := range x.Veto[row] {
			nm := name(code)
			r.res.Alerts = append(r.res.Alerts, Alert{Unit: d.Unit, Code: code, Kind: "veto", Level: "serious",
				Periods: []string{r.res.Periods[t]},
				Message: Text{Zh: fmt.Sprintf("%s的%s触及一票否决底线，等级封顶", city.Zh, nm.Zh),
					En: fmt.Sprintf("%s: %s breaches its veto floor; the grade is capped", city.En, nm.En)}})
		}
		if T >= 2 {
			prev, cur := x.Rank[r.row(u, t-1)], x.Rank[row]
			if drop := cur - prev; drop > float64(d.Of)/10 {
				r.res.Alerts = append(r.res.Alerts, Alert{Unit: d.Unit, Code: "goal", Kind: "rank_drop", Level: "warning",
					Periods: []string{r.res.Periods[t-1], r.res.Periods[t]},
					Message: Text{Zh: fmt.Sprintf("%s综合排名由第%g位降至第%g位", city.Zh, prev, cur),
						En: fmt.Sprintf("%s fell from rank %g to %g", city.En, prev, cur)}})
			}
		}
	}
}

// groupAlerts counts the alerts per indicator and kind (see [AlertGroup])
// and marks the systemic ones. assessed holds, per indicator with a
// target, the cities the consecutive-failure rule applied to; veto groups
// count the cities with a value of the indicator in the last period, rank
// drops the ranked cities. Groups come serious first, then by the number
// of cities (most first), then in framework order.
func (r *run) groupAlerts(assessed map[string]int, ranked int) {
	x := r.idx.x
	t := r.p.NPeriods() - 1
	share := r.spec.Peers.SystemicShare
	if share == 0 {
		share = defaultSystemic
	}
	type key struct{ code, kind string }
	ix := map[key]int{}
	r.res.AlertGroups = []AlertGroup{}
	for _, a := range r.res.Alerts {
		k := key{a.Code, a.Kind}
		i, ok := ix[k]
		if !ok {
			i = len(r.res.AlertGroups)
			ix[k] = i
			g := AlertGroup{Code: a.Code, Kind: a.Kind, Level: a.Level}
			switch a.Kind {
			case "consecutive_below_target":
				g.Assessed = assessed[a.Code]
			case "veto":
				if k := slices.Index(x.Codes, a.Code); k >= 0 {
					g.Assessed = r.observed(k, t)
				}
			default:
				g.Assessed = ranked
			}
			r.res.AlertGroups = append(r.res.AlertGroups, g)
		}
		r.res.AlertGroups[i].Cities++
	}
	name := func(code string) Text {
		if k, ok := r.nodeIx[code]; ok {
			return r.res.Framework.Nodes[k].Name
		}
		return Text{Zh: "综合排名", En: "overall rank"}
	}
	for i := range r.res.AlertGroups {
		g := &r.res.AlertGroups[i]
		g.Assessed = max(g.Assessed, g.Cities)
		g.Share = Num(float64(g.Cities) / float64(g.Assessed))
		g.Systemic = float64(g.Share) >= share
		nm := name(g.Code)
		pct := 100 * float64(g.Share)
		var what Text
		switch g.Kind {
		case "consecutive_below_target":
			what = Text{Zh: fmt.Sprintf("连续%d期及以上未达标", r.spec.Peers.Consecutive),
				En: fmt.Sprintf("below target for %d or more consecutive periods", r.spec.Peers.Consecutive)}
		case "veto":
			what = Text{Zh: "触及一票否决底线", En: "breach the veto floor"}
		default:
			what = Text{Zh: "排名大幅下降", En: "fell sharply in rank"}
		}
		g.Message = Text{
			Zh: fmt.Sprintf("%s：%d个城市%s，占评估城市（%d个）的%.1f%%", nm.Zh, g.Cities, what.Zh, g.Assessed, pct),
			En: fmt.Sprintf("%s: %d of %d assessed cities (%.1f%%) %s", nm.En, g.Cities, g.Assessed, pct, what.En),
		}
		if g.Systemic {
			g.Message.Zh += "，属普遍性问题：应复核目标值或加强全国层面支持，而非仅约谈单个城市"
			g.Message.En += "; a shortfall across the programme: review the target or national support rather than interviewing cities one by one"
		}
	}
	order := make(map[string]int, len(r.nodes))
	for k, n := range r.nodes {
		order[n.Code] = k
	}
	sort.SliceStable(r.res.AlertGroups, func(i, j int) bool {
		a, b := r.res.AlertGroups[i], r.res.AlertGroups[j]
		if (a.Level == "serious") != (b.Level == "serious") {
			return a.Level == "serious"
		}
		if a.Cities != b.Cities {
			return a.Cities > b.Cities
		}
		return order[a.Code] < order[b.Code]
	})
	systemic := map[key]bool{}
	for _, g := range r.res.AlertGroups {
		systemic[key{g.Code, g.Kind}] = g.Systemic
	}
	for i, a := range r.res.Alerts {
		r.res.Alerts[i].Systemic = systemic[key{a.Code, a.Kind}]
	}
}

// observed counts the cities with a raw value of index node k in period t.
func (r *run) observed(k, t int) int {
	c := 0
	for u := range r.p.NUnits() {
		if !math.IsNaN(r.idx.x.Raw[k][r.row(u, t)]) {
			c++
		}
	}
	return c
}
