package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pandian/storage/pgtest"
	"pandian/storage/sqlstore"
)

// startPgBouncer runs PgBouncer in transaction pooling mode in front of
// the PostgreSQL of dbURL, with poolSize server connections per database,
// and returns dbURL through it. Skipped without a pgbouncer binary, except
// in CI.
func startPgBouncer(t *testing.T, dbURL string, poolSize int) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/pgbouncer"); err2 != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("PgBouncer is required in CI (make test-deps installs it): %v", err)
			}
			t.Skipf("no pgbouncer binary (make test-deps installs it): %v", err)
		}
		bin = "/usr/sbin/pgbouncer"
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	upHost, upPort, _ := net.SplitHostPort(u.Host)
	// PgBouncer refuses to run as root: then it runs as postgres, which
	// must read its configuration and write its log.
	dir, err := os.MkdirTemp("", "pgbouncer")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	addr := freePort(t)
	host, port, _ := net.SplitHostPort(addr)
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = %s
listen_port = %s
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
reserve_pool_size = 0
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = %s
`, upHost, upPort, host, port, filepath.Join(dir, "users.txt"), poolSize, filepath.Join(dir, "pgbouncer.log"))
	name := u.User.Username()
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), []byte(fmt.Sprintf("%q \"\"\n", name)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if me, err := user.Current(); err == nil && me.Uid == "0" {
		args = append([]string{"-u", "postgres"}, args...)
	}
	cmd := exec.Command(bin, args...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("pgbouncer: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer did not start: %s %s", out, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	u.Host = addr
	return u.String()
}

// TestReplicasBehindPgBouncer follows the README's PgBouncer advice: with
// transaction pooling and default_query_exec_mode=exec, replicas start
// together on a fresh database (migrations take turns), count together,
// and PostgreSQL sees no more connections than PgBouncer's pool, whatever
// PANDIAN_DB_MAX_CONNS the replicas have.
func TestReplicasBehindPgBouncer(t *testing.T) {
	cfg := testConfig(t, "postgres")
	direct := cfg.DatabaseURL
	const pool = 4
	bounced := startPgBouncer(t, direct, pool)
	bu, _ := url.Parse(bounced)
	q := bu.Query()
	q.Set("default_query_exec_mode", "exec")
	bu.RawQuery = q.Encode()
	cfg.DatabaseURL = bu.String()
	cfg.DB = sqlstore.Options{MaxConns: 12}
	dbName := strings.TrimPrefix(bu.Path, "/")

	peakConns := pgtest.PeakConnections(t, dbName)

	// Four processes migrate the fresh database at once.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s, err := sqlstore.OpenWith(ctx, cfg.DatabaseURL, cfg.DB)
			if err == nil {
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent start behind PgBouncer: %v", err)
		}
	}

	replicas := make([]*testServer, 3)
	for i := range replicas {
		c := cfg
		c.DataDir = t.TempDir()
		replicas[i] = startServerWith(t, c)
	}
	super := employeeWith(t, "supervisor", "HK-TST")
	items := replicas[0].newSKUs("bounce", "HK-TST", 3, 50)
	cnt := replicas[0].openCount(super, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"bounce"}}})
	var counters []string
	for _, e := range demoEmployees(t) {
		if e.role == "counter" && e.scope == "HK-TST" {
			counters = append(counters, e.code)
		}
	}
	// Every counter scans one unit of every item 10 times, spread over
	// the replicas.
	var accepted atomic.Int64
	for i, code := range counters {
		wg.Go(func() {
			s := replicas[i%len(replicas)]
			for range 10 {
				for _, it := range items {
					accepted.Add(int64(s.scans(code, cnt.ID, scanIn{Code: it.EAN, Qty: 1}).Accepted))
				}
			}
		})
	}
	wg.Wait()
	peak := peakConns()
	want := int64(len(counters) * 10 * len(items))
	if accepted.Load() != want {
		t.Fatalf("%d scans accepted, want %d", accepted.Load(), want)
	}
	r := replicas[2].report("ADMIN", cnt.ID, "sku")
	var total int64
	for _, l := range r.Lines {
		total += l.CountedQty
	}
	if total != want {
		t.Fatalf("report counts %d units, want %d", total, want)
	}
	t.Logf("3 replicas × PANDIAN_DB_MAX_CONNS=%d, %d counters: PostgreSQL saw at most %d connections (PgBouncer pool %d)", cfg.DB.MaxConns, len(counters), peak, pool)
	if peak > pool {
		t.Errorf("PostgreSQL saw %d connections to the database, PgBouncer's pool is %d", peak, pool)
	}
}
