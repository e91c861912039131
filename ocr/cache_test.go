package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"pandian/ocr/potruth"
)

// BenchmarkDebugCachePages OCRs every shared photo and stores the pages as
// JSON in OCR_CACHE, so BenchmarkDebugCachedExtract can iterate on
// extraction without re-running Tesseract; it reports the words per page.
// A development aid:
//
//	OCR_CACHE=/tmp/ocrcache OCR_CACHE_BUILD=1 go test -run '^$' -bench DebugCachePages -benchtime 1x ./ocr/
//
// OCR_LANGS=eng+chi_tra chooses the languages, OCR_CLEAN=1 reads the clean
// renderings instead of the photos.
func BenchmarkDebugCachePages(b *testing.B) {
	dir := os.Getenv("OCR_CACHE")
	if dir == "" || os.Getenv("OCR_CACHE_BUILD") == "" {
		b.Skip("OCR_CACHE and OCR_CACHE_BUILD not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	truths, err := potruth.LoadDir(debugSharedDir)
	if err != nil {
		b.Fatal(err)
	}
	var langs []string
	if l := os.Getenv("OCR_LANGS"); l != "" {
		langs = strings.Split(l, "+")
	}
	e, err := NewEngine(Options{Workers: 2, Languages: langs})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	// OCR_DEWARP=1: as in BenchmarkRealDocuments.
	defer DewarpFromEnv()()
	src := func(tr *potruth.Truth) string {
		if os.Getenv("OCR_CLEAN") != "" {
			return tr.Clean
		}
		return tr.Photo
	}
	var words atomic.Int64
	for b.Loop() {
		words.Store(0)
		cachePages(b, e, truths, src, dir, &words)
	}
	b.ReportMetric(float64(words.Load())/float64(len(truths)), "words/page")
}

// cachePages is one pass of BenchmarkDebugCachePages.
func cachePages(b *testing.B, e *Engine, truths []*potruth.Truth, src func(*potruth.Truth) string, dir string, words *atomic.Int64) {
	sem := make(chan struct{}, 2)
	done := make(chan struct{})
	for _, tr := range truths {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			f, err := os.Open(src(tr))
			if err != nil {
				b.Error(err)
				return
			}
			img, _, err := image.Decode(f)
			f.Close()
			if err != nil {
				b.Error(err)
				return
			}
			p, err := e.ReadPage(context.Background(), img)
			if err != nil {
				b.Error(err)
				return
			}
			words.Add(int64(len(p.Words)))
			data, _ := json.Marshal(p)
			if err := os.WriteFile(filepath.Join(dir, tr.ID+".json"), data, 0o644); err != nil {
				b.Error(err)
			}
		}()
	}
	for range truths {
		<-done
	}
}

// BenchmarkDebugCachedExtract scores Extract on the pages cached by
// BenchmarkDebugCachePages, prints each photo's score (and with
// OCR_VERBOSE=1 every wrong or missing line) and reports the line
// precision, recall and F1, the wrong lines not flagged for review and the
// right lines flagged. A development aid:
//
//	OCR_CACHE=/tmp/ocrcache go test -run '^$' -bench DebugCachedExtract -benchtime 1x ./ocr/
func BenchmarkDebugCachedExtract(b *testing.B) {
	dir := os.Getenv("OCR_CACHE")
	if dir == "" {
		b.Skip("OCR_CACHE not set")
	}
	truths, err := potruth.LoadDir(debugSharedDir)
	if err != nil {
		b.Fatal(err)
	}
	show := true
	for b.Loop() {
		cachedExtract(b, dir, truths, show)
		show = false
	}
}

// cachedExtract is one pass of BenchmarkDebugCachedExtract.
func cachedExtract(b *testing.B, dir string, truths []*potruth.Truth, show bool) {
	var total potruth.Score
	totalFlaggedRight := 0
	read := 0
	for _, tr := range truths {
		data, err := os.ReadFile(filepath.Join(dir, tr.ID+".json"))
		if err != nil {
			continue
		}
		read++
		var p Page
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatalf("%s: %v", tr.ID, err)
		}
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
					if show && os.Getenv("OCR_VERBOSE") != "" {
						fmt.Printf("   FLAGGED-RIGHT %s %v\n", l.SKU+l.Barcode, l.Problems)
					}
					break
				}
			}
		}
		totalFlaggedRight += flaggedRight
		h := tr.ScoreHeader(doc.Header.DocNumber, doc.Header.Date, doc.Header.Total)
		if !show {
			continue
		}
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
	if read == 0 {
		b.Fatalf("no cached page in %s: build them with BenchmarkDebugCachePages", dir)
	}
	if show {
		fmt.Printf("TOTAL P %.3f R %.3f F1 %.3f unflagged %d, right but flagged %d\n", total.Precision(), total.Recall(), total.F1(), total.WrongUnflagged, totalFlaggedRight)
	}
	b.ReportMetric(total.Precision(), "P")
	b.ReportMetric(total.Recall(), "R")
	b.ReportMetric(total.F1(), "F1")
	b.ReportMetric(float64(total.WrongUnflagged), "wrong-unflagged")
	b.ReportMetric(float64(totalFlaggedRight), "right-flagged")
}
