package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pandian/ocr/potruth"
)

// TestDebugCachePages OCRs every shared photo once and stores the pages as
// JSON in OCR_CACHE, so TestDebugCachedExtract can iterate on extraction
// without re-running Tesseract. Development aid only.
func TestDebugCachePages(t *testing.T) {
	dir := os.Getenv("OCR_CACHE")
	if dir == "" || os.Getenv("OCR_CACHE_BUILD") == "" {
		t.Skip("OCR_CACHE and OCR_CACHE_BUILD not set")
	}
	os.MkdirAll(dir, 0o755)
	truths, err := potruth.LoadDir(debugSharedDir)
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	if l := os.Getenv("OCR_LANGS"); l != "" {
		langs = strings.Split(l, "+")
	}
	e, err := NewEngine(Options{Workers: 2, Languages: langs})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	src := func(tr *potruth.Truth) string {
		if os.Getenv("OCR_CLEAN") != "" {
			return tr.Clean
		}
		return tr.Photo
	}
	sem := make(chan struct{}, 2)
	done := make(chan struct{})
	for _, tr := range truths {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			f, err := os.Open(src(tr))
			if err != nil {
				t.Error(err)
				return
			}
			img, _, err := image.Decode(f)
			f.Close()
			if err != nil {
				t.Error(err)
				return
			}
			p, err := e.ReadPage(context.Background(), img)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := json.Marshal(p)
			os.WriteFile(filepath.Join(dir, tr.ID+".json"), b, 0o644)
		}()
	}
	for range truths {
		<-done
	}
}

// TestDebugCachedExtract scores Extract on the cached pages and prints every
// wrong or missing line.
func TestDebugCachedExtract(t *testing.T) {
	dir := os.Getenv("OCR_CACHE")
	if dir == "" {
		t.Skip("OCR_CACHE not set")
	}
	truths, err := potruth.LoadDir(debugSharedDir)
	if err != nil {
		t.Fatal(err)
	}
	var total potruth.Score
	totalFlaggedRight := 0
	for _, tr := range truths {
		b, err := os.ReadFile(filepath.Join(dir, tr.ID+".json"))
		if err != nil {
			continue
		}
		var p Page
		json.Unmarshal(b, &p)
		doc := Extract([]*Page{&p})
		var ls []potruth.Line
		for _, l := range doc.Lines {
			ls = append(ls, potruth.Line{ID: l.SKU + l.Barcode, Qty: l.Qty, UnitPrice: l.UnitPrice, NeedsReview: l.NeedsReview})
		}
		s := tr.ScoreLines(ls)
		total.Add(s)
		flaggedRight := 0
		for _, l := range doc.Lines {
			if !l.NeedsReview {
				continue
			}
			for _, it := range tr.Items {
				if it.SKU == l.SKU+l.Barcode && it.Qty == l.Qty && potruth.Money(it.UnitPrice) == l.UnitPrice {
					flaggedRight++
					if os.Getenv("OCR_VERBOSE") != "" {
						fmt.Printf("   FLAGGED-RIGHT %s %v\n", l.SKU+l.Barcode, l.Problems)
					}
					break
				}
			}
		}
		totalFlaggedRight += flaggedRight
		h := tr.ScoreHeader(doc.Header.DocNumber, doc.Header.Date, doc.Header.Total)
		fmt.Printf("%s %s P %.2f R %.2f unflagged %d hdr %v %v %v | %s %s %s\n", tr.ID, tr.Render.Layout, s.Precision(), s.Recall(), s.WrongUnflagged,
			h.DocNumber, h.Date, h.Total, doc.Header.DocNumber, doc.Header.Date, doc.Header.Total)
		if os.Getenv("OCR_VERBOSE") == "" {
			continue
		}
		for _, l := range doc.Lines {
			ok := false
			for _, it := range tr.Items {
				if it.SKU == l.SKU+l.Barcode && it.Qty == l.Qty && potruth.Money(it.UnitPrice) == l.UnitPrice {
					ok = true
				}
			}
			if !ok {
				fmt.Printf("   WRONG %+v\n", l)
			}
		}
		for _, it := range tr.Items {
			found := false
			for _, l := range doc.Lines {
				if it.SKU == l.SKU+l.Barcode && it.Qty == l.Qty && potruth.Money(it.UnitPrice) == l.UnitPrice {
					found = true
				}
			}
			if !found {
				fmt.Printf("   MISSING %s %d %.2f %.2f\n", it.SKU, it.Qty, it.UnitPrice, it.Amount)
			}
		}
	}
	fmt.Printf("TOTAL P %.3f R %.3f F1 %.3f unflagged %d, right but flagged %d\n", total.Precision(), total.Recall(), total.F1(), total.WrongUnflagged, totalFlaggedRight)
}
