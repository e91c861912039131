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
//
// Errors: fn's own error comes back unchanged. Besides the codes each
// method lists below, any method, Read and Write may return EUnavailable
// (the database is unreachable, busy or shutting down, or the request was
// cancelled), EConflict (a constraint was violated; details "constraint"
// and "kind" name it) and EInvalid (text that cannot be stored, such as a
// NUL); anything else is a bug (EInternal at the edge).
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is what one transaction can do: the persistence of every aggregate,
// composed. Batch methods take and return slices so that one round trip
// serves a whole request. A use case that needs one aggregate can take the
// small interface instead of Tx.
type Tx interface {
	LocationStore
	CatalogStore
	AuthStore
	MovementStore
	CountStore
	ScanStore
	ReviewStore
	AuditStore
	DocumentStore
	JobStore
	KeptReportStore
}

// MaxTxAge bounds how long a write transaction can stay open (requests
// time out well before): a movement stamped this long before a moment
// has committed by then.
const MaxTxAge = 10 * time.Minute

// KeptReportStore keeps held counts' reports for their pages (ReportPage).
type KeptReportStore interface {
	// CatalogClock is the number of the catalog's last change.
	CatalogClock() (int64, error)
	// KeptSKUsChanged reports whether a SKU of a count's kept report
	// changed in the catalog after change number since.
	KeptSKUsChanged(countID string, since int64) (bool, error)
	// SnapshotLines is how many lines a count's snapshot has.
	SnapshotLines(countID string) (int64, error)
	// KeepReport replaces the kept report of a count with kr and lines.
	KeepReport(countID string, kr KeptReport, lines []ReportLine) error
	// KeptReport returns the kept report of a count, without its lines;
	// found is false when there is none.
	KeptReport(countID string) (kr KeptReport, found bool, err error)
	// KeptAggregate sums the kept lines that q matches (its filters; not
	// its slice).
	KeptAggregate(countID string, q KeptLineQuery) (KeptAggregate, error)
	// KeptLines returns q's slice of the kept lines it lists (its filters,
	// the unscanned folded unless asked), in its order.
	KeptLines(countID string, q KeptLineQuery) ([]ReportLine, error)
}

// LocationStore keeps the location tree (a location's Path is its place in
// the tree).
type LocationStore interface {
	// Location returns ENotFound if no location has code.
	Location(code string) (Location, error)
	// LocationsByCode leaves out the codes it does not know (no error).
	LocationsByCode(codes []string) (map[string]Location, error)
	// LocationsUnder returns the locations whose path starts with path.
	LocationsUnder(path string) ([]Location, error)
	// PutLocation inserts or updates l by code.
	PutLocation(l Location) (created bool, err error)
	// LocationsPage returns up to f.Limit locations under any of f.Paths
	// (nil: all) by path and code, after (f.AfterPath, f.AfterCode).
	LocationsPage(f LocationFilter) ([]Location, error)
	// RepathLocations rewrites the path prefix oldPrefix of every location
	// and count under it to newPrefix.
	RepathLocations(oldPrefix, newPrefix string) error
	// SerializeLocationWrites makes the transactions that write locations
	// (an import, a put, a subtree move) take turns until they end; it is
	// taken before the locations are read.
	SerializeLocationWrites() error
	// HoldLocations keeps location writes (SerializeLocationWrites) off
	// until the transaction ends, while other holders go on; a stock
	// writer or a count opening takes it before it reads the locations, so
	// a zone cannot move to another store between the read and the store's
	// stock lock (LockStoreStock).
	HoldLocations() error
}

// CatalogStore keeps the SKUs and their barcodes. keys[i] is the normalised
// lookup key of s.Barcodes[i].
type CatalogStore interface {
	// SKU returns a SKU with its barcodes; ENotFound if there is none.
	SKU(sku string) (SKU, error)
	// SKUs, SKUInfo and SnapshotSKUs leave out what they do not know.
	SKUs(skus []string) (map[string]SKU, error)
	// SKUInfo is SKUs without the barcodes.
	SKUInfo(skus []string) (map[string]SKU, error)
	// SnapshotSKUs returns, without barcodes, the SKUs of a count's snapshot.
	SnapshotSKUs(countID string) (map[string]SKU, error)
	// PutSKU upserts s and adds (replaceBarcodes: sets) its barcodes;
	// EConflict (details "sku") if a barcode belongs to another SKU.
	PutSKU(s SKU, keys []string, replaceBarcodes bool) (created bool, err error)
	// PutSKUs upserts many SKUs and adds their barcodes (keys[i][j] is the
	// key of skus[i].Barcodes[j]); the caller has checked barcode owners.
	PutSKUs(skus []SKU, keys [][]string) error
	// LookupBarcodes returns the barcodes of keys it knows, by key.
	LookupBarcodes(keys []string) (map[string]BarcodeMatch, error)
	// CatalogNames returns every SKU's code and names.
	CatalogNames() ([]SKU, error)
	// SearchSKUs returns, without barcodes, up to limit SKUs in the
	// catalog (not retired) whose code starts with q or whose English or
	// Chinese name contains it (case folded), by code.
	SearchSKUs(q string, limit int) ([]SKU, error)
	// RetireSKU marks a SKU retired at at and moves it to the end of the
	// change order; ENotFound for an unknown SKU. PutSKU and PutSKUs
	// bring a retired SKU back.
	RetireSKU(sku string, at time.Time) error
	// CatalogChanges returns, with their barcodes, up to limit SKUs in
	// change order (ChangeSeq, then code) after (afterSeq, afterSKU); a
	// retired SKU comes without its barcodes.
	CatalogChanges(afterSeq int64, afterSKU string, limit int) ([]SKU, error)
}

// AuthStore keeps employees, their sign-in throttle and their sessions.
type AuthStore interface {
	// Employee and EmployeeAuth return ENotFound for an unknown code.
	Employee(code string) (Employee, error)
	EmployeeAuth(code string) (EmployeeAuth, error)
	// PutEmployee upserts e; a non-empty pinHash sets the PIN (and clears
	// the employee's failures), an empty one keeps the stored PIN.
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
	// attempt since before, and the sessions and refresh tokens expired
	// before.
	PruneSignIns(before time.Time) (int64, error)
	// Employees returns up to limit employees by code after afterCode.
	Employees(afterCode string, limit int) ([]Employee, error)
	CreateSession(s Session) error
	DeleteSession(tokenHash string) error
	// Session returns a session and its employee; ENotFound if no session
	// has tokenHash.
	Session(tokenHash string) (Session, Employee, error)
	// CreateRefresh stores a refresh token.
	CreateRefresh(r RefreshToken) error
	// UseRefresh marks the refresh token with tokenHash used at now and
	// returns it as it was: Used is zero when this call used it, else the
	// time of the earlier use. ENotFound if there is none (revoked).
	UseRefresh(tokenHash string, now time.Time) (RefreshToken, error)
	// EndFamilySessions deletes the sessions of family (its access tokens),
	// keeping its refresh tokens (used ones are kept to catch a reuse).
	EndFamilySessions(family string) error
	// RevokeFamily deletes the sessions and refresh tokens of family and
	// returns how many sessions ended.
	RevokeFamily(family string) (int, error)
	// RevokeEmployee deletes every session and refresh token of employee
	// code and returns how many sessions ended.
	RevokeEmployee(code string) (int, error)
}

// MovementStore keeps book stock: levels and the movements that change
// them.
type MovementStore interface {
	StockLevels(f StockFilter) ([]StockLevel, error)
	// MovementHashes returns the content hashes of the movements of ids
	// already stored (the others are absent), for idempotent re-sends.
	MovementHashes(ids []string) (map[string]string, error)
	// ApplyMovements stores ms (hashes[i] is the hash of ms[i]), moves
	// their levels and sets each movement's Version.
	ApplyMovements(ms []Movement, hashes []string) error
	// LockLevels locks the levels at keys ((location, sku) pairs, in
	// that order, without repeats) until the transaction ends, and
	// returns them as they are once locked: a posting cannot move them
	// between this read and the caller's movements. A level that does
	// not exist is created at 0 with Version 0; the caller must move it
	// (ApplyMovements) before it commits.
	LockLevels(keys [][2]string) (map[[2]string]StockLevel, error)
	// LockStoreStock holds, until the transaction ends, the stock lock of
	// each store in stores (location codes): shared by the writers of book
	// stock that honour freeze counts (an import, a posting, a receipt),
	// taken before they read the open counts (again) and before any level;
	// exclusive by a count opening, before it snapshots the book. A count
	// opened while a writer is under way at its store either waits for it
	// or is seen by it.
	LockStoreStock(stores []string, exclusive bool) error
}

// CountStore keeps counts and their snapshot of book stock.
type CountStore interface {
	// SerializeCountOpening makes count openings take turns until the
	// transaction ends, so that two cannot both see "no active count".
	SerializeCountOpening() error
	CreateCount(c Count, snapshot []SnapshotRow) error
	// Count returns ENotFound for an unknown id; forUpdate locks the count
	// until the transaction ends.
	Count(id string, forUpdate bool) (Count, error)
	// CountForScans reads a count and keeps it from changing state (close,
	// recount, approve) until the transaction ends, while other ingests of
	// the same count go on (PostgreSQL: FOR SHARE). ENotFound for an
	// unknown id.
	CountForScans(id string) (Count, error)
	Counts(f CountFilter) ([]Count, error)
	UpdateCount(c Count) error
	// OpenCounts returns the counts open or in recount whose movement
	// policy is policy.
	OpenCounts(policy MovementPolicy) ([]Count, error)
	// ActiveCounts returns the counts not posted yet.
	ActiveCounts() ([]Count, error)
	// ClosedCounts lists counts closed in [from, to) under paths.
	ClosedCounts(from, to time.Time, paths []string) ([]Count, error)
	// SnapshotBook reads the book quantities under paths that the scope's
	// SKU and category filters admit, for a count's snapshot.
	SnapshotBook(paths []string, scope CountScope) ([]SnapshotRow, error)
	Snapshot(countID string) ([]SnapshotRow, error)
	// ChangesSince returns the movements under paths that the count's
	// snapshot does not include, posted up to until; ENotFound for an
	// unknown count.
	ChangesSince(countID string, paths []string, until time.Time) ([]StockChange, error)
}

// ScanStore keeps the scans of counts. Scans are keyed by event_id, so an
// offline device that sends a batch again stores nothing twice.
type ScanStore interface {
	// ScanHashes returns the content hashes of the scans of eventIDs
	// already stored (the others are absent).
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
	// ScanStats is a count's progress, read from counters that ingest
	// keeps, not from a pass over its scans.
	ScanStats(countID string) (ScanStats, error)
	// LinesToFold returns how many counted scans of a count FoldLines has
	// not folded yet.
	LinesToFold(countID string) (int64, error)
	// FoldLines folds the SKUs of a count's counted scans stored since the
	// last fold into its lines counted, so that ScanStats need not look at
	// those scans again. The caller holds the count (Count with forUpdate).
	FoldLines(countID string) error
	// LotTotals sums a count's counted scans that carry a lot or an expiry
	// date by SKU, lot and expiry.
	LotTotals(countID string) ([]LotLine, error)
}

// ReviewStore keeps what review decides on a count: recounts ordered and
// the postings of its approval.
type ReviewStore interface {
	AddRecounts(countID string, lines []RecountLine) error
	Recounts(countID string) ([]RecountLine, error)
	SavePostings(countID string, ps []Posting) error
	Postings(countID string) ([]Posting, error)
}

// AuditStore is the audit log (append-only).
type AuditStore interface {
	Audit(e AuditEntry) error
	// AuditLog returns the newest limit entries about entity.
	AuditLog(entity string, limit int) ([]AuditEntry, error)
	// AuditPage returns up to f.Limit entries, newest first, before
	// f.BeforeSeq (0: from the newest).
	AuditPage(f AuditFilter) ([]AuditEntry, error)
}

// DocumentStore keeps photographed documents (purchase orders, receipts)
// and the SKUs they concern.
type DocumentStore interface {
	CreateDocument(d Document) error
	// Document returns a document with every SKU it concerns; ENotFound
	// for an unknown id.
	Document(id string) (Document, error)
	// DocumentForUpdate is Document, the document locked until the
	// transaction ends (for a read-modify-write of it).
	DocumentForUpdate(id string) (Document, error)
	// UpdateDocument saves a document and adds the SKUs it does not list
	// yet; ENotFound for an unknown id.
	UpdateDocument(d Document) error
	// DocumentWithContent reports whether a document has the given SHA-256.
	DocumentWithContent(sha256 string) (bool, error)
	// DocumentsForSKU returns the newest documents of sku that are
	// company-wide or under one of paths (nil: all).
	DocumentsForSKU(sku string, paths []string, limit int) ([]Document, error)
	// Documents returns up to f.Limit documents, newest first (created_at,
	// id), that f selects.
	Documents(f DocumentFilter) ([]Document, error)
	// RemoveDocumentSKUs forgets that a document concerns skus.
	RemoveDocumentSKUs(id string, skus []string) error
}

// JobStore is the background work that survives restarts: the jobs of
// the queue (package jobs: imports, documents, SKU folders, alert
// deliveries) as a domain transaction writes them, a document's progress
// while it is read, and the SKU-folder sync's bookkeeping. Claims, lease
// renewals and outcomes without other writes go through jobs.Queue.
type JobStore interface {
	CreateJob(j Job) error
	// Job returns a job without its Input (read only by the runner's
	// claim); ENotFound for an unknown id.
	Job(id string) (Job, error)
	// SetJobProgress and FinishJob write under the lease l of a job being
	// run, and return jobs.ErrLeaseLost (the caller's transaction must
	// roll back) when another runner took the job over.
	SetJobProgress(l jobs.Lease, progress float64, at time.Time) error
	FinishJob(l jobs.Lease, o jobs.Outcome) error
	SetDocumentProgress(id string, progress float64, at time.Time) error
	SKUsWithoutFolder(limit int) ([]SKU, error)
	MarkSKUFolders(skus []string, at time.Time) error
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
	// Family ties the sessions and refresh tokens of one sign-in and its
	// refreshes (empty for sessions from before refresh tokens).
	Family string
}

// RefreshToken is the long-lived token of a sign-in, bound to its device,
// that gets a new access token once; only its hash is stored.
type RefreshToken struct {
	TokenHash string
	Family    string
	Employee  string
	DeviceID  string
	Created   time.Time
	Expires   time.Time
	Used      time.Time // zero until used
}

// StockFilter selects stock levels: Paths (location paths, any of), SKU.
type StockFilter struct {
	Paths []string
	SKU   string
	Limit int
	// AfterLocation and AfterSKU continue after that level (by location,
	// then SKU); unused when AfterLocation is empty.
	AfterLocation, AfterSKU string
}

// LocationFilter pages locations under any of Paths (nil: all).
type LocationFilter struct {
	Paths                []string
	AfterPath, AfterCode string
	Limit                int
}

// AuditFilter pages the audit log, newest first.
type AuditFilter struct {
	Entity    string
	BeforeSeq int64 // 0: from the newest
	Limit     int
}

// DocumentFilter selects documents: concerning SKU, of Status and Kind,
// of Location (code), company-wide or under any of Paths (nil: all),
// uploaded in [Since, Until).
// AfterCreated/AfterID continue after a document (newest first); unused
// when AfterID is empty.
type DocumentFilter struct {
	SKU, Status, Kind, Location string
	Paths                       []string
	// Since, Until bound the upload time: [Since, Until); zero unbounded.
	Since, Until time.Time
	AfterCreated time.Time
	AfterID      string
	Limit        int
}

// CountFilter selects counts: under any of Paths (nil = all), at Location,
// in Status.
type CountFilter struct {
	Paths    []string
	Location string
	Status   CountStatus
	Limit    int
	// Since and Until bound opened_at: [Since, Until) (zero: unbounded).
	Since, Until time.Time
	// AfterOpened and AfterID continue after that count (newest first);
	// unused when AfterID is empty.
	AfterOpened time.Time
	AfterID     string
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
