package ingest

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestPow10Table checks every entry of the power-of-ten table and every
// log2Pow10 against exact rational arithmetic done another way: f is found
// by comparing 10^q with powers of two, and T_q = ⌊10^q·2^(127−f)⌋ by one
// integer division of numerator by denominator.
func TestPow10Table(t *testing.T) {
	ten := big.NewInt(10)
	for q := minPow10; q <= maxPow10; q++ {
		num, den := big.NewInt(1), big.NewInt(1) // 10^q = num/den
		if q >= 0 {
			num.Exp(ten, big.NewInt(int64(q)), nil)
		} else {
			den.Exp(ten, big.NewInt(int64(-q)), nil)
		}
		// f = ⌊log2 num/den⌋: largest f with 2^f·den ≤ num (f may be negative).
		f := num.BitLen() - den.BitLen() + 1
		for {
			a, b := new(big.Int).Set(num), new(big.Int).Set(den)
			if f >= 0 {
				b.Lsh(b, uint(f))
			} else {
				a.Lsh(a, uint(-f))
			}
			if b.Cmp(a) <= 0 {
				break
			}
			f--
		}
		if got := log2Pow10(q); got != f {
			t.Fatalf("log2Pow10(%d) = %d; want %d", q, got, f)
		}
		a, b := new(big.Int).Set(num), new(big.Int).Set(den)
		if s := 127 - f; s >= 0 {
			a.Lsh(a, uint(s))
		} else {
			b.Lsh(b, uint(-s))
		}
		want := a.Quo(a, b)
		got := new(big.Int).Lsh(new(big.Int).SetUint64(pow10Hi[q-minPow10]), 64)
		got.Or(got, new(big.Int).SetUint64(pow10Lo[q-minPow10]))
		if got.Cmp(want) != 0 {
			t.Fatalf("T[%d] = %#x; want %#x", q, got, want)
		}
		if got.BitLen() != 128 {
			t.Fatalf("T[%d] has %d bits; want 128", q, got.BitLen())
		}
	}
}

// hardFloats are inputs known to trip float parsers: ties, values next to
// ties, the ends of the range, subnormals and the normal/subnormal border,
// and Clinger-path edges. Sources: Paxson, "A program for testing IEEE
// decimal–binary conversion" (1991); Lemire (2021) section 7; Go issue
// 36657 and the Exploring Binary articles (Rick Regan) for 2^53+1,
// 8.988465674311579e307 (2^1023 region) and 2.2250738585072011e-308.
var hardFloats = []string{
	"0.1", "0.2", "0.3", "1e23", "8.988465674311579e307", "8.98846567431158e307",
	"9007199254740993", "9007199254740992", "9007199254740994", "9007199254740995",
	"18014398509481985", "18014398509481986", "18014398509481987", "36028797018963969",
	"4503599627370496.5", "4503599627370497.5", "2251799813685248.25", "2251799813685248.75",
	"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1.797693134862316e308",
	"2.2250738585072014e-308", "2.2250738585072011e-308", "2.225073858507201e-308", "2.2250738585072012e-308",
	"4.9406564584124654e-324", "4.9e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
	"2.470328229206232e-324", "1e-324", "3e-324", "7.4e-323", "1e-320", "1.5e-323",
	"1e308", "1e309", "1e-342", "1e-343", "1e-400", "9999999999999999999e-343",
	"1e22", "1e21", "9007199254740993e22", "123456789012345678e-30",
	"7.2057594037927933e16", "1.00000000000000011102230246251565404236316680908203125",
	"1.0000000000000002", "1.0000000000000001", "0.9999999999999999", "0.99999999999999994",
	"1090544144181609348835077142190", "1.448997445238699", "3.4028234663852886e38",
	"6.631236846766476e-316", "3.0549364085193994e-221", "9.5e-322", "2.9802322387695312e-8",
	"179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
	"9223372036854775807", "9223372036854775808", "18446744073709551615", "1844674407370955161.5",
	"0.000000000000000000000000000000000000000000001", "-0.0e400", "-1e-400", "-8.988465674311579e307",
}

func TestScanFloatHardCases(t *testing.T) {
	for _, s := range hardFloats {
		for _, x := range []string{s, "-" + s, "+" + s + ",7", s + "e", s + "x"} {
			checkScanFloat(t, x)
		}
	}
}

// checkScanFloat checks ScanFloat on s against two oracles: the number's
// length against plainNumber (the slow path's syntax check, written
// separately) as the longest prefix it accepts, and the value against
// strconv.ParseFloat of that prefix, bit for bit. It also checks that the
// whole-cell fastFloat agrees, and reports whether ScanFloat decided.
func checkScanFloat(t *testing.T, s string) bool {
	t.Helper()
	v, n, ok := ScanFloat([]byte(s))
	want := 0
	for m := len(s); m > 0; m-- {
		if plainNumber([]byte(s[:m])) {
			want = m
			break
		}
	}
	if n != want {
		t.Fatalf("ScanFloat(%q) read %d bytes; want %d", s, n, want)
	}
	if fv, fok := fastFloat([]byte(s)); fok != (ok && n == len(s)) || fok && math.Float64bits(fv) != math.Float64bits(v) {
		t.Fatalf("fastFloat(%q) = %v, %v; ScanFloat = %v, %d, %v", s, fv, fok, v, n, ok)
	}
	if !ok {
		return false
	}
	w, err := strconv.ParseFloat(s[:n], 64)
	if err != nil {
		t.Fatalf("ScanFloat(%q) = %v, accepted %q; strconv says %v", s, v, s[:n], err)
	}
	if math.Float64bits(v) != math.Float64bits(w) {
		t.Fatalf("ScanFloat(%q) = %v (%#x); strconv(%q) = %v (%#x)", s, v, math.Float64bits(v), s[:n], w, math.Float64bits(w))
	}
	return true
}

// TestEiselLemireMatchesStrconv compares ScanFloat with strconv.ParseFloat,
// bit for bit, on random decimal strings of every length 1–20 digits with
// the point anywhere and exponents over the whole range and beyond, and on
// exact ties and their neighbours. It also requires that Eisel–Lemire
// decides nearly all of them (else the comparison would test strconv
// against itself).
func TestEiselLemireMatchesStrconv(t *testing.T) {
	n := 1500000
	if testing.Short() {
		n = 100000
	}
	rng := rand.New(rand.NewPCG(2026, 3))
	var buf []byte
	tried, missed := 0, 0
	check := func(s string) bool { return checkScanFloat(t, s) }
	for i := range n {
		// digits: 1–20 of them, first one nonzero
		L := 1 + i%20
		buf = buf[:0]
		if rng.IntN(2) == 0 {
			buf = append(buf, '-')
		}
		start := len(buf)
		buf = append(buf, byte('1'+rng.IntN(9)))
		for range L - 1 {
			buf = append(buf, byte('0'+rng.IntN(10)))
		}
		if k := rng.IntN(L + 2); k <= L {
			buf = append(buf[:start+k], append([]byte{'.'}, buf[start+k:]...)...)
		}
		var e int
		switch rng.IntN(4) {
		case 0:
			e = rng.IntN(700) - 360 // the whole table and beyond
		case 1:
			e = rng.IntN(60) - 30
		case 2:
			e = rng.IntN(40) - 345 // subnormals and underflow
		case 3:
			e = rng.IntN(20) + 290 // largest normals and overflow
		}
		buf = append(buf, 'e')
		buf = strconv.AppendInt(buf, int64(e), 10)
		s := string(buf)
		if L <= 19 && e > -300 && e < 290 {
			tried++ // comfortably inside the range: Eisel–Lemire's ground
			if !check(s) {
				missed++
			}
		} else {
			check(s)
		}
		// full precision as writers produce it
		x := math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(rng.IntN(2047))<<52)
		check(strconv.FormatFloat(x, 'g', -1, 64))
		check(strconv.FormatFloat(x, 'e', 16, 64))
	}
	if missed*1000 > tried {
		t.Errorf("ScanFloat gave up on %d of %d in-range inputs of ≤ 19 digits; Eisel–Lemire should decide nearly all", missed, tried)
	}
	t.Logf("ScanFloat gave up on %d of %d in-range inputs of ≤ 19 digits", missed, tried)

	// Exact ties n·2^j between two float64 (n odd with 54 bits) and the
	// decimals one unit in the last place either side, for j = −3 … 9
	// (decimal forms of at most 19–20 digits).
	for range n / 10 {
		m := uint64(1)<<53 | rng.Uint64()>>11 | 1
		j := rng.IntN(13) - 3
		f := new(big.Float).SetPrec(200).SetMantExp(new(big.Float).SetUint64(m), j)
		s := f.Text('f', -1)
		s = strings.TrimSuffix(s, ".0")
		check(s)
		d := []byte(s)
		for _, delta := range []int{-1, 1} {
			c := append([]byte(nil), d...)
			bumpLastDigit(c, delta)
			check(string(c))
		}
		// the same tie written with an exponent: digits and e−k
		if !strings.Contains(s, ".") {
			tz := strings.TrimRight(s, "0")
			check(tz + "e" + strconv.Itoa(len(s)-len(tz)))
		}
	}
}

// bumpLastDigit adds delta (±1) to the decimal digits in b, in place,
// ignoring a carry or borrow out of the first digit.
func bumpLastDigit(b []byte, delta int) {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '0' || b[i] > '9' {
			continue
		}
		d := int(b[i]-'0') + delta
		switch {
		case d > 9:
			b[i] = '0'
		case d < 0:
			b[i] = '9'
		default:
			b[i] = byte('0' + d)
			return
		}
	}
}

// TestEiselLemireDirect calls eiselLemire on random (w, q) over the whole
// table, every mantissa size from 1 to 64 bits, against strconv on the
// string "we q".
func TestEiselLemireDirect(t *testing.T) {
	n := 1000000
	if testing.Short() {
		n = 50000
	}
	rng := rand.New(rand.NewPCG(7, 11))
	decided := 0
	var buf []byte
	for i := range n {
		w := rng.Uint64()>>(i%64) | 1
		q := minPow10 + rng.IntN(maxPow10-minPow10+1)
		v, ok := eiselLemire(w, q, false)
		if !ok {
			continue
		}
		decided++
		buf = strconv.AppendUint(buf[:0], w, 10)
		buf = append(buf, 'e')
		buf = strconv.AppendInt(buf, int64(q), 10)
		want, err := strconv.ParseFloat(string(buf), 64)
		if err != nil {
			t.Fatalf("eiselLemire(%d, %d) = %v; strconv says %v", w, q, v, err)
		}
		if math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("eiselLemire(%d, %d) = %v (%#x); strconv = %v (%#x)", w, q, v, math.Float64bits(v), want, math.Float64bits(want))
		}
	}
	if decided < n*9/10 {
		t.Errorf("eiselLemire decided %d of %d; want nearly all (overflow aside)", decided, n)
	}
}

func FuzzEiselLemire(f *testing.F) {
	f.Add(uint64(9007199254740993), int16(0))
	f.Add(uint64(1), int16(23))
	f.Add(uint64(8988465674311579), int16(292))
	f.Add(uint64(49406564584124654), int16(-340))
	f.Add(uint64(45035996273704965), int16(-1))
	f.Fuzz(func(t *testing.T, w uint64, q int16) {
		if w == 0 {
			return
		}
		v, ok := eiselLemire(w, int(q), false)
		if !ok {
			return
		}
		s := strconv.FormatUint(w, 10) + "e" + strconv.Itoa(int(q))
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("eiselLemire(%d, %d) = %v; strconv = %v, %v", w, q, v, want, err)
		}
	})
}

// TestEiselLemireNineteenDigits calls eiselLemire on (w, q) as the parsers
// produce them, w < 10^19 of any size, either sign, q over the whole table
// for half the draws and in −30…30 (ties possible) for the other half,
// against strconv on "we q"; then on exact ties 2^53+1 = 9007199254740993
// (halfway between 2^53 and 2^53+2) and 2^53+3, and their even
// neighbours, scaled by 10^k and written with exponent −k.
func TestEiselLemireNineteenDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	answered := 0
	const n = 300000
	for i := range n {
		w := rng.Uint64() >> rng.IntN(64)
		for w >= 1e19 {
			w /= 10
		}
		if w == 0 {
			w = 1
		}
		q := rng.IntN(maxPow10-minPow10+1) + minPow10
		if i%2 == 0 {
			q = rng.IntN(60) - 30
		}
		s := strconv.FormatUint(w, 10) + "e" + strconv.Itoa(q)
		want, err := strconv.ParseFloat(s, 64)
		got, ok := eiselLemire(w, q, i%3 == 0)
		if !ok {
			continue
		}
		answered++
		if i%3 == 0 {
			want = -want
		}
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("eiselLemire(%d, %d) = %v; strconv %v (%v)", w, q, got, want, err)
		}
	}
	if answered < n*8/10 {
		t.Errorf("answered %d of %d", answered, n)
	}
	for k := range 3 {
		for _, w := range []uint64{9007199254740993, 9007199254740995, 9007199254740992, 9007199254740994} {
			ww := w
			for range k {
				ww *= 10
			}
			s := strconv.FormatUint(ww, 10) + "e" + strconv.Itoa(-k)
			want, _ := strconv.ParseFloat(s, 64)
			if got, ok := eiselLemire(ww, -k, false); ok && got != want {
				t.Errorf("%s: %v; want %v", s, got, want)
			}
		}
	}
}

// TestEightDigits: eightDigits agrees with a byte-by-byte loop on eight
// bytes that are digits or, at random places, bytes next to '0'…'9' in
// ASCII, bytes whose +6 carries (≥ 0xFA) and delimiters.
func TestEightDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const other = ",.e/:\x00\x2f\x3a\x3f\x40\xfa\xff\x30\x39"
	for range 200000 {
		var b [8]byte
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
			if rng.IntN(16) == 0 {
				b[i] = other[rng.IntN(len(other))]
			}
		}
		want, wantOK := uint64(0), true
		for _, c := range b {
			if c < '0' || c > '9' {
				want, wantOK = 0, false
				break
			}
			want = want*10 + uint64(c-'0')
		}
		if got, ok := eightDigits(b[:]); got != want || ok != wantOK {
			t.Fatalf("eightDigits(%q) = %d, %v; want %d, %v", b, got, ok, want, wantOK)
		}
	}
}

// TestScanFloat checks ScanFloat (checkScanFloat: length against
// plainNumber, value against strconv) on fixed edge cases, on prefixes
// followed by what a CSV line holds next, and on 200,000 random strings
// as writers produce them, and requires that the fast methods decide
// most of those.
func TestScanFloat(t *testing.T) {
	zeros := strings.Repeat("0", 10000)
	for _, s := range []string{
		"0", "-0", "+0.0", "9007199254740992", "9007199254740993", "1e22", "1e-22", "123456789012345678e-5",
		"0.000000000000000000001", "4.9e-324", "1.7976931348623157e308", "00012.5000", "1.", ".1", "0e999",
		"", "-", "+", ".", "-.", "e5", ".e5", "1e", "1e+", "1E-", "2e+x", "1.2.3", "1,2", "1.5,2.5\n", "0x10",
		"inf", "NaN", "1_000", " 1", "1 ", "12a", "-.5e-3abc", "1e1000000000000000000000", "1e0000000000000000000001",
		"12345678901234567890", "1234567890123456789", "0.30000000000000000000", "1e400", "-1e400", "1e-400",
	} {
		checkScanFloat(t, s)
	}
	// Decided, and so equal to strconv: strconv stops counting exponent
	// digits once the exponent reaches 10,000, so both of the last two are
	// 0.1 for strconv (not +Inf and 1), and ScanFloat must agree.
	for _, s := range []string{"1.5", "-0e7", "5e-324", "2.2250738585072011e-308", "0." + zeros + "1e100000", "0." + zeros + "1e10001"} {
		if !checkScanFloat(t, s) {
			t.Errorf("ScanFloat(%.30q) did not decide", s)
		}
	}
	// Runs of 0–25 digits, with or without a point, ended by each kind
	// of byte: the eight-at-a-time loop must stop exactly where the digits
	// do.
	for L := range 26 {
		for _, end := range []string{"", ",", ".", "e", "e3", "/", ":", "\xfa", "\xff", "5"} {
			d := strings.Repeat("7", L)
			checkScanFloat(t, d+end)
			checkScanFloat(t, "1"+d+"."+d+end)
			checkScanFloat(t, "0.00"+d+end)
		}
	}
	if v, n, ok := ScanFloat([]byte("-2.5e3,x")); v != -2500 || n != 6 || !ok {
		t.Errorf(`ScanFloat("-2.5e3,x") = %v, %d, %v; want -2500, 6, true`, v, n, ok)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	accepted := 0
	for range 200000 {
		var s string
		switch rng.IntN(3) {
		case 0:
			s = strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)), 'g', -1, 64)
		case 1:
			s = strconv.FormatFloat(rng.Float64()*1e6, 'f', rng.IntN(10), 64)
		default:
			s = strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 10) + "e" + strconv.Itoa(rng.IntN(50)-25)
		}
		if checkScanFloat(t, s) {
			accepted++
		}
		checkScanFloat(t, s+[]string{",", "\n", "e", "E+", ".5", "x"}[rng.IntN(6)])
	}
	if accepted < 190000 {
		t.Errorf("fast methods decided only %d of 200000 strings", accepted)
	}
}

// FuzzScanFloat: on any input, ScanFloat reads the longest number prefix
// and, when it decides, its value is strconv's, bit for bit; the
// whole-cell fastFloat agrees (checkScanFloat).
func FuzzScanFloat(f *testing.F) {
	for _, s := range []string{"1.5", "-0", "-0.42298564231550995", "9007199254740993", "1e22", "0.1", "123.456e-7", "2e+", "1.5,2"} {
		f.Add(s)
	}
	for _, s := range hardFloats {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkScanFloat(t, s) })
}

// BenchmarkScanFloat times ScanFloat alone: per string on the corpora of
// BenchmarkParseFloat (float_bench_test.go), and per line as cli's
// wide-CSV reader calls it, cell after cell in place on lines of a unit
// code, a year and four full-precision values.
func BenchmarkScanFloat(b *testing.B) {
	for _, kind := range []string{"short", "full", "wide"} {
		in := floatCorpus(kind, 4096)
		b.Run(kind, func(b *testing.B) {
			var sink float64
			i := 0
			for b.Loop() {
				v, _, _ := ScanFloat(in[i&4095])
				sink += v
				i++
			}
			_ = sink
		})
	}
	full := floatCorpus("full", 4096)
	lines := make([][]byte, 1024)
	for i := range lines {
		l := strconv.AppendInt(nil, int64(1+i/16), 10)
		l = strconv.AppendInt(append(l, ','), int64(2000+i%16), 10)
		for k := range 4 {
			l = append(append(l, ','), full[(4*i+k)&4095]...)
		}
		lines[i] = l
	}
	b.Run("line", func(b *testing.B) {
		var sink float64
		i := 0
		for b.Loop() {
			l := lines[i&1023]
			for len(l) > 0 {
				v, n, ok := ScanFloat(l)
				if !ok {
					b.Fatalf("ScanFloat(%q) not decided", l)
				}
				sink += v
				l = l[min(n+1, len(l)):]
			}
			i++
		}
		_ = sink
	})
}
