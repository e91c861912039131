package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"pandian/stock"
)

// CatalogClock is the number of the catalog's last change.
func (t *tx) CatalogClock() (_ int64, err error) {
	defer wrapOp(&err, "CatalogClock")
	var seq int64
	err = t.queryRow(`SELECT seq FROM catalog_clock WHERE id = 1`).Scan(&seq)
	return seq, err
}

// KeptSKUsChanged reports whether a SKU of a count's kept report changed
// in the catalog after since: the SKUs changed since (skus_change index),
// each looked up among the kept lines.
func (t *tx) KeptSKUsChanged(countID string, since int64) (_ bool, err error) {
	defer wrapOp(&err, "KeptSKUsChanged")
	var n int
	err = t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM skus s WHERE s.change_seq > ?
		AND EXISTS (SELECT 1 FROM count_report_lines l WHERE l.count_id = ? AND l.sku = s.sku) LIMIT 1) x`, since, countID).Scan(&n)
	return n > 0, err
}

// SnapshotLines is how many lines a count's snapshot has.
func (t *tx) SnapshotLines(countID string) (_ int64, err error) {
	defer wrapOp(&err, "SnapshotLines")
	var n int64
	err = t.queryRow(`SELECT COUNT(*) FROM count_snapshot WHERE count_id = ?`, countID).Scan(&n)
	return n, err
}

// KeepReport replaces the kept report of a count (migration 0014).
func (t *tx) KeepReport(countID string, kr stock.KeptReport, lines []stock.ReportLine) (err error) {
	defer wrapOp(&err, "KeepReport")
	sum, err := json.Marshal(kr.Summary)
	if err != nil {
		return err
	}
	// The report's row first: on PostgreSQL two replicas keeping the same
	// count's report at once (the job and a page) take turns on it, so
	// that the second's DELETEs see the first's lines (READ COMMITTED)
	// instead of both inserting them (a unique violation).
	if _, err := t.exec(`INSERT INTO count_reports (count_id, stamp, built_at, summary) VALUES (?, ?, ?, ?)
		ON CONFLICT (count_id) DO UPDATE SET stamp = excluded.stamp, built_at = excluded.built_at, summary = excluded.summary`,
		countID, kr.Stamp, micros(kr.BuiltAt), string(sum)); err != nil {
		return err
	}
	for _, table := range []string{"count_report_lines", "count_report_json"} {
		if _, err := t.exec(`DELETE FROM `+table+` WHERE count_id = ?`, countID); err != nil {
			return err
		}
	}
	const width = 17
	err = chunks(lines, 500, func(part []stock.ReportLine) error {
		args := make([]any, 0, width*len(part))
		js := make([]any, 0, 3*len(part))
		for i := range part {
			l := &part[i]
			b, err := json.Marshal(l)
			if err != nil {
				return err
			}
			js = append(js, countID, l.SKU, string(b))
			skuLC, nameLC, zones, roles, by := stock.KeptLineFields(*l)
			args = append(args, countID, l.SKU, skuLC, nameLC, l.NameZh, l.Category, l.Status, zones, roles, by,
				l.VarianceQty, abs64(l.VarianceQty), int64(l.VarianceValue), int64(l.VarianceValue.Abs()),
				boolInt(l.WithinTolerance), boolInt(l.Recounted), boolInt(stock.KeptPostable(*l)))
		}
		if _, err := t.exec(`INSERT INTO count_report_lines (count_id, sku, sku_lc, name_lc, name_zh, category, status, zones, roles, counted_by,
			variance_qty, abs_qty, variance_value, abs_value, within_tol, recounted, postable) VALUES `+rowsOf(len(part), width), args...); err != nil {
			return err
		}
		_, err := t.exec(`INSERT INTO count_report_json (count_id, sku, line) VALUES `+rowsOf(len(part), 3), js...)
		return err
	})
	return err
}

// KeptReport returns the kept report of a count, without its lines.
func (t *tx) KeptReport(countID string) (_ stock.KeptReport, _ bool, err error) {
	defer wrapOp(&err, "KeptReport")
	var kr stock.KeptReport
	var built int64
	var sum string
	err = t.queryRow(`SELECT stamp, built_at, summary FROM count_reports WHERE count_id = ?`, countID).Scan(&kr.Stamp, &built, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return kr, false, nil
	}
	if err != nil {
		return kr, false, err
	}
	kr.BuiltAt = fromMicros(built)
	return kr, true, json.Unmarshal([]byte(sum), &kr.Summary)
}

// keptWhere is the WHERE clause of a kept-lines query and its arguments.
func (t *tx) keptWhere(countID string, q stock.KeptLineQuery, listed bool) (string, []any) {
	contains := "instr(%s, ?) > 0"
	if t.d.name == "postgres" {
		contains = "strpos(%s, ?) > 0"
	}
	in := func(col string) string { return strings.Replace(contains, "%s", col, 1) }
	w := []string{"count_id = ?"}
	args := []any{countID}
	add := func(cond string, a ...any) {
		w = append(w, cond)
		args = append(args, a...)
	}
	// A code never holds the delimiter: a value that does matches no
	// line (and must not match two codes in a row).
	inList := func(col, v string) {
		if strings.Contains(v, "|") {
			add("1 = 0")
		} else {
			add(in(col), stock.KeptListed(v))
		}
	}
	if q.Zone != "" {
		inList("zones", q.Zone)
	}
	if q.Category != "" {
		add("category = ?", q.Category)
	}
	if q.Role != "" {
		inList("roles", q.Role)
	}
	if q.Employee != "" {
		inList("counted_by", q.Employee)
	}
	if q.Variance && !q.Masked {
		add("variance_qty <> 0")
	}
	if q.Unscanned == "only" {
		add("status = 'uncounted'")
	} else if q.Unscanned == "" && listed {
		add("status <> 'uncounted'")
	}
	if q.Q != "" {
		add("(sku = ? OR "+in("sku_lc")+" OR "+in("name_lc")+" OR "+in("name_zh")+")", q.QSKU, strings.ToLower(q.Q), strings.ToLower(q.Q), q.Q)
	}
	return strings.Join(w, " AND "), args
}

// KeptAggregate sums the kept lines that q matches, in one query.
func (t *tx) KeptAggregate(countID string, q stock.KeptLineQuery) (_ stock.KeptAggregate, err error) {
	defer wrapOp(&err, "KeptAggregate")
	where, args := t.keptWhere(countID, q, false)
	var a stock.KeptAggregate
	var absValue, netValue, foldedNet int64
	err = t.queryRow(`SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status <> 'ignored' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status <> 'ignored' THEN abs_qty ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status <> 'ignored' THEN abs_value ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status <> 'ignored' THEN variance_value ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status <> 'ignored' THEN within_tol ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status <> 'ignored' THEN recounted ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'uncounted' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'uncounted' THEN variance_value ELSE 0 END), 0),
		COALESCE(SUM(postable), 0)
		FROM count_report_lines WHERE `+where, args...).Scan(&a.Matched, &a.Shown.Lines, &a.Shown.AbsVarianceQty, &absValue, &netValue,
		&a.Shown.WithinTolerance, &a.Shown.Recounted, &a.Folded, &foldedNet, &a.BulkLines)
	a.Shown.AbsVarianceValue, a.Shown.NetVarianceValue, a.FoldedNet = stock.Money(absValue), stock.Money(netValue), stock.Money(foldedNet)
	if q.Unscanned != "" {
		a.Folded, a.FoldedNet = 0, 0
	}
	return a, err
}

// KeptLines returns q's slice of the kept lines it lists, in its order.
func (t *tx) KeptLines(countID string, q stock.KeptLineQuery) (_ []stock.ReportLine, err error) {
	defer wrapOp(&err, "KeptLines")
	where, args := t.keptWhere(countID, q, true)
	// A search or a filter by zone, category, role or employee matches
	// few lines, found by reading every one: SQLite then sorts those
	// (the unary + keeps it from walking a sort index and looking each
	// line up; PostgreSQL's planner weighs that itself).
	key := func(col string) string { return col }
	if t.d.name != "postgres" && (q.Q != "" || q.Zone != "" || q.Category != "" || q.Role != "" || q.Employee != "") {
		key = func(col string) string { return "+" + col }
	}
	order := "sku"
	switch {
	case q.Masked: // every variance hidden: all equal, by SKU
	case q.Sort == "abs":
		order = key("abs_value") + " DESC, sku"
	case q.Sort == "qty":
		order = key("abs_qty") + " DESC, sku"
	}
	if order == "sku" && t.d.name != "postgres" && key("") != "" {
		order = "sku || ''"
	}
	// The page's SKUs from the narrow table, then their lines.
	rows, err := t.query(`SELECT sku FROM count_report_lines WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, err
	}
	var skus []any
	at := map[string]int{}
	for rows.Next() {
		var sku string
		if err := rows.Scan(&sku); err != nil {
			rows.Close()
			return nil, err
		}
		at[sku] = len(skus)
		skus = append(skus, sku)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]stock.ReportLine, len(skus))
	if len(skus) == 0 {
		return out, nil
	}
	rows, err = t.query(`SELECT sku, line FROM count_report_json WHERE count_id = ? AND sku IN (`+placeholders(len(skus))+`)`, append([]any{countID}, skus...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var sku string
		var js []byte
		if err := rows.Scan(&sku, &js); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(js, &out[at[sku]]); err != nil {
			return nil, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if n != len(skus) {
		return nil, stock.Errorf(stock.EInternal, "kept report of %s: %d of %d lines", countID, n, len(skus))
	}
	return out, nil
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
