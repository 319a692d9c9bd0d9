package evaluation

import (
	"math"

	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/panel"
)

// CompositeTree converts a framework tree into composite's own tree for
// units: directions, floors, expert weights and per-unit targets. A
// per-group target applies to a unit whose tier, region, province or code
// (checked in that order) is a listed group, else the default target;
// units with neither get NaN.
func CompositeTree(n *framework.Node, units []panel.Unit) *composite.Node {
	c := &composite.Node{Code: n.Code, Floor: math.NaN(), Weight: math.NaN()}
	if n.Weight != nil {
		c.Weight, c.HasWeight = *n.Weight, true
	}
	if !n.IsIndicator() {
		c.Children = []*composite.Node{}
		for _, k := range n.Children {
			c.Children = append(c.Children, CompositeTree(k, units))
		}
		return c
	}
	switch n.Direction {
	case framework.Higher:
		c.Direction = composite.Benefit
	case framework.Lower:
		c.Direction = composite.Cost
	}
	if n.Floor != nil {
		c.Floor = *n.Floor
	}
	if n.Target != nil {
		c.Target = make([]float64, len(units))
		for u, un := range units {
			c.Target[u] = math.NaN()
			found := false
			for _, key := range []string{un.Tier, un.Region, un.Province, un.Code} {
				for _, g := range n.Target.Groups {
					if key != "" && g.Group == key && !found {
						c.Target[u], found = g.Value, true
					}
				}
			}
			if !found {
				if v, ok := n.Target.For(""); ok {
					c.Target[u] = v
				}
			}
		}
	}
	return c
}
