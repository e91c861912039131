package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"pandian/alerts"
	"pandian/jobs"
	"pandian/stock"
	"pandian/storage/sqlstore"
)

func alertRule(id string) alerts.Rule {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return alerts.Rule{ID: id, Name: "大額差異 big variance", Kind: alerts.KindCountVarianceValue, Threshold: "500.00", Location: "HK-TST", Enabled: true,
		Targets: []alerts.Target{{ID: "t1", Kind: alerts.TargetDingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=abc", Secret: "SECxyz"}},
		Created: now, Updated: now}
}

func alertDelivery(rule, subject string, now time.Time) alerts.Delivery {
	return alerts.Delivery{ID: alerts.NewID("dl_"), DedupKey: rule + "|" + subject + "|t1", RuleID: rule, TargetID: "t1", TargetKind: alerts.TargetDingTalk,
		Subject: subject, Alert: alerts.Alert{RuleID: rule, Subject: subject, Value: "812.50", Currency: "HKD", Title: "盤點差異 variance"},
		Status: alerts.StatusPending, NextAt: now, Created: now, Updated: now}
}

// claimAlerts claims due alert deliveries' jobs for a minute.
func claimAlerts(s *sqlstore.Store, owner string, now time.Time, n int) ([]jobs.Job, error) {
	return s.ClaimJobs(context.Background(), []string{alerts.KindDeliver}, owner, now, time.Minute, n)
}

func TestAlertRules(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		r := alertRule("big")
		created, err := s.PutAlertRule(ctx, r)
		if err != nil || !created {
			t.Fatalf("put: %v %v", created, err)
		}
		got, err := s.AlertRule(ctx, "big")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != r.Name || got.Targets[0].Secret != "SECxyz" || !got.Enabled || !got.Created.Equal(r.Created) || got.Location != "HK-TST" {
			t.Fatalf("got %+v", got)
		}
		r.Enabled, r.Threshold = false, "600.00"
		if created, err := s.PutAlertRule(ctx, r); err != nil || created {
			t.Fatalf("replace: %v %v", created, err)
		}
		all, err := s.AlertRules(ctx)
		if err != nil || len(all) != 1 || all[0].Enabled || all[0].Threshold != "600.00" {
			t.Fatalf("rules %+v %v", all, err)
		}
		if err := s.DeleteAlertRule(ctx, "big"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AlertRule(ctx, "big"); stock.ErrorCode(err) != stock.ENotFound {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.DeleteAlertRule(ctx, "big"); stock.ErrorCode(err) != stock.ENotFound {
			t.Fatalf("delete again: %v", err)
		}
	})
}

func TestAlertOutbox(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		d1, d2 := alertDelivery("big", "count:C1", now), alertDelivery("big", "count:C2", now.Add(time.Second))
		n, err := s.EnqueueAlertDeliveries(ctx, []alerts.Delivery{d1, d2})
		if err != nil || n != 2 {
			t.Fatalf("enqueue: %d %v", n, err)
		}
		// The same alerts again (new ids): nothing new.
		again := alertDelivery("big", "count:C1", now)
		if n, err := s.EnqueueAlertDeliveries(ctx, []alerts.Delivery{again}); err != nil || n != 0 {
			t.Fatalf("enqueue again: %d %v", n, err)
		}
		// Only d1 is due.
		got, err := claimAlerts(s, "w1", now, 10)
		if err != nil || len(got) != 1 || got[0].ID != d1.ID || got[0].Attempts != 1 || got[0].Lease.Owner != "w1" {
			t.Fatalf("claim: %+v %v", got, err)
		}
		if d, err := s.AlertDelivery(ctx, d1.ID); err != nil || d.Alert.Value != "812.50" {
			t.Fatalf("d1 %+v %v", d, err)
		}
		// Leased: nobody else gets it, even once d2 is due.
		later := now.Add(2 * time.Second)
		got2, err := claimAlerts(s, "w2", later, 10)
		if err != nil || len(got2) != 1 || got2[0].ID != d2.ID {
			t.Fatalf("claim 2: %+v %v", got2, err)
		}
		// A retry of d1 by its owner.
		changed, err := s.FinishAlertAttempt(ctx, alerts.Attempt{DeliveryID: d1.ID, Attempt: 1, At: now, Duration: 3 * time.Millisecond, StatusCode: 500,
			Error: "HTTP 500", Outcome: alerts.StatusPending, Worker: "w1", NextAt: now.Add(10 * time.Second)}, got[0].Lease)
		if err != nil || !changed {
			t.Fatalf("finish retry: %v %v", changed, err)
		}
		// A worker without the lease cannot fail it.
		stranger := jobs.Lease{JobID: d2.ID, Owner: "w1", Token: got2[0].Lease.Token}
		if changed, err := s.FinishAlertAttempt(ctx, alerts.Attempt{DeliveryID: d2.ID, Attempt: 1, At: now, Outcome: alerts.StatusFailed, Worker: "w1"}, stranger); err != nil || changed {
			t.Fatalf("finish by a stranger: %v %v", changed, err)
		}
		// Not due yet.
		if got, err := claimAlerts(s, "w3", later, 10); err != nil || len(got) != 0 {
			t.Fatalf("claim before due: %+v %v", got, err)
		}
		due := now.Add(11 * time.Second)
		got, err = claimAlerts(s, "w3", due, 10)
		if err != nil || len(got) != 1 || got[0].ID != d1.ID || got[0].Attempts != 2 {
			t.Fatalf("claim after back-off: %+v %v", got, err)
		}
		if d, err := s.AlertDelivery(ctx, d1.ID); err != nil || d.LastStatus != 500 || d.Attempts != 1 || !d.NextAt.Equal(now.Add(10*time.Second)) {
			t.Fatalf("d1 after its first attempt %+v %v", d, err)
		}
		if changed, err := s.FinishAlertAttempt(ctx, alerts.Attempt{DeliveryID: d1.ID, Attempt: 2, At: due, StatusCode: 200, Outcome: alerts.StatusDelivered, Worker: "w3"}, got[0].Lease); err != nil || !changed {
			t.Fatalf("finish delivered: %v %v", changed, err)
		}
		// d2's lease expires: claimed again; delivered ones never.
		exp := now.Add(5 * time.Minute)
		got, err = claimAlerts(s, "w4", exp, 10)
		if err != nil || len(got) != 1 || got[0].ID != d2.ID || got[0].Attempts != 2 {
			t.Fatalf("claim expired lease: %+v %v", got, err)
		}
		// The first claimer of d2, late, cannot fail it either.
		if changed, err := s.FinishAlertAttempt(ctx, alerts.Attempt{DeliveryID: d2.ID, Attempt: 1, At: exp, Outcome: alerts.StatusFailed, Worker: "w2"}, got2[0].Lease); err != nil || changed {
			t.Fatalf("finish by the taken-over claimer: %v %v", changed, err)
		}
		if changed, err := s.FinishAlertAttempt(ctx, alerts.Attempt{DeliveryID: d2.ID, Attempt: 2, At: exp, StatusCode: 404, Error: "HTTP 404", Outcome: alerts.StatusFailed, Worker: "w4"}, got[0].Lease); err != nil || !changed {
			t.Fatalf("finish failed: %v %v", changed, err)
		}
		d, err := s.AlertDelivery(ctx, d1.ID)
		if err != nil || d.Status != alerts.StatusDelivered || d.DeliveredAt.IsZero() || d.Attempts != 2 {
			t.Fatalf("d1 %+v %v", d, err)
		}
		atts, err := s.AlertAttempts(ctx, d1.ID)
		if err != nil || len(atts) != 2 || atts[0].StatusCode != 500 || atts[0].Duration != 3*time.Millisecond || atts[1].Outcome != alerts.StatusDelivered {
			t.Fatalf("attempts %+v %v", atts, err)
		}
		list, err := s.AlertDeliveries(ctx, alerts.DeliveryFilter{})
		if err != nil || len(list) != 2 || list[0].ID != d2.ID || list[0].Status != alerts.StatusFailed {
			t.Fatalf("list %+v %v", list, err)
		}
		list, err = s.AlertDeliveries(ctx, alerts.DeliveryFilter{Status: alerts.StatusDelivered, RuleID: "big"})
		if err != nil || len(list) != 1 || list[0].ID != d1.ID {
			t.Fatalf("list delivered %+v %v", list, err)
		}
		list, err = s.AlertDeliveries(ctx, alerts.DeliveryFilter{Before: d2.ID, Limit: 1})
		if err != nil || len(list) != 1 || list[0].ID != d1.ID {
			t.Fatalf("list page 2 %+v %v", list, err)
		}
		// Requeue: failed only.
		if err := s.RequeueAlertDelivery(ctx, d1.ID, exp); stock.ErrorCode(err) != stock.EConflict {
			t.Fatalf("requeue delivered: %v", err)
		}
		if err := s.RequeueAlertDelivery(ctx, d2.ID, exp); err != nil {
			t.Fatal(err)
		}
		got, err = claimAlerts(s, "w5", exp, 10)
		if err != nil || len(got) != 1 || got[0].ID != d2.ID || got[0].Attempts != 1 {
			t.Fatalf("claim requeued: %+v %v", got, err)
		}
		if _, err := s.AlertDelivery(ctx, "dl_nope"); stock.ErrorCode(err) != stock.ENotFound {
			t.Fatalf("missing delivery: %v", err)
		}
	})
}

// Claimers racing on one database never get the same delivery.
func TestAlertClaimConcurrent(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		ctx := context.Background()
		s := openStore(t, u)
		other := openStore(t, u) // a second replica
		now := time.Now().UTC()
		var ds []alerts.Delivery
		for i := range 60 {
			ds = append(ds, alertDelivery("r", fmt.Sprintf("count:C%d", i), now))
		}
		if n, err := s.EnqueueAlertDeliveries(ctx, ds); err != nil || n != 60 {
			t.Fatalf("enqueue %d %v", n, err)
		}
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := s
				if w%2 == 1 {
					st = other
				}
				owner := fmt.Sprintf("w%d", w)
				for {
					got, err := st.ClaimJobs(ctx, []string{alerts.KindDeliver}, owner, now, time.Minute, 3)
					if err != nil {
						t.Errorf("claim: %v", err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						if prev, dup := seen[d.ID]; dup {
							t.Errorf("%s claimed by %s and %s", d.ID, prev, owner)
						}
						seen[d.ID] = owner
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 60 {
			t.Fatalf("claimed %d of 60", len(seen))
		}
	})
}

// Migration 8 cuts what earlier versions logged of receivers' answers
// (and resolved addresses) out of the delivery log.
func TestAlertLogMigrationDropsAnswers(t *testing.T) {
	forEachURL(t, func(t *testing.T, u string) {
		ctx := context.Background()
		s := openStore(t, u)
		if _, err := s.PutAlertRule(ctx, alertRule("big")); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		old := []struct {
			code      int
			err, want string
		}{
			{500, `HTTP 500: {"db_password":"hunter2"}`, "HTTP 500"},
			{403, "HTTP 403: <html>internal admin</html> (gave up after 8 attempts)", "HTTP 403"},
			{200, "dingtalk errcode 310000: keywords not in content hunter2", "dingtalk: answer not kept"},
			{0, `Post "http://hooks.internal/…": dial tcp 10.0.0.7:80: connect: connection refused`, "network error"},
			{0, "timed out", "timed out"},
			{0, "the rule was deleted", "the rule was deleted"},
		}
		var ids []string
		for i, o := range old {
			d := alertDelivery("big", fmt.Sprintf("count:C%d", i), now)
			ids = append(ids, d.ID)
			if _, err := s.EnqueueAlertDeliveries(ctx, []alerts.Delivery{d}); err != nil {
				t.Fatal(err)
			}
			claimed, err := claimAlerts(s, "w", now, 10)
			if err != nil || len(claimed) != 1 {
				t.Fatal(claimed, err)
			}
			if _, err := s.FinishAlertAttempt(ctx, alerts.Attempt{DeliveryID: d.ID, Attempt: 1, At: now, StatusCode: o.code, Error: o.err,
				Outcome: alerts.StatusFailed, Worker: "w"}, claimed[0].Lease); err != nil {
				t.Fatal(err)
			}
		}
		// Run migration 8 again on these rows.
		if _, err := s.DB().Exec(`DELETE FROM schema_migrations WHERE version = 8`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = openStore(t, u)
		for i, o := range old {
			atts, err := s.AlertAttempts(ctx, ids[i])
			if err != nil || len(atts) != 1 {
				t.Fatalf("attempts %+v %v", atts, err)
			}
			d, err := s.AlertDelivery(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if atts[0].Error != o.want || d.LastError != o.want {
				t.Errorf("%q became %q (attempt) and %q (delivery), want %q", o.err, atts[0].Error, d.LastError, o.want)
			}
		}
	})
}
