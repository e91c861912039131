package mobileapi

import (
	"crypto/rand"
	hexenc "encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"pandian/stock"
)

// Observer receives what the API measures, for an operator's metrics. Its
// methods are called on the request's goroutine and must not block.
type Observer interface {
	// Request: one answered request, by route pattern ("" when no route
	// matched), method and status.
	Request(route, method string, status int, elapsed time.Duration)
	// Scans: the outcome of a batch of scans (or a photo's scans).
	Scans(r stock.ScanResult)
	// Uploads: the number of photo and document uploads in progress
	// changed to n.
	Uploads(n int)
}

// HeaderRequestID carries a request's id: accepted from the client when
// sane (requestID), else generated, and echoed back in the answer.
const HeaderRequestID = "X-Request-Id"

// requestIDKey is where the logger leaves the request's id.
const requestIDKey = "request_id"

// maxRequestID bounds an id accepted from a client.
const maxRequestID = 128

// requestID returns the client's id when it is 1 to 128 printable ASCII
// characters, else a new random one (32 hex digits).
func requestID(given string) string {
	if n := len(given); n > 0 && n <= maxRequestID && strings.IndexFunc(given, func(r rune) bool { return r <= ' ' || r > '~' }) < 0 {
		return given
	}
	var b [16]byte
	rand.Read(b[:])
	return hexenc.EncodeToString(b[:])
}

// requestIDOf returns the id of the request c.
func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// route is one registered route: its method and pattern, split at "/".
type route struct {
	method, pattern string
	segs            []string
}

// routeTable finds the pattern a request's path matches, as Fiber's
// router does (case-insensitive, a trailing slash ignored), for the log
// and for 405's Allow header.
type routeTable []route

// newRouteTable collects the routes of app (not middleware).
func newRouteTable(app *fiber.App) routeTable {
	var t routeTable
	for _, r := range app.GetRoutes(true) {
		t = append(t, route{method: r.Method, pattern: r.Path, segs: splitPath(r.Path)})
	}
	return t
}

func splitPath(p string) []string {
	p = strings.Trim(strings.ToLower(p), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// matches reports whether the path's segments fit the route's pattern: a
// ":param" is one non-empty segment, a final "*" the rest (or nothing).
func (r route) matches(segs []string) bool {
	for i, p := range r.segs {
		if p == "*" && i == len(r.segs)-1 {
			return true
		}
		if i >= len(segs) {
			return false
		}
		if strings.HasPrefix(p, ":") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if p != segs[i] {
			return false
		}
	}
	return len(segs) == len(r.segs)
}

// match returns the pattern of the route that serves method on path (""
// when none), and the methods the path's routes accept (sorted).
func (t routeTable) match(method, path string) (pattern string, allow []string) {
	segs := splitPath(path)
	anyPattern := ""
	for _, r := range t {
		if !r.matches(segs) {
			continue
		}
		if r.method == method && pattern == "" {
			pattern = r.pattern
		}
		if anyPattern == "" {
			anyPattern = r.pattern
		}
		if !slices.Contains(allow, r.method) {
			allow = append(allow, r.method)
		}
	}
	slices.Sort(allow)
	if pattern == "" {
		pattern = anyPattern
	}
	return pattern, allow
}

// logRequest gives the request its id (header X-Request-Id both ways) and
// logs one line per request once answered: id, method, route pattern,
// status, latency, bytes sent, and the employee and device when signed in.
func (a *API) logRequest(c *fiber.Ctx) error {
	start := time.Now()
	id := requestID(c.Get(HeaderRequestID))
	c.Locals(requestIDKey, id)
	c.Set(HeaderRequestID, id)
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			return herr
		}
		err = nil
	}
	elapsed := time.Since(start)
	status := c.Response().StatusCode()
	method := c.Method()
	pattern, _ := a.table.match(method, c.Path())
	// A streamed body's length is its Content-Length when it has one
	// (Body() would read the stream into memory): unknown when chunked.
	var size int
	if c.Response().IsBodyStream() {
		size = c.Response().Header.ContentLength()
	} else {
		size = len(c.Response().Body())
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("request_id", id),
		slog.String("method", method),
		slog.String("route", pattern))
	if pattern == "" {
		attrs = append(attrs, slog.String("path", c.Path()))
	}
	attrs = append(attrs,
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(elapsed.Microseconds())/1000))
	if size >= 0 {
		attrs = append(attrs, slog.Int("bytes", size))
	}
	if actor := actorOf(c); actor.Employee.Code != "" {
		attrs = append(attrs, slog.String("employee", actor.Employee.Code))
		if actor.DeviceID != "" {
			attrs = append(attrs, slog.String("device", actor.DeviceID))
		}
	}
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	a.log.LogAttrs(c.UserContext(), level, "request", attrs...)
	if a.opts.Observer != nil {
		a.opts.Observer.Request(pattern, method, status, elapsed)
	}
	return err
}

// methodAllowed answers 405 with an Allow header, before authentication,
// when no route serves the request's method on its path but some route
// serves another method there.
func (a *API) methodAllowed(c *fiber.Ctx) error {
	pattern, allow := a.table.match(c.Method(), c.Path())
	if len(allow) == 0 || slices.Contains(allow, c.Method()) {
		return c.Next()
	}
	c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
	return fiber.NewError(fiber.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s (allowed: %s)", c.Method(), pattern, strings.Join(allow, ", ")))
}

// CORS: what a preflight from an allowed origin may ask for, and what the
// answers let the page read.
const (
	corsAllowHeaders  = "Authorization, Content-Type, X-Request-Id, X-Device-ID, If-None-Match, Idempotency-Key"
	corsExposeHeaders = "Content-Disposition, ETag, Location, Retry-After, X-Request-Id"
	corsMethods       = "DELETE, GET, HEAD, POST, PUT"
	corsMaxAge        = "3600"
)

// cors lets the web pages of the origins in Options.CORSOrigins call the
// API: a preflight (OPTIONS with Access-Control-Request-Method) from one
// is answered 204 here, before authentication; their other requests get
// Access-Control-Allow-Origin. Other origins get no CORS header at all
// (their browsers then refuse the answer).
func (a *API) cors(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	if len(a.corsOrigins) == 0 || origin == "" {
		return c.Next()
	}
	c.Vary(fiber.HeaderOrigin)
	if !a.corsOrigins[strings.ToLower(origin)] {
		return c.Next()
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
	if c.Method() == fiber.MethodOptions && c.Get(fiber.HeaderAccessControlRequestMethod) != "" {
		methods := corsMethods
		if _, allow := a.table.match(c.Get(fiber.HeaderAccessControlRequestMethod), c.Path()); len(allow) > 0 {
			methods = strings.Join(allow, ", ")
		}
		c.Vary(fiber.HeaderAccessControlRequestMethod, fiber.HeaderAccessControlRequestHeaders)
		c.Set(fiber.HeaderAccessControlAllowMethods, methods)
		c.Set(fiber.HeaderAccessControlAllowHeaders, corsAllowHeaders)
		c.Set(fiber.HeaderAccessControlMaxAge, corsMaxAge)
		return c.SendStatus(fiber.StatusNoContent)
	}
	c.Set(fiber.HeaderAccessControlExposeHeaders, corsExposeHeaders)
	return c.Next()
}

// compressor compresses a response in place for the request's
// Accept-Encoding: br, else gzip, else deflate (fasthttp's encoders, from
// github.com/klauspost/compress and github.com/andybalholm/brotli);
// bodies under 200 bytes stay as they are, streamed ones are compressed
// as they stream.
var compressor = fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
	fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)

// compress compresses JSON and CSV answers when the client accepts it.
// Other media types (images, PDFs, XLSX, which are compressed already,
// and the review pages) and the stored files of /v1/files/ are sent as
// they are.
func (a *API) compress(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err // the error's answer is small
	}
	h := &c.Response().Header
	if len(h.ContentEncoding()) > 0 || strings.HasPrefix(c.Path(), "/v1/files/") {
		return nil
	}
	mt, _, _ := strings.Cut(string(h.ContentType()), ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt != fiber.MIMEApplicationJSON && !strings.HasSuffix(mt, "+json") && mt != "text/csv" {
		return nil
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	compressor(c.Context())
	return nil
}
