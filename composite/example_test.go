package composite_test

import (
	"fmt"

	"github.com/cityimpact/cityimpact/composite"
)

// Three cities, three indicators (GDP per head, green space share, PM2.5;
// the last is a cost): entropy weights on the min-max normalised matrix,
// then TOPSIS closeness.
func Example() {
	raw := [][]float64{
		{92, 61, 135}, // GDP per head, thousand yuan
		{38, 45, 41},  // green space, %
		{42, 35, 31},  // PM2.5, µg/m³ (cost)
	}
	dirs := []composite.Direction{composite.Benefit, composite.Benefit, composite.Cost}
	norm := make([][]float64, len(raw))
	for j, col := range raw {
		var err error
		norm[j], err = composite.Normaliser{Method: composite.MinMax, Direction: dirs[j]}.Apply(nil, col)
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	w, err := composite.Entropy(nil, norm, composite.EntropyOptions{Shift: 0.01})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := composite.TOPSIS(nil, raw, w, dirs, composite.TOPSISOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("weights   %.3f\n", w)
	fmt.Printf("closeness %.3f\n", c)
	// Output:
	// weights   [0.348 0.346 0.306]
	// closeness [0.367 0.243 0.891]
}

// AHP from a pairwise comparison matrix, with the consistency ratio.
func ExampleAHP() {
	a := [][]float64{
		{1, 3, 5},
		{1.0 / 3, 1, 2},
		{1.0 / 5, 1.0 / 2, 1},
	}
	res, err := composite.AHP(a, composite.AHPOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w = %.4f, λmax = %.4f, CR = %.4f (RI table %s)\n", res.Weights, res.LambdaMax, res.CR, res.Table)
	// Output: w = [0.6483 0.2297 0.1220], λmax = 3.0037, CR = 0.0032 (RI table saaty)
}
