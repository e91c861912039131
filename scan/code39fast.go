package scan

import (
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// code39Row is gozxing's Code 39 row decoder behind a cheaper look for
// its start: gozxing slides a window of nine bars and spaces along the
// whole line and, at every element, classifies the nine widths narrow or
// wide (code39ToNarrowWidePattern, several passes over them) to see
// whether they are the start asterisk; on the tune photos that was 8% of
// the server's time, on every line of every photo. The asterisk is wide
// exactly at elements 1, 4 and 6 (gozxing calls an element wide when it
// is wider than a threshold that is one of the nine widths), so it can
// only be there when those three are all wider than all six others;
// code39MayStart walks the line as gozxing does and asks only that, and
// gozxing's quiet-zone test. Where no window passes, gozxing's search
// finds no asterisk and its DecodeRow fails; elsewhere gozxing's
// DecodeRow runs as it is. The reads are the same (TestCode39RowExact).
type code39Row struct {
	inner    oned.RowDecoder
	runs     *lineRuns
	counters [9]int
}

// fastCode39 switches code39Row (tests and the bench compare).
var fastCode39 = true

// newCode39Row returns the Code 39 row decoder of readers1D.
func newCode39Row(lr *lineRuns) oned.RowDecoder {
	return &code39Row{inner: oned.NewCode39Reader().(oned.RowDecoder), runs: lr}
}

// DecodeRow is gozxing's, failing at once on a line with no place for
// the start asterisk.
func (c *code39Row) DecodeRow(rowNumber int, row *gozxing.BitArray, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	if fastCode39 && fastStarts {
		// the same walk over the line's runs (rowstart.go)
		if runs, first := c.runs.of(row); !code39MayStartRuns(runs, first, &c.counters) {
			return nil, errNoStart
		}
	} else if fastCode39 && !code39MayStart(row, &c.counters) {
		return nil, errNoStart
	}
	return c.inner.DecodeRow(rowNumber, row, hints)
}

// Reset resets gozxing's reader.
func (c *code39Row) Reset() {
	if r, ok := c.inner.(gozxing.Reader); ok {
		r.Reset()
	}
}

// code39MayStart is gozxing's code39FindAsteriskPattern that reports
// whether some window of nine elements could be the asterisk (wide
// elements 1, 4, 6 wider than every other) with white before it for half
// its width: false means gozxing's finds none. The walk (counters, the
// window's start) is gozxing's, line for line.
func code39MayStart(row *gozxing.BitArray, counters *[9]int) bool {
	*counters = [9]int{}
	width := row.GetSize()
	rowOffset := row.GetNextSet(0)
	counterPosition := 0
	patternStart := rowOffset
	isWhite := false
	const patternLength = 9
	for i := rowOffset; i < width; i++ {
		if row.Get(i) != isWhite {
			counters[counterPosition]++
			continue
		}
		if counterPosition == patternLength-1 {
			c := counters
			if min(c[1], c[4], c[6]) > max(c[0], c[2], c[3], c[5], c[7], c[8]) {
				if b, _ := row.IsRange(max(0, patternStart-((i-patternStart)/2)), patternStart, false); b {
					return true
				}
			}
			patternStart += counters[0] + counters[1]
			copy(counters[:], counters[2:2+counterPosition-1])
			counters[counterPosition-1] = 0
			counters[counterPosition] = 0
			counterPosition--
		} else {
			counterPosition++
		}
		counters[counterPosition] = 1
		isWhite = !isWhite
	}
	return false
}

// code39MayStartRuns is code39MayStart on the line's runs (first run
// black or not): windows of nine runs from the first bar, two runs on at
// a time, each tested when the run after it begins, with white from
// max(0, start-width/2) to its start (in the space before it, or nothing
// before the line's start).
func code39MayStartRuns(runs []int32, firstBlack bool, c *[9]int) bool {
	m := len(runs)
	if m == 0 { // a line of no bits: gozxing finds nothing
		return false
	}
	k, pos, prev := 0, 0, -1 // the window's first run, where it starts, where the run before starts
	if !firstBlack {
		k, pos, prev = 1, int(runs[0]), 0
	}
	for ; k+9 < m; k += 2 {
		if min(runs[k+1], runs[k+4], runs[k+6]) > max(runs[k], runs[k+2], runs[k+3], runs[k+5], runs[k+7], runs[k+8]) {
			sum := 0
			for j := range 9 {
				c[j] = int(runs[k+j])
				sum += c[j]
			}
			if prev < 0 || max(0, pos-sum/2) >= prev {
				return true
			}
		}
		prev = pos + int(runs[k])
		pos += int(runs[k]) + int(runs[k+1])
	}
	return false
}
