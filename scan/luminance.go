package scan

import (
	"errors"

	"github.com/makiuchi-d/gozxing"
)

// lumSource is a gozxing.LuminanceSource over a window of a gray plane. Rows
// and the full matrix are served straight from the plane without copying
// when possible.
type lumSource struct {
	gozxing.LuminanceSourceBase
	g         *gray
	left, top int
}

// newLumSource returns a luminance source over all of g.
func newLumSource(g *gray) *lumSource {
	return &lumSource{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: g.w, Height: g.h}, g: g}
}

// GetRow returns row y of the window.
func (s *lumSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.Height {
		return nil, errors.New("IllegalArgumentException: row outside the image")
	}
	o := (s.top+y)*s.g.w + s.left
	if len(row) < s.Width {
		row = make([]byte, s.Width)
	}
	copy(row, s.g.pix[o:o+s.Width])
	return row, nil
}

// GetMatrix returns the window's luminance, row-major; it is the plane itself
// when the window covers it all, and must not be modified.
func (s *lumSource) GetMatrix() []byte {
	if s.left == 0 && s.top == 0 && s.Width == s.g.w && s.Height == s.g.h {
		return s.g.pix
	}
	m := make([]byte, s.Width*s.Height)
	for y := 0; y < s.Height; y++ {
		o := (s.top+y)*s.g.w + s.left
		copy(m[y*s.Width:], s.g.pix[o:o+s.Width])
	}
	return m
}

// IsCropSupported reports true.
func (s *lumSource) IsCropSupported() bool { return true }

// Crop returns a window of this window.
func (s *lumSource) Crop(left, top, width, height int) (gozxing.LuminanceSource, error) {
	if left < 0 || top < 0 || width <= 0 || height <= 0 || left+width > s.Width || top+height > s.Height {
		return nil, errors.New("IllegalArgumentException: crop rectangle does not fit within image data")
	}
	return &lumSource{
		LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: width, Height: height},
		g:                   s.g, left: s.left + left, top: s.top + top,
	}, nil
}

// IsRotateSupported reports true.
func (s *lumSource) IsRotateSupported() bool { return true }

// RotateCounterClockwise returns the window rotated by 90° counter-clockwise.
func (s *lumSource) RotateCounterClockwise() (gozxing.LuminanceSource, error) {
	win := &gray{w: s.Width, h: s.Height, pix: s.GetMatrix()}
	return newLumSource(win.rotate90()), nil
}

// RotateCounterClockwise45 is not supported.
func (s *lumSource) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return nil, errors.New("UnsupportedOperationException: 45 degree rotation is not supported")
}

// Invert returns the window with black and white swapped.
func (s *lumSource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(s) }

// String renders the window as text (for debugging).
func (s *lumSource) String() string { return gozxing.LuminanceSourceString(s) }
