// Package sqlstore implements stock.Store on SQLite (the embedded default)
// and PostgreSQL, with one set of plain SQL queries and versioned
// migrations.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"

	"pandian/stock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a stock.Store over a SQL database.
type Store struct {
	d      dialect
	writer *sql.DB    // SQLite: one connection, so writers queue in Go
	reader *sql.DB    // SQLite: a read-only pool; PostgreSQL: the same pool
	group  *committer // SQLite: group commit of concurrent writes
}

// Options configure the PostgreSQL connection pool of one process (SQLite
// always has one writer and eight readers). Zero values take the defaults.
type Options struct {
	// MaxConns bounds the open connections (default DefaultMaxConns).
	// Every replica and worker holds up to this many: keep their sum
	// under the server's max_connections (100 by default), or put
	// PgBouncer in front.
	MaxConns int
	// MaxIdleConns bounds the idle connections kept open (default
	// MaxConns; at most MaxConns).
	MaxIdleConns int
	// ConnMaxLifetime closes a connection this long after it was opened
	// (default DefaultConnMaxLifetime; negative: never), so that a pool
	// follows a fail-over or a PgBouncer restart.
	ConnMaxLifetime time.Duration
	// ConnMaxIdleTime closes a connection idle this long (default 5 min).
	ConnMaxIdleTime time.Duration
}

// Defaults of Options.
const (
	DefaultMaxConns        = 10
	DefaultConnMaxLifetime = 30 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxIdleConns <= 0 || o.MaxIdleConns > o.MaxConns {
		o.MaxIdleConns = o.MaxConns
	}
	if o.ConnMaxLifetime == 0 {
		o.ConnMaxLifetime = DefaultConnMaxLifetime
	} else if o.ConnMaxLifetime < 0 {
		o.ConnMaxLifetime = 0
	}
	if o.ConnMaxIdleTime <= 0 {
		o.ConnMaxIdleTime = 5 * time.Minute
	}
	return o
}

// Open opens (and migrates) the database at url: "postgres://…" for
// PostgreSQL, otherwise a SQLite file path ("sqlite:" prefix optional),
// with the default Options.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith is Open with a PostgreSQL pool configured by opts.
func OpenWith(ctx context.Context, url string, opts Options) (_ *Store, err error) {
	defer wrapOp(&err, "Open")
	var s *Store
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		s, err = openPostgres(url, opts)
	} else {
		s, err = openSQLite(strings.TrimPrefix(url, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	// WAL with synchronous=FULL: a commit is on disk when it returns, so an
	// acknowledged scan survives kill -9 and power loss.
	base := "file:" + path + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_foreign_keys=on"
	w, err := sql.Open("sqlite3", base+"&_txlock=immediate&_cache_size=-65536")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite3", base+"&_query_only=true")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &Store{d: sqliteDialect, writer: w, reader: r, group: newCommitter(w, sqliteDialect, 256)}, nil
}

func openPostgres(url string, opts Options) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxIdleConns)
	db.SetConnMaxLifetime(opts.ConnMaxLifetime)
	db.SetConnMaxIdleTime(opts.ConnMaxIdleTime)
	return &Store{d: postgresDialect, writer: db, reader: db}, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Close closes the database.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	err := s.writer.Close()
	if s.reader != s.writer {
		s.reader.Close()
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return mapErr(err)
	}
	return nil
}

// Pools returns the connection pools by name, for metrics: SQLite's
// "writer" and "reader", PostgreSQL's one "pool".
func (s *Store) Pools() map[string]*sql.DB {
	if s.reader == s.writer {
		return map[string]*sql.DB{"pool": s.writer}
	}
	return map[string]*sql.DB{"writer": s.writer, "reader": s.reader}
}

// DB returns the writer pool, for benchmarks that compare with raw SQL.
func (s *Store) DB() *sql.DB { return s.writer }

// Rebind adapts a '?' query to the dialect, for benchmarks and tests.
func (s *Store) Rebind(q string) string { return s.d.rebind(q) }

// migrateLock is the PostgreSQL advisory lock key held while migrating.
const migrateLock = 0x70616e6469616e // "pandian"

// migrate applies the migrations not applied yet, each in a transaction.
//
// On PostgreSQL, servers starting together on one database take turns:
// every migration transaction first takes a transaction-scoped advisory
// lock (without it both would apply the same migration and one would
// fail). A transaction-scoped lock needs no connection besides the
// transaction's own (a pool of one connection suffices) and is safe
// behind PgBouncer in transaction mode, where a session lock could be
// taken on one server connection and released on another. (SQLite's
// immediate transactions already serialise them.)
func (s *Store) migrate(ctx context.Context) error {
	lock := func(tx *sql.Tx) error {
		if s.d.name != "postgres" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock)
		return err
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := lock(tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	entries, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	type mig struct {
		version int
		name    string
	}
	var todo []mig
	for _, e := range entries {
		base := filepath.Base(e)
		parts := strings.Split(strings.TrimSuffix(base, ".sql"), ".")
		if len(parts) == 2 && parts[1] != s.d.name {
			continue // another dialect's file
		}
		v, err := strconv.Atoi(strings.SplitN(parts[0], "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: bad version", base)
		}
		todo = append(todo, mig{v, e})
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].version < todo[j].version })
	for _, m := range todo {
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			if err := lock(tx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := migrations.ReadFile(m.name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.d.expand(string(body))); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`), m.version, filepath.Base(m.name), time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// retryBackoff is how long writeTx waits before its attempt+1st retry.
var retryBackoff = func(attempt int) time.Duration { return time.Duration(attempt+1) * 10 * time.Millisecond }

// writeTx runs fn in a read-write transaction on the writer, retrying
// PostgreSQL serialization failures and deadlocks (up to 4 times). It
// stops waiting as soon as ctx ends.
func (s *Store) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return mapErr(err)
		}
		err = runTx(tx, fn)
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if err != nil && retryable(err) && attempt < 4 {
			t := time.NewTimer(retryBackoff(attempt))
			select {
			case <-ctx.Done():
				t.Stop()
				return mapErr(fmt.Errorf("%w (while retrying after: %w)", ctx.Err(), err))
			case <-t.C:
			}
			continue
		}
		return err
	}
}

// runTx runs fn on tx and rolls tx back if fn panics, so that a panic
// (recovered higher up) does not keep the connection (SQLite's only writer)
// and its locks forever.
func runTx(tx *sql.Tx, fn func(*sql.Tx) error) error {
	ok := false
	defer func() {
		if !ok {
			tx.Rollback()
		}
	}()
	err := fn(tx)
	ok = true
	return err
}

// Write runs fn in a durable read-write transaction. On SQLite, writes
// that arrive together share one commit (see committer).
func (s *Store) Write(ctx context.Context, fn func(stock.Tx) error) error {
	if s.group != nil {
		return s.group.do(ctx, fn)
	}
	err := s.writeTx(ctx, func(t *sql.Tx) error { return fn(&tx{ctx: ctx, t: t, d: s.d}) })
	return mapErr(err)
}

// Read runs fn on a consistent read-only view.
func (s *Store) Read(ctx context.Context, fn func(stock.Tx) error) error {
	// PostgreSQL: REPEATABLE READ, so that every statement of fn sees the
	// same snapshot (READ COMMITTED would not). SQLite in WAL mode keeps one
	// snapshot per read transaction anyway.
	opts := &sql.TxOptions{}
	if s.d.name == "postgres" {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	t, err := s.reader.BeginTx(ctx, opts)
	if err != nil {
		return mapErr(err)
	}
	defer t.Rollback()
	return mapErr(fn(&tx{ctx: ctx, t: t, d: s.d}))
}

// tx implements stock.Tx over one SQL transaction.
type tx struct {
	ctx context.Context
	t   *sql.Tx
	d   dialect
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	return t.t.ExecContext(t.ctx, t.d.rebind(q), args...)
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	return t.t.QueryContext(t.ctx, t.d.rebind(q), args...)
}

func (t *tx) queryRow(q string, args ...any) *sql.Row {
	return t.t.QueryRowContext(t.ctx, t.d.rebind(q), args...)
}

// micros and fromMicros convert times to and from the stored form.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func notFound(what, key string) error {
	return stock.Errorf(stock.ENotFound, "%s %s not found", what, key)
}

// queryAll runs q and returns one value per row, made by scan.
func queryAll[T any](t *tx, scan func(*sql.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
