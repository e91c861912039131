// Package potruth loads the ground truth of the photographed purchase-order
// set (shared/data/purchase-orders) and scores extracted line items and
// header fields against it. It depends on nothing but the standard library so
// benchmarks at any level (OCR engine, HTTP API) can share it.
package potruth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// Item is one truth line item.
type Item struct {
	Line          int     `json:"line"`
	SKU           string  `json:"sku"`
	IDType        string  `json:"id_type"` // "sku" or "ean13"
	DescriptionZH string  `json:"description_zh"`
	DescriptionEN string  `json:"description_en"`
	Qty           int64   `json:"qty"`
	Unit          string  `json:"unit"`
	UnitPrice     float64 `json:"unit_price"`
	DiscountPct   float64 `json:"discount_pct"`
	Amount        float64 `json:"amount"`
}

// Truth is the ground truth of one document.
type Truth struct {
	ID          string  `json:"id"`
	DocType     string  `json:"doc_type"`
	SupplierZH  string  `json:"supplier_zh"`
	SupplierEN  string  `json:"supplier_en"`
	DocNumber   string  `json:"doc_number"`
	Date        string  `json:"date"`
	DatePrinted string  `json:"date_printed"`
	Currency    string  `json:"currency"`
	Items       []Item  `json:"items"`
	Subtotal    float64 `json:"subtotal"`
	Discount    float64 `json:"discount"`
	Total       float64 `json:"total"`
	Render      struct {
		Layout string `json:"layout"`
	} `json:"render"`
	// Photo is the path of the photo next to the JSON file.
	Photo string `json:"-"`
	// Clean is the path of the undegraded render.
	Clean string `json:"-"`
}

// Load reads one truth file.
func Load(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("potruth: %s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	stem := base[:len(base)-len(filepath.Ext(base))]
	if t.ID == "" {
		t.ID = stem
	}
	t.Photo = filepath.Join(dir, stem+".jpg")
	t.Clean = filepath.Join(dir, "clean", stem+".png")
	return &t, nil
}

// LoadDir reads every poNN.json in dir, sorted by name.
func LoadDir(dir string) ([]*Truth, error) {
	names, err := filepath.Glob(filepath.Join(dir, "po*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Truth
	for _, n := range names {
		t, err := Load(n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("potruth: no po*.json in %s", dir)
	}
	return out, nil
}

// Money formats a truth amount as the two-decimal string the extractor
// produces.
func Money(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// Line is an extracted line item as scored: its code (SKU or barcode),
// quantity, unit price as a two-decimal string and review flag.
type Line struct {
	ID          string
	Qty         int64
	UnitPrice   string
	NeedsReview bool
}

// Score counts line items for precision and recall.
type Score struct {
	Truth, Got, Right int
	// WrongUnflagged counts extracted lines that are wrong yet not marked
	// for review: the target is zero.
	WrongUnflagged int
	// WrongFlagged counts wrong lines that are marked for review.
	WrongFlagged int
}

// Add accumulates another score.
func (s *Score) Add(o Score) {
	s.Truth += o.Truth
	s.Got += o.Got
	s.Right += o.Right
	s.WrongUnflagged += o.WrongUnflagged
	s.WrongFlagged += o.WrongFlagged
}

// Precision is right / extracted (1 when nothing was extracted).
func (s Score) Precision() float64 {
	if s.Got == 0 {
		return 1
	}
	return float64(s.Right) / float64(s.Got)
}

// Recall is right / truth.
func (s Score) Recall() float64 {
	if s.Truth == 0 {
		return 1
	}
	return float64(s.Right) / float64(s.Truth)
}

// F1 is the harmonic mean of precision and recall.
func (s Score) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// ScoreLines matches extracted lines to truth items: a line is right when
// its code, quantity and unit price all equal those of a truth item not
// matched before.
func (t *Truth) ScoreLines(lines []Line) Score {
	s := Score{Truth: len(t.Items), Got: len(lines)}
	used := make([]bool, len(t.Items))
	for _, l := range lines {
		right := false
		for i, it := range t.Items {
			if used[i] || it.SKU != l.ID || it.Qty != l.Qty || Money(it.UnitPrice) != l.UnitPrice {
				continue
			}
			used[i], right = true, true
			break
		}
		switch {
		case right:
			s.Right++
		case l.NeedsReview:
			s.WrongFlagged++
		default:
			s.WrongUnflagged++
		}
	}
	return s
}

// HeaderScore says which header fields match exactly.
type HeaderScore struct {
	DocNumber, Date, Total bool
}

// ScoreHeader compares the document number, the ISO date and the total (a
// two-decimal string) with the truth.
func (t *Truth) ScoreHeader(docNumber, isoDate, total string) HeaderScore {
	return HeaderScore{
		DocNumber: docNumber == t.DocNumber,
		Date:      isoDate == t.Date,
		Total:     total == Money(t.Total),
	}
}
