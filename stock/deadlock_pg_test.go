package stock_test

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/pgtest"
)

// pgDeadlocks is how many deadlocks PostgreSQL detected in the database at
// u, read once the store's connections are closed (a backend reports its
// statistics when it exits). The store retries a deadlocked transaction,
// so a test through the Service sees them only here.
func pgDeadlocks(t *testing.T, w *world, u string) int64 {
	t.Helper()
	w.store.Close()
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	for i := 0; i < 20; i++ {
		if err := db.QueryRow(`SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return n
}

// TestEmployeeImportsNoDeadlock: two imports of the same employees in
// other orders at once (two admins, two job runners) wait for each other
// instead of deadlocking.
func TestEmployeeImportsNoDeadlock(t *testing.T) {
	u := pgtest.Fresh(t)
	w := newWorldAt(t, u)
	admin := w.actors["A001"]
	const n = 300
	files := [2]strings.Builder{}
	for f := range files {
		files[f].WriteString("code,name,role,scope,pin\n")
		for i := 0; i < n; i++ {
			k := i
			if f == 1 {
				k = n - 1 - i
			}
			fmt.Fprintf(&files[f], "E%04d,Employee %d,counter,HK-TST,%04d\n", k, k, 1000+f)
		}
	}
	for r := 0; r < 3; r++ {
		var wg sync.WaitGroup
		errs := make([]error, len(files))
		for f := range files {
			wg.Add(1)
			go func(f int) {
				defer wg.Done()
				res, err := w.svc.Import(ctx, admin, stock.ImportEmployees, []byte(files[f].String()), nil)
				if err == nil && res.ErrorCount != 0 {
					err = fmt.Errorf("%d rows refused: %+v", res.ErrorCount, res.Errors[0])
				}
				errs[f] = err
			}(f)
		}
		wg.Wait()
		for f, err := range errs {
			// Two first imports both create the employees: one of
			// them finds them taken (a conflict, not a deadlock).
			if err != nil && !(r == 0 && stock.ErrorCode(err) == stock.EConflict) {
				t.Fatalf("round %d, file %d: %v", r, f, err)
			}
		}
	}
	if d := pgDeadlocks(t, w, u); d != 0 {
		t.Errorf("%d deadlocks", d)
	}
}

// TestStockImportNoDeadlock: a stock import of more rows than one lookup
// chunk, its file in the reverse of key order, at the same time as
// movement batches of a level near each end wait for each other instead of
// deadlocking.
func TestStockImportNoDeadlock(t *testing.T) {
	u := pgtest.Fresh(t)
	w := newWorldAt(t, u)
	admin := w.actors["A001"]
	const n = 2400
	importSKUs(t, w, admin, n)
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				ms := []stock.Movement{
					{MovementID: fmt.Sprintf("m%d-%d-a", g, i), SKU: "P00010", Location: "HK-TST", QtyDelta: 1, Kind: stock.MoveReceipt},
					{MovementID: fmt.Sprintf("m%d-%d-b", g, i), SKU: fmt.Sprintf("P%05d", n-10), Location: "HK-TST", QtyDelta: 1, Kind: stock.MoveReceipt},
				}
				if _, err := w.svc.PostMovements(ctx, admin, ms); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	for r := 0; r < 4; r++ {
		var st strings.Builder
		st.WriteString("sku,location,qty\n")
		for i := n - 1; i >= 0; i-- {
			fmt.Fprintf(&st, "P%05d,HK-TST,%d\n", i, 5+r)
		}
		if res, err := w.svc.Import(ctx, admin, stock.ImportStock, []byte(st.String()), nil); err != nil || res.ErrorCount != 0 {
			t.Fatalf("round %d: %v %+v", r, err, res.Errors)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("movements: %v", err)
	}
	if d := pgDeadlocks(t, w, u); d != 0 {
		t.Errorf("%d deadlocks", d)
	}
}

// TestStockImportNoLostUpdate: a stock import sets each level to its
// file's quantity as of the moment it writes it: a posting committed while
// the file is read is not overwritten. Each import's set is checked in the
// movement ledger: the level's running total after the set movement (in
// version order) is the file's quantity. Computed from a read made before
// the postings, it was off by the postings in between.
func TestStockImportNoLostUpdate(t *testing.T) {
	u := pgtest.Fresh(t)
	w := newWorldAt(t, u)
	admin := w.actors["A001"]
	const n = 2400
	importSKUs(t, w, admin, n)
	hot := []string{"P00010", fmt.Sprintf("P%05d", n-10)}
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				ms := []stock.Movement{{MovementID: fmt.Sprintf("m%d-%d", g, i), SKU: hot[g], Location: "HK-TST", QtyDelta: 1, Kind: stock.MoveReceipt}}
				if _, err := w.svc.PostMovements(ctx, admin, ms); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	const rounds = 4
	for r := 0; r < rounds; r++ {
		var st strings.Builder
		st.WriteString("sku,location,qty\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&st, "P%05d,HK-TST,%d\n", i, 1000*(r+1))
		}
		if res, err := w.svc.Import(ctx, admin, stock.ImportStock, []byte(st.String()), nil); err != nil || res.ErrorCount != 0 {
			t.Fatalf("round %d: %v %+v", r, err, res.Errors)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("movements: %v", err)
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, sku := range hot {
		rows, err := db.Query(`SELECT kind, qty_delta, version FROM movements WHERE location = 'HK-TST' AND sku = $1 ORDER BY version`, sku)
		if err != nil {
			t.Fatal(err)
		}
		var total, sets, receipts int64
		var last int64
		for rows.Next() {
			var kind string
			var d, v int64
			if err := rows.Scan(&kind, &d, &v); err != nil {
				t.Fatal(err)
			}
			if v != last+1 {
				t.Errorf("%s: version %d after %d", sku, v, last)
			}
			last = v
			total += d
			switch kind {
			case string(stock.MoveSet):
				sets++
				if total != 1000*sets {
					t.Errorf("%s: set %d (version %d) left the level at %d, not %d", sku, sets, v, total, 1000*sets)
				}
			case string(stock.MoveReceipt):
				receipts++
			}
		}
		rows.Close()
		var book int64
		if err := db.QueryRow(`SELECT qty FROM stock_levels WHERE location = 'HK-TST' AND sku = $1`, sku).Scan(&book); err != nil {
			t.Fatal(err)
		}
		if book != total || sets != rounds {
			t.Errorf("%s: book %d, ledger %d, %d sets", sku, book, total, sets)
		}
		t.Logf("%s: %d receipts, %d sets", sku, receipts, sets)
	}
}

// TestLocationWritesNoDeadlock: two location imports of the same stores in
// other orders, and subtree moves (a store and its zones moved between
// regions, one location at a time), at once wait for each other instead of
// deadlocking, and every location's path ends under its parent's.
func TestLocationWritesNoDeadlock(t *testing.T) {
	u := pgtest.Fresh(t)
	w := newWorldAt(t, u)
	admin := w.actors["A001"]
	const n = 150
	var setup strings.Builder
	setup.WriteString("code,name,kind,parent,approval_limit\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&setup, "S%03d,Store %d,store,HK,\nS%03d-Z,Zone %d,zone,S%03d,\n", i, i, i, i, i)
	}
	if res, err := w.svc.Import(ctx, admin, stock.ImportLocations, []byte(setup.String()), nil); err != nil || res.ErrorCount != 0 {
		t.Fatalf("setup: %v %+v", err, res.Errors)
	}
	for r := 0; r < 3; r++ {
		files := [2]strings.Builder{}
		for f := range files {
			files[f].WriteString("code,name,kind,parent,approval_limit\n")
			for i := 0; i < n; i++ {
				k := i
				if f == 1 {
					k = n - 1 - i
				}
				// Every other store moves to the other region.
				region := "HK"
				if (k+r+f)%2 == 1 {
					region = "MO"
				}
				fmt.Fprintf(&files[f], "S%03d,Store %d-%d-%d,store,%s,\n", k, k, r, f, region)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, len(files)+1)
		for f := range files {
			wg.Add(1)
			go func(f int) {
				defer wg.Done()
				res, err := w.svc.Import(ctx, admin, stock.ImportLocations, []byte(files[f].String()), nil)
				if err == nil && res.ErrorCount != 0 {
					err = fmt.Errorf("%d rows refused: %+v", res.ErrorCount, res.Errors[0])
				}
				errs[f] = err
			}(f)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := n - 1; i >= 0; i -= 7 {
				if _, _, err := w.svc.PutLocation(ctx, admin, fmt.Sprintf("S%03d", i), stock.LocationInput{Name: "moved", Kind: stock.KindStore, Parent: []string{"HK", "MO"}[(i+r)%2]}); err != nil {
					errs[len(files)] = err
					return
				}
			}
		}()
		wg.Wait()
		for f, err := range errs {
			if err != nil {
				t.Fatalf("round %d, writer %d: %v", r, f, err)
			}
		}
	}
	locs, err := w.svc.Locations(ctx, admin, "")
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for _, l := range locs {
		paths[l.Code] = l.Path
	}
	for _, l := range locs {
		if want := paths[l.Parent] + l.Code + "/"; l.Parent != "" && l.Path != want {
			t.Errorf("%s: path %s, parent's %s", l.Code, l.Path, paths[l.Parent])
		}
	}
	if d := pgDeadlocks(t, w, u); d != 0 {
		t.Errorf("%d deadlocks", d)
	}
}

// importSKUs imports n SKUs P00000… (more than one lookup chunk of the
// stock import).
func importSKUs(t *testing.T, w *world, admin stock.Actor, n int) {
	t.Helper()
	var cat strings.Builder
	cat.WriteString("sku,name,name_zh,category,unit_cost,barcode,pack_qty\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&cat, "P%05d,x,x,beverage,1.00,,\n", i)
	}
	if res, err := w.svc.Import(ctx, admin, stock.ImportCatalog, []byte(cat.String()), nil); err != nil || res.ErrorCount != 0 {
		t.Fatalf("catalog: %v %+v", err, res.Errors)
	}
}
