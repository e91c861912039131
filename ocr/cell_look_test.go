package ocr

import (
	"image"
	"slices"
	"testing"
)

// A Chinese description read as Latin junk on a line whose numbers check
// out is picked for the cell look, as its own words; the lines read well
// are not.
func TestCellPicksLatinJunkInChineseColumn(t *testing.T) {
	junk := tline(300, "PRUE@70", "255@160", "克@210", "10@600", "12.50@800", "125.00@1000")
	junk[0].Conf, junk[1].Conf = 20, 30
	p := tpage(
		tline(100, "品名@70", "數量@600", "單價@800", "金額@1000"),
		tline(150, "橄欖油@70", "2公升@160", "4@600", "89.60@800", "358.40@1000"),
		tline(200, "糙米@70", "1公斤@160", "6@600", "11.60@800", "69.60@1000"),
		tline(250, "香片茶葉@70", "3@600", "44.60@800", "133.80@1000"),
		junk,
		tline(350, "合計@800", "686.80@1000"),
	)
	doc := Extract([]*Page{p})
	picks := cellPicks(doc, p, pageWordConfs([]*Page{p}))
	if len(picks) != 1 {
		t.Fatalf("picks %v, want the junk line's cell (lines %+v)", picks, doc.Lines)
	}
	if got := wordTexts(picks[0].words); got != "PRUE(20) 255(30) 克(95)" {
		t.Errorf("cell words %s", got)
	}
}

// A line whose numbers do not check out is picked after those whose
// numbers do, and only with cellUnchecked.
func TestCellPicksUncheckedLast(t *testing.T) {
	junk := tline(300, "PRUE@70", "255@160", "克@210", "10@600", "12.50@800", "125.00@1000")
	junk[0].Conf, junk[1].Conf = 20, 30
	bad := tline(250, "AMLAR@70", "TAL@160", "12@600", "44.60@800", "133.80@1000")
	bad[0].Conf, bad[1].Conf = 10, 25
	p := tpage(
		tline(100, "品名@70", "數量@600", "單價@800", "金額@1000"),
		tline(150, "橄欖油@70", "2公升@160", "4@600", "89.60@800", "358.40@1000"),
		tline(200, "糙米@70", "1公斤@160", "6@600", "11.60@800", "69.60@1000"),
		bad,
		junk,
		tline(350, "合計@800", "686.80@1000"),
	)
	doc := Extract([]*Page{p})
	m := pageWordConfs([]*Page{p})
	defer func(v bool) { cellUnchecked = v }(cellUnchecked)
	cellUnchecked = true
	picks := cellPicks(doc, p, m)
	if len(picks) != 2 || wordTexts(picks[0].words) != "PRUE(20) 255(30) 克(95)" || wordTexts(picks[1].words) != "AMLAR(10) TAL(25)" {
		t.Fatalf("picks %+v", picks)
	}
	cellUnchecked = false
	if picks := cellPicks(doc, p, m); len(picks) != 1 {
		t.Errorf("without cellUnchecked: %+v", picks)
	}
}

// The cell is the run of the description's words with no other word of
// the row between them: a code read into the row is not re-read as part
// of the name.
func TestCellWordsSplitAtAnotherWord(t *testing.T) {
	ws := tline(100, "16@40", "SKU-000622@100", "aE@260", "ss@330")
	p := tpage(ws)
	got := cellWords(p, []Word{ws[0], ws[2], ws[3]})
	if wordTexts(got) != "aE(95) ss(95)" {
		t.Errorf("cell words %s", wordTexts(got))
	}
}

// A re-reading replaces the cell's words only when it passes the
// description check by its own confidences and reads surer than the old.
func TestBetterCell(t *testing.T) {
	w := func(s string, c float64) Word { return Word{Text: s, Box: image.Rect(0, 0, 10, 10), Conf: c} }
	old := []Word{w("PRUE", 20), w("255", 90), w("克", 88)}
	if !betterCell(old, []Word{w("辣椒醬", 86), w("255克", 90)}) {
		t.Error("a sure Chinese reading refused")
	}
	if betterCell(old, []Word{w("辣椒醬", 15), w("255克", 20)}) {
		t.Error("a reading as unsure as the old taken")
	}
	if betterCell(old, nil) {
		t.Error("an empty reading taken")
	}
}

// With cellFlagged, a line whose description words were read again from
// their cell stays flagged even when the new words pass the check.
func TestCellFlaggedKeepsReview(t *testing.T) {
	name := tline(300, "辣椒醬@70", "255克@160", "10@600", "12.50@800", "125.00@1000")
	name[0].cell, name[1].cell = true, true
	p := tpage(
		tline(100, "品名@70", "數量@600", "單價@800", "金額@1000"),
		tline(150, "橄欖油@70", "2公升@160", "4@600", "89.60@800", "358.40@1000"),
		name,
	)
	defer func(v bool) { cellFlagged = v }(cellFlagged)
	for _, on := range []bool{false, true} {
		cellFlagged = on
		doc := Extract([]*Page{p})
		if len(doc.Lines) != 2 {
			t.Fatalf("lines %+v", doc.Lines)
		}
		if doc.Lines[0].NeedsReview || doc.Lines[1].NeedsReview != on {
			t.Errorf("cellFlagged %v: review %v, %v (%v)", on, doc.Lines[0].NeedsReview, doc.Lines[1].NeedsReview, doc.Lines[1].Problems)
		}
	}
}

// A cell is cut from the photo behind the page (cellPhoto): strokes the
// page's downscaling merged into one grey blob (here two-pixel stripes,
// four photo pixels to a page pixel) come back apart, and the cell's
// bounds are the page's.
func TestCellFromPhotoResolvesStrokes(t *testing.T) {
	const f = 4
	photo := newGray(200*f, 60*f)
	for y := range photo.h {
		for x := range photo.w {
			photo.pix[y*photo.w+x] = 255
			if x >= 40*f && x < 120*f && y >= 20*f && y < 35*f && x%4 < 2 {
				photo.pix[y*photo.w+x] = 0
			}
		}
	}
	page := newGray(200, 60)
	for y := range page.h {
		for x := range page.w {
			s := 0
			for dy := range f {
				for dx := range f {
					s += int(photo.pix[(y*f+dy)*photo.w+x*f+dx])
				}
			}
			page.pix[y*page.w+x] = uint8(s / (f * f))
		}
	}
	page.photo = &photoMap{g: photo, back: []homography{{f, 0, 0, 0, f, 0, 0, 0, 1}}}
	p := &Page{Width: 200, Height: 60, Words: []Word{{Text: "縮骨遮", Box: image.Rect(40, 20, 120, 35), Conf: 40}}}
	// Light-dark changes along the cell's middle row.
	changes := func(s *cellStrip) int {
		g, v := s.img, s.img.h/2
		n, dark := 0, g.pix[v*g.w] < 128
		for u := range g.w {
			if px := g.pix[v*g.w+u]; px < 80 && !dark || px > 176 && dark {
				n, dark = n+1, !dark
			}
		}
		return n
	}
	saved := cellPhoto
	defer func() { cellPhoto = saved }()
	cellPhoto = false
	fromPage := cutCell(page, p, p.Words)
	cellPhoto = true
	fromPhoto := cutCell(page, p, p.Words)
	if fromPage == nil || fromPhoto == nil {
		t.Fatal("no cell cut")
	}
	if n := changes(fromPage); n > 2 {
		t.Fatalf("the page's cell shows %d changes, want a blob", n)
	}
	if n := changes(fromPhoto); n < 40 {
		t.Fatalf("the photo's cell shows %d changes, want the strokes apart", n)
	}
	// A photo no larger than the page is not cut from.
	page.photo = &photoMap{g: photo, back: []homography{{1, 0, 0, 0, 1, 0, 0, 0, 1}}}
	if same := cutCell(page, p, p.Words); changes(same) > 2 {
		t.Fatal("a cell cut from a photo no larger than the page")
	}
	if fromPhoto.img.w != fromPage.img.w || fromPhoto.img.h != fromPage.img.h || fromPhoto.toPage(image.Rect(20, 20, 60, 40)) != fromPage.toPage(image.Rect(20, 20, 60, 40)) {
		t.Fatal("the photo's cell is not the page's")
	}
}

// garbledPage is a Chinese table whose names were read mostly as Latin
// junk (one Chinese name, one clean English one): its header, in the
// language given, holds the page's only confident Chinese words.
func garbledPage(zhHeader bool) *Page {
	head := tline(100, "Item@70", "Qty@600", "Price@800", "Amount@1000")
	if zhHeader {
		head = tline(100, "品名@70", "數量@600", "單價@800", "金額@1000")
	}
	junk := func(y int, a, b, q, pr, amt string) []Word {
		ws := tline(y, a+"@70", b+"@160", q+"@600", pr+"@800", amt+"@1000")
		ws[0].Conf, ws[1].Conf = 10, 15
		return ws
	}
	return tpage(head,
		junk(150, "AMLAR", "TAL", "4", "89.60", "358.40"),
		junk(200, "PRUE", "Fee", "6", "11.60", "69.60"),
		tline(250, "Green@70", "Tea@160", "3@600", "44.60@800", "133.80@1000"),
		tline(300, "橄欖油@70", "2公升@160", "10@600", "12.50@800", "125.00@1000"),
		tline(350, "Total@800", "686.80@1000"),
	)
}

// On a page whose names were read mostly as Latin junk, the Chinese of
// its reading (its confident Chinese words) still lets the look reach
// the names that fail the description check (cellGarbled); a clean
// English name is left alone, and a Latin page is not looked at.
func TestCellPicksGarbledPage(t *testing.T) {
	defer func(v bool) { cellGarbled = v }(cellGarbled)
	for _, c := range []struct {
		zh, on bool
		want   []string
	}{
		{true, true, []string{"AMLAR(10) TAL(15)", "PRUE(10) Fee(15)"}},
		{true, false, nil},
		{false, true, nil},
	} {
		cellGarbled = c.on
		p := garbledPage(c.zh)
		doc := Extract([]*Page{p})
		if len(doc.Lines) != 4 {
			t.Fatalf("lines %+v", doc.Lines)
		}
		var got []string
		for _, pk := range cellPicks(doc, p, pageWordConfs([]*Page{p})) {
			got = append(got, wordTexts(pk.words))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("zh header %v, cellGarbled %v: picks %q, want %q", c.zh, c.on, got, c.want)
		}
	}
}

// The lines the amounts' column finds (no header, no codes: a table
// whose codes were misread) keep the words their description was read
// from, on their own row (cellReceiptRows), so the look can reach them.
func TestReceiptLinesKeepDescriptionWords(t *testing.T) {
	defer func(v bool) { cellReceiptRows = v }(cellReceiptRows)
	p := tpage(
		tline(100, "stanmatrh@200", "80@300", "48@600", "16.58@800", "795.84@1000"),
		tline(150, "Fee@200", "aS@260", "3@600", "6.70@800", "20.10@1000"),
		tline(200, "橄欖油@200", "24@600", "25.27@800", "606.48@1000"),
	)
	for _, on := range []bool{true, false} {
		cellReceiptRows = on
		doc := Extract([]*Page{p})
		if len(doc.Lines) != 3 {
			t.Fatalf("lines %+v", doc.Lines)
		}
		for _, l := range doc.Lines {
			if (len(l.descW) > 0) != on || on && joinText(wordStrings(l.descW)) != l.Description {
				t.Errorf("cellReceiptRows %v: %q words %s", on, l.Description, wordTexts(l.descW))
			}
		}
	}
}

func wordStrings(ws []Word) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Text)
	}
	return out
}
