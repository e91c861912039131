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

	"pandian/ocr/realtruth"
)

const debugRealDir = "../../shared/data/real-documents"

// debugRealDocs lists the real documents of the half in OCR_REAL_HALF
// (default dev: development aids never look at the held-out half unless
// asked).
func debugRealDocs(tb testing.TB) []*realtruth.Doc {
	docs, err := realtruth.Load(debugRealDir)
	if err != nil {
		tb.Skip(err)
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

// debugRealPerDoc reports whether the debug tools may print documents
// one by one (what was read beside the truth): only on the dev half. On
// any other half (held-out) they print counts only, and OCR_VERBOSE, which
// prints the truth line by line, is refused.
func debugRealPerDoc(tb testing.TB) bool {
	half := os.Getenv("OCR_REAL_HALF")
	if half == "" || half == realtruth.Dev {
		return true
	}
	if os.Getenv("OCR_VERBOSE") != "" {
		tb.Fatalf("OCR_VERBOSE on the %s half refused: its documents are counted, never shown one by one", half)
		return false
	}
	return false
}

// BenchmarkDebugRealCache OCRs the real documents of the half in
// OCR_REAL_HALF (default dev) not cached yet and stores their pages as JSON
// in OCR_REAL_CACHE, so BenchmarkDebugRealExtract can iterate on extraction
// without re-running Tesseract; it reports the pages read and their words
// per page. A development aid:
//
//	OCR_REAL_CACHE=/tmp/realcache OCR_CACHE_BUILD=1 go test -run '^$' -bench DebugRealCache -benchtime 1x ./ocr/
func BenchmarkDebugRealCache(b *testing.B) {
	dir := os.Getenv("OCR_REAL_CACHE")
	if dir == "" || os.Getenv("OCR_CACHE_BUILD") == "" {
		b.Skip("OCR_REAL_CACHE and OCR_CACHE_BUILD not set")
	}
	e := debugCacheEngine(b, dir)
	docs := debugRealDocs(b)
	pages, words := 0, 0
	for b.Loop() {
		pages, words = realCache(b, docs, dir, readPageFunc(e))
	}
	b.ReportMetric(float64(pages), "pages")
	if pages > 0 {
		b.ReportMetric(float64(words)/float64(pages), "words/page")
	}
}

// debugCacheEngine makes the cache directory and a one-worker engine,
// closed when the benchmark ends.
func debugCacheEngine(b *testing.B, dir string) *Engine {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	return e
}

// readPageFunc reads a document's photo with the engine's ReadPage.
func readPageFunc(e *Engine) func(*realtruth.Doc, image.Image) (*Page, error) {
	return func(_ *realtruth.Doc, img image.Image) (*Page, error) { return e.ReadPage(context.Background(), img) }
}

// realCache is one pass of BenchmarkDebugRealCache: it reads the documents
// not in dir yet with read.
func realCache(b *testing.B, docs []*realtruth.Doc, dir string, read func(*realtruth.Doc, image.Image) (*Page, error)) (pages, words int) {
	for _, d := range docs {
		out := filepath.Join(dir, d.ID+".json")
		if _, err := os.Stat(out); err == nil {
			continue
		}
		img := loadTestImage(b, d.Image)
		p, err := read(d, img)
		if err != nil {
			b.Fatal(err)
		}
		data, _ := json.Marshal(p)
		if err := os.WriteFile(out, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d words", d.ID, len(p.Words))
		pages++
		words += len(p.Words)
	}
	return pages, words
}

// BenchmarkDebugRealExtract scores Extract on the pages cached by
// BenchmarkDebugRealCache, prints what was read against the truth
// (OCR_VERBOSE=1: every line, 2: and the OCR rows) and reports the line
// precision, recall and F1 and the documents whose total, date and
// supplier were right. A development aid; the half is OCR_REAL_HALF
// (default dev: tune on dev, report held-out):
//
//	OCR_REAL_CACHE=/tmp/realcache go test -run '^$' -bench DebugRealExtract -benchtime 1x ./ocr/
func BenchmarkDebugRealExtract(b *testing.B) {
	dir := os.Getenv("OCR_REAL_CACHE")
	if dir == "" {
		b.Skip("OCR_REAL_CACHE not set")
	}
	docs := debugRealDocs(b)
	var tl realtruth.Tally
	show := true
	for b.Loop() {
		tl = realExtract(b, docs, dir, show)
		show = false
	}
	s := tl.Lines
	b.ReportMetric(s.Precision(), "P")
	b.ReportMetric(s.Recall(), "R")
	b.ReportMetric(s.F1(), "F1")
	b.ReportMetric(float64(tl.Totals), "totals")
	b.ReportMetric(float64(tl.Dates), "dates")
	b.ReportMetric(float64(tl.Suppliers), "suppliers")
}

// realExtract is one pass of BenchmarkDebugRealExtract.
func realExtract(b *testing.B, docs []*realtruth.Doc, dir string, show bool) realtruth.Tally {
	var tl realtruth.Tally
	read := 0
	perDoc := debugRealPerDoc(b)
	for _, d := range docs {
		data, err := os.ReadFile(filepath.Join(dir, d.ID+".json"))
		if err != nil {
			continue
		}
		read++
		var p Page
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatalf("%s: %v", d.ID, err)
		}
		doc := Extract([]*Page{&p})
		r := TruthResult(doc)
		tl.Add(d, r)
		if !show || !perDoc {
			continue
		}
		s := d.ScoreLines(r.Lines)
		fmt.Printf("%s lines %d/%d got %d | total %q %v (%s) | date %q %v (%s) | supplier %q %v (%s)\n", d.ID, s.Right, s.Truth, s.Got,
			r.Total, d.TotalMatches(r.Total), d.Total, r.Date, d.DateMatches(r.Date), d.DateText, r.Supplier, realtruth.SupplierMatches(r.Supplier, d.Company), d.Company)
		if os.Getenv("OCR_VERBOSE") == "" {
			continue
		}
		printLinesAgainstTruth(d, r.Lines)
		if os.Getenv("OCR_VERBOSE") == "2" {
			for _, r := range groupRows(p.Words) {
				fmt.Printf("     | %s\n", r.text())
			}
		}
	}
	if read == 0 {
		b.Fatalf("no cached page in %s: build them with BenchmarkDebugRealCache", dir)
	}
	if !show {
		return tl
	}
	s := tl.Lines
	fmt.Printf("TOTAL lines P %.3f R %.3f F1 %.3f (%d/%d, got %d); total %d/%d date %d/%d supplier %d/%d\n", s.Precision(), s.Recall(), s.F1(), s.Right, s.Truth, s.Got,
		tl.Totals, tl.TotalDocs, tl.Dates, tl.DateDocs, tl.Suppliers, tl.SupplierDocs)
	return tl
}

// BenchmarkDebugRows prints the rows of the cached pages named in OCR_ROWS
// (JSON files written by the page caches, comma-separated) with each
// word's box and confidence. A development aid, not a test: run it with
// go test -run '^$' -bench DebugRows ./ocr.
func BenchmarkDebugRows(t *testing.B) {
	names := os.Getenv("OCR_ROWS")
	if names == "" {
		t.Skip("OCR_ROWS not set")
	}
	for _, n := range strings.Split(names, ",") {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var p Page
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("== %s (%dx%d)\n", n, p.Width, p.Height)
		for _, r := range groupRows(p.Words) {
			var b strings.Builder
			for _, w := range r.words {
				fmt.Fprintf(&b, " %s[%d-%d %.0f]", w.Text, w.Box.Min.X, w.Box.Max.X, w.Conf)
			}
			fmt.Printf("%4d:%s\n", r.top, b.String())
		}
	}
}

// fatalTB records a Fatalf instead of stopping the test.
type fatalTB struct {
	testing.TB
	fatal string
}

func (f *fatalTB) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }

// TestDebugRealPerDoc: the debug tools show documents one by one on the
// dev half only, and refuse OCR_VERBOSE on the held-out half.
func TestDebugRealPerDoc(t *testing.T) {
	for _, c := range []struct {
		half, verbose string
		perDoc, fatal bool
	}{
		{"", "", true, false},
		{realtruth.Dev, "1", true, false},
		{realtruth.HeldOut, "", false, false},
		{realtruth.HeldOut, "1", false, true},
	} {
		t.Setenv("OCR_REAL_HALF", c.half)
		t.Setenv("OCR_VERBOSE", c.verbose)
		tb := &fatalTB{TB: t}
		if got := debugRealPerDoc(tb); got != c.perDoc || (tb.fatal != "") != c.fatal {
			t.Errorf("half %q verbose %q: per document %v (want %v), refused %q (want %v)", c.half, c.verbose, got, c.perDoc, tb.fatal, c.fatal)
		}
	}
}

// printLinesAgainstTruth prints each line read, whether it matches a
// truth line of d, then d's truth lines.
func printLinesAgainstTruth(d *realtruth.Doc, lines []realtruth.Line) {
	for _, l := range lines {
		ok := false
		for _, it := range d.Items {
			ok = ok || realtruth.LineMatches(it, l)
		}
		fmt.Printf("   %-5v %q q=%d p=%s a=%s review=%v\n", ok, l.Desc, l.Qty, l.UnitPrice, l.Amount, l.NeedsReview)
	}
	for _, it := range d.Items {
		fmt.Printf("   TRUTH %q q=%d a=%s\n", it.Desc, it.Qty, it.Amount)
	}
}
