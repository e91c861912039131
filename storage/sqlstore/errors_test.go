package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

// TestConstraintViolation: a real duplicate insert is a conflict that
// names the method, the constraint and its kind, and still unwraps to the
// driver's error.
func TestConstraintViolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		j := stock.Job{ID: "job_dup", Kind: "import:skus", Status: "queued", Created: at(1), Updated: at(1)}
		write(t, s, func(tx stock.Tx) error { return tx.CreateJob(j) })
		err := s.Write(context.Background(), func(tx stock.Tx) error { return tx.CreateJob(j) })
		wantCode(t, err, stock.EConflict)
		d := stock.ErrorDetails(err)
		want := map[string]string{"sqlite": "jobs.id", "postgres": "jobs_pkey"}[s.Dialect()]
		if d["constraint"] != want || d["kind"] != "unique" {
			t.Errorf("details %v, want constraint %q and kind unique", d, want)
		}
		if !strings.Contains(err.Error(), "sqlstore: CreateJob: ") {
			t.Errorf("the error does not name its method: %v", err)
		}
		if msg := stock.ErrorMessage(err); msg != "the change conflicts with existing data" {
			t.Errorf("message for people %q", msg)
		}
		var pe *pgconn.PgError
		var se sqlite3.Error
		if s.Dialect() == "postgres" && (!errors.As(err, &pe) || pe.Code != "23505") {
			t.Errorf("the PostgreSQL error is lost: %#v", err)
		}
		if s.Dialect() == "sqlite" && (!errors.As(err, &se) || se.ExtendedCode != sqlite3.ErrConstraintPrimaryKey) {
			t.Errorf("the SQLite error is lost: %#v", err)
		}
	})
}

// TestErrorNamesMethod: a storage error says which method failed while the
// domain's code and message stay what they were.
func TestErrorNamesMethod(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		err := s.Read(context.Background(), func(tx stock.Tx) error { _, err := tx.Job("nope"); return err })
		wantCode(t, err, stock.ENotFound)
		if !strings.HasPrefix(err.Error(), "sqlstore: Job: ") {
			t.Errorf("error %q does not start with the method", err)
		}
		if msg := stock.ErrorMessage(err); msg != "job nope not found" {
			t.Errorf("message %q", msg)
		}
	})
}

// TestWriteLeavesBusyDatabaseOnCancel: while another process holds
// SQLite's write lock, a write whose context ends returns then, not after
// the busy timeout (10 s) the committer's BEGIN waits.
func TestWriteLeavesBusyDatabaseOnCancel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pandian.db")
	s := openStore(t, path)
	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Write(ctx, func(tx stock.Tx) error {
		return tx.CreateJob(stock.Job{ID: "j1", Kind: "import:skus", Status: "queued"})
	})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the write returned %v after its context ended", took-300*time.Millisecond)
	}
	wantCode(t, err, stock.EUnavailable)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v is not the context's", err)
	}
}
