package main

import (
	"net/url"
	"testing"

	"pandian/scan"
	"pandian/stock"
)

// TestLookup resolves every form a handheld sends: AIM prefixes, GS1
// element strings (GS-separated and bracketed), Digital Link URIs, UPC-A
// against an EAN-13 catalog entry, pack GTIN-14s and in-store
// variable-measure codes.
func TestLookup(t *testing.T) {
	s := startServer(t, "sqlite")
	item := s.newSKUs("lookup", "HK-TST", 1, 1)[0]
	// A US import listed by its UPC-A as an EAN-13 with a leading zero.
	upc := "03600029145" + string(scan.CheckDigit("03600029145"))
	s.mustJSON("PUT", "/v1/skus/UPC-1", "ADMIN", map[string]any{"name": "Imported cereal", "name_zh": "進口麥片", "category": "lookup", "unit_cost": "30.00",
		"barcodes": []map[string]any{{"code": "0" + upc, "pack_qty": 1}}}, 201, nil)
	gtin14 := "0" + item.EAN
	cases := []struct {
		name, code, sku string
		pack            int64
		lot, expiry     string
	}{
		{"AIM EAN-13", "]E0" + item.EAN, item.SKU, 1, "", ""},
		{"pack GTIN-14", item.Case, item.SKU, 12, "", ""},
		{"ITF-14 with AIM", "]I1" + item.Case, item.SKU, 12, "", ""},
		{"UPC-A finds EAN-13 entry", upc, "UPC-1", 1, "", ""},
		{"GS1-128 with GS", "]C101" + gtin14 + "17270300" + "10LOT-7\x1d21SER9", item.SKU, 1, "LOT-7", "2027-03-31"},
		{"GS1 DataMatrix", "]d201" + gtin14 + "10B42\x1d17261231", item.SKU, 1, "B42", "2026-12-31"},
		{"bracketed", "(01)" + gtin14 + "(17)270331(10)ABC123", item.SKU, 1, "ABC123", "2027-03-31"},
		{"Digital Link", "https://id.example.hk/01/" + gtin14 + "/10/X1?17=270115", item.SKU, 1, "X1", "2027-01-15"},
		{"variable measure", "2109262012344", "SKU-000725", 1, "", ""},
	}
	for _, c := range cases {
		var res stock.LookupResult
		s.mustJSON("GET", "/v1/lookup?code="+url.QueryEscape(c.code), "E009", nil, 200, &res)
		if res.SKU != c.sku || res.PackQty != c.pack {
			t.Errorf("%s: %+v, want %s × %d", c.name, res, c.sku, c.pack)
		}
		if c.lot != "" && (res.GS1 == nil || res.GS1.Lot != c.lot || res.GS1.Expiry != c.expiry) {
			t.Errorf("%s: gs1 %v, want lot %s expiry %s", c.name, res.GS1, c.lot, c.expiry)
		}
	}
	for _, bad := range []string{item.EAN[:12] + "0", "(17)271340(01)" + gtin14, "]C1" + "01123"} {
		resp, b := s.do("GET", "/v1/lookup?code="+url.QueryEscape(bad), "E009", nil)
		if resp.StatusCode != 422 || errorCode(t, b) != "invalid" {
			t.Errorf("lookup %q: %d %s", bad, resp.StatusCode, b)
		}
	}
	resp, b := s.do("GET", "/v1/lookup?code="+ean("489999999999"), "E009", nil)
	if resp.StatusCode != 404 || errorCode(t, b) != "not_found" {
		t.Errorf("unknown code: %d %s", resp.StatusCode, b)
	}
}
