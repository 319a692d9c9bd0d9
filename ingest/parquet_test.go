package ingest

import (
	"bytes"
	"math"
	"testing"

	"github.com/parquet-go/parquet-go"
)

type longRow struct {
	Unit      string   `parquet:"unit"`
	Period    int32    `parquet:"period"`
	Indicator string   `parquet:"indicator"`
	Value     *float64 `parquet:"value,optional"`
}

type wideRow struct {
	City string `parquet:"city"`
	Year string `parquet:"year"`
	GDP  string `parquet:"gdp"`
	Pop  int64  `parquet:"pop"`
}

func f64(v float64) *float64 { return &v }

func TestReadParquetLong(t *testing.T) {
	var buf bytes.Buffer
	rows := []longRow{{"A", 2015, "gdp", f64(0.1)}, {"A", 2016, "gdp", nil}, {"B", 2016, "gdp", f64(1e-300)}}
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	ps, err := ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Options{Name: "l.parquet"})
	if err != nil {
		t.Fatal(err)
	}
	checkCol(t, ps[0], "gdp", []float64{0.1, math.NaN(), math.NaN(), 1e-300})
}

func TestReadParquetWideErrors(t *testing.T) {
	var buf bytes.Buffer
	rows := []wideRow{{"A", "2015", "1.5", 3}, {"A", "2016", "x", 4}, {"A", "2015", "2", 5}}
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	ps, err := ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Options{Name: "w.parquet"})
	if ps != nil {
		t.Fatal("panel returned with errors")
	}
	wantDataError(t, err, ErrNotNumber, 2, "gdp")
	wantDataError(t, err, ErrDuplicate, 3, "")
	_, err = ReadParquet(bytes.NewReader([]byte("PAR1xxxx")), 8, Options{Name: "w.parquet"})
	wantDataError(t, err, ErrSyntax, 0, "")
}

func parquetWrite[T any](w *bytes.Buffer, rows []T) error { return parquet.Write(w, rows) }
