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
		where = append(where, "(path > ? OR (path = ? AND code > ?))")
		args = append(args, f.AfterPath, f.AfterPath, f.AfterCode)
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
	if f.AfterID != "" {
		at := micros(f.AfterCreated)
		where = append(where, "(d.created_at < ? OR (d.created_at = ? AND d.id < ?))")
		args = append(args, at, at, f.AfterID)
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

// CatalogChanges lists SKUs in change order with their barcodes: one range
// scan of skus_change, then the barcodes of the page.
func (t *tx) CatalogChanges(afterSeq int64, afterSKU string, limit int) (_ []stock.SKU, err error) {
	defer wrapOp(&err, "CatalogChanges")
	out, err := queryAll(t, func(r *sql.Rows) (s stock.SKU, err error) {
		err = r.Scan(&s.SKU, &s.Name, &s.NameZh, &s.Category, &s.UnitCost, &s.ChangeSeq)
		s.Barcodes = []stock.Barcode{}
		return s, err
	}, `SELECT sku, name, name_zh, category, unit_cost, change_seq FROM skus
		WHERE change_seq > ? OR (change_seq = ? AND sku > ?) ORDER BY change_seq, sku LIMIT ?`, afterSeq, afterSeq, afterSKU, limit)
	if err != nil || len(out) == 0 {
		return out, err
	}
	at := make(map[string]int, len(out))
	codes := make([]string, len(out))
	for i, s := range out {
		at[s.SKU], codes[i] = i, s.SKU
	}
	err = chunks(codes, 500, func(part []string) error {
		rows, err := t.query(`SELECT sku, code, pack_qty FROM barcodes WHERE sku IN (`+placeholders(len(part))+`) ORDER BY sku, pack_qty, code`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sku string
			var b stock.Barcode
			if err := rows.Scan(&sku, &b.Code, &b.PackQty); err != nil {
				return err
			}
			out[at[sku]].Barcodes = append(out[at[sku]].Barcodes, b)
		}
		return rows.Err()
	})
	return out, err
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
