package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pandian/scan"
	"pandian/stock"
)

// ean returns a valid EAN-13 for a 12-digit body.
func ean(body string) string { return body + string(scan.CheckDigit(body)) }

// testSKU is a SKU the tests create, with a unit EAN-13 and a case GTIN-14.
type testSKU struct {
	SKU, EAN, Case string
	PackQty        int64
}

var skuSeq atomic.Int64

// newSKUs creates n SKUs in category cat (cost 2.50 each, case of 12) and
// sets their book stock at location to qty.
func (s *testServer) newSKUs(cat, location string, n int, qty int64) []testSKU {
	s.t.Helper()
	var out []testSKU
	csv := "sku,location,qty\n"
	for i := 0; i < n; i++ {
		k := skuSeq.Add(1)
		body := fmt.Sprintf("48999%07d", k)
		unit := ean(body)
		caseBody := "1" + body
		cs := caseBody + string(scan.CheckDigit(caseBody))
		t := testSKU{SKU: fmt.Sprintf("T-%s-%d", cat, k), EAN: unit, Case: cs, PackQty: 12}
		s.mustJSON("PUT", "/v1/skus/"+t.SKU, "ADMIN", map[string]any{
			"name": "Test item " + t.SKU, "name_zh": "測試貨品", "category": cat, "unit_cost": "2.50",
			"barcodes": []map[string]any{{"code": unit, "pack_qty": 1}, {"code": cs, "pack_qty": 12}},
		}, 201, nil)
		csv += fmt.Sprintf("%s,%s,%d\n", t.SKU, location, qty)
		out = append(out, t)
	}
	var res stock.ImportResult
	resp, b := s.raw("POST", "/v1/imports/stock", "ADMIN", "text/csv", []byte(csv))
	if resp.StatusCode != 200 {
		s.t.Fatalf("stock import: %d %s", resp.StatusCode, b)
	}
	mustUnmarshal(s.t, b, &res)
	if len(res.Errors) > 0 {
		s.t.Fatalf("stock import errors: %+v", res.Errors)
	}
	return out
}

func (s *testServer) openCount(as string, body map[string]any) stock.Count {
	s.t.Helper()
	var c stock.Count
	s.mustJSON("POST", "/v1/counts", as, body, 201, &c)
	return c
}

// scanIn is a scan with defaults filled by scans().
type scanIn = stock.ScanInput

var eventSeq atomic.Int64

func ev() string { return fmt.Sprintf("ev-%d-%d", time.Now().UnixNano(), eventSeq.Add(1)) }

func (s *testServer) scans(as, countID string, scans ...scanIn) stock.ScanResult {
	s.t.Helper()
	for i := range scans {
		if scans[i].EventID == "" {
			scans[i].EventID = ev()
		}
	}
	var res stock.ScanResult
	s.mustJSON("POST", "/v1/counts/"+countID+"/scans", as, map[string]any{"scans": scans}, 200, &res)
	return res
}

func (s *testServer) report(as, countID, groupBy string) stock.Report {
	s.t.Helper()
	var r stock.Report
	s.mustJSON("GET", "/v1/counts/"+countID+"/report?group_by="+groupBy, as, nil, 200, &r)
	return r
}

func (s *testServer) book(location, sku string) int64 {
	s.t.Helper()
	var res struct{ Levels []stock.StockLevel }
	s.mustJSON("GET", "/v1/stock?location="+url.QueryEscape(location)+"&sku="+url.QueryEscape(sku), "ADMIN", nil, 200, &res)
	var n int64
	for _, l := range res.Levels {
		n += l.Qty
	}
	return n
}

func (s *testServer) move(as string, moves ...map[string]any) (int, []byte) {
	s.t.Helper()
	resp, b := s.do("POST", "/v1/stock/movements", as, moves)
	return resp.StatusCode, b
}

func lineOf(t testing.TB, r stock.Report, sku string) stock.ReportLine {
	t.Helper()
	for _, l := range r.Lines {
		if l.SKU == sku {
			return l
		}
	}
	t.Fatalf("report has no line %s", sku)
	return stock.ReportLine{}
}

func groupOf(t testing.TB, gs []stock.GroupSummary, key string) stock.GroupSummary {
	t.Helper()
	for _, g := range gs {
		if g.Key == key {
			return g
		}
	}
	t.Fatalf("no group %q in %+v", key, gs)
	return stock.GroupSummary{}
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode: %v: %s", err, truncate(b))
	}
}

// TestFullCount runs a blind count from open to posted: pack barcodes,
// unknown codes, corrections floored at zero, late scans, blind views,
// a recount that supersedes the first count, the report by role and the
// posting of adjustments with reason codes.
func TestFullCount(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		manager := employeeWith(t, "store_manager", "HK-TST")
		super := employeeWith(t, "supervisor", "HK-TST")
		counters := []string{}
		for _, e := range demoEmployees(t) {
			if e.role == "counter" && e.scope == "HK-TST" {
				counters = append(counters, e.code)
			}
		}
		c1, c2 := counters[0], counters[1]
		items := s.newSKUs("full", "HK-TST", 4, 30)
		a, b, c, d := items[0], items[1], items[2], items[3]

		cnt := s.openCount(super, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"full"}}, "blind": true})
		if cnt.Status != stock.StatusOpen || cnt.Round != 1 || !cnt.Blind {
			t.Fatalf("opened %+v", cnt)
		}
		// Counter 1: a is counted as 2 cases + 4 units = 28 (book 30); b
		// exactly 30 with a correction; an unknown code.
		res := s.scans(c1, cnt.ID,
			scanIn{Code: "]E0" + a.EAN, Qty: 4, Bin: "HK-TST-A01"},
			scanIn{Code: a.Case, Qty: 2, Bin: "HK-TST-A01"},
			scanIn{Code: b.EAN, Qty: 31, Bin: "HK-TST-B01"},
			scanIn{Code: b.EAN, Qty: -1, Bin: "HK-TST-B01"},
			scanIn{Code: ean("489000000000"), Qty: 1, Bin: "HK-TST-B01"},
		)
		if res.Accepted != 4 || len(res.Rejected) != 1 || res.Rejected[0].Code != "unknown_code" {
			t.Fatalf("scan result %+v", res)
		}
		// Counter 2: c counted 10 (book 30); d over-corrected: never below 0.
		res = s.scans(c2, cnt.ID, scanIn{Code: c.EAN, Qty: 10}, scanIn{Code: d.EAN, Qty: 3}, scanIn{Code: d.EAN, Qty: -5}, scanIn{Code: d.EAN, Qty: 2})
		if res.Accepted != 4 {
			t.Fatalf("scan result %+v", res)
		}

		// Blind: counters and supervisors see no book quantities.
		for _, who := range []string{c1, super} {
			r := s.report(who, cnt.ID, "sku")
			if !r.Masked {
				t.Fatalf("%s sees an unmasked blind report", who)
			}
			_, raw := s.do("GET", "/v1/counts/"+cnt.ID+"/report", who, nil)
			for _, f := range []string{`"book_qty"`, `"variance_qty"`, `"snapshot_qty"`, `"variance_value"`} {
				if contains(raw, f) {
					t.Fatalf("%s sees %s in a blind count: %s", who, f, truncate(raw))
				}
			}
		}
		if r := s.report(c1, cnt.ID, "sku"); len(r.Lines) != 2 {
			t.Fatalf("counter %s should see only its 2 lines, got %d", c1, len(r.Lines))
		}

		// Close answers the count view with its progress (kept at ingest):
		// 9 scans, 8 counted over 4 lines, 1 unknown code.
		var closed stock.CountView
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", super, nil, 200, &closed)
		if closed.Status != stock.StatusReview || closed.ClosedAt == nil || closed.Recounts == nil {
			t.Fatalf("after close %+v", closed.Count)
		}
		if want := (stock.ScanStats{Scans: 9, Counted: 8, Lines: 4, Unknown: 1}); closed.Stats != want {
			t.Fatalf("close answered progress %+v, want %+v", closed.Stats, want)
		}
		cnt = closed.Count
		// A late scan is kept but not counted.
		res = s.scans(c1, cnt.ID, scanIn{Code: a.EAN, Qty: 100})
		if res.Accepted != 0 || len(res.Rejected) != 1 || res.Rejected[0].Code != "conflict" {
			t.Fatalf("late scan result %+v", res)
		}
		var view stock.CountView
		s.mustJSON("GET", "/v1/counts/"+cnt.ID, manager, nil, 200, &view)
		if want := (stock.ScanStats{Scans: 10, Counted: 8, Lines: 4, Unknown: 1, Late: 1}); view.Stats != want {
			t.Fatalf("progress %+v, want %+v", view.Stats, want)
		}

		r := s.report(manager, cnt.ID, "sku")
		if r.Masked {
			t.Fatal("a store manager sees book quantities")
		}
		want := map[string][2]int64{a.SKU: {28, -2}, b.SKU: {30, 0}, c.SKU: {10, -20}, d.SKU: {2, -28}}
		for sku, w := range want {
			l := lineOf(t, r, sku)
			if l.CountedQty != w[0] || l.VarianceQty != w[1] || l.BookQty != 30 {
				t.Errorf("%s: counted %d variance %d book %d, want %v", sku, l.CountedQty, l.VarianceQty, l.BookQty, w)
			}
			if l.VarianceValue != stock.Money(w[1]*25000) {
				t.Errorf("%s: variance value %s", sku, l.VarianceValue)
			}
		}
		if len(r.Unresolved) != 1 {
			t.Errorf("unresolved codes %+v", r.Unresolved)
		}

		// Recount c by counter 1: its 30 supersedes counter 2's 10.
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/recounts", super, map[string]any{"skus": []string{c.SKU}, "assignee": c1}, 200, &view)
		if view.Status != stock.StatusRecount || view.Round != 2 {
			t.Fatalf("after recount order %+v", view.Count)
		}
		res = s.scans(c2, cnt.ID, scanIn{Code: c.EAN, Qty: 1})
		if res.Accepted != 0 || res.Rejected[0].Code != "forbidden" {
			t.Fatalf("non-assignee recount scan %+v", res)
		}
		res = s.scans(c1, cnt.ID, scanIn{Code: a.EAN, Qty: 1})
		if res.Accepted != 0 || res.Rejected[0].Code != "conflict" {
			t.Fatalf("scan of a line not reopened %+v", res)
		}
		res = s.scans(c1, cnt.ID, scanIn{Code: c.EAN, Qty: 30})
		if res.Accepted != 1 {
			t.Fatalf("recount scan %+v", res)
		}
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", super, nil, 200, &cnt)
		r = s.report(manager, cnt.ID, "role")
		lc := lineOf(t, r, c.SKU)
		if !lc.Recounted || lc.FirstCountedQty != 10 || lc.CountedQty != 30 || lc.VarianceQty != 0 || len(lc.Rounds) != 2 || !lc.Rounds[0].Superseded {
			t.Fatalf("recounted line %+v", lc)
		}
		// The first count's error (-20) belongs to counter 2's role; both
		// counters are counters, so the counter group carries it.
		counter := groupOf(t, r.Groups, "counter")
		if counter.Recounted != 1 || counter.AbsVarianceQty != 2+0+20+28 {
			t.Fatalf("counter group %+v", counter)
		}
		re := s.report(manager, cnt.ID, "employee")
		if g := groupOf(t, re.Groups, c2); g.AbsVarianceQty != 20+28 || g.Recounted != 1 {
			t.Fatalf("counter 2's group %+v", g)
		}
		if g := groupOf(t, re.Groups, c1); g.AbsVarianceQty != 2 {
			t.Fatalf("counter 1's group %+v", g)
		}

		// Approval: variance value 50 × 2.50 = 125.00, within the limit.
		bookA := s.book("HK-TST", a.SKU)
		var ap approved
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", manager, map[string]any{"uncounted": "zero", "reason_codes": map[string]string{d.SKU: "theft", a.SKU: "damage"}}, 200, &ap)
		if ap.Status != stock.StatusPosted || ap.Approval.PostedLines != 2 || ap.Approval.PostedValue != stock.Money(30*25000) {
			t.Fatalf("approve %+v", ap)
		}
		if got := s.book("HK-TST", a.SKU); got != bookA-2 {
			t.Fatalf("book of a after posting %d, want %d", got, bookA-2)
		}
		if got := s.book("HK-TST", d.SKU); got != 2 {
			t.Fatalf("book of d after posting %d, want 2", got)
		}
		// Approving again posts nothing more.
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/approve", manager, map[string]any{"uncounted": "zero"}, 200, &ap)
		if got := s.book("HK-TST", d.SKU); got != 2 || ap.Approval.PostedLines != 2 {
			t.Fatalf("second approval changed the book: %d %+v", got, ap)
		}
		r = s.report(manager, cnt.ID, "sku")
		if l := lineOf(t, r, d.SKU); !l.Posted || l.ReasonCode != "theft" {
			t.Fatalf("posted line %+v", l)
		}
		if l := lineOf(t, r, c.SKU); l.Posted {
			t.Fatalf("a line without variance was posted: %+v", l)
		}
		var audit struct{ Entries []stock.AuditEntry }
		s.mustJSON("GET", "/v1/audit?entity=count:"+cnt.ID, "ADMIN", nil, 200, &audit)
		var actions []string
		for _, e := range audit.Entries {
			actions = append(actions, e.Action)
		}
		if fmt.Sprint(actions) != "[count.approve count.close count.recount count.close count.open]" {
			t.Fatalf("audit trail %v", actions)
		}
		// Reports across counts by role include this count.
		var cross stock.CrossReport
		s.mustJSON("GET", "/v1/reports/discrepancies?group_by=role&location=HK-TST", manager, nil, 200, &cross)
		if cross.Counts != 1 || groupOf(t, cross.Groups, "counter").Recounted != 1 {
			t.Fatalf("cross report %+v", cross)
		}
	})
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

// TestTimestampPrecision: a resource reads back with the very timestamps
// its creation answered (one precision, the microsecond, everywhere).
func TestTimestampPrecision(t *testing.T) {
	s := startServer(t, "sqlite")
	var created, read map[string]any
	s.mustJSON("POST", "/v1/counts", "ADMIN", map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"beverage"}}}, 201, &created)
	s.mustJSON("GET", "/v1/counts/"+created["id"].(string), "ADMIN", nil, 200, &read)
	for _, k := range []string{"opened_at"} {
		c, _ := created[k].(string)
		if c == "" || c != read[k] {
			t.Errorf("%s: created %q, read %q", k, c, read[k])
		}
		if at, err := time.Parse(time.RFC3339Nano, c); err != nil || at.Nanosecond()%1000 != 0 {
			t.Errorf("%s %q is not to the microsecond", k, c)
		}
	}
}
