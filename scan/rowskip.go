package scan

import (
	"math/bits"
	"reflect"
	"sync"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// Scan lines too bare for a reader. In the server's mode the sweep scans
// every line it picks with all five 1D readers, both ways round, and each
// reader walks the whole line bit by bit whatever it holds; on the tune
// photos that read, about half the lines have fewer than 9 black bars
// (paper, a corner of the label, text between codes). A reader cannot
// read a code from a line with fewer black bars (runs of black bits)
// than the code's fixed parts need, so it is not asked: the lines and
// reads are the same (TestRowSkipExact), with less work. The least bars,
// counted from gozxing's decoders (each pattern it records is a run of
// alternating bar and space elements of at least a pixel each):
//
//   - EAN/UPC: the start guard (2 bars) and six digits of 2 bars each
//     before any end guard (UPC-E; EAN-8 and EAN-13 have more): 14;
//   - Code 128: the start code, a code giving a character (the result
//     must not be empty) and the stop code, 3 bars each: 9;
//   - Code 39: the start and stop asterisks, 5 bars each: 10;
//   - ITF: the default lengths are 6 digits or more, 3 pairs of 5 bars:
//     15 (without the guards, which could only add);
//   - GS1 DataBar: a finder pattern is found on 2 bars at least (read
//     reversed: space, bar, space, bar, then a space); but the reader
//     keeps the pairs of earlier lines and returns a code they make on
//     any later line, so it is only left out while it holds no left or
//     no right pair (then no code can come from such a line): 2.
//
// rowSkip switches it (tests compare).
var rowSkip = true

// minBars returns the least bars of each reader of readers1D, by its
// place there.
func minBars(rs []oned.RowDecoder) map[oned.RowDecoder]barBound {
	least := []int{14, 9, 10, 15, 2} // readers1D's order
	m := make(map[oned.RowDecoder]barBound, len(rs))
	for i, rd := range rs {
		if i < len(least) {
			m[rd] = barBound{least[i], isRSS(rd)}
		}
	}
	return m
}

// barBound is a reader's least bars, and whether it is the DataBar
// reader.
type barBound struct {
	bars int
	rss  bool
}

// readerFor reports whether rd can read a code from a line of bars black
// runs.
func (r *run) readerFor(rd oned.RowDecoder, bars int) bool {
	b, ok := r.minBars[rd]
	if !ok || bars >= b.bars {
		return true
	}
	return b.rss && !rssIdle(rd) // pairs of earlier lines may make a code
}

// anyReaderFor reports whether some reader of r.r1D can read a code from
// a line of bars black runs.
func (r *run) anyReaderFor(bars int) bool {
	for _, rd := range r.r1D {
		if r.readerFor(rd, bars) {
			return true
		}
	}
	return false
}

// isRSS reports whether rd is the GS1 DataBar reader.
func isRSS(rd oned.RowDecoder) bool {
	if w, ok := rd.(*rssRow); ok {
		rd = w.inner
	}
	v := reflect.ValueOf(rd)
	return v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct &&
		v.Elem().FieldByName("possibleLeftPairs").IsValid()
}

// rssIdle reports whether rd, the GS1 DataBar reader, holds no left pair
// or no right pair from earlier lines (so it returns a code only from a
// pair found on the line it is given).
func rssIdle(rd oned.RowDecoder) bool {
	if w, ok := rd.(*rssRow); ok {
		rd = w.inner
	}
	v := reflect.ValueOf(rd)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return false
	}
	l, rt := rssPairs(v.Elem().Type())
	if l == nil {
		return false
	}
	return v.Elem().FieldByIndex(l).Len() == 0 || v.Elem().FieldByIndex(rt).Len() == 0
}

// rssPairs returns the indexes of the DataBar reader's pair lists in its
// type t (nil when t has none), looked up once.
func rssPairs(t reflect.Type) (left, right []int) {
	rssPairsOnce.Do(func() {
		l, okL := t.FieldByName("possibleLeftPairs")
		r, okR := t.FieldByName("possibleRightPairs")
		if okL && okR && l.Type.Kind() == reflect.Slice && r.Type.Kind() == reflect.Slice {
			rssPairsType, rssLeft, rssRight = t, l.Index, r.Index
		}
	})
	if t != rssPairsType {
		return nil, nil
	}
	return rssLeft, rssRight
}

var (
	rssPairsOnce      sync.Once
	rssPairsType      reflect.Type
	rssLeft, rssRight []int
)

// blackRuns counts the runs of set bits (black bars) of row.
func blackRuns(row *gozxing.BitArray) int {
	words := row.GetBitArray()
	size := row.GetSize()
	n := 0
	var carry uint32 // the last bit of the word before
	for i, w := range words {
		if rest := size - 32*i; rest < 32 {
			if rest <= 0 {
				break
			}
			w &= 1<<uint(rest) - 1
		}
		n += bits.OnesCount32(w &^ (w<<1 | carry))
		carry = w >> 31
	}
	return n
}
