package scan

import (
	"math/bits"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/oned/rss"
)

// Cheaper looks for where a Code 128 or a GS1 DataBar could start. Like
// Code 39's (code39fast.go), gozxing's Code 128 and DataBar readers walk
// every line bit by bit looking for their start (Code 128's start code,
// the DataBar's finder pattern) before doing anything else; on the tune
// photos near the median that walk is about a fifth of the server's time,
// and on most lines it finds nothing. Here the line's runs (widths of its
// bars and spaces) are taken once, with word operations, and the walk is
// done over them, window for window as gozxing does it and with its own
// tests (PatternMatchVariance against the three start codes, and the quiet
// zone; RSSReader_isFinderPattern): gozxing's readers run only where a
// window passes, so they find the same starts and the reads are the same
// (TestRowSkipExact, TestRowStartsExact).
//
//   - Code 128 (code128FindStartPattern): windows of six runs from the
//     first bar, two runs on at a time, each tested when the run after it
//     begins; a start code whose variance is below 0.25 with white before
//     it for half its width. No window: the reader fails at once (it keeps
//     no state).
//   - GS1 DataBar (rss14Reader.DecodeRow): a left pair looked for from
//     the first bar of the line, a right pair from the first space of the
//     line reversed, windows of four runs two at a time. When neither
//     window passes, the line adds no pair, so the reader returns what its
//     pairs made on the call before (they have not changed): nothing, when
//     that call returned nothing or it holds no left or no right pair.
//     Only then is it left out.
//
// fastStarts switches both (tests and the bench compare).
var fastStarts = true

// rowRuns returns the widths of row's runs from its first bit, and
// whether the first run is black (set bits).
func rowRuns(row *gozxing.BitArray, runs []int32) ([]int32, bool) {
	size := row.GetSize()
	words := row.GetBitArray()
	runs = runs[:0]
	if size == 0 {
		return runs, false
	}
	firstBlack := words[0]&1 != 0
	cur := firstBlack
	start, x := 0, 0
	for x < size {
		wi := x >> 5
		w := words[wi]
		if cur {
			w = ^w
		}
		w >>= uint(x & 31) // the set bits of w are where the colour changes
		if w == 0 {
			x = (wi + 1) << 5
			continue
		}
		x += bits.TrailingZeros32(w)
		if x >= size {
			break
		}
		runs = append(runs, int32(x-start))
		start, cur = x, !cur
	}
	runs = append(runs, int32(size-start))
	return runs, firstBlack
}

// errNoStart is the error of a line left out: one value (gozxing makes
// each of its errors with the caller's frame and a formatted message; the
// scans only ask whether there was one).
var errNoStart = gozxing.NewNotFoundException("no start on the line")

// lineRuns is rowRuns of the last line asked, kept for the next reader
// asked about the same bits (the three readers above take a line in turn;
// a line's bits are compared, not its address, as gozxing's readers may
// reverse a line in place and back). One per set of readers (readers1D):
// a nil one keeps nothing.
type lineRuns struct {
	words []uint32
	size  int
	runs  []int32
	first bool
	ok    bool
}

// of returns rowRuns(row).
func (l *lineRuns) of(row *gozxing.BitArray) ([]int32, bool) {
	if l == nil {
		runs, first := rowRuns(row, nil)
		return runs, first
	}
	w := row.GetBitArray()[:(row.GetSize()+31)/32]
	if l.ok && l.size == row.GetSize() && slices.Equal(l.words, w) {
		return l.runs, l.first
	}
	l.runs, l.first = rowRuns(row, l.runs)
	l.words, l.size, l.ok = append(l.words[:0], w...), row.GetSize(), true
	return l.runs, l.first
}

// code128Starts are gozxing's START_A, START_B and START_C.
var code128Starts = [3][]int{{2, 1, 1, 4, 1, 2}, {2, 1, 1, 2, 1, 4}, {2, 1, 1, 2, 3, 2}}

// code128MayStart reports whether gozxing's code128FindStartPattern finds
// a start code on the line of runs runs (first run black or not).
func code128MayStart(runs []int32, firstBlack bool, counters []int) bool {
	m := len(runs)
	if m == 0 { // a line of no bits: gozxing finds nothing
		return false
	}
	k, pos, prev := 0, 0, -1 // the window's first run, where it starts, where the run before starts
	if !firstBlack {
		k, pos, prev = 1, int(runs[0]), 0
	}
	for ; k+6 < m; k += 2 {
		sum := 0
		for j := range 6 {
			counters[j] = int(runs[k+j])
			sum += counters[j]
		}
		// The start codes all begin 2, 1, 1 (of 11 modules): gozxing's
		// variance, the sum of |counter - module·pattern| over the sum,
		// is under 0.25 only when that of the first three is, which is
		// 11 times |11·counter - pattern·sum| summed; with a margin
		// (3 for 2.75) far over the float rounding. Under 11 pixels
		// the variance is infinite.
		if sum < 11 || absi(11*counters[0]-2*sum)+absi(11*counters[1]-sum)+absi(11*counters[2]-sum) >= 3*sum {
			prev = pos + int(runs[k])
			pos += int(runs[k]) + int(runs[k+1])
			continue
		}
		for _, p := range code128Starts {
			if oned.PatternMatchVariance(counters, p, 0.7) < 0.25 {
				// white from max(0, pos-sum/2) to pos: within the run
				// before (a space), or nothing before the line's start
				if prev < 0 || max(0, pos-sum/2) >= prev {
					return true
				}
				break // the quiet zone does not depend on which start code
			}
		}
		prev = pos + int(runs[k])
		pos += int(runs[k]) + int(runs[k+1])
	}
	return false
}

// rssMayFind reports whether rss14Reader.DecodeRow can find a finder
// pattern on the line of runs runs (first run black or not): a left one
// from the line's first bar, or a right one on the reversed line from its
// first space.
func rssMayFind(runs []int32, firstBlack bool, counters []int) bool {
	m := len(runs)
	k := 0
	if !firstBlack {
		k = 1
	}
	for ; k+4 < m; k += 2 {
		counters[0], counters[1], counters[2], counters[3] = int(runs[k]), int(runs[k+1]), int(runs[k+2]), int(runs[k+3])
		if rss.RSSReader_isFinderPattern(counters) {
			return true
		}
	}
	lastBlack := firstBlack == (m%2 == 1) // run m-1 has run 0's colour when m-1 is even
	k = 0
	if lastBlack {
		k = 1
	}
	for ; k+4 < m; k += 2 {
		counters[0], counters[1], counters[2], counters[3] = int(runs[m-1-k]), int(runs[m-2-k]), int(runs[m-3-k]), int(runs[m-4-k])
		if rss.RSSReader_isFinderPattern(counters) {
			return true
		}
	}
	return false
}

// code128Row is gozxing's Code 128 row decoder, failing at once on a line
// where it would find no start code.
type code128Row struct {
	inner    oned.RowDecoder
	runs     *lineRuns
	counters [6]int
}

func newCode128Row(lr *lineRuns) oned.RowDecoder {
	return &code128Row{inner: oned.NewCode128Reader().(oned.RowDecoder), runs: lr}
}

// DecodeRow is gozxing's.
func (c *code128Row) DecodeRow(rowNumber int, row *gozxing.BitArray, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	if fastStarts {
		var first bool
		runs, first := c.runs.of(row)
		if !code128MayStart(runs, first, c.counters[:]) {
			return nil, errNoStart
		}
	}
	return c.inner.DecodeRow(rowNumber, row, hints)
}

// Reset resets gozxing's reader.
func (c *code128Row) Reset() {
	if r, ok := c.inner.(gozxing.Reader); ok {
		r.Reset()
	}
}

// rssRow is gozxing's GS1 DataBar row decoder, left out of lines that can
// add no pair while its pairs make no code.
type rssRow struct {
	inner oned.RowDecoder
	// failed: the last call returned no code (or the reader was reset),
	// so its pairs, unchanged since, make none.
	failed   bool
	runs     *lineRuns
	counters [4]int
}

func newRSSRow(lr *lineRuns) oned.RowDecoder {
	return &rssRow{inner: rss.NewRSS14Reader().(oned.RowDecoder), failed: true, runs: lr}
}

// DecodeRow is gozxing's.
func (c *rssRow) DecodeRow(rowNumber int, row *gozxing.BitArray, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	if fastStarts && (c.failed || rssIdle(c.inner)) {
		var first bool
		runs, first := c.runs.of(row)
		if !rssMayFind(runs, first, c.counters[:]) {
			c.failed = true
			return nil, errNoStart
		}
	}
	res, err := c.inner.DecodeRow(rowNumber, row, hints)
	c.failed = err != nil || res == nil
	return res, err
}

// Reset drops the reader's pairs.
func (c *rssRow) Reset() {
	if r, ok := c.inner.(gozxing.Reader); ok {
		r.Reset()
	}
	c.failed = true
}

func absi(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// upceanRow is the EAN/UPC row decoder (newUPCEANRow's) behind the same
// walk over the line's runs as gozxing's multi-format EAN/UPC reader: its
// start guard (three runs of about equal width, white before them for as
// wide) and the digits after it. Its EAN-13 and UPC-E readers decode the
// first six digits after the guard alike (four runs each, against the 20
// L and G patterns), its EAN-8 reader the first four against the 10 L
// patterns among them, from the same places (a digit ends where its four
// runs do, whatever it matched). So where no start guard is found, or a
// digit among the first four matches no pattern, every reader fails;
// where the fifth or the sixth does not, only EAN-8 can read. gozxing's
// reader runs (or its EAN-8 reader alone) only where that walk leaves a
// read possible, and it reads the same (TestUPCEANReadersExact,
// TestRowSkipExact). A line where the digits run off its end is left to
// gozxing's reader.
type upceanRow struct {
	inner, ean8 oned.RowDecoder
	runs        *lineRuns
	counters    [4]int
}

func newUPCEANRowFast(lr *lineRuns) oned.RowDecoder {
	return &upceanRow{inner: newUPCEANRow(), ean8: oned.NewEAN8Reader().(oned.RowDecoder), runs: lr}
}

// DecodeRow is gozxing's multi-format EAN/UPC reader's.
func (c *upceanRow) DecodeRow(rowNumber int, row *gozxing.BitArray, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	if !fastStarts {
		return c.inner.DecodeRow(rowNumber, row, hints)
	}
	var first bool
	runs, first := c.runs.of(row)
	switch f := upceanFirstFail(runs, first, c.counters[:]); {
	case f < 0:
		return c.inner.DecodeRow(rowNumber, row, hints)
	case f < 4:
		return nil, errNoStart
	default:
		return c.ean8.DecodeRow(rowNumber, row, hints)
	}
}

// Reset resets gozxing's reader (it keeps nothing between lines).
func (c *upceanRow) Reset() {
	if r, ok := c.inner.(gozxing.Reader); ok {
		r.Reset()
	}
}

// upceanFirstFail walks the line of runs runs (first run black or not) as
// gozxing's multi-format EAN/UPC reader does up to the first six digits:
// 0 when it finds no start guard, else the first digit (0 to 5) that
// matches no L or G pattern (or is cut short by the line's end), -1 when
// all six match or the line ends before a digit starts.
func upceanFirstFail(runs []int32, firstBlack bool, counters []int) int {
	m := len(runs)
	if m == 0 { // a line of no bits: no start guard
		return 0
	}
	k, pos := 0, 0 // the first black run, where it starts
	if !firstBlack {
		k, pos = 1, int(runs[0])
	}
	// The start guard: windows of three runs from a bar, two runs on at a
	// time, each tested when the run after it begins; one that matches
	// without room for a quiet zone makes the search start again at the
	// first bar after it (four runs on).
	j, prevPos := -1, 0 // the guard's first run; where the run before the window starts
	for k+3 < m {
		counters[0], counters[1], counters[2] = int(runs[k]), int(runs[k+1]), int(runs[k+2])
		end := pos + counters[0] + counters[1] + counters[2]
		if oned.PatternMatchVariance(counters[:3], oned.UPCEANReader_START_END_PATTERN,
			oned.UPCEANReader_MAX_INDIVIDUAL_VARIANCE) < oned.UPCEANReader_MAX_AVG_VARIANCE {
			// white from start-(end-start) to start: within the run
			// before, a space (there is none before the line's first run)
			if k >= 1 && pos-(end-pos) >= prevPos {
				j = k
				break
			}
			// again from the bar after the guard's next space
			prevPos, pos, k = end, end+int(runs[k+3]), k+4
			continue
		}
		prevPos, pos, k = pos+counters[0], pos+counters[0]+counters[1], k+2
	}
	if j < 0 {
		return 0
	}
	for d := range 6 {
		i := j + 3 + 4*d // the digit's first run (a space)
		if i >= m {
			return -1 // gozxing's loop ends without a failure
		}
		if i+3 >= m {
			return d // RecordPattern runs off the line before its fourth run
		}
		for q := range 4 {
			counters[q] = int(runs[i+q])
		}
		ok := false
		for _, p := range oned.UPCEANReader_L_AND_G_PATTERNS {
			if oned.PatternMatchVariance(counters, p, oned.UPCEANReader_MAX_INDIVIDUAL_VARIANCE) < oned.UPCEANReader_MAX_AVG_VARIANCE {
				ok = true
				break
			}
		}
		if !ok {
			return d
		}
	}
	return -1
}
