package ocr

import (
	"image"
	"math"
	"slices"
	"strings"

	"github.com/otiai10/gosseract/v2"
)

// The description cells' look. The page reading (eng+chi_tra, psm 6, one
// block) can read a line's Chinese name as Latin junk (`PRUE 255 克` for
// 辣椒醬 255克, `AMLAR TAL 12 粒` for 傷風感冒丸 12粒): the whole block's
// layout sets the words apart badly and the Latin model wins. On a page
// whose descriptions are mostly Chinese, a line no confirmed code names
// whose description fails the description check or holds no Chinese has
// its description's own cell — the words it was read from, bounded by the
// row's other words and trimmed to the ink — cut out, scaled up and read
// again as one line in Chinese alone (chi_tra, psm 7): lines whose
// numbers check out first, then (cellUnchecked) the others with an
// amount. The new words replace the old only when they pass the
// description check by their own confidences and read surer than the
// old, and the page read with them still gives the line the same numbers
// (no less confirmed) and a description the check passes. At most
// cellLooksMax cells a page; most pages pick none and pay one extraction.

// cellLooks turns the description cells' look on (the default;
// OCR_CELL_LOOKS=0 in the benchmarks turns it off).
var cellLooks = true

const (
	// cellLooksMax bounds the cells read again per page.
	cellLooksMax = 8
	// cellTextHeight is the height in pixels a cell's words are scaled to.
	cellTextHeight = 40
	// cellPad is the white margin around a cell's crop.
	cellPad = 12
)

// cellUnchecked also picks the lines whose numbers do not check out,
// after those whose numbers do: their description read better, their
// numbers kept as read (on; OCR_CELL_UNCHECKED=0 in the benchmarks).
var cellUnchecked = true

// cellGarbled lets the look reach a page whose names were read mostly
// as Latin junk: Chinese by the confident Chinese words of its reading
// (not latinReading), its failing names read again (on;
// OCR_CELL_GARBLED=0 in the benchmarks).
var cellGarbled = true

// cellReceiptRows lets the look reach the lines the amounts' column
// found (extractReceipt: a table whose codes were misread), their
// description's words kept as for the titled table's lines (on;
// OCR_CELL_RECEIPT=0 in the benchmarks).
var cellReceiptRows = true

// cellFlagged keeps the lines whose description was read again from its
// cell flagged (checkDescriptions): the re-reading is a second reading,
// not a confirmation. Off (OCR_CELL_FLAGGED=1 in the benchmarks): built
// after the held-out run, which counted one wrong line the look left
// unflagged; not measured there.
var cellFlagged = false

// cellPhoto cuts the cells from the photo the page was preprocessed from
// (the page's photoMap: its geometry mapped back), sampled at the cell's
// scale from the photo's own pixels, instead of from the preprocessed
// page, scaled to 15 px text, where dense Chinese strokes blur into
// blobs. The cell's bounds stay the page's: its columns trimmed to the
// page's ink, and its rows and columns where the page shows no ink (a
// table's rule preprocess erased) left white; only where the photo holds
// more pixels than the page (cellPhotoScale). Off: the page (OCR_CELL_PHOTO=1 in the
// benchmarks).
var cellPhoto = false

// cellPhotoScale is the least number of the photo's pixels to one of
// the page's (along its rows, at the cell) for a cell to be cut from
// the photo: a photo preprocess scaled up (small text) holds no more
// than the page.
const cellPhotoScale = 1.25

// photoCell samples the cell of the page g at scale k from (left, top)
// from the photo behind it, columns u0 to u1 of the page's cell pc, its
// contrast stretched; the rows and columns pc shows no ink on are left
// white. nil when g keeps no photo or the photo holds no more pixels
// than the page there.
func photoCell(g *grayImg, pc *grayImg, left, top int, k float64, u0, u1 int) *grayImg {
	m := g.photo
	if m == nil {
		return nil
	}
	cx, cy := float64(left)+float64(u0+u1)/2/k, float64(top)+float64(pc.h)/2/k
	ax, ay := m.at(cx, cy)
	bx, by := m.at(cx+10, cy)
	if math.Hypot(bx-ax, by-ay) < 10*cellPhotoScale {
		return nil
	}
	out := newGray(u1-u0, pc.h)
	for v := 0; v < pc.h; v++ {
		yp := math.Min(float64(top)+(float64(v)+0.5)/k, float64(g.h-1))
		for u := u0; u < u1; u++ {
			xp := math.Min(float64(left)+(float64(u)+0.5)/k, float64(g.w-1))
			out.pix[v*out.w+u-u0] = uint8(math.Round(m.sample(xp, yp)))
		}
	}
	stretch(out)
	cols := make([]bool, u1-u0)
	for u := u0; u < u1; u++ {
		for v := 0; v < pc.h && !cols[u-u0]; v++ {
			cols[u-u0] = pc.pix[v*pc.w+u] < 128
		}
	}
	for v := 0; v < pc.h; v++ {
		ink := false
		for u := u0; u < u1 && !ink; u++ {
			ink = pc.pix[v*pc.w+u] < 128
		}
		for u := u0; u < u1; u++ {
			if !ink || !cols[u-u0] {
				out.pix[v*out.w+u-u0] = 255
			}
		}
	}
	return out
}

// cellWhy, when set (development), sees the page extracted with a
// better cell and the line it is for.
var cellWhy func(doc *Document, l Line)

// cellTrace, when set (development aids), sees each cell read again: the
// old words, the new, whether they were kept, and the cell's image.
var cellTrace func(before, after []Word, kept bool, cell *grayImg)

// cellPicks returns the lines of doc whose description cell is worth a
// second reading in Chinese, each as the words of its cell: the page's
// descriptions are mostly Chinese (half of them hold a Chinese
// character), the line's numbers check out as read or repaired, no
// confirmed item code names it, and its description fails the
// description check (by the page's confidences m) or holds no Chinese
// character. The cell is the longest run of the description's words on
// one row with no other word between them (cellWords). At most
// cellLooksMax, in page order.
func cellPicks(doc *Document, p *Page, m wordConfs) []cellPick {
	named, zh := 0, 0
	for _, l := range doc.Lines {
		if letterCount(l.Description) > 0 {
			named++
		}
		if strings.IndexFunc(l.Description, isCJK) >= 0 {
			zh++
		}
	}
	if named == 0 {
		return nil
	}
	// A page whose names are mostly not Chinese is still a Chinese page
	// when its reading holds Chinese words read with confidence (a
	// letterhead, a few names) and its names fail the description check
	// (cellGarbled): then only the failing names are read again, a Latin
	// name that passes the check is left alone.
	garbledOnly := 2*zh < named
	if garbledOnly && (!cellGarbled || latinReading(p)) {
		return nil
	}
	var out []cellPick
	for pass := range 2 {
		if pass == 1 && !cellUnchecked {
			break
		}
		for i, l := range doc.Lines {
			if len(out) == cellLooksMax {
				break
			}
			checked := l.Fields.Amount >= 0.9
			if len(l.descW) == 0 || (pass == 0) != checked || l.Amount == "" || (l.SKU != "" || l.Barcode != "") && l.Fields.Code >= 0.8 {
				continue
			}
			fails := descriptionFlagged(l) || descriptionProblem(l.Description, m) != ""
			if !fails && (garbledOnly || strings.IndexFunc(l.Description, isCJK) >= 0) {
				continue
			}
			if ws := pageWordsOf(p, cellWords(p, l.descW)); len(ws) > 0 {
				out = append(out, cellPick{line: i, words: ws})
			}
		}
	}
	return out
}

// cellPick is a line of a document (its index) and the words of p its
// description cell holds, as p holds them.
type cellPick struct {
	line  int
	words []Word
}

// pageWordsOf returns p's own words for ws, words of a row (groupRows
// levels their boxes: the same text, confidence and horizontal span, the
// nearest vertically); nil when one is not found.
func pageWordsOf(p *Page, ws []Word) []Word {
	var out []Word
	for _, w := range ws {
		best, bd := -1, 0
		for i, o := range p.Words {
			if o.Text != w.Text || o.Conf != w.Conf || o.Box.Min.X != w.Box.Min.X || o.Box.Max.X != w.Box.Max.X {
				continue
			}
			if d := abs(o.Box.Min.Y - w.Box.Min.Y); best < 0 || d < bd {
				best, bd = i, d
			}
		}
		if best < 0 {
			return nil
		}
		out = append(out, p.Words[best])
	}
	return out
}

// cellWords returns the run of ws (a description's words) that makes its
// cell: ws split where another word of p on their row lies between them
// (a code or line number read into the description's row), the run with
// the most letters kept; nil when the words do not lie on one row.
func cellWords(p *Page, ws []Word) []Word {
	if !oneRow(ws) {
		return nil
	}
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b Word) int { return a.Box.Min.X - b.Box.Min.X })
	box := ws[0].Box
	for _, w := range ws {
		box = box.Union(w.Box)
	}
	var others []Word
	for _, w := range p.Words {
		b := w.Box
		if slices.Contains(ws, w) || b.Max.X <= box.Min.X || b.Min.X >= box.Max.X {
			continue
		}
		if ov := min(box.Max.Y, b.Max.Y) - max(box.Min.Y, b.Min.Y); 2*ov < min(box.Dy(), b.Dy()) {
			continue
		}
		others = append(others, w)
	}
	var best []Word
	bestN, start := -1, 0
	for i := 1; i <= len(ws); i++ {
		split := i == len(ws)
		if !split {
			for _, o := range others {
				if o.Box.Min.X >= ws[i-1].Box.Max.X-2 && o.Box.Max.X <= ws[i].Box.Min.X+2 {
					split = true
					break
				}
			}
		}
		if !split {
			continue
		}
		n := 0
		for _, w := range ws[start:i] {
			n += letterCount(w.Text)
		}
		if n > bestN {
			best, bestN = ws[start:i], n
		}
		start = i
	}
	if bestN <= 0 {
		return nil
	}
	return best
}

// descriptionFlagged reports whether the description check flagged l.
func descriptionFlagged(l Line) bool {
	return slices.ContainsFunc(l.Problems, func(p string) bool { return strings.Contains(p, "description") })
}

// oneRow reports whether the words lie on one row: each overlaps the
// first's vertical span by half the smaller height.
func oneRow(ws []Word) bool {
	a := ws[0].Box
	for _, w := range ws[1:] {
		b := w.Box
		ov := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
		if 2*ov < min(a.Dy(), b.Dy()) {
			return false
		}
	}
	return true
}

// cellStrip is a cell cut from a page, scaled by k, its origin (x0, y0)
// on the page.
type cellStrip struct {
	img    *grayImg
	x0, y0 int
	k      float64
	du     int // the strip's pixels cut off on its left
}

// toPage maps a box of the strip back to the page.
func (s *cellStrip) toPage(b image.Rectangle) image.Rectangle {
	f := func(v, o int) int { return o + int(math.Round(float64(v-cellPad)/s.k)) }
	return image.Rect(f(b.Min.X+s.du, s.x0), f(b.Min.Y, s.y0), f(b.Max.X+s.du, s.x0), f(b.Max.Y, s.y0))
}

// cutCell cuts the cell of the words ws out of g: their box widened by
// half a text height each side, but not into another word of the page on
// their row, and a quarter height up and down; scaled so that the text is
// cellTextHeight pixels high (1–4×), its contrast stretched, on a white
// margin. nil when too small.
func cutCell(g *grayImg, p *Page, ws []Word) *cellStrip {
	box := ws[0].Box
	for _, w := range ws {
		box = box.Union(w.Box)
	}
	// Up and down, the median edges of the row's words (its numbers
	// among them): a speck or a rule's remnant read as a tall word does
	// not stretch the cell into the next row.
	var hs, tops, bots []int
	for _, w := range p.Words {
		b := w.Box
		if ov := min(box.Max.Y, b.Max.Y) - max(box.Min.Y, b.Min.Y); !slices.Contains(ws, w) && 2*ov < min(box.Dy(), b.Dy()) {
			continue
		}
		hs, tops, bots = append(hs, b.Dy()), append(tops, b.Min.Y), append(bots, b.Max.Y)
	}
	if len(hs) == 0 {
		return nil
	}
	slices.Sort(hs)
	slices.Sort(tops)
	slices.Sort(bots)
	h := hs[len(hs)/2]
	if h < 6 {
		return nil
	}
	box.Min.Y, box.Max.Y = tops[len(tops)/2], bots[len(bots)/2]
	left, right := box.Min.X-h/2, box.Max.X+h/2
	for _, w := range p.Words {
		if slices.Contains(ws, w) {
			continue
		}
		b := w.Box
		if ov := min(box.Max.Y, b.Max.Y) - max(box.Min.Y, b.Min.Y); 2*ov < min(h, b.Dy()) {
			continue
		}
		if b.Max.X <= box.Min.X {
			left = max(left, b.Max.X+1)
		}
		if b.Min.X >= box.Max.X {
			right = min(right, b.Min.X-1)
		}
	}
	top, bot := box.Min.Y-h/4, box.Max.Y+h/4
	left, top, right, bot = max(left, 0), max(top, 0), min(right, g.w), min(bot, g.h)
	if right-left < 8 || bot-top < 6 {
		return nil
	}
	k := math.Max(1, math.Min(4, float64(cellTextHeight)/float64(h)))
	w, hh := int(math.Round(float64(right-left)*k)), int(math.Round(float64(bot-top)*k))
	cell := newGray(w, hh)
	for v := 0; v < hh; v++ {
		yp := math.Min(float64(top)+(float64(v)+0.5)/k, float64(g.h-1))
		for u := 0; u < w; u++ {
			xp := math.Min(float64(left)+(float64(u)+0.5)/k, float64(g.w-1))
			cell.pix[v*w+u] = uint8(math.Round(bilinear(g, xp, yp)))
		}
	}
	stretch(cell)
	// Left and right, the ink of the text's middle band (a rule's
	// remnant under or over it is not text), half a text height more.
	u0, u1 := w, -1
	for u := 0; u < w; u++ {
		dark := 0
		for v := hh / 4; v < hh*3/4; v++ {
			if cell.pix[v*w+u] < 128 {
				dark++
			}
		}
		if dark >= 2 {
			u0, u1 = min(u0, u), max(u1, u)
		}
	}
	if u1 < 0 {
		return nil
	}
	m := cellTextHeight / 2
	u0, u1 = max(u0-m, 0), min(u1+m+1, w)
	out := newGray(u1-u0+2*cellPad, hh+2*cellPad)
	for i := range out.pix {
		out.pix[i] = 255
	}
	src, sw, su := cell, w, u0
	if cellPhoto {
		if pc := photoCell(g, cell, left, top, k, u0, u1); pc != nil {
			src, sw, su = pc, pc.w, 0
		}
	}
	for v := 0; v < hh; v++ {
		copy(out.pix[(v+cellPad)*out.w+cellPad:], src.pix[v*sw+su:v*sw+su+u1-u0])
	}
	return &cellStrip{img: out, x0: left, y0: top, k: k, du: u0}
}

// readCell reads a cell as one line with c (its segmentation mode set by
// the caller), its words' boxes mapped back to the page.
func readCell(c *gosseract.Client, s *cellStrip) ([]Word, error) {
	return readOneLine(c, s.img, s.toPage, "cell")
}

// cellDesc is the description words read as a line give, with their own
// confidences.
func cellDesc(ws []Word) (string, wordConfs) {
	var parts []string
	for _, w := range ws {
		if s := cleanWord(w.Text); s != "" {
			parts = append(parts, s)
		}
	}
	return joinText(parts), pageWordConfs([]*Page{{Words: ws}})
}

// betterCell reports whether the new reading of a description cell is to
// replace the old: it passes the description check by its own
// confidences and reads with a higher mean confidence than the old.
func betterCell(old, got []Word) bool {
	if len(got) == 0 {
		return false
	}
	nd, nm := cellDesc(got)
	if descriptionProblem(nd, nm) != "" {
		return false
	}
	od, om := cellDesc(old)
	return describe(nd, nm).meanConf > describe(od, om).meanConf
}

// replaceWords returns p's words with old removed and got added.
func replaceWords(words, old, got []Word) []Word {
	out := make([]Word, 0, len(words)+len(got))
	for _, w := range words {
		if !slices.Contains(old, w) {
			out = append(out, w)
		}
	}
	return append(out, got...)
}

// keepsNumbers reports whether doc still has a line with l's numbers and
// a description the description check passes (cellFlagged's flag is not
// the check's).
func keepsNumbers(doc *Document, l Line) bool {
	return slices.ContainsFunc(doc.Lines, func(m Line) bool {
		return m.Amount == l.Amount && m.UnitPrice == l.UnitPrice && m.Qty == l.Qty && m.Fields.Amount >= l.Fields.Amount && !descriptionFlagged(m)
	})
}

// cellLook reads the description cells of p's failing lines (cellPicks)
// again from g (the image p was read from) with c (Chinese alone, one
// line; nil: no look), and
// replaces their words in p where the re-reading is better (betterCell)
// and the page still gives the line its numbers. code reads the new
// words that look like item codes a second time (secondReadings).
func cellLook(c, code *gosseract.Client, g *grayImg, p *Page) error {
	if !cellLooks {
		return nil
	}
	if c == nil {
		return nil
	}
	doc := Extract([]*Page{p})
	for _, pick := range cellPicks(doc, p, pageWordConfs([]*Page{p})) {
		l, ws := doc.Lines[pick.line], pick.words
		s := cutCell(g, p, ws)
		if s == nil {
			continue
		}
		got, err := readCell(c, s)
		if err != nil {
			return err
		}
		kept := false
		for k := range got {
			got[k].cell = true
		}
		if betterCell(ws, got) {
			if code != nil {
				if err := secondReadings(code, g, got); err != nil {
					return err
				}
			}
			words := replaceWords(p.Words, ws, got)
			if cellWhy != nil {
				cellWhy(Extract([]*Page{{Words: words, Width: p.Width, Height: p.Height}}), l)
			}
			if keepsNumbers(Extract([]*Page{{Words: words, Width: p.Width, Height: p.Height}}), l) {
				p.Words, kept = words, true
			}
		}
		if cellTrace != nil {
			cellTrace(ws, got, kept, s.img)
		}
	}
	return nil
}
