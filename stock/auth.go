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

// SignIn is the answer to a successful login.
type SignIn struct {
	Token    string    `json:"token"`
	Expires  time.Time `json:"expires_at"`
	Employee Employee  `json:"employee"`
}

// dummyHash is compared against when the employee does not exist, so that
// a wrong code costs as much time as a wrong PIN.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("000000"), bcrypt.MinCost)

// Login checks an employee's PIN and returns a bearer token. Repeated
// failures lock the employee out for a while (answered rate_limited).
func (s *Service) Login(ctx context.Context, code, pin, deviceID string) (SignIn, error) {
	fail := Errorf(EUnauthenticated, "wrong employee code or PIN")
	if code == "" || pin == "" || len(pin) > 64 || len(code) > 64 {
		return SignIn{}, fail
	}
	if err := validText("device_id", deviceID, false, 100); err != nil {
		return SignIn{}, err
	}
	now := s.Now().UTC()
	var emp EmployeeAuth
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		emp, err = tx.EmployeeAuth(code)
		return err
	})
	if ErrorCode(err) == ENotFound {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(pin))
		return SignIn{}, fail
	}
	if err != nil {
		return SignIn{}, err
	}
	if now.Before(emp.LockedUntil) {
		wait := emp.LockedUntil.Sub(now).Round(time.Second)
		return SignIn{}, Errorf(ERateLimited, "too many wrong PINs; try again in %s", wait).With("retry_after_seconds", int(wait.Seconds()))
	}
	if bcrypt.CompareHashAndPassword([]byte(emp.PINHash), []byte(pin)) != nil {
		failures := emp.Failures + 1
		var until time.Time
		if failures >= s.cfg.MaxLoginFailures {
			until, failures = now.Add(s.cfg.LockDuration), 0
		}
		if err := s.store.Write(ctx, func(tx Tx) error { return tx.SetLoginFailures(code, failures, until) }); err != nil {
			return SignIn{}, err
		}
		if !until.IsZero() {
			return SignIn{}, Errorf(ERateLimited, "too many wrong PINs; locked for %s", s.cfg.LockDuration).With("retry_after_seconds", int(s.cfg.LockDuration.Seconds()))
		}
		return SignIn{}, fail.With("attempts_left", s.cfg.MaxLoginFailures-failures)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return SignIn{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	sess := Session{TokenHash: hashToken(token), Employee: code, DeviceID: deviceID, Created: now, Expires: now.Add(s.cfg.TokenTTL)}
	err = s.store.Write(ctx, func(tx Tx) error {
		if emp.Failures != 0 || !emp.LockedUntil.IsZero() {
			if err := tx.SetLoginFailures(code, 0, time.Time{}); err != nil {
				return err
			}
		}
		return tx.CreateSession(sess)
	})
	if err != nil {
		return SignIn{}, err
	}
	return SignIn{Token: token, Expires: sess.Expires, Employee: emp.Employee}, nil
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
	return s.store.Write(ctx, func(tx Tx) error { return tx.DeleteSession(hashToken(token)) })
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// hashPIN validates and hashes a PIN: 4 to 12 digits.
func (s *Service) hashPIN(pin string) (string, error) {
	if len(pin) < 4 || len(pin) > 12 {
		return "", Errorf(EInvalid, "pin must be 4 to 12 digits").With("field", "pin")
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return "", Errorf(EInvalid, "pin must be 4 to 12 digits").With("field", "pin")
		}
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
