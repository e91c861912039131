package sqlstore

import (
	"database/sql"
	"errors"

	"pandian/stock"
)

const locationCols = `code, name, kind, parent, path, approval_limit`

func scanLocation(row interface{ Scan(...any) error }) (stock.Location, error) {
	var l stock.Location
	var limit sql.NullInt64
	err := row.Scan(&l.Code, &l.Name, &l.Kind, &l.Parent, &l.Path, &limit)
	if limit.Valid {
		m := stock.Money(limit.Int64)
		l.ApprovalLimit = &m
	}
	return l, err
}

// Location returns one location.
func (t *tx) Location(code string) (_ stock.Location, err error) {
	defer wrapOp(&err, "Location")
	l, err := scanLocation(t.queryRow(`SELECT `+locationCols+` FROM locations WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return l, notFound("location", code)
	}
	return l, err
}

// LocationsByCode returns the locations that exist among codes.
func (t *tx) LocationsByCode(codes []string) (_ map[string]stock.Location, err error) {
	defer wrapOp(&err, "LocationsByCode")
	out := map[string]stock.Location{}
	err = chunks(uniq(codes), 500, func(part []string) error {
		rows, err := t.query(`SELECT `+locationCols+` FROM locations WHERE code IN (`+placeholders(len(part))+`)`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanLocation(rows)
			if err != nil {
				return err
			}
			out[l.Code] = l
		}
		return rows.Err()
	})
	return out, err
}

// LocationsUnder returns path's location and all below it, by path.
func (t *tx) LocationsUnder(path string) (_ []stock.Location, err error) {
	defer wrapOp(&err, "LocationsUnder")
	cond, args := underAny("path", []string{path})
	if path == "/" {
		cond, args = "1=1", nil
	}
	rows, err := t.query(`SELECT `+locationCols+` FROM locations WHERE `+cond+` ORDER BY path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// PutLocation inserts or replaces a location.
func (t *tx) PutLocation(l stock.Location) (_ bool, err error) {
	defer wrapOp(&err, "PutLocation")
	var limit any
	if l.ApprovalLimit != nil {
		limit = int64(*l.ApprovalLimit)
	}
	res, err := t.exec(`UPDATE locations SET name = ?, kind = ?, parent = ?, path = ?, approval_limit = ? WHERE code = ?`,
		l.Name, l.Kind, l.Parent, l.Path, limit, l.Code)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return false, nil
	}
	_, err = t.exec(`INSERT INTO locations (`+locationCols+`) VALUES (?, ?, ?, ?, ?, ?)`, l.Code, l.Name, l.Kind, l.Parent, l.Path, limit)
	return true, err
}

// locationWriteLock is the PostgreSQL advisory lock key of location writes.
const locationWriteLock = 0x70616e64696170

// SerializeLocationWrites holds a transaction-scoped lock that location
// writes take in turn (PostgreSQL; SQLite's writes are serial already).
// An import writes the locations in its file's order and a subtree move
// rewrites the paths below the location in the table's order: two of them
// at once deadlocked (TestLocationWritesNoDeadlock). Taken before the
// locations are read, it also keeps a location put under one being moved
// from taking its parent's path as it was before the move.
func (t *tx) SerializeLocationWrites() (err error) {
	defer wrapOp(&err, "SerializeLocationWrites")
	if t.d.name != "postgres" {
		return nil
	}
	_, err = t.exec(`SELECT pg_advisory_xact_lock(?)`, locationWriteLock)
	return err
}

// HoldLocations takes the lock of location writes shared (PostgreSQL;
// SQLite's writes are serial already): location writes wait for its
// holders and its holders for them, never for each other.
func (t *tx) HoldLocations() (err error) {
	defer wrapOp(&err, "HoldLocations")
	if t.d.name != "postgres" {
		return nil
	}
	_, err = t.exec(`SELECT pg_advisory_xact_lock_shared(?)`, locationWriteLock)
	return err
}

// RepathLocations moves every location below oldPrefix to newPrefix, and
// the counts held there.
func (t *tx) RepathLocations(oldPrefix, newPrefix string) (err error) {
	defer wrapOp(&err, "RepathLocations")
	cond, args := underAny("path", []string{oldPrefix})
	q := `UPDATE locations SET path = ? || substr(path, ?) WHERE ` + cond
	if _, err := t.exec(q, append([]any{newPrefix, len(oldPrefix) + 1}, args...)...); err != nil {
		return err
	}
	cond, args = underAny("location_path", []string{oldPrefix})
	_, err = t.exec(`UPDATE counts SET location_path = ? || substr(location_path, ?) WHERE `+cond, append([]any{newPrefix, len(oldPrefix) + 1}, args...)...)
	return err
}
