package econ_test

import (
	"fmt"

	"github.com/cityimpact/cityimpact/econ"
)

// Two-way fixed effects on a tiny city panel: 3 cities × 4 years, the
// policy switches on for city B from 2017. The outcome is built as
// city effect + year effect + 2·policy + x, so the estimate is exactly 2.
func Example() {
	city := []string{"A", "A", "A", "A", "B", "B", "B", "B", "C", "C", "C", "C"}
	year := []float64{2015, 2016, 2017, 2018, 2015, 2016, 2017, 2018, 2015, 2016, 2017, 2018}
	policy := []float64{0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0}
	x := []float64{0.3, 0.1, 0.5, 0.2, 0.7, 0.4, 0.6, 0.9, 0.2, 0.8, 0.1, 0.5}
	y := make([]float64, len(city))
	for i := range y {
		cityEffect := map[string]float64{"A": 10, "B": 12, "C": 9}[city[i]]
		y[i] = cityEffect + 0.5*(year[i]-2015) + 2*policy[i] + x[i]
	}
	data := econ.NewFrame(len(y))
	data.AddStrings("city", city)
	data.AddFloat("year", year)
	data.AddFloat("policy", policy)
	data.AddFloat("x", x)
	data.AddFloat("y", y)

	res, err := econ.Estimate(data, "y ~ policy + x | city + year", econ.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Coefs {
		fmt.Printf("%s %.4f\n", c.Name, c.Estimate)
	}
	fmt.Println(res.NObs, res.VCovType)
	// Output:
	// policy 2.0000
	// x 1.0000
	// 12 cluster(city)
}
