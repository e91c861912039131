package ocr

// Name lines between two item rows are given to the item above or below
// by their spacing alone (nearerBelow: a line goes down when its gap to
// the row under it is under 0.7 of its gap to the row above). When the
// line at the boundary was a close call — its gap ratio within
// closeSplitBand of 0.7 — a tilt or a line read apart can put a name one
// item off with nothing else to tell: both items are flagged.

// closeSplitLo and closeSplitHi bound the close calls: a line that went
// down with a ratio of at least closeSplitLo, or one that stayed with a
// ratio under closeSplitHi.
const (
	closeSplitLo = 0.55
	closeSplitHi = 0.85
)

// closeSplit reports whether nearerBelow's split of pending at j (rows
// pending[j:] went down to below) was a close call at its boundary.
func closeSplit(pending []tableRow, j int, above, below *row) bool {
	if above == nil || len(pending) == 0 {
		return false
	}
	ratio := func(k int) float64 {
		y := pending[k].r.midY()
		under, over := below.midY(), above.midY()
		if k+1 < len(pending) {
			under = pending[k+1].r.midY()
		}
		if k > 0 {
			over = pending[k-1].r.midY()
		}
		if y-over <= 0 {
			return 0
		}
		return float64(under-y) / float64(y-over)
	}
	if j < len(pending) {
		if r := ratio(j); r >= closeSplitLo {
			return true
		}
	}
	if j > 0 {
		if r := ratio(j - 1); r < closeSplitHi {
			return true
		}
	}
	return false
}

// flagCloseSplits turns checkNameSplit on (bench switch
// OCR_CLOSE_SPLITS).
var flagCloseSplits = true

// checkNameSplit flags the lines whose name lines were split from a
// neighbour's by a close call (closeSplit).
func checkNameSplit(doc *Document) {
	if !flagCloseSplits {
		return
	}
	for i := range doc.Lines {
		if l := &doc.Lines[i]; l.nameSplit {
			l.NeedsReview = true
			l.Problems = append(l.Problems, "name lines shared with the next item placed by their spacing alone, a close call")
			doc.NeedsReview = true
		}
	}
}
