package evaluation

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Num is a float64 that serialises to JSON as the shortest decimal that
// reads back to the same bits, and NaN or ±Inf as null, so results.json is
// exact, valid JSON and byte-identical across runs.
type Num float64

// NaN is the missing Num.
func NaN() Num { return Num(math.NaN()) }

// Valid reports whether n is a finite number.
func (n Num) Valid() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.Valid() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler; null reads as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*n = NaN()
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*n = Num(v)
	return nil
}

// nums converts a float64 slice.
func nums(x []float64) []Num {
	out := make([]Num, len(x))
	for i, v := range x {
		out[i] = Num(v)
	}
	return out
}

// numPtr returns a pointer to Num(v).
func numPtr(v float64) *Num { n := Num(v); return &n }

// JSON returns results.json: r indented, ending in a newline. Two runs on
// the same inputs give the same bytes except for Generated.
func (r *Results) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
