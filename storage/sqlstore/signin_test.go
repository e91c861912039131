package sqlstore_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

// TestSignInThrottle: the attempt counter of a source counts, locks at the
// limit, refuses while locked without counting, doubles its lock up to the
// maximum, and is cleared by a success (which trusts the source), by an
// unlock and by a new PIN; idle untrusted sources are pruned.
func TestSignInThrottle(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		p := stock.ThrottlePolicy{Limit: 3, FirstLock: time.Minute, MaxLock: 3 * time.Minute}
		count := func(code, source string, now time.Time) stock.SignInCount {
			t.Helper()
			var c stock.SignInCount
			write(t, s, func(tx stock.Tx) error {
				var err error
				c, err = tx.CountSignIn(code, source, now, p)
				return err
			})
			return c
		}
		for i := 1; i <= 2; i++ {
			if c := count("E1", "device:a", at(i)); c.Failures != i || c.Locked || c.Refused || c.Trusted {
				t.Fatalf("attempt %d: %+v", i, c)
			}
		}
		if c := count("E1", "device:a", at(3)); !c.Locked || c.Failures != 3 || !c.LockedUntil.Equal(at(63)) {
			t.Fatalf("third attempt does not lock: %+v", c)
		}
		if c := count("E1", "device:a", at(62)); !c.Refused || !c.LockedUntil.Equal(at(63)) {
			t.Fatalf("locked source counted: %+v", c)
		}
		// Another source and another code are not affected.
		if c := count("E1", "device:b", at(10)); c.Failures != 1 || c.Refused {
			t.Fatalf("other source: %+v", c)
		}
		if c := count("E2", "device:a", at(10)); c.Failures != 1 || c.Refused {
			t.Fatalf("other code: %+v", c)
		}
		// After the lock: a new window; the next lock lasts 2 min, then 3.
		for i := 1; i <= 2; i++ {
			if c := count("E1", "device:a", at(63+i)); c.Failures != i || c.Refused {
				t.Fatalf("after lock, attempt %d: %+v", i, c)
			}
		}
		if c := count("E1", "device:a", at(66)); !c.Locked || !c.LockedUntil.Equal(at(186)) {
			t.Fatalf("second lock: %+v", c)
		}
		for i := 0; i < 3; i++ {
			count("E1", "device:a", at(200+i))
		}
		if c := count("E1", "device:a", at(203)); !c.Refused || !c.LockedUntil.Equal(at(382)) {
			t.Fatalf("third lock capped at 3 min: %+v", c)
		}
		// A success clears the lock and trusts the source.
		write(t, s, func(tx stock.Tx) error { return tx.SignInSucceeded("E1", "device:a", at(210), p, false) })
		if c := count("E1", "device:a", at(211)); c.Failures != 1 || c.Refused || !c.Trusted {
			t.Fatalf("after success: %+v", c)
		}
		// alsoAll clears the shared window.
		count("E1", stock.AllSources, at(212))
		write(t, s, func(tx stock.Tx) error { return tx.SignInSucceeded("E1", "device:b", at(213), p, true) })
		if c := count("E1", stock.AllSources, at(214)); c.Failures != 1 {
			t.Fatalf("shared window after success: %+v", c)
		}
		// Unlock: every source of the code, with the lock durations reset.
		for i := 0; i < 3; i++ {
			count("E1", "device:c", at(220))
		}
		var n int
		write(t, s, func(tx stock.Tx) error {
			var err error
			n, err = tx.UnlockSignIn("E1", at(221), p)
			return err
		})
		if n != 1 {
			t.Fatalf("unlock reports %d locked sources, want 1", n)
		}
		for i := 1; i <= 3; i++ {
			if c := count("E1", "device:c", at(222)); c.Refused || c.Failures != i || (i == 3 && !c.LockedUntil.Equal(at(282))) {
				t.Fatalf("after unlock, attempt %d: %+v", i, c)
			}
		}
		// A new PIN clears the locks too.
		write(t, s, func(tx stock.Tx) error {
			_, err := tx.PutEmployee(stock.Employee{Code: "E1", Name: "x", Role: stock.RoleCounter, Scope: []string{}}, "h")
			return err
		})
		if c := count("E1", "device:c", at(223)); c.Refused || c.Failures != 1 {
			t.Fatalf("after a new PIN: %+v", c)
		}
		// Pruning forgets idle untrusted sources (E2's), keeps trusted ones.
		var pruned int64
		write(t, s, func(tx stock.Tx) error {
			var err error
			pruned, err = tx.PruneSignIns(at(100))
			return err
		})
		if pruned != 1 {
			t.Fatalf("pruned %d rows, want 1 (E2)", pruned)
		}
		write(t, s, func(tx stock.Tx) error {
			var err error
			pruned, err = tx.PruneSignIns(at(100000))
			return err
		})
		if c := count("E1", "device:a", at(100001)); !c.Trusted || pruned != 2 { // E1's shared window and device:c
			t.Fatalf("prune: %d rows; trusted source after it: %+v", pruned, c)
		}
	})
}

// TestSignInThrottleConcurrent: 40 concurrent attempts, split over two
// stores on the same database (two replicas), each get their own count:
// exactly Limit of them are let through, the others are refused.
func TestSignInThrottleConcurrent(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		stores := []*sqlstore.Store{openStore(t, u), openStore(t, u)}
		p := stock.ThrottlePolicy{Limit: 5, FirstLock: time.Minute, MaxLock: time.Hour}
		now := time.Now()
		var mu sync.Mutex
		var counts []int
		refused, locks := 0, 0
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(s *sqlstore.Store) {
				defer wg.Done()
				var c stock.SignInCount
				err := s.Write(context.Background(), func(tx stock.Tx) error {
					var err error
					c, err = tx.CountSignIn("E1", "device:x", now, p)
					return err
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("CountSignIn: %v", err)
				case c.Refused:
					refused++
				default:
					counts = append(counts, c.Failures)
					if c.Locked {
						locks++
					}
				}
			}(stores[i%2])
		}
		wg.Wait()
		sort.Ints(counts)
		if len(counts) != 5 || refused != 35 || locks != 1 {
			t.Fatalf("40 concurrent attempts: counted %v, %d refused, %d locks; want 1..5, 35, 1", counts, refused, locks)
		}
		for i, n := range counts {
			if n != i+1 {
				t.Fatalf("counts %v are not 1..5", counts)
			}
		}
	})
}
