// Package jobs is pandian's one queue of background work: CSV imports,
// documents to read and file, the SKU folders of the object store and the
// alert deliveries all run through it.
//
// A job is claimed with a lease: an owner (the runner), a fencing token
// (incremented at every claim) and an expiry. A runner that dies (kill -9)
// stops renewing its lease and the job is claimed again once it expires; a
// runner that was only slow finds, when it reports, that its token is no
// longer the job's and its outcome is refused (ErrLeaseLost), so it cannot
// overwrite what the runner that took over wrote. Failed attempts are
// retried after an exponential back-off (the job's next_at); handlers are
// registered by exact kind. The persistence is the Queue interface
// (storage/sqlstore implements it on SQLite and PostgreSQL); this package
// knows no SQL.
package jobs

import (
	"context"
	"errors"
	"time"
)

// Job is a claimed job.
type Job struct {
	ID       string
	Kind     string
	Payload  []byte
	Attempts int // attempts made, this one included
	Lease    Lease
	// LeaseUntil is when the lease expires unless it is renewed.
	LeaseUntil time.Time
}

// Lease identifies one claim of a job: writes made under it are refused
// once another claim took the job over.
type Lease struct {
	JobID string
	Owner string
	Token int64
}

// ErrLeaseLost is returned by the Queue (and by fenced writes of the
// domain) when the lease is no longer the job's: it expired and another
// runner claimed the job, or the job ended.
var ErrLeaseLost = errors.New("jobs: the lease was lost (the job was taken over or ended)")

// Status of a job in the queue.
const (
	StatusQueued  = "queued"  // waiting for its first attempt
	StatusRunning = "running" // leased to a runner
	StatusRetry   = "retry"   // waiting for another attempt (next_at)
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Outcome is how an attempt ended.
type Outcome struct {
	Status string    // StatusDone, StatusFailed, StatusRetry or StatusQueued (rescheduled, attempts reset)
	NextAt time.Time // StatusRetry and StatusQueued: when the job is due again
	Error  string    // StatusFailed, StatusRetry: what went wrong
	// Result, when not nil, is stored as the job's result (StatusDone).
	Result []byte
	// At is when the attempt ended.
	At time.Time
}

// New is a job to enqueue.
type New struct {
	ID      string
	Kind    string
	Key     string // when set, a job with the same key is not enqueued twice
	Payload []byte
	Actor   string    // who asked for it (shown with imports' jobs)
	At      time.Time // due from
}

// Queue is the persistence of the queue.
type Queue interface {
	// ClaimJobs leases to owner, until now+lease, up to limit jobs of the
	// kinds that are due at now (queued or retry with next_at <= now, or running
	// with an expired lease), oldest due first. Each claim counts an
	// attempt and increments the job's fencing token. Concurrent claimers
	// never get the same job while its lease holds (SKIP LOCKED on
	// PostgreSQL, one writer at a time on SQLite).
	// It is cheap when nothing is due: no write transaction.
	ClaimJobs(ctx context.Context, kinds []string, owner string, now time.Time, lease time.Duration, limit int) ([]Job, error)
	// ExtendJobLease renews a lease until until; ErrLeaseLost when l no
	// longer holds the job.
	ExtendJobLease(ctx context.Context, l Lease, until time.Time) error
	// FinishJob records the outcome of the attempt made under l;
	// ErrLeaseLost (and no change) when l no longer holds the job.
	FinishJob(ctx context.Context, l Lease, o Outcome) error
	// EnqueueJobs adds jobs, skipping those whose Key is in the queue
	// already; it returns how many it added.
	EnqueueJobs(ctx context.Context, js []New) (int, error)
}

// Clock returns the current time; tests inject their own.
type Clock func() time.Time

// permanent marks an error that retrying will not fix.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks err as not worth retrying: the job fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// retryAfter asks for a retry no sooner than after.
type retryAfter struct {
	error
	after time.Duration
}

func (r retryAfter) Unwrap() error { return r.error }

// RetryAfter asks for the next attempt no sooner than d (a receiver's
// Retry-After); the back-off applies when it is longer.
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return retryAfter{err, d}
}

// again reschedules a job that did its work and is due again.
type again struct{ after time.Duration }

func (a again) Error() string { return "jobs: due again" }

// Again is what a recurring job's handler returns: the job is queued
// again, due in d, with its attempts reset.
func Again(d time.Duration) error { return again{d} }
