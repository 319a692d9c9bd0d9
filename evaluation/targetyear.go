package evaluation

import (
	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/panel"
)

// firstPeriodFrom returns the index of p's first period in year y or
// later: 0 when y is 0 (no restriction), p.NPeriods() when every period
// is earlier.
func firstPeriodFrom(p *panel.Panel, y int) int {
	if y == 0 {
		return 0
	}
	T := p.NPeriods()
	for t := range T {
		if p.Period(t).Year() >= y {
			return t
		}
	}
	return T
}

// SetTargetFrom sets composite.Node.TargetFrom on every indicator of c
// that has a target: the index of the first period of p whose year is at
// least the later of the framework indicator's target_from (the year its
// standard takes effect) and from (a spec's peers.targets_from; 0 for
// none). Earlier periods then count no target in the attainment rate
// 达标率 and the U4SSC points: a 2025 requirement is not missed in 2021.
// Indicators absent from fw keep their TargetFrom.
func SetTargetFrom(c *composite.Node, fw *framework.Framework, p *panel.Panel, from int) {
	if !c.IsIndicator() {
		for _, k := range c.Children {
			SetTargetFrom(k, fw, p, from)
		}
		return
	}
	n := fw.Find(c.Code)
	if c.Target == nil || n == nil {
		return
	}
	c.TargetFrom = firstPeriodFrom(p, max(n.TargetFrom, from))
}
