package alerts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"pandian/alerts"
	"pandian/storage/pgtest"
)

// Three replicas (each its own store and dispatcher) on one database send
// every delivery exactly once, through a receiver that fails now and then.
func TestReplicasDeliverOnce(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			u := filepath.Join(t.TempDir(), "pandian.db")
			if db == "postgres" {
				u = pgtest.Fresh(t)
			}
			var mu sync.Mutex
			success := map[string]int{}
			calls := 0
			first := openStore(t, u)
			r := genericRule("big", "", "k")
			ts := newCountingServer(t, func(delivery string) int {
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls%4 == 0 {
					return 503
				}
				success[delivery]++
				return 200
			})
			r.Targets[0].URL = ts
			putRule(t, first, r)
			var want []string
			for i := range 40 {
				for _, d := range enqueue(t, first, r, fmt.Sprintf("count:C%d", i)) {
					want = append(want, d.ID)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range 3 {
				s := first
				if db == "postgres" {
					s = openStore(t, u)
				}
				d := testDispatcher(s, 5*time.Millisecond)
				d.Worker = alerts.NewID("w")
				wg.Add(1)
				go func() { defer wg.Done(); d.Run(ctx) }()
			}
			for _, id := range want {
				waitStatus(t, first, id, alerts.StatusDelivered)
			}
			cancel()
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			for _, id := range want {
				if success[id] != 1 {
					t.Errorf("%s accepted %d times", id, success[id])
				}
			}
			t.Logf("%d deliveries, %d requests", len(want), calls)
		})
	}
}

// newCountingServer answers each request with code(its delivery id).
func newCountingServer(t *testing.T, code func(delivery string) int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code(r.Header.Get(alerts.HeaderDelivery)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
