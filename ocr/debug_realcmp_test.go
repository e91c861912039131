package ocr

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"pandian/ocr/realtruth"
)

// BenchmarkDebugRealCompare scores Extract on the pages cached by
// BenchmarkDebugRealCache beside the naive baseline on bare Tesseract text
// cached in OCR_REAL_BARE (<id>.txt, `tesseract <image> - --psm 6 -l
// eng+chi_tra`), document by document, so the pages where the baseline's
// rule beats the pipeline show. A development aid; the half is
// OCR_REAL_HALF (default dev; on held-out it prints the counts only and
// refuses OCR_VERBOSE):
//
//	OCR_REAL_CACHE=/tmp/realcache OCR_REAL_BARE=/tmp/bare go test -run '^$' -bench DebugRealCompare -benchtime 1x ./ocr/
func BenchmarkDebugRealCompare(b *testing.B) {
	dir, bare := os.Getenv("OCR_REAL_CACHE"), os.Getenv("OCR_REAL_BARE")
	if dir == "" || bare == "" {
		b.Skip("OCR_REAL_CACHE and OCR_REAL_BARE not set")
	}
	docs := debugRealDocs(b)
	perDoc := debugRealPerDoc(b) // held-out: counts only
	for b.Loop() {
		var ours, base realtruth.Tally
		for _, d := range docs {
			data, err := os.ReadFile(filepath.Join(dir, d.ID+".json"))
			if err != nil {
				continue
			}
			text, err := os.ReadFile(filepath.Join(bare, d.ID+".txt"))
			if err != nil {
				continue
			}
			var p Page
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatalf("%s: %v", d.ID, err)
			}
			doc := Extract([]*Page{&p})
			r := TruthResult(doc)
			n := realtruth.Naive(string(text))
			ours.Add(d, r)
			base.Add(d, n)
			if !perDoc {
				continue
			}
			so, sn := d.ScoreLines(r.Lines), d.ScoreLines(n.Lines)
			fmt.Printf("%-9s lines %d/%d got %d | bare %d/%d got %d | total %-9q %-5v bare %-9q %-5v (%s %v) | date %q %v bare %q %v (%s)\n", d.ID,
				so.Right, so.Truth, so.Got, sn.Right, sn.Truth, sn.Got, r.Total, d.TotalMatches(r.Total), n.Total, d.TotalMatches(n.Total), d.Total, d.TotalAlt,
				r.Date, d.DateMatches(r.Date), n.Date, d.DateMatches(n.Date), d.DateText)
			if os.Getenv("OCR_VERBOSE") != "" {
				for _, l := range r.Lines {
					fmt.Printf("   ours %q q=%d p=%s a=%s review=%v\n", l.Desc, l.Qty, l.UnitPrice, l.Amount, l.NeedsReview)
				}
				for _, l := range n.Lines {
					fmt.Printf("   bare %q a=%s\n", l.Desc, l.Amount)
				}
				for _, it := range d.Items {
					fmt.Printf("   TRUTH %q q=%d a=%s\n", it.Desc, it.Qty, it.Amount)
				}
			}
		}
		for _, x := range []struct {
			n string
			t realtruth.Tally
		}{{"pipeline", ours}, {"bare", base}} {
			s := x.t.Lines
			fmt.Printf("%-8s P %.3f R %.3f F1 %.3f (%d/%d got %d) total %d/%d date %d/%d supplier %d/%d\n", x.n, s.Precision(), s.Recall(), s.F1(), s.Right, s.Truth, s.Got,
				x.t.Totals, x.t.TotalDocs, x.t.Dates, x.t.DateDocs, x.t.Suppliers, x.t.SupplierDocs)
		}
	}
}

// BenchmarkDebugRealCacheScale is BenchmarkDebugRealCache with the pages
// scaled to the line height in OCR_LINE_HEIGHT (instead of
// defaultPrep's), to compare readings at another scale. A development aid.
func BenchmarkDebugRealCacheScale(b *testing.B) {
	dir := os.Getenv("OCR_REAL_CACHE")
	lh, _ := strconv.Atoi(os.Getenv("OCR_LINE_HEIGHT"))
	if dir == "" || lh <= 0 {
		b.Skip("OCR_REAL_CACHE and OCR_LINE_HEIGHT not set")
	}
	saved := defaultPrep
	defer func() { defaultPrep = saved }()
	defaultPrep.lineHeight = lh
	e := debugCacheEngine(b, dir)
	docs := debugRealDocs(b)
	for b.Loop() {
		realCache(b, docs, dir, readPageFunc(e))
	}
}
