package ocr

// dropInkOnSheets lightens coloured ink (dropInk) on sheets only: pages
// preprocess rectifies at the sheet width (not narrow receipts). A chop
// stamped over a delivery note's table or pen marks over it are noise to
// read through; on a till receipt coloured print is content (a red price,
// a blue shop name), which is why dropColourInk, for every page, is off
// (it cost the real receipts' dev and held-out halves a wrong line and CPU).
// Bench switch OCR_DROP_INK_SHEETS (ocr_test: InkSheetsFromEnv).
var dropInkOnSheets = true

// dropsInk reports whether preprocess lightens coloured ink on a page
// rectified as a receipt (narrow) or a sheet.
func dropsInk(receipt bool) bool {
	return dropColourInk || (dropInkOnSheets && !receipt)
}
