// Package scan understands barcodes: the raw strings that handheld scanners
// send (AIM symbology identifiers, GS1 element strings, GS1 Digital Link URIs)
// and, later, photos of barcodes. It knows nothing of counts or HTTP.
package scan

import (
	"fmt"
	"strings"
)

// CheckDigit returns the GS1 mod-10 check digit for body, a string of
// decimal digits without its check digit. It returns 0 when body holds a
// non-digit. It is the only place the package computes GS1 check digits.
func CheckDigit(body string) byte {
	sum := 0
	// Weights alternate 3,1,3,... starting from the rightmost digit of body.
	for i := 0; i < len(body); i++ {
		c := body[len(body)-1-i]
		if c < '0' || c > '9' {
			return 0
		}
		d := int(c - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// ValidGTIN reports whether s is a GTIN-8, GTIN-12, GTIN-13 or GTIN-14 with a
// correct check digit.
func ValidGTIN(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	return isDigits(s) && checkProblem("", s) == ""
}

// ToGTIN14 left-pads a valid GTIN-8/12/13/14 with zeros to 14 digits, the form
// used to match scans against the catalog (so a UPC-A scan finds the EAN-13
// entry 0 + UPC-A). It reports false when s is not a valid GTIN.
func ToGTIN14(s string) (string, bool) {
	if !ValidGTIN(s) {
		return "", false
	}
	return "00000000000000"[:14-len(s)] + s, true
}

// Key returns the catalog key for a code as written in a catalog or typed by
// hand: the GTIN-14 form when the trimmed s is a valid GTIN-8/12/13/14, else
// the trimmed s unchanged (Code 39 and other internal codes).
func Key(s string) string {
	t := strings.TrimSpace(s)
	if g, ok := ToGTIN14(t); ok {
		return g
	}
	return t
}

// ExpandUPCE expands an 8-digit UPC-E (number system 0 or 1, six data digits,
// check digit) to its 12-digit UPC-A, e.g. "01234565" -> "012345000065". The
// check digit must be right; errors are *ParseError.
func ExpandUPCE(upce string) (string, error) {
	if !isDigits(upce) {
		return "", &ParseError{Raw: upce, Reason: fmt.Sprintf("UPC-E must be digits, got %q", upce)}
	}
	if len(upce) != 8 {
		return "", &ParseError{Raw: upce, Reason: fmt.Sprintf("UPC-E needs 8 digits, got %d", len(upce))}
	}
	a, problem := upceToUPCA(upce)
	if problem != "" {
		return "", &ParseError{Raw: upce, Reason: problem}
	}
	return a, nil
}

// upceToUPCA expands the 8 digits upce, reporting a problem instead of an
// error so that callers can combine reasons.
func upceToUPCA(upce string) (string, string) {
	ns := upce[0]
	if ns != '0' && ns != '1' {
		return "", fmt.Sprintf("UPC-E number system must be 0 or 1, got %c", ns)
	}
	a := upceBody(ns, upce[1:7]) + upce[7:]
	if p := checkProblem("UPC-E", a); p != "" {
		return "", p
	}
	return a, ""
}

// upceBody returns the 11-digit UPC-A body (without check digit) for number
// system ns and the six UPC-E data digits d.
func upceBody(ns byte, d string) string {
	n := string(ns)
	switch d[5] {
	case '0', '1', '2':
		return n + d[0:2] + d[5:6] + "0000" + d[2:5]
	case '3':
		return n + d[0:3] + "00000" + d[3:5]
	case '4':
		return n + d[0:4] + "00000" + d[4:5]
	default:
		return n + d[0:5] + "0000" + d[5:6]
	}
}

// checkProblem checks the last digit of the all-digit string s against
// CheckDigit of the rest. It returns "" when it matches, else a reason such
// as "GTIN check digit is 3, expected 7" (noun "GTIN").
func checkProblem(noun, s string) string {
	got := s[len(s)-1]
	want := CheckDigit(s[:len(s)-1])
	if got == want {
		return ""
	}
	return strings.TrimSpace(fmt.Sprintf("%s check digit is %c, expected %c", noun, got, want))
}

// isDigits reports whether s is non-empty and made of ASCII digits only.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
