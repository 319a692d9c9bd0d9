package ingest

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// fastFloat parses a whole cell that is a plain decimal number
// [+-]digits[.digits][(e|E)[+-]digits] to exactly the float64 that
// strconv.ParseFloat returns (see [ScanFloat]). It reports false for
// anything else and whenever ScanFloat cannot settle the value; the caller
// then falls back to strconv.
func fastFloat(b []byte) (float64, bool) {
	v, n, ok := ScanFloat(b)
	return v, ok && n == len(b)
}

// bstr views b as a string without copying; the string must not outlive a
// change of b.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// missingToken reports whether the trimmed text marks a missing value:
// empty, NA, N/A, NaN, ".", "-", "--", "null", "#N/A" (any case).
func missingToken(b []byte) bool {
	switch len(b) {
	case 0:
		return true
	case 1:
		return b[0] == '.' || b[0] == '-'
	case 2:
		return b[0] == '-' && b[1] == '-' || lowerIs(b, "na")
	case 3:
		return lowerIs(b, "n/a") || lowerIs(b, "nan")
	case 4:
		return lowerIs(b, "null") || lowerIs(b, "#n/a")
	}
	return false
}

func lowerIs(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// parseValue reads one cell as a float64, NaN for a missing value. The
// fast path handles plain decimals; everything else goes through
// parseValueSlow.
func parseValue(b []byte, o *Options) (float64, error) {
	if v, ok := fastFloat(b); ok {
		return v, nil
	}
	return parseValueSlow(b, o)
}

func parseValueSlow(raw []byte, o *Options) (float64, error) {
	b := trimSpace(raw)
	if !isASCII(b) {
		b = normaliseWidth(b)
	}
	if missingToken(b) {
		return math.NaN(), nil
	}
	if v, ok := fastFloat(b); ok {
		return v, nil
	}
	text := string(raw)
	if b[len(b)-1] == '%' {
		if !o.AllowPercent {
			return 0, fmt.Errorf("%w: %q has a percent sign (write %s, or allow percent signs)", ErrNotNumber, text, trimSpace(b[:len(b)-1]))
		}
		b = trimSpace(b[:len(b)-1])
	}
	hasComma := false
	for _, c := range b {
		if c == ',' {
			hasComma = true
			break
		}
	}
	if hasComma {
		switch {
		case !thousandsGrouped(b):
			return 0, fmt.Errorf("%w: %q (a comma is not a decimal point; write 12.3)", ErrNotNumber, text)
		case !o.AllowThousands:
			return 0, fmt.Errorf("%w: %q has thousands separators (remove them, or allow them)", ErrNotNumber, text)
		}
		c := make([]byte, 0, len(b))
		for _, x := range b {
			if x != ',' {
				c = append(c, x)
			}
		}
		b = c
	}
	if !plainNumber(b) {
		return 0, fmt.Errorf("%w: %q", ErrNotNumber, text)
	}
	v, err := strconv.ParseFloat(bstr(b), 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is out of range", ErrNotNumber, text)
	}
	return v, nil
}

// plainNumber reports whether b is [+-]d*[.d*][(e|E)[+-]d+] with at least
// one mantissa digit: what strconv accepts minus hex, inf, nan and underscores.
func plainNumber(b []byte) bool {
	i, n := 0, len(b)
	if i < n && (b[i] == '+' || b[i] == '-') {
		i++
	}
	d := 0
	for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
		d++
	}
	if i < n && b[i] == '.' {
		i++
		for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
			d++
		}
	}
	if d == 0 {
		return false
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		e := 0
		for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
			e++
		}
		if e == 0 {
			return false
		}
	}
	return i == n
}

// thousandsGrouped reports whether b is [+-]d{1,3}(,ddd)+[.d*]: commas only
// between groups of three digits before the decimal point.
func thousandsGrouped(b []byte) bool {
	i, n := 0, len(b)
	if i < n && (b[i] == '+' || b[i] == '-') {
		i++
	}
	lead := 0
	for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
		lead++
	}
	if lead < 1 || lead > 3 {
		return false
	}
	groups := 0
	for i < n && b[i] == ',' {
		i++
		g := 0
		for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
			g++
		}
		if g != 3 {
			return false
		}
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < n && b[i] == '.' {
		i++
		for ; i < n && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	}
	return i == n
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// normaliseWidth maps full-width digits, signs, point, comma and percent
// (U+FF10–FF19, ＋, －, ．, ，, ％) and the minus sign U+2212 to ASCII and
// drops ideographic spaces (U+3000), as Chinese spreadsheets often hold
// them. Other runes are kept.
func normaliseWidth(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r >= '０' && r <= '９':
			out = append(out, byte('0'+r-'０'))
		case r == '＋':
			out = append(out, '+')
		case r == '－' || r == '−':
			out = append(out, '-')
		case r == '．':
			out = append(out, '.')
		case r == '，':
			out = append(out, ',')
		case r == '％':
			out = append(out, '%')
		case r == '\u3000':
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return trimSpace(out)
}

// normaliseText trims spaces and maps full-width digits and letters' ASCII
// range (U+FF01–FF5E) to ASCII; used for periods, which spreadsheets in
// Chinese locales may write as "２０１５".
func normaliseText(b []byte) []byte {
	b = trimSpace(b)
	if isASCII(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r >= '！' && r <= '～':
			out = append(out, byte(r-'！'+'!'))
		case r == '\u3000':
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return trimSpace(out)
}
