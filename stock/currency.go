package stock

import "strings"

// Currency is the ISO 4217 code of the currency a location counts its
// money in: Hong Kong dollars, or Macanese patacas in Macau.
type Currency string

// The currencies of the chain.
const (
	CurrencyHKD Currency = "HKD" // Hong Kong dollar, written HK$
	CurrencyMOP Currency = "MOP" // Macanese pataca, written MOP$
)

// macauCodes are the location codes of Macau: its ISO 3166 alpha-2 and
// alpha-3 codes.
var macauCodes = []string{"MO", "MAC"}

// CurrencyOf returns the currency of the location with path path
// ("/MO/MO-SMR/", see [Location]): MOP when the location or one of its
// ancestors is Macau (coded MO or MAC), or when its top-level location is
// coded after Macau ("MO-SMR", "MAC-1": a store at the root, or a code
// known without its path, written "/MO-SMR/"); HKD otherwise. It is the
// one rule every report, page, workbook and alert follows.
func CurrencyOf(path string) Currency {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, seg := range segs {
		for _, mo := range macauCodes {
			if seg == mo || i == 0 && strings.HasPrefix(seg, mo+"-") {
				return CurrencyMOP
			}
		}
	}
	return CurrencyHKD
}

// Currency returns the currency the location counts in ([CurrencyOf] its
// path).
func (l Location) Currency() Currency { return CurrencyOf(l.Path) }

// Symbol returns the sign written before amounts: "HK$" or "MOP$".
func (c Currency) Symbol() string {
	if c == CurrencyMOP {
		return "MOP$"
	}
	return "HK$"
}
