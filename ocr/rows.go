package ocr

import (
	"sort"
	"strings"
)

// row is a visual text line: words whose vertical centres agree, left to right.
type row struct {
	words      []Word
	top, bot   int
	left, rite int
}

func (r *row) text() string {
	parts := make([]string, len(r.words))
	for i, w := range r.words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

func (r *row) midY() int { return (r.top + r.bot) / 2 }

// groupRows clusters words into rows by vertical overlap. The page is
// rectified, so rows are horizontal; a word joins the row whose vertical span
// it overlaps by more than half of the smaller height.
func groupRows(words []Word) []*row {
	ws := levelWords(words) // rows from baselines, a small tilt undone
	sort.Slice(ws, func(i, j int) bool {
		ci := ws[i].Box.Min.Y + ws[i].Box.Max.Y
		cj := ws[j].Box.Min.Y + ws[j].Box.Max.Y
		return ci < cj
	})
	var rows []*row
	for _, w := range ws {
		h := w.Box.Dy()
		if h <= 0 || strings.TrimSpace(w.Text) == "" {
			continue
		}
		cy := (w.Box.Min.Y + w.Box.Max.Y) / 2
		var best *row
		bestOv := 0
		for i := len(rows) - 1; i >= 0 && i >= len(rows)-4; i-- {
			r := rows[i]
			ov := min(r.bot, w.Box.Max.Y) - max(r.top, w.Box.Min.Y)
			rh := r.bot - r.top
			if ov*2 > min(h, rh) && cy > r.top && cy < r.bot && ov > bestOv {
				best, bestOv = r, ov
			}
		}
		if best == nil {
			rows = append(rows, &row{words: []Word{w}, top: w.Box.Min.Y, bot: w.Box.Max.Y, left: w.Box.Min.X, rite: w.Box.Max.X})
			continue
		}
		best.words = append(best.words, w)
		// Grow the span by the median-ish: keep the first word's span
		// dominant so tall glyphs do not swallow neighbouring rows.
		best.top = (best.top*3 + w.Box.Min.Y) / 4
		best.bot = (best.bot*3 + w.Box.Max.Y) / 4
		best.left = min(best.left, w.Box.Min.X)
		best.rite = max(best.rite, w.Box.Max.X)
	}
	for _, r := range rows {
		sort.Slice(r.words, func(i, j int) bool { return r.words[i].Box.Min.X < r.words[j].Box.Min.X })
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].midY() < rows[j].midY() })
	return rows
}
