package division

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// index maps normalised names and codes to registry positions.
type index struct {
	names map[string][]int // normalised zh full, zh short, en and alias names → cities
	codes map[string]int   // six-digit codes and aliases → city
	provs map[string]int   // normalised province names and codes → province
	// provNames lists, per province, its normalised names (for qualified
	// keys such as "安徽宿州" or "Suzhou, Anhui"), longest first.
	provNames [][]string
	// vocab holds every normalised city name with its city, for suggestions.
	vocab []vocabEntry
}

type vocabEntry struct {
	name string
	city int
}

// normalize folds a name for matching: full-width forms to half-width,
// lower case, and spaces, hyphens, apostrophes, underscores, dots, commas,
// slashes, middle dots and brackets removed. "Xi'an", "xi an" and "XIAN"
// all become "xian".
func normalize(s string) string {
	s = width.Fold.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case strings.ContainsRune("-‐‑–—_'’‘`.,，。/、·()（）[]", r):
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func buildIndex(cities []City, provinces []Province) *index {
	ix := &index{names: map[string][]int{}, codes: map[string]int{}, provs: map[string]int{},
		provNames: make([][]string, len(provinces))}
	add := func(name string, i int) {
		n := normalize(name)
		if n == "" {
			return
		}
		if !slices.Contains(ix.names[n], i) {
			ix.names[n] = append(ix.names[n], i)
			ix.vocab = append(ix.vocab, vocabEntry{n, i})
		}
	}
	for i, c := range cities {
		ix.codes[c.Code] = i
		add(c.NameZh, i)
		add(c.ShortZh, i)
		add(c.NameEn, i)
		for _, a := range c.Aliases {
			add(a, i)
		}
		if c.Kind == Municipality {
			// 110100 (市辖区), 500100 and 500200 (Chongqing 县) and 11.
			ix.codes[c.Code[:2]+"0100"] = i
			ix.codes[c.Code[:2]+"0200"] = i
			ix.codes[c.Code[:2]] = i
		}
	}
	for i, p := range provinces {
		names := []string{p.NameZh, p.ShortZh, p.NameEn}
		names = append(names, p.Aliases...)
		for _, n := range names {
			n = normalize(n)
			ix.provs[n] = i
			ix.provNames[i] = append(ix.provNames[i], n)
		}
		ix.provs[p.Code] = i
		ix.provs[p.Code[:2]] = i
		slices.SortFunc(ix.provNames[i], func(a, b string) int { return len(b) - len(a) })
	}
	return ix
}

// Lookup returns the division named by key, which may be
//   - a GB/T 2260 code: six digits (330100), four (3301), twelve-digit
//     statistical codes ending in zeros (330100000000); for a municipality
//     also 110100, Chongqing's 500200 and the two-digit 11;
//   - the full Chinese name (杭州市), the short one (杭州), the English name
//     or an alias (Hangzhou, xi an, XIAN: case, spaces, hyphens and
//     apostrophes are ignored);
//   - a name qualified by its province, to tell apart names shared across
//     provinces: 安徽宿州, 安徽省宿州市, "Suzhou, Anhui", Anhui Suzhou.
//
// Lookup searches every kind (see [Kind]). It returns an [*UnknownError]
// (with the nearest names as suggestions, or noting that key names a
// province or a county-level division), or an [*AmbiguousError] when
// several divisions, or a division and a province, share the name.
func Lookup(key string) (City, error) {
	r := load()
	i, err := r.idx.find(r, key, nil)
	if err != nil {
		return City{}, err
	}
	return r.cities[i], nil
}

// LookupProvince returns the province named by key: code (33 or 330000),
// full or short Chinese name, English name or alias, matched like [Lookup].
func LookupProvince(key string) (Province, error) {
	r := load()
	if i, ok := r.idx.provs[normalize(key)]; ok {
		return r.provinces[i], nil
	}
	return Province{}, &UnknownError{Key: key, What: "province"}
}

// find resolves key to a city index. keep, if not nil, filters candidates;
// a key whose every candidate is filtered out gives an [*ExcludedError].
func (ix *index) find(r *registry, key string, keep func(City) bool) (int, error) {
	k := strings.TrimSpace(width.Fold.String(key))
	if k == "" {
		return 0, &UnknownError{Key: key}
	}
	if allDigits(k) {
		return ix.findCode(r, key, k, keep)
	}
	n := normalize(k)
	cands := ix.names[n]
	pi, isProv := ix.provs[n]
	if isProv {
		// A municipality's names are both province and city names: the
		// city wins.
		for _, c := range cands {
			if r.cities[c].Kind == Municipality {
				isProv = false
			}
		}
	}
	if len(cands) == 0 && !isProv {
		cands = ix.qualified(r, n)
	}
	if len(cands) == 0 && !isProv {
		for _, suf := range []string{"city", "shi"} {
			if m, ok := strings.CutSuffix(n, suf); ok && m != "" {
				if cands = ix.names[m]; len(cands) > 0 {
					break
				}
			}
		}
	}
	if isProv {
		p := r.provinces[pi]
		if keep != nil {
			cands = slices.DeleteFunc(slices.Clone(cands), func(c int) bool { return !keep(r.cities[c]) })
		}
		if len(cands) == 0 {
			return 0, &UnknownError{Key: key, Province: &p}
		}
		return 0, &AmbiguousError{Key: key, Candidates: citiesAt(r, cands), Province: &p}
	}
	if len(cands) == 0 {
		return 0, &UnknownError{Key: key, County: looksCounty(k), Suggestions: ix.suggest(r, n, keep)}
	}
	return pick(r, key, cands, keep)
}

// pick applies the filter and returns the single candidate or an error.
func pick(r *registry, key string, cands []int, keep func(City) bool) (int, error) {
	kept := cands
	if keep != nil {
		kept = nil
		for _, c := range cands {
			if keep(r.cities[c]) {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			return 0, &ExcludedError{Key: key, City: r.cities[cands[0]]}
		}
	}
	if len(kept) > 1 {
		return 0, &AmbiguousError{Key: key, Candidates: citiesAt(r, kept)}
	}
	return kept[0], nil
}

func (ix *index) findCode(r *registry, key, k string, keep func(City) bool) (int, error) {
	code := k
	switch len(k) {
	case 2:
		if i, ok := ix.codes[k]; ok {
			return pick(r, key, []int{i}, keep)
		}
		if pi, ok := ix.provs[k]; ok {
			p := r.provinces[pi]
			return 0, &UnknownError{Key: key, Province: &p}
		}
		return 0, &UnknownError{Key: key}
	case 4:
		code = k + "00"
	case 9, 12: // statistical codes: 6 + 3 (township) + 3 (village) digits
		if strings.Trim(k[6:], "0") != "" {
			code = "" // below county level
		} else {
			code = k[:6]
		}
	case 6:
	default:
		return 0, &UnknownError{Key: key}
	}
	if i, ok := ix.codes[code]; ok {
		return pick(r, key, []int{i}, keep)
	}
	if code != "" {
		if pi, ok := ix.provs[code]; ok {
			p := r.provinces[pi]
			return 0, &UnknownError{Key: key, Province: &p}
		}
	}
	// A county-level code (330106) or a finer one: point to the prefecture.
	e := &UnknownError{Key: key}
	if len(k) >= 6 && k[4:6] != "00" || len(k) > 6 && code == "" {
		e.County = true
	}
	for _, parent := range []string{k[:4] + "00", k[:2] + "0000"} {
		if i, ok := ix.codes[parent]; ok && len(k) >= 6 {
			c := r.cities[i]
			e.Parent = &c
			break
		}
	}
	return 0, e
}

// qualified resolves a name prefixed or suffixed by a province name:
// 安徽宿州, 安徽省宿州市, suzhouanhui, anhuisuzhou.
func (ix *index) qualified(r *registry, n string) []int {
	var out []int
	for pi, names := range ix.provNames {
		for _, pn := range names {
			var rest string
			if m, ok := strings.CutPrefix(n, pn); ok && m != "" {
				rest = m
			} else if m, ok := strings.CutSuffix(n, pn); ok && m != "" {
				rest = m
			} else {
				continue
			}
			for _, c := range ix.names[rest] {
				if r.cities[c].Province.Code == r.provinces[pi].Code && !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// looksCounty reports whether name ends like a county-level or finer
// division: 区, 县, 旗, 镇, 乡, 街道, district, county.
func looksCounty(name string) bool {
	for _, s := range []string{"区", "县", "旗", "镇", "乡", "街道"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	l := strings.ToLower(name)
	return strings.HasSuffix(l, "district") || strings.HasSuffix(l, "county")
}

func citiesAt(r *registry, idx []int) []City {
	out := make([]City, len(idx))
	for j, i := range idx {
		out[j] = r.cities[i]
	}
	return out
}

// maxSuggestKey bounds the key length (in runes) for which suggestions are
// computed, keeping the error path O(registry) for any input.
const maxSuggestKey = 64

// suggest returns up to 3 cities whose names are nearest to n by edit
// distance (Levenshtein, in runes), at most max(1, len(n)/3) edits away,
// nearest first, ties in code order.
func (ix *index) suggest(r *registry, n string, keep func(City) bool) []City {
	rn := []rune(n)
	if len(rn) == 0 || len(rn) > maxSuggestKey {
		return nil
	}
	limit := max(1, len(rn)/3)
	best := map[int]int{} // city → smallest distance
	buf := make([]int, 2*(maxSuggestKey+1))
	for _, v := range ix.vocab {
		if keep != nil && !keep(r.cities[v.city]) {
			continue
		}
		if d := abs(utf8.RuneCountInString(v.name) - len(rn)); d > limit {
			continue
		}
		d := editDistance(rn, v.name, buf)
		if d > limit {
			continue
		}
		if old, ok := best[v.city]; !ok || d < old {
			best[v.city] = d
		}
	}
	ids := make([]int, 0, len(best))
	for c := range best {
		ids = append(ids, c)
	}
	slices.SortFunc(ids, func(a, b int) int {
		if best[a] != best[b] {
			return best[a] - best[b]
		}
		return a - b // registry order is code order
	})
	if len(ids) > 3 {
		ids = ids[:3]
	}
	return citiesAt(r, ids)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance returns the Levenshtein distance between a and b (in runes)
// using two rows of buf, which must hold 2*(len(a)+1) ints.
//
//	d(i, j) = min(d(i−1, j) + 1, d(i, j−1) + 1, d(i−1, j−1) + [a_i ≠ b_j])
func editDistance(a []rune, b string, buf []int) int {
	prev, cur := buf[:len(a)+1], buf[len(a)+1:2*(len(a)+1)]
	for i := range prev {
		prev[i] = i
	}
	j := 0
	for _, rb := range b {
		j++
		cur[0] = j
		for i := 1; i <= len(a); i++ {
			cost := 1
			if a[i-1] == rb {
				cost = 0
			}
			cur[i] = min(prev[i]+1, cur[i-1]+1, prev[i-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(a)]
}

// UnknownError reports a key that names no division in the registry.
type UnknownError struct {
	Key         string
	What        string    // "city" (default) or "province"
	Province    *Province // set when Key names a province, not a city
	County      bool      // Key looks like a county-level name or code
	Parent      *City     // for a county-level code, the division whose code it falls under
	Suggestions []City    // nearest names, at most 3
}

func (e *UnknownError) Error() string {
	what := e.What
	if what == "" {
		what = "city"
	}
	var b strings.Builder
	switch {
	case e.Province != nil:
		fmt.Fprintf(&b, "%q is a province (%s, %s, %s), not a prefecture-level city", e.Key, e.Province.NameZh, e.Province.NameEn, e.Province.Code)
	case strings.TrimSpace(e.Key) == "":
		fmt.Fprintf(&b, "empty %s name", what)
	case e.County:
		fmt.Fprintf(&b, "%q is not a prefecture-level city: district- and county-level divisions are not in the registry; use the prefecture's name or code", e.Key)
		if e.Parent != nil {
			fmt.Fprintf(&b, " (this code falls under %s)", e.Parent)
		}
	default:
		fmt.Fprintf(&b, "unknown %s %q", what, e.Key)
		if e.Parent != nil {
			fmt.Fprintf(&b, " (the code falls under %s)", e.Parent)
		}
	}
	if len(e.Suggestions) > 0 && e.County {
		b.WriteString("; prefecture-level divisions with similar names, possibly unrelated: ")
		for i, c := range e.Suggestions {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.String())
		}
	} else if len(e.Suggestions) > 0 {
		b.WriteString("; did you mean ")
		for i, c := range e.Suggestions {
			if i > 0 {
				b.WriteString(" or ")
			}
			b.WriteString(c.String())
		}
		b.WriteString("?")
	}
	return b.String()
}

// UserFacing reports that the error is caused by the user's input.
func (*UnknownError) UserFacing() bool { return true }

// AmbiguousError reports a key that names several divisions (such as
// Suzhou: 苏州 in Jiangsu and 宿州 in Anhui), or a division and a province
// (吉林: 吉林省 and 吉林市).
type AmbiguousError struct {
	Key        string
	Candidates []City
	Province   *Province // set when Key also names this province
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ambiguous name %q: ", e.Key)
	if e.Province != nil {
		fmt.Fprintf(&b, "the province %s (%s)", e.Province.NameZh, e.Province.Code)
	}
	for i, c := range e.Candidates {
		if i > 0 || e.Province != nil {
			b.WriteString(" or ")
		}
		b.WriteString(c.String())
	}
	if e.Province != nil {
		b.WriteString("; use the city's full name or code")
	} else if len(e.Candidates) > 0 {
		c := e.Candidates[0]
		hint := c.Province.ShortZh + c.ShortZh
		if isASCII(e.Key) {
			hint = c.NameEn + ", " + c.Province.NameEn
		}
		fmt.Fprintf(&b, "; use the code or add the province, e.g. %q", hint)
	}
	return b.String()
}

// UserFacing reports that the error is caused by the user's input.
func (*AmbiguousError) UserFacing() bool { return true }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// ExcludedError reports a key naming a division of a kind the [Resolver]
// was told to exclude (an autonomous prefecture, league or area).
type ExcludedError struct {
	Key  string
	City City
}

func (e *ExcludedError) Error() string {
	what := map[Kind]string{AutonomousPrefecture: "an autonomous prefecture (自治州)", League: "a league (盟)", Area: "an area (地区)"}[e.City.Kind]
	if what == "" {
		what = "a " + e.City.Kind.String()
	}
	return fmt.Sprintf("%q is %s, %s, not a city; autonomous prefectures, leagues and areas are excluded unless included",
		e.Key, e.City.String(), what)
}

// UserFacing reports that the error is caused by the user's input.
func (*ExcludedError) UserFacing() bool { return true }
