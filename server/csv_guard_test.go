package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"pandian/export"
)

// TestCSVFormulaGuard: SKU names, categories and lots that start with a
// spreadsheet formula come out inert (a leading apostrophe) on every CSV
// route: the count report for every group_by and rows, the discrepancies
// report for every group_by, and the review pages' download. Negative
// variances stay numbers.
func TestCSVFormulaGuard(t *testing.T) {
	s := startServer(t, "sqlite")
	mgr := employeeWith(t, "store_manager", "HK-MK")
	cat := `=HYPERLINK("http://evil.example/?x","cat")`
	name := `=HYPERLINK("http://evil.example/","click")`
	nameZh := "+cmd|' /C calc'!A0"
	body := fmt.Sprintf("48998%07d", skuSeq.Add(1))
	code := ean(body)
	sku := fmt.Sprintf("T-csvguard-%s", body)
	s.mustJSON("PUT", "/v1/skus/"+sku, "ADMIN", map[string]any{"name": name, "name_zh": nameZh, "category": cat, "unit_cost": "2.50",
		"barcodes": []map[string]any{{"code": code, "pack_qty": 1}}}, 201, nil)
	if resp, b := s.raw("POST", "/v1/imports/stock", "ADMIN", "text/csv", []byte("sku,location,qty\n"+sku+",HK-MK,20\n")); resp.StatusCode != 200 {
		t.Fatalf("stock import: %d %s", resp.StatusCode, b)
	}
	cnt := s.openCount(mgr, map[string]any{"location": "HK-MK", "scope": map[string]any{"categories": []string{cat}}, "blind": false})
	// 12 counted against a book of 20: a variance of -8. The lot is
	// "=1+2-3" (GS1 AI 10 admits = + -).
	res := s.scans(mgr, cnt.ID, scanIn{Code: "(01)0" + code + "(17)301231(10)=1+2-3", Qty: 12, Bin: "HK-MK-A01"})
	if res.Accepted != 1 {
		t.Fatalf("scan %+v", res)
	}
	s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)

	// check parses one CSV download: no cell may be a live formula, and
	// each of want must be there in its guarded form.
	check := func(route string, data []byte, want ...string) {
		t.Helper()
		rows := readCSV(t, bytes.TrimPrefix(data, []byte("\ufeff")))
		cells := map[string]bool{}
		for _, row := range rows {
			for _, c := range row {
				if export.FormulaCell(c) {
					t.Errorf("%s: live formula cell %q", route, c)
				}
				cells[c] = true
			}
		}
		for _, w := range want {
			if !cells["'"+w] {
				t.Errorf("%s: no guarded cell %q in\n%s", route, "'"+w, data)
			}
		}
	}
	get := func(path string) []byte {
		t.Helper()
		resp, b := s.raw("GET", path, mgr, "", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	for _, g := range []string{"sku", "role", "employee", "zone", "category"} {
		for _, rows := range []string{"lines", "groups", "lots"} {
			path := "/v1/counts/" + cnt.ID + "/report?format=csv&lots=true&group_by=" + g + "&rows=" + rows
			b := get(path)
			switch {
			case rows == "lines":
				check(path, b, name, nameZh, cat)
				if !bytes.Contains(b, []byte(",20,-8,2.50,-20.00,")) {
					t.Errorf("%s: the negative variance is not a plain number:\n%s", path, b)
				}
			case rows == "lots":
				check(path, b, "=1+2-3")
			case g == "category":
				check(path, b, cat)
			default:
				check(path, b)
			}
		}
	}
	day := time.Now().UTC().Format("2006-01-02")
	for _, g := range []string{"role", "employee", "store", "category"} {
		path := "/v1/reports/discrepancies?format=csv&group_by=" + g + "&from=" + day + "&to=" + day
		b := get(path)
		if g == "category" {
			check(path, b, cat)
		} else {
			check(path, b)
		}
	}
	c, _ := s.reviewSignIn(t, mgr, "en")
	for _, q := range []string{"", "?lang=zh-Hant"} {
		resp, err := c.Get(s.URL + "/review/counts/" + cnt.ID + "/export.csv" + q)
		if err != nil {
			t.Fatal(err)
		}
		b := readAll(t, resp)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("review csv: %d %s", resp.StatusCode, b)
		}
		check("review export.csv"+q, []byte(b), name, nameZh, cat)
	}
}
