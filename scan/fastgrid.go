package scan

// Exact faster forms of two per-plane passes of every server decode:
// the reduction by 2 (shrink(2): the work view's half, the view of the
// sweep's half stage and of the 2D detector's coarse map, and the work
// view itself of photos 1.0–2× the working side) and the turn by 90°
// (the sweep's rotated scan lines). Each makes the same pixels
// (TestFastGridExact): shrink2 a 2×2 block at a time, not through a
// column accumulator; rotate90Tiled a 16×16 tile at a time. fastGrid
// switches both (tests and benchmarks compare). (Tried: the 2D
// detector's orientation grid a cell at a time, in 32-bit sums, with a
// mask for the noise bound: slower than orientGrid's branch.)
var fastGrid = true

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

// rotate90Tiled is rotate90: the same pixels, moved a 16×16 tile at a
// time (rotate90 writes a column of the output per input row, a cache
// line per pixel).
func (g *gray) rotate90Tiled() *gray {
	const ts = 16
	out := &gray{w: g.h, h: g.w, pix: make([]byte, len(g.pix))}
	ow := out.w
	for y0 := 0; y0 < g.h; y0 += ts {
		y1 := min(y0+ts, g.h)
		for x0 := 0; x0 < g.w; x0 += ts {
			x1 := min(x0+ts, g.w)
			for x := x0; x < x1; x++ {
				dst := out.pix[(g.w-1-x)*ow+y0 : (g.w-1-x)*ow+y1]
				o := y0*g.w + x
				for i := range dst {
					dst[i] = g.pix[o]
					o += g.w
				}
			}
		}
	}
	return out
}
