package ocr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	reDateCJK = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日`)
	reDateYMD = regexp.MustCompile(`(?:^|\D)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\D|$)`)
	reDateDMY = regexp.MustCompile(`(?:^|\D)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\D|$)`)
)

// ParseDate finds a date in s and returns it in ISO form (yyyy-mm-dd)
// together with the matched text (spaces removed). It understands
// yyyy年m月d日 (spaces between the parts are ignored), yyyy-mm-dd, yyyy/mm/dd
// and dd-mm-yyyy or dd/mm/yyyy. Day-first is preferred, as in Hong Kong and
// Macau; month-first is used only when the second number exceeds 12.
func ParseDate(s string) (iso, matched string, ok bool) {
	for _, re := range []*regexp.Regexp{reDateCJK, reDateYMD, reDateDMY} {
		// The CJK form is matched with spaces removed (Tesseract spaces the
		// characters out); numeric forms on the text as read, where a space
		// ends the number.
		compact := s
		if re == reDateCJK {
			compact = strings.Join(strings.Fields(s), "")
		}
		m := re.FindStringSubmatchIndex(compact)
		if m == nil {
			continue
		}
		a, b, c := compact[m[2]:m[3]], compact[m[4]:m[5]], compact[m[6]:m[7]]
		text := compact[m[2]:m[7]]
		if re == reDateCJK {
			text = compact[m[0]:m[1]]
		}
		y, mo, d := a, b, c
		if re == reDateDMY {
			y, mo, d = c, b, a
			if n, _ := strconv.Atoi(mo); n > 12 {
				mo, d = d, mo
			}
		}
		if iso, ok := isoDate(y, mo, d); ok {
			return iso, text, true
		}
	}
	return "", "", false
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
	runs := reDigitRuns.FindAllString(u[i:], 4)
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
