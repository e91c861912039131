package sqlstore_test

// The store tests run every test twice, on SQLite (a file in t.TempDir())
// and on PostgreSQL (a fresh database per test on PANDIAN_TEST_POSTGRES,
// default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
// Without a reachable PostgreSQL the PostgreSQL variants are skipped, except
// when CI is set, where they fail.
//
// The PostgreSQL databases come from storage/pgtest, with an ICU "en-US"
// collation: production databases rarely use the C collation, and path
// range queries are only correct when they compare bytes (the schema's
// COLLATE "C").

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"pandian/stock"
	"pandian/storage/pgtest"
	"pandian/storage/sqlstore"
)

// forEachURL runs fn as a subtest per database, with the URL of a fresh,
// empty database.
func forEachURL(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			var u string
			if db == "sqlite" {
				u = filepath.Join(t.TempDir(), "pandian.db")
			} else {
				u = pgtest.Fresh(t)
			}
			fn(t, u)
		})
	}
}

// forEachDB runs fn as a subtest per database, with a store opened (and
// migrated) on a fresh database.
func forEachDB(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	forEachURL(t, func(t *testing.T, u string) {
		fn(t, openStore(t, u))
	})
}

func openStore(t *testing.T, u string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// write runs fn in a write transaction and fails the test on an error.
func write(t *testing.T, s *sqlstore.Store, fn func(tx stock.Tx) error) {
	t.Helper()
	if err := s.Write(context.Background(), fn); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// read runs fn in a read transaction and fails the test on an error.
func read(t *testing.T, s *sqlstore.Store, fn func(tx stock.Tx) error) {
	t.Helper()
	if err := s.Read(context.Background(), fn); err != nil {
		t.Fatalf("read: %v", err)
	}
}

// get reads one value in a read transaction.
func get[T any](t *testing.T, s *sqlstore.Store, fn func(tx stock.Tx) (T, error)) T {
	t.Helper()
	var v T
	read(t, s, func(tx stock.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v
}

// wantCode fails unless err carries the domain error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := stock.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// at returns a fixed time plus n seconds, with microsecond precision (what
// the store keeps).
func at(n int) time.Time {
	return time.Date(2025, 3, 1, 10, 0, 0, 123456000, time.UTC).Add(time.Duration(n) * time.Second)
}

func money(t *testing.T, s string) stock.Money {
	t.Helper()
	m, err := stock.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// loc builds a location under parent (nil for a root).
func loc(code string, kind stock.LocationKind, parent *stock.Location) stock.Location {
	l := stock.Location{Code: code, Name: "name of " + code, Kind: kind, Path: "/" + code + "/"}
	if parent != nil {
		l.Parent = parent.Code
		l.Path = parent.Path + code + "/"
	}
	return l
}

// tree is a location tree with the classic traps:
//
//	/HK/                         region
//	/HK/HK-T/                    store HK-T
//	/HK/HK-T/HK-T_A/             zone whose code holds '_'
//	/HK/HK-T/HK-T_A/HK-T_A-01/   bin
//	/HK/HK-T/HK-TXA/             zone that LIKE 'HK-T_A' would match
//	/HK/HK-TST/                  store whose code extends HK-T
//	/HK/HK-TST/HK-TST-A/         zone
//	/HK/hk-t/                    store differing from HK-T by case only
//	/HK/hk-t/hk-t-z/             zone
//	/MO/                         region
//	/MO/MO-1/                    store
type tree struct {
	HK, HKT, HKTA, HKTA01, HKTXA, HKTST, HKTSTA, hkt, hktz, MO, MO1 stock.Location
}

func newTree() tree {
	var tr tree
	tr.HK = loc("HK", stock.KindRegion, nil)
	tr.HKT = loc("HK-T", stock.KindStore, &tr.HK)
	tr.HKTA = loc("HK-T_A", stock.KindZone, &tr.HKT)
	tr.HKTA01 = loc("HK-T_A-01", stock.KindBin, &tr.HKTA)
	tr.HKTXA = loc("HK-TXA", stock.KindZone, &tr.HKT)
	tr.HKTST = loc("HK-TST", stock.KindStore, &tr.HK)
	tr.HKTSTA = loc("HK-TST-A", stock.KindZone, &tr.HKTST)
	tr.hkt = loc("hk-t", stock.KindStore, &tr.HK)
	tr.hktz = loc("hk-t-z", stock.KindZone, &tr.hkt)
	tr.MO = loc("MO", stock.KindRegion, nil)
	tr.MO1 = loc("MO-1", stock.KindStore, &tr.MO)
	return tr
}

func (tr tree) all() []stock.Location {
	return []stock.Location{tr.HK, tr.HKT, tr.HKTA, tr.HKTA01, tr.HKTXA, tr.HKTST, tr.HKTSTA, tr.hkt, tr.hktz, tr.MO, tr.MO1}
}

// seedTree stores the tree.
func seedTree(t *testing.T, s *sqlstore.Store) tree {
	t.Helper()
	tr := newTree()
	write(t, s, func(tx stock.Tx) error {
		for _, l := range tr.all() {
			if _, err := tx.PutLocation(l); err != nil {
				return err
			}
		}
		return nil
	})
	return tr
}

// seedSKUs stores SKUs with one barcode each (key "K-<sku>").
func seedSKUs(t *testing.T, s *sqlstore.Store, skus ...stock.SKU) {
	t.Helper()
	write(t, s, func(tx stock.Tx) error {
		for _, k := range skus {
			k.Barcodes = []stock.Barcode{{Code: "BC-" + k.SKU, PackQty: 1}}
			if _, err := tx.PutSKU(k, []string{"K-" + k.SKU}, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// move is a movement with its hash, for ApplyMovements.
func move(id, location, sku string, delta int64, when time.Time) stock.Movement {
	return stock.Movement{MovementID: id, SKU: sku, Location: location, QtyDelta: delta, Kind: stock.MoveReceipt, At: when, Posted: when, By: "E1"}
}

func apply(t *testing.T, s *sqlstore.Store, ms ...stock.Movement) []stock.Movement {
	t.Helper()
	hashes := make([]string, len(ms))
	for i, m := range ms {
		hashes[i] = m.Hash()
	}
	write(t, s, func(tx stock.Tx) error { return tx.ApplyMovements(ms, hashes) })
	return ms
}

func codesOf(ls []stock.Location) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Code
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// newCount is an open count at l.
func newCount(id string, l stock.Location, opened time.Time) stock.Count {
	return stock.Count{ID: id, Location: l.Code, LocationPath: l.Path, Scope: stock.CountScope{Zones: []string{}, Categories: []string{}, SKUs: []string{}},
		Blind: true, MovementPolicy: stock.PolicySnapshotDelta, Uncounted: stock.UncountedZero, ToleranceQty: 1,
		Status: stock.StatusOpen, Round: 1, OpenedBy: "E9", OpenedAt: opened}
}

func createCount(t *testing.T, s *sqlstore.Store, c stock.Count, snap []stock.SnapshotRow) {
	t.Helper()
	write(t, s, func(tx stock.Tx) error { return tx.CreateCount(c, snap) })
}

// waitABit gives a concurrent transaction time to block on a lock.
func waitABit() { time.Sleep(300 * time.Millisecond) }
