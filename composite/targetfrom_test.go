package composite_test

import (
	"slices"
	"testing"

	"github.com/cityimpact/cityimpact/composite"
)

// TestTargetFrom: a target in force from a later period counts neither in
// the attainment rate nor in the U4SSC points of earlier rows, and leaves
// the scores alone. Worked on small() (see TestIndexSmall) with i3's
// target applying from 2021 (period index 1).
func TestTargetFrom(t *testing.T) {
	root, d := small()
	base, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual})
	if err != nil {
		t.Fatal(err)
	}
	i3 := root.Children[1].Children[0]
	i3.TargetFrom = 1
	x, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual})
	if err != nil {
		t.Fatal(err)
	}
	// 2020 rows (0, 2, 4) judge i1 ≥ 5 and i2 ≤ 1 only:
	//   u0t0 0, 4 → 0/2; u1t0 10, 0 → 2/2; u2t0 5, 2 → 1/2.
	// 2021 rows (1, 3, 5) as in TestIndexSmall: 2/3, 1/3, 1/3.
	wantMet := []int{0, 2, 2, 1, 1, 1}
	wantTargeted := []int{2, 3, 2, 3, 2, 3}
	for i := range wantMet {
		if x.Met[i] != wantMet[i] || x.Targeted[i] != wantTargeted[i] ||
			!near(x.Attainment[i], float64(wantMet[i])/float64(wantTargeted[i])) {
			t.Errorf("row %d: attainment %d/%d = %v; want %d/%d", i, x.Met[i], x.Targeted[i], x.Attainment[i], wantMet[i], wantTargeted[i])
		}
	}
	// U4SSC: u0t0 i1 1 + i2 1 = 2 from 2 (i3 excluded); u1t0 4 + 4 = 8
	// from 2; u2t1 unchanged, 8 from 3.
	for row, w := range map[int][2]int{0: {2, 2}, 2: {8, 2}, 5: {8, 3}} {
		if x.U4SSC.Total[row] != w[0] || x.U4SSC.Scored[row] != w[1] {
			t.Errorf("row %d: U4SSC %d from %d; want %d from %d", row, x.U4SSC.Total[row], x.U4SSC.Scored[row], w[0], w[1])
		}
	}
	if !slices.Contains(x.U4SSC.Excluded[0], "i3") || slices.Contains(x.U4SSC.Excluded[1], "i3") {
		t.Errorf("U4SSC excluded %v (2020), %v (2021); want i3 in 2020 only", x.U4SSC.Excluded[0], x.U4SSC.Excluded[1])
	}
	for i := range x.Score[0] {
		if !near(x.Score[0][i], base.Score[0][i]) {
			t.Errorf("row %d: goal %v, without TargetFrom %v; want unchanged", i, x.Score[0][i], base.Score[0][i])
		}
	}
	// A target from beyond the data is never assessed.
	i3.TargetFrom = 2
	x, err = composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual})
	if err != nil {
		t.Fatal(err)
	}
	if x.Targeted[1] != 2 || x.Targeted[5] != 2 {
		t.Errorf("targeted %v; want 2 in every row", x.Targeted)
	}
	i3.TargetFrom = -1
	if _, err := composite.Compute(root, d, composite.IndexOptions{Weighting: composite.WeightEqual}); err == nil {
		t.Error("TargetFrom −1 accepted")
	}
}
