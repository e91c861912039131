package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestTypedClient: TypeScript types generated from the served
// /v1/openapi.json (openapi-typescript) compile with a small client
// (tools/ts-client/client.ts: sign in, look a code up, open a count, post
// scans twice, read the report), and the client works against the server.
// Needs Node.js and npm (the tools come from the npm registry, pinned);
// skipped without them outside CI.
func TestTypedClient(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: npm is missing")
		}
		t.Skip("npm is missing (Node.js): the typed-client test needs it")
	}
	s := startServer(t, "sqlite")
	mgr := employeeWith(t, "store_manager", "HK-TST")
	cmd := exec.Command("../tools/ts-client/run.sh", s.URL, mgr, pinOf(t, mgr))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("typed client: %v\n%s\n%s", err, out, stderr.String())
	}
	var got struct {
		Employee, SKU, Count string
		Accepted, Duplicates int
		Counted              *int64
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("typed client printed %q: %v\n%s", out, err, stderr.String())
	}
	if got.Employee != mgr || got.SKU != "SKU-000001" || got.Accepted != 2 || got.Duplicates != 2 || got.Counted == nil || *got.Counted != 5 {
		t.Errorf("typed client saw %+v (counted %v)", got, got.Counted)
	}
	var c struct{ Location string }
	s.mustJSON("GET", "/v1/counts/"+got.Count, "ADMIN", nil, 200, &c)
	if c.Location != "HK-TST" {
		t.Errorf("the client's count is at %q", c.Location)
	}
}
