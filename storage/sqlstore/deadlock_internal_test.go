package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

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
