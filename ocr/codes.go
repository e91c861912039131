package ocr

import "strings"

// letterConfusions maps digits and signs Tesseract reads in place of
// capital letters.
var letterConfusions = map[byte]byte{'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '8': 'B', '6': 'G'}

// codeClass is the character class of a code position: 'A' letter, '9'
// digit, or the character itself for separators.
func codeClass(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return 'A'
	case c >= '0' && c <= '9':
		return '9'
	case c == '.' || c == '_' || c == ',':
		return '-' // read for a dash
	}
	return c
}

// harmoniseCodes checks every SKU against the pattern the document's codes
// share (a supplier prints one format, e.g. "A9999-AA" or "AA-99999"). A
// character of the wrong class is mapped to its look-alike (O↔0, S↔5, "." →
// "-", …) and the line is flagged for review: the pattern makes the repair
// likely, not certain. A code that cannot be made to fit, or an all-digit
// code whose length differs from the document's barcodes, is flagged too.
func harmoniseCodes(lines []Line) {
	var codes []string
	eans := 0
	for _, l := range lines {
		if l.SKU != "" {
			codes = append(codes, l.SKU)
		} else if l.Barcode != "" {
			eans++
		}
	}
	// Majority class per position (left-aligned), where at least three codes
	// reach the position and 75% agree.
	var pattern []byte
	for i := 0; ; i++ {
		counts := map[byte]int{}
		n := 0
		for _, c := range codes {
			if i < len(c) {
				counts[codeClass(c[i])]++
				n++
			}
		}
		if n < 3 || n*2 < len(codes) {
			break
		}
		best, bc := byte(0), 0
		for k, v := range counts {
			if v > bc {
				best, bc = k, v
			}
		}
		if bc*4 < n*3 {
			best = 0 // no agreement
		}
		pattern = append(pattern, best)
	}
	for i := range lines {
		l := &lines[i]
		if l.SKU == "" {
			continue
		}
		if eans > len(codes) && allDigits(l.SKU) {
			l.NeedsReview = true
			l.Problems = append(l.Problems, "all-digit code among EAN-13 barcodes: probably a misread barcode")
			continue
		}
		b := []byte(l.SKU)
		changed, misfit := false, false
		for k := 0; k < len(b) && k < len(pattern); k++ {
			want := pattern[k]
			if want == 0 || codeClass(b[k]) == want {
				if want == '-' && b[k] != '-' {
					b[k], changed = '-', true
				}
				continue
			}
			switch {
			case want == '9':
				if d, ok := digitConfusions[rune(b[k])]; ok {
					b[k], changed = byte(d), true
					continue
				}
			case want == 'A':
				if c, ok := letterConfusions[b[k]]; ok {
					b[k], changed = c, true
					continue
				}
			case want == '-' && strings.IndexByte(".,_", b[k]) >= 0:
				b[k], changed = '-', true
				continue
			}
			misfit = true
		}
		switch {
		case misfit:
			l.NeedsReview = true
			l.Problems = append(l.Problems, "item code does not match the document's code pattern")
		case changed:
			l.Problems = append(l.Problems, "item code "+l.SKU+" repaired to the document's code pattern")
			l.SKU = string(b)
			l.NeedsReview = true
		}
	}
}
