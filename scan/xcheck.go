package scan

import (
	"context"
	"math"

	"github.com/makiuchi-d/gozxing"
)

// Cross-check of binarized retail reads by the model readers. Binarizing a
// blurred symbol of few pixels a module turns bars of one width into
// another, and now and then the digits so misread still pass the mod-10
// check digit, on several lines of a scan (generated blurred EAN-13 at 0.9
// to 2.2 pixels a module: 3 of 300 read as another product by the
// cascade's binarizing stages). The blurred EAN fit (blurean.go) and the
// deformable templates (deform.go) read the grey levels themselves, with
// strict acceptance of their own, and read those symbols right. So a
// retail read is read again by the model readers on its region when
//
//   - its symbol is at low resolution (under xcheckMaxModule pixels a
//     module of the working image, from its guards' distance): the blurred
//     EAN fit;
//   - it is an EAN-8 or UPC-E (a piece of an EAN-13 misread as one has
//     modules of another width than the symbol's, so its resolution says
//     nothing): the blurred EAN fit, then the deformable templates, over
//     the EAN-13 it may be part of, both ways round;
//   - another valid retail code was read over its bars, even once, even a
//     read not accepted (its row reads disagree): the blurred EAN fit, then
//     the deformable templates.
//   - only late stages read it (lateXcheck, below): at any resolution.
//
// When they accept a DIFFERENT code, the read is vetoed: the photo returns
// no code for those bars (not the model's code either: its read is
// evidence against the binarized one, not proof of itself; and the vetoed
// read, still accepted, cancels any other code over the same bars in
// collector.good). When they read the same code or nothing, the read
// stands, unless the blurred fit placed no symbol at all on any band of
// the region, either way round, and the edges did not confirm it
// (unfitVeto): then nothing but the binarized lines measured the bars;
// or a band of the fit, either way round, accepts another code by the
// fit's own rules (bandVeto: one band is not a read, blurAgree are, but
// it is evidence against the binarized one); or no row of its edges
// confirms it and most of the rows measured, edgeMinRows at least, put a
// digit near another pattern (edgeContraVeto);
// and a short read stands only when no EAN-13 over its bars explains
// their grey levels far better than its own modules do (shortFitVeto,
// shortfit.go). A band that accepts the read's own code ends the check (no other
// code can then be accepted), so a confirmed read costs a band or two.
// Before them, a retail read nothing rivals (EAN-13, UPC-A, EAN-8 or
// UPC-E) is measured again edge to edge on the grey levels (edgever.go):
// when its own edges confirm every digit on several rows, within flat
// quiet zones at the symbol's real scale, the model readers are not asked.

// xcheckMaxModule is the resolution, in pixels a module of the working
// image, under which a retail read is cross-checked.
const xcheckMaxModule = 2.2

// crossCheck is whether the cascade cross-checks retail reads; tests and
// benchmarks switch it.
var crossCheck = true

// unfitVeto is whether a checked read is vetoed when the edges do not
// confirm it and the blurred EAN fit places no symbol at all on any band
// of its region, either way round (every band's geometry search fails):
// the binarized lines are then the only measure of those bars, and a
// binarized misread of a symbol at about a pixel a module is what the
// check exists for. (Generated blurred EAN-13 at 1.0 px/module: a UPC-E
// read over a piece of it and an EAN-13 read with two left digits and
// the parity changed, both by the late stages only, both with no band
// fitted; on the tune photos every such check fits some band.) Tests
// and benchmarks switch it.
var unfitVeto = true

// bandVeto is whether a checked read is vetoed when the edges do not
// confirm it, the model readers read nothing, and a band of the blurred
// EAN fit, either way round, accepts another code by the fit's own rules
// (blurAccept: fit, worst digit, correction, margin over the second-best
// code). A read needs blurAgree such bands, so one band is not a read;
// but it is evidence against the binarized one. Two digits misread at
// about a pixel a module can compensate in the check digit: generated
// seed 13145, EAN-13 3411760746645 read as 3417760746845 (a 1 as a 7, its
// twin of the same edge-to-edge measures, and a 6 as an 8) on four lines
// of two binarizing stages at 1.02 px/module; the edges measure no row
// (blur merges them), the fit places a symbol on one band of four and
// reads the right code there (the second-best code leaves 12 times its
// residual; the read's code, rendered there, 11 times), but one band is
// not three, so the model readers read nothing, and the read stood. On the
// tune photos no band accepts another code on any of the 26 reads the
// check neither confirms nor contradicts. Tests and benchmarks switch it.
var bandVeto = true

// lateXcheck is whether a retail read only late (aggressive) stages made
// is cross-checked at any resolution, not only under xcheckMaxModule. A
// late scan's two agreeing lines are the only evidence of such a read,
// and they are not independent: a symbol's bars are the same all along
// their height, so a width distortion (pixel rounding, ink spread) that
// turns one digit into another on one line does on every line, and the
// mod-10 check passes by chance (1 in 10). Composed photo seed 822: an
// EAN-13 turned 90° at 2.7 px a module (bars of 2 or 3 px), read by no
// stage of the sweep and by the turned localBlocks scan on two lines as
// another product with its left half wrong (the last 7 digits right);
// the blurred fit reads the right code there, which vetoes it. Reads of
// the sweep's stages at 2.2 px a module and more stay unchecked. A read
// made on the negative (inverted.go) is measured on the negative. Tests
// and benchmarks switch it.
var lateXcheck = true

// negativeUnsureVeto is whether a read made on the negative of the image
// (inverted.go; a late scan, so cross-checked at any resolution) at
// xcheckMaxModule px a module or more (the reads lateXcheck brought to
// the check; under it, the low-resolution reads of a can under glare,
// TestInvertedEANOnCylinder at 1.5–1.9 px, stand unsure as before: the
// veto there lost 13 of its 21 reads) is
// vetoed when the model readers read nothing and no row of its edges
// confirms it (edgeCheck: fewer than edgeMinRows rows confirming, none
// contradicting, is not enough to skip the model readers, but it is a
// measure of the bars other than the read's lines). Light
// bars on a dark ground come out thinner or fatter than the spaces by a
// third of a module and more (glare, ink bloom), which the row readers'
// run lengths take for other digits, alike on every line: composed photo
// seed 646, an inverted EAN-13 at 3 px a module read as another product
// on four lines of the negative scan; its edges measure no row (the thin
// bars' edges merge) and the fit reads nothing. Vetoing any late read
// so unconfirmed costs three tune reads (blurred EAN-13/UPC-A read by
// the sharpened scans: ean13-2, upca-5) and two composed photos; the
// negative reads of the tune photos (upca-3) are all confirmed. Composed
// seed 798 (an inverted EAN-13 at 2.9 px a module, 15°) has two rows of
// edges confirming its right read, none contradicting, and stands. Tests
// and benchmarks switch it.
var negativeUnsureVeto = true

// edgeContraVeto is whether a checked read the model readers read
// nothing on is vetoed when its own edges refute it: of the rows the
// edge check measured with the symbol's edges (edgeCheck, edgever.go), at
// least edgeMinRows, and more than half, put a digit within edgeMaxErr
// modules, by its two pair distances alone, of a pattern whose pair
// distances are not those of the read's digit there (pairOther; a twin,
// 1/7 or 2/8, told apart by the bars' width only, does not count), and
// no row confirms it: the mirror of a confirmation. Like-edge distances do
// not see an ink spread or a blur that widens every bar alike, which is
// what turns a binarized line's run lengths into other digits on every
// line of a scan at once (the check digit then passes by chance, 1 in
// 10, and the lines agreeing are no evidence). Composed photo seed 2404
// of neighbouring 1D codes (TestEdgeContradictedRead): an EAN-13 with a
// 5-digit add-on at 2.0 px a module, bars binarized a pixel wide, read
// by the first scan on three lines as another product (the left half and
// its parity wrong, the last 7 digits right); the blurred fit places a
// symbol but accepts no band (the add-on is inside its region: without
// it, every band reads the right code), so unfitVeto and bandVeto let it
// stand; all three rows its edges measure refute it, 3 or 4 digits each
// within 0.03 of another pattern. Before, such rows only kept it from
// being confirmed. Right reads the check leaves unsure refuted on 2 rows
// (composed seed 2465: two 5s measured 0.8 module short at 2 px a module,
// blur; a tune photo's UPC-A, 2 rows of 6) stand. Not a sure measure at
// about 2 px a module: on fresh composed seeds 2901–4000 it closed one
// more such wrong read (3751) and lost one right read (3251, an EAN-13
// with an add-on at 1.86 px a module, 5 of 5 rows refuting: the narrow
// bar+space pairs of its 9s measured a module long); in both, as in
// 2404, the blurred fit reads the right code once the add-on is out of
// its region, the better fix (not made here). Tests and benchmarks
// switch it.
var edgeContraVeto = true

// bandOther reports whether a band of keep accepts a code other than mine
// (13 digits) by blurAccept.
func bandOther(keep map[int]eanRead, mine string) bool {
	for _, rd := range keep {
		if blurAccept(rd) && rd.text() != mine {
			return true
		}
	}
	return false
}

// edgeAudit, when set (tests), is told of every read the model readers
// check, with whether the edges confirmed it (the check then runs anyway)
// and the model readers' code ("" for none).
var edgeAudit func(w *view, h *hit, m float64, confirmed bool, model string)

// shortFitAudit, when set (tests), is told every band's ratio of a short
// read's comparison with the fitted EAN-13 (shortOutfitted).
var shortFitAudit func(ratio float64)

// modelReadTrace, when set (tests and benchmarks), is told of every
// modelRead call the cross-check makes, with its arguments.
var modelReadTrace func(g *gray, box [4]int, mine string, withDeform bool)

// guardSpan is the distance, in modules, between the centres of the start
// and end guards of a retail symbol (the two points of a row read).
func guardSpan(f gozxing.BarcodeFormat) float64 {
	switch f {
	case gozxing.BarcodeFormat_EAN_8:
		return 64
	case gozxing.BarcodeFormat_UPC_E:
		return 46.5
	}
	return 92
}

// rivalled reports whether a different valid retail code was read, even
// once, over the same bars as h.
func (c *collector) rivalled(h *hit) bool {
	mine := gtinOf(h.format, h.text)
	for _, k := range c.order {
		o := c.hits[k]
		if o == h || !retail(o.format) || len(o.lines) == 0 {
			continue
		}
		if g := gtinOf(o.format, o.text); g != "" && g != mine && (sameBars(h.box, o.box) || overlaps(h.points, o.points)) {
			return true
		}
	}
	return false
}

// crossCheckReads cross-checks every good retail read of the run not yet
// checked (see above), on the working view w; it vetoes those the model
// readers contradict.
func (r *run) crossCheckReads(w *view) {
	if !crossCheck {
		return
	}
	for _, k := range r.col.order {
		h := r.col.hits[k]
		if h.xchecked || !retail(h.format) || len(h.lines) == 0 || len(h.points) < 2 || !r.col.good(h) {
			continue
		}
		if r.col.restsOnFit(h) || !r.col.binarized(h) {
			continue // read by the model readers themselves
		}
		if r.ctx.Err() != nil {
			return
		}
		p, q := h.points[0], h.points[1]
		// guard centres in the working view's pixels
		d := math.Hypot(q[0]-p[0], q[1]-p[1]) / w.scale
		m := d / guardSpan(h.format)
		// EAN-8 and UPC-E are always checked: a piece of an EAN-13
		// misread as one has modules of another width than the symbol's.
		rivalled := r.col.rivalled(h)
		lateOnly := lateXcheck && r.col.lateOnly(h)
		if m >= xcheckMaxModule && !short(h.format) && !rivalled && !lateOnly {
			continue // sharp enough, and no other code over the bars
		}
		w := w
		if h.negative { // light bars: measured on the negative
			w = &view{g: w.g.negative(), scale: w.scale, negative: true}
		}
		h.xchecked = true
		// a read its own edges confirm (edgever.go)
		var est edgeStats // edgeConfirms, and its rows for negativeUnsureVeto
		if edgeVerify && !rivalled {
			est = edgeCheck(w, h, m)
		}
		confirmed := est.confirm >= edgeMinRows && est.contra == 0
		if confirmed && edgeAudit == nil {
			r.xconfirmed++
			continue
		}
		r.xchecks++
		g, box, guards := regionForModel(w, h, m)
		if g == nil {
			continue
		}
		mine := gtinOf(h.format, h.text)
		keep, keepTurned := map[int]eanRead{}, map[int]eanRead{}
		if modelReadTrace != nil {
			modelReadTrace(g, box, mine[1:], rivalled || short(h.format))
		}
		text, fitted := modelRead(r.ctx, g, box, mine[1:], rivalled || short(h.format), keep)
		if text == "" && r.ctx.Err() == nil {
			// A misread says nothing of the way the symbol faces (a
			// line read backwards decodes as well, to another code; a
			// short code may be part of an EAN-13 either way): the other
			// way round.
			var f2 bool
			g2, box2 := g.rotate180(), turnBox180(box, g.w, g.h)
			if modelReadTrace != nil {
				modelReadTrace(g2, box2, mine[1:], rivalled || short(h.format))
			}
			text, f2 = modelRead(r.ctx, g2, box2, mine[1:], rivalled || short(h.format), keepTurned)
			fitted = fitted || f2
		}
		if edgeAudit != nil && r.ctx.Err() == nil {
			edgeAudit(w, h, m, confirmed, text)
		}
		if r.ctx.Err() != nil {
			continue
		}
		if text == "" {
			h.unsure = !confirmed
			// Read on the negative, and nothing but its own lines
			// measured it: no row of its edges agrees, or one
			// contradicts (negativeUnsureVeto).
			if h.negative && negativeUnsureVeto && m >= xcheckMaxModule && (est.confirm == 0 || est.contra > 0) {
				h.vetoed = true
				r.xvetoes++
				r.xneg++
				continue
			}
			// Contradicted by its own edges (edgeContraVeto).
			if edgeContraVeto && est.refute >= edgeMinRows && 2*est.refute > est.rows && est.confirm == 0 {
				h.vetoed = true
				r.xvetoes++
				r.xcontra++
				continue
			}
			// Unfitted: the edges did not confirm the read and the
			// blurred fit placed no symbol on any band of its region,
			// either way round: nothing independent of the binarized
			// lines measured those bars (see unfitVeto).
			if unfitVeto && !confirmed && !fitted {
				h.vetoed = true
				r.xvetoes++
				r.xunfit++
				continue
			}
			// A band of the fit accepting another code (bandVeto).
			if bandVeto && !confirmed && fitted && (bandOther(keep, mine[1:]) || bandOther(keepTurned, mine[1:])) {
				h.vetoed = true
				r.xvetoes++
				r.xband++
				continue
			}
			// A short read the EAN-13 the fit placed on its bars
			// explains better (shortfit.go).
			if shortFitVeto && !confirmed && fitted && short(h.format) {
				hb := max(2, g.h/48) // modelRead's bands
				rows := fittedRows(g, keepTurned, true, hb, fittedRows(g, keep, false, hb, nil))
				if shortOutfitted(r.ctx, g, hb, rows, shortModules(h.format, h.text), guards[0], guards[1], shortFitAudit) {
					h.vetoed = true
					r.xvetoes++
					r.xoutfit++
				}
			}
			continue
		}
		if gtinOf(gozxing.BarcodeFormat_EAN_13, text) != mine {
			h.vetoed = true
			r.xvetoes++
		}
	}
}

// regionForModel returns the part of the working view around the read h
// (m pixels a module there), turned so the symbol reads left to right
// along the rows, and the box (x0, y0, x1, y1) there of the lines that
// read it (10 modules more above and below) between its guards (3
// modules more on each side; for a short code, as far as barRegion finds
// bars, up to 30 modules more) and the centres of its start and end guards
// along the rows there (pixels); nil when it
// is too small for the model readers. (The readers' search for the ends of
// the bars, blurActivity, is made for a window about the symbol's width.) The part reaches 12
// modules beyond each guard (48 for EAN-8 and UPC-E: a short code read
// inside an EAN-13 is checked against the whole symbol) and 20 modules
// above and below the lines; at 4 pixels a module or more it is reduced
// to 2 to 3. (The box is given, not found by barRegion: the region that
// finds, in blocks, moves with the crop by a pixel.)
func regionForModel(w *view, h *hit, m float64) (*gray, [4]int, [2]float64) {
	// points and box in the working view's pixels
	to := func(a [2]float64) [2]float64 { return [2]float64{a[0]/w.scale - 0.5, a[1]/w.scale - 0.5} }
	p, q := to(h.points[0]), to(h.points[1])
	b0, b1 := to([2]float64{h.box[0], h.box[1]}), to([2]float64{h.box[2], h.box[3]})
	dx, dy := q[0]-p[0], q[1]-p[1]
	horizontal := math.Abs(dx) >= math.Abs(dy)
	along, across, lines := 24*m, 20*m, 10*m
	if short(h.format) {
		along = 48 * m
	}
	var x0, y0, x1, y1 float64
	var lx0, ly0, lx1, ly1 float64 // the lines, before the crop
	if horizontal {
		x0, x1 = min(p[0], q[0])-along, max(p[0], q[0])+along
		ly0, ly1 = min(b0[1], b1[1])-lines, max(b0[1], b1[1])+lines
		y0, y1 = ly0-across, ly1+across
		lx0, lx1 = min(p[0], q[0])-3*m, max(p[0], q[0])+3*m
	} else {
		y0, y1 = min(p[1], q[1])-along, max(p[1], q[1])+along
		lx0, lx1 = min(b0[0], b1[0])-lines, max(b0[0], b1[0])+lines
		x0, x1 = lx0-across, lx1+across
		ly0, ly1 = min(p[1], q[1])-3*m, max(p[1], q[1])+3*m
	}
	g := w.g
	ix0, iy0 := max(0, int(x0)), max(0, int(y0))
	ix1, iy1 := min(g.w, int(math.Ceil(x1))), min(g.h, int(math.Ceil(y1)))
	if ix1-ix0 < 40 || iy1-iy0 < 8 {
		return nil, [4]int{}, [2]float64{}
	}
	c := g.crop(ix0, iy0, ix1, iy1)
	box := [4]int{max(0, int(lx0)-ix0), max(0, int(ly0)-iy0), min(c.w, int(math.Ceil(lx1))-ix0), min(c.h, int(math.Ceil(ly1))-iy0)}
	// the guard centres, turned with the region
	gp, gq := [2]float64{p[0] - float64(ix0), p[1] - float64(iy0)}, [2]float64{q[0] - float64(ix0), q[1] - float64(iy0)}
	turn180 := func(a [2]float64, w, h int) [2]float64 { return [2]float64{float64(w) - a[0], float64(h) - a[1]} }
	turn90 := func(a [2]float64, w int) [2]float64 { return [2]float64{a[1], float64(w) - a[0]} }
	switch {
	case horizontal && dx < 0:
		gp, gq = turn180(gp, c.w, c.h), turn180(gq, c.w, c.h)
		c, box = c.rotate180(), turnBox180(box, c.w, c.h)
	case !horizontal && dy > 0:
		gp, gq = turn90(gp, c.w), turn90(gq, c.w)
		c, box = c.rotate90(), turnBox90(box, c.w) // (0, +1) turns to (+1, 0)
	case !horizontal:
		gp, gq = turn90(gp, c.w), turn90(gq, c.w)
		box = turnBox90(box, c.w)
		c = c.rotate90()
		gp, gq = turn180(gp, c.w, c.h), turn180(gq, c.w, c.h)
		c, box = c.rotate180(), turnBox180(box, c.w, c.h)
	}
	guards := [2]float64{gp[0], gq[0]}
	if k := int(m / 2); k > 1 {
		c = c.shrink(k) // the model readers' cost grows with the width
		box = [4]int{box[0] / k, box[1] / k, (box[2] + k - 1) / k, (box[3] + k - 1) / k}
		m /= float64(k)
		guards = [2]float64{guards[0] / float64(k), guards[1] / float64(k)}
	}
	if short(h.format) {
		// The EAN-13 a short code may be part of reaches up to 28
		// modules further on one side: as far as the bars go.
		if b, ok := barRegion(c); ok && b[0] < box[2] && b[2] > box[0] {
			box[0] = max(min(box[0], b[0]), box[0]-int(30*m))
			box[2] = min(max(box[2], b[2]), box[2]+int(30*m))
		}
	}
	return c, box, guards
}

// turnBox180 is box (x0, y0, x1, y1, ends exclusive) in a w×h plane
// turned half a turn.
func turnBox180(b [4]int, w, h int) [4]int {
	return [4]int{w - b[2], h - b[3], w - b[0], h - b[1]}
}

// turnBox90 is box in a plane w wide turned a quarter counter-clockwise
// (rotate90: (x, y) to (y, w-1-x)).
func turnBox90(b [4]int, w int) [4]int {
	return [4]int{b[1], w - b[2], b[3], w - b[0]}
}

// crop returns the part [x0, x1) × [y0, y1) of g.
func (g *gray) crop(x0, y0, x1, y1 int) *gray {
	out := &gray{w: x1 - x0, h: y1 - y0, pix: make([]byte, (x1-x0)*(y1-y0))}
	for y := y0; y < y1; y++ {
		copy(out.pix[(y-y0)*out.w:(y-y0+1)*out.w], g.pix[y*g.w+x0:y*g.w+x1])
	}
	return out
}

// rotate180 returns g turned half a turn.
func (g *gray) rotate180() *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	n := len(g.pix)
	for i, v := range g.pix {
		out.pix[n-1-i] = v
	}
	return out
}

// modelRead is the code the model readers accept on the bars in box of
// g: the blurred EAN fit's bands, else (withDeform, and when it is on) the
// deformable templates', as the cascade's stages accept them; "" when
// neither accepts one; keep is told every band's fit. mine is the 13 digits of the read being checked:
// as soon as a band of either accepts it, no other code can be accepted
// and mine is returned. fitted is whether the blurred fit placed a symbol
// (any code, accepted or not) on at least one band.
func modelRead(ctx context.Context, g *gray, box [4]int, mine string, withDeform bool, keep map[int]eanRead) (text string, fitted bool) {
	if box[2]-box[0] < 40 || box[3]-box[1] < 1 {
		return "", false
	}
	// bands of 5 lines at least, as the cascade's stages take on a
	// generated symbol 120 lines high: a band of fewer lines at one pixel a
	// module is too noisy for the fit
	hb := max(2, g.h/48)
	var wc *weightCache // the bands' fits share their geometries' weights
	if fitSave {
		wc = getWeightCache()
		defer wc.release()
	}
	if text, _ := readBlurredBandsIn(ctx, g, box, hb, keep, mine, wc); text != "" {
		return text, true
	}
	for _, b := range keep {
		fitted = fitted || b.ok
	}
	if !withDeform || !deformEAN || ctx.Err() != nil {
		return "", fitted
	}
	text, _ = deformVote(readDeformBandsIn(ctx, g, box, hb, keep, mine, wc))
	for _, b := range keep {
		fitted = fitted || b.ok
		if blurAccept(b) && b.text() != text {
			return "", fitted // bands of the fit read another code: no confident read
		}
	}
	return text, fitted
}
