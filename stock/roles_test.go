package stock

import (
	"strings"
	"testing"
)

// contractRoles are the columns of the role table in
// /work/shared/mobile-api.md ("Roles and scope"), in order.
var contractRoles = []Role{"counter", "supervisor", "store_manager", "regional_manager", "auditor", "admin"}

// contractTable is the contract's role table, copied literally: action,
// then one cell per role of contractRoles. A cell other than "no" grants
// the permission (the restriction it names is enforced elsewhere: counters
// filter reports to their own lines, approvals check the store's limit).
var contractTable = []struct {
	action string
	perm   Permission
	cells  [6]string
}{
	{"post scans to an open count in scope", PermScan,
		[6]string{"yes", "yes", "yes", "yes", "no", "yes"}},
	{"see expected (book) quantities of a blind count", PermSeeExpected,
		[6]string{"no", "no", "yes", "yes", "yes", "yes"}},
	{"open / close a count, order recounts", PermManageCount,
		[6]string{"no", "yes", "yes", "yes", "no", "yes"}},
	{"approve a count and post adjustments", PermApprove,
		[6]string{"no", "no", "yes, up to the store's value limit", "yes", "no", "yes"}},
	{"read discrepancy reports", PermReadReports,
		[6]string{"own lines only", "yes", "yes", "yes", "yes", "yes"}},
	{"master data: SKUs, locations, employees, imports", PermMasterData,
		[6]string{"no", "no", "no", "no", "no", "yes"}},
	{"upload documents", PermUploadDocuments,
		[6]string{"yes", "yes", "yes", "yes", "no", "yes"}},
}

// openPermissions are the permissions the contract leaves open, with the
// roles the implementation gives them: book stock is read by those who may
// see expected quantities, and posted by those who may approve adjustments
// (the auditor is read-only).
var openPermissions = map[Permission][6]string{
	PermReadStock:     {"no", "no", "yes", "yes", "yes", "yes"},
	PermPostMovements: {"no", "no", "yes", "yes", "no", "yes"},
	// Documents are read by everyone in the scope (the auditor too), and a
	// goods receipt is posted by whoever may manage a count.
	PermReadDocuments: {"yes", "yes", "yes", "yes", "yes", "yes"},
	PermReceive:       {"no", "yes", "yes", "yes", "no", "yes"},
}

func TestRolesMatchContract(t *testing.T) {
	if len(Roles) != len(contractRoles) {
		t.Fatalf("Roles = %v, contract has %v", Roles, contractRoles)
	}
	for i, r := range contractRoles {
		if Roles[i] != r || !r.Valid() {
			t.Fatalf("Roles = %v, contract has %v", Roles, contractRoles)
		}
	}
	for _, r := range []Role{"", "Admin", "ADMIN", "manager", "counter "} {
		if r.Valid() {
			t.Errorf("Role(%q).Valid() = true", r)
		}
	}
	check := func(what string, p Permission, cells [6]string) {
		for i, r := range contractRoles {
			want := cells[i] != "no"
			if got := r.Can(p); got != want {
				t.Errorf("%s: %s.Can(%s) = %v, the table says %q", what, r, p, got, cells[i])
			}
			err := Actor{Employee: Employee{Code: "E1", Role: r}}.Require(p)
			if want && err != nil {
				t.Errorf("%s: Require(%s) for %s = %v", what, p, r, err)
			}
			if !want && ErrorCode(err) != EForbidden {
				t.Errorf("%s: Require(%s) for %s = %v, want forbidden", what, p, r, err)
			}
		}
	}
	covered := map[Permission]bool{}
	for _, row := range contractTable {
		check(row.action, row.perm, row.cells)
		covered[row.perm] = true
	}
	for p, cells := range openPermissions {
		check("(not in the contract)", p, cells)
		covered[p] = true
	}
	// Every permission the code knows is in one of the two tables.
	for p := range permissions {
		if !covered[p] {
			t.Errorf("permission %s is in neither the contract table nor openPermissions", p)
		}
	}
	// Unknown roles and permissions grant nothing.
	if Role("boss").Can(PermScan) || RoleAdmin.Can("fly") {
		t.Errorf("an unknown role or permission is granted")
	}
	err := Actor{Employee: Employee{Role: RoleAuditor}}.Require(PermPostMovements)
	if msg := ErrorMessage(err); !strings.Contains(msg, "auditor") || !strings.Contains(msg, "post movements") {
		t.Errorf("forbidden message = %q", msg)
	}
}

func TestWholeCompany(t *testing.T) {
	for _, r := range Roles {
		want := r == RoleAdmin || r == RoleAuditor
		if r.WholeCompany() != want {
			t.Errorf("%s.WholeCompany() = %v", r, !want)
		}
	}
}

func TestInScope(t *testing.T) {
	locs := map[string]Location{
		"HK":       {Code: "HK", Path: "/HK/"},
		"HK-KLN":   {Code: "HK-KLN", Path: "/HK/HK-KLN/"},
		"HK-T":     {Code: "HK-T", Path: "/HK/HK-KLN/HK-T/"},
		"HK-T-A":   {Code: "HK-T-A", Path: "/HK/HK-KLN/HK-T/HK-T-A/"},
		"HK-TST":   {Code: "HK-TST", Path: "/HK/HK-KLN/HK-TST/"},
		"HK-TST-A": {Code: "HK-TST-A", Path: "/HK/HK-KLN/HK-TST/HK-TST-A/"},
		"T.1":      {Code: "T.1", Path: "/HK/HK-KLN/HK-TST/T.1/"},
		"T_1":      {Code: "T_1", Path: "/HK/HK-KLN/HK-TST/T_1/"},
		"HK-ISL":   {Code: "HK-ISL", Path: "/HK/HK-ISL/"},
		"MO":       {Code: "MO", Path: "/MO/"},
		"MO-1":     {Code: "MO-1", Path: "/MO/MO-1/"},
		"none":     {Code: "x", Path: ""},
	}
	all := []string{"HK", "HK-KLN", "HK-T", "HK-T-A", "HK-TST", "HK-TST-A", "T.1", "T_1", "HK-ISL", "MO", "MO-1", "none"}
	for _, c := range []struct {
		role  Role
		scope []string
		in    []string
	}{
		// HK-T does not contain HK-TST, whose code starts with "HK-T".
		{RoleCounter, []string{"HK-T"}, []string{"HK-T", "HK-T-A"}},
		{RoleSupervisor, []string{"HK-TST"}, []string{"HK-TST", "HK-TST-A", "T.1", "T_1"}},
		// '.' and '_' are plain characters.
		{RoleCounter, []string{"T_1"}, []string{"T_1"}},
		{RoleCounter, []string{"T.1"}, []string{"T.1"}},
		{RoleRegionalManager, []string{"HK-KLN"}, []string{"HK-KLN", "HK-T", "HK-T-A", "HK-TST", "HK-TST-A", "T.1", "T_1"}},
		{RoleStoreManager, []string{"HK-T", "MO-1"}, []string{"HK-T", "HK-T-A", "MO-1"}},
		{RoleRegionalManager, []string{"HK"}, []string{"HK", "HK-KLN", "HK-T", "HK-T-A", "HK-TST", "HK-TST-A", "T.1", "T_1", "HK-ISL"}},
		{RoleCounter, []string{}, nil},
		{RoleCounter, nil, nil},
		{RoleCounter, []string{"HK-"}, nil},
		{RoleCounter, []string{""}, nil},
		// Admins and auditors have the whole company, scope or not.
		{RoleAdmin, nil, all},
		{RoleAuditor, []string{"MO-1"}, all},
	} {
		a := Actor{Employee: Employee{Code: "E1", Role: c.role, Scope: c.scope}}
		for _, code := range all {
			want := false
			for _, x := range c.in {
				want = want || x == code
			}
			if got := a.InScope(locs[code]); got != want {
				t.Errorf("%s with scope %v: InScope(%s %q) = %v, want %v", c.role, c.scope, code, locs[code].Path, got, want)
			}
		}
	}
}

// TestRoleNames: every role has an English and a Chinese name (the one
// table pages, workbooks and alerts show); an unknown role is its code.
func TestRoleNames(t *testing.T) {
	seen := map[string]Role{}
	for _, r := range Roles {
		en, zh := r.Names()
		if en == "" || zh == "" || en == string(r) || zh == string(r) || strings.ContainsFunc(zh, func(c rune) bool { return c < 0x2E80 }) {
			t.Errorf("role %s: names %q, %q", r, en, zh)
		}
		for _, n := range []string{en, zh} {
			if o, dup := seen[n]; dup {
				t.Errorf("roles %s and %s share the name %q", o, r, n)
			}
			seen[n] = r
		}
	}
	if en, zh := Role("intern").Names(); en != "intern" || zh != "intern" {
		t.Errorf("unknown role: %q, %q", en, zh)
	}
}
