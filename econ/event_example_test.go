package econ_test

import (
	"fmt"
	"math"

	"github.com/cityimpact/cityimpact/econ"
)

// An event study on a small panel: 6 cities over 2015–2020, three adopting
// in 2018 and three never. The outcome rises by 1 in the adoption year and
// by 2 afterwards, on top of city and year effects and a little noise, so
// the dynamic effects relative to 2017 (the reference, −1) are about
// 0, 0, 1, 2, 2.
func ExampleEstimateEventStudy() {
	cities := []string{"A", "B", "C", "D", "E", "F"}
	var city []string
	var year, cohort, y []float64
	for c, name := range cities {
		first := math.NaN() // never treated
		if c < 3 {
			first = 2018
		}
		for t := 2015; t <= 2020; t++ {
			effect := 0.0
			switch {
			case float64(t) == first:
				effect = 1
			case float64(t) > first:
				effect = 2
			}
			city = append(city, name)
			year = append(year, float64(t))
			cohort = append(cohort, first)
			y = append(y, float64(c)+0.3*float64(t-2015)+effect+0.01*float64((c*7+t)%5))
		}
	}
	data := econ.NewFrame(len(y))
	data.AddStrings("city", city)
	data.AddFloat("year", year)
	data.AddFloat("first_year", cohort)
	data.AddFloat("y", y)

	es, err := econ.EstimateEventStudy(data, econ.EventSpec{Outcome: "y", Unit: "city", Time: "year", Cohort: "first_year"}, econ.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range es.Points {
		// Rounded to the printed digits, + 0 turning a rounding-noise −0
		// (the true lead effects are zero) into 0.
		fmt.Printf("%2d %5.2f ref=%v\n", p.RelTime, math.Round(p.Estimate*100)/100+0, p.Ref)
	}
	fmt.Println("pre-trend test on", es.PreTrend.Q, "leads")
	// Output:
	// -3  0.00 ref=false
	// -2 -0.02 ref=false
	// -1  0.00 ref=true
	//  0  0.98 ref=false
	//  1  2.00 ref=false
	//  2  2.00 ref=false
	// pre-trend test on 2 leads
}
