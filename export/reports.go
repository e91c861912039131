package export

import (
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"pandian/stock"
)

// WriteCountReportXLSX writes a count's discrepancy report to w as an XLSX
// workbook with the sheets Lines, Summary, Unresolved, Lots (when r.Lots
// is set) and Info; see the package documentation for their columns. A
// masked report (r.Masked) has no book-derived columns: no book or
// variance quantities, values, tolerance or accuracy.
//
// Options are checked before anything is written to w; a later error may
// leave a partial file in w.
func WriteCountReportXLSX(w io.Writer, r stock.Report, opts Options) error {
	b, err := newBook(w, opts)
	if err != nil {
		return err
	}
	defer b.f.Close()
	if err := b.sheet(SheetLines, lineColumns(r.Masked), len(r.Lines), func(s *sheetWriter) error {
		for i := range r.Lines {
			addLine(s, &r.Lines[i], r.Masked)
			if err := s.flush(); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := b.summary(r.GroupBy, r.Groups, r.Totals, r.Masked); err != nil {
		return err
	}
	err = b.sheet(SheetUnresolved, []column{{hCode, kText, 18}, {hScans, kInt, 10}, {hQty, kInt, 10}}, len(r.Unresolved), func(s *sheetWriter) error {
		for _, u := range r.Unresolved {
			s.add(text(u.Code))
			s.add(integer(u.Scans))
			s.add(integer(u.Qty))
			if err := s.flush(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if r.Lots != nil {
		if err := b.lots(r.Lots); err != nil {
			return err
		}
	}
	currency := currencyOf(opts)
	err = b.info([]infoRow{
		{hCountID, text(r.CountID)},
		{hLocation, text(r.Location)},
		{hStatus, text(string(r.Status))},
		{hBlind, r.Blind},
		{hMasked, r.Masked},
		{hGroupBy, text(r.GroupBy)},
		{hLines, integer(int64(len(r.Lines)))},
		{hCurrency, currency},
	})
	if err != nil {
		return err
	}
	return b.finish(&excelize.DocProperties{
		Title:    "Count report " + r.CountID + " " + r.Location,
		Subject:  "pandian discrepancy report",
		Creator:  "pandian",
		Keywords: strings.Join([]string{r.CountID, r.Location, string(r.Status), currency}, ", "),
	})
}

// WriteCrossReportXLSX writes the accuracy of counting across counts to w
// as an XLSX workbook with the sheets Summary (groups and total) and Info
// (period, grouping, number of counts). Errors are as for
// WriteCountReportXLSX.
func WriteCrossReportXLSX(w io.Writer, r stock.CrossReport, opts Options) error {
	b, err := newBook(w, opts)
	if err != nil {
		return err
	}
	defer b.f.Close()
	if err := b.summary(r.GroupBy, r.Groups, r.Totals, false); err != nil {
		return err
	}
	currency := currencyOf(opts)
	err = b.info([]infoRow{
		{hFrom, timeCell{r.From}},
		{hTo, timeCell{r.To}},
		{hGroupBy, text(r.GroupBy)},
		{hCounts, integer(int64(r.Counts))},
		{hCurrency, currency},
	})
	if err != nil {
		return err
	}
	period := r.From.Format("2006-01-02") + " – " + r.To.Format("2006-01-02")
	return b.finish(&excelize.DocProperties{
		Title:    "Counting accuracy " + period + " by " + r.GroupBy,
		Subject:  "pandian cross-count report",
		Creator:  "pandian",
		Keywords: currency,
	})
}

func currencyOf(opts Options) string {
	if opts.Currency == "" {
		return CurrencyHKD
	}
	return strings.ToUpper(opts.Currency)
}

// lineColumns are the columns of the Lines sheet: those of the CSV export.
func lineColumns(masked bool) []column {
	cols := []column{
		{hSKU, kText, 14},
		{hName, kText, 30},
		{hNameZh, kText, 20},
		{hCategory, kText, 12},
		{hLocation, kText, 12},
		{hStatus, kText, 11},
		{hCountedQty, kInt, 12},
		{hFirstCountedQty, kInt, 12},
		{hRecounted, kBool, 10},
		{hCountedBy, kText, 14},
		{hRoles, kText, 16},
		{hZones, kText, 14},
	}
	if !masked {
		cols = append(cols,
			column{hBookQty, kInt, 10},
			column{hVarianceQty, kInt, 10},
			column{hUnitCost, kMoney, 13},
			column{hVarianceValue, kMoney, 15},
			column{hVariancePct, kPct, 10},
			column{hWithinTolerance, kBool, 10},
			column{hRecountRequired, kBool, 10},
			column{hReasonCode, kText, 12},
			column{hPosted, kBool, 8},
		)
	}
	return cols
}

// addLine adds the cells of one report line, in the order of lineColumns.
func addLine(s *sheetWriter, l *stock.ReportLine, masked bool) {
	s.add(text(l.SKU))
	s.add(text(l.Name))
	s.add(text(l.NameZh))
	s.add(text(l.Category))
	s.add(text(l.Location))
	s.add(text(l.Status))
	s.add(integer(l.CountedQty))
	s.add(integer(l.FirstCountedQty))
	s.add(l.Recounted)
	s.add(text(strings.Join(l.CountedBy, ", ")))
	s.add(text(joinRoles(l.Roles)))
	s.add(text(strings.Join(l.Zones, ", ")))
	if masked {
		return
	}
	s.add(integer(l.BookQty))
	s.add(integer(l.VarianceQty))
	s.add(money(l.UnitCost))
	s.add(money(l.VarianceValue))
	s.add(percent(l.VariancePct))
	s.add(l.WithinTolerance)
	s.add(l.RecountRequired)
	s.add(text(l.ReasonCode))
	s.add(l.Posted)
}

func joinRoles(rs []stock.Role) string {
	switch len(rs) {
	case 0:
		return ""
	case 1:
		return string(rs[0])
	}
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(r))
	}
	return b.String()
}

// summary adds the Summary sheet: the groups, then the total in bold. A
// masked summary has only the key, lines and recounted columns.
func (b *book) summary(groupBy string, groups []stock.GroupSummary, total stock.GroupSummary, masked bool) error {
	cols := []column{{groupLabel(groupBy), kText, 16}, {hLines, kInt, 10}, {hRecountedLines, kInt, 11}}
	if !masked {
		cols = append(cols,
			column{hAbsVarianceQty, kInt, 12},
			column{hAbsVarianceValue, kMoney, 16},
			column{hNetVarianceValue, kMoney, 16},
			column{hWithinLines, kInt, 11},
			column{hAccuracy, kPct, 10},
		)
	}
	return b.sheet(SheetSummary, cols, len(groups), func(s *sheetWriter) error {
		add := func(key string, g stock.GroupSummary) error {
			s.add(text(key))
			s.add(integer(int64(g.Lines)))
			s.add(integer(int64(g.Recounted)))
			if !masked {
				s.add(integer(g.AbsVarianceQty))
				s.add(money(g.AbsVarianceValue))
				s.add(money(g.NetVarianceValue))
				s.add(integer(int64(g.WithinTolerance)))
				s.add(fraction(g.Accuracy))
			}
			return s.flush()
		}
		for _, g := range groups {
			if err := add(g.Key, g); err != nil {
				return err
			}
		}
		s.bold = true
		return add(hTotal.in(b.lang), total)
	})
}

// lots adds the Lots sheet.
func (b *book) lots(lots []stock.LotLine) error {
	cols := []column{
		{hSKU, kText, 14},
		{hLot, kText, 14},
		{hExpiry, kDate, 12},
		{hCountedQty, kInt, 12},
		{hScans, kInt, 10},
		{hExpiryStatus, kText, 13},
		{hDaysLeft, kInt, 10},
	}
	return b.sheet(SheetLots, cols, len(lots), func(s *sheetWriter) error {
		for _, l := range lots {
			s.add(text(l.SKU))
			s.add(text(l.Lot))
			s.add(date(l.Expiry))
			s.add(integer(l.CountedQty))
			s.add(integer(l.Scans))
			s.add(text(l.ExpiryStatus))
			if l.DaysLeft != nil {
				s.add(integer(int64(*l.DaysLeft)))
			} else {
				s.add(nil)
			}
			if err := s.flush(); err != nil {
				return err
			}
		}
		return nil
	})
}

// infoRow is one field of the Info sheet. Its value is a text, number,
// boolean or timeCell.
type infoRow struct {
	field label
	value any
}

// timeCell is a date and time for the Info sheet, shown in its own time
// zone.
type timeCell struct{ t time.Time }

// info adds the Info sheet.
func (b *book) info(rows []infoRow) error {
	return b.sheet(SheetInfo, []column{{hField, kText, 18}, {hValue, kText, 24}}, noFilter, func(s *sheetWriter) error {
		for _, r := range rows {
			s.add(r.field.in(b.lang))
			v := r.value
			switch x := v.(type) {
			case timeCell:
				v = excelize.Cell{StyleID: b.st.plain[kDateTime], Value: x.t}
			case int64:
				v = excelize.Cell{StyleID: b.st.plain[kInt], Value: x}
			}
			s.add(v)
			if err := s.flush(); err != nil {
				return err
			}
		}
		return nil
	})
}
