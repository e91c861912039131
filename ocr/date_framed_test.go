package ocr

import "testing"

// TestFramedDate: a date whose month was read with a letter inside its
// 年 月 日 frame, and a labelled date whose first or second separator
// was read as 7 or 1 while the other was read.
func TestFramedDate(t *testing.T) {
	for _, c := range []struct{ s, want string }{
		{"日 期 Date 2025 年 0O8 月 15 日", "2025-08-15"},
		{"日期 2024 年 l2 月 O3 日", "2024-12-03"},
		{"日 期 :05710/2024", "2024-10-05"},
		{"Date: 05/1072024", "2024-10-05"},
		{"Date: 2024/03117", "2024-03-17"},
		{"Date 2024703-17", "2024-03-17"},
		{"日期 2025 年 0X8 月 15 日", ""}, // a letter that is no digit
		{"Ref: 05710/2024", ""},      // no date label
		{"Date: 0571012024", ""},     // neither separator read
		{"Date: 05710-2024x", "2024-10-05"},
	} {
		d, ok := framedDate(c.s)
		if got := d.iso; !ok && c.want != "" || ok && got != c.want {
			t.Errorf("framedDate(%q) = %q, %v; want %q", c.s, got, ok, c.want)
		}
	}
	// Through the header: the date under its label is read.
	doc := Extract([]*Page{page(
		line(40, "Wing", "Cheong", "Trading", "Co.,", "Ltd."),
		line(100, "日", "期", ":05710/2024"),
	)})
	if doc.Header.Date != "2024-10-05" {
		t.Errorf("header date %q, want 2024-10-05", doc.Header.Date)
	}
}
