// Package mobileapi serves the mobile API v1 (../shared/mobile-api.md) over
// Fiber v2. It talks to the domain through one small interface per area
// (Auth, Admin, Imports, Book, Counts, Reports, Documents) and knows
// nothing of storage.
package mobileapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"pandian/stock"
)

// The API depends on the domain through one small interface per area,
// each holding the use cases its routes call; *stock.Service implements
// them all. A test double implements only the area it exercises (embed
// Service for the rest).

// Auth signs employees in and out and authenticates every other request.
type Auth interface {
	LoginFrom(ctx context.Context, code, pin, deviceID, source string) (stock.SignIn, error)
	Authenticate(ctx context.Context, token string) (stock.Actor, error)
	Logout(ctx context.Context, token string) error
	Refresh(ctx context.Context, refreshToken, deviceID string) (stock.SignIn, error)
	LogoutEverywhere(ctx context.Context, a stock.Actor, code string) (stock.LogoutResult, error)
}

// Admin is master data: locations, SKUs, employees, barcode lookup.
type Admin interface {
	PutLocation(ctx context.Context, a stock.Actor, code string, in stock.LocationInput) (stock.Location, bool, error)
	Location(ctx context.Context, a stock.Actor, code string) (stock.Location, error)
	Locations(ctx context.Context, a stock.Actor, under string) ([]stock.Location, error)
	PutSKU(ctx context.Context, a stock.Actor, sku string, in stock.SKUInput) (stock.SKU, bool, error)
	RetireSKU(ctx context.Context, a stock.Actor, sku string) (stock.SKU, error)
	SKU(ctx context.Context, a stock.Actor, sku string) (stock.SKU, error)
	PutEmployee(ctx context.Context, a stock.Actor, code string, in stock.EmployeeInput) (stock.Employee, bool, error)
	UnlockEmployee(ctx context.Context, a stock.Actor, code string) (stock.UnlockResult, error)
	Lookup(ctx context.Context, a stock.Actor, raw string) (stock.LookupResult, error)
	LocationsPage(ctx context.Context, a stock.Actor, under string, p stock.PageRequest) (stock.Page[stock.Location], error)
	EmployeesPage(ctx context.Context, a stock.Actor, p stock.PageRequest) (stock.Page[stock.Employee], error)
	CatalogPage(ctx context.Context, a stock.Actor, p stock.PageRequest) (stock.Page[stock.SKU], string, error)
}

// Imports loads master data and book stock from files, at once or as a
// job.
type Imports interface {
	Import(ctx context.Context, a stock.Actor, kind string, body []byte, progress func(float64)) (stock.ImportResult, error)
	SubmitImport(ctx context.Context, a stock.Actor, kind string, body []byte) (stock.JobView, error)
	GetJob(ctx context.Context, a stock.Actor, id string) (stock.JobView, error)
}

// Book is book stock: levels and movements.
type Book interface {
	StockLevels(ctx context.Context, a stock.Actor, location, sku string) ([]stock.StockLevel, error)
	PostMovements(ctx context.Context, a stock.Actor, ms []stock.Movement) (stock.MovementResult, error)
	StockPage(ctx context.Context, a stock.Actor, location, sku string, p stock.PageRequest) (stock.Page[stock.StockLevel], error)
}

// Counts is a count's life: opening, scans (typed and photographed),
// closing, recounts, approval and its dry run.
type Counts interface {
	OpenCount(ctx context.Context, a stock.Actor, in stock.CountInput) (stock.Count, error)
	Count(ctx context.Context, a stock.Actor, id string) (stock.CountView, error)
	Counts(ctx context.Context, a stock.Actor, location string, status stock.CountStatus) ([]stock.Count, error)
	IngestScans(ctx context.Context, a stock.Actor, countID string, scans []stock.ScanInput) (stock.ScanResult, error)
	CountPhoto(ctx context.Context, a stock.Actor, countID string, photo io.Reader, record *stock.PhotoScan) (stock.PhotoResult, error)
	CountScans(ctx context.Context, a stock.Actor, id string, f stock.ScanFilter) ([]stock.Scan, error)
	CountsPage(ctx context.Context, a stock.Actor, q stock.CountQuery, p stock.PageRequest) (stock.Page[stock.Count], error)
	CountScansPage(ctx context.Context, a stock.Actor, id string, f stock.ScanFilter, p stock.PageRequest) (stock.Page[stock.Scan], error)
	CloseCount(ctx context.Context, a stock.Actor, id string) (stock.CountView, error)
	OrderRecount(ctx context.Context, a stock.Actor, id string, in stock.RecountInput) (stock.CountView, error)
	PreviewApproval(ctx context.Context, a stock.Actor, id string, in stock.ApproveInput) (stock.ApprovalPreview, error)
	Approve(ctx context.Context, a stock.Actor, id string, in stock.ApproveInput) (stock.ApproveResult, error)
}

// Reports reads a count's report, the cross-count discrepancies and the
// audit log.
type Reports interface {
	Report(ctx context.Context, a stock.Actor, id, groupBy string, opts stock.ReportOptions) (stock.Report, error)
	Discrepancies(ctx context.Context, a stock.Actor, from, to time.Time, location, groupBy string) (stock.CrossReport, error)
	AuditLog(ctx context.Context, a stock.Actor, entity string, limit int) ([]stock.AuditEntry, error)
	AuditPage(ctx context.Context, a stock.Actor, entity string, p stock.PageRequest) (stock.Page[stock.AuditEntry], error)
}

// Documents stores photographed documents and receives goods against them.
type Documents interface {
	UploadDocument(ctx context.Context, a stock.Actor, in stock.DocumentInput, body io.Reader) (stock.Document, error)
	Document(ctx context.Context, a stock.Actor, id string) (stock.Document, error)
	SKUDocuments(ctx context.Context, a stock.Actor, sku string, limit int) ([]stock.Document, error)
	DocumentsPage(ctx context.Context, a stock.Actor, q stock.DocumentQuery, p stock.PageRequest) (stock.Page[stock.Document], error)
	ReceiveDocument(ctx context.Context, a stock.Actor, id string, in stock.ReceiveInput) (stock.Receipt, error)
	ConfirmMatch(ctx context.Context, a stock.Actor, id string, line int, in stock.MatchInput) (stock.Document, error)
}

// Service is every area together, what New takes.
type Service interface {
	Auth
	Admin
	Imports
	Book
	Counts
	Reports
	Documents
}

// Options configure the API.
type Options struct {
	// Ready reports whether the server can serve (GET /readyz): the
	// database answers.
	Ready func(ctx context.Context) error
	// Components are further dependencies GET /readyz reports by name
	// ("ok" or "unavailable") without failing: ones the server serves
	// without, such as the object store (only uploads and downloads need
	// it, and answer 503 while it is down).
	Components map[string]func(ctx context.Context) error
	// MaxBody bounds an import's body in bytes (read once the caller is
	// known to be allowed to import).
	MaxBody int
	// MaxJSON bounds the largest JSON bodies, batches of scans or
	// movements, in bytes; other routes have smaller fixed limits
	// (body.go).
	MaxJSON int
	// RequestTimeout bounds the work of one request.
	RequestTimeout time.Duration
	// MaxUploads bounds the photo and document uploads in progress; an
	// upload takes a place once its body moves (upload.go); more get 429.
	MaxUploads int
	// MaxUploadsPerEmployee bounds one employee's uploads in progress;
	// more get 429 before their body is read.
	MaxUploadsPerEmployee int
	// UploadMinRate (bytes per second) and UploadRateWindow: a request
	// body must arrive at UploadMinRate or faster over every window of
	// UploadRateWindow the server spends waiting for it; a slower one is
	// cut off with 408. Zero rate: no minimum.
	UploadMinRate    float64
	UploadRateWindow time.Duration
	// MaxPhoto bounds a barcode photo in bytes; MaxDocument a document.
	MaxPhoto, MaxDocument int64
	// Files serves the local object store's download links (nil: none).
	Files SignedFiles
	// Pages are web pages served beside the API, by path prefix: the
	// review pages at /review/. Each is mounted on a group at its prefix
	// whose body limit is PagesSession's.
	Pages map[string]Mounter
	// PagesSession is the cookie of a signed-in session of the pages: a
	// page request with a valid one may send a form of up to 2 MiB, other
	// page requests 64 KiB.
	PagesSession string
	// Alerts serves the alert rules and deliveries (nil: those routes
	// answer 503).
	Alerts AlertService
	// Logger receives a line per request (nil: slog.Default()).
	Logger *slog.Logger
	// Observer receives the API's measurements (nil: none), for metrics.
	Observer Observer
	// CORSOrigins are the web origins ("https://app.example.com") whose
	// pages may call the API from a browser (none: no CORS headers).
	CORSOrigins []string
	// PublicURL is this server as clients reach it
	// ("https://pandian.example.com"): the served OpenAPI document's
	// `servers` entry (empty: "/", the server that serves the document).
	PublicURL string
}

// Mounter registers web pages on a Fiber router at their prefix
// (*review.Pages is one).
type Mounter interface {
	Mount(r fiber.Router)
}

// API is the HTTP layer.
type API struct {
	// The domain, by area (all the same *stock.Service in production).
	auth      Auth
	admin     Admin
	imports   Imports
	book      Book
	counts    Counts
	reports   Reports
	documents Documents

	opts    Options
	uploads chan struct{} // a token per upload in progress

	mu         sync.Mutex
	inProgress map[string]int // uploads in progress per employee code

	log         *slog.Logger
	table       routeTable      // the routes, for the log's route patterns and 405
	corsOrigins map[string]bool // Options.CORSOrigins, in lower case
	openapi     []byte          // OpenAPI with Options.PublicURL as its server
}

// New returns the Fiber app serving the API.
func New(svc Service, opts Options) *fiber.App {
	if opts.MaxBody == 0 {
		opts.MaxBody = 64 << 20
	}
	if opts.MaxJSON == 0 {
		opts.MaxJSON = 8 << 20
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = 5 * time.Minute
	}
	if opts.MaxUploads <= 0 {
		opts.MaxUploads = 16
	}
	if opts.MaxUploadsPerEmployee <= 0 {
		opts.MaxUploadsPerEmployee = 4
	}
	if opts.UploadRateWindow <= 0 {
		opts.UploadRateWindow = 10 * time.Second
	}
	if opts.MaxPhoto <= 0 {
		opts.MaxPhoto = 20 << 20
	}
	if opts.MaxDocument <= 0 {
		opts.MaxDocument = 50 << 20
	}
	if opts.Ready == nil {
		opts.Ready = func(context.Context) error { return nil }
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	a := &API{auth: svc, admin: svc, imports: svc, book: svc, counts: svc, reports: svc, documents: svc, opts: opts, uploads: make(chan struct{}, opts.MaxUploads), inProgress: map[string]int{}, log: opts.Logger}
	var err error
	if a.openapi, err = OpenAPIFor(opts.PublicURL); err != nil {
		a.openapi = OpenAPI // TestOpenAPIFor keeps this from happening
	}
	app := fiber.New(fiber.Config{
		AppName:   "pandian",
		BodyLimit: opts.MaxBody,
		// Bodies are streamed: each route reads its own, within its limit
		// (body.go), uploads part by part (upload.go).
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ErrorHandler:                 errorHandler,
		DisableStartupMessage:        true,
		// Request line and headers up to 16 KiB (fasthttp's default is
		// 4 KiB): GS1 Digital Link codes in a lookup URL and long tokens
		// fit. A larger head is answered 431 and the connection closed.
		ReadBufferSize: 16 << 10,
		ReadTimeout:    2 * time.Minute,
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		JSONEncoder:    json.Marshal,
		JSONDecoder:    json.Unmarshal,
	})
	// fasthttp reads the first 8 KiB of a body with a length before any
	// handler runs. A body declared larger than anything its path accepts
	// is refused before that (guard answers 413 at once, even to a client
	// that announced 1 GiB and sends nothing); what is read must come
	// within one pace window too, or an anonymous client could hold a
	// connection for ReadTimeout by trickling it. Handlers then move the
	// deadline as the body arrives (body.go).
	app.Server().HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		h.Del(declaredHeader)
		n := h.ContentLength()
		if n > 0 && int64(n) > a.declaredMax(h.RequestURI()) {
			h.Set(declaredHeader, strconv.Itoa(n))
			h.SetContentLength(0)
			return fasthttp.RequestConfig{}
		}
		if n > 0 && opts.UploadMinRate > 0 {
			return fasthttp.RequestConfig{ReadTimeout: opts.UploadRateWindow}
		}
		return fasthttp.RequestConfig{}
	}
	// The request log is outermost: it sees every answer, panics
	// included (recoverer turns them into errors), and its bytes as sent
	// (compress is next).
	a.corsOrigins = map[string]bool{}
	for _, o := range opts.CORSOrigins {
		a.corsOrigins[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	app.Use(a.logRequest, a.compress, recoverer, a.guard, a.cors, a.methodAllowed)
	a.routes(app)
	a.table = newRouteTable(app)
	return app
}

// routes registers every endpoint; openapi_test.go checks them against the
// OpenAPI document.
func (a *API) routes(app *fiber.App) {
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", a.readyz)
	app.Get("/v1/openapi.json", a.openapiDocument)
	app.Post("/v1/auth/token", limitBody(tinyBody), a.login)
	app.Post("/v1/auth/refresh", limitBody(tinyBody), a.refresh)
	// Download links carry their own signature instead of a token.
	app.Get("/v1/files/*", a.downloadFile)

	// Every other route authenticates the caller before reading a byte of
	// the body, then reads at most its own limit (body.go).
	v1 := app.Group("/v1", a.authenticate)
	tiny, record, form, batch := limitBody(tinyBody), limitBody(recordBody), limitBody(formBody), limitBody(a.opts.MaxJSON)
	v1.Get("/me", a.me)
	v1.Post("/auth/logout", tiny, a.logout)
	v1.Put("/locations/:code", record, a.putLocation)
	v1.Get("/locations", a.listLocations)
	v1.Get("/locations/:code", a.getLocation)
	v1.Put("/skus/:sku", record, a.putSKU)
	v1.Get("/skus", a.listSKUs)
	v1.Get("/skus/:sku", a.getSKU)
	v1.Delete("/skus/:sku", a.retireSKU)
	v1.Get("/employees", a.listEmployees)
	v1.Put("/employees/:code", record, a.putEmployee)
	v1.Post("/employees/:code/unlock", tiny, a.unlockEmployee)
	v1.Post("/imports/:kind", require(stock.PermMasterData), limitBody(a.opts.MaxBody), a.importCSV)
	v1.Get("/jobs/:id", a.getJob)
	v1.Get("/lookup", a.lookup)
	v1.Get("/stock", a.stockLevels)
	v1.Post("/stock/movements", batch, a.postMovements)
	v1.Post("/counts", form, a.openCount)
	v1.Get("/counts", a.listCounts)
	v1.Get("/counts/:id", a.getCount)
	v1.Post("/counts/:id/scans", batch, a.postScans)
	v1.Get("/counts/:id/scans", a.listScans)
	v1.Post("/counts/:id/images", a.countPhoto)
	v1.Post("/counts/:id/close", tiny, a.closeCount)
	v1.Post("/counts/:id/recounts", form, a.recount)
	v1.Post("/counts/:id/approve", form, a.approve)
	v1.Get("/counts/:id/report", a.report)
	v1.Get("/reports/discrepancies", a.discrepancies)
	v1.Get("/audit", a.audit)
	v1.Post("/documents", a.uploadDocument)
	v1.Get("/documents", a.listDocuments)
	v1.Get("/documents/:id", a.getDocument)
	v1.Post("/documents/:id/receive", form, a.receiveDocument)
	v1.Post("/documents/:id/lines/:line/match", form, a.matchLine)
	v1.Get("/skus/:sku/documents", a.skuDocuments)
	v1.Get("/alert-rules", a.listAlertRules)
	v1.Get("/alert-rules/:id", a.getAlertRule)
	v1.Put("/alert-rules/:id", record, a.putAlertRule)
	v1.Delete("/alert-rules/:id", a.deleteAlertRule)
	v1.Post("/alert-rules/:id/test", tiny, a.testAlertRule)
	v1.Get("/alert-deliveries", a.listAlertDeliveries)
	v1.Get("/alert-deliveries/:id", a.getAlertDelivery)
	v1.Post("/alert-deliveries/:id/retry", tiny, a.retryAlertDelivery)
	for prefix, pages := range a.opts.Pages {
		pages.Mount(app.Group(prefix, a.pageBody))
	}
	app.Use(func(c *fiber.Ctx) error {
		return stock.Errorf(stock.ENotFound, "no endpoint %s %s", c.Method(), c.Path())
	})
}

// require refuses a caller without perm before the body is read.
func require(perm stock.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := actorOf(c).Require(perm); err != nil {
			return err
		}
		return c.Next()
	}
}

// pageBody reads the body of a page request (the pages read it whole):
// 2 MiB with a signed-in session, 64 KiB without, so that an anonymous
// client cannot make the server hold large forms.
func (a *API) pageBody(c *fiber.Ctx) error {
	limit := pageBody
	if tok := c.Cookies(a.opts.PagesSession); tok != "" && a.opts.PagesSession != "" && !bodyOf(c).done {
		if _, err := a.auth.Authenticate(c.UserContext(), tok); err == nil {
			limit = formBody
		}
	}
	return limitBody(limit)(c)
}

// readyz answers 200 when the database answers, whatever the components
// (reported as "ok" or "unavailable"), else 503 with the same report in
// the error's details. Components are checked concurrently, each within
// 2 seconds.
func (a *API) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	report := fiber.Map{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range a.opts.Components {
		wg.Go(func() {
			state := "ok"
			if err := check(ctx); err != nil {
				state = "unavailable"
			}
			mu.Lock()
			report[name] = state
			mu.Unlock()
		})
	}
	dbErr := a.opts.Ready(ctx)
	wg.Wait()
	if dbErr != nil {
		e := stock.Errorf(stock.EUnavailable, "not ready: %s", stock.ErrorMessage(dbErr)).With("database", "unavailable")
		for k, v := range report {
			e = e.With(k, v)
		}
		return e
	}
	report["status"], report["database"] = "ready", "ok"
	return c.JSON(report)
}

// statusOf maps a domain error code to an HTTP status.
var statusOf = map[string]int{
	stock.EInvalid:         fiber.StatusUnprocessableEntity,
	stock.EUnauthenticated: fiber.StatusUnauthorized,
	stock.EForbidden:       fiber.StatusForbidden,
	stock.ENotFound:        fiber.StatusNotFound,
	stock.EConflict:        fiber.StatusConflict,
	stock.ETooLarge:        fiber.StatusRequestEntityTooLarge,
	stock.EUnsupported:     fiber.StatusUnsupportedMediaType,
	stock.ERateLimited:     fiber.StatusTooManyRequests,
	stock.EUnavailable:     fiber.StatusServiceUnavailable,
	stock.EInternal:        fiber.StatusInternalServerError,
}

func errorBody(code, msg string, details map[string]any) fiber.Map {
	if details == nil {
		details = map[string]any{}
	}
	return fiber.Map{"error": fiber.Map{"code": code, "message": msg, "details": details}}
}

// badRequest is an error for a body or query that cannot be read at all
// (answered 400, where a readable but invalid request gets 422).
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

// errorHandler writes every error in the contract's shape.
func errorHandler(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	var br badRequest
	var sb slowBody
	code, status := stock.ErrorCode(err), 0
	msg, details := stock.ErrorMessage(err), stock.ErrorDetails(err)
	switch {
	case errors.As(err, &br):
		code, status, msg = stock.EInvalid, fiber.StatusBadRequest, br.msg
	case errors.As(err, &sb):
		code, status, msg = codeTimeout, fiber.StatusRequestTimeout, sb.msg
	case errors.As(err, &fe):
		status, msg = fe.Code, fe.Message
		switch {
		case fe.Code == fiber.StatusRequestEntityTooLarge:
			code = stock.ETooLarge
		case fe.Code == fiber.StatusNotFound:
			code = stock.ENotFound
		case fe.Code == fiber.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case fe.Code == fiber.StatusRequestTimeout:
			code = codeTimeout // the first bytes of a body came too slowly
		case fe.Code < 500:
			code = stock.EInvalid
		default:
			code = stock.EInternal
		}
	default:
		status = statusOf[code]
	}
	if status == 0 {
		status = fiber.StatusInternalServerError
	}
	if status >= 500 && code == stock.EInternal {
		slog.Error("request failed", "request_id", requestIDOf(c), "method", c.Method(), "path", c.Path(), "err", err)
		msg = "internal error"
	}
	if kind, ok := details["kind"]; ok && code == stock.EConflict {
		// A database constraint said no: the domain's own checks did not
		// catch it (a race, or a rule only the schema knows), so log which.
		slog.Warn("constraint violation", "method", c.Method(), "path", c.Path(), "kind", kind,
			"constraint", details["constraint"], "table", details["table"], "err", err)
	}
	if d, ok := details["retry_after_seconds"]; ok {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(d))
	} else if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "1")
	}
	return c.Status(status).JSON(errorBody(code, msg, details))
}

// recoverer turns a panic into a 500 without a stack trace in the answer;
// the log gets the stack.
func recoverer(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("panic", "method", c.Method(), "path", c.Path(), "panic", r, "stack", string(debug.Stack()))
			err = stock.Errorf(stock.EInternal, "internal error")
		}
	}()
	return c.Next()
}

// actorKey is where authenticate leaves the caller.
const actorKey = "actor"

func (a *API) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return stock.Errorf(stock.EUnauthenticated, "missing Authorization: Bearer <token>")
	}
	actor, err := a.auth.Authenticate(c.UserContext(), strings.TrimSpace(token))
	if err != nil {
		return err
	}
	if d := c.Get("X-Device-ID"); d != "" && len(d) <= 100 {
		actor.DeviceID = d
	}
	c.Locals(actorKey, actor)
	ctx, cancel := context.WithTimeout(c.UserContext(), a.opts.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

func actorOf(c *fiber.Ctx) stock.Actor {
	a, _ := c.Locals(actorKey).(stock.Actor)
	return a
}

// readJSON decodes a JSON body strictly: the media type must be JSON, the
// body one value with no unknown fields, within the size limit.
func (a *API) readJSON(c *fiber.Ctx, v any) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || (mt != fiber.MIMEApplicationJSON && !strings.HasSuffix(mt, "+json")) {
		return stock.Errorf(stock.EUnsupported, "send the body as application/json")
	}
	body := c.Body()
	if len(body) > a.opts.MaxJSON {
		return stock.Errorf(stock.ETooLarge, "the body is larger than %d bytes", a.opts.MaxJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest{msg: "malformed JSON: " + jsonProblem(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest{msg: "malformed JSON: more than one value in the body"}
	}
	return nil
}

// jsonProblem explains a decoding error without Go type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var de *stock.Error
	switch {
	case errors.As(err, &de):
		return de.Message
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the body"
		}
		want := te.Type.Kind().String()
		switch want {
		case "int64", "int", "int32":
			want = "an integer"
		case "float64":
			want = "a number"
		case "string":
			want = "a string"
		case "slice":
			want = "an array"
		case "struct", "map":
			want = "an object"
		}
		return fmt.Sprintf("%s must be %s, got %s", field, want, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return msg
}

// queryInt reads an optional integer query parameter.
func queryInt(c *fiber.Ctx, name string, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, stock.Errorf(stock.EInvalid, "%s must be an integer", name).With("field", name)
	}
	return n, nil
}
