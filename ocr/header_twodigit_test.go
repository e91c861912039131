package ocr

import "testing"

// TestTwoDigitYearNotLaterDate: a receipt dated with a two-digit year
// that prints its warranty's end a year on, same day and month, with
// four digits: the later date is the warranty's, not the receipt's.
func TestTwoDigitYearNotLaterDate(t *testing.T) {
	p := receiptPage(
		line(20, "Date:", "08/10/24"),
		right(100, "Kettle", "30.00"),
		line(400, "Warranty", "until", "08/10/2025"),
	)
	if h := Extract([]*Page{p}).Header; h.Date != "2024-10-08" {
		t.Errorf("date %q, want 2024-10-08 (the warranty's end is a year later)", h.Date)
	}
}

// TestTwoDigitYearRuleNeedsTwoDigits: a date read without its printed
// text (from its label and digit runs, "Date: 2023 10 23") has no
// two-digit year to complete: another year on the same day and month
// ("Member since 23/10/2019") does not replace it.
func TestTwoDigitYearRuleNeedsTwoDigits(t *testing.T) {
	p := receiptPage(
		line(20, "Date:", "2023", "10", "23A"),
		right(100, "Apples", "3.00"),
		line(400, "Member", "since", "23/10/2019"),
	)
	if h := Extract([]*Page{p}).Header; h.Date != "2023-10-23" {
		t.Errorf("date %q (printed %q), want 2023-10-23", h.Date, h.DatePrinted)
	}
}

// TestLabelledDigitRunsImplausible: "Date: 2078 03 06" (a year misread
// into the future, read from the label's digit runs) is left empty like
// any implausible date (README), not kept.
func TestLabelledDigitRunsImplausible(t *testing.T) {
	p := receiptPage(line(20, "Date:", "2078", "03", "06"), right(100, "Apples", "3.00"))
	if h := Extract([]*Page{p}).Header; h.Date != "" {
		t.Errorf("date %q: an implausible year is left empty", h.Date)
	}
}
