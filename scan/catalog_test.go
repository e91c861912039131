package scan

import (
	"errors"
	"testing"
)

// TestCatalogKey: catalog codes of GTIN length must have a right check
// digit; other codes are kept as written (trimmed).
func TestCatalogKey(t *testing.T) {
	for _, c := range []struct{ in, want, reason string }{
		{"4894033001501", "04894033001501", ""},
		{" 4894033001501 ", "04894033001501", ""},
		{"036000291452", "00036000291452", ""},   // UPC-A
		{"96385074", "00000096385074", ""},       // EAN-8
		{"14894033001508", "14894033001508", ""}, // GTIN-14
		{"4894033001502", "", "GTIN check digit is 2, expected 1"},
		{"036000291453", "", "GTIN check digit is 3, expected 2"},
		{"96385075", "", "GTIN check digit is 5, expected 4"},
		{"14894033001509", "", "GTIN check digit is 9, expected 8"},
		{"489403300150", "", "GTIN check digit is 0, expected 1"}, // 12 digits: read as a UPC-A
		{"48940330015", "48940330015", ""},                        // 11 digits: not a GTIN length, an internal code
		{"SKU-000001", "SKU-000001", ""},
		{"4894O33001502", "4894O33001502", ""}, // a letter: not a GTIN
	} {
		got, err := CatalogKey(c.in)
		var pe *ParseError
		switch {
		case c.reason == "" && (err != nil || got != c.want):
			t.Errorf("CatalogKey(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case c.reason != "" && (!errors.As(err, &pe) || pe.Reason != c.reason || pe.Raw != c.in):
			t.Errorf("CatalogKey(%q) error %v, want reason %q", c.in, err, c.reason)
		}
	}
}
