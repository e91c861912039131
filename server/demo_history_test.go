package main

import (
	"context"
	"testing"
	"time"

	"pandian/stock"
)

// TestDemoHistory: the demo's count history is eight weeks of counts at
// three stores, posted (one left in review with a late and an
// out-of-scope scan), with recounts; the report by role over those weeks
// has counters, supervisors and store managers, counters the least
// accurate; seeding again adds nothing.
func TestDemoHistory(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		ctx := context.Background()
		now := time.Now()
		svc := serveTestApp(t, testConfig(t, db), false, nil).app.svc
		start := time.Now()
		if err := seedDemoHistory(ctx, svc, now); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: history seeded in %v (under load)", db, time.Since(start).Round(time.Millisecond))
		if err := seedDemoHistory(ctx, svc, now); err != nil {
			t.Fatal(err)
		}
		admin := stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}
		p, err := svc.CountsPage(ctx, admin, stock.CountQuery{}, stock.PageRequest{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != demoWeeks*len(demoStores) {
			t.Fatalf("%d counts, want %d", len(p.Items), demoWeeks*len(demoStores))
		}
		posted, review, recounted := 0, 0, 0
		for _, c := range p.Items {
			if c.OpenedAt.Before(now.AddDate(0, 0, -7*demoWeeks-1)) || c.OpenedAt.After(now) {
				t.Errorf("count %s opened %v, outside the last %d weeks", c.ID, c.OpenedAt, demoWeeks)
			}
			switch c.Status {
			case stock.StatusPosted:
				posted++
			case stock.StatusReview:
				review++
				cv, err := svc.Count(ctx, admin, c.ID)
				if err != nil || c.Location != "HK-MK" || cv.Stats.Late != 1 || cv.Stats.Rejected != 1 {
					t.Errorf("the count in review: %s %+v %v", c.Location, cv.Stats, err)
				}
			}
			if c.Round > 1 {
				recounted++
			}
		}
		if posted != len(p.Items)-1 || review != 1 || recounted < len(p.Items)/2 {
			t.Errorf("posted %d, in review %d, recounted %d of %d", posted, review, recounted, len(p.Items))
		}
		// The role report's default window (the last eight weeks) has them all.
		rep, err := svc.Discrepancies(ctx, admin, now.AddDate(0, 0, -7*demoWeeks), now, "HK-KLN", "role")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Counts < len(p.Items)-1 {
			t.Errorf("%d counts in the last %d weeks, want %d", rep.Counts, demoWeeks, len(p.Items))
		}
		acc := map[string]float64{}
		for _, g := range rep.Groups {
			acc[g.Key] = g.Accuracy
			t.Logf("%s: %d lines, accuracy %.3f", g.Key, g.Lines, g.Accuracy)
		}
		if acc["counter"] == 0 || acc["supervisor"] == 0 || acc["store_manager"] == 0 || acc["counter"] >= acc["store_manager"] {
			t.Errorf("accuracy by role: %v", acc)
		}
	})
}
