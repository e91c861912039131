package scan

import (
	"math"
	"sort"
	"strconv"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	qrdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// resampleQR reads a QR Code whose finder patterns gozxing finds but
// whose modules it samples wrong: at a few pixels per module, or on a
// label that is not flat, one binarized pixel at each module's centre of
// one perspective grid misses too often. Here each module is the grey
// level at its centre (bilinear), compared with the modules around it
// (and with the symbol's overall midpoint); the grid is fitted locally to
// the alignment patterns where they are seen (version 7 and up have
// several, see qrGrid), and since the fourth corner is the least sure
// point of the grid (an alignment pattern found a little off, or guessed
// from the other three), the perspective grid is also tried with that
// corner moved by up to a module, nearest first. Reed-Solomon decides: a
// wrong grid does not decode. Nothing runs unless the finder patterns
// are there, at most qrGrids grids are sampled, and large symbols (over
// version 11) get the unmoved grid only, to bound the time.
func (r *run) resampleQR(v *view) {
	bmp, err := gozxing.NewBinaryBitmap(newBinarizer(newLumSource(v.g), false))
	if err != nil {
		return
	}
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		return
	}
	det, err := detector.NewDetector(m).Detect(tryHarder)
	turned := false
	if err != nil {
		if det, err = detectTurned(m); err != nil {
			r.findQR(v, m)
			return
		}
		turned = true
	}
	pts := det.GetPoints()
	if len(pts) < 3 {
		r.findQR(v, m)
		return
	}
	// Seen at a slant, the size of the symbol in modules is estimated
	// from finder patterns of different sizes, and may be one version
	// off: the neighbouring sizes are tried after it.
	d := det.GetBits().GetWidth()
	dims := []int{d}
	if turned {
		dims = append(dims, d-4, d+4)
	}
	// A symbol no grid reads costs every grid: at most qrGrids of them
	// (some 10 ms on a busy machine), the most likely first.
	budget := qrGrids
	for _, dim := range dims {
		if dim >= 21 && r.resampleQRAt(v, pts, dim, &budget) {
			return
		}
	}
	r.findQR(v, m)
}

// qrGrids bounds the grids resampleQR samples for one symbol.
const qrGrids = 16

// detectTurned finds a QR Code seen at a slant: gozxing's detector
// rejects three finder patterns whose module sizes differ by more than
// 1.4 times, which is what a symbol turned away by some 30° shows. Here
// the candidates it found are combined again with up to 2 times, and
// the most right-angled, isosceles triangle wins.
func detectTurned(m *gozxing.BitMatrix) (*common.DetectorResult, error) {
	f := detector.NewFinderPatternFinder(m, nil)
	f.Find(tryHarder) // fills the candidates even when it finds no triple
	cs := f.GetPossibleCenters()
	if len(cs) < 3 {
		return nil, gozxing.NewNotFoundException("%d finder patterns", len(cs))
	}
	if len(cs) > 12 {
		cs = cs[:12]
	}
	best := math.MaxFloat64
	var b [3]*detector.FinderPattern
	sq := func(a, b *detector.FinderPattern) float64 {
		dx, dy := a.GetX()-b.GetX(), a.GetY()-b.GetY()
		return dx*dx + dy*dy
	}
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			for k := j + 1; k < len(cs); k++ {
				ms := []float64{cs[i].GetEstimatedModuleSize(), cs[j].GetEstimatedModuleSize(), cs[k].GetEstimatedModuleSize()}
				if max(ms[0], ms[1], ms[2]) > 2*min(ms[0], ms[1], ms[2]) {
					continue
				}
				s := []float64{sq(cs[i], cs[j]), sq(cs[j], cs[k]), sq(cs[i], cs[k])}
				sort.Float64s(s)
				a, bb, c := s[0], s[1], s[2]
				// far enough apart to be one symbol's corners: at least
				// seven modules (a finder pattern) between any two
				if a < 49*min(ms[0], ms[1], ms[2])*min(ms[0], ms[1], ms[2]) {
					continue
				}
				if dist := (math.Abs(c-2*bb) + math.Abs(c-2*a)) / c; dist < best {
					best, b = dist, [3]*detector.FinderPattern{cs[i], cs[j], cs[k]}
				}
			}
		}
	}
	if b[0] == nil || best > 0.5 {
		return nil, gozxing.NewNotFoundException("no triple")
	}
	bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(b[0], b[1], b[2])
	info := detector.NewFinderPatternInfo(bl.(*detector.FinderPattern), tl.(*detector.FinderPattern), tr.(*detector.FinderPattern))
	return detector.NewDetector(m).ProcessFinderPatternInfo(info)
}

// resampleQRAt tries the grids of a dim×dim symbol on the finder
// patterns (and alignment pattern) pts; true when one decoded.
func (r *run) resampleQRAt(v *view, pts []gozxing.ResultPoint, dim int, budget *int) bool {
	bl, tl, tr := pts[0], pts[1], pts[2]
	// The fourth point and where it sits on the grid.
	var brX, brY, brAt float64
	if len(pts) > 3 {
		brX, brY, brAt = pts[3].GetX(), pts[3].GetY(), float64(dim)-6.5
	} else {
		brX, brY = tr.GetX()-tl.GetX()+bl.GetX(), tr.GetY()-tl.GetY()+bl.GetY()
		brAt = float64(dim) - 3.5
	}
	return r.resampleQRCorner(v, bl, tl, tr, brX, brY, brAt, dim, budget)
}

// resampleQRCorner is resampleQRAt with the fourth point given: (brX,
// brY) in the image is module (brAt, brAt).
func (r *run) resampleQRCorner(v *view, bl, tl, tr gozxing.ResultPoint, brX, brY, brAt float64, dim int, budget *int) bool {
	// One module, in pixels, along each side.
	n := float64(dim) - 7
	mx := [2]float64{(tr.GetX() - tl.GetX()) / n, (tr.GetY() - tl.GetY()) / n}
	my := [2]float64{(bl.GetX() - tl.GetX()) / n, (bl.GetY() - tl.GetY()) / n}
	if mx[0]*mx[0]+mx[1]*mx[1] < 1.5*1.5 && my[0]*my[0]+my[1]*my[1] < 1.5*1.5 {
		return false // under 1.5 pixels a module: nothing to sample
	}
	vals := make([]float64, dim*dim)
	dec := qrdecoder.NewDecoder()
	ver, err := qrdecoder.Version_GetProvisionalVersionForDimension(dim)
	if err != nil {
		return false
	}
	steps := []float64{0, -0.5, 0.5, -1, 1}
	if dim > 61 {
		steps = steps[:1]
	}
	type move struct{ sx, sy float64 }
	var moves []move // nearest first
	for _, sy := range steps {
		for _, sx := range steps {
			moves = append(moves, move{sx, sy})
		}
	}
	sort.SliceStable(moves, func(i, j int) bool {
		return moves[i].sx*moves[i].sx+moves[i].sy*moves[i].sy < moves[j].sx*moves[j].sx+moves[j].sy*moves[j].sy
	})
	for _, mv := range moves {
		sx, sy := mv.sx, mv.sy
		{
			if r.ctx.Err() != nil {
				return false
			}
			x := brX + sx*mx[0] + sy*my[0]
			y := brY + sx*mx[1] + sy*my[1]
			t := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
				3.5, 3.5, float64(dim)-3.5, 3.5, brAt, brAt, 3.5, float64(dim)-3.5,
				tl.GetX(), tl.GetY(), tr.GetX(), tr.GetY(), x, y, bl.GetX(), bl.GetY())
			g := newQRGrid(v.g, t, dim, ver.GetAlignmentPatternCenters())
			for _, local := range []bool{false, true} {
				// the alignment patterns are looked for around the
				// unmoved grid only: their search covers the moves
				if local && (sx != 0 || sy != 0 || !g.refine()) {
					break
				}
				if *budget <= 0 {
					return false
				}
				*budget--
				if !g.sample(vals) {
					continue
				}
				var mats []*gozxing.BitMatrix
				var confs [][]float64
				for pass := range 2 {
					if pass == 1 {
						if !qrSharpest || r.noSharpest || sx != 0 || sy != 0 || !g.sampleSharpest(vals) {
							break
						}
					}
					m, c := thresholdModules(vals, dim)
					mats, confs = append(mats, m...), append(confs, c...)
				}
				for mi, bits := range mats {
					orig := copyBits(bits)
					res, err := dec.Decode(bits, nil)
					if err != nil && qrErasures {
						res, err = decodeQRErasures(orig, confs[mi])
					}
					if err != nil {
						continue
					}
					points := []gozxing.ResultPoint{bl, tl, tr}
					if md, ok := res.GetOther().(*qrdecoder.QRCodeDecoderMetaData); ok {
						md.ApplyMirroredCorrection(points)
					}
					out := gozxing.NewResult(res.GetText(), res.GetRawBytes(), points, gozxing.BarcodeFormat_QR_CODE)
					if bs := res.GetByteSegments(); len(bs) > 0 {
						out.PutMetadata(gozxing.ResultMetadataType_BYTE_SEGMENTS, bs)
					}
					out.PutMetadata(gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER, "]Q"+strconv.Itoa(res.GetSymbologyModifier()))
					r.col.add(v, out)
					return true
				}
			}
		}
	}
	return false
}

// qrGrid maps module coordinates of a QR Code into the image: a
// perspective transform of the whole symbol, corrected near each
// alignment pattern by the offset at which that pattern is actually seen
// (a symbol on a curved or creased surface, or a lens that bends straight
// lines, is not one perspective).
type qrGrid struct {
	g       *gray
	t       *common.PerspectiveTransform
	dim     int
	centres []int
	// anchors: module coordinates and their offsets, in modules.
	ax, ay, ox, oy []float64
}

func newQRGrid(g *gray, t *common.PerspectiveTransform, dim int, centres []int) *qrGrid {
	return &qrGrid{g: g, t: t, dim: dim, centres: centres}
}

// at returns the image point of module coordinates (x, y) with the
// local offsets.
func (q *qrGrid) at(x, y float64) (float64, float64) {
	ox, oy := q.offsetAt(x, y)
	x, y = x+ox, y+oy
	p := []float64{x, y}
	q.t.TransformPoints(p)
	return p[0], p[1]
}

// refine looks for each alignment pattern within a module and a half of
// where the transform puts it and records the offset that fits best;
// the finder patterns are anchors with no offset. It reports whether
// any alignment pattern was found.
func (q *qrGrid) refine() bool {
	if len(q.centres) == 0 {
		return false
	}
	d := float64(q.dim)
	q.ax, q.ay, q.ox, q.oy = []float64{3.5, d - 3.5, 3.5}, []float64{3.5, 3.5, d - 3.5}, []float64{0, 0, 0}, []float64{0, 0, 0}
	found := 0
	last := q.centres[len(q.centres)-1]
	first := q.centres[0]
	for _, cy := range q.centres {
		for _, cx := range q.centres {
			if (cx == first && cy == first) || (cx == last && cy == first) || (cx == first && cy == last) {
				continue // under a finder pattern
			}
			bx, by, best := 0.0, 0.0, -1e9
			for dy := -1.5; dy <= 1.5; dy += 0.25 {
				for dx := -1.5; dx <= 1.5; dx += 0.25 {
					if s := q.alignmentScore(float64(cx)+0.5+dx, float64(cy)+0.5+dy); s > best {
						bx, by, best = dx, dy, s
					}
				}
			}
			if best < 20 { // no clear pattern there: no anchor
				continue
			}
			q.ax = append(q.ax, float64(cx)+0.5)
			q.ay = append(q.ay, float64(cy)+0.5)
			q.ox = append(q.ox, bx)
			q.oy = append(q.oy, by)
			found++
		}
	}
	return found > 0
}

// offsetAt is the interpolated offset of the anchors at (x, y).
func (q *qrGrid) offsetAt(x, y float64) (float64, float64) {
	if len(q.ax) == 0 {
		return 0, 0
	}
	var sw, sx, sy float64
	for i := range q.ax {
		dx, dy := x-q.ax[i], y-q.ay[i]
		w := 1 / (dx*dx + dy*dy + 4)
		w *= w
		sw += w
		sx += w * q.ox[i]
		sy += w * q.oy[i]
	}
	return sx / sw, sy / sw
}

// alignmentScore is how much an alignment pattern (a dark module in a
// light ring in a dark ring) centred at module coordinates (x, y) stands
// out: mean grey of the light ring minus that of the dark modules.
func (q *qrGrid) alignmentScore(x, y float64) float64 {
	var dark, light float64
	var nd, nl int
	p := make([]float64, 2)
	for j := -2; j <= 2; j++ {
		for i := -2; i <= 2; i++ {
			p[0], p[1] = x+float64(i), y+float64(j)
			q.t.TransformPoints(p)
			v := bilinear(q.g, p[0]-0.5, p[1]-0.5)
			if max(abs(float64(i)), abs(float64(j))) == 1 {
				light += v
				nl++
			} else {
				dark += v
				nd++
			}
		}
	}
	return light/float64(nl) - dark/float64(nd)
}

// sample fills vals with the grey level at each module's centre; false
// when the grid leaves the image.
func (q *qrGrid) sample(vals []float64) bool {
	g := q.g
	for y := 0; y < q.dim; y++ {
		for x := 0; x < q.dim; x++ {
			px, py := q.at(float64(x)+0.5, float64(y)+0.5)
			px, py = px-0.5, py-0.5 // pixel centres at integers
			if px < -0.5 || py < -0.5 || px > float64(g.w)-0.5 || py > float64(g.h)-0.5 {
				return false
			}
			vals[y*q.dim+x] = bilinear(g, px, py)
		}
	}
	return true
}

// bilinear returns g's grey level at (x, y), pixel centres at integers.
func bilinear(g *gray, x, y float64) float64 {
	x, y = max(0, min(x, float64(g.w-1))), max(0, min(y, float64(g.h-1)))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, g.w-1), min(y0+1, g.h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	a := float64(g.pix[y0*g.w+x0])*(1-fx) + float64(g.pix[y0*g.w+x1])*fx
	b := float64(g.pix[y1*g.w+x0])*(1-fx) + float64(g.pix[y1*g.w+x1])*fx
	return a*(1-fy) + b*fy
}

// thresholdModules turns module grey levels into two bit grids: one
// against the midpoint of the darkest and lightest tenth of all modules
// (even light), one against the mean of the 7×7 modules around each
// (light that changes across the symbol); with, for each grid, every
// module's distance from its threshold as a share of the symbol's
// contrast (0 on the threshold, 1 a full contrast away).
func thresholdModules(vals []float64, dim int) ([]*gozxing.BitMatrix, [][]float64) {
	sorted := append([]float64(nil), vals...)
	sort.Float64s(sorted)
	k := len(sorted) / 10
	var lo, hi float64
	for i := 0; i < k; i++ {
		lo += sorted[i]
		hi += sorted[len(sorted)-1-i]
	}
	mid := (lo + hi) / float64(2*max(1, k))
	contrast := max(1, (hi-lo)/float64(max(1, k)))
	cg, cl := make([]float64, dim*dim), make([]float64, dim*dim)
	global, _ := gozxing.NewSquareBitMatrix(dim)
	local, _ := gozxing.NewSquareBitMatrix(dim)
	sums := make([]float64, (dim+1)*(dim+1))
	for y := 0; y < dim; y++ {
		for x := 0; x < dim; x++ {
			sums[(y+1)*(dim+1)+x+1] = vals[y*dim+x] + sums[y*(dim+1)+x+1] + sums[(y+1)*(dim+1)+x] - sums[y*(dim+1)+x]
		}
	}
	for y := 0; y < dim; y++ {
		for x := 0; x < dim; x++ {
			v := vals[y*dim+x]
			if v < mid {
				global.Set(x, y)
			}
			x0, y0, x1, y1 := max(0, x-3), max(0, y-3), min(dim, x+4), min(dim, y+4)
			s := sums[y1*(dim+1)+x1] - sums[y0*(dim+1)+x1] - sums[y1*(dim+1)+x0] + sums[y0*(dim+1)+x0]
			lt := s / float64((x1-x0)*(y1-y0))
			if v < lt {
				local.Set(x, y)
			}
			cg[y*dim+x] = min(1, abs(v-mid)/contrast)
			cl[y*dim+x] = min(1, abs(v-lt)/contrast)
		}
	}
	return []*gozxing.BitMatrix{global, local}, [][]float64{cg, cl}
}

// sampleSharpest samples the modules as sample does, each block of
// qrBlock×qrBlock modules moved by the shift (up to 0.4 module either way)
// at which its modules' grey levels lie farthest from the midpoint: a
// module sampled at its centre is dark or light, one sampled on its edge
// is grey. The shifts are interpolated between the blocks' centres. This
// follows a label that bends between the grid's anchors. vals holds the
// unmoved sample on entry.
func (q *qrGrid) sampleSharpest(vals []float64) bool {
	dim := q.dim
	sorted := append([]float64(nil), vals...)
	sort.Float64s(sorted)
	k := max(1, len(sorted)/10)
	var lo, hi float64
	for i := range k {
		lo += sorted[i]
		hi += sorted[len(sorted)-1-i]
	}
	mid := (lo + hi) / float64(2*k)
	nb := (dim + qrBlock - 1) / qrBlock
	fx := make([]float64, nb*nb)
	fy := make([]float64, nb*nb)
	g := q.g
	// Each module's centre in the image and the image steps of one
	// module along x and y there (the grid is locally affine).
	type local struct{ cx, cy, ux, uy, vx, vy float64 }
	loc := make([]local, dim*dim)
	for y := range dim {
		for x := range dim {
			mx, my := float64(x)+0.5, float64(y)+0.5
			cx, cy := q.at(mx, my)
			ax, ay := q.at(mx+1, my)
			bx, by := q.at(mx, my+1)
			loc[y*dim+x] = local{cx - 0.5, cy - 0.5, ax - cx, ay - cy, bx - cx, by - cy}
		}
	}
	grey := func(i int, sx, sy float64) (float64, bool) {
		l := &loc[i]
		px, py := l.cx+sx*l.ux+sy*l.vx, l.cy+sx*l.uy+sy*l.vy
		if px < -0.5 || py < -0.5 || px > float64(g.w)-0.5 || py > float64(g.h)-0.5 {
			return 0, false
		}
		return bilinear(g, px, py), true
	}
	for by := range nb {
		for bx := range nb {
			best, bsx, bsy := -1.0, 0.0, 0.0
			for sy := -qrShift; sy <= qrShift+0.001; sy += 0.1 {
				for sx := -qrShift; sx <= qrShift+0.001; sx += 0.1 {
					s := 0.0
					for y := by * qrBlock; y < min(dim, (by+1)*qrBlock); y++ {
						for x := bx * qrBlock; x < min(dim, (bx+1)*qrBlock); x++ {
							v, ok := grey(y*dim+x, sx, sy)
							if !ok {
								return false
							}
							s += abs(v - mid)
						}
					}
					// the unmoved grid wins ties
					s -= 1e-6 * (sx*sx + sy*sy)
					if s > best {
						best, bsx, bsy = s, sx, sy
					}
				}
			}
			fx[by*nb+bx], fy[by*nb+bx] = bsx, bsy
		}
	}
	// Bilinear between block centres.
	field := func(f []float64, x, y float64) float64 {
		u := (x - float64(qrBlock)/2) / float64(qrBlock)
		v := (y - float64(qrBlock)/2) / float64(qrBlock)
		u = max(0, min(u, float64(nb-1)))
		v = max(0, min(v, float64(nb-1)))
		x0, y0 := int(u), int(v)
		x1, y1 := min(x0+1, nb-1), min(y0+1, nb-1)
		a, b := u-float64(x0), v-float64(y0)
		return (f[y0*nb+x0]*(1-a)+f[y0*nb+x1]*a)*(1-b) + (f[y1*nb+x0]*(1-a)+f[y1*nb+x1]*a)*b
	}
	for y := range dim {
		for x := range dim {
			mx, my := float64(x)+0.5, float64(y)+0.5
			v, ok := grey(y*dim+x, field(fx, mx, my), field(fy, mx, my))
			if !ok {
				return false
			}
			vals[y*dim+x] = v
		}
	}
	return true
}

// qrBlock is the side, in modules, of the blocks sampleSharpest moves.
const qrBlock = 5

// qrShift is the largest shift, in modules, sampleSharpest tries.
const qrShift = 0.4

// qrErasures makes resampleQR decode a grid that Reed–Solomon refuses once
// more, with its least sure codewords as erasures (decodeQRErasures).
var qrErasures = true

// qrSharpest makes resampleQR sample the unmoved grids again with each
// block of modules moved to where it looks sharpest (sampleSharpest).
var qrSharpest = true
