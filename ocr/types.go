package ocr

// Header holds the document-level fields.
type Header struct {
	// DocType is PO (purchase order), DN (delivery note), RC (invoice or
	// receipt) or empty when unknown.
	DocType    string
	SupplierZH string
	SupplierEN string
	// DocNumber is the document number as printed, e.g. "PO/2024/3073".
	DocNumber string
	// Date is the document date in ISO form (yyyy-mm-dd); DatePrinted is the
	// text it was read from.
	Date        string
	DatePrinted string
	Currency    string
	// Subtotal, Discount and Total are decimal strings with two decimals, or
	// empty when not found.
	Subtotal, Discount, Total string
	// Confidence per field name ("doc_number", "date", "total", ...), 0–1.
	Confidence map[string]float64
}

// Line is one line item.
type Line struct {
	// SKU is the supplier's item code; Barcode an EAN-13 (check digit
	// verified). Usually only one of them is set.
	SKU, Barcode string
	Description  string
	Unit         string
	Qty          int64
	// UnitPrice and Amount are decimal strings with two decimals.
	UnitPrice, Amount string
	// Confidence is 0–1: high when every field was read with good OCR
	// confidence and qty × unit price = amount holds.
	Confidence float64
	// NeedsReview is true when a check failed or a field is missing; the
	// line must be confirmed by a person. Problems says why.
	NeedsReview bool
	Problems    []string
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
}
