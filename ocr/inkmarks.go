package ocr

import "image"

// inkMarksGate opens inkOverTable's gate on a sheet whose coloured ink
// holds a hand mark (inkMarks): a company chop's ring, a signature; the
// ink round the marks alone is then lightened (dropInkNear). The rules
// gate (longRules) misses the sheets whose thin rules a blurred or tilted
// photo leaves lighter than 150 or broken into short level runs, where a
// chop stamped over the total costs the total. No shared purchase order
// or real document reaches it (BenchmarkDebugInkMarksReach). Off: on the
// tuning renders of the pen-and-chop pages it set 8 more totals of 24
// but read 11 lines fewer (the rows far from the chop read differently
// once its pixels change), and the held-out families were not better
// (F1 0.861 against 0.862; BENCHMARKS.md, h/hand). Bench switch
// OCR_INK_MARKS=1 (ocr_test: InkMarksFromEnv).
var inkMarksGate = false

// inkMarkSpan and inkMarkFill: a coloured component is a hand mark when
// its box's longer side is at least inkMarkSpan text heights and its ink
// covers less than inkMarkFill of that box: a chop's ring (a dozen text
// heights across, ~8% of its box) or a signature's long strokes; a
// coloured glyph (one height), a coloured rule or underline (its box is
// the line: ~100%) and a filled logo block are not. A pen loop round a
// number (4–5 heights, 12–20%) is left: lightened, its broken grey arcs
// cost more rows than the dark loop did (tuning renders: at 3.5 heights,
// 14 lines fewer on 24 pen-marked pages).
const (
	inkMarkSpan = 8
	inkMarkFill = 0.3
)

// inkPen and inkPenDark: a pixel is coloured ink for inkMarks when its
// channels spread by inkPen or more and its darkest is at most
// inkPenDark. A pen stroke two or three pixels wide comes out of a JPEG
// photo spread by only 30–50 (its colour halved by the chroma's
// subsampling), under inkClear; the colour fringes a JPEG leaves beside
// print and pen spread as much but are light in every channel.
const (
	inkPen     = 28
	inkPenDark = 170
)

// inkMarks returns the boxes, in img's coordinates, of the hand marks
// (inkMarkSpan, inkMarkFill) among the
// 8-connected components of img's coloured ink (inkPen, inkPenDark); lh
// is the text height in img's pixels (textLineHeight), 0 when unknown
// (then nothing counts). A component touching the photo's edge or a
// third of it across is a coloured table top or wall round the sheet,
// not a mark. Only YCbCr (JPEG) and RGBA images carry colour.
func inkMarks(img image.Image, lh float64) []image.Rectangle {
	if lh <= 0 {
		return nil
	}
	switch img.(type) {
	case *image.YCbCr, *image.RGBA:
	default:
		return nil
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	mask := make([]bool, w*h)
	for y := range h {
		for x := range w {
			r, g, bb := rgbAt(img, b.Min.X+x, b.Min.Y+y)
			mask[y*w+x] = max(r, g, bb)-min(r, g, bb) >= inkPen && min(r, g, bb) <= inkPenDark
		}
	}
	var boxes []image.Rectangle
	stack := make([]int32, 0, 256)
	for i, on := range mask {
		if !on {
			continue
		}
		mask[i] = false
		stack = append(stack[:0], int32(i))
		x0, x1, y0, y1, area := w, 0, h, 0, 0
		for len(stack) > 0 {
			p := int(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
			area++
			x, y := p%w, p/w
			x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= w || yy >= h || !mask[yy*w+xx] {
						continue
					}
					mask[yy*w+xx] = false
					stack = append(stack, int32(yy*w+xx))
				}
			}
		}
		bw, bh := x1-x0+1, y1-y0+1
		if x0 == 0 || y0 == 0 || x1 == w-1 || y1 == h-1 || 3*max(bw, bh) > min(w, h) {
			continue
		}
		if float64(max(bw, bh)) >= inkMarkSpan*lh && float64(area) < inkMarkFill*float64(bw*bh) {
			boxes = append(boxes, image.Rect(b.Min.X+x0, b.Min.Y+y0, b.Min.X+x1+1, b.Min.Y+y1+1))
		}
	}
	return boxes
}

// dropInkNear lightens coloured ink (inkLight, as dropInk) in g, the luma
// plane of img (same size), only inside boxes grown by a text height lh:
// round the hand marks the mark gate found, the rest of the page left
// exactly as it was (lightening the whole page's colour moved the reading
// of rows far from any mark, both ways, and lost lines on the tuning
// renders).
func dropInkNear(img image.Image, g *grayImg, boxes []image.Rectangle, lh float64) {
	b := img.Bounds()
	if b.Dx() != g.w || b.Dy() != g.h {
		return
	}
	grow := int(lh) + 1
	for _, box := range boxes {
		box = box.Inset(-grow).Intersect(b)
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for x := box.Min.X; x < box.Max.X; x++ {
				r, gg, bb := rgbAt(img, x, y)
				i := (y-b.Min.Y)*g.w + x - b.Min.X
				g.pix[i] = inkLight(g.pix[i], r, gg, bb)
			}
		}
	}
}

// rgbAt returns the 0–255 channels of img's pixel at (x, y); img is a
// YCbCr or RGBA image (others read black).
func rgbAt(img image.Image, x, y int) (r, g, b int) {
	switch m := img.(type) {
	case *image.YCbCr:
		yi, ci := m.YOffset(x, y), m.COffset(x, y)
		cb, cr := int(m.Cb[ci])-128, int(m.Cr[ci])-128
		yy := int(m.Y[yi]) * 1000
		return (yy + 1402*cr) / 1000, (yy - 344*cb - 714*cr) / 1000, (yy + 1772*cb) / 1000
	case *image.RGBA:
		p := m.Pix[m.PixOffset(x, y):]
		return int(p[0]), int(p[1]), int(p[2])
	}
	return 0, 0, 0
}
