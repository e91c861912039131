package review

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"pandian/stock"
)

// csvHeader is the header row of the pages' CSV download.
var csvHeader = []string{"count_id", "sku", "name", "name_zh", "category", "zones", "status", "book_qty", "counted_qty",
	"variance_qty", "currency", "unit_cost", "variance_value", "variance_pct", "counted_by", "roles", "recounted", "reason_code", "posted"}

// writeCSV writes the report's lines (money in currency, HKD or MOP) as RFC 4180 CSV, UTF-8 with a BOM (so
// that Excel reads the Chinese names). Book-derived columns are empty in a
// masked report. Text cells that a spreadsheet would read as a formula are
// prefixed with an apostrophe.
func writeCSV(w io.Writer, r stock.Report, currency string) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	row := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(csvCell(c))
		}
		bw.WriteString("\r\n")
	}
	row(csvHeader)
	for _, l := range r.Lines {
		roles := make([]string, len(l.Roles))
		for i, x := range l.Roles {
			roles[i] = string(x)
		}
		book, varQty, varValue, pct := "", "", "", ""
		if !r.Masked {
			book = strconv.FormatInt(l.BookQty, 10)
			varQty = strconv.FormatInt(l.VarianceQty, 10)
			varValue = l.VarianceValue.String()
			if l.VariancePct != nil {
				pct = strconv.FormatFloat(*l.VariancePct, 'f', 2, 64)
			}
		}
		row([]string{r.CountID, text(l.SKU), text(l.Name), text(l.NameZh), text(l.Category), text(strings.Join(l.Zones, "|")), l.Status,
			book, strconv.FormatInt(l.CountedQty, 10), varQty, currency, l.UnitCost.String(), varValue, pct,
			text(strings.Join(l.CountedBy, "|")), strings.Join(roles, "|"), strconv.FormatBool(l.Recounted), l.ReasonCode, strconv.FormatBool(l.Posted)})
	}
	return bw.Flush()
}

// text guards a free-text cell against formula injection.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvCell quotes a cell when it holds a comma, quote or line break.
func csvCell(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
