package panel

import (
	"fmt"
	"math"
	"sort"
)

// Adoption records that a unit entered a policy programme in period Start
// and, if Exit is set, left it in period Exit (the first period no longer
// treated). Adoption periods may be of a coarser frequency than the panel
// (a pilot announced in 2013 treats every month of 2013 onwards).
type Adoption struct {
	Policy string  `json:"policy"`
	Unit   string  `json:"unit"`
	Start  Period  `json:"start"`
	Exit   *Period `json:"exit,omitempty"`
	Note   string  `json:"note,omitempty"` // e.g. "batch 2", "district pilot"
}

// Policies returns the distinct policy names in p.Treatments, sorted.
func (p *Panel) Policies() []string {
	set := map[string]bool{}
	for _, a := range p.Treatments {
		set[a.Policy] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ValidateTreatments checks that every adoption names a unit of the panel,
// that exits follow starts, and that no unit enters the same policy twice.
func (p *Panel) ValidateTreatments() error {
	seen := map[[2]string]bool{}
	for i, a := range p.Treatments {
		if _, ok := p.UnitIndex(a.Unit); !ok {
			return fmt.Errorf("treatment %d: unknown unit %q", i+1, a.Unit)
		}
		if a.Policy == "" {
			return fmt.Errorf("treatment %d: empty policy name", i+1)
		}
		if a.Exit != nil && startOrd(*a.Exit, p.Freq) <= startOrd(a.Start, p.Freq) {
			return fmt.Errorf("treatment %d: unit %q exits %s before or when it enters %s", i+1, a.Unit, a.Exit, a.Start)
		}
		k := [2]string{a.Policy, a.Unit}
		if seen[k] {
			return fmt.Errorf("treatment %d: unit %q enters policy %q twice", i+1, a.Unit, a.Policy)
		}
		seen[k] = true
	}
	return nil
}

// startOrd returns the ordinal, at frequency f, of the first sub-period of q.
func startOrd(q Period, f Freq) int32 {
	if q.Freq == f || f.PerYear() <= q.Freq.PerYear() {
		c, err := q.To(f)
		if err == nil {
			return c.Ord
		}
		return q.Ord
	}
	// q coarser than f: first sub-period.
	switch {
	case q.Freq == Year && f == Quarter:
		return int32(q.Year() * 4)
	case q.Freq == Year && f == Month:
		return int32(q.Year() * 12)
	case q.Freq == Quarter && f == Month:
		return int32(q.Year()*12 + (q.Sub()-1)*3)
	}
	return q.Ord
}

// Dummy returns the 0/1 treatment indicator of policy for every row of the
// panel: 1 from the adoption period until (not including) the exit period.
func (p *Panel) Dummy(policy string) []float64 {
	d := make([]float64, p.Rows())
	for _, a := range p.Treatments {
		if a.Policy != policy {
			continue
		}
		u, ok := p.UnitIndex(a.Unit)
		if !ok {
			continue
		}
		s := int(startOrd(a.Start, p.Freq) - p.Start.Ord)
		e := p.T
		if a.Exit != nil {
			e = int(startOrd(*a.Exit, p.Freq) - p.Start.Ord)
		}
		for t := max(s, 0); t < min(e, p.T); t++ {
			d[u*p.T+t] = 1
		}
	}
	return d
}

// Cohort returns, per unit, the index (period offset from p.Start, possibly
// negative or ≥ T) of the first treated period of policy, or math.MinInt for
// never-treated units. Callaway–Sant'Anna style "first_treat" columns come
// from p.Period(cohort).
func (p *Panel) Cohort(policy string) []int {
	c := make([]int, len(p.Units))
	for i := range c {
		c[i] = math.MinInt
	}
	for _, a := range p.Treatments {
		if a.Policy != policy {
			continue
		}
		if u, ok := p.UnitIndex(a.Unit); ok {
			c[u] = int(startOrd(a.Start, p.Freq) - p.Start.Ord)
		}
	}
	return c
}
