package panel

import (
	"fmt"
	"math"
)

// Builder collects long-form records (unit, period, indicator, value) and
// builds a dense [Panel]. Readers call Unit and Indicator once per distinct
// key (they intern) and Append once per record, so the per-record cost is a
// few slice appends. The zero value is not usable; call NewBuilder.
type Builder struct {
	freq    Freq
	unitIdx map[string]int32
	codes   []string
	indIdx  map[string]int32
	names   []string

	u, ind, ord []int32
	val         []float64
}

// NewBuilder returns a builder for periods of frequency f, with room for
// about n records.
func NewBuilder(f Freq, n int) *Builder {
	return &Builder{freq: f, unitIdx: map[string]int32{}, indIdx: map[string]int32{},
		u: make([]int32, 0, n), ind: make([]int32, 0, n), ord: make([]int32, 0, n), val: make([]float64, 0, n)}
}

// Freq returns the builder's frequency.
func (b *Builder) Freq() Freq { return b.freq }

// Unit interns a unit code and returns its index.
func (b *Builder) Unit(code string) int32 {
	if i, ok := b.unitIdx[code]; ok {
		return i
	}
	i := int32(len(b.codes))
	b.unitIdx[code] = i
	b.codes = append(b.codes, code)
	return i
}

// Indicator interns an indicator name and returns its index.
func (b *Builder) Indicator(name string) int32 {
	if i, ok := b.indIdx[name]; ok {
		return i
	}
	i := int32(len(b.names))
	b.indIdx[name] = i
	b.names = append(b.names, name)
	return i
}

// Codes returns the interned unit codes in order of first appearance.
func (b *Builder) Codes() []string { return b.codes }

// Names returns the interned indicator names in order of first appearance.
func (b *Builder) Names() []string { return b.names }

// Len returns the number of records appended.
func (b *Builder) Len() int { return len(b.val) }

// Append adds one record. p must have the builder's frequency; Append panics
// otherwise (readers check frequency first and report it as a data error).
func (b *Builder) Append(unit, indicator int32, p Period, v float64) {
	if p.Freq != b.freq {
		panic("panel: period frequency does not match builder")
	}
	b.u = append(b.u, unit)
	b.ind = append(b.ind, indicator)
	b.ord = append(b.ord, p.Ord)
	b.val = append(b.val, v)
}

// Merge appends all records of o (same frequency) to b, re-interning its keys.
// It lets parallel readers fill one builder per chunk.
func (b *Builder) Merge(o *Builder) {
	if o.freq != b.freq {
		panic("panel: merging builders of different frequency")
	}
	um := make([]int32, len(o.codes))
	for i, c := range o.codes {
		um[i] = b.Unit(c)
	}
	im := make([]int32, len(o.names))
	for i, n := range o.names {
		im[i] = b.Indicator(n)
	}
	for r := range o.val {
		b.u = append(b.u, um[o.u[r]])
		b.ind = append(b.ind, im[o.ind[r]])
	}
	b.ord = append(b.ord, o.ord...)
	b.val = append(b.val, o.val...)
}

// Duplicate names a record whose (unit, period, indicator) cell was already
// filled by an earlier record. Record indices count Append calls from 0.
type Duplicate struct {
	Record, First int
}

// Build returns the panel spanning all units (in the order units gives, or
// first appearance when units is nil) and all periods from the earliest to
// the latest record. Cells with no record are NaN. A record whose unit is not
// in units is an error (readers check units first); duplicates are returned,
// the first record of a cell wins.
func (b *Builder) Build(units []Unit) (*Panel, []Duplicate, error) {
	if units == nil {
		units = make([]Unit, len(b.codes))
		for i, c := range b.codes {
			units[i] = Unit{Code: c}
		}
	}
	pos := make(map[string]int, len(units))
	for i, u := range units {
		pos[u.Code] = i
	}
	umap := make([]int32, len(b.codes))
	for i, c := range b.codes {
		j, ok := pos[c]
		if !ok {
			return nil, nil, fmt.Errorf("panel: unit %q not in the unit list", c)
		}
		umap[i] = int32(j)
	}
	if len(b.val) == 0 {
		return New(units, Period{Freq: b.freq}, 0), nil, nil
	}
	lo, hi := b.ord[0], b.ord[0]
	for _, o := range b.ord {
		lo = min(lo, o)
		hi = max(hi, o)
	}
	T := int(hi-lo) + 1
	p := New(units, Period{b.freq, lo}, T)
	cols := make([][]float64, len(b.names))
	for i, n := range b.names {
		cols[i] = p.Add(n)
	}
	// first[cell] = record+1 of the first record that filled it, per indicator
	// column; kept only while building.
	first := make([][]int32, len(b.names))
	for i := range first {
		first[i] = make([]int32, p.Rows())
	}
	var dups []Duplicate
	for r, v := range b.val {
		cell := int(umap[b.u[r]])*T + int(b.ord[r]-lo)
		k := b.ind[r]
		if f := first[k][cell]; f != 0 {
			dups = append(dups, Duplicate{Record: r, First: int(f - 1)})
			continue
		}
		first[k][cell] = int32(r + 1)
		cols[k][cell] = v
	}
	return p, dups, nil
}

// IsMissing reports whether v is the missing value.
func IsMissing(v float64) bool { return math.IsNaN(v) }
