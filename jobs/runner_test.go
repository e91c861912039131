package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pandian/jobs"
	"pandian/stock"
	"pandian/storage/pgtest"
	"pandian/storage/sqlstore"
)

// clock is an injected clock that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// forEachDB runs fn on a fresh store on SQLite and on PostgreSQL
// (storage/pgtest: skipped without a server, except in CI).
func forEachDB(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			u := filepath.Join(t.TempDir(), "pandian.db")
			if db == "postgres" {
				u = pgtest.Fresh(t)
			}
			s, err := sqlstore.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}

func job(t *testing.T, s *sqlstore.Store, id string) stock.Job {
	t.Helper()
	var j stock.Job
	if err := s.Read(context.Background(), func(tx stock.Tx) error {
		var err error
		j, err = tx.Job(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return j
}

func runner(s *sqlstore.Store, owner string, c *clock) *jobs.Runner {
	r := jobs.NewRunner(s)
	r.Owner, r.Now = owner, c.Now
	return r
}

func runOnce(t *testing.T, r *jobs.Runner) int {
	t.Helper()
	n, err := r.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRetryBackoff: a failed attempt is retried at next_at, after the
// back-off (base × 2^(n-1), jitter between half and all of it), and not
// before; the clock is injected, nothing sleeps.
func TestRetryBackoff(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		c := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
		if _, err := s.EnqueueJobs(ctx, []jobs.New{{ID: "J", Kind: "flaky", At: c.Now()}}); err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int32
		r := runner(s, "w1", c)
		r.Handle("flaky", jobs.Options{BaseDelay: time.Minute, MaxDelay: time.Hour, MaxAttempts: 5}, func(ctx context.Context, run *jobs.Run) error {
			if n := calls.Add(1); int(n) != run.Attempts {
				t.Errorf("call %d is attempt %d", n, run.Attempts)
			}
			if run.Attempts < 3 {
				return errors.New("store down")
			}
			return nil
		})
		if n := runOnce(t, r); n != 1 {
			t.Fatalf("first run: %d", n)
		}
		if j := job(t, s, "J"); j.Status != jobs.StatusRetry || j.Error != "store down" {
			t.Fatalf("after a failure: %+v", j)
		}
		// Attempt 2 waits 30 s to 1 min; attempt 3, 1 to 2 min.
		for i, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
			c.Add(wait/2 - time.Millisecond)
			if n := runOnce(t, r); n != 0 {
				t.Fatalf("retry %d ran before half its back-off", i+1)
			}
			c.Add(wait/2 + time.Millisecond)
			if n := runOnce(t, r); n != 1 {
				t.Fatalf("retry %d did not run after its back-off", i+1)
			}
		}
		if j := job(t, s, "J"); j.Status != jobs.StatusDone || calls.Load() != 3 {
			t.Fatalf("after 3 attempts: %+v, %d calls", j, calls.Load())
		}
	})
}

// TestGiveUp: a job fails after MaxAttempts, and at once on a permanent error.
func TestGiveUp(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		c := &clock{now: time.Now().UTC()}
		if _, err := s.EnqueueJobs(ctx, []jobs.New{{ID: "J-a", Kind: "always", At: c.Now()}, {ID: "J-p", Kind: "perm", At: c.Now()}}); err != nil {
			t.Fatal(err)
		}
		r := runner(s, "w1", c)
		r.Handle("always", jobs.Options{BaseDelay: time.Second, MaxAttempts: 2}, func(context.Context, *jobs.Run) error { return errors.New("no") })
		r.Handle("perm", jobs.Options{}, func(context.Context, *jobs.Run) error { return jobs.Permanent(errors.New("bad file")) })
		runOnce(t, r)
		c.Add(time.Hour)
		runOnce(t, r)
		if j := job(t, s, "J-a"); j.Status != jobs.StatusFailed || j.Error != "no (gave up after 2 attempts)" {
			t.Fatalf("J-a %+v", j)
		}
		if j := job(t, s, "J-p"); j.Status != jobs.StatusFailed || j.Error != "bad file" {
			t.Fatalf("J-p %+v", j)
		}
	})
}

// TestTakenOverRunnerCannotOverwrite: a slow runner whose lease expired
// and whose job another runner took over and finished cannot overwrite
// the outcome when it finally returns, through the runner or with a
// fenced write of its own.
func TestTakenOverRunnerCannotOverwrite(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		c := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
		if _, err := s.EnqueueJobs(ctx, []jobs.New{{ID: "J", Kind: "work", At: c.Now()}}); err != nil {
			t.Fatal(err)
		}
		opts := jobs.Options{Lease: time.Minute}
		started, release := make(chan jobs.Lease, 1), make(chan struct{})
		slow := runner(s, "slow", c)
		slow.Handle("work", opts, func(ctx context.Context, run *jobs.Run) error {
			started <- run.Lease
			<-release
			// Its own result, fenced by its lease, as the domain's handlers write theirs.
			err := s.Write(context.WithoutCancel(ctx), func(tx stock.Tx) error {
				return tx.FinishJob(run.Lease, jobs.Outcome{Status: jobs.StatusDone, Result: []byte(`"slow"`), At: c.Now()})
			})
			if !errors.Is(err, jobs.ErrLeaseLost) {
				t.Errorf("the slow runner's fenced write: %v, want ErrLeaseLost", err)
			}
			return jobs.Permanent(errors.New("slow runner's failure")) // refused too
		})
		done := make(chan struct{})
		go func() { defer close(done); runOnce(t, slow) }()
		old := <-started
		// The slow runner's lease expires (it could not renew: the clock
		// jumped past it); another runner takes the job over and finishes.
		c.Add(2 * time.Minute)
		fast := runner(s, "fast", c)
		fast.Handle("work", opts, func(ctx context.Context, run *jobs.Run) error {
			if run.Lease.Token <= old.Token || run.Attempts != 2 {
				t.Errorf("take-over lease %+v (attempt %d), the slow one had %+v", run.Lease, run.Attempts, old)
			}
			err := s.Write(ctx, func(tx stock.Tx) error {
				return tx.FinishJob(run.Lease, jobs.Outcome{Status: jobs.StatusDone, Result: []byte(`"fast"`), At: c.Now()})
			})
			if err == nil {
				run.Finished()
			}
			return err
		})
		if n := runOnce(t, fast); n != 1 {
			t.Fatalf("the job was not taken over")
		}
		close(release)
		<-done
		if j := job(t, s, "J"); j.Status != jobs.StatusDone || string(j.Result) != `"fast"` || j.Error != "" {
			t.Fatalf("after the slow runner returned: %+v (result %s)", j, j.Result)
		}
	})
}

// TestDeadRunner: a job whose runner died (claimed, never finished nor
// renewed) runs again once its lease has expired, not before.
func TestDeadRunner(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		c := &clock{now: time.Now().UTC()}
		if _, err := s.EnqueueJobs(ctx, []jobs.New{{ID: "J", Kind: "work", At: c.Now()}}); err != nil {
			t.Fatal(err)
		}
		// The runner that dies: it claims and is never heard of again.
		if js, err := s.ClaimJobs(ctx, []string{"work"}, "dead", c.Now(), time.Minute, 1); err != nil || len(js) != 1 {
			t.Fatalf("claim %v %v", js, err)
		}
		var ran atomic.Int32
		r := runner(s, "alive", c)
		r.Handle("work", jobs.Options{Lease: time.Minute}, func(context.Context, *jobs.Run) error { ran.Add(1); return nil })
		c.Add(59 * time.Second)
		if runOnce(t, r) != 0 {
			t.Fatal("taken over within the dead runner's lease")
		}
		c.Add(time.Second)
		if runOnce(t, r) != 1 || ran.Load() != 1 {
			t.Fatal("not run again after the lease expired")
		}
		if j := job(t, s, "J"); j.Status != jobs.StatusDone {
			t.Fatalf("%+v", j)
		}
	})
}

// TestRecurring: a handler that returns Again is queued again for then.
func TestRecurring(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		c := &clock{now: time.Now().UTC()}
		for _, id := range []string{"J-1", "J-2"} { // enqueued once by key, whoever asks
			if _, err := s.EnqueueJobs(ctx, []jobs.New{{ID: id, Kind: "tick", Key: "tick", At: c.Now()}}); err != nil {
				t.Fatal(err)
			}
		}
		var ticks atomic.Int32
		r := runner(s, "w", c)
		r.Handle("tick", jobs.Options{}, func(context.Context, *jobs.Run) error { ticks.Add(1); return jobs.Again(30 * time.Second) })
		runOnce(t, r)
		runOnce(t, r)
		c.Add(30 * time.Second)
		runOnce(t, r)
		if ticks.Load() != 2 {
			t.Fatalf("%d ticks, want 2", ticks.Load())
		}
	})
}

// TestReplicasRunEachJobOnce: three runners (two of them on a second
// connection pool to the same database, as replicas are) with several
// workers each run every job exactly once.
func TestReplicasRunEachJobOnce(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			u := filepath.Join(t.TempDir(), "pandian.db")
			if db == "postgres" {
				u = pgtest.Fresh(t)
			}
			var stores []*sqlstore.Store
			for range 2 {
				s, err := sqlstore.Open(context.Background(), u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				stores = append(stores, s)
			}
			const n = 40
			var news []jobs.New
			for i := range n {
				news = append(news, jobs.New{ID: fmt.Sprintf("J-%02d", i), Kind: "work", At: time.Now()})
			}
			if _, err := stores[0].EnqueueJobs(context.Background(), news); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			runs := map[string]int{}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for i := range 3 {
				r := jobs.NewRunner(stores[i%2])
				r.Owner, r.Poll = fmt.Sprintf("replica-%d", i), 10*time.Millisecond
				r.Handle("work", jobs.Options{Workers: 3}, func(ctx context.Context, run *jobs.Run) error {
					mu.Lock()
					runs[run.ID]++
					mu.Unlock()
					time.Sleep(2 * time.Millisecond) // a little work, so that claims overlap
					return nil
				})
				wg.Go(func() { r.Run(ctx) })
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				done := 0
				for i := range n {
					if job(t, stores[0], fmt.Sprintf("J-%02d", i)).Status == jobs.StatusDone {
						done++
					}
				}
				if done == n {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d jobs done after 30 s", done, n)
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			for id, k := range runs {
				if k != 1 {
					t.Errorf("%s ran %d times", id, k)
				}
			}
			if len(runs) != n {
				t.Errorf("%d jobs ran, want %d", len(runs), n)
			}
		})
	}
}
