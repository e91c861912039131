package stock

import (
	"context"
	"sort"
	"time"
)

// Report returns a count's discrepancy report grouped by groupBy. Open
// counts get a live report; closed ones the report computed at close.
// Counters see only the lines they counted; book quantities of a blind
// count are hidden from roles that may not see them.
func (s *Service) Report(ctx context.Context, actor Actor, id, groupBy string) (r Report, err error) {
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
		if c, err = s.countInScope(tx, actor, id, false); err != nil {
			return err
		}
		if c.Status.Accepting() {
			in, err := s.inputs(tx, c)
			if err != nil {
				return err
			}
			r.Lines = computeLines(in)
		} else if r.Lines, err = tx.ReportLines(c.ID); err != nil {
			return err
		}
		agg, err := tx.Scans(ScanFilter{CountID: c.ID, Status: ScanUnknown, Limit: 100000})
		if err != nil {
			return err
		}
		r.Unresolved = unresolved(agg)
		return nil
	})
	if err != nil {
		return r, err
	}
	r.CountID, r.Location, r.Status, r.Blind, r.GroupBy = c.ID, c.Location, c.Status, c.Blind, groupBy
	if actor.Role() == RoleCounter {
		own := r.Lines[:0]
		for _, l := range r.Lines {
			if contains(l.CountedBy, actor.Employee.Code) {
				own = append(own, l)
			}
		}
		r.Lines = own
		r.Unresolved = []UnresolvedCode{}
	}
	var recs []record
	for _, l := range r.Lines {
		recs = append(recs, records(l, groupBy, c.Location, c.ToleranceQty)...)
	}
	r.Groups, r.Totals = summarize(recs)
	if c.Blind && !actor.Role().Can(PermSeeExpected) {
		r.Masked = true
		for i := range r.Lines {
			r.Lines[i].masked = true
		}
		for i := range r.Groups {
			r.Groups[i] = GroupSummary{Key: r.Groups[i].Key, Lines: r.Groups[i].Lines, Recounted: r.Groups[i].Recounted}
		}
		r.Totals = GroupSummary{Key: r.Totals.Key, Lines: r.Totals.Lines, Recounted: r.Totals.Recounted}
	}
	return r, nil
}

func unresolved(scans []Scan) []UnresolvedCode {
	by := map[string]*UnresolvedCode{}
	for _, s := range scans {
		u := by[s.Code]
		if u == nil {
			u = &UnresolvedCode{Code: s.Code}
			by[s.Code] = u
		}
		u.Scans++
		u.Qty += s.Qty
	}
	out := []UnresolvedCode{}
	for _, u := range by {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// CountReportLine is a report line with the count it belongs to, for
// reports across counts.
type CountReportLine struct {
	CountID   string
	Location  string
	Store     string
	ClosedAt  time.Time
	Tolerance int64
	Line      ReportLine
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
	var lines []CountReportLine
	err = s.store.Read(ctx, func(tx Tx) error {
		var paths []string
		if location != "" {
			l, err := s.locationInScope(tx, actor, location)
			if err != nil {
				return err
			}
			paths = []string{l.Path}
		} else if paths, err = s.scopePaths(tx, actor); err != nil {
			return err
		} else if paths == nil {
			paths = []string{"/"}
		}
		lines, err = tx.ReportLinesBetween(from, to, paths)
		return err
	})
	if err != nil {
		return r, err
	}
	counts := map[string]bool{}
	var recs []record
	for _, l := range lines {
		counts[l.CountID] = true
		recs = append(recs, records(l.Line, groupBy, l.Store, l.Tolerance)...)
	}
	r.Groups, r.Totals = summarize(recs)
	r.From, r.To, r.GroupBy, r.Counts = from, to, groupBy, len(counts)
	return r, nil
}
