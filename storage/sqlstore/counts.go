package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"pandian/stock"
)

const countCols = `id, location, location_path, scope, blind, policy, uncounted, tolerance, status, round, opened_by, opened_at, closed_at, posted_at, approved_by`

func scanCount(row interface{ Scan(...any) error }) (stock.Count, error) {
	var c stock.Count
	var scope string
	var blind int
	var opened int64
	var closed, posted sql.NullInt64
	err := row.Scan(&c.ID, &c.Location, &c.LocationPath, &scope, &blind, &c.MovementPolicy, &c.Uncounted, &c.ToleranceQty,
		&c.Status, &c.Round, &c.OpenedBy, &opened, &closed, &posted, &c.ApprovedBy)
	if err != nil {
		return c, err
	}
	c.Blind = blind != 0
	c.OpenedAt = fromMicros(opened)
	c.ClosedAt, c.PostedAt = fromNullMicros(closed), fromNullMicros(posted)
	err = json.Unmarshal([]byte(scope), &c.Scope)
	return c, err
}

func countArgs(c stock.Count) []any {
	scope, _ := json.Marshal(c.Scope)
	blind := 0
	if c.Blind {
		blind = 1
	}
	return []any{c.ID, c.Location, c.LocationPath, string(scope), blind, string(c.MovementPolicy), string(c.Uncounted), c.ToleranceQty,
		string(c.Status), c.Round, c.OpenedBy, micros(c.OpenedAt), nullMicros(c.ClosedAt), nullMicros(c.PostedAt), c.ApprovedBy}
}

// countOpeningLock is the PostgreSQL advisory lock key of count openings.
const countOpeningLock = 0x70616e6469616f

// SerializeCountOpening holds a transaction-scoped lock that count openings
// take in turn (PostgreSQL); SQLite's writes are serial already.
func (t *tx) SerializeCountOpening() (err error) {
	defer wrapOp(&err, "SerializeCountOpening")
	if t.d.name != "postgres" {
		return nil
	}
	_, err = t.exec(`SELECT pg_advisory_xact_lock(?)`, countOpeningLock)
	return err
}

// CreateCount stores a new count and its snapshot.
func (t *tx) CreateCount(c stock.Count, snapshot []stock.SnapshotRow) (err error) {
	defer wrapOp(&err, "CreateCount")
	if _, err := t.exec(`INSERT INTO counts (`+countCols+`) VALUES (`+placeholders(15)+`)`, countArgs(c)...); err != nil {
		return err
	}
	return chunks(snapshot, 500, func(part []stock.SnapshotRow) error {
		args := make([]any, 0, 5*len(part))
		for _, r := range part {
			args = append(args, c.ID, r.Location, r.SKU, r.Qty, r.Version)
		}
		_, err := t.exec(`INSERT INTO count_snapshot (count_id, location, sku, qty, version) VALUES `+rowsOf(len(part), 5), args...)
		return err
	})
}

// Count returns a count; forUpdate locks its row until the transaction
// ends (PostgreSQL; SQLite transactions are serial anyway).
func (t *tx) Count(id string, forUpdate bool) (_ stock.Count, err error) {
	defer wrapOp(&err, "Count")
	q := `SELECT ` + countCols + ` FROM counts WHERE id = ?`
	if forUpdate {
		q += t.d.forUpdate
	}
	c, err := scanCount(t.queryRow(q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("count", id)
	}
	return c, err
}

// CountForScans reads a count for an ingest: on PostgreSQL it takes a
// shared row lock, so ingests of one count run side by side while close,
// recount and approve (FOR UPDATE) wait for them.
func (t *tx) CountForScans(id string) (_ stock.Count, err error) {
	defer wrapOp(&err, "CountForScans")
	q := `SELECT ` + countCols + ` FROM counts WHERE id = ?`
	if t.d.name == "postgres" {
		q += ` FOR SHARE`
	}
	c, err := scanCount(t.queryRow(q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("count", id)
	}
	return c, err
}

// Counts lists counts, newest first.
func (t *tx) Counts(f stock.CountFilter) (_ []stock.Count, err error) {
	defer wrapOp(&err, "Counts")
	var where []string
	var args []any
	if f.Paths != nil {
		cond, a := underAny("location_path", f.Paths)
		if len(f.Paths) == 1 && f.Paths[0] == "/" {
			cond, a = "1=1", nil
		}
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Location != "" {
		where = append(where, "location = ?")
		args = append(args, f.Location)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if !f.Since.IsZero() {
		where = append(where, "opened_at >= ?")
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, "opened_at < ?")
		args = append(args, micros(f.Until))
	}
	if f.AfterID != "" {
		at := micros(f.AfterOpened)
		where = append(where, "(opened_at, id) < (?, ?)")
		args = append(args, at, f.AfterID)
	}
	q := `SELECT ` + countCols + ` FROM counts`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY opened_at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return t.counts(q, args...)
}

func (t *tx) counts(q string, args ...any) ([]stock.Count, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stock.Count{}
	for rows.Next() {
		c, err := scanCount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateCount saves a count's state.
func (t *tx) UpdateCount(c stock.Count) (err error) {
	defer wrapOp(&err, "UpdateCount")
	a := countArgs(c)
	_, err = t.exec(`UPDATE counts SET status = ?, round = ?, closed_at = ?, posted_at = ?, approved_by = ? WHERE id = ?`,
		a[8], a[9], a[12], a[13], a[14], c.ID)
	return err
}

// OpenCounts returns the counts that still take scans under a policy.
func (t *tx) OpenCounts(policy stock.MovementPolicy) (_ []stock.Count, err error) {
	defer wrapOp(&err, "OpenCounts")
	return t.counts(`SELECT `+countCols+` FROM counts WHERE status IN ('open', 'recount') AND policy = ?`, string(policy))
}

// ActiveCounts returns the counts that are not posted yet.
func (t *tx) ActiveCounts() (_ []stock.Count, err error) {
	defer wrapOp(&err, "ActiveCounts")
	return t.counts(`SELECT ` + countCols + ` FROM counts WHERE status <> 'posted'`)
}

// SnapshotBook reads the book quantities under paths that the scope's SKU
// and category filters admit; a retired SKU only where its book is not 0.
func (t *tx) SnapshotBook(paths []string, scope stock.CountScope) (_ []stock.SnapshotRow, err error) {
	defer wrapOp(&err, "SnapshotBook")
	cond, args := underAny("l.path", paths)
	q := `SELECT s.location, s.sku, s.qty, s.version FROM stock_levels s
		JOIN locations l ON l.code = s.location
		JOIN skus k ON k.sku = s.sku WHERE ` + cond + ` AND (k.retired_at IS NULL OR s.qty <> 0)`
	if len(scope.Categories) > 0 {
		q += ` AND k.category IN (` + placeholders(len(scope.Categories)) + `)`
		args = append(args, anys(scope.Categories)...)
	}
	if len(scope.SKUs) > 0 {
		q += ` AND k.sku IN (` + placeholders(len(scope.SKUs)) + `)`
		args = append(args, anys(scope.SKUs)...)
	}
	return t.snapshotRows(q, args...)
}

// Snapshot returns a count's snapshot.
func (t *tx) Snapshot(countID string) (_ []stock.SnapshotRow, err error) {
	defer wrapOp(&err, "Snapshot")
	return t.snapshotRows(`SELECT location, sku, qty, version FROM count_snapshot WHERE count_id = ?`, countID)
}

func (t *tx) snapshotRows(q string, args ...any) ([]stock.SnapshotRow, error) {
	return queryAll(t, func(rows *sql.Rows) (r stock.SnapshotRow, err error) {
		err = rows.Scan(&r.Location, &r.SKU, &r.Qty, &r.Version)
		return r, err
	}, q, args...)
}

// ChangesSince returns the movements under paths that a count's snapshot
// does not include: on a snapshotted level, those with a later version; on
// a level the snapshot does not have, those posted after the count opened.
// The count's own adjustments are left out.
func (t *tx) ChangesSince(countID string, paths []string, until time.Time) (_ []stock.StockChange, err error) {
	defer wrapOp(&err, "ChangesSince")
	var opened int64
	if err := t.queryRow(`SELECT opened_at FROM counts WHERE id = ?`, countID).Scan(&opened); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("count", countID)
		}
		return nil, err
	}
	cond, args := underAny("path", paths)
	// Only movements posted after the count opened (less the longest a
	// transaction may stay open) can be missing from its snapshot; the
	// version check decides exactly which are.
	q := `SELECT m.sku, m.location, m.qty_delta, m.at, m.version, m.posted_at, s.version FROM movements m
		LEFT JOIN count_snapshot s ON s.count_id = ? AND s.location = m.location AND s.sku = m.sku
		WHERE m.posted_at >= ? AND m.posted_at <= ? AND m.ref <> ?
		AND m.location IN (SELECT code FROM locations WHERE ` + cond + `)`
	rows, err := t.query(q, append([]any{countID, opened - maxTxAge.Microseconds(), micros(until), countID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.StockChange
	for rows.Next() {
		var c stock.StockChange
		var at, posted int64
		var snap sql.NullInt64
		if err := rows.Scan(&c.SKU, &c.Location, &c.QtyDelta, &at, &c.Version, &posted, &snap); err != nil {
			return nil, err
		}
		if snap.Valid && c.Version <= snap.Int64 || !snap.Valid && posted < opened {
			continue
		}
		c.At, c.Posted = fromMicros(at), fromMicros(posted)
		out = append(out, c)
	}
	return out, rows.Err()
}

// maxTxAge bounds how long a write transaction can stay open (requests time
// out well before): a movement stamped earlier than this before a count
// opened was committed before its snapshot.
const maxTxAge = stock.MaxTxAge

// AddRecounts stores the lines reopened in a round.
func (t *tx) AddRecounts(countID string, lines []stock.RecountLine) (err error) {
	defer wrapOp(&err, "AddRecounts")
	return chunks(lines, 500, func(part []stock.RecountLine) error {
		args := make([]any, 0, 4*len(part))
		for _, l := range part {
			args = append(args, countID, l.Round, l.SKU, l.Assignee)
		}
		_, err := t.exec(`INSERT INTO recounts (count_id, round, sku, assignee) VALUES `+rowsOf(len(part), 4), args...)
		return err
	})
}

// Recounts returns every recount line of a count.
func (t *tx) Recounts(countID string) (_ []stock.RecountLine, err error) {
	defer wrapOp(&err, "Recounts")
	rows, err := t.query(`SELECT sku, round, assignee FROM recounts WHERE count_id = ? ORDER BY round, sku`, countID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stock.RecountLine{}
	for rows.Next() {
		var l stock.RecountLine
		if err := rows.Scan(&l.SKU, &l.Round, &l.Assignee); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
