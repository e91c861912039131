package ocr

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// This file finds line items on pages that have no item codes: receipts,
// invoices and delivery notes in any layout. Nothing here knows a layout:
// a row is an item when it ends in an amount that lines up with the other
// rows' amounts (the amount column, found from the right edges of the
// page's money), it names no total, tax or payment, and it lies above the
// totals. Quantities and unit prices come from the numbers between the
// description and the amount, and are checked (qty × price = amount);
// the lines' sum is checked against the subtotal or total.

// summaryWords name rows that are not items: totals, taxes, payments.
var summaryWords = []string{
	"TOTAL", "SUBTOTAL", "SUB-TOTAL", "TAX", "GST", "VAT", "SST", "HST", "PST",
	"CASH", "CHANGE", "TENDER", "VISA", "MASTER", "AMEX", "CARD", "DEBIT", "CREDIT",
	"BALANCE", "DUE", "PAYMENT", "PAID", "TIP", "GRATUITY", "ROUNDING", "ROUND",
	"SAVING", "DISCOUNT", "DEPOSIT", "AMOUNT", "NETT", "SERVICE", "SERV.", "ITEMS", "ITEMCOUNT",
	// The same in the other Latin-script languages receipts come in.
	"EFECTIVO", "CAMBIO", "IMPORTE", "PROPINA", "IVA", "TVA", "MWST", "SUMME", "GESAMT", "BAR", "RUECKGELD",
	"ESPECES", "MONTANT", "RENDU", "CONTANTI", "RESTO", "TOTALE",
	"合計", "總計", "總額", "總值", "小計", "應付", "實收", "現金", "找續", "找零", "稅", "折扣", "服務費", "收銀", "付款",
	"合计", "总计", "总额", "总值", "小计", "应付", "实收", "现金", "税", "服务费", "收银",
}

// totalLabels name the amount payable, strongest first; each with the
// words that disqualify it (a total of something else).
var totalLabels = []struct {
	label string
	rank  int
}{
	{"GRANDTOTAL", 5}, {"TOTALDUE", 5}, {"AMOUNTDUE", 5}, {"BALANCEDUE", 5}, {"AMOUNTPAYABLE", 5},
	{"TOTALPAYABLE", 5}, {"NETTOTAL", 4}, {"TOTALAMOUNT", 4}, {"TOTALAMT", 4}, {"總計", 4}, {"總額", 4}, {"應付", 4}, {"實收", 3},
	{"总计", 4}, {"总额", 4}, {"应付", 4}, {"实收", 3}, {"合计", 3}, {"合計", 3}, {"TOTAL", 3}, {"BALANCE", 2}, {"NETT", 2}, {"AMOUNT", 1},
}

// notTotal: a row naming these is not the amount payable even if it says
// "total".
var notTotal = []string{"小计", "TOTALGST", "TOTALVAT", "SUPPLIES", "SUBTOTAL", "SUB-TOTAL", "SUBTTL", "小計", "TOTALTAX", "TAXTOTAL", "TOTALQTY", "TOTALITEM", "TOTALSAV",
	"TOTALDISC", "TOTALNUMBER", "TOTALQUANTITY", "ITEMS", "QTY", "CHANGE", "TENDER", "CASH", "EXCL", "GSTSUMMARY", "TAXABLE", "ROUND", "POINTS"}

// isSummaryRow reports a row naming a summary word as a word
// (hasKeywordWord), also catching a long keyword misread in one letter
// ("Subtota)", "T0TAL").
func isSummaryRow(r *row) bool {
	words := summaryWords
	if rcpt2Rules {
		// "Tendered", misread in one letter ("Tandered"), is the cash
		// paid as surely as "Tender".
		words = append(words[:len(words):len(words)], "TENDERED")
	}
	if hasKeywordWord(r, words) || fuzzyTotal(r) {
		return true
	}
	for _, w := range r.words {
		u := strings.ToUpper(strings.Trim(w.Text, trimSet))
		if len(u) < 5 {
			continue
		}
		for _, k := range words {
			// A word holding the keyword whole ("GROUND", "TENDERLOIN") was
			// judged by hasKeywordWord: it is not a misreading of it.
			if len(k) >= 5 && len(k) <= 10 && !strings.Contains(u, k) && editDistance(u, k) <= 1 {
				return true
			}
		}
	}
	return false
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// rtok is a classified word of a receipt row.
type rtok struct {
	s     string
	w     Word
	money bool
	cents int64
	int   bool // a bare integer (1–4 digits)
}

var reQtyPrefix = regexp.MustCompile(`^(\d{1,3})[-xX×*]([A-Za-z\p{Han}].*)$`)

var reQtyUnit = regexp.MustCompile(`^(\d{1,4})(?:\s*)(KG|G|PCS|PC|EA|X|箱|打|件|包|支|瓶|個|盒|條|罐|斤|磅|LB|L|ML|M)?$`)

func classify(r *row) []rtok {
	var out []rtok
	for _, w := range r.words {
		s := moneyWord(w.Text)
		if s == "" {
			continue
		}
		t := rtok{s: s, w: w}
		if v, ok := parseMoney(s); ok {
			t.money, t.cents = true, v
		} else if v, ok := parseMoney(trimSpeck(s)); ok {
			t.s, t.money, t.cents = trimSpeck(s), true, v
		} else if allDigits(s) && len(s) <= 4 {
			t.int = true
		}
		out = append(out, t)
	}
	// A currency mark read as its own word joins the amount after it.
	return out
}

// amountColumn finds the right edge shared by most money amounts on the
// page (the amount column) and a tolerance; ok is false when fewer than
// two amounts line up.
func amountColumn(rows []*row, width int) (x, tol int, ok bool) {
	var xs []int
	for _, r := range rows {
		toks := classify(r)
		for i := len(toks) - 1; i >= 0; i-- {
			if toks[i].money {
				xs = append(xs, toks[i].w.Box.Max.X)
				break
			}
		}
	}
	tol = max(width/25, 12)
	best, bestN := 0, 0
	for _, a := range xs {
		n := 0
		for _, b := range xs {
			if abs(a-b) <= tol {
				n++
			}
		}
		if n > bestN || n == bestN && a > best {
			best, bestN = a, n
		}
	}
	if bestN < 2 {
		return 0, tol, false
	}
	var near []int
	for _, b := range xs {
		if abs(best-b) <= tol {
			near = append(near, b)
		}
	}
	return median(near), tol * 3 / 2, true
}

// receiptItem is an item row found by the generic finder.
type receiptItem struct {
	r         *row
	desc      []string
	qty       int64
	hasQty    bool
	price     int64
	hasPrice  bool
	amount    int64
	amountTxt string // the amount as read, for repairs the total confirms
	// amountConf is the OCR confidence (0–100) of the amount's word.
	amountConf float64
	unit       string
	continued  bool // description taken from the row above
	// descW are the words desc was read from, on the row of the amount
	// (nil when the description was taken from another row): the cell
	// look (cell_look.go) re-reads them.
	descW []Word
	// fromPrice: the amount was misread and is taken from the unit price
	// it repeats (repeatPrice).
	fromPrice bool
	// clipped: the amount's last digit was cut off by the page's edge and
	// read as 0 (clippedAmounts).
	clipped bool
}

func hasLetters(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) }) >= 0
}

// letterCount counts letters (any script).
func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// parseReceiptRow reads an item from a row: the rightmost amount near
// the amount column, numbers before it (quantity, unit price, discount),
// the description to their left. ok is false for rows without an amount
// in the column.
func parseReceiptRow(r *row, colX, tol int, haveCol bool) (*receiptItem, bool) {
	toks, fromPrice := repeatPrice(classify(r))
	ai := -1
	for i, skipped := len(toks)-1, 0; i >= 0 && skipped <= 3; i, skipped = i-1, skipped+1 {
		if toks[i].money {
			ai = i
			break
		}
		// Tax codes, specks and the background right of the amount ("T",
		// "A", "*", words read with little confidence or beyond the
		// amounts' column).
		t := toks[i]
		if len([]rune(t.s)) > 2 && t.w.Conf >= 40 && (!haveCol || t.w.Box.Min.X < colX) {
			break
		}
	}
	if ai < 0 {
		return nil, false
	}
	// The column bends on a curled receipt or a tilted photo: an amount a
	// little off the column still counts.
	if haveCol && abs(toks[ai].w.Box.Max.X-colX) > max(tol, r.rite/8) {
		return nil, false
	}
	it := &receiptItem{r: r, amount: toks[ai].cents, amountTxt: toks[ai].s, amountConf: toks[ai].w.Conf, fromPrice: fromPrice && ai == len(toks)-1, clipped: toks[ai].w.clipped}
	// Numbers before the amount, right to left, until the description.
	j := ai - 1
	var nums []rtok
	for ; j >= 0; j-- {
		t := toks[j]
		if t.money || t.int || isTimes(t.s) || isCurrencyMark(t.s) || strings.HasSuffix(t.s, "%") && numericLike(strings.TrimSuffix(t.s, "%")) {
			if !isTimes(t.s) && !isCurrencyMark(t.s) {
				nums = append([]rtok{t}, nums...)
			}
			continue
		}
		if m := reQtyUnit.FindStringSubmatch(strings.ToUpper(t.s)); m != nil && m[2] != "" {
			nums = append([]rtok{{s: m[1], w: t.w, int: true}}, nums...)
			it.unit = strings.ToLower(m[2])
			continue
		}
		// A unit printed in a column of its own ("144 包 2.70"), after
		// a quantity.
		if isUnitWord(t.s) && j > 0 && toks[j-1].int && it.unit == "" {
			it.unit = strings.ToLower(t.s)
			continue
		}
		break
	}
	desc := toks[:j+1]
	// "2-Onion Rings", "3xCoffee": a quantity run into the description.
	if len(desc) > 0 {
		if m := reQtyPrefix.FindStringSubmatch(desc[0].s); m != nil {
			q, _ := parseQty(m[1])
			if q > 0 && q < 1000 {
				it.qty, it.hasQty = q, true
				d0 := desc[0]
				d0.s = m[2]
				desc = append([]rtok{d0}, desc[1:]...)
			}
		}
	}
	// A leading quantity ("1 Bacon Tky Bravo Sdw", "2x Coffee").
	if len(desc) > 1 {
		s := strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(desc[0].s), "x"), "×")
		if q, ok := parseQty(s); ok && !it.hasQty && q > 0 && q < 1000 && len(s) <= 3 && hasLetters(joinTokens(desc[1:])) {
			it.qty, it.hasQty = q, true
			desc = desc[1:]
			if len(desc) > 1 && isTimes(desc[0].s) {
				desc = desc[1:]
			}
		}
	}
	for _, d := range desc {
		it.desc = append(it.desc, d.s)
		if n := len(it.descW); n == 0 || it.descW[n-1] != d.w {
			it.descW = append(it.descW, d.w)
		}
	}
	lead := it.hasQty
	// Assign the numbers: money is the unit price (the last money before
	// the amount), an integer the quantity; a percentage is a discount.
	for k := len(nums) - 1; k >= 0; k-- {
		n := nums[k]
		switch {
		case n.money && !it.hasPrice:
			it.price, it.hasPrice = n.cents, true
		case n.int && lead:
			// A leading number (a row number, a speck) gives way to a
			// quantity in the numbers' columns, unless only it checks.
			lead = false
			if q, _ := parseQty(n.s); q > 0 && q < 10000 && (!it.hasPrice || q*it.price == it.amount || it.qty*it.price != it.amount) {
				it.qty = q
			}
		case n.int && !it.hasQty:
			q, _ := parseQty(n.s)
			// A quantity of 100 or more is taken only when qty × price
			// = amount confirms it (a misread price is not a quantity).
			if q > 0 && (q < 100 || it.hasPrice && q*it.price == it.amount) {
				it.qty, it.hasQty = q, true
			}
		}
	}
	return it, true
}

// unitWords are units printed as words of their own.
var unitWords = []string{"KG", "G", "PCS", "PC", "EA", "BTL", "CAN", "PK", "PKT", "BOX", "CTN", "BAG", "DOZ", "SET", "L", "ML",
	"箱", "打", "件", "包", "支", "瓶", "個", "盒", "條", "罐", "斤", "磅", "排", "袋", "包裝", "套", "對", "張", "本", "只"}

func isUnitWord(s string) bool {
	u := strings.ToUpper(s)
	for _, w := range unitWords {
		if u == w {
			return true
		}
	}
	return false
}

func joinTokens(ts []rtok) string {
	var ss []string
	for _, t := range ts {
		ss = append(ss, t.s)
	}
	return strings.Join(ss, " ")
}

// receiptLines finds the item rows of a page without item codes. stop is
// the index of the first totals row (items lie above it).
func receiptLines(rows []*row, width int) (items []*receiptItem, discounts []int64) {
	colX, tol, haveCol := amountColumn(rows, width)
	stop := len(rows)
	for i, r := range rows {
		s := compactUpper(r)
		if isTotalRow(s) || isSubtotalRow(s) || fuzzyTotal(r) {
			// A "total" in the first rows is a heading, not the totals;
			// so is one over the items' column of amounts (the column
			// titles "Qty Price Total"): no amount of its own and an item
			// on the next row.
			if i > 2 && !totalHeading(rows, i, colX, tol, haveCol) {
				stop = i
				break
			}
		}
	}
	used := map[int]bool{} // text rows taken as another row's description
	descRow := func(j int) ([]string, bool) {
		if j < 0 || j >= stop || used[j] {
			return nil, false
		}
		r := rows[j]
		if _, isItem := parseReceiptRow(r, colX, tol, haveCol); isItem || isSummaryRow(r) || hasMoneyWord(r) {
			return nil, false
		}
		var d []string
		for _, t := range classify(r) {
			d = append(d, t.s)
		}
		return d, letterCount(strings.Join(d, "")) >= 2
	}
	lastRow := -2 // the row of the last item
	for i := 0; i < stop; i++ {
		r := rows[i]
		if used[i] || isSummaryRow(r) || hasKeywordWord(r, contactWords) {
			continue
		}
		it, ok := parseReceiptRow(r, colX, tol, haveCol)
		if !ok || equalsLabel(r) {
			continue
		}
		measure := measureOnly(it.desc)
		if letterCount(strings.Join(it.desc, "")) < 2 || measure {
			// Numbers only: the description is on the nearer adjacent row
			// that has words and no amount (two-line items), the row above
			// on a tie. A weighed or counted quantity and its price ("0.500
			// kg @ 2.40/kg 1.20") is printed under its item's name: the
			// row above only.
			pick, best := -1, 1<<30
			for _, j := range []int{i - 1, i + 1} {
				if measure && (j > i || notItemName(rows[j])) {
					continue
				}
				if _, ok := descRow(j); !ok {
					continue
				}
				d := abs(rows[j].midY() - r.midY())
				if j > i {
					d = d * 5 / 4
				}
				if d < best && d <= 3*(r.bot-r.top+1) {
					pick, best = j, d
				}
			}
			if pick < 0 && measure && lastRow == i-1 && measureDetail(it, items[len(items)-1]) {
				// The detail of the item above, which has its amount
				// already: not a second line.
				continue
			}
			if pick >= 0 {
				d, _ := descRow(pick)
				used[pick] = true
				if len(it.desc) > 0 && !it.hasQty {
					if q, ok := parseQty(it.desc[0]); ok && q > 0 && q < 100 {
						it.qty, it.hasQty = q, true
					}
				}
				if len(d) > 1 && !it.hasQty {
					if q, ok := parseQty(d[0]); ok && q > 0 && q < 1000 {
						it.qty, it.hasQty = q, true
						d = d[1:]
					}
				}
				it.desc, it.continued, it.descW = d, true, nil
			}
		}
		if letterCount(strings.Join(it.desc, "")) < 2 {
			continue
		}
		if it.amount < 0 {
			// A negative amount is a discount: it counts in the sum, it is
			// not an item.
			discounts = append(discounts, it.amount)
			continue
		}
		items = append(items, it)
		lastRow = i
	}
	// A last "item" whose amount is the sum of all the items above it is
	// their subtotal under a label misread beyond recognition: the
	// arithmetic says what it is.
	if n := len(items); n >= 3 {
		var sum int64
		for _, it := range items[:n-1] {
			sum += it.amount
		}
		if sum == items[n-1].amount && !items[n-1].hasQty {
			items = items[:n-1]
		}
	}
	return items, discounts
}

// staffWords name the receipt's own particulars, printed on rows of
// their own between its items' rows: who served, which till or table,
// which member.
var staffWords = []string{"CASHIER", "STAFF", "OPER", "OPERATOR", "SERVER", "SERVED", "TABLE", "MEMBER", "CUSTOMER", "TERMINAL",
	"RECEIPT", "INVOICE", "ORDER", "TRANS", "TRANSACTION", "收銀", "收银", "會員", "会员", "單號", "单号", "枱", "檯"}

// notItemName reports a row that is no item's name though it has words
// and no amount: a "label:" row ("Cashier: Ann"), the receipt's own
// particulars (staffWords) or a discount's or voucher's label
// (deductionWords). A weighed quantity's row takes its name from the row
// above only when it is none of these; a name wrong is worse than the
// quantity's own text.
func notItemName(r *row) bool {
	t := r.text()
	return strings.ContainsAny(t, ":：") || hasKeywordWord(r, staffWords) || hasKeywordWord(r, deductionWords)
}

// reMeasure is one word of a weighed or counted quantity and its unit
// price: "0.500", "kg", "1.23lb", "@", "$2.40/kg", "/lb", "@1.50".
var reMeasure = regexp.MustCompile(`^(?i)@?[$€£¥]?\d*[.,]?\d*(KG|G|LB|LBS|OZ|EA|PCS|PC)?(/(KG|G|LB|LBS|OZ|EA|PC))?$`)

// measureOnly reports a description that is only a weighed or counted
// quantity with its unit price ("0.500 kg @ 2.40/kg", "1.23 lb @ $0.99
// /lb", "2 @ 1.50"): the item's name is on a row of its own. At least
// one word must be a unit or "@" (a bare number is not a measure) and one
// a number (a unit word alone is an item's name: "BAG 0.50", "SET").
func measureOnly(desc []string) bool {
	unit, num := false, false
	for _, d := range desc {
		num = num || strings.ContainsAny(d, "0123456789")
		u := strings.ToUpper(d)
		switch {
		case isTimes(d) || u == "@":
			unit = true
		case reMeasure.MatchString(d) && strings.ContainsAny(d, "0123456789/@"):
			if strings.ContainsAny(u, "@/ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
				unit = true
			}
		case isUnitWord(d) || u == "LB" || u == "LBS" || u == "OZ":
			unit = true
		default:
			return false
		}
	}
	return unit && num
}

// measureDetail reports a weighed or counted quantity's row (it, its
// description measureOnly) that is the detail of the item above, printed
// with its amount already: the same amount ("BANANAS 1.20" / "0.500 kg @
// 2.40/kg 1.20"), or, the row having no amount of its own (its last
// number, the unit price, read as one), its quantity times that price is
// the item's amount to the cent ("APPLES 1.22" / "1.23 lb @ $0.99").
func measureDetail(it, above *receiptItem) bool {
	if it.amount <= 0 || above.amount <= 0 {
		return false
	}
	if it.amount == above.amount {
		return true
	}
	for _, d := range it.desc {
		m := reMeasureQty.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		// The first number is the quantity.
		f, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
		if err != nil || f <= 0 {
			return false
		}
		return int64(math.Round(f*float64(it.amount))) == above.amount
	}
	return false
}

// reMeasureQty is a weighed or counted quantity's word: "0.500", "1,5",
// "1.23lb", "2".
var reMeasureQty = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)(?i:kg|g|lb|lbs|oz|ea|pcs|pc)?$`)

// receiptLine turns a found item into a Line with its checks.
func receiptLine(it *receiptItem) Line {
	l := Line{Description: joinText(it.desc), Unit: it.unit, Amount: formatCents(it.amount), amountConf: it.amountConf}
	if cellReceiptRows {
		l.descW = it.descW
	}
	conf := 0.7 // an amount alone: confirmed only by the document's sum
	switch {
	case it.hasPrice && it.hasQty:
		l.Qty, l.UnitPrice = it.qty, formatCents(it.price)
		if it.qty*it.price == it.amount {
			conf = 0.99
		} else {
			conf = 0.2
			l.Problems = append(l.Problems, "qty × unit price does not equal amount")
		}
	case it.hasPrice:
		l.UnitPrice = formatCents(it.price)
		if it.price != 0 && it.amount%it.price == 0 && it.amount/it.price > 0 && it.amount/it.price < 1000 {
			l.Qty, l.qtyDerived = it.amount/it.price, true
			conf = 0.9
		} else {
			conf = 0.2
			l.Problems = append(l.Problems, "unit price does not divide the amount")
		}
	case it.hasQty:
		l.Qty = it.qty
		if it.qty > 0 && it.amount%it.qty == 0 {
			l.UnitPrice = formatCents(it.amount / it.qty)
		}
	default:
		l.Qty = 1
		l.UnitPrice = l.Amount
	}
	l.Fields = FieldConfidence{Code: 0, Qty: conf, UnitPrice: conf, Amount: conf}
	l.Confidence = conf
	if conf < reviewBelow {
		l.NeedsReview = true
	}
	return l
}

// receiptTotals reads the labelled summary amounts of a page: the
// candidates for the total (with their label's rank), the subtotal, the
// taxes and discounts.
type summary struct {
	totals   []totalCand
	subtotal int64
	hasSub   bool
	// taxes holds taxes, service charges and rounding adjustments.
	taxes []int64
	// cash and change, when both printed, give the total as their
	// difference.
	cash, change       int64
	hasCash, hasChange bool
	// sums are amounts the total equals when the page's parts add up:
	// the zero-rated and standard-rated supplies of a GST summary, a
	// total before tax plus the taxes (taxParts).
	sums []int64
	// firmSums are the sums of parts all read (taxParts.sums): a total
	// one digit from one is contradicted.
	firmSums []int64
	// deducted: a row names a deduction from the subtotal (a discount,
	// voucher, coupon, deposit), whether or not its amount was read as
	// negative: the total may be below the subtotal.
	deducted bool
	// round is the rounding adjustment printed ("Rounding Adj -0.02"),
	// also counted among the taxes.
	round int64
	// tenders are the amounts paid by card (Visa, Credit Card …): the
	// total printed a second time.
	tenders []int64
}

type totalCand struct {
	v    int64
	rank int
	row  int
	// src is the row the amount was read from: the label's own row, or
	// the row above or below whose amount it took (rowAmountAt).
	src int
	// check: read through a repair (pointMisread), kept only when a sum
	// confirms it.
	check bool
}

// rowAmount is the last amount of a row or, when the row holds only the
// label, of the nearer of the rows just above and below that hold only an
// amount (an amount printed a little higher or lower than its label is
// grouped as a row of its own).
func rowAmount(rows []*row, i int) (int64, bool) {
	v, _, ok := rowAmountAt(rows, i)
	return v, ok
}

// rowAmountAt is rowAmount with the index of the row the amount was read
// from.
func rowAmountAt(rows []*row, i int) (int64, int, bool) {
	toks := classify(rows[i])
	for k := len(toks) - 1; k >= 0; k-- {
		if toks[k].money {
			return toks[k].cents, i, true
		}
	}
	if ownNumber(toks) {
		return 0, -1, false
	}
	best, bestD, bestJ, found := int64(0), 1<<30, -1, false
	for _, j := range []int{i - 1, i + 1} {
		if j < 0 || j >= len(rows) {
			continue
		}
		nt := classify(rows[j])
		if len(nt) == 0 || len(nt) > 2 || !nt[len(nt)-1].money || letterCount(rows[j].text()) > 1 {
			continue
		}
		if d := abs(rows[j].midY() - rows[i].midY()); d < bestD && d <= 2*(rows[i].bot-rows[i].top+1) {
			best, bestD, bestJ, found = nt[len(nt)-1].cents, d, j, true
		}
	}
	if !found && i+1 < len(rows) {
		// "Amount Due" over "Credit 17.45": the payment line below.
		// Not cash tendered nor change: a note handed over is no total.
		// Nor a row of another summary amount: a discount, a tax, the
		// subtotal, a rounding ("Total Sales" over "Discount 9.00").
		next := classify(rows[i+1])
		if len(next) > 0 && len(next) <= 2 && next[len(next)-1].money && !namesCash(rows[i+1]) && !namesChange(rows[i+1]) && !namesOtherSum(rows[i+1]) {
			return next[len(next)-1].cents, i + 1, true
		}
	}
	return best, bestJ, found
}

// roundingMergedWithTotal reports a row naming a rounding and the total
// ("Round" "Total 11.25": the rounding's row, its amount lost, read as
// one with the total's row below) whose amount is too large for a
// rounding adjustment (more than 0.50): the amount is the total's, and
// the row is read as a total row.
func roundingMergedWithTotal(rows []*row, i int, u string) bool {
	if !strings.Contains(u, "TOTAL") || !roundingMerge {
		return false
	}
	// "Round" as a word of its own, not inside another ("GROUND").
	if !slices.ContainsFunc(rows[i].words, func(w Word) bool {
		return strings.HasPrefix(strings.ToUpper(strings.Trim(w.Text, trimSet)), "ROUND")
	}) {
		return false
	}
	v, ok := rowAmount(rows, i)
	return ok && abs64(v) > 50
}

// roundingMerge turns roundingMergedWithTotal on (the default).
var roundingMerge = true

func readSummary(rows []*row) summary {
	var s summary
	var parts taxParts
	type tender struct {
		v   int64
		row int
	}
	var tenders []tender
	// Two labelled values on one row ("Total Qty: 660 … 應付 Amount Due
	// 15,162.10") are read apart.
	rows = splitLabelRuns(rows)
	for i, r := range rows {
		u := compactUpper(r)
		if strings.Contains(u, "SUMMARY") || strings.Contains(u, "ANALYSIS") {
			// A tax summary table follows the totals; its "Total" is the
			// tax table's.
			break
		}
		if hasKeywordWord(r, deductionWords) || strings.Contains(u, "優惠") || strings.Contains(u, "优惠") || strings.Contains(u, "回贈") || strings.Contains(u, "禮券") || strings.Contains(u, "現金券") || strings.Contains(u, "折") {
			s.deducted = true
		}
		if p, ok := suppliesPart(u); ok {
			if v, ok := rowAmount(rows, i); ok {
				parts.add(p, abs64(v))
			}
			continue
		}
		if (isSubtotalRow(u) || fuzzySubtotal(r)) && !s.hasSub {
			if v, ok := rowAmount(rows, i); ok {
				s.subtotal, s.hasSub = abs64(v), true
			}
			continue
		}
		if roundedTotal(u) {
			if v, src, ok := rowAmountAt(rows, i); ok {
				s.totals = append(s.totals, totalCand{v: abs64(v), rank: roundedTotalRank, row: i, src: src})
			}
			continue
		}
		isTax := strings.Contains(u, "TAX") || strings.Contains(u, "GST") || strings.Contains(u, "VAT") || strings.Contains(u, "稅") || strings.Contains(u, "税") || strings.Contains(u, "SERVICE") || strings.Contains(u, "服務費") || namesServiceCharge(r, u)
		if isTax && taxIncluded(u) {
			// "(Inclusive of GST) 4.10": an amount with its tax, not a
			// tax to add.
			continue
		}
		if !isTax && strings.Contains(u, "ROUND") && roundingMergedWithTotal(rows, i, u) {
			if v, src, ok := rowAmountAt(rows, i); ok {
				s.totals = append(s.totals, totalCand{v: abs64(v), rank: 3, row: i, src: src})
			}
			continue
		}
		if isTax && (!strings.Contains(u, "TOTAL") || strings.Contains(u, "TOTALTAX") || strings.Contains(u, "TOTALGST") || strings.Contains(u, "TOTALVAT")) ||
			strings.Contains(u, "ROUND") {
			if v, ok := rowAmount(rows, i); ok {
				s.taxes = append(s.taxes, v)
				if strings.Contains(u, "ROUND") && !isTax {
					// The rounding of the total to the nearest 5 sen
					// applies to the parts with their tax too.
					parts.round += v
					s.round += v
				}
			}
			continue
		}
		if isDiscountRow(u) && !strings.Contains(u, "TOTALDISC") {
			// A discount on the whole document: a negative adjustment of
			// the lines' sum, however it is printed ("(698.06)", "131.95-").
			if v, ok := rowAmount(rows, i); ok {
				s.taxes = append(s.taxes, -abs64(v))
			}
			continue
		}
		if namesChange(r) {
			if v, ok := rowAmount(rows, i); ok && !s.hasChange {
				s.change, s.hasChange = abs64(v), true
			}
			continue
		}
		if namesCash(r) {
			if v, ok := rowAmount(rows, i); ok && !s.hasCash {
				s.cash, s.hasCash = abs64(v), true
			}
			continue
		}
		if confirmTwice && namesCard(r) && !isTotalRow(u) && !namesTotal(u) {
			// A card payment with no total label ("Card Amount" is one:
			// it stays a candidate, not its own confirmation).
			if v, ok := rowAmount(rows, i); ok && v > 0 {
				tenders = append(tenders, tender{v, i})
			}
			continue
		}
		if strings.Contains(u, "TOTAL") && strings.Contains(u, "EXCL") {
			// "Total Sales (Excluding GST)": the total before tax.
			if v, ok := rowAmount(rows, i); ok {
				parts.add(partExcl, abs64(v))
			}
			continue
		}
		excluded := false
		for _, k := range notTotal {
			if strings.Contains(u, k) {
				excluded = true
			}
		}
		if excluded {
			continue
		}
		if fuzzyTotal(r) {
			// "Tota)", "T0TAL": the label misread in one letter.
			if v, src, ok := rowAmountAt(rows, i); ok {
				s.totals = append(s.totals, totalCand{v: abs64(v), rank: 2, row: i, src: src})
			}
			s.totals = append(s.totals, pointMisread(r, 2, i)...)
			s.totals = append(s.totals, splitAmount(r, 2, i)...)
			continue
		}
		for _, tl := range totalLabels {
			if strings.Contains(u, tl.label) {
				// "( 47.70)": brackets round a total are decoration.
				if v, src, ok := rowAmountAt(rows, i); ok {
					s.totals = append(s.totals, totalCand{v: abs64(v), rank: tl.rank, row: i, src: src})
				}
				s.totals = append(s.totals, pointMisread(r, tl.rank, i)...)
				s.totals = append(s.totals, splitAmount(r, tl.rank, i)...)
				break
			}
		}
	}
	tenderAboveChange(rows, &s)
	s.sums, s.firmSums = parts.sums(s.taxes)
	for _, t := range tenders {
		// A card row whose amount a total label took as its own (the
		// label's amount unread, "TOTAL" over "VISA 46.06") is the same
		// printing, not a second one.
		if !slices.ContainsFunc(s.totals, func(c totalCand) bool { return c.src == t.row }) {
			s.tenders = append(s.tenders, t.v)
		}
	}
	return s
}

// chooseTotal picks the amount payable: among the labelled totals, those
// confirmed by arithmetic (the lines' sum or the subtotal, with or without
// taxes and rounding; cash less change) first, then the strongest label,
// the topmost on ties. conf says how it was confirmed.
func chooseTotal(s summary, lineSum int64, haveLines bool) (int64, float64, bool) {
	if len(s.totals) == 0 {
		switch {
		case s.hasSub && len(s.taxes) == 0 && haveLines && lineSum == s.subtotal:
			// No total read, no tax: the subtotal, only when the lines
			// confirm it (a subtotal alone was as often a misread amount).
			return s.subtotal, 0.3, true
		case s.hasCash && s.hasChange && s.cash > s.change:
			if v, ok := derivedTotal(s, lineSum, haveLines); ok {
				return v, 0.9, true
			}
			if s.hasSub && refuseUnchecked {
				// A subtotal was read and cash less change is neither it
				// nor it with the taxes: one of the three is misread, and
				// which is unknown.
				return 0, 0, false
			}
			return s.cash - s.change, 0.3, true
		}
		return 0, 0, false
	}
	var tax int64
	for _, t := range s.taxes {
		tax += t
	}
	var checks []int64
	if haveLines {
		checks = append(checks, lineSum, lineSum+tax)
	}
	if s.hasSub {
		checks = append(checks, s.subtotal, s.subtotal+tax)
	}
	if smallRounding(s.round) {
		// The rounding's minus lost ("Rounding Adj 0.02" for -0.02).
		if haveLines {
			checks = append(checks, lineSum+tax-2*s.round)
		}
		if s.hasSub {
			checks = append(checks, s.subtotal+tax-2*s.round)
		}
	}
	checks = append(checks, s.sums...)
	checks = append(checks, s.tenders...)
	if s.hasCash && s.hasChange && s.cash > s.change {
		// Nothing paid in cash ("Cash 0.00", "Change 0.00" on a card
		// receipt) confirms nothing: not "Balance Due 0.00".
		checks = append(checks, s.cash-s.change)
	}
	better := func(a, b totalCand) bool { return a.rank > b.rank || a.rank == b.rank && a.row < b.row }
	var conf *totalCand
	for i, c := range s.totals {
		for _, v := range checks {
			if c.v == v && (conf == nil || better(c, *conf)) {
				conf = &s.totals[i]
			}
		}
	}
	if conf != nil {
		return conf.v, 0.95, true
	}
	if confirmTwice {
		// The same amount under two total labels on two rows ("Total
		// 46.06", "Amount Due 46.06"): two printings read alike.
		for i, c := range s.totals {
			for _, d := range s.totals[i+1:] {
				if c.v == d.v && c.row != d.row && c.src != d.src && !c.check && !d.check && c.v != 0 && (conf == nil || better(c, *conf)) {
					conf = &s.totals[i]
				}
			}
		}
		if conf != nil {
			return conf.v, 0.9, true
		}
	}
	if v, ok := derivedTotal(s, lineSum, haveLines); ok {
		// No labelled total is confirmed (its amount misread, or the
		// label read next to another row's amount) but two independent
		// sums agree on the amount payable.
		return v, 0.9, true
	}
	var best *totalCand
	refused := -1
	for i, c := range s.totals {
		// 0.00 under a label no arithmetic confirms is what is left to
		// pay ("Balance Due 0.00" once paid by card), not the total.
		if c.check || c.v == 0 {
			continue
		}
		if refuseUnchecked && (belowSubtotal(s, c.v) || contradicted(s, c.v)) {
			refused = max(refused, c.rank)
			continue
		}
		if best == nil || better(c, *best) {
			best = &s.totals[i]
		}
	}
	if best != nil && best.rank < refused {
		// The strongest label's amount is refused as misread: a weaker
		// label's ("Balance 25.00", a stored-value card's) is no
		// stand-in for it.
		best = nil
	}
	if best == nil {
		// Only repaired readings, none confirmed: as if no total were
		// labelled.
		s.totals = nil
		return chooseTotal(s, lineSum, haveLines)
	}
	return best.v, 0.6, true
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// extractReceipt builds a document's lines and totals with the generic
// finder, for pages on which the item-code table found nothing.
func extractReceipt(pages []*Page, doc *Document) {
	var items []*receiptItem
	var sum summary
	for _, p := range pages {
		if p == nil {
			continue
		}
		rows := groupRows(wholeUnitWords(p.Words))
		itemRows := rows
		if ws := clippedAmounts(p); len(ws) > 0 && &ws[0] != &p.Words[0] {
			// The items' amounts only: a total is not guessed.
			itemRows = groupRows(wholeUnitWords(ws))
		}
		its, discs := receiptLines(itemRows, p.Width)
		items = append(items, its...)
		s := readSummary(rows)
		// Discounts count like taxes: negative adjustments of the sum.
		s.taxes = append(s.taxes, discs...)
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
		if s.hasCash && s.hasChange && !sum.hasCash {
			sum.cash, sum.change, sum.hasCash, sum.hasChange = s.cash, s.change, true, true
		}
	}
	var lineSum int64
	for _, it := range items {
		lineSum += it.amount
	}
	repaired := repairBySum(items, sum, lineSum)
	lineSum = 0
	for i, it := range items {
		l := receiptLine(it)
		if it.fromPrice {
			l.Problems = append(l.Problems, "amount misread: taken from the unit price it repeats")
			l.Confidence = min(l.Confidence, 0.7)
			l.Fields.Amount = min(l.Fields.Amount, 0.7)
		}
		if repaired[i] {
			l.Problems = append(l.Problems, "amount repaired: the total confirms it")
		}
		l.clipped = it.clipped && !repaired[i]
		lineSum += it.amount
		doc.Lines = append(doc.Lines, l)
	}
	h := &doc.Header
	tot, conf, ok := chooseTotal(sum, lineSum, len(items) > 0)
	if ok {
		h.Total = formatCents(tot)
		h.Confidence["total"] = conf
	}
	if sum.hasSub {
		h.Subtotal = formatCents(sum.subtotal)
	}
	// The checks: the lines reconcile when their sum is the subtotal, or
	// the total with or without the taxes. Reconciled lines are confirmed;
	// otherwise every line read from an amount alone is flagged.
	var tax int64
	for _, t := range sum.taxes {
		tax += t
	}
	reconciled := len(items) > 0 && (sum.hasSub && lineSum == sum.subtotal || ok && (lineSum == tot || lineSum+tax == tot))
	for i := range doc.Lines {
		l := &doc.Lines[i]
		if l.clipped {
			if reconciled {
				l.clipped = false // the sum confirms the 0
			} else {
				l.Problems = append(l.Problems, "amount's last digit cut off by the page's edge, read as 0")
				l.Confidence = min(l.Confidence, clippedConf)
				l.Fields.Amount = min(l.Fields.Amount, clippedConf)
				l.NeedsReview = true
			}
		}
		switch {
		case reconciled && l.Confidence >= 0.7:
			l.Confidence = max(l.Confidence, 0.95)
			l.Fields = FieldConfidence{Qty: l.Confidence, UnitPrice: l.Confidence, Amount: l.Confidence}
		case !reconciled && l.Confidence < 0.9:
			l.NeedsReview = true
			l.Problems = append(l.Problems, "amount not confirmed: the lines do not add up to the total")
		}
		if l.NeedsReview {
			doc.NeedsReview = true
		}
	}
	if !reconciled {
		doc.NeedsReview = true
		if len(items) > 0 && ok {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("line amounts add up to %s, total is %s", formatCents(lineSum), h.Total))
		}
	}
}

// amountRepairs lists other readings of an amount as read: OCR confusions
// (O/0, l/1, S/5, …) and a currency mark read as a leading digit ("£2.00"
// read "62.00").
func amountRepairs(txt string, v int64) []int64 {
	var out []int64
	for _, c := range moneyCandidates(stripMark(txt)) {
		if c.v != v && c.cost > 0 {
			out = append(out, c.v)
		}
	}
	if len(txt) > 4 && strings.ContainsRune("268$S5EfF£€", rune(txt[0])) {
		if w, ok := parseMoney(txt[1:]); ok && w != v && w >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// repairBySum repairs at most two amounts when exactly one choice of
// repairs makes the lines add up to the subtotal or the total (with or
// without the taxes): the check that confirms an OCR repair. It returns
// which items were repaired.
func repairBySum(items []*receiptItem, s summary, lineSum int64) map[int]bool {
	var targets []int64
	var tax int64
	for _, t := range s.taxes {
		tax += t
	}
	if s.hasSub {
		targets = append(targets, s.subtotal)
	}
	for _, c := range s.totals {
		targets = append(targets, c.v, c.v-tax)
	}
	if len(targets) == 0 || len(items) == 0 {
		return nil
	}
	for _, t := range targets {
		if t == lineSum {
			return nil // already reconciled
		}
	}
	type fix struct {
		i int
		v int64
	}
	var alts []fix
	for i, it := range items {
		for _, v := range amountRepairs(it.amountTxt, it.amount) {
			alts = append(alts, fix{i, v})
		}
		if it.clipped {
			// The last digit was not seen: any of ten.
			for d := int64(1); d <= 9; d++ {
				alts = append(alts, fix{i, it.amount + d})
			}
		}
	}
	var found [][]fix
	hit := func(sum int64) bool {
		for _, t := range targets {
			if t == sum {
				return true
			}
		}
		return false
	}
	for a := range alts {
		fa := alts[a]
		if hit(lineSum - items[fa.i].amount + fa.v) {
			found = append(found, []fix{fa})
		}
	}
	if len(found) == 0 {
		for a := range alts {
			for b := a + 1; b < len(alts); b++ {
				fa, fb := alts[a], alts[b]
				if fa.i == fb.i {
					continue
				}
				if hit(lineSum - items[fa.i].amount + fa.v - items[fb.i].amount + fb.v) {
					found = append(found, []fix{fa, fb})
				}
			}
		}
	}
	if len(found) != 1 {
		return nil // none, or ambiguous: nothing is repaired
	}
	out := map[int]bool{}
	for _, f := range found[0] {
		items[f.i].amount = f.v
		out[f.i] = true
	}
	return out
}

// fuzzyTotal reports a row whose words include "TOTAL" misread in one
// letter, and no exact label (those rows are read by their label).
func fuzzyTotal(r *row) bool {
	if strings.Contains(compactUpper(r), "TOTAL") {
		return false
	}
	for _, w := range r.words {
		u := strings.ToUpper(strings.Trim(w.Text, trimSet+"."))
		if len(u) >= 4 && len(u) <= 6 && editDistance(u, "TOTAL") <= 1 {
			return true
		}
	}
	return false
}

// namesOtherSum reports a row labelled with a summary amount that is not
// the amount payable: a discount or other deduction, a tax or service
// charge, the subtotal, a rounding. A total label without an amount of
// its own does not take such a row's amount as its own (rowAmountAt).
func namesOtherSum(r *row) bool {
	if !rcpt2Rules {
		return false
	}
	u := compactUpper(r)
	if hasKeywordWord(r, deductionWords) || isDiscountRow(u) || isSubtotalRow(u) || fuzzySubtotal(r) || strings.Contains(u, "ROUND") {
		return true
	}
	return strings.Contains(u, "TAX") || strings.Contains(u, "GST") || strings.Contains(u, "VAT") || strings.Contains(u, "SERVICE") ||
		strings.Contains(u, "稅") || strings.Contains(u, "税") || strings.Contains(u, "服務費") || strings.Contains(u, "折扣")
}

// totalHeading reports a row naming a total that heads the items'
// column: it holds no amount, and the row below is an item (an amount in
// the column, a description of two letters or more, no summary word).
func totalHeading(rows []*row, i, colX, tol int, haveCol bool) bool {
	if !rcpt2Rules || i+1 >= len(rows) || hasMoneyWord(rows[i]) {
		return false
	}
	next := rows[i+1]
	if i+2 < len(rows) && !hasMoneyWord(next) && letterCount(next.text()) <= 2 {
		// A rule or specks under the titles.
		next = rows[i+2]
	}
	if isSummaryRow(next) {
		return false
	}
	it, ok := parseReceiptRow(next, colX, tol, haveCol)
	return ok && letterCount(strings.Join(it.desc, "")) >= 2
}

// equalsLabel reports a row whose label is set off from its amount by an
// equals sign ("Total = 23.45", "GST = 2.70"): a summary's row however
// its label was misread ("Tote) = 23.45"), not an item's.
func equalsLabel(r *row) bool {
	if !rcpt2Rules || len(r.words) < 3 {
		return false
	}
	for _, w := range r.words[1 : len(r.words)-1] {
		if t := strings.TrimSpace(w.Text); t == "=" || t == "==" {
			return true
		}
	}
	return false
}

// rcpt2Rules turns on (the default) the summary rules of 2026-12-08: a
// total label over the items' column is a heading (totalHeading), a
// total's amount is not taken from a discount's, tax's or subtotal's row
// below (namesOtherSum) nor from any row when the label's row holds a
// number read without its point (ownNumber, pointMisread), "Tendered" is
// a summary word, and an "=" between label and amount marks a summary
// row (equalsLabel). Bench switch OCR_RCPT2_RULES=0.
var rcpt2Rules = true
