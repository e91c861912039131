package scan

import (
	"context"
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing"
)

// A short code read across a longer one. An EAN-8 is 67 modules, a UPC-E
// 51, an EAN-13 95: a blurred EAN-13 at about a pixel a module, binarized,
// can come out as an EAN-8 with modules 95/67 as wide, its guards on the
// EAN-13's guards, and pass the check digit (generated seed 6652: EAN-8
// 50357239 over the whole of EAN-13 0357734651757; the photos:
// EAN-8 89040003 in a UPC-A, 79148115 in an ISBN). Neither the quiet zones
// (the EAN-13's own, light and flat) nor the edges (blur merges them: no
// row has the symbol's edge count) tell it from a real EAN-8, and the
// model readers, asked for the EAN-13 it may be part of, accept nothing
// (the bars are too blurred for any code to pass their margins), but the
// blurred EAN fit does place a symbol there.
//
// So the two readings are compared on the grey levels themselves
// (shortOutfitted), on the bands where the fit placed a symbol: the short
// read's own modules (its digits are known: nothing is chosen) are
// rendered as the fit renders a symbol (boxes blurred by a Gaussian or a
// disk, integrated over the pixel, one brightness and contrast by least
// squares), the geometry refined from the read's guards (its two ends
// and the blur width, a descent by 1, 0.5 and 0.25 pixels, the ends
// within two modules); against it, the best EAN-13 (either way round) the
// blurred fit's own search finds (fitEANNear: its codes, its geometry
// search) when started from three places a longer code would be: over
// the short code's whole span (95 modules as 67, or 51); from its start
// guard on at its module; up to its end guard at its module; that code's
// geometry refined the same way. Both over the same pixels: both symbols,
// and 7 of the short code's modules beyond either. Each model predicts
// paper beyond its own guards, so bars that go on past the short code's
// guards, or bars narrower than its modules between them, count against
// it; an EAN-13 over a real EAN-8 or UPC-E (and its quiet zones)
// predicts bars where there are none, or misses its wider ones.
//
// A short read is vetoed when, on every band compared (at least two, the
// middle three at most), some EAN-13 leaves at most shortFitRatio of the
// short code's residual: the grey levels are an EAN-13's, not the short
// code's, even though no EAN-13 could be read from them. Seed 6652: 0.02
// to 0.03 on every band. On the tune photos (reads of UPC-E and EAN-8 the
// check neither confirms nor contradicts, 48 bands), the smallest ratio is
// 0.49 (upce-3/05), most above 0.7; on generated real EAN-8 and UPC-E at
// 0.9 to 2.2 pixels a module, no band is under it (TestShortOutfitted).

// shortFitVeto is whether the cross-check vetoes a short read the fitted
// EAN-13 explains better (see above); tests and benchmarks switch it.
var shortFitVeto = true

// shortFitRatio is how much of the short code's residual the EAN-13 may
// leave, at most, on a band that counts against the short code.
const shortFitRatio = 0.15

// shortFitBands is how many bands, at most, are compared (the middle
// ones of those the fit placed a symbol on).
const shortFitBands = 3

// shortModules returns the modules (bar = 1) of an EAN-8 or UPC-E read,
// without quiet zones; nil for another format or a malformed text.
func shortModules(f gozxing.BarcodeFormat, text string) []float64 {
	d := make([]int, len(text))
	for i := range text {
		if text[i] < '0' || text[i] > '9' {
			return nil
		}
		d[i] = int(text[i] - '0')
	}
	switch {
	case f == gozxing.BarcodeFormat_EAN_8 && len(d) == 8:
		out := []float64{1, 0, 1}
		for j := range 4 {
			out = append(out, eanPatterns[0][d[j]][:]...)
		}
		out = append(out, 0, 1, 0, 1, 0)
		for j := 4; j < 8; j++ {
			out = append(out, eanPatterns[2][d[j]][:]...)
		}
		return append(out, 1, 0, 1)
	case f == gozxing.BarcodeFormat_UPC_E && len(d) == 8 && d[0] <= 1:
		// bit 5 the first digit: set for a G (even) code
		par := [2][10]int{
			{0x38, 0x34, 0x32, 0x31, 0x2C, 0x26, 0x23, 0x2A, 0x29, 0x25},
			{0x07, 0x0B, 0x0D, 0x0E, 0x13, 0x19, 0x1C, 0x15, 0x16, 0x1A},
		}[d[0]][d[7]]
		out := []float64{1, 0, 1}
		for j := range 6 {
			c := 0
			if par&(1<<(5-j)) != 0 {
				c = 1
			}
			out = append(out, eanPatterns[c][d[1+j]][:]...)
		}
		return append(out, 0, 1, 0, 1, 0, 1)
	}
	return nil
}

// patternModel renders a module pattern on a profile window.
type patternModel struct {
	runs [][2]int // bars: modules [a, b)
	n    int      // modules
}

func newPatternModel(mods []float64) patternModel {
	pm := patternModel{n: len(mods)}
	for k := 0; k < len(mods); k++ {
		if mods[k] == 0 {
			continue
		}
		e := k
		for e < len(mods) && mods[e] != 0 {
			e++
		}
		pm.runs = append(pm.runs, [2]int{k, e})
		k = e
	}
	return pm
}

// residual is the share of the variance of prof[a:b) that pattern pm,
// from x0 at m pixels a module, blurred by sigma (Gaussian, or a disk of
// radius 2σ), leaves unexplained by the best brightness and contrast;
// model is scratch space of b-a values.
func (pm patternModel) residual(prof []float64, a, b int, x0, m, sigma float64, disk bool, model []float64) float64 {
	s := math.Sqrt(sigma*sigma + 1.0/12)
	reach := 3.5 * s
	cdf := func(u float64) float64 { return normCDF(u / s) }
	if disk {
		reach = 2*s + 1
		cdf = func(u float64) float64 { return diskCDFFast(u / (2 * s)) }
	}
	model = model[:b-a]
	for x := a; x < b; x++ {
		c := float64(x) + 0.5
		v := 0.0
		for _, r := range pm.runs {
			ra, rb := x0+float64(r[0])*m, x0+float64(r[1])*m
			if rb < c-reach {
				continue
			}
			if ra > c+reach {
				break
			}
			v += cdf(rb-c) - cdf(ra-c)
		}
		model[x-a] = v
	}
	rss, vo := lsqVar(prof[a:b], model)
	if vo <= 0 {
		return math.Inf(1)
	}
	return rss / vo
}

// bestResidual refines the geometry of pm on prof[a:b) from its ends x0
// and xe (pixels) and blur k (σ in modules), by a descent over the ends
// and the blur (steps of 1, 0.5 and 0.25 pixels; the ends within two of
// the model's modules of where they started), for each kind of blur, and
// returns the smallest residual share.
func (pm patternModel) bestResidual(prof []float64, a, b int, x0, xe, k float64, model []float64) (float64, eanGeom) {
	m0 := (xe - x0) / float64(pm.n)
	best := math.Inf(1)
	var bg eanGeom
	for _, disk := range []bool{false, true} {
		score := func(x0, xe, k float64) float64 {
			m := (xe - x0) / float64(pm.n)
			if m <= 0.3 || k < 0.05 || k > 2 {
				return math.Inf(1)
			}
			return pm.residual(prof, a, b, x0, m, k*m, disk, model)
		}
		sx, se, sk := x0, xe, k
		sc := score(sx, se, sk)
		for _, step := range []float64{1, 0.5, 0.25} {
			for moved := true; moved; {
				moved = false
				for _, d := range [][3]float64{{step, 0, 0}, {-step, 0, 0}, {0, step, 0}, {0, -step, 0}, {0, 0, step / 4}, {0, 0, -step / 4}} {
					nx, ne, nk := sx+d[0], se+d[1], sk+d[2]
					if math.Abs(nx-x0) > 2*m0 || math.Abs(ne-xe) > 2*m0 {
						continue
					}
					if s2 := score(nx, ne, nk); s2 < sc {
						sx, se, sk, sc = nx, ne, nk, s2
						moved = true
					}
				}
			}
		}
		if sc < best {
			best = sc
			bg = eanGeom{x0: sx, m: (se - sx) / float64(pm.n), sigma: sk * (se - sx) / float64(pm.n), disk: disk}
		}
	}
	return best, bg
}

// longerResidual is the smallest residual share, over prof[a:b), of an
// EAN-13 (either way round) placed from about x0 to xe: the blurred fit's
// search from those ends (fitEANNear), its code's geometry then refined
// on the pixels compared.
func longerResidual(ctx context.Context, prof []float64, a, b int, x0, xe float64, model []float64) float64 {
	best := math.Inf(1)
	rev := make([]float64, len(prof))
	for i, v := range prof {
		rev[len(prof)-1-i] = v
	}
	for turned := range 2 {
		p, pa, pb, px0, pxe := prof, a, b, x0, xe
		if turned == 1 {
			n := float64(len(prof))
			p, pa, pb, px0, pxe = rev, len(prof)-b, len(prof)-a, n-xe, n-x0
		}
		rd := fitEANNear(ctx, p, int(math.Round(px0)), int(math.Round(pxe)), 2, nil)
		if !rd.ok {
			continue
		}
		g := rd.g
		r, _ := newPatternModel(eanModulesOfDigits(rd.digits)).bestResidual(p, pa, pb, g.x0, g.x0+eanModules*g.m, g.sigma/g.m, model)
		best = min(best, r)
	}
	return best
}

// fittedRows lists the middle lines of the bands of keep (the fit of g,
// or of g turned half a turn when turned) on which the fit placed a
// symbol, in g's coordinates, to add to rows (once each: not within hb
// lines of another).
func fittedRows(g *gray, keep map[int]eanRead, turned bool, hb int, rows []int) []int {
	for y, rd := range keep {
		if !rd.ok {
			continue
		}
		if turned {
			y = g.h - 1 - y
		}
		if !slices.ContainsFunc(rows, func(r int) bool { return r >= y-hb && r <= y+hb }) {
			rows = append(rows, y)
		}
	}
	slices.Sort(rows)
	return rows
}

// eanModulesOfDigits returns the 95 modules of an EAN-13's digits.
func eanModulesOfDigits(d [13]int) []float64 {
	out := make([]float64, 0, eanModules)
	out = append(out, 1, 0, 1)
	par := eanParity[d[0]]
	for j := range 6 {
		c := 0
		if par&(1<<(5-j)) != 0 {
			c = 1
		}
		out = append(out, eanPatterns[c][d[1+j]][:]...)
	}
	out = append(out, 0, 1, 0, 1, 0)
	for j := range 6 {
		out = append(out, eanPatterns[2][d[7+j]][:]...)
	}
	return append(out, 1, 0, 1)
}

// shortOutfitted reports whether an EAN-13 explains the grey levels of
// g better than the short read of modules mods, whose start and end guard
// centres are at xs and xe (pixels along the rows of g): on every band
// compared, at least two, the middle shortFitBands of those around rows
// (half height hb), an EAN-13 over the short code's span, or from its
// start guard on, or up to its end guard, at its module, leaves at most
// shortFitRatio of the short code's residual (see above). The first band
// where it does not ends the comparison. audit, when not nil, is told
// every band's smallest ratio (tests).
func shortOutfitted(ctx context.Context, g *gray, hb int, rows []int, mods []float64, xs, xe float64, audit func(ratio float64)) bool {
	if len(mods) == 0 || xe <= xs {
		return false
	}
	// the middle bands, at most shortFitBands
	for len(rows) > shortFitBands {
		rows = rows[1:]
		if len(rows) > shortFitBands {
			rows = rows[:len(rows)-1]
		}
	}
	sm := newPatternModel(mods)
	// guard centre to guard centre: EAN-8 64 modules, UPC-E 46.5
	span := 64.0
	if len(mods) == 51 {
		span = 46.5
	}
	m := (xe - xs) / span
	sx0, sxe := xs-1.5*m, xs-1.5*m+float64(len(mods))*m
	prof := make([]float64, g.w)
	model := make([]float64, g.w)
	n := 0
	for _, y := range rows {
		if y-hb < 0 || y+hb >= g.h {
			continue
		}
		if ctx.Err() != nil {
			return false
		}
		bandProfile(g, y, hb, prof)
		best := math.Inf(1)
		for _, h := range [][2]float64{{sx0, sxe}, {sx0, sx0 + eanModules*m}, {sxe - eanModules*m, sxe}} {
			a := max(0, int(math.Floor(min(sx0, h[0])-7*m)))
			b := min(g.w, int(math.Ceil(max(sxe, h[1])+7*m)))
			if b-a < 20 {
				continue
			}
			rs, _ := sm.bestResidual(prof, a, b, sx0, sxe, 0.6, model)
			if rs <= 0 || math.IsInf(rs, 1) {
				continue // nothing to compare (a flat window: both +Inf)
			}
			best = min(best, longerResidual(ctx, prof, a, b, h[0], h[1], model)/rs)
			if best <= shortFitRatio {
				break
			}
		}
		if audit != nil {
			audit(best)
		}
		if !(best <= shortFitRatio) { // NaN too
			return false // one band the short code explains: it stands
		}
		n++
	}
	return n >= 2
}
