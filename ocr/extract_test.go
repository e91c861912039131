package ocr

import (
	"image"
	"strings"
	"testing"
)

// line lays out words left to right on one row at height y, each with
// confidence 90; a word "@85:text" gets confidence 85.
func line(y int, texts ...string) []Word {
	var ws []Word
	x := 20
	for _, t := range texts {
		conf := 90.0
		if strings.HasPrefix(t, "@") {
			i := strings.IndexByte(t, ':')
			c := 0
			for _, d := range t[1:i] {
				c = c*10 + int(d-'0')
			}
			conf, t = float64(c), t[i+1:]
		}
		w := 14 * len([]rune(t))
		ws = append(ws, Word{Text: t, Box: image.Rect(x, y, x+w, y+22), Conf: conf})
		x += w + 18
	}
	return ws
}

func page(rows ...[]Word) *Page {
	p := &Page{Width: 1654, Height: 2339}
	for _, r := range rows {
		p.Words = append(p.Words, r...)
	}
	return p
}

func TestExtractTable(t *testing.T) {
	p := page(
		line(40, "永昌", "貿易", "有", "限", "公司"),
		line(80, "Wing", "Cheong", "Trading", "Co.,", "Ltd."),
		line(120, "訂單", "編號", "PO", "No.:", "PO/2023/4589", "日", "期", "Date:", "2023", "年", "3", "月", "16", "日"),
		line(200, "項目", "貨號", "品名", "數量", "單價", "金額"),
		line(240, "No.", "SKU", "Description", "Qty", "Unit", "Price", "Amount"),
		line(280, "1", "507953", "金", "象", "泰國", "香米", "Jasmine", "Rice", "1", "68.50", "68.50"),
		// "$" read for "5" in the amount: arithmetic confirms the repair.
		line(320, "2", "976714", "蠔油", "Oyster", "Sauce", "3", "18.50", "$5.50"),
		// The amount disagrees with qty × price; the subtotal leaves
		// 14.00 for it, qty × price: repaired by the sum.
		line(360, "3", "840779", "原子筆", "Pen", "2", "7.00", "15.00"),
		line(400, "4", "S18353", "牛肉麵", "Noodle", "200", "6.70", "1,340.00"),
		// The code is unreadable but the numbers reconcile: kept, flagged.
		line(430, "Hl2_", "Fisi-s", "文件夾", "Folder", "1", "4.00", "4.00"),
		line(460, "小", "計", "Subtotal", "1,482.00"),
		line(500, "折扣", "Discount", "-29.64"),
		line(540, "總", "計", "TOTAL", "HK$", "1,452.36"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.DocNumber != "PO/2023/4589" || doc.Header.Date != "2023-03-16" || doc.Header.Total != "1452.36" {
		t.Errorf("header = %+v", doc.Header)
	}
	if doc.Header.SupplierZH != "永昌貿易有限公司" || !strings.Contains(doc.Header.SupplierEN, "Wing Cheong") {
		t.Errorf("supplier = %q / %q", doc.Header.SupplierZH, doc.Header.SupplierEN)
	}
	if len(doc.Lines) != 5 {
		t.Fatalf("got %d lines: %+v", len(doc.Lines), doc.Lines)
	}
	l := doc.Lines[0]
	if l.SKU != "507953" || l.Qty != 1 || l.UnitPrice != "68.50" || l.Amount != "68.50" || l.NeedsReview {
		t.Errorf("line 1 = %+v", l)
	}
	if !strings.HasPrefix(l.Description, "金象泰國香米") {
		t.Errorf("description = %q", l.Description)
	}
	if l := doc.Lines[1]; l.Amount != "55.50" || l.Qty != 3 || l.NeedsReview {
		t.Errorf("repaired line 2 = %+v", l)
	}
	if l := doc.Lines[2]; l.NeedsReview || l.Amount != "14.00" || !strings.Contains(strings.Join(l.Problems, ";"), "amount repaired") {
		t.Errorf("line 3 should be repaired by the sum: %+v", l)
	}
	if l := doc.Lines[3]; l.SKU != "518353" || !l.NeedsReview {
		t.Errorf("letter in a digit SKU is unconfirmed, line 4 = %+v", l)
	}
	if l := doc.Lines[4]; l.SKU != "" || l.Barcode != "" || !l.NeedsReview || l.Amount != "4.00" || !strings.HasSuffix(l.Description, "文件夾 Folder") {
		t.Errorf("codeless line 5 = %+v", l)
	}
	if !doc.NeedsReview {
		t.Error("document with lines needing review must need review")
	}
}

func TestExtractThermal(t *testing.T) {
	p := page(
		line(40, "恒豐", "食品", "有限公司"),
		line(80, "送貨單", "DELIVERY", "NOTE"),
		line(120, "No:", "DN240720-80"),
		line(160, "Date:", "20/07/2024"),
		line(220, "豆腐花", "粉", "Tofu", "Pudding", "Powder"),
		line(260, "9586183567055", "3", "x", "18.50", "55.50"),
		line(300, "漂白水", "2公升", "Bleach", "2L"),
		// One letter in the barcode; the check digit confirms the repair.
		line(340, "88O5381535613", "2", "x", "21.50", "43.00"),
		line(400, "小計", "Subtotal", "98.50"),
		line(440, "總計", "TOTAL", "MOP$", "98.50"),
	)
	doc := Extract([]*Page{p})
	if doc.Header.DocNumber != "DN240720-80" || doc.Header.Date != "2024-07-20" || doc.Header.Total != "98.50" {
		t.Errorf("header = %+v", doc.Header)
	}
	if doc.Header.DocType != "DN" || doc.Header.Currency != "MOP" {
		t.Errorf("type/currency = %q %q", doc.Header.DocType, doc.Header.Currency)
	}
	if len(doc.Lines) != 2 {
		t.Fatalf("got %d lines: %+v", len(doc.Lines), doc.Lines)
	}
	if l := doc.Lines[0]; l.Barcode != "9586183567055" || l.Qty != 3 || l.UnitPrice != "18.50" || l.NeedsReview || !strings.Contains(l.Description, "Tofu") {
		t.Errorf("line 1 = %+v", l)
	}
	if l := doc.Lines[1]; l.Barcode != "8805381535613" || l.NeedsReview || l.Confidence > 0.95 {
		t.Errorf("line 2 = %+v", l)
	}
	if doc.NeedsReview {
		t.Errorf("consistent document flagged: %v", doc.Warnings)
	}
}

func TestExtractTotalsMismatch(t *testing.T) {
	p := page(
		line(200, "條碼", "Barcode", "品名", "Description", "數量", "Qty", "單價", "Price", "金額", "Amount"),
		line(240, "4896214691884", "檸檬茶", "Lemon", "Tea", "盒", "23", "3.00", "69.00"),
		line(300, "總計", "TOTAL", "HK$", "80.00"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 1 || doc.Lines[0].Unit != "盒" || doc.Lines[0].NeedsReview {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	if !doc.NeedsReview || len(doc.Warnings) == 0 {
		t.Errorf("a line sum that misses the total must be flagged: %+v", doc)
	}
}

func TestParseDate(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Date: 26-12-2024", "2024-12-26"},
		{"日期 Date: 2023年3月16日", "2023-03-16"},
		{"日 期 Date: 2023 年 10 月 6 日", "2023-10-06"},
		{"Date: 20/07/2024", "2024-07-20"},
		{"2023-10-06", "2023-10-06"},
		{"2024/02/29", "2024-02-29"},
		{"05/03/2023", "2023-03-05"},
		{"12/25/2024", "2024-12-25"},
		{"DN/2024/3073", ""},
		{"31/02/2024", ""},
		{"DN-2310304 AW) Date: 05/03/2023 3", "2023-03-05"},
	}
	for _, c := range cases {
		got, _, ok := ParseDate(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]int64{"1,254.00": 125400, "68.50": 6850, "-438.47": -43847, "HK$21,485.13": 2148513, "7,50": 750} {
		if got, ok := parseMoney(in); !ok || got != want {
			t.Errorf("parseMoney(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"12.5", "1,25.00", "abc", "12"} {
		if _, ok := parseMoney(in); ok {
			t.Errorf("parseMoney(%q) accepted", in)
		}
	}
	for in, want := range map[string]int64{"12": 12, "1,200": 1200} {
		if got, ok := parseQty(in); !ok || got != want {
			t.Errorf("parseQty(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"17,00", "1,2", ",100", "12.5"} {
		if v, ok := parseQty(in); ok {
			t.Errorf("parseQty(%q) = %d, want no quantity", in, v)
		}
	}
	if formatCents(125400) != "1254.00" || formatCents(-5) != "-0.05" || formatCents(7) != "0.07" {
		t.Error("formatCents")
	}
	has := func(cs []candidate, v int64) bool {
		for _, c := range cs {
			if c.v == v && c.cost > 0 {
				return true
			}
		}
		return false
	}
	if !has(moneyCandidates("7,50"), 750) || !has(moneyCandidates("1.254.00"), 125400) || !has(moneyCandidates("1O4.00"), 10400) || !has(moneyCandidates("125400"), 125400) {
		t.Error("moneyCandidates misses a repair")
	}
}

func TestSolveNeedsConfirmation(t *testing.T) {
	if s, ok := solve("12", "7,50", "90.00"); !ok || s.price != 750 || s.cost == 0 {
		t.Errorf("solve comma = %+v %v", s, ok)
	}
	if _, ok := solve("12", "7.50", "91.00"); ok {
		t.Error("solve accepted inconsistent numbers")
	}
	// A repair that the arithmetic does not confirm is not made.
	if _, ok := solve("1O", "7.50", "80.00"); ok {
		t.Error("unconfirmed repair accepted")
	}
}

func TestReadID(t *testing.T) {
	cases := []struct {
		in, want     string
		ean, repaird bool
		ok           bool
	}{
		{"4896214691884", "4896214691884", true, false, true},
		{"48962l4691884", "4896214691884", true, true, true},
		{"48962l4691885", "", false, false, false},
		{"507953", "507953", false, false, true},
		{"WC-10607", "WC-10607", false, false, true},
		{"WC-1O607", "WC-10607", false, true, true},
		{"Rice", "", false, false, false},
		{"12", "", false, false, false},
	}
	for _, c := range cases {
		id, ok := readID(c.in)
		if ok != c.ok || (ok && (id.text != c.want || id.ean != c.ean || id.repaired != c.repaird)) {
			t.Errorf("readID(%q) = %+v, %v", c.in, id, ok)
		}
	}
	if !validEAN13("9586183567055") || validEAN13("9586183567056") {
		t.Error("validEAN13")
	}
}

func TestDocNumber(t *testing.T) {
	for in, want := range map[string]string{"PO/2023/4589": "PO/2023/4589", "P0231006-32": "PO231006-32", "DN-231O304": "DN-2310304", "INV/2024/1478": "INV/2024/1478", "Date": ""} {
		if got, _ := readDocNumber(in); got != want {
			t.Errorf("readDocNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLabelledDate(t *testing.T) {
	if got, ok := parseLabelledDate("Date: 20234F 10 23A"); !ok || got != "2023-10-23" {
		t.Errorf("got %q %v", got, ok)
	}
	if _, ok := parseLabelledDate("Tel: 2345 6789"); ok {
		t.Error("no label, no date")
	}
}

func TestExtractDiscountColumn(t *testing.T) {
	p := page(
		line(200, "貨號", "SKU", "品名", "數量", "Qty", "單價", "Price", "折扣", "Disc", "金額", "Amount"),
		line(240, "507953", "香米", "Rice", "10", "68.50", "5%", "650.75"),
		line(280, "976714", "蠔油", "Sauce", "3", "19.00", "0", "57.00"),
		line(320, "总计", "TOTAL", "707.75"),
	)
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc.Lines)
	}
	if l := doc.Lines[0]; l.Qty != 10 || l.UnitPrice != "68.50" || l.DiscountPct != "5" || l.Amount != "650.75" || l.NeedsReview {
		t.Errorf("discounted line = %+v", l)
	}
	if l := doc.Lines[1]; l.DiscountPct != "0" || l.Amount != "57.00" || l.NeedsReview {
		t.Errorf("undiscounted line = %+v", l)
	}
}

// TestRepairLineBySum: one line whose qty × price is not its amount is
// repaired only when the document's sum leaves qty × price for it and the
// amount as read is that amount with one character misread; otherwise it
// stays flagged, as read.
func TestRepairLineBySum(t *testing.T) {
	mk := func(amount3, subtotal string) *Document {
		return Extract([]*Page{page(
			line(40, "Wing", "Cheong", "Trading", "Co.,", "Ltd."),
			line(200, "SKU", "Description", "Qty", "Unit", "Price", "Amount"),
			line(280, "507953", "Jasmine", "Rice", "1", "68.50", "68.50"),
			line(320, "976714", "Oyster", "Sauce", "3", "18.50", "55.50"),
			line(360, "840779", "Baby", "Bottle", "Wash", "24", "35.90", amount3),
			line(400, "518353", "Noodle", "200", "6.70", "1,340.00"),
			line(460, "Subtotal", subtotal),
			line(540, "TOTAL", "HK$", subtotal),
		)})
	}
	// 24 × 35.90 = 861.60, read 961.60; 68.50 + 55.50 + 861.60 + 1340 = 2325.60.
	doc := mk("961.60", "2,325.60")
	if l := doc.Lines[2]; l.Amount != "861.60" || l.NeedsReview {
		t.Errorf("one digit off, the sum confirms: %+v", l)
	}
	if doc.NeedsReview {
		t.Errorf("repaired document reconciles: %+v", doc.Warnings)
	}
	// The sum does not leave 861.60: flagged, as read.
	doc = mk("961.60", "2,425.60")
	if l := doc.Lines[2]; l.Amount != "961.60" || !l.NeedsReview {
		t.Errorf("sum leaves 961.60 (the amount as read): %+v", l)
	}
	// Two characters off: not an OCR slip the rule repairs.
	doc = mk("967.60", "2,325.60")
	if l := doc.Lines[2]; l.Amount != "967.60" || !l.NeedsReview {
		t.Errorf("two characters off: %+v", l)
	}
}

// TestSummaryTotalUnlabelled: the total's label unread (合計 read "met
// Ge"): the amount under the subtotal (the lines' sum) and a discount,
// equal to subtotal − discount, is the total; without an adjustment
// between, or when the sum disagrees, it is not.
func TestSummaryTotalUnlabelled(t *testing.T) {
	mk := func(sub, disc, tot string) *Document {
		return Extract([]*Page{page(
			line(40, "Wing", "Cheong", "Trading", "Co.,", "Ltd."),
			line(200, "SKU", "Description", "Qty", "Unit", "Price", "Amount"),
			line(280, "507953", "Jasmine", "Rice", "1", "68.50", "68.50"),
			line(320, "976714", "Oyster", "Sauce", "3", "18.50", "55.50"),
			line(460, "貨品總值", sub),
			line(500, "優惠", disc),
			line(540, "met", "Ge", tot),
		)})
	}
	if d := mk("124.00", "(4.00)", "120.00"); d.Header.Total != "120.00" || d.Header.Confidence["total"] < 0.9 {
		t.Errorf("total %q conf %v", d.Header.Total, d.Header.Confidence)
	}
	if d := mk("124.00", "4.00", "120.00"); d.Header.Total != "120.00" {
		t.Errorf("unsigned discount: total %q", d.Header.Total)
	}
	if d := mk("125.00", "(4.00)", "121.00"); d.Header.Total == "121.00" && d.Header.Confidence["total"] >= 0.9 {
		t.Errorf("subtotal is not the lines' sum, yet total confirmed: %q", d.Header.Total)
	}
}
