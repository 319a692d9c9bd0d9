package framework

import (
	"fmt"
	"sort"
	"strings"
)

// MaxProblems caps the problems reported for one file; the rest are counted
// in [ValidationError.Omitted].
const MaxProblems = 50

// Severity ranks a [Problem].
type Severity uint8

const (
	// SeverityError makes the file unusable: Load fails.
	SeverityError Severity = iota
	// SeverityWarning must be fixed before an index is computed (an
	// indicator whose direction the source does not give), but the
	// framework loads.
	SeverityWarning
	// SeverityNote records an interpretation the loader made (weights read
	// as percentages).
	SeverityNote
)

// String returns "error", "warning" or "note".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "note"
}

// Kind is the category of a [Problem], for programs and tests; the message
// is for people.
type Kind string

const (
	KindSyntax        Kind = "syntax"         // not YAML, or not the expected YAML shape
	KindUnknownKey    Kind = "unknown-key"    // a key this schema does not have (a typo)
	KindDuplicateKey  Kind = "duplicate-key"  // the same key twice in one mapping
	KindMissing       Kind = "missing"        // a required key is absent or empty
	KindBadValue      Kind = "bad-value"      // a value outside its allowed set
	KindNotNumber     Kind = "not-number"     // weight, target or floor not a finite number
	KindDuplicateCode Kind = "duplicate-code" // two nodes with one code
	KindNoDirection   Kind = "no-direction"   // an indicator without a direction key
	KindUnknownDir    Kind = "unknown-direction"
	KindNoUnit        Kind = "no-unit"
	KindFrequency     Kind = "frequency"   // frequency not year, quarter or month
	KindAggregation   Kind = "aggregation" // aggregation unknown, or missing for sub-annual data
	KindWeightSum     Kind = "weight-sum"  // children's weights do not sum to 1 (or 100)
	KindWeightPartial Kind = "weight-partial"
	KindNegWeight     Kind = "negative-weight"
	KindPercentWeight Kind = "percent-weights" // note: weights normalised
	KindFloorTarget   Kind = "floor-target"    // floor on the wrong side of the target
	KindLeafField     Kind = "indicator-field-on-dimension"
	KindEmptyGroup    Kind = "empty-dimension"
	KindSchema        Kind = "schema"
)

// Problem is one finding about a framework file. Line and Column are
// 1-based (0 when unknown, e.g. for frameworks built in code). Path is the
// key path in the YAML document, as yq writes it:
// goal.children[0].children[3].direction.
type Problem struct {
	Severity Severity `json:"severity"`
	Kind     Kind     `json:"kind"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Path     string   `json:"path,omitempty"`
	Code     string   `json:"code,omitempty"` // code of the node concerned
	Msg      string   `json:"message"`
}

// String formats p as file:line: path: message, with "warning: " or
// "note: " before the message when p is not an error.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:", p.Line)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	if p.Severity != SeverityError {
		b.WriteString(p.Severity.String())
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError is returned by [Load] when a file has errors. It holds
// every problem found (errors, warnings and notes, errors kept first when
// the cap applies), sorted by line.
type ValidationError struct {
	File     string
	Problems []Problem
	Omitted  int // problems beyond MaxProblems, not listed
}

// Error lists the problems one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n%s: %d more problems not shown", e.File, e.Omitted)
	}
	return b.String()
}

// UserFacing reports that the error is about the user's file (the CLI exits 1).
func (e *ValidationError) UserFacing() bool { return true }

// Errors returns the number of error-severity problems listed.
func (e *ValidationError) Errors() int { return countSeverity(e.Problems, SeverityError) }

func countSeverity(ps []Problem, s Severity) int {
	n := 0
	for _, p := range ps {
		if p.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether ps holds an error-severity problem.
func HasErrors(ps []Problem) bool { return countSeverity(ps, SeverityError) > 0 }

// capProblems keeps at most MaxProblems problems, errors first, and sorts
// the kept ones by line. It returns the kept problems and how many were
// dropped.
func capProblems(ps []Problem) ([]Problem, int) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	if len(ps) <= MaxProblems {
		return ps, 0
	}
	kept := make([]Problem, 0, MaxProblems)
	for _, sev := range []Severity{SeverityError, SeverityWarning, SeverityNote} {
		for _, p := range ps {
			if p.Severity == sev && len(kept) < MaxProblems {
				kept = append(kept, p)
			}
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Line < kept[j].Line })
	return kept, len(ps) - len(kept)
}
