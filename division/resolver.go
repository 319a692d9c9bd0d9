package division

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cityimpact/cityimpact/panel"
)

// ResolverOptions configures a [Resolver]. The zero value accepts the 297
// cities (municipalities and prefecture-level cities) with NBS 2011
// regions, and nothing else.
type ResolverOptions struct {
	// IncludeAutonomous also accepts autonomous prefectures, leagues and
	// areas (自治州, 盟, 地区: the 40 prefecture-level divisions that are not
	// cities). Without it, naming one gives an [*ExcludedError].
	IncludeAutonomous bool

	// Grouping chooses the region labels of the returned units.
	Grouping Grouping

	// Units are units supplied by the user, with their attributes. A unit
	// whose Code resolves to a registry division (by any key [Lookup]
	// accepts) overrides that division's attributes with its non-empty
	// fields and is accepted whatever its kind; the others are new units
	// (county-level pilots, say), matched by Code, NameZh or NameEn. A new
	// unit may not reuse a registry name: that would make the name
	// ambiguous.
	Units []panel.Unit

	// AllowUnknown accepts keys that name nothing known as bare units whose
	// Code is the trimmed key. Keys naming a province, an excluded kind or
	// several divisions remain errors.
	AllowUnknown bool
}

// Resolver maps the unit keys found in user data (codes or names) to panel
// units under a policy (see [ResolverOptions]). It caches its answers and is
// safe for concurrent use. The zero value is not usable; call [NewResolver].
type Resolver struct {
	opts     ResolverOptions
	override map[string]panel.Unit // registry code → user attributes
	extra    map[string]int        // normalised code or name → index into opts.Units
	newUnits []int                 // indexes of new units in opts.Units, in order

	mu    sync.Mutex
	cache map[string]resolved
}

type resolved struct {
	u   panel.Unit
	err error
}

// maxCache bounds the answer cache so garbage input cannot grow it without
// limit; keys past it are resolved afresh each time.
const maxCache = 1 << 16

// OptionsError lists the problems found in [ResolverOptions].Units.
type OptionsError struct {
	Problems []string
}

func (e *OptionsError) Error() string {
	return "division: bad user units: " + strings.Join(e.Problems, "; ")
}

// UserFacing reports that the error is caused by the user's input.
func (*OptionsError) UserFacing() bool { return true }

// NewResolver returns a resolver with options opts, or an [*OptionsError]
// listing every problem in opts.Units (empty or duplicate codes, names
// shared with the registry or with another unit).
func NewResolver(opts ResolverOptions) (*Resolver, error) {
	r := load()
	res := &Resolver{opts: opts, override: map[string]panel.Unit{}, extra: map[string]int{},
		cache: map[string]resolved{}}
	var problems []string
	bad := func(i int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("unit %d: ", i+1)+fmt.Sprintf(format, args...))
	}
	seenCode := map[string]int{}
	for i, u := range opts.Units {
		code := strings.TrimSpace(u.Code)
		if code == "" {
			bad(i, "empty code")
			continue
		}
		if j, dup := seenCode[code]; dup {
			bad(i, "code %q repeats unit %d", code, j+1)
			continue
		}
		seenCode[code] = i
		if c, err := Lookup(code); err == nil {
			if _, dup := res.override[c.Code]; dup {
				bad(i, "code %q names %s, already given", code, c)
				continue
			}
			res.override[c.Code] = u
			continue
		}
		res.newUnits = append(res.newUnits, i)
		for _, name := range []string{code, u.NameZh, u.NameEn} {
			n := normalize(name)
			if n == "" {
				continue
			}
			if cs := r.idx.names[n]; len(cs) > 0 {
				bad(i, "name %q is already %s in the registry", name, r.cities[cs[0]])
				continue
			}
			if pi, ok := r.idx.provs[n]; ok {
				bad(i, "name %q is the province %s", name, r.provinces[pi].NameZh)
				continue
			}
			if j, dup := res.extra[n]; dup && j != i {
				bad(i, "name %q is also unit %d", name, j+1)
				continue
			}
			res.extra[n] = i
		}
	}
	if len(problems) > 0 {
		return nil, &OptionsError{Problems: problems}
	}
	return res, nil
}

// keep reports whether the resolver accepts registry city c.
func (res *Resolver) keep(c City) bool {
	if res.opts.IncludeAutonomous || c.Kind.IsCity() {
		return true
	}
	_, ok := res.override[c.Code]
	return ok
}

// unit returns registry city c as a unit, with any user attributes applied.
func (res *Resolver) unit(c City) panel.Unit {
	u := c.UnitIn(res.opts.Grouping)
	if o, ok := res.override[c.Code]; ok {
		for _, f := range [...]struct {
			dst *string
			src string
		}{
			{&u.NameZh, o.NameZh}, {&u.NameEn, o.NameEn}, {&u.Province, o.Province},
			{&u.Region, o.Region}, {&u.Tier, o.Tier},
		} {
			if f.src != "" {
				*f.dst = f.src
			}
		}
	}
	return u
}

// Resolve returns the unit named by key: a user unit (see
// [ResolverOptions].Units) or a registry division found as by [Lookup] and
// accepted by the options. Errors are [*UnknownError], [*AmbiguousError]
// and [*ExcludedError], all user-facing.
func (res *Resolver) Resolve(key string) (panel.Unit, error) {
	res.mu.Lock()
	a, ok := res.cache[key]
	res.mu.Unlock()
	if ok {
		return a.u, a.err
	}
	a = res.resolve(key)
	res.mu.Lock()
	if len(res.cache) < maxCache {
		res.cache[key] = a
	}
	res.mu.Unlock()
	return a.u, a.err
}

func (res *Resolver) resolve(key string) resolved {
	if i, ok := res.extra[normalize(key)]; ok {
		u := res.opts.Units[i]
		u.Code = strings.TrimSpace(u.Code)
		return resolved{u: u}
	}
	r := load()
	i, err := r.idx.find(r, key, res.keep)
	if err == nil {
		return resolved{u: res.unit(r.cities[i])}
	}
	var ue *UnknownError
	if res.opts.AllowUnknown && errors.As(err, &ue) && ue.Province == nil && strings.TrimSpace(key) != "" {
		return resolved{u: panel.Unit{Code: strings.TrimSpace(key)}}
	}
	return resolved{err: err}
}

// Units returns every unit the resolver knows: the accepted registry
// divisions in code order (with user attributes applied), then the new user
// units in the order given. Units accepted through AllowUnknown are not
// listed.
func (res *Resolver) Units() []panel.Unit {
	r := load()
	var out []panel.Unit
	for _, c := range r.cities {
		if res.keep(c) {
			out = append(out, res.unit(c))
		}
	}
	for _, i := range res.newUnits {
		u := res.opts.Units[i]
		u.Code = strings.TrimSpace(u.Code)
		out = append(out, u)
	}
	return out
}
