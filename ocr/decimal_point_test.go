package ocr

import (
	"image"
	"os"
	"testing"
)

// OCR_LOST_POINTS=0 (or 1) turns the lost-point restoration off (on) in
// the tests and benchmarks; OCR_LOST_POINTS_GATE=0 takes its gate off.
func init() {
	switch os.Getenv("OCR_LOST_POINTS") {
	case "0":
		restoreLostPoints = false
	case "1":
		restoreLostPoints = true
	}
	if os.Getenv("OCR_LOST_POINTS_GATE") == "0" {
		gateLostPoints = false
	}
}

// pointsPage is a delivery note's table: a telephone number above it,
// item rows "n name qty unit amount" with the amounts right-aligned at x =
// 1000, and the total under them. Amounts given without a point are whole
// numbers as Tesseract read them.
func pointsPage(amounts []string, total string) *Page {
	p := &Page{Width: 1200, Height: 1600}
	add := func(text string, x0, x1, y int) {
		p.Words = append(p.Words, Word{Text: text, Box: image.Rect(x0, y, x1, y+24), Conf: 90})
	}
	add("Tel:", 100, 150, 100)
	add("+852", 160, 220, 100)
	add("2742", 860, 920, 100)
	add("3588", 930, 1000, 100) // ends where the amounts end
	for i, a := range amounts {
		y := 400 + 40*i
		add(string(rune('1'+i)), 100, 115, y)
		add("Cream", 150, 230, y)
		add("Soda", 240, 300, y)
		add("24", 700, 730, y)
		add("支", 740, 765, y)
		add(a, 1000-15*len(a), 1000, y)
	}
	y := 400 + 40*len(amounts) + 20
	add("Total", 700, 780, y)
	add(total, 1000-15*len(total), 1000, y)
	return p
}

// A decimal point lost on the cell's rule or under a chop's ink
// (a4-stamp-bi in Noto Sans CJK, seed 101: 7 of 18 amounts and the total
// read without it, their lines lost): the whole number ending where the
// column's amounts with two decimals end gets its point back; the
// telephone number above the table, ending there too, does not.
func TestRestorePointsLostDecimal(t *testing.T) {
	p := pointsPage([]string{"365850", "69.60", "42.00", "2688.00", "86040", "652.80"}, "2377654")
	q := restorePagePoints(p)
	got := map[string]bool{}
	for _, w := range q.Words {
		got[w.Text] = true
	}
	for _, want := range []string{"3658.50", "860.40", "23776.54", "3588"} {
		if !got[want] {
			t.Errorf("no word %q after restorePagePoints", want)
		}
	}
	for _, gone := range []string{"365850", "86040", "2377654"} {
		if got[gone] {
			t.Errorf("word %q left as read", gone)
		}
	}
	if p.Words[len(p.Words)-1].Text != "2377654" {
		t.Error("restorePagePoints changed the page it was given")
	}
}

// A column printed in whole units (more whole numbers than amounts with
// decimals end there) and a page with too few amounts with decimals are
// left as read.
func TestRestorePointsWholeColumnKept(t *testing.T) {
	for _, amounts := range [][]string{
		{"3650", "6960", "4200", "2688.00", "8600", "65.80"},
		{"3650", "6960", "4200", "2688.00", "8600", "65.80", "12.00"},
		{"3650", "69.60", "42.00"},
	} {
		p := pointsPage(amounts, "23776")
		if q := restorePagePoints(p); q != p {
			t.Errorf("%v: page changed", amounts)
		}
	}
}

// Off (OCR_LOST_POINTS=0): restorePoints and Extract read the page as it
// came.
func TestRestorePointsOff(t *testing.T) {
	on := restoreLostPoints
	defer func() { restoreLostPoints = on }()
	restoreLostPoints = false
	pages := []*Page{pointsPage([]string{"365850", "69.60", "42.00", "2688.00"}, "2377654")}
	if got := restorePoints(pages); got[0] != pages[0] {
		t.Error("restorePoints changed a page while off")
	}
	doc := Extract(pages)
	for _, l := range doc.Lines {
		if l.Amount == "3658.50" {
			t.Error("Extract restored a point while off")
		}
	}
}

// itemsPage is a purchase order's table (code, name, qty, unit price,
// amount, the amounts right-aligned at x = 1000) with its total; rows are
// {code, qty, price, amount as read}.
func itemsPage(rows [][4]string, total string) *Page {
	p := &Page{Width: 1200, Height: 1600}
	add := func(text string, x0, x1, y int) {
		p.Words = append(p.Words, Word{Text: text, Box: image.Rect(x0, y, x1, y+24), Conf: 90})
	}
	add("PURCHASE", 100, 260, 100)
	add("ORDER", 270, 360, 100)
	for i, t := range []string{"ITEM", "DESCRIPTION", "QTY", "PRICE", "AMOUNT"} {
		x := []int{100, 300, 600, 760, 910}[i]
		add(t, x, x+15*len(t), 300)
	}
	for i, r := range rows {
		y := 360 + 40*i
		if r[0] != "" {
			add(r[0], 100, 100+15*len(r[0]), y)
		}
		add("Cream", 300, 380, y)
		add("Soda", 390, 450, y)
		add(r[1], 640-15*len(r[1]), 640, y)
		add(r[2], 840-15*len(r[2]), 840, y)
		add(r[3], 1000-15*len(r[3]), 1000, y)
	}
	y := 360 + 40*len(rows) + 20
	add("TOTAL", 760, 840, y)
	add(total, 1000-15*len(total), 1000, y)
	return p
}

// A restored point must be confirmed by the document (gateLostPoints):
// "86040" under the amounts is 12 × 71.70 = 860.40 and gets its point;
// "365857" (chop ink added a digit to 365.85: 3 × 121.95) would become
// 3658.57, which neither its row's qty × price nor the total (4025.85)
// confirms: it stays as read (its line flagged, no amount). Fails without
// the gate (OCR_LOST_POINTS_GATE=0: a line of 3658.57).
func TestRestorePointsConfirmedOnly(t *testing.T) {
	on := restoreLostPoints
	defer func() { restoreLostPoints = on }()
	restoreLostPoints = true
	p := itemsPage([][4]string{
		{"SKU-100001", "3", "121.95", "365857"},
		{"SKU-100002", "12", "71.70", "86040"},
		{"SKU-100003", "24", "2.90", "69.60"},
		{"SKU-100004", "6", "7.00", "42.00"},
		{"SKU-100005", "48", "56.00", "2688.00"},
	}, "4025.85")
	doc := Extract([]*Page{p})
	amounts := map[string]bool{}
	for _, l := range doc.Lines {
		t.Logf("%s %d %s %s review=%v %v", l.SKU, l.Qty, l.UnitPrice, l.Amount, l.NeedsReview, l.Problems)
		amounts[l.Amount] = true
	}
	if !amounts["860.40"] {
		t.Error("86040 (12 × 71.70) not restored to 860.40")
	}
	if amounts["3658.57"] {
		t.Error("365857 restored to 3658.57: neither qty × price nor the total confirms it")
	}
	// The total confirms what qty × price cannot: a row whose quantity was
	// not read, 1,076.50 read "107650", the lines add up to the total only
	// with it.
	p = itemsPage([][4]string{
		{"SKU-100001", "", "", "107650"},
		{"SKU-100002", "12", "71.70", "860.40"},
		{"SKU-100003", "24", "2.90", "69.60"},
		{"SKU-100004", "6", "7.00", "42.00"},
	}, "2048.50")
	doc = Extract([]*Page{p})
	amounts = map[string]bool{}
	for _, l := range doc.Lines {
		t.Logf("%s %d %s %s review=%v %v", l.SKU, l.Qty, l.UnitPrice, l.Amount, l.NeedsReview, l.Problems)
		amounts[l.Amount] = true
	}
	if !amounts["1076.50"] {
		t.Error("107650 not restored to 1076.50 though the lines then add up to the total")
	}
}
