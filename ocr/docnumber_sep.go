package ocr

import "regexp"

// reYearNumberOddSep is a prefix/year/serial number one of whose
// separators was read as a mark no number prints between its parts
// ("INV=2025-2550" for INV-2025-2550): groups prefix, first separator,
// year, second separator, serial.
var reYearNumberOddSep = regexp.MustCompile(`^([A-Z]{1,4})([-/=~—–_,:])((?:19|20)\d\d)([-/=~—–_,:])(\d{3,})$`)

// oddSepDocNumber repairs a prefix/year/serial number whose one separator
// was read as =, ~, a long dash, _, a comma or a colon while the other was
// read as a slash or dash: the other says which separator was printed,
// and the year, the document date's, confirms the form. Otherwise n as
// read.
func oddSepDocNumber(n, date string) string {
	m := reYearNumberOddSep.FindStringSubmatch(n)
	if m == nil || len(date) < 4 || date[:4] != m[3] {
		return n
	}
	plain := func(s string) bool { return s == "-" || s == "/" }
	switch {
	case plain(m[2]) && !plain(m[4]):
		return m[1] + m[2] + m[3] + m[2] + m[5]
	case plain(m[4]) && !plain(m[2]):
		return m[1] + m[4] + m[3] + m[4] + m[5]
	}
	return n
}
