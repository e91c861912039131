package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"

	"pandian/stock"
)

func TestMapErr(t *testing.T) {
	domain := stock.Errorf(stock.ENotFound, "count x not found")
	plain := errors.New("some bug")
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"domain", domain, stock.ENotFound},
		{"wrapped domain", fmt.Errorf("x: %w", domain), stock.ENotFound},
		{"plain", plain, stock.EInternal},
		{"canceled", context.Canceled, stock.EUnavailable},
		{"deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), stock.EUnavailable},
		{"sqlite constraint", sqlite3.Error{Code: sqlite3.ErrConstraint}, stock.EConflict},
		{"sqlite busy", sqlite3.Error{Code: sqlite3.ErrBusy}, stock.EUnavailable},
		{"sqlite io", sqlite3.Error{Code: sqlite3.ErrIoErr}, stock.EUnavailable},
		{"sqlite syntax", sqlite3.Error{Code: sqlite3.ErrError}, stock.EInternal},
		{"pg unique", &pgconn.PgError{Code: "23505"}, stock.EConflict},
		{"pg fk", &pgconn.PgError{Code: "23503"}, stock.EConflict},
		{"pg admin shutdown", &pgconn.PgError{Code: "57P01"}, stock.EUnavailable},
		{"pg too many connections", &pgconn.PgError{Code: "53300"}, stock.EUnavailable},
		{"pg connection failure", &pgconn.PgError{Code: "08006"}, stock.EUnavailable},
		{"pg serialization", &pgconn.PgError{Code: "40001"}, stock.EUnavailable},
		{"pg raise", &pgconn.PgError{Code: "P0001"}, stock.EInternal},
		{"pg syntax", &pgconn.PgError{Code: "42601"}, stock.EInternal},
		{"connection refused", refused, stock.EUnavailable},
		{"wrapped refused", fmt.Errorf("failed to connect: %w", refused), stock.EUnavailable},
		{"econnreset", fmt.Errorf("read: %w", syscall.ECONNRESET), stock.EUnavailable},
		{"bad conn", driver.ErrBadConn, stock.EUnavailable},
		{"conn done", sql.ErrConnDone, stock.EUnavailable},
		{"unexpected EOF", fmt.Errorf("x: %w", io.ErrUnexpectedEOF), stock.EUnavailable},
	} {
		got := mapErr(c.err)
		if code := stock.ErrorCode(got); code != c.want {
			t.Errorf("%s: mapErr(%v) code = %q (%v), want %q", c.name, c.err, code, got, c.want)
		}
		if c.want == stock.EInternal && got != c.err {
			t.Errorf("%s: an unknown error is replaced: %v", c.name, got)
		}
	}
	if mapErr(domain) != error(domain) {
		t.Errorf("a domain error is not passed through unchanged")
	}
}

// TestUnreachablePostgres uses a store whose database is on a closed port
// (no migration, so that Read, Write and Ping themselves meet the refusal).
func TestUnreachablePostgres(t *testing.T) {
	s, err := openPostgres("postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	read := s.Read(ctx, func(tx stock.Tx) error { _, err := tx.Location("HK"); return err })
	write := s.Write(ctx, func(tx stock.Tx) error {
		_, err := tx.PutLocation(stock.Location{Code: "HK", Path: "/HK/"})
		return err
	})
	ping := s.Ping(ctx)
	for name, err := range map[string]error{"Read": read, "Write": write, "Ping": ping} {
		if code := stock.ErrorCode(err); code != stock.EUnavailable {
			t.Errorf("%s on a closed port: code %q (%v), want unavailable", name, code, err)
		}
	}
}

// TestMapErrDetails: a constraint violation keeps the constraint's name,
// its kind and the table, from the driver's error codes and fields.
func TestMapErrDetails(t *testing.T) {
	for _, c := range []struct {
		name                    string
		err                     error
		kind, constraint, table string
	}{
		{"pg unique", &pgconn.PgError{Code: "23505", ConstraintName: "scans_event_id_key", TableName: "scans"}, "unique", "scans_event_id_key", "scans"},
		{"pg fk", &pgconn.PgError{Code: "23503", ConstraintName: "scans_count_id_fkey", TableName: "scans"}, "foreign_key", "scans_count_id_fkey", "scans"},
		{"pg check", &pgconn.PgError{Code: "23514", ConstraintName: "counts_status_check", TableName: "counts"}, "check", "counts_status_check", "counts"},
		{"pg not null", &pgconn.PgError{Code: "23502", TableName: "skus", ColumnName: "name"}, "not_null", "skus.name", "skus"},
		{"sqlite fk", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintForeignKey}, "foreign_key", "", ""},
		{"sqlite trigger", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintTrigger}, "trigger", "", ""},
	} {
		err := mapErr(fmt.Errorf("sqlstore: X: %w", c.err))
		d := stock.ErrorDetails(err)
		if stock.ErrorCode(err) != stock.EConflict || d["kind"] != c.kind || (c.constraint != "" && d["constraint"] != c.constraint) ||
			(c.table != "" && d["table"] != c.table) {
			t.Errorf("%s: %v details %v", c.name, err, d)
		}
		if !errors.Is(err, c.err) && !errors.As(err, new(sqlite3.Error)) {
			t.Errorf("%s: the driver's error is lost", c.name)
		}
	}
	if code := stock.ErrorCode(mapErr(fmt.Errorf("x: %w", pgconn.ErrConnClosed))); code != stock.EUnavailable {
		t.Errorf("conn closed: %q", code)
	}
}
