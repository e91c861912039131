package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"pandian/stock"
	"pandian/storage/pgtest"
)

// TestNewActorsNoDeadlock: ingests on several PostgreSQL connections that
// add the same new (employee, role, zone) entries at once wait for each
// other instead of deadlocking. The transactions run without writeTx's
// retry, so a deadlock (40P01) the retry would hide fails the test.
func TestNewActorsNoDeadlock(t *testing.T) {
	s, err := Open(context.Background(), pgtest.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, actors, rounds = 6, 40, 4
	for r := 0; r < rounds; r++ {
		scans := make([]stock.Scan, actors)
		for i := range scans {
			scans[i] = stock.Scan{Employee: fmt.Sprintf("R%d-E%02d", r, i), Role: stock.RoleCounter, Zone: fmt.Sprintf("Z%d", i%3)}
		}
		var start, wg sync.WaitGroup
		start.Add(1)
		errs := make(chan error, writers)
		ids := make([]map[actorKey]int64, writers)
		for w := 0; w < writers; w++ {
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
				got, err := (&tx{ctx: context.Background(), t: sqlTx, d: s.d}).actorIDs(scans)
				if err == nil {
					err = sqlTx.Commit()
				}
				if err != nil {
					errs <- fmt.Errorf("round %d, writer %d: %w", r, w, err)
					return
				}
				ids[w] = got
			}(w)
		}
		start.Done()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
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
