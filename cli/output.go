package cli

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/width"
)

// Output helpers shared by every command: aligned tables that count
// Chinese characters as two columns, CSV, JSON and atomic file writes.

// checkFormat returns a user error unless f is one of allowed.
func checkFormat(f string, allowed ...string) error {
	for _, a := range allowed {
		if f == a {
			return nil
		}
	}
	return userErrorf("--format: unknown format %q (want %s)", f, strings.Join(allowed, ", "))
}

// writeJSON writes v as indented JSON without HTML escaping.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeCSV writes a header and rows as CSV.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if header != nil {
		if err := cw.Write(header); err != nil {
			return err
		}
	}
	return cw.WriteAll(rows)
}

// writeTable writes an aligned text table (two spaces between columns,
// trailing blanks trimmed), counting East Asian wide characters as two
// columns so Chinese names line up in a terminal.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	all := rows
	if header != nil {
		all = append([][]string{header}, rows...)
	}
	var widths []int
	for _, r := range all {
		for j, s := range r {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], textWidth(s))
		}
	}
	var b strings.Builder
	for _, r := range all {
		var line strings.Builder
		for j, s := range r {
			line.WriteString(s)
			if j < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[j]-textWidth(s)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// textWidth returns the terminal width of s: East Asian wide and full-width
// characters count two.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// into place (mode 0644), so a crash never leaves a half-written file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writeRows writes rows, the first of which is the header, as CSV (format
// "csv") or as an aligned table.
func writeRows(w io.Writer, format string, rows [][]string) error {
	if format == "csv" {
		return writeCSV(w, nil, rows)
	}
	if len(rows) == 0 {
		return nil
	}
	return writeTable(w, rows[0], rows[1:])
}
