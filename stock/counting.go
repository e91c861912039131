package stock

import (
	"context"
	"sort"
)

// CountView is a count with its progress, as the API shows it.
type CountView struct {
	Count
	Stats    ScanStats     `json:"progress"`
	Recounts []RecountLine `json:"recounts"`
}

// OpenCount opens a count and snapshots the book quantities in its scope.
func (s *Service) OpenCount(ctx context.Context, actor Actor, in CountInput) (c Count, err error) {
	if err := actor.Require(PermManageCount); err != nil {
		return c, err
	}
	if in.MovementPolicy == "" {
		in.MovementPolicy = PolicySnapshotDelta
	}
	if in.Uncounted == "" {
		in.Uncounted = UncountedZero
	}
	if !in.MovementPolicy.Valid() {
		return c, Errorf(EInvalid, "movement_policy must be snapshot_delta, freeze or reject_changed").With("field", "movement_policy")
	}
	if in.Uncounted != UncountedZero && in.Uncounted != UncountedIgnore {
		return c, Errorf(EInvalid, "uncounted must be zero or ignore").With("field", "uncounted")
	}
	if in.ToleranceQty < 0 || in.ToleranceQty > 1_000_000 {
		return c, Errorf(EInvalid, "tolerance_qty must be 0 to 1000000").With("field", "tolerance_qty")
	}
	blind := true
	if in.Blind != nil {
		blind = *in.Blind
	}
	for _, list := range [][]string{in.Scope.Zones, in.Scope.Categories, in.Scope.SKUs} {
		if len(list) > 10000 {
			return c, Errorf(EInvalid, "a scope list holds at most 10000 entries").With("field", "scope")
		}
	}
	now := s.Now().UTC()
	err = s.store.Write(ctx, func(tx Tx) error {
		// Before any location is read (see HoldLocations).
		if err := tx.HoldLocations(); err != nil {
			return err
		}
		loc, err := s.locationInScope(tx, actor, in.Location)
		if ErrorCode(err) == ENotFound {
			return Errorf(ENotFound, "location %s not found", in.Location).With("field", "location")
		} else if err != nil {
			return err
		}
		if loc.Kind != KindStore && loc.Kind != KindZone {
			return Errorf(EInvalid, "counts are opened on a store or a zone, not a %s", loc.Kind).With("field", "location")
		}
		paths := []string{loc.Path}
		if len(in.Scope.Zones) > 0 {
			zones, err := tx.LocationsByCode(in.Scope.Zones)
			if err != nil {
				return err
			}
			paths = paths[:0]
			for _, z := range in.Scope.Zones {
				zl, ok := zones[z]
				if !ok || zl.Kind != KindZone || !zl.Under(loc.Code) {
					return Errorf(EInvalid, "scope zone %s is not a zone of %s", z, loc.Code).With("field", "scope.zones")
				}
				paths = append(paths, zl.Path)
			}
		}
		if len(in.Scope.SKUs) > 0 {
			found, err := tx.SKUs(in.Scope.SKUs)
			if err != nil {
				return err
			}
			for _, k := range in.Scope.SKUs {
				if f, ok := found[k]; !ok {
					return Errorf(EInvalid, "scope SKU %s does not exist", k).With("field", "scope.skus")
				} else if f.RetiredAt != nil {
					return Errorf(EInvalid, "scope SKU %s is retired", k).With("field", "scope.skus")
				}
			}
		}
		// One active count per location subtree: overlapping counts would post
		// the same adjustment twice.
		if err := tx.SerializeCountOpening(); err != nil {
			return err
		}
		// A freeze count: a stock writer at the store (an import, a
		// posting, a receipt) either commits before the snapshot or sees
		// the count.
		if err := tx.LockStoreStock([]string{loc.storeCode()}, true); err != nil {
			return err
		}
		active, err := tx.ActiveCounts()
		if err != nil {
			return err
		}
		for _, o := range active {
			ol := Location{Path: o.LocationPath}
			if ol.Under(loc.Code) || loc.Under(o.Location) {
				return Errorf(EConflict, "count %s at %s is still %s; post it before opening another here", o.ID, o.Location, o.Status).With("count_id", o.ID)
			}
		}
		snap, err := tx.SnapshotBook(paths, in.Scope)
		if err != nil {
			return err
		}
		c = Count{ID: newID("cnt_"), Location: loc.Code, LocationPath: loc.Path, Scope: in.Scope, Blind: blind,
			MovementPolicy: in.MovementPolicy, Uncounted: in.Uncounted, ToleranceQty: in.ToleranceQty,
			Status: StatusOpen, Round: 1, OpenedBy: actor.Employee.Code, OpenedAt: now}
		if c.Scope.Zones == nil {
			c.Scope.Zones = []string{}
		}
		if c.Scope.Categories == nil {
			c.Scope.Categories = []string{}
		}
		if c.Scope.SKUs == nil {
			c.Scope.SKUs = []string{}
		}
		if err := tx.CreateCount(c, snap); err != nil {
			return err
		}
		return s.audit(tx, actor, "count.open", "count:"+c.ID, map[string]any{"location": c.Location, "policy": c.MovementPolicy, "blind": c.Blind, "snapshot_lines": len(snap)})
	})
	return c, err
}

// countInScope loads a count and answers not found outside the actor's scope.
func (s *Service) countInScope(tx CountStore, actor Actor, id string, forUpdate bool) (Count, error) {
	c, err := tx.Count(id, forUpdate)
	if err != nil {
		return c, err
	}
	return inScope(actor, c)
}

// inScope answers not found for a count outside the actor's scope.
func inScope(actor Actor, c Count) (Count, error) {
	if !actor.InScope(Location{Path: c.LocationPath}) {
		return Count{}, Errorf(ENotFound, "count %s not found", c.ID)
	}
	return c, nil
}

// Count returns a count with its progress.
func (s *Service) Count(ctx context.Context, actor Actor, id string) (v CountView, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		c, err := s.countInScope(tx, actor, id, false)
		if err != nil {
			return err
		}
		v, err = countView(tx, c)
		return err
	})
	return v, err
}

// Counts lists the counts in the actor's scope, newest first.
func (s *Service) Counts(ctx context.Context, actor Actor, location string, status CountStatus) (out []Count, err error) {
	if status != "" && status != StatusOpen && status != StatusRecount && status != StatusReview && status != StatusPosted {
		return nil, Errorf(EInvalid, "status must be open, recount, review or posted").With("field", "status")
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		paths, err := s.pathsUnder(tx, actor, location)
		if err != nil {
			return err
		}
		out, err = tx.Counts(CountFilter{Status: status, Limit: 500, Paths: paths})
		return err
	})
	if out == nil {
		out = []Count{}
	}
	return out, err
}

// inputs gathers everything a count's report is computed from, inside
// one transaction: the snapshot, the movements since (up to the approval
// once posted), the scans summed in one pass, and the approval's postings.
func (s *Service) inputs(tx Tx, c Count) (reportInput, error) {
	in := reportInput{count: c}
	if err := s.bookInputs(tx, &in); err != nil {
		return in, err
	}
	if err := s.scanInputs(tx, &in); err != nil {
		return in, err
	}
	return in, s.finishInputs(tx, &in)
}

// gatherInputs is inputs for reading only: the book side and the scan side
// are read at the same time, in two read transactions. A closed count's
// scans, snapshot and movements up to its close do not change, so both
// see the same data; an open count's report is live anyway.
func (s *Service) gatherInputs(ctx context.Context, c Count) (reportInput, error) {
	book, scans := reportInput{count: c}, reportInput{count: c}
	errc := make(chan error, 1)
	go func() {
		errc <- s.store.Read(ctx, func(tx Tx) error { return s.scanInputs(tx, &scans) })
	}()
	err := s.store.Read(ctx, func(tx Tx) error { return s.bookInputs(tx, &book) })
	if serr := <-errc; err == nil {
		err = serr
	}
	if err != nil {
		return book, err
	}
	book.aggregates, book.unresolved, book.floors = scans.aggregates, scans.unresolved, scans.floors
	err = s.store.Read(ctx, func(tx Tx) error { return s.finishInputs(tx, &book) })
	return book, err
}

// bookInputs reads the snapshot with its SKUs, the movements since and the
// postings.
func (s *Service) bookInputs(tx Tx, in *reportInput) error {
	c := in.count
	var err error
	if in.snapshot, err = tx.Snapshot(c.ID); err != nil {
		return err
	}
	if in.skus, err = tx.SnapshotSKUs(c.ID); err != nil {
		return err
	}
	paths, err := s.countPaths(tx, c)
	if err != nil {
		return err
	}
	until := s.Now().UTC()
	if c.PostedAt != nil {
		until = *c.PostedAt
	}
	if in.changes, err = tx.ChangesSince(c.ID, paths, until); err != nil {
		return err
	}
	if c.Status == StatusPosted {
		in.postings, err = tx.Postings(c.ID)
	}
	return err
}

// scanInputs sums the scans and works out the floor at zero where
// corrections were scanned.
func (s *Service) scanInputs(tx ScanStore, in *reportInput) error {
	var err error
	if in.aggregates, in.unresolved, err = tx.ScanAggregates(in.count.ID); err != nil {
		return err
	}
	var corrected []string
	for _, a := range in.aggregates {
		if a.MinQty < 0 {
			corrected = append(corrected, a.SKU)
		}
	}
	if len(corrected) > 0 {
		deltas, err := tx.ScanDeltas(in.count.ID, corrected)
		if err != nil {
			return err
		}
		in.floors = floors(deltas)
	}
	return nil
}

// finishInputs reads the SKUs that were scanned or moved but are not in
// the snapshot, and drops movements of SKUs outside the count's filters.
func (s *Service) finishInputs(tx Tx, in *reportInput) error {
	var others []string
	seen := map[string]bool{}
	for _, r := range in.aggregates {
		if _, ok := in.skus[r.SKU]; !ok && !seen[r.SKU] {
			seen[r.SKU] = true
			others = append(others, r.SKU)
		}
	}
	for _, ch := range in.changes {
		if _, ok := in.skus[ch.SKU]; !ok && !seen[ch.SKU] {
			seen[ch.SKU] = true
			others = append(others, ch.SKU)
		}
	}
	if len(others) > 0 {
		more, err := tx.SKUInfo(others)
		if err != nil {
			return err
		}
		for k, v := range more {
			in.skus[k] = v
		}
	}
	scanned := make(map[string]bool, len(in.aggregates))
	for _, r := range in.aggregates {
		scanned[r.SKU] = true
	}
	snap := make(map[string]bool, len(in.snapshot))
	for _, r := range in.snapshot {
		snap[r.SKU] = true
	}
	kept := in.changes[:0]
	for _, ch := range in.changes {
		info, ok := in.skus[ch.SKU]
		if snap[ch.SKU] || scanned[ch.SKU] || (ok && in.count.Scope.matchesSKU(info)) {
			kept = append(kept, ch)
		}
	}
	in.changes = kept
	return nil
}

// countPaths returns the location paths whose stock a count covers.
func (s *Service) countPaths(tx LocationStore, c Count) ([]string, error) {
	if len(c.Scope.Zones) == 0 {
		return []string{c.LocationPath}, nil
	}
	zones, err := tx.LocationsByCode(c.Scope.Zones)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, z := range zones {
		paths = append(paths, z.Path)
	}
	sort.Strings(paths)
	return paths, nil
}

// CloseCount stops counting: from then on the count's report is fixed (it
// is derived from the scans, the snapshot and the movements posted before
// the close). Closing a count already in review answers it unchanged. It
// answers the count view, read in the same transaction: its progress comes
// from counters kept at ingest and the lines folded here (the scans since
// the last fold, fewer than foldEvery), so this costs no pass over the
// scans.
func (s *Service) CloseCount(ctx context.Context, actor Actor, id string) (v CountView, err error) {
	if err := actor.Require(PermManageCount); err != nil {
		return v, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		c, err := s.countInScope(tx, actor, id, true)
		if err != nil {
			return err
		}
		switch c.Status {
		case StatusReview:
		case StatusPosted:
			return Errorf(EConflict, "count %s is already posted", id)
		default:
			now := s.Now().UTC()
			c.Status, c.ClosedAt = StatusReview, &now
			if err := tx.UpdateCount(c); err != nil {
				return err
			}
			// The count is held: fold its last lines, so that its view
			// (and every later one) reads no scans.
			if err := tx.FoldLines(c.ID); err != nil {
				return err
			}
			// Its report is fixed from now on: keep it for its pages.
			if err := s.queueKeepReport(tx, actor, c); err != nil {
				return err
			}
			if err := s.audit(tx, actor, "count.close", "count:"+c.ID, map[string]any{"round": c.Round}); err != nil {
				return err
			}
		}
		v, err = countView(tx, c)
		return err
	})
	return v, err
}

// countView adds a count's progress and recount lines to it.
func countView(tx Tx, c Count) (v CountView, err error) {
	v.Count = c
	if v.Stats, err = tx.ScanStats(c.ID); err != nil {
		return v, err
	}
	v.Recounts, err = tx.Recounts(c.ID)
	return v, err
}

// RecountInput is the body of POST /v1/counts/{id}/recounts.
type RecountInput struct {
	SKUs     []string `json:"skus"`
	Assignee string   `json:"assignee"`
}

// OrderRecount reopens lines of a count in review for an assignee, in a new
// round whose scans supersede the earlier ones (both stay visible).
func (s *Service) OrderRecount(ctx context.Context, actor Actor, id string, in RecountInput) (v CountView, err error) {
	if err := actor.Require(PermManageCount); err != nil {
		return v, err
	}
	if len(in.SKUs) == 0 || len(in.SKUs) > 10000 {
		return v, Errorf(EInvalid, "skus must list 1 to 10000 SKUs").With("field", "skus")
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		c, err := s.countInScope(tx, actor, id, true)
		if err != nil {
			return err
		}
		if c.Status != StatusReview {
			return Errorf(EConflict, "recounts are ordered on a count in review; this one is %s", c.Status)
		}
		assignee, err := tx.Employee(in.Assignee)
		if ErrorCode(err) == ENotFound {
			return Errorf(EInvalid, "assignee %s does not exist", in.Assignee).With("field", "assignee")
		} else if err != nil {
			return err
		}
		if !(Actor{Employee: assignee}).InScope(Location{Path: c.LocationPath}) || !assignee.Role.Can(PermScan) {
			return Errorf(EInvalid, "assignee %s cannot count at %s", in.Assignee, c.Location).With("field", "assignee")
		}
		snap, err := tx.Snapshot(c.ID)
		if err != nil {
			return err
		}
		inReport := map[string]bool{}
		for _, l := range snap {
			inReport[l.SKU] = true
		}
		skus, err := tx.SKUInfo(in.SKUs)
		if err != nil {
			return err
		}
		c.Round++
		var rl []RecountLine
		seen := map[string]bool{}
		for _, k := range in.SKUs {
			info, ok := skus[k]
			if !ok || (!inReport[k] && !c.Scope.matchesSKU(info)) {
				return Errorf(EInvalid, "SKU %s is not a line of this count", k).With("field", "skus")
			}
			if !seen[k] {
				seen[k] = true
				rl = append(rl, RecountLine{SKU: k, Round: c.Round, Assignee: assignee.Code})
			}
		}
		if err := tx.AddRecounts(c.ID, rl); err != nil {
			return err
		}
		c.Status = StatusRecount
		if err := tx.UpdateCount(c); err != nil {
			return err
		}
		if err := s.audit(tx, actor, "count.recount", "count:"+c.ID, map[string]any{"round": c.Round, "skus": in.SKUs, "assignee": assignee.Code}); err != nil {
			return err
		}
		v, err = countView(tx, c)
		return err
	})
	return v, err
}
