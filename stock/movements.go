package stock

import (
	"context"
	"time"
)

// StockLevels returns book quantities at or below location (the actor's
// whole scope when empty), optionally for one SKU.
func (s *Service) StockLevels(ctx context.Context, actor Actor, location, sku string) (out []StockLevel, err error) {
	if err := actor.Require(PermReadStock); err != nil {
		return nil, err
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		paths, err := s.pathsUnder(tx, actor, location)
		if err != nil {
			return err
		}
		out, err = tx.StockLevels(StockFilter{Paths: paths, SKU: sku, Limit: 100000})
		return err
	})
	return out, err
}

// The range a movement's time must fall in: a time outside it is a device
// or system clock that is wrong, and would place the movement before or
// after every count (see the snapshot_delta rule).
var (
	minMovementTime  = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxMovementAhead = 24 * time.Hour
)

// MovementResult answers a batch of movements.
type MovementResult struct {
	Applied    int `json:"applied"`
	Duplicates int `json:"duplicates"`
}

// PostMovements applies a batch of stock movements atomically: either every
// new movement is applied or none is. A movement_id seen before with the
// same payload is a duplicate; with another payload the batch is refused.
func (s *Service) PostMovements(ctx context.Context, actor Actor, ms []Movement) (MovementResult, error) {
	var res MovementResult
	if err := actor.Require(PermPostMovements); err != nil {
		return res, err
	}
	if len(ms) == 0 {
		return res, Errorf(EInvalid, "no movements")
	}
	if len(ms) > s.cfg.MaxMovementsPerBatch {
		return res, Errorf(ETooLarge, "at most %d movements per request", s.cfg.MaxMovementsPerBatch)
	}
	now := s.Now().UTC()
	for i := range ms {
		m := &ms[i]
		bad := func(format string, args ...any) error {
			return Errorf(EInvalid, "movement %d: "+format, append([]any{i}, args...)...).With("index", i)
		}
		if err := validText("movement_id", m.MovementID, true, 100); err != nil {
			return res, bad("movement_id is required (at most 100 characters)")
		}
		if !m.Kind.Valid() {
			return res, bad("kind must be sale, receipt, transfer_in, transfer_out or adjustment")
		}
		if m.QtyDelta == 0 || abs(m.QtyDelta) > 1_000_000_000 {
			return res, bad("qty_delta must be a non-zero integer")
		}
		if (m.Kind == MoveSale || m.Kind == MoveTransferOut) && m.QtyDelta > 0 || (m.Kind == MoveReceipt || m.Kind == MoveTransferIn) && m.QtyDelta < 0 {
			return res, bad("a %s cannot have qty_delta %d", m.Kind, m.QtyDelta)
		}
		if m.At.IsZero() {
			m.At = now
		}
		if m.At.Before(minMovementTime) || m.At.After(now.Add(maxMovementAhead)) {
			return res, bad("at must be between 2000-01-01 and a day from now")
		}
		m.Posted, m.By, m.Ref = now, actor.Employee.Code, ""
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		// Before any location is read (see HoldLocations).
		if err := tx.HoldLocations(); err != nil {
			return err
		}
		res = MovementResult{}
		fresh, hashes, dups, err := s.freshMovements(tx, ms)
		if err != nil {
			return err
		}
		res.Duplicates = dups
		if err := s.checkMovements(tx, actor, fresh); err != nil {
			return err
		}
		if err := tx.ApplyMovements(fresh, hashes); err != nil {
			return err
		}
		res.Applied = len(fresh)
		if len(fresh) == 0 {
			return nil
		}
		return s.audit(tx, actor, "stock.movements", "stock", map[string]any{"applied": len(fresh), "first": fresh[0].MovementID})
	})
	return res, err
}

// freshMovements drops replays and refuses conflicting reuse of an id.
func (s *Service) freshMovements(tx MovementStore, ms []Movement) (fresh []Movement, hashes []string, dups int, err error) {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.MovementID
	}
	known, err := tx.MovementHashes(ids)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, m := range ms {
		h := m.Hash()
		if old, ok := known[m.MovementID]; ok {
			if old != h {
				return nil, nil, 0, Errorf(EConflict, "movement_id %s was used before with another payload", m.MovementID).With("movement_id", m.MovementID)
			}
			dups++
			continue
		}
		known[m.MovementID] = h
		fresh = append(fresh, m)
		hashes = append(hashes, h)
	}
	return fresh, hashes, dups, nil
}

// checkMovements checks SKUs and locations exist and are in scope, and that
// no freeze count covers them.
func (s *Service) checkMovements(tx Tx, actor Actor, ms []Movement) error {
	if len(ms) == 0 {
		return nil
	}
	var codes, skuCodes []string
	for _, m := range ms {
		codes = append(codes, m.Location)
		skuCodes = append(skuCodes, m.SKU)
	}
	locs, err := tx.LocationsByCode(codes)
	if err != nil {
		return err
	}
	skus, err := tx.SKUs(skuCodes)
	if err != nil {
		return err
	}
	// Before the open counts are read: a count opened at one of the stores
	// from now on waits for this transaction (see LockStoreStock).
	if err := tx.LockStoreStock(storeCodes(locs), false); err != nil {
		return err
	}
	frozen, err := tx.OpenCounts(PolicyFreeze)
	if err != nil {
		return err
	}
	for i, m := range ms {
		l, ok := locs[m.Location]
		if !ok || !actor.InScope(l) {
			return Errorf(ENotFound, "movement %d: location %s not found", i, m.Location).With("index", i)
		}
		sku, ok := skus[m.SKU]
		if !ok {
			return Errorf(EInvalid, "movement %d: SKU %s does not exist", i, m.SKU).With("index", i)
		}
		for _, c := range frozen {
			if c.covers(l, sku) {
				return Errorf(EConflict, "count %s freezes %s at %s until it closes", c.ID, m.SKU, c.Location).With("count_id", c.ID).With("index", i)
			}
		}
	}
	return nil
}

// storeCodes returns the codes of the stores of locs, each once.
func storeCodes(locs map[string]Location) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range locs {
		if c := l.storeCode(); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// frozenBy returns the first of counts that covers sku at l, or nil.
func frozenBy(counts []Count, l Location, sku SKU) *Count {
	for i := range counts {
		if counts[i].covers(l, sku) {
			return &counts[i]
		}
	}
	return nil
}

// covers reports whether stock of sku at l is inside the count's scope.
func (c Count) covers(l Location, sku SKU) bool {
	if !l.Under(c.Location) {
		return false
	}
	if len(c.Scope.Zones) > 0 {
		in := false
		for _, z := range c.Scope.Zones {
			in = in || l.Under(z)
		}
		if !in {
			return false
		}
	}
	return c.Scope.matchesSKU(sku)
}

// matchesSKU reports whether the scope's category and SKU filters admit sku.
func (sc CountScope) matchesSKU(sku SKU) bool {
	if len(sc.SKUs) > 0 && !contains(sc.SKUs, sku.SKU) {
		return false
	}
	if len(sc.Categories) > 0 && !contains(sc.Categories, sku.Category) {
		return false
	}
	return true
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// setStock turns "the book quantity is now qty" into a movement.
func setStock(current StockLevel, sku, location string, qty int64, at time.Time, by, ref string) Movement {
	return Movement{MovementID: newID("set_"), SKU: sku, Location: location, QtyDelta: qty - current.Qty, Kind: MoveSet, At: at, Posted: at, By: by, Ref: ref}
}
