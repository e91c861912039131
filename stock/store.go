package stock

import (
	"context"
	"time"

	"pandian/jobs"
)

// Store is the persistence the domain needs. Read runs fn on a consistent
// read-only view; Write runs fn in a read-write transaction that commits
// durably when fn returns nil and rolls back otherwise. Implementations:
// storage/sqlstore on SQLite and PostgreSQL.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is what one transaction can do. Methods that find nothing return an
// *Error with code ENotFound. Batch methods take and return slices so that
// one round trip serves a whole request.
type Tx interface {
	// Locations.
	Location(code string) (Location, error)
	LocationsByCode(codes []string) (map[string]Location, error)
	LocationsUnder(path string) ([]Location, error)
	PutLocation(l Location) (created bool, err error)
	RepathLocations(oldPrefix, newPrefix string) error

	// Catalog. keys[i] is the normalised lookup key of s.Barcodes[i].
	SKU(sku string) (SKU, error)
	SKUs(skus []string) (map[string]SKU, error)
	// SKUInfo is SKUs without the barcodes.
	SKUInfo(skus []string) (map[string]SKU, error)
	// SnapshotSKUs returns, without barcodes, the SKUs of a count's snapshot.
	SnapshotSKUs(countID string) (map[string]SKU, error)
	PutSKU(s SKU, keys []string, replaceBarcodes bool) (created bool, err error)
	// PutSKUs upserts many SKUs and adds their barcodes (keys[i][j] is the
	// key of skus[i].Barcodes[j]); the caller has checked barcode owners.
	PutSKUs(skus []SKU, keys [][]string) error
	LookupBarcodes(keys []string) (map[string]BarcodeMatch, error)

	// Employees and sessions.
	Employee(code string) (Employee, error)
	EmployeeAuth(code string) (EmployeeAuth, error)
	PutEmployee(e Employee, pinHash string) (created bool, err error)
	// CountSignIn counts a sign-in attempt of (code, source) before its PIN
	// is checked, atomically (concurrent attempts, on any replica, each get
	// their own count). A source locked at now is not counted: the answer
	// has Refused and its LockedUntil. The attempt that brings Failures to
	// p.Limit locks the source (LockedUntil, Locked) for its next lock
	// duration, which then doubles up to p.MaxLock, and starts a new window.
	CountSignIn(code, source string, now time.Time, p ThrottlePolicy) (SignInCount, error)
	// SignInSucceeded clears the window and lock of (code, source), resets
	// its lock duration and marks it trusted; with alsoAll it clears the
	// window and lock of (code, "*") too (keeping its lock duration).
	SignInSucceeded(code, source string, now time.Time, p ThrottlePolicy, alsoAll bool) error
	// UnlockSignIn clears every window and lock of code and resets their
	// lock durations; it returns how many sources were locked at now.
	UnlockSignIn(code string, now time.Time, p ThrottlePolicy) (int, error)
	// PruneSignIns forgets the untrusted, unlocked sources without an
	// attempt since before.
	PruneSignIns(before time.Time) (int64, error)
	CreateSession(s Session) error
	DeleteSession(tokenHash string) error
	Session(tokenHash string) (Session, Employee, error)

	// Book stock. ApplyMovements sets each movement's Version.
	StockLevels(f StockFilter) ([]StockLevel, error)
	MovementHashes(ids []string) (map[string]string, error)
	ApplyMovements(ms []Movement, hashes []string) error

	// Counts. SerializeCountOpening makes count openings take turns until
	// the transaction ends, so that two cannot both see "no active count".
	SerializeCountOpening() error
	CreateCount(c Count, snapshot []SnapshotRow) error
	Count(id string, forUpdate bool) (Count, error)
	// CountForScans reads a count and keeps it from changing state (close,
	// recount, approve) until the transaction ends, while other ingests of
	// the same count go on (PostgreSQL: FOR SHARE).
	CountForScans(id string) (Count, error)
	Counts(f CountFilter) ([]Count, error)
	UpdateCount(c Count) error
	OpenCounts(policy MovementPolicy) ([]Count, error)
	// ActiveCounts returns the counts not posted yet.
	ActiveCounts() ([]Count, error)
	SnapshotBook(paths []string, scope CountScope) ([]SnapshotRow, error)
	Snapshot(countID string) ([]SnapshotRow, error)
	// ChangesSince returns the movements under paths that the count's
	// snapshot does not include, posted up to until.
	ChangesSince(countID string, paths []string, until time.Time) ([]StockChange, error)

	// Scans.
	ScanHashes(eventIDs []string) (map[string]string, error)
	// ScanDeltas returns the applied quantities of the counted scans of skus
	// in arrival order, for the floor at zero.
	ScanDeltas(countID string, skus []string) ([]ScanDelta, error)
	// InsertScans stores scans; an event_id stored meanwhile by a
	// concurrent transaction is skipped and returned.
	InsertScans(scans []Scan) (skipped []string, err error)
	// ScanAggregates sums a count's counted scans by line, round, employee,
	// role and zone, and its unknown codes, in one pass.
	ScanAggregates(countID string) ([]ScanAggregate, []UnresolvedCode, error)
	Scans(f ScanFilter) ([]Scan, error)
	ScanStats(countID string) (ScanStats, error)
	// LotTotals sums a count's counted scans that carry a lot or an expiry
	// date by SKU, lot and expiry.
	LotTotals(countID string) ([]LotLine, error)

	// Recounts and reports.
	AddRecounts(countID string, lines []RecountLine) error
	Recounts(countID string) ([]RecountLine, error)
	SavePostings(countID string, ps []Posting) error
	Postings(countID string) ([]Posting, error)
	// ClosedCounts lists counts closed in [from, to) under paths.
	ClosedCounts(from, to time.Time, paths []string) ([]Count, error)

	// Audit log (append-only).
	Audit(e AuditEntry) error
	AuditLog(entity string, limit int) ([]AuditEntry, error)

	// Documents.
	CreateDocument(d Document) error
	// Document returns a document with every SKU it concerns.
	Document(id string) (Document, error)
	// UpdateDocument saves a document and adds the SKUs it does not list yet.
	UpdateDocument(d Document) error
	SetDocumentProgress(id string, progress float64, at time.Time) error
	// DocumentWithContent reports whether a document has the given SHA-256.
	DocumentWithContent(sha256 string) (bool, error)
	// DocumentsForSKU returns the newest documents of sku that are
	// company-wide or under one of paths (nil: all).
	DocumentsForSKU(sku string, paths []string, limit int) ([]Document, error)
	// CatalogNames returns every SKU's code and names.
	CatalogNames() ([]SKU, error)
	SKUsWithoutFolder(limit int) ([]SKU, error)
	MarkSKUFolders(skus []string, at time.Time) error

	// Jobs (the queue of package jobs: long imports, documents). Claims,
	// lease renewals and outcomes without other writes go through
	// jobs.Queue; these are the writes a domain transaction makes.
	CreateJob(j Job) error
	// Job returns a job without its Input (read only by the runner's claim).
	Job(id string) (Job, error)
	// SetJobProgress and FinishJob write under the lease l of a job being
	// run, and return jobs.ErrLeaseLost (the caller's transaction must
	// roll back) when another runner took the job over.
	SetJobProgress(l jobs.Lease, progress float64, at time.Time) error
	FinishJob(l jobs.Lease, o jobs.Outcome) error
}

// EmployeeAuth is an employee with its credentials state.
type EmployeeAuth struct {
	Employee
	PINHash string
}

// ThrottlePolicy is how sign-in attempts are slowed down: Limit attempts
// per window, then a lock of FirstLock that doubles at each further lock up
// to MaxLock.
type ThrottlePolicy struct {
	Limit              int
	FirstLock, MaxLock time.Duration
}

// SignInCount is the state of a throttle source after CountSignIn.
type SignInCount struct {
	Refused     bool      // the source was locked: the attempt was not counted
	Locked      bool      // this attempt locked the source
	LockedUntil time.Time // end of the lock (Refused or Locked)
	Failures    int       // attempts of the window, this one included
	Trusted     bool      // the source signed in successfully before
}

// Session is a signed-in device; only the token's hash is stored.
type Session struct {
	TokenHash string
	Employee  string
	DeviceID  string
	Created   time.Time
	Expires   time.Time
}

// StockFilter selects stock levels: Paths (location paths, any of), SKU.
type StockFilter struct {
	Paths []string
	SKU   string
	Limit int
}

// CountFilter selects counts: under any of Paths (nil = all), at Location,
// in Status.
type CountFilter struct {
	Paths    []string
	Location string
	Status   CountStatus
	Limit    int
}

// ScanFilter selects scans of a count for drill-down.
type ScanFilter struct {
	CountID  string
	SKU      string
	Status   ScanStatus
	Employee string
	After    string // event_id to continue after (keyset pagination)
	Limit    int
}

// ScanStats summarises a count's scans for progress.
type ScanStats struct {
	Scans    int64 `json:"scans"`
	Counted  int64 `json:"counted_scans"`
	Lines    int64 `json:"lines_counted"`
	Unknown  int64 `json:"unknown_scans"`
	Late     int64 `json:"late_scans"`
	Rejected int64 `json:"out_of_scope_scans"`
	// ClockSuspect counts the scans whose device time cannot be true
	// (Scan.ClockSuspect), for the reviewer.
	ClockSuspect int64 `json:"clock_suspect_scans"`
}

// Job is a long piece of work (an import, a document) that survives
// restarts; package jobs runs it.
type Job struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Status   string    `json:"status"` // queued|running|retry|done|failed
	Progress float64   `json:"progress"`
	Actor    string    `json:"actor"`
	Input    []byte    `json:"-"`
	Result   []byte    `json:"-"`
	Error    string    `json:"error,omitempty"`
	Created  time.Time `json:"created_at"`
	Updated  time.Time `json:"updated_at"`
}
