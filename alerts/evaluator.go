package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"pandian/stock"
)

// SystemActor is the identity the Evaluator reads with: an auditor (whole
// company, read-only, sees book quantities of blind counts). It is never
// stored and cannot sign in.
var SystemActor = stock.Actor{Employee: stock.Employee{Code: "system", Name: "alerts", Role: stock.RoleAuditor}}

// Evaluator decides which rules fire and enqueues their deliveries. It
// only reads through the domain, so counting never waits for it.
type Evaluator struct {
	store Store
	svc   *stock.Service
	// Actor reads counts and reports (default SystemActor).
	Actor stock.Actor
	// Lookback bounds the closed counts judged: those closed within it
	// (default 24h). A new rule also fires for counts closed that recently.
	Lookback time.Duration
	// SlowEvery is how often role_accuracy rules, which read every count
	// of their window, are evaluated (default 10 minutes).
	SlowEvery time.Duration
	// MaxLines is how many lines a sku_variance_pct alert lists (default 10).
	MaxLines int
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	Log *slog.Logger

	mu     sync.Mutex
	judged map[string]bool      // rule × closed count judged already (rules change: their updated time is in the key)
	slow   map[string]time.Time // role_accuracy rule → last evaluation
}

// NewEvaluator returns an Evaluator reading through svc and enqueueing into store.
func NewEvaluator(store Store, svc *stock.Service) *Evaluator {
	return &Evaluator{store: store, svc: svc, Actor: SystemActor, Lookback: 24 * time.Hour, SlowEvery: 10 * time.Minute,
		MaxLines: 10, Now: stock.Now, Log: slog.Default(), judged: map[string]bool{}, slow: map[string]time.Time{}}
}

// Run evaluates every interval until ctx ends (the server runs it in a
// goroutine, e.g. every 30 s). Errors are logged, not fatal.
func (e *Evaluator) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := e.EvaluateOnce(ctx); err != nil && ctx.Err() == nil {
			e.Log.Warn("alerts: evaluation", "err", err, "enqueued", n)
		} else if n > 0 {
			e.Log.Info("alerts: enqueued", "deliveries", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// EvaluateOnce evaluates the enabled rules once and returns how many
// deliveries it enqueued. A rule that cannot be evaluated (its location
// was deleted…) does not stop the others; their errors are joined.
func (e *Evaluator) EvaluateOnce(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rules, err := e.store.AlertRules(ctx)
	if err != nil {
		return 0, err
	}
	now := e.Now().UTC()
	c := &cycle{e: e, ctx: ctx, now: now, reports: map[string]*stock.Report{}, locations: map[string]stock.Location{}, judged: map[string]bool{}}
	var errs []error
	byLocation := map[string][]Rule{}
	var locs []string
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		if r.Kind == KindRoleAccuracy {
			if err := c.roleAccuracy(r); err != nil {
				errs = append(errs, fmt.Errorf("rule %s: %w", r.ID, err))
			}
			continue
		}
		if _, ok := byLocation[r.Location]; !ok {
			locs = append(locs, r.Location)
		}
		byLocation[r.Location] = append(byLocation[r.Location], r)
	}
	for _, loc := range locs {
		counts, err := e.svc.Counts(ctx, e.Actor, loc, "")
		if err != nil {
			errs = append(errs, fmt.Errorf("counts under %q: %w", loc, err))
			continue
		}
		for _, cnt := range counts {
			for _, r := range byLocation[loc] {
				if err := c.countRule(r, cnt); err != nil {
					errs = append(errs, fmt.Errorf("rule %s, count %s: %w", r.ID, cnt.ID, err))
				}
			}
		}
	}
	// Forget what is out of the window (or of the 500 newest counts).
	e.judged = c.judged
	n, err := e.enqueue(ctx, c.out)
	if err != nil {
		errs = append(errs, err)
	}
	if err == nil {
		for _, k := range c.judgedAfterEnqueue {
			e.judged[k] = true
		}
		for _, k := range c.slowAfterEnqueue {
			e.slow[k] = now
		}
	}
	return n, errors.Join(errs...)
}

func (e *Evaluator) enqueue(ctx context.Context, alerts []firing) (int, error) {
	var ds []Delivery
	now := e.Now().UTC()
	for _, f := range alerts {
		render(&f.alert)
		for _, t := range f.rule.Targets {
			ds = append(ds, Delivery{
				ID: NewID("dl_"), DedupKey: f.rule.ID + "|" + f.alert.Subject + "|" + t.ID,
				RuleID: f.rule.ID, TargetID: t.ID, TargetKind: t.Kind, Subject: f.alert.Subject, Alert: f.alert,
				Status: StatusPending, NextAt: now, Created: now, Updated: now,
			})
		}
	}
	if len(ds) == 0 {
		return 0, nil
	}
	return e.store.EnqueueAlertDeliveries(ctx, ds)
}

type firing struct {
	rule  Rule
	alert Alert
}

// cycle is one evaluation.
type cycle struct {
	e                  *Evaluator
	ctx                context.Context
	now                time.Time
	reports            map[string]*stock.Report
	locations          map[string]stock.Location
	judged             map[string]bool
	judgedAfterEnqueue []string
	slowAfterEnqueue   []string
	out                []firing
}

func (c *cycle) location(code string) stock.Location {
	if l, ok := c.locations[code]; ok {
		return l
	}
	l, err := c.e.svc.Location(c.ctx, c.e.Actor, code)
	if err != nil {
		l = stock.Location{Code: code}
	}
	c.locations[code] = l
	return l
}

func (c *cycle) alert(r Rule, subject string) Alert {
	return Alert{RuleID: r.ID, RuleName: r.Name, Kind: r.Kind, Subject: subject, FiredAt: c.now, Threshold: r.Threshold}
}

func (c *cycle) countAlert(r Rule, cnt stock.Count) Alert {
	a := c.alert(r, "count:"+cnt.ID)
	a.CountID, a.Location, a.Currency = cnt.ID, cnt.Location, string(stock.CurrencyOf(cnt.LocationPath))
	a.LocationName = c.location(cnt.Location).Name
	return a
}

// countRule judges one count against a count rule.
func (c *cycle) countRule(r Rule, cnt stock.Count) error {
	if r.Kind == KindCountOpenHours {
		if !cnt.Status.Accepting() {
			return nil
		}
		limit, _ := parseDecimal(r.Threshold)
		open := c.now.Sub(cnt.OpenedAt)
		if open.Hours() <= limit {
			return nil
		}
		key := r.ID + "|" + cnt.ID + "|open|" + r.Updated.String()
		c.judged[key] = c.e.judged[key]
		if c.e.judged[key] {
			return nil // in the outbox already
		}
		a := c.countAlert(r, cnt)
		a.Value = strconv.FormatFloat(math.Floor(open.Hours()*10)/10, 'f', -1, 64)
		c.out = append(c.out, firing{r, a})
		c.judgedAfterEnqueue = append(c.judgedAfterEnqueue, key)
		return nil
	}
	// Variance rules judge closed counts, whose reports are fixed.
	if cnt.Status.Accepting() || cnt.ClosedAt == nil || c.now.Sub(*cnt.ClosedAt) > c.e.Lookback {
		return nil
	}
	key := r.ID + "|" + cnt.ID + "|" + cnt.ClosedAt.String() + "|" + r.Updated.String()
	if c.e.judged[key] {
		c.judged[key] = true
		return nil
	}
	rep, err := c.report(cnt.ID)
	if err != nil {
		return err
	}
	a := c.countAlert(r, cnt)
	switch r.Kind {
	case KindCountVarianceValue:
		limit, _ := stock.ParseMoney(r.Threshold)
		if rep.Totals.AbsVarianceValue > limit {
			a.Value = rep.Totals.AbsVarianceValue.String()
			c.out = append(c.out, firing{r, a})
		}
	case KindSKUVariancePct:
		limit, _ := parseDecimal(r.Threshold)
		for _, l := range rep.Lines {
			if l.VariancePct == nil || math.Abs(*l.VariancePct) <= limit || abs64(l.VarianceQty) < r.MinQty || l.VarianceQty == 0 {
				continue
			}
			a.Lines = append(a.Lines, AlertLine{SKU: l.SKU, Name: l.Name, NameZh: l.NameZh, BookQty: l.BookQty, CountedQty: l.CountedQty,
				VarianceQty: l.VarianceQty, VariancePct: *l.VariancePct, VarianceValue: l.VarianceValue})
		}
		if len(a.Lines) > 0 {
			sort.Slice(a.Lines, func(i, j int) bool {
				if x, y := a.Lines[i].VarianceValue.Abs(), a.Lines[j].VarianceValue.Abs(); x != y {
					return x > y
				}
				return a.Lines[i].SKU < a.Lines[j].SKU
			})
			a.Value = strconv.Itoa(len(a.Lines))
			if max := c.e.MaxLines; max > 0 && len(a.Lines) > max {
				a.MoreLines = len(a.Lines) - max
				a.Lines = a.Lines[:max]
			}
			c.out = append(c.out, firing{r, a})
		}
	}
	// Judged for good once what fired is in the outbox.
	c.judgedAfterEnqueue = append(c.judgedAfterEnqueue, key)
	return nil
}

func (c *cycle) report(id string) (*stock.Report, error) {
	if r, ok := c.reports[id]; ok {
		return r, nil
	}
	r, err := c.e.svc.Report(c.ctx, c.e.Actor, id, "sku", stock.ReportOptions{})
	if err != nil {
		return nil, err
	}
	c.reports[id] = &r
	return &r, nil
}

// roleAccuracy judges a role_accuracy rule, at most every SlowEvery.
func (c *cycle) roleAccuracy(r Rule) error {
	key := r.ID + "|" + r.Updated.String()
	if last, ok := c.e.slow[key]; ok && c.now.Sub(last) < c.e.SlowEvery {
		return nil
	}
	days := r.Days
	if days <= 0 {
		days = 7
	}
	rep, err := c.e.svc.Discrepancies(c.ctx, c.e.Actor, c.now.AddDate(0, 0, -days), c.now.Add(time.Second), r.Location, "role")
	if err != nil {
		return err
	}
	limit, _ := parseDecimal(r.Threshold)
	day := c.now.In(hkt).Format("2006-01-02")
	for _, g := range rep.Groups {
		if !stock.Role(g.Key).Valid() || g.Lines < max(r.MinLines, 1) {
			continue
		}
		pct := g.Accuracy * 100
		if pct >= limit {
			continue
		}
		a := c.alert(r, "role:"+g.Key+":"+day)
		a.Role = g.Key
		a.Value = strconv.FormatFloat(math.Round(pct*100)/100, 'f', -1, 64)
		if r.Location != "" {
			l := c.location(r.Location)
			a.Location, a.LocationName, a.Currency = r.Location, l.Name, string(l.Currency())
		}
		c.out = append(c.out, firing{r, a})
	}
	c.slowAfterEnqueue = append(c.slowAfterEnqueue, key)
	return nil
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
