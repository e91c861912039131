package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"pandian/alerts"
	"pandian/jobs"
	"pandian/stock"
	"pandian/storage/pgtest"
)

// atOnce runs fn on n PostgreSQL transactions started together and
// commits each. The transactions run without writeTx's retry, so a
// deadlock (40P01) that the retry would hide is returned.
func atOnce(s *Store, n int, fn func(w int, t *tx) error) error {
	var start, wg sync.WaitGroup
	start.Add(1)
	errs := make(chan error, n)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			sqlTx, err := s.writer.BeginTx(context.Background(), nil)
			if err != nil {
				errs <- err
				return
			}
			defer sqlTx.Rollback()
			start.Wait()
			err = fn(w, &tx{ctx: context.Background(), t: sqlTx, d: s.d})
			if err == nil {
				err = sqlTx.Commit()
			}
			if err != nil {
				errs <- fmt.Errorf("writer %d: %w", w, err)
			}
		}(w)
	}
	start.Done()
	wg.Wait()
	close(errs)
	return <-errs
}

func openPG(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestNewActorsNoDeadlock: ingests that add the same new (employee, role,
// zone) entries at once wait for each other instead of deadlocking, and
// all get the same ids.
func TestNewActorsNoDeadlock(t *testing.T) {
	s := openPG(t)
	const writers, actors = 6, 40
	for r := 0; r < 4; r++ {
		scans := make([]stock.Scan, actors)
		for i := range scans {
			scans[i] = stock.Scan{Employee: fmt.Sprintf("R%d-E%02d", r, i), Role: stock.RoleCounter, Zone: fmt.Sprintf("Z%d", i%3)}
		}
		ids := make([]map[actorKey]int64, writers)
		err := atOnce(s, writers, func(w int, t *tx) (err error) {
			ids[w], err = t.actorIDs(scans)
			return err
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		for w := 1; w < writers; w++ {
			for k, id := range ids[0] {
				if id == 0 || ids[w][k] != id {
					t.Fatalf("round %d: writer %d has id %d for %v, writer 0 %d", r, w, ids[w][k], k, id)
				}
			}
		}
	}
}

// TestApplyMovementsNoDeadlock: postings that move the same stock levels
// in opposite orders at once (an approval and a receipt at one store) wait
// for each other instead of deadlocking, and every movement is counted.
func TestApplyMovementsNoDeadlock(t *testing.T) {
	s := openPG(t)
	const writers, skus, rounds = 6, 40, 4
	for r := 0; r < rounds; r++ {
		err := atOnce(s, writers, func(w int, t *tx) error {
			ms := make([]stock.Movement, skus)
			hashes := make([]string, skus)
			for i := range ms {
				k := i
				if w%2 == 1 {
					k = skus - 1 - i
				}
				ms[i] = stock.Movement{MovementID: fmt.Sprintf("M-%d-%d-%d", r, w, k), Location: "HK-01", SKU: fmt.Sprintf("S%02d", k),
					QtyDelta: 1, Kind: stock.MoveReceipt, At: time.Unix(0, 0), Posted: time.Unix(0, 0)}
				hashes[i] = ms[i].MovementID
			}
			return t.ApplyMovements(ms, hashes)
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
	var total, rows int64
	if err := s.writer.QueryRow(`SELECT COALESCE(SUM(qty), 0), COUNT(*) FROM stock_levels`).Scan(&total, &rows); err != nil {
		t.Fatal(err)
	}
	if rows != skus || total != writers*skus*rounds {
		t.Errorf("%d levels holding %d, want %d holding %d", rows, total, skus, writers*skus*rounds)
	}
}

// TestSignInUnlockNoDeadlock: an unlock (and a PIN change, which clears
// the same rows) at the same time as sign-ins of the same employee waits
// for them instead of deadlocking. A sign-in takes its source's row, then
// the shared "*" row; the unlock takes every row of the employee, and in
// the table's or the index's order "*" can come before the source's.
func TestSignInUnlockNoDeadlock(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	p := stock.ThrottlePolicy{Limit: 1 << 30, FirstLock: time.Minute, MaxLock: time.Hour}
	now := time.Now()
	err := s.Write(ctx, func(tx stock.Tx) error {
		if _, err := tx.PutEmployee(stock.Employee{Code: "E1", Name: "E1", Role: stock.RoleCounter, Scope: []string{}}, "h0"); err != nil {
			return err
		}
		// Sources created after "*" (a second device) lie after it.
		for _, src := range []string{"device:A", stock.AllSources, "device:B", "device:C"} {
			if _, err := tx.CountSignIn("E1", src, now, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	const writers = 6
	for r := 0; r < 30; r++ {
		err := atOnce(s, writers, func(w int, t *tx) error {
			switch w % 3 {
			case 0, 1: // a sign-in from device B or C
				src := []string{"device:B", "device:C"}[w%3]
				if _, err := t.CountSignIn("E1", src, now, p); err != nil {
					return err
				}
				_, err := t.CountSignIn("E1", stock.AllSources, now, p)
				return err
			default:
				if w%2 == 0 {
					_, err := t.UnlockSignIn("E1", now, p)
					return err
				}
				_, err := t.PutEmployee(stock.Employee{Code: "E1", Name: "E1", Role: stock.RoleCounter, Scope: []string{}}, fmt.Sprintf("h%d", r))
				return err
			}
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}

// TestPruneSignInsNoDeadlock: pruning expired sessions and refresh tokens
// at the same time as a sign-in's family is revoked (a refresh token
// presented twice) waits instead of deadlocking: both take the refresh
// tokens, then the sessions.
func TestPruneSignInsNoDeadlock(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	long := time.Now().Add(-48 * time.Hour)
	putE1(t, s)
	const writers, families, each = 4, 3, 8
	for r := 0; r < 30; r++ {
		err := s.Write(ctx, func(tx stock.Tx) error {
			for f := 0; f < families; f++ {
				fam := fmt.Sprintf("F%d-%d", r, f)
				for i := 0; i < each; i++ {
					tok := fmt.Sprintf("%s-%d", fam, i)
					if err := tx.CreateSession(stock.Session{TokenHash: "s" + tok, Employee: "E1", DeviceID: "d", Created: long, Expires: long, Family: fam}); err != nil {
						return err
					}
					if err := tx.CreateRefresh(stock.RefreshToken{TokenHash: "r" + tok, Family: fam, Employee: "E1", DeviceID: "d", Created: long, Expires: long}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = atOnce(s, writers, func(w int, t *tx) error {
			if w == 0 {
				_, err := t.PruneSignIns(time.Now())
				return err
			}
			_, err := t.RevokeFamily(fmt.Sprintf("F%d-%d", r, w-1))
			return err
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}

// TestPruneThrottleNoDeadlock: pruning idle sign-in sources at the same
// time as sign-ins from them waits instead of deadlocking: both take a
// source's row before the shared "*" row. Every sign-in gets its count
// (see TestSignInSourcePrunedUnder).
func TestPruneThrottleNoDeadlock(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	p := stock.ThrottlePolicy{Limit: 1 << 30, FirstLock: time.Minute, MaxLock: time.Hour}
	long, now := time.Now().Add(-48*time.Hour), time.Now()
	srcs := []string{"device:A", stock.AllSources, "device:B", "device:C", "device:D"}
	for r := 0; r < 30; r++ {
		code := fmt.Sprintf("E%d", r)
		err := s.Write(ctx, func(tx stock.Tx) error {
			for _, src := range srcs {
				if _, err := tx.CountSignIn(code, src, long, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = atOnce(s, 4, func(w int, t *tx) error {
			var err error
			if w == 0 {
				_, err = t.PruneSignIns(now.Add(-time.Hour))
			} else if _, err = t.CountSignIn(code, srcs[1+w], now, p); err == nil {
				_, err = t.CountSignIn(code, stock.AllSources, now, p)
			}
			return err
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}

// TestCatalogImportFoldersNoDeadlock: a catalog import updating SKUs in
// its file's order at the same time as the SKU-folder sync marks them
// waits instead of deadlocking: both take the SKUs' rows in code order.
func TestCatalogImportFoldersNoDeadlock(t *testing.T) {
	s := openPG(t)
	const writers, n, rounds = 4, 2000, 6
	skus := make([]stock.SKU, n)
	codes := make([]string, n)
	keys := make([][]string, n)
	for i := range skus {
		codes[i] = fmt.Sprintf("S%05d", i)
		skus[i] = stock.SKU{SKU: codes[i], Name: "x", Category: "c"}
		keys[i] = []string{}
	}
	// Stored in the reverse of code order, as an import of a file in
	// another order stores them.
	if _, err := s.writer.Exec(`INSERT INTO skus (sku, name, name_zh, category, unit_cost, updated_at)
		SELECT 'S' || lpad(g::text, 5, '0'), 'x', '', 'c', 0, 0 FROM generate_series($1::int - 1, 0, -1) g`, n); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < rounds; r++ {
		err := atOnce(s, writers, func(w int, t *tx) error {
			if w%2 == 1 {
				return t.MarkSKUFolders(codes, time.Now())
			}
			file := make([]stock.SKU, n)
			for i := range file {
				file[i] = skus[n-1-i]
				file[i].Name = fmt.Sprintf("x%d-%d", r, w)
			}
			return t.PutSKUs(file, keys)
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}

// TestAlertDeliveriesNoDeadlock: two evaluators (two replicas) enqueueing
// the same alerts in other orders wait for each other's dedup keys instead
// of deadlocking, and each alert is enqueued once.
func TestAlertDeliveriesNoDeadlock(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	const writers, n, rounds = 4, 40, 4
	now := time.Now().UTC()
	total := 0
	var mu sync.Mutex
	for r := 0; r < rounds; r++ {
		err := atOnce(s, writers, func(w int, t *tx) error {
			ds := make([]alerts.Delivery, n)
			for i := range ds {
				k := i
				if w%2 == 1 {
					k = n - 1 - i
				}
				subject := fmt.Sprintf("count:C%d-%02d", r, k)
				ds[i] = alerts.Delivery{ID: alerts.NewID("dl_"), DedupKey: "big|" + subject + "|t1", RuleID: "big", TargetID: "t1",
					TargetKind: alerts.TargetDingTalk, Subject: subject, Status: alerts.StatusPending, NextAt: now, Created: now, Updated: now}
			}
			added, err := s.enqueueDeliveries(ctx, t.t, ds)
			mu.Lock()
			total += added
			mu.Unlock()
			return err
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
	if total != n*rounds {
		t.Errorf("%d deliveries enqueued, want %d", total, n*rounds)
	}
}

// TestAlertAttemptsNoDeadlock: a delivery recorded as sent by a runner
// whose lease ran out, at the same time as the runner that took its job
// over records a failed attempt, wait for each other instead of
// deadlocking: both take the delivery, then its job.
func TestAlertAttemptsNoDeadlock(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	const pairs, rounds = 3, 40
	for r := 0; r < rounds; r++ {
		now := time.Now().UTC()
		ds := make([]alerts.Delivery, pairs)
		for i := range ds {
			subject := fmt.Sprintf("count:C%d-%d", r, i)
			ds[i] = alerts.Delivery{ID: alerts.NewID("dl_"), DedupKey: "big|" + subject + "|t1", RuleID: "big", TargetID: "t1",
				TargetKind: alerts.TargetDingTalk, Subject: subject, Status: alerts.StatusPending, NextAt: now, Created: now, Updated: now}
		}
		if _, err := s.EnqueueAlertDeliveries(ctx, ds); err != nil {
			t.Fatal(err)
		}
		claimed, err := s.ClaimJobs(ctx, []string{alerts.KindDeliver}, "runner-2", now.Add(time.Second), time.Minute, pairs)
		if err != nil || len(claimed) != pairs {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}
		err = atOnce(s, 2*pairs, func(w int, t *tx) error {
			j := claimed[w/2]
			a := alerts.Attempt{DeliveryID: j.ID, Attempt: 1, At: now, Worker: "runner-1", Outcome: alerts.StatusDelivered, StatusCode: 200}
			l := jobs.Lease{}
			if w%2 == 1 {
				a = alerts.Attempt{DeliveryID: j.ID, Attempt: 2, At: now, Worker: "runner-2", Outcome: alerts.StatusPending, Error: "503", NextAt: now.Add(time.Minute)}
				l = j.Lease
			}
			_, err := s.finishAttempt(ctx, t.t, a, l)
			return err
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}

// TestSignInSourcePrunedUnder: a sign-in whose idle throttle row a prune
// deletes while it counts the attempt gets its count (the row taken again)
// rather than an internal error. The count created the row if missing and
// then updated it in a second statement: a prune committed between the two
// left it no row ("sql: no rows in result set").
func TestSignInSourcePrunedUnder(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	p := stock.ThrottlePolicy{Limit: 1 << 30, FirstLock: time.Minute, MaxLock: time.Hour}
	long := time.Now().Add(-48 * time.Hour)
	const rounds, sources = 150, 3
	for r := 0; r < rounds; r++ {
		code := fmt.Sprintf("E%d", r)
		err := s.Write(ctx, func(tx stock.Tx) error {
			for i := 0; i < sources; i++ {
				if _, err := tx.CountSignIn(code, fmt.Sprintf("device:%d", i), long, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]stock.SignInCount, sources+1)
		err = atOnce(s, sources+1, func(w int, t *tx) (err error) {
			if w == 0 {
				// Every untrusted, unlocked row: idle ones, and
				// those the sign-ins count once they commit.
				_, err = t.PruneSignIns(time.Now().Add(time.Hour))
				return err
			}
			counts[w], err = t.CountSignIn(code, fmt.Sprintf("device:%d", w-1), time.Now(), p)
			return err
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
		for w := 1; w <= sources; w++ {
			if c := counts[w]; c.Refused || c.Locked || c.Failures < 1 || c.Failures > 2 {
				t.Fatalf("round %d, source %d: %+v", r, w-1, c)
			}
		}
	}
}

// waitBlocked waits until some transaction waits for a lock.
func waitBlocked(t *testing.T, s *Store) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var n int
		// This test's database only: the packages' tests share the server.
		if err := s.writer.QueryRow(`SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE NOT l.granted AND d.datname = current_database()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
	}
	t.Fatal("no transaction waits for a lock")
}

// begin starts a raw PostgreSQL transaction (no retry).
func begin(t *testing.T, s *Store) (*sql.Tx, *tx) {
	t.Helper()
	sqlTx, err := s.writer.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlTx.Rollback() })
	return sqlTx, &tx{ctx: context.Background(), t: sqlTx, d: s.d}
}

// TestRevokeFamilyDuringRefresh: a family revoked while a refresh rotates
// its token stays revoked, whichever of the two goes first: the refresh's
// new token is deleted by the revocation (the refresh first) or not made
// (the revocation first). Under READ COMMITTED, the revocation's delete
// waited for the refresh's use of the old token but did not see the new
// one, which lived on.
func TestRevokeFamilyDuringRefresh(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	now := time.Now()
	putE1(t, s)
	// refresh rotates family's token "t0" (as Service.Refresh does). A
	// refresh that waited for a revocation finds its token gone, not used:
	// a used token would raise the reuse alarm (session.refresh_reused)
	// for a token nobody presented twice.
	var afterRevoke error
	refresh := func(t *tx, family string) error {
		r, err := t.UseRefresh(family+"-t0", now)
		if stock.ErrorCode(err) == stock.ENotFound {
			afterRevoke = err
			return nil
		}
		if err == nil && !r.Used.IsZero() {
			return fmt.Errorf("refresh token reported used at %v: nobody used it", r.Used)
		}
		if err != nil {
			return err
		}
		if err := t.EndFamilySessions(family); err != nil {
			return err
		}
		if err := t.CreateSession(stock.Session{TokenHash: family + "-s1", Employee: "E1", DeviceID: "d", Created: now, Expires: now.Add(time.Hour), Family: family}); err != nil {
			return err
		}
		return t.CreateRefresh(stock.RefreshToken{TokenHash: family + "-t1", Family: family, Employee: "E1", DeviceID: "d", Created: now, Expires: now.Add(time.Hour)})
	}
	revoke := map[string]func(t *tx, family string) error{
		"family":   func(t *tx, family string) error { _, err := t.RevokeFamily(family); return err },
		"employee": func(t *tx, family string) error { _, err := t.RevokeEmployee("E1"); return err },
	}
	for _, how := range []string{"family", "employee"} {
		for _, refreshFirst := range []bool{true, false} {
			family := fmt.Sprintf("F-%s-%v", how, refreshFirst)
			if err := s.Write(ctx, func(tx stock.Tx) error {
				return tx.CreateRefresh(stock.RefreshToken{TokenHash: family + "-t0", Family: family, Employee: "E1", DeviceID: "d", Created: now, Expires: now.Add(time.Hour)})
			}); err != nil {
				t.Fatal(err)
			}
			first, second := refresh, revoke[how]
			if !refreshFirst {
				first, second = second, first
			}
			sqlTx, tx1 := begin(t, s)
			if err := first(tx1, family); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				sqlTx2, tx2 := begin(t, s)
				err := second(tx2, family)
				if err == nil {
					err = sqlTx2.Commit()
				}
				done <- err
			}()
			waitBlocked(t, s)
			if err := sqlTx.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("%s, refresh first %v: %v", how, refreshFirst, err)
			}
			var tokens, sessions int
			if err := s.writer.QueryRow(`SELECT (SELECT COUNT(*) FROM refresh_tokens WHERE family = $1), (SELECT COUNT(*) FROM sessions WHERE family = $1)`, family).Scan(&tokens, &sessions); err != nil {
				t.Fatal(err)
			}
			if tokens != 0 || sessions != 0 {
				t.Errorf("revoke %s, refresh first %v: the revoked family has %d refresh tokens and %d sessions", how, refreshFirst, tokens, sessions)
			}
			if !refreshFirst && afterRevoke == nil {
				t.Errorf("revoke %s first: the refresh did not find its token gone", how)
			}
			afterRevoke = nil
		}
	}
}

// TestCatalogFoldersMixedCaseNoDeadlock: MarkSKUFolders locks the SKUs in
// the byte order PutSKUs writes them in, whatever the database's
// collation. Under the ICU collation of pgtest's databases "a1" sorts
// before "B2" (bytes: after); locked ORDER BY sku, the two deadlocked.
func TestCatalogFoldersMixedCaseNoDeadlock(t *testing.T) {
	s := openPG(t)
	const writers, n, rounds = 4, 400, 6
	skus := make([]stock.SKU, n)
	codes := make([]string, n)
	keys := make([][]string, n)
	for i := range skus {
		codes[i] = fmt.Sprintf("%c%05d", "aB"[i%2], i)
		skus[i] = stock.SKU{SKU: codes[i], Name: "x", Category: "c"}
		keys[i] = []string{}
	}
	if err := atOnce(s, 1, func(_ int, t *tx) error { return t.PutSKUs(skus, keys) }); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < rounds; r++ {
		err := atOnce(s, writers, func(w int, t *tx) error {
			if w%2 == 1 {
				return t.MarkSKUFolders(codes, time.Now())
			}
			file := make([]stock.SKU, n)
			for i := range file {
				file[i] = skus[i]
				file[i].Name = fmt.Sprintf("x%d-%d", r, w)
			}
			return t.PutSKUs(file, keys)
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}

// TestStoreStockLockMany: a writer at more than maxStoreStockLocks stores
// holds one lock, the count openings' (PostgreSQL's lock table is
// bounded), and a count opening waits for it; at fewer stores it holds
// one shared lock per store, and a count opening elsewhere does not wait.
func TestStoreStockLockMany(t *testing.T) {
	s := openPG(t)
	advisory := func(tx *sql.Tx) int {
		t.Helper()
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stores := make([]string, 1000)
	for i := range stores {
		stores[i] = fmt.Sprintf("S%04d", i)
	}
	sqlTx, w := begin(t, s)
	if err := w.LockStoreStock(stores[:10], false); err != nil {
		t.Fatal(err)
	}
	if n := advisory(sqlTx); n != 10 {
		t.Fatalf("10 stores: %d advisory locks", n)
	}
	_, o := begin(t, s)
	if err := o.SerializeCountOpening(); err != nil {
		t.Fatal(err)
	}
	if err := o.LockStoreStock([]string{"S9999"}, true); err != nil {
		t.Fatal(err)
	}
	sqlTx.Rollback()
	o.t.Rollback()

	sqlTx, w = begin(t, s)
	if err := w.LockStoreStock(stores, false); err != nil {
		t.Fatal(err)
	}
	if n := advisory(sqlTx); n != 1 {
		t.Fatalf("%d stores: %d advisory locks", len(stores), n)
	}
	done := make(chan error, 1)
	go func() {
		sqlTx2, o := begin(t, s)
		err := o.SerializeCountOpening()
		if err == nil {
			err = o.LockStoreStock([]string{"S0001"}, true)
		}
		sqlTx2.Rollback()
		done <- err
	}()
	waitBlocked(t, s)
	if err := sqlTx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestPruneUnlockManySourcesNoDeadlock: pruning idle sign-in sources at
// the same time as an unlock or a PIN change of an employee with several
// idle sources waits instead of deadlocking: all take a code's sources in
// byte order, then its "*" row. The unlock updated them in its plan's
// order, the prune deleted them in its own: on tables big enough for the
// planner to walk an index (forced here), the primary key's order and
// updated_at's (here the reverse).
func TestPruneUnlockManySourcesNoDeadlock(t *testing.T) {
	s := openPG(t)
	ctx := context.Background()
	p := stock.ThrottlePolicy{Limit: 1 << 30, FirstLock: time.Minute, MaxLock: time.Hour}
	long := time.Now().Add(-48 * time.Hour)
	const codes, sources = 3, 6
	for r := 0; r < 30; r++ {
		err := s.Write(ctx, func(tx stock.Tx) error {
			for c := 0; c < codes; c++ {
				code := fmt.Sprintf("E%d-%d", r, c)
				if _, err := tx.PutEmployee(stock.Employee{Code: code, Name: code, Role: stock.RoleCounter, Scope: []string{}}, "h0"); err != nil {
					return err
				}
				// Stored, and idle since, in the reverse of byte order.
				for i := sources - 1; i >= 0; i-- {
					if _, err := tx.CountSignIn(code, fmt.Sprintf("device:%c", 'A'+i), long.Add(time.Duration(sources-i)*time.Millisecond), p); err != nil {
						return err
					}
				}
				if _, err := tx.CountSignIn(code, stock.AllSources, long, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = atOnce(s, 1+2*codes, func(w int, t *tx) error {
			if _, err := t.exec(`SET LOCAL enable_bitmapscan = off`); err != nil {
				return err
			}
			if _, err := t.exec(`SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			if w == 0 {
				_, err := t.PruneSignIns(time.Now().Add(-time.Hour))
				return err
			}
			code := fmt.Sprintf("E%d-%d", r, (w-1)/2)
			if w%2 == 1 {
				_, err := t.UnlockSignIn(code, time.Now(), p)
				return err
			}
			_, err := t.PutEmployee(stock.Employee{Code: code, Name: code, Role: stock.RoleCounter, Scope: []string{}}, fmt.Sprintf("h%d", r))
			return err
		})
		if err != nil {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}

// putE1 adds the employee E1 the sign-in tests use.
func putE1(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Write(context.Background(), func(tx stock.Tx) error {
		_, err := tx.PutEmployee(stock.Employee{Code: "E1", Name: "E1", Role: stock.RoleCounter, Scope: []string{}}, "h")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
