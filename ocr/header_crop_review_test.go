package ocr

import (
	"image"
	"testing"
)

// TestCropDateNeedsTransactionRow: the crop look runs only where the
// page reading found no date, so the date its rows read is as likely a
// product's expiry, a voucher's validity, a membership's start or a
// number shaped like a date as the document's: it is taken only from a
// crop row without such a label that prints it beside a Date label or a
// time, or with a four-digit year. Without cropVouches every row below
// fills the date.
func TestCropDateNeedsTransactionRow(t *testing.T) {
	defer withHeaderCrops(true)()
	for _, c := range []struct {
		row  []string
		want string
	}{
		{[]string{"Date:02/08/2016", "15:59"}, "2016-08-02"},
		{[]string{"02/08/16", "15:59"}, "2016-08-02"},
		{[]string{"Printed", "Mar", "5,", "2024"}, "2024-03-05"},
		{[]string{"PJ'S", "PET", "EXPRESS", "05/03/2024"}, "2024-03-05"},
		{[]string{"Best", "before", "15/03/2026"}, ""},
		{[]string{"BB", "15.03.2026"}, ""},
		{[]string{"EXP:", "31/12/2026"}, ""},
		{[]string{"Valid", "until", "31/12/2026"}, ""},
		{[]string{"Voucher", "valid", "01/01/2026-31/12/2026"}, ""},
		{[]string{"Member", "since", "01/06/2020"}, ""},
		{[]string{"有效期至", "2026-12-31"}, ""},
		// An invoice number read as day, month and two-digit year.
		{[]string{"Inv", "No:", "24-03-15"}, ""},
		// A dotted date is not a time of day ("02.08" beside it).
		{[]string{"Ref", "02.08.16"}, ""},
	} {
		row := line(80, c.row...)
		p := receiptPage(line(20, "SHOP"), row, right(300, "TOTAL", "5.00"))
		var h Header
		cropDate(&h, p, [][]Word{row})
		if h.Date != c.want {
			t.Errorf("crop row %q: date %q, want %q", c.row, h.Date, c.want)
		}
		if h.Date != "" && h.Confidence["date"] > secondLookConf {
			t.Errorf("crop row %q: confidence %.2f over %.2f", c.row, h.Confidence["date"], secondLookConf)
		}
	}
	// A date Extract finds on a row the crop look did not read (its
	// looser rules, on the rows as the page reading read them) is not the
	// crop's to vouch for.
	kept := line(80, "Exp", "31/12/2026")
	crop := line(110, "Cashier", "Ann")
	var h Header
	cropDate(&h, receiptPage(line(20, "SHOP"), kept, crop, right(300, "TOTAL", "5.00")), [][]Word{crop})
	if h.Date != "" {
		t.Errorf("date %q from a row the crop look did not read", h.Date)
	}
}

// TestCutRowOutsideImage: words lying beyond the grey image (a page and
// an image that do not match) give no strip; no slice of negative length.
func TestCutRowOutsideImage(t *testing.T) {
	g := newGray(100, 50)
	for _, b := range []image.Rectangle{
		image.Rect(300, 10, 340, 30),
		image.Rect(90, 40, 140, 70),
		image.Rect(-50, -30, -10, -5),
		image.Rect(10, 10, 20, 10),
		image.Rect(0, 0, 100, 50),
	} {
		ws := []Word{{Text: "x", Box: b}}
		func() {
			defer func() {
				if e := recover(); e != nil {
					t.Errorf("cutRow of a word at %v panics: %v", b, e)
				}
			}()
			if s := cutRow(g, ws, min(b.Max.X+rowHeight(ws), g.w)); s != nil {
				s.toPage(image.Rect(0, 0, s.img.w, s.img.h))
			}
		}()
	}
}

// TestCropLookBounded: the crop look costs at most cropRowsMax one-line
// readings however many rows look like dates, and a strip wider than
// 8000 pixels (small print across a huge photo) is not cut.
func TestCropLookBounded(t *testing.T) {
	defer withHeaderCrops(true)()
	var rows [][]Word
	for i := range 12 {
		rows = append(rows, line(20+30*i, "Date:", "0"+string(rune('1'+i%9))+"/03/2024", "12:00"))
	}
	if n := len(cropPicks(receiptPage(rows...))); n != cropRowsMax {
		t.Errorf("%d rows picked, want %d", n, cropRowsMax)
	}
	g := newGray(20000, 100)
	ws := []Word{{Text: "a", Box: image.Rect(10, 40, 30, 50)}, {Text: "b", Box: image.Rect(19900, 40, 19950, 50)}}
	if s := cutRow(g, ws, g.w); s != nil {
		t.Errorf("a strip %d×%d cut from a 20000-pixel row of 10-pixel print", s.img.w, s.img.h)
	}
}
