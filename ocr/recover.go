package ocr

import (
	"fmt"
	"image"
	"sort"

	"github.com/otiai10/gosseract/v2"
)

// missedBands finds horizontal bands of ink that no recognised word
// overlaps: psm 6 occasionally drops a whole table row (seen on a gridded
// order, where one of nine rows vanished). Only bands of text-line height
// with a fair amount of ink count.
func missedBands(g *grayImg, words []Word) [][2]int {
	if len(words) < 5 {
		return nil
	}
	hs := make([]int, 0, len(words))
	for _, w := range words {
		hs = append(hs, w.Box.Dy())
	}
	sort.Ints(hs)
	lineH := hs[len(hs)/2]
	covered := make([]bool, g.h)
	for _, w := range words {
		for y := max(w.Box.Min.Y, 0); y < min(w.Box.Max.Y, g.h); y++ {
			covered[y] = true
		}
	}
	// Ink per row, ignoring a margin where the sheet edge may be shaded.
	x0, x1 := g.w/40, g.w-g.w/40
	minInk := (x1 - x0) / 50
	var bands [][2]int
	start := -1
	for y := 0; y <= g.h; y++ {
		inky := false
		if y < g.h && !covered[y] {
			n := 0
			row := g.pix[y*g.w+x0 : y*g.w+x1]
			for _, v := range row {
				if v < 128 {
					n++
				}
			}
			inky = n >= minInk
		}
		if inky {
			if start < 0 {
				start = y
			}
			continue
		}
		if start >= 0 {
			if h := y - start; h*2 >= lineH && h <= 2*lineH {
				bands = append(bands, [2]int{start, y})
			}
			start = -1
		}
	}
	return bands
}

// recoverBands OCRs each missed band on its own and adds its words.
func recoverBands(c *gosseract.Client, g *grayImg, p *Page) error {
	for _, b := range missedBands(g, p.Words) {
		top, bot := max(b[0]-6, 0), min(b[1]+6, g.h)
		crop := cropPadded(g, 0, top, g.w, bot, 12)
		if crop == nil {
			continue
		}
		if err := c.SetImageFromBytes(crop.bmp()); err != nil {
			return fmt.Errorf("ocr: set band image: %w", err)
		}
		boxes, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
		if err != nil {
			return fmt.Errorf("ocr: recognise band: %w", err)
		}
		for _, bx := range boxes {
			if bx.Word == "" {
				continue
			}
			r := bx.Box.Add(image.Pt(-12, top-12))
			p.Words = append(p.Words, Word{Text: bx.Word, Box: r, Conf: bx.Confidence})
		}
	}
	return nil
}
