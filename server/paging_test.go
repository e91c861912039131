package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	docfixtures "pandian/fixtures/documents"
)

// walkList pages path with limit=1 to the end and returns the key of every
// item it saw, failing on a page of more than one item, on an item seen
// twice and on an endless walk. key reads an item's identity.
func (s *testServer) walkList(t *testing.T, path, as, field string, key func(map[string]any) string) []string {
	t.Helper()
	seen := map[string]bool{}
	var keys []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 20000 {
			t.Fatalf("%s: no end after %d pages", path, pages)
		}
		u := path + sep(path) + "limit=1"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		var page map[string]any
		s.mustJSON("GET", u, as, nil, 200, &page)
		items, _ := page[field].([]any)
		if len(items) > 1 {
			t.Fatalf("%s: %d items on a page of limit=1", u, len(items))
		}
		for _, it := range items {
			k := key(it.(map[string]any))
			if seen[k] {
				t.Fatalf("%s: %s seen twice", path, k)
			}
			seen[k] = true
			keys = append(keys, k)
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			return keys
		}
		cursor = next
	}
}

// listAll reads path in one page of limit items.
func (s *testServer) listAll(t *testing.T, path, as, field string, limit int, key func(map[string]any) string) []string {
	t.Helper()
	var page map[string]any
	s.mustJSON("GET", path+sep(path)+"limit="+itoa(limit), as, nil, 200, &page)
	if page["next_cursor"] != nil {
		t.Fatalf("%s: more than %d items", path, limit)
	}
	var keys []string
	for _, it := range page[field].([]any) {
		keys = append(keys, key(it.(map[string]any)))
	}
	return keys
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func field(names ...string) func(map[string]any) string {
	return func(m map[string]any) string {
		parts := make([]string, len(names))
		for i, n := range names {
			b, _ := json.Marshal(m[n])
			parts[i] = string(b)
		}
		return strings.Join(parts, "|")
	}
}

// TestPagingContract walks every list endpoint with limit=1 to the end and
// finds every item exactly once: the same items, in the same order, as one
// page with a large limit, on SQLite and PostgreSQL.
func TestPagingContract(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		// Data of every list: counts with scans, documents, audit entries.
		var countIDs []string
		for _, loc := range []string{"HK-TST", "HK-MK", "HK-KT"} {
			c := s.openCount("ADMIN", map[string]any{"location": loc, "scope": map[string]any{"categories": []string{"beverage"}}})
			countIDs = append(countIDs, c.ID)
		}
		for range 2 {
			s.scans("ADMIN", countIDs[0], scanIn{Code: "4894033001501", Qty: 1}, scanIn{Code: "4894033001525", Qty: 2}, scanIn{Code: "0000000000000", Qty: 1})
		}
		pdf, err := os.ReadFile(filepath.Join(docfixtures.Dir(), "doc07.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		mgr := employeeWith(t, "store_manager", "HK-TST")
		for _, name := range []string{"a.pdf", "b.pdf", "c.pdf"} {
			if code, b := s.uploadDoc(mgr, []docPart{{"kind", "contract"}, {"skus", "SKU-000001"}}, name, append(pdf, name...)); code != 202 {
				t.Fatalf("upload: %d %s", code, b)
			}
		}
		id := field("id")
		lists := []struct {
			path, as, field string
			max             int
			min             int // items the walk must find at least
			key             func(map[string]any) string
		}{
			{"/v1/counts", "ADMIN", "counts", 500, 3, id},
			{"/v1/counts?status=open&location=HK-KLN&opened_since=2000-01-01", "ADMIN", "counts", 500, 2, id},
			{"/v1/counts/" + countIDs[0] + "/scans", "ADMIN", "scans", 5000, 6, field("event_id")},
			{"/v1/audit", "ADMIN", "entries", 1000, 5, field("at", "action", "entity", "details")},
			{"/v1/alert-deliveries", "ADMIN", "deliveries", 500, 0, id},
			{"/v1/skus/SKU-000001/documents", mgr, "documents", 500, 3, id},
			{"/v1/documents", mgr, "documents", 500, 3, id},
			{"/v1/documents?kind=contract&location=HK-TST", "ADMIN", "documents", 500, 3, id},
			{"/v1/stock?location=HK-TST", "ADMIN", "levels", 5000, 10, field("location", "sku")},
			{"/v1/locations", "ADMIN", "locations", 500, 400, field("code")},
			{"/v1/locations?under=HK-TST", mgr, "locations", 500, 1, field("code")},
			{"/v1/employees", "ADMIN", "employees", 500, 50, field("code")},
			{"/v1/skus", "ADMIN", "skus", 5000, 700, field("sku")},
		}
		for _, l := range lists {
			walked := s.walkList(t, l.path, l.as, l.field, l.key)
			all := s.listAll(t, l.path, l.as, l.field, l.max, l.key)
			if len(walked) < l.min {
				t.Errorf("%s: walked %d items, want at least %d", l.path, len(walked), l.min)
			}
			if strings.Join(walked, "\n") != strings.Join(all, "\n") {
				t.Errorf("%s: the walk found %d items, one page %d, or not in the same order", l.path, len(walked), len(all))
			}
		}
		// The old paging of scans still works (deprecated).
		var old struct {
			Scans     []map[string]any `json:"scans"`
			NextAfter string           `json:"next_after"`
		}
		s.mustJSON("GET", "/v1/counts/"+countIDs[0]+"/scans?limit=4", "ADMIN", nil, 200, &old)
		first := old.NextAfter
		s.mustJSON("GET", "/v1/counts/"+countIDs[0]+"/scans?limit=4&after="+url.QueryEscape(first), "ADMIN", nil, 200, &old)
		if len(old.Scans) != 2 || old.NextAfter != "" {
			t.Errorf("after=%s: %d scans, next_after %q; want the last 2", first, len(old.Scans), old.NextAfter)
		}
		// Refusals in the contract's shape.
		for path, want := range map[string]int{
			"/v1/counts?cursor=not-a-cursor": 422, "/v1/skus?cursor=WyJ4Il0": 422, "/v1/audit?limit=1001": 422,
			"/v1/counts?limit=501": 422, "/v1/stock?limit=0": 422, "/v1/locations?limit=x": 422, "/v1/employees": 403,
		} {
			as := "ADMIN"
			if path == "/v1/employees" {
				as = mgr
			}
			resp, b := s.raw("GET", path, as, "", nil)
			if resp.StatusCode != want {
				t.Errorf("%s: %d, want %d: %s", path, resp.StatusCode, want, b)
			}
			if code := errorCode(t, b); code == "" {
				t.Errorf("%s: no error code: %s", path, b)
			}
		}
	})
}

// TestCatalogSync: a device downloads the catalog, then gets only what
// changed since (a renamed SKU, a new one), and an unchanged page answers
// 304 to its ETag.
func TestCatalogSync(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		sync, total := "", 0
		cursor := ""
		for {
			var page struct {
				SKUs       []map[string]any `json:"skus"`
				NextCursor string           `json:"next_cursor"`
				SyncCursor string           `json:"sync_cursor"`
			}
			s.mustJSON("GET", "/v1/skus?limit=300&cursor="+url.QueryEscape(cursor), "ADMIN", nil, 200, &page)
			total += len(page.SKUs)
			sync = page.SyncCursor
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if total < 700 {
			t.Fatalf("catalog: %d SKUs", total)
		}
		changes := func() []string {
			var page struct {
				SKUs []struct {
					SKU, Name string
				} `json:"skus"`
				SyncCursor string `json:"sync_cursor"`
			}
			s.mustJSON("GET", "/v1/skus?cursor="+url.QueryEscape(sync), "ADMIN", nil, 200, &page)
			var out []string
			for _, x := range page.SKUs {
				out = append(out, x.SKU+"="+x.Name)
			}
			return out
		}
		if c := changes(); len(c) != 0 {
			t.Fatalf("nothing changed, yet %v", c)
		}
		// ETag: the same request again is 304.
		resp, _ := s.raw("GET", "/v1/skus?cursor="+url.QueryEscape(sync), "ADMIN", "", nil)
		etag := resp.Header.Get("ETag")
		req, _ := http.NewRequest("GET", s.URL+"/v1/skus?cursor="+url.QueryEscape(sync), nil)
		req.Header.Set("Authorization", "Bearer "+s.token("ADMIN"))
		req.Header.Set("If-None-Match", etag)
		r2, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if etag == "" || r2.StatusCode != 304 {
			t.Fatalf("If-None-Match %q: %d, want 304", etag, r2.StatusCode)
		}
		s.mustJSON("PUT", "/v1/skus/SKU-000002", "ADMIN", map[string]any{"name": "Lemon Tea 500ml (new)", "name_zh": "檸檬茶", "category": "beverage", "unit_cost": "5.14",
			"barcodes": []map[string]any{{"code": "4894033001525", "pack_qty": 1}}}, 200, nil)
		s.mustJSON("PUT", "/v1/skus/NEW-1", "ADMIN", map[string]any{"name": "New", "name_zh": "新", "category": "beverage", "unit_cost": "1.00", "barcodes": []any{}}, 201, nil)
		got := changes()
		if strings.Join(got, ",") != "SKU-000002=Lemon Tea 500ml (new),NEW-1=New" {
			t.Fatalf("changes since the sync: %v", got)
		}
		// The same request with the old ETag is now a full answer.
		r3, _ := s.raw("GET", "/v1/skus?cursor="+url.QueryEscape(sync), "ADMIN", "", nil)
		if r3.StatusCode != 200 || r3.Header.Get("ETag") == etag {
			t.Fatalf("after a change: %d, ETag %q (was %q)", r3.StatusCode, r3.Header.Get("ETag"), etag)
		}
	})
}
