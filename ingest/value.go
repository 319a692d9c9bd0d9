package ingest

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// pow10 holds the powers of ten that are exact in float64 (10^22 < 2^53·2^22).
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat parses a plain decimal number [+-]digits[.digits][(e|E)[+-]digits]
// with at most 19 significant digits, to exactly the float64 that
// strconv.ParseFloat returns. The number is m·10^e with an integer mantissa
// m < 10^19. When m ≤ 2^53 and |e| ≤ 22, m and 10^|e| are exact in float64
// and one IEEE-754 multiplication or division rounds correctly (Clinger
// 1990, "How to read floating point numbers accurately", the fast path).
// Otherwise — the 16–17-digit values that full-precision writers produce —
// [eiselLemire] rounds m·10^e from a 128-bit product. It reports false for
// anything else (more than 19 significant digits, other syntax, a result
// out of range, or a product Eisel–Lemire cannot settle), and the caller
// falls back to strconv.
func fastFloat(b []byte) (float64, bool) {
	i, n := 0, len(b)
	if n == 0 {
		return 0, false
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	digits, exp := 0, 0
	sawDigit := false
	for ; i < n; i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		sawDigit = true
		if mant == 0 && c == 0 {
			continue // leading zeros do not count towards the 19-digit limit
		}
		if digits >= 19 {
			return 0, false
		}
		mant = mant*10 + uint64(c)
		digits++
	}
	if i < n && b[i] == '.' {
		i++
		for ; i < n; i++ {
			c := b[i] - '0'
			if c > 9 {
				break
			}
			sawDigit = true
			exp--
			if mant == 0 && c == 0 {
				continue
			}
			if digits >= 19 {
				return 0, false
			}
			mant = mant*10 + uint64(c)
			digits++
		}
	}
	if !sawDigit {
		return 0, false
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < n && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		if i == n {
			return 0, false
		}
		e := 0
		for ; i < n; i++ {
			c := b[i] - '0'
			if c > 9 || e > 1000 {
				return 0, false
			}
			e = e*10 + int(c)
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != n {
		return 0, false
	}
	if mant > 1<<53 || exp < -22 || exp > 22 {
		if mant == 0 {
			return signed(0, neg), true // ±0 whatever the exponent
		}
		return eiselLemire(mant, exp, neg)
	}
	f := float64(mant)
	switch {
	case exp > 0:
		f *= pow10[exp]
	case exp < 0:
		f /= pow10[-exp]
	}
	return signed(f, neg), true
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
