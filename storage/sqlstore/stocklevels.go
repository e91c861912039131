package sqlstore

import (
	"hash/fnv"
	"slices"
	"sort"
	"time"

	"pandian/stock"
)

// StockLevels returns book quantities at locations under f.Paths (all when
// nil), optionally for one SKU.
func (t *tx) StockLevels(f stock.StockFilter) (_ []stock.StockLevel, err error) {
	defer wrapOp(&err, "StockLevels")
	q := `SELECT s.location, s.sku, s.qty, s.version, s.updated_at FROM stock_levels s`
	var where []string
	var args []any
	if f.Paths != nil {
		cond, a := underAny("l.path", f.Paths)
		q += ` JOIN locations l ON l.code = s.location`
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.SKU != "" {
		where = append(where, "s.sku = ?")
		args = append(args, f.SKU)
	}
	if f.AfterLocation != "" {
		where = append(where, "(s.location, s.sku) > (?, ?)")
		args = append(args, f.AfterLocation, f.AfterSKU)
	}
	for i, w := range where {
		if i == 0 {
			q += " WHERE " + w
		} else {
			q += " AND " + w
		}
	}
	q += ` ORDER BY s.location, s.sku`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stock.StockLevel{}
	for rows.Next() {
		var l stock.StockLevel
		var upd int64
		if err := rows.Scan(&l.Location, &l.SKU, &l.Qty, &l.Version, &upd); err != nil {
			return nil, err
		}
		l.Updated = fromMicros(upd)
		out = append(out, l)
	}
	return out, rows.Err()
}

// MovementHashes returns the payload hashes of the movements already posted
// among ids.
func (t *tx) MovementHashes(ids []string) (_ map[string]string, err error) {
	defer wrapOp(&err, "MovementHashes")
	return t.hashes(`SELECT movement_id, hash FROM movements WHERE movement_id IN (`, ids)
}

// hashes runs an "id, hash … IN (" query over ids in chunks.
func (t *tx) hashes(prefix string, ids []string) (map[string]string, error) {
	out := make(map[string]string)
	err := chunks(uniq(ids), 500, func(part []string) error {
		rows, err := t.query(prefix+placeholders(len(part))+`)`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, h string
			if err := rows.Scan(&id, &h); err != nil {
				return err
			}
			out[id] = h
		}
		return rows.Err()
	})
	return out, err
}

// ApplyMovements adds each movement to its stock level, bumping the level's
// version, and records it with that version. Rows are written in multi-row
// statements; a level moved twice in one call is handled in passes so that
// no statement touches a row twice.
func (t *tx) ApplyMovements(ms []stock.Movement, hashes []string) (err error) {
	defer wrapOp(&err, "ApplyMovements")
	now := time.Now().UnixMicro()
	pending := make([]int, len(ms))
	for i := range ms {
		pending[i] = i
	}
	for len(pending) > 0 {
		seen := map[[2]string]bool{}
		var pass, later []int
		for _, i := range pending {
			k := [2]string{ms[i].Location, ms[i].SKU}
			if seen[k] {
				later = append(later, i)
				continue
			}
			seen[k] = true
			pass = append(pass, i)
		}
		// Levels are locked in key order, so that two postings moving the
		// same levels at once (an approval and a receipt) wait for each
		// other instead of deadlocking. A level's own movements keep
		// their order: one per pass.
		sort.SliceStable(pass, func(a, b int) bool {
			x, y := &ms[pass[a]], &ms[pass[b]]
			if x.Location != y.Location {
				return x.Location < y.Location
			}
			return x.SKU < y.SKU
		})
		err := chunks(pass, 400, func(part []int) error {
			args := make([]any, 0, 4*len(part))
			for _, i := range part {
				args = append(args, ms[i].Location, ms[i].SKU, ms[i].QtyDelta, now)
			}
			rows, err := t.query(`INSERT INTO stock_levels (location, sku, qty, updated_at, version) VALUES `+
				levelRows(len(part))+`
				ON CONFLICT (location, sku) DO UPDATE SET qty = stock_levels.qty + excluded.qty,
				version = stock_levels.version + 1, updated_at = excluded.updated_at
				RETURNING location, sku, version`, args...)
			if err != nil {
				return err
			}
			versions := map[[2]string]int64{}
			for rows.Next() {
				var loc, sku string
				var v int64
				if err := rows.Scan(&loc, &sku, &v); err != nil {
					rows.Close()
					return err
				}
				versions[[2]string{loc, sku}] = v
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			margs := make([]any, 0, 12*len(part))
			for _, i := range part {
				m := &ms[i]
				m.Version = versions[[2]string{m.Location, m.SKU}]
				margs = append(margs, m.MovementID, hashes[i], m.SKU, m.Location, m.QtyDelta, string(m.Kind), micros(m.At), m.Reason, m.Ref, m.By, m.Version, micros(m.Posted))
			}
			_, err = t.exec(`INSERT INTO movements (movement_id, hash, sku, location, qty_delta, kind, at, reason, ref, by_employee, version, posted_at) VALUES `+rowsOf(len(part), 12), margs...)
			return err
		})
		if err != nil {
			return err
		}
		pending = later
	}
	return nil
}

// LockLevels locks the levels at keys, which are in (location, sku) order,
// creating the missing ones at 0 with version 0: one upsert per chunk,
// whose update changes nothing but takes the row's lock, in key order (a
// posting's order, so the two wait for each other rather than deadlock).
// Its RETURNING reads each level as it is once locked, committed changes
// of other transactions included (PostgreSQL re-reads a row it waited
// for).
func (t *tx) LockLevels(keys [][2]string) (_ map[[2]string]stock.StockLevel, err error) {
	defer wrapOp(&err, "LockLevels")
	now := time.Now().UnixMicro()
	out := make(map[[2]string]stock.StockLevel, len(keys))
	err = chunks(keys, 400, func(part [][2]string) error {
		args := make([]any, 0, 3*len(part))
		for _, k := range part {
			args = append(args, k[0], k[1], now)
		}
		rows, err := t.query(`INSERT INTO stock_levels (location, sku, qty, updated_at, version) VALUES `+
			rowsOfLiteral(len(part), "(?, ?, 0, ?, 0)")+`
			ON CONFLICT (location, sku) DO UPDATE SET qty = stock_levels.qty
			RETURNING location, sku, qty, version, updated_at`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l stock.StockLevel
			var upd int64
			if err := rows.Scan(&l.Location, &l.SKU, &l.Qty, &l.Version, &upd); err != nil {
				return err
			}
			l.Updated = fromMicros(upd)
			out[[2]string{l.Location, l.SKU}] = l
		}
		return rows.Err()
	})
	return out, err
}

// rowsOfLiteral returns n copies of group, comma separated.
func rowsOfLiteral(n int, group string) string {
	b := make([]byte, 0, n*(len(group)+1))
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, group...)
	}
	return string(b)
}

// levelRows returns n "(?, ?, ?, ?, 1)" groups: a new level starts at
// version 1.
func levelRows(n int) string {
	b := make([]byte, 0, n*17)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "(?, ?, ?, ?, 1)"...)
	}
	return string(b)
}

// storeStockLockClass is the first key of the PostgreSQL advisory locks of
// stores' stock (the second is a hash of the store's code).
const storeStockLockClass = 0x73746f6b // "stok"

// maxStoreStockLocks is how many stores' locks a writer takes one by one;
// past it (PostgreSQL's lock table is bounded) it takes the lock of count
// openings (SerializeCountOpening) instead, which every count opening
// takes before its store's.
const maxStoreStockLocks = 64

// LockStoreStock takes the stores' stock locks in key order (PostgreSQL;
// SQLite's writes are serial already). Codes whose hashes collide share a
// lock: that only makes them take turns.
func (t *tx) LockStoreStock(stores []string, exclusive bool) (err error) {
	defer wrapOp(&err, "LockStoreStock")
	if t.d.name != "postgres" || len(stores) == 0 {
		return nil
	}
	keys := make([]int32, 0, len(stores))
	for _, s := range stores {
		h := fnv.New32a()
		h.Write([]byte(s))
		keys = append(keys, int32(h.Sum32()))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if !exclusive && len(keys) > maxStoreStockLocks {
		_, err = t.exec(`SELECT pg_advisory_xact_lock(?)`, countOpeningLock)
		return err
	}
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	for _, k := range keys {
		if _, err := t.exec(`SELECT `+fn+`(?, ?)`, storeStockLockClass, k); err != nil {
			return err
		}
	}
	return nil
}
