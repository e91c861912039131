package ocr

import (
	"math"
)

// Curled paper. A receipt photographed in the hand or off a curved roll
// bows: its text lines rise or fall across the page, and a line's amount
// sits half a line higher or lower than its description. Rectifying the
// sheet's outline cannot undo that, and Tesseract then reads the
// description and the amount as parts of different lines (or reads
// neither). dewarpRows straightens the lines from the text itself: the page
// is cut into vertical bands, each band's horizontal ink profile (its text
// lines as peaks) is matched to the next band's, window by window down the
// page, and the vertical shifts found add up to a displacement field that
// is undone. A page whose lines are straight already (every shift under
// dewarpMin pixels) is returned unchanged, and so is a page the field does
// not show curled: mostly tilt rather than bow, or not levelled by the
// straightening (its row profile no sharper; see the end of dewarpRows).
//
// Off by default (prepOptions.dewarp; benchmarks: OCR_DEWARP=1). Ungated,
// applied to every page, it found lines on real receipt photos
// but bent straight pages: generated A4 families (tilt and perspective
// left by a sheet not found) and a thermal purchase order lost lines
// (BENCHMARKS.md, fifth and sixth passes).

// dewarpInk: pixels darker than this are ink, weighted by how much.
const dewarpInk = 200

// dewarpGain is how much better (normalised correlation) a shifted match
// must be than the expected shift's.
const dewarpGain = 0.05

// dewarpMin is the largest displacement (pixels) left alone, and
// dewarpMinLines the same in text heights: a tilt Tesseract reads through
// is not worth the resampling (on the shared purchase orders, straightening
// displacements under half a text height lost two dates).
const (
	dewarpMin      = 2.0
	dewarpMinLines = 0.6
)

// dewarpTrace, when set (development aids), is told the measured
// displacements.
var dewarpTrace func(lineH float64, bandW int, inked []int, disp [][]float64)

// dewarpRows returns g with its text lines straightened (see above), or g
// itself when they are straight or cannot be measured.
func dewarpRows(g *grayImg) *grayImg {
	lh := textLineHeight(g)
	if lh < 4 || float64(g.w) < 8*lh || float64(g.h) < 6*lh {
		return g
	}
	L := lh
	bw := int(math.Max(4*L, float64(g.w)/12))
	nb := g.w / bw
	if nb < 3 {
		return g
	}
	// Ink profiles per band, smoothed over a third of a line.
	prof := make([][]float64, nb)
	ink := make([]float64, nb)
	sm := max(1, int(L/3))
	for b := 0; b < nb; b++ {
		p := make([]float64, g.h)
		for y := 0; y < g.h; y++ {
			row := g.pix[y*g.w+b*bw : y*g.w+(b+1)*bw]
			n := 0
			for _, v := range row {
				if v < dewarpInk {
					n += int(dewarpInk - v)
				}
			}
			p[y] = float64(n)
			ink[b] += float64(n)
		}
		q := make([]float64, g.h)
		var acc float64
		for y := 0; y < g.h+sm; y++ {
			if y < g.h {
				acc += p[y]
			}
			if y-2*sm-1 >= 0 {
				acc -= p[y-2*sm-1]
			}
			if c := y - sm; c >= 0 && c < g.h {
				q[c] = acc
			}
		}
		prof[b] = q
	}
	// Bands with little ink (a fifth of the most inked band's; the gap between descriptions and
	// amounts, the margins) are skipped: a band is matched with the next
	// inked one.
	minInk := 0.0
	for _, v := range ink {
		minInk = math.Max(minInk, v/5)
	}
	var inked []int
	for b := 0; b < nb; b++ {
		if ink[b] >= minInk {
			inked = append(inked, b)
		}
	}
	if len(inked) < 2 {
		return g
	}
	// Shifts between consecutive inked bands, per window down the page.
	win := int(8 * L)
	stepY := int(2 * L)
	maxD := int(0.6 * L)
	nw := (g.h-win)/stepY + 1
	if nw < 1 {
		return g
	}
	wc := make([]float64, nw) // window centres
	for i := range wc {
		wc[i] = float64(i*stepY + win/2)
	}
	// Neighbouring bands first; across a gap of empty bands the search is
	// centred on the shift the neighbouring pairs predict for that
	// distance (a tilt or a bow continues across the gap).
	match := func(a, b []float64, centre []float64) []float64 {
		s := make([]float64, nw)
		known := make([]bool, nw)
		for i := 0; i < nw; i++ {
			y0 := i * stepY
			c0 := 0
			if centre != nil {
				c0 = int(math.Round(centre[i]))
			}
			best, bestD := -1.0, 0
			for d := c0 - maxD; d <= c0+maxD; d++ {
				if c := ncc(a, b, y0, y0+win, d); c > best {
					best, bestD = c, d
				}
			}
			if best <= 0.5 {
				continue
			}
			// A shift must match clearly better than the expected one:
			// periodic lines match almost as well one line off.
			if bestD != c0 && best-ncc(a, b, y0, y0+win, c0) < dewarpGain {
				bestD = c0
			}
			s[i], known[i] = float64(bestD), true
		}
		fillUnknown(s, known)
		return s
	}
	shift := make([][]float64, len(inked)-1) // shift[k][i]: band inked[k] → inked[k+1]
	perBand := make([]float64, nw)           // mean shift per band step of the neighbouring pairs
	nAdj := 0
	for k := 0; k+1 < len(inked); k++ {
		if inked[k+1]-inked[k] == 1 {
			shift[k] = match(prof[inked[k]], prof[inked[k+1]], nil)
			for i := range perBand {
				perBand[i] += shift[k][i]
			}
			nAdj++
		}
	}
	for k := 0; k+1 < len(inked); k++ {
		if shift[k] != nil {
			continue
		}
		n := float64(inked[k+1] - inked[k])
		centre := make([]float64, nw)
		if nAdj > 0 {
			for i := range centre {
				centre[i] = n * perBand[i] / float64(nAdj)
			}
		}
		shift[k] = match(prof[inked[k]], prof[inked[k+1]], centre)
	}
	// The field is smooth: per window, the shift per pixel across the
	// page (the pairs' shifts over their distances, at their middles) is
	// fitted as a straight line in x — a tilt plus a bow — and integrated
	// from the page's middle; the fits are smoothed down the page.
	bx := make([]float64, len(inked))
	for k, b := range inked {
		bx[k] = (float64(b) + 0.5) * float64(bw)
	}
	xm := float64(g.w) / 2
	ca, cb := make([]float64, nw), make([]float64, nw)
	for i := 0; i < nw; i++ {
		var sw, sx, sy, sxx, sxy float64
		for k := range shift {
			dx := bx[k+1] - bx[k]
			x := (bx[k]+bx[k+1])/2 - xm
			v := shift[k][i] / dx
			w := dx
			sw += w
			sx += w * x
			sy += w * v
			sxx += w * x * x
			sxy += w * x * v
		}
		mx, my := sx/sw, sy/sw
		if vx := sxx/sw - mx*mx; vx > 1 && len(shift) >= 3 {
			cb[i] = (sxy/sw - mx*my) / vx
		}
		ca[i] = my - cb[i]*mx
	}
	smooth3(ca)
	smooth3(cb)
	disp := make([][]float64, len(inked))
	for k := range inked {
		x := bx[k] - xm
		disp[k] = make([]float64, nw)
		for i := range disp[k] {
			disp[k][i] = ca[i]*x + cb[i]*x*x/2
		}
	}
	biggest := 0.0
	for _, d := range disp {
		for _, v := range d {
			biggest = math.Max(biggest, math.Abs(v))
		}
	}
	if dewarpTrace != nil {
		dewarpTrace(L, bw, inked, disp)
	}
	if biggest < math.Max(dewarpMin, dewarpMinLines*L) {
		return g
	}
	// A curl bows the lines: their middles lie off the chord between their
	// ends. A field that is mostly a tilt, or a tilt changing down the page
	// (a sheet photographed at an angle and not found, left in perspective),
	// is not curl: Tesseract reads such lines, and on the generated A4
	// families undoing it cost lines (BENCHMARKS.md, sixth pass). The bow —
	// the fit's curvature over the inked bands' half span — must be a
	// good share of the largest displacement.
	half := (bx[len(bx)-1] - bx[0]) / 2
	bow := 0.0
	for _, c := range cb {
		bow = math.Max(bow, math.Abs(c)*half*half/2)
	}
	bowed := bow >= dewarpBowShare*biggest
	if !bowed && dewarpGateTrace == nil {
		return g
	}
	out := undisplace(g, bx, wc, disp)
	// The measurement is checked against the page: undone, a real curl
	// brings the text lines level across the whole width, so the page's
	// row profile (ink per pixel row, all columns together) gets sharper.
	// A field fitted to something else (the bands of a multi-column table
	// matched line for line wrongly, a striped background) bends lines
	// that were level, and the profile blurs: such a page is returned
	// unchanged.
	before, after := rowSharpness(g), rowSharpness(out)
	if dewarpGateTrace != nil {
		dewarpGateTrace(biggest/L, bow/L, before, after)
	}
	if !bowed || after < before*(1+dewarpSharper) {
		return g
	}
	return out
}

// dewarpBowShare is the smallest share of the largest displacement the
// bow must make for a page to count as curled (see dewarpRows).
const dewarpBowShare = 0.35

// dewarpSharper is how much sharper (relative) the row profile of the
// straightened page must be than the page's own for the straightening to
// be kept (see dewarpRows).
const dewarpSharper = 0.05

// dewarpGateTrace, when set (development aid), is told each measured
// page's largest displacement and its bow in text heights, and its
// row-profile sharpness before and after (even a page the bow leaves
// alone is straightened for it).
var dewarpGateTrace func(lines, bow, before, after float64)

// rowSharpness is the row profile's concentration: with P(y) the ink of
// pixel row y summed over the width, h·ΣP² / (ΣP)² — 1 for ink spread
// evenly down the page, larger the more it is gathered into level lines.
func rowSharpness(g *grayImg) float64 {
	var s1, s2 float64
	for y := 0; y < g.h; y++ {
		n := 0
		for _, v := range g.pix[y*g.w : (y+1)*g.w] {
			if v < dewarpInk {
				n += int(dewarpInk - v)
			}
		}
		p := float64(n)
		s1 += p
		s2 += p * p
	}
	if s1 == 0 {
		return 0
	}
	return float64(g.h) * s2 / (s1 * s1)
}

// undisplace moves each column of g by the displacement field disp (per
// inked band at bx, per window centre wc).
func undisplace(g *grayImg, bx, wc []float64, disp [][]float64) *grayImg {
	// The displacement is interpolated between the band centres
	// (constant beyond the outer ones) and between window centres in y.
	out := newGray(g.w, g.h)
	col := make([]float64, g.h)
	for x := 0; x < g.w; x++ {
		fx := float64(x)
		k1 := 0
		for k1 < len(bx) && bx[k1] < fx {
			k1++
		}
		var da, db []float64
		a := 0.0
		switch {
		case k1 == 0:
			da, db = disp[0], disp[0]
		case k1 == len(bx):
			da, db = disp[len(bx)-1], disp[len(bx)-1]
		default:
			da, db = disp[k1-1], disp[k1]
			a = (fx - bx[k1-1]) / (bx[k1] - bx[k1-1])
		}
		for y := 0; y < g.h; y++ {
			col[y] = interpWin(da, wc, float64(y))*(1-a) + interpWin(db, wc, float64(y))*a
		}
		for y := 0; y < g.h; y++ {
			sy := float64(y) + col[y]
			if sy < 0 || sy > float64(g.h-1) {
				out.pix[y*g.w+x] = 255
				continue
			}
			y0 := int(sy)
			y1 := min(y0+1, g.h-1)
			f := sy - float64(y0)
			out.pix[y*g.w+x] = uint8(math.Round(float64(g.pix[y0*g.w+x])*(1-f) + float64(g.pix[y1*g.w+x])*f))
		}
	}
	return out
}

// ncc is the normalised correlation of a[y0:y1] with b shifted by d.
func ncc(a, b []float64, y0, y1, d int) float64 {
	var sa, sb, saa, sbb, sab, n float64
	for y := y0; y < y1; y++ {
		yb := y + d
		if y < 0 || y >= len(a) || yb < 0 || yb >= len(b) {
			continue
		}
		va, vb := a[y], b[yb]
		sa += va
		sb += vb
		saa += va * va
		sbb += vb * vb
		sab += va * vb
		n++
	}
	if n < 2 {
		return 0
	}
	cov := sab - sa*sb/n
	va, vb := saa-sa*sa/n, sbb-sb*sb/n
	if va <= 0 || vb <= 0 {
		return 0
	}
	return cov / math.Sqrt(va*vb)
}

// fillUnknown gives the unmeasured windows the value of the nearest
// measured ones (interpolated between two), 0 when none is measured.
func fillUnknown(s []float64, known []bool) {
	last := -1
	for i := range s {
		if !known[i] {
			continue
		}
		if last < 0 {
			for j := 0; j < i; j++ {
				s[j] = s[i]
			}
		} else {
			for j := last + 1; j < i; j++ {
				f := float64(j-last) / float64(i-last)
				s[j] = s[last]*(1-f) + s[i]*f
			}
		}
		last = i
	}
	if last < 0 {
		for i := range s {
			s[i] = 0
		}
		return
	}
	for j := last + 1; j < len(s); j++ {
		s[j] = s[last]
	}
}

func smooth3(d []float64) {
	if len(d) < 3 {
		return
	}
	c := append([]float64(nil), d...)
	for i := 1; i < len(d)-1; i++ {
		d[i] = (c[i-1] + 2*c[i] + c[i+1]) / 4
	}
}

// interpWin interpolates per-window values at y.
func interpWin(v, wc []float64, y float64) float64 {
	if y <= wc[0] {
		return v[0]
	}
	n := len(wc)
	if y >= wc[n-1] {
		return v[n-1]
	}
	step := wc[1] - wc[0]
	i := int((y - wc[0]) / step)
	if i >= n-1 {
		return v[n-1]
	}
	f := (y - wc[i]) / step
	return v[i]*(1-f) + v[i+1]*f
}
