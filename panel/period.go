package panel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Freq is the frequency of a period: annual, quarterly or monthly.
type Freq uint8

const (
	FreqUnknown Freq = iota
	Year
	Quarter
	Month
)

// String returns "year", "quarter", "month" or "unknown".
func (f Freq) String() string {
	switch f {
	case Year:
		return "year"
	case Quarter:
		return "quarter"
	case Month:
		return "month"
	}
	return "unknown"
}

// PerYear returns the number of periods of f in one year (1, 4 or 12), 0 if unknown.
func (f Freq) PerYear() int {
	switch f {
	case Year:
		return 1
	case Quarter:
		return 4
	case Month:
		return 12
	}
	return 0
}

// ParseFreq reads "year"/"annual"/"A"/"Y", "quarter"/"Q", "month"/"M".
func ParseFreq(s string) (Freq, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "year", "yearly", "annual", "a", "y", "年", "年度":
		return Year, nil
	case "quarter", "quarterly", "q", "季", "季度":
		return Quarter, nil
	case "month", "monthly", "m", "月", "月度":
		return Month, nil
	}
	return FreqUnknown, fmt.Errorf("unknown frequency %q (want year, quarter or month)", s)
}

// Period is one year, quarter or month. Ord is a consecutive ordinal within
// the frequency: the year itself for Year, year*4+(q-1) for Quarter and
// year*12+(m-1) for Month, so that Ord+1 is always the next period.
// The zero value is not a valid period.
type Period struct {
	Freq Freq
	Ord  int32
}

// YearPeriod, QuarterPeriod and MonthPeriod build periods from calendar parts.
func YearPeriod(y int) Period       { return Period{Year, int32(y)} }
func QuarterPeriod(y, q int) Period { return Period{Quarter, int32(y*4 + q - 1)} }
func MonthPeriod(y, m int) Period   { return Period{Month, int32(y*12 + m - 1)} }

// Year returns the calendar year of p.
func (p Period) Year() int {
	switch p.Freq {
	case Quarter:
		return floorDiv(int(p.Ord), 4)
	case Month:
		return floorDiv(int(p.Ord), 12)
	}
	return int(p.Ord)
}

// Sub returns the quarter (1-4) or month (1-12) within the year, 0 for Year.
func (p Period) Sub() int {
	switch p.Freq {
	case Quarter:
		return int(p.Ord) - 4*p.Year() + 1
	case Month:
		return int(p.Ord) - 12*p.Year() + 1
	}
	return 0
}

// Add returns the period n steps after p (before, if n < 0).
func (p Period) Add(n int) Period { return Period{p.Freq, p.Ord + int32(n)} }

// To converts p to the coarser frequency f (month → quarter → year). It
// returns an error when f is finer than p's frequency.
func (p Period) To(f Freq) (Period, error) {
	if f == p.Freq {
		return p, nil
	}
	if f.PerYear() == 0 || p.Freq.PerYear() == 0 || f.PerYear() > p.Freq.PerYear() {
		return Period{}, fmt.Errorf("cannot convert %s period %s to %s", p.Freq, p, f)
	}
	switch f {
	case Year:
		return YearPeriod(p.Year()), nil
	default: // month → quarter
		return QuarterPeriod(p.Year(), (p.Sub()-1)/3+1), nil
	}
}

// String formats p as "2015", "2015Q1" or "2015-01".
func (p Period) String() string {
	switch p.Freq {
	case Year:
		return strconv.Itoa(p.Year())
	case Quarter:
		return fmt.Sprintf("%dQ%d", p.Year(), p.Sub())
	case Month:
		return fmt.Sprintf("%d-%02d", p.Year(), p.Sub())
	}
	return "?"
}

// Errors of [ParsePeriod], for errors.Is.
var (
	ErrMalformedPeriod = errors.New("malformed period")
	ErrPeriodRange     = errors.New("period out of range")
)

// MinYear and MaxYear bound the years ParsePeriod accepts.
const (
	MinYear = 1900
	MaxYear = 2200
)

// ParsePeriod reads a period in one of the forms statistical offices use:
//
//	year:    2015, 2015年, 2015.0 (as spreadsheets write integers)
//	quarter: 2015Q1, 2015-Q1, 2015q1, 2015 Q1, 2015年第1季度, 2015年1季度
//	month:   2015-01, 2015-1, 2015/01, 2015.01, 201501, 2015M01, 2015年1月, 2015-01-01 (day ignored only if 1)
//
// Years outside [MinYear, MaxYear] are an error.
func ParsePeriod(s string) (Period, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Period{}, fmt.Errorf("%w: empty", ErrMalformedPeriod)
	}
	p, ok := parsePeriod(t)
	if !ok {
		return Period{}, fmt.Errorf("%w %q (want 2015, 2015Q1 or 2015-01)", ErrMalformedPeriod, s)
	}
	if y := p.Year(); y < MinYear || y > MaxYear {
		return Period{}, fmt.Errorf("%w: %q (years %d-%d)", ErrPeriodRange, s, MinYear, MaxYear)
	}
	return p, nil
}

func parsePeriod(t string) (Period, bool) {
	// Chinese forms.
	if i := strings.Index(t, "年"); i > 0 {
		y, ok := atoi(t[:i])
		if !ok {
			return Period{}, false
		}
		rest := t[i+len("年"):]
		switch {
		case rest == "" || rest == "度":
			return YearPeriod(y), true
		case strings.HasSuffix(rest, "季度"):
			r := strings.TrimSuffix(strings.TrimPrefix(rest, "第"), "季度")
			q, ok := atoi(r)
			if !ok {
				q, ok = zhDigit(r)
			}
			if !ok || q < 1 || q > 4 {
				return Period{}, false
			}
			return QuarterPeriod(y, q), true
		case strings.HasSuffix(rest, "月"):
			m, ok := atoi(strings.TrimSuffix(rest, "月"))
			if !ok || m < 1 || m > 12 {
				return Period{}, false
			}
			return MonthPeriod(y, m), true
		}
		return Period{}, false
	}
	if y, ok := atoi(t); ok {
		switch {
		case len(t) == 4:
			return YearPeriod(y), true
		case len(t) == 6: // 201501
			m := y % 100
			if m < 1 || m > 12 {
				return Period{}, false
			}
			return MonthPeriod(y/100, m), true
		}
		return Period{}, false
	}
	if strings.HasSuffix(t, ".0") && len(t) == 6 { // 2015.0 from a spreadsheet
		if y, ok := atoi(t[:4]); ok {
			return YearPeriod(y), true
		}
	}
	if len(t) < 6 {
		return Period{}, false
	}
	y, ok := atoi(t[:4])
	if !ok {
		return Period{}, false
	}
	rest := t[4:]
	rest = strings.TrimLeft(rest, " -/.")
	switch {
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q'):
		q, ok := atoi(rest[1:])
		if !ok || q < 1 || q > 4 {
			return Period{}, false
		}
		return QuarterPeriod(y, q), true
	case len(rest) >= 2 && len(rest) <= 3 && (rest[0] == 'M' || rest[0] == 'm'):
		m, ok := atoi(rest[1:])
		if !ok || m < 1 || m > 12 {
			return Period{}, false
		}
		return MonthPeriod(y, m), true
	}
	sep := t[4]
	if sep != '-' && sep != '/' && sep != '.' {
		return Period{}, false
	}
	parts := strings.Split(t[5:], string(sep))
	if len(parts) > 2 || len(parts[0]) == 0 || len(parts[0]) > 2 {
		return Period{}, false
	}
	m, ok := atoi(parts[0])
	if !ok || m < 1 || m > 12 {
		return Period{}, false
	}
	if len(parts) == 2 { // a date: only the first of the month names a month
		d, ok := atoi(parts[1])
		if !ok || d != 1 || len(parts[1]) > 2 {
			return Period{}, false
		}
	}
	return MonthPeriod(y, m), true
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func zhDigit(s string) (int, bool) {
	switch s {
	case "一":
		return 1, true
	case "二":
		return 2, true
	case "三":
		return 3, true
	case "四":
		return 4, true
	}
	return 0, false
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// MarshalText formats p as [Period.String] does, so periods read naturally
// in JSON ("2015", "2015Q1", "2015-01").
func (p Period) MarshalText() ([]byte, error) {
	if p.Freq == FreqUnknown {
		return nil, fmt.Errorf("panel: cannot marshal a period of unknown frequency")
	}
	return []byte(p.String()), nil
}

// UnmarshalText parses text with [ParsePeriod].
func (p *Period) UnmarshalText(text []byte) error {
	q, err := ParsePeriod(string(text))
	if err != nil {
		return err
	}
	*p = q
	return nil
}
