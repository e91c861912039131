package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"pandian/ocr/realtruth"
)

const debugRealDir = "../../shared/data/real-documents"

// debugRealDocs lists the real documents of the half in OCR_REAL_HALF
// (default dev: development aids never look at the held-out half unless
// asked).
func debugRealDocs(t *testing.T) []*realtruth.Doc {
	docs, err := realtruth.Load(debugRealDir)
	if err != nil {
		t.Skip(err)
	}
	half := os.Getenv("OCR_REAL_HALF")
	if half == "" {
		half = realtruth.Dev
	}
	var out []*realtruth.Doc
	for _, d := range docs {
		if d.Half == half {
			out = append(out, d)
		}
	}
	return out
}

// TestDebugRealCache OCRs the real documents once and stores their pages as
// JSON in OCR_REAL_CACHE, so TestDebugRealExtract can iterate on extraction
// without re-running Tesseract. Development aid only.
func TestDebugRealCache(t *testing.T) {
	dir := os.Getenv("OCR_REAL_CACHE")
	if dir == "" || os.Getenv("OCR_CACHE_BUILD") == "" {
		t.Skip("OCR_REAL_CACHE and OCR_CACHE_BUILD not set")
	}
	os.MkdirAll(dir, 0o755)
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, d := range debugRealDocs(t) {
		out := filepath.Join(dir, d.ID+".json")
		if _, err := os.Stat(out); err == nil {
			continue
		}
		f, err := os.Open(d.Image)
		if err != nil {
			t.Fatal(err)
		}
		img, err := LoadImage(f, DefaultLimits)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.ReadPage(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(p)
		os.WriteFile(out, b, 0o644)
		t.Logf("%s: %d words", d.ID, len(p.Words))
	}
}

// TestDebugRealExtract scores Extract on the cached pages and prints what
// was read against the truth.
func TestDebugRealExtract(t *testing.T) {
	dir := os.Getenv("OCR_REAL_CACHE")
	if dir == "" {
		t.Skip("OCR_REAL_CACHE not set")
	}
	var tl realtruth.Tally
	for _, d := range debugRealDocs(t) {
		b, err := os.ReadFile(filepath.Join(dir, d.ID+".json"))
		if err != nil {
			continue
		}
		var p Page
		json.Unmarshal(b, &p)
		doc := Extract([]*Page{&p})
		r := realtruth.Result{Total: doc.Header.Total, Date: doc.Header.Date, Supplier: doc.Header.SupplierName()}
		for _, l := range doc.Lines {
			r.Lines = append(r.Lines, realtruth.Line{Desc: l.Description, Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: l.Amount, NeedsReview: l.NeedsReview})
		}
		tl.Add(d, r)
		s := d.ScoreLines(r.Lines)
		fmt.Printf("%s lines %d/%d got %d | total %q %v (%s) | date %q %v (%s) | supplier %q %v (%s)\n", d.ID, s.Right, s.Truth, s.Got,
			r.Total, d.TotalMatches(r.Total), d.Total, r.Date, d.DateMatches(r.Date), d.DateText, r.Supplier, realtruth.SupplierMatches(r.Supplier, d.Company), d.Company)
		if os.Getenv("OCR_VERBOSE") == "" {
			continue
		}
		for _, l := range r.Lines {
			ok := false
			for _, it := range d.Items {
				ok = ok || realtruth.LineMatches(it, l)
			}
			fmt.Printf("   %-5v %q q=%d p=%s a=%s review=%v\n", ok, l.Desc, l.Qty, l.UnitPrice, l.Amount, l.NeedsReview)
		}
		for _, it := range d.Items {
			fmt.Printf("   TRUTH %q q=%d a=%s\n", it.Desc, it.Qty, it.Amount)
		}
		if os.Getenv("OCR_VERBOSE") == "2" {
			for _, r := range groupRows(p.Words) {
				fmt.Printf("     | %s\n", r.text())
			}
		}
	}
	s := tl.Lines
	fmt.Printf("TOTAL lines P %.3f R %.3f F1 %.3f (%d/%d, got %d); total %d/%d date %d/%d supplier %d/%d\n", s.Precision(), s.Recall(), s.F1(), s.Right, s.Truth, s.Got,
		tl.Totals, tl.TotalDocs, tl.Dates, tl.DateDocs, tl.Suppliers, tl.SupplierDocs)
}
