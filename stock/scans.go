package stock

import (
	"context"
	"math"
	"time"
)

// prepared is one scan of a batch after validation and parsing.
type prepared struct {
	in     ScanInput
	at     time.Time
	hash   string
	parsed ParsedCode
}

// validateScan checks one scan's fields; it returns a rejection for bad ones.
func (s *Service) validateScan(countID string, in ScanInput, now time.Time, device string) (prepared, *ScanRejection) {
	rej := func(msg string) (prepared, *ScanRejection) {
		return prepared{}, &ScanRejection{EventID: in.EventID, Code: EInvalid, Message: msg}
	}
	if in.EventID == "" || len(in.EventID) > 100 || validText("event_id", in.EventID, true, 100) != nil {
		return rej("event_id is required (at most 100 characters)")
	}
	if err := validRawCode(in.Code); err != nil {
		return rej(ErrorMessage(err))
	}
	if in.Qty == 0 || in.Qty > 100000 || in.Qty < -100000 {
		return rej("qty must be a non-zero integer between -100000 and 100000")
	}
	if len(in.Bin) > 64 || len(in.DeviceID) > 100 || validText("device_id", in.DeviceID, false, 100) != nil {
		return rej("bin or device_id too long")
	}
	at := now
	if in.ScannedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, in.ScannedAt)
		if err != nil {
			return rej("scanned_at must be an RFC 3339 time")
		}
		// A time far off (a clock reset to 1970, or set years ahead) is
		// kept as sent and flagged in resolveScans, not refused: the
		// count happened.
		at = t.UTC()
	}
	for _, v := range []*float64{in.Lat, in.Lon} {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			return rej("lat and lon must be finite numbers")
		}
	}
	if in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90) || in.Lon != nil && (*in.Lon < -180 || *in.Lon > 180) {
		return rej("lat must be -90..90 and lon -180..180")
	}
	if in.DeviceID == "" {
		in.DeviceID = device
	}
	p, err := s.codes.ParseCode(in.Code)
	if err != nil {
		return rej(ErrorMessage(err))
	}
	// A scan sent without a time is the same scan when replayed without
	// one: its receipt time is not part of its identity.
	sent := time.Time{}
	if in.ScannedAt != "" {
		sent = at
	}
	return prepared{in: in, at: at, hash: scanHash(countID, in, sent), parsed: p}, nil
}

// IngestScans records a batch of scans. Each scan is judged on its own: a
// replay (same event_id, same payload) is a duplicate and counts once, the
// same event_id with another payload is a conflict, unknown codes and scans
// for a count that no longer accepts them are kept for the reviewer but not
// counted. A line never goes below zero: reports apply a negative
// correction only down to zero, in arrival order (see floors).
// When IngestScans returns, every accepted scan is durably stored.
func (s *Service) IngestScans(ctx context.Context, actor Actor, countID string, batch []ScanInput) (ScanResult, error) {
	res := ScanResult{Rejected: []ScanRejection{}}
	if err := actor.Require(PermScan); err != nil {
		return res, err
	}
	if len(batch) == 0 {
		return res, Errorf(EInvalid, "scans is empty")
	}
	if len(batch) > s.cfg.MaxScansPerBatch {
		return res, Errorf(ETooLarge, "at most %d scans per request", s.cfg.MaxScansPerBatch)
	}
	now := s.Now().UTC()
	var rejected []ScanRejection
	preps := make([]prepared, 0, len(batch))
	inBatch := map[string]string{}
	dups := 0
	for _, in := range batch {
		p, rej := s.validateScan(countID, in, now, actor.DeviceID)
		if rej != nil {
			rejected = append(rejected, *rej)
			continue
		}
		if h, ok := inBatch[in.EventID]; ok {
			if h == p.hash {
				dups++
			} else {
				rejected = append(rejected, ScanRejection{EventID: in.EventID, Code: EConflict, Message: "event_id repeated in this batch with another payload"})
			}
			continue
		}
		inBatch[in.EventID] = p.hash
		preps = append(preps, p)
	}
	var unfolded int64
	err := s.store.Write(ctx, func(tx Tx) error {
		res.Accepted, res.Duplicates, res.Rejected = 0, dups, append([]ScanRejection{}, rejected...)
		c, err := tx.CountForScans(countID)
		if err != nil {
			return err
		}
		if c, err = inScope(actor, c); err != nil {
			return err
		}
		// Replays are found by the insert itself (a stored event_id is
		// skipped and its stored payload compared below): most scans are
		// new, so no lookup before.
		fresh := preps
		if len(fresh) == 0 {
			return nil
		}
		scans, rejects, err := s.resolveScans(tx, actor, c, fresh, now)
		if err != nil {
			return err
		}
		skipped, err := tx.InsertScans(scans)
		if err != nil {
			return err
		}
		// Scans whose event_id was stored before (by an earlier or a
		// concurrent request) are replays or conflicts, not new scans.
		raced := map[string]bool{}
		for _, id := range skipped {
			raced[id] = true
		}
		for _, r := range rejects {
			if !raced[r.EventID] {
				res.Rejected = append(res.Rejected, r)
			}
		}
		for _, sc := range scans {
			if sc.Status == ScanCounted && !raced[sc.EventID] {
				res.Accepted++
			}
		}
		if res.Accepted > 0 {
			if unfolded, err = tx.LinesToFold(countID); err != nil {
				return err
			}
		}
		if len(skipped) == 0 {
			return nil
		}
		stored, err := tx.ScanHashes(skipped)
		if err != nil {
			return err
		}
		for _, sc := range scans {
			if !raced[sc.EventID] {
				continue
			}
			if stored[sc.EventID] == sc.Hash {
				res.Duplicates++
			} else {
				res.Rejected = append(res.Rejected, ScanRejection{EventID: sc.EventID, Code: EConflict, Message: "event_id was used before with another payload"})
			}
		}
		return nil
	})
	if err == nil && unfolded >= foldEvery {
		// The scans are stored; folding is upkeep. Should it fail, the next
		// batch or the close folds them.
		_ = s.foldLines(ctx, countID)
	}
	return res, err
}

// foldEvery is how many counted scans of a count may wait before ingest
// folds their SKUs into the count's lines (ScanStore.FoldLines): a count
// view reads at most about this many scans, and the lines index is
// written once per fold rather than once per request.
const foldEvery = 50000

// foldLines folds a count's lines, holding the count: ingests of it wait
// for the fold (a few tens of milliseconds).
func (s *Service) foldLines(ctx context.Context, countID string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Count(countID, true); err != nil {
			return err
		}
		return tx.FoldLines(countID)
	})
}

// resolveScans turns fresh scans into stored scans: SKU and pack quantity,
// bin and zone, the status each one gets, and the quantity it applies.
func (s *Service) resolveScans(tx Tx, actor Actor, c Count, fresh []prepared, now time.Time) ([]Scan, []ScanRejection, error) {
	var keys, bins []string
	for _, p := range fresh {
		keys = append(keys, p.parsed.Keys...)
		if p.in.Bin != "" {
			bins = append(bins, p.in.Bin)
		}
	}
	matches, err := tx.LookupBarcodes(keys)
	if err != nil {
		return nil, nil, err
	}
	binLocs, err := tx.LocationsByCode(bins)
	if err != nil {
		return nil, nil, err
	}
	var recount map[string]string // sku -> assignee, during a recount round
	if c.Status == StatusRecount {
		lines, err := tx.Recounts(c.ID)
		if err != nil {
			return nil, nil, err
		}
		recount = map[string]string{}
		for _, l := range lines {
			if l.Round == c.Round {
				recount[l.SKU] = l.Assignee
			}
		}
	}
	var rejects []ScanRejection
	scans := make([]Scan, 0, len(fresh))
	category := map[string]string{}
	retired := map[string]*time.Time{}
	for _, p := range fresh {
		sc := Scan{EventID: p.in.EventID, CountID: c.ID, Round: c.Round, Status: ScanCounted, Code: p.in.Code,
			GTIN: p.parsed.GTIN, Lot: p.parsed.Lot, Expiry: p.parsed.Expiry, Qty: p.in.Qty, PackQty: 1,
			Bin: p.in.Bin, Employee: actor.Employee.Code, Role: actor.Role(), DeviceID: p.in.DeviceID,
			ScannedAt: p.at, ReceivedAt: now, Lat: p.in.Lat, Lon: p.in.Lon, Hash: p.hash}
		sc.ClockSuspect = s.clockSuspect(c, p.at, now)
		if sc.DeviceID == "" {
			sc.DeviceID = actor.DeviceID
		}
		reject := func(code string, status ScanStatus, msg string) {
			sc.Status = status
			rejects = append(rejects, ScanRejection{EventID: sc.EventID, Code: code, Message: msg})
		}
		if p.in.Bin != "" {
			b, ok := binLocs[p.in.Bin]
			if !ok {
				rejects = append(rejects, ScanRejection{EventID: sc.EventID, Code: EInvalid, Message: "bin " + p.in.Bin + " does not exist"})
				continue
			}
			if b.Kind == KindBin {
				sc.Zone = b.Parent
			} else if b.Kind == KindZone {
				sc.Zone = b.Code
			}
		}
		for _, k := range p.parsed.Keys {
			if m, ok := matches[k]; ok {
				sc.SKU, sc.PackQty = m.SKU, m.PackQty
				category[m.SKU], retired[m.SKU] = m.Category, m.RetiredAt
				break
			}
		}
		switch {
		case !c.Status.Accepting():
			reject(EConflict, ScanLate, "count "+c.ID+" is "+string(c.Status)+"; the scan is kept for the reviewer but not counted")
		case sc.SKU == "":
			reject("unknown_code", ScanUnknown, "no SKU has the code "+p.parsed.Text+"; kept for the reviewer")
		case retired[sc.SKU] != nil && !c.OpenedAt.Before(*retired[sc.SKU]):
			// Counts opened before the SKU was retired still count it.
			reject("retired", ScanOutOfScope, "SKU "+sc.SKU+" was retired on "+retired[sc.SKU].Format("2006-01-02")+"; kept for the reviewer but not counted")
		case !c.Scope.matchesSKU(SKU{SKU: sc.SKU, Category: category[sc.SKU]}):
			reject("out_of_scope", ScanOutOfScope, "SKU "+sc.SKU+" is outside this count's scope")
		case p.in.Bin != "" && !c.binInScope(binLocs[p.in.Bin]):
			reject("out_of_scope", ScanOutOfScope, "bin "+p.in.Bin+" is outside this count")
		case recount != nil && recount[sc.SKU] == "":
			reject(EConflict, ScanOutOfScope, "line "+sc.SKU+" is not open for recount")
		case recount != nil && recount[sc.SKU] != actor.Employee.Code && actor.Role() == RoleCounter:
			reject(EForbidden, ScanOutOfScope, "the recount of "+sc.SKU+" is assigned to "+recount[sc.SKU])
		}
		if sc.Status == ScanCounted {
			sc.AppliedQty = sc.Qty * sc.PackQty
		}
		scans = append(scans, sc)
	}
	return scans, rejects, nil
}

// clockSuspect reports whether a scan's device time cannot be true: before
// its count opened or after the server received it, beyond the allowed
// skew. Such a time says nothing about when the shelf was seen.
func (s *Service) clockSuspect(c Count, at, received time.Time) bool {
	skew := s.cfg.ClockSkew
	if !c.OpenedAt.IsZero() && at.Before(c.OpenedAt.Add(-skew)) {
		return true
	}
	return at.After(received.Add(skew))
}

// binInScope reports whether a bin (or zone) belongs to the count.
func (c Count) binInScope(b Location) bool {
	if !b.Under(c.Location) {
		return false
	}
	if len(c.Scope.Zones) == 0 {
		return true
	}
	for _, z := range c.Scope.Zones {
		if b.Under(z) {
			return true
		}
	}
	return false
}

// CountScans lists a count's scans for drill-down; counters see their own.
func (s *Service) CountScans(ctx context.Context, actor Actor, id string, f ScanFilter) (out []Scan, err error) {
	if err := actor.Require(PermReadReports); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 1000
	}
	f.CountID = id
	if actor.Role() == RoleCounter {
		f.Employee = actor.Employee.Code
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		if _, err := s.countInScope(tx, actor, id, false); err != nil {
			return err
		}
		out, err = tx.Scans(f)
		return err
	})
	if out == nil {
		out = []Scan{}
	}
	return out, err
}
