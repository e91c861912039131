package ocr

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// renderRows draws each text on a white page at its baseline y, x = 20,
// in Go Regular of size px, and returns the page and each text's box.
func renderRows(tb testing.TB, w, h int, px float64, texts []string, ys []int) (*image.RGBA, []image.Rectangle) {
	tb.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		tb.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		tb.Fatal(err)
	}
	defer face.Close()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	var boxes []image.Rectangle
	for i, t := range texts {
		d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face, Dot: fixed.P(20, ys[i])}
		b, _ := d.BoundString(t)
		d.DrawString(t)
		boxes = append(boxes, image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil()))
	}
	return img, boxes
}

// TestCropLookTurnedPhoto: a page read turned (Turned = 1, its words in
// the turned page's coordinates) has its date row cut from the photo
// turned the same way: the crop of a rendered "Date:02/08/2016 15:59",
// read as garbage on the page, reads the date; the photo as it came
// (not turned) has no text there. With the date row labelled as an
// expiry ("EXP:02/08/2016 15:59") no date is taken.
func TestCropLookTurnedPhoto(t *testing.T) {
	defer withHeaderCrops(true)()
	e, err := NewEngine(Options{Workers: 1})
	if err != nil {
		t.Skip(err)
	}
	defer e.Close()
	for _, c := range []struct {
		row, want string
	}{
		{"Date:02/08/2016 15:59", "2016-08-02"},
		{"EXP:02/08/2016 15:59", ""},
	} {
		texts := []string{"SHOP NAME", c.row, "Bread 2.00", "Thank you"}
		up, boxes := renderRows(t, 420, 600, 14, texts, []int{40, 90, 300, 560})
		// The photo as it came: the upright page turned back a quarter.
		photo := Turn(up, 3)
		raw := &Page{Width: 420, Height: 600, Turned: 1}
		for i, tx := range []string{"SHOP NAME", "Oper. :stati 200 同 .", "Bread 2.00", "Thank you"} {
			raw.Words = append(raw.Words, Word{Text: tx, Box: boxes[i], Conf: 80})
		}
		var h Header
		if err := e.cropLook(context.Background(), photo, nil, raw, &h); err != nil {
			t.Fatal(err)
		}
		if h.Date != c.want {
			t.Errorf("%q: date %q from the turned photo's crop, want %q", c.row, h.Date, c.want)
		}
	}
}
