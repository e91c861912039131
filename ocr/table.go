package ocr

import (
	"fmt"
	"sort"
	"strings"
)

// This file reads an item table from its column titles, in any column
// order: the header row names the columns (zh-Hant, zh-Hans or English:
// 品名 貨品 Description Item; 數量 Qty Quantity; 單價 Unit Price @; 折扣
// Disc; 稅 Tax; 金額 Amount 小計 Total; 貨號 條碼 Code SKU; 單位 Unit), and
// every word of an item row goes to the column it lies under: numbers by
// their position against the titles (numbers line up under their column,
// whatever the order), words to the description unless they lie under the
// code or unit title. Rows without an amount are a description's other
// line (multi-line descriptions) or, when the next row has numbers and no
// words, the first line of a two-line item. Nothing here knows a layout;
// the checks (qty × price × (1 − discount) = amount, the lines' sum
// against the total) decide each line's confidence.

// colKind is what a table column holds.
type colKind int

const (
	colNone colKind = iota
	colNo
	colCode
	colDesc
	colQty
	colUnit
	colPrice
	colDisc
	colTax
	colAmount
)

func (k colKind) String() string {
	return [...]string{"none", "no", "code", "desc", "qty", "unit", "price", "disc", "tax", "amount"}[k]
}

// numeric reports whether the column holds numbers read by position.
func (k colKind) numeric() bool {
	return k == colQty || k == colPrice || k == colDisc || k == colTax || k == colAmount
}

// titleWords maps a column title (upper case, spaces removed) to its kind.
// Longer titles are matched first, so "UNITPRICE" is a price and
// "ITEMCODE" a code.
var titleWords = []struct {
	s string
	k colKind
}{
	{"UNITPRICE", colPrice}, {"U/PRICE", colPrice}, {"ITEMCODE", colCode}, {"ITEMNO", colCode}, {"PRODUCTCODE", colCode},
	{"LINETOTAL", colAmount}, {"NETAMOUNT", colAmount}, {"TAXAMOUNT", colTax},
	{"DESCRIPTION", colDesc}, {"PARTICULARS", colDesc}, {"PRODUCT", colDesc}, {"ARTICLE", colDesc},
	{"QUANTITY", colQty}, {"OTY", colQty}, {"0TY", colQty}, {"DESCRIPTON", colDesc}, {"DESCNPTION", colDesc}, {"AMOUNT", colAmount}, {"BARCODE", colCode}, {"DISCOUNT", colDisc},
	{"PRICE", colPrice}, {"TOTAL", colAmount}, {"DISC", colDisc}, {"CODE", colCode}, {"ITEM", colDesc},
	{"RATE", colPrice}, {"UNIT", colUnit}, {"QTY", colQty}, {"SKU", colCode}, {"EAN", colCode},
	{"AMT", colAmount}, {"TAX", colTax}, {"GST", colTax}, {"VAT", colTax}, {"SST", colTax},
	{"UOM", colUnit}, {"NO.", colNo}, {"NO", colNo}, {"#", colNo}, {"@", colPrice},
	// zh-Hant.
	{"貨品編號", colCode}, {"產品編號", colCode}, {"貨號", colCode}, {"編號", colCode}, {"條碼", colCode},
	{"品名", colDesc}, {"貨品", colDesc}, {"名稱", colDesc}, {"商品", colDesc}, {"描述", colDesc}, {"說明", colDesc},
	{"數量", colQty}, {"單位", colUnit}, {"單價", colPrice}, {"折扣", colDisc}, {"稅額", colTax}, {"稅", colTax},
	{"金額", colAmount}, {"小計", colAmount}, {"項目", colNo}, {"序號", colNo}, {"項次", colNo},
	// zh-Hans.
	{"货品编号", colCode}, {"货号", colCode}, {"编号", colCode}, {"条码", colCode}, {"货品", colDesc}, {"名称", colDesc},
	{"数量", colQty}, {"单位", colUnit}, {"单价", colPrice}, {"税额", colTax}, {"税", colTax}, {"金额", colAmount}, {"小计", colAmount},
	{"序号", colNo},
}

// titleKind returns the kind a header word names, colNone when none.
// Exact matches only for short Latin words (so "NO" is not "NOTE").
func titleKind(s string) colKind {
	u := strings.ToUpper(strings.Trim(s, trimSet+"（）："))
	if u == "" {
		return colNone
	}
	for _, t := range titleWords {
		if u == t.s {
			return t.k
		}
	}
	for _, t := range titleWords {
		if len([]rune(t.s)) >= 2 && strings.IndexFunc(t.s, isCJK) >= 0 && strings.Contains(u, t.s) {
			return t.k
		}
		if len(t.s) >= 4 && strings.HasPrefix(u, t.s) {
			return t.k
		}
	}
	return colNone
}

// tableCol is one column found from the titles: its kind and x-span.
type tableCol struct {
	kind        colKind
	left, right int
	// aligned: the span is the numbers' own (alignColumns), not the
	// title's; a number far from it is not the column's.
	aligned bool
}

// headerColumns reads the columns a row names. Two title words of one
// kind in a column (品名 over Description) are one column; "Unit" followed
// by "Price" is the price.
func headerColumns(rs []*row) []tableCol {
	var cols []tableCol
	for _, r := range rs {
		ws := joinCJKChars(r.words)
		for i := 0; i < len(ws); i++ {
			w := ws[i]
			k := titleKind(w.Text)
			box := w.Box
			if i+1 < len(ws) {
				// Two-word titles: "Unit Price", "Item Code", "Line Total".
				// A word naming nothing before a title of the pair's kind
				// ("(HKD) 條碼", the amount's currency before the code's
				// title) adds nothing to the title: joined, its box would
				// stretch the column over its neighbour's.
				pair := titleKind(w.Text + ws[i+1].Text)
				lone := k == colNone && titleKind(ws[i+1].Text) == pair
				if pair != colNone && !lone && (k == colNone || pair != k) && ws[i+1].Box.Min.X-w.Box.Max.X < w.Box.Dy() {
					k = pair
					box = box.Union(ws[i+1].Box)
					i++
				}
			}
			if k == colNone {
				continue
			}
			merged := false
			for j := range cols {
				c := &cols[j]
				if c.kind == k && box.Min.X <= c.right+box.Dy() && box.Max.X >= c.left-box.Dy() {
					c.left, c.right = min(c.left, box.Min.X), max(c.right, box.Max.X)
					merged = true
				}
			}
			if !merged {
				cols = append(cols, tableCol{kind: k, left: box.Min.X, right: box.Max.X})
			}
		}
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].left < cols[j].left })
	return cols
}

// joinCJKChars joins Chinese characters Tesseract read as words of their
// own ("品 名", "數 量") when they touch or nearly touch: a title is matched
// whole.
func joinCJKChars(ws []Word) []Word {
	var out []Word
	for _, w := range ws {
		if n := len(out); n > 0 {
			p := &out[n-1]
			pr, wr := []rune(p.Text), []rune(w.Text)
			if len(pr) > 0 && len(wr) > 0 && isCJK(pr[len(pr)-1]) && isCJK(wr[0]) && w.Box.Min.X-p.Box.Max.X < w.Box.Dy()/2 {
				p.Text += w.Text
				p.Box = p.Box.Union(w.Box)
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

// withAmountColumn adds the amount column when its title was not read
// (a misread 金額): the numbers right of the last numeric title are the
// amounts, as they are in every table that prints them.
func withAmountColumn(cols []tableCol, width int) []tableCol {
	right := -1
	for _, c := range cols {
		if c.kind == colAmount {
			return cols
		}
		right = max(right, c.right)
	}
	if right < 0 || right >= width {
		return cols
	}
	return append(cols, tableCol{kind: colAmount, left: right + 1, right: max(width, right+2)})
}

// usableHeader reports whether the columns make an item table: an amount
// and a price or a quantity (the description is then what is left of
// them), or an amount or a price among at least three kinds.
func usableHeader(cols []tableCol) bool {
	kinds := map[colKind]bool{}
	for _, c := range cols {
		kinds[c.kind] = true
	}
	return kinds[colAmount] && (kinds[colPrice] || kinds[colQty]) || (kinds[colAmount] || kinds[colPrice]) && len(kinds) >= 3
}

// findTableHeader returns the index of the header row and its columns
// (with the title row just below it, for titles printed in two
// languages on two lines); ok is false when no row names a table.
func findTableHeader(rows []*row) (start int, cols []tableCol, ok bool) {
	width := 0
	for _, r := range rows {
		width = max(width, r.rite)
	}
	for i, r := range rows {
		cs := headerColumns([]*row{r})
		// An unread amount title counts as the column right of the last
		// title (withAmountColumn) when the price's title was read.
		if !usableHeader(cs) && !(hasKind(cs, colPrice) && usableHeader(withAmountColumn(cs, width))) {
			continue
		}
		end := i + 1
		// The other language's titles on the next line.
		if i+1 < len(rows) {
			nx := rows[i+1]
			h := r.bot - r.top + 1
			if nx.midY()-r.midY() < 2*h && len(headerColumns([]*row{nx})) >= 2 && !rowHasAmount(nx) {
				cs = headerColumns([]*row{r, nx})
				end = i + 2
			}
		}
		return end, cs, true
	}
	return 0, nil, false
}

func hasKind(cols []tableCol, k colKind) bool {
	for _, c := range cols {
		if c.kind == k {
			return true
		}
	}
	return false
}

func rowHasAmount(r *row) bool {
	for _, w := range r.words {
		if _, ok := parseMoney(cleanWord(w.Text)); ok {
			return true
		}
	}
	return false
}

// tableRow is a row split into the table's columns.
type tableRow struct {
	r      *row
	desc   []string
	code   string
	codeW  Word // the code's word (its confidence and second reading)
	unit   string
	nums   map[colKind]string
	hasNum bool
	// descW are the words of desc (the cell look re-reads them).
	descW []Word
	// noise: the description's words were read under 40% confidence
	// (weighted by letters).
	noise bool
}

// splitRow assigns a row's words to the columns: numbers to the nearest
// numeric column (by the distance of the word to the title's span; one
// word per column, the nearer one kept, the other returned to the
// description), codes and units under their titles, the rest to the
// description.
func splitRow(r *row, cols []tableCol) tableRow {
	tr := tableRow{r: r, nums: map[colKind]string{}}
	type placed struct {
		i    int
		dist int
	}
	best := map[colKind]placed{}
	words := r.words
	kindOf := make([]colKind, len(words))
	texts := make([]string, len(words))
	dist := func(w Word, c tableCol) int {
		switch {
		case w.Box.Max.X < c.left:
			return c.left - w.Box.Max.X
		case w.Box.Min.X > c.right:
			return w.Box.Min.X - c.right
		}
		return 0
	}
	nearest := func(w Word, want func(colKind) bool) (tableCol, int, bool) {
		bd, found := 1<<30, false
		var bc tableCol
		for _, c := range cols {
			if !want(c.kind) {
				continue
			}
			// Ties (a word touching two spans) go to the column its
			// centre lies under.
			mid := (w.Box.Min.X + w.Box.Max.X) / 2
			if d := dist(w, c); d < bd || d == bd && mid >= c.left && mid <= c.right {
				bd, bc, found = d, c, true
			}
		}
		return bc, bd, found
	}
	// The table's extent: specks and the page's edge left of the first
	// title or right of the last (the background, a stamp's rim) are not
	// the row's words.
	lo, hi := cols[0].left, cols[0].right
	for _, c := range cols {
		lo, hi = min(lo, c.left), max(hi, c.right)
	}
	if !hasKind(cols, colDesc) {
		lo = 0 // the description's title unread: it is what lies left
	}
	for i, w := range words {
		s := strings.TrimRight(cleanWord(w.Text), "°º")
		texts[i] = s
		if s == "" || isCurrencyMark(s) {
			continue
		}
		if h := 2 * w.Box.Dy(); w.Box.Max.X < lo-h || w.Box.Min.X > hi+h {
			// An item code left of the titles read is kept (the code
			// column's title unread); other words there are not the row's.
			id, ok := readIDToken(s)
			if !ok || w.Box.Min.X > hi || hasKind(cols, colCode) || !strings.Contains(s, "-") && !id.ean {
				texts[i] = ""
				continue
			}
		}
		if id, ok := readIDToken(s); ok && id.ean && id.eanValid && !id.repaired && tr.code == "" {
			// A barcode (its check digit holds) is no amount, whichever
			// column it lies under (a code column printed last, untitled).
			tr.code, tr.codeW = s, w
			kindOf[i] = colCode
			continue
		}
		// The column whose title lies nearest, of any kind.
		any, _, _ := nearest(w, func(colKind) bool { return true })
		numLike := numericLike(s) || strings.HasSuffix(s, "%") && numericLike(strings.TrimSuffix(s, "%"))
		if m := reQtyUnit.FindStringSubmatch(strings.ToUpper(s)); m != nil && m[2] != "" && !numLike {
			// "10包", "12pcs": a quantity with its unit.
			if any.kind == colQty || any.kind == colUnit {
				texts[i] = m[1]
				if tr.unit == "" {
					tr.unit = strings.ToLower(m[2])
				}
				numLike = true
			}
		}
		if numLike && any.kind != colDesc && any.kind != colCode && any.kind != colNo {
			c, d, ok := nearest(w, colKind.numeric)
			if ok && c.aligned && d > 2*w.Box.Dy() {
				// Far from the column its numbers fill: a number of the
				// description ("x 5", "1.25L").
				ok = false
			}
			if ok && c.kind == any.kind {
				if b, seen := best[c.kind]; !seen || d < b.dist {
					if seen {
						kindOf[b.i] = colNone
					}
					best[c.kind] = placed{i, d}
					kindOf[i] = c.kind
				}
				continue
			}
		}
		switch any.kind {
		case colCode:
			// A rule's remnant after the code ("SKU-000583-", "…_-").
			if c := strings.TrimRight(s, "-_.|"); c != s && len(c) >= 4 {
				s = c
				texts[i] = c
			}
			if _, ok := readIDToken(s); ok && tr.code == "" {
				tr.code, tr.codeW = s, w
				kindOf[i] = colCode
				continue
			}
		case colQty:
			if tr.unit == "" && isUnitWord(s) {
				// "72 支": the unit printed after the quantity.
				tr.unit = s
				kindOf[i] = colUnit
				continue
			}
		case colUnit:
			if tr.unit == "" && len([]rune(s)) <= 4 {
				tr.unit = s
				kindOf[i] = colUnit
				continue
			}
		case colNo:
			if allDigits(s) && len(s) <= 3 {
				kindOf[i] = colNo
				continue
			}
		}
	}
	var confSum float64 // the description's word confidence, by letters
	confN := 0
	hasCodeCol := false
	for _, c := range cols {
		hasCodeCol = hasCodeCol || c.kind == colCode
	}
	for i := range words {
		s := texts[i]
		if k := kindOf[i]; k == colNone && !hasCodeCol && tr.code == "" && len(tr.desc) <= 2 && s != "" {
			// No code column: a code leading the description ("WC-10607
			// Jasmine Rice") is the item's code, also after a line
			// number or a speck or two ("7 SKU-000584 …", "際 0-000049"),
			// which are then not the description's.
			short := true
			for _, d := range tr.desc {
				short = short && len([]rune(d)) <= 3
			}
			if id, ok := readIDToken(s); ok && short && (strings.Contains(s, "-") || id.ean) {
				tr.code, tr.codeW = s, words[i]
				tr.desc, tr.descW = nil, nil
				continue
			}
		}
		switch k := kindOf[i]; {
		case k.numeric():
			tr.nums[k] = s
			tr.hasNum = true
		case k == colNone && s != "" && !isCurrencyMark(s):
			tr.desc = append(tr.desc, s)
			tr.descW = append(tr.descW, words[i])
			n := len([]rune(s))
			confSum += words[i].Conf * float64(n)
			confN += n
		}
	}
	tr.noise = confN > 0 && confSum < 60*float64(confN)
	return tr
}

// tableItem is an item read from a titled table.
type tableItem struct {
	desc  []string
	code  string
	codeW Word
	unit  string
	nums  map[colKind]string
	r     *row // the row of its numbers
	// descW are the words of desc when they all lie on the row of its
	// numbers (nil when lines of other rows joined it).
	descW []Word
	// borrowed: its name was read from the rows above its numbers (a
	// two-line item), none on the row of its numbers.
	borrowed bool
	// closeSplit: name lines between it and a neighbour were given out
	// by a close call of their spacing (closeSplit, namesplit.go).
	closeSplit bool
}

// tableItems reads the items between the header (rows[start-1]) and the
// totals: rows with an amount are items, other rows with words are
// description lines (of the next item when that one has no words of its
// own, else of the item above).
func tableItems(rows []*row, start int, cols []tableCol) []*tableItem {
	var items []*tableItem
	var pending []tableRow
	flush := func(into *tableItem) {
		// A description's other line read as noise adds nothing to a
		// name read on another line.
		clean := letterCount(strings.Join(into.desc, "")) >= 2
		for _, p := range pending {
			clean = clean || !p.noise && letterCount(strings.Join(p.desc, "")) >= 2
		}
		for _, p := range pending {
			if clean && p.noise && p.code == "" {
				continue
			}
			into.desc = append(into.desc, p.desc...)
			if len(p.desc) > 0 {
				into.descW = nil
			}
			if into.code == "" {
				into.code, into.codeW = p.code, p.codeW
			}
		}
		pending = nil
	}
	for i := start; i < len(rows); i++ {
		r := rows[i]
		tr := splitRow(r, cols)
		// The totals end the table; a summary word inside an item's name
		// ("Barley", "Pineapple") does not, when the row has a quantity
		// or a unit price.
		_, hasQ := tr.nums[colQty]
		_, hasP := tr.nums[colPrice]
		cu := compactUpper(r)
		labelled := isTotalRow(cu) || isSubtotalRow(cu)
		if (isSummaryRow(r) || labelled) && (!hasQ && !hasP || labelled && len(tr.nums) <= 1) {
			// A labelled total with one number ends it too, wherever
			// that number lies (a sheared page). A row with a summary
			// word and no number at all ("Card Holder", a name's other
			// line) ends it only when no item row follows.
			if labelled || len(tr.nums) > 0 || !itemRowFollows(rows, i+1, cols) {
				break
			}
		}
		if _, ok := tr.nums[colAmount]; !ok {
			if _, ok := parseMoney(tr.nums[colPrice]); ok && len(tr.nums) >= 2 {
				// A table whose amount column is empty on this row: the
				// line still counts, its amount is derived and flagged.
				ok = true
			}
			if !ok || tr.nums[colPrice] == "" {
				if tr.code != "" && len(pending) == 0 && len(items) > 0 && letterCount(strings.Join(tr.desc, "")) >= 2 && hasCode(items[len(items)-1]) && !numbersOnly(rows, i+1, cols) && !amountRowNearer(rows, i, items[len(items)-1].r, cols) {
					// A row with its own code and description but no
					// amount read (a stamp over the numbers): an item of
					// its own, returned flagged, not another item's words.
					items = append(items, &tableItem{desc: tr.desc, descW: tr.descW, code: tr.code, codeW: tr.codeW, unit: tr.unit, nums: tr.nums})
					continue
				}
				if letterCount(strings.Join(tr.desc, "")) >= 2 || tr.code != "" {
					pending = append(pending, tr)
				}
				continue
			}
		}
		it := &tableItem{desc: tr.desc, descW: tr.descW, code: tr.code, codeW: tr.codeW, unit: tr.unit, nums: tr.nums, r: r}
		if letterCount(strings.Join(it.desc, "")) < 2 && len(pending) > 0 {
			// Two-line item: the words were on the line above; a line
			// much nearer the item above (its name's other line, printed
			// under its numbers) is that item's.
			// When every line is that much nearer the item above (its
			// name's other line, this item's own printed under its
			// numbers), the item keeps the words of its own row.
			own := it.desc
			it.desc = nil
			if n := len(items); n > 0 && items[n-1].r != nil {
				pr := items[n-1].r
				k := 0
				for k < len(pending) && 10*(pending[k].r.midY()-pr.midY()) < 7*(r.midY()-pending[k].r.midY()) {
					k++
				}
				if k > 0 {
					rest := pending[k:]
					pending = pending[:k]
					flush(items[n-1])
					pending = rest
				}
			}
			if len(pending) == 0 {
				it.desc = own
			} else {
				it.borrowed = true
			}
			flush(it)
		} else if len(pending) > 0 && len(items) > 0 {
			// The lines between two item rows that both have words go to
			// the item above, except the last ones when they sit much
			// nearer this row than the lines above them: a name's first
			// line printed just above its numbers (Chinese over the
			// numbers, English under them), not the item above's other
			// line. Evenly spaced lines all stay with the item above.
			var down []tableRow
			if splitMultiline {
				j := nearerBelow(pending, items[len(items)-1].r, r)
				if closeSplit(pending, j, items[len(items)-1].r, r) {
					items[len(items)-1].closeSplit, it.closeSplit = true, true
				}
				pending, down = pending[:j], pending[j:]
			}
			flush(items[len(items)-1])
			if len(down) > 0 {
				own := it.desc
				it.desc = nil
				pending = down
				flush(it)
				it.desc = append(it.desc, own...)
			}
		} else {
			pending = nil
		}
		items = append(items, it)
	}
	if len(pending) > 0 && len(items) > 0 {
		flush(items[len(items)-1])
	}
	return items
}

func hasCode(it *tableItem) bool { return it.code != "" }

// amountRowNearer reports whether rows[i+1] has an amount and rows[i]
// lies much nearer it than the item row above (the gap under 0.7 of the
// gap above; splitMultiline): rows[i] is then the first line of that
// item's name, split from the row of its numbers, not an item of its own.
func amountRowNearer(rows []*row, i int, above *row, cols []tableCol) bool {
	if !splitMultiline || above == nil || i+1 >= len(rows) {
		return false
	}
	if _, ok := splitRow(rows[i+1], cols).nums[colAmount]; !ok {
		return false
	}
	y := rows[i].midY()
	return 10*(rows[i+1].midY()-y) < 7*(y-above.midY())
}

// splitMultiline turns on nearerBelow's split of the lines between two
// item rows with words (on by default; off restores joining them all to
// the item above).
var splitMultiline = true

// nearerBelow returns the index from which the rows of pending, lying
// between the item row above (nil when unknown) and the item row below,
// belong to the row below: walking up from the last, a row goes down
// while its gap to the row under it is under 0.7 of its gap to the row
// above it.
func nearerBelow(pending []tableRow, above, below *row) int {
	if above == nil {
		return len(pending)
	}
	j := len(pending)
	for j > 0 {
		y := pending[j-1].r.midY()
		under, over := below.midY(), above.midY()
		if j < len(pending) {
			under = pending[j].r.midY()
		}
		if j > 1 {
			over = pending[j-2].r.midY()
		}
		if 10*(under-y) >= 7*(y-over) {
			break
		}
		j--
	}
	return j
}

// itemRowFollows reports whether an item row (a quantity, a unit price
// and an amount in their columns, qty × price = amount as read or
// repaired) comes among the rows from i on before a labelled total or
// subtotal: the table goes on past a row whose words name a summary.
func itemRowFollows(rows []*row, i int, cols []tableCol) bool {
	for ; i < len(rows); i++ {
		cu := compactUpper(rows[i])
		if isTotalRow(cu) || isSubtotalRow(cu) {
			return false
		}
		tr := splitRow(rows[i], cols)
		q, p, a := tr.nums[colQty], tr.nums[colPrice], tr.nums[colAmount]
		if q == "" || p == "" || a == "" {
			continue
		}
		if _, ok := solve(q, p, a); ok {
			return true
		}
		if d := tr.nums[colDisc]; d != "" {
			if _, _, ok := solveDiscount(q, p, d, a); ok {
				return true
			}
		}
	}
	return false
}

// numbersOnly reports whether rows[i] has an amount and no words of its
// own: the second line of a two-line item.
func numbersOnly(rows []*row, i int, cols []tableCol) bool {
	if i >= len(rows) {
		return false
	}
	tr := splitRow(rows[i], cols)
	_, ok := tr.nums[colAmount]
	return ok && letterCount(strings.Join(tr.desc, "")) < 2
}

// tableLine checks an item and turns it into a Line.
func tableLine(it *tableItem) Line {
	l := Line{Description: joinText(it.desc), Unit: it.unit, descW: it.descW}
	// The code is judged as in the coded tables: the EAN-13 check digit
	// and the word's second reading (codeConfidence).
	idConf := 1.0
	if id, ok := readIDToken(it.code); ok && it.code != "" {
		if id.ean {
			l.Barcode = id.text
		} else {
			l.SKU = id.text
		}
		idConf = codeConfidence(&rawItem{id: id, idConf: it.codeW.Conf / 100, idAlt: it.codeW.Alt}, &l)
	}
	qs, ps, as, ds := it.nums[colQty], it.nums[colPrice], it.nums[colAmount], it.nums[colDisc]
	q, hasQ := parseTableQty(qs)
	p, hasP := parseMoney(ps)
	a, hasA := parseMoney(as)
	d, hasD := parsePercent(ds)
	if !hasD {
		d = 0
	}
	conf := 0.7
	switch {
	case qs != "" && ps != "" && as != "":
		// qty × price (× (1 − discount)) = amount, repairs only where
		// the arithmetic confirms them.
		s, ok := solution{}, false
		if hasD && d > 0 {
			s, _, ok = solveDiscount(qs, ps, ds, as)
		}
		if !ok {
			s, ok = solve(qs, ps, as)
		}
		if ok {
			l.Qty, l.UnitPrice, l.Amount = s.qty, formatCents(s.price), formatCents(s.amount)
			conf = 0.99
			if s.cost > 0 {
				conf = 0.9
				l.Problems = append(l.Problems, fmt.Sprintf("%d character(s) repaired (the line's arithmetic confirms)", s.cost))
			}
			break
		}
		l.Qty, l.UnitPrice, l.Amount = q, formatCents(p), formatCents(a)
		if !hasA {
			l.Amount = ""
		}
		conf = 0.2
		l.Problems = append(l.Problems, "qty × unit price does not equal amount")
	case hasP && hasA:
		l.UnitPrice, l.Amount = formatCents(p), formatCents(a)
		if p > 0 && a%p == 0 && a/p > 0 && a/p < 10000 {
			l.Qty, conf = a/p, 0.9
		} else {
			conf = 0.2
			l.Problems = append(l.Problems, "unit price does not divide the amount")
		}
	case hasQ && hasA:
		l.Qty, l.Amount = q, formatCents(a)
		if q > 0 && a%q == 0 {
			l.UnitPrice = formatCents(a / q)
		}
	case hasQ && hasP:
		l.Qty, l.UnitPrice, l.Amount = q, formatCents(p), formatCents(q*p)
		conf = 0.2
		l.Problems = append(l.Problems, "amount missing; derived from qty × unit price")
	case hasA:
		l.Qty, l.UnitPrice, l.Amount = 1, formatCents(a), formatCents(a)
	default:
		conf = 0.1
		l.Problems = append(l.Problems, "no amount read")
	}
	if hasD {
		l.DiscountPct = strings.TrimSuffix(strings.TrimSuffix(formatCents(d), "0"), ".0")
	}
	l.Confidence = min(conf, idConf)
	l.Fields = FieldConfidence{Code: min(idConf, 0.99), Qty: conf, UnitPrice: conf, Amount: conf}
	if l.Confidence < reviewBelow {
		l.NeedsReview = true
	}
	return l
}

// parseTableQty reads a quantity: an integer, or a decimal with zero
// cents ("12.00", "3,00").
func parseTableQty(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if q, ok := parseQty(s); ok && q > 0 {
		return q, true
	}
	if v, ok := parseMoney(s); ok && v > 0 && v%100 == 0 {
		return v / 100, true
	}
	return 0, false
}

// extractTable reads the pages' item tables by their column titles and
// returns the document (lines, total from the labelled totals checked
// against the lines), or nil when no page has a titled table with items.
func extractTable(pages []*Page, header Header) *Document {
	doc := &Document{Pages: len(pages), Header: header}
	doc.Header.Confidence = map[string]float64{}
	for k, v := range header.Confidence {
		doc.Header.Confidence[k] = v
	}
	var sum summary
	found := false
	for _, p := range pages {
		if p == nil {
			continue
		}
		rows := groupRows(p.Words)
		start, cols, ok := findTableHeader(rows)
		if !ok {
			continue
		}
		guessed := !hasKind(cols, colAmount)
		cols = alignColumns(rows, start, withAmountColumn(cols, p.Width), guessed)
		its := tableItems(rows, start, cols)
		borrowed := 0
		for _, it := range its {
			if it.borrowed {
				borrowed++
			}
		}
		for _, it := range its {
			l := tableLine(it)
			// The other items print their names on the row of their
			// numbers: this name, from the row above, may be another
			// item's (rows of a tilted page read apart). Flagged by
			// checkNameAbove, after the readings are compared.
			l.nameAbove = it.borrowed && 4*borrowed < len(its)
			l.nameSplit = it.closeSplit
			doc.Lines = append(doc.Lines, l)
			found = true
		}
		s := readSummary(rows)
		sum.totals = append(sum.totals, s.totals...)
		sum.taxes = append(sum.taxes, s.taxes...)
		sum.sums = append(sum.sums, s.sums...)
		sum.firmSums = append(sum.firmSums, s.firmSums...)
		sum.tenders = append(sum.tenders, s.tenders...)
		sum.deducted = sum.deducted || s.deducted
		sum.round += s.round
		if s.hasSub && !sum.hasSub {
			sum.subtotal, sum.hasSub = s.subtotal, true
		}
	}
	if !found {
		return nil
	}
	harmoniseCodes(doc.Lines)
	repairLineBySum(doc.Lines, sumTargets(sum))
	var lineSum int64
	for _, l := range doc.Lines {
		v, _ := parseMoney(l.Amount)
		lineSum += v
	}
	h := &doc.Header
	tot, conf, ok := chooseTotal(sum, lineSum, true)
	var tax int64
	for _, t := range sum.taxes {
		tax += t
	}
	if !ok && sum.hasSub && lineSum == sum.subtotal && (!refuseUnchecked || 3*abs64(tax) < sum.subtotal) {
		// The total's label unread: the subtotal the lines confirm, with
		// the discounts and taxes printed under it (taxes of a third of
		// the subtotal or more are another amount read as one).
		tot, conf, ok = sum.subtotal+tax, 0.6, true
	}
	if ok {
		h.Total = formatCents(tot)
		h.Confidence["total"] = conf
	}
	if sum.hasSub {
		h.Subtotal = formatCents(sum.subtotal)
	}
	reconciled := sum.hasSub && lineSum == sum.subtotal || ok && (lineSum == tot || lineSum+tax == tot)
	for i := range doc.Lines {
		l := &doc.Lines[i]
		switch {
		case reconciled && l.Fields.Amount >= 0.7 && !l.NeedsReview:
			v := max(l.Fields.Amount, 0.95)
			l.Fields.Qty, l.Fields.UnitPrice, l.Fields.Amount = v, v, v
			l.Confidence = min(v, l.Fields.Code)
		case !reconciled && l.Fields.Amount < 0.9:
			l.NeedsReview = true
			l.Problems = append(l.Problems, "amount not confirmed: the lines do not add up to the total")
		}
		if l.NeedsReview {
			doc.NeedsReview = true
		}
	}
	if !reconciled {
		doc.NeedsReview = true
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("line amounts add up to %s, total is %s", formatCents(lineSum), h.Total))
	}
	return doc
}

// tableDescriptions gives a line of d the description the titled-table
// reading t found for the same line (the same quantity, unit price and
// amount, on one line only of each reading) when the table's has more
// letters: the table reads a name's other lines (multi-line descriptions,
// the English line under the numbers), the coded rows only the row of the
// numbers.
func tableDescriptions(d, t *Document) {
	key := func(l Line) string { return fmt.Sprint(l.Qty, "|", l.UnitPrice, "|", l.Amount) }
	count := func(ls []Line) map[string]int {
		m := map[string]int{}
		for _, l := range ls {
			if l.Amount != "" && l.UnitPrice != "" && l.Qty > 0 {
				m[key(l)]++
			}
		}
		return m
	}
	nd, nt := count(d.Lines), count(t.Lines)
	for i := range d.Lines {
		l := &d.Lines[i]
		k := key(*l)
		if nd[k] != 1 || nt[k] != 1 {
			continue
		}
		for _, tl := range t.Lines {
			if key(tl) != k || letterCount(tl.Description) <= letterCount(l.Description) {
				continue
			}
			// A name the table read from the row above (it may be another
			// item's) does not replace one of the line's own row; taken,
			// it keeps its flag.
			if tl.nameAbove && letterCount(l.Description) > 0 {
				continue
			}
			l.Description, l.nameAbove, l.nameSplit, l.descW = tl.Description, tl.nameAbove, tl.nameSplit, tl.descW
		}
	}
}

// sumTargets are the amounts a document's lines can add up to: the
// subtotal, each labelled total with and without the taxes.
func sumTargets(s summary) []int64 {
	var tax int64
	for _, t := range s.taxes {
		tax += t
	}
	var out []int64
	if s.hasSub {
		out = append(out, s.subtotal)
	}
	for _, c := range s.totals {
		out = append(out, c.v, c.v-tax)
	}
	return out
}

// confirmedLines counts a document's lines that passed their checks.
func confirmedLines(d *Document) int {
	n := 0
	for _, l := range d.Lines {
		if !l.NeedsReview && l.Confidence >= 0.9 {
			n++
		}
	}
	return n
}

// preferTable returns the titled-table reading when it confirms more
// lines than the other reading, else the other, whose lines take the
// table's longer descriptions (tableDescriptions).
func preferTable(other *Document, pages []*Page) *Document {
	t := extractTable(pages, other.Header)
	if t == nil {
		return other
	}
	if confirmedLines(t) <= confirmedLines(other) {
		// The other reading stays; its total only when the labelled
		// totals beside the titled table are not more certain.
		if t.Header.Total != "" && t.Header.Confidence["total"] > other.Header.Confidence["total"] {
			if other.Header.Confidence == nil {
				other.Header.Confidence = map[string]float64{}
			}
			other.Header.Total = t.Header.Total
			other.Header.Confidence["total"] = t.Header.Confidence["total"]
		}
		tableDescriptions(other, t)
		return other
	}
	return t
}

// splitLabelRuns splits rows that hold two labelled values side by side
// ("Total Qty: 289 … TOTAL $5,119.52") into one row per label and value:
// a row is cut after a number that is followed, a wide gap further, by
// words. The summary then reads each label with its own value.
func splitLabelRuns(rows []*row) []*row {
	var out []*row
	for _, r := range rows {
		cur := &row{top: r.top, bot: r.bot, left: r.left, rite: r.rite}
		for i, w := range r.words {
			if i > 0 && len(cur.words) > 1 {
				prev := r.words[i-1]
				s := cleanWord(w.Text)
				if numericLike(cleanWord(prev.Text)) && !numericLike(s) && hasLetters(s) && w.Box.Min.X-prev.Box.Max.X > 3*max(w.Box.Dy(), 1) {
					out = append(out, cur)
					cur = &row{top: r.top, bot: r.bot, left: w.Box.Min.X, rite: r.rite}
				}
			}
			cur.words = append(cur.words, w)
		}
		out = append(out, cur)
	}
	return out
}

// alignColumns sets the numeric columns' spans from the numbers printed
// under them. Numbers line up across the item rows (right-aligned or
// centred), whatever the width of the title above them: the title
// `Price` of a right-aligned "Unit Price" is narrower than its numbers,
// and an amount column guessed right of the last title (withAmountColumn)
// starts where the prices end, so by the titles alone a price lies nearer
// the amount column. Each column of numbers (the union of the numbers'
// spans, on at least two rows and two fifths of the rows with numbers,
// from the titles down to the totals) goes to the numeric title nearest
// it that overlaps it; an amount column without a read title takes the
// rightmost column of numbers right of the others; an untitled column of
// whole numbers left of the unit price and right of the description's
// (or code's) title is the quantity, when no quantity title was read.
// The checks (qty × price = amount) still decide each line.
func alignColumns(rows []*row, start int, cols []tableCol, guessedAmount bool) []tableCol {
	type span struct {
		left, right int
		rows        map[int]bool
		ints, all   int
	}
	var words []span
	numRows := 0
	var heights []int
	for i := start; i < len(rows) && i < start+80; i++ {
		r := rows[i]
		cu := compactUpper(r)
		if isTotalRow(cu) || isSubtotalRow(cu) {
			break
		}
		has := false
		for _, w := range r.words {
			s := strings.TrimRight(cleanWord(w.Text), "°º")
			if s == "" || !numericLike(s) || countDigits(s) == 0 || allDigits(s) && len(s) >= 7 {
				continue // not a number, or a code (a barcode printed last)
			}
			_, isInt := parseQty(s)
			sp := span{left: w.Box.Min.X, right: w.Box.Max.X, rows: map[int]bool{i: true}, all: 1}
			if isInt {
				sp.ints = 1
			}
			words = append(words, sp)
			heights = append(heights, w.Box.Dy())
			has = true
		}
		if has {
			numRows++
		}
	}
	if numRows < 2 {
		return cols
	}
	// The union of overlapping spans: one column of numbers each.
	sort.Slice(words, func(i, j int) bool { return words[i].left < words[j].left })
	var comps []span
	for _, w := range words {
		if n := len(comps); n > 0 && w.left <= comps[n-1].right {
			c := &comps[n-1]
			c.right = max(c.right, w.right)
			for k := range w.rows {
				c.rows[k] = true
			}
			c.ints += w.ints
			c.all += w.all
			continue
		}
		comps = append(comps, w)
	}
	need := max(2, (2*numRows+4)/5)
	var dense []span
	for _, c := range comps {
		if len(c.rows) >= need {
			dense = append(dense, c)
		}
	}
	if len(dense) == 0 {
		return cols
	}
	h := median(heights)
	out := append([]tableCol(nil), cols...)
	claimed := make([]bool, len(dense))
	centre := func(l, r int) int { return (l + r) / 2 }
	abs := func(v int) int { return max(v, -v) }
	// Titles and columns of numbers paired nearest first, each once.
	type pair struct{ t, c, d int }
	var pairs []pair
	for ti, t := range out {
		if !t.kind.numeric() || guessedAmount && t.kind == colAmount {
			continue
		}
		for ci, c := range dense {
			if c.left <= t.right+h && c.right >= t.left-h {
				pairs = append(pairs, pair{ti, ci, abs(centre(t.left, t.right) - centre(c.left, c.right))})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].d < pairs[j].d })
	done := make([]bool, len(out))
	for _, p := range pairs {
		if done[p.t] || claimed[p.c] {
			continue
		}
		done[p.t], claimed[p.c] = true, true
		out[p.t].left, out[p.t].right, out[p.t].aligned = dense[p.c].left, dense[p.c].right, true
	}
	if guessedAmount {
		// The rightmost column of numbers, right of every claimed one.
		last := len(dense) - 1
		ok := !claimed[last]
		for ci := range dense {
			if claimed[ci] && dense[ci].left >= dense[last].left {
				ok = false
			}
		}
		for ti := range out {
			if out[ti].kind == colAmount && ok {
				out[ti].left, out[ti].aligned = dense[last].left, true // to the page's edge, as guessed
				claimed[last], done[ti] = true, true
			}
		}
	}
	// A column of numbers does not reach into a neighbour's title of
	// another kind (a quantity read with its unit, "8x", under 單位).
	for i := range out {
		c := &out[i]
		if !c.aligned {
			continue
		}
		mid := (c.left + c.right) / 2
		for _, o := range cols {
			if o.kind.numeric() {
				continue
			}
			if o.left > mid && c.right >= o.left {
				c.right = max(o.left-1, mid)
			}
			if o.right < mid && c.left <= o.right {
				c.left = min(o.right+1, mid)
			}
		}
	}
	if !hasKind(out, colQty) {
		// An untitled column of whole numbers between the description
		// and the unit price: the quantity.
		textRight, priceLeft := -1, -1
		for _, t := range out {
			switch t.kind {
			case colDesc, colCode, colNo:
				textRight = max(textRight, t.right)
			case colPrice:
				if priceLeft < 0 || t.left < priceLeft {
					priceLeft = t.left
				}
			}
		}
		// Words of two letters or more left of the column on most of its
		// rows (a description, not a line number's column).
		textLeft := func(c span) bool {
			n := 0
			for i := range c.rows {
				for _, w := range rows[i].words {
					if w.Box.Max.X < c.left && letterCount(w.Text) >= 2 {
						n++
						break
					}
				}
			}
			return 2*n > len(c.rows)
		}
		for ci := len(dense) - 1; ci >= 0; ci-- {
			c := dense[ci]
			if claimed[ci] || priceLeft < 0 || c.left <= textRight || c.right >= priceLeft || 5*c.ints < 4*c.all || !textLeft(c) {
				continue
			}
			out = append(out, tableCol{colQty, c.left, c.right, true})
			claimed[ci] = true
			break
		}
		sort.Slice(out, func(i, j int) bool { return out[i].left < out[j].left })
	}
	return out
}
