package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Store is an open cityimpact data store: one DuckDB database holding
// datasets and their versions. Reads may run concurrently; writes
// (Import, Delete) are serialised by the Store (one writer at a time). A
// DuckDB file can be open read-write in only one process at a time: a second
// process opening the same file gets an error from DuckDB's file lock.
type Store struct {
	db   *sql.DB
	conn *duckdb.Connector
	path string

	writeMu sync.Mutex // held by Import and Delete

	// hook, when set (tests only), is called during Import after each batch
	// of observation rows is appended, with the number of rows appended so
	// far; a non-nil error aborts the import.
	hook func(rows int) error
}

// Open opens (creating if needed) the store at path, a DuckDB file, or an
// in-memory store when path is "" or ":memory:". The parent directory of a
// file is created. An older store is migrated to the current schema; a
// store written by a newer cityimpact is an [*SchemaError].
func Open(path string) (*Store, error) {
	dsn := path
	if path == ":memory:" {
		dsn = ""
	}
	if dsn != "" {
		if dir := filepath.Dir(dsn); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, &OpenError{Path: path, Err: err}
			}
		}
	}
	if err := checkFile(dsn); err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	c, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, &OpenError{Path: displayPath(path), Err: err}
	}
	s := &Store{db: sql.OpenDB(c), conn: c, path: path}
	if err := s.migrate(context.Background()); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// errNotDuckDB is the cause of an OpenError for an existing file that is
// not a DuckDB database.
var errNotDuckDB = errors.New("not a DuckDB database file")

// checkFile refuses an existing, non-empty file without DuckDB's magic
// bytes ("DUCK" at offset 8 of the main header), so that a data file named
// by mistake as the store is never touched.
func checkFile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	var head [12]byte
	n, err := io.ReadFull(f, head[:])
	if n == 0 && (err == io.EOF) {
		return nil // empty: DuckDB initialises it
	}
	if err != nil || string(head[8:12]) != "DUCK" {
		return errNotDuckDB
	}
	return nil
}

// Close closes the store. Uncommitted work is discarded.
func (s *Store) Close() error {
	return s.db.Close()
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.path }

func displayPath(p string) string {
	if p == "" {
		return ":memory:"
	}
	return p
}

// OpenError reports a store file that cannot be opened: no permission, not
// a DuckDB database, or locked by another process (DuckDB lets one process
// at a time open a file for writing).
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string { return fmt.Sprintf("store: open %s: %v", e.Path, e.Err) }
func (e *OpenError) Unwrap() error { return e.Err }

// UserFacing reports true: the file or its use is the user's to fix.
func (e *OpenError) UserFacing() bool { return true }

// SchemaError reports a store whose schema version is newer than this
// program knows: it was written by a newer cityimpact, and opening it would
// risk misreading or damaging it.
type SchemaError struct {
	Path  string
	Found int // schema version in the file
	Known int // newest schema version this program knows
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("store: %s has schema version %d, newer than this program knows (%d): upgrade cityimpact",
		displayPath(e.Path), e.Found, e.Known)
}

// UserFacing reports true: the remedy is the user's (upgrade or another file).
func (e *SchemaError) UserFacing() bool { return true }

// ErrNotFound is wrapped by errors for an unknown dataset or version.
var ErrNotFound = errors.New("not found")

// NotFoundError names the dataset (and version, if one was asked for) that
// does not exist. It wraps [ErrNotFound].
type NotFoundError struct {
	Dataset string
	Version int  // the version asked for; 0: the dataset itself or its latest version
	Empty   bool // the dataset exists but has no versions
}

func (e *NotFoundError) Error() string {
	if e.Empty {
		return fmt.Sprintf("store: dataset %q has no versions", e.Dataset)
	}
	if e.Version != 0 {
		return fmt.Sprintf("store: dataset %q has no version %d", e.Dataset, e.Version)
	}
	return fmt.Sprintf("store: no dataset %q", e.Dataset)
}

func (e *NotFoundError) Unwrap() error    { return ErrNotFound }
func (e *NotFoundError) UserFacing() bool { return true }
