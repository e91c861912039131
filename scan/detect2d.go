package scan

// The 2D detector: where in a view a 2D symbol (QR Code, Data Matrix) can
// be, from the orientation of the grey level's edges, computed once a
// view. A 1D barcode's edges are parallel, a matrix symbol's are not; a
// blank or smooth area has none. A symbol is an area filled with strong
// edges going more than one way (text is too: the detector says where a
// symbol can be, not where one is). The server's sweep decodes 2D only in
// the windows (whole views, tiles) where the detector sees such an area
// (decode2D, may2D).

// orientCell is the gradient orientation statistics of one cell of a
// plane: over its sample pixels, with (gx, gy) the central differences, a
// = gx²-gy² and b = 2·gx·gy (the gradient's doubled angle weighted by its
// squared magnitude, m²·e^{2iθ}): s2 = Σm², a2 = Σa, b2 = Σb. Gradients
// weaker than noise (m² < 64) are left out.
type orientCell struct {
	s2, a2, b2 int64
}

func (c *orientCell) add(o *orientCell) {
	c.s2 += o.s2
	c.a2 += o.a2
	c.b2 += o.b2
}

// like2D reports whether a window with the statistics c over n samples
// is 2D-like: its mean squared gradient is at least min2DEnergy (edges
// all over it) and its edges are spread over directions (|Σm²e^{2iθ}|/Σm²
// at most max2DCoherence: not a 1D barcode's parallel bars).
//
// Tried: also asking that the edges lie along two perpendicular
// directions (|Σm⁴e^{4iθ}|/Σm⁴), which tells a printed matrix from text;
// but a Data Matrix of round dots or spread ink (fixtures/barcodes
// label.webp) has edges turning every way too, and was missed.
func (c *orientCell) like2D(n int) bool {
	s2 := float64(c.s2)
	if s2 < min2DEnergy*float64(n) {
		return false
	}
	a2, b2 := float64(c.a2), float64(c.b2)
	return a2*a2+b2*b2 <= max2DCoherence*max2DCoherence*s2*s2
}

// orientCellSide is the side of a cell in pixels; the gradient is
// sampled every orientStep pixels each way.
const (
	orientCellSide = 8
	orientStep     = 2
	orientSamples  = (orientCellSide / orientStep) * (orientCellSide / orientStep)
)

// orientGrid computes the orientation statistics of g's cells
// (orientCellSide square, the last partial row and column left out):
// cols×rows cells, row-major.
func orientGrid(g *gray) (cells []orientCell, cols, rows int) {
	cols, rows = g.w/orientCellSide, g.h/orientCellSide
	cells = make([]orientCell, cols*rows)
	w := g.w
	for cy := 0; cy < rows; cy++ {
		for y := cy*orientCellSide + 1; y < (cy+1)*orientCellSide && y < g.h-1; y += orientStep {
			row := g.pix[y*w : (y+1)*w]
			up, down := g.pix[(y-1)*w:y*w], g.pix[(y+1)*w:(y+2)*w]
			for cx := 0; cx < cols; cx++ {
				c := &cells[cy*cols+cx]
				for x := cx*orientCellSide + 1; x < (cx+1)*orientCellSide && x < w-1; x += orientStep {
					gx := int64(row[x+1]) - int64(row[x-1])
					gy := int64(down[x]) - int64(up[x])
					m2 := gx*gx + gy*gy
					if m2 < 64 { // noise
						continue
					}
					c.s2 += m2
					c.a2 += gx*gx - gy*gy
					c.b2 += 2 * gx * gy
				}
			}
		}
	}
	return cells, cols, rows
}

// The 2D detector (detect2d.go) gates the 2D decodes of the sweep when
// every barcode is wanted: a tile of decode2D is decoded in the sweep only
// when it holds tileGate 2D-like cells (0: every tile), and a whole view
// at least wholeGateSide on its short side only when it holds wholeGate
// (0: every view). The windows left out are decoded after the sweep when
// it read nothing (decodePut), so a photo whose only symbol the detector
// misses still reads. Tests and benchmarks switch them.
var (
	tileGate, wholeGate = gate2D(true)
	wholeGateSide       = 128
)

// gate2D returns tileGate and wholeGate with the detector on or off. The
// least cells, 16 (a square of 32 pixels), and the thresholds of like2D
// were chosen on the tune photos: there the server returns the same
// barcodes with the gate as without (TestDetect2DReads); every QR Code
// and Data Matrix photo at least 128 pixels on its short side has 70
// 2D-like cells or more, and 45 of the 104 1D photos fewer than 16.
func gate2D(on bool) (tile, whole int) {
	if on {
		return 16, 16
	}
	return 0, 0
}

// The 2D detector's thresholds (like2D). The coherence bound is 0.30,
// not the 0.25 the tune photos allow: a sharp, upright symbol's edges are
// all horizontal or vertical, and over the 16 modules of a 2×2-cell
// window at 4 pixels a module their counts differ by chance by a third or
// so; at 0.25 a QR Code version 1–2 printed so beside a 1D code (read
// first, so the windows put off were never decoded) was lost
// (TestDetect2DSharpSmallQR).
var (
	min2DEnergy    = 400.0
	max2DCoherence = 0.30
)

// map2D is the 2D detector's map of a plane: which cells are 2D-like
// (a window of 2×2 or 4×4 cells around them is), as a summed-area table.
type map2D struct {
	cols, rows int
	sum        []int32 // (cols+1)×(rows+1), sum[y*(cols+1)+x] = flags above and left of cell (x, y)
	// for sweepstop.go: the orientation statistics of the plane and its
	// half, the connected areas of 2D-like and 1D-like cells (made when
	// first asked for)
	cells, hcells    []orientCell
	hcols, hrows     int
	areas2D, areas1D []area
}

// newMap2D computes the 2D detector's map of g, a cell 2D-like when it
// is so on g or on half, g reduced by 2 (large modules).
func newMap2D(g, half *gray) *map2D {
	cells, cols, rows := orientGrid(g)
	hcells, hcols, hrows := orientGrid(half)
	fine, coarse := flags2D(cells, cols, rows), flags2D(hcells, hcols, hrows)
	m := &map2D{cols: cols, rows: rows, sum: make([]int32, (cols+1)*(rows+1)),
		cells: cells, hcells: hcells, hcols: hcols, hrows: hrows}
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			var f int32
			if fine[y*cols+x] || x/2 < hcols && y/2 < hrows && coarse[y/2*hcols+x/2] {
				f = 1
			}
			m.sum[(y+1)*(cols+1)+x+1] = f + m.sum[y*(cols+1)+x+1] + m.sum[(y+1)*(cols+1)+x] - m.sum[y*(cols+1)+x]
		}
	}
	return m
}

// flags2D returns which of a plane's cells (orientGrid's) are 2D-like: a window of 2×2 cells
// from them, or of 4×4 cells around them, is, and so are their
// neighbours' (a symbol is a filled area; text lines and the ends of a 1D
// barcode's bars are thin).
func flags2D(cells []orientCell, cols, rows int) (flags []bool) {
	flags = make([]bool, cols*rows)
	if cols < 2 || rows < 2 {
		return flags
	}
	// w2: the windows of 2×2 cells, by their first cell
	w2 := make([]orientCell, cols*rows)
	for y := 0; y+1 < rows; y++ {
		for x := 0; x+1 < cols; x++ {
			c := cells[y*cols+x]
			c.add(&cells[y*cols+x+1])
			c.add(&cells[(y+1)*cols+x])
			c.add(&cells[(y+1)*cols+x+1])
			w2[y*cols+x] = c
		}
	}
	like := make([]bool, cols*rows)
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			x2, y2 := min(x, cols-2), min(y, rows-2)
			l := w2[y2*cols+x2].like2D(4 * orientSamples)
			if !l && cols >= 4 && rows >= 4 {
				x4, y4 := max(0, min(x-1, cols-4)), max(0, min(y-1, rows-4))
				c := w2[y4*cols+x4]
				c.add(&w2[y4*cols+x4+2])
				c.add(&w2[(y4+2)*cols+x4])
				c.add(&w2[(y4+2)*cols+x4+2])
				l = c.like2D(16 * orientSamples)
			}
			like[y*cols+x] = l
		}
	}
	for y := 1; y+1 < rows; y++ {
		for x := 1; x+1 < cols; x++ {
			ok := true
			for yy := y - 1; yy <= y+1 && ok; yy++ {
				r := like[yy*cols+x-1 : yy*cols+x+2]
				ok = r[0] && r[1] && r[2]
			}
			flags[y*cols+x] = ok
		}
	}
	return flags
}

// count returns the 2D-like cells wholly inside the rectangle (x0, y0,
// w, h) of the plane.
func (m *map2D) count(x0, y0, w, h int) int {
	cx0, cy0 := (x0+orientCellSide-1)/orientCellSide, (y0+orientCellSide-1)/orientCellSide
	cx1, cy1 := min(m.cols, (x0+w)/orientCellSide), min(m.rows, (y0+h)/orientCellSide)
	if cx1 <= cx0 || cy1 <= cy0 {
		return 0
	}
	s := m.cols + 1
	return int(m.sum[cy1*s+cx1] - m.sum[cy0*s+cx1] - m.sum[cy1*s+cx0] + m.sum[cy0*s+cx0])
}

// may2D reports whether the window (x0, y0, w, h) of v may hold a 2D
// symbol: it holds at least k 2D-like cells (k 0: always).
func (r *run) may2D(v *view, x0, y0, w, h, k int) bool {
	if k <= 0 {
		return true
	}
	return r.map2DOf(v).count(x0, y0, w, h) >= k
}

// map2DOf returns the 2D detector's map of v's plane, made once a run.
func (r *run) map2DOf(v *view) *map2D {
	if r.maps2D == nil {
		r.maps2D = map[*gray]*map2D{}
	}
	m := r.maps2D[v.g]
	if m == nil {
		m = newMap2D(v.g, r.halfOf(v.g))
		r.maps2D[v.g] = m
	}
	return m
}

// halfOf returns g reduced by 2, made once a run.
func (r *run) halfOf(g *gray) *gray {
	if r.halves == nil {
		r.halves = map[*gray]*gray{}
	}
	h := r.halves[g]
	if h == nil {
		h = g.shrink(2)
		r.halves[g] = h
	}
	return h
}
