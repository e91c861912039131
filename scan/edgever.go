package scan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
)

// Edge-to-edge confirmation of a retail read the cross-check would check
// (a low-resolution EAN-13 or UPC-A, any EAN-8 or UPC-E), tried before
// the cross-check's model readers (xcheck.go): when it confirms the read,
// the model readers are not asked.
//
// The read's symbol is measured again on the grey levels, not a
// binarized line: along several rows across its bars (each the mean of 3
// lines a pixel apart), the edges are the extrema of the gradient
// (sub-pixel, a parabola through three samples), and a digit is told by
// the distances between like edges (bar+space pairs, the EAN/UPC
// standard's "similar edge" decoding, which a blur that spreads a bar
// shifts equally at both ends), in the digit's own modules (its 7
// modules, also measured edge to edge), plus its two bars' width for the
// pairs those do not tell apart (1/7, 2/8). A row confirms the read when
// it has exactly the symbol's edges (60, EAN-8 44, UPC-E 34), alternating,
// light to dark first, within its span and 4 modules of quiet zone each
// side (7 for an EAN-8 or UPC-E); the guards measure 2 modules like edge
// to like edge (within 0.6); every digit is 7 modules of the symbol's
// (within 15%); and every digit's two pair distances are within
// edgeMaxErr modules of the read's digit pattern there (parity
// included), a 1, 7, 2 or 8 also its bars' width within edgeMaxBarErr.
// Patterns differ by a module in a pair distance or by
// two in the bars' width, so such a digit is at least 1-2·edgeMaxErr
// modules nearer the read's pattern than any other. The read is confirmed
// when edgeMinRows rows confirm it and no row with the symbol's edges puts
// any digit within edgeMaxErr of another pattern. Under heavy blur narrow
// elements merge (too few gradient extrema, or a weak one below the
// threshold): nothing is confirmed and the model readers check the read
// as before. Reads another code rivals are always checked by the model
// readers.
//
// Two rules of the review (h/edgerev): the bars' width of the twins is
// taken less the ink spread the guards show (half their bars' width less
// their spaces', which like edges do not see; a row spread more than
// edgeMaxSpread is not measured), or thinned bars confirmed a 7 as a 1
// and a 2 as an 8 where both change; and the symbol's first and last
// edges must lie within edgeMaxOffset modules of where the read's points
// put them, its module within edgeMaxModErr of theirs, the row measured
// edgeMargin modules beyond the quiet zones, or a UPC-E read over an
// EAN-13's left half with points 2 modules off (or 7% short) had its
// quiet zone shrunk onto the EAN-13's next bars' space and was confirmed.

// edgeVerify is whether the cross-check first tries the edge-to-edge
// confirmation; benchmarks switch it.
var edgeVerify = true

const (
	edgeMaxErr  = 0.4 // modules, every digit measure of a confirming row
	edgeMinRows = 3
	edgeRows    = 9 // rows tried across the read's lines
	// edgeMaxBarErr is how far the bars' width of a 1, 7, 2 or 8 may be
	// from its pattern's (the twin's is two modules away)
	edgeMaxBarErr = 0.7
	// edgeMaxSpread is how much wider (or narrower) than a module a
	// row's guard bars may be, half their width less their spaces'
	edgeMaxSpread = 0.25
	// edgeMargin is how many modules beyond the quiet zones a row is
	// measured, edgeMaxOffset how far from where the read's points put
	// them the symbol's first and last edges may be, and edgeMaxModErr
	// how far its module (first to last edge) from the read's
	edgeMargin    = 3.0
	edgeMaxOffset = 2.0
	edgeMaxModErr = 0.1
	// a quiet zone's grey levels (see quietFlat), of the symbol's contrast
	edgeQuietRange = 0.12
	edgeQuietLight = 0.1
	edgeQuietDark  = 0.25
)

// eanWidths are the L-code element widths (space, bar, space, bar) of the
// digits; R codes have the same widths (bar first), G codes reversed.
var eanWidths = [10][4]int{
	{3, 2, 1, 1}, {2, 2, 2, 1}, {2, 1, 2, 2}, {1, 4, 1, 1}, {1, 1, 3, 2},
	{1, 2, 3, 1}, {1, 1, 1, 4}, {1, 3, 1, 2}, {1, 2, 1, 3}, {3, 1, 1, 2},
}

// eanFirstParity is, for each first digit of an EAN-13, which of the six
// left digits are G codes (bit 5 the first).
var eanFirstParity = [10]int{0x00, 0x0B, 0x0D, 0x0E, 0x13, 0x19, 0x1C, 0x15, 0x16, 0x1A}

// digitMeasures is the measures of a digit of element widths w at a left
// (space first) or right (bar first) position: its two pair distances
// and its bars' width.
func digitMeasures(w [4]int, left bool) [3]float64 {
	t1, t2 := float64(w[0]+w[1]), float64(w[1]+w[2])
	b := float64(w[0] + w[2])
	if left {
		b = float64(w[1] + w[3])
	}
	return [3]float64{t1, t2, b}
}

// patternsAt is every pattern a digit can have at a left or right
// position: its measures, and its digit and parity (0 L/R, 1 G).
func patternsAt(left bool) (out [][3]float64, digit []int, parity []int) {
	for d := range 10 {
		w := eanWidths[d]
		out = append(out, digitMeasures(w, left))
		digit, parity = append(digit, d), append(parity, 0)
		if left {
			out = append(out, digitMeasures([4]int{w[3], w[2], w[1], w[0]}, left))
			digit, parity = append(digit, d), append(parity, 1)
		}
	}
	return
}

var (
	edgeLeft, edgeLeftDigit, edgeLeftParity = patternsAt(true)
	edgeRight, edgeRightDigit, _            = patternsAt(false)
)

// measureDist is how far, in modules, measures m are from pattern p:
// the larger of the two pair distances' differences, or +Inf when p has a
// twin of the same pair distances (1 and 7, 2 and 8) and the bars' width
// is more than edgeMaxBarErr from p's.
func measureDist(m, p [3]float64, twin bool) float64 {
	d := max(math.Abs(m[0]-p[0]), math.Abs(m[1]-p[1]))
	if twin && math.Abs(m[2]-p[2]) > edgeMaxBarErr {
		return math.Inf(1)
	}
	return d
}

// twins marks the patterns of pats that share their pair distances with
// another.
func twins(pats [][3]float64) []bool {
	out := make([]bool, len(pats))
	for i, a := range pats {
		for j, b := range pats {
			if i != j && a[0] == b[0] && a[1] == b[1] {
				out[i] = true
			}
		}
	}
	return out
}

var edgeLeftTwin, edgeRightTwin = twins(edgeLeft), twins(edgeRight)

// eanLayout is where a retail symbol's digits and guards are among its
// edges: the number of edges, of modules, the first edge of each digit
// and whether it starts with a space (left half, L or G code), and the
// first edges of the guards' like-edge pairs two modules apart.
type eanLayout struct {
	edges, modules int
	digit          []int
	left           []bool
	guards         []int
	// the first edges of the guards' bars and spaces (a module each)
	guardBars, guardSpaces []int
}

func newLayout(edges, modules, nLeft, rightFrom, nRight int, guards, bars, spaces []int) *eanLayout {
	l := &eanLayout{edges: edges, modules: modules, guards: guards, guardBars: bars, guardSpaces: spaces}
	for j := range nLeft {
		l.digit, l.left = append(l.digit, 3+4*j), append(l.left, true)
	}
	for j := range nRight {
		l.digit, l.left = append(l.digit, rightFrom+4*j), append(l.left, false)
	}
	return l
}

var (
	layoutEAN13 = newLayout(60, 95, 6, 32, 6, []int{0, 1, 27, 28, 29, 30, 56, 57},
		[]int{0, 2, 28, 30, 56, 58}, []int{1, 27, 29, 31, 57})
	layoutEAN8 = newLayout(44, 67, 4, 24, 4, []int{0, 1, 19, 20, 21, 22, 40, 41},
		[]int{0, 2, 20, 22, 40, 42}, []int{1, 19, 21, 23, 41})
	layoutUPCE = newLayout(34, 51, 6, 0, 0, []int{0, 1, 27, 28, 29, 30, 31},
		[]int{0, 2, 28, 30, 32}, []int{1, 27, 29, 31})
)

// upceParity is, for a UPC-E of number system 0, which of its six digits
// are G codes (bit 5 the first), by check digit; number system 1 is the
// complement.
var upceParity = [10]int{0x38, 0x34, 0x32, 0x31, 0x2C, 0x26, 0x23, 0x2A, 0x29, 0x25}

// symbolDigits is the layout of read h's symbol, the digit coded at each
// of its digit places and its parity there (0 L or R, 1 G); nil when h
// is no EAN/UPC read this measures.
func symbolDigits(h *hit) (*eanLayout, []int, []int) {
	t := h.text
	for i := range len(t) {
		if t[i] < '0' || t[i] > '9' {
			return nil, nil, nil
		}
	}
	var digits, parity []int
	switch h.format {
	case gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_UPC_A:
		g := gtinOf(h.format, t)
		if len(g) != 14 {
			return nil, nil, nil
		}
		first := int(g[1] - '0')
		for j := range 12 {
			digits = append(digits, int(g[2+j]-'0'))
			par := 0
			if j < 6 {
				par = (eanFirstParity[first] >> (5 - j)) & 1
			}
			parity = append(parity, par)
		}
		return layoutEAN13, digits, parity
	case gozxing.BarcodeFormat_EAN_8:
		if len(t) != 8 || gtinOf(h.format, t) == "" {
			return nil, nil, nil
		}
		for j := range 8 {
			digits, parity = append(digits, int(t[j]-'0')), append(parity, 0)
		}
		return layoutEAN8, digits, parity
	case gozxing.BarcodeFormat_UPC_E:
		if len(t) != 8 || gtinOf(h.format, t) == "" || t[0] > '1' {
			return nil, nil, nil
		}
		pat := upceParity[t[7]-'0']
		if t[0] == '1' {
			pat ^= 0x3F
		}
		for j := range 6 {
			digits, parity = append(digits, int(t[1+j]-'0')), append(parity, (pat>>(5-j))&1)
		}
		return layoutUPCE, digits, parity
	}
	return nil, nil, nil
}

// edgeStats describes an edge verdict: rows with the symbol's edges,
// rows confirming, rows contradicting, and the worst digit distance of the
// best row (how near the read's pattern the confirming rows come).
type edgeStats struct {
	rows, confirm, contra int
	best, worst           float64
	rowWorst              []float64 // each row's worst digit (tests)
	rowOther              []float64 // each row's nearest other pattern (tests)

	// refute: rows with a digit within edgeMaxErr, by its pair
	// distances alone, of a pattern whose pair distances are not its
	// pattern's in the read (pairOther; edgeContraVeto, xcheck.go)
	refute int
}

// edgeConfirms reports whether the EAN/UPC read h, m pixels a
// module in the working view w, is confirmed edge to edge (see above).
func edgeConfirms(w *view, h *hit, m float64) bool {
	s := edgeCheck(w, h, m)
	return s.confirm >= edgeMinRows && s.contra == 0
}

// edgeCheck measures h's rows (see edgeConfirms).
func edgeCheck(w *view, h *hit, m float64) edgeStats {
	st := edgeStats{best: math.Inf(1)}
	lay, digits, parity := symbolDigits(h)
	if lay == nil || len(h.points) < 2 {
		return st
	}
	to := func(a [2]float64) [2]float64 { return [2]float64{a[0]/w.scale - 0.5, a[1]/w.scale - 0.5} }
	p, q := to(h.points[0]), to(h.points[1])
	b0, b1 := to([2]float64{h.box[0], h.box[1]}), to([2]float64{h.box[2], h.box[3]})
	dx, dy := q[0]-p[0], q[1]-p[1]
	d := math.Hypot(dx, dy)
	if d < 1 {
		return st
	}
	ux, uy := dx/d, dy/d
	nx, ny := -uy, ux // across the bars' length, along them
	mod := d / guardSpan(h.format)
	// rows: offsets along n from p, over the lines that read it
	var o0, o1 float64
	if math.Abs(dx) >= math.Abs(dy) {
		o0, o1 = (min(b0[1], b1[1])-p[1])/ny, (max(b0[1], b1[1])-p[1])/ny
	} else {
		o0, o1 = (min(b0[0], b1[0])-p[0])/nx, (max(b0[0], b1[0])-p[0])/nx
	}
	if o0 > o1 {
		o0, o1 = o1, o0
	}
	if o1-o0 < 2*(edgeRows-1)*1.5 { // rows 3 px apart at least: widen
		c := (o0 + o1) / 2
		o0, o1 = c-(edgeRows-1)*1.5, c+(edgeRows-1)*1.5
	}
	sx, sy := p[0]-1.5*mod*ux, p[1]-1.5*mod*uy // start of the symbol
	quiet := 4 * mod
	if short(h.format) {
		// 7 light modules each side: no piece of a longer symbol (its
		// spaces are at most 4 modules wide)
		quiet = 7 * mod
	}
	span := float64(lay.modules) * mod
	// the row is measured edgeMargin modules beyond the quiet zones: the
	// read's points may be off by that much, and its edges must then
	// still have their quiet zones (a shorter symbol's points a little
	// off over a longer one's bars must not shrink its quiet zone)
	win := quiet + edgeMargin*mod
	const step = 0.5
	n := int((span+2*win)/step) + 1
	prof := make([]float64, n)
	der := make([]float64, n)
	var edges []float64
	for r := range edgeRows {
		o := o0 + (o1-o0)*float64(r)/float64(edgeRows-1)
		ok := true
		for i := range n {
			t := -win + float64(i)*step
			x, y := sx+o*nx+t*ux, sy+o*ny+t*uy
			v := 0.0
			for k := -1.0; k <= 1; k++ {
				a := w.g.inside(x+k*nx, y+k*ny)
				if a < 0 {
					ok = false
					break
				}
				v += float64(a)
			}
			if !ok {
				break
			}
			prof[i] = v / 3
		}
		if !ok {
			continue
		}
		edges = rowEdges(prof, der, edges[:0])
		if len(edges) != lay.edges {
			continue
		}
		for i := range edges {
			edges[i] = edges[i]*step - win
		}
		// the edges where the read's points put the symbol, at its
		// module: their quiet zones then are at least quiet+edgeMargin-
		// edgeMaxOffset modules of the read's, edgeMaxOffset more than
		// quiet with the module's tolerance
		modE := (edges[len(edges)-1] - edges[0]) / float64(lay.modules)
		if math.Abs(edges[0]) > edgeMaxOffset*mod || math.Abs(edges[len(edges)-1]-span) > edgeMaxOffset*mod ||
			math.Abs(modE/mod-1) > edgeMaxModErr {
			continue
		}
		if !quietFlat(prof, edges, win, step, mod) {
			continue
		}
		ms, ok := rowDigits(lay, edges)
		if !ok {
			continue
		}
		st.rows++
		worst, contra, near, ref := 0.0, false, math.Inf(1), math.Inf(1)
		for j := range lay.digit {
			mine, other := digitDist(lay.left[j], ms[j], digits[j], parity[j])
			worst = max(worst, mine)
			near = min(near, other)
			if other <= edgeMaxErr {
				contra = true
			}
			ref = min(ref, pairOther(lay.left[j], ms[j], digits[j], parity[j]))
		}
		if contra {
			st.contra++
		}
		if ref <= edgeMaxErr {
			st.refute++
		}
		if worst <= edgeMaxErr && !contra {
			st.confirm++
		}
		st.best = min(st.best, worst)
		st.worst = max(st.worst, worst)
		st.rowWorst = append(st.rowWorst, worst)
		st.rowOther = append(st.rowOther, near)
	}
	return st
}

// quietFlat reports whether the row's quiet zones (beyond a module and
// a half from the symbol's first and last edges e, pixels from its start;
// the profile prof from win pixels before it, step a sample) are paper:
// their grey levels within edgeQuietRange of the symbol's contrast of one
// another, their mean no lighter than the symbol's lightest by
// edgeQuietLight of it nor darker by edgeQuietDark. A longer symbol's bars
// beside a short one's under glare (lighter than the paper, of little
// contrast) or in shadow have edges too weak to count but are not flat.
func quietFlat(prof, e []float64, win, step, mod float64) bool {
	at := func(x float64) int { return int(math.Round((x + win) / step)) }
	a, b := max(0, at(e[0])), min(len(prof), at(e[len(e)-1])+1)
	if a >= b {
		return false
	}
	light, dark := math.Inf(-1), math.Inf(1)
	for _, v := range prof[a:b] {
		light, dark = max(light, v), min(dark, v)
	}
	c := light - dark
	for _, z := range [][2]int{{0, at(e[0] - 1.5*mod)}, {at(e[len(e)-1] + 1.5*mod), len(prof)}} {
		lo, hi := max(0, z[0]), min(len(prof), z[1])
		if hi-lo < 2 {
			return false
		}
		zl, zd, sum := math.Inf(-1), math.Inf(1), 0.0
		for _, v := range prof[lo:hi] {
			zl, zd, sum = max(zl, v), min(zd, v), sum+v
		}
		mean := sum / float64(hi-lo)
		if zl-zd > edgeQuietRange*c || mean > light+edgeQuietLight*c || mean < light-edgeQuietDark*c {
			return false
		}
	}
	return true
}

// rowEdges returns the positions (in samples) of the significant extrema
// of the gradient of prof, light to dark first and alternating; nil when
// they do not alternate or the first is not light to dark.
func rowEdges(prof, der []float64, out []float64) []float64 {
	n := len(prof)
	der[0], der[n-1] = 0, 0
	top := 0.0
	for i := 1; i < n-1; i++ {
		der[i] = prof[i+1] - prof[i-1]
		top = max(top, math.Abs(der[i]))
	}
	if top < 8 {
		return nil // no contrast
	}
	thr := 0.2 * top
	sign := 0.0
	for i := 2; i < n-2; i++ {
		a, b, c := der[i-1], der[i], der[i+1]
		var s float64
		switch {
		case b >= thr && b > a && b >= c:
			s = 1
		case b <= -thr && b < a && b <= c:
			s = -1
		default:
			continue
		}
		if sign == 0 && s > 0 {
			return nil // dark to light first: not the symbol's first bar
		}
		if s == sign {
			return nil // edges merged, or noise
		}
		sign = s
		off := 0.0
		if den := a - 2*b + c; den != 0 {
			off = 0.5 * (a - c) / den
		}
		out = append(out, float64(i)+max(-0.5, min(0.5, off)))
	}
	return out
}

// rowDigits returns the measures of the digits of the row's edges e (in
// pixels from the symbol's start) laid out as lay, in each digit's own
// modules; ok false when the guards or a digit's width are not the
// symbol's.
func rowDigits(lay *eanLayout, e []float64) (ms [][3]float64, ok bool) {
	mod := (e[len(e)-1] - e[0]) / float64(lay.modules)
	if mod <= 0 {
		return nil, false
	}
	// guards: like edges two modules apart
	for _, i := range lay.guards {
		if math.Abs((e[i+2]-e[i])/mod-2) > 0.6 {
			return nil, false
		}
	}
	// ink spread (or thinning, or a blur that is not symmetric in light):
	// how much wider than a module the guards' bars are, and narrower
	// their spaces; like-edge distances do not see it, the bars' width
	// of a 1, 7, 2 or 8 does (2δ), so it is taken off, and a row too far
	// from a module's width is not measured
	var bar, space float64
	for _, i := range lay.guardBars {
		bar += e[i+1] - e[i]
	}
	for _, i := range lay.guardSpaces {
		space += e[i+1] - e[i]
	}
	delta := (bar/float64(len(lay.guardBars)) - space/float64(len(lay.guardSpaces))) / (2 * mod)
	if math.Abs(delta) > edgeMaxSpread {
		return nil, false
	}
	ms = make([][3]float64, len(lay.digit))
	for j, s := range lay.digit {
		T := e[s+4] - e[s]
		if math.Abs(T/(7*mod)-1) > 0.15 {
			return nil, false
		}
		md := T / 7
		ms[j] = [3]float64{(e[s+2] - e[s]) / md, (e[s+3] - e[s+1]) / md, 0}
		if lay.left[j] {
			ms[j][2] = (e[s+2] - e[s+1] + e[s+4] - e[s+3]) / md
		} else {
			ms[j][2] = (e[s+1] - e[s] + e[s+3] - e[s+2]) / md
		}
		ms[j][2] -= 2 * delta * mod / md
	}
	return ms, true
}

// digitDist is how far measures ms of a digit place (left: space first)
// are from the pattern of digit want with parity par there (0 L or R, 1
// G), and the distance to the nearest other pattern.
func digitDist(left bool, ms [3]float64, want, par int) (mine, other float64) {
	mine, other = math.Inf(1), math.Inf(1)
	if left {
		for k, pt := range edgeLeft {
			dd := measureDist(ms, pt, edgeLeftTwin[k])
			if edgeLeftDigit[k] == want && edgeLeftParity[k] == par {
				mine = dd
			} else {
				other = min(other, dd)
			}
		}
	} else {
		for k, pt := range edgeRight {
			dd := measureDist(ms, pt, edgeRightTwin[k])
			if edgeRightDigit[k] == want {
				mine = dd
			} else {
				other = min(other, dd)
			}
		}
	}
	return mine, other
}

// pairOther is how far, by its two pair distances alone (not its bars'
// width), measures ms of a digit place are from the nearest pattern whose
// pair distances are not those of digit want with parity par there: a
// twin of it (1 and 7, 2 and 8) is not another pattern here, a like-edge
// distance a module off is. Like-edge distances do not see an ink spread
// or a blur that widens every bar alike; the bars' width does.
func pairOther(left bool, ms [3]float64, want, par int) float64 {
	pats, dig, pars := edgeRight, edgeRightDigit, []int(nil)
	if left {
		pats, dig, pars = edgeLeft, edgeLeftDigit, edgeLeftParity
	}
	var mp [3]float64
	for k, pt := range pats {
		if dig[k] == want && (pars == nil || pars[k] == par) {
			mp = pt
		}
	}
	other := math.Inf(1)
	for _, pt := range pats {
		if pt[0] == mp[0] && pt[1] == mp[1] {
			continue
		}
		other = min(other, max(math.Abs(ms[0]-pt[0]), math.Abs(ms[1]-pt[1])))
	}
	return other
}
