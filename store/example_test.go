package store_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"

	"github.com/cityimpact/cityimpact/panel"
	"github.com/cityimpact/cityimpact/store"
)

func Example() {
	ctx := context.Background()
	s, err := store.Open(":memory:") // or a file path such as cityimpact-data/cityimpact.duckdb
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	units := []panel.Unit{
		{Code: "330100", NameZh: "杭州市", NameEn: "Hangzhou", Province: "浙江省", Region: "east"},
		{Code: "510100", NameZh: "成都市", NameEn: "Chengdu", Province: "四川省", Region: "west"},
	}
	p := panel.New(units, panel.YearPeriod(2012), 3)
	p.Set("broadband", []float64{30, 41, math.NaN(), 25, 33, 40})
	p.Treatments = []panel.Adoption{{Policy: "smart-city", Unit: "330100", Start: panel.YearPeriod(2013)}}

	v, err := s.Import(ctx, store.ImportSpec{Dataset: "demo", Panels: []*panel.Panel{p}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stored %s version %d: %d cells, %d missing\n", v.Dataset, v.Version, v.Cells, v.Missing)

	panels, err := s.Load(ctx, "demo", 0) // 0: the latest version
	if err != nil {
		log.Fatal(err)
	}
	q := panels[0]
	fmt.Println(q.Freq, q.Start, q.End(), q.Series("broadband", 0), q.Treatments[0].Policy)

	if err := s.Export(ctx, os.Stdout, "demo", 1, store.ExportOptions{Wide: true}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// stored demo version 1: 6 cells, 1 missing
	// year 2012 2014 [30 41 NaN] smart-city
	// unit,period,broadband
	// 330100,2012,30
	// 330100,2013,41
	// 330100,2014,
	// 510100,2012,25
	// 510100,2013,33
	// 510100,2014,40
}
