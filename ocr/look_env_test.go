package ocr

import "os"

// OCR_LOOK_LINES=1/0 turns the second look's lines (mergeLines) on or
// off in the tests and benchmarks, for before/after comparisons in one
// build; OCR_LOOK_GAP, OCR_LOOK_SAME and OCR_LOOK_PRICED (1/0) its filters.
func init() {
	set := func(k string, v *bool) {
		switch os.Getenv(k) {
		case "1":
			*v = true
		case "0":
			*v = false
		}
	}
	set("OCR_LOOK_LINES", &secondLookLines)
	set("OCR_LOOK_GAP", &lookGap)
	set("OCR_LOOK_SAME", &lookSameDesc)
	set("OCR_LOOK_PRICED", &lookPricedRow)
	set("OCR_LOOK_NEEDTOTAL", &lookNeedTotal)
}
