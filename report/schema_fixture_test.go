package report

import (
	"math"

	"github.com/cityimpact/cityimpact/evaluation"
)

// fixture builds a realistic hand-made Results: 8 cities (one with a
// Chinese name containing LaTeX and Markdown specials), 4 years, a goal
// with two dimensions and five indicators (one dropped), TWFE, an event
// study with points and a pre-trend test, a placebo with its distribution
// and a method that failed; missing values in scores, ranks and estimates;
// diagnoses with failures and alerts. The numbers are invented but
// consistent in shape (lengths, orders) with what evaluation.Run produces.
func fixture() *evaluation.Results {
	nan := evaluation.NaN()
	num := func(v float64) *evaluation.Num { n := evaluation.Num(v); return &n }
	units := []evaluation.UnitInfo{
		{Code: "110000", Name: evaluation.Text{Zh: "北京市", En: "Beijing"}, Province: "北京市", Region: "east", Tier: "1", Cohort: "2013"},
		{Code: "310000", Name: evaluation.Text{Zh: "上海市", En: "Shanghai"}, Province: "上海市", Region: "east", Tier: "1", Cohort: "2013", Case: true},
		{Code: "330100", Name: evaluation.Text{Zh: "杭州市", En: "Hangzhou"}, Province: "浙江省", Region: "east", Tier: "2", Cohort: "2014", Case: true},
		{Code: "320500", Name: evaluation.Text{Zh: "苏州市", En: "Suzhou"}, Province: "江苏省", Region: "east", Tier: "2"},
		{Code: "410100", Name: evaluation.Text{Zh: "郑州市", En: "Zhengzhou"}, Province: "河南省", Region: "central", Tier: "2", Cohort: "2014"},
		{Code: "510100", Name: evaluation.Text{Zh: "成都市", En: "Chengdu"}, Province: "四川省", Region: "west", Tier: "2"},
		{Code: "620100", Name: evaluation.Text{Zh: "兰州市", En: "Lanzhou"}, Province: "甘肃省", Region: "west", Tier: "3"},
		{Code: "990001", Name: evaluation.Text{Zh: "测试_市&#%", En: "Test_city & 50% {x}"}, Province: "", Region: "west", Tier: "3"},
	}
	periods := []string{"2012", "2013", "2014", "2015"}
	nodes := []evaluation.NodeInfo{
		{Code: "goal", Name: evaluation.Text{Zh: "新型智慧城市", En: "Smart city"}, Parent: -1},
		{Code: "econ", Name: evaluation.Text{Zh: "经济发展", En: "Economy"}, Parent: 0, Depth: 1},
		{Code: "env", Name: evaluation.Text{Zh: "生态环境", En: "Environment"}, Parent: 0, Depth: 1},
		{Code: "gdp", Name: evaluation.Text{Zh: "人均GDP", En: "GDP per capita"}, Parent: 1, Depth: 2, Indicator: true, Unit: "元", Direction: "+"},
		{Code: "rd", Name: evaluation.Text{Zh: "R&D投入强度", En: "R&D intensity"}, Parent: 1, Depth: 2, Indicator: true, Unit: "%", Direction: "+", Target: num(2.5), TargetFrom: 2014},
		{Code: "pm25", Name: evaluation.Text{Zh: "PM2.5年均浓度", En: "PM2.5 annual mean"}, Parent: 2, Depth: 2, Indicator: true, Unit: "μg/m³", Direction: "-", Target: num(35)},
		{Code: "green", Name: evaluation.Text{Zh: "建成区绿化覆盖率", En: "Green coverage"}, Parent: 2, Depth: 2, Indicator: true, Unit: "%", Direction: "+"},
		{Code: "broad", Name: evaluation.Text{Zh: "宽带普及率", En: "Broadband"}, Parent: 1, Depth: 2, Indicator: true, Unit: "%", Direction: "+"},
	}
	N, T, K := len(units), len(periods), len(nodes)
	// Deterministic pseudo-scores: s(k,u,t) in [0,1].
	score := func(k, u, t int) float64 {
		return 0.5 + 0.4*math.Sin(float64(3*k+7*u+t)*0.7)*math.Cos(float64(k+u)*0.3) + 0.02*float64(t)
	}
	scores := make([][]evaluation.Num, K)
	raw := make([][]evaluation.Num, K)
	for k := range K {
		scores[k] = make([]evaluation.Num, N*T)
		raw[k] = make([]evaluation.Num, N*T)
		for u := range N {
			for t := range T {
				i := u*T + t
				scores[k][i] = evaluation.Num(score(k, u, t))
				if nodes[k].Indicator {
					raw[k][i] = evaluation.Num(100 * score(k, u, t))
				} else {
					raw[k][i] = nan
				}
			}
		}
	}
	scores[0][7*T+3] = nan // the test city has no score in 2015
	scores[4][7*T+2] = nan
	rank := make([]evaluation.Num, N*T)
	peer := make([]evaluation.Num, N*T)
	grade := make([]string, N*T)
	att := make([]evaluation.Num, N*T)
	for t := range T {
		for u := range N {
			i := u*T + t
			if !scores[0][i].Valid() {
				rank[i], peer[i], att[i] = nan, nan, nan
				continue
			}
			r := 1.0
			for w := range N {
				if j := w*T + t; w != u && scores[0][j].Valid() && scores[0][j] > scores[0][i] {
					r++
				}
			}
			rank[i] = evaluation.Num(r)
			peer[i] = evaluation.Num(math.Ceil(r / 3))
			switch s := float64(scores[0][i]); {
			case s >= 0.8:
				grade[i] = "A"
			case s >= 0.6:
				grade[i] = "B"
			case s >= 0.4:
				grade[i] = "C"
			default:
				grade[i] = "D"
			}
			att[i] = evaluation.Num(float64((u+t)%3) / 2)
		}
	}
	nums := func(x ...float64) []evaluation.Num {
		out := make([]evaluation.Num, len(x))
		for i, v := range x {
			out[i] = evaluation.Num(v)
		}
		return out
	}
	r := &evaluation.Results{
		Schema:    evaluation.ResultsSchema,
		Program:   evaluation.Program{Name: "cityimpact", Version: "v0.0.0-test"},
		Generated: "2026-11-28T15:00:00Z",
		InputHash: "sha256:0f3c9a1e5b7d2c4e6a8b0d1f3e5c7a9b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c",
		Spec: &evaluation.Spec{
			Schema: 1, Title: evaluation.Text{Zh: "智慧城市试点评估", En: "Smart-city pilot evaluation"},
			Data:      evaluation.DataSpec{Generate: &evaluation.GenerateSpec{Seed: 1, Units: 8}, Impute: "linear"},
			Framework: evaluation.FrameworkSpec{Template: "seed-2025"},
			Policy:    evaluation.PolicySpec{Name: "smart_city", Outcomes: []string{"goal", "econ", "pm25"}},
			Index:     evaluation.IndexSpec{Normalise: "minmax", Weights: "entropy", Aggregate: "linear", Missing: "reweight", Uncertainty: 200, Seed: 7, MaxMissing: 0.5},
			Causal:    evaluation.CausalSpec{Methods: []string{"twfe", "event_study", "placebo", "synth"}, Cluster: "unit", Leads: 2, Lags: 2, Draws: 500, Seed: 3, Level: 0.95},
			Peers:     evaluation.PeerSpec{By: "tier", Consecutive: 2, TargetQuantile: 0.25},
			Report:    evaluation.ReportSpec{Language: "both", Cases: []string{"310000", "杭州市"}, Top: 5, TrendPeriods: 3},
		},
		Title:     evaluation.Text{Zh: "智慧城市试点评估", En: "Smart-city pilot evaluation"},
		Synthetic: true,
		Framework: evaluation.FrameworkInfo{Code: "seed-2025", Name: evaluation.Text{Zh: "新型智慧城市评价指标", En: "Smart city indicators"}, Nodes: nodes},
		Units:     units,
		Periods:   periods,
		Policy: evaluation.PolicySummary{Name: "smart_city", Treated: 4, Never: 4,
			Cohorts:  []evaluation.CohortCount{{Period: "2013", Units: 2}, {Period: "2014", Units: 2}},
			Outcomes: []string{"goal", "econ", "pm25"}},
		Data: evaluation.DataQuality{
			Check: &evaluation.DataCheck{Framework: "seed-2025", Problems: []string{"indicator broad: 40% of cells missing"}, MissingShare: 0.061,
				Panels: []evaluation.PanelInfo{{Freq: "year", Units: 8, Periods: 4, Start: "2012", End: "2015", Indicators: 5}}},
			Indicators: []evaluation.IndicatorQuality{
				{Code: "gdp", Cells: 32, MissingShare: 0, Imputation: "linear"},
				{Code: "rd", Cells: 32, Missing: 2, MissingShare: 0.0625, Imputed: 1, Imputation: "linear", Winsorised: 2, Outliers: 1},
				{Code: "pm25", Cells: 32, Missing: 1, MissingShare: 0.03125, Imputed: 1, Imputation: "linear"},
				{Code: "green", Cells: 32, Winsorised: 1, Outliers: 3, MissingShare: 0},
				{Code: "broad", Cells: 32, Missing: 13, MissingShare: 0.40625},
			},
			Dropped: []evaluation.Dropped{{Code: "broad", Reason: "40.6% of cells missing after imputation (max 50%)… kept | no: dropped for variance 0"}},
		},
		Index: evaluation.IndexResults{
			Method: map[string]string{"normalise": "minmax", "weights": "entropy", "aggregate": "linear", "missing": "reweight", "scope": "pooled"},
			Weights: []evaluation.WeightRow{
				{Code: "econ", Parent: "goal", Local: 0.55, Global: 0.55},
				{Code: "env", Parent: "goal", Local: 0.45, Global: 0.45},
				{Code: "gdp", Parent: "econ", Local: 0.6, Global: 0.33},
				{Code: "rd", Parent: "econ", Local: 0.4, Global: 0.22},
				{Code: "pm25", Parent: "env", Local: 0.3, Global: 0.135},
				{Code: "green", Parent: "env", Local: 0.7, Global: 0.315},
				{Code: "broad", Parent: "econ", Local: nan, Global: nan},
			},
			Scores: scores, Raw: raw, Rank: rank, Grade: grade, Attainment: att, PeerRank: peer,
			Uncertainty: &evaluation.RankUncertainty{Period: "2015", Draws: 200, Seed: 7,
				Median: nums(2, 1, 3, 4, 5, 6, 7, math.NaN()), Low: nums(1, 1, 2, 3, 4, 5, 6, math.NaN()),
				High: nums(3, 2, 5, 5, 6, 7, 7, math.NaN()), Nominal: nums(2, 1, 3, 4, 5, 6, 7, math.NaN()),
				Varied: []string{"weights", "normalise"}},
			Coupling: &evaluation.CouplingResult{Period: "2015", Dimensions: []string{"econ", "env"},
				C: nums(0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, math.NaN()), T: nums(0.6, 0.7, 0.5, 0.55, 0.45, 0.4, 0.35, math.NaN()),
				D:      nums(0.77, 0.83, 0.7, 0.73, 0.65, 0.61, 0.57, math.NaN()),
				Band:   []string{"中级协调", "良好协调", "初级协调", "中级协调", "初级协调", "初级协调", "勉强协调", ""},
				BandEn: []string{"intermediate", "good", "primary", "intermediate", "primary", "primary", "barely", ""}},
			Notes: []string{"weights pooled over 2012–2015"},
		},
		Causal: []evaluation.MethodResult{
			{Method: "twfe", Outcome: "goal", Label: evaluation.Text{Zh: "双向固定效应", En: "TWFE"},
				Formula: "goal ~ treat_post | unit + year", VCov: "cluster: unit", NObs: 32, R2: num(0.83), R2Within: num(0.12),
				Estimates: []evaluation.Estimate{{Term: "treat_post", Value: 0.0312, SE: 0.0121, T: 2.578, P: 0.0149, Low: 0.0064, High: 0.056, Relative: 0.061}}},
			{Method: "twfe", Outcome: "econ", Label: evaluation.Text{Zh: "双向固定效应", En: "TWFE"},
				Formula: "econ ~ treat_post | unit + year", VCov: "cluster: unit", NObs: 32, R2: num(0.79), R2Within: num(0.05),
				Estimates: []evaluation.Estimate{{Term: "treat_post", Value: 0.0101, SE: 0.0143, T: 0.706, P: 0.486, Low: -0.0191, High: 0.0393, Relative: nan}}},
			{Method: "twfe", Outcome: "pm25", Label: evaluation.Text{Zh: "双向固定效应", En: "TWFE"},
				Formula: "pm25 ~ treat_post | unit + year", VCov: "cluster: unit", NObs: 31, R2: num(0.9), R2Within: num(0.21),
				Estimates: []evaluation.Estimate{{Term: "treat_post", Value: -2.41, SE: 0.88, T: -2.739, P: 0.0009, Low: -4.21, High: -0.61, Relative: -0.052}}},
			{Method: "event_study", Outcome: "goal", Label: evaluation.Text{Zh: "事件研究", En: "Event study"},
				Formula: "goal ~ i(rel, ref = -1) | unit + year", VCov: "cluster: unit", NObs: 32, R2: num(0.84),
				Estimates: []evaluation.Estimate{{Term: "post_mean", Value: 0.029, SE: 0.013, T: 2.23, P: 0.033, Low: 0.003, High: 0.055, Relative: 0.057}},
				Points: []evaluation.EventPoint{
					{Rel: -2, Value: 0.004, SE: 0.011, Low: -0.018, High: 0.026},
					{Rel: -1, Value: 0, SE: nan, Low: nan, High: nan, Ref: true},
					{Rel: 0, Value: 0.021, SE: 0.012, Low: -0.003, High: 0.045},
					{Rel: 1, Value: 0.037, SE: 0.015, Low: 0.007, High: 0.067},
				},
				Tests: []evaluation.Test{{Name: "pre_trends", Label: evaluation.Text{Zh: "平行趋势检验", En: "Pre-trends (joint Wald)"}, Stat: 0.132, DF: 1, P: 0.716}}},
			{Method: "placebo", Outcome: "goal", Label: evaluation.Text{Zh: "安慰剂检验", En: "Placebo"}, NObs: 32,
				Estimates:    []evaluation.Estimate{{Term: "treat_post", Value: 0.0312, SE: nan, T: nan, P: 0.012, Low: nan, High: nan, Relative: nan}},
				Tests:        []evaluation.Test{{Name: "placebo", Label: evaluation.Text{Zh: "随机置换p值", En: "Permutation p-value"}, Stat: 0.0312, P: 0.012}},
				Distribution: nums(-0.03, -0.012, -0.004, 0.001, 0.006, 0.019), Notes: []string{"500 draws, seed 3"}},
			{Method: "synth", Outcome: "goal", Label: evaluation.Text{Zh: "合成控制", En: "Synthetic control"}, Error: "no never-treated donor with complete pre-period data"},
		},
		Comparisons: []evaluation.Comparison{{Outcome: "goal", TWFE: 0.0312,
			Robust:    []evaluation.MethodValue{{Method: "callaway_santanna", Value: 0.041}, {Method: "sunab", Value: 0.039}},
			Forbidden: 0.18, ForbiddenEstimate: -0.011, Clean: 0.52, CleanEstimate: 0.044,
			Text: evaluation.Text{Zh: "TWFE低于稳健估计，因为18%的权重来自后处理对先处理的比较。", En: "TWFE is below the robust estimates because 18% of its weight comes from later-vs-earlier comparisons."}}},
		Trends: []evaluation.TrendSeries{
			{Outcome: "goal", Group: "treated", Label: evaluation.Text{Zh: "试点城市", En: "Treated"}, Units: 4, Mean: nums(0.48, 0.51, 0.55, 0.58)},
			{Outcome: "goal", Group: "comparison", Label: evaluation.Text{Zh: "对照城市", En: "Comparison"}, Units: 4, Mean: nums(0.47, 0.49, 0.5, math.NaN())},
		},
		Alerts: []evaluation.Alert{
			{Unit: "330100", Code: "pm25", Kind: "consecutive_below_target", Level: "serious", Periods: []string{"2014", "2015"},
				Message: evaluation.Text{Zh: "杭州市PM2.5年均浓度连续2年未达标，约谈", En: "Hangzhou: PM2.5 below target 2 years running; interview"}},
			{Unit: "620100", Code: "goal", Kind: "rank_drop", Level: "warning", Periods: []string{"2015"},
				Message: evaluation.Text{Zh: "兰州市排名下降", En: "Lanzhou fell in the ranking"}},
		},
		// Four of eight cities breach green's veto floor: systemic at the
		// default share 0.5, so the reports show the group, not the rows.
		AlertGroups: []evaluation.AlertGroup{
			{Code: "green", Kind: "veto", Level: "serious", Cities: 4, Assessed: 8, Share: 0.5, Systemic: true,
				Message: evaluation.Text{Zh: "建成区绿化覆盖率：4个城市触及一票否决底线，占评估城市（8个）的50.0%，属普遍性问题", En: "Green coverage: 4 of 8 assessed cities (50.0%) breach the veto floor; a shortfall across the programme"}},
			{Code: "pm25", Kind: "consecutive_below_target", Level: "serious", Cities: 1, Assessed: 8, Share: 0.125,
				Message: evaluation.Text{Zh: "PM2.5年均浓度：1个城市连续2期及以上未达标，占评估城市（8个）的12.5%", En: "PM2.5 annual mean: 1 of 8 assessed cities (12.5%) below target for 2 or more consecutive periods"}},
			{Code: "goal", Kind: "rank_drop", Level: "warning", Cities: 1, Assessed: 8, Share: 0.125,
				Message: evaluation.Text{Zh: "新型智慧城市：1个城市排名大幅下降，占评估城市（8个）的12.5%", En: "Smart city: 1 of 8 assessed cities (12.5%) fell sharply in rank"}},
		},
		Notes: []string{"synthetic data (seed 1)"},
	}
	for _, c := range []string{"110000", "310000", "320500", "510100"} {
		r.Alerts = append(r.Alerts, evaluation.Alert{Unit: c, Code: "green", Kind: "veto", Level: "serious", Periods: []string{"2015"}, Systemic: true,
			Message: evaluation.Text{Zh: "建成区绿化覆盖率触及一票否决底线", En: "green coverage breaches its veto floor"}})
	}
	// Diagnoses for every city with a score in the last period.
	t := T - 1
	for u, unit := range units {
		i := u*T + t
		d := evaluation.CityDiagnosis{
			Unit: unit.Code, Period: periods[t], Score: scores[0][i], Rank: rank[i], Of: 7,
			PeerGroup: unit.Tier, PeerRank: peer[i], PeerOf: 3, PeerMedianScore: 0.55, Grade: grade[i], Attainment: att[i],
			Dimensions: []evaluation.Gap{
				{Code: "econ", Value: scores[1][i], Raw: nan, Median: 0.52, Gap: scores[1][i] - 0.52},
				{Code: "env", Value: scores[2][i], Raw: nan, Median: 0.5, Gap: scores[2][i] - 0.5},
			},
			Strengths:  []evaluation.Gap{{Code: "gdp", Value: scores[3][i], Raw: raw[3][i], Median: 0.4, Gap: scores[3][i] - 0.4}},
			Weaknesses: []evaluation.Gap{{Code: "pm25", Value: scores[5][i], Raw: raw[5][i], Median: 0.7, Gap: scores[5][i] - 0.7}},
			NoTarget:   []string{"gdp", "green"},
			Trend:      0.021, Change: scores[0][i] - scores[0][i-1],
		}
		if unit.Code == "330100" {
			d.Failures = []evaluation.Failure{{Code: "pm25", Periods: []string{"2014", "2015"}, Target: 35, Values: []evaluation.Num{raw[5][i-1], raw[5][i]}}}
		}
		d.Narrative = evaluation.Narrate(&d, r)
		r.Cities = append(r.Cities, d)
	}
	return r
}
