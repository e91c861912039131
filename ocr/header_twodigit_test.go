package ocr

import (
	"strings"
	"testing"
)

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

// TestSecondLookDateWarning: an implausible date left empty by the first
// reading (Extract warns "left empty") and filled by the second: the
// warning no longer says the date is empty.
func TestSecondLookDateWarning(t *testing.T) {
	first := receiptPage(line(20, "Date:", "06/03/2078"), right(100, "Apples", "3.00"), right(130, "Total", "3.00"))
	doc := Extract([]*Page{first})
	if doc.Header.Date != "" || len(doc.Warnings) == 0 {
		t.Fatalf("first reading: date %q, warnings %q", doc.Header.Date, doc.Warnings)
	}
	raw := receiptPage(line(20, "Date:", "06/03/2018"), right(100, "Apples", "3.00"), right(130, "Total", "3.00"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	if doc.Header.Date != "2018-03-06" {
		t.Fatalf("second look: date %q, want 2018-03-06", doc.Header.Date)
	}
	for _, w := range doc.Warnings {
		if strings.Contains(w, "left empty") {
			t.Errorf("date %q filled by the second look, yet the warning %q", doc.Header.Date, w)
		}
	}
}
