package ingest_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cityimpact/cityimpact/ingest"
)

func ExampleReadCSV() {
	data := `city,year,gdp,population
Hangzhou,2015,1005.4,901.8
Hangzhou,2016,1131.4,918.8
Ningbo,2015,801.2,NA
`
	panels, err := ingest.ReadCSV(strings.NewReader(data), ingest.Options{Name: "cities.csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := panels[0]
	fmt.Println(p.Freq, p.Start, p.T, p.Indicators())
	fmt.Println(p.Col("gdp"))

	// A bad cell is named by file, line and column.
	_, err = ingest.ReadCSV(strings.NewReader(strings.Replace(data, "801.2", "80l.2", 1)), ingest.Options{Name: "cities.csv"})
	var de *ingest.DataError
	if errors.As(err, &de) && errors.Is(err, ingest.ErrNotNumber) {
		fmt.Println(de)
	}
	// Output:
	// year 2015 2 [gdp population]
	// [1005.4 1131.4 801.2 NaN]
	// cities.csv:4: column "gdp": not a number: "80l.2"
}
