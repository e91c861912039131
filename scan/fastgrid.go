package scan

// Exact faster forms of two per-plane passes every server decode makes:
// the 2D detector's orientation grid (orientGrid, once on the work view
// and once on its half) and the reduction by 2 (shrink(2): the work view's
// half, the view of the sweep's half stage and of the detector's coarse
// map, and the work view itself of photos 2–3× the working side). Each
// computes the same integers from the same pixels (TestFastGridExact):
// orientGridFast a cell at a time over its 16 samples, in 32-bit sums (a
// cell's are below 2²²) added once to the 64-bit cell, not a sample at a
// time through the cell's pointer; shrink2 a 2×2 block at a time, not
// through a column accumulator. fastGrid switches both (tests and
// benchmarks compare).
var fastGrid = true

// orientGridFast is orientGrid's cells, the same sums.
func orientGridFast(g *gray) (cells []orientCell, cols, rows int) {
	cols, rows = g.w/orientCellSide, g.h/orientCellSide
	cells = make([]orientCell, cols*rows)
	w := g.w
	pix := g.pix
	for cy := 0; cy < rows; cy++ {
		yEnd := min((cy+1)*orientCellSide, g.h-1)
		for cx := 0; cx < cols; cx++ {
			x0 := cx*orientCellSide + 1
			xEnd := min((cx+1)*orientCellSide, w-1)
			var s2, a2, b2 int32
			for y := cy*orientCellSide + 1; y < yEnd; y += orientStep {
				o := y * w
				for x := x0; x < xEnd; x += orientStep {
					gx := int32(pix[o+x+1]) - int32(pix[o+x-1])
					gy := int32(pix[o+w+x]) - int32(pix[o-w+x])
					m2 := gx*gx + gy*gy
					if m2 < 64 { // noise
						continue
					}
					s2 += m2
					a2 += gx*gx - gy*gy
					b2 += 2 * gx * gy
				}
			}
			cells[cy*cols+cx] = orientCell{s2: int64(s2), a2: int64(a2), b2: int64(b2)}
		}
	}
	return cells, cols, rows
}

// shrink2 is shrink(2): each pixel the rounded mean of its 2×2 block (of
// its 2×1, 1×2 or 1×1 one at an odd width's last column or an odd
// height's last row).
func (g *gray) shrink2() *gray {
	nw, nh := (g.w+1)/2, (g.h+1)/2
	out := &gray{w: nw, h: nh, pix: make([]byte, nw*nh)}
	fw := g.w / 2 // full blocks on a row
	for ny := 0; ny < nh; ny++ {
		dst := out.pix[ny*nw : (ny+1)*nw]
		r0 := g.pix[2*ny*g.w : (2*ny+1)*g.w]
		if 2*ny+1 >= g.h { // the last row of an odd height: 2×1 blocks
			for nx := 0; nx < fw; nx++ {
				dst[nx] = byte((uint32(r0[2*nx]) + uint32(r0[2*nx+1]) + 1) / 2)
			}
			if fw < nw {
				dst[fw] = r0[2*fw]
			}
			continue
		}
		r1 := g.pix[(2*ny+1)*g.w : (2*ny+2)*g.w]
		r0, r1 = r0[:2*fw], r1[:2*fw]
		for nx := range fw {
			s := uint32(r0[2*nx]) + uint32(r0[2*nx+1]) + uint32(r1[2*nx]) + uint32(r1[2*nx+1])
			dst[nx] = byte((s + 2) / 4)
		}
		if fw < nw { // the last column of an odd width: a 1×2 block
			x := 2 * fw
			dst[fw] = byte((uint32(g.pix[2*ny*g.w+x]) + uint32(g.pix[(2*ny+1)*g.w+x]) + 1) / 2)
		}
	}
	return out
}
