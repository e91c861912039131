package ocr

import (
	"image"
	"math"
	"sort"
	"strings"
	"unicode"
)

// The row merge: the second look reads the photo as it came (grey,
// unscaled), the first reading the rectified, flattened and rescaled page.
// Each sees amounts the other does not. The second reading's amounts are
// put where they belong on the first reading's page — the two readings'
// coordinates mapped through the words both read alike (anchors) — so an
// amount read only in the second joins the description read in the first.
// An amount lands only where the first reading has no amount of its own:
// on nothing, or on a number fragment ("2", "8.8", "£17,"). The lines this
// changes are flagged unless they add up to the total.

// rowMerge turns the row merge on. Off by default: it read more lines
// only on the degraded copies it was tuned on, none on fresh copies or the
// held-out half (BENCHMARKS.md, h/rcpt). Bench switch OCR_ROW_MERGE=1.
var rowMerge = false

// anchorTrace, when set (debug benchmarks), is told the number of anchor
// pairs before the fit.
var anchorTrace func(n int)

// rowMergeMinAnchors is the fewest words read alike by both readings from
// which their coordinates are mapped.
const rowMergeMinAnchors = 6

// anchorKey is a word as compared across readings: its letters and digits,
// lower case; "" when it has fewer than 3 or no letter (numbers repeat on
// a receipt).
func anchorKey(s string) string {
	var sb strings.Builder
	letters := 0
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			sb.WriteRune(r)
			if unicode.IsLetter(r) {
				letters++
			}
		}
	}
	if sb.Len() < 3 || letters == 0 {
		return ""
	}
	return sb.String()
}

type anchorPair struct{ rx, ry, fx, fy float64 }

func wordCentre(w Word) (float64, float64) {
	return float64(w.Box.Min.X+w.Box.Max.X) / 2, float64(w.Box.Min.Y+w.Box.Max.Y) / 2
}

// readingAnchors pairs the words that occur once in each reading with the
// same anchorKey, keeping the pairs that agree with one affine map of the
// whole page (the others are misreads that happen to match).
func readingAnchors(first, raw []Word) []anchorPair {
	count := func(ws []Word) map[string][]Word {
		m := map[string][]Word{}
		for _, w := range ws {
			if k := anchorKey(w.Text); k != "" && w.Conf >= 50 {
				m[k] = append(m[k], w)
			}
		}
		return m
	}
	fm, rm := count(first), count(raw)
	var out []anchorPair
	for k, fs := range fm {
		rs := rm[k]
		if len(fs) != 1 || len(rs) != 1 {
			continue
		}
		fx, fy := wordCentre(fs[0])
		rx, ry := wordCentre(rs[0])
		out = append(out, anchorPair{rx, ry, fx, fy})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ry < out[j].ry })
	if anchorTrace != nil {
		anchorTrace(len(out))
	}
	// Twice: fit, drop the pairs far off the fit.
	for range 2 {
		if len(out) < rowMergeMinAnchors {
			return nil
		}
		m, ok := fitAffine(out)
		if !ok {
			return nil
		}
		res := make([]float64, len(out))
		for i, a := range out {
			x, y := m.apply(a.rx, a.ry)
			res[i] = math.Hypot(x-a.fx, y-a.fy)
		}
		s := append([]float64(nil), res...)
		sort.Float64s(s)
		lim := math.Max(3*s[len(s)/2], 8)
		kept := out[:0:0]
		for i, a := range out {
			if res[i] <= lim {
				kept = append(kept, a)
			}
		}
		out = kept
	}
	if len(out) < rowMergeMinAnchors {
		return nil
	}
	return out
}

// affine maps (x, y) to (a x + b y + c, d x + e y + f).
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.b*y + m.c, m.d*x + m.e*y + m.f
}

// fitAffine is the least-squares affine map of the pairs' raw points onto
// their first-reading points.
func fitAffine(ps []anchorPair) (affine, bool) {
	var n, sx, sy, sxx, sxy, syy float64
	var tx, txx, txy, ty, tyx, tyy float64
	for _, p := range ps {
		n++
		sx += p.rx
		sy += p.ry
		sxx += p.rx * p.rx
		sxy += p.rx * p.ry
		syy += p.ry * p.ry
		tx += p.fx
		txx += p.fx * p.rx
		txy += p.fx * p.ry
		ty += p.fy
		tyx += p.fy * p.rx
		tyy += p.fy * p.ry
	}
	// Normal equations: [sxx sxy sx; sxy syy sy; sx sy n] [a b c] = [txx txy tx].
	A := [3][3]float64{{sxx, sxy, sx}, {sxy, syy, sy}, {sx, sy, n}}
	solve := func(r [3]float64) ([3]float64, bool) {
		det := func(m [3][3]float64) float64 {
			return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
		}
		d := det(A)
		if math.Abs(d) < 1e-9 {
			return [3]float64{}, false
		}
		var out [3]float64
		for k := range 3 {
			m := A
			for i := range 3 {
				m[i][k] = r[i]
			}
			out[k] = det(m) / d
		}
		return out, true
	}
	p, ok1 := solve([3]float64{txx, txy, tx})
	q, ok2 := solve([3]float64{tyx, tyy, ty})
	if !ok1 || !ok2 {
		return affine{}, false
	}
	return affine{p[0], p[1], p[2], q[0], q[1], q[2]}, true
}

// localMap is the affine map fitted to the anchors nearest (by height on
// the raw page) to y: the page's warp (perspective, a curved sheet) is
// near enough affine over a few rows.
func localMap(as []anchorPair, y float64) (affine, bool) {
	const k = 8
	if len(as) <= k {
		return fitAffine(as)
	}
	i := sort.Search(len(as), func(i int) bool { return as[i].ry >= y })
	lo, hi := i, i
	for hi-lo < k {
		switch {
		case lo == 0:
			hi++
		case hi == len(as):
			lo--
		case y-as[lo-1].ry < as[hi].ry-y:
			lo--
		default:
			hi++
		}
	}
	m, ok := fitAffine(as[lo:hi])
	if !ok || m.a <= 0 || m.e <= 0 {
		return fitAffine(as)
	}
	return m, ok
}

// amountWord reports whether a word, as classify trims it, is a money
// amount.
func amountWord(s string) bool {
	s = moneyWord(s)
	_, ok := parseMoney(s)
	return ok
}

// numberFragment: a word that holds a digit and no more than one letter
// (an amount read in part: "2", "8.8", "£17,", "4.").
func numberFragment(s string) bool {
	digits, letters := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			letters++
		}
	}
	return digits > 0 && letters <= 1
}

// sameRow reports whether the second reading's amount w, mapped to height
// my on the first reading's page, falls on one of its rows and not
// between two (a row's centre half), and whether that row is the one its
// own row's words were read on: when words of w's row in the second
// reading are read alike in the first (anchorKey), one of them must be on
// that row.
func sameRow(firstRows, rawRows []*row, w Word, my float64) bool {
	var on *row
	for _, r := range firstRows {
		h := float64(r.bot - r.top)
		if math.Abs(my-float64(r.top+r.bot)/2) <= h/4+1 {
			if on != nil {
				return false
			}
			on = r
		}
	}
	if on == nil {
		return false
	}
	var own *row
	for _, r := range rawRows {
		for _, x := range r.words {
			if x.Box == w.Box && x.Text == w.Text {
				own = r
			}
		}
	}
	if own == nil {
		return true
	}
	keys := map[string]bool{}
	for _, r := range firstRows {
		for _, x := range r.words {
			if k := anchorKey(x.Text); k != "" {
				keys[k] = true
			}
		}
	}
	shared := false
	for _, x := range own.words {
		k := anchorKey(x.Text)
		if k == "" || !keys[k] {
			continue
		}
		shared = true
		for _, y := range on.words {
			if anchorKey(y.Text) == k {
				return true
			}
		}
	}
	return !shared
}

// readOver reports whether a first reading's word under a second
// reading's amount is a misreading of it: a number fragment, specks with
// no letter, or a short word read with little confidence ("Ls", "Q-").
func readOver(w Word) bool {
	if numberFragment(w.Text) || strings.IndexFunc(w.Text, unicode.IsLetter) < 0 {
		return true
	}
	return len([]rune(w.Text)) <= 3 && w.Conf < 60
}

// mergeReadings returns the first reading's page with the second
// reading's amounts put in (mapped by the anchors), and how many were put
// in; nil when the readings cannot be mapped or nothing was added.
func mergeReadings(first, raw *Page) (*Page, int) {
	if first == nil || raw == nil || first.Turned != raw.Turned {
		return nil, 0
	}
	as := readingAnchors(first.Words, raw.Words)
	if as == nil {
		return nil, 0
	}
	words := append([]Word(nil), first.Words...)
	gone := make([]bool, len(words))
	added := 0
	firstRows := groupRows(first.Words)
	rawRows := groupRows(raw.Words)
	for _, w := range raw.Words {
		if !amountWord(w.Text) {
			continue
		}
		cx, cy := wordCentre(w)
		m, ok := localMap(as, cy)
		if !ok {
			continue
		}
		x0, y0 := m.apply(float64(w.Box.Min.X), float64(w.Box.Min.Y))
		x1, y1 := m.apply(float64(w.Box.Max.X), float64(w.Box.Max.Y))
		mx, my := m.apply(cx, cy)
		box := image.Rect(int(math.Round(x0)), int(math.Round(y0)), int(math.Round(x1)), int(math.Round(y1))).Canon()
		if box.Dx() <= 0 || box.Dy() <= 0 || mx < 0 || my < 0 || mx >= float64(first.Width) || my >= float64(first.Height) {
			continue
		}
		if !sameRow(firstRows, rawRows, w, my) {
			continue
		}
		// The first reading's words under the mapped amount.
		var under []int
		clash := false
		for i, f := range words {
			if gone[i] {
				continue
			}
			in := f.Box.Intersect(box)
			if in.Empty() || in.Dx()*in.Dy()*3 < min(f.Box.Dx()*f.Box.Dy(), box.Dx()*box.Dy()) {
				continue
			}
			if amountWord(f.Text) || !readOver(f) {
				// An amount of its own, or a description: the first
				// reading's stands.
				clash = true
				break
			}
			under = append(under, i)
		}
		if clash {
			continue
		}
		for _, i := range under {
			gone[i] = true
		}
		words = append(words, Word{Text: w.Text, Box: box, Conf: min(w.Conf, 50)})
		gone = append(gone, false)
		added++
	}
	if added == 0 {
		return nil, 0
	}
	out := &Page{Width: first.Width, Height: first.Height, Turned: first.Turned, gray: first.gray}
	for i, w := range words {
		if !gone[i] {
			out.Words = append(out.Words, w)
		}
	}
	return out, added
}

// descConf is the mean confidence of the page's words that make up a
// description (0 when none is found).
func descConf(desc string, p *Page) float64 {
	var sum float64
	n := 0
	for _, f := range strings.Fields(desc) {
		for _, w := range p.Words {
			if w.Text == f {
				sum += w.Conf
				n++
				break
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// applyRowMerge reads doc again from the first reading with the second
// reading's amounts put in (mergeReadings) and takes that reading when it
// gives more lines with an amount, or lines that add up to the total where
// doc's do not. Lines not in doc are flagged unless they add up to the
// total. It returns the page doc now comes from (first when nothing
// changed), and whether doc's total is now one the merge changed and no
// arithmetic confirms.
func applyRowMerge(doc *Document, first, raw *Page) (*Page, bool) {
	if !rowMerge {
		return first, false
	}
	m, _ := mergeReadings(first, raw)
	if m == nil {
		return first, false
	}
	d2 := Extract([]*Page{m})
	rec1, rec2 := linesReconcile(&doc.Header, doc.Lines), linesReconcile(&d2.Header, d2.Lines)
	if rec1 || !(rec2 || amountLines(d2.Lines) > amountLines(doc.Lines)) {
		return first, false
	}
	rawLines := Extract([]*Page{raw}).Lines
	used := make([]bool, len(doc.Lines))
	added := 0
	for i := range d2.Lines {
		l := &d2.Lines[i]
		known := false
		for j, o := range doc.Lines {
			if !used[j] && o.Amount == l.Amount && o.Description == l.Description {
				used[j], known = true, true
				break
			}
		}
		if known {
			continue
		}
		added++
		// The same amount read as a line of the second reading: its row's
		// description, when read with more confidence.
		var same []Line
		for _, o := range rawLines {
			if o.Amount == l.Amount {
				same = append(same, o)
			}
		}
		if len(same) == 1 && descConf(same[0].Description, raw) > descConf(l.Description, m) {
			l.Description = same[0].Description
		}
		if rec2 {
			l.Problems = append(l.Problems, "amount read in a second reading of the photo: the lines add up to the total")
			continue
		}
		l.NeedsReview = true
		l.Confidence = min(l.Confidence, secondReadingConf)
		l.Fields.Amount = min(l.Fields.Amount, secondReadingConf)
		l.Problems = append(l.Problems, "amount read in a second reading of the photo: not confirmed")
	}
	d2.NeedsReview = d2.NeedsReview || !rec2
	for _, l := range d2.Lines {
		d2.NeedsReview = d2.NeedsReview || l.NeedsReview
	}
	d2.Warnings = append(d2.Warnings, "amounts read in a second reading of the photo put on the first reading's rows")
	// A total the merge changed and no arithmetic confirms is partly the
	// second reading's: the second look's agreeing with it confirms
	// nothing.
	unconfirmed := d2.Header.Total != doc.Header.Total && d2.Header.Confidence["total"] < 0.9
	*doc = *d2
	return m, unconfirmed
}
