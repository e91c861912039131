package ocr

import "regexp"

// An amount printed against the receipt's right edge loses its last digit
// when the page's outline (findPaper) runs through it: a curled receipt or
// one in shadow is found narrower than it is. Tesseract then reads "RM
// 5.9" or "2.3¢" (the half-cut 0 as a mark) at the very edge of the page.
// Prices have two decimals: such a word, touching the page's right edge,
// is read with a 0 for its lost digit (clippedAmounts), its line flagged
// (clippedConf) unless a check settles the digit — qty × price, or the
// lines' sum against the subtotal or the total, which may also choose
// another last digit (repairBySum).

// clippedAmountsOn turns the reading of clipped amounts on. Off by
// default: on the degraded dev copies it read one more line right (of
// 200), on the held-out receipts nothing changed (2026-12-07, h/rcpt).
// Bench switch OCR_CLIPPED_AMOUNTS=1.
var clippedAmountsOn = false

// clippedConf caps the confidence of a line whose amount's last digit was
// guessed and nothing checked.
const clippedConf = 0.3

// clippedEdge is how near (pixels) the page's right edge a clipped
// amount's word ends.
const clippedEdge = 3

// reClipped is an amount with one decimal, perhaps followed by the half of
// a cut digit read as a mark.
var reClipped = regexp.MustCompile(`^([$£€]?\d{1,5}[.,]\d)[¢)\]|!'"’]?$`)

// clippedAmounts returns p's words with each word that reads as an amount
// missing its last digit, at the page's right edge, read with a 0 for it
// and marked clipped; p's own words when there are none.
func clippedAmounts(p *Page) []Word {
	if !clippedAmountsOn {
		return p.Words
	}
	var out []Word
	for i, w := range p.Words {
		if w.Box.Max.X < p.Width-clippedEdge {
			continue
		}
		m := reClipped.FindStringSubmatch(moneyWord(w.Text))
		if m == nil {
			continue
		}
		if out == nil {
			out = append([]Word(nil), p.Words...)
		}
		out[i].Text, out[i].clipped = m[1]+"0", true
	}
	if out == nil {
		return p.Words
	}
	return out
}
