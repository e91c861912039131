package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

// TestConcurrentWritesCommitIndependently sends many writes at once (on
// SQLite they share group commits): each caller gets its own outcome, a
// failing write leaves nothing behind, and the others all land.
func TestConcurrentWritesCommitIndependently(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		const n = 200
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = s.Write(context.Background(), func(tx stock.Tx) error {
					if err := tx.Audit(stock.AuditEntry{At: time.Now(), Actor: "t", Action: "group", Entity: fmt.Sprint("g-", i)}); err != nil {
						return err
					}
					if i%5 == 0 {
						return stock.Errorf(stock.EConflict, "write %d refuses", i)
					}
					return nil
				})
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if (i%5 == 0) != (stock.ErrorCode(err) == stock.EConflict) || (i%5 != 0 && err != nil) {
				t.Fatalf("write %d: %v", i, err)
			}
		}
		err := s.Read(context.Background(), func(tx stock.Tx) error {
			for i := 0; i < n; i++ {
				es, err := tx.AuditLog(fmt.Sprint("g-", i), 5)
				if err != nil {
					return err
				}
				if want := map[bool]int{true: 0, false: 1}[i%5 == 0]; len(es) != want {
					t.Errorf("write %d left %d entries, want %d", i, len(es), want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
