// Package realtruth loads the real receipts of shared/data/real-documents
// (manifest.jsonl), splits them into a development half and a held-out half,
// scores extracted header fields and line items against their truth, and
// implements the naive baseline the pipeline is compared with: bare
// `tesseract --psm 6` text and a one-line row rule. It depends on nothing
// but the standard library so benchmarks at any level (OCR engine, HTTP
// API) share one scoring.
package realtruth

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"pandian/ocr/potruth"
)

// Halves of the set. Tune on Dev; the figure that counts is HeldOut's.
const (
	Dev     = "dev"
	HeldOut = "held-out"
)

// Item is one truth line item. Money is a two-decimal string; empty when
// the source does not annotate it. Qty is 0 when not annotated.
type Item struct {
	Desc      string
	Qty       int64
	UnitPrice string
	Amount    string
}

// Doc is one real document with its truth.
type Doc struct {
	ID, Set string
	// Image is the absolute path of the image file.
	Image string
	// Half is Dev or HeldOut (see Split).
	Half     string
	Company  string
	Date     string // ISO, empty when not annotated
	DateText string
	Total    string // empty when not annotated
	TotalAlt []string
	// Items is nil when the set has no line-item truth (HasItems false).
	Items    []Item
	HasItems bool
}

type manifestLine struct {
	ID    string `json:"id"`
	Set   string `json:"set"`
	Image string `json:"image"`
	Truth struct {
		Company  string   `json:"company"`
		Date     *string  `json:"date"`
		DateText *string  `json:"date_text"`
		Total    *string  `json:"total"`
		TotalAlt []string `json:"total_alt"`
	} `json:"truth"`
	Items *[]struct {
		Desc      string  `json:"desc"`
		Qty       *int64  `json:"qty"`
		UnitPrice *string `json:"unit_price"`
		Amount    *string `json:"amount"`
	} `json:"items"`
}

// Load reads dir/manifest.jsonl and assigns each document its half.
func Load(dir string) ([]*Doc, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(abs, "manifest.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var docs []*Doc
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var m manifestLine
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return nil, fmt.Errorf("realtruth: manifest: %w", err)
		}
		d := &Doc{ID: m.ID, Set: m.Set, Image: filepath.Join(abs, m.Image), Company: m.Truth.Company, TotalAlt: m.Truth.TotalAlt}
		if m.Truth.Date != nil {
			d.Date = *m.Truth.Date
		}
		if m.Truth.DateText != nil {
			d.DateText = *m.Truth.DateText
		}
		if m.Truth.Total != nil {
			d.Total = *m.Truth.Total
		}
		if m.Items != nil {
			d.HasItems = true
			for _, it := range *m.Items {
				ti := Item{Desc: it.Desc}
				if it.Qty != nil {
					ti.Qty = *it.Qty
				}
				if it.UnitPrice != nil {
					ti.UnitPrice = *it.UnitPrice
				}
				if it.Amount != nil {
					ti.Amount = *it.Amount
				}
				d.Items = append(d.Items, ti)
			}
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("realtruth: no documents in %s", dir)
	}
	Split(docs)
	return docs, nil
}

// Split assigns every document to Dev or HeldOut, deterministically and
// stratified by set: within each set the documents are ordered by the
// SHA-256 of their id (FNV's last-byte weakness would keep id order) and the first half (rounded up) is Dev.
func Split(docs []*Doc) {
	bySet := map[string][]*Doc{}
	for _, d := range docs {
		bySet[d.Set] = append(bySet[d.Set], d)
	}
	for _, ds := range bySet {
		sort.Slice(ds, func(i, j int) bool {
			hi, hj := idHash(ds[i].ID), idHash(ds[j].ID)
			if hi != hj {
				return hi < hj
			}
			return ds[i].ID < ds[j].ID
		})
		for i, d := range ds {
			d.Half = HeldOut
			if i < (len(ds)+1)/2 {
				d.Half = Dev
			}
		}
	}
}

func idHash(id string) uint64 {
	h := sha256.Sum256([]byte(id))
	return binary.BigEndian.Uint64(h[:8])
}

// Line is an extracted line item as scored. Money fields are two-decimal
// strings or empty; Qty 0 when unknown.
type Line struct {
	Desc              string
	Qty               int64
	UnitPrice, Amount string
	NeedsReview       bool
}

// Result is what a reader (the pipeline or the baseline) returned for one
// document.
type Result struct {
	Lines    []Line
	Total    string
	Date     string // ISO
	Supplier string
}

// Norm folds a name for comparison: letters and digits only, lower case
// (the truth's transcriptions often drop spaces).
func Norm(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// longestCommon is the length in runes of the longest common substring.
func longestCommon(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	best := 0
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			if ra[i-1] == rb[j-1] {
				cur[j] = prev[j-1] + 1
				best = max(best, cur[j])
			} else {
				cur[j] = 0
			}
		}
		prev, cur = cur, prev
	}
	return best
}

// Overlaps reports whether two names overlap: after Norm, they share a
// common run of at least 3 characters and of at least half the shorter.
func Overlaps(a, b string) bool {
	na, nb := Norm(a), Norm(b)
	short := min(len([]rune(na)), len([]rune(nb)))
	if short == 0 {
		return false
	}
	lc := longestCommon(na, nb)
	return lc >= min(3, short) && lc*2 >= short
}

// SupplierMatches reports whether the supplier read matches the truth's
// company: after Norm, a common run of at least 4 characters covering 60%
// of the shorter, and the reading not more than three times as long as
// the truth (a page's whole text is not a supplier).
func SupplierMatches(got, truth string) bool {
	ng, nt := []rune(Norm(got)), []rune(Norm(truth))
	if len(ng) < 3 || len(nt) == 0 || len(ng) > 3*len(nt)+10 {
		return false
	}
	lc := longestCommon(string(ng), string(nt))
	short := min(len(ng), len(nt))
	return lc >= min(4, short) && lc*10 >= 6*short
}

// TotalMatches reports whether total equals the truth's total or one of
// its alternatives.
func (d *Doc) TotalMatches(total string) bool {
	if d.Total == "" || total == "" {
		return false
	}
	if total == d.Total {
		return true
	}
	for _, a := range d.TotalAlt {
		if a == total {
			return true
		}
	}
	return false
}

// DateMatches reports whether the ISO date equals the truth's. When the
// printed date is numeric with day and month both 12 or under, the truth's
// order is a guess (see the data set's README): either order counts.
func (d *Doc) DateMatches(iso string) bool {
	if d.Date == "" || iso == "" {
		return false
	}
	if iso == d.Date {
		return true
	}
	parts := strings.Split(d.Date, "-")
	if len(parts) != 3 || parts[1] > "12" || parts[2] > "12" || parts[1] == parts[2] {
		return false
	}
	if !ambiguousText(d.DateText) {
		return false
	}
	return iso == parts[0]+"-"+parts[2]+"-"+parts[1]
}

// ambiguousText: the printed date is all digits and separators (no month
// name), so day and month could be either way round.
func ambiguousText(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// Score counts line items for precision and recall: the same counts as
// the generated documents' (potruth.Score).
type Score = potruth.Score

// LineMatches reports whether an extracted line finds a truth item: its
// money matches (unit price and quantity when the truth has a unit price,
// or the amount) and its description overlaps the truth's.
func LineMatches(it Item, l Line) bool {
	money := it.Amount != "" && l.Amount == it.Amount ||
		it.UnitPrice != "" && it.Qty > 0 && l.UnitPrice == it.UnitPrice && l.Qty == it.Qty
	return money && Overlaps(it.Desc, l.Desc)
}

// ScoreLines matches extracted lines one to one with the truth items
// (greedily, in order). Documents without line-item truth score nothing.
func (d *Doc) ScoreLines(lines []Line) Score {
	if !d.HasItems {
		return Score{}
	}
	s := Score{Truth: len(d.Items), Got: len(lines)}
	used := make([]bool, len(d.Items))
	for _, l := range lines {
		right := false
		for i, it := range d.Items {
			if !used[i] && LineMatches(it, l) {
				used[i], right = true, true
				break
			}
		}
		switch {
		case right:
			s.Right++
		case !l.NeedsReview:
			s.WrongUnflagged++
		}
	}
	return s
}

// Tally accumulates the figures of one reader over one half.
type Tally struct {
	Docs                              int
	Lines                             Score
	TotalDocs, DateDocs, SupplierDocs int // documents with that truth
	Totals, Dates, Suppliers          int // right
	// WrongTotals and WrongDates count the documents given a total or a
	// date that is not the truth's (a field left empty is neither right
	// nor wrong).
	WrongTotals, WrongDates int
	NoLine                  int // documents with line truth and no line read
}

// Add scores one document's result.
func (t *Tally) Add(d *Doc, r Result) {
	t.Docs++
	t.Lines.Add(d.ScoreLines(r.Lines))
	if d.HasItems && len(r.Lines) == 0 {
		t.NoLine++
	}
	if d.Total != "" {
		t.TotalDocs++
		if d.TotalMatches(r.Total) {
			t.Totals++
		} else if r.Total != "" {
			t.WrongTotals++
		}
	}
	if d.Date != "" {
		t.DateDocs++
		if d.DateMatches(r.Date) {
			t.Dates++
		} else if r.Date != "" {
			t.WrongDates++
		}
	}
	if d.Company != "" {
		t.SupplierDocs++
		if SupplierMatches(r.Supplier, d.Company) {
			t.Suppliers++
		}
	}
}

// Frac is n/d, 0 when d is 0.
func Frac(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
