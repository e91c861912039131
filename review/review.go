// Package review serves the web pages on which store and regional managers
// review stock counts: the list of counts in the caller's scope, a count's
// discrepancy report with filters and drill-down to the scans, recount
// orders and approvals with reason codes, the cross-count accuracy report
// by employee role with a chart, and CSV (and, when plugged in, XLSX)
// downloads. Traditional Chinese and English.
//
// The pages are plain server-rendered HTML (net/http, html/template,
// embedded templates and one style sheet); they work without JavaScript
// and on a 10" tablet.
//
// Mounting: New answers the paths under Options.Prefix itself (it does not
// strip the prefix), so mount it on that prefix with a trailing slash:
//
//	mux.Handle("/review/", review.New(svc, review.Options{Prefix: "/review"}))
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
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"pandian/stock"
)

// Service is what the pages need of the domain; *stock.Service satisfies
// it.
type Service interface {
	LoginFrom(ctx context.Context, code, pin, deviceID, source string) (stock.SignIn, error)
	Authenticate(ctx context.Context, token string) (stock.Actor, error)
	Logout(ctx context.Context, token string) error
	Counts(ctx context.Context, actor stock.Actor, location string, status stock.CountStatus) ([]stock.Count, error)
	Count(ctx context.Context, actor stock.Actor, id string) (stock.CountView, error)
	Report(ctx context.Context, actor stock.Actor, id, groupBy string, opts stock.ReportOptions) (stock.Report, error)
	CountScans(ctx context.Context, actor stock.Actor, id string, f stock.ScanFilter) ([]stock.Scan, error)
	OrderRecount(ctx context.Context, actor stock.Actor, id string, in stock.RecountInput) (stock.CountView, error)
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

// Options configure the pages.
type Options struct {
	// Prefix is the path the handler is mounted under, without a trailing
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
	// MaxLines bounds the lines a report page shows after filtering and
	// sorting (default 1000); the CSV download has them all.
	MaxLines int
	// SecureCookies marks the cookies Secure even on plain-HTTP requests,
	// for a deployment behind a TLS-terminating proxy (or a fasthttp
	// adaptor that does not fill Request.TLS). TLS requests always get
	// Secure cookies.
	SecureCookies bool
	// Now returns the current time (tests); default time.Now.
	Now func() time.Time
	// Logger receives internal errors; default slog.Default().
	Logger *slog.Logger
}

// funcs are the template helpers that do not depend on the language.
var funcs = template.FuncMap{
	"photoID": PhotoID,
	"list":    func(xs ...string) []string { return xs },
	"shortID": shortID,
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

type handler struct {
	svc  Service
	locs LocationReader
	// photos links scans to their photos (nil: no links).
	photos PhotoLinker
	opts   Options
	key    []byte
	mux    *http.ServeMux
	pages  map[string]*template.Template
}

// New returns the review pages over svc.
func New(svc Service, opts Options) http.Handler {
	opts.Prefix = strings.TrimRight(opts.Prefix, "/")
	if opts.DeviceID == "" {
		opts.DeviceID = "review-web"
	}
	if opts.ListReports <= 0 {
		opts.ListReports = 50
	}
	if opts.MaxLines <= 0 {
		opts.MaxLines = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &handler{svc: svc, opts: opts, key: opts.CSRFKey, mux: http.NewServeMux(), pages: map[string]*template.Template{}}
	if len(h.key) == 0 {
		h.key = make([]byte, 32)
		if _, err := rand.Read(h.key); err != nil {
			panic(err)
		}
	}
	h.locs, _ = svc.(LocationReader)
	h.photos, _ = svc.(PhotoLinker)
	for _, p := range []string{"login", "counts", "report", "scans", "roles", "error"} {
		h.pages[p] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+p+".html"))
	}
	p := opts.Prefix
	h.mux.HandleFunc("GET "+p+"/{$}", h.home)
	h.mux.HandleFunc("GET "+p+"/login", h.loginForm)
	h.mux.HandleFunc("POST "+p+"/login", h.login)
	h.mux.HandleFunc("POST "+p+"/logout", h.authed(h.logout))
	h.mux.HandleFunc("GET "+p+"/counts", h.authed(h.counts))
	h.mux.HandleFunc("GET "+p+"/counts/{id}", h.authed(h.report))
	h.mux.HandleFunc("GET "+p+"/counts/{id}/lines/{sku}", h.authed(h.scans))
	h.mux.HandleFunc("GET "+p+"/counts/{id}/photos/{photo}", h.authed(h.photo))
	h.mux.HandleFunc("POST "+p+"/counts/{id}/recount", h.authed(h.recount))
	h.mux.HandleFunc("POST "+p+"/counts/{id}/approve", h.authed(h.approve))
	// A GET of a form's address (a bookmark, or the language switch on a
	// refusal page) goes to the report.
	h.mux.HandleFunc("GET "+p+"/counts/{id}/recount", h.toReport)
	h.mux.HandleFunc("GET "+p+"/counts/{id}/approve", h.toReport)
	h.mux.HandleFunc("GET "+p+"/counts/{id}/export.csv", h.authed(h.exportCSV))
	h.mux.HandleFunc("GET "+p+"/counts/{id}/export.xlsx", h.authed(h.exportXLSX))
	h.mux.HandleFunc("GET "+p+"/reports/roles", h.authed(h.roles))
	h.mux.HandleFunc("GET "+p+"/reports/roles/export.xlsx", h.authed(h.rolesXLSX))
	h.mux.HandleFunc("GET "+p+"/static/style.css", h.static)
	return h
}

// ServeHTTP sets the security headers every answer carries and routes.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.renderError(w, r, nil, http.StatusNotFound, "")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// req is one request's context for the pages.
type req struct {
	w     http.ResponseWriter
	r     *http.Request
	L     *loc
	actor stock.Actor
	token string
}

// lang decides the request's language and remembers a ?lang= choice.
func (h *handler) lang(w http.ResponseWriter, r *http.Request) *loc {
	lang, fromQuery := pickLang(r)
	if fromQuery {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: h.cookiePath(), MaxAge: 365 * 24 * 3600,
			SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	}
	return newLoc(lang)
}

func (h *handler) cookiePath() string { return h.opts.Prefix + "/" }

// secure reports whether cookies get the Secure attribute.
func (h *handler) secure(r *http.Request) bool { return r.TLS != nil || h.opts.SecureCookies }

// authed resolves the session cookie; GETs without a valid session are sent
// to the sign-in page, other methods answer 401. POSTs must carry the
// session's CSRF token.
func (h *handler) authed(fn func(*req)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := &req{w: w, r: r, L: h.lang(w, r)}
		c, err := r.Cookie(sessionCookie)
		if err == nil {
			q.token = c.Value
			q.actor, err = h.svc.Authenticate(r.Context(), c.Value)
		}
		if err != nil {
			if c != nil && stock.ErrorCode(err) != stock.EUnauthenticated {
				// The database is away (or a bug): keep the session.
				h.renderError(w, r, q.L, 0, "", err)
				return
			}
			if c != nil {
				h.clearSession(w, r)
			}
			if r.Method == http.MethodGet {
				next := r.URL.RequestURI()
				http.Redirect(w, r, h.opts.Prefix+"/login?next="+urlQueryEscape(next), http.StatusSeeOther)
				return
			}
			h.renderError(w, r, q.L, http.StatusUnauthorized, q.L.T("signin.expired"))
			return
		}
		if r.Method == http.MethodPost {
			// An approval form holds a reason per line: 2 MiB is room for
			// tens of thousands of them.
			r.Body = http.MaxBytesReader(w, r.Body, 2<<20)
			if err := r.ParseForm(); err != nil || !hmacEqual(r.PostForm.Get("csrf"), h.csrf("session", q.token)) {
				h.renderError(w, r, q.L, http.StatusForbidden, q.L.T("csrf"))
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		fn(q)
	}
}

// csrf is the form token bound to a session (or pre-session) secret.
func (h *handler) csrf(kind, secret string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("pandian-review:" + kind + ":" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *handler) setSession(w http.ResponseWriter, r *http.Request, s stock.SignIn) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.Token, Path: h.cookiePath(), Expires: s.Expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
}

func (h *handler) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: h.cookiePath(), MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
}

func (h *handler) static(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("static/style.css")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

func (h *handler) toReport(w http.ResponseWriter, r *http.Request) {
	u := h.opts.Prefix + "/counts/" + url.PathEscape(r.PathValue("id"))
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, h.opts.Prefix+"/counts", http.StatusSeeOther)
}

// statusOf maps a domain error to an HTTP status, as the API does.
func statusOf(err error) int {
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

// errorText is what a page shows of a domain error: the domain's message
// (internal errors are logged and shown as a generic message).
func (h *handler) errorText(r *http.Request, l *loc, err error) string {
	if stock.ErrorCode(err) == stock.EInternal {
		h.opts.Logger.Error("review page", "path", r.URL.Path, "err", err)
		return l.T("status.500")
	}
	if stock.ErrorCode(err) == stock.ENotFound {
		return l.T("notfound")
	}
	return stock.ErrorMessage(err)
}

// The domain service is what the pages run on.
var (
	_ Service        = (*stock.Service)(nil)
	_ LocationReader = (*stock.Service)(nil)
	_ PhotoLinker    = (*stock.Service)(nil)
)
