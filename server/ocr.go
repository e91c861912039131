package main

import (
	"cmp"
	"context"
	"errors"
	"image"
	"io"
	"strings"
	"time"

	"pandian/ocr"
	"pandian/stock"
)

// documents adapts the OCR engine to the domain: it checks uploads
// (stock.DocumentChecker, no Tesseract needed) and, with an engine, reads
// them (stock.DocumentReader).
type documents struct {
	eng *ocr.Engine // nil: checks only
	lim ocr.Limits
	// checkTimeout bounds the trial rendering of a PDF at upload (default
	// 10 s), well under the reading's own limit: a page that takes longer
	// at 40 DPI is refused rather than holding an upload place.
	checkTimeout time.Duration
	// metrics (nil: none) time the documents read.
	metrics *metrics
}

// checkLimits rasterise PDFs coarsely (40 DPI) within checkTimeout: enough
// to find page-count, page-size, drawing and decoding bombs at upload,
// cheaply.
func (d documents) checkLimits() ocr.Limits {
	l := d.lim
	l.DPI = 40
	l.Timeout = cmp.Or(d.checkTimeout, 10*time.Second)
	return l
}

// CheckDocument implements stock.DocumentChecker.
func (d documents) CheckDocument(ctx context.Context, r io.Reader, mediaType string) error {
	if mediaType == stock.MediaPDF {
		_, err := ocr.RasterizePDF(ctx, r, d.checkLimits())
		return ocrErr(err)
	}
	_, err := ocr.LoadImage(r, d.lim)
	return ocrErr(err)
}

// ocrErr gives the engine's input errors the domain's codes.
func ocrErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ocr.ErrTooLarge):
		return stock.Errorf(stock.ETooLarge, "the document is too large to read: %s", strings.TrimPrefix(err.Error(), "ocr: "))
	case errors.Is(err, ocr.ErrUnsupported):
		return stock.Errorf(stock.EUnsupported, "the document's format is not supported: %s", strings.TrimPrefix(err.Error(), "ocr: "))
	case errors.Is(err, ocr.ErrCorrupt), errors.Is(err, ocr.ErrTimeout):
		return stock.Errorf(stock.EInvalid, "the document cannot be read: %s", strings.TrimPrefix(err.Error(), "ocr: "))
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	var se *stock.Error
	if errors.As(err, &se) {
		return err
	}
	return stock.Errorf(stock.EInvalid, "the document cannot be read: %v", err)
}

// ReadDocument implements stock.DocumentReader: pages are OCR'd in
// parallel across the engine's workers, progress reported per page.
func (d documents) ReadDocument(ctx context.Context, r io.Reader, mediaType string, progress func(float64)) (_ stock.Extraction, err error) {
	if d.metrics != nil {
		start := time.Now()
		defer func() { d.metrics.document(time.Since(start), err) }()
	}
	if d.eng == nil {
		return stock.Extraction{}, stock.Errorf(stock.EUnavailable, "this process has no OCR engine")
	}
	var pages []image.Image
	if mediaType == stock.MediaPDF {
		var err error
		if pages, err = ocr.RasterizePDF(ctx, r, d.lim); err != nil {
			return stock.Extraction{}, ocrErr(err)
		}
	} else {
		img, err := ocr.LoadImage(r, d.lim)
		if err != nil {
			return stock.Extraction{}, ocrErr(err)
		}
		pages = []image.Image{img}
	}
	doc, err := d.readPages(ctx, pages, func(p float64) { progress(p * 0.9) })
	if err != nil {
		return stock.Extraction{}, err
	}
	// Pages photographed sideways or upside down are turned by the
	// engine's orientation detection, once, before reading.
	progress(1)
	return extraction(doc), nil
}

// readPages OCRs pages on the engine's workers and extracts the document,
// reporting progress per page.
func (d documents) readPages(ctx context.Context, pages []image.Image, progress func(float64)) (*ocr.Document, error) {
	doc, err := d.eng.ReadDocumentProgress(ctx, pages, func(done, total int) { progress(float64(done) / float64(total)) })
	if err != nil {
		return nil, ocrErr(err)
	}
	return doc, nil
}

// extraction converts the engine's result to the domain's.
func extraction(doc *ocr.Document) stock.Extraction {
	h := doc.Header
	ex := stock.Extraction{Pages: doc.Pages, NeedsReview: doc.NeedsReview, Warnings: doc.Warnings,
		Header: stock.DocHeader{Supplier: h.SupplierName(), PONumber: h.DocNumber,
			Date: h.Date, DatePrinted: h.DatePrinted, DateAmbiguous: h.DateAmbiguous, Total: h.Total, Currency: h.Currency, Confidence: map[string]float64{}}}
	// The engine names the document number doc_number; the API po_number.
	for k, v := range h.Confidence {
		if k == "doc_number" {
			k = "po_number"
		}
		ex.Header.Confidence[k] = v
	}
	for _, l := range doc.Lines {
		f := l.Fields
		ex.Lines = append(ex.Lines, stock.DocLine{SKU: l.SKU, Barcode: l.Barcode, Description: l.Description, Qty: l.Qty,
			UnitPrice: l.UnitPrice, Amount: l.Amount, Confidence: l.Confidence, NeedsReview: l.NeedsReview, Problems: l.Problems,
			FieldConfidence: map[string]float64{"code": f.Code, "qty": f.Qty, "unit_price": f.UnitPrice, "amount": f.Amount}})
	}
	return ex
}
