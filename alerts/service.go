package alerts

import (
	"context"
	"time"

	"pandian/stock"
)

// Service is the admin API of alerts: rules (admins write; admins and
// auditors read, without secrets) and the outbox with its delivery log.
type Service struct {
	store Store
	svc   *stock.Service // checks rule locations; nil: unchecked
	// Policy refuses target URLs whose host is an address literal (or
	// localhost) that webhooks may not reach; nil: the default policy.
	// Host names are checked when the dispatcher dials them.
	Policy *AddressPolicy
	// Now returns the current time; tests may replace it.
	Now func() time.Time
}

// NewService returns the admin API over store; svc (may be nil) checks
// that a rule's location exists.
func NewService(store Store, svc *stock.Service) *Service {
	return &Service{store: store, svc: svc, Now: stock.Now}
}

func canRead(actor stock.Actor) error {
	if !actor.Role().WholeCompany() {
		return stock.Errorf(stock.EForbidden, "only admins and auditors read alert rules and deliveries")
	}
	return nil
}

func canWrite(actor stock.Actor) error {
	if actor.Role() != stock.RoleAdmin {
		return stock.Errorf(stock.EForbidden, "only admins change alert rules")
	}
	return nil
}

// Rules lists the rules, without secrets.
func (s *Service) Rules(ctx context.Context, actor stock.Actor) ([]RuleView, error) {
	if err := canRead(actor); err != nil {
		return nil, err
	}
	rs, err := s.store.AlertRules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RuleView, len(rs))
	for i, r := range rs {
		out[i] = r.View()
	}
	return out, nil
}

// Rule returns one rule, without secrets.
func (s *Service) Rule(ctx context.Context, actor stock.Actor, id string) (RuleView, error) {
	if err := canRead(actor); err != nil {
		return RuleView{}, err
	}
	r, err := s.store.AlertRule(ctx, id)
	return r.View(), err
}

// PutRule creates or replaces rule id (ids: 1–64 letters, digits, '-',
// '_', '.'). Targets sent back with their id and an empty url or secret
// keep the stored ones.
func (s *Service) PutRule(ctx context.Context, actor stock.Actor, id string, in RuleInput) (RuleView, bool, error) {
	if err := canWrite(actor); err != nil {
		return RuleView{}, false, err
	}
	if !validID(id) {
		return RuleView{}, false, stock.Errorf(stock.EInvalid, "rule id must be 1–64 letters, digits, '-', '_' or '.'").With("field", "id")
	}
	old, err := s.store.AlertRule(ctx, id)
	exists := err == nil
	if err != nil && stock.ErrorCode(err) != stock.ENotFound {
		return RuleView{}, false, err
	}
	now := s.Now().UTC()
	r := Rule{ID: id, Name: in.Name, Kind: in.Kind, Threshold: in.Threshold, MinQty: in.MinQty, Days: in.Days, MinLines: in.MinLines,
		Location: in.Location, Enabled: in.Enabled == nil || *in.Enabled, Targets: append([]Target(nil), in.Targets...), Created: now, Updated: now}
	if exists {
		r.Created = old.Created
		for i, t := range r.Targets {
			for _, o := range old.Targets {
				if t.ID != "" && t.ID == o.ID && t.Kind == o.Kind {
					if t.URL == "" || t.URL == RedactURL(o.URL) {
						r.Targets[i].URL = o.URL
					}
					if t.Secret == "" {
						r.Targets[i].Secret = o.Secret
					}
				}
			}
		}
	}
	if err := r.validate(); err != nil {
		return RuleView{}, false, err
	}
	for _, t := range r.Targets {
		if err := s.Policy.CheckURL(t.URL); err != nil {
			return RuleView{}, false, stock.Errorf(stock.EInvalid,
				"target %s: %s is an address webhooks may not reach (loopback, private, link-local, metadata…); an operator may allow a range with PANDIAN_WEBHOOK_ALLOW_CIDRS",
				t.ID, RedactURL(t.URL)).With("field", "targets")
		}
	}
	if r.Location != "" && s.svc != nil {
		if _, err := s.svc.Location(ctx, actor, r.Location); stock.ErrorCode(err) == stock.ENotFound {
			return RuleView{}, false, stock.Errorf(stock.EInvalid, "location %s does not exist", r.Location).With("field", "location")
		} else if err != nil {
			return RuleView{}, false, err
		}
	}
	created, err := s.store.PutAlertRule(ctx, r)
	if err != nil {
		return RuleView{}, false, err
	}
	return r.View(), created, nil
}

// DeleteRule deletes a rule; its pending deliveries are cancelled when
// their turn comes, and the outbox keeps its history.
func (s *Service) DeleteRule(ctx context.Context, actor stock.Actor, id string) error {
	if err := canWrite(actor); err != nil {
		return err
	}
	return s.store.DeleteAlertRule(ctx, id)
}

// DeliveryView is a delivery with its attempts.
type DeliveryView struct {
	Delivery
	AttemptLog []Attempt `json:"attempt_log"`
}

// Deliveries lists the outbox, newest first.
func (s *Service) Deliveries(ctx context.Context, actor stock.Actor, f DeliveryFilter) ([]Delivery, error) {
	if err := canRead(actor); err != nil {
		return nil, err
	}
	switch f.Status {
	case "", StatusPending, StatusDelivered, StatusFailed, StatusCancelled:
	default:
		return nil, stock.Errorf(stock.EInvalid, "status must be pending, delivered, failed or cancelled").With("field", "status")
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	out, err := s.store.AlertDeliveries(ctx, f)
	if out == nil {
		out = []Delivery{}
	}
	return out, err
}

// Delivery returns one delivery with its attempts.
func (s *Service) Delivery(ctx context.Context, actor stock.Actor, id string) (DeliveryView, error) {
	if err := canRead(actor); err != nil {
		return DeliveryView{}, err
	}
	d, err := s.store.AlertDelivery(ctx, id)
	if err != nil {
		return DeliveryView{}, err
	}
	as, err := s.store.AlertAttempts(ctx, id)
	if as == nil {
		as = []Attempt{}
	}
	return DeliveryView{Delivery: d, AttemptLog: as}, err
}

// Retry makes a failed or cancelled delivery pending again (admins).
func (s *Service) Retry(ctx context.Context, actor stock.Actor, id string) (DeliveryView, error) {
	if err := canWrite(actor); err != nil {
		return DeliveryView{}, err
	}
	if err := s.store.RequeueAlertDelivery(ctx, id, s.Now().UTC()); err != nil {
		return DeliveryView{}, err
	}
	return s.Delivery(ctx, actor, id)
}

// Test enqueues a test message of rule id to each of its targets (admins),
// whether the rule is enabled or not, and returns the deliveries; the
// dispatcher sends them like any other (a disabled rule's are cancelled).
func (s *Service) Test(ctx context.Context, actor stock.Actor, id string) ([]Delivery, error) {
	if err := canWrite(actor); err != nil {
		return nil, err
	}
	r, err := s.store.AlertRule(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	subject := "test:" + NewID("")
	a := Alert{RuleID: r.ID, RuleName: r.Name, Kind: r.Kind, Subject: subject, FiredAt: now, Threshold: r.Threshold, Value: "-", Test: true}
	render(&a)
	var ds []Delivery
	for _, t := range r.Targets {
		ds = append(ds, Delivery{ID: NewID("dl_"), DedupKey: r.ID + "|" + subject + "|" + t.ID, RuleID: r.ID, TargetID: t.ID, TargetKind: t.Kind,
			Subject: subject, Alert: a, Status: StatusPending, NextAt: now, Created: now, Updated: now})
	}
	if _, err := s.store.EnqueueAlertDeliveries(ctx, ds); err != nil {
		return nil, err
	}
	return ds, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
