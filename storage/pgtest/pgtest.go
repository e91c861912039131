// Package pgtest gives each test a fresh, empty PostgreSQL database.
//
//	u := pgtest.Fresh(t) // skipped if PostgreSQL is unreachable (fatal under CI)
//	st, err := sqlstore.Open(ctx, u)
//
// The databases are created on the server named by $PANDIAN_TEST_POSTGRES
// (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable,
// the local server `make test` uses) and dropped when the test ends.
//
// Every database is created the same way, with CreateOptions: UTF-8, and an
// ICU "en-US" collation. That is deliberately not the C collation the
// local server defaults to: production databases rarely compare bytes, and
// the store's path range queries are only correct because the schema says
// COLLATE "C" where it must — under a C default database a missing COLLATE
// would go unnoticed. A server that cannot create such a database
// (PostgreSQL before 15, or built without ICU) is treated like an
// unreachable one: the test is skipped, or fails under CI.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL names the environment variable giving the admin URL: a database on
// the test server whose user may CREATE DATABASE.
const EnvURL = "PANDIAN_TEST_POSTGRES"

// DefaultURL is the admin URL used when EnvURL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// CreateOptions follow CREATE DATABASE <name> for every fresh database (see
// the package documentation for why ICU "en-US").
const CreateOptions = `TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`

// AdminURL returns the admin URL: $PANDIAN_TEST_POSTGRES or DefaultURL.
func AdminURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

var admin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

var seq atomic.Int64

// unavailable skips the test, or fails it under CI (CI set), because
// PostgreSQL cannot serve it.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("PostgreSQL is required in CI: %s", msg)
	}
	t.Skipf("%s; set %s", msg, EnvURL)
}

// Admin returns a pool on the admin database, shared by the tests of the
// process (do not close it). It skips the test (fails it under CI) when
// PostgreSQL is not reachable.
func Admin(t testing.TB) *sql.DB {
	t.Helper()
	admin.once.Do(func() {
		db, err := sql.Open("pgx", AdminURL())
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = db.PingContext(ctx)
			cancel()
		}
		if err != nil {
			if db != nil {
				db.Close()
			}
			admin.err = err
			return
		}
		db.SetMaxOpenConns(4)
		admin.db = db
	})
	if admin.err != nil {
		unavailable(t, "PostgreSQL not reachable at %s (%v)", AdminURL(), admin.err)
	}
	return admin.db
}

// Fresh creates an empty database (with CreateOptions) for this test and
// returns its URL: the admin URL with the new database's name as its path.
// The database is dropped, with any connection still open to it, when the
// test ends.
func Fresh(t testing.TB) string {
	t.Helper()
	db := Admin(t)
	name := fmt.Sprintf("pandian_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano(), seq.Add(1))
	if _, err := db.Exec(`CREATE DATABASE ` + name + ` ` + CreateOptions); err != nil {
		if strings.Contains(err.Error(), "ICU") || strings.Contains(err.Error(), "LOCALE_PROVIDER") || strings.Contains(err.Error(), "locale_provider") {
			unavailable(t, "PostgreSQL at %s cannot create an ICU database (PostgreSQL 15+ with ICU is needed): %v", AdminURL(), err)
		}
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Name returns the database name of a URL Fresh returned (to look it up in
// pg_stat_activity, say).
func Name(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// PeakConnections samples, every few milliseconds and from the admin pool
// (so that the sampler is not counted), how many connections PostgreSQL
// holds to the database dbName, until the returned stop is called; stop
// returns the most it saw.
func PeakConnections(t testing.TB, dbName string) (stop func() int64) {
	t.Helper()
	adm := Admin(t)
	var peak atomic.Int64
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var c int64
			if err := adm.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1`, dbName).Scan(&c); err == nil && c > peak.Load() {
				peak.Store(c)
			}
			select {
			case <-done:
				return
			case <-time.After(3 * time.Millisecond):
			}
		}
	}()
	var once sync.Once
	stop = func() int64 {
		once.Do(func() { close(done); <-sampled })
		return peak.Load()
	}
	t.Cleanup(func() { stop() })
	return stop
}
