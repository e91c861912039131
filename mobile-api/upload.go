package mobileapi

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// Uploads (photos, documents) are read part by part as they arrive. Each
// holds one of the employee's MaxUploadsPerEmployee places from the start,
// and one of the MaxUploads places of the server only once its body moves:
// a client that opens uploads and trickles bytes is cut off by the pace
// (body.go) before it takes a place from anyone else.

// uploadWarm is how much of an upload's body must have arrived before it
// takes one of the server's places.
const uploadWarm = 16 << 10

// upload is an upload in progress: its body (the first bytes read ahead,
// then the rest as it arrives) and the places it holds.
type upload struct {
	body     io.Reader
	raw      *body
	releases []func()
}

// done gives the upload's places back.
func (u *upload) done() {
	for _, r := range u.releases {
		r()
	}
}

// startUpload takes the caller's own place (429 when they already have
// MaxUploadsPerEmployee uploads in progress), waits for the first bytes of
// the body at the minimum pace, then takes a place of the server (429
// when none is free). On success the caller must call done.
func (a *API) startUpload(c *fiber.Ctx) (*upload, error) {
	u := &upload{raw: bodyOf(c)}
	who := actorOf(c).Employee.Code
	a.mu.Lock()
	if a.inProgress[who] >= a.opts.MaxUploadsPerEmployee {
		a.mu.Unlock()
		return nil, stock.Errorf(stock.ERateLimited, "you already have %d uploads in progress; wait for one to finish", a.opts.MaxUploadsPerEmployee).
			With("retry_after_seconds", 5)
	}
	a.inProgress[who]++
	a.mu.Unlock()
	u.releases = append(u.releases, func() {
		a.mu.Lock()
		if a.inProgress[who]--; a.inProgress[who] <= 0 {
			delete(a.inProgress, who)
		}
		a.mu.Unlock()
	})
	head := make([]byte, 0, uploadWarm)
	for len(head) < cap(head) {
		n, err := u.raw.Read(head[len(head):cap(head)])
		head = head[:len(head)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			u.done()
			return nil, u.raw.problem("the upload")
		}
	}
	select {
	case a.uploads <- struct{}{}:
		a.observeUploads()
		u.releases = append(u.releases, func() { <-a.uploads; a.observeUploads() })
	default:
		u.done()
		return nil, stock.Errorf(stock.ERateLimited, "too many uploads in progress; try again shortly").With("retry_after_seconds", 2)
	}
	u.body = io.MultiReader(bytes.NewReader(head), u.raw)
	return u, nil
}

// failed is the error to answer for err from an upload: 408 when the
// body was too slow, whatever the layer that saw the read fail says.
func (u *upload) failed(err error) error {
	if u.raw.slow {
		return u.raw.problem("the upload")
	}
	return err
}

// multipartBoundary checks the media type of an upload before any of it is
// read.
func multipartBoundary(c *fiber.Ctx, what string) (string, error) {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return "", stock.Errorf(stock.EUnsupported, "send the %s as multipart/form-data with a file field", what)
	}
	return params["boundary"], nil
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

// observeUploads reports the uploads in progress to the observer.
func (a *API) observeUploads() {
	if a.opts.Observer != nil {
		a.opts.Observer.Uploads(len(a.uploads))
	}
}
