package ocr

import (
	"context"
	"fmt"
	"image"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/otiai10/gosseract/v2"
)

// The date's crop look. When the second look (readAsIs) still leaves
// the document without a date, the rows of its reading where a date may
// be printed (a date label, a time or a date-like number, or a "label:"
// row in the top two fifths of the page: "Oper.:Staff 200 Date:02/08/2016
// 15:59" read as "Oper. :stati 200 同 .", the date lost) are cut out of
// the photo as it came, straightened, scaled to cropRowHeight pixels,
// their contrast stretched, and read again one line at a time: small
// thermal print read at a size Tesseract reads well, for the cost of a
// few one-line readings. The date of the reading with those rows replaced
// fills the document's only when it has none, with the second look's
// capped confidence.
//
// Totals are not taken from such crops: on the dev photos and their
// degraded copies the crops of the total rows read no total the page
// readings missed, and a misread label ("Total 0% supplies" read
// "Total suop! ies") made a row of the GST summary a confirmed total.

// headerCrops turns the date's crop look on (OCR_HEADER_CROPS=1 in the
// tests and benchmarks). Off: it reads one more date on the dev half
// (16/16) and none on the held-out half (11/15 either way), and its up to
// 4 one-line readings took the held-out CPU from 1.49× bare Tesseract to
// 1.51×, over the 1.5× target (quiet run, 2026-12-07 08:03).
var headerCrops = false

// cropTrace, when set (development aids), sees each row's words before
// and after and the strip read.
var cropTrace func(before, after []Word, strip *grayImg)

const (
	// cropRowHeight is the height in pixels a row's words are scaled to.
	cropRowHeight = 36
	// cropRowsMax bounds the rows read again per page.
	cropRowsMax = 4
)

var (
	// A time ("15:59"; not an amount, "5.64").
	reCropTime = regexp.MustCompile(`\d{1,2}\s*:\s*\d{2}\b`)
	// Numbers in a date's shape, or a month's name before a number (not
	// "VAUGHAN").
	reCropDate = regexp.MustCompile(`\d{1,4}\s*[-/.,]\s*\d{1,2}\s*[-/.,]\s*\d{2,4}|(?i)\b` + monthRe + `[\s\-/.,']*\d`)
)

// cropDateRow: a row a date may be printed on.
func cropDateRow(r *row) bool {
	t := r.text()
	return strings.Contains(strings.ToUpper(t), "DATE") || strings.Contains(t, "日期") || reCropTime.MatchString(t) || reCropDate.MatchString(t)
}

// cropPicks returns the rows of p to read again for the date, each as
// the indexes of its words in p.Words: rows cropDateRow takes first, then
// rows holding a colon in the top two fifths of the text, at most
// cropRowsMax.
func cropPicks(p *Page) [][]int {
	tagged := make([]Word, len(p.Words))
	for i, w := range p.Words {
		w.Alt = strconv.Itoa(i)
		tagged[i] = w
	}
	rows := groupRows(tagged)
	var out [][]int
	seen := map[*row]bool{}
	add := func(is func(*row) bool) {
		for _, r := range rows {
			if len(out) == cropRowsMax {
				return
			}
			if seen[r] || !is(r) {
				continue
			}
			seen[r] = true
			var idx []int
			for _, w := range r.words {
				if i, err := strconv.Atoi(w.Alt); err == nil {
					idx = append(idx, i)
				}
			}
			out = append(out, idx)
		}
	}
	add(cropDateRow)
	top, bot := math.MaxInt, 0
	for _, r := range rows {
		top, bot = min(top, r.top), max(bot, r.bot)
	}
	edge := top + (bot-top)*2/5
	add(func(r *row) bool { return r.bot < edge && strings.Contains(r.text(), ":") })
	return out
}

// cropReread reads the picked rows of p again from g (the image p was
// read from) with client c, one line each, and returns p's words with
// each picked row's words replaced by its new reading (a row read as
// nothing keeps its words).
func cropReread(c *gosseract.Client, g *grayImg, p *Page, picks [][]int) (*Page, [][]Word, error) {
	right := 0
	for _, w := range p.Words {
		right = max(right, w.Box.Max.X)
	}
	if err := c.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
		return nil, nil, err
	}
	defer c.SetPageSegMode(gosseract.PSM_SINGLE_BLOCK)
	drop := map[int]bool{}
	var add []Word
	var read [][]Word
	for _, idx := range picks {
		ws := make([]Word, len(idx))
		for k, i := range idx {
			ws[k] = p.Words[i]
		}
		strip := cutRow(g, ws, min(right+rowHeight(ws), g.w))
		if strip == nil {
			continue
		}
		if err := c.SetImageFromBytes(strip.img.bmp()); err != nil {
			return nil, nil, fmt.Errorf("ocr: set row image: %w", err)
		}
		boxes, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
		if err != nil {
			return nil, nil, fmt.Errorf("ocr: recognise row: %w", err)
		}
		var got []Word
		for _, b := range boxes {
			if strings.TrimSpace(b.Word) == "" {
				continue
			}
			got = append(got, Word{Text: b.Word, Box: strip.toPage(b.Box), Conf: b.Confidence})
		}
		if cropTrace != nil {
			cropTrace(ws, got, strip.img)
		}
		if len(got) == 0 {
			continue
		}
		for _, i := range idx {
			drop[i] = true
		}
		add = append(add, got...)
		read = append(read, got)
	}
	out := &Page{Width: p.Width, Height: p.Height, Turned: p.Turned}
	for i, w := range p.Words {
		if !drop[i] {
			out.Words = append(out.Words, w)
		}
	}
	out.Words = append(out.Words, add...)
	return out, read, nil
}

// applyCropDate fills h's date from the header read with the crop look
// (other) when h has none, with the second look's capped confidence.
func applyCropDate(h *Header, other Header) {
	if h.Date != "" || other.Date == "" {
		return
	}
	if h.Confidence == nil {
		h.Confidence = map[string]float64{}
	}
	h.Date, h.DatePrinted, h.DateAmbiguous = other.Date, other.DatePrinted, other.DateAmbiguous
	h.Confidence["date"] = min(other.Confidence["date"], secondLookConf)
}

// cropLook runs the date's crop look on the second look's reading raw
// of img (the photo as it came, not yet turned; g, when not nil, is the
// grey image raw was read from) and fills h's date when it has none.
func (e *Engine) cropLook(ctx context.Context, img image.Image, g *grayImg, raw *Page, h *Header) error {
	if !headerCrops || raw == nil || h.Date != "" {
		return nil
	}
	picks := cropPicks(raw)
	if len(picks) == 0 {
		return nil
	}
	if g == nil {
		if raw.Turned != 0 {
			img = Turn(img, raw.Turned)
		}
		g = toGray(img)
	}
	w, release, err := e.pinned(ctx)
	if err != nil {
		return err
	}
	defer release()
	p, read, err := cropReread(w.page, g, raw, picks)
	if err != nil {
		return err
	}
	cropDate(h, p, read)
	return nil
}

// cropDate fills h's empty date from p, the page with the rows the crop
// look read (read) replaced, when one of those rows vouches for it
// (cropVouches).
func cropDate(h *Header, p *Page, read [][]Word) {
	if other := Extract([]*Page{p}).Header; cropVouches(read, other.Date) {
		applyCropDate(h, other)
	}
}

// reNotDocDate: a row whose date is not the document's but a product's,
// a voucher's or a membership's ("Best before", "EXP", "Valid until",
// "Member since", 有效期).
var reNotDocDate = regexp.MustCompile(`\bEXP\b|\bEXP[.:]|EXPIR|BEST\s*BEFORE|\bBB\b|USE\s*BY|VALID|UNTIL|SINCE|BIRTH|\bDOB\b|有效|到期|屆滿|届满`)

// cropVouches reports whether one of the rows the crop look read (read)
// prints iso as a transaction's date: the date read on that row itself
// (not found by Extract's looser rules on other rows), no expiry or
// validity label on it, and either a Date/日期 label, a time of day
// beside the date, or a four-digit year. A crop is taken only where the
// page reading found no date at all, where a product's expiry, a
// voucher's validity or a number shaped like a date ("INV 24-03-15") is
// the likelier thing to find.
func cropVouches(read [][]Word, iso string) bool {
	if iso == "" {
		return false
	}
	for _, ws := range read {
		r := &row{words: ws}
		t := r.text()
		u := strings.ToUpper(t)
		if reNotDocDate.MatchString(u) {
			continue
		}
		d, ok := findDate(t, true)
		if !ok {
			d, ok = labelledDateCompact(t)
		}
		if !ok || d.iso != iso {
			continue
		}
		labelled := strings.Contains(u, "DATE") || strings.Contains(t, "日期")
		timed := reCropTime.MatchString(reCropDate.ReplaceAllString(t, " "))
		if labelled || timed || reYear4.MatchString(d.text) {
			return true
		}
	}
	return false
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

// rowInk is the darkness that counts as ink when a row is followed.
const rowInk = 140

// cutRow cuts the band of a row from its leftmost word to right,
// straightened and scaled so that the words are cropRowHeight high; nil
// when too small. Along its words the row's centre line is the line
// through their centres; right of its last word (where an amount the
// reading missed lies) the line follows the ink, so that a curled or
// tilted row is followed to its end.
func cutRow(g *grayImg, ws []Word, right int) *rowStrip {
	return cutRowAt(g, ws, right, cropRowHeight)
}

// cutRowAt is cutRow scaling the words to height pixels high.
func cutRowAt(g *grayImg, ws []Word, right, height int) *rowStrip {
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
	if float64(right)-left < fh || left >= float64(g.w) {
		// Nothing of the row inside the image (its words lie beyond it).
		return nil
	}
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
				for xx := max(int(x), 0); xx < min(int(x+fh), g.w); xx++ {
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
	k := float64(height) / fh
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
