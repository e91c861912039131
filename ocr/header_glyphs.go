package ocr

import (
	"regexp"
	"slices"
	"strings"
)

// Header values whose characters were read as the glyphs they look like:
// a CJK date's 年 月 日 read as digits, a number's initial E read as £, a
// dash read as a point. Each repair needs the value's form (and, where
// there is one, another field) to confirm it.

// glyphDateDigits reads a labelled year-month-day date whose 年, 月 and
// 日 were all read as digits, as a monospaced CJK face prints them under
// blur: 年 as a 4 and at most one more digit, 月 as a 5 or an 8, 日 as an
// 8 ("Date: 20254712528" for 2025年12月2日, "日期: 202345028038" for
// 2023年02月03日). The run of digits after the label must end with the
// 日's digit and split into one date only: a month of one or two digits and a
// day of one or two, each followed by its frame's digit. Unconfirmed by
// another field: the caller gives it a low confidence.
func glyphDateDigits(s string) (dateFound, bool) {
	end := dateLabelEnd(s)
	if end < 0 {
		return dateFound{}, false
	}
	d := reDigitRuns.FindString(strings.Join(strings.Fields(strings.TrimLeft(strings.TrimSpace(s[end:]), ":：")), ""))
	if len(d) < 4+1+1+1+1+1 || len(d) > 4+2+2+1+2+1 {
		return dateFound{}, false
	}
	y, rest := d[:4], d[4:]
	if iso, ok := isoDate(y, "1", "1"); !ok || !plausibleDate(iso) {
		return dateFound{}, false
	}
	if rest[len(rest)-1] != '8' {
		return dateFound{}, false // 日 not read as its 8
	}
	rest = rest[:len(rest)-1]
	var found []dateFound
	for nl := 1; nl <= 2; nl++ { // 年: "4" or "4" and one more digit
		if len(rest) <= nl || rest[0] != '4' {
			continue
		}
		r := rest[nl:]
		for ml := 1; ml <= 2; ml++ {
			if len(r) < ml+1+1 || r[ml] != '5' && r[ml] != '8' {
				continue
			}
			m, day := r[:ml], r[ml+1:]
			if len(day) > 2 || ml == 2 && m[0] > '1' || len(day) == 2 && day[0] > '3' {
				continue
			}
			if iso, ok := isoDate(y, m, day); ok && !slices.ContainsFunc(found, func(f dateFound) bool { return f.iso == iso }) {
				found = append(found, dateFound{iso: iso, text: y + "年" + m + "月" + day + "日"})
			}
		}
	}
	if len(found) != 1 {
		return dateFound{}, false
	}
	return found[0], true
}

// reGlyphInitial is a number of one initial and five digits or more whose
// initial E was read as a pound sign ("£031012" for E031012) or whose
// capital was read as its small letter ("z085734" for Z085734). An l,
// i, o, b, g or q before digits is as likely a digit misread (1, 0, 6,
// 9: "l234567" for 1234567) as a capital, and is left as read.
var reGlyphInitial = regexp.MustCompile(`^([£ac-fhj-kmnprs-z])(\d{5,})$`)

// glyphInitial reads a document number's initial as the capital it was
// printed as: a pound sign before the digits is an E (a number is no
// amount, and £ is the only currency mark shaped like a capital E), a
// small letter its capital (numbers print their initials in capitals).
// Nothing else confirms it: readHeader lowers the number's confidence
// (glyphInitialConf).
func glyphInitial(n string) string {
	m := reGlyphInitial.FindStringSubmatch(n)
	switch {
	case m == nil:
		return n
	case m[1] == "£":
		return "E" + m[2]
	}
	return strings.ToUpper(m[1]) + m[2]
}

// undatedTypedPrefix is checkedDocNumber's prefix repair of a
// prefix-date-serial number ("1N230720-11" for IN230720-11) when no date
// was read to confirm its yymmdd: the prefix read with a letter among
// its digits must spell a prefix of the document's type, and its six
// digits a plausible date.
func undatedTypedPrefix(n, docType string) string {
	m := reDateSerial.FindStringSubmatch(n)
	if m == nil || strings.Trim(m[1], "$0123456789") == "" {
		return n
	}
	iso, ok := isoDate("20"+m[2][:2], m[2][2:4], m[2][4:])
	if !ok || !plausibleDate(iso) {
		return n
	}
	if p, ok := typedPrefix(m[1], docType); ok {
		return p + m[2] + m[3]
	}
	return n
}

// reYearSerialOddSep is a two-digit year and a serial whose dash was read
// as a point or another mark ("23.96257" for 23-96257).
var reYearSerialOddSep = regexp.MustCompile(`^(\d\d)[.,=~—–_:·](\d{4,6})$`)

// yearSerialSep repairs a year-serial number ("23-96257") whose dash was
// read as a point, comma or another mark when its two digits are the
// document date's year: the date confirms the form.
func yearSerialSep(n, date string) string {
	m := reYearSerialOddSep.FindStringSubmatch(n)
	if m == nil || len(date) < 4 || date[2:4] != m[1] {
		return n
	}
	return m[1] + "-" + m[2]
}

// shapedYearNumber reads, for shapedDocNumber, a prefix/year/serial
// value whose prefix was read with digits or a dollar sign ("$1/2023/7417"
// for SI/2023/7417) as repairDocNumber does: the year between two
// separators is the number's form, so its prefix is letters.
func shapedYearNumber(v string) string {
	if reYearNumber.MatchString(v) {
		return repairDocNumber(v)
	}
	return v
}

// glyphInitialConf is the highest confidence of a document number whose
// initial glyphInitial read as another character.
const glyphInitialConf = 0.4
