package ocr

// DescStats exposes describe to the external benchmarks: a description's
// mean word confidence, letters found, all letters and junk share.
func DescStats(desc string, pages []*Page) (meanConf float64, letters, allLetters int, junk float64) {
	st := describe(desc, pageWordConfs(pages))
	return st.meanConf, st.letters, st.allLet, st.junk
}

// PageRows returns a page's rows as Extract groups them, as text.
func PageRows(p *Page) []string {
	var out []string
	for _, r := range groupRows(p.Words) {
		out = append(out, r.text())
	}
	return out
}

// SetDewarp turns the straightening of curled lines (dewarp.go) on or
// off, for benchmarks that measure what it brings (OCR_DEWARP=1). It
// returns a function restoring the previous setting.
func SetDewarp(dewarp bool) (restore func()) {
	saved := defaultPrep.dewarp
	defaultPrep.dewarp = dewarp
	return func() { defaultPrep.dewarp = saved }
}
