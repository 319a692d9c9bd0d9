package econ

import (
	"fmt"
	"math"
	"slices"
)

// panelIndex locates rows of a panel by unit and period: the period of a
// row is the rank of its time value among the distinct time values of the
// frame, so consecutive distinct values are adjacent periods (see
// [Frame.SetPanel]). Rows with a missing unit or time have no neighbours.
type panelIndex struct {
	unit, rank []int32 // per row; -1 = missing
	ntime      int
	at         map[int64]int32 // (unit, rank) → row
}

// panelIndex builds the index of the frame's panel keys. A unit observed
// twice in one period is an error: lags would be ambiguous.
func (f *Frame) panelIndex() (*panelIndex, error) {
	uname, tname, ok := f.PanelKeys()
	if !ok {
		return nil, fmt.Errorf("econ: lags, leads and differences need panel keys: set Options.PanelID or Frame.SetPanel")
	}
	unit, _, _ := f.groups(uname)
	tcode, _, _ := f.groups(tname) // codes follow the order of time values
	p := &panelIndex{unit: unit, rank: tcode, at: make(map[int64]int32, len(unit))}
	for _, c := range tcode {
		p.ntime = max(p.ntime, int(c)+1)
	}
	for i := range unit {
		if unit[i] < 0 || tcode[i] < 0 {
			continue
		}
		key := int64(unit[i])*int64(p.ntime) + int64(tcode[i])
		if j, dup := p.at[key]; dup {
			return nil, fmt.Errorf("econ: panel keys %q and %q: rows %d and %d have the same unit and period", uname, tname, j+1, i+1)
		}
		p.at[key] = int32(i)
	}
	return p, nil
}

// shift returns, for each row, the row of the same unit k periods earlier
// (k > 0, a lag) or −k periods later (k < 0, a lead), or −1.
func (p *panelIndex) shift(k int) []int32 {
	out := make([]int32, len(p.unit))
	for i := range out {
		out[i] = -1
		if p.unit[i] < 0 || p.rank[i] < 0 {
			continue
		}
		t := int(p.rank[i]) - k
		if t < 0 || t >= p.ntime {
			continue
		}
		if j, ok := p.at[int64(p.unit[i])*int64(p.ntime)+int64(t)]; ok {
			out[i] = j
		}
	}
	return out
}

// shifted returns x moved along src (x[src[i]], NaN where src[i] < 0).
func shifted(x []float64, src []int32) []float64 {
	out := make([]float64, len(x))
	for i, j := range src {
		if j < 0 {
			out[i] = math.NaN()
		} else {
			out[i] = x[j]
		}
	}
	return out
}

// lagName is fixest's coefficient name of l(x, k) / f(x, k): "l(x, 1)",
// "f(x, 2)"; a shift by 0 is x itself and a negative lag is named as the
// lead (l(x, -1) is "f(x, 1)", f(x, -1) is "l(x, 1)"), as fixest 0.12.2
// names them.
func lagName(fn, inner string, k int) string {
	if k == 0 {
		return inner
	}
	if k < 0 {
		k = -k
		if fn == "l" {
			fn = "f"
		} else {
			fn = "l"
		}
	}
	return fmt.Sprintf("%s(%s, %d)", fn, inner, k)
}

// lagRange expands the lag argument of l(x, a:b) into a..b.
func lagRange(a, b int) []int {
	var ks []int
	if a <= b {
		for k := a; k <= b; k++ {
			ks = append(ks, k)
		}
	} else {
		for k := a; k >= b; k-- {
			ks = append(ks, k)
		}
	}
	return slices.Clip(ks)
}
