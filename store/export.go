package store

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/cityimpact/cityimpact/panel"
)

// ExportOptions chooses the layout of [Store.Export].
type ExportOptions struct {
	// Wide writes one row per unit and period with one column per
	// indicator (unit,period,ind1,ind2,…); otherwise one row per cell
	// (unit,period,indicator,value).
	Wide bool
}

// Export writes dataset name at version (0: latest) to w as CSV: panels in
// order year, quarter, month; within a panel units in stored order, then
// periods, then indicators. Periods are written as panel.Period.String
// (2015, 2015Q1, 2015-01); values in the shortest form that reads back to
// the same float64; a missing value is an empty field (every cell of the
// stored panel is written, so the panel's shape survives a round trip).
// In wide form an indicator present at two frequencies is an error.
func (s *Store) Export(ctx context.Context, w io.Writer, name string, version int, opts ExportOptions) error {
	panels, err := s.Load(ctx, name, version)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if opts.Wide {
		err = writeWide(cw, panels)
	} else {
		err = writeLong(cw, panels)
	}
	if err != nil {
		return fmt.Errorf("store: export %q: %w", name, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("store: export %q: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("store: export %q: %w", name, err)
	}
	return nil
}

func formatValue(buf []byte, v float64) []byte {
	if math.IsNaN(v) {
		return buf[:0]
	}
	return strconv.AppendFloat(buf[:0], v, 'g', -1, 64)
}

func writeLong(cw *csv.Writer, panels []*panel.Panel) error {
	if err := cw.Write([]string{"unit", "period", "indicator", "value"}); err != nil {
		return err
	}
	rec := make([]string, 4)
	var buf []byte
	for _, p := range panels {
		names := p.Indicators()
		cols := make([][]float64, len(names))
		for i, n := range names {
			cols[i] = p.Col(n)
		}
		for u, unit := range p.Units {
			rec[0] = unit.Code
			for t := 0; t < p.T; t++ {
				rec[1] = p.Period(t).String()
				for i, n := range names {
					buf = formatValue(buf, cols[i][u*p.T+t])
					rec[2], rec[3] = n, string(buf)
					if err := cw.Write(rec); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func writeWide(cw *csv.Writer, panels []*panel.Panel) error {
	header := []string{"unit", "period"}
	seen := map[string]panel.Freq{}
	for _, p := range panels {
		for _, n := range p.Indicators() {
			if f, dup := seen[n]; dup {
				return fmt.Errorf("indicator %q is stored at two frequencies (%s, %s): export it in long form", n, f, p.Freq)
			}
			seen[n] = p.Freq
			header = append(header, n)
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	var buf []byte
	off := 2
	for _, p := range panels {
		names := p.Indicators()
		cols := make([][]float64, len(names))
		for i, n := range names {
			cols[i] = p.Col(n)
		}
		for i := 2; i < len(rec); i++ {
			rec[i] = ""
		}
		for u, unit := range p.Units {
			rec[0] = unit.Code
			for t := 0; t < p.T; t++ {
				rec[1] = p.Period(t).String()
				for i := range names {
					buf = formatValue(buf, cols[i][u*p.T+t])
					rec[off+i] = string(buf)
				}
				if err := cw.Write(rec); err != nil {
					return err
				}
			}
		}
		off += len(names)
	}
	return nil
}
