package ocr

import "sort"

// levelWords undoes a small tilt left on a page before its words are
// grouped into rows: the slope of the text lines is measured from the
// words themselves (the median slope between the centres of words far
// apart on one line), and every box is moved up or down by slope × x, so
// that a row of a wide table that climbs by a line height from its left
// to its right edge (a sheet tilted by under a degree, which rectifying
// leaves) is still one row. On a curled or bent sheet the slope changes
// down the page: it is measured in horizontal bands and interpolated
// between their centres. Boxes keep their x; a page without enough
// evidence, or level already, is returned as it is (a copy, always).
func levelWords(words []Word) []Word {
	out := append([]Word(nil), words...)
	if len(words) == 0 {
		return out
	}
	global, gok := textSlope(words)
	top, bot := words[0].Box.Min.Y, words[0].Box.Max.Y
	for _, w := range words {
		top, bot = min(top, w.Box.Min.Y), max(bot, w.Box.Max.Y)
	}
	// Bands of about a tenth of the text's height (at least 150 px).
	band := max(150, (bot-top)/10)
	type est struct {
		y     int
		slope float64
	}
	var ests []est
	for y0 := top; y0 < bot; y0 += band {
		var ws []Word
		for _, w := range words {
			if cy := (w.Box.Min.Y + w.Box.Max.Y) / 2; cy >= y0 && cy < y0+band {
				ws = append(ws, w)
			}
		}
		if s, ok := textSlope(ws); ok {
			ests = append(ests, est{y0 + band/2, s})
		} else if _, enough := slopePairs(ws); enough {
			ests = append(ests, est{y0 + band/2, 0}) // level here
		}
	}
	slopeAt := func(y int) float64 {
		switch {
		case len(ests) == 0:
			if gok {
				return global
			}
			return 0
		case y <= ests[0].y:
			return ests[0].slope
		case y >= ests[len(ests)-1].y:
			return ests[len(ests)-1].slope
		}
		for i := 1; i < len(ests); i++ {
			if a, b := ests[i-1], ests[i]; y <= b.y {
				f := float64(y-a.y) / float64(b.y-a.y)
				return a.slope + f*(b.slope-a.slope)
			}
		}
		return 0
	}
	for i, w := range out {
		cx, cy := (w.Box.Min.X+w.Box.Max.X)/2, (w.Box.Min.Y+w.Box.Max.Y)/2
		sl := slopeAt(cy)
		dy := int(sl*float64(cx) + 0.5*sign(sl*float64(cx)))
		out[i].Box.Min.Y -= dy
		out[i].Box.Max.Y -= dy
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
	slopes, enough := slopePairs(words)
	if !enough {
		return 0, false
	}
	m := slopes[len(slopes)/2]
	if m > -1.0/600 && m < 1.0/600 {
		return 0, false
	}
	return m, true
}

// slopePairs returns the sorted slopes of textSlope's word pairs and
// whether there are enough (12) to measure.
func slopePairs(words []Word) ([]float64, bool) {
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
			// within a line of each other over the gap: a tilt of up to
			// about 3°.
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
	sort.Float64s(slopes)
	return slopes, len(slopes) >= 12
}
