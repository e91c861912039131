package realtruth

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	// An amount with two decimals at the end of a line, optionally followed
	// by one short mark (a tax code such as "T" or "A").
	reNaiveAmount = regexp.MustCompile(`(-?[$€£¥]?\d{1,3}(?:,\d{3})+\.\d{2}|-?[$€£¥]?\d+\.\d{2})(?:\s+\S{1,2})?\s*$`)
	reNaiveAny    = regexp.MustCompile(`\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2}`)
	reNaiveDate   = regexp.MustCompile(`(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b`)
	reNaiveISO    = regexp.MustCompile(`(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})`)
	naiveTotal    = []string{"TOTAL", "AMOUNT DUE", "BALANCE", "合計", "總計", "總額", "應付", "實收"}
	naiveTax      = []string{"TAX", "GST", "VAT", "SST", "稅"}
)

// Naive reads a page's plain text (bare `tesseract --psm 6`) with the
// baseline's rules: every line ending in an amount that names no total or
// tax is an item (its text before the amount is the description); the
// largest amount on a line naming a total is the total; the first numeric
// date (day first, as in Hong Kong) is the date; the first line with four
// letters or more is the supplier.
func Naive(text string) Result {
	var r Result
	var best int64 = -1
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		up := strings.ToUpper(line)
		if r.Supplier == "" && letters(line) >= 4 {
			r.Supplier = line
		}
		if r.Date == "" {
			r.Date = naiveDate(line)
		}
		if containsAny(up, naiveTotal) {
			for _, m := range reNaiveAny.FindAllString(line, -1) {
				if v, ok := cents(m); ok && v > best {
					best = v
					r.Total = fmtCents(v)
				}
			}
			continue
		}
		if containsAny(up, naiveTax) {
			continue
		}
		m := reNaiveAmount.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		amt := strings.TrimLeft(line[m[2]:m[3]], "$€£¥")
		neg := strings.HasPrefix(amt, "-")
		v, ok := cents(strings.TrimLeft(amt, "-$€£¥"))
		if !ok {
			continue
		}
		if neg {
			v = -v
		}
		r.Lines = append(r.Lines, Line{Desc: strings.TrimSpace(line[:m[2]]), Amount: fmtCents(v)})
	}
	return r
}

func containsAny(s string, ks []string) bool {
	for _, k := range ks {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 0x2E80 {
			n++
		}
	}
	return n
}

func cents(s string) (int64, bool) {
	s = strings.ReplaceAll(s, ",", "")
	w, f, ok := strings.Cut(s, ".")
	if !ok || len(f) != 2 {
		return 0, false
	}
	wi, err1 := strconv.ParseInt(w, 10, 64)
	fi, err2 := strconv.ParseInt(f, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return wi*100 + fi, true
}

func fmtCents(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

func naiveDate(line string) string {
	if m := reNaiveISO.FindStringSubmatch(line); m != nil {
		return isoOf(m[1], m[2], m[3])
	}
	m := reNaiveDate.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	y := m[3]
	if len(y) == 2 {
		y = "20" + y
	}
	if iso := isoOf(y, m[2], m[1]); iso != "" {
		return iso
	}
	return isoOf(y, m[1], m[2])
}

func isoOf(y, m, d string) string {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	if yi < 1990 || yi > 2100 || mi < 1 || mi > 12 || di < 1 || di > 31 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", yi, mi, di)
}
