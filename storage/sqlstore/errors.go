package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"

	"pandian/stock"
)

// wrapOp names the storage method that failed: *err becomes
// "sqlstore: op: …" (nil stays nil). errors.Is and errors.As still see
// what it wraps: the domain's *stock.Error, the driver's error.
func wrapOp(err *error, op string) {
	if *err != nil {
		*err = fmt.Errorf("sqlstore: %s: %w", op, *err)
	}
}

// dbError is a driver error classified as a domain error. Its message is
// the driver's (with the methods that wrapped it), for the log; errors.As
// finds both the *stock.Error (code, message for people, details) and the
// driver's error.
type dbError struct {
	kind *stock.Error
	err  error
}

func (e *dbError) Error() string   { return e.kind.Code + ": " + e.err.Error() }
func (e *dbError) Unwrap() []error { return []error{e.kind, e.err} }

// PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgNotNull              = "23502"
	pgForeignKey           = "23503"
	pgUnique               = "23505"
	pgCheck                = "23514"
	pgExclusion            = "23P01"
	pgBadEncoding          = "22021" // character not in repertoire (a NUL)
	pgUntranslatable       = "22P05"
	pgSerialization        = "40001"
	pgDeadlock             = "40P01"
	pgClassIntegrity       = "23" // integrity constraint violation
	pgClassConnection      = "08" // connection exception
	pgClassResources       = "53" // insufficient resources: too many connections, disk full…
	pgClassOperatorIntervn = "57" // 57P01 admin shutdown, 57P03 cannot connect now, 57014 statement timeout…
)

// retryable reports whether a transaction that failed with err may simply
// run again: a PostgreSQL serialization failure or deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == pgSerialization || pe.Code == pgDeadlock)
}

// The messages for people of the classified errors.
const (
	errConflict    = "the change conflicts with existing data"
	errUnavailable = "the database is unavailable; try again"
)

// mapErr turns driver errors into domain errors, by the driver's error
// codes (PostgreSQL's SQLSTATE, SQLite's extended result codes): a
// constraint violation is a conflict whose details name the constraint
// ("constraint", "kind", and on PostgreSQL "table"); an unreachable, busy
// or shutting-down database, a cancelled request or a transaction that
// kept failing on serialization is unavailable. Domain errors, and errors
// it cannot classify (bugs), pass through unchanged. A classified error
// keeps the driver's error and the methods' names (see dbError).
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var de *stock.Error
	if errors.As(err, &de) {
		return err
	}
	if kind := classify(err); kind != nil {
		return &dbError{kind: kind, err: err}
	}
	return err
}

// classify returns the domain error for a driver error, nil if it is none
// of the kinds above.
func classify(err error) *stock.Error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return stock.Errorf(stock.EUnavailable, "the request was cancelled or timed out")
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		return classifySQLite(se)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return classifyPostgres(pe)
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driverBadConn) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) {
		return stock.Errorf(stock.EUnavailable, errUnavailable)
	}
	return nil
}

func classifySQLite(se sqlite3.Error) *stock.Error {
	switch se.Code {
	case sqlite3.ErrConstraint:
		kind := "constraint"
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey, sqlite3.ErrConstraintRowID:
			kind = "unique"
		case sqlite3.ErrConstraintForeignKey:
			kind = "foreign_key"
		case sqlite3.ErrConstraintCheck:
			kind = "check"
		case sqlite3.ErrConstraintNotNull:
			kind = "not_null"
		case sqlite3.ErrConstraintTrigger:
			kind = "trigger"
		}
		return conflict(kind, sqliteConstraint(se), "")
	case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
		return stock.Errorf(stock.EUnavailable, errUnavailable)
	}
	return nil
}

// sqliteConstraint returns what SQLite names in a constraint error: after
// "… constraint failed: ", the columns of a UNIQUE or NOT NULL constraint
// ("scans.event_id") or the name of a CHECK constraint. SQLite has no
// other place for it (its foreign-key errors name nothing: "").
func sqliteConstraint(se sqlite3.Error) string {
	msg := se.Error()
	if i := strings.Index(msg, "constraint failed: "); i >= 0 {
		return msg[i+len("constraint failed: "):]
	}
	return ""
}

func classifyPostgres(pe *pgconn.PgError) *stock.Error {
	switch {
	case pe.Code == pgUnique:
		return conflict("unique", pe.ConstraintName, pe.TableName)
	case pe.Code == pgForeignKey:
		return conflict("foreign_key", pe.ConstraintName, pe.TableName)
	case pe.Code == pgCheck:
		return conflict("check", pe.ConstraintName, pe.TableName)
	case pe.Code == pgNotNull:
		name := pe.ConstraintName
		if name == "" && pe.ColumnName != "" {
			name = pe.TableName + "." + pe.ColumnName
		}
		return conflict("not_null", name, pe.TableName)
	case pe.Code == pgExclusion:
		return conflict("exclusion", pe.ConstraintName, pe.TableName)
	case strings.HasPrefix(pe.Code, pgClassIntegrity):
		return conflict("constraint", pe.ConstraintName, pe.TableName)
	case pe.Code == pgSerialization, pe.Code == pgDeadlock, strings.HasPrefix(pe.Code, pgClassConnection),
		strings.HasPrefix(pe.Code, pgClassResources), strings.HasPrefix(pe.Code, pgClassOperatorIntervn):
		return stock.Errorf(stock.EUnavailable, errUnavailable)
	case pe.Code == pgBadEncoding, pe.Code == pgUntranslatable:
		// Text PostgreSQL cannot hold (a NUL character): bad input, not
		// a server error.
		return stock.Errorf(stock.EInvalid, "the text holds a character that cannot be stored (NUL)")
	}
	return nil
}

// conflict is the domain error of a constraint violation: its details
// name the constraint (when the database does) and its kind, so that the
// API's 409 and the log say which rule the change broke.
func conflict(kind, constraint, table string) *stock.Error {
	e := stock.Errorf(stock.EConflict, errConflict).With("kind", kind)
	if constraint != "" {
		e = e.With("constraint", constraint)
	}
	if table != "" {
		e = e.With("table", table)
	}
	return e
}
