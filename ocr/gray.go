package ocr

import (
	"image"
	"image/color"
)

// grayImg is an 8-bit grayscale plane with no stride padding; the internal
// representation every preprocessing step works on.
type grayImg struct {
	w, h int
	pix  []uint8
	// photo, on a preprocessed page, is the photo it was cut from and
	// the map back to it (nil: none kept, or the page is the photo).
	photo *photoMap
}

func newGray(w, h int) *grayImg { return &grayImg{w: w, h: h, pix: make([]uint8, w*h)} }

// toGray converts any image to a grayscale plane, using the luma plane of a
// YCbCr JPEG directly (no colour conversion).
func toGray(img image.Image) *grayImg {
	b := img.Bounds()
	g := newGray(b.Dx(), b.Dy())
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < g.h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*g.w:(y+1)*g.w], m.Y[off:off+g.w])
		}
	case *image.Gray:
		for y := 0; y < g.h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*g.w:(y+1)*g.w], m.Pix[off:off+g.w])
		}
	case *image.RGBA:
		for y := 0; y < g.h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := m.Pix[off : off+4*g.w]
			for x := 0; x < g.w; x++ {
				r, gg, bb := int(row[4*x]), int(row[4*x+1]), int(row[4*x+2])
				g.pix[y*g.w+x] = uint8((299*r + 587*gg + 114*bb + 500) / 1000)
			}
		}
	case *image.NRGBA:
		for y := 0; y < g.h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := m.Pix[off : off+4*g.w]
			for x := 0; x < g.w; x++ {
				r, gg, bb, a := int(row[4*x]), int(row[4*x+1]), int(row[4*x+2]), int(row[4*x+3])
				l := (299*r + 587*gg + 114*bb + 500) / 1000
				// Transparent pixels are laid over white.
				g.pix[y*g.w+x] = uint8((l*a + 255*(255-a)) / 255)
			}
		}
	default:
		for y := 0; y < g.h; y++ {
			for x := 0; x < g.w; x++ {
				c := color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray)
				g.pix[y*g.w+x] = c.Y
			}
		}
	}
	return g
}

// downsample averages f×f blocks.
func downsample(g *grayImg, f int) *grayImg {
	if f <= 1 {
		return g
	}
	d := newGray(g.w/f, g.h/f)
	for y := 0; y < d.h; y++ {
		for x := 0; x < d.w; x++ {
			s := 0
			for yy := y * f; yy < y*f+f; yy++ {
				row := g.pix[yy*g.w+x*f : yy*g.w+x*f+f]
				for _, v := range row {
					s += int(v)
				}
			}
			d.pix[y*d.w+x] = uint8(s / (f * f))
		}
	}
	return d
}

// otsu returns the threshold maximising between-class variance.
func otsu(pix []uint8) uint8 {
	var hist [256]int
	for _, v := range pix {
		hist[v]++
	}
	total := len(pix)
	sum := 0.0
	for i, c := range hist {
		sum += float64(i * c)
	}
	var sumB, wB float64
	best, thr := -1.0, 0
	for t := 0; t < 256; t++ {
		wB += float64(hist[t])
		if wB == 0 {
			continue
		}
		wF := float64(total) - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * hist[t])
		mB := sumB / wB
		mF := (sum - sumB) / wF
		v := wB * wF * (mB - mF) * (mB - mF)
		if v > best {
			best, thr = v, t
		}
	}
	return uint8(thr)
}

// pgm encodes the plane as a binary PGM, which Leptonica reads without any
// compression work (PNG encoding a page costs ~100 ms, PGM ~1 ms).
func (g *grayImg) pgm() []byte {
	hdr := []byte("P5\n" + itoa(g.w) + " " + itoa(g.h) + "\n255\n")
	out := make([]byte, 0, len(hdr)+len(g.pix))
	out = append(out, hdr...)
	return append(out, g.pix...)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// bmp encodes the plane as an 8-bit BMP with a grey palette: the format
// Tesseract is given. Leptonica reads a BMP's rows whole, where it reads
// a PGM byte by byte through a stream (pgm, the same pixels, cost ~2% of
// a page's CPU time on the real receipts).
func (g *grayImg) bmp() []byte {
	const hdr = 14 + 40 + 256*4
	stride := (g.w + 3) &^ 3
	size := hdr + stride*g.h
	out := make([]byte, size)
	le32 := func(at, v int) {
		out[at], out[at+1], out[at+2], out[at+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	out[0], out[1] = 'B', 'M'
	le32(2, size)
	le32(10, hdr)
	le32(14, 40)
	le32(18, g.w)
	le32(22, g.h) // positive: rows bottom-up
	out[26], out[28] = 1, 8
	le32(34, stride*g.h)
	le32(46, 256)
	for i := 0; i < 256; i++ {
		p := 54 + 4*i
		out[p], out[p+1], out[p+2] = byte(i), byte(i), byte(i)
	}
	for y := 0; y < g.h; y++ {
		copy(out[hdr+(g.h-1-y)*stride:], g.pix[y*g.w:(y+1)*g.w])
	}
	return out
}
