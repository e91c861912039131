package mobileapi

import (
	"context"
	"io"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// uploadDocument files a document (multipart: kind, optional skus and
// location, then file) and queues its reading. The fields must come before
// the file, which is streamed to the object store as it arrives.
func (a *API) uploadDocument(c *fiber.Ctx) error {
	if err := actorOf(c).Require(stock.PermUploadDocuments); err != nil {
		return err
	}
	if n := c.Request().Header.ContentLength(); n > 0 && int64(n) > a.opts.MaxDocument+maxField*8 {
		return stock.Errorf(stock.ETooLarge, "a document may have at most %d bytes", a.opts.MaxDocument)
	}
	boundary, err := multipartBoundary(c, "document")
	if err != nil {
		return err
	}
	u, err := a.startUpload(c)
	if err != nil {
		return err
	}
	defer u.done()
	d, err := a.readDocument(c, multipart.NewReader(u.body, boundary))
	if err != nil {
		return u.failed(err)
	}
	return c.Status(fiber.StatusAccepted).JSON(d)
}

// readDocument reads the fields of a document upload and files the
// document as its file part arrives.
func (a *API) readDocument(c *fiber.Ctx, mr *multipart.Reader) (stock.Document, error) {
	var in stock.DocumentInput
	for {
		p, err := nextPart(mr)
		if err == io.EOF {
			return stock.Document{}, stock.Errorf(stock.EInvalid, "send the document in the file field").With("field", "file")
		}
		if err != nil {
			return stock.Document{}, err
		}
		if p.FormName() == "file" {
			if in.Kind == "" {
				return stock.Document{}, stock.Errorf(stock.EInvalid, "send the kind field (and skus, location) before the file").With("field", "kind")
			}
			if in.Filename == "" {
				in.Filename = p.FileName()
			}
			return a.documents.UploadDocument(c.UserContext(), actorOf(c), in, p)
		}
		v, err := formValue(p)
		if err != nil {
			return stock.Document{}, err
		}
		switch p.FormName() {
		case "kind":
			in.Kind = stock.DocumentKind(strings.TrimSpace(v))
		case "skus":
			in.SKUs = append(in.SKUs, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })...)
		case "location":
			in.Location = strings.TrimSpace(v)
		case "filename":
			in.Filename = strings.TrimSpace(v)
		}
	}
}

func (a *API) getDocument(c *fiber.Ctx) error {
	d, err := a.documents.Document(c.UserContext(), actorOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (a *API) receiveDocument(c *fiber.Ctx) error {
	var in stock.ReceiveInput
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	r, err := a.documents.ReceiveDocument(c.UserContext(), actorOf(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// matchLine confirms or corrects the catalog match of a document's line
// (0-based index in the path).
func (a *API) matchLine(c *fiber.Ctx) error {
	line, err := strconv.Atoi(c.Params("line"))
	if err != nil || line < 0 {
		return stock.Errorf(stock.EInvalid, "line must be a line's index (0, 1, …)").With("field", "line")
	}
	var in stock.MatchInput
	if err := a.readJSON(c, &in); err != nil {
		return err
	}
	d, err := a.documents.ConfirmMatch(c.UserContext(), actorOf(c), c.Params("id"), line, in)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// SignedFiles serves the download links of an object store that signs its
// own (the local one); links of S3 stores point at the store itself.
type SignedFiles interface {
	// OpenSigned checks a link's expiry and signature and opens the object:
	// forbidden when the link is expired or forged, not found when the
	// object is gone. disposition is the Content-Disposition to answer
	// with for the link's filename ("" for none).
	OpenSigned(ctx context.Context, key string, exp int64, sig, filename string) (r io.ReadCloser, size int64, contentType, disposition string, err error)
}

// downloadFile answers a signed download link.
func (a *API) downloadFile(c *fiber.Ctx) error {
	if a.opts.Files == nil {
		return stock.Errorf(stock.ENotFound, "no such file")
	}
	exp, err := strconv.ParseInt(c.Query("exp"), 10, 64)
	if err != nil {
		return stock.Errorf(stock.EForbidden, "the download link is not valid")
	}
	key := strings.TrimPrefix(c.Path(), "/v1/files/")
	r, size, ct, disposition, err := a.opts.Files.OpenSigned(c.UserContext(), key, exp, c.Query("sig"), c.Query("filename"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ct)
	if disposition != "" {
		c.Set(fiber.HeaderContentDisposition, disposition)
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Response().SetBodyStream(r, int(size))
	return nil
}
