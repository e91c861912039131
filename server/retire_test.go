package main

import (
	"encoding/json"
	"net/url"
	"testing"

	"pandian/stock"
)

// TestRetireSKU: retiring a SKU (DELETE /v1/skus/{sku}) on SQLite and
// PostgreSQL. It is refused while the SKU has book stock; catalog sync
// then hands it out as a tombstone; it stays readable, in its lookup and
// in the report of the count opened before, which still counts it; a count
// opened after refuses its scans ("retired", kept for the reviewer) and
// cannot name it in its scope; it is audited; putting it again brings it
// back.
func TestRetireSKU(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		items := s.newSKUs("retire", "HK-TST", 2, 0)
		a, b := items[0], items[1]
		held := s.newSKUs("retire-held", "HK-TST", 1, 3)[0]

		// The device's sync cursor, after the whole catalog.
		sync, cursor := "", ""
		for {
			var page struct {
				NextCursor string `json:"next_cursor"`
				SyncCursor string `json:"sync_cursor"`
			}
			s.mustJSON("GET", "/v1/skus?limit=5000&cursor="+url.QueryEscape(cursor), "ADMIN", nil, 200, &page)
			sync = page.SyncCursor
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		changes := func() []map[string]any {
			var page struct {
				SKUs []map[string]any `json:"skus"`
			}
			s.mustJSON("GET", "/v1/skus?cursor="+url.QueryEscape(sync), "ADMIN", nil, 200, &page)
			return page.SKUs
		}

		before := s.openCount("ADMIN", map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"retire"}}})

		// Refusals: book stock left, unknown SKU, not an admin.
		resp, body := s.do("DELETE", "/v1/skus/"+held.SKU, "ADMIN", nil)
		if resp.StatusCode != 409 || errorCode(t, body) != "conflict" {
			t.Fatalf("retiring a SKU with stock: %d %s", resp.StatusCode, truncate(body))
		}
		var e struct {
			Error struct {
				Details map[string]any `json:"details"`
			} `json:"error"`
		}
		mustUnmarshal(t, body, &e)
		if e.Error.Details["location"] != "HK-TST" || e.Error.Details["qty"] != float64(3) {
			t.Errorf("409 details %s", body)
		}
		if resp, body := s.do("DELETE", "/v1/skus/NO-SUCH-SKU", "ADMIN", nil); resp.StatusCode != 404 {
			t.Errorf("retiring an unknown SKU: %d %s", resp.StatusCode, truncate(body))
		}
		if resp, _ := s.do("DELETE", "/v1/skus/"+a.SKU, employeeWith(t, "store_manager", "HK-TST"), nil); resp.StatusCode != 403 {
			t.Errorf("a store manager retires a SKU: %d", resp.StatusCode)
		}
		if c := changes(); len(c) != 0 {
			t.Fatalf("refused retirements changed the catalog: %v", c)
		}

		var retired stock.SKU
		s.mustJSON("DELETE", "/v1/skus/"+a.SKU, "ADMIN", nil, 200, &retired)
		if retired.SKU != a.SKU || retired.RetiredAt == nil || len(retired.Barcodes) != 2 {
			t.Fatalf("retired %+v", retired)
		}
		var again stock.SKU
		s.mustJSON("DELETE", "/v1/skus/"+a.SKU, "ADMIN", nil, 200, &again)
		if again.RetiredAt == nil || !again.RetiredAt.Equal(*retired.RetiredAt) {
			t.Fatalf("retired again: %+v, was %v", again, retired.RetiredAt)
		}
		var read stock.SKU
		s.mustJSON("GET", "/v1/skus/"+a.SKU, "ADMIN", nil, 200, &read)
		if read.RetiredAt == nil || !read.RetiredAt.Equal(*retired.RetiredAt) || read.Name != "Test item "+a.SKU || len(read.Barcodes) != 2 {
			t.Fatalf("read after retiring %+v", read)
		}
		var look stock.LookupResult
		s.mustJSON("GET", "/v1/lookup?code="+a.EAN, "ADMIN", nil, 200, &look)
		if look.SKU != a.SKU || look.RetiredAt == nil {
			t.Fatalf("lookup of a retired SKU %+v", look)
		}

		// Sync: exactly its tombstone.
		c := changes()
		if len(c) != 1 || c[0]["sku"] != a.SKU || c[0]["deleted"] != true || c[0]["retired_at"] == nil || len(c[0]) != 3 {
			t.Fatalf("changes since the sync: %v", c)
		}

		// The count opened before still counts it; a count opened after
		// refuses it, keeping the scan for the reviewer.
		if res := s.scans("ADMIN", before.ID, scanIn{Code: a.EAN, Qty: 2}, scanIn{Code: b.EAN, Qty: 1}); res.Accepted != 2 || len(res.Rejected) != 0 {
			t.Fatalf("scans into the count opened before: %+v", res)
		}
		after := s.openCount("ADMIN", map[string]any{"location": "HK-MK", "scope": map[string]any{"categories": []string{"retire"}}})
		res := s.scans("ADMIN", after.ID, scanIn{Code: a.EAN, Qty: 1}, scanIn{Code: b.EAN, Qty: 1})
		if res.Accepted != 1 || len(res.Rejected) != 1 || res.Rejected[0].Code != "retired" {
			t.Fatalf("scans into the count opened after: %+v", res)
		}
		var view stock.CountView
		s.mustJSON("GET", "/v1/counts/"+after.ID, "ADMIN", nil, 200, &view)
		if view.Stats.Counted != 1 || view.Stats.Rejected != 1 || view.Stats.Lines != 1 {
			t.Fatalf("progress of the count opened after: %+v", view.Stats)
		}
		if resp, body := s.do("POST", "/v1/counts", "ADMIN", map[string]any{"location": "HK-MK", "scope": map[string]any{"skus": []string{a.SKU}}}); resp.StatusCode != 422 || errorCode(t, body) != "invalid" {
			t.Fatalf("a count scoped to a retired SKU: %d %s", resp.StatusCode, truncate(body))
		}

		// Its history stays: the report of the count opened before.
		s.mustJSON("POST", "/v1/counts/"+before.ID+"/close", "ADMIN", nil, 200, &view)
		if view.Stats.Counted != 2 || view.Stats.Lines != 2 {
			t.Fatalf("close answered progress %+v", view.Stats)
		}
		if l := lineOf(t, s.report("ADMIN", before.ID, "sku"), a.SKU); l.CountedQty != 2 || l.Name == "" {
			t.Fatalf("the retired SKU's line %+v", l)
		}

		var audit struct{ Entries []stock.AuditEntry }
		s.mustJSON("GET", "/v1/audit?entity=sku:"+a.SKU, "ADMIN", nil, 200, &audit)
		if len(audit.Entries) == 0 || audit.Entries[0].Action != "sku.retire" || audit.Entries[0].Actor != "ADMIN" {
			t.Fatalf("audit %+v", audit.Entries)
		}

		// Put again: back in the catalog, in sync and in new counts.
		s.mustJSON("PUT", "/v1/skus/"+a.SKU, "ADMIN", map[string]any{"name": "Back", "name_zh": "回", "category": "retire", "unit_cost": "2.50",
			"barcodes": []map[string]any{{"code": a.EAN, "pack_qty": 1}}}, 200, nil)
		c = changes()
		if len(c) != 1 || c[0]["sku"] != a.SKU || c[0]["deleted"] != nil || c[0]["name"] != "Back" {
			raw, _ := json.Marshal(c)
			t.Fatalf("changes after putting it back: %s", raw)
		}
		if res := s.scans("ADMIN", after.ID, scanIn{Code: a.EAN, Qty: 1}); res.Accepted != 1 {
			t.Fatalf("scan after putting it back: %+v", res)
		}
		s.mustJSON("GET", "/v1/audit?entity=sku:"+a.SKU, "ADMIN", nil, 200, &audit)
		if audit.Entries[0].Action != "sku.put" || audit.Entries[0].Details["restored"] != true {
			t.Fatalf("audit of putting it back %+v", audit.Entries[0])
		}
	})
}
