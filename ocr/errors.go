package ocr

import "errors"

// Sentinel errors returned (wrapped) by the input functions so callers can map
// them to transport status codes, e.g. 413, 415 and 422.
var (
	// ErrTooLarge means the input exceeds a configured limit (bytes, pixels,
	// pages, page size).
	ErrTooLarge = errors.New("ocr: input too large")
	// ErrUnsupported means the input is not a supported image or PDF format.
	ErrUnsupported = errors.New("ocr: unsupported format")
	// ErrCorrupt means the input claims a supported format but cannot be decoded.
	ErrCorrupt = errors.New("ocr: corrupt input")
	// ErrTimeout means rasterising took longer than the configured limit.
	ErrTimeout = errors.New("ocr: processing timed out")
)
