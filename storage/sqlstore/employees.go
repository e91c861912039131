package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"pandian/stock"
)

// Employee returns one employee.
func (t *tx) Employee(code string) (_ stock.Employee, err error) {
	defer wrapOp(&err, "Employee")
	a, err := t.EmployeeAuth(code)
	return a.Employee, err
}

// EmployeeAuth returns an employee with its credentials state.
func (t *tx) EmployeeAuth(code string) (_ stock.EmployeeAuth, err error) {
	defer wrapOp(&err, "EmployeeAuth")
	var a stock.EmployeeAuth
	var scope string
	err = t.queryRow(`SELECT code, name, role, scope, pin_hash FROM employees WHERE code = ?`, code).
		Scan(&a.Code, &a.Name, &a.Role, &scope, &a.PINHash)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("employee", code)
	}
	if err != nil {
		return a, err
	}
	err = json.Unmarshal([]byte(scope), &a.Scope)
	return a, err
}

// PutEmployee inserts or updates an employee; an empty pinHash keeps the PIN,
// a new one clears the employee's sign-in locks.
func (t *tx) PutEmployee(e stock.Employee, pinHash string) (_ bool, err error) {
	defer wrapOp(&err, "PutEmployee")
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
	if pinHash != "" {
		if err := t.throttleRows(e.Code, `failures = 0, locked_until = 0`); err != nil {
			return false, err
		}
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return false, nil
	}
	_, err = t.exec(`INSERT INTO employees (code, name, role, scope, pin_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.Code, e.Name, e.Role, string(scope), pinHash, now)
	return true, err
}

// CountSignIn counts a sign-in attempt: one upsert creates the row (at one
// failure) or increments it unless it is locked, and RETURNING gives the
// count, so that concurrent attempts (on PostgreSQL, on any replica: the
// upsert waits for the row lock and sees the committed count) each get
// their own number. A row it finds locked out is left as it is but locked
// (ON CONFLICT DO UPDATE locks the rows its WHERE skips), and read next.
// Created, then updated in a second statement, a row that a prune deleted
// in between (an idle source) was missing to the update: the sign-in
// failed with an internal error.
func (t *tx) CountSignIn(code, source string, now time.Time, p stock.ThrottlePolicy) (_ stock.SignInCount, err error) {
	defer wrapOp(&err, "CountSignIn")
	var c stock.SignInCount
	at := now.UnixMicro()
	var next int64
	var trusted int
	err = t.queryRow(`INSERT INTO signin_throttle (code, source, failures, next_lock, updated_at) VALUES (?, ?, 1, ?, ?)
		ON CONFLICT (code, source) DO UPDATE SET failures = signin_throttle.failures + 1, updated_at = excluded.updated_at
		WHERE signin_throttle.locked_until <= ? RETURNING failures, next_lock, trusted`, code, source, p.FirstLock.Microseconds(), at, at).
		Scan(&c.Failures, &next, &trusted)
	if errors.Is(err, sql.ErrNoRows) {
		var until int64
		err = t.queryRow(`SELECT locked_until, trusted FROM signin_throttle WHERE code = ? AND source = ?`, code, source).Scan(&until, &trusted)
		c.Refused, c.LockedUntil, c.Trusted = true, fromMicros(until), trusted != 0
		return c, err
	}
	if err != nil {
		return c, err
	}
	c.Trusted = trusted != 0
	if c.Failures < p.Limit {
		return c, nil
	}
	if next <= 0 {
		next = p.FirstLock.Microseconds()
	}
	max := p.MaxLock.Microseconds()
	if max < next {
		max = next
	}
	doubled := next * 2
	if doubled > max {
		doubled = max
	}
	c.Locked, c.LockedUntil = true, fromMicros(at+next)
	_, err = t.exec(`UPDATE signin_throttle SET failures = 0, locked_until = ?, next_lock = ? WHERE code = ? AND source = ?`,
		at+next, doubled, code, source)
	return c, err
}

// SignInSucceeded clears (code, source), marks it trusted and, with alsoAll,
// clears the window of (code, '*').
func (t *tx) SignInSucceeded(code, source string, now time.Time, p stock.ThrottlePolicy, alsoAll bool) (err error) {
	defer wrapOp(&err, "SignInSucceeded")
	at := now.UnixMicro()
	if _, err := t.exec(`INSERT INTO signin_throttle (code, source, next_lock, trusted, updated_at) VALUES (?, ?, ?, 1, ?)
		ON CONFLICT (code, source) DO UPDATE SET failures = 0, locked_until = 0, next_lock = excluded.next_lock, trusted = 1, updated_at = excluded.updated_at`,
		code, source, p.FirstLock.Microseconds(), at); err != nil {
		return err
	}
	if !alsoAll {
		return nil
	}
	_, err = t.exec(`UPDATE signin_throttle SET failures = 0, locked_until = 0, updated_at = ? WHERE code = ? AND source = '*'`, at, code)
	return err
}

// UnlockSignIn clears every source of code.
func (t *tx) UnlockSignIn(code string, now time.Time, p stock.ThrottlePolicy) (_ int, err error) {
	defer wrapOp(&err, "UnlockSignIn")
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM signin_throttle WHERE code = ? AND locked_until > ?`, code, now.UnixMicro()).Scan(&n); err != nil {
		return 0, err
	}
	return n, t.throttleRows(code, `failures = 0, locked_until = 0, next_lock = ?`, p.FirstLock.Microseconds())
}

// throttleRows sets the sign-in throttle rows of code: its sources first,
// then the shared "*" row, the order a sign-in takes them in (CountSignIn
// of its source, then of "*"). In one statement PostgreSQL takes them in
// the table's or the index's order, where "*" can come first, and an
// unlock or a PIN change racing a sign-in deadlocked. The sources are
// locked in byte order first, as PruneSignIns takes them: each in its
// plan's order, an unlock and a prune of several idle sources deadlocked.
func (t *tx) throttleRows(code, set string, args ...any) error {
	update := func(which string, more ...any) error {
		_, err := t.exec(`UPDATE signin_throttle SET `+set+` WHERE code = ? AND `+which, append(append(append([]any{}, args...), code), more...)...)
		return err
	}
	sources, srcs := `source <> '*'`, []any(nil)
	if t.d.name == "postgres" {
		locked, err := t.lockThrottle(`code = ? AND source <> '*'`, code)
		if err != nil {
			return err
		}
		for _, k := range locked {
			srcs = append(srcs, k[1])
		}
		// The rows locked only: not one that a sign-in added since.
		sources = `source IN (` + placeholders(len(srcs)) + `)`
	}
	if t.d.name != "postgres" || len(srcs) > 0 {
		if err := update(sources, srcs...); err != nil {
			return err
		}
	}
	return update(`source = '*'`)
}

// lockThrottle locks (on PostgreSQL) the sign-in throttle rows that match
// where, in byte order of code, then source (COLLATE "C": Go's order, not
// the database's), and returns their (code, source) keys.
func (t *tx) lockThrottle(where string, args ...any) ([][2]string, error) {
	rows, err := t.query(`SELECT code, source FROM signin_throttle WHERE `+where+`
		ORDER BY code COLLATE "C", source COLLATE "C" FOR UPDATE`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys [][2]string
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// PruneSignIns deletes the untrusted, unlocked rows idle since before.
func (t *tx) PruneSignIns(before time.Time) (_ int64, err error) {
	defer wrapOp(&err, "PruneSignIns")
	at := before.UnixMicro()
	// The sources first, then the "*" rows, as a sign-in takes them (see
	// throttleRows). On PostgreSQL each in byte order of (code, source),
	// locked first, as an unlock or a PIN change takes a code's sources:
	// deleted in the plan's order, they deadlocked.
	var n int64
	for _, which := range []string{`source <> '*'`, `source = '*'`} {
		idle := `trusted = 0 AND updated_at < ? AND locked_until < ? AND ` + which
		if t.d.name != "postgres" {
			res, err := t.exec(`DELETE FROM signin_throttle WHERE `+idle, at, at)
			if err != nil {
				return 0, err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return 0, err
			}
			n += k
			continue
		}
		keys, err := t.lockThrottle(idle, at, at)
		if err != nil {
			return 0, err
		}
		// The rows locked only: one that turned idle since (an unlock)
		// would be taken out of order.
		const chunk = 500
		for len(keys) > 0 {
			part := keys[:min(chunk, len(keys))]
			keys = keys[len(part):]
			args := make([]any, 0, 2*len(part))
			for _, k := range part {
				args = append(args, k[0], k[1])
			}
			res, err := t.exec(`DELETE FROM signin_throttle WHERE (code, source) IN (VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?), ", len(part)), ", ")+`)`, args...)
			if err != nil {
				return 0, err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return 0, err
			}
			n += k
		}
	}
	// Tokens expired since before: nothing can use them any more. The
	// refresh tokens first, then the sessions, as RevokeFamily and
	// RevokeEmployee take them (in the other order, a prune racing the
	// revocation of a family with expired tokens deadlocked).
	if _, err := t.exec(`DELETE FROM refresh_tokens WHERE expires_at < ?`, at); err != nil {
		return 0, err
	}
	if _, err := t.exec(`DELETE FROM sessions WHERE expires_at < ?`, at); err != nil {
		return 0, err
	}
	return n, nil
}

// EndFamilySessions deletes the sessions (access tokens) of a sign-in's
// family, keeping its refresh tokens.
func (t *tx) EndFamilySessions(family string) (err error) {
	defer wrapOp(&err, "EndFamilySessions")
	_, err = t.exec(`DELETE FROM sessions WHERE family = ?`, family)
	return err
}

// CreateSession stores a session by its token hash.
func (t *tx) CreateSession(s stock.Session) (err error) {
	defer wrapOp(&err, "CreateSession")
	_, err = t.exec(`INSERT INTO sessions (token_hash, employee, device_id, created_at, expires_at, family) VALUES (?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.Employee, s.DeviceID, micros(s.Created), micros(s.Expires), s.Family)
	return err
}

// CreateRefresh stores a refresh token by its hash.
func (t *tx) CreateRefresh(r stock.RefreshToken) (err error) {
	defer wrapOp(&err, "CreateRefresh")
	_, err = t.exec(`INSERT INTO refresh_tokens (token_hash, family, employee, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.TokenHash, r.Family, r.Employee, r.DeviceID, micros(r.Created), micros(r.Expires))
	return err
}

// UseRefresh marks a refresh token used at now and returns it as it was
// before (Used zero the first time).
func (t *tx) UseRefresh(tokenHash string, now time.Time) (_ stock.RefreshToken, err error) {
	defer wrapOp(&err, "UseRefresh")
	var r stock.RefreshToken
	var created, expires, used int64
	err = t.queryRow(`SELECT token_hash, family, employee, device_id, created_at, expires_at, used_at FROM refresh_tokens WHERE token_hash = ?`, tokenHash).
		Scan(&r.TokenHash, &r.Family, &r.Employee, &r.DeviceID, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("refresh token", "")
	}
	if err != nil {
		return r, err
	}
	r.Created, r.Expires = fromMicros(created), fromMicros(expires)
	// Before the token's row: a revocation takes the same lock before
	// deleting, so this refresh's successor token is either seen by the
	// revocation's delete (it commits first) or not made (the revocation
	// deleted this token first: the update below finds it gone).
	if err := t.lockTokens(r.Employee); err != nil {
		return r, err
	}
	if used != 0 {
		r.Used = fromMicros(used)
		return r, nil
	}
	// Only one of two concurrent uses finds it unused.
	res, err := t.exec(`UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at = 0`, micros(now), tokenHash)
	if err != nil {
		return r, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return r, err
	} else if n == 0 {
		// Used by another refresh, or deleted (revoked, pruned) while
		// this one waited for the lock: a token that is gone was not
		// reused, so its refresh fails as unknown, without the reuse
		// alarm and its family revocation.
		err := t.queryRow(`SELECT used_at FROM refresh_tokens WHERE token_hash = ?`, tokenHash).Scan(&used)
		if errors.Is(err, sql.ErrNoRows) {
			return r, notFound("refresh token", "")
		}
		if err != nil {
			return r, err
		}
		r.Used = fromMicros(used)
		if used == 0 {
			r.Used = now
		}
	}
	return r, nil
}

// tokenLockClass is the first key of the PostgreSQL advisory locks of
// employees' refresh tokens (the second is the code's hash).
const tokenLockClass = 0x70616e64 // "pand"

// lockTokens holds, until the transaction ends, the lock that a refresh
// of employee code's tokens and a revocation of them take in turn
// (PostgreSQL; SQLite's writes are serial already). Without it, under READ
// COMMITTED, a revocation's delete waited for a refresh's use of the old
// token but did not see the new token the refresh inserted: the revoked
// family lived on. Every holder takes it before any token row.
func (t *tx) lockTokens(code string) error {
	if t.d.name != "postgres" {
		return nil
	}
	_, err := t.exec(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, tokenLockClass, code)
	return err
}

// RevokeFamily deletes the sessions and refresh tokens of a sign-in's
// family; it returns how many sessions it ended.
func (t *tx) RevokeFamily(family string) (_ int, err error) {
	defer wrapOp(&err, "RevokeFamily")
	if family == "" {
		return 0, nil
	}
	// A family with no refresh token has none to refresh either.
	var emp string
	err = t.queryRow(`SELECT employee FROM refresh_tokens WHERE family = ? LIMIT 1`, family).Scan(&emp)
	if err == nil {
		err = t.lockTokens(emp)
	} else if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(`DELETE FROM refresh_tokens WHERE family = ?`, family); err != nil {
		return 0, err
	}
	res, err := t.exec(`DELETE FROM sessions WHERE family = ?`, family)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RevokeEmployee deletes every session and refresh token of an employee;
// it returns how many sessions it ended.
func (t *tx) RevokeEmployee(code string) (_ int, err error) {
	defer wrapOp(&err, "RevokeEmployee")
	if err := t.lockTokens(code); err != nil {
		return 0, err
	}
	if _, err := t.exec(`DELETE FROM refresh_tokens WHERE employee = ?`, code); err != nil {
		return 0, err
	}
	res, err := t.exec(`DELETE FROM sessions WHERE employee = ?`, code)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteSession removes a session (sign-out).
func (t *tx) DeleteSession(tokenHash string) (err error) {
	defer wrapOp(&err, "DeleteSession")
	_, err = t.exec(`DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// Session returns a session and its employee.
func (t *tx) Session(tokenHash string) (_ stock.Session, _ stock.Employee, err error) {
	defer wrapOp(&err, "Session")
	var s stock.Session
	var e stock.Employee
	var scope string
	var created, expires int64
	err = t.queryRow(`SELECT s.token_hash, s.employee, s.device_id, s.created_at, s.expires_at, s.family, e.code, e.name, e.role, e.scope
		FROM sessions s JOIN employees e ON e.code = s.employee WHERE s.token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.Employee, &s.DeviceID, &created, &expires, &s.Family, &e.Code, &e.Name, &e.Role, &scope)
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
