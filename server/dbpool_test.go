package main

import (
	"flag"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pandian/storage/pgtest"
)

// PANDIAN_DB_MAX_CONNS reaches the pool, bad values are refused, and a
// server under concurrent requests never holds more connections than it,
// as PostgreSQL counts them.
func TestDBMaxConns(t *testing.T) {
	for _, bad := range []string{"0", "-3", "many"} {
		t.Setenv("PANDIAN_DB_MAX_CONNS", bad)
		if _, err := loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil); err == nil {
			t.Errorf("PANDIAN_DB_MAX_CONNS=%s accepted", bad)
		}
	}
	t.Setenv("PANDIAN_DB_CONN_MAX_LIFETIME", "soon")
	if _, err := loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil); err == nil {
		t.Errorf("PANDIAN_DB_CONN_MAX_LIFETIME=soon accepted")
	}
	t.Setenv("PANDIAN_DB_CONN_MAX_LIFETIME", "10m")
	t.Setenv("PANDIAN_DB_MAX_CONNS", "4")
	cfg, err := loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DB.MaxConns != 4 || cfg.DB.MaxIdleConns != 4 || cfg.DB.ConnMaxLifetime != 10*time.Minute {
		t.Fatalf("config.DB = %+v", cfg.DB)
	}
	tc := testConfig(t, "postgres")
	tc.DB = cfg.DB
	s := startServerWith(t, tc)
	if got := s.app.store.DB().Stats().MaxOpenConnections; got != 4 {
		t.Fatalf("pool MaxOpenConnections = %d, want 4", got)
	}
	dbName := tc.DatabaseURL[strings.LastIndex(tc.DatabaseURL, "/")+1:]
	if i := strings.IndexByte(dbName, '?'); i >= 0 {
		dbName = dbName[:i]
	}
	peakConns := pgtest.PeakConnections(t, dbName)
	s.token("ADMIN")
	var wg sync.WaitGroup
	var bad atomic.Int64
	for range 32 {
		wg.Go(func() {
			for range 6 {
				for _, p := range []string{"/v1/counts", "/v1/locations", "/readyz"} {
					if resp, _ := s.raw("GET", p, "ADMIN", "", nil); resp.StatusCode != 200 {
						bad.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	peak := peakConns()
	t.Logf("peak connections of the server: %d (PANDIAN_DB_MAX_CONNS=4); %d waits for a connection", peak, s.app.store.DB().Stats().WaitCount)
	if bad.Load() > 0 {
		t.Errorf("%d requests failed", bad.Load())
	}
	if peak > 4 {
		t.Errorf("PostgreSQL saw %d connections from the server, the setting is 4", peak)
	}
}
