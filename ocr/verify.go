package ocr

import (
	"fmt"
	"strings"

	"github.com/otiai10/gosseract/v2"
)

// codeAlphabet is what the code recogniser may output.
const codeAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"

// secondReadings re-reads every word that looks like an item code from its
// own crop with the code client, storing the result in Word.Alt. A check
// digit cannot catch two compensating misreads and a SKU has no check at
// all; two independent readings that agree can. Costs ~20 ms a code.
func secondReadings(c *gosseract.Client, g *grayImg, words []Word) error {
	for i := range words {
		w := &words[i]
		if _, ok := readIDToken(cleanWord(w.Text)); !ok || countDigits(w.Text) < 4 {
			continue
		}
		crop := cropPadded(g, w.Box.Min.X-3, w.Box.Min.Y-3, w.Box.Max.X+3, w.Box.Max.Y+3, 12)
		if crop == nil {
			continue
		}
		if err := c.SetImageFromBytes(crop.bmp()); err != nil {
			return fmt.Errorf("ocr: set code image: %w", err)
		}
		txt, err := c.Text()
		if err != nil {
			return fmt.Errorf("ocr: read code: %w", err)
		}
		w.Alt = strings.Join(strings.Fields(txt), "")
		if w.Alt == "" {
			w.Alt = "?"
		}
	}
	return nil
}

// cropPadded copies a rectangle of g onto a white canvas with pad pixels of
// margin (Tesseract needs a margin around single lines).
func cropPadded(g *grayImg, x0, y0, x1, y1, pad int) *grayImg {
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, g.w), min(y1, g.h)
	if x1-x0 < 4 || y1-y0 < 4 {
		return nil
	}
	out := newGray(x1-x0+2*pad, y1-y0+2*pad)
	for i := range out.pix {
		out.pix[i] = 255
	}
	for y := y0; y < y1; y++ {
		copy(out.pix[(y-y0+pad)*out.w+pad:], g.pix[y*g.w+x0:y*g.w+x1])
	}
	return out
}
