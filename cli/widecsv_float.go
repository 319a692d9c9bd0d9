package cli

import (
	"math"
	"math/big"
	"math/bits"
	"sync"
)

// Eisel–Lemire rounding of w·10^q to float64 for the wide-CSV reader.
// Reference: D. Lemire, "Number parsing at a gigabyte per second",
// Software: Practice and Experience 51(8), 2021, §5 and algorithm 1.
//
// For every q in [elMinQ, elMaxQ] the table holds T_q, the 128 most
// significant bits of 10^q, truncated:
//
//	T_q = ⌊10^q · 2^(127 − e_q)⌋,   e_q = ⌊log₂ 10^q⌋,   2^127 ≤ T_q < 2^128.
//
// With w shifted left so that its top bit is set, the high 128 bits of
// w·T_q hold the 54 leading bits of w·10^q (a 53-bit mantissa and a
// rounding bit) unless the truncation of T_q, or of the lower product, can
// carry into them; the algorithm then looks at T_q's second word, and
// gives up when even that cannot decide, as it also does for exact ties
// (round half to even needs the exact value) and for subnormal or infinite
// results. The caller then asks strconv, so the result is always the
// correctly rounded float64.
const (
	elMinQ = -342
	elMaxQ = 308
)

type elPow struct{ hi, lo uint64 }

var elTable = sync.OnceValue(func() []elPow {
	t := make([]elPow, elMaxQ-elMinQ+1)
	ten := big.NewInt(10)
	mask := new(big.Int).SetUint64(math.MaxUint64)
	for q := elMinQ; q <= elMaxQ; q++ {
		p := new(big.Int).Exp(ten, big.NewInt(int64(abs(q))), nil)
		var m *big.Int
		if q >= 0 { // top 128 bits of 10^q
			if bl := p.BitLen(); bl > 128 {
				m = p.Rsh(p, uint(bl-128))
			} else {
				m = p.Lsh(p, uint(128-bl))
			}
		} else { // ⌊2^(127+bitlen(10^−q)) / 10^−q⌋, in [2^127, 2^128)
			num := new(big.Int).Lsh(big.NewInt(1), uint(127+p.BitLen()))
			m = num.Quo(num, p)
		}
		lo := new(big.Int).And(m, mask)
		hi := m.Rsh(m, 64)
		t[q-elMinQ] = elPow{hi.Uint64(), lo.Uint64()}
	}
	return t
})

func abs(q int) int {
	if q < 0 {
		return -q
	}
	return q
}

// log2Pow10 is ⌊log₂ 10^q⌋ for |q| ≤ 1,500 (checked in TestEiselLemireTable).
func log2Pow10(q int) int { return (q * 217706) >> 16 }

// eiselLemire returns the float64 nearest to w·10^q (w > 0; negated if neg)
// and true, or false when it cannot be sure (see above).
func eiselLemire(w uint64, q int, neg bool) (float64, bool) {
	if w == 0 || q < elMinQ || q > elMaxQ {
		return 0, false
	}
	t := elTable()[q-elMinQ]
	l := bits.LeadingZeros64(w)
	w <<= uint(l)
	hi, lo := bits.Mul64(w, t.hi)
	// The lower 9 bits of hi below the 55 we keep are all ones and the
	// low word could overflow: add the second word's product.
	if hi&0x1ff == 0x1ff && lo+w < lo {
		h2, l2 := bits.Mul64(w, t.lo)
		nlo, c := bits.Add64(lo, h2, 0)
		nhi := hi + c
		if nhi&0x1ff == 0x1ff && nlo+1 == 0 && l2+w < l2 {
			return 0, false
		}
		hi, lo = nhi, nlo
	}
	top := hi >> 63 // 1 if the product's leading bit is bit 127
	mant := hi >> (top + 9)
	// Binary exponent: w·10^q ≈ (hi:lo) · 2^(e_q − 127 − l), biased.
	e2 := log2Pow10(q) + 63 - l + int(top) + 1023
	// An exact tie between two floats: strconv decides.
	if lo == 0 && hi&0x1ff == 0 && mant&3 == 1 {
		return 0, false
	}
	mant += mant & 1 // round half up on the 54-bit value (ties excluded above)
	mant >>= 1
	if mant>>53 > 0 { // rounding carried into a new bit
		mant >>= 1
		e2++
	}
	if e2 <= 0 || e2 >= 0x7ff { // subnormal or infinite
		return 0, false
	}
	b := uint64(e2)<<52 | mant&(1<<52-1)
	if neg {
		b |= 1 << 63
	}
	return math.Float64frombits(b), true
}
