package scan

import "github.com/makiuchi-d/gozxing/oned"

// Light bars on a dark ground. A label on a metal can or a glossy bottle
// under a lamp: the printed bars (ink on metal, or bare metal between
// white ink) mirror the light into the lens and come out brighter than
// the spaces and the quiet zones, so every binarizer sees the code in
// reverse and the row readers find no guard pattern. When nothing else
// was read, the cascade scans the negative of the image for EAN-13 and
// UPC-A only (the short codes, EAN-8 and UPC-E, whose check digits are
// weak, and the other symbologies are not taken from a negative): the
// scan is a late one, so a code counts only when two of its lines agree,
// and the collector's rules (no rival retail code over the same bars)
// apply as to any row read.

// invertedEANDefault is whether the cascade runs the negative scan;
// invertedEAN is the setting in force (benchmarks switch it:
// PHOTOS_INVERT=1 adds it, PHOTOS_NOINVERT=1 leaves it out). It is on.
// On the development photos it read the two tune-half misses of upca-3
// (a can under a lamp, from which it was built) and nothing more on the
// held-out half (139 of 157 with and without), 0 wrong either way
// (BENCHMARKS.md, h/can). It is on although the held-out half shows no
// gain: it loses nothing there, reading a negative is a general rule
// (ZXing-C++ 2 tries inverted images by default), it costs 1-5 ms only on
// photos nothing else read, and it takes EAN-13/UPC-A only, two lines
// agreeing.
const invertedEANDefault = true

var invertedEAN = invertedEANDefault

// invertedAdaptive adds a scan of the negative binarized against each
// pixel's neighbours on the line, when the histogram scan read nothing: a
// lamp's glare lifts the ground of part of a line above the bars of the
// rest, which no one threshold for the line separates.
var invertedAdaptive = true

// invertedLines is the number of scan lines of the negative scan.
const invertedLines = 48

// negative returns g with every grey level reversed.
func (g *gray) negative() *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for i, v := range g.pix {
		out.pix[i] = 255 - v
	}
	return out
}

// invertedScan scans the negative of v (rows binarized by their
// histograms) with the EAN/UPC reader alone, short codes dropped.
func (r *run) invertedScan(v *view) {
	if r.ctx.Err() != nil {
		return
	}
	neg := &view{g: v.g.negative(), scale: v.scale, rotated: v.rotated, mirrored: v.mirrored, negative: true}
	r.longOnly = true
	defer func() { r.longOnly = false }()
	r.with([]oned.RowDecoder{r.r1D[0]}, func() {
		r.scan1D(neg, rowHistogram, invertedLines)
		if invertedAdaptive && !r.col.anyAccepted() {
			r.scan1D(neg, rowAdaptive, invertedLines)
		}
	})
}
