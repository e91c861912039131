package scan

import (
	"sort"

	"github.com/makiuchi-d/gozxing"
)

// blobWindows2D (issue 10; on): the sweep ends (with every barcode
// wanted) by decoding, with the Data Matrix reader, a window centred on
// each small area of 2D-like cells of the work view's detector map where
// the sweep read no 2D symbol (blobWindows2DAfter). gozxing's Data Matrix
// detector (WhiteRectangleDetector) grows a box from its window's centre,
// so it finds a symbol only when the symbol covers that centre; the whole
// view's and decode2DTiles' centres are a grid ~171×128 px apart at
// 1024×768, and a small Data Matrix (10×10–14×14 modules, 50–100 px)
// between them is never read (dmsmall_test.go). Generated small Data
// Matrix photos (fresh seeds, upright, turned, mirrored): 62 → 176 of 200
// read, 0 wrong; the photos: the same reads on both halves, the step 0.2%
// of the tune half's CPU (BENCHMARKS.md, issue 10).
var blobWindows2D = true

// blobMaxWindows caps the blob windows a photo; blobMinCells is the
// fewest 2D-like cells an area needs (decode2DTiles' tileGate: an area
// smaller is gated out of the tiles too).
const (
	blobMaxWindows = 4
	blobMinCells   = 16
)

// blob2D is a connected area of 2D-like cells: its bounds in pixels of
// the view and its number of cells.
type blob2D struct {
	x0, y0, x1, y1 int
	cells          int
}

// blobs2D returns the connected areas of 2D-like cells of v's map.
func (r *run) blobs2D(v *view) []blob2D {
	m := r.map2DOf(v)
	on := func(x, y int) bool {
		return m.count(x*orientCellSide, y*orientCellSide, orientCellSide, orientCellSide) > 0
	}
	seen := make([]bool, m.cols*m.rows)
	var out []blob2D
	var stack []int
	for y := 0; y < m.rows; y++ {
		for x := 0; x < m.cols; x++ {
			if seen[y*m.cols+x] || !on(x, y) {
				continue
			}
			b := blob2D{x, y, x, y, 0}
			stack = append(stack[:0], y*m.cols+x)
			seen[y*m.cols+x] = true
			for len(stack) > 0 {
				i := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				cx, cy := i%m.cols, i/m.cols
				b.x0, b.y0, b.x1, b.y1 = min(b.x0, cx), min(b.y0, cy), max(b.x1, cx), max(b.y1, cy)
				b.cells++
				for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
					nx, ny := cx+d[0], cy+d[1]
					if nx >= 0 && ny >= 0 && nx < m.cols && ny < m.rows && !seen[ny*m.cols+nx] && on(nx, ny) {
						seen[ny*m.cols+nx] = true
						stack = append(stack, ny*m.cols+nx)
					}
				}
			}
			b.x0, b.y0 = b.x0*orientCellSide, b.y0*orientCellSide
			b.x1, b.y1 = (b.x1+1)*orientCellSide, (b.y1+1)*orientCellSide
			out = append(out, b)
		}
	}
	return out
}

// read2DIn reports whether a QR Code or Data Matrix read so far lies on
// the area b of v (its box, in the upright image, meets b's).
func (r *run) read2DIn(v *view, b blob2D) bool {
	p, q := v.toImage(float64(b.x0), float64(b.y0)), v.toImage(float64(b.x1), float64(b.y1))
	for _, h := range r.col.hits {
		if h.format != gozxing.BarcodeFormat_QR_CODE && h.format != gozxing.BarcodeFormat_DATA_MATRIX {
			continue
		}
		if h.box[0] <= q[0] && p[0] <= h.box[2] && h.box[1] <= q[1] && p[1] <= h.box[3] {
			return true
		}
	}
	return false
}

// blobWindows2DAfter (the sweep's end, with every barcode wanted, when
// blobWindows2D is set) decodes, with the hybrid binarizer, a square
// window centred on each area of v's map of at least blobMinCells cells,
// at most a third of v's short side long, that holds no 2D read yet: twice the area's side, at least 96 px, kept
// centred (blobWindow); the blobMaxWindows largest; with the Data Matrix
// reader alone, upright and mirrored (decodeDMWindow).
func (r *run) blobWindows2DAfter(v *view) {
	if !blobWindows2D || !r.all || r.ctx.Err() != nil || r.sweep && r.skip2D {
		return
	}
	var todo []blob2D
	for _, b := range r.blobs2D(v) {
		big := max(b.x1-b.x0, b.y1-b.y0) > min(v.g.w, v.g.h)/3 // text, or a symbol the tiles hold
		if b.cells >= blobMinCells && !big && !r.read2DIn(v, b) {
			todo = append(todo, b)
		}
	}
	if len(todo) == 0 {
		return
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].cells > todo[j].cells })
	for _, b := range todo[:min(len(todo), blobMaxWindows)] {
		if r.ctx.Err() != nil {
			return
		}
		x0, y0, x1, y1 := blobWindow(v.g.w, v.g.h, b)
		if x1-x0 < 48 || y1-y0 < 48 {
			continue
		}
		r.blobWindows++
		r.decodeDMWindow(v, x0, y0, x1-x0, y1-y0)
	}
}

// blobWindow returns the window decoded for the area b of a w×h view: a
// square centred on b, twice its side and at least 96 px, cut by the
// view's edges as long as its centre stays in the middle half of b (the
// detector's start must lie on the symbol), else shrunk about b's centre.
func blobWindow(w, h int, b blob2D) (x0, y0, x1, y1 int) {
	cx, cy := (b.x0+b.x1)/2, (b.y0+b.y1)/2
	half := max(48, b.x1-b.x0, b.y1-b.y0)
	x0, y0, x1, y1 = max(0, cx-half), max(0, cy-half), min(w, cx+half), min(h, cy+half)
	if mx, my := (x0+x1)/2, (y0+y1)/2; 4*max(mx-cx, cx-mx) > b.x1-b.x0 || 4*max(my-cy, cy-my) > b.y1-b.y0 {
		half = min(half, cx, cy, w-cx, h-cy) // keep it centred
		x0, y0, x1, y1 = cx-half, cy-half, cx+half, cy+half
	}
	return x0, y0, x1, y1
}

// decodeDMWindow runs the Data Matrix reader (only: the QR Code
// reader's finder patterns are looked for all over a window, so a small
// QR Code is read where it is) on the window (x0, y0, w, h) of v with the
// hybrid binarizer, and when it reads nothing on the same black matrix
// flipped left to right (a symbol printed mirrored: gozxing's Data Matrix
// reader does not try the mirror image itself), points mapped back to v.
func (r *run) decodeDMWindow(v *view, x0, y0, w, h int) {
	src := &lumSource{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: w, Height: h}, g: v.g, left: x0, top: y0}
	bin := newBinarizer(src, false)
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return
	}
	if res, err := r.dm.Decode(bmp, nil); err == nil && res != nil {
		r.addMapped(v, res, func(x, y float64) (float64, float64) { return float64(x0) + x, float64(y0) + y })
		return
	}
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		return
	}
	flip, err := gozxing.NewBitMatrix(w, h)
	if err != nil {
		return
	}
	var row *gozxing.BitArray
	for y := 0; y < h; y++ {
		row = m.GetRow(y, row)
		row.Reverse()
		flip.SetRow(y, row)
	}
	bmp, err = gozxing.NewBinaryBitmap(&matrixBinarizer{Binarizer: bin, m: flip})
	if err != nil {
		return
	}
	if res, err := r.dm.Decode(bmp, nil); err == nil && res != nil {
		r.addMapped(v, res, func(x, y float64) (float64, float64) { return float64(x0+w-1) - x, float64(y0) + y })
	}
}

// addMapped records res, read in a window of v, with its points mapped to
// v by f.
func (r *run) addMapped(v *view, res *gozxing.Result, f func(x, y float64) (float64, float64)) {
	var pts []gozxing.ResultPoint
	for _, p := range res.GetResultPoints() {
		if p != nil {
			x, y := f(p.GetX(), p.GetY())
			pts = append(pts, gozxing.NewResultPoint(x, y))
		}
	}
	out := gozxing.NewResult(res.GetText(), res.GetRawBytes(), pts, res.GetBarcodeFormat())
	out.PutAllMetadata(res.GetResultMetadata())
	r.col.add(v, out)
}

// matrixBinarizer is a binarizer whose black matrix is m.
type matrixBinarizer struct {
	gozxing.Binarizer
	m *gozxing.BitMatrix
}

// GetBlackMatrix returns m.
func (b *matrixBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) { return b.m, nil }
