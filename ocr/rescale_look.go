package ocr

import (
	"context"
	"image"
	"math"
	"runtime"
	"sync/atomic"
)

// The rescaled look: on the degraded copies of the real receipts' dev half
// most lost lines are in no reading at all. The photo's text is 5–10 px
// high there, and the text height measured on the blurred photo is off, so
// the preprocessed page's text lands anywhere from 8 to 32 px instead of
// the 15 aimed at. When a one-page document's lines do not add up to its
// total, the page is read once more with its text scaled to 15 px as
// measured on the preprocessed page; that reading's lines are taken when
// they add up to its total (takeRescaled), or added where they check
// (mergeRescaled). Off by default: on fresh degraded dev copies it added
// no right line (BENCHMARKS.md, h/rcpt3). Bench switch OCR_RESCALE_LOOK=1.

// rescaleLooks counts the rescaled looks read (benchmarks).
var rescaleLooks atomic.Int64

// rescaleLook turns the rescaled look on (bench switch OCR_RESCALE_LOOK).
var rescaleLook = false

// rescaleLineHeight, when not 0, is the text height (as measured on the
// photo) the rescaled look's preprocessing scales to; 0 keeps the first
// reading's (development measurements).
var rescaleLineHeight = 0

// rescaleFix, when not 0, scales the preprocessed page again so that the
// text height measured on it (textLineHeight) becomes rescaleFix pixels.
var rescaleFix = 15

// scaleTextTo scales g so that its text height (textLineHeight, measured on
// g) becomes about target pixels, by a factor within 1/3–3; g is returned
// as it is when its text height cannot be told.
func scaleTextTo(g *grayImg, target float64) *grayImg {
	lh := textLineHeight(g)
	if lh <= 0 {
		return g
	}
	s := math.Min(math.Max(target/lh, 1.0/3), 3)
	w, h := int(math.Round(float64(g.w)*s)), int(math.Round(float64(g.h)*s))
	hm, ok := quadHomography(rotationQuad(g.w, g.h, 0), float64(w), float64(h))
	if !ok || w < 16 || h < 16 {
		return g
	}
	return warp(g, hm, w, h)
}

// rescaleTessThreshold, when not "", is Tesseract's thresholding_method
// for the rescaled look (development measurements).
var rescaleTessThreshold = ""

// rescalePrep is the preprocessing of the rescaled look.
func rescalePrep() prepOptions {
	p := defaultPrep
	if rescaleLineHeight > 0 {
		p.lineHeight = rescaleLineHeight
		p.maxScale = 4
	}
	return p
}

// rescaledReading reads img again (turned as the first reading was),
// preprocessed as the first reading, then scaled so that the text height
// measured on the preprocessed page is rescaleFix pixels (scaleTextTo).
func (e *Engine) rescaledReading(ctx context.Context, img image.Image, turned int) (*Page, error) {
	if turned != 0 {
		img = Turn(img, turned)
	}
	g := preprocess(img, rescalePrep())
	if rescaleFix > 0 {
		g = scaleTextTo(g, float64(rescaleFix))
	}
	w, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { e.clients <- w }()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rescaleTessThreshold != "" {
		// Tesseract's own thresholding (0 Otsu, 1 Leptonica's tiled
		// Otsu, 2 Sauvola); the client is set back after the reading.
		if err := w.page.SetVariable("thresholding_method", rescaleTessThreshold); err != nil {
			return nil, err
		}
		defer func() { _ = w.page.SetVariable("thresholding_method", "0") }()
	}
	p, err := clientWords(w.page, g)
	if err != nil {
		return nil, err
	}
	p.Turned = turned
	return p, nil
}

// takeRescaled replaces doc's lines and totals by those of the rescaled
// reading's document d2 when d2's lines add up to its total or subtotal
// (two lines or more) and doc's do not; the date, supplier and numbers doc read stand, and d2's
// fill only those doc left empty. It reports whether d2 was taken.
func takeRescaled(doc, d2 *Document) bool {
	// One line equal to the total is no evidence: the total's own row
	// read as an item.
	if linesReconcile(&doc.Header, doc.Lines) || len(d2.Lines) < 2 || !linesReconcile(&d2.Header, d2.Lines) {
		return false
	}
	h := doc.Header
	h2 := d2.Header
	conf := map[string]float64{}
	for k, v := range h.Confidence {
		conf[k] = v
	}
	for _, k := range []string{"total", "subtotal", "discount"} {
		if v, ok := h2.Confidence[k]; ok {
			conf[k] = v
		} else {
			delete(conf, k)
		}
	}
	h.Subtotal, h.Discount, h.Total = h2.Subtotal, h2.Discount, h2.Total
	if h.Date == "" && h2.Date != "" {
		h.Date, h.DatePrinted, h.DateAmbiguous = h2.Date, h2.DatePrinted, h2.DateAmbiguous
		if v, ok := h2.Confidence["date"]; ok {
			conf["date"] = v
		}
	}
	if h.Supplier == "" && h2.Supplier != "" {
		h.Supplier, h.SupplierZH, h.SupplierEN = h2.Supplier, h2.SupplierZH, h2.SupplierEN
	}
	if h.Currency == "" {
		h.Currency = h2.Currency
	}
	h.Confidence = conf
	doc.Header = h
	doc.Lines = d2.Lines
	doc.NeedsReview = d2.NeedsReview
	doc.Warnings = append(doc.Warnings, "lines read from a second reading at a larger text size: they add up to the total")
	return true
}

// applyRescaleLook reads a one-page document's page again rescaled
// (rescaledReading) when its lines do not add up to its total or
// subtotal, and takes that reading's lines and totals when they do
// (takeRescaled). The first reading stays in out for the later looks.
func (e *Engine) applyRescaleLook(ctx context.Context, pages []image.Image, out []*Page, doc *Document) error {
	if !rescaleLook || len(pages) != 1 || len(out) != 1 || out[0] == nil || linesReconcile(&doc.Header, doc.Lines) {
		return nil
	}
	p, err := e.rescaledReading(ctx, pages[0], out[0].Turned)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		doc.Warnings = append(doc.Warnings, "second reading at a larger text size failed: "+err.Error())
		return nil
	}
	rescaleLooks.Add(1)
	d2 := Extract([]*Page{p})
	if !takeRescaled(doc, d2) {
		mergeRescaled(doc, d2)
	}
	return nil
}

// mergeRescaled adds to doc the lines of the rescaled reading's document
// d2 whose amount no line of doc has, when they check: each line whose
// qty × unit price = amount holds (not in review), or all of them
// together when doc's lines then add up to its total or subtotal. Lines
// that check neither way are not added. It returns how many were added.
func mergeRescaled(doc, d2 *Document) int {
	if linesReconcile(&doc.Header, doc.Lines) {
		return 0
	}
	have := map[string]int{}
	for _, l := range doc.Lines {
		have[l.Amount]++
	}
	var fresh []Line
	for _, l := range d2.Lines {
		if l.Amount == "" {
			continue
		}
		if have[l.Amount] > 0 {
			have[l.Amount]--
			continue
		}
		fresh = append(fresh, l)
	}
	if len(fresh) == 0 {
		return 0
	}
	all := append(append([]Line(nil), doc.Lines...), fresh...)
	if len(all) >= 2 && linesReconcile(&doc.Header, all) {
		for i := range fresh {
			fresh[i].Problems = append(fresh[i].Problems, "read in a second reading at a larger text size: the lines add up to the total")
		}
		doc.Lines = append(doc.Lines, fresh...)
		doc.Warnings = append(doc.Warnings, "lines added from a second reading at a larger text size: they add up to the total")
		return len(fresh)
	}
	added := 0
	for _, l := range fresh {
		if l.NeedsReview || l.Fields.Amount < 0.9 || l.Fields.Qty < 0.9 || l.Fields.UnitPrice < 0.9 {
			continue
		}
		l.Problems = append(l.Problems, "read in a second reading at a larger text size: qty × unit price = amount")
		doc.Lines = append(doc.Lines, l)
		added++
	}
	if added > 0 {
		doc.Warnings = append(doc.Warnings, "lines added from a second reading at a larger text size: their numbers check")
	}
	return added
}
