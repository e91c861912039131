package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"pandian/stock"
)

const documentCols = `id, kind, status, location, location_path, filename, content_type, size, sha256, blob_key,
	uploaded_by, created_at, updated_at, progress, pages, error, content, filed_at, receipt, receipt_hash`

// storedContent is the content column: what reading found, and the SKUs
// given at upload (kept apart from the SKUs its lines named, so that a
// correction does not drop them).
type storedContent struct {
	stock.DocumentContent
	UploadSKUs []string `json:"upload_skus,omitempty"`
}

// documentRow is a document as stored: the content and receipt as JSON.
func documentRow(d stock.Document) ([]any, error) {
	content, err := json.Marshal(storedContent{d.DocumentContent, d.UploadSKUs})
	if err != nil {
		return nil, err
	}
	receipt, hash := "", ""
	if d.Receipt != nil {
		b, err := json.Marshal(d.Receipt)
		if err != nil {
			return nil, err
		}
		receipt, hash = string(b), d.Receipt.Hash
	}
	return []any{d.ID, string(d.Kind), d.Status, d.Location, d.LocationPath, d.Filename, d.ContentType, d.Size, d.SHA256, d.BlobKey,
		d.UploadedBy, micros(d.Created), micros(d.Updated), d.Progress, d.Pages, d.Error, string(content), micros(d.Filed), receipt, hash}, nil
}

func scanDocument(row interface{ Scan(...any) error }) (stock.Document, error) {
	var d stock.Document
	var kind, content, receipt, hash string
	var created, updated, filed int64
	err := row.Scan(&d.ID, &kind, &d.Status, &d.Location, &d.LocationPath, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.BlobKey,
		&d.UploadedBy, &created, &updated, &d.Progress, &d.Pages, &d.Error, &content, &filed, &receipt, &hash)
	if err != nil {
		return d, err
	}
	d.Kind, d.Created, d.Updated, d.Filed = stock.DocumentKind(kind), fromMicros(created), fromMicros(updated), fromMicros(filed)
	if filed == 0 {
		d.Filed = time.Time{}
	}
	var sc storedContent
	if err := json.Unmarshal([]byte(content), &sc); err != nil {
		return d, err
	}
	d.DocumentContent, d.UploadSKUs = sc.DocumentContent, sc.UploadSKUs
	if d.Lines == nil {
		d.Lines = []stock.DocLine{}
	}
	for i, l := range d.Lines {
		// Read before matches were confirmed: barcode and SKU-code
		// matches always counted as confirmed.
		if l.MatchedBy == "barcode" || l.MatchedBy == "sku" {
			d.Lines[i].MatchConfirmed = true
		}
	}
	if receipt != "" {
		var r stock.Receipt
		if err := json.Unmarshal([]byte(receipt), &r); err != nil {
			return d, err
		}
		r.Hash = hash
		d.Receipt = &r
	}
	return d, nil
}

// CreateDocument stores a new document and the SKUs it concerns.
func (t *tx) CreateDocument(d stock.Document) (err error) {
	defer wrapOp(&err, "CreateDocument")
	args, err := documentRow(d)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO documents (`+documentCols+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return err
	}
	return t.addDocumentSKUs(d)
}

// addDocumentSKUs records the document's SKUs it does not list yet.
func (t *tx) addDocumentSKUs(d stock.Document) error {
	for _, sku := range uniq(d.SKUs) {
		if _, err := t.exec(`INSERT INTO document_skus (document_id, sku, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			d.ID, sku, micros(d.Created)); err != nil {
			return err
		}
	}
	return nil
}

// Document returns one document with its SKUs.
func (t *tx) Document(id string) (_ stock.Document, err error) {
	defer wrapOp(&err, "Document")
	return t.document(id, false)
}

// DocumentForUpdate is Document, the document's row locked until the
// transaction ends (PostgreSQL; SQLite transactions are serial anyway):
// read-modify-write of a document (confirming a match, receiving it,
// saving what was read) goes through it, so that concurrent ones wait for
// each other instead of overwriting each other's changes.
func (t *tx) DocumentForUpdate(id string) (_ stock.Document, err error) {
	defer wrapOp(&err, "DocumentForUpdate")
	return t.document(id, true)
}

func (t *tx) document(id string, forUpdate bool) (_ stock.Document, err error) {
	q := `SELECT ` + documentCols + ` FROM documents WHERE id = ?`
	if forUpdate {
		q += t.d.forUpdate
	}
	d, err := scanDocument(t.queryRow(q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("document", id)
	}
	if err != nil {
		return d, err
	}
	rows, err := t.query(`SELECT sku FROM document_skus WHERE document_id = ? ORDER BY created_at, sku`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	d.SKUs = []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return d, err
		}
		d.SKUs = append(d.SKUs, s)
	}
	return d, rows.Err()
}

// UpdateDocument saves a document's state and adds its new SKUs.
func (t *tx) UpdateDocument(d stock.Document) (err error) {
	defer wrapOp(&err, "UpdateDocument")
	args, err := documentRow(d)
	if err != nil {
		return err
	}
	res, err := t.exec(`UPDATE documents SET status = ?, updated_at = ?, progress = ?, pages = ?, error = ?, content = ?,
		filed_at = ?, receipt = ?, receipt_hash = ? WHERE id = ?`,
		args[2], args[12], args[13], args[14], args[15], args[16], args[17], args[18], args[19], d.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("document", d.ID)
	}
	return t.addDocumentSKUs(d)
}

// SetDocumentProgress records how far reading a document has got.
func (t *tx) SetDocumentProgress(id string, p float64, at time.Time) (err error) {
	defer wrapOp(&err, "SetDocumentProgress")
	_, err = t.exec(`UPDATE documents SET progress = ?, updated_at = ? WHERE id = ?`, p, micros(at), id)
	return err
}

// DocumentsForSKU returns the newest documents concerning sku that are
// company-wide or under one of paths (nil: all).
func (t *tx) DocumentsForSKU(sku string, paths []string, limit int) (_ []stock.Document, err error) {
	defer wrapOp(&err, "DocumentsForSKU")
	cond, args := "1=1", []any{}
	if paths != nil {
		c, a := underAny("d.location_path", paths)
		cond, args = "(d.location_path = '' OR "+c+")", a
	}
	cols := "d." + strings.Join(strings.Fields(strings.ReplaceAll(documentCols, ",", " ")), ", d.")
	q := `SELECT ` + cols + ` FROM document_skus s JOIN documents d ON d.id = s.document_id
		WHERE s.sku = ? AND ` + cond + ` ORDER BY d.created_at DESC, d.id DESC LIMIT ?`
	out, err := queryAll(t, func(r *sql.Rows) (stock.Document, error) {
		d, err := scanDocument(r)
		d.SKUs = []string{}
		return d, err
	}, q, append(append([]any{sku}, args...), limit)...)
	if err != nil {
		return nil, err
	}
	return out, t.documentSKUs(out)
}

// documentSKUs fills in the SKUs of docs.
func (t *tx) documentSKUs(docs []stock.Document) error {
	at := make(map[string]int, len(docs))
	ids := make([]string, len(docs))
	for i, d := range docs {
		at[d.ID], ids[i] = i, d.ID
	}
	return chunks(ids, 500, func(part []string) error {
		rows, err := t.query(`SELECT document_id, sku FROM document_skus WHERE document_id IN (`+placeholders(len(part))+`)
			ORDER BY created_at, sku`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, sku string
			if err := rows.Scan(&id, &sku); err != nil {
				return err
			}
			docs[at[id]].SKUs = append(docs[at[id]].SKUs, sku)
		}
		return rows.Err()
	})
}

// CatalogNames returns every SKU's code and names (for matching
// descriptions).
func (t *tx) CatalogNames() (_ []stock.SKU, err error) {
	defer wrapOp(&err, "CatalogNames")
	return queryAll(t, func(r *sql.Rows) (s stock.SKU, err error) {
		err = r.Scan(&s.SKU, &s.Name, &s.NameZh)
		return s, err
	}, `SELECT sku, name, name_zh FROM skus ORDER BY sku`)
}

// SKUsWithoutFolder returns up to limit SKUs whose folder is not made yet.
func (t *tx) SKUsWithoutFolder(limit int) (_ []stock.SKU, err error) {
	defer wrapOp(&err, "SKUsWithoutFolder")
	return queryAll(t, func(r *sql.Rows) (s stock.SKU, err error) {
		err = r.Scan(&s.SKU, &s.Name, &s.NameZh, &s.Category)
		return s, err
	}, `SELECT sku, name, name_zh, category FROM skus WHERE folder_at = 0 ORDER BY sku LIMIT ?`, limit)
}

// MarkSKUFolders records that the folders of skus exist.
func (t *tx) MarkSKUFolders(skus []string, at time.Time) (err error) {
	defer wrapOp(&err, "MarkSKUFolders")
	// On PostgreSQL the rows are locked in code order first, the order
	// PutSKUs writes them in: an UPDATE … IN takes them in the order of
	// its plan (a bitmap scan: the table's), and racing a catalog import
	// of the same SKUs it deadlocked. ORDER BY in bytes (COLLATE "C", Go's
	// order): in the database's collation "a1" can sort before "B2".
	skus = slices.Clone(skus)
	slices.Sort(skus)
	return chunks(skus, 500, func(part []string) error {
		if t.d.name == "postgres" {
			if _, err := t.exec(`SELECT sku FROM skus WHERE sku IN (`+placeholders(len(part))+`) ORDER BY sku COLLATE "C" FOR NO KEY UPDATE`, anys(part)...); err != nil {
				return err
			}
		}
		_, err := t.exec(`UPDATE skus SET folder_at = ? WHERE sku IN (`+placeholders(len(part))+`)`, append([]any{micros(at)}, anys(part)...)...)
		return err
	})
}

// DocumentWithContent reports whether a document has the given SHA-256.
func (t *tx) DocumentWithContent(sha256 string) (_ bool, err error) {
	defer wrapOp(&err, "DocumentWithContent")
	var n int
	err = t.queryRow(`SELECT COUNT(*) FROM documents WHERE sha256 = ?`, sha256).Scan(&n)
	return n > 0, err
}

// RemoveDocumentSKUs forgets that a document concerns skus.
func (t *tx) RemoveDocumentSKUs(id string, skus []string) (err error) {
	defer wrapOp(&err, "RemoveDocumentSKUs")
	return chunks(skus, 500, func(part []string) error {
		_, err := t.exec(`DELETE FROM document_skus WHERE document_id = ? AND sku IN (`+placeholders(len(part))+`)`, append([]any{id}, anys(part)...)...)
		return err
	})
}

// SearchSKUs returns up to limit SKUs whose code starts with q or whose
// names contain it (case folded), by code.
func (t *tx) SearchSKUs(q string, limit int) (_ []stock.SKU, err error) {
	defer wrapOp(&err, "SearchSKUs")
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q))
	return queryAll(t, func(r *sql.Rows) (s stock.SKU, err error) {
		err = r.Scan(&s.SKU, &s.Name, &s.NameZh, &s.Category, &s.UnitCost)
		return s, err
	}, `SELECT sku, name, name_zh, category, unit_cost FROM skus
		WHERE retired_at IS NULL AND (LOWER(sku) LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\' OR LOWER(name_zh) LIKE ? ESCAPE '\')
		ORDER BY sku LIMIT ?`, esc+"%", "%"+esc+"%", "%"+esc+"%", limit)
}
