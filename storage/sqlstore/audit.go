package sqlstore

import (
	"encoding/json"

	"pandian/stock"
)

// Audit appends an entry to the audit log (the table refuses updates and
// deletes).
func (t *tx) Audit(e stock.AuditEntry) (err error) {
	defer wrapOp(&err, "Audit")
	details, err := json.Marshal(e.Details)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO audit_log (at, actor, action, entity, details) VALUES (?, ?, ?, ?, ?)`,
		micros(e.At), e.Actor, e.Action, e.Entity, string(details))
	return err
}

// AuditLog returns the newest entries about entity (all when empty).
func (t *tx) AuditLog(entity string, limit int) (_ []stock.AuditEntry, err error) {
	defer wrapOp(&err, "AuditLog")
	q := `SELECT at, actor, action, entity, details FROM audit_log`
	args := []any{}
	if entity != "" {
		q += ` WHERE entity = ?`
		args = append(args, entity)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	rows, err := t.query(q, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []stock.AuditEntry{}
	for rows.Next() {
		var e stock.AuditEntry
		var at int64
		var details string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Entity, &details); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
