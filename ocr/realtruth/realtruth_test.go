package realtruth

import (
	"fmt"
	"os"
	"testing"
)

func TestSplitStratifiedAndStable(t *testing.T) {
	var docs []*Doc
	for i := 0; i < 24; i++ {
		docs = append(docs, &Doc{ID: fmt.Sprintf("wr%02d", i), Set: "wildreceipt"})
	}
	for i := 0; i < 16; i++ {
		docs = append(docs, &Doc{ID: fmt.Sprintf("sroie%03d", i*40), Set: "sroie"})
	}
	Split(docs)
	first := map[string]string{}
	count := map[string]int{}
	for _, d := range docs {
		first[d.ID] = d.Half
		if d.Half == Dev {
			count[d.Set]++
		}
	}
	if count["wildreceipt"] != 12 || count["sroie"] != 8 {
		t.Fatalf("dev per set = %v, want half of each set", count)
	}
	// The order of the input does not matter.
	for i, j := 0, len(docs)-1; i < j; i, j = i+1, j-1 {
		docs[i], docs[j] = docs[j], docs[i]
	}
	Split(docs)
	for _, d := range docs {
		if first[d.ID] != d.Half {
			t.Fatalf("%s moved from %s to %s", d.ID, first[d.ID], d.Half)
		}
	}
}

func TestMatching(t *testing.T) {
	it := Item{Desc: "GreekSalad", Amount: "8.99"}
	if !LineMatches(it, Line{Desc: "1 Greek Salad", Amount: "8.99"}) {
		t.Error("spaces and case must not matter")
	}
	if LineMatches(it, Line{Desc: "Greek Salad", Amount: "9.89"}) {
		t.Error("money must match")
	}
	if LineMatches(it, Line{Desc: "Pita Bread", Amount: "8.99"}) {
		t.Error("description must overlap")
	}
	if !SupplierMatches("THE REAL GREEK", "THEREAL GREEK TheRealGreekHoxton") {
		t.Error("letterhead with part of the annotated name")
	}
	if SupplierMatches("Total 12.00 Cash 20.00 THE REAL GREEK Hoxton Square London N1 6PB Tel 020 7739 8212 VAT 123", "THEREAL GREEK") {
		t.Error("a whole page is not a supplier")
	}
	d := &Doc{Date: "2016-01-03", DateText: "1/3/2016"}
	if !d.DateMatches("2016-03-01") || !d.DateMatches("2016-01-03") {
		t.Error("an ambiguous numeric date counts in either order")
	}
	d = &Doc{Date: "2017-04-01", DateText: "01-APR-2017"}
	if d.DateMatches("2017-01-04") {
		t.Error("a month name is not ambiguous")
	}
	d = &Doc{Total: "20.00", TotalAlt: []string{"19.20", "20.00"}}
	if !d.TotalMatches("19.20") || d.TotalMatches("19.00") {
		t.Error("total alternatives")
	}
}

func TestNaive(t *testing.T) {
	r := Naive("LUNA GRILL\n3/7/2017 12:01\n1 Greek Salad 8.99\nHouse Dressing 0.00 T\nSubtotal 8.99\nTax 0.79\nTOTAL $9.78\nCash 20.00\n")
	if r.Supplier != "LUNA GRILL" || r.Date != "2017-07-03" || r.Total != "9.78" {
		t.Errorf("header %+v", r)
	}
	want := []Line{{Desc: "1 Greek Salad", Amount: "8.99"}, {Desc: "House Dressing", Amount: "0.00"}, {Desc: "Cash", Amount: "20.00"}}
	if fmt.Sprint(r.Lines) != fmt.Sprint(want) {
		t.Errorf("lines %v, want %v", r.Lines, want)
	}
}

func TestLoadShared(t *testing.T) {
	docs, err := Load("../../../shared/data/real-documents")
	if os.IsNotExist(err) {
		t.Skip("shared real documents absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, d := range docs {
		n[d.Half]++
		t.Logf("%s %s", d.ID, d.Half)
		if _, err := os.Stat(d.Image); err != nil {
			t.Error(err)
		}
	}
	if n[Dev] == 0 || n[HeldOut] == 0 {
		t.Fatalf("halves %v", n)
	}
}

// TestTallyWrongApart: a wrong total or date is counted apart from an
// empty one.
func TestTallyWrongApart(t *testing.T) {
	d := &Doc{Total: "10.00", Date: "2024-03-05", DateText: "5 Mar 2024"}
	var tl Tally
	tl.Add(d, Result{Total: "10.00", Date: "2024-03-06"})
	tl.Add(d, Result{})
	tl.Add(d, Result{Total: "1.00", Date: "2024-03-05"})
	if tl.Totals != 1 || tl.WrongTotals != 1 || tl.Dates != 1 || tl.WrongDates != 1 || tl.TotalDocs != 3 {
		t.Errorf("tally %+v: want 1 right and 1 wrong of 3 for each", tl)
	}
}
