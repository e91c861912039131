package ocr

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// trimSet holds the characters stripped from both ends of a word: table
// borders, quotes and punctuation Tesseract attaches to neighbouring words.
const trimSet = "|[]{}()\"'“”‘’`~_;:!*»«—–,。、=#"

func cleanWord(s string) string { return strings.Trim(strings.TrimSpace(s), trimSet) }

// moneyTrimSet is trimSet less its parentheses, commas and CJK marks
// (an amount keeps a negative "(12.00)" and a thousands comma): the marks
// cut from around a word read as an amount.
const moneyTrimSet = "|[]{}\"'“”‘’`~_;:!*»«—–=#"

// moneyWord is the word s as an amount is read from it.
func moneyWord(s string) string { return strings.Trim(strings.TrimSpace(s), moneyTrimSet) }

var (
	reSKUPrefixed = regexp.MustCompile(`^[A-Z]{1,4}-?[0-9A-Za-z]{3,10}$`)
	reSKUGeneric  = regexp.MustCompile(`^[A-Z0-9][A-Z0-9./-]{3,15}$`)
)

// itemID is a parsed item identifier.
type itemID struct {
	text     string
	ean      bool
	eanValid bool
	repaired bool
}

// readID recognises an item code: an EAN-13 (confusable letters mapped to
// digits only if the check digit then holds), an all-digit SKU of 4–12
// digits, or a letter-prefixed SKU such as "WC-10607".
func readID(s string) (itemID, bool) {
	if len(s) < 4 || len(s) > 16 {
		return itemID{}, false
	}
	m, n := mapConfusions(s)
	if len(m) == 13 && allDigits(m) {
		if validEAN13(m) {
			return itemID{text: m, ean: true, eanValid: true, repaired: n > 0}, true
		}
		if n == 0 {
			return itemID{text: m, ean: true}, true
		}
		return itemID{}, false
	}
	if allDigits(s) && len(s) >= 5 && len(s) <= 12 {
		return itemID{text: s}, true
	}
	// A digit code with a letter or two misread ("S07185"): mostly digits.
	if allDigits(m) && len(m) >= 5 && len(m) <= 12 && n*4 <= len(m) {
		return itemID{text: m, repaired: true}, true
	}
	if reSKUGeneric.MatchString(s) && countDigits(s) >= 3 && strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0 && !reSKUPrefixed.MatchString(s) {
		// Mixed codes such as "N6098-L" or "D0445-02": taken as read, there
		// is no check to confirm a repair.
		return itemID{text: s}, true
	}
	if reSKUPrefixed.MatchString(s) {
		i := strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' })
		if i <= 0 {
			return itemID{}, false
		}
		prefix, rest := s[:i], s[i:]
		dash := strings.HasPrefix(rest, "-")
		body := strings.TrimPrefix(rest, "-")
		mb, nb := mapConfusions(body)
		if !allDigits(mb) || (!dash && len(prefix) > 3) || len(mb) < 3 {
			return itemID{}, false
		}
		t := prefix + mb
		if dash {
			t = prefix + "-" + mb
		}
		return itemID{text: t, repaired: nb > 0}, true
	}
	return itemID{}, false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// numTok is a trailing numeric word of an item row.
type numTok struct {
	text string
	conf float64
	x    int // right edge
}

// rawItem is an item row before validation.
type rawItem struct {
	r      *row
	id     itemID
	idConf float64
	idAlt  string // second reading of the code's word, see Word.Alt
	// noCode is set for a row whose code could not be read.
	noCode bool
	// discCol is set when the table has a discount column.
	discCol bool
	nums    []numTok
	desc    []string
	unit    string
	// descW are the words desc was read from (the cell look re-reads
	// them).
	descW []Word
}

func isTimes(s string) bool {
	switch s {
	case "x", "X", "×", "*", "x:", "@":
		return true
	}
	return false
}

func isCJK(r rune) bool { return unicode.Is(unicode.Han, r) }

// parseItemRow splits a row into identifier, description, unit and trailing
// numbers. ok is false when the row has no item code.
func parseItemRow(r *row, maxNums int) (*rawItem, bool) {
	return parseRow(r, maxNums, false)
}

// parseCodelessRow accepts an item row whose code is unreadable when its
// numbers reconcile exactly as read (qty × unit price = amount): a line
// that is surely there must not vanish silently. The line is flagged.
func parseCodelessRow(r *row, maxNums int) (*rawItem, bool) {
	it, ok := parseRow(r, maxNums, true)
	if !ok || len(it.nums) < 3 {
		return nil, false
	}
	n := len(it.nums)
	s, ok := solve(it.nums[n-3].text, it.nums[n-2].text, it.nums[n-1].text)
	if !ok || s.cost > 0 {
		return nil, false
	}
	return it, true
}

func parseRow(r *row, maxNums int, codeless bool) (*rawItem, bool) {
	type ct struct {
		s string
		w Word
	}
	var toks []ct
	for _, w := range r.words {
		s := cleanWord(w.Text)
		if s == "" {
			continue
		}
		// "12x3.50": quantity and price run together on thermal receipts.
		if m := reQtyTimesPrice.FindStringSubmatch(s); m != nil {
			toks = append(toks, ct{m[1], w}, ct{"x", w}, ct{m[2], w})
			continue
		}
		toks = append(toks, ct{s, w})
	}
	if u := compactUpper(r); strings.Contains(u, "TEL") || strings.Contains(u, "電話") || strings.Contains(u, "FAX") || strings.Contains(u, "DATE") || strings.Contains(u, "日期") {
		return nil, false
	}
	it := &rawItem{r: r}
	idIdx := -1
	for i := 0; i < len(toks) && i < 4; i++ {
		if i == 3 && (len([]rune(toks[0].s)) > 2 || len([]rune(toks[1].s)) > 2 || !allDigits(toks[2].s)) {
			// Fourth only after margin specks and a line number
			// ("Br ae 16 SKU-000597 …").
			break
		}
		if id, ok := readIDToken(toks[i].s); ok {
			it.id, it.idConf, it.idAlt, idIdx = id, toks[i].w.Conf/100, toks[i].w.Alt, i
			break
		}
	}
	if idIdx < 0 && !codeless {
		return nil, false
	}
	if idIdx >= 0 && codeless {
		return nil, false
	}
	it.noCode = codeless
	end := len(toks)
	var nums []numTok
	skipped := 0
	// One number more than the columns is kept: a speck right of the table
	// can read as a digit, and buildLine tries both windows.
	for j := len(toks) - 1; j > idIdx && len(nums) <= maxNums; j-- {
		s := toks[j].s
		if isTimes(s) {
			end = j
			continue
		}
		s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "x"), "×"), "x")
		if !numericLike(s) {
			// Up to two short specks right of the numbers (a table border
			// read as a letter) are ignored.
			if len(nums) == 0 && skipped < 2 && len([]rune(s)) <= 2 {
				skipped++
				end = j
				continue
			}
			break
		}
		nums = append(nums, numTok{text: s, conf: toks[j].w.Conf / 100, x: toks[j].w.Box.Max.X})
		end = j
	}
	for i, j := 0, len(nums)-1; i < j; i, j = i+1, j-1 {
		nums[i], nums[j] = nums[j], nums[i]
	}
	// An item row has a barcode or at least two numbers; this keeps
	// telephone numbers and document numbers out.
	if !it.id.ean && len(nums) < 2 || codeless && len(nums) < 3 {
		return nil, false
	}
	it.nums = nums
	desc := toks[max(idIdx+1, 0):end]
	if codeless {
		// Leading specks (line number, rule remnants) are not description.
		for len(desc) > 0 && len([]rune(desc[0].s)) <= 4 && strings.IndexFunc(desc[0].s, isCJK) < 0 {
			desc = desc[1:]
		}
	}
	if n := len(desc); n > 0 {
		last := []rune(desc[n-1].s)
		if len(last) == 1 && isCJK(last[0]) {
			it.unit = desc[n-1].s
			desc = desc[:n-1]
		}
	}
	for _, d := range desc {
		it.desc = append(it.desc, d.s)
		if n := len(it.descW); n == 0 || it.descW[n-1] != d.w {
			it.descW = append(it.descW, d.w)
		}
	}
	return it, true
}

var reQtyTimesPrice = regexp.MustCompile(`^(\d{1,6})[x×X](\d[\d,]*\.\d\d)$`)

// readIDToken reads an item code from a word, ignoring the remnants of a
// removed column rule ("-H3181-S", "7__HK-61780"). Document numbers are
// not item codes.
func readIDToken(s string) (itemID, bool) {
	if i := strings.LastIndex(s, "__"); i >= 0 {
		s = s[i+2:]
	}
	s = strings.TrimLeft(s, "-_.")
	if _, isDoc := readDocNumber(s); isDoc {
		return itemID{}, false
	}
	if markedMoney(s) {
		return itemID{}, false
	}
	// Specks inside a code: quotes, and a dot before or after the dash.
	t := strings.NewReplacer("'", "", "’", "", "‘", "", "`", "", ".-", "-", "-.", "-").Replace(s)
	repaired := t != s
	// A code printed in capitals but read with a lower-case letter or a
	// currency sign for C or S ("€2510-BL", "$5432-L", "wc-07213").
	if countDigits(t) >= 3 && strings.ContainsAny(t, "-€$abcdefghijklmnopqrstuvwxyz") {
		u := strings.NewReplacer("€", "C", "$", "S").Replace(strings.ToUpper(t))
		if u != t && strings.Contains(t, "-") {
			repaired, t = true, u
		}
	}
	id, ok := readID(t)
	if ok && repaired {
		id.repaired = true
	}
	return id, ok
}

// joinText joins words with spaces, except between two CJK characters where
// Tesseract inserts spaces that are not in the print.
func joinText(words []string) string {
	var b strings.Builder
	var prev rune
	for i, w := range words {
		rs := []rune(w)
		if len(rs) == 0 {
			continue
		}
		if i > 0 && !(isCJK(prev) && isCJK(rs[0])) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		prev = rs[len(rs)-1]
	}
	return b.String()
}

// columns holds the typical right edges of the numeric columns, learnt from
// rows whose three numbers already reconcile.
type columns struct {
	qty, price, amount int
	ok                 bool
}

func learnColumns(items []*rawItem) columns {
	var q, p, a []int
	for _, it := range items {
		if len(it.nums) != 3 {
			continue
		}
		if _, ok := solve(it.nums[0].text, it.nums[1].text, it.nums[2].text); !ok {
			continue
		}
		q = append(q, it.nums[0].x)
		p = append(p, it.nums[1].x)
		a = append(a, it.nums[2].x)
	}
	if len(q) < 2 {
		return columns{}
	}
	return columns{median(q), median(p), median(a), true}
}

func median(v []int) int {
	s := append([]int(nil), v...)
	sort.Ints(s)
	return s[len(s)/2]
}

// reMoneyShape is an amount with two decimals ("1,677.60", "29.30").
var reMoneyShape = regexp.MustCompile(`^\d{1,3}(?:[,.]?\d{3})*[.,]\d{2}$`)

// markedMoney reports whether s is a currency mark, also one misread
// ("HKS"), before an amount with two decimals ("HK$29.30", "HKSI3.00"):
// money, never an item code.
func markedMoney(s string) bool {
	rest := stripMark(s)
	if rest == s {
		return false
	}
	m, n := mapConfusions(rest)
	return n <= 1 && reMoneyShape.MatchString(m)
}
