package ocr

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pandian/fixtures/documents/families"
)

// BenchmarkDebugCellLook renders the families' TUNING cases named by
// OCR_CELL_IDS (family/font/seed triples "a4-grid-zh/uming/401,…"),
// reads each page and prints its lines with what the cell look sees
// (the numbers' check, the problems, the description's words); with
// OCR_CELL_DUMP=<dir> the cells read again are written there as PGM. A
// development aid; tuning renders only.
func BenchmarkDebugCellLook(b *testing.B) {
	ids := os.Getenv("OCR_CELL_IDS")
	if ids == "" {
		b.Skip("OCR_CELL_IDS not set")
	}
	dump := os.Getenv("OCR_CELL_DUMP")
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	defer CellLooksFromEnv()()
	n := 0
	cellWhy = func(doc *Document, l Line) {
		fmt.Printf("  WHY for %d %s %s:\n", l.Qty, l.UnitPrice, l.Amount)
		for _, m := range doc.Lines {
			fmt.Printf("    %4d %9s %9s amt %.2f %q %v\n", m.Qty, m.UnitPrice, m.Amount, m.Fields.Amount, m.Description, m.Problems)
		}
	}
	defer func() { cellWhy = nil }()
	saved := cellTrace
	defer func() { cellTrace = saved }()
	for b.Loop() {
		for _, id := range strings.Split(ids, ",") {
			var fam, font string
			var seed int64
			parts := strings.Split(id, "/")
			fam, font = parts[0], parts[1]
			fmt.Sscan(parts[2], &seed)
			if families.HeldOut(fam, font) {
				b.Fatalf("%s is held out", id)
			}
			r, err := families.Render(fam, font, seed)
			if err != nil {
				b.Fatal(err)
			}
			img, err := LoadImage(bytes.NewReader(r.JPEG), DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			cellTrace = func(before, after []Word, kept bool, cell *grayImg) {
				fmt.Printf("  cell kept=%v %q -> %q\n", kept, wordTexts(before), wordTexts(after))
				if dump != "" {
					n++
					writeGrayPNG(filepath.Join(dump, fmt.Sprintf("cell%03d.png", n)), cell)
				}
			}
			p, err := e.ReadPage(context.Background(), img)
			if err != nil {
				b.Fatal(err)
			}
			doc := Extract([]*Page{p})
			fmt.Printf("== %s\n", id)
			for _, l := range doc.Lines {
				fmt.Printf("  %4d %9s %9s amt %.2f descW %d %q %v\n", l.Qty, l.UnitPrice, l.Amount, l.Fields.Amount, len(l.descW), l.Description, l.Problems)
			}
		}
	}
}

func wordTexts(ws []Word) string {
	var s []string
	for _, w := range ws {
		s = append(s, fmt.Sprintf("%s(%.0f)", w.Text, w.Conf))
	}
	return strings.Join(s, " ")
}
