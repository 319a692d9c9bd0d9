package division

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Counts of prefecture-level divisions in the 2023 state: 293 prefecture-level
// cities, 30 autonomous prefectures, 3 leagues, 7 areas (民政部 statistics of
// administrative divisions for 2023; ../shared/pilots.md: "about 293
// prefecture-level cities plus 4 municipalities"); 15 sub-provincial cities
// (中央机构编制委员会 1994–1995 list).
func TestCounts(t *testing.T) {
	want := map[Kind]int{Municipality: 4, SubProvincial: 15, PrefectureCity: 278,
		AutonomousPrefecture: 30, League: 3, Area: 7}
	got := map[Kind]int{}
	cities := Cities()
	for _, c := range cities {
		got[c.Kind]++
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%d divisions of kind %s; want %d", got[k], k, n)
		}
	}
	if len(cities) != 337 {
		t.Errorf("len(Cities()) = %d; want 337", len(cities))
	}
	if n := got[SubProvincial] + got[PrefectureCity]; n != 293 {
		t.Errorf("%d prefecture-level cities; want 293", n)
	}
	if n := len(Provinces()); n != 31 {
		t.Errorf("len(Provinces()) = %d; want 31", n)
	}
}

// Codes from GB/T 2260 (the NBS code list); municipalities use the
// province code by this package's convention.
func TestWellKnownCodes(t *testing.T) {
	for _, tc := range []struct{ name, code string }{
		{"北京市", "110000"}, {"天津市", "120000"}, {"上海市", "310000"}, {"重庆市", "500000"},
		{"杭州市", "330100"}, {"深圳市", "440300"}, {"广州市", "440100"}, {"成都市", "510100"},
		{"西安市", "610100"}, {"武汉市", "420100"}, {"朝阳市", "211300"}, {"拉萨市", "540100"},
		{"乌鲁木齐市", "650100"}, {"三沙市", "460300"}, {"儋州市", "460400"}, {"延边朝鲜族自治州", "222400"},
		{"大兴安岭地区", "232700"}, {"阿拉善盟", "152900"}, {"吉林市", "220200"}, {"海南藏族自治州", "632500"},
	} {
		c, err := Lookup(tc.name)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tc.name, err)
			continue
		}
		if c.Code != tc.code {
			t.Errorf("Lookup(%q).Code = %s; want %s", tc.name, c.Code, tc.code)
		}
	}
}

// Regions of all 31 provinces per ../shared/pilots.md (NBS 2011), and the
// three-belt grouping documented in data/SOURCE.md.
func TestProvinceRegions(t *testing.T) {
	nbs := map[string][]string{
		"east":      {"Beijing", "Tianjin", "Hebei", "Shanghai", "Jiangsu", "Zhejiang", "Fujian", "Shandong", "Guangdong", "Hainan"},
		"central":   {"Shanxi", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan"},
		"west":      {"Inner Mongolia", "Guangxi", "Chongqing", "Sichuan", "Guizhou", "Yunnan", "Tibet", "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang"},
		"northeast": {"Liaoning", "Jilin", "Heilongjiang"},
	}
	three := map[string]string{"Liaoning": "east", "Jilin": "central", "Heilongjiang": "central"}
	seen := 0
	for _, p := range Provinces() {
		var want string
		for r, names := range nbs {
			if slices.Contains(names, p.NameEn) {
				want = r
			}
		}
		if want == "" {
			t.Errorf("province %s (%s) not in the NBS lists", p.NameEn, p.Code)
			continue
		}
		seen++
		if p.Region != want || p.RegionIn(NBS4) != want {
			t.Errorf("%s: region %q; want %q", p.NameEn, p.Region, want)
		}
		want3 := want
		if w, ok := three[p.NameEn]; ok {
			want3 = w
		}
		if got := p.RegionIn(ThreeBelts); got != want3 {
			t.Errorf("%s: three-belt region %q; want %q", p.NameEn, got, want3)
		}
	}
	if seen != 31 {
		t.Errorf("%d provinces matched; want 31", seen)
	}
}

// The 2020 census classes (国家统计局 via 《求是》2021年第18期; data/SOURCE.md).
func TestTiers(t *testing.T) {
	mega := []string{"上海", "北京", "深圳", "重庆", "广州", "成都", "天津"}
	veryLarge := []string{"武汉", "东莞", "西安", "杭州", "佛山", "南京", "沈阳", "青岛", "济南", "长沙", "哈尔滨", "郑州", "昆明", "大连"}
	for _, c := range Cities() {
		want := ""
		switch {
		case slices.Contains(mega, c.ShortZh):
			want = TierMegacity
		case slices.Contains(veryLarge, c.ShortZh):
			want = TierVeryLarge
		}
		if c.Tier != want {
			t.Errorf("%s: tier %q; want %q", c.NameZh, c.Tier, want)
		}
	}
}

func TestSubProvincial(t *testing.T) {
	want := []string{"沈阳市", "大连市", "长春市", "哈尔滨市", "南京市", "杭州市", "宁波市", "厦门市",
		"济南市", "青岛市", "武汉市", "广州市", "深圳市", "成都市", "西安市"}
	var got []string
	for _, c := range Cities() {
		if c.Kind == SubProvincial {
			got = append(got, c.NameZh)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("sub-provincial cities %v; want %v", got, want)
	}
}

// No district, county or province-administered county-level city is in the
// registry, and names fit kinds.
func TestOnlyPrefectureLevel(t *testing.T) {
	suffix := map[Kind]string{Municipality: "市", SubProvincial: "市", PrefectureCity: "市",
		AutonomousPrefecture: "自治州", League: "盟", Area: "地区"}
	for _, c := range Cities() {
		if !strings.HasSuffix(c.NameZh, suffix[c.Kind]) {
			t.Errorf("%s has kind %s", c.NameZh, c.Kind)
		}
		if strings.HasSuffix(c.NameZh, "区") && c.Kind != Area || strings.HasSuffix(c.NameZh, "县") ||
			strings.Contains(c.NameZh, "直辖") {
			t.Errorf("county-level entry %s", c.NameZh)
		}
		if c.Code[4:] != "00" || c.Code[:2] != c.Province.Code[:2] {
			t.Errorf("%s: code %s in province %s", c.NameZh, c.Code, c.Province.Code)
		}
		if c.Kind.IsCity() != (suffix[c.Kind] == "市") {
			t.Errorf("%s: IsCity() = %v", c.Kind, c.Kind.IsCity())
		}
	}
	for _, name := range []string{"济源市", "仙桃市", "石河子市", "朝阳区", "余杭区"} {
		if _, err := Lookup(name); err == nil {
			t.Errorf("Lookup(%q) found a county-level division", name)
		}
	}
}

// Every name of every division resolves to it, except the names shared by
// several divisions or with a province, which are exactly the ones listed.
func TestNamesResolve(t *testing.T) {
	shared := map[string]bool{ // normalised
		"suzhou": true, "taizhou": true, "fuzhou": true, "yichun": true, "yulin": true,
		"jilin": true, "吉林": true, "hainan": true, "海南": true,
	}
	ambiguous := map[string]bool{}
	for _, c := range Cities() {
		names := append([]string{c.Code, c.NameZh, c.ShortZh, c.NameEn}, c.Aliases...)
		for _, name := range names {
			got, err := Lookup(name)
			if err != nil {
				ambiguous[normalize(name)] = true
				if !shared[normalize(name)] {
					t.Errorf("Lookup(%q) for %s: %v", name, c.NameZh, err)
				}
				continue
			}
			if got.Code != c.Code {
				t.Errorf("Lookup(%q) = %s; want %s", name, got, c)
			}
		}
		// The qualified forms always resolve.
		for _, q := range []string{c.Province.ShortZh + c.ShortZh, c.Province.NameZh + c.NameZh,
			c.NameEn + ", " + c.Province.NameEn, c.Province.NameEn + " " + c.NameEn} {
			if got, err := Lookup(q); err != nil || got.Code != c.Code {
				t.Errorf("Lookup(%q) = %v, %v; want %s", q, got, err, c.Code)
			}
		}
	}
	for n := range shared {
		if !ambiguous[n] {
			t.Errorf("%q expected ambiguous but resolves", n)
		}
	}
}

func TestUnit(t *testing.T) {
	c, err := Lookup("沈阳")
	if err != nil {
		t.Fatal(err)
	}
	u := c.Unit()
	if u.Code != "210100" || u.NameZh != "沈阳市" || u.NameEn != "Shenyang" || u.Province != "辽宁省" ||
		u.Region != "northeast" || u.Tier != TierVeryLarge {
		t.Errorf("Unit() = %+v", u)
	}
	if r := c.UnitIn(ThreeBelts).Region; r != "east" {
		t.Errorf("UnitIn(ThreeBelts).Region = %q; want east", r)
	}
}

func TestCitiesIsCopy(t *testing.T) {
	a := Cities()
	a[0].NameZh = "changed"
	if b := Cities(); b[0].NameZh == "changed" {
		t.Error("Cities() shares its backing array")
	}
}

func TestParseKindGrouping(t *testing.T) {
	for k := Municipality; k <= Area; k++ {
		if got, err := ParseKind(k.String()); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := ParseKind("county"); err == nil {
		t.Error("ParseKind(county) succeeded")
	}
	for _, g := range []Grouping{NBS4, ThreeBelts} {
		if got, err := ParseGrouping(g.String()); err != nil || got != g {
			t.Errorf("ParseGrouping(%q) = %v, %v", g.String(), got, err)
		}
	}
	if _, err := ParseGrouping("five"); err == nil {
		t.Error("ParseGrouping(five) succeeded")
	}
}

// parse rejects defective tables (the embedded ones are checked by every
// other test through load).
func TestParseRejects(t *testing.T) {
	prov := "# c\ncode,name_zh,short_zh,name_en,aliases,region,region3\n330000,浙江省,浙江,Zhejiang,,east,east\n"
	head := "# c\ncode,name_zh,short_zh,name_en,aliases,kind,province_code,province_zh,province_en,region,region3,tier\n"
	good := "330100,杭州市,杭州,Hangzhou,,sub-provincial,330000,浙江省,Zhejiang,east,east,very-large\n"
	if _, err := parse([]byte(head+good), []byte(prov)); err != nil {
		t.Fatalf("good tables: %v", err)
	}
	for name, tc := range map[string]struct{ cities, provs string }{
		"bad header":      {strings.Replace(head, "tier", "size", 1) + good, prov},
		"bad code":        {head + strings.Replace(good, "330100", "33010", 1), prov},
		"duplicate":       {head + good + good, prov},
		"bad kind":        {head + strings.Replace(good, "sub-provincial", "district", 1), prov},
		"province":        {head + strings.Replace(good, ",330000,", ",320000,", 1), prov},
		"province names":  {head + strings.Replace(good, "Zhejiang", "Chekiang", 1), prov},
		"tier":            {head + strings.Replace(good, "very-large", "huge", 1), prov},
		"field count":     {head + "330100,杭州市\n", prov},
		"province region": {head + good, strings.Replace(prov, "east,east", "south,east", 1)},
		"municipality":    {head + strings.Replace(good, "sub-provincial", "municipality", 1), prov},
	} {
		if _, err := parse([]byte(tc.cities), []byte(tc.provs)); err == nil {
			t.Errorf("%s: parse succeeded", name)
		}
	}
}

func TestCityJSON(t *testing.T) {
	c, err := Lookup("杭州")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back City
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if back.Kind != SubProvincial || back.Code != c.Code || back.Province.Code != "330000" ||
		!strings.Contains(string(b), `"kind":"sub-provincial"`) {
		t.Errorf("round trip %s gave %+v", b, back)
	}
	if _, err := json.Marshal(City{}); err == nil {
		t.Error("marshalling the zero Kind succeeded")
	}
}
