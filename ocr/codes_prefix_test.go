package ocr

import (
	"strings"
	"testing"
)

// TestCodesFromPrefix: in a table whose codes read SKU-nnnnnn, a code
// whose prefix was misread ("$0U-000025", "SkU~000436") is taken out of
// the description as SKU-…, and a code read with another prefix
// ("SKD-000683") gets the others'; both lines are flagged. Words of
// another form are left.
func TestCodesFromPrefix(t *testing.T) {
	doc := Extract([]*Page{page(
		line(40, "Kam", "Po", "Household", "Products", "Ltd."),
		line(100, "No.", "Item", "Code", "Description", "Qty", "Unit", "Price", "Amount"),
		line(140, "1", "SKU-000101", "Apple", "Juice", "2", "3.00", "6.00"),
		line(180, "2", "SKU-000102", "Orange", "Juice", "3", "4.00", "12.00"),
		line(220, "3", "SKU-000103", "Grape", "Juice", "4", "5.00", "20.00"),
		line(260, "4", "$0U-000025", "Distilled", "Water", "10", "5.08", "50.80"),
		line(300, "5", "SkU~000436", "Pork", "Dumplings", "36", "24.70", "889.20"),
		line(340, "6", "AB-12", "Green", "Tea", "2", "1.50", "3.00"),
		line(380, "Total", "980.00"),
	)})
	want := map[string]string{"Distilled": "SKU-000025", "Pork": "SKU-000436", "Green": ""}
	for _, l := range doc.Lines {
		var name, code string
		for n, c := range want {
			if strings.Contains(l.Description, n) {
				name, code = n, c
			}
		}
		if name == "" {
			continue
		}
		delete(want, name)
		if l.SKU != code {
			t.Errorf("line %q: code %q, want %q", l.Description, l.SKU, code)
		}
		if code != "" && !l.NeedsReview {
			t.Errorf("line %q: not flagged", l.Description)
		}
	}
	if len(want) > 0 {
		t.Errorf("lines not read: %v (lines %+v)", want, doc.Lines)
	}

	lines := []Line{{SKU: "SKU-000101"}, {SKU: "SKU-000102"}, {SKU: "SKU-000103"}, {SKU: "SKD-000683"}, {SKU: "5SKU-000593"}, {SKU: "AB-000123"}}
	d := &Document{Lines: lines}
	if n := codesFromPrefix(d); n != 2 || lines[3].SKU != "SKU-000683" || lines[4].SKU != "SKU-000593" || lines[5].SKU != "AB-000123" {
		t.Errorf("codesFromPrefix: %d, %+v", n, lines)
	}
	// Two codes are no form to go by.
	lines = []Line{{SKU: "SKU-000101"}, {SKU: "SKU-000102"}, {Description: "$0U-000025 Water"}}
	if n := codesFromPrefix(&Document{Lines: lines}); n != 0 || lines[2].SKU != "" {
		t.Errorf("codesFromPrefix with two codes: %d, %+v", n, lines)
	}
}

// TestCodesFromPrefixInDescriptions: with the code column's title
// misread no line has a code, each left in its description; the exact
// codes there give the form, so they (and a misread one) become codes.
func TestCodesFromPrefixInDescriptions(t *testing.T) {
	lines := []Line{
		{Description: "SKU-000295 Apple Juice"},
		{Description: "SKU-000296 Orange Juice"},
		{Description: "SKU-000297 Grape Juice"},
		{Description: "$KU-000298 Green Tea"},
		{Description: "Delivery charge"},
	}
	d := &Document{Lines: lines}
	if n := codesFromPrefix(d); n != 4 {
		t.Fatalf("codesFromPrefix: %d, want 4 (%+v)", n, lines)
	}
	for i, want := range []string{"SKU-000295", "SKU-000296", "SKU-000297", "SKU-000298", ""} {
		if lines[i].SKU != want {
			t.Errorf("line %d: code %q, want %q", i, lines[i].SKU, want)
		}
	}
	if lines[0].Description != "Apple Juice" || lines[0].NeedsReview || !lines[3].NeedsReview {
		t.Errorf("lines %+v", lines)
	}
	// Two such codes are no form to go by.
	two := []Line{{Description: "SKU-000295 Apple"}, {Description: "SKU-000296 Pear"}, {Description: "Tea"}}
	if n := codesFromPrefix(&Document{Lines: two}); n != 0 {
		t.Errorf("two codes: %d, %+v", n, two)
	}
}
