package ocr

import (
	"fmt"
	"image"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/otiai10/gosseract/v2"
)

// Row strips read again. The page reading (psm 6 over the whole page) is
// poorest exactly where a receipt photo is: small characters, a bent or
// tilted line, blur. A row whose checks fail in the page reading — an
// amount that is not money where the amounts' column is, qty × unit price
// ≠ amount — is cut out of the page along its own baseline (the slope
// through its words' centres: the row is straightened, whatever the
// tilt or curl of the paper around it), scaled to rowReadHeight and read
// as one line (psm 7). The re-reading replaces the row's words only when
// it passes the check the page reading failed; otherwise the page's
// reading stands. Nothing is hidden: the document's checks (the lines'
// sum against the total) still flag whatever does not reconcile.

// rowReadHeight is the height in pixels a row's words are scaled to
// before the row is read again.
const rowReadHeight = 36

// rowReadMax caps the rows read again on one page (the cost: a row strip
// takes about 20–60 ms).
const rowReadMax = 24

// rowReadTrace, when set (development aids), is told each row read
// again: the page's reading, the row's and whether it was taken.
var rowReadTrace func(before, after string, stBefore, stAfter rowState, taken bool, strip *grayImg)

// rowState is how far a row's reading passes the receipt checks.
type rowState int

const (
	rowNoAmount   rowState = iota // no money where the amounts' column is
	rowFailed                     // an item whose qty × price ≠ amount
	rowAmountOnly                 // an item with an amount and nothing to check it
	rowChecked                    // qty × price = amount
)

// judgeRow tells a row's state as the receipt finder would read it.
func judgeRow(r *row, colX, tol int, haveCol bool) rowState {
	it, ok := parseReceiptRow(r, colX, tol, haveCol)
	if !ok {
		return rowNoAmount
	}
	switch {
	case it.hasPrice && it.hasQty:
		if it.qty*it.price == it.amount {
			return rowChecked
		}
		return rowFailed
	case it.hasPrice:
		if it.price != 0 && it.amount%it.price == 0 && it.amount/it.price > 0 && it.amount/it.price < 1000 {
			return rowChecked
		}
		return rowFailed
	}
	return rowAmountOnly
}

// rowWantsReread reports whether a row the page read is worth reading
// again: an item whose check fails, or a row with a description and
// something unreadable as money where the amounts' column is.
func rowWantsReread(r *row, st rowState, colX, tol int, haveCol bool) bool {
	switch st {
	case rowFailed:
		return true
	case rowNoAmount:
	default:
		return false
	}
	if !haveCol || isSummaryRow(r) || letterCount(r.text()) < 2 {
		return false
	}
	// The row's last word ends at the amounts' column (or past it) but is
	// not read as money: digits misread, a point lost, specks.
	last := r.words[len(r.words)-1]
	if abs(last.Box.Max.X-colX) > max(tol, r.rite/8) && last.Box.Max.X < colX {
		return false
	}
	s := cleanWord(last.Text)
	return countDigits(s) >= 1 || last.Conf < 60
}

// unreadAmount reports a row with a description and ink but no word where
// the amounts' column is: an amount the page reading did not see at all.
func unreadAmount(g *grayImg, words []Word, idx []int, r *row, colX int, haveCol bool) bool {
	if !haveCol || len(idx) == 0 || isSummaryRow(r) || letterCount(r.text()) < 3 {
		return false
	}
	ws := make([]Word, len(idx))
	top, bot, rite := g.h, 0, 0
	for k, i := range idx {
		ws[k] = words[i]
		top, bot, rite = min(top, words[i].Box.Min.Y), max(bot, words[i].Box.Max.Y), max(rite, words[i].Box.Max.X)
	}
	h := rowHeight(ws)
	x0, x1 := colX-4*h, min(colX+h/2, g.w)
	if rite >= x0 || x0 < 0 || bot-top > 3*h {
		return false
	}
	// The band of the row's words, a little narrower: the ink of the
	// rows above and below stays out.
	y0, y1 := top+h/5, bot-h/5
	n, dark := 0, 0
	for y := max(y0, 0); y < min(y1, g.h); y++ {
		for x := x0; x < x1; x++ {
			n++
			if g.pix[y*g.w+x] < 128 {
				dark++
			}
		}
	}
	return n > 0 && dark*20 >= n
}

// rowReread reads again the rows of a page whose checks fail (see the
// file comment) and replaces their words where the re-reading passes.
// It uses the page client in single-line mode and restores psm 6.
func (e *Engine) rowReread(c *gosseract.Client, g *grayImg, p *Page) error {
	if len(p.Words) < 5 {
		return nil
	}
	// Rows are grouped on baselines levelled by groupRows; the words'
	// page boxes are found again by their index, carried in Alt.
	tagged := make([]Word, len(p.Words))
	for i, w := range p.Words {
		w.Alt = strconv.Itoa(i)
		tagged[i] = w
	}
	rows := groupRows(tagged)
	colX, tol, haveCol := amountColumn(rows, p.Width)
	stop := len(rows)
	for i, r := range rows {
		s := compactUpper(r)
		if (isTotalRow(s) || isSubtotalRow(s) || fuzzyTotal(r)) && i > 2 {
			stop = i
			break
		}
	}
	type pick struct {
		idx []int
		st  rowState
		r   *row
	}
	var picks []pick
	for _, r := range rows[:stop] {
		st := judgeRow(r, colX, tol, haveCol)
		var idx []int
		for _, w := range r.words {
			i, err := strconv.Atoi(w.Alt)
			if err == nil {
				idx = append(idx, i)
			}
		}
		if hasItemCode(r) || !rowWantsReread(r, st, colX, tol, haveCol) && !(st == rowNoAmount && unreadAmount(g, p.Words, idx, r, colX, haveCol)) {
			continue
		}
		picks = append(picks, pick{idx, st, r})
		if len(picks) == rowReadMax {
			break
		}
	}
	if len(picks) == 0 {
		return nil
	}
	// The text's right edge: an amount missed by the page reading lies
	// within it.
	right := 0
	for _, w := range p.Words {
		right = max(right, w.Box.Max.X)
	}
	ompSingleThread()
	if err := c.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
		return err
	}
	defer c.SetPageSegMode(gosseract.PSM_SINGLE_BLOCK)
	drop := map[int]bool{}
	var add []Word
	for _, pk := range picks {
		ws := make([]Word, len(pk.idx))
		for k, i := range pk.idx {
			ws[k] = p.Words[i]
		}
		strip := cutRow(g, ws, min(right+rowHeight(ws), g.w))
		if strip == nil {
			continue
		}
		if err := c.SetImageFromBytes(strip.img.pgm()); err != nil {
			return fmt.Errorf("ocr: set row image: %w", err)
		}
		boxes, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
		if err != nil {
			return fmt.Errorf("ocr: recognise row: %w", err)
		}
		var got []Word
		for _, b := range boxes {
			if strings.TrimSpace(b.Word) == "" {
				continue
			}
			got = append(got, Word{Text: b.Word, Box: strip.toPage(b.Box), Conf: b.Confidence})
		}
		if len(got) == 0 {
			continue
		}
		// Judge the new reading on the row's levelled band, as the page's
		// rows are judged.
		nr := &row{top: pk.r.top, bot: pk.r.bot, left: got[0].Box.Min.X, rite: got[0].Box.Max.X}
		for _, w := range got {
			lw := w
			lw.Box.Min.Y, lw.Box.Max.Y = pk.r.top, pk.r.bot
			nr.words = append(nr.words, lw)
			nr.left, nr.rite = min(nr.left, w.Box.Min.X), max(nr.rite, w.Box.Max.X)
		}
		sort.Slice(nr.words, func(i, j int) bool { return nr.words[i].Box.Min.X < nr.words[j].Box.Min.X })
		after := judgeRow(nr, colX, tol, haveCol)
		taken := rereadPasses(pk.st, after) && !isSummaryRow(nr) && (pk.st != rowFailed || readingsAgree(pk.r, nr, colX, tol, haveCol))
		if rowReadTrace != nil {
			rowReadTrace(pk.r.text(), nr.text(), pk.st, after, taken, strip.img)
		}
		if !taken {
			continue
		}
		for _, i := range pk.idx {
			drop[i] = true
		}
		add = append(add, got...)
	}
	if len(drop) == 0 {
		return nil
	}
	out := make([]Word, 0, len(p.Words)-len(drop)+len(add))
	for i, w := range p.Words {
		if !drop[i] {
			out = append(out, w)
		}
	}
	p.Words = append(out, add...)
	return nil
}

// rereadPasses reports whether a row's re-reading passes a check its page
// reading failed: an amount now read where there was none, or qty × price
// = amount where it did not hold.
func rereadPasses(before, after rowState) bool {
	switch before {
	case rowNoAmount:
		return after >= rowAmountOnly
	case rowFailed:
		return after == rowChecked
	}
	return false
}

// hasItemCode reports a row holding a word read as an item code: the
// coded table's rows are checked by their codes' second reading
// (verify.go), not by the receipt checks; a strip misreading the code
// would pass them (seen on a generated A4 tuning render).
func hasItemCode(r *row) bool {
	for _, w := range r.words {
		if _, ok := readIDToken(cleanWord(w.Text)); ok && countDigits(w.Text) >= 4 {
			return true
		}
	}
	return false
}

// readingsAgree reports whether a row's re-reading keeps two of the page
// reading's three numbers (quantity, unit price, amount; a quantity not
// printed in either reading counts as kept): a failed row is taken as
// repaired only when the check confirms a change to one number. A
// re-reading that changes two would pass its check wrongly ("2.08 2.08"
// for "2.09 2.03"; "1 273.30 273.30" for "10 27.38 273.30").
func readingsAgree(before, after *row, colX, tol int, haveCol bool) bool {
	a, okA := parseReceiptRow(before, colX, tol, haveCol)
	b, okB := parseReceiptRow(after, colX, tol, haveCol)
	if !okA || !okB {
		return false
	}
	kept := 0
	if a.hasQty == b.hasQty && a.qty == b.qty {
		kept++
	}
	if a.hasPrice && b.hasPrice && a.price == b.price {
		kept++
	}
	if a.amount == b.amount {
		kept++
	}
	return kept >= 2
}

// rowHeight is the median height of a row's word boxes.
func rowHeight(ws []Word) int {
	hs := make([]int, len(ws))
	for i, w := range ws {
		hs[i] = w.Box.Dy()
	}
	sort.Ints(hs)
	return max(hs[len(hs)/2], 1)
}

// rowStrip is a row cut out of the page and straightened: strip pixel
// (u, v) shows page point (x0 + (u-pad)/k, centre(x) + (v-pad)/k - half),
// centre sampled every step pixels from x0.
type rowStrip struct {
	img          *grayImg
	x0, k        float64
	centre       []float64
	step         float64
	half         float64
	pad          int
	pageH, pageW int
}

// centreAt interpolates the row's centre line at page x.
func (s *rowStrip) centreAt(x float64) float64 {
	f := (x - s.x0) / s.step
	if f <= 0 {
		return s.centre[0]
	}
	i := int(f)
	if i >= len(s.centre)-1 {
		return s.centre[len(s.centre)-1]
	}
	a := f - float64(i)
	return s.centre[i]*(1-a) + s.centre[i+1]*a
}

// toPage maps a box of the strip back to page coordinates.
func (s *rowStrip) toPage(b image.Rectangle) image.Rectangle {
	x := func(u int) float64 { return s.x0 + float64(u-s.pad)/s.k }
	x0, x1 := x(b.Min.X), x(b.Max.X)
	c := s.centreAt((x0 + x1) / 2)
	y0 := c + float64(b.Min.Y-s.pad)/s.k - s.half
	y1 := c + float64(b.Max.Y-s.pad)/s.k - s.half
	r := image.Rect(int(math.Round(x0)), int(math.Round(y0)), int(math.Round(x1)), int(math.Round(y1)))
	return r.Intersect(image.Rect(0, 0, s.pageW, s.pageH))
}

// rowInk is the darkness that counts as ink on a flattened page.
const rowInk = 140

// cutRow cuts the band of a row from its leftmost word to right,
// straightened and scaled so that the words are rowReadHeight high; nil
// when too small. Along its words the row's centre line is the line
// through their centres; right of its last word (where an amount the page
// reading missed lies) the line follows the ink, so that a curled or
// tilted row is followed to its end.
func cutRow(g *grayImg, ws []Word, right int) *rowStrip {
	h := rowHeight(ws)
	if h < 4 {
		return nil
	}
	x0, xe := ws[0].Box.Min.X, ws[0].Box.Max.X
	for _, w := range ws {
		x0, xe = min(x0, w.Box.Min.X), max(xe, w.Box.Max.X)
	}
	left := float64(max(x0-h/2, 0))
	// Centre line: least squares through the words' centres, weighted by
	// width; one word gives a level line.
	var sw, sx, sy, sxx, sxy float64
	for _, w := range ws {
		cx, cy := float64(w.Box.Min.X+w.Box.Max.X)/2, float64(w.Box.Min.Y+w.Box.Max.Y)/2
		wt := float64(max(w.Box.Dx(), 1))
		sw += wt
		sx += wt * cx
		sy += wt * cy
		sxx += wt * cx * cx
		sxy += wt * cx * cy
	}
	mx, my := sx/sw, sy/sw
	slope := 0.0
	if v := sxx/sw - mx*mx; v > float64(h*h) {
		slope = (sxy/sw - mx*my) / v
	}
	// A row tilts by at most a few degrees; more is a fit to two words
	// of different heights.
	slope = math.Max(-0.08, math.Min(0.08, slope))
	fh := float64(h)
	step := fh / 2
	n := int(math.Ceil((float64(right)-left)/step)) + 2
	centre := make([]float64, n)
	y := my + slope*(left-mx)
	for i := range centre {
		x := left + float64(i)*step
		if x <= float64(xe) {
			y = my + slope*(x-mx)
		} else {
			// Follow the ink: the centroid of the dark pixels in a window
			// one text height wide around the line, moving at most a
			// quarter height a step and only where there is ink.
			y += slope * step
			var s, m float64
			for yy := int(y - 0.7*fh); yy <= int(y+0.7*fh); yy++ {
				if yy < 0 || yy >= g.h {
					continue
				}
				for xx := int(x); xx < min(int(x+fh), g.w); xx++ {
					if v := g.pix[yy*g.w+xx]; v < rowInk {
						d := float64(rowInk - v)
						s += d
						m += d * float64(yy)
					}
				}
			}
			if s > 2*float64(rowInk)*fh {
				d := math.Max(-0.25*fh, math.Min(0.25*fh, m/s-y))
				y += d / 2
			}
		}
		centre[i] = y
	}
	k := float64(rowReadHeight) / fh
	half := 0.5*fh + 0.35*fh
	const pad = 10
	wOut := int(math.Round((float64(right) - left) * k))
	hOut := int(math.Round(2 * half * k))
	if wOut < 8 || hOut < 8 || wOut > 8000 {
		return nil
	}
	s := &rowStrip{x0: left, k: k, centre: centre, step: step, half: half, pad: pad, pageW: g.w, pageH: g.h}
	out := newGray(wOut+2*pad, hOut+2*pad)
	for i := range out.pix {
		out.pix[i] = 255
	}
	for u := 0; u < wOut; u++ {
		xp := left + (float64(u)+0.5)/k
		c := s.centreAt(xp)
		for v := 0; v < hOut; v++ {
			yp := c + (float64(v)+0.5)/k - half
			if xp < 0 || yp < 0 || xp > float64(g.w-1) || yp > float64(g.h-1) {
				continue
			}
			out.pix[(v+pad)*out.w+u+pad] = uint8(math.Round(bilinear(g, xp, yp)))
		}
	}
	stretch(out)
	s.img = out
	return s
}

// stretch spreads a strip's grey levels: its darkest ink (the 1st
// percentile) becomes black and its paper (the 60th percentile) white, so
// that faint thermal print reads as firmly as dark print.
func stretch(g *grayImg) {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	at := func(q float64) int {
		k, c := int(q*float64(len(g.pix))), 0
		for v := 0; v < 256; v++ {
			c += hist[v]
			if c > k {
				return v
			}
		}
		return 255
	}
	lo, hi := at(0.01), at(0.6)
	if hi-lo < 24 {
		return
	}
	for i, v := range g.pix {
		g.pix[i] = uint8(min(255, max(0, (int(v)-lo)*255/(hi-lo))))
	}
}

// bilinear samples g at a point between pixels.
func bilinear(g *grayImg, x, y float64) float64 {
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, g.w-1), min(y0+1, g.h-1)
	ax, ay := x-float64(x0), y-float64(y0)
	a := float64(g.pix[y0*g.w+x0])*(1-ax) + float64(g.pix[y0*g.w+x1])*ax
	b := float64(g.pix[y1*g.w+x0])*(1-ax) + float64(g.pix[y1*g.w+x1])*ax
	return a*(1-ay) + b*ay
}
