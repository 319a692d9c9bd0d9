package cli

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/ingest"
)

// The wide-CSV reader behind --data. It gives the same frame and the same
// errors as reading the file with encoding/csv (header from the first
// record, every record with the header's number of fields, blank lines
// skipped, cells trimmed of white space) and converting each column with
// strconv.ParseFloat, but without a string per cell:
//
//   - one goroutine reads the file in blocks of about wideChunkSize bytes,
//     cut after a line end outside double quotes, and hands them to
//     GOMAXPROCS parsers;
//   - a block without a double quote is split on bytes ('\n', ','), and a
//     cell is parsed as a number while it is scanned, by [ingest.ScanFloat]
//     (Clinger's exact fast path, else Eisel–Lemire, for up to 19
//     significant digits; bit for bit strconv.ParseFloat's value); a cell
//     it does not settle goes to strconv.ParseFloat, trimmed, whose
//     verdict decides;
//   - a block with a quote goes through encoding/csv;
//   - a column stays numeric while every non-missing cell parses; a block
//     that meets a cell that does not keeps that column as interned codes
//     in order of first appearance (the column becomes a factor), and
//     blocks are merged in file order, so levels keep their order of first
//     appearance in the file;
//   - line numbers are counted per block and made absolute when blocks are
//     merged, so errors name the file, line and column as before.
//
// Memory: the columns kept plus a few blocks in flight.

// wideChunkSize is the target size of one parsed block; small files use
// smaller blocks so that every worker gets some.
const (
	wideChunkSize = 4 << 20
	wideMinChunk  = 64 << 10
)

// readWideCSV reads a CSV with a header row into a frame: a column whose
// every non-missing cell parses as a number is numeric, any other is a
// factor. Empty cells and NA are missing. Ragged rows, empty or duplicate
// headers and an empty file are errors naming the file, line and column;
// up to estMaxCSVErrors are collected.
func readWideCSV(path string) (*econ.Frame, error) {
	return readWideCSVCols(path, nil)
}

// readWideCSVCols is readWideCSV keeping only the columns for which keep
// returns true (all if keep is nil). Columns left out are still checked
// for the number of fields, not for their values.
//
// A file whose header line has semicolons and no commas (synthdid's
// california_prop99.csv, European exports) is read with ';' as the
// delimiter.
func readWideCSVCols(path string, keep func(name string) bool) (*econ.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &UserError{err}
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, &UserError{err}
	}
	head := make([]byte, 4096)
	n, _ := fh.ReadAt(head, 0)
	first, _, _ := bytes.Cut(head[:n], []byte("\n"))
	if bytes.Contains(first, []byte(";")) && !bytes.Contains(first, []byte(",")) {
		b, err := io.ReadAll(semicolonCSV(io.NewSectionReader(fh, 0, st.Size()), path))
		if err != nil {
			return nil, &UserError{err}
		}
		return readWide(bytes.NewReader(b), int64(len(b)), path, keep, 0, 0)
	}
	return readWide(fh, st.Size(), path, keep, 0, 0)
}

// semicolonCSV re-encodes a ';'-delimited CSV as ',' CSV for
// the wide reader, one record per line, so line numbers are kept (unless a
// quoted field spans lines). Ragged records pass through for parseWideCSV
// to report with their lines; a quoting error is reported here.
func semicolonCSV(r io.Reader, path string) io.Reader {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return &errReader{csvDataError(path, err)}
		}
		if err := cw.Write(rec); err != nil {
			return &errReader{err}
		}
	}
	cw.Flush()
	return &buf
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

// parseWideCSV is readWideCSV on a reader (read whole into memory).
func parseWideCSV(r io.Reader, path string) (*econ.Frame, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, &UserError{&ingest.DataError{File: path, Err: err}}
	}
	return readWide(bytes.NewReader(b), int64(len(b)), path, nil, 0, 0)
}

func csvDataError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ingest.DataError{File: path, Line: pe.StartLine, Err: pe.Err}
	}
	return &ingest.DataError{File: path, Err: err}
}

// wideHeader reads the header record at the start of src: the trimmed
// column names, the offset of the first data byte and its line number.
func wideHeader(src io.ReaderAt, size int64, path string) (head []string, off int64, line int, err error) {
	cr := csv.NewReader(io.NewSectionReader(src, 0, size))
	head, err = cr.Read()
	if err == io.EOF {
		return nil, 0, 0, &UserError{&ingest.DataError{File: path, Line: 1, Err: errors.New("empty file: want a header row of column names")}}
	}
	if err != nil {
		return nil, 0, 0, &UserError{csvDataError(path, err)}
	}
	off = cr.InputOffset()
	pre := make([]byte, off)
	if _, err := src.ReadAt(pre, 0); err != nil && err != io.EOF {
		return nil, 0, 0, &UserError{&ingest.DataError{File: path, Err: err}}
	}
	line = 1 + bytes.Count(pre, []byte{'\n'})
	if off > 0 && pre[off-1] != '\n' {
		line++ // header ended at EOF
	}
	return head, off, line, nil
}

// Column kinds of a parsed block and of the merged column.
const (
	kindNone  = iota // nothing merged yet
	kindNum          // float64 values
	kindText         // codes into levels
	kindMixed        // numeric in some blocks, text in others: second pass
)

// wideCol is one column of a parsed block.
type wideCol struct {
	kind    int
	f       []float64
	codes   []int32
	levels  []string
	index   map[string]int32
	present bool // some cell not missing
}

// wideBlock is one block of the file and what parsing it gave.
type wideBlock struct {
	seq    int
	off    int64
	data   []byte
	quoted bool
	// results
	lines int // number of '\n' in data
	rows  int
	cols  []wideCol
	errs  []wideErr // line relative to the block's first line (0-based)
	fatal bool      // a CSV syntax error: nothing after it is read
}

type wideErr struct {
	line int
	err  error
}

// wideReader holds what the parsers share.
type wideReader struct {
	path   string
	ncol   int
	keep   []bool         // columns stored
	text   []bool         // columns parsed as text from the start (second pass)
	isText []atomic.Bool  // seen as text in some block: later blocks start as text
	floats chan []float64 // block columns for reuse once merged
}

// floatBuf returns an empty float slice of at least capacity n, reused
// from a merged block when one is free.
func (wr *wideReader) floatBuf(n int) []float64 {
	select {
	case f := <-wr.floats:
		if cap(f) >= n {
			return f[:0]
		}
	default:
	}
	return make([]float64, 0, n)
}

func readWide(src io.ReaderAt, size int64, path string, keepFn func(string) bool, workers, chunk int) (*econ.Frame, error) {
	head, off, line, err := wideHeader(src, size, path)
	if err != nil {
		return nil, err
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
	wr := &wideReader{path: path, ncol: len(head), keep: make([]bool, len(head)), text: make([]bool, len(head)),
		isText: make([]atomic.Bool, len(head))}
	for j, h := range head {
		wr.keep[j] = keepFn == nil || keepFn(h)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if chunk <= 0 {
		chunk = int(min(wideChunkSize, max(wideMinChunk, (size-off)/int64(4*workers)+1)))
	}
	m := newWideMerge(wr, size-off)
	blocks, err := wr.run(src, off, size, chunk, workers, m.add)
	if err != nil {
		return nil, &UserError{&ingest.DataError{File: path, Err: err}}
	}
	// Errors, in file order: as encoding/csv's loop did, each is added
	// and reading stops once the list (header problems included) is full.
	ln := line
	full := false
	for _, b := range blocks {
		for _, e := range b.errs {
			if full {
				break
			}
			problems = append(problems, &ingest.DataError{File: path, Line: ln + e.line, Err: e.err})
			full = len(problems) >= estMaxCSVErrors
		}
		if b.fatal {
			break
		}
		ln += b.lines
	}
	if len(problems) > 0 {
		return nil, &UserError{errors.Join(problems...)}
	}
	// Columns numeric in some blocks and text in others: read them again,
	// as text throughout.
	var mixed []int
	for j, c := range m.cols {
		if c.kind == kindMixed {
			mixed = append(mixed, j)
		}
	}
	if len(mixed) > 0 {
		wr2 := &wideReader{path: path, ncol: len(head), keep: make([]bool, len(head)), text: make([]bool, len(head)),
			isText: make([]atomic.Bool, len(head))}
		for _, j := range mixed {
			wr2.keep[j], wr2.text[j] = true, true
		}
		m2 := newWideMerge(wr2, size-off)
		if _, err := wr2.run(src, off, size, chunk, workers, m2.add); err != nil {
			return nil, &UserError{&ingest.DataError{File: path, Err: err}}
		}
		for _, j := range mixed {
			m.cols[j] = m2.cols[j]
		}
	}
	if m.rows == 0 {
		return nil, &UserError{&ingest.DataError{File: path, Line: 2, Err: errors.New("no data rows after the header")}}
	}
	f := econ.NewFrame(m.rows)
	for j, name := range head {
		if !wr.keep[j] {
			continue
		}
		c := &m.cols[j]
		switch c.kind {
		case kindText:
			err = f.AddFactor(name, c.codes, c.levels)
		default:
			err = f.AddFloat(name, c.f)
		}
		if err != nil {
			return nil, &UserError{err}
		}
	}
	return f, nil
}

// run reads src[off:size] in blocks, parses them on workers goroutines and
// calls merge on each block in file order (from one goroutine). It returns
// the blocks (without their data) in order; it stops reading after a
// block with a fatal error or once estMaxCSVErrors errors are seen.
func (wr *wideReader) run(src io.ReaderAt, off, size int64, chunk, workers int, merge func(*wideBlock)) ([]*wideBlock, error) {
	wr.floats = make(chan []float64, (2*workers+2)*wr.ncol)
	jobs := make(chan *wideBlock, workers)
	done := make(chan *wideBlock, workers)
	free := make(chan []byte, 2*workers+2)
	// At most 4·workers blocks are out between the reader and the merge,
	// so memory stays bounded when one block is slow.
	tokens := make(chan struct{}, 4*workers)
	var stop atomic.Bool
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // reader: cut blocks after a line end outside quotes
		defer wg.Done()
		defer close(jobs)
		var carry []byte
		seq := 0
		pos := off
		for (pos < size || len(carry) > 0) && !stop.Load() {
			var buf []byte
			select {
			case buf = <-free:
			default:
				buf = make([]byte, 0, chunk+chunk/4)
			}
			buf = append(buf[:0], carry...)
			want := max(chunk, 2*len(carry))
			if cap(buf) < want {
				buf = append(buf, make([]byte, want-len(buf))...)[:len(buf)]
			}
			n := min(int64(want-len(buf)), size-pos)
			k, err := src.ReadAt(buf[len(buf):len(buf)+int(n)], pos)
			if err != nil && err != io.EOF {
				readErr = err
				return
			}
			if int64(k) != n {
				readErr = io.ErrUnexpectedEOF
				return
			}
			pos += n
			buf = buf[:len(buf)+k]
			quoted := bytes.IndexByte(buf, '"') >= 0
			cut := len(buf)
			if pos < size {
				cut = lastLineEnd(buf, quoted)
				if cut == 0 { // no complete record yet: read more
					carry = buf
					continue
				}
			}
			carry = append([]byte(nil), buf[cut:]...)
			tokens <- struct{}{}
			jobs <- &wideBlock{seq: seq, off: pos - int64(len(buf)), data: buf[:cut], quoted: quoted && bytes.IndexByte(buf[:cut], '"') >= 0}
			seq++
		}
	}()
	var pw sync.WaitGroup
	for range workers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for b := range jobs {
				if !stop.Load() {
					wr.parse(b)
				}
				done <- b
			}
		}()
	}
	go func() { pw.Wait(); close(done) }()
	// Merge in order.
	var out []*wideBlock
	pending := map[int]*wideBlock{}
	next, nerr := 0, 0
	for b := range done {
		pending[b.seq] = b
		for {
			nb, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			if !stop.Load() {
				nerr += len(nb.errs)
				if nerr == 0 {
					merge(nb)
				}
				if nb.fatal || nerr >= estMaxCSVErrors {
					stop.Store(true)
				}
				out = append(out, nb)
			}
			select {
			case free <- nb.data[:0]:
			default:
			}
			for _, c := range nb.cols {
				if c.f != nil {
					select {
					case wr.floats <- c.f:
					default:
					}
				}
			}
			nb.data, nb.cols = nil, nil
		}
	}
	wg.Wait()
	return out, readErr
}

// lastLineEnd returns the offset just after the last '\n' of b that lies
// outside double quotes (b starts outside quotes), or 0 if there is none.
func lastLineEnd(b []byte, quoted bool) int {
	if !quoted {
		return bytes.LastIndexByte(b, '\n') + 1
	}
	cut, in := 0, false
	for i, c := range b {
		switch c {
		case '"':
			in = !in
		case '\n':
			if !in {
				cut = i + 1
			}
		}
	}
	return cut
}

// parse parses one block into its columns and errors; a column that meets
// a non-numeric cell makes the block start over with that column as text.
func (wr *wideReader) parse(b *wideBlock) {
	b.lines = bytes.Count(b.data, []byte{'\n'})
	text := make([]bool, wr.ncol)
	for j := range text {
		text[j] = wr.text[j] || wr.isText[j].Load()
	}
	for {
		b.cols = make([]wideCol, wr.ncol)
		for j := range b.cols {
			if !wr.keep[j] {
				continue
			}
			c := &b.cols[j]
			if text[j] {
				c.kind = kindText
				c.index = map[string]int32{}
			} else {
				c.kind = kindNum
				c.f = wr.floatBuf(len(b.data)/(8*wr.ncol) + 16)
			}
		}
		b.rows, b.errs, b.fatal = 0, nil, false
		var bad int
		if b.quoted {
			bad = wr.parseQuoted(b)
		} else {
			bad = wr.parseFast(b)
		}
		if bad < 0 {
			return
		}
		text[bad] = true
		wr.isText[bad].Store(true)
	}
}

// parseFast splits a block without quotes on bytes. It returns the index
// of a numeric column that met a non-numeric cell, or -1.
func (wr *wideReader) parseFast(b *wideBlock) int {
	data := b.data
	rel := 0
	cols := b.cols
	last := wr.ncol - 1
	for len(data) > 0 {
		var line []byte
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			line, data = data[:nl], data[nl+1:]
		} else {
			line, data = data, nil
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 {
			rel++
			continue
		}
		if len(b.errs) > 0 { // the result is an error: only count fields
			if bytes.Count(line, []byte{','}) != last {
				b.errs = append(b.errs, wideErr{rel, csv.ErrFieldCount})
			}
			rel++
			continue
		}
		rest := line
		ragged := false
		for j := range wr.ncol {
			var cell []byte
			c := &cols[j]
			if c.kind == kindNum {
				if v, n, ok := ingest.ScanFloat(rest); ok {
					if n == len(rest) {
						if j == last {
							c.f = append(c.f, v)
							c.present = true
							rest = nil
							continue
						}
					} else if rest[n] == ',' && j < last {
						c.f = append(c.f, v)
						c.present = true
						rest = rest[n+1:]
						continue
					}
				}
			}
			k := bytes.IndexByte(rest, ',')
			if j < last {
				if k < 0 {
					ragged = true
					break
				}
				cell, rest = rest[:k], rest[k+1:]
			} else {
				if k >= 0 {
					ragged = true
					break
				}
				cell = rest
			}
			if !wr.store(c, cell) {
				return j
			}
		}
		if ragged {
			b.errs = append(b.errs, wideErr{rel, csv.ErrFieldCount})
		} else {
			b.rows++
		}
		rel++
	}
	return -1
}

// parseQuoted parses a block with encoding/csv.
func (wr *wideReader) parseQuoted(b *wideBlock) int {
	cr := csv.NewReader(bytes.NewReader(b.data))
	cr.FieldsPerRecord = wr.ncol
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return -1
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.StartLine - 1
				err = pe.Err
			}
			b.errs = append(b.errs, wideErr{line, err})
			if errors.Is(err, csv.ErrFieldCount) {
				continue
			}
			b.fatal = true
			return -1
		}
		if len(b.errs) > 0 {
			continue
		}
		for j, s := range rec {
			if !wr.store(&b.cols[j], unsafe.Slice(unsafe.StringData(s), len(s))) {
				return j
			}
		}
		b.rows++
	}
}

// store adds one untrimmed cell to c (nothing if the column is not kept);
// it reports false if c is numeric and the cell is not a number.
func (wr *wideReader) store(c *wideCol, cell []byte) bool {
	switch c.kind {
	case kindNum:
		cell = trimCell(cell)
		if len(cell) == 0 || string(cell) == "NA" {
			c.f = append(c.f, math.NaN())
			return true
		}
		v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(cell), len(cell)), 64)
		if err != nil {
			return false
		}
		c.f = append(c.f, v)
		c.present = true
	case kindText:
		cell = trimCell(cell)
		if len(cell) == 0 || string(cell) == "NA" {
			c.codes = append(c.codes, -1)
			return true
		}
		code, ok := c.index[string(cell)]
		if !ok {
			code = int32(len(c.levels))
			s := string(cell)
			c.index[s] = code
			c.levels = append(c.levels, s)
		}
		c.codes = append(c.codes, code)
		c.present = true
	}
	return true
}

// trimCell is strings.TrimSpace on bytes: ASCII white space directly,
// anything else through strings.TrimSpace.
func trimCell(b []byte) []byte {
	for len(b) > 0 && asciiSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && asciiSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && (b[0] >= utf8.RuneSelf || b[len(b)-1] >= utf8.RuneSelf) {
		s := strings.TrimSpace(unsafe.String(unsafe.SliceData(b), len(b)))
		return unsafe.Slice(unsafe.StringData(s), len(s))
	}
	return b
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// wideMerge appends blocks' columns in file order.
type wideMerge struct {
	wr   *wideReader
	cols []wideCol
	rows int
	size int64 // bytes of data, for the capacity guess
	seen int64
}

func newWideMerge(wr *wideReader, size int64) *wideMerge {
	return &wideMerge{wr: wr, cols: make([]wideCol, wr.ncol), size: size}
}

func (m *wideMerge) add(b *wideBlock) {
	m.seen += int64(len(b.data))
	// Capacity from the rows per byte seen so far, with 5 % to spare.
	guess := 0
	if m.seen > 0 {
		guess = int(float64(m.rows+b.rows)*float64(m.size)/float64(m.seen)*1.05) + 64
	}
	for j := range m.cols {
		if !m.wr.keep[j] {
			continue
		}
		c, bc := &m.cols[j], &b.cols[j]
		switch {
		case c.kind == kindMixed:
		case bc.kind == kindNum && (c.kind == kindNone || c.kind == kindNum):
			c.kind = kindNum
			c.f = growAppend(c.f, bc.f, guess)
		case bc.kind == kindText && (c.kind == kindNone || c.kind == kindText):
			c.kind = kindText
			if c.index == nil {
				c.index = map[string]int32{}
			}
			remap := make([]int32, len(bc.levels))
			for k, l := range bc.levels {
				code, ok := c.index[l]
				if !ok {
					code = int32(len(c.levels))
					c.index[l] = code
					c.levels = append(c.levels, l)
				}
				remap[k] = code
			}
			if cap(c.codes) < len(c.codes)+len(bc.codes) {
				c.codes = append(make([]int32, 0, max(guess, len(c.codes)+len(bc.codes))), c.codes...)
			}
			for _, v := range bc.codes {
				if v >= 0 {
					v = remap[v]
				}
				c.codes = append(c.codes, v)
			}
		case bc.kind == kindNum && !bc.present && c.kind == kindText:
			// all missing: NA codes
			for range b.rows {
				c.codes = append(c.codes, -1)
			}
		default:
			c.kind = kindMixed
			c.f, c.codes, c.levels, c.index = nil, nil, nil, nil
		}
	}
	m.rows += b.rows
}

// growAppend appends src to dst, growing dst to capacity guess when it
// lacks room (so that a good guess means one allocation per column).
func growAppend(dst, src []float64, guess int) []float64 {
	if cap(dst) < len(dst)+len(src) {
		dst = append(make([]float64, 0, max(guess, len(dst)+len(src))), dst...)
	}
	return append(dst, src...)
}
