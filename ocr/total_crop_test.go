package ocr

import (
	"context"
	"testing"
)

// withTotalCrops sets totalCrops for a test; it returns the restore.
func withTotalCrops(on bool) func() {
	saved := totalCrops
	totalCrops = on
	return func() { totalCrops = saved }
}

// totalCropDoc renders a receipt whose total's row prints total, and
// returns the photo, the page's reading of it (the total's row read as
// misread) and a document with two lines (4.50 + 5.50) and the misread
// total, unconfirmed.
func totalCropDoc(t *testing.T, total, misread string, conf float64) (*Page, *Document, func() *Document) {
	texts := []string{"CORNER SHOP", "Bread 4.50", "Milk 5.50", total, "Thank you"}
	img, boxes := renderRows(t, 420, 600, 16, texts, []int{40, 120, 160, 220, 560})
	raw := &Page{Width: 420, Height: 600}
	read := []string{"CORNER SHOP", "Bread 4.50", "Milk 5.50", misread, "Thank you"}
	for i, tx := range read {
		raw.Words = append(raw.Words, Word{Text: tx, Box: boxes[i], Conf: 80})
	}
	doc := &Document{
		Header: Header{Total: "19.00", Confidence: map[string]float64{"total": conf}},
		Lines:  []Line{{Description: "Bread", Amount: "4.50"}, {Description: "Milk", Amount: "5.50"}},
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Skip(err)
	}
	return raw, doc, func() *Document {
		defer e.Close()
		if err := e.totalCropLook(context.Background(), img, nil, raw, nil, doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
}

// TestTotalCropConfirmedByLines: "TOTAL 10.00" read "TOTAL $19.00" on
// the page (unconfirmed: the lines add up to 10.00) is read again from
// its row's crop, and 10.00, which the lines confirm, replaces it. Fails
// without the total's crop look (the misread 19.00 stays).
func TestTotalCropConfirmedByLines(t *testing.T) {
	defer withTotalCrops(true)()
	_, _, run := totalCropDoc(t, "TOTAL 10.00", "TOTAL $19.00", 0.5)
	doc := run()
	if doc.Header.Total != "10.00" || doc.Header.Confidence["total"] < 0.9 {
		t.Errorf("total %q (conf %.2f), want 10.00 confirmed by the lines", doc.Header.Total, doc.Header.Confidence["total"])
	}
}

// TestTotalCropRefuses: a re-read amount nothing confirms (the row
// prints 12.00, the lines add up to 10.00) does not replace the first
// reading's total, even when both scales read it alike; a confirmed
// total is never read again.
func TestTotalCropRefuses(t *testing.T) {
	defer withTotalCrops(true)()
	_, _, run := totalCropDoc(t, "TOTAL 12.00", "TOTAL $19.00", 0.5)
	if doc := run(); doc.Header.Total != "19.00" || doc.Header.Confidence["total"] != 0.5 {
		t.Errorf("unconfirmed re-read: total %q (conf %.2f), want the first reading's 19.00 (0.50)", doc.Header.Total, doc.Header.Confidence["total"])
	}
	before := totalCropReads.Load()
	_, _, run = totalCropDoc(t, "TOTAL 10.00", "TOTAL $19.00", 0.95)
	if doc := run(); doc.Header.Total != "19.00" || totalCropReads.Load() != before {
		t.Errorf("confirmed total: %q after %d crop readings, want 19.00 untouched and none", doc.Header.Total, totalCropReads.Load()-before)
	}
}

// TestTotalCropEmptyBothScales: with no total read, a re-read amount
// both scales read alike is taken, unconfirmed.
func TestTotalCropEmptyBothScales(t *testing.T) {
	defer withTotalCrops(true)()
	_, doc, run := totalCropDoc(t, "TOTAL 12.00", "TOTAL", 0)
	doc.Header.Total = ""
	doc = run()
	if doc.Header.Total != "12.00" || doc.Header.Confidence["total"] > secondLookConf {
		t.Errorf("total %q (conf %.2f), want 12.00 unconfirmed", doc.Header.Total, doc.Header.Confidence["total"])
	}
}
