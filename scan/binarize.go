package scan

import (
	"encoding/binary"
	"math"

	"github.com/makiuchi-d/gozxing"
)

// Exact fast black matrices. The 2D readers binarize every window they
// look at (the whole working image and, with All set, 34 overlapping
// tiles of it, for each of the cascade's 2D stages) with gozxing's
// HybridBinarizer or GlobalHistogramBinarizer; on the photos that read,
// that was a quarter of the server's time, most of it in per-pixel method
// calls (BitMatrix.Set for each black pixel) and the copy of each tile's
// pixels. hybridMatrix and globalMatrix compute the same matrices, bit for
// bit (TestFastBinarizersExact), straight from the grey plane a word of
// 32 pixels at a time. fastBinarize switches them (tests and the bench's
// PHOTOS_NOFASTBIN=1 compare).
var fastBinarize = true

// newBinarizer returns the binarizer of the 2D readers for src: the
// hybrid (local blocks) one, or the global histogram one.
func newBinarizer(src *lumSource, globalHistogram bool) gozxing.Binarizer {
	switch {
	case !fastBinarize && globalHistogram:
		return gozxing.NewGlobalHistgramBinarizer(src)
	case !fastBinarize:
		return gozxing.NewHybridBinarizer(src)
	case globalHistogram:
		return &fastBinarizer{Binarizer: gozxing.NewGlobalHistgramBinarizer(src), src: src, global: true}
	}
	return &fastBinarizer{Binarizer: gozxing.NewHybridBinarizer(src), src: src}
}

// fastBinarizer is gozxing's binarizer with its GetBlackMatrix computed by
// hybridMatrix or globalMatrix (rows, as gozxing's).
type fastBinarizer struct {
	gozxing.Binarizer
	src    *lumSource
	global bool
}

// GetBlackMatrix returns the black matrix of the source (a new one each
// call, as gozxing's GlobalHistogramBinarizer; BinaryBitmap keeps it).
func (b *fastBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) {
	s := b.src
	if b.global {
		return globalMatrix(s.g, s.left, s.top, s.Width, s.Height)
	}
	if s.Width < gozxing.MINIMUM_DIMENSION || s.Height < gozxing.MINIMUM_DIMENSION {
		return b.Binarizer.GetBlackMatrix() // gozxing's fallback: the global histogram
	}
	return hybridMatrix(s.g, s.left, s.top, s.Width, s.Height), nil
}

// CreateBinarizer returns a binarizer of the same kind for source.
func (b *fastBinarizer) CreateBinarizer(source gozxing.LuminanceSource) gozxing.Binarizer {
	if ls, ok := source.(*lumSource); ok {
		return newBinarizer(ls, b.global)
	}
	return b.Binarizer.CreateBinarizer(source)
}

// hybridMatrix is gozxing's HybridBinarizer.GetBlackMatrix of the window
// (left, top, width, height) of g, width and height at least
// MINIMUM_DIMENSION (40). The black point of each 8×8 block (the last
// block of a row or column moved back to end at the window's edge, so it
// overlaps the one before) is its mean when its range is over 24, else
// half its minimum, raised to its upper and left neighbours' weighted
// mean when that is above its minimum; a pixel is black when it is at
// most the mean of the 5×5 black points around its block (the 5×5 are
// kept inside the grid, so the last two blocks of a row or column, which
// overlap, have the same threshold: a pixel is black for both or
// neither).
func hybridMatrix(g *gray, left, top, width, height int) *gozxing.BitMatrix {
	h := newHybridLines(g, left, top, width, height)
	m, _ := gozxing.NewBitMatrix(width, height)
	row := gozxing.NewBitArray(width)
	for y := 0; y < height; y++ {
		m.SetRow(y, h.row(y, row))
	}
	return m
}

// hybridLines is hybridMatrix's black matrix one row at a time: the
// block thresholds of the window, computed once, and the rows made when
// asked (the local-block scan lines use a fifth of the rows).
type hybridLines struct {
	g                        *gray
	left, top, width, height int
	subW                     int
	thr                      []int
}

// newHybridLines computes the block thresholds of hybridMatrix's window
// (left, top, width, height) of g.
func newHybridLines(g *gray, left, top, width, height int) *hybridLines {
	const bs = gozxing.BLOCK_SIZE
	subW, subH := (width+bs-1)/bs, (height+bs-1)/bs
	maxX, maxY := width-bs, height-bs
	bp := make([]int, subW*subH)
	stride := g.w
	// the block caches of the window's blocks: on the grid of its
	// first block, and of the last (moved back) column, row or both
	type bcache struct {
		c  []int16
		cw int
	}
	var caches [2][2]bcache // [last row][last column]
	if blockCache {
		for ly := range 2 {
			for lx := range 2 {
				ax, ay := left, top
				if lx == 1 {
					ax = left + maxX
				}
				if ly == 1 {
					ay = top + maxY
				}
				if phaseCache || (ax%bs == 0 && ay%bs == 0) {
					c, cw := g.blockStatsAt(ax%bs, ay%bs)
					caches[ly][lx] = bcache{c, cw}
				}
			}
		}
	}
	for by := 0; by < subH; by++ {
		yo := min(by*bs, maxY)
		ay := top + yo
		ly := 0
		if by*bs > maxY {
			ly = 1
		}
		for bx := 0; bx < subW; bx++ {
			xo := min(bx*bs, maxX)
			ax := left + xo
			lx := 0
			if bx*bs > maxX {
				lx = 1
			}
			var v int
			if bc := caches[ly][lx]; bc.c != nil {
				// a block computed once a plane (the tiles of decode2D,
				// the whole view and the local-block scan lines share
				// them)
				i := ay/bs*bc.cw + ax/bs
				if c := bc.c[i]; c != blockUnknown {
					v = int(c)
				} else {
					v = blockStat(g.pix, ay*stride+ax, stride)
					bc.c[i] = int16(v)
				}
			} else {
				v = blockStat(g.pix, ay*stride+ax, stride)
			}
			avg := v
			if v < 0 { // range at most MIN_DYNAMIC_RANGE: v is -1-min
				lo := -1 - v
				avg = lo / 2
				if by > 0 && bx > 0 {
					nb := (bp[(by-1)*subW+bx] + 2*bp[by*subW+bx-1] + bp[(by-1)*subW+bx-1]) / 4
					if lo < nb {
						avg = nb
					}
				}
			}
			bp[by*subW+bx] = avg
		}
	}
	// thresholds: the mean of the 5×5 black points around each block (the
	// 5×5 kept inside the grid); summed five rows, then five columns, at
	// a time (the same integer sums)
	thr := make([]int, subW*subH)
	if !sepSums {
		clampi := func(v, lo, hi int) int { return max(lo, min(v, hi)) }
		for by := 0; by < subH; by++ {
			t := clampi(by, 2, subH-3)
			for bx := 0; bx < subW; bx++ {
				l := clampi(bx, 2, subW-3)
				sum := 0
				for z := -2; z <= 2; z++ {
					r := bp[(t+z)*subW:]
					sum += r[l-2] + r[l-1] + r[l] + r[l+1] + r[l+2]
				}
				thr[by*subW+bx] = sum / 25
			}
		}
		return &hybridLines{g: g, left: left, top: top, width: width, height: height, subW: subW, thr: thr}
	}
	vs := make([]int, 2*subW) // the five rows' sums, column by column; then the 5×5 sums by centre column
	hs := vs[subW:]
	vs = vs[:subW]
	for x := range subW {
		vs[x] = bp[x] + bp[subW+x] + bp[2*subW+x] + bp[3*subW+x] + bp[4*subW+x]
	}
	for by := 0; by < subH; by++ {
		t := max(2, min(by, subH-3))
		moved := by > 2 && t == by // rows t-2..t+2, from 0..4 at first
		if moved {                 // one row in, one out
			in, out := bp[(t+2)*subW:(t+3)*subW], bp[(t-3)*subW:(t-2)*subW]
			for x := range subW {
				vs[x] += in[x] - out[x]
			}
		}
		if by == 0 || moved {
			s := vs[0] + vs[1] + vs[2] + vs[3] + vs[4]
			hs[2] = s
			for l := 3; l <= subW-3; l++ {
				s += vs[l+2] - vs[l-3]
				hs[l] = s
			}
		}
		row := thr[by*subW : (by+1)*subW]
		for bx := range row {
			row[bx] = hs[max(2, min(bx, subW-3))] / 25
		}
	}
	return &hybridLines{g: g, left: left, top: top, width: width, height: height, subW: subW, thr: thr}
}

// row returns row y of the black matrix in row (cleared first), the
// same bits as hybridMatrix's row y.
func (h *hybridLines) row(y int, row *gozxing.BitArray) *gozxing.BitArray {
	const bs = gozxing.BLOCK_SIZE
	width, subW := h.width, h.subW
	words := row.GetBitArray()
	rowThr := h.thr[y/bs*subW : (y/bs+1)*subW]
	stride := h.g.w
	line := h.g.pix[(h.top+y)*stride+h.left : (h.top+y)*stride+h.left+width]
	clear(words)
	j := 0 // 8 pixels a step, each step one block's
	for ; 8*j+8 <= width; j++ {
		b := atMost8(binary.LittleEndian.Uint64(line[8*j:8*j+8]), rowThr[j])
		words[j>>2] |= uint32(b) << uint(8*(j&3))
	}
	for x := 8 * j; x < width; x++ {
		if int(line[x]) <= rowThr[x>>gozxing.BLOCK_SIZE_POWER] {
			words[x>>5] |= 1 << uint(x&31)
		}
	}
	return row
}

// blockCache is whether hybridMatrix keeps, for each plane, the statistics
// of the 8×8 blocks on the plane's own 8-pixel grid (blockStat), so that
// the windows decode2D binarizes (the whole view and its overlapping
// tiles, whose corners mostly fall on that grid) and the local-block scan
// lines of the same view compute each block once. Exact: the same
// arithmetic on the same pixels. Tests and benchmarks switch it.
var blockCache = true

// blockUnknown marks a block whose statistics are not computed yet.
const blockUnknown = math.MinInt16

// phaseCache is whether blockCache keeps the blocks of every grid phase
// (a window whose corner is not on the plane's 8-pixel grid, such as the
// halves of a 240-pixel view and the last, moved back, block of each row
// and column), not only those on the plane's grid. sepSums is whether
// the 5×5 sums of the thresholds are made five rows, then five columns,
// at a time. Both exact; tests and benchmarks switch them.
var phaseCache, sepSums = true, true

// blockStatsAt returns g's block statistics cache of the blocks at
// (px+8i, py+8j), px and py below 8 (index j*cw+i), allocated on first
// use, and cw.
func (g *gray) blockStatsAt(px, py int) ([]int16, int) {
	const bs = gozxing.BLOCK_SIZE
	if px == 0 && py == 0 {
		return g.blockStats(), g.w / bs
	}
	cw, ch := (g.w-px)/bs, (g.h-py)/bs
	if g.phases == nil {
		g.phases = new([64][]int16)
	}
	c := g.phases[py*bs+px]
	if c == nil {
		c = make([]int16, cw*ch)
		for i := range c {
			c[i] = blockUnknown
		}
		g.phases[py*bs+px] = c
	}
	return c, cw
}

// blockStats returns g's block statistics cache (blockStat of the block
// at (8i, 8j) at index j*(w/8)+i), allocated on first use. A plane is not
// modified once made, and one decode uses it from one goroutine.
func (g *gray) blockStats() []int16 {
	if g.blocks == nil {
		n := (g.w / gozxing.BLOCK_SIZE) * (g.h / gozxing.BLOCK_SIZE)
		g.blocks = make([]int16, n)
		for i := range g.blocks {
			g.blocks[i] = blockUnknown
		}
	}
	return g.blocks
}

// blockStat is what hybridMatrix needs of the 8×8 block at offset o of
// pix (rows stride apart): its mean (sum/64, rounded down) when its range
// is over MIN_DYNAMIC_RANGE, else -1 minus its minimum.
func blockStat(pix []byte, o, stride int) int {
	const bs = gozxing.BLOCK_SIZE
	// the sum, four bytes' sums a lane; the range row by row until it is
	// over MIN_DYNAMIC_RANGE (then only the sum matters, as in gozxing)
	var acc uint64
	lo, hi := 255, 0
	for range bs {
		x := binary.LittleEndian.Uint64(pix[o : o+bs])
		acc += x&lanes16 + x>>8&lanes16
		if hi-lo <= gozxing.MIN_DYNAMIC_RANGE {
			for k := 0; k < 64; k += 8 {
				p := int(x >> uint(k) & 0xff)
				lo = min(lo, p)
				hi = max(hi, p)
			}
		}
		o += stride
	}
	if hi-lo <= gozxing.MIN_DYNAMIC_RANGE {
		return -1 - lo
	}
	sum := int(acc * 0x0001000100010001 >> 48)
	return sum >> (2 * gozxing.BLOCK_SIZE_POWER)
}

// globalMatrix is gozxing's GlobalHistogramBinarizer.GetBlackMatrix of the
// window (left, top, width, height) of g: one black point from the
// histogram (32 buckets) of the middle three fifths of the rows at 1/5 to
// 4/5 of the height; a pixel is black when darker than it. It fails, as
// gozxing's, when the histogram has too little contrast.
func globalMatrix(g *gray, left, top, width, height int) (*gozxing.BitMatrix, error) {
	m, err := gozxing.NewBitMatrix(width, height)
	if err != nil {
		return nil, err
	}
	var buckets [gozxing.LUMINANCE_BUCKETS]int
	for k := 1; k < 5; k++ {
		y := height * k / 5
		line := g.pix[(top+y)*g.w+left : (top+y)*g.w+left+width]
		for _, v := range line[width/5 : width*4/5] {
			buckets[v>>gozxing.LUMINANCE_SHIFT]++
		}
	}
	black, ok := histogramBlackPoint(buckets[:])
	if !ok {
		return nil, gozxing.NewNotFoundException()
	}
	row := gozxing.NewBitArray(width)
	words := row.GetBitArray()
	// black: v < black point, v <= black-1 (the black point is a
	// bucket's start above the first: 8 or more)
	t := black - 1
	for y := 0; y < height; y++ {
		line := g.pix[(top+y)*g.w+left : (top+y)*g.w+left+width]
		clear(words)
		j := 0
		for ; 8*j+8 <= width; j++ {
			b := atMost8(binary.LittleEndian.Uint64(line[8*j:8*j+8]), t)
			words[j>>2] |= uint32(b) << uint(8*(j&3))
		}
		for x := 8 * j; x < width; x++ {
			if int(line[x]) <= t {
				words[x>>5] |= 1 << uint(x&31)
			}
		}
		m.SetRow(y, row)
	}
	return m, nil
}

// histogramBlackPoint is gozxing's GlobalHistogramBinarizer's
// estimateBlackPoint: the valley between the two peaks of the histogram,
// nearer the white one; false when the peaks are within a sixteenth of
// the range.
func histogramBlackPoint(buckets []int) (int, bool) {
	n := len(buckets)
	maxCount, first, firstSize := 0, 0, 0
	for x := 0; x < n; x++ {
		if buckets[x] > firstSize {
			first, firstSize = x, buckets[x]
		}
		maxCount = max(maxCount, buckets[x])
	}
	second, secondScore := 0, 0
	for x := 0; x < n; x++ {
		d := x - first
		if s := buckets[x] * d * d; s > secondScore {
			second, secondScore = x, s
		}
	}
	if first > second {
		first, second = second, first
	}
	if second-first <= n/16 {
		return 0, false
	}
	valley, valleyScore := second-1, -1
	for x := second - 1; x > first; x-- {
		f := x - first
		if s := f * f * (second - x) * (maxCount - buckets[x]); s > valleyScore {
			valley, valleyScore = x, s
		}
	}
	return valley << gozxing.LUMINANCE_SHIFT, true
}

// SWAR: eight grey levels in a word, a byte each (the first in the low
// byte), split into two words of four 16-bit lanes.
const (
	lanes16 = 0x00FF00FF00FF00FF // the even bytes, a lane each
	bit8s   = 0x0100010001000100 // bit 8 of each lane
	// gather moves bit 0 of lane i (bit 16i) to bit 42+2i, with no
	// other product at those bits (so no carry into them)
	gather = 1<<42 | 1<<28 | 1<<14 | 1
)

// atMost8 returns a bit for each of the eight grey levels in x (bit k for
// byte k): set when the level is at most t (0 to 255). In each lane,
// t+256-v is at least 256, its bit 8 set, exactly when v <= t, and never
// borrows from the next lane.
func atMost8(x uint64, t int) uint8 {
	tt := uint64(t+0x100) * 0x0001000100010001
	even := (tt - x&lanes16) & bit8s >> 8
	odd := (tt - x>>8&lanes16) & bit8s >> 8
	return uint8((even*gather)>>42&0x55 | ((odd*gather)>>42&0x55)<<1)
}
