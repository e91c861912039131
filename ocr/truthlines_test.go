package ocr

import "pandian/ocr/realtruth"

// TruthResult converts the engine's document for scoring against the
// real documents' truth (realtruth): header fields and every line.
func TruthResult(doc *Document) realtruth.Result {
	r := realtruth.Result{Total: doc.Header.Total, Date: doc.Header.Date, Supplier: doc.Header.SupplierName()}
	for _, l := range doc.Lines {
		r.Lines = append(r.Lines, TruthLine(l))
	}
	return r
}

// TruthLine converts one of the engine's lines for scoring.
func TruthLine(l Line) realtruth.Line {
	return realtruth.Line{Desc: l.Description, Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: l.Amount, NeedsReview: l.NeedsReview}
}
