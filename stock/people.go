package stock

import (
	"context"
	"sort"
)

// EmployeeNames returns the names of the employees with the given codes,
// by code, for pages that show "陳大文 (E008)" instead of a bare code.
// Codes that name no employee are left out; nothing but the name is given
// (no role, scope or PIN state). Any signed-in actor may ask: the codes it
// names come from what that actor already sees (a count's opener, the
// counters of its lines).
func (s *Service) EmployeeNames(ctx context.Context, actor Actor, codes []string) (map[string]string, error) {
	if actor.Employee.Code == "" {
		return nil, Errorf(EUnauthenticated, "sign in first")
	}
	uniq := map[string]bool{}
	for _, c := range codes {
		if c != "" {
			uniq[c] = true
		}
	}
	list := make([]string, 0, len(uniq))
	for c := range uniq {
		list = append(list, c)
	}
	sort.Strings(list)
	if len(list) > 1000 {
		return nil, Errorf(ETooLarge, "at most 1000 codes at a time")
	}
	out := make(map[string]string, len(list))
	err := s.store.Read(ctx, func(tx Tx) error {
		for _, c := range list {
			e, err := tx.Employee(c)
			if ErrorCode(err) == ENotFound {
				continue
			}
			if err != nil {
				return err
			}
			out[c] = e.Name
		}
		return nil
	})
	return out, err
}

// Assignees returns the employees a recount of count id may be given to
// (OrderRecount's rule: in the count's scope and allowed to scan), by
// role (counters first) and name. For those who order recounts.
func (s *Service) Assignees(ctx context.Context, actor Actor, id string) (out []Employee, err error) {
	if err := actor.Require(PermManageCount); err != nil {
		return nil, err
	}
	out = []Employee{}
	err = s.store.Read(ctx, func(tx Tx) error {
		c, err := s.countInScope(tx, actor, id, false)
		if err != nil {
			return err
		}
		at := Location{Path: c.LocationPath}
		for after := ""; ; {
			es, err := tx.Employees(after, 500)
			if err != nil {
				return err
			}
			for _, e := range es {
				if e.Role.Can(PermScan) && (Actor{Employee: e}).InScope(at) {
					out = append(out, e)
				}
			}
			if len(es) < 500 {
				return nil
			}
			after = es[len(es)-1].Code
		}
	})
	rank := map[Role]int{RoleCounter: 0, RoleSupervisor: 1, RoleStoreManager: 2, RoleRegionalManager: 3}
	sort.SliceStable(out, func(i, j int) bool {
		ri, okI := rank[out[i].Role]
		rj, okJ := rank[out[j].Role]
		if !okI {
			ri = 9
		}
		if !okJ {
			rj = 9
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}
