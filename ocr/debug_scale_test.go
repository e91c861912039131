package ocr

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"pandian/ocr/realtruth"
)

// TestDebugRealScale reads the dev documents with the text-height scaling
// at each line height in OCR_TARGETS (0: fixed widths) and scores them.
// Development aid only.
func TestDebugRealScale(t *testing.T) {
	targets := os.Getenv("OCR_TARGETS")
	if targets == "" {
		t.Skip("OCR_TARGETS not set")
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.skipSecondReading = os.Getenv("OCR_NO_SECOND") != ""
	docs := debugRealDocs(t)
	for _, ts := range strings.Split(targets, ",") {
		lh, _ := strconv.Atoi(ts)
		opt := defaultPrep
		opt.lineHeight, opt.maxScale = lh, 3
		var tl realtruth.Tally
		var cpu time.Duration
		for _, d := range docs {
			f, _ := os.Open(d.Image)
			img, err := LoadImage(f, DefaultLimits)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			c0 := threadCPU()
			g := preprocess(img, opt)
			p, err := e.recognise(context.Background(), g)
			if err != nil {
				t.Fatal(err)
			}
			c := threadCPU() - c0
			cpu += c
			doc := Extract([]*Page{p})
			r := realtruth.Result{Total: doc.Header.Total, Date: doc.Header.Date, Supplier: doc.Header.SupplierName()}
			for _, l := range doc.Lines {
				r.Lines = append(r.Lines, realtruth.Line{Desc: l.Description, Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: l.Amount, NeedsReview: l.NeedsReview})
			}
			tl.Add(d, r)
			s := d.ScoreLines(r.Lines)
			fmt.Printf("lh %d %s %dx%d lines %d/%d got %d total %v %.2fs\n", lh, d.ID, g.w, g.h, s.Right, s.Truth, s.Got, d.TotalMatches(r.Total), c.Seconds())
		}
		s := tl.Lines
		fmt.Printf("LH %d: P %.3f R %.3f F1 %.3f total %d/%d, CPU %.1fs\n", lh, s.Precision(), s.Recall(), s.F1(), tl.Totals, tl.TotalDocs, cpu.Seconds())
	}
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
