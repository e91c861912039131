package ocr

// DescStats exposes describe to the external benchmarks: a description's
// mean word confidence, letters found, all letters and junk share.
func DescStats(desc string, pages []*Page) (meanConf float64, letters, allLetters int, junk float64) {
	st := describe(desc, pageWordConfs(pages))
	return st.meanConf, st.letters, st.allLet, st.junk
}
