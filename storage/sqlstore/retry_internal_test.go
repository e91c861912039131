package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"pandian/stock"
)

// TestWriteTxRetryStopsOnCancel: writeTx's wait before retrying a
// serialization failure ends with the context.
func TestWriteTxRetryStopsOnCancel(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "pandian.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := retryBackoff
	retryBackoff = func(int) time.Duration { return time.Hour }
	defer func() { retryBackoff = old }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	done := make(chan error, 1)
	go func() {
		done <- s.writeTx(ctx, func(*sql.Tx) error {
			calls++
			go func() { time.Sleep(50 * time.Millisecond); cancel() }()
			return &pgconn.PgError{Code: pgSerialization, Message: "could not serialize access"}
		})
	}()
	select {
	case err := <-done:
		if calls != 1 {
			t.Errorf("%d calls, want 1", calls)
		}
		if stock.ErrorCode(err) != stock.EUnavailable || !errors.Is(err, context.Canceled) {
			t.Errorf("err %v (code %q), want unavailable wrapping context.Canceled", err, stock.ErrorCode(err))
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Errorf("the failure retried is lost: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writeTx still waits to retry 5 s after its context was cancelled")
	}
}
