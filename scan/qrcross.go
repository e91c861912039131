package scan

// crossRatio is gozxing's FinderPatternFinder_foundPatternCross (five
// run widths in the finder pattern's 1:1:3:1:1 ratio) in integers, for
// qrMayFind, which asks it of every window of five runs on the rows it
// walks. gozxing's test, with T the total and m = T/7 in float64: every
// width c nonzero, T >= 7, |m - c| < m/2 for the four outer ones and
// |3m - c| < 3m/2 for the middle. Mathematically that is 14c in (T, 3T)
// and 14c in (3T, 9T): strict, so c > 0 follows from T >= 7. Float64
// gives the same answer: away from a tie the two sides differ by at least
// 1/14 while the rounding errors are below T·2^-52; at a tie (14c = T or
// 3T, 14c = 3T or 9T) 14 divides T, so m is an integer, every operand and
// result exact, and gozxing's strict < is false as here.
// TestCrossRatioExact compares the two on every five widths up to 24 and
// random wider ones.
func crossRatio(c *[5]int) bool {
	t := c[0] + c[1] + c[2] + c[3] + c[4]
	if t < 7 {
		return false
	}
	in := func(v, lo, hi int) bool { return v > lo && v < hi }
	return in(14*c[0], t, 3*t) && in(14*c[1], t, 3*t) && in(14*c[2], 3*t, 9*t) &&
		in(14*c[3], t, 3*t) && in(14*c[4], t, 3*t)
}
