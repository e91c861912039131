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

// TestDebugTiming times preprocessing and recognition of the photos named in
// OCR_TIMING at the sheet width in OCR_WIDTH. Development aid only.
func TestDebugTiming(t *testing.T) {
	names := os.Getenv("OCR_TIMING")
	if names == "" {
		t.Skip("OCR_TIMING not set")
	}
	opt := defaultPrep
	if w, _ := strconv.Atoi(os.Getenv("OCR_WIDTH")); w > 0 {
		opt.receiptWidth = opt.receiptWidth * w / opt.sheetWidth
		opt.sheetWidth = w
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, n := range strings.Split(names, ",") {
		f, _ := os.Open(filepath.Join(debugSharedDir, n+".jpg"))
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		g := preprocess(img, opt)
		t1 := time.Now()
		p, err := e.recognise(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		t2 := time.Now()
		doc := Extract([]*Page{p})
		e.skipSecondReading = true
		t3 := time.Now()
		if _, err := e.recognise(context.Background(), g); err != nil {
			t.Fatal(err)
		}
		t4 := time.Now()
		e.skipSecondReading = false
		t.Logf("%s %dx%d prep %v ocr %v (without second reading %v) words %d lines %d", n, g.w, g.h, t1.Sub(t0), t2.Sub(t1), t4.Sub(t3), len(p.Words), len(doc.Lines))
	}
}
