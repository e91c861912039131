package ocr

import "image"

// Coloured ink over a printed page (a red or blue company chop, blue pen
// ticks, circles and signatures) is as dark as print in the luma plane:
// Tesseract reads it as noise over the rows under it. Print is black or
// grey, ink of a colour is not: a pixel whose channels differ widely is
// coloured ink and is lightened to its brightest channel plus its
// saturation twice (red ink (205, 38, 48) and blue pen (34, 52, 150)
// become paper), while black print under the ink stays dark in every channel.
// Neutral pixels (paper, print, a photo's slight colour cast) are left as
// they were.

// inkSaturation is the smallest spread between a pixel's brightest and
// darkest channel (0–255) that counts as coloured ink: paper under a
// warm lamp and the colour fringes of a JPEG around print stay below it.
const inkSaturation = 24

// inkFull is the spread from which a pixel is wholly coloured ink.
const inkFull = 72

// dropColourInk: preprocess lightens coloured ink (dropInk). Off: it
// gained on the generated stamp families but on real receipts, where
// coloured print is content (a red price, a blue logo's name), it made 2
// more wrong lines unflagged on the dev half and slowed a page by up to
// 1.7× (OCR_DROP_INK=1 turns it on in the tests and benchmarks).
var dropColourInk = false

// dropInk lightens the pixels of g (the luma plane of img, same size)
// that are coloured ink in img. Only YCbCr (JPEG) and RGBA images carry
// colour; others are left alone.
func dropInk(img image.Image, g *grayImg) {
	b := img.Bounds()
	if b.Dx() != g.w || b.Dy() != g.h {
		return
	}
	if !inkedPage(img) {
		return
	}
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < g.h; y++ {
			for x := 0; x < g.w; x++ {
				yi, ci := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y)
				cb, cr := int(m.Cb[ci])-128, int(m.Cr[ci])-128
				if cb*cb+cr*cr < inkSaturation*inkSaturation/6 {
					// Channels spread by at most 2.26 × the chroma's length.
					continue
				}
				yy := int(m.Y[yi]) * 1000
				r := (yy + 1402*cr) / 1000
				gg := (yy - 344*cb - 714*cr) / 1000
				bb := (yy + 1772*cb) / 1000
				g.pix[y*g.w+x] = inkLight(g.pix[y*g.w+x], r, gg, bb)
			}
		}
	case *image.RGBA:
		for y := 0; y < g.h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < g.w; x++ {
				p := m.Pix[off+4*x : off+4*x+3]
				g.pix[y*g.w+x] = inkLight(g.pix[y*g.w+x], int(p[0]), int(p[1]), int(p[2]))
			}
		}
	}
}

// inkLight is the grey level of a pixel of luma l and channels r, g, b:
// l for a neutral pixel, for coloured ink its brightest channel plus twice
// its saturation (at most white).
func inkLight(l uint8, r, g, b int) uint8 {
	hi, lo := max(r, g, b), min(r, g, b)
	sat := hi - lo
	if sat < inkSaturation {
		return l
	}
	// A soft ramp up to inkFull: a photo's colour noise on paper and
	// print (a little over inkSaturation) moves little, no speckle.
	hi = min(255, hi)
	if hi <= int(l) {
		return l
	}
	w := min(sat-inkSaturation, inkFull-inkSaturation)
	return uint8(int(l) + (hi-int(l))*w/(inkFull-inkSaturation))
}

// inkPageShare: a page is inked when more than one pixel in inkPageShare
// is clearly coloured (channels spread by inkClear or more). The shared
// purchase orders' photos have at most 134 such pixels in 1.6 million
// (colour noise); a faded chop over a table has thousands. A page not
// inked is left exactly as it was: its colour noise (spreads a little
// over inkSaturation) is not ink.
const (
	inkPageShare = 3000
	inkClear     = 48
)

// inkedPage reports whether img (a YCbCr or RGBA photo) carries coloured
// ink, counting every other pixel of every other row.
func inkedPage(img image.Image) bool {
	b := img.Bounds()
	n := 0
	switch m := img.(type) {
	case *image.YCbCr:
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			for x := b.Min.X; x < b.Max.X; x += 2 {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				cb, cr := int(m.Cb[ci])-128, int(m.Cr[ci])-128
				if cb*cb+cr*cr < inkClear*inkClear/6 {
					continue
				}
				yy := int(m.Y[yi]) * 1000
				r, gg, bb := (yy+1402*cr)/1000, (yy-344*cb-714*cr)/1000, (yy+1772*cb)/1000
				if max(r, gg, bb)-min(r, gg, bb) >= inkClear {
					n++
				}
			}
		}
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			off := m.PixOffset(b.Min.X, y)
			for x := 0; x < b.Dx(); x += 2 {
				p := m.Pix[off+4*x : off+4*x+3]
				if max(p[0], p[1], p[2])-min(p[0], p[1], p[2]) >= inkClear {
					n++
				}
			}
		}
	default:
		return false
	}
	return 4*n*inkPageShare > b.Dx()*b.Dy()
}
