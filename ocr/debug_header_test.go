package ocr

import (
	"context"
	"encoding/json"
	"fmt"
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
			data, err := os.ReadFile(filepath.Join(dir, d.ID+".json"))
			if err != nil {
				continue
			}
			var p Page
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatalf("%s: %v", d.ID, err)
			}
			doc := Extract([]*Page{&p})
			if rawDir := os.Getenv("OCR_REAL_RAW"); rawDir != "" && headerMissing(&doc.Header) {
				// The second look (header_look.go) on a cached reading of
				// the photo as it came.
				looks++
				if data, err := os.ReadFile(filepath.Join(rawDir, d.ID+".json")); err == nil {
					var rp Page
					if err := json.Unmarshal(data, &rp); err != nil {
						b.Fatal(err)
					}
					fillHeader(&doc.Header, Extract([]*Page{&rp}).Header)
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
	if err := os.MkdirAll(rawDir, 0o755); err != nil {
		b.Fatal(err)
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	docs := debugRealDocs(b)
	for b.Loop() {
		for _, d := range docs {
			out := filepath.Join(rawDir, d.ID+".json")
			if _, err := os.Stat(out); err == nil {
				continue
			}
			turned := 0
			if data, err := os.ReadFile(filepath.Join(dir, d.ID+".json")); err == nil {
				var p Page
				if err := json.Unmarshal(data, &p); err != nil {
					b.Fatal(err)
				}
				turned = p.Turned
			}
			f, err := os.Open(d.Image)
			if err != nil {
				b.Fatal(err)
			}
			img, err := LoadImage(f, DefaultLimits)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			p, err := e.readAsIs(context.Background(), img, turned)
			if err != nil {
				b.Fatal(err)
			}
			data, _ := json.Marshal(p)
			if err := os.WriteFile(out, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
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
		data, err := os.ReadFile(filepath.Join(dir, id+".json"))
		if err != nil {
			return nil
		}
		var p Page
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
		h := Extract([]*Page{&p}).Header
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
