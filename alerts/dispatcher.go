package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"pandian/jobs"
	"pandian/stock"
)

// KindDeliver is the job kind of the alert deliveries (package jobs): the
// job's id is the delivery's.
const KindDeliver = "alert.deliver"

// Dispatcher sends the deliveries of the outbox; it is the handler of the
// KindDeliver jobs (Handle), and Run runs a queue runner of its own for
// tools and tests. Several dispatchers (one per server replica) may share
// a database: each delivery's job is leased to one runner at a time. A
// delivery is sent at least once: one marked delivered is never sent
// again, but a dispatcher that dies between the receiver's answer and
// recording it leaves the delivery to be sent again when its lease
// expires, with the same X-Pandian-Delivery id (receivers deduplicate on
// it).
type Dispatcher struct {
	store Store
	// Client sends the requests (default: 10 s timeout, no redirects, no
	// proxy, and a dialer that checks Policy after DNS resolution; a
	// Client with another transport does not enforce Policy).
	Client *http.Client
	// Policy decides which addresses webhooks may reach; nil refuses
	// loopback, private, link-local, metadata and other non-public
	// addresses (see AddressPolicy). A refused delivery fails at once and
	// its receiver is never contacted.
	Policy *AddressPolicy
	// Worker names this dispatcher in leases and the delivery log
	// (default host-pid-random).
	Worker string
	// Concurrency bounds the deliveries in flight (default 4): a slow or
	// failing endpoint holds at most its own deliveries' slots, for at most
	// the client timeout each, and retries wait in the queue, not here.
	Concurrency int
	// MaxAttempts is the number of attempts before a delivery fails (default 8).
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential back-off between
	// attempts: base × 2^(attempt-1), capped, with jitter between half
	// and all of it (defaults 10 s and 30 min).
	BaseDelay, MaxDelay time.Duration
	// Lease is how long a claimed delivery is reserved (default twice
	// the client timeout plus 30 s); it must outlast an attempt.
	Lease time.Duration
	// Poll is how often an idle dispatcher looks for due deliveries (default 1 s).
	Poll time.Duration
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	Log *slog.Logger
}

// NewDispatcher returns a Dispatcher over store with the defaults.
func NewDispatcher(store Store) *Dispatcher {
	host, _ := os.Hostname()
	d := &Dispatcher{
		store:       store,
		Worker:      fmt.Sprintf("%s-%d-%s", host, os.Getpid(), NewID("")[13:]),
		Concurrency: 4,
		MaxAttempts: 8,
		BaseDelay:   10 * time.Second,
		MaxDelay:    30 * time.Minute,
		Poll:        time.Second,
		Now:         stock.Now,
		Log:         slog.Default(),
	}
	// The dialer reads d.Policy at every connection, so that it may be set
	// after NewDispatcher.
	control := func(network, address string, c syscall.RawConn) error { return d.Policy.control(network, address, c) }
	d.Client = &http.Client{Timeout: 10 * time.Second, Transport: newTransport(control),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirected webhook is a configuration error (3xx: failed)
		}}
	return d
}

func (d *Dispatcher) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	t := d.Client.Timeout
	if t <= 0 {
		t = 10 * time.Second
	}
	return 2*t + 30*time.Second
}

// Options are the queue settings of the KindDeliver jobs. The attempts and
// back-off are the dispatcher's own (it records them in the delivery log),
// so the queue neither limits nor delays them.
func (d *Dispatcher) Options() jobs.Options {
	return jobs.Options{Workers: max(d.Concurrency, 1), Lease: d.lease(), Poll: d.Poll}
}

// runner is a queue runner of the KindDeliver jobs alone.
func (d *Dispatcher) runner() *jobs.Runner {
	r := jobs.NewRunner(d.store)
	r.Owner, r.Now, r.Log = d.Worker, d.Now, d.Log
	r.Handle(KindDeliver, d.Options(), d.Handle)
	return r
}

// Run sends due deliveries until ctx ends, then waits for the attempts in
// flight to finish and be recorded (bounded by the client timeout).
func (d *Dispatcher) Run(ctx context.Context) { d.runner().Run(ctx) }

// RunOnce claims up to Concurrency due deliveries, attempts them
// concurrently and returns how many it attempted. For tests and tools.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	return d.runner().RunDue(ctx, KindDeliver, max(d.Concurrency, 1))
}

// Handle is the handler of a KindDeliver job: it attempts the delivery and
// records the outcome, with the job's, under the run's lease. It does not
// depend on ctx: an attempt begun is finished and recorded.
func (d *Dispatcher) Handle(ctx context.Context, run *jobs.Run) error {
	del, err := d.store.AlertDelivery(ctx, run.ID)
	if stock.ErrorCode(err) == stock.ENotFound {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if del.Status != StatusPending {
		return nil // recorded before (a job taken over after a crash)
	}
	del.Attempts = run.Attempts
	if err := d.attempt(del, run.Lease); err != nil {
		return err
	}
	run.Finished()
	return nil
}

// attempt sends one claimed delivery and records the outcome.
func (d *Dispatcher) attempt(del Delivery, l jobs.Lease) error {
	ctx, cancel := context.WithTimeout(context.Background(), d.lease())
	defer cancel()
	a := Attempt{DeliveryID: del.ID, Attempt: del.Attempts, Worker: d.Worker, At: d.Now().UTC()}
	target, cancelReason, err := d.target(ctx, del)
	switch {
	case err != nil:
		// The rules could not be read: retry later.
		a.Outcome, a.Error, a.NextAt = StatusPending, "reading the rule: "+err.Error(), a.At.Add(d.backoff(1))
	case cancelReason != "":
		a.Outcome, a.Error = StatusCancelled, cancelReason
	default:
		start := time.Now()
		code, retryAfter, sendErr := d.send(ctx, target, del)
		a.Duration = time.Since(start)
		a.StatusCode = code
		switch {
		case sendErr == nil:
			a.Outcome = StatusDelivered
		case isPermanent(sendErr):
			a.Outcome, a.Error = StatusFailed, sendErr.Error()
		case del.Attempts >= max(d.MaxAttempts, 1):
			a.Outcome, a.Error = StatusFailed, sendErr.Error()+fmt.Sprintf(" (gave up after %d attempts)", del.Attempts)
		default:
			wait := max(d.backoff(del.Attempts), retryAfter)
			a.Outcome, a.Error, a.NextAt = StatusPending, sendErr.Error(), d.Now().UTC().Add(wait)
		}
	}
	a.DurationMS = float64(a.Duration.Microseconds()) / 1000
	// Record even when the dispatcher is stopping.
	rctx, rcancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer rcancel()
	if _, err := d.store.FinishAlertAttempt(rctx, a, l); err != nil {
		d.Log.Error("alerts: record attempt", "delivery", del.ID, "outcome", a.Outcome, "err", err)
		return err
	}
	if a.Outcome == StatusFailed {
		d.Log.Warn("alerts: delivery failed", "delivery", del.ID, "rule", del.RuleID, "target", del.TargetID, "err", a.Error)
	}
	return nil
}

// target finds the delivery's target in its rule; a deleted or disabled
// rule or target cancels the delivery.
func (d *Dispatcher) target(ctx context.Context, del Delivery) (Target, string, error) {
	r, err := d.store.AlertRule(ctx, del.RuleID)
	if stock.ErrorCode(err) == stock.ENotFound {
		return Target{}, "the rule was deleted", nil
	}
	if err != nil {
		return Target{}, "", err
	}
	if !r.Enabled {
		return Target{}, "the rule was disabled", nil
	}
	for _, t := range r.Targets {
		if t.ID == del.TargetID {
			return t, "", nil
		}
	}
	return Target{}, "the target was removed from the rule", nil
}

// backoff returns the wait before attempt n+1: base × 2^(n-1), capped at
// MaxDelay, times a random factor in [0.5, 1].
func (d *Dispatcher) backoff(n int) time.Duration {
	return jobs.Backoff(d.BaseDelay, d.MaxDelay, n)
}

// permanentError is a failure that retrying will not fix.
type permanentError struct{ error }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// send makes one HTTP attempt. It returns the status code (0 without an
// answer), the Retry-After of a 429 or 503, and nil on success.
func (d *Dispatcher) send(ctx context.Context, t Target, del Delivery) (int, time.Duration, error) {
	a := del.Alert
	a.DeliveryID = del.ID
	b, err := body(t.Kind, a)
	if err != nil {
		return 0, 0, permanentError{err}
	}
	now := d.Now()
	u := t.URL
	if t.Kind == TargetDingTalk {
		u = DingTalkURL(u, t.Secret, now)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return 0, 0, permanentError{fmt.Errorf("bad target url")}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "pandian-alerts/1")
	req.Header.Set(HeaderDelivery, del.ID)
	if t.Kind == TargetGeneric {
		Sign(req.Header, t.Secret, b, now)
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		// The log gets a fixed class; the server's own log the detail
		// (URL redacted).
		class := errorClass(err)
		if errors.Is(err, ErrRefusedAddress) {
			d.Log.Warn("alerts: webhook address refused", "delivery", del.ID, "rule", del.RuleID, "target", del.TargetID, "err", scrub(err, t))
			return 0, 0, permanentError{errors.New(class)}
		}
		d.Log.Debug("alerts: webhook not reached", "delivery", del.ID, "err", scrub(err, t))
		return 0, 0, errors.New(class)
	}
	defer resp.Body.Close()
	// The answer is read only to tell a DingTalk robot's verdict, and
	// never recorded: it may come from a system the reader of the
	// delivery log should not see.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		if t.Kind == TargetDingTalk {
			return code, 0, dingTalkResult(answer)
		}
		return code, 0, nil
	case code == http.StatusTooManyRequests || code >= 500:
		return code, retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("HTTP %d", code)
	default:
		return code, 0, permanentError{fmt.Errorf("HTTP %d", code)}
	}
}

// dingTalkResult reads a robot's answer: {"errcode":0,"errmsg":"ok"}.
// Sending too fast (130101) and a busy system (-1) are retried; other
// codes (bad signature, keyword or IP not allowed…) are permanent. The
// error names the code only: errmsg is text from the receiver.
func dingTalkResult(answer []byte) error {
	var r struct {
		ErrCode *int `json:"errcode"`
	}
	if err := json.Unmarshal(answer, &r); err != nil || r.ErrCode == nil {
		return errors.New("dingtalk: not a robot's answer")
	}
	switch *r.ErrCode {
	case 0:
		return nil
	case 130101, -1:
		return fmt.Errorf("dingtalk errcode %d", *r.ErrCode)
	}
	return permanentError{fmt.Errorf("dingtalk errcode %d", *r.ErrCode)}
}

func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, time.Hour)
	}
	return 0
}

// scrub keeps webhook URLs (credentials) out of recorded errors.
func scrub(err error, t Target) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + RedactURL(t.URL) + ": " + ue.Err.Error()
	}
	return strings.ReplaceAll(err.Error(), t.URL, RedactURL(t.URL))
}
