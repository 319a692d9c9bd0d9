package ingest

import (
	"runtime"

	"github.com/cityimpact/cityimpact/panel"
)

// Layout is the shape of a table: long (one value per row) or wide (one
// column per indicator).
type Layout uint8

const (
	AutoLayout Layout = iota // long if the header names an indicator and a value column, else wide
	Long                     // unit, period, indicator, value
	Wide                     // unit, period, ind1, ind2, ...
)

// Encoding is the text encoding of a CSV file.
type Encoding uint8

const (
	AutoEncoding Encoding = iota // UTF-8 (BOM optional) unless the start of the file is not valid UTF-8, then GB18030
	UTF8
	GB18030 // also reads GBK and GB2312, its subsets
)

// ParseEncoding reads "auto", "utf-8"/"utf8", "gbk", "gb18030" or "gb2312".
func ParseEncoding(s string) (Encoding, bool) {
	switch s {
	case "", "auto":
		return AutoEncoding, true
	case "utf-8", "utf8", "UTF-8", "UTF8":
		return UTF8, true
	case "gbk", "GBK", "gb18030", "GB18030", "gb2312", "GB2312":
		return GB18030, true
	}
	return AutoEncoding, false
}

// UnitResolver maps a unit key as written in the data (a code or a name) to
// the unit, with its attributes. It returns an error for a key it does not
// know or that is ambiguous; the reader reports it as [ErrUnknownUnit] at
// the first line the key appears on. Several keys may resolve to the same
// unit code (code on one line, name on another): they then name one unit.
// Resolve is called once per distinct key, from one goroutine.
type UnitResolver interface {
	Resolve(key string) (panel.Unit, error)
}

// IndicatorSpec is what a reader needs to know about an expected indicator.
type IndicatorSpec struct {
	// Freq is the declared frequency; the data must have it. FreqUnknown
	// accepts any frequency.
	Freq panel.Freq
}

// Columns names the key columns of a table. An empty field means: find
// the column by its usual names (see [Options]).
type Columns struct {
	Unit, Period, Indicator, Value string
}

// Options control the readers. The zero value reads UTF-8 or GBK, long or
// wide, with units taken as written.
type Options struct {
	// Name is the file name used in errors ("data.csv"); readers that open
	// a path set it to the path when empty.
	Name string

	Layout   Layout
	Encoding Encoding
	Columns  Columns

	// Units resolves unit keys; nil takes each key as the unit code.
	Units UnitResolver
	// RequireAttrs lists unit attributes ("name_zh", "name_en",
	// "province", "region", "tier") every unit must have, from an
	// attribute column or from Units; a missing one is [ErrMissingAttribute].
	RequireAttrs []string
	// Indicators, when not nil, lists the indicators the data may hold
	// (by code); others are [ErrUnknownIndicator].
	Indicators map[string]IndicatorSpec

	// MinYear and MaxYear bound the years of periods (inclusive); zero
	// means panel.MinYear and panel.MaxYear.
	MinYear, MaxYear int

	// AllowThousands accepts thousands separators in values ("1,234.5").
	// Even then only groups of three digits are accepted: "12,3" is
	// always an error, since it may be a decimal comma.
	AllowThousands bool
	// AllowPercent accepts a trailing percent sign and drops it: "12.5%"
	// reads as 12.5 (percentage points, the unit indicators declare).
	AllowPercent bool

	// MaxErrors caps the errors collected before reading stops;
	// zero means DefaultMaxErrors.
	MaxErrors int
	// Workers is the number of goroutines parsing CSV chunks; zero
	// means runtime.GOMAXPROCS(0).
	Workers int

	// MaxCells caps the cells (units × periods × indicators) of each
	// panel, so that a stray period ("1900" among 2010s) cannot exhaust
	// memory; zero means DefaultMaxCells.
	MaxCells int

	// Sheet chooses the XLSX sheet by name or 1-based index ("2");
	// empty means the first sheet.
	Sheet string
}

func (o *Options) maxErrors() int {
	if o.MaxErrors > 0 {
		return o.MaxErrors
	}
	return DefaultMaxErrors
}

// DefaultMaxCells is the default [Options].MaxCells: 2^28 cells, 2 GiB of float64.
const DefaultMaxCells = 1 << 28

func (o *Options) maxCells() int {
	if o.MaxCells > 0 {
		return o.MaxCells
	}
	return DefaultMaxCells
}

func (o *Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (o *Options) yearRange() (int, int) {
	lo, hi := o.MinYear, o.MaxYear
	if lo == 0 {
		lo = panel.MinYear
	}
	if hi == 0 {
		hi = panel.MaxYear
	}
	return lo, hi
}
