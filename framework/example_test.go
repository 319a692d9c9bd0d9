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
`), "mine.yaml")
	fmt.Println(err)
	// Output:
	// 35 indicators in 6 dimensions
	// Residents' satisfaction with smart services + month mean floor 80 vetoed at 75: true
	// dimension: Livelihood
	// mine.yaml:7: goal.children[0].direction: indicator "x" has no direction: add direction: higher (or "+") or lower ("-"), or unknown if the source does not say
	// mine.yaml:9: goal.children[0].directon: unknown key "directon" (did you mean "direction"?)
}
