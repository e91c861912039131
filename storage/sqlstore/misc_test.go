package sqlstore_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"pandian/stock"
	"pandian/storage/sqlstore"
)

func TestAuditLog(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		entries := []stock.AuditEntry{
			{At: at(1), Actor: "E1", Action: "count.open", Entity: "count:1", Details: map[string]any{"location": "HK-T", "blind": true, "lines": 3.0}},
			{At: at(2), Actor: "E2", Action: "count.open", Entity: "count:2"},
			{At: at(3), Actor: "E1", Action: "count.close", Entity: "count:1", Details: map[string]any{"zh": "尖沙咀", "skus": []any{"A", "B"}}},
			{At: at(0), Actor: "E3", Action: "sku.put", Entity: "sku:A"}, // an earlier time, appended last
		}
		write(t, s, func(tx stock.Tx) error {
			for _, e := range entries {
				if err := tx.Audit(e); err != nil {
					return err
				}
			}
			return nil
		})
		log := func(entity string, limit int) []stock.AuditEntry {
			t.Helper()
			return get(t, s, func(tx stock.Tx) ([]stock.AuditEntry, error) { return tx.AuditLog(entity, limit) })
		}
		// Newest appended first, whatever the times say.
		if got, want := log("count:1", 10), []stock.AuditEntry{entries[2], entries[0]}; !reflect.DeepEqual(got, want) {
			t.Fatalf("AuditLog(count:1) = %+v\nwant %+v", got, want)
		}
		if got, want := log("", 2), []stock.AuditEntry{entries[3], entries[2]}; !reflect.DeepEqual(got, want) {
			t.Fatalf("AuditLog(all, 2) = %+v\nwant %+v", got, want)
		}
		if got := log("nope", 10); got == nil || len(got) != 0 {
			t.Fatalf("AuditLog(nope) = %#v, want an empty list", got)
		}

		// Append-only, even for raw SQL.
		db := s.DB()
		if _, err := db.Exec(`UPDATE audit_log SET actor = 'x'`); err == nil {
			t.Errorf("UPDATE audit_log succeeded")
		}
		if _, err := db.Exec(s.Rebind(`UPDATE audit_log SET details = ? WHERE entity = ?`), "{}", "count:1"); err == nil {
			t.Errorf("UPDATE audit_log … WHERE succeeded")
		}
		if _, err := db.Exec(`DELETE FROM audit_log`); err == nil {
			t.Errorf("DELETE FROM audit_log succeeded")
		}
		if _, err := db.Exec(s.Rebind(`DELETE FROM audit_log WHERE entity = ?`), "sku:A"); err == nil {
			t.Errorf("DELETE FROM audit_log … WHERE succeeded")
		}
		// So is the ledger of stock movements.
		write(t, s, func(tx stock.Tx) error {
			return tx.ApplyMovements([]stock.Movement{{MovementID: "ledger-1", SKU: "A", Location: "X", QtyDelta: 1, Kind: stock.MoveReceipt, At: at(0), Posted: at(0)}}, []string{"h"})
		})
		if _, err := db.Exec(`UPDATE movements SET qty_delta = 0`); err == nil {
			t.Errorf("UPDATE movements succeeded")
		}
		if _, err := db.Exec(`DELETE FROM movements`); err == nil {
			t.Errorf("DELETE FROM movements succeeded")
		}
		var n int
		var actors string
		if err := db.QueryRow(`SELECT COUNT(*), MIN(actor) FROM audit_log`).Scan(&n, &actors); err != nil {
			t.Fatal(err)
		}
		if n != 4 || actors != "E1" {
			t.Fatalf("audit_log has %d rows, min actor %q; want 4 untouched rows", n, actors)
		}
	})
}

func TestEmployeesAndSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		e := stock.Employee{Code: "E1", Name: "陳大文", Role: stock.RoleCounter, Scope: []string{"HK-T", "HK-TST"}}
		write(t, s, func(tx stock.Tx) error {
			created, err := tx.PutEmployee(e, "hash-1")
			if !created {
				t.Errorf("PutEmployee created = false")
			}
			return err
		})
		auth := func() stock.EmployeeAuth {
			t.Helper()
			return get(t, s, func(tx stock.Tx) (stock.EmployeeAuth, error) { return tx.EmployeeAuth("E1") })
		}
		if a := auth(); !reflect.DeepEqual(a.Employee, e) || a.PINHash != "hash-1" {
			t.Fatalf("EmployeeAuth = %+v", a)
		}
		// An update without a PIN keeps the PIN.
		e.Role, e.Scope = stock.RoleSupervisor, []string{}
		write(t, s, func(tx stock.Tx) error {
			created, err := tx.PutEmployee(e, "")
			if created {
				t.Errorf("PutEmployee created = true on an update")
			}
			return err
		})
		if a := auth(); !reflect.DeepEqual(a.Employee, e) || a.PINHash != "hash-1" {
			t.Fatalf("after update without PIN: %+v", a)
		}
		write(t, s, func(tx stock.Tx) error { _, err := tx.PutEmployee(e, "hash-2"); return err })
		if a := auth(); a.PINHash != "hash-2" {
			t.Fatalf("after new PIN: %+v", a)
		}
		err := s.Read(context.Background(), func(tx stock.Tx) error { _, err := tx.Employee("nope"); return err })
		wantCode(t, err, stock.ENotFound)

		sess := stock.Session{TokenHash: "th", Employee: "E1", DeviceID: "TC52", Created: at(0), Expires: at(3600)}
		write(t, s, func(tx stock.Tx) error { return tx.CreateSession(sess) })
		read(t, s, func(tx stock.Tx) error {
			got, emp, err := tx.Session("th")
			if err == nil && (got != sess || !reflect.DeepEqual(emp, e)) {
				t.Errorf("Session = %+v, %+v", got, emp)
			}
			return err
		})
		err = s.Read(context.Background(), func(tx stock.Tx) error { _, _, err := tx.Session("nope"); return err })
		wantCode(t, err, stock.ENotFound)
		// A session of an unknown employee is refused (foreign key).
		err = s.Write(context.Background(), func(tx stock.Tx) error {
			return tx.CreateSession(stock.Session{TokenHash: "x", Employee: "ghost", Created: at(0), Expires: at(1)})
		})
		wantCode(t, err, stock.EConflict)
	})
}

// TestWriteRollsBack checks that Write commits only when fn returns nil and
// passes domain errors through unchanged.
func TestWriteRollsBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		tr := newTree()
		domain := stock.Errorf(stock.EInvalid, "refused").With("field", "x")
		plain := errors.New("boom")
		for _, want := range []error{domain, plain} {
			err := s.Write(ctx, func(tx stock.Tx) error {
				if _, err := tx.PutLocation(tr.HK); err != nil {
					return err
				}
				if err := tx.Audit(stock.AuditEntry{At: at(0), Actor: "E1", Action: "a", Entity: "e"}); err != nil {
					return err
				}
				return want
			})
			if !errors.Is(err, want) {
				t.Fatalf("Write returned %v, want %v", err, want)
			}
			read(t, s, func(tx stock.Tx) error {
				if _, err := tx.Location("HK"); stock.ErrorCode(err) != stock.ENotFound {
					t.Errorf("location written by a failed Write: %v", err)
				}
				if l, err := tx.AuditLog("", 10); len(l) != 0 || err != nil {
					t.Errorf("audit written by a failed Write: %v %v", l, err)
				}
				return nil
			})
		}
		wantCode(t, s.Write(ctx, func(stock.Tx) error { return domain }), stock.EInvalid)
		wantCode(t, s.Write(ctx, func(stock.Tx) error { return plain }), stock.EInternal)

		// A panic inside fn rolls back and does not wedge the store.
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("the panic did not propagate")
				}
			}()
			s.Write(ctx, func(tx stock.Tx) error {
				if _, err := tx.PutLocation(tr.HK); err != nil {
					return err
				}
				panic("bug")
			})
		}()
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := s.Write(tctx, func(tx stock.Tx) error { _, err := tx.PutLocation(tr.MO); return err }); err != nil {
			t.Fatalf("Write after a panicking Write: %v", err)
		}
		read(t, s, func(tx stock.Tx) error {
			if _, err := tx.Location("HK"); stock.ErrorCode(err) != stock.ENotFound {
				t.Errorf("location written by a panicking Write: %v", err)
			}
			return nil
		})

		// Read refuses writes.
		err := s.Read(ctx, func(tx stock.Tx) error { _, err := tx.PutLocation(tr.HK); return err })
		if err == nil {
			t.Fatalf("PutLocation inside Read succeeded")
		}
		read(t, s, func(tx stock.Tx) error {
			if _, err := tx.Location("HK"); stock.ErrorCode(err) != stock.ENotFound {
				t.Errorf("location written by Read: %v", err)
			}
			return nil
		})

		// A cancelled request is unavailable, not internal.
		cctx, ccancel := context.WithCancel(ctx)
		ccancel()
		wantCode(t, s.Read(cctx, func(tx stock.Tx) error { _, err := tx.Location("MO"); return err }), stock.EUnavailable)
		wantCode(t, s.Write(cctx, func(tx stock.Tx) error { _, err := tx.PutLocation(tr.HK); return err }), stock.EUnavailable)
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})
}

// TestReadIsConsistent checks that Read is one consistent view: a write
// committed while it runs is not seen half-way through.
func TestReadIsConsistent(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		tr := seedTree(t, s)
		var first, second string
		read(t, s, func(tx stock.Tx) error {
			l, err := tx.Location("HK")
			if err != nil {
				return err
			}
			first = l.Name
			// Another request commits a change meanwhile.
			upd := tr.HK
			upd.Name = "changed"
			if err := s.Write(ctx, func(tx stock.Tx) error { _, err := tx.PutLocation(upd); return err }); err != nil {
				return err
			}
			l, err = tx.Location("HK")
			second = l.Name
			return err
		})
		if first != tr.HK.Name || second != first {
			t.Fatalf("one Read saw %q then %q", first, second)
		}
		if got := get(t, s, func(tx stock.Tx) (stock.Location, error) { return tx.Location("HK") }); got.Name != "changed" {
			t.Fatalf("a later Read sees %q", got.Name)
		}
	})
}

// TestOpenUnreachablePostgres checks that a database that does not answer
// is reported as unavailable.
func TestOpenUnreachablePostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sqlstore.Open(ctx, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5")
	if err == nil {
		defer s.Close()
		err = s.Read(ctx, func(tx stock.Tx) error { _, err := tx.Location("HK"); return err })
	}
	if err == nil {
		t.Fatal("no error from a database on a closed port")
	}
	wantCode(t, err, stock.EUnavailable)
	if strings.Contains(stock.ErrorMessage(err), "127.0.0.1") {
		t.Errorf("the message leaks the address: %q", stock.ErrorMessage(err))
	}
}
