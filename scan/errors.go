package scan

import "fmt"

// ParseError is the error Parse returns when a scan cannot be understood.
// Reason says precisely what is wrong, in words fit to show to the person
// holding the scanner (the API maps it to a 4xx response).
type ParseError struct {
	Raw    string // the input as received
	Reason string // e.g. "AI 17: month 13 is not a valid month"
}

// Error implements the error interface.
func (e *ParseError) Error() string {
	return fmt.Sprintf("scan: cannot read %q: %s", e.Raw, e.Reason)
}

// fail returns a *ParseError whose Raw is filled in by Parser.Parse.
func fail(format string, args ...any) error {
	return &ParseError{Reason: fmt.Sprintf(format, args...)}
}
