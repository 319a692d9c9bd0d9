package ingest

import (
	"fmt"
	"math"
	"strings"

	"github.com/cityimpact/cityimpact/panel"
)

// MissingSummary counts the missing (NaN) cells of a panel by indicator
// and unit, for validation reports. Each unit has p.T cells per indicator.
type MissingSummary struct {
	Indicators []string
	Units      []panel.Unit
	T          int
	// Missing[i] is the number of missing cells of indicator i over all
	// units; ByUnit[i][u] that of unit u alone.
	Missing []int
	ByUnit  [][]int
}

// Summarise counts the missing cells of every indicator of p.
func Summarise(p *panel.Panel) *MissingSummary {
	s := &MissingSummary{Indicators: p.Indicators(), Units: p.Units, T: p.T}
	for _, name := range s.Indicators {
		col := p.Col(name)
		by := make([]int, p.NUnits())
		total := 0
		for u := range by {
			for _, v := range col[u*p.T : (u+1)*p.T] {
				if math.IsNaN(v) {
					by[u]++
				}
			}
			total += by[u]
		}
		s.Missing = append(s.Missing, total)
		s.ByUnit = append(s.ByUnit, by)
	}
	return s
}

// Share returns the missing share of indicator i: Missing[i] / (units × T),
// 0 for an empty panel.
func (s *MissingSummary) Share(i int) float64 {
	n := len(s.Units) * s.T
	if n == 0 {
		return 0
	}
	return float64(s.Missing[i]) / float64(n)
}

// Imputation names a missing-value treatment.
type Imputation string

const (
	ImputeNone          Imputation = "none"      // leave missing cells missing
	ImputeLinear        Imputation = "linear"    // linear interpolation within a unit, interior gaps only
	ImputeCarryForward  Imputation = "locf"      // last observation carried forward within a unit
	ImputeCarryBackward Imputation = "nocb"      // next observation carried backward within a unit
	ImputeUnitMean      Imputation = "unit-mean" // the unit's mean over its observed periods
	ImputePeerMean      Imputation = "peer-mean" // the period's mean over the unit's peer group
)

// Imputations lists the treatments in the order they are documented.
var Imputations = []Imputation{ImputeNone, ImputeLinear, ImputeCarryForward, ImputeCarryBackward, ImputeUnitMean, ImputePeerMean}

// ParseImputation reads a treatment name as listed in [Imputations]
// (also "carry-forward", "carry-backward", "interpolate").
func ParseImputation(s string) (Imputation, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return ImputeNone, nil
	case "linear", "interpolate":
		return ImputeLinear, nil
	case "locf", "carry-forward", "ffill":
		return ImputeCarryForward, nil
	case "nocb", "carry-backward", "bfill":
		return ImputeCarryBackward, nil
	case "unit-mean":
		return ImputeUnitMean, nil
	case "peer-mean":
		return ImputePeerMean, nil
	}
	return "", fmt.Errorf("ingest: unknown missing-value treatment %q (want none, linear, locf, nocb, unit-mean or peer-mean)", s)
}

// Impute fills the missing cells of the named indicators of p (all when
// names is nil) in place with treatment m and records it in
// p.Imputation[name] (treatments applied in turn are joined with "+";
// peer-mean is recorded as "peer-mean:<attr>"). It returns the number of
// cells filled. Cells the treatment cannot fill stay missing: gaps before
// the first or after the last observation (linear, and locf/nocb at their
// open end), units with no observation (unit-mean), periods where no peer
// is observed (peer-mean).
//
// For a gap between observations y_a at period a and y_b at period b,
// linear gives y_t = y_a + (y_b − y_a)·(t − a)/(b − a). Peer-mean uses the
// groups of unit attribute peerAttr ("region", "tier", "province" or
// "all"; see [panel.Panel.Groups]) and, for unit u in period t, the mean
// of the observed values of u's group in t (computed before filling).
func Impute(p *panel.Panel, names []string, m Imputation, peerAttr string) (int, error) {
	if names == nil {
		names = p.Indicators()
	}
	for _, n := range names {
		if !p.Has(n) {
			return 0, fmt.Errorf("ingest: impute: no indicator %q", n)
		}
	}
	var groups []int32
	var ngroups int
	record := string(m)
	switch m {
	case ImputeNone, ImputeLinear, ImputeCarryForward, ImputeCarryBackward, ImputeUnitMean:
	case ImputePeerMean:
		labels, of, err := p.Groups(peerAttr)
		if err != nil {
			return 0, fmt.Errorf("ingest: impute: %w", err)
		}
		groups, ngroups = of, len(labels)
		if peerAttr == "" {
			peerAttr = "all"
		}
		record += ":" + peerAttr
	default:
		return 0, fmt.Errorf("ingest: unknown missing-value treatment %q", m)
	}
	filled := 0
	T := p.T
	for _, n := range names {
		col := p.Col(n)
		switch m {
		case ImputePeerMean:
			filled += peerMean(col, T, groups, ngroups)
		case ImputeNone:
		default:
			for u := range p.Units {
				filled += imputeSeries(col[u*T:(u+1)*T], m)
			}
		}
		if p.Imputation == nil {
			p.Imputation = map[string]string{}
		}
		switch old := p.Imputation[n]; {
		case old == "" || old == string(ImputeNone):
			p.Imputation[n] = record
		case m != ImputeNone:
			p.Imputation[n] = old + "+" + record
		}
	}
	return filled, nil
}

// imputeSeries fills one unit's series in place and returns the cells filled.
func imputeSeries(y []float64, m Imputation) int {
	filled := 0
	switch m {
	case ImputeLinear:
		last := -1 // index of the last observation
		for t, v := range y {
			if math.IsNaN(v) {
				continue
			}
			if last >= 0 && t-last > 1 {
				ya, yb, span := y[last], v, float64(t-last)
				for k := last + 1; k < t; k++ {
					y[k] = ya + (yb-ya)*float64(k-last)/span
					filled++
				}
			}
			last = t
		}
	case ImputeCarryForward:
		prev := math.NaN()
		for t, v := range y {
			if math.IsNaN(v) {
				if !math.IsNaN(prev) {
					y[t] = prev
					filled++
				}
				continue
			}
			prev = v
		}
	case ImputeCarryBackward:
		next := math.NaN()
		for t := len(y) - 1; t >= 0; t-- {
			if math.IsNaN(y[t]) {
				if !math.IsNaN(next) {
					y[t] = next
					filled++
				}
				continue
			}
			next = y[t]
		}
	case ImputeUnitMean:
		sum, n := 0.0, 0
		for _, v := range y {
			if !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		if n == 0 {
			return 0
		}
		mean := sum / float64(n)
		for t, v := range y {
			if math.IsNaN(v) {
				y[t] = mean
				filled++
			}
		}
	}
	return filled
}

// peerMean fills col (unit-major, T periods) with group-by-period means of
// the observed values.
func peerMean(col []float64, T int, groups []int32, ngroups int) int {
	sum := make([]float64, ngroups*T)
	cnt := make([]int, ngroups*T)
	for u, g := range groups {
		for t, v := range col[u*T : (u+1)*T] {
			if !math.IsNaN(v) {
				sum[int(g)*T+t] += v
				cnt[int(g)*T+t]++
			}
		}
	}
	filled := 0
	for u, g := range groups {
		y := col[u*T : (u+1)*T]
		for t, v := range y {
			if k := int(g)*T + t; math.IsNaN(v) && cnt[k] > 0 {
				y[t] = sum[k] / float64(cnt[k])
				filled++
			}
		}
	}
	return filled
}
