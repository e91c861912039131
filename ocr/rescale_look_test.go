package ocr

import "testing"

// TestTakeRescaledOnlyWhenItAddsUp: the rescaled look's lines replace the
// first reading's only when they add up to its total and the first's do
// not; the first reading's date and supplier stand.
func TestTakeRescaledOnlyWhenItAddsUp(t *testing.T) {
	first := func() *Document {
		return &Document{
			Header: Header{Supplier: "CAFE ONE", Date: "2024-03-01", Total: "12.50", Confidence: map[string]float64{"total": 0.6, "date": 0.9}},
			Lines:  []Line{{Description: "Tea", Amount: "3.00"}},
		}
	}
	adds := &Document{
		Header: Header{Supplier: "CAFE 0NE", Date: "2024-08-01", Total: "12.50", Confidence: map[string]float64{"total": 0.99}},
		Lines:  []Line{{Description: "Tea", Amount: "3.00"}, {Description: "Cake", Amount: "9.50"}},
	}
	doc := first()
	if !takeRescaled(doc, adds) {
		t.Fatal("lines that add up to the total not taken")
	}
	if len(doc.Lines) != 2 || doc.Header.Total != "12.50" || doc.Header.Confidence["total"] != 0.99 {
		t.Fatalf("lines/total not the rescaled reading's: %+v %+v", doc.Lines, doc.Header)
	}
	if doc.Header.Supplier != "CAFE ONE" || doc.Header.Date != "2024-03-01" {
		t.Fatalf("first reading's supplier/date replaced: %+v", doc.Header)
	}
	// Lines that do not add up are never taken.
	short := &Document{Header: adds.Header, Lines: []Line{{Description: "Cake", Amount: "9.50"}, {Description: "Bun", Amount: "1.00"}}}
	doc = first()
	if takeRescaled(doc, short) || len(doc.Lines) != 1 {
		t.Fatal("lines that do not add up taken")
	}
	// One line equal to the total is no evidence (the total's row read
	// as an item).
	one := &Document{Header: adds.Header, Lines: []Line{{Description: "TOTAL", Amount: "12.50"}}}
	doc = first()
	if takeRescaled(doc, one) || len(doc.Lines) != 1 {
		t.Fatal("one line equal to the total taken")
	}
	// A first reading that adds up stands.
	doc = first()
	doc.Header.Total = "3.00"
	if takeRescaled(doc, adds) || len(doc.Lines) != 1 {
		t.Fatal("a first reading that adds up replaced")
	}
}

// TestMergeRescaledOnlyLinesThatCheck: a line of the rescaled reading is
// added when its qty × unit price = amount holds, or when the lines then
// add up to the total; never one that checks neither way.
func TestMergeRescaledOnlyLinesThatCheck(t *testing.T) {
	first := func() *Document {
		return &Document{
			Header: Header{Total: "20.00", Confidence: map[string]float64{"total": 0.6}},
			Lines:  []Line{{Description: "Tea", Amount: "3.00"}},
		}
	}
	checked := Line{Description: "Cake", Qty: 2, UnitPrice: "2.50", Amount: "5.00", Fields: FieldConfidence{Qty: 0.99, UnitPrice: 0.99, Amount: 0.99}}
	unchecked := Line{Description: "Bun", Qty: 1, Amount: "4.00", NeedsReview: true, Fields: FieldConfidence{Qty: 0.1, UnitPrice: 0.1, Amount: 0.2}}
	d2 := &Document{Lines: []Line{{Description: "Tea", Amount: "3.00"}, checked, unchecked}}
	doc := first()
	if n := mergeRescaled(doc, d2); n != 1 || len(doc.Lines) != 2 || doc.Lines[1].Description != "Cake" {
		t.Fatalf("want the checked line alone added, got %d: %+v", n, doc.Lines)
	}
	// Lines that then add up to the total are all added.
	sum := &Document{Lines: []Line{{Description: "Tea", Amount: "3.00"}, unchecked, {Description: "Pie", Amount: "13.00", NeedsReview: true}}}
	doc = first()
	if n := mergeRescaled(doc, sum); n != 2 || len(doc.Lines) != 3 {
		t.Fatalf("lines adding up to the total not added: %d %+v", n, doc.Lines)
	}
}
