package framework_test

import (
	"fmt"
	"strings"

	"github.com/cityimpact/cityimpact/framework"
)

func Example() {
	f, err := framework.Template("seed-2025")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(f.Leaves()), "indicators in", len(f.Goal.Children), "dimensions")
	sat := f.Find("satisfaction")
	fmt.Println(sat.NameEn, sat.Direction, sat.Freq(), sat.Agg(), "floor", *sat.Floor, "vetoed at 75:", sat.Vetoed(75))
	fmt.Println("dimension:", f.Dimension("satisfaction").NameEn)

	// A user's own file: a typo is reported with its line and key path.
	_, err = framework.Load(strings.NewReader(`code: mine
name_en: Mine
goal:
  code: g
  name_en: G
  children:
    - code: x
      name_en: X
      directon: "+"
      frequency: weekly
`), "mine.yaml")
	fmt.Println(err)
	// Output:
	// 35 indicators in 6 dimensions
	// Residents' satisfaction with smart services + month mean floor 80 vetoed at 75: true
	// dimension: Livelihood
	// mine.yaml:9: goal.children[0].directon: unknown key "directon" (did you mean "direction"?)
	// mine.yaml:10: goal.children[0].frequency: frequency "weekly" of "x": want year, quarter or month
}
