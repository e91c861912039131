package ocr

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"pandian/ocr/realtruth"
)

// BenchmarkDebugRescaleLook measures, on the degraded dev copies
// (OCR_TWO_VARIANTS, fresh ≥ 22), what the page looks like where lines
// are in no reading (text height on the photo and after preprocessing,
// contrast) and scores the first reading, the rescaled look's reading
// (rescaledReading) and the pipeline's choice between them
// (takeRescaled). Readings are cached in OCR_LOSS_CACHE/<tag>/ (the
// rescaled one under its height and binarisation). Dev half only. A
// development aid:
//
//	OCR_DEGRADE_DIR=/tmp/deg OCR_LOSS_CACHE=/tmp/loss OCR_TWO_VARIANTS=22,23 go test -run '^$' -bench DebugRescaleLook -benchtime 1x ./ocr/
func BenchmarkDebugRescaleLook(b *testing.B) {
	lc := lossCacheDirs(b)
	dir, pdir := lc.dir, lc.pdir
	engine := lazyEngine(b)
	cached := func(pf string, read func() *Page) *Page { return pageCachedAs(b, pf, read) }
	defer func(h, f int) { rescaleLineHeight, rescaleFix = h, f }(rescaleLineHeight, rescaleFix)
	if v := os.Getenv("OCR_RESCALE_H"); v != "" {
		fmt.Sscan(v, &rescaleLineHeight)
	}
	if v := os.Getenv("OCR_RESCALE_FIX"); v != "" {
		fmt.Sscan(v, &rescaleFix)
	}
	rescaleTessThreshold = os.Getenv("OCR_RESCALE_TESSTHR")
	defer func() { rescaleTessThreshold = "" }()
	stag := fmt.Sprintf("h%d-f%d-sfalse-t%s", rescaleLineHeight, rescaleFix, rescaleTessThreshold)
	type score struct{ right, got, wrongUnfl, totals, wrongTotals, taken int }
	var sc [5]score
	names := []string{"first", "rescaled", "choice", "merge", "flagged"}
	truth, inFirst, inSecond, inEither := 0, 0, 0, 0
	for b.Loop() {
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
				second := cached(filepath.Join(pdir, "rs-"+stag+"-"+name+".json"), func() *Page {
					p, err := engine().rescaledReading(context.Background(), dimg, first.Turned)
					if err != nil {
						b.Fatal(err)
					}
					return p
				})
				// What the page looks like: text height on the photo and
				// after the first reading's preprocessing, contrast.
				lh0 := textLineHeight(toGray(dimg))
				g1 := preprocess(dimg, defaultPrep)
				lh1 := textLineHeight(g1)
				px := append([]uint8(nil), g1.pix...)
				sort.Slice(px, func(i, j int) bool { return px[i] < px[j] })
				contrast := int(px[len(px)*95/100]) - int(px[len(px)*2/100])
				n1, n2, ne := 0, 0, 0
				for _, it := range d.Items {
					a := moneyDigits(it.Amount)
					var in [2]bool
					for k, p := range []*Page{first, second} {
						for _, r := range groupRows(p.Words) {
							if strings.Contains(moneyDigits(r.text()), a) && realtruth.Overlaps(it.Desc, r.text()) {
								in[k] = true
							}
						}
					}
					if in[0] {
						n1++
					}
					if in[1] {
						n2++
					}
					if in[0] || in[1] {
						ne++
					}
				}
				truth += len(d.Items)
				inFirst += n1
				inSecond += n2
				inEither += ne
				var out [5]*Document
				out[0] = Extract([]*Page{first})
				out[1] = Extract([]*Page{second})
				out[2] = Extract([]*Page{first})
				if takeRescaled(out[2], out[1]) {
					sc[2].taken++
				}
				out[3] = Extract([]*Page{first})
				if takeRescaled(out[3], out[1]) {
					sc[3].taken++
				} else if n := mergeRescaled(out[3], out[1]); n > 0 {
					sc[3].taken += n
					for _, l := range out[3].Lines[len(out[3].Lines)-n:] {
						fmt.Printf("   merged %s: %q %d × %s = %s review %v\n", name, l.Description, l.Qty, l.UnitPrice, l.Amount, l.NeedsReview)
					}
				}
				// Every fresh line of the rescaled reading added, flagged
				// (what a merge without the checks could reach).
				out[4] = Extract([]*Page{first})
				{
					have := map[string]int{}
					for _, l := range out[4].Lines {
						have[l.Amount]++
					}
					for _, l := range out[1].Lines {
						if have[l.Amount] > 0 {
							have[l.Amount]--
							continue
						}
						l.NeedsReview = true
						out[4].Lines = append(out[4].Lines, l)
						sc[4].taken++
					}
				}
				line := fmt.Sprintf("%-16s lh photo %4.1f prep %4.1f contrast %3d | rows with amount+desc: first %d rescaled %d either %d of %d", name, lh0, lh1, contrast, n1, n2, ne, len(d.Items))
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
					line += fmt.Sprintf(" | %s %d/%d got %d tot %v rec %v", names[k], s.Right, s.Truth, s.Got, tok, linesReconcile(&doc.Header, doc.Lines))
				}
				fmt.Println(line)
			}
		}
		fmt.Printf("RESCALE %s truth lines %d: row in first %d, rescaled %d, either %d\n", stag, truth, inFirst, inSecond, inEither)
		for k := range sc {
			s := sc[k]
			fmt.Printf("RESCALE %s %-9s right %d, got %d, wrong unflagged %d, totals %d (%d wrong), taken %d\n", stag, names[k], s.right, s.got, s.wrongUnfl, s.totals, s.wrongTotals, s.taken)
		}
	}
}
