package ocr

import "testing"

// A row whose amount was not read (its quantity and unit price were):
// quantity × unit price is exactly what the other lines leave of the
// total, so it is the amount (flagged: never read) and the total is
// confirmed by the lines. A gap the row's arithmetic does not fill is
// left alone.
func TestAmountFromGap(t *testing.T) {
	page := func(total string) *Page {
		return tpage(
			tline(100, "Description@40", "Qty@700", "Unit@880", "Price@940", "Amount@1200"),
			tline(140, "Rose@40", "Body@110", "Wash@180", "10@712", "16.66@900", "166.60@1200"),
			tline(180, "Chocolate@40", "Wafers@160", "20@712", "7.30@912", "146.00@1200"),
			tline(220, "Basa@40", "Fish@110", "Fillet@180", "24@712", "34.90@900", "760@1224"),
			tline(260, "Tomato@40", "Soup@130", "5@724", "11.80@900", "59.00@1212"),
			tline(300, "Siu@40", "Mai@90", "4@724", "27.18@900", "108.72@1200"),
			tline(360, "Total@1000", total+"@1200"),
		)
	}
	doc := Extract([]*Page{page("1317.92")})
	var basa *Line
	for i := range doc.Lines {
		if doc.Lines[i].Qty == 24 {
			basa = &doc.Lines[i]
		}
	}
	if basa == nil || basa.Amount != "837.60" || !basa.NeedsReview {
		t.Fatalf("lines %+v", doc.Lines)
	}
	if doc.Header.Total != "1317.92" || doc.Header.Confidence["total"] < 0.9 {
		t.Errorf("total %q confidence %v", doc.Header.Total, doc.Header.Confidence["total"])
	}
	// 1317.93: one cent the row's arithmetic does not give.
	doc = Extract([]*Page{page("1317.93")})
	for _, l := range doc.Lines {
		if l.Qty == 24 && l.Amount != "" {
			t.Errorf("amount given without the sum's confirmation: %+v", l)
		}
	}
	if doc.Header.Confidence["total"] >= 0.9 {
		t.Errorf("unconfirmed total confirmed: %v", doc.Header.Confidence["total"])
	}
}
