package stock

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"pandian/jobs"
)

// JobsKeepReport is the job kind that keeps a held count's report for its
// pages (KeepReport), queued when a count is closed or approved.
const JobsKeepReport = "count.report"

// ReportPageQuery asks for one page of a count's report lines.
type ReportPageQuery struct {
	// Sort is "abs" (absolute variance value, largest first; the
	// default), "qty" (absolute variance quantity) or "sku"; ties by SKU.
	Sort string
	// Filters: a line of the zone, of the category, counted by someone of
	// the role, counted by the employee; with a variance (ignored when
	// the book is hidden).
	Zone, Category, Role, Employee string
	Variance                       bool
	// Q searches SKU and name (case-insensitive) and the Chinese name;
	// QSKU is the SKU its barcode resolves to, if any.
	Q, QSKU string
	// Unscanned: "" folds the lines nobody scanned out of the listed lines
	// (they are still matched and summed), "show" lists them, "only" lists
	// only them.
	Unscanned string
	// Page is 1-based (clamped to the last page); Limit lines a page (1
	// to 10000).
	Page, Limit int
	// Headline asks for the whole report's figures only: no lines, no
	// lots, nothing matched (a list of counts).
	Headline bool
}

// ReportPage is one page of a count's report lines with the figures of
// the whole report and of the lines the query matches.
type ReportPage struct {
	// Report is the report without its lines: its groups by role, its
	// unresolved codes and lots, Masked.
	Report Report
	Lines  []ReportLine // the page
	// Totals sums every line (not rounds), Shown the matching ones.
	Totals, Shown GroupSummary
	// Matched lines match the query; Folded of them (nobody scanned them,
	// worth FoldedValue net) are folded, Listed are listed.
	Matched, Folded, Listed int
	FoldedValue             Money
	// BulkLines match and have a variance an approval acts on.
	BulkLines int
	// All is how many lines the report has (ignored ones too).
	All int
	// Lines counted (scanned) and lines with a variance (0 when the book
	// is hidden), over every line.
	Counted, VarianceLines int
	// What an approval would act on, over every line.
	PostLines      int
	ToPost         Money
	UncountedLines int
	UncountedValue Money
	// The filters' choices: zones, categories, roles and employees that
	// occur in the lines.
	Zones, Categories, Roles, Employees []string
	Page, Pages                         int
	KeptAt                              time.Time // when the kept report was computed
}

// KeptReport is a held count's report as kept for its pages.
type KeptReport struct {
	Stamp   string
	BuiltAt time.Time
	Summary KeptSummary
}

// KeptSummary is what a kept report holds beside its lines.
type KeptSummary struct {
	Groups       []GroupSummary   `json:"groups"` // by role
	Unresolved   []UnresolvedCode `json:"unresolved"`
	Totals       GroupSummary     `json:"totals"`
	All          int              `json:"all"`
	Counted      int              `json:"counted"`
	Unscanned    int              `json:"unscanned"` // lines nobody scanned (status uncounted)
	UnscannedNet Money            `json:"unscanned_net"`
	Lots         []LotLine        `json:"lots"` // expiry status set when read
	// CatalogSeq is the catalog's change number when the lines were read.
	CatalogSeq     int64    `json:"catalog_seq"`
	VarianceLines  int      `json:"variance_lines"`
	PostLines      int      `json:"post_lines"`
	ToPost         Money    `json:"to_post"`
	UncountedLines int      `json:"uncounted_lines"`
	UncountedValue Money    `json:"uncounted_value"`
	Zones          []string `json:"zones"`
	Categories     []string `json:"categories"`
	Roles          []string `json:"roles"`
	Employees      []string `json:"employees"`
}

// KeptLineQuery selects kept lines: the filters of a ReportPageQuery, the
// book hidden or not, and the slice of the listed lines to return.
type KeptLineQuery struct {
	ReportPageQuery
	Masked        bool
	Offset, Limit int
}

// KeptAggregate sums the kept lines a query matches.
type KeptAggregate struct {
	Matched   int
	Shown     GroupSummary // Accuracy not set
	Folded    int
	FoldedNet Money
	BulkLines int
}

// held reports whether c's report can be kept: it is closed (in review)
// or posted, and movements after its close do not change it.
func held(c Count) bool {
	return (c.Status == StatusReview || c.Status == StatusPosted) && c.MovementPolicy != PolicyRejectChanged
}

// reportStamp is what a held count's report is computed from, in short:
// the count's state, its counted scans and unknown codes (counters kept
// at ingest). The catalog is checked apart (keptFresh).
func reportStamp(tx Tx, c Count) (string, ScanStats, error) {
	st, err := tx.ScanStats(c.ID)
	if err != nil {
		return "", st, err
	}
	cj, err := json.Marshal(c)
	if err != nil {
		return "", st, err
	}
	// Only the scans a report reads: counted ones (lines, lots) and
	// unknown codes. Late and out-of-scope scans, which keep arriving
	// after a close, are the page's side list, not the report's.
	h := sha256.New()
	fmt.Fprintf(h, "kr1\x00%s\x00%d %d %d", cj, st.Counted, st.Lines, st.Unknown)
	return hex.EncodeToString(h.Sum(nil))[:32], st, nil
}

// keptFresh reports whether kr (found) was kept from the inputs stamp
// stands for, and no SKU of its lines changed in the catalog since (a
// change to other SKUs leaves it fresh). A movement stamped before c's
// close can commit up to MaxTxAge after it (its transaction was open at
// the close) and is the report's: a report kept from inputs read before
// then is unsettled once that time is past (now), to be kept again
// rather than trusted for good (it is stale only if such a movement
// came, which is rare: the page may be shown from it meanwhile).
func keptFresh(tx Tx, c Count, stamp string, kr KeptReport, found bool, now time.Time) (fresh, unsettled bool, err error) {
	if !found || kr.Stamp != stamp {
		return false, false, nil
	}
	seq, err := tx.CatalogClock()
	if err != nil {
		return false, false, err
	}
	if seq != kr.Summary.CatalogSeq {
		if changed, err := tx.KeptSKUsChanged(c.ID, kr.Summary.CatalogSeq); err != nil || changed {
			return false, false, err
		}
	}
	if c.ClosedAt != nil {
		if settled := c.ClosedAt.Add(MaxTxAge); kr.BuiltAt.Before(settled) && !now.Before(settled) {
			return false, true, nil
		}
	}
	return true, false, nil
}

// KeepReport computes a held count's report and keeps it for its pages
// (JobsKeepReport runs it after a close or an approval; ReportPage when
// it finds none). It does nothing for a count not held.
func (s *Service) KeepReport(ctx context.Context, id string) error {
	var c Count
	var stamp string
	var catalogSeq int64
	done := false
	// The stamp is read before the inputs: scans arriving meanwhile make
	// it stale (computed again), never newer than the lines. So is the
	// time it is kept at: the inputs are at least as new.
	start := s.Now().UTC()
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.Count(id, false); err != nil {
			return err
		}
		if done = !held(c); done {
			return nil
		}
		if stamp, _, err = reportStamp(tx, c); err != nil {
			return err
		}
		if catalogSeq, err = tx.CatalogClock(); err != nil {
			return err
		}
		// Kept meanwhile (the job and a page, or two jobs): done.
		kr, found, err := tx.KeptReport(c.ID)
		if err != nil {
			return err
		}
		done, _, err = keptFresh(tx, c, stamp, kr, found, start)
		return err
	})
	if err != nil || done {
		return err
	}
	in, err := s.gatherInputs(ctx, c)
	if err != nil {
		return err
	}
	lines := computeLines(in)
	sum := KeptSummary{Unresolved: in.unresolved, All: len(lines), CatalogSeq: catalogSeq}
	err = s.store.Read(ctx, func(tx Tx) error {
		sum.Lots, err = tx.LotTotals(c.ID)
		return err
	})
	if err != nil {
		return err
	}
	if sum.Unresolved == nil {
		sum.Unresolved = []UnresolvedCode{}
	}
	var recs []record
	for i := range lines {
		l := &lines[i]
		recs = append(recs, records(*l, "role", c.Location, c.ToleranceQty)...)
		switch l.Status {
		case LineCounted:
			sum.Counted++
		case LineUncounted:
			sum.Unscanned++
			sum.UnscannedNet += l.VarianceValue
		}
		if l.VarianceQty != 0 {
			sum.VarianceLines++
		}
		sum.Totals.AddLine(l)
		if postable(*l) {
			sum.PostLines++
			sum.ToPost += l.VarianceValue.Abs()
			if l.Status == LineUncounted {
				sum.UncountedLines++
				sum.UncountedValue += l.VarianceValue.Abs()
			}
		}
	}
	sum.Totals.Key = "total"
	sum.Groups, _ = summarize(recs)
	sum.Zones, sum.Categories, sum.Roles, sum.Employees = LineChoices(lines)
	kr := KeptReport{Stamp: stamp, BuiltAt: start, Summary: sum}
	return s.store.Write(ctx, func(tx Tx) error { return tx.KeepReport(c.ID, kr, lines) })
}

// AddLine adds a line to a summary of lines (not rounds): an ignored
// line adds nothing.
func (g *GroupSummary) AddLine(l *ReportLine) {
	if l.Status != LineIgnored {
		g.add(record{errQty: l.VarianceQty, errValue: l.VarianceValue, within: l.WithinTolerance, superseded: l.Recounted})
	}
}

// LineChoices are the zones, categories, roles and employees that occur
// in lines, each sorted (a report page's filter choices).
func LineChoices(lines []ReportLine) (zones, categories, roles, employees []string) {
	zs, cs, rs, es := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range lines {
		l := &lines[i]
		for _, z := range l.Zones {
			zs[z] = true
		}
		if l.Category != "" {
			cs[l.Category] = true
		}
		for _, r := range l.Roles {
			rs[string(r)] = true
		}
		for _, e := range l.CountedBy {
			es[e] = true
		}
	}
	return sortedKeys(zs), sortedKeys(cs), sortedKeys(rs), sortedKeys(es)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RunKeepReportJob is the handler of JobsKeepReport.
func (s *Service) RunKeepReportJob(ctx context.Context, run *jobs.Run) error {
	var p struct {
		Count string `json:"count"`
	}
	if err := json.Unmarshal(run.Payload, &p); err != nil || p.Count == "" {
		return jobs.Permanent(Errorf(EInvalid, "report job: bad payload"))
	}
	err := s.KeepReport(ctx, p.Count)
	if ErrorCode(err) == ENotFound {
		return jobs.Permanent(err)
	}
	return err
}

// queueKeepReport queues the keeping of c's report (in the transaction
// that held or approved it).
func (s *Service) queueKeepReport(tx Tx, actor Actor, c Count) error {
	if c.MovementPolicy == PolicyRejectChanged {
		return nil
	}
	return tx.CreateJob(keepJob(newID("job_"), actor, c.ID, s.Now().UTC()))
}

func keepJob(id string, actor Actor, countID string, now time.Time) Job {
	payload, _ := json.Marshal(map[string]string{"count": countID})
	return Job{ID: id, Kind: JobsKeepReport, Status: "queued", Actor: actor.Employee.Code, Input: payload, Created: now, Updated: now}
}

// queueKeepOnce queues the keeping of a count's report for the inputs of
// stamp and the catalog at change number seq, unless a page queued it
// already (the job's id says which: the stamp alone does not move with
// the catalog, so a second change to a SKU of its lines needs another);
// settled: once more, after the close's movements have settled.
func (s *Service) queueKeepOnce(ctx context.Context, actor Actor, countID, stamp string, seq int64, settled bool) error {
	id := fmt.Sprintf("job_report_%s_%s_%d", countID, stamp[:12], seq)
	if settled {
		id += "_settled"
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Job(id); ErrorCode(err) != ENotFound {
			return err
		}
		return tx.CreateJob(keepJob(id, actor, countID, s.Now().UTC()))
	})
	if ErrorCode(err) == EConflict {
		return nil // queued by another page meanwhile
	}
	return err
}

// ReportPage answers one page of a held count's report lines, sorted,
// filtered and paged by the store from the report kept for its pages,
// with the whole report's figures kept beside it and the matching lines'
// summed in one query: no pass over the scans or the lines in Go. The
// lines are exactly the Report's (the same computation, kept); the page
// is what filtering and sorting the Report's lines would give. ok is
// false when the page cannot be answered so (the count is open or
// recounting, its movement policy is reject_changed, or the actor is a
// counter, who reads their own lines only), or a filter or the search
// text is not text a database compares as Go does (invalid UTF-8, as a
// search cut mid-character leaves, or a NUL, which PostgreSQL refuses),
// or its report is not kept yet (or was kept from other inputs) and is
// large: the caller reads the Report, while a job keeps it (the job
// queued at close and at approval usually did already; otherwise this
// queues one). A small report not kept is computed and kept here first.
func (s *Service) ReportPage(ctx context.Context, actor Actor, id string, q ReportPageQuery) (p ReportPage, ok bool, err error) {
	if err := actor.Require(PermReadReports); err != nil {
		return p, false, err
	}
	if q.Sort != "qty" && q.Sort != "sku" {
		q.Sort = "abs"
	}
	if q.Unscanned != "show" && q.Unscanned != "only" {
		q.Unscanned = ""
	}
	q.Limit = max(1, min(q.Limit, 10000))
	q.Page = max(1, q.Page)
	for _, v := range []string{q.Zone, q.Category, q.Role, q.Employee, q.Q, q.QSKU} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return p, false, nil
		}
	}
	for attempt := 0; ; attempt++ {
		fresh, unsettled := false, false
		var stamp string
		var size, seq int64
		err = s.store.Read(ctx, func(tx Tx) error {
			c, err := s.countInScope(tx, actor, id, false)
			if err != nil {
				return err
			}
			if !held(c) || actor.Role() == RoleCounter {
				return nil
			}
			ok = true
			var st ScanStats
			if stamp, st, err = reportStamp(tx, c); err != nil {
				return err
			}
			kr, found, err := tx.KeptReport(c.ID)
			if err != nil {
				return err
			}
			if fresh, unsettled, err = keptFresh(tx, c, stamp, kr, found, s.Now()); err != nil {
				return err
			}
			if fresh {
				return s.keptPage(tx, actor, c, kr, q, &p)
			}
			if seq, err = tx.CatalogClock(); err != nil {
				return err
			}
			n, err := tx.SnapshotLines(c.ID)
			size = n + st.Lines
			if err == nil && unsettled && size > cmp.Or(s.cfg.KeepReportInline, 5000) {
				// Large: shown as kept while a job keeps it again.
				fresh = true
				return s.keptPage(tx, actor, c, kr, q, &p)
			}
			return err
		})
		if err == nil && ok && fresh && unsettled {
			err = s.queueKeepOnce(ctx, actor, id, stamp, seq, true)
		}
		if err != nil || !ok || fresh {
			return p, ok, err
		}
		if attempt > 0 {
			// Kept, yet stale again: the count keeps changing (scans
			// arriving late); the caller reads the Report.
			return p, false, nil
		}
		if size > cmp.Or(s.cfg.KeepReportInline, 5000) {
			return p, false, s.queueKeepOnce(ctx, actor, id, stamp, seq, false)
		}
		if err := s.KeepReport(ctx, id); err != nil {
			return p, false, err
		}
	}
}

// keptPage reads the page of a kept report.
func (s *Service) keptPage(tx Tx, actor Actor, c Count, kr KeptReport, q ReportPageQuery, p *ReportPage) error {
	masked := c.Blind && !actor.Role().Can(PermSeeExpected)
	sum := kr.Summary
	p.KeptAt = kr.BuiltAt
	p.Report = Report{CountID: c.ID, Location: c.Location, Currency: CurrencyOf(c.LocationPath), Status: c.Status, Blind: c.Blind,
		Masked: masked, GroupBy: "role", Lines: []ReportLine{}, Groups: sum.Groups, Totals: sum.Totals, Unresolved: sum.Unresolved}
	p.Totals = sum.Totals
	p.All, p.Counted, p.VarianceLines = sum.All, sum.Counted, sum.VarianceLines
	p.PostLines, p.ToPost, p.UncountedLines, p.UncountedValue = sum.PostLines, sum.ToPost, sum.UncountedLines, sum.UncountedValue
	if masked {
		for i, g := range p.Report.Groups {
			p.Report.Groups[i] = GroupSummary{Key: g.Key, Lines: g.Lines, Recounted: g.Recounted}
		}
		p.Totals = maskSummary(p.Totals)
		p.Report.Totals = p.Totals
		p.PostLines, p.ToPost, p.UncountedLines, p.UncountedValue, p.VarianceLines = 0, 0, 0, 0, 0
	}
	p.Totals.Accuracy = accuracy(p.Totals.WithinTolerance, p.Totals.Lines)
	p.Zones, p.Categories, p.Roles, p.Employees = sum.Zones, sum.Categories, sum.Roles, sum.Employees
	p.Page, p.Pages = 1, 1
	if q.Headline {
		return nil
	}
	p.Report.Lots = sum.Lots
	markExpiry(p.Report.Lots, s.Now(), 30)
	kq := KeptLineQuery{ReportPageQuery: q, Masked: masked}
	var agg KeptAggregate
	if q.Zone == "" && q.Category == "" && q.Role == "" && q.Employee == "" && (!q.Variance || masked) && q.Q == "" && q.Unscanned != "only" {
		// Every line matches: the summary has the sums.
		agg = KeptAggregate{Matched: sum.All, Shown: sum.Totals, BulkLines: sum.PostLines}
		if q.Unscanned == "" {
			agg.Folded, agg.FoldedNet = sum.Unscanned, sum.UnscannedNet
		}
	} else {
		var err error
		if agg, err = tx.KeptAggregate(c.ID, kq); err != nil {
			return err
		}
	}
	p.Matched, p.Shown, p.Folded, p.FoldedValue, p.BulkLines = agg.Matched, agg.Shown, agg.Folded, agg.FoldedNet, agg.BulkLines
	p.Shown.Key = "total"
	if masked {
		p.Shown, p.FoldedValue, p.BulkLines = maskSummary(p.Shown), 0, 0
	}
	p.Shown.Accuracy = accuracy(p.Shown.WithinTolerance, p.Shown.Lines)
	p.Listed = p.Matched
	if q.Unscanned == "" {
		p.Listed -= p.Folded
	}
	p.Pages = max(1, (p.Listed+q.Limit-1)/q.Limit)
	p.Page = min(q.Page, p.Pages)
	kq.Offset, kq.Limit = (p.Page-1)*q.Limit, q.Limit
	var err error
	if p.Lines, err = tx.KeptLines(c.ID, kq); err != nil {
		return err
	}
	if masked {
		for i := range p.Lines {
			p.Lines[i].Mask()
		}
	}
	return nil
}

func maskSummary(g GroupSummary) GroupSummary {
	return GroupSummary{Key: g.Key, Lines: g.Lines, Recounted: g.Recounted}
}

// KeptLineFields are the columns a kept line is filtered and sorted by,
// for the store: lower-cased SKU and name for the search, '|'-delimited
// zones, roles and employees for the filters.
func KeptLineFields(l ReportLine) (skuLC, nameLC, zones, roles, countedBy string) {
	rs := make([]string, len(l.Roles))
	for i, r := range l.Roles {
		rs[i] = string(r)
	}
	return strings.ToLower(l.SKU), strings.ToLower(l.Name), delimited(l.Zones), delimited(rs), delimited(l.CountedBy)
}

// KeptListed is how a code is looked up in a delimited column.
func KeptListed(code string) string { return "|" + code + "|" }

func delimited(xs []string) string {
	if len(xs) == 0 {
		return "|"
	}
	return "|" + strings.Join(xs, "|") + "|"
}

// KeptPostable reports whether an approval acts on a line (the kept
// column postable).
func KeptPostable(l ReportLine) bool { return postable(l) }
