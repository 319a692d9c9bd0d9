package composite_test

import (
	"fmt"

	"github.com/cityimpact/cityimpact/composite"
)

// Two Delphi rounds of three experts scoring four indicators on 1–9: the
// experts converge, and the second round meets the CV rule. By hand: round
// 1's rank sums are 7, 6, 9, 8, so W = 12·5/(3²·(4³−4)) = 1/9; item I1's
// scores 3, 9, 5 give CV = √(28/3)/(17/3) = 0.539; round 2's largest CV is
// I2's (6, 7, 5): 1/6.
func ExampleDelphi() {
	var recs []composite.ExpertScore
	rounds := [][][]float64{
		{{3, 5, 7, 9}, {9, 7, 5, 3}, {5, 3, 9, 7}}, // round 1, expert × item
		{{5, 6, 7, 9}, {5, 7, 6, 9}, {6, 5, 7, 9}}, // round 2
	}
	for r, tab := range rounds {
		for e, row := range tab {
			for i, s := range row {
				recs = append(recs, composite.ExpertScore{Round: r + 1, Expert: fmt.Sprint("E", e+1), Item: fmt.Sprint("I", i+1), Score: s})
			}
		}
	}
	res, err := composite.Delphi(recs, composite.DelphiOptions{})
	if err != nil {
		panic(err)
	}
	for _, rd := range res.Rounds {
		fmt.Printf("round %d: W = %.3f, max CV = %.3f, stop = %v\n", rd.Round, rd.Concordance.W, rd.MaxCV, rd.Stop)
	}
	for _, it := range res.Final() {
		fmt.Printf("%s mean %.2f median %.0f IQR %.1f\n", it.Item, it.Mean, it.Median, it.IQR)
	}
	// Output:
	// round 1: W = 0.111, max CV = 0.539, stop = false
	// round 2: W = 0.778, max CV = 0.167, stop = true
	// I1 mean 5.33 median 5 IQR 0.5
	// I2 mean 6.00 median 6 IQR 1.0
	// I3 mean 6.67 median 7 IQR 0.5
	// I4 mean 9.00 median 9 IQR 0.0
}
