package ocr

import (
	"regexp"
	"strings"
)

// roundedTotal reports a row naming the total after rounding ("Total
// Rounded", "Rounded Total", "Total after rounding"): the amount payable
// where cash totals are rounded to the nearest coin, not a rounding
// adjustment ("Rounding Adj"), which names no total.
func roundedTotal(u string) bool {
	return strings.Contains(u, "TOTAL") && (strings.Contains(u, "ROUNDED") || strings.Contains(u, "AFTERROUND"))
}

// roundedTotalRank ranks a rounded total above a plain "Total" (the
// amount before rounding).
const roundedTotalRank = 4

// splitAmount reads the last two words of a total row as one amount split
// in two by the reading: a thousands group cut after its comma ("MOP$9,"
// "769.03" for 9,769.03) or its comma read as a space ("MOP$8" "022.04"),
// or the decimal point read as a space ("26,562" "48" for 26,562.48). Like pointMisread, the candidate counts only when a
// sum (the lines', the subtotal) confirms it.
func splitAmount(r *row, rank, i int) []totalCand {
	toks := classify(r)
	n := len(toks)
	if n < 2 {
		return nil
	}
	a, b := stripMark(toks[n-2].s), toks[n-1].s
	var joined string
	switch {
	case reSplitThousands.MatchString(a) && reGroupAndCents.MatchString(b):
		joined = a + b
	case reIntGroups.MatchString(a) && len(b) == 2 && allDigits(b):
		joined = a + "." + b
	case len(a) >= 1 && len(a) <= 3 && allDigits(a) && reGroupAndCents.MatchString(b):
		joined = a + "," + b // "MOP$8 022.04": the thousands separator read as a space
	default:
		return nil
	}
	v, ok := parseMoney(joined)
	if !ok {
		return nil
	}
	return []totalCand{{v: v, rank: rank, row: i, check: true}}
}

var (
	reSplitThousands = regexp.MustCompile(`^\d{1,3}(,\d{3})*,$`)
	reGroupAndCents  = regexp.MustCompile(`^\d{3}\.\d{2}$`)
	reIntGroups      = regexp.MustCompile(`^\d{1,3}(,\d{3})+$|^\d{1,6}$`)
)

// cashWords and changeWords name the cash tendered and the change given
// back, as words (hasKeywordWord): an item named "Tenderloin" is no
// tender, "Exchange" no change.
var (
	cashWords   = []string{"CASH", "TENDER", "現金", "现金"}
	changeWords = []string{"CHANGE", "找續", "找零", "找赎", "找贖"}
)

func namesCash(r *row) bool   { return hasKeywordWord(r, cashWords) }
func namesChange(r *row) bool { return hasKeywordWord(r, changeWords) }

// fuzzySubtotal reports a row whose label is "Subtotal" misread in one
// letter ("Suototal", "Subtota1"): the sum before taxes, not the total.
func fuzzySubtotal(r *row) bool {
	prev := ""
	for _, w := range r.words {
		u := strings.ToUpper(strings.Trim(w.Text, trimSet+"."))
		// The word alone, or run together with the word before ("SB
		// TOTAL").
		for _, c := range []string{u, prev + u} {
			if len(c) >= 7 && len(c) <= 9 && c != "SUBTOTAL" && editDistance(c, "SUBTOTAL") <= 1 {
				return true
			}
		}
		prev = u
	}
	return false
}
