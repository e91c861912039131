package stock

import (
	"context"
	"strings"
	"time"
)

// LocationInput is the body of PUT /v1/locations/{code}.
type LocationInput struct {
	Name          string       `json:"name"`
	Kind          LocationKind `json:"kind"`
	Parent        string       `json:"parent"`
	ApprovalLimit *Money       `json:"approval_limit"`
}

// allowedParent lists which kinds may hold which.
var allowedParent = map[LocationKind][]LocationKind{
	KindRegion: {KindRegion},
	KindStore:  {KindRegion},
	KindZone:   {KindStore},
	KindBin:    {KindZone},
}

// PutLocation creates or replaces a location (admin).
func (s *Service) PutLocation(ctx context.Context, actor Actor, code string, in LocationInput) (loc Location, created bool, err error) {
	if err := actor.Require(PermMasterData); err != nil {
		return loc, false, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SerializeLocationWrites(); err != nil {
			return err
		}
		loc, created, err = s.putLocation(tx, code, in)
		if err != nil {
			return err
		}
		return s.audit(tx, actor, "location.put", "location:"+code, map[string]any{"created": created, "parent": in.Parent, "kind": in.Kind})
	})
	return loc, created, err
}

func (s *Service) putLocation(tx LocationStore, code string, in LocationInput) (Location, bool, error) {
	if err := validCode("location", code); err != nil {
		return Location{}, false, err
	}
	if err := validText("name", in.Name, true, 200); err != nil {
		return Location{}, false, err
	}
	if !in.Kind.Valid() {
		return Location{}, false, Errorf(EInvalid, "kind must be region, store, zone or bin").With("field", "kind")
	}
	if in.ApprovalLimit != nil && (*in.ApprovalLimit < 0 || in.Kind != KindStore) {
		return Location{}, false, Errorf(EInvalid, "approval_limit is a non-negative amount set on stores").With("field", "approval_limit")
	}
	path := "/" + code + "/"
	if in.Parent != "" {
		parent, err := tx.Location(in.Parent)
		if ErrorCode(err) == ENotFound {
			return Location{}, false, Errorf(EInvalid, "parent %s does not exist", in.Parent).With("field", "parent")
		} else if err != nil {
			return Location{}, false, err
		}
		ok := false
		for _, k := range allowedParent[in.Kind] {
			ok = ok || parent.Kind == k
		}
		if !ok {
			return Location{}, false, Errorf(EInvalid, "a %s cannot be placed under a %s", in.Kind, parent.Kind).With("field", "parent")
		}
		if parent.Under(code) {
			return Location{}, false, Errorf(EInvalid, "parent %s is inside %s: that would make a cycle", in.Parent, code).With("field", "parent")
		}
		path = parent.Path + code + "/"
	} else if in.Kind != KindRegion {
		return Location{}, false, Errorf(EInvalid, "a %s needs a parent", in.Kind).With("field", "parent")
	}
	loc := Location{Code: code, Name: in.Name, Kind: in.Kind, Parent: in.Parent, Path: path, ApprovalLimit: in.ApprovalLimit}
	old, err := tx.Location(code)
	exists := err == nil
	if err != nil && ErrorCode(err) != ENotFound {
		return Location{}, false, err
	}
	if exists && old.Kind != in.Kind {
		kids, err := tx.LocationsUnder(old.Path)
		if err != nil {
			return Location{}, false, err
		}
		if len(kids) > 1 {
			return Location{}, false, Errorf(EConflict, "cannot change the kind of %s while it holds other locations", code)
		}
	}
	created, err := tx.PutLocation(loc)
	if err != nil {
		return Location{}, false, err
	}
	if exists && old.Path != path {
		if err := tx.RepathLocations(old.Path, path); err != nil {
			return Location{}, false, err
		}
	}
	return loc, created, nil
}

// Location returns a location in the actor's scope.
func (s *Service) Location(ctx context.Context, actor Actor, code string) (loc Location, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		loc, err = s.locationInScope(tx, actor, code)
		return err
	})
	return loc, err
}

// Locations lists the locations under a location in the actor's scope (the
// whole scope when under is empty).
func (s *Service) Locations(ctx context.Context, actor Actor, under string) (out []Location, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		paths, err := s.pathsUnder(tx, actor, under)
		if err != nil {
			return err
		}
		out = []Location{}
		for _, p := range paths {
			ls, err := tx.LocationsUnder(p)
			if err != nil {
				return err
			}
			out = append(out, ls...)
		}
		return nil
	})
	return out, err
}

// SKUInput is the body of PUT /v1/skus/{sku}.
type SKUInput struct {
	Name     string    `json:"name"`
	NameZh   string    `json:"name_zh"`
	Category string    `json:"category"`
	UnitCost *Money    `json:"unit_cost"`
	Barcodes []Barcode `json:"barcodes"`
}

// maxPackQty bounds pack quantities so that qty × pack cannot overflow.
const maxPackQty = 100000

// validateSKU checks a SKU and returns the lookup key of each barcode.
func (s *Service) validateSKU(sku string, in SKUInput) (SKU, []string, error) {
	if err := validCode("sku", sku); err != nil {
		return SKU{}, nil, err
	}
	for _, f := range []struct{ name, v string }{{"name", in.Name}, {"name_zh", in.NameZh}, {"category", in.Category}} {
		if err := validText(f.name, f.v, f.name == "name", 200); err != nil {
			return SKU{}, nil, err
		}
	}
	if in.UnitCost == nil || *in.UnitCost < 0 {
		return SKU{}, nil, Errorf(EInvalid, "unit_cost is required and not negative").With("field", "unit_cost")
	}
	if len(in.Barcodes) > 100 {
		return SKU{}, nil, Errorf(EInvalid, "at most 100 barcodes per SKU").With("field", "barcodes")
	}
	keys := make([]string, len(in.Barcodes))
	seen := map[string]bool{}
	for i, b := range in.Barcodes {
		if b.PackQty == 0 {
			in.Barcodes[i].PackQty = 1
		} else if b.PackQty < 1 || b.PackQty > maxPackQty {
			return SKU{}, nil, Errorf(EInvalid, "barcode %s: pack_qty must be 1 to %d", b.Code, maxPackQty).With("field", "barcodes")
		}
		if err := validText("barcode", b.Code, true, 100); err != nil {
			return SKU{}, nil, err
		}
		k, err := s.codes.Key(strings.TrimSpace(b.Code))
		if err != nil {
			return SKU{}, nil, Errorf(EInvalid, "barcode %s: %s", b.Code, ErrorMessage(err)).With("field", "barcodes")
		}
		if seen[k] {
			return SKU{}, nil, Errorf(EInvalid, "barcode %s is listed twice", b.Code).With("field", "barcodes")
		}
		seen[k] = true
		keys[i] = k
		in.Barcodes[i].Code = strings.TrimSpace(b.Code)
	}
	if in.Barcodes == nil {
		in.Barcodes = []Barcode{}
	}
	return SKU{SKU: sku, Name: in.Name, NameZh: in.NameZh, Category: in.Category, UnitCost: *in.UnitCost, Barcodes: in.Barcodes}, keys, nil
}

// PutSKU creates or replaces a SKU and its barcodes (admin).
func (s *Service) PutSKU(ctx context.Context, actor Actor, sku string, in SKUInput) (out SKU, created bool, err error) {
	if err := actor.Require(PermMasterData); err != nil {
		return out, false, err
	}
	out, keys, err := s.validateSKU(sku, in)
	if err != nil {
		return out, false, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.SKUInfo([]string{sku})
		if err != nil {
			return err
		}
		if created, err = tx.PutSKU(out, keys, true); err != nil {
			return err
		}
		details := map[string]any{"created": created, "unit_cost": out.UnitCost.String()}
		if b, ok := before[sku]; ok && b.RetiredAt != nil {
			details["restored"] = true // a retired SKU put again is back in the catalog
		}
		return s.audit(tx, actor, "sku.put", "sku:"+sku, details)
	})
	return out, created, err
}

// RetireSKU takes a SKU out of the catalog (admin): catalog sync hands it
// to devices as a tombstone, and counts opened from now on do not count
// its scans (they are kept for the reviewer, refused as "retired"). The
// SKU stays readable with its barcodes, movements, scans, counts and
// reports; counts opened before keep counting it. A SKU that still has
// book stock somewhere is not retired (409): its stock is adjusted or
// transferred first. Retiring a retired SKU answers it unchanged; putting
// it again (PUT or a catalog import) brings it back.
func (s *Service) RetireSKU(ctx context.Context, actor Actor, sku string) (out SKU, err error) {
	if err := actor.Require(PermMasterData); err != nil {
		return out, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if out, err = tx.SKU(sku); err != nil {
			return err
		}
		if out.RetiredAt != nil {
			return nil
		}
		levels, err := tx.StockLevels(StockFilter{SKU: sku})
		if err != nil {
			return err
		}
		for _, l := range levels {
			if l.Qty != 0 {
				return Errorf(EConflict, "SKU %s still has book stock (%d at %s); adjust or transfer it before retiring the SKU", sku, l.Qty, l.Location).
					With("location", l.Location).With("qty", l.Qty)
			}
		}
		now := s.Now().UTC().Truncate(time.Microsecond)
		if err := tx.RetireSKU(sku, now); err != nil {
			return err
		}
		out.RetiredAt = &now
		return s.audit(tx, actor, "sku.retire", "sku:"+sku, map[string]any{"barcodes": len(out.Barcodes)})
	})
	return out, err
}

// SKU returns a catalog entry (every signed-in employee may read it).
func (s *Service) SKU(ctx context.Context, actor Actor, sku string) (out SKU, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		out, err = tx.SKU(sku)
		return err
	})
	return out, err
}

// LookupResult answers a barcode lookup.
type LookupResult struct {
	SKU     string     `json:"sku"`
	Name    string     `json:"name"`
	NameZh  string     `json:"name_zh"`
	PackQty int64      `json:"pack_qty"`
	Code    string     `json:"code"`
	GTIN    string     `json:"gtin,omitempty"`
	Parsed  ParsedCode `json:"-"`
	GS1     *GS1       `json:"gs1,omitempty"`
	Measure *Measure   `json:"measure,omitempty"`
	Format  string     `json:"format,omitempty"`
	// RetiredAt is set when the SKU was retired: new counts refuse its scans.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// Lookup resolves a raw scan to its SKU and pack quantity.
func (s *Service) Lookup(ctx context.Context, actor Actor, raw string) (LookupResult, error) {
	if err := validRawCode(raw); err != nil {
		return LookupResult{}, err
	}
	p, err := s.codes.ParseCode(raw)
	if err != nil {
		return LookupResult{}, Errorf(EInvalid, "%s", ErrorMessage(err)).With("field", "code")
	}
	var res LookupResult
	err = s.store.Read(ctx, func(tx Tx) error {
		m, err := tx.LookupBarcodes(p.Keys)
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if b, ok := m[k]; ok {
				sku, err := tx.SKU(b.SKU)
				if err != nil {
					return err
				}
				res = LookupResult{SKU: b.SKU, Name: sku.Name, NameZh: sku.NameZh, PackQty: b.PackQty, Code: b.Code, GTIN: p.GTIN, Parsed: p, GS1: p.GS1, Measure: p.Measure, Format: p.Format, RetiredAt: sku.RetiredAt}
				return nil
			}
		}
		return Errorf(ENotFound, "no SKU has the code %s", p.Text).With("gtin", p.GTIN)
	})
	return res, err
}

// EmployeeInput is the body of PUT /v1/employees/{code}.
type EmployeeInput struct {
	Name  string   `json:"name"`
	Role  Role     `json:"role"`
	Scope []string `json:"scope"`
	PIN   string   `json:"pin"`
}

// validateEmployee checks an employee against the locations it names.
func (s *Service) validateEmployee(tx LocationStore, code string, in EmployeeInput) (Employee, error) {
	in, err := checkEmployee(code, in)
	if err != nil {
		return Employee{}, err
	}
	found, err := tx.LocationsByCode(in.Scope)
	if err != nil {
		return Employee{}, err
	}
	for _, c := range in.Scope {
		if _, ok := found[c]; !ok {
			return Employee{}, Errorf(EInvalid, "scope location %s does not exist", c).With("field", "scope")
		}
	}
	return Employee{Code: code, Name: in.Name, Role: in.Role, Scope: in.Scope}, nil
}

// checkEmployee checks the fields of an employee that need no lookup.
func checkEmployee(code string, in EmployeeInput) (EmployeeInput, error) {
	if err := validCode("employee", code); err != nil {
		return in, err
	}
	if err := validText("name", in.Name, true, 200); err != nil {
		return in, err
	}
	if !in.Role.Valid() {
		return in, Errorf(EInvalid, "role must be one of counter, supervisor, store_manager, regional_manager, auditor, admin").With("field", "role")
	}
	if in.Scope == nil {
		in.Scope = []string{}
	}
	if len(in.Scope) == 0 && !in.Role.WholeCompany() {
		return in, Errorf(EInvalid, "a %s needs a scope of at least one location", in.Role).With("field", "scope")
	}
	if len(in.Scope) > 200 {
		return in, Errorf(EInvalid, "scope lists at most 200 locations").With("field", "scope")
	}
	return in, nil
}

// PutEmployee creates or replaces an employee (admin). The PIN is required
// for a new employee and optional (kept) for an existing one.
func (s *Service) PutEmployee(ctx context.Context, actor Actor, code string, in EmployeeInput) (out Employee, created bool, err error) {
	if err := actor.Require(PermMasterData); err != nil {
		return out, false, err
	}
	var pinHash string
	if in.PIN != "" {
		if pinHash, err = s.hashPIN(in.PIN); err != nil {
			return out, false, err
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if out, err = s.validateEmployee(tx, code, in); err != nil {
			return err
		}
		if pinHash == "" {
			if _, err := tx.Employee(code); ErrorCode(err) == ENotFound {
				return Errorf(EInvalid, "pin is required for a new employee").With("field", "pin")
			} else if err != nil {
				return err
			}
		}
		if created, err = tx.PutEmployee(out, pinHash); err != nil {
			return err
		}
		return s.audit(tx, actor, "employee.put", "employee:"+code, map[string]any{"created": created, "role": out.Role, "scope": out.Scope, "pin_changed": pinHash != ""})
	})
	return out, created, err
}
