package review

import (
	"io"

	"pandian/export"
	"pandian/stock"
)

// writeCSV writes the report's lines (money in currency, HKD or MOP) with
// the shared CSV writer (export.WriteReviewCSV: UTF-8 with a BOM, text
// cells guarded against formula injection).
func writeCSV(w io.Writer, r stock.Report, currency string) error {
	cw := export.NewCSV(w)
	if err := export.WriteReviewCSV(cw, r, currency); err != nil {
		return err
	}
	return cw.Flush()
}
