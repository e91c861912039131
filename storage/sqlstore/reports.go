package sqlstore

import (
	"encoding/json"
	"time"

	"pandian/stock"
)

// SaveReport replaces a count's report lines.
func (t *tx) SaveReport(countID string, lines []stock.ReportLine) error {
	if _, err := t.exec(`DELETE FROM count_report WHERE count_id = ?`, countID); err != nil {
		return err
	}
	return chunks(lines, 500, func(part []stock.ReportLine) error {
		args := make([]any, 0, 3*len(part))
		for _, l := range part {
			b, err := json.Marshal(l)
			if err != nil {
				return err
			}
			args = append(args, countID, l.SKU, string(b))
		}
		_, err := t.exec(`INSERT INTO count_report (count_id, sku, line) VALUES `+rowsOf(len(part), 3), args...)
		return err
	})
}

// ReportLines returns a count's saved report lines by SKU.
func (t *tx) ReportLines(countID string) ([]stock.ReportLine, error) {
	rows, err := t.query(`SELECT line FROM count_report WHERE count_id = ? ORDER BY sku`, countID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stock.ReportLine{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var l stock.ReportLine
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ReportLinesBetween returns the report lines of counts closed in [from,
// to) under paths.
func (t *tx) ReportLinesBetween(from, to time.Time, paths []string) ([]stock.CountReportLine, error) {
	cond, args := underAny("c.location_path", paths)
	if len(paths) == 1 && paths[0] == "/" {
		cond, args = "1=1", nil
	}
	q := `SELECT c.id, c.location, CASE WHEN l.kind = 'zone' THEN l.parent ELSE l.code END, c.closed_at, c.tolerance, r.line
		FROM counts c JOIN count_report r ON r.count_id = c.id JOIN locations l ON l.code = c.location
		WHERE c.status IN ('review', 'posted') AND c.closed_at >= ? AND c.closed_at < ? AND ` + cond + `
		ORDER BY c.closed_at, c.id, r.sku`
	rows, err := t.query(q, append([]any{micros(from), micros(to)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.CountReportLine
	for rows.Next() {
		var l stock.CountReportLine
		var closed int64
		var b []byte
		if err := rows.Scan(&l.CountID, &l.Location, &l.Store, &closed, &l.Tolerance, &b); err != nil {
			return nil, err
		}
		l.ClosedAt = fromMicros(closed)
		if err := json.Unmarshal(b, &l.Line); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
