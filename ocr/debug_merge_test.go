package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkDebugTwoReadings scores, on the degraded dev copies (and with
// OCR_LOSS_ORIG=1 the dev photos), the first reading alone, the second
// look's reading (the photo as it came) alone, the pipeline's merge of the
// two (applySecondLook, crop looks left out) and the row merge
// (mergeReadings). Both readings are cached in OCR_LOSS_CACHE/<tag>/ so
// the extraction can be iterated on. Dev half only. A development aid:
//
//	OCR_DEGRADE_DIR=/tmp/deg OCR_LOSS_CACHE=/tmp/loss go test -run '^$' -bench DebugTwoReadings -benchtime 1x ./ocr/
func BenchmarkDebugTwoReadings(b *testing.B) {
	lc := lossCacheDirs(b)
	dir, pdir := lc.dir, lc.pdir
	engine := lazyEngine(b)
	cached := func(pf string, read func() *Page) *Page { return pageCachedAs(b, pf, read) }
	defer RowMergeFromEnv()()
	verbose := os.Getenv("OCR_VERBOSE")
	type score struct{ right, got, wrongUnfl, totals, wrongTotals, looks int }
	var sc [4]score
	names := []string{"first", "second", "pipeline", "rowmerge"}
	for b.Loop() {
		truth, docs := 0, 0
		for _, d := range debugRealDocs(b) {
			if d.Items == nil && os.Getenv("OCR_ALL_DOCS") == "" {
				continue
			}
			img := loadTestImage(b, d.Image)
			for _, v := range debugVariants(b) {
				dimg, name := variantImage(b, dir, d.ID, img, v)
				first := cached(filepath.Join(pdir, name+".json"), func() *Page {
					p, err := engine().ReadPage(context.Background(), dimg)
					if err != nil {
						b.Fatal(err)
					}
					return p
				})
				raw := cached(filepath.Join(pdir, "raw-"+name+".json"), func() *Page {
					p, _, err := engine().readAsIsGray(context.Background(), dimg, first.Turned, latinSecond && latinReading(first))
					if err != nil {
						b.Fatal(err)
					}
					return p
				})
				docs++
				if only := os.Getenv("OCR_TWO_ONLY"); only != "" && only == name {
					for k, p := range []*Page{first, raw} {
						fmt.Printf("== %s %s %dx%d\n", name, names[k], p.Width, p.Height)
						for _, r := range groupRows(p.Words) {
							var sb strings.Builder
							for _, w := range r.words {
								fmt.Fprintf(&sb, " %s[%d,%d %.0f]", w.Text, w.Box.Min.X, w.Box.Min.Y, w.Conf)
							}
							fmt.Printf("   |%s\n", sb.String())
						}
					}
				}
				if d.Items != nil {
					truth += len(d.Items)
				}
				var out [4]*Document
				out[0] = Extract([]*Page{first})
				out[1] = Extract([]*Page{raw})
				out[2] = Extract([]*Page{first})
				if headerMissing(&out[2].Header) {
					rm := rowMerge
					rowMerge = false
					applySecondLook(out[2], []*Page{first}, []*Page{raw})
					rowMerge = rm
					sc[2].looks++
				}
				repairOneDigit(out[2])
				out[3] = Extract([]*Page{first})
				if headerMissing(&out[3].Header) || os.Getenv("OCR_TWO_ALWAYS") != "" && !linesReconcile(&out[3].Header, out[3].Lines) {
					applySecondLook(out[3], []*Page{first}, []*Page{raw})
					sc[3].looks++
				}
				repairOneDigit(out[3])
				line := name
				pre := 0
				anchorTrace = func(n int) { pre = n }
				if _, n := mergeReadings(first, raw); true {
					line += fmt.Sprintf(" [anchors %d of %d added %d]", len(readingAnchors(first.Words, raw.Words)), pre, n)
				}
				anchorTrace = nil
				for k, doc := range out {
					lines := TruthResult(doc).Lines
					s := d.ScoreLines(lines)
					sc[k].right += s.Right
					sc[k].got += s.Got
					sc[k].wrongUnfl += s.WrongUnflagged
					tok := d.TotalMatches(doc.Header.Total)
					if tok {
						sc[k].totals++
					} else if doc.Header.Total != "" {
						sc[k].wrongTotals++
					}
					line += fmt.Sprintf(" | %s %d/%d got %d tot %s(%v %.2f)", names[k], s.Right, s.Truth, s.Got, doc.Header.Total, tok, doc.Header.Confidence["total"])
					if verbose == "2" && k == 3 {
						printLinesAgainstTruth(d, lines)
					}
				}
				fmt.Println(line)
			}
		}
		for k := range sc {
			s := sc[k]
			fmt.Printf("TWO %-9s right %d of %d, got %d, wrong unflagged %d, totals %d of %d (%d wrong), looks %d\n", names[k], s.right, truth, s.got, s.wrongUnfl, s.totals, docs, s.wrongTotals, s.looks)
		}
	}
}

// variantName is the name in the caches of variant v of document id (v <
// 0: the photo as it came).
func variantName(id string, v int) string {
	if v < 0 {
		return id
	}
	return fmt.Sprintf("%s-v%d", id, v)
}

// variantImage returns variant v of document id's photo img (v < 0: the
// photo as it came; else its degraded copy, made in dir) and its name.
func variantImage(b *testing.B, dir, id string, img image.Image, v int) (image.Image, string) {
	if v < 0 {
		return img, id
	}
	dimg, _ := degradedImage(b, dir, id, img, v)
	return dimg, variantName(id, v)
}

// debugVariants returns the degraded variants the debug benchmarks read:
// 0–2 (the tuning copies), -1 (the photo as it came) with OCR_LOSS_ORIG, or
// the list OCR_TWO_VARIANTS gives (3 and up draw fresh "everything"
// effects, for checking rules not tuned on them).
func debugVariants(b testing.TB) []int {
	vs := []int{0, 1, 2}
	if os.Getenv("OCR_LOSS_ORIG") != "" {
		vs = []int{-1}
	}
	if l := os.Getenv("OCR_TWO_VARIANTS"); l != "" {
		vs = nil
		for _, f := range strings.Split(l, ",") {
			v, err := strconv.Atoi(f)
			if err != nil {
				b.Fatal(err)
			}
			vs = append(vs, v)
		}
	}
	return vs
}

// pageCachedAs returns the page cached as JSON in pf, or reads it with read
// and caches it there.
func pageCachedAs(b testing.TB, pf string, read func() *Page) *Page {
	var p Page
	if data, err := os.ReadFile(pf); err == nil {
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
		return &p
	}
	pp := read()
	data, _ := json.Marshal(pp)
	if err := os.WriteFile(pf, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return pp
}
