package panel

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Unit is one city (or any other cross-sectional unit) with the attributes
// peer groups are built from. Code is the join key: for Chinese cities the
// six-digit GB/T 2260 code.
type Unit struct {
	Code     string `json:"code"`
	NameZh   string `json:"name_zh,omitempty"`
	NameEn   string `json:"name_en,omitempty"`
	Province string `json:"province,omitempty"` // province name in Chinese, e.g. 浙江省
	Region   string `json:"region,omitempty"`   // east, central, west, northeast
	Tier     string `json:"tier,omitempty"`     // megacity, very-large, large-1, large-2, medium, small-1, small-2, county (see division.Tiers)
}

// Name returns the Chinese name, else the English name, else the code.
func (u Unit) Name() string {
	switch {
	case u.NameZh != "":
		return u.NameZh
	case u.NameEn != "":
		return u.NameEn
	}
	return u.Code
}

// Missing is the value of a missing cell. Test with math.IsNaN.
var Missing = math.NaN()

// Panel is a balanced unit × period grid of float64 indicators at one
// frequency, stored by column: each indicator is one contiguous slice of
// length NUnits()*NPeriods() in unit-major order, so the value of unit u in
// period t is col[u*NPeriods()+t]. Missing cells are NaN.
//
// A Panel is not safe for concurrent mutation; concurrent reads are fine.
type Panel struct {
	Freq  Freq
	Units []Unit
	Start Period // first period; period t is Start.Add(t)
	T     int    // number of periods

	names []string
	cols  [][]float64
	index map[string]int
	units map[string]int

	// Treatments lists policy adoptions (see [Adoption]).
	Treatments []Adoption
	// Imputation records the missing-value treatment applied to each
	// indicator (absent: none).
	Imputation map[string]string
}

// New returns an empty panel over units and the periods start … start+T-1.
// Unit codes must be unique; New panics otherwise.
func New(units []Unit, start Period, T int) *Panel {
	if T < 0 {
		panic("panel: negative number of periods")
	}
	p := &Panel{Freq: start.Freq, Units: units, Start: start, T: T,
		index: map[string]int{}, units: make(map[string]int, len(units))}
	for i, u := range units {
		if _, dup := p.units[u.Code]; dup {
			panic(fmt.Sprintf("panel: duplicate unit code %q", u.Code))
		}
		p.units[u.Code] = i
	}
	return p
}

// NUnits returns the number of units.
func (p *Panel) NUnits() int { return len(p.Units) }

// NPeriods returns the number of periods.
func (p *Panel) NPeriods() int { return p.T }

// Rows returns NUnits()*NPeriods(), the length of every column.
func (p *Panel) Rows() int { return len(p.Units) * p.T }

// Period returns the t-th period.
func (p *Panel) Period(t int) Period { return p.Start.Add(t) }

// End returns the last period.
func (p *Panel) End() Period { return p.Start.Add(p.T - 1) }

// PeriodIndex returns the index of period q, or false when q is outside the
// panel or of another frequency.
func (p *Panel) PeriodIndex(q Period) (int, bool) {
	if q.Freq != p.Freq {
		return 0, false
	}
	t := int(q.Ord - p.Start.Ord)
	return t, t >= 0 && t < p.T
}

// UnitIndex returns the row-block index of the unit with the given code.
func (p *Panel) UnitIndex(code string) (int, bool) {
	i, ok := p.units[code]
	return i, ok
}

// Indicators returns the indicator names in the order they were added. The
// slice must not be modified.
func (p *Panel) Indicators() []string { return p.names }

// Has reports whether the panel holds indicator name.
func (p *Panel) Has(name string) bool { _, ok := p.index[name]; return ok }

// Col returns the column of indicator name (nil if absent). The slice is the
// panel's own storage: writes change the panel.
func (p *Panel) Col(name string) []float64 {
	if i, ok := p.index[name]; ok {
		return p.cols[i]
	}
	return nil
}

// Add adds a new indicator filled with NaN and returns its column. Adding a
// name twice panics.
func (p *Panel) Add(name string) []float64 {
	c := make([]float64, p.Rows())
	for i := range c {
		c[i] = math.NaN()
	}
	p.Set(name, c)
	return c
}

// Set adds indicator name with column c (len Rows()), taking ownership of c.
// It panics if the name exists or the length is wrong.
func (p *Panel) Set(name string, c []float64) {
	if _, ok := p.index[name]; ok {
		panic(fmt.Sprintf("panel: indicator %q added twice", name))
	}
	if len(c) != p.Rows() {
		panic(fmt.Sprintf("panel: column %q has %d rows, want %d", name, len(c), p.Rows()))
	}
	p.index[name] = len(p.names)
	p.names = append(p.names, name)
	p.cols = append(p.cols, c)
}

// Drop removes indicator name; it reports whether it was present.
func (p *Panel) Drop(name string) bool {
	i, ok := p.index[name]
	if !ok {
		return false
	}
	p.names = slices.Delete(p.names, i, i+1)
	p.cols = slices.Delete(p.cols, i, i+1)
	delete(p.index, name)
	for j := i; j < len(p.names); j++ {
		p.index[p.names[j]] = j
	}
	return true
}

// At returns the value of indicator name for unit u in period t (NaN if the
// indicator is absent).
func (p *Panel) At(name string, u, t int) float64 {
	c := p.Col(name)
	if c == nil {
		return math.NaN()
	}
	return c[u*p.T+t]
}

// Series returns the T values of unit u for indicator name, sharing storage.
func (p *Panel) Series(name string, u int) []float64 {
	c := p.Col(name)
	if c == nil {
		return nil
	}
	return c[u*p.T : (u+1)*p.T : (u+1)*p.T]
}

// Count returns the number of non-missing values of indicator name.
func (p *Panel) Count(name string) int {
	n := 0
	for _, v := range p.Col(name) {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}

// Clone returns a deep copy of p.
func (p *Panel) Clone() *Panel {
	q := New(slices.Clone(p.Units), p.Start, p.T)
	for i, n := range p.names {
		q.Set(n, slices.Clone(p.cols[i]))
	}
	q.Treatments = slices.Clone(p.Treatments)
	if p.Imputation != nil {
		q.Imputation = make(map[string]string, len(p.Imputation))
		for k, v := range p.Imputation {
			q.Imputation[k] = v
		}
	}
	return q
}

// Lag returns indicator name lagged by k periods within each unit (a lead if
// k < 0), written into dst (allocated if nil). Cells whose source lies
// outside the panel are NaN.
func (p *Panel) Lag(dst []float64, name string, k int) []float64 {
	c := p.Col(name)
	if c == nil {
		panic(fmt.Sprintf("panel: no indicator %q", name))
	}
	if dst == nil {
		dst = make([]float64, len(c))
	}
	T := p.T
	for u := range p.Units {
		base := u * T
		for t := 0; t < T; t++ {
			s := t - k
			if s < 0 || s >= T {
				dst[base+t] = math.NaN()
			} else {
				dst[base+t] = c[base+s]
			}
		}
	}
	return dst
}

// Groups returns, for a unit attribute ("region", "tier", "province"), the
// sorted distinct group labels and each unit's index into them. Units with
// an empty attribute get label "".
func (p *Panel) Groups(attr string) (labels []string, of []int32, err error) {
	get, err := unitAttr(attr)
	if err != nil {
		return nil, nil, err
	}
	set := map[string]bool{}
	for _, u := range p.Units {
		set[get(u)] = true
	}
	for l := range set {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	pos := make(map[string]int32, len(labels))
	for i, l := range labels {
		pos[l] = int32(i)
	}
	of = make([]int32, len(p.Units))
	for i, u := range p.Units {
		of[i] = pos[get(u)]
	}
	return labels, of, nil
}

func unitAttr(attr string) (func(Unit) string, error) {
	switch attr {
	case "region":
		return func(u Unit) string { return u.Region }, nil
	case "tier":
		return func(u Unit) string { return u.Tier }, nil
	case "province":
		return func(u Unit) string { return u.Province }, nil
	case "all", "":
		return func(Unit) string { return "all" }, nil
	}
	return nil, fmt.Errorf("unknown unit attribute %q (want region, tier, province or all)", attr)
}
