package ocr

import (
	"slices"
	"strings"
	"testing"
)

// TestSecondLookKeepsRepeatedItem: a real repeated item ("Coke 5.00"
// twice) of which the first reading lost one: the second reading's second
// Coke is the missing line, not the first reading's Coke read again (that
// one is matched by its amount already), and is added, flagged.
func TestSecondLookKeepsRepeatedItem(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Coke", "5.00"), line(130, "Co~e"), right(160, "Chips", "3.00"), right(220, "Total", "13.00"))
	doc := Extract([]*Page{first})
	raw := receiptPage(right(100, "Coke", "5.00"), right(130, "Coke", "5.00"), line(160, "Ch~ps"), right(220, "Total", "13.00"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	n := 0
	for _, l := range doc.Lines {
		if l.Amount == "5.00" {
			n++
		}
	}
	if n != 2 || len(doc.Lines) != 3 || !doc.NeedsReview {
		var got []string
		for _, l := range doc.Lines {
			got = append(got, l.Description+" "+l.Amount)
		}
		t.Errorf("lines %q (review %v), want Coke 5.00 twice and Chips 3.00, flagged", got, doc.NeedsReview)
	}
}

// TestSecondLookOneLineEqualToTotal: a second reading whose only line is
// the total's amount (the total row, or a payment, read as an item) adds
// up by accident: it does not replace the first reading's lines.
func TestSecondLookOneLineEqualToTotal(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Apples", "3.00"), right(130, "Pears", "2.80"), right(200, "Total", "5.50"))
	doc := Extract([]*Page{first})
	raw := receiptPage(line(100, "Appl~s"), line(130, "Pe~rs"), right(160, "Sales", "5.50"), right(200, "Total", "5.50"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	var got []string
	for _, l := range doc.Lines {
		got = append(got, l.Description+" "+l.Amount)
	}
	if !slices.Equal(got, []string{"Apples 3.00", "Pears 2.80"}) || !doc.NeedsReview {
		t.Errorf("lines %q (review %v), want the first reading's two, flagged", got, doc.NeedsReview)
	}
}

// TestRepairBySumKeepsAmountTheSumConfirms: the lines as read add up to
// the subtotal (100.00); the one failing line's price is misread (60.00
// for 50.00). The total (110.00, a service charge on top) happens to be
// the lines with qty × price instead: the sum confirms the amount as
// read, not the product, and nothing is repaired.
func TestRepairBySumKeepsAmountTheSumConfirms(t *testing.T) {
	lines := []Line{
		{Description: "Set A", Qty: 1, UnitPrice: "50.00", Amount: "50.00"},
		{Description: "Set B", Qty: 1, UnitPrice: "60.00", Amount: "50.00", Problems: []string{mismatchProblem}, NeedsReview: true},
	}
	if i := repairLineBySum(lines, []int64{10000, 11000}); i >= 0 || lines[1].Amount != "50.00" || !lines[1].NeedsReview {
		t.Errorf("repaired line %d to %s (review %v); want 50.00 kept, flagged", i, lines[1].Amount, lines[1].NeedsReview)
	}
	// Without the subtotal the total alone confirms the repair.
	lines[1] = Line{Description: "Set B", Qty: 1, UnitPrice: "60.00", Amount: "50.00", Problems: []string{mismatchProblem}, NeedsReview: true}
	if i := repairLineBySum(lines, []int64{11000}); i != 1 || lines[1].Amount != "60.00" {
		t.Errorf("repaired line %d to %s; want line 1 to 60.00", i, lines[1].Amount)
	}
}

// TestTableDescriptionsNotFromRowAbove: the titled table's description of
// a line read from the row above its numbers (nameAbove: it may be
// another item's) does not replace the coded rows' reading of it
// unflagged: a description of the line's own row stands; a line without
// one takes it with its flag.
func TestTableDescriptionsNotFromRowAbove(t *testing.T) {
	d := &Document{Lines: []Line{
		{Description: "Shrimp", Qty: 60, UnitPrice: "69.30", Amount: "4158.00"},
		{Description: "12", Qty: 12, UnitPrice: "8.50", Amount: "102.00"},
	}}
	tb := &Document{Lines: []Line{
		{Description: "Green Tea Dried Shrimp 100g", Qty: 60, UnitPrice: "69.30", Amount: "4158.00", nameAbove: true},
		{Description: "Dark Chocolate", Qty: 12, UnitPrice: "8.50", Amount: "102.00", nameAbove: true},
	}}
	tableDescriptions(d, tb)
	checkNameAbove(d)
	if l := d.Lines[0]; l.Description != "Shrimp" || l.NeedsReview {
		t.Errorf("line 1: %q review %v; want its own \"Shrimp\"", l.Description, l.NeedsReview)
	}
	if l := d.Lines[1]; l.Description != "Dark Chocolate" || !l.NeedsReview || !d.NeedsReview {
		t.Errorf("line 2: %q review %v (document %v); want the table's, flagged", l.Description, l.NeedsReview, d.NeedsReview)
	}
}

// TestSecondLookAddsTheMissingItemNotItsTwin: two items of the same
// amount, the first reading lost one (Pepsi): the second reading's Coke is
// the first's Coke, its Pepsi the missing line (not a second Coke).
func TestSecondLookAddsTheMissingItemNotItsTwin(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Coke", "5.00"), right(130, "Chips", "3.00"), line(160, "Pe~~i"), right(220, "Total", "13.00"))
	doc := Extract([]*Page{first})
	raw := receiptPage(right(100, "Pepsi", "5.00"), right(130, "Coke", "5.00"), line(160, "Ch~ps"), right(220, "Total", "13.00"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	var got []string
	for _, l := range doc.Lines {
		got = append(got, l.Description+" "+l.Amount)
	}
	if !slices.Equal(got, []string{"Coke 5.00", "Chips 3.00", "Pepsi 5.00"}) {
		t.Errorf("lines %q, want Coke, Chips and the missing Pepsi", got)
	}
}

// TestSecondLookOneAmountAndZeros: the total's amount beside a line of
// 0.00 (a free bag) adds up by accident just as the total alone does: the
// lines of 0.00 do not count as confirmation.
func TestSecondLookOneAmountAndZeros(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Apples", "3.00"), right(130, "Pears", "2.80"), right(200, "Total", "5.50"))
	doc := Extract([]*Page{first})
	raw := receiptPage(line(100, "Appl~s"), line(130, "Pe~rs"), right(160, "Sales", "5.50"), right(175, "Paper", "Bag", "0.00"), right(200, "Total", "5.50"))
	if o := Extract([]*Page{raw}); len(o.Lines) != 2 {
		t.Fatalf("second reading's lines %+v, want Sales 5.50 and Paper Bag 0.00", o.Lines)
	}
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	var got []string
	for _, l := range doc.Lines {
		got = append(got, l.Description+" "+l.Amount)
	}
	if len(got) < 2 || got[0] != "Apples 3.00" || got[1] != "Pears 2.80" {
		t.Errorf("lines %q, want the first reading's two kept", got)
	}
}

// TestSecondLookReplacedLinesDropStaleWarning: once the second reading's
// lines replace the first's, the warning about the first's sum (8.00
// against 5.50) describes lines no longer returned: it goes; the document
// stays flagged.
func TestSecondLookReplacedLinesDropStaleWarning(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Apples", "8.00"), right(130, "Total", "5.50"))
	doc := Extract([]*Page{first})
	raw := receiptPage(right(100, "Apples", "3.00"), right(130, "Pears", "2.50"), right(160, "Total", "5.50"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	for _, w := range doc.Warnings {
		if strings.HasPrefix(w, "line amounts add up to") {
			t.Errorf("stale warning %q", w)
		}
	}
	if len(doc.Lines) != 2 || !doc.NeedsReview {
		t.Errorf("lines %+v review %v; want the second reading's two, document flagged", doc.Lines, doc.NeedsReview)
	}
}
