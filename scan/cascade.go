package scan

import (
	"context"
	"fmt"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// upceanHints make the EAN/UPC reader report UPC-A for EAN-13 starting
// with 0, as the ZXing test sets expect.
var upceanHints = map[gozxing.DecodeHintType]interface{}{
	gozxing.DecodeHintType_POSSIBLE_FORMATS: []gozxing.BarcodeFormat{
		gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_UPC_A,
		gozxing.BarcodeFormat_EAN_8, gozxing.BarcodeFormat_UPC_E,
	},
}

// upceanReaders are the formats the EAN/UPC reader is built for:
// upceanHints' without UPC-A. gozxing's multi-format reader tries a
// reader per format listed, in order, until one reads; its UPC-A reader
// is its EAN-13 reader's decode of the same line from the same start,
// its result renamed when it starts with 0, so it fails whenever the
// EAN-13 reader before it has (and never runs otherwise): on every line
// that is not a code it ran EAN-13's decode a second time. EAN-13 reads
// starting with 0 are still reported as UPC-A: that is decided by the
// hints given to DecodeRow (upceanHints). Exact: TestRowSkipExact,
// TestUPCEANReadersExact.
var upceanReaders = map[gozxing.DecodeHintType]interface{}{
	gozxing.DecodeHintType_POSSIBLE_FORMATS: []gozxing.BarcodeFormat{
		gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_EAN_8, gozxing.BarcodeFormat_UPC_E,
	},
}

// noUPCAReader switches upceanReaders (tests compare).
var noUPCAReader = true

// newUPCEANRow returns the EAN/UPC row decoder of readers1D.
func newUPCEANRow() oned.RowDecoder {
	if noUPCAReader {
		return oned.NewMultiFormatUPCEANReader(upceanReaders).(oned.RowDecoder)
	}
	return oned.NewMultiFormatUPCEANReader(upceanHints).(oned.RowDecoder)
}

var tryHarder = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// pureBarcode tells the 2D readers the image is nothing but the symbol
// (generated images, screenshots, tight crops).
var pureBarcode = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}

// readers1D returns fresh row decoders for the 1D symbologies (the RSS
// reader keeps state between rows, so each decode gets its own set).
func readers1D() []oned.RowDecoder {
	lr := &lineRuns{} // a line's runs, taken once for the three (rowstart.go)
	return []oned.RowDecoder{
		newUPCEANRowFast(lr), // gozxing's without its UPC-A reader, behind a cheaper walk (rowstart.go)
		newCode128Row(lr),    // gozxing's, behind a cheaper look for the start (rowstart.go)
		newCode39Row(lr),     // gozxing's, with a cheaper look for the start (code39fast.go)
		oned.NewITFReader().(oned.RowDecoder),
		newRSSRow(lr), // gozxing's, behind a cheaper look for a finder (rowstart.go)
	}
}

// binarization selects how 1D scan lines are turned into bits.
type binarization int

const (
	rowHistogram binarization = iota // per-row global histogram (ZXing's GetBlackRow)
	localBlocks                      // rows of the hybrid (local block) black matrix
	rowAdaptive                      // each pixel against the mean of its neighbours on the line
)

// run is one decode of one image: the reads so far and the deadline.
type run struct {
	ctx context.Context
	all bool
	col *collector
	r1D []oned.RowDecoder
	// noRSS is r1D without GS1 DataBar, half the cost of a scan line, for
	// the late dense scans; rss is the DataBar reader alone.
	noRSS, rss []oned.RowDecoder
	qr         gozxing.Reader
	dm         *datamatrix.DataMatrixReader
	rows       int // scan lines tried, for tests and tuning
	// longOnly drops EAN-8 and UPC-E row reads: set for the dense scans
	// of sharpened images, where short codes are misread too easily.
	longOnly bool
	attempt  int // number of scan1D calls so far
	// late is set during the late, aggressive stages (enlarged and
	// sharpened images, dense scans), whose scans need two agreeing lines
	// for a weak 1D read to count (see verify.go).
	late bool
	// quietOK and quietBad count the short-code row reads whose quiet
	// zones were clear or not, for tuning.
	quietOK, quietBad int
	// acrossBad counts the ITF row reads that the lines
	// beside them do not hold (barsAcross1D)
	acrossBad int
	// panicked is the value of a panic recovered from gozxing, "" if none.
	panicked string
	// firstGood is the index of the stage after which there was a good
	// read (-1: none); stageTimes the time each stage run took. Both are
	// for tuning the cascade.
	firstGood  int
	stageTimes []time.Duration
	// blurReads counts the bands the blurred EAN stage recorded.
	blurReads int
	// deformReads counts the bands the deformable-template stage recorded.
	deformReads int
	// xchecks and xvetoes count the retail reads cross-checked by the
	// model readers and those vetoed (xcheck.go).
	xchecks, xvetoes int
	// xunfit counts the vetoes of reads no band of the fit placed
	// (unfitVeto)
	xunfit int
	// xneg counts the vetoes of negative reads nothing confirmed
	// (negativeUnsureVeto)
	xneg int
	// xcontra counts the vetoes of reads their own edges contradict
	// (edgeContraVeto)
	xcontra int
	// xoutfit counts the vetoes of short reads the fitted EAN-13
	// explains better (shortFitVeto)
	xoutfit int
	// xband counts the vetoes of reads a band of the fit read as another
	// code (bandVeto)
	xband int
	// xconfirmed counts the reads the edges confirmed (edgever.go)
	xconfirmed int
	// noSharpest leaves out the QR resampling's sharpest blocks (set by
	// the finder search, qrfind.go).
	noSharpest bool
	// tiles2D counts the tiles decode2D decoded; tilesSkipped and
	// wholeSkipped the tiles and whole views the 2D detector left out of
	// the sweep (detect2d.go).
	tiles2D, tilesSkipped, wholeSkipped int
	// put2D holds the 2D decodes put off by the detector (decode2D);
	// sweep is set during the sweep's stages, where it gates them.
	put2D []func()
	sweep bool
	// maps2D holds the 2D detector's map of each view it looked at.
	maps2D map[*gray]*map2D
	// blobWindows counts the windows blobWindows2DAfter decoded.
	blobWindows int
	// halves holds planes reduced by 2 (halfOf).
	halves map[*gray]*gray
	// minBars is the fewest black bars on a line a 1D reader can read a
	// code from (rowskip.go).
	minBars map[oned.RowDecoder]barBound
	// skip1D and skip2D leave out the rest of the sweep's 1D scans and
	// 2D decodes (sweepstop.go).
	skip1D, skip2D bool
}

// done reports whether the cascade should stop: deadline passed, or a good
// read when only the first is wanted.
func (r *run) done() bool {
	return r.ctx.Err() != nil || (!r.all && r.col.anyAccepted())
}

// decodeGray runs the attempt cascade on an upright luminance plane. The
// cheap attempts come first; each later one runs only when the earlier ones
// found no good read (or All is set), and none starts after the deadline.
func (d *Decoder) decodeGray(ctx context.Context, g *gray) []Barcode {
	return d.cascade(ctx, g).col.barcodes()
}

// cascade runs the attempts and returns the run with every read, good or
// not.
func (d *Decoder) cascade(ctx context.Context, g *gray) *run {
	r := &run{firstGood: -1, ctx: ctx, all: d.opts.All, col: newCollector(), r1D: readers1D(),
		qr: qrcode.NewQRCodeReader(), dm: datamatrix.NewDataMatrixReader()}
	r.noRSS, r.rss = r.r1D[:len(r.r1D)-1:len(r.r1D)-1], r.r1D[len(r.r1D)-1:]
	r.minBars = minBars(r.r1D)
	long := max(g.w, g.h)
	k := (long + d.opts.WorkSide - 1) / d.opts.WorkSide
	work := &view{g: g.shrink(k), scale: float64(k)}
	var rot *view
	rotated := func() *view {
		if rot == nil {
			rot = &view{g: work.g.rotate90(), scale: work.scale, rotated: true}
		}
		return rot
	}
	small := long <= 800 // thumbnails, crops, generated images
	var big *view
	grown := func() *view {
		if big == nil {
			big = &view{g: work.g.grow2(), scale: work.scale / 2}
		}
		return big
	}
	var sharp *view
	sharp4 := func() *view { // shared by three stages
		if sharp == nil {
			sharp = &view{g: work.g.sharpen(4, 1), scale: work.scale}
		}
		return sharp
	}
	// The order comes from the ZXing photo benchmark: cheap attempts that
	// often read first, then the costlier ones.
	stages := []func(){
		func() { r.scan1D(work, rowHistogram, 48) },
		func() { r.decode2D(work, work, false, nil) },
		func() {
			if small { // the symbol may be all there is (so no tiles)
				r.decode2DWhole(work, false, pureBarcode)
			}
		},
		func() { r.scan1D(work, localBlocks, 48) },
		func() { r.decode2D(work, work, true, tryHarder) },
		func() { r.scan1D(work, rowAdaptive, 48) },
		func() {
			if min(work.g.w, work.g.h) >= 200 { // large, blurry symbols
				half := &view{g: r.halfOf(work.g), scale: work.scale * 2}
				r.decode2D(half, work, false, nil) // the work view's detector map covers half's scale
				r.scan1D(half, rowHistogram, 32)
			}
		},
		func() {
			r.scan1D(rotated(), rowHistogram, 48)
			r.blobWindows2DAfter(work) // small Data Matrix off every window's centre (dmblob.go)
		},
		// End of the sweep (see below). First the 2D windows the detector
		// put off (detect2d.go).
		func() {
			r.decodePut()
			if k > 1 && !r.col.anyAccepted() { // fine detail lost in the reduction
				full := &view{g: g, scale: 1}
				r.scan1D(full, rowHistogram, 48)
				r.decode2D(full, full, false, nil)
			}
		},
		// Small images: narrow modules read better enlarged.
		func() {
			if small {
				r.with(r.noRSS, func() { r.scan1D(grown(), rowHistogram, 64) })
			}
		},
		func() {
			if small {
				// The whole enlarged image only, not its tiles: this is
				// a fallback for photos where nothing was read yet, and
				// the tiles of a 4× larger image cost the most of any
				// stage (the first-read mode, which never tiles, reads
				// as much).
				r.decode2DWhole(grown(), false, nil)
				r.decode2DWhole(grown(), true, nil)
			}
		},
		func() {
			if small {
				r.with(r.noRSS, func() { r.scan1D(grown(), rowAdaptive, 64) })
			}
		},
		func() { r.with(r.noRSS, func() { r.scan1D(work, rowHistogram, 256) }) },
		func() {
			if small { // GS1 DataBar: gozxing's own scan pairs halves across rows
				r.with(r.rss, func() { r.scan1D(grown(), rowHistogram, grown().g.h) })
			}
		},
		// Small blurred photos: bar edges steepened by an unsharp mask
		// along the rows (ean13-2, upca-5 of the ZXing photos).
		func() {
			if small {
				r.with(r.noRSS, func() { r.scan1D(sharp4(), rowHistogram, 60) })
			}
		},
		func() {
			if small {
				r.with(r.noRSS, func() { r.scan1D(&view{g: work.g.sharpen(8, 1), scale: work.scale}, rowHistogram, 60) })
			}
		},
		func() {
			if small {
				r.with(r.noRSS, func() { r.scan1D(sharp4(), localBlocks, 60) })
			}
		},
		// The same on every line; a read counts again only a twenty-fourth
		// of the height away, and short codes (EAN-8, UPC-E), which such
		// scans misread, are not taken.
		func() {
			if small {
				r.longOnly = true
				defer func() { r.longOnly = false }()
				r.with(r.noRSS, func() {
					r.scan1DGap(sharp4(), rowHistogram, 240, work.g.h/24)
					r.scan1DGap(&view{g: work.g.sharpen(6, 1), scale: work.scale}, rowAdaptive, 120, work.g.h/24)
				})
			}
		},
		// Turned codes, the other binarizations (last: on the ZXing
		// photos they read nothing the stages before did not).
		func() { r.scan1D(rotated(), localBlocks, 48) },
		func() { r.scan1D(rotated(), rowAdaptive, 48) },
		// QR Codes found but sampled wrong (few pixels a module, a bent
		// label): grey levels on a grid fitted to the alignment patterns.
		func() { r.resampleQR(work) },
		// GS1 DataBar (linear, stacked, sheared, ink spread) read from
		// grey profiles across the bars (databar.go).
		func() { r.dataBar(work) },
		// EAN-13 / UPC-A blurred beyond binarization: the symbol's model
		// fitted to grey profiles (blurean.go).
		func() {
			if small && !skipBlurEAN {
				r.blurEAN(work)
			}
		},
		// Data Matrix printed mirrored (seen through film, or the image
		// flipped by a front camera): gozxing's reader, unlike its QR
		// reader, does not try the mirror image itself.
		func() {
			m := &view{g: work.g.mirror(), scale: work.scale, mirrored: true}
			r.decodeDM(m, nil)
			if small {
				r.decodeDM(m, pureBarcode)
			}
		},
		// EAN-13 / UPC-A in light bars on a dark ground (glare on a can
		// or a bottle): the negative of the image (inverted.go).
		func() {
			if invertedEAN {
				r.invertedScan(work)
			}
		},
	}
	// With All set, the first sweep stages (both binarizations, both
	// orientations, 2D in tiles) run in full; the fallbacks after them only
	// when the sweep found nothing.
	const sweep = 8
	// From the enlarged-image stages on, the stages are aggressive.
	const late = sweep + 1
	func() {
		defer func() {
			// gozxing should not panic on any image; if it does, keep the
			// reads so far rather than take the server down.
			if p := recover(); p != nil {
				r.panicked = fmt.Sprint(p)
			}
		}()
		for i, s := range stages {
			if r.done() || (i >= sweep && r.col.anyAccepted()) {
				break
			}
			r.late = i >= late
			r.sweep = i < sweep
			t0 := stageClock()
			s()
			r.crossCheckReads(work)
			r.stageTimes = append(r.stageTimes, stageClock()-t0)
			if r.firstGood < 0 && r.col.anyAccepted() {
				r.firstGood = i
			}
			if sweepTrace != nil && i < sweep {
				sweepTrace(i, r, work)
			}
			if i < sweep-1 {
				r.sweepSkips(work)
			}
		}
	}()
	return r
}

// with runs fn with only the given row decoders.
func (r *run) with(readers []oned.RowDecoder, fn func()) {
	all := r.r1D
	r.r1D = readers
	defer func() { r.r1D = all }()
	fn()
}

// skipBlurEAN leaves out the blurred EAN stage: for benchmarks that
// measure its cost against the cascade without it, in the same run.
var skipBlurEAN = false

// stageClock measures the stages for tuning: wall time here, the thread's
// CPU time in the tuning test (which stays right on a busy machine).
var stageClock = func() time.Duration { return time.Duration(time.Now().UnixNano()) }

// scan1D tries every 1D reader on n scan lines of v spread over its height,
// from the middle outwards, each line forwards and reversed.
func (r *run) scan1D(v *view, bin binarization, n int) {
	r.scan1DGap(v, bin, n, 0)
}

// scan1DGap is scan1D where two reads of a barcode on lines closer than
// gap (or than the usual minimum) count once: dense scans of enhanced
// images see the same misread on many neighbouring lines.
func (r *run) scan1DGap(v *view, bin binarization, n, gap int) {
	if r.sweep && r.skip1D {
		return
	}
	src := newLumSource(v.g)
	h := v.g.h
	var matrix *gozxing.BitMatrix
	var lines *hybridLines
	var ghb gozxing.Binarizer
	switch {
	case bin == localBlocks && fastBinarize && v.g.w >= gozxing.MINIMUM_DIMENSION && v.g.h >= gozxing.MINIMUM_DIMENSION:
		// hybridMatrix's rows, only those scanned
		lines = newHybridLines(v.g, 0, 0, v.g.w, v.g.h)
	case bin == localBlocks:
		m, err := newBinarizer(src, false).GetBlackMatrix()
		if err != nil {
			return
		}
		matrix = m
	case bin == rowHistogram:
		ghb = gozxing.NewGlobalHistgramBinarizer(src)
	}
	for _, rd := range r.r1D {
		if rr, ok := rd.(interface{ Reset() }); ok { // gozxing's readers and ours (rssRow keeps pairs)
			rr.Reset()
		}
	}
	step := max(1, h/n)
	row := gozxing.NewBitArray(v.g.w)
	lineBuf := make([]int32, 0, v.g.w+1)
	seen := map[*hit]bool{}
	r.attempt++
	if r.late {
		r.col.late[r.attempt] = true
	}
	minGap := max(2, h/100, gap)
	middle := h / 2
	for i := 0; ; i++ {
		off := (i + 1) / 2 * step
		y := middle + off
		if i%2 == 1 {
			y = middle - off
		}
		if y < 0 || y >= h {
			break
		}
		if i%8 == 7 && r.done() {
			return
		}
		r.rows++
		var err error
		switch {
		case bin == rowAdaptive:
			row = adaptiveRow(v.g.pix[y*v.g.w:(y+1)*v.g.w], row, lineBuf[:0])
		case lines != nil:
			row = lines.row(y, row)
		case matrix != nil:
			row = matrix.GetRow(y, row)
		default:
			if row, err = ghb.GetBlackRow(y, row); err != nil {
				continue
			}
		}
		bars := -1 // every reader runs
		if rowSkip {
			bars = blackRuns(row)
			if !r.anyReaderFor(bars) {
				continue
			}
		}
		clear(seen)
		r.decodeRow(v, y, minGap, row, bars, false, seen)
		row.Reverse()
		r.decodeRow(v, y, minGap, row, bars, true, seen)
		if !r.all && r.col.anyAccepted() {
			return
		}
	}
}

// decodeRow runs the 1D readers on one line; with All set it also looks
// for further barcodes to the right of each one found.
func (r *run) decodeRow(v *view, y, minGap int, row *gozxing.BitArray, bars int, reversed bool, seen map[*hit]bool) {
	for _, rd := range r.r1D {
		if bars >= 0 && !r.readerFor(rd, bars) {
			continue
		}
		line := row
		for range 4 {
			res, err := rd.DecodeRow(y, line, upceanHints)
			if err != nil || res == nil {
				break
			}
			pts := res.GetResultPoints()
			if f := res.GetBarcodeFormat(); short(f) {
				if r.longOnly {
					break
				}
				// A short code without clear quiet zones is a piece of
				// something longer (or of a torn label): not a read.
				if len(pts) < 2 || pts[0] == nil || pts[1] == nil ||
					!quietZonesClear(f, v.g.pix[y*v.g.w:(y+1)*v.g.w], reversed, pts[0].GetX(), pts[1].GetX()) ||
					(shortAcross && !shortBarsAcross(f, v.g, y, reversed, pts[0].GetX(), pts[1].GetX())) {
					r.quietBad++
					break
				}
				r.quietOK++
			} else if barsAcross && acrossChecked(f) && !barsAcross1D(v.g, y, reversed, res) {
				// a piece of a turned symbol, read on a line through
				// its bars' ends (across1d.go)
				r.acrossBad++
				break
			}
			read := res
			if reversed {
				res = flipped(res, float64(row.GetSize()))
			}
			h := r.col.addRow(v, res, r.attempt, y, minGap, seen)
			// the first line of a code trusted on one line is read
			// again across the bars beside it (verify.go)
			if lineTrusted1D(h.format) && lineConfirm && lineRereads && r.col.lineCount(h) == 1 && h.reads == 1 {
				h.reread = lineReread(v.g, y, reversed, read, code128Module(read))
			}
			if !r.all {
				break
			}
			if len(pts) < 2 || pts[len(pts)-1] == nil {
				break
			}
			end := int(pts[len(pts)-1].GetX()) + 1
			if end >= line.GetSize()-10 {
				break
			}
			line = whiteBefore(line, end)
		}
	}
}

// whiteBefore returns a copy of row with every bit before x cleared.
func whiteBefore(row *gozxing.BitArray, x int) *gozxing.BitArray {
	out := gozxing.NewBitArray(row.GetSize())
	dst, src := out.GetBitArray(), row.GetBitArray()
	copy(dst, src)
	for i := 0; i < x/32 && i < len(dst); i++ {
		dst[i] = 0
	}
	if w := x / 32; w < len(dst) {
		dst[w] &^= (1 << uint(x%32)) - 1
	}
	return out
}

// decode2D runs the QR Code and Data Matrix readers on v; with All set,
// also on overlapping tiles of v and on the parts of v around each symbol
// found. With All set, the windows where the 2D detector sees no symbol
// (may2D) are put off: they are decoded only when the sweep ends without
// a read (decodePut). The whole of v is put off when the whole of by (v
// or a larger view of the same image, whose map has v's scale as its
// coarse one) holds too few 2D-like cells.
func (r *run) decode2D(v, by *view, globalHistogram bool, hints map[gozxing.DecodeHintType]interface{}) {
	if r.sweep && r.skip2D {
		return
	}
	src := newLumSource(v.g)
	if r.all && r.sweep && min(by.g.w, by.g.h) >= wholeGateSide && !r.may2D(by, 0, 0, by.g.w, by.g.h, wholeGate) {
		// no tile holds more 2D-like cells than the whole view
		r.wholeSkipped++
		r.put2D = append(r.put2D, func() { r.decode2DTiles(v, src, globalHistogram, hints, true) })
		return
	}
	r.decode2DTiles(v, src, globalHistogram, hints, false)
}

// decode2DTiles is decode2D on the whole of v and its tiles; every tile
// when every is set or outside the sweep, else only those where the
// detector sees a symbol could be (the others put off).
func (r *run) decode2DTiles(v *view, src *lumSource, globalHistogram bool, hints map[gozxing.DecodeHintType]interface{}, every bool) {
	r.decode2DIn(v, src, 0, 0, globalHistogram, hints, 0)
	if !r.all {
		return
	}
	// The Data Matrix detector starts from the centre of the image, so
	// symbols elsewhere are looked for in overlapping tiles: halves of
	// each side at quarter steps, then thirds at sixth steps.
	for _, parts := range []int{2, 3} {
		w, h := v.g.w, v.g.h
		tw, th := w/parts, h/parts
		if tw < 64 || th < 64 {
			return
		}
		n := 2*parts - 1
		for ty := 0; ty < n; ty++ {
			for tx := 0; tx < n; tx++ {
				if r.ctx.Err() != nil {
					return
				}
				x0, y0 := tx*tw/2, ty*th/2
				cw, ch := min(tw, w-x0), min(th, h-y0)
				if !every && r.sweep && !r.mayNew2D(v, x0, y0, cw, ch, tileGate) {
					r.tilesSkipped++
					r.put2D = append(r.put2D, func() { r.decode2DTile(v, src, x0, y0, cw, ch, globalHistogram, hints) })
					continue
				}
				r.decode2DTile(v, src, x0, y0, cw, ch, globalHistogram, hints)
			}
		}
	}
}

// decode2DTile decodes the tile (x0, y0, w, h) of v.
func (r *run) decode2DTile(v *view, src *lumSource, x0, y0, w, h int, globalHistogram bool, hints map[gozxing.DecodeHintType]interface{}) {
	sub, err := src.Crop(x0, y0, w, h)
	if err != nil {
		return
	}
	r.tiles2D++
	r.decode2DIn(v, sub, x0, y0, globalHistogram, hints, 3)
}

// decodePut decodes the 2D windows put off during the sweep, in order.
func (r *run) decodePut() {
	put := r.put2D
	r.put2D = nil
	for _, f := range put {
		if r.ctx.Err() != nil {
			return
		}
		f()
	}
}

// decode2DWhole is decode2D without the tiles: the whole of v and, with
// All set, the parts around each symbol found.
func (r *run) decode2DWhole(v *view, globalHistogram bool, hints map[gozxing.DecodeHintType]interface{}) {
	if r.sweep && r.skip2D {
		return
	}
	r.decode2DIn(v, newLumSource(v.g), 0, 0, globalHistogram, hints, 0)
}

// decode2DIn runs the 2D readers on src, a window at (x0, y0) of v.
func (r *run) decode2DIn(v *view, src gozxing.LuminanceSource, x0, y0 int, globalHistogram bool,
	hints map[gozxing.DecodeHintType]interface{}, depth int) {
	if r.ctx.Err() != nil {
		return
	}
	var bin gozxing.Binarizer
	switch ls, ok := src.(*lumSource); {
	case ok:
		bin = newBinarizer(ls, globalHistogram)
	case globalHistogram:
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	default:
		bin = gozxing.NewHybridBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return
	}
	for _, rd := range []gozxing.Reader{r.qr, r.dm} {
		if _, pure := hints[gozxing.DecodeHintType_PURE_BARCODE]; rd == r.qr && qrSkip && !pure {
			// no finder pattern: the QR reader would fail (qrskip.go)
			if m, err := bmp.GetBlackMatrix(); err != nil || !qrMayFind(m, hints) {
				continue
			}
		}
		res, err := rd.Decode(bmp, hints)
		if err != nil || res == nil || (dropEmpty && res.GetText() == "") {
			continue // an empty read is no read (collect.go)
		}
		shifted := gozxing.NewResult(res.GetText(), res.GetRawBytes(), shift(res.GetResultPoints(), x0, y0), res.GetBarcodeFormat())
		shifted.PutAllMetadata(res.GetResultMetadata())
		r.col.add(v, shifted)
		if !r.all {
			return
		}
		if depth < 3 {
			r.around(v, src, x0, y0, res.GetResultPoints(), globalHistogram, hints, depth)
		}
	}
}

// decodeDM runs the Data Matrix reader alone on v.
func (r *run) decodeDM(v *view, hints map[gozxing.DecodeHintType]interface{}) {
	if r.ctx.Err() != nil {
		return
	}
	bmp, err := gozxing.NewBinaryBitmap(newBinarizer(newLumSource(v.g), false))
	if err != nil {
		return
	}
	if res, err := r.dm.Decode(bmp, hints); err == nil && res != nil {
		r.col.add(v, res)
	}
}

// around decodes the parts of src left of, right of, above and below the
// symbol with corners pts (ZXing's GenericMultipleBarcodeReader).
func (r *run) around(v *view, src gozxing.LuminanceSource, x0, y0 int, pts []gozxing.ResultPoint,
	globalHistogram bool, hints map[gozxing.DecodeHintType]interface{}, depth int) {
	if len(pts) == 0 {
		return
	}
	w, h := src.GetWidth(), src.GetHeight()
	minX, minY, maxX, maxY := float64(w), float64(h), 0.0, 0.0
	for _, p := range pts {
		if p == nil {
			continue
		}
		minX, maxX = min(minX, p.GetX()), max(maxX, p.GetX())
		minY, maxY = min(minY, p.GetY()), max(maxY, p.GetY())
	}
	const minSide = 48
	type rect struct{ x, y, w, h int }
	for _, c := range []rect{
		{0, 0, int(minX), h},
		{int(maxX) + 1, 0, w - int(maxX) - 1, h},
		{0, 0, w, int(minY)},
		{0, int(maxY) + 1, w, h - int(maxY) - 1},
	} {
		if c.w < minSide || c.h < minSide || c.x < 0 || c.y < 0 || c.x+c.w > w || c.y+c.h > h {
			continue
		}
		if r.all && r.sweep && sweepStop && !r.mayNew2D(v, x0+c.x, y0+c.y, c.w, c.h, tileGate) {
			continue // nothing 2D-like there but the symbols read (sweepstop.go)
		}
		sub, err := src.Crop(c.x, c.y, c.w, c.h)
		if err != nil {
			continue
		}
		r.decode2DIn(v, sub, x0+c.x, y0+c.y, globalHistogram, hints, depth+1)
	}
}

// shift moves points by (dx, dy).
func shift(pts []gozxing.ResultPoint, dx, dy int) []gozxing.ResultPoint {
	out := make([]gozxing.ResultPoint, 0, len(pts))
	for _, p := range pts {
		if p != nil {
			out = append(out, gozxing.NewResultPoint(p.GetX()+float64(dx), p.GetY()+float64(dy)))
		}
	}
	return out
}

// flipped returns res with its points mirrored horizontally in a line of
// width w (a read on a reversed line).
func flipped(res *gozxing.Result, w float64) *gozxing.Result {
	pts := make([]gozxing.ResultPoint, 0, len(res.GetResultPoints()))
	for _, p := range res.GetResultPoints() {
		if p != nil {
			pts = append(pts, gozxing.NewResultPoint(w-1-p.GetX(), p.GetY()))
		}
	}
	out := gozxing.NewResult(res.GetText(), res.GetRawBytes(), pts, res.GetBarcodeFormat())
	out.PutAllMetadata(res.GetResultMetadata())
	return out
}

// adaptiveRow binarizes one line of luminance: a pixel is black when it is
// darker than the mean of the pixels within adaptiveRadius of it, and the
// local contrast is not flat. sums is scratch space.
func adaptiveRow(line []byte, row *gozxing.BitArray, sums []int32) *gozxing.BitArray {
	const adaptiveRadius = 12
	w := len(line)
	row.Clear()
	sums = append(sums, 0)
	for _, v := range line {
		sums = append(sums, sums[len(sums)-1]+int32(v))
	}
	for x, v := range line {
		x0, x1 := max(0, x-adaptiveRadius), min(w, x+adaptiveRadius+1)
		mean := (sums[x1] - sums[x0]) / int32(x1-x0)
		if int32(v)+2 < mean {
			row.Set(x)
		}
	}
	return row
}
