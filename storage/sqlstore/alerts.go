package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"pandian/alerts"
	"pandian/jobs"
	"pandian/stock"
)

// The alerts.Store methods: rules, the outbox and its attempt log (tables
// of migration 0005). Webhook URLs and secrets are stored as given in
// alert_rules.targets.

var _ alerts.Store = (*Store)(nil)

// readQuery runs a query on the reader pool.
func (s *Store) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.reader.QueryContext(ctx, s.d.rebind(q), args...)
}

const ruleCols = `id, name, kind, threshold, min_qty, days, min_lines, location, enabled, targets, created_at, updated_at`

func scanRule(row interface{ Scan(...any) error }) (alerts.Rule, error) {
	var r alerts.Rule
	var enabled int
	var targets string
	var created, updated int64
	if err := row.Scan(&r.ID, &r.Name, &r.Kind, &r.Threshold, &r.MinQty, &r.Days, &r.MinLines, &r.Location, &enabled, &targets, &created, &updated); err != nil {
		return r, err
	}
	r.Enabled, r.Created, r.Updated = enabled != 0, fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(targets), &r.Targets); err != nil {
		return r, err
	}
	return r, nil
}

// AlertRules returns every rule, by id.
func (s *Store) AlertRules(ctx context.Context) (_ []alerts.Rule, err error) {
	defer wrapOp(&err, "AlertRules")
	rows, err := s.readQuery(ctx, `SELECT `+ruleCols+` FROM alert_rules ORDER BY id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []alerts.Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, r)
	}
	return out, mapErr(rows.Err())
}

// AlertRule returns one rule.
func (s *Store) AlertRule(ctx context.Context, id string) (_ alerts.Rule, err error) {
	defer wrapOp(&err, "AlertRule")
	r, err := scanRule(s.reader.QueryRowContext(ctx, s.d.rebind(`SELECT `+ruleCols+` FROM alert_rules WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("alert rule", id)
	}
	return r, mapErr(err)
}

// PutAlertRule creates or replaces a rule (keeping its creation time).
func (s *Store) PutAlertRule(ctx context.Context, r alerts.Rule) (_ bool, err error) {
	defer wrapOp(&err, "PutAlertRule")
	targets, err := json.Marshal(r.Targets)
	if err != nil {
		return false, err
	}
	if r.Targets == nil {
		targets = []byte("[]")
	}
	enabled := 0
	if r.Enabled {
		enabled = 1
	}
	var created bool
	err = s.writeTx(ctx, func(t *sql.Tx) error {
		res, err := t.ExecContext(ctx, s.d.rebind(`UPDATE alert_rules SET name = ?, kind = ?, threshold = ?, min_qty = ?, days = ?, min_lines = ?,
			location = ?, enabled = ?, targets = ?, updated_at = ? WHERE id = ?`),
			r.Name, string(r.Kind), r.Threshold, r.MinQty, r.Days, r.MinLines, r.Location, enabled, string(targets), micros(r.Updated), r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		created = true
		_, err = t.ExecContext(ctx, s.d.rebind(`INSERT INTO alert_rules (`+ruleCols+`) VALUES (`+placeholders(12)+`)`),
			r.ID, r.Name, string(r.Kind), r.Threshold, r.MinQty, r.Days, r.MinLines, r.Location, enabled, string(targets), micros(r.Created), micros(r.Updated))
		return err
	})
	return created, mapErr(err)
}

// DeleteAlertRule deletes a rule; its deliveries stay.
func (s *Store) DeleteAlertRule(ctx context.Context, id string) (err error) {
	defer wrapOp(&err, "DeleteAlertRule")
	res, err := s.writer.ExecContext(ctx, s.d.rebind(`DELETE FROM alert_rules WHERE id = ?`), id)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("alert rule", id)
	}
	return nil
}

// The columns lease_owner and lease_until of alert_deliveries are no longer
// used: the deliveries' jobs hold the leases (migration 0009).
const deliveryCols = `id, dedup_key, rule_id, target_id, target_kind, subject, payload, status, attempts, next_at,
	last_status, last_error, created_at, updated_at, delivered_at`

const deliveryWidth = 15

func scanDelivery(row interface{ Scan(...any) error }) (alerts.Delivery, error) {
	var d alerts.Delivery
	var payload string
	var next, created, updated, delivered int64
	err := row.Scan(&d.ID, &d.DedupKey, &d.RuleID, &d.TargetID, &d.TargetKind, &d.Subject, &payload, &d.Status, &d.Attempts,
		&next, &d.LastStatus, &d.LastError, &created, &updated, &delivered)
	if err != nil {
		return d, err
	}
	d.NextAt, d.Created, d.Updated, d.DeliveredAt = fromMicros(next), fromMicros(created), fromMicros(updated), fromMicros(delivered)
	return d, json.Unmarshal([]byte(payload), &d.Alert)
}

func deliveries(rows *sql.Rows, err error) ([]alerts.Delivery, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []alerts.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, d)
	}
	return out, mapErr(rows.Err())
}

// EnqueueAlertDeliveries inserts the deliveries whose dedup key is new,
// each with its job (alerts.KindDeliver, the delivery's id), due at its
// NextAt.
func (s *Store) EnqueueAlertDeliveries(ctx context.Context, ds []alerts.Delivery) (_ int, err error) {
	defer wrapOp(&err, "EnqueueAlertDeliveries")
	n := 0
	err = s.writeTx(ctx, func(t *sql.Tx) (err error) {
		n, err = s.enqueueDeliveries(ctx, t, ds)
		return err
	})
	return n, mapErr(err)
}

// enqueueDeliveries is EnqueueAlertDeliveries in the transaction t.
func (s *Store) enqueueDeliveries(ctx context.Context, t *sql.Tx, ds []alerts.Delivery) (int, error) {
	// In dedup key order: on PostgreSQL two evaluators (two replicas)
	// enqueueing the same alerts wait for each other's keys, and in other
	// orders they deadlocked.
	ds = slices.Clone(ds)
	slices.SortStableFunc(ds, func(a, b alerts.Delivery) int { return strings.Compare(a.DedupKey, b.DedupKey) })
	n := 0
	err := chunks(ds, 200, func(part []alerts.Delivery) error {
		args := make([]any, 0, len(part)*deliveryWidth)
		due := make(map[string]alerts.Delivery, len(part))
		for _, d := range part {
			payload, err := json.Marshal(d.Alert)
			if err != nil {
				return err
			}
			status := d.Status
			if status == "" {
				status = alerts.StatusPending
			}
			due[d.ID] = d
			args = append(args, d.ID, d.DedupKey, d.RuleID, d.TargetID, string(d.TargetKind), d.Subject, string(payload), string(status),
				d.Attempts, micros(d.NextAt), 0, "", micros(d.Created), micros(d.Updated), 0)
		}
		rows, err := t.QueryContext(ctx, s.d.rebind(`INSERT INTO alert_deliveries (`+deliveryCols+`) VALUES `+rowsOf(len(part), deliveryWidth)+`
				ON CONFLICT (dedup_key) DO NOTHING RETURNING id`), args...)
		if err != nil {
			return err
		}
		var added []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			added = append(added, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range added {
			d := due[id]
			if d.Status != "" && d.Status != alerts.StatusPending {
				continue
			}
			if _, err := enqueueJob(ctx, t, s.d, jobs.New{ID: id, Kind: alerts.KindDeliver, Key: "alert:" + id, At: d.NextAt}); err != nil {
				return err
			}
		}
		n += len(added)
		return nil
	})
	return n, err
}

// FinishAlertAttempt logs an attempt, moves its delivery on and ends the
// attempt of its job made under l.
func (s *Store) FinishAlertAttempt(ctx context.Context, a alerts.Attempt, l jobs.Lease) (_ bool, err error) {
	defer wrapOp(&err, "FinishAlertAttempt")
	changed := false
	err = s.writeTx(ctx, func(t *sql.Tx) (err error) {
		changed, err = s.finishAttempt(ctx, t, a, l)
		return err
	})
	return changed, mapErr(err)
}

// finishAttempt is FinishAlertAttempt in the transaction t.
func (s *Store) finishAttempt(ctx context.Context, t *sql.Tx, a alerts.Attempt, l jobs.Lease) (bool, error) {
	now := micros(a.At.Add(a.Duration))
	if _, err := t.ExecContext(ctx, s.d.rebind(`INSERT INTO alert_attempts (delivery_id, attempt, at, duration_us, status_code, error, outcome, worker)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		a.DeliveryID, a.Attempt, micros(a.At), a.Duration.Microseconds(), a.StatusCode, a.Error, string(a.Outcome), a.Worker); err != nil {
		return false, err
	}
	jt := &tx{ctx: ctx, t: t, d: s.d}
	if a.Outcome == alerts.StatusDelivered {
		// Sent: recorded whoever holds the lease, so it is never sent again.
		res, err := t.ExecContext(ctx, s.d.rebind(`UPDATE alert_deliveries SET status = 'delivered', delivered_at = ?, attempts = ?,
			last_status = ?, last_error = '', updated_at = ? WHERE id = ? AND status <> 'delivered'`),
			now, a.Attempt, a.StatusCode, now, a.DeliveryID)
		if err != nil {
			return false, err
		}
		k, _ := res.RowsAffected()
		_, err = t.ExecContext(ctx, s.d.rebind(`UPDATE jobs SET status = 'done', error = '', lease_until = 0, updated_at = ? WHERE id = ?`), now, a.DeliveryID)
		return k > 0, err
	}
	// Otherwise only under the lease: the job first (fenced), then the
	// delivery. The delivery's row is locked before the job's, the order
	// of a sent attempt above (recorded by a runner whose lease may have
	// run out) and of RequeueAlertDelivery: job then delivery deadlocked
	// with a sent attempt of the same delivery.
	if s.d.name == "postgres" {
		if _, err := t.ExecContext(ctx, s.d.rebind(`SELECT 1 FROM alert_deliveries WHERE id = ? FOR NO KEY UPDATE`), a.DeliveryID); err != nil {
			return false, err
		}
	}
	o := jobs.Outcome{Status: jobs.StatusDone, At: fromMicros(now)}
	switch a.Outcome {
	case alerts.StatusPending:
		o = jobs.Outcome{Status: jobs.StatusRetry, NextAt: a.NextAt, Error: a.Error, At: fromMicros(now)}
	case alerts.StatusFailed:
		o = jobs.Outcome{Status: jobs.StatusFailed, Error: a.Error, At: fromMicros(now)}
	}
	err := jt.FinishJob(l, o)
	if errors.Is(err, jobs.ErrLeaseLost) {
		return false, nil // logged only
	}
	if err != nil {
		return false, err
	}
	var res sql.Result
	if a.Outcome == alerts.StatusPending {
		res, err = t.ExecContext(ctx, s.d.rebind(`UPDATE alert_deliveries SET next_at = ?, attempts = ?,
			last_status = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'`),
			micros(a.NextAt), a.Attempt, a.StatusCode, a.Error, now, a.DeliveryID)
	} else {
		res, err = t.ExecContext(ctx, s.d.rebind(`UPDATE alert_deliveries SET status = ?, attempts = ?,
			last_status = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'`),
			string(a.Outcome), a.Attempt, a.StatusCode, a.Error, now, a.DeliveryID)
	}
	if err != nil {
		return false, err
	}
	k, _ := res.RowsAffected()
	return k > 0, nil
}

// AlertDeliveries lists deliveries, newest first.
func (s *Store) AlertDeliveries(ctx context.Context, f alerts.DeliveryFilter) (_ []alerts.Delivery, err error) {
	defer wrapOp(&err, "AlertDeliveries")
	q := `SELECT ` + deliveryCols + ` FROM alert_deliveries WHERE 1=1`
	var args []any
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.RuleID != "" {
		q += ` AND rule_id = ?`
		args = append(args, f.RuleID)
	}
	if f.Before != "" {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	return deliveries(s.readQuery(ctx, q, args...))
}

// AlertDelivery returns one delivery.
func (s *Store) AlertDelivery(ctx context.Context, id string) (_ alerts.Delivery, err error) {
	defer wrapOp(&err, "AlertDelivery")
	d, err := scanDelivery(s.reader.QueryRowContext(ctx, s.d.rebind(`SELECT `+deliveryCols+` FROM alert_deliveries WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("alert delivery", id)
	}
	return d, mapErr(err)
}

// AlertAttempts returns a delivery's attempts, oldest first.
func (s *Store) AlertAttempts(ctx context.Context, deliveryID string) (_ []alerts.Attempt, err error) {
	defer wrapOp(&err, "AlertAttempts")
	rows, err := s.readQuery(ctx, `SELECT delivery_id, attempt, at, duration_us, status_code, error, outcome, worker
		FROM alert_attempts WHERE delivery_id = ? ORDER BY id`, deliveryID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []alerts.Attempt{}
	for rows.Next() {
		var a alerts.Attempt
		var at, dur int64
		if err := rows.Scan(&a.DeliveryID, &a.Attempt, &at, &dur, &a.StatusCode, &a.Error, &a.Outcome, &a.Worker); err != nil {
			return nil, mapErr(err)
		}
		a.At, a.Duration = fromMicros(at), time.Duration(dur)*time.Microsecond
		a.DurationMS = float64(dur) / 1000
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}

// RequeueAlertDelivery makes a failed or cancelled delivery pending again.
func (s *Store) RequeueAlertDelivery(ctx context.Context, id string, now time.Time) (err error) {
	defer wrapOp(&err, "RequeueAlertDelivery")
	err = s.writeTx(ctx, func(t *sql.Tx) error {
		var status string
		if err := t.QueryRowContext(ctx, s.d.rebind(`SELECT status FROM alert_deliveries WHERE id = ?`+s.d.forUpdate), id).Scan(&status); errors.Is(err, sql.ErrNoRows) {
			return notFound("alert delivery", id)
		} else if err != nil {
			return err
		}
		if status != string(alerts.StatusFailed) && status != string(alerts.StatusCancelled) {
			return stock.Errorf(stock.EConflict, "delivery %s is %s; only failed or cancelled deliveries are retried", id, status)
		}
		if _, err := t.ExecContext(ctx, s.d.rebind(`UPDATE alert_deliveries SET status = 'pending', attempts = 0, next_at = ?,
			updated_at = ? WHERE id = ?`), micros(now), micros(now), id); err != nil {
			return err
		}
		// Its job (none for deliveries that ended before migration 0009).
		_, err := t.ExecContext(ctx, s.d.rebind(`INSERT INTO jobs (id, kind, status, progress, actor, error, created_at, updated_at, next_at, dedup_key)
			VALUES (?, ?, 'queued', 0, '', '', ?, ?, ?, ?)
			ON CONFLICT (dedup_key) DO UPDATE SET status = 'queued', attempts = 0, error = '', next_at = excluded.next_at, lease_until = 0, updated_at = excluded.updated_at`),
			id, alerts.KindDeliver, micros(now), micros(now), micros(now), "alert:"+id)
		return err
	})
	return mapErr(err)
}
