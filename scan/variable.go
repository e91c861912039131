package scan

import (
	"fmt"
	"strconv"
	"strings"
)

// VariableMeasureLayout describes how a store lays out its in-store
// variable-measure EAN-13 codes (GS1 prefixes 20–29, restricted
// circulation): Prefix, then ItemDigits of item reference, then an optional
// price/weight check digit, then ValueDigits of price or weight, then the
// EAN-13 check digit. The lengths must add up to 13.
type VariableMeasureLayout struct {
	Prefix      string // leading digits selecting this layout, e.g. "2" or "21"; the longest matching prefix wins
	ItemDigits  int    // digits of item reference after the prefix
	ValueDigits int    // digits of price or weight before the check digit
	Kind        string // "price" (in the store's currency) or "weight" (in kg)
	Decimals    int    // implied decimals of the value, e.g. 2 for price in dollars and cents, 3 for kg with grams
	PriceCheck  bool   // a GS1 price/weight check digit precedes the value (only for 4 or 5 value digits)
}

// Measure is the data of a variable-measure EAN-13.
type Measure struct {
	Kind  string `json:"kind"`  // "price" or "weight", from the layout
	Value string `json:"value"` // decimal string, e.g. "12.34" (price) or "0.765" (kg)
	Item  string `json:"item"`  // the item reference digits
	// Base is the 13-digit code the catalog lists for the item: the scanned
	// code with the value (and any price check digit) set to zeros and the
	// check digit recomputed, "2X IIIII 00000 C". Code.GTIN is "0" + Base.
	Base string `json:"base"`
}

// DefaultVariableMeasure returns the layout used when Parser.VariableMeasure
// is nil: for each prefix 20–29, a 5-digit item reference after the 2-digit
// prefix and a 5-digit price with 2 decimals, with no price check digit.
func DefaultVariableMeasure() []VariableMeasureLayout {
	layouts := make([]VariableMeasureLayout, 0, 10)
	for p := 20; p <= 29; p++ {
		layouts = append(layouts, VariableMeasureLayout{
			Prefix: strconv.Itoa(p), ItemDigits: 5, ValueDigits: 5, Kind: "price", Decimals: 2,
		})
	}
	return layouts
}

var defaultLayouts = DefaultVariableMeasure()

// Validate reports whether the layout is usable; call it when loading store
// configuration. Errors are *ParseError.
func (l VariableMeasureLayout) Validate() error {
	pc := 0
	if l.PriceCheck {
		pc = 1
	}
	total := len(l.Prefix) + l.ItemDigits + pc + l.ValueDigits + 1
	switch {
	case !isDigits(l.Prefix) || l.Prefix[0] != '2':
		return fail("variable-measure layout: prefix %q must be digits starting with 2", l.Prefix)
	case l.ItemDigits < 1 || l.ValueDigits < 1:
		return fail("variable-measure layout %s: item and value need at least 1 digit each", l.Prefix)
	case total != 13:
		return fail("variable-measure layout %s: prefix, item, value and check digits add up to %d, not 13", l.Prefix, total)
	case l.Kind != "price" && l.Kind != "weight":
		return fail("variable-measure layout %s: kind must be \"price\" or \"weight\", got %q", l.Prefix, l.Kind)
	case l.Decimals < 0 || l.Decimals > l.ValueDigits:
		return fail("variable-measure layout %s: %d decimals do not fit in %d value digits", l.Prefix, l.Decimals, l.ValueDigits)
	case l.PriceCheck && l.ValueDigits != 4 && l.ValueDigits != 5:
		return fail("variable-measure layout %s: a price check digit needs 4 or 5 value digits, not %d", l.Prefix, l.ValueDigits)
	}
	return nil
}

// layoutFor returns the layout with the longest prefix matching the 13-digit
// s, or nil.
func (p *Parser) layoutFor(s string) *VariableMeasureLayout {
	layouts := p.VariableMeasure
	if layouts == nil {
		layouts = defaultLayouts
	}
	var best *VariableMeasureLayout
	for i := range layouts {
		l := &layouts[i]
		if strings.HasPrefix(s, l.Prefix) && (best == nil || len(l.Prefix) > len(best.Prefix)) {
			best = l
		}
	}
	return best
}

// variableMeasure reads the valid EAN-13 s as a variable-measure code when
// a layout matches. ok is false when none does.
func (p *Parser) variableMeasure(s string) (m *Measure, ok bool, err error) {
	l := p.layoutFor(s)
	if l == nil {
		return nil, false, nil
	}
	if err := l.Validate(); err != nil {
		return nil, true, err
	}
	itemEnd := len(l.Prefix) + l.ItemDigits
	valueStart := 12 - l.ValueDigits
	value := s[valueStart:12]
	if l.PriceCheck {
		if got, want := s[itemEnd], priceCheckDigit(value); got != want {
			return nil, true, fail("%s check digit is %c, expected %c", l.Kind, got, want)
		}
	}
	body := s[:itemEnd] + strings.Repeat("0", 12-itemEnd)
	return &Measure{
		Kind:  l.Kind,
		Value: formatDecimal(value, l.Decimals),
		Item:  s[len(l.Prefix):itemEnd],
		Base:  body + string(CheckDigit(body)),
	}, true, nil
}

// Weighting tables of GS1 General Specifications 7.9.3 ("2-", "3", "5+",
// "5-"), indexed by digit.
var (
	weight2minus = [10]int{0, 2, 4, 6, 8, 9, 1, 3, 5, 7}
	weight3      = [10]int{0, 3, 6, 9, 2, 5, 8, 1, 4, 7}
	weight5plus  = [10]int{0, 5, 1, 6, 2, 7, 3, 8, 4, 9}
	weight5minus = [10]int{0, 5, 9, 4, 8, 3, 7, 2, 6, 1}
)

// priceCheckDigit computes the GS1 price/weight check digit of a 4- or
// 5-digit value (GS1 General Specifications 7.9.3). This is a different
// algorithm from the mod-10 CheckDigit.
func priceCheckDigit(v string) byte {
	d := func(i int) int { return int(v[i] - '0') }
	switch len(v) {
	case 4:
		sum := weight2minus[d(0)] + weight2minus[d(1)] + weight3[d(2)] + weight5minus[d(3)]
		return byte('0' + sum*3%10)
	case 5:
		sum := weight5plus[d(0)] + weight2minus[d(1)] + weight5minus[d(2)] + weight5plus[d(3)] + weight2minus[d(4)]
		r := (10 - sum%10) % 10
		for c, w := range weight5minus {
			if w == r {
				return byte('0' + c)
			}
		}
	}
	panic(fmt.Sprintf("scan: price check digit of %d digits", len(v)))
}
