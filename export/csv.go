package export

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"pandian/stock"
)

// CSVContentType is the media type of the CSV downloads.
const CSVContentType = "text/csv; charset=utf-8"

// Cell is one cell of a CSV row: text (guarded against formula injection)
// or a number (written as it is, so a negative quantity stays a number).
// Build cells with Text, Int, Float, Money, Bool and Empty.
type Cell struct {
	s    string
	text bool
}

// Text is a free-text cell (names, categories, codes, keys). A spreadsheet
// reads a cell starting with = + - @ tab or carriage return as a formula
// (OWASP "CSV injection"), so such a cell is written with a leading
// apostrophe: Excel and LibreOffice then show it as the text it is.
func Text(s string) Cell { return Cell{s: s, text: true} }

// Int is an integer cell.
func Int(n int64) Cell { return Cell{s: strconv.FormatInt(n, 10)} }

// Float is a number cell with prec decimals; nil is an empty cell.
func Float(f *float64, prec int) Cell {
	if f == nil {
		return Cell{}
	}
	return Cell{s: strconv.FormatFloat(*f, 'f', prec, 64)}
}

// Money is an amount cell (exact decimals, e.g. -12.50).
func Money(m stock.Money) Cell { return Cell{s: m.String()} }

// Bool is a true/false cell.
func Bool(b bool) Cell { return Cell{s: strconv.FormatBool(b)} }

// Empty is an empty cell.
func Empty() Cell { return Cell{} }

// guard prefixes a text cell that a spreadsheet would evaluate.
func guard(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// CSV writes RFC 4180 CSV (CRLF line ends), UTF-8 with a byte order mark
// so that Excel reads the Chinese names. It is the one CSV writer of the
// API and the review pages: every text cell goes through the formula
// guard. Writes are buffered; call Flush at the end.
type CSV struct {
	w   *bufio.Writer
	err error
}

// NewCSV starts a CSV document on w (the byte order mark is written
// first).
func NewCSV(w io.Writer) *CSV {
	c := &CSV{w: bufio.NewWriterSize(w, 32<<10)}
	_, c.err = c.w.WriteString("\ufeff")
	return c
}

// Header writes a header row (plain text cells, guarded too).
func (c *CSV) Header(names ...string) error {
	cells := make([]Cell, len(names))
	for i, n := range names {
		cells[i] = Text(n)
	}
	return c.Row(cells...)
}

// Row writes one row; it returns the first write error, and keeps
// returning it.
func (c *CSV) Row(cells ...Cell) error {
	if c.err != nil {
		return c.err
	}
	for i, cell := range cells {
		if i > 0 {
			c.w.WriteByte(',')
		}
		s := cell.s
		if cell.text {
			s = guard(s)
		}
		if strings.ContainsAny(s, ",\"\r\n") {
			c.w.WriteByte('"')
			c.w.WriteString(strings.ReplaceAll(s, `"`, `""`))
			c.w.WriteByte('"')
		} else {
			c.w.WriteString(s)
		}
	}
	_, c.err = c.w.WriteString("\r\n")
	return c.err
}

// Buffered is the number of bytes written but not flushed yet.
func (c *CSV) Buffered() int { return c.w.Buffered() }

// Flush writes the buffered rows to the underlying writer.
func (c *CSV) Flush() error {
	if c.err != nil {
		return c.err
	}
	c.err = c.w.Flush()
	return c.err
}

// joinText joins values with "|" (a cell of several codes).
func joinText[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, "|")
}

// WriteLinesCSV writes a count report's lines. A masked report leaves out
// the book-derived columns.
func WriteLinesCSV(c *CSV, lines []stock.ReportLine, masked bool) error {
	head := []string{"sku", "name", "name_zh", "category", "location", "status", "counted_qty", "first_counted_qty", "recounted", "counted_by", "roles", "zones"}
	if !masked {
		head = append(head, "book_qty", "variance_qty", "unit_cost", "variance_value", "variance_pct", "within_tolerance", "recount_required", "reason_code", "posted")
	}
	if err := c.Header(head...); err != nil {
		return err
	}
	rec := make([]Cell, 0, len(head))
	for i := range lines {
		l := &lines[i]
		rec = append(rec[:0], Text(l.SKU), Text(l.Name), Text(l.NameZh), Text(l.Category), Text(l.Location), Text(l.Status),
			Int(l.CountedQty), Int(l.FirstCountedQty), Bool(l.Recounted), Text(joinText(l.CountedBy)), Text(joinText(l.Roles)), Text(joinText(l.Zones)))
		if !masked {
			rec = append(rec, Int(l.BookQty), Int(l.VarianceQty), Money(l.UnitCost), Money(l.VarianceValue), Float(l.VariancePct, 2),
				Bool(l.WithinTolerance), Bool(l.RecountRequired), Text(l.ReasonCode), Bool(l.Posted))
		}
		if err := c.Row(rec...); err != nil {
			return err
		}
	}
	return nil
}

// WriteLotsCSV writes a count by lot and expiry date.
func WriteLotsCSV(c *CSV, lots []stock.LotLine) error {
	if err := c.Header("sku", "lot", "expiry", "counted_qty", "scans", "expiry_status", "days_left"); err != nil {
		return err
	}
	for _, l := range lots {
		days := Empty()
		if l.DaysLeft != nil {
			days = Int(int64(*l.DaysLeft))
		}
		if err := c.Row(Text(l.SKU), Text(l.Lot), Text(l.Expiry), Int(l.CountedQty), Int(l.Scans), Text(l.ExpiryStatus), days); err != nil {
			return err
		}
	}
	return nil
}

// WriteGroupsCSV writes group summaries (by groupBy) and the total row.
// Masked summaries leave out the variance columns.
func WriteGroupsCSV(c *CSV, groupBy string, groups []stock.GroupSummary, total stock.GroupSummary, masked bool) error {
	head := []string{groupBy, "lines", "recounted"}
	if !masked {
		head = append(head, "abs_variance_qty", "abs_variance_value", "net_variance_value", "within_tolerance", "accuracy")
	}
	if err := c.Header(head...); err != nil {
		return err
	}
	row := func(g *stock.GroupSummary) error {
		rec := []Cell{Text(g.Key), Int(int64(g.Lines)), Int(int64(g.Recounted))}
		if !masked {
			acc := g.Accuracy
			rec = append(rec, Int(g.AbsVarianceQty), Money(g.AbsVarianceValue), Money(g.NetVarianceValue), Int(int64(g.WithinTolerance)), Float(&acc, 4))
		}
		return c.Row(rec...)
	}
	for i := range groups {
		if err := row(&groups[i]); err != nil {
			return err
		}
	}
	return row(&total)
}

// ReviewCSVHeader is the header row of the review pages' CSV download.
var ReviewCSVHeader = []string{"count_id", "sku", "name", "name_zh", "category", "zones", "status", "book_qty", "counted_qty",
	"variance_qty", "currency", "unit_cost", "variance_value", "variance_pct", "counted_by", "roles", "recounted", "reason_code", "posted"}

// WriteReviewCSV writes the review pages' download of a report's lines
// (money in currency, HKD or MOP). Book-derived columns are empty in a
// masked report.
func WriteReviewCSV(c *CSV, r stock.Report, currency string) error {
	if err := c.Header(ReviewCSVHeader...); err != nil {
		return err
	}
	for i := range r.Lines {
		l := &r.Lines[i]
		book, varQty, varValue, pct := Empty(), Empty(), Empty(), Empty()
		if !r.Masked {
			book, varQty, varValue, pct = Int(l.BookQty), Int(l.VarianceQty), Money(l.VarianceValue), Float(l.VariancePct, 2)
		}
		if err := c.Row(Text(r.CountID), Text(l.SKU), Text(l.Name), Text(l.NameZh), Text(l.Category), Text(joinText(l.Zones)), Text(l.Status),
			book, Int(l.CountedQty), varQty, Text(currency), Money(l.UnitCost), varValue, pct,
			Text(joinText(l.CountedBy)), Text(joinText(l.Roles)), Bool(l.Recounted), Text(l.ReasonCode), Bool(l.Posted)); err != nil {
			return err
		}
	}
	return nil
}

// FormulaCell reports whether a parsed CSV cell would be evaluated by a
// spreadsheet: it starts with = + - @ tab or carriage return and is not a
// plain number. The guard of Text makes this false for every cell CSV
// writes (a check for tests and audits of exported files).
func FormulaCell(s string) bool {
	if s == "" || strings.IndexByte("=+-@\t\r", s[0]) < 0 {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err != nil || s[0] != '-'
}

// Flushing returns a writer that passes each write on to w's destination
// at once (a streamed download sends the CSV writer's blocks as they come,
// rather than when w's buffer fills).
func Flushing(w *bufio.Writer) io.Writer { return flushing{w} }

type flushing struct{ w *bufio.Writer }

func (f flushing) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		err = f.w.Flush()
	}
	return n, err
}
