package ocr

import (
	"math"
	"strings"
)

// letterConfusions maps digits and signs Tesseract reads in place of
// capital letters.
var letterConfusions = map[byte]byte{'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '8': 'B', '6': 'G'}

// isCodeSep reports characters that separate the segments of an item code;
// OCR reads a printed dash as any of them.
func isCodeSep(c byte) bool { return c == '-' || c == '.' || c == '_' || c == ',' || c == '/' }

// codeSegments splits a code at its separators.
func codeSegments(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r < 128 && isCodeSep(byte(r)) })
}

func charClass(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return 'A'
	case c >= '0' && c <= '9':
		return '9'
	}
	return c
}

// harmoniseCodes checks every SKU against the pattern the document's codes
// share (a supplier prints one format, e.g. "A9999-AA" or "AA-99999"). The
// pattern is learnt per segment (the parts between dashes),
// segment length and position, where at least three codes reach the position
// and 75% agree on letter or digit; only segments that mix letters and
// digits are repaired. A character of the wrong class is mapped to its look-alike (O↔0,
// S↔5, …), a dash read as "." or "_" is restored, and the line is flagged for
// review: the pattern makes the repair likely, not certain. An all-digit
// code among EAN-13 barcodes is flagged as a probable misread barcode.
func harmoniseCodes(lines []Line) {
	type key struct{ seg, n, pos int }
	counts := map[key]map[byte]int{}
	reach := map[key]int{}
	var codes, seps int
	dashes := 0
	eans := 0
	for _, l := range lines {
		if l.SKU == "" {
			if l.Barcode != "" {
				eans++
			}
			continue
		}
		codes++
		for i := 0; i < len(l.SKU); i++ {
			if isCodeSep(l.SKU[i]) {
				seps++
				if l.SKU[i] == '-' {
					dashes++
				}
			}
		}
		for si, seg := range codeSegments(l.SKU) {
			for p := 0; p < len(seg); p++ {
				k := key{si, len(seg), p}
				if counts[k] == nil {
					counts[k] = map[byte]int{}
				}
				counts[k][charClass(seg[p])]++
				reach[k]++
			}
		}
	}
	want := func(k key) byte {
		n := reach[k]
		if n < 3 {
			return 0
		}
		for c, v := range counts[k] {
			if v*4 >= n*3 {
				return c
			}
		}
		return 0
	}
	havePattern := codes >= 3
	// fits reports whether every segment of a code has a length seen in at
	// least three codes and no character of the wrong class.
	fits := func(code string) bool {
		segs := codeSegments(code)
		for si, seg := range segs {
			if reach[key{si, len(seg), 0}] < 3 {
				return false
			}
			for p := 0; p < len(seg); p++ {
				if w := want(key{si, len(seg), p}); w != 0 && charClass(seg[p]) != w {
					return false
				}
			}
		}
		return len(segs) > 0
	}
	for i := range lines {
		l := &lines[i]
		if l.SKU == "" {
			continue
		}
		if l.altCode != "" {
			switch {
			case !fits(l.SKU) && fits(l.altCode):
				// Only the second reading fits the document's pattern: take
				// it (the line stays flagged).
				l.Problems = append(l.Problems, "item code "+l.SKU+" replaced by the second reading, which fits the document's code pattern")
				l.SKU = l.altCode
				l.NeedsReview = true
				continue
			case fits(l.altCode) || !havePattern:
				// Two plausible readings disagree.
				l.Problems = append(l.Problems, "second reading of the item code disagrees ("+l.altCode+")")
				l.NeedsReview = true
				l.Confidence, l.Fields.Code = math.Min(l.Confidence, 0.3), 0.3
			}
			// A second reading that does not fit the pattern is a garbled
			// crop: no evidence either way.
		}
		if eans > codes && allDigits(l.SKU) {
			l.NeedsReview = true
			l.Problems = append(l.Problems, "all-digit code among EAN-13 barcodes: probably a misread barcode")
			continue
		}
		b := []byte(l.SKU)
		changed, misfit := false, false
		seg, pos := 0, 0
		segs := codeSegments(string(b))
		for k := 0; k < len(b); k++ {
			if isCodeSep(b[k]) {
				if b[k] != '-' && dashes*4 >= seps*3 && seps > 0 {
					b[k], changed = '-', true
				}
				if pos > 0 {
					seg, pos = seg+1, 0
				}
				continue
			}
			if seg >= len(segs) {
				break
			}
			w := want(key{seg, len(segs[seg]), pos})
			pos++
			// Only a segment that mixes letters and digits is repaired: a
			// suffix like "02" among "BL", "RD" is a different code, not a
			// misread.
			if w == 0 || charClass(b[k]) == w || !mixed(segs[seg]) {
				continue
			}
			if w == '9' {
				if d, ok := digitConfusions[rune(b[k])]; ok {
					b[k], changed = byte(d), true
					continue
				}
			}
			if w == 'A' {
				if c, ok := letterConfusions[b[k]]; ok {
					b[k], changed = c, true
					continue
				}
			}
			misfit = true
		}
		switch {
		case misfit:
			l.NeedsReview = true
			l.Problems = append(l.Problems, "item code does not match the document's code pattern")
		case changed && l.altAgrees && alnum(l.SKU) == alnum(string(b)):
			// Only separators changed and both readings agree on the rest.
			l.Problems = append(l.Problems, "item code "+l.SKU+": dash restored")
			l.SKU = string(b)
		case changed:
			l.Problems = append(l.Problems, "item code "+l.SKU+" repaired to the document's code pattern")
			l.SKU = string(b)
			l.NeedsReview = true
		}
	}
}

// mixed reports whether s has both letters and digits.
func mixed(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0 &&
		strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
}
