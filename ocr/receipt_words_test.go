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

// A total whose amount was misread ("Total 14:25") and whose label was
// paired with the cash line below: the cash less the change agrees with
// the subtotal and the taxes, and that sum is the total, confirmed.
func TestCashLessChangeConfirmsTotal(t *testing.T) {
	p := receiptPage(
		line(20, "CHIPOTLE"),
		right(160, "Carnitas", "Bowl", "8.27"),
		right(190, "Guacamole", "2.07"),
		right(230, "Subtotal", "10.34"),
		right(260, "Tax", "0,92"),
		right(290, "Round", "-0.01"),
		line(320, "TAKE", "OUT", "Total", "14:25"),
		right(350, "Cash", "20.00"),
		right(380, "Change", "8.75"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Total != "11.25" || doc.Header.Confidence["total"] < 0.9 {
		t.Fatalf("total %q (confidence %.2f), want 11.25 confirmed", doc.Header.Total, doc.Header.Confidence["total"])
	}
	// One sum alone is no confirmation: without the subtotal and the
	// lines agreeing, cash less change stays a guess.
	s := summary{cash: 2000, change: 875, hasCash: true, hasChange: true, subtotal: 1500, hasSub: true}
	if _, ok := derivedTotal(s, 1034, true); ok {
		t.Error("derivedTotal confirmed 11.25 with nothing agreeing")
	}
	if v, ok := derivedTotal(s, 1125, true); !ok || v != 1125 {
		t.Errorf("derivedTotal = %d %v, want 1125 (the lines agree)", v, ok)
	}
}
