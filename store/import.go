package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cityimpact/cityimpact/panel"
)

// SourceInfo describes one input file of an imported version.
type SourceInfo struct {
	Name   string `json:"name"`   // file name as the user gave it
	SHA256 string `json:"sha256"` // hex SHA-256 of the file's bytes
	Bytes  int64  `json:"bytes"`
	Rows   int64  `json:"rows"`   // data rows read from the file, 0 if unknown
	Format string `json:"format"` // e.g. "csv long", "xlsx wide", "parquet"
}

// HashFile returns the SourceInfo of the file at path with Name, SHA256 and
// Bytes filled in, and the number of lines in it (newline bytes, plus one
// for a last line without a newline): for a CSV file without quoted line
// breaks, the data rows are lines − 1. The caller sets Rows and Format.
func HashFile(path string) (info SourceInfo, lines int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return SourceInfo{}, 0, fmt.Errorf("store: hash source: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<16)
	var n int64
	last := byte('\n')
	for {
		k, rerr := f.Read(buf)
		if k > 0 {
			h.Write(buf[:k])
			n += int64(k)
			lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
			last = buf[k-1]
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return SourceInfo{}, 0, fmt.Errorf("store: hash source %s: %w", path, rerr)
		}
	}
	if last != '\n' {
		lines++
	}
	return SourceInfo{Name: path, SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, lines, nil
}

// IndicatorInfo is optional metadata of an indicator: how it aggregates
// over time (sum, mean, last, max, min) and its unit of measure.
type IndicatorInfo struct {
	Code        string `json:"code"`
	Aggregation string `json:"aggregation,omitempty"`
	Unit        string `json:"unit,omitempty"`
}

// ImportSpec is one version of a dataset to be written by [Store.Import].
type ImportSpec struct {
	Dataset     string // name: letters, digits, '_', '-', '.'; created on first import
	Description string // replaces the dataset's description when not empty
	Sources     []SourceInfo
	// Panels holds the data, at most one panel per frequency. Their units,
	// treatments and imputation records are stored with the values.
	Panels     []*panel.Panel
	Indicators []IndicatorInfo // optional metadata, by indicator code
	Notes      map[string]any  // free-form notes and options, stored as JSON
}

// Version describes one stored version of a dataset.
type Version struct {
	Dataset    string         `json:"dataset"`
	Version    int            `json:"version"` // 1, 2, … per dataset
	Created    time.Time      `json:"created"`
	Cells      int64          `json:"cells"`   // observation cells over all panels
	Missing    int64          `json:"missing"` // of which missing
	Freqs      []panel.Freq   `json:"-"`
	FreqNames  []string       `json:"freqs"`      // Freqs as "year", "quarter", "month"
	Imputation string         `json:"imputation"` // missing-value treatments applied, "none" if none
	Sources    []SourceInfo   `json:"sources"`
	Notes      map[string]any `json:"notes,omitempty"`
}

// MaxProblems caps the problems a ValidationError lists.
const MaxProblems = 20

// ValidationError lists what is wrong with an ImportSpec (at most
// MaxProblems, with More counting the rest). Nothing was written.
type ValidationError struct {
	Dataset  string
	Problems []string
	More     int
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "store: import %q: %d problem(s), nothing written", e.Dataset, len(e.Problems)+e.More)
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n… and %d more", e.More)
	}
	return b.String()
}

// UserFacing reports true: the data are at fault.
func (e *ValidationError) UserFacing() bool { return true }

type problems struct{ e ValidationError }

func (p *problems) addf(format string, args ...any) {
	if len(p.e.Problems) >= MaxProblems {
		p.e.More++
		return
	}
	p.e.Problems = append(p.e.Problems, fmt.Sprintf(format, args...))
}

func (p *problems) err() error {
	if len(p.e.Problems) == 0 {
		return nil
	}
	e := p.e
	return &e
}

// ValidName reports whether name may name a dataset: 1–64 ASCII letters,
// digits, '_', '-' or '.', not starting with '.' or '-'. ('@' separates a
// name from a version on the command line.)
func ValidName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '.' || name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validate checks spec fully in Go, before anything is written.
func validate(spec *ImportSpec) error {
	p := &problems{e: ValidationError{Dataset: spec.Dataset}}
	if !ValidName(spec.Dataset) {
		p.addf("dataset name %q: want 1-64 letters, digits, '_', '-' or '.'", spec.Dataset)
	}
	for i, src := range spec.Sources {
		if src.Name == "" {
			p.addf("source %d: empty name", i+1)
		}
		if src.SHA256 != "" {
			if b, err := hex.DecodeString(src.SHA256); err != nil || len(b) != sha256.Size {
				p.addf("source %s: sha256 %q is not 64 hex digits", src.Name, src.SHA256)
			}
		}
		if src.Rows < 0 || src.Bytes < 0 {
			p.addf("source %s: negative size", src.Name)
		}
	}
	if len(spec.Panels) == 0 {
		p.addf("no panels")
	}
	if _, err := json.Marshal(spec.Notes); err != nil {
		p.addf("notes: %v", err)
	}
	seenFreq := map[panel.Freq]bool{}
	units := map[string]panel.Unit{}
	for i, pn := range spec.Panels {
		if pn == nil {
			p.addf("panel %d: nil", i+1)
			continue
		}
		name := pn.Freq.String()
		if pn.Freq.PerYear() == 0 {
			p.addf("panel %d: unknown frequency", i+1)
			continue
		}
		if seenFreq[pn.Freq] {
			p.addf("panel %d: a second %s panel (one panel per frequency)", i+1, name)
		}
		seenFreq[pn.Freq] = true
		if pn.T > 0 && pn.Start.Freq != pn.Freq {
			p.addf("%s panel: start period %s has another frequency", name, pn.Start)
		}
		if pn.T > 0 {
			if y := pn.Start.Year(); y < panel.MinYear || y > panel.MaxYear {
				p.addf("%s panel: start period %s out of range (years %d-%d)", name, pn.Start, panel.MinYear, panel.MaxYear)
			}
			if y := pn.End().Year(); y < panel.MinYear || y > panel.MaxYear {
				p.addf("%s panel: end period %s out of range (years %d-%d)", name, pn.End(), panel.MinYear, panel.MaxYear)
			}
		}
		for _, u := range pn.Units {
			if strings.TrimSpace(u.Code) == "" {
				p.addf("%s panel: unit with an empty code", name)
				continue
			}
			if prev, ok := units[u.Code]; ok && prev != u {
				p.addf("%s panel: unit %q has attributes %+v, another panel has %+v", name, u.Code, u, prev)
				continue
			}
			units[u.Code] = u
		}
		T := pn.T
		for _, ind := range pn.Indicators() {
			if strings.TrimSpace(ind) == "" {
				p.addf("%s panel: indicator with an empty name", name)
			}
			col := pn.Col(ind)
			for k, v := range col {
				if math.IsInf(v, 0) {
					u := pn.Units[k/T]
					p.addf("%s panel: indicator %q, unit %q, period %s: infinite value %v", name, ind, u.Code, pn.Period(k%T), v)
				}
			}
		}
		for k := range pn.Imputation {
			if !pn.Has(k) {
				p.addf("%s panel: imputation recorded for unknown indicator %q", name, k)
			}
		}
		if err := pn.ValidateTreatments(); err != nil {
			p.addf("%s panel: %v", name, err)
		}
		for j, a := range pn.Treatments {
			if a.Start.Freq.PerYear() == 0 {
				p.addf("%s panel: treatment %d: start period has no frequency", name, j+1)
			}
			if a.Exit != nil && a.Exit.Freq.PerYear() == 0 {
				p.addf("%s panel: treatment %d: exit period has no frequency", name, j+1)
			}
		}
	}
	seenInfo := map[string]bool{}
	for _, in := range spec.Indicators {
		if seenInfo[in.Code] {
			p.addf("indicator metadata: %q given twice", in.Code)
		}
		seenInfo[in.Code] = true
		switch in.Aggregation {
		case "", "sum", "mean", "last", "max", "min":
		default:
			p.addf("indicator metadata: %q: unknown aggregation %q (want sum, mean, last, max or min)", in.Code, in.Aggregation)
		}
	}
	return p.err()
}

// Import writes spec as the next version of its dataset (creating the
// dataset on first import) and returns that version. The spec is validated
// fully first ([*ValidationError]); then everything is written in one
// DuckDB transaction, so on any error – bad data, a full disk, a cancelled
// ctx, a crash – the store is left exactly as it was.
//
// Observations go through DuckDB's Appender on the transaction's own
// connection: an Appender uses the transaction context of its connection,
// so its rows commit or roll back with everything else.
func (s *Store) Import(ctx context.Context, spec ImportSpec) (Version, error) {
	if err := validate(&spec); err != nil {
		return Version{}, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()

	conn, err := s.db.Conn(ctx)
	if err != nil {
		return Version{}, fmt.Errorf("store: import %q: %w", spec.Dataset, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return Version{}, fmt.Errorf("store: import %q: %w", spec.Dataset, err)
	}
	committed := false
	defer func() {
		if !committed {
			rollback(conn)
		}
	}()
	v, err := s.write(ctx, conn, &spec)
	if err != nil {
		return Version{}, fmt.Errorf("store: import %q: %w", spec.Dataset, err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return Version{}, fmt.Errorf("store: import %q: commit: %w", spec.Dataset, err)
	}
	committed = true
	return v, nil
}

// rollback aborts the transaction open on conn. If that fails the
// connection is discarded rather than returned to the pool mid-transaction.
func rollback(conn *sql.Conn) {
	if _, err := conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

func (s *Store) write(ctx context.Context, conn *sql.Conn, spec *ImportSpec) (Version, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	var dsID, next int
	err := conn.QueryRowContext(ctx, `SELECT id, next_version FROM datasets WHERE name = ?`, spec.Dataset).Scan(&dsID, &next)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		next = 1
		err = conn.QueryRowContext(ctx, `INSERT INTO datasets (id, name, description, created_at, next_version)
			VALUES (nextval('dataset_id_seq'), ?, ?, ?, 2) RETURNING id`, spec.Dataset, spec.Description, now).Scan(&dsID)
		if err != nil {
			return Version{}, err
		}
	case err != nil:
		return Version{}, err
	default:
		if _, err := conn.ExecContext(ctx, `UPDATE datasets SET next_version = next_version + 1,
			description = CASE WHEN ? = '' THEN description ELSE ? END WHERE id = ?`,
			spec.Description, spec.Description, dsID); err != nil {
			return Version{}, err
		}
	}

	panels := slices.Clone(spec.Panels)
	sort.SliceStable(panels, func(i, j int) bool { return panels[i].Freq < panels[j].Freq })
	v := Version{Dataset: spec.Dataset, Version: next, Created: now, Sources: spec.Sources, Notes: spec.Notes}
	for _, pn := range panels {
		v.Freqs = append(v.Freqs, pn.Freq)
		v.FreqNames = append(v.FreqNames, pn.Freq.String())
		for _, ind := range pn.Indicators() {
			col := pn.Col(ind)
			v.Cells += int64(len(col))
			for _, x := range col {
				if math.IsNaN(x) {
					v.Missing++
				}
			}
		}
	}
	v.Imputation = imputationSummary(panels)
	notes := "{}"
	if spec.Notes != nil {
		b, _ := json.Marshal(spec.Notes) // checked in validate
		notes = string(b)
	}
	var vid int
	err = conn.QueryRowContext(ctx, `INSERT INTO versions (id, dataset_id, version, created_at, cells, missing, freqs, imputation, notes)
		VALUES (nextval('version_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		dsID, next, now, v.Cells, v.Missing, freqList(v.Freqs), v.Imputation, notes).Scan(&vid)
	if err != nil {
		return Version{}, err
	}
	meta := make(map[string]IndicatorInfo, len(spec.Indicators))
	for _, in := range spec.Indicators {
		meta[in.Code] = in
	}
	err = conn.Raw(func(dc any) error {
		return s.appendAll(ctx, dc.(driver.Conn), int32(vid), spec.Sources, panels, meta)
	})
	if err != nil {
		return Version{}, err
	}
	return v, nil
}

// appendAll writes the contents of version vid through Appenders on the
// transaction's connection dc.
func (s *Store) appendAll(ctx context.Context, dc driver.Conn, vid int32, sources []SourceInfo, panels []*panel.Panel, meta map[string]IndicatorInfo) error {
	err := appendTo(dc, "sources", func(a *duckdb.Appender) error {
		for i, src := range sources {
			if err := a.AppendRow(vid, int32(i), src.Name, src.SHA256, src.Bytes, src.Rows, src.Format); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The unit dictionary: every distinct code over all panels.
	unitIdx := map[string]int32{}
	var units []panel.Unit
	for _, pn := range panels {
		for _, u := range pn.Units {
			if _, ok := unitIdx[u.Code]; !ok {
				unitIdx[u.Code] = int32(len(units))
				units = append(units, u)
			}
		}
	}
	err = appendTo(dc, "units", func(a *duckdb.Appender) error {
		for i, u := range units {
			if err := a.AppendRow(vid, int32(i), u.Code, u.NameZh, u.NameEn, u.Province, u.Region, u.Tier); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTo(dc, "panels", func(a *duckdb.Appender) error {
		for _, pn := range panels {
			if err := a.AppendRow(vid, uint8(pn.Freq), pn.Start.Ord, int32(pn.T)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTo(dc, "panel_units", func(a *duckdb.Appender) error {
		for _, pn := range panels {
			for i, u := range pn.Units {
				if err := a.AppendRow(vid, uint8(pn.Freq), int32(i), unitIdx[u.Code]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTo(dc, "indicators", func(a *duckdb.Appender) error {
		idx := int32(0)
		for _, pn := range panels {
			for pos, ind := range pn.Indicators() {
				m := meta[ind]
				if err := a.AppendRow(vid, idx, ind, uint8(pn.Freq), int32(pos), m.Aggregation, m.Unit, pn.Imputation[ind]); err != nil {
					return err
				}
				idx++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = appendTo(dc, "treatments", func(a *duckdb.Appender) error {
		for _, pn := range panels {
			for i, t := range pn.Treatments {
				var ef, eo driver.Value
				if t.Exit != nil {
					ef, eo = uint8(t.Exit.Freq), t.Exit.Ord
				}
				if err := a.AppendRow(vid, uint8(pn.Freq), int32(i), t.Policy, t.Unit,
					uint8(t.Start.Freq), t.Start.Ord, ef, eo, t.Note); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return appendTo(dc, "observations", func(a *duckdb.Appender) error {
		return s.appendObservations(ctx, a, vid, panels)
	})
}

// hookEvery is how many observation rows pass between checks of ctx (and
// calls of the test hook).
const hookEvery = 1 << 16

func (s *Store) appendObservations(ctx context.Context, a *duckdb.Appender, vid int32, panels []*panel.Panel) error {
	rows := 0
	idx := int32(0)
	// Keys are boxed once, not once per row: only the values allocate.
	vidV := driver.Value(vid)
	var unitV, ordV []driver.Value
	for _, pn := range panels {
		T := pn.T
		unitV = unitV[:0]
		for u := range pn.Units {
			unitV = append(unitV, int32(u))
		}
		ordV = ordV[:0]
		for t := 0; t < T; t++ {
			ordV = append(ordV, pn.Start.Ord+int32(t))
		}
		for _, ind := range pn.Indicators() {
			col := pn.Col(ind)
			indV := driver.Value(idx)
			for u := range pn.Units {
				base := u * T
				for t := 0; t < T; t++ {
					var val driver.Value
					if x := col[base+t]; !math.IsNaN(x) {
						val = x
					}
					if err := a.AppendRow(vidV, indV, unitV[u], ordV[t], val); err != nil {
						return err
					}
					rows++
					if rows%hookEvery == 0 {
						if err := s.checkpoint(ctx, a, rows); err != nil {
							return err
						}
					}
				}
			}
			idx++
		}
	}
	return s.checkpoint(ctx, a, rows)
}

func (s *Store) checkpoint(ctx context.Context, a *duckdb.Appender, rows int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.hook != nil {
		// Push the buffered rows into the table first, so that a failure
		// injected here leaves rows written inside the transaction.
		if err := a.Flush(); err != nil {
			return err
		}
		return s.hook(rows)
	}
	return nil
}

// appendTo runs fill with an Appender on table and closes (flushes) it.
func appendTo(dc driver.Conn, table string, fill func(*duckdb.Appender) error) error {
	a, err := duckdb.NewAppenderFromConn(dc, "", table)
	if err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	if err := fill(a); err != nil {
		a.Close()
		return fmt.Errorf("append to %s: %w", table, err)
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	return nil
}

func freqList(fs []panel.Freq) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, ",")
}

// imputationSummary lists the missing-value treatments applied, as
// "linear: gdp, pop; unit-mean: x", or "none".
func imputationSummary(panels []*panel.Panel) string {
	by := map[string][]string{}
	for _, pn := range panels {
		for _, ind := range pn.Indicators() {
			if m := pn.Imputation[ind]; m != "" && m != "none" {
				by[m] = append(by[m], ind)
			}
		}
	}
	if len(by) == 0 {
		return "none"
	}
	methods := make([]string, 0, len(by))
	for m := range by {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	parts := make([]string, len(methods))
	for i, m := range methods {
		parts[i] = m + ": " + strings.Join(by[m], ", ")
	}
	return strings.Join(parts, "; ")
}
