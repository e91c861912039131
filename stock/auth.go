package stock

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// SignIn is the answer to a successful login or refresh: an access token
// and, unless refresh tokens are off, a refresh token bound to the device.
type SignIn struct {
	Token          string    `json:"token"`
	Expires        time.Time `json:"expires_at"`
	RefreshToken   string    `json:"refresh_token,omitempty"`
	RefreshExpires time.Time `json:"refresh_expires_at,omitzero"`
	Employee       Employee  `json:"employee"`
}

// LogoutResult is the answer to logging an employee out everywhere.
type LogoutResult struct {
	Employee string `json:"employee_code"`
	Sessions int    `json:"sessions_revoked"`
}

// AllSources is the throttle source that stands for every source that never
// signed in as the employee: devices or addresses an attacker can vary.
const AllSources = "*"

// pruneEvery is how often a process forgets idle throttle sources, and
// pruneAfter how long a source stays idle before it is forgotten (its lock
// durations start again from the first).
const (
	pruneEvery = 10 * time.Minute
	pruneAfter = 24 * time.Hour
)

// decoyHash is compared against when the employee does not exist: a hash of
// a random PIN at the cost of real PINs, so that an unknown code costs what
// a wrong PIN costs.
func (s *Service) decoyHash() []byte {
	s.decoyOnce.Do(func() {
		var raw [16]byte
		_, _ = rand.Read(raw[:])
		cost := s.cfg.PINCost
		if cost < bcrypt.MinCost {
			cost = bcrypt.DefaultCost
		}
		s.decoy, _ = bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(raw[:])), cost)
	})
	return s.decoy
}

// PINChecks returns how many PIN hash comparisons Login has made since the
// service started: what a brute-force attempt actually got to test.
func (s *Service) PINChecks() int64 { return s.pinChecks.Load() }

// throttlePolicy is the service's sign-in throttle for one kind of source:
// the employee's sources one by one, or all untrusted sources together.
func (s *Service) throttlePolicy(all bool) ThrottlePolicy {
	p := ThrottlePolicy{Limit: s.cfg.MaxLoginFailures, FirstLock: s.cfg.LockDuration, MaxLock: s.cfg.MaxLockDuration}
	if p.Limit <= 0 {
		p.Limit = 5
	}
	if p.FirstLock <= 0 {
		p.FirstLock = time.Minute
	}
	if p.MaxLock < p.FirstLock {
		p.MaxLock = p.FirstLock
	}
	if all {
		p.Limit *= 2
	}
	return p
}

// Login is LoginFrom with the device as the throttle source.
func (s *Service) Login(ctx context.Context, code, pin, deviceID string) (SignIn, error) {
	return s.LoginFrom(ctx, code, pin, deviceID, "")
}

// LoginFrom checks an employee's PIN and returns a bearer token. source is
// where the attempt comes from (a device or a client address; "" = the
// device ID): attempts are throttled per (employee code, source). Every
// attempt is counted in the database before the PIN is checked, so that
// concurrent attempts on any replica cannot check more PINs than the limit:
// MaxLoginFailures attempts per window, then the source is locked
// (rate_limited) for LockDuration, doubling at each further lock up to
// MaxLockDuration. A source that signed in successfully before is trusted:
// it is throttled on its own. The other sources of the employee also share
// one window of twice the limit, so that varying device IDs or addresses
// does not buy more guesses; trusted sources are not locked by it. Unknown
// employee codes are counted, locked and answered exactly like real ones,
// and cost one PIN check at the same bcrypt cost.
func (s *Service) LoginFrom(ctx context.Context, code, pin, deviceID, source string) (SignIn, error) {
	fail := Errorf(EUnauthenticated, "wrong employee code or PIN")
	if code == "" || pin == "" || len(pin) > 64 || len(code) > 64 {
		return SignIn{}, fail
	}
	if err := validText("device_id", deviceID, false, 100); err != nil {
		return SignIn{}, err
	}
	if source == "" {
		source = "device:" + deviceID
	}
	if source == AllSources {
		source = "device:" + source
	}
	if len(source) > 200 {
		h := sha256.Sum256([]byte(source))
		source = "sha256:" + hex.EncodeToString(h[:])
	}
	decoy := s.decoyHash()
	now := s.Now().UTC()
	s.pruneSignIns(ctx, now)
	one, all := s.throttlePolicy(false), s.throttlePolicy(true)
	var (
		emp     EmployeeAuth
		known   bool
		mine    SignInCount // the source's window
		shared  SignInCount // the window of all untrusted sources
		counted bool        // the attempt counted on the shared window
	)
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		known, counted, shared = false, false, SignInCount{}
		if mine, err = tx.CountSignIn(code, source, now, one); err != nil {
			return err
		}
		if mine.Refused {
			return lockedError(now, mine.LockedUntil)
		}
		if !mine.Trusted {
			if shared, err = tx.CountSignIn(code, AllSources, now, all); err != nil {
				return err
			}
			if shared.Refused {
				// Rolled back: a refused attempt counts nowhere.
				return lockedError(now, shared.LockedUntil)
			}
			counted = true
		}
		emp, err = tx.EmployeeAuth(code)
		if ErrorCode(err) == ENotFound {
			return nil
		}
		known = err == nil
		return err
	})
	if err != nil {
		return SignIn{}, err
	}
	hash := decoy
	if known {
		hash = []byte(emp.PINHash)
	}
	s.pinChecks.Add(1)
	if bcrypt.CompareHashAndPassword(hash, []byte(pin)) != nil || !known {
		left := one.Limit - mine.Failures
		if counted && all.Limit-shared.Failures < left {
			left = all.Limit - shared.Failures
		}
		if !mine.Locked && !shared.Locked {
			return SignIn{}, fail.With("attempts_left", left)
		}
		until := mine.LockedUntil
		if shared.Locked && shared.LockedUntil.After(until) {
			until = shared.LockedUntil
		}
		err := s.store.Write(ctx, func(tx Tx) error {
			for _, l := range []struct {
				c      SignInCount
				source string
				limit  int
			}{{mine, source, one.Limit}, {shared, AllSources, all.Limit}} {
				if !l.c.Locked {
					continue
				}
				if err := tx.Audit(AuditEntry{At: now, Actor: "system", Action: "signin.lock", Entity: "employee:" + code,
					Details: map[string]any{"source": l.source, "failures": l.limit, "until": l.c.LockedUntil, "seconds": int(l.c.LockedUntil.Sub(now).Seconds())}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return SignIn{}, err
		}
		return SignIn{}, lockedError(now, until)
	}
	var res SignIn
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SignInSucceeded(code, source, now, one, counted); err != nil {
			return err
		}
		var err error
		res, err = s.issue(tx, emp.Employee, deviceID, newToken(), now)
		return err
	})
	return res, err
}

// newToken returns 256 random bits, base64url: a token or a family id.
func newToken() string {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// issue stores an access token and (unless off) a refresh token of family
// for emp on deviceID.
func (s *Service) issue(tx Tx, emp Employee, deviceID, family string, now time.Time) (SignIn, error) {
	token := newToken()
	sess := Session{TokenHash: hashToken(token), Employee: emp.Code, DeviceID: deviceID, Created: now, Expires: now.Add(s.cfg.TokenTTL), Family: family}
	if err := tx.CreateSession(sess); err != nil {
		return SignIn{}, err
	}
	res := SignIn{Token: token, Expires: sess.Expires, Employee: emp}
	if s.cfg.RefreshTTL > 0 {
		refresh := newToken()
		r := RefreshToken{TokenHash: hashToken(refresh), Family: family, Employee: emp.Code, DeviceID: deviceID, Created: now, Expires: now.Add(s.cfg.RefreshTTL)}
		if err := tx.CreateRefresh(r); err != nil {
			return SignIn{}, err
		}
		res.RefreshToken, res.RefreshExpires = refresh, r.Expires
	}
	return res, nil
}

// Refresh trades a refresh token for a new access token and a new refresh
// token (rotation), on the device it was issued to; the access tokens
// issued before in the same sign-in end. A refresh token is good once: one
// presented again (a copy, or a replay) ends the whole sign-in, so a
// stolen token stops working for both holders. Every refresh is audited.
func (s *Service) Refresh(ctx context.Context, refreshToken, deviceID string) (SignIn, error) {
	fail := Errorf(EUnauthenticated, "unknown, used or expired refresh token; sign in again")
	if refreshToken == "" || len(refreshToken) > 200 {
		return SignIn{}, fail
	}
	now := s.Now()
	var res SignIn
	var reused bool
	err := s.store.Write(ctx, func(tx Tx) error {
		r, err := tx.UseRefresh(hashToken(refreshToken), now)
		if ErrorCode(err) == ENotFound {
			return fail
		}
		if err != nil {
			return err
		}
		if !r.Used.IsZero() {
			n, err := tx.RevokeFamily(r.Family)
			if err != nil {
				return err
			}
			reused = true
			return tx.Audit(AuditEntry{At: now, Actor: "system", Action: "session.refresh_reused", Entity: "employee:" + r.Employee,
				Details: map[string]any{"device_id": r.DeviceID, "sessions_revoked": n, "first_used": r.Used}})
		}
		if r.DeviceID != deviceID {
			return Errorf(EUnauthenticated, "this refresh token belongs to another device; sign in again")
		}
		if !now.Before(r.Expires) {
			return fail
		}
		emp, err := tx.Employee(r.Employee)
		if err != nil {
			return err
		}
		if err := tx.EndFamilySessions(r.Family); err != nil { // the old access token
			return err
		}
		if res, err = s.issue(tx, emp, deviceID, r.Family, now); err != nil {
			return err
		}
		return tx.Audit(AuditEntry{At: now, Actor: emp.Code, Action: "session.refresh", Entity: "employee:" + emp.Code,
			Details: map[string]any{"device_id": deviceID}})
	})
	if err != nil {
		return SignIn{}, err
	}
	if reused {
		return SignIn{}, fail
	}
	return res, nil
}

// LogoutEverywhere ends every session and refresh token of employee code,
// on all devices: the employee themself, an admin, or a manager whose
// scope holds the employee's whole scope (for a lost or stolen device).
// Audited.
func (s *Service) LogoutEverywhere(ctx context.Context, actor Actor, code string) (LogoutResult, error) {
	res := LogoutResult{Employee: code}
	err := s.store.Write(ctx, func(tx Tx) error {
		emp, err := tx.Employee(code)
		if err != nil {
			return err
		}
		if err := s.mayLogOut(tx, actor, emp); err != nil {
			return err
		}
		if res.Sessions, err = tx.RevokeEmployee(code); err != nil {
			return err
		}
		return tx.Audit(AuditEntry{At: s.Now(), Actor: actor.Employee.Code, Action: "session.logout_all", Entity: "employee:" + code,
			Details: map[string]any{"sessions_revoked": res.Sessions}})
	})
	return res, err
}

// mayLogOut: oneself; admins anyone; store and regional managers the
// employees all of whose scope is inside theirs, other than admins and
// auditors (404 outside their scope, as for any resource).
func (s *Service) mayLogOut(tx Tx, actor Actor, emp Employee) error {
	switch {
	case actor.Employee.Code == emp.Code, actor.Role() == RoleAdmin:
		return nil
	case actor.Role() != RoleStoreManager && actor.Role() != RoleRegionalManager:
		return Errorf(EForbidden, "role %s may not log other employees out", actor.Role())
	case emp.Role.WholeCompany() || len(emp.Scope) == 0:
		return Errorf(EForbidden, "only an admin may log out a company-wide employee")
	}
	for _, code := range emp.Scope {
		loc, err := tx.Location(code)
		if err != nil || !actor.InScope(loc) {
			return Errorf(ENotFound, "employee %s not found", emp.Code)
		}
	}
	return nil
}

// lockedError is the answer to an attempt on a locked source.
func lockedError(now, until time.Time) error {
	secs := int((until.Sub(now) + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	wait := time.Duration(secs) * time.Second
	return Errorf(ERateLimited, "too many wrong PINs; try again in %s", wait).With("retry_after_seconds", secs)
}

// pruneSignIns forgets idle throttle sources, at most every pruneEvery per
// process; a failure is only logged by the next attempt's error, if any.
func (s *Service) pruneSignIns(ctx context.Context, now time.Time) {
	last := s.lastPrune.Load()
	if now.UnixNano()-last < int64(pruneEvery) || !s.lastPrune.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	_ = s.store.Write(ctx, func(tx Tx) error {
		_, err := tx.PruneSignIns(now.Add(-pruneAfter))
		return err
	})
}

// UnlockEmployee clears every sign-in lock and throttle window of an
// employee (admin): each source gets its full allowance back and its lock
// durations start again from the first. The unlock is audited with how
// many sources were locked.
func (s *Service) UnlockEmployee(ctx context.Context, actor Actor, code string) (UnlockResult, error) {
	if err := actor.Require(PermMasterData); err != nil {
		return UnlockResult{}, err
	}
	res := UnlockResult{Employee: code}
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Employee(code); err != nil {
			return err
		}
		n, err := tx.UnlockSignIn(code, s.Now().UTC(), s.throttlePolicy(false))
		if err != nil {
			return err
		}
		res.LockedSources = n
		return s.audit(tx, actor, "employee.unlock", "employee:"+code, map[string]any{"locked_sources": n})
	})
	return res, err
}

// UnlockResult is the answer to an unlock.
type UnlockResult struct {
	Employee      string `json:"employee_code"`
	LockedSources int    `json:"locked_sources"` // sources that were locked
}

// Authenticate resolves a bearer token to its actor.
func (s *Service) Authenticate(ctx context.Context, token string) (Actor, error) {
	if token == "" || len(token) > 200 {
		return Actor{}, Errorf(EUnauthenticated, "missing or malformed bearer token")
	}
	var sess Session
	var emp Employee
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		sess, emp, err = tx.Session(hashToken(token))
		return err
	})
	if ErrorCode(err) == ENotFound {
		return Actor{}, Errorf(EUnauthenticated, "unknown or revoked token")
	}
	if err != nil {
		return Actor{}, err
	}
	if !s.Now().Before(sess.Expires) {
		return Actor{}, Errorf(EUnauthenticated, "token expired; sign in again")
	}
	return Actor{Employee: emp, DeviceID: sess.DeviceID}, nil
}

// Logout revokes a bearer token: it no longer authenticates anyone.
// Revoking an unknown token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > 200 {
		return Errorf(EUnauthenticated, "missing or malformed bearer token")
	}
	return s.store.Write(ctx, func(tx Tx) error {
		// The sign-in's refresh token ends with it.
		sess, _, err := tx.Session(hashToken(token))
		if ErrorCode(err) == ENotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if sess.Family != "" {
			_, err = tx.RevokeFamily(sess.Family)
			return err
		}
		return tx.DeleteSession(sess.TokenHash)
	})
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// hashPIN validates and hashes a PIN: 4 to 12 digits.
func (s *Service) hashPIN(pin string) (string, error) {
	if err := validPIN(pin); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pin), s.cfg.PINCost)
	return string(h), err
}

// EnsureAdmin creates the admin employee code with pin unless an employee
// with that code exists (the bootstrap of a fresh installation).
func (s *Service) EnsureAdmin(ctx context.Context, code, pin string) (created bool, err error) {
	if err := validCode("employee", code); err != nil {
		return false, err
	}
	h, err := s.hashPIN(pin)
	if err != nil {
		return false, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Employee(code); err == nil {
			return nil
		} else if ErrorCode(err) != ENotFound {
			return err
		}
		created = true
		if _, err := tx.PutEmployee(Employee{Code: code, Name: "Administrator", Role: RoleAdmin, Scope: []string{}}, h); err != nil {
			return err
		}
		return tx.Audit(AuditEntry{At: s.Now().UTC(), Actor: "system", Action: "employee.bootstrap", Entity: "employee:" + code})
	})
	return created, err
}
