package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"

	"pandian/stock"
)

// The paged lists: each orders by a unique key and continues after the
// caller's last key with a keyset condition, so a page costs an index
// range scan whatever its depth.

// pathsCond is underAny, with "/" meaning everything.
func pathsCond(column string, paths []string) (string, []any) {
	for _, p := range paths {
		if p == "/" {
			return "1=1", nil
		}
	}
	return underAny(column, paths)
}

// LocationsPage lists locations by path and code.
func (t *tx) LocationsPage(f stock.LocationFilter) (_ []stock.Location, err error) {
	defer wrapOp(&err, "LocationsPage")
	where, args := []string{"1=1"}, []any{}
	if f.Paths != nil {
		c, a := pathsCond("path", f.Paths)
		where, args = append(where, c), append(args, a...)
	}
	if f.AfterPath != "" {
		where = append(where, "(path, code) > (?, ?)")
		args = append(args, f.AfterPath, f.AfterCode)
	}
	q := `SELECT ` + locationCols + ` FROM locations WHERE ` + strings.Join(where, " AND ") + ` ORDER BY path, code LIMIT ?`
	return queryAll(t, func(r *sql.Rows) (stock.Location, error) { return scanLocation(r) }, q, append(args, f.Limit)...)
}

// Employees lists employees by code, without their PINs.
func (t *tx) Employees(afterCode string, limit int) (_ []stock.Employee, err error) {
	defer wrapOp(&err, "Employees")
	return queryAll(t, func(r *sql.Rows) (stock.Employee, error) {
		var e stock.Employee
		var scope string
		if err := r.Scan(&e.Code, &e.Name, &e.Role, &scope); err != nil {
			return e, err
		}
		err := json.Unmarshal([]byte(scope), &e.Scope)
		return e, err
	}, `SELECT code, name, role, scope FROM employees WHERE code > ? ORDER BY code LIMIT ?`, afterCode, limit)
}

// AuditPage lists the audit log newest first, by its sequence.
func (t *tx) AuditPage(f stock.AuditFilter) (_ []stock.AuditEntry, err error) {
	defer wrapOp(&err, "AuditPage")
	q := `SELECT seq, at, actor, action, entity, details FROM audit_log WHERE 1=1`
	args := []any{}
	if f.Entity != "" {
		q += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if f.BeforeSeq > 0 {
		q += ` AND seq < ?`
		args = append(args, f.BeforeSeq)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	return queryAll(t, func(r *sql.Rows) (stock.AuditEntry, error) {
		var e stock.AuditEntry
		var at int64
		var details string
		if err := r.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Entity, &details); err != nil {
			return e, err
		}
		e.At = fromMicros(at)
		return e, json.Unmarshal([]byte(details), &e.Details)
	}, q, append(args, f.Limit)...)
}

// Documents lists documents newest first.
func (t *tx) Documents(f stock.DocumentFilter) (_ []stock.Document, err error) {
	defer wrapOp(&err, "Documents")
	where, args := []string{"1=1"}, []any{}
	from := `documents d`
	if f.SKU != "" {
		from = `document_skus s JOIN documents d ON d.id = s.document_id`
		where, args = append(where, "s.sku = ?"), append(args, f.SKU)
	}
	if f.Paths != nil {
		c, a := pathsCond("d.location_path", f.Paths)
		where, args = append(where, "(d.location_path = '' OR "+c+")"), append(args, a...)
	}
	for _, c := range []struct{ col, v string }{{"d.status", f.Status}, {"d.kind", f.Kind}, {"d.location", f.Location}} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if !f.Since.IsZero() {
		where, args = append(where, "d.created_at >= ?"), append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "d.created_at < ?"), append(args, micros(f.Until))
	}
	if f.AfterID != "" {
		at := micros(f.AfterCreated)
		where = append(where, "(d.created_at, d.id) < (?, ?)")
		args = append(args, at, f.AfterID)
	}
	cols := "d." + strings.Join(strings.Fields(strings.ReplaceAll(documentCols, ",", " ")), ", d.")
	q := `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY d.created_at DESC, d.id DESC LIMIT ?`
	out, err := queryAll(t, func(r *sql.Rows) (stock.Document, error) {
		d, err := scanDocument(r)
		d.SKUs = []string{}
		return d, err
	}, q, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	return out, t.documentSKUs(out)
}

// CatalogChanges lists SKUs in change order with their barcodes, in one
// query: the page of skus (a range of skus_change) joined to its barcodes.
func (t *tx) CatalogChanges(afterSeq int64, afterSKU string, limit int) (_ []stock.SKU, err error) {
	defer wrapOp(&err, "CatalogChanges")
	// A retired SKU comes without its barcodes: it is a tombstone.
	rows, err := t.query(`SELECT s.sku, s.name, s.name_zh, s.category, s.unit_cost, s.change_seq, s.retired_at, b.code, b.pack_qty
		FROM (SELECT sku, name, name_zh, category, unit_cost, change_seq, retired_at FROM skus
			WHERE (change_seq, sku) > (?, ?) ORDER BY change_seq, sku LIMIT ?) s
		LEFT JOIN barcodes b ON b.sku = s.sku AND s.retired_at IS NULL
		ORDER BY s.change_seq, s.sku, b.pack_qty, b.code`, afterSeq, afterSKU, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stock.SKU{}
	for rows.Next() {
		var s stock.SKU
		var code sql.NullString
		var pack, retired sql.NullInt64
		if err := rows.Scan(&s.SKU, &s.Name, &s.NameZh, &s.Category, &s.UnitCost, &s.ChangeSeq, &retired, &code, &pack); err != nil {
			return nil, err
		}
		s.RetiredAt = fromNullMicros(retired)
		if n := len(out); n == 0 || out[n-1].SKU != s.SKU {
			s.Barcodes = []stock.Barcode{}
			out = append(out, s)
		}
		if code.Valid {
			last := &out[len(out)-1]
			last.Barcodes = append(last.Barcodes, stock.Barcode{Code: code.String, PackQty: pack.Int64})
		}
	}
	return out, rows.Err()
}

// catalogChange takes the next catalog change number, once per
// transaction; the row lock it takes on PostgreSQL (SQLite: the write
// lock) holds other catalog writers until this transaction ends, so
// change numbers commit in order.
func (t *tx) catalogChange() (int64, error) {
	if t.catalogSeq != 0 {
		return t.catalogSeq, nil
	}
	if _, err := t.exec(`UPDATE catalog_clock SET seq = seq + 1 WHERE id = 1`); err != nil {
		return 0, err
	}
	if err := t.queryRow(`SELECT seq FROM catalog_clock WHERE id = 1`).Scan(&t.catalogSeq); err != nil {
		return 0, err
	}
	return t.catalogSeq, nil
}
