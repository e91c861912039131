package stock

import (
	"math"
	"sort"
	"time"
)

// Line statuses in a report.
const (
	LineCounted   = "counted"   // scanned in at least one round
	LineUncounted = "uncounted" // not scanned, counted as zero
	LineIgnored   = "ignored"   // not scanned, left out (uncounted = ignore)
)

// Participant is one employee's share of a line in one round.
type Participant struct {
	Employee string `json:"employee"`
	Role     Role   `json:"role"`
	Qty      int64  `json:"qty"`
	Scans    int64  `json:"scans"`
}

// RoundResult is what one round counted for a line. Error is this round's
// miscount: against the round that superseded it when it was recounted,
// against the book otherwise.
type RoundResult struct {
	Round        int           `json:"round"`
	CountedQty   int64         `json:"counted_qty"`
	ErrorQty     int64         `json:"error_qty"`
	ErrorValue   Money         `json:"error_value"`
	Superseded   bool          `json:"superseded"`
	Participants []Participant `json:"participants"`
	LastScanAt   time.Time     `json:"last_scan_at"`
}

// ReportLine is one SKU of a count's discrepancy report.
type ReportLine struct {
	SKU             string        `json:"sku"`
	Name            string        `json:"name"`
	NameZh          string        `json:"name_zh"`
	Category        string        `json:"category"`
	Location        string        `json:"location"`
	UnitCost        Money         `json:"unit_cost"`
	Status          string        `json:"status"`
	SnapshotQty     int64         `json:"snapshot_qty"`
	MovementQty     int64         `json:"movement_qty"`
	BookQty         int64         `json:"book_qty"`
	CountedQty      int64         `json:"counted_qty"`
	VarianceQty     int64         `json:"variance_qty"`
	VarianceValue   Money         `json:"variance_value"`
	VariancePct     *float64      `json:"variance_pct"`
	WithinTolerance bool          `json:"within_tolerance"`
	CountedBy       []string      `json:"counted_by"`
	Roles           []Role        `json:"roles"`
	Zones           []string      `json:"zones"`
	Rounds          []RoundResult `json:"rounds"`
	FirstCountedQty int64         `json:"first_counted_qty"`
	Recounted       bool          `json:"recounted"`
	RecountRequired bool          `json:"recount_required"`
	ReasonCode      string        `json:"reason_code,omitempty"`
	Posted          bool          `json:"posted"`
}

// Mask hides the book-derived fields of l (for roles that may not see
// book quantities of a blind count): they are zeroed, and encoders leave
// them out of a masked report.
func (l *ReportLine) Mask() {
	l.SnapshotQty, l.MovementQty, l.BookQty, l.VarianceQty, l.VarianceValue, l.VariancePct = 0, 0, 0, 0, 0, nil
	l.WithinTolerance, l.RecountRequired = false, false
	for i := range l.Rounds {
		l.Rounds[i].ErrorQty, l.Rounds[i].ErrorValue = 0, 0
	}
}

// GroupSummary sums a report's lines (or rounds, for role and employee)
// within one group.
type GroupSummary struct {
	Key              string  `json:"key"`
	Lines            int     `json:"lines"`
	AbsVarianceQty   int64   `json:"abs_variance_qty"`
	AbsVarianceValue Money   `json:"abs_variance_value"`
	NetVarianceValue Money   `json:"net_variance_value"`
	WithinTolerance  int     `json:"within_tolerance"`
	Accuracy         float64 `json:"accuracy"`
	Recounted        int     `json:"recounted"`
}

// Report is a count's discrepancy report.
type Report struct {
	CountID    string           `json:"count_id"`
	Location   string           `json:"location"`
	Currency   Currency         `json:"-"` // the location's (CurrencyOf its path)
	Status     CountStatus      `json:"status"`
	Blind      bool             `json:"blind"`
	Masked     bool             `json:"masked"`
	GroupBy    string           `json:"group_by"`
	Lines      []ReportLine     `json:"lines"`
	Groups     []GroupSummary   `json:"groups"`
	Totals     GroupSummary     `json:"totals"`
	Unresolved []UnresolvedCode `json:"unresolved"`
	// Lots is the count by lot and expiry date, when asked for.
	Lots []LotLine `json:"lots,omitempty"`
}

// UnresolvedCode is a scanned code that matched no SKU, kept for the
// reviewer.
type UnresolvedCode struct {
	Code  string `json:"code"`
	Scans int64  `json:"scans"`
	Qty   int64  `json:"qty"`
}

// GroupBy values accepted by reports.
var groupBys = map[string]bool{"sku": true, "role": true, "employee": true, "zone": true, "category": true, "store": true}

// ValidGroupBy reports whether g is a known grouping.
func ValidGroupBy(g string) bool { return groupBys[g] }

// reportInput is everything a report is computed from.
type reportInput struct {
	count      Count
	snapshot   []SnapshotRow
	changes    []StockChange
	aggregates []ScanAggregate
	floors     map[lineRound]int64
	skus       map[string]SKU
	postings   []Posting
	unresolved []UnresolvedCode
}

// computeLines turns snapshot, changes and scan aggregates into report lines,
// applying the count's movement and uncounted policies.
func computeLines(in reportInput) []ReportLine {
	// One accumulator per SKU, in a slice indexed through a map: a count
	// can have 100k lines, so this avoids per-line maps and pointers.
	type acc struct {
		sku      string
		rounds   []RoundResult // by round number, usually one
		changes  []StockChange
		zones    []string
		snapshot int64
	}
	index := make(map[string]int, len(in.snapshot)+len(in.aggregates)/2)
	accs := make([]acc, 0, len(in.snapshot)+len(in.aggregates)/4)
	get := func(sku string) *acc {
		i, ok := index[sku]
		if !ok {
			i = len(accs)
			index[sku] = i
			accs = append(accs, acc{sku: sku})
		}
		return &accs[i]
	}
	for _, s := range in.snapshot {
		get(s.SKU).snapshot += s.Qty
	}
	for _, c := range in.changes {
		if in.count.ClosedAt != nil && c.Posted.After(*in.count.ClosedAt) && in.count.MovementPolicy != PolicyRejectChanged {
			// The count was closed: later movements are after it, and a
			// SKU only they touch is no line of it.
			continue
		}
		a := get(c.SKU)
		a.changes = append(a.changes, c)
	}
	for _, g := range in.aggregates {
		a := get(g.SKU)
		var r *RoundResult
		for i := range a.rounds {
			if a.rounds[i].Round == g.Round {
				r = &a.rounds[i]
			}
		}
		if r == nil {
			a.rounds = append(a.rounds, RoundResult{Round: g.Round})
			r = &a.rounds[len(a.rounds)-1]
		}
		r.CountedQty += g.Qty
		if g.LastAt.After(r.LastScanAt) {
			r.LastScanAt = g.LastAt
		}
		found := false
		for i := range r.Participants {
			p := &r.Participants[i]
			if p.Employee == g.Employee && p.Role == g.Role {
				p.Qty += g.Qty
				p.Scans += g.Scans
				found = true
			}
		}
		if !found {
			r.Participants = append(r.Participants, Participant{Employee: g.Employee, Role: g.Role, Qty: g.Qty, Scans: g.Scans})
		}
		if g.Zone != "" && !contains(a.zones, g.Zone) {
			a.zones = append(a.zones, g.Zone)
		}
	}

	out := make([]ReportLine, 0, len(accs))
	for ai := range accs {
		a := &accs[ai]
		sku := a.sku
		l := ReportLine{SKU: sku}
		if info, ok := in.skus[sku]; ok {
			l.Name, l.NameZh, l.Category, l.UnitCost = info.Name, info.NameZh, info.Category, info.UnitCost
		}
		l.Location = in.count.Location
		l.SnapshotQty = a.snapshot
		// Rounds in order; the last one that has scans is the line's count.
		rounds := a.rounds
		for i := range rounds {
			r := &rounds[i]
			if len(in.floors) > 0 {
				r.CountedQty += in.floors[lineRound{sku, r.Round}]
			}
			if len(r.Participants) > 1 {
				sort.Slice(r.Participants, func(i, j int) bool { return r.Participants[i].Employee < r.Participants[j].Employee })
			}
		}
		if len(rounds) > 1 {
			sort.Slice(rounds, func(i, j int) bool { return rounds[i].Round < rounds[j].Round })
		}
		var lastScan time.Time
		if n := len(rounds); n > 0 {
			final := rounds[n-1]
			l.Status = LineCounted
			l.CountedQty = final.CountedQty
			l.FirstCountedQty = rounds[0].CountedQty
			l.Recounted = n > 1
			lastScan = final.LastScanAt
		} else if in.count.Uncounted == UncountedIgnore {
			l.Status = LineIgnored
		} else {
			l.Status = LineUncounted
		}
		// Expected quantity by policy.
		for _, c := range a.changes {
			switch in.count.MovementPolicy {
			case PolicySnapshotDelta:
				if l.Status != LineCounted || !c.At.After(lastScan) {
					l.MovementQty += c.QtyDelta
				}
			case PolicyFreeze:
				l.MovementQty += c.QtyDelta
			case PolicyRejectChanged:
				l.RecountRequired = true
			}
		}
		l.BookQty = l.SnapshotQty + l.MovementQty
		if l.Status != LineIgnored {
			l.VarianceQty = l.CountedQty - l.BookQty
		}
		l.VarianceValue = l.UnitCost.Mul(l.VarianceQty)
		if l.BookQty != 0 && l.Status != LineIgnored {
			p := math.Round(float64(l.VarianceQty)/float64(l.BookQty)*10000) / 100
			l.VariancePct = &p
		}
		l.WithinTolerance = abs(l.VarianceQty) <= in.count.ToleranceQty
		// Errors per round: superseded rounds against the round after them.
		for i := range rounds {
			if i+1 < len(rounds) {
				rounds[i].Superseded = true
				rounds[i].ErrorQty = rounds[i].CountedQty - rounds[i+1].CountedQty
			} else {
				rounds[i].ErrorQty = l.VarianceQty
			}
			rounds[i].ErrorValue = l.UnitCost.Mul(rounds[i].ErrorQty)
		}
		l.Rounds = rounds
		for _, r := range rounds {
			for _, p := range r.Participants {
				if !contains(l.CountedBy, p.Employee) {
					l.CountedBy = append(l.CountedBy, p.Employee)
				}
				if !contains(l.Roles, p.Role) {
					l.Roles = append(l.Roles, p.Role)
				}
			}
		}
		l.Zones = a.zones
		if len(l.Zones) > 1 {
			sort.Strings(l.Zones)
		}
		if len(l.CountedBy) > 1 {
			sort.Strings(l.CountedBy)
		}
		if len(l.Roles) > 1 {
			sort.Slice(l.Roles, func(i, j int) bool { return l.Roles[i] < l.Roles[j] })
		}
		if l.CountedBy == nil {
			l.CountedBy = []string{}
		}
		if l.Roles == nil {
			l.Roles = []Role{}
		}
		if l.Zones == nil {
			l.Zones = []string{}
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	if in.count.Status == StatusPosted {
		// Once posted, the approval's decisions are the record.
		byKey := make(map[string]Posting, len(in.postings))
		for _, p := range in.postings {
			byKey[p.SKU] = p
		}
		for i := range out {
			p, ok := byKey[out[i].SKU]
			out[i].RecountRequired = ok && p.RecountRequired
			out[i].Posted = ok && !p.RecountRequired
			out[i].ReasonCode = p.Reason
		}
	}
	return out
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// record is one unit that a summary counts: a line (for sku, zone, category,
// store) or one round of a line (for role and employee, so that the first
// counter's error stays theirs when a recount corrected it).
type record struct {
	keys       []string
	errQty     int64
	errValue   Money
	within     bool
	superseded bool
}

const noGroup = "(none)"

// records returns the units of l to summarise under groupBy.
func records(l ReportLine, groupBy, store string, tolerance int64) []record {
	if l.Status == LineIgnored {
		return nil
	}
	switch groupBy {
	case "role", "employee":
		if len(l.Rounds) == 0 {
			return []record{{keys: []string{"(uncounted)"}, errQty: l.VarianceQty, errValue: l.VarianceValue, within: l.WithinTolerance}}
		}
		out := make([]record, 0, len(l.Rounds))
		for _, r := range l.Rounds {
			var keys []string
			seen := map[string]bool{}
			for _, p := range r.Participants {
				k := p.Employee
				if groupBy == "role" {
					k = string(p.Role)
				}
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
			out = append(out, record{keys: keys, errQty: r.ErrorQty, errValue: r.ErrorValue, within: abs(r.ErrorQty) <= tolerance, superseded: r.Superseded})
		}
		return out
	}
	rec := record{errQty: l.VarianceQty, errValue: l.VarianceValue, within: l.WithinTolerance, superseded: l.Recounted}
	switch groupBy {
	case "zone":
		rec.keys = l.Zones
	case "category":
		rec.keys = []string{l.Category}
	case "store":
		rec.keys = []string{store}
	default:
		rec.keys = []string{l.SKU}
	}
	if len(rec.keys) == 0 || rec.keys[0] == "" {
		rec.keys = []string{noGroup}
	}
	return []record{rec}
}

// add counts a record in a summary.
func (g *GroupSummary) add(r record) {
	g.Lines++
	g.AbsVarianceQty += abs(r.errQty)
	g.AbsVarianceValue += r.errValue.Abs()
	g.NetVarianceValue += r.errValue
	if r.within {
		g.WithinTolerance++
	}
	if r.superseded {
		g.Recounted++
	}
}

// summarize groups records into summaries sorted by absolute variance value,
// largest first, and a total.
func summarize(recs []record) ([]GroupSummary, GroupSummary) {
	groups := map[string]*GroupSummary{}
	var total GroupSummary
	total.Key = "total"
	for _, r := range recs {
		for _, k := range r.keys {
			g := groups[k]
			if g == nil {
				g = &GroupSummary{Key: k}
				groups[k] = g
			}
			g.add(r)
		}
		total.add(r)
	}
	out := make([]GroupSummary, 0, len(groups))
	for _, g := range groups {
		g.Accuracy = accuracy(g.WithinTolerance, g.Lines)
		out = append(out, *g)
	}
	total.Accuracy = accuracy(total.WithinTolerance, total.Lines)
	sort.Slice(out, func(i, j int) bool {
		if out[i].AbsVarianceValue != out[j].AbsVarianceValue {
			return out[i].AbsVarianceValue > out[j].AbsVarianceValue
		}
		return out[i].Key < out[j].Key
	})
	return out, total
}

func accuracy(within, lines int) float64 {
	if lines == 0 {
		return 1
	}
	return math.Round(float64(within)/float64(lines)*10000) / 10000
}
