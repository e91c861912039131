package ocr

import (
	"strings"
	"testing"
)

// withLookLines turns the second look's lines on for one test.
func withLookLines(t *testing.T) {
	saved := secondLookLines
	secondLookLines = true
	t.Cleanup(func() { secondLookLines = saved })
}

// TestSecondLookAddsMissingLines: the first reading lost a row (its
// lines add up to 5.00 against a total of 7.50); the second reading has
// it but lost another: it is returned, flagged, beside the first
// reading's lines, and the line both readings have is not doubled.
func TestSecondLookAddsMissingLines(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Apples", "3.00"), line(130, "Pe~rs"), right(145, "Plums", "2.00"), right(160, "Total", "7.50"))
	doc := Extract([]*Page{first})
	raw := receiptPage(right(100, "Apples", "3.00"), right(130, "Pears", "2.50"), line(145, "Pl~ms"), right(160, "Total", "7.50"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	amounts := map[string]int{}
	for _, l := range doc.Lines {
		amounts[l.Amount]++
		if l.Amount == "2.50" && (!l.NeedsReview || l.Confidence > secondReadingConf) {
			t.Errorf("line %q %s from the second reading only: review %v, confidence %.2f; want flagged, ≤ %.2f", l.Description, l.Amount, l.NeedsReview, l.Confidence, secondReadingConf)
		}
	}
	if amounts["3.00"] != 1 || amounts["2.50"] != 1 || amounts["2.00"] != 1 {
		t.Errorf("lines %v, want 3.00, 2.50 and 2.00 once each", amounts)
	}
}

// TestSecondLookLinesThatAddUp: the second reading's lines add up to the
// total and the first reading's do not: the second reading's replace them.
func TestSecondLookLinesThatAddUp(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Apples", "8.00"), right(130, "Total", "5.50"))
	doc := Extract([]*Page{first})
	raw := receiptPage(right(100, "Apples", "3.00"), right(130, "Pears", "2.50"), right(160, "Total", "5.50"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	if len(doc.Lines) != 2 || doc.Lines[0].Amount != "3.00" || doc.Lines[1].Amount != "2.50" {
		t.Errorf("lines %+v, want the second reading's 3.00 and 2.50", doc.Lines)
	}
}

// TestSecondLookKeepsReconciledLines: lines that add up to the total are
// not touched by a second reading.
func TestSecondLookKeepsReconciledLines(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "Apples", "3.00"), right(130, "Pears", "2.50"), right(160, "Total", "5.50"))
	doc := Extract([]*Page{first})
	raw := receiptPage(right(100, "Apples", "3.00"), right(130, "Pears", "2.50"), right(145, "Plums", "9.99"), right(160, "Total", "5.50"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	if len(doc.Lines) != 2 {
		t.Errorf("%d lines, want the first reading's 2", len(doc.Lines))
	}
}

// TestSecondLookSkipsRereadAndOversized: a second reading's line that is
// a first reading's line read with another amount ("Targe Diet Coke 1.68"
// for "I-Large Diet Coke 1.63") is not added, nor one larger than what
// the first reading's lines leave of the total; one that fits is.
func TestSecondLookSkipsRereadAndOversized(t *testing.T) {
	withLookLines(t)
	first := receiptPage(right(100, "I-Large", "Diet", "Coke", "1.63"), right(120, "Tenderloin", "9.78"), line(140, "Onl~n"), right(200, "Total", "17.45"))
	doc := Extract([]*Page{first})
	raw := receiptPage(right(100, "Targe", "Diet", "Coke", "1.68"), right(120, "Tenderloin", "9.78"), right(140, "Onion", "Rings", "3.38"), right(160, "Lobster", "Tail", "45.00"), right(200, "Total", "17.45"))
	applySecondLook(doc, []*Page{first}, []*Page{raw})
	var got []string
	for _, l := range doc.Lines {
		got = append(got, l.Description+" "+l.Amount)
	}
	want := []string{"I-Large Diet Coke 1.63", "Tenderloin 9.78", "Onion Rings 3.38"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
}

// TestSecondLookSkipsPricedRowReadAgain: the first reading read a row's
// quantity and unit price but not its amount (2 × 18.30); the second
// reading's line of 36.60 with a description read otherwise is that row
// read again, not a missing one: not added, even when the second reading
// also read the row without its amount; nor a line with a first line's
// item code (a row read across two). A line the first lacks is added.
func TestSecondLookSkipsPricedRowReadAgain(t *testing.T) {
	withLookLines(t)
	doc := &Document{Header: Header{Total: "80.60"}, Lines: []Line{
		{Description: "Mixed Nuts 150g", Qty: 2, UnitPrice: "18.30", NeedsReview: true},
		{Description: "Soy Milk 1L", Qty: 1, UnitPrice: "10.00", Amount: "10.00"},
		{Description: "Cream Crackers 400g 6 19.90 119.4¢", Barcode: "8804708014930", NeedsReview: true},
	}}
	mergeLines(doc, []Line{
		{Description: "Mixed Nuts Lightly Salted", Qty: 2, UnitPrice: "18.30"},
		{Description: "a oe 8 ZRH 150", Qty: 1, UnitPrice: "36.60", Amount: "36.60"},
		{Description: "a ae HTH 400 Seaweed Chips", Barcode: "8804708014930", Qty: 1, UnitPrice: "1.20", Amount: "1.20"},
		{Description: "Pencil HB", Qty: 2, UnitPrice: "2.00", Amount: "4.00"},
	})
	var got []string
	for _, l := range doc.Lines {
		got = append(got, l.Description+" "+l.Amount)
	}
	want := []string{"Mixed Nuts 150g ", "Soy Milk 1L 10.00", "Cream Crackers 400g 6 19.90 119.4¢ ", "Pencil HB 4.00"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
}

// TestSecondLookSkipsLinesWithoutMoney: a second reading's line with
// neither an amount nor a unit price (a barcode read over specks) is not
// added: nothing of it can be checked or used. A line with its money is.
func TestSecondLookSkipsLinesWithoutMoney(t *testing.T) {
	withLookLines(t)
	doc := &Document{Lines: []Line{{Description: "Apples", Qty: 1, UnitPrice: "3.00", Amount: "3.00"}}}
	mergeLines(doc, []Line{
		{Barcode: "4692858002109", Description: "0%"},
		{Description: "Pears", Qty: 1, UnitPrice: "2.50", Amount: "2.50"},
	})
	if len(doc.Lines) != 2 || doc.Lines[1].Amount != "2.50" {
		t.Errorf("lines %+v, want Apples and the second reading's Pears", doc.Lines)
	}
}
