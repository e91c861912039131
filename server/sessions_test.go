package main

import (
	"encoding/json"
	"sync"
	"testing"
)

type tokens struct {
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token"`
}

func (s *testServer) signInDevice(t *testing.T, code, device string) tokens {
	t.Helper()
	var tk tokens
	s.mustJSON("POST", "/v1/auth/token", "", map[string]string{"employee_code": code, "pin": pinOf(t, code), "device_id": device}, 200, &tk)
	if tk.Token == "" || tk.RefreshToken == "" {
		t.Fatalf("sign-in without tokens: %+v", tk)
	}
	return tk
}

func (s *testServer) refreshAs(refresh, device string) (int, tokens) {
	b, _ := json.Marshal(map[string]string{"refresh_token": refresh, "device_id": device})
	resp, body := s.rawToken("POST", "/v1/auth/refresh", "", "application/json", b)
	var tk tokens
	json.Unmarshal(body, &tk)
	return resp.StatusCode, tk
}

func (s *testServer) meStatus(token string) int {
	resp, _ := s.rawToken("GET", "/v1/me", token, "", nil)
	return resp.StatusCode
}

// TestSessions: a refresh token gets new tokens once, on its own device;
// the old access token ends; a refresh token presented again ends the whole
// sign-in; signing out ends the refresh token too; a manager logs an
// employee of their store out on every device; all of it audited.
func TestSessions(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		s := startServer(t, db)
		counter := employeeWith(t, "counter", "HK-TST")
		mgr := employeeWith(t, "store_manager", "HK-TST")

		first := s.signInDevice(t, counter, "TC52-1")
		if st, _ := s.refreshAs(first.RefreshToken, "TC52-2"); st != 401 {
			t.Errorf("refresh from another device: %d, want 401", st)
		}
		st, second := s.refreshAs(first.RefreshToken, "TC52-1")
		if st != 200 || second.Token == "" || second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
			t.Fatalf("refresh: %d %+v", st, second)
		}
		if s.meStatus(first.Token) != 401 || s.meStatus(second.Token) != 200 {
			t.Errorf("after a refresh: old token %d (want 401), new token %d (want 200)", s.meStatus(first.Token), s.meStatus(second.Token))
		}
		// The first refresh token again (a copy): the whole sign-in ends.
		if st, _ := s.refreshAs(first.RefreshToken, "TC52-1"); st != 401 {
			t.Errorf("reused refresh token: %d, want 401", st)
		}
		if s.meStatus(second.Token) != 401 {
			t.Errorf("the sign-in goes on after its refresh token was reused")
		}
		if st, _ := s.refreshAs(second.RefreshToken, "TC52-1"); st != 401 {
			t.Errorf("the rotated refresh token still works after a reuse: %d", st)
		}

		// Two refreshes at once with one token: at most one gets tokens.
		racing := s.signInDevice(t, counter, "TC52-1")
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 2 {
			wg.Go(func() {
				if st, _ := s.refreshAs(racing.RefreshToken, "TC52-1"); st == 200 {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ok > 1 {
			t.Errorf("one refresh token refreshed %d times", ok)
		}

		// Signing out ends the refresh token too.
		out := s.signInDevice(t, counter, "TC52-1")
		if resp, b := s.rawToken("POST", "/v1/auth/logout", out.Token, "", nil); resp.StatusCode != 204 {
			t.Fatalf("logout: %d %s", resp.StatusCode, b)
		}
		if st, _ := s.refreshAs(out.RefreshToken, "TC52-1"); st != 401 {
			t.Errorf("refresh after logout: %d, want 401", st)
		}

		// Everywhere: two devices, a counter may not, the manager may.
		a, b := s.signInDevice(t, counter, "TC52-1"), s.signInDevice(t, counter, "TC52-2")
		other := employeeWith(t, "counter", "HK-MK")
		resp, body := s.do("POST", "/v1/auth/logout", other, map[string]string{"employee_code": counter})
		if resp.StatusCode != 403 {
			t.Errorf("a counter logs another out: %d %s", resp.StatusCode, body)
		}
		mkMgr := employeeWith(t, "store_manager", "HK-MK")
		if resp, body := s.do("POST", "/v1/auth/logout", mkMgr, map[string]string{"employee_code": counter}); resp.StatusCode != 404 {
			t.Errorf("another store's manager logs the counter out: %d %s", resp.StatusCode, body)
		}
		var res struct {
			Employee string `json:"employee_code"`
			Sessions int    `json:"sessions_revoked"`
		}
		s.mustJSON("POST", "/v1/auth/logout", mgr, map[string]string{"employee_code": counter}, 200, &res)
		if res.Employee != counter || res.Sessions < 2 {
			t.Errorf("logout everywhere: %+v, want at least 2 sessions", res)
		}
		for _, tk := range []tokens{a, b} {
			if s.meStatus(tk.Token) != 401 {
				t.Errorf("a token works after logout everywhere")
			}
			if st, _ := s.refreshAs(tk.RefreshToken, "TC52-1"); st != 401 {
				t.Errorf("a refresh token works after logout everywhere: %d", st)
			}
		}
		if s.meStatus(s.token(mgr)) != 200 {
			t.Errorf("the manager's own session ended")
		}

		var audit struct {
			Entries []struct{ Action, Actor string }
		}
		s.mustJSON("GET", "/v1/audit?entity=employee:"+counter+"&limit=100", "ADMIN", nil, 200, &audit)
		seen := map[string]bool{}
		for _, e := range audit.Entries {
			seen[e.Action] = true
		}
		for _, want := range []string{"session.refresh", "session.refresh_reused", "session.logout_all"} {
			if !seen[want] {
				t.Errorf("no %s in the audit log: %+v", want, audit.Entries)
			}
		}
	})
}
