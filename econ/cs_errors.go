package econ

import (
	"errors"
	"fmt"
	"strings"
)

// Causes of a [CSError], for errors.Is. Each names one reason
// [CallawaySantAnna] cannot estimate; the fields of the CSError that carry
// the evidence are listed with each.
var (
	// ErrBadOptions: a CSOptions field is out of range (negative
	// anticipation, draws or BalanceE, unknown method or sample, alpha
	// outside (0, 1), MinE above MaxE, uniform bands without draws).
	ErrBadOptions = errors.New("invalid options")
	// ErrColumnLength: a CSData column is not as long as Unit (Column).
	ErrColumnLength = errors.New("column lengths differ")
	// ErrNoObservations: CSData has no rows.
	ErrNoObservations = errors.New("no observations")
	// ErrTooFewPeriods: fewer than two periods.
	ErrTooFewPeriods = errors.New("need at least two periods")
	// ErrUnbalanced: a balanced panel was asked for and a unit lacks a
	// period (Unit and Period of the first gap).
	ErrUnbalanced = errors.New("panel is not balanced")
	// ErrDuplicateRow: a unit has a period twice (Row, Unit, Period).
	ErrDuplicateRow = errors.New("unit has a period twice")
	// ErrMissing: a missing (NaN or ±Inf) outcome, covariate or sampling
	// weight (Row, Unit, Period, Column).
	ErrMissing = errors.New("missing value")
	// ErrTreatmentSwitchesOff: the cohort of a unit changes between its
	// rows, as when treatment switches off (Row, Unit, Period, Cohort =
	// the earlier cohort).
	ErrTreatmentSwitchesOff = errors.New("cohort changes within a unit")
	// ErrNegativeCohort: a cohort below 0 (Row, Unit, Period, Cohort).
	ErrNegativeCohort = errors.New("negative cohort")
	// ErrClusterVaries: the cluster of a unit changes between its rows
	// (Row, Unit, Period).
	ErrClusterVaries = errors.New("cluster changes within a unit")
	// ErrBadWeight: a sampling weight that is negative or infinite, varies
	// within a panel unit (Row, Unit, Period), all weights 0, a cohort with
	// zero total weight (Cohort), or a 2×2 comparison whose treated or
	// comparison group has zero total weight (Cohort, Period).
	ErrBadWeight = errors.New("bad sampling weight")
	// ErrAllTreatedFirst: every unit is treated in the first period, so
	// none has a pre-treatment period.
	ErrAllTreatedFirst = errors.New("every unit is treated in the first period")
	// ErrNoTreated: no unit is ever treated within the periods.
	ErrNoTreated = errors.New("no treated units")
	// ErrNoNeverTreated: never-treated controls were asked for and there
	// are no never-treated units, or with not-yet-treated controls too few
	// periods precede the last cohort to use it as comparison (Cohort).
	ErrNoNeverTreated = errors.New("no never-treated units")
	// ErrNoPreTreatment: a cohort has no period before treatment
	// (Cohort).
	ErrNoPreTreatment = errors.New("cohort has no pre-treatment period")
	// ErrNoComparisonUnits: a 2×2 comparison has no comparison units, or
	// (repeated cross-sections, unbalanced panels) a group has no
	// observations in one of its two periods (Cohort, Period).
	ErrNoComparisonUnits = errors.New("no comparison units")
	// ErrNoPostTreatment: every cohort starts after the last period.
	ErrNoPostTreatment = errors.New("no post-treatment period")
	// ErrEventWindow: BalanceE, MinE and MaxE leave no event time (or none
	// ≥ 0) for the dynamic aggregation.
	ErrEventWindow = errors.New("no event time within the window")
	// ErrCollinear: the covariates are collinear or constant among the
	// comparison observations of a 2×2 comparison (Cohort, Period).
	ErrCollinear = errors.New("covariates are collinear")
	// ErrOverlap: did's overlap check failed, a fitted propensity score of
	// 0.999 or more (Cohort, Period); did reports NA for such a cell.
	ErrOverlap = errors.New("overlap condition violated")
	// ErrTrimmed: every comparison observation has a propensity score of
	// 0.995 or more and is trimmed (Cohort, Period).
	ErrTrimmed = errors.New("every comparison observation is trimmed")
	// ErrNoConvergence: the propensity-score logit did not converge or its
	// information matrix is singular (Cohort, Period).
	ErrNoConvergence = errors.New("propensity-score logit failed")
	// ErrNotANumber: a 2×2 estimate came out NaN (Cohort, Period).
	ErrNotANumber = errors.New("estimate is not a number")
)

// CSError is an error of [CallawaySantAnna]: Err is the cause, one of the
// Err… variables above (errors.Is), and Cohort, Period, Unit, Row and
// Column locate it where the cause concerns them (zero values otherwise:
// the documentation of each cause lists the fields it sets, since 0 can be
// a valid period). Msg describes the problem naming the same facts except
// the row, and Hint gives advice, if any. The zero value is not useful.
type CSError struct {
	Err    error
	Cohort int    // first treated period g
	Period int    // period t
	Unit   string // unit label as in CSData.Unit
	Row    int    // 1-based row of CSData; 0 if none
	Column string // "outcome", "time", "cohort", "cluster", "weight", or a covariate's name (or "covariate k", 1-based)
	Msg    string // `outcome of unit "u2" in period 2 is missing`
	Hint   string // `use CSUnbalancedPanel`; "" if none
}

// Error returns "econ: callaway-santanna: row N: " (without the row part
// when Row is 0) followed by Msg and, after a semicolon, Hint.
func (e *CSError) Error() string { return "econ: callaway-santanna: " + e.text() }

func (e *CSError) text() string {
	s := e.Msg
	if e.Row > 0 {
		s = fmt.Sprintf("row %d: %s", e.Row, s)
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Unwrap returns the cause.
func (e *CSError) Unwrap() error { return e.Err }

// CSErrors collects several row problems of one CSData (missing values,
// repeated periods, cohorts, clusters or weights that vary within a unit,
// bad weights) in row order, at most 20; More counts the rest. errors.As
// and errors.Is reach every collected *[CSError]; a single problem comes
// back as a plain *CSError.
type CSErrors struct {
	Errs []*CSError
	More int
}

// Error lists the problems after the prefix, separated by semicolons.
func (e *CSErrors) Error() string {
	var b strings.Builder
	b.WriteString("econ: callaway-santanna: ")
	for i, x := range e.Errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(x.text())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "; and %d more", e.More)
	}
	return b.String()
}

// Unwrap returns the collected errors.
func (e *CSErrors) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, x := range e.Errs {
		out[i] = x
	}
	return out
}

// csErrorf returns a CSError with cause err and Msg formatted; callers set
// the location fields.
func csErrorf(err error, format string, args ...any) *CSError {
	return &CSError{Err: err, Msg: fmt.Sprintf(format, args...)}
}

// csRowError returns a CSError located at row r (0-based) of d, with its
// unit and period.
func csRowError(d CSData, r int, err error, column, format string, args ...any) *CSError {
	return &CSError{Err: err, Row: r + 1, Unit: d.Unit[r], Period: d.Time[r], Column: column,
		Msg: fmt.Sprintf(format, args...)}
}

// csCellError locates err, returned by the 2×2 estimate of cohort g and
// period t, as a CSError of that cell.
func csCellError(g, t int, err error) *CSError {
	e := &CSError{Err: err, Cohort: g, Period: t, Msg: fmt.Sprintf("cohort %d, period %d: %v", g, t, err)}
	var inner *CSError
	if errors.As(err, &inner) {
		e.Err = inner.Err
		e.Msg = fmt.Sprintf("cohort %d, period %d: %s", g, t, inner.Msg)
	}
	return e
}

// csIssues collects row problems, at most maxIssues.
type csIssues struct {
	errs []*CSError
	more int
}

func (c *csIssues) add(e *CSError) {
	if len(c.errs) >= maxIssues {
		c.more++
		return
	}
	c.errs = append(c.errs, e)
}

// err returns nil, the only problem, or all of them as *CSErrors.
func (c *csIssues) err() error {
	switch {
	case len(c.errs) == 0:
		return nil
	case len(c.errs) == 1 && c.more == 0:
		return c.errs[0]
	}
	return &CSErrors{Errs: c.errs, More: c.more}
}
