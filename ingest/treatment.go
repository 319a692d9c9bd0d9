package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/cityimpact/cityimpact/panel"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

var (
	policyNames = []string{"policy", "programme", "program", "pilot", "政策", "政策名称", "试点", "试点名称"}
	startNames  = []string{"start", "start_period", "adopted", "adoption", "year", "开始", "开始时间", "入选年份", "批次年份", "年份"}
	exitNames   = []string{"exit", "end", "exit_period", "退出", "退出时间", "结束"}
	noteNames   = []string{"note", "notes", "batch", "备注", "批次", "说明"}
)

// ReadTreatmentsFile reads the treatment table at path with [ReadTreatments].
func ReadTreatmentsFile(path string, o Options) ([]panel.Adoption, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	if o.Name == "" {
		o.Name = path
	}
	return ReadTreatments(f, o)
}

// ReadTreatments reads a CSV treatment table with columns policy, unit,
// start and optionally exit (the first period no longer treated) and note,
// into adoptions in file order. Units go through o.Units when set (the
// adoption then holds the resolved code). Errors, collected like
// [ReadCSV]'s: an empty policy or unit, a malformed period, an exit not
// after the start, an unknown unit, and a unit entering the same policy
// twice (naming both lines).
func ReadTreatments(r io.Reader, o Options) ([]panel.Adoption, error) {
	file := o.Name
	if file == "" {
		file = "<treatments>"
	}
	tr, err := decodeText(r, o.Encoding)
	if err != nil {
		return nil, fmt.Errorf("ingest: read %s: %w", file, err)
	}
	cr := csv.NewReader(tr)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &DataErrors{Errs: []*DataError{{File: file, Line: 1, Err: fmt.Errorf("%w: the file is empty", ErrHeader)}}}
	}
	if err != nil {
		return nil, &DataErrors{Errs: []*DataError{csvError(file, 0, err)}}
	}
	el := &errList{max: o.maxErrors()}
	used := make([]bool, len(header))
	col := func(names []string, want string, required bool, role string) int {
		i := findCol(header, want, names, used)
		if i >= 0 {
			used[i] = true
		} else if required {
			el.add(&DataError{File: file, Line: 1, Err: fmt.Errorf("%w: no %s column", ErrHeader, role)})
		}
		return i
	}
	cPolicy := col(policyNames, "", true, "policy")
	cUnit := col(unitNames, o.Columns.Unit, true, "unit")
	cStart := col(startNames, "", true, "start")
	cExit := col(exitNames, "", false, "exit")
	cNote := col(noteNames, "", false, "note")
	if len(el.errs) > 0 {
		return nil, finishErrors(el.errs, 0, el.max)
	}
	seen := map[[2]string]int{}
	resolved := map[string]string{}
	var out []panel.Adoption
	for !el.full() {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			el.add(csvError(file, 0, err))
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		at := func(c int, err error) {
			e := &DataError{File: file, Line: line, Err: err}
			if c >= 0 {
				e.Column = header[c]
			}
			el.add(e)
		}
		if len(rec) != len(header) {
			at(-1, fmt.Errorf("%w: %d, the header has %d%s", ErrFieldCount, len(rec), len(header), commaHint(false)))
			continue
		}
		get := func(c int) string {
			if c < 0 {
				return ""
			}
			return strings.TrimSpace(rec[c])
		}
		a := panel.Adoption{Policy: get(cPolicy), Unit: get(cUnit), Note: get(cNote)}
		ok := true
		if a.Policy == "" {
			at(cPolicy, fmt.Errorf("%w: no policy", ErrEmptyKey))
			ok = false
		}
		if a.Unit == "" {
			at(cUnit, fmt.Errorf("%w: no unit", ErrEmptyKey))
			ok = false
		} else if !utf8.ValidString(a.Unit) {
			at(cUnit, fmt.Errorf("%w: unit %q is not UTF-8 (set the encoding)", ErrEncoding, a.Unit))
			ok = false
		} else if o.Units != nil {
			code, done := resolved[a.Unit]
			if !done {
				u, err := o.Units.Resolve(a.Unit)
				if err != nil {
					at(cUnit, fmt.Errorf("%w: %q: %v", ErrUnknownUnit, a.Unit, err))
					ok = false
				} else {
					code = u.Code
					resolved[a.Unit] = code
				}
			}
			if ok {
				a.Unit = code
			}
		}
		start, err := parsePeriod([]byte(get(cStart)), &o)
		if err != nil {
			at(cStart, err)
			ok = false
		}
		a.Start = start
		if x := get(cExit); x != "" && !missingToken([]byte(x)) {
			exit, err := parsePeriod([]byte(x), &o)
			switch {
			case err != nil:
				at(cExit, err)
				ok = false
			case ok && monthOrd(exit) <= monthOrd(start):
				at(cExit, fmt.Errorf("%w: exit %s is not after start %s", ErrBadTreatment, exit, start))
				ok = false
			default:
				a.Exit = &exit
			}
		}
		if !ok {
			continue
		}
		k := [2]string{a.Policy, a.Unit}
		if fl, dup := seen[k]; dup {
			at(cUnit, fmt.Errorf("%w: unit %q enters policy %q again (first on line %d)", ErrDuplicate, a.Unit, a.Policy, fl))
			continue
		}
		seen[k] = line
		out = append(out, a)
	}
	if err := finishErrors(el.errs, el.more, el.max); err != nil {
		return nil, err
	}
	return out, nil
}

// monthOrd returns the month ordinal of the first month of p.
func monthOrd(p panel.Period) int {
	switch p.Freq {
	case panel.Year:
		return p.Year() * 12
	case panel.Quarter:
		return p.Year()*12 + (p.Sub()-1)*3
	}
	return int(p.Ord)
}

// decodeText returns r as UTF-8 text without a BOM: enc GB18030 decodes,
// AutoEncoding decodes when the first 64 KiB are not valid UTF-8.
func decodeText(r io.Reader, enc Encoding) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	eof := err == io.EOF
	if err != nil && !eof && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		head = head[3:]
	}
	if enc == AutoEncoding && !validPrefix(head, eof) {
		enc = GB18030
	}
	if enc == GB18030 {
		return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), nil
	}
	return br, nil
}
