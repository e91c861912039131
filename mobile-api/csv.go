package mobileapi

import (
	"bufio"
	"io"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"pandian/export"
	"pandian/stock"
)

// csvRows writes the rows of a CSV download with the shared writer.
type csvRows func(cw *export.CSV) error

// streamCSV streams rows as a UTF-8 CSV attachment (export.CSV: a BOM, so
// that Excel reads Chinese names, and text cells guarded against formula
// injection), flushed to the client every 32 KiB.
func streamCSV(c *fiber.Ctx, filename string, rows csvRows) error {
	c.Set(fiber.HeaderContentType, export.CSVContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		cw := export.NewCSV(export.Flushing(w))
		err := rows(cw)
		if err == nil {
			err = cw.Flush()
		}
		if err != nil {
			// The status is sent: the client sees a cut file.
			slog.Error("csv export", "file", filename, "err", err)
		}
		w.Flush()
	})
	return nil
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
