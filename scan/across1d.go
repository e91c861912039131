package scan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
)

// ITF has no check character the reader asks for, and a piece of a
// longer symbol is itself a valid symbol: any even run of ITF's digit
// pairs behind a start pattern reads (an ITF of 12 digits holds ITFs of
// 6, 8 and 10), and the reader looks for its quiet zones on the read line
// only. A line that crosses a turned symbol through its bars' ends (in
// over the bars' tops, out at the end pattern, or the other way) sees
// paper before the bars it crosses: on that line the piece has clear
// quiet zones, and every binarization of the line reads it, which
// weak1D's two reads took for two. A line a few modules further into the
// symbol sees, at the bars' tilt, the same bars and, where the piece's
// quiet zone was, more of the symbol's bars.
//
// barsAcross1D asks of an ITF row read about what shortBarsAcross asks of
// EAN-8 and UPC-E, but only where the lines beside it see its bars: a
// line past the bars' ends (a real read near them) is no evidence either
// way. Code 39 is not checked: lateLineCase's Code 39 (seeds 1–600) gave
// no wrong read, its start and stop character do not occur inside it.

// barsAcross is whether an ITF row read must hold on the lines beside it
// (barsAcross1D). Tests and benchmarks switch it.
var barsAcross = true

// barsAcrossModules is how far, in the read's modules, from its line the
// lines above and below are looked at.
const barsAcrossModules = 3

// barsAcrossQuietFrom and barsAcrossQuietTo bound, in modules beyond
// the symbol's ends (its outermost bars on the read line, inkEnds: the
// reader's points can sit a few modules inside its end patterns), the
// quiet zone that must be light on those lines.
const barsAcrossQuietFrom, barsAcrossQuietTo = 1.5, 6

// acrossChecked reports whether f's row reads are checked by barsAcross1D
// (ITF only).
func acrossChecked(f gozxing.BarcodeFormat) bool {
	return f == gozxing.BarcodeFormat_ITF
}

// acrossSpan returns, for an ITF or Code 39 read of text between the
// reader's points xs < xe (ITF: the end of the start pattern and the
// start of the end pattern; Code 39: the centres of the start and stop
// characters), its module m (taking wide bars as 3 modules: with
// narrower wide bars the module is over-estimated by up to 9/7 and the
// patterns' widths below cover that) and how far the symbol reaches
// beyond xs and beyond xe, in px.
func acrossSpan(f gozxing.BarcodeFormat, text string, xs, xe float64) (m, before, after float64) {
	n := float64(len(text))
	if n == 0 || xe <= xs {
		return 0, 0, 0
	}
	if f == gozxing.BarcodeFormat_ITF {
		// a digit is 2 wide and 3 narrow elements (9 modules); the start
		// pattern is 4 narrow, the end pattern wide, narrow, narrow
		m = (xe - xs) / (9 * n)
		return m, 5.5 * m, 6 * m
	}
	// a Code 39 character is 3 wide and 6 narrow elements and a gap
	// (16 modules); the points are the start and stop characters' centres
	m = (xe - xs) / (16 * (n + 1))
	return m, 8.5 * m, 8.5 * m
}

// barsAcross1D reports whether the ITF (or Code 39) read res, made on
// line y of g (mirrored when rev; res's points in the line's
// coordinates), is a symbol whose bars cross the line. On each line d =
// barsAcrossModules modules above and below (inside the image) the read
// line's grey levels over the symbol are looked for at some shift (at
// most d px: a tilt of 45°); where they are found (correlation ≥
// shortAcrossCorr) the quiet zones beyond the symbol's ends, at that
// shift, must be light, and at least one such line must be found (or
// neither line be inside the image). A read cut by the image's edge is
// left to the reader.
func barsAcross1D(g *gray, y int, rev bool, res *gozxing.Result) bool {
	pts := res.GetResultPoints()
	if len(pts) < 2 || pts[0] == nil || pts[1] == nil {
		return false
	}
	xs, xe := min(pts[0].GetX(), pts[1].GetX()), max(pts[0].GetX(), pts[1].GetX())
	m, before, after := acrossSpan(res.GetBarcodeFormat(), res.GetText(), xs, xe)
	if m <= 0 {
		return false
	}
	w := g.w
	px := func(l []byte, x int) float64 {
		if rev {
			return float64(l[w-1-x])
		}
		return float64(l[x])
	}
	x0, x1 := int(xs-before), int(xe+after+0.999)
	if x0 < 0 || x1 >= w {
		return true // cut by the image's edge: left to the reader
	}
	d := max(2, int(barsAcrossModules*m+0.5))
	me := g.pix[y*w : (y+1)*w]
	ea, eb := inkEnds(me, rev, xs, xe, m)
	held, inside := false, 0
	for _, dy := range []int{-d, d} {
		yy := y + dy
		if yy < 0 || yy >= g.h {
			continue
		}
		inside++
		o := g.pix[yy*w : (yy+1)*w]
		best, bestS := -2.0, 0
		for s := -d; s <= d; s++ {
			if x0+s < 0 || x1+s >= w {
				continue
			}
			var sa, sb, saa, sbb, sab, n float64
			for x := x0; x <= x1; x++ {
				a, b := px(me, x), px(o, x+s)
				sa, sb, saa, sbb, sab = sa+a, sb+b, saa+a*a, sbb+b*b, sab+a*b
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
		q := acrossQuiet(o, rev, ea+float64(bestS), eb+float64(bestS), m)
		if best < shortAcrossCorr {
			continue // past the bars' ends: no evidence either way
		}
		if !q {
			return false // more of the symbol's bars beyond the read
		}
		held = true
	}
	return held || inside == 0
}

// acrossQuiet reports whether the line lum (mirrored when rev) is light
// from barsAcrossQuietFrom to barsAcrossQuietTo modules (m px) beyond the
// symbol's ends a and b (its outermost bars' edges): no more than a tenth of those pixels darker than the symbol's light
// level less 30% of its contrast (the 5th and 95th percentiles between a
// and b). A zone cut by the image's edge is looked at inside the image.
func acrossQuiet(lum []byte, rev bool, a, b, m float64) bool {
	w := len(lum)
	px := func(x int) byte {
		if rev {
			return lum[w-1-x]
		}
		return lum[x]
	}
	var hist [256]int
	n := 0
	for x := max(0, int(a)); x <= int(b) && x < w; x++ {
		hist[px(x)]++
		n++
	}
	if n == 0 {
		return false
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
	thr := byte(light - 3*(light-dark)/10)
	clear := func(x0, x1 int) bool {
		x0, x1 = max(0, x0), min(w, x1)
		ink := 0
		for x := x0; x < x1; x++ {
			if px(x) < thr {
				ink++
			}
		}
		return ink*10 <= max(0, x1-x0)
	}
	return clear(int(a-barsAcrossQuietTo*m), int(a-barsAcrossQuietFrom*m)) && clear(int(b+barsAcrossQuietFrom*m+0.999), int(b+barsAcrossQuietTo*m+0.999))
}

// inkEnds returns where the symbol read between xs and xe (at m px a
// module) ends on its own line lum (mirrored when rev): the last pixel
// darker than its light level less 30% of its contrast (as acrossQuiet)
// before a light run of barsAcrossQuietFrom+1 modules, walking out from
// xs and from xe at most 12 modules (the reader's points can be a few
// modules inside the start and end patterns).
func inkEnds(lum []byte, rev bool, xs, xe, m float64) (a, b float64) {
	w := len(lum)
	px := func(x int) byte {
		if rev {
			return lum[w-1-x]
		}
		return lum[x]
	}
	var hist [256]int
	n := 0
	for x := max(0, int(xs)); x <= int(xe) && x < w; x++ {
		hist[px(x)]++
		n++
	}
	dark, light, acc := -1, -1, 0
	for v, c := range hist {
		acc += c
		if dark < 0 && acc*20 >= n {
			dark = v
		}
		if light < 0 && acc*20 >= n*19 {
			light = v
		}
	}
	thr := byte(light - 3*(light-dark)/10)
	run := int((barsAcrossQuietFrom + 1) * m)
	walk := func(from, step int) float64 {
		last, gap := from, 0
		for x := from; x >= 0 && x < w && abs(float64(x-from)) <= 12*m; x += step {
			if px(x) < thr {
				last, gap = x, 0
			} else if gap++; gap > run {
				break
			}
		}
		return float64(last)
	}
	return walk(int(xs), -1), walk(int(xe), 1)
}
