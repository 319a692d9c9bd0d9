package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/cityimpact/cityimpact/division"
	"github.com/cityimpact/cityimpact/evaluation"
)

// htmlFixture returns a realistic Results of 30 cities × 6 years with two
// dimensions of two indicators each, every section filled: the shape the
// evaluation pipeline produces, with made-up numbers (the report only
// formats them). Deterministic.
func htmlFixture() *evaluation.Results {
	rng := rand.New(rand.NewPCG(1, 2))
	var cities []division.City
	all := division.Cities()
	for i := 0; i < len(all) && len(cities) < 30; i += 11 {
		cities = append(cities, all[i])
	}
	periods := []string{"2015", "2016", "2017", "2018", "2019", "2020"}
	U, T := len(cities), len(periods)
	r := &evaluation.Results{
		Schema: evaluation.ResultsSchema, Program: evaluation.Program{Name: "cityimpact", Version: "test"},
		Generated: "2026-01-01T00:00:00Z", InputHash: "sha256:0f1e2d",
		Spec:      &evaluation.Spec{Report: evaluation.ReportSpec{Language: "both", Top: 10}},
		Title:     evaluation.Text{Zh: "智慧城市试点政策评估报告（测试）", En: "Smart-city pilot evaluation (test)"},
		Synthetic: true, Periods: periods,
		Framework: evaluation.FrameworkInfo{Code: "test", Name: evaluation.Text{Zh: "测试指标体系", En: "Test framework"}, Nodes: []evaluation.NodeInfo{
			{Code: "goal", Name: evaluation.Text{Zh: "智慧城市综合指数", En: "Smart-city index"}, Parent: -1},
			{Code: "D1", Name: evaluation.Text{Zh: "数字经济", En: "Digital economy"}, Parent: 0, Depth: 1},
			{Code: "I11", Name: evaluation.Text{Zh: "数字经济核心产业增加值占比", En: "Digital core industries share"}, Parent: 1, Depth: 2, Indicator: true, Unit: "%", Direction: "+"},
			{Code: "I12", Name: evaluation.Text{Zh: "每万人发明专利", En: "Patents per 10k people"}, Parent: 1, Depth: 2, Indicator: true, Unit: "件", Direction: "+"},
			{Code: "D2", Name: evaluation.Text{Zh: "绿色低碳", En: "Green and low-carbon"}, Parent: 0, Depth: 1},
			{Code: "I21", Name: evaluation.Text{Zh: "单位GDP能耗", En: "Energy per unit GDP"}, Parent: 4, Depth: 2, Indicator: true, Unit: "tce/万元", Direction: "-"},
			{Code: "I22", Name: evaluation.Text{Zh: "空气质量优良天数比例", En: "Good air-quality days"}, Parent: 4, Depth: 2, Indicator: true, Unit: "%", Direction: "+"},
		}},
		Policy: evaluation.PolicySummary{Name: "smart_city", Outcomes: []string{"goal", "D1", "D2"},
			Cohorts: []evaluation.CohortCount{{Period: "2017", Units: 10}, {Period: "2018", Units: 8}}},
	}
	nodes := len(r.Framework.Nodes)
	r.Policy.Treated, r.Policy.Never = 18, U-18
	for i, c := range cities {
		u := evaluation.UnitInfo{Code: c.Code, Name: evaluation.Text{Zh: c.NameZh, En: c.NameEn}, Province: c.Province.NameZh, Region: c.Region()}
		switch {
		case i < 10:
			u.Cohort = "2017"
		case i < 18:
			u.Cohort = "2018"
		}
		u.Case = i == 3 || i == 21
		r.Units = append(r.Units, u)
	}
	// Scores: indicators uniform-ish with a unit effect and a treatment
	// effect, dimensions and goal their equal-weight means.
	r.Index.Scores = make([][]evaluation.Num, nodes)
	r.Index.Raw = make([][]evaluation.Num, nodes)
	for k := range r.Index.Scores {
		r.Index.Scores[k] = make([]evaluation.Num, U*T)
		r.Index.Raw[k] = make([]evaluation.Num, U*T)
	}
	for u := range U {
		fe := rng.Float64() * 0.4
		for t := range T {
			row := u*T + t
			eff := 0.0
			if c := r.Units[u].Cohort; c != "" && periods[t] >= c {
				eff = 0.06
			}
			for _, k := range []int{2, 3, 5, 6} {
				v := math.Min(1, 0.2+fe+0.02*float64(t)+eff+0.2*rng.Float64())
				r.Index.Scores[k][row] = evaluation.Num(v)
				r.Index.Raw[k][row] = evaluation.Num(v * 100)
			}
			for _, d := range [][3]int{{1, 2, 3}, {4, 5, 6}} {
				r.Index.Scores[d[0]][row] = (r.Index.Scores[d[1]][row] + r.Index.Scores[d[2]][row]) / 2
				r.Index.Raw[d[0]][row] = evaluation.NaN()
			}
			r.Index.Scores[0][row] = (r.Index.Scores[1][row] + r.Index.Scores[4][row]) / 2
			r.Index.Raw[0][row] = evaluation.NaN()
		}
	}
	r.Index.Rank = make([]evaluation.Num, U*T)
	r.Index.PeerRank = make([]evaluation.Num, U*T)
	r.Index.Grade = make([]string, U*T)
	r.Index.Attainment = make([]evaluation.Num, U*T)
	for t := range T {
		idx := make([]int, U)
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return r.Index.Scores[0][idx[a]*T+t] > r.Index.Scores[0][idx[b]*T+t] })
		for pos, u := range idx {
			row := u*T + t
			r.Index.Rank[row] = evaluation.Num(pos + 1)
			r.Index.PeerRank[row] = evaluation.Num(pos/3 + 1)
			r.Index.Grade[row] = []string{"A", "B", "C", "D"}[min(3, pos*4/U)]
			r.Index.Attainment[row] = evaluation.Num(1 - float64(pos)/float64(U))
		}
	}
	r.Index.Method = map[string]string{"normalise": "minmax", "weights": "entropy", "aggregate": "linear", "missing": "reweight"}
	r.Index.Weights = []evaluation.WeightRow{
		{Code: "D1", Parent: "goal", Local: 0.55, Global: 0.55}, {Code: "I11", Parent: "D1", Local: 0.6, Global: 0.33},
		{Code: "I12", Parent: "D1", Local: 0.4, Global: 0.22}, {Code: "D2", Parent: "goal", Local: 0.45, Global: 0.45},
		{Code: "I21", Parent: "D2", Local: 0.3, Global: 0.135}, {Code: "I22", Parent: "D2", Local: 0.7, Global: 0.315}}
	last := T - 1
	unc := &evaluation.RankUncertainty{Period: periods[last], Draws: 200, Seed: 7, Varied: []string{"weights", "normalise"}}
	coup := &evaluation.CouplingResult{Period: periods[last], Dimensions: []string{"D1", "D2"}}
	for u := range U {
		rk := r.Index.Rank[u*T+last]
		w := evaluation.Num(1 + rng.IntN(4))
		unc.Nominal = append(unc.Nominal, rk)
		unc.Median = append(unc.Median, rk+evaluation.Num(rng.IntN(3)-1))
		unc.Low = append(unc.Low, max(1, rk-w))
		unc.High = append(unc.High, min(evaluation.Num(U), rk+w))
		d1, d2 := r.Index.Scores[1][u*T+last], r.Index.Scores[4][u*T+last]
		c := 2 * math.Sqrt(float64(d1*d2)) / float64(d1+d2)
		tt := float64(d1+d2) / 2
		d := math.Sqrt(c * tt)
		coup.C = append(coup.C, evaluation.Num(c))
		coup.T = append(coup.T, evaluation.Num(tt))
		coup.D = append(coup.D, evaluation.Num(d))
		band, en := "勉强协调", "barely coordinated"
		if d >= 0.7 {
			band, en = "中级协调", "intermediate coordination"
		} else if d >= 0.6 {
			band, en = "初级协调", "primary coordination"
		}
		coup.Band = append(coup.Band, band)
		coup.BandEn = append(coup.BandEn, en)
	}
	r.Index.Uncertainty, r.Index.Coupling = unc, coup

	est := func(term string, v, se float64) evaluation.Estimate {
		tv := v / se
		return evaluation.Estimate{Term: term, Value: evaluation.Num(v), SE: evaluation.Num(se), T: evaluation.Num(tv),
			P: evaluation.Num(math.Erfc(math.Abs(tv) / math.Sqrt2)), Low: evaluation.Num(v - 1.96*se), High: evaluation.Num(v + 1.96*se),
			Relative: evaluation.Num(v / 0.45)}
	}
	r2 := evaluation.Num(0.81)
	for _, o := range r.Policy.Outcomes {
		r.Causal = append(r.Causal, evaluation.MethodResult{Method: "twfe", Outcome: o, Label: evaluation.Text{Zh: "双向固定效应", En: "Two-way FE"},
			Formula: o + " ~ treat_post | unit + year", VCov: "cluster(unit)", NObs: U * T, R2: &r2,
			Estimates: []evaluation.Estimate{est("treat_post", 0.05+0.01*rng.Float64(), 0.012)}})
		var pts []evaluation.EventPoint
		for rel := -4; rel <= 3; rel++ {
			v, se := 0.0, 0.015
			if rel >= 0 {
				v = 0.03 + 0.01*float64(rel)
			} else if rel != -1 {
				v = 0.004 * float64(rel+2)
			}
			p := evaluation.EventPoint{Rel: rel, Value: evaluation.Num(v), SE: evaluation.Num(se), Low: evaluation.Num(v - 1.96*se), High: evaluation.Num(v + 1.96*se), Ref: rel == -1}
			if rel == -1 {
				p.SE, p.Low, p.High = evaluation.NaN(), evaluation.NaN(), evaluation.NaN()
			}
			pts = append(pts, p)
		}
		r.Causal = append(r.Causal, evaluation.MethodResult{Method: "event_study", Outcome: o, Label: evaluation.Text{Zh: "事件研究", En: "Event study"},
			NObs: U * T, Estimates: []evaluation.Estimate{est("post_average", 0.045, 0.014)}, Points: pts,
			Tests: []evaluation.Test{{Name: "pre_trends", Label: evaluation.Text{Zh: "事前系数联合检验 F", En: "Joint F test of leads"}, Stat: 0.84, DF: 3, P: 0.47}}})
	}
	dist := make([]evaluation.Num, 200)
	for i := range dist {
		dist[i] = evaluation.Num(rng.NormFloat64() * 0.015)
	}
	sort.Slice(dist, func(a, b int) bool { return dist[a] < dist[b] })
	r.Causal = append(r.Causal,
		evaluation.MethodResult{Method: "placebo", Outcome: "goal", Label: evaluation.Text{Zh: "安慰剂检验", En: "Placebo"}, NObs: U * T,
			Estimates: []evaluation.Estimate{est("treat_post", 0.055, 0.012)}, Distribution: dist,
			Tests: []evaluation.Test{{Name: "placebo", Label: evaluation.Text{Zh: "随机置换 p 值", En: "Permutation p"}, Stat: 0.055, P: 0.005}}},
		evaluation.MethodResult{Method: "synth", Outcome: "D2", Label: evaluation.Text{Zh: "合成控制", En: "Synthetic control"},
			Error: "no unit treated long enough for a pre-period fit"})

	for _, g := range []struct {
		group string
		label evaluation.Text
		in    func(u evaluation.UnitInfo) bool
	}{
		{"treated", evaluation.Text{Zh: "试点城市", En: "Treated"}, func(u evaluation.UnitInfo) bool { return u.Cohort != "" }},
		{"comparison", evaluation.Text{Zh: "非试点城市", En: "Comparison"}, func(u evaluation.UnitInfo) bool { return u.Cohort == "" }},
		{"2017", evaluation.Text{Zh: "2017 批", En: "Cohort 2017"}, func(u evaluation.UnitInfo) bool { return u.Cohort == "2017" }},
		{"2018", evaluation.Text{Zh: "2018 批", En: "Cohort 2018"}, func(u evaluation.UnitInfo) bool { return u.Cohort == "2018" }},
	} {
		ts := evaluation.TrendSeries{Outcome: "goal", Group: g.group, Label: g.label}
		for t := range T {
			s, n := 0.0, 0
			for u, ui := range r.Units {
				if g.in(ui) {
					s += float64(r.Index.Scores[0][u*T+t])
					n++
				}
			}
			ts.Units = n
			ts.Mean = append(ts.Mean, evaluation.Num(s/float64(n)))
		}
		r.Trends = append(r.Trends, ts)
	}
	for u, ui := range r.Units {
		row := u*T + last
		d := evaluation.CityDiagnosis{Unit: ui.Code, Period: periods[last], Score: r.Index.Scores[0][row], Rank: r.Index.Rank[row], Of: U,
			PeerGroup: ui.Region, PeerRank: r.Index.PeerRank[row], PeerOf: 10, PeerMedianScore: 0.5, Grade: r.Index.Grade[row],
			Attainment: r.Index.Attainment[row], Trend: 0.021, Change: r.Index.Scores[0][row] - r.Index.Scores[0][row-1]}
		for _, k := range []int{1, 4} {
			d.Dimensions = append(d.Dimensions, evaluation.Gap{Code: r.Framework.Nodes[k].Code, Value: r.Index.Scores[k][row], Raw: evaluation.NaN(), Median: 0.5, Gap: r.Index.Scores[k][row] - 0.5})
		}
		d.Strengths = []evaluation.Gap{{Code: "I11", Value: r.Index.Scores[2][row], Raw: r.Index.Raw[2][row], Median: 0.5, Gap: r.Index.Scores[2][row] - 0.5}}
		d.Weaknesses = []evaluation.Gap{{Code: "I21", Value: r.Index.Scores[5][row], Raw: r.Index.Raw[5][row], Median: 0.5, Gap: r.Index.Scores[5][row] - 0.5}}
		if u%7 == 2 {
			f := evaluation.Failure{Code: "I22", Periods: periods[last-1:], Target: 80, Values: []evaluation.Num{r.Index.Raw[6][row-1], r.Index.Raw[6][row]}}
			d.Failures = []evaluation.Failure{f}
			r.Alerts = append(r.Alerts, evaluation.Alert{Unit: ui.Code, Code: "I22", Kind: "consecutive_below_target", Level: "serious", Periods: f.Periods,
				Message: evaluation.Text{Zh: fmt.Sprintf("%s连续两年空气质量优良天数比例低于目标 80", ui.Name.Zh), En: fmt.Sprintf("%s below the air-quality target 80 two years running", ui.Name.En)}})
		}
		if u%2 == 0 {
			r.Alerts = append(r.Alerts, evaluation.Alert{Unit: ui.Code, Code: "I12", Kind: "veto", Level: "serious", Periods: periods[last:], Systemic: true,
				Message: evaluation.Text{Zh: fmt.Sprintf("%s的I12触及一票否决底线", ui.Name.Zh), En: fmt.Sprintf("%s: I12 breaches its veto floor", ui.Name.En)}})
		}
		d.Narrative = evaluation.Text{
			Zh: fmt.Sprintf("%s%s年综合指数为%.3f，在%d个城市中排名第%d。", ui.Name.Zh, periods[last], float64(d.Score), U, int(d.Rank)),
			En: fmt.Sprintf("%s scored %.3f in %s, ranked %d of %d.", ui.Name.En, float64(d.Score), periods[last], int(d.Rank), U)}
		r.Cities = append(r.Cities, d)
	}
	r.Alerts = append(r.Alerts, evaluation.Alert{Unit: r.Units[5].Code, Code: "goal", Kind: "rank_drop", Level: "warning", Periods: periods[last-1:],
		Message: evaluation.Text{Zh: "排名较上年下降 6 位", En: "rank fell 6 places on the previous year"}})
	// Alert groups as evaluation.groupAlerts counts them: I12's veto in
	// half the cities is systemic, I22's failures and the rank drop not.
	count := map[[2]string]int{}
	for _, a := range r.Alerts {
		count[[2]string{a.Code, a.Kind}]++
	}
	for _, g := range []struct{ code, kind, level string }{{"I12", "veto", "serious"}, {"I22", "consecutive_below_target", "serious"}, {"goal", "rank_drop", "warning"}} {
		c := count[[2]string{g.code, g.kind}]
		sh := float64(c) / float64(U)
		r.AlertGroups = append(r.AlertGroups, evaluation.AlertGroup{Code: g.code, Kind: g.kind, Level: g.level, Cities: c, Assessed: U,
			Share: evaluation.Num(sh), Systemic: sh >= 0.5,
			Message: evaluation.Text{Zh: fmt.Sprintf("%s：%d个城市（%.1f%%）", g.code, c, 100*sh), En: fmt.Sprintf("%s: %d of %d cities (%.1f%%)", g.code, c, U, 100*sh)}})
	}
	for _, k := range []int{2, 3, 5, 6} {
		miss := rng.IntN(10)
		r.Data.Indicators = append(r.Data.Indicators, evaluation.IndicatorQuality{Code: r.Framework.Nodes[k].Code, Cells: U * T, Missing: miss,
			MissingShare: evaluation.Num(float64(miss) / float64(U*T)), Imputed: miss, Imputation: "linear", Winsorised: 4, Outliers: 3})
	}
	r.Data.Dropped = []evaluation.Dropped{{Code: "I99", Reason: "missing in 62% of cells (max 50%)"}}
	r.Data.Check = &evaluation.DataCheck{MissingShare: 0.031, Problems: []string{"I12: 3 negative values"}}
	r.Notes = []string{"synthetic data from the demo generator, seed 1"}
	return r
}
