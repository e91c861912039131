package ocr

import (
	"context"
	"fmt"
	"image"
	"os"
	"strings"
	"testing"
)

// BenchmarkDebugLookLines prints, for the dev documents in OCR_DOCS
// (comma-separated ids), each line ReadDocument returns with its flags and
// problems, beside the truth. Dev half only. A development aid.
func BenchmarkDebugLookLines(b *testing.B) {
	ids := os.Getenv("OCR_DOCS")
	if ids == "" {
		b.Skip("OCR_DOCS not set")
	}
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for b.Loop() {
		for _, d := range debugRealDocs(b) {
			if d.Half != "dev" || !strings.Contains(","+ids+",", ","+d.ID+",") {
				continue
			}
			doc, err := e.ReadDocument(context.Background(), []image.Image{loadTestImage(b, d.Image)})
			if err != nil {
				b.Fatal(err)
			}
			fmt.Printf("== %s total %s (truth %s)\n", d.ID, doc.Header.Total, d.Total)
			for _, it := range d.Items {
				fmt.Printf("   truth %-30q %s\n", it.Desc, it.Amount)
			}
			for _, l := range doc.Lines {
				fmt.Printf("   got   %-30q %s review=%v conf=%.2f %q\n", l.Description, l.Amount, l.NeedsReview, l.Confidence, l.Problems)
			}
		}
	}
}
