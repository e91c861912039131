package mobileapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"pandian/stock"
)

// authOnly is a Service that only authenticates (as an admin).
type authOnly struct{ Service }

func (authOnly) Authenticate(context.Context, string) (stock.Actor, error) {
	return stock.Actor{Employee: stock.Employee{Code: "A001", Role: stock.RoleAdmin}}, nil
}

// TestAlertsUnavailable: without an alert service every alert route
// answers 503 in the contract's shape.
func TestAlertsUnavailable(t *testing.T) {
	app := New(authOnly{}, Options{})
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/v1/alert-rules", ""},
		{"GET", "/v1/alert-rules/r1", ""},
		{"PUT", "/v1/alert-rules/r1", `{"name":"x","kind":"count_open_hours","threshold":"8","targets":[]}`},
		{"DELETE", "/v1/alert-rules/r1", ""},
		{"POST", "/v1/alert-rules/r1/test", ""},
		{"GET", "/v1/alert-deliveries", ""},
		{"GET", "/v1/alert-deliveries/dl_1", ""},
		{"POST", "/v1/alert-deliveries/dl_1/retry", ""},
	} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		req.Header.Set("Authorization", "Bearer x")
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		var e struct {
			Error struct{ Code, Message string }
		}
		if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(b, &e) != nil || e.Error.Code != stock.EUnavailable ||
			!strings.Contains(e.Error.Message, "alerts") {
			t.Errorf("%s %s: %d %s", r.method, r.path, resp.StatusCode, b)
		}
	}
}
