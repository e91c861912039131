package scan

import (
	"math"
	"sync"
)

// Exact savings in the model fits (fitSave): the blurred EAN fit of
// blurean.go, run by the cross-check (xcheck.go), the blurred EAN stage
// and, for its base geometries, the deformable reader (deform.go). Each
// does the same floating-point operations, in the same order, on the same
// operands as the code it stands for, or leaves out only work whose
// result cannot matter, so every residual, geometry and read comes out
// bit for bit the same (TestFitSaveExact: every eanRead and deformRead
// field for field; TestFitSaveCascadeExact: the cascade's reads):
//
//   - weighFast reads the module edges from a table made once per geometry
//     (the same expression, x0 + k·m) and the blur's CDF table inline, and
//     clears only the weights it does not write;
//   - weightCache shares the weights of a geometry between the fits of
//     the bands of one region (they depend on the geometry and the
//     profile's length, not its values): the bands' coarse searches
//     start from the same stretch of bars more often than not; and a
//     pixel's weights are copied from the pixel whole pixels to the left
//     in the same geometry as far to the left (the coarse search's
//     geometries of one module width) when every edge lies the same
//     distance from the pixel's centre, bit for bit;
//   - slotCostsFast computes a pixel's six columns (the slot rendered with
//     its five free modules white, and those modules' weights) and adds
//     them to the column sums, their products with the profile and their
//     Gram matrix in one pass, each sum over the pixels in the same order
//     as slotCosts' column by column loops; the sums of the five free
//     columns (and the slot's window) are kept from the first pass of a
//     full fit to the second, where only the neighbours changed; the
//     patterns' dark modules and Gram entries come from a table;
//   - fitBelow keeps the guards' residual it computed for its bound
//     instead of computing it again on the same modules;
//   - eanDP, the programme over the valid codes, gives up a first digit
//     once its codes are sure to score at least the bound (a fit so
//     bounded is given up anyway, as fitBelow gives up its slots);
//   - coarseSearch scores readBlurredEAN's coarse geometries nearest the
//     stretch of bars first (ties go to readBlurredEAN's own order);
//   - the deformable reader's fits and readBlurredEAN's last full fit
//     compute their weights when used (resetLazy), as the other fits do;
//   - fits and their buffers come from pools.

// fitSave switches the exact savings of this file; tests compare the
// reads with and without them, benchmarks their cost (PHOTOS_NOFITSAVE=1).
var fitSave = true

// eanOn lists, per code set and digit, the columns of slotCosts a
// pattern's rendering adds: 0 (the slot with its free modules white) and
// the free modules (1 to 5) that are dark.
var eanOn = func() (t [3][10]struct {
	n  int
	on [6]int
	// pairs are the entries p·6+q of the Gram matrix summed, in
	// slotCosts' order (p, then q, over on).
	np    int
	pairs [36]uint8
}) {
	for c := range 3 {
		for d := range 10 {
			pat := &eanPatterns[c][d]
			e := &t[c][d]
			e.on[0] = 0
			e.n = 1
			for mi := 1; mi < 6; mi++ {
				if pat[mi] != 0 {
					e.on[e.n] = mi
					e.n++
				}
			}
			for _, p := range e.on[:e.n] {
				for _, q := range e.on[:e.n] {
					e.pairs[e.np] = uint8(p*6 + q)
					e.np++
				}
			}
		}
	}
	return t
}()

// setEdges tabulates the left edges of the modules of f's geometry (k
// counted with the quiet padding) for weighFast.
func (f *eanFit) setEdges() {
	g := f.g
	for k := range f.edges {
		f.edges[k] = g.x0 + float64(k-eanQuietPad)*g.m
	}
}

// weighFast is weigh's computation of pixel i's weights (see the top of
// the file).
func (f *eanFit) weighFast(i int) {
	const nk = eanModules + 2*eanQuietPad
	g, s, reach := f.g, f.s, f.reach
	c := float64(f.first+i) + 0.5
	ka := max(int(math.Floor((c-reach-g.x0)/g.m))+eanQuietPad, 0)
	kb := min(int(math.Floor((c+reach-g.x0)/g.m))+eanQuietPad, nk-1, ka+f.stride-1)
	f.k0[i] = ka
	ws := f.w[i*f.stride : (i+1)*f.stride]
	if kb < ka {
		clear(ws)
		return // no module within reach (weigh writes none)
	}
	if src := f.src; src != nil {
		// The weights of the pixel srcShift to the left in the geometry
		// as far to the left, when they are sure to be the same numbers:
		// the same modules within reach and every edge the same distance
		// from the pixel's centre, bit for bit (the CDF reads nothing
		// else).
		is := f.first + i - f.srcShift - src.first
		if is >= 0 && is < len(src.weighed) && src.weighed[is] && src.k0[is] == ka {
			cs := float64(src.first+is) + 0.5
			gs := src.g
			if kbs := min(int(math.Floor((cs+reach-gs.x0)/gs.m))+eanQuietPad, nk-1, ka+f.stride-1); kbs == kb {
				same := true
				for k := ka; k <= kb+1; k++ {
					if f.edges[k]-c != src.edges[k]-cs {
						same = false
						break
					}
				}
				if same {
					copy(ws, src.w[is*f.stride:(is+1)*f.stride])
					return
				}
			}
		}
	}
	t, div := &normCDFTable, s
	if g.disk {
		t, div = &diskCDFTable, 2*s
	}
	lo, hi, per, v := t.lo, t.hi, t.perUnit, t.v
	cdf := func(a float64) float64 {
		x := (a - c) / div
		if x <= lo {
			return 0
		}
		if x >= hi {
			return 1
		}
		ff := (x - lo) * per
		j := int(ff)
		fr := ff - float64(j)
		return v[j]*(1-fr) + v[j+1]*fr
	}
	edges := f.edges[ka : kb+2]
	clear(ws[len(edges)-1:]) // resetLazy leaves them to be cleared here
	ws = ws[:len(edges)-1]
	left := cdf(edges[0])
	for k := range ws {
		right := cdf(edges[k+1])
		ws[k] = right - left
		left = right
	}
}

// slotSums are a digit slot's window and the sums of slotCostsFast that
// do not depend on the modules around the slot (the columns of its free
// modules: their sums, products with the profile and Gram matrix), kept
// from one pass of a geometry's fit to the next.
type slotSums struct {
	win, sums bool // which are set, for the current geometry
	a, b      int
	so, vo    float64
	cs, co    [6]float64
	gm        [36]float64 // p·6+q
}

// slotIndex is the digit slot (0 to 11) that starts at module at.
func slotIndex(at int) int {
	if at >= eanRightAt {
		return 6 + (at-eanRightAt)/7
	}
	return (at - eanLeftAt) / 7
}

// slotWin is slotWindow(slotAt(j)), computed once per geometry.
func (f *eanFit) slotWin(j int) (a, b int, so, vo float64) {
	c := &f.sums[j]
	if !c.win {
		c.a, c.b, c.so, c.vo = f.slotWindow(slotAt(j))
		c.win = true
	}
	return c.a, c.b, c.so, c.vo
}

// slotCostsFast is slotCosts (see the top of the file).
func (f *eanFit) slotCostsFast(at int, right bool, out []float64) []float64 {
	sj := slotIndex(at)
	a, b, so, vo := f.slotWin(sj)
	out = out[:0]
	if b-a < 4 {
		return out
	}
	n := b - a
	nf := float64(n)
	f.lastVar = vo
	bm := f.base
	for i := 1; i < 6; i++ {
		bm[eanQuietPad+at+i] = 0
	}
	cache := &f.sums[sj]
	known := cache.sums
	var cs, co [6]float64
	var g00, g01, g02, g03, g04, g05, g11, g12, g13, g14, g15, g22, g23, g24, g25, g33, g34, g35, g44, g45, g55 float64
	stride := f.stride
	for x := a; x < b; x++ {
		px := x - f.first
		f.weigh(px)
		k0 := f.k0[px]
		ws := f.w[px*stride : (px+1)*stride]
		bs := bm[k0:]
		bs = bs[:min(len(bs), len(ws))]
		w0 := 0.0
		for j, b := range bs {
			w0 += ws[j] * b
		}
		var wm [6]float64
		for mi := 1; mi < 6; mi++ {
			if k := eanQuietPad + at + mi - k0; k >= 0 && k < len(ws) {
				wm[mi] = ws[k]
			}
		}
		w1, w2, w3, w4, w5 := wm[1], wm[2], wm[3], wm[4], wm[5]
		p := f.p[x]
		cs[0] += w0
		co[0] += w0 * p
		g00 += w0 * w0
		g01 += w0 * w1
		g02 += w0 * w2
		g03 += w0 * w3
		g04 += w0 * w4
		g05 += w0 * w5
		if known {
			continue // the other modules' sums are kept from the first pass
		}
		cs[1] += w1
		co[1] += w1 * p
		g11 += w1 * w1
		g12 += w1 * w2
		g13 += w1 * w3
		g14 += w1 * w4
		g15 += w1 * w5
		cs[2] += w2
		co[2] += w2 * p
		g22 += w2 * w2
		g23 += w2 * w3
		g24 += w2 * w4
		g25 += w2 * w5
		cs[3] += w3
		co[3] += w3 * p
		g33 += w3 * w3
		g34 += w3 * w4
		g35 += w3 * w5
		cs[4] += w4
		co[4] += w4 * p
		g44 += w4 * w4
		g45 += w4 * w5
		cs[5] += w5
		co[5] += w5 * p
		g55 += w5 * w5
	}
	var gm [36]float64 // p·6+q
	gm[0] = g00
	gm[1], gm[6] = g01, g01
	gm[2], gm[12] = g02, g02
	gm[3], gm[18] = g03, g03
	gm[4], gm[24] = g04, g04
	gm[5], gm[30] = g05, g05
	gm[7] = g11
	gm[8], gm[13] = g12, g12
	gm[9], gm[19] = g13, g13
	gm[10], gm[25] = g14, g14
	gm[11], gm[31] = g15, g15
	gm[14] = g22
	gm[15], gm[20] = g23, g23
	gm[16], gm[26] = g24, g24
	gm[17], gm[32] = g25, g25
	gm[21] = g33
	gm[22], gm[27] = g34, g34
	gm[23], gm[33] = g35, g35
	gm[28] = g44
	gm[29], gm[34] = g45, g45
	gm[35] = g55
	if known {
		for k := 1; k < 6; k++ {
			cs[k], co[k] = cache.cs[k], cache.co[k]
			for l := 1; l < 6; l++ {
				gm[k*6+l] = cache.gm[k*6+l]
			}
		}
	} else {
		cache.cs, cache.co, cache.gm, cache.sums = cs, co, gm, true
	}
	c0, c1 := 0, 1
	if right {
		c0, c1 = 2, 2
	}
	for c := c0; c <= c1; c++ {
		for d := range 10 {
			e := &eanOn[c][d]
			on := e.on[:e.n]
			var sm, smm, som float64
			for _, p := range on {
				sm += cs[p]
				som += co[p]
			}
			for _, i := range e.pairs[:e.np] {
				smm += gm[i]
			}
			vm := smm - sm*sm/nf
			cov := som - so*sm/nf
			r := vo
			if vm > 1e-9 && cov > 0 {
				r = max(0, vo-cov*cov/vm)
			}
			out = append(out, r)
		}
	}
	return out
}

// coarseCands are readBlurredEAN's coarse geometries, as offsets of the
// symbol's two ends from the stretch of bars (pixels) and the blur's
// kind, nearest the stretch first; idx is the order readBlurredEAN
// scores them in, which breaks ties.
var coarseCands = func() (t [50]struct {
	dx0, dxe int
	disk     bool
	idx      int
}) {
	i := 0
	for dx0 := -4; dx0 <= 4; dx0 += 2 {
		for dxe := -4; dxe <= 4; dxe += 2 {
			for _, disk := range []bool{false, true} {
				t[i].dx0, t[i].dxe, t[i].disk, t[i].idx = dx0, dxe, disk, i
				i++
			}
		}
	}
	dist := func(k int) int { return max(t[k].dx0, -t[k].dx0) + max(t[k].dxe, -t[k].dxe) }
	for a := 1; a < len(t); a++ {
		for b := a; b > 0 && (dist(b) < dist(b-1) || dist(b) == dist(b-1) && t[b].idx < t[b-1].idx); b-- {
			t[b], t[b-1] = t[b-1], t[b]
		}
	}
	return t
}()

// coarseSearch is readBlurredEAN's coarse search for the stretch of bars
// [s, e) of p: the geometry with the least quick score and that score,
// the first in readBlurredEAN's order of those that tie. It scores the
// geometries nearest the stretch first, so that the score to beat falls
// early and more fits are given up part way (fitBelow). A fit given up
// scores at least the score to beat, so it would not have been chosen in
// any order, and a fit that is not given up scores the same in any order
// (its slots' residuals do not depend on the order; the order in which
// the slots are fitted only decides when a fit is given up): the same
// geometry is chosen.
func coarseSearch(f *eanFit, p []float64, s, e int) (eanGeom, float64) {
	start, startScore, startIdx := eanGeom{}, math.Inf(1), -1
	for _, c := range coarseCands {
		x0, xe := s+c.dx0, e+c.dxe
		m := float64(xe-x0) / eanModules
		if m < 0.8 {
			continue
		}
		g := eanGeom{x0: float64(x0), m: m, sigma: 1.1 * m, disk: c.disk}
		f.resetLazy(p, g)
		sc := f.quickBelow(startScore)
		if sc < startScore || sc == startScore && !math.IsInf(sc, 1) && c.idx < startIdx {
			start, startScore, startIdx = g, sc, c.idx
		}
	}
	return start, startScore
}

// fitPool holds the fits of readBlurredEAN (their buffers grow to the
// widest profile), deformPool those of readDeformEAN.
var fitPool, deformPool sync.Pool

// putFit returns f to the pool (without its shared weights).
func putFit(f *eanFit) {
	if f.wc != nil {
		f.k0, f.w, f.weighed, f.wc = nil, nil, nil, nil
	}
	fitPool.Put(f)
}

// getFit returns a fit from the pool, its state as a new one's (its
// buffers are overwritten before they are read).
func getFit() *eanFit {
	f, _ := fitPool.Get().(*eanFit)
	if f == nil {
		return &eanFit{}
	}
	f.ordered = false
	f.order, f.slotBest = [12]int{}, [12]float64{}
	f.lastVar = 0
	return f
}

// deformBufs are readDeformEAN's fit and its costs per geometry.
type deformBufs struct {
	f   eanFit
	dcs []deformCosts // one per deformGeoms
}

// getDeform returns deformBufs from the pool, each geometry's costs as
// new ones' in what readDeformEAN reads before it writes (no shift
// filled, the check digit counted, no path).
func getDeform() *deformBufs {
	d, _ := deformPool.Get().(*deformBufs)
	if d == nil {
		return &deformBufs{dcs: make([]deformCosts, len(deformGeoms))}
	}
	d.f.ordered = false
	d.f.order, d.f.slotBest = [12]int{}, [12]float64{}
	for k := range d.dcs {
		dc := &d.dcs[k]
		dc.ok, dc.anySum, dc.path = [deformNS]bool{}, false, [14]int8{}
	}
	return d
}

// weightCache keeps the weights (eanFit's k0, w and weighed) of every
// geometry fitted on profiles of one length, so that fits of the same
// geometry on other profiles (the bands of one region: their coarse
// searches start from the same stretch of bars more often than not)
// compute each pixel's weights once. The weights depend on the geometry,
// the pixel and the profile's length only, not on the profile's values:
// shared, they are the same numbers.
//
// It holds at most weightCacheBytes of weights; past that, a geometry's
// weights go to one scratch table, computed again for each fit, as
// without the cache.
type weightCache struct {
	tabs    map[weightKey]*weightTab
	spare   []*weightTab
	bytes   int
	scratch weightTab
}

// weightCacheBytes bounds a weightCache (the cross-check's largest region
// on the tune photos fits 336 geometries, 9.6 MB of weights).
const weightCacheBytes = 4 << 20

type weightKey struct {
	g eanGeom
	n int // the profile's length
}

type weightTab struct {
	k0      []int
	w       []float64
	weighed []bool
	// the geometry's first pixel and module edges (weighFast's shifted
	// copies)
	first int
	edges [eanModules + 2*eanQuietPad + 1]float64
	g     eanGeom
}

var weightCachePool sync.Pool

func getWeightCache() *weightCache {
	wc, _ := weightCachePool.Get().(*weightCache)
	if wc == nil {
		wc = &weightCache{tabs: map[weightKey]*weightTab{}}
	}
	return wc
}

// release empties wc (its buffers kept for the next) into the pool.
func (wc *weightCache) release() {
	wc.empty()
	weightCachePool.Put(wc)
}

// empty moves wc's tables to its spares, as many as weightCacheBytes of
// buffers hold (a spare keeps the capacity of the widest geometry it was
// given: counted by length, spares grown by other calls' geometries
// would keep many times the bound).
func (wc *weightCache) empty() {
	kept := 0
	for _, t := range wc.spare {
		kept += t.capBytes()
	}
	for k, t := range wc.tabs {
		if c := t.capBytes(); kept+c <= weightCacheBytes {
			wc.spare = append(wc.spare, t)
			kept += c
		}
		delete(wc.tabs, k)
	}
	wc.bytes = 0
}

// capBytes is the memory t's buffers hold.
func (t *weightTab) capBytes() int {
	return 8*cap(t.k0) + cap(t.weighed) + 8*cap(t.w)
}

// useWeights points f's weights at those kept for geometry g on profiles
// as long as p, made (none weighed yet) when there are none.
func (f *eanFit) useWeights(p []float64, g eanGeom) {
	key := weightKey{g, len(p)}
	t := f.wc.tabs[key]
	if t == nil && f.wc.bytes >= weightCacheBytes {
		t = &f.wc.scratch // full: weights for this fit alone
		t.size(f.n, f.stride)
		f.k0, f.w, f.weighed = t.k0, t.w, t.weighed
		return
	}
	if t == nil {
		if n := len(f.wc.spare); n > 0 {
			t = f.wc.spare[n-1]
			f.wc.spare = f.wc.spare[:n-1]
		} else {
			t = &weightTab{}
		}
		t.size(f.n, f.stride)
		t.first, t.edges, t.g = f.first, f.edges, g
		f.wc.tabs[key] = t
		f.wc.bytes += 9*f.n + 8*f.n*f.stride
		// the same geometry a few whole pixels off (the coarse search's
		// geometries of one module width), whose weights may be copied
		for _, d := range [...]float64{2, -2, 4, -4} {
			h := g
			h.x0 -= d
			if h.x0+d != g.x0 || h.x0 != math.Trunc(h.x0) {
				break // not whole pixels apart
			}
			if st := f.wc.tabs[weightKey{h, len(p)}]; st != nil {
				f.src, f.srcShift = st, int(d)
				break
			}
		}
	}
	f.k0, f.w, f.weighed = t.k0, t.w, t.weighed
}

// size makes t hold the weights of n pixels, stride a pixel, none
// weighed.
func (t *weightTab) size(n, stride int) {
	if cap(t.k0) < n {
		t.k0 = make([]int, n)
	}
	if cap(t.w) < n*stride {
		t.w = make([]float64, n*stride)
	}
	if cap(t.weighed) < n {
		t.weighed = make([]bool, n)
	}
	t.k0, t.w, t.weighed = t.k0[:n], t.w[:n*stride], t.weighed[:n]
	clear(t.weighed)
}

// eanSum is (s + w·d) mod 10 for the check weights w = 3 (even slots,
// index 0) and 1 (odd, index 1).
var eanSum = func() (t [2][10][10]uint8) {
	for s := range 10 {
		for d := range 10 {
			t[0][s][d] = uint8((s + 3*d) % 10)
			t[1][s][d] = uint8((s + d) % 10)
		}
	}
	return t
}()

// minCost is the least of the slots' residuals (NaN when one is NaN).
func minCost(costs *[12][]float64) float64 {
	m := math.Inf(1)
	for _, cj := range costs {
		for _, c := range cj {
			m = min(m, c)
		}
	}
	return m
}

// eanDP is fitBelow's dynamic programme over the valid EAN-13 codes: the
// best code's digits, its residual best1 (guard not included) and the
// second-best's best2, the same numbers as fitBelow's own loops (the same
// sums in the same order). With prune (the slots' residuals all ≥ 0, so
// a code's sum never falls as slots are added, rounding included), a first
// digit is given up once every code it starts is sure to sum, with guard,
// to at least stop: the least partial sum over the check sums so far plus,
// in the same order, the least residual of each slot left (of the code
// set the first digit's parity gives it) bounds them from below. pruned
// says a first digit was given up, minL is the least such bound. Then
// best1 is exact when best1+guard < stop (the given-up codes are worse)
// and best2 when best2 ≤ minL; the caller runs it again without prune
// otherwise.
func eanDP(costs *[12][]float64, guard, stop float64, prune bool) (digits [13]int, best1, best2 float64, pruned bool, minL float64) {
	inf := math.Inf(1)
	best1, best2, minL = inf, inf, inf
	var c1, c2, n1, n2 [10]float64
	var back [12][10]int8 // digit chosen to reach the state
	var bestBack [12][10]int8
	var least [2][12]float64 // per slot, its least residual: L or R codes, G codes
	if prune {
		for j := range 12 {
			least[0][j], least[1][j] = inf, inf
			for d := range 10 {
				least[0][j] = min(least[0][j], costs[j][d])
				if j < 6 {
					least[1][j] = min(least[1][j], costs[j][10+d])
				}
			}
		}
	}
	// above is the bound on the codes of a first digit from the least
	// partial sum m after slot j (j = -1: m = 0, before any slot).
	var mins [12]float64
	above := func(m float64, j int) float64 {
		for k := j + 1; k < 12; k++ {
			m += mins[k]
		}
		return m
	}
firsts:
	for first := range 10 {
		par := eanParity[first]
		if prune {
			for j := range 12 {
				g := 0
				if j < 6 && par&(1<<(5-j)) != 0 {
					g = 1
				}
				mins[j] = least[g][j]
			}
			if l := above(0, -1); l+guard >= stop {
				pruned, minL = true, min(minL, l)
				continue
			}
		}
		for s := range 10 {
			c1[s], c2[s] = inf, inf
		}
		c1[first] = 0
		for j := range 12 {
			for s := range 10 {
				n1[s], n2[s] = inf, inf
			}
			sum := &eanSum[j%2]
			off := 0
			if j < 6 && par&(1<<(5-j)) != 0 {
				off = 10
			}
			cj := (*[10]float64)(costs[j][off : off+10])
			bj := &back[j]
			for s := range 10 {
				a1, a2 := c1[s], c2[s]
				if a1 == inf {
					continue
				}
				ss := &sum[s]
				for d := range 10 {
					cd := cj[d]
					ns := ss[d]
					v1, v2 := a1+cd, a2+cd
					if v1 < n1[ns] {
						n2[ns] = min(n1[ns], v2)
						n1[ns] = v1
						bj[ns] = int8(d)
					} else {
						n2[ns] = min(n2[ns], v1)
					}
				}
			}
			c1, c2 = n1, n2
			if prune {
				m := inf
				for _, v := range c1 {
					m = min(m, v)
				}
				if l := above(m, j); l+guard >= stop {
					pruned, minL = true, min(minL, l)
					continue firsts
				}
			}
		}
		switch {
		case c1[0] < best1:
			best2 = min(best1, c2[0])
			best1 = c1[0]
			bestBack = back
			digits[0] = first
		default:
			best2 = min(best2, c1[0])
		}
	}
	if best1 < inf {
		followBack(&bestBack, &digits)
	}
	return digits, best1, best2, pruned, minL
}
