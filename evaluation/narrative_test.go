package evaluation

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// narrFixture is a small hand-built result: a goal with two dimensions and
// four indicators (one named with digits, PM2.5), three cities, periods
// 2021–2023, and Hangzhou's diagnosis with two strengths, two weaknesses,
// a two-period failure (约谈 under Consecutive = 2) and a one-period one.
func narrFixture() (*CityDiagnosis, *Results) {
	target := Num(35)
	r := &Results{
		Spec: &Spec{Peers: PeerSpec{By: "tier", Consecutive: 2}, Report: ReportSpec{TrendPeriods: 3}},
		Framework: FrameworkInfo{Code: "demo", Nodes: []NodeInfo{
			{Code: "goal", Name: Text{"新型智慧城市", "Smart city"}, Parent: -1},
			{Code: "econ", Name: Text{"经济发展", "Economy"}, Parent: 0, Depth: 1},
			{Code: "env", Name: Text{"生态环境", "Environment"}, Parent: 0, Depth: 1},
			{Code: "gdp", Name: Text{"人均GDP", "GDP per capita"}, Parent: 1, Depth: 2, Indicator: true, Direction: "+"},
			{Code: "rd", Name: Text{"R&D投入强度", "R&D intensity"}, Parent: 1, Depth: 2, Indicator: true, Direction: "+"},
			{Code: "pm25", Name: Text{"PM2.5年均浓度", "PM2.5 annual mean"}, Parent: 2, Depth: 2, Indicator: true, Direction: "-", Target: &target},
			{Code: "green", Name: Text{"建成区绿化覆盖率", "Green coverage"}, Parent: 2, Depth: 2, Indicator: true, Direction: "+"},
		}},
		Units: []UnitInfo{
			{Code: "330100", Name: Text{"杭州市", "Hangzhou"}, Tier: "1"},
			{Code: "320500", Name: Text{"苏州市", "Suzhou"}, Tier: "1"},
			{Code: "410100", Name: Text{"郑州市", "Zhengzhou"}, Tier: "2"},
		},
		Periods: []string{"2021", "2022", "2023"},
	}
	d := &CityDiagnosis{
		Unit: "330100", Period: "2023",
		Score: 0.61249, Rank: 12, Of: 297,
		PeerGroup: "1", PeerRank: 3.5, PeerOf: 45, PeerMedianScore: 0.5404,
		Grade: "B", Attainment: 0.75,
		Dimensions: []Gap{
			{Code: "econ", Value: 0.70, Raw: NaN(), Median: 0.61, Gap: 0.09},
			{Code: "env", Value: 0.52, Raw: NaN(), Median: 0.55, Gap: -0.03},
		},
		Strengths: []Gap{
			{Code: "gdp", Value: 0.91, Raw: 152340.5, Median: 0.70, Gap: 0.21},
			{Code: "rd", Value: 0.80, Raw: 3.6, Median: 0.62, Gap: 0.18},
		},
		Weaknesses: []Gap{
			{Code: "pm25", Value: 0.30, Raw: 38.2, Median: 0.55, Gap: -0.25},
			{Code: "green", Value: 0.41, Raw: 40.125, Median: 0.5, Gap: -0.0904},
		},
		NoTarget: []string{"gdp", "rd", "green"},
		Trend:    0.0153, Change: -0.0004,
		Failures: []Failure{
			{Code: "pm25", Periods: []string{"2022", "2023"}, Target: 35, Values: []Num{36.1, 38.2}},
			{Code: "green", Periods: []string{"2023"}, Target: 42, Values: []Num{40.125}},
		},
	}
	return d, r
}

func TestNarrateTraceable(t *testing.T) {
	d, r := narrFixture()
	n := Narrate(d, r)
	t.Logf("zh: %s", n.Zh)
	t.Logf("en: %s", n.En)
	if err := CheckNarrative(n, d, r); err != nil {
		t.Fatalf("CheckNarrative(Narrate(d, r)) = %v", err)
	}
	// Each printed number, by its documented rule (values from narrFixture).
	for _, want := range []string{
		"0.612",  // score 0.61249, 3 decimals
		"297",    // Of
		"3.5",    // shared peer rank
		"45",     // PeerOf
		"0.540",  // peer median 0.5404
		"75.0%",  // attainment 0.75
		"+0.015", // trend 0.0153
		"+0.000", // change −0.0004 rounds to zero: no "−0.000"
		"+0.210", // strength gdp
		"−0.250", // weakness pm25, U+2212
		"−0.090", // weakness green −0.0904
		"38.20",  // pm25 latest, 4 significant digits
		"35.00",  // pm25 target
		"40.12",  // green latest 40.125: an exact binary tie, rounds to even
	} {
		if !strings.Contains(n.En, want) {
			t.Errorf("en narrative lacks %q", want)
		}
		if !strings.Contains(n.Zh, want) {
			t.Errorf("zh narrative lacks %q", want)
		}
	}
	if !strings.Contains(n.Zh, "约谈") || !strings.Contains(n.En, "约谈") {
		t.Errorf("two consecutive failures with Consecutive = 2 give no 约谈 warning")
	}
	if strings.Count(n.Zh, "约谈") != 1 {
		t.Errorf("zh: %d 约谈 warnings, want 1 (the one-period failure is not one)", strings.Count(n.Zh, "约谈"))
	}
	for _, name := range []string{"杭州市", "PM2.5年均浓度", "人均GDP"} {
		if !strings.Contains(n.Zh, name) {
			t.Errorf("zh narrative lacks name %q", name)
		}
	}
	if !strings.Contains(n.En, "3 indicators have no target") {
		t.Errorf("en narrative lacks the missing-target count")
	}
}

func TestNarrateConsecutiveRule(t *testing.T) {
	d, r := narrFixture()
	r.Spec.Peers.Consecutive = 3 // the two-period failure no longer qualifies
	n := Narrate(d, r)
	if strings.Contains(n.Zh, "约谈") || strings.Contains(n.En, "約谈") || strings.Contains(n.En, "formal interview") {
		t.Errorf("Consecutive = 3: 约谈 warning for a two-period failure:\n%s\n%s", n.Zh, n.En)
	}
	if err := CheckNarrative(n, d, r); err != nil {
		t.Fatal(err)
	}
}

func TestCheckNarrativeRejects(t *testing.T) {
	d, r := narrFixture()
	n := Narrate(d, r)
	for _, tc := range []struct {
		name, lang, from, to, number string
	}{
		{"changed score", "en", "0.612", "0.613", "0.613"},
		{"changed rank", "zh", "排名第12", "排名第13", "13"},
		{"sign flipped", "en", "−0.250", "+0.250", "+0.250"},
		{"percent", "zh", "75.0%", "76.0%", "76.0%"},
		{"score by another rule", "en", "0.612", "0.6125", "0.6125"},
		{"invented count", "en", "Weaknesses:", "Weaknesses (7):", "7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := n
			text := &m.En
			if tc.lang == "zh" {
				text = &m.Zh
			}
			if !strings.Contains(*text, tc.from) {
				t.Fatalf("fixture narrative lacks %q", tc.from)
			}
			*text = strings.Replace(*text, tc.from, tc.to, 1)
			err := CheckNarrative(m, d, r)
			var ne *NarrativeError
			if !errors.As(err, &ne) {
				t.Fatalf("CheckNarrative = %v; want *NarrativeError", err)
			}
			if ne.Number != tc.number || ne.Lang != tc.lang {
				t.Errorf("error names %q (%s); want %q (%s)", ne.Number, ne.Lang, tc.number, tc.lang)
			}
		})
	}
	var ne *NarrativeError
	if err := CheckNarrative(Text{En: n.En}, d, r); !errors.As(err, &ne) || ne.Lang != "zh" {
		t.Errorf("empty zh narrative: %v; want *NarrativeError for zh", err)
	}
}

// A long failure run prints as first–last and stays traceable.
func TestNarrateLongFailure(t *testing.T) {
	d, r := narrFixture()
	r.Periods = []string{"2018", "2019", "2020", "2021", "2022", "2023"}
	d.Failures[0].Periods = r.Periods
	d.Failures[0].Values = []Num{40, 39, 38.5, 38, 38.1, 38.2}
	n := Narrate(d, r)
	if !strings.Contains(n.Zh, "连续6期（2018–2023）") || !strings.Contains(n.En, "for 6 consecutive periods (2018–2023)") {
		t.Errorf("long failure run not shortened:\n%s\n%s", n.Zh, n.En)
	}
	if err := CheckNarrative(n, d, r); err != nil {
		t.Fatal(err)
	}
}

func TestNarrateMissing(t *testing.T) {
	d, r := narrFixture()
	d.Score, d.Rank, d.PeerRank, d.PeerMedianScore, d.Attainment, d.Trend, d.Change = NaN(), NaN(), NaN(), NaN(), NaN(), NaN(), NaN()
	d.Grade = ""
	d.Strengths[0].Gap = NaN()
	n := Narrate(d, r)
	if strings.Contains(n.En, "NaN") || strings.Contains(n.Zh, "NaN") {
		t.Errorf("NaN printed:\n%s\n%s", n.Zh, n.En)
	}
	if !strings.Contains(n.En, "no composite score") {
		t.Errorf("en narrative does not say the score is missing: %s", n.En)
	}
	if err := CheckNarrative(n, d, r); err != nil {
		t.Fatal(err)
	}
	// Unknown unit and node codes fall back to the codes.
	d.Unit = "999999"
	d.Strengths = []Gap{{Code: "x9", Gap: 0.5}}
	n = Narrate(d, r)
	if !strings.Contains(n.En, "x9 (+0.500)") || !strings.Contains(n.En, "999999") {
		t.Errorf("codes not used for unnamed unit/node: %s", n.En)
	}
	if err := CheckNarrative(n, d, r); err != nil {
		t.Fatal(err)
	}
}

func TestNarrativeRules(t *testing.T) {
	for _, tc := range []struct {
		f    func(float64) string
		v    float64
		want string
	}{
		{fmtScore, 0.61249, "0.612"},
		{fmtScore, -0.0004, "0.000"},
		{fmtSigned, -0.0004, "+0.000"},
		{fmtSigned, -0.25, "−0.250"},
		{fmtPct, 0.75, "75.0%"},
		{fmtPct, 1, "100.0%"},
		{fmtRank, 12, "12"},
		{fmtRank, 3.5, "3.5"},
		{fmtRaw, 152340.5, "152340"}, // exact tie, to even
		{fmtRaw, 38.2, "38.20"},
		{fmtRaw, 0.0012345, "0.001234"}, // 0.0012345 is stored below the tie
		{fmtRaw, 1e-9, "0.000000"},
		{fmtRaw, -1e-9, "0.000000"},
		{fmtRaw, 0, "0"},
		{fmtRaw, -3.6, "-3.600"},
	} {
		if got := tc.f(tc.v); got != tc.want {
			t.Errorf("rule(%v) = %q; want %q", tc.v, got, tc.want)
		}
	}
}

func TestMaskNames(t *testing.T) {
	names := []string{"PM2.5年均浓度", "2023", "1"}
	got := maskNames("PM2.5年均浓度在2023为12.1，同组1。", names)
	want := "\uFFFD在\uFFFD为12.1，同组\uFFFD。"
	if got != want {
		t.Errorf("maskNames = %q; want %q", got, want)
	}
}

// FuzzNarrative: for any diagnosis numbers, Narrate's text passes
// CheckNarrative, and CheckNarrative never panics on arbitrary text.
func FuzzNarrative(f *testing.F) {
	f.Add(0.61249, 12.0, 3.5, 0.75, 0.0153, -0.0004, -0.25, 38.2, "自由文本 12.5%", 2)
	f.Add(math.NaN(), math.Inf(1), -0.0, 1e300, -1e-300, 5e-324, 0.0005, 0.00049999, "−0.000 +1", 0)
	f.Fuzz(func(t *testing.T, score, rank, peerRank, att, trend, change, gap, raw float64, text string, consec int) {
		d, r := narrFixture()
		d.Score, d.Rank, d.PeerRank, d.Attainment = Num(score), Num(rank), Num(peerRank), Num(att)
		d.Trend, d.Change = Num(trend), Num(change)
		d.Weaknesses[0].Gap, d.Weaknesses[0].Raw = Num(gap), Num(raw)
		d.Failures[0].Values[1] = Num(raw)
		r.Spec.Peers.Consecutive = consec % 5
		n := Narrate(d, r)
		if err := CheckNarrative(n, d, r); err != nil {
			t.Fatalf("Narrate's own text fails: %v\nzh: %s\nen: %s", err, n.Zh, n.En)
		}
		_ = CheckNarrative(Text{Zh: text, En: text}, d, r)
	})
}

func BenchmarkNarrate(b *testing.B) {
	d, r := narrFixture()
	b.ReportAllocs()
	for b.Loop() {
		n := Narrate(d, r)
		if err := CheckNarrative(n, d, r); err != nil {
			b.Fatal(err)
		}
	}
}
