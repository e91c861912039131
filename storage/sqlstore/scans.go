package sqlstore

import (
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"pandian/stock"
)

// scanCols are the columns written per scan, in order.
const scanCols = `event_id, count_id, round, actor, status, sku, applied_qty, scanned_at, qty, pack_qty,
	code, gtin, lot, expiry, bin, device_id, received_at, pos, lat, lon, hash, clock_suspect`

// scanWidth is the number of columns written per scan.
const scanWidth = 22

// ScanHashes returns the payload hashes of the scans already stored among
// eventIDs.
func (t *tx) ScanHashes(eventIDs []string) (_ map[string]string, err error) {
	defer wrapOp(&err, "ScanHashes")
	return t.hashes(`SELECT event_id, hash FROM scans WHERE event_id IN (`, eventIDs)
}

// ScanDeltas returns the applied quantities of the counted scans of skus,
// in arrival order.
func (t *tx) ScanDeltas(countID string, skus []string) (_ []stock.ScanDelta, err error) {
	defer wrapOp(&err, "ScanDeltas")
	var out []stock.ScanDelta
	err = chunks(uniq(skus), 500, func(part []string) error {
		rows, err := t.query(`SELECT sku, round, applied_qty FROM scans WHERE count_id = ? AND status = 'counted'
			AND sku IN (`+placeholders(len(part))+`) ORDER BY received_at, pos, seq`, append([]any{countID}, anys(part)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d stock.ScanDelta
			if err := rows.Scan(&d.SKU, &d.Round, &d.Qty); err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// InsertScans stores scans with multi-row inserts. A scan whose event_id a
// concurrent transaction stored first is skipped (PostgreSQL waits for
// that transaction, then leaves the row alone) and returned.
func (t *tx) InsertScans(scans []stock.Scan) (_ []string, err error) {
	defer wrapOp(&err, "InsertScans")
	actors, err := t.actorIDs(scans)
	if err != nil {
		return nil, err
	}
	// On PostgreSQL, concurrent ingests of the same events (a device
	// replaying its queue while the first send is still in flight) must
	// take the event_id locks in one order, or they deadlock; SQLite's
	// writes are serial. The scans' place in
	// the request is kept in pos: (received_at, pos) is the arrival order.
	type placed struct {
		stock.Scan
		pos int
	}
	sorted := make([]placed, len(scans))
	for i, s := range scans {
		sorted[i] = placed{s, i}
	}
	if t.d.name == "postgres" {
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].EventID < sorted[j].EventID })
	}
	var skipped []string
	p := progressTally{}
	err = chunks(sorted, 1000, func(part []placed) error {
		args := make([]any, 0, scanWidth*len(part))
		for i := range part {
			s := &part[i]
			args = append(args, s.EventID, s.CountID, s.Round, actors[actorKey{s.Employee, string(s.Role), s.Zone}], string(s.Status), s.SKU,
				s.AppliedQty, micros(s.ScannedAt), s.Qty, s.PackQty, s.Code, s.GTIN, s.Lot, s.Expiry, s.Bin, s.DeviceID,
				micros(s.ReceivedAt), s.pos, nullFloat(s.Lat), nullFloat(s.Lon), s.Hash, boolInt(s.ClockSuspect))
		}
		rows, err := t.query(`INSERT INTO scans (`+scanCols+`) VALUES `+rowsOf(len(part), scanWidth)+`
			ON CONFLICT (event_id) DO NOTHING RETURNING event_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		inserted := make(map[string]bool, len(part))
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			inserted[id] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, s := range part {
			if !inserted[s.EventID] {
				skipped = append(skipped, s.EventID)
				continue
			}
			p.add(&s.Scan)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return skipped, t.addProgress(p)
}

// progressKey is a counter row of count_progress (less its stripe).
type progressKey struct{ count, status string }

// progressTally is what one insert adds to count_progress: the scans it
// really stored (not those skipped as replays).
type progressTally map[progressKey]*progressRow

type progressRow struct{ n, suspect int64 }

func (p *progressTally) add(s *stock.Scan) {
	if *p == nil {
		*p = progressTally{}
	}
	k := progressKey{s.CountID, string(s.Status)}
	r := (*p)[k]
	if r == nil {
		r = &progressRow{}
		(*p)[k] = r
	}
	r.n++
	if s.ClockSuspect {
		r.suspect++
	}
}

// progressStripes is the number of counter rows per count and status on
// PostgreSQL (see migration 0012).
const progressStripes = 64

// addProgress adds what an insert stored to the counters of its counts, in
// the same transaction, in key order (concurrent ingests that share a
// stripe wait for each other without a deadlock).
func (t *tx) addProgress(p progressTally) error {
	if len(p) == 0 {
		return nil
	}
	keys := make([]progressKey, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].count != keys[j].count {
			return keys[i].count < keys[j].count
		}
		return keys[i].status < keys[j].status
	})
	stripe := "0"
	if t.d.name == "postgres" {
		stripe = "pg_backend_pid() % " + strconv.Itoa(progressStripes)
	}
	values := make([]string, len(keys))
	args := make([]any, 0, 4*len(keys))
	for i, k := range keys {
		r := p[k]
		values[i] = "(?, ?, " + stripe + ", ?, ?)"
		args = append(args, k.count, k.status, r.n, r.suspect)
	}
	_, err := t.exec(`INSERT INTO count_progress (count_id, status, stripe, n, suspect) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (count_id, status, stripe) DO UPDATE SET n = count_progress.n + excluded.n,
		suspect = count_progress.suspect + excluded.suspect`, args...)
	return err
}

// folded reads a count's fold of its lines (zeros before the first).
func (t *tx) folded(countID string) (seq, folded, lines int64, err error) {
	err = t.queryRow(`SELECT folded_seq, folded, lines FROM count_lines_folded WHERE count_id = ?`, countID).Scan(&seq, &folded, &lines)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return seq, folded, lines, err
}

// LinesToFold returns how many counted scans of a count are not folded
// into its lines yet.
func (t *tx) LinesToFold(countID string) (_ int64, err error) {
	defer wrapOp(&err, "LinesToFold")
	var n int64
	err = t.queryRow(`SELECT COALESCE((SELECT SUM(n) FROM count_progress WHERE count_id = ? AND status = 'counted'), 0)
		- COALESCE((SELECT folded FROM count_lines_folded WHERE count_id = ?), 0)`, countID, countID).Scan(&n)
	return n, err
}

// FoldLines folds the SKUs of a count's counted scans stored since the
// last fold into count_lines. The caller holds the count (Count with
// forUpdate): on PostgreSQL no ingest of it is in flight then, so every
// scan up to the last one seen is committed, and later ones get a higher
// seq.
func (t *tx) FoldLines(countID string) (err error) {
	defer wrapOp(&err, "FoldLines")
	from, _, _, err := t.folded(countID)
	if err != nil {
		return err
	}
	var upTo sql.NullInt64
	var counted int64
	if err := t.queryRow(`SELECT MAX(seq), COALESCE(SUM(CASE WHEN status = 'counted' THEN 1 ELSE 0 END), 0) FROM scans WHERE count_id = ? AND seq > ?`,
		countID, from).Scan(&upTo, &counted); err != nil || !upTo.Valid {
		return err
	}
	res, err := t.exec(`INSERT INTO count_lines (count_id, sku)
		SELECT DISTINCT count_id, sku FROM scans WHERE count_id = ? AND seq > ? AND seq <= ? AND status = 'counted'
		ON CONFLICT (count_id, sku) DO NOTHING`, countID, from, upTo.Int64)
	if err != nil {
		return err
	}
	lines, err := res.RowsAffected()
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO count_lines_folded (count_id, folded_seq, folded, lines) VALUES (?, ?, ?, ?)
		ON CONFLICT (count_id) DO UPDATE SET folded_seq = excluded.folded_seq,
		folded = count_lines_folded.folded + excluded.folded, lines = count_lines_folded.lines + excluded.lines`,
		countID, upTo.Int64, counted, lines)
	return err
}

// actorKey is an entry of the scan_actors dictionary.
type actorKey struct{ employee, role, zone string }

func (a actorKey) less(b actorKey) bool {
	if a.employee != b.employee {
		return a.employee < b.employee
	}
	if a.role != b.role {
		return a.role < b.role
	}
	return a.zone < b.zone
}

// actorIDs returns the dictionary ids of the scans' (employee, role, zone),
// adding the ones not seen before.
func (t *tx) actorIDs(scans []stock.Scan) (map[actorKey]int64, error) {
	ids := map[actorKey]int64{}
	for _, s := range scans {
		ids[actorKey{s.Employee, string(s.Role), s.Zone}] = 0
	}
	lookup := func() error {
		for k, id := range ids {
			if id != 0 {
				continue
			}
			err := t.queryRow(`SELECT id FROM scan_actors WHERE employee = ? AND role = ? AND zone = ?`, k.employee, k.role, k.zone).Scan(&id)
			if err == nil {
				ids[k] = id
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return nil
	}
	if err := lookup(); err != nil {
		return nil, err
	}
	// New entries are added in key order: on PostgreSQL two ingests adding
	// the same new actors wait for each other's uniqueness checks, and in
	// the map's random order they would deadlock.
	var missing []actorKey
	for k, id := range ids {
		if id == 0 {
			missing = append(missing, k)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].less(missing[j]) })
	for _, k := range missing {
		if _, err := t.exec(`INSERT INTO scan_actors (employee, role, zone) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, k.employee, k.role, k.zone); err != nil {
			return nil, err
		}
	}
	if len(missing) > 0 {
		if err := lookup(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// actors returns the dictionary entries with the given ids.
func (t *tx) actors(ids []int64) (map[int64]actorKey, error) {
	out := map[int64]actorKey{}
	args := make([]any, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	err := chunks(args, 500, func(part []any) error {
		rows, err := t.query(`SELECT id, employee, role, zone FROM scan_actors WHERE id IN (`+placeholders(len(part))+`)`, part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var k actorKey
			if err := rows.Scan(&id, &k.employee, &k.role, &k.zone); err != nil {
				return err
			}
			out[id] = k
		}
		return rows.Err()
	})
	return out, err
}

// ScanAggregates sums a count's counted scans by SKU, round and actor
// (employee, role, zone) in one pass, and its unknown codes by code.
func (t *tx) ScanAggregates(countID string) (_ []stock.ScanAggregate, _ []stock.UnresolvedCode, err error) {
	defer wrapOp(&err, "ScanAggregates")
	// About one aggregate per snapshot line: size the slices once.
	var lines int
	if err := t.queryRow(`SELECT COUNT(*) FROM count_snapshot WHERE count_id = ?`, countID).Scan(&lines); err != nil {
		return nil, nil, err
	}
	// A scan with a suspect clock is placed at its receipt time.
	rows, err := t.query(`SELECT sku, round, actor, SUM(applied_qty), COUNT(*),
		MAX(CASE WHEN clock_suspect <> 0 THEN received_at ELSE scanned_at END), MIN(applied_qty)
		FROM scans WHERE count_id = ? AND status = 'counted' GROUP BY sku, round, actor`, countID)
	if err != nil {
		return nil, nil, err
	}
	out := make([]stock.ScanAggregate, 0, lines+lines/8+64)
	actorOf := make([]int64, 0, cap(out))
	for rows.Next() {
		var a stock.ScanAggregate
		var actor, last int64
		if err := rows.Scan(&a.SKU, &a.Round, &actor, &a.Qty, &a.Scans, &last, &a.MinQty); err != nil {
			rows.Close()
			return nil, nil, err
		}
		a.LastAt = fromMicros(last)
		out = append(out, a)
		actorOf = append(actorOf, actor)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	names, err := t.actors(actorOf)
	if err != nil {
		return nil, nil, err
	}
	for i := range out {
		k := names[actorOf[i]]
		out[i].Employee, out[i].Role, out[i].Zone = k.employee, stock.Role(k.role), k.zone
	}
	rows, err = t.query(`SELECT code, COUNT(*), SUM(qty) FROM scans WHERE count_id = ? AND status = 'unknown_code' GROUP BY code ORDER BY code`, countID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	codes := []stock.UnresolvedCode{}
	for rows.Next() {
		var u stock.UnresolvedCode
		if err := rows.Scan(&u.Code, &u.Scans, &u.Qty); err != nil {
			return nil, nil, err
		}
		codes = append(codes, u)
	}
	return out, codes, rows.Err()
}

// Scans lists a count's scans in arrival order (request by request, each in
// the order the device sent), for drill-down.
func (t *tx) Scans(f stock.ScanFilter) (_ []stock.Scan, err error) {
	defer wrapOp(&err, "Scans")
	q := `SELECT s.event_id, s.count_id, s.round, a.employee, a.role, a.zone, s.status, s.sku, s.applied_qty, s.scanned_at, s.qty, s.pack_qty,
		s.code, s.gtin, s.lot, s.expiry, s.bin, s.device_id, s.received_at, s.lat, s.lon, s.hash, s.clock_suspect
		FROM scans s JOIN scan_actors a ON a.id = s.actor WHERE s.count_id = ?`
	args := []any{f.CountID}
	for _, c := range []struct{ col, v string }{{"s.sku", f.SKU}, {"s.status", string(f.Status)}, {"a.employee", f.Employee}} {
		if c.v != "" {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if f.After != "" {
		q += ` AND (s.received_at, s.pos, s.seq) > (SELECT received_at, pos, seq FROM scans WHERE event_id = ?)`
		args = append(args, f.After)
	}
	q += ` ORDER BY s.received_at, s.pos, s.seq LIMIT ?`
	args = append(args, f.Limit)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Scan
	for rows.Next() {
		var s stock.Scan
		var scanned, received, suspect int64
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&s.EventID, &s.CountID, &s.Round, &s.Employee, &s.Role, &s.Zone, &s.Status, &s.SKU, &s.AppliedQty, &scanned,
			&s.Qty, &s.PackQty, &s.Code, &s.GTIN, &s.Lot, &s.Expiry, &s.Bin, &s.DeviceID, &received, &lat, &lon, &s.Hash, &suspect); err != nil {
			return nil, err
		}
		// scanned_at is never empty (the receipt time when none was sent):
		// 0 is 1970-01-01, the time a reset device clock sends.
		s.ScannedAt, s.ReceivedAt, s.ClockSuspect = time.UnixMicro(scanned).UTC(), fromMicros(received), suspect != 0
		if lat.Valid {
			s.Lat = &lat.Float64
		}
		if lon.Valid {
			s.Lon = &lon.Float64
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// LotTotals sums a count's counted scans that carry a lot or an expiry
// date, by SKU, lot and expiry.
func (t *tx) LotTotals(countID string) (_ []stock.LotLine, err error) {
	defer wrapOp(&err, "LotTotals")
	rows, err := t.query(`SELECT sku, lot, expiry, SUM(applied_qty), COUNT(*) FROM scans
		WHERE count_id = ? AND status = 'counted' AND (lot <> '' OR expiry <> '')
		GROUP BY sku, lot, expiry ORDER BY sku, expiry, lot`, countID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stock.LotLine{}
	for rows.Next() {
		var l stock.LotLine
		if err := rows.Scan(&l.SKU, &l.Lot, &l.Expiry, &l.CountedQty, &l.Scans); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ScanStats reads a count's progress: its counters (kept by InsertScans),
// its folded lines and the SKUs of the counted scans since the fold that
// are new lines. A few rows and the scans since the last fold, whatever
// the number of scans.
func (t *tx) ScanStats(countID string) (_ stock.ScanStats, err error) {
	defer wrapOp(&err, "ScanStats")
	var st stock.ScanStats
	rows, err := t.query(`SELECT status, SUM(n), SUM(suspect) FROM count_progress WHERE count_id = ? GROUP BY status`, countID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n, suspect int64
		if err := rows.Scan(&status, &n, &suspect); err != nil {
			return st, err
		}
		st.Scans += n
		st.ClockSuspect += suspect
		switch stock.ScanStatus(status) {
		case stock.ScanCounted:
			st.Counted = n
		case stock.ScanUnknown:
			st.Unknown = n
		case stock.ScanLate:
			st.Late = n
		case stock.ScanOutOfScope:
			st.Rejected = n
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	seq, _, lines, err := t.folded(countID)
	if err != nil {
		return st, err
	}
	var more int64
	err = t.queryRow(`SELECT COUNT(DISTINCT s.sku) FROM scans s WHERE s.count_id = ? AND s.seq > ? AND s.status = 'counted'
		AND NOT EXISTS (SELECT 1 FROM count_lines l WHERE l.count_id = s.count_id AND l.sku = s.sku)`, countID, seq).Scan(&more)
	st.Lines = lines + more
	return st, err
}

// boolInt stores a flag as 0 or 1 (portable to both databases).
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
