package scan

import "github.com/makiuchi-d/gozxing"

// sweepStop (issue 10; on): with every barcode wanted, the sweep's
// stages after a good read look for further barcodes (and for rival reads
// of the same bars), over the whole photo, with every binarization, each
// way round: most of server mode's time on a typical photo, where the
// first stage has read the only symbol. After each sweep stage
// (sweepSkips) the 2D detector's map of the work view (detect2d.go, with
// a map of 1D-like cells added: flags1D) is cut into connected areas, and
// an area that meets a good read's symbolBox is that symbol's. The rest of
// the sweep's 1D scans are left out when no other 1D-like area holds more
// than max1DOutside cells and the reads are sure (all good, none unsure
// after the cross-check, a weak 1D code read on minStopReads lines); the
// rest of its 2D decodes when no other 2D-like area holds more than
// max2DOutside cells (tileGate's 16 less one: a window with fewer is put
// off by the sweep anyway). Not exact: a symbol the map does not see
// (a QR Code printed inside another's area; bars too faint or too small
// for a 4×4-cell window) is no longer looked for once another has been
// read. Benchmarks switch it (PHOTOS_NOSWEEPSTOP, CASCADE_NOSWEEPSTOP).
var sweepStop = true

// Thresholds of a 1D-like window of 4×4 cells (barsLike): mean squared
// gradient, coherence (|Σm²e^{2iθ}|/Σm²: parallel edges), drift
// (|Σg|/√(n·Σm²): one edge, not bars) and the share of samples on an edge.
// Set by looking at the tune photos' maps (TestSweepStopMap): the bars of
// every code are 1D-like, most text is not.
var (
	min1DEnergy    = 400.0
	min1DCoherence = 0.6
	max1DDrift     = 0.2
	min1DEdges     = 0.35
)

// flags1D returns which cells of a plane (orientGrid's cells, cols×rows)
// are 1D-like (bars1D) on the plane or on its half (hcells, hcols×hrows:
// large modules).
func flags1D(cells []orientCell, cols, rows int, hcells []orientCell, hcols, hrows int) []bool {
	fine, coarse := bars1D(cells, cols, rows), bars1D(hcells, hcols, hrows)
	out := make([]bool, cols*rows)
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			out[y*cols+x] = fine != nil && fine[y*cols+x] ||
				coarse != nil && x/2 < hcols && y/2 < hrows && coarse[y/2*hcols+x/2]
		}
	}
	return out
}

// bars1D returns which of cols×rows cells are 1D-like on their own
// plane: the window of 4×4 cells about them (from one before, moved in
// at the edges) has edges on many samples, parallel and alternating.
// nil when the plane is smaller than a window.
func bars1D(cells []orientCell, cols, rows int) []bool {
	if cols < 4 || rows < 4 {
		return nil
	}
	// h: sums of 4 cells along rows, by first cell; then 4 of them down
	h := make([]orientCell, (cols-3)*rows)
	for y := 0; y < rows; y++ {
		for x := 0; x+3 < cols; x++ {
			c := cells[y*cols+x]
			c.add(&cells[y*cols+x+1])
			c.add(&cells[y*cols+x+2])
			c.add(&cells[y*cols+x+3])
			h[y*(cols-3)+x] = c
		}
	}
	wcols := cols - 3
	like := make([]bool, wcols*(rows-3))
	const n = 16 * orientSamples
	for y := 0; y+3 < rows; y++ {
		for x := 0; x < wcols; x++ {
			c := h[y*wcols+x]
			c.add(&h[(y+1)*wcols+x])
			c.add(&h[(y+2)*wcols+x])
			c.add(&h[(y+3)*wcols+x])
			like[y*wcols+x] = barsLike(&c, n)
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

// barsLike reports whether a window with statistics c over n samples
// looks like bars: edges on many samples (a line has two), strong,
// parallel, and alternating (one edge's gradients add up).
func barsLike(c *orientCell, n int) bool {
	if float64(c.n) < min1DEdges*float64(n) || float64(c.s2) < min1DEnergy*float64(n) {
		return false
	}
	s2, a2, b2 := float64(c.s2), float64(c.a2), float64(c.b2)
	if a2*a2+b2*b2 < min1DCoherence*min1DCoherence*s2*s2 {
		return false // not parallel
	}
	// |Σg|² ≤ n·Σm², equal for one straight edge of even strength, about
	// 0 for bars
	gx, gy := float64(c.gx), float64(c.gy)
	return gx*gx+gy*gy <= max1DDrift*max1DDrift*float64(c.n)*s2
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

// stopStats are what sweepDone looks at: the cells of the work view's
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
	if m.areas2D == nil {
		is2D := make([]bool, m.cols*m.rows)
		for i := range is2D {
			cx, cy := i%m.cols, i/m.cols
			is2D[i] = m.count(cx*orientCellSide, cy*orientCellSide, orientCellSide, orientCellSide) > 0
		}
		m.areas2D = areasOf(w, m.cols, m.rows, is2D)
		m.areas1D = areasOf(w, m.cols, m.rows, m.bars)
	}
	st.out2D = outsideCells(m.areas2D, boxes)
	st.out1D = outsideCells(m.areas1D, boxes)
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
	if !sweepStop || !r.all || (r.skip1D && r.skip2D) || !r.col.anyAccepted() {
		return
	}
	st := r.stopStatsOf(w)
	r.skip1D = r.skip1D || st.sure && st.out1D <= max1DOutside
	r.skip2D = r.skip2D || st.out2D <= max2DOutside
}

// sweepTrace, when set (tests), is called after every sweep stage i.
var sweepTrace func(i int, r *run, w *view)
