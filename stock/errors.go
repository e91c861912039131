// Package stock is the domain of pandian: locations, SKUs, employees and
// their roles and scope, book stock and movements, counts with their scans,
// recounts and approvals, and discrepancy reports. It holds the rules and
// talks to persistence only through the Store interface; it imports no HTTP,
// SQL or OCR code.
package stock

import (
	"errors"
	"fmt"
)

// Error codes: the machine-readable half of every error the domain returns.
// The HTTP layer maps each code to a status.
const (
	EInvalid         = "invalid"           // bad input (400/422)
	EUnauthenticated = "unauthenticated"   // no or bad credentials (401)
	EForbidden       = "forbidden"         // authenticated but not allowed (403)
	ENotFound        = "not_found"         // missing or outside the caller's scope (404)
	EConflict        = "conflict"          // state does not allow it (409)
	ETooLarge        = "too_large"         // request too large (413)
	EUnsupported     = "unsupported_media" // wrong media type (415)
	ERateLimited     = "rate_limited"      // slow down (429)
	EUnavailable     = "unavailable"       // a dependency is down (503)
	EInternal        = "internal"          // a bug (500)
)

// Error is a domain error with a code, a message for people and optional
// details for programs.
type Error struct {
	Code    string
	Message string
	Details map[string]any
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns a copy of e with one more detail.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// ErrorCode returns the code of err: the code of the first *Error in its
// chain, "" for nil and EInternal for anything else.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the human message of err; internal errors get a
// generic message so that no implementation detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorDetails returns the details of the first *Error in err's chain.
func ErrorDetails(err error) map[string]any {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}
