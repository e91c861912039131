package ocr

import "testing"

// TestDateFormsNotMisfired: the forms read with misread separators
// ("12,03,2018"), a two-digit year glued to the time ("12/03/1814:25")
// and the groups apart after a Date label ("Date 12 03 2018") do not
// fire on the numbers a receipt's header and summary print: telephone
// and fax numbers, registration and invoice numbers, quantities,
// amounts with thousands separators or decimal commas, times.
func TestDateFormsNotMisfired(t *testing.T) {
	for _, in := range []string{
		"Tel: 2512 0318",
		"Tel: 2512-0318 Fax: 2512-0319",
		"電話: 2512 0318 傳真: 2512 0319",
		"GST Reg No 12 03 2018 0",
		"GST Reg No: 001203201800",
		"Co. Reg. No. 1203201-8",
		"Qty 12 03 2018",
		"Invoice No. 12032018",
		"單號: 12 03 2018",
		"Total 1,203.20",
		"Total 12.03",
		"Amount 12,03 2018",
		"12.03 20.18 2018.00",
		"Cash 1.203,20 Change 20,18",
		"Time 14:25:18",
		"14:25:20 18",
		"Points 12.03 / 2018.50",
		"Table 12 Pax 03 2018",
		"數量 12 03 2018",
		"RM12.03,2018.00",
	} {
		if iso, txt, ok := ParseDate(in); ok {
			t.Errorf("%q: read %s (%q), want no date", in, iso, txt)
		}
		if d, ok := labelledDateCompact(in); ok && plausibleDate(d.iso) {
			t.Errorf("%q: labelled date %s, want none", in, d.iso)
		}
	}
	// A receipt's header with those numbers round the date: the date.
	p := receiptPage(line(20, "大快活餐廳"), line(50, "Tel:", "2512", "0318"), line(80, "GST", "Reg", "No", "12", "03", "2018", "0"),
		line(110, "Qty", "12", "03", "2018"), line(140, "Date:", "25,04,2018", "14:25"), right(300, "Total", "1,203.20"))
	if h := Extract([]*Page{p}).Header; h.Date != "2018-04-25" {
		t.Errorf("header: date %q, want 2018-04-25", h.Date)
	}
	p = receiptPage(line(20, "SHOP"), line(50, "電話:", "2512", "0318"), line(80, "單號:", "12", "03", "2018"),
		line(110, "日期", "25", "04", "2018"), right(300, "合計", "1,203.20"))
	if h := Extract([]*Page{p}).Header; h.Date != "2018-04-25" || h.Total != "1203.20" {
		t.Errorf("zh-Hant header: date %q total %q, want 2018-04-25, 1203.20", h.Date, h.Total)
	}
}
