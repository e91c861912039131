package realtruth

import (
	"fmt"
	"os"
	"testing"
)

func TestTmpBare(t *testing.T) {
	docs, _ := Load("../../../shared/data/real-documents")
	var tl Tally
	for _, d := range docs {
		if d.Half != os.Getenv("HALF") {
			continue
		}
		b, err := os.ReadFile("/tmp/ocrh/bare/" + d.ID + ".txt")
		if err != nil {
			continue
		}
		r := Naive(string(b))
		tl.Add(d, r)
		s := d.ScoreLines(r.Lines)
		fmt.Printf("%s %d/%d got %d total %v date %v sup %v %q\n", d.ID, s.Right, s.Truth, s.Got, d.TotalMatches(r.Total), d.DateMatches(r.Date), SupplierMatches(r.Supplier, d.Company), r.Supplier)
	}
	s := tl.Lines
	fmt.Printf("P %.3f R %.3f F1 %.3f total %d/%d date %d/%d sup %d/%d\n", s.Precision(), s.Recall(), s.F1(), tl.Totals, tl.TotalDocs, tl.Dates, tl.DateDocs, tl.Suppliers, tl.SupplierDocs)
}
