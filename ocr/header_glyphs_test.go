package ocr

import "testing"

// TestGlyphDateDigits: a labelled CJK date whose 年 月 日 were read as
// digits (年 as 4 or 4x, 月 as 5 or 8, 日 as 8) is read when the digits
// split one way only; through the header too.
func TestGlyphDateDigits(t *testing.T) {
	for _, c := range []struct{ s, want string }{
		{"Date: 20254712528", "2025-12-02"},  // 2025年12月2日
		{"日 期 : 202345028038", "2023-02-03"}, // 2023年02月03日
		{"日期 2024405815 8", "2024-05-15"},    // 年 as 4 or 40: the same date
		{"日期 2024412815 8", ""},              // 2024-12-15 or 2024-02-15
		{"Date: 20254712520", ""},            // no 日 read as 8
		{"Ref: 20254712528", ""},             // no date label
		{"Date: 20254112128", ""},            // 2025-11-12 or 2025-01-12 and more: ambiguous
		{"Date: 19004712528", ""},            // implausible year
	} {
		d, ok := glyphDateDigits(c.s)
		if got := d.iso; !ok && c.want != "" || ok && got != c.want {
			t.Errorf("glyphDateDigits(%q) = %q, %v; want %q", c.s, got, ok, c.want)
		}
	}
	doc := Extract([]*Page{page(
		line(40, "Kam", "Po", "Household", "Products", "Ltd."),
		line(100, "No:", "INV/2025/1138"),
		line(140, "Date:", "20254712528"),
	)})
	if doc.Header.Date != "2025-12-02" || doc.Header.Confidence["date"] > 0.5 {
		t.Errorf("header date %q conf %.2f, want 2025-12-02 at a low confidence", doc.Header.Date, doc.Header.Confidence["date"])
	}
}

// TestDocNumberGlyphs: a number's initial E read as £, a year-serial
// number's dash read as a point (the date's year confirms it), and a
// prefix/year/serial number with a misread label and a prefix read with
// a dollar sign.
func TestDocNumberGlyphs(t *testing.T) {
	for _, c := range []struct{ n, typ, date, want string }{
		{"£031012", "PO", "2024-06-03", "E031012"},
		{"£31.50", "PO", "", "£31.50"},
		{"z085734", "PO", "", "Z085734"},
		{"z0857", "PO", "", "z0857"},
		{"23.96257", "PO", "2023-02-24", "23-96257"},
		{"23.96257", "PO", "2024-02-24", "23.96257"}, // another year: unconfirmed
		{"23,962", "PO", "2023-02-24", "23,962"},     // too short a serial
		// No date read: the prefix with a letter spells the type's, the
		// digits a date.
		{"1N230720-11", "RC", "", "IN230720-11"},
		{"1N230720-11", "PO", "", "1N230720-11"},
		{"1N231320-11", "RC", "", "1N231320-11"}, // month 13: no date
		{"12230720-11", "RC", "", "12230720-11"}, // digits only
	} {
		if got := checkedDocNumber(c.n, c.typ, c.date); got != c.want {
			t.Errorf("checkedDocNumber(%q, %q, %q) = %q, want %q", c.n, c.typ, c.date, got, c.want)
		}
	}
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"MM:", "$1/2023/7417"}, "SI/2023/7417"},
		{[]string{"‘SERGE:", "039255", "3"}, "039255"}, // a stray digit after it
		{[]string{"ee:", "2558", "9021"}, ""},          // a number in groups
	} {
		got, ok := shapedDocNumber([]*row{{words: line(10, c.words...)}})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("shapedDocNumber(%q) = %q, %v; want %q", c.words, got, ok, c.want)
		}
	}
	doc := Extract([]*Page{page(
		line(40, "金寶日用品有限公司"),
		line(80, "MM:", "$1/2023/7417"),
		line(120, "日期:", "2023年02月03日"),
	)})
	if doc.Header.DocNumber != "SI/2023/7417" {
		t.Errorf("header number %q, want SI/2023/7417", doc.Header.DocNumber)
	}
}

// TestGlyphInitialDigitLike: a small letter that OCR reads for a digit
// (l and i for 1, o for 0, b for 6, g and q for 9) before a number's digits is not
// made a capital: "l234567" is as likely 1234567 as L234567, and a
// capital L would look read as printed. A number whose initial was
// guessed (£ for E, a small letter for its capital: nothing else confirms
// it) keeps a confidence under 0.5.
func TestGlyphInitialDigitLike(t *testing.T) {
	for _, n := range []string{"l234567", "i234567", "o123456", "b123456", "g123456", "q123456"} {
		if got := checkedDocNumber(n, "RC", ""); got != n {
			t.Errorf("checkedDocNumber(%q) = %q, want it left as read", n, got)
		}
	}
	for _, c := range []struct{ n, want string }{{"z085734", "Z085734"}, {"£031012", "E031012"}, {"l234567", "l234567"}} {
		doc := Extract([]*Page{page(
			line(40, "Kam", "Po", "Household", "Products", "Ltd."),
			line(100, "Invoice", "No:", c.n),
			line(140, "Date:", "12/03/2024"),
		)})
		if doc.Header.DocNumber != c.want {
			t.Errorf("%q: header number %q, want %q", c.n, doc.Header.DocNumber, c.want)
		}
		if conf := doc.Header.Confidence["doc_number"]; c.n != c.want && conf >= 0.5 {
			t.Errorf("%q read as %q at confidence %.2f, want under 0.5 (the initial is a guess)", c.n, doc.Header.DocNumber, conf)
		}
	}
}
