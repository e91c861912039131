package ocr

import "math"

// strokeSkew is the smallest tilt measured on the strokes alone
// (textSkewAngle) that is undone when the projection of all dark pixels
// (skewAngle) finds the page level: a striped table top around a sheet
// not told apart from it pulls that measure to 0°. Set well above
// residualSkew so that curled receipts, where the two measures differ by
// a degree or so, are read as before.
const strokeSkew = 2.5

// residualTilt is the tilt left on a rectified page: skewAngle, or
// textSkewAngle when only that one finds a clear tilt (strokeSkew).
func residualTilt(g *grayImg) float64 {
	// Both measures work on the same reduced plane: reduce once.
	d := downsample(g, max(1, max(g.w, g.h)/800))
	a := skewAngleReduced(d)
	if math.Abs(a) >= residualSkew {
		return a
	}
	if t := textSkewAngleReduced(d); math.Abs(t) >= strokeSkew {
		return t
	}
	return a
}

// textSkewAngle is skewAngle measured on the strokes of the page only: a
// pixel counts when it is clearly darker than the brightest pixel around
// it (a small window, at most 800 pixels to the page's long side), so
// broad soft shading — a striped table top around a sheet that was not
// told apart from it, shadows, a curl — weighs nothing and only text and
// thin marks decide the angle. 0 when the page has too few strokes.
func textSkewAngle(g *grayImg) float64 {
	return textSkewAngleReduced(downsample(g, max(1, max(g.w, g.h)/800)))
}

// textSkewAngleReduced is textSkewAngle on the page already reduced to
// at most 800 pixels to its long side.
func textSkewAngleReduced(d *grayImg) float64 {
	loc := localMax(d, 3)
	var xs, ys []float64
	for y := 0; y < d.h; y++ {
		for x := 0; x < d.w; x++ {
			i := y*d.w + x
			if int(loc[i])-int(d.pix[i]) > 60 {
				xs = append(xs, float64(x))
				ys = append(ys, float64(y))
			}
		}
	}
	if len(xs) < 200 {
		return 0
	}
	return projectionSkew(xs, ys, d.w, d.h)
}

// localMax is the maximum of g over a (2r+1)² window around each pixel
// (separable: rows, then columns).
func localMax(g *grayImg, r int) []uint8 {
	tmp := make([]uint8, len(g.pix))
	out := make([]uint8, len(g.pix))
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		for x := 0; x < g.w; x++ {
			m := uint8(0)
			for k := max(0, x-r); k <= min(g.w-1, x+r); k++ {
				m = max(m, row[k])
			}
			tmp[y*g.w+x] = m
		}
	}
	// Columns row by row (the same maxima, in memory order).
	for y := 0; y < g.h; y++ {
		o := out[y*g.w : (y+1)*g.w]
		for k := max(0, y-r); k <= min(g.h-1, y+r); k++ {
			for x, v := range tmp[k*g.w : (k+1)*g.w] {
				o[x] = max(o[x], v)
			}
		}
	}
	return out
}

// projectionSkew returns the angle (degrees, −10…10, to 0.1°) that
// maximises the variance of the horizontal projection profile of the
// points (x, y) of a w×h image.
func projectionSkew(xs, ys []float64, w, h int) float64 {
	bins := make([]float64, 2*(w+h)+2)
	score := func(deg float64) float64 {
		s, c := math.Sincos(deg * math.Pi / 180)
		off := float64(w + h)
		clear(bins)
		for i := range xs {
			bins[int(-xs[i]*s+ys[i]*c+off)]++
		}
		v := 0.0
		for _, b := range bins {
			v += b * b
		}
		return v
	}
	best, bestS := 0.0, -1.0
	for a := -10.0; a <= 10; a += 0.5 {
		if s := score(a); s > bestS {
			best, bestS = a, s
		}
	}
	c := best
	for a := c - 0.5; a <= c+0.5; a += 0.1 {
		if s := score(a); s > bestS {
			best, bestS = a, s
		}
	}
	return best
}
