package ocr

import (
	"strings"
	"testing"
)

func TestHarmoniseCodes(t *testing.T) {
	lines := []Line{
		{SKU: "N6098-L"}, {SKU: "D0445-02"}, {SKU: "C2510-BL"}, {SKU: "T1739-RD"},
		{SKU: "RO242-01"}, // letter O read for a zero
		{SKU: "N0336.S"},  // dash read as a dot
		{SKU: "K3825-02"}, // a digit suffix among letter suffixes stays
		{SKU: "8B7126-RD", altCode: "B7126-RD"},
	}
	harmoniseCodes(lines)
	want := []string{"N6098-L", "D0445-02", "C2510-BL", "T1739-RD", "R0242-01", "N0336-S", "K3825-02", "B7126-RD"}
	for i, l := range lines {
		if l.SKU != want[i] {
			t.Errorf("line %d: %q, want %q (%v)", i, l.SKU, want[i], l.Problems)
		}
	}
	for _, i := range []int{4, 5, 7} {
		if !lines[i].NeedsReview {
			t.Errorf("repaired line %d must need review", i)
		}
	}
	for _, i := range []int{0, 1, 6} {
		if lines[i].NeedsReview {
			t.Errorf("line %d flagged: %v", i, lines[i].Problems)
		}
	}
}

func TestHarmoniseMisreadBarcode(t *testing.T) {
	lines := []Line{{Barcode: "4896214691884"}, {Barcode: "9581930695326"}, {SKU: "69272083057"}}
	harmoniseCodes(lines)
	if !lines[2].NeedsReview || !strings.Contains(strings.Join(lines[2].Problems, ";"), "barcode") {
		t.Errorf("an 11-digit code among barcodes must be flagged: %+v", lines[2])
	}
}

func TestSecondOpinion(t *testing.T) {
	p := page(
		line(200, "條碼", "Barcode", "數量", "Qty", "單價", "Price", "金額", "Amount"),
		line(240, "4896996395963", "Milk", "58", "15.20", "881.60"),
		line(280, "4896214691884", "Tea", "23", "3.00", "69.00"),
	)
	// The first barcode's check digit happens to hold for a misread; the
	// second reading disagrees and the line must be flagged. The second
	// barcode is confirmed by its second reading.
	for i := range p.Words {
		switch p.Words[i].Text {
		case "4896996395963":
			p.Words[i].Alt = "4898996395363"
		case "4896214691884":
			p.Words[i].Alt = "4896214691884"
			p.Words[i].Conf = 0 // Tesseract's word confidence is no guide for codes
		}
	}
	doc := Extract([]*Page{p})
	if len(doc.Lines) != 2 {
		t.Fatalf("lines: %+v", doc.Lines)
	}
	if !doc.Lines[0].NeedsReview {
		t.Errorf("disagreeing readings not flagged: %+v", doc.Lines[0])
	}
	if doc.Lines[1].NeedsReview || doc.Lines[1].Confidence < 0.9 {
		t.Errorf("agreeing readings flagged: %+v", doc.Lines[1])
	}
}
