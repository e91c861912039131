package ocr

import (
	"image"
	"strings"
	"testing"
)

// line lays out words on one text line at y (height 20): each word is
// "text@x", its box starting at x, 12 pixels per character (CJK 20).
func tline(y int, spec ...string) []Word {
	var ws []Word
	for _, s := range spec {
		i := strings.LastIndex(s, "@")
		text := s[:i]
		x := 0
		for _, c := range s[i+1:] {
			x = x*10 + int(c-'0')
		}
		w := 0
		for _, r := range text {
			if isCJK(r) {
				w += 20
			} else {
				w += 12
			}
		}
		ws = append(ws, Word{Text: text, Box: image.Rect(x, y, x+w, y+20), Conf: 95})
	}
	return ws
}

func tpage(lines ...[]Word) *Page {
	p := &Page{Width: 1600, Height: 2200}
	for _, l := range lines {
		p.Words = append(p.Words, l...)
	}
	return p
}

func TestTitleKind(t *testing.T) {
	for s, want := range map[string]colKind{
		"數量": colQty, "Qty": colQty, "QUANTITY": colQty, "Oty": colQty, "单价": colPrice, "@": colPrice,
		"金額(港幣)": colAmount, "Amount": colAmount, "品名": colDesc, "Description": colDesc, "貨品": colDesc,
		"條碼": colCode, "SKU": colCode, "折扣": colDisc, "Disc.": colDisc, "稅額": colTax, "Tax": colTax,
		"單位": colUnit, "No.": colNo, "Note": colNone, "Customer": colNone, "Noodles": colNone,
	} {
		if got := titleKind(s); got != want {
			t.Errorf("titleKind(%q) = %v, want %v", s, got, want)
		}
	}
}

// A landscape table with the quantity and unit before the description and
// a code column first: every number goes to the column it lies under.
func TestTableAnyColumnOrder(t *testing.T) {
	p := tpage(
		tline(100, "Code@40", "Qty@300", "Unit@400", "Description@520", "Unit@1100", "Price@1160", "Amount@1400"),
		tline(140, "SKU-000123@40", "12@310", "包@400", "Green@520", "Tea@590", "500ml@640", "8.50@1180", "102.00@1410"),
		tline(180, "SKU-000456@40", "3@322", "箱@400", "Rice@520", "1kg@580", "136.90@1160", "410.70@1410"),
		tline(260, "Total@1100", "512.70@1410"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc)
	}
	l := doc.Lines[0]
	if l.SKU != "SKU-000123" || l.Qty != 12 || l.UnitPrice != "8.50" || l.Amount != "102.00" || l.Description != "Green Tea 500ml" || l.Unit != "包" || l.NeedsReview {
		t.Errorf("line 1: %+v", l)
	}
	if l := doc.Lines[1]; l.Qty != 3 || l.UnitPrice != "136.90" || l.NeedsReview {
		t.Errorf("line 2: %+v", l)
	}
	if doc.Header.Total != "512.70" || doc.NeedsReview {
		t.Errorf("total %q review %v %v", doc.Header.Total, doc.NeedsReview, doc.Warnings)
	}
}

// Column titles in two languages on two lines, a discount column (empty on
// some rows) and a tax column; the code last.
func TestTableDiscountTaxCodeLast(t *testing.T) {
	p := &Page{Width: 1600, Height: 2200}
	p.Words = append(p.Words, tline(100, "品名@100", "數量@700", "單價@850", "折扣@1000", "稅@1100", "金額@1250", "條碼@1400")...)
	p.Words = append(p.Words, tline(125, "Description@100", "Qty@700", "Price@850", "Disc@1000", "Tax@1100", "Amount@1250", "Barcode@1400")...)
	p.Words = append(p.Words, tline(170, "綠茶@100", "1公升@150", "200@712", "33.40@850", "668.00@1100", "6680.00@1250", "4894615036631@1400")...)
	p.Words = append(p.Words, tline(210, "炒花生@100", "3@724", "20.20@850", "20%@1000", "4.85@1100", "48.48@1250", "4891063016109@1400")...)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc)
	}
	a, b := doc.Lines[0], doc.Lines[1]
	if a.Qty != 200 || a.UnitPrice != "33.40" || a.Amount != "6680.00" || a.Confidence < 0.9 || a.Barcode != "4894615036631" {
		t.Errorf("line 1: %+v", a)
	}
	if b.Qty != 3 || b.Amount != "48.48" || b.DiscountPct != "20" || b.Confidence < 0.9 || b.Description != "炒花生" {
		t.Errorf("line 2: %+v", b)
	}
}

// Two-line items (code and description, then the numbers) and a
// description continued on a second line (Chinese over English).
func TestTableTwoLineAndMultiline(t *testing.T) {
	two := tpage(
		tline(100, "Item@40", "Qty@700", "Unit@800", "Price@900", "Amount@1100"),
		tline(140, "WC-10607@40", "Jasmine@200", "Rice@300"),
		tline(165, "10@712", "kg@800", "12.50@900", "125.00@1100"),
		tline(200, "WC-10608@40", "Soy@200", "Sauce@260"),
		tline(225, "2@724", "btl@800", "18.00@900", "36.00@1100"),
	)
	doc := extractTable([]*Page{two}, Header{})
	if doc == nil || len(doc.Lines) != 2 || doc.Lines[0].Description != "WC-10607 Jasmine Rice" && doc.Lines[0].Description != "Jasmine Rice" {
		t.Fatalf("two-line: %+v", doc)
	}
	if l := doc.Lines[1]; l.Qty != 2 || l.Amount != "36.00" || !strings.Contains(l.Description, "Soy Sauce") {
		t.Errorf("two-line item 2: %+v", l)
	}
	multi := tpage(
		tline(100, "品名@100", "數量@700", "單價@850", "金額@1100"),
		tline(140, "淡味啤酒@100", "12@712", "8.50@850", "102.00@1100"),
		tline(165, "Light@100", "Beer@170", "640ml@230"),
		tline(200, "海鮮杯麵@100", "60@712", "7.63@850", "457.80@1100"),
		tline(225, "Seafood@100", "Noodles@200"),
	)
	doc = extractTable([]*Page{multi}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("multi-line: %+v", doc)
	}
	if d := doc.Lines[0].Description; d != "淡味啤酒 Light Beer 640ml" {
		t.Errorf("description 1 %q", d)
	}
	if d := doc.Lines[1].Description; d != "海鮮杯麵 Seafood Noodles" {
		t.Errorf("description 2 %q", d)
	}
}

// A summary word inside an item's name ("Barley") does not end the table;
// the totals row does. A failed check is returned flagged, not dropped.
func TestTableSummaryWordInName(t *testing.T) {
	p := tpage(
		tline(100, "Description@60", "Qty@1180", "Unit@1270", "Price@1330", "Amount@1500"),
		tline(140, "Plain@60", "Flour@130", "60@1190", "14.60@1320", "876.00@1500"),
		tline(180, "Barley@60", "Tea@140", "3@1202", "6.60@1330", "19.80@1510"),
		tline(220, "Goji@60", "Berries@120", "4@1202", "23.70@1320", "95.80@1510"),
		tline(280, "Sub@930", "total@980", "991.60@1500"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 3 {
		t.Fatalf("lines: %+v", doc)
	}
	if l := doc.Lines[2]; !l.NeedsReview || l.Amount != "95.80" {
		t.Errorf("failed check not flagged: %+v", l)
	}
	if !doc.NeedsReview {
		t.Error("document with a failed line not flagged")
	}
}

func TestParseMoneySeparators(t *testing.T) {
	for s, want := range map[string]int64{"1,128,00": 112800, "1.128,00": 112800, "1,128.00": 112800, "12,50": 1250, "€ 2.321,00": 232100} {
		if v, ok := parseMoney(s); !ok || v != want {
			t.Errorf("parseMoney(%q) = %d %v, want %d", s, v, ok, want)
		}
	}
	if _, ok := parseMoney("12,5"); ok {
		t.Error("12,5 read as money")
	}
}

// The titled table replaces the other reading only when it confirms more
// lines.
func TestPreferTable(t *testing.T) {
	p := tpage(
		tline(100, "Description@60", "Qty@900", "Price@1100", "Amount@1400"),
		tline(140, "Plain@60", "Flour@130", "60@910", "14.60@1100", "876.00@1400"),
		tline(180, "Barley@60", "Tea@140", "3@922", "6.60@1110", "19.80@1410"),
		tline(240, "Total@1000", "895.80@1400"),
	)
	other := &Document{Lines: []Line{{Amount: "876.00", NeedsReview: true}}}
	got := preferTable(other, []*Page{p})
	if got == other || len(got.Lines) != 2 || got.Header.Total != "895.80" {
		t.Fatalf("table reading not preferred: %+v", got)
	}
	good := &Document{Lines: []Line{{Confidence: 0.99}, {Confidence: 0.99}}}
	if preferTable(good, []*Page{p}) != good {
		t.Error("table reading replaced an equally confirmed one")
	}
}

// Rows from baselines: a wide table tilted so that a row climbs by a line
// height from left to right is still grouped into one row per line.
func TestLevelWordsTiltedRows(t *testing.T) {
	var ws []Word
	slope := -0.02 // 20 px over 1000
	for i := range 8 {
		y := 200 + 50*i
		for _, x := range []int{60, 160, 260, 900, 1100, 1400} {
			dy := int(slope * float64(x))
			ws = append(ws, Word{Text: "w", Box: image.Rect(x, y+dy, x+60, y+dy+20), Conf: 95})
		}
	}
	if s, ok := textSlope(ws); !ok || s > -0.018 || s < -0.022 {
		t.Fatalf("slope %v %v", s, ok)
	}
	rows := groupRows(ws)
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	for _, r := range rows {
		if len(r.words) != 6 {
			t.Errorf("row with %d words", len(r.words))
		}
	}
	// A level page is left as it is.
	level := tline(100, "a@10", "b@400", "c@900", "d@1300")
	level = append(level, tline(150, "a@10", "b@400", "c@900", "d@1300")...)
	level = append(level, tline(200, "a@10", "b@400", "c@900", "d@1300")...)
	if _, ok := textSlope(level); ok {
		t.Error("slope found on a level page")
	}
}

// A rule's remnant after a code in the code column is not the code's.
func TestTableCodeRuleRemnant(t *testing.T) {
	p := tpage(
		tline(100, "貨號@100", "品名@300", "數量@900", "單價@1100", "金額@1400"),
		tline(140, "SKU-000583-@100", "薰衣草洗衣液@300", "96@912", "50.90@1100", "4,886.40@1400"),
		tline(180, "SKU-000539_-@100", "亮白洗面奶@300", "12@912", "39.24@1100", "470.88@1400"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc)
	}
	for i, want := range []string{"SKU-000583", "SKU-000539"} {
		if got := doc.Lines[i].SKU; got != want {
			t.Errorf("line %d code %q, want %q", i+1, got, want)
		}
	}
}

// A bent sheet: the rows climb to the right at the top and fall at the
// bottom; the slope is measured band by band, and every line stays one
// row.
func TestLevelWordsBentSheet(t *testing.T) {
	var ws []Word
	const lines = 30
	for i := range lines {
		y := 100 + 60*i
		slope := -0.03 + 0.06*float64(i)/float64(lines-1)
		for _, x := range []int{60, 160, 260, 900, 1100, 1400} {
			dy := int(slope * float64(x))
			ws = append(ws, Word{Text: "w", Box: image.Rect(x, y+dy, x+60, y+dy+20), Conf: 95})
		}
	}
	rows := groupRows(ws)
	if len(rows) != lines {
		t.Fatalf("%d rows, want %d", len(rows), lines)
	}
	for _, r := range rows {
		if len(r.words) != 6 {
			t.Errorf("row at %d with %d words", r.top, len(r.words))
		}
	}
}

// A header whose only read title is the unit price (quantity and amount
// titles misread), the barcode column printed last and untitled, and a
// subtotal whose number lies under the price: the amounts are right of
// the price, the description left of it, the barcode no amount, and the
// subtotal ends the table.
func TestTableOnlyPriceTitleRead(t *testing.T) {
	p := tpage(
		tline(100, "oY@700", "Unit@850", "Price@910", "Aewest@1100"),
		tline(150, "Hazelnut@100", "Coffee@220", "48@700", "35.60@850", "1,708.80@1100", "9557698037838@1250"),
		tline(190, "Black@100", "Coffee@180", "144@700", "4.50@860", "648.00@1100", "4898431026500@1250"),
		tline(240, "Subtotal@600", "2,356.80@900"),
		tline(280, "Goods@100", "sold@170", "are@230", "not@280", "returnable@330"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc)
	}
	a, b := doc.Lines[0], doc.Lines[1]
	if !strings.HasPrefix(a.Description, "Hazelnut Coffee") || a.Qty != 48 || a.UnitPrice != "35.60" || a.Amount != "1708.80" || a.Barcode != "9557698037838" {
		t.Errorf("line 1: %+v", a)
	}
	if !strings.HasPrefix(b.Description, "Black Coffee") || b.Qty != 144 || b.Amount != "648.00" || b.Barcode != "4898431026500" || strings.Contains(b.Description, "Goods") {
		t.Errorf("line 2: %+v", b)
	}
	if doc.Header.Subtotal != "2356.80" {
		t.Errorf("subtotal %q", doc.Header.Subtotal)
	}
}

// A name holding a summary word ("Card Holder", on the name's second
// line, no number on its row) does not end the table when item rows
// follow; a row with "Card" and no item row after it still does.
func TestTableSummaryWordOnNameLine(t *testing.T) {
	p := tpage(
		tline(100, "Code@40", "Description@200", "Qty@700", "Price@850", "Amount@1100"),
		tline(140, "SKU-000724@40", "卡套@200", "8@712", "12.10@850", "96.80@1100"),
		tline(165, "Card@200", "Holder@260"),
		tline(200, "SKU-000179@40", "牛肉乾@200", "120@700", "49.90@850", "5988.00@1100"),
		tline(240, "SKU-000249@40", "杯麵@200", "2@724", "7.40@850", "14.80@1100"),
		tline(300, "Total@850", "6099.60@1100"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 3 {
		t.Fatalf("lines: %+v", doc)
	}
	if l := doc.Lines[0]; l.Description != "卡套 Card Holder" {
		t.Errorf("line 1: %+v", l)
	}
	if doc.Header.Total != "6099.60" || doc.NeedsReview {
		t.Errorf("total %q review %v %v", doc.Header.Total, doc.NeedsReview, doc.Warnings)
	}
}

// A multi-line item whose code and English name are printed under its
// numbers: a row of numbers with no name of its own (a name read as one
// stray character) does not take the line just under the item above.
func TestTableNameLineUnderNumbers(t *testing.T) {
	p := tpage(
		tline(100, "Code@40", "Description@300", "Qty@1000", "Price@1150", "Amount@1350"),
		tline(140, "原味乳酪@300", "200@1000", "23.10@1150", "4620.00@1350"),
		tline(163, "SKU-000407@40", "Plain@300", "Yogurt@370"),
		tline(210, "揮@300", "18@1012", "2.89@1150", "52.02@1350"),
		tline(233, "SKU-000718@40", "Eraser@300"),
		tline(280, "牙膏@300", "18@1012", "13.49@1150", "242.82@1350"),
		tline(303, "SKU-000521@40", "Toothpaste@300"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 3 {
		t.Fatalf("lines: %+v", doc)
	}
	if l := doc.Lines[0]; !strings.Contains(l.Description, "Plain Yogurt") {
		t.Errorf("line 1: %+v", l)
	}
	if l := doc.Lines[1]; strings.Contains(l.Description, "Yogurt") || !strings.Contains(l.Description, "Eraser") || l.Amount != "52.02" {
		t.Errorf("line 2: %+v", l)
	}
}

// The coded rows' reading, kept, takes the titled table's longer
// description of the same line (same qty, price and amount).
func TestTableDescriptionsMerged(t *testing.T) {
	d := &Document{Lines: []Line{
		{Description: "SKU-000034 8H", Qty: 200, UnitPrice: "6.90", Amount: "1380.00"},
		{Description: "魚露 500 毫升", Qty: 72, UnitPrice: "15.16", Amount: "1091.52"},
		{Description: "Soap", Qty: 1, UnitPrice: "5.00", Amount: "5.00"},
		{Description: "Soap", Qty: 1, UnitPrice: "5.00", Amount: "5.00"},
	}}
	tb := &Document{Lines: []Line{
		{Description: "8H SOM Lager Beer Can", Qty: 200, UnitPrice: "6.90", Amount: "1380.00"},
		{Description: "魚露", Qty: 72, UnitPrice: "15.16", Amount: "1091.52"},
		{Description: "Hand Soap Lemon", Qty: 1, UnitPrice: "5.00", Amount: "5.00"},
	}}
	tableDescriptions(d, tb)
	want := []string{"8H SOM Lager Beer Can", "魚露 500 毫升", "Soap", "Soap"}
	for i, l := range d.Lines {
		if l.Description != want[i] {
			t.Errorf("line %d: %q, want %q", i+1, l.Description, want[i])
		}
	}
}

// A line whose name was read from the row above its numbers, in a table
// whose other lines print their names on their numbers' row, is flagged
// (the rows of a tilted page read apart: the name may be another item's);
// in a table of two-line items it is not.
func TestTableNameAboveFlagged(t *testing.T) {
	p := tpage(
		tline(100, "Description@100", "Qty@700", "Price@850", "Amount@1100"),
		tline(140, "綠茶@100", "12@712", "8.50@850", "102.00@1100"),
		tline(180, "蝦米@100", "100克@160"),
		tline(200, "60@712", "69.30@850", "4158.00@1100"),
		tline(240, "黑朱古力@100", "10@712", "4.50@850", "45.00@1100"),
		tline(280, "香米@100", "2@724", "68.50@850", "137.00@1100"),
		tline(320, "蠔油@100", "3@724", "18.50@850", "55.50@1100"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 5 {
		t.Fatalf("lines: %+v", doc)
	}
	checkNameAbove(doc)
	for i, l := range doc.Lines {
		if l.NeedsReview != (i == 1) {
			t.Errorf("line %d review %v: %+v", i+1, l.NeedsReview, l)
		}
	}
	two := tpage(
		tline(100, "Item@40", "Qty@700", "Unit@800", "Price@900", "Amount@1100"),
		tline(140, "WC-10607@40", "Jasmine@200", "Rice@300"),
		tline(165, "10@712", "kg@800", "12.50@900", "125.00@1100"),
		tline(200, "WC-10608@40", "Soy@200", "Sauce@260"),
		tline(225, "2@724", "btl@800", "18.00@900", "36.00@1100"),
	)
	doc = extractTable([]*Page{two}, Header{})
	checkNameAbove(doc)
	for i, l := range doc.Lines {
		if l.nameAbove || slicesContainsSub(l.Problems, "row above") {
			t.Errorf("two-line item %d flagged: %+v", i+1, l)
		}
	}
}

func slicesContainsSub(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// A name's first line printed just above its item row, the row itself
// holding a word of the name (Chinese over the numbers, English under
// them: a4-multiline read with "Kimchi" on the numbers' row): that line
// is much nearer the row below than the item above's English line, and
// goes down; evenly spaced lines still all go up.
func TestTableMultilineNearerBelow(t *testing.T) {
	p := tpage(
		tline(100, "No.@40", "Description@300", "Qty@1000", "Price@1150", "Amount@1350"),
		tline(150, "1@40", "咖喱味杯麵@300", "120@1000", "5.70@1150", "684.00@1350"),
		tline(168, "Curry@300", "Cup@380", "Noodles@440"),
		tline(220, "泡菜味韓國拉麵@300"),
		tline(236, "2@40", "Kimchi@300", "30@1000", "27.33@1150", "819.90@1350"),
		tline(254, "Ramyun@300", "120g@400"),
		tline(306, "香辣味蝦條@300", "2@1000", "6.88@1150", "13.76@1350"),
		tline(324, "Spicy@300", "Prawn@380", "Crackers@460"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 3 {
		t.Fatalf("lines: %+v", doc)
	}
	if d := doc.Lines[0].Description; d != "咖喱味杯麵 Curry Cup Noodles" {
		t.Errorf("line 1 %q", d)
	}
	if d := doc.Lines[2].Description; d != "香辣味蝦條 Spicy Prawn Crackers" {
		t.Errorf("line 3 %q", d)
	}
	if d := doc.Lines[1].Description; d != "泡菜味韓國拉麵 Kimchi Ramyun 120g" {
		t.Errorf("line 2 %q", d)
	}
	even := tpage(
		tline(100, "Description@300", "Qty@1000", "Price@1150", "Amount@1350"),
		tline(140, "Jasmine@300", "Rice@400", "10@1000", "12.50@1150", "125.00@1350"),
		tline(165, "Thai@300", "Fragrant@360"),
		tline(190, "5kg@300", "bag@360"),
		tline(215, "Soy@300", "Sauce@360", "2@1000", "18.00@1150", "36.00@1350"),
	)
	doc = extractTable([]*Page{even}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("even lines: %+v", doc)
	}
	if d := doc.Lines[0].Description; d != "Jasmine Rice Thai Fragrant 5kg bag" {
		t.Errorf("even line 1 %q", d)
	}
	if d := doc.Lines[1].Description; d != "Soy Sauce" {
		t.Errorf("even line 2 %q", d)
	}
}

// A row with its own code and name but no amount, just above a row with
// the name's English and the numbers (one item's two lines read apart,
// a4-multiline on a sheared page), is that item's first line, not an
// item of its own.
func TestTableCodedNameAboveNumbers(t *testing.T) {
	p := tpage(
		tline(100, "No.@40", "Code@100", "Description@300", "Qty@1000", "Price@1150", "Amount@1350"),
		tline(150, "1@40", "SKU-000520@100", "牙刷@300", "Toothbrush@400", "5@1000", "8.00@1150", "40.00@1350"),
		tline(220, "2@40", "SKU-000521@100", "草本牙膏@300"),
		tline(238, "Herbal@300", "Toothpaste@380", "12@1000", "13.30@1150", "159.60@1350"),
	)
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc)
	}
	if l := doc.Lines[0]; l.Description != "牙刷 Toothbrush" || l.SKU != "SKU-000520" {
		t.Errorf("line 1: %+v", l)
	}
	if l := doc.Lines[1]; l.Description != "草本牙膏 Herbal Toothpaste" || l.SKU != "SKU-000521" || l.Amount != "159.60" {
		t.Errorf("line 2: %+v", l)
	}
}

// The amount's currency printed in brackets before the code's title
// ("金額 (HKD) 條碼"): the bracket names nothing and is not part of the
// code's title, so the code column does not reach over the amounts, which
// end under it.
func TestTableCurrencyBeforeCodeTitle(t *testing.T) {
	p := tpage(
		tline(100, "品名@70", "單價@1080", "金額@1220", "(HKD)@1274", "條碼@1350"),
		tline(170, "橄欖油@70", "Olive@200", "Oil@280", "89.64@1080", "1,075.68@1238", "4896461017901@1350"),
		tline(210, "糙米@70", "Brown@200", "Rice@280", "116.60@1068", "1,166.00@1238", "6955156011452@1350"),
		tline(250, "香片茶葉@70", "Jasmine@200", "Tea@290", "44.60@1080", "89.20@1274", "6934624007708@1350"),
		tline(300, "合計@1100", "2,330.88@1238"),
	)
	cols := headerColumns(groupRows(p.Words)[:1])
	for _, c := range cols {
		if c.kind == colCode && c.left < 1300 {
			t.Errorf("code column %+v reaches over the amounts", c)
		}
	}
	doc := extractTable([]*Page{p}, Header{})
	if doc == nil || len(doc.Lines) != 3 {
		t.Fatalf("lines: %+v", doc)
	}
	for i, want := range []string{"1075.68", "1166.00", "89.20"} {
		if l := doc.Lines[i]; l.Amount != want || l.Barcode == "" || l.NeedsReview {
			t.Errorf("line %d: %+v", i+1, l)
		}
	}
}
