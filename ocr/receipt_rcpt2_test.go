package ocr

import "testing"

// The items' column titles name a total ("Qty Price TOTAL") with no
// amount of their own: they head the items, they do not end them.
func TestTotalHeadingOverItems(t *testing.T) {
	p := receiptPage(
		line(20, "TRIPLE", "SIX", "POINT"),
		line(50, "No", "14816", "Jalan", "Permas"),
		line(80, "26-08-2018", "09:42", "AM"),
		line(110, "Payment", "Type", "Cash"),
		line(150, "Qty", "Price", "TOTAL"),
		right(180, "2", "Hey", "Sang", "3.80", "7.60"),
		right(210, "1", "Camellia", "Green", "4.00"),
		right(260, "TOTAL", "11.60"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 {
		t.Fatalf("lines = %+v, want the two items under the titles", doc.Lines)
	}
	if doc.Header.Total != "11.60" || doc.NeedsReview {
		t.Errorf("total %q, review %v: want 11.60 confirmed by the lines", doc.Header.Total, doc.NeedsReview)
	}
}

// A total label whose amount was read without its point ("Amount 760")
// does not take the amount tendered on the row below; the lines' sum
// confirms the amount with its point back, and a misread "Tendered" is
// no item.
func TestTotalPointLostNotTendered(t *testing.T) {
	p := receiptPage(
		line(20, "TRIPLE", "SIX", "POINT"),
		line(50, "26-08-2018", "09:42", "AM"),
		line(80, "Receipt", "No", "1234"),
		right(130, "2", "Hey", "Sang", "3.80", "7.60"),
		line(160, "Camellia", "green", "tea"),
		right(210, "Amount", "760"),
		right(240, "Tandered", "10.00"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Total != "7.60" {
		t.Errorf("total = %q, want 7.60 (the label's own amount, point lost, confirmed by the lines)", doc.Header.Total)
	}
	for _, l := range doc.Lines {
		if l.Amount == "10.00" {
			t.Errorf("the amount tendered read as an item: %+v", l)
		}
	}
}

// A total label without an amount does not take the amount of a
// discount printed on the row below it.
func TestTotalNotFromDiscountBelow(t *testing.T) {
	p := receiptPage(
		line(20, "SYARIKAT", "PERNIAGAAN"),
		line(50, "04/12/2017", "16:15"),
		line(80, "Cashier", "USER"),
		right(130, "SIKA", "CREAM", "25KG", "56.70"),
		line(170, "Total", "Sales"),
		right(200, "Discount", "9.00"),
		right(230, "GST", "2.70"),
		right(260, "CASH", "47.70"),
		right(290, "Change", "0.00"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Total == "9.00" {
		t.Errorf("total = 9.00: the discount's amount taken for the total")
	}
}

// A row whose label is set off from its amount by "=" is a summary's
// row, whatever its label reads ("Tote) = 23.45"): not an item.
func TestEqualsLabelNotItem(t *testing.T) {
	p := receiptPage(
		line(20, "WINDMILL", "FAMILY", "RESTAURANT"),
		line(50, "Friday,", "May", "26,", "2017"),
		line(80, "Server:", "Ann"),
		right(130, "Coffee", "3.45"),
		right(160, "Pancakes", "18.50"),
		right(185, "Tax", "1.50"),
		right(210, "Tote)", "=", "23.45"),
	)
	doc := Extract([]*Page{p})
	for _, l := range doc.Lines {
		if l.Amount == "23.45" {
			t.Errorf("the total's row read as an item: %+v", l)
		}
	}
	if len(doc.Lines) != 2 {
		t.Errorf("lines = %+v, want the two items", doc.Lines)
	}
}
