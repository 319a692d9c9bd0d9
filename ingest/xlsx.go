package ingest

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/panel"
	"github.com/xuri/excelize/v2"
)

// ReadXLSXFile reads the workbook at path with [ReadXLSX].
func ReadXLSXFile(path string, o Options) ([]*panel.Panel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	if o.Name == "" {
		o.Name = path
	}
	return ReadXLSX(f, o)
}

// ReadXLSX reads one sheet of an XLSX workbook (o.Sheet: a name or a
// 1-based index; the first sheet by default) holding a long or wide table,
// with the same rules as [ReadCSV]. The header is the first non-empty row.
// Cells are read raw, without number formats, so a value formatted as
// "12.5%" reads as 0.125, the number stored. Errors name the sheet row as
// Line and the cell ("Sheet1!C14") as Cell.
func ReadXLSX(r io.Reader, o Options) ([]*panel.Panel, error) {
	file := o.Name
	if file == "" {
		file = "<xlsx>"
	}
	wb, err := excelize.OpenReader(r)
	if err != nil {
		return nil, &DataErrors{Errs: []*DataError{{File: file, Err: fmt.Errorf("%w: not an XLSX workbook: %v", ErrSyntax, err)}}}
	}
	defer wb.Close()
	sheet, err := pickSheet(wb.GetSheetList(), o.Sheet)
	if err != nil {
		return nil, &DataErrors{Errs: []*DataError{{File: file, Err: err}}}
	}
	rows, err := wb.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("ingest: read %s: %w", file, err)
	}
	defer rows.Close()
	var (
		s   *schema
		c   *chunk
		row int
	)
	for rows.Next() {
		row++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("ingest: read %s sheet %q row %d: %w", file, sheet, row, err)
		}
		if len(cells) == 0 || allBlank(cells) {
			continue
		}
		if s == nil {
			var herrs []*DataError
			s, herrs = newSchema(slices.Clone(cells), &o, file, row)
			if len(herrs) > 0 {
				for _, e := range herrs {
					if i := slices.Index(s.header, e.Column); e.Column != "" && i >= 0 {
						e.Cell = cellRef(sheet, i, row)
					}
				}
				return nil, finishErrors(herrs, 0, o.maxErrors())
			}
			c = newChunk(&o, s, file, 1024)
			c.sheet, c.padShort = sheet, true
			continue
		}
		c.rowStrings(cells, int32(row))
		if c.full() {
			break
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("ingest: read %s sheet %q: %w", file, sheet, err)
	}
	if s == nil {
		return nil, &DataErrors{Errs: []*DataError{{File: file, Err: fmt.Errorf("%w: sheet %q is empty", ErrHeader, sheet)}}}
	}
	return build(file, s, &o, []*chunk{c}, nil)
}

func allBlank(cells []string) bool {
	for _, x := range cells {
		if strings.TrimSpace(x) != "" {
			return false
		}
	}
	return true
}

// pickSheet chooses a sheet by name, else by 1-based index.
func pickSheet(list []string, want string) (string, error) {
	if len(list) == 0 {
		return "", fmt.Errorf("%w: the workbook has no sheets", ErrHeader)
	}
	if want == "" {
		return list[0], nil
	}
	if slices.Contains(list, want) {
		return want, nil
	}
	if i, err := strconv.Atoi(want); err == nil && i >= 1 && i <= len(list) {
		return list[i-1], nil
	}
	return "", fmt.Errorf("%w: no sheet %q (sheets: %s)", ErrHeader, want, strings.Join(list, ", "))
}
