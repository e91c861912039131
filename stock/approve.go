package stock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// ReasonCodes are the reasons an adjustment may carry.
var ReasonCodes = []string{"damage", "theft", "admin_error", "supplier_short", "unknown"}

// What an approval does with the lines nobody scanned of a count whose
// policy is uncounted: zero (ApproveInput.Uncounted).
const (
	ApproveUncountedZero = "zero" // post them to 0: the caller confirmed it
	ApproveUncountedHold = "hold" // hold them back: their book is left alone
)

// Why a line is held back from an approval (HeldLine.Why).
const (
	HeldRecountRequired      = "recount_required"      // its book changed during the count (reject_changed)
	HeldUncounted            = "uncounted_hold"        // nobody scanned it and the approval holds such lines
	HeldUncountedUnconfirmed = "uncounted_unconfirmed" // nobody scanned it and no decision was given yet
)

// ApproveInput is the body of POST /v1/counts/{id}/approve.
type ApproveInput struct {
	ReasonCodes map[string]string `json:"reason_codes"`
	// Uncounted decides the in-scope lines nobody scanned, when approval
	// would set them to 0 (policy uncounted: zero and a book other than
	// 0): "zero" confirms it, "hold" holds them back. Without it such an
	// approval is refused (409 with the lines' number and value).
	Uncounted string `json:"uncounted,omitempty"`
	// IfMatch is the fingerprint of a preview: the approval is refused
	// (409) unless it would post exactly what that preview showed.
	IfMatch string `json:"if_match,omitempty"`
}

// ApproveResult tells what an approval posted.
type ApproveResult struct {
	Count           Count    `json:"count"`
	PostedLines     int      `json:"posted_lines"`
	PostedValue     Money    `json:"posted_value"`
	RecountRequired []string `json:"recount_required"`
}

// PlannedLine is one adjustment an approval would post.
type PlannedLine struct {
	SKU           string `json:"sku"`
	Name          string `json:"name"`
	NameZh        string `json:"name_zh"`
	Location      string `json:"location"`
	Status        string `json:"status"` // counted or uncounted (set to 0)
	BookQty       int64  `json:"book_qty"`
	CountedQty    int64  `json:"counted_qty"`
	VarianceQty   int64  `json:"variance_qty"`
	UnitCost      Money  `json:"unit_cost"`
	VarianceValue Money  `json:"variance_value"`
	// ReasonCode is the reason posted; ReasonSet is false when the
	// request gave none and the line would be posted as "unknown".
	ReasonCode string `json:"reason_code"`
	ReasonSet  bool   `json:"reason_set"`
}

// HeldLine is a line with a variance that an approval would not post.
type HeldLine struct {
	SKU           string `json:"sku"`
	Status        string `json:"status"`
	BookQty       int64  `json:"book_qty"`
	VarianceQty   int64  `json:"variance_qty"`
	VarianceValue Money  `json:"variance_value"`
	Why           string `json:"why"`
}

// ApprovalPreview is exactly what an approval with the same body would
// post, and the fingerprint that approval may carry (IfMatch).
type ApprovalPreview struct {
	CountID string      `json:"count_id"`
	Status  CountStatus `json:"status"`
	// Uncounted is the decision applied ("zero", "hold" or "" when none
	// was given); ConfirmationRequired is true when the approval needs
	// one (UncountedLines lines worth UncountedValue would be set to 0).
	Uncounted            string        `json:"uncounted"`
	ConfirmationRequired bool          `json:"confirmation_required"`
	UncountedLines       int           `json:"uncounted_lines"`
	UncountedValue       Money         `json:"uncounted_value"`
	Lines                []PlannedLine `json:"lines"`
	Held                 []HeldLine    `json:"held"`
	UpQty                int64         `json:"up_qty"`
	UpValue              Money         `json:"up_value"`
	DownQty              int64         `json:"down_qty"`
	DownValue            Money         `json:"down_value"`
	PostedValue          Money         `json:"posted_value"`
	ReasonsUnset         int           `json:"reasons_unset"`
	// ApprovalLimit is the caller's limit (store managers), and
	// WithinLimit whether PostedValue is within it.
	ApprovalLimit *Money `json:"approval_limit"`
	WithinLimit   bool   `json:"within_limit"`
	Fingerprint   string `json:"fingerprint"`
}

// approvalPlan is a preview with the movements and postings it makes.
type approvalPlan struct {
	preview  ApprovalPreview
	lines    []ReportLine
	postings []Posting
}

func (in ApproveInput) validate() error {
	for sku, r := range in.ReasonCodes {
		if !contains(ReasonCodes, r) {
			return Errorf(EInvalid, "reason code %q for %s must be one of damage, theft, admin_error, supplier_short, unknown", r, sku).With("field", "reason_codes")
		}
	}
	if in.Uncounted != "" && in.Uncounted != ApproveUncountedZero && in.Uncounted != ApproveUncountedHold {
		return Errorf(EInvalid, "uncounted must be zero or hold").With("field", "uncounted")
	}
	return nil
}

// PreviewApproval answers exactly what Approve with the same input would
// post now, and changes nothing. The count must be in review.
func (s *Service) PreviewApproval(ctx context.Context, actor Actor, id string, in ApproveInput) (p ApprovalPreview, err error) {
	if err := actor.Require(PermApprove); err != nil {
		return p, err
	}
	if err := in.validate(); err != nil {
		return p, err
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		c, err := s.countInScope(tx, actor, id, false)
		if err != nil {
			return err
		}
		if c.Status != StatusReview {
			return Errorf(EConflict, "count %s is %s; only a count in review can be previewed for approval", id, c.Status)
		}
		plan, err := s.planApproval(tx, actor, c, in)
		p = plan.preview
		return err
	})
	return p, err
}

// planApproval computes what approving c with in would post.
func (s *Service) planApproval(tx Tx, actor Actor, c Count, in ApproveInput) (plan approvalPlan, err error) {
	ri, err := s.inputs(tx, c)
	if err != nil {
		return plan, err
	}
	lines := computeLines(ri)
	bySKU := map[string]int{}
	for i, l := range lines {
		bySKU[l.SKU] = i
	}
	for sku := range in.ReasonCodes {
		if _, ok := bySKU[sku]; !ok {
			return plan, Errorf(EInvalid, "reason code given for %s, which is not a line of this count", sku).With("field", "reason_codes")
		}
	}
	paths, err := s.countPaths(tx, c)
	if err != nil {
		return plan, err
	}
	levels, err := tx.StockLevels(StockFilter{Paths: paths})
	if err != nil {
		return plan, err
	}
	stats, err := tx.ScanStats(c.ID)
	if err != nil {
		return plan, err
	}
	p := ApprovalPreview{CountID: c.ID, Status: c.Status, Uncounted: in.Uncounted, Lines: []PlannedLine{}, Held: []HeldLine{}}
	// The fingerprint covers what the approval depends on: the count's
	// state, its scans (late ones too), every line's book and count, the
	// book levels it posts to, and the decisions of the request.
	h := sha256.New()
	field := func(parts ...string) {
		for _, s := range parts {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		h.Write([]byte{'\n'})
	}
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	field("count", c.ID, string(c.Status), i64(int64(c.Round)), string(c.Uncounted), string(c.MovementPolicy))
	field("scans", i64(stats.Scans), i64(stats.Counted), i64(stats.Late), i64(stats.Unknown), i64(stats.Rejected))
	field("decision", in.Uncounted)
	for _, l := range lines {
		field("line", l.SKU, l.Status, i64(l.SnapshotQty), i64(l.MovementQty), i64(l.CountedQty), strconv.FormatBool(l.RecountRequired), i64(int64(l.UnitCost)))
		if l.Status == LineUncounted && postable(l) {
			p.UncountedLines++
			p.UncountedValue += l.VarianceValue.Abs()
		}
	}
	sortedLevels := append([]StockLevel(nil), levels...)
	sort.Slice(sortedLevels, func(i, j int) bool {
		if sortedLevels[i].SKU != sortedLevels[j].SKU {
			return sortedLevels[i].SKU < sortedLevels[j].SKU
		}
		return sortedLevels[i].Location < sortedLevels[j].Location
	})
	for _, lv := range sortedLevels {
		if _, ok := bySKU[lv.SKU]; ok {
			field("level", lv.SKU, lv.Location, i64(lv.Qty))
		}
	}
	p.ConfirmationRequired = p.UncountedLines > 0 && in.Uncounted == ""
	for i := range lines {
		l := &lines[i]
		if l.RecountRequired {
			plan.postings = append(plan.postings, Posting{SKU: l.SKU, RecountRequired: true})
		}
		if !postable(*l) {
			if l.RecountRequired && l.VarianceQty != 0 {
				p.Held = append(p.Held, HeldLine{SKU: l.SKU, Status: l.Status, BookQty: l.BookQty, VarianceQty: l.VarianceQty, VarianceValue: l.VarianceValue, Why: HeldRecountRequired})
			}
			continue
		}
		if l.Status == LineUncounted && in.Uncounted != ApproveUncountedZero {
			why := HeldUncounted
			if in.Uncounted == "" {
				why = HeldUncountedUnconfirmed
			}
			p.Held = append(p.Held, HeldLine{SKU: l.SKU, Status: l.Status, BookQty: l.BookQty, VarianceQty: l.VarianceQty, VarianceValue: l.VarianceValue, Why: why})
			continue
		}
		reason, set := in.ReasonCodes[l.SKU], true
		if reason == "" {
			reason, set = "unknown", false
			p.ReasonsUnset++
		}
		pl := PlannedLine{SKU: l.SKU, Name: l.Name, NameZh: l.NameZh, Location: adjustmentLocation(levels, l.SKU, c.Location), Status: l.Status,
			BookQty: l.BookQty, CountedQty: l.CountedQty, VarianceQty: l.VarianceQty, UnitCost: l.UnitCost, VarianceValue: l.VarianceValue, ReasonCode: reason, ReasonSet: set}
		p.Lines = append(p.Lines, pl)
		if pl.VarianceQty > 0 {
			p.UpQty += pl.VarianceQty
			p.UpValue += pl.VarianceValue
		} else {
			p.DownQty -= pl.VarianceQty
			p.DownValue -= pl.VarianceValue
		}
		p.PostedValue += pl.VarianceValue.Abs()
		l.ReasonCode, l.Posted = reason, true
		field("post", pl.SKU, pl.Location, i64(pl.VarianceQty), reason)
		plan.postings = append(plan.postings, Posting{SKU: l.SKU, Qty: l.VarianceQty, Reason: reason, Location: pl.Location})
	}
	p.WithinLimit = true
	if actor.Role() == RoleStoreManager {
		limit, err := s.approvalLimit(tx, c)
		if err != nil {
			return plan, err
		}
		p.ApprovalLimit, p.WithinLimit = &limit, p.PostedValue <= limit
	}
	p.Fingerprint = "ap1-" + hex.EncodeToString(h.Sum(nil))[:32]
	plan.preview, plan.lines = p, lines
	return plan, nil
}

// Approve posts a count's variances to book stock as adjustments, all in
// one transaction, each with a reason code. A store manager may approve up
// to the store's value limit (sum of absolute variance values). Lines that
// nobody scanned are set to 0 only when the input confirms it (Uncounted
// "zero"), or held back ("hold"); without a decision such an approval is
// refused. With IfMatch, it posts exactly what the preview with that
// fingerprint showed, or is refused. Approving a posted count again
// answers the same result and posts nothing.
func (s *Service) Approve(ctx context.Context, actor Actor, id string, in ApproveInput) (res ApproveResult, err error) {
	if err := actor.Require(PermApprove); err != nil {
		return res, err
	}
	if err := in.validate(); err != nil {
		return res, err
	}
	in.IfMatch = strings.TrimSpace(in.IfMatch)
	err = s.store.Write(ctx, func(tx Tx) error {
		c, err := s.countInScope(tx, actor, id, true)
		if err != nil {
			return err
		}
		if c.Status != StatusReview && c.Status != StatusPosted {
			return Errorf(EConflict, "count %s is %s; close it before approving", id, c.Status)
		}
		if c.Status == StatusPosted {
			ri, err := s.inputs(tx, c)
			if err != nil {
				return err
			}
			res = summarizePosting(c, computeLines(ri))
			return nil
		}
		plan, err := s.planApproval(tx, actor, c, in)
		if err != nil {
			return err
		}
		p := plan.preview
		if in.IfMatch != "" && in.IfMatch != p.Fingerprint {
			return Errorf(EConflict, "count %s changed since its approval preview (or the request differs from it); preview it again", id).
				With("field", "if_match").With("fingerprint", p.Fingerprint)
		}
		if p.ConfirmationRequired {
			return Errorf(EConflict, "%d lines were never scanned and would be set to 0 (value %s); approve with uncounted \"zero\" to confirm, or \"hold\" to leave them out", p.UncountedLines, p.UncountedValue).
				With("field", "uncounted").With("uncounted_lines", p.UncountedLines).With("uncounted_value", p.UncountedValue.String())
		}
		if !p.WithinLimit {
			return Errorf(EForbidden, "the variance value %s is above your approval limit %s; a regional manager must approve", p.PostedValue, *p.ApprovalLimit).With("limit", p.ApprovalLimit.String()).With("value", p.PostedValue.String())
		}
		now := s.Now().UTC()
		moves := make([]Movement, 0, len(p.Lines))
		hashes := make([]string, 0, len(p.Lines))
		for _, pl := range p.Lines {
			m := Movement{MovementID: "count:" + c.ID + ":" + pl.SKU, SKU: pl.SKU, Location: pl.Location,
				QtyDelta: pl.VarianceQty, Kind: MoveAdjustment, At: now, Posted: now, Reason: pl.ReasonCode, Ref: c.ID, By: actor.Employee.Code}
			moves = append(moves, m)
			hashes = append(hashes, m.Hash())
		}
		if err := tx.ApplyMovements(moves, hashes); err != nil {
			return err
		}
		if err := tx.SavePostings(c.ID, plan.postings); err != nil {
			return err
		}
		c.Status, c.PostedAt, c.ApprovedBy = StatusPosted, &now, actor.Employee.Code
		if err := tx.UpdateCount(c); err != nil {
			return err
		}
		if err := s.queueKeepReport(tx, actor, c); err != nil {
			return err
		}
		res = summarizePosting(c, plan.lines)
		held := make([]string, 0, len(p.Held))
		for _, hl := range p.Held {
			held = append(held, hl.SKU)
		}
		return s.audit(tx, actor, "count.approve", "count:"+c.ID, map[string]any{"posted_lines": res.PostedLines, "posted_value": res.PostedValue.String(), "recount_required": res.RecountRequired, "reason_codes": in.ReasonCodes, "uncounted": in.Uncounted, "held": held, "fingerprint": p.Fingerprint})
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
func (s *Service) approvalLimit(tx LocationStore, c Count) (Money, error) {
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
