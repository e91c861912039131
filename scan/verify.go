package scan

import (
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// Verification of retail reads (EAN-13, UPC-A, EAN-8, UPC-E). A wrong
// product read is worse than none, and the mod-10 check digit of these
// codes catches too few misreads, so a read is returned only when it passes
// rules of geometry and agreement, independent of any photo:
//
//   - EAN-8 and UPC-E (short, and found inside longer codes, DataBar
//     finder patterns or torn labels) need clear quiet zones on both sides
//     of the read on its own scan line (quietZonesClear; the part inside the
//     photo) and on the lines 3 modules above and below, at the bars'
//     tilt (shortBarsAcross: a line through a turned longer code's bar
//     ends sees paper past a piece of it on that line only), nothing
//     longer read over the same bars (collector.good), and
//     two agreeing reads on independent lines (collector.accepted);
//   - in the cascade's late, aggressive stages (enlarged and sharpened
//     images, dense scans) a retail code counts only when two lines of the
//     same scan agree; a lone late read never adds to earlier evidence;
//   - two different retail codes, each accepted, read over the same bars
//     (sameBars) cancel out: the photo returns neither (collector.good);
//   - a read of a low-resolution symbol, an EAN-8 or UPC-E, or one over
//     whose bars another code was read is read again by the model readers
//     on its region, and vetoed when they accept another code, or when
//     neither its edges confirm it nor the blurred fit places any symbol
//     on its region (xcheck.go);
//   - an EAN-8 or UPC-E that neither is confirmed nor contradicted that
//     way is vetoed when an EAN-13 over its span, or from either of its
//     guards at its module, explains the grey levels far better than its
//     own modules (shortfit.go).
//
// Code 128's mod-103 check does not make one line's read trustworthy: a
// line that crosses a turned symbol's bar ends, or blur, or a symbol at 2
// px a module misreads a piece or two codewords, and the check passes
// one time in 103. A Code 128 read on one line only needs a second line
// (any scan) or a reread with the same text across the bars beside that
// line (lineReread; collector.accepted, lineConfirm in collect.go).

// retail reports whether f is one of the EAN/UPC symbologies that name a
// product.
func retail(f gozxing.BarcodeFormat) bool {
	switch f {
	case gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_UPC_A,
		gozxing.BarcodeFormat_EAN_8, gozxing.BarcodeFormat_UPC_E:
		return true
	}
	return false
}

// short reports whether f is EAN-8 or UPC-E.
func short(f gozxing.BarcodeFormat) bool {
	return f == gozxing.BarcodeFormat_EAN_8 || f == gozxing.BarcodeFormat_UPC_E
}

// gtinOf returns the GTIN-14 a retail read names (UPC-E expanded), so that
// the same product read as UPC-A and as EAN-13 counts as one code; "" when
// the text is not a valid GTIN.
func gtinOf(f gozxing.BarcodeFormat, text string) string {
	if f == gozxing.BarcodeFormat_UPC_E {
		full, err := ExpandUPCE(text)
		if err != nil {
			return ""
		}
		text = full
	}
	g, _ := ToGTIN14(text)
	return g
}

// Quiet zone of a short code: the modules 1 to quietModules beyond each
// guard must be light paper (the module next to the guard is not looked
// at: blur spreads the guard bar into it). The standard asks for 7 (EAN-8)
// or 9 and 7 (UPC-E), but photos are cropped tighter; 5 light modules are
// enough to tell a real quiet zone from the inside of a longer EAN/UPC
// symbol, whose spaces are at most 4 modules wide (G6 0000101, R6
// 1010000, R3 1000010), so a short code read within one fails.
const quietModules = 6

// minQuietVisible is the width, in modules from the guard, of a quiet zone
// that must be inside the photo.
const minQuietVisible = 3

// quietZonesClear reports whether the EAN-8 or UPC-E read on luminance
// line lum (the view's row, mirrored when rev) between guard centres xs
// (start guard) and xe (end guard), in line coordinates, has a light quiet
// zone on both sides: no more than a tenth of its pixels darker than the
// symbol's light level less 30% of its contrast, and at least
// minQuietVisible modules of each inside the photo (a code cut by the image
// edge is not verified).
func quietZonesClear(f gozxing.BarcodeFormat, lum []byte, rev bool, xs, xe float64) bool {
	span, endHalf := shortSpan(f)
	if xe <= xs {
		return false
	}
	m := (xe - xs) / span
	left, right := xs-1.5*m, xe+endHalf*m
	w := len(lum)
	px := func(x int) byte {
		if rev {
			return lum[w-1-x]
		}
		return lum[x]
	}
	zl0, zl1 := int(left-quietModules*m), int(left-m)
	zr0, zr1 := int(right+m+0.999), int(right+quietModules*m+0.999)
	// A close-up may leave part of a quiet zone outside the photo: the
	// part inside must be clear and at least minQuietVisible modules wide
	// (what the reader itself checks). A short code inside a longer one
	// still fails: the longer code's bars are inside the photo on the side
	// away from the edge.
	zl0, zr1 = max(zl0, 0), min(zr1, w)
	if float64(zl1-zl0) < (minQuietVisible-1)*m || float64(zr1-zr0) < (minQuietVisible-1)*m {
		return false
	}
	// Dark and light levels of the symbol: 5th and 95th percentile.
	var hist [256]int
	n := 0
	for x := int(left); x <= int(right) && x < w; x++ {
		hist[px(x)]++
		n++
	}
	dark, light := -1, -1
	acc := 0
	for v, c := range hist {
		acc += c
		if dark < 0 && acc*20 >= n {
			dark = v
		}
		if light < 0 && acc*20 >= n*19 {
			light = v
		}
	}
	if light-dark < 16 {
		return false
	}
	// Blur turns thin bars to mid-grays, so anything clearly below the
	// paper counts as ink.
	thr := byte(light - 3*(light-dark)/10)
	clear := func(x0, x1 int) bool {
		ink := 0
		for x := x0; x < x1; x++ {
			if px(x) < thr {
				ink++
			}
		}
		return ink*10 <= x1-x0
	}
	return clear(zl0, zl1) && clear(zr0, zr1)
}

// shortAcross is whether a short code's row read must also hold on the
// lines shortAcrossModules modules above and below (shortBarsAcross).
// Tests switch it.
var shortAcross = true

// shortAcrossModules is how far, in the read's modules, from its line the
// lines above and below are looked at.
const shortAcrossModules = 3

// shortAcrossCorr is the least correlation of a neighbouring line's grey
// levels (at the best tilt) with the read line's over the symbol.
const shortAcrossCorr = 0.5

// shortBarsAcross reports whether the EAN-8 or UPC-E read on line y of g
// (mirrored when rev) between guard centres xs and xe, in line
// coordinates, is a symbol whose bars cross the line: on each line d =
// shortAcrossModules modules above and below (inside the image), the
// same bars are found at some tilt (a shift of at most d px, 45°) and
// with clear quiet zones there too (quietZonesClear). A line that crosses
// a turned longer code through its bars' ends (in at the start guard,
// out over the bars' tops after the centre guard) sees paper past a
// piece of it, and its quiet zones are clear on that line only: a line a
// little further into the symbol sees the longer code's next bars in
// one of them.
func shortBarsAcross(f gozxing.BarcodeFormat, g *gray, y int, rev bool, xs, xe float64) bool {
	span, endHalf := shortSpan(f)
	if xe <= xs {
		return false
	}
	m := (xe - xs) / span
	d := max(2, int(shortAcrossModules*m+0.5))
	w := g.w
	line := func(yy int) []byte { return g.pix[yy*w : (yy+1)*w] }
	px := func(l []byte, x int) float64 {
		if rev {
			return float64(l[w-1-x])
		}
		return float64(l[x])
	}
	x0, x1 := int(xs-1.5*m), int(xe+endHalf*m+0.999)
	if x0 < 0 || x1 >= w {
		return true // left to quietZonesClear
	}
	me := line(y)
	for _, dy := range []int{-d, d} {
		yy := y + dy
		if yy < 0 || yy >= g.h {
			continue
		}
		o := line(yy)
		best, bestS := -2.0, 0
		for s := -d; s <= d; s++ {
			if x0+s < 0 || x1+s >= w {
				continue
			}
			var sa, sb, saa, sbb, sab float64
			n := 0.0
			for x := x0; x <= x1; x++ {
				a, b := px(me, x), px(o, x+s)
				sa += a
				sb += b
				saa += a * a
				sbb += b * b
				sab += a * b
				n++
			}
			va, vb := saa-sa*sa/n, sbb-sb*sb/n
			if va <= 0 || vb <= 0 {
				continue
			}
			if c := (sab - sa*sb/n) / math.Sqrt(va*vb); c > best {
				best, bestS = c, s
			}
		}
		if best < shortAcrossCorr || !quietZonesClear(f, o, rev, xs+float64(bestS), xe+float64(bestS)) {
			return false
		}
	}
	return true
}

// shortSpan is a short code's width from its start guard's centre to its
// end guard's centre, and its end guard's half width, in modules: EAN-8
// 67 modules (3 + 28 + 5 + 28 + 3), UPC-E 51 (3 + 42 + 6).
func shortSpan(f gozxing.BarcodeFormat) (span, endHalf float64) {
	if f == gozxing.BarcodeFormat_UPC_E {
		return 46.5, 3
	}
	return 64, 1.5
}

// rereadModules is how far, in the read's modules, the lines beside a
// one-line Code 128 read reach on each side (lineReread).
const rereadModules = 2

// code128Module is the module width of the Code 128 read res, in px of
// its line: from its start pattern's centre to its stop pattern's are 11
// modules a codeword (start, data, check) and 6.5 of the stop pattern
// less 5.5 of the start's. 0 when res has no such points.
func code128Module(res *gozxing.Result) float64 {
	pts, raw := res.GetResultPoints(), res.GetRawBytes()
	if len(pts) < 2 || pts[0] == nil || pts[1] == nil || len(raw) < 3 {
		return 0
	}
	return abs(pts[1].GetX()-pts[0].GetX()) / float64(11*(len(raw)-1)+1)
}

// lineReread reports whether the Code 128 read res (lineTrusted1D), made
// on line y of g (the line mirrored when rev, res's points in the line's
// coordinates) at m px a module, reads again with the same text from the
// lines beside it. The bars' tilt is the shift that best correlates the
// lines d = rereadModules modules above and below with the read line over
// the symbol; on each side, the lines along the symbol's axis (across
// the bars, through the read's middle moved 1 to d px along the bars)
// are sampled every half pixel, averaged into one, binarized at
// mid-contrast and against the local mean (adaptiveRow), and read by the
// Code 128 reader. The read line's own pixels take no part but at its
// middle. A line that crosses the bars' ends (into the symbol through its
// bars' tops) reads a piece of it, or noise, with a check character that
// passes by chance: the lines across the bars beside its middle read the
// symbol or nothing, not the same text.
func lineReread(g *gray, y int, rev bool, res *gozxing.Result, m float64) bool {
	pts := res.GetResultPoints()
	if m <= 0 {
		return false
	}
	w := g.w
	xs, xe := pts[0].GetX(), pts[1].GetX()
	if rev {
		xs, xe = float64(w-1)-xs, float64(w-1)-xe
	}
	a, b := min(xs, xe), max(xs, xe)
	d := max(2, int(rereadModules*m+0.5))
	x0, x1 := max(0, int(a-6*m)), min(w-1, int(b+7*m+0.999))
	if x1-x0 < 8 {
		return false
	}
	line := func(yy int) []byte { return g.pix[yy*w : (yy+1)*w] }
	me := line(y)
	// the bars' tilt: the shift (px over d lines) of best correlation
	best, slope := -2.0, 0.0
	for _, side := range []int{-1, 1} {
		yy := y + side*d
		if yy < 0 || yy >= g.h {
			continue
		}
		o := line(yy)
		corr := func(s int) float64 {
			var sa, sb, saa, sbb, sab, n float64
			for x := x0; x <= x1; x++ {
				if x+s < 0 || x+s >= w {
					continue
				}
				p, q := float64(me[x]), float64(o[x+s])
				sa, sb, saa, sbb, sab = sa+p, sb+q, saa+p*p, sbb+q*q, sab+p*q
				n++
			}
			if n < 8 {
				return -2
			}
			va, vb := saa-sa*sa/n, sbb-sb*sb/n
			if va <= 0 || vb <= 0 {
				return -2
			}
			return (sab - sa*sb/n) / math.Sqrt(va*vb)
		}
		cs := map[int]float64{}
		top, topS := -2.0, 0
		for s := -2 * d; s <= 2*d; s++ {
			cs[s] = corr(s)
			if cs[s] > top {
				top, topS = cs[s], s
			}
		}
		if top <= best {
			continue
		}
		shift := float64(topS)
		if l, r := cs[topS-1], cs[topS+1]; topS > -2*d && topS < 2*d && l > -2 && r > -2 {
			if den := l - 2*top + r; den < 0 {
				shift += 0.5 * (l - r) / den // parabola through the peak
			}
		}
		best, slope = top, shift/float64(side*d) // px of x a line of y
	}
	if best < shortAcrossCorr {
		return false // no bars beside the line
	}
	// along the axis (ax, ay), across the bars; along the bars (bx, by)
	norm := math.Hypot(1, slope)
	ax, ay := 1/norm, -slope/norm
	bx, by := slope/norm, 1/norm
	cx, cy := (a+b)/2, float64(y)
	half := (float64(x1-x0) / 2) / norm // the span's length across the bars
	const step = 0.5
	n := int(2*half/step) + 1
	bilinear := func(fx, fy float64) (float64, bool) {
		ix, iy := int(math.Floor(fx)), int(math.Floor(fy))
		if ix < 0 || iy < 0 || ix+1 >= w || iy+1 >= g.h {
			return 0, false
		}
		u, v := fx-float64(ix), fy-float64(iy)
		p := g.pix[iy*w+ix:]
		q := g.pix[(iy+1)*w+ix:]
		return (float64(p[0])*(1-u)+float64(p[1])*u)*(1-v) + (float64(q[0])*(1-u)+float64(q[1])*u)*v, true
	}
	for _, side := range []float64{-1, 1} {
		prof := make([]byte, n)
		ok := true
		for i := range n {
			t := float64(i)*step - half
			s := 0.0
			for k := 1; k <= d; k++ {
				o := side * float64(k)
				v, in := bilinear(cx+t*ax+o*bx, cy+t*ay+o*by)
				if !in {
					ok = false
					break
				}
				s += v
			}
			if !ok {
				break
			}
			prof[i] = byte(s/float64(d) + 0.5)
		}
		if !ok {
			continue
		}
		if rev {
			slices.Reverse(prof)
		}
		if rereads(prof, y, res.GetText()) {
			return true
		}
	}
	return false
}

// rereads reports whether the Code 128 reader reads text from the grey
// line l, binarized at mid-contrast or against the local mean.
func rereads(l []byte, y int, text string) bool {
	w := len(l)
	lo, hi := byte(255), byte(0)
	for _, v := range l {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi-lo < 16 {
		return false
	}
	thr := lo + (hi-lo)/2
	mid := gozxing.NewBitArray(w)
	for x, v := range l {
		if v < thr {
			mid.Set(x)
		}
	}
	adapt := adaptiveRow(l, gozxing.NewBitArray(w), make([]int32, 0, w+1))
	for _, row := range []*gozxing.BitArray{mid, adapt} {
		rd := oned.NewCode128Reader().(oned.RowDecoder)
		if r, err := rd.DecodeRow(y, row, nil); err == nil && r != nil && r.GetText() == text {
			return true
		}
	}
	return false
}
