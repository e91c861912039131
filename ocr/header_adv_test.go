package ocr

import "testing"

// TestCheckedDocNumberRightAsRead: numbers the type-confirmed repairs must
// leave alone — letters after the type's prefix that are a prefix of their
// own (RCT receipts, PI pro formas, POS), a prefix "read with digits" that
// is one digit or would need a country code spelt in digits, and numbers
// of other forms (Malaysian receipts).
func TestCheckedDocNumberRightAsRead(t *testing.T) {
	for _, c := range []struct{ n, typ, date string }{
		{"RCT12345", "RC", ""}, {"RCT0001234", "RC", "2024-05-01"}, {"SIT12345", "RC", ""}, {"INT1234", "RC", ""},
		{"PI12345", "PO", ""}, {"PT12345", "PO", ""}, {"POS8768", "PO", ""}, {"DOT12345", "DN", ""},
		{"0-2025-1234", "DN", "2025-01-02"}, {"0240816-28", "DN", "2024-08-16"}, {"5151-2025-1234", "RC", "2025-01-02"},
		{"INV-2024-S12", "RC", "2024-05-01"}, {"SO-S1234", "PO", "2024-05-01"}, {"DNS-1001", "DN", ""}, {"POS8768", "RC", ""},
		{"CS00012345", "RC", "2018-03-01"}, {"OR18-0000123", "RC", "2018-03-01"}, {"T1-123456", "RC", "2018-03-01"},
		{"PO12345", "RC", ""}, {"SI-2025-0012", "DN", "2025-01-02"},
	} {
		if got := checkedDocNumber(c.n, c.typ, c.date); got != c.n {
			t.Errorf("checkedDocNumber(%q, %q, %q) = %q, want it as read", c.n, c.typ, c.date, got)
		}
	}
}

// TestRepairDocNumberSuffixS: an S ending the number is a suffix, not a 5.
func TestRepairDocNumberSuffixS(t *testing.T) {
	for _, s := range []string{"A1234S", "C12345S", "V12345S", "E1234ST", "INV-2024-S12", "SO-S1234", "T1-123456"} {
		if got := repairDocNumber(s); got != s {
			t.Errorf("repairDocNumber(%q) = %q, want it as read", s, got)
		}
	}
}
