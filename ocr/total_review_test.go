package ocr

import "testing"

// TestPartsWithRounding: a Malaysian GST summary with a rounding
// adjustment ("Total 0% supplies 12.60", "Total 6% supplies (Inc. GST)
// 14.52", "Rounding Adj -0.02", "Total Payable 27.10"): the parts with
// the rounding make the total, which is no contradiction of 27.12.
func TestPartsWithRounding(t *testing.T) {
	for _, adj := range []string{"-0.02", "(0.02)", "0.02-"} {
		p := receiptPage(line(20, "MAKASSAR", "FRESH", "MARKET"),
			right(300, "Total", "0%", "supplies:", "12.60"),
			right(330, "Total", "6%", "supplies", "(Inc.", "GST):", "14.52"),
			right(360, "Rounding", "Adj:", adj),
			right(390, "Total", "Payable:", "27.10"))
		if h := Extract([]*Page{p}).Header; h.Total != "27.10" || h.Confidence["total"] < 0.9 {
			t.Errorf("rounding %s: total %q (confidence %.2f), want 27.10 confirmed by the parts and the rounding", adj, h.Total, h.Confidence["total"])
		}
	}
}

// TestDeductionAllowsTotalBelowSubtotal: a till's discount printed
// "Disc", a voucher, a coupon or a member's saving lowers the total below
// the subtotal; the total stands (unconfirmed when the deduction's amount
// is not read as one).
func TestDeductionAllowsTotalBelowSubtotal(t *testing.T) {
	for _, ded := range [][]string{
		{"Disc", "10%", "-1.03"},
		{"Member", "Disc", "1.03-"},
		{"Voucher", "(1.03)"},
		{"Coupon", "1.03"},
		{"Less:", "Deposit", "1.03"},
		{"會員優惠", "-1.03"},
	} {
		p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "10.34"), right(330, ded...), right(360, "Total", "9.31"))
		if h := Extract([]*Page{p}).Header; h.Total != "9.31" {
			t.Errorf("%v: total %q, want 9.31", ded, h.Total)
		}
	}
	// No deduction printed: still refused.
	p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "10.34"), right(330, "Thank", "you"), right(360, "Total", "9.31"))
	if h := Extract([]*Page{p}).Header; h.Total == "9.31" {
		t.Errorf("no deduction: total %q, want nothing", h.Total)
	}
}

// TestSecondPrintingNotItself: a total label whose amount is taken from
// the payment row below it ("TOTAL" over "VISA 46.06") is one printing:
// the card row does not confirm it. Nor do two labels sharing one amount
// row ("Total" and "Amount Due" round a lone "17.45").
func TestSecondPrintingNotItself(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Sale", "TOTAL"), right(330, "VISA", "46.06"))
	if h := Extract([]*Page{p}).Header; h.Total != "46.06" || h.Confidence["total"] >= 0.9 {
		t.Errorf("label over the card row: total %q (confidence %.2f), want 46.06 unconfirmed", h.Total, h.Confidence["total"])
	}
	p = receiptPage(line(20, "SHOP"), right(300, "Amount", "Due"), right(330, "Credit", "17.45"))
	if h := Extract([]*Page{p}).Header; h.Total != "17.45" || h.Confidence["total"] >= 0.9 {
		t.Errorf("Amount Due over Credit: total %q (confidence %.2f), want 17.45 unconfirmed", h.Total, h.Confidence["total"])
	}
	p = receiptPage(line(20, "SHOP"), right(300, "Total"), right(318, "17.45"), right(336, "Amount", "Due"))
	if h := Extract([]*Page{p}).Header; h.Total != "17.45" || h.Confidence["total"] >= 0.9 {
		t.Errorf("two labels, one amount: total %q (confidence %.2f), want 17.45 unconfirmed", h.Total, h.Confidence["total"])
	}
	// Printed twice for real: still confirmed.
	p = receiptPage(line(20, "SHOP"), right(300, "TOTAL", "46.06"), right(330, "VISA", "46.06"))
	if h := Extract([]*Page{p}).Header; h.Total != "46.06" || h.Confidence["total"] < 0.9 {
		t.Errorf("printed twice: total %q (confidence %.2f), want 46.06 confirmed", h.Total, h.Confidence["total"])
	}
}

// TestServiceChargeConfirms: a Hong Kong restaurant's 10% service charge
// ("加一", "S/C", "Svc Chg") is added to the subtotal: the total confirmed.
func TestServiceChargeConfirms(t *testing.T) {
	for _, sc := range [][]string{{"加一", "10.00"}, {"10%", "S/C", "10.00"}, {"Svc", "Chg", "10%", "10.00"}, {"服務費", "10.00"}} {
		p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "100.00"), right(330, sc...), right(360, "Total", "110.00"))
		if h := Extract([]*Page{p}).Header; h.Total != "110.00" || h.Confidence["total"] < 0.9 {
			t.Errorf("%v: total %q (confidence %.2f), want 110.00 confirmed", sc, h.Total, h.Confidence["total"])
		}
	}
	// The service charge's row unread: a total above the subtotal is not
	// refused (only one below it is), it stands unconfirmed.
	p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "100.00"), right(360, "Total", "110.00"))
	if h := Extract([]*Page{p}).Header; h.Total != "110.00" {
		t.Errorf("service charge unread: total %q, want 110.00", h.Total)
	}
}

// TestPartMissedNoContradiction: the zero-rated supplies' row unread
// ("Tota1 0% supp1ies 1.00"), the standard-rated part alone (14.50) is
// one digit from the total (15.50) only because a part is missing: no
// contradiction, the total stands unconfirmed. With the zero-rated part
// read, the same digit apart refuses it (TestTotalOneDigitFromParts).
func TestPartMissedNoContradiction(t *testing.T) {
	p := receiptPage(line(20, "MAKASSAR", "FRESH", "MARKET"),
		right(300, "Tota1", "0%", "supp1ies:", "1.00"),
		right(390, "Total", "6%", "supplies", "(Inc.", "GST):", "14.50"),
		right(420, "Total", "Payable:", "15.50"))
	if h := Extract([]*Page{p}).Header; h.Total != "15.50" {
		t.Errorf("total %q, want 15.50 (unconfirmed)", h.Total)
	}
}

// TestRefusedNotReplacedByWeaker: the strongest total label refused as
// misread ("Total 0.01" under "Subtotal 10.34") leaves no total rather
// than a weaker label's amount ("Balance 25.00", a stored-value card's).
func TestRefusedNotReplacedByWeaker(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "10.34"), right(330, "Total", "0.01"), right(360, "Balance", "25.00"))
	if h := Extract([]*Page{p}).Header; h.Total != "" {
		t.Errorf("total %q (confidence %.2f), want nothing", h.Total, h.Confidence["total"])
	}
	// The weaker label stronger than the refused one still stands.
	p = receiptPage(line(20, "SHOP"), right(300, "Subtotal", "10.34"), right(330, "Balance", "0.01"), right(360, "Grand", "Total", "11.00"))
	if h := Extract([]*Page{p}).Header; h.Total != "11.00" {
		t.Errorf("total %q, want 11.00", h.Total)
	}
}

// TestRoundingMinusLost: "Rounding Adj -0.02" read without its minus (a
// thin glyph) under "Subtotal 27.12": "Total 27.10" is below the
// subtotal by the rounding alone, not misread, and the subtotal less the
// rounding confirms it. A total further below is still refused.
func TestRoundingMinusLost(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Subtotal", "27.12"), right(330, "Rounding", "Adj", "0.02"), right(360, "Total", "27.10"))
	if h := Extract([]*Page{p}).Header; h.Total != "27.10" || h.Confidence["total"] < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 27.10 confirmed", h.Total, h.Confidence["total"])
	}
	p = receiptPage(line(20, "MAKASSAR", "FRESH", "MARKET"),
		right(300, "Total", "0%", "supplies:", "12.60"),
		right(330, "Total", "6%", "supplies", "(Inc.", "GST):", "14.52"),
		right(360, "Rounding", "Adj:", "0.02"),
		right(390, "Total", "Payable:", "27.10"))
	if h := Extract([]*Page{p}).Header; h.Total != "27.10" || h.Confidence["total"] < 0.9 {
		t.Errorf("parts: total %q (confidence %.2f), want 27.10 confirmed", h.Total, h.Confidence["total"])
	}
	p = receiptPage(line(20, "SHOP"), right(300, "Subtotal", "27.12"), right(330, "Rounding", "Adj", "0.02"), right(360, "Total", "7.10"))
	if h := Extract([]*Page{p}).Header; h.Total == "7.10" {
		t.Errorf("far below: total %q, want nothing", h.Total)
	}
}
