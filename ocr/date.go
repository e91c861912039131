package ocr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const monthRe = `(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?`

var (
	reDateCJK = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日`)
	reDateYMD = regexp.MustCompile(`(?:^|\D)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\D|$)`)
	reDateDMY = regexp.MustCompile(`(?:^|[^\d.,])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[^\d.,]|[.,]\D|[.,]?$)`)
	// 05-MAR-24, 19 APR 2018, 02Feb'15, 5th March 2024.
	reDateDMonY = regexp.MustCompile(`(?i)(?:^|[^\d])(\d{1,2})(?:ST|ND|RD|TH)?[\s\-/.]*` + monthRe + `[\s\-/.,']*(\d{4}|\d{2})(?:\D|$)`)
	// Mar 5, 2024; Feb11.2012; MARCH 5 2024.
	reDateMonDY = regexp.MustCompile(`(?i)(?:^|[^A-Z])` + monthRe + `[\s\-/.]*(\d{1,2})(?:ST|ND|RD|TH)?[\s,.\-/']+(\d{4}|\d{2})(?:\D|$)`)
)

var monthNum = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}

// dateFound is a date read from a text.
type dateFound struct {
	iso, text string
	// ambiguous: numeric day and month both 12 or under and different, so
	// the other order is also a valid date.
	ambiguous bool
	// repaired: a letter glued before the date read as the digit it
	// stands for (gluedDigitBefore): unconfirmed.
	repaired bool
}

// ParseDate finds a date in s and returns it in ISO form (yyyy-mm-dd)
// together with the matched text (spaces removed). It understands
// yyyy年m月d日 (spaces between the parts are ignored), yyyy-mm-dd,
// yyyy/mm/dd, dd/mm/yyyy, dd-mm-yy, dd.mm.yyyy, 05-MAR-24, 19 Apr 2018,
// Mar 5, 2024 and Feb11.2012. Numeric dates are read day first, as in
// Hong Kong and Macau, unless only month first is valid.
func ParseDate(s string) (iso, matched string, ok bool) {
	d, ok := findDate(s, true)
	return d.iso, d.text, ok
}

// findDate is ParseDate with the order of numeric dates chosen by
// dayFirst, reporting whether the other order would also be valid.
func findDate(s string, dayFirst bool) (dateFound, bool) {
	if d, ok := findDateAsRead(unglueTime(s), dayFirst); ok {
		return d, true
	}
	// "05 / 03 / 2024", "2024- 03-05": spaces read round the separators.
	// Only a four-digit year vouches for numbers joined this way.
	if j := joinDateSeparators(s); j != s {
		if d, ok := findDateAsRead(j, dayFirst); ok && reYear4.MatchString(d.text) {
			return d, true
		}
	}
	// "0CT 12, 2016", "12-N0V-2016": a month's letter read as a digit.
	if gluedDigits {
		if r := monthDigitsRepaired(s); r != "" {
			if d, ok := findDateAsRead(unglueTime(r), dayFirst); ok {
				d.repaired = true
				return d, true
			}
		}
	}
	// "12,03,2018", "12:03/2018": a separator misread as a comma, colon or
	// semicolon; only before a four-digit year.
	// Day and month of two digits each (not an amount with a decimal
	// comma, "1,25"), and not two colons (a time).
	if m := reDateOddSep.FindStringSubmatch(s); m != nil && !(m[2] == ":" && m[4] == ":") {
		if d, ok := findDateAsRead(m[1]+"/"+m[3]+"/"+m[5], dayFirst); ok {
			return d, true
		}
	}
	return dateFound{}, false
}

var reDateOddSep = regexp.MustCompile(`(?:^|[^\d.,:;])(\d{2}) ?([-/.,:;]) ?(\d{2}) ?([-/.,:;]) ?((?:19|20)\d\d)(?:[^\d.,]|[.,]?$)`)

var (
	// A date glued to the time after it: "05/03/202414:25", "2024-03-0509:42".
	// A two-digit year glued to the time ("12/03/1814:25") is tried when
	// no four-digit year reads.
	reDateTimeGlued = regexp.MustCompile(`(\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}[-/.]\d{1,2}[-/.]\d{2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2})(\d{1,2}:\d{2})`)
	reSpacedSep     = regexp.MustCompile(`(\d)\s*([/.\-])\s*(\d)`)
	reYear4         = regexp.MustCompile(`\d{4}`)
)

// unglueTime puts a space between a date and a time read glued to it.
func unglueTime(s string) string { return reDateTimeGlued.ReplaceAllString(s, "$1 $2") }

// joinDateSeparators removes the spaces round a date separator between
// two digits.
func joinDateSeparators(s string) string {
	for range 3 {
		j := reSpacedSep.ReplaceAllString(s, "$1$2$3")
		if j == s {
			break
		}
		s = j
	}
	return s
}

// findDateAsRead is findDate on the text as given.
func findDateAsRead(s string, dayFirst bool) (dateFound, bool) {
	compact := strings.Join(strings.Fields(s), "")
	if m := reDateCJK.FindStringSubmatch(compact); m != nil {
		if iso, ok := isoDate(m[1], m[2], m[3]); ok {
			return dateFound{iso: iso, text: m[0]}, true
		}
	}
	if m := reDateYMD.FindStringSubmatch(s); m != nil {
		if iso, ok := isoDate(m[1], m[2], m[3]); ok {
			return dateFound{iso: iso, text: m[1] + "-" + m[2] + "-" + m[3]}, true
		}
	}
	if m := reDateDMonY.FindStringSubmatch(s); m != nil {
		if iso, ok := isoDate(fullYear(m[3]), strconv.Itoa(monthNum[strings.ToUpper(m[2])]), m[1]); ok {
			return dateFound{iso: iso, text: strings.TrimSpace(m[0])}, true
		}
	}
	if m := reDateMonDY.FindStringSubmatch(s); m != nil {
		if iso, ok := isoDate(fullYear(m[3]), strconv.Itoa(monthNum[strings.ToUpper(m[1])]), m[2]); ok {
			return dateFound{iso: iso, text: strings.TrimSpace(m[0])}, true
		}
	}
	for _, ix := range reDateDMY.FindAllStringSubmatchIndex(s, -1) {
		m := []string{s[ix[0]:ix[1]], s[ix[2]:ix[3]], s[ix[4]:ix[5]], s[ix[6]:ix[7]]}
		repaired := false
		if d, glued := gluedDigitBefore(s, ix[2]); glued && len(m[1]) == 1 {
			// "l2/04/2016", "Z5/09/2016": the day's first digit read as
			// a letter; the date is the one with it, or none.
			m[1], repaired = d+m[1], true
		}
		if len(m[3]) == 2 && gluedDigits {
			// "17/04/20l7": a four-digit year with a digit read as a
			// letter, not the year 20 followed by a word.
			if e := ix[7]; e+1 < len(s) && s[e+1] >= '0' && s[e+1] <= '9' {
				if d, ok := confusedDigit(s[e]); ok {
					if e+2 < len(s) && s[e+2] >= '0' && s[e+2] <= '9' {
						continue
					}
					m[3], repaired = m[3]+d+s[e+1:e+2], true
				}
			}
		}
		a, b, y := m[1], m[2], fullYear(m[3])
		first, second := b, a // month, day when day first
		if !dayFirst {
			first, second = a, b
		}
		isoA, okA := isoDate(y, first, second)
		isoB, okB := isoDate(y, second, first)
		text := a + "/" + b + "/" + m[3]
		switch {
		case okA:
			return dateFound{iso: isoA, text: text, ambiguous: okB && isoA != isoB, repaired: repaired}, true
		case okB:
			return dateFound{iso: isoB, text: text, repaired: repaired}, true
		}
	}
	return dateFound{}, false
}

// gluedDigitBefore reports a letter Tesseract reads for a digit
// (dateConfusions) glued before position i of s and starting its word
// (not a word's last letter: "Sat5/09"), with the digit it stands for.
func gluedDigitBefore(s string, i int) (string, bool) {
	if !gluedDigits || i < 1 {
		return "", false
	}
	if c := s[i-1]; c == '|' || c == '!' || c == '@' {
		// A rule or a speck beside a one-digit day, as likely as a 1.
		return "", false
	}
	if d, ok := confusedDigit(s[i-1]); ok {
		if i >= 2 {
			p := s[i-2]
			if p >= 'A' && p <= 'Z' || p >= 'a' && p <= 'z' || p >= '0' && p <= '9' || p >= 0x80 {
				return "", false
			}
		}
		return d, true
	}
	return "", false
}

// confusedDigit is the digit a letter Tesseract reads for one stands for
// (dateConfusions), if any.
func confusedDigit(b byte) (string, bool) {
	if b >= 0x80 || b >= '0' && b <= '9' {
		return "", false
	}
	c := string(b)
	d := dateConfusions.Replace(c)
	if d == c || len(d) != 1 || d[0] < '0' || d[0] > '9' {
		return "", false
	}
	return d, true
}

// monthConfusions are the digits Tesseract reads for a month name's
// letters ("0CT", "N0V", "5EP", "AU6", "FE8").
var monthConfusions = strings.NewReplacer("0", "O", "5", "S", "6", "G", "8", "B")

var reMonthWord = regexp.MustCompile(`(?i)\b[A-Z0-9]{3,9}\b`)

// monthDigitsRepaired is s with every word that names a month once its
// digits are read as the letters they are confused with (monthConfusions)
// so spelled; "" when no word is.
func monthDigitsRepaired(s string) string {
	n := 0
	out := reMonthWord.ReplaceAllStringFunc(s, func(w string) string {
		if strings.IndexFunc(w, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 || strings.IndexFunc(w, func(r rune) bool { return r > '9' }) < 0 {
			return w
		}
		u := strings.ToUpper(monthConfusions.Replace(w))
		if _, ok := monthNum[u[:3]]; !ok {
			return w
		}
		n++
		return u
	})
	if n == 0 {
		return ""
	}
	return out
}

// gluedDigits turns gluedDigitBefore on (the default).
var gluedDigits = true

// fullYear reads a two-digit year as 20yy.
func fullYear(y string) string {
	if len(y) == 2 {
		return "20" + y
	}
	return y
}

func isoDate(y, m, d string) (string, bool) {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	if yi < 1990 || yi > 2100 || mi < 1 || mi > 12 || di < 1 || di > 31 {
		return "", false
	}
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Day() != di {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", yi, mi, di), true
}

var reDigitRuns = regexp.MustCompile(`\d+`)

// reGluedLetter is a letter Tesseract reads for a digit (dateConfusions,
// upper-cased) between a date separator or digit and a digit.
var reGluedLetter = regexp.MustCompile(`[/.\-0-9][OQDLIZSBG|!@][0-9]|[/.\-0-9][OQDLIZSBG|!@]$`)

// parseLabelledDate reads the date after a "Date"/"日期" label when the
// separators were misread ("Date: 20234F 10 23A" for 2023年10月23日): a
// leading four-digit year followed by month and day numbers. The result is
// unconfirmed and gets a low confidence.
func parseLabelledDate(s string) (string, bool) {
	u := strings.ToUpper(s)
	i := strings.LastIndex(u, "DATE")
	if i < 0 {
		return "", false
	}
	tail := u[i:]
	if gluedDigits {
		// "Date: 2016/04/l2": a letter between digits or separators is a
		// digit misread, not a separator ("2016-04-2").
		tail = reGluedLetter.ReplaceAllStringFunc(tail, func(g string) string {
			c := g[1:2]
			if c == "L" {
				c = "1"
			}
			return g[:1] + dateConfusions.Replace(c) + g[2:]
		})
	}
	runs := reDigitRuns.FindAllString(tail, 4)
	if len(runs) < 3 || len(runs[0]) < 4 {
		return "", false
	}
	y := runs[0][:4]
	rest := runs[1:]
	if len(runs[0]) > 4 && len(runs[0]) <= 6 && len(runs) == 3 {
		// "20234F": the 年 read as a digit and a letter.
		rest = runs[1:3]
	}
	return isoDate(y, rest[0], rest[1])
}
