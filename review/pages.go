package review

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pandian/export"
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
func otherLangURL(c *fiber.Ctx, l *loc) string {
	q := query(c)
	if l.zh {
		q.Set("lang", langEN)
	} else {
		q.Set("lang", langZH)
	}
	return c.Path() + "?" + q.Encode()
}

func (h *Pages) newPage(q *req, title string) *page {
	p := &page{L: q.L, P: h.opts.Prefix, Title: title, LangURL: otherLangURL(q.c, q.L), Status: http.StatusOK}
	if q.token != "" {
		a := q.actor
		p.Actor = &a
		p.CSRF = h.csrf("session", q.token)
	}
	return p
}

// render answers a page with its status.
func (h *Pages) render(c *fiber.Ctx, name string, p *page) error {
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, p); err != nil {
		h.opts.Logger.Error("review template", "page", name, "err", err)
		c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
		return c.Status(http.StatusInternalServerError).SendString("internal error")
	}
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	return c.Status(p.Status).Send(buf.Bytes())
}

// renderError answers an error page: with err, its status and message come
// from the domain error.
func (h *Pages) renderError(c *fiber.Ctx, l *loc, status int, msg string, errs ...error) error {
	if l == nil {
		l = h.lang(c)
	}
	if len(errs) > 0 && errs[0] != nil {
		status, msg = statusOf(errs[0]), h.errorText(c, l, errs[0])
	}
	if msg == "" {
		msg = l.T("notfound")
	}
	p := &page{L: l, P: h.opts.Prefix, Title: l.T("status." + strconv.Itoa(status)), LangURL: otherLangURL(c, l), Error: msg, Status: status}
	p.ErrorTitle = p.Title
	return h.render(c, "error", p)
}

// pageError renders the error page for a domain error while signed in (the
// header keeps the user's name and sign-out).
func (h *Pages) pageError(q *req, err error) error {
	p := h.newPage(q, "")
	p.Status, p.Error = statusOf(err), h.errorText(q.c, q.L, err)
	p.Title = q.L.T("status." + strconv.Itoa(p.Status))
	p.ErrorTitle = p.Title
	return h.render(q.c, "error", p)
}

// --- sign-in ---------------------------------------------------------------

type loginData struct {
	Next string
	Code string
}

// safeNext keeps a post-sign-in redirect inside the pages.
func (h *Pages) safeNext(next string) string {
	if strings.HasPrefix(next, h.opts.Prefix+"/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, `\`) &&
		!strings.HasPrefix(next, h.opts.Prefix+"/login") {
		return next
	}
	return h.opts.Prefix + "/counts"
}

func (h *Pages) loginForm(c *fiber.Ctx) error {
	l := h.lang(c)
	next := query(c).Get("next")
	if tok := c.Cookies(sessionCookie); tok != "" {
		if _, err := h.svc.Authenticate(c.UserContext(), tok); err == nil {
			return c.Redirect(h.safeNext(next), http.StatusSeeOther)
		}
	}
	return h.renderLogin(c, l, http.StatusOK, "", loginData{Next: next})
}

// renderLogin shows the sign-in form with a CSRF token bound to the
// pre-session cookie (set when missing).
func (h *Pages) renderLogin(c *fiber.Ctx, l *loc, status int, msg string, d loginData) error {
	pre := c.Cookies(preCookie)
	if len(pre) < 20 {
		var b [18]byte
		rand.Read(b[:])
		pre = base64.RawURLEncoding.EncodeToString(b[:])
		c.Cookie(&fiber.Cookie{Name: preCookie, Value: pre, Path: h.cookiePath(), HTTPOnly: true,
			SameSite: fiber.CookieSameSiteStrictMode, Secure: h.secure(c)})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	d.Next = h.safeNext(d.Next)
	p := &page{L: l, P: h.opts.Prefix, Title: l.T("signin"), LangURL: otherLangURL(c, l), CSRF: h.csrf("login", pre), Status: status, Error: msg, D: d}
	if msg != "" {
		p.ErrorTitle = l.T("status." + strconv.Itoa(status))
		if status == http.StatusUnauthorized {
			// A wrong PIN: not "signed out".
			p.ErrorTitle = l.T("signin.failed")
		}
	}
	return h.render(c, "login", p)
}

func (h *Pages) login(c *fiber.Ctx) error {
	l := h.lang(c)
	form, err := readForm(c, 64<<10)
	if err != nil {
		return h.renderLogin(c, l, http.StatusBadRequest, l.T("signin.required"), loginData{})
	}
	d := loginData{Next: form.Get("next"), Code: strings.TrimSpace(form.Get("code"))}
	pre := c.Cookies(preCookie)
	if pre == "" || !hmacEqual(form.Get("csrf"), h.csrf("login", pre)) {
		return h.renderLogin(c, l, http.StatusForbidden, l.T("csrf"), d)
	}
	pin := form.Get("pin")
	if d.Code == "" || pin == "" {
		return h.renderLogin(c, l, http.StatusUnprocessableEntity, l.T("signin.required"), d)
	}
	// The pages share one device ID: attempts are throttled per client
	// address instead.
	s, err := h.svc.LoginFrom(c.UserContext(), d.Code, pin, h.opts.DeviceID, "web:"+c.IP())
	if err != nil {
		msg := h.errorText(c, l, err)
		switch stock.ErrorCode(err) {
		case stock.EUnauthenticated:
			msg = l.T("signin.wrong")
			if n, ok := stock.ErrorDetails(err)["attempts_left"].(int); ok && n > 0 {
				msg += " " + l.Tf("signin.left", n)
			}
		case stock.ERateLimited:
			secs, _ := stock.ErrorDetails(err)["retry_after_seconds"].(int)
			msg = l.Tf("signin.locked", l.duration(time.Duration(secs)*time.Second))
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		}
		return h.renderLogin(c, l, statusOf(err), msg, d)
	}
	h.setSession(c, s)
	h.forget(c, preCookie)
	return c.Redirect(h.safeNext(d.Next), http.StatusSeeOther)
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
func (h *Pages) logout(q *req) error {
	if err := h.svc.Logout(q.ctx, q.token); err != nil {
		h.opts.Logger.Warn("review logout", "err", err)
	}
	h.clearSession(q.c)
	return q.c.Redirect(h.opts.Prefix+"/login", http.StatusSeeOther)
}

// --- count list ----------------------------------------------------------

type countRow struct {
	stock.Count
	Currency string
	Title    string // store · scope ("尖沙咀店 · 飲品")
	Opener   string // the opener's name ("" when unknown)
	Headline bool   // the variance below was computed
	Masked   bool
	Lines    int // lines in the count (in scope, and any counted outside the snapshot)
	Counted  int // lines scanned
	VarLines int
	AbsValue stock.Money
	NetValue stock.Money
}

// option is one choice of a picker.
type option struct{ Value, Label string }

type countsData struct {
	Status   string
	Statuses []stock.CountStatus
	Store    string
	Stores   []option // the caller's stores
	From, To string   // opened between (YYYY-MM-DD, Hong Kong time), inclusive
	Rows     []countRow
	Page     int // 1-based
	First    int // 1-based position of the first row shown
	Prev     string
	Newest   string // the first page, when this is not it
	Next     string
}

// maxBack is how many earlier pages' cursors a list link carries (for
// its Previous link; further back, Previous goes to the newest page).
const maxBack = 20

// dateParam parses a YYYY-MM-DD date as the start of that day in Hong Kong
// time.
func dateParam(s string) (time.Time, error) { return time.ParseInLocation("2006-01-02", s, hkt) }

// locationIndex is the caller's locations by code ("" when the service
// cannot list them).
func (h *Pages) locationIndex(q *req) map[string]stock.Location {
	out := map[string]stock.Location{}
	if h.dir == nil {
		return out
	}
	ls, err := h.dir.Locations(q.ctx, q.actor, "")
	if err != nil {
		h.opts.Logger.Warn("review locations", "err", err)
		return out
	}
	for _, l := range ls {
		out[l.Code] = l
	}
	return out
}

// storeOf is the store a location belongs to (itself when it is one; the
// location itself when no store is above it).
func storeOf(locs map[string]stock.Location, code string) stock.Location {
	l, ok := locs[code]
	if !ok {
		return stock.Location{Code: code}
	}
	for cur := l; ; {
		if cur.Kind == stock.KindStore {
			return cur
		}
		p, ok := locs[cur.Parent]
		if !ok || cur.Parent == "" {
			return l
		}
		cur = p
	}
}

// locName is a location's name, or its code when unknown.
func locName(locs map[string]stock.Location, code string) string {
	if l, ok := locs[code]; ok && l.Name != "" {
		return l.Name
	}
	return code
}

// countTitle names a count by its store and scope: "尖沙咀店 · 飲品",
// "尖沙咀店 · 零食區", "尖沙咀店 · 6 SKUs", "尖沙咀店 · Whole store".
func countTitle(l *loc, c stock.Count, locs map[string]stock.Location) string {
	st := storeOf(locs, c.Location)
	title := locName(locs, st.Code)
	var parts []string
	if c.Location != st.Code {
		parts = append(parts, locName(locs, c.Location))
	}
	for _, z := range c.Scope.Zones {
		parts = append(parts, locName(locs, z))
	}
	for _, cat := range c.Scope.Categories {
		parts = append(parts, l.Cat(cat))
	}
	if n := len(c.Scope.SKUs); n > 0 {
		parts = append(parts, l.Tf("scope.skus", n))
	}
	if len(parts) == 0 {
		parts = append(parts, l.T("scope.all"))
	}
	sep := ", "
	if l.zh {
		sep = "、"
	}
	return title + " · " + strings.Join(parts, sep)
}

// names looks employees' names up (an empty map when the service cannot).
func (h *Pages) names(q *req, codes []string) map[string]string {
	if h.dir == nil || len(codes) == 0 {
		return map[string]string{}
	}
	m, err := h.dir.EmployeeNames(q.ctx, q.actor, codes)
	if err != nil {
		h.opts.Logger.Warn("review employee names", "err", err)
		return map[string]string{}
	}
	return m
}

func (h *Pages) counts(q *req) error {
	v := query(q.c)
	d := countsData{Statuses: []stock.CountStatus{stock.StatusOpen, stock.StatusRecount, stock.StatusReview, stock.StatusPosted}, Page: 1}
	var bad []string // messages about filter values that were ignored
	if s := stock.CountStatus(v.Get("status")); s != "" {
		if slices.Contains(d.Statuses, s) {
			d.Status = string(s)
		} else {
			bad = append(bad, q.L.Tf("filter.bad.status", v.Get("status")))
		}
	}
	locs := h.locationIndex(q)
	d.Stores, d.Store, bad = storeFilter(q, locs, v.Get("store"), bad)
	var from, to time.Time
	if s := v.Get("from"); s != "" {
		t, err := dateParam(s)
		if err != nil {
			bad = append(bad, q.L.Tf("filter.bad.date", s))
		} else {
			from, d.From = t, s
		}
	}
	if s := v.Get("to"); s != "" {
		t, err := dateParam(s)
		if err != nil {
			bad = append(bad, q.L.Tf("filter.bad.date", s))
		} else {
			to, d.To = t.AddDate(0, 0, 1), s
		}
	}
	// Cursor paging through the domain (newest first): the cursor of
	// this page, those of the pages before it (for Previous) and the
	// page's number (for the positions shown).
	cursor, back := v.Get("cursor"), v["back"]
	if len(back) > maxBack {
		back = back[len(back)-maxBack:]
	}
	if n, err := strconv.Atoi(v.Get("n")); err == nil && n > 1 && cursor != "" {
		d.Page = n
	}
	pq := stock.CountQuery{Location: d.Store, Status: stock.CountStatus(d.Status), Since: from, Until: to}
	size := h.opts.PageSize
	pg, err := h.svc.CountsPage(q.ctx, q.actor, pq, stock.PageRequest{Cursor: cursor, Limit: size})
	if err != nil && stock.ErrorCode(err) == stock.EInvalid && cursor != "" {
		// A link from an older version, or edited: the newest page.
		bad = append(bad, q.L.T("filter.bad.cursor"))
		cursor, back, d.Page = "", nil, 1
		pg, err = h.svc.CountsPage(q.ctx, q.actor, pq, stock.PageRequest{Limit: size})
	}
	if err != nil {
		return h.pageError(q, err)
	}
	shown := pg.Items
	d.First = (d.Page-1)*size + 1
	link := func(cur string, back []string, page int) string {
		u := url.Values{}
		for k, s := range map[string]string{"status": d.Status, "store": d.Store, "from": d.From, "to": d.To} {
			if s != "" {
				u.Set(k, s)
			}
		}
		if cur != "" {
			u.Set("cursor", cur)
			u["back"] = back
			u.Set("n", strconv.Itoa(page))
		}
		if len(u) == 0 {
			return h.opts.Prefix + "/counts"
		}
		return h.opts.Prefix + "/counts?" + u.Encode()
	}
	if cursor != "" {
		d.Newest = link("", nil, 1)
		if len(back) > 0 {
			d.Prev = link(back[len(back)-1], back[:len(back)-1], d.Page-1)
		} else if d.Page == 2 {
			d.Prev = d.Newest
		}
	}
	if pg.Next != "" {
		nb := back
		if cursor != "" {
			nb = append(slices.Clone(back), cursor)
		}
		d.Next = link(pg.Next, nb, d.Page+1)
	}
	var openers []string
	for _, c := range shown {
		openers = append(openers, c.OpenedBy)
	}
	who := h.names(q, openers)
	for i, c := range shown {
		row := countRow{Count: c, Currency: stock.CurrencyOf(c.LocationPath).Symbol(), Title: countTitle(q.L, c, locs), Opener: who[c.OpenedBy]}
		// A held count's headline comes from the figures the domain keeps
		// with its report; another's from its report as the count's page
		// computes it (a large one is kept for it, so that opening the
		// count from the list is quick).
		if i < h.opts.ListReports && !h.headline(q, c, &row) {
			rep, err := h.svc.Report(q.ctx, q.actor, c.ID, "role", stock.ReportOptions{Lots: true})
			if err == nil && h.cache != nil && len(rep.Lines) >= h.cache.lines {
				if cv, err := h.svc.Count(q.ctx, q.actor, c.ID); err == nil {
					h.cache.put(q.actor, c.ID, cachedReport{at: h.opts.Now(), cv: cv, rep: rep})
				}
			}
			if err == nil {
				tot := lineTotals(rep.Lines)
				row.Headline, row.Masked, row.Lines = true, rep.Masked, tot.Lines
				row.AbsValue, row.NetValue = tot.AbsVarianceValue, tot.NetVarianceValue
				for _, l := range rep.Lines {
					if l.VarianceQty != 0 {
						row.VarLines++
					}
					if l.Status == stock.LineCounted {
						row.Counted++
					}
				}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	p := h.newPage(q, q.L.T("counts.title"))
	p.D = d
	if len(bad) > 0 {
		p.Status, p.ErrorTitle, p.Error = http.StatusBadRequest, q.L.T("filter.bad"), strings.Join(bad, " ")
	}
	return h.render(q.c, "counts", p)
}

// --- a count's report ----------------------------------------------------

// filters narrow a report's lines (the domain's report has none).
type filters struct {
	Zone, Category, Role, Employee, Lot, Expiry string
	Variance                                    bool
	Sort                                        string
	// Q searches lines by SKU, name or barcode (the catalog's lookup of Q
	// gives QSKU).
	Q    string
	QSKU string
	// Unscanned is what happens to the lines nobody scanned: "" folds them
	// into one summary row, "show" lists them, "only" lists only them.
	Unscanned string
	Page      int // 1-based page of lines
}

func parseFilters(v url.Values) filters {
	f := filters{Zone: v.Get("zone"), Category: v.Get("category"), Role: v.Get("role"), Employee: v.Get("employee"),
		Lot: strings.TrimSpace(v.Get("lot")), Expiry: v.Get("expiry"), Variance: v.Get("variance") == "1", Sort: v.Get("sort"),
		Q: strings.TrimSpace(v.Get("q")), Unscanned: v.Get("unscanned"), Page: 1}
	if len(f.Q) > 100 {
		// At 100 bytes, back to a character's start: a cut character is
		// no text the database can compare.
		n := 100
		for n > 0 && !utf8.RuneStart(f.Q[n]) {
			n--
		}
		f.Q = f.Q[:n]
	}
	if f.Sort != "sku" && f.Sort != "qty" {
		f.Sort = "abs"
	}
	if f.Unscanned != "show" && f.Unscanned != "only" {
		f.Unscanned = ""
	}
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 1 {
		f.Page = n
	}
	return f
}

// values is the filters as query values (without the page).
func (f filters) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"zone": f.Zone, "category": f.Category, "role": f.Role, "employee": f.Employee, "lot": f.Lot, "expiry": f.Expiry, "q": f.Q, "unscanned": f.Unscanned} {
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
	return v
}

// Query is the filters as a query string (for export links).
func (f filters) Query() string {
	v := f.values()
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// With is the filters' query string with one value changed ("" removes
// it) and the page reset, for links that change one thing.
func (f filters) With(key, value string) string {
	v := f.values()
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	if len(v) == 0 {
		return "?"
	}
	return "?" + v.Encode()
}

// PageQuery is the filters' query string at page n.
func (f filters) PageQuery(n int) string {
	v := f.values()
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "?"
	}
	return "?" + v.Encode()
}

// Active reports whether any filter is set.
func (f filters) Active() bool {
	return f.Zone != "" || f.Category != "" || f.Role != "" || f.Employee != "" || f.Lot != "" || f.Expiry != "" || f.Variance || f.Q != "" || f.Unscanned != ""
}

// matches reports whether a line matches the search.
func (f filters) matches(l *stock.ReportLine) bool {
	if f.Q == "" {
		return true
	}
	if l.SKU == f.QSKU {
		return true
	}
	q := strings.ToLower(f.Q)
	return strings.Contains(strings.ToLower(l.SKU), q) || strings.Contains(strings.ToLower(l.Name), q) || strings.Contains(l.NameZh, f.Q)
}

// search resolves the search text as a barcode (the catalog's lookup),
// when the service can look codes up.
func (h *Pages) search(q *req, f *filters) {
	if f.Q == "" {
		return
	}
	if lk, ok := h.svc.(BarcodeLookup); ok {
		if r, err := lk.Lookup(q.ctx, q.actor, f.Q); err == nil {
			f.QSKU = r.SKU
		}
	}
}

// lotSKUs are the SKUs with a lot that passes the lot and expiry filters
// (nil when neither is set).
func (f filters) lotSKUs(r stock.Report) map[string]bool {
	if f.Lot == "" && f.Expiry == "" {
		return nil
	}
	out := map[string]bool{}
	for _, l := range r.Lots {
		if (f.Lot == "" || strings.EqualFold(l.Lot, f.Lot)) && (f.Expiry == "" || l.ExpiryStatus == f.Expiry) {
			out[l.SKU] = true
		}
	}
	return out
}

// keep reports whether a line passes the filters.
func (f filters) keep(r *stock.Report, l *stock.ReportLine, lotSKUs map[string]bool) bool {
	switch {
	case f.Zone != "" && !has(l.Zones, f.Zone),
		f.Category != "" && l.Category != f.Category,
		f.Role != "" && !hasRole(l.Roles, f.Role),
		f.Employee != "" && !has(l.CountedBy, f.Employee),
		lotSKUs != nil && !lotSKUs[l.SKU],
		f.Variance && l.VarianceQty == 0 && !r.Masked,
		f.Unscanned == "only" && l.Status != stock.LineUncounted,
		!f.matches(l):
		return false
	}
	return true
}

// compare orders lines by the chosen sort, then SKU.
func (f filters) compare(a, b *stock.ReportLine) int {
	switch f.Sort {
	case "qty":
		if c := cmp.Compare(abs64(b.VarianceQty), abs64(a.VarianceQty)); c != 0 {
			return c
		}
	case "abs":
		if c := cmp.Compare(b.VarianceValue.Abs(), a.VarianceValue.Abs()); c != 0 {
			return c
		}
	}
	return strings.Compare(a.SKU, b.SKU)
}

// filter appends the lines of r that pass the filters to out, sorted, and
// returns it. out may be r.Lines[:0]: the lines are then filtered and
// sorted in place. (Folding the unscanned lines is the page's: the
// downloads have them.)
func (f filters) filter(r stock.Report, out []stock.ReportLine) []stock.ReportLine {
	lots := f.lotSKUs(r)
	for i := range r.Lines {
		if f.keep(&r, &r.Lines[i], lots) {
			out = append(out, r.Lines[i])
		}
	}
	slices.SortStableFunc(out, func(a, b stock.ReportLine) int { return f.compare(&a, &b) })
	return out
}

// indices are the positions in r.Lines of the lines that pass the
// filters, sorted: the page's way, which copies no line.
func (f filters) indices(r stock.Report) []int32 {
	lots := f.lotSKUs(r)
	out := make([]int32, 0, len(r.Lines))
	for i := range r.Lines {
		if f.keep(&r, &r.Lines[i], lots) {
			out = append(out, int32(i))
		}
	}
	// The domain's lines come sorted by SKU: a sort by SKU is done.
	if f.Sort != "sku" || !slices.IsSortedFunc(out, func(a, b int32) int { return strings.Compare(r.Lines[a].SKU, r.Lines[b].SKU) }) {
		slices.SortStableFunc(out, func(a, b int32) int { return f.compare(&r.Lines[a], &r.Lines[b]) })
	}
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
	Title      string // store · scope
	Lines      []stock.ReportLine
	F          filters
	Currency   string
	StoreName  string
	Limit      *stock.Money
	Zones      []option // code, name
	Categories []string
	RoleKeys   []string
	Employees  []option // who counted: code, "name (code)"
	Assignees  []option // who may be given a recount
	Names      map[string]string
	ZoneNames  map[string]string
	LotList    []string
	Reasons    []string
	CanRecount bool
	CanApprove bool
	CanClose   bool // the count is open (or recounting) and the caller may close it
	Review     bool // approving goes through the review step
	// CachedAt is when the report shown was computed, when it was kept
	// from an earlier page (a large count); zero when computed now.
	CachedAt time.Time
	// BulkLines is how many lines with a variance match the filters: a
	// bulk reason applies to them.
	BulkLines int
	// Side are the scans kept for the reviewer but not counted: late
	// (after the count closed) and out of scope, the newest sideMax of
	// each; Late and OutOfScope are how many there are.
	Side             []stock.Scan
	Late, OutOfScope int64
	SideMore         bool
	Photos           bool // photo scans link to their photo
	// RoleLines and RoleAbs are the by-role table's totals; RecountNote
	// says why they differ from the headline (rounds, several roles).
	RoleLines   int
	RoleAbs     stock.Money
	RecountNote bool
	Recounted   int // lines recounted
	XLSX        bool
	Shown       stock.GroupSummary // totals of the lines that match the filters
	Totals      stock.GroupSummary // totals of all lines (the report's own are by role: rounds)
	// Matched lines match the filters (Folded of them, never scanned, are
	// folded into one row); the page shows lines First..Last of them.
	Matched     int
	AllLines    int // lines of the whole report
	Folded      int
	FoldedValue stock.Money
	Page, Pages int
	First, Last int
	Prev, Next  string
	ToPost      stock.Money // what an approval would post (sum of absolute values)
	OverLimit   bool        // ToPost is above the store manager's limit
	// UncountedLines lines nobody scanned (worth UncountedValue) would be
	// set to 0: the approve form asks whether to (stock.ApproveInput.Uncounted).
	UncountedLines int
	UncountedValue stock.Money
	PostLines      int // lines with a variance an approval acts on
}

// Who is "name (code)" for an employee code, or the code.
func (d reportData) Who(code string) string {
	if n := d.Names[code]; n != "" {
		return n + " (" + code + ")"
	}
	return code
}

// Zone is "name (code)" for a zone code, or the code.
func (d reportData) Zone(code string) string {
	if n := d.ZoneNames[code]; n != "" && n != code {
		return n + " (" + code + ")"
	}
	return code
}

// lineTotals sums lines (not rounds) the way the domain's line summaries do.
func lineTotals(lines []stock.ReportLine) stock.GroupSummary {
	g := stock.GroupSummary{Key: "total", Accuracy: 1}
	for i := range lines {
		addTotals(&g, &lines[i])
	}
	finishTotals(&g)
	return g
}

// addTotals adds a line to a line summary.
func addTotals(g *stock.GroupSummary, l *stock.ReportLine) { g.AddLine(l) }

// finishTotals computes a line summary's accuracy.
func finishTotals(g *stock.GroupSummary) {
	if g.Lines > 0 {
		g.Accuracy = float64(g.WithinTolerance) / float64(g.Lines)
	}
}

// reportPage renders a count's report, with a refusal or notice. A held
// count's page comes from the domain's ReportPage (the store sorts,
// filters and pages the kept report); otherwise (an open count, a
// counter, a lot filter) the page computes it from the whole Report.
func (h *Pages) reportPage(q *req, id string, status int, errMsg, notice string) error {
	ctx := q.ctx
	f := parseFilters(query(q.c))
	h.search(q, &f)
	_, review := h.svc.(Previewer)
	d := reportData{F: f, Reasons: stock.ReasonCodes, XLSX: h.opts.XLSX != nil || h.opts.XLSXFor != nil, Review: review}
	var lists [4][]string // zones, categories, roles, employees
	kept, err := h.keptReportPage(q, id, &d, &lists)
	if err != nil {
		return h.pageError(q, err)
	}
	if !kept {
		if err := h.wholeReportPage(q, id, &d, &lists); err != nil {
			return h.pageError(q, err)
		}
	}
	cv, rep := d.Count, d.Report
	d.Currency = stock.CurrencyOf(cv.LocationPath).Symbol()
	d.CanRecount = q.actor.Role().Can(stock.PermManageCount) && cv.Status == stock.StatusReview
	d.CanApprove = q.actor.Role().Can(stock.PermApprove) && cv.Status == stock.StatusReview
	d.CanClose = q.actor.Role().Can(stock.PermManageCount) && (cv.Status == stock.StatusOpen || cv.Status == stock.StatusRecount)
	d.Photos = h.photos != nil
	locs := h.locationIndex(q)
	d.Title = countTitle(q.L, cv.Count, locs)
	h.sideScans(q, cv, &d)
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
	lots := map[string]bool{}
	for _, l := range rep.Lots {
		if l.Lot != "" {
			lots[l.Lot] = true
		}
	}
	codes := append(slices.Clone(lists[3]), cv.OpenedBy, cv.ApprovedBy)
	for _, r := range cv.Recounts {
		codes = append(codes, r.Assignee)
	}
	for _, s := range d.Side {
		codes = append(codes, s.Employee)
	}
	d.Names = h.names(q, codes)
	d.ZoneNames = map[string]string{}
	for _, z := range lists[0] {
		d.ZoneNames[z] = locName(locs, z)
		d.Zones = append(d.Zones, option{z, d.Zone(z)})
	}
	for _, e := range lists[3] {
		d.Employees = append(d.Employees, option{e, d.Who(e)})
	}
	if d.CanRecount {
		d.Assignees = h.assignees(q, cv.Count, d)
	}
	d.Categories, d.RoleKeys, d.LotList = lists[1], lists[2], keys(lots)
	d.OverLimit = d.Limit != nil && d.ToPost > *d.Limit
	d.Recounted = d.Totals.Recounted
	for _, g := range rep.Groups {
		d.RoleLines += g.Lines
		d.RoleAbs += g.AbsVarianceValue
	}
	d.RecountNote = len(rep.Groups) > 0 && (d.Recounted > 0 || d.RoleLines != d.Totals.Lines || d.RoleAbs != d.Totals.AbsVarianceValue)
	d.First, d.Last = (d.Page-1)*h.opts.LinesPerPage+1, (d.Page-1)*h.opts.LinesPerPage+len(d.Lines)
	base := h.opts.Prefix + "/counts/" + url.PathEscape(cv.ID)
	if d.Page > 1 {
		d.Prev = base + f.PageQuery(d.Page-1)
	}
	if d.Page < d.Pages {
		d.Next = base + f.PageQuery(d.Page+1)
	}
	p := h.newPage(q, d.Title)
	p.D, p.Notice, p.Error = d, notice, errMsg
	if errMsg != "" {
		p.Status = status
		p.ErrorTitle = q.L.T("refused")
	}
	return h.render(q.c, "report", p)
}

// headline fills a list row's figures from a held count's kept report;
// it reports false when the domain cannot answer so.
func (h *Pages) headline(q *req, c stock.Count, row *countRow) bool {
	pager, ok := h.svc.(ReportPager)
	if !ok {
		return false
	}
	p, ok, err := pager.ReportPage(q.ctx, q.actor, c.ID, stock.ReportPageQuery{Headline: true})
	if err != nil || !ok {
		return false
	}
	row.Headline, row.Masked, row.Lines = true, p.Report.Masked, p.Totals.Lines
	row.AbsValue, row.NetValue = p.Totals.AbsVarianceValue, p.Totals.NetVarianceValue
	row.VarLines, row.Counted = p.VarianceLines, p.Counted
	return true
}

// keptReportPage fills d with the domain's page of a held count's kept
// report; it reports false when the domain cannot answer so (the count is
// open, the caller a counter) or the filters need the lots of every line.
func (h *Pages) keptReportPage(q *req, id string, d *reportData, lists *[4][]string) (bool, error) {
	pager, ok := h.svc.(ReportPager)
	f := d.F
	if !ok || f.Lot != "" || f.Expiry != "" {
		return false, nil
	}
	cv, err := h.svc.Count(q.ctx, q.actor, id)
	if err != nil {
		return false, err
	}
	p, ok, err := pager.ReportPage(q.ctx, q.actor, id, stock.ReportPageQuery{Sort: f.Sort, Zone: f.Zone, Category: f.Category, Role: f.Role, Employee: f.Employee,
		Variance: f.Variance, Q: f.Q, QSKU: f.QSKU, Unscanned: f.Unscanned, Page: f.Page, Limit: h.opts.LinesPerPage})
	if err != nil || !ok {
		return false, err
	}
	d.Count, d.Report, d.Lines, d.AllLines = cv, p.Report, p.Lines, p.All
	*lists = [4][]string{p.Zones, p.Categories, p.Roles, p.Employees}
	d.Totals, d.Shown = p.Totals, p.Shown
	finishTotals(&d.Totals)
	finishTotals(&d.Shown)
	d.PostLines, d.ToPost, d.UncountedLines, d.UncountedValue = p.PostLines, p.ToPost, p.UncountedLines, p.UncountedValue
	d.Matched, d.Folded, d.FoldedValue, d.BulkLines = p.Matched, p.Folded, p.FoldedValue, p.BulkLines
	d.Page, d.Pages = p.Page, p.Pages
	return true, nil
}

// wholeReportPage fills d from the count's whole Report (kept a short
// while for the next pages of a large count), filtered, sorted and paged
// here.
func (h *Pages) wholeReportPage(q *req, id string, d *reportData, lists *[4][]string) error {
	ctx, now, f := q.ctx, h.opts.Now(), d.F
	kept, cached := h.cache.get(q.actor, id, now)
	cv, rep := kept.cv, kept.rep
	if !cached {
		var err error
		if cv, err = h.svc.Count(ctx, q.actor, id); err != nil {
			return err
		}
		if rep, err = h.svc.Report(ctx, q.actor, id, "role", stock.ReportOptions{Lots: true}); err != nil {
			return err
		}
		h.cache.put(q.actor, id, cachedReport{at: now, cv: cv, rep: rep})
	} else {
		d.CachedAt = kept.at
	}
	d.Count, d.Report, d.AllLines = cv, rep, len(rep.Lines)
	zones, cats, roles, emps := stock.LineChoices(rep.Lines)
	*lists = [4][]string{zones, cats, roles, emps}
	d.Totals = lineTotals(rep.Lines)
	for _, l := range rep.Lines {
		if l.Status != stock.LineIgnored && l.VarianceQty != 0 && !l.RecountRequired {
			d.PostLines++
			d.ToPost += l.VarianceValue.Abs()
			if l.Status == stock.LineUncounted {
				d.UncountedLines++
				d.UncountedValue += l.VarianceValue.Abs()
			}
		}
	}
	// The lines are picked and sorted by index (a 100k-line count is not
	// copied); only the page's lines are.
	matched := f.indices(rep)
	d.Matched = len(matched)
	d.Shown = stock.GroupSummary{Key: "total", Accuracy: 1}
	lines := matched[:0:0]
	if f.Unscanned == "" {
		lines = make([]int32, 0, len(matched))
	}
	for _, i := range matched {
		l := &rep.Lines[i]
		addTotals(&d.Shown, l)
		if l.Status != stock.LineIgnored && l.VarianceQty != 0 && !l.RecountRequired {
			d.BulkLines++
		}
		if f.Unscanned == "" {
			// The lines nobody scanned fold into one row.
			if l.Status == stock.LineUncounted {
				d.Folded++
				d.FoldedValue += l.VarianceValue
				continue
			}
			lines = append(lines, i)
		}
	}
	if f.Unscanned != "" {
		lines = matched
	}
	finishTotals(&d.Shown)
	size := h.opts.LinesPerPage
	d.Pages = max(1, (len(lines)+size-1)/size)
	d.Page = min(f.Page, d.Pages)
	lo := (d.Page - 1) * size
	for _, i := range lines[lo:min(lo+size, len(lines))] {
		d.Lines = append(d.Lines, rep.Lines[i])
	}
	return nil
}

// sideMax is how many late and out-of-scope scans of each kind the report
// lists (the newest; the drill-down and the API have them all).
const sideMax = 50

// sideScans reads the scans the count kept for the reviewer but did not
// count: late ones and those out of its scope. A counter, who reads only
// their own lines of the report, sees only their own such scans, and
// figures of those only (the count's totals are everyone's).
func (h *Pages) sideScans(q *req, cv stock.CountView, d *reportData) {
	own := q.actor.Role() == stock.RoleCounter
	d.Late, d.OutOfScope = cv.Stats.Late, cv.Stats.Rejected
	for _, st := range []stock.ScanStatus{stock.ScanLate, stock.ScanOutOfScope} {
		n := &d.Late
		if st == stock.ScanOutOfScope {
			n = &d.OutOfScope
		}
		if *n == 0 {
			continue
		}
		limit := sideMax
		if own {
			limit = 5000 // the domain's most: a counter's own, to count them
		}
		ss, err := h.svc.CountScans(q.ctx, q.actor, cv.ID, stock.ScanFilter{Status: st, Limit: limit})
		if err != nil {
			h.opts.Logger.Warn("review side scans", "count", cv.ID, "err", err)
			if own {
				*n = 0
			}
			continue
		}
		if own {
			*n = int64(len(ss))
			ss = ss[:min(len(ss), sideMax)]
		}
		if int64(len(ss)) < *n {
			d.SideMore = true
		}
		d.Side = append(d.Side, ss...)
	}
	slices.SortStableFunc(d.Side, func(a, b stock.Scan) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
}

// closeCount ends the counting of an open count (or a recount round): it
// goes to review; scans sent after are kept as late.
func (h *Pages) closeCount(q *req) error {
	id := param(q.c, "id")
	h.cache.forget(id)
	if _, err := h.svc.CloseCount(q.ctx, q.actor, id); err != nil {
		// Sent again (a double tap, a refresh) after the count closed and
		// was approved meanwhile: show the count as it is, as approve does
		// for a repost. (A count already in review closes again as a no-op.)
		if cv, e := h.svc.Count(q.ctx, q.actor, id); stock.ErrorCode(err) == stock.EConflict && e == nil && cv.Status == stock.StatusPosted {
			return q.c.Redirect(h.opts.Prefix+"/counts/"+url.PathEscape(id), http.StatusSeeOther)
		}
		return h.refuse(q, id, err)
	}
	return q.c.Redirect(h.opts.Prefix+"/counts/"+url.PathEscape(id)+"?done=close", http.StatusSeeOther)
}

// assignees are the employees a recount may be given to: with a
// Directory, every employee in the count's scope who may scan; else those
// who counted it.
func (h *Pages) assignees(q *req, c stock.Count, d reportData) []option {
	if al, ok := h.svc.(AssigneeLister); ok {
		es, err := al.Assignees(q.ctx, q.actor, c.ID)
		if err == nil {
			out := make([]option, 0, len(es))
			for _, e := range es {
				out = append(out, option{e.Code, e.Name + " (" + e.Code + ")"})
			}
			return out
		}
		h.opts.Logger.Warn("review assignees", "err", err)
	}
	return d.Employees
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (h *Pages) report(q *req) error {
	id := param(q.c, "id")
	notice := ""
	switch query(q.c).Get("done") {
	case "close":
		if cv, err := h.svc.Count(q.ctx, q.actor, id); err == nil && cv.Status == stock.StatusReview {
			notice = q.L.T("close.done")
		}
	case "recount":
		if cv, err := h.svc.Count(q.ctx, q.actor, id); err == nil && cv.Status == stock.StatusRecount {
			notice = q.L.Tf("recount.done", cv.Round)
		}
	case "approve":
		if rep, err := h.svc.Report(q.ctx, q.actor, id, "sku", stock.ReportOptions{}); err == nil {
			n, v := 0, stock.Money(0)
			for _, l := range rep.Lines {
				if l.Posted {
					n++
					v += l.VarianceValue.Abs()
				}
			}
			cv, _ := h.svc.Count(q.ctx, q.actor, id)
			notice = q.L.Tf("approve.done", n, q.L.Money(v, stock.CurrencyOf(cv.LocationPath).Symbol()))
		}
	}
	return h.reportPage(q, id, http.StatusOK, "", notice)
}

// refuse re-renders the report with the domain's refusal and its status.
func (h *Pages) refuse(q *req, id string, err error) error {
	if stock.ErrorCode(err) == stock.ENotFound {
		return h.pageError(q, err)
	}
	cur := "HK$"
	if cv, e := h.svc.Count(q.ctx, q.actor, id); e == nil {
		cur = stock.CurrencyOf(cv.LocationPath).Symbol()
	}
	return h.reportPage(q, id, statusOf(err), h.errorText(q.c, q.L, err, cur), "")
}

func (h *Pages) recount(q *req) error {
	id := param(q.c, "id")
	h.cache.forget(id)
	in := stock.RecountInput{SKUs: q.form["sku"], Assignee: strings.TrimSpace(q.form.Get("assignee"))}
	if _, err := h.svc.OrderRecount(q.ctx, q.actor, id, in); err != nil {
		return h.refuse(q, id, err)
	}
	return q.c.Redirect(h.opts.Prefix+"/counts/"+url.PathEscape(id)+"?done=recount", http.StatusSeeOther)
}

// approveInput reads an approval form: the reasons chosen per line
// ("reason:{SKU}"), reasons given in bulk to the lines that match a
// filter of the report ("bulk" = "{reason}?{filter query}", repeated, and
// the report page's "bulk_reason" with "bulk_filter"; a line's own
// reason wins, a later bulk over an earlier one), the reason for every
// line still without one ("default_reason": the domain's preview names
// those lines), the decision on the lines nobody scanned ("uncounted")
// and the fingerprint of the reviewed preview ("if_match"). bulks is the
// bulk choices, to carry to the next form.
func (h *Pages) approveInput(q *req, id string) (in stock.ApproveInput, bulks []string, err error) {
	in = stock.ApproveInput{ReasonCodes: map[string]string{}, Uncounted: q.form.Get("uncounted"), IfMatch: q.form.Get("if_match")}
	explicit := map[string]string{}
	for k, vs := range q.form {
		if sku, ok := strings.CutPrefix(k, "reason:"); ok && len(vs) > 0 && vs[0] != "" {
			explicit[sku] = vs[0]
		}
	}
	bulks = slices.Clone(q.form["bulk"])
	if r := q.form.Get("bulk_reason"); r != "" {
		bulks = append(bulks, r+"?"+strings.TrimPrefix(q.form.Get("bulk_filter"), "?"))
	}
	if len(bulks) > 20 {
		bulks = bulks[len(bulks)-20:]
	}
	if len(bulks) > 0 {
		rep, err := h.svc.Report(q.ctx, q.actor, id, "sku", stock.ReportOptions{Lots: true})
		if err != nil {
			return in, nil, err
		}
		for _, b := range bulks {
			reason, filter, _ := strings.Cut(b, "?")
			if !slices.Contains(stock.ReasonCodes, reason) {
				return in, nil, stock.Errorf(stock.EInvalid, "reason code %q must be one of %s", reason, strings.Join(stock.ReasonCodes, ", ")).With("field", "bulk_reason")
			}
			v, err := url.ParseQuery(filter)
			if err != nil {
				return in, nil, stock.Errorf(stock.EInvalid, "bulk filter %q is malformed", filter).With("field", "bulk_filter")
			}
			f := parseFilters(v)
			h.search(q, &f)
			for _, i := range f.indices(rep) {
				l := &rep.Lines[i]
				if l.Status != stock.LineIgnored && l.VarianceQty != 0 && !l.RecountRequired {
					in.ReasonCodes[l.SKU] = reason
				}
			}
		}
	}
	maps.Copy(in.ReasonCodes, explicit)
	def := q.form.Get("default_reason")
	if def == "" {
		return in, bulks, nil
	}
	if !slices.Contains(stock.ReasonCodes, def) {
		return in, nil, stock.Errorf(stock.EInvalid, "reason code %q must be one of %s", def, strings.Join(stock.ReasonCodes, ", ")).With("field", "default_reason")
	}
	pv, ok := h.svc.(Previewer)
	if !ok {
		return in, bulks, nil
	}
	p, err := pv.PreviewApproval(q.ctx, q.actor, id, stock.ApproveInput{ReasonCodes: in.ReasonCodes, Uncounted: in.Uncounted})
	if err != nil {
		return in, nil, err
	}
	for _, l := range p.Lines {
		if !l.ReasonSet {
			in.ReasonCodes[l.SKU] = def
		}
	}
	return in, bulks, nil
}

// approve posts an approval (the confirm button of the review step, or a
// plain form) and redirects to the report, so that a refresh posts
// nothing.
func (h *Pages) approve(q *req) error {
	id := param(q.c, "id")
	h.cache.forget(id)
	in, _, err := h.approveInput(q, id)
	if err == nil {
		_, err = h.svc.Approve(q.ctx, q.actor, id, in)
	}
	if err != nil && stock.ErrorCode(err) == stock.EConflict {
		// Sent again (a refresh of the confirmation, a double tap) after
		// the count posted: show what posted.
		if cv, e := h.svc.Count(q.ctx, q.actor, id); e == nil && cv.Status == stock.StatusPosted {
			err = nil
		}
	}
	if err != nil {
		return h.refuse(q, id, err)
	}
	return q.c.Redirect(h.opts.Prefix+"/counts/"+url.PathEscape(id)+"?done=approve", http.StatusSeeOther)
}

// reasonSum is the lines an approval posts with one reason.
type reasonSum struct {
	Reason string
	Lines  int
	Value  stock.Money // sum of absolute values
	Unset  int         // of them, lines whose reason nobody chose
}

// bulkSum is a reason given in bulk, with its filter in words.
type bulkSum struct {
	Reason string
	Filter string
}

// describeFilter says which lines a report filter selects, in the page's
// language ("search “cola”, zone 飲品區 (HK-TST-Z1)"; "all lines").
func (h *Pages) describeFilter(q *req, filter string) string {
	v, _ := url.ParseQuery(filter)
	f := parseFilters(v)
	var parts []string
	add := func(key, val string) {
		if val != "" {
			parts = append(parts, q.L.T(key)+" "+val)
		}
	}
	if f.Q != "" {
		add("filter.search", "“"+f.Q+"”")
	}
	add("filter.zone", f.Zone)
	if f.Category != "" {
		add("filter.category", q.L.Cat(f.Category))
	}
	if f.Role != "" {
		add("filter.role", q.L.Role(f.Role))
	}
	if f.Employee != "" {
		who := f.Employee
		if n := h.names(q, []string{f.Employee})[f.Employee]; n != "" {
			who = n + " (" + f.Employee + ")"
		}
		add("filter.employee", who)
	}
	add("filter.lot", f.Lot)
	if f.Expiry != "" {
		add("filter.expiry", q.L.Opt("expiry.", f.Expiry))
	}
	if f.Unscanned == "only" {
		parts = append(parts, q.L.T("unscanned.only.desc"))
	}
	if len(parts) == 0 {
		return q.L.T("bulk.all")
	}
	sep := ", "
	if q.L.zh {
		sep = "、"
	}
	return strings.Join(parts, sep)
}

type approveData struct {
	Count     stock.CountView
	Title     string
	Currency  string
	P         stock.ApprovalPreview
	Reasons   []string
	Explicit  map[string]string // the reasons chosen per line (carried by the forms)
	Bulks     []string          // the reasons given in bulk, "{reason}?{filter}" (carried by the forms)
	BulkSums  []bulkSum         // the bulk choices, readable
	Default   string
	Decision  string // the uncounted decision given
	AllLines  int    // lines of the count
	ByReason  []reasonSum
	Lines     []stock.PlannedLine // the largest, for the table
	More      int                 // lines to post not in the table
	HeldWhy   map[string]int
	HeldValue stock.Money
}

// approveReview is the review step: what an approval with the form's
// choices would post (the domain's preview), with a confirm form that
// carries the preview's fingerprint.
func (h *Pages) approveReview(q *req) error {
	id := param(q.c, "id")
	pv, ok := h.svc.(Previewer)
	if !ok {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	in, bulks, err := h.approveInput(q, id)
	if err != nil {
		return h.refuse(q, id, err)
	}
	explicit := map[string]string{}
	for k, vs := range q.form {
		if sku, ok := strings.CutPrefix(k, "reason:"); ok && len(vs) > 0 && vs[0] != "" {
			explicit[sku] = vs[0]
		}
	}
	in.IfMatch = ""
	p, err := pv.PreviewApproval(q.ctx, q.actor, id, in)
	if err != nil {
		return h.refuse(q, id, err)
	}
	cv, err := h.svc.Count(q.ctx, q.actor, id)
	if err != nil {
		return h.pageError(q, err)
	}
	d := approveData{Count: cv, Title: countTitle(q.L, cv.Count, h.locationIndex(q)), Currency: stock.CurrencyOf(cv.LocationPath).Symbol(),
		P: p, Reasons: stock.ReasonCodes, Explicit: explicit, Bulks: bulks, Default: q.form.Get("default_reason"), Decision: in.Uncounted, HeldWhy: map[string]int{}}
	if rep, err := h.svc.Report(q.ctx, q.actor, id, "sku", stock.ReportOptions{}); err == nil {
		d.AllLines = len(rep.Lines)
	}
	for _, b := range bulks {
		reason, filter, _ := strings.Cut(b, "?")
		d.BulkSums = append(d.BulkSums, bulkSum{Reason: reason, Filter: h.describeFilter(q, filter)})
	}
	sums := map[string]*reasonSum{}
	for _, l := range p.Lines {
		r := sums[l.ReasonCode]
		if r == nil {
			r = &reasonSum{Reason: l.ReasonCode}
			sums[l.ReasonCode] = r
		}
		r.Lines++
		r.Value += l.VarianceValue.Abs()
		if !l.ReasonSet {
			r.Unset++
		}
	}
	for _, code := range stock.ReasonCodes {
		if r := sums[code]; r != nil {
			d.ByReason = append(d.ByReason, *r)
		}
	}
	for _, l := range p.Held {
		d.HeldWhy[l.Why]++
		d.HeldValue += l.VarianceValue.Abs()
	}
	lines := slices.Clone(p.Lines)
	slices.SortStableFunc(lines, func(a, b stock.PlannedLine) int { return cmp.Compare(b.VarianceValue.Abs(), a.VarianceValue.Abs()) })
	const shown = 100
	if len(lines) > shown {
		d.More, lines = len(lines)-shown, lines[:shown]
	}
	d.Lines = lines
	page := h.newPage(q, q.L.Tf("approve.review.title", d.Title))
	page.D = d
	return h.render(q.c, "approve", page)
}

// --- drill-down ----------------------------------------------------------

type scansData struct {
	CountID string
	SKU     string
	Scans   []stock.Scan
	Photos  bool        // photo scans link to their photo
	Inline  []photoView // the photos the scans were read from, with their barcodes
	Names   map[string]string
	Locs    map[string]stock.Location
}

// Who is "name (code)" for an employee code, or the code.
func (d scansData) Who(code string) string {
	if n := d.Names[code]; n != "" {
		return n + " (" + code + ")"
	}
	return code
}

// Loc is "name (code)" for a location code, or the code.
func (d scansData) Loc(code string) string {
	if l, ok := d.Locs[code]; ok && l.Name != "" {
		return l.Name + " (" + code + ")"
	}
	return code
}

func (h *Pages) scans(q *req) error {
	id, sku := param(q.c, "id"), param(q.c, "sku")
	scans, err := h.svc.CountScans(q.ctx, q.actor, id, stock.ScanFilter{SKU: sku, Limit: 2000})
	if err != nil {
		return h.pageError(q, err)
	}
	p := h.newPage(q, q.L.Tf("scans.title", sku))
	var codes []string
	for _, sc := range scans {
		codes = append(codes, sc.Employee)
	}
	p.D = scansData{CountID: id, SKU: sku, Scans: scans, Photos: h.photos != nil, Inline: h.photoViews(q, id, scans), Names: h.names(q, codes), Locs: h.locationIndex(q)}
	return h.render(q.c, "scans", p)
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

// filteredReport is the report of a count with the page's filters applied
// (in place: the report is this request's own, and a 100k-line count is
// not copied); ok is false when an error page was answered.
func (h *Pages) filteredReport(q *req) (rep stock.Report, c stock.Count, ok bool, err error) {
	id := param(q.c, "id")
	cv, err := h.svc.Count(q.ctx, q.actor, id)
	if err != nil {
		return rep, c, false, h.pageError(q, err)
	}
	rep, err = h.svc.Report(q.ctx, q.actor, id, "sku", stock.ReportOptions{Lots: true})
	if err != nil {
		return rep, cv.Count, false, h.pageError(q, err)
	}
	rep.Lines = parseFilters(query(q.c)).filter(rep, rep.Lines[:0])
	return rep, cv.Count, true, nil
}

func (h *Pages) exportCSV(q *req) error {
	rep, c, ok, err := h.filteredReport(q)
	if !ok {
		return err
	}
	currency := string(stock.CurrencyOf(c.LocationPath))
	return h.stream(q, export.CSVContentType, "count-"+safeFilename(c.ID)+".csv", func(w *bufio.Writer) error {
		return writeCSV(export.Flushing(w), rep, currency)
	})
}

func (h *Pages) exportXLSX(q *req) error {
	if h.opts.XLSX == nil && h.opts.XLSXFor == nil {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	rep, c, ok, err := h.filteredReport(q)
	if !ok {
		return err
	}
	currency, lang := string(stock.CurrencyOf(c.LocationPath)), q.L.Lang
	return h.stream(q, export.ContentType, "count-"+safeFilename(c.ID)+".xlsx", func(w *bufio.Writer) error {
		if h.opts.XLSXFor != nil {
			return h.opts.XLSXFor(w, rep, currency, lang)
		}
		return h.opts.XLSX(w, rep)
	})
}

// stream answers a download written by write as the client reads it
// (fasthttp's body stream writer: chunked, the writer blocks while the
// client is slow, nothing is held whole in memory). write runs after the
// handler has returned, so it must use nothing of the request (Fiber's
// strings are reused): its inputs are computed before. An error once the
// answer has started can only be logged; the client sees a cut file.
func (h *Pages) stream(q *req, contentType, filename string, write func(*bufio.Writer) error) error {
	q.c.Set(fiber.HeaderContentType, contentType)
	q.c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	log := h.opts.Logger
	q.c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(w); err != nil {
			log.Warn("review download", "file", filename, "err", err)
		}
		w.Flush()
	})
	return nil
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

// storeFilter is a list page's store picker: the stores of the caller's
// scope by code, and the chosen one when it is among them (otherwise a
// refusal added to bad).
func storeFilter(q *req, locs map[string]stock.Location, chosen string, bad []string) (stores []option, store string, _ []string) {
	for _, l := range locs {
		if l.Kind == stock.KindStore {
			stores = append(stores, option{l.Code, l.Name + " (" + l.Code + ")"})
		}
	}
	slices.SortFunc(stores, func(a, b option) int { return strings.Compare(a.Value, b.Value) })
	if chosen != "" {
		if slices.ContainsFunc(stores, func(o option) bool { return o.Value == chosen }) {
			store = chosen
		} else {
			bad = append(bad, q.L.Tf("filter.bad.store", chosen))
		}
	}
	return stores, store, bad
}
