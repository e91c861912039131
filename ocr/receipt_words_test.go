package ocr

import "testing"

// Items whose names contain a summary keyword inside a longer word
// ("Tenderloin": TENDER, "Fondue": DUE, "Ground": ROUND, "Hotel": TEL) are
// items; keywords as words, run together ("SUBTOTAL", "Item count") or
// inflected ("Tendered", "Taxes") still mark summary rows.
func TestSummaryKeywordsAsWords(t *testing.T) {
	for _, c := range []struct {
		words   []string
		summary bool
	}{
		{[]string{"2-Tenderloin", "9.78"}, false},
		{[]string{"Cheese", "Fondue", "12.00"}, false},
		{[]string{"Ground", "Beef", "1kg", "8.50"}, false},
		{[]string{"Multipack", "Crisps", "3.00"}, false},
		{[]string{"Cash", "Tendered", "20.00"}, true},
		{[]string{"Sub", "Total:", "18.01"}, true},
		{[]string{"SUBTOTAL", "18.01"}, true},
		{[]string{"Total", "Due", "23.45"}, true},
		{[]string{"Taxes", "1.44"}, true},
		{[]string{"Item", "count", "2"}, true},
		{[]string{"Change", "Due:", "0.00"}, true},
		{[]string{"現金", "100.00"}, true},
	} {
		r := groupRows(line(100, c.words...))[0]
		if got := isSummaryRow(r); got != c.summary {
			t.Errorf("isSummaryRow(%q) = %v, want %v", c.words, got, c.summary)
		}
	}
	p := receiptPage(
		line(20, "EDWARDS", "DRIVE", "IN"),
		right(160, "1-Large", "Diet", "Coke", "1.69"),
		right(190, "2-Tenderloin", "9.78"),
		right(220, "Hotel", "Chocolate", "2.00"),
		right(260, "Sub", "Total:", "13.47"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 3 || doc.Lines[1].Description != "Tenderloin" || doc.Lines[1].Qty != 2 || doc.Lines[2].Description != "Hotel Chocolate" {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	if doc.Header.Subtotal != "13.47" || doc.Lines[1].NeedsReview {
		t.Errorf("subtotal %q, line %+v: the lines add up to the subtotal", doc.Header.Subtotal, doc.Lines[1])
	}
}
