package scan

import (
	"github.com/makiuchi-d/gozxing"
)

// blobWindows2D (off by default; a diagnosis prototype for issue 10): when
// set, decode2DTiles also decodes, for each connected area of 2D-like cells
// of the detector's map, a window centred on it (gozxing's Data Matrix
// detector finds a symbol only when it covers the window's centre).
var blobWindows2D = false

// blobOnce2D: the windows of blobWindows2D once a view (not again with the
// global histogram binarizer or try-harder).
var blobOnce2D = false

// blobs2D returns the bounds, in pixels of v, of the connected areas of
// 2D-like cells of v's map.
func (r *run) blobs2D(v *view) [][4]int {
	m := r.map2DOf(v)
	on := func(x, y int) bool {
		return m.count(x*orientCellSide, y*orientCellSide, orientCellSide, orientCellSide) > 0
	}
	seen := make([]bool, m.cols*m.rows)
	var out [][4]int
	for y := 0; y < m.rows; y++ {
		for x := 0; x < m.cols; x++ {
			if seen[y*m.cols+x] || !on(x, y) {
				continue
			}
			b := [4]int{x, y, x, y}
			stack := []int{y*m.cols + x}
			seen[y*m.cols+x] = true
			for len(stack) > 0 {
				i := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				cx, cy := i%m.cols, i/m.cols
				b = [4]int{min(b[0], cx), min(b[1], cy), max(b[2], cx), max(b[3], cy)}
				for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
					nx, ny := cx+d[0], cy+d[1]
					if nx >= 0 && ny >= 0 && nx < m.cols && ny < m.rows && !seen[ny*m.cols+nx] && on(nx, ny) {
						seen[ny*m.cols+nx] = true
						stack = append(stack, ny*m.cols+nx)
					}
				}
			}
			out = append(out, [4]int{b[0] * orientCellSide, b[1] * orientCellSide, (b[2] + 1) * orientCellSide, (b[3] + 1) * orientCellSide})
		}
	}
	return out
}

// decodeBlobs2D decodes a window centred on each area of blobs2D, twice
// its side and at least 96 px.
func (r *run) decodeBlobs2D(v *view, src *lumSource, globalHistogram bool, hints map[gozxing.DecodeHintType]interface{}) {
	if blobOnce2D {
		if r.blobsDone == nil {
			r.blobsDone = map[*gray]bool{}
		}
		if r.blobsDone[v.g] {
			return
		}
		r.blobsDone[v.g] = true
	}
	for _, b := range r.blobs2D(v) {
		if r.ctx.Err() != nil {
			return
		}
		cx, cy := (b[0]+b[2])/2, (b[1]+b[3])/2
		half := max(48, b[2]-b[0], b[3]-b[1])
		half = min(half, cx, cy, v.g.w-cx, v.g.h-cy) // keep it centred
		if half < 24 {
			continue
		}
		r.decode2DTile(v, src, cx-half, cy-half, 2*half, 2*half, globalHistogram, hints)
	}
}
