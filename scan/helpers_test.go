package scan

import (
	"errors"
	"testing"
	"time"
)

// testNow fixes "now" for the GS1 century rule.
var testNow = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

func testParser() *Parser {
	return &Parser{Now: func() time.Time { return testNow }}
}

// withCheck appends the GS1 check digit to body.
func withCheck(body string) string {
	return body + string(CheckDigit(body))
}

// wantReason asserts that err is a *ParseError with the given Reason.
func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want *ParseError with reason %q", err, err, reason)
	}
	if pe.Reason != reason {
		t.Fatalf("reason = %q\n      want %q", pe.Reason, reason)
	}
}
