package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/cityimpact/cityimpact/panel"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// blockSize is the size of the blocks the long CSV reader parses in
// parallel; a variable so tests can force many chunk boundaries.
var blockSize = 4 << 20

// ReadCSVFile reads the CSV file at path with [ReadCSV], naming the file
// by its path in errors unless o.Name is set.
func ReadCSVFile(path string, o Options) ([]*panel.Panel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	if o.Name == "" {
		o.Name = path
	}
	return ReadCSV(f, o)
}

// ReadCSV reads a long (unit, period, indicator, value) or wide (unit,
// period, ind1, ind2, ...) CSV table into panels, one per frequency in the
// order year, quarter, month: a long file may hold annual indicators and
// monthly ones, but each indicator has one frequency. Each panel holds the
// units with data at its frequency, in order of first appearance, and the
// periods from the earliest to the latest record. On bad data it returns
// *DataErrors and no panel.
func ReadCSV(r io.Reader, o Options) ([]*panel.Panel, error) {
	file := o.Name
	if file == "" {
		file = "<csv>"
	}
	first, eof, err := readBlock(r, nil, blockSize)
	if err != nil {
		return nil, fmt.Errorf("ingest: read %s: %w", file, err)
	}
	first = bytes.TrimPrefix(first, []byte("\xef\xbb\xbf"))
	enc := o.Encoding
	if enc == AutoEncoding && !validPrefix(first, eof) {
		enc = GB18030
	}
	if enc == GB18030 {
		r = transform.NewReader(io.MultiReader(bytes.NewReader(first), r), simplifiedchinese.GB18030.NewDecoder())
		if first, eof, err = readBlock(r, nil, blockSize); err != nil {
			return nil, fmt.Errorf("ingest: read %s: %w", file, err)
		}
	}

	for !eof && lastRecordEnd(first) < 0 { // the header record must be whole
		if first, eof, err = readBlock(r, first, blockSize); err != nil {
			return nil, fmt.Errorf("ingest: read %s: %w", file, err)
		}
	}
	// The header is the first CSV record; it may be quoted.
	hr := csv.NewReader(bytes.NewReader(first))
	hr.FieldsPerRecord = -1
	header, err := hr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, &DataErrors{Errs: []*DataError{{File: file, Line: 1, Err: fmt.Errorf("%w: the file is empty", ErrHeader)}}}
		}
		return nil, &DataErrors{Errs: []*DataError{csvError(file, 0, err)}}
	}
	off := int(hr.InputOffset())
	headLines := bytes.Count(first[:off], []byte{'\n'})
	if off == len(first) && (len(first) == 0 || first[len(first)-1] != '\n') {
		headLines++
	}
	s, herrs := newSchema(header, &o, file, 1)
	if len(herrs) > 0 {
		return nil, finishErrors(herrs, 0, o.maxErrors())
	}
	chunks, err := parseParallel(first[off:], eof, r, file, s, &o, headLines+1)
	if err != nil {
		return nil, err
	}
	return build(file, s, &o, chunks, nil)
}

// parseCSV reads records with encoding/csv (which handles RFC 4180
// quoting) and adds lineOff to its line numbers.
func (c *chunk) parseCSV(cr *csv.Reader, lineOff int) {
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for !c.full() {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			var pe *csv.ParseError
			c.addErr(csvError(c.file, lineOff, err))
			if !errors.As(err, &pe) {
				return
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		c.rowStrings(rec, int32(line+lineOff))
	}
}

func csvError(file string, lineOff int, err error) *DataError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &DataError{File: file, Line: pe.Line + lineOff, Err: fmt.Errorf("%w: %v", ErrSyntax, pe.Err)}
	}
	return &DataError{File: file, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
}

// validPrefix reports whether b is valid UTF-8, ignoring a rune cut off at
// the end of a block.
func validPrefix(b []byte, eof bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if eof {
		return false
	}
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// readBlock reads up to n bytes after the len(buf) bytes already in buf.
func readBlock(r io.Reader, buf []byte, n int) ([]byte, bool, error) {
	if cap(buf)-len(buf) < n {
		nb := make([]byte, len(buf), len(buf)+n)
		copy(nb, buf)
		buf = nb
	}
	k, err := io.ReadFull(r, buf[len(buf):len(buf)+n])
	buf = buf[:len(buf)+k]
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return buf, true, nil
	}
	return buf, false, err
}

// lastRecordEnd returns the index just past the last newline of b that
// lies outside double quotes (b starts outside quotes), or -1.
func lastRecordEnd(b []byte) int {
	if bytes.IndexByte(b, '"') < 0 {
		return bytes.LastIndexByte(b, '\n') + 1 - boolInt(bytes.LastIndexByte(b, '\n') < 0)
	}
	in, last := false, -1
	for i := 0; i < len(b); {
		j := bytes.IndexAny(b[i:], "\"\n")
		if j < 0 {
			break
		}
		i += j
		if b[i] == '"' {
			in = !in
		} else if !in {
			last = i
		}
		i++
	}
	if last < 0 {
		return -1
	}
	return last + 1
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type job struct {
	seq   int
	data  []byte
	line  int
	lines int
	blk   *block
}

// block is a read buffer shared by the jobs cut from it; the last job to
// finish returns it to the free list.
type block struct {
	buf    []byte
	refs   atomic.Int32
	pooled bool
}

// parseParallel splits the records (the bytes in head, then the
// rest of r) into blocks at newlines outside quotes, cuts each block into
// one piece per worker and parses the pieces in parallel, one chunk each.
// Pieces without quotes take the fast byte path; pieces with quotes go
// through encoding/csv. Chunks come back in file order.
func parseParallel(head []byte, eof bool, r io.Reader, file string, s *schema, o *Options, line int) ([]*chunk, error) {
	nw := o.workers()
	jobs := make(chan job, nw)
	nbuf := nw + 2
	free := make(chan []byte, nbuf)
	allocated := 0
	getBuf := func() []byte {
		select {
		case b := <-free:
			return b
		default:
		}
		if allocated < nbuf {
			allocated++
			return make([]byte, 0, blockSize+blockSize/4)
		}
		return <-free
	}
	var (
		mu      sync.Mutex
		chunks  []*chunk
		nerr    atomic.Int64
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	maxE := int64(o.maxErrors())
	for range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c := newChunk(o, s, file, j.lines+1)
				if bytes.IndexByte(j.data, '"') >= 0 {
					cr := csv.NewReader(bytes.NewReader(j.data))
					c.parseCSV(cr, j.line-1)
				} else {
					c.parsePlain(j.data, j.line)
				}
				c.lastUnit, c.lastInd = nil, nil // drop references to the block
				mu.Lock()
				for len(chunks) <= j.seq {
					chunks = append(chunks, nil)
				}
				chunks[j.seq] = c
				mu.Unlock()
				if nerr.Add(int64(len(c.errs))) >= maxE {
					stopped.Store(true)
				}
				if j.blk.refs.Add(-1) == 0 && j.blk.pooled {
					free <- j.blk.buf[:0]
				}
			}
		}()
	}
	seq := 0
	// dispatch cuts data (whole records) into pieces for the workers.
	dispatch := func(data []byte, blk *block) {
		k := max(1, min(nw, len(data)/(64<<10)))
		var pieces [][2]int
		start := 0
		for i := 0; i < k && start < len(data); i++ {
			end := len(data)
			if i < k-1 {
				target := start + (len(data)-start)/(k-i)
				if e := lastRecordEnd(data[start:target]); e > 0 {
					end = start + e
				}
			}
			pieces = append(pieces, [2]int{start, end})
			start = end
		}
		blk.refs.Store(int32(len(pieces)))
		if len(pieces) == 0 {
			if blk.pooled {
				free <- blk.buf[:0]
			}
			return
		}
		for _, p := range pieces {
			d := data[p[0]:p[1]]
			n := bytes.Count(d, []byte{'\n'})
			jobs <- job{seq: seq, data: d, line: line, lines: n, blk: blk}
			seq++
			line += n
		}
	}
	var rerr error
	var pending []byte
	// The head block is parsed in place, without a copy.
	if end := len(head); !stopped.Load() {
		if !eof {
			end = max(lastRecordEnd(head), 0)
		}
		pending = append([]byte(nil), head[end:]...)
		dispatch(head[:end], &block{buf: head})
	}
	for !eof && !stopped.Load() {
		buf := getBuf()
		buf = append(buf, pending...)
		var err error
		buf, eof, err = readBlock(r, buf, blockSize)
		if err != nil {
			rerr = err
			free <- buf[:0]
			break
		}
		end := len(buf)
		if !eof {
			end = lastRecordEnd(buf)
			if end < 0 { // one record longer than a block: read on
				pending = append([]byte(nil), buf...)
				free <- buf[:0]
				continue
			}
		}
		// a worker may free buf as soon as it parsed buf[:end]: copy the tail
		pending = append(pending[:0], buf[end:]...)
		dispatch(buf[:end], &block{buf: buf, pooled: true})
	}
	close(jobs)
	wg.Wait()
	if rerr != nil {
		return nil, fmt.Errorf("ingest: read %s: %w", file, rerr)
	}
	out := chunks[:0]
	for _, c := range chunks {
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}
