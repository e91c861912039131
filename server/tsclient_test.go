package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestTypedClient: TypeScript types generated from the served
// /v1/openapi.json (openapi-typescript) compile with a small client
// (tools/ts-client/client.ts: sign in, sync the catalog page by page and
// then its changes, open a count, post scans twice, read the report, page
// the audit log to its end), and the client works against the server.
// Needs Node.js and npm (the tools come from the npm registry, pinned);
// skipped without them outside CI.
func TestTypedClient(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: npm is missing")
		}
		t.Skip("npm is missing (Node.js): the typed-client test needs it")
	}
	s := startServer(t, "sqlite")
	// A retired SKU: the client gets its tombstone and keeps it out.
	s.mustJSON("PUT", "/v1/skus/TS-RETIRED", "ADMIN", map[string]any{"name": "x", "name_zh": "x", "category": "x", "unit_cost": "1.00", "barcodes": []any{}}, 201, nil)
	s.mustJSON("DELETE", "/v1/skus/TS-RETIRED", "ADMIN", nil, 200, nil)
	cmd := exec.Command("../tools/ts-client/run.sh", s.URL, "ADMIN", pinOf(t, "ADMIN"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("typed client: %v\n%s\n%s", err, out, stderr.String())
	}
	var got struct {
		Employee, SKU, Count string
		Accepted, Duplicates int
		Counted              *int64
		Catalog              int    `json:"catalog"`
		CatalogPages         int    `json:"catalog_pages"`
		Tombstones           int    `json:"tombstones"`
		Changed              int    `json:"changed_since_sync"`
		OfflineSKU           string `json:"offline_sku"`
		AuditEntries         int    `json:"audit_entries"`
		AuditPages           int    `json:"audit_pages"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("typed client printed %q: %v\n%s", out, err, stderr.String())
	}
	if got.Employee != "ADMIN" || got.SKU != "SKU-000001" || got.Accepted != 2 || got.Duplicates != 2 || got.Counted == nil || *got.Counted != 5 {
		t.Errorf("typed client saw %+v (counted %v)", got, got.Counted)
	}
	var catalog struct {
		SKUs []struct {
			SKU     string
			Deleted bool
		} `json:"skus"`
	}
	s.mustJSON("GET", "/v1/skus?limit=1000", "ADMIN", nil, 200, &catalog)
	live := 0
	for _, k := range catalog.SKUs {
		if !k.Deleted {
			live++
		}
	}
	if got.Catalog < 500 || got.Catalog != live || live != len(catalog.SKUs)-1 || got.Tombstones != 1 || got.CatalogPages < 2 || got.Changed != 0 || got.OfflineSKU != "SKU-000001" {
		t.Errorf("catalog sync: %d SKUs and %d tombstones in %d pages (the server has %d of %d live), %d changed since, offline %q",
			got.Catalog, got.Tombstones, got.CatalogPages, live, len(catalog.SKUs), got.Changed, got.OfflineSKU)
	}
	if got.AuditEntries < 3 || got.AuditPages < 1 {
		t.Errorf("audit: %d entries in %d pages", got.AuditEntries, got.AuditPages)
	}
	var c struct{ Location string }
	s.mustJSON("GET", "/v1/counts/"+got.Count, "ADMIN", nil, 200, &c)
	if c.Location != "HK-TST" {
		t.Errorf("the client's count is at %q", c.Location)
	}
}
