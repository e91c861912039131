package main

import (
	"strings"
	"testing"
	"time"

	"pandian/stock"
)

// TestScanClockReset: a handheld whose clock was reset (a flat battery)
// sends its scans dated 1970. Book 9377, a sale of 10 during a
// snapshot_delta count, the shelf scanned at 9367: the sale happened
// before the shelf was seen, so after approval the book equals the shelf.
// The scan keeps the time it was sent with and is flagged for the
// reviewer, in the API and on the review pages.
func TestScanClockReset(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-MK")
		items := s.newSKUs("clock", "HK-MK", 3, 9377)
		a, b, ahead := items[0], items[1], items[2]
		cnt := s.openCount(mgr, map[string]any{"location": "HK-MK", "scope": map[string]any{"categories": []string{"clock"}}, "movement_policy": "snapshot_delta"})
		if st, body := s.move(mgr, sale("clk1", a.SKU, "HK-MK", 10, time.Now().UTC())); st != 200 {
			t.Fatalf("sale: %d %s", st, body)
		}
		res := s.scans(mgr, cnt.ID,
			scanIn{Code: a.EAN, Qty: 9367, ScannedAt: "1970-01-01T00:00:00Z"},
			// A trusted time for b: nothing moved, nothing flagged.
			scanIn{Code: b.EAN, Qty: 9377, ScannedAt: time.Now().UTC().Format(time.RFC3339Nano)},
			// A clock set years ahead: kept and flagged, not refused.
			scanIn{Code: ahead.EAN, Qty: 9377, ScannedAt: "2099-01-01T00:00:00Z"})
		if res.Accepted != 3 || len(res.Rejected) != 0 {
			t.Fatalf("scans %+v", res)
		}
		var page struct{ Scans []stock.Scan }
		s.mustJSON("GET", "/v1/counts/"+cnt.ID+"/scans", mgr, nil, 200, &page)
		if len(page.Scans) != 3 {
			t.Fatalf("scans %+v", page.Scans)
		}
		for _, sc := range page.Scans {
			switch sc.SKU {
			case a.SKU:
				if !sc.ClockSuspect || sc.ScannedAt.Year() != 1970 || sc.ReceivedAt.Year() < 2020 {
					t.Fatalf("reset clock scan not flagged or its sent time lost: %+v", sc)
				}
			case ahead.SKU:
				if !sc.ClockSuspect || sc.ScannedAt.Year() != 2099 {
					t.Fatalf("future clock scan not flagged: %+v", sc)
				}
			case b.SKU:
				if sc.ClockSuspect {
					t.Fatalf("trusted scan flagged: %+v", sc)
				}
			}
		}
		var view struct {
			Progress stock.ScanStats `json:"progress"`
		}
		s.mustJSON("GET", "/v1/counts/"+cnt.ID, mgr, nil, 200, &view)
		if view.Progress.ClockSuspect != 2 || view.Progress.Scans != 3 {
			t.Fatalf("count progress %+v, want 2 clock-suspect scans of 3", view.Progress)
		}
		c, _ := s.reviewSignIn(t, mgr, "en")
		resp, err := c.Get(s.URL + "/review/counts/" + cnt.ID + "/lines/" + a.SKU)
		if err != nil {
			t.Fatal(err)
		}
		if html := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(html, "clock-suspect") {
			t.Fatalf("drill-down does not flag the scan: %d\n%s", resp.StatusCode, html)
		}
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
		r := s.report(mgr, cnt.ID, "sku")
		if l := lineOf(t, r, a.SKU); l.BookQty != 9367 || l.VarianceQty != 0 {
			t.Fatalf("a: the sale before the shelf was seen is not in the expected quantity: %+v", l)
		}
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", mgr, map[string]any{"uncounted": "zero"}, 200, nil)
		if got := s.book("HK-MK", a.SKU); got != 9367 {
			t.Fatalf("book after approval %d, want the shelf's 9367", got)
		}
		if got := s.book("HK-MK", b.SKU); got != 9377 {
			t.Fatalf("b's book after approval %d, want 9377", got)
		}
	})
}

// TestMovementTimeBounds: a movement dated before 2000 or more than a day
// ahead is refused (422) and changes nothing.
func TestMovementTimeBounds(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-MK")
		a := s.newSKUs("mvclock", "HK-MK", 1, 50)[0]
		for _, at := range []time.Time{
			time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
			time.Now().Add(25 * time.Hour),
			time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC),
		} {
			st, body := s.move(mgr, sale("far-"+at.Format("20060102T15"), a.SKU, "HK-MK", 1, at))
			if st != 422 || errorCode(t, body) != "invalid" {
				t.Fatalf("movement at %s: %d %s", at, st, body)
			}
		}
		if got := s.book("HK-MK", a.SKU); got != 50 {
			t.Fatalf("refused movements changed the book: %d", got)
		}
		if st, body := s.move(mgr, sale("near", a.SKU, "HK-MK", 1, time.Now().Add(time.Hour))); st != 200 {
			t.Fatalf("movement an hour ahead: %d %s", st, body)
		}
		if got := s.book("HK-MK", a.SKU); got != 49 {
			t.Fatalf("book %d, want 49", got)
		}
	})
}
