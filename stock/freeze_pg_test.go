package stock_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/pgtest"
)

// hookStore runs hook once, inside a write transaction, right after the
// transaction's first call named at (OpenCounts or LockLevels).
type hookStore struct {
	stock.Store
	at   string
	once *sync.Once
	hook func()
}

func (h hookStore) Write(ctx context.Context, fn func(stock.Tx) error) error {
	return h.Store.Write(ctx, func(tx stock.Tx) error { return fn(hookTx{tx, h}) })
}

type hookTx struct {
	stock.Tx
	h hookStore
}

func (t hookTx) OpenCounts(p stock.MovementPolicy) ([]stock.Count, error) {
	cs, err := t.Tx.OpenCounts(p)
	if t.h.at == "OpenCounts" {
		t.h.once.Do(t.h.hook)
	}
	return cs, err
}

func (t hookTx) LockLevels(keys [][2]string) (map[[2]string]stock.StockLevel, error) {
	ls, err := t.Tx.LockLevels(keys)
	if t.h.at == "LockLevels" {
		t.h.once.Do(t.h.hook)
	}
	return ls, err
}

// TestFreezeCountOpenedDuringStockWrite: a freeze count opened at a store
// while a stock import or a posting there is under way is honoured: either
// the count waits for the writer and snapshots what it wrote, or the
// writer (having checked the freeze counts before the count opened) finds
// it when it writes and refuses the frozen rows. Either way the count's
// snapshot is the book until the count closes. The count is opened from
// inside the writer's transaction: just after the writer first read the
// open counts, or (an import) as it locks the levels. Without a lock that
// the two take in turn, the count opened in between and the writer moved
// frozen stock after the snapshot.
func TestFreezeCountOpenedDuringStockWrite(t *testing.T) {
	for _, c := range []struct {
		name, at string
		import_  bool
	}{
		{"import, count opened after its first read", "OpenCounts", true},
		{"import, count opened as it locks the levels", "LockLevels", true},
		{"posting, count opened after its read", "OpenCounts", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := pgtest.Fresh(t)
			w := newWorldAt(t, u)
			db, err := sql.Open("pgx", u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var (
				count   stock.Count
				openErr error
				opened  = make(chan struct{})
			)
			hook := func() {
				go func() {
					defer close(opened)
					count, openErr = w.svc.OpenCount(ctx, w.actor("M001"), stock.CountInput{Location: "HK-TST", MovementPolicy: stock.PolicyFreeze})
				}()
				waitDoneOrBlocked(t, db, opened)
			}
			svc := stock.NewService(hookStore{Store: w.store, at: c.at, once: &sync.Once{}, hook: hook}, codes{}, stock.DefaultConfig())
			svc.Now = w.clock
			if c.import_ {
				res, err := svc.Import(ctx, w.actor("A001"), stock.ImportStock, []byte("sku,location,qty\nSKU-A,HK-TST-Z1,3\nSKU-A,HK-TST,77\nSKU-B,HK-MK,5\n"), nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("import: %+v", res)
			} else {
				_, err := svc.PostMovements(ctx, w.actor("A001"), []stock.Movement{{MovementID: "m1", SKU: "SKU-A", Location: "HK-TST", QtyDelta: 5, Kind: stock.MoveReceipt}})
				t.Logf("posting: %v", err)
				if err != nil && stock.ErrorCode(err) != stock.EConflict {
					t.Fatal(err)
				}
			}
			<-opened
			if openErr != nil {
				t.Fatal(openErr)
			}
			inSnap := snapshotQty(t, w, count.ID)
			for _, k := range [][2]string{{"HK-TST", "SKU-A"}, {"HK-TST-Z1", "SKU-A"}} {
				if book := w.book(k[1], k[0]); book != inSnap[k] {
					t.Errorf("%s at %s: book %d, the freeze count's snapshot %d", k[1], k[0], book, inSnap[k])
				}
			}
			if c.import_ && w.book("SKU-B", "HK-MK") != 5 {
				t.Errorf("SKU-B at HK-MK (no count): book %d, want 5", w.book("SKU-B", "HK-MK"))
			}
		})
	}
}

func (t hookTx) LocationsByCode(codes []string) (map[string]stock.Location, error) {
	ls, err := t.Tx.LocationsByCode(codes)
	if t.h.at == "LocationsByCode" {
		t.h.once.Do(t.h.hook)
	}
	return ls, err
}

// TestFreezeCountZoneMovedDuringPosting: a zone moved to another store
// while a posting to it is under way, and a freeze count opened at the
// new store, see the posting or are seen by it. The posting read the zone
// under its old store and took that store's stock lock only: without a
// lock the location writes and the stock writers take in turn
// (HoldLocations), the move and the count slipped in between and the
// posting moved frozen stock after the count's snapshot.
func TestFreezeCountZoneMovedDuringPosting(t *testing.T) {
	u := pgtest.Fresh(t)
	w := newWorldAt(t, u)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var (
		count   stock.Count
		openErr error
		opened  = make(chan struct{})
	)
	admin := w.actor("A001")
	hook := func() {
		go func() {
			defer close(opened)
			if _, _, openErr = w.svc.PutLocation(ctx, admin, "HK-TST-Z1", stock.LocationInput{Name: "Drinks", Kind: stock.KindZone, Parent: "HK-MK"}); openErr != nil {
				return
			}
			count, openErr = w.svc.OpenCount(ctx, admin, stock.CountInput{Location: "HK-MK", MovementPolicy: stock.PolicyFreeze})
		}()
		waitDoneOrBlocked(t, db, opened)
	}
	svc := stock.NewService(hookStore{Store: w.store, at: "LocationsByCode", once: &sync.Once{}, hook: hook}, codes{}, stock.DefaultConfig())
	svc.Now = w.clock
	_, err = svc.PostMovements(ctx, admin, []stock.Movement{{MovementID: "m1", SKU: "SKU-A", Location: "HK-TST-Z1", QtyDelta: 5, Kind: stock.MoveReceipt}})
	t.Logf("posting: %v", err)
	if err != nil && stock.ErrorCode(err) != stock.EConflict {
		t.Fatal(err)
	}
	<-opened
	if openErr != nil {
		t.Fatal(openErr)
	}
	inSnap := snapshotQty(t, w, count.ID)[[2]string{"HK-TST-Z1", "SKU-A"}]
	if book := w.book("SKU-A", "HK-TST-Z1"); book != inSnap {
		t.Errorf("SKU-A at HK-TST-Z1 (moved to HK-MK): book %d, the freeze count's snapshot %d", book, inSnap)
	}
}

// waitDoneOrBlocked returns when done is closed or a transaction of db's
// database waits for a lock (within 5 s).
func waitDoneOrBlocked(t *testing.T, db *sql.DB, done <-chan struct{}) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		select {
		case <-done:
			return
		default:
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE NOT l.granted AND d.datname = current_database()`).Scan(&n); err != nil {
			t.Error(err)
			return
		}
		if n > 0 {
			return
		}
	}
	t.Error("neither done nor waiting for a lock after 5 s")
}

// snapshotQty reads a count's snapshot: quantity by (location, SKU).
func snapshotQty(t *testing.T, w *world, countID string) map[[2]string]int64 {
	t.Helper()
	var snap []stock.SnapshotRow
	if err := w.store.Read(ctx, func(tx stock.Tx) (err error) {
		snap, err = tx.Snapshot(countID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	q := map[[2]string]int64{}
	for _, r := range snap {
		q[[2]string{r.Location, r.SKU}] = r.Qty
	}
	return q
}
