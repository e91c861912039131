package sqlstore

import (
	"database/sql"

	"pandian/stock"
)

// scanWidth is the number of columns written per scan.
const scanWidth = 22

const scanCols = `event_id, hash, count_id, round, status, code, sku, gtin, lot, expiry, qty, pack_qty, applied_qty,
	bin, zone, employee, role, device_id, scanned_at, received_at, lat, lon`

// ScanHashes returns the payload hashes of the scans already stored among
// eventIDs.
func (t *tx) ScanHashes(eventIDs []string) (map[string]string, error) {
	return t.hashes(`SELECT event_id, hash FROM scans WHERE event_id IN (`, eventIDs)
}

// ScanDeltas returns the applied quantities of the counted scans of skus,
// in arrival order.
func (t *tx) ScanDeltas(countID string, skus []string) ([]stock.ScanDelta, error) {
	var out []stock.ScanDelta
	err := chunks(uniq(skus), 500, func(part []string) error {
		rows, err := t.query(`SELECT sku, round, applied_qty FROM scans WHERE count_id = ? AND status = 'counted'
			AND sku IN (`+placeholders(len(part))+`) ORDER BY seq`, append([]any{countID}, anys(part)...)...)
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

// InsertScans stores scans with multi-row inserts.
func (t *tx) InsertScans(scans []stock.Scan) error {
	return chunks(scans, 1000, func(part []stock.Scan) error {
		args := make([]any, 0, scanWidth*len(part))
		for i := range part {
			s := &part[i]
			args = append(args, s.EventID, s.Hash, s.CountID, s.Round, string(s.Status), s.Code, s.SKU, s.GTIN, s.Lot, s.Expiry,
				s.Qty, s.PackQty, s.AppliedQty, s.Bin, s.Zone, s.Employee, string(s.Role), s.DeviceID,
				micros(s.ScannedAt), micros(s.ReceivedAt), nullFloat(s.Lat), nullFloat(s.Lon))
		}
		_, err := t.exec(`INSERT INTO scans (`+scanCols+`) VALUES `+rowsOf(len(part), scanWidth), args...)
		return err
	})
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// ScanAggregates sums a count's counted scans by SKU, round, employee, role
// and zone.
func (t *tx) ScanAggregates(countID string) ([]stock.ScanAggregate, error) {
	rows, err := t.query(`SELECT sku, round, employee, role, zone, SUM(applied_qty), COUNT(*), MAX(scanned_at), MIN(applied_qty)
		FROM scans WHERE count_id = ? AND status = 'counted'
		GROUP BY sku, round, employee, role, zone`, countID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.ScanAggregate
	for rows.Next() {
		var a stock.ScanAggregate
		var last int64
		if err := rows.Scan(&a.SKU, &a.Round, &a.Employee, &a.Role, &a.Zone, &a.Qty, &a.Scans, &last, &a.MinQty); err != nil {
			return nil, err
		}
		a.LastAt = fromMicros(last)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Scans lists a count's scans by event_id, for drill-down.
func (t *tx) Scans(f stock.ScanFilter) ([]stock.Scan, error) {
	q := `SELECT ` + scanCols + ` FROM scans WHERE count_id = ?`
	args := []any{f.CountID}
	for _, c := range []struct{ col, v string }{{"sku", f.SKU}, {"status", string(f.Status)}, {"employee", f.Employee}} {
		if c.v != "" {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if f.After != "" {
		q += ` AND seq > (SELECT seq FROM scans WHERE event_id = ?)`
		args = append(args, f.After)
	}
	q += ` ORDER BY seq LIMIT ?`
	args = append(args, f.Limit)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Scan
	for rows.Next() {
		var s stock.Scan
		var scanned, received int64
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&s.EventID, &s.Hash, &s.CountID, &s.Round, &s.Status, &s.Code, &s.SKU, &s.GTIN, &s.Lot, &s.Expiry,
			&s.Qty, &s.PackQty, &s.AppliedQty, &s.Bin, &s.Zone, &s.Employee, &s.Role, &s.DeviceID, &scanned, &received, &lat, &lon); err != nil {
			return nil, err
		}
		s.ScannedAt, s.ReceivedAt = fromMicros(scanned), fromMicros(received)
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

// ScanStats counts a count's scans by status and its counted lines.
func (t *tx) ScanStats(countID string) (stock.ScanStats, error) {
	var st stock.ScanStats
	rows, err := t.query(`SELECT status, COUNT(*) FROM scans WHERE count_id = ? GROUP BY status`, countID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return st, err
		}
		st.Scans += n
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
	err = t.queryRow(`SELECT COUNT(DISTINCT sku) FROM scans WHERE count_id = ? AND status = 'counted'`, countID).Scan(&st.Lines)
	return st, err
}
