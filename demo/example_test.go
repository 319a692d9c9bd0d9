package demo_test

import (
	"fmt"
	"math"

	"github.com/cityimpact/cityimpact/demo"
)

// Generate a small panel with a known effect of 5 percentage points on the
// data sharing rate and read the true effect for the first batch.
func ExampleGenerate() {
	o := demo.DefaultOptions(1)
	o.NUnits = 60 // evenly spaced cities of the registry
	o.Effects = []demo.Effect{{Indicator: "data_sharing_rate", Size: 5, Scale: demo.InUnits, Ramp: 2}}
	d, err := demo.Generate(o)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Annual.NUnits(), "units,", d.Annual.NPeriods(), "years,", len(d.Annual.Indicators()), "indicators")
	fmt.Println(d.Monthly.NPeriods(), "months of", len(d.Monthly.Indicators()), "monthly indicators")
	fmt.Println(len(d.Treatments), "pilots, first:", d.Treatments[0].Note)
	for _, e := range []int{-1, 0, 1, 5} {
		att, _ := d.Truth.ATT("data_sharing_rate", 2012, e)
		fmt.Printf("cohort 2012, e=%d: true ATT %.1f\n", e, math.Round(att*2)/2)
	}
	// Output:
	// 60 units, 16 years, 35 indicators
	// 192 months of 7 monthly indicators
	// 33 pilots, first: batch 1 (synthetic assignment)
	// cohort 2012, e=-1: true ATT 0.0
	// cohort 2012, e=0: true ATT 2.5
	// cohort 2012, e=1: true ATT 5.0
	// cohort 2012, e=5: true ATT 5.0
}
