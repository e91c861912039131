package stock_test

import (
	"testing"

	"pandian/stock"
)

// Paging in the domain: a walk with limit 1 finds the whole list once,
// limits outside the range and made-up cursors are refused, and catalog
// sync from a kept cursor returns only what changed.
func TestPaging(t *testing.T) {
	w := newWorld(t)
	admin := w.actor("A001")
	var walked []string
	p := stock.PageRequest{Limit: 1}
	for i := 0; ; i++ {
		page, err := w.svc.LocationsPage(ctx, admin, "", p)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > 1 || i > 100 {
			t.Fatalf("page %d: %d items", i, len(page.Items))
		}
		for _, l := range page.Items {
			walked = append(walked, l.Code)
		}
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	all, err := w.svc.Locations(ctx, admin, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(walked) != len(all) || len(all) < 3 {
		t.Fatalf("walked %v, all %d", walked, len(all))
	}
	for _, bad := range []stock.PageRequest{{Limit: -1}, {Limit: stock.MaxPage + 1}, {Cursor: "%%%"}, {Cursor: stock.EncodeCursor("only-one")}} {
		if _, err := w.svc.LocationsPage(ctx, admin, "", bad); stock.ErrorCode(err) != stock.EInvalid {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
	if _, err := w.svc.AuditPage(ctx, admin, "", stock.PageRequest{Cursor: stock.EncodeCursor("x")}); stock.ErrorCode(err) != stock.EInvalid {
		t.Errorf("audit cursor x: %v, want invalid", err)
	}

	// Catalog sync: everything, then only the changed SKU.
	first, sync, err := w.svc.CatalogPage(ctx, admin, stock.PageRequest{})
	if err != nil || first.Next != "" || len(first.Items) < 3 {
		t.Fatalf("catalog: %d items, next %q, %v", len(first.Items), first.Next, err)
	}
	again, sync2, err := w.svc.CatalogPage(ctx, admin, stock.PageRequest{Cursor: sync})
	if err != nil || len(again.Items) != 0 || sync2 != sync {
		t.Fatalf("unchanged: %d items, %v", len(again.Items), err)
	}
	cost := stock.Money(100)
	if _, _, err := w.svc.PutSKU(ctx, admin, first.Items[0].SKU, stock.SKUInput{Name: "Renamed", Category: first.Items[0].Category, UnitCost: &cost}); err != nil {
		t.Fatal(err)
	}
	changed, _, err := w.svc.CatalogPage(ctx, admin, stock.PageRequest{Cursor: sync})
	if err != nil || len(changed.Items) != 1 || changed.Items[0].Name != "Renamed" || len(changed.Items[0].Barcodes) != 0 {
		t.Fatalf("after a rename: %+v, %v", changed.Items, err)
	}
}
