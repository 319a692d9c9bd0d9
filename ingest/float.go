package ingest

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
)

// ScanFloat reads the decimal number at the start of b. It returns the
// number's length n in bytes and, when ok, its value v: the float64 nearest
// to it, ties to even, bit for bit what strconv.ParseFloat(string(b[:n]), 64)
// returns. The number is the longest prefix of b of the form
//
//	[+-] digits [. digits] [(e|E) [+-] digits]
//
// with at least one digit before or after the point: "1.", ".5" and "-0e7"
// are numbers; an exponent marker without digits is not part of one (in
// "2e" and "2e+" the number is "2"); b starting with anything else
// ("inf", " 1", "") gives n = 0. Reading stops at the first byte that does
// not fit, so "0x1p3" gives the number "0" and "1,5" the number "1".
//
// ok is false when n is 0, and when the fast methods below cannot settle
// the value: more than 19 significant digits, a result that overflows
// float64, or (rarely) a product too close to a rounding boundary. The
// caller then passes b[:n] to strconv.ParseFloat, whose value or range
// error is the answer. ok is never true for a value strconv would reject.
//
// The number is w·10^q with w < 10^19 its significant digits read as an
// integer (those after the point eight at a time, see eightDigits). If
// w ≤ 2^53 and |q| ≤ 22, w and 10^|q| are exact float64 values and one
// IEEE-754 multiplication or division rounds correctly (Clinger 1990, "How
// to read floating point numbers accurately", PLDI, the fast path);
// otherwise the Eisel–Lemire algorithm rounds w·10^q from a 128-bit
// product, subnormal results included (D. Lemire, "Number parsing at a
// gigabyte per second", Software: Practice and Experience 51(8), 2021;
// see eiselLemire). As in strconv, exponent digits stop counting once the
// exponent reaches 10,000 ("1e123456" is read as 1e12345), so that even
// such strings agree with strconv.
//
// ScanFloat allocates nothing and is safe for concurrent use. A whole
// cell is a number when n == len(b); the CSV readers use it that way, and
// cityimpact's wide-CSV reader (package cli) parses a line's cells in
// place, each followed by a comma or the line's end.
func ScanFloat(b []byte) (v float64, n int, ok bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	d0 := i
	for i < len(b) && b[i] == '0' {
		i++
	}
	s := i
	var w uint64
	// Digits accumulate in w, which wraps around past 19 of them, so nd
	// counts them. The integer part is read one digit at a time: in data
	// it is short, and a failed eight-byte test on "12345.67" costs more
	// than it saves. The fraction is read eight digits at a time while
	// they last, then one at a time. (The loops are written out rather
	// than called: a call costs short decimals about a fifth of their
	// time.)
	for i < len(b) && b[i]-'0' < 10 {
		w = w*10 + uint64(b[i]-'0')
		i++
	}
	nd := i - s  // significant digits: leading zeros do not count
	nb := i - d0 // mantissa digits of any kind
	q := 0
	if i < len(b) && b[i] == '.' {
		i++
		f := i
		if nd == 0 { // zeros after the point before the first nonzero digit
			for i < len(b) && b[i] == '0' {
				i++
			}
		}
		s = i
		for i+8 <= len(b) {
			x, ok := eightDigits(b[i:])
			if !ok {
				break
			}
			w = w*100000000 + x
			i += 8
		}
		for i < len(b) && b[i]-'0' < 10 {
			w = w*10 + uint64(b[i]-'0')
			i++
		}
		nd += i - s
		nb += i - f
		q = f - i
	}
	if nb == 0 {
		return 0, 0, false
	}
	if i < len(b) && b[i]|0x20 == 'e' {
		j := i + 1
		eneg := false
		if j < len(b) && (b[j] == '-' || b[j] == '+') {
			eneg = b[j] == '-'
			j++
		}
		e, e0 := 0, j
		for ; j < len(b) && b[j]-'0' < 10; j++ {
			if e < 10000 { // strconv's bound: any larger exponent is as good
				e = e*10 + int(b[j]-'0')
			}
		}
		if j > e0 {
			i = j
			if eneg {
				e = -e
			}
			q += e
		}
	}
	if nd > 19 {
		return 0, i, false // w has wrapped around; strconv reads it
	}
	if w == 0 {
		return signed(0, neg), i, true // ±0 whatever the exponent
	}
	if w <= 1<<53 && q >= -22 && q <= 22 {
		v = float64(w)
		if q < 0 {
			v /= pow10[-q]
		} else {
			v *= pow10[q]
		}
		return signed(v, neg), i, true
	}
	v, ok = eiselLemire(w, q, neg)
	return v, i, ok
}

// pow10 holds the powers of ten that are exact in float64: 10^22 =
// 5^22·2^22 with 5^22 < 2^53.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// eightDigits returns the value of the eight bytes d_0 … d_7 at the start
// of b and whether they are all ASCII digits; b must hold eight bytes. This
// is SWAR, as in Lemire (2021). Loaded little-endian into x (d_0 in the low
// byte), the bytes are digits when every byte's high nibble is 3 and stays
// 3 after adding 6 (a byte ≥ 0xFA, whose carry could spoil its neighbour,
// fails the first half already). With the ASCII offset subtracted,
//
//	y = 10·x + x>>8           byte 2k of y is p_k = 10·d_2k + d_2k+1
//	(y & M)·(100 + 10^6·2^32) + (y>>16 & M)·(1 + 10^4·2^32),   M = 0x000000FF000000FF,
//
// holds p_0·10^6 + p_1·10^4 + p_2·100 + p_3, the eight-digit value, in
// bits 32–63 (the low halves, at most 99·100 + 99, cannot carry into them).
func eightDigits(b []byte) (uint64, bool) {
	x := binary.LittleEndian.Uint64(b)
	if (x&0xF0F0F0F0F0F0F0F0)|((x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0)>>4 != 0x3333333333333333 {
		return 0, false
	}
	x -= 0x3030303030303030
	x = x*10 + x>>8
	return ((x&0x000000FF000000FF)*(100+1000000<<32) + (x>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32, true
}

// The rest of this file implements the Eisel–Lemire algorithm: the
// correctly rounded float64 nearest to w·10^q for a 64-bit decimal mantissa
// w, from one (rarely two) 64×64→128-bit multiplications by a 128-bit
// approximation of 10^q.
// References: D. Lemire, "Number parsing at a gigabyte per second",
// Software: Practice and Experience 51(8), 2021, algorithm 1; N. Mushtak and
// D. Lemire, "Fast number parsing without fallback", SPE 53(7), 2023. The
// table here differs from the paper's in one respect, argued below: every
// entry is truncated (the paper rounds the entries for −27 ≤ q < 0 up), so
// the computed product never exceeds the true one.

// The table covers q ∈ [minPow10, maxPow10]. Below, w·10^q < 2^64·10^−343 <
// 2^−1075 rounds to zero; above, w·10^q ≥ 10^309 overflows. Inputs outside
// are left to strconv, which returns zero or reports the range error.
const (
	minPow10 = -342
	maxPow10 = 308
)

// pow10Hi and pow10Lo hold, for q = minPow10 … maxPow10 at index q−minPow10,
// the 128-bit truncation T_q = ⌊10^q·2^(127−f_q)⌋ with f_q = ⌊log2 10^q⌋, so
// that 2^127 ≤ T_q < 2^128: the high and low 64-bit halves.
var pow10Hi, pow10Lo [maxPow10 - minPow10 + 1]uint64

func init() { buildPow10Table(pow10Hi[:], pow10Lo[:]) }

// buildPow10Table fills hi and lo with T_q from exact integer arithmetic:
//
//	q ≥ 0:  10^q = 5^q·2^q; with L = bitlen(5^q), T_q = 5^q shifted left by 128−L
//	        (right by L−128 when L > 128, truncating), f_q = q + L − 1;
//	q < 0:  10^q = 2^q / 5^−q; with L = bitlen(5^−q), T_q = ⌊2^(L+127) / 5^−q⌋,
//	        which lies in (2^127, 2^128) because 5^−q is not a power of two,
//	        and f_q = q − L.
//
// The exponent f_q is not stored: log2Pow10 computes it, and a test checks
// it against L for every q.
func buildPow10Table(hi, lo []uint64) {
	mask64 := new(big.Int).SetUint64(math.MaxUint64)
	put := func(q int, t *big.Int) {
		i := q - minPow10
		lo[i] = new(big.Int).And(t, mask64).Uint64()
		hi[i] = new(big.Int).Rsh(t, 64).Uint64()
	}
	five := big.NewInt(5)
	p := big.NewInt(1) // 5^q
	t := new(big.Int)
	for q := 0; q <= maxPow10; q++ {
		if L := p.BitLen(); L <= 128 {
			t.Lsh(p, uint(128-L))
		} else {
			t.Rsh(p, uint(L-128))
		}
		put(q, t)
		p.Mul(p, five)
	}
	p.SetInt64(5) // 5^−q
	num := new(big.Int)
	for q := -1; q >= minPow10; q-- {
		num.Lsh(big.NewInt(1), uint(p.BitLen()+127))
		t.Quo(num, p)
		put(q, t)
		p.Mul(p, five)
	}
}

// log2Pow10 returns ⌊log2 10^q⌋ = ⌊q·log2 10⌋ for |q| ≤ 1000, from the
// fixed-point constant 217706 = ⌊2^16·log2 10⌋ (log2 10 = 3.3219280948873623);
// the error q·(2^16·log2 10 − 217706)/2^16 stays below the distance of
// q·log2 10 to the next integer over the table's range (checked by
// TestPow10Table).
func log2Pow10(q int) int { return (q * 217706) >> 16 }

// eiselLemire returns the float64 nearest to w·10^q (ties to even), negated
// if neg, and true; or false when it cannot decide and the caller must use
// strconv: q outside the table, a result that overflows, or a product too
// close to a rounding boundary for 128 bits to settle. w must be nonzero.
//
// With w shifted left by l = clz(w) so that its top bit is set, the 192-bit
// product P = w·T_q satisfies w·10^q = P·2^(f_q−127−l). Its top 54 bits are
// the 53-bit significand and one rounding bit. Because T_q is truncated,
// T_q ≤ 10^q·2^(127−f_q) < T_q + 1, so the exact product P* lies in
// [P, P + w). Reading only the top 128 bits of P from w·T_hi (first product)
// leaves P* − P < w·2^64; so the top 64 bits are exact unless the middle word
// plus w carries, and that carry can reach the rounding bit only if the low
// 9 bits of the top word are all ones. Then the second product w·T_lo is
// added, leaving P* − P < w; a carry out of the low word can still reach
// the rounding bit only if the middle word is all ones and the top word's
// low 9 bits are all ones: then give up (Lemire 2021, algorithm 1). With
// the paper's table, whose entries for −27 ≤ q < 0 are rounded up, Mushtak
// and Lemire (2023) prove this never happens; with truncated entries it
// happens for exact ties and exactly representable values when q < 0
// (about 2 in 10,000 random in-range inputs), and strconv decides those.
//
// Rounding: the rounding bit decides, except at an exact tie (rounding bit
// 1, all lower bits of P* zero), which rounds to even. A tie needs 5^|q| to
// divide the 54-bit odd part (q > 0) or w (q < 0), so ties occur only for
// −27 ≤ q ≤ 23. For 0 ≤ q ≤ 23, 5^q < 2^64 and T_q is exact with T_lo = 0,
// so P = P* and the tie is seen as it is. For q < 0 the truncated T_q makes
// a tie look like rounding bit 0 followed by ones with a carry pending:
// exactly the case that gives up above. Subnormal results (below 2^−1022 ≈
// 2.2e−308, with w ≥ 1) have q ≤ −308, where ties cannot occur.
func eiselLemire(w uint64, q int, neg bool) (float64, bool) {
	if q < minPow10 || q > maxPow10 {
		return 0, false
	}
	l := bits.LeadingZeros64(w)
	w <<= uint(l)
	th, tl := pow10Hi[q-minPow10], pow10Lo[q-minPow10]
	hi, mid := bits.Mul64(w, th)
	if hi&0x1FF == 0x1FF && mid+w < mid {
		h2, lo := bits.Mul64(w, tl)
		var c uint64
		mid, c = bits.Add64(mid, h2, 0)
		hi += c
		if hi&0x1FF == 0x1FF && mid == math.MaxUint64 && lo+w < lo {
			return 0, false
		}
	}
	// hi ≥ 2^62 since w ≥ 2^63 and T_q ≥ 2^127; top is its top bit's
	// offset above 62, and m holds the top 54 bits of P.
	top := int(hi >> 63)
	shift := uint(top + 9)
	m := hi >> shift
	// Biased exponent of m·2^… once m is rounded to 53 bits: the value is
	// hi·2^(f_q+1−l) = m·2^(f_q+10−l+top), and after the rounding shift
	// the significand m/2 ∈ [2^52, 2^53) carries 2^(e−1075).
	e := log2Pow10(q) - l + top + 1086
	if e <= 0 {
		// Subnormal: round m·2^(e−2) to an integer multiple of 2^−1074.
		s := 2 - e // ≥ 2
		if s > 55 {
			return signed(0, neg), true // below half the least subnormal
		}
		m >>= uint(s - 1)
		m = (m + 1) >> 1 // no ties here (see above)
		// m ≤ 2^52: its bits, exponent field 0, are the float's; m = 2^52
		// carries into exponent field 1, the least normal number.
		return signed(math.Float64frombits(m), neg), true
	}
	if m&3 == 1 && mid == 0 && hi&(1<<shift-1) == 0 && q >= 0 && q <= 23 {
		m-- // exact tie to an even significand: round down
	}
	m = (m + 1) >> 1
	if m == 1<<53 {
		m >>= 1
		e++
	}
	if e >= 0x7FF {
		return 0, false // overflow: strconv reports the range error
	}
	return signed(math.Float64frombits(uint64(e)<<52|m&(1<<52-1)), neg), true
}

func signed(f float64, neg bool) float64 {
	if neg {
		return -f
	}
	return f
}
