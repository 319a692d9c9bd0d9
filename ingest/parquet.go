package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/panel"
	"github.com/parquet-go/parquet-go"
)

// ReadParquetFile reads the Parquet file at path with [ReadParquet].
func ReadParquetFile(path string, o Options) ([]*panel.Panel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	if o.Name == "" {
		o.Name = path
	}
	return ReadParquet(f, st.Size(), o)
}

// ReadParquet reads a flat Parquet table, long or wide, with the same rules
// as [ReadCSV]. Columns may be strings or numbers (int32, int64, float,
// double; nulls are missing values). Errors give the 1-based row number as
// Line and the column name as Column.
func ReadParquet(r io.ReaderAt, size int64, o Options) (ps []*panel.Panel, err error) {
	file := o.Name
	if file == "" {
		file = "<parquet>"
	}
	defer func() { // parquet-go panics on some corrupt files
		if p := recover(); p != nil {
			ps, err = nil, &DataErrors{Errs: []*DataError{{File: file, Err: fmt.Errorf("%w: corrupt Parquet file: %v", ErrSyntax, p)}}}
		}
	}()
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, &DataErrors{Errs: []*DataError{{File: file, Err: fmt.Errorf("%w: not a Parquet file: %v", ErrSyntax, err)}}}
	}
	var header []string
	for _, path := range pf.Schema().Columns() {
		if len(path) != 1 {
			return nil, &DataErrors{Errs: []*DataError{{File: file, Column: strings.Join(path, "."),
				Err: fmt.Errorf("%w: nested column; want a flat table", ErrHeader)}}}
		}
		header = append(header, path[0])
	}
	s, herrs := newSchema(header, &o, file, 0)
	if len(herrs) > 0 {
		return nil, finishErrors(herrs, 0, o.maxErrors())
	}
	c := newChunk(&o, s, file, int(min(pf.NumRows(), 1<<24)))
	pr := parquet.NewReader(pf)
	defer pr.Close()
	buf := make([]parquet.Row, 1024)
	rec := make([]string, len(header))
	row := 0
	for !c.full() {
		n, rerr := pr.ReadRows(buf)
		for _, pr := range buf[:n] {
			row++
			clear(rec)
			for _, v := range pr {
				if col := v.Column(); col >= 0 && col < len(rec) {
					rec[col] = valueText(v)
				}
			}
			c.rowStrings(rec, int32(row))
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return nil, &DataErrors{Errs: []*DataError{{File: file, Line: row + 1, Err: fmt.Errorf("%w: %v", ErrSyntax, rerr)}}}
		}
		if n == 0 {
			break
		}
	}
	return build(file, s, &o, []*chunk{c}, nil)
}

// valueText renders a Parquet value as the text a CSV would hold. Floats
// print in the shortest form that reads back to the same value, so the
// value parser returns exactly the stored number.
func valueText(v parquet.Value) string {
	if v.IsNull() {
		return ""
	}
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray())
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	}
	return v.String()
}
