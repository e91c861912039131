package ocr

import (
	"context"
	"fmt"
	"image"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/otiai10/gosseract/v2"
)

// The total's crop look. When the second look still leaves the document
// without a total, or with one no arithmetic confirms, the row that names
// the amount payable ("TOTAL RM 25 _g¢", "$19.00" read for $10.00) is
// cut out of the image — from its label to the page's right edge, the
// row's height with a margin, straightened and contrast-stretched
// (cutRowAt, the date's crop machinery) — scaled to two text heights and
// read as one line at each. The rows are picked on the page's first
// reading (cut from the preprocessed image it was read from, Page.gray),
// then on the second look's reading of the photo as it came: a label lost
// in one is often read in the other. A re-read amount is taken only when
// it is confirmed: by the arithmetic of the reading with that row
// replaced (chooseTotal with the document's lines: the lines' sum, the
// subtotal with or without the taxes, cash less change), by the
// document's own subtotal (less its discount), or — for a document with
// no total at all — by two of the readings (two scales, or the row cut
// from both images) reading the same amount. Otherwise the first reading
// stands with its flag. A confirmed total is never read again, so the
// look costs nothing on most pages; at most totalCropRowsMax rows × 2
// one-line readings when it fires.

// totalCrops turns the total's crop look on (the default; OCR_TOTAL_CROPS=0
// in the tests and benchmarks turns it off).
var totalCrops = true

// totalCropReads counts the one-line readings the total's crop look made
// and totalCropTaken the totals it set (benchmark figures).
var totalCropReads, totalCropTaken atomic.Int64

// totalCropTrace, when set (development aids), sees each row's words
// before and after and the strip read.
var totalCropTrace func(before, after []Word, strip *grayImg)

// totalCropHeights are the two text heights (pixels) a total's row is
// read at: the date crop's, and half as large again.
var totalCropHeights = [2]int{cropRowHeight, cropRowHeight * 3 / 2}

// agreedAmount is the amount read most often in amts when at least two
// readings read it and no other amount is read as often.
func agreedAmount(amts []int64) (int64, bool) {
	n := map[int64]int{}
	best, bestN, tie := int64(0), 0, false
	for _, v := range amts {
		n[v]++
	}
	for v, k := range n {
		switch {
		case k > bestN:
			best, bestN, tie = v, k, false
		case k == bestN:
			tie = true
		}
	}
	return best, bestN >= 2 && !tie
}

// totalCropBinarize: the strip is thresholded (Otsu) before reading
// (off: on the degraded dev copies it read the same totals as the
// contrast-stretched grey strip; a development switch, OCR_TC_BIN=1 in
// BenchmarkDebugDegradedHeader).
var totalCropBinarize = false

// binarize thresholds g at its Otsu level: ink black, paper white.
func binarize(g *grayImg) {
	t := otsu(g.pix)
	for i, v := range g.pix {
		if v <= t {
			g.pix[i] = 0
		} else {
			g.pix[i] = 255
		}
	}
}

// totalCropRowsMax bounds the rows read again per page.
const totalCropRowsMax = 2

// totalCropRank is the rank of the label under which row r names the
// amount payable (totalLabels; a misread TOTAL counts 2), 0 when none:
// not a subtotal, a tax's total, a tender, a rounding.
func totalCropRank(r *row) int {
	u := compactUpper(r)
	if fuzzySubtotal(r) {
		return 0
	}
	for _, k := range notTotal {
		if strings.Contains(u, k) {
			return 0
		}
	}
	for _, tl := range totalLabels {
		if tl.rank >= 2 && strings.Contains(u, tl.label) {
			return tl.rank
		}
	}
	if fuzzyTotal(r) {
		return 2
	}
	return 0
}

// totalCropPicks returns the rows of p naming the amount payable, each
// as the indexes of its words in p.Words, strongest label first (topmost
// on ties), at most totalCropRowsMax; none after a tax summary's title.
func totalCropPicks(p *Page) [][]int {
	tagged := make([]Word, len(p.Words))
	for i, w := range p.Words {
		w.Alt = strconv.Itoa(i)
		tagged[i] = w
	}
	type pick struct {
		rank int
		idx  []int
	}
	var ps []pick
	for _, r := range groupRows(tagged) {
		if u := compactUpper(r); strings.Contains(u, "SUMMARY") || strings.Contains(u, "ANALYSIS") {
			break
		}
		rank := totalCropRank(r)
		if rank == 0 {
			continue
		}
		var idx []int
		for _, w := range r.words {
			if i, err := strconv.Atoi(w.Alt); err == nil {
				idx = append(idx, i)
			}
		}
		ps = append(ps, pick{rank, idx})
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].rank > ps[j].rank })
	var out [][]int
	for _, p := range ps {
		if len(out) == totalCropRowsMax {
			break
		}
		out = append(out, p.idx)
	}
	return out
}

// readStrip reads a row's strip as one line with c (in single-line
// mode), its words' boxes mapped back to the page.
func readStrip(c *gosseract.Client, strip *rowStrip) ([]Word, error) {
	return readOneLine(c, strip.img, strip.toPage, "row")
}

// readOneLine reads img (a strip or cell cut from a page) with c, in the
// segmentation mode the caller set, its words' boxes mapped back to the
// page by toPage; what names the cut in errors.
func readOneLine(c *gosseract.Client, img *grayImg, toPage func(image.Rectangle) image.Rectangle, what string) ([]Word, error) {
	if err := c.SetImageFromBytes(img.bmp()); err != nil {
		return nil, fmt.Errorf("ocr: set %s image: %w", what, err)
	}
	boxes, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
	if err != nil {
		return nil, fmt.Errorf("ocr: recognise %s: %w", what, err)
	}
	var got []Word
	for _, b := range boxes {
		if strings.TrimSpace(b.Word) == "" {
			continue
		}
		got = append(got, Word{Text: b.Word, Box: toPage(b.Box), Conf: b.Confidence})
	}
	return got, nil
}

// linesSum is the sum of the lines' amounts; false when a line has none
// or there are no lines.
func linesSum(lines []Line) (int64, bool) {
	var sum int64
	for _, l := range lines {
		v, ok := parseMoney(l.Amount)
		if !ok {
			return 0, false
		}
		sum += v
	}
	return sum, len(lines) > 0
}

// rowPrints reports whether the words print the amount v ("25.90",
// spaces inside the number ignored).
func rowPrints(ws []Word, v int64) bool {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.Text)
	}
	t := strings.ReplaceAll(b.String(), ",", "")
	return strings.Contains(t, formatCents(v))
}

// cropTotalConfirmed is the amount payable the re-read row got confirms:
// p's words with the row's (idx) replaced by got, summarised and checked
// by chooseTotal against the document's lines' sum (sum, haveLines), or
// the row's last amount equal to the document's subtotal less its
// discount (h). The re-read row must name a total (totalCropRank) and
// print the amount.
func cropTotalConfirmed(p *Page, idx []int, got []Word, sum int64, haveLines bool, h *Header) (int64, bool) {
	if totalCropRank(&row{words: got}) == 0 {
		// The row read again names no total: a subtotal's, a tax's.
		return 0, false
	}
	drop := map[int]bool{}
	for _, i := range idx {
		drop[i] = true
	}
	var ws []Word
	for i, w := range p.Words {
		if !drop[i] {
			ws = append(ws, w)
		}
	}
	ws = append(ws, got...)
	s := readSummary(groupRows(wholeUnitWords(ws)))
	if v, conf, ok := chooseTotal(s, sum, haveLines); ok && conf >= 0.9 && v != 0 && rowPrints(got, v) {
		return v, true
	}
	a, ok := rowLastMoney(&row{words: got})
	if !ok || a <= 0 {
		return 0, false
	}
	if sub, ok := parseMoney(h.Subtotal); ok {
		d, _ := parseMoney(h.Discount)
		if a == sub-d {
			return a, true
		}
	}
	return 0, false
}

// totalCropLook runs the total's crop look when doc's total is missing
// or unconfirmed: on first, the page's first reading (its rows cut from
// the preprocessed image it was read from, when kept), then on raw, the
// second look's reading of img (the photo as it came, not yet turned;
// g, when not nil, is the grey image raw was read from). At most
// totalCropRowsMax rows in all.
func (e *Engine) totalCropLook(ctx context.Context, img image.Image, g *grayImg, raw, first *Page, doc *Document) error {
	h := &doc.Header
	if !totalCrops || (h.Total != "" && !totalUnconfirmed(h)) {
		return nil
	}
	type source struct {
		p     *Page
		g     *grayImg
		picks [][]int
	}
	var srcs []source
	left := totalCropRowsMax
	for _, p := range []*Page{first, raw} {
		if p == nil || left == 0 || (p == first && p.gray == nil) {
			continue
		}
		picks := totalCropPicks(p)
		if len(picks) > left {
			picks = picks[:left]
		}
		if len(picks) == 0 {
			continue
		}
		left -= len(picks)
		srcs = append(srcs, source{p, p.gray, picks})
	}
	if len(srcs) == 0 {
		return nil
	}
	w, release, err := e.pinned(ctx)
	if err != nil {
		return err
	}
	defer release()
	c := w.page
	if err := c.SetPageSegMode(gosseract.PSM_SINGLE_LINE); err != nil {
		return err
	}
	defer c.SetPageSegMode(gosseract.PSM_SINGLE_BLOCK)
	sum, haveLines := linesSum(doc.Lines)
	take := func(v int64, conf float64) {
		if h.Confidence == nil {
			h.Confidence = map[string]float64{}
		}
		h.Total = formatCents(v)
		h.Confidence["total"] = max(conf, h.Confidence["total"])
		totalCropTaken.Add(1)
	}
	// The amounts the crops read, in order; two readings agreeing
	// (either scale, either image of the row) vouch for an amount.
	var amts []int64
	for _, src := range srcs {
		gi := src.g
		if gi == nil {
			if g == nil {
				if raw.Turned != 0 {
					img = Turn(img, raw.Turned)
				}
				g = toGray(img)
			}
			gi = g
		}
		for _, idx := range src.picks {
			ws := make([]Word, len(idx))
			for k, i := range idx {
				ws[k] = src.p.Words[i]
			}
			for _, height := range totalCropHeights {
				if err := ctx.Err(); err != nil {
					return err
				}
				strip := cutRowAt(gi, ws, gi.w, height)
				if strip == nil {
					break
				}
				if totalCropBinarize {
					binarize(strip.img)
				}
				got, err := readStrip(c, strip)
				if err != nil {
					return err
				}
				totalCropReads.Add(1)
				if totalCropTrace != nil {
					totalCropTrace(ws, got, strip.img)
				}
				if v, ok := cropTotalConfirmed(src.p, idx, got, sum, haveLines, h); ok {
					take(v, 0.9)
					return nil
				}
				if v, ok := rowLastMoney(&row{words: got}); ok && v > 0 && totalCropRank(&row{words: got}) > 0 {
					amts = append(amts, v)
				}
			}
		}
	}
	if v, ok := agreedAmount(amts); ok && h.Total == "" {
		// Two readings of the row (two scales, or the two images) read
		// the same amount: taken, unconfirmed, where no total was read.
		// Not over a total the page read otherwise: on the degraded dev
		// copies that replaced a wrong total with another wrong one.
		take(v, secondLookConf)
	}
	return nil
}
