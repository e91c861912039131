package ocr

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDebugRowEnds prints, for cached pages (OCR_ROWENDS_GLOB), the rows
// whose last word holds digits but is no amount. A development aid.
func TestDebugRowEnds(t *testing.T) {
	glob := os.Getenv("OCR_ROWENDS_GLOB")
	if glob == "" {
		t.Skip("OCR_ROWENDS_GLOB not set")
	}
	files, _ := filepath.Glob(glob)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var p Page
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		for _, r := range groupRows(p.Words) {
			toks := classify(r)
			if len(toks) < 2 {
				continue
			}
			last := toks[len(toks)-1]
			if last.money || countDigits(last.s) < 2 || letterCount(r.text()) < 3 {
				continue
			}
			var sb strings.Builder
			for _, w := range r.words {
				fmt.Fprintf(&sb, " %s[%d %.0f]", w.Text, w.Box.Max.X, w.Conf)
			}
			fmt.Printf("%-22s w=%d |%s\n", filepath.Base(f), p.Width, sb.String())
		}
	}
}

// TestDebugEdgeWords prints, for cached pages, the words touching the
// page's right edge. A development aid.
func TestDebugEdgeWords(t *testing.T) {
	glob := os.Getenv("OCR_ROWENDS_GLOB")
	if glob == "" {
		t.Skip("OCR_ROWENDS_GLOB not set")
	}
	files, _ := filepath.Glob(glob)
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var p Page
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		n := 0
		for _, w := range p.Words {
			if w.Box.Max.X >= p.Width-3 {
				n++
				fmt.Fprintf(&sb, " %s", w.Text)
			}
		}
		fmt.Printf("%-22s %dx%d edge %d:%s\n", filepath.Base(f), p.Width, p.Height, n, sb.String())
	}
}

// TestDebugPrepOut writes the preprocessed page of OCR_PREP_IN to
// OCR_PREP_PNG and prints the outline. A development aid.
func TestDebugPrepOut(t *testing.T) {
	in := os.Getenv("OCR_PREP_IN")
	if in == "" {
		t.Skip("OCR_PREP_IN not set")
	}
	img := loadTestImage(t, in)
	g := toGray(img)
	q := sheetOutline(g)
	fmt.Printf("image %dx%d outline %v\n", g.w, g.h, q)
	r := preprocess(img, defaultPrep)
	fmt.Printf("page %dx%d\n", r.w, r.h)
	writeGrayPNG(os.Getenv("OCR_PREP_PNG"), r)
}
