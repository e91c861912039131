package review

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"pandian/stock"
)

// page is what every template gets.
type page struct {
	L          *loc
	P          string // the prefix, for links
	Title      string
	Actor      *stock.Actor
	CSRF       string
	LangURL    string // the current page in the other language
	Error      string // a refusal or failure to show
	ErrorTitle string
	Notice     string
	Status     int
	D          any
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// otherLangURL is the current URL with lang switched.
func otherLangURL(r *http.Request, l *loc) string {
	q := r.URL.Query()
	if l.zh {
		q.Set("lang", langEN)
	} else {
		q.Set("lang", langZH)
	}
	return r.URL.Path + "?" + q.Encode()
}

func (h *handler) newPage(q *req, title string) *page {
	p := &page{L: q.L, P: h.opts.Prefix, Title: title, LangURL: otherLangURL(q.r, q.L), Status: http.StatusOK}
	if q.token != "" {
		a := q.actor
		p.Actor = &a
		p.CSRF = h.csrf("session", q.token)
	}
	return p
}

// render writes a page with its status.
func (h *handler) render(w http.ResponseWriter, r *http.Request, name string, p *page) {
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, p); err != nil {
		h.opts.Logger.Error("review template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	w.WriteHeader(p.Status)
	w.Write(buf.Bytes())
}

// renderError answers an error page: with err, its status and message come
// from the domain error.
func (h *handler) renderError(w http.ResponseWriter, r *http.Request, l *loc, status int, msg string, errs ...error) {
	if l == nil {
		l = h.lang(w, r)
	}
	if len(errs) > 0 && errs[0] != nil {
		status, msg = statusOf(errs[0]), h.errorText(r, l, errs[0])
	}
	if msg == "" {
		msg = l.T("notfound")
	}
	p := &page{L: l, P: h.opts.Prefix, Title: l.T("status." + strconv.Itoa(status)), LangURL: otherLangURL(r, l), Error: msg, Status: status}
	p.ErrorTitle = p.Title
	h.render(w, r, "error", p)
}

// pageError renders the error page for a domain error while signed in (the
// header keeps the user's name and sign-out).
func (h *handler) pageError(q *req, err error) {
	p := h.newPage(q, "")
	p.Status, p.Error = statusOf(err), h.errorText(q.r, q.L, err)
	p.Title = q.L.T("status." + strconv.Itoa(p.Status))
	p.ErrorTitle = p.Title
	h.render(q.w, q.r, "error", p)
}

// --- sign-in ---------------------------------------------------------------

type loginData struct {
	Next string
	Code string
}

// safeNext keeps a post-sign-in redirect inside the pages.
func (h *handler) safeNext(next string) string {
	if strings.HasPrefix(next, h.opts.Prefix+"/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, `\`) &&
		!strings.HasPrefix(next, h.opts.Prefix+"/login") {
		return next
	}
	return h.opts.Prefix + "/counts"
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	l := h.lang(w, r)
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := h.svc.Authenticate(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, h.safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	h.renderLogin(w, r, l, http.StatusOK, "", loginData{Next: r.URL.Query().Get("next")})
}

// renderLogin shows the sign-in form with a CSRF token bound to the
// pre-session cookie (set when missing).
func (h *handler) renderLogin(w http.ResponseWriter, r *http.Request, l *loc, status int, msg string, d loginData) {
	pre := ""
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) >= 20 {
		pre = c.Value
	} else {
		var b [18]byte
		rand.Read(b[:])
		pre = base64.RawURLEncoding.EncodeToString(b[:])
		http.SetCookie(w, &http.Cookie{Name: preCookie, Value: pre, Path: h.cookiePath(), HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
	}
	w.Header().Set("Cache-Control", "no-store")
	d.Next = h.safeNext(d.Next)
	p := &page{L: l, P: h.opts.Prefix, Title: l.T("signin"), LangURL: otherLangURL(r, l), CSRF: h.csrf("login", pre), Status: status, Error: msg, D: d}
	if msg != "" {
		p.ErrorTitle = l.T("status." + strconv.Itoa(status))
	}
	h.render(w, r, "login", p)
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	l := h.lang(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.renderLogin(w, r, l, http.StatusBadRequest, l.T("signin.required"), loginData{})
		return
	}
	d := loginData{Next: r.PostForm.Get("next"), Code: strings.TrimSpace(r.PostForm.Get("code"))}
	pre, err := r.Cookie(preCookie)
	if err != nil || !hmacEqual(r.PostForm.Get("csrf"), h.csrf("login", pre.Value)) {
		h.renderLogin(w, r, l, http.StatusForbidden, l.T("csrf"), d)
		return
	}
	pin := r.PostForm.Get("pin")
	if d.Code == "" || pin == "" {
		h.renderLogin(w, r, l, http.StatusUnprocessableEntity, l.T("signin.required"), d)
		return
	}
	// The pages share one device ID: attempts are throttled per client
	// address instead.
	s, err := h.svc.LoginFrom(r.Context(), d.Code, pin, h.opts.DeviceID, "web:"+clientHost(r))
	if err != nil {
		msg := h.errorText(r, l, err)
		switch stock.ErrorCode(err) {
		case stock.EUnauthenticated:
			msg = l.T("signin.wrong")
			if n, ok := stock.ErrorDetails(err)["attempts_left"].(int); ok && n > 0 {
				msg += " " + l.Tf("signin.left", n)
			}
		case stock.ERateLimited:
			secs, _ := stock.ErrorDetails(err)["retry_after_seconds"].(int)
			msg = l.Tf("signin.locked", l.duration(time.Duration(secs)*time.Second))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		h.renderLogin(w, r, l, statusOf(err), msg, d)
		return
	}
	h.setSession(w, r, s)
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: "", Path: h.cookiePath(), MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
	http.Redirect(w, r, h.safeNext(d.Next), http.StatusSeeOther)
}

// clientHost is the address a request comes from, without its port.
func clientHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// duration formats a wait in minutes (or seconds below one).
func (l *loc) duration(d time.Duration) string {
	if d < time.Minute {
		if l.zh {
			return fmt.Sprintf("%d 秒", int(d.Seconds()))
		}
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if l.zh {
		return fmt.Sprintf("%d 分鐘", m)
	}
	return fmt.Sprintf("%d min", m)
}

// logout revokes the session's token and forgets the cookie.
func (h *handler) logout(q *req) {
	if err := h.svc.Logout(q.r.Context(), q.token); err != nil {
		h.opts.Logger.Warn("review logout", "err", err)
	}
	h.clearSession(q.w, q.r)
	http.Redirect(q.w, q.r, h.opts.Prefix+"/login", http.StatusSeeOther)
}

// --- count list ----------------------------------------------------------

type countRow struct {
	stock.Count
	Currency string
	Headline bool // the variance below was computed
	Masked   bool
	Lines    int
	VarLines int
	AbsValue stock.Money
	NetValue stock.Money
}

type countsData struct {
	Status   string
	Statuses []stock.CountStatus
	Rows     []countRow
}

func (h *handler) counts(q *req) {
	status := stock.CountStatus(q.r.URL.Query().Get("status"))
	cs, err := h.svc.Counts(q.r.Context(), q.actor, "", status)
	if err != nil {
		h.pageError(q, err)
		return
	}
	d := countsData{Status: string(status), Statuses: []stock.CountStatus{stock.StatusOpen, stock.StatusRecount, stock.StatusReview, stock.StatusPosted}}
	for i, c := range cs {
		row := countRow{Count: c, Currency: stock.CurrencyOf(c.LocationPath).Symbol()}
		if i < h.opts.ListReports {
			rep, err := h.svc.Report(q.r.Context(), q.actor, c.ID, "sku", stock.ReportOptions{})
			if err == nil {
				tot := lineTotals(rep.Lines)
				row.Headline, row.Masked, row.Lines = true, rep.Masked, len(rep.Lines)
				row.AbsValue, row.NetValue = tot.AbsVarianceValue, tot.NetVarianceValue
				for _, l := range rep.Lines {
					if l.VarianceQty != 0 {
						row.VarLines++
					}
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	p := h.newPage(q, q.L.T("counts.title"))
	p.D = d
	h.render(q.w, q.r, "counts", p)
}

// --- a count's report ----------------------------------------------------

// filters narrow a report's lines (the domain's report has none).
type filters struct {
	Zone, Category, Role, Employee, Lot, Expiry string
	Variance                                    bool
	Sort                                        string
}

func parseFilters(v url.Values) filters {
	f := filters{Zone: v.Get("zone"), Category: v.Get("category"), Role: v.Get("role"), Employee: v.Get("employee"),
		Lot: strings.TrimSpace(v.Get("lot")), Expiry: v.Get("expiry"), Variance: v.Get("variance") == "1", Sort: v.Get("sort")}
	if f.Sort != "sku" && f.Sort != "qty" {
		f.Sort = "abs"
	}
	return f
}

// Query is the filters as a query string (for export links).
func (f filters) Query() string {
	v := url.Values{}
	for k, s := range map[string]string{"zone": f.Zone, "category": f.Category, "role": f.Role, "employee": f.Employee, "lot": f.Lot, "expiry": f.Expiry} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Variance {
		v.Set("variance", "1")
	}
	if f.Sort != "abs" {
		v.Set("sort", f.Sort)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// Active reports whether any filter is set.
func (f filters) Active() bool {
	return f.Zone != "" || f.Category != "" || f.Role != "" || f.Employee != "" || f.Lot != "" || f.Expiry != "" || f.Variance
}

// apply filters and sorts the lines of r.
func (f filters) apply(r stock.Report) []stock.ReportLine {
	var lotSKUs map[string]bool
	if f.Lot != "" || f.Expiry != "" {
		lotSKUs = map[string]bool{}
		for _, l := range r.Lots {
			if (f.Lot == "" || strings.EqualFold(l.Lot, f.Lot)) && (f.Expiry == "" || l.ExpiryStatus == f.Expiry) {
				lotSKUs[l.SKU] = true
			}
		}
	}
	out := []stock.ReportLine{}
	for _, l := range r.Lines {
		switch {
		case f.Zone != "" && !has(l.Zones, f.Zone),
			f.Category != "" && l.Category != f.Category,
			f.Role != "" && !hasRole(l.Roles, f.Role),
			f.Employee != "" && !has(l.CountedBy, f.Employee),
			lotSKUs != nil && !lotSKUs[l.SKU],
			f.Variance && l.VarianceQty == 0 && !r.Masked:
			continue
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch f.Sort {
		case "qty":
			if x, y := abs64(a.VarianceQty), abs64(b.VarianceQty); x != y {
				return x > y
			}
		case "abs":
			if x, y := a.VarianceValue.Abs(), b.VarianceValue.Abs(); x != y {
				return x > y
			}
		}
		return a.SKU < b.SKU
	})
	return out
}

func has(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func hasRole(xs []stock.Role, x string) bool {
	for _, v := range xs {
		if string(v) == x {
			return true
		}
	}
	return false
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

type reportData struct {
	Count      stock.CountView
	Report     stock.Report
	Lines      []stock.ReportLine
	F          filters
	Currency   string
	StoreName  string
	Limit      *stock.Money
	Zones      []string
	Categories []string
	RoleKeys   []string
	Employees  []string
	LotList    []string
	Reasons    []string
	CanRecount bool
	CanApprove bool
	XLSX       bool
	Shown      stock.GroupSummary // totals of the shown lines
	Totals     stock.GroupSummary // totals of all lines (the report's own are by role: rounds)
	Truncated  int                // lines that matched when more than the page shows
	ToPost     stock.Money        // what an approval would post (sum of absolute values)
	OverLimit  bool               // ToPost is above the store manager's limit
	// UncountedLines lines nobody scanned (worth UncountedValue) would be
	// set to 0: the approve form asks whether to (stock.ApproveInput.Uncounted).
	UncountedLines int
	UncountedValue stock.Money
}

// lineTotals sums lines (not rounds) the way the domain's line summaries do.
func lineTotals(lines []stock.ReportLine) stock.GroupSummary {
	g := stock.GroupSummary{Key: "total", Accuracy: 1}
	for _, l := range lines {
		if l.Status == stock.LineIgnored {
			continue
		}
		g.Lines++
		g.AbsVarianceQty += abs64(l.VarianceQty)
		g.AbsVarianceValue += l.VarianceValue.Abs()
		g.NetVarianceValue += l.VarianceValue
		if l.WithinTolerance {
			g.WithinTolerance++
		}
		if l.Recounted {
			g.Recounted++
		}
	}
	if g.Lines > 0 {
		g.Accuracy = float64(g.WithinTolerance) / float64(g.Lines)
	}
	return g
}

// reportPage renders a count's report, with a refusal or notice.
func (h *handler) reportPage(q *req, id string, status int, errMsg, notice string) {
	ctx := q.r.Context()
	cv, err := h.svc.Count(ctx, q.actor, id)
	if err != nil {
		h.pageError(q, err)
		return
	}
	rep, err := h.svc.Report(ctx, q.actor, id, "role", stock.ReportOptions{Lots: true})
	if err != nil {
		h.pageError(q, err)
		return
	}
	f := parseFilters(q.r.URL.Query())
	d := reportData{Count: cv, Report: rep, F: f, Lines: f.apply(rep), Currency: stock.CurrencyOf(cv.LocationPath).Symbol(),
		Reasons: stock.ReasonCodes, XLSX: h.opts.XLSX != nil || h.opts.XLSXFor != nil}
	d.CanRecount = q.actor.Role().Can(stock.PermManageCount) && cv.Status == stock.StatusReview
	d.CanApprove = q.actor.Role().Can(stock.PermApprove) && cv.Status == stock.StatusReview
	if h.locs != nil {
		if loc, err := h.locs.Location(ctx, q.actor, cv.Location); err == nil {
			if loc.Kind == stock.KindZone && loc.Parent != "" {
				if st, err := h.locs.Location(ctx, q.actor, loc.Parent); err == nil {
					loc = st
				}
			}
			d.StoreName = loc.Name
			if q.actor.Role() == stock.RoleStoreManager {
				d.Limit = loc.ApprovalLimit
			}
		}
	}
	zones, cats, roles, emps, lots := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, l := range rep.Lines {
		for _, z := range l.Zones {
			zones[z] = true
		}
		if l.Category != "" {
			cats[l.Category] = true
		}
		for _, r := range l.Roles {
			roles[string(r)] = true
		}
		for _, e := range l.CountedBy {
			emps[e] = true
		}
	}
	for _, l := range rep.Lots {
		if l.Lot != "" {
			lots[l.Lot] = true
		}
	}
	d.Zones, d.Categories, d.RoleKeys, d.Employees, d.LotList = keys(zones), keys(cats), keys(roles), keys(emps), keys(lots)
	d.Shown, d.Totals = lineTotals(d.Lines), lineTotals(rep.Lines)
	for _, l := range rep.Lines {
		if l.Status != stock.LineIgnored && l.VarianceQty != 0 && !l.RecountRequired {
			d.ToPost += l.VarianceValue.Abs()
			if l.Status == stock.LineUncounted {
				d.UncountedLines++
				d.UncountedValue += l.VarianceValue.Abs()
			}
		}
	}
	d.OverLimit = d.Limit != nil && d.ToPost > *d.Limit
	if len(d.Lines) > h.opts.MaxLines {
		d.Truncated, d.Lines = len(d.Lines), d.Lines[:h.opts.MaxLines]
	}
	p := h.newPage(q, q.L.Tf("report.title", cv.ID))
	p.D, p.Notice, p.Error = d, notice, errMsg
	if errMsg != "" {
		p.Status = status
		p.ErrorTitle = q.L.T("refused")
	}
	h.render(q.w, q.r, "report", p)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (h *handler) report(q *req) {
	id := q.r.PathValue("id")
	notice := ""
	switch q.r.URL.Query().Get("done") {
	case "recount":
		if cv, err := h.svc.Count(q.r.Context(), q.actor, id); err == nil && cv.Status == stock.StatusRecount {
			notice = q.L.Tf("recount.done", cv.Round)
		}
	case "approve":
		if rep, err := h.svc.Report(q.r.Context(), q.actor, id, "sku", stock.ReportOptions{}); err == nil {
			n, v := 0, stock.Money(0)
			for _, l := range rep.Lines {
				if l.Posted {
					n++
					v += l.VarianceValue.Abs()
				}
			}
			cv, _ := h.svc.Count(q.r.Context(), q.actor, id)
			notice = q.L.Tf("approve.done", n, q.L.Money(v, stock.CurrencyOf(cv.LocationPath).Symbol()))
		}
	}
	h.reportPage(q, id, http.StatusOK, "", notice)
}

// refuse re-renders the report with the domain's refusal and its status.
func (h *handler) refuse(q *req, id string, err error) {
	if stock.ErrorCode(err) == stock.ENotFound {
		h.pageError(q, err)
		return
	}
	h.reportPage(q, id, statusOf(err), h.errorText(q.r, q.L, err), "")
}

func (h *handler) recount(q *req) {
	id := q.r.PathValue("id")
	in := stock.RecountInput{SKUs: q.r.PostForm["sku"], Assignee: strings.TrimSpace(q.r.PostForm.Get("assignee"))}
	if _, err := h.svc.OrderRecount(q.r.Context(), q.actor, id, in); err != nil {
		h.refuse(q, id, err)
		return
	}
	http.Redirect(q.w, q.r, h.opts.Prefix+"/counts/"+url.PathEscape(id)+"?done=recount", http.StatusSeeOther)
}

func (h *handler) approve(q *req) {
	id := q.r.PathValue("id")
	in := stock.ApproveInput{ReasonCodes: map[string]string{}, Uncounted: q.r.PostForm.Get("uncounted")}
	for k, vs := range q.r.PostForm {
		if sku, ok := strings.CutPrefix(k, "reason:"); ok && len(vs) > 0 && vs[0] != "" {
			in.ReasonCodes[sku] = vs[0]
		}
	}
	if _, err := h.svc.Approve(q.r.Context(), q.actor, id, in); err != nil {
		h.refuse(q, id, err)
		return
	}
	http.Redirect(q.w, q.r, h.opts.Prefix+"/counts/"+url.PathEscape(id)+"?done=approve", http.StatusSeeOther)
}

// --- drill-down ----------------------------------------------------------

type scansData struct {
	CountID string
	SKU     string
	Scans   []stock.Scan
	Photos  bool // photo scans link to their photo
}

func (h *handler) scans(q *req) {
	id, sku := q.r.PathValue("id"), q.r.PathValue("sku")
	scans, err := h.svc.CountScans(q.r.Context(), q.actor, id, stock.ScanFilter{SKU: sku, Limit: 2000})
	if err != nil {
		h.pageError(q, err)
		return
	}
	p := h.newPage(q, q.L.Tf("scans.title", sku))
	p.D = scansData{CountID: id, SKU: sku, Scans: scans, Photos: h.photos != nil}
	h.render(q.w, q.r, "scans", p)
}

// photo sends the browser to the photo that a count's photo scans were
// read from (a short-lived download link).
func (h *handler) photo(q *req) {
	if h.photos == nil {
		h.renderError(q.w, q.r, q.L, http.StatusNotFound, "")
		return
	}
	u, err := h.photos.ScanPhoto(q.r.Context(), q.actor, q.r.PathValue("id"), q.r.PathValue("photo"))
	if err != nil {
		h.pageError(q, err)
		return
	}
	http.Redirect(q.w, q.r, u, http.StatusSeeOther)
}

// PhotoID returns the photo a scan was read from ("" for a scanner scan):
// photo uploads record their barcodes with event ids "photo-<hash>-<n>".
func PhotoID(s stock.Scan) string {
	rest, ok := strings.CutPrefix(s.EventID, "photo-")
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(rest, '-'); i > 0 {
		return rest[:i]
	}
	return rest
}

// --- exports -------------------------------------------------------------

// filteredReport is the report of a count with the page's filters applied.
func (h *handler) filteredReport(q *req) (stock.Report, stock.Count, bool) {
	id := q.r.PathValue("id")
	cv, err := h.svc.Count(q.r.Context(), q.actor, id)
	if err != nil {
		h.pageError(q, err)
		return stock.Report{}, stock.Count{}, false
	}
	rep, err := h.svc.Report(q.r.Context(), q.actor, id, "sku", stock.ReportOptions{Lots: true})
	if err != nil {
		h.pageError(q, err)
		return rep, cv.Count, false
	}
	rep.Lines = parseFilters(q.r.URL.Query()).apply(rep)
	return rep, cv.Count, true
}

func (h *handler) exportCSV(q *req) {
	rep, c, ok := h.filteredReport(q)
	if !ok {
		return
	}
	q.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	q.w.Header().Set("Content-Disposition", `attachment; filename="count-`+safeFilename(c.ID)+`.csv"`)
	if err := writeCSV(q.w, rep, string(stock.CurrencyOf(c.LocationPath))); err != nil {
		h.opts.Logger.Warn("review csv", "count", c.ID, "err", err)
	}
}

func (h *handler) exportXLSX(q *req) {
	if h.opts.XLSX == nil && h.opts.XLSXFor == nil {
		h.renderError(q.w, q.r, q.L, http.StatusNotFound, "")
		return
	}
	rep, c, ok := h.filteredReport(q)
	if !ok {
		return
	}
	h.streamXLSX(q, "count-"+safeFilename(c.ID)+".xlsx", func(w io.Writer) error {
		if h.opts.XLSXFor != nil {
			return h.opts.XLSXFor(w, rep, string(stock.CurrencyOf(c.LocationPath)), q.L.Lang)
		}
		return h.opts.XLSX(w, rep)
	})
}

// streamXLSX writes a workbook straight into the answer (large counts are
// never held in memory); an error once it has started can only be logged.
func (h *handler) streamXLSX(q *req, filename string, write func(io.Writer) error) {
	q.w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	q.w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	if err := write(q.w); err != nil {
		h.opts.Logger.Warn("review xlsx", "file", filename, "err", err)
	}
}

func safeFilename(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// hmacEqual compares a posted token with the expected one in constant time.
func hmacEqual(got, want string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}
