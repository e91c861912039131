package scan

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ImageError is the error Decoder.Decode returns for an image it will not
// or cannot read: Status is the HTTP status the API answers with (400 empty
// input, 413 too many bytes or pixels, 415 not a JPEG/PNG/WebP/GIF, 422
// corrupt or undecodable) and Reason says why, in words fit for a client.
type ImageError struct {
	Status int
	Reason string
}

// Error implements the error interface.
func (e *ImageError) Error() string {
	return fmt.Sprintf("scan: image rejected (%d): %s", e.Status, e.Reason)
}

func imageErr(status int, format string, args ...any) *ImageError {
	return &ImageError{Status: status, Reason: fmt.Sprintf(format, args...)}
}

// ErrBusy is returned by Pool.Decode when every worker is busy and the queue
// is full; the HTTP layer answers 429 Too Many Requests.
var ErrBusy = errors.New("scan: decoder busy, try again later")

// ImageStatus is the HTTP status to answer for an error of Decoder.Decode
// or Pool.Decode: the Status of an *ImageError, 429 for ErrBusy, 503 when
// the request's context ended while waiting, 500 otherwise (200 for nil).
func ImageStatus(err error) int {
	var ie *ImageError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &ie):
		return ie.Status
	case errors.Is(err, ErrBusy):
		return http.StatusTooManyRequests
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
