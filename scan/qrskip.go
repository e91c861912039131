package scan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// The QR Code reader left out of windows where it cannot find a finder
// pattern. gozxing's QR reader (not in pure-barcode mode) first looks for
// three finder patterns: it walks rows of the black matrix (every third,
// until it confirms one: every row before that is iSkip apart, from
// iSkip-1), tests every window of five runs from a bar that ends on the
// row or at its end for the 1:1:3:1:1 ratio (foundPatternCross), and
// confirms a centre only where the column through it (CrossCheckVertical)
// and then the row through the found centre (CrossCheckHorizontal) show
// the ratio too, and a diagonal does. Fewer than three centres: no read.
// qrMayFind walks the same rows' runs (taken a word at a time, not bit by
// bit) with the same window tests and gozxing's own cross checks on the
// same matrix, the diagonal left out; where none passes, gozxing's finder
// confirms no centre on its first rows, so it never changes its rows, and
// finds none: the reader fails. The windows of the 2D sweep over 1D
// photos (tiles of the whole view, twice) are mostly such.
// TestQRSkipExact, TestRowSkipExact.
//
// qrSkip switches it (tests and the bench compare).
var qrSkip = true

// qrMayFind reports whether gozxing's QR finder can confirm a finder
// pattern centre in m (the hints' TRY_HARDER sets its rows as gozxing's).
func qrMayFind(m *gozxing.BitMatrix, hints map[gozxing.DecodeHintType]interface{}) bool {
	_, tryHarder := hints[gozxing.DecodeHintType_TRY_HARDER]
	maxI, maxJ := m.GetHeight(), m.GetWidth()
	iSkip := (3 * maxI) / (4 * detector.FinderPatternFinder_MAX_MODULES)
	if iSkip < detector.FinderPatternFinder_MIN_SKIP || tryHarder {
		iSkip = detector.FinderPatternFinder_MIN_SKIP
	}
	f := detector.NewFinderPatternFinder(m, nil)
	row := gozxing.NewBitArray(maxJ)
	var runs []int32
	var c [5]int
	for i := iSkip - 1; i < maxI; i += iSkip {
		row = m.GetRow(i, row)
		var first bool
		runs, first = rowRuns(row, runs)
		n := len(runs)
		k, pos := 0, 0
		if !first {
			k, pos = 1, int(runs[0])
		}
		for ; k+4 < n; k, pos = k+2, pos+int(runs[k])+int(runs[k+1]) {
			total := 0
			for q := range 5 {
				c[q] = int(runs[k+q])
				total += c[q]
			}
			if !crossRatio(&c) { // gozxing's foundPatternCross in integers (qrcross.go)
				continue
			}
			j := pos + total // where the window ends (the next run or the row's end)
			centerJ := detector.FinderPatternFinder_centerFromEnd(c[:], j)
			centerI := f.CrossCheckVertical(i, int(centerJ), c[2], total)
			if math.IsNaN(centerI) {
				continue
			}
			if !math.IsNaN(f.CrossCheckHorizontal(int(centerJ), int(centerI), c[2], total)) {
				return true
			}
		}
	}
	return false
}
