package ocr

// slantedRules turns on markSlantedRuns in removeRules: ruling lines a
// little off the page's axes (a grid photographed with a slight tilt or
// keystone that preprocess does not undo, under residualSkew) break into
// straight runs shorter than the rule test's minimum and stay on the page;
// Tesseract then reads the grid's bars as characters and, beside them, a
// Chinese cell as Latin junk (a4-grid-zh: `| sxv-o00338 |xaw 30 克 | 24|`).
// Sheets only, and only thin paths (the pixels 3 away on either side
// light): on the real receipts' dev half, without the thinness test, a
// logo's filled block and stacked blurred text were followed too (wr11,
// wr18 lost lines; most receipt photos are wider than the receipt gate).
// Bench switch OCR_SLANTED_RULES (ocr_test: SlantedRulesFromEnv).
var slantedRules = true

// markSlantedRuns marks in mask the pixels darker than ink that lie on a
// path at least minVRun long going down the page one pixel a row, each
// step straight down or one pixel aside: a vertical rule however it leans
// (and a pen's or a chop's long strokes, noise over a table as well).
// Text lines are far shorter than minVRun and apart; horizontal paths are
// not followed, a blurred line of text can join along a row. With thin > 0
// a pixel counts only when the pixels thin away on either side of it are
// light (a rule, not a shaded cell or a shadow's edge).
func markSlantedRuns(g *grayImg, mask []bool, ink uint8, minVRun, thin int) {
	w, h := g.w, g.h
	if h < minVRun {
		return
	}
	// With thin > 0, a dark pixel that is not thin (where a rule crosses
	// another or touches print) continues a path without lengthening it,
	// for at most maxFat rows in a row.
	const maxFat = 6
	weight := make([]uint8, len(g.pix)) // 0 light, 1 dark but not thin, 2 thin
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if g.pix[i] >= ink {
				continue
			}
			weight[i] = 2
			if thin > 0 && (x >= thin && g.pix[i-thin] < ink || x+thin < w && g.pix[i+thin] < ink) {
				weight[i] = 1
			}
		}
	}
	// down[i]: the most thin pixels on such a path ending at pixel i from
	// above; up[i]: starting at i downwards. fat: the dark, not thin
	// pixels just before, along that path.
	down := make([]uint16, len(g.pix))
	up := make([]uint16, len(g.pix))
	fatD := make([]uint8, len(g.pix))
	fatU := make([]uint8, len(g.pix))
	pass := func(d []uint16, fat []uint8, y, from int) {
		for x := 0; x < w; x++ {
			i := y*w + x
			if weight[i] == 0 {
				continue
			}
			var m uint16
			var f uint8
			found := false
			if from >= 0 {
				for dx := -1; dx <= 1; dx++ {
					xx := x + dx
					if xx < 0 || xx >= w {
						continue
					}
					j := from*w + xx
					if weight[j] == 0 || found && d[j] <= m {
						continue
					}
					m, f, found = d[j], fat[j], true
				}
			}
			if weight[i] == 2 {
				d[i], fat[i] = min(m, 65534)+1, 0
			} else if found && f < maxFat {
				d[i], fat[i] = m, f+1
			}
		}
	}
	for y := 0; y < h; y++ {
		pass(down, fatD, y, y-1)
	}
	for y := h - 1; y >= 0; y-- {
		from := y + 1
		if from >= h {
			from = -1
		}
		pass(up, fatU, y, from)
		for x := 0; x < w; x++ {
			i := y*w + x
			if weight[i] == 0 {
				continue
			}
			n := int(down[i]) + int(up[i])
			if weight[i] == 2 {
				n--
			}
			if n >= minVRun {
				mask[i] = true
			}
		}
	}
}
