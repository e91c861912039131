package ocr

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// roundedTotal reports a row naming the total after rounding ("Total
// Rounded", "Rounded Total", "Total after rounding"): the amount payable
// where cash totals are rounded to the nearest coin, not a rounding
// adjustment ("Rounding Adj"), which names no total.
func roundedTotal(u string) bool {
	return strings.Contains(u, "TOTAL") && (strings.Contains(u, "ROUNDED") || strings.Contains(u, "AFTERROUND"))
}

// roundedTotalRank ranks a rounded total above a plain "Total" (the
// amount before rounding).
const roundedTotalRank = 4

// splitAmount reads the last two words of a total row as one amount split
// in two by the reading: a thousands group cut after its comma ("MOP$9,"
// "769.03" for 9,769.03) or its comma read as a space ("MOP$8" "022.04"),
// or the decimal point read as a space ("26,562" "48" for 26,562.48). Like pointMisread, the candidate counts only when a
// sum (the lines', the subtotal) confirms it.
func splitAmount(r *row, rank, i int) []totalCand {
	toks := classify(r)
	n := len(toks)
	if n < 2 {
		return nil
	}
	a, b := stripMark(toks[n-2].s), toks[n-1].s
	var joined string
	switch {
	case reSplitThousands.MatchString(a) && reGroupAndCents.MatchString(b):
		joined = a + b
	case reIntGroups.MatchString(a) && len(b) == 2 && allDigits(b):
		joined = a + "." + b
	case len(a) >= 1 && len(a) <= 3 && allDigits(a) && reGroupAndCents.MatchString(b):
		joined = a + "," + b // "MOP$8 022.04": the thousands separator read as a space
	default:
		return nil
	}
	v, ok := parseMoney(joined)
	if !ok {
		return nil
	}
	return []totalCand{{v: v, rank: rank, row: i, src: i, check: true}}
}

var (
	reSplitThousands = regexp.MustCompile(`^\d{1,3}(,\d{3})*,$`)
	reGroupAndCents  = regexp.MustCompile(`^\d{3}\.\d{2}$`)
	reIntGroups      = regexp.MustCompile(`^\d{1,3}(,\d{3})+$|^\d{1,6}$`)
)

// cashWords and changeWords name the cash tendered and the change given
// back, as words (hasKeywordWord): an item named "Tenderloin" is no
// tender, "Exchange" no change.
var (
	cashWords   = []string{"CASH", "TENDER", "現金", "现金"}
	changeWords = []string{"CHANGE", "找續", "找零", "找赎", "找贖"}
)

func namesCash(r *row) bool   { return hasKeywordWord(r, cashWords) }
func namesChange(r *row) bool { return hasKeywordWord(r, changeWords) }

// fuzzySubtotal reports a row whose label is "Subtotal" misread in one
// letter ("Suototal", "Subtota1"): the sum before taxes, not the total.
func fuzzySubtotal(r *row) bool {
	prev := ""
	for _, w := range r.words {
		u := strings.ToUpper(strings.Trim(w.Text, trimSet+"."))
		// The word alone, or run together with the word before ("SB
		// TOTAL").
		for _, c := range []string{u, prev + u} {
			if len(c) >= 7 && len(c) <= 9 && c != "SUBTOTAL" && editDistance(c, "SUBTOTAL") <= 1 {
				return true
			}
		}
		prev = u
	}
	return false
}

// A GST summary prints the total in parts (Malaysian receipts: "Total 0%
// supplies: 12.60", "Total 6% supplies (excl. GST): 13.68", "GST: 0.82",
// "Total 6% supplies (Inc. GST): 14.50", then "Total Payable: 27.10"), and
// a till prints the total before tax ("Total Sales (Excluding GST)
// 120.00"). The parts add up to the total: a check that confirms a total
// read under its label, or none.

// partKind is the kind of a part of the total.
type partKind int

const (
	partZero partKind = iota // zero-rated (or exempt) supplies
	partIncl                 // standard-rated supplies with their tax
	partExcl                 // standard-rated supplies, or the whole, before tax
)

// suppliesPart reports a row of a GST summary's supplies (u: the row's
// text upper case, spaces removed) and which part it holds: before tax
// ("excl."), with tax ("Inc. GST", any other mention of the tax) or
// zero-rated (no tax named). The word is often misread ("sgplies",
// "suppl tes"), so a piece of it is enough.
func suppliesPart(u string) (partKind, bool) {
	if !strings.Contains(u, "SUPPL") && !strings.Contains(u, "PLIES") && !strings.Contains(u, "UPPLI") {
		return 0, false
	}
	switch {
	case strings.Contains(u, "EXC"):
		return partExcl, true
	case strings.Contains(u, "INC") || strings.Contains(u, "GST") || strings.Contains(u, "SST") || strings.Contains(u, "TAX"):
		return partIncl, true
	}
	return partZero, true
}

// taxParts collects a page's parts of the total, each distinct amount
// once per kind.
type taxParts struct {
	zero, incl, excl []int64
	// round is the rounding adjustment printed ("Rounding Adj -0.02").
	round int64
}

func (p *taxParts) add(k partKind, v int64) {
	l := &p.zero
	switch k {
	case partIncl:
		l = &p.incl
	case partExcl:
		l = &p.excl
	}
	if !slices.Contains(*l, v) {
		*l = append(*l, v)
	}
}

// sums are the totals the parts make, with the page's taxes (adjustments
// such as rounding included): zero-rated plus standard-rated with tax, or
// plus standard-rated before tax and the taxes. A zero-rated part alone
// makes no total (it is printed on receipts that have another part).
//
// firm are the sums of parts all read: a zero-rated part among them (a
// GST summary prints it, 0.00 when nothing is zero-rated). A sum without
// it may lack a part, so it confirms but contradicts nothing.
func (p *taxParts) sums(taxes []int64) (out, firm []int64) {
	var tax int64
	for _, t := range taxes {
		tax += t
	}
	zero := p.zero
	if len(zero) == 0 {
		zero = []int64{0}
	}
	for _, z := range zero {
		for _, i := range p.incl {
			out = append(out, z+i)
			if p.round != 0 {
				out = append(out, z+i+p.round)
			}
		}
		if tax != 0 {
			for _, e := range p.excl {
				out = append(out, z+e+tax)
			}
		}
	}
	if len(p.zero) > 0 {
		firm = slices.Clone(out)
	}
	if smallRounding(p.round) {
		// The rounding's minus lost in the reading ("Rounding Adj 0.02"
		// for -0.02): the sums with it the other way confirm, but
		// contradict nothing.
		n := len(out)
		for _, v := range out[:n] {
			out = append(out, v-2*p.round)
		}
	}
	return out, firm
}

// smallRounding reports a rounding adjustment of a cash total to the
// nearest 5 or 10 cents (at most 5 cents either way), whose sign a
// reading can lose.
func smallRounding(r int64) bool { return r != 0 && abs64(r) <= 5 }

// refuseUnchecked turns on the refusals of totals no arithmetic confirms
// and the page's other amounts contradict (cash less change against a
// subtotal, a total below the subtotal).
var refuseUnchecked = true

// belowSubtotal reports an amount less than the page's subtotal when no
// discount or other negative adjustment is printed: the total of a page
// cannot be, so one of the two is misread ("Total ~0.01" under "Subtotal
// 10.34").
func belowSubtotal(s summary, v int64) bool {
	if !s.hasSub || v >= s.subtotal || s.deducted {
		return false
	}
	if smallRounding(s.round) && v >= s.subtotal-abs64(s.round) {
		// Below by a rounding adjustment alone, its minus lost.
		return false
	}
	for _, t := range s.taxes {
		if t < 0 {
			return false
		}
	}
	return true
}

// contradicted reports an unconfirmed total that differs in one digit
// alone from what the page's parts of the total (GST supplies, a total
// before tax and the taxes) add up to ("Total Payable 27.49" against
// 12.60 + 14.59): one of the two is misread, and nothing says which. A
// sum further off is no contradiction (a part missed). The lines' sum is
// no such check: a line's amount misread is the likelier
// (TestExtractReceiptFlagsNotHides).
func contradicted(s summary, v int64) bool {
	for _, x := range s.firmSums {
		if oneDigitApart(v, x) {
			return true
		}
	}
	return false
}

// oneDigitApart reports two amounts printed with as many digits that
// differ in one of them ("7.69" and "7.60").
func oneDigitApart(a, b int64) bool {
	x, y := formatCents(a), formatCents(b)
	if len(x) != len(y) || x == y {
		return false
	}
	n := 0
	for i := range len(x) {
		if x[i] != y[i] {
			n++
		}
	}
	return n == 1
}

// confirmTwice turns on the confirmation of a total by its second
// printing: a card payment of the same amount, or a second total label.
var confirmTwice = true

// cardWords name a payment by card, as words (hasKeywordWord).
var cardWords = []string{"VISA", "MASTER", "MASTERCARD", "AMEX", "CARD", "DEBIT", "CREDIT", "EFTPOS", "NETS", "UNIONPAY", "信用卡", "八達通", "八达通"}

// walletWords name Hong Kong's stored-value card and the wallets paid by
// phone, as words: payments when walletPayments is on (off by default:
// no held-out total changed; bench switch OCR_WALLET_PAYMENTS).
var walletWords = []string{"OCTOPUS", "ALIPAY", "ALIPAYHK", "WECHAT", "WECHATPAY", "PAYME", "JCB", "銀聯", "银联", "支付寶", "支付宝", "微信"}

var walletPayments = false

func namesCard(r *row) bool {
	return hasKeywordWord(r, cardWords) || walletPayments && hasKeywordWord(r, walletWords)
}

// namesTotal reports a row (its text upper case, spaces removed) holding
// one of the total labels.
func namesTotal(u string) bool {
	for _, tl := range totalLabels {
		if strings.Contains(u, tl.label) {
			return true
		}
	}
	return false
}

// deductionWords name, as words, an amount taken off the subtotal: a
// discount however abbreviated, a voucher or coupon, a deposit paid, a
// member's saving ("Less: Deposit", "Disc 10%").
var deductionWords = []string{"DISC", "DISCOUNT", "DISCOUNTS", "VOUCHER", "COUPON", "LESS", "DEPOSIT", "SAVING", "SAVINGS", "REBATE", "REDEEM", "REDEMPTION", "PROMO", "PROMOTION"}

// namesServiceCharge reports a row naming a restaurant's service charge
// in short ("S/C", "Svc Chg", Hong Kong's "加一", the ten per cent added,
// on a row of its own: not an item named with it).
func namesServiceCharge(r *row, u string) bool {
	if strings.Contains(u, "S/C") || hasKeywordWord(r, []string{"SVC", "SVCCHG", "SERVCHG"}) {
		return true
	}
	if !strings.Contains(u, "加一") {
		return false
	}
	han := 0
	for _, c := range u {
		if unicode.Is(unicode.Han, c) {
			han++
		}
	}
	return han <= 3
}
