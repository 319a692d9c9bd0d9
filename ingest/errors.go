package ingest

import (
	"errors"
	"fmt"
	"strings"
)

// Causes of a [DataError]. Tests and callers match them with errors.Is; the
// message of the DataError adds the offending text.
var (
	ErrNotNumber        = errors.New("not a number")
	ErrUnknownUnit      = errors.New("unknown unit")
	ErrDuplicate        = errors.New("duplicate record")
	ErrBadPeriod        = errors.New("malformed period")
	ErrPeriodRange      = errors.New("period out of range")
	ErrUnknownIndicator = errors.New("indicator not in the framework")
	ErrMixedFrequency   = errors.New("mixed frequencies")
	ErrWrongFrequency   = errors.New("frequency differs from the declared one")
	ErrMissingAttribute = errors.New("unit attribute missing")
	ErrAttrConflict     = errors.New("conflicting unit attribute")
	ErrEmptyKey         = errors.New("empty key")
	ErrHeader           = errors.New("bad header")
	ErrSyntax           = errors.New("malformed file")
	ErrEncoding         = errors.New("invalid text encoding")
	ErrFieldCount       = errors.New("wrong number of fields")
	ErrBadTreatment     = errors.New("bad treatment record")
	ErrTooLarge         = errors.New("panel too large")
	ErrNoData           = errors.New("no data")
)

// DataError is one problem in a user's data file, located by file, line and
// column, like [os.PathError] for data. Line is the 1-based CSV line (the
// line a multi-line quoted record starts on), XLSX row or Parquet row; 0 when
// the problem concerns the whole file. Column is the header as written in
// the file, "" for a whole row. Cell is the spreadsheet reference
// ("Sheet1!C14") for XLSX input and "" otherwise.
type DataError struct {
	File   string
	Line   int
	Column string
	Cell   string
	Err    error
}

// Error formats the error as `file:line: column "x": msg`, leaving out the
// parts that are unknown.
func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q", e.Column)
		if e.Cell != "" {
			fmt.Fprintf(&b, " (%s)", e.Cell)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *DataError) Unwrap() error { return e.Err }

// UserFacing reports that the error is the user's to fix (the CLI exits 1).
func (e *DataError) UserFacing() bool { return true }

// DuplicateError is the cause of a [DataError] for a (unit, period,
// indicator) cell given twice: the DataError names the later line, FirstLine
// the earlier one. It matches [ErrDuplicate] under errors.Is.
type DuplicateError struct {
	Unit, Period, Indicator string
	FirstLine               int
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("duplicate record: unit %q, period %s, indicator %q already given on line %d",
		e.Unit, e.Period, e.Indicator, e.FirstLine)
}

// Is reports whether target is [ErrDuplicate].
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// DefaultMaxErrors is the number of errors a reader collects before it stops.
const DefaultMaxErrors = 20

// DataErrors is the list of problems a reader found, sorted by file and
// line and capped at [Options].MaxErrors. More counts further errors found
// before reading stopped; Stopped reports that the cap was reached, so that
// reading stopped early and the rest of the file was not checked. A reader
// that returns DataErrors returns no data.
type DataErrors struct {
	Errs    []*DataError
	More    int
	Stopped bool
}

// Error lists one error per line and ends with "and N more errors" when
// the list was capped.
func (e *DataErrors) Error() string {
	var b strings.Builder
	for i, d := range e.Errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	switch {
	case e.More > 0:
		fmt.Fprintf(&b, "\nand %d more errors; reading stopped there", e.More)
	case e.Stopped:
		fmt.Fprintf(&b, "\nreading stopped after %d errors; there may be more", len(e.Errs))
	}
	return b.String()
}

// Unwrap returns the errors so that errors.Is and errors.As see each one.
func (e *DataErrors) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, d := range e.Errs {
		out[i] = d
	}
	return out
}

// UserFacing reports that the errors are the user's to fix.
func (e *DataErrors) UserFacing() bool { return true }

// errList collects DataErrors up to a cap.
type errList struct {
	max  int
	errs []*DataError
	more int
}

func (l *errList) add(e *DataError) {
	if len(l.errs) < l.max {
		l.errs = append(l.errs, e)
	} else {
		l.more++
	}
}

func (l *errList) full() bool { return len(l.errs) >= l.max }

// finishErrors sorts the errors by line (stable, so same-line errors keep their
// order) and returns them as a *DataErrors, or nil when there are none.
func finishErrors(all []*DataError, more, max int) error {
	if len(all) == 0 {
		return nil
	}
	sortErrs(all)
	if len(all) > max {
		more += len(all) - max
		all = all[:max]
	}
	return &DataErrors{Errs: all, More: more, Stopped: len(all) >= max}
}
