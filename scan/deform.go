package scan

import (
	"context"
	"math"
	"slices"
)

// A deformable-template reading of blurred EAN-13 / UPC-A, after Gallo and
// Manduchi ("Reading 1D barcodes with mobile phones using deformable
// templates", IEEE PAMI 2011). The model fit of blurean.go places the
// whole symbol by one geometry (its two ends and a blur width); on a real
// photo the bars are not where a straight ruler puts them (perspective, a
// curved label, a lens), and a digit a module off fits as badly as a wrong
// digit. Here each digit's template may shift along the profile on its
// own, by a few quarter modules, and its shift may differ from its
// neighbour's by at most one step: the guard patterns hold the ends, the
// centre guard the middle. Every digit pattern is scored against the grey
// profile (not binarised) at every shift, with the blur model of
// blurean.go and its own brightness and contrast, and the digits, their
// shifts and the parity pattern are chosen together by dynamic
// programming, the check digit carried in the state. The same dynamic
// programme, with a flag in the state, gives the best code that differs
// from the best one anywhere: a read must beat it clearly, on several
// bands, or nothing is read.

// deformShifts is the number of shift steps either side of the fitted
// geometry; deformStep is a step, in modules.
const (
	deformShifts = 6
	deformStep   = 0.25
	deformNS     = 2*deformShifts + 1
)

// deformCosts holds, for one base geometry, every slot's pattern costs and
// the guards' costs at every shift.
type deformCosts struct {
	slot    [deformNS][12][20]float64 // residual of each pattern (right half: 10)
	slotVar [deformNS][12]float64
	guard   [deformNS][3]float64 // left (with quiet zone), centre, right
	gVar    [deformNS][3]float64
	ok      [deformNS]bool
	scratch *dpScratch
	// anySum makes dp ignore the check digit: the best sequence of
	// patterns over the shifts, valid or not.
	anySum bool
	// path is the last code's shifts: left guard, 12 digits, right guard.
	path [14]int8
}

// guardCosts is guardCost split by guard.
func (f *eanFit) guardCosts() (c, v [3]float64, ok bool) {
	for i, r := range [][2]float64{{-4, 3.5}, {44.5, 50.5}, {91.5, 99}} {
		a, b := f.pixels(r[0], r[1])
		if b-a < 3 {
			return c, v, false
		}
		o, m := f.o[:0], f.m[:0]
		for x := a; x < b; x++ {
			o = append(o, f.p[x])
			m = append(m, f.render(x, &f.base))
		}
		f.o, f.m = o, m
		c[i], v[i] = lsqVar(o, m)
	}
	return c, v, true
}

// fill scores every slot and guard of geometry g at every shift.
func (dc *deformCosts) fill(f *eanFit, p []float64, g eanGeom) {
	if cap(f.o) < 256 {
		f.o, f.m = make([]float64, 0, 256), make([]float64, 0, 256)
	}
	for si := range deformNS {
		dc.ok[si] = false
		h := g
		h.x0 += float64(si-deformShifts) * deformStep * g.m
		if fitSave {
			f.resetLazy(p, h) // the same weights, the pixels used only
		} else {
			f.reset(p, h)
		}
		gc, gv, ok := f.guardCosts()
		if !ok {
			continue
		}
		dc.guard[si], dc.gVar[si] = gc, gv
		good := true
		for j := range 12 {
			at, right := eanLeftAt+7*(j%6), j >= 6
			if right {
				at = eanRightAt + 7*(j-6)
			}
			c := f.slotCosts(at, right, f.costs[j])
			f.costs[j] = c
			if len(c) == 0 {
				good = false
				break
			}
			copy(dc.slot[si][j][:], c)
			dc.slotVar[si][j] = f.lastVar
		}
		dc.ok[si] = good
	}
}

// deformRead is the outcome of the dynamic programme on one profile.
type deformRead struct {
	digits [13]int
	cost   float64 // residual of the best code at its best shifts
	second float64 // residual of the best other valid code
	winVar float64 // variance of the windows, at the best code's shifts
	worst  float64 // largest share of a digit's variance left by the best code
	// free is the residual of the best sequence of patterns, check digit
	// ignored, over the same shifts and geometries.
	free float64
	// freeSecond is the residual of the best sequence of patterns, check
	// digit ignored, that differs from the code somewhere.
	freeSecond float64
	path       [14]int8 // the code's shifts (deformCosts.path)
	g          eanGeom
	ok         bool
	// margin0 is the margin at the base geometry alone (for tuning).
	margin0 float64
}

// deformState is the dynamic programme's cost per shift, check sum and
// differs flag; deformBack its back pointer.
type deformState = [deformNS][10][2]float64

type deformBack struct {
	prev  int8 // previous shift
	digit int8
	flag  int8 // previous flag
}

// slotWeight is the check-digit weight of the digit in slot j (0-based,
// after the first digit): 3, then 1, alternately.
func slotWeight(j int) int {
	if j%2 == 1 {
		return 1
	}
	return 3
}

// step advances the programme over slot j (pattern offset off, added cost
// extra per shift before the slot: the centre guard) from cur into nxt.
// With other set, the flag records whether a digit differs from other's.
func (dc *deformCosts) step(cur, nxt *deformState, back *[deformNS][10][2]deformBack, j, off int, extra *[deformNS]float64, other *[13]int) {
	const ns = deformNS
	inf := math.Inf(1)
	w := slotWeight(j)
	// od is the digit of other in this slot; a digit unlike it sets the
	// flag (without other, no digit does: setFlag 0).
	nfl, od, setFlag := 1, -1, 0
	if other != nil {
		nfl, od, setFlag = 2, other[j+1], 1
	}
	for i := range ns {
		for s := range 10 {
			nxt[i][s] = [2]float64{inf, inf}
		}
	}
	for i := range ns {
		if !dc.ok[i] {
			continue
		}
		ex := 0.0
		if extra != nil {
			ex = extra[i]
		}
		cs := &dc.slot[i][j]
		for s := range 10 {
			for fl := range nfl {
				// the best previous shift within a step
				a, pb := inf, -1
				for pi := max(0, i-1); pi <= min(ns-1, i+1); pi++ {
					if v := cur[pi][s][fl]; v < a {
						a, pb = v, pi
					}
				}
				if pb < 0 {
					continue
				}
				a += ex
				n := s
				for d := range 10 {
					v := a + cs[off+d]
					nf := fl
					if d != od {
						nf |= setFlag
					}
					if v < nxt[i][n][nf] {
						nxt[i][n][nf] = v
						back[i][n][nf] = deformBack{int8(pb), int8(d), int8(fl)}
					}
					if n += w; n >= 10 {
						n -= 10
					}
				}
			}
		}
	}
}

// deformNode is a node of the trie of the ten parity patterns of the
// left half: a distinct prefix of length depth+1, its parent (-1 at depth
// 0) and the code set of its last slot (off 0: L, 10: G). The nodes are
// in depth-first order, so the programme runs each prefix once (34 slot
// steps instead of 60) with one state per depth.
type deformNode struct{ depth, parent, off int }

var deformTrie, deformLeaf = func() ([]deformNode, [10]int) {
	var nodes []deformNode
	var leaf [10]int
	idx := map[[2]int]int{} // (depth, prefix bits) -> node
	// first digits in the lexicographic order of their patterns
	order := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for i := range order {
		for j := i + 1; j < len(order); j++ {
			if eanParity[order[j]] < eanParity[order[i]] {
				order[i], order[j] = order[j], order[i]
			}
		}
	}
	for _, f := range order {
		par := eanParity[f]
		parent := -1
		for j := range 6 {
			key := [2]int{j, par >> (5 - j)}
			k, ok := idx[key]
			if !ok {
				k = len(nodes)
				idx[key] = k
				nodes = append(nodes, deformNode{j, parent, 10 * (par >> (5 - j) & 1)})
			}
			parent = k
		}
		leaf[f] = parent
	}
	return nodes, leaf
}()

// dpScratch holds the back pointers of the programme.
type dpScratch struct {
	backL [34][deformNS][10][2]deformBack
	backR [6][deformNS][10][2]deformBack
}

// dp chooses the best valid code over the shifts (other nil), or the best
// valid code that differs from other somewhere. It returns the code, its
// cost, the windows' variance and the worst digit's share. The left half
// runs over the trie of parity patterns from a check sum of 0 (the first
// digit, weight 1, is added at the centre), the right half once from the
// best state at the centre over the first digits.
func (dc *deformCosts) dp(other *[13]int) (digits [13]int, cost, winVar, worst float64) {
	const ns = deformNS
	inf := math.Inf(1)
	cost = inf
	if dc.scratch == nil {
		dc.scratch = &dpScratch{}
	}
	backL, backR := &dc.scratch.backL, &dc.scratch.backR
	var mid deformState
	var midFirst, midFl [ns][10][2]int8 // the first digit and the left half's flag
	for i := range ns {
		for s := range 10 {
			mid[i][s] = [2]float64{inf, inf}
		}
	}
	var start deformState
	for i := range ns {
		for s := range 10 {
			start[i][s] = [2]float64{inf, inf}
		}
		if dc.ok[i] {
			start[i][0][0] = dc.guard[i][0]
		}
	}
	var byDepth [6]deformState
	for k, nd := range deformTrie {
		from := &start
		if nd.depth > 0 {
			from = &byDepth[nd.depth-1]
		}
		dc.step(from, &byDepth[nd.depth], &backL[k], nd.depth, nd.off, nil, other)
		if nd.depth < 5 {
			continue
		}
		for first, l := range deformLeaf {
			if l != k {
				continue
			}
			f0 := 0
			if other != nil && other[0] != first {
				f0 = 1
			}
			end := &byDepth[5]
			for i := range ns {
				for s := range 10 {
					s2 := (s + first) % 10
					for fl := range 2 {
						if v := end[i][s][fl]; v < mid[i][s2][fl|f0] {
							mid[i][s2][fl|f0] = v
							midFirst[i][s2][fl|f0] = int8(first)
							midFl[i][s2][fl|f0] = int8(fl)
						}
					}
				}
			}
		}
	}
	var cur, nxt deformState
	var centre [ns]float64
	for i := range ns {
		centre[i] = dc.guard[i][1]
	}
	cur = mid
	for j := 6; j < 12; j++ {
		ex := (*[ns]float64)(nil)
		if j == 6 {
			ex = &centre
		}
		dc.step(&cur, &nxt, &backR[j-6], j, 0, ex, other)
		cur, nxt = nxt, cur
	}
	// the right guard, at most a step from the last digit
	want := 0
	if other != nil {
		want = 1
	}
	endI, endG, endS := -1, -1, 0
	sums := 1
	if dc.anySum {
		sums = 10
	}
	for i := range ns {
		if !dc.ok[i] {
			continue
		}
		for pi := max(0, i-1); pi <= min(ns-1, i+1); pi++ {
			for es := range sums {
				if v := cur[pi][es][want] + dc.guard[i][2]; v < cost {
					cost, endI, endG, endS = v, pi, i, es
				}
			}
		}
	}
	if endI < 0 {
		return digits, inf, 0, 0
	}
	i, s, fl := endI, endS, want
	winVar = dc.gVar[endG][2]
	var shifts [12]int
	for j := 11; j >= 6; j-- {
		b := backR[j-6][i][s][fl]
		d := int(b.digit)
		digits[j+1], shifts[j] = d, i
		s = ((s-slotWeight(j)*d)%10 + 10) % 10
		i, fl = int(b.prev), int(b.flag)
	}
	first := int(midFirst[i][s][fl])
	digits[0] = first
	// back to the left half's own sum and flag
	s, fl = ((s-first)%10+10)%10, int(midFl[i][s][fl])
	for j, k := 5, deformLeaf[first]; j >= 0; j, k = j-1, deformTrie[k].parent {
		b := backL[k][i][s][fl]
		d := int(b.digit)
		digits[j+1], shifts[j] = d, i
		s = ((s-slotWeight(j)*d)%10 + 10) % 10
		i, fl = int(b.prev), int(b.flag)
	}
	winVar += dc.gVar[i][0] + dc.gVar[shifts[6]][1]
	dc.path[0], dc.path[13] = int8(i), int8(endG)
	for j, v := range shifts {
		dc.path[j+1] = int8(v)
	}
	par := eanParity[first]
	for j := range 12 {
		off := 0
		if j < 6 && par&(1<<(5-j)) != 0 {
			off = 10
		}
		si := shifts[j]
		winVar += dc.slotVar[si][j]
		if v := dc.slotVar[si][j]; v > 0 {
			worst = max(worst, dc.slot[si][j][off+digits[j+1]]/v)
		}
	}
	return digits, cost, winVar, worst
}

// deformGeoms are the variations of the fitted geometry the best other
// code is also sought over: blur width and module width.
var deformGeoms = [][2]float64{{0, 0}, {-0.25, 0}, {0.25, 0}, {0, -0.015}, {0, 0.015}}

// readDeformEAN reads p within [lo, hi) with shifting digit templates
// around base, the model fit of readBlurredEAN, and its variations. The
// best code is the best over all of them, the second the best other valid
// code over all of them; free and freeSecond are the best and the best
// other sequences of patterns with the check digit ignored. A band that fails deformAccept at the base
// geometry alone is given up early (more geometries can only lower the
// margin), and returned with ok false.
func readDeformEAN(ctx context.Context, p []float64, base eanRead) deformRead {
	if !base.ok || ctx.Err() != nil {
		return deformRead{}
	}
	f := &eanFit{}
	var dcs []deformCosts
	if fitSave {
		d := getDeform()
		defer deformPool.Put(d)
		f, dcs = &d.f, d.dcs
	} else {
		dcs = make([]deformCosts, len(deformGeoms))
	}
	var rd deformRead
	rd.cost = math.Inf(1)
	for k, v := range deformGeoms {
		g := base.g
		g.sigma += v[0] * g.m
		m := g.m * (1 + v[1])
		g.x0 -= (m - g.m) * eanModules / 2
		g.m = m
		if ctx.Err() != nil {
			return deformRead{}
		}
		if g.sigma < 0.3*g.m {
			continue
		}
		dcs[k].fill(f, p, g)
		d, c, wv, worst := dcs[k].dp(nil)
		if c < rd.cost {
			rd.digits, rd.cost, rd.winVar, rd.worst, rd.g = d, c, wv, worst, g
			rd.path = dcs[k].path
		}
		if k == 0 {
			if math.IsInf(rd.cost, 1) {
				return deformRead{}
			}
			if rd.winVar <= 0 || rd.cost > deformGiveUpFit*rd.winVar || rd.worst > deformGiveUpWorst {
				return rd // not ok
			}
			_, rd.second, _, _ = dcs[0].dp(&rd.digits)
			rd.margin0 = rd.second/rd.cost - 1
			if rd.second < (1+deformGiveUpMargin)*rd.cost {
				return rd
			}
		}
	}
	rd.second, rd.free, rd.freeSecond = math.Inf(1), math.Inf(1), math.Inf(1)
	for k := range dcs {
		if ctx.Err() != nil {
			return deformRead{}
		}
		_, c, _, _ := dcs[k].dp(&rd.digits)
		rd.second = min(rd.second, c)
		dcs[k].anySum = true
		_, c, _, _ = dcs[k].dp(nil)
		rd.free = min(rd.free, c)
		_, c, _, _ = dcs[k].dp(&rd.digits)
		rd.freeSecond = min(rd.freeSecond, c)
		dcs[k].anySum = false
	}
	rd.ok = true
	return rd
}

// Acceptance of a band's deformable read: the fit leaves at most
// deformMaxFit of the windows' variance, no digit more than deformMaxWorst
// of its own, and the best other valid code, over every shift and
// geometry tried, fits at least deformMinMargin worse. On the tune
// photos, wrong codes that fit well (0.05) were 3-7% ahead of the next;
// right reads mostly 25-100%. No accepted band of a tune photo left a
// digit more than 0.295 (deformMaxWorst was 0.35 at first): a generated
// EAN-13 with one digit blotted was read, its first digit and two
// left-half parities changed, with every band's worst digit at 0.31-0.36.
//
// And the code is the best sequence of patterns with the check digit
// ignored (free), give or take deformMaxCorrection of its residual: the
// check digit verifies the read, it does not correct it. The programme
// can always make a valid code by changing a digit (and, with the
// templates free to shift, a shifted digit often looks like another);
// where the symbol is not a valid code (a torn or patched label, a
// misprint) or one digit is unreadable (a crease, glare), that digit is
// then whatever the check digit says, and the margin does not see it:
// changing any other, clean, digit costs far more. A check digit can
// correct one digit or detect one wrong digit, not both. Generated torn
// labels read wrong were 30-50% above their free code; on the tune
// photos every accepted band's code was its free code.
const (
	deformMaxFit        = 0.15
	deformMaxWorst      = 0.3
	deformMinMargin     = 0.2
	deformMaxCorrection = 0.02
	deformAgree         = 3
)

// A band is given up after the base geometry when its fit leaves more
// than deformGiveUpFit of the variance, a digit more than
// deformGiveUpWorst of its own, or the next code is less than
// deformGiveUpMargin behind: the other geometries are not tried. When
// the first deformGiveUpBands bands (from the middle) accept nothing, the
// outer ones are not read.
const (
	deformGiveUpFit    = 0.3
	deformGiveUpWorst  = 0.7
	deformGiveUpMargin = 0.04
	deformGiveUpBands  = 5
)

// deformAccept reports whether one band's read passes the rules above.
func deformAccept(rd deformRead) bool {
	if !rd.ok || rd.winVar <= 0 || math.IsInf(rd.cost, 1) {
		return false
	}
	return rd.cost/rd.winVar <= deformMaxFit && rd.worst <= deformMaxWorst &&
		rd.cost-rd.free <= deformMaxCorrection*rd.cost &&
		rd.second > rd.cost && rd.second-rd.cost >= deformMinMargin*rd.cost
}

// text returns the 13 digits.
func (rd deformRead) text() string {
	b := make([]byte, 13)
	for i, d := range rd.digits {
		b[i] = byte('0' + d)
	}
	return string(b)
}

// bandProfile averages the lines of g around y (±hb) in linear light into
// prof (the profile both model readers, blurean.go and this, fit).
func bandProfile(g *gray, y, hb int, prof []float64) {
	clear(prof)
	for yy := y - hb; yy <= y+hb; yy++ {
		row := g.pix[yy*g.w : (yy+1)*g.w]
		for x, v := range row {
			prof[x] += blurLinear[v]
		}
	}
	for x := range prof {
		prof[x] /= float64(2*hb + 1)
	}
}

// deformBand is one band's read.
type deformBand struct {
	y    int
	read deformRead
	base eanRead // the model fit it started from
}

// deformBandAt lists the bands readDeformBands reads, from the middle
// out, in tenths of the bar region's height: the odd ones are the bands
// of readBlurredBands, whose fits are reused.
var deformBandAt = []int{5, 4, 6, 3, 7, 2, 8, 1, 9}

// readDeformBands reads the bands of g's bar region (barRegion) with
// readDeformEAN; bases holds the model fits of readBlurredBands by band
// line (a band missing is fitted here). It stops when the bands left
// cannot make an agreement, and returns every band's read.
func readDeformBands(ctx context.Context, g *gray, bases map[int]eanRead) []deformBand {
	return readDeformBandsUntil(ctx, g, bases, "", nil)
}

// readDeformBandsUntil is readDeformBands that stops as soon as a band
// accepts the code until (when not ""): the bands read so far, that band
// last (deformVote can then return no other code).
// wc, when not nil, keeps the weights of the model fits of the bands it
// fits (see weightCache).
func readDeformBandsUntil(ctx context.Context, g *gray, bases map[int]eanRead, until string, wc *weightCache) []deformBand {
	box, ok := barRegion(g)
	if !ok {
		return nil
	}
	return readDeformBandsIn(ctx, g, box, max(1, g.h/48), bases, until, wc)
}

// readDeformBandsIn is readDeformBandsUntil on the bars in box (x0, y0,
// x1, y1), not the region barRegion finds, with bands of 2hb+1 lines.
// wc, when not nil, keeps the weights of the model fits of the bands it
// fits (see weightCache).
func readDeformBandsIn(ctx context.Context, g *gray, box [4]int, hb int, bases map[int]eanRead, until string, wc *weightCache) []deformBand {
	prof := make([]float64, g.w)
	var out []deformBand
	accepted, bestFit, best := 0, math.Inf(1), -1
	for n, k := range deformBandAt {
		if accepted == 0 && (n >= deformGiveUpBands || len(deformBandAt)-n < deformAgree) {
			break
		}
		y := box[1] + k*(box[3]-box[1])/10
		if y-hb < 0 || y+hb >= g.h {
			continue
		}
		bandProfile(g, y, hb, prof)
		base, ok := bases[y]
		if !ok {
			base = readBlurredEANIn(ctx, prof, box[0]-g.w/20, box[2]+g.w/20, wc)
		}
		rd := readDeformEAN(ctx, prof, base)
		if ctx.Err() != nil {
			return nil
		}
		out = append(out, deformBand{y, rd, base})
		if deformAccept(rd) {
			if until != "" && rd.text() == until {
				return out
			}
			accepted++
			if f := rd.cost / rd.winVar; f < bestFit {
				bestFit, best = f, len(out)-1
			}
		}
	}
	if accepted == 0 || accepted == len(out) {
		return out
	}
	// The bands share one symbol: a band whose own fit found no code is
	// read again from the geometry of the band that fitted best (its
	// templates may still shift by a module and a half).
	shared := out[best].base
	for i, b := range out {
		if deformAccept(b.read) || ctx.Err() != nil {
			continue
		}
		bandProfile(g, b.y, hb, prof)
		if rd := readDeformEAN(ctx, prof, shared); deformAccept(rd) {
			out[i].read, out[i].base = rd, shared
			if until != "" && rd.text() == until {
				return out
			}
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	return out
}

// deformMinFreeMargin is the least median, over the bands that agree, of
// the margin of the code over the best other sequence of patterns with
// the check digit ignored (deformRead.freeSecond): each digit must be
// its slot's clear best, not one of several that fit about as well. A
// slot that is no digit (a blot of ink or glare, a crease) fits some
// pattern, the templates shifting around it; one time in ten the code is
// then valid, and the margin over other valid codes (which must change
// a second, clean, digit) does not see it. On generated blots read wrong
// the median was 0.03-0.07; on the tune photos read by this stage
// 0.10 and up (0.2 typical).
const deformMinFreeMargin = 0.08

// deformVote returns the code that at least deformAgree bands accept, ""
// when there is none, when a band accepts another code or when the
// bands' median free margin is under deformMinFreeMargin.
func deformVote(bands []deformBand) (string, []deformBand) {
	votes := map[string][]deformBand{}
	for _, b := range bands {
		if deformAccept(b.read) {
			t := b.read.text()
			votes[t] = append(votes[t], b)
		}
	}
	if len(votes) != 1 {
		return "", nil
	}
	for t, v := range votes {
		if len(v) < deformAgree {
			return "", nil
		}
		fm := make([]float64, len(v))
		for i, b := range v {
			switch rd := b.read; {
			case rd.freeSecond <= rd.cost:
				fm[i] = 0
			case rd.cost == 0:
				fm[i] = math.Inf(1)
			default:
				fm[i] = rd.freeSecond/rd.cost - 1
			}
		}
		slices.Sort(fm)
		if fm[(len(fm)-1)/2] < deformMinFreeMargin {
			return "", nil
		}
		return t, v
	}
	return "", nil
}

// deformEANDefault is whether the cascade runs the deformable-template
// reader after the blurred EAN stage read nothing; deformEAN is the
// setting in force (benchmarks switch it).
const deformEANDefault = true

var deformEAN = deformEANDefault

// deformEAN is the cascade's deformable-template stage, run when the
// blurred EAN stage's bands agreed on nothing: bands reads the model fits
// of that stage by band line. A code that deformAgree bands accept, with
// no band accepting another, is recorded as the lines of one late, fitted
// scan, as the blurred EAN stage records its reads, so the collector's
// rules apply (two agreeing lines, no rival retail code over the bars).
//
// The blurred EAN stage reads nothing also when its bands accept two
// codes; a band it accepted with another code than the vote's vetoes
// the vote, as a band of this stage would.
func (r *run) deformEAN(v *view, bases map[int]eanRead) {
	r.deformEANWith(v, bases, nil)
}

// deformEANWith is deformEAN with the weights of its model fits kept in
// wc (when not nil; see weightCache).
func (r *run) deformEANWith(v *view, bases map[int]eanRead, wc *weightCache) {
	text, bands := deformVote(readDeformBandsUntil(r.ctx, v.g, bases, "", wc))
	if text == "" || r.ctx.Err() != nil {
		return
	}
	for _, b := range bases {
		if blurAccept(b) && b.text() != text {
			return
		}
	}
	rows := make([]fittedRow, len(bands))
	for i, b := range bands {
		rows[i] = fittedRow{b.y, b.read.g}
	}
	r.deformReads += r.recordFitted(v, text, rows)
}
