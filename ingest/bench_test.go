package ingest

import (
	"bufio"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// benchFile describes a synthetic long CSV: units × periods × indicators
// rows of "330100,2015,ind07,1234.56" (about 3% of values empty). With
// full, values are log-normal (median e^7 ≈ 1100, σ = 2 in logs) written
// at full precision with strconv 'g' -1, as data.table's fwrite and Go
// write them: "330100,2015-01,ind2,1882.0395178454542".
type benchFile struct {
	name                string
	units, periods, ind int
	monthly             bool
	full                bool
}

var benchFiles = []benchFile{
	{name: "290x16x40", units: 290, periods: 16, ind: 40},                             // cities × years 2010–2025 × indicators: 185,600 rows
	{name: "10M", units: 10000, periods: 250, ind: 4, monthly: true},                  // 10,000,000 rows, ~290 MB
	{name: "10M-full", units: 10000, periods: 250, ind: 4, monthly: true, full: true}, // 10,000,000 rows, ~390 MB
}

func (f benchFile) rows() int { return f.units * f.periods * f.ind }

var (
	benchMu    sync.Mutex
	benchPaths = map[string]string{}
)

// path writes the file once per process into the temp directory (reused
// across runs when its size matches: the generator is deterministic), so
// that only benchmarks, never the ordinary tests, pay for it.
func (f benchFile) path(b *testing.B) string {
	benchMu.Lock()
	defer benchMu.Unlock()
	if p, ok := benchPaths[f.name]; ok {
		return p
	}
	dir := filepath.Join(os.TempDir(), "cityimpact-ingest-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, f.name+".csv")
	sizeFile := p + ".size"
	if st, err := os.Stat(p); err == nil {
		if want, err := os.ReadFile(sizeFile); err == nil && string(want) == strconv.FormatInt(st.Size(), 10) {
			benchPaths[f.name] = p
			return p
		}
	}
	out, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(out, 1<<20)
	w.WriteString("unit,period,indicator,value\n")
	rng := rand.New(rand.NewPCG(2026, 11))
	var line []byte
	for u := range f.units {
		code := strconv.Itoa(110000 + u*100)
		for t := range f.periods {
			var per string
			if f.monthly {
				per = fmt.Sprintf("%d-%02d", 2005+t/12, t%12+1)
			} else {
				per = strconv.Itoa(2010 + t)
			}
			for k := range f.ind {
				line = append(line[:0], code...)
				line = append(line, ',')
				line = append(line, per...)
				line = append(line, ",ind"...)
				line = strconv.AppendInt(line, int64(k), 10)
				line = append(line, ',')
				switch {
				case rng.IntN(100) < 3:
				case f.full:
					line = strconv.AppendFloat(line, math.Exp(7+2*rng.NormFloat64()), 'g', -1, 64)
				default:
					line = strconv.AppendFloat(line, float64(rng.IntN(10000000))/100, 'f', -1, 64)
				}
				line = append(line, '\n')
				w.Write(line)
			}
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := out.Stat()
	out.Close()
	os.WriteFile(sizeFile, []byte(strconv.FormatInt(st.Size(), 10)), 0o644)
	benchPaths[f.name] = p
	return p
}

// BenchmarkReadLongCSV loads long CSV files into panels with ReadCSVFile
// ("ingest") and, for comparison in the same run, into a DuckDB table with
// DuckDB's own read_csv on 2 threads ("duckdb").
func BenchmarkReadLongCSV(b *testing.B) {
	for _, f := range benchFiles {
		b.Run(f.name+"/ingest", func(b *testing.B) {
			p := f.path(b)
			st, _ := os.Stat(p)
			b.SetBytes(st.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				ps, err := ReadCSVFile(p, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if n := ps[0].NUnits(); n != f.units {
					b.Fatalf("%d units; want %d", n, f.units)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.rows()), "ns/row")
		})
		b.Run(f.name+"/duckdb", func(b *testing.B) {
			p := f.path(b)
			st, _ := os.Stat(p)
			db, err := sql.Open("duckdb", "")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1) // one in-memory database, one connection
			if _, err := db.Exec("SET threads=2"); err != nil {
				b.Fatal(err)
			}
			q := fmt.Sprintf(`CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('%s', header=true,
				columns={'unit': 'VARCHAR', 'period': 'VARCHAR', 'indicator': 'VARCHAR', 'value': 'DOUBLE'})`, p)
			b.SetBytes(st.Size())
			b.ResetTimer()
			for b.Loop() {
				if _, err := db.Exec(q); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			var n int
			if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != f.rows() {
				b.Fatalf("duckdb read %d rows (%v); want %d", n, err, f.rows())
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.rows()), "ns/row")
		})
	}
}
