package ocr

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkDebugTiming times preprocessing and recognition of the photos
// named in OCR_TIMING (comma-separated) at the sheet width in OCR_WIDTH, and
// reports per photo the milliseconds of each step (prep-ms, ocr-ms, and
// ocr-ms without the second reading, ocr1-ms), the words and the extracted
// lines. Wall times: measure on an idle machine. A development aid:
//
//	OCR_TIMING=po04,po06 OCR_WIDTH=1600 go test -run '^$' -bench DebugTiming -benchtime 1x ./ocr/
func BenchmarkDebugTiming(b *testing.B) {
	names := os.Getenv("OCR_TIMING")
	if names == "" {
		b.Skip("OCR_TIMING not set")
	}
	opt := defaultPrep
	if w, _ := strconv.Atoi(os.Getenv("OCR_WIDTH")); w > 0 {
		opt.receiptWidth = opt.receiptWidth * w / opt.sheetWidth
		opt.sheetWidth = w
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var imgs []image.Image
	list := strings.Split(names, ",")
	for _, n := range list {
		img := loadTestImage(b, filepath.Join(debugSharedDir, n+".jpg"))
		imgs = append(imgs, img)
	}
	var prep, ocr, ocr1 time.Duration
	var words, lines int
	first := true
	for b.Loop() {
		prep, ocr, ocr1, words, lines = 0, 0, 0, 0, 0
		for i, img := range imgs {
			t0 := time.Now()
			g := preprocess(img, opt)
			t1 := time.Now()
			p, err := e.recognise(context.Background(), g)
			if err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			doc := Extract([]*Page{p})
			e.skipSecondReading = true
			t3 := time.Now()
			if _, err := e.recognise(context.Background(), g); err != nil {
				b.Fatal(err)
			}
			t4 := time.Now()
			e.skipSecondReading = false
			prep += t1.Sub(t0)
			ocr += t2.Sub(t1)
			ocr1 += t4.Sub(t3)
			words += len(p.Words)
			lines += len(doc.Lines)
			if first {
				b.Logf("%s %dx%d prep %v ocr %v (without second reading %v) words %d lines %d", list[i], g.w, g.h, t1.Sub(t0), t2.Sub(t1), t4.Sub(t3), len(p.Words), len(doc.Lines))
			}
		}
		first = false
	}
	n := float64(len(imgs))
	b.ReportMetric(prep.Seconds()*1000/n, "prep-ms/photo")
	b.ReportMetric(ocr.Seconds()*1000/n, "ocr-ms/photo")
	b.ReportMetric(ocr1.Seconds()*1000/n, "ocr1-ms/photo")
	b.ReportMetric(float64(words)/n, "words/photo")
	b.ReportMetric(float64(lines)/n, "lines/photo")
}
