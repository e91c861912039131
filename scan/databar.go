package scan

import (
	"context"
	"math"
	"slices"
	"sort"

	"github.com/makiuchi-d/gozxing"
)

// GS1 DataBar Omnidirectional, Stacked and Stacked Omnidirectional read
// from grey profiles (ISO/IEC 24724). gozxing's RSS-14 reader binarizes a
// line and rounds each element to whole modules; on photos where the
// print's bars came out thinner or fatter than nominal (ink spread, or a
// camera's sharpening), half a module is lost or gained on every bar and
// the rounding goes wrong, and stacked symbols seen at a slant give it
// short, noisy lines. Here:
//
//   - the bars' direction is measured (gradient orientations), and each
//     scan line runs across the bars, every sample averaged along them;
//   - elements are found as the profile's extrema (a thin bar that never
//     reaches black is still a minimum), and each element's width is its
//     share of ink (a bar) or paper (a space) between the centres of its
//     neighbours: blur moves grey from one element into the next, but
//     does not change the sum;
//   - a half symbol (outside character, finder, inside character: 21
//     elements, 46 modules) is fitted as a whole: for one bar-width
//     offset shared by its 21 elements (ink spread), every finder and every
//     valid character is compared with the widths by least squares, and
//     the best offset is kept;
//   - a symbol is a left half and a right half, each read on two lines at
//     least apart, whose checksums agree (mod 79) with the finder values,
//     that lie where one symbol's halves can lie (side by side, or one
//     row above the other), and no other pair of halves around them
//     passes too.
//
// A linear symbol gives both halves on one line; a stacked one gives the
// left half on the top row's lines and the right half on the bottom
// row's, so one method reads all three.

// dbChar is one data character: its element widths in modules, listed
// from the side away from its finder toward it (odd0 even0 … odd3 even3),
// its value, and its checksum portion.
type dbChar struct {
	w     [8]float64
	sumSq float64 // Σ w²
	value int
	check int
}

// dbOutside and dbInside are every valid outside (16 modules, 2841
// values) and inside (15 modules, 1597 values) character.
var dbOutside, dbInside = dbCharTables()

// dbFinders are the finder patterns' five elements, from the outside
// character's side (ISO/IEC 24724 Table 4).
var dbFinders = [9][5]float64{
	{3, 8, 2, 1, 1}, {3, 5, 5, 1, 1}, {3, 3, 7, 1, 1}, {3, 1, 9, 1, 1}, {2, 7, 4, 1, 1},
	{2, 5, 6, 1, 1}, {2, 3, 8, 1, 1}, {1, 5, 7, 1, 1}, {1, 3, 9, 1, 1},
}

// dbCombins is n choose r.
func dbCombins(n, r int) int {
	maxDenom, minDenom := n-r, r
	if n-r <= r {
		maxDenom, minDenom = r, n-r
	}
	val, j := 1, 1
	for i := n; i > maxDenom; i-- {
		val *= i
		if j <= minDenom {
			val /= j
			j++
		}
	}
	for ; j <= minDenom; j++ {
		val /= j
	}
	return val
}

// dbWidths returns the widths of the elements-element group of value val,
// n modules in all, none wider than maxWidth (noNarrow: the group may not
// be all narrow elements); ISO/IEC 24724 Annex B.
func dbWidths(val, n, elements, maxWidth int, noNarrow bool) []int {
	widths := make([]int, elements)
	narrowMask := 0
	for bar := 0; bar < elements-1; bar++ {
		narrowMask |= 1 << bar
		elmWidth := 1
		var subVal int
		for {
			subVal = dbCombins(n-elmWidth-1, elements-bar-2)
			if noNarrow && narrowMask == 0 && n-elmWidth-(elements-bar-1) >= elements-bar-1 {
				subVal -= dbCombins(n-elmWidth-(elements-bar), elements-bar-2)
			}
			if elements-bar-1 > 1 {
				lessVal := 0
				for mxw := n - elmWidth - (elements - bar - 2); mxw > maxWidth; mxw-- {
					lessVal += dbCombins(n-elmWidth-mxw-1, elements-bar-3)
				}
				subVal -= lessVal * (elements - 1 - bar)
			} else if n-elmWidth > maxWidth {
				subVal--
			}
			val -= subVal
			if val < 0 {
				break
			}
			elmWidth++
			narrowMask &^= 1 << bar
		}
		val += subVal
		n -= elmWidth
		widths[bar] = elmWidth
	}
	widths[elements-1] = n
	return widths
}

// dbCharTables enumerates the outside and inside characters.
func dbCharTables() ([]dbChar, []dbChar) {
	var (
		outsideEvenTotal = []int{1, 10, 34, 70, 126}
		insideOddTotal   = []int{4, 20, 48, 81}
		outsideGSum      = []int{0, 161, 961, 2015, 2715, 2841}
		insideGSum       = []int{0, 336, 1036, 1516, 1597}
		outsideOddWidest = []int{8, 6, 4, 3, 1}
		insideOddWidest  = []int{2, 4, 6, 8}
	)
	mk := func(odd, even []int, v int) dbChar {
		c := dbChar{value: v}
		op, ep := 0, 0
		for i := 3; i >= 0; i-- {
			op = op*9 + odd[i]
			ep = ep*9 + even[i]
		}
		c.check = op + 3*ep
		for i := range 4 {
			c.w[2*i], c.w[2*i+1] = float64(odd[i]), float64(even[i])
		}
		for _, x := range c.w {
			c.sumSq += x * x
		}
		return c
	}
	var out, in []dbChar
	for g := range 5 {
		for v := outsideGSum[g]; v < outsideGSum[g+1]; v++ {
			r := v - outsideGSum[g]
			oddSum := 12 - 2*g
			w := outsideOddWidest[g]
			odd := dbWidths(r/outsideEvenTotal[g], oddSum, 4, w, false)
			even := dbWidths(r%outsideEvenTotal[g], 16-oddSum, 4, 9-w, true)
			out = append(out, mk(odd, even, v))
		}
	}
	for g := range 4 {
		for v := insideGSum[g]; v < insideGSum[g+1]; v++ {
			r := v - insideGSum[g]
			evenSum := 10 - 2*g
			w := insideOddWidest[g]
			odd := dbWidths(r%insideOddTotal[g], 15-evenSum, 4, w, true)
			even := dbWidths(r/insideOddTotal[g], evenSum, 4, 9-w, false)
			in = append(in, mk(odd, even, v))
		}
	}
	return out, in
}

// dbElem is one element of a scan line: its centre and width in pixels
// along the line, and whether it is a bar.
type dbElem struct {
	at, w float64
	bar   bool
}

// dbElements finds the elements of profile p (samples step pixels apart):
// bars at its minima and spaces at its maxima (alternating, each at least
// minProm grey levels past its neighbours), each as wide as its ink
// (bars) or paper (spaces) between the centres of the elements on its
// sides, the ink measured against the white and black levels around it.
func dbElements(p []float32, step float64, out []dbElem) []dbElem {
	out = out[:0]
	n := len(p)
	if n < 8 {
		return out
	}
	lo, hi := float32(255), float32(0)
	for _, v := range p {
		lo, hi = min(lo, v), max(hi, v)
	}
	minProm := max(6, 0.08*(hi-lo))
	// Alternating extrema with hysteresis.
	type ext struct {
		i   int
		v   float32
		max bool
	}
	var ex []ext
	state := 0 // 1: after a minimum, looking for a maximum; -1: the reverse
	hiI, loI := 0, 0
	for i := 1; i < n; i++ {
		v := p[i]
		if state >= 0 && v > p[hiI] {
			hiI = i
		}
		if state <= 0 && v < p[loI] {
			loI = i
		}
		switch {
		case state >= 0 && p[hiI]-v >= minProm:
			ex = append(ex, ext{hiI, p[hiI], true})
			state, loI = -1, i
		case state <= 0 && v-p[loI] >= minProm:
			ex = append(ex, ext{loI, p[loI], false})
			state, hiI = 1, i
		}
	}
	// The last element before the quiet zone (or the line's end) counts
	// when the line comes back by the prominence.
	if state == 1 && len(ex) > 0 && p[hiI]-ex[len(ex)-1].v >= minProm {
		ex = append(ex, ext{hiI, p[hiI], true})
	} else if state == -1 && len(ex) > 0 && ex[len(ex)-1].v-p[loI] >= minProm {
		ex = append(ex, ext{loI, p[loI], false})
	}
	if len(ex) < 4 {
		return out
	}
	// Centre each extremum in its plateau (within a third of the
	// prominence of its value).
	for k := range ex {
		e := &ex[k]
		tol := minProm / 3
		a, b := e.i, e.i
		for a > 0 && abs(float64(p[a-1]-e.v)) <= float64(tol) && (k == 0 || a-1 > ex[k-1].i) {
			a--
		}
		for b < n-1 && abs(float64(p[b+1]-e.v)) <= float64(tol) && (k == len(ex)-1 || b+1 < ex[k+1].i) {
			b++
		}
		e.i = (a + b) / 2
	}
	// Local white and black levels: the highest maximum and the lowest
	// minimum among the nine extrema around each.
	white := make([]float32, len(ex))
	black := make([]float32, len(ex))
	for k := range ex {
		w, b := float32(0), float32(255)
		for j := max(0, k-4); j <= min(len(ex)-1, k+4); j++ {
			if ex[j].max {
				w = max(w, ex[j].v)
			} else {
				b = min(b, ex[j].v)
			}
		}
		white[k], black[k] = w, b
	}
	// ink(k) is the darkness integrated from extremum k to k+1, in
	// pixels, against the levels of the pair.
	ink := func(k int) float64 {
		w := float64(max(white[k], white[k+1]))
		b := float64(min(black[k], black[k+1]))
		if w-b < 1 {
			return 0
		}
		s := 0.0
		for i := ex[k].i; i < ex[k+1].i; i++ {
			d := (w - float64(p[i]+p[i+1])/2) / (w - b)
			s += min(1, max(0, d))
		}
		return s * step
	}
	inks := make([]float64, len(ex)-1)
	for k := range inks {
		inks[k] = ink(k)
	}
	// Element k (extremum k, 1 ≤ k < len-1) spans from extremum k-1 to
	// k+1: its ink (bar) or paper (space) there.
	for k := 1; k < len(ex)-1; k++ {
		d := inks[k-1] + inks[k]
		span := float64(ex[k+1].i-ex[k-1].i) * step
		e := dbElem{at: float64(ex[k].i) * step, bar: !ex[k].max}
		if e.bar {
			e.w = d
		} else {
			e.w = span - d
		}
		out = append(out, e)
	}
	return out
}

// dbHalf is a half symbol read on one line: the outside character, the
// finder and the inside character, and where it is.
type dbHalf struct {
	left   bool // the symbol's left half (finder's wide element a bar)
	value  int  // 1597 × outside + inside
	check  int  // outside checksum + 4 × inside checksum
	finder int
	cost   float64 // mean squared error per element, in modules²
	margin float64 // the closest other reading's extra cost, in modules²
	module float64 // pixels
	// x, y is the half's centre in the view; line is the scan line.
	x, y float64
	line int
}

// dbFit fits the 21 element widths m (pixels, from the outside end of
// the half) as a half symbol; bar0 tells whether m[0] is a bar. It
// returns the best reading, its margin over the closest other character
// or finder, and false when nothing fits.
//
// Each element is modelled as s·w + δ·c: s the module (each character's
// own, from its sum, where ink spread cancels: four bars, four spaces),
// w the element's modules, c +1 for a bar and −1 for a space, δ the ink
// spread shared by the half, searched over ±half a module. A
// character's misfit is A − 2δ(R − W) + 8δ² (in modules²), where A is
// its misfit at δ = 0, R the measured bars' excess over the spaces and
// W the pattern's: W depends only on the character's group, so the
// search over δ needs only each group's best character.
func dbFit(m []float64, bar0 bool) (dbHalf, bool) {
	if len(m) != 21 {
		return dbHalf{}, false
	}
	var col [21]float64
	for i := range col {
		if (i%2 == 0) == bar0 {
			col[i] = 1
		} else {
			col[i] = -1
		}
	}
	so, si := 0.0, 0.0
	for i := range 8 {
		so += m[i]
		si += m[13+i]
	}
	so /= 16
	si /= 15
	if so <= 0 || si <= 0 || so > 1.4*si || si > 1.4*so {
		return dbHalf{}, false
	}
	sf := (so + si) / 2
	// The finder first (cheap): its best pattern and δ.
	finderCost := func(k int, delta float64) float64 {
		c := 0.0
		for i := range 5 {
			d := (m[8+i]-delta*sf*col[8+i])/sf - dbFinders[k][i]
			c += d * d
		}
		return c
	}
	fBest := math.Inf(1)
	for k := range dbFinders {
		for step := -10; step <= 10; step += 2 {
			fBest = min(fBest, finderCost(k, float64(step)*0.05))
		}
	}
	if fBest > 5*dbMaxCost*3 {
		return dbHalf{}, false
	}
	var outM, outC, inM, inC [8]float64
	for i := range 8 {
		outM[i], outC[i] = m[i]/so, col[i]
		inM[i], inC[i] = m[20-i]/si, col[20-i] // from the far side toward the finder
	}
	o := dbGroupFits(dbOutside, &outM, &outC)
	in := dbGroupFits(dbInside, &inM, &inC)
	bestTotal := math.Inf(1)
	var bo, bi dbPick
	bf, bfMargin := -1, 0.0
	for step := -10; step <= 10; step++ {
		delta := float64(step) * 0.05
		po := o.at(delta)
		pi := in.at(delta)
		f, fs, fc := -1, math.Inf(1), math.Inf(1)
		for k := range dbFinders {
			c := finderCost(k, delta)
			if c < fc {
				fs, fc, f = fc, c, k
			} else if c < fs {
				fs = c
			}
		}
		if t := po.cost + pi.cost + fc; t < bestTotal {
			bestTotal, bo, bi, bf, bfMargin = t, po, pi, f, fs-fc
		}
	}
	oc, ic := &dbOutside[bo.idx], &dbInside[bi.idx]
	return dbHalf{
		left:   !bar0,
		value:  1597*oc.value + ic.value,
		check:  oc.check + 4*ic.check,
		finder: bf,
		cost:   bestTotal / 21,
		margin: min(bo.margin, bi.margin, bfMargin),
		module: (so + si) / 2,
	}, true
}

// dbPick is a character chosen at one δ, with its margin over the next.
type dbPick struct {
	idx          int
	cost, margin float64
}

// dbGroupFit holds, for each group of characters sharing their bars'
// excess over their spaces (W), the two best misfits at δ = 0.
type dbGroupFit struct {
	r    float64 // measured bars' excess over the spaces, modules
	n    int
	w    [8]float64
	best [8]float64
	idx  [8]int
	next [8]float64
}

// dbGroupFits measures every character of tab against widths mm
// (modules) of colours cc.
func dbGroupFits(tab []dbChar, mm, cc *[8]float64) *dbGroupFit {
	f := &dbGroupFit{}
	for i := range 8 {
		f.r += cc[i] * mm[i]
	}
	for k := range tab {
		c := &tab[k]
		a, w := 0.0, 0.0
		for i := range 8 {
			d := mm[i] - c.w[i]
			a += d * d
			w += cc[i] * c.w[i]
		}
		g := 0
		for g < f.n && f.w[g] != w {
			g++
		}
		if g == f.n {
			f.w[g], f.best[g], f.next[g], f.idx[g] = w, math.Inf(1), math.Inf(1), -1
			f.n++
		}
		if a < f.best[g] {
			f.next[g], f.best[g], f.idx[g] = f.best[g], a, k
		} else if a < f.next[g] {
			f.next[g] = a
		}
	}
	return f
}

// at returns the best character at ink spread delta (modules) and its
// margin over the next best.
func (f *dbGroupFit) at(delta float64) dbPick {
	p := dbPick{idx: -1, cost: math.Inf(1)}
	second := math.Inf(1)
	for g := range f.n {
		shift := -2*delta*(f.r-f.w[g]) + 8*delta*delta
		c, n := f.best[g]+shift, f.next[g]+shift
		if c < p.cost {
			second = min(p.cost, n)
			p.cost, p.idx = c, f.idx[g]
		} else {
			second = min(second, c)
		}
	}
	p.margin = second - p.cost
	return p
}

// dbLineHalves finds the half symbols on one line's elements, in both
// directions.
func dbLineHalves(el []dbElem, halves []dbHalf) []dbHalf {
	var m [21]float64
	for dir := range 2 {
		n := len(el)
		get := func(i int) dbElem {
			if dir == 1 {
				return el[n-1-i]
			}
			return el[i]
		}
		for i := 0; i+21 <= n; i++ {
			// The finder: elements i+8 … i+12, (a, b, c, 1, 1) with
			// a+b+c = 13 of 15 modules; the characters either side
			// about 16 and 15 modules.
			f := 0.0
			for k := 8; k < 13; k++ {
				f += get(i + k).w
			}
			if f <= 0 {
				continue
			}
			u := f / 15
			last := (get(i+11).w + get(i+12).w) / u
			if last < 1.2 || last > 3.2 {
				continue
			}
			b, c := get(i+9).w/u, get(i+10).w/u
			if b+c < 7.5 || b+c > 13 {
				continue
			}
			so, si := 0.0, 0.0
			for k := range 8 {
				so += get(i + k).w
				si += get(i + 13 + k).w
			}
			if so < 16*u*0.75 || so > 16*u*1.3 || si < 15*u*0.75 || si > 15*u*1.3 {
				continue
			}
			for k := range 21 {
				m[k] = get(i + k).w
			}
			h, ok := dbFit(m[:], get(i).bar)
			if !ok {
				continue
			}
			a, z := get(i), get(i+20)
			h.x = (a.at + z.at) / 2 // along the line; the caller maps it
			halves = append(halves, h)
		}
	}
	return halves
}

// dbBarAngles returns the directions (radians, in [0, π)) of the
// gradients across the strongest sets of parallel edges of g: the
// normals of bars.
func dbBarAngles(g *gray) []float64 {
	const bins = 180
	var hist [bins]float64
	w, h := g.w, g.h
	// Every other pixel of every other row is plenty for a histogram.
	for y := 1; y < h-1; y += 2 {
		row := g.pix[y*w:]
		up, dn := g.pix[(y-1)*w:], g.pix[(y+1)*w:]
		for x := 1; x < w-1; x += 2 {
			gx := float64(int(row[x+1]) - int(row[x-1]))
			gy := float64(int(dn[x]) - int(up[x]))
			m := gx*gx + gy*gy
			if m < 400 {
				continue
			}
			a := math.Atan2(gy, gx)
			if a < 0 {
				a += math.Pi
			}
			k := int(a / math.Pi * bins)
			if k >= bins {
				k = bins - 1
			}
			hist[k] += math.Sqrt(m)
		}
	}
	var sm [bins]float64
	for k := range bins {
		for d := -2; d <= 2; d++ {
			sm[k] += hist[(k+d+bins)%bins]
		}
	}
	type peak struct {
		k int
		v float64
	}
	var peaks []peak
	for k := range bins {
		v := sm[k]
		if v > 0 && v >= sm[(k+1)%bins] && v > sm[(k+bins-1)%bins] {
			peaks = append(peaks, peak{k, v})
		}
	}
	sort.Slice(peaks, func(a, b int) bool { return peaks[a].v > peaks[b].v })
	var out []float64
	for _, p := range peaks {
		if len(out) == 3 || p.v < 0.35*peaks[0].v {
			break
		}
		// Refine: the centroid of the bins around the peak.
		s, sw := 0.0, 0.0
		for d := -3; d <= 3; d++ {
			v := hist[(p.k+d+bins)%bins]
			s += v * float64(d)
			sw += v
		}
		a := (float64(p.k) + 0.5 + s/sw) / bins * math.Pi
		far := true
		for _, o := range out {
			d := math.Abs(a - o)
			if d > math.Pi/2 {
				d = math.Pi - d
			}
			if d < 10*math.Pi/180 {
				far = false
			}
		}
		if far {
			out = append(out, a)
		}
	}
	return out
}

// inside is g's luminance at (x, y) (bilinear), or -1 outside.
func (g *gray) inside(x, y float64) float32 {
	if x < 0 || y < 0 || x > float64(g.w-1) || y > float64(g.h-1) {
		return -1
	}
	return float32(bilinear(g, x, y))
}

// dbLine samples g along the line through c with direction n (unit),
// every step pixels, each sample the mean of 2·band+1 samples a pixel
// apart along bar direction b; the samples inside the image, with the
// position along n of the first.
func dbLine(g *gray, cx, cy, nx, ny, bx, by float64, reach, step float64, band int, out []float32) ([]float32, float64) {
	out = out[:0]
	start := math.NaN()
	for u := -reach; u <= reach; u += step {
		x, y := cx+u*nx, cy+u*ny
		s := float32(0)
		ok := true
		for k := -band; k <= band; k++ {
			v := g.inside(x+float64(k)*bx, y+float64(k)*by)
			if v < 0 {
				ok = false
				break
			}
			s += v
		}
		if !ok {
			if len(out) > 0 {
				break
			}
			continue
		}
		if len(out) == 0 {
			start = u
		}
		out = append(out, s/float32(2*band+1))
	}
	return out, start
}

// dbScan holds the half symbols found on the lines of one image.
type dbScan struct {
	halves []dbHalf
	lines  int
}

// dbScanAngle reads the lines across bars of normal angle theta, spaced
// gap pixels apart, each sample averaged over 2·band+1 pixels along the
// bars; tilt turns the lines from the bars' normal (a sheared symbol's
// rows are not square to its bars). It stops when ctx is done.
func dbScanAngle(ctx context.Context, g *gray, theta, tilt, gap, step float64, band int, sc *dbScan) {
	bx, by := -math.Sin(theta), math.Cos(theta) // along the bars
	nx, ny := math.Cos(theta+tilt), math.Sin(theta+tilt)
	cx, cy := float64(g.w-1)/2, float64(g.h-1)/2
	reach := math.Hypot(float64(g.w), float64(g.h)) / 2
	var prof []float32
	var el []dbElem
	line := 0
	for t := -reach; t <= reach && ctx.Err() == nil; t += gap {
		line++
		ox, oy := cx+t*bx, cy+t*by
		var start float64
		prof, start = dbLine(g, ox, oy, nx, ny, bx, by, reach, step, band, prof)
		if len(prof) < 40 {
			continue
		}
		sc.lines++
		el = dbElements(prof, step, el)
		n0 := len(sc.halves)
		sc.halves = dbLineHalves(el, sc.halves)
		for k := n0; k < len(sc.halves); k++ {
			h := &sc.halves[k]
			u := start + h.x
			h.x, h.y = ox+u*nx, oy+u*ny
			h.line = line
		}
	}
}

// Acceptance of DataBar reads (set on generated symbols and the tune
// half; see TestDataBar*).
const (
	// dbMaxCost is the largest mean squared misfit per element, in
	// modules², of a half that counts.
	dbMaxCost = 0.07
	// dbMinMargin is the least extra cost, in modules² over the whole
	// half, of the closest other character or finder.
	dbMinMargin = 0.25
)

// dbGroup is one reading of a half seen on several lines.
type dbGroup struct {
	h       dbHalf // the first
	lines   []int
	x, y    float64 // mean centre
	module  float64 // mean module
	support int     // lines at least the band apart
}

// dbGroups gathers the halves that fit well by reading.
func dbGroups(halves []dbHalf, minSep int) []*dbGroup {
	type key struct {
		left                 bool
		value, finder, check int
	}
	by := map[key]*dbGroup{}
	var out []*dbGroup
	for _, h := range halves {
		if h.cost > dbMaxCost || h.margin < dbMinMargin {
			continue
		}
		k := key{h.left, h.value, h.finder, h.check}
		g := by[k]
		if g == nil {
			g = &dbGroup{h: h}
			by[k] = g
			out = append(out, g)
		}
		n := float64(len(g.lines))
		g.x = (g.x*n + h.x) / (n + 1)
		g.y = (g.y*n + h.y) / (n + 1)
		g.module = (g.module*n + h.module) / (n + 1)
		g.lines = append(g.lines, h.line)
	}
	for _, g := range out {
		sort.Ints(g.lines)
		last := 0
		for i, l := range g.lines {
			if i == 0 || l-last >= minSep {
				g.support++
				last = l
			}
		}
	}
	return out
}

// dbChecksumOK tells whether a left and a right half make a symbol: the
// checksum of the four characters mod 79 names the two finders.
func dbChecksumOK(l, r dbHalf) bool {
	want := 9*l.finder + r.finder
	if want > 72 {
		want--
	}
	if want > 8 {
		want--
	}
	return (l.check+16*r.check)%79 == want
}

// dbText is the GTIN-14 of a symbol's halves (the check digit is not
// encoded), "" when the value is out of range.
func dbText(l, r dbHalf) string {
	v := int64(4537077)*int64(l.value) + int64(r.value)
	if v >= 1e13 {
		return ""
	}
	var b [14]byte
	for i := 12; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	sum := 0
	for i := range 13 {
		d := int(b[i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	b[13] = byte('0' + (10-sum%10)%10)
	return string(b[:])
}

// dbPlaced tells whether halves l and r lie where one symbol's halves
// lie, for bars of normal angle theta and modules of m pixels: side by
// side on one line (linear: read together on a line, their centres about
// 46 modules apart across the bars), or one row above the other (stacked:
// their centres in line along the bars, 3 to 60 modules apart). Halves of
// two symbols printed side by side (the top row of one, the bottom row of
// the other) are neither. stacked tells which.
func dbPlaced(l, r *dbGroup, theta, m float64) (placed, stacked bool) {
	dx, dy := r.x-l.x, r.y-l.y
	across := math.Abs(dx*math.Cos(theta)+dy*math.Sin(theta)) / m
	along := math.Abs(-dx*math.Sin(theta)+dy*math.Cos(theta)) / m
	if across <= 8 && along >= 3 && along <= 60 {
		return true, true
	}
	if across < 36 || across > 58 {
		return false, false
	}
	for _, a := range l.lines {
		if slices.Contains(r.lines, a) {
			return true, false
		}
	}
	return false, false
}

// dbSeparated tells whether the rows of a stacked pair (left half l on
// one row, right half r on the other) are joined as a Stacked symbol's
// rows are: by a separator, one or three modules mostly the rows'
// complement, so that every line between them crosses ink. Two linear
// symbols one above the other, shifted half a symbol so that the left
// half of one sits over the right half of the other, have paper between
// them; with their outer halves unread, their halves would otherwise
// pass for one symbol whenever the checksum happens to agree (one time
// in 79). Lines 30 modules long, centred on the path from one half's
// centre to the other's, turned from the bars' normal by up to ±0.3 rad
// (the rows' direction is not measured: the deepest dip is kept), are
// measured for their mean ink against the rows' white and black; the
// pair passes when no line between has less than dbSepInk of the rows'
// own ink.
func dbSeparated(g *gray, l, r *dbGroup, theta, tilt, m float64) bool {
	dx, dy := r.x-l.x, r.y-l.y
	dist := math.Hypot(dx, dy)
	if dist < 1 {
		return false
	}
	span := 15 * m
	var prof []float64
	line := func(cx, cy, a float64) []float64 {
		nx, ny := math.Cos(a), math.Sin(a)
		prof = prof[:0]
		for u := -span; u <= span; u++ {
			if v := g.inside(cx+u*nx, cy+u*ny); v >= 0 {
				prof = append(prof, float64(v))
			}
		}
		if float64(len(prof)) < span {
			return nil // less than half the line in the image
		}
		return prof
	}
	// The rows' white and black: the 5th and 95th percentiles of the
	// lines through the halves' centres.
	var both []float64
	for _, c := range []*dbGroup{l, r} {
		p := line(c.x, c.y, theta+tilt)
		if p == nil {
			return false
		}
		both = append(both, p...)
	}
	slices.Sort(both)
	black, white := both[len(both)/20], both[len(both)-1-len(both)/20]
	if white-black < 10 {
		return false
	}
	ink := func(p []float64) float64 {
		s := 0.0
		for _, v := range p {
			s += min(1, max(0, (white-v)/(white-black)))
		}
		return s / float64(len(p))
	}
	rowInk := math.Inf(1)
	for _, c := range []*dbGroup{l, r} {
		rowInk = min(rowInk, ink(line(c.x, c.y, theta+tilt)))
	}
	least := math.Inf(1)
	for a := -0.3; a <= 0.3001; a += 0.025 {
		for s := 0.0; s <= dist; s++ {
			p := line(l.x+dx*s/dist, l.y+dy*s/dist, theta+a)
			if p == nil {
				return false
			}
			least = min(least, ink(p))
		}
	}
	return least >= dbSepInk*rowInk
}

// dbSepInk is the least ink of a line between a stacked pair's rows, as a
// share of the rows' own. On generated symbols (seeds 1–3, 150 each) the
// Stacked and Stacked Omnidirectional ones read give at least 0.27 (the
// fixture's separator is sparser than the standard's); the staggered
// linear pairs of TestDataBarStaggeredLinearPair at most 0.08.
const dbSepInk = 0.15

// dbRead is a symbol read: its text and its halves' centres.
type dbRead struct {
	text string
	l, r *dbGroup
}

// dbCombine returns the symbol the halves make: a left and a right
// reading, each on two lines at least minSep apart, whose checksum
// agrees, placed as one symbol's halves are (side by side on a line or
// one row above the other: dbPlaced; one row above the other only with a
// separator's ink between the rows: dbSeparated, on the lines of tilt
// tilt), with modules of about one size. When two different symbols pass, or another reading of either half sits in the
// same place with as much support, nothing is returned.
func dbCombine(g *gray, halves []dbHalf, minSep int, theta, tilt float64) (dbRead, bool) {
	gs := dbGroups(halves, minSep)
	var found []dbRead
	for _, l := range gs {
		if !l.h.left || l.support < 2 {
			continue
		}
		for _, r := range gs {
			if r.h.left || r.support < 2 || !dbChecksumOK(l.h, r.h) {
				continue
			}
			m := (l.module + r.module) / 2
			if l.module > 1.3*r.module || r.module > 1.3*l.module {
				continue
			}
			placed, stacked := dbPlaced(l, r, theta, m)
			if !placed || stacked && !dbSeparated(g, l, r, theta, tilt, m) {
				continue
			}
			t := dbText(l.h, r.h)
			if t == "" {
				continue
			}
			found = append(found, dbRead{t, l, r})
		}
	}
	if len(found) == 0 {
		return dbRead{}, false
	}
	for _, f := range found[1:] {
		if f.text != found[0].text {
			return dbRead{}, false
		}
	}
	best := found[0]
	for _, g := range gs {
		for _, own := range []*dbGroup{best.l, best.r} {
			if g == own || g.h.left != own.h.left || g.h.value == own.h.value || g.support < 2 {
				continue
			}
			if math.Hypot(g.x-own.x, g.y-own.y) < 10*own.module && 2*g.support >= own.support {
				return dbRead{}, false
			}
		}
	}
	return best, true
}

// readDataBar scans g for GS1 DataBar symbols across the bars of each
// dominant edge direction. A sparse scan first looks for anything like a
// half symbol; only then are the lines scanned densely, square to the
// bars and then turned from them (the rows of a sheared stacked symbol
// are not square to its bars, and a short row is left by a line that
// crosses it at a slant).
func readDataBar(ctx context.Context, g *gray) (dbRead, bool) {
	const gap, band = 2, 2
	// Lines closer than the band share pixels: not independent.
	minSep := (2*band + 1 + gap - 1) / gap
	for _, a := range dbBarAngles(g) {
		// The probe: every ninth line, one pixel a sample, square to the
		// bars and turned both ways.
		tilts := []float64{0}
		for _, tilt := range []float64{0, -0.2, 0.2} {
			if ctx.Err() != nil {
				return dbRead{}, false
			}
			var probe dbScan
			dbScanAngle(ctx, g, a, tilt, 9, 1, 0, &probe)
			seen := false
			for _, h := range probe.halves {
				seen = seen || (h.cost <= dbMaxCost && h.margin >= dbMinMargin)
			}
			if seen && tilt != 0 {
				tilts = append(tilts, tilt/2, tilt)
			}
			if seen && tilt == 0 {
				tilts = append(tilts, 0)
			}
		}
		if len(tilts) == 1 {
			continue
		}
		done := map[float64]bool{}
		for _, tilt := range tilts {
			if done[tilt] || ctx.Err() != nil {
				continue
			}
			done[tilt] = true
			var sc dbScan
			dbScanAngle(ctx, g, a, tilt, gap, 0.5, band, &sc)
			if rd, ok := dbCombine(g, sc.halves, minSep, a, tilt); ok {
				return rd, true
			}
		}
	}
	return dbRead{}, false
}

// dataBar is the cascade's stage for GS1 DataBar read from grey profiles
// (readDataBar), on v reduced to at most 800 pixels a side. The read is
// recorded with the centres of its two halves as points.
func (r *run) dataBar(v *view) {
	if r.ctx.Err() != nil || skipDataBar {
		return
	}
	if k := (max(v.g.w, v.g.h) + 799) / 800; k > 1 {
		v = &view{g: v.g.shrink(k), scale: v.scale * float64(k)}
	}
	rd, ok := readDataBar(r.ctx, v.g)
	if !ok {
		return
	}
	res := gozxing.NewResult(rd.text, nil, []gozxing.ResultPoint{
		gozxing.NewResultPoint(rd.l.x, rd.l.y), gozxing.NewResultPoint(rd.r.x, rd.r.y),
	}, gozxing.BarcodeFormat_RSS_14)
	res.PutMetadata(gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER, "]e0")
	r.col.add(v, res)
}

// skipDataBar leaves out the DataBar stage: for benchmarks that measure
// its cost against the cascade without it, in the same run.
var skipDataBar = false
