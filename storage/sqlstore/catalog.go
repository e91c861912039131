package sqlstore

import (
	"database/sql"
	"slices"
	"strings"
	"time"

	"pandian/stock"
)

// SKU returns one SKU with its barcodes.
func (t *tx) SKU(sku string) (_ stock.SKU, err error) {
	defer wrapOp(&err, "SKU")
	m, err := t.SKUs([]string{sku})
	if err != nil {
		return stock.SKU{}, err
	}
	s, ok := m[sku]
	if !ok {
		return s, notFound("SKU", sku)
	}
	return s, nil
}

// SKUInfo returns the SKUs that exist among codes, without barcodes.
func (t *tx) SKUInfo(codes []string) (_ map[string]stock.SKU, err error) {
	defer wrapOp(&err, "SKUInfo")
	return t.skus(codes, false)
}

// SnapshotSKUs returns the SKUs of a count's snapshot, without barcodes.
func (t *tx) SnapshotSKUs(countID string) (_ map[string]stock.SKU, err error) {
	defer wrapOp(&err, "SnapshotSKUs")
	rows, err := t.query(`SELECT sku, name, name_zh, category, unit_cost FROM skus
		WHERE sku IN (SELECT sku FROM count_snapshot WHERE count_id = ?)`, countID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]stock.SKU{}
	for rows.Next() {
		var s stock.SKU
		if err := rows.Scan(&s.SKU, &s.Name, &s.NameZh, &s.Category, &s.UnitCost); err != nil {
			return nil, err
		}
		out[s.SKU] = s
	}
	return out, rows.Err()
}

// SKUs returns the SKUs that exist among codes, with their barcodes.
func (t *tx) SKUs(codes []string) (_ map[string]stock.SKU, err error) {
	defer wrapOp(&err, "SKUs")
	return t.skus(codes, true)
}

func (t *tx) skus(codes []string, barcodes bool) (map[string]stock.SKU, error) {
	out := make(map[string]stock.SKU, len(codes))
	err := chunks(uniq(codes), 500, func(part []string) error {
		rows, err := t.query(`SELECT sku, name, name_zh, category, unit_cost, retired_at FROM skus WHERE sku IN (`+placeholders(len(part))+`)`, anys(part)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s stock.SKU
			var retired sql.NullInt64
			if err := rows.Scan(&s.SKU, &s.Name, &s.NameZh, &s.Category, &s.UnitCost, &retired); err != nil {
				rows.Close()
				return err
			}
			s.RetiredAt = fromNullMicros(retired)
			s.Barcodes = []stock.Barcode{}
			out[s.SKU] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil || !barcodes {
			return err
		}
		rows, err = t.query(`SELECT sku, code, pack_qty FROM barcodes WHERE sku IN (`+placeholders(len(part))+`) ORDER BY sku, pack_qty, code`, anys(part)...)
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
			s := out[sku]
			s.Barcodes = append(s.Barcodes, b)
			out[sku] = s
		}
		return rows.Err()
	})
	return out, err
}

// PutSKU inserts or updates a SKU; with replaceBarcodes its barcodes become
// exactly s.Barcodes, otherwise they are added. A barcode that belongs to
// another SKU is a conflict.
func (t *tx) PutSKU(s stock.SKU, keys []string, replaceBarcodes bool) (_ bool, err error) {
	defer wrapOp(&err, "PutSKU")
	now := time.Now().UnixMicro()
	seq, err := t.catalogChange()
	if err != nil {
		return false, err
	}
	res, err := t.exec(`UPDATE skus SET name = ?, name_zh = ?, category = ?, unit_cost = ?, updated_at = ?, change_seq = ?, retired_at = NULL WHERE sku = ?`,
		s.Name, s.NameZh, s.Category, int64(s.UnitCost), now, seq, s.SKU)
	if err != nil {
		return false, err
	}
	created := false
	if n, _ := res.RowsAffected(); n == 0 {
		created = true
		if _, err := t.exec(`INSERT INTO skus (sku, name, name_zh, category, unit_cost, updated_at, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.SKU, s.Name, s.NameZh, s.Category, int64(s.UnitCost), now, seq); err != nil {
			return false, err
		}
	}
	if len(keys) > 0 {
		taken, err := t.LookupBarcodes(keys)
		if err != nil {
			return false, err
		}
		for _, m := range taken {
			if m.SKU != s.SKU {
				return false, stock.Errorf(stock.EConflict, "barcode %s already belongs to %s", m.Code, m.SKU).With("sku", m.SKU)
			}
		}
	}
	if replaceBarcodes {
		if _, err := t.exec(`DELETE FROM barcodes WHERE sku = ?`, s.SKU); err != nil {
			return false, err
		}
	}
	for i, b := range s.Barcodes {
		if _, err := t.exec(`INSERT INTO barcodes (key, code, sku, pack_qty) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET code = excluded.code, pack_qty = excluded.pack_qty`, keys[i], b.Code, s.SKU, b.PackQty); err != nil {
			return false, err
		}
	}
	return created, nil
}

// LookupBarcodes returns the catalog barcodes found among keys.
func (t *tx) LookupBarcodes(keys []string) (_ map[string]stock.BarcodeMatch, err error) {
	defer wrapOp(&err, "LookupBarcodes")
	out := map[string]stock.BarcodeMatch{}
	err = chunks(uniq(keys), 500, func(part []string) error {
		rows, err := t.query(`SELECT b.key, b.code, b.sku, b.pack_qty, s.category, s.retired_at FROM barcodes b JOIN skus s ON s.sku = b.sku
			WHERE b.key IN (`+placeholders(len(part))+`)`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m stock.BarcodeMatch
			var retired sql.NullInt64
			if err := rows.Scan(&m.Key, &m.Code, &m.SKU, &m.PackQty, &m.Category, &retired); err != nil {
				return err
			}
			m.RetiredAt = fromNullMicros(retired)
			out[m.Key] = m
		}
		return rows.Err()
	})
	return out, err
}

// PutSKUs upserts SKUs and adds their barcodes with multi-row statements.
func (t *tx) PutSKUs(skus []stock.SKU, keys [][]string) (err error) {
	defer wrapOp(&err, "PutSKUs")
	now := time.Now().UnixMicro()
	seq, err := t.catalogChange()
	if err != nil {
		return err
	}
	// The SKUs' rows in code order, the order MarkSKUFolders locks them
	// in: in the file's order an import and the SKU-folder sync marking
	// the same SKUs deadlocked (the catalog clock only makes catalog
	// writers take turns). The barcodes keep the file's order (only
	// catalog writers write them).
	sorted := slices.Clone(skus)
	slices.SortStableFunc(sorted, func(a, b stock.SKU) int { return strings.Compare(a.SKU, b.SKU) })
	err = chunks(sorted, 500, func(part []stock.SKU) error {
		args := make([]any, 0, 7*len(part))
		for _, s := range part {
			args = append(args, s.SKU, s.Name, s.NameZh, s.Category, int64(s.UnitCost), now, seq)
		}
		_, err := t.exec(`INSERT INTO skus (sku, name, name_zh, category, unit_cost, updated_at, change_seq) VALUES `+rowsOf(len(part), 7)+`
			ON CONFLICT (sku) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh, category = excluded.category,
			unit_cost = excluded.unit_cost, updated_at = excluded.updated_at, change_seq = excluded.change_seq, retired_at = NULL`, args...)
		return err
	})
	if err != nil {
		return err
	}
	type row struct {
		key, code, sku string
		pack           int64
	}
	var rows []row
	for i, s := range skus {
		for j, b := range s.Barcodes {
			rows = append(rows, row{keys[i][j], b.Code, s.SKU, b.PackQty})
		}
	}
	err = chunks(rows, 500, func(part []row) error {
		args := make([]any, 0, 4*len(part))
		for _, r := range part {
			args = append(args, r.key, r.code, r.sku, r.pack)
		}
		_, err := t.exec(`INSERT INTO barcodes (key, code, sku, pack_qty) VALUES `+rowsOf(len(part), 4)+`
			ON CONFLICT (key) DO UPDATE SET code = excluded.code, pack_qty = excluded.pack_qty`, args...)
		return err
	})
	if err != nil || t.d.name != "postgres" || len(skus) < bigImport {
		return err
	}
	// After a large import PostgreSQL's statistics still describe the
	// catalog before it until autovacuum analyzes it (a minute or more):
	// meanwhile the catalog-sync query is planned for millions of rows and
	// compiled by JIT (200 ms a page instead of 30). Analyze now.
	_, err = t.exec(`ANALYZE skus, barcodes`)
	return err
}

// bigImport is the number of SKUs from which PutSKUs analyzes the catalog
// tables (PostgreSQL).
const bigImport = 10000

// RetireSKU stamps a SKU retired at at, with a new catalog change number
// (catalog sync hands it out as a tombstone); ENotFound for an unknown SKU.
func (t *tx) RetireSKU(sku string, at time.Time) (err error) {
	defer wrapOp(&err, "RetireSKU")
	seq, err := t.catalogChange()
	if err != nil {
		return err
	}
	res, err := t.exec(`UPDATE skus SET retired_at = ?, updated_at = ?, change_seq = ? WHERE sku = ?`, micros(at), micros(at), seq, sku)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("SKU", sku)
	}
	return nil
}
