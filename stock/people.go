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
