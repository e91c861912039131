package main

import (
	"testing"
	"time"

	"pandian/stock"
)

func sale(id, sku, loc string, qty int64, at time.Time) map[string]any {
	return map[string]any{"movement_id": id, "sku": sku, "location": loc, "qty_delta": -qty, "kind": "sale", "at": at.Format(time.RFC3339Nano)}
}

// TestMovementPolicies checks the three policies with sales during the count.
func TestMovementPolicies(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		t.Run("snapshot_delta", func(t *testing.T) {
			mgr := employeeWith(t, "store_manager", "HK-MK")
			items := s.newSKUs("delta", "HK-MK", 2, 50)
			a, b := items[0], items[1]
			cnt := s.openCount(mgr, map[string]any{"location": "HK-MK", "scope": map[string]any{"categories": []string{"delta"}}, "movement_policy": "snapshot_delta"})
			t0 := time.Now().UTC()
			// a: 5 sold before its shelf was scanned, 3 after. b: 4 sold
			// before, and b is never scanned (uncounted = zero).
			if st, body := s.move(mgr, sale("d1", a.SKU, "HK-MK", 5, t0.Add(time.Second)), sale("d2", b.SKU, "HK-MK", 4, t0.Add(time.Second))); st != 200 {
				t.Fatalf("sale: %d %s", st, body)
			}
			s.scans(mgr, cnt.ID, scanIn{Code: a.EAN, Qty: 44, ScannedAt: t0.Add(2 * time.Second).Format(time.RFC3339Nano)})
			if st, body := s.move(mgr, sale("d3", a.SKU, "HK-MK", 3, t0.Add(3*time.Second))); st != 200 {
				t.Fatalf("sale: %d %s", st, body)
			}
			s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
			r := s.report(mgr, cnt.ID, "sku")
			la, lb := lineOf(t, r, a.SKU), lineOf(t, r, b.SKU)
			// a expected 50-5 = 45 at its scan; counted 44 → -1.
			if la.SnapshotQty != 50 || la.MovementQty != -5 || la.BookQty != 45 || la.VarianceQty != -1 {
				t.Fatalf("a: %+v", la)
			}
			// b never counted: expected 46 at close, counted 0.
			if lb.Status != stock.LineUncounted || lb.BookQty != 46 || lb.VarianceQty != -46 {
				t.Fatalf("b: %+v", lb)
			}
			s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", mgr, map[string]any{"uncounted": "zero"}, 200, nil)
			// Approval adds the variance to the current book: the sale after
			// the scan is not lost. a: 50-5-3-1 = 41.
			if got := s.book("HK-MK", a.SKU); got != 41 {
				t.Fatalf("a's book after approval %d, want 41", got)
			}
			if got := s.book("HK-MK", b.SKU); got != 0 {
				t.Fatalf("b's book after approval %d, want 0", got)
			}
		})
		t.Run("freeze", func(t *testing.T) {
			mgr := employeeWith(t, "store_manager", "HK-CWB")
			items := s.newSKUs("freeze", "HK-CWB", 1, 20)
			other := s.newSKUs("unfrozen", "HK-CWB", 1, 20)[0]
			a := items[0]
			cnt := s.openCount(mgr, map[string]any{"location": "HK-CWB", "scope": map[string]any{"categories": []string{"freeze"}}, "movement_policy": "freeze"})
			st, body := s.move(mgr, sale("f1", a.SKU, "HK-CWB", 1, time.Now()))
			if st != 409 || errorCode(t, body) != "conflict" {
				t.Fatalf("sale during freeze: %d %s", st, body)
			}
			if got := s.book("HK-CWB", a.SKU); got != 20 {
				t.Fatalf("refused sale changed the book: %d", got)
			}
			// Out-of-scope SKUs still move.
			if st, body := s.move(mgr, sale("f2", other.SKU, "HK-CWB", 1, time.Now())); st != 200 {
				t.Fatalf("sale of an unfrozen SKU: %d %s", st, body)
			}
			s.scans(mgr, cnt.ID, scanIn{Code: a.EAN, Qty: 18})
			s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
			// After close the freeze is lifted.
			if st, body := s.move(mgr, sale("f3", a.SKU, "HK-CWB", 1, time.Now())); st != 200 {
				t.Fatalf("sale after close: %d %s", st, body)
			}
			s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", mgr, map[string]any{"uncounted": "zero"}, 200, nil)
			if got := s.book("HK-CWB", a.SKU); got != 17 {
				t.Fatalf("book after approval %d, want 20-1-2 = 17", got)
			}
		})
		t.Run("reject_changed", func(t *testing.T) {
			mgr := employeeWith(t, "store_manager", "HK-CEN")
			items := s.newSKUs("rejchg", "HK-CEN", 2, 10)
			a, b := items[0], items[1]
			cnt := s.openCount(mgr, map[string]any{"location": "HK-CEN", "scope": map[string]any{"categories": []string{"rejchg"}}, "movement_policy": "reject_changed"})
			s.scans(mgr, cnt.ID, scanIn{Code: a.EAN, Qty: 7}, scanIn{Code: b.EAN, Qty: 8})
			if st, body := s.move(mgr, sale("r1", a.SKU, "HK-CEN", 2, time.Now())); st != 200 {
				t.Fatalf("sale: %d %s", st, body)
			}
			s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
			var ap approved
			s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", mgr, map[string]any{"uncounted": "zero"}, 200, &ap)
			if len(ap.Approval.RecountRequired) != 1 || ap.Approval.RecountRequired[0] != a.SKU || ap.Approval.PostedLines != 1 {
				t.Fatalf("approve %+v", ap)
			}
			if got := s.book("HK-CEN", a.SKU); got != 8 {
				t.Fatalf("changed line was posted: book %d, want 8", got)
			}
			if got := s.book("HK-CEN", b.SKU); got != 8 {
				t.Fatalf("unchanged line not posted: book %d, want 8", got)
			}
			r := s.report(mgr, cnt.ID, "sku")
			if l := lineOf(t, r, a.SKU); !l.RecountRequired || l.Posted {
				t.Fatalf("a %+v", l)
			}
		})
	})
}

// TestApprovalLimits: a store manager approves up to the store's limit,
// a regional manager above it.
func TestApprovalLimits(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-TST")
		regional := employeeWith(t, "regional_manager", "HK-KLN")
		// HK-TST's limit is 20000.00; 9 uncounted SKUs × 1000 units × 2.50
		// = 22500.00 of variance.
		items := s.newSKUs("limit", "HK-TST", 10, 1000)
		cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"limit"}}})
		s.scans(mgr, cnt.ID, scanIn{Code: items[0].EAN, Qty: 1000})
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
		resp, body := s.do("POST", "/v1/counts/"+cnt.ID+"/approve", mgr, map[string]any{"uncounted": "zero"})
		if resp.StatusCode != 403 || errorCode(t, body) != "forbidden" {
			t.Fatalf("over-limit approval: %d %s", resp.StatusCode, body)
		}
		if got := s.book("HK-TST", items[1].SKU); got != 1000 {
			t.Fatalf("refused approval changed the book: %d", got)
		}
		// A supervisor may not approve at all; a regional manager may.
		resp, body = s.do("POST", "/v1/counts/"+cnt.ID+"/approve", employeeWith(t, "supervisor", "HK-TST"), map[string]any{"uncounted": "zero"})
		if resp.StatusCode != 403 {
			t.Fatalf("supervisor approval: %d %s", resp.StatusCode, body)
		}
		var ap approved
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", regional, map[string]any{"uncounted": "zero", "reason_codes": map[string]string{items[1].SKU: "theft"}}, 200, &ap)
		if ap.Approval.PostedLines != 9 || ap.Approval.PostedValue != stock.Money(9*1000*25000) {
			t.Fatalf("regional approval %+v", ap)
		}
		if got := s.book("HK-TST", items[1].SKU); got != 0 {
			t.Fatalf("book after approval %d", got)
		}
		// A bad reason code is refused before anything is posted.
		cnt2 := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"skus": []string{items[0].SKU}}})
		s.mustJSON("POST", "/v1/counts/"+cnt2.ID+"/close", mgr, nil, 200, nil)
		resp, body = s.do("POST", "/v1/counts/"+cnt2.ID+"/approve", mgr, map[string]any{"uncounted": "zero", "reason_codes": map[string]string{items[0].SKU: "aliens"}})
		if resp.StatusCode != 422 || errorCode(t, body) != "invalid" {
			t.Fatalf("bad reason code: %d %s", resp.StatusCode, body)
		}
	})
}
