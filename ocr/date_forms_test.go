package ocr

import "testing"

// TestDateMisreadSeparators: a date whose separators were read as commas,
// colons or semicolons ("12,03,2018"), glued to the time with a two-digit
// year ("12/03/1814:25"), or lost after its label ("Date 12 03 2018").
func TestDateMisreadSeparators(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"12,03,2018", "2018-03-12"},
		{"Date: 12:03/2018", "2018-03-12"},
		{"25;04;2018 10:21", "2018-04-25"},
		{"12/03/1814:25", "2018-03-12"},
		{"12/03/201814:25", "2018-03-12"},
	} {
		if iso, _, ok := ParseDate(c.in); !ok || iso != c.want {
			t.Errorf("%q: %q %v, want %s", c.in, iso, ok, c.want)
		}
	}
	for _, in := range []string{"1,25,2018", "Total 12.50, 2018", "12:30:2018x1"} {
		if iso, _, ok := ParseDate(in); ok {
			t.Errorf("%q: read %s, want no date", in, iso)
		}
	}
	if d, ok := labelledDateCompact("DATE 12 03 2018 14:25"); !ok || d.iso != "2018-03-12" {
		t.Errorf("Date 12 03 2018: %+v %v", d, ok)
	}
	if d, ok := labelledDateCompact("DATE 12 03 0018"); ok {
		t.Errorf("Date 12 03 0018: %+v", d)
	}
}

// TestPreferStampedDate: a receipt whose first date is a voucher's
// validity ("Valid till 31/12/2018") and whose transaction date is printed
// with its time ("13/03/2018 14:25"): with preferStamped on, the date with
// the time is the document's.
func TestPreferStampedDate(t *testing.T) {
	saved := preferStamped
	defer func() { preferStamped = saved }()
	p := receiptPage(line(20, "SHOP"), line(50, "Valid", "till", "31/12/2018"), right(300, "Total", "5.00"),
		line(400, "13/03/2018", "14:25"))
	preferStamped = true
	if h := Extract([]*Page{p}).Header; h.Date != "2018-03-13" {
		t.Errorf("on: date %q, want 2018-03-13", h.Date)
	}
	// A date beside its label stays, whatever follows.
	p = receiptPage(line(20, "SHOP"), line(50, "Date:", "31/12/2018"), right(300, "Total", "5.00"),
		line(400, "13/03/2018", "14:25"))
	if h := Extract([]*Page{p}).Header; h.Date != "2018-12-31" {
		t.Errorf("labelled: date %q, want 2018-12-31", h.Date)
	}
	preferStamped = false
	p = receiptPage(line(20, "SHOP"), line(50, "Valid", "till", "31/12/2018"), right(300, "Total", "5.00"),
		line(400, "13/03/2018", "14:25"))
	if h := Extract([]*Page{p}).Header; h.Date != "2018-12-31" {
		t.Errorf("off: date %q, want the first, 2018-12-31", h.Date)
	}
}

// TestLetterheadSpeck: a speck read as a lone lower-case letter inside a
// name printed in capitals is no part of the name; a name in mixed case
// keeps its one-letter words.
func TestLetterheadSpeck(t *testing.T) {
	p := receiptPage(line(20, "GARDENIA", "i", "BAKERIES", "(KL)", "SDN", "BHD"), line(50, "Lot", "3,", "Jalan", "Pelabur"),
		right(300, "Total", "5.00"))
	if h := Extract([]*Page{p}).Header; h.Supplier != "GARDENIA BAKERIES KL SDN BHD" {
		t.Errorf("supplier %q", h.Supplier)
	}
	p = receiptPage(line(20, "Pizza", "e", "Vino", "Ltd"), right(300, "Total", "5.00"))
	if h := Extract([]*Page{p}).Header; h.Supplier != "Pizza e Vino Ltd" {
		t.Errorf("mixed case: supplier %q", h.Supplier)
	}
}
