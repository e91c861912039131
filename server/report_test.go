package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pandian/export"
	"pandian/stock"
)

// TestReportsAndMovements: movements are idempotent by movement_id; a
// count with uncounted = ignore leaves unscanned lines out; reports group
// by zone and category; the CSV export carries the JSON report's numbers.
func TestReportsAndMovements(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-MK")
		items := s.newSKUs("rep", "HK-MK", 3, 20)
		a, b, c := items[0], items[1], items[2]

		// Idempotent movements: a replay is a duplicate, another payload
		// under the same id is refused and changes nothing.
		mv := map[string]any{"movement_id": "rep-m1", "sku": a.SKU, "location": "HK-MK", "qty_delta": 5, "kind": "receipt", "at": "2026-11-23T08:00:00Z"}
		var res stock.MovementResult
		s.mustJSON("POST", "/v1/stock/movements", mgr, []any{mv}, 200, &res)
		s.mustJSON("POST", "/v1/stock/movements", mgr, []any{mv}, 200, &res)
		if res.Applied != 0 || res.Duplicates != 1 {
			t.Fatalf("replayed movement: %+v", res)
		}
		mv2 := map[string]any{"movement_id": "rep-m1", "sku": a.SKU, "location": "HK-MK", "qty_delta": 7, "kind": "receipt", "at": "2026-11-23T08:00:00Z"}
		if st, body := s.move(mgr, mv2); st != 409 || errorCode(t, body) != "conflict" {
			t.Fatalf("reused movement id: %d %s", st, body)
		}
		if got := s.book("HK-MK", a.SKU); got != 25 {
			t.Fatalf("book after replays %d, want 25", got)
		}

		cnt := s.openCount(mgr, map[string]any{"location": "HK-MK", "scope": map[string]any{"categories": []string{"rep"}}, "uncounted": "ignore", "blind": false, "tolerance_qty": 1})
		s.scans(mgr, cnt.ID, scanIn{Code: a.EAN, Qty: 24, Bin: "HK-MK-A01"}, scanIn{Code: b.EAN, Qty: 15, Bin: "HK-MK-B01"}, scanIn{Code: b.EAN, Qty: 1, Bin: "HK-MK-A01"})
		s.mustJSON("POST", "/v1/counts/"+cnt.ID+"/close", mgr, nil, 200, nil)
		r := s.report(mgr, cnt.ID, "zone")
		if l := lineOf(t, r, c.SKU); l.Status != stock.LineIgnored || l.VarianceQty != 0 {
			t.Fatalf("uncounted line under ignore: %+v", l)
		}
		if la := lineOf(t, r, a.SKU); la.VarianceQty != -1 || !la.WithinTolerance {
			t.Fatalf("a: %+v", la)
		}
		// b was counted in two zones: it counts in both groups.
		z1, z2 := groupOf(t, r.Groups, "HK-MK-Z1"), groupOf(t, r.Groups, "HK-MK-Z2")
		if z1.Lines != 2 || z2.Lines != 1 || z2.AbsVarianceQty != 4 {
			t.Fatalf("zone groups %+v %+v", z1, z2)
		}
		if r.Totals.Lines != 2 || r.Totals.WithinTolerance != 1 || r.Totals.Accuracy != 0.5 {
			t.Fatalf("totals %+v", r.Totals)
		}
		rc := s.report(mgr, cnt.ID, "category")
		if g := groupOf(t, rc.Groups, "rep"); g.Lines != 2 || g.AbsVarianceValue.String() != "12.50" {
			t.Fatalf("category group %+v", g)
		}

		// The CSV export has the JSON's lines and numbers.
		resp, body := s.raw("GET", "/v1/counts/"+cnt.ID+"/report?format=csv", mgr, "", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		if len(rows)-1 != len(r.Lines) {
			t.Fatalf("csv has %d lines, json %d", len(rows)-1, len(r.Lines))
		}
		for _, row := range rows[1:] {
			l := lineOf(t, r, row[col["sku"]])
			if row[col["counted_qty"]] != strconv.FormatInt(l.CountedQty, 10) || row[col["variance_qty"]] != strconv.FormatInt(l.VarianceQty, 10) ||
				row[col["variance_value"]] != l.VarianceValue.String() || row[col["name_zh"]] != l.NameZh {
				t.Errorf("csv row %v differs from %+v", row, l)
			}
		}
		// The XLSX export too, cell by cell, with numbers as numbers.
		resp, body = s.raw("GET", "/v1/counts/"+cnt.ID+"/report?format=xlsx", mgr, "", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != export.ContentType {
			t.Fatalf("xlsx: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), truncate(body))
		}
		checkXLSXLines(t, body, r)
		// Groups as CSV, and the report across counts as CSV.
		resp, body = s.raw("GET", "/v1/counts/"+cnt.ID+"/report?format=csv&group_by=zone", mgr, "", nil)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("HK-MK-Z2,1,0,4,")) {
			t.Fatalf("zone csv: %d %s", resp.StatusCode, body)
		}
		day := time.Now().UTC().Format("2006-01-02")
		resp, body = s.raw("GET", "/v1/reports/discrepancies?format=csv&group_by=store&from="+day+"&to="+day, mgr, "", nil)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("\nHK-MK,2,")) {
			t.Fatalf("cross-count csv: %d %s", resp.StatusCode, body)
		}
	})
}

// TestCorrectionOrder: the floor at zero follows the order the device sent
// its scans in, not the order of their event ids.
func TestCorrectionOrder(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		mgr := employeeWith(t, "store_manager", "HK-CEN")
		a := s.newSKUs("order", "HK-CEN", 1, 5)[0]
		cnt := s.openCount(mgr, map[string]any{"location": "HK-CEN", "scope": map[string]any{"categories": []string{"order"}}})
		// +3, -5 (floored: 0), +2 → 2; the ids sort the other way round.
		s.scans(mgr, cnt.ID, scanIn{EventID: "ord-z", Code: a.EAN, Qty: 3}, scanIn{EventID: "ord-y", Code: a.EAN, Qty: -5}, scanIn{EventID: "ord-x", Code: a.EAN, Qty: 2})
		// A later request: -1 → 1.
		s.scans(mgr, cnt.ID, scanIn{EventID: "ord-a", Code: a.EAN, Qty: -1})
		if l := lineOf(t, s.report(mgr, cnt.ID, "sku"), a.SKU); l.CountedQty != 1 {
			t.Fatalf("counted %d, want 1", l.CountedQty)
		}
		var page struct{ Scans []stock.Scan }
		s.mustJSON("GET", "/v1/counts/"+cnt.ID+"/scans", mgr, nil, 200, &page)
		var order []string
		for _, sc := range page.Scans {
			order = append(order, sc.EventID)
		}
		if fmt.Sprint(order) != "[ord-z ord-y ord-x ord-a]" {
			t.Fatalf("scans listed as %v", order)
		}
	})
}

// TestLotsAndExpiry: GS1 scans carry lot and expiry; the report breaks the
// count down by lot and marks expired and near-expiry stock.
func TestLotsAndExpiry(t *testing.T) {
	s := startServer(t, "sqlite")
	mgr := employeeWith(t, "store_manager", "HK-TST")
	a := s.newSKUs("lots", "HK-TST", 1, 30)[0]
	cnt := s.openCount(mgr, map[string]any{"location": "HK-TST", "scope": map[string]any{"categories": []string{"lots"}}})
	gtin := "0" + a.EAN
	soon := time.Now().UTC().AddDate(0, 0, 10).Format("060102")
	s.scans(mgr, cnt.ID,
		scanIn{Code: "(01)" + gtin + "(17)250101(10)OLD", Qty: 2},
		scanIn{Code: "(01)" + gtin + "(17)" + soon + "(10)SOON", Qty: 3},
		scanIn{Code: "]d201" + gtin + "17301231" + "10NEW", Qty: 4},
		scanIn{Code: "(01)" + gtin + "(17)301231(10)NEW", Qty: 1},
		scanIn{Code: a.EAN, Qty: 5},
	)
	var r stock.Report
	s.mustJSON("GET", "/v1/counts/"+cnt.ID+"/report?lots=true&near_days=14", mgr, nil, 200, &r)
	got := map[string]string{}
	for _, l := range r.Lots {
		got[l.Lot] = fmt.Sprintf("%d %s", l.CountedQty, l.ExpiryStatus)
	}
	want := map[string]string{"OLD": "2 expired", "SOON": "3 near_expiry", "NEW": "5 ok"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lots %v, want %v", got, want)
	}
	if l := lineOf(t, r, a.SKU); l.CountedQty != 15 {
		t.Fatalf("line counted %d, want 15", l.CountedQty)
	}
	// The same lots as CSV rows, and in the XLSX workbook's Lots sheet.
	resp, body := s.raw("GET", "/v1/counts/"+cnt.ID+"/report?lots=true&near_days=14&format=csv&rows=lots", mgr, "", nil)
	rows := readCSV(t, bytes.TrimPrefix(body, []byte("\ufeff")))
	if resp.StatusCode != 200 || len(rows) != 1+len(r.Lots) || rows[0][1] != "lot" {
		t.Fatalf("lots csv: %d %s", resp.StatusCode, body)
	}
	for _, row := range rows[1:] {
		if got[row[1]] != row[3]+" "+row[5] {
			t.Errorf("lots csv row %v, json %s", row, got[row[1]])
		}
	}
	resp, body = s.raw("GET", "/v1/counts/"+cnt.ID+"/report?lots=true&near_days=14&format=xlsx", mgr, "", nil)
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("lots xlsx: %d %v", resp.StatusCode, err)
	}
	if lotRows, err := f.GetRows(export.SheetLots); err != nil || len(lotRows) != 1+len(r.Lots) {
		t.Fatalf("xlsx Lots sheet: %d rows (%v), want %d", len(lotRows), err, 1+len(r.Lots))
	}
	f.Close()
	if resp, body := s.do("GET", "/v1/counts/"+cnt.ID+"/report?format=csv&rows=lots", mgr, nil); resp.StatusCode != 422 {
		t.Fatalf("rows=lots without lots=true: %d %s", resp.StatusCode, body)
	}
	resp, body = s.do("GET", "/v1/counts/"+cnt.ID+"/report?lots=maybe", mgr, nil)
	if resp.StatusCode != 422 || errorCode(t, body) != "invalid" {
		t.Fatalf("lots=maybe: %d %s", resp.StatusCode, body)
	}
}

// checkXLSXLines opens an XLSX count report and compares its Lines sheet
// with the JSON report, cell by cell.
func checkXLSXLines(t *testing.T, body []byte, r stock.Report) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("xlsx does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(export.SheetLines)
	if err != nil {
		t.Fatal(err)
	}
	if panes, err := f.GetPanes(export.SheetLines); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("header row not frozen: %+v %v", panes, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if len(rows)-1 != len(r.Lines) {
		t.Fatalf("xlsx has %d lines, json %d", len(rows)-1, len(r.Lines))
	}
	for i, row := range rows[1:] {
		l := lineOf(t, r, row[col["SKU"]])
		cell := func(name string) string {
			c, _ := excelize.CoordinatesToCellName(col[name]+1, i+2)
			return c
		}
		for name, want := range map[string]float64{"Counted qty": float64(l.CountedQty), "Variance qty": float64(l.VarianceQty)} {
			if typ, _ := f.GetCellType(export.SheetLines, cell(name)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s of %s is not a number cell (%v)", name, l.SKU, typ)
			}
			if got, _ := strconv.ParseFloat(row[col[name]], 64); got != want {
				t.Errorf("%s of %s: %s, json %v", name, l.SKU, row[col[name]], want)
			}
		}
		m, err := stock.ParseMoney(row[col["Variance value"]])
		if err != nil || m != l.VarianceValue {
			t.Errorf("variance value of %s: %s, json %s", l.SKU, row[col["Variance value"]], l.VarianceValue)
		}
		if row[col["Chinese name"]] != l.NameZh {
			t.Errorf("name of %s: %q, json %q", l.SKU, row[col["Chinese name"]], l.NameZh)
		}
	}
}

// TestReportXLSXCurrency: the API's workbook is in the currency of the
// count's location (stock.CurrencyOf): MOP for a store under a Macau
// region coded MAC, HKD for a Hong Kong store whose code starts with MO.
func TestReportXLSXCurrency(t *testing.T) {
	s := startServer(t, "sqlite")
	s.mustJSON("PUT", "/v1/locations/MAC", "ADMIN", map[string]any{"name": "澳門 Macau", "kind": "region"}, 201, nil)
	for code, parent := range map[string]string{"TPA2": "MAC", "MOK": "HK-KLN"} {
		s.mustJSON("PUT", "/v1/locations/"+code, "ADMIN", map[string]any{"name": "店 " + code, "kind": "store", "parent": parent}, 201, nil)
	}
	for code, want := range map[string]string{"TPA2": "MOP", "MOK": "HKD", "MO-SMR": "MOP", "HK-TST": "HKD"} {
		item := s.newSKUs("cur-"+code, code, 1, 3)[0]
		cnt := s.openCount("ADMIN", map[string]any{"location": code, "scope": map[string]any{"skus": []string{item.SKU}}})
		resp, body := s.raw("GET", "/v1/counts/"+cnt.ID+"/report?format=xlsx", "ADMIN", "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s xlsx: %d %s", code, resp.StatusCode, truncate(body))
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(export.SheetInfo)
		f.Close()
		got := ""
		for _, r := range rows {
			if len(r) > 1 && r[0] == "Currency" {
				got = r[1]
			}
		}
		if got != want {
			t.Errorf("the workbook of a count at %s is in %q, want %s", code, got, want)
		}
	}
}
