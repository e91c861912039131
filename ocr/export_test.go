package ocr

import (
	"image"
	"os"
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
func StampedDateFromEnv() (restore func()) {
	saved := preferStamped
	switch os.Getenv("OCR_STAMPED_DATE") {
	case "1":
		preferStamped = true
	case "0":
		preferStamped = false
	}
	return func() { preferStamped = saved }
}

// HeaderCropsFromEnv turns the date's crop look on (OCR_HEADER_CROPS=1)
// or off (0) in the benchmarks; it returns a function restoring the
// previous setting.
func HeaderCropsFromEnv() (restore func()) {
	saved := headerCrops
	switch os.Getenv("OCR_HEADER_CROPS") {
	case "1":
		headerCrops = true
	case "0":
		headerCrops = false
	}
	return func() { headerCrops = saved }
}

// DigitRepairFromEnv turns repairOneDigit off (OCR_DIGIT_REPAIR=0) or on
// (1) in the benchmarks; it returns a function restoring the previous
// setting.
func DigitRepairFromEnv() (restore func()) {
	saved := digitRepair
	switch os.Getenv("OCR_DIGIT_REPAIR") {
	case "1":
		digitRepair = true
	case "0":
		digitRepair = false
	}
	return func() { digitRepair = saved }
}

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
func TotalCropsFromEnv() (restore func()) {
	saved := totalCrops
	switch os.Getenv("OCR_TOTAL_CROPS") {
	case "1":
		totalCrops = true
	case "0":
		totalCrops = false
	}
	return func() { totalCrops = saved }
}

// TotalCropCounts are the one-line readings the total's crop look made
// and the totals it set since the process started.
func TotalCropCounts() (reads, taken int64) {
	return totalCropReads.Load(), totalCropTaken.Load()
}

// LatinSecondFromEnv turns the second look's English-alone reading of
// Latin-script pages (latin.go) off (OCR_LATIN_SECOND=0) or on (1) in the
// benchmarks; it returns a function restoring the previous setting.
func LatinSecondFromEnv() (restore func()) {
	saved := latinSecond
	switch os.Getenv("OCR_LATIN_SECOND") {
	case "1":
		latinSecond = true
	case "0":
		latinSecond = false
	}
	return func() { latinSecond = saved }
}

// LatinSecondLooks is the number of second looks read with English alone
// since the process started.
func LatinSecondLooks() int64 { return latinSecondLooks.Load() }
