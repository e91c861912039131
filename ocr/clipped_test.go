package ocr

import "testing"

// clippedOn turns the rule on for a test (it is off by default).
func clippedOn(t *testing.T) {
	old := clippedAmountsOn
	clippedAmountsOn = true
	t.Cleanup(func() { clippedAmountsOn = old })
}

// edgePage is a receipt page whose amounts end at its right edge (the
// outline cut there): right() puts them against x = 560.
func edgePage(rows ...[]Word) *Page {
	p := receiptPage(rows...)
	p.Width = 560
	return p
}

// "RM 5.9" at the page's edge: the amount's last digit was cut off. It is
// read as 5.90, flagged; without the rule the row gives no line.
func TestClippedAmountAtEdge(t *testing.T) {
	clippedOn(t)
	build := func() *Document {
		return Extract([]*Page{edgePage(
			line(20, "RESTAURANT", "PICCADILLY"),
			right(160, "1", "DIET", "COKE", "RM", "2.30"),
			right(190, "1", "SEAFOOD", "FRD", "RICE", "RM", "5.9"),
			right(220, "1", "HONEY", "PLUM", "RM", "2.3¢"),
		)})
	}
	doc := build()
	if len(doc.Lines) != 3 {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	for i, want := range []string{"2.30", "5.90", "2.30"} {
		if doc.Lines[i].Amount != want {
			t.Errorf("line %d amount %q, want %s", i, doc.Lines[i].Amount, want)
		}
	}
	for _, i := range []int{1, 2} {
		if l := doc.Lines[i]; !l.NeedsReview || l.Confidence > clippedConf {
			t.Errorf("guessed line %d not flagged: %+v", i, l)
		}
	}
	clippedAmountsOn = false
	if n := len(build().Lines); n != 1 {
		t.Errorf("without the rule: %d lines, want 1", n)
	}
}

// The lines' sum against the subtotal chooses the lost digit: 5.95, and
// the line is confirmed.
func TestClippedAmountDigitBySubtotal(t *testing.T) {
	clippedOn(t)
	doc := Extract([]*Page{edgePage(
		right(160, "1", "DIET", "COKE", "2.30"),
		right(190, "1", "SEAFOOD", "RICE", "5.9"),
		right(220, "1", "TEA", "1.50"),
		right(260, "SUBTOTAL", "9.75"),
	)})
	if len(doc.Lines) != 3 || doc.Lines[1].Amount != "5.95" {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	if doc.Lines[1].NeedsReview {
		t.Errorf("confirmed line flagged: %+v", doc.Lines[1])
	}
}

// Not a clipped amount: one decimal away from the page's edge (a measure,
// "1.5 L"), or two decimals at the edge.
func TestClippedAmountRefuses(t *testing.T) {
	clippedOn(t)
	p := receiptPage(
		right(160, "1", "DIET", "COKE", "2.30"),
		right(190, "1", "WATER", "1.5"),
	)
	p.Width = 600 // the amounts end 40 px before the edge
	if ws := clippedAmounts(p); &ws[0] != &p.Words[0] {
		t.Errorf("words rewritten away from the edge: %+v", ws)
	}
	q := edgePage(right(160, "1", "DIET", "COKE", "2.30"))
	if ws := clippedAmounts(q); ws[len(ws)-1].clipped {
		t.Errorf("a whole amount marked clipped")
	}
}

// A guessed last digit yields to the second reading's amount of the same
// row; a line read whole does not.
func TestClippedLineTakesSecondReading(t *testing.T) {
	clippedOn(t)
	doc := Extract([]*Page{edgePage(
		right(160, "1", "DIET", "COKE", "2.30"),
		right(190, "1", "SEAFOOD", "FRD", "RICE", "8.0"),
		right(260, "TOTAL", "8.20"),
	)})
	if len(doc.Lines) != 2 || doc.Lines[1].Amount != "8.00" || !doc.Lines[1].clipped {
		t.Fatalf("lines = %+v", doc.Lines)
	}
	other := []Line{
		{Description: "DIET COKE", Qty: 1, UnitPrice: "2.80", Amount: "2.80"},
		{Description: "SEAFOOD FRD RICE", Qty: 1, UnitPrice: "5.90", Amount: "5.90"},
	}
	mergeLines(doc, other)
	if l := doc.Lines[1]; l.Amount != "5.90" || !l.NeedsReview {
		t.Errorf("clipped line = %+v, want 5.90 flagged", l)
	}
	if l := doc.Lines[0]; l.Amount != "2.30" {
		t.Errorf("line read whole replaced: %+v", l)
	}
}
