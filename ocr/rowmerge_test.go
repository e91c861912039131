package ocr

import (
	"image"
	"strings"
	"testing"
)

// shrunk is a page's words as the second look reads them: the photo as
// it came, smaller and shifted (x' = 0.7 x + 15 + y/50, y' = 0.7 y + 30),
// with the texts replaced per replace (old text -> new text, "" drops
// the word) and extra words added.
func shrunk(p *Page, replace map[string]string, extra ...Word) *Page {
	out := &Page{Width: 440, Height: 870}
	mapRect := func(r image.Rectangle) image.Rectangle {
		f := func(x, y int) image.Point {
			return image.Pt(int(0.7*float64(x)+15+float64(y)/50), int(0.7*float64(y)+30))
		}
		return image.Rectangle{Min: f(r.Min.X, r.Min.Y), Max: f(r.Max.X, r.Max.Y)}
	}
	for _, w := range p.Words {
		if t, ok := replace[w.Text]; ok {
			if t == "" {
				continue
			}
			w.Text = t
		}
		w.Box = mapRect(w.Box)
		out.Words = append(out.Words, w)
	}
	for _, w := range extra {
		w.Box = mapRect(w.Box)
		out.Words = append(out.Words, w)
	}
	return out
}

// amountAt is a word ending at x=560 (the amount column of right) on
// row y, read with confidence conf.
func amountAt(y int, text string, conf float64) Word {
	w := 12 * len([]rune(text))
	return Word{Text: text, Box: image.Rect(560-w, y, 560, y+20), Conf: conf}
}

func findLine(lines []Line, desc string) *Line {
	for i := range lines {
		if strings.Contains(lines[i].Description, desc) {
			return &lines[i]
		}
	}
	return nil
}

// TestRowMergeAmountFromSecondReading: the first reading read an item's
// amount as a fragment ("2") and another's not at all; the second look
// read both amounts but garbled their descriptions. The amounts join the
// first reading's rows; lines that add up to the total are confirmed,
// otherwise flagged; an amount of the first reading's own stands.
func TestRowMergeAmountFromSecondReading(t *testing.T) {
	withRowMerge(t)
	for _, tc := range []struct {
		total      string
		reconciled bool
	}{{"12.75", true}, {"13.75", false}} {
		first := cafeReceipt(line(250, "Banana", "Bread"))
		first.Words = append(first.Words, amountAt(300, tc.total, 90))
		raw := shrunk(first, map[string]string{"Almond": "@lnond", "Croissant": "Cr0s", "2": "2.25", "Banana": "8an", "Bread": "br", "3.50": "3.80"},
			amountAt(250, "3.00", 80))
		doc := Extract([]*Page{first})
		applySecondLook(doc, []*Page{first}, []*Page{raw})
		for _, want := range []struct{ desc, amount string }{{"Almond Croissant", "2.25"}, {"Banana Bread", "3.00"}, {"Flat White", "3.50"}} {
			l := findLine(doc.Lines, want.desc)
			if l == nil || l.Amount != want.amount {
				t.Errorf("total %s: %s: line %+v, want amount %s (lines %+v)", tc.total, want.desc, l, want.amount, doc.Lines)
				continue
			}
			if want.desc != "Flat White" && l.NeedsReview == tc.reconciled {
				t.Errorf("total %s: %s flagged %v, want %v", tc.total, want.desc, l.NeedsReview, !tc.reconciled)
			}
		}
	}
}

// TestRowMergeNeedsAnchors: two readings with too few words read alike
// are not mapped onto each other.
func TestRowMergeNeedsAnchors(t *testing.T) {
	withRowMerge(t)
	first := receiptPage(right(160, "Flat", "White", "3.50"), right(190, "Almond", "Croissant", "2"))
	raw := shrunk(first, map[string]string{"2": "2.25"})
	if m, n := mergeReadings(first, raw); m != nil || n != 0 {
		t.Errorf("merged %d amounts with %d anchors", n, len(readingAnchors(first.Words, raw.Words)))
	}
}

// TestSecondLookTotalOneDigit: the first reading's unconfirmed total and
// the second look's differ in one digit ("23.45", "73.45"); a stronger
// label in the second reading does not decide the digit: the amount read
// with more confidence stands, flagged as disputed.
func TestSecondLookTotalOneDigit(t *testing.T) {
	for _, tc := range []struct {
		firstConf, rawConf float64
		want               string
	}{{71, 47, "23.45"}, {47, 90, "73.45"}} {
		first := receiptPage(line(20, "SHOP"), right(200, "Ham", "Sandwich", "9.19"), line(300, "otal"))
		first.Words = append(first.Words, amountAt(300, "23.45", tc.firstConf))
		raw := receiptPage(line(20, "SHOP"), line(300, "Total", "="))
		raw.Words = append(raw.Words, amountAt(300, "73.45", tc.rawConf))
		doc := Extract([]*Page{first})
		if doc.Header.Total != "23.45" || !totalUnconfirmed(&doc.Header) {
			t.Fatalf("first reading's total %q (%.2f), want 23.45 unconfirmed", doc.Header.Total, doc.Header.Confidence["total"])
		}
		mergeHeader(&doc.Header, []*Page{first}, Extract([]*Page{raw}).Header, []*Page{raw})
		if doc.Header.Total != tc.want || doc.Header.Confidence["total"] > secondLookConf {
			t.Errorf("confidences %v/%v: total %q (%.2f), want %s at most %.2f", tc.firstConf, tc.rawConf, doc.Header.Total, doc.Header.Confidence["total"], tc.want, secondLookConf)
		}
	}
}

// TestRowMergeTotalNoSelfAgreement: a total the row merge put on the
// first reading's page (its "25" read "25.85" in the second reading) is
// the second reading's: the second look reading the same amount is not
// two readings agreeing, and no arithmetic confirms it.
func TestRowMergeTotalNoSelfAgreement(t *testing.T) {
	withRowMerge(t)
	first := cafeReceipt()
	first.Words = append(first.Words, amountAt(300, "25", 90))
	raw := shrunk(first, map[string]string{"Almond": "@lnond", "Croissant": "Cr0s", "2": "2.25", "25": "25.85"})
	doc := Extract([]*Page{first})
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	if doc.Header.Total != "25.85" || doc.Header.Confidence["total"] > secondLookConf {
		t.Errorf("total %q (%.2f), want 25.85 at most %.2f", doc.Header.Total, doc.Header.Confidence["total"], secondLookConf)
	}
}

// withRowMerge turns the row merge (off by default) on for one test.
func withRowMerge(t *testing.T) {
	t.Helper()
	old := rowMerge
	rowMerge = true
	t.Cleanup(func() { rowMerge = old })
}

// cafeReceipt is a small receipt's first reading: a letterhead, three item
// rows (the second's amount read as a fragment, "2"), the rows given, and
// a TOTAL label with no amount yet.
func cafeReceipt(rows ...[]Word) *Page {
	all := [][]Word{
		line(20, "CORNER", "CAFE"),
		line(50, "Market", "Street", "Oxford"),
		line(80, "Receipt", "Table", "Seven"),
		right(160, "Flat", "White", "3.50"),
		right(190, "Almond", "Croissant", "2"),
		right(220, "Orange", "Juice", "4.00"),
	}
	all = append(all, rows...)
	all = append(all, line(300, "TOTAL"))
	return receiptPage(all...)
}
