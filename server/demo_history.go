package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"pandian/fixtures"
	"pandian/stock"
)

// demoWeeks is how far back the demo's count history goes.
const demoWeeks = 8

// demoStores are the stores with a count history: a category a week
// each, counted by their own staff (the beverage category of HK-TST is
// left alone: the README's walk-through counts it).
var demoStores = []struct {
	code       string
	categories []string
}{
	{"HK-TST", []string{"dairy", "health", "baby", "stationery", "household", "personal_care", "frozen", "instant_noodle"}},
	{"HK-MK", []string{"beverage", "dairy", "stationery", "baby", "health", "household", "personal_care", "snack"}},
	{"HK-KT", []string{"health", "beverage", "baby", "dairy", "personal_care", "stationery", "household", "frozen"}},
}

// demoError is how often an employee of a role miscounts a line: counters
// most (and less so as the weeks go by: the chart has a trend),
// supervisors less, store managers least.
func demoError(role stock.Role, week int) float64 {
	switch role {
	case stock.RoleCounter:
		return 0.20 - 0.012*float64(week)
	case stock.RoleSupervisor:
		return 0.07
	}
	return 0.03
}

// seedDemoHistory gives a fresh demo database eight weeks of counts at
// three Kowloon stores, so that the pages have something to show: each
// week a category per store is opened by its supervisor, scanned by its
// counters, supervisor and manager (each miscounting now and then, by
// role), closed, the lines off by two or more recounted by someone else,
// and approved by the store manager with reasons. The newest count of
// HK-MK stays in review, with a late and an out-of-scope scan. It is
// deterministic (a fixed seed), dated back from now, and does nothing
// when the database already has counts; a store without a supervisor, a
// store manager and a counter is skipped. Approvals hold the lines nobody
// scanned (their book is left alone). Only loadDemo calls it, right after
// seedDemo loaded the demo into an empty database.
func seedDemoHistory(ctx context.Context, svc *stock.Service, now time.Time) error {
	system := stock.Actor{Employee: stock.Employee{Code: "system", Role: stock.RoleAdmin}}
	if p, err := svc.CountsPage(ctx, system, stock.CountQuery{}, stock.PageRequest{Limit: 1}); err != nil || len(p.Items) > 0 {
		return err
	}
	staff := map[string]map[stock.Role][]stock.Actor{} // store → role → employees
	for cur := ""; ; {
		p, err := svc.EmployeesPage(ctx, system, stock.PageRequest{Cursor: cur, Limit: 500})
		if err != nil {
			return err
		}
		for _, e := range p.Items {
			if len(e.Scope) != 1 {
				continue
			}
			if staff[e.Scope[0]] == nil {
				staff[e.Scope[0]] = map[stock.Role][]stock.Actor{}
			}
			staff[e.Scope[0]][e.Role] = append(staff[e.Scope[0]][e.Role], stock.Actor{Employee: e, DeviceID: "TC52-" + e.Code})
		}
		if cur = p.Next; cur == "" {
			break
		}
	}
	barcode, err := demoBarcodes()
	if err != nil {
		return err
	}
	saved := svc.Now
	defer func() { svc.Now = saved }()
	rng := rand.New(rand.NewPCG(20261206, 8))
	start := time.Now()
	n := 0
	for w := demoWeeks; w >= 1; w-- {
		for i, st := range demoStores {
			// Evening (Hong Kong time: 13:00 UTC is 21:00), a store an
			// hour after the other; the oldest within the last eight
			// weeks, the newest six days ago.
			day := now.AddDate(0, 0, -7*w+1).Truncate(24 * time.Hour).Add(time.Duration(13+i) * time.Hour)
			keep := w == 1 && st.code == "HK-MK"
			if s := staff[st.code]; len(s[stock.RoleSupervisor]) == 0 || len(s[stock.RoleStoreManager]) == 0 || len(s[stock.RoleCounter]) == 0 {
				if w == demoWeeks {
					slog.Warn("demo history: store skipped, it lacks a supervisor, a store manager or a counter", "store", st.code)
				}
				continue
			}
			if err := demoCount(ctx, svc, rng, staff[st.code], barcode, st.code, st.categories[(demoWeeks-w)%len(st.categories)], day, demoWeeks-w, keep); err != nil {
				return fmt.Errorf("demo count at %s, week -%d: %w", st.code, w, err)
			}
			n++
		}
	}
	slog.Info("demo data", "counts", n, "weeks", demoWeeks, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// demoBarcodes maps SKUs to their unit EAN-13 (what the demo scans).
func demoBarcodes() (map[string]string, error) {
	rows, err := csv.NewReader(bytes.NewReader(fixtures.Catalog())).ReadAll()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		if r[6] == "1" && len(r[5]) == 13 && out[r[0]] == "" {
			out[r[0]] = r[5]
		}
	}
	return out, nil
}

// demoCount runs one count of the history at the time at (the service's
// clock moved along with it).
func demoCount(ctx context.Context, svc *stock.Service, rng *rand.Rand, staff map[stock.Role][]stock.Actor, barcode map[string]string,
	store, category string, at time.Time, week int, keepInReview bool) error {
	clock := at
	tick := func(d time.Duration) time.Time { clock = clock.Add(d); return clock }
	svc.Now = func() time.Time { return clock }
	sup, mgr := staff[stock.RoleSupervisor][0], staff[stock.RoleStoreManager][0]
	counters := staff[stock.RoleCounter]
	c, err := svc.OpenCount(ctx, sup, stock.CountInput{Location: store, Scope: stock.CountScope{Categories: []string{category}}})
	if err != nil {
		return err
	}
	rep, err := svc.Report(ctx, mgr, c.ID, "sku", stock.ReportOptions{})
	if err != nil {
		return err
	}
	// What is really on the shelf: mostly the book; some shrinkage, an
	// unbooked delivery now and then.
	actual := map[string]int64{}
	batches := map[string][]stock.ScanInput{}
	who := map[string]stock.Actor{}
	first := map[string]stock.Actor{} // who counted each line
	seq := 0
	scanAs := func(a stock.Actor, sku string, qty int64) {
		seq++
		who[a.Employee.Code] = a
		batches[a.Employee.Code] = append(batches[a.Employee.Code], stock.ScanInput{
			EventID: fmt.Sprintf("demo-%s-%d", c.ID, seq), Code: "]E0" + barcode[sku], Qty: qty,
			Bin: "", ScannedAt: tick(20 * time.Second).Add(-time.Second).UTC().Format(time.RFC3339), DeviceID: a.DeviceID})
	}
	flush := func() error {
		for code, b := range batches {
			if _, err := svc.IngestScans(ctx, who[code], c.ID, b); err != nil {
				return err
			}
		}
		clear(batches)
		return nil
	}
	miscount := func(a stock.Actor, qty int64) int64 {
		if rng.Float64() < demoError(a.Employee.Role, week) {
			d := int64(1 + rng.IntN(3))
			if rng.IntN(2) == 0 {
				d = -d
			}
			return max(0, qty+d)
		}
		return qty
	}
	for _, l := range rep.Lines {
		if barcode[l.SKU] == "" {
			continue
		}
		real := l.BookQty
		switch r := rng.Float64(); {
		case r < 0.06:
			real = max(0, real-int64(1+rng.IntN(3)))
		case r < 0.08:
			real++
		}
		actual[l.SKU] = real
		var a stock.Actor
		switch r := rng.Float64(); {
		case r < 0.62:
			a = counters[rng.IntN(len(counters))]
		case r < 0.85:
			a = sup
		default:
			a = mgr
		}
		first[l.SKU] = a
		if q := miscount(a, real); q > 0 {
			scanAs(a, l.SKU, q)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	// A SKU the count does not cover, and one it does (for a late scan).
	var outside, inside string
	for _, sku := range slices.Sorted(maps.Keys(barcode)) {
		if _, ok := actual[sku]; ok && inside == "" {
			inside = sku
		} else if !ok && outside == "" {
			outside = sku
		}
	}
	if keepInReview {
		// Scanned by mistake: another category's product (out of scope).
		scanAs(counters[0], outside, 2)
		if err := flush(); err != nil {
			return err
		}
	}
	tick(20 * time.Minute)
	if _, err := svc.CloseCount(ctx, sup, c.ID); err != nil {
		return err
	}
	// Recount the lines off by two or more, by someone who did not count
	// them (the supervisor, or a counter for the supervisor's lines).
	rep, err = svc.Report(ctx, mgr, c.ID, "sku", stock.ReportOptions{})
	if err != nil {
		return err
	}
	byAssignee := map[string][]string{}
	assignee := map[string]stock.Actor{}
	for _, l := range rep.Lines {
		if abs64(l.VarianceQty) < 2 || barcode[l.SKU] == "" {
			continue
		}
		a := sup
		if first[l.SKU].Employee.Code == sup.Employee.Code {
			a = counters[rng.IntN(len(counters))]
		}
		byAssignee[a.Employee.Code] = append(byAssignee[a.Employee.Code], l.SKU)
		assignee[a.Employee.Code] = a
	}
	codes := make([]string, 0, len(byAssignee))
	for code := range byAssignee {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		tick(5 * time.Minute)
		if _, err := svc.OrderRecount(ctx, mgr, c.ID, stock.RecountInput{SKUs: byAssignee[code], Assignee: code}); err != nil {
			return err
		}
		for _, sku := range byAssignee[code] {
			if q := miscount(assignee[code], actual[sku]); q > 0 {
				scanAs(assignee[code], sku, q)
			}
		}
		if err := flush(); err != nil {
			return err
		}
		tick(10 * time.Minute)
		if _, err := svc.CloseCount(ctx, sup, c.ID); err != nil {
			return err
		}
	}
	if keepInReview {
		// Left for the manager to review, with a scan sent after the close
		// by a device that was offline (late).
		scanAs(counters[0], inside, 1)
		return flush()
	}
	rep, err = svc.Report(ctx, mgr, c.ID, "sku", stock.ReportOptions{})
	if err != nil {
		return err
	}
	// Lines nobody scanned are held back, never posted to 0: the history
	// must not move a book it did not count.
	in := stock.ApproveInput{ReasonCodes: map[string]string{}, Uncounted: stock.ApproveUncountedHold}
	for _, l := range rep.Lines {
		switch {
		case l.VarianceQty < 0 && rng.IntN(3) == 0:
			in.ReasonCodes[l.SKU] = "theft"
		case l.VarianceQty < 0:
			in.ReasonCodes[l.SKU] = "damage"
		case l.VarianceQty > 0:
			in.ReasonCodes[l.SKU] = "admin_error"
		}
	}
	tick(3 * time.Hour)
	if _, err := svc.Approve(ctx, mgr, c.ID, in); err != nil {
		return fmt.Errorf("approve: %w", err)
	}
	return nil
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
