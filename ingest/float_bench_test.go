package ingest

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// floatCorpus returns n decimal strings of one kind, deterministic.
//   - "short": values as statistical tables print them, 0–6 decimals
//     ("1234.56"), the Clinger fast path's ground;
//   - "full": random float64 in realistic ranges (|x| from 1e-3 to 1e9,
//     log-uniform, and standard normals) written with strconv 'g' -1, as
//     R's data.table fwrite and Go write full precision: 15–17 significant
//     digits, the Eisel–Lemire path's ground;
//   - "wide": full-precision values with exponents over the whole float64
//     range, subnormals included ("4.940656458412465e-324").
func floatCorpus(kind string, n int) [][]byte {
	rng := rand.New(rand.NewPCG(2026, 1128))
	out := make([][]byte, n)
	for i := range out {
		var s string
		switch kind {
		case "short":
			s = strconv.FormatFloat(float64(rng.IntN(100000000))/math.Pow10(rng.IntN(7)), 'f', -1, 64)
		case "full":
			x := math.Pow(10, -3+12*rng.Float64())
			if i%2 == 1 {
				x = rng.NormFloat64()
			}
			s = strconv.FormatFloat(x, 'g', -1, 64)
		case "wide":
			s = strconv.FormatFloat(math.Float64frombits(rng.Uint64()&^(1<<63|0x7ff<<52)|uint64(rng.IntN(2046))<<52), 'g', -1, 64)
			if i%16 == 0 {
				s = strconv.FormatFloat(math.Float64frombits(rng.Uint64()>>12), 'g', -1, 64) // subnormal
			}
		default:
			panic("unknown corpus " + kind)
		}
		out[i] = []byte(s)
	}
	return out
}

// BenchmarkParseFloat times one float parse, ns/op per string: parseValue
// (ingest's path: fastFloat, then the checked strconv fallback) against a
// bare strconv.ParseFloat on the same strings.
func BenchmarkParseFloat(b *testing.B) {
	o := &Options{}
	for _, kind := range []string{"short", "full", "wide"} {
		in := floatCorpus(kind, 4096)
		b.Run(kind+"/ingest", func(b *testing.B) {
			var sink float64
			i := 0
			for b.Loop() {
				v, err := parseValue(in[i&4095], o)
				if err != nil {
					b.Fatal(err)
				}
				sink += v
				i++
			}
			_ = sink
		})
		b.Run(kind+"/strconv", func(b *testing.B) {
			var sink float64
			i := 0
			for b.Loop() {
				v, err := strconv.ParseFloat(bstr(in[i&4095]), 64)
				if err != nil {
					b.Fatal(err)
				}
				sink += v
				i++
			}
			_ = sink
		})
	}
}

// BenchmarkBuildPow10Table times the table's construction, paid once at
// package initialisation.
func BenchmarkBuildPow10Table(b *testing.B) {
	var hi, lo [maxPow10 - minPow10 + 1]uint64
	for b.Loop() {
		buildPow10Table(hi[:], lo[:])
	}
}
