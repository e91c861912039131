package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"pandian/stock"
)

// Employee returns one employee.
func (t *tx) Employee(code string) (stock.Employee, error) {
	a, err := t.EmployeeAuth(code)
	return a.Employee, err
}

// EmployeeAuth returns an employee with its credentials state.
func (t *tx) EmployeeAuth(code string) (stock.EmployeeAuth, error) {
	var a stock.EmployeeAuth
	var scope string
	var locked int64
	err := t.queryRow(`SELECT code, name, role, scope, pin_hash, failures, locked_until FROM employees WHERE code = ?`, code).
		Scan(&a.Code, &a.Name, &a.Role, &scope, &a.PINHash, &a.Failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("employee", code)
	}
	if err != nil {
		return a, err
	}
	a.LockedUntil = fromMicros(locked)
	err = json.Unmarshal([]byte(scope), &a.Scope)
	return a, err
}

// PutEmployee inserts or updates an employee; an empty pinHash keeps the PIN.
func (t *tx) PutEmployee(e stock.Employee, pinHash string) (bool, error) {
	scope, _ := json.Marshal(e.Scope)
	now := time.Now().UnixMicro()
	q := `UPDATE employees SET name = ?, role = ?, scope = ?, updated_at = ? WHERE code = ?`
	args := []any{e.Name, e.Role, string(scope), now, e.Code}
	if pinHash != "" {
		q = `UPDATE employees SET name = ?, role = ?, scope = ?, updated_at = ?, pin_hash = ?, failures = 0, locked_until = 0 WHERE code = ?`
		args = []any{e.Name, e.Role, string(scope), now, pinHash, e.Code}
	}
	res, err := t.exec(q, args...)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return false, nil
	}
	_, err = t.exec(`INSERT INTO employees (code, name, role, scope, pin_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.Code, e.Name, e.Role, string(scope), pinHash, now)
	return true, err
}

// SetLoginFailures records failed sign-ins and a lock-out.
func (t *tx) SetLoginFailures(code string, failures int, lockedUntil time.Time) error {
	_, err := t.exec(`UPDATE employees SET failures = ?, locked_until = ? WHERE code = ?`, failures, micros(lockedUntil), code)
	return err
}

// CreateSession stores a session by its token hash.
func (t *tx) CreateSession(s stock.Session) error {
	_, err := t.exec(`INSERT INTO sessions (token_hash, employee, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.Employee, s.DeviceID, micros(s.Created), micros(s.Expires))
	return err
}

// DeleteSession removes a session (sign-out).
func (t *tx) DeleteSession(tokenHash string) error {
	_, err := t.exec(`DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// Session returns a session and its employee.
func (t *tx) Session(tokenHash string) (stock.Session, stock.Employee, error) {
	var s stock.Session
	var e stock.Employee
	var scope string
	var created, expires int64
	err := t.queryRow(`SELECT s.token_hash, s.employee, s.device_id, s.created_at, s.expires_at, e.code, e.name, e.role, e.scope
		FROM sessions s JOIN employees e ON e.code = s.employee WHERE s.token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.Employee, &s.DeviceID, &created, &expires, &e.Code, &e.Name, &e.Role, &scope)
	if errors.Is(err, sql.ErrNoRows) {
		return s, e, notFound("session", "")
	}
	if err != nil {
		return s, e, err
	}
	s.Created, s.Expires = fromMicros(created), fromMicros(expires)
	err = json.Unmarshal([]byte(scope), &e.Scope)
	return s, e, err
}
