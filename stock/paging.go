package stock

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Every list pages the same way: the caller asks for at most Limit items
// after Cursor (empty: from the start) and gets a Page whose Next is the
// cursor of the following page (empty at the end). Lists have a stable
// order on a unique key; a cursor is that key of the last item shown,
// opaque to clients (base64url of a JSON array of strings). Paging happens
// in the store (keyset WHERE + LIMIT), never by loading everything.

// PageRequest is where a page starts and how long it is.
type PageRequest struct {
	Cursor string
	Limit  int
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	Next  string
}

// EncodeCursor makes a cursor from a key's parts.
func EncodeCursor(parts ...string) string {
	b, _ := json.Marshal(parts)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor of n parts; EInvalid (field "cursor") if it
// is not one.
func DecodeCursor(c string, n int) ([]string, error) {
	bad := Errorf(EInvalid, "cursor is malformed: pass back a next_cursor as it was received").With("field", "cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var parts []string
	if json.Unmarshal(b, &parts) != nil || len(parts) != n {
		return nil, bad
	}
	return parts, nil
}

// cursorInt and cursorTime read a key part written by itoa / timeKey.
func cursorInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, Errorf(EInvalid, "cursor is malformed: pass back a next_cursor as it was received").With("field", "cursor")
	}
	return n, nil
}

func cursorTime(s string) (time.Time, error) {
	n, err := cursorInt(s)
	return time.UnixMicro(n).UTC(), err
}

func timeKey(t time.Time) string { return itoa(t.UnixMicro()) }

// pageOf trims items fetched with limit+1 to a page: a further item means
// a next page, whose cursor is key of the last item kept.
func pageOf[T any](items []T, limit int, key func(T) string) Page[T] {
	if items == nil {
		items = []T{}
	}
	p := Page[T]{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.Next = key(items[limit-1])
	}
	return p
}

// checkLimit refuses a limit outside 1..max (0 means def).
func checkLimit(limit, def, max int) (int, error) {
	if limit == 0 {
		return def, nil
	}
	if limit < 1 || limit > max {
		return 0, Errorf(EInvalid, "limit must be 1 to %d", max).With("field", "limit").With("max", max)
	}
	return limit, nil
}

// The lists' page lengths: the default when the caller gives none, and the
// most it may ask for (more is EInvalid, 422).
const (
	DefaultPage      = 100
	MaxPage          = 500
	DefaultScanPage  = 1000
	MaxScanPage      = 5000
	DefaultAuditPage = 200
	MaxAuditPage     = 1000
	DefaultStockPage = 1000
	MaxStockPage     = 5000
	DefaultSKUPage   = 1000
	MaxSKUPage       = 5000
)

// CountQuery selects the counts a listing shows.
type CountQuery struct {
	Location     string
	Status       CountStatus
	Since, Until time.Time // opened in [Since, Until); zero: unbounded
}

// CountsPage lists the counts in the actor's scope, newest first (opened
// at, then id).
func (s *Service) CountsPage(ctx context.Context, actor Actor, q CountQuery, p PageRequest) (Page[Count], error) {
	var out []Count
	status := q.Status
	if status != "" && status != StatusOpen && status != StatusRecount && status != StatusReview && status != StatusPosted {
		return Page[Count]{}, Errorf(EInvalid, "status must be open, recount, review or posted").With("field", "status")
	}
	limit, err := checkLimit(p.Limit, DefaultPage, MaxPage)
	if err != nil {
		return Page[Count]{}, err
	}
	f := CountFilter{Status: status, Since: q.Since, Until: q.Until, Limit: limit + 1}
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 2)
		if err != nil {
			return Page[Count]{}, err
		}
		if f.AfterOpened, err = cursorTime(k[0]); err != nil {
			return Page[Count]{}, err
		}
		f.AfterID = k[1]
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		if f.Paths, err = s.pathsUnder(tx, actor, q.Location); err != nil {
			return err
		}
		out, err = tx.Counts(f)
		return err
	})
	return pageOf(out, limit, func(c Count) string { return EncodeCursor(timeKey(c.OpenedAt), c.ID) }), err
}

// CountScansPage is CountScans a page at a time, in arrival order; the
// cursor holds the last scan's event_id.
func (s *Service) CountScansPage(ctx context.Context, actor Actor, id string, f ScanFilter, p PageRequest) (Page[Scan], error) {
	limit, err := checkLimit(p.Limit, DefaultScanPage, MaxScanPage)
	if err != nil {
		return Page[Scan]{}, err
	}
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 1)
		if err != nil {
			return Page[Scan]{}, err
		}
		f.After = k[0]
	}
	if err := actor.Require(PermReadReports); err != nil {
		return Page[Scan]{}, err
	}
	f.CountID, f.Limit = id, limit+1
	if actor.Role() == RoleCounter {
		f.Employee = actor.Employee.Code
	}
	var out []Scan
	err = s.store.Read(ctx, func(tx Tx) error {
		if _, err := s.countInScope(tx, actor, id, false); err != nil {
			return err
		}
		out, err = tx.Scans(f)
		return err
	})
	return pageOf(out, limit, func(sc Scan) string { return EncodeCursor(sc.EventID) }), err
}

// AuditPage reads the audit log a page at a time, newest first (admins and
// auditors).
func (s *Service) AuditPage(ctx context.Context, actor Actor, entity string, p PageRequest) (Page[AuditEntry], error) {
	if !actor.Role().WholeCompany() {
		return Page[AuditEntry]{}, Errorf(EForbidden, "only admins and auditors read the audit log")
	}
	limit, err := checkLimit(p.Limit, DefaultAuditPage, MaxAuditPage)
	if err != nil {
		return Page[AuditEntry]{}, err
	}
	f := AuditFilter{Entity: entity, Limit: limit + 1}
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 1)
		if err != nil {
			return Page[AuditEntry]{}, err
		}
		if f.BeforeSeq, err = cursorInt(k[0]); err != nil {
			return Page[AuditEntry]{}, err
		}
	}
	var out []AuditEntry
	err = s.store.Read(ctx, func(tx Tx) error {
		out, err = tx.AuditPage(f)
		return err
	})
	return pageOf(out, limit, func(e AuditEntry) string { return EncodeCursor(itoa(e.Seq)) }), err
}

// StockPage lists book stock at or below location (the actor's scope when
// empty), optionally of one SKU, by location and SKU.
func (s *Service) StockPage(ctx context.Context, actor Actor, location, sku string, p PageRequest) (Page[StockLevel], error) {
	if err := actor.Require(PermReadStock); err != nil {
		return Page[StockLevel]{}, err
	}
	limit, err := checkLimit(p.Limit, DefaultStockPage, MaxStockPage)
	if err != nil {
		return Page[StockLevel]{}, err
	}
	f := StockFilter{SKU: sku, Limit: limit + 1}
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 2)
		if err != nil {
			return Page[StockLevel]{}, err
		}
		f.AfterLocation, f.AfterSKU = k[0], k[1]
	}
	var out []StockLevel
	err = s.store.Read(ctx, func(tx Tx) error {
		if f.Paths, err = s.pathsUnder(tx, actor, location); err != nil {
			return err
		}
		if len(f.Paths) == 1 && f.Paths[0] == "/" {
			f.Paths = nil
		}
		out, err = tx.StockLevels(f)
		return err
	})
	return pageOf(out, limit, func(l StockLevel) string { return EncodeCursor(l.Location, l.SKU) }), err
}

// LocationsPage lists the locations under a location in the actor's scope
// (the whole scope when under is empty), by path.
func (s *Service) LocationsPage(ctx context.Context, actor Actor, under string, p PageRequest) (Page[Location], error) {
	limit, err := checkLimit(p.Limit, DefaultPage, MaxPage)
	if err != nil {
		return Page[Location]{}, err
	}
	f := LocationFilter{Limit: limit + 1}
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 2)
		if err != nil {
			return Page[Location]{}, err
		}
		f.AfterPath, f.AfterCode = k[0], k[1]
	}
	var out []Location
	err = s.store.Read(ctx, func(tx Tx) error {
		if f.Paths, err = s.pathsUnder(tx, actor, under); err != nil {
			return err
		}
		out, err = tx.LocationsPage(f)
		return err
	})
	return pageOf(out, limit, func(l Location) string { return EncodeCursor(l.Path, l.Code) }), err
}

// EmployeesPage lists employees by code, without PINs (admin).
func (s *Service) EmployeesPage(ctx context.Context, actor Actor, p PageRequest) (Page[Employee], error) {
	if err := actor.Require(PermMasterData); err != nil {
		return Page[Employee]{}, err
	}
	limit, err := checkLimit(p.Limit, DefaultPage, MaxPage)
	if err != nil {
		return Page[Employee]{}, err
	}
	after := ""
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 1)
		if err != nil {
			return Page[Employee]{}, err
		}
		after = k[0]
	}
	var out []Employee
	err = s.store.Read(ctx, func(tx Tx) error {
		out, err = tx.Employees(after, limit+1)
		return err
	})
	return pageOf(out, limit, func(e Employee) string { return EncodeCursor(e.Code) }), err
}

// DocumentQuery selects documents: of SKU, Status, Kind, Location (code),
// uploaded in [Since, Until) (zero: unbounded).
type DocumentQuery struct {
	SKU, Status, Kind, Location string
	Since, Until                time.Time
}

// DocumentStatuses lists the statuses a document may have.
var DocumentStatuses = []string{DocProcessing, DocNeedsReview, DocDone, DocFailed}

// DocumentsPage lists the documents in the actor's scope (company-wide
// ones included), newest first, with download links.
func (s *Service) DocumentsPage(ctx context.Context, actor Actor, q DocumentQuery, p PageRequest) (Page[Document], error) {
	if err := actor.Require(PermReadDocuments); err != nil {
		return Page[Document]{}, err
	}
	limit, err := checkLimit(p.Limit, DefaultPage, MaxPage)
	if err != nil {
		return Page[Document]{}, err
	}
	if q.Status != "" && !slices.Contains(DocumentStatuses, q.Status) {
		return Page[Document]{}, Errorf(EInvalid, "status must be one of %s", strings.Join(DocumentStatuses, ", ")).With("field", "status")
	}
	if q.Kind != "" && !DocumentKind(q.Kind).Valid() {
		return Page[Document]{}, Errorf(EInvalid, "kind must be one of purchase_order, delivery_note, invoice, contract, inspection_report, photo").With("field", "kind")
	}
	f := DocumentFilter{SKU: q.SKU, Status: q.Status, Kind: q.Kind, Location: q.Location, Since: q.Since, Until: q.Until, Limit: limit + 1}
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 2)
		if err != nil {
			return Page[Document]{}, err
		}
		if f.AfterCreated, err = cursorTime(k[0]); err != nil {
			return Page[Document]{}, err
		}
		f.AfterID = k[1]
	}
	var out []Document
	err = s.store.Read(ctx, func(tx Tx) error {
		if q.SKU != "" {
			if m, err := tx.SKUInfo([]string{q.SKU}); err != nil || len(m) == 0 {
				if err == nil {
					err = Errorf(ENotFound, "sku %s not found", q.SKU)
				}
				return err
			}
		}
		if q.Location != "" {
			if _, err := s.locationInScope(tx, actor, q.Location); err != nil {
				return err
			}
		}
		if f.Paths, err = s.scopePaths(tx, actor); err != nil {
			return err
		}
		out, err = tx.Documents(f)
		return err
	})
	if err != nil {
		return Page[Document]{}, err
	}
	page := pageOf(out, limit, func(d Document) string { return EncodeCursor(timeKey(d.Created), d.ID) })
	for i := range page.Items {
		if err := s.withURL(ctx, &page.Items[i]); err != nil {
			return Page[Document]{}, err
		}
	}
	return page, nil
}

// CatalogPage is catalog sync: the SKUs with their barcodes in change
// order (the catalog change that last touched each, then code). From an
// empty cursor it is the whole catalog; a device keeps the cursor of the
// last page (Page.Next, or Sync once at the end) and later asks from it
// for only what changed since. A renamed SKU or a changed barcode list
// comes again; a retired SKU comes again with RetiredAt set and no
// barcodes (a tombstone: the device removes it).
func (s *Service) CatalogPage(ctx context.Context, actor Actor, p PageRequest) (page Page[SKU], sync string, err error) {
	limit, err := checkLimit(p.Limit, DefaultSKUPage, MaxSKUPage)
	if err != nil {
		return page, "", err
	}
	var seq int64 = -1
	after := ""
	if p.Cursor != "" {
		k, err := DecodeCursor(p.Cursor, 2)
		if err != nil {
			return page, "", err
		}
		if seq, err = cursorInt(k[0]); err != nil {
			return page, "", err
		}
		after = k[1]
	}
	var out []SKU
	err = s.store.Read(ctx, func(tx Tx) error {
		out, err = tx.CatalogChanges(seq, after, limit+1)
		return err
	})
	if err != nil {
		return page, "", err
	}
	key := func(x SKU) string { return EncodeCursor(itoa(x.ChangeSeq), x.SKU) }
	page = pageOf(out, limit, key)
	sync = p.Cursor
	if n := len(page.Items); n > 0 {
		sync = key(page.Items[n-1])
	}
	if sync == "" {
		sync = EncodeCursor("-1", "")
	}
	return page, sync, nil
}
