package mobileapi

import (
	"bytes"
	"io"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// countPhoto decodes the barcodes of a photo (multipart field "file") and,
// with "qty", records each as a scan (optional "bin"). The photo is read
// as it arrives, at most MaxPhoto bytes, as an upload (upload.go).
func (a *API) countPhoto(c *fiber.Ctx) error {
	boundary, err := multipartBoundary(c, "photo")
	if err != nil {
		return err
	}
	u, err := a.startUpload(c)
	if err != nil {
		return err
	}
	defer u.done()
	res, err := a.readCountPhoto(c, multipart.NewReader(u.body, boundary))
	if err != nil {
		return u.failed(err)
	}
	if res.Scans != nil && a.opts.Observer != nil {
		a.opts.Observer.Scans(*res.Scans)
	}
	return c.JSON(res)
}

// readCountPhoto reads the parts of a photo upload and decodes the photo.
func (a *API) readCountPhoto(c *fiber.Ctx, mr *multipart.Reader) (stock.PhotoResult, error) {
	var none stock.PhotoResult
	var photo []byte
	var qtyText, bin string
	files := 0
	for {
		p, err := nextPart(mr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return none, err
		}
		switch p.FormName() {
		case "file":
			files++
			if files > 1 {
				return none, stock.Errorf(stock.EInvalid, "send exactly one photo in the file field").With("field", "file")
			}
			photo, err = io.ReadAll(io.LimitReader(p, a.opts.MaxPhoto+1))
			if err != nil {
				return none, badRequest{msg: "the photo could not be read"}
			}
			if int64(len(photo)) > a.opts.MaxPhoto {
				return none, stock.Errorf(stock.ETooLarge, "the photo is larger than %d bytes", a.opts.MaxPhoto).With("field", "file")
			}
		case "qty":
			if qtyText, err = formValue(p); err != nil {
				return none, err
			}
		case "bin":
			if bin, err = formValue(p); err != nil {
				return none, err
			}
		}
	}
	if files != 1 {
		return none, stock.Errorf(stock.EInvalid, "send exactly one photo in the file field").With("field", "file")
	}
	var record *stock.PhotoScan
	if v := strings.TrimSpace(qtyText); v != "" {
		qty, err := strconv.ParseInt(v, 10, 64)
		if err != nil || qty == 0 || qty > 100000 || qty < -100000 {
			return none, stock.Errorf(stock.EInvalid, "qty must be a non-zero integer between -100000 and 100000").With("field", "qty")
		}
		record = &stock.PhotoScan{Qty: qty, Bin: strings.TrimSpace(bin)}
	}
	return a.counts.CountPhoto(c.UserContext(), actorOf(c), c.Params("id"), bytes.NewReader(photo), record)
}
