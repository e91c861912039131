package ocr

// slantedRules turns on markSlantedRuns in removeRules: ruling lines a
// little off the page's axes (a grid photographed with a slight tilt or
// keystone that preprocess does not undo, under residualSkew) break into
// straight runs shorter than the rule test's minimum and stay on the page;
// Tesseract then reads the grid's bars as characters and, beside them, a
// Chinese cell as Latin junk (a4-grid-zh: `| sxv-o00338 |xaw 30 克 | 24|`).
// Bench switch OCR_SLANTED_RULES (ocr_test: SlantedRulesFromEnv).
var slantedRules = true

// markSlantedRuns marks in mask the pixels darker than ink that lie on a
// path at least minVRun long going down the page one pixel a row, each
// step straight down or one pixel aside: a vertical rule however it leans
// (and a pen's or a chop's long strokes, noise over a table as well).
// Text lines are far shorter than minVRun and apart; horizontal paths are
// not followed, a blurred line of text can join along a row.
func markSlantedRuns(g *grayImg, mask []bool, ink uint8, minVRun int) {
	w, h := g.w, g.h
	if h < minVRun {
		return
	}
	// down[i]: the longest such path ending at pixel i from above; up[i]:
	// starting at i downwards. A pixel lies on a path of n pixels when
	// down + up - 1 >= n.
	down := make([]uint16, len(g.pix))
	up := make([]uint16, len(g.pix))
	best := func(d []uint16, row, x int) uint16 {
		m := d[row+x]
		if x > 0 && d[row+x-1] > m {
			m = d[row+x-1]
		}
		if x+1 < w && d[row+x+1] > m {
			m = d[row+x+1]
		}
		return m
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if g.pix[i] >= ink {
				continue
			}
			if y == 0 {
				down[i] = 1
			} else if m := best(down, (y-1)*w, x); m < 65535 {
				down[i] = m + 1
			}
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := 0; x < w; x++ {
			i := y*w + x
			if g.pix[i] >= ink {
				continue
			}
			if y == h-1 {
				up[i] = 1
			} else if m := best(up, (y+1)*w, x); m < 65535 {
				up[i] = m + 1
			}
			if int(down[i])+int(up[i])-1 >= minVRun {
				mask[i] = true
			}
		}
	}
}
