package stock

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Config holds the tunables of the domain.
type Config struct {
	TokenTTL             time.Duration // lifetime of a sign-in token
	RefreshTTL           time.Duration // lifetime of a refresh token (0: refresh tokens off)
	MaxLoginFailures     int           // sign-in attempts per source before a lock-out
	LockDuration         time.Duration // how long a source's first lock-out lasts
	MaxLockDuration      time.Duration // the longest lock-out (each further one doubles)
	DefaultApprovalLimit Money         // store managers' limit where a store sets none
	MaxScansPerBatch     int           // scans in one request
	MaxMovementsPerBatch int           // movements in one request
	PINCost              int           // bcrypt cost of PIN hashes
	// ClockSkew is how far a device's clock may be off before its scan
	// times are not trusted (see Scan.ClockSuspect).
	ClockSkew time.Duration
	// KeepReportInline is the size of a held count's report (lines in its
	// snapshot and lines counted) up to which ReportPage keeps it inline
	// when it finds it not kept; a larger one is kept by a job (0: 5000).
	KeepReportInline int64
	// MaxStockImportLevels bounds the levels one stock import sets: they
	// are held (about 150 bytes each) until the file is read, then locked
	// and set in key order in its one transaction. A larger import is
	// refused (413) before anything is written.
	MaxStockImportLevels int
}

// DefaultConfig returns the production defaults.
func DefaultConfig() Config {
	return Config{
		TokenTTL:             12 * time.Hour,
		RefreshTTL:           30 * 24 * time.Hour,
		MaxLoginFailures:     5,
		LockDuration:         time.Minute,
		MaxLockDuration:      time.Hour,
		DefaultApprovalLimit: 10000 * moneyScale,
		MaxScansPerBatch:     5000,
		MaxMovementsPerBatch: 5000,
		PINCost:              10,
		ClockSkew:            5 * time.Minute,
		KeepReportInline:     5000,
		MaxStockImportLevels: 500_000,
	}
}

// Service is the domain's entry point: every use case of the API is a
// method that takes the authenticated Actor.
type Service struct {
	store  Store
	codes  CodeParser
	photos PhotoDecoder
	cfg    Config
	// Documents (SetDocuments).
	files   Files
	checker DocumentChecker
	reader  DocumentReader
	docOpts DocumentOptions
	// Now returns the current time (the package's Now); tests may replace
	// it.
	Now func() time.Time
	// Sign-in: the decoy hash of unknown codes, PIN checks made, last
	// prune of the throttle (unix ns).
	decoyOnce sync.Once
	decoy     []byte
	pinChecks atomic.Int64
	lastPrune atomic.Int64
}

// NewService returns a Service over store, using codes to read barcodes.
func NewService(store Store, codes CodeParser, cfg Config) *Service {
	return &Service{store: store, codes: codes, cfg: cfg, Now: Now}
}

// SetPhotoDecoder sets what decodes barcode photos (nil: photo uploads
// answer unavailable).
func (s *Service) SetPhotoDecoder(d PhotoDecoder) { s.photos = d }

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

func newID(prefix string) string {
	return prefix + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// validCode checks the shape of location, SKU and employee codes.
func validCode(what, code string) error {
	if !codeRE.MatchString(code) {
		return Errorf(EInvalid, "%s code %q must be 1–64 letters, digits, '-', '_' or '.'", what, code).With("field", "code")
	}
	return nil
}

// validText checks a required or optional free-text field.
func validText(field, v string, required bool, max int) error {
	if required && strings.TrimSpace(v) == "" {
		return Errorf(EInvalid, "%s is required", field).With("field", field)
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		return Errorf(EInvalid, "%s must be valid UTF-8 of at most %d characters", field, max).With("field", field)
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' {
			return Errorf(EInvalid, "%s holds a control character", field).With("field", field)
		}
	}
	return nil
}

// validRawCode checks a scanned code: UTF-8, at most 512 bytes, and no
// control characters but the GS1 group separator (0x1D) and the line ends
// and tabs that keyboard wedges append.
func validRawCode(code string) error {
	if strings.TrimSpace(code) == "" || len(code) > 512 || !utf8.ValidString(code) {
		return Errorf(EInvalid, "code is required (UTF-8, at most 512 bytes)").With("field", "code")
	}
	for _, r := range code {
		if r < 0x20 && r != 0x1d && r != '\r' && r != '\n' && r != '\t' {
			return Errorf(EInvalid, "code holds the control character 0x%02X", r).With("field", "code")
		}
	}
	return nil
}

// audit appends an entry to the audit log inside tx.
func (s *Service) audit(tx AuditStore, actor Actor, action, entity string, details map[string]any) error {
	return tx.Audit(AuditEntry{At: s.Now().UTC(), Actor: actor.Employee.Code, Action: action, Entity: entity, Details: details})
}

// AuditLog returns the newest entries about entity (admin and auditor).
func (s *Service) AuditLog(ctx context.Context, actor Actor, entity string, limit int) ([]AuditEntry, error) {
	if !actor.Role().WholeCompany() {
		return nil, Errorf(EForbidden, "only admins and auditors read the audit log")
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []AuditEntry
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.AuditLog(entity, limit)
		return err
	})
	return out, err
}

// scopePaths returns the location-path prefixes the actor may see, nil for
// the whole company.
func (s *Service) scopePaths(tx LocationStore, actor Actor) ([]string, error) {
	if actor.Role().WholeCompany() {
		return nil, nil
	}
	locs, err := tx.LocationsByCode(actor.Employee.Scope)
	if err != nil {
		return nil, err
	}
	paths := []string{}
	for _, l := range locs {
		paths = append(paths, l.Path)
	}
	return paths, nil
}

// pathsUnder returns the location paths a listing covers: the location's
// (not found outside the actor's scope) or, without one, the actor's whole
// scope ("/" for the whole company).
func (s *Service) pathsUnder(tx LocationStore, actor Actor, location string) ([]string, error) {
	if location != "" {
		l, err := s.locationInScope(tx, actor, location)
		if err != nil {
			return nil, err
		}
		return []string{l.Path}, nil
	}
	paths, err := s.scopePaths(tx, actor)
	if err == nil && paths == nil {
		paths = []string{"/"}
	}
	return paths, err
}

// locationInScope loads a location and answers not found when it is
// outside the actor's scope, so that scope does not leak what exists.
func (s *Service) locationInScope(tx LocationStore, actor Actor, code string) (Location, error) {
	l, err := tx.Location(code)
	if err != nil {
		return l, err
	}
	if !actor.InScope(l) {
		return Location{}, Errorf(ENotFound, "location %s not found", code)
	}
	return l, nil
}

// Now is the current time as the domain stamps it: UTC, to the microsecond,
// the precision the store keeps, so that a resource reads back with the
// very timestamps its creation answered.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
