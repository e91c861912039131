package ocr

import (
	"image"
	"os"
	"strconv"
	"testing"
)

// DescStats exposes describe to the external benchmarks: a description's
// mean word confidence, letters found, all letters and junk share.
func DescStats(desc string, pages []*Page) (meanConf float64, letters, allLetters int, junk float64) {
	st := describe(desc, pageWordConfs(pages))
	return st.meanConf, st.letters, st.allLet, st.junk
}

// PageRows returns a page's rows as Extract groups them, as text.
func PageRows(p *Page) []string {
	var out []string
	for _, r := range groupRows(p.Words) {
		out = append(out, r.text())
	}
	return out
}

// SetDewarp turns the straightening of curled lines (dewarp.go) on or
// off, for benchmarks that measure what it brings (OCR_DEWARP=1). It
// returns a function restoring the previous setting.
func SetDewarp(dewarp bool) (restore func()) {
	saved := defaultPrep.dewarp
	defaultPrep.dewarp = dewarp
	return func() { defaultPrep.dewarp = saved }
}

// DewarpGateReport exposes dewarpGateReport (debug_degrade_test.go) to the
// external benchmarks.
func DewarpGateReport(name string, img image.Image) string { return dewarpGateReport(name, img) }

// DewarpFromEnv sets the straightening as OCR_DEWARP asks in the
// benchmarks: 1 on, 0 off, unset the default. It returns a function
// restoring the previous setting.
func DewarpFromEnv() (restore func()) {
	switch os.Getenv("OCR_DEWARP") {
	case "1":
		return SetDewarp(true)
	case "0":
		return SetDewarp(false)
	}
	return func() {}
}

// StampedDateFromEnv turns preferStampedDate on (OCR_STAMPED_DATE=1) or
// off (0) in the benchmarks; it returns a function restoring the previous
// setting.
func StampedDateFromEnv() (restore func()) { return switchFromEnv(&preferStamped, "OCR_STAMPED_DATE") }

// HeaderCropsFromEnv turns the date's crop look on (OCR_HEADER_CROPS=1)
// or off (0) in the benchmarks; it returns a function restoring the
// previous setting.
func HeaderCropsFromEnv() (restore func()) { return switchFromEnv(&headerCrops, "OCR_HEADER_CROPS") }

// DigitRepairFromEnv turns repairOneDigit off (OCR_DIGIT_REPAIR=0) or on
// (1) in the benchmarks; it returns a function restoring the previous
// setting.
func DigitRepairFromEnv() (restore func()) { return switchFromEnv(&digitRepair, "OCR_DIGIT_REPAIR") }

// loadTestImage loads the image at path as the engine does, failing tb
// when it cannot.
func loadTestImage(tb testing.TB, path string) image.Image {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := LoadImage(f, DefaultLimits)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// TotalCropsFromEnv turns the total's crop look off (OCR_TOTAL_CROPS=0)
// or on (1) in the benchmarks; it returns a function restoring the
// previous setting.
func TotalCropsFromEnv() (restore func()) { return switchFromEnv(&totalCrops, "OCR_TOTAL_CROPS") }

// TotalCropCounts are the one-line readings the total's crop look made
// and the totals it set since the process started.
func TotalCropCounts() (reads, taken int64) {
	return totalCropReads.Load(), totalCropTaken.Load()
}

// LatinSecondFromEnv turns the second look's English-alone reading of
// Latin-script pages (latin.go) off (OCR_LATIN_SECOND=0) or on (1) in the
// benchmarks; it returns a function restoring the previous setting.
func LatinSecondFromEnv() (restore func()) { return switchFromEnv(&latinSecond, "OCR_LATIN_SECOND") }

// RowMergeFromEnv turns the row merge (rowmerge.go) and the one-digit
// arbitration of the second look's total (digitByConf) on or off:
// OCR_ROW_MERGE and OCR_DIGIT_BY_CONF, 1 on, 0 off.
func RowMergeFromEnv() (restore func()) {
	r1 := switchFromEnv(&rowMerge, "OCR_ROW_MERGE")
	r2 := switchFromEnv(&digitByConf, "OCR_DIGIT_BY_CONF")
	r3 := switchFromEnv(&rescaleLook, "OCR_RESCALE_LOOK")
	return func() { r1(); r2(); r3() }
}

// LatinSecondLooks is the number of second looks read with English alone
// since the process started.
func LatinSecondLooks() int64 { return latinSecondLooks.Load() }

// switchFromEnv sets the rule switch *on as the bench variable env asks:
// 1 on, 0 off, anything else leaves it. It returns a function restoring the
// previous setting.
func switchFromEnv(on *bool, env string) (restore func()) {
	saved := *on
	switch os.Getenv(env) {
	case "1":
		*on = true
	case "0":
		*on = false
	}
	return func() { *on = saved }
}

// LineHeightFromEnv sets the text size pages are scaled to in the
// benchmarks: OCR_LINE_HEIGHT for all pages, OCR_RECEIPT_LINE_HEIGHT for
// narrow receipts only, OCR_LOOK_LINE_HEIGHT for the second look
// (lookLineHeight; unset: the defaults). It returns a function
// restoring the previous setting.
func LineHeightFromEnv() (restore func()) {
	saved := defaultPrep
	if v, err := strconv.Atoi(os.Getenv("OCR_LINE_HEIGHT")); err == nil && v > 0 {
		defaultPrep.lineHeight = v
	}
	if v, err := strconv.Atoi(os.Getenv("OCR_RECEIPT_LINE_HEIGHT")); err == nil && v > 0 {
		defaultPrep.receiptLineHeight = v
	}
	savedLook := lookLineHeight
	if v, err := strconv.Atoi(os.Getenv("OCR_LOOK_LINE_HEIGHT")); err == nil && v >= 0 {
		lookLineHeight = v
	}
	return func() { defaultPrep, lookLineHeight = saved, savedLook }
}

// ClippedAmountsFromEnv turns the reading of amounts clipped by the page's
// edge off (OCR_CLIPPED_AMOUNTS=0) or on (1) in the benchmarks.
func ClippedAmountsFromEnv() (restore func()) {
	return switchFromEnv(&clippedAmountsOn, "OCR_CLIPPED_AMOUNTS")
}

// Rcpt2RulesFromEnv turns the summary rules of rcpt2Rules off
// (OCR_RCPT2_RULES=0) or on (1) in the benchmarks.
func Rcpt2RulesFromEnv() (restore func()) {
	return switchFromEnv(&rcpt2Rules, "OCR_RCPT2_RULES")
}
