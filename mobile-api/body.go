package mobileapi

import (
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pandian/stock"
)

// Request bodies are streamed (Fiber's StreamRequestBody): nothing of a
// body but its first 8 KiB is read before a handler asks for it. Each
// route that takes a body says how much it reads (body below), after the
// caller is authenticated; uploads are read part by part (upload.go). A
// body is read at a minimum pace (pace below), and a body left unread,
// whole or in part, is never taken for the next request: the answer is
// sent, then the connection is closed (lingerClose).

// Body limits of the routes that read their body whole.
const (
	// tinyBody: sign-in and the routes that take no body.
	tinyBody = 4 << 10
	// recordBody: one master-data record or alert rule.
	recordBody = 256 << 10
	// formBody: a count's scope, a recount, an approval's reasons per
	// line, a receipt's lines (like the review pages' forms).
	formBody = 2 << 20
	// pageBody: a review page form without a signed-in session.
	pageBody = 64 << 10
)

// bodyKey is where guard leaves the request's *body.
const bodyKey = "pandian.body"

// errSlowBody is returned by body reads when the client sends slower than
// the minimum pace.
var errSlowBody = errors.New("the request body arrives too slowly")

// codeTimeout is the error code of a body that arrived too slowly (408).
const codeTimeout = "timeout"

// slowBody is the error answered 408 when the body was too slow.
type slowBody struct{ msg string }

func (e slowBody) Error() string { return e.msg }

// body reads a request's body stream at a minimum pace and records how
// far it got. Time is counted only while a read waits for the client: a
// handler that pauses (writing to the object store, say) does not use up
// the client's time.
type body struct {
	r    io.Reader // fasthttp's stream; nil: no body
	conn net.Conn  // to set read deadlines on; nil: no pacing
	n    int64     // bytes read
	done bool      // the body was read to its end
	err  error     // the read error that ended reading, if any
	slow bool      // reading ended because the client was too slow

	// Pace: at least need bytes in every window of waiting, and no read
	// after stop.
	need          int64
	window        time.Duration
	markN         int64
	waited        time.Duration
	stop          time.Time
	pacedDeadline bool
}

func (b *body) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.r == nil {
		b.done = true
		return 0, io.EOF
	}
	start := time.Now()
	if b.conn != nil && b.window > 0 {
		dl := start.Add(b.window - b.waited)
		if !b.stop.IsZero() && b.stop.Before(dl) {
			dl = b.stop
		}
		b.conn.SetReadDeadline(dl)
		b.pacedDeadline = true
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.window > 0 {
		b.waited += time.Since(start)
		if b.n-b.markN >= b.need {
			b.markN, b.waited = b.n, 0
		}
	}
	switch {
	case err == io.EOF:
		b.done = true
	case err != nil:
		if errors.Is(err, os.ErrDeadlineExceeded) {
			b.slow, err = true, errSlowBody
		}
		b.err = err
	}
	return n, err
}

// problem turns a body read error into the error to answer: 408 for a
// body too slow, 400 for one that could not be read.
func (b *body) problem(what string) error {
	if b.slow {
		return slowBody{msg: what + " arrived too slowly; send it again on a better connection"}
	}
	return badRequest{msg: what + " could not be read"}
}

// bodyOf returns the request's body reader (set by guard).
func bodyOf(c *fiber.Ctx) *body {
	if b, ok := c.Locals(bodyKey).(*body); ok {
		return b
	}
	b := &body{}
	if c.Request().IsBodyStream() {
		b.r = c.Context().RequestBodyStream()
	}
	c.Locals(bodyKey, b)
	return b
}

// guard runs first on every request: it refuses compressed bodies (Fiber
// would inflate them without limit), sets up the paced body reader, and
// after the handler makes sure an unread body is not taken for the next
// request.
func (a *API) guard(c *fiber.Ctx) error {
	if n := c.Request().Header.Peek(declaredHeader); len(n) > 0 {
		// Declared larger than its path accepts (HeaderReceived): answered
		// without reading, and the connection closed after the answer.
		c.Locals(bodyKey, &body{done: true})
		lingerClose(c)
		if compressed(c) {
			return errCompressed(c)
		}
		limit := a.declaredMax(c.Request().Header.RequestURI())
		return stock.Errorf(stock.ETooLarge, "the body is declared larger than %s", sizeText(limit)).With("limit_bytes", limit)
	}
	b := &body{}
	if c.Request().IsBodyStream() && c.Request().Header.ContentLength() != 0 {
		b.r = c.Context().RequestBodyStream()
		if a.opts.UploadMinRate > 0 && a.opts.UploadRateWindow > 0 {
			b.conn = c.Context().Conn()
			b.window = a.opts.UploadRateWindow
			b.need = int64(a.opts.UploadMinRate * a.opts.UploadRateWindow.Seconds())
			b.stop = time.Now().Add(a.opts.RequestTimeout)
		}
	} else {
		b.done = true
	}
	c.Locals(bodyKey, b)
	var err error
	if compressed(c) {
		err = errCompressed(c)
	} else {
		err = c.Next()
	}
	a.finish(c, b)
	return err
}

// finish deals with what the handler left of the body. A short declared
// body already in memory is read to its end, keeping the connection;
// anything else unread closes the connection once the answer is sent.
func (a *API) finish(c *fiber.Ctx, b *body) {
	if b.done || !c.Request().IsBodyStream() {
		if b.pacedDeadline {
			// The next request on this connection gets the server's own
			// timeouts (fasthttp sets them before reading it).
			c.Context().Conn().SetReadDeadline(time.Time{})
		}
		return
	}
	if n := c.Request().Header.ContentLength(); n > 0 && n <= 8<<10 && b.err == nil {
		// fasthttp reads up to 8 KiB of a declared body before the
		// handler runs: what is left is in memory.
		if _, err := io.Copy(io.Discard, io.LimitReader(b, 8<<10+1)); err == nil && b.done {
			return
		}
	}
	lingerClose(c)
}

// Lingering close: the answer is sent, the sending side of the connection
// shut (the client sees the end of the answer), then what the client is
// still sending is read and thrown away for a moment before the connection
// is closed, so that the client reads the answer instead of a reset: a
// body declared up to twice the largest JSON limit (16 MiB) is drained
// whole, so that a client that writes it all before reading still sees
// the 413.
const (
	lingerTime  = 2 * time.Second
	lingerBytes = 16 << 20
)

func lingerClose(c *fiber.Ctx) {
	// fasthttp runs a hijack handler after writing and flushing the answer
	// (not when the answer says "Connection: close", so the header is set
	// by hand: "Close" is the same token to HTTP and not fasthttp's own
	// close flag).
	c.Set(fiber.HeaderConnection, "Close")
	raw := c.Context().Conn()
	c.Context().Hijack(func(conn net.Conn) {
		if cw, ok := raw.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		raw.SetReadDeadline(time.Now().Add(lingerTime))
		io.CopyN(io.Discard, conn, lingerBytes)
	})
}

// compressed tells whether the body is sent with a Content-Encoding,
// which is refused (Fiber would inflate it without limit).
func compressed(c *fiber.Ctx) bool {
	enc := strings.TrimSpace(c.Get(fiber.HeaderContentEncoding))
	return enc != "" && !strings.EqualFold(enc, "identity")
}

func errCompressed(c *fiber.Ctx) error {
	return stock.Errorf(stock.EUnsupported, "send the body without Content-Encoding (got %s)", strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)))
}

// declaredHeader marks a request whose declared body is larger than its
// path accepts (set by the server's HeaderReceived hook, which then
// declares the body empty so that none of it is read; a client's own
// header of that name is removed first).
const declaredHeader = "X-Pandian-Declared-Too-Large"

// declaredMax is the largest body any route under uri accepts: the
// upper bound HeaderReceived checks a declared length against before a
// byte is read. Each route's own, finer limit (limitBody, the upload
// readers) applies as its body is read.
func (a *API) declaredMax(uri []byte) int64 {
	path, _, _ := strings.Cut(string(uri), "?")
	switch {
	case path == "/v1/auth/token", path == "/v1/auth/refresh":
		return tinyBody
	case strings.HasPrefix(path, "/v1/imports/"):
		return int64(a.opts.MaxBody)
	case path == "/v1/documents":
		return a.opts.MaxDocument + maxField*8
	case strings.HasPrefix(path, "/v1/counts/") && strings.HasSuffix(path, "/images"):
		return a.opts.MaxPhoto + maxField*8
	case strings.HasPrefix(path, "/review"):
		return formBody
	}
	return int64(max(a.opts.MaxJSON, formBody))
}

// limitBody returns a handler that reads the body whole, at most limit
// bytes: 413 before reading when Content-Length says more, 413 as soon as
// a body without a length goes past it.
func limitBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b := bodyOf(c)
		if b.done {
			return c.Next()
		}
		n := c.Request().Header.ContentLength()
		if n > limit {
			return tooLarge(limit)
		}
		size := 4 << 10
		if n >= 0 {
			size = n + 1
		}
		buf := make([]byte, 0, size)
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			m, err := b.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+m]
			if len(buf) > limit {
				return tooLarge(limit)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return b.problem("the body")
			}
		}
		c.Request().SetBodyRaw(buf)
		return c.Next()
	}
}

func tooLarge(limit int) error {
	return stock.Errorf(stock.ETooLarge, "the body is larger than %s", sizeText(int64(limit))).With("limit_bytes", limit)
}

// sizeText writes a byte count for people (4 KiB, 8 MiB).
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
