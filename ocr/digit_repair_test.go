package ocr

import "testing"

// lowConf sets the confidence of the last word of a row (its amount).
func lowConf(ws []Word, conf float64) []Word {
	ws[len(ws)-1].Conf = conf
	return ws
}

// A receipt whose lines add up to 206.00 against a subtotal of 146.00:
// "92.00" was 32.00 (a 3 read as 9, no confusion table lists it) and is
// the least confidently read amount. Only that line in that digit makes
// the sum the subtotal: it is repaired, and stays flagged.
func TestRepairOneDigitBySubtotal(t *testing.T) {
	p := receiptPage(
		line(20, "THE", "GRILLE"),
		right(160, "1", "Steak", "Tartare", "16.00"),
		right(190, "1", "Lobster", "Bisque", "13.00"),
		right(220, "1", "Mozz", "Salad", "13.00"),
		lowConf(right(250, "1", "King", "Crab", "92.00"), 76),
		right(280, "1", "Creme", "Brulee", "9.00"),
		right(310, "1", "Ribeye", "53.00"),
		right(340, "1", "Potatoes", "10.00"),
		right(380, "Subtotal", "146.00"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 7 || doc.Lines[3].Amount != "92.00" {
		t.Fatalf("lines as read = %+v", doc.Lines)
	}
	if i := repairOneDigit(doc); i != 3 {
		t.Fatalf("repaired line %d, want 3", i)
	}
	if l := doc.Lines[3]; l.Amount != "32.00" || l.UnitPrice != "32.00" || !l.NeedsReview {
		t.Errorf("line 3 = %+v", l)
	}
	for i, l := range doc.Lines {
		if i != 3 && (l.Amount == "" || l.Amount == "32.00") {
			t.Errorf("line %d changed: %+v", i, l)
		}
	}
}

// Not repaired: the gap is one digit of two lines (ambiguous); the line
// is not the least confidently read; the sum already agrees.
func TestRepairOneDigitRefuses(t *testing.T) {
	build := func(c1, c2 float64, sub string) *Document {
		return Extract([]*Page{receiptPage(
			lowConf(right(160, "1", "Tea", "12.00"), c1),
			lowConf(right(190, "1", "Cake", "14.00"), c2),
			right(220, "1", "Soup", "5.50"),
			right(260, "Subtotal", sub),
		)})
	}
	// 31.50 + 60 = 91.50: 12→72 or 14→74: ambiguous.
	if i := repairOneDigit(build(70, 80, "91.50")); i >= 0 {
		t.Errorf("ambiguous gap repaired line %d", i)
	}
	// 12.00 → 18.00 is the only one-digit change giving 37.50, but "Cake"
	// was read with less confidence than "Tea".
	if i := repairOneDigit(build(80, 70, "37.50")); i >= 0 {
		t.Errorf("repaired line %d, not the least confident", i)
	}
	if i := repairOneDigit(build(70, 80, "37.50")); i != 0 {
		t.Errorf("repaired line %d, want 0", i)
	}
	if i := repairOneDigit(build(70, 80, "31.50")); i >= 0 {
		t.Errorf("reconciled lines repaired (line %d)", i)
	}
}

// "Round" (its amount lost) read as one row with "Total 11.25" below it:
// the amount is too large for a rounding adjustment, so the row is the
// total's, not a tax; a real rounding row keeps its place among the
// adjustments.
func TestRoundingMergedWithTotal(t *testing.T) {
	doc := Extract([]*Page{receiptPage(
		right(160, "Carnitas", "Bowl", "8.27"),
		right(190, "Guacamole", "2.07"),
		right(230, "Tax", "0.92"),
		right(260, "Round", "Total", "11.25"),
		right(290, "Cash", "20.00"),
	)})
	if doc.Header.Total != "11.25" {
		t.Errorf("total = %q, want 11.25 (lines %+v)", doc.Header.Total, doc.Lines)
	}
	s := readSummary(groupRows(receiptPage(
		right(230, "Tax", "0.92"),
		right(260, "Total", "Rounding", "-0.01"),
		right(290, "Total", "11.25"),
	).Words))
	if len(s.taxes) != 2 || s.round != -1 || len(s.totals) != 1 || s.totals[0].v != 1125 {
		t.Errorf("summary = %+v", s)
	}
}

// A day's first digit read as a letter glued to the date ("l2/04/2016",
// "Z5/09/2016") was dropped, leaving a valid one-digit day: a wrong date.
// The letter is read as its digit; when that makes no valid date, no date
// is read from it; a letter ending a word ("Sat5/09/2016") is no digit.
func TestDateGluedLetterDigit(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"Date:", "l2/04/2016", "10:22"}, "2016-04-12"},
		{[]string{"Date:l2/04/2016"}, "2016-04-12"},
		{[]string{"Z5/09/2016", "10:22"}, "2016-09-25"},
		{[]string{"I3/04/2016"}, "2016-04-13"},
		{[]string{"|3/04/2016"}, "2016-04-03"},
		{[]string{"S9/09/2016", "10:22"}, ""},
		{[]string{"Sat5/09/2016"}, "2016-09-05"},
		{[]string{"Date:", "7/04/2016", "10:22"}, "2016-04-07"},
	} {
		d := Extract([]*Page{receiptPage(line(20, "SHOP"), line(50, c.words...), right(160, "Tea", "3.00"), right(190, "TOTAL", "3.00"))})
		if d.Header.Date != c.want {
			t.Errorf("%q: date %q, want %q", c.words, d.Header.Date, c.want)
		}
	}
}

// The glued letter's date is unconfirmed: its confidence is capped.
func TestDateGluedLetterUnconfirmed(t *testing.T) {
	d := Extract([]*Page{receiptPage(line(20, "SHOP"), line(50, "Z5/09/2016", "10:22"), right(160, "Tea", "3.00"), right(190, "TOTAL", "3.00"))})
	if d.Header.Date != "2016-09-25" || d.Header.Confidence["date"] > 0.3 {
		t.Errorf("date %q confidence %.2f", d.Header.Date, d.Header.Confidence["date"])
	}
}

// "Ground Coffee Total 12.00" names no rounding: the rule leaves the row
// as it was read before.
func TestRoundingMergedNeedsRoundWord(t *testing.T) {
	rows := groupRows(receiptPage(right(260, "Ground", "Coffee", "Total", "12.00")).Words)
	if roundingMergedWithTotal(rows, 0, compactUpper(rows[0])) {
		t.Error("GROUND read as a rounding")
	}
	rows = groupRows(receiptPage(right(260, "Round", "Total", "11.25")).Words)
	if !roundingMergedWithTotal(rows, 0, compactUpper(rows[0])) {
		t.Error("Round Total 11.25 not read as a total")
	}
}

// A digit of a four-digit year or of a month's name read as a letter
// ("17/04/20l7" read as the year 20; "0CT 12, 2016" as no date; "Date:
// 2016/04/l2" as the 2nd): read as the digit or letter it stands for,
// unconfirmed.
func TestDateConfusedYearMonth(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"Date", "17/04/20l7"}, "2017-04-17"},
		{[]string{"0ct", "12,", "2016"}, "2016-10-12"},
		{[]string{"5EP", "25", "2016"}, "2016-09-25"},
		{[]string{"Date:", "12-N0V-2016"}, "2016-11-12"},
		{[]string{"Date:", "2016/04/l2"}, "2016-04-12"},
		{[]string{"T0TAL", "12", "2016"}, ""},
		{[]string{"Date", "17/04/17", "S1"}, "2017-04-17"},
	} {
		d := Extract([]*Page{receiptPage(line(20, "SHOP"), line(50, c.words...), right(160, "Tea", "3.00"), right(190, "TOTAL", "3.00"))})
		if d.Header.Date != c.want || c.want != "" && c.want != "2017-04-17" && d.Header.Confidence["date"] > 0.3 {
			t.Errorf("%q: date %q (%.2f), want %q", c.words, d.Header.Date, d.Header.Confidence["date"], c.want)
		}
	}
}
