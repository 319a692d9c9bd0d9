// Package store keeps cityimpact's datasets in an embedded DuckDB database
// (a file, or in memory): each dataset is a series of immutable versions
// 1, 2, …, and each version holds one [panel.Panel] per frequency together
// with its units, policy treatments, the missing-value treatment applied
// to each indicator, indicator metadata (aggregation, unit of measure), the
// source files with their SHA-256 and row counts, and free-form notes.
//
// # Use
//
// Engines never see SQL: they get panels from [Store.Load] and callers
// write panels with [Store.Import]. [Store.Datasets], [Store.Versions] and
// [Store.Show] describe what is stored without loading it; [Store.Export]
// writes a version as long or wide CSV; [Store.Delete] removes a version.
//
// # Layout
//
// Observations are stored in long form, one row per cell of each panel:
// (version, indicator index, unit position, period ordinal, value), with
// SQL NULL for a missing value, so a version's full panel shape – even
// leading or trailing periods with no data – survives a round trip. The
// integer keys index per-version dictionary tables (units, panel_units,
// indicators); the view observations_long joins codes back for people and
// other tools. Periods are [panel.Period] ordinals with their frequency.
//
// # Atomicity
//
// An import is validated fully in Go first ([*ValidationError] lists up to
// [MaxProblems] problems) and then written in one DuckDB transaction on one
// pinned connection. Observations are written with DuckDB's Appender,
// which uses the transaction context of its connection, so they commit or
// roll back with the rest: after any failure (bad data, a cancelled
// context, a full disk, the process killed) the store is exactly as
// before, and no version number is used up.
//
// # Schema
//
// The schema is created and upgraded by an append-only list of migration
// steps recorded in table schema_version. Opening an older store migrates
// it; opening a store written by a newer cityimpact is a [*SchemaError].
//
// # Concurrency
//
// A Store is safe for concurrent use by multiple goroutines. Reads run in
// their own transactions and see one consistent snapshot; writes (Import,
// Delete) are serialised, one at a time. DuckDB locks a database file for
// one read-write process at a time, so a second program opening the same
// file fails until the first closes it.
//
// # Values and errors
//
// Values are float64; NaN is missing and is stored as NULL; infinities are
// rejected at import. Errors are wrapped with a "store:" prefix. Unknown
// datasets or versions are [*NotFoundError] (errors.Is [ErrNotFound]);
// [*ValidationError], [*NotFoundError] and [*SchemaError] report
// UserFacing() true for the command line. Nothing in this package panics
// on bad input.
package store
