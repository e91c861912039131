package mobileapi

import (
	"bufio"
	"encoding/csv"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pandian/export"
	"pandian/stock"
)

// csvRows produces CSV records one at a time; write stops at the first
// error.
type csvRows func(write func([]string) error) error

// streamCSV streams rows as a UTF-8 CSV attachment (with a BOM, so that
// Excel reads Chinese names correctly).
func streamCSV(c *fiber.Ctx, filename string, rows csvRows) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		w.WriteString("\ufeff")
		cw := csv.NewWriter(w)
		_ = rows(func(rec []string) error {
			if err := cw.Write(rec); err != nil {
				return err
			}
			if w.Buffered() > 32<<10 {
				cw.Flush()
				return w.Flush()
			}
			return nil
		})
		cw.Flush()
		w.Flush()
	})
	return nil
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// linesCSV writes report lines; masked reports leave out book quantities.
func linesCSV(lines []stock.ReportLine, masked bool) csvRows {
	return func(write func([]string) error) error {
		head := []string{"sku", "name", "name_zh", "category", "location", "status", "counted_qty", "first_counted_qty", "recounted", "counted_by", "roles", "zones"}
		if !masked {
			head = append(head, "book_qty", "variance_qty", "unit_cost", "variance_value", "variance_pct", "within_tolerance", "recount_required", "reason_code", "posted")
		}
		if err := write(head); err != nil {
			return err
		}
		roles := func(rs []stock.Role) string {
			s := make([]string, len(rs))
			for i, r := range rs {
				s[i] = string(r)
			}
			return strings.Join(s, "|")
		}
		for _, l := range lines {
			rec := []string{l.SKU, l.Name, l.NameZh, l.Category, l.Location, l.Status, i64(l.CountedQty), i64(l.FirstCountedQty),
				strconv.FormatBool(l.Recounted), strings.Join(l.CountedBy, "|"), roles(l.Roles), strings.Join(l.Zones, "|")}
			if !masked {
				pct := ""
				if l.VariancePct != nil {
					pct = strconv.FormatFloat(*l.VariancePct, 'f', 2, 64)
				}
				rec = append(rec, i64(l.BookQty), i64(l.VarianceQty), l.UnitCost.String(), l.VarianceValue.String(), pct,
					strconv.FormatBool(l.WithinTolerance), strconv.FormatBool(l.RecountRequired), l.ReasonCode, strconv.FormatBool(l.Posted))
			}
			if err := write(rec); err != nil {
				return err
			}
		}
		return nil
	}
}

// lotsCSV writes the count by lot and expiry date.
func lotsCSV(lots []stock.LotLine) csvRows {
	return func(write func([]string) error) error {
		if err := write([]string{"sku", "lot", "expiry", "counted_qty", "scans", "expiry_status", "days_left"}); err != nil {
			return err
		}
		for _, l := range lots {
			days := ""
			if l.DaysLeft != nil {
				days = strconv.Itoa(*l.DaysLeft)
			}
			if err := write([]string{l.SKU, l.Lot, l.Expiry, i64(l.CountedQty), i64(l.Scans), l.ExpiryStatus, days}); err != nil {
				return err
			}
		}
		return nil
	}
}

// groupsCSV writes group summaries and the total.
func groupsCSV(groupBy string, groups []stock.GroupSummary, total stock.GroupSummary, masked bool) csvRows {
	return func(write func([]string) error) error {
		head := []string{groupBy, "lines", "recounted"}
		if !masked {
			head = append(head, "abs_variance_qty", "abs_variance_value", "net_variance_value", "within_tolerance", "accuracy")
		}
		if err := write(head); err != nil {
			return err
		}
		for _, g := range append(groups, total) {
			rec := []string{g.Key, strconv.Itoa(g.Lines), strconv.Itoa(g.Recounted)}
			if !masked {
				rec = append(rec, i64(g.AbsVarianceQty), g.AbsVarianceValue.String(), g.NetVarianceValue.String(), strconv.Itoa(g.WithinTolerance), strconv.FormatFloat(g.Accuracy, 'f', 4, 64))
			}
			if err := write(rec); err != nil {
				return err
			}
		}
		return nil
	}
}

// xlsxOptions reads ?currency=HKD|MOP and ?lang=en|zh-Hant|bilingual.
func xlsxOptions(c *fiber.Ctx) (export.Options, error) {
	o := export.Options{Currency: c.Query("currency"), Lang: c.Query("lang")}
	if err := o.Validate(); err != nil {
		return o, stock.Errorf(stock.EInvalid, "%s", err.Error())
	}
	return o, nil
}

// streamXLSX streams a workbook written by write as an attachment. The
// workbook is written straight into the response (excelize spills large
// sheets to a temporary file, not to memory).
func streamXLSX(c *fiber.Ctx, filename string, write func(io.Writer) error) error {
	c.Set(fiber.HeaderContentType, export.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(w); err != nil {
			slog.Error("xlsx export", "file", filename, "err", err)
		}
		w.Flush()
	})
	return nil
}
