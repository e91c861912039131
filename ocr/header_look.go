package ocr

import (
	"context"
	"fmt"
	"image"
	"runtime"
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

// readAsIs OCRs the photo as it came (only turned when the page was read
// turned), words only: no rectifying, flattening, scaling or second
// readings.
func (e *Engine) readAsIs(ctx context.Context, img image.Image, turned int) (*Page, error) {
	if turned != 0 {
		img = Turn(img, turned)
	}
	w, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { e.clients <- w }()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g := toGray(img)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p, err := pageWords(w, g)
	if err != nil {
		return nil, err
	}
	p.Turned = turned
	return p, nil
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
	for _, i := range pick {
		turned := 0
		if i < len(read) && read[i] != nil {
			turned = read[i].Turned
		}
		p, err := e.readAsIs(ctx, imgs[i], turned)
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
	}
	applySecondLook(doc, read, raw)
	return nil
}

// applySecondLook merges the header of the second reading raw into doc
// (mergeHeader); read holds the first readings.
// An implausible date the first reading left empty (Extract's warning)
// and the second filled keeps its warning, saying where the date came
// from.
func applySecondLook(doc *Document, read, raw []*Page) {
	noDate, printed := doc.Header.Date == "", doc.Header.DatePrinted
	mergeHeader(&doc.Header, read, Extract(raw).Header, raw)
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
		case other.Confidence["total"] >= 0.9 || totalLabelRank(raw, other.Total) > totalLabelRank(first, h.Total):
			h.Total = other.Total
			h.Confidence["total"] = min(other.Confidence["total"], secondLookConf)
		default:
			h.Confidence["total"] = min(h.Confidence["total"], disputedConf)
		}
	}
	fillHeader(h, other)
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
