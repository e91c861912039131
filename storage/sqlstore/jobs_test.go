package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"pandian/jobs"
	"pandian/stock"
	"pandian/storage/sqlstore"
)

// TestJobQueue: claims, leases, fencing, retries at next_at, on SQLite and
// PostgreSQL. Times are given, not waited for.
func TestJobQueue(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		all := []stock.Job{
			{ID: "J-other", Kind: "export:x", Status: "queued", Actor: "A", Created: now.Add(-2 * time.Hour), Updated: now.Add(-2 * time.Hour)},
			{ID: "J-done", Kind: "import:stock", Status: "done", Actor: "A", Created: now.Add(-90 * time.Minute), Updated: now.Add(-2 * time.Hour)},
			{ID: "J-2", Kind: "import:catalog", Status: "queued", Actor: "A", Created: now.Add(-30 * time.Minute), Updated: now.Add(-30 * time.Minute), Input: []byte("csv 2")},
			{ID: "J-1", Kind: "import:stock", Status: "queued", Actor: "A", Created: now.Add(-time.Hour), Updated: now.Add(-time.Hour), Input: []byte("csv,1\n")},
			{ID: "J-3", Kind: "import:stock", Status: "queued", Actor: "A", Created: now.Add(-10 * time.Minute), Updated: now.Add(-10 * time.Minute), Input: []byte("csv,3\n")},
		}
		write(t, s, func(tx stock.Tx) error {
			for _, j := range all {
				if err := tx.CreateJob(j); err != nil {
					return err
				}
			}
			return nil
		})
		// Job reads a job without its input (only a claim reads that).
		got := get(t, s, func(tx stock.Tx) (stock.Job, error) { return tx.Job("J-1") })
		want := all[3]
		want.Input = nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Job = %+v, want %+v", got, want)
		}
		err := s.Read(ctx, func(tx stock.Tx) error { _, err := tx.Job("nope"); return err })
		wantCode(t, err, stock.ENotFound)
		err = s.Write(ctx, func(tx stock.Tx) error { return tx.CreateJob(all[0]) })
		wantCode(t, err, stock.EConflict)

		claim := func(kind, owner string, at time.Time) []jobs.Job {
			t.Helper()
			js, err := s.ClaimJobs(ctx, []string{kind}, owner, at, time.Minute, 1)
			if err != nil {
				t.Fatal(err)
			}
			return js
		}
		status := func(id string) stock.Job {
			t.Helper()
			return get(t, s, func(tx stock.Tx) (stock.Job, error) { return tx.Job(id) })
		}
		// The oldest due job of the kind, with its payload, an attempt and a token.
		c1 := claim("import:stock", "w1", now)
		if len(c1) != 1 || c1[0].ID != "J-1" || string(c1[0].Payload) != "csv,1\n" || c1[0].Attempts != 1 || c1[0].Lease != (jobs.Lease{JobID: "J-1", Owner: "w1", Token: 1}) {
			t.Fatalf("first claim %+v", c1)
		}
		l1 := c1[0].Lease
		if j := status("J-1"); j.Status != "running" {
			t.Fatalf("claimed job %+v", j)
		}
		// Leased: the next claimer gets the next job, then nothing.
		if c := claim("import:stock", "w2", now.Add(30*time.Second)); len(c) != 1 || c[0].ID != "J-3" {
			t.Fatalf("second claim %+v", c)
		}
		if c := claim("import:stock", "w2", now.Add(30*time.Second)); len(c) != 0 {
			t.Fatalf("claim with everything leased: %+v", c)
		}
		// Progress and renewal under the lease; not under another token.
		write(t, s, func(tx stock.Tx) error { return tx.SetJobProgress(l1, 0.5, now.Add(time.Second)) })
		forged := jobs.Lease{JobID: "J-1", Owner: "w1", Token: 2}
		if err := s.Write(ctx, func(tx stock.Tx) error { return tx.SetJobProgress(forged, 0.9, now) }); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("progress under a forged token: %v", err)
		}
		if err := s.ExtendJobLease(ctx, l1, now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if c := claim("import:stock", "w2", now.Add(90*time.Second)); len(c) != 1 || c[0].ID != "J-3" {
			t.Fatalf("J-1 claimed within its renewed lease (or J-3 not taken over): %+v", c)
		}

		// w1 is slow: its lease expires and w2 takes J-1 over (token 2)
		// and finishes it.
		c2 := claim("import:stock", "w2", now.Add(3*time.Minute))
		if len(c2) != 1 || c2[0].ID != "J-1" || c2[0].Attempts != 2 || c2[0].Lease.Token != 2 || c2[0].Lease.Owner != "w2" {
			t.Fatalf("take-over %+v", c2)
		}
		write(t, s, func(tx stock.Tx) error {
			return tx.FinishJob(c2[0].Lease, jobs.Outcome{Status: jobs.StatusDone, Result: []byte(`{"by":"w2"}`), At: now.Add(4 * time.Minute)})
		})
		// w1 reports late, with its result and another write in the same
		// transaction: refused, and the whole transaction rolls back.
		err = s.Write(ctx, func(tx stock.Tx) error {
			if err := tx.CreateJob(stock.Job{ID: "J-side", Kind: "x", Status: "done", Created: now, Updated: now}); err != nil {
				return err
			}
			return tx.FinishJob(l1, jobs.Outcome{Status: jobs.StatusDone, Result: []byte(`{"by":"w1"}`), At: now.Add(5 * time.Minute)})
		})
		if !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("late finish by the taken-over runner: %v", err)
		}
		if j := status("J-1"); j.Status != "done" || string(j.Result) != `{"by":"w2"}` || j.Progress != 1 || !j.Updated.Equal(now.Add(4*time.Minute)) {
			t.Fatalf("J-1 after the late finish %+v", j)
		}
		err = s.Read(ctx, func(tx stock.Tx) error { _, err := tx.Job("J-side"); return err })
		wantCode(t, err, stock.ENotFound)
		for _, o := range []string{jobs.StatusFailed, jobs.StatusRetry} {
			if err := s.FinishJob(ctx, l1, jobs.Outcome{Status: o, NextAt: now, Error: "late"}); !errors.Is(err, jobs.ErrLeaseLost) {
				t.Fatalf("late %s: %v", o, err)
			}
		}
		if err := s.ExtendJobLease(ctx, l1, now.Add(time.Hour)); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("late renewal: %v", err)
		}
		var input []byte
		if err := s.DB().QueryRow(s.Rebind(`SELECT input FROM jobs WHERE id = ?`), "J-1").Scan(&input); err != nil || input != nil {
			t.Fatalf("input of a done job %q %v, want NULL", input, err)
		}

		// Retries wait for next_at.
		c := claim("import:catalog", "w1", now)
		if len(c) != 1 || c[0].ID != "J-2" {
			t.Fatalf("claim J-2 %+v", c)
		}
		if err := s.FinishJob(ctx, c[0].Lease, jobs.Outcome{Status: jobs.StatusRetry, NextAt: now.Add(10 * time.Second), Error: "store down"}); err != nil {
			t.Fatal(err)
		}
		if j := status("J-2"); j.Status != "retry" || j.Error != "store down" {
			t.Fatalf("J-2 to retry %+v", j)
		}
		if c := claim("import:catalog", "w1", now.Add(9*time.Second)); len(c) != 0 {
			t.Fatalf("claimed before next_at: %+v", c)
		}
		c = claim("import:catalog", "w1", now.Add(10*time.Second))
		if len(c) != 1 || c[0].ID != "J-2" || c[0].Attempts != 2 || c[0].Lease.Token != 2 {
			t.Fatalf("claim at next_at %+v", c)
		}
		// Rescheduled (a recurring job): attempts start again.
		if err := s.FinishJob(ctx, c[0].Lease, jobs.Outcome{Status: jobs.StatusQueued, NextAt: now.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		c = claim("import:catalog", "w1", now.Add(time.Minute))
		if len(c) != 1 || c[0].Attempts != 1 {
			t.Fatalf("claim of the rescheduled job %+v", c)
		}
		// Failed: never claimed again.
		if err := s.FinishJob(ctx, c[0].Lease, jobs.Outcome{Status: jobs.StatusFailed, Error: "bad file"}); err != nil {
			t.Fatal(err)
		}
		if c := claim("import:catalog", "w1", now.Add(time.Hour)); len(c) != 0 {
			t.Fatalf("failed job claimed: %+v", c)
		}
		if j := status("J-2"); j.Status != "failed" || j.Error != "bad file" {
			t.Fatalf("failed J-2 %+v", j)
		}

		// A keyed job is enqueued once.
		n, err := s.EnqueueJobs(ctx, []jobs.New{{ID: "J-k1", Kind: "tick", Key: "tick", At: now}, {ID: "J-k2", Kind: "tick", Key: "tick", At: now}, {ID: "J-u", Kind: "tick", At: now.Add(time.Hour)}})
		if err != nil || n != 2 {
			t.Fatalf("enqueue %d %v", n, err)
		}
		if c := claim("tick", "w1", now); len(c) != 1 || c[0].ID != "J-k1" {
			t.Fatalf("claim keyed %+v", c)
		}
	})
}

// TestJobClaimReplicas: claimers on two connections to one database (two
// replicas) never get the same job, and get them all.
func TestJobClaimReplicas(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		ctx := context.Background()
		s, other := openStore(t, u), openStore(t, u)
		now := time.Now().UTC()
		var news []jobs.New
		for i := range 60 {
			news = append(news, jobs.New{ID: fmt.Sprintf("J-%02d", i), Kind: "import:stock", At: now.Add(-time.Duration(i) * time.Second)})
		}
		if n, err := s.EnqueueJobs(ctx, news); err != nil || n != 60 {
			t.Fatalf("enqueue %d %v", n, err)
		}
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() {
				st := s
				if w%2 == 1 {
					st = other
				}
				owner := fmt.Sprintf("w%d", w)
				for {
					got, err := st.ClaimJobs(ctx, []string{"import:stock"}, owner, now, time.Minute, 3)
					if err != nil {
						t.Errorf("claim: %v", err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, j := range got {
						if prev, dup := seen[j.ID]; dup {
							t.Errorf("%s claimed by %s and %s", j.ID, prev, owner)
						}
						seen[j.ID] = owner
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 60 {
			t.Fatalf("claimed %d of 60", len(seen))
		}
	})
}

// TestJobMigration: jobs written before migration 9 (kinds as prefixes,
// retries dated to go stale, runners known only by updated_at) and pending
// alert deliveries still run after it.
func TestJobMigration(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		ctx := context.Background()
		s := openStore(t, u)
		// Back to the schema before migration 9.
		for _, q := range []string{`DROP INDEX jobs_dedup`, `DROP INDEX jobs_due`,
			`ALTER TABLE jobs DROP COLUMN attempts`, `ALTER TABLE jobs DROP COLUMN next_at`, `ALTER TABLE jobs DROP COLUMN lease_owner`,
			`ALTER TABLE jobs DROP COLUMN lease_token`, `ALTER TABLE jobs DROP COLUMN lease_until`, `ALTER TABLE jobs DROP COLUMN dedup_key`,
			`DELETE FROM schema_migrations WHERE version = 9`} {
			if _, err := s.DB().Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		us := func(d time.Duration) int64 { return now.Add(d).UnixMicro() }
		old := []struct {
			id, kind, status string
			updated          int64
		}{
			{"J-doc", "doc:D1", "queued", us(-time.Hour)},
			{"J-file", "file:D2", "running", us(-time.Minute)},                 // its runner was alive a minute ago
			{"J-retry", "doc:D3", "retry", us(15*time.Second - 2*time.Minute)}, // due in 15 s
			{"J-imp", "import:stock", "queued", us(-time.Hour)},
		}
		for _, j := range old {
			if _, err := s.DB().Exec(s.Rebind(`INSERT INTO jobs (id, kind, status, progress, actor, input, error, created_at, updated_at) VALUES (?, ?, ?, 0, 'A', ?, '', ?, ?)`),
				j.id, j.kind, j.status, []byte("x"), us(-2*time.Hour), j.updated); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DB().Exec(s.Rebind(`INSERT INTO alert_deliveries (id, dedup_key, rule_id, target_id, target_kind, subject, payload, status, attempts, next_at,
			lease_owner, lease_until, last_status, last_error, created_at, updated_at, delivered_at) VALUES (?, 'k', 'r', 't', 'generic', 's', '{}', 'pending', 2, ?, '', 0, 500, 'HTTP 500', ?, ?, 0)`),
			"dl_old", us(30*time.Second), us(-time.Hour), us(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = openStore(t, u)
		claimAt := func(kind string, at time.Duration) []string {
			t.Helper()
			js, err := s.ClaimJobs(ctx, []string{kind}, "w", now.Add(at), time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, j := range js {
				ids = append(ids, j.ID)
			}
			return ids
		}
		for _, c := range []struct {
			kind string
			at   time.Duration
			want []string
		}{
			{"document.read", 0, []string{"J-doc"}},
			{"document.read", 14 * time.Second, nil},
			{"document.read", 16 * time.Second, []string{"J-retry"}},
			{"document.file", 30 * time.Second, nil},               // its runner may still be alive
			{"document.file", 2 * time.Minute, []string{"J-file"}}, // silent for the default 2 min: taken over
			{"import:stock", 0, []string{"J-imp"}},
			{"alert.deliver", 29 * time.Second, nil},
			{"alert.deliver", 30 * time.Second, []string{"dl_old"}},
		} {
			if got := claimAt(c.kind, c.at); !reflect.DeepEqual(got, c.want) {
				t.Errorf("claim %s at +%v: %v, want %v", c.kind, c.at, got, c.want)
			}
		}
	})
}
