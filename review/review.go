// Package review serves the web pages on which store and regional managers
// review stock counts: the list of counts in the caller's scope, a count's
// discrepancy report with filters and drill-down to the scans, recount
// orders and approvals with reason codes, the cross-count accuracy report
// by employee role with a chart, and CSV (and, when plugged in, XLSX)
// downloads. Traditional Chinese and English.
//
// The pages are plain server-rendered HTML (Fiber handlers, html/template,
// embedded templates and one style sheet); they work without JavaScript
// and on a 10" tablet. Downloads are streamed with fasthttp's body stream
// writer: a 100k-line CSV or workbook goes to the client as it is written,
// never whole in memory.
//
// Mounting: Mount registers the pages on a Fiber router at Options.Prefix:
//
//	pages := review.New(svc, review.Options{Prefix: "/review"})
//	pages.Mount(app.Group("/review"))
//
// Every page's work runs under a deadline (Options.Timeout): the domain
// calls get a context that ends with it.
//
// Sessions: signing in calls Service.LoginFrom with the employee code and
// PIN, throttled per client address;
// the bearer token is kept in an HttpOnly, SameSite=Strict cookie (Secure
// on TLS requests) and resolved with Service.Authenticate on every request.
//
// CSRF: every POST carries a hidden field "csrf" that must equal an HMAC of
// the session token under a server key (synchronizer token bound to the
// session, nothing stored). The sign-in form, which has no session yet,
// binds its token the same way to a random pre-session cookie.
package review

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"pandian/stock"
)

// Service is what the pages need of the domain; *stock.Service satisfies
// it.
type Service interface {
	LoginFrom(ctx context.Context, code, pin, deviceID, source string) (stock.SignIn, error)
	Authenticate(ctx context.Context, token string) (stock.Actor, error)
	Logout(ctx context.Context, token string) error
	CountsPage(ctx context.Context, actor stock.Actor, q stock.CountQuery, p stock.PageRequest) (stock.Page[stock.Count], error)
	Count(ctx context.Context, actor stock.Actor, id string) (stock.CountView, error)
	Report(ctx context.Context, actor stock.Actor, id, groupBy string, opts stock.ReportOptions) (stock.Report, error)
	CountScans(ctx context.Context, actor stock.Actor, id string, f stock.ScanFilter) ([]stock.Scan, error)
	OrderRecount(ctx context.Context, actor stock.Actor, id string, in stock.RecountInput) (stock.CountView, error)
	CloseCount(ctx context.Context, actor stock.Actor, id string) (stock.CountView, error)
	Approve(ctx context.Context, actor stock.Actor, id string, in stock.ApproveInput) (stock.ApproveResult, error)
	Discrepancies(ctx context.Context, actor stock.Actor, from, to time.Time, location, groupBy string) (stock.CrossReport, error)
}

// PhotoLinker is optional: when the Service also implements it (as
// *stock.Service does), photo scans link to their photo.
type PhotoLinker interface {
	ScanPhoto(ctx context.Context, actor stock.Actor, countID, photoID string) (string, error)
}

// LocationReader is optional: when the Service also implements it (as
// *stock.Service does), the pages show location names and the store's
// approval limit, and pick the currency of a cross-count report's location.
type LocationReader interface {
	Location(ctx context.Context, actor stock.Actor, code string) (stock.Location, error)
}

// Directory is optional: when the Service also implements it (as
// *stock.Service does), the pages show employees' names beside their codes
// ("陳大文 (E008)"), name the stores and zones of counts, and offer the
// caller's stores as a filter.
type Directory interface {
	EmployeeNames(ctx context.Context, actor stock.Actor, codes []string) (map[string]string, error)
	Locations(ctx context.Context, actor stock.Actor, under string) ([]stock.Location, error)
}

// BarcodeLookup is optional: when the Service also implements it (as
// *stock.Service does), a report's search finds a line by its barcode.
type BarcodeLookup interface {
	Lookup(ctx context.Context, actor stock.Actor, raw string) (stock.LookupResult, error)
}

// ReportPager is optional: when the Service also implements it (as
// *stock.Service does), the report page of a held count (in review or
// posted) is sorted, filtered and paged by the store from the report the
// domain keeps for it, instead of computing the whole report.
type ReportPager interface {
	ReportPage(ctx context.Context, actor stock.Actor, id string, q stock.ReportPageQuery) (stock.ReportPage, bool, error)
}

// Previewer is optional: when the Service also implements it (as
// *stock.Service does), approving goes through a review step that shows
// what the approval will post before it posts.
type Previewer interface {
	PreviewApproval(ctx context.Context, actor stock.Actor, id string, in stock.ApproveInput) (stock.ApprovalPreview, error)
}

// AssigneeLister is optional: when the Service also implements it (as
// *stock.Service does), the recount assignee is picked from the employees
// who may count the count (else from those who counted it).
type AssigneeLister interface {
	Assignees(ctx context.Context, actor stock.Actor, id string) ([]stock.Employee, error)
}

// Options configure the pages.
type Options struct {
	// Prefix is the path the pages are mounted under, without a trailing
	// slash ("/review"); "" serves from the root.
	Prefix string
	// XLSX writes a report as an Excel workbook; nil hides the Excel links
	// (and the route answers 404).
	XLSX func(w io.Writer, r stock.Report) error
	// XLSXFor is XLSX with the count's currency ("HKD" or "MOP") and the
	// page's language ("en" or "zh-Hant"), for a writer that formats by
	// them; when set it is used instead of XLSX.
	XLSXFor func(w io.Writer, r stock.Report, currency, lang string) error
	// CrossXLSXFor writes the report by role across counts as XLSX, with
	// the currency ("HKD" or "MOP") and the language (nil: no link).
	CrossXLSXFor func(w io.Writer, r stock.CrossReport, currency, lang string) error
	// CSRFKey signs the forms' CSRF tokens; empty: a random key per process
	// (forms open across a restart are then refused once).
	CSRFKey []byte
	// DeviceID is recorded with the sessions of the pages (default
	// "review-web").
	DeviceID string
	// ListReports bounds how many counts of the list get their headline
	// variance computed (a report each; default 50).
	ListReports int
	// PageSize is how many counts a page of the list shows (default 50).
	PageSize int
	// LinesPerPage is how many lines a page of a report shows (default
	// 100).
	LinesPerPage int
	// MaxLines is the old name of LinesPerPage (used when LinesPerPage is
	// not set).
	MaxLines int
	// SecureCookies marks the cookies Secure even on plain-HTTP requests,
	// for a deployment behind a TLS-terminating proxy. TLS requests always
	// get Secure cookies.
	SecureCookies bool
	// Timeout bounds the work of one page (the domain calls, the report
	// computed for a download; not the client's reading of a download):
	// default 2 minutes.
	Timeout time.Duration
	// CacheTTL is how long the report of a large count is kept for the
	// next pages (paging, search, filters): default 30 s; negative: never
	// kept. CacheLines is how many lines make a count large (default
	// 5,000): smaller ones are computed for every page.
	CacheTTL   time.Duration
	CacheLines int
	// Now returns the current time (tests); default time.Now.
	Now func() time.Time
	// Logger receives internal errors; default slog.Default().
	Logger *slog.Logger
}

// funcs are the template helpers that do not depend on the language.
var funcs = template.FuncMap{
	"photoID":   PhotoID,
	"photoArgs": func(l *loc, v photoView) map[string]any { return map[string]any{"L": l, "V": v} },
	"list":      func(xs ...string) []string { return xs },
	"shortID":   shortID,
	"neg":       func(n int64) int64 { return -n },
	"negm":      func(m stock.Money) stock.Money { return -m },
	"add": func(xs ...int) int {
		n := 0
		for _, x := range xs {
			n += x
		}
		return n
	},
}

// shortID shortens a count id for lists ("cnt_…" + its last 8
// characters); the full id is in the link.
func shortID(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:4] + "…" + id[len(id)-8:]
}

// Cookie names.
const (
	sessionCookie = "pandian_review"
	preCookie     = "pandian_review_pre"
	langCookie    = "lang"
)

// SessionCookie is the cookie that holds a signed-in session's token (the
// API gives requests that carry a valid one a larger form limit).
const SessionCookie = sessionCookie

//go:embed templates/*.html static/*
var assets embed.FS

// Pages are the review pages over a domain service; Mount serves them.
type Pages struct {
	svc  Service
	locs LocationReader
	dir  Directory // nil: codes only
	// photos links scans to their photos (nil: no links).
	photos PhotoLinker
	cache  *reportCache // nil: none
	opts   Options
	key    []byte
	pages  map[string]*template.Template
}

// New returns the review pages over svc.
func New(svc Service, opts Options) *Pages {
	opts.Prefix = strings.TrimRight(opts.Prefix, "/")
	if opts.DeviceID == "" {
		opts.DeviceID = "review-web"
	}
	if opts.ListReports <= 0 {
		opts.ListReports = 50
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 50
	}
	// The domain's list pages hold at most stock.MaxPage counts.
	opts.PageSize = min(opts.PageSize, stock.MaxPage)
	if opts.LinesPerPage <= 0 {
		opts.LinesPerPage = opts.MaxLines
	}
	if opts.LinesPerPage <= 0 {
		opts.LinesPerPage = 100
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Pages{svc: svc, opts: opts, key: opts.CSRFKey, pages: map[string]*template.Template{}}
	if len(h.key) == 0 {
		h.key = make([]byte, 32)
		if _, err := rand.Read(h.key); err != nil {
			panic(err)
		}
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = 30 * time.Second
	}
	if opts.CacheLines <= 0 {
		opts.CacheLines = 5000
	}
	if opts.CacheTTL > 0 {
		h.cache = &reportCache{ttl: opts.CacheTTL, lines: opts.CacheLines, max: 4, items: map[string]cachedReport{}}
	}
	h.locs, _ = svc.(LocationReader)
	h.photos, _ = svc.(PhotoLinker)
	h.dir, _ = svc.(Directory)
	for _, p := range []string{"login", "counts", "report", "approve", "scans", "roles", "error", "photo", "documents", "document", "docreceive"} {
		h.pages[p] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/photofig.html", "templates/"+p+".html"))
	}
	return h
}

// Mount registers the pages on r, a router at Options.Prefix
// (app.Group(prefix), with whatever middleware the application puts in
// front: the server's bounds the body of a page request). Paths under the
// prefix that no page serves answer the pages' 404.
func (h *Pages) Mount(r fiber.Router) {
	r.Use(h.begin)
	r.Get("/", h.home)
	r.Get("/login", h.loginForm)
	r.Post("/login", h.login)
	r.Post("/logout", h.authed(h.logout))
	r.Get("/counts", h.authed(h.counts))
	r.Get("/counts/:id", h.authed(h.report))
	r.Get("/counts/:id/lines/:sku", h.authed(h.scans))
	r.Get("/counts/:id/photos/:photo", h.authed(h.photo))
	r.Get("/counts/:id/photos/:photo/image", h.authed(h.photoImage))
	r.Post("/counts/:id/recount", h.authed(h.recount))
	r.Post("/counts/:id/close", h.authed(h.closeCount))
	r.Post("/counts/:id/approve", h.authed(h.approve))
	r.Post("/counts/:id/approve/review", h.authed(h.approveReview))
	// A GET of a form's address (a bookmark, or the language switch on a
	// refusal page) goes to the report.
	r.Get("/counts/:id/recount", h.toReport)
	r.Get("/counts/:id/close", h.toReport)
	r.Get("/counts/:id/approve", h.toReport)
	r.Get("/counts/:id/approve/review", h.toReport)
	r.Get("/counts/:id/export.csv", h.authed(h.exportCSV))
	r.Get("/counts/:id/export.xlsx", h.authed(h.exportXLSX))
	r.Get("/documents", h.authed(h.documents))
	r.Get("/documents/:id", h.authed(h.document))
	r.Get("/documents/:id/file", h.authed(h.documentFile))
	r.Post("/documents/:id/lines/:line/match", h.authed(h.matchLine))
	r.Post("/documents/:id/receive/review", h.authed(h.receiveReview))
	r.Post("/documents/:id/receive", h.authed(h.receive))
	r.Get("/documents/:id/lines/:line/match", h.toDocument)
	r.Get("/documents/:id/receive/review", h.toDocument)
	r.Get("/documents/:id/receive", h.toDocument)
	r.Get("/reports/roles", h.authed(h.roles))
	r.Get("/reports/roles/export.xlsx", h.authed(h.rolesXLSX))
	r.Get("/static/style.css", h.static)
	r.Use(h.notFound)
}

// securityHeaders are on every answer of the pages.
var securityHeaders = [][2]string{
	{"Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "same-origin"},
}

// begin runs first on every page request: it sets the security headers
// and the request's deadline. (A router's prefix also matches longer
// names, "/reviewer": those are left to the application.)
func (h *Pages) begin(c *fiber.Ctx) error {
	if !h.under(c.Path()) {
		return c.Next()
	}
	for _, kv := range securityHeaders {
		c.Set(kv[0], kv[1])
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), h.opts.Timeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// under reports whether path is the prefix or below it.
func (h *Pages) under(path string) bool {
	p := strings.ToLower(path)
	pre := strings.ToLower(h.opts.Prefix)
	return pre == "" || p == pre || strings.HasPrefix(p, pre+"/")
}

// notFound answers the paths under the prefix that no page serves.
func (h *Pages) notFound(c *fiber.Ctx) error {
	if !h.under(c.Path()) {
		return c.Next()
	}
	return h.renderError(c, nil, http.StatusNotFound, "")
}

// req is one request's context for the pages.
type req struct {
	c     *fiber.Ctx
	ctx   context.Context // ends with the page's deadline
	L     *loc
	actor stock.Actor
	token string
	form  url.Values // a POST's form
}

// param is a path parameter, unescaped (Fiber gives them as sent), and
// copied: Fiber's strings are only valid during the request.
func param(c *fiber.Ctx, name string) string {
	v := c.Params(name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return strings.Clone(v)
}

// query is the request's query string, parsed (copied).
func query(c *fiber.Ctx) url.Values {
	v, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	return v
}

// readForm reads a POSTed form of at most limit bytes (a form is only read
// when sent as application/x-www-form-urlencoded; other bodies give an
// empty form, as net/http's ParseForm does).
func readForm(c *fiber.Ctx, limit int) (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if mt != "application/x-www-form-urlencoded" {
		return url.Values{}, nil
	}
	var body []byte
	if c.Request().IsBodyStream() {
		// Not read yet (the application mounted the pages on a streaming
		// server without reading the body first): at most limit+1 bytes.
		b, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(limit)+1))
		if err != nil {
			return nil, err
		}
		body = b
	} else {
		body = c.Body()
	}
	if len(body) > limit {
		return nil, errFormTooLarge
	}
	return url.ParseQuery(string(body))
}

var errFormTooLarge = stock.Errorf(stock.ETooLarge, "the form is too large")

// lang decides the request's language and remembers a ?lang= choice.
func (h *Pages) lang(c *fiber.Ctx) *loc {
	lang, fromQuery := pickLang(c.Query("lang"), c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))
	if fromQuery {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: h.cookiePath(), MaxAge: 365 * 24 * 3600,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c)})
	}
	return newLoc(lang)
}

func (h *Pages) cookiePath() string { return h.opts.Prefix + "/" }

// secure reports whether cookies get the Secure attribute.
func (h *Pages) secure(c *fiber.Ctx) bool { return c.Context().IsTLS() || h.opts.SecureCookies }

// authed resolves the session cookie; GETs without a valid session are sent
// to the sign-in page, other methods answer 401. POSTs must carry the
// session's CSRF token.
func (h *Pages) authed(fn func(*req) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q := &req{c: c, ctx: c.UserContext(), L: h.lang(c)}
		tok := strings.Clone(c.Cookies(sessionCookie))
		var err error = stock.Errorf(stock.EUnauthenticated, "no session")
		if tok != "" {
			q.token = tok
			q.actor, err = h.svc.Authenticate(q.ctx, tok)
		}
		if err != nil {
			if tok != "" && stock.ErrorCode(err) != stock.EUnauthenticated {
				// The database is away (or a bug): keep the session.
				return h.renderError(c, q.L, 0, "", err)
			}
			if tok != "" {
				h.clearSession(c)
			}
			if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
				return c.Redirect(h.opts.Prefix+"/login?next="+urlQueryEscape(c.OriginalURL()), http.StatusSeeOther)
			}
			return h.renderError(c, q.L, http.StatusUnauthorized, q.L.T("signin.expired"))
		}
		if c.Method() == fiber.MethodPost {
			// An approval form holds a reason per line: 2 MiB is room for
			// tens of thousands of them.
			form, err := readForm(c, 2<<20)
			if err != nil || !hmacEqual(form.Get("csrf"), h.csrf("session", q.token)) {
				return h.renderError(c, q.L, http.StatusForbidden, q.L.T("csrf"))
			}
			q.form = form
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return fn(q)
	}
}

// csrf is the form token bound to a session (or pre-session) secret.
func (h *Pages) csrf(kind, secret string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("pandian-review:" + kind + ":" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Pages) setSession(c *fiber.Ctx, s stock.SignIn) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: s.Token, Path: h.cookiePath(), Expires: s.Expires,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.secure(c)})
}

// forget deletes a cookie (an expiry in the past: fasthttp writes no
// negative Max-Age).
func (h *Pages) forget(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: h.cookiePath(), Expires: fasthttp.CookieExpireDelete,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: h.secure(c)})
}

func (h *Pages) clearSession(c *fiber.Ctx) { h.forget(c, sessionCookie) }

func (h *Pages) static(c *fiber.Ctx) error {
	b, err := assets.ReadFile("static/style.css")
	if err != nil {
		return h.renderError(c, nil, http.StatusNotFound, "")
	}
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(b)
}

func (h *Pages) toReport(c *fiber.Ctx) error {
	u := h.opts.Prefix + "/counts/" + url.PathEscape(param(c, "id"))
	if qs := c.Request().URI().QueryString(); len(qs) > 0 {
		u += "?" + string(qs)
	}
	return c.Redirect(u, http.StatusSeeOther)
}

func (h *Pages) home(c *fiber.Ctx) error {
	return c.Redirect(h.opts.Prefix+"/counts", http.StatusSeeOther)
}

// statusOf maps a domain error to an HTTP status, as the API does; a page
// whose deadline passed answers 503.
func statusOf(err error) int {
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable
	}
	switch stock.ErrorCode(err) {
	case stock.EInvalid:
		return http.StatusUnprocessableEntity
	case stock.EUnauthenticated:
		return http.StatusUnauthorized
	case stock.EForbidden:
		return http.StatusForbidden
	case stock.ENotFound:
		return http.StatusNotFound
	case stock.EConflict:
		return http.StatusConflict
	case stock.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case stock.ERateLimited:
		return http.StatusTooManyRequests
	case stock.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorText is what a page shows of a domain error: in the page's
// language where the message table has the refusal (localError), money in
// currency (default HK$); else the domain's message. Internal errors are
// logged and shown as a generic message.
func (h *Pages) errorText(c *fiber.Ctx, l *loc, err error, currency ...string) string {
	if errors.Is(err, context.DeadlineExceeded) {
		h.opts.Logger.Warn("review page deadline", "path", c.Path(), "timeout", h.opts.Timeout, "err", err)
		return l.T("timeout")
	}
	if stock.ErrorCode(err) == stock.EInternal {
		h.opts.Logger.Error("review page", "path", c.Path(), "err", err)
		return l.T("status.500")
	}
	if stock.ErrorCode(err) == stock.ENotFound {
		return l.T("notfound")
	}
	cur := "HK$"
	if len(currency) > 0 {
		cur = currency[0]
	}
	return localError(l, err, cur)
}

// The domain service is what the pages run on.
var (
	_ Service        = (*stock.Service)(nil)
	_ LocationReader = (*stock.Service)(nil)
	_ PhotoLinker    = (*stock.Service)(nil)
	_ Directory      = (*stock.Service)(nil)
	_ BarcodeLookup  = (*stock.Service)(nil)
	_ Previewer      = (*stock.Service)(nil)
	_ ReportPager    = (*stock.Service)(nil)
	_ AssigneeLister = (*stock.Service)(nil)
	_ PhotoViewer    = (*stock.Service)(nil)
)
