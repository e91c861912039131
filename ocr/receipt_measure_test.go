package ocr

import "testing"

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
