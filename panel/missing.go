package panel

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Imputation methods for [Panel.Impute].
const (
	ImputeNone     = "none"
	ImputeLinear   = "linear"   // linear interpolation between a unit's neighbouring observed periods; no extrapolation
	ImputeForward  = "forward"  // last observation carried forward
	ImputeBackward = "backward" // next observation carried backward
	ImputeNearest  = "forward+backward"
	ImputeUnitMean = "unit-mean" // the unit's mean over observed periods
	ImputePeerMean = "peer-mean" // the mean of the unit's peer group (by a unit attribute) in the same period
)

// ImputeMethods lists the accepted method names.
var ImputeMethods = []string{ImputeNone, ImputeLinear, ImputeForward, ImputeBackward, ImputeNearest, ImputeUnitMean, ImputePeerMean}

// ImputeOptions choose a missing-value treatment.
type ImputeOptions struct {
	Method string
	// Peer is the unit attribute defining peer groups for peer-mean
	// (region, tier, province; default region).
	Peer string
	// Indicators restricts imputation to these names (default all).
	Indicators []string
}

// Impute fills missing cells in place by opts.Method and records the method
// (with the peer attribute for peer-mean) in p.Imputation. It returns, per
// indicator, the number of cells filled. Cells that the method cannot fill
// (a unit with no observation at all, the ends of a series for linear)
// stay missing.
func (p *Panel) Impute(opts ImputeOptions) (map[string]int, error) {
	m := opts.Method
	switch m { // aliases analysts use
	case "":
		m = ImputeNone
	case "interpolate":
		m = ImputeLinear
	case "locf", "ffill", "carry-forward":
		m = ImputeForward
	case "nocb", "bfill", "carry-backward":
		m = ImputeBackward
	}
	known := false
	for _, k := range ImputeMethods {
		known = known || k == m
	}
	if !known {
		return nil, fmt.Errorf("unknown missing-value treatment %q (want one of %s)", m, strings.Join(ImputeMethods, ", "))
	}
	names := opts.Indicators
	if names == nil {
		names = p.names
	}
	for _, n := range names {
		if !p.Has(n) {
			return nil, fmt.Errorf("impute: no indicator %q", n)
		}
	}
	var groupOf []int32
	var ngroups int
	record := m
	if m == ImputePeerMean {
		attr := opts.Peer
		if attr == "" {
			attr = "region"
		}
		labels, of, err := p.Groups(attr)
		if err != nil {
			return nil, err
		}
		groupOf, ngroups = of, len(labels)
		record = m + ":" + attr
	}
	filled := make(map[string]int, len(names))
	if p.Imputation == nil {
		p.Imputation = map[string]string{}
	}
	for _, n := range names {
		c := p.Col(n)
		var k int
		switch m {
		case ImputeNone:
		case ImputePeerMean:
			k = imputePeer(c, p.T, groupOf, ngroups)
		default:
			for u := range p.Units {
				k += imputeSeries(c[u*p.T:(u+1)*p.T], m)
			}
		}
		filled[n] = k
		if m != ImputeNone { // treatments applied in turn are joined with "+"
			if prev := p.Imputation[n]; prev != "" {
				p.Imputation[n] = prev + "+" + record
			} else {
				p.Imputation[n] = record
			}
		}
	}
	return filled, nil
}

func imputeSeries(s []float64, m string) int {
	n := 0
	switch m {
	case ImputeLinear:
		prev := -1
		for t, v := range s {
			if math.IsNaN(v) {
				continue
			}
			if prev >= 0 && t-prev > 1 {
				a, b := s[prev], v
				for i := prev + 1; i < t; i++ {
					w := float64(i-prev) / float64(t-prev)
					s[i] = a + w*(b-a)
					n++
				}
			}
			prev = t
		}
	case ImputeForward, ImputeNearest:
		last := math.NaN()
		for t, v := range s {
			if math.IsNaN(v) {
				if !math.IsNaN(last) {
					s[t] = last
					n++
				}
			} else {
				last = v
			}
		}
		if m == ImputeNearest {
			n += imputeSeries(s, ImputeBackward)
		}
	case ImputeBackward:
		next := math.NaN()
		for t := len(s) - 1; t >= 0; t-- {
			if math.IsNaN(s[t]) {
				if !math.IsNaN(next) {
					s[t] = next
					n++
				}
			} else {
				next = s[t]
			}
		}
	case ImputeUnitMean:
		var sum float64
		var cnt int
		for _, v := range s {
			if !math.IsNaN(v) {
				sum += v
				cnt++
			}
		}
		if cnt == 0 {
			return 0
		}
		mean := sum / float64(cnt)
		for t, v := range s {
			if math.IsNaN(v) {
				s[t] = mean
				n++
			}
		}
	}
	return n
}

// imputePeer fills each missing cell with the mean of the observed values of
// the same period in the unit's group, computed before any cell is filled.
func imputePeer(c []float64, T int, groupOf []int32, ng int) int {
	sum := make([]float64, ng*T)
	cnt := make([]int, ng*T)
	for u, g := range groupOf {
		for t := 0; t < T; t++ {
			if v := c[u*T+t]; !math.IsNaN(v) {
				sum[int(g)*T+t] += v
				cnt[int(g)*T+t]++
			}
		}
	}
	n := 0
	for u, g := range groupOf {
		for t := 0; t < T; t++ {
			if i := u*T + t; math.IsNaN(c[i]) && cnt[int(g)*T+t] > 0 {
				c[i] = sum[int(g)*T+t] / float64(cnt[int(g)*T+t])
				n++
			}
		}
	}
	return n
}

// Missingness summarises missing cells of one indicator or one unit.
type Missingness struct {
	Key     string  `json:"key"` // indicator name or unit code
	Cells   int     `json:"cells"`
	Missing int     `json:"missing"`
	Share   float64 `json:"share"`
	// LongestGap is the longest run of consecutive missing periods within a
	// unit (for an indicator: over all units).
	LongestGap int `json:"longest_gap"`
}

// MissingByIndicator returns one summary per indicator, in panel order.
func (p *Panel) MissingByIndicator() []Missingness {
	out := make([]Missingness, len(p.names))
	for i, n := range p.names {
		c := p.cols[i]
		m := Missingness{Key: n, Cells: len(c)}
		for u := range p.Units {
			miss, gap := runStats(c[u*p.T : (u+1)*p.T])
			m.Missing += miss
			m.LongestGap = max(m.LongestGap, gap)
		}
		if m.Cells > 0 {
			m.Share = float64(m.Missing) / float64(m.Cells)
		}
		out[i] = m
	}
	return out
}

// MissingByUnit returns one summary per unit over all indicators, sorted by
// descending missing share (then code).
func (p *Panel) MissingByUnit() []Missingness {
	out := make([]Missingness, len(p.Units))
	for u, unit := range p.Units {
		m := Missingness{Key: unit.Code, Cells: p.T * len(p.cols)}
		for _, c := range p.cols {
			miss, gap := runStats(c[u*p.T : (u+1)*p.T])
			m.Missing += miss
			m.LongestGap = max(m.LongestGap, gap)
		}
		if m.Cells > 0 {
			m.Share = float64(m.Missing) / float64(m.Cells)
		}
		out[u] = m
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Share != out[j].Share {
			return out[i].Share > out[j].Share
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func runStats(s []float64) (missing, longest int) {
	run := 0
	for _, v := range s {
		if math.IsNaN(v) {
			missing++
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return missing, longest
}
