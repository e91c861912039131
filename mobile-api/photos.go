package mobileapi

import (
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// countPhoto decodes the barcodes of a photo (multipart field "file") and,
// with "qty", records each as a scan (optional "bin").
func (a *API) countPhoto(c *fiber.Ctx) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm {
		return stock.Errorf(stock.EUnsupported, "send the photo as multipart/form-data with a file field")
	}
	form, err := c.MultipartForm()
	if err != nil {
		return badRequest{msg: "malformed multipart body"}
	}
	files := form.File["file"]
	if len(files) != 1 {
		return stock.Errorf(stock.EInvalid, "send exactly one photo in the file field").With("field", "file")
	}
	var record *stock.PhotoScan
	if v := form.Value["qty"]; len(v) > 0 && strings.TrimSpace(v[0]) != "" {
		qty, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
		if err != nil || qty == 0 || qty > 100000 || qty < -100000 {
			return stock.Errorf(stock.EInvalid, "qty must be a non-zero integer between -100000 and 100000").With("field", "qty")
		}
		record = &stock.PhotoScan{Qty: qty}
		if b := form.Value["bin"]; len(b) > 0 {
			record.Bin = strings.TrimSpace(b[0])
		}
	}
	f, err := files[0].Open()
	if err != nil {
		return badRequest{msg: "the photo could not be read"}
	}
	defer f.Close()
	res, err := a.svc.CountPhoto(c.UserContext(), actorOf(c), c.Params("id"), f, record)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
