package cli

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/ingest"
)

// refWideCSV is the reader readWide replaced (commit a22bd6f,
// cli/estimate.go): encoding/csv into strings, then strconv.ParseFloat per
// column. It is the oracle of the tests below.
func refWideCSV(r io.Reader, path string) (*econ.Frame, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &UserError{&ingest.DataError{File: path, Line: 1, Err: errors.New("empty file: want a header row of column names")}}
	}
	if err != nil {
		return nil, &UserError{csvDataError(path, err)}
	}
	var problems []error
	seen := map[string]int{}
	for j, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		head[j] = h
		if h == "" {
			problems = append(problems, &ingest.DataError{File: path, Line: 1, Column: fmt.Sprintf("#%d", j+1), Err: errors.New("empty column name")})
			continue
		}
		if k, dup := seen[h]; dup {
			problems = append(problems, &ingest.DataError{File: path, Line: 1, Column: h, Err: fmt.Errorf("duplicate column name (also column %d)", k+1)})
		}
		seen[h] = j
	}
	cols := make([][]string, len(head))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, csvDataError(path, err))
			if len(problems) >= estMaxCSVErrors {
				break
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				continue
			}
			break
		}
		for j := range head {
			cols[j] = append(cols[j], strings.TrimSpace(rec[j]))
		}
	}
	if len(problems) > 0 {
		return nil, &UserError{errors.Join(problems...)}
	}
	n := 0
	if len(cols) > 0 {
		n = len(cols[0])
	}
	if n == 0 {
		return nil, &UserError{&ingest.DataError{File: path, Line: 2, Err: errors.New("no data rows after the header")}}
	}
	f := econ.NewFrame(n)
	for j, name := range head {
		x := make([]float64, n)
		numeric := true
		for i, s := range cols[j] {
			if s == "" || s == "NA" {
				x[i] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				numeric = false
				break
			}
			x[i] = v
		}
		if numeric {
			err = f.AddFloat(name, x)
		} else {
			err = f.AddStrings(name, cols[j])
		}
		if err != nil {
			return nil, &UserError{err}
		}
	}
	return f, nil
}

// sameFrame reports how two frames differ ("" if they are identical:
// same columns in order, kinds, float bits, codes and levels).
func sameFrame(a, b *econ.Frame) string {
	if a.Len() != b.Len() {
		return fmt.Sprintf("rows %d vs %d", a.Len(), b.Len())
	}
	an, bn := a.Names(), b.Names()
	if strings.Join(an, "\x00") != strings.Join(bn, "\x00") {
		return fmt.Sprintf("columns %q vs %q", an, bn)
	}
	for _, name := range an {
		x, okx := a.Float(name)
		y, oky := b.Float(name)
		if okx != oky {
			return fmt.Sprintf("column %q: numeric %v vs %v", name, okx, oky)
		}
		if okx {
			for i := range x {
				if math.Float64bits(x[i]) != math.Float64bits(y[i]) && !(math.IsNaN(x[i]) && math.IsNaN(y[i])) {
					return fmt.Sprintf("column %q row %d: %v vs %v", name, i, x[i], y[i])
				}
			}
			continue
		}
		fx, _ := a.Factor(name)
		fy, _ := b.Factor(name)
		if strings.Join(fx.Levels, "\x00") != strings.Join(fy.Levels, "\x00") {
			return fmt.Sprintf("column %q: levels %q vs %q", name, fx.Levels, fy.Levels)
		}
		for i := range fx.Codes {
			if fx.Codes[i] != fy.Codes[i] {
				return fmt.Sprintf("column %q row %d: code %d vs %d", name, i, fx.Codes[i], fy.Codes[i])
			}
		}
	}
	return ""
}

// checkWide compares readWide on s, with the given block size and
// workers, against the reference reader.
func checkWide(t *testing.T, s string, chunk, workers int) {
	t.Helper()
	want, werr := refWideCSV(strings.NewReader(s), "t.csv")
	got, gerr := readWide(strings.NewReader(s), int64(len(s)), "t.csv", nil, workers, chunk)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("chunk %d workers %d: error %v; want %v\ninput %q", chunk, workers, gerr, werr, s)
	}
	if werr != nil {
		if werr.Error() != gerr.Error() {
			t.Fatalf("chunk %d workers %d: error\n%v\nwant\n%v\ninput %q", chunk, workers, gerr, werr, s)
		}
		var de *ingest.DataError
		if !errors.As(gerr, &de) {
			t.Fatalf("error %v is not an ingest.DataError", gerr)
		}
		return
	}
	if d := sameFrame(got, want); d != "" {
		t.Fatalf("chunk %d workers %d: %s\ninput %q", chunk, workers, d, s)
	}
}

var wideCases = []string{
	"y,x\n1,2\n3,4\n",
	"y,x\n1,2\n3,4",               // no final newline
	"y,x\r\n1,2\r\n3,4\r\n",       // CRLF
	"y,x\n\n1,2\n\n\n3,4\n\n",     // blank lines
	"\ufeffy,name\n1,abc\nNA,\n",  // BOM, NA, empty
	"y,x\n1,2\n3\n4,5,6\n7,8\n",   // ragged
	"y,y\n1,2\n",                  // duplicate header
	"y,\n1,2\n",                   // empty header
	"",                            // empty
	"y,x\n",                       // header only
	"\n\ny,x\n1,2\n",              // header after blank lines
	"y,x\n 1 , 2 \n\t3\t,4\r\n",   // white space around numbers
	"y,x\n1,\u00a02\u3000\n3,4\n", // Unicode white space
	"y,x\n1e5,-0\n+.5,5.\n-0.0,1E-3\n1e400,2\n",              // 1e400 is out of range: text
	"y,x\n0x1p-2,Inf\n-inf,NaN\n1_0,2\n",                     // strconv forms; 1_0 is not a number
	"y,x\n12345678901234567890,0.1234567890123456789\n1,2\n", // > 19 digits
	"y,x\n0.42298564231550995,1.3760037899374062\n9007199254740993,1e23\n",
	"y,x\n4.9e-324,2.2250738585072011e-308\n1e-400,-1e-400\n5e-324,1\n", // subnormals and underflow
	"y,x\n1,2\n1e+,2e-\n",                            // exponent marker without digits: text
	"y,x\n1,2\n3,a\n5,b\n7,a\n",                      // text after numbers
	"y,x\n1,NA\n2,\n3,NA\n4,z\n",                     // missing then text
	`"y","x"` + "\n" + `"1","a b"` + "\n2,\"c,d\"\n", // quotes
	"y,x\n1,\"multi\nline\"\n2,\"q\"\"uote\"\n3,4\n", // quoted newline and quote
	"y,x\n1,2\n3,ab\"c\n5,6\n",                       // bare quote: fatal
	"y,x\n1,\"open\n2,3\n",                           // unterminated quote
	"y,x\n1,2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n21\n22\n23\n", // error cap
	"a\n1\n\n2\nx\n",         // one column, blank line
	"a\n\"\"\n1\n",           // quoted empty
	"y,x\n1,2\r3,4\n",        // bare CR inside a line
	"y,x\n1,2\n3,4\r",        // CR before EOF
	"y,x\n-,+\n.,e5\n1e,2\n", // not numbers
	",,,,,,,,,,,,,,,,,,,\n0", // 20 header errors, then one ragged line (found by FuzzReadWide)
}

func TestReadWideMatchesReference(t *testing.T) {
	for _, s := range wideCases {
		for _, chunk := range []int{1, 3, 8, 64, 0} {
			for _, workers := range []int{1, 3} {
				checkWide(t, s, chunk, workers)
			}
		}
	}
}

// Random files: numbers in many forms, missing cells, a text column, a
// column that turns text late, blank lines, CRLF; read in small blocks.
func TestReadWideRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 11))
	for trial := range 40 {
		var b strings.Builder
		b.WriteString("unit,year,x,y,name,late\n")
		rows := 1 + rng.IntN(400)
		for i := range rows {
			if rng.IntN(50) == 0 {
				b.WriteString("\n")
			}
			x := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-15))
			xs := strconv.FormatFloat(x, 'g', -1, 64)
			switch rng.IntN(6) {
			case 0:
				xs = strconv.FormatFloat(x, 'f', rng.IntN(8), 64)
			case 1:
				xs = "NA"
			case 2:
				xs = " " + xs
			}
			late := strconv.Itoa(rng.IntN(5))
			if trial%2 == 1 && i == rows-1 {
				late = "n/a"
			}
			eol := "\n"
			if trial%3 == 0 {
				eol = "\r\n"
			}
			fmt.Fprintf(&b, "%d,%d,%s,%s,%s,%s%s", i/10+1, 2000+i%10, xs,
				strconv.FormatFloat(rng.Float64(), 'g', -1, 64), []string{"北京", "a", "", "NA", "b c"}[rng.IntN(5)], late, eol)
		}
		s := b.String()
		for _, chunk := range []int{16, 100, 1000, 0} {
			checkWide(t, s, chunk, 1+trial%3)
		}
	}
}

// Lines in errors are absolute across blocks: a ragged line deep in the
// file is named exactly.
func TestReadWideErrorLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := range 5000 {
		if i == 4321 {
			b.WriteString("1,2,3\n") // line 4323
			continue
		}
		if i%97 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d,%d\n", i, i)
	}
	s := b.String()
	want := "t.csv:" + strconv.Itoa(4323+4321/97+1) + ": wrong number of fields"
	for _, chunk := range []int{50, 1000, 0} {
		_, err := readWide(strings.NewReader(s), int64(len(s)), "t.csv", nil, 2, chunk)
		var de *ingest.DataError
		if err == nil || !errors.As(err, &de) || err.Error() != want {
			t.Errorf("chunk %d: error %v; want %s", chunk, err, want)
		}
		checkWide(t, s, chunk, 2)
	}
}

// Columns left out are not stored, but still checked for their number of
// fields.
func TestReadWideCSVCols(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.csv")
	os.WriteFile(path, []byte("y,name,x\n1,a,2\n3,b,4\n"), 0o644)
	f, err := readWideCSVCols(path, func(c string) bool { return c != "name" })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Names(), ","); got != "y,x" {
		t.Errorf("columns %s; want y,x", got)
	}
	if x, _ := f.Float("x"); len(x) != 2 || x[1] != 4 {
		t.Errorf("x = %v; want [2 4]", x)
	}
	os.WriteFile(path, []byte("y,name,x\n1,a,2\n3,b\n"), 0o644)
	if _, err := readWideCSVCols(path, func(c string) bool { return c == "y" }); err == nil || !strings.Contains(err.Error(), "c.csv:3: wrong number of fields") {
		t.Errorf("ragged: %v", err)
	}
}

// FuzzReadWide: the block-parallel reader gives the reference reader's
// frame or error on any input, for small blocks and several workers.
func FuzzReadWide(f *testing.F) {
	for _, s := range wideCases {
		f.Add(s, uint8(5))
	}
	f.Fuzz(func(t *testing.T, s string, chunk uint8) {
		checkWide(t, s, 1+int(chunk), 1+int(chunk)%3)
	})
}

// BenchmarkReadWideCSV reads a generated 1M-row panel CSV (the shape of
// econ's BenchmarkPeer file: unit, year, x1, x2, x3, y at full precision)
// with the reference reader and with readWide.
func BenchmarkReadWideCSV(b *testing.B) {
	path := wideBenchFile(b, 10000, 100)
	b.Run("reader=readWide", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := readWideCSV(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reader=reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fh, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := refWideCSV(fh, path); err != nil {
				b.Fatal(err)
			}
			fh.Close()
		}
	})
}

// BenchmarkEstimateCSV is `cityimpact estimate --data panel.csv --formula
// 'y ~ x1 + x2 + x3 | unit + year' --cluster unit` without the process.
// With CITYIMPACT_BENCH_10M naming econ's panel_10m_fe3.csv (written by
// econ's BenchmarkPeer10M), "10m_fe3" runs the 10M-row, 3-FE model on it.
func BenchmarkEstimateCSV(b *testing.B) {
	run := func(b *testing.B, path, formula string) {
		for b.Loop() {
			var out, errb bytes.Buffer
			code := Run(b.Context(), []string{"estimate", "--data", path, "--formula", formula, "--cluster", "unit"}, &out, &errb)
			if code != 0 {
				b.Fatal(errb.String())
			}
		}
	}
	b.Run("1m_fe2", func(b *testing.B) { run(b, wideBenchFile(b, 10000, 100), "y ~ x1 + x2 + x3 | unit + year") })
	if p := os.Getenv("CITYIMPACT_BENCH_10M"); p != "" {
		b.Run("10m_fe3", func(b *testing.B) { run(b, p, "y ~ x1 + x2 + x3 | unit + year + firm") })
	}
}

// wideBenchFile writes (once) units × periods rows of a two-way panel
// with three regressors at full precision (PCG seed 1) under the system
// temporary directory.
func wideBenchFile(b *testing.B, units, periods int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "cityimpact-cli-bench")
	path := filepath.Join(dir, fmt.Sprintf("panel_%dx%d.csv", units, periods))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	var buf bytes.Buffer
	buf.WriteString("unit,year,x1,x2,x3,y\n")
	ue := make([]float64, units)
	for u := range ue {
		ue[u] = rng.NormFloat64()
	}
	var line []byte
	for u := range units {
		for t := range periods {
			x1, x2, x3 := rng.NormFloat64(), rng.NormFloat64()+ue[u], rng.NormFloat64()
			y := x1 - 0.5*x2 + 0.25*x3 + ue[u] + 0.1*float64(t) + rng.NormFloat64()
			line = strconv.AppendInt(line[:0], int64(u+1), 10)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(1921+t), 10)
			for _, v := range []float64{x1, x2, x3, y} {
				line = append(line, ',')
				line = strconv.AppendFloat(line, v, 'g', -1, 64)
			}
			line = append(line, '\n')
			buf.Write(line)
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// estimate --data reads only the columns the formula and flags name: the
// result is the same as with every column read.
func TestEstimateNeededColumns(t *testing.T) {
	o := estimateFlags{formulas: estList{"y ~ x1 + treat:post | id + period"}, cluster: "id", cohort: "first_period"}
	for name, want := range map[string]bool{"y": true, "x1": true, "treat": true, "post": true, "id": true, "period": true,
		"first_period": true, "grp": false, "x2": false} {
		if got := o.needs(name); got != want {
			t.Errorf("needs(%q) = %v; want %v", name, got, want)
		}
	}
	path := baseDID(t)
	all, err := readWideCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	some, err := readWideCSVCols(path, o.needs)
	if err != nil {
		t.Fatal(err)
	}
	if len(some.Names()) >= len(all.Names()) {
		t.Errorf("read %v of %v", some.Names(), all.Names())
	}
	opts := econ.Options{Cluster: []string{"id"}}
	a, err1 := econ.Estimate(all, o.formulas[0], opts)
	b, err2 := econ.Estimate(some, o.formulas[0], opts)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for i := range a.Coefs {
		if a.Coefs[i] != b.Coefs[i] {
			t.Errorf("%+v vs %+v", a.Coefs[i], b.Coefs[i])
		}
	}
}
