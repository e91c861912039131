package scan

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// The QR finder search of findQR, for symbols gozxing's detector does not
// find: at two or three pixels a module, blurred, a finder pattern's
// binarized rings are rarely 1:1:3:1:1 run for run (blur and the
// threshold widen the dark runs at the cost of the light ones), so the
// runs are compared edge to edge, as ZXing-C++ does: the sums of
// neighbouring runs (dark+light, light+dark) go 2:4:4:2 whatever the
// threshold. A candidate on a row is confirmed in its column and on a
// diagonal, its centre refined, and three candidates whose module sizes
// agree and that make a near right-angled, near isosceles triangle are a
// symbol's finder patterns. The grid and the decoding are resampleQR's:
// Reed–Solomon decides, with its spare check codewords.

// qrFind switches the finder search on (tuning and benchmarks switch it
// off to compare).
var qrFind = true

// qrCand is a finder pattern candidate: its centre, module size (pixels)
// and the number of rows that found it.
type qrCand struct {
	x, y, ms float64
	n        int
}

// qrE2E reports whether five runs (dark, light, dark, light, dark) are a
// finder pattern's rings compared edge to edge, and the module size.
func qrE2E(r [5]int) (float64, bool) {
	total := r[0] + r[1] + r[2] + r[3] + r[4]
	if total < 8 {
		return 0, false
	}
	u := float64(total) / 7
	tol := 0.75*u + 0.5
	// the module from edges of one kind (dark to light, light to dark),
	// which a threshold or ink spread does not move: 6 modules apart
	um := float64(r[0]+2*(r[1]+r[2]+r[3])+r[4]) / 12
	want := [4]float64{2, 4, 4, 2}
	for i := range 4 {
		if math.Abs(float64(r[i]+r[i+1])-want[i]*u) > tol {
			return 0, false
		}
	}
	// the core is the widest dark run
	if r[2] < r[0] || r[2] < r[4] {
		return 0, false
	}
	return um, true
}

// binPlane is a binarized image, 1 for dark.
type binPlane struct {
	w, h int
	b    []byte
}

func newBinPlane(m *gozxing.BitMatrix) *binPlane {
	w, h := m.GetWidth(), m.GetHeight()
	p := &binPlane{w: w, h: h, b: make([]byte, w*h)}
	row := gozxing.NewBitArray(w)
	for y := range h {
		row = m.GetRow(y, row)
		words := row.GetBitArray()
		line := p.b[y*w : (y+1)*w]
		for x := range line {
			line[x] = byte(words[x>>5] >> uint(x&31) & 1)
		}
	}
	return p
}

func (p *binPlane) at(x, y int) byte {
	if x < 0 || y < 0 || x >= p.w || y >= p.h {
		return 0
	}
	return p.b[y*p.w+x]
}

// crossRuns measures the five runs through (x, y), which is dark, along
// the step (dx, dy): the core's run both ways, then light, then dark on
// each side; each run at most maxRun steps. It returns the runs and the
// core's centre offset from (x, y) in steps.
func (p *binPlane) crossRuns(x, y, dx, dy, maxRun int) ([5]int, float64, bool) {
	var r [5]int
	count := func(sx, sy, px, py int, want byte) (int, int, int) {
		n := 0
		for p.at(px, py) == want && (px >= 0 && py >= 0 && px < p.w && py < p.h) {
			n++
			if n > maxRun {
				return -1, px, py
			}
			px, py = px+sx, py+sy
		}
		return n, px, py
	}
	// core, backwards and forwards
	back, bx, by := count(-dx, -dy, x, y, 1)
	if back < 0 {
		return r, 0, false
	}
	fwd, fx, fy := count(dx, dy, x+dx, y+dy, 1)
	if fwd < 0 {
		return r, 0, false
	}
	r[2] = back + fwd
	var ok bool
	if r[1], bx, by = count(-dx, -dy, bx, by, 0); r[1] <= 0 {
		return r, 0, ok
	}
	if r[0], _, _ = count(-dx, -dy, bx, by, 1); r[0] <= 0 {
		return r, 0, ok
	}
	if r[3], fx, fy = count(dx, dy, fx, fy, 0); r[3] <= 0 {
		return r, 0, ok
	}
	if r[4], _, _ = count(dx, dy, fx, fy, 1); r[4] <= 0 {
		return r, 0, ok
	}
	// centre of the core relative to (x, y): from -back+1 to +fwd
	return r, float64(fwd-back+1) / 2, true
}

// qrFinderCandidates scans every row of p for finder patterns, confirms
// each in its column and on a diagonal, and merges the ones that are the
// same pattern.
func qrFinderCandidates(p *binPlane, maxCands int) []qrCand {
	var cands []qrCand
	runs := make([]int, 0, 64)
	starts := make([]int, 0, 64)
	for y := 0; y < p.h; y++ {
		line := p.b[y*p.w : (y+1)*p.w]
		runs, starts = runs[:0], starts[:0]
		for x := 0; x < len(line); {
			x0 := x
			for x < len(line) && line[x] == line[x0] {
				x++
			}
			runs = append(runs, x-x0)
			starts = append(starts, x0)
		}
		first := 0
		if len(line) > 0 && line[0] == 0 {
			first = 1 // runs alternate; the first dark run
		}
		for i := first; i+4 < len(runs); i += 2 {
			hr := [5]int{runs[i], runs[i+1], runs[i+2], runs[i+3], runs[i+4]}
			u, ok := qrE2E(hr)
			if !ok {
				continue
			}
			cx := starts[i+2] + runs[i+2]/2
			if c, ok := p.confirm(cx, y, u); ok {
				cands = mergeCand(cands, c)
				if len(cands) > 4*maxCands {
					return topCands(cands, maxCands)
				}
			}
		}
	}
	return topCands(cands, maxCands)
}

// confirm checks a row candidate at (x, y) of module size u in its
// column and on the diagonals, and refines its centre.
func (p *binPlane) confirm(x, y int, u float64) (qrCand, bool) {
	maxRun := int(5*u) + 3
	vr, off, ok := p.crossRuns(x, y, 0, 1, maxRun)
	if !ok {
		return qrCand{}, false
	}
	uv, ok := qrE2E(vr)
	if !ok || uv > 2*u || u > 2*uv {
		return qrCand{}, false
	}
	cy := float64(y) + off
	yi := int(math.Round(cy))
	hr, hoff, ok := p.crossRuns(x, yi, 1, 0, maxRun)
	if !ok {
		return qrCand{}, false
	}
	uh, ok := qrE2E(hr)
	if !ok {
		return qrCand{}, false
	}
	cx := float64(x) + hoff
	xi := int(math.Round(cx))
	diag := 0
	for _, d := range [][2]int{{1, 1}, {1, -1}} {
		if dr, _, ok := p.crossRuns(xi, yi, d[0], d[1], maxRun); ok {
			if ud, ok := qrE2E(dr); ok && ud*1.4142 < 2*uh && uh < 2*ud*1.4142 {
				diag++
			}
		}
	}
	if diag == 0 {
		return qrCand{}, false
	}
	return qrCand{x: cx + 0.5, y: cy + 0.5, ms: (uh + uv) / 2, n: 1}, true
}

// mergeCand adds c to cands, averaged into a candidate within two of
// its modules if there is one.
func mergeCand(cands []qrCand, c qrCand) []qrCand {
	for i := range cands {
		o := &cands[i]
		if math.Abs(o.x-c.x) < 2*o.ms && math.Abs(o.y-c.y) < 2*o.ms {
			n := float64(o.n)
			o.x = (o.x*n + c.x) / (n + 1)
			o.y = (o.y*n + c.y) / (n + 1)
			o.ms = (o.ms*n + c.ms) / (n + 1)
			o.n++
			return cands
		}
	}
	return append(cands, c)
}

// topCands keeps the k candidates seen on the most rows, and none seen
// on one row only: a finder pattern is seven modules tall, so that is
// most likely something else.
func topCands(cands []qrCand, k int) []qrCand {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].n > cands[j].n })
	if len(cands) > k {
		cands = cands[:k]
	}
	for len(cands) > 0 && cands[len(cands)-1].n < 2 {
		cands = cands[:len(cands)-1]
	}
	return cands
}

// qrTriple is three finder candidates as a symbol's corners, with the
// symbol's estimated size in modules.
type qrTriple struct {
	bl, tl, tr *detector.FinderPattern
	dim        int
	score      float64
}

// qrTriples combines the candidates into likely symbols, best first.
func qrTriples(cs []qrCand) []qrTriple {
	var out []qrTriple
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			for k := j + 1; k < len(cs); k++ {
				if t, ok := qrTripleOf(cs[i], cs[j], cs[k]); ok {
					out = append(out, t)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score < out[j].score })
	return out
}

// qrTripleOf judges three candidates as a symbol's finder patterns.
func qrTripleOf(a, b, c qrCand) (qrTriple, bool) {
	ms := []float64{a.ms, b.ms, c.ms}
	// a perspective makes one pattern up to some 2.5 times another
	if max(ms[0], ms[1], ms[2]) > 2.5*min(ms[0], ms[1], ms[2]) {
		return qrTriple{}, false
	}
	// the corner is opposite the longest side
	d := func(p, q qrCand) float64 { return math.Hypot(p.x-q.x, p.y-q.y) }
	ab, bc, ca := d(a, b), d(b, c), d(c, a)
	tl, p, q := c, a, b // tl opposite ab
	if bc >= ab && bc >= ca {
		tl, p, q = a, b, c
	} else if ca >= ab && ca >= bc {
		tl, p, q = b, c, a
	}
	l1, l2 := d(tl, p), d(tl, q)
	if max(l1, l2) > 2*min(l1, l2) {
		return qrTriple{}, false
	}
	cos := ((p.x-tl.x)*(q.x-tl.x) + (p.y-tl.y)*(q.y-tl.y)) / (l1 * l2)
	if math.Abs(cos) > 0.6 {
		return qrTriple{}, false
	}
	m1, m2 := (tl.ms+p.ms)/2, (tl.ms+q.ms)/2
	n := (l1/m1+l2/m2)/2 + 7
	if n < 19 || n > 180 {
		return qrTriple{}, false
	}
	dim := int(math.Round((n-17)/4))*4 + 17
	dim = max(21, dim)
	score := 0.5/float64(min(a.n, b.n, c.n)) + math.Abs(cos) + (max(l1, l2)/min(l1, l2) - 1) + (max(ms[0], ms[1], ms[2])/min(ms[0], ms[1], ms[2]) - 1)
	pt := func(c qrCand) gozxing.ResultPoint { return detector.NewFinderPattern(c.x, c.y, c.ms, c.n) }
	bl, tlp, tr := gozxing.ResultPoint_OrderBestPatterns(pt(tl), pt(p), pt(q))
	return qrTriple{bl: bl.(*detector.FinderPattern), tl: tlp.(*detector.FinderPattern), tr: tr.(*detector.FinderPattern),
		dim: dim, score: score}, true
}

// findQR looks for QR finder patterns in m (v binarized) with the edge to
// edge search and samples the likeliest symbols' grids; true when one
// decoded.
func (r *run) findQR(v *view, m *gozxing.BitMatrix) bool {
	if !qrFind {
		return false
	}
	p := newBinPlane(m)
	cands := qrFinderCandidates(p, 12)
	if len(cands) < 3 {
		return false
	}
	triples := qrTriples(cands)
	budget := qrFindGrids
	gd := detector.NewDetector(m)
	// the sharpest blocks (sampleSharpest) cost the most of a grid and
	// read nothing more here, where the corner was searched already
	r.noSharpest = true
	defer func() { r.noSharpest = false }()
	for ti, t := range triples {
		if ti >= qrFindTriples || r.ctx.Err() != nil {
			break
		}
		for _, sz := range qrDims(v.g, p, t) {
			if budget <= 0 || r.ctx.Err() != nil {
				break
			}
			// each size gets the grids on its corner and the nearest
			// moves of it
			each := min(budget, qrFindEach)
			budget -= each
			ok := r.resampleQRCorner(v, t.bl, t.tl, t.tr, sz.brX, sz.brY, float64(sz.dim)-3.5, sz.dim, &each)
			budget += each
			if ok {
				return true
			}
		}
		// gozxing's own grid: its dimension from the runs between the
		// patterns, and the alignment pattern looked for near where a
		// parallelogram puts it
		if budget > 0 {
			if det, err := gd.ProcessFinderPatternInfo(detector.NewFinderPatternInfo(t.bl, t.tl, t.tr)); err == nil {
				each := min(budget, qrFindEach)
				budget -= each
				ok := r.resampleQRAt(v, det.GetPoints(), det.GetBits().GetWidth(), &each)
				budget += each
				if ok {
					return true
				}
			}
		}
	}
	return false
}

// qrFindTriples and qrFindGrids bound the symbols and the grids findQR
// tries on one image.
const (
	qrFindTriples = 4
	qrFindGrids   = 48
	// qrFindEach is the grids of one size: its corner and the nearest
	// moves of it (resampleQRCorner)
	qrFindEach = 5
)

// qrCorner finds the image point of module (dim-3.5, dim-3.5), the
// corner a perspective moves from where the parallelogram of the three
// finder patterns puts it, within qrCornerReach modules of that guess. A
// perspective changes the spacing of the modules along the top and left
// sides, so the timing patterns there alternate in phase with the grid
// only for the right corner (qrTimingScore); among the corners whose
// timing fits best, the one at which the modules of the symbol's lower
// right quarter are sampled sharpest (farthest from their mean grey: a
// module sampled on its edge is grey) wins. It returns the corner and
// its timing score.
func qrCorner(g *gray, bl, tl, tr gozxing.ResultPoint, dim int, starts [][2]float64) (float64, float64, float64) {
	n := float64(dim) - 7
	mx := [2]float64{(tr.GetX() - tl.GetX()) / n, (tr.GetY() - tl.GetY()) / n}
	my := [2]float64{(bl.GetX() - tl.GetX()) / n, (bl.GetY() - tl.GetY()) / n}
	half := dim / 2
	vals := make([]float64, 0, (dim-half)*(dim-half))
	p := make([]float64, 2)
	sharp := func(t *common.PerspectiveTransform) float64 {
		vals = vals[:0]
		var sum float64
		for j := half; j < dim; j++ {
			for i := half; i < dim; i++ {
				p[0], p[1] = float64(i)+0.5, float64(j)+0.5
				t.TransformPoints(p)
				v := bilinear(g, p[0]-0.5, p[1]-0.5)
				vals = append(vals, v)
				sum += v
			}
		}
		mean := sum / float64(len(vals))
		var s float64
		for _, v := range vals {
			s += math.Abs(v - mean)
		}
		return s / float64(len(vals))
	}
	type cand struct{ x, y, timing, sharp float64 }
	var cs []cand
	at := func(x0, y0, sx, sy float64) cand {
		x := x0 + sx*mx[0] + sy*my[0]
		y := y0 + sx*mx[1] + sy*my[1]
		// the unmoved point wins ties
		return cand{x: x, y: y, timing: qrTimingScore(g, qrTransform(bl, tl, tr, x, y, dim), dim) - 1e-4*(sx*sx+sy*sy)}
	}
	for _, b := range starts {
		for sy := -qrCornerReach; sy <= qrCornerReach; sy += 0.75 {
			for sx := -qrCornerReach; sx <= qrCornerReach; sx += 0.75 {
				cs = append(cs, at(b[0], b[1], sx, sy))
			}
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].timing > cs[j].timing })
	k := 1
	for k < len(cs) && k < 24 && cs[k].timing > cs[0].timing-0.2 {
		k++
	}
	cs = cs[:k]
	for sy := -0.375; sy <= 0.375; sy += 0.375 {
		for sx := -0.375; sx <= 0.375; sx += 0.375 {
			if sx != 0 || sy != 0 {
				cs = append(cs, at(cs[0].x, cs[0].y, sx, sy))
			}
		}
	}
	top := 0.0
	for i := range cs {
		cs[i].sharp = sharp(qrTransform(bl, tl, tr, cs[i].x, cs[i].y, dim))
		top = max(top, cs[i].sharp)
	}
	best := cs[0]
	for _, c := range cs[1:] {
		if c.timing+c.sharp/top > best.timing+best.sharp/top {
			best = c
		}
	}
	return best.x, best.y, best.timing
}

// qrCornerReach is how far, in modules, qrCorner looks for the fourth
// corner from the parallelogram's.
const qrCornerReach = 6.0

// qrTransform maps module coordinates of a dim×dim symbol to the image,
// its finder centres and the fourth corner (module dim-3.5, dim-3.5) at
// (brX, brY).
func qrTransform(bl, tl, tr gozxing.ResultPoint, brX, brY float64, dim int) *common.PerspectiveTransform {
	at := float64(dim) - 3.5
	return common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		3.5, 3.5, at, 3.5, at, at, 3.5, at,
		tl.GetX(), tl.GetY(), tr.GetX(), tr.GetY(), brX, brY, bl.GetX(), bl.GetY())
}

// qrTimingScore is how well the timing patterns (row and column 6, from
// module 8 to dim-9, dark on even modules) of a dim×dim symbol on the
// three finder centres alternate: the correlation of their grey levels,
// sampled on the affine grid of the three centres, with the expected
// pattern (1: perfect, about 0: the wrong size).
func qrTimingScore(g *gray, t *common.PerspectiveTransform, dim int) float64 {
	var total float64
	p := make([]float64, 2)
	vals := make([]float64, 0, dim)
	for _, col := range []bool{false, true} {
		vals = vals[:0]
		var sum float64
		for k := 8; k <= dim-9; k++ {
			p[0], p[1] = float64(k)+0.5, 6.5
			if col {
				p[0], p[1] = p[1], p[0]
			}
			t.TransformPoints(p)
			v := bilinear(g, p[0]-0.5, p[1]-0.5)
			vals = append(vals, v)
			sum += v
		}
		mean := sum / float64(len(vals))
		var c, a float64
		for i, v := range vals {
			d := v - mean
			if i%2 == 0 { // dark
				c -= d
			} else {
				c += d
			}
			a += math.Abs(d)
		}
		if a > 0 {
			total += c / a
		}
	}
	return total / 2
}

// qrDims are the likeliest sizes of the symbol on t: of the sizes within
// three versions of the estimate from the module sizes, the three whose
// timing patterns alternate best, each with its fourth corner.
func qrDims(g *gray, p *binPlane, t qrTriple) []qrSize {
	// the fourth corner is looked for around the parallelogram's and
	// around where the finder patterns' sides meet
	starts := [][2]float64{{t.tr.GetX() - t.tl.GetX() + t.bl.GetX(), t.tr.GetY() - t.tl.GetY() + t.bl.GetY()}}
	if x, y, ok := qrEdgeCorner(p, t); ok {
		starts = append(starts, [2]float64{x, y})
	}
	var cs []qrSize
	for dim := t.dim - 12; dim <= t.dim+12; dim += 4 {
		if dim >= 21 && dim <= 177 {
			x, y, timing := qrCorner(g, t.bl, t.tl, t.tr, dim, starts)
			// as a z-score: a wrong size's timing is about 0 give or
			// take one over the root of the modules sampled
			cs = append(cs, qrSize{dim, x, y, timing * math.Sqrt(float64(2*(dim-15)))})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []qrSize
	for _, c := range cs {
		if len(out) < 3 && c.score > qrMinTiming {
			out = append(out, c)
		}
	}
	return out
}

// qrSize is a symbol size and fourth corner with its timing score.
type qrSize struct {
	dim      int
	brX, brY float64
	score    float64
}

// qrMinTiming is the least timing z-score of a size worth sampling.
const qrMinTiming = 1.0

// qrSideDir is the direction of the sides of the finder pattern centred
// at c that run along the symbol's axis ax (the other axis is ay; both
// are the image steps of one module of the finder patterns' parallelogram,
// only good enough to tell the sides apart). The outline of the
// pattern's outer dark ring is found on rays from the centre; the points
// on the two sides along ax are fitted with one direction. A perspective
// turns the sides of each pattern, so the direction differs from ax: it
// is the image of the symbol's row (or column) through the pattern.
func qrSideDir(p *binPlane, c gozxing.ResultPoint, ax, ay [2]float64, ms float64) ([2]float64, bool) {
	cx, cy := c.GetX()-0.5, c.GetY()-0.5 // pixel centres at integers
	det := ax[0]*ay[1] - ax[1]*ay[0]
	if math.Abs(det) < 1e-9 {
		return [2]float64{}, false
	}
	reach := 8 * ms
	// the points of each side: side +1 and -1 along ay (they run along ax)
	var pts [2][][2]float64
	for k := range 64 {
		a := float64(k) * math.Pi / 32
		dx, dy := math.Cos(a), math.Sin(a)
		changes := 0
		prev := byte(1)
		for t := 0.5; t < reach; t += 0.5 {
			x, y := cx+t*dx, cy+t*dy
			b := p.at(int(math.Round(x)), int(math.Round(y)))
			if b != prev {
				changes++
				prev = b
			}
			if changes == 3 { // core, light ring, dark ring: outside
				// module coordinates of the point in the parallelogram
				ox, oy := t*dx, t*dy
				u := (ox*ay[1] - oy*ay[0]) / det
				v := (ax[0]*oy - ax[1]*ox) / det
				if math.Abs(v) > 1.3*math.Abs(u) && math.Abs(v) > 2.5 && math.Abs(v) < 5.5 {
					side := 0
					if v < 0 {
						side = 1
					}
					pts[side] = append(pts[side], [2]float64{ox, oy})
				}
				break
			}
		}
	}
	// one direction for both sides: the principal axis of each side's
	// points about its own mean, summed
	var sxx, sxy, syy float64
	for _, ps := range pts {
		if len(ps) < 3 {
			return [2]float64{}, false
		}
		var mx, my float64
		for _, q := range ps {
			mx += q[0]
			my += q[1]
		}
		mx /= float64(len(ps))
		my /= float64(len(ps))
		for _, q := range ps {
			sxx += (q[0] - mx) * (q[0] - mx)
			sxy += (q[0] - mx) * (q[1] - my)
			syy += (q[1] - my) * (q[1] - my)
		}
	}
	if qrSideDebug != nil {
		qrSideDebug(cx, cy, pts)
	}
	th := 0.5 * math.Atan2(2*sxy, sxx-syy)
	d := [2]float64{math.Cos(th), math.Sin(th)}
	if d[0]*ax[0]+d[1]*ax[1] < 0 {
		d = [2]float64{-d[0], -d[1]}
	}
	// it must stay near ax: a side found wrong points anywhere
	n := math.Hypot(ax[0], ax[1])
	if (d[0]*ax[0]+d[1]*ax[1])/n < 0.8 {
		return [2]float64{}, false
	}
	return d, true
}

// qrEdgeCorner estimates the fourth corner of the symbol on t, the image
// of module (dim-3.5, dim-3.5) whatever dim: under a perspective the
// symbol's last column is a straight line through the top right finder
// pattern, along that pattern's sides, and its last row one through the
// bottom left pattern; the corner is where they meet.
func qrEdgeCorner(p *binPlane, t qrTriple) (float64, float64, bool) {
	ax := [2]float64{t.tr.GetX() - t.tl.GetX(), t.tr.GetY() - t.tl.GetY()}
	ay := [2]float64{t.bl.GetX() - t.tl.GetX(), t.bl.GetY() - t.tl.GetY()}
	n := float64(t.dim - 7)
	ax[0], ax[1], ay[0], ay[1] = ax[0]/n, ax[1]/n, ay[0]/n, ay[1]/n
	dc, ok := qrSideDir(p, t.tr, ay, ax, t.tr.GetEstimatedModuleSize())
	if !ok {
		return 0, 0, false
	}
	dr, ok := qrSideDir(p, t.bl, ax, ay, t.bl.GetEstimatedModuleSize())
	if !ok {
		return 0, 0, false
	}
	// tr + s*dc = bl + u*dr
	den := dc[0]*dr[1] - dc[1]*dr[0]
	if math.Abs(den) < 0.2 {
		return 0, 0, false
	}
	wx, wy := t.bl.GetX()-t.tr.GetX(), t.bl.GetY()-t.tr.GetY()
	s := (wx*dr[1] - wy*dr[0]) / den
	x, y := t.tr.GetX()+s*dc[0], t.tr.GetY()+s*dc[1]
	// no further from the parallelogram's corner than half the side
	bx, by := t.tr.GetX()-t.tl.GetX()+t.bl.GetX(), t.tr.GetY()-t.tl.GetY()+t.bl.GetY()
	if s <= 0 || math.Hypot(x-bx, y-by) > 0.5*math.Hypot(t.tr.GetX()-t.tl.GetX(), t.tr.GetY()-t.tl.GetY()) {
		return 0, 0, false
	}
	return x, y, true
}

var qrSideDebug func(cx, cy float64, pts [2][][2]float64)
