package ocr

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// reDashCode is an item code of a letter prefix, a dash and digits
// ("SKU-000317").
var reDashCode = regexp.MustCompile(`^([A-Z]{2,4})-(\d{4,8})$`)

// codeDashes are the marks a code's dash is read as.
const codeDashes = "-~—–_."

// prefixLookAlike maps the characters OCR reads for a code prefix's
// capitals to them.
var prefixLookAlike = strings.NewReplacer("$", "S", "5", "S", "0", "O", "8", "B", "1", "I", "|", "I")

// codesFromPrefix gives back the item code of a line whose code's prefix
// was misread ("$0U-000025", "sxt-000353", "SkU-000118" for SKU-…) where
// the document's other lines confirm the code's form: at least three
// lines, and half of those with a code, read codes of one prefix, a dash
// and a fixed number of digits. The line's description holds a word (the
// code's cell read into it) of a prefix as long as theirs (one letter more
// or less) sharing one of its letters in place, one of the dashes, and
// that many digits (at most two read as a look-alike letter). A code read
// exactly but left in a line's description counts toward the form (the
// code column's title misread, no line has a code of its own). The code is
// taken out of the description. A code read with such a prefix gets the
// others' prefix; a repaired code flags its line and the document (it
// names the item, but no check digit confirms it). It returns the number
// of codes recovered.
func codesFromPrefix(doc *Document) int {
	lines := doc.Lines
	type form struct {
		prefix string
		digits int
	}
	counts := map[form]int{}
	coded := 0
	for _, l := range lines {
		if l.SKU == "" && l.Barcode == "" {
			// A code read exactly but left in the description (the
			// code column's title misread, so no column took it)
			// counts toward the form as a code would.
			if m := descDashCode(l.Description); m != nil {
				coded++
				counts[form{m[1], len(m[2])}]++
			}
			continue
		}
		coded++
		if m := reDashCode.FindStringSubmatch(l.SKU); m != nil {
			counts[form{m[1], len(m[2])}]++
		}
	}
	var f form
	best := 0
	for k, n := range counts {
		if n > best || n == best && k.prefix < f.prefix {
			f, best = k, n
		}
	}
	if best < 3 || 2*best < coded {
		return 0
	}
	found := 0
	for i := range lines {
		l := &lines[i]
		if l.Barcode != "" {
			continue
		}
		if l.SKU != "" {
			// A code read with its prefix misread ("SKD-000683",
			// "5SKU-000593"): the prefix is the others'.
			if m := reDashCode.FindStringSubmatch(l.SKU); m != nil && m[1] == f.prefix {
				continue
			}
			if code, _, ok := misreadPrefixCode(l.SKU, f.prefix, f.digits); ok {
				l.SKU = code
				l.NeedsReview, doc.NeedsReview = true, true
				l.Problems = append(l.Problems, "item code's prefix misread: read as the other lines' codes'")
				found++
			}
			continue
		}
		words := strings.Fields(l.Description)
		for wi, w := range words {
			code, exact, ok := misreadPrefixCode(w, f.prefix, f.digits)
			if !ok {
				continue
			}
			l.SKU = code
			l.Description = strings.Join(append(append([]string(nil), words[:wi]...), words[wi+1:]...), " ")
			if !exact {
				l.NeedsReview, doc.NeedsReview = true, true
				l.Problems = append(l.Problems, "item code read from a misread code, in the form of the other lines' codes")
			}
			found++
			break
		}
	}
	return found
}

// misreadPrefixCode reads w as a code of prefix, a dash and digits
// digits whose prefix or digits were misread (codesFromPrefix's test);
// exact when it was read as printed.
func misreadPrefixCode(w, prefix string, digits int) (code string, exact, ok bool) {
	w = strings.TrimLeft(w, "|[({‘'\"«“")
	w = strings.TrimRight(w, "|])}’'\"»”.,;:=")
	k := strings.LastIndexAny(w, codeDashes)
	if k <= 0 {
		return "", false, false
	}
	dash, size := utf8.DecodeRuneInString(w[k:])
	head, body := w[:k], w[k+size:]
	mb, n := mapConfusions(body)
	if len(mb) != digits || !allDigits(mb) || n > 2 {
		return "", false, false
	}
	h := prefixLookAlike.Replace(strings.ToUpper(head))
	if len(h) < len(prefix)-1 || len(h) > len(prefix)+1 || strings.IndexFunc(h, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "", false, false
	}
	same := strings.HasSuffix(h, prefix)
	for j := 0; j < len(h) && j < len(prefix) && !same; j++ {
		same = h[j] == prefix[j]
	}
	if !same {
		return "", false, false
	}
	return prefix + "-" + mb, head == prefix && n == 0 && dash == '-', true
}

// descDashCode gives the first word of desc read exactly as a dash code
// (reDashCode's submatches), or nil.
func descDashCode(desc string) []string {
	for _, w := range strings.Fields(desc) {
		w = strings.Trim(w, "|[](){}'\".,;:")
		if m := reDashCode.FindStringSubmatch(w); m != nil {
			return m
		}
	}
	return nil
}
