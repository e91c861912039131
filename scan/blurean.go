package scan

import (
	"context"
	"math"

	"github.com/makiuchi-d/gozxing"
)

// Reading blurred EAN-13 / UPC-A by fitting the symbol's model to a grey
// profile. A row reader binarizes first and then measures bar widths; when
// the blur is wider than a module (a fixed-focus camera too close, a
// photo of 2 pixels a module), thin bars never reach the black level and
// binarization loses them. Here nothing is binarized: for a guess of where
// the symbol starts and ends and how wide the blur is, every digit's seven
// modules are rendered as the camera would see them (each module a box,
// blurred by a Gaussian or by a defocused lens's disk, integrated over the
// pixel, in linear light) and compared, by least squares with its own
// brightness and contrast, with the profile under that digit. The
// geometry that explains the profile best is kept, and the 13 digits are
// chosen together: the parity pattern of the left half and the check digit
// constrain them. A read must fit well, digit by digit, beat the second
// best valid code by a margin, and be found on three of five bands across
// the symbol (readBlurredBands) before the cascade sees it.

// EAN layout in modules: 3 guard, 6×7 left digits, 5 centre, 6×7 right, 3 guard.
const (
	eanModules  = 95
	eanLeftAt   = 3
	eanRightAt  = 50
	eanQuietPad = 9 // modules of quiet zone rendered on each side
)

// eanL are the L-code patterns (bar = 1) of the digits; R(d) is L(d)
// inverted and G(d) is R(d) reversed.
var eanL = [10][7]float64{
	{0, 0, 0, 1, 1, 0, 1}, {0, 0, 1, 1, 0, 0, 1}, {0, 0, 1, 0, 0, 1, 1}, {0, 1, 1, 1, 1, 0, 1},
	{0, 1, 0, 0, 0, 1, 1}, {0, 1, 1, 0, 0, 0, 1}, {0, 1, 0, 1, 1, 1, 1}, {0, 1, 1, 1, 0, 1, 1},
	{0, 1, 1, 0, 1, 1, 1}, {0, 0, 0, 1, 0, 1, 1},
}

// eanParity lists, per first digit, which of the six left digits use G
// codes (bit 5 = first digit of the left half).
var eanParity = [10]int{0x00, 0x0B, 0x0D, 0x0E, 0x13, 0x19, 0x1C, 0x15, 0x16, 0x1A}

// eanPattern returns the modules of digit d in code set c (0 L, 1 G, 2 R).
func eanPattern(c, d int) [7]float64 {
	l := eanL[d]
	var p [7]float64
	for i := range p {
		switch c {
		case 0:
			p[i] = l[i]
		case 1: // G: R reversed
			p[i] = 1 - l[6-i]
		default: // R: L inverted
			p[i] = 1 - l[i]
		}
	}
	return p
}

var eanPatterns = func() (t [3][10][7]float64) {
	for c := range 3 {
		for d := range 10 {
			t[c][d] = eanPattern(c, d)
		}
	}
	return t
}()

// cdfTable is a cumulative distribution tabulated over [lo, hi] at
// 1/perUnit steps, read with linear interpolation: 0 below lo, 1 above hi.
type cdfTable struct {
	lo, hi, perUnit float64
	v               []float64
}

func newCDFTable(f func(float64) float64, lo, hi float64, perUnit int) cdfTable {
	v := make([]float64, int(hi-lo)*perUnit+1)
	for i := range v {
		v[i] = f(float64(i)/float64(perUnit) + lo)
	}
	return cdfTable{lo, hi, float64(perUnit), v}
}

func (t *cdfTable) at(x float64) float64 {
	if x <= t.lo {
		return 0
	}
	if x >= t.hi {
		return 1
	}
	f := (x - t.lo) * t.perUnit
	i := int(f)
	fr := f - float64(i)
	return t.v[i]*(1-fr) + t.v[i+1]*fr
}

// normCDFTable is Φ at 1/64 steps over [-6, 6].
var normCDFTable = newCDFTable(func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }, -6, 6, 64)

// normCDF is Φ, from the table.
func normCDF(x float64) float64 { return normCDFTable.at(x) }

// eanGeom is one guess of where the symbol lies on a profile: the left
// edge of its first guard bar x0, its module width m (pixels) and the
// blur's standard deviation sigma (pixels).
type eanGeom struct {
	x0, m, sigma float64
	disk         bool // defocus: the line spread of a disk of radius 2σ, not a Gaussian
}

// diskCDF is the integral of the line spread function of a uniform disk
// of radius 1 (a defocused lens) up to t, for t in [-1, 1].
func diskCDF(t float64) float64 {
	if t <= -1 {
		return 0
	}
	if t >= 1 {
		return 1
	}
	return 0.5 + (t*math.Sqrt(1-t*t)+math.Asin(t))/math.Pi
}

// diskCDFTable is diskCDF at 1/256 steps over [-1, 1].
var diskCDFTable = newCDFTable(diskCDF, -1, 1, 256)

// diskCDFFast is diskCDF from the table.
func diskCDFFast(x float64) float64 { return diskCDFTable.at(x) }

// eanFit holds the rendering of one geometry on a profile; its buffers
// are reused from one geometry to the next (reset).
type eanFit struct {
	p      []float64 // the profile: darkness (255 - luminance)
	g      eanGeom
	first  int   // first pixel rendered
	n      int   // pixels rendered
	stride int   // weights per pixel
	k0     []int // per pixel, the first module with weight
	// weighed marks the pixels whose weights are computed (resetLazy);
	// s and reach are the blur's spread and reach in pixels.
	weighed  []bool
	s, reach float64
	w        []float64 // per pixel, stride weights of modules k0, k0+1, ...
	// edges are the left edges of the modules, in pixels (weighFast).
	edges [eanModules + 2*eanQuietPad + 1]float64
	sums  [12]slotSums // per slot, for the current geometry (slotCostsFast)
	// wc, when set, holds the weights of every geometry fitted on profiles
	// of the same length, shared between the fits (useWeights).
	wc *weightCache
	// src, when set, holds the weights of the same geometry shifted by
	// srcShift whole pixels (weighFast copies those it can prove equal).
	src      *weightTab
	srcShift int
	// base holds the module values the slot being fitted does not change:
	// quiet zone 0, guards, the known first and last modules of each
	// digit, and 0.5 (or the current best guess) for unknown modules.
	base [eanModules + 2*eanQuietPad]float64
	// slotVar is the variance of the profile under each digit slot.
	slotVar [12]float64
	// order is the order in which a bounded fit (fitBelow) fits the
	// slots: the worst fitted first in the last full fit; slotBest their
	// best residuals.
	order    [12]int
	ordered  bool
	slotBest [12]float64
	lastVar  float64 // variance under the last slot fitted
	slotW    []float64
	o, m     []float64
	costs    [12][]float64
}

// reset renders geometry g on profile p.
func (f *eanFit) reset(p []float64, g eanGeom) {
	f.resetLazy(p, g)
	for i := range f.n {
		f.weigh(i)
	}
}

// resetLazy is reset that leaves each pixel's weights to be computed when
// first used (weigh): a fit given up part way (fitBelow) does not pay
// for the pixels it never reached. The weights are the same.
func (f *eanFit) resetLazy(p []float64, g eanGeom) {
	f.p, f.g = p, g
	s := math.Sqrt(g.sigma*g.sigma + 1.0/12)
	reach := 3.5 * s
	if g.disk {
		reach = 2*s + 1
	}
	lo := int(math.Floor(g.x0 - eanQuietPad*g.m))
	hi := int(math.Ceil(g.x0 + (eanModules+eanQuietPad)*g.m))
	lo, hi = max(lo, 0), min(hi, len(p))
	f.first, f.n = lo, max(0, hi-lo)
	f.stride = int(math.Ceil(2*reach/g.m)) + 2
	f.s, f.reach = s, reach
	if fitSave {
		f.setEdges()
		for j := range f.sums {
			f.sums[j].win, f.sums[j].sums = false, false
		}
	}
	f.src = nil
	if f.wc != nil {
		f.useWeights(p, g)
	} else {
		f.ownWeights()
	}
	// fixed modules
	for i := range f.base {
		f.base[i] = 0.5
	}
	for k := range eanQuietPad {
		f.base[k] = 0
		f.base[eanQuietPad+eanModules+k] = 0
	}
	set := func(at int, v ...float64) {
		for i, b := range v {
			f.base[eanQuietPad+at+i] = b
		}
	}
	set(0, 1, 0, 1)
	set(45, 0, 1, 0, 1, 0)
	set(92, 1, 0, 1)
	for j := range 6 {
		set(eanLeftAt+7*j, 0)
		set(eanLeftAt+7*j+6, 1)
		set(eanRightAt+7*j, 1)
		set(eanRightAt+7*j+6, 0)
	}
}

// ownWeights sizes and clears f's own weight buffers for f.n pixels.
func (f *eanFit) ownWeights() {
	if cap(f.k0) < f.n {
		f.k0 = make([]int, f.n)
	}
	f.k0 = f.k0[:f.n]
	if cap(f.w) < f.n*f.stride {
		f.w = make([]float64, f.n*f.stride)
	}
	f.w = f.w[:f.n*f.stride]
	if !fitSave {
		clear(f.w) // weighFast clears each pixel's own
	}
	if cap(f.weighed) < f.n {
		f.weighed = make([]bool, f.n)
	}
	f.weighed = f.weighed[:f.n]
	clear(f.weighed)
}

// weigh computes the weights of pixel i (index from f.first) once.
func (f *eanFit) weigh(i int) {
	if f.weighed[i] {
		return
	}
	f.weighed[i] = true
	if fitSave {
		f.weighFast(i)
		return
	}
	const nk = eanModules + 2*eanQuietPad
	g, s, reach := f.g, f.s, f.reach
	c := float64(f.first+i) + 0.5
	// modules whose box [x0+k m, x0+(k+1)m) lies within reach of c
	ka := max(int(math.Floor((c-reach-g.x0)/g.m))+eanQuietPad, 0)
	kb := min(int(math.Floor((c+reach-g.x0)/g.m))+eanQuietPad, nk-1, ka+f.stride-1)
	f.k0[i] = ka
	ws := f.w[i*f.stride : (i+1)*f.stride]
	// a module's weight is the blur's CDF between its two edges; each
	// edge is looked up once (it is the next module's left edge)
	edge := func(k int) float64 {
		a := g.x0 + float64(k-eanQuietPad)*g.m
		if g.disk {
			return diskCDFFast((a - c) / (2 * s))
		}
		return normCDF((a - c) / s)
	}
	left := edge(ka)
	for k := ka; k <= kb; k++ {
		right := edge(k + 1)
		ws[k-ka] = right - left
		left = right
	}
}

// pixels returns the pixel range [a, b) whose centres lie in modules
// [ma, mb) of the symbol.
func (f *eanFit) pixels(ma, mb float64) (int, int) {
	a := int(math.Ceil(f.g.x0 + ma*f.g.m - 0.5))
	b := int(math.Ceil(f.g.x0 + mb*f.g.m - 0.5))
	return max(a, f.first), min(b, f.first+f.n)
}

// render returns the model value at pixel x with modules b (indexed with
// the quiet padding).
func (f *eanFit) render(x int, b *[eanModules + 2*eanQuietPad]float64) float64 {
	i := x - f.first
	f.weigh(i)
	ws := f.w[i*f.stride : (i+1)*f.stride]
	k0 := f.k0[i]
	bs := b[k0:]
	v := 0.0
	for j, w := range ws {
		if j >= len(bs) {
			break
		}
		v += w * bs[j]
	}
	return v
}

// lsqVar returns the residual sum of squares of o ≈ α + β·m (β > 0; with
// β ≤ 0 the whole variance of o) and the variance (sum of squares about
// the mean) of o.
func lsqVar(o, m []float64) (float64, float64) {
	n := float64(len(o))
	if n < 3 {
		return math.Inf(1), 0
	}
	var so, sm, soo, smm, som float64
	for i := range o {
		so += o[i]
		sm += m[i]
		soo += o[i] * o[i]
		smm += m[i] * m[i]
		som += o[i] * m[i]
	}
	vo := soo - so*so/n
	vm := smm - sm*sm/n
	cov := som - so*sm/n
	if vm <= 1e-9 || cov <= 0 {
		return vo, vo
	}
	return max(0, vo-cov*cov/vm), vo
}

// slotWindow returns the pixels [a, b) of the digit slot at module at
// and half a module either side, their sum and their variance (sum of
// squares about the mean; 0 when fewer than 4 pixels).
func (f *eanFit) slotWindow(at int) (a, b int, so, vo float64) {
	a, b = f.pixels(float64(at)-0.5, float64(at)+7.5)
	if b-a < 4 {
		return a, b, 0, 0
	}
	var soo float64
	for x := a; x < b; x++ {
		so += f.p[x]
		soo += f.p[x] * f.p[x]
	}
	return a, b, so, soo - so*so/float64(b-a)
}

// followBack sets digits[1:] from the code search's back pointers,
// followed from check sum 0 (the last digit first).
func followBack(back *[12][10]int8, digits *[13]int) {
	st := 0
	for j := 11; j >= 0; j-- {
		d := int(back[j][st])
		digits[j+1] = d
		w := 3
		if j%2 == 1 {
			w = 1
		}
		st = ((st-w*d)%10 + 10) % 10
	}
}

// slotCosts returns, for the digit slot at module at (code set c: 0 left
// half, L and G patterns, 20 entries; 2 right half, R patterns, 10
// entries), the residual of each pattern over the pixels of the slot and
// half a module either side, and the variance of those pixels.
func (f *eanFit) slotCosts(at int, right bool, out []float64) []float64 {
	if fitSave {
		return f.slotCostsFast(at, right, out)
	}
	a, b, so, vo := f.slotWindow(at)
	out = out[:0]
	if b-a < 4 {
		return out
	}
	n := b - a
	nf := float64(n)
	f.lastVar = vo
	// The model is F + Σ pat_i W_i over the five modules a digit's
	// patterns differ in (the first and last are fixed): F renders the
	// slot with those modules white, W_i is module i's weight.
	bm := f.base
	for i := 1; i < 6; i++ {
		bm[eanQuietPad+at+i] = 0
	}
	if cap(f.slotW) < 6*n {
		f.slotW = make([]float64, 6*n)
	}
	fw := f.slotW[:6*n]
	for x := a; x < b; x++ {
		i := x - a
		fw[i] = f.render(x, &bm)
		px := x - f.first
		k0 := f.k0[px]
		ws := f.w[px*f.stride : (px+1)*f.stride]
		for mi := 1; mi < 6; mi++ {
			k := eanQuietPad + at + mi - k0
			w := 0.0
			if k >= 0 && k < len(ws) {
				w = ws[k]
			}
			fw[mi*n+i] = w
		}
	}
	// A pattern's rendering is the column F plus the columns W_i of its
	// dark modules, so its sums follow from the columns' sums, their
	// products with the profile and their Gram matrix, computed once for
	// the 20 (or 10) patterns.
	var cs, co [6]float64
	var gm [6][6]float64
	for k := range 6 {
		ck := fw[k*n : (k+1)*n]
		for i, v := range ck {
			cs[k] += v
			co[k] += v * f.p[a+i]
		}
		for l := k; l < 6; l++ {
			cl := fw[l*n : (l+1)*n]
			g := 0.0
			for i, v := range ck {
				g += v * cl[i]
			}
			gm[k][l], gm[l][k] = g, g
		}
	}
	sets := []int{0, 1}
	if right {
		sets = []int{2}
	}
	var on [6]int
	for _, c := range sets {
		for d := range 10 {
			pat := &eanPatterns[c][d]
			on[0] = 0
			k := 1
			for mi := 1; mi < 6; mi++ {
				if pat[mi] != 0 {
					on[k] = mi
					k++
				}
			}
			var sm, smm, som float64
			for _, p := range on[:k] {
				sm += cs[p]
				som += co[p]
				for _, q := range on[:k] {
					smm += gm[p][q]
				}
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

// fitSlack is the margin, in parts of the windows' variance, by which
// fitBelow's lower bound must reach its bound before a fit is given up:
// rounding (a flat window's variance may come out a hair under 0, sums
// are added in another order than the programme's) is far smaller.
const fitSlack = 1e-6

// slotAt is the module at which digit slot j (0 to 11) starts.
func slotAt(j int) int {
	if j >= 6 {
		return eanRightAt + 7*(j-6)
	}
	return eanLeftAt + 7*j
}

// guardVar is guardCost's second value, the variance of the guards'
// pixels, without the fit.
func (f *eanFit) guardVar() float64 {
	vs := 0.0
	for _, r := range [][2]float64{{-4, 3.5}, {44.5, 50.5}, {91.5, 99}} {
		a, b := f.pixels(r[0], r[1])
		if b-a < 3 {
			continue
		}
		_, v := lsqVar(f.p[a:b], f.p[a:b])
		vs += v
	}
	return vs
}

// guardCost is the residual over the fixed parts (quiet zones, guards).
func (f *eanFit) guardCost(o, m []float64) (float64, float64) {
	total, vs := 0.0, 0.0
	for _, r := range [][2]float64{{-4, 3.5}, {44.5, 50.5}, {91.5, 99}} {
		a, b := f.pixels(r[0], r[1])
		if b-a < 3 {
			continue
		}
		o, m = o[:0], m[:0]
		for x := a; x < b; x++ {
			o = append(o, f.p[x])
			m = append(m, f.render(x, &f.base))
		}
		r, v := lsqVar(o, m)
		total += r
		vs += v
	}
	return total, vs
}

// eanRead is the outcome of fitting one geometry.
type eanRead struct {
	g      eanGeom
	digits [13]int
	cost   float64 // residual of the best valid code
	second float64 // residual of the second-best valid code
	free   float64 // residual of the best patterns, check digit ignored
	worst  float64 // the largest share of a digit's variance the code leaves unexplained
	winVar float64 // sum of the variances of the fitted windows
	ok     bool
}

// decode is the full fit of the current geometry (fit, not quick).
func (f *eanFit) decode() eanRead {
	return f.fit(false)
}

// quick is the score of the coarse search: one pass, each slot's best
// pattern, no check digit; the residual over the variance of the fitted
// windows (+Inf when the geometry does not fit the profile).
func (f *eanFit) quick() float64 {
	return f.quickBelow(math.Inf(1))
}

// quickBelow is quick, or +Inf as soon as the score is sure to be at
// least bound (fitBelow).
func (f *eanFit) quickBelow(bound float64) float64 {
	rd := f.fitBelow(true, bound)
	if !rd.ok || rd.winVar <= 0 {
		return math.Inf(1)
	}
	return rd.free / rd.winVar
}

// fit fits every slot and (unless quick) picks the best and second-best
// valid EAN-13. Unless quick, in two passes: the second renders each
// slot's neighbours as the first pass's best patterns instead of grey.
func (f *eanFit) fit(quick bool) eanRead {
	return f.fitBelow(quick, math.Inf(1))
}

// fitBelow is fit that gives up, returning a read not ok, as soon as its
// score (quick: free/winVar; full: cost/winVar) is sure to come out at
// least bound: the slots' residuals are never negative, so the best
// patterns of the slots fitted so far, over the variance of every window
// (known before any is fitted), bound the score from below (with a
// margin for rounding, fitSlack). A read not given up is the same as fit's.
func (f *eanFit) fitBelow(quick bool, bound float64) eanRead {
	costs := &f.costs
	if cap(f.o) < 256 {
		f.o, f.m = make([]float64, 0, 256), make([]float64, 0, 256)
	}
	var rd eanRead
	rd.g = f.g
	bounded := !math.IsInf(bound, 1)
	var winVar, gc, stop float64
	var gcVar float64 // with gc, guardCost's values as the final fit needs them (fitSave)
	haveGC := false
	if bounded {
		// the windows' variance, as the sum below makes it
		winVar = f.guardVar()
		for j := range 12 {
			var v float64
			if fitSave {
				_, _, _, v = f.slotWin(j)
			} else {
				_, _, _, v = f.slotWindow(slotAt(j))
			}
			winVar += v
		}
		stop = bound*winVar + fitSlack*(winVar+1)
		if quick {
			gc, gcVar = f.guardCost(f.o[:0], f.m[:0])
			haveGC = fitSave // the modules around the guards do not change
		}
	}
	for pass := range 2 {
		if bounded && pass == 1 {
			gc, gcVar = f.guardCost(f.o[:0], f.m[:0]) // the neighbours are set: as below
			haveGC = fitSave
		}
		lower := gc
		if !f.ordered {
			for j := range f.order {
				f.order[j] = j
			}
			f.ordered = true
		}
		for _, j := range f.order {
			at, right := slotAt(j), j >= 6
			costs[j] = f.slotCosts(at, right, costs[j])
			f.slotVar[j] = f.lastVar
			if len(costs[j]) == 0 {
				return rd
			}
			if bounded && (quick || pass == 1) {
				best := math.Inf(1)
				for _, c := range costs[j] {
					best = min(best, c)
				}
				f.slotBest[j] = best
				if lower += best; lower >= stop {
					return rd
				}
			}
		}
		if bounded && (quick || pass == 1) {
			// the next geometry, a neighbour, is bounded soonest from
			// the slots that fit worst here
			for i := 1; i < len(f.order); i++ {
				for k := i; k > 0 && f.slotBest[f.order[k]] > f.slotBest[f.order[k-1]]; k-- {
					f.order[k], f.order[k-1] = f.order[k-1], f.order[k]
				}
			}
		}
		if pass == 1 || quick {
			break
		}
		// neighbours: the best pattern of each slot
		for j := range 12 {
			at, right := eanLeftAt+7*(j%6), j >= 6
			if right {
				at = eanRightAt + 7*(j-6)
			}
			best := 0
			for i, c := range costs[j] {
				if c < costs[j][best] {
					best = i
				}
			}
			c, d := best/10, best%10
			if right {
				c = 2
			}
			pat := eanPatterns[c][d]
			for i := range 7 {
				f.base[eanQuietPad+at+i] = pat[i]
			}
		}
	}
	var guardVar float64
	if haveGC {
		rd.free, guardVar = gc, gcVar // computed on the same modules
	} else {
		rd.free, guardVar = f.guardCost(f.o[:0], f.m[:0])
	}
	guard := rd.free
	rd.winVar = guardVar
	for j := range 12 {
		rd.winVar += f.slotVar[j]
	}
	for j := range 12 {
		best := math.Inf(1)
		for _, c := range costs[j] {
			best = min(best, c)
		}
		rd.free += best
	}
	if quick {
		rd.ok = !math.IsInf(rd.free, 1)
		return rd
	}
	// Valid codes: for each first digit (parity pattern), the digits with
	// the check: sum of w_i d_i ≡ 0 (mod 10) over the 13 digits, w = 1, 3,
	// 1, ... (d1 weight 1; d2..d7 the left half, d8..d13 the right).
	// Dynamic programming over the 12 slots keeping, per sum, the best
	// cost (with a back pointer) and the second-best cost.
	inf := math.Inf(1)
	best1, best2 := inf, inf
	if fitSave {
		// the same programme, given up per first digit once its codes
		// are sure to score at least the bound (eanDP)
		var pruned bool
		var minL float64
		rd.digits, best1, best2, pruned, minL = eanDP(costs, guard, stop, bounded && minCost(costs) >= 0)
		if pruned && best1+guard >= stop {
			return rd // not ok: every code scores at least the bound
		}
		if pruned && !(best2 <= minL) {
			rd.digits, best1, best2, _, _ = eanDP(costs, guard, stop, false)
		}
	} else {
		var c1, c2, n1, n2 [10]float64
		var back [12][10]int8 // digit chosen to reach the state
		var bestBack [12][10]int8
		for first := range 10 {
			par := eanParity[first]
			for s := range 10 {
				c1[s], c2[s] = inf, inf
			}
			c1[first] = 0
			for j := range 12 {
				for s := range 10 {
					n1[s], n2[s] = inf, inf
				}
				w := 3
				if j%2 == 1 {
					w = 1
				}
				off := 0
				if j < 6 && par&(1<<(5-j)) != 0 {
					off = 10
				}
				cj := costs[j][off : off+10]
				for s := range 10 {
					a1, a2 := c1[s], c2[s]
					if a1 == inf {
						continue
					}
					for d, cd := range cj {
						ns := (s + w*d) % 10
						v1, v2 := a1+cd, a2+cd
						if v1 < n1[ns] {
							n2[ns] = min(n1[ns], v2)
							n1[ns] = v1
							back[j][ns] = int8(d)
						} else {
							n2[ns] = min(n2[ns], v1)
						}
					}
				}
				c1, c2 = n1, n2
			}
			switch {
			case c1[0] < best1:
				best2 = min(best1, c2[0])
				best1 = c1[0]
				bestBack = back
				rd.digits[0] = first
			default:
				best2 = min(best2, c1[0])
			}
		}
		if best1 < inf {
			followBack(&bestBack, &rd.digits)
		}
	}
	if best1 < inf {
		par := eanParity[rd.digits[0]]
		for j := range 12 {
			off := 0
			if j < 6 && par&(1<<(5-j)) != 0 {
				off = 10
			}
			if f.slotVar[j] > 0 {
				rd.worst = max(rd.worst, costs[j][off+rd.digits[j+1]]/f.slotVar[j])
			}
		}
	}
	rd.cost = best1 + guard
	rd.second = best2 + guard
	rd.ok = !math.IsInf(rd.cost, 1)
	return rd
}

// text returns the 13 digits.
func (rd eanRead) text() string {
	b := make([]byte, 13)
	for i, d := range rd.digits {
		b[i] = byte('0' + d)
	}
	return string(b)
}

// blurActivity finds the stretch of profile p with bars: where the
// smoothed absolute slope stays above a third of its maximum (gaps of a
// few pixels bridged). It returns the longest such stretch.
func blurActivity(p []float64) (int, int) {
	n := len(p)
	if n < 16 {
		return 0, 0
	}
	d := make([]float64, n)
	for x := 1; x < n-1; x++ {
		d[x] = math.Abs(p[x+1] - p[x-1])
	}
	r := max(2, n/40)
	s := make([]float64, n)
	acc := 0.0
	for x := 0; x < n+r; x++ {
		if x < n {
			acc += d[x]
		}
		if x-2*r-1 >= 0 {
			acc -= d[x-2*r-1]
		}
		if c := x - r; c >= 0 && c < n {
			s[c] = acc
		}
	}
	top := 0.0
	for _, v := range s {
		top = max(top, v)
	}
	thr := top / 5
	bestA, bestB := 0, 0
	a := -1
	gap := 0
	for x := 0; x <= n; x++ {
		on := x < n && s[x] >= thr
		switch {
		case on && a < 0:
			a, gap = x, 0
		case on:
			gap = 0
		case a >= 0:
			gap++
			if gap > max(4, n/24) || x == n {
				b := x - gap + 1
				if b-a > bestB-bestA {
					bestA, bestB = a, b
				}
				a = -1
			}
		}
	}
	// Tighten the ends to where the raw slope first reaches a third of
	// the stretch's largest: the smoothing widened them.
	if bestB-bestA > 2 {
		top := 0.0
		for x := bestA; x < bestB; x++ {
			top = max(top, d[x])
		}
		for bestA < bestB-1 && d[bestA] < top/3 {
			bestA++
		}
		for bestB > bestA+1 && d[bestB-1] < top/3 {
			bestB--
		}
	}
	return bestA, bestB
}

// readBlurredEAN fits EAN-13 geometries around the stretch of bars of p
// within [lo, hi) and returns the best fit's read: a coarse search, in
// steps of two pixels, for the symbol's two ends with a middling blur of
// either kind (quick scores), then, from the best, a descent over the ends
// and the blur width by half and quarter pixels with full fits.
// It gives up, returning no read, when ctx is done.
func readBlurredEAN(ctx context.Context, p []float64, lo, hi int) eanRead {
	return readBlurredEANIn(ctx, p, lo, hi, nil)
}

// readBlurredEANIn is readBlurredEAN with the weights of its geometries
// kept in wc (when not nil), shared with the other fits that use it.
func readBlurredEANIn(ctx context.Context, p []float64, lo, hi int, wc *weightCache) eanRead {
	lo, hi = max(lo, 0), min(hi, len(p))
	s, e := blurActivity(p[lo:hi])
	s, e = s+lo, e+lo
	if e-s < 40 {
		return eanRead{}
	}
	return fitEANNear(ctx, p, s, e, 2, wc)
}

// fitEANNear is readBlurredEAN's search from the symbol's ends s and e
// (pixels): the coarse search tries ends within 4 pixels of them, in
// steps of step pixels. wc, when not nil, keeps the weights of its
// geometries (readBlurredEANIn).
func fitEANNear(ctx context.Context, p []float64, s, e, step int, wc *weightCache) eanRead {
	var best eanRead
	start := eanGeom{}
	startScore := math.Inf(1)
	f := &eanFit{}
	if fitSave {
		f = getFit()
		f.wc = wc
		defer putFit(f)
	}
	if fitSave && step == 2 {
		start, startScore = coarseSearch(f, p, s, e)
	} else {
		for x0 := s - 4; x0 <= s+4; x0 += step {
			for xe := e - 4; xe <= e+4; xe += step {
				m := float64(xe-x0) / eanModules
				if m < 0.8 {
					continue
				}
				for _, disk := range []bool{false, true} {
					g := eanGeom{x0: float64(x0), m: m, sigma: 1.1 * m, disk: disk}
					var sc float64
					if fitPrune {
						f.resetLazy(p, g)
						sc = f.quickBelow(startScore)
					} else {
						f.reset(p, g)
						sc = f.quick()
					}
					if sc < startScore {
						start, startScore = g, sc
					}
				}
			}
		}
	}
	if math.IsInf(startScore, 1) {
		return best
	}
	full := false // score by the best valid code, not the free fit
	x0, xe, k := start.x0, start.x0+eanModules*start.m, start.sigma/start.m
	geom := func(x0, xe, k float64) eanGeom {
		m := (xe - x0) / eanModules
		return eanGeom{x0: x0, m: m, sigma: k * m, disk: start.disk}
	}
	// The descent comes back to geometries it has scored (the point it
	// just left, its neighbours' neighbours): each is scored once per
	// mode.
	//
	// A geometry is scored against the score to beat (bound): a fit
	// sure to reach it is given up part way (fitBelow) and scored +Inf,
	// which changes nothing, since the score to beat only falls within a
	// mode. The full fit of the point the descent ends on is kept.
	type point struct{ x0, xe, k float64 }
	scored := map[point]float64{}
	var last eanRead
	var lastAt point
	score := func(x0, xe, k, bound float64) float64 {
		if v, ok := scored[point{x0, xe, k}]; ok {
			return v
		}
		if !fitPrune {
			bound = math.Inf(1)
		}
		v := math.Inf(1)
		if g := geom(x0, xe, k); g.m >= 0.8 && g.sigma >= 0.3*g.m && g.sigma <= 2*g.m {
			if fitPrune {
				f.resetLazy(p, g)
			} else {
				f.reset(p, g)
			}
			if !full {
				v = f.quickBelow(bound)
			} else if rd := f.fitBelow(false, bound); rd.ok && rd.winVar > 0 {
				v = rd.cost / rd.winVar
				if v < bound {
					last, lastAt = rd, point{x0, xe, k}
				}
			}
		}
		scored[point{x0, xe, k}] = v
		return v
	}
	sc := score(x0, xe, k, math.Inf(1))
	for _, step := range []float64{1, 0.5, 0.25} {
		if step < 1 && !full {
			full = true
			clear(scored)
			sc = score(x0, xe, k, math.Inf(1))
		}
		for moved := true; moved; {
			if ctx.Err() != nil {
				return eanRead{}
			}
			moved = false
			for _, d := range [][3]float64{{step, 0, 0}, {-step, 0, 0}, {0, step, 0}, {0, -step, 0}, {0, 0, step / 2}, {0, 0, -step / 2}} {
				if s2 := score(x0+d[0], xe+d[1], k+d[2], sc); s2 < sc {
					sc = s2
					x0, xe, k = x0+d[0], xe+d[1], k+d[2]
					moved = true
				}
			}
		}
	}
	if math.IsInf(sc, 1) {
		return best
	}
	if fitPrune && lastAt == (point{x0, xe, k}) {
		return last
	}
	if fitSave {
		f.resetLazy(p, geom(x0, xe, k)) // the same weights, the pixels used only
	} else {
		f.reset(p, geom(x0, xe, k))
	}
	return f.decode()
}

// fitPrune switches readBlurredEAN's exact savings (fits given up once
// beaten, weights computed when used, the last fit kept); tests compare
// its reads with and without them.
var fitPrune = true

// barRegion finds the largest area of g that looks like upright bars:
// blocks where the horizontal slope of the luminance is strong and more
// than twice the vertical one (text, edges and texture have both). It
// returns the region's box in pixels (x0, y0, x1, y1) and false when
// there is none.
func barRegion(g *gray) ([4]int, bool) {
	b := max(4, max(g.w, g.h)/40)
	bw, bh := g.w/b, g.h/b
	if bw < 4 || bh < 2 {
		return [4]int{}, false
	}
	gx := make([]float64, bw*bh)
	gy := make([]float64, bw*bh)
	for y := 1; y < bh*b-1 && y < g.h-1; y++ {
		row := g.pix[y*g.w:]
		up, dn := g.pix[(y-1)*g.w:], g.pix[(y+1)*g.w:]
		by := y / b
		for x := 1; x < bw*b && x < g.w-1; x++ {
			dx := int(row[x+1]) - int(row[x-1])
			dy := int(dn[x]) - int(up[x])
			i := by*bw + x/b
			gx[i] += math.Abs(float64(dx))
			gy[i] += math.Abs(float64(dy))
		}
	}
	top := 0.0
	for _, v := range gx {
		top = max(top, v)
	}
	if top == 0 {
		return [4]int{}, false
	}
	on := make([]bool, bw*bh)
	for i := range on {
		on[i] = gx[i] > 0.1*top && gx[i] > 1.5*gy[i]
	}
	// largest 4-connected component
	comp := make([]int, bw*bh)
	bestN := 0
	var bestBox [4]int
	id := 0
	stack := []int{}
	for i := range on {
		if !on[i] || comp[i] != 0 {
			continue
		}
		id++
		comp[i] = id
		stack = append(stack[:0], i)
		n := 0
		box := [4]int{bw, bh, -1, -1}
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			cx, cy := c%bw, c/bw
			box = [4]int{min(box[0], cx), min(box[1], cy), max(box[2], cx), max(box[3], cy)}
			for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := cx+d[0], cy+d[1]
				if nx < 0 || ny < 0 || nx >= bw || ny >= bh {
					continue
				}
				j := ny*bw + nx
				if on[j] && comp[j] == 0 {
					comp[j] = id
					stack = append(stack, j)
				}
			}
		}
		if n > bestN {
			bestN, bestBox = n, box
		}
	}
	if bestN < 4 || bestBox[2]-bestBox[0] < 3 {
		return [4]int{}, false
	}
	return [4]int{bestBox[0] * b, bestBox[1] * b, (bestBox[2] + 1) * b, (bestBox[3] + 1) * b}, true
}

// Acceptance of a blurred read: the fit explains the profile (residual at
// most blurMaxFit of its variance), no digit is badly explained (at most
// blurMaxWorst of its variance left: a geometry that is slightly off
// still finds a valid code, but some digit then fits poorly), the best
// valid code beats the second best by blurMinMargin of its residual, and
// at least three of five bands across the symbol agree on it, and no
// band reads another code. The thresholds
// come from generated symbols (TestBlurredEANNeverWrong), not photos;
// TestBlurredEANOutOfModel checks them on renderings the model does not
// have (other gammas, JPEG, ink spread, perspective, motion blur).
//
// And the code fits at most blurMaxCorrection worse than the best
// patterns with the check digit ignored (free): the check digit verifies
// the read, it does not correct it. Where the symbol is no valid code (a
// torn or patched label, a misprint) the programme still finds a valid
// one by changing a digit, and the margin does not see it (changing any
// other, clean, digit costs far more): 1 of 150 generated torn labels was
// read so before this rule. On the tune photos the accepted bands were
// within 0.6% of their free fit.
const (
	blurMaxFit        = 0.1
	blurMaxWorst      = 0.15
	blurMinMargin     = 0.03
	blurMaxCorrection = 0.02
	blurBands         = 5
	blurAgree         = 3 // bands that must agree
)

// blurLinear maps a pixel value to darkness in linear light: blur mixes
// light, and photos store it gamma-encoded (sRGB, about 2.2).
var blurLinear = func() (t [256]float64) {
	for v := range t {
		t[v] = 255 * (1 - math.Pow(float64(v)/255, 2.2))
	}
	return t
}()

// blurAccept reports whether one band's read passes the fit, digit,
// correction and margin rules. A perfect fit (cost 0) passes when the
// second-best code fits worse; two codes fitting equally well never pass.
func blurAccept(rd eanRead) bool {
	if !rd.ok || rd.winVar <= 0 {
		return false
	}
	return rd.cost/rd.winVar <= blurMaxFit && rd.worst <= blurMaxWorst &&
		rd.cost-rd.free <= blurMaxCorrection*rd.cost &&
		rd.second > rd.cost && rd.second-rd.cost >= blurMinMargin*rd.cost
}

// blurBandRead is one band's read of a blurred EAN-13/UPC-A.
type blurBandRead struct {
	y    int // the band's middle line
	read eanRead
}

// readBlurredBands localises the bars of g (barRegion), averages bands of
// lines across them into profiles and fits each (readBlurredEAN). It
// returns the text read by most bands that pass the fit and margin rules
// ("" when fewer than blurAgree bands agree, or a band reads another
// code) and the bands that read it; nothing when ctx is done.
func readBlurredBands(ctx context.Context, g *gray) (string, []blurBandRead) {
	return readBlurredBandsKeep(ctx, g, nil)
}

// readBlurredBandsKeep is readBlurredBands that also records, in keep
// (when not nil), each band's fit by its middle line.
func readBlurredBandsKeep(ctx context.Context, g *gray, keep map[int]eanRead) (string, []blurBandRead) {
	return readBlurredBandsUntil(ctx, g, keep, "", nil)
}

// readBlurredBandsUntil is readBlurredBandsKeep that stops as soon as a
// band accepts the code until (when not ""), returning it and no bands:
// the bands can then agree on no other code.
// wc, when not nil, keeps the weights of the fits' geometries (see
// weightCache).
func readBlurredBandsUntil(ctx context.Context, g *gray, keep map[int]eanRead, until string, wc *weightCache) (string, []blurBandRead) {
	box, ok := barRegion(g)
	if !ok {
		return "", nil
	}
	return readBlurredBandsIn(ctx, g, box, max(1, g.h/48), keep, until, wc)
}

// readBlurredBandsIn is readBlurredBandsUntil on the bars in box (x0, y0,
// x1, y1), not the region barRegion finds, with bands of 2hb+1 lines.
//
// wc, when not nil, keeps the weights of the fits' geometries (shared
// between bands; see weightCache).
func readBlurredBandsIn(ctx context.Context, g *gray, box [4]int, hb int, keep map[int]eanRead, until string, wc *weightCache) (string, []blurBandRead) {
	prof := make([]float64, g.w)
	votes := map[string][]blurBandRead{}
	bestText := ""
	for n, i := range [blurBands]int{2, 1, 3, 0, 4} {
		if len(votes[bestText])+blurBands-n < blurAgree {
			break // the bands left cannot make an agreement
		}
		y := box[1] + (2*i+1)*(box[3]-box[1])/(2*blurBands)
		if y-hb < 0 || y+hb >= g.h {
			continue
		}
		bandProfile(g, y, hb, prof)
		rd := readBlurredEANIn(ctx, prof, box[0]-g.w/20, box[2]+g.w/20, wc)
		if ctx.Err() != nil {
			return "", nil
		}
		if keep != nil {
			keep[y] = rd
		}
		if !blurAccept(rd) {
			continue
		}
		t := rd.text()
		if until != "" && t == until {
			return until, nil
		}
		votes[t] = append(votes[t], blurBandRead{y, rd})
		if len(votes[t]) > len(votes[bestText]) {
			bestText = t
		}
	}
	if len(votes[bestText]) < blurAgree {
		return "", nil
	}
	// Two different codes passing in one symbol: neither.
	for t, v := range votes {
		if t != bestText && len(v) > 0 {
			return "", nil
		}
	}
	return bestText, votes[bestText]
}

// blurEAN is the cascade's stage for blurred EAN-13 and UPC-A: the bands
// of v that agree (readBlurredBands) are recorded as the lines of one late
// scan, so that the collector's rules apply to them as to any row read
// (two agreeing lines, no rival retail code over the same bars).
func (r *run) blurEAN(v *view) {
	if r.ctx.Err() != nil {
		return
	}
	var keep map[int]eanRead
	if deformEAN {
		keep = map[int]eanRead{}
	}
	var wc *weightCache // the bands' fits share their geometries' weights
	if fitSave {
		wc = getWeightCache()
		defer wc.release()
	}
	text, bands := readBlurredBandsUntil(r.ctx, v.g, keep, "", wc)
	if text == "" {
		if deformEAN && r.ctx.Err() == nil {
			r.deformEANWith(v, keep, wc)
		}
		return
	}
	rows := make([]fittedRow, len(bands))
	for i, b := range bands {
		rows[i] = fittedRow{b.y, b.read.g}
	}
	r.blurReads += r.recordFitted(v, text, rows)
}

// fittedRow is a band of a model reader's read: its middle line and the
// symbol's geometry there.
type fittedRow struct {
	y int
	g eanGeom
}

// recordFitted records the model readers' read text (13 digits) on each of
// its bands as a row read of one late, fitted scan (the collector's rules
// apply as to any row read); it returns the number of rows recorded.
func (r *run) recordFitted(v *view, text string, rows []fittedRow) int {
	format := gozxing.BarcodeFormat_EAN_13
	if text[0] == '0' {
		format, text = gozxing.BarcodeFormat_UPC_A, text[1:]
	}
	r.attempt++
	r.col.late[r.attempt] = true
	r.col.fitted[r.attempt] = true
	seen := map[*hit]bool{}
	for _, b := range rows {
		y, g := float64(b.y), b.g
		pts := []gozxing.ResultPoint{
			gozxing.NewResultPoint(g.x0+1.5*g.m, y),
			gozxing.NewResultPoint(g.x0+(eanModules-1.5)*g.m, y),
		}
		res := gozxing.NewResult(text, nil, pts, format)
		res.PutMetadata(gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER, "]E0")
		clear(seen)
		r.col.addRow(v, res, r.attempt, b.y, 1, seen)
	}
	return len(rows)
}
