package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Handler runs one attempt of a job. It returns nil when the job is done,
// an error to retry it after the back-off (Permanent: fail it at once;
// RetryAfter: not sooner than asked), or Again to reschedule a recurring
// job. A handler that writes its result itself does it in the transaction
// that checks its lease (see Run.Finished) so that a runner that was taken
// over cannot overwrite the result of the one that took over.
type Handler func(ctx context.Context, run *Run) error

// Options are a kind's settings; zero fields take the defaults.
type Options struct {
	// Workers is how many jobs of the kind this runner runs at once (default 1).
	Workers int
	// Lease is how long a claim holds without renewal (default 2 min); the
	// runner renews it every third of it while the handler runs, so a job
	// whose process died is claimed again by another after at most Lease.
	Lease time.Duration
	// MaxAttempts is the number of attempts before the job fails (0: no limit).
	MaxAttempts int
	// BaseDelay and MaxDelay bound the back-off between attempts: base ×
	// 2^(attempt-1), capped, with jitter between half and all of it
	// (defaults 10 s and 30 min).
	BaseDelay, MaxDelay time.Duration
	// Poll is how often an idle worker looks for due jobs (default: the runner's).
	Poll time.Duration
}

// Run is one attempt of a job, given to its handler.
// Its Lease is the claim the attempt runs under; fenced writes check it.
type Run struct {
	Job
	finished bool
}

// Finished tells the runner that the handler recorded the job's outcome
// itself (FinishJob in its own transaction, with its result), so the
// runner records nothing more when it returns nil.
func (r *Run) Finished() { r.finished = true }

type kind struct {
	names   []string
	opts    Options
	handler Handler
}

// Runner claims jobs of the kinds registered on it and runs their
// handlers. Several runners (in several processes) may share a queue.
type Runner struct {
	Queue Queue
	// Owner names this runner in leases (default host-pid-random).
	Owner string
	// Now is the clock (default time.Now); tests inject theirs.
	Now Clock
	// Poll is how often an idle registration looks for due jobs (default 1 s).
	Poll time.Duration
	Log  *slog.Logger

	mu    sync.Mutex
	kinds []*kind
}

// NewRunner returns a runner over q with the defaults.
func NewRunner(q Queue) *Runner {
	host, _ := os.Hostname()
	return &Runner{Queue: q, Owner: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), uuid.NewString()[:8]), Now: time.Now, Poll: time.Second, Log: slog.Default()}
}

// Handle registers the handler of a kind (an exact name, not a prefix).
func (r *Runner) Handle(name string, opts Options, h Handler) {
	r.HandleKinds([]string{name}, opts, h)
}

// HandleKinds registers one handler for several kinds (the imports: one
// kind per import), which share opts.Workers and one poller.
func (r *Runner) HandleKinds(names []string, opts Options, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.kinds {
		for _, n := range names {
			if slices.Contains(k.names, n) {
				panic("jobs: kind " + n + " registered twice")
			}
		}
	}
	r.kinds = append(r.kinds, &kind{names: slices.Clone(names), opts: opts, handler: h})
}

func (r *Runner) registered() []*kind {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.kinds)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (k *kind) lease() time.Duration {
	if k.opts.Lease > 0 {
		return k.opts.Lease
	}
	return 2 * time.Minute
}

func (r *Runner) claim(ctx context.Context, k *kind, names []string, n int) ([]Job, error) {
	return r.Queue.ClaimJobs(ctx, names, r.Owner, r.now(), k.lease(), n)
}

// Run runs the registered kinds until ctx ends, then waits for the
// attempts in flight to finish and be recorded.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, k := range r.registered() {
		wg.Go(func() { r.work(ctx, k) })
	}
	wg.Wait()
}

// work is the poller of one registration: it claims as many due jobs as
// it has free workers, in one query, runs them, and looks again when one
// ends or every Poll.
func (r *Runner) work(ctx context.Context, k *kind) {
	poll := cmp.Or(k.opts.Poll, r.Poll, time.Second)
	workers := max(k.opts.Workers, 1)
	busy := make(chan struct{}, workers)
	freed := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		free := workers - len(busy)
		var js []Job
		if free > 0 {
			var err error
			if js, err = r.claim(ctx, k, k.names, free); err != nil && ctx.Err() == nil {
				r.Log.Warn("jobs: claim", "kinds", k.names, "err", err)
			}
		}
		for _, j := range js {
			busy <- struct{}{}
			wg.Go(func() {
				defer func() {
					<-busy
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
				r.run(ctx, k, j)
			})
		}
		if free > 0 && len(js) == free {
			continue // there may be more due now
		}
		select {
		case <-ctx.Done():
		case <-freed: // a job ended: more may be due
		case <-time.After(poll):
		}
	}
}

// RunOnce claims and runs at most one due job of each registration, one
// after the other, and returns how many it ran. For tests and tools.
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	n := 0
	for _, k := range r.registered() {
		js, err := r.claim(ctx, k, k.names, 1)
		if err != nil {
			return n, err
		}
		for _, j := range js {
			r.run(ctx, k, j)
			n++
		}
	}
	return n, nil
}

// RunDue claims up to n due jobs of the registered kind name, runs them
// concurrently and returns how many it ran. For tests and tools.
func (r *Runner) RunDue(ctx context.Context, name string, n int) (int, error) {
	var k *kind
	for _, x := range r.registered() {
		if slices.Contains(x.names, name) {
			k = x
		}
	}
	if k == nil {
		return 0, fmt.Errorf("jobs: no handler for kind %q", name)
	}
	js, err := r.claim(ctx, k, []string{name}, n)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, j := range js {
		wg.Go(func() { r.run(ctx, k, j) })
	}
	wg.Wait()
	return len(js), nil
}

// run makes one attempt of j and records its outcome (even when ctx ends
// meanwhile: an attempt begun is recorded).
func (r *Runner) run(ctx context.Context, k *kind, j Job) {
	run := &Run{Job: j}
	log := r.Log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	if k.opts.MaxAttempts > 0 && j.Attempts > k.opts.MaxAttempts {
		// Claimed again after its last attempt's runner died: give up.
		r.finish(log, run, Outcome{Status: StatusFailed, Error: fmt.Sprintf("gave up after %d attempts", j.Attempts-1)})
		return
	}
	hctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Renew the lease while the handler runs; stop the handler when it is lost.
	stop := make(chan struct{})
	var beats sync.WaitGroup
	beats.Go(func() {
		every := k.lease() / 3
		for {
			select {
			case <-stop:
				return
			case <-time.After(every):
			}
			err := r.Queue.ExtendJobLease(context.WithoutCancel(ctx), run.Lease, r.now().Add(k.lease()))
			if errors.Is(err, ErrLeaseLost) {
				log.Warn("jobs: lease lost; stopping the attempt")
				cancel(err)
				return
			}
			if err != nil {
				log.Warn("jobs: renewing the lease", "err", err)
			}
		}
	})
	log.Info("job started", "bytes", len(j.Payload))
	err := r.call(hctx, k, run)
	close(stop)
	beats.Wait()
	var ag again
	var ra retryAfter
	switch {
	case err == nil && run.finished:
		log.Info("job done")
		return
	case err == nil:
		r.finish(log, run, Outcome{Status: StatusDone})
		log.Info("job done")
	case errors.As(err, &ag):
		r.finish(log, run, Outcome{Status: StatusQueued, NextAt: r.now().Add(ag.after)})
	case errors.Is(err, ErrLeaseLost) || errors.Is(context.Cause(hctx), ErrLeaseLost):
		log.Warn("jobs: the job was taken over; its outcome is left to the new runner", "err", err)
	case IsPermanent(err) || (k.opts.MaxAttempts > 0 && j.Attempts >= k.opts.MaxAttempts):
		msg := err.Error()
		if !IsPermanent(err) {
			msg += fmt.Sprintf(" (gave up after %d attempts)", j.Attempts)
		}
		log.Warn("job failed", "err", err)
		r.finish(log, run, Outcome{Status: StatusFailed, Error: msg})
	case ctx.Err() != nil:
		// The runner is stopping (shutdown): the job is free for another at once.
		log.Info("job interrupted; released", "err", err)
		r.finish(log, run, Outcome{Status: StatusRetry, Error: "interrupted: " + err.Error(), NextAt: r.now()})
	default:
		wait := k.backoff(j.Attempts)
		if errors.As(err, &ra) {
			wait = max(wait, ra.after)
		}
		log.Warn("job will be retried", "err", err, "in", wait)
		r.finish(log, run, Outcome{Status: StatusRetry, Error: err.Error(), NextAt: r.now().Add(wait)})
	}
}

// call runs the handler, turning a panic into a failure (with its stack in
// the log).
func (r *Runner) call(ctx context.Context, k *kind, run *Run) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.Log.Error("jobs: handler panicked", "job", run.ID, "kind", run.Kind, "panic", p, "stack", string(debug.Stack()))
			err = Permanent(fmt.Errorf("the job's handler panicked: %v", p))
		}
	}()
	return k.handler(ctx, run)
}

func (r *Runner) finish(log *slog.Logger, run *Run, o Outcome) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if o.At.IsZero() {
		o.At = r.now()
	}
	err := r.Queue.FinishJob(ctx, run.Lease, o)
	if errors.Is(err, ErrLeaseLost) {
		log.Warn("jobs: the job was taken over; its outcome is left to the new runner", "outcome", o.Status)
	} else if err != nil {
		// The lease expires and the job is run again.
		log.Error("jobs: recording the outcome", "outcome", o.Status, "err", err)
	}
}

// backoff returns the wait before attempt n+1: base × 2^(n-1), capped, times
// a random factor in [0.5, 1].
func (k *kind) backoff(n int) time.Duration {
	return Backoff(k.opts.BaseDelay, k.opts.MaxDelay, n)
}

// Backoff returns the wait after the nth failed attempt: base × 2^(n-1),
// capped at limit, times a random factor in [0.5, 1] (defaults 10 s and 30 min).
func Backoff(base, limit time.Duration, n int) time.Duration {
	if base <= 0 {
		base = 10 * time.Second
	}
	if limit <= 0 {
		limit = 30 * time.Minute
	}
	wait := base
	for i := 1; i < n && wait < limit; i++ {
		wait *= 2
	}
	wait = min(wait, limit)
	half := wait / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}
