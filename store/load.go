package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/cityimpact/cityimpact/panel"
)

// versionID resolves dataset name and version (0: latest) to the version's
// row id and number, reading through q (a *sql.Tx or *sql.DB).
func versionID(ctx context.Context, q querier, name string, version int) (id, number int, err error) {
	var dsID int
	err = q.QueryRowContext(ctx, `SELECT id FROM datasets WHERE name = ?`, name).Scan(&dsID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, &NotFoundError{Dataset: name}
	}
	if err != nil {
		return 0, 0, err
	}
	if version < 0 {
		return 0, 0, &NotFoundError{Dataset: name, Version: version}
	}
	if version == 0 {
		err = q.QueryRowContext(ctx, `SELECT id, version FROM versions WHERE dataset_id = ? ORDER BY version DESC LIMIT 1`, dsID).Scan(&id, &number)
	} else {
		err = q.QueryRowContext(ctx, `SELECT id, version FROM versions WHERE dataset_id = ? AND version = ?`, dsID, version).Scan(&id, &number)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, &NotFoundError{Dataset: name, Version: version, Empty: version == 0}
	}
	return id, number, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTx runs f on one connection inside a transaction, so that every
// query sees one snapshot even while another goroutine imports or deletes.
func (s *Store) readTx(ctx context.Context, f func(c *sql.Conn) error) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return err
	}
	defer rollback(c) // read only: nothing to commit
	return f(c)
}

// Load returns the panels of dataset name at version (0: the latest), one
// per frequency in order year, quarter, month, each with its units in their
// stored order, its indicators in their stored order, its treatments and
// its imputation record. Missing values are NaN. The panels are new; the
// caller owns them.
func (s *Store) Load(ctx context.Context, name string, version int) ([]*panel.Panel, error) {
	var out []*panel.Panel
	err := s.readTx(ctx, func(tx *sql.Conn) error {
		vid, _, err := versionID(ctx, tx, name, version)
		if err != nil {
			return err
		}
		out, err = loadVersion(ctx, tx, vid)
		return err
	})
	if err != nil {
		var nf *NotFoundError
		if errors.As(err, &nf) {
			return nil, err
		}
		return nil, fmt.Errorf("store: load %q version %d: %w", name, version, err)
	}
	return out, nil
}

func loadVersion(ctx context.Context, tx *sql.Conn, vid int) ([]*panel.Panel, error) {
	units, err := loadUnits(ctx, tx, vid)
	if err != nil {
		return nil, err
	}
	type shape struct {
		freq  panel.Freq
		start int32
		T     int
	}
	var shapes []shape
	err = scanRows(ctx, tx, `SELECT freq, start_ord, periods FROM panels WHERE version_id = ? ORDER BY freq`, []any{vid},
		func(r *sql.Rows) error {
			var s shape
			if err := r.Scan(&s.freq, &s.start, &s.T); err != nil {
				return err
			}
			shapes = append(shapes, s)
			return nil
		})
	if err != nil {
		return nil, err
	}
	members := map[panel.Freq][]panel.Unit{}
	err = scanRows(ctx, tx, `SELECT freq, pos, unit_idx FROM panel_units WHERE version_id = ? ORDER BY freq, pos`, []any{vid},
		func(r *sql.Rows) error {
			var f panel.Freq
			var pos, ui int
			if err := r.Scan(&f, &pos, &ui); err != nil {
				return err
			}
			if ui < 0 || ui >= len(units) || pos != len(members[f]) {
				return fmt.Errorf("corrupt store: panel unit %d of %s panel", pos, f)
			}
			members[f] = append(members[f], units[ui])
			return nil
		})
	if err != nil {
		return nil, err
	}
	byFreq := map[panel.Freq]*panel.Panel{}
	var panels []*panel.Panel
	for _, sh := range shapes {
		p := panel.New(members[sh.freq], panel.Period{Freq: sh.freq, Ord: sh.start}, sh.T)
		byFreq[sh.freq] = p
		panels = append(panels, p)
	}
	// cols[idx] is the column of indicator dictionary entry idx.
	var cols [][]float64
	err = scanRows(ctx, tx, `SELECT idx, code, freq, imputation FROM indicators WHERE version_id = ? ORDER BY idx`, []any{vid},
		func(r *sql.Rows) error {
			var idx int
			var code, imp string
			var f panel.Freq
			if err := r.Scan(&idx, &code, &f, &imp); err != nil {
				return err
			}
			p := byFreq[f]
			if p == nil || idx != len(cols) || p.Has(code) {
				return fmt.Errorf("corrupt store: indicator %q (%s)", code, f)
			}
			c := p.Add(code)
			if imp != "" {
				if p.Imputation == nil {
					p.Imputation = map[string]string{}
				}
				p.Imputation[code] = imp
			}
			cols = append(cols, c)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = scanRows(ctx, tx, `SELECT freq, policy, unit, start_freq, start_ord, exit_freq, exit_ord, note
		FROM treatments WHERE version_id = ? ORDER BY freq, pos`, []any{vid},
		func(r *sql.Rows) error {
			var f, sf panel.Freq
			var so int32
			var ef sql.NullInt16
			var eo sql.NullInt32
			var a panel.Adoption
			if err := r.Scan(&f, &a.Policy, &a.Unit, &sf, &so, &ef, &eo, &a.Note); err != nil {
				return err
			}
			p := byFreq[f]
			if p == nil {
				return fmt.Errorf("corrupt store: treatment of a missing %s panel", f)
			}
			a.Start = panel.Period{Freq: sf, Ord: so}
			if ef.Valid && eo.Valid {
				a.Exit = &panel.Period{Freq: panel.Freq(ef.Int16), Ord: eo.Int32}
			}
			p.Treatments = append(p.Treatments, a)
			return nil
		})
	if err != nil {
		return nil, err
	}
	// The observations: cells absent from the table stay NaN. They are
	// read through the driver directly, skipping database/sql's per-value
	// conversions, which would otherwise dominate the load time.
	err = tx.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("driver cannot query")
		}
		// cell = unit*T + (ord − start): the offset in the panel column.
		rows, err := q.QueryContext(ctx, `SELECT o.ind, o.unit::BIGINT * p.periods + (o.ord - p.start_ord), o.value
			FROM observations o
			JOIN indicators i ON i.version_id = o.version_id AND i.idx = o.ind
			JOIN panels p ON p.version_id = i.version_id AND p.freq = i.freq
			WHERE o.version_id = $1`,
			[]driver.NamedValue{{Ordinal: 1, Value: int64(vid)}})
		if err != nil {
			return err
		}
		defer rows.Close()
		dst := make([]driver.Value, 3)
		for {
			if err := rows.Next(dst); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			ind, ok1 := dst[0].(int32)
			cell, ok2 := dst[1].(int64)
			if !ok1 || !ok2 {
				return fmt.Errorf("corrupt store: observation key types %T %T", dst[0], dst[1])
			}
			if ind < 0 || int(ind) >= len(cols) {
				return fmt.Errorf("corrupt store: observation of indicator %d", ind)
			}
			col := cols[ind]
			if cell < 0 || cell >= int64(len(col)) {
				return fmt.Errorf("corrupt store: observation outside its panel (indicator %d, cell %d)", ind, cell)
			}
			switch v := dst[2].(type) {
			case float64:
				col[cell] = v
			case nil:
				col[cell] = math.NaN()
			default:
				return fmt.Errorf("corrupt store: observation value of type %T", v)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return panels, nil
}

func loadUnits(ctx context.Context, q querier, vid int) ([]panel.Unit, error) {
	var units []panel.Unit
	err := scanRows(ctx, q, `SELECT idx, code, name_zh, name_en, province, region, tier FROM units WHERE version_id = ? ORDER BY idx`, []any{vid},
		func(r *sql.Rows) error {
			var idx int
			var u panel.Unit
			if err := r.Scan(&idx, &u.Code, &u.NameZh, &u.NameEn, &u.Province, &u.Region, &u.Tier); err != nil {
				return err
			}
			if idx != len(units) {
				return fmt.Errorf("corrupt store: unit dictionary has a gap at %d", idx)
			}
			units = append(units, u)
			return nil
		})
	return units, err
}

// scanRows runs query and calls each for every row.
func scanRows(ctx context.Context, q querier, query string, args []any, each func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
