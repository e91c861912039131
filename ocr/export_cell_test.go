package ocr

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// CellLooksFromEnv turns the description cells' look (cellLooks,
// cell_look.go) on or off in the benchmarks: OCR_CELL_LOOKS=1 on, 0 off.
// It also counts the cells read again and kept (CellLookCounts). It
// returns a function restoring the previous setting.
func CellLooksFromEnv() (restore func()) {
	r := switchFromEnv(&cellLooks, "OCR_CELL_LOOKS")
	ru := switchFromEnv(&cellUnchecked, "OCR_CELL_UNCHECKED")
	rf := switchFromEnv(&cellFlagged, "OCR_CELL_FLAGGED")
	rp := switchFromEnv(&cellPhoto, "OCR_CELL_PHOTO")
	rg := switchFromEnv(&cellGarbled, "OCR_CELL_GARBLED")
	rr := switchFromEnv(&cellReceiptRows, "OCR_CELL_RECEIPT")
	saved := cellTrace
	cellTrace = func(before, after []Word, kept bool, cell *grayImg) {
		cellReads.Add(1)
		if kept {
			cellKept.Add(1)
		}
		if os.Getenv("OCR_CELL_TRACE") != "" {
			fmt.Printf("  cell %-5v %q -> %q\n", kept, wordsText(before), wordsText(after))
		}
		if saved != nil {
			saved(before, after, kept, cell)
		}
	}
	return func() {
		r()
		ru()
		rf()
		rp()
		rg()
		rr()
		cellTrace = saved
	}
}

var cellReads, cellKept atomic.Int64

// CellLookCounts returns the cells read again and the re-readings kept
// since the process started.
func CellLookCounts() (read, kept int64) { return cellReads.Load(), cellKept.Load() }

func wordsText(ws []Word) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("%s(%.0f)", w.Text, w.Conf))
	}
	return strings.Join(parts, " ")
}
