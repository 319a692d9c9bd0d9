package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cityimpact/cityimpact/division"
	"github.com/cityimpact/cityimpact/panel"
)

// Tier labels (国发〔2014〕51号 size classes by urban resident population),
// the same as the division registry's.
const (
	TierMega      = division.TierMegacity  // 超大城市 ≥ 10 million
	TierVeryLarge = division.TierVeryLarge // 特大城市 5–10 million
	TierLarge1    = division.TierLarge1    // Ⅰ型大城市 3–5 million
	TierLarge2    = division.TierLarge2    // Ⅱ型大城市 1–3 million
	TierMedium    = division.TierMedium    // 中等城市 0.5–1 million
	TierSmall1    = division.TierSmall1    // Ⅰ型小城市 0.2–0.5 million
	TierSmall2    = division.TierSmall2    // Ⅱ型小城市 < 0.2 million
	TierCounty    = division.TierCounty    // county-level unit
)

// DefaultUnits returns the units Generate uses when Options.Units is nil:
// the cities of the division registry (municipalities and prefecture-level
// cities, about 297; autonomous prefectures, leagues and areas are left
// out) with the NBS 2011 regions and the registry's tiers (megacities and
// very large cities of the 2020 census; others empty, for AssignTiers).
func DefaultUnits() []panel.Unit {
	var out []panel.Unit
	for _, c := range division.Cities() {
		if c.Kind.IsCity() {
			out = append(out, c.Unit())
		}
	}
	return out
}

// provinceRegion maps the two-digit GB/T 2260 province prefix to the NBS
// (2011) four-region grouping.
var provinceRegion = map[string]string{
	"11": "east", "12": "east", "13": "east", "31": "east", "32": "east", "33": "east",
	"35": "east", "37": "east", "44": "east", "46": "east",
	"14": "central", "34": "central", "36": "central", "41": "central", "42": "central", "43": "central",
	"15": "west", "45": "west", "50": "west", "51": "west", "52": "west", "53": "west",
	"54": "west", "61": "west", "62": "west", "63": "west", "64": "west", "65": "west",
	"21": "northeast", "22": "northeast", "23": "northeast",
}

// RegionOf returns the NBS region (east, central, west, northeast) of a
// GB/T 2260 code, or "" for a code outside the 31 provinces.
func RegionOf(code string) string {
	if len(code) < 2 {
		return ""
	}
	return provinceRegion[code[:2]]
}

// tierWeights are the shares of size classes among prefecture-level cities
// without a published census class, by region: east cities are larger.
// They reflect the rough distribution of urban populations (most
// prefecture-level cities have 0.5–3 million urban residents) and are used
// only for the synthetic tiers.
var tierWeights = map[string][5]float64{ // large-1, large-2, medium, small-1, small-2
	"east":      {0.08, 0.50, 0.34, 0.07, 0.01},
	"central":   {0.04, 0.40, 0.44, 0.11, 0.01},
	"northeast": {0.03, 0.30, 0.48, 0.17, 0.02},
	"west":      {0.02, 0.25, 0.43, 0.25, 0.05},
}

var syntheticTiers = [5]string{TierLarge1, TierLarge2, TierMedium, TierSmall1, TierSmall2}

// smallCapitals are provincial capitals whose urban population is well
// below the 3 million of a large-1 city.
var smallCapitals = map[string]string{"540100": TierMedium, "630100": TierLarge2, "640100": TierLarge2, "460100": TierLarge2}

// AssignTiers fills empty Tier fields of units in place and returns the
// indices of the units whose tier it made up. Known tiers are kept, and a
// code the division registry knows gets the registry's tier (the 超大 and
// 特大 cities of the 2020 census). Every other tier is synthetic: by rule,
// provincial capitals (codes ending in 0100) and sub-provincial cities
// get large-1 (the smallest capitals large-2 or medium); the rest draw
// large-1 … small-2 with region-dependent probabilities from a stream of
// seed.
func AssignTiers(units []panel.Unit, seed uint64) (synthetic []int) {
	for i := range units {
		u := &units[i]
		if u.Tier != "" {
			continue
		}
		c, err := division.Lookup(u.Code)
		known := err == nil && c.Code == u.Code
		if known && c.Tier != "" {
			u.Tier = c.Tier
			continue
		}
		synthetic = append(synthetic, i)
		if t, ok := smallCapitals[u.Code]; ok && known {
			u.Tier = t
			continue
		}
		if known && (c.Kind == division.SubProvincial || strings.HasSuffix(u.Code, "0100")) {
			u.Tier = TierLarge1
			continue
		}
		rng := rand.New(rand.NewPCG(seed, streamOf(u.Code, "tier")))
		w, ok := tierWeights[u.Region]
		if !ok {
			w = tierWeights["central"]
		}
		r := rng.Float64()
		u.Tier = syntheticTiers[len(w)-1]
		for j, p := range w {
			if r < p {
				u.Tier = syntheticTiers[j]
				break
			}
			r -= p
		}
	}
	return synthetic
}

// SelectUnits returns n units chosen from base: evenly spaced positions
// when n < len(base) (so every region stays represented), base itself when
// n == len(base), and base followed by synthetic units "SYN00001", … when
// n > len(base). A synthetic unit copies the province, region and tier of
// base unit (j−1) mod len(base), so the mix of regions and tiers is kept;
// its names say it is synthetic.
func SelectUnits(base []panel.Unit, n int) ([]panel.Unit, error) {
	switch {
	case n <= 0:
		return nil, fmt.Errorf("demo: number of units %d must be positive", n)
	case len(base) == 0:
		return nil, fmt.Errorf("demo: empty unit list")
	case n > 999999:
		return nil, fmt.Errorf("demo: %d units is more than the 999,999 synthetic codes", n)
	}
	if n <= len(base) {
		out := make([]panel.Unit, n)
		for i := range out {
			out[i] = base[i*len(base)/n]
		}
		return out, nil
	}
	out := make([]panel.Unit, n)
	copy(out, base)
	for j := len(base); j < n; j++ {
		k := j - len(base) + 1
		src := base[(k-1)%len(base)]
		out[j] = panel.Unit{
			Code:     fmt.Sprintf("SYN%05d", k),
			NameZh:   fmt.Sprintf("合成城市%05d", k),
			NameEn:   fmt.Sprintf("Synthetic city %05d", k),
			Province: src.Province, Region: src.Region, Tier: src.Tier,
		}
	}
	return out, nil
}
