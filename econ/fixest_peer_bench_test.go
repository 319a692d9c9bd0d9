package econ

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cityimpact/cityimpact/ingest"
)

// Side-by-side benchmarks with R fixest (docs/PERFORMANCE.md, "Side by side
// with fixest"). The Go side here and testdata/fixest/bench.R read the same
// CSV files, written once by peerBenchFile into $ECON_PEER_BENCH_DIR
// (default: econ-peer-bench under the system temporary directory):
//
//	panel_1m.csv       10,000 units × 100 years, y ~ x1 + x2 + x3 | unit + year
//	placebo_290x16.csv 290 units × 16 years, staggered adoption (cohort, treat)
//	panel_10m_fe3.csv  100,000 units × 100 years, a third effect firm (1,000 levels)
//
// Run, then the R script on the same directory:
//
//	go test -run XXX -bench Peer -count 5 ./econ
//	ECON_PEER_10M=1 go test -run XXX -bench Peer10M -benchtime 1x ./econ
//	Rscript econ/testdata/fixest/bench.R "$TMPDIR/econ-peer-bench" 5

// peerBenchFile returns the path of the named benchmark CSV, writing it with
// write the first time (to a temporary name, then renamed, so a killed run
// leaves no partial file).
func peerBenchFile(b *testing.B, name string, write func(w *bufio.Writer)) string {
	b.Helper()
	dir := os.Getenv("ECON_PEER_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "econ-peer-bench")
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	tmp := path + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(fh, 1<<20)
	write(w)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// fmtG is the shortest representation that parses back to v exactly (R's
// fread and strconv.ParseFloat both read it exactly); NaN is NA.
func fmtG(buf []byte, v float64) []byte {
	if math.IsNaN(v) {
		return append(buf, "NA"...)
	}
	return strconv.AppendFloat(buf, v, 'g', -1, 64)
}

// writePanelCSV writes unit (1-based), year (period + 1921, so that the
// file is also a valid annual panel for package ingest), x1, x2, x3, y of a
// Design from genPanel, with an optional third effect column.
func writePanelCSV(w *bufio.Writer, d *Design, extra string, extraCodes []int32) {
	w.WriteString("unit,year")
	if extra != "" {
		w.WriteString("," + extra)
	}
	w.WriteString(",x1,x2,x3,y\n")
	var buf []byte
	for i := range d.Y {
		buf = strconv.AppendInt(buf[:0], int64(d.FE[0][i])+1, 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(d.FE[1][i])+1921, 10)
		if extra != "" {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(extraCodes[i])+1, 10)
		}
		for _, x := range d.X {
			buf = append(buf, ',')
			buf = fmtG(buf, x[i])
		}
		buf = append(buf, ',')
		buf = fmtG(buf, d.Y[i])
		buf = append(buf, '\n')
		w.Write(buf)
	}
}

// readNumericCSV is a plain CSV read of an all-numeric file with a header
// (encoding/csv, strconv.ParseFloat; "NA" is NaN) into a Frame of float
// columns. Fixed-effect columns stay numeric: econ groups them itself, as
// fixest does with numeric columns.
func readNumericCSV(path string) (*Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bufio.NewReaderSize(fh, 1<<20))
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	head = append([]string(nil), head...)
	// capacity from the file size and the first line's width
	guess := int(st.Size()/int64(8*len(head))) + 1
	cols := make([][]float64, len(head))
	for j := range cols {
		cols[j] = make([]float64, 0, guess)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for j, s := range rec {
			v := math.NaN()
			if s != "NA" {
				if v, err = strconv.ParseFloat(s, 64); err != nil {
					return nil, fmt.Errorf("%s:%d: column %q: %w", path, line, head[j], err)
				}
			}
			cols[j] = append(cols[j], v)
		}
	}
	f := NewFrame(len(cols[0]))
	for j, name := range head {
		if err := f.AddFloat(name, cols[j]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

const peerFE2Formula = "y ~ x1 + x2 + x3 | unit + year"

// BenchmarkPeer: (a) 1M rows, 2 FE, 3 regressors, clustered by unit, 2
// workers, from a Frame in memory and from the CSV file to the result;
// (b) 1,000 unit permutations of y ~ treat + x | unit + year on 290 × 16.
func BenchmarkPeer(b *testing.B) {
	p1m := peerBenchFile(b, "panel_1m.csv", func(w *bufio.Writer) {
		writePanelCSV(w, genPanel(10000, 100, 1), "", nil)
	})
	opts := Options{Workers: 2, Cluster: []string{"unit"}, VCov: VCovCluster}
	b.Run("fe2_1m/memory", func(b *testing.B) {
		data, err := readNumericCSV(p1m)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Estimate(data, peerFE2Formula, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fe2_1m/csv", func(b *testing.B) {
		for b.Loop() {
			data, err := readNumericCSV(p1m)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Estimate(data, peerFE2Formula, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The product's path: package ingest (parallel, strict CSV reader) into
	// a panel.Panel, then PanelFrame.
	b.Run("fe2_1m/ingest", func(b *testing.B) {
		for b.Loop() {
			ps, err := ingest.ReadCSVFile(p1m, ingest.Options{})
			if err != nil {
				b.Fatal(err)
			}
			data, err := PanelFrame(ps[0])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Estimate(data, peerFE2Formula, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	pp := peerBenchFile(b, "placebo_290x16.csv", func(w *bufio.Writer) {
		f := simPanel(rand.New(rand.NewPCG(9, 9)), 290, 16, 0.5)
		unit, _ := f.Factor("unit")
		w.WriteString("unit,year,cohort,treat,x,y\n")
		names := []string{"year", "cohort", "treat", "x", "y"}
		var buf []byte
		for i := range f.Len() {
			buf = strconv.AppendInt(buf[:0], int64(unit.Codes[i])+1, 10)
			for _, nm := range names {
				col, _ := f.Float(nm)
				buf = append(buf, ',')
				buf = fmtG(buf, col[i])
			}
			buf = append(buf, '\n')
			w.Write(buf)
		}
	})
	pdata, err := readNumericCSV(pp)
	if err != nil {
		b.Fatal(err)
	}
	for _, general := range []bool{false, true} {
		name := "permute_290x16/closed"
		if general {
			name = "permute_290x16/general"
		}
		b.Run(name, func(b *testing.B) {
			spec := PlaceboSpec{Formula: "y ~ treat + x | unit + year", Treat: "treat", Unit: "unit", Time: "year",
				Cohort: "cohort", Draws: 1000, Seed: 1, General: general}
			for b.Loop() {
				if _, err := Permute(pdata, spec, Options{Workers: 2}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPeer10M: (c) 10M rows (100,000 units × 100 periods) with a third
// fixed effect firm of 1,000 levels drawn per row, clustered by unit, from
// the CSV file to the result; the reported read-s and estimate-s metrics
// split the time; "csv" reads with readNumericCSV, "ingest" with package
// ingest and PanelFrame. Skipped unless ECON_PEER_10M=1 (the file is
// ≈ 0.9 GB); run one reader alone under /usr/bin/time -v for the peak
// memory.
func BenchmarkPeer10M(b *testing.B) {
	if os.Getenv("ECON_PEER_10M") != "1" {
		b.Skip("set ECON_PEER_10M=1")
	}
	path := peerBenchFile(b, "panel_10m_fe3.csv", func(w *bufio.Writer) {
		d := genPanel(100000, 100, 3)
		rng := rand.New(rand.NewPCG(3, 3))
		firm := make([]int32, len(d.Y))
		eff := make([]float64, 1000)
		for k := range eff {
			eff[k] = rng.NormFloat64()
		}
		for i := range firm {
			firm[i] = int32(rng.IntN(1000))
			d.Y[i] += eff[firm[i]]
		}
		writePanelCSV(w, d, "firm", firm)
	})
	read := map[string]func() (*Frame, error){
		"csv": func() (*Frame, error) { return readNumericCSV(path) },
		"ingest": func() (*Frame, error) {
			ps, err := ingest.ReadCSVFile(path, ingest.Options{})
			if err != nil {
				return nil, err
			}
			return PanelFrame(ps[0])
		},
	}
	for _, reader := range []string{"csv", "ingest"} {
		b.Run(reader, func(b *testing.B) {
			for b.Loop() {
				t0 := nowSeconds()
				data, err := read[reader]()
				if err != nil {
					b.Fatal(err)
				}
				t1 := nowSeconds()
				if _, err := Estimate(data, "y ~ x1 + x2 + x3 | unit + year + firm", Options{Workers: 2}); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(t1-t0, "read-s")
				b.ReportMetric(nowSeconds()-t1, "estimate-s")
			}
		})
	}
}

func nowSeconds() float64 { return float64(time.Now().UnixNano()) / 1e9 }
