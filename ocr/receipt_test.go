package ocr

import (
	"image"
	"testing"
)

// right places the last word so that it ends at x=560 (the amount column).
func right(y int, texts ...string) []Word {
	ws := line(y, texts[:len(texts)-1]...)
	last := texts[len(texts)-1]
	w := 12 * len([]rune(last))
	return append(ws, Word{Text: last, Box: image.Rect(560-w, y, 560, y+20), Conf: 90})
}

func receiptPage(rows ...[]Word) *Page {
	p := &Page{Width: 600, Height: 1200}
	for _, r := range rows {
		p.Words = append(p.Words, r...)
	}
	return p
}

func TestExtractReceipt(t *testing.T) {
	p := receiptPage(
		line(20, "LUNA", "GRILL"),
		line(50, "Oxnard,", "CA", "93030"),
		line(80, "Tel", "805-555-0182"),
		line(110, "3/7/2017", "12:01", "PM"),
		right(160, "1", "Greek", "Salad", "8.99"),
		right(190, "House", "Dressing", "0.00"),
		// A two-line item: the description above, the numbers below.
		line(220, "Spicy", "Cilantro", "Hummus"),
		right(250, "2", "x", "2.50", "5.00"),
		// Weighed goods with a unit and a decimal comma.
		right(280, "Tomatoes", "1kg", "€2,40"),
		right(320, "Subtotal", "16.39"),
		right(350, "Tax", "1.31"),
		right(380, "TOTAL", "$17.70"),
		right(410, "Cash", "20.00"),
		right(440, "Change", "2.30"),
	)
	doc := Extract([]*Page{p})
	want := []struct {
		desc, amount string
		qty          int64
	}{{"Greek Salad", "8.99", 1}, {"House Dressing", "0.00", 1}, {"Spicy Cilantro Hummus", "5.00", 2}, {"Tomatoes", "2.40", 1}}
	if len(doc.Lines) != len(want) {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	for i, w := range want {
		l := doc.Lines[i]
		if l.Description != w.desc || l.Amount != w.amount || l.Qty != w.qty {
			t.Errorf("line %d = %q %s qty %d, want %q %s qty %d", i, l.Description, l.Amount, l.Qty, w.desc, w.amount, w.qty)
		}
		if l.NeedsReview {
			t.Errorf("line %d flagged although the lines add up to the subtotal: %v", i, l.Problems)
		}
	}
	if doc.Lines[2].UnitPrice != "2.50" {
		t.Errorf("unit price = %q", doc.Lines[2].UnitPrice)
	}
	if doc.Lines[3].Unit != "kg" {
		t.Errorf("unit = %q", doc.Lines[3].Unit)
	}
	h := doc.Header
	if h.Total != "17.70" || h.Subtotal != "16.39" || h.Supplier != "LUNA GRILL" {
		t.Errorf("header = %+v", h)
	}
	if h.Date != "2017-07-03" || !h.DateAmbiguous {
		t.Errorf("date %q ambiguous %v: want day first, flagged", h.Date, h.DateAmbiguous)
	}
	if doc.NeedsReview {
		t.Errorf("reconciled receipt needs review: %v", doc.Warnings)
	}
}

// A line that fails its check is returned, flagged, and the document is
// not done.
func TestExtractReceiptFlagsNotHides(t *testing.T) {
	p := receiptPage(
		line(20, "Corner", "Store"),
		right(100, "Apples", "3", "1.20", "3.50"),
		right(130, "Bread", "2.10"),
		right(170, "Grand", "Total", "5.70"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	if !doc.Lines[0].NeedsReview || doc.Lines[0].Qty != 3 || doc.Lines[0].UnitPrice != "1.20" {
		t.Errorf("3 × 1.20 ≠ 3.50 must be kept and flagged: %+v", doc.Lines[0])
	}
	if !doc.NeedsReview {
		t.Error("document with a failing line is done")
	}
	if doc.Header.Total != "5.70" {
		t.Errorf("total = %q", doc.Header.Total)
	}
}

func TestTotalLabels(t *testing.T) {
	p := receiptPage(
		line(20, "大", "昌", "行"),
		right(100, "Milk", "12.00"),
		right(130, "Eggs", "8.00"),
		right(170, "小計", "20.00"),
		right(200, "Total", "Savings", "3.00"),
		right(230, "合計", "HK$20.00"),
		right(260, "現金", "50.00"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Total != "20.00" || len(doc.Lines) != 2 || doc.NeedsReview {
		t.Errorf("total %q lines %d review %v %v", doc.Header.Total, len(doc.Lines), doc.NeedsReview, doc.Warnings)
	}
}

func TestParseMoneyLocales(t *testing.T) {
	for s, want := range map[string]int64{
		"1,254.00": 125400, "1.254,00": 125400, "€ 2.321,00": 232100, "€2.321,00": 232100, "12,50": 1250,
		"HK$12.50": 1250, "MOP$1,000.00": 100000, "RM9.90": 990, "£17.50": 1750, "¥3,280.00": 328000, "$5.64": 564,
		"(12.50)": -1250, "12.50-": -1250, "-12.50": -1250, "2.50€": 250,
	} {
		if got, ok := parseMoney(s); !ok || got != want {
			t.Errorf("parseMoney(%q) = %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"12.5", "1,25.00", "760-895-6948", "6:15:42", "1/3/2016", "12,5000", "abc"} {
		if v, ok := parseMoney(s); ok {
			t.Errorf("parseMoney(%q) = %d, want no amount", s, v)
		}
	}
}

func TestDateForms(t *testing.T) {
	for s, want := range map[string]struct {
		iso       string
		ambiguous bool
	}{
		"05/03/2024":        {"2024-03-05", true},
		"2024-03-05":        {"2024-03-05", false},
		"2024年3月5日":         {"2024-03-05", false},
		"05-MAR-24":         {"2024-03-05", false},
		"Mar 5, 2024":       {"2024-03-05", false},
		"Date: 19 APR 2018": {"2018-04-19", false},
		"02Feb'15":          {"2015-02-02", false},
		"Feb11.2012":        {"2012-02-11", false},
		"08/30/2012":        {"2012-08-30", false},
		"25/04/18 10:21":    {"2018-04-25", false},
		"05/05/2024":        {"2024-05-05", false},
	} {
		d, ok := findDate(s, true)
		if !ok || d.iso != want.iso || d.ambiguous != want.ambiguous {
			t.Errorf("findDate(%q) = %+v %v, want %+v", s, d, ok, want)
		}
	}
	if d, _ := findDate("05/03/2024", false); d.iso != "2024-05-03" {
		t.Errorf("month first: %+v", d)
	}
	if _, ok := findDate("Tel 2345-6789 total 12.50", true); ok {
		t.Error("no date in a telephone number")
	}
}

// A pound sign read as a 6 ("£2.00" → "62.00") is repaired only because the
// total confirms it.
func TestReceiptRepairConfirmedBySum(t *testing.T) {
	rows := func(total string) *Page {
		return receiptPage(
			line(20, "The", "Real", "Greek"),
			right(100, "1", "Petit", "Papillon", "Rose", "£17.50"),
			right(130, "1", "Flat", "Bread", "62.00"),
			right(160, "1", "Rice", "£2.95"),
			right(200, "TOTAL", total),
		)
	}
	doc := Extract([]*Page{rows("£22.45")})
	if doc.Lines[1].Amount != "2.00" || doc.NeedsReview {
		t.Errorf("confirmed repair: %+v, review %v", doc.Lines[1], doc.NeedsReview)
	}
	doc = Extract([]*Page{rows("£30.00")})
	if doc.Lines[1].Amount != "62.00" || !doc.Lines[1].NeedsReview {
		t.Errorf("unconfirmed repair applied or line not flagged: %+v", doc.Lines[1])
	}
}

func TestLetterhead(t *testing.T) {
	noisy := []Word{{Text: "oso", Box: image.Rect(20, 10, 80, 70), Conf: 50}, {Text: "257", Box: image.Rect(90, 10, 150, 50), Conf: 62}}
	p := receiptPage(
		noisy,
		line(80, "@35:GARDENIA", "@40:BAKERIES", "@45:(KL)", "@49:SDN", "@30:BHD"),
		line(110, "Lot", "3,", "Jalan", "Pelabur", "23/1"),
		line(140, "Date:02/08/201", "6", "15:59"),
		right(200, "Bread", "2.40"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Supplier != "GARDENIA BAKERIES KL SDN BHD" {
		t.Errorf("supplier %q", doc.Header.Supplier)
	}
	if doc.Header.Date != "2016-08-02" || !doc.Header.DateAmbiguous {
		t.Errorf("date %q (ambiguous %v): a space inside the year after the label", doc.Header.Date, doc.Header.DateAmbiguous)
	}
	p = receiptPage(
		line(20, "@20:even", "@18:of"),
		line(50, "The", "Real", "Greek", "Hoxton"),
		line(80, "Tel", "0207", "739", "8212"),
	)
	if s := Extract([]*Page{p}).Header.Supplier; s != "The Real Greek Hoxton" {
		t.Errorf("supplier %q: a logo read as noise is not the name", s)
	}
}

// One code-like word on a receipt is no item table: the receipt's lines
// are still found from the amounts.
func TestStrayCodeIsNoTable(t *testing.T) {
	p := receiptPage(
		line(20, "PJ'S", "PET", "EXPRESS"),
		right(100, "Dog", "Food", "Adult", "49.99"),
		line(130, "ITEM", "CODE", "PG50014", "4", "9.99"),
		right(160, "Cat", "Litter", "10.01"),
		right(200, "TOTAL", "60.00"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 || doc.Lines[0].Amount != "49.99" || doc.Lines[1].Amount != "10.01" || doc.Header.Total != "60.00" {
		t.Errorf("lines %+v total %q", doc.Lines, doc.Header.Total)
	}
}

func TestLabelledDocNumber(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  string
	}{
		{[]string{"Invoice", "No.:", "2473532"}, "2473532"},
		{[]string{"Cash", "Inv", "No.:", "7724F717"}, "7724F717"},
		{[]string{"發票號碼", "AB-20240305-17"}, "AB-20240305-17"},
		{[]string{"Check", "#:", "57767-8018"}, "57767-8018"},
		{[]string{"Order", "No:", "SO/24/0917"}, "SO/24/0917"},
		{[]string{"Table", "No.", "13"}, ""},
		{[]string{"Tel", "2345", "6789"}, ""},
	} {
		r := &row{words: line(10, c.words...)}
		got, _ := labelledDocNumber(r)
		if got != c.want {
			t.Errorf("%q: got %q, want %q", c.words, got, c.want)
		}
	}
}

func TestTotalLabelMisread(t *testing.T) {
	p := receiptPage(
		line(20, "Windmill", "Family"),
		right(100, "Soft", "Drink", "2.09"),
		right(130, "Crab", "Cake", "8.75"),
		right(170, "Tota)", "10.84"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.Total != "10.84" || doc.NeedsReview {
		t.Errorf("total %q, review %v", doc.Header.Total, doc.NeedsReview)
	}
}

// A simplified-Chinese receipt: its summary words end the items and name
// the total.
func TestReceiptSimplifiedChinese(t *testing.T) {
	p := receiptPage(
		line(20, "永辉", "超市"),
		right(100, "鸡蛋", "2", "x", "6.50", "13.00"),
		right(130, "牛奶", "8.00"),
		right(170, "小计", "21.00"),
		right(200, "合计", "¥21.00"),
		right(230, "现金", "50.00"),
		right(260, "找零", "29.00"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 || doc.Header.Total != "21.00" || doc.NeedsReview || doc.Lines[0].Qty != 2 {
		t.Errorf("lines %+v total %q review %v %v", doc.Lines, doc.Header.Total, doc.NeedsReview, doc.Warnings)
	}
}

// A table whose codes are misread on most rows, a unit in a column of its
// own, a row number before the description, a discount under the goods
// total and the total under another label: the amounts' column finds the
// rows, the discount and the labelled total are checked against the lines.
func TestReceiptGridUnitsDiscount(t *testing.T) {
	p := receiptPage(
		line(20, "Syarikat", "Maju", "Sdn", "Bhd"),
		line(50, "Invoice", "No.:", "RC/2026/2820"),
		line(80, "Date", "Oct", "13,", "2026"),
		right(130, "1", "SKU-000359", "Miso", "Ramen", "8", "包", "11.81", "94.48"),
		right(160, "2", "|sxv-ooorsr", "Milk", "Candy", "24", "罐", "23.20", "556.80"),
		right(190, "3", "sxv-oo0as9", "Formula", "4", "罐", "252.40", "1,009.60"),
		right(220, "4", "[sxv-ooozes", "Noodles", "144", "包", "2.70", "388,80"),
		right(260, "Goods", "Total", "2,049.68"),
		right(290, "Discount", "(49.68)"),
		right(320, "Balance", "Due", "MOPS$2,000.00"),
		line(360, "Received", "by"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 4 {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	want := []struct {
		qty          int64
		unit, amount string
	}{{8, "包", "94.48"}, {24, "罐", "556.80"}, {4, "罐", "1009.60"}, {144, "包", "388.80"}}
	for i, w := range want {
		l := doc.Lines[i]
		if l.Qty != w.qty || l.Unit != w.unit || l.Amount != w.amount || l.NeedsReview {
			t.Errorf("line %d = %+v, want qty %d unit %s amount %s unflagged", i, l, w.qty, w.unit, w.amount)
		}
	}
	if doc.Header.Total != "2000.00" || doc.Header.Confidence["total"] < 0.9 {
		t.Errorf("total %q (confidence %.2f), want 2000.00 confirmed", doc.Header.Total, doc.Header.Confidence["total"])
	}
}

// A last row whose amount is the sum of the items above, under a label
// misread beyond recognition, is their subtotal, not an item.
func TestReceiptSubtotalByArithmetic(t *testing.T) {
	p := receiptPage(
		right(100, "Apples", "3.00"),
		right(130, "Pears", "4.50"),
		right(160, "Plums", "2.50"),
		right(200, "貨品總什", "10.00"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 3 {
		t.Errorf("lines = %+v", doc.Lines)
	}
}

func TestImplausibleDateYear(t *testing.T) {
	p := receiptPage(
		line(20, "Date:", "06/03/2078"),
		right(100, "Apples", "3.00"),
		line(400, "Printed", "06/03/2018", "10:02"),
	)
	h := Extract([]*Page{p}).Header
	if h.Date != "2018-03-06" {
		t.Errorf("date %q, want the plausible 2018-03-06", h.Date)
	}
	p = receiptPage(line(20, "Date:", "06/03/2078"), right(100, "Apples", "3.00"))
	doc := Extract([]*Page{p})
	if h = doc.Header; h.Date != "" || h.DatePrinted != "06/03/2078" || !doc.NeedsReview || len(doc.Warnings) == 0 {
		t.Errorf("date %q printed %q review %v warnings %q: an implausible date alone is left empty, its text kept, for review",
			h.Date, h.DatePrinted, doc.NeedsReview, doc.Warnings)
	}
}
