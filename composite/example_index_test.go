package composite_test

import (
	"fmt"
	"math"

	"github.com/cityimpact/cityimpact/composite"
)

// Three cities over two years, two dimensions: equal weights, pooled
// min-max, linear aggregation. A satisfaction floor of 80 vetoes city C in
// 2021 (一票否决), capping its grade.
func ExampleCompute() {
	nan := math.NaN()
	root := &composite.Node{Code: "goal", Children: []*composite.Node{
		{Code: "service", Children: []*composite.Node{
			{Code: "online_rate", Direction: composite.Benefit, Floor: nan},
			{Code: "wait_minutes", Direction: composite.Cost, Floor: nan},
		}},
		{Code: "livelihood", Children: []*composite.Node{
			{Code: "satisfaction", Direction: composite.Benefit, Floor: 80, Target: []float64{90, 90, 90}},
		}},
	}}
	d := &composite.Data{
		Units: []string{"A", "B", "C"}, Periods: []string{"2020", "2021"},
		Values: map[string][]float64{ // rows: A2020, A2021, B2020, B2021, C2020, C2021
			"online_rate":  {60, 70, 80, 85, 90, 95},
			"wait_minutes": {30, 20, 25, 20, 10, 5},
			"satisfaction": {85, 88, 91, 93, 84, 79},
		},
	}
	x, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual})
	if err != nil {
		fmt.Println(err)
		return
	}
	for u, code := range d.Units {
		i := x.Row(u, 1)
		fmt.Printf("%s 2021: score %.3f rank %.0f grade %s veto %v attainment %.0f%% change %+.3f\n",
			code, x.Score[0][i], x.Rank[i], x.Grade[i], x.Veto[i], 100*x.Attainment[i], x.Change[0][i])
	}
	// By hand for A 2021: online (70−60)/35 = 0.2857, wait (30−20)/25 = 0.4,
	// service 0.3429; satisfaction (88−79)/14 = 0.6429; goal 0.4929. In 2020
	// service 0 and satisfaction 6/14, goal 0.2143: change +0.2786.

	// Output:
	// A 2021: score 0.493 rank 3 grade C veto [] attainment 0% change +0.279
	// B 2021: score 0.779 rank 1 grade B veto [] attainment 100% change +0.157
	// C 2021: score 0.500 rank 2 grade D veto [satisfaction] attainment 0% change -0.093
}
