package ocr

import "testing"

// TestGSTSuppliesConfirmTotal: a Malaysian GST summary prints the total in
// parts (zero-rated supplies, standard-rated supplies before and with the
// tax); the parts adding up to the labelled total confirm it.
func TestGSTSuppliesConfirmTotal(t *testing.T) {
	p := receiptPage(line(20, "MAKASSAR", "FRESH", "MARKET"),
		right(300, "Total", "0%", "supplies:", "12.60"),
		right(330, "Total", "6%", "supplies", "(excl.", "GST):", "13.68"),
		right(360, "GST:", "0.82"),
		right(390, "Total", "6%", "supplies", "(Inc.", "GST):", "14.50"),
		right(420, "Total", "Payable:", "27.10"))
	h := Extract([]*Page{p}).Header
	if h.Total != "27.10" || h.Confidence["total"] < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 27.10 confirmed by the supplies", h.Total, h.Confidence["total"])
	}
	// Zero-rated plus before tax plus the tax, the "with tax" row unread.
	p = receiptPage(line(20, "MAKASSAR", "FRESH", "MARKET"),
		right(300, "Total", "0%", "supplies:", "12.60"),
		right(330, "Total", "6%", "supplies", "(excl.", "GST):", "13.68"),
		right(360, "GST:", "0.82"),
		right(420, "Total", "Payable:", "27.10"))
	if h := Extract([]*Page{p}).Header; h.Total != "27.10" || h.Confidence["total"] < 0.9 {
		t.Errorf("without the inclusive row: total %q (confidence %.2f), want 27.10 confirmed", h.Total, h.Confidence["total"])
	}
	// A total before tax and the tax.
	p = receiptPage(line(20, "SHOP"),
		right(300, "Total", "Sales", "(Excluding", "GST)", "120.00"),
		right(330, "Total", "GST", "7.20"),
		right(360, "Rounding", "0.00"),
		right(390, "Total", "Sales", "(Inclusive", "of", "GST)", "127.20"))
	if h := Extract([]*Page{p}).Header; h.Total != "127.20" || h.Confidence["total"] < 0.9 {
		t.Errorf("excluding GST + GST: total %q (confidence %.2f), want 127.20 confirmed", h.Total, h.Confidence["total"])
	}
}

// TestTotalOneDigitFromParts: "Total Payable 27.49" where the supplies add
// up to 27.19: one of them is misread, so no total rather than a wrong one.
func TestTotalOneDigitFromParts(t *testing.T) {
	p := receiptPage(line(20, "MAKASSAR", "FRESH", "MARKET"),
		right(300, "Total", "0%", "supplies:", "12.60"),
		right(390, "Total", "6%", "supplies", "(Inc.", "GST):", "14.59"),
		right(420, "Total", "Payable:", "27.49"))
	if h := Extract([]*Page{p}).Header; h.Total == "27.49" {
		t.Errorf("total %q (confidence %.2f), want nothing: the parts say 27.19", h.Total, h.Confidence["total"])
	}
	// Parts far from the total (one missed) contradict nothing.
	p = receiptPage(line(20, "MAKASSAR", "FRESH", "MARKET"),
		right(390, "Total", "6%", "supplies", "(Inc.", "GST):", "14.50"),
		right(420, "Total", "Payable:", "27.10"))
	if h := Extract([]*Page{p}).Header; h.Total != "27.10" {
		t.Errorf("total %q, want 27.10 (unconfirmed)", h.Total)
	}
}

// TestCashChangeAgainstSubtotal: no total read, "Subtotal 10.34", "Cash
// 20.00", "Change 8.15" (8.75 misread): cash less change (11.85) is
// neither the subtotal nor it with the taxes, so it is no total.
func TestCashChangeAgainstSubtotal(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "10.34"), right(330, "Cash", "20.00"), right(360, "Change", "8.15"))
	if h := Extract([]*Page{p}).Header; h.Total == "11.85" {
		t.Errorf("total %q (confidence %.2f), want nothing", h.Total, h.Confidence["total"])
	}
	// Without a subtotal it stands, unconfirmed.
	p = receiptPage(line(20, "SHOP"), right(330, "Cash", "10.00"), right(360, "Change", "4.36"))
	if h := Extract([]*Page{p}).Header; h.Total != "5.64" {
		t.Errorf("no subtotal: total %q, want 5.64", h.Total)
	}
}

// TestTotalBelowSubtotal: "Subtotal 10.34" and a total read "0.01" (its
// amount lost), no discount: a total below the subtotal is misread.
func TestTotalBelowSubtotal(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "10.34"), right(330, "Total", "0.01"))
	if h := Extract([]*Page{p}).Header; h.Total == "0.01" {
		t.Errorf("total %q (confidence %.2f), want nothing", h.Total, h.Confidence["total"])
	}
	// A discount printed: the total may be below the subtotal.
	p = receiptPage(line(20, "SHOP"), right(300, "Subtotal", "10.34"), right(330, "Discount", "-2.00"), right(360, "Total", "8.00"))
	if h := Extract([]*Page{p}).Header; h.Total != "8.00" {
		t.Errorf("with a discount: total %q, want 8.00", h.Total)
	}
}

// TestTableSubtotalTaxImplausible: a table whose lines confirm the
// subtotal and whose total is not read: the subtotal with the taxes
// stands for the total, unless the "taxes" are a third of the subtotal or
// more (another amount read beside a tax label).
func TestTableSubtotalTaxImplausible(t *testing.T) {
	page := func(tax string) *Page {
		return tpage(
			tline(100, "Code@40", "Qty@300", "Unit@400", "Description@520", "Unit@1100", "Price@1160", "Amount@1400"),
			tline(140, "SKU-000123@40", "12@310", "包@400", "Green@520", "Tea@590", "8.50@1180", "102.00@1410"),
			tline(180, "SKU-000456@40", "3@322", "箱@400", "Rice@520", "1kg@580", "136.90@1160", "410.70@1410"),
			tline(260, "Subtotal@1100", "512.70@1410"),
			tline(300, "Tax@1100", tax+"@1410"),
		)
	}
	if doc := extractTable([]*Page{page("25.64")}, Header{}); doc == nil || doc.Header.Total != "538.34" {
		t.Errorf("tax 25.64: %+v", doc)
	}
	if doc := extractTable([]*Page{page("512.70")}, Header{}); doc == nil || doc.Header.Total == "1025.40" {
		t.Errorf("tax 512.70: total %q, want nothing", doc.Header.Total)
	}
}

// TestTotalPrintedTwice: a total no sum confirms is confirmed by its
// second printing, a card payment of the same amount or a second total
// label; and the confirmed one wins over a stronger label no check
// confirms.
func TestTotalPrintedTwice(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Total", "46.06"), right(330, "Visa", "46.06"))
	if h := Extract([]*Page{p}).Header; h.Total != "46.06" || h.Confidence["total"] < 0.9 {
		t.Errorf("Visa: total %q (confidence %.2f), want 46.06 confirmed", h.Total, h.Confidence["total"])
	}
	p = receiptPage(line(20, "SHOP"), right(300, "Total", "46.06"), right(330, "Credit", "Card:", "46.06"), right(360, "Amount", "Due", "96.06"))
	if h := Extract([]*Page{p}).Header; h.Total != "46.06" {
		t.Errorf("card against a stronger label: total %q (confidence %.2f), want 46.06", h.Total, h.Confidence["total"])
	}
	p = receiptPage(line(20, "SHOP"), right(300, "Total", "17.45"), right(330, "Balance", "Due", "17.45"))
	if h := Extract([]*Page{p}).Header; h.Total != "17.45" || h.Confidence["total"] < 0.9 {
		t.Errorf("two labels: total %q (confidence %.2f), want 17.45 confirmed", h.Total, h.Confidence["total"])
	}
}

// TestCardAmountStaysCandidate: "Card Amount 46.06" names a total label:
// it is a candidate as before, not a card payment confirming itself.
func TestCardAmountStaysCandidate(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Card", "Amount", "46.06"))
	if h := Extract([]*Page{p}).Header; h.Total != "46.06" || h.Confidence["total"] >= 0.9 {
		t.Errorf("total %q (confidence %.2f), want 46.06 unconfirmed", h.Total, h.Confidence["total"])
	}
}
