package stock

import "testing"

// TestCurrencyOf is the one test of which currency a location counts in:
// reports, review pages, workbooks and alerts all call CurrencyOf.
func TestCurrencyOf(t *testing.T) {
	for _, c := range []struct {
		path string
		want Currency
	}{
		{"/MO/", CurrencyMOP},
		{"/MO/MO-SMR/", CurrencyMOP},
		{"/MO/MO-SMR/MO-SMR-Z1/B-01/", CurrencyMOP},
		{"/MAC/", CurrencyMOP},
		{"/MAC/STORE-7/", CurrencyMOP}, // under /MAC/, whatever the store's code
		{"/MAC/STORE-7/Z1/", CurrencyMOP},
		{"/GROUP/MO/SMR/", CurrencyMOP}, // Macau below a company root
		{"/MO-SMR/", CurrencyMOP},       // a code alone, or a store at the root
		{"/MAC-1/", CurrencyMOP},
		{"/HK/", CurrencyHKD},
		{"/HK/HK-KLN/HK-TST/HK-TST-Z1/", CurrencyHKD},
		{"/HK/HK-TST/MO-1/", CurrencyHKD}, // a bin coded MO-1 in Hong Kong
		{"/MONGKOK/", CurrencyHKD},        // a code that merely starts with MO
		{"/HK/MOK/", CurrencyHKD},
		{"/MACAO-STYLE/", CurrencyHKD},
		{"/mo/", CurrencyHKD}, // codes are case-sensitive
		{"", CurrencyHKD},
		{"/", CurrencyHKD},
	} {
		if got := CurrencyOf(c.path); got != c.want {
			t.Errorf("CurrencyOf(%q) = %s, want %s", c.path, got, c.want)
		}
		if got := (Location{Path: c.path}).Currency(); got != c.want {
			t.Errorf("Location{Path: %q}.Currency() = %s, want %s", c.path, got, c.want)
		}
	}
	if CurrencyHKD.Symbol() != "HK$" || CurrencyMOP.Symbol() != "MOP$" {
		t.Errorf("symbols %q %q", CurrencyHKD.Symbol(), CurrencyMOP.Symbol())
	}
}
