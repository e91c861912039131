package ocr

import (
	"strings"
	"testing"
)

// TestReceiptWeighedLineTakesNameAbove: a grocery item printed as its
// name on one row and the weighed quantity, unit price and amount on the
// next ("BANANAS" / "0.500 kg @ 2.40/kg 1.20") is one line named
// BANANAS, not a line named "0.500 kg @ 2.40/kg"; the name is taken from
// the row above only (the next item's name below is not it).
func TestReceiptWeighedLineTakesNameAbove(t *testing.T) {
	p := receiptPage(
		line(20, "SHOP"),
		right(100, "Bread", "2.00"),
		line(130, "BANANAS"),
		right(160, "0.500", "kg", "@90:@", "2.40/kg", "1.20"),
		line(190, "APPLES"),
		right(220, "1.23", "lb", "@90:@", "$0.99", "/lb", "1.22"),
		right(250, "Milk", "1.78"),
		right(300, "TOTAL", "6.20"),
	)
	doc := Extract([]*Page{p})
	want := map[string]string{"2.00": "Bread", "1.20": "BANANAS", "1.22": "APPLES", "1.78": "Milk"}
	if len(doc.Lines) != len(want) {
		t.Fatalf("%d lines %+v, want %d", len(doc.Lines), doc.Lines, len(want))
	}
	for _, l := range doc.Lines {
		if want[l.Amount] != l.Description {
			t.Errorf("line %s named %q, want %q", l.Amount, l.Description, want[l.Amount])
		}
	}
}

// TestMeasureOnly: what counts as a weighed or counted quantity alone.
func TestMeasureOnly(t *testing.T) {
	for _, c := range []struct {
		desc []string
		want bool
	}{
		{[]string{"0.500", "kg", "@", "2.40/kg"}, true},
		{[]string{"1.23lb", "@", "$0.99/lb"}, true},
		{[]string{"2", "@", "1.50"}, true},
		{[]string{"0.500"}, false},
		{[]string{"Coke", "2", "@", "1.50"}, false},
		{[]string{"KG"}, false},
		{[]string{"BAG"}, false},
		{[]string{"2", "BAG"}, true},
		{[]string{"Bananas", "kg"}, false},
	} {
		if got := measureOnly(c.desc); got != c.want {
			t.Errorf("measureOnly(%q) = %v, want %v", c.desc, got, c.want)
		}
	}
}

// TestReceiptUnitWordItemKeepsName: an item named by a unit word alone
// ("BAG 0.50", a carrier bag) is no weighed or counted quantity: it keeps
// its name and does not take the row above (a remark under another item).
func TestReceiptUnitWordItemKeepsName(t *testing.T) {
	p := receiptPage(
		line(20, "SHOP"),
		right(100, "Bread", "2.00"),
		line(130, "wholemeal", "sliced"),
		right(160, "BAG", "0.50"),
		right(250, "Milk", "1.78"),
		right(300, "TOTAL", "4.28"),
	)
	for _, l := range Extract([]*Page{p}).Lines {
		if l.Amount == "0.50" && l.Description != "BAG" {
			t.Errorf("line 0.50 named %q, want BAG", l.Description)
		}
	}
}

// TestReceiptWeighedLineNoLabelName: a weighed quantity's row under a
// row that is no item's name (the cashier, a member's price, a "label:"
// row, a promotion) keeps its own text; it takes no wrong name.
func TestReceiptWeighedLineNoLabelName(t *testing.T) {
	for _, above := range [][]string{
		{"Cashier", "Ann"},
		{"Member", "price", "applied"},
		{"Table:", "12"},
		{"PROMO", "weekend"},
	} {
		p := receiptPage(
			line(20, "SHOP"),
			right(70, "Milk", "1.78"),
			line(100, above...),
			right(130, "0.500", "kg", "@90:@", "2.40/kg", "1.20"),
			right(190, "Bread", "2.00"),
			right(300, "TOTAL", "4.98"),
		)
		for _, l := range Extract([]*Page{p}).Lines {
			if l.Amount == "1.20" && l.Description != "0.500 kg @ 2.40/kg" {
				t.Errorf("weighed row under %q named %q, want its own text", above, l.Description)
			}
		}
	}
}

// TestReceiptWeighedDetailUnderPricedItem: a weighed quantity and its unit
// price printed under an item that already carries its amount ("BANANAS
// 1.20" / "0.500 kg @ 2.40/kg 1.20", or the detail row without an amount
// of its own, "1.23 lb @ $0.99") is that item's detail, not a second line:
// the same amount, or quantity × price = the item's amount, says so. It
// was a line named "0.500 kg @ 2.40/kg" and its amount counted twice.
func TestReceiptWeighedDetailUnderPricedItem(t *testing.T) {
	p := receiptPage(
		line(20, "SHOP"),
		right(100, "Bread", "2.00"),
		right(130, "BANANAS", "1.20"),
		right(160, "0.500", "kg", "@90:@", "2.40/kg", "1.20"),
		right(190, "APPLES", "1.22"),
		right(220, "1.23", "lb", "@90:@", "$0.99"),
		right(250, "Milk", "1.78"),
		right(360, "TOTAL", "6.20"),
	)
	doc := Extract([]*Page{p})
	var got []string
	for _, l := range doc.Lines {
		got = append(got, l.Description+" "+l.Amount)
	}
	want := []string{"Bread 2.00", "BANANAS 1.20", "APPLES 1.22", "Milk 1.78"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
	if len(doc.Warnings) > 0 {
		t.Errorf("warnings %q: the lines add up to the total", doc.Warnings)
	}
	// Quantity × price that is not the item's amount: not its detail.
	above := &receiptItem{amount: 300}
	for _, c := range []struct {
		desc   []string
		amount int64
		want   bool
	}{
		{[]string{"2", "pcs", "@"}, 150, true},
		{[]string{"2", "pcs", "@"}, 125, false},
		{[]string{"1.23lb", "@"}, 244, true}, // 1.23 × 2.44 = 3.0012
		{[]string{"0.500", "kg", "@"}, 300, true},
		{[]string{"kg", "@"}, 150, false},
	} {
		if got := measureDetail(&receiptItem{desc: c.desc, amount: c.amount}, above); got != c.want {
			t.Errorf("measureDetail(%q, %d) under 3.00 = %v, want %v", c.desc, c.amount, got, c.want)
		}
	}
}
