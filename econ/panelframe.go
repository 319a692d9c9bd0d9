package econ

import (
	"fmt"

	"github.com/cityimpact/cityimpact/panel"
)

// PanelFrame returns a Frame over the rows of p (unit-major, as stored):
// factor columns "unit" (unit codes) and "period" (labels such as "2015",
// "2015Q1"), a float column "year" and "t" (0-based period index), the
// factors "province", "region" and "tier" when any unit has one, and every
// indicator of p as a float column (shared, not copied), with panel keys
// "unit" and "t" ([Frame.SetPanel]). It fails if an
// indicator's name collides with one of those key columns.
func PanelFrame(p *panel.Panel) (*Frame, error) {
	nu, nt := p.NUnits(), p.NPeriods()
	f := NewFrame(nu * nt)
	unit := make([]int32, nu*nt)
	period := make([]int32, nu*nt)
	year := make([]float64, nu*nt)
	tt := make([]float64, nu*nt)
	codes := make([]string, nu)
	for u := range nu {
		codes[u] = p.Units[u].Code
		for t := range nt {
			i := u*nt + t
			unit[i], period[i] = int32(u), int32(t)
			year[i] = float64(p.Period(t).Year())
			tt[i] = float64(t)
		}
	}
	labels := make([]string, nt)
	for t := range nt {
		labels[t] = p.Period(t).String()
	}
	if err := f.AddFactor("unit", unit, codes); err != nil {
		return nil, err
	}
	if err := f.AddFactor("period", period, labels); err != nil {
		return nil, err
	}
	if err := f.AddFloat("year", year); err != nil {
		return nil, err
	}
	if err := f.AddFloat("t", tt); err != nil {
		return nil, err
	}
	for _, attr := range []string{"province", "region", "tier"} {
		lv, of, err := p.Groups(attr)
		if err != nil {
			return nil, err
		}
		if len(lv) == 1 && lv[0] == "" {
			continue
		}
		c := make([]int32, nu*nt)
		for u := range nu {
			g := of[u]
			if lv[g] == "" {
				g = -1
			}
			for t := range nt {
				c[u*nt+t] = g
			}
		}
		if err := f.AddFactor(attr, c, lv); err != nil {
			return nil, err
		}
	}
	for _, name := range p.Indicators() {
		if err := f.AddFloat(name, p.Col(name)); err != nil {
			return nil, fmt.Errorf("econ: panel indicator %q: %w", name, err)
		}
	}
	if err := f.SetPanel("unit", "t"); err != nil {
		return nil, err
	}
	return f, nil
}
