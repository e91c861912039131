package mobileapi

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// Request bodies are streamed (Fiber's StreamRequestBody): uploads of
// photos and documents are read part by part as they arrive, never whole
// in memory, and every other body is read here, up to MaxBody.

// streamed reports whether the route reads its body as a stream.
func streamed(c *fiber.Ctx) bool {
	if c.Method() != fiber.MethodPost {
		return false
	}
	p := c.Path()
	return p == "/v1/documents" || (strings.HasPrefix(p, "/v1/counts/") && strings.HasSuffix(p, "/images"))
}

// drainBody runs after a streamed route: what the handler left of the body
// (parts after the file, or the rest of a refused upload) is read if it is
// at most 8 MiB, so that a client still sending a refused photo gets the
// answer rather than a reset connection; past that the connection is
// closed after the answer, so that leftover bytes are never taken for the
// next request.
func drainBody(c *fiber.Ctx) error {
	err := c.Next()
	if c.Request().IsBodyStream() {
		const most = 8 << 20
		if n, _ := io.CopyN(io.Discard, c.Context().RequestBodyStream(), most); n == most {
			c.Context().SetConnectionClose()
		}
	}
	return err
}

// boundBody reads the body of every route that does not stream, refusing
// bodies over MaxBody with 413 before reading them when their length is
// declared.
func (a *API) boundBody(c *fiber.Ctx) error {
	if streamed(c) {
		return drainBody(c)
	}
	if n := c.Request().Header.ContentLength(); n > a.opts.MaxBody {
		return stock.Errorf(stock.ETooLarge, "the body is larger than %d bytes", a.opts.MaxBody)
	}
	if c.Request().IsBodyStream() {
		b, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(a.opts.MaxBody)+1))
		if err != nil {
			return badRequest{msg: "the body could not be read"}
		}
		if len(b) > a.opts.MaxBody {
			return stock.Errorf(stock.ETooLarge, "the body is larger than %d bytes", a.opts.MaxBody)
		}
		c.Request().SetBodyRaw(b)
	}
	return c.Next()
}

// uploadSlot takes one of the MaxUploads places for uploads in progress,
// answering 429 when none is free; release gives it back.
func (a *API) uploadSlot() (release func(), err error) {
	select {
	case a.uploads <- struct{}{}:
		return func() { <-a.uploads }, nil
	default:
		return nil, stock.Errorf(stock.ERateLimited, "too many uploads in progress; try again shortly").With("retry_after_seconds", 2)
	}
}

// multipartBody returns a reader over the parts of a multipart/form-data
// body as it arrives.
func (a *API) multipartBody(c *fiber.Ctx, what string) (*multipart.Reader, error) {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return nil, stock.Errorf(stock.EUnsupported, "send the %s as multipart/form-data with a file field", what)
	}
	var body io.Reader
	if c.Request().IsBodyStream() {
		body = c.Context().RequestBodyStream()
	} else {
		body = bytes.NewReader(c.Body())
	}
	return multipart.NewReader(body, params["boundary"]), nil
}

// maxField bounds a text field of a multipart form.
const maxField = 64 << 10

// formValue reads a text part.
func formValue(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, maxField+1))
	if err != nil {
		return "", badRequest{msg: "malformed multipart body"}
	}
	if len(b) > maxField {
		return "", stock.Errorf(stock.ETooLarge, "field %s is longer than %d bytes", p.FormName(), maxField).With("field", p.FormName())
	}
	return string(b), nil
}

// nextPart returns the next part, io.EOF at the end.
func nextPart(mr *multipart.Reader) (*multipart.Part, error) {
	p, err := mr.NextPart()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		return nil, badRequest{msg: "malformed multipart body"}
	}
	return p, nil
}
