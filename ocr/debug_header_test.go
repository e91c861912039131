package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pandian/ocr/realtruth"
)

var reDebugHeaderRow = regexp.MustCompile(`(?i)\d{1,4}\s*[-/.]\s*\d{1,2}|\d\s*[.,]\s*\d\d\b|total|due|balance|amount|date|cash|change|tend|` + monthRe)

// BenchmarkDebugRealHeader prints, for each cached page of the half in
// OCR_REAL_HALF (on held-out: the counts only), the header fields read
// beside the truth and, for the documents where the total or the date is
// wrong, the rows that hold an amount, a date-like number or a total
// word, with the labelled totals found (readSummary). With OCR_REAL_RAW
// (BenchmarkDebugRealRawCache) the second look fills what is missing, as
// ReadDocument does. A development aid:
//
//	OCR_REAL_CACHE=/tmp/realcache go test -run '^$' -bench DebugRealHeader -benchtime 1x ./ocr/
//
// OCR_VERBOSE=1 prints the rows of every document, not only the misses.
func BenchmarkDebugRealHeader(b *testing.B) {
	dir := os.Getenv("OCR_REAL_CACHE")
	if dir == "" {
		b.Skip("OCR_REAL_CACHE not set")
	}
	perDoc := debugRealPerDoc(b)
	docs := debugRealDocs(b)
	for b.Loop() {
		var tot, totN, dat, datN, sup, supN, looks int
		for _, d := range docs {
			p := cachedPage(b, dir, d.ID)
			if p == nil {
				continue
			}
			doc := Extract([]*Page{p})
			if rawDir := os.Getenv("OCR_REAL_RAW"); rawDir != "" && headerMissing(&doc.Header) {
				// The second look (header_look.go) on a cached reading of
				// the photo as it came.
				looks++
				if rp := cachedPage(b, rawDir, d.ID); rp != nil {
					mergeHeader(&doc.Header, []*Page{p}, Extract([]*Page{rp}).Header, []*Page{rp})
				}
			}
			h := doc.Header
			okT, okD := d.TotalMatches(h.Total), d.DateMatches(h.Date)
			okS := realtruth.SupplierMatches(h.SupplierName(), d.Company)
			if d.Total != "" {
				totN++
				if okT {
					tot++
				}
			}
			if d.Date != "" {
				datN++
				if okD {
					dat++
				}
			}
			if d.Company != "" {
				supN++
				if okS {
					sup++
				}
			}
			if !perDoc {
				continue
			}
			fmt.Printf("%-9s total %-9q (truth %s %v) %v conf %.2f | date %q (truth %s %q) %v conf %.2f | supplier %q (truth %q) %v\n",
				d.ID, h.Total, d.Total, d.TotalAlt, okT, h.Confidence["total"], h.Date, d.Date, d.DateText, okD, h.Confidence["date"],
				h.SupplierName(), d.Company, okS)
			if (okT || d.Total == "") && (okD || d.Date == "") && os.Getenv("OCR_VERBOSE") == "" {
				continue
			}
			rows := groupRows(wholeUnitWords(p.Words))
			s := readSummary(rows)
			fmt.Printf("   summary: totals %+v taxes %v sub %v/%d cash %v/%d change %v/%d\n", s.totals, s.taxes, s.hasSub, s.subtotal, s.hasCash, s.cash, s.hasChange, s.change)
			for i, r := range rows {
				if os.Getenv("OCR_VERBOSE") == "" && !reDebugHeaderRow.MatchString(r.text()) {
					continue
				}
				var ws []string
				for _, w := range r.words {
					ws = append(ws, fmt.Sprintf("%s@%d,%d(%.0f)", w.Text, w.Box.Min.X, w.Box.Max.X, w.Conf))
				}
				fmt.Printf("   %3d [%4d-%4d] %s\n", i, r.top, r.bot, strings.Join(ws, " "))
			}
		}
		fmt.Printf("total %d/%d date %d/%d supplier %d/%d (second looks: %d of %d pages)\n", tot, totN, dat, datN, sup, supN, looks, len(docs))
	}
}

// BenchmarkDebugRealRawCache reads the real documents of the half in
// OCR_REAL_HALF (default dev) as they came (readAsIs, turned as their
// cached reading in OCR_REAL_CACHE) and stores the pages in OCR_REAL_RAW,
// for the second look of BenchmarkDebugRealHeader and
// BenchmarkDebugRealSecondLook. A development aid:
//
//	OCR_REAL_CACHE=/tmp/realcache OCR_REAL_RAW=/tmp/realraw go test -run '^$' -bench DebugRealRawCache -benchtime 1x ./ocr/
func BenchmarkDebugRealRawCache(b *testing.B) {
	dir, rawDir := os.Getenv("OCR_REAL_CACHE"), os.Getenv("OCR_REAL_RAW")
	if dir == "" || rawDir == "" {
		b.Skip("OCR_REAL_CACHE and OCR_REAL_RAW not set")
	}
	e := debugCacheEngine(b, rawDir)
	docs := debugRealDocs(b)
	for b.Loop() {
		realCache(b, docs, rawDir, func(d *realtruth.Doc, img image.Image) (*Page, error) {
			turned := 0
			if p := cachedPage(b, dir, d.ID); p != nil {
				turned = p.Turned
			}
			return e.readAsIs(context.Background(), img, turned)
		})
	}
}

// cachedPage is the page cached in dir for a document, nil when none.
func cachedPage(b *testing.B, dir, id string) *Page {
	data, err := os.ReadFile(filepath.Join(dir, id+".json"))
	if err != nil {
		return nil
	}
	var p Page
	if err := json.Unmarshal(data, &p); err != nil {
		b.Fatalf("%s: %v", id, err)
	}
	return &p
}

// BenchmarkDebugRealSecondLook prints, for the dev half, the header read
// from the first reading (OCR_REAL_CACHE) beside the one read from the
// photo as it came (OCR_REAL_RAW), with the truth. A development aid.
func BenchmarkDebugRealSecondLook(b *testing.B) {
	dir, rawDir := os.Getenv("OCR_REAL_CACHE"), os.Getenv("OCR_REAL_RAW")
	if dir == "" || rawDir == "" {
		b.Skip("OCR_REAL_CACHE and OCR_REAL_RAW not set")
	}
	if !debugRealPerDoc(b) || os.Getenv("OCR_REAL_HALF") != "" && os.Getenv("OCR_REAL_HALF") != realtruth.Dev {
		b.Fatal("BenchmarkDebugRealSecondLook shows documents one by one: dev half only")
	}
	read := func(dir, id string) *Header {
		p := cachedPage(b, dir, id)
		if p == nil {
			return nil
		}
		h := Extract([]*Page{p}).Header
		return &h
	}
	for b.Loop() {
		for _, d := range debugRealDocs(b) {
			h1, h2 := read(dir, d.ID), read(rawDir, d.ID)
			if h1 == nil || h2 == nil {
				continue
			}
			fmt.Printf("%-9s total %-8q %.2f %-5v | as is %-8q %.2f %-5v (truth %s) | date %q %v | as is %q %.2f %v\n", d.ID,
				h1.Total, h1.Confidence["total"], d.TotalMatches(h1.Total), h2.Total, h2.Confidence["total"], d.TotalMatches(h2.Total), d.Total,
				h1.Date, d.DateMatches(h1.Date), h2.Date, h2.Confidence["date"], d.DateMatches(h2.Date))
		}
	}
}
