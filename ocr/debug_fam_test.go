package ocr_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pandian/fixtures/documents/families"
	"pandian/ocr"
	"pandian/ocr/realtruth"
)

// BenchmarkDebugFamilyLines prints every line the engine extracts from the
// TUNING renders cached by BenchmarkFamilies (OCR_FAMILIES_CACHE, the
// sample of OCR_FAMILIES_PER), marked right or wrong as the benchmark
// scores them, with its review flag, problems and the Tesseract confidence
// of its description's words, and the missed truth lines. Held-out renders
// are never shown (tune on the tuning half only). A development aid:
//
//	OCR_FAMILIES_CACHE=/tmp/fam OCR_FAMILIES_PER=4 go test -run '^$' -bench DebugFamilyLines -benchtime 1x ./ocr/
func BenchmarkDebugFamilyLines(b *testing.B) {
	cache := os.Getenv("OCR_FAMILIES_CACHE")
	if cache == "" {
		b.Skip("OCR_FAMILIES_CACHE not set")
	}
	per := 4
	fmt.Sscan(os.Getenv("OCR_FAMILIES_PER"), &per)
	only := os.Getenv("OCR_FAMILIES_ONLY")
	match := regexp.MustCompile(os.Getenv("OCR_FAMILIES_MATCH")) // ids matching it
	for b.Loop() {
		var rightFlagged, wrongFlagged, wrongClean, right, truth int
		for cr := range cachedTuningRenders(b, cache, per, func(id string) bool {
			return (only == "" || strings.Contains(id, only)) && match.MatchString(id)
		}) {
			id, p, r := cr.id, cr.page, cr.rendered
			doc := ocr.Extract([]*ocr.Page{&p})
			conf := map[string][]float64{}
			for _, w := range p.Words {
				conf[w.Text] = append(conf[w.Text], w.Conf)
			}
			fmt.Printf("== %s (%d truth)\n", id, len(r.Truth.Items))
			if os.Getenv("OCR_FAMILIES_ROWS") != "" {
				for _, t := range ocr.PageRows(&p) {
					fmt.Printf("  row: %s\n", t)
				}
			}
			truth += len(r.Truth.Items)
			used := make([]bool, len(r.Truth.Items))
			for _, l := range doc.Lines {
				code := l.SKU
				if code == "" {
					code = l.Barcode
				}
				ok := matchFamilyLine(r.Truth, famLine{Line: realtruth.Line{Desc: l.Description, Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: l.Amount}, Code: code}, used)
				var cs []string
				for _, t := range strings.Fields(l.Description) {
					var v []string
					for _, x := range conf[t] {
						v = append(v, fmt.Sprintf("%.0f", x))
					}
					cs = append(cs, t+"("+strings.Join(v, ",")+")")
				}
				mark := "RIGHT"
				switch {
				case ok && l.NeedsReview:
					rightFlagged++
					right++
				case ok:
					right++
				case l.NeedsReview:
					mark, wrongFlagged = "wrong", wrongFlagged+1
				default:
					mark, wrongClean = "WRONG-CLEAN", wrongClean+1
				}
				mc, let, all, junk := ocr.DescStats(l.Description, []*ocr.Page{&p})
				fmt.Printf("  %-11s review=%-5v %4d %9s %9s %q %v conf %s\n", mark, l.NeedsReview, l.Qty, l.UnitPrice, l.Amount, l.Description, l.Problems, strings.Join(cs, " "))
				fmt.Printf("  STAT %s mean %.0f letters %d/%d junk %.2f code %q codeconf %.2f\n", mark, mc, let, all, junk, code, l.Fields.Code)
			}
			for i, it := range r.Truth.Items {
				if !used[i] {
					fmt.Printf("  missed      %4d %9s %9s %q %s\n", it.Qty, centsStr(int64(it.UnitPrice)), centsStr(int64(it.Amount)), it.Description, it.SKU)
				}
			}
		}
		fmt.Printf("tuning: %d/%d right (%d of them flagged), wrong: %d flagged, %d not flagged\n", right, truth, rightFlagged, wrongFlagged, wrongClean)
	}
}

// BenchmarkDebugFamilyHeader prints, for each TUNING render cached by
// BenchmarkFamilies (OCR_FAMILIES_CACHE, OCR_FAMILIES_PER, under
// OCR_FAMILIES_HARSH the harsh renders) whose document number, date or
// total the engine gets wrong, the truth, the engine's header and the
// page's rows. Held-out renders are never shown. A development aid.
func BenchmarkDebugFamilyHeader(b *testing.B) {
	cache := os.Getenv("OCR_FAMILIES_CACHE")
	if cache == "" {
		b.Skip("OCR_FAMILIES_CACHE not set")
	}
	per := 4
	fmt.Sscan(os.Getenv("OCR_FAMILIES_PER"), &per)
	// OCR_FAMILIES_MATCH=<regexp> keeps the renders whose id matches it.
	match := regexp.MustCompile(os.Getenv("OCR_FAMILIES_MATCH"))
	for b.Loop() {
		for cr := range cachedTuningRenders(b, cache, per, match.MatchString) {
			id, p, r := cr.id, cr.page, cr.rendered
			doc := ocr.Extract([]*ocr.Page{&p})
			tr := r.Truth
			total := centsStr(int64(tr.Total))
			if doc.Header.DocNumber == tr.DocNumber && doc.Header.Date == tr.Date && doc.Header.Total == total {
				continue
			}
			fmt.Printf("== %s\n  truth: number %q (label %q) date %s (%q) total %s (label %q); engine: number %q date %s total %s conf %v\n",
				id, tr.DocNumber, tr.DocNumberLabel, tr.Date, tr.DatePrinted, total, tr.TotalLabel, doc.Header.DocNumber, doc.Header.Date, doc.Header.Total, doc.Header.Confidence)
			for _, t := range ocr.PageRows(&p) {
				fmt.Printf("  row: %s\n", t)
			}
		}
	}
}

// cachedTuning is one tuning render of the sample whose page
// BenchmarkFamilies cached.
type cachedTuning struct {
	id       string
	page     ocr.Page
	rendered *families.Rendered
}

// cachedTuningRenders yields, one at a time, the TUNING renders of
// familySample(per) whose id keep accepts and whose page is in cache
// (held-out renders are never yielded; renders not cached are left out).
func cachedTuningRenders(b *testing.B, cache string, per int, keep func(id string) bool) iter.Seq[cachedTuning] {
	return func(yield func(cachedTuning) bool) {
		for _, c := range familySample(per) {
			if c.HeldOut {
				continue
			}
			id := familyCaseID(c)
			if !keep(id) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(cache, id+".json"))
			if err != nil {
				continue
			}
			var p ocr.Page
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatal(err)
			}
			r, err := renderFamilyCase(c)
			if err != nil {
				b.Fatal(err)
			}
			if !yield(cachedTuning{id, p, r}) {
				return
			}
		}
	}
}

// BenchmarkDebugFamilyDewarpGate prints what the straightening's gate
// measures (ocr.DewarpGateReport) on the generated families' TUNING
// renders (OCR_FAMILIES_PER per family, default 4). A development aid.
func BenchmarkDebugFamilyDewarpGate(b *testing.B) {
	per := 4
	fmt.Sscan(os.Getenv("OCR_FAMILIES_PER"), &per)
	for b.Loop() {
		for _, c := range familySample(per) {
			if c.HeldOut {
				continue
			}
			r, err := renderFamilyCase(c)
			if err != nil {
				b.Skip(err)
			}
			img, err := ocr.LoadImage(bytes.NewReader(r.JPEG), ocr.DefaultLimits)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Println(ocr.DewarpGateReport("fam "+r.Truth.ID, img))
		}
	}
}
