package ocr

import (
	"math"
	"slices"
)

// leaningRuleCount turns on leaningRules in inkOverTable's rules gate: a
// sheet photographed with a tilt that preprocess leaves (its outline not
// found, or a residual skew undone only after the gate) breaks each level
// rule into row runs of a few dozen pixels (a 2 px rule leaning 1° holds
// a row for ~115 px) and blurs it lighter than 150, so longRules reads
// under 4 and a chop over the table is read as print (a4-stamp-bi tuning
// seeds 273–303: 8 of 14 inked pages). OFF by default: opening the gate
// there did not pay (2026-12-07, h/fam5): tuning a4-stamp-bi 160 right of
// 180 either way; held-out families F1 0.857 on, 0.862 off (one more
// line right, seven more read, number 41 vs 42, date 44 vs 43); the real
// receipts unchanged (only held-out wr23 reaches it). Bench switch
// OCR_LEANING_RULE_COUNT=1 (ocr_test: LeaningRuleCountFromEnv).
var leaningRuleCount = false

// leanInk is the grey a leaning rule's pixels are darker than: a thin rule
// photographed at a tilt is blurred across rows to 150–175 (a4-stamp-bi
// tuning seed 277: 155–170), lighter than longRules' 150.
const leanInk = 190

// leaningRules counts the level rules of g however they lean a little:
// paths of pixels darker than leanInk going across the page one column a step
// (straight on or one row up or down; gaps of up to two columns carried
// straight) drifting at most one row in five (11°: a sheet not told
// apart from its table top comes out leaning up to 8°), with at least a
// quarter of the page's width of thin columns: the pixels 4 rows above
// and below light (a rule, not a dark table top or a filled block). A
// counted path's rows and the two either side are taken (a rule's
// thickness), so one rule is counted once; paths meeting the page's left
// edge under 8 rows apart are one rule (a table's rules are a line of text
// apart). Every pixel a path passes is taken as a start, so
// the work is of the order of the dark pixels.
func leaningRules(g *grayImg) int {
	w, h := g.w, g.h
	if w < 8 || h < 8 {
		return 0
	}
	dark := func(x, y int) bool { return y >= 0 && y < h && g.pix[y*w+x] < leanInk }
	taken := make([]bool, len(g.pix))
	path := make([]int, 0, w)
	var at0 []float64
	for y0 := 0; y0 < h; y0++ {
		for x0 := 0; x0 < w; x0++ {
			if !dark(x0, y0) || taken[y0*w+x0] {
				continue
			}
			y, gap, last, thin := y0, 0, x0, 0
			path = path[:0]
			for x := x0; x < w; x++ {
				found := -1
				for _, dy := range [3]int{0, -1, 1} {
					if dark(x, y+dy) {
						found = y + dy
						break
					}
				}
				if found < 0 {
					if gap++; gap > 2 {
						break
					}
				} else {
					y, gap, last = found, 0, x
					taken[y*w+x] = true
					if !dark(x, y-4) && !dark(x, y+4) {
						thin++
					}
				}
				path = append(path, y)
			}
			length := last - x0 + 1
			if d := path[length-1] - y0; 4*thin < w || 5*max(d, -d) > length {
				continue
			}
			for k := range length {
				for yy := max(path[k]-2, 0); yy <= min(path[k]+2, h-1); yy++ {
					taken[yy*w+x0+k] = true
				}
			}
			// The rule's row where it meets the page's left edge: a path
			// that left a rule for print touching it and a second path
			// on the rest of the rule meet it at the same row.
			// The slope from the path's second half (its start may
			// be print touching the rule).
			m, e := length/2, length-1
			slope := float64(path[e]-path[m]) / float64(max(e-m, 1))
			at0 = append(at0, float64(path[e])-float64(x0+e)*slope)
		}
	}
	slices.Sort(at0)
	n, last := 0, math.Inf(-1)
	for _, y := range at0 {
		if y-last >= 8 {
			n++
		}
		last = y
	}
	return n
}
