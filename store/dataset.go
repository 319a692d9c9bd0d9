package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cityimpact/cityimpact/panel"
)

// Dataset is a named series of versions.
type Dataset struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Created     time.Time `json:"created"`
	Versions    int       `json:"versions"` // number of stored versions
	Latest      int       `json:"latest"`   // newest version number, 0 if none
}

// Datasets returns every dataset, by name.
func (s *Store) Datasets(ctx context.Context) ([]Dataset, error) {
	var out []Dataset
	err := scanRows(ctx, s.db, `SELECT d.name, d.description, d.created_at, count(v.id), coalesce(max(v.version), 0)
		FROM datasets d LEFT JOIN versions v ON v.dataset_id = d.id
		GROUP BY d.name, d.description, d.created_at ORDER BY d.name`, nil,
		func(r *sql.Rows) error {
			var d Dataset
			if err := r.Scan(&d.Name, &d.Description, &d.Created, &d.Versions, &d.Latest); err != nil {
				return err
			}
			d.Created = d.Created.UTC()
			out = append(out, d)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: list datasets: %w", err)
	}
	return out, nil
}

// Versions returns the versions of dataset name, oldest first.
func (s *Store) Versions(ctx context.Context, name string) ([]Version, error) {
	var out []Version
	err := s.readTx(ctx, func(tx *sql.Conn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM datasets WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return &NotFoundError{Dataset: name}
		}
		var ids []int
		err := scanRows(ctx, tx, `SELECT v.id FROM versions v JOIN datasets d ON d.id = v.dataset_id
			WHERE d.name = ? ORDER BY v.version`, []any{name}, func(r *sql.Rows) error {
			var id int
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			v, err := readVersion(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		var nf *NotFoundError
		if errors.As(err, &nf) {
			return nil, err
		}
		return nil, fmt.Errorf("store: versions of %q: %w", name, err)
	}
	return out, nil
}

func readVersion(ctx context.Context, q querier, id int) (Version, error) {
	var v Version
	var freqs, notes string
	err := q.QueryRowContext(ctx, `SELECT d.name, v.version, v.created_at, v.cells, v.missing, v.freqs, v.imputation, v.notes
		FROM versions v JOIN datasets d ON d.id = v.dataset_id WHERE v.id = ?`, id).
		Scan(&v.Dataset, &v.Version, &v.Created, &v.Cells, &v.Missing, &freqs, &v.Imputation, &notes)
	if err != nil {
		return v, err
	}
	v.Created = v.Created.UTC()
	for _, f := range strings.Split(freqs, ",") {
		if f == "" {
			continue
		}
		pf, err := panel.ParseFreq(f)
		if err != nil {
			return v, fmt.Errorf("corrupt store: version %d: %w", v.Version, err)
		}
		v.Freqs = append(v.Freqs, pf)
		v.FreqNames = append(v.FreqNames, pf.String())
	}
	if notes != "{}" && notes != "" && notes != "null" {
		if err := json.Unmarshal([]byte(notes), &v.Notes); err != nil {
			return v, fmt.Errorf("corrupt store: version %d notes: %w", v.Version, err)
		}
	}
	err = scanRows(ctx, q, `SELECT name, sha256, bytes, rows, format FROM sources WHERE version_id = ? ORDER BY pos`, []any{id},
		func(r *sql.Rows) error {
			var s SourceInfo
			if err := r.Scan(&s.Name, &s.SHA256, &s.Bytes, &s.Rows, &s.Format); err != nil {
				return err
			}
			v.Sources = append(v.Sources, s)
			return nil
		})
	return v, err
}

// Summary describes one version: what Show prints.
type Summary struct {
	Version
	Description string         `json:"description"`
	Units       int            `json:"units"` // distinct units over all panels
	Panels      []PanelSummary `json:"panels"`
}

// PanelSummary describes the panel of one frequency in a version.
type PanelSummary struct {
	Freq       panel.Freq         `json:"-"`
	Frequency  string             `json:"frequency"` // Freq.String()
	Units      int                `json:"units"`
	Periods    int                `json:"periods"`
	Start      panel.Period       `json:"-"`
	End        panel.Period       `json:"-"`
	From       string             `json:"from"` // Start.String()
	To         string             `json:"to"`   // End.String()
	Policies   []string           `json:"policies,omitempty"`
	Treatments int                `json:"treatments"` // adoption records
	Indicators []IndicatorSummary `json:"indicators"`
}

// IndicatorSummary describes one indicator of a stored panel. Min, Max and
// Mean are NaN when every cell is missing (and omitted from JSON then).
type IndicatorSummary struct {
	Code         string  `json:"code"`
	Aggregation  string  `json:"aggregation,omitempty"`
	Unit         string  `json:"unit,omitempty"`
	Imputation   string  `json:"imputation,omitempty"`
	Cells        int64   `json:"cells"`
	Missing      int64   `json:"missing"`
	MissingShare float64 `json:"missing_share"` // Missing / Cells, 0 when Cells = 0
	Min          float64 `json:"-"`
	Max          float64 `json:"-"`
	Mean         float64 `json:"-"`
}

// MarshalJSON writes the summary, with min, max and mean only when defined.
func (s IndicatorSummary) MarshalJSON() ([]byte, error) {
	type plain IndicatorSummary
	out := struct {
		plain
		Min  *float64 `json:"min,omitempty"`
		Max  *float64 `json:"max,omitempty"`
		Mean *float64 `json:"mean,omitempty"`
	}{plain: plain(s)}
	if !math.IsNaN(s.Min) {
		out.Min, out.Max, out.Mean = &s.Min, &s.Max, &s.Mean
	}
	return json.Marshal(out)
}

// Show summarises dataset name at version (0: latest) without loading it:
// shape, period range, indicators with their missing shares, treatments.
func (s *Store) Show(ctx context.Context, name string, version int) (Summary, error) {
	var sum Summary
	err := s.readTx(ctx, func(tx *sql.Conn) error {
		vid, _, err := versionID(ctx, tx, name, version)
		if err != nil {
			return err
		}
		if sum.Version, err = readVersion(ctx, tx, vid); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT description FROM datasets WHERE name = ?`, name).Scan(&sum.Description); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE version_id = ?`, vid).Scan(&sum.Units); err != nil {
			return err
		}
		pos := map[panel.Freq]int{}
		err = scanRows(ctx, tx, `SELECT p.freq, p.start_ord, p.periods,
			(SELECT count(*) FROM panel_units pu WHERE pu.version_id = p.version_id AND pu.freq = p.freq),
			(SELECT count(*) FROM treatments t WHERE t.version_id = p.version_id AND t.freq = p.freq),
			(SELECT coalesce(string_agg(DISTINCT policy, '|' ORDER BY policy), '') FROM treatments t WHERE t.version_id = p.version_id AND t.freq = p.freq)
			FROM panels p WHERE p.version_id = ? ORDER BY p.freq`, []any{vid}, func(r *sql.Rows) error {
			var ps PanelSummary
			var start int32
			var policies string
			if err := r.Scan(&ps.Freq, &start, &ps.Periods, &ps.Units, &ps.Treatments, &policies); err != nil {
				return err
			}
			ps.Frequency = ps.Freq.String()
			ps.Start = panel.Period{Freq: ps.Freq, Ord: start}
			ps.End = ps.Start.Add(ps.Periods - 1)
			if ps.Periods > 0 {
				ps.From, ps.To = ps.Start.String(), ps.End.String()
			}
			if policies != "" {
				ps.Policies = strings.Split(policies, "|")
			}
			pos[ps.Freq] = len(sum.Panels)
			sum.Panels = append(sum.Panels, ps)
			return nil
		})
		if err != nil {
			return err
		}
		return scanRows(ctx, tx, `SELECT i.freq, i.code, i.aggregation, i.unit, i.imputation,
			count(o.ind), count(o.value), min(o.value), max(o.value), avg(o.value)
			FROM indicators i LEFT JOIN observations o ON o.version_id = i.version_id AND o.ind = i.idx
			WHERE i.version_id = ?
			GROUP BY i.idx, i.freq, i.code, i.aggregation, i.unit, i.imputation ORDER BY i.idx`, []any{vid},
			func(r *sql.Rows) error {
				var f panel.Freq
				var is IndicatorSummary
				var present int64
				var lo, hi, mean sql.NullFloat64
				if err := r.Scan(&f, &is.Code, &is.Aggregation, &is.Unit, &is.Imputation, &is.Cells, &present, &lo, &hi, &mean); err != nil {
					return err
				}
				is.Missing = is.Cells - present
				if is.Cells > 0 {
					is.MissingShare = float64(is.Missing) / float64(is.Cells)
				}
				is.Min, is.Max, is.Mean = math.NaN(), math.NaN(), math.NaN()
				if lo.Valid {
					is.Min, is.Max, is.Mean = lo.Float64, hi.Float64, mean.Float64
				}
				i, ok := pos[f]
				if !ok {
					return fmt.Errorf("corrupt store: indicator %q of a missing %s panel", is.Code, f)
				}
				sum.Panels[i].Indicators = append(sum.Panels[i].Indicators, is)
				return nil
			})
	})
	if err != nil {
		var nf *NotFoundError
		if errors.As(err, &nf) {
			return Summary{}, err
		}
		return Summary{}, fmt.Errorf("store: show %q version %d: %w", name, version, err)
	}
	return sum, nil
}

// Delete removes version of dataset name (version must be ≥ 1) in one
// transaction. Version numbers are never reused: the next import still
// gets the number after the highest ever written, and a dataset whose
// versions are all deleted stays listed with none.
func (s *Store) Delete(ctx context.Context, name string, version int) error {
	if version < 1 {
		return &NotFoundError{Dataset: name, Version: version}
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete %q version %d: %w", name, version, err)
	}
	defer tx.Rollback()
	vid, _, err := versionID(ctx, tx, name, version)
	if err != nil {
		return err
	}
	for _, table := range []string{"observations", "treatments", "indicators", "panel_units", "units", "panels", "sources"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE version_id = ?`, vid); err != nil {
			return fmt.Errorf("store: delete %q version %d: %w", name, version, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE id = ?`, vid); err != nil {
		return fmt.Errorf("store: delete %q version %d: %w", name, version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: delete %q version %d: %w", name, version, err)
	}
	return nil
}
