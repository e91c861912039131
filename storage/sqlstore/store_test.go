package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

func TestMigrationsIdempotent(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		s := openStore(t, u)
		tr := newTree()
		write(t, s, func(tx stock.Tx) error { _, err := tx.PutLocation(tr.HK); return err })
		dialect := s.Dialect()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// Open again (twice): nothing is re-applied, data stays.
		s = openStore(t, u)
		s2 := openStore(t, u)
		if s.Dialect() != dialect || s2.Dialect() != dialect {
			t.Fatalf("dialect changed: %s, %s, %s", dialect, s.Dialect(), s2.Dialect())
		}
		if want := map[bool]string{true: "postgres", false: "sqlite"}[strings.HasPrefix(u, "postgres://")]; dialect != want {
			t.Fatalf("Dialect() = %s, want %s", dialect, want)
		}
		got := get(t, s, func(tx stock.Tx) (stock.Location, error) { return tx.Location("HK") })
		if got != tr.HK {
			t.Fatalf("location after reopen = %+v, want %+v", got, tr.HK)
		}
		rows, err := s.DB().Query(`SELECT version, name FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var versions []int
		var names []string
		for rows.Next() {
			var v int
			var n string
			if err := rows.Scan(&v, &n); err != nil {
				t.Fatal(err)
			}
			versions, names = append(versions, v), append(names, n)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		wantVersions, wantNames := migrationFiles(t, dialect)
		if !reflect.DeepEqual(versions, wantVersions) || !reflect.DeepEqual(names, wantNames) {
			t.Fatalf("schema_migrations = %v %v, want %v %v", versions, names, wantVersions, wantNames)
		}
	})
}

// TestConcurrentOpen: servers starting together on a fresh database all
// come up, and the migrations are applied once.
//
// On SQLite only an existing database is opened concurrently (a sub-command
// next to a running server): creating a new file from several processes at
// once can fail with "database is locked" while the first one switches it
// to WAL mode, and the embedded database has one server.
func TestConcurrentOpen(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		concurrently := func(what string) {
			t.Helper()
			const n = 4
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				go func() {
					s, err := sqlstore.Open(context.Background(), u)
					if err == nil {
						err = s.Close()
					}
					errs <- err
				}()
			}
			for i := 0; i < n; i++ {
				if err := <-errs; err != nil {
					t.Errorf("concurrent Open of %s database: %v", what, err)
				}
			}
		}
		if strings.HasPrefix(u, "postgres://") {
			concurrently("a new")
		} else {
			openStore(t, u).Close()
		}
		concurrently("an existing")
		s := openStore(t, u)
		var count int
		want, _ := migrationFiles(t, s.Dialect())
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&count); err != nil || count != len(want) {
			t.Fatalf("schema_migrations has %d rows (%v), want %d", count, err, len(want))
		}
	})
}

func TestLocations(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := newTree()
		// Create, then update.
		limit := money(t, "5000.00")
		write(t, s, func(tx stock.Tx) error {
			for _, l := range tr.all() {
				created, err := tx.PutLocation(l)
				if err != nil {
					return err
				}
				if !created {
					t.Errorf("PutLocation(%s) created = false on a new location", l.Code)
				}
			}
			upd := tr.HKTST
			upd.Name, upd.ApprovalLimit = "尖沙咀店", &limit
			created, err := tx.PutLocation(upd)
			if created {
				t.Errorf("PutLocation of an existing location reported created")
			}
			return err
		})
		got := get(t, s, func(tx stock.Tx) (stock.Location, error) { return tx.Location("HK-TST") })
		if got.Name != "尖沙咀店" || got.ApprovalLimit == nil || *got.ApprovalLimit != limit || got.Path != tr.HKTST.Path || got.Parent != "HK" {
			t.Fatalf("updated location = %+v", got)
		}
		// The limit can be removed again.
		write(t, s, func(tx stock.Tx) error { _, err := tx.PutLocation(tr.HKTST); return err })
		got = get(t, s, func(tx stock.Tx) (stock.Location, error) { return tx.Location("HK-TST") })
		if got != tr.HKTST {
			t.Fatalf("location = %+v, want %+v", got, tr.HKTST)
		}
		err := s.Read(context.Background(), func(tx stock.Tx) error { _, err := tx.Location("HK-X"); return err })
		wantCode(t, err, stock.ENotFound)

		byCode := get(t, s, func(tx stock.Tx) (map[string]stock.Location, error) {
			return tx.LocationsByCode([]string{"HK-T", "missing", "HK-T", "", "hk-t", "HK-TST"})
		})
		if keys := sortedKeys(byCode); !reflect.DeepEqual(keys, []string{"HK-T", "HK-TST", "hk-t"}) {
			t.Fatalf("LocationsByCode keys = %v", keys)
		}
		if byCode["hk-t"] != tr.hkt || byCode["HK-T"] != tr.HKT {
			t.Fatalf("LocationsByCode = %+v", byCode)
		}
		if m := get(t, s, func(tx stock.Tx) (map[string]stock.Location, error) { return tx.LocationsByCode(nil) }); len(m) != 0 {
			t.Fatalf("LocationsByCode(nil) = %v", m)
		}

		under := func(path string) []string {
			t.Helper()
			return codesOf(get(t, s, func(tx stock.Tx) ([]stock.Location, error) { return tx.LocationsUnder(path) }))
		}
		for _, c := range []struct {
			path string
			want []string
		}{
			// Ordered by path, bytewise: 'X' < '_'.
			{tr.HKT.Path, []string{"HK-T", "HK-TXA", "HK-T_A", "HK-T_A-01"}},
			// '_' is not a wildcard: HK-TXA is not under HK-T_A.
			{tr.HKTA.Path, []string{"HK-T_A", "HK-T_A-01"}},
			// HK-TST is not under HK-T, nor hk-t.
			{tr.HKTST.Path, []string{"HK-TST", "HK-TST-A"}},
			{tr.hkt.Path, []string{"hk-t", "hk-t-z"}},
			{tr.HKTA01.Path, []string{"HK-T_A-01"}},
			{"/NOPE/", nil},
			{"/MO/", []string{"MO", "MO-1"}},
			{"/", []string{"HK", "HK-T", "HK-TXA", "HK-T_A", "HK-T_A-01", "HK-TST", "HK-TST-A", "hk-t", "hk-t-z", "MO", "MO-1"}},
		} {
			if got := under(c.path); !reflect.DeepEqual(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("LocationsUnder(%q) = %v, want %v", c.path, got, c.want)
			}
		}

		// Move HK-T (and everything below it) from HK to MO, with counts.
		cT := newCount("C-T", tr.HKT, at(0))
		cZone := newCount("C-ZONE", tr.HKTA, at(1))
		cTST := newCount("C-TST", tr.HKTST, at(2))
		chkt := newCount("C-hkt", tr.hkt, at(3))
		for _, c := range []stock.Count{cT, cZone, cTST, chkt} {
			createCount(t, s, c, nil)
		}
		moved := tr.HKT
		moved.Parent, moved.Path = "MO", "/MO/HK-T/"
		write(t, s, func(tx stock.Tx) error {
			if _, err := tx.PutLocation(moved); err != nil {
				return err
			}
			return tx.RepathLocations(tr.HKT.Path, moved.Path)
		})
		if got, want := under("/MO/"), []string{"MO", "HK-T", "HK-TXA", "HK-T_A", "HK-T_A-01", "MO-1"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after repath LocationsUnder(/MO/) = %v, want %v", got, want)
		}
		if got, want := under("/HK/"), []string{"HK", "HK-TST", "HK-TST-A", "hk-t", "hk-t-z"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after repath LocationsUnder(/HK/) = %v, want %v", got, want)
		}
		bin := get(t, s, func(tx stock.Tx) (stock.Location, error) { return tx.Location("HK-T_A-01") })
		if bin.Path != "/MO/HK-T/HK-T_A/HK-T_A-01/" || bin.Parent != "HK-T_A" {
			t.Fatalf("moved bin = %+v", bin)
		}
		for id, want := range map[string]string{"C-T": "/MO/HK-T/", "C-ZONE": "/MO/HK-T/HK-T_A/", "C-TST": "/HK/HK-TST/", "C-hkt": "/HK/hk-t/"} {
			c := get(t, s, func(tx stock.Tx) (stock.Count, error) { return tx.Count(id, false) })
			if c.LocationPath != want {
				t.Errorf("count %s location_path = %q, want %q", id, c.LocationPath, want)
			}
		}
	})
}

func TestCatalog(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		a := stock.SKU{SKU: "A-1", Name: "Milk tea", NameZh: "奶茶", Category: "DRINK", UnitCost: money(t, "12.3456"),
			Barcodes: []stock.Barcode{{Code: "14891234567897", PackQty: 12}, {Code: "4891234567890", PackQty: 1}}}
		write(t, s, func(tx stock.Tx) error {
			created, err := tx.PutSKU(a, []string{"K12", "K1"}, false)
			if !created {
				t.Errorf("PutSKU created = false for a new SKU")
			}
			return err
		})
		sku := func(code string) stock.SKU {
			t.Helper()
			return get(t, s, func(tx stock.Tx) (stock.SKU, error) { return tx.SKU(code) })
		}
		got := sku("A-1")
		// Barcodes come back by pack_qty, then code.
		want := a
		want.Barcodes = []stock.Barcode{{Code: "4891234567890", PackQty: 1}, {Code: "14891234567897", PackQty: 12}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("SKU = %+v, want %+v", got, want)
		}

		// replaceBarcodes=false adds barcodes (and updates the SKU).
		a2 := a
		a2.Name, a2.UnitCost = "Milk tea 2", money(t, "13.00")
		a2.Barcodes = []stock.Barcode{{Code: "CASE-6", PackQty: 6}}
		write(t, s, func(tx stock.Tx) error {
			created, err := tx.PutSKU(a2, []string{"K6"}, false)
			if created {
				t.Errorf("PutSKU created = true for an existing SKU")
			}
			return err
		})
		got = sku("A-1")
		if got.Name != "Milk tea 2" || got.UnitCost != money(t, "13") || len(got.Barcodes) != 3 {
			t.Fatalf("after add: %+v", got)
		}

		// replaceBarcodes=true keeps exactly the given ones (a kept key may
		// change its pack quantity).
		a3 := a2
		a3.Barcodes = []stock.Barcode{{Code: "CASE-6", PackQty: 8}}
		write(t, s, func(tx stock.Tx) error { _, err := tx.PutSKU(a3, []string{"K6"}, true); return err })
		got = sku("A-1")
		if !reflect.DeepEqual(got.Barcodes, []stock.Barcode{{Code: "CASE-6", PackQty: 8}}) {
			t.Fatalf("after replace: %+v", got.Barcodes)
		}
		lk := get(t, s, func(tx stock.Tx) (map[string]stock.BarcodeMatch, error) {
			return tx.LookupBarcodes([]string{"K1", "K6", "K12", "nope", "K6"})
		})
		if want := map[string]stock.BarcodeMatch{"K6": {Key: "K6", Code: "CASE-6", SKU: "A-1", PackQty: 8, Category: "DRINK"}}; !reflect.DeepEqual(lk, want) {
			t.Fatalf("LookupBarcodes = %+v, want %+v", lk, want)
		}

		// A barcode of another SKU is a conflict, and the whole transaction
		// is rolled back: B is not created, A keeps its barcode.
		b := stock.SKU{SKU: "B-1", Name: "Lemon tea", Category: "DRINK", UnitCost: money(t, "5"),
			Barcodes: []stock.Barcode{{Code: "FREE", PackQty: 1}, {Code: "CASE-6", PackQty: 6}}}
		for _, replace := range []bool{false, true} {
			err := s.Write(context.Background(), func(tx stock.Tx) error {
				if _, err := tx.PutLocation(loc("ROLLBACK", stock.KindRegion, nil)); err != nil {
					return err
				}
				_, err := tx.PutSKU(b, []string{"KFREE", "K6"}, replace)
				return err
			})
			wantCode(t, err, stock.EConflict)
			if d := stock.ErrorDetails(err); d["sku"] != "A-1" {
				t.Errorf("conflict details = %v, want sku A-1", d)
			}
			read(t, s, func(tx stock.Tx) error {
				if _, err := tx.SKU("B-1"); stock.ErrorCode(err) != stock.ENotFound {
					t.Errorf("B-1 after a refused PutSKU: %v", err)
				}
				if _, err := tx.Location("ROLLBACK"); stock.ErrorCode(err) != stock.ENotFound {
					t.Errorf("location written in a rolled back transaction: %v", err)
				}
				m, err := tx.LookupBarcodes([]string{"KFREE", "K6"})
				if len(m) != 1 || m["K6"].SKU != "A-1" {
					t.Errorf("barcodes after a refused PutSKU: %+v", m)
				}
				return err
			})
		}
		err := s.Read(context.Background(), func(tx stock.Tx) error { _, err := tx.SKU("nope"); return err })
		wantCode(t, err, stock.ENotFound)

		// PutSKUs: 1203 SKUs (3 chunks), 2 barcodes each (5 chunks), with A-1
		// among them (an update).
		const n = 1203
		mk := func(cost string) ([]stock.SKU, [][]string) {
			skus := make([]stock.SKU, n)
			keys := make([][]string, n)
			for i := range skus {
				code := fmt.Sprintf("P-%05d", i)
				if i == 700 {
					code = "A-1"
				}
				skus[i] = stock.SKU{SKU: code, Name: "name " + code, NameZh: "貨品 " + code, Category: fmt.Sprintf("CAT-%d", i%7), UnitCost: money(t, cost),
					Barcodes: []stock.Barcode{{Code: "EA-" + code, PackQty: 1}, {Code: "CS-" + code, PackQty: int64(i%5 + 2)}}}
				keys[i] = []string{"KEA-" + code, "KCS-" + code}
			}
			return skus, keys
		}
		skus, keys := mk("1.50")
		write(t, s, func(tx stock.Tx) error { return tx.PutSKUs(skus, keys) })
		skus, keys = mk("2.25") // upsert again: new costs, same barcodes
		skus[3].Barcodes[1].PackQty = 99
		write(t, s, func(tx stock.Tx) error { return tx.PutSKUs(skus, keys) })

		codes := []string{"missing"}
		var allKeys []string
		for i, k := range skus {
			codes = append(codes, k.SKU)
			allKeys = append(allKeys, keys[i]...)
		}
		allKeys = append(allKeys, "missing")
		gotSKUs := get(t, s, func(tx stock.Tx) (map[string]stock.SKU, error) { return tx.SKUs(codes) })
		if len(gotSKUs) != n {
			t.Fatalf("SKUs returned %d SKUs, want %d", len(gotSKUs), n)
		}
		for i, k := range skus {
			g := gotSKUs[k.SKU]
			var wantBC []stock.Barcode
			if k.SKU == "A-1" {
				// PutSKUs adds barcodes: A-1 keeps CASE-6.
				wantBC = append(wantBC, stock.Barcode{Code: "EA-A-1", PackQty: 1}, stock.Barcode{Code: "CS-A-1", PackQty: int64(i%5 + 2)}, stock.Barcode{Code: "CASE-6", PackQty: 8})
				sort.Slice(wantBC, func(i, j int) bool {
					if wantBC[i].PackQty != wantBC[j].PackQty {
						return wantBC[i].PackQty < wantBC[j].PackQty
					}
					return wantBC[i].Code < wantBC[j].Code
				})
			} else {
				wantBC = k.Barcodes
			}
			w := k
			w.Barcodes = wantBC
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("SKUs[%s] = %+v, want %+v", k.SKU, g, w)
			}
		}
		info := get(t, s, func(tx stock.Tx) (map[string]stock.SKU, error) { return tx.SKUInfo(codes) })
		if len(info) != n {
			t.Fatalf("SKUInfo returned %d SKUs, want %d", len(info), n)
		}
		for _, k := range skus {
			w := k
			w.Barcodes = nil
			g := info[k.SKU]
			if len(g.Barcodes) != 0 {
				t.Fatalf("SKUInfo[%s] has barcodes %v", k.SKU, g.Barcodes)
			}
			g.Barcodes = nil
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("SKUInfo[%s] = %+v, want %+v", k.SKU, g, w)
			}
		}
		matches := get(t, s, func(tx stock.Tx) (map[string]stock.BarcodeMatch, error) { return tx.LookupBarcodes(allKeys) })
		if len(matches) != 2*n {
			t.Fatalf("LookupBarcodes returned %d matches, want %d", len(matches), 2*n)
		}
		for i, k := range skus {
			for j, key := range keys[i] {
				want := stock.BarcodeMatch{Key: key, Code: k.Barcodes[j].Code, SKU: k.SKU, PackQty: k.Barcodes[j].PackQty, Category: k.Category}
				if matches[key] != want {
					t.Fatalf("LookupBarcodes[%s] = %+v, want %+v", key, matches[key], want)
				}
			}
		}
	})
}

func TestApplyMovements(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		// The same level several times in one call, mixed with other levels.
		ms := apply(t, s,
			move("M1", "HK-T", "A", 5, at(1)),
			move("M2", "HK-T", "A", -2, at(2)),
			move("M3", "HK-TST", "A", 7, at(3)),
			move("M4", "HK-T", "A", 10, at(4)),
			move("M5", "HK-T", "B", 1, at(5)),
			move("M6", "HK-T", "A", -1, at(6)),
			move("M7", "HK-T_A", "A", 4, at(7)),
		)
		wantV := []int64{1, 2, 1, 3, 1, 4, 1}
		for i, m := range ms {
			if m.Version != wantV[i] {
				t.Errorf("%s version = %d, want %d", m.MovementID, m.Version, wantV[i])
			}
		}
		ms2 := apply(t, s, move("M8", "HK-T", "A", 100, at(8)), move("M9", "HK-T", "A", -100, at(9)))
		if ms2[0].Version != 5 || ms2[1].Version != 6 {
			t.Errorf("second call versions = %d, %d, want 5, 6", ms2[0].Version, ms2[1].Version)
		}

		// Levels come ordered by location and SKU in the database's collation
		// (bytewise on SQLite, the database default on PostgreSQL), so they
		// are compared sorted.
		levels := func(f stock.StockFilter) []string {
			t.Helper()
			ls := get(t, s, func(tx stock.Tx) ([]stock.StockLevel, error) { return tx.StockLevels(f) })
			out := make([]string, len(ls))
			for i, l := range ls {
				out[i] = fmt.Sprintf("%s/%s=%d@%d", l.Location, l.SKU, l.Qty, l.Version)
				if l.Updated.IsZero() {
					t.Errorf("level %s has no updated_at", out[i])
				}
			}
			sort.Strings(out)
			return out
		}
		all := []string{"HK-T/A=12@6", "HK-T/B=1@1", "HK-TST/A=7@1", "HK-T_A/A=4@1"}
		for _, c := range []struct {
			f    stock.StockFilter
			want []string
		}{
			{stock.StockFilter{}, all},
			{stock.StockFilter{Paths: []string{"/"}}, all},
			{stock.StockFilter{Paths: []string{tr.HKT.Path}}, []string{"HK-T/A=12@6", "HK-T/B=1@1", "HK-T_A/A=4@1"}},
			{stock.StockFilter{Paths: []string{tr.HKTST.Path}}, []string{"HK-TST/A=7@1"}},
			{stock.StockFilter{Paths: []string{tr.HKTA.Path, tr.HKTST.Path}}, []string{"HK-TST/A=7@1", "HK-T_A/A=4@1"}},
			{stock.StockFilter{Paths: []string{tr.hkt.Path}}, nil},
			{stock.StockFilter{Paths: []string{}}, nil},
			{stock.StockFilter{SKU: "A"}, []string{"HK-T/A=12@6", "HK-TST/A=7@1", "HK-T_A/A=4@1"}},
			{stock.StockFilter{Paths: []string{tr.HKT.Path}, SKU: "B"}, []string{"HK-T/B=1@1"}},
		} {
			if got := levels(c.f); !reflect.DeepEqual(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
				t.Errorf("StockLevels(%+v) = %v, want %v", c.f, got, c.want)
			}
		}

		if got := levels(stock.StockFilter{Limit: 2}); len(got) != 2 {
			t.Errorf("StockLevels(Limit 2) = %v", got)
		}

		hashes := get(t, s, func(tx stock.Tx) (map[string]string, error) {
			return tx.MovementHashes([]string{"M1", "M9", "M1", "unknown"})
		})
		if want := map[string]string{"M1": ms[0].Hash(), "M9": ms2[1].Hash()}; !reflect.DeepEqual(hashes, want) {
			t.Fatalf("MovementHashes = %v, want %v", hashes, want)
		}

		// A movement id used twice is a conflict and nothing of the call
		// stays.
		dup := []stock.Movement{move("M10", "HK-T", "A", 1, at(10)), move("M1", "HK-T", "A", 1, at(11))}
		err := s.Write(context.Background(), func(tx stock.Tx) error {
			return tx.ApplyMovements(dup, []string{dup[0].Hash(), dup[1].Hash()})
		})
		wantCode(t, err, stock.EConflict)
		if got := levels(stock.StockFilter{SKU: "A", Paths: []string{tr.HKT.Path}}); got[0] != "HK-T/A=12@6" {
			t.Fatalf("level after a refused call = %v", got)
		}

		// Many levels at once, each several times: crosses the 400-row chunks.
		var big []stock.Movement
		for round := 0; round < 3; round++ {
			for i := 0; i < 450; i++ {
				big = append(big, move(fmt.Sprintf("BIG-%d-%d", round, i), "MO-1", fmt.Sprintf("S%03d", i), int64(round+1), at(20+round)))
			}
		}
		big = apply(t, s, big...)
		for i, m := range big {
			if want := int64(i/450 + 1); m.Version != want {
				t.Fatalf("%s version = %d, want %d", m.MovementID, m.Version, want)
			}
		}
		got := levels(stock.StockFilter{Paths: []string{tr.MO1.Path}})
		if len(got) != 450 || got[0] != "MO-1/S000=6@3" || got[449] != "MO-1/S449=6@3" {
			t.Fatalf("big levels: %d, first %v", len(got), got[:1])
		}
	})
}

func TestCounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		c1 := newCount("C1", tr.HKT, at(10))
		c1.Scope = stock.CountScope{Zones: []string{"HK-T_A"}, Categories: []string{"DRINK"}, SKUs: []string{"A", "B"}}
		snap := []stock.SnapshotRow{{SKU: "A", Location: "HK-T", Qty: 5, Version: 3}, {SKU: "B", Location: "HK-T_A", Qty: 0, Version: 1}}
		createCount(t, s, c1, snap)
		c2 := newCount("C2", tr.HKTST, at(20))
		c2.Blind, c2.ToleranceQty = false, 0
		c3 := newCount("C3", tr.HKTA, at(30))
		c3.MovementPolicy, c3.Status, c3.Round = stock.PolicyFreeze, stock.StatusRecount, 2
		c4 := newCount("C4", tr.MO1, at(40))
		c4.MovementPolicy = stock.PolicyFreeze
		c5 := newCount("C5", tr.hkt, at(50))
		closed := at(60)
		c5.Status, c5.ClosedAt = stock.StatusReview, &closed
		for _, c := range []stock.Count{c2, c3, c4, c5} {
			createCount(t, s, c, nil)
		}

		count := func(id string) stock.Count {
			t.Helper()
			return get(t, s, func(tx stock.Tx) (stock.Count, error) { return tx.Count(id, false) })
		}
		if got := count("C1"); !reflect.DeepEqual(got, c1) {
			t.Fatalf("Count = %+v, want %+v", got, c1)
		}
		if got := count("C5"); !reflect.DeepEqual(got, c5) {
			t.Fatalf("Count = %+v, want %+v", got, c5)
		}
		gotSnap := get(t, s, func(tx stock.Tx) ([]stock.SnapshotRow, error) { return tx.Snapshot("C1") })
		sort.Slice(gotSnap, func(i, j int) bool { return gotSnap[i].SKU < gotSnap[j].SKU })
		if !reflect.DeepEqual(gotSnap, snap) {
			t.Fatalf("Snapshot = %+v, want %+v", gotSnap, snap)
		}
		if got := get(t, s, func(tx stock.Tx) ([]stock.SnapshotRow, error) { return tx.Snapshot("C2") }); len(got) != 0 {
			t.Fatalf("Snapshot(C2) = %+v", got)
		}
		err := s.Read(context.Background(), func(tx stock.Tx) error { _, err := tx.Count("nope", false); return err })
		wantCode(t, err, stock.ENotFound)
		// The same id twice is a conflict.
		err = s.Write(context.Background(), func(tx stock.Tx) error { return tx.CreateCount(c1, nil) })
		wantCode(t, err, stock.EConflict)

		// forUpdate works in a write transaction on both dialects.
		write(t, s, func(tx stock.Tx) error {
			c, err := tx.Count("C1", true)
			if err == nil && !reflect.DeepEqual(c, c1) {
				t.Errorf("Count(forUpdate) = %+v", c)
			}
			return err
		})

		ids := func(f stock.CountFilter) []string {
			t.Helper()
			cs := get(t, s, func(tx stock.Tx) ([]stock.Count, error) { return tx.Counts(f) })
			out := []string{}
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		for _, c := range []struct {
			f    stock.CountFilter
			want []string
		}{
			{stock.CountFilter{}, []string{"C5", "C4", "C3", "C2", "C1"}},
			{stock.CountFilter{Paths: []string{"/"}}, []string{"C5", "C4", "C3", "C2", "C1"}},
			{stock.CountFilter{Paths: []string{}}, []string{}},
			{stock.CountFilter{Paths: []string{tr.HKT.Path}}, []string{"C3", "C1"}},
			{stock.CountFilter{Paths: []string{tr.HKTST.Path}}, []string{"C2"}},
			{stock.CountFilter{Paths: []string{tr.hkt.Path, tr.MO.Path}}, []string{"C5", "C4"}},
			{stock.CountFilter{Paths: []string{tr.HK.Path}, Limit: 2}, []string{"C5", "C3"}},
			{stock.CountFilter{Status: stock.StatusReview}, []string{"C5"}},
			{stock.CountFilter{Status: stock.StatusOpen, Paths: []string{tr.HK.Path}}, []string{"C2", "C1"}},
			{stock.CountFilter{Location: "HK-T"}, []string{"C1"}},
			{stock.CountFilter{Location: "HK-T", Status: stock.StatusReview}, []string{}},
		} {
			if got := ids(c.f); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Counts(%+v) = %v, want %v", c.f, got, c.want)
			}
		}

		open := func(p stock.MovementPolicy) []string {
			t.Helper()
			cs := get(t, s, func(tx stock.Tx) ([]stock.Count, error) { return tx.OpenCounts(p) })
			out := []string{}
			for _, c := range cs {
				out = append(out, c.ID)
			}
			sort.Strings(out)
			return out
		}
		if got := open(stock.PolicyFreeze); !reflect.DeepEqual(got, []string{"C3", "C4"}) {
			t.Errorf("OpenCounts(freeze) = %v", got)
		}
		if got := open(stock.PolicySnapshotDelta); !reflect.DeepEqual(got, []string{"C1", "C2"}) {
			t.Errorf("OpenCounts(snapshot_delta) = %v", got)
		}
		if got := open(stock.PolicyRejectChanged); len(got) != 0 {
			t.Errorf("OpenCounts(reject_changed) = %v", got)
		}

		// UpdateCount saves the state fields and only those.
		upd := c1
		closedAt, postedAt := at(70), at(80)
		upd.Status, upd.Round, upd.ClosedAt, upd.PostedAt, upd.ApprovedBy = stock.StatusPosted, 3, &closedAt, &postedAt, "E7"
		changed := upd
		changed.Blind, changed.ToleranceQty, changed.MovementPolicy, changed.OpenedBy = false, 99, stock.PolicyFreeze, "X"
		write(t, s, func(tx stock.Tx) error { return tx.UpdateCount(changed) })
		if got := count("C1"); !reflect.DeepEqual(got, upd) {
			t.Fatalf("after UpdateCount: %+v, want %+v", got, upd)
		}
		if got := open(stock.PolicySnapshotDelta); !reflect.DeepEqual(got, []string{"C2"}) {
			t.Errorf("OpenCounts(snapshot_delta) after posting C1 = %v", got)
		}
		// Clearing the times again.
		upd.Status, upd.ClosedAt, upd.PostedAt = stock.StatusOpen, nil, nil
		write(t, s, func(tx stock.Tx) error { return tx.UpdateCount(upd) })
		if got := count("C1"); got.ClosedAt != nil || got.PostedAt != nil {
			t.Fatalf("times not cleared: %+v", got)
		}
	})
}

// TestCountForUpdate checks that Count(id, true) serialises writers on a
// count: a second writer waits for the first and sees its change (no lost
// update).
func TestCountForUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		createCount(t, s, newCount("C1", tr.HKT, at(0)), nil)
		locked := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.Write(context.Background(), func(tx stock.Tx) error {
				c, err := tx.Count("C1", true)
				close(locked)
				if err != nil {
					return err
				}
				waitABit()
				c.Round++
				return tx.UpdateCount(c)
			})
		}()
		<-locked
		var seen int
		write(t, s, func(tx stock.Tx) error {
			c, err := tx.Count("C1", true)
			if err != nil {
				return err
			}
			seen = c.Round
			c.Round++
			return tx.UpdateCount(c)
		})
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		final := get(t, s, func(tx stock.Tx) (stock.Count, error) { return tx.Count("C1", false) })
		if seen != 2 || final.Round != 3 {
			t.Fatalf("second writer saw round %d, final round %d; want 2 and 3 (lost update)", seen, final.Round)
		}
	})
}

func TestSnapshotBook(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		seedSKUs(t, s,
			stock.SKU{SKU: "A", Name: "a", Category: "DRINK"},
			stock.SKU{SKU: "B", Name: "b", Category: "SNACK"},
			stock.SKU{SKU: "C", Name: "c", Category: "DRINK"})
		apply(t, s,
			move("1", "HK-T", "A", 10, at(1)),
			move("2", "HK-T", "A", 1, at(2)),
			move("3", "HK-T", "B", 3, at(3)),
			move("4", "HK-T_A-01", "C", 4, at(4)),
			move("5", "HK-T_A", "A", 5, at(5)),
			move("6", "HK-TST", "A", 6, at(6)),
			move("7", "hk-t", "A", 7, at(7)),
			move("8", "HK-T", "GHOST", 8, at(8)), // a level of a SKU not in the catalog
		)
		book := func(paths []string, sc stock.CountScope) []string {
			t.Helper()
			rows := get(t, s, func(tx stock.Tx) ([]stock.SnapshotRow, error) { return tx.SnapshotBook(paths, sc) })
			out := []string{}
			for _, r := range rows {
				out = append(out, fmt.Sprintf("%s/%s=%d@%d", r.Location, r.SKU, r.Qty, r.Version))
			}
			sort.Strings(out)
			return out
		}
		// The SKUs of a count's snapshot (those in the catalog), not of
		// another count's.
		createCount(t, s, newCount("C1", tr.HKT, at(10)), []stock.SnapshotRow{
			{SKU: "A", Location: "HK-T", Qty: 11, Version: 2}, {SKU: "A", Location: "HK-T_A", Qty: 5, Version: 1},
			{SKU: "C", Location: "HK-T_A-01", Qty: 4, Version: 1}, {SKU: "GHOST", Location: "HK-T", Qty: 8, Version: 1},
		})
		createCount(t, s, newCount("C2", tr.HKTST, at(11)), []stock.SnapshotRow{{SKU: "B", Location: "HK-TST", Qty: 1, Version: 1}})
		snapSKUs := get(t, s, func(tx stock.Tx) (map[string]stock.SKU, error) { return tx.SnapshotSKUs("C1") })
		if keys := sortedKeys(snapSKUs); !reflect.DeepEqual(keys, []string{"A", "C"}) || snapSKUs["C"].Category != "DRINK" || snapSKUs["A"].Name != "a" {
			t.Fatalf("SnapshotSKUs(C1) = %+v", snapSKUs)
		}
		if got := get(t, s, func(tx stock.Tx) (map[string]stock.SKU, error) { return tx.SnapshotSKUs("nope") }); len(got) != 0 {
			t.Fatalf("SnapshotSKUs(nope) = %+v", got)
		}

		for _, c := range []struct {
			paths []string
			scope stock.CountScope
			want  []string
		}{
			{[]string{tr.HKT.Path}, stock.CountScope{}, []string{"HK-T/A=11@2", "HK-T/B=3@1", "HK-T_A-01/C=4@1", "HK-T_A/A=5@1"}},
			{[]string{tr.HKTA.Path}, stock.CountScope{}, []string{"HK-T_A-01/C=4@1", "HK-T_A/A=5@1"}},
			{[]string{tr.HKTA.Path, tr.HKTST.Path}, stock.CountScope{}, []string{"HK-TST/A=6@1", "HK-T_A-01/C=4@1", "HK-T_A/A=5@1"}},
			{[]string{tr.HKT.Path}, stock.CountScope{Categories: []string{"DRINK"}}, []string{"HK-T/A=11@2", "HK-T_A-01/C=4@1", "HK-T_A/A=5@1"}},
			{[]string{tr.HKT.Path}, stock.CountScope{SKUs: []string{"B"}}, []string{"HK-T/B=3@1"}},
			{[]string{tr.HKT.Path}, stock.CountScope{Categories: []string{"DRINK"}, SKUs: []string{"A", "B"}}, []string{"HK-T/A=11@2", "HK-T_A/A=5@1"}},
			{[]string{tr.HKT.Path}, stock.CountScope{Categories: []string{"NONE"}}, []string{}},
			{[]string{}, stock.CountScope{}, []string{}},
		} {
			if got := book(c.paths, c.scope); !reflect.DeepEqual(got, c.want) {
				t.Errorf("SnapshotBook(%v, %+v) = %v, want %v", c.paths, c.scope, got, c.want)
			}
		}
	})
}

func TestChangesSince(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		tr := seedTree(t, s)
		// Before the count: A and B at HK-T, E at HK-T (left out of the
		// snapshot), A at HK-TST.
		apply(t, s,
			move("pre-1", "HK-T", "A", 10, at(1)),
			move("pre-2", "HK-T", "A", 2, at(2)),
			move("pre-3", "HK-T", "B", 5, at(3)),
			move("pre-4", "HK-T", "E", 9, at(4)),
			move("pre-5", "HK-TST", "A", 1, at(5)),
		)
		opened := at(100)
		c := newCount("C1", tr.HKT, opened)
		createCount(t, s, c, []stock.SnapshotRow{
			{SKU: "A", Location: "HK-T", Qty: 12, Version: 2},
			{SKU: "B", Location: "HK-T", Qty: 5, Version: 1},
		})
		// A movement posted before the count opened but applied now (a late
		// version bump on a level the snapshot does not have) is not a change.
		late := move("pre-6", "HK-T", "E", 1, at(6))
		after := func(id, l, sku string, d int64, n int) stock.Movement { return move(id, l, sku, d, at(100+n)) }
		own := after("adj", "HK-T", "B", -2, 5)
		own.Kind, own.Ref = stock.MoveAdjustment, "C1"
		other := after("adj-other", "HK-T", "B", 4, 6)
		other.Kind, other.Ref = stock.MoveAdjustment, "C0"
		apply(t, s,
			late,
			after("m-1", "HK-T", "A", 3, 1),      // A v3: change
			after("m-2", "HK-T", "A", -1, 2),     // A v4: change
			after("m-3", "HK-T", "D", 4, 3),      // D: level created after opening
			after("m-4", "HK-T_A-01", "D", 2, 4), // below the count's location
			own,                                  // the count's own adjustment
			other,                                // another count's adjustment
			after("m-5", "HK-T", "E", 7, 7),      // E: posted after opening
			after("m-6", "HK-TST", "A", 5, 8),    // sibling store: not under HK-T
			after("m-7", "hk-t", "A", 5, 9),      // case sibling: not under HK-T
		)
		changes := func(paths []string, until time.Time) []string {
			t.Helper()
			cs := get(t, s, func(tx stock.Tx) ([]stock.StockChange, error) { return tx.ChangesSince("C1", paths, until) })
			out := []string{}
			for _, c := range cs {
				if !c.Posted.Equal(c.At) { // move() posts at At
					t.Errorf("change %+v: posted_at %v, want %v", c, c.Posted, c.At)
				}
				out = append(out, fmt.Sprintf("%s/%s%+d@%d t%d", c.Location, c.SKU, c.QtyDelta, c.Version, c.At.Sub(opened)/time.Second))
			}
			sort.Strings(out)
			return out
		}
		future := at(100000)
		want := []string{"HK-T/A+3@3 t1", "HK-T/A-1@4 t2", "HK-T/B+4@3 t6", "HK-T/D+4@1 t3", "HK-T/E+7@3 t7", "HK-T_A-01/D+2@1 t4"}
		if got := changes([]string{tr.HKT.Path}, future); !reflect.DeepEqual(got, want) {
			t.Fatalf("ChangesSince = %v\nwant %v", got, want)
		}
		// until bounds posted_at, inclusively.
		if got := changes([]string{tr.HKT.Path}, at(103)); !reflect.DeepEqual(got, []string{"HK-T/A+3@3 t1", "HK-T/A-1@4 t2", "HK-T/D+4@1 t3"}) {
			t.Fatalf("ChangesSince(until t3) = %v", got)
		}
		if got := changes([]string{tr.HKTA.Path}, future); !reflect.DeepEqual(got, []string{"HK-T_A-01/D+2@1 t4"}) {
			t.Fatalf("ChangesSince(zone) = %v", got)
		}
		if got := changes([]string{}, future); len(got) != 0 {
			t.Fatalf("ChangesSince(no paths) = %v", got)
		}
		err := s.Read(context.Background(), func(tx stock.Tx) error {
			_, err := tx.ChangesSince("nope", []string{tr.HKT.Path}, future)
			return err
		})
		wantCode(t, err, stock.ENotFound)
	})
}

// migrationFiles lists the versions and file names of the migrations in
// migrations/ that apply to dialect: NNNN_name.sql or NNNN_name.<dialect>.sql.
func migrationFiles(t *testing.T, dialect string) ([]int, []string) {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	var names []string
	for _, e := range entries {
		n := e.Name()
		parts := strings.Split(strings.TrimSuffix(n, ".sql"), ".")
		if !strings.HasSuffix(n, ".sql") || len(parts) > 2 || (len(parts) == 2 && parts[1] != dialect) {
			continue
		}
		v, err := strconv.Atoi(n[:4])
		if err != nil {
			t.Fatalf("migration %s: %v", n, err)
		}
		versions, names = append(versions, v), append(names, n)
	}
	if len(versions) < 4 {
		t.Fatalf("only %d migrations found for %s", len(versions), dialect)
	}
	return versions, names
}
