package stock

import (
	"context"
	"sort"
)

// ReasonCodes are the reasons an adjustment may carry.
var ReasonCodes = []string{"damage", "theft", "admin_error", "supplier_short", "unknown"}

// ApproveInput is the body of POST /v1/counts/{id}/approve.
type ApproveInput struct {
	ReasonCodes map[string]string `json:"reason_codes"`
}

// ApproveResult tells what an approval posted.
type ApproveResult struct {
	Count           Count    `json:"count"`
	PostedLines     int      `json:"posted_lines"`
	PostedValue     Money    `json:"posted_value"`
	RecountRequired []string `json:"recount_required"`
}

// Approve posts a count's variances to book stock as adjustments, all in
// one transaction, each with a reason code. A store manager may approve up
// to the store's value limit (sum of absolute variance values). Approving a
// posted count again answers the same result and posts nothing.
func (s *Service) Approve(ctx context.Context, actor Actor, id string, in ApproveInput) (res ApproveResult, err error) {
	if err := actor.Require(PermApprove); err != nil {
		return res, err
	}
	for sku, r := range in.ReasonCodes {
		if !contains(ReasonCodes, r) {
			return res, Errorf(EInvalid, "reason code %q for %s must be one of damage, theft, admin_error, supplier_short, unknown", r, sku).With("field", "reason_codes")
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		c, err := s.countInScope(tx, actor, id, true)
		if err != nil {
			return err
		}
		if c.Status != StatusReview && c.Status != StatusPosted {
			return Errorf(EConflict, "count %s is %s; close it before approving", id, c.Status)
		}
		ri, err := s.inputs(tx, c)
		if err != nil {
			return err
		}
		lines := computeLines(ri)
		if c.Status == StatusPosted {
			res = summarizePosting(c, lines)
			return nil
		}
		bySKU := map[string]int{}
		for i, l := range lines {
			bySKU[l.SKU] = i
		}
		for sku := range in.ReasonCodes {
			if _, ok := bySKU[sku]; !ok {
				return Errorf(EInvalid, "reason code given for %s, which is not a line of this count", sku).With("field", "reason_codes")
			}
		}
		var value Money
		for _, l := range lines {
			if postable(l) {
				value += l.VarianceValue.Abs()
			}
		}
		if actor.Role() == RoleStoreManager {
			limit, err := s.approvalLimit(tx, c)
			if err != nil {
				return err
			}
			if value > limit {
				return Errorf(EForbidden, "the variance value %s is above your approval limit %s; a regional manager must approve", value, limit).With("limit", limit.String()).With("value", value.String())
			}
		}
		paths, err := s.countPaths(tx, c)
		if err != nil {
			return err
		}
		levels, err := tx.StockLevels(StockFilter{Paths: paths})
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		var moves []Movement
		var hashes []string
		var postings []Posting
		for i := range lines {
			l := &lines[i]
			if l.RecountRequired {
				postings = append(postings, Posting{SKU: l.SKU, RecountRequired: true})
			}
			if !postable(*l) {
				continue
			}
			l.ReasonCode = in.ReasonCodes[l.SKU]
			if l.ReasonCode == "" {
				l.ReasonCode = "unknown"
			}
			l.Posted = true
			m := Movement{MovementID: "count:" + c.ID + ":" + l.SKU, SKU: l.SKU, Location: adjustmentLocation(levels, l.SKU, c.Location),
				QtyDelta: l.VarianceQty, Kind: MoveAdjustment, At: now, Posted: now, Reason: l.ReasonCode, Ref: c.ID, By: actor.Employee.Code}
			moves = append(moves, m)
			hashes = append(hashes, m.Hash())
			postings = append(postings, Posting{SKU: l.SKU, Qty: l.VarianceQty, Reason: l.ReasonCode, Location: m.Location})
		}
		if err := tx.ApplyMovements(moves, hashes); err != nil {
			return err
		}
		if err := tx.SavePostings(c.ID, postings); err != nil {
			return err
		}
		c.Status, c.PostedAt, c.ApprovedBy = StatusPosted, &now, actor.Employee.Code
		if err := tx.UpdateCount(c); err != nil {
			return err
		}
		res = summarizePosting(c, lines)
		return s.audit(tx, actor, "count.approve", "count:"+c.ID, map[string]any{"posted_lines": res.PostedLines, "posted_value": res.PostedValue.String(), "recount_required": res.RecountRequired, "reason_codes": in.ReasonCodes})
	})
	return res, err
}

// postable reports whether a line's variance is posted at approval.
func postable(l ReportLine) bool {
	return l.Status != LineIgnored && l.VarianceQty != 0 && !l.RecountRequired
}

func summarizePosting(c Count, lines []ReportLine) ApproveResult {
	res := ApproveResult{Count: c, RecountRequired: []string{}}
	for _, l := range lines {
		if l.Posted {
			res.PostedLines++
			res.PostedValue += l.VarianceValue.Abs()
		}
		if l.RecountRequired {
			res.RecountRequired = append(res.RecountRequired, l.SKU)
		}
	}
	return res
}

// approvalLimit is the limit of the store that holds the count.
func (s *Service) approvalLimit(tx Tx, c Count) (Money, error) {
	loc, err := tx.Location(c.Location)
	if err != nil {
		return 0, err
	}
	for loc.Kind != KindStore && loc.Parent != "" {
		if loc, err = tx.Location(loc.Parent); err != nil {
			return 0, err
		}
	}
	if loc.ApprovalLimit != nil {
		return *loc.ApprovalLimit, nil
	}
	return s.cfg.DefaultApprovalLimit, nil
}

// adjustmentLocation picks where an adjustment is posted: the location that
// holds most of the SKU's book stock in the count, or the count's location.
func adjustmentLocation(levels []StockLevel, sku, fallback string) string {
	best, qty := fallback, int64(-1<<62)
	cands := []StockLevel{}
	for _, l := range levels {
		if l.SKU == sku {
			cands = append(cands, l)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Location < cands[j].Location })
	for _, l := range cands {
		if l.Qty > qty {
			best, qty = l.Location, l.Qty
		}
	}
	return best
}
