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

// BenchmarkDebugRealScale reads the documents of the half in OCR_REAL_HALF
// (default dev) with the text-height scaling at each line height in
// OCR_TARGETS (comma-separated; 0: fixed widths), prints each document's
// score and reports per line height the line F1 (lhN-F1), the documents
// whose total was right (lhN-totals) and the process CPU seconds per
// document (lhN-cpu-s/doc). A development aid:
//
//	OCR_TARGETS=0,24,32 go test -run '^$' -bench DebugRealScale -benchtime 1x ./ocr/
//
// OCR_NO_SECOND=1 skips the second reading.
func BenchmarkDebugRealScale(b *testing.B) {
	targets := os.Getenv("OCR_TARGETS")
	if targets == "" {
		b.Skip("OCR_TARGETS not set")
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	e.skipSecondReading = os.Getenv("OCR_NO_SECOND") != ""
	docs := debugRealDocs(b)
	show := true
	for b.Loop() {
		for _, ts := range strings.Split(targets, ",") {
			lh, err := strconv.Atoi(ts)
			if err != nil {
				b.Fatalf("OCR_TARGETS: %v", err)
			}
			tl, cpu := realScale(b, e, docs, lh, show)
			b.ReportMetric(tl.Lines.F1(), fmt.Sprintf("lh%d-F1", lh))
			b.ReportMetric(float64(tl.Totals), fmt.Sprintf("lh%d-totals", lh))
			b.ReportMetric(cpu.Seconds()/float64(len(docs)), fmt.Sprintf("lh%d-cpu-s/doc", lh))
		}
		show = false
	}
}

// realScale is one pass of BenchmarkDebugRealScale at line height lh.
func realScale(b *testing.B, e *Engine, docs []*realtruth.Doc, lh int, show bool) (realtruth.Tally, time.Duration) {
	opt := defaultPrep
	opt.lineHeight, opt.maxScale = lh, 3
	var tl realtruth.Tally
	var cpu time.Duration
	for _, d := range docs {
		img := loadTestImage(b, d.Image)
		c0 := threadCPU()
		g := preprocess(img, opt)
		p, err := e.recognise(context.Background(), g)
		if err != nil {
			b.Fatal(err)
		}
		c := threadCPU() - c0
		cpu += c
		doc := Extract([]*Page{p})
		r := TruthResult(doc)
		tl.Add(d, r)
		if show {
			s := d.ScoreLines(r.Lines)
			fmt.Printf("lh %d %s %dx%d lines %d/%d got %d total %v %.2fs\n", lh, d.ID, g.w, g.h, s.Right, s.Truth, s.Got, d.TotalMatches(r.Total), c.Seconds())
		}
	}
	if show {
		s := tl.Lines
		fmt.Printf("LH %d: P %.3f R %.3f F1 %.3f total %d/%d, CPU %.1fs\n", lh, s.Precision(), s.Recall(), s.F1(), tl.Totals, tl.TotalDocs, cpu.Seconds())
	}
	return tl, cpu
}

// threadCPU returns the CPU time the process has used (RUSAGE_SELF: all
// threads, including Tesseract's).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
