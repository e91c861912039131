package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// advSym is a symbol to place in an adversarial photo: its modules
// (rows; a 1D code one row), quiet zone in modules, and how it is drawn.
type advSym struct {
	format, text string
	mods         [][]bool
	quiet        int
	oneD         bool
	ms           float64 // px per module
	barH         float64 // 1D bar height, px
	deg, persp   float64
	invert       bool
	cx, cy       float64
	digits       string // 1D: printed under the bars (seven segments; advCompose1D)
}

// advDigitH is the height, in modules, of the room kept under a 1D
// code's bars for its digits (the bars move up by half of it).
const advDigitH = 12

// size returns the symbol's width and height in px, quiet zone included.
func (s *advSym) size() (float64, float64) {
	w := float64(len(s.mods[0])+2*s.quiet) * s.ms
	if s.oneD && s.digits != "" {
		return w, s.barH + 2*s.ms*float64(s.quiet)/2 + advDigitH*s.ms
	}
	if s.oneD {
		return w, s.barH + 2*s.ms*float64(s.quiet)/2
	}
	return w, float64(len(s.mods)+2*s.quiet) * s.ms
}

// extent returns the half width and half height of the box that holds
// the drawn symbol (turned, perspective).
func (s *advSym) extent() (float64, float64) {
	sw, sh := s.size()
	sw *= 1 + math.Abs(s.persp)
	c, sn := math.Abs(math.Cos(s.deg*math.Pi/180)), math.Abs(math.Sin(s.deg*math.Pi/180))
	return (c*sw+sn*sh)/2 + 1, (sn*sw+c*sh)/2 + 1
}

// advMatrix encodes text with a gozxing writer into rows of modules.
func advMatrix(t *testing.T, w gozxing.Writer, f gozxing.BarcodeFormat, text string) [][]bool {
	m, err := w.Encode(text, f, 0, 0, map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0})
	if err != nil {
		t.Fatalf("%v %q: %v", f, text, err)
	}
	rows := m.GetHeight()
	if f != gozxing.BarcodeFormat_QR_CODE && f != gozxing.BarcodeFormat_DATA_MATRIX {
		rows = 1
	}
	out := make([][]bool, rows)
	for y := range out {
		out[y] = make([]bool, m.GetWidth())
		for x := range out[y] {
			out[y][x] = m.Get(x, y)
		}
	}
	return out
}

// advDraw draws s into img (paper where its quiet zone is), rotated by
// deg, with a perspective squeeze along its height, 3×3 supersampled.
func advDraw(img []float64, W, H int, s *advSym, paper, ink float64) {
	sw, sh := s.size()
	r := math.Hypot(sw, sh)/2*(1+math.Abs(s.persp)) + 2
	c, sn := math.Cos(s.deg*math.Pi/180), math.Sin(s.deg*math.Pi/180)
	if s.invert {
		paper, ink = ink, paper
	}
	cols, rows := len(s.mods[0]), len(s.mods)
	for y := max(0, int(s.cy-r)); y < min(H, int(s.cy+r)+1); y++ {
		for x := max(0, int(s.cx-r)); x < min(W, int(s.cx+r)+1); x++ {
			n, dark := 0, 0
			for sy := range 3 {
				for sx := range 3 {
					dx, dy := float64(x)+(float64(sx)+0.5)/3-0.5-s.cx, float64(y)+(float64(sy)+0.5)/3-0.5-s.cy
					u := c*dx + sn*dy
					v := -sn*dx + c*dy
					u /= 1 + s.persp*v/sh // perspective: wider at one end
					if math.Abs(u) > sw/2 || math.Abs(v) > sh/2 {
						continue
					}
					n++
					mu := (u+sw/2)/s.ms - float64(s.quiet)
					if s.digits != "" {
						v += advDigitH * s.ms / 2 // the bars' centre
					}
					if s.digits != "" && mu >= -float64(s.quiet) && (mu < 0 || mu >= float64(cols)) {
						if advDigitOn(s.digits, mu, (v-s.barH/2)/s.ms-1.5) {
							dark++
						}
						continue
					}
					if mu < 0 || mu >= float64(cols) {
						continue
					}
					var on bool
					if s.oneD {
						on = math.Abs(v) < s.barH/2 && s.mods[0][int(mu)] ||
							s.digits != "" && advDigitOn(s.digits, mu, (v-s.barH/2)/s.ms-1.5)
					} else {
						mv := (v+sh/2)/s.ms - float64(s.quiet)
						on = mv >= 0 && mv < float64(rows) && s.mods[int(mv)][int(mu)]
					}
					if on {
						dark++
					}
				}
			}
			if n == 0 {
				continue
			}
			// the symbol's ground over the part of the pixel it covers
			f := float64(n) / 9
			val := (paper*float64(n-dark) + ink*float64(dark)) / float64(n)
			img[y*W+x] = img[y*W+x]*(1-f) + val*f
		}
	}
}

// advScene is one composed photo: its symbols and what it is.
type advScene struct {
	what string
	syms []*advSym
	g    *gray
}

// advPhotoSize draws a composed photo's size: a camera's 4:3, 640×480
// to 2048×1536, one in four upright.
func advPhotoSize(rng *rand.Rand) (W, H int) {
	sizes := [][2]int{{640, 480}, {800, 600}, {1024, 768}, {1280, 960}, {1600, 1200}, {2048, 1536}}
	sz := sizes[rng.Intn(len(sizes))]
	W, H = sz[0], sz[1]
	if rng.Intn(4) == 0 {
		W, H = H, W
	}
	return W, H
}

// advComposeScene composes case i of seed: two or three symbols of a
// stock-count photo (kinds below) at random sizes, angles and places,
// not overlapping (a random gap, often small), on a lit gradient, blurred,
// noisy, JPEG.
func advComposeScene(t *testing.T, seed int64) *advScene {
	rng := rand.New(rand.NewSource(seed))
	W, H := advPhotoSize(rng)
	txt := func() string {
		return fmt.Sprintf("%s-%06d", []string{"LOC", "SKU", "BIN", "https://p.example/i"}[rng.Intn(4)], rng.Intn(1000000))
	}
	newQR := func(ms float64) *advSym {
		text := txt()
		if rng.Intn(3) == 0 {
			text = text + "/" + fmt.Sprintf("%x", rng.Int63())[:rng.Intn(12)]
		}
		return &advSym{format: "QR_CODE", text: text, mods: advMatrix(t, qrcode.NewQRCodeWriter(), gozxing.BarcodeFormat_QR_CODE, text), quiet: 4, ms: ms}
	}
	newDM := func(ms float64) *advSym {
		text := txt()
		if rng.Intn(2) == 0 {
			text = fmt.Sprintf("%d", rng.Intn(100000))
		}
		return &advSym{format: "DATA_MATRIX", text: text, mods: advMatrix(t, datamatrix.NewDataMatrixWriter(), gozxing.BarcodeFormat_DATA_MATRIX, text), quiet: 2, ms: ms}
	}
	newEAN := func(ms float64) *advSym {
		text := withCheck(strconv.Itoa(1+rng.Intn(9)) + digitsRng(rng, 11))
		return &advSym{format: "EAN_13", text: text, mods: advMatrix(t, oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, text), quiet: 10, oneD: true, ms: ms, barH: ms * float64(30+rng.Intn(50))}
	}
	newC128 := func(ms float64) *advSym {
		text := fmt.Sprintf("%s%d", []string{"PN-", "LOT", "A"}[rng.Intn(3)], rng.Intn(10000000))
		return &advSym{format: "CODE_128", text: text, mods: advMatrix(t, oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, text), quiet: 10, oneD: true, ms: ms, barH: ms * float64(20+rng.Intn(40))}
	}
	// px a module in the work view (photos over 1600 px are reduced by 2)
	k := float64((max(W, H) + 1599) / 1600)
	small := func() float64 { return k * []float64{1.5, 2, 2.5, 3}[rng.Intn(4)] * (0.9 + 0.2*rng.Float64()) }
	big := func() float64 { return k * []float64{4, 5, 6, 8}[rng.Intn(4)] * (0.9 + 0.2*rng.Float64()) }
	anyMs := func() float64 { return k * []float64{1.5, 2, 3, 4, 5}[rng.Intn(5)] * (0.9 + 0.2*rng.Float64()) }
	kinds := []string{"qr+qr", "qr+dm", "bigqr+smalldm", "dm+dm", "qr+ean", "qr+c128", "ean+cornerqr", "dm+ean", "three"}
	kind := kinds[rng.Intn(len(kinds))]
	var syms []*advSym
	switch kind {
	case "qr+qr":
		syms = []*advSym{newQR(big()), newQR(small())}
	case "qr+dm":
		syms = []*advSym{newQR(anyMs()), newDM(anyMs())}
	case "bigqr+smalldm":
		syms = []*advSym{newQR(big()), newDM(small())}
	case "dm+dm":
		syms = []*advSym{newDM(anyMs()), newDM(small())}
	case "qr+ean":
		syms = []*advSym{newEAN(anyMs()), newQR(small())}
	case "qr+c128":
		syms = []*advSym{newC128(anyMs()), newQR(anyMs())}
	case "ean+cornerqr":
		syms = []*advSym{newEAN(big() / 2), newQR(small())}
	case "dm+ean":
		syms = []*advSym{newEAN(anyMs()), newDM(small())}
	default:
		syms = []*advSym{newQR(anyMs()), newDM(small()), newEAN(anyMs())}
	}
	for _, s := range syms {
		s.ms = max(1.5, s.ms)
		s.barH = max(s.barH, 20)
		if s.oneD {
			s.deg = []float64{0, 0, 0, 90, 180, 5, -8, 15, 30}[rng.Intn(9)]
		} else {
			s.deg = []float64{0, 0, 90, 45, 10, -20, 3}[rng.Intn(7)]
			s.persp = []float64{0, 0, 0, 0.15, -0.25}[rng.Intn(5)]
		}
		s.invert = rng.Intn(10) == 0
	}
	// places: the first anywhere, the others beside one placed (left,
	// right, above or below, a gap of 0 to 50 px between the quiet zones'
	// bounding boxes) or anywhere, never overlapping
	placed := syms[:0:0]
	for i, s := range syms {
		ok := false
		for try := 0; try < 200 && !ok; try++ {
			ex, ey := s.extent()
			if 2*ex >= float64(W) || 2*ey >= float64(H) {
				s.ms *= 0.8
				s.barH *= 0.8
				continue
			}
			if i == 0 || rng.Intn(4) == 0 {
				s.cx = ex + rng.Float64()*(float64(W)-2*ex)
				s.cy = ey + rng.Float64()*(float64(H)-2*ey)
				if kind == "ean+cornerqr" && i == 1 { // a corner
					s.cx = []float64{ex + 3, float64(W) - ex - 3}[rng.Intn(2)]
					s.cy = []float64{ey + 3, float64(H) - ey - 3}[rng.Intn(2)]
				}
			} else {
				p := placed[rng.Intn(len(placed))]
				px, py := p.extent()
				gap := []float64{0, 2, 6, 12, 25, 50}[rng.Intn(6)]
				sgn := float64(1 - 2*rng.Intn(2))
				if rng.Intn(2) == 0 {
					s.cx, s.cy = p.cx+sgn*(px+ex+gap), p.cy+(rng.Float64()*2-1)*max(py, ey)
				} else {
					s.cx, s.cy = p.cx+(rng.Float64()*2-1)*max(px, ex), p.cy+sgn*(py+ey+gap)
				}
			}
			if s.cx < ex || s.cy < ey || s.cx > float64(W)-ex || s.cy > float64(H)-ey {
				continue
			}
			ok = true
			for _, p := range placed {
				px, py := p.extent()
				if math.Abs(s.cx-p.cx) < ex+px && math.Abs(s.cy-p.cy) < ey+py {
					ok = false
				}
			}
		}
		if ok {
			placed = append(placed, s)
		}
	}
	return advRender(t, rng, seed, W, H, kind, placed)
}

// advRender draws the placed symbols of a composed photo on a lit
// gradient, blurred, noisy, JPEG (the last of rng's draws for it).
func advRender(t *testing.T, rng *rand.Rand, seed int64, W, H int, kind string, placed []*advSym) *advScene {
	img := make([]float64, W*H)
	lo, span := 120+rng.Float64()*60, 40+rng.Float64()*60
	for y := range H {
		for x := range W {
			img[y*W+x] = lo + span*float64(x)/float64(W) + 0.3*span*float64(y)/float64(H)
		}
	}
	paper, ink := 225+rng.Float64()*25, 15+rng.Float64()*60
	var what []string
	for _, s := range placed {
		advDraw(img, W, H, s, paper, ink)
		what = append(what, fmt.Sprintf("%s %q ms %.1f deg %v persp %v inv %v at (%.0f,%.0f)", s.format, s.text, s.ms, s.deg, s.persp, s.invert, s.cx, s.cy))
	}
	// blur (0, 1 px box), noise, JPEG
	out := image.NewGray(image.Rect(0, 0, W, H))
	br := rng.Intn(2)
	noise := 2 + rng.Float64()*4
	for y := range H {
		for x := range W {
			s, n := 0.0, 0
			for yy := max(0, y-br); yy <= min(H-1, y+br); yy++ {
				for xx := max(0, x-br); xx <= min(W-1, x+br); xx++ {
					s += img[yy*W+xx]
					n++
				}
			}
			out.Pix[y*W+x] = uint8(max(0, min(255, s/float64(n)+rng.NormFloat64()*noise)))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 80 + rng.Intn(15)}); err != nil {
		t.Fatal(err)
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SCAN_ADVDUMP"); dir != "" {
		if f, err := os.Create(fmt.Sprintf("%s/adv%d.png", dir, seed)); err == nil {
			_ = png.Encode(f, dec)
			f.Close()
		}
	}
	return &advScene{what: fmt.Sprintf("seed %d %dx%d %s blur %d: %s", seed, W, H, kind, br, strings.Join(what, "; ")), syms: placed, g: toGray(dec)}
}

// advCodes returns the server's reads of g (every barcode wanted) as
// "FORMAT text" keys, sorted.
func advCodes(g *gray) []string {
	var out []string
	for _, b := range NewDecoder(DecoderOptions{All: true}).cascade(context.Background(), g).col.barcodes() {
		out = append(out, b.Format+" "+b.Text)
	}
	sort.Strings(out)
	return out
}

// TestAdvSweepStop (review of sweepstop.go, h/rev3): on composed
// stock-count photos with two or three symbols (QR Code + QR Code at
// different sizes, QR Code + Data Matrix, a small Data Matrix beside a
// big QR Code, two Data Matrix, a QR Code beside an EAN-13 or a Code 128
// at angles, a small QR Code in a corner of a large photo with a big
// EAN-13; 1.5–8 px a module, turned, perspective, inverted), the server
// (every barcode wanted) reads with sweepStop on every code it reads with
// it off, and never a code that is not in the photo that it does not
// read with sweepStop off too (those, the decoder's own wrong reads, are
// logged and counted: seed 1720, a Code 128 read on one line of the late
// dense scan, closed by h/c128's lineConfirm, see TestLateLineSeed1720;
// with sweepStop on, none of 1–2300 since, TestLateLineAdv; 100, 836 and
// 1912 closed by h/wr8, see wr8_test.go; 646 and 822 by h/wr13, see
// TestLateReadsChecked; with SCAN_ADV1D, of 2301–4000: 2404 and 3751,
// an EAN-13 with an add-on read as another UPC-A, closed by h/wr14, see
// TestEdgeContradictedRead; 3335 open, an EAN-13 at 3.1 px a module over
// a Code 128 read as another EAN-13, never cross-checked). No by-design
// case needs listing: the photos hold no symbol inside another.
// SCAN_ADVREV=N photos (seeds SCAN_ADVSEED, default 1, on);
// SCAN_ADVAREAS=1 counts the 2D-like cells by area, as merged with
// h/speed3 (cellsOutside2D off); SCAN_ADVDUMP=dir writes the photos.
// SCAN_ADVSTOP1D=1 turns sweepStop's 1D part on (off by default;
// SCAN_ADVAREAS1D=1: by areas, as h/speed3, not barsWalk1D); SCAN_ADV1D=1 composes
// neighbouring 1D codes instead (advCompose1D: stacked EAN-13s, an
// EAN-13 over or beside a Code 128, an EAN-13 with an add-on).
func TestAdvSweepStop(t *testing.T) {
	n := advN(t)
	from, _ := strconv.Atoi(os.Getenv("SCAN_ADVSEED"))
	if from == 0 {
		from = 1
	}
	defer func(on, cells, on1D, walk bool) {
		sweepStop, cellsOutside2D, sweepStop1D, barsWalk1D = on, cells, on1D, walk
	}(sweepStop, cellsOutside2D, sweepStop1D, barsWalk1D)
	if os.Getenv("SCAN_ADVAREAS") != "" { // as merged: the areas that meet a box are its
		cellsOutside2D = false
	}
	if os.Getenv("SCAN_ADVSTOP1D") != "" { // with the 1D part (off by default)
		sweepStop1D = true
	}
	if os.Getenv("SCAN_ADVAREAS1D") != "" { // the 1D part by areas, as h/speed3
		barsWalk1D = false
	}
	fmtN, fmtRead := map[string]int{}, map[string]int{}
	lost, gained, wrongOn, wrongOff, readOff, readOn, placedN := 0, 0, 0, 0, 0, 0, 0
	for i := range n {
		var sc *advScene
		if os.Getenv("SCAN_ADV1D") != "" {
			sc = advCompose1D(t, int64(from+i))
		} else {
			sc = advComposeScene(t, int64(from+i))
		}
		in := map[string]bool{}
		for _, s := range sc.syms {
			in[s.format+" "+s.text] = true
		}
		placedN += len(sc.syms)
		if testing.Verbose() && os.Getenv("SCAN_ADVDUMP") != "" {
			t.Log(sc.what)
		}
		sweepStop = false
		off := advCodes(sc.g)
		sweepStop = true
		on := advCodes(sc.g)
		readOff += len(off)
		readOn += len(on)
		offSet, onSet := map[string]bool{}, map[string]bool{}
		for _, s := range sc.syms {
			fmtN[s.format]++
		}
		for _, c := range off {
			fmtRead[strings.Fields(c)[0]]++
			offSet[c] = true
			if !in[c] {
				wrongOff++
				t.Logf("%s: wrong read with sweepStop off: %s", sc.what, c)
			}
		}
		for _, c := range on {
			onSet[c] = true
			if !in[c] {
				wrongOn++
				if offSet[c] { // the decoder's, not sweepStop's: reported, not failed on
					t.Logf("%s: wrong read with sweepStop off and on: %s (off: %v, on: %v)", sc.what, c, off, on)
				} else {
					t.Errorf("%s: wrong read with sweepStop on: %s (off: %v)", sc.what, c, off)
				}
			}
			if !offSet[c] {
				gained++
				t.Logf("%s: %s read with sweepStop on only", sc.what, c)
			}
		}
		for _, c := range off {
			if !onSet[c] {
				lost++
				t.Errorf("%s: %s lost with sweepStop on (off: %v, on: %v)", sc.what, c, off, on)
			}
		}
	}
	t.Logf("placed %v, read (off) %v", fmtN, fmtRead)
	t.Logf("%d photos, %d symbols placed; read %d off, %d on; lost %d, gained %d, wrong %d off, %d on",
		n, placedN, readOff, readOn, lost, gained, wrongOff, wrongOn)
}

// advNearPhoto is a 1024×768 photo of a big QR Code (bigMs px a module)
// at (400, 384) with a small symbol (kind dm, qr or ean; sms px a module)
// gap px from its quiet zone, right of it (side 0) or below (side 1).
func advNearPhoto(t *testing.T, rng *rand.Rand, bigMs float64, kind string, sms, gap float64, side int) (*gray, string) {
	text := "LOC-" + digitsRng(rng, 6)
	b := &advSym{format: "QR_CODE", text: text, mods: advMatrix(t, qrcode.NewQRCodeWriter(), gozxing.BarcodeFormat_QR_CODE, text), quiet: 4, ms: bigMs}
	if bigMs < 0 { // a big EAN-13 instead, -bigMs px a module, 40 modules tall
		text = withCheck("9" + digitsRng(rng, 11))
		b = &advSym{format: "EAN_13", text: text, mods: advMatrix(t, oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, text), quiet: 10, oneD: true, ms: -bigMs, barH: -40 * bigMs}
	}
	var s *advSym
	switch kind {
	case "dm":
		st := digitsRng(rng, 5)
		s = &advSym{format: "DATA_MATRIX", text: st, mods: advMatrix(t, datamatrix.NewDataMatrixWriter(), gozxing.BarcodeFormat_DATA_MATRIX, st), quiet: 2, ms: sms}
	case "qr":
		st := "SKU-" + digitsRng(rng, 4)
		s = &advSym{format: "QR_CODE", text: st, mods: advMatrix(t, qrcode.NewQRCodeWriter(), gozxing.BarcodeFormat_QR_CODE, st), quiet: 4, ms: sms}
	default:
		st := withCheck("4" + digitsRng(rng, 11))
		s = &advSym{format: "EAN_13", text: st, mods: advMatrix(t, oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, st), quiet: 10, oneD: true, ms: sms, barH: 60 * sms}
	}
	W, H := 1024, 768
	bw, bh := b.size()
	sw, sh := s.size()
	b.cx, b.cy = 400, 384
	if b.oneD && side == 1 { // past the digits printed under an EAN-13's bars
		gap += 10 * b.ms
	}
	if side == 0 {
		s.cx, s.cy = b.cx+bw/2+gap+sw/2, b.cy+float64(rng.Intn(40)-20)
	} else {
		s.cx, s.cy = b.cx+float64(rng.Intn(40)-20), b.cy+bh/2+gap+sh/2
	}
	img := make([]float64, W*H)
	for i := range img {
		img[i] = 160 + 40*float64(i%W)/float64(W)
	}
	advDraw(img, W, H, b, 240, 30)
	advDraw(img, W, H, s, 240, 30)
	out := image.NewGray(image.Rect(0, 0, W, H))
	for i, v := range img {
		out.Pix[i] = uint8(max(0, min(255, v+rng.NormFloat64()*3)))
	}
	return toGray(out), fmt.Sprintf("big %s %q ms %v, %s %q ms %v gap %v side %d", b.format, b.text, b.ms, kind, s.text, sms, gap, side)
}

// TestAdvSweepNear: probes (SCAN_ADVNEAR set): a small symbol at a small
// gap beside a big QR Code reads with sweepStop as without.
func TestAdvSweepNear(t *testing.T) {
	if os.Getenv("SCAN_ADVNEAR") == "" {
		t.Skip("SCAN_ADVNEAR not set")
	}
	defer func(on bool) { sweepStop = on }(sweepStop)
	rng := rand.New(rand.NewSource(1))
	n, bad := 0, 0
	for _, bigMs := range []float64{4, 6, 8, -3, -4} { // < 0: a big EAN-13
		for _, kind := range []string{"dm", "qr", "ean"} {
			if bigMs < 0 && kind == "ean" {
				continue
			}
			for _, sms := range []float64{1.5, 2, 3} {
				for _, gap := range []float64{2, 10, 25, 50} {
					for _, side := range []int{0, 1} {
						g, what := advNearPhoto(t, rng, bigMs, kind, sms, gap, side)
						sweepStop = false
						off := advCodes(g)
						sweepStop = true
						on := advCodes(g)
						n++
						if fmt.Sprint(off) != fmt.Sprint(on) {
							bad++
							t.Errorf("%s: off %v on %v", what, off, on)
						} else if testing.Verbose() {
							t.Logf("%s: %v", what, off)
						}
					}
				}
			}
		}
	}
	t.Logf("%d probes, %d differ", n, bad)
}

// ean5Modules returns the modules of a 5-digit EAN add-on (a book's
// price): start 1011, five digits of set A or B by the check's parity
// pattern, 01 between them.
func ean5Modules(digits string) []bool {
	l := []string{"0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"}
	g := []string{"0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"}
	par := []string{"GGLLL", "GLGLL", "GLLGL", "GLLLG", "LGGLL", "LLGGL", "LLLGG", "LGLGL", "LGLLG", "LLGLG"}
	d := func(i int) int { return int(digits[i] - '0') }
	c := (3*(d(0)+d(2)+d(4)) + 9*(d(1)+d(3))) % 10
	pat := "1011"
	for i := range 5 {
		if i > 0 {
			pat += "01"
		}
		if par[c][i] == 'G' {
			pat += g[d(i)]
		} else {
			pat += l[d(i)]
		}
	}
	out := make([]bool, len(pat))
	for i := range pat {
		out[i] = pat[i] == '1'
	}
	return out
}

// advCompose1D composes a photo of neighbouring 1D codes (SCAN_ADV1D, for
// sweepStop's 1D part): two EAN-13 printed one above the other (a book's
// ISBN and price codes) or an EAN-13 above a Code 128, turned together,
// 0–50 px between their quiet zones and up to a third of the length
// apart along; an EAN-13 with a 5-digit add-on 7–12 modules right of it
// (read with it: one barcode); an EAN-13 beside a Code 128 (left or
// right, 0–50 px); 1.5–8 px a module, turned, 1 in 10 inverted. The
// EAN-13s' digits are printed under their bars (advDigitOn), in the room
// between stacked codes.
func advCompose1D(t *testing.T, seed int64) *advScene {
	rng := rand.New(rand.NewSource(seed))
	W, H := advPhotoSize(rng)
	k := float64((max(W, H) + 1599) / 1600)
	ms := func() float64 { return k * []float64{1.5, 2, 3, 4, 6, 8}[rng.Intn(6)] * (0.9 + 0.2*rng.Float64()) }
	newEAN := func(ms float64) *advSym {
		text := withCheck(strconv.Itoa(1+rng.Intn(9)) + digitsRng(rng, 11))
		return &advSym{format: "EAN_13", text: text, mods: advMatrix(t, oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, text), quiet: 10, oneD: true, ms: ms, barH: ms * float64(20+rng.Intn(60)), digits: text}
	}
	newC128 := func(ms float64) *advSym {
		text := fmt.Sprintf("%s%d", []string{"PN-", "LOT", "A"}[rng.Intn(3)], rng.Intn(10000000))
		return &advSym{format: "CODE_128", text: text, mods: advMatrix(t, oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, text), quiet: 10, oneD: true, ms: ms, barH: ms * float64(15+rng.Intn(45))}
	}
	kind := []string{"ean/ean", "ean/ean", "ean/c128", "ean+addon", "ean|c128"}[rng.Intn(5)]
	m1 := ms()
	a := newEAN(m1)
	var b *advSym
	switch kind {
	case "ean/ean":
		b = newEAN(m1 * (0.8 + 0.4*rng.Float64()))
	case "ean/c128", "ean|c128":
		b = newC128(ms())
	case "ean+addon":
		mods := append(append([]bool{}, a.mods[0]...), make([]bool, 7+rng.Intn(6))...)
		a.mods = [][]bool{append(mods, ean5Modules(digitsRng(rng, 5))...)}
	}
	deg := []float64{0, 0, 0, 90, 180, 5, -8, 15, 30}[rng.Intn(9)]
	syms := []*advSym{a}
	if b != nil {
		syms = append(syms, b)
	}
	for _, s := range syms {
		s.ms = max(1.5, s.ms)
		s.barH = max(s.barH, 20)
		s.deg = deg
		s.invert = rng.Intn(10) == 0
	}
	// the first anywhere; the second stacked across (in the codes' turned
	// frame) or beside along, never overlapping
	var placed []*advSym
	for try := 0; try < 200; try++ {
		for _, s := range syms {
			for 2*max(s.extent()) >= float64(min(W, H)) {
				s.ms *= 0.8
				s.barH *= 0.8
			}
		}
		ex, ey := a.extent()
		a.cx = ex + rng.Float64()*(float64(W)-2*ex)
		a.cy = ey + rng.Float64()*(float64(H)-2*ey)
		if b == nil {
			placed = []*advSym{a}
			break
		}
		aw, ah := a.size()
		bw, bh := b.size()
		gap := []float64{0, 2, 6, 12, 25, 50}[rng.Intn(6)]
		sgn := float64(1 - 2*rng.Intn(2))
		var u, v float64 // b's centre from a's, along and across
		if kind == "ean|c128" {
			u, v = sgn*((aw+bw)/2+gap), (rng.Float64()*2-1)*0.3*max(ah, bh)
		} else {
			u, v = (rng.Float64()*2-1)*aw/3, sgn*((ah+bh)/2+gap)
		}
		c, sn := math.Cos(deg*math.Pi/180), math.Sin(deg*math.Pi/180)
		b.cx, b.cy = a.cx+c*u-sn*v, a.cy+sn*u+c*v
		bx, by := b.extent()
		if b.cx < bx || b.cy < by || b.cx > float64(W)-bx || b.cy > float64(H)-by {
			continue
		}
		placed = []*advSym{a, b}
		break
	}
	if placed == nil {
		placed = []*advSym{a}
	}
	return advRender(t, rng, seed, W, H, kind, placed)
}

// advDigitOn reports whether the point (mu, mv) in modules (mu along the
// code from its first module, mv down from 1.5 modules under the bars)
// is ink of the digits printed under an EAN-13: seven-segment glyphs 9
// modules high, the first left of the start guard, six under each half.
func advDigitOn(digits string, mu, mv float64) bool {
	if mv < 0 || mv >= 9 {
		return false
	}
	var x0 float64
	i := 0
	switch {
	case mu < 0:
		x0 = -7.5
	case mu >= 3 && mu < 45:
		i = 1 + int((mu-3)/7)
		x0 = 3 + float64(i-1)*7
	case mu >= 50 && mu < 92:
		i = 7 + int((mu-50)/7)
		x0 = 50 + float64(i-7)*7
	default:
		return false
	}
	if i >= len(digits) {
		return false
	}
	x := mu - x0 - 1 // the glyph: 5 modules wide, 9 high, strokes 1.2
	if x < 0 || x >= 5 {
		return false
	}
	segs := []string{"abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg", "abcdfg"}[digits[i]-'0']
	const t = 1.2
	for _, sg := range segs {
		switch sg {
		case 'a':
			if mv < t {
				return true
			}
		case 'g':
			if mv >= 4.5-t/2 && mv < 4.5+t/2 {
				return true
			}
		case 'd':
			if mv >= 9-t {
				return true
			}
		case 'b':
			if x >= 5-t && mv < 4.5 {
				return true
			}
		case 'c':
			if x >= 5-t && mv >= 4.5 {
				return true
			}
		case 'f':
			if x < t && mv < 4.5 {
				return true
			}
		case 'e':
			if x < t && mv >= 4.5 {
				return true
			}
		}
	}
	return false
}
