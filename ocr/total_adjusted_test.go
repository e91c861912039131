package ocr

import "testing"

// TestAdjustedTotalUnlabelled: the total's label unread ("4 Beh 港幣"),
// the subtotal's misread ("貨品總什") and one line's amount misread (the
// lines do not add up to the subtotal, so summaryTotal cannot anchor
// it): the amount under the discount that is the subtotal less the
// discount is the total. Specks' rows between, a speck after the
// subtotal ("7,706.76 3") do not matter. Without the discount's label,
// or when the arithmetic is off by a cent, or when a total was read,
// nothing changes.
func TestAdjustedTotalUnlabelled(t *testing.T) {
	mk := func(subLabel, discLabel, tot string) *Document {
		return Extract([]*Page{page(
			line(40, "Wing", "Cheong", "Trading", "Co.,", "Ltd."),
			line(200, "SKU", "Description", "Qty", "Unit", "Price", "Amount"),
			line(280, "507953", "Jasmine", "Rice", "1", "68.50", "68.50"),
			line(320, "976714", "Oyster", "Sauce", "3", "18.50", "5.50"),
			line(460, subLabel, "124.00", "3"),
			line(500, ":"),
			line(540, discLabel, "-4.00", "中"),
			line(580, "4", "Beh", "港幣", tot),
		)})
	}
	if d := mk("貨品總什", "優惠", "120.00"); d.Header.Total != "120.00" || d.Header.Confidence["total"] < 0.9 {
		t.Errorf("total %q conf %v, want 120.00 confirmed", d.Header.Total, d.Header.Confidence)
	}
	// Otherwise the guess from the lines stands, unconfirmed.
	if d := mk("貨品總什", "abc", "120.00"); d.Header.Total == "120.00" || d.Header.Confidence["total"] >= 0.9 {
		t.Errorf("adjustment not named a discount: total %q conf %v", d.Header.Total, d.Header.Confidence)
	}
	if d := mk("貨品總什", "優惠", "120.01"); d.Header.Total == "120.01" || d.Header.Confidence["total"] >= 0.9 {
		t.Errorf("arithmetic off by a cent: total %q conf %v", d.Header.Total, d.Header.Confidence)
	}
	if d := mk("abc", "優惠", "120.00"); d.Header.Total == "120.00" || d.Header.Confidence["total"] >= 0.9 {
		t.Errorf("first amount names no sum: total %q conf %v", d.Header.Total, d.Header.Confidence)
	}
}
