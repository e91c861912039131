package ocr

import (
	"strings"
	"sync/atomic"
)

// latinSecond: the second look (secondLook: the photo read again as it
// came) reads a page with English alone when the page's first reading,
// made with every language of the Engine, is in Latin script
// (latinReading). Tesseract's Chinese model roughly doubles a reading's
// CPU and, on a page with no Chinese, only offers letters and specks to be
// misread as characters. Bench switch OCR_LATIN_SECOND.
var latinSecond = true

// latinMaxHan is the number of Chinese words read with confidence
// latinHanConf or more from which a page is not in Latin script. Measured
// (BENCHMARKS.md): the real receipts' dev photos read 0–1 such words (the
// misread specks are read with low confidence), the shared bilingual
// purchase orders 38–137.
const (
	latinMaxHan  = 3
	latinHanConf = 80
)

// latinReading reports whether a page's reading is in Latin script: it
// read fewer than latinMaxHan Chinese words with confidence.
func latinReading(p *Page) bool {
	if p == nil || len(p.Words) == 0 {
		return false
	}
	n := 0
	for _, w := range p.Words {
		if w.Conf >= latinHanConf && strings.IndexFunc(w.Text, isCJK) >= 0 {
			n++
		}
	}
	return n < latinMaxHan
}

// latinSecondLooks counts the second looks read with English alone
// (benchmarks).
var latinSecondLooks atomic.Int64
