package ocr

import "testing"

// TestOddSepDocNumber: a prefix/year/serial number with one separator
// read as = (or ~, a long dash…) takes the other's, when the year is
// the document's; otherwise it stays as read.
func TestOddSepDocNumber(t *testing.T) {
	for _, c := range []struct{ n, date, want string }{
		{"INV=2025-2550", "2025-07-27", "INV-2025-2550"},
		{"PO/2024~0012", "2024-01-02", "PO/2024/0012"},
		{"INV=2025-2550", "2024-07-27", "INV=2025-2550"}, // another year
		{"INV=2025-2550", "", "INV=2025-2550"},
		{"INV=2025=2550", "2025-07-27", "INV=2025=2550"}, // nothing to say which
		{"INV/2025-2550", "2025-07-27", "INV/2025-2550"}, // both plain: as printed
	} {
		if got := checkedDocNumber(c.n, "RC", c.date); got != c.want {
			t.Errorf("checkedDocNumber(%q, RC, %q) = %q, want %q", c.n, c.date, got, c.want)
		}
	}
}
