package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations is the append-only list of schema steps. Step i (0-based)
// brings the schema from version i to i+1; each runs in its own
// transaction together with the update of schema_version. Never edit or
// reorder a step that has shipped: add a new one.
//
// Layout. Observations are stored long, one row per cell of each panel
// (NULL for a missing value), keyed by small integers that index the
// per-version dictionaries of indicators and units, so that a load scans
// four fixed-width columns and a version's rows lie together. Codes and
// names live once per version in the dictionary tables; the view
// observations_long joins them back for people and other tools.
var migrations = []string{
	// 1: datasets, versions and their contents.
	`CREATE SEQUENCE dataset_id_seq START 1;
CREATE SEQUENCE version_id_seq START 1;
CREATE TABLE datasets (
	id           INTEGER PRIMARY KEY,
	name         VARCHAR NOT NULL UNIQUE,
	description  VARCHAR NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	next_version INTEGER NOT NULL
);
CREATE TABLE versions (
	id          INTEGER PRIMARY KEY,
	dataset_id  INTEGER NOT NULL,
	version     INTEGER NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	cells       BIGINT NOT NULL,   -- observation rows, all panels
	missing     BIGINT NOT NULL,   -- of which NULL
	freqs       VARCHAR NOT NULL,  -- e.g. "year,month"
	imputation  VARCHAR NOT NULL,  -- summary of missing-value treatments applied ("none" if none)
	notes       VARCHAR NOT NULL,  -- JSON object of notes and options
	UNIQUE (dataset_id, version)
);
CREATE TABLE sources (
	version_id INTEGER NOT NULL,
	pos        INTEGER NOT NULL,
	name       VARCHAR NOT NULL,
	sha256     VARCHAR NOT NULL,
	bytes      BIGINT NOT NULL,
	rows       BIGINT NOT NULL,
	format     VARCHAR NOT NULL,
	PRIMARY KEY (version_id, pos)
);
CREATE TABLE panels (
	version_id INTEGER NOT NULL,
	freq       UTINYINT NOT NULL,  -- panel.Freq: 1 year, 2 quarter, 3 month
	start_ord  INTEGER NOT NULL,   -- panel.Period ordinal of the first period
	periods    INTEGER NOT NULL,
	PRIMARY KEY (version_id, freq)
);
CREATE TABLE units (
	version_id INTEGER NOT NULL,
	idx        INTEGER NOT NULL,   -- dictionary index within the version
	code       VARCHAR NOT NULL,
	name_zh    VARCHAR NOT NULL,
	name_en    VARCHAR NOT NULL,
	province   VARCHAR NOT NULL,
	region     VARCHAR NOT NULL,
	tier       VARCHAR NOT NULL,
	PRIMARY KEY (version_id, idx),
	UNIQUE (version_id, code)
);
CREATE TABLE panel_units (
	version_id INTEGER NOT NULL,
	freq       UTINYINT NOT NULL,
	pos        INTEGER NOT NULL,   -- position of the unit in the panel
	unit_idx   INTEGER NOT NULL,
	PRIMARY KEY (version_id, freq, pos)
);
CREATE TABLE indicators (
	version_id  INTEGER NOT NULL,
	idx         INTEGER NOT NULL,  -- dictionary index within the version
	code        VARCHAR NOT NULL,
	freq        UTINYINT NOT NULL,
	pos         INTEGER NOT NULL,  -- column position in its panel
	aggregation VARCHAR NOT NULL,  -- sum, mean, last, max, min or ""
	unit        VARCHAR NOT NULL,  -- unit of measure, "" if unknown
	imputation  VARCHAR NOT NULL,  -- missing-value treatment applied, "" for none
	PRIMARY KEY (version_id, idx),
	UNIQUE (version_id, freq, code)
);
CREATE TABLE treatments (
	version_id INTEGER NOT NULL,
	freq       UTINYINT NOT NULL,  -- the panel it belongs to
	pos        INTEGER NOT NULL,
	policy     VARCHAR NOT NULL,
	unit       VARCHAR NOT NULL,
	start_freq UTINYINT NOT NULL,
	start_ord  INTEGER NOT NULL,
	exit_freq  UTINYINT,           -- NULL: no exit
	exit_ord   INTEGER,
	note       VARCHAR NOT NULL,
	PRIMARY KEY (version_id, freq, pos)
);
CREATE TABLE observations (
	version_id INTEGER NOT NULL,
	ind        INTEGER NOT NULL,   -- indicators.idx
	unit       INTEGER NOT NULL,   -- position in the panel (panel_units.pos)
	ord        INTEGER NOT NULL,   -- period ordinal at the indicator's frequency
	value      DOUBLE              -- NULL: missing
);
CREATE VIEW observations_long AS
SELECT d.name AS dataset, v.version, u.code AS unit, i.code AS indicator,
       i.freq, o.ord, o.value
FROM observations o
JOIN versions v ON v.id = o.version_id
JOIN datasets d ON d.id = v.dataset_id
JOIN indicators i ON i.version_id = o.version_id AND i.idx = o.ind
JOIN panel_units pu ON pu.version_id = o.version_id AND pu.freq = i.freq AND pu.pos = o.unit
JOIN units u ON u.version_id = o.version_id AND u.idx = pu.unit_idx;`,
}

// SchemaVersion returns the schema version this program writes: the
// number of migration steps it knows.
func SchemaVersion() int { return len(migrations) }

// migrate brings the store's schema to the newest version.
func (s *Store) migrate(ctx context.Context) error {
	return migrateSteps(ctx, s.db, s.path, migrations)
}

func migrateSteps(ctx context.Context, db *sql.DB, path string, steps []string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate %s: %w", displayPath(path), err)
	}
	var cur int
	err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&cur)
	if err != nil {
		return fmt.Errorf("store: migrate %s: read schema version: %w", displayPath(path), err)
	}
	if cur > len(steps) {
		return &SchemaError{Path: path, Found: cur, Known: len(steps)}
	}
	for v := cur; v < len(steps); v++ {
		if err := runStep(ctx, db, v+1, steps[v]); err != nil {
			return fmt.Errorf("store: migrate %s to schema version %d: %w", displayPath(path), v+1, err)
		}
	}
	return nil
}

func runStep(ctx context.Context, db *sql.DB, version int, step string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, step); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (?)`, version); err != nil {
		return err
	}
	return tx.Commit()
}
