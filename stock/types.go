package stock

import (
	"strings"
	"time"
)

// LocationKind is the level of a location in the company tree.
type LocationKind string

// The location kinds, from the widest to the narrowest.
const (
	KindRegion LocationKind = "region"
	KindStore  LocationKind = "store"
	KindZone   LocationKind = "zone"
	KindBin    LocationKind = "bin"
)

// Valid reports whether k is a known kind.
func (k LocationKind) Valid() bool {
	return k == KindRegion || k == KindStore || k == KindZone || k == KindBin
}

// Location is a region, store, zone or bin. Path is the chain of codes from
// the root, "/HK/HK-KLN/HK-TST/", so that "is X under Y" is a prefix test.
type Location struct {
	Code          string       `json:"code"`
	Name          string       `json:"name"`
	Kind          LocationKind `json:"kind"`
	Parent        string       `json:"parent,omitempty"`
	Path          string       `json:"path"`
	ApprovalLimit *Money       `json:"approval_limit,omitempty"` // stores: value a store manager may approve
}

// storeCode is the code of the store l is or is inside ("" for a region):
// a zone is inside a store, a bin inside a zone.
func (l Location) storeCode() string {
	up := map[LocationKind]int{KindStore: 1, KindZone: 2, KindBin: 3}[l.Kind]
	codes := strings.Split(strings.Trim(l.Path, "/"), "/")
	if up == 0 || up > len(codes) {
		return ""
	}
	return codes[len(codes)-up]
}

// Under reports whether l is the location code or one of its descendants.
func (l Location) Under(code string) bool {
	return strings.Contains(l.Path, "/"+code+"/")
}

// Barcode is one code printed on a SKU or on a pack of it.
type Barcode struct {
	Code    string `json:"code"`     // as printed (EAN-13, GTIN-14, Code 39 text…)
	PackQty int64  `json:"pack_qty"` // base units per scan of this code
}

// SKU is a stock-keeping unit of the catalog.
type SKU struct {
	SKU      string    `json:"sku"`
	Name     string    `json:"name"`
	NameZh   string    `json:"name_zh"`
	Category string    `json:"category"`
	UnitCost Money     `json:"unit_cost"`
	Barcodes []Barcode `json:"barcodes"`
	// RetiredAt is when the SKU was retired (DELETE /v1/skus/{sku}); nil
	// while it is in the catalog. A retired SKU keeps its history.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	// ChangeSeq is the catalog change that last touched the SKU (catalog
	// sync orders by it).
	ChangeSeq int64 `json:"-"`
}

// BarcodeMatch is a catalog barcode found for a lookup key.
type BarcodeMatch struct {
	Key      string // normalised key (GTIN-14 or text)
	Code     string // as in the catalog
	SKU      string
	PackQty  int64
	Category string // the SKU's category, for scope checks
	// RetiredAt is when the SKU was retired (nil: in the catalog).
	RetiredAt *time.Time
}

// Employee is a person who signs in on a device.
type Employee struct {
	Code  string   `json:"code"`
	Name  string   `json:"name"`
	Role  Role     `json:"role"`
	Scope []string `json:"scope"`
}

// StockLevel is the book quantity of a SKU at a location. Version counts
// the movements applied to it, so that a count's snapshot knows exactly
// which later movements it does not include.
type StockLevel struct {
	SKU      string    `json:"sku"`
	Location string    `json:"location"`
	Qty      int64     `json:"qty"`
	Version  int64     `json:"-"`
	Updated  time.Time `json:"updated_at"`
}

// MovementKind says why book stock moved.
type MovementKind string

// The movement kinds.
const (
	MoveSale        MovementKind = "sale"
	MoveReceipt     MovementKind = "receipt"
	MoveTransferIn  MovementKind = "transfer_in"
	MoveTransferOut MovementKind = "transfer_out"
	MoveAdjustment  MovementKind = "adjustment"
	MoveSet         MovementKind = "set" // a stock import setting the book quantity
)

// Valid reports whether k may be posted by a client.
func (k MovementKind) Valid() bool {
	switch k {
	case MoveSale, MoveReceipt, MoveTransferIn, MoveTransferOut, MoveAdjustment:
		return true
	}
	return false
}

// Movement changes book stock. MovementID makes it idempotent.
type Movement struct {
	MovementID string       `json:"movement_id"`
	SKU        string       `json:"sku"`
	Location   string       `json:"location"`
	QtyDelta   int64        `json:"qty_delta"`
	Kind       MovementKind `json:"kind"`
	At         time.Time    `json:"at"`
	Reason     string       `json:"reason,omitempty"`
	Ref        string       `json:"ref,omitempty"` // e.g. the count that posted it
	By         string       `json:"by,omitempty"`
	// Version is the stock level's version after this movement; set by the store.
	Version int64 `json:"-"`
	// Posted is when the server recorded it.
	Posted time.Time `json:"posted_at"`
}

// Hash returns the payload identity used to tell a replay from a conflict.
func (m Movement) Hash() string {
	return hashFields(m.SKU, m.Location, itoa(m.QtyDelta), string(m.Kind), m.At.UTC().Format(time.RFC3339Nano), m.Reason, m.Ref)
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	At      time.Time      `json:"at"`
	Actor   string         `json:"actor"`
	Action  string         `json:"action"`
	Entity  string         `json:"entity"`
	Details map[string]any `json:"details,omitempty"`
	// Seq orders the log (paging).
	Seq int64 `json:"-"`
}
