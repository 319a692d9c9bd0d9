package framework

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedCodes is the fixed code list of the seed-2025 framework, in tree
// order, from the project's seed list (shared/seedlist.md, "fixed: other
// packages use these exact codes").
var seedCodes = map[string][]string{
	"technology": {"g5_coverage", "g5_bs_density", "ai_scenarios", "data_sharing_rate", "open_datasets", "system_compat", "system_idle_rate"},
	"industry":   {"digital_econ_share", "local_supporting_rate", "energy_intensity", "digital_firms", "invention_patents", "rd_intensity"},
	"governance": {"service_time", "event_response_time", "event_discovery_rate", "repeat_complaint_rate", "visits_per_service", "online_service_rate", "cross_province_time", "desensitisation_rate", "cyber_attacks"},
	"livelihood": {"satisfaction", "hotline_resolution", "public_participation", "elderly_app_usage", "agefriendly_terminals"},
	"region":     {"rural_broadband", "urban_rural_gap", "cross_region_services"},
	"policy":     {"fiscal_share", "policy_docs", "special_bond_share", "social_capital_leverage", "data_security_insurance"},
}

// Lower-is-better and monthly indicators of the seed list.
var (
	seedLower   = "system_idle_rate energy_intensity service_time event_response_time repeat_complaint_rate visits_per_service cross_province_time cyber_attacks urban_rural_gap"
	seedMonthly = map[string]Aggregation{"service_time": Mean, "event_response_time": Mean, "event_discovery_rate": Mean,
		"repeat_complaint_rate": Mean, "cyber_attacks": Mean, "satisfaction": Mean, "hotline_resolution": Mean}
)

func mustTemplate(t *testing.T, name string) *Framework {
	t.Helper()
	f, err := Template(name)
	if err != nil {
		t.Fatalf("Template(%q): %v", name, err)
	}
	return f
}

func TestTemplatesList(t *testing.T) {
	want := "gbt33356-2016 gbt33356-2018 iso37120 seed-2025 u4ssc"
	if got := strings.Join(Templates(), " "); got != want {
		t.Errorf("Templates() = %s; want %s", got, want)
	}
	if _, err := Template("nope"); err == nil {
		t.Errorf("Template(nope) succeeded")
	}
	if IsTemplate("../templates/u4ssc") {
		t.Errorf("IsTemplate accepted a path")
	}
}

func TestSeedTemplate(t *testing.T) {
	f := mustTemplate(t, "seed-2025")
	if len(f.Problems) != 0 {
		t.Errorf("seed-2025 has problems: %v", f.Problems)
	}
	dims := f.Goal.Children
	order := []string{"technology", "industry", "governance", "livelihood", "region", "policy"}
	if len(dims) != len(order) {
		t.Fatalf("seed-2025 has %d dimensions; want %d", len(dims), len(order))
	}
	var all []string
	for i, d := range dims {
		if d.Code != order[i] {
			t.Errorf("dimension %d = %s; want %s", i, d.Code, order[i])
		}
		var got []string
		for _, c := range d.Children {
			got = append(got, c.Code)
		}
		if strings.Join(got, " ") != strings.Join(seedCodes[d.Code], " ") {
			t.Errorf("%s indicators = %v; want %v", d.Code, got, seedCodes[d.Code])
		}
		all = append(all, got...)
	}
	if len(f.Leaves()) != 35 || len(all) != 35 {
		t.Errorf("seed-2025 has %d indicators; want 35 (≥ 28 required by the seed, §4.1.1)", len(f.Leaves()))
	}
	for _, n := range f.Leaves() {
		wantDir := Higher
		if strings.Contains(" "+seedLower+" ", " "+n.Code+" ") {
			wantDir = Lower
		}
		wantFreq, wantAgg := Yearly, Last
		if a, ok := seedMonthly[n.Code]; ok {
			wantFreq, wantAgg = Monthly, a
		}
		if n.Direction != wantDir || n.Freq() != wantFreq || n.Agg() != wantAgg || n.Unit == "" || n.NameZh == "" || n.NameEn == "" || n.Source == "" {
			t.Errorf("%s: direction %s frequency %s aggregation %s unit %q; want %s %s %s and unit, names, source set",
				n.Code, n.Direction, n.Freq(), n.Agg(), n.Unit, wantDir, wantFreq, wantAgg)
		}
		if n.Weight != nil {
			t.Errorf("%s has an expert weight; seed-2025 leaves weighting to the entropy method", n.Code)
		}
	}
	sat := f.Find("satisfaction")
	if sat.Floor == nil || *sat.Floor != 80 {
		t.Errorf("satisfaction floor = %v; want 80 (veto)", sat.Floor)
	}
	if v, _ := sat.Target.For("any"); v != 92.3 { // seed §4.1.3
		t.Errorf("satisfaction target = %v; want 92.3", v)
	}
	if !sat.Vetoed(79.9) || sat.Vetoed(80) || sat.Vetoed(math.NaN()) {
		t.Errorf("Vetoed wrong around the floor 80")
	}
}

func sumWeights(ns []*Node) float64 {
	s := 0.0
	for _, n := range ns {
		if n.Weight != nil {
			s += *n.Weight
		}
	}
	return s
}

func TestGBT2016Template(t *testing.T) {
	f := mustTemplate(t, "gbt33356-2016")
	// First-level weights in %, from shared/frameworks/gbt33356_new_smart_city.csv
	// (space.asmag.com.cn on the NDRC/CAC/SAC notice).
	want := map[string]float64{"L1": 37, "L2": 9, "L3": 8, "L4": 7, "L5": 7, "L6": 8, "L7": 4, "L8": 20}
	if len(f.Goal.Children) != 8 {
		t.Fatalf("%d first-level indicators; want 8", len(f.Goal.Children))
	}
	for _, d := range f.Goal.Children {
		if d.Weight == nil || *d.Weight != want[d.Code] {
			t.Errorf("%s weight = %v; want %v", d.Code, d.Weight, want[d.Code])
		}
	}
	if s := sumWeights(f.Goal.Children); s != 100 {
		t.Errorf("first-level weights sum to %v; want 100", s)
	}
	// L1's second level: L1P1 8, L1P2-L1P6 3 each, L1P7 7, L1P8 5 (jxsdczjr.com),
	// plus 2 for the items not read, summing to L1's 37.
	l1 := f.Find("L1")
	wantL1 := []float64{8, 3, 3, 3, 3, 3, 7, 5, 2}
	if len(l1.Children) != len(wantL1) {
		t.Fatalf("L1 has %d children; want %d", len(l1.Children), len(wantL1))
	}
	for i, c := range l1.Children {
		if c.Weight == nil || *c.Weight != wantL1[i] {
			t.Errorf("%s weight = %v; want %v", c.Code, c.Weight, wantL1[i])
		}
	}
	if s := sumWeights(l1.Children); s != 37 {
		t.Errorf("L1 second-level weights sum to %v; want 37", s)
	}
	if w, ok := f.GlobalWeight("L1P1"); !ok || math.Abs(w-0.08) > 1e-12 {
		t.Errorf("GlobalWeight(L1P1) = %v, %v; want 0.08", w, ok)
	}
	if _, ok := findProblem(f.Problems, KindUnknownDir); !ok {
		t.Errorf("no direction-unknown warning for the items the source gives no direction")
	}
	if d := f.Dimension("L1P4-A2"); d == nil || d.Code != "L1" {
		t.Errorf("Dimension(L1P4-A2) = %v; want L1", d)
	}
}

func TestGBT2018Template(t *testing.T) {
	f := mustTemplate(t, "gbt33356-2018")
	// 2018 national evaluation weights (新华信用 via limujiang.cc), keyed by 2016 code.
	want := map[string]float64{"L8": 40, "L1": 26, "L2": 11, "L3": 6, "L4": 5, "L5": 8, "L7": 4, "L6": 0}
	names := map[string]string{"L8": "市民评价", "L4": "基础设施", "L6": "信息安全", "L7": "创新发展"}
	if len(f.Goal.Children) != 8 {
		t.Fatalf("%d first-level indicators; want 8", len(f.Goal.Children))
	}
	for _, d := range f.Goal.Children {
		if d.Weight == nil || *d.Weight != want[d.Code] {
			t.Errorf("%s weight = %v; want %v", d.Code, d.Weight, want[d.Code])
		}
		if n, ok := names[d.Code]; ok && d.NameZh != n {
			t.Errorf("%s name = %s; want the 2018 name %s", d.Code, d.NameZh, n)
		}
	}
	if s := sumWeights(f.Goal.Children); s != 100 {
		t.Errorf("2018 weights sum to %v; want 100", s)
	}
	g16 := mustTemplate(t, "gbt33356-2016")
	if a, b := strings.Join(f.Codes(), " "), strings.Join(g16.Codes(), " "); a != b {
		t.Errorf("2018 indicator codes differ from 2016:\n%s\n%s", a, b)
	}
}

func TestU4SSCTemplate(t *testing.T) {
	f := mustTemplate(t, "u4ssc")
	// ITU U4SSC KPIs Verification Manual 2022 p.15: 91 KPIs, 55 core, 36 advanced,
	// 3 dimensions, 7 sub-dimensions.
	leaves := f.Leaves()
	core, adv := 0, 0
	for _, n := range leaves {
		switch n.Class {
		case Core:
			core++
		case Advanced:
			adv++
		}
		if len(f.Path(n.Code)) != 5 {
			t.Errorf("%s at depth %d; want goal/dimension/sub-dimension/category/KPI", n.Code, len(f.Path(n.Code)))
		}
	}
	if len(leaves) != 91 || core != 55 || adv != 36 {
		t.Errorf("u4ssc: %d KPIs, %d core, %d advanced; want 91, 55, 36", len(leaves), core, adv)
	}
	sub := 0
	for _, d := range f.Goal.Children {
		sub += len(d.Children)
	}
	if len(f.Goal.Children) != 3 || sub != 7 {
		t.Errorf("u4ssc: %d dimensions, %d sub-dimensions; want 3, 7", len(f.Goal.Children), sub)
	}
	if n := f.Find("EC-ICT-ICT-1C"); n == nil || n.Ref != "EC: ICT: ICT: 1C" || n.Direction != Higher || n.Unit != "%" {
		t.Errorf("EC-ICT-ICT-1C = %+v; want ref EC: ICT: ICT: 1C, direction +, unit %%", n)
	}
}

func TestISO37120Template(t *testing.T) {
	f := mustTemplate(t, "iso37120")
	// ISO 37120:2018 clauses 5-23: 19 themes (Wikipedia ISO_37120).
	if n := len(f.Goal.Children); n != 19 {
		t.Errorf("iso37120: %d themes; want 19", n)
	}
	if f.Goal.Children[0].NameEn != "Economy" || f.Goal.Children[18].NameEn != "Water" {
		t.Errorf("themes run %s … %s; want Economy … Water", f.Goal.Children[0].NameEn, f.Goal.Children[18].NameEn)
	}
	if _, ok := findProblem(f.Problems, KindEmptyGroup); !ok {
		t.Errorf("no empty-dimension warning on the skeleton")
	}
}

// TestRoundTrip checks Load(Marshal(f)) == f for every template and
// testdata framework, and that Marshal is stable.
func TestRoundTrip(t *testing.T) {
	var fws []*Framework
	for _, name := range Templates() {
		fws = append(fws, mustTemplate(t, name))
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		f, err := LoadFile(name)
		if err != nil {
			t.Fatalf("LoadFile(%s): %v", name, err)
		}
		fws = append(fws, f)
	}
	for _, f := range fws {
		b, err := f.Marshal()
		if err != nil {
			t.Fatalf("%s: Marshal: %v", f.Code, err)
		}
		g, err := Load(bytes.NewReader(b), f.Code+" exported")
		if err != nil {
			t.Fatalf("%s: reload: %v\n%s", f.Code, err, b)
		}
		if !f.Equal(g) {
			t.Errorf("%s: Load(Marshal(f)) differs from f", f.Code)
		}
		b2, err := g.Marshal()
		if err != nil || !bytes.Equal(b, b2) {
			t.Errorf("%s: Marshal not stable across a round trip (err %v)", f.Code, err)
		}
		if len(f.Problems) != len(g.Problems) {
			t.Errorf("%s: %d problems before export, %d after", f.Code, len(f.Problems), len(g.Problems))
		}
	}
}

// TestEqualDetectsChange makes sure Equal is not vacuous.
func TestEqualDetectsChange(t *testing.T) {
	f, g := mustTemplate(t, "seed-2025"), mustTemplate(t, "seed-2025")
	if !f.Equal(g) {
		t.Fatal("two loads of one template differ")
	}
	*g.Find("satisfaction").Floor = 81
	if f.Equal(g) {
		t.Error("Equal missed a changed floor")
	}
	g = mustTemplate(t, "seed-2025")
	g.Find("policy").Children = g.Find("policy").Children[:4]
	if f.Equal(g) {
		t.Error("Equal missed a removed indicator")
	}
}

func TestPeerTargets(t *testing.T) {
	f, err := LoadFile("testdata/peer_targets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := f.Find("satisfaction")
	for group, want := range map[string]float64{"megacity": 95, "large": 92, "small": 90} {
		if v, ok := s.Target.For(group); !ok || v != want {
			t.Errorf("target for %s = %v, %v; want %v", group, v, ok, want)
		}
	}
	// synonyms normalised on load
	if s.Direction != Higher || s.Frequency != Monthly || s.Aggregation != Mean {
		t.Errorf("satisfaction = %s %s %s; want + month mean", s.Direction, s.Frequency, s.Aggregation)
	}
	w := f.Find("wait_time")
	if w.Direction != Lower || !w.Vetoed(31) || w.Vetoed(29) {
		t.Errorf("wait_time: direction %s, Vetoed(31) %v, Vetoed(29) %v; want -, true, false", w.Direction, w.Vetoed(31), w.Vetoed(29))
	}
	// weights: service 60% × satisfaction 0.75 = 0.45
	if g, ok := f.GlobalWeight("satisfaction"); !ok || math.Abs(g-0.45) > 1e-12 {
		t.Errorf("GlobalWeight(satisfaction) = %v, %v; want 0.45", g, ok)
	}
	if _, ok := f.GlobalWeight("coverage"); ok {
		t.Errorf("GlobalWeight(coverage) ok although coverage has no weight")
	}
	if a, ok := f.Aggregation("outages"); !ok || a != Sum {
		t.Errorf("Aggregation(outages) = %s, %v; want sum", a, ok)
	}
	if a, _ := f.Aggregation("coverage"); a != Last {
		t.Errorf("Aggregation(coverage) = %s; want last (the default for yearly data)", a)
	}
	if _, ok := f.Aggregation("service"); ok {
		t.Errorf("Aggregation(service) ok for a dimension")
	}
	p := f.Path("wait_time")
	if len(p) != 3 || p[0].Code != "goal" || p[1].Code != "service" {
		t.Errorf("Path(wait_time) = %v; want goal, service, wait_time", p)
	}
	if n := f.Find("later"); n == nil || n.IsIndicator() || len(n.Children) != 0 {
		t.Errorf("empty dimension later read as %+v", n)
	}
	if got := strings.Join(f.Codes(), " "); got != "satisfaction wait_time coverage outages" {
		t.Errorf("Codes() = %s", got)
	}
}

// TestTemplateFilesAreCommitted guards against an embed pattern that
// silently matches nothing.
func TestTemplateFilesAreCommitted(t *testing.T) {
	for _, name := range Templates() {
		disk, err := os.ReadFile(filepath.Join("templates", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		emb, _ := TemplateSource(name)
		if !bytes.Equal(disk, emb) {
			t.Errorf("%s: embedded template differs from the file", name)
		}
	}
}

func BenchmarkLoadU4SSC(b *testing.B) {
	src, _ := TemplateSource("u4ssc")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(src), "u4ssc.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
