package sqlstore

import (
	"time"

	"pandian/stock"
)

// SavePostings records what an approval did per line.
func (t *tx) SavePostings(countID string, ps []stock.Posting) (err error) {
	defer wrapOp(&err, "SavePostings")
	return chunks(ps, 500, func(part []stock.Posting) error {
		args := make([]any, 0, 6*len(part))
		for _, p := range part {
			rc := 0
			if p.RecountRequired {
				rc = 1
			}
			args = append(args, countID, p.SKU, p.Qty, p.Reason, p.Location, rc)
		}
		_, err := t.exec(`INSERT INTO count_postings (count_id, sku, qty, reason, location, recount_required) VALUES `+rowsOf(len(part), 6), args...)
		return err
	})
}

// Postings returns what the approval of a count did per line.
func (t *tx) Postings(countID string) (_ []stock.Posting, err error) {
	defer wrapOp(&err, "Postings")
	rows, err := t.query(`SELECT sku, qty, reason, location, recount_required FROM count_postings WHERE count_id = ? ORDER BY sku`, countID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Posting
	for rows.Next() {
		var p stock.Posting
		var rc int
		if err := rows.Scan(&p.SKU, &p.Qty, &p.Reason, &p.Location, &rc); err != nil {
			return nil, err
		}
		p.RecountRequired = rc != 0
		out = append(out, p)
	}
	return out, rows.Err()
}

// ClosedCounts lists the counts in review or posted that closed in
// [from, to) under paths.
func (t *tx) ClosedCounts(from, to time.Time, paths []string) (_ []stock.Count, err error) {
	defer wrapOp(&err, "ClosedCounts")
	cond, args := underAny("location_path", paths)
	if len(paths) == 1 && paths[0] == "/" {
		cond, args = "1=1", nil
	}
	return t.counts(`SELECT `+countCols+` FROM counts WHERE status IN ('review', 'posted') AND closed_at >= ? AND closed_at < ? AND `+cond+`
		ORDER BY closed_at, id`, append([]any{micros(from), micros(to)}, args...)...)
}
