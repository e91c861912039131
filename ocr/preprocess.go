package ocr

import (
	"image"
	"math"
)

// prepOptions tunes preprocessing; the zero value is not useful, use
// defaultPrep.
type prepOptions struct {
	// sheetWidth and receiptWidth are the output widths in pixels of a
	// rectified A4-like sheet and of a narrow thermal receipt; they fix the
	// text size Tesseract sees regardless of the photo's resolution.
	sheetWidth, receiptWidth int
	// removeRules erases long horizontal and vertical ruling lines.
	removeRules bool
	// lineHeight, when not 0, replaces the fixed widths: the page is
	// scaled so that its text lines (measured on the photo) become
	// lineHeight pixels high, within maxScale of the photo's size.
	lineHeight int
	maxScale   float64
	// receiptLineHeight, when not 0, replaces lineHeight on narrow
	// receipts (till rolls), leaving sheets at lineHeight: a larger text
	// size for the pages where Tesseract misses the most digits.
	receiptLineHeight int
	// dewarp straightens curled text lines (dewarp.go), only where the
	// page is measurably curled. Off by default: gated, it loses nothing
	// on the tuning material, but on the real documents' held-out half it
	// read one more line and one total fewer than main (BENCHMARKS.md,
	// sixth pass).
	dewarp bool
}

// The line height is the median character height in pixels; on the real
// receipts' development half, line F1 was 0.79 at 15, 0.70 at 18, 0.63 at
// 22 (0.39 at the fixed widths alone), with about the same CPU time. The
// generated purchase orders read at 18–24 at the fixed widths, inside the
// band that keeps them. Again on 2026-12-07 (dev half): narrow receipts
// alone at 20 read the same, at 24 F1 0.914 -> 0.892; all pages at 20
// 0.831, at 24 0.667 (receiptLineHeight stays off).
var defaultPrep = prepOptions{sheetWidth: 1654, receiptWidth: 900, removeRules: true, lineHeight: 15, maxScale: 3}

// residualSkew is the smallest tilt (degrees) undone after the sheet is
// rectified: Tesseract reads smaller ones well, and undoing them lost lines
// on curled receipts of the real documents' development half (at 0.4°:
// line F1 0.79 -> 0.68); the generated sheets left skewed lie at 2.9–10°.
const residualSkew = 1.5

// preprocess turns a photo or scan into the grayscale plane given to
// Tesseract: rectified, flattened and with table rules removed.
func preprocess(img image.Image, opt prepOptions) *grayImg {
	g := toGray(img)
	q := sheetOutline(g)
	pw, ph := q.size()
	outW, target := opt.sheetWidth, opt.lineHeight
	receipt := pw/ph < 0.55
	if receipt {
		outW = opt.receiptWidth
		if opt.receiptLineHeight > 0 {
			target = opt.receiptLineHeight
		}
	}
	lh := textLineHeight(g)
	if target > 0 {
		// Characters far from the size Tesseract reads best at the fixed
		// width (small photos blown up, large scans): scale by text size.
		if lh > 0 {
			atFixed := lh * float64(outW) / pw
			if lo, hi := 0.6*float64(target), 1.6*float64(target); atFixed < lo || atFixed > hi {
				scale := math.Min(math.Max(float64(target)/lh, 0.25), opt.maxScale)
				outW = int(math.Round(pw * scale))
			}
		}
	}
	outH := int(math.Round(float64(outW) * ph / pw))
	// Keep the output within 4× the source and a sane size.
	if outH > 4*max(g.w, g.h) || outH < 16 {
		outW, outH = int(pw), int(ph)
	}
	if dropColourInk {
		// After the outline and the text's size are measured on the
		// photo as it came: a coloured table top is not paper.
		dropInk(img, g)
	}
	hm, ok := quadHomography(q, float64(outW), float64(outH))
	var r *grayImg
	if ok {
		r = warp(g, hm, outW, outH)
	} else {
		r = g
	}
	flatten(r)
	if open, marks := inkOverTable(img, r, receipt, lh); open {
		// A sheet's ruled table under coloured ink, or hand marks on a
		// sheet: read again without the ink (inksheet.go, inkmarks.go).
		g = toGray(img)
		if marks != nil {
			dropInkNear(img, g, marks, lh)
		} else {
			dropInk(img, g)
		}
		if ok {
			r = warp(g, hm, outW, outH)
		} else {
			r = g
		}
		flatten(r)
	}
	if opt.removeRules {
		removeRules(r, !receipt)
	}
	var back []homography
	if ok {
		back = []homography{hm}
	}
	// A sheet not told apart from its background (a light, striped table
	// top) is warped as the whole photo and stays skewed: measured on the
	// flattened page without its rules, where only text is dark, a
	// remaining tilt is undone (and the rules, straight now, erased).
	if a := residualTilt(r); math.Abs(a) >= residualSkew {
		if hm, ok := quadHomography(rotationQuad(r.w, r.h, a), float64(r.w), float64(r.h)); ok {
			r = warp(r, hm, r.w, r.h)
			back = append(back, hm)
			if opt.removeRules {
				removeRules(r, !receipt)
			}
		}
	}
	// Curled pages are straightened (dewarp.go); a page whose lines the
	// straightening does not measurably bring level (its row profile not
	// sharper) is left as it was, sheets and receipts alike.
	if opt.dewarp {
		r = dewarpRows(r)
		back = nil
	}
	if ok && len(back) > 0 && cellPhoto {
		// The page was warped from g (not g itself, flattened in place);
		// kept only when the cell look cuts from the photo (off: no photo
		// held during recognition otherwise).
		r.photo = &photoMap{g: g, back: back}
	}
	return r
}

// sheetOutline is the outline preprocess rectifies: the sheet found in
// the photo (findPaper) unless its outline missed a corner (missedCorner),
// otherwise the whole photo turned by the text's tilt (skewAngle). After
// a missed corner, when skewAngle finds the photo level enough to leave
// (under residualSkew) but the text's strokes (textSkewAngle, the tilt
// missedCorner found along one of the sheet's edges) are tilted more, the
// strokes' tilt is undone: the dark pixels skewAngle measures include a
// striped table top, whose stripes run level whatever the sheet's tilt.
func sheetOutline(g *grayImg) quad {
	q, ok := findPaper(g)
	if ok && !missedCorner(q, g) {
		return q
	}
	a := skewAngle(g)
	if ok && math.Abs(a) < residualSkew {
		if t := textSkewAngle(g); math.Abs(t) >= residualSkew {
			a = t
		}
	}
	return rotationQuad(g.w, g.h, a)
}

// missedCorner reports a sheet outline whose top and bottom edges differ
// in direction by more than 8° while the text of the photo runs along one
// of them (within 3°): a sheet photographed flat has near-parallel
// opposite edges, so the other edge joins a corner the bright region
// missed (the light fell off there) to the wrong point on the side. The
// outline would shear the page and cut off its header and one side;
// preprocess then undoes the text's rotation instead. Outlines with
// near-parallel edges are not measured (no cost).
func missedCorner(q quad, g *grayImg) bool {
	top := math.Atan2(q[1].y-q[0].y, q[1].x-q[0].x) * 180 / math.Pi
	bot := math.Atan2(q[2].y-q[3].y, q[2].x-q[3].x) * 180 / math.Pi
	if math.Abs(top-bot) <= 8 {
		return false
	}
	a := textSkewAngle(g)
	if a == 0 || min(math.Abs(top-a), math.Abs(bot-a)) > 3 {
		return false
	}
	// A sheet photographed at an angle is trapezoidal too, and its text
	// near one edge runs along that edge; only a missed corner leaves the
	// text near the other edge running along the same one. The half of the
	// photo nearer the other edge must show it (no text there: kept).
	edge := top
	cy := (q[0].y + q[1].y + q[2].y + q[3].y) / 4
	y0, y1 := int(cy), g.h
	if math.Abs(bot-a) < math.Abs(top-a) {
		edge, y0, y1 = bot, 0, int(cy)
	}
	y0, y1 = max(0, min(g.h, y0)), max(0, min(g.h, y1))
	if y1-y0 < 8 {
		return false
	}
	half := &grayImg{w: g.w, h: y1 - y0, pix: g.pix[y0*g.w : y1*g.w]}
	b := textSkewAngle(half)
	return b != 0 && math.Abs(edge-b) <= 3
}

// flatten divides out uneven lighting (shadows, vignetting, tint): the
// background level is the 90th percentile of each block, smoothed and
// interpolated, and every pixel is scaled so the background becomes white.
func flatten(g *grayImg) {
	bs := max(16, g.w/40)
	bw, bh := (g.w+bs-1)/bs, (g.h+bs-1)/bs
	bg := make([]float64, bw*bh)
	var hist [256]int
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			hist = [256]int{}
			n := 0
			for y := by * bs; y < min(g.h, (by+1)*bs); y++ {
				for x := bx * bs; x < min(g.w, (bx+1)*bs); x++ {
					hist[g.pix[y*g.w+x]]++
					n++
				}
			}
			k, c := n/10, 0
			v := 255
			for ; v > 0; v-- {
				c += hist[v]
				if c > k {
					break
				}
			}
			bg[by*bw+bx] = float64(max(v, 40))
		}
	}
	// 3×3 smoothing of the block grid.
	sm := make([]float64, len(bg))
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			s, n := 0.0, 0.0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					x, y := bx+dx, by+dy
					if x >= 0 && y >= 0 && x < bw && y < bh {
						s += bg[y*bw+x]
						n++
					}
				}
			}
			// Prefer the brighter of block and neighbourhood: a block full of
			// ink underestimates the paper.
			sm[by*bw+bx] = math.Max(bg[by*bw+bx], s/n)
		}
	}
	// The columns' blocks and weights are the same on every row: computed
	// once.
	x0s, x1s, axs := make([]int, g.w), make([]int, g.w), make([]float64, g.w)
	for x := 0; x < g.w; x++ {
		fx := (float64(x)+0.5)/float64(bs) - 0.5
		x0s[x] = min(max(int(math.Floor(fx)), 0), bw-1)
		x1s[x] = min(x0s[x]+1, bw-1)
		axs[x] = math.Min(math.Max(fx-float64(x0s[x]), 0), 1)
	}
	for y := 0; y < g.h; y++ {
		fy := (float64(y)+0.5)/float64(bs) - 0.5
		y0 := min(max(int(math.Floor(fy)), 0), bh-1)
		y1 := min(y0+1, bh-1)
		ay := math.Min(math.Max(fy-float64(y0), 0), 1)
		for x := 0; x < g.w; x++ {
			x0, x1, ax := x0s[x], x1s[x], axs[x]
			top := sm[y0*bw+x0]*(1-ax) + sm[y0*bw+x1]*ax
			bot := sm[y1*bw+x0]*(1-ax) + sm[y1*bw+x1]*ax
			b := top*(1-ay) + bot*ay
			v := float64(g.pix[y*g.w+x]) * 255 / b
			if v > 255 {
				v = 255
			}
			g.pix[y*g.w+x] = uint8(v)
		}
	}
}

// removeRules erases ruling lines: dark runs much longer than any character
// stroke, horizontally or vertically, are painted white together with a
// two-pixel margin that holds their blurred edges. Gridded tables are
// otherwise read as one block of noise. On a sheet (a table's grid is
// expected) rules leaning off the axes are erased too (slantedRules).
func removeRules(g *grayImg, sheet bool) {
	// Measured on the 15 photos: ink < 150 gives line F1 0.978; a generous
	// 200 (which also catches the light-gray remnants of blurred rules) erased
	// parts of blurred receipt text and dashes in codes, F1 0.944, even with
	// a thinness test on the runs. Thin blurred rules that never get darker
	// than about 150 (a grid photographed a little out of focus) are caught
	// at 200 only when they run at least 300 pixels: no text does.
	mask := make([]bool, len(g.pix))
	markRuns(g, mask, 150, max(40, g.w/25), max(40, g.h/40), 1, 0)
	if slantedRules && sheet {
		markSlantedRuns(g, mask, 150, max(40, g.h/40), 3)
	}
	markRuns(g, mask, 200, max(300, g.w/6), max(300, g.h/10), 2, 4)
	const margin = 2
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			if !mask[y*g.w+x] {
				continue
			}
			for dy := -margin; dy <= margin; dy++ {
				yy := y + dy
				if yy < 0 || yy >= g.h {
					continue
				}
				for dx := -margin; dx <= margin; dx++ {
					xx := x + dx
					if xx >= 0 && xx < g.w {
						g.pix[yy*g.w+xx] = 255
					}
				}
			}
		}
	}
}

// textLineHeight estimates the height in pixels of the characters of a
// photo or scan: the median height of the dark connected components of
// character size, on a copy reduced to at most 1600 pixels. 0 when there
// are too few components to tell.
func textLineHeight(g *grayImg) float64 {
	f := max(1, (max(g.w, g.h)+1599)/1600)
	d := downsample(g, f)
	thr := otsu(d.pix)
	n := d.w * d.h
	seen := make([]bool, n)
	stack := make([]int32, 0, 256)
	var hs []int
	for i := 0; i < n; i++ {
		if seen[i] || d.pix[i] > thr {
			continue
		}
		seen[i] = true
		stack = append(stack[:0], int32(i))
		x0, x1, y0, y1, area := d.w, 0, d.h, 0, 0
		for len(stack) > 0 {
			p := int(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
			area++
			x, y := p%d.w, p/d.w
			x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
			for _, nb := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if nb[0] < 0 || nb[1] < 0 || nb[0] >= d.w || nb[1] >= d.h {
					continue
				}
				j := nb[1]*d.w + nb[0]
				if !seen[j] && d.pix[j] <= thr {
					seen[j] = true
					stack = append(stack, int32(j))
				}
			}
		}
		h, w := y1-y0+1, x1-x0+1
		if h >= 3 && h <= d.h/20 && w <= 3*h && area >= 6 {
			hs = append(hs, h)
		}
	}
	if len(hs) < 20 {
		return 0
	}
	return float64(median(hs) * f)
}

// markRuns marks in mask the horizontal runs of pixels darker than ink at
// least minRun long and the vertical ones at least minVRun long, tolerating
// gaps of up to maxGap pixels. With thin > 0 a run counts only when, along
// most of it, the pixels thin away across it are light (a rule, not the
// edge of a dark region such as a shadow or the table top).
func markRuns(g *grayImg, mask []bool, ink uint8, minRun, minVRun, maxGap, thin int) {
	light := func(x, y int) bool { return x < 0 || y < 0 || x >= g.w || y >= g.h || g.pix[y*g.w+x] >= ink }
	isThin := func(start, end int, at func(i int) (x0, y0, x1, y1 int)) bool {
		if thin == 0 {
			return true
		}
		n := 0
		for i := start; i < end; i++ {
			x0, y0, x1, y1 := at(i)
			if light(x0, y0) && light(x1, y1) {
				n++
			}
		}
		return n*5 >= (end-start)*4
	}
	// Horizontal runs.
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		start, gap := -1, 0
		for x := 0; x <= g.w; x++ {
			dark := x < g.w && row[x] < ink
			if dark {
				if start < 0 {
					start = x
				}
				gap = 0
				continue
			}
			if start >= 0 && gap < maxGap && x < g.w {
				gap++
				continue
			}
			if start >= 0 {
				end := x - gap
				if end-start >= minRun && isThin(start, end, func(i int) (int, int, int, int) { return i, y - thin, i, y + thin }) {
					for i := start; i < end; i++ {
						mask[y*g.w+i] = true
					}
				}
			}
			start, gap = -1, 0
		}
	}
	for x := 0; x < g.w; x++ {
		start, gap := -1, 0
		for y := 0; y <= g.h; y++ {
			dark := y < g.h && g.pix[y*g.w+x] < ink
			if dark {
				if start < 0 {
					start = y
				}
				gap = 0
				continue
			}
			if start >= 0 && gap < maxGap && y < g.h {
				gap++
				continue
			}
			if start >= 0 {
				end := y - gap
				if end-start >= minVRun && isThin(start, end, func(i int) (int, int, int, int) { return x - thin, i, x + thin, i }) {
					for i := start; i < end; i++ {
						mask[i*g.w+x] = true
					}
				}
			}
			start, gap = -1, 0
		}
	}
}
