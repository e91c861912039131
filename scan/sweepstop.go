package scan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
)

// sweepStop (issue 10; on): with every barcode wanted, the sweep's
// stages after a good read look for further barcodes (and for rival reads
// of the same bars), over the whole photo, with every binarization, each
// way round: most of server mode's time on a typical photo, where the
// first stage has read the only symbol. After each sweep stage
// (sweepSkips) the 2D detector's map of the work view (detect2d.go, with
// a map of 1D-like cells added: flags1D) is cut into connected areas, and
// an area that meets a good read's symbolBox is that symbol's. The rest of
// the sweep's 1D scans are left out when the areas that are no read's
// hold at most max1DOutside 1D-like cells and the reads are sure (all
// good, none unsure after the cross-check, a weak 1D code read on
// minStopReads lines); the rest of its 2D decodes when the work view
// holds at most max2DOutside 2D-like cells outside every read's symbolBox
// (tileGate's 16 less one: a window with fewer is put off by the sweep
// anyway), counted one by one, not by area, and a 1D read's box cut to
// its bars (cellsOutside2D, bars2D: h/rev3's review). Within the sweep's 2D decodes, a tile
// or a part around a symbol read is decoded only when it holds tileGate
// 2D-like cells outside the 2D symbols read (mayNew2D). Not exact: a
// symbol the map does not see (a QR Code printed inside another's area;
// bars too faint or too small for a 4×4-cell window) is no longer looked
// for once another has been read. Benchmarks switch it
// (PHOTOS_NOSWEEPSTOP, CASCADE_NOSWEEPSTOP).
//
// The 1D part (skip1D) is behind sweepStop1D, OFF: on the held-out photos
// (run once, h/speed3) it lost the second of two EAN-13 printed one above
// the other (a Japanese book's ISBN and price codes): the second code's
// area met the first code's symbolBox and was counted as its. h/speed5
// counts the 1D-like cells one by one outside where the reads' own bars
// are, found by walking across them from the lines that read them
// (barsWalk1D): no code lost on the tune photos and on composed photos of
// stacked and neighbouring 1D codes (advCompose1D), but the same held-out
// code is still lost (run once at the end, seen before for this rule),
// so the part stays OFF. Benchmarks switch it on (PHOTOS_SWEEPSTOP1D,
// CASCADE_SWEEPSTOP1D).
var sweepStop = true

// sweepStop1D turns on sweepStop's 1D part (see above); off.
var sweepStop1D = false

// Thresholds of a 1D-like window of 4×4 cells (bars1D): mean squared
// gradient, coherence (|Σm²e^{2iθ}|/Σm²: parallel edges), and the
// fewest of its cells with edges (mean squared gradient at least
// min1DCellEnergy). Set by looking at the tune photos' maps
// (TestSweepStopMap): the bars of most codes are 1D-like (TestSweepStopTune
// counts them), most text is not.
var (
	min1DEnergy     = 400.0
	min1DCoherence  = 0.6
	min1DCellEnergy = 100.0
	min1DCells      = int8(12)
)

// flags1D returns which cells of m's plane are 1D-like (bars1D) on the
// plane or on its half (large modules).
func (m *map2D) flags1D() []bool {
	fine := bars1D(m.cells, m.cols, m.rows)
	coarse := bars1D(m.hcells, m.hcols, m.hrows)
	out := make([]bool, m.cols*m.rows)
	for y := 0; y < m.rows; y++ {
		for x := 0; x < m.cols; x++ {
			out[y*m.cols+x] = fine != nil && fine[y*m.cols+x] ||
				coarse != nil && x/2 < m.hcols && y/2 < m.hrows && coarse[y/2*m.hcols+x/2]
		}
	}
	return out
}

// bars1D returns which of the cols×rows cells of a plane (orientGrid's
// cells) are 1D-like: the window of 4×4 cells about them (from one
// before, moved in at the edges) has strong, parallel edges, and edges in
// most of its cells (bars fill it; one edge or line, however long and
// straight, crosses a column or two of its cells). nil when the plane is
// smaller than a window.
func bars1D(cells []orientCell, cols, rows int) []bool {
	if cols < 4 || rows < 4 {
		return nil
	}
	// h: sums of 4 cells along rows, by first cell, and how many of them
	// have edges; then 4 of them down
	wcols := cols - 3
	h := make([]orientCell, wcols*rows)
	hn := make([]int8, wcols*rows)
	edged := func(c *orientCell) int8 {
		if float64(c.s2) >= min1DCellEnergy*orientSamples {
			return 1
		}
		return 0
	}
	for y := 0; y < rows; y++ {
		for x := 0; x < wcols; x++ {
			i := y*cols + x
			c := cells[i]
			c.add(&cells[i+1])
			c.add(&cells[i+2])
			c.add(&cells[i+3])
			h[y*wcols+x] = c
			hn[y*wcols+x] = edged(&cells[i]) + edged(&cells[i+1]) + edged(&cells[i+2]) + edged(&cells[i+3])
		}
	}
	like := make([]bool, wcols*(rows-3))
	for y := 0; y+3 < rows; y++ {
		for x := 0; x < wcols; x++ {
			i := y*wcols + x
			if hn[i]+hn[i+wcols]+hn[i+2*wcols]+hn[i+3*wcols] < min1DCells {
				continue
			}
			c := h[i]
			c.add(&h[i+wcols])
			c.add(&h[i+2*wcols])
			c.add(&h[i+3*wcols])
			like[i] = strongParallel(&c)
		}
	}
	out := make([]bool, cols*rows)
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			wx, wy := max(0, min(x-1, cols-4)), max(0, min(y-1, rows-4))
			out[y*cols+x] = like[wy*wcols+wx]
		}
	}
	return out
}

// strongParallel reports whether a window of 4×4 cells with statistics c
// has strong, parallel edges.
func strongParallel(c *orientCell) bool {
	const n = 16 * orientSamples
	s2, a2, b2 := float64(c.s2), float64(c.a2), float64(c.b2)
	return s2 >= min1DEnergy*n && a2*a2+b2*b2 >= min1DCoherence*min1DCoherence*s2*s2
}

// symbolBox returns the area, in the upright image, a good read's symbol
// may cover: its box grown by the parts of the symbol its points leave
// out (a 1D code's bars above and below the lines that read it, a 2D
// symbol's quiet zone and the modules outside its finder centres).
func symbolBox(h *hit) [4]float64 {
	b := h.box
	w, ht := b[2]-b[0], b[3]-b[1]
	if h.format == gozxing.BarcodeFormat_QR_CODE || h.format == gozxing.BarcodeFormat_DATA_MATRIX {
		d := 0.3*max(w, ht) + 8
		return [4]float64{b[0] - d, b[1] - d, b[2] + d, b[3] + d}
	}
	// 1D: the points are the ends of the lines that read it; a turned
	// code's lines are vertical
	long, across := w, ht
	turned := ht > w
	if turned {
		long, across = ht, w
	}
	dl, da := 0.1*long+8, max(0.3*long-across/2, 0)+8
	if turned {
		return [4]float64{b[0] - da, b[1] - dl, b[2] + da, b[3] + dl}
	}
	return [4]float64{b[0] - dl, b[1] - da, b[2] + dl, b[3] + da}
}

// stopStats are what sweepSkips looks at: the cells of the work view's
// connected 1D-like and 2D-like areas that meet no read's symbolBox
// (an area that meets one is that symbol's, unless it is much larger),
// and whether the reads are sure.
type stopStats struct {
	out1D, out2D int
	sure         bool
}

// stopStatsOf computes stopStats for w, the work view.
func (r *run) stopStatsOf(w *view) stopStats {
	var st stopStats
	var boxes [][4]float64
	st.sure = len(r.col.order) > 0
	for _, k := range r.col.order {
		h := r.col.hits[k]
		good := r.col.good(h)
		if !good || h.unsure || (weak1D(h.format) && h.reads < minStopReads) {
			st.sure = false
		}
		if good {
			boxes = append(boxes, symbolBox(h))
		}
	}
	m := r.map2DOf(w)
	if !r.skip2D {
		if m.areas2D == nil {
			is2D := make([]bool, m.cols*m.rows)
			for i := range is2D {
				cx, cy := i%m.cols, i/m.cols
				is2D[i] = m.count(cx*orientCellSide, cy*orientCellSide, orientCellSide, orientCellSide) > 0
			}
			m.areas2D = areasOf(w, m.cols, m.rows, is2D)
		}
		if cellsOutside2D {
			st.out2D = cellsOutside(m.areas2D, boxes)
			if bars2D && st.out2D <= max2DOutside {
				// the boxes cut to the bars hold no more: only when
				// the 2D decodes would stop is the 1D map made
				st.out2D = cellsOutside(m.areas2D, r.boxes2D(w, m))
			}
		} else {
			st.out2D = outsideCells(m.areas2D, boxes)
		}
	}
	if sweepStop1D && !r.skip1D && st.sure {
		if m.areas1D == nil {
			m.areas1D = areasOf(w, m.cols, m.rows, m.flags1D())
		}
		if barsWalk1D {
			// counted one by one, outside where the reads' bars are
			st.out1D = cellsOutside(m.areas1D, r.boxes1D(w))
		} else {
			st.out1D = outsideCells(m.areas1D, boxes)
		}
	}
	return st
}

// area is a connected area of a map's cells: their centres and extent in
// the upright image.
type area struct {
	pts            [][2]float64
	x0, y0, x1, y1 float64
}

// areasOf returns the connected areas of on (cols×rows cells of view w,
// nil: none).
func areasOf(w *view, cols, rows int, on []bool) []area {
	out := []area{}
	if on == nil {
		return out
	}
	seen := make([]bool, cols*rows)
	var stack []int
	for i := range on {
		if seen[i] || !on[i] {
			continue
		}
		a := area{x0: 1e18, y0: 1e18, x1: -1e18, y1: -1e18}
		stack = append(stack[:0], i)
		seen[i] = true
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			cx, cy := j%cols, j/cols
			p := w.toImage(float64(cx*orientCellSide+orientCellSide/2), float64(cy*orientCellSide+orientCellSide/2))
			a.pts = append(a.pts, p)
			a.x0, a.y0, a.x1, a.y1 = min(a.x0, p[0]), min(a.y0, p[1]), max(a.x1, p[0]), max(a.y1, p[1])
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := cx+d[0], cy+d[1]
				if k := ny*cols + nx; nx >= 0 && ny >= 0 && nx < cols && ny < rows && !seen[k] && on[k] {
					seen[k] = true
					stack = append(stack, k)
				}
			}
		}
		out = append(out, a)
	}
	return out
}

// outsideCells returns the cells of the areas that are not a read's:
// that meet none of boxes (in the upright image: a cell centre inside),
// or whose extent is more than twice in area the box they meet.
func outsideCells(areas []area, boxes [][4]float64) int {
	n := 0
	for _, a := range areas {
		mine := false
		for _, b := range boxes {
			if a.x1 < b[0] || a.x0 > b[2] || a.y1 < b[1] || a.y0 > b[3] ||
				(a.x1-a.x0)*(a.y1-a.y0) > 2*(b[2]-b[0])*(b[3]-b[1]) {
				continue
			}
			for _, p := range a.pts {
				if p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3] {
					mine = true
					break
				}
			}
			if mine {
				break
			}
		}
		if !mine {
			n += len(a.pts)
		}
	}
	return n
}

// cellsOutside2D: the 2D part counts the 2D-like cells outside every
// read's symbolBox one by one (cellsOutside), as mayNew2D does, not the
// cells of the areas that meet no box (outsideCells). A small symbol
// printed a few modules from a large one is one connected area with it
// (the map flags a cell's neighbours too), which meets the large one's
// box: counted as its, the small symbol was left out once the large one
// was read (h/rev3, TestSweepStopNearSymbol).
var cellsOutside2D = true

// bars2D: with cellsOutside2D, a 1D read's box for the 2D-like cells is
// its symbolBox cut to where its bars are (barsBox): the symbolBox grows a
// code across to 0.3× its length for bars its lines did not cross, and a
// small QR Code or Data Matrix printed just past a short code's bars lay
// in it, left out once the code was read (h/rev3, TestSweepStopBelowBars).
var bars2D = true

// boxes2D returns the good reads' boxes for sweepStop's 2D part: their
// symbolBox, a 1D read's cut to barsBox.
func (r *run) boxes2D(w *view, m *map2D) [][4]float64 {
	var out [][4]float64
	for _, k := range r.col.order {
		h := r.col.hits[k]
		if !r.col.good(h) {
			continue
		}
		b := symbolBox(h)
		if h.format != gozxing.BarcodeFormat_QR_CODE && h.format != gozxing.BarcodeFormat_DATA_MATRIX {
			if m.areas1D == nil {
				m.areas1D = areasOf(w, m.cols, m.rows, m.flags1D())
			}
			if bb, ok := barsBox(h, m.areas1D, float64(orientCellSide)*w.scale); ok {
				b = [4]float64{max(b[0], bb[0]), max(b[1], bb[1]), min(b[2], bb[2]), min(b[3], bb[3])}
			}
		}
		out = append(out, b)
	}
	return out
}

// barsBox returns the extent of the 1D-like areas that meet the lines
// that read h (its box, grown by a cell of side cell px), grown by a cell
// and, across the code, by a tenth of its length (the digits under the
// bars); false when there are none.
func barsBox(h *hit, areas []area, cell float64) ([4]float64, bool) {
	lb := h.box
	lb = [4]float64{lb[0] - cell, lb[1] - cell, lb[2] + cell, lb[3] + cell}
	u := [4]float64{1e18, 1e18, -1e18, -1e18}
	found := false
	for _, a := range areas {
		if a.x1 < lb[0] || a.x0 > lb[2] || a.y1 < lb[1] || a.y0 > lb[3] {
			continue
		}
		for _, p := range a.pts {
			if p[0] >= lb[0] && p[0] <= lb[2] && p[1] >= lb[1] && p[1] <= lb[3] {
				u = [4]float64{min(u[0], a.x0), min(u[1], a.y0), max(u[2], a.x1), max(u[3], a.y1)}
				found = true
				break
			}
		}
	}
	if !found {
		return u, false
	}
	w, ht := h.box[2]-h.box[0], h.box[3]-h.box[1]
	gx, gy := cell, cell
	if ht > w { // turned: the lines are vertical
		gx += 0.1 * ht
	} else {
		gy += 0.1 * w
	}
	return [4]float64{u[0] - gx, u[1] - gy, u[2] + gx, u[3] + gy}, true
}

// inAnyBox reports whether the point p lies in one of boxes (x0, y0, x1,
// y1, edges included).
func inAnyBox(p [2]float64, boxes [][4]float64) bool {
	for _, b := range boxes {
		if p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3] {
			return true
		}
	}
	return false
}

// cellsOutside returns the cells of the areas whose centre lies in none
// of boxes.
func cellsOutside(areas []area, boxes [][4]float64) int {
	n := 0
	for _, a := range areas {
		for _, p := range a.pts {
			if !inAnyBox(p, boxes) {
				n++
			}
		}
	}
	return n
}

// minStopReads is the fewest reads a weak 1D code (EAN/UPC, ITF, Code 39)
// needs for the sweep's 1D scans to stop on it.
var minStopReads = 3

// max1DOutside and max2DOutside are the most 1D-like and 2D-like cells
// outside the reads for the sweep's 1D scans and 2D decodes to stop.
var max1DOutside, max2DOutside = 8, 15

// sweepSkips sets r.skip1D and r.skip2D after a sweep stage (see
// sweepStop): the sweep's later 1D scans are left out when the reads
// are sure and the work view has no 1D-like area that is not theirs,
// its later 2D decodes when it has no such 2D-like area.
func (r *run) sweepSkips(w *view) {
	if !sweepStop || !r.all || ((r.skip1D || !sweepStop1D) && r.skip2D) || !r.col.anyAccepted() {
		return
	}
	st := r.stopStatsOf(w)
	r.skip1D = r.skip1D || sweepStop1D && st.sure && st.out1D <= max1DOutside
	r.skip2D = r.skip2D || st.out2D <= max2DOutside
}

// sweepTrace, when set (tests), is called after every sweep stage i.
var sweepTrace func(i int, r *run, w *view)

// mayNew2D is may2D counting only the 2D-like cells outside every good
// 2D read's symbolBox (with sweepStop; may2D without): the sweep's tiles
// and the parts around a symbol (around) where the map sees nothing
// 2D-like but the symbols read are not decoded again.
func (r *run) mayNew2D(v *view, x0, y0, w, h, k int) bool {
	if !sweepStop || k <= 0 {
		return r.may2D(v, x0, y0, w, h, k)
	}
	var boxes [][4]float64
	for _, key := range r.col.order {
		if hh := r.col.hits[key]; (hh.format == gozxing.BarcodeFormat_QR_CODE || hh.format == gozxing.BarcodeFormat_DATA_MATRIX) && r.col.good(hh) {
			boxes = append(boxes, symbolBox(hh))
		}
	}
	if len(boxes) == 0 {
		return r.may2D(v, x0, y0, w, h, k)
	}
	m := r.map2DOf(v)
	if m.count(x0, y0, w, h) < k {
		return false
	}
	cx0, cy0 := (x0+orientCellSide-1)/orientCellSide, (y0+orientCellSide-1)/orientCellSide
	cx1, cy1 := min(m.cols, (x0+w)/orientCellSide), min(m.rows, (y0+h)/orientCellSide)
	n := 0
	for cy := cy0; cy < cy1; cy++ {
		for cx := cx0; cx < cx1; cx++ {
			if m.count(cx*orientCellSide, cy*orientCellSide, orientCellSide, orientCellSide) == 0 {
				continue
			}
			p := v.toImage(float64(cx*orientCellSide+orientCellSide/2), float64(cy*orientCellSide+orientCellSide/2))
			if !inAnyBox(p, boxes) {
				if n++; n >= k {
					return true
				}
			}
		}
	}
	return false
}

// barsWalk1D (with sweepStop1D): the 1D part counts the 1D-like cells
// outside every read's box one by one (cellsOutside), a 1D read's box
// being where its own bars are (barsWalk): from the lines that read it,
// outward across, as far as the next line's grey levels are the same
// bars (at some tilt). The areas that meet a read's symbolBox are no
// longer counted as the read's: a second code printed above or below a
// first one (a book's price code under its ISBN; two labels stacked)
// meets the first's symbolBox, which grows across to 0.3× its length,
// and its bars were counted as the first's (the cause h/speed3 gave for
// its held-out loss). Its bars are other bars: the walk stops at the gap
// or at the first line of them, and its cells are counted (composed
// seeds 2312, 2328: TestSweepStopStacked1D). It does not keep the
// held-out photo's second code (h/speed5's one run at the end), so
// sweepStop1D stays off; on where sweepStop1D is switched on.
var barsWalk1D = true

// Walk of barsWalk: a step of barsStep px (work view) across, the next
// line's grey levels correlated at least barsCorr with those of the
// line that read the code at the band's edge, over the read's length
// (not with the last line's: across a turned code's ends each line is
// much like the last, and the walk went on into a code stacked on it),
// at a shift growing by at most barsStep px a step (45°: the first step
// any, then within one px of the last step's).
const (
	barsStep = 3
	barsCorr = 0.5
)

// barsText is how far past its bars, across, in its length, a 1D code's
// box reaches for the text printed with it (EAN/UPC digits are 0.1 of
// the length; a book's ISBN line above its code).
const barsText = 0.12

// boxes1D returns the good reads' boxes for sweepStop's 1D part: a 2D
// read's symbolBox, a 1D read's barsWalk (kept with the read until its
// box grows: sweepSkips asks after every sweep stage, of the one work
// view).
func (r *run) boxes1D(w *view) [][4]float64 {
	var out [][4]float64
	for _, k := range r.col.order {
		h := r.col.hits[k]
		if !r.col.good(h) {
			continue
		}
		if h.format == gozxing.BarcodeFormat_QR_CODE || h.format == gozxing.BarcodeFormat_DATA_MATRIX || len(h.points) < 2 {
			out = append(out, symbolBox(h))
			continue
		}
		if h.walk == nil || h.walkOf != h.box { // made again when a read grew its box
			h.walk, h.walkOf = barsWalk(h, w), h.box
		}
		out = append(out, h.walk...)
	}
	return out
}

// barsWalk returns boxes (upright image) that cover the bars of the 1D
// read h in w (the work view, upright): strips barsStep px across, from
// the band of the lines that read it outward each way while the next
// strip holds the same bars (see barsWalk1D), each grown along the code
// as symbolBox grows it (its ends: 0.1× its length and 8 px) and across
// by two map cells (a 1D-like cell is flagged from the 4×4-cell window
// about it: it may lie a cell or two past the bars).
func barsWalk(h *hit, w *view) [][4]float64 {
	g, s := w.g, w.scale
	// turned: the lines that read it are vertical (its first read's ends)
	turned := math.Abs(h.points[1][1]-h.points[0][1]) > math.Abs(h.points[1][0]-h.points[0][0])
	b := h.box
	a0, a1, c0, c1 := b[0], b[2], b[1], b[3] // along, across (image px)
	alongN, acrossN := g.w, g.h
	px := func(along, across int) int32 { return int32(g.pix[across*g.w+along]) }
	if turned {
		a0, a1, c0, c1 = b[1], b[3], b[0], b[2]
		alongN, acrossN = g.h, g.w
		px = func(along, across int) int32 { return int32(g.pix[along*g.w+across]) }
	}
	long := a1 - a0
	margin := 2 * orientCellSide * s
	dl := 0.1*long + 8 + margin
	da := barsText*long + margin
	// in the view
	va0, va1 := max(0, int(a0/s-0.5)), min(alongN-1, int(a1/s-0.5)+1)
	vc0, vc1 := max(0, min(acrossN-1, int(c0/s-0.5))), max(0, min(acrossN-1, int(c1/s-0.5)+1))
	box := func(lo, hi, c0, c1 float64) [4]float64 { // along lo..hi, across c0..c1 (image px)
		if turned {
			return [4]float64{c0 - da, lo - dl, c1 + da, hi + dl}
		}
		return [4]float64{lo - dl, c0 - da, hi + dl, c1 + da}
	}
	out := [][4]float64{box(a0, a1, c0, c1)}
	n := va1 - va0 + 1
	if n < 16 {
		return out
	}
	// corr returns the correlation of the grey levels of line c at
	// along x+sh with those of line rc at x, x over [va0, va1]
	corr := func(rc, c, sh int) float64 {
		var sa, sb, saa, sbb, sab int64
		cnt := int64(0)
		for x := max(va0, -sh); x <= min(va1, alongN-1-sh); x++ {
			a, bb := int64(px(x, rc)), int64(px(x+sh, c))
			sa += a
			sb += bb
			saa += a * a
			sbb += bb * bb
			sab += a * bb
			cnt++
		}
		if cnt < int64(n)/2 {
			return -1
		}
		va, vb := float64(cnt*saa-sa*sa), float64(cnt*sbb-sb*sb)
		if va <= 0 || vb <= 0 {
			return -1
		}
		return float64(cnt*sab-sa*sb) / math.Sqrt(va*vb)
	}
	for _, dir := range []int{-1, 1} {
		ref := vc0 // a line that read it: the band's edge
		if dir > 0 {
			ref = vc1
		}
		c, off, last, first := ref, 0, 0, true
		for {
			nc := c + dir*barsStep
			if nc < 0 || nc >= acrossN {
				break
			}
			lo, hi := -barsStep, barsStep
			if !first {
				lo, hi = max(-barsStep, last-1), min(barsStep, last+1)
			}
			best, bestD := -2.0, 0
			for d := lo; d <= hi; d++ {
				if v := corr(ref, nc, off+d); v > best {
					best, bestD = v, d
				}
			}
			if best < barsCorr {
				break
			}
			off += bestD
			last, first = bestD, false
			c = nc
			// the strip from the last line to this one, in the image
			lo0 := (float64(va0+min(off, off-bestD)) + 0.5) * s
			hi0 := (float64(va1+max(off, off-bestD)) + 0.5) * s
			cc0, cc1 := (float64(min(c, c-dir*barsStep))+0.5)*s, (float64(max(c, c-dir*barsStep))+0.5)*s
			out = append(out, box(lo0, hi0, cc0, cc1))
		}
	}
	return out
}
