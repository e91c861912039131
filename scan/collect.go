package scan

import (
	"github.com/makiuchi-d/gozxing"
)

// view is one plane the cascade looks at, with the way back to the
// coordinates of the upright image: a pixel (x, y) of the view is (x, y)
// of the source plane after undoing the 90° rotation (when rotated),
// scaled by scale.
type view struct {
	g        *gray
	scale    float64
	rotated  bool // g is the source rotated 90° counter-clockwise
	mirrored bool // g is the source flipped left to right
	negative bool // g is the source's negative (inverted.go)
}

// toImage maps a point of the view to the upright image.
func (v *view) toImage(x, y float64) [2]float64 {
	if v.mirrored {
		x = float64(v.g.w) - 1 - x
	}
	if v.rotated {
		// rotate90 moved source (sx, sy) to (sy, srcW-1-sx)
		srcW := float64(v.g.h)
		x, y = srcW-1-y, x
	}
	return [2]float64{(x + 0.5) * v.scale, (y + 0.5) * v.scale}
}

type hitKey struct {
	format gozxing.BarcodeFormat
	text   string
}

// hit is one distinct decoded barcode and how often it was read.
type hit struct {
	format gozxing.BarcodeFormat
	text   string
	sym    string // AIM symbology identifier, e.g. "]C1"
	raw    []byte // the first read's raw bytes (Data Matrix: data codewords)
	points [][2]float64
	reads  int
	lines  map[int][]int // 1D: per attempt, the lines that read it
	// box is the extent, in the upright image, of every read of it
	// (x0, y0, x1, y1): for 1D codes the scan lines that read it.
	box [4]float64
	// xchecked: the model readers were asked (xcheck.go); vetoed: they
	// accepted another code on its bars, so it is not a good read.
	xchecked, vetoed bool
	// unsure: cross-checked, and neither its edges nor the model readers
	// confirmed or contradicted it (see shortTwoScans)
	unsure bool
	// negative: first read on the negative of the image (inverted.go),
	// so its bars are light: the cross-check measures the negative too
	negative bool
	// walk: barsWalk's boxes for sweepStop's 1D part, made when the box
	// was walkOf
	walk   [][4]float64
	walkOf [4]float64
	// reread: the first line's read of a code checked on one line
	// (lineTrusted1D) was read again, with the same text, across the
	// bars beside it (lineReread, verify.go)
	reread bool
}

// grow extends h's box by the points p of one read.
func (h *hit) grow(p [][2]float64) {
	for i, q := range p {
		if i >= 2 && h.format != gozxing.BarcodeFormat_QR_CODE && h.format != gozxing.BarcodeFormat_DATA_MATRIX {
			break // 1D: further points are from add-on searches
		}
		if h.reads == 0 && i == 0 {
			h.box = [4]float64{q[0], q[1], q[0], q[1]}
		}
		h.box = [4]float64{min(h.box[0], q[0]), min(h.box[1], q[1]), max(h.box[2], q[0]), max(h.box[3], q[1])}
	}
}

// sameBars reports whether two 1D reads' boxes cover the same bars: their
// x ranges overlap by at least half the shorter one, and their line
// ranges meet or interleave, up to a tenth of the longer code's width
// apart (a second code printed above or below another is not the same
// bars; a misread on a line next to the good reads is).
func sameBars(a, b [4]float64) bool {
	ox := min(a[2], b[2]) - max(a[0], b[0])
	if ox < 0.5*min(a[2]-a[0], b[2]-b[0]) {
		return false
	}
	tol := 0.1 * max(a[2]-a[0], b[2]-b[0])
	return a[1] <= b[3]+tol && b[1] <= a[3]+tol
}

// collector gathers reads across attempts, deduplicated by (format, text).
type collector struct {
	hits  map[hitKey]*hit
	order []hitKey
	// late marks the scans (attempt numbers) of the late, aggressive
	// stages, where one line's read is not evidence.
	late map[int]bool
	// fitted marks the scans of the blurred EAN stage (blurean.go): codes
	// chosen by fitting a model to grey profiles, not bars binarized.
	fitted map[int]bool
}

func newCollector() *collector {
	return &collector{hits: map[hitKey]*hit{}, late: map[int]bool{}, fitted: map[int]bool{}}
}

// add records one read of r seen in v.
func (c *collector) add(v *view, r *gozxing.Result) *hit {
	sym, _ := r.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string)
	k := hitKey{r.GetBarcodeFormat(), normalText(sym, r.GetText())}
	h := c.hits[k]
	if h == nil {
		h = &hit{format: k.format, text: k.text, sym: sym, raw: r.GetRawBytes(), negative: v.negative}
		for _, p := range r.GetResultPoints() {
			if p != nil {
				h.points = append(h.points, v.toImage(p.GetX(), p.GetY()))
			}
		}
		c.hits[k] = h
		c.order = append(c.order, k)
	}
	var pts [][2]float64
	for _, p := range r.GetResultPoints() {
		if p != nil {
			pts = append(pts, v.toImage(p.GetX(), p.GetY()))
		}
	}
	h.grow(pts)
	h.reads++
	return h
}

// weak1D are the symbologies whose single read is not trusted: EAN/UPC
// (a mod-10 check digit catches too few misreads on blurry photos), ITF and
// Code 39 (no mandatory check character at all).
func weak1D(f gozxing.BarcodeFormat) bool {
	switch f {
	case gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_EAN_8,
		gozxing.BarcodeFormat_UPC_A, gozxing.BarcodeFormat_UPC_E,
		gozxing.BarcodeFormat_ITF, gozxing.BarcodeFormat_CODE_39:
		return true
	}
	return false
}

// accepted reports whether h is a good read on its own: EAN/UPC must pass
// the GTIN check digit, and weak symbologies need two agreeing reads, where
// a scan of a late (aggressive) stage counts only when two of its lines
// agree (see verify.go).
func (c *collector) accepted(h *hit) bool {
	return c.acceptedBy(h, true)
}

// acceptedBy is accepted, counting the fitted scans' lines only when
// withFitted.
func (c *collector) acceptedBy(h *hit, withFitted bool) bool {
	// A read with no text (a QR Code sampled from noise and corrected
	// to an empty message) names nothing: the API's barcode is its text.
	if dropEmpty && h.text == "" {
		return false
	}
	switch h.format {
	case gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_EAN_8, gozxing.BarcodeFormat_UPC_A:
		if !ValidGTIN(h.text) {
			return false
		}
	case gozxing.BarcodeFormat_UPC_E:
		full, err := ExpandUPCE(h.text)
		if err != nil || !ValidGTIN(full) {
			return false
		}
	}
	if !weak1D(h.format) {
		return !lineConfirm || !lineTrusted1D(h.format) || len(h.lines) == 0 || h.reread || c.lineCount(h) >= 2
	}
	n := h.reads
	for a, ls := range h.lines {
		if (c.late[a] && len(ls) < 2) || (!withFitted && c.fitted[a]) {
			n -= len(ls)
		}
	}
	return n >= 2
}

// lineConfirm is whether a Code 128 read (or any 1D code checked on one
// line, lineTrusted1D) made on one line only needs a second line, of any
// scan, or a reread across the bars beside it (lineReread): a line that
// crosses a turned symbol's bar ends, or blur, or a symbol at 2 px a
// module, misreads two codewords or a piece of the symbol, and the check
// character passes one time in 103. Tests and benchmarks switch it.
var lineConfirm = true

// lineRereads is whether such a read's line is read again across the
// bars beside it (lineReread), a reread standing for a second line.
// Tests switch it.
var lineRereads = true

// lineTrusted1D are the 1D symbologies whose check character (Code 128's
// mod 103, Code 93's two) was trusted to catch a misread line, so that
// one line's read was a good read (weak1D codes need two). The cascade
// reads only Code 128 of them; Code 93 and Codabar are listed for the
// day a reader is added.
func lineTrusted1D(f gozxing.BarcodeFormat) bool {
	switch f {
	case gozxing.BarcodeFormat_CODE_128, gozxing.BarcodeFormat_CODE_93, gozxing.BarcodeFormat_CODABAR:
		return true
	}
	return false
}

// lineCount is the number of lines that read h, over all scans (within a
// scan, lines closer than its minimum gap count once: addRow).
func (c *collector) lineCount(h *hit) int {
	n := 0
	for _, ls := range h.lines {
		n += len(ls)
	}
	return n
}

// dropEmpty is whether a read with empty text is dropped (never
// accepted, and a 2D reader's empty read does not end its window's
// search). Tests switch it.
var dropEmpty = true

// lateOnly reports whether every line that read h is of a late
// (aggressive) stage's scan.
func (c *collector) lateOnly(h *hit) bool {
	for a, ls := range h.lines {
		if len(ls) > 0 && !c.late[a] {
			return false
		}
	}
	return len(h.lines) > 0
}

// restsOnFit reports whether h is accepted only thanks to the blurred EAN
// stage's lines.
func (c *collector) restsOnFit(h *hit) bool {
	for a := range h.lines {
		if c.fitted[a] {
			return !c.acceptedBy(h, false)
		}
	}
	return false
}

// scans is the number of scans (attempts) with a line that read h.
func (c *collector) scans(h *hit) int {
	n := 0
	for _, ls := range h.lines {
		if len(ls) > 0 {
			n++
		}
	}
	return n
}

// shortTwoScans is whether an EAN-8 or UPC-E the cross-check neither
// confirmed nor contradicted (hit.unsure) needs reads from two scans
// (another stage: another scale or binarizer), not two lines of one.
// Off (h/veto): it closes the EAN-8 misread of generated seed 6652 (two
// lines of one stage) and costs nothing on the tune half, but one
// held-out photo (upce-3). That misread is now vetoed by shortFitVeto
// (shortfit.go), which looks at the grey levels, not at how many scans
// read it. Tests and benchmarks switch it.
var shortTwoScans = false

// binarized reports whether h was read, at least once, by a stage that
// binarizes bars (any scan but the fitted ones).
func (c *collector) binarized(h *hit) bool {
	for a, ls := range h.lines {
		if !c.fitted[a] && len(ls) > 0 {
			return true
		}
	}
	return false
}

// good reports whether h is accepted, not vetoed by the cross-check
// (xcheck.go) and not contradicted: an EAN-8 or
// UPC-E found on the same bars as a longer 1D read (a partial misread of
// it) is dropped, and two different retail codes accepted over the same
// bars are both dropped. A code that rests on the blurred EAN stage's
// model fit is dropped when any binarizing stage read another 1D code
// over the same bars, even once, even a read not accepted: the fit
// chooses the likeliest code, and bars some reader saw as another code
// are not clear enough for that choice to be trusted.
func (c *collector) good(h *hit) bool {
	if h.vetoed || !c.accepted(h) {
		return false
	}
	if shortTwoScans && h.unsure && short(h.format) && c.scans(h) < 2 {
		return false
	}
	if !retail(h.format) {
		return true
	}
	mine := gtinOf(h.format, h.text)
	onFit := c.restsOnFit(h)
	for _, k := range c.order {
		o := c.hits[k]
		if o == h || len(o.lines) == 0 {
			continue
		}
		if onFit && c.binarized(o) && sameBars(h.box, o.box) && (!retail(o.format) || gtinOf(o.format, o.text) != mine) {
			return false // another code read over the bars the model was fitted to
		}
		// Something longer over the same bars: an EAN-13 or UPC-A read even
		// once (the short code is then likely a piece of it), another
		// symbology when it is a good read itself.
		if short(h.format) && !short(o.format) && overlaps(h.points, o.points) && (retail(o.format) || c.accepted(o)) {
			return false
		}
		// (a short code over a longer one is dropped, not a rival)
		if retail(o.format) && (short(h.format) || !short(o.format)) && gtinOf(o.format, o.text) != mine &&
			sameBars(h.box, o.box) && c.accepted(o) {
			return false // two different products over the same bars
		}
	}
	return true
}

// overlaps reports whether two 1D reads (scan line ends) cover the same
// bars: their x ranges overlap and they are less than a barcode's length
// apart vertically.
func overlaps(a, b [][2]float64) bool {
	if len(a) < 2 || len(b) < 2 {
		return false
	}
	a, b = a[:2], b[:2] // further points are from add-on searches
	ax0, ax1, ay := span(a)
	bx0, bx1, by := span(b)
	if ax1 < bx0 || bx1 < ax0 {
		return false
	}
	return abs(ay-by) < max(ax1-ax0, bx1-bx0)
}

// span returns the x and y extent of points, as x range and mean y.
func span(p [][2]float64) (x0, x1, y float64) {
	x0, x1 = p[0][0], p[0][0]
	for _, q := range p {
		x0, x1 = min(x0, q[0]), max(x1, q[0])
		y += q[1]
	}
	return x0, x1, y / float64(len(p))
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// anyAccepted reports whether some read is good.
func (c *collector) anyAccepted() bool {
	for _, k := range c.order {
		if c.good(c.hits[k]) {
			return true
		}
	}
	return false
}

// barcodes returns the good reads in the order found.
func (c *collector) barcodes() []Barcode {
	out := []Barcode{}
	for _, k := range c.order {
		h := c.hits[k]
		if !c.good(h) {
			continue
		}
		b := Barcode{Format: h.format.String(), Text: utf8Text(h.format, h.text, h.raw), Points: h.points}
		if h.format == gozxing.BarcodeFormat_CODE_39 {
			b.Text, _ = code39FullASCII(h.text)
		}
		if code, err := Parse(h.sym + b.Text); err == nil {
			b.Code = code
		} else if code, err := Parse(b.Text); err == nil {
			b.Code = code
		}
		out = append(out, b)
	}
	return out
}

// addRow records a 1D read on scan line y of v; a line counts once per
// barcode, however often (forwards, reversed) it read it.
//
// Reads on nearby lines of the same attempt are not independent (the same
// blur, the same glare), so a line closer than minGap to an earlier line of
// that attempt that read the same barcode does not count as a second read.
func (c *collector) addRow(v *view, r *gozxing.Result, attempt, y, minGap int, seen map[*hit]bool) *hit {
	sym, _ := r.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string)
	k := hitKey{r.GetBarcodeFormat(), normalText(sym, r.GetText())}
	if h := c.hits[k]; h != nil {
		if seen[h] {
			return h
		}
		seen[h] = true
		for _, ly := range h.lines[attempt] {
			if abs(float64(ly-y)) < float64(minGap) {
				return h
			}
		}
	}
	h := c.add(v, r)
	seen[h] = true
	if h.lines == nil {
		h.lines = map[int][]int{}
	}
	h.lines[attempt] = append(h.lines[attempt], y)
	return h
}

// normalText drops the GS that gozxing's Data Matrix decoder writes for
// the FNC1 in first position of GS1 data (ZXing writes none; the symbology
// identifier ]d2 already says the data is GS1).
func normalText(sym, text string) string {
	if (sym == "]d2" || sym == "]Q3" || sym == "]C1") && len(text) > 0 && text[0] == 0x1d {
		return text[1:]
	}
	return text
}
