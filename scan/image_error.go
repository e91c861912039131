package scan

import (
	"errors"
	"fmt"
)

// ImageErrorKind says why Decoder.Decode refused an image. The engine
// knows nothing of HTTP: the API maps the kinds to its statuses.
type ImageErrorKind int

// The kinds of refused images.
const (
	// ImageUnreadable: no image at all (empty input, or the input could
	// not be read).
	ImageUnreadable ImageErrorKind = iota + 1
	// ImageTooLarge: more bytes or pixels than the decoder's limits.
	ImageTooLarge
	// ImageUnsupported: not a JPEG, PNG, WebP or GIF.
	ImageUnsupported
	// ImageCorrupt: a JPEG, PNG, WebP or GIF that does not decode whole.
	ImageCorrupt
)

// String names the kind.
func (k ImageErrorKind) String() string {
	switch k {
	case ImageUnreadable:
		return "unreadable"
	case ImageTooLarge:
		return "too large"
	case ImageUnsupported:
		return "unsupported format"
	case ImageCorrupt:
		return "corrupt"
	}
	return fmt.Sprintf("ImageErrorKind(%d)", int(k))
}

// ImageError is the error Decoder.Decode returns for an image it will not
// or cannot read: Kind says which way, Reason why, in words fit for a
// client.
type ImageError struct {
	Kind   ImageErrorKind
	Reason string
}

// Error implements the error interface.
func (e *ImageError) Error() string {
	return fmt.Sprintf("scan: image rejected (%s): %s", e.Kind, e.Reason)
}

func imageErr(kind ImageErrorKind, format string, args ...any) *ImageError {
	return &ImageError{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// ErrBusy is returned by Pool.Decode when every worker is busy and the queue
// is full (the API answers 429 Too Many Requests).
var ErrBusy = errors.New("scan: decoder busy, try again later")
