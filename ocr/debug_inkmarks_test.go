package ocr

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkDebugInkMarksReach prints, for every photo of the shared
// purchase orders (photos and clean renders) and real documents (both
// halves: a reach count reads no OCR), whether preprocess's ink gate
// (inkOverTable) opens by its rules count and by the hand-mark gate
// (inkMarks): which images the mark gate reaches that the rules gate did
// not. A development aid:
//
//	go test -run '^$' -bench DebugInkMarksReach -benchtime 1x ./ocr/
func BenchmarkDebugInkMarksReach(b *testing.B) {
	var paths []string
	for _, pat := range []string{"../../shared/data/purchase-orders/*.jpg", "../../shared/data/purchase-orders/clean/*.png",
		"../../shared/data/real-documents/*/*.jp*g", "../../shared/data/real-documents/*/*.png"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		b.Skip("no shared data")
	}
	for b.Loop() {
		reached := 0
		for _, p := range paths {
			img := loadTestImage(b, p)
			g := toGray(img)
			q := sheetOutline(g)
			pw, ph := q.size()
			receipt := pw/ph < 0.55
			lh := textLineHeight(g)
			outW := defaultPrep.sheetWidth
			outH := int(math.Round(float64(outW) * ph / pw))
			r := g
			if hm, ok := quadHomography(q, float64(outW), float64(outH)); ok {
				r = warp(g, hm, outW, outH)
			}
			flatten(r)
			inked := inkedPage(img)
			rules := longRules(r)
			marks := len(inkMarks(img, lh))
			byRules := inked && !receipt && rules >= inkTableRules
			byMarks := inked && !receipt && marks > 0
			if byMarks && !byRules {
				reached++
			}
			name := strings.TrimPrefix(p, "../../shared/data/")
			fmt.Printf("%-45s receipt %-5v inked %-5v rules %2d marks %2d lh %4.0f gate: rules %-5v marks %-5v\n", name, receipt, inked, rules, marks, lh, byRules, byMarks)
		}
		fmt.Printf("%d images, %d reached by the mark gate alone\n", len(paths), reached)
	}
}

// OCR_INK_MARKS=0 (1) turns the mark gate off (on) for the debug
// benchmarks of this package too (BenchmarkDebugDump).
func init() {
	switch os.Getenv("OCR_INK_MARKS") {
	case "0":
		inkMarksGate = false
	case "1":
		inkMarksGate = true
	}
}
