package scan

import "strings"

// CatalogKey is Key for a code written into the catalog, where a mistyped
// GTIN must be refused rather than kept as an internal code: a code of 8,
// 12, 13 or 14 digits must carry a correct GS1 check digit. Errors are
// *ParseError whose Reason reads "GTIN check digit is 2, expected 7".
func CatalogKey(code string) (string, error) {
	t := strings.TrimSpace(code)
	switch len(t) {
	case 8, 12, 13, 14:
		if isDigits(t) {
			if p := checkProblem("GTIN", t); p != "" {
				return "", &ParseError{Raw: code, Reason: p}
			}
		}
	}
	return Key(t), nil
}
