package stock

import "strings"

// Role is an employee's role; it decides what the employee may do.
type Role string

// The roles of the contract.
const (
	RoleCounter         Role = "counter"
	RoleSupervisor      Role = "supervisor"
	RoleStoreManager    Role = "store_manager"
	RoleRegionalManager Role = "regional_manager"
	RoleAuditor         Role = "auditor"
	RoleAdmin           Role = "admin"
)

// Roles lists every role, from the least to the most trusted.
var Roles = []Role{RoleCounter, RoleSupervisor, RoleStoreManager, RoleRegionalManager, RoleAuditor, RoleAdmin}

// roleNames are the roles' display names: English, Traditional Chinese.
var roleNames = map[Role][2]string{
	RoleCounter:         {"Counter", "盤點員"},
	RoleSupervisor:      {"Supervisor", "主管"},
	RoleStoreManager:    {"Store manager", "店長"},
	RoleRegionalManager: {"Regional manager", "區域經理"},
	RoleAuditor:         {"Auditor", "稽核員"},
	RoleAdmin:           {"Administrator", "系統管理員"},
}

// Names returns the role's display names in English and in Traditional
// Chinese, as pages, workbooks and alerts show them; an unknown role's
// names are its code.
func (r Role) Names() (en, zh string) {
	if n, ok := roleNames[r]; ok {
		return n[0], n[1]
	}
	return string(r), string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Permission names one action of the contract's role table.
type Permission string

// The permissions of the role table, plus the ones the contract leaves open.
const (
	PermScan            Permission = "scan"             // post scans to an open count
	PermSeeExpected     Permission = "see_expected"     // see book quantities of a blind count
	PermManageCount     Permission = "manage_count"     // open/close counts, order recounts
	PermApprove         Permission = "approve"          // approve and post adjustments
	PermReadReports     Permission = "read_reports"     // read discrepancy reports (counters: own lines)
	PermMasterData      Permission = "master_data"      // SKUs, locations, employees, imports
	PermUploadDocuments Permission = "upload_documents" // upload documents
	PermReadStock       Permission = "read_stock"       // read book stock
	PermPostMovements   Permission = "post_movements"   // post stock movements
	PermReadDocuments   Permission = "read_documents"   // read documents of the scope
	PermReceive         Permission = "receive"          // post a document's goods receipt
)

var permissions = map[Permission][]Role{
	PermScan:            {RoleCounter, RoleSupervisor, RoleStoreManager, RoleRegionalManager, RoleAdmin},
	PermSeeExpected:     {RoleStoreManager, RoleRegionalManager, RoleAuditor, RoleAdmin},
	PermManageCount:     {RoleSupervisor, RoleStoreManager, RoleRegionalManager, RoleAdmin},
	PermApprove:         {RoleStoreManager, RoleRegionalManager, RoleAdmin},
	PermReadReports:     {RoleCounter, RoleSupervisor, RoleStoreManager, RoleRegionalManager, RoleAuditor, RoleAdmin},
	PermMasterData:      {RoleAdmin},
	PermUploadDocuments: {RoleCounter, RoleSupervisor, RoleStoreManager, RoleRegionalManager, RoleAdmin},
	PermReadStock:       {RoleStoreManager, RoleRegionalManager, RoleAuditor, RoleAdmin},
	PermPostMovements:   {RoleStoreManager, RoleRegionalManager, RoleAdmin},
	PermReadDocuments:   {RoleCounter, RoleSupervisor, RoleStoreManager, RoleRegionalManager, RoleAuditor, RoleAdmin},
	PermReceive:         {RoleSupervisor, RoleStoreManager, RoleRegionalManager, RoleAdmin},
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	for _, x := range permissions[p] {
		if x == r {
			return true
		}
	}
	return false
}

// WholeCompany reports whether r sees every location regardless of scope.
func (r Role) WholeCompany() bool { return r == RoleAdmin || r == RoleAuditor }

// Actor is the authenticated caller of a service method.
type Actor struct {
	Employee Employee
	DeviceID string
}

// Role returns the actor's role.
func (a Actor) Role() Role { return a.Employee.Role }

// Require returns a forbidden error unless the actor holds p.
func (a Actor) Require(p Permission) error {
	if a.Employee.Role.Can(p) {
		return nil
	}
	return Errorf(EForbidden, "role %s may not %s", a.Employee.Role, strings.ReplaceAll(string(p), "_", " "))
}

// InScope reports whether loc is inside the actor's scope: admins and
// auditors see everything, others see the locations at or below one of
// their scope codes.
func (a Actor) InScope(loc Location) bool {
	if a.Employee.Role.WholeCompany() {
		return true
	}
	for _, code := range a.Employee.Scope {
		if loc.Under(code) {
			return true
		}
	}
	return false
}
