package ocr

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// BenchmarkDebugTotalEvidence scores the total before and after the
// evidence vote (total_evidence.go) on the degraded dev copies (both
// readings cached as for BenchmarkDebugTwoReadings; the SROIE dev pages
// included), the crop looks left out; the rules of total_evidence.go
// (off by default) on for "before" too. OCR_TWO_VARIANTS picks the
// variants (default 0,1,2; fresh ones from 3 for checks), OCR_LOSS_ORIG=1
// the dev photos. OCR_VERBOSE=1 prints every page's sources. A
// development aid:
//
//	OCR_DEGRADE_DIR=/tmp/deg OCR_LOSS_CACHE=/tmp/loss go test -run '^$' -bench DebugTotalEvidence -benchtime 1x ./ocr/
func BenchmarkDebugTotalEvidence(b *testing.B) {
	lc := lossCacheDirs(b)
	engine := lazyEngine(b)
	defer evidenceRulesOn()()
	cached := func(pf string, read func() *Page) *Page { return pageCachedAs(b, pf, read) }
	verbose := os.Getenv("OCR_VERBOSE") != ""
	for b.Loop() {
		totalEvidenceRun(b, lc, engine, cached, verbose)
	}
}

func totalEvidenceRun(b *testing.B, lc lossCache, engine func() *Engine, cached func(string, func() *Page) *Page, verbose bool) {
	var right, wrong, empty [2]int
	changed := 0
	for _, d := range debugRealDocs(b) {
		if d.Total == "" {
			continue
		}
		img := loadTestImage(b, d.Image)
		for _, v := range debugVariants(b) {
			dimg, name := variantImage(b, lc.dir, d.ID, img, v)
			first := cached(filepath.Join(lc.pdir, name+".json"), func() *Page {
				p, err := engine().ReadPage(context.Background(), dimg)
				if err != nil {
					b.Fatal(err)
				}
				return p
			})
			raw := cached(filepath.Join(lc.pdir, "raw-"+name+".json"), func() *Page {
				p, _, err := engine().readAsIsGray(context.Background(), dimg, first.Turned, latinSecond && latinReading(first))
				if err != nil {
					b.Fatal(err)
				}
				return p
			})
			doc := Extract([]*Page{first})
			readings := [][]*Page{{first}}
			if headerMissing(&doc.Header) {
				applySecondLook(doc, []*Page{first}, []*Page{raw})
				readings = append(readings, []*Page{raw})
			}
			repairOneDigit(doc)
			before, bconf := doc.Header.Total, doc.Header.Confidence["total"]
			if voteTotal(doc, readings) {
				changed += 0
			}
			after, aconf := doc.Header.Total, doc.Header.Confidence["total"]
			for k := range 2 {
				t := before
				if k == 1 {
					t = after
				}
				switch {
				case t == "":
					empty[k]++
				case d.TotalMatches(t):
					right[k]++
				default:
					wrong[k]++
				}
			}
			mark := ""
			if before != after {
				changed++
				mark = " CHANGED"
			}
			if verbose || before != after || !d.TotalMatches(after) {
				printEvidence(name, d.Total, before, after, bconf, aconf, mark, readings, doc.Lines)
				printTruthRows(d.Total, readings)
			}
		}
	}
	fmt.Printf("EVIDENCE before right %d wrong %d empty %d\n", right[0], wrong[0], empty[0])
	fmt.Printf("EVIDENCE after  right %d wrong %d empty %d\n", right[1], wrong[1], empty[1])
	fmt.Printf("EVIDENCE changed %d\n", changed)

}

func printEvidence(name, truth, before, after string, bconf, aconf float64, mark string, readings [][]*Page, lines []Line) {
	src := gatherTotalEvidence(readings, lines)
	slices.SortStableFunc(src, func(x, y totalSource) int { return int(x.v - y.v) })
	var sb strings.Builder
	for _, s := range src {
		r := ""
		if s.repaired {
			r = "*"
		}
		fmt.Fprintf(&sb, " %s=%s%s", s.key, formatCents(s.v), r)
	}
	fmt.Printf("%-14s truth %-8s before %-8s(%.2f) after %-8s(%.2f)%s |%s\n", name, truth, before, bconf, after, aconf, mark, sb.String())
}

// printTruthRows prints the rows of the readings holding the amount
// truth (as a money word), or, with none, every row holding a money word.
func printTruthRows(truth string, readings [][]*Page) {
	tv, _ := parseMoney(truth)
	for ri, pages := range readings {
		for _, p := range pages {
			if p == nil {
				continue
			}
			for _, r := range groupRows(wholeUnitWords(p.Words)) {
				hit, money := false, false
				for _, t := range classify(r) {
					if t.money {
						money = true
						if abs64(t.cents) == tv {
							hit = true
						}
					}
				}
				if hit || money && os.Getenv("OCR_VERBOSE") == "2" {
					var sb strings.Builder
					for _, w := range r.words {
						fmt.Fprintf(&sb, " %s[%.0f]", w.Text, w.Conf)
					}
					m := " "
					if hit {
						m = "*"
					}
					fmt.Printf("    r%d%s%s\n", ri, m, sb.String())
				}
			}
		}
	}
}
