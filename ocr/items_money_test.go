package ocr

import "testing"

// TestMarkedMoneyNoCode: a currency mark (also one misread, "HKS") before
// an amount is money, never an item code; codes still read.
func TestMarkedMoneyNoCode(t *testing.T) {
	for _, s := range []string{"HKS29.30", "HK$1677.60", "HKSI3.00", "MOP$1,234.50", "RM12.90"} {
		if id, ok := readIDToken(s); ok {
			t.Errorf("readIDToken(%q) = %+v, want no code", s, id)
		}
	}
	for _, s := range []string{"SKU-000295", "N6098-L", "4891028164456", "S07185"} {
		if _, ok := readIDToken(s); !ok {
			t.Errorf("readIDToken(%q): no code", s)
		}
	}
}
