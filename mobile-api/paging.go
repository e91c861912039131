package mobileapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pandian/alerts"
	"pandian/stock"
)

// Every list pages the same way (README "Paging"): `limit` (each list has
// a default and a maximum; more is 422) and the opaque `cursor` of the
// previous answer's `next_cursor`, absent on the last page. A cursor that
// was not received from the server is 422 (field "cursor").

// pageRequest reads cursor and limit.
func pageRequest(c *fiber.Ctx) (stock.PageRequest, error) {
	p := stock.PageRequest{Cursor: c.Query("cursor")}
	if c.Query("limit") == "" {
		return p, nil
	}
	n, err := queryInt(c, "limit", 0)
	if err != nil {
		return p, err
	}
	if n < 1 {
		return p, stock.Errorf(stock.EInvalid, "limit must be at least 1").With("field", "limit")
	}
	p.Limit = n
	return p, nil
}

// sendPage answers {name: items, next_cursor} plus extra fields.
func sendPage[T any](c *fiber.Ctx, name string, p stock.Page[T], extra fiber.Map) error {
	body := fiber.Map{name: p.Items}
	if p.Next != "" {
		body["next_cursor"] = p.Next
	}
	for k, v := range extra {
		body[k] = v
	}
	return c.JSON(body)
}

func (a *API) listLocations(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := a.admin.LocationsPage(c.UserContext(), actorOf(c), c.Query("under"), p)
	if err != nil {
		return err
	}
	return sendPage(c, "locations", page, nil)
}

func (a *API) listEmployees(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := a.admin.EmployeesPage(c.UserContext(), actorOf(c), p)
	if err != nil {
		return err
	}
	return sendPage(c, "employees", page, nil)
}

// skuTombstone is a retired SKU in catalog sync: the device removes it.
type skuTombstone struct {
	SKU       string    `json:"sku"`
	Deleted   bool      `json:"deleted"`
	RetiredAt time.Time `json:"retired_at"`
}

// listSKUs is catalog sync: the catalog in change order, with the cursor
// to ask later for what changed since (sync_cursor), and an ETag of the
// answer (If-None-Match: 304 when nothing changed).
func (a *API) listSKUs(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, sync, err := a.admin.CatalogPage(c.UserContext(), actorOf(c), p)
	if err != nil {
		return err
	}
	items := make([]any, len(page.Items))
	for i, s := range page.Items {
		if s.RetiredAt != nil {
			items[i] = skuTombstone{SKU: s.SKU, Deleted: true, RetiredAt: *s.RetiredAt}
		} else {
			items[i] = s
		}
	}
	body := fiber.Map{"skus": items, "sync_cursor": sync}
	if page.Next != "" {
		body["next_cursor"] = page.Next
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	if matchETag(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}

// matchETag reports whether an If-None-Match header names etag (weak
// comparison).
func matchETag(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

func (a *API) stockLevels(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := a.book.StockPage(c.UserContext(), actorOf(c), c.Query("location"), c.Query("sku"), p)
	if err != nil {
		return err
	}
	return sendPage(c, "levels", page, nil)
}

func (a *API) listCounts(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	q := stock.CountQuery{Location: c.Query("location"), Status: stock.CountStatus(c.Query("status"))}
	if q.Since, err = parseTime(c, "opened_since", q.Since); err != nil {
		return err
	}
	if q.Until, err = parseTime(c, "opened_until", q.Until); err != nil {
		return err
	}
	page, err := a.counts.CountsPage(c.UserContext(), actorOf(c), q, p)
	if err != nil {
		return err
	}
	return sendPage(c, "counts", page, nil)
}

// listScans pages a count's scans. `after` (an event_id) and the answer's
// `next_after` are the former paging, kept for one version (deprecated).
func (a *API) listScans(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	f := stock.ScanFilter{SKU: c.Query("sku"), Status: stock.ScanStatus(c.Query("status"))}
	if p.Cursor == "" {
		f.After = c.Query("after")
	}
	page, err := a.counts.CountScansPage(c.UserContext(), actorOf(c), c.Params("id"), f, p)
	if err != nil {
		return err
	}
	nextAfter := ""
	if page.Next != "" {
		nextAfter = page.Items[len(page.Items)-1].EventID
	}
	return sendPage(c, "scans", page, fiber.Map{"next_after": nextAfter})
}

func (a *API) audit(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := a.reports.AuditPage(c.UserContext(), actorOf(c), c.Query("entity"), p)
	if err != nil {
		return err
	}
	return sendPage(c, "entries", page, nil)
}

func (a *API) listDocuments(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	q := stock.DocumentQuery{Status: c.Query("status"), Kind: c.Query("kind"), Location: c.Query("location"), SKU: c.Query("sku")}
	if q.Since, err = parseTime(c, "created_since", q.Since); err != nil {
		return err
	}
	if q.Until, err = parseTime(c, "created_until", q.Until); err != nil {
		return err
	}
	page, err := a.documents.DocumentsPage(c.UserContext(), actorOf(c), q, p)
	if err != nil {
		return err
	}
	return sendPage(c, "documents", page, nil)
}

func (a *API) skuDocuments(c *fiber.Ctx) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := a.documents.DocumentsPage(c.UserContext(), actorOf(c), stock.DocumentQuery{SKU: c.Params("sku")}, p)
	if err != nil {
		return err
	}
	return sendPage(c, "documents", page, fiber.Map{"sku": c.Params("sku")})
}

// Alert deliveries page by delivery id, newest first; `before` (a
// delivery id) is the former paging, kept for one version (deprecated).
const (
	defaultDeliveryPage = 100
	maxDeliveryPage     = 500
)

func (a *API) listAlertDeliveries(c *fiber.Ctx) error {
	al, err := a.alertsOf()
	if err != nil {
		return err
	}
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	limit := p.Limit
	if limit == 0 {
		limit = defaultDeliveryPage
	}
	if limit > maxDeliveryPage {
		return stock.Errorf(stock.EInvalid, "limit must be 1 to %d", maxDeliveryPage).With("field", "limit").With("max", maxDeliveryPage)
	}
	f := alerts.DeliveryFilter{Status: alerts.Status(c.Query("status")), RuleID: c.Query("rule"), Before: c.Query("before"), Limit: limit + 1}
	if p.Cursor != "" {
		k, err := stock.DecodeCursor(p.Cursor, 1)
		if err != nil {
			return err
		}
		f.Before = k[0]
	}
	ds, err := al.Deliveries(c.UserContext(), actorOf(c), f)
	if err != nil {
		return err
	}
	page := stock.Page[alerts.Delivery]{Items: ds}
	if page.Items == nil {
		page.Items = []alerts.Delivery{}
	}
	if len(ds) > limit {
		page.Items, page.Next = ds[:limit], stock.EncodeCursor(ds[limit-1].ID)
	}
	return sendPage(c, "deliveries", page, nil)
}
