package scan

import (
	"image"
	"image/color"
)

// gray is an 8-bit luminance plane: 0 black, 255 white.
type gray struct {
	w, h int
	pix  []byte // len w*h, row-major
	// blocks caches hybridMatrix's block statistics (blockStats), by
	// the phase of the blocks' grid (blockPhases); the plane must not be
	// modified once it is used.
	blocks []int16
	phases *[64][]int16
}

// toGray converts img to luminance once, with fast paths for the types the
// standard decoders return, so no per-pixel interface call is made for
// JPEG (YCbCr, Gray, CMYK), PNG (Gray, Gray16, NRGBA, NRGBA64, RGBA,
// RGBA64, Paletted), GIF (Paletted) or WebP (YCbCr, NYCbCrA).
func toGray(img image.Image) *gray {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	g := &gray{w: w, h: h}
	switch img.(type) {
	case *image.YCbCr, *image.Gray: // allocated in their cases, if at all
	default:
		g.pix = make([]byte, w*h)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		g.pix = planeToGray(m.Y, m.YStride, m.YOffset(r.Min.X, r.Min.Y), w, h) // the luma plane is the gray image
	case *image.NYCbCrA:
		for y := 0; y < h; y++ {
			yo := m.YOffset(r.Min.X, r.Min.Y+y)
			ao := m.AOffset(r.Min.X, r.Min.Y+y)
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = overWhite(m.Y[yo+x], m.A[ao+x])
			}
		}
	case *image.Gray:
		g.pix = planeToGray(m.Pix, m.Stride, m.PixOffset(r.Min.X, r.Min.Y), w, h)
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				dst[x] = overWhite(lum(p[0], p[1], p[2]), p[3])
			}
		}
	case *image.RGBA: // premultiplied: add the white background's share
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				dst[x] = byte(min(255, int(lum(p[0], p[1], p[2]))+255-int(p[3])))
			}
		}
	case *image.Paletted:
		var table [256]byte
		for i, c := range m.Palette {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			table[i] = overWhite(lum(n.R, n.G, n.B), n.A)
		}
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = table[src[x]]
			}
		}
	case *image.Gray16: // 16-bit PNG: the high byte
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = src[2*x]
			}
		}
	case *image.NRGBA64:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[8*x : 8*x+8 : 8*x+8]
				dst[x] = overWhite(lum(p[0], p[2], p[4]), p[6])
			}
		}
	case *image.RGBA64:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[8*x : 8*x+8 : 8*x+8]
				dst[x] = byte(min(255, int(lum(p[0], p[2], p[4]))+255-int(p[6])))
			}
		}
	case *image.CMYK: // Adobe CMYK JPEG
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				k := 255 - uint32(p[3])
				dst[x] = lum(byte((255-uint32(p[0]))*k/255), byte((255-uint32(p[1]))*k/255), byte((255-uint32(p[2]))*k/255))
			}
		}
	default: // anything else: the slow generic path
		i := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				cr, cg, cb, ca := img.At(x, y).RGBA()
				l := (19595*cr + 38470*cg + 7471*cb + 1<<15) >> 24
				g.pix[i] = byte((l*ca + (0xffff-ca)*255) / 0xffff)
				i++
			}
		}
	}
	return g
}

// lum is the Rec. 601 luma of an sRGB pixel.
func lum(r, g, b byte) byte {
	return byte((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}

// overWhite composites luminance l with alpha a over a white background.
func overWhite(l, a byte) byte {
	return byte((uint32(l)*uint32(a) + 255*(255-uint32(a)) + 127) / 255)
}

// orient returns g transformed so that it shows upright according to the
// EXIF orientation o (1–8); g itself for 1 or an unknown value.
func (g *gray) orient(o int) *gray {
	if o <= 1 || o > 8 {
		return g
	}
	w, h := g.w, g.h
	nw, nh := w, h
	if o >= 5 {
		nw, nh = h, w
	}
	out := &gray{w: nw, h: nh, pix: make([]byte, len(g.pix))}
	for y := 0; y < h; y++ {
		row := g.pix[y*w : (y+1)*w]
		for x, v := range row {
			var dx, dy int
			switch o {
			case 2: // mirror horizontal
				dx, dy = w-1-x, y
			case 3: // rotate 180
				dx, dy = w-1-x, h-1-y
			case 4: // mirror vertical
				dx, dy = x, h-1-y
			case 5: // transpose
				dx, dy = y, x
			case 6: // rotate 90 CW
				dx, dy = h-1-y, x
			case 7: // transverse
				dx, dy = h-1-y, w-1-x
			case 8: // rotate 90 CCW
				dx, dy = y, w-1-x
			}
			out.pix[dy*nw+dx] = v
		}
	}
	return out
}

// shrink returns g reduced by the integer factor k with a box filter (the
// mean of each k×k block; partial blocks at the edges are averaged too).
func (g *gray) shrink(k int) *gray {
	if k <= 1 {
		return g
	}
	if k == 2 && fastGrid {
		return g.shrink2() // the same pixels (fastgrid.go)
	}
	nw, nh := (g.w+k-1)/k, (g.h+k-1)/k
	out := &gray{w: nw, h: nh, pix: make([]byte, nw*nh)}
	acc := make([]uint32, g.w)
	for ny := 0; ny < nh; ny++ {
		clear(acc)
		y0, y1 := ny*k, min((ny+1)*k, g.h)
		for y := y0; y < y1; y++ {
			row := g.pix[y*g.w : (y+1)*g.w]
			for x, v := range row {
				acc[x] += uint32(v)
			}
		}
		rows := uint32(y1 - y0)
		dst := out.pix[ny*nw : (ny+1)*nw]
		for nx := range dst {
			x0, x1 := nx*k, min((nx+1)*k, g.w)
			var s uint32
			for _, v := range acc[x0:x1] {
				s += v
			}
			n := rows * uint32(x1-x0)
			dst[nx] = byte((s + n/2) / n)
		}
	}
	return out
}

// rotate90 returns g rotated 90° counter-clockwise: pixel (x, y) moves to
// (y, w-1-x).
func (g *gray) rotate90() *gray {
	if fastGrid {
		return g.rotate90Tiled() // the same pixels (fastgrid.go)
	}
	out := &gray{w: g.h, h: g.w, pix: make([]byte, len(g.pix))}
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		for x, v := range row {
			out.pix[(g.w-1-x)*out.w+y] = v
		}
	}
	return out
}

// mirror returns g flipped left to right: pixel (x, y) moves to (w-1-x, y).
func (g *gray) mirror() *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for y := 0; y < g.h; y++ {
		src, dst := g.pix[y*g.w:(y+1)*g.w], out.pix[y*g.w:(y+1)*g.w]
		for x, v := range src {
			dst[g.w-1-x] = v
		}
	}
	return out
}

// grow2 returns g enlarged twice with bilinear interpolation, which helps
// the 1D readers find bar edges in small photos with narrow modules.
func (g *gray) grow2() *gray {
	nw, nh := 2*g.w, 2*g.h
	out := &gray{w: nw, h: nh, pix: make([]byte, nw*nh)}
	for ny := 0; ny < nh; ny++ {
		// source coordinate of the output pixel centre: (n+0.5)/2-0.5
		var sy, fy int // source row and the weight of row sy+1, in quarters
		if ny%2 == 0 {
			fy = 3
			if ny == 0 {
				fy = 0
			}
			sy = max(0, ny/2-1)
		} else {
			sy, fy = ny/2, 1
		}
		sy1 := min(sy+1, g.h-1)
		r0, r1 := g.pix[sy*g.w:(sy+1)*g.w], g.pix[sy1*g.w:(sy1+1)*g.w]
		dst := out.pix[ny*nw : (ny+1)*nw]
		for nx := range dst {
			var sx, fx int
			if nx%2 == 0 {
				sx, fx = max(0, nx/2-1), 3
				if nx == 0 {
					fx = 0
				}
			} else {
				sx, fx = nx/2, 1
			}
			sx1 := min(sx+1, g.w-1)
			top := int(r0[sx])*(4-fx) + int(r0[sx1])*fx
			bot := int(r1[sx])*(4-fx) + int(r1[sx1])*fx
			dst[nx] = byte((top*(4-fy) + bot*fy + 8) / 16)
		}
	}
	return out
}

// sharpen returns g with its horizontal detail enhanced (an unsharp mask
// along each row: the pixel plus k times its difference from the mean of
// its neighbourhood of radius r), which steepens the bar edges of slightly
// blurred 1D codes.
func (g *gray) sharpen(r, k int) *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	sums := make([]int32, g.w+1)
	for y := 0; y < g.h; y++ {
		line := g.pix[y*g.w : (y+1)*g.w]
		for x, v := range line {
			sums[x+1] = sums[x] + int32(v)
		}
		dst := out.pix[y*g.w : (y+1)*g.w]
		for x, v := range line {
			x0, x1 := max(0, x-r), min(g.w, x+r+1)
			mean := (sums[x1] - sums[x0]) / int32(x1-x0)
			dst[x] = byte(min(255, max(0, int32(v)+int32(k)*(int32(v)-mean))))
		}
	}
	return out
}

// planeToGray returns the w×h bytes of an 8-bit plane whose first row
// starts at off and whose rows are stride apart: the plane itself when it
// is exactly that (no copy), else a packed copy.
func planeToGray(pix []byte, stride, off, w, h int) []byte {
	if stride == w && off == 0 && len(pix) >= w*h {
		return pix[:w*h]
	}
	out := make([]byte, w*h)
	for y := 0; y < h; y++ {
		o := off + y*stride
		copy(out[y*w:(y+1)*w], pix[o:o+w])
	}
	return out
}
