package evaluation

import (
	"math"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/panel"
)

func TestCompositeTree(t *testing.T) {
	const src = `schema: 1
code: t
name_en: T
goal:
  code: goal
  name_en: Goal
  children:
    - code: d
      name_en: D
      weight: 1
      children:
        - code: x
          name_en: X
          unit: "%"
          direction: "+"
          floor: 10
          target: {default: 50, megacity: 90, west: 30}
        - {code: y, name_en: Y, unit: h, direction: "-"}
`
	fw, err := framework.Load(strings.NewReader(src), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	units := []panel.Unit{{Code: "A", Tier: "megacity", Region: "west"}, {Code: "B", Region: "west"}, {Code: "C", Region: "east"}}
	root := CompositeTree(fw.Goal, units)
	d := root.Children[0]
	x, y := d.Children[0], d.Children[1]
	if !d.HasWeight || d.Weight != 1 || x.Direction != composite.Benefit || y.Direction != composite.Cost || x.Floor != 10 || !math.IsNaN(y.Floor) {
		t.Errorf("converted nodes: d %+v, x %+v, y %+v", d, x, y)
	}
	// Tier before region before the default.
	if want := []float64{90, 30, 50}; len(x.Target) != 3 || x.Target[0] != want[0] || x.Target[1] != want[1] || x.Target[2] != want[2] {
		t.Errorf("targets = %v; want %v", x.Target, want)
	}
	if y.Target != nil {
		t.Errorf("y has targets %v; want none", y.Target)
	}
}
