package econ

import (
	"fmt"
	"strings"
)

// DataIssue is one data problem that prevents an estimate: the unit and
// the period it concerns (either may be empty), the column, and what is
// wrong. [BaconError], [ImputationError] and [SynthError] collect them.
type DataIssue struct {
	Unit, Time, Column string
	Msg                string
}

// maxIssues caps the issues an error collects; the rest are counted.
const maxIssues = 20

// addIssue appends an issue to list, or counts it in more once the list
// holds maxIssues.
func addIssue(list *[]DataIssue, more *int, unit, time, col, format string, args ...any) {
	if len(*list) >= maxIssues {
		*more++
		return
	}
	*list = append(*list, DataIssue{Unit: unit, Time: time, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// formatIssues writes the issues after prefix, separated by semicolons:
// `unit "u" time 3: column "y": missing outcome; and 2 more`.
func formatIssues(prefix string, list []DataIssue, more int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i, is := range list {
		if i > 0 {
			b.WriteString("; ")
		}
		switch {
		case is.Unit != "" && is.Time != "":
			fmt.Fprintf(&b, "unit %q time %s: ", is.Unit, is.Time)
		case is.Unit != "":
			fmt.Fprintf(&b, "unit %q: ", is.Unit)
		}
		if is.Column != "" {
			fmt.Fprintf(&b, "column %q: ", is.Column)
		}
		b.WriteString(is.Msg)
	}
	if more > 0 {
		fmt.Fprintf(&b, "; and %d more", more)
	}
	return b.String()
}
