package scan

import (
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// TestQRSkipExact: wherever qrMayFind says gozxing's QR finder cannot
// confirm a centre, it confirms none and gozxing's QR reader reads nothing: the tune photos'
// working views and the windows decode2D decodes in them (halves and
// thirds at half steps), both binarizations, with and without TRY_HARDER.
// And it leaves the reader out of most windows of the photos without a
// QR Code (the saving; fails with a qrMayFind that always says yes).
func TestQRSkipExact(t *testing.T) {
	var windows, skipped, reads, centred, noQR, noQRSkipped int
	for i, p := range tunePhotos(t) {
		if testing.Short() && i%3 != 0 {
			continue
		}
		g := photoGray(t, p.path)
		work := g.shrink((max(g.w, g.h) + 1599) / 1600)
		src := newLumSource(work)
		type win struct{ x, y, w, h int }
		wins := []win{{0, 0, work.w, work.h}}
		for _, parts := range []int{2, 3} {
			tw, th := work.w/parts, work.h/parts
			if tw < 64 || th < 64 {
				break
			}
			for ty := 0; ty < 2*parts-1; ty++ {
				for tx := 0; tx < 2*parts-1; tx++ {
					x0, y0 := tx*tw/2, ty*th/2
					wins = append(wins, win{x0, y0, min(tw, work.w-x0), min(th, work.h-y0)})
				}
			}
		}
		for _, w := range wins {
			sub, err := src.Crop(w.x, w.y, w.w, w.h)
			if err != nil {
				t.Fatal(err)
			}
			ls := sub.(*lumSource)
			for _, global := range []bool{false, true} {
				for _, hints := range []map[gozxing.DecodeHintType]interface{}{nil, tryHarder} {
					bmp, err := gozxing.NewBinaryBitmap(newBinarizer(ls, global))
					if err != nil {
						t.Fatal(err)
					}
					m, err := bmp.GetBlackMatrix()
					if err != nil {
						continue
					}
					windows++
					may := qrMayFind(m, hints)
					// the claim itself: gozxing's finder confirms no centre
					f := detector.NewFinderPatternFinder(m, nil)
					f.Find(hints)
					if n := len(f.GetPossibleCenters()); n > 0 {
						centred++
						if !may {
							t.Errorf("%s window %v global=%v hints=%v: gozxing's finder has %d centres where qrMayFind says none", p.path, w, global, hints, n)
						}
					}
					res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
					if err == nil {
						reads++
						if !may {
							t.Errorf("%s window %v global=%v hints=%v: read %q where qrMayFind says no", p.path, w, global, hints, res.GetText())
						}
					}
					if !may {
						skipped++
					}
					if p.format != "QR_CODE" {
						noQR++
						if !may {
							noQRSkipped++
						}
					}
				}
			}
		}
	}
	t.Logf("%d windows, %d read, %d with a centre, %d left out; of the %d of photos without a QR Code, %d left out",
		windows, reads, centred, skipped, noQR, noQRSkipped)
	least := 100
	if testing.Short() { // a third of the photos
		least = 30
	}
	if reads < least {
		t.Errorf("only %d reads", reads)
	}
	if noQRSkipped < noQR/2 {
		t.Errorf("%d of %d windows of photos without a QR Code left out; want half at least", noQRSkipped, noQR)
	}
}
