package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/cityimpact/cityimpact/panel"
	"github.com/xuri/excelize/v2"
)

type unitInfo struct {
	key   string
	line  int32
	attrs []string // by attrKeys slot; nil when the table has no attribute columns
}

type indInfo struct {
	name    string
	line    int32 // first line
	freq    panel.Freq
	mixLine int32 // first line with another frequency, 0 if none
	mixFreq panel.Freq
	succ    int32 // the indicator that followed this one on the last change, -1 if none
}

// chunk parses the records of one piece of a table. Each parallel worker
// has its own; keys are interned per chunk and re-mapped when chunks are
// merged in file order. Records are stored by column (unit, indicator,
// period ordinal, value) with their lines, as long as the data are needed.
type chunk struct {
	o     *Options
	s     *schema
	file  string
	sheet string // XLSX sheet name, for cell references
	// padShort accepts rows shorter than the header (XLSX leaves out
	// trailing empty cells).
	padShort bool
	maxE     int

	unitIdx map[string]int32
	units   []unitInfo
	indIdx  map[string]int32
	inds    []indInfo
	perIdx  map[string]int32
	pers    []perInfo

	lastUnit, lastInd []byte
	lastU, lastI      int32
	lastPer           int32

	u, ind, ord []int32
	val         []float64
	// lines[r] is the line of record r; while nil, record r is on line
	// base+r (one record per line, the common case), saving the slice.
	lines []int32
	base  int32

	errs   []*DataError
	extra  int // errors beyond maxE
	fields [][]byte
}

func newChunk(o *Options, s *schema, file string, sizeHint int) *chunk {
	c := &chunk{o: o, s: s, file: file, maxE: o.maxErrors(),
		unitIdx: map[string]int32{}, indIdx: map[string]int32{}, perIdx: map[string]int32{},
		lastU: -1, lastI: -1, lastPer: -1,
		u: make([]int32, 0, sizeHint), ind: make([]int32, 0, sizeHint), ord: make([]int32, 0, sizeHint),
		val: make([]float64, 0, sizeHint), fields: make([][]byte, len(s.header))}
	if s.layout == Wide {
		for i, n := range s.indNames {
			c.indIdx[n] = int32(i)
			c.inds = append(c.inds, indInfo{name: n, succ: -1}) // line: the first data row
		}
	}
	return c
}

// sbytes views s as bytes without copying; the bytes must not be modified.
func sbytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (c *chunk) full() bool { return len(c.errs) >= c.maxE }

func (c *chunk) addErr(e *DataError) {
	if len(c.errs) >= c.maxE {
		c.extra++
		return
	}
	c.errs = append(c.errs, e)
}

func (c *chunk) errAt(line int32, col int, err error) {
	if len(c.errs) >= c.maxE {
		c.extra++
		return
	}
	e := &DataError{File: c.file, Line: int(line), Err: err}
	if col >= 0 && col < len(c.s.header) {
		e.Column = c.s.header[col]
		if c.sheet != "" {
			e.Cell = cellRef(c.sheet, col, int(line))
		}
	}
	c.errs = append(c.errs, e)
}

func cellRef(sheet string, col, row int) string {
	ref, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return sheet
	}
	return sheet + "!" + ref
}

func (c *chunk) add(u, ind int32, p panel.Period, v float64, line int32) {
	n := len(c.val)
	switch {
	case c.lines != nil:
		c.lines = append(c.lines, line)
	case n == 0:
		c.base = line
	case line != c.base+int32(n):
		c.lines = make([]int32, n, cap(c.val))
		for i := range c.lines {
			c.lines[i] = c.base + int32(i)
		}
		c.lines = append(c.lines, line)
	}
	c.u = append(c.u, u)
	c.ind = append(c.ind, ind)
	c.ord = append(c.ord, p.Ord)
	c.val = append(c.val, v)
}

func (c *chunk) line(r int) int32 {
	if c.lines != nil {
		return c.lines[r]
	}
	return c.base + int32(r)
}

// unit interns the unit key in column col.
func (c *chunk) unit(f []byte, line int32, col int) int32 {
	if c.lastU >= 0 && bytes.Equal(f, c.lastUnit) {
		return c.lastU
	}
	if i, ok := c.unitIdx[string(f)]; ok {
		c.lastUnit, c.lastU = f, i
		return i
	}
	k := trimSpace(f)
	if len(k) == 0 {
		c.errAt(line, col, fmt.Errorf("%w: no unit", ErrEmptyKey))
		return -1
	}
	if !utf8.Valid(k) {
		c.errAt(line, col, fmt.Errorf("%w: unit %q is not UTF-8 (is the file GBK? set the encoding)", ErrEncoding, k))
		return -1
	}
	key := string(k)
	if i, ok := c.unitIdx[key]; ok { // same key with spaces around it
		c.unitIdx[string(f)] = i
		return i
	}
	i := int32(len(c.units))
	c.unitIdx[key] = i
	if len(f) != len(k) {
		c.unitIdx[string(f)] = i
	}
	ui := unitInfo{key: key, line: line}
	if c.s.hasAttrs() {
		ui.attrs = make([]string, len(attrKeys))
	}
	c.units = append(c.units, ui)
	c.lastUnit, c.lastU = f, i
	return i
}

// indicator interns the indicator name in column col (long layout).
func (c *chunk) indicator(f []byte, line int32, col int) int32 {
	prev := c.lastI
	if prev >= 0 {
		if bytes.Equal(f, c.lastInd) {
			return prev
		}
		// Sorted long files cycle through the indicators in one order:
		// try the one that followed the previous indicator last time.
		if s := c.inds[prev].succ; s >= 0 && c.inds[s].name == string(f) {
			c.lastInd, c.lastI = f, s
			return s
		}
	}
	if i, ok := c.indIdx[string(f)]; ok {
		if prev >= 0 {
			c.inds[prev].succ = i
		}
		c.lastInd, c.lastI = f, i
		return i
	}
	k := trimSpace(f)
	if len(k) == 0 {
		c.errAt(line, col, fmt.Errorf("%w: no indicator", ErrEmptyKey))
		return -1
	}
	if !utf8.Valid(k) {
		c.errAt(line, col, fmt.Errorf("%w: indicator %q is not UTF-8 (is the file GBK? set the encoding)", ErrEncoding, k))
		return -1
	}
	key := string(k)
	if i, ok := c.indIdx[key]; ok {
		c.indIdx[string(f)] = i
		return i
	}
	i := int32(len(c.inds))
	c.indIdx[key] = i
	if len(f) != len(k) {
		c.indIdx[string(f)] = i
	}
	c.inds = append(c.inds, indInfo{name: key, line: line, succ: -1})
	if prev >= 0 {
		c.inds[prev].succ = i
	}
	c.lastInd, c.lastI = f, i
	return i
}

// period parses the period in column col; ok is false after an error.
// Distinct period texts are parsed once; like indicators, the period that
// followed the previous one last time is tried before the map.
func (c *chunk) period(f []byte, line int32, col int) (panel.Period, bool) {
	prev := c.lastPer
	if prev >= 0 {
		pi := &c.pers[prev]
		if pi.text == string(f) {
			return pi.p, true
		}
		if s := pi.succ; s >= 0 && c.pers[s].text == string(f) {
			c.lastPer = s
			return c.pers[s].p, true
		}
	}
	i, ok := c.perIdx[string(f)]
	if !ok {
		p, err := parsePeriod(f, c.o)
		if err != nil {
			if _, isNum := fastFloat(trimSpace(f)); isNum && c.sheet != "" && errors.Is(err, ErrBadPeriod) {
				err = fmt.Errorf("%w (a date cell? Excel stores dates as day numbers: format the column as text, e.g. 2015-01)", err)
			}
			c.errAt(line, col, err)
			return p, false
		}
		i = int32(len(c.pers))
		c.perIdx[string(f)] = i
		c.pers = append(c.pers, perInfo{text: string(f), p: p, succ: -1})
	}
	if prev >= 0 {
		c.pers[prev].succ = i
	}
	c.lastPer = i
	return c.pers[i].p, true
}

type perInfo struct {
	text string
	p    panel.Period
	succ int32
}

// checkFreq records the first frequency of indicator i and the first line
// where another one appears.
func (c *chunk) checkFreq(i int32, f panel.Freq, line int32) {
	in := &c.inds[i]
	switch {
	case in.freq == panel.FreqUnknown:
		in.freq = f
		if in.line == 0 {
			in.line = line
		}
	case in.freq != f && in.mixLine == 0:
		in.mixLine, in.mixFreq = line, f
	}
}

func (s *schema) hasAttrs() bool {
	for _, a := range s.attr {
		if a >= 0 {
			return true
		}
	}
	return false
}

// attrs records the unit attributes on a line; a value that differs from
// the one an earlier line gave is an error.
func (c *chunk) attrs(u int32, f [][]byte, line int32) {
	ui := &c.units[u]
	for col, slot := range c.s.attr {
		if slot < 0 {
			continue
		}
		v := trimSpace(f[col])
		if len(v) == 0 {
			continue
		}
		switch old := ui.attrs[slot]; {
		case old == "":
			ui.attrs[slot] = string(v)
		case old != string(v):
			c.errAt(line, col, fmt.Errorf("%w: unit %q has %s %q here and %q on line %d", ErrAttrConflict, ui.key, attrKeys[slot], v, old, ui.line))
		}
	}
}

// splitLine splits an unquoted CSV line at commas into c.fields and
// reports whether the count matched the header.
func (c *chunk) splitLine(line []byte) (int, bool) {
	f := c.fields
	n, start := 0, 0
	for i := 0; i < len(line); i++ {
		if line[i] == ',' {
			if n < len(f) {
				f[n] = line[start:i]
			}
			n++
			start = i + 1
		}
	}
	if n < len(f) {
		f[n] = line[start:]
	}
	n++
	return n, n == len(f)
}

// row handles one record (long or wide) given its fields.
func (c *chunk) row(f [][]byte, line int32) {
	s := c.s
	var u int32 = -1
	if s.unit >= 0 {
		u = c.unit(f[s.unit], line, s.unit)
	}
	var p panel.Period
	pok := false
	if s.period >= 0 {
		p, pok = c.period(f[s.period], line, s.period)
	}
	if u >= 0 && c.units[u].attrs != nil {
		c.attrs(u, f, line)
	}
	if s.layout == Long {
		i := c.indicator(f[s.indicator], line, s.indicator)
		v, err := parseValue(f[s.value], c.o)
		if err != nil {
			c.errAt(line, s.value, err)
			return
		}
		if u < 0 || i < 0 || !pok {
			return
		}
		c.checkFreq(i, p.Freq, line)
		c.add(u, i, p, v, line)
		return
	}
	for col, i := range s.inds {
		if i < 0 {
			continue
		}
		v, err := parseValue(f[col], c.o)
		if err != nil {
			c.errAt(line, col, err)
			continue
		}
		if u < 0 || !pok {
			continue
		}
		c.checkFreq(int32(i), p.Freq, line)
		c.add(u, int32(i), p, v, line)
	}
}

// parsePlain parses CSV text without quotes, starting at line startLine.
func (c *chunk) parsePlain(data []byte, startLine int) {
	line := int32(startLine)
	for len(data) > 0 && !c.full() {
		var l []byte
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			l, data = data[:nl], data[nl+1:]
		} else {
			l, data = data, nil
		}
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		if len(l) == 0 {
			line++
			continue
		}
		if n, ok := c.splitLine(l); !ok {
			c.errAt(line, -1, fmt.Errorf("%w: %d, the header has %d%s", ErrFieldCount, n, len(c.fields), commaHint(false)))
		} else {
			c.row(c.fields, line)
		}
		line++
	}
}

// rowStrings handles one record given as strings (quoted CSV, XLSX, Parquet).
func (c *chunk) rowStrings(rec []string, line int32) {
	if len(rec) != len(c.fields) {
		bad := !c.padShort
		for _, x := range rec[min(len(rec), len(c.fields)):] {
			bad = bad || strings.TrimSpace(x) != ""
		}
		if bad {
			c.errAt(line, -1, fmt.Errorf("%w: %d, the header has %d%s", ErrFieldCount, len(rec), len(c.fields), commaHint(c.padShort)))
			return
		}
	}
	for i := range c.fields {
		if i < len(rec) {
			c.fields[i] = sbytes(rec[i])
		} else {
			c.fields[i] = nil
		}
	}
	c.row(c.fields, line)
}

// parsePeriod reads a period with [panel.ParsePeriod] after mapping
// full-width characters to ASCII, and checks the year range of o.
func parsePeriod(f []byte, o *Options) (panel.Period, error) {
	t := normaliseText(f)
	p, err := panel.ParsePeriod(string(t))
	if err != nil {
		cause := ErrBadPeriod
		if errors.Is(err, panel.ErrPeriodRange) {
			cause = ErrPeriodRange
		}
		if cause == ErrBadPeriod {
			return p, fmt.Errorf("%w: %q (want 2015, 2015Q1, 2015-01 or 2015年1月)", cause, f)
		}
		return p, fmt.Errorf("%w: %q (years %d-%d)", cause, f, panel.MinYear, panel.MaxYear)
	}
	if lo, hi := o.yearRange(); p.Year() < lo || p.Year() > hi {
		return p, fmt.Errorf("%w: %q (years %d-%d)", ErrPeriodRange, f, lo, hi)
	}
	return p, nil
}

func commaHint(spreadsheet bool) string {
	if spreadsheet {
		return ""
	}
	return " (an unquoted comma in a value?)"
}
