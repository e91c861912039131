package stock

import (
	"strconv"
	"time"
)

// CountStatus is where a count is in its life.
type CountStatus string

// The count statuses: open (counting), recount (only the reopened lines
// take scans), review (closed, report computed), posted (approved).
const (
	StatusOpen    CountStatus = "open"
	StatusRecount CountStatus = "recount"
	StatusReview  CountStatus = "review"
	StatusPosted  CountStatus = "posted"
)

// Accepting reports whether a count in status s takes scans.
func (s CountStatus) Accepting() bool { return s == StatusOpen || s == StatusRecount }

// MovementPolicy decides how book movements during a count are handled.
type MovementPolicy string

// The movement policies.
const (
	// PolicySnapshotDelta: a line's expected quantity is the snapshot plus the
	// movements posted after it up to the line's last scan; approval adds the
	// variance to the current book.
	PolicySnapshotDelta MovementPolicy = "snapshot_delta"
	// PolicyFreeze: movements for in-scope SKUs are refused while counting.
	PolicyFreeze MovementPolicy = "freeze"
	// PolicyRejectChanged: lines whose book changed since the snapshot are
	// not posted at approval but flagged for recount.
	PolicyRejectChanged MovementPolicy = "reject_changed"
)

// Valid reports whether p is known.
func (p MovementPolicy) Valid() bool {
	return p == PolicySnapshotDelta || p == PolicyFreeze || p == PolicyRejectChanged
}

// Uncounted decides what an in-scope line that nobody scanned means.
type Uncounted string

// The uncounted policies.
const (
	UncountedZero   Uncounted = "zero"   // counted as 0
	UncountedIgnore Uncounted = "ignore" // left out of the variance
)

// CountScope narrows a count to zones, categories or SKUs (empty = all).
type CountScope struct {
	Zones      []string `json:"zones"`
	Categories []string `json:"categories"`
	SKUs       []string `json:"skus"`
}

// Count is a stock count at one location.
type Count struct {
	ID             string         `json:"id"`
	Location       string         `json:"location"`
	Scope          CountScope     `json:"scope"`
	Blind          bool           `json:"blind"`
	MovementPolicy MovementPolicy `json:"movement_policy"`
	Uncounted      Uncounted      `json:"uncounted"`
	ToleranceQty   int64          `json:"tolerance_qty"`
	Status         CountStatus    `json:"status"`
	Round          int            `json:"round"`
	OpenedBy       string         `json:"opened_by"`
	OpenedAt       time.Time      `json:"opened_at"`
	ClosedAt       *time.Time     `json:"closed_at,omitempty"`
	PostedAt       *time.Time     `json:"posted_at,omitempty"`
	ApprovedBy     string         `json:"approved_by,omitempty"`
	// LocationPath is the count location's path, for scope checks.
	LocationPath string `json:"-"`
}

// CountInput opens a count.
type CountInput struct {
	Location       string         `json:"location"`
	Scope          CountScope     `json:"scope"`
	Blind          *bool          `json:"blind"`
	MovementPolicy MovementPolicy `json:"movement_policy"`
	Uncounted      Uncounted      `json:"uncounted"`
	ToleranceQty   int64          `json:"tolerance_qty"`
}

// SnapshotRow is the book quantity of one SKU at one location when the
// count opened, with the stock level's version at that moment.
type SnapshotRow struct {
	SKU      string
	Location string
	Qty      int64
	Version  int64
}

// RecountLine is a line reopened in a later round for an assignee.
type RecountLine struct {
	SKU      string `json:"sku"`
	Round    int    `json:"round"`
	Assignee string `json:"assignee"`
}

// ScanInput is one scan as a device sends it.
type ScanInput struct {
	EventID   string   `json:"event_id"`
	Code      string   `json:"code"`
	Qty       int64    `json:"qty"`
	Bin       string   `json:"bin"`
	ScannedAt string   `json:"scanned_at"`
	DeviceID  string   `json:"device_id"`
	Lat       *float64 `json:"lat"`
	Lon       *float64 `json:"lon"`
}

// ScanStatus says what a stored scan means for the count.
type ScanStatus string

// The scan statuses. Only counted scans add to lines; the others are kept
// for the reviewer.
const (
	ScanCounted    ScanStatus = "counted"
	ScanUnknown    ScanStatus = "unknown_code" // code not in the catalog
	ScanLate       ScanStatus = "late"         // count no longer accepting
	ScanOutOfScope ScanStatus = "out_of_scope" // SKU, bin or line not open in this count
)

// Scan is a stored scan with everything known about it.
type Scan struct {
	EventID    string     `json:"event_id"`
	CountID    string     `json:"count_id"`
	Round      int        `json:"round"`
	Status     ScanStatus `json:"status"`
	Code       string     `json:"code"`
	SKU        string     `json:"sku,omitempty"`
	GTIN       string     `json:"gtin,omitempty"`
	Lot        string     `json:"lot,omitempty"`
	Expiry     string     `json:"expiry,omitempty"`
	Qty        int64      `json:"qty"`
	PackQty    int64      `json:"pack_qty"`
	AppliedQty int64      `json:"applied_qty"` // base units: qty × pack_qty (the line's floor at zero applies over the sequence)
	Bin        string     `json:"bin,omitempty"`
	Zone       string     `json:"zone,omitempty"`
	Employee   string     `json:"employee"`
	Role       Role       `json:"role"`
	DeviceID   string     `json:"device_id"`
	ScannedAt  time.Time  `json:"scanned_at"`
	ReceivedAt time.Time  `json:"received_at"`
	Lat        *float64   `json:"lat,omitempty"`
	Lon        *float64   `json:"lon,omitempty"`
	// ClockSuspect flags a scan whose device time cannot be true: before
	// its count opened or after the server received it (beyond
	// Config.ClockSkew). ScannedAt keeps the time as sent; the movement
	// rule places the scan at ReceivedAt instead. Shown to reviewers.
	ClockSuspect bool   `json:"clock_suspect"`
	Hash         string `json:"-"`
}

// scanHash is the payload identity of a scan: the same event_id with the
// same hash is a replay, with another hash a conflict. The employee is not
// part of it: a device may replay its queue after another sign-in.
func scanHash(countID string, in ScanInput, scannedAt time.Time) string {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 7, 64)
	}
	return hashFields(countID, in.Code, itoa(in.Qty), in.Bin, scannedAt.UTC().Format(time.RFC3339Nano), in.DeviceID, f(in.Lat), f(in.Lon))
}

// ScanRejection tells a device why one scan was not counted.
type ScanRejection struct {
	EventID string `json:"event_id"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ScanResult answers a batch of scans.
type ScanResult struct {
	Accepted   int             `json:"accepted"`
	Duplicates int             `json:"duplicates"`
	Rejected   []ScanRejection `json:"rejected"`
}

// ScanAggregate is the sum of counted scans of one SKU in one round by one
// employee (with the role they had) in one zone: the input of a report.
type ScanAggregate struct {
	SKU      string
	Round    int
	Employee string
	Role     Role
	Zone     string
	Qty      int64
	Scans    int64
	LastAt   time.Time
	MinQty   int64 // the smallest applied quantity: negative when corrections were scanned
}

// LotLine is what a count found of one lot of a SKU (from GS1 AIs 10 and
// 17 on the scans), and how close it is to its expiry date.
type LotLine struct {
	SKU        string `json:"sku"`
	Lot        string `json:"lot"`
	Expiry     string `json:"expiry,omitempty"` // 2006-01-02
	CountedQty int64  `json:"counted_qty"`
	Scans      int64  `json:"scans"`
	// ExpiryStatus is expired, near_expiry (within the report's near_days)
	// or ok; "" without an expiry date.
	ExpiryStatus string `json:"expiry_status,omitempty"`
	DaysLeft     *int   `json:"days_left,omitempty"`
}

// ScanDelta is one counted scan's applied quantity, in arrival order.
type ScanDelta struct {
	SKU   string
	Round int
	Qty   int64
}

// lineRound identifies a line in one round.
type lineRound struct {
	sku   string
	round int
}

// floors computes, per line and round, how much the floor at zero adds to
// the plain sum of the deltas: a line never goes below zero, so a
// correction larger than what was counted so far only brings it to zero.
// Applying the floor scan by scan in arrival order gives the sum minus the
// lowest prefix sum (when that is negative).
func floors(deltas []ScanDelta) map[lineRound]int64 {
	sum := map[lineRound]int64{}
	low := map[lineRound]int64{}
	for _, d := range deltas {
		k := lineRound{d.SKU, d.Round}
		sum[k] += d.Qty
		if sum[k] < low[k] {
			low[k] = sum[k]
		}
	}
	out := map[lineRound]int64{}
	for k, l := range low {
		if l < 0 {
			out[k] = -l
		}
	}
	return out
}

// StockChange is a movement posted after a count's snapshot for one of its
// lines: the input of snapshot_delta and reject_changed.
type StockChange struct {
	SKU      string
	Location string
	QtyDelta int64
	At       time.Time
	Posted   time.Time
	Version  int64
}

// Posting is what an approval did with one line: the adjustment it posted
// (Qty, with its reason, at Location) or, under reject_changed, the line it
// held back for recount.
type Posting struct {
	SKU             string
	Qty             int64
	Reason          string
	Location        string
	RecountRequired bool
}
