package ocr

import "strings"

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
