package main

import (
	"context"
	"errors"
	"io"
	"time"

	"pandian/scan"
	"pandian/stock"
)

// photos adapts the barcode engine's bounded decoding pool to the domain.
type photos struct {
	pool  *scan.Pool
	codes codes
	// metrics (nil: none) count decoded photos.
	metrics *metrics
}

// DecodePhoto decodes every barcode in a photo and parses each as a scan
// of it would be.
func (p photos) DecodePhoto(ctx context.Context, r io.Reader) ([]stock.PhotoBarcode, error) {
	start := time.Now()
	found, err := p.pool.Decode(ctx, r)
	if p.metrics != nil {
		p.metrics.photo(time.Since(start), len(found), err)
	}
	if err != nil {
		return nil, photoError(err)
	}
	out := make([]stock.PhotoBarcode, 0, len(found))
	for _, b := range found {
		raw := b.Text
		if b.Code.Symbology != "" {
			raw = "]" + b.Code.Symbology + b.Text
		}
		pb := stock.PhotoBarcode{Format: b.Format, Text: b.Text, Points: b.Points, Raw: raw}
		if pb.Points == nil {
			pb.Points = [][2]float64{}
		}
		if parsed, err := p.codes.ParseCode(raw); err == nil {
			pb.Parsed = parsed
		}
		out = append(out, pb)
	}
	return out, nil
}

// photoError gives a decoding error its domain code (the API maps the
// codes to HTTP statuses: too large 413, unsupported 415, invalid 422,
// rate limited 429, unavailable 503).
func photoError(err error) error {
	msg := err.Error()
	var ie *scan.ImageError
	switch {
	case errors.As(err, &ie):
		switch ie.Kind {
		case scan.ImageTooLarge:
			return stock.Errorf(stock.ETooLarge, "%s", msg)
		case scan.ImageUnsupported:
			return stock.Errorf(stock.EUnsupported, "%s", msg)
		default: // unreadable, corrupt
			return stock.Errorf(stock.EInvalid, "%s", msg)
		}
	case errors.Is(err, scan.ErrBusy):
		return stock.Errorf(stock.ERateLimited, "photo decoding is busy; try again in a moment").With("retry_after_seconds", 1)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return stock.Errorf(stock.EUnavailable, "the photo could not be decoded in time; try again")
	}
	return err
}

// PhotoSize implements stock.PhotoSizer: the frame of the barcodes'
// points.
func (p photos) PhotoSize(photo []byte) (int, int, error) { return scan.UprightSize(photo) }
