package composite

import (
	"fmt"
	"math"
	"strings"
)

// AggMethod selects how a node of the tree aggregates its children.
type AggMethod int

const (
	// AggLinear: the weighted arithmetic mean Σ_j w_j x_j ([Arithmetic]).
	// The default.
	AggLinear AggMethod = iota
	// AggGeometric: the weighted geometric mean of y_j = 1 + 99 x_j,
	// mapped back, (Π_j y_j^{w_j} − 1)/99, so that a 0 after min-max
	// normalisation does not zero the score (the OECD/JRC Handbook 2008,
	// §6.2, rescales to a positive range before geometric aggregation; a
	// 1–100 range is one of its examples). Needs children in [0, 1].
	AggGeometric
	// AggTOPSIS: the relative closeness of [TOPSIS] (vector normalisation
	// inside, as Hwang & Yoon) on the children, benefit throughout.
	AggTOPSIS
	// AggGRA: Deng's grey relational grade of [GreyRelational], ρ = 0.5.
	AggGRA
)

var aggNames = [...]string{"linear", "geometric", "topsis", "gra"}

// String returns the method's name, e.g. "linear".
func (a AggMethod) String() string { return enumName(aggNames[:], a, "agg") }

// enumName returns names[v], or kind(v) for a value outside names: the
// String method of the package's small enums.
func enumName[E ~int](names []string, v E, kind string) string {
	if v >= 0 && int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", kind, int(v))
}

// ParseAggMethod reads linear (arithmetic), geometric, topsis or gra.
func ParseAggMethod(s string) (AggMethod, error) {
	switch strings.ToLower(s) {
	case "linear", "arithmetic", "wsm", "":
		return AggLinear, nil
	case "geometric", "wpm":
		return AggGeometric, nil
	case "topsis":
		return AggTOPSIS, nil
	case "gra", "grey":
		return AggGRA, nil
	}
	return 0, fmt.Errorf("unknown aggregation %q (want linear, geometric, topsis or gra)", s)
}

// MissingRule says what the index does with a missing normalised value.
type MissingRule int

const (
	// MissingReweight: a node aggregates the children it has, their
	// weights rescaled to sum to 1 (COINr's default for a_amean with
	// missing data). A node with no child present is missing. The default.
	MissingReweight MissingRule = iota
	// MissingNone: a missing child makes the node missing.
	MissingNone
	// MissingPeriodMean: a missing normalised value is replaced by the
	// mean of its indicator over the units of the same period.
	MissingPeriodMean
	// MissingUnitMean: replaced by the unit's own mean over the periods it
	// has, or the period mean when it has none.
	MissingUnitMean
)

var missingNames = [...]string{"reweight", "none", "period-mean", "unit-mean"}

// String returns the rule's name, e.g. "reweight".
func (m MissingRule) String() string { return enumName(missingNames[:], m, "missing") }

// ParseMissingRule reads reweight, none, period-mean or unit-mean.
func ParseMissingRule(s string) (MissingRule, error) {
	for i, n := range missingNames {
		if strings.EqualFold(s, n) {
			return MissingRule(i), nil
		}
	}
	if s == "" {
		return MissingReweight, nil
	}
	return 0, fmt.Errorf("unknown missing-value rule %q (want reweight, none, period-mean or unit-mean)", s)
}

// nodeStats holds the statistics of one node's aggregation over one scope
// group of rows, frozen so that any single row (also a hypothetical one,
// for contributions) can be scored alone.
type nodeStats struct {
	hi, lo []float64 // TOPSIS: ideal and anti-ideal of r; GRA: column max and min
	scale  []float64 // TOPSIS: 1/‖x‖₂; GRA: 1/(max − min), 0 if constant
	dmax   float64   // GRA: Δmax over the node's matrix (Δmin is 0)
}

// prepare computes st for children columns cols over rows (nil: all rows).
func prepareNode(agg AggMethod, cols [][]float64, rows []int, st *nodeStats) {
	k := len(cols)
	if agg != AggTOPSIS && agg != AggGRA {
		return
	}
	if cap(st.hi) < k {
		st.hi, st.lo, st.scale = make([]float64, k), make([]float64, k), make([]float64, k)
	}
	st.hi, st.lo, st.scale = st.hi[:k], st.lo[:k], st.scale[:k]
	st.dmax = 0
	for j, c := range cols {
		lo, hi, ss := math.Inf(1), math.Inf(-1), 0.0
		visit := func(v float64) {
			if math.IsNaN(v) {
				return
			}
			lo, hi = min(lo, v), max(hi, v)
			ss += v * v
		}
		if rows == nil {
			for _, v := range c {
				visit(v)
			}
		} else {
			for _, i := range rows {
				visit(c[i])
			}
		}
		switch agg {
		case AggTOPSIS:
			s := 0.0
			if ss > 0 {
				s = 1 / math.Sqrt(ss)
			}
			st.scale[j], st.hi[j], st.lo[j] = s, hi*s, lo*s
			if math.IsInf(hi, 0) { // all missing in the group
				st.hi[j], st.lo[j] = math.NaN(), math.NaN()
			}
		case AggGRA:
			st.hi[j], st.lo[j], st.scale[j] = hi, lo, 0
			if hi > lo {
				st.scale[j] = 1 / (hi - lo)
				st.dmax = 1 // the largest Δ of a non-constant min-max column
			}
		}
	}
}

// evalNode scores one row from its children's values vals with weights w.
func evalNode(agg AggMethod, vals, w []float64, st *nodeStats, miss MissingRule, rho float64) float64 {
	sw := 0.0
	for j, v := range vals {
		if math.IsNaN(v) {
			if w[j] > 0 && miss == MissingNone {
				return math.NaN()
			}
			continue
		}
		sw += w[j]
	}
	if sw <= 0 {
		return math.NaN()
	}
	switch agg {
	case AggLinear:
		s := 0.0
		for j, v := range vals {
			if !math.IsNaN(v) {
				s += w[j] * v
			}
		}
		return s / sw
	case AggGeometric:
		s := 0.0
		for j, v := range vals {
			if !math.IsNaN(v) && w[j] > 0 {
				s += w[j] * math.Log(1+99*v)
			}
		}
		return (math.Exp(s/sw) - 1) / 99
	case AggTOPSIS:
		dp, dm := 0.0, 0.0
		for j, v := range vals {
			if math.IsNaN(v) || w[j] == 0 {
				continue
			}
			r := v * st.scale[j]
			wj := w[j] / sw
			dp += wj * wj * (r - st.hi[j]) * (r - st.hi[j])
			dm += wj * wj * (r - st.lo[j]) * (r - st.lo[j])
		}
		dp, dm = math.Sqrt(dp), math.Sqrt(dm)
		if dp+dm == 0 {
			return math.NaN()
		}
		return dm / (dp + dm)
	case AggGRA:
		s := 0.0
		for j, v := range vals {
			if math.IsNaN(v) || w[j] == 0 {
				continue
			}
			r := 1.0
			if st.scale[j] > 0 {
				r = (v - st.lo[j]) * st.scale[j]
			}
			xi := 1.0
			if st.dmax > 0 {
				xi = rho * st.dmax / (math.Abs(1-r) + rho*st.dmax)
			}
			s += w[j] * xi
		}
		return s / sw
	}
	panic(fmt.Sprintf("composite: unknown aggregation %d", int(agg)))
}
