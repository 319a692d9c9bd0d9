package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

// FuzzRoundTrip builds a small panel from the fuzz input (shape, start,
// values as raw float64 bits, so NaN payloads, −0, subnormals and
// infinities all occur) and checks that Import either rejects it with a
// ValidationError (infinities) or stores it so that Load returns the same
// panel.
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(2), uint8(3), uint16(2015), uint8(1), []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f})
	f.Add(uint8(1), uint8(1), uint16(1999), uint8(3), []byte{1, 0, 0, 0, 0, 0, 0xf8, 0x7f}) // NaN with a payload
	f.Add(uint8(3), uint8(2), uint16(2200), uint8(2), []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f}) // +Inf
	s, err := Open("")
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	n := 0
	f.Fuzz(func(t *testing.T, nu, nt uint8, year uint16, fq uint8, data []byte) {
		units := testUnits(int(nu%5) + 1)
		T := int(nt % 13)
		freq := panel.Freq(fq%3 + 1)
		y := panel.MinYear + int(year)%(panel.MaxYear-panel.MinYear+1)
		start := panel.YearPeriod(y)
		switch freq {
		case panel.Quarter:
			start = panel.QuarterPeriod(y, 1)
		case panel.Month:
			start = panel.MonthPeriod(y, 1)
		}
		p := panel.New(units, start, T)
		hasInf := false
		for k := 0; k < 2; k++ {
			c := make([]float64, p.Rows())
			for i := range c {
				j := (k*len(c) + i) * 8
				if j+8 <= len(data) {
					c[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[j:]))
				} else {
					c[i] = math.NaN()
				}
				hasInf = hasInf || math.IsInf(c[i], 0)
			}
			p.Set(fmt.Sprintf("x%d", k), c)
		}
		n++
		name := fmt.Sprintf("f%d", n)
		_, err := s.Import(ctx, ImportSpec{Dataset: name, Panels: []*panel.Panel{p}})
		outOfRange := T > 0 && p.End().Year() > panel.MaxYear
		var ve *ValidationError
		switch {
		case hasInf || outOfRange:
			if !errors.As(err, &ve) {
				t.Fatalf("Import with inf=%v outOfRange=%v = %v; want a ValidationError", hasInf, outOfRange, err)
			}
			return
		case err != nil:
			t.Fatal(err)
		}
		got, err := s.Load(ctx, name, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("Load returned %d panels", len(got))
		}
		if d := samePanel(got[0], p); d != "" {
			t.Fatal(d)
		}
		if err := s.Delete(ctx, name, 1); err != nil {
			t.Fatal(err)
		}
	})
}
