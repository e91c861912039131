package ocr

import "strings"

// dateConfusions are the letters Tesseract reads for digits in a printed
// date ("O2/08/2016", "l2/O5/2O17", "@8/10/2017").
var dateConfusions = strings.NewReplacer("O", "0", "o", "0", "D", "0", "Q", "0", "@", "0",
	"l", "1", "I", "1", "i", "1", "|", "1", "!", "1", "S", "5", "s", "5", "B", "8", "Z", "2", "z", "2", "G", "6")

// noisyDate reads a numeric date with letters misread for digits: a word
// of 6 to 10 characters with two date separators whose letters all map
// to digits. It is tried only when no date was read as printed.
func noisyDate(s string) (dateFound, bool) {
	for _, f := range strings.Fields(s) {
		// "Date:O2/08/2016": the label glued to the date.
		if i := strings.LastIndexAny(f, ":："); i >= 0 {
			f = f[i+len(string([]rune(f[i:])[0])):]
		}
		f = strings.Trim(f, ".,;")
		if len(f) < 6 || len(f) > 10 || strings.Count(f, "/")+strings.Count(f, "-")+strings.Count(f, ".") != 2 {
			continue
		}
		m := dateConfusions.Replace(f)
		if m == f || strings.IndexFunc(m, func(r rune) bool { return (r < '0' || r > '9') && r != '/' && r != '-' && r != '.' }) >= 0 {
			continue
		}
		if d, ok := findDate(m, true); ok && plausibleDate(d.iso) {
			return d, true
		}
	}
	return dateFound{}, false
}
