// Package alerts sends alerts about stock counts to the team's group chat
// (DingTalk custom robots, Slack incoming webhooks) and to signed generic
// webhooks.
//
// Nothing in the counting path calls this package. An Evaluator, run
// periodically by the server, reads counts and reports through the domain
// (stock.Service, with a read-only system actor), decides which rules fire
// and enqueues one delivery per rule, subject and target into a persisted
// outbox whose unique dedup key makes an alert enqueued once. A Dispatcher
// claims due deliveries with a lease (safe with several replicas), sends
// them with retries and back-off, logs every attempt and marks them
// delivered; a delivered delivery is never sent again.
package alerts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pandian/jobs"
	"pandian/stock"
)

// Kind is what a rule watches.
type Kind string

// The rule kinds.
const (
	// KindCountVarianceValue fires when a closed count's absolute variance
	// value (sum of |variance value| over its lines) is over Threshold, a
	// money amount like "500.00" (in the count's currency).
	KindCountVarianceValue Kind = "count_variance_value"
	// KindSKUVariancePct fires when lines of a closed count have a
	// |variance %| over Threshold (a percentage like "20" or "12.5") and at
	// least MinQty units of |variance| (0: any). One alert per count lists
	// the lines.
	KindSKUVariancePct Kind = "sku_variance_pct"
	// KindCountOpenHours fires when a count is still open (or in recount)
	// more than Threshold hours (like "8" or "1.5") after it was opened.
	KindCountOpenHours Kind = "count_open_hours"
	// KindRoleAccuracy fires when a role's accuracy (share of its lines
	// within tolerance) over the counts closed in the last Days days is
	// below Threshold percent (like "95"), once per role and day (Hong Kong
	// time), and only for roles with at least MinLines lines.
	KindRoleAccuracy Kind = "role_accuracy"
)

// Valid reports whether k is known.
func (k Kind) Valid() bool {
	switch k {
	case KindCountVarianceValue, KindSKUVariancePct, KindCountOpenHours, KindRoleAccuracy:
		return true
	}
	return false
}

// TargetKind is where a target sends.
type TargetKind string

// The target kinds.
const (
	// TargetGeneric POSTs the Alert as JSON, signed with the target's
	// secret (see Sign and Verify).
	TargetGeneric TargetKind = "generic"
	// TargetDingTalk POSTs a markdown message to a DingTalk custom robot;
	// with a secret, the URL is signed ("加簽").
	TargetDingTalk TargetKind = "dingtalk"
	// TargetSlack POSTs {"text": …} to a Slack incoming webhook.
	TargetSlack TargetKind = "slack"
)

// Valid reports whether k is known.
func (k TargetKind) Valid() bool {
	return k == TargetGeneric || k == TargetDingTalk || k == TargetSlack
}

// Target is one destination of a rule. URL and Secret are secrets (a
// DingTalk or Slack webhook URL is a credential by itself): they are
// stored as given and never returned by list APIs (see TargetView).
type Target struct {
	ID     string     `json:"id"`
	Kind   TargetKind `json:"kind"`
	URL    string     `json:"url"`
	Secret string     `json:"secret,omitempty"`
}

// Rule is a configured alert.
type Rule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Threshold string    `json:"threshold"`
	MinQty    int64     `json:"min_qty,omitempty"`   // sku_variance_pct: minimum |variance qty|
	Days      int       `json:"days,omitempty"`      // role_accuracy: window in days (default 7)
	MinLines  int       `json:"min_lines,omitempty"` // role_accuracy: minimum lines of a role (default 1)
	Location  string    `json:"location,omitempty"`  // only counts at or under this location; "" = all
	Enabled   bool      `json:"enabled"`
	Targets   []Target  `json:"targets"`
	Created   time.Time `json:"created_at"`
	Updated   time.Time `json:"updated_at"`
}

// RuleInput is the body of PUT /v1/alert-rules/{id}. A target whose id
// matches one of the rule's targets and whose url or secret is empty
// keeps the stored url or secret, so that a client may send back what it
// read (the redacted view) with changes.
type RuleInput struct {
	Name      string   `json:"name"`
	Kind      Kind     `json:"kind"`
	Threshold string   `json:"threshold"`
	MinQty    int64    `json:"min_qty"`
	Days      int      `json:"days"`
	MinLines  int      `json:"min_lines"`
	Location  string   `json:"location"`
	Enabled   *bool    `json:"enabled"` // default true
	Targets   []Target `json:"targets"`
}

// TargetView is a target without its secrets: the URL keeps its scheme,
// host and path (the query, which holds DingTalk's access_token, is
// dropped; Slack's path is shortened).
type TargetView struct {
	ID        string     `json:"id"`
	Kind      TargetKind `json:"kind"`
	URL       string     `json:"url"`
	HasSecret bool       `json:"has_secret"`
}

// RuleView is a rule as list and read APIs return it.
type RuleView struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Kind      Kind         `json:"kind"`
	Threshold string       `json:"threshold"`
	MinQty    int64        `json:"min_qty,omitempty"`
	Days      int          `json:"days,omitempty"`
	MinLines  int          `json:"min_lines,omitempty"`
	Location  string       `json:"location,omitempty"`
	Enabled   bool         `json:"enabled"`
	Targets   []TargetView `json:"targets"`
	Created   time.Time    `json:"created_at"`
	Updated   time.Time    `json:"updated_at"`
}

// View returns r without secrets.
func (r Rule) View() RuleView {
	v := RuleView{ID: r.ID, Name: r.Name, Kind: r.Kind, Threshold: r.Threshold, MinQty: r.MinQty, Days: r.Days, MinLines: r.MinLines,
		Location: r.Location, Enabled: r.Enabled, Created: r.Created, Updated: r.Updated, Targets: make([]TargetView, len(r.Targets))}
	for i, t := range r.Targets {
		v.Targets[i] = TargetView{ID: t.ID, Kind: t.Kind, URL: RedactURL(t.URL), HasSecret: t.Secret != ""}
	}
	return v
}

// RedactURL drops the query, fragment and user info of a webhook URL, and
// all but the first path segment of a path with several, e.g.
// "https://hooks.slack.com/services/…".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "…"
	}
	path := u.Path
	if segs := strings.Split(strings.Trim(path, "/"), "/"); len(segs) > 1 {
		path = "/" + segs[0] + "/…"
	}
	out := u.Scheme + "://" + u.Host + path
	if u.RawQuery != "" {
		out += "?…"
	}
	return out
}

// Status is where a delivery is.
type Status string

// The delivery statuses.
const (
	StatusPending   Status = "pending"   // waiting for its (next) attempt
	StatusDelivered Status = "delivered" // the receiver accepted it; never sent again
	StatusFailed    Status = "failed"    // gave up (attempts exhausted or a permanent error)
	StatusCancelled Status = "cancelled" // its rule or target was deleted or disabled before it was sent
)

// Alert is what fired: the payload of a delivery, and the JSON body of a
// generic webhook (with DeliveryID set at sending).
type Alert struct {
	DeliveryID   string      `json:"delivery_id,omitempty"`
	Test         bool        `json:"test,omitempty"` // a test message (Service.Test), not a real alert
	RuleID       string      `json:"rule_id"`
	RuleName     string      `json:"rule_name"`
	Kind         Kind        `json:"kind"`
	Subject      string      `json:"subject"`
	FiredAt      time.Time   `json:"fired_at"`
	Location     string      `json:"location,omitempty"`
	LocationName string      `json:"location_name,omitempty"`
	Currency     string      `json:"currency,omitempty"` // HKD or MOP, for money values
	CountID      string      `json:"count_id,omitempty"`
	Role         string      `json:"role,omitempty"`
	Threshold    string      `json:"threshold"`
	Value        string      `json:"value"` // what was observed, in the threshold's unit
	Lines        []AlertLine `json:"lines,omitempty"`
	MoreLines    int         `json:"more_lines,omitempty"` // lines over the threshold not listed
	Title        string      `json:"title"`                // bilingual (Traditional Chinese / English)
	Markdown     string      `json:"markdown"`             // bilingual message, markdown
	Text         string      `json:"text"`                 // bilingual message, plain text
}

// AlertLine is a SKU line of a sku_variance_pct alert.
type AlertLine struct {
	SKU           string      `json:"sku"`
	Name          string      `json:"name"`
	NameZh        string      `json:"name_zh"`
	BookQty       int64       `json:"book_qty"`
	CountedQty    int64       `json:"counted_qty"`
	VarianceQty   int64       `json:"variance_qty"`
	VariancePct   float64     `json:"variance_pct"`
	VarianceValue stock.Money `json:"variance_value"`
}

// Delivery is one alert to one target, in the outbox.
type Delivery struct {
	ID          string     `json:"id"`
	DedupKey    string     `json:"dedup_key"`
	RuleID      string     `json:"rule_id"`
	TargetID    string     `json:"target_id"`
	TargetKind  TargetKind `json:"target_kind"`
	Subject     string     `json:"subject"`
	Alert       Alert      `json:"alert"`
	Status      Status     `json:"status"`
	Attempts    int        `json:"attempts"`
	NextAt      time.Time  `json:"next_attempt_at"`
	LastStatus  int        `json:"last_status_code,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	Created     time.Time  `json:"created_at"`
	Updated     time.Time  `json:"updated_at"`
	DeliveredAt time.Time  `json:"delivered_at,omitzero"`
}

// Attempt is one line of the delivery log.
type Attempt struct {
	DeliveryID string        `json:"delivery_id"`
	Attempt    int           `json:"attempt"`
	At         time.Time     `json:"at"`
	Duration   time.Duration `json:"-"`
	DurationMS float64       `json:"duration_ms"`
	StatusCode int           `json:"status_code,omitempty"` // 0: no HTTP answer
	Error      string        `json:"error,omitempty"`
	Outcome    Status        `json:"outcome"` // pending = will retry
	Worker     string        `json:"worker"`
	// NextAt is when a retried delivery is due again (Outcome pending).
	NextAt time.Time `json:"-"`
}

// DeliveryFilter selects deliveries, newest first.
type DeliveryFilter struct {
	Status Status
	RuleID string
	Before string // a delivery id: continue after it (keyset pagination)
	Limit  int    // default 100, at most 1000
}

// Store is the persistence alerts need; storage/sqlstore implements it on
// SQLite and PostgreSQL. Methods that find nothing return a *stock.Error
// with code stock.ENotFound.
type Store interface {
	AlertRules(ctx context.Context) ([]Rule, error)
	AlertRule(ctx context.Context, id string) (Rule, error)
	// PutAlertRule creates or replaces a rule.
	PutAlertRule(ctx context.Context, r Rule) (created bool, err error)
	DeleteAlertRule(ctx context.Context, id string) error

	// EnqueueAlertDeliveries inserts the deliveries whose dedup key is not
	// in the outbox yet and returns how many it inserted.
	EnqueueAlertDeliveries(ctx context.Context, ds []Delivery) (int, error)
	// The deliveries are scheduled by the job queue (package jobs): each
	// delivery is a job of kind KindDeliver with the delivery's id, which
	// EnqueueAlertDeliveries adds with it.
	jobs.Queue
	// FinishAlertAttempt logs a and moves the delivery to a.Outcome
	// (pending: due again at a.NextAt), and ends the attempt of its job
	// made under l. Unless the outcome is delivered, it changes nothing but
	// the log when l no longer holds the job; it reports whether the
	// delivery changed.
	FinishAlertAttempt(ctx context.Context, a Attempt, l jobs.Lease) (bool, error)
	AlertDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
	AlertDelivery(ctx context.Context, id string) (Delivery, error)
	AlertAttempts(ctx context.Context, deliveryID string) ([]Attempt, error)
	// RequeueAlertDelivery makes a failed or cancelled delivery pending
	// again, due at now, with its attempts (and its job's) reset.
	RequeueAlertDelivery(ctx context.Context, id string, now time.Time) error
}

// NewID returns a random id with prefix whose text sorts by creation time.
func NewID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%013x%s", prefix, time.Now().UnixMicro(), hex.EncodeToString(b[:]))
}

// parseDecimal reads a non-negative decimal threshold.
func parseDecimal(s string) (float64, bool) {
	if strings.ContainsAny(s, "eEnNiI+x_") || strings.TrimSpace(s) != s || s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// validate normalises and checks a rule.
func (r *Rule) validate() error {
	bad := func(field, format string, args ...any) error {
		return stock.Errorf(stock.EInvalid, format, args...).With("field", field)
	}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len([]rune(r.Name)) > 200 {
		return bad("name", "name is required (at most 200 characters)")
	}
	if !r.Kind.Valid() {
		return bad("kind", "kind must be count_variance_value, sku_variance_pct, count_open_hours or role_accuracy")
	}
	switch r.Kind {
	case KindCountVarianceValue:
		m, err := stock.ParseMoney(r.Threshold)
		if err != nil || m < 0 {
			return bad("threshold", "threshold must be a money amount like \"500.00\"")
		}
		r.Threshold = m.String()
	case KindSKUVariancePct, KindRoleAccuracy:
		f, ok := parseDecimal(r.Threshold)
		if !ok || (r.Kind == KindRoleAccuracy && f > 100) {
			return bad("threshold", "threshold must be a percentage like \"20\" or \"12.5\"")
		}
	case KindCountOpenHours:
		f, ok := parseDecimal(r.Threshold)
		if !ok || f <= 0 || f > 24*365 {
			return bad("threshold", "threshold must be a number of hours like \"8\"")
		}
	}
	if r.MinQty < 0 || r.MinQty > 1_000_000_000 {
		return bad("min_qty", "min_qty must be 0 or more")
	}
	if r.Kind == KindRoleAccuracy {
		if r.Days == 0 {
			r.Days = 7
		}
		if r.MinLines == 0 {
			r.MinLines = 1
		}
	}
	if r.Days < 0 || r.Days > 366 {
		return bad("days", "days must be 1 to 366")
	}
	if r.MinLines < 0 || r.MinLines > 1_000_000 {
		return bad("min_lines", "min_lines must be 0 or more")
	}
	if len(r.Location) > 64 {
		return bad("location", "location is a location code")
	}
	if len(r.Targets) == 0 || len(r.Targets) > 10 {
		return bad("targets", "a rule has 1 to 10 targets")
	}
	seen := map[string]bool{}
	for i := range r.Targets {
		t := &r.Targets[i]
		if t.ID == "" {
			t.ID = NewID("t_")
		}
		if len(t.ID) > 64 || seen[t.ID] {
			return bad("targets", "target ids must be unique (at most 64 characters)")
		}
		seen[t.ID] = true
		if !t.Kind.Valid() {
			return bad("targets", "target kind must be generic, dingtalk or slack")
		}
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(t.URL) > 2000 {
			return bad("targets", "target url must be an http or https URL")
		}
		if len(t.Secret) > 500 {
			return bad("targets", "target secret is at most 500 characters")
		}
		if t.Kind == TargetGeneric && t.Secret == "" {
			return bad("targets", "a generic webhook needs a secret to sign with")
		}
	}
	return nil
}
