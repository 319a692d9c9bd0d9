package composite

import (
	"errors"
	"fmt"
	"math"
)

// CouplingForm selects the coupling degree C in [Coupling].
type CouplingForm int

const (
	// CouplingStandard: C = (Π_i U_i)^{1/n} / ((1/n) Σ_i U_i), the usual
	// n-system form C = n [Π U_i / (Σ U_i)^n]^{1/n} (for n = 2,
	// C = 2√(U₁U₂)/(U₁+U₂)). The default.
	CouplingStandard CouplingForm = iota
	// CouplingWang: the corrected model of Wang Shujia, Kong Wei et al.
	// (2021), 国内耦合协调度模型的误区及修正, Journal of Natural Resources
	// 36(3):793–810, generalised to n systems as in R package coupling
	// (stscl, vignette ccd.Rmd):
	//   C = √{ [1 − Σ_{i<j} |U_i − U_j| / (n(n−1)/2)] · (Π_i U_i / max U)^{1/(n−1)} }.
	CouplingWang
	// CouplingFan: C = 1 − 2√((n Σ U_i² − (Σ U_i)²)/n²), i.e. one minus
	// twice the population standard deviation of the U_i, as in R package
	// coupling (method "fan").
	CouplingFan
)

var couplingNames = [...]string{"standard", "wang", "fan"}

func (f CouplingForm) String() string {
	if f >= 0 && int(f) < len(couplingNames) {
		return couplingNames[f]
	}
	return fmt.Sprintf("CouplingForm(%d)", int(f))
}

// ErrOutsideUnit: a subsystem score lies outside [0, 1].
var ErrOutsideUnit = errors.New("subsystem score outside [0, 1]")

// Coupling computes, for each row of the subsystem scores u (u[k][i] is
// subsystem k's score U_k ∈ [0, 1] for row i, n = len(u) ≥ 2), the
// coupling degree C (form as selected, clamped to [0, 1]), the
// comprehensive development index T = Σ_k w_k U_k (w nil means equal
// weights; otherwise [CheckWeights]) and the coupling coordination degree
// D = √(C·T). c, t and d may be nil (allocated) and are returned in that
// order. A row with every U_k = 0 gets C = T = D = 0; a row with a missing
// U_k gets NaN. A value outside [0, 1] returns a [*ColumnError] wrapping
// [ErrOutsideUnit]. Classify D with [CoordinationBandOf].
func Coupling(c, t, d []float64, u [][]float64, w []float64, form CouplingForm) (C, T, D []float64, err error) {
	rows := shapeCols(u)
	k := len(u)
	if k < 2 {
		panic("composite: coupling needs at least two subsystems")
	}
	c, t, d = resize(c, rows), resize(t, rows), resize(d, rows)
	w, err = effectiveWeights(w, k, WeightsMustSumToOne)
	if err != nil {
		return c, t, d, err
	}
	for j, col := range u {
		for i, v := range col {
			if v < 0 || v > 1 {
				return c, t, d, colErr("coupling", j, i, ErrOutsideUnit)
			}
		}
	}
	nf := float64(k)
	for i := range rows {
		var sum, ssq, logp, tt float64
		mx := math.Inf(-1)
		missing := false
		for j, col := range u {
			v := col[i]
			if math.IsNaN(v) {
				missing = true
				break
			}
			sum += v
			ssq += v * v
			logp += math.Log(v) // −Inf for a zero: product 0
			tt += w[j] * v
			mx = max(mx, v)
		}
		switch {
		case missing:
			c[i], t[i], d[i] = math.NaN(), math.NaN(), math.NaN()
			continue
		case sum == 0:
			c[i], t[i], d[i] = 0, 0, 0
			continue
		}
		var cc float64
		switch form {
		case CouplingStandard:
			cc = math.Exp(logp/nf) / (sum / nf)
		case CouplingWang:
			var diff float64
			for a := range k {
				for b := a + 1; b < k; b++ {
					diff += math.Abs(u[a][i] - u[b][i])
				}
			}
			prod := math.Exp((logp - nf*math.Log(mx)) / (nf - 1)) // (Π U/max U)^{1/(n−1)}
			cc = math.Sqrt(max(0, 1-diff/(nf*(nf-1)/2)) * prod)
		case CouplingFan:
			cc = 1 - 2*math.Sqrt(max(0, nf*ssq-sum*sum)/(nf*nf))
		default:
			panic(fmt.Sprintf("composite: unknown coupling form %d", int(form)))
		}
		cc = min(max(cc, 0), 1)
		c[i], t[i], d[i] = cc, tt, math.Sqrt(cc*tt)
	}
	return c, t, d, nil
}

// CoordinationBand is one class of the coupling coordination degree D:
// Lo ≤ D < Hi (the last band includes 1).
type CoordinationBand struct {
	Level  int     // 1 (极度失调) … 10 (优质协调)
	Lo, Hi float64 // bounds
	Zh, En string  // names
}

// CoordinationBands is the ten-class table of D in steps of 0.1 that
// Chinese coupling-coordination studies use, following 廖重斌 (Liao
// Chongbin, 1999), 环境与经济协调发展的定量评判及其分类体系——以珠江三角洲城市群为例,
// 热带地理 (Tropical Geography) 19(2):171–177. English names are ours.
var CoordinationBands = [10]CoordinationBand{
	{1, 0.0, 0.1, "极度失调", "extreme imbalance"},
	{2, 0.1, 0.2, "严重失调", "serious imbalance"},
	{3, 0.2, 0.3, "中度失调", "moderate imbalance"},
	{4, 0.3, 0.4, "轻度失调", "mild imbalance"},
	{5, 0.4, 0.5, "濒临失调", "on the verge of imbalance"},
	{6, 0.5, 0.6, "勉强协调", "barely coordinated"},
	{7, 0.6, 0.7, "初级协调", "primary coordination"},
	{8, 0.7, 0.8, "中级协调", "intermediate coordination"},
	{9, 0.8, 0.9, "良好协调", "good coordination"},
	{10, 0.9, 1.0, "优质协调", "high-quality coordination"},
}

// CoordinationBandOf returns the band of D from [CoordinationBands], and
// ok = false for NaN or D outside [0, 1].
func CoordinationBandOf(d float64) (band CoordinationBand, ok bool) {
	if !(d >= 0 && d <= 1) {
		return CoordinationBand{}, false
	}
	for _, b := range CoordinationBands[:9] {
		if d < b.Hi {
			return b, true
		}
	}
	return CoordinationBands[9], true
}
