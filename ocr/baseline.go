package ocr

import "sort"

// levelWords undoes a small tilt left on a page before its words are
// grouped into rows: the slope of the text lines is measured from the
// words themselves (the median slope between the centres of words far
// apart on one line), and every box is moved up or down by slope × x, so
// that a row of a wide table that climbs by a line height from its left
// to its right edge (a sheet tilted by under a degree, which rectifying
// leaves) is still one row. Boxes keep their x; a page without enough
// evidence, or level already, is returned as it is (a copy, always).
func levelWords(words []Word) []Word {
	slope, ok := textSlope(words)
	if !ok {
		return append([]Word(nil), words...)
	}
	out := make([]Word, len(words))
	for i, w := range words {
		cx := (w.Box.Min.X + w.Box.Max.X) / 2
		dy := int(slope*float64(cx) + 0.5*sign(slope*float64(cx)))
		w.Box.Min.Y -= dy
		w.Box.Max.Y -= dy
		out[i] = w
	}
	return out
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// textSlope is the median dy/dx between the centres of pairs of words
// that share a line (their vertical spans overlap by most of the smaller
// height, the pair at least 8 heights apart and no word of a different
// height between, which the overlap test already enforces loosely). ok is
// false with fewer than 12 pairs or a slope under 1 pixel in 600.
func textSlope(words []Word) (float64, bool) {
	ws := make([]Word, 0, len(words))
	for _, w := range words {
		if h := w.Box.Dy(); h > 4 && w.Box.Dx() > 0 && w.Conf >= 50 {
			ws = append(ws, w)
		}
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].Box.Min.X < ws[j].Box.Min.X })
	var slopes []float64
	for i, a := range ws {
		ha := a.Box.Dy()
		for _, b := range ws[i+1:] {
			hb := b.Box.Dy()
			dx := (b.Box.Min.X + b.Box.Max.X - a.Box.Min.X - a.Box.Max.X) / 2
			if dx < 8*max(ha, hb) {
				continue
			}
			// Similar heights (no header word beside a small one), and
			// within half a line of each other over the gap: a tilt of
			// up to about 3°.
			if 3*min(ha, hb) < 2*max(ha, hb) {
				continue
			}
			dy := (b.Box.Min.Y + b.Box.Max.Y - a.Box.Min.Y - a.Box.Max.Y) / 2
			if abs(dy)*20 > dx || abs(dy) > max(ha, hb) {
				continue
			}
			slopes = append(slopes, float64(dy)/float64(dx))
		}
	}
	if len(slopes) < 12 {
		return 0, false
	}
	sort.Float64s(slopes)
	m := slopes[len(slopes)/2]
	if m > -1.0/600 && m < 1.0/600 {
		return 0, false
	}
	return m, true
}
