package ocr

import (
	"context"
	"fmt"
	"image"
	"math"
	"runtime"
	"slices"
	"strings"
	"unicode"
)

// A page's reading is tuned for the item table (rectified, flattened,
// scaled by its text height); a date or total printed in another size, or
// lost in the flattening, can be missing from it. When the document's
// header lacks its date or its total, each page is read a second time as
// it came (grey, unscaled, Tesseract's own thresholding) and the missing
// fields are taken from that reading's header, with a capped confidence:
// never a field already read, never the lines.

// secondLookConf caps the confidence of a field read on the second look.
const secondLookConf = 0.5

// headerMissing reports whether the second look is worth its cost: the
// document has no date or no total, or a total no arithmetic confirms
// (totalUnconfirmed).
func headerMissing(h *Header) bool { return h.Date == "" || h.Total == "" || totalUnconfirmed(h) }

// totalUnconfirmed: the total was read from its label alone (or derived
// from one sum): neither the lines, the subtotal and taxes nor cash less
// change confirm it.
func totalUnconfirmed(h *Header) bool { return h.Total != "" && h.Confidence["total"] < 0.9 }

// lookLineHeight, when not 0 (off by default; OCR_LOOK_LINE_HEIGHT in the
// benchmarks), scales the second look's photo up so that its text is
// about this many pixels high (scaleToText): a second reading at a larger
// scale, made only when the first left the total missing or unconfirmed.
var lookLineHeight = 0

// scaleToText enlarges g so that its text height (textLineHeight) becomes
// about target pixels, within 3×; g is returned as it is when its text is
// already that large or its height cannot be told.
func scaleToText(g *grayImg, target int) *grayImg {
	lh := textLineHeight(g)
	if lh <= 0 || lh >= float64(target) {
		return g
	}
	s := math.Min(float64(target)/lh, 3)
	w, h := int(math.Round(float64(g.w)*s)), int(math.Round(float64(g.h)*s))
	hm, ok := quadHomography(rotationQuad(g.w, g.h, 0), float64(w), float64(h))
	if !ok {
		return g
	}
	return warp(g, hm, w, h)
}

// readAsIs OCRs the photo as it came (only turned when the page was read
// turned), words only: no rectifying, flattening, scaling or second
// readings.
func (e *Engine) readAsIs(ctx context.Context, img image.Image, turned int) (*Page, error) {
	p, _, err := e.readAsIsGray(ctx, img, turned, false)
	return p, err
}

// readAsIsGray is readAsIs that also returns the grey image read (the
// photo turned), for the crop look to cut rows from; latin reads it with
// English alone (the worker's latin client, when it has one).
func (e *Engine) readAsIsGray(ctx context.Context, img image.Image, turned int, latin bool) (*Page, *grayImg, error) {
	if turned != 0 {
		img = Turn(img, turned)
	}
	w, err := e.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer func() { e.clients <- w }()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	g := toGray(img)
	if lookLineHeight > 0 {
		g = scaleToText(g, lookLineHeight)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := w.page
	if latin && w.latin != nil {
		c = w.latin
		latinSecondLooks.Add(1)
	}
	p, err := clientWords(c, g)
	if err != nil {
		return nil, nil, err
	}
	p.Turned = turned
	return p, g, nil
}

// secondLook fills the header fields missing from doc (date, total) from
// a second reading of the pages as they came (readAsIs); read holds the
// first readings (for their turns). Only the first page is read again for
// a date and the last for a total: a long document costs two readings at
// most.
func (e *Engine) secondLook(ctx context.Context, imgs []image.Image, read []*Page, doc *Document) error {
	if !headerMissing(&doc.Header) || len(imgs) == 0 {
		return nil
	}
	var pick []int
	if doc.Header.Date == "" {
		pick = append(pick, 0)
	}
	if last := len(imgs) - 1; (doc.Header.Total == "" || totalUnconfirmed(&doc.Header)) && (len(pick) == 0 || pick[0] != last) {
		pick = append(pick, last)
	}
	raw := make([]*Page, 0, len(pick))
	var rawAt []int
	var grays []*grayImg
	for _, i := range pick {
		turned, latin := 0, false
		if i < len(read) && read[i] != nil {
			turned = read[i].Turned
			latin = latinSecond && latinReading(read[i])
		}
		p, g, err := e.readAsIsGray(ctx, imgs[i], turned, latin)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// The first reading stands: a failed second look only
			// leaves the field missing.
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d: second look for the header failed: %v", i+1, err))
			continue
		}
		raw = append(raw, p)
		rawAt = append(rawAt, i)
		grays = append(grays, g)
	}
	doc.looked = make([]*Page, len(imgs))
	for k, p := range raw {
		doc.looked[rawAt[k]] = p
	}
	applySecondLook(doc, read, raw)
	// The date's crop look: the rows where a date may be printed read
	// again, one line each, at a size Tesseract reads well.
	for k, p := range raw {
		if rawAt[k] != 0 {
			continue
		}
		if err := e.cropLook(ctx, imgs[rawAt[k]], grays[k], p, &doc.Header); err != nil {
			if ctx.Err() != nil {
				return err
			}
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d: crop look for the header failed: %v", rawAt[k]+1, err))
		}
	}
	// The total's crop look (total_crop.go): the total's row read again
	// when the total is still missing or unconfirmed.
	for k, p := range raw {
		if rawAt[k] != len(imgs)-1 {
			continue
		}
		var first *Page
		if rawAt[k] < len(read) {
			first = read[rawAt[k]]
		}
		if err := e.totalCropLook(ctx, imgs[rawAt[k]], grays[k], p, first, doc); err != nil {
			if ctx.Err() != nil {
				return err
			}
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d: crop look for the total failed: %v", rawAt[k]+1, err))
		}
	}
	return nil
}

// applySecondLook merges the header of the second reading raw into doc
// (mergeHeader); read holds the first readings.
// An implausible date the first reading left empty (Extract's warning)
// and the second filled keeps its warning, saying where the date came
// from.
func applySecondLook(doc *Document, read, raw []*Page) {
	noDate, printed := doc.Header.Date == "", doc.Header.DatePrinted
	if len(read) == 1 && len(raw) == 1 {
		// The second reading's amounts on the first reading's rows
		// (rowmerge.go); the header's arbitration below compares the
		// second reading with the merged one.
		m, mergedTotal := applyRowMerge(doc, read[0], raw[0])
		read = []*Page{m}
		defer func() {
			if mergedTotal && doc.Header.Total != "" {
				// Partly the second reading's own: no agreement of two.
				doc.Header.Confidence["total"] = min(doc.Header.Confidence["total"], secondLookConf)
			}
		}()
	}
	other := Extract(raw)
	mergeHeader(&doc.Header, read, other.Header, raw)
	if secondLookLines && len(read) == 1 && len(raw) == 1 {
		mergeLines(doc, other.Lines)
	}
	if noDate && doc.Header.Date != "" && printed != "" {
		for i, w := range doc.Warnings {
			if w == implausibleDateWarning(printed) {
				doc.Warnings[i] = fmt.Sprintf("date read as %q is not a plausible document date: %s taken from a second reading", printed, doc.Header.Date)
			}
		}
	}
}

// mergeHeader is fillHeader, and when h's total is unconfirmed and the
// second reading's differs, the arbitration between the two readings:
// the second's is taken when its own arithmetic confirms it or when a
// stronger label names it (totalLabelRank: "Total Payable" against a
// misread "ota."); otherwise the first stands, flagged as disputed. Two
// readings agreeing on an unconfirmed total raise its confidence a
// little. first and raw are the pages of the two readings.
func mergeHeader(h *Header, first []*Page, other Header, raw []*Page) {
	if h.Confidence == nil {
		h.Confidence = map[string]float64{}
	}
	if totalUnconfirmed(h) && other.Total != "" {
		switch {
		case other.Total == h.Total:
			h.Confidence["total"] = max(h.Confidence["total"], 0.7)
		case other.Confidence["total"] < 0.9 && digitByConf && oneDigitApart2(h.Total, other.Total) && amountConf(raw, other.Total) <= amountConf(first, h.Total):
			// One digit read two ways: the label says nothing about the
			// digit; the reading that read the amount with less
			// confidence does not replace the other.
			h.Confidence["total"] = min(h.Confidence["total"], disputedConf)
		case other.Confidence["total"] >= 0.9 || totalLabelRank(raw, other.Total) > totalLabelRank(first, h.Total):
			h.Total = other.Total
			h.Confidence["total"] = min(other.Confidence["total"], secondLookConf)
		default:
			h.Confidence["total"] = min(h.Confidence["total"], disputedConf)
		}
	}
	fillHeader(h, other)
}

// digitByConf: a total the second look reads one digit apart from the
// first reading's unconfirmed one replaces it only when its amount was
// read with more confidence (not for a stronger label). Bench switch
// OCR_DIGIT_BY_CONF.
var digitByConf = true

// oneDigitApart2 is oneDigitApart of two amounts as printed.
func oneDigitApart2(a, b string) bool {
	x, ok1 := parseMoney(a)
	y, ok2 := parseMoney(b)
	return ok1 && ok2 && oneDigitApart(x, y)
}

// amountConf is the highest confidence with which the pages read the
// amount s as one word; 0 when they do not.
func amountConf(pages []*Page, s string) float64 {
	v, ok := parseMoney(s)
	if !ok {
		return 0
	}
	best := 0.0
	for _, p := range pages {
		if p == nil {
			continue
		}
		for _, w := range p.Words {
			if x, ok := parseMoney(strings.Trim(w.Text, moneyTrimSet)); ok && abs64(x) == abs64(v) {
				best = max(best, w.Conf)
			}
		}
	}
	return best
}

// disputedConf caps the confidence of a total the second reading reads
// otherwise.
const disputedConf = 0.3

// totalLabelRank is the strongest label (readSummary's rank) under which
// the pages read the amount total; 0 when none does.
func totalLabelRank(pages []*Page, total string) int {
	v, ok := parseMoney(total)
	if !ok {
		return 0
	}
	best := 0
	for _, p := range pages {
		if p == nil {
			continue
		}
		for _, c := range readSummary(groupRows(wholeUnitWords(p.Words))).totals {
			if c.v == v && !c.check {
				best = max(best, c.rank)
			}
		}
	}
	return best
}

// fillHeader copies into h the date and total that h lacks and other has,
// with their confidence capped at secondLookConf.
func fillHeader(h *Header, other Header) {
	if h.Confidence == nil {
		h.Confidence = map[string]float64{}
	}
	if h.Date == "" && other.Date != "" {
		h.Date, h.DatePrinted, h.DateAmbiguous = other.Date, other.DatePrinted, other.DateAmbiguous
		h.Confidence["date"] = min(other.Confidence["date"], secondLookConf)
	}
	if h.Total == "" && other.Total != "" {
		h.Total = other.Total
		h.Confidence["total"] = min(other.Confidence["total"], secondLookConf)
	}
}

// secondLookLines: when the second look has read a one-page document
// again, its lines are used too (mergeLines).
var secondLookLines = true

// lookGap: a line of the second reading is added only when it fits in
// what the first reading's lines leave of the total.
var lookGap = true

// lookSameDesc: a line of the second reading whose description is one of
// the first reading's, read alike, is that line read again, not a missing
// one.
var lookSameDesc = true

// lookPricedRow: a line of the second reading whose amount is the
// quantity × unit price of a first reading's line that has no amount, or
// whose item code is a first reading's line's, is that line read again,
// not a missing one.
var lookPricedRow = true

// lookNeedTotal (off; OCR_LOOK_NEEDTOTAL=1 in tests and benches): no
// line of the second reading is added to a document without a total.
var lookNeedTotal = false

// samePricedRowAt is the index of the first of lines not used that has
// a quantity and a unit price but no amount, and whose quantity × unit
// price is l's amount; -1 when none.
func samePricedRowAt(l Line, lines []Line, used []bool) int {
	v, ok := parseMoney(l.Amount)
	if !ok || v == 0 {
		return -1
	}
	for j, m := range lines {
		if used[j] || m.Qty <= 0 {
			continue
		}
		if _, has := parseMoney(m.Amount); has {
			continue
		}
		if p, ok := parseMoney(m.UnitPrice); ok && p > 0 && m.Qty*p == v {
			return j
		}
	}
	return -1
}

// sameCodeAt is the index of the first of lines not used whose item
// code (SKU or barcode) is l's, or -1.
func sameCodeAt(l Line, lines []Line, used []bool) int {
	code := func(l Line) string {
		if l.SKU != "" {
			return l.SKU
		}
		return l.Barcode
	}
	c := code(l)
	if c == "" {
		return -1
	}
	for j, m := range lines {
		if !used[j] && code(m) == c {
			return j
		}
	}
	return -1
}

// sameItemAt is the index of the first of lines not used whose
// description is l's (sameItemAs), or -1.
func sameItemAt(l Line, lines []Line, used []bool) int {
	for j, m := range lines {
		if !used[j] && sameItemAs(l, []Line{m}) {
			return j
		}
	}
	return -1
}

// sameItemAs reports whether l's description is that of one of lines,
// letters compared case-blind with a misread letter in four allowed.
func sameItemAs(l Line, lines []Line) bool {
	letters := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, s)
	}
	a := letters(l.Description)
	if len([]rune(a)) < 3 {
		return false
	}
	for _, m := range lines {
		b := letters(m.Description)
		if len([]rune(b)) >= 3 && editDistance(a, b) <= max(1, min(len([]rune(a)), len([]rune(b)))/4) {
			return true
		}
	}
	return false
}

// linesReconcile reports whether the lines' amounts add up to the
// header's subtotal or total.
func linesReconcile(h *Header, lines []Line) bool {
	if len(lines) == 0 {
		return false
	}
	var sum int64
	for _, l := range lines {
		v, ok := parseMoney(l.Amount)
		if !ok {
			return false
		}
		sum += v
	}
	for _, t := range []string{h.Subtotal, h.Total} {
		if v, ok := parseMoney(t); ok && v == sum {
			return true
		}
	}
	return false
}

// amountLines counts the lines whose amount is not zero.
func amountLines(lines []Line) int {
	n := 0
	for _, l := range lines {
		if v, ok := parseMoney(l.Amount); !ok || v != 0 {
			n++
		}
	}
	return n
}

// secondReadingConf caps the confidence of a line read only in the
// second reading.
const secondReadingConf = 0.3

// mergeLines brings in the lines of the second reading of a page whose
// first reading's lines do not add up to its total: when the second
// reading's lines do, they replace the first's; otherwise each of its
// lines whose amount the first reading lacks is added, flagged (a check
// decides confidence, it does not hide a line).
func mergeLines(doc *Document, other []Line) {
	h := &doc.Header
	if len(other) == 0 || linesReconcile(h, doc.Lines) {
		return
	}
	// One line equal to the total adds up by accident (the total row or
	// a payment read as an item), beside lines of 0.00 too: it replaces
	// no more than one line.
	if linesReconcile(h, other) && (amountLines(other) > 1 || len(doc.Lines) <= 1) {
		doc.Lines = append([]Line(nil), other...)
		for i := range doc.Lines {
			doc.Lines[i].Problems = append(doc.Lines[i].Problems, "read from a second reading of the photo, whose lines add up to the total")
		}
		// The warning on the first reading's sum describes lines no longer
		// returned.
		doc.Warnings = slices.DeleteFunc(doc.Warnings, func(w string) bool { return strings.HasPrefix(w, "line amounts add up to") })
		doc.Warnings = append(doc.Warnings, "lines taken from a second reading of the photo: the first reading's did not add up to the total, these do")
		return
	}
	added := 0
	var sum int64
	for _, l := range doc.Lines {
		v, _ := parseMoney(l.Amount)
		sum += v
	}
	// Each first reading's line is matched once: by its amount (and its
	// description) first, then the unmatched ones by their description
	// (read again with another amount). A second reading's line matching
	// none is missing from the first (a real repeated item stays two:
	// "Coke 5.00" twice).
	used := make([]bool, len(doc.Lines))
	matched := make([]bool, len(other))
	for _, sameDesc := range []bool{true, false} {
		// The same amount and item first ("Coke 5.00" is the first's
		// Coke, not its Pepsi of 5.00), then the same amount.
		for i, l := range other {
			for j, m := range doc.Lines {
				if !matched[i] && !used[j] && (l.Amount != "" || !lookPricedRow) && m.Amount == l.Amount && (!sameDesc || sameItemAs(l, []Line{m})) {
					used[j], matched[i] = true, true
				}
			}
		}
	}
	first := doc.Lines
	// The lines missing from the first reading fit in what its lines
	// leave of the total: an amount larger than that is not one of them.
	gap, haveGap := parseMoney(h.Total)
	if lookNeedTotal && !haveGap {
		// No total: nothing says the first reading's lines are incomplete.
		return
	}
	gap -= sum
	haveGap = haveGap && lookGap
	for i, l := range other {
		if matched[i] {
			continue
		}
		if l.Amount == "" && l.UnitPrice == "" {
			// Neither an amount nor a price read (a code and specks):
			// nothing of the item to return, no check to flag it by.
			continue
		}
		if j := samePricedRowAt(l, first, used); lookPricedRow && j >= 0 {
			// The first reading's row whose amount was not read, read
			// again with it: its quantity × unit price is this amount.
			used[j] = true
			continue
		}
		if j := sameCodeAt(l, first, used); lookPricedRow && j >= 0 {
			// The first reading's row read again: the same item code.
			used[j] = true
			continue
		}
		if j := sameItemAt(l, first, used); lookSameDesc && j >= 0 {
			// The same row read with another amount: the first reading's
			// stands (flagged when its lines do not add up), unless its
			// last digit was only guessed (clipped.go): an amount read
			// whole replaces it, still flagged.
			used[j] = true
			if m := &doc.Lines[j]; m.clipped && l.Amount != "" {
				m.Qty, m.UnitPrice, m.Amount, m.clipped = l.Qty, l.UnitPrice, l.Amount, false
				m.NeedsReview, m.Confidence = true, min(m.Confidence, secondReadingConf)
				m.Fields.Amount = min(m.Fields.Amount, secondReadingConf)
				m.Problems = append(m.Problems, "amount taken from a second reading of the photo: the first's last digit was cut off")
			}
			continue
		}
		if v, ok := parseMoney(l.Amount); haveGap && (!ok || v > gap) {
			continue
		} else if haveGap {
			gap -= v
		}
		l.NeedsReview = true
		l.Confidence = min(l.Confidence, secondReadingConf)
		l.Fields = FieldConfidence{Code: min(l.Fields.Code, secondReadingConf), Qty: min(l.Fields.Qty, secondReadingConf),
			UnitPrice: min(l.Fields.UnitPrice, secondReadingConf), Amount: min(l.Fields.Amount, secondReadingConf)}
		l.Problems = append(l.Problems, "read only in a second reading of the photo: not confirmed")
		doc.Lines = append(doc.Lines, l)
		doc.NeedsReview = true
		added++
	}
	if added > 0 {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("%d line(s) read only in a second reading of the photo added, flagged", added))
	}
}
