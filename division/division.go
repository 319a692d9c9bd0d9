package division

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/cityimpact/cityimpact/panel"
)

//go:embed data/cities.csv
var citiesCSV []byte

//go:embed data/provinces.csv
var provincesCSV []byte

// Kind is the administrative kind of a prefecture-level-or-above division.
type Kind uint8

// Kinds. Municipality, SubProvincial and PrefectureCity are cities (市);
// AutonomousPrefecture, League and Area are prefecture-level divisions that
// are not cities, which callers may include or exclude (see [Kind.IsCity]).
const (
	Municipality         Kind = iota + 1 // 直辖市: Beijing, Tianjin, Shanghai, Chongqing
	SubProvincial                        // 副省级市: the 15 sub-provincial cities
	PrefectureCity                       // 地级市 other than the sub-provincial ones
	AutonomousPrefecture                 // 自治州
	League                               // 盟 (Inner Mongolia)
	Area                                 // 地区
)

var kindNames = [...]string{
	Municipality:         "municipality",
	SubProvincial:        "sub-provincial",
	PrefectureCity:       "prefecture",
	AutonomousPrefecture: "autonomous-prefecture",
	League:               "league",
	Area:                 "area",
}

// String returns the kind's label as written in data/cities.csv, e.g.
// "sub-provincial".
func (k Kind) String() string {
	if k >= 1 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MarshalText returns the kind's label, so JSON shows "prefecture", not 3.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 1 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("division: invalid kind %d", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText parses a kind label (see [ParseKind]).
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// IsCity reports whether k is a city (municipality or prefecture-level city)
// rather than an autonomous prefecture, league or area.
func (k Kind) IsCity() bool { return k >= Municipality && k <= PrefectureCity }

// ParseKind returns the kind labelled s (see [Kind.String]).
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if k > 0 && name == s {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q (want one of %s)", s, strings.Join(kindNames[1:], ", "))
}

// Grouping chooses how provinces are grouped into regions.
type Grouping uint8

const (
	// NBS4 is the National Bureau of Statistics' 2011 four-way division:
	// east (10 provinces), central (6), west (12), northeast (3). It is the
	// default.
	NBS4 Grouping = iota
	// ThreeBelts is east / central / west with the northeast folded in as
	// the smart-city literature usually does: Liaoning joins the east, Jilin
	// and Heilongjiang the centre; the west is the 12 provinces of the
	// Western Development programme.
	ThreeBelts
)

// String returns "nbs4" or "three".
func (g Grouping) String() string {
	switch g {
	case NBS4:
		return "nbs4"
	case ThreeBelts:
		return "three"
	}
	return fmt.Sprintf("Grouping(%d)", uint8(g))
}

// ParseGrouping returns the grouping named s: "nbs4" (or "four", "4") or
// "three" (or "3").
func ParseGrouping(s string) (Grouping, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "nbs4", "four", "4", "":
		return NBS4, nil
	case "three", "3":
		return ThreeBelts, nil
	}
	return 0, fmt.Errorf("unknown region grouping %q (want nbs4 or three)", s)
}

// Regions returns the region labels of grouping g in their usual order.
func (g Grouping) Regions() []string {
	if g == ThreeBelts {
		return []string{"east", "central", "west"}
	}
	return []string{"east", "central", "west", "northeast"}
}

// City size tiers (国发〔2014〕51号, by urban resident population). The
// registry sets only TierMegacity and TierVeryLarge, the classes the 2020
// census published; other cities have tier "".
const (
	TierMegacity  = "megacity"   // 超大城市, ≥ 10 million
	TierVeryLarge = "very-large" // 特大城市, 5–10 million
	TierLarge1    = "large-1"    // I型大城市, 3–5 million
	TierLarge2    = "large-2"    // II型大城市, 1–3 million
	TierMedium    = "medium"     // 中等城市, 0.5–1 million
	TierSmall1    = "small-1"    // I型小城市, 0.2–0.5 million
	TierSmall2    = "small-2"    // II型小城市, < 0.2 million
	TierCounty    = "county"     // county-level unit
)

// Tiers lists the tier labels from the largest class to the smallest.
var Tiers = []string{TierMegacity, TierVeryLarge, TierLarge1, TierLarge2, TierMedium, TierSmall1, TierSmall2, TierCounty}

// Province is one of the 31 province-level divisions of the mainland.
type Province struct {
	Code    string   `json:"code"`              // six-digit GB/T 2260 code, e.g. "330000"
	NameZh  string   `json:"name_zh"`           // 浙江省
	ShortZh string   `json:"short_zh"`          // 浙江
	NameEn  string   `json:"name_en"`           // Zhejiang
	Aliases []string `json:"aliases,omitempty"` // other accepted spellings, e.g. Xizang for Tibet
	Region  string   `json:"region"`            // NBS 2011: east, central, west, northeast
	Region3 string   `json:"region3"`           // three-belt grouping: east, central, west
}

// RegionIn returns the province's region under grouping g.
func (p Province) RegionIn(g Grouping) string {
	if g == ThreeBelts {
		return p.Region3
	}
	return p.Region
}

// City is one prefecture-level-or-above division: a municipality, a
// prefecture-level city, or an autonomous prefecture, league or area (see
// [Kind]).
type City struct {
	Code     string   `json:"code"`              // six-digit GB/T 2260 code; municipalities use the province code, e.g. "110000"
	NameZh   string   `json:"name_zh"`           // full name, e.g. 杭州市, 延边朝鲜族自治州
	ShortZh  string   `json:"short_zh"`          // short name, e.g. 杭州, 延边
	NameEn   string   `json:"name_en"`           // conventional English name, e.g. Hangzhou, Xi'an, Hohhot
	Aliases  []string `json:"aliases,omitempty"` // other accepted spellings, e.g. plain pinyin Huhehaote
	Kind     Kind     `json:"kind"`
	Province Province `json:"province"`
	Tier     string   `json:"tier"` // TierMegacity, TierVeryLarge or "" (no published class)
}

// Region returns the city's region under the NBS 2011 four-way grouping.
func (c City) Region() string { return c.Province.Region }

// RegionIn returns the city's region under grouping g.
func (c City) RegionIn(g Grouping) string { return c.Province.RegionIn(g) }

// Unit returns the city as a panel unit with the NBS 2011 region.
func (c City) Unit() panel.Unit { return c.UnitIn(NBS4) }

// UnitIn returns the city as a panel unit with its region under grouping g.
// Province is the full Chinese province name, e.g. 浙江省.
func (c City) UnitIn(g Grouping) panel.Unit {
	return panel.Unit{Code: c.Code, NameZh: c.NameZh, NameEn: c.NameEn,
		Province: c.Province.NameZh, Region: c.RegionIn(g), Tier: c.Tier}
}

// String returns e.g. "杭州市 (Hangzhou, 浙江省, 330100)".
func (c City) String() string {
	return fmt.Sprintf("%s (%s, %s, %s)", c.NameZh, c.NameEn, c.Province.NameZh, c.Code)
}

// registry is the parsed embedded data.
type registry struct {
	cities    []City
	provinces []Province
	idx       *index
}

var load = sync.OnceValue(func() *registry {
	r, err := parse(citiesCSV, provincesCSV)
	if err != nil {
		// The data are embedded and checked by the tests: a failure here
		// is a build defect, not a user error.
		panic("division: embedded registry: " + err.Error())
	}
	return r
})

// Cities returns every division in the registry, in code order: the 4
// municipalities, 293 prefecture-level cities and 40 autonomous prefectures,
// leagues and areas (the 2023 state). The slice is a fresh copy; the
// Aliases slices are shared and must not be modified.
func Cities() []City { return slices.Clone(load().cities) }

// Provinces returns the 31 province-level divisions in code order, as a
// fresh copy.
func Provinces() []Province { return slices.Clone(load().provinces) }

// readCSV reads an embedded CSV with '#' comments and checks its header.
func readCSV(data []byte, name string, header []string) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = len(header)
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return nil, fmt.Errorf("%s: header is not %s", name, strings.Join(header, ","))
	}
	return rows[1:], nil
}

var (
	provinceHeader = []string{"code", "name_zh", "short_zh", "name_en", "aliases", "region", "region3"}
	cityHeader     = []string{"code", "name_zh", "short_zh", "name_en", "aliases", "kind",
		"province_code", "province_zh", "province_en", "region", "region3", "tier"}
)

func splitAliases(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func isCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parse reads and cross-checks the two embedded tables.
func parse(citiesData, provincesData []byte) (*registry, error) {
	prows, err := readCSV(provincesData, "provinces.csv", provinceHeader)
	if err != nil {
		return nil, err
	}
	reg := &registry{}
	byCode := map[string]int{}
	for i, f := range prows {
		line := i + 3 // comment line, header line, 1-based
		p := Province{Code: f[0], NameZh: f[1], ShortZh: f[2], NameEn: f[3], Aliases: splitAliases(f[4]), Region: f[5], Region3: f[6]}
		if !isCode(p.Code) || !strings.HasSuffix(p.Code, "0000") {
			return nil, fmt.Errorf("provinces.csv:%d: bad province code %q", line, p.Code)
		}
		if !slices.Contains(NBS4.Regions(), p.Region) || !slices.Contains(ThreeBelts.Regions(), p.Region3) {
			return nil, fmt.Errorf("provinces.csv:%d: bad region %q/%q", line, p.Region, p.Region3)
		}
		if _, dup := byCode[p.Code]; dup {
			return nil, fmt.Errorf("provinces.csv:%d: duplicate code %s", line, p.Code)
		}
		byCode[p.Code] = len(reg.provinces)
		reg.provinces = append(reg.provinces, p)
	}
	crows, err := readCSV(citiesData, "cities.csv", cityHeader)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, f := range crows {
		line := i + 3
		c := City{Code: f[0], NameZh: f[1], ShortZh: f[2], NameEn: f[3], Aliases: splitAliases(f[4]), Tier: f[11]}
		if !isCode(c.Code) || !strings.HasSuffix(c.Code, "00") {
			return nil, fmt.Errorf("cities.csv:%d: bad code %q", line, c.Code)
		}
		if seen[c.Code] {
			return nil, fmt.Errorf("cities.csv:%d: duplicate code %s", line, c.Code)
		}
		seen[c.Code] = true
		if c.Kind, err = ParseKind(f[5]); err != nil {
			return nil, fmt.Errorf("cities.csv:%d: %w", line, err)
		}
		pi, ok := byCode[f[6]]
		if !ok || f[6][:2] != c.Code[:2] {
			return nil, fmt.Errorf("cities.csv:%d: province code %q does not match city code %s", line, f[6], c.Code)
		}
		c.Province = reg.provinces[pi]
		if p := c.Province; p.NameZh != f[7] || p.NameEn != f[8] || p.Region != f[9] || p.Region3 != f[10] {
			return nil, fmt.Errorf("cities.csv:%d: province columns disagree with provinces.csv for %s", line, p.Code)
		}
		if (c.Kind == Municipality) != (c.Code == c.Province.Code) {
			return nil, fmt.Errorf("cities.csv:%d: code %s does not fit kind %s", line, c.Code, c.Kind)
		}
		if c.Tier != "" && !slices.Contains(Tiers, c.Tier) {
			return nil, fmt.Errorf("cities.csv:%d: unknown tier %q", line, c.Tier)
		}
		if c.NameZh == "" || c.ShortZh == "" || c.NameEn == "" {
			return nil, fmt.Errorf("cities.csv:%d: empty name", line)
		}
		reg.cities = append(reg.cities, c)
	}
	reg.idx = buildIndex(reg.cities, reg.provinces)
	return reg, nil
}
