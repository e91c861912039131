package ocr

import (
	"regexp"
	"strings"
)

// framedDate reads a labelled date whose parts were misread where the
// print around them confirms the form:
//   - a year-month-day date framed by 年, 月 and 日 whose month or day
//     holds a letter read for a digit ("2025 年 0O8 月 15 日": the frame
//     says which parts are numbers);
//   - a numeric date after a Date / 日期 label whose first separator was
//     read as 7 or 1 while the other separator, a slash, dash or dot,
//     was read ("05710/2024" for 05/10/2024, "2024/0317" for 2024/03/17):
//     two digits, one more, two digits, then the year after the other
//     separator (or the year first).
//
// Unconfirmed by any other field: the caller gives it a low confidence.
func framedDate(s string) (dateFound, bool) {
	if m := reFramedCJK.FindStringSubmatch(s); m != nil {
		mo, d := dateConfusions.Replace(m[2]), dateConfusions.Replace(m[3])
		if allDigits(mo) && allDigits(d) {
			if iso, ok := isoDate(m[1], mo, d); ok {
				return dateFound{iso: iso, text: m[1] + "年" + mo + "月" + d + "日"}, true
			}
		}
	}
	end := dateLabelEnd(s)
	if end < 0 {
		return dateFound{}, false
	}
	compact := strings.TrimLeft(strings.Join(strings.Fields(s[end:]), ""), ":：")
	for _, re := range reSepAsDigit {
		if m := re.FindStringSubmatch(compact); m != nil {
			g := func(name string) string { return m[re.SubexpIndex(name)] }
			return findDate(g("a")+g("sep")+g("b")+g("sep")+g("c"), true)
		}
	}
	return dateFound{}, false
}

var (
	reFramedCJK = regexp.MustCompile(`(\d{4})\s*年\s*([0-9OoDQIl|SZ]{1,3})\s*月\s*([0-9OoDQIl|SZ]{1,3})\s*日`)
	// One separator read as 7 or 1, the other read: day first or year
	// first, the first or the second separator misread; the parts a, b,
	// c in print order and the separator read.
	reSepAsDigit = []*regexp.Regexp{
		regexp.MustCompile(`^(?P<a>\d{2})[71](?P<b>\d{2})(?P<sep>[/.-])(?P<c>\d{4})(?:\D|$)`),
		regexp.MustCompile(`^(?P<a>\d{2})(?P<sep>[/.-])(?P<b>\d{2})[71](?P<c>\d{4})(?:\D|$)`),
		regexp.MustCompile(`^(?P<a>\d{4})[71](?P<b>\d{2})(?P<sep>[/.-])(?P<c>\d{2})(?:\D|$)`),
		regexp.MustCompile(`^(?P<a>\d{4})(?P<sep>[/.-])(?P<b>\d{2})[71](?P<c>\d{2})(?:\D|$)`),
	}
)

// dateLabelEnd is the byte offset just past a line's last date label (DATE
// in any case, else 日期 or 日 期), or -1 when the line names none.
func dateLabelEnd(s string) int {
	if i := strings.LastIndex(asciiUpper(s), "DATE"); i >= 0 {
		return i + len("DATE")
	}
	for _, l := range []string{"日期", "日 期"} {
		if i := strings.LastIndex(s, l); i >= 0 {
			return i + len(l)
		}
	}
	return -1
}
