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
	compact := strings.Join(strings.Fields(s), "")
	for _, re := range []*regexp.Regexp{reDateCJK, reDateYMD, reDateDMY} {
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
