package ocr

import "image"

// dropInkOnSheets lightens coloured ink (dropInk) on a sheet's ruled
// table: a page preprocess rectifies at the sheet width (not a narrow
// receipt) whose flattened plane holds at least inkTableRules long level
// rules (longRules; leaningRules on a page left tilted, off by default)
// and whose photo is inked (inkedPage). A chop stamped over a delivery
// note's table or pen marks over it are noise to read through; on a till receipt coloured print is content (a red price, a
// blue shop name), which is why dropColourInk, for every page, is off (it
// cost the real receipts a wrong line and CPU). Most receipt photos are
// wider than the receipt gate, hence the rules: on the real receipts' dev
// half, gated by shape alone, wr13 (a square photo, 2 level rules) lost a
// line. Bench switch OCR_DROP_INK_SHEETS (ocr_test: InkSheetsFromEnv).
var dropInkOnSheets = true

// inkTableRules is how many long level rules make a ruled table: the
// families' ruled and gridded tables have one a row; a till receipt has
// none or a dashed line or two.
const inkTableRules = 4

// inkOverTable reports whether preprocess should read the photo again
// with its coloured ink lightened (dropInkOnSheets): r is the page
// rectified and flattened from the photo img as it came, lh the text
// height measured on the photo (textLineHeight; 0 unknown). Opened by
// the rules, the whole page's ink is lightened (marks nil); opened by the
// hand marks alone (inkMarksGate), only the ink round them (dropInkNear).
func inkOverTable(img image.Image, r *grayImg, receipt bool, lh float64) (open bool, marks []image.Rectangle) {
	if dropColourInk || !dropInkOnSheets || receipt {
		return false, nil
	}
	if !inkedPage(img) {
		return false, nil
	}
	if longRules(r) >= inkTableRules {
		return true, nil
	}
	if leaningRuleCount && leaningRules(r) >= inkTableRules {
		return true, nil
	}
	if !inkMarksGate {
		return false, nil
	}
	marks = inkMarks(img, lh)
	return len(marks) > 0, marks
}

// longRules counts the level rules of g: bands of rows holding a run of
// pixels darker than 150 (gaps of one pixel) at least a quarter of the
// page wide; rows under 4 apart are one band.
func longRules(g *grayImg) int {
	n, last := 0, -10
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		run, gap, long := 0, 0, false
		for _, v := range row {
			if v < 150 {
				run += 1 + gap
				gap = 0
				long = long || 4*run >= g.w
				continue
			}
			if run > 0 && gap < 1 {
				gap++
				continue
			}
			run, gap = 0, 0
		}
		if long {
			if y-last >= 4 {
				n++
			}
			last = y
		}
	}
	return n
}
