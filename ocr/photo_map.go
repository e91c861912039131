package ocr

// photoMap is the way back from a preprocessed page to the photo it was
// cut from (preprocess): the photo's grey plane, as warped (after any
// ink dropped), and the homographies the page went through, the
// photo's first. A point of the page maps to the photo through them
// last to first.
type photoMap struct {
	g    *grayImg
	back []homography
}

// at maps a page point (pixel coordinates, pixel centres on integers,
// as bilinear takes them) to the photo.
func (m *photoMap) at(x, y float64) (float64, float64) {
	for i := len(m.back) - 1; i >= 0; i-- {
		h := m.back[i]
		fx, fy := x+0.5, y+0.5
		z := h[6]*fx + h[7]*fy + h[8]
		x = (h[0]*fx+h[1]*fy+h[2])/z - 0.5
		y = (h[3]*fx+h[4]*fy+h[5])/z - 0.5
	}
	return x, y
}

// sample is the photo's grey level at a page point, white off the photo.
func (m *photoMap) sample(x, y float64) float64 {
	u, v := m.at(x, y)
	if u < 0 || v < 0 || u > float64(m.g.w-1) || v > float64(m.g.h-1) {
		return 255
	}
	return bilinear(m.g, u, v)
}
