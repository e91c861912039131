package ocr

import "testing"

// TestZeroBalanceNotTotal: a card receipt printing "Balance Due 0.00"
// (nothing left to pay) under "Total 46.06": no arithmetic confirms
// either (no lines read), and the stronger label names 0.00, which is no
// amount payable. The total is 46.06, or nothing; never 0.00.
func TestZeroBalanceNotTotal(t *testing.T) {
	for _, label := range [][]string{{"Balance", "Due"}, {"Amount", "Due"}, {"Balance"}} {
		p := receiptPage(line(20, "SHOP"), right(300, "Total", "46.06"), right(330, "Visa", "46.06"),
			right(360, append(append([]string{}, label...), "0.00")...))
		if h := Extract([]*Page{p}).Header; h.Total == "0.00" {
			t.Errorf("%v 0.00 under Total 46.06: total %q", label, h.Total)
		}
	}
}

// TestZeroBalanceNotConfirmed: a card receipt printing "Cash 0.00" and
// "Change 0.00": cash less change is 0.00, which confirms no total (it
// confirmed "Balance Due 0.00" at 0.95).
func TestZeroBalanceNotConfirmed(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(300, "Total", "46.06"), right(330, "Visa", "46.06"),
		right(360, "Cash", "0.00"), right(390, "Change", "0.00"), right(420, "Balance", "Due", "0.00"))
	if h := Extract([]*Page{p}).Header; h.Total == "0.00" {
		t.Errorf("total %q (confidence %.2f), want 46.06 or nothing", h.Total, h.Confidence["total"])
	}
}

// TestZeroCashNoTotal: no total label read, "Cash 0.00" and "Change
// 0.00" (paid by card): cash less change is no total.
func TestZeroCashNoTotal(t *testing.T) {
	p := receiptPage(line(20, "SHOP"), right(330, "Visa", "46.06"), right(360, "Cash", "0.00"), right(390, "Change", "0.00"))
	if h := Extract([]*Page{p}).Header; h.Total == "0.00" {
		t.Errorf("total %q (confidence %.2f), want nothing", h.Total, h.Confidence["total"])
	}
}
