package sqlstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pandian/storage/pgtest"
	"pandian/storage/sqlstore"
)

// TestPostgresPoolBound: the pool setting reaches the pool, and a busy
// process never holds more connections than it, as PostgreSQL itself
// counts them (pg_stat_activity of the test database).
func TestPostgresPoolBound(t *testing.T) {
	u := pgtest.Fresh(t)
	dbName := pgtest.Name(u)

	// A pool of one connection opens (and migrates) a fresh database:
	// migrating needs no second connection.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	one, err := sqlstore.OpenWith(ctx, u, sqlstore.Options{MaxConns: 1})
	if err != nil {
		t.Fatalf("open with one connection: %v", err)
	}
	if got := one.DB().Stats().MaxOpenConnections; got != 1 {
		t.Errorf("MaxOpenConnections = %d, want 1", got)
	}
	one.Close()

	def := openStore(t, u)
	if got := def.DB().Stats().MaxOpenConnections; got != sqlstore.DefaultMaxConns {
		t.Errorf("default MaxOpenConnections = %d, want %d", got, sqlstore.DefaultMaxConns)
	}
	def.Close()

	const n = 3
	s, err := sqlstore.OpenWith(ctx, u, sqlstore.Options{MaxConns: n})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.DB().Stats().MaxOpenConnections; got != n {
		t.Fatalf("MaxOpenConnections = %d, want %d", got, n)
	}

	// 24 goroutines keep the pool busy with slow queries and store
	// transactions while the admin connection samples the server's view.
	peakConns := pgtest.PeakConnections(t, dbName)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for g := range 24 {
		wg.Go(func() {
			for range 8 {
				var err error
				if g%2 == 0 {
					_, err = s.DB().ExecContext(ctx, `SELECT pg_sleep(0.02)`)
				} else {
					err = s.Ping(ctx)
					if err == nil {
						_, err = s.DB().ExecContext(ctx, `SELECT COUNT(*) FROM schema_migrations, pg_sleep(0.01)`)
					}
				}
				if err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	peak := peakConns()
	if failed.Load() > 0 {
		t.Errorf("%d queries failed", failed.Load())
	}
	t.Logf("peak connections from the process: %d (pool of %d)", peak, n)
	if peak > n {
		t.Errorf("PostgreSQL saw %d connections from one process, pool is %d", peak, n)
	}
	if peak < n {
		t.Errorf("PostgreSQL saw at most %d connections: the load did not fill the pool of %d, the test proves nothing", peak, n)
	}
	if w := s.DB().Stats().WaitCount; w == 0 {
		t.Errorf("no query waited for a connection: the pool was not busy")
	}
}
