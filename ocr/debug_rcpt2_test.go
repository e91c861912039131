package ocr

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pandian/ocr/realtruth"
)

// TestDebugTotalLoss prints, for the cached readings of the degraded dev
// copies (BenchmarkDebugTwoReadings' cache, OCR_LOSS_CACHE/<tag>), each
// page whose total the offline pipeline misses: the total candidates of
// both readings and whether the truth's amount is in either reading's
// words. Dev half only; skipped without OCR_LOSS_CACHE. A development aid.
func TestDebugTotalLoss(t *testing.T) {
	cache := os.Getenv("OCR_LOSS_CACHE")
	if cache == "" {
		t.Skip("OCR_LOSS_CACHE not set")
	}
	tag := os.Getenv("OCR_LOSS_TAG")
	if tag == "" {
		tag = "main"
	}
	pdir := filepath.Join(cache, tag)
	for _, d := range debugRealDocs(t) {
		for _, v := range debugVariants(t) {
			name := variantName(d.ID, v)
			if _, err := os.Stat(filepath.Join(pdir, name+".json")); err != nil {
				continue
			}
			first := pageCachedAs(t, filepath.Join(pdir, name+".json"), nil)
			raw := pageCachedAs(t, filepath.Join(pdir, "raw-"+name+".json"), nil)
			doc := Extract([]*Page{first})
			if headerMissing(&doc.Header) {
				applySecondLook(doc, []*Page{first}, []*Page{raw})
			}
			repairOneDigit(doc)
			if d.Total == "" || d.TotalMatches(doc.Header.Total) && os.Getenv("OCR_ALL_TOTALS") == "" {
				continue
			}
			a := moneyDigits(d.Total)
			where := ""
			for k, p := range []*Page{first, raw} {
				var txt []string
				for _, r := range groupRows(p.Words) {
					txt = append(txt, r.text())
				}
				if strings.Contains(moneyDigits(strings.Join(txt, " ")), a) {
					where += []string{" first", " raw"}[k]
				}
			}
			fmt.Printf("%s truth %s got %q (conf %.2f) truth-in:%s\n", name, d.Total, doc.Header.Total, doc.Header.Confidence["total"], where)
			for k, p := range []*Page{first, raw} {
				rows := groupRows(wholeUnitWords(p.Words))
				s := readSummary(rows)
				rows = splitLabelRuns(rows)
				fmt.Printf("   %s: totals", []string{"first", "raw"}[k])
				for _, c := range s.totals {
					fmt.Printf(" %s(r%d %q)", formatCents(c.v), c.rank, rows[c.row].text())
				}
				fmt.Printf(" sub %v/%s taxes %v cash %v/%s change %v/%s tenders %v sums %v\n", s.hasSub, formatCents(s.subtotal), s.taxes, s.hasCash, formatCents(s.cash), s.hasChange, formatCents(s.change), s.tenders, s.sums)
				if os.Getenv("OCR_VERBOSE") != "" {
					for _, r := range rows {
						if strings.Contains(moneyDigits(r.text()), a) || isTotalRow(compactUpper(r)) || isSummaryRow(r) {
							fmt.Printf("      | %s\n", r.text())
						}
					}
				}
			}
		}
	}
	_ = realtruth.Dev
}

// TestDebugLineLoss classifies, on the same cached readings, each truth
// line the offline pipeline misses: its amount read on a row with its
// description (rejected by the row rule), its amount read elsewhere, or
// in neither reading; and each line read wrong: money or description.
func TestDebugLineLoss(t *testing.T) {
	cache := os.Getenv("OCR_LOSS_CACHE")
	if cache == "" {
		t.Skip("OCR_LOSS_CACHE not set")
	}
	pdir := filepath.Join(cache, "main")
	count := map[string]int{}
	for _, d := range debugRealDocs(t) {
		if d.Items == nil {
			continue
		}
		for _, v := range debugVariants(t) {
			name := variantName(d.ID, v)
			if _, err := os.Stat(filepath.Join(pdir, name+".json")); err != nil {
				continue
			}
			first := pageCachedAs(t, filepath.Join(pdir, name+".json"), nil)
			raw := pageCachedAs(t, filepath.Join(pdir, "raw-"+name+".json"), nil)
			doc := Extract([]*Page{first})
			if headerMissing(&doc.Header) {
				applySecondLook(doc, []*Page{first}, []*Page{raw})
			}
			repairOneDigit(doc)
			lines := TruthResult(doc).Lines
			used := make([]bool, len(lines))
			fmt.Printf("%s\n", name)
			for _, it := range d.Items {
				hit := false
				for k, l := range lines {
					if !used[k] && realtruth.LineMatches(it, l) {
						used[k], hit = true, true
						break
					}
				}
				if hit {
					count["found"]++
					continue
				}
				a := moneyDigits(it.Amount)
				class := "nowhere"
				var show []string
				for k, p := range []*Page{first, raw} {
					for _, r := range groupRows(p.Words) {
						txt := r.text()
						if strings.Contains(moneyDigits(txt), a) {
							c := "words"
							if realtruth.Overlaps(it.Desc, txt) {
								c = "row"
							}
							if class == "nowhere" || c == "row" && class == "words" {
								class = c
							}
							show = append(show, []string{"1", "2"}[k]+"| "+txt)
						}
					}
				}
				// A read line with the amount but another description, or
				// the description with another amount.
				for k, l := range lines {
					if used[k] {
						continue
					}
					if l.Amount == it.Amount {
						class += "+amount-desc-fails"
					} else if realtruth.Overlaps(it.Desc, l.Desc) {
						class += "+desc-money-differs(" + l.Amount + ")"
					}
				}
				count[class]++
				fmt.Printf("   %-30s %q a=%s\n", class, it.Desc, it.Amount)
				for _, s := range show {
					fmt.Printf("        %s\n", s)
				}
			}
			for k, l := range lines {
				if !used[k] {
					fmt.Printf("   WRONG %q a=%s review=%v\n", l.Desc, l.Amount, l.NeedsReview)
				}
			}
		}
	}
	fmt.Println(count)
}

// TestDebugTwoScore scores the offline pipeline (first reading, the
// second look when the header is incomplete, the one-digit repair) on the
// cached readings, one line a page and the sums, to compare builds.
func TestDebugTwoScore(t *testing.T) {
	cache := os.Getenv("OCR_LOSS_CACHE")
	if cache == "" {
		t.Skip("OCR_LOSS_CACHE not set")
	}
	pdir := filepath.Join(cache, "main")
	var right, got, truth, totals, wrongTotals, totalDocs, unfl int
	for _, d := range debugRealDocs(t) {
		for _, v := range debugVariants(t) {
			name := variantName(d.ID, v)
			if _, err := os.Stat(filepath.Join(pdir, "raw-"+name+".json")); err != nil {
				continue
			}
			first := pageCachedAs(t, filepath.Join(pdir, name+".json"), nil)
			raw := pageCachedAs(t, filepath.Join(pdir, "raw-"+name+".json"), nil)
			doc := Extract([]*Page{first})
			if headerMissing(&doc.Header) {
				applySecondLook(doc, []*Page{first}, []*Page{raw})
			}
			repairOneDigit(doc)
			lines := TruthResult(doc).Lines
			s := d.ScoreLines(lines)
			right, got, truth, unfl = right+s.Right, got+s.Got, truth+s.Truth, unfl+s.WrongUnflagged
			tok := d.TotalMatches(doc.Header.Total)
			if d.Total != "" {
				totalDocs++
				if tok {
					totals++
				} else if doc.Header.Total != "" {
					wrongTotals++
				}
			}
			fmt.Printf("%-14s lines %d/%d got %d total %q %v %.2f\n", name, s.Right, s.Truth, s.Got, doc.Header.Total, tok, doc.Header.Confidence["total"])
		}
	}
	fmt.Printf("SCORE right %d of %d, got %d (unflagged wrong %d), totals %d of %d (%d wrong)\n", right, truth, got, unfl, totals, totalDocs, wrongTotals)
}
