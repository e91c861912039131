package ocr

import "strings"

// Header holds the document-level fields.
type Header struct {
	// DocType is PO (purchase order), DN (delivery note), RC (invoice or
	// receipt) or empty when unknown.
	DocType string
	// Supplier is the supplier's name from the letterhead, as printed (any
	// language); SupplierZH and SupplierEN are its Chinese and English
	// company names when recognised by company words.
	Supplier   string
	SupplierZH string
	SupplierEN string
	// DocNumber is the document number as printed, e.g. "PO/2024/3073".
	DocNumber string
	// Date is the document date in ISO form (yyyy-mm-dd); DatePrinted is the
	// text it was read from.
	Date        string
	DatePrinted string
	// DateAmbiguous is set when the printed date is numeric and reads as a
	// valid date with day and month either way round; Date then follows the
	// location's default (day first in Hong Kong and Macau).
	DateAmbiguous bool
	Currency      string
	// Subtotal, Discount and Total are decimal strings with two decimals, or
	// empty when not found.
	Subtotal, Discount, Total string
	// Confidence per field name ("doc_number", "date", "total", ...), 0–1.
	Confidence map[string]float64
}

// SupplierName is the supplier as one string: the company names when
// recognised, else the letterhead.
func (h Header) SupplierName() string {
	if n := strings.TrimSpace(h.SupplierZH + " " + h.SupplierEN); n != "" {
		return n
	}
	return h.Supplier
}

// Line is one line item.
type Line struct {
	// SKU is the supplier's item code; Barcode an EAN-13 (check digit
	// verified). Usually only one of them is set.
	SKU, Barcode string
	Description  string
	Unit         string
	Qty          int64
	// UnitPrice and Amount are decimal strings with two decimals; Amount is
	// after any line discount.
	UnitPrice, Amount string
	// DiscountPct is the line discount in percent as a decimal string ("5",
	// "12.5"), empty when the table has no discount column.
	DiscountPct string
	// Confidence is 0–1, the lowest of Fields.
	Confidence float64
	// Fields holds the confidence of each field.
	Fields FieldConfidence
	// NeedsReview is true when a check failed or a field is missing; the
	// line must be confirmed by a person. Problems says why.
	NeedsReview bool
	Problems    []string

	// altCode is the disagreeing second reading of a SKU, if any;
	// altChecked says a second reading was made, altAgrees that it matched.
	altCode               string
	altChecked, altAgrees bool
	// qtyDerived: the quantity was not read but derived from the amount
	// and the unit price (checkDerivedQty).
	qtyDerived bool
	// nameAbove: the titled table read its name from the rows above its
	// numbers while most lines print theirs on their numbers' row
	// (checkNameAbove flags it).
	nameAbove bool
	// nameSplit: its name lines were split from a neighbour's by a close
	// call of their spacing (checkNameSplit flags it).
	nameSplit bool
	// amountConf is the OCR confidence (0–100) of the word the amount was
	// read from, when the receipt reader read it (0: not known).
	amountConf float64
	// clipped: the amount's last digit was cut off by the page's edge and
	// guessed (clipped.go); a second reading of the row replaces it.
	clipped bool
	// descW are the words the description was read from, all on the
	// row of the line's numbers (nil otherwise, and on lines not read
	// from a page's rows): the cell look re-reads them.
	descW []Word
}

// Document is the extraction result for one (possibly multi-page) document.
type Document struct {
	Header Header
	Lines  []Line
	Pages  int
	// NeedsReview is true when any line needs review or the totals do not
	// reconcile with the lines.
	NeedsReview bool
	Warnings    []string
	// looked holds the second look's readings, at their pages' indices
	// (nil for a page not read again): more evidence of the total
	// (voteTotal).
	looked []*Page
}

// FieldConfidence holds per-field confidences (0–1) of a line. The numbers
// share one value because one check covers them: 0.99 when qty × unit price
// = amount holds as read, 0.9 when it holds after a repair, 0.2 when it
// fails, 0.1 when a field is missing (derived values). The code's value is
// 0.99 for a barcode whose check digit and second reading agree, 0.9 for
// codes whose two readings agree, lower otherwise.
type FieldConfidence struct {
	Code, Qty, UnitPrice, Amount float64
}
