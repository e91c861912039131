package review

import (
	"bufio"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"pandian/export"
	"pandian/stock"
)

// weekPoint is one role's accuracy in one week.
type weekPoint struct {
	Lines    int
	Accuracy float64
}

type week struct {
	Start  time.Time
	Counts int
	Roles  map[string]weekPoint
}

type rolesData struct {
	Weeks    int
	Location string
	From, To time.Time
	Summary  stock.CrossReport
	Series   []week
	RoleKeys []string
	Currency string
	Chart    template.HTML
	Bars     template.HTML
	XLSX     bool // an Excel download of the summary is offered
}

// weekStart is the Monday 00:00 (Hong Kong time) of t's week.
func weekStart(t time.Time) time.Time {
	t = t.In(hkt)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, hkt)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// roles is the cross-count report by employee role: the period's summary
// and the accuracy per role per week (one Discrepancies call per week).
func (h *Pages) roles(q *req) error {
	d, ok, err := h.rolesSummary(q)
	if !ok {
		return err
	}
	ctx := q.ctx
	seen := map[string]bool{}
	for _, g := range d.Summary.Groups {
		seen[g.Key] = true
	}
	for ws := d.From; ws.Before(d.To); ws = ws.AddDate(0, 0, 7) {
		cr, err := h.svc.Discrepancies(ctx, q.actor, ws, ws.AddDate(0, 0, 7), d.Location, "role")
		if err != nil {
			return h.pageError(q, err)
		}
		wk := week{Start: ws, Counts: cr.Counts, Roles: map[string]weekPoint{}}
		for _, g := range cr.Groups {
			wk.Roles[g.Key] = weekPoint{Lines: g.Lines, Accuracy: g.Accuracy}
			seen[g.Key] = true
		}
		d.Series = append(d.Series, wk)
	}
	d.RoleKeys = roleOrder(seen)
	d.Currency = h.crossCurrency(q, d.Location).Symbol()
	d.Chart = lineChart(q.L, d.Series, d.RoleKeys)
	d.Bars = barChart(q.L, d.Summary.Groups, d.Currency)
	d.XLSX = h.opts.CrossXLSXFor != nil
	p := h.newPage(q, q.L.T("roles.title"))
	p.D = d
	return h.render(q.c, "roles", p)
}

// rolesSummary reads the period (weeks, location) of the role report from
// the query and the summary by role over it; ok is false when an error
// page was answered.
func (h *Pages) rolesSummary(q *req) (d rolesData, ok bool, err error) {
	v := query(q.c)
	weeks, err := strconv.Atoi(v.Get("weeks"))
	if err != nil || weeks < 1 {
		weeks = 8
	}
	if weeks > 26 {
		weeks = 26
	}
	d = rolesData{Weeks: weeks, Location: strings.TrimSpace(v.Get("location")), Currency: stock.CurrencyHKD.Symbol()}
	d.To = weekStart(h.opts.Now()).AddDate(0, 0, 7)
	d.From = d.To.AddDate(0, 0, -7*weeks)
	d.Summary, err = h.svc.Discrepancies(q.ctx, q.actor, d.From, d.To, d.Location, "role")
	if err != nil {
		return d, false, h.pageError(q, err)
	}
	return d, true, nil
}

// rolesXLSX downloads the role report's summary as an Excel workbook.
func (h *Pages) rolesXLSX(q *req) error {
	if h.opts.CrossXLSXFor == nil {
		return h.renderError(q.c, q.L, http.StatusNotFound, "")
	}
	d, ok, err := h.rolesSummary(q)
	if !ok {
		return err
	}
	currency, lang := string(h.crossCurrency(q, d.Location)), q.L.Lang
	return h.stream(q, export.ContentType, "roles-"+d.From.Format("20060102")+".xlsx", func(w *bufio.Writer) error {
		return h.opts.CrossXLSXFor(w, d.Summary, currency, lang)
	})
}

// crossCurrency is the currency of a cross-count report: Macau pataca
// when the location (or, without one, the caller's whole scope) is under
// Macau.
func (h *Pages) crossCurrency(q *req, location string) stock.Currency {
	codes := q.actor.Employee.Scope
	if location != "" {
		codes = []string{location}
	}
	if len(codes) == 0 {
		return stock.CurrencyHKD
	}
	for _, c := range codes {
		path := "/" + c + "/" // the code alone when its path is unknown
		if h.locs != nil {
			if l, err := h.locs.Location(q.ctx, q.actor, c); err == nil {
				path = l.Path
			}
		}
		if stock.CurrencyOf(path) != stock.CurrencyMOP {
			return stock.CurrencyHKD
		}
	}
	return stock.CurrencyMOP
}

// roleOrder sorts roles from the least to the most trusted, others after.
func roleOrder(seen map[string]bool) []string {
	var out []string
	for _, r := range stock.Roles {
		if seen[string(r)] {
			out = append(out, string(r))
		}
	}
	var rest []string
	for k := range seen {
		if !stock.Role(k).Valid() {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// roleColors are the series colours (colour-blind friendly palette).
var roleColors = map[string]string{
	"counter": "#0072b2", "supervisor": "#e69f00", "store_manager": "#009e73",
	"regional_manager": "#cc79a7", "auditor": "#56b4e9", "admin": "#d55e00",
}

func colorOf(role string) string {
	if c, ok := roleColors[role]; ok {
		return c
	}
	return "#666666"
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// lineChart draws accuracy per role per week as an inline SVG line chart
// (weeks in which a role counted nothing have no point).
func lineChart(l *loc, weeks []week, roles []string) template.HTML {
	const W, H, left, right, top, bottom = 720.0, 300.0, 48.0, 36.0, 16.0, 64.0
	pw, ph := W-left-right, H-top-bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, W, H, esc(l.T("roles.chart")))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(l.T("roles.chart")))
	for i := 0; i <= 4; i++ {
		y := top + ph - ph*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/>`, left, y, W-right, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end" font-size="11" fill="#555">%d%%</text>`, left-6, y+4, i*25)
	}
	n := len(weeks)
	x := func(i int) float64 {
		if n <= 1 {
			return left + pw/2
		}
		return left + pw*float64(i)/float64(n-1)
	}
	for i, w := range weeks {
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle" font-size="11" fill="#555">%s</text>`, x(i), top+ph+16, esc(l.ShortDate(w.Start)))
	}
	for _, r := range roles {
		c := colorOf(r)
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>`, c, strings.Join(seg, " "))
			}
			seg = nil
		}
		for i, w := range weeks {
			p, ok := w.Roles[r]
			if !ok || p.Lines == 0 {
				continue // weeks without counting are skipped, the line joins the others
			}
			px, py := x(i), top+ph-ph*p.Accuracy
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", px, py))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" data-role="%s"><title>%s %s: %s (%s)</title></circle>`,
				px, py, c, esc(r), esc(l.Role(r)), esc(l.ShortDate(w.Start)), l.Ratio(p.Accuracy), esc(l.Num(p.Lines)))
		}
		flush()
	}
	// Legend.
	lx := left
	for _, r := range roles {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%g" width="12" height="12" fill="%s"/><text x="%.1f" y="%g" font-size="12" fill="#222">%s</text>`,
			lx, H-22, colorOf(r), lx+16, H-12, esc(l.Role(r)))
		lx += 24 + 13*float64(len([]rune(l.Role(r))))*0.75 + 24
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// barChart draws the period's absolute variance value per role as
// horizontal bars.
func barChart(l *loc, groups []stock.GroupSummary, currency string) template.HTML {
	if len(groups) == 0 {
		return ""
	}
	const W, left, right, row = 720.0, 150.0, 130.0, 30.0
	H := row*float64(len(groups)) + 12
	max := stock.Money(1)
	for _, g := range groups {
		if g.AbsVarianceValue > max {
			max = g.AbsVarianceValue
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, W, H, esc(l.T("roles.value")))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(l.T("roles.value")))
	for i, g := range groups {
		y := 6 + row*float64(i)
		wd := (W - left - right) * float64(g.AbsVarianceValue) / float64(max)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end" font-size="12" fill="#222">%s</text>`, left-8, y+16, esc(l.Role(g.Key)))
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="20" fill="%s" data-role="%s"/>`, left, y+2, wd, colorOf(g.Key), esc(g.Key))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="#222">%s</text>`, left+wd+6, y+16, esc(l.Money(g.AbsVarianceValue, currency)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
