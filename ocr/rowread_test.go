package ocr

import (
	"image"
	"math"
	"testing"
)

// A row's state is what the receipt finder would make of it: an amount in
// the amounts' column or none, and the qty × price check.
func TestJudgeRow(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  rowState
	}{
		{[]string{"Coffee", "2", "3.50", "7.00"}, rowChecked},
		{[]string{"Coffee", "2", "3.50", "7.50"}, rowFailed},
		{[]string{"Coffee", "7.00"}, rowAmountOnly},
		{[]string{"Coffee", "7:0O"}, rowNoAmount},
	} {
		rows := groupRows(append(right(100, "Tea", "1.00"), right(140, c.words...)...))
		colX, tol, ok := amountColumn(rows, 600)
		if got := judgeRow(rows[1], colX, tol, ok); got != c.want {
			t.Errorf("judgeRow(%q) = %d, want %d", c.words, got, c.want)
		}
	}
}

// A re-reading is taken only when it passes a check the page reading
// failed; an amount read differently with nothing to check it is not.
func TestRereadPasses(t *testing.T) {
	for _, c := range []struct {
		before, after rowState
		want          bool
	}{
		{rowNoAmount, rowAmountOnly, true},
		{rowNoAmount, rowChecked, true},
		{rowNoAmount, rowFailed, false},
		{rowNoAmount, rowNoAmount, false},
		{rowFailed, rowChecked, true},
		{rowFailed, rowAmountOnly, false},
		{rowFailed, rowFailed, false},
		{rowAmountOnly, rowChecked, false},
		{rowChecked, rowChecked, false},
	} {
		if got := rereadPasses(c.before, c.after); got != c.want {
			t.Errorf("rereadPasses(%d, %d) = %v, want %v", c.before, c.after, got, c.want)
		}
	}
}

// Only rows whose checks fail are read again: a checked row, a summary
// row and a row whose last word lies far left of the amounts' column are
// left alone; a description with digits misread where the amount is, and
// a row whose qty × price fails, are read again.
func TestRowWantsReread(t *testing.T) {
	page := append(right(100, "Tea", "1.00"), right(130, "Cake", "2.00")...)
	for _, c := range []struct {
		words []Word
		want  bool
	}{
		{right(160, "Coffee", "2", "3.50", "7.00"), false},
		{right(160, "Coffee", "2", "3.50", "7.50"), true},
		{right(160, "Coffee", "7:0O"), true},
		{right(160, "Total", "7:0O"), false},
		{line(160, "Thank", "you"), false},
	} {
		rows := groupRows(append(append([]Word(nil), page...), c.words...))
		colX, tol, ok := amountColumn(rows, 600)
		r := rows[2]
		if got := rowWantsReread(r, judgeRow(r, colX, tol, ok), colX, tol, ok); got != c.want {
			t.Errorf("rowWantsReread(%q) = %v, want %v", r.text(), got, c.want)
		}
	}
}

// cutRow straightens a tilted row: the strip cut along the row's words
// holds the row's ink level, in a band as high as the scaled text, and
// its boxes map back onto the page where the words are.
func TestCutRowStraightens(t *testing.T) {
	g := newGray(800, 300)
	for i := range g.pix {
		g.pix[i] = 255
	}
	// A row of "words" 12 px high rising 1 px in 10 to the right.
	y0 := 150.0
	var ws []Word
	for x0 := 40; x0 < 700; x0 += 110 {
		for x := x0; x < x0+80; x++ {
			c := y0 - float64(x)/10
			for y := int(c) - 6; y < int(c)+6; y++ {
				g.pix[y*g.w+x] = 0
			}
		}
		c := y0 - float64(x0+40)/10
		ws = append(ws, Word{Text: "word", Box: image.Rect(x0, int(c)-6, x0+80, int(c)+6), Conf: 90})
	}
	s := cutRow(g, ws, 760)
	if s == nil {
		t.Fatal("no strip")
	}
	// Rows of the strip that hold ink, across its whole width.
	inky := 0
	for v := 0; v < s.img.h; v++ {
		n := 0
		for u := 0; u < s.img.w; u++ {
			if s.img.pix[v*s.img.w+u] < 128 {
				n++
			}
		}
		if n > s.img.w/3 {
			inky++
		}
	}
	if inky < rowReadHeight*3/4 || inky > rowReadHeight*5/4 {
		t.Errorf("strip has %d rows mostly ink, want about %d (a level band)", inky, rowReadHeight)
	}
	// The middle word's box maps back to where it is on the page.
	mid := ws[3].Box
	u0 := int(math.Round((float64(mid.Min.X)-s.x0)*s.k)) + s.pad
	u1 := int(math.Round((float64(mid.Max.X)-s.x0)*s.k)) + s.pad
	v0 := s.pad + int(math.Round((s.half-6)*s.k))
	back := s.toPage(image.Rect(u0, v0, u1, v0+rowReadHeight))
	if abs(back.Min.X-mid.Min.X) > 2 || abs(back.Max.X-mid.Max.X) > 2 || abs(back.Min.Y-mid.Min.Y) > 2 {
		t.Errorf("strip box maps back to %v, want about %v", back, mid)
	}
}

// A row whose description is read but whose amount is not (no word where
// the amounts' column is, yet ink there) is read again; the same row with
// blank paper there is not.
func TestUnreadAmount(t *testing.T) {
	words := append(append(right(60, "Tea", "1.00"), right(90, "Cake", "2.00")...), line(120, "Coffee", "latte")...)
	rows := groupRows(words)
	colX, _, ok := amountColumn(rows, 600)
	if !ok {
		t.Fatal("no amounts' column")
	}
	r := rows[2]
	idx := []int{len(words) - 2, len(words) - 1}
	for _, inked := range []bool{false, true} {
		g := newGray(600, 300)
		for i := range g.pix {
			g.pix[i] = 255
		}
		if inked {
			for y := 124; y < 140; y++ {
				for x := 520; x < 556; x++ {
					if x%6 < 3 {
						g.pix[y*g.w+x] = 30
					}
				}
			}
		}
		if got := unreadAmount(g, words, idx, r, colX, ok); got != inked {
			t.Errorf("ink where the amount is %v: unreadAmount = %v", inked, got)
		}
	}
}

// A failed row's re-reading counts as its repair only when it keeps one of
// the page reading's numbers.
func TestReadingsAgree(t *testing.T) {
	page := append(right(100, "Tea", "1.00"), right(130, "Cake", "2.00")...)
	rowOf := func(ws []Word) (*row, int, int, bool) {
		rows := groupRows(append(append([]Word(nil), page...), ws...))
		x, tol, ok := amountColumn(rows, 600)
		return rows[2], x, tol, ok
	}
	before, x, tol, ok := rowOf(right(160, "Soft", "Drink", "1", "2.09", "2.03"))
	oil, _, _, _ := rowOf(right(160, "Oil", "10", "27.38", "273.30"))
	for _, c := range []struct {
		before *row
		after  []Word
		want   bool
	}{
		{before, right(160, "Soft", "Drink", "1", "2.09", "2.09"), true},
		{before, right(160, "Soft", "Drink", "1", "2.03", "2.03"), true},
		{before, right(160, "Soft", "Drink", "1", "2.08", "2.08"), false},
		{oil, right(160, "Oil", "10", "27.33", "273.30"), true},
		{oil, right(160, "Oil", "1", "273.30", "273.30"), false},
	} {
		before := c.before
		after, _, _, _ := rowOf(c.after)
		if got := readingsAgree(before, after, x, tol, ok); got != c.want {
			t.Errorf("readingsAgree(%q, %q) = %v, want %v", before.text(), after.text(), got, c.want)
		}
	}
}

// A row of a coded table is left to the codes' checks: not read again.
func TestItemCodeRowsNotReread(t *testing.T) {
	rows := groupRows(append(right(100, "SKU-000469", "Ice", "Cream", "24", "7.35", "176.50"), right(140, "Coffee", "2", "3.50", "7.50")...))
	if !hasItemCode(rows[0]) || hasItemCode(rows[1]) {
		t.Errorf("hasItemCode: %q %v, %q %v", rows[0].text(), hasItemCode(rows[0]), rows[1].text(), hasItemCode(rows[1]))
	}
}
