package stock

import (
	"context"
	"time"
)

// ReportOptions ask for more than the lines and groups.
type ReportOptions struct {
	// Lots adds the count by lot and expiry date; NearDays is how many days
	// before its expiry a lot counts as near expiry (default 30).
	Lots     bool
	NearDays int
}

// Report returns a count's discrepancy report grouped by groupBy. Open
// counts get a live report; closed ones the report computed at close.
// Counters see only the lines they counted; book quantities of a blind
// count are hidden from roles that may not see them.
func (s *Service) Report(ctx context.Context, actor Actor, id, groupBy string, opts ReportOptions) (r Report, err error) {
	if err := actor.Require(PermReadReports); err != nil {
		return r, err
	}
	if groupBy == "" {
		groupBy = "sku"
	}
	if !ValidGroupBy(groupBy) || groupBy == "store" {
		return r, Errorf(EInvalid, "group_by must be sku, role, employee, zone or category").With("field", "group_by")
	}
	var c Count
	err = s.store.Read(ctx, func(tx Tx) error {
		c, err = s.countInScope(tx, actor, id, false)
		return err
	})
	if err != nil {
		return r, err
	}
	in, err := s.gatherInputs(ctx, c)
	if err != nil {
		return r, err
	}
	r.Lines, r.Unresolved = computeLines(in), in.unresolved
	if opts.Lots {
		err = s.store.Read(ctx, func(tx Tx) error {
			r.Lots, err = tx.LotTotals(c.ID)
			return err
		})
		if err != nil {
			return r, err
		}
		if opts.NearDays <= 0 {
			opts.NearDays = 30
		}
		markExpiry(r.Lots, s.Now(), opts.NearDays)
	}
	r.CountID, r.Location, r.Status, r.Blind, r.GroupBy = c.ID, c.Location, c.Status, c.Blind, groupBy
	r.Currency = CurrencyOf(c.LocationPath)
	if actor.Role() == RoleCounter {
		mine := map[string]bool{}
		own := r.Lines[:0]
		for _, l := range r.Lines {
			if contains(l.CountedBy, actor.Employee.Code) {
				own = append(own, l)
				mine[l.SKU] = true
			}
		}
		r.Lines = own
		lots := r.Lots[:0]
		for _, l := range r.Lots {
			if mine[l.SKU] {
				lots = append(lots, l)
			}
		}
		r.Lots = lots
		r.Unresolved = []UnresolvedCode{}
	}
	var recs []record
	for _, l := range r.Lines {
		recs = append(recs, records(l, groupBy, c.Location, c.ToleranceQty)...)
	}
	if groupBy == "sku" {
		// Each line is its own group: the lines say it all, only the total
		// is added.
		for i := range recs {
			recs[i].keys = nil
		}
	}
	r.Groups, r.Totals = summarize(recs)
	if c.Blind && !actor.Role().Can(PermSeeExpected) {
		r.Masked = true
		for i := range r.Lines {
			r.Lines[i].Mask()
		}
		for i := range r.Groups {
			r.Groups[i] = GroupSummary{Key: r.Groups[i].Key, Lines: r.Groups[i].Lines, Recounted: r.Groups[i].Recounted}
		}
		r.Totals = GroupSummary{Key: r.Totals.Key, Lines: r.Totals.Lines, Recounted: r.Totals.Recounted}
	}
	return r, nil
}

// storeOf returns the store a count belongs to.
func (s *Service) storeOf(tx LocationStore, c Count) (string, error) {
	loc, err := tx.Location(c.Location)
	if err != nil {
		return "", err
	}
	if loc.Kind == KindZone {
		return loc.Parent, nil
	}
	return loc.Code, nil
}

// CrossReport is the accuracy of counting across counts.
type CrossReport struct {
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
	GroupBy string         `json:"group_by"`
	Counts  int            `json:"counts"`
	Groups  []GroupSummary `json:"groups"`
	Totals  GroupSummary   `json:"totals"`
}

// Discrepancies reports counting accuracy over the counts closed between
// from and to in the actor's scope (optionally under location), grouped by
// role, employee, store or category.
func (s *Service) Discrepancies(ctx context.Context, actor Actor, from, to time.Time, location, groupBy string) (r CrossReport, err error) {
	if err := actor.Require(PermReadReports); err != nil {
		return r, err
	}
	if actor.Role() == RoleCounter {
		return r, Errorf(EForbidden, "counters read their own lines in each count's report")
	}
	if groupBy == "" {
		groupBy = "role"
	}
	if groupBy != "role" && groupBy != "employee" && groupBy != "store" && groupBy != "category" {
		return r, Errorf(EInvalid, "group_by must be role, employee, store or category").With("field", "group_by")
	}
	if !to.After(from) {
		return r, Errorf(EInvalid, "to must be after from").With("field", "to")
	}
	var recs []record
	counts := 0
	err = s.store.Read(ctx, func(tx Tx) error {
		paths, err := s.pathsUnder(tx, actor, location)
		if err != nil {
			return err
		}
		cs, err := tx.ClosedCounts(from, to, paths)
		if err != nil {
			return err
		}
		for _, c := range cs {
			store, err := s.storeOf(tx, c)
			if err != nil {
				return err
			}
			in, err := s.inputs(tx, c)
			if err != nil {
				return err
			}
			for _, l := range computeLines(in) {
				recs = append(recs, records(l, groupBy, store, c.ToleranceQty)...)
			}
		}
		counts = len(cs)
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Groups, r.Totals = summarize(recs)
	r.From, r.To, r.GroupBy, r.Counts = from, to, groupBy, counts
	return r, nil
}

// markExpiry sets each lot's expiry status as of now.
func markExpiry(lots []LotLine, now time.Time, nearDays int) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := range lots {
		exp, err := time.Parse("2006-01-02", lots[i].Expiry)
		if err != nil {
			continue
		}
		days := int(exp.Sub(today).Hours() / 24)
		lots[i].DaysLeft = &days
		switch {
		case days < 0:
			lots[i].ExpiryStatus = "expired"
		case days <= nearDays:
			lots[i].ExpiryStatus = "near_expiry"
		default:
			lots[i].ExpiryStatus = "ok"
		}
	}
}
